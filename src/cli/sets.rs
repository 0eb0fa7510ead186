//! `claimlens validate SET.ron...` and `claimlens stats SET.ron...`: checks and counts over
//! many sets, going on past a file that cannot be read and reporting it.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{EXIT_ERROR, article_for_set, error_message};
use crate::model::{AnchorCheck, AnnotationSet, ReviewStatus, Thresholds, reanchor_set};
use crate::store;

/// Check annotation sets: that each parses, that its article is found, that every annotation
/// is anchored in it, and that labels and relations refer to things that exist.
///
/// Prints `ok` or `problems` per set with one indented line per problem, and keeps going past
/// a file that cannot be read.
///
/// Exit status: 0 if every set is sound, 1 if some have problems (annotations that do not fit
/// the article, wait for review, undefined labels, duplicate ids, dangling relations, or an
/// article that cannot be found), 2 if some file could not be read or parsed at all.
#[derive(Args, Debug, Clone, PartialEq, Eq)]
#[command(
    after_help = "Examples:\n  claimlens validate story.txt.claimlens.ron\n  claimlens validate sets/*.ron --json"
)]
pub struct ValidateArgs {
    /// The sets to check (only read).
    #[arg(value_name = "SET.ron", required = true)]
    pub sets: Vec<PathBuf>,
    /// Check against this article instead of the one each set names.
    #[arg(long, value_name = "ARTICLE")]
    pub article: Option<PathBuf>,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Count annotations in sets: per label, per analyst, and in total; notes and pending reviews.
///
/// Keeps going past a file that cannot be read (reported on stderr; exit status 2 at the end).
#[derive(Args, Debug, Clone, PartialEq, Eq)]
#[command(
    after_help = "Examples:\n  claimlens stats sets/*.ron\n  claimlens stats a.ron b.ron --json"
)]
pub struct StatsArgs {
    /// The sets to count (only read).
    #[arg(value_name = "SET.ron", required = true)]
    pub sets: Vec<PathBuf>,
    /// Print the counts as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(serde::Serialize)]
struct Validation {
    set: String,
    /// "ok", "problems" or "error".
    result: &'static str,
    annotations: usize,
    problems: Vec<String>,
}

pub(super) fn validate_command(
    args: &ValidateArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let mut results = Vec::new();
    for path in &args.sets {
        results.push(validate_one(path, args.article.as_deref()));
    }
    let code = results
        .iter()
        .map(|r| match r.result {
            "ok" => 0,
            "problems" => 1,
            _ => EXIT_ERROR,
        })
        .max()
        .unwrap_or(0);
    let written = if args.json {
        serde_json::to_writer_pretty(&mut *out, &results)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        results.iter().try_for_each(|r| {
            writeln!(
                out,
                "{}: {} ({} annotations)",
                r.result, r.set, r.annotations
            )?;
            r.problems.iter().try_for_each(|p| writeln!(out, "  {p}"))
        })
    };
    if let Err(error) = written
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(err, "claimlens validate: error: could not write: {error}");
        return EXIT_ERROR;
    }
    code
}

fn validate_one(path: &Path, article: Option<&Path>) -> Validation {
    let mut v = Validation {
        set: path.display().to_string(),
        result: "ok",
        annotations: 0,
        problems: Vec::new(),
    };
    let set = match store::load_set(path) {
        Ok(set) => set,
        Err(error) => {
            v.result = "error";
            v.problems.push(error.to_string());
            return v;
        }
    };
    v.annotations = set.annotations.len();
    v.problems.extend(structural_problems(&set));
    match article_for_set(&set, path, article) {
        Err(error) => v
            .problems
            .push(format!("article not checked: {}", error_message(&error))),
        Ok((article, _)) => {
            let mismatched: Vec<_> = set
                .annotations
                .iter()
                .filter(|a| a.review.is_none() && a.anchor.check(&article) == AnchorCheck::Mismatch)
                .collect();
            if !mismatched.is_empty() {
                let placements =
                    reanchor_set(&set, &article, &Thresholds::default(), &mut |_, _| {});
                let summary = crate::model::ReanchorSummary::of(&placements);
                v.problems.push(format!(
                    "{} annotations do not fit the article's current text ({}); re-anchoring \
                     would place {}, send {} to review and not find {} (claimlens reanchor)",
                    mismatched.len(),
                    if set.article.content_hash == article.hash {
                        "although its hash is the set's"
                    } else {
                        "it changed since the set was saved"
                    },
                    summary.anchored,
                    summary.moved,
                    summary.orphaned
                ));
            }
        }
    }
    if !v.problems.is_empty() {
        v.result = "problems";
    }
    v
}

