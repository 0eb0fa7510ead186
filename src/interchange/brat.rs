//! brat standoff format: a `.txt` file with the text and a `.ann` file of annotations that
//! point into it by offset.
//!
//! ```text
//! T5→Denial 289 305→completely false
//! #1→AnnotatorNotes T5→Their word:\n“completely false”.
//! T1→Denial 48 69;71 92→‘False and Malicious’ Alibaba Group Holding
//! R1→denies Arg1:T5 Arg2:T6
//! ```
//! (`→` is a tab.)
//!
//! Conventions (brat has no escapes and no ids of its own; these choices are reversible):
//! * **Offsets** are Unicode code points of the `.txt`, end exclusive — what brat's server
//!   (Python 3 string indices) counts. The `.txt` is exactly the article's normalised text
//!   (`\n` line ends), so Claimlens' positions are written unchanged.
//! * **A span across line breaks** becomes discontinuous fragments (`start end;start end`),
//!   split at every `\n`, with the white space next to a line break left out — as brat itself
//!   does, because the text field of a `T` line cannot hold a line break. The text field is the
//!   fragments' texts joined by one space (brat's `DISCONT_SEP`). On import the fragments'
//!   outer bounds are the span again, so a Claimlens selection (never starting or ending with
//!   white space) comes back exactly.
//! * **Label names** become brat types: a space is written `_`; any character that is not a
//!   letter, a digit, `-` or `.` (an `_` included) is percent-encoded as UTF-8 (`_` → `%5F`).
//!   So `Hot take` → `Hot_take`, `Key_fact` → `Key%5Ffact`, and back. [`brat_visual_conf`]
//!   gives brat the real names to show. A foreign `Protein_complex` imports as the label
//!   `Protein complex`.
//! * **Notes** are `AnnotatorNotes` lines, escaped: `\` → `\\`, line feed → `\n`, carriage
//!   return → `\r`, tab → `\t`. Import undoes exactly these (another backslash stays as it is).
//! * **Relations** (reserved in the model) are `R` lines, `Arg1` the source, `Arg2` the target.
//! * **Not exported** (listed in [`BratExport::left_out`]): annotations waiting for review
//!   (their anchor is in an older text, so their offsets would be wrong here), and any whose
//!   position no longer holds its quote in this article.
//! * **Ids and times** are not kept: brat has no place for them. An imported annotation gets a
//!   fresh id and the import time; spans, labels, notes and relations come back.
//!
//! Import reads `T` lines, `AnnotatorNotes` and `R` lines. Events, attributes,
//! normalisations, equivalences and other comments are reported as skipped with their line
//! number, as is any line that cannot be parsed. A `T` line whose text does not match the
//! `.txt` at its offsets (another offset convention, an edited text) is not trusted: its text
//! is anchored like any imported quote, and goes to review unless found confidently.

use std::fmt::Write as _;

use super::{
    HintKind, ImportReport, ImportedItem, InterchangeError, LabelResolver, Outcome, Pending,
    anchor_all, label_name,
};
use crate::model::{
    Anchor, AnchorCheck, Annotation, AnnotationId, AnnotationSet, Article, LabelSet, Relation,
    ReviewStatus, TextPosition, TextQuote, Timestamp,
};

/// What [`to_brat`] produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BratExport {
    /// The article's text: the `.txt` file.
    pub txt: String,
    /// The `.ann` file.
    pub ann: String,
    /// Annotations and relations that could not be written, and why.
    pub left_out: Vec<(AnnotationId, String)>,
}

