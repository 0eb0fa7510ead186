//! The command line: `claimlens [PATH] [--set SET.ron]` opens the app; the commands run without
//! a window (for scripts and CI): `reanchor` (a set against a new version of its article),
//! `text` (an article as Claimlens reads it), `export` (brief, HTML, CSV, W3C, brat), `import`
//! (W3C, Hypothesis, brat),
//! `validate` and `stats` (over many sets).
//!
//! `main.rs` only parses [`Cli`] and dispatches to [`run_command`], which writes to the streams
//! it is given and returns the exit code, so tests run it without spawning a process.
//!
//! Exit codes of `reanchor`: [`EXIT_ANCHORED`] (0) when every annotation is anchored,
//! [`EXIT_NEEDS_REVIEW`] (1) when some were moved or orphaned, [`EXIT_ERROR`] (2) on any error
//! (the message names the file). Clap's own usage errors exit with 2 as well.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use clap::{Args, Parser, Subcommand};

use crate::app::{SAMPLE_REF, read_article_guarded, sample_article};
use crate::model::{
    AnnotationId, AnnotationSet, Article, History, Method, Placement, ReanchorSummary, Status,
    Thresholds, Timestamp, reanchor_edits, reanchor_set,
};
use crate::store;

/// How long `reanchor` waits for its article to be imported.
pub(crate) const ARTICLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Every annotation is anchored confidently.
pub const EXIT_ANCHORED: i32 = 0;
/// Some annotations were moved (a proposal to review) or orphaned (not found).
pub const EXIT_NEEDS_REVIEW: i32 = 1;
/// Something went wrong (a file could not be read or written, bad arguments).
pub const EXIT_ERROR: i32 = 2;

/// Claimlens: mark what an article claims, on whose word, and who denies it.
///
/// Without arguments it opens the bundled sample article. With PATH it opens that article
/// (text, Markdown, HTML, PDF, EPUB) or annotation set (.claimlens.ron). The commands below
/// run without a window; `claimlens COMMAND --help` explains each. (To open an article file
/// named like a command, write `./export`.)
#[derive(Parser, Debug)]
#[command(
    name = "claimlens",
    version,
    about,
    args_conflicts_with_subcommands = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub open: OpenArgs,
}

/// What the app opens when it starts (no subcommand).
#[derive(Args, Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenArgs {
    /// An article (text, Markdown, HTML, PDF, EPUB) or an annotation set (.claimlens.ron).
    pub path: Option<PathBuf>,
    /// Open the article with this annotation set.
    #[arg(long, value_name = "SET.ron")]
    pub set: Option<PathBuf>,
}

mod export;
mod import;
mod sets;
mod text;

pub use export::ExportArgs;
pub use import::{ImportArgs, ImportFrom};
pub use sets::{StatsArgs, ValidateArgs};
pub use text::{TextArgs, run_text};

#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Reanchor(ReanchorArgs),
    Text(TextArgs),
    Export(ExportArgs),
    Import(ImportArgs),
    Validate(ValidateArgs),
    Stats(StatsArgs),
}

