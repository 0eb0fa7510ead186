//! `claimlens text FILE [--json]`: an article's text exactly as the reader anchors it.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::EXIT_ERROR;
use crate::app::read_article_guarded;

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