/// The set as brat standoff files. See the module docs for the conventions.
pub fn to_brat(article: &Article, set: &AnnotationSet) -> BratExport {
    let mut ann = String::new();
    let mut left_out = Vec::new();
    let mut t_ids: Vec<(AnnotationId, usize)> = Vec::new();
    let mut note_count = 0;
    for a in &set.annotations {
        if a.review.is_some() {
            left_out.push((
                a.id,
                "waits for review: its anchor is in an older text".to_owned(),
            ));
            continue;
        }
        if a.anchor.check(article) == AnchorCheck::Mismatch {
            left_out.push((
                a.id,
                "its position does not hold its quote in this article".to_owned(),
            ));
            continue;
        }
        let fragments = fragments(article, a.anchor.position.range());
        if fragments.is_empty() {
            left_out.push((a.id, "the span holds only line breaks".to_owned()));
            continue;
        }
        let t = t_ids.len() + 1;
        t_ids.push((a.id, t));
        let offsets: Vec<String> = fragments
            .iter()
            .map(|r| format!("{} {}", r.start, r.end))
            .collect();
        let texts: Vec<&str> = fragments.iter().map(|r| article.slice(r.clone())).collect();
        let _ = writeln!(
            ann,
            "T{t}\t{} {}\t{}",
            brat_type(&type_name(set, &a.label)),
            offsets.join(";"),
            texts.join(" ")
        );
        if !a.note.is_empty() {
            note_count += 1;
            let _ = writeln!(
                ann,
                "#{note_count}\tAnnotatorNotes T{t}\t{}",
                escape_note(&a.note)
            );
        }
    }
    let t_of = |id: AnnotationId| t_ids.iter().find(|(a, _)| *a == id).map(|(_, t)| *t);
    let mut r_count = 0;
    for r in &set.relations {
        match (t_of(r.from), t_of(r.to)) {
            (Some(from), Some(to)) => {
                r_count += 1;
                let _ = writeln!(
                    ann,
                    "R{r_count}\t{} Arg1:T{from} Arg2:T{to}",
                    brat_type(set.labels.relation_name_of(&r.kind))
                );
            }
            _ => left_out.push((
                AnnotationId(r.id.0),
                "relation between annotations that are not exported".to_owned(),
            )),
        }
    }
    BratExport {
        txt: article.text.clone(),
        ann,
        left_out,
    }
}

fn non_empty<'a>(s: &'a str, fallback: &'a str) -> &'a str {
    if s.trim().is_empty() { fallback } else { s }
}

fn type_name(set: &AnnotationSet, label: &crate::model::LabelId) -> String {
    let name = label_name(&set.labels, label);
    non_empty(&name, non_empty(&label.0, "Label")).to_owned()
}

/// brat's `annotation.conf` for the set: its labels as entity types, its relation kinds as
/// relations between any entities.
pub fn brat_annotation_conf(set: &AnnotationSet) -> String {
    let mut out = String::from("[entities]\n");
    for name in entity_types(set) {
        let _ = writeln!(out, "{}", brat_type(&name));
    }
    out.push_str("\n[relations]\n");
    let mut kinds: Vec<&str> = set
        .relations
        .iter()
        .map(|r| set.labels.relation_name_of(&r.kind))
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    for kind in kinds {
        let _ = writeln!(out, "{}\tArg1:<ENTITY>, Arg2:<ENTITY>", brat_type(kind));
    }
    out.push_str("\n[events]\n\n[attributes]\n");
    out
}

/// brat's `visual.conf` for the set: each type's real name (with spaces) and colour.
pub fn brat_visual_conf(set: &AnnotationSet) -> String {
    let mut labels = String::from("[labels]\n");
    let mut drawing = String::from("\n[drawing]\n");
    for name in entity_types(set) {
        let t = brat_type(&name);
        let shown = name.replace(['|', '\t', '\n', '\r'], " ");
        let _ = writeln!(labels, "{t} | {shown}");
        if let Some(label) = set.labels.labels.iter().find(|l| l.name == name) {
            let _ = writeln!(drawing, "{t}\tbgColor:{}", label.colour.to_hex());
        }
    }
    labels + &drawing
}

