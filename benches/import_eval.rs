//! HTML import evaluation against Mozilla Readability's test pages.
//!
//! `cargo bench --bench import_eval -- PAGES_DIR [--json FILE] [--runs N] [--readability FILE]`
//!
//! Each page directory holds `source.html`, `expected.html` (Readability's article) and
//! `expected-metadata.json`. For each page this runs
//! [`claimlens::import::html::html_to_structured`] and reports:
//! - token precision, recall and F1 of our text against the text of `expected.html`: tokens
//!   are Unicode words (UAX #29, `unicode-segmentation`), lower-cased, compared as multisets.
//!   Our text is every block's text; the Headline block (the title, which we add) counts only
//!   when a block of `expected.html` has exactly the title's tokens, since Readability's content
//!   usually leaves the title out. `expected.html`'s text is its text content with a break at
//!   every block-level tag (so that `<p>a</p><p>b</p>` is two words, as in our blocks);
//! - exact matches of title, byline, site name, published time, lang and excerpt with the
//!   expected metadata (white space collapsed; a missing value matches `null`);
//! - time per page: the median of `--runs` runs (default 5) after one warm-up run, import
//!   only (no file reading).
//!
//! `--readability FILE` reads what `bench/readability/compare.mjs` wrote (Readability.js's
//! output and times per page) and scores it with the same code, for a side-by-side table:
//! Readability's `textContent` as is, and its article HTML through the same HTML→text as
//! `expected.html`. `--json FILE` writes the per-page results.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use claimlens::import::html::html_to_structured;
use claimlens::model::structure::{BlockKind, LINE_BREAK, StructuredText};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use serde_json::{Value, json};
use unicode_segmentation::UnicodeSegmentation;

/// The URL Readability's own tests give every page.
const PAGE_URL: &str = "http://fakehost/test/page.html";

const FIELDS: [(&str, &str); 6] = [
    ("title", "title"),
    ("byline", "byline"),
    ("site", "siteName"),
    ("published", "publishedTime"),
    ("lang", "lang"),
    ("excerpt", "excerpt"),
];

// ---------------------------------------------------------------------------------------------
// Tokens and scores

fn tokens(text: &str) -> Vec<String> {
    text.unicode_words().map(str::to_lowercase).collect()
}

fn bag(tokens: &[String]) -> HashMap<&str, usize> {
    let mut bag = HashMap::new();
    for t in tokens {
        *bag.entry(t.as_str()).or_insert(0) += 1;
    }
    bag
}

#[derive(Clone, Copy, Default)]
struct Score {
    precision: f64,
    recall: f64,
    f1: f64,
}

/// Multiset token overlap of `got` against `expected`. Two empty texts agree perfectly.
fn score(got: &[String], expected: &[String]) -> Score {
    if got.is_empty() && expected.is_empty() {
        return Score {
            precision: 1.0,
            recall: 1.0,
            f1: 1.0,
        };
    }
    let (g, e) = (bag(got), bag(expected));
    let overlap: usize = g
        .iter()
        .map(|(t, n)| (*n).min(e.get(t).copied().unwrap_or(0)))
        .sum();
    if overlap == 0 {
        return Score::default();
    }
    let precision = overlap as f64 / got.len() as f64;
    let recall = overlap as f64 / expected.len() as f64;
    Score {
        precision,
        recall,
        f1: 2.0 * precision * recall / (precision + recall),
    }
}

// ---------------------------------------------------------------------------------------------
// HTML → text (for expected.html and Readability's article HTML)

fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "br"
            | "caption"
            | "dd"
            | "details"
            | "div"
            | "dl"
            | "dt"
            | "figcaption"
            | "figure"
            | "footer"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "td"
            | "th"
            | "tr"
            | "ul"
    )
}

#[derive(Default)]
struct TextSink {
    text: std::cell::RefCell<String>,
    skip: std::cell::Cell<bool>,
}

impl TokenSink for TextSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => {
                let name = &*tag.name;
                if is_block_tag(name) {
                    self.text.borrow_mut().push('\n');
                }
                let raw = matches!(name, "script" | "style" | "title" | "template");
                if raw && tag.kind == TagKind::StartTag && !tag.self_closing {
                    self.skip.set(true);
                    return TokenSinkResult::RawData(RawKind::Rawtext);
                }
                if raw && tag.kind == TagKind::EndTag {
                    self.skip.set(false);
                }
            }
            Token::CharacterTokens(t) if !self.skip.get() => self.text.borrow_mut().push_str(&t),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// The text of an HTML fragment, with a line break at every block-level tag.
