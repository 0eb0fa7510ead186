//! Article + set → files: a Markdown brief, a self-contained HTML page, CSV, W3C Web
//! Annotation JSON-LD and brat standoff.
//!
//! Plain functions without a window or a disk: the caller (the app, the CLI) writes the
//! returned [`ExportFile`]s. Every exporter includes every annotation and every quote whole;
//! annotations waiting for review after re-anchoring are exported as such (their stored
//! anchor belongs to the older text), never dropped and never shown at a wrong place.

pub mod csv;
pub mod html;
pub mod markdown;

use crate::interchange;
use crate::model::{Annotation, AnnotationSet, Article, Timestamp};

/// What an export needs besides the article and the set.
#[derive(Clone, Copy, Debug)]
pub struct ExportInput<'a> {
    pub article: &'a Article,
    pub set: &'a AnnotationSet,
    /// How the article is named in the output: its path, or `claimlens:sample`.
    pub article_source: &'a str,
    /// When the export was made (fixed in tests, so outputs are reproducible).
    pub exported: Timestamp,
}

impl ExportInput<'_> {
    /// Annotations placed in this article, in reading order (the set's canonical order).
    pub fn placed(&self) -> impl Iterator<Item = &Annotation> {
        self.set
            .annotations
            .iter()
            .filter(|a| a.review.is_none() && a.anchor.position.end <= self.article.char_len())
    }

    /// Annotations that wait for the analyst's review (moved or not found after the article
    /// changed), or whose stored place lies outside this article.
    pub fn unplaced(&self) -> impl Iterator<Item = &Annotation> {
        self.set
            .annotations
            .iter()
            .filter(|a| a.review.is_some() || a.anchor.position.end > self.article.char_len())
    }
}

/// The formats Claimlens exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// A Markdown brief: metadata, summary, annotations grouped by label with notes.
    Md,
    /// The whole article with highlights, notes as footnotes and a legend; one HTML file.
    Html,
    /// One row per annotation.
    Csv,
    /// W3C Web Annotation JSON-LD (an AnnotationCollection).
    W3c,
    /// brat standoff: the text (.txt), the annotations (.ann) and annotation.conf.
    Brat,
}

impl ExportFormat {
    pub const ALL: [Self; 5] = [Self::Md, Self::Html, Self::Csv, Self::W3c, Self::Brat];

    /// Name for menus.
    pub fn name(self) -> &'static str {
        match self {
            Self::Md => "Markdown brief",
            Self::Html => "HTML page",
            Self::Csv => "CSV table",
            Self::W3c => "W3C Web Annotation (JSON-LD)",
            Self::Brat => "brat standoff (.txt + .ann)",
        }
    }

    /// Extension of the main file, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Md => "md",
            Self::Html => "html",
            Self::Csv => "csv",
            Self::W3c => "jsonld",
            Self::Brat => "ann",
        }
    }
}

/// One file of an export. `extension` decides its name next to the others (brat writes
/// `OUT.txt` and `OUT.ann` with the same stem, and `annotation.conf` in the same folder).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportFile {
    pub extension: &'static str,
    pub contents: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("could not write CSV: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("could not write JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Exports `input` in `format`. brat gives three files (`txt`, `ann`, `conf`: brat's
/// `annotation.conf`); the others one. brat leaves out annotations awaiting review (it has no
/// way to say so); [`left_out`] lists them.
pub fn export(
    input: &ExportInput<'_>,
    format: ExportFormat,
) -> Result<Vec<ExportFile>, ExportError> {
    let one = |extension, contents| {
        Ok(vec![ExportFile {
            extension,
            contents,
        }])
    };
    match format {
        ExportFormat::Md => one("md", markdown::brief(input)),
        ExportFormat::Html => one("html", html::page(input)),
        ExportFormat::Csv => one("csv", csv::table(input)?),
        ExportFormat::W3c => one(
            "jsonld",
            interchange::w3c::to_w3c_string(input.article, input.set, input.article_source),
        ),
        ExportFormat::Brat => {
            let brat = interchange::brat::to_brat(input.article, input.set);
            Ok(vec![
                ExportFile {
                    extension: "txt",
                    contents: brat.txt,
                },
                ExportFile {
                    extension: "ann",
                    contents: brat.ann,
                },
                ExportFile {
                    extension: "conf",
                    contents: interchange::brat::brat_annotation_conf(input.set),
                },
            ])
        }
    }
}

/// Annotations an export in `format` cannot hold, with the reason (only brat has any).
pub fn left_out(input: &ExportInput<'_>, format: ExportFormat) -> Vec<String> {
    match format {
        ExportFormat::Brat => interchange::brat::to_brat(input.article, input.set)
            .left_out
            .into_iter()
            .map(|(id, why)| format!("{}: {why}", id.0))
            .collect(),
        _ => Vec::new(),
    }
}

/// The path of one file of an export written to `path`: `path` itself for single-file
/// formats; for brat, `path` with the file's extension, and `annotation.conf` beside it.
pub fn file_path(path: &std::path::Path, files: usize, file: &ExportFile) -> std::path::PathBuf {
    match (files, file.extension) {
        (1, _) => path.to_owned(),
        (_, "conf") => path.with_file_name("annotation.conf"),
        (_, extension) => path.with_extension(extension),
    }
}

/// Where an annotation sits, for people: "paragraph 3" (headline counts as paragraph 1).
pub fn paragraph_number(article: &Article, offset: usize) -> usize {
    match article.paragraph_at_or_after(offset) {
        Some(index) => article.source_paragraph(index) + 1,
        // Past the last paragraph: the last one (the number of the source's paragraphs).
        None => article.source_paragraph(article.paragraphs.len()),
    }
}

/// The review state of an annotation, in words.
pub fn status_word(a: &Annotation) -> &'static str {
    match a.review.as_ref().map(|r| r.status) {
        None => "placed",
        Some(crate::model::ReviewStatus::Moved) => "moved (review)",
        Some(crate::model::ReviewStatus::Orphaned) => "not found (review)",
    }
}