/// Label names in label order, then names of labels the set uses but does not define.
fn entity_types(set: &AnnotationSet) -> Vec<String> {
    let mut names: Vec<String> = set
        .labels
        .labels
        .iter()
        .map(|l| type_name(set, &l.id))
        .collect();
    for a in &set.annotations {
        let name = type_name(set, &a.label);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// The fragments brat writes for `range`: split at each `\n`, white space next to a line break
/// left out, empty pieces dropped. The outer ends stay where they are.
fn fragments(article: &Article, range: std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
    let chars: Vec<char> = article.slice(range.clone()).chars().collect();
    let mut out = Vec::new();
    let mut seg_start = 0;
    for i in 0..=chars.len() {
        if i < chars.len() && chars[i] != '\n' {
            continue;
        }
        let (mut s, mut e) = (seg_start, i);
        if s > 0 {
            while s < e && chars[s].is_whitespace() {
                s += 1;
            }
        }
        if i < chars.len() {
            while e > s && chars[e - 1].is_whitespace() {
                e -= 1;
            }
        }
        if s < e {
            out.push(range.start + s..range.start + e);
        }
        seg_start = i + 1;
    }
    out
}

/// A label name as a brat type: see the module docs. Example: `"Hot take"` → `"Hot_take"`.
pub fn brat_type(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            ' ' => out.push('_'),
            c if c.is_alphanumeric() || c == '-' || c == '.' => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
        }
    }
    out
}