/// Re-anchor an annotation set against a new version of its article, without a window.
///
/// Prints one line per annotation that could not be placed confidently: `moved` (a proposed
/// place to review) or `orphaned` (not found), with its old place and quote and the proposed
/// place and text; then a summary line. SET.ron itself is never changed; with -o the
/// re-anchored set is written to OUT.ron (moved and orphaned annotations keep their old anchor
/// there and wait for review in the app).
///
/// Exit status: 0 if every annotation is anchored, 1 if some are moved or orphaned, 2 on an
/// error.
#[derive(Args, Debug, Clone, PartialEq, Eq)]
#[command(
    after_help = "Examples:\n  claimlens reanchor story.txt.claimlens.ron\n  claimlens reanchor old.claimlens.ron --article story-v2.txt -o story-v2.txt.claimlens.ron\n  claimlens reanchor story.txt.claimlens.ron --json"
)]
pub struct ReanchorArgs {
    /// The annotation set to re-anchor (only read).
    #[arg(value_name = "SET.ron")]
    pub set: PathBuf,
    /// The new version of the article [default: the article the set names, relative to the
    /// set's folder; `claimlens:sample` is the bundled sample].
    #[arg(long, value_name = "NEW_ARTICLE")]
    pub article: Option<PathBuf>,
    /// Write the re-anchored set to OUT.ron (must not be SET.ron).
    #[arg(short = 'o', long = "output", value_name = "OUT.ron")]
    pub output: Option<PathBuf>,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs a subcommand: output to `out`, errors to `err`; returns the exit code.
pub fn run_command(command: &Command, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match command {
        Command::Reanchor(args) => run_reanchor(args, out, err),
        Command::Text(args) => run_text(args, out, err),
        Command::Export(args) => match export::export_command(args, out, err) {
            Ok(()) => 0,
            Err(error) => report_error("export", &error, err),
        },
        Command::Import(args) => match import::import_command(args, out) {
            Ok(true) => 0,
            Ok(false) => EXIT_NEEDS_REVIEW,
            Err(error) => report_error("import", &error, err),
        },
        Command::Validate(args) => sets::validate_command(args, out, err),
        Command::Stats(args) => sets::stats_command(args, out, err),
    }
}

/// Writes `claimlens COMMAND: error: …` to `err`; returns [`EXIT_ERROR`].
fn report_error(command: &str, error: &anyhow::Error, err: &mut dyn Write) -> i32 {
    // Nothing more can be done if stderr itself fails.
    let _ = writeln!(err, "claimlens {command}: error: {}", error_message(error));
    EXIT_ERROR
}

/// Runs `claimlens reanchor`: reports to `out`, errors to `err`; returns the exit code.
pub fn run_reanchor(args: &ReanchorArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match reanchor_command(args, out) {
        Ok(summary) if summary.needs_review() => EXIT_NEEDS_REVIEW,
        Ok(_) => EXIT_ANCHORED,
        Err(error) => report_error("reanchor", &error, err),
    }
}

/// The error and its causes, `: `-separated, leaving out a cause whose text the message before
/// it already includes (the store's errors print their I/O cause themselves).
fn error_message(error: &anyhow::Error) -> String {
    let mut message = String::new();
    let mut previous = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !previous.contains(&text) {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&text);
        }
        previous = text;
    }
    message
}

fn reanchor_command(args: &ReanchorArgs, out: &mut dyn Write) -> anyhow::Result<ReanchorSummary> {
    if let Some(output) = &args.output {
        refuse_same_file(&args.set, output)?;
    }
    let set = store::load_set(&args.set)?;
    let (article, article_source) = article_for_set(&set, &args.set, args.article.as_deref())?;
    let placements = reanchor_set(&set, &article, &Thresholds::default(), &mut |_, _| {});
    let summary = ReanchorSummary::of(&placements);

    if let Some(output) = &args.output {
        let reanchored = reanchored_set(&set, &article, &article_source, &placements, output)?;
        store::save_set(&reanchored, output)?;
    }

    let report = Report::new(args, &set, &article, &article_source, &placements, summary);
    let written = if args.json {
        serde_json::to_writer_pretty(&mut *out, &report)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        report.write_text(out)
    };
    match written {
        // The reader stopped early (`| head`): the exit code still tells the result.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("could not write the report")?,
    }
    Ok(summary)
}

/// Where the article came from: a file, or the bundled sample.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ArticleSource {
    Sample,
    File(PathBuf),
}

impl ArticleSource {
    fn display(&self) -> String {
        match self {
            Self::Sample => SAMPLE_REF.to_owned(),
            Self::File(path) => path.display().to_string(),
        }
    }
}

/// The article of a set: `article` if given (a path, or `claimlens:sample`), else the one the
/// set names, relative to the set's folder.
fn article_for_set(
    set: &AnnotationSet,
    set_path: &Path,
    article: Option<&Path>,
) -> anyhow::Result<(Article, ArticleSource)> {
    if article.is_some_and(|p| p == Path::new(SAMPLE_REF)) {
        return Ok((sample_article(), ArticleSource::Sample));
    }
    if let Some(path) = article {
        return Ok((
            read_article_guarded(path, ARTICLE_TIMEOUT)?,
            ArticleSource::File(path.to_owned()),
        ));
    }
    let reference = set.article.path.as_str();
    if reference == SAMPLE_REF {
        return Ok((sample_article(), ArticleSource::Sample));
    }
    if reference.is_empty() {
        bail!(
            "{} does not say where its article is; name the article on the command line",
            set_path.display()
        );
    }
    let dir = set_path.parent().unwrap_or(Path::new("."));
    let path = dir.join(reference);
    let article = read_article_guarded(&path, ARTICLE_TIMEOUT).with_context(|| {
        format!(
            "the article that {} names ({reference:?}) could not be opened; name it on the command line",
            set_path.display()
        )
    })?;
    Ok((article, ArticleSource::File(path)))
}

