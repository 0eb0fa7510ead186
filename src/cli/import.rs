//! `claimlens import`: W3C Web Annotation JSON-LD, a Hypothesis export or brat standoff →
//! a Claimlens set, anchored in the article with the normal anchoring code.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::{Args, ValueEnum};

use super::{ArticleSource, refuse_same_file};
use crate::app::{SAMPLE_REF, read_article_guarded, sample_article};
use crate::interchange;
use crate::model::{AnnotationSet, LabelSet};
use crate::store;

/// Where imported annotations come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImportFrom {
    /// W3C Web Annotation JSON(-LD): an annotation, an array, a page or a collection.
    W3c,
    /// Hypothesis' "Export annotations" JSON (or an array of API annotations).
    Hypothesis,
    /// brat standoff: FILE is the .ann; ARTICLE should be its .txt.
    Brat,
}

/// Import annotations made elsewhere into a Claimlens set for ARTICLE.
///
/// Every annotation is anchored in ARTICLE with the same code that re-anchors sets: placed
/// where its quote and context are found confidently, otherwise kept in the set waiting for
/// review (moved or not found) — never silently placed on other text. Positions are code
/// points (Hypothesis' UTF-16 offsets are converted). Labels are matched by name; unknown ones
/// are added. Prints what happened to each annotation that was not placed plainly, and a
/// summary.
///
/// Exit status: 0 if every annotation was placed, 1 if some wait for review or were skipped,
/// 2 on an error (nothing is written).
#[derive(Args, Debug, Clone, PartialEq, Eq)]
#[command(
    after_help = "Examples:\n  claimlens import --from hypothesis hypothesis-export.json story.html -o story.html.claimlens.ron\n  claimlens import --from w3c annotations.jsonld story.txt -o story.txt.claimlens.ron\n  claimlens import --from brat story.ann story.txt -o story.txt.claimlens.ron"
)]
pub struct ImportArgs {
    /// The format of FILE.
    #[arg(long, value_enum)]
    pub from: ImportFrom,
    /// The annotations to import (only read).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The article they annotate (any format Claimlens opens; `claimlens:sample` for the sample).
    #[arg(value_name = "ARTICLE")]
    pub article: PathBuf,
    /// Where to write the new set (must not exist, unless --force).
    #[arg(short = 'o', long = "output", value_name = "SET.ron")]
    pub output: PathBuf,
    /// Overwrite OUT if it exists.
    #[arg(long)]
    pub force: bool,
    /// The analyst the set belongs to.
    #[arg(long)]
    pub analyst: Option<String>,
}

pub(super) fn import_command(args: &ImportArgs, out: &mut dyn Write) -> anyhow::Result<bool> {
    refuse_same_file(&args.file, &args.output)?;
    refuse_same_file(&args.article, &args.output)?;
    if args.output.exists() && !args.force {
        bail!(
            "{} exists; choose another file or pass --force to replace it",
            args.output.display()
        );
    }
    let (article, source) = if args.article == std::path::Path::new(SAMPLE_REF) {
        (sample_article(), ArticleSource::Sample)
    } else {
        let article = read_article_guarded(&args.article, super::ARTICLE_TIMEOUT)?;
        (article, ArticleSource::File(args.article.clone()))
    };
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("could not read {}", args.file.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let labels = LabelSet::default();
    let context = || format!("could not import {}", args.file.display());
    let (mut set, report) = match args.from {
        ImportFrom::W3c => {
            interchange::w3c::from_w3c(&text, &article, &labels).with_context(context)?
        }
        ImportFrom::Hypothesis => {
            interchange::hypothesis::from_hypothesis(&text, &article, &labels)
                .with_context(context)?
        }
        ImportFrom::Brat => {
            let imported = interchange::brat::from_brat(&article.text, &text, &labels)
                .with_context(context)?;
            (imported.set, imported.report)
        }
    };
    set.article.path = super::article_reference(&source, &args.output)?;
    set.article.title = article.title.clone();
    if let Some(analyst) = &args.analyst {
        set.analyst = analyst.trim().to_owned();
    }
    set.sort();
    store::save_set(&set, &args.output)?;
    write_report(out, args, &set, &report)?;
    Ok(report.to_review() + report.not_found() + report.skipped().len() == 0)
}

fn write_report(
    out: &mut dyn Write,
    args: &ImportArgs,
    set: &AnnotationSet,
    report: &interchange::ImportReport,
) -> std::io::Result<()> {
    for item in &report.items {
        let (what, id) = match &item.outcome {
            interchange::Outcome::ToReview(id) => ("moved (review)", id),
            interchange::Outcome::NotFound(id) => ("not found (review)", id),
            _ => continue,
        };
        let quote = set.get(*id).map_or("", |a| a.anchor.quote.exact.as_str());
        writeln!(
            out,
            "{what}: annotation {} ({}): {}",
            item.index,
            item.source_id.as_deref().unwrap_or("no id"),
            super::quoted(quote)
        )?;
    }
    writeln!(
        out,
        "{}: {} annotations from {}: {report}",
        args.output.display(),
        set.annotations.len(),
        args.file.display()
    )
}