fn html_text(html: &str) -> String {
    let tokenizer = Tokenizer::new(TextSink::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.text.into_inner()
}

// ---------------------------------------------------------------------------------------------
// One page

struct Page {
    name: String,
    source: String,
    expected_tokens: Vec<String>,
    /// The tokens of each block of `expected.html`.
    expected_blocks: Vec<Vec<String>>,
    meta: Value,
}

fn load(dir: &Path) -> Option<Page> {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    let source = read("source.html")?;
    let expected = read("expected.html")?;
    let meta = serde_json::from_str(&read("expected-metadata.json")?).ok()?;
    let text = html_text(&expected);
    Some(Page {
        name: dir.file_name()?.to_string_lossy().into_owned(),
        source,
        expected_tokens: tokens(&text),
        expected_blocks: text.lines().map(tokens).filter(|t| !t.is_empty()).collect(),
        meta,
    })
}

fn norm(v: Option<&str>) -> Option<String> {
    let s = v?.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

fn expected_field(meta: &Value, key: &str) -> Option<String> {
    norm(meta.get(key).and_then(Value::as_str))
}

/// Our text for scoring: all blocks, the headline only if Readability's article has it (as
/// a block of its own).
fn our_tokens(st: &StructuredText, expected_blocks: &[Vec<String>]) -> (Vec<String>, bool) {
    let headline_in_expected = st
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Headline)
        .all(|b| {
            let t: String = b.runs.iter().map(|r| r.text.as_str()).collect();
            let t = tokens(&t);
            expected_blocks.contains(&t)
        });
    let mut text = String::new();
    for block in &st.blocks {
        if block.kind == BlockKind::Headline && !headline_in_expected {
            continue;
        }
        for run in &block.runs {
            text.extend(
                run.text
                    .chars()
                    .map(|c| if c == LINE_BREAK { '\n' } else { c }),
            );
        }
        text.push_str("\n\n");
    }
    (tokens(&text), headline_in_expected)
}

struct Result {
    name: String,
    score: Score,
    ms: f64,
    blocks: usize,
    headline_counted: bool,
    meta: [bool; 6],
    readability: Option<ReadabilityResult>,
}

struct ReadabilityResult {
    text_content: Score,
    content: Score,
    readability_ms: f64,
    jsdom_and_readability_ms: f64,
    meta: [bool; 6],
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn evaluate(page: &Page, runs: usize, readability: Option<&Value>) -> Result {
    let st = html_to_structured(&page.source, Some(PAGE_URL)); // warm-up
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let st = html_to_structured(&page.source, Some(PAGE_URL));
            let ms = start.elapsed().as_secs_f64() * 1e3;
            std::hint::black_box(st);
            ms
        })
        .collect();
    let (ours, headline_counted) = our_tokens(&st, &page.expected_blocks);
    let m = &st.meta;
    let got = [
        &m.title,
        &m.byline,
        &m.site,
        &m.published,
        &m.lang,
        &m.excerpt,
    ];
    let meta =
        std::array::from_fn(|i| norm(got[i].as_deref()) == expected_field(&page.meta, FIELDS[i].1));
    let readability = readability.map(|r| {
        let text = r["textContent"].as_str().unwrap_or("");
        let content = r["content"].as_str().unwrap_or("");
        ReadabilityResult {
            text_content: score(&tokens(text), &page.expected_tokens),
            content: score(&tokens(&html_text(content)), &page.expected_tokens),
            readability_ms: r["readabilityMs"].as_f64().unwrap_or(f64::NAN),
            jsdom_and_readability_ms: r["totalMs"].as_f64().unwrap_or(f64::NAN),
            meta: std::array::from_fn(|i| {
                let got = r["metadata"][FIELDS[i].1].as_str();
                norm(got) == expected_field(&page.meta, FIELDS[i].1)
            }),
        }
    });
    Result {
        name: page.name.clone(),
        score: score(&ours, &page.expected_tokens),
        ms: median(&mut times),
        blocks: st.blocks.len(),
        headline_counted,
        meta,
        readability,
    }
}

// ---------------------------------------------------------------------------------------------
// Main

struct Args {
    pages: PathBuf,
    json: Option<PathBuf>,
    readability: Option<PathBuf>,
    runs: usize,
}

fn parse_args() -> std::result::Result<Args, String> {
    let mut pages = None;
    let mut json = None;
    let mut readability = None;
    let mut runs = 5;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bench" => {} // added by `cargo bench`
            "--json" => json = Some(args.next().ok_or("--json needs a file")?.into()),
            "--readability" => {
                readability = Some(args.next().ok_or("--readability needs a file")?.into())
            }
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--runs needs a number")?
            }
            a if a.starts_with("--") => return Err(format!("unknown option {a}")),
            a => pages = Some(PathBuf::from(a)),
        }
    }
    Ok(Args {
        pages: pages
            .ok_or("usage: import_eval PAGES_DIR [--json FILE] [--runs N] [--readability FILE]")?,
        json,
        readability,
        runs: runs.max(1),
    })
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { 0.0 } else { sum / n as f64 }
}

