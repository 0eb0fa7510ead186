//! The CSV export: one row per annotation, in the set's order, written with the `csv` crate
//! (RFC 4180: fields with commas, quotes or line breaks are quoted, quotes doubled), so notes
//! with any of these open correctly in LibreOffice and Excel.
//!
//! Columns: `id, label, label_name, status, start, end, paragraph, quote, prefix, suffix,
//! note, tags, attributes, relations, created, modified`. `tags` are separated by `; `;
//! `attributes` are `name=value` pairs separated by `; `, named as the label defines them. `start`/`end` are code point offsets into the
//! article's text, end exclusive (for annotations awaiting review: in the text they were made
//! on). `relations` lists `kind:other-id` pairs separated by `; ` (outgoing `→`, incoming `←`).
//!
//! Cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab
//! or a carriage return) are prefixed with `'`, as OWASP recommends against CSV injection;
//! the apostrophe is not shown by spreadsheets.

use super::{ExportError, ExportInput, paragraph_number, status_word};

pub const HEADER: [&str; 16] = [
    "id",
    "label",
    "label_name",
    "status",
    "start",
    "end",
    "paragraph",
    "quote",
    "prefix",
    "suffix",
    "note",
    "tags",
    "attributes",
    "relations",
    "created",
    "modified",
];

/// The table as CSV text (UTF-8, `\n` line ends inside quoted fields, `\r\n` between rows).
pub fn table(input: &ExportInput<'_>) -> Result<String, ExportError> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(HEADER)?;
    for a in &input.set.annotations {
        let relations: Vec<String> = input
            .set
            .relations
            .iter()
            .filter_map(|r| {
                let kind = input.set.labels.relation_name_of(&r.kind);
                if r.from == a.id {
                    Some(format!("{kind}→{}", r.to.0))
                } else if r.to == a.id {
                    Some(format!("{kind}←{}", r.from.0))
                } else {
                    None
                }
            })
            .collect();
        let p = a.anchor.position;
        let paragraph = if a.review.is_none() {
            paragraph_number(input.article, p.start).to_string()
        } else {
            String::new()
        };
        let record = [
            a.id.0.to_string(),
            a.label.0.clone(),
            input.set.labels.name_of(&a.label).to_owned(),
            status_word(a).to_owned(),
            p.start.to_string(),
            p.end.to_string(),
            paragraph,
            a.anchor.quote.exact.clone(),
            a.anchor.quote.prefix.clone(),
            a.anchor.quote.suffix.clone(),
            a.note.clone(),
            a.tags.join("; "),
            attributes_text(input, a),
            relations.join("; "),
            a.created.to_string(),
            a.modified.to_string(),
        ];
        writer.write_record(record.iter().map(|cell| defuse(cell).into_owned()))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ExportError::Csv(e.into_error().into()))?;
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// `Verification=disputed; Confidence=4`: attribute values named as the label defines them.
pub fn attributes_text(input: &ExportInput<'_>, a: &crate::model::Annotation) -> String {
    let label = input.set.labels.get(&a.label);
    a.attributes
        .iter()
        .map(|(id, value)| {
            let name = label
                .and_then(|l| l.attribute(id))
                .map_or(id.as_str(), |d| d.name.as_str());
            format!("{name}={value}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Prefixes a cell that a spreadsheet would evaluate as a formula with `'`.
fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}
