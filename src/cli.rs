//! The command line: `claimlens [PATH] [--set SET.ron]` opens the app, and
//! `claimlens reanchor SET.ron` re-anchors a set against a new version of its article without a
//! window (for scripts and CI).
//!
//! `main.rs` only parses [`Cli`] and dispatches; [`run_reanchor`] writes to the streams it is
//! given and returns the exit code, so tests run it without spawning a process.
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
const ARTICLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Every annotation is anchored confidently.
pub const EXIT_ANCHORED: i32 = 0;
/// Some annotations were moved (a proposal to review) or orphaned (not found).
pub const EXIT_NEEDS_REVIEW: i32 = 1;
/// Something went wrong (a file could not be read or written, bad arguments).
pub const EXIT_ERROR: i32 = 2;

/// Claimlens: mark what an article claims, on whose word, and who denies it.
///
/// Without arguments it opens the bundled sample article. With PATH it opens that article
/// (.txt) or annotation set (.claimlens.ron). `claimlens reanchor` runs without a window: see
/// `claimlens reanchor --help`; `claimlens text FILE` prints an article's text as Claimlens
/// reads it. (To open an article file named like a command, write `./reanchor`.)
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

#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Reanchor(ReanchorArgs),
    Text(TextArgs),
}

/// Print an article's text exactly as the reader anchors it (after import: HTML main-content
/// extraction, Markdown, PDF, EPUB, any text encoding).
///
/// Code point offsets into this output are the positions annotations use. Nothing is added:
/// no trailing newline. With --json, prints the metadata and the text as one JSON object:
/// { "title", "byline", "site", "published", "lang", "url", "format", "excerpt", "encoding",
/// "hash", "chars", "text" }.
///
/// Exit status: 0 on success, 2 with a message on stderr when the file cannot be opened.
#[derive(Args, Debug, Clone, PartialEq, Eq)]
#[command(
    after_help = "Examples:\n  claimlens text saved-page.html\n  claimlens text report.pdf --json"
)]
pub struct TextArgs {
    /// The article file (text, Markdown, HTML, PDF or EPUB; decided by content).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print metadata and text as JSON.
    #[arg(long)]
    pub json: bool,
    /// Give up after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub timeout: u64,
}

/// The JSON `claimlens text --json` prints.
#[derive(serde::Serialize)]
struct TextReport<'a> {
    title: &'a str,
    byline: Option<&'a str>,
    site: Option<&'a str>,
    published: Option<&'a str>,
    lang: Option<&'a str>,
    url: Option<&'a str>,
    format: &'static str,
    excerpt: Option<&'a str>,
    encoding: Option<&'a str>,
    hash: &'a str,
    chars: usize,
    text: &'a str,
}

/// Runs `claimlens text`: the text (or JSON) to `out`, errors to `err`; returns the exit code.
pub fn run_text(args: &TextArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let article =
        match read_article_guarded(&args.file, std::time::Duration::from_secs(args.timeout)) {
            Ok(article) => article,
            Err(error) => {
                let _ = writeln!(err, "claimlens text: error: {error}\n{}", error.hint());
                return EXIT_ERROR;
            }
        };
    let written = if args.json {
        let meta = &article.meta;
        let report = TextReport {
            title: &article.title,
            byline: meta.byline.as_deref(),
            site: meta.site.as_deref(),
            published: meta.published.as_deref(),
            lang: meta.lang.as_deref(),
            url: meta.url.as_deref(),
            format: meta.format.name(),
            excerpt: meta.excerpt.as_deref(),
            encoding: meta.encoding.as_deref(),
            hash: &article.hash.0,
            chars: article.char_len(),
            text: &article.text,
        };
        serde_json::to_writer_pretty(&mut *out, &report)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        out.write_all(article.text.as_bytes())
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(error) => {
            let _ = writeln!(err, "claimlens text: error: could not write: {error}");
            EXIT_ERROR
        }
    }
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
    }
}

/// Runs `claimlens reanchor`: reports to `out`, errors to `err`; returns the exit code.
pub fn run_reanchor(args: &ReanchorArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match reanchor_command(args, out) {
        Ok(summary) if summary.needs_review() => EXIT_NEEDS_REVIEW,
        Ok(_) => EXIT_ANCHORED,
        Err(error) => {
            // Nothing more can be done if stderr itself fails.
            let _ = writeln!(err, "claimlens reanchor: error: {}", error_message(&error));
            EXIT_ERROR
        }
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
    let (article, article_source) = load_article(&set, args)?;
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

/// The article to re-anchor against: `--article`, else the one the set names.
fn load_article(
    set: &AnnotationSet,
    args: &ReanchorArgs,
) -> anyhow::Result<(Article, ArticleSource)> {
    if let Some(path) = &args.article {
        return Ok((
            read_article_guarded(path, ARTICLE_TIMEOUT)?,
            ArticleSource::File(path.clone()),
        ));
    }
    let reference = set.article.path.as_str();
    if reference == SAMPLE_REF {
        return Ok((sample_article(), ArticleSource::Sample));
    }
    if reference.is_empty() {
        bail!(
            "{} does not say where its article is; name it with --article NEW_ARTICLE",
            args.set.display()
        );
    }
    let dir = args.set.parent().unwrap_or(Path::new("."));
    let path = dir.join(reference);
    let article = read_article_guarded(&path, ARTICLE_TIMEOUT).with_context(|| {
        format!(
            "the article that {} names ({reference:?}) could not be opened; name it with --article",
            args.set.display()
        )
    })?;
    Ok((article, ArticleSource::File(path)))
}

/// Fails if `output` is the file `input` (by path, through links, or as a hard link).
fn refuse_same_file(input: &Path, output: &Path) -> anyhow::Result<()> {
    let same = match (std::fs::canonicalize(input), std::fs::canonicalize(output)) {
        (Ok(a), Ok(b)) => a == b || same_inode(&a, &b),
        // An output that does not exist yet cannot be the input.
        _ => false,
    };
    if same || input == output {
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

/// `set` with `placements` applied for `article`, its article reference pointing from
/// `output`'s folder to the article it was re-anchored against.
fn reanchored_set(
    set: &AnnotationSet,
    article: &Article,
    source: &ArticleSource,
    placements: &[(AnnotationId, Placement)],
    output: &Path,
) -> anyhow::Result<AnnotationSet> {
    let mut reanchored = set.clone();
    let edits = reanchor_edits(set, article, placements, Timestamp::now());
    History::default()
        .apply(&mut reanchored, edits)
        .context("could not apply the re-anchoring to the set")?;
    reanchored.article.path = match source {
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
    };
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
