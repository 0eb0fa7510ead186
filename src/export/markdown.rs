//! The Markdown brief: front matter with the article's metadata and the analyst, a heading, a
//! one-line summary, then the annotations grouped by label in reading order, each with its
//! exact, complete quote as a block quote and its note under it. Annotations waiting for
//! review come last, with their old quote.
//!
//! Quotes and notes are escaped so that Markdown shows them character for character (`*`,
//! `_`, `[`, `<`… get a backslash): a note is plain text typed in Claimlens, so raw HTML or a
//! `javascript:` link in it stays text when the brief is rendered. Line breaks in notes are
//! kept as hard line breaks.

use std::fmt::Write as _;

use super::{ExportInput, paragraph_number, status_word};
use crate::model::{Annotation, LabelId};

/// The brief as Markdown text.
pub fn brief(input: &ExportInput<'_>) -> String {
    let article = input.article;
    let set = input.set;
    let meta = &article.meta;
    let mut out = String::new();

    // Front matter: YAML, every string double-quoted with JSON escapes (valid YAML).
    let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
    out.push_str("---\n");
    let _ = writeln!(out, "title: {}", q(&article.title));
    let _ = writeln!(out, "source: {}", q(input.article_source));
    for (key, value) in [
        ("byline", &meta.byline),
        ("site", &meta.site),
        ("published", &meta.published),
        ("url", &meta.url),
        ("language", &meta.lang),
    ] {
        if let Some(value) = value {
            let _ = writeln!(out, "{key}: {}", q(value));
        }
    }
    let _ = writeln!(out, "format: {}", q(meta.format.name()));
    let _ = writeln!(out, "article_hash: {}", q(&article.hash.0));
    if !set.analyst.is_empty() {
        let _ = writeln!(out, "analyst: {}", q(&set.analyst));
    }
    let _ = writeln!(out, "exported: {}", q(&input.exported.to_string()));
    let _ = writeln!(out, "annotations: {}", set.annotations.len());
    out.push_str("---\n\n");

    let _ = writeln!(out, "# {}\n", escape(&article.title));
    let mut credits = vec![format!("Source: {}", escape(input.article_source))];
    for value in [&meta.byline, &meta.site, &meta.published]
        .into_iter()
        .flatten()
    {
        credits.push(escape(value));
    }
    if let Some(url) = &meta.url {
        credits.push(format!("<{}>", url.replace(['<', '>', ' '], "")));
    }
    let _ = writeln!(out, "{}", credits.join(" · "));
    if !set.analyst.is_empty() {
        let _ = writeln!(out, "\nAnalyst: {}", escape(&set.analyst));
    }

    // Summary.
    let counts: Vec<String> = set
        .counts()
        .iter()
        .map(|(id, n)| format!("{} {n}", set.labels.name_of(id)))
        .collect();
    let _ = write!(
        out,
        "\n## Summary\n\n{} annotations: {}.",
        set.annotations.len(),
        counts.join(", ")
    );
    let waiting = input.unplaced().count();
    if waiting > 0 {
        let verb = if waiting == 1 { "awaits" } else { "await" };
        let _ = write!(
            out,
            " {waiting} {verb} review: the article changed since it was annotated."
        );
    }
    out.push('\n');

    // By label, in the set's label order, then labels the set does not define.
    let mut label_ids: Vec<LabelId> = set.labels.labels.iter().map(|l| l.id.clone()).collect();
    for a in &set.annotations {
        if !label_ids.contains(&a.label) {
            label_ids.push(a.label.clone());
        }
    }
    // "Claim 2": how the brief names each placed annotation (for relations).
    let mut names: std::collections::HashMap<crate::model::AnnotationId, String> =
        std::collections::HashMap::new();
    for id in &label_ids {
        for (n, a) in input.placed().filter(|a| &a.label == id).enumerate() {
            names.insert(a.id, format!("{} {}", set.labels.name_of(id), n + 1));
        }
    }
    let name_of = |id: crate::model::AnnotationId| {
        names.get(&id).cloned().unwrap_or_else(|| {
            set.get(id).map_or_else(
                || "an annotation not in the set".to_owned(),
                |a| format!("{} (awaiting review)", set.labels.name_of(&a.label)),
            )
        })
    };
    for id in &label_ids {
        let group: Vec<&Annotation> = input.placed().filter(|a| &a.label == id).collect();
        if group.is_empty() {
            continue;
        }
        let name = set.labels.name_of(id);
        let _ = writeln!(out, "\n## {} ({})", escape(name), group.len());
        for (n, a) in group.iter().enumerate() {
            let _ = writeln!(
                out,
                "\n### {} {} (paragraph {})\n",
                escape(name),
                n + 1,
                paragraph_number(article, a.anchor.position.start)
            );
            write_quote_and_note(&mut out, a, &super::csv::attributes_text(input, a));
            for r in &set.relations {
                if r.from == a.id {
                    let _ = writeln!(
                        out,
                        "\n→ {} {}",
                        escape(set.labels.relation_name_of(&r.kind)),
                        escape(&name_of(r.to))
                    );
                } else if r.to == a.id {
                    let _ = writeln!(
                        out,
                        "\n← {} {} this",
                        escape(&name_of(r.from)),
                        escape(set.labels.relation_name_of(&r.kind))
                    );
                }
            }
        }
    }

    let waiting: Vec<&Annotation> = input.unplaced().collect();
    if !waiting.is_empty() {
        let _ = writeln!(out, "\n## Awaiting review ({})", waiting.len());
        for a in waiting {
            let _ = writeln!(
                out,
                "\n### {}: {}\n",
                escape(set.labels.name_of(&a.label)),
                status_word(a)
            );
            write_quote_and_note(&mut out, a, &super::csv::attributes_text(input, a));
        }
    }
    out
}

