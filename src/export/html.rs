//! The HTML export: the whole article with highlights in their label colours, stacked
//! underlines where highlights overlap, a numbered footnote after each annotation with its
//! label and note, a legend with counts, and the annotations that wait for review listed at
//! the end. One self-contained file: inline CSS, no scripts, no remote resources.
//!
//! Everything from the article and the set is escaped (`& < > " '`), so a note or an article
//! holding `<script>` or `"><img onerror=…>` comes out as text. The only link made from data
//! is the article's address, and only if it is `http:` or `https:`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{ExportInput, status_word};
use crate::model::structure::InlineStyle;
use crate::model::{Annotation, BlockKind, LabelId, Rgb};

/// The page as HTML text.
pub fn page(input: &ExportInput<'_>) -> String {
    let article = input.article;
    let set = input.set;
    let meta = &article.meta;
    let placed: Vec<&Annotation> = input.placed().collect();
    let lang = meta
        .lang
        .as_deref()
        .filter(|l| l.len() <= 35 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));

    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n");
    let _ = writeln!(out, "<html lang=\"{}\">", escape(lang.unwrap_or("und")));
    out.push_str("<head>\n<meta charset=\"utf-8\">\n");
    // Nothing may load or run: a strict policy backs up the escaping.
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(&article.title));
    out.push_str("<style>\n");
    out.push_str(STYLE);
    for label in &set.labels.labels {
        let _ = writeln!(
            out,
            ".{} {{ --c: {}; }}",
            label_class(&label.id),
            label.colour.to_hex()
        );
    }
    out.push_str("</style>\n</head>\n<body>\n<main>\n");

    // Header: metadata and the legend.
    out.push_str("<header>\n");
    let mut credits = Vec::new();
    for value in [&meta.byline, &meta.site, &meta.published]
        .into_iter()
        .flatten()
    {
        credits.push(escape(value));
    }
    if !credits.is_empty() {
        let _ = writeln!(out, "<p class=\"credits\">{}</p>", credits.join(" · "));
    }
    if let Some(url) = &meta.url {
        let lower = url.trim().to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            let _ = writeln!(
                out,
                "<p class=\"meta\"><a href=\"{0}\" rel=\"noreferrer\">{0}</a></p>",
                escape(url.trim())
            );
        } else {
            let _ = writeln!(out, "<p class=\"meta\">{}</p>", escape(url));
        }
    }
    let _ = write!(
        out,
        "<p class=\"meta\">Source: {}",
        escape(input.article_source)
    );
    if !set.analyst.is_empty() {
        let _ = write!(out, " · Analyst: {}", escape(&set.analyst));
    }
    let _ = writeln!(
        out,
        " · Exported {}</p>",
        escape(&input.exported.to_string())
    );
    out.push_str("<ul class=\"legend\">\n");
    for (id, n) in set.counts() {
        let _ = writeln!(
            out,
            "<li><span class=\"swatch {}\"></span>{} ({n})</li>",
            label_class(&id),
            escape(set.labels.name_of(&id))
        );
    }
    out.push_str("</ul>\n</header>\n<article>\n");

    // Footnote numbers in reading order.
    let number_of = |a: &Annotation| placed.iter().position(|p| p.id == a.id).map(|i| i + 1);

    let mut open_list: Option<bool> = None; // Some(ordered)
    for (i, paragraph) in article.paragraphs.iter().enumerate() {
        if paragraph.cut_before {
            // A piece of a long paragraph (see `Paragraph::cut_before`): it goes on in the same
            // element, after the white space at the cut.
            let gap = article.paragraphs[i - 1].chars.end..paragraph.chars.start;
            out.push_str(&escape(article.slice(gap)));
            write_paragraph(&mut out, input, paragraph, &placed, &number_of);
            if !paragraph.cut_after {
                out.push_str(&tags(paragraph.kind).1);
                out.push('\n');
            }
            continue;
        }
        let list = match paragraph.kind {
            BlockKind::ListItem { number, .. } => Some(number.is_some()),
            _ => None,
        };
        if open_list != list {
            if let Some(ordered) = open_list {
                out.push_str(if ordered { "</ol>\n" } else { "</ul>\n" });
            }
            if let Some(ordered) = list {
                out.push_str(if ordered { "<ol>\n" } else { "<ul>\n" });
            }
            open_list = list;
        }
        let (open, close) = tags(paragraph.kind);
        out.push_str(&open);
        write_paragraph(&mut out, input, paragraph, &placed, &number_of);
        if !paragraph.cut_after {
            out.push_str(&close);
            out.push('\n');
        }
    }
    if let Some(ordered) = open_list {
        out.push_str(if ordered { "</ol>\n" } else { "</ul>\n" });
    }
    out.push_str("</article>\n");

    // Footnotes.
    if !placed.is_empty() {
        out.push_str("<section class=\"notes\">\n<h2>Annotations</h2>\n<ol>\n");
        for (i, a) in placed.iter().enumerate() {
            write_note(&mut out, input, a, Some(i + 1));
        }
        out.push_str("</ol>\n</section>\n");
    }
    let waiting: Vec<&Annotation> = input.unplaced().collect();
    if !waiting.is_empty() {
        let _ = writeln!(
            out,
            "<section class=\"notes\">\n<h2>Awaiting review ({})</h2>\n<p class=\"meta\">The article changed since these were made; their quotes are from the older version.</p>\n<ul>",
            waiting.len()
        );
        for a in waiting {
            write_note(&mut out, input, a, None);
        }
        out.push_str("</ul>\n</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// The opening and closing tags of a block of `kind`.
fn tags(kind: BlockKind) -> (String, String) {
    match kind {
        BlockKind::Headline => ("<h1>".to_owned(), "</h1>".to_owned()),
        BlockKind::Heading(level) => {
            let level = level.clamp(2, 6);
            (format!("<h{level}>"), format!("</h{level}>"))
        }
        BlockKind::Body => ("<p>".to_owned(), "</p>".to_owned()),
        BlockKind::Quote(depth) => (
            "<blockquote>".repeat(usize::from(depth.max(1))) + "<p>",
            "</p>".to_owned() + &"</blockquote>".repeat(usize::from(depth.max(1))),
        ),
        BlockKind::ListItem { depth, number } => (
            match number {
                Some(n) => format!("<li value=\"{n}\" class=\"depth{}\">", depth.min(6)),
                None => format!("<li class=\"depth{}\">", depth.min(6)),
            },
            "</li>".to_owned(),
        ),
        BlockKind::Preformatted => ("<pre>".to_owned(), "</pre>".to_owned()),
    }
}

/// One paragraph's text, split at every highlight and style boundary; each piece in a `<mark>`
/// for the highlights covering it, with a footnote mark after each annotation's last piece.
fn write_paragraph(
    out: &mut String,
    input: &ExportInput<'_>,
    paragraph: &crate::model::Paragraph,
    placed: &[&Annotation],
    number_of: &dyn Fn(&Annotation) -> Option<usize>,
) {
    let article = input.article;
    let range = paragraph.chars.clone();
    let here: Vec<&Annotation> = placed
        .iter()
        .copied()
        .filter(|a| a.anchor.position.start < range.end && range.start < a.anchor.position.end)
        .collect();
    let mut cuts: BTreeSet<usize> = BTreeSet::from([range.start, range.end]);
    for a in &here {
        cuts.insert(a.anchor.position.start.max(range.start));
        cuts.insert(a.anchor.position.end.min(range.end));
    }
    for span in &paragraph.spans {
        cuts.insert(span.chars.start);
        cuts.insert(span.chars.end);
    }
    let cuts: Vec<usize> = cuts.into_iter().collect();
    for piece in cuts.windows(2) {
        let (start, end) = (piece[0], piece[1]);
        if start >= end {
            continue;
        }
        let covering: Vec<&Annotation> = here
            .iter()
            .copied()
            .filter(|a| a.anchor.position.start <= start && end <= a.anchor.position.end)
            .collect();
        let style = paragraph
            .spans
            .iter()
            .find(|s| s.chars.start <= start && end <= s.chars.end)
            .map_or(InlineStyle::PLAIN, |s| s.style);
        let mut text = escape(article.slice(start..end));
        for (flag, tag) in [
            (InlineStyle::CODE, "code"),
            (InlineStyle::EMPHASIS, "em"),
            (InlineStyle::STRONG, "strong"),
        ] {
            if style.contains(flag) {
                text = format!("<{tag}>{text}</{tag}>");
            }
        }
        if covering.is_empty() {
            out.push_str(&text);
        } else {
            let classes: Vec<String> = covering.iter().map(|a| label_class(&a.label)).collect();
            // The innermost (shortest) highlight gives the fill; the others add underlines.
            let mut shadows = Vec::new();
            for (i, a) in covering.iter().enumerate() {
                let colour = colour_of(input, &a.label);
                shadows.push(format!("inset 0 -{}px 0 {}", 2 * (i + 1), colour));
            }
            let fill = covering
                .iter()
                .min_by_key(|a| a.anchor.position.len())
                .map(|a| colour_of(input, &a.label))
                .unwrap_or_default();
            let _ = write!(
                out,
                "<mark class=\"{}\" style=\"background-color: {fill}40; box-shadow: {}\">{text}</mark>",
                classes.join(" "),
                shadows.join(", ")
            );
        }
        let marks: Vec<String> = covering
            .iter()
            .filter(|a| a.anchor.position.end == end)
            .filter_map(|a| number_of(a))
            .map(|n| format!("<a href=\"#n{n}\" id=\"r{n}\">{n}</a>"))
            .collect();
        if !marks.is_empty() {
            let _ = write!(out, "<sup>{}</sup>", marks.join(","));
        }
    }
}

fn write_note(out: &mut String, input: &ExportInput<'_>, a: &Annotation, number: Option<usize>) {
    let label = input.set.labels.name_of(&a.label);
    match number {
        Some(n) => {
            let _ = write!(
                out,
                "<li id=\"n{n}\"><span class=\"swatch {}\"></span><strong>{}</strong> <a href=\"#r{n}\">↑</a>",
                label_class(&a.label),
                escape(label)
            );
        }
        None => {
            let _ = write!(
                out,
                "<li><span class=\"swatch {}\"></span><strong>{}</strong> ({})",
                label_class(&a.label),
                escape(label),
                status_word(a)
            );
        }
    }
    let _ = write!(
        out,
        "<blockquote>{}</blockquote>",
        escape(&a.anchor.quote.exact).replace('\n', "<br>")
    );
    if !a.note.trim().is_empty() {
        let _ = write!(
            out,
            "<p class=\"note\">{}</p>",
            escape(a.note.trim_end()).replace('\n', "<br>")
        );
    }
    out.push_str("</li>\n");
}

fn colour_of(input: &ExportInput<'_>, id: &LabelId) -> String {
    input
        .set
        .labels
        .get(id)
        .map_or(Rgb([0x88, 0x88, 0x88]), |l| l.colour)
        .to_hex()
}

/// A CSS class for a label id: `l-` and the id with anything but ASCII letters, digits and
/// `-` replaced by `_` (ids come from files and must not break out of the attribute).
fn label_class(id: &LabelId) -> String {
    let safe: String =
        id.0.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
    format!("l-{safe}")
}

/// Escapes text for HTML element content and double- or single-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 10);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
body { margin: 0; background: #fbfaf7; color: #191919; font: 17px/1.6 Georgia, 'Noto Serif', serif; }
main { max-width: 42em; margin: 0 auto; padding: 2em 1.2em 4em; }
header { border-bottom: 1px solid #ccc; margin-bottom: 1.5em; }
.credits { font-size: 0.95em; color: #555; margin: 0.2em 0; }
.meta { font-size: 0.85em; color: #666; margin: 0.2em 0; }
.legend { list-style: none; padding: 0; display: flex; gap: 1.2em; flex-wrap: wrap; font-size: 0.9em; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px; margin-right: 0.35em; background: var(--c); vertical-align: baseline; }
h1 { font-size: 1.6em; line-height: 1.25; }
blockquote { border-left: 3px solid #bbb; margin: 0.5em 0; padding-left: 1em; color: #333; }
pre { background: #f0eee8; padding: 0.6em; white-space: pre-wrap; }
mark { color: inherit; padding: 0 0 3px; border-radius: 2px; }
sup a { text-decoration: none; font-size: 0.75em; }
.notes { border-top: 1px solid #ccc; margin-top: 2em; font-size: 0.92em; }
.notes blockquote { margin: 0.3em 0; }
.note { white-space: normal; margin: 0.2em 0 0.8em; }
li.depth2 { margin-left: 1.5em; } li.depth3 { margin-left: 3em; } li.depth4 { margin-left: 4.5em; }
@media (prefers-color-scheme: dark) {
  body { background: #181818; color: #e1e1e1; }
  blockquote { color: #ccc; } pre { background: #222; }
}
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_attributes_and_content() {
        assert_eq!(
            escape("\"><img src=x onerror='alert(1)'>&"),
            "&quot;&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt;&amp;"
        );
        assert_eq!(
            label_class(&LabelId::new("a\" onclick=\"x")),
            "l-a__onclick__x"
        );
    }

    /// A paragraph cut into pieces (see `Paragraph::cut_before`) is exported as the one
    /// paragraph it is, and counted as one in notes.
    #[test]
    fn the_pieces_of_a_long_paragraph_make_one_paragraph() {
        use crate::model::{Anchor, Annotation, AnnotationSet, Article, LabelId, Timestamp};
        let long = crate::model::article::tests::sentences(300);
        let article = Article::from_plain_text(&format!("Title\n\n{long}\n\nThe end."), "t");
        assert!(article.paragraphs.iter().filter(|p| p.cut_before).count() >= 2);
        let mut set = AnnotationSet::new(&article, String::new());
        let last = &article.paragraphs[article.paragraphs.len() - 1];
        set.insert(Annotation::new(
            LabelId::new("claim"),
            Anchor::new(&article, last.chars.clone()).unwrap(),
            Timestamp::UNIX_EPOCH,
        ));
        let input = ExportInput {
            article: &article,
            set: &set,
            article_source: "t.txt",
            exported: Timestamp::UNIX_EPOCH,
        };
        let html = page(&input);
        assert!(
            html.contains(&format!("<p>{long}</p>")),
            "one paragraph, whole"
        );
        assert_eq!(html.matches("<p").count(), html.matches("</p>").count());
        assert_eq!(
            crate::export::paragraph_number(&article, last.chars.start),
            3,
            "the title, the long paragraph, the last"
        );
        assert_eq!(
            crate::export::paragraph_number(&article, article.char_len() + 1),
            3,
            "past the end: the last"
        );
    }
}