/// A brat type as a label name: `_` → space, `%XX` decoded. Inverse of [`brat_type`].
pub fn label_from_brat_type(brat: &str) -> String {
    let bytes = brat.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'_' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A note on one line: `\` → `\\`, LF → `\n`, CR → `\r`, tab → `\t`.
pub fn escape_note(note: &str) -> String {
    let mut out = String::with_capacity(note.len());
    for c in note.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

/// Inverse of [`escape_note`]; a backslash before anything else is kept as it is.
pub fn unescape_note(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            _ => {
                out.push('\\');
                continue;
            }
        }
        chars.next();
    }
    out
}

/// What [`from_brat`] produces: the article made from the `.txt`, the set, the report.
#[derive(Clone, Debug)]
pub struct BratImport {
    pub article: Article,
    pub set: AnnotationSet,
    pub report: ImportReport,
}

/// A parsed `T` line.
struct TextBound {
    line: usize,
    t_id: String,
    brat_type: String,
    fragments: Vec<(usize, usize)>,
    text: Option<String>,
}

/// Imports a brat `.txt`/`.ann` pair. The article is made from `txt` (line endings
/// normalised, as brat itself reads it); labels are matched to `labels` and added if missing.
///
/// Errors only if the `.ann` has lines but not one of them is brat; a line that cannot be used
/// is reported as skipped with its number.
pub fn from_brat(txt: &str, ann: &str, labels: &LabelSet) -> Result<BratImport, InterchangeError> {
    let article = Article::from_plain_text(txt, "");
    let len = article.char_len();
    let mut report = ImportReport::default();
    let mut items: Vec<ImportedItem> = Vec::new();
    let mut bounds: Vec<TextBound> = Vec::new();
    let mut notes: Vec<(usize, String, String)> = Vec::new();
    let mut relations: Vec<(usize, String, String, String, String)> = Vec::new();
    let mut non_empty_lines = 0;
    let mut brat_lines = 0;
    let skip = |items: &mut Vec<ImportedItem>, line: usize, id: Option<&str>, reason: String| {
        items.push(ImportedItem {
            index: line,
            source_id: id.map(str::to_owned),
            position_hint: None,
            outcome: Outcome::Skipped(InterchangeError::BratLine { line, reason }),
        });
    };

    for (i, raw) in ann.split('\n').enumerate() {
        let line = i + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() {
            continue;
        }
        non_empty_lines += 1;
        let Some((id, rest)) = raw.split_once('\t') else {
            skip(&mut items, line, None, "no tab after the id".to_owned());
            continue;
        };
        let (data, tail) = match rest.split_once('\t') {
            Some((data, tail)) => (data, Some(tail)),
            None => (rest, None),
        };
        let kind = id.chars().next().unwrap_or(' ');
        let known = matches!(kind, 'T' | 'R' | '#' | 'E' | 'A' | 'M' | 'N' | '*');
        if known {
            brat_lines += 1;
        }
        match kind {
            'T' => match parse_fragments(data, len) {
                Ok((brat_type, fragments)) => {
                    if bounds.iter().any(|b| b.t_id == id) {
                        skip(&mut items, line, Some(id), format!("{id} is defined twice"));
                    } else {
                        bounds.push(TextBound {
                            line,
                            t_id: id.to_owned(),
                            brat_type,
                            fragments,
                            text: tail.map(str::to_owned),
                        });
                    }
                }
                Err(reason) => skip(&mut items, line, Some(id), format!("{id}: {reason}")),
            },
            '#' => {
                let mut parts = data.split_whitespace();
                match (parts.next(), parts.next(), parts.next()) {
                    (Some("AnnotatorNotes"), Some(target), None) => {
                        notes.push((line, target.to_owned(), unescape_note(tail.unwrap_or(""))));
                    }
                    (Some(other), _, _) => skip(
                        &mut items,
                        line,
                        Some(id),
                        format!("comments of type {other} are not imported"),
                    ),
                    _ => skip(&mut items, line, Some(id), "an empty comment".to_owned()),
                }
            }
            'R' => {
                let mut parts = data.split_whitespace();
                let kind = parts.next().unwrap_or("");
                let args: Vec<&str> = parts.collect();
                let arg = |name: &str| {
                    args.iter()
                        .find_map(|a| a.strip_prefix(name)?.strip_prefix(':'))
                        .map(str::to_owned)
                };
                match (args.len(), arg("Arg1"), arg("Arg2")) {
                    (2, Some(from), Some(to)) if !kind.is_empty() => {
                        relations.push((line, id.to_owned(), label_from_brat_type(kind), from, to))
                    }
                    _ => skip(
                        &mut items,
                        line,
                        Some(id),
                        format!("{id}: a relation needs a type, Arg1:… and Arg2:…"),
                    ),
                }
            }
            'E' | 'A' | 'M' | 'N' | '*' => {
                let what = match kind {
                    'E' => "events",
                    'A' | 'M' => "attributes",
                    'N' => "normalisations",
                    _ => "equivalences",
                };
                skip(
                    &mut items,
                    line,
                    Some(id),
                    format!("{what} ({id}) are not imported"),
                );
            }
            _ => skip(
                &mut items,
                line,
                Some(id),
                format!(
                    "unknown annotation id {id:?} (brat ids start with T, R, E, A, M, N, # or *)"
                ),
            ),
        }
    }
    if non_empty_lines > 0 && brat_lines == 0 {
        return Err(InterchangeError::NotBrat {
            lines: non_empty_lines,
        });
    }

    // Anchors: exact where the text field agrees with the .txt, else through the anchoring code.
    let mut pending = Vec::new();
    let mut exact: Vec<Option<Anchor>> = Vec::new();
    for b in &bounds {
        let start = b.fragments.iter().map(|f| f.0).min().unwrap_or(0);
        let end = b.fragments.iter().map(|f| f.1).max().unwrap_or(0);
        let hull = TextPosition { start, end };
        let mut sorted = b.fragments.clone();
        sorted.sort_unstable();
        let expected: Vec<&str> = b
            .fragments
            .iter()
            .map(|&(s, e)| article.slice(s..e))
            .collect();
        let expected = expected.join(" ");
        if sorted
            .windows(2)
            .any(|w| !article.slice(w[0].1..w[1].0).trim().is_empty())
        {
            report.warnings.push(format!(
                "line {} ({}): the discontinuous span {} is imported as one span {start}..{end}, \
                 the text between its fragments included",
                b.line,
                b.t_id,
                fragments_text(&b.fragments)
            ));
        }
        match &b.text {
            Some(text) if *text != expected && !text.is_empty() => {
                report.warnings.push(format!(
                    "line {} ({}): its text does not match the .txt at {}; it was searched for",
                    b.line,
                    b.t_id,
                    fragments_text(&b.fragments)
                ));
                exact.push(None);
                pending.push(Pending {
                    anchor: Anchor {
                        position: hull,
                        quote: TextQuote {
                            exact: text.clone(),
                            prefix: String::new(),
                            suffix: String::new(),
                        },
                    },
                    kind: HintKind::OtherText,
                    has_quote: true,
                });
            }
            _ => exact.push(Some(Anchor::at_position(&article, hull))),
        }
    }
    let mut anchored = anchor_all(&pending, &article).into_iter();

    let now = Timestamp::now();
    let mut resolver = LabelResolver::new(labels);
    let mut set = AnnotationSet::new(&article, String::new());
    let mut ids: Vec<(String, AnnotationId)> = Vec::new();
    for (b, exact) in bounds.iter().zip(exact) {
        let (anchor, review) = match exact {
            Some(anchor) => (anchor, None),
            None => match anchored.next() {
                Some(a) => (a.anchor, a.review),
                None => continue,
            },
        };
        let name = label_from_brat_type(&b.brat_type);
        let label = resolver
            .by_name(&b.brat_type)
            .unwrap_or_else(|| resolver.resolve_or_add(&name, None, None));
        let id = AnnotationId::random();
        ids.push((b.t_id.clone(), id));
        let note: Vec<&str> = notes
            .iter()
            .filter(|(_, target, _)| *target == b.t_id)
            .map(|(_, _, n)| n.as_str())
            .collect();
        let outcome = match review.as_ref().map(|r| r.status) {
            None => Outcome::Placed(id),
            Some(ReviewStatus::Moved) => Outcome::ToReview(id),
            Some(ReviewStatus::Orphaned) => Outcome::NotFound(id),
        };
        items.push(ImportedItem {
            index: b.line,
            source_id: Some(b.t_id.clone()),
            position_hint: Some(anchor.position),
            outcome,
        });
        set.insert(Annotation {
            id,
            label,
            anchor,
            note: note.join("\n"),
            created: now,
            modified: now,
            review,
            attributes: Default::default(),
            tags: Vec::new(),
        });
    }
    for (line, target, _) in &notes {
        if !ids.iter().any(|(t, _)| t == target) {
            items.push(ImportedItem {
                index: *line,
                source_id: None,
                position_hint: None,
                outcome: Outcome::Skipped(InterchangeError::BratLine {
                    line: *line,
                    reason: format!("a note on {target}, which is not an imported text span"),
                }),
            });
        }
    }
    for (line, r_id, kind, from, to) in relations {
        let find = |t: &str| ids.iter().find(|(x, _)| x == t).map(|(_, id)| *id);
        let outcome = match (find(&from), find(&to)) {
            (Some(from), Some(to)) => {
                let kind = set.labels.relation_type_named(&label_from_brat_type(&kind));
                set.relations.push(Relation {
                    id: crate::model::RelationId::random(),
                    kind,
                    from,
                    to,
                });
                Outcome::Relation
            }
            _ => Outcome::Skipped(InterchangeError::BratLine {
                line,
                reason: format!("{r_id}: relates {from} and {to}, not both imported text spans"),
            }),
        };
        items.push(ImportedItem {
            index: line,
            source_id: Some(r_id),
            position_hint: None,
            outcome,
        });
    }
    items.sort_by_key(|i| i.index);
    report.items = items;
    set.labels = resolver.labels;
    report.added_labels = resolver.added;
    Ok(BratImport {
        article,
        set,
        report,
    })
}

fn fragments_text(fragments: &[(usize, usize)]) -> String {
    fragments
        .iter()
        .map(|(s, e)| format!("{s} {e}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// `Type 10 25;30 35` → the type and the fragments, checked against the text length.
fn parse_fragments(data: &str, len: usize) -> Result<(String, Vec<(usize, usize)>), String> {
    let (brat_type, offsets) = data
        .split_once(' ')
        .ok_or_else(|| format!("expected \"Type start end\", found {data:?}"))?;
    if brat_type.is_empty() {
        return Err("no type".to_owned());
    }
    let mut fragments = Vec::new();
    for fragment in offsets.split(';') {
        let mut numbers = fragment.split_whitespace();
        let (Some(s), Some(e), None) = (numbers.next(), numbers.next(), numbers.next()) else {
            return Err(format!(
                "expected offsets \"start end\", found {fragment:?}"
            ));
        };
        let parse = |n: &str| {
            n.parse::<usize>()
                .map_err(|_| format!("offset {n:?} is not a whole number ≥ 0"))
        };
        let (s, e) = (parse(s)?, parse(e)?);
        if s > e {
            return Err(format!("fragment {s} {e} ends before it starts"));
        }
        if e > len {
            return Err(format!(
                "offset {e} is past the end of the text ({len} code points)"
            ));
        }
        fragments.push((s, e));
    }
    if fragments.iter().all(|(s, e)| s == e) {
        return Err("an empty span".to_owned());
    }
    Ok((brat_type.to_owned(), fragments))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_round_trip() {
        for name in [
            "Claim",
            "Hot take",
            "Key_fact",
            "100% sure",
            "a  b",
            "Ünï code",
            "x|y\tz",
            "_",
            "",
        ] {
            let t = brat_type(name);
            assert!(!t.contains(char::is_whitespace), "{t:?}");
            assert_eq!(label_from_brat_type(&t), name, "via {t:?}");
        }
        assert_eq!(brat_type("Hot take"), "Hot_take");
        assert_eq!(brat_type("Key_fact"), "Key%5Ffact");
        assert_eq!(label_from_brat_type("Protein_complex"), "Protein complex");
        assert_eq!(label_from_brat_type("50%"), "50%");
        assert_eq!(label_from_brat_type("%zz%4"), "%zz%4");
    }

    #[test]
    fn notes_round_trip() {
        for note in [
            "plain",
            "two\nlines",
            "tab\there",
            "back\\slash \\n literal",
            "cr\r\nlf",
            "\\",
            "end\\",
        ] {
            let line = escape_note(note);
            assert!(!line.contains(['\n', '\r', '\t']), "{line:?}");
            assert_eq!(unescape_note(&line), note);
        }
        assert_eq!(escape_note("a\nb\\c"), "a\\nb\\\\c");
        assert_eq!(unescape_note("C:\\x"), "C:\\x");
    }

    #[test]
    fn fragments_split_at_line_breaks() {
        let a = Article::from_plain_text("Head\n\nOne two  \n  three\nfour", "t");
        // "two  \n  three\nfour" = 10..28
        let f = fragments(&a, 10..28);
        let texts: Vec<&str> = f.iter().map(|r| a.slice(r.clone())).collect();
        assert_eq!(texts, ["two", "three", "four"]);
        assert_eq!(f.first().unwrap().start, 10);
        assert_eq!(f.last().unwrap().end, 28);
        let across = fragments(&a, 0..9);
        let texts: Vec<&str> = across.iter().map(|r| a.slice(r.clone())).collect();
        assert_eq!(texts, ["Head", "One"]);
        assert!(fragments(&a, 4..6).is_empty());
    }

    #[test]
    fn fragment_parsing_errors() {
        assert_eq!(
            parse_fragments("Claim 1 3;5 9", 10).unwrap().1,
            [(1, 3), (5, 9)]
        );
        for (data, expected) in [
            ("Claim", "expected \"Type start end\""),
            ("Claim 1", "expected offsets"),
            ("Claim 1 2 3", "expected offsets"),
            ("Claim -1 3", "not a whole number"),
            ("Claim 99999999999999999999999 3", "not a whole number"),
            ("Claim 5 3", "ends before it starts"),
            ("Claim 5 11", "past the end of the text (10 code points)"),
            ("Claim 1 3;", "expected offsets"),
            ("Claim 4 4", "an empty span"),
        ] {
            let err = parse_fragments(data, 10).unwrap_err();
            assert!(err.contains(expected), "{data}: {err}");
        }
    }
}