fn flags(meta: &[bool; 6]) -> String {
    ["T", "B", "S", "P", "L", "E"]
        .iter()
        .zip(meta)
        .map(|(f, ok)| if *ok { *f } else { "." })
        .collect()
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let readability: HashMap<String, Value> = args
        .readability
        .as_ref()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("read the Readability results");
            let v: Value = serde_json::from_str(&text).expect("Readability results are JSON");
            v["pages"]
                .as_array()
                .expect("a pages array")
                .iter()
                .filter_map(|p| Some((p["name"].as_str()?.to_owned(), p.clone())))
                .collect()
        })
        .unwrap_or_default();

    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&args.pages)
        .expect("read the pages directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("source.html").is_file())
        .collect();
    dirs.sort();

    println!(
        "{:<44} {:>6} {:>6} {:>6} {:>8} {:>6}  meta   {}",
        "page",
        "P",
        "R",
        "F1",
        "ms",
        "blocks",
        if readability.is_empty() {
            ""
        } else {
            "  Rd F1  Rd ms"
        }
    );
    let mut results = Vec::new();
    for dir in &dirs {
        let Some(page) = load(dir) else {
            eprintln!("skipped {} (missing or unreadable files)", dir.display());
            continue;
        };
        let r = evaluate(&page, args.runs, readability.get(&page.name));
        let rd = r.readability.as_ref().map_or(String::new(), |x| {
            format!(
                "  {:>6.3} {:>6.2}",
                x.content.f1, x.jsdom_and_readability_ms
            )
        });
        println!(
            "{:<44} {:>6.3} {:>6.3} {:>6.3} {:>8.2} {:>6}  {}{}{}",
            r.name,
            r.score.precision,
            r.score.recall,
            r.score.f1,
            r.ms,
            r.blocks,
            flags(&r.meta),
            if r.headline_counted { " " } else { "-" },
            rd
        );
        results.push(r);
    }
    if results.is_empty() {
        eprintln!("no pages in {}", args.pages.display());
        std::process::exit(1);
    }

    let n = results.len();
    let mut times: Vec<f64> = results.iter().map(|r| r.ms).collect();
    let total_ms: f64 = times.iter().sum();
    let median_ms = median(&mut times);
    println!();
    println!(
        "pages: {n}   (meta flags: T title, B byline, S site, P published, L lang, E excerpt;"
    );
    println!("        '-' after them: headline not counted, expected.html lacks the title)");
    println!(
        "ours:  mean P {:.4}  R {:.4}  F1 {:.4}   pages with F1 >= 0.99: {}   median {:.2} ms/page, total {:.1} ms ({} runs, median)",
        mean(results.iter().map(|r| r.score.precision)),
        mean(results.iter().map(|r| r.score.recall)),
        mean(results.iter().map(|r| r.score.f1)),
        results.iter().filter(|r| r.score.f1 >= 0.99).count(),
        median_ms,
        total_ms,
        args.runs
    );
    let ours_meta: Vec<f64> = (0..6)
        .map(|i| results.iter().filter(|r| r.meta[i]).count() as f64 / n as f64)
        .collect();
    print!("ours metadata exact match:");
    for (i, (f, _)) in FIELDS.iter().enumerate() {
        print!("  {f} {:.0}%", ours_meta[i] * 100.0);
    }
    println!(
        "  (all fields {:.1}%)",
        mean(ours_meta.iter().copied()) * 100.0
    );

    let with_rd: Vec<&Result> = results.iter().filter(|r| r.readability.is_some()).collect();
    let mut summary = json!({
        "pages": n,
        "ours": {
            "mean_precision": mean(results.iter().map(|r| r.score.precision)),
            "mean_recall": mean(results.iter().map(|r| r.score.recall)),
            "mean_f1": mean(results.iter().map(|r| r.score.f1)),
            "median_ms": median_ms,
            "total_ms": total_ms,
            "metadata_rates": FIELDS.iter().enumerate().map(|(i, (f, _))| (f.to_string(), json!(ours_meta[i]))).collect::<serde_json::Map<_, _>>(),
        }
    });
    if !with_rd.is_empty() {
        fn rd<'a>(r: &&'a Result) -> &'a ReadabilityResult {
            r.readability.as_ref().expect("filtered")
        }
        let m = with_rd.len();
        let ours_f1 = mean(with_rd.iter().map(|r| r.score.f1));
        let rd_text = mean(with_rd.iter().map(|r| rd(r).text_content.f1));
        let rd_content = mean(with_rd.iter().map(|r| rd(r).content.f1));
        let mut ours_ms: Vec<f64> = with_rd.iter().map(|r| r.ms).collect();
        let mut rd_ms: Vec<f64> = with_rd.iter().map(|r| rd(r).readability_ms).collect();
        let mut rd_total: Vec<f64> = with_rd
            .iter()
            .map(|r| rd(r).jsdom_and_readability_ms)
            .collect();
        let (ours_sum, rd_sum, rd_total_sum): (f64, f64, f64) = (
            ours_ms.iter().sum(),
            rd_ms.iter().sum(),
            rd_total.iter().sum(),
        );
        let (ours_med, rd_med, rd_total_med) = (
            median(&mut ours_ms),
            median(&mut rd_ms),
            median(&mut rd_total),
        );
        let rd_meta: Vec<f64> = (0..6)
            .map(|i| with_rd.iter().filter(|r| rd(r).meta[i]).count() as f64 / m as f64)
            .collect();
        println!();
        println!("side by side on {m} pages                  ours    Readability.js");
        println!(
            "mean token F1                            {:>7.4}   {:.4} (article HTML → text as expected.html) / {:.4} (textContent)",
            ours_f1, rd_content, rd_text
        );
        println!(
            "pages with F1 >= 0.99                    {:>7}   {}",
            with_rd.iter().filter(|r| r.score.f1 >= 0.99).count(),
            with_rd.iter().filter(|r| rd(r).content.f1 >= 0.99).count()
        );
        for (i, (f, _)) in FIELDS.iter().enumerate() {
            println!(
                "metadata {:<10}                      {:>6.0}%   {:.0}%",
                f,
                with_rd.iter().filter(|r| r.meta[i]).count() as f64 / m as f64 * 100.0,
                rd_meta[i] * 100.0
            );
        }
        println!(
            "median ms/page                           {:>7.2}   {:.2} (Readability only) / {:.2} (JSDOM parse + Readability)",
            ours_med, rd_med, rd_total_med
        );
        println!(
            "total ms                                 {:>7.1}   {:.1} / {:.1}",
            ours_sum, rd_sum, rd_total_sum
        );
        println!(
            "our speed-up (total time)                          {:.1}x vs Readability only, {:.1}x vs JSDOM + Readability",
            rd_sum / ours_sum,
            rd_total_sum / ours_sum
        );
        println!(
            "our speed-up (median page)                         {:.1}x vs Readability only, {:.1}x vs JSDOM + Readability",
            rd_med / ours_med,
            rd_total_med / ours_med
        );
        summary["readability"] = json!({
            "pages": m,
            "ours_mean_f1": ours_f1,
            "mean_f1_content": rd_content,
            "mean_f1_text_content": rd_text,
            "median_ms_readability": rd_med,
            "median_ms_jsdom_readability": rd_total_med,
            "total_ms_readability": rd_sum,
            "total_ms_jsdom_readability": rd_total_sum,
            "metadata_rates": FIELDS.iter().enumerate().map(|(i, (f, _))| (f.to_string(), json!(rd_meta[i]))).collect::<serde_json::Map<_, _>>(),
        });
    }

    if let Some(path) = &args.json {
        let pages: Vec<Value> = results
            .iter()
            .map(|r| {
                let mut v = json!({
                    "name": r.name,
                    "precision": r.score.precision,
                    "recall": r.score.recall,
                    "f1": r.score.f1,
                    "ms": r.ms,
                    "blocks": r.blocks,
                    "headline_counted": r.headline_counted,
                    "metadata": FIELDS.iter().enumerate().map(|(i, (f, _))| (f.to_string(), json!(r.meta[i]))).collect::<serde_json::Map<_, _>>(),
                });
                if let Some(x) = &r.readability {
                    v["readability"] = json!({
                        "f1_content": x.content.f1,
                        "f1_text_content": x.text_content.f1,
                        "readability_ms": x.readability_ms,
                        "jsdom_and_readability_ms": x.jsdom_and_readability_ms,
                        "metadata": FIELDS.iter().enumerate().map(|(i, (f, _))| (f.to_string(), json!(x.meta[i]))).collect::<serde_json::Map<_, _>>(),
                    });
                }
                v
            })
            .collect();
        summary["per_page"] = Value::Array(pages);
        std::fs::write(path, serde_json::to_string_pretty(&summary).expect("JSON"))
            .expect("write the JSON file");
        println!("per-page results written to {}", path.display());
    }
}