/// Is `output` the file `input` (by path, through links, or as a hard link)?
fn is_same_file(input: &Path, output: &Path) -> bool {
    let same = match (std::fs::canonicalize(input), std::fs::canonicalize(output)) {
        (Ok(a), Ok(b)) => a == b || same_inode(&a, &b),
        // An output that does not exist yet cannot be the input.
        _ => false,
    };
    same || input == output
}

/// Fails if `output` is the file `input`.
fn refuse_same_file(input: &Path, output: &Path) -> anyhow::Result<()> {
    if is_same_file(input, output) {
        bail!(
            "{} is the input set; write the re-anchored set to another file (-o)",
            output.display()
        );
    }
    Ok(())
}

#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_a: &Path, _b: &Path) -> bool {
    false
}

/// `set` as it applies to `article`: unchanged if it was made on this text, else re-anchored
/// (confident placements applied, the others marked for review), with the summary.
fn placed_set(
    set: &AnnotationSet,
    article: &Article,
) -> anyhow::Result<(AnnotationSet, Option<ReanchorSummary>)> {
    if set.article.content_hash == article.hash && set.mismatched(article).next().is_none() {
        return Ok((set.clone(), None));
    }
    let placements = reanchor_set(set, article, &Thresholds::default(), &mut |_, _| {});
    let placed = apply_placements(set, article, &placements)?;
    Ok((placed, Some(ReanchorSummary::of(&placements))))
}

/// `set` with `placements` for `article` applied: confident ones moved, the others marked
/// for review.
fn apply_placements(
    set: &AnnotationSet,
    article: &Article,
    placements: &[(AnnotationId, Placement)],
) -> anyhow::Result<AnnotationSet> {
    let mut placed = set.clone();
    History::default()
        .apply(
            &mut placed,
            reanchor_edits(set, article, placements, Timestamp::now()),
        )
        .context("could not apply the re-anchoring to the set")?;
    Ok(placed)
}

/// How a set written to `output` refers to its article: relative to `output`'s folder, or
/// `claimlens:sample`.
fn article_reference(source: &ArticleSource, output: &Path) -> anyhow::Result<String> {
    Ok(match source {
        ArticleSource::Sample => SAMPLE_REF.to_owned(),
        ArticleSource::File(path) => {
            let dir = match output.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let dir = std::path::absolute(dir)
                .with_context(|| format!("could not resolve {}", dir.display()))?;
            let path = std::path::absolute(path)
                .with_context(|| format!("could not resolve {}", path.display()))?;
            store::relative_path(&dir, &path)
        }
    })
}

/// `set` with `placements` applied for `article`, its article reference pointing from
/// `output`'s folder to the article it was re-anchored against.
fn reanchored_set(
    set: &AnnotationSet,
    article: &Article,
    source: &ArticleSource,
    placements: &[(AnnotationId, Placement)],
    output: &Path,
) -> anyhow::Result<AnnotationSet> {
    let mut reanchored = apply_placements(set, article, placements)?;
    reanchored.article.path = article_reference(source, output)?;
    Ok(reanchored)
}

/// What `reanchor` prints: as text, or as JSON (`--json`).
#[derive(serde::Serialize)]
struct Report {
    set: String,
    article: String,
    old_hash: String,
    new_hash: String,
    /// The annotations that are not plainly anchored, in set order.
    annotations: Vec<Entry>,
    summary: SummaryJson,
    /// Where the re-anchored set was written (`-o`).
    output: Option<String>,
}

/// One annotation that was moved or orphaned.
#[derive(serde::Serialize)]
struct Entry {
    id: AnnotationId,
    label: String,
    status: Status,
    method: Method,
    /// Where it was in the old text, and its quote.
    old: Span,
    /// The proposed place in the new text and the text there; `None` when orphaned.
    new: Option<Span>,
    quote_similarity: f32,
    context_similarity: f32,
}

#[derive(serde::Serialize)]
struct Span {
    start: usize,
    end: usize,
    text: String,
}

#[derive(serde::Serialize)]
struct SummaryJson {
    total: usize,
    anchored: usize,
    moved: usize,
    orphaned: usize,
    needs_review: bool,
}