/// Problems visible in the set alone: duplicate ids, undefined labels, pending reviews,
/// attribute values their label does not allow, relations to annotations that are not there.
fn structural_problems(set: &AnnotationSet) -> Vec<String> {
    let mut problems = Vec::new();
    for id in set.duplicate_ids() {
        problems.push(format!("annotation id {} occurs more than once", id.0));
    }
    let mut undefined: Vec<&str> = set
        .annotations
        .iter()
        .filter(|a| set.labels.get(&a.label).is_none())
        .map(|a| a.label.0.as_str())
        .collect();
    undefined.sort_unstable();
    undefined.dedup();
    for label in undefined {
        problems.push(format!(
            "label {label:?} is used but not defined in the set"
        ));
    }
    let moved = set
        .pending_review()
        .filter(|a| {
            a.review
                .as_ref()
                .is_some_and(|r| r.status == ReviewStatus::Moved)
        })
        .count();
    let orphaned = set.pending_review().count() - moved;
    if moved + orphaned > 0 {
        problems.push(format!(
            "{moved} moved and {orphaned} not-found annotations wait for review (open the set in Claimlens)"
        ));
    }
    for a in &set.annotations {
        if set.labels.get(&a.label).is_some()
            && let Err(err) = crate::model::check_attributes(&set.labels, &a.label, &a.attributes)
        {
            problems.push(format!("annotation {}: {err}", a.id.0));
        }
    }
    let ids: HashSet<_> = set.annotations.iter().map(|a| a.id).collect();
    for r in &set.relations {
        if !ids.contains(&r.from) || !ids.contains(&r.to) {
            problems.push(format!(
                "relation {} ({}) links an annotation that is not in the set",
                r.id.0, r.kind
            ));
        }
    }
    problems
}

#[derive(serde::Serialize, Default)]
struct Counts {
    sets: usize,
    annotations: usize,
    with_notes: usize,
    awaiting_review: usize,
    /// Label name → count.
    by_label: BTreeMap<String, usize>,
    /// Analyst → label name → count (`(unnamed)` when the set has no analyst).
    by_analyst: BTreeMap<String, BTreeMap<String, usize>>,
}

#[derive(serde::Serialize)]
struct Stats {
    sets: Vec<(String, Counts)>,
    total: Counts,
    unreadable: Vec<String>,
}

pub(super) fn stats_command(args: &StatsArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut stats = Stats {
        sets: Vec::new(),
        total: Counts::default(),
        unreadable: Vec::new(),
    };
    for path in &args.sets {
        match store::load_set(path) {
            Ok(set) => {
                let mut counts = Counts::default();
                add(&mut counts, &set);
                add(&mut stats.total, &set);
                stats.sets.push((path.display().to_string(), counts));
            }
            Err(error) => {
                let _ = writeln!(err, "claimlens stats: error: {error}");
                stats.unreadable.push(path.display().to_string());
            }
        }
    }
    let written = if args.json {
        serde_json::to_writer_pretty(&mut *out, &stats)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        write_stats(out, &stats)
    };
    if let Err(error) = written
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(err, "claimlens stats: error: could not write: {error}");
        return EXIT_ERROR;
    }
    if stats.unreadable.is_empty() {
        0
    } else {
        EXIT_ERROR
    }
}

fn add(counts: &mut Counts, set: &AnnotationSet) {
    counts.sets += 1;
    counts.annotations += set.annotations.len();
    counts.with_notes += set
        .annotations
        .iter()
        .filter(|a| !a.note.trim().is_empty())
        .count();
    counts.awaiting_review += set.pending_review().count();
    let analyst = if set.analyst.trim().is_empty() {
        "(unnamed)".to_owned()
    } else {
        set.analyst.trim().to_owned()
    };
    for a in &set.annotations {
        let name = set.labels.name_of(&a.label).to_owned();
        *counts.by_label.entry(name.clone()).or_default() += 1;
        *counts
            .by_analyst
            .entry(analyst.clone())
            .or_default()
            .entry(name)
            .or_default() += 1;
    }
}

fn write_stats(out: &mut dyn Write, stats: &Stats) -> std::io::Result<()> {
    let line = |out: &mut dyn Write, name: &str, c: &Counts| {
        let labels: Vec<String> = c.by_label.iter().map(|(l, n)| format!("{l} {n}")).collect();
        writeln!(
            out,
            "{name}: {} annotations ({}); {} with notes; {} awaiting review",
            c.annotations,
            if labels.is_empty() {
                "none".to_owned()
            } else {
                labels.join(", ")
            },
            c.with_notes,
            c.awaiting_review
        )
    };
    for (path, counts) in &stats.sets {
        line(out, path, counts)?;
    }
    if stats.sets.len() > 1 {
        line(
            out,
            &format!("total over {} sets", stats.total.sets),
            &stats.total,
        )?;
    }
    writeln!(out, "by analyst:")?;
    for (analyst, labels) in &stats.total.by_analyst {
        let labels: Vec<String> = labels.iter().map(|(l, n)| format!("{l} {n}")).collect();
        writeln!(out, "  {analyst}: {}", labels.join(", "))?;
    }
    if !stats.unreadable.is_empty() {
        writeln!(out, "unreadable: {}", stats.unreadable.join(", "))?;
    }
    Ok(())
}
