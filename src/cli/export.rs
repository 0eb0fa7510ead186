//! `claimlens export`: an article and its set → a Markdown brief, HTML, CSV, W3C JSON-LD or
//! brat standoff.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::Args;

use super::{ArticleSource, article_for_set, placed_set};
use crate::export::{ExportFormat, ExportInput, export};
use crate::model::Timestamp;
use crate::store;

/// Export an annotation set with its article: a Markdown brief, an HTML page with highlights
/// and footnotes, a CSV table, W3C Web Annotation JSON-LD or brat standoff.
///
/// If the article changed since the set was made, the set is re-anchored first (in memory;
/// SET.ron is never changed): annotations placed confidently are exported at their new place,
/// the others under "awaiting review" with their old quote. A note on stderr says so.
///
/// Without -o the export goes to standard output (brat needs -o: it writes OUT.txt, OUT.ann
/// and annotation.conf beside them).
///
/// Exit status: 0 on success, 2 on an error (the message names the file).
#[derive(Args, Debug, Clone, PartialEq, Eq)]
#[command(
    after_help = "Examples:\n  claimlens export --format md story.txt story.txt.claimlens.ron -o brief.md\n  claimlens export --format html story.txt story.txt.claimlens.ron -o story.html\n  claimlens export --format brat story.txt story.txt.claimlens.ron -o corpus/story.ann\n  claimlens export --format csv claimlens:sample sample.claimlens.ron > sample.csv"
)]
pub struct ExportArgs {
    /// The format to write.
    #[arg(long, short = 'f', value_enum)]
    pub format: ExportFormat,
    /// The article (any format Claimlens opens; `claimlens:sample` for the bundled sample).
    #[arg(value_name = "ARTICLE")]
    pub article: PathBuf,
    /// The annotation set (only read).
    #[arg(value_name = "SET.ron")]
    pub set: PathBuf,
    /// Write to this file instead of standard output (for brat: OUT.ann and OUT.txt).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
}

pub(super) fn export_command(
    args: &ExportArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let set = store::load_set(&args.set)?;
    let (article, source) = article_for_set(&set, &args.set, Some(&args.article))?;
    let (set, summary) = placed_set(&set, &article)?;
    if let Some(summary) = summary
        && summary.needs_review()
    {
        let _ = writeln!(
            err,
            "claimlens export: note: {} was made against another version of the article: {} \
             annotations placed, {} moved and {} not found are exported as awaiting review",
            args.set.display(),
            summary.anchored,
            summary.moved,
            summary.orphaned
        );
    }
    let source_name = match &source {
        ArticleSource::Sample => crate::app::SAMPLE_REF.to_owned(),
        ArticleSource::File(_) => args.article.display().to_string(),
    };
    let input = ExportInput {
        article: &article,
        set: &set,
        article_source: &source_name,
        exported: Timestamp::now(),
    };
    let files = export(&input, args.format)?;
    for why in crate::export::left_out(&input, args.format) {
        let _ = writeln!(err, "claimlens export: note: left out {why}");
    }
    match &args.output {
        None if files.len() > 1 => bail!(
            "{} writes {} files; name them with -o OUT.{}",
            args.format.name(),
            files.len(),
            args.format.extension()
        ),
        None => {
            for file in &files {
                match out.write_all(file.contents.as_bytes()) {
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                    other => other.context("could not write to standard output")?,
                }
            }
        }
        Some(output) => {
            for file in &files {
                let path = crate::export::file_path(output, files.len(), file);
                refuse_inputs(&path, &[&args.set, &args.article])?;
                store::write_atomically(&path, file.contents.as_bytes())
                    .with_context(|| format!("could not write {}", path.display()))?;
            }
        }
    }
    Ok(())
}

/// Never overwrite an input with an export.
fn refuse_inputs(output: &Path, inputs: &[&Path]) -> anyhow::Result<()> {
    for input in inputs {
        if super::is_same_file(input, output) {
            bail!(
                "{} is an input; write the export to another file",
                output.display()
            );
        }
    }
    Ok(())
}