impl Report {
    fn new(
        args: &ReanchorArgs,
        set: &AnnotationSet,
        article: &Article,
        source: &ArticleSource,
        placements: &[(AnnotationId, Placement)],
        summary: ReanchorSummary,
    ) -> Self {
        let annotations = placements
            .iter()
            .filter(|(_, p)| p.status != Status::Anchored)
            .filter_map(|(id, p)| {
                let annotation = set.get(*id)?;
                let old = &annotation.anchor;
                Some(Entry {
                    id: *id,
                    label: annotation.label.0.clone(),
                    status: p.status,
                    method: p.method,
                    old: Span {
                        start: old.position.start,
                        end: old.position.end,
                        text: old.quote.exact.clone(),
                    },
                    new: p.proposal.as_ref().map(|a| Span {
                        start: a.position.start,
                        end: a.position.end,
                        text: a.quote.exact.clone(),
                    }),
                    quote_similarity: p.quote_similarity,
                    context_similarity: p.context_similarity,
                })
            })
            .collect();
        Self {
            set: args.set.display().to_string(),
            article: source.display(),
            old_hash: set.article.content_hash.0.clone(),
            new_hash: article.hash.0.clone(),
            annotations,
            summary: SummaryJson {
                total: placements.len(),
                anchored: summary.anchored,
                moved: summary.moved,
                orphaned: summary.orphaned,
                needs_review: summary.needs_review(),
            },
            output: args.output.as_ref().map(|p| p.display().to_string()),
        }
    }

    /// ```text
    /// moved     <id>  claim  120..145 "old quote" -> 131..156 "new text"  (quote 0.93, context 0.55)
    /// orphaned  <id>  claim  40..60 "old quote" -> not found
    /// summary: 10 anchored, 1 moved, 1 orphaned (12 annotations)
    /// ```
    fn write_text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        for entry in &self.annotations {
            let status = match entry.status {
                Status::Anchored => "anchored",
                Status::Moved => "moved",
                Status::Orphaned => "orphaned",
            };
            write!(
                out,
                "{status:<9} {}  {}  {}..{} {} -> ",
                entry.id,
                entry.label,
                entry.old.start,
                entry.old.end,
                quoted(&entry.old.text)
            )?;
            match &entry.new {
                Some(new) => writeln!(
                    out,
                    "{}..{} {}  (quote {:.2}, context {:.2})",
                    new.start,
                    new.end,
                    quoted(&new.text),
                    entry.quote_similarity,
                    entry.context_similarity
                )?,
                None => writeln!(out, "not found")?,
            }
        }
        let s = &self.summary;
        writeln!(
            out,
            "summary: {} anchored, {} moved, {} orphaned ({} annotation{})",
            s.anchored,
            s.moved,
            s.orphaned,
            s.total,
            if s.total == 1 { "" } else { "s" }
        )?;
        if let Some(output) = &self.output {
            writeln!(out, "wrote {output}")?;
        }
        Ok(())
    }
}

/// `text` in double quotes on one line: `"`, `\` and control characters (line breaks, tabs)
/// escaped, everything else (any script, emoji, combining marks) as it is.
fn quoted(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            c if c.is_control() => s.push_str(&c.escape_unicode().to_string()),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_keeps_text_on_one_line() {
        assert_eq!(
            quoted("a \"b\"\n\tc\\ 中文 e\u{301}"),
            "\"a \\\"b\\\"\\n\\tc\\\\ 中文 e\u{301}\""
        );
        assert_eq!(quoted("\u{7}"), "\"\\u{7}\"");
    }

    #[test]
    fn a_path_is_still_a_path_and_reanchor_is_the_subcommand() {
        let cli = Cli::try_parse_from(["claimlens", "story.txt", "--set", "s.ron"]).unwrap();
        assert_eq!(cli.command, None);
        assert_eq!(cli.open.path.as_deref(), Some(Path::new("story.txt")));
        assert_eq!(cli.open.set.as_deref(), Some(Path::new("s.ron")));

        let cli = Cli::try_parse_from(["claimlens"]).unwrap();
        assert_eq!((cli.command, cli.open), (None, OpenArgs::default()));

        let cli = Cli::try_parse_from([
            "claimlens",
            "reanchor",
            "s.ron",
            "--article",
            "new.txt",
            "-o",
            "o.ron",
            "--json",
        ])
        .unwrap();
        assert_eq!(
            cli.command,
            Some(Command::Reanchor(ReanchorArgs {
                set: "s.ron".into(),
                article: Some("new.txt".into()),
                output: Some("o.ron".into()),
                json: true,
            }))
        );
        assert_eq!(cli.open, OpenArgs::default());

        assert!(Cli::try_parse_from(["claimlens", "story.txt", "reanchor"]).is_err());
        assert!(Cli::try_parse_from(["claimlens", "reanchor"]).is_err());
    }
}