fn write_quote_and_note(out: &mut String, a: &Annotation, attributes: &str) {
    for line in a.anchor.quote.exact.split('\n') {
        if line.trim().is_empty() {
            out.push_str(">\n");
        } else {
            let _ = writeln!(out, "> {}", escape(line));
        }
    }
    let mut facts = Vec::new();
    if !a.tags.is_empty() {
        facts.push(format!("Tags: {}", a.tags.join(", ")));
    }
    if !a.attributes.is_empty() {
        facts.push(attributes.to_owned());
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "\n{}", escape(&facts.join(" · ")));
    }
    if !a.note.trim().is_empty() {
        out.push('\n');
        let lines: Vec<String> = a.note.trim_end().split('\n').map(escape).collect();
        // A backslash at the end of a line is a hard line break; blank lines stay paragraphs.
        for (i, line) in lines.iter().enumerate() {
            let next_blank = lines.get(i + 1).is_none_or(|l| l.trim().is_empty());
            if line.trim().is_empty() || next_blank {
                let _ = writeln!(out, "{line}");
            } else {
                let _ = writeln!(out, "{line}\\");
            }
        }
    }
}

/// Escapes text so Markdown renders it literally: every ASCII punctuation character that
/// could start markup gets a backslash (CommonMark allows a backslash before any of them).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    // A line that starts like a list item or a heading underline.
    let first = out.chars().next();
    if matches!(first, Some('-' | '+' | '=')) {
        out.insert(0, '\\');
    } else if let Some(digits) = out.find(|c: char| !c.is_ascii_digit())
        && digits > 0
        && out[digits..].starts_with(['.', ')'])
    {
        out.insert(digits, '\\');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_text_literal() {
        assert_eq!(escape("a *b* [c](d) <e>"), "a \\*b\\* \\[c\\](d) \\<e\\>");
        assert_eq!(escape("- not a list"), "\\- not a list");
        assert_eq!(escape("1. not a list"), "1\\. not a list");
        assert_eq!(escape("2024 was"), "2024 was");
        // Rendering the escaped text gives the original text back.
        for text in [
            "a *b* _c_ `d` <script>x</script> & [l](u) # h | t ~s~ !img",
            "C:\\path\\file and 3 < 4 > 2",
        ] {
            let html = render(&format!("> {}", escape(text)));
            let plain = html
                .replace("<blockquote>\n<p>", "")
                .replace("</p>\n</blockquote>\n", "");
            assert_eq!(unescape_html(&plain), text);
        }
    }

    fn render(md: &str) -> String {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(md));
        html
    }

    fn unescape_html(s: &str) -> String {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
    }
}
