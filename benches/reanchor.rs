//! Re-anchoring benchmark: accuracy on mutated real articles, then speed on a large text.
//! `bench/README.md` explains how to run it and what the tables mean.
//!
//! ```text
//! cargo bench --bench reanchor -- [--corpus DIR] [--quick] [--no-speed] [--no-mutation]
//!                                 [--seed N] [--show N]
//!                                 [--dump-cases FILE.json] [--dump-results FILE.json]
//!                                 [--only-text NAME] [--only-kind NAME] [--only-speed a|b]
//! ```
//!
//! **Mutation benchmark.** Texts: the sample article, the Markdown posts under
//! `CORPUS/markdown/*.md` (as plain text) and the Readability test pages
//! `CORPUS/readability/pages/*/expected.html` reduced to text. On each text and for each edit
//! kind, annotations of many lengths (frequent words such as "said", repeated two-word phrases
//! such as "the company", single words, names, phrases, clauses, sentences, whole paragraphs)
//! are placed with a seeded PRNG, about one per 200 code points. Each edit kind then produces a
//! new text from a list of replacements and paragraph moves, which gives the ground truth for
//! every annotation:
//!
//! * **kept** — the annotated text survives unchanged: it must be found at its mapped range;
//! * **edited** — its own text changed slightly (similarity ≥ 0.8, e.g. a typo fix inside):
//!   the mapped range is still the right place;
//! * **gone** — deleted, cut by an edit at its boundary, or rewritten beyond that: it must be
//!   orphaned or go to review, never be anchored silently.
//!
//! Each re-anchoring result is classified as anchored-right, **WRONG** (anchored at another
//! range, or anchored although the text is gone — must be 0), *twin* (anchored on another
//! place whose old quote and context were the annotation's, give or take 2 code points a side:
//! the stored selector did not tell them apart), review with the right proposal, review with
//! another proposal, review although the text is gone, orphaned rightly, or lost (orphaned
//! although the text is still there). The binary exits with status 1 if any annotation is
//! wrongly anchored (in the mutation benchmark or the speed runs).
//!
//! Edits whose ground truth would be arbitrary are not generated: deleting or moving one of
//! several identical paragraphs or sentences (either copy gives the same text), and inserting
//! text that shares a 32-code-point stretch with the text being edited.
//!
//! **Speed.** A ~5 M code point text built from the corpus texts (copies after the first with
//! every word replaced through a per-copy permutation of the vocabulary, so that they do not
//! repeat each other), 10,000 annotations; (a) a few local edits touching ≤ 1 % of the text,
//! (b) a heavy rewrite. Median (and fastest) of 5 runs, 3 with `--quick`.
//!
//! `--dump-cases` writes every case (old anchor, new text, ground truth) for the Hypothesis
//! comparison under `bench/hypothesis/`; `--dump-results` writes Claimlens' counts per edit kind.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use claimlens::model::{Anchor, Article, Placement, Status, Thresholds, is_word_char, reanchor};

// ---------------------------------------------------------------------------------------------
// Options

struct Options {
    corpus: PathBuf,
    quick: bool,
    mutation: bool,
    speed: bool,
    seed: u64,
    show: usize,
    dump_cases: Option<PathBuf>,
    dump_results: Option<PathBuf>,
    /// Only texts / edit kinds whose name contains this (for debugging).
    only_text: Option<String>,
    only_kind: Option<String>,
    /// Only this speed case ("a" or "b").
    only_speed: Option<String>,
}

const USAGE: &str = "usage: cargo bench --bench reanchor -- [--corpus DIR] [--quick] \
[--no-speed] [--no-mutation] [--seed N] [--show N] [--dump-cases FILE] [--dump-results FILE] \
[--only-text NAME] [--only-kind NAME] [--only-speed a|b]";

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        corpus: Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
        quick: false,
        mutation: true,
        speed: true,
        seed: 0x5eed_c1a1_3e25,
        show: 5,
        dump_cases: None,
        dump_results: None,
        only_text: None,
        only_kind: None,
        only_speed: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            // cargo bench passes --bench to every bench binary.
            "--bench" => {}
            "--quick" => options.quick = true,
            "--no-speed" => options.speed = false,
            "--no-mutation" => options.mutation = false,
            "--corpus" => options.corpus = PathBuf::from(value("--corpus")?),
            "--seed" => {
                options.seed = value("--seed")?
                    .parse()
                    .map_err(|e| format!("--seed: {e}"))?;
            }
            "--show" => {
                options.show = value("--show")?
                    .parse()
                    .map_err(|e| format!("--show: {e}"))?;
            }
            "--dump-cases" => options.dump_cases = Some(PathBuf::from(value("--dump-cases")?)),
            "--dump-results" => {
                options.dump_results = Some(PathBuf::from(value("--dump-results")?));
            }
            "--only-text" => options.only_text = Some(value("--only-text")?),
            "--only-kind" => options.only_kind = Some(value("--only-kind")?),
            "--only-speed" => options.only_speed = Some(value("--only-speed")?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let texts = load_texts(&options.corpus);
    println!(
        "re-anchoring benchmark: {} texts ({} code points) from the sample article and {}{}",
        texts.len(),
        texts.iter().map(|(_, t)| t.chars().count()).sum::<usize>(),
        options.corpus.display(),
        if options.quick { " (quick)" } else { "" }
    );
    let docs: Vec<Doc> = texts
        .into_iter()
        .map(|(name, text)| Doc::new(&name, &text))
        .collect();
    let pools = Pools::new(&docs);
    let mut wrong = 0;
    if options.mutation {
        match mutation_benchmark(&docs, &pools, &options) {
            Ok(w) => wrong += w,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if options.speed {
        wrong += speed_benchmark(&docs, &pools, &options);
    }
    if wrong > 0 {
        println!("\nFAILED: {wrong} annotations anchored wrongly without review");
        ExitCode::from(1)
    } else {
        println!("\nok: no annotation anchored wrongly without review");
        ExitCode::SUCCESS
    }
}

// ---------------------------------------------------------------------------------------------
// Texts

fn load_texts(corpus: &Path) -> Vec<(String, String)> {
    let mut texts = Vec::new();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/alibaba-pla-denial.txt");
    match std::fs::read_to_string(&sample) {
        Ok(t) => texts.push(("sample/alibaba-pla-denial".to_owned(), t)),
        Err(e) => eprintln!("warning: {}: {e}", sample.display()),
    }
    let mut markdown = sorted_entries(&corpus.join("markdown"));
    markdown.retain(|p| p.extension().is_some_and(|e| e == "md"));
    for path in markdown {
        if let Ok(t) = std::fs::read_to_string(&path) {
            texts.push((format!("markdown/{}", file_stem(&path)), t));
        }
    }
    for dir in sorted_entries(&corpus.join("readability/pages")) {
        if let Ok(html) = std::fs::read_to_string(dir.join("expected.html")) {
            texts.push((
                format!("readability/{}", file_stem(&dir)),
                html_to_text(&html),
            ));
        }
    }
    if texts.len() < 2 {
        eprintln!(
            "warning: corpus {} not found or empty; pass --corpus DIR",
            corpus.display()
        );
    }
    // Too short to hold a few annotations and edits.
    texts.retain(|(_, t)| t.chars().count() >= 400);
    texts
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "section",
    "article",
    "header",
    "footer",
    "figure",
    "figcaption",
    "hr",
    "aside",
    "nav",
    "main",
    "form",
    "details",
    "summary",
    "caption",
];

/// A crude HTML → text reduction: drops `<script>`/`<style>` and comments, turns block tags
/// into line breaks, collapses white space, decodes the common entities. One paragraph a line.
fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
        } else if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            let tag = rest[1..end.saturating_sub(1).max(1)].trim();
            let closing = tag.starts_with('/');
            let name = tag
                .trim_start_matches('/')
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            rest = &rest[end..];
            if !closing && (name == "script" || name == "style") {
                let close = format!("</{name}");
                let lower = rest.to_ascii_lowercase();
                rest = lower.find(&close).map_or("", |i| &rest[i..]);
            } else if BLOCK_TAGS.contains(&name.as_str()) {
                out.push('\n');
            }
        } else {
            let next = rest.find('<').unwrap_or(rest.len());
            let chunk: String = rest[..next]
                .chars()
                .map(|c| if c.is_whitespace() { ' ' } else { c })
                .collect();
            out.push_str(&decode_entities(&chunk));
            rest = &rest[next..];
        }
    }
    let mut text = String::with_capacity(out.len());
    for line in out.split('\n') {
        let mut first = true;
        for word in line.split_whitespace() {
            if !first {
                text.push(' ');
            }
            text.push_str(word);
            first = false;
        }
        if !first {
            text.push('\n');
        }
    }
    text
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let semi = rest
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .map(|(j, _)| j);
        let decoded = semi.and_then(|j| {
            let name = &rest[1..j];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name.strip_prefix('#').and_then(|num| {
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, j + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// A tiny PRNG (xorshift64*)

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut rng = Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        for _ in 0..4 {
            rng.next();
        }
        rng
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

fn mix(a: u64, b: u64) -> u64 {
    let mut h = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^= h >> 31;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^ (h >> 29)
}

// ---------------------------------------------------------------------------------------------
// Documents: text with paragraphs, sentences and words as code point ranges

#[derive(Clone)]
struct Doc {
    name: String,
    article: Article,
    chars: Vec<char>,
    paragraphs: Vec<Range<usize>>,
    sentences: Vec<Range<usize>>,
    words: Vec<Range<usize>>,
    /// How paragraphs are separated: "\n\n" (blank lines) or "\n".
    para_sep: &'static str,
    /// Paragraphs and sentences whose text occurs more than once. Deleting or moving one of
    /// several identical copies has no single ground truth (deleting either gives the same
    /// text), so the edits leave them alone.
    para_repeated: Vec<bool>,
    sent_repeated: Vec<bool>,
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»')
}

impl Doc {
    fn new(name: &str, raw: &str) -> Self {
        let article = Article::from_plain_text(raw, name);
        let chars: Vec<char> = article.text.chars().collect();
        let paragraphs: Vec<Range<usize>> = article
            .paragraphs
            .iter()
            .map(|p| p.chars.clone())
            .filter(|r| !r.is_empty())
            .collect();
        let mut sentences = Vec::new();
        for p in &paragraphs {
            let mut start = p.start;
            let mut i = p.start;
            while i < p.end {
                if matches!(chars[i], '.' | '!' | '?') {
                    let mut j = i + 1;
                    while j < p.end && is_closer(chars[j]) {
                        j += 1;
                    }
                    if j == p.end || chars[j].is_whitespace() {
                        if j > start {
                            sentences.push(start..j);
                        }
                        while j < p.end && chars[j].is_whitespace() {
                            j += 1;
                        }
                        start = j;
                        i = j;
                        continue;
                    }
                }
                i += 1;
            }
            let mut end = p.end;
            while end > start && chars[end - 1].is_whitespace() {
                end -= 1;
            }
            if end > start {
                sentences.push(start..end);
            }
        }
        let mut words = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            if is_word_char(chars[i]) {
                let start = i;
                while i < chars.len() && is_word_char(chars[i]) {
                    i += 1;
                }
                words.push(start..i);
            } else {
                i += 1;
            }
        }
        let para_sep = if article.text.contains("\n\n") {
            "\n\n"
        } else {
            "\n"
        };
        let repeated = |ranges: &[Range<usize>]| -> Vec<bool> {
            let mut count: HashMap<&[char], usize> = HashMap::new();
            for r in ranges {
                *count.entry(&chars[r.clone()]).or_default() += 1;
            }
            ranges
                .iter()
                .map(|r| count[&chars[r.clone()]] > 1)
                .collect()
        };
        let para_repeated = repeated(&paragraphs);
        let sent_repeated = repeated(&sentences);
        Self {
            name: name.to_owned(),
            article,
            chars,
            paragraphs,
            sentences,
            words,
            para_sep,
            para_repeated,
            sent_repeated,
        }
    }

    fn text(&self, r: Range<usize>) -> String {
        self.chars[r].iter().collect()
    }

    /// Index of the range in `ranges` (sorted, disjoint) containing `pos`.
    fn containing(ranges: &[Range<usize>], pos: usize) -> Option<usize> {
        let i = ranges.partition_point(|r| r.end <= pos);
        (i < ranges.len() && ranges[i].start <= pos).then_some(i)
    }

    /// Last word ending at or before `pos`.
    fn word_before(&self, pos: usize) -> Option<usize> {
        self.words.partition_point(|w| w.end <= pos).checked_sub(1)
    }

    /// First word starting at or after `pos`.
    fn word_after(&self, pos: usize) -> Option<usize> {
        let i = self.words.partition_point(|w| w.start < pos);
        (i < self.words.len()).then_some(i)
    }

    /// Words lying wholly inside `r`.
    fn words_inside(&self, r: &Range<usize>) -> Range<usize> {
        let first = self.words.partition_point(|w| w.start < r.start);
        let last = self.words.partition_point(|w| w.end <= r.end);
        first..last.max(first)
    }

    /// The old range a paragraph occupies together with the separator after it (for deleting
    /// or moving it), if it is not the last one.
    fn paragraph_block(&self, i: usize) -> Option<Range<usize>> {
        if self.para_repeated[i] {
            return None;
        }
        let next = self.paragraphs.get(i + 1)?;
        Some(self.paragraphs[i].start..next.start)
    }
}

/// Sentences and paragraphs of every text, for insertions (taken from another text).
struct Pools {
    sentences: Vec<(usize, String)>,
    paragraphs: Vec<(usize, String)>,
}

impl Pools {
    fn new(docs: &[Doc]) -> Self {
        let mut sentences = Vec::new();
        let mut paragraphs = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            for s in &d.sentences {
                if (40..=250).contains(&s.len()) {
                    sentences.push((i, d.text(s.clone())));
                }
            }
            for p in &d.paragraphs {
                let text = d.text(p.clone());
                if (100..=1500).contains(&p.len()) && !text.contains('\n') {
                    paragraphs.push((i, text));
                }
            }
        }
        if sentences.is_empty() {
            sentences.push((usize::MAX, "Officials declined to comment.".to_owned()));
        }
        if paragraphs.is_empty() {
            paragraphs.push((
                usize::MAX,
                "A spokesperson said the matter was under review and declined to comment further."
                    .to_owned(),
            ));
        }
        Self {
            sentences,
            paragraphs,
        }
    }

    /// A text from another document that shares no 32-code-point stretch with `avoid` (the
    /// text being edited; empty: no check). Inserting a copy of text that is already there
    /// (test pages share their lorem ipsum) would make a second original, and no single
    /// ground truth.
    fn pick<'a>(
        list: &'a [(usize, String)],
        not_from: usize,
        avoid: &str,
        rng: &mut Rng,
    ) -> &'a str {
        let fresh = |text: &str| {
            let chars: Vec<char> = text.chars().collect();
            avoid.is_empty()
                || chars.len() < 32
                || (0..=chars.len() - 32).step_by(16).all(|i| {
                    let window: String = chars[i..i + 32].iter().collect();
                    !avoid.contains(&window)
                })
        };
        let mut fallback = &list[rng.below(list.len())].1;
        for _ in 0..16 {
            let (doc, text) = &list[rng.below(list.len())];
            if *doc != not_from && fresh(text) {
                return text;
            }
            if *doc != not_from {
                fallback = text;
            }
        }
        fallback
    }

    fn sentence(&self, not_from: usize, avoid: &str, rng: &mut Rng) -> &str {
        Self::pick(&self.sentences, not_from, avoid, rng)
    }

    fn paragraph(&self, not_from: usize, avoid: &str, rng: &mut Rng) -> &str {
        Self::pick(&self.paragraphs, not_from, avoid, rng)
    }
}

// ---------------------------------------------------------------------------------------------
// Annotations

/// Word and bigram occurrences, to pick short quotes that occur several times.
struct WordIndex {
    frequent: Vec<Vec<usize>>,
    bigrams: Vec<Vec<usize>>,
    names: Vec<Range<usize>>,
}

impl WordIndex {
    fn new(doc: &Doc) -> Self {
        let mut words: HashMap<String, Vec<usize>> = HashMap::new();
        let mut bigrams: HashMap<String, Vec<usize>> = HashMap::new();
        let mut names = Vec::new();
        for (i, w) in doc.words.iter().enumerate() {
            let text = doc.text(w.clone());
            if w.len() >= 3 {
                words.entry(text.clone()).or_default().push(i);
            }
            if let Some(next) = doc.words.get(i + 1)
                && next.start == w.end + 1
                && doc.chars[w.end] == ' '
            {
                bigrams
                    .entry(doc.text(w.start..next.end))
                    .or_default()
                    .push(i);
                let capital = |r: &Range<usize>| doc.chars[r.start].is_uppercase() && r.len() > 1;
                if capital(w) && capital(next) {
                    names.push(w.start..next.end);
                }
            }
        }
        let mut frequent: Vec<Vec<usize>> = words.into_values().filter(|v| v.len() >= 3).collect();
        let mut bigrams: Vec<Vec<usize>> = bigrams.into_values().filter(|v| v.len() >= 2).collect();
        // HashMap order is random: sort for reproducibility.
        frequent.sort();
        bigrams.sort();
        Self {
            frequent,
            bigrams,
            names,
        }
    }
}

/// Places `n` annotations (code point ranges, possibly overlapping) of many lengths.
fn place_spans(doc: &Doc, n: usize, rng: &mut Rng) -> Vec<Range<usize>> {
    let index = WordIndex::new(doc);
    let mut spans = Vec::with_capacity(n);
    let words = &doc.words;
    if words.len() < 10 {
        return spans;
    }
    // A run of `len` words from word `i`, kept inside its sentence.
    let phrase = |i: usize, len: usize| -> Range<usize> {
        let start = words[i].start;
        let limit = Doc::containing(&doc.sentences, start).map_or(start, |s| doc.sentences[s].end);
        let mut j = i;
        while j + 1 < words.len() && j + 1 < i + len && words[j + 1].end <= limit {
            j += 1;
        }
        start..words[j].end
    };
    let mut attempts = 0;
    while spans.len() < n && attempts < n * 20 {
        attempts += 1;
        let roll = rng.below(100);
        let span = match roll {
            // A frequent word ("said", "the", "company").
            0..12 if !index.frequent.is_empty() => {
                let list = &index.frequent[rng.below(index.frequent.len())];
                words[list[rng.below(list.len())]].clone()
            }
            // A repeated two-word phrase ("the company").
            12..20 if !index.bigrams.is_empty() => {
                let list = &index.bigrams[rng.below(index.bigrams.len())];
                let i = list[rng.below(list.len())];
                words[i].start..words[i + 1].end
            }
            // Any single word.
            20..30 => words[rng.below(words.len())].clone(),
            // A name (two capitalised words).
            30..38 if !index.names.is_empty() => index.names[rng.below(index.names.len())].clone(),
            // A short phrase.
            38..62 => phrase(rng.below(words.len()), rng.between(3, 8)),
            // A clause.
            62..75 => phrase(rng.below(words.len()), rng.between(8, 20)),
            // A sentence.
            75..90 => {
                let s = doc.sentences[rng.below(doc.sentences.len())].clone();
                if s.len() < 20 {
                    continue;
                }
                s
            }
            // A paragraph.
            90..100 => {
                let p = doc.paragraphs[rng.below(doc.paragraphs.len())].clone();
                if !(50..=3000).contains(&p.len()) {
                    continue;
                }
                p
            }
            _ => continue,
        };
        if !span.is_empty() {
            spans.push(span);
        }
    }
    spans
}

// ---------------------------------------------------------------------------------------------
// Edits with ground truth

/// Replace old range `range` by `text` (an insertion when the range is empty).
#[derive(Clone, Debug)]
struct Repl {
    range: Range<usize>,
    text: String,
}

/// Paragraph moves (old block → before old offset) and replacements, in old coordinates.
#[derive(Default, Debug)]
struct Edit {
    moves: Vec<(Range<usize>, usize)>,
    repls: Vec<Repl>,
}

impl Edit {
    fn replace(&mut self, range: Range<usize>, text: impl Into<String>) {
        self.repls.push(Repl {
            range,
            text: text.into(),
        });
    }
}

/// A piece of the new text: a copy of old text, or new text that replaced `origin` (empty
/// origin: an insertion).
#[derive(Clone, Debug)]
enum Piece {
    Old(Range<usize>),
    New { len: usize, origin: Range<usize> },
}

/// The new text with, for each piece, where it starts in the new text.
struct Applied {
    new: Vec<char>,
    /// (new start, piece) in new-text order.
    pieces: Vec<(usize, Piece)>,
    /// Non-empty old ranges (they partition the old text) → piece index, by old start.
    by_old: Vec<(Range<usize>, usize)>,
    /// Old code points changed, inserted, deleted or moved (a measure of the edit's size).
    touched: usize,
}

fn apply(old: &[char], edit: &Edit) -> Applied {
    let n = old.len();
    // 1. The old text as segments in new order, after the moves.
    let mut segs: Vec<Range<usize>> = Vec::with_capacity(1 + 3 * edit.moves.len());
    segs.push(0..n);
    let split = |segs: &mut Vec<Range<usize>>, at: usize| {
        if let Some(i) = segs.iter().position(|s| s.start < at && at < s.end) {
            let s = segs[i].clone();
            segs[i] = s.start..at;
            segs.insert(i + 1, at..s.end);
        }
    };
    let mut touched = 0;
    for (block, dest) in &edit.moves {
        if block.is_empty() || (block.start..=block.end).contains(dest) || *dest > n {
            continue;
        }
        split(&mut segs, block.start);
        split(&mut segs, block.end);
        split(&mut segs, *dest);
        let moved: Vec<Range<usize>> = segs
            .iter()
            .filter(|s| s.start >= block.start && s.end <= block.end)
            .cloned()
            .collect();
        segs.retain(|s| !(s.start >= block.start && s.end <= block.end));
        let at = segs
            .iter()
            .position(|s| s.start == *dest)
            .unwrap_or(segs.len());
        segs.splice(at..at, moved);
        touched += block.len();
    }
    // 2. The replacements, sorted; overlapping ones dropped.
    let mut repls: Vec<&Repl> = edit.repls.iter().filter(|r| r.range.end <= n).collect();
    repls.sort_by_key(|r| (r.range.start, r.range.end));
    let mut kept: Vec<&Repl> = Vec::with_capacity(repls.len());
    for r in repls {
        if kept.last().is_none_or(|k| r.range.start >= k.range.end) {
            kept.push(r);
        }
    }
    // Each replacement belongs to the segment holding its old range (insertions: the segment
    // holding the code point they go before); those crossing a segment boundary are dropped.
    let mut by_seg_start: Vec<(usize, usize)> =
        segs.iter().enumerate().map(|(i, s)| (s.start, i)).collect();
    by_seg_start.sort_unstable();
    let mut per_seg: Vec<Vec<&Repl>> = vec![Vec::new(); segs.len()];
    for r in kept {
        let a = r.range.start;
        let probe = if a == n { n.saturating_sub(1) } else { a };
        let k = by_seg_start.partition_point(|(s, _)| *s <= probe);
        let Some(&(_, si)) = k.checked_sub(1).map(|k| &by_seg_start[k]) else {
            continue;
        };
        let seg = &segs[si];
        let inside = if r.range.is_empty() {
            seg.start <= a && (a < seg.end || a == n)
        } else {
            seg.start <= a && r.range.end <= seg.end
        };
        if inside {
            per_seg[si].push(r);
        }
    }
    // 3. Pieces in new order.
    let mut new = Vec::with_capacity(n + n / 8);
    let mut pieces = Vec::new();
    for (si, seg) in segs.iter().enumerate() {
        let mut at = seg.start;
        for r in &per_seg[si] {
            if r.range.start > at {
                pieces.push((new.len(), Piece::Old(at..r.range.start)));
                new.extend_from_slice(&old[at..r.range.start]);
            }
            let text: Vec<char> = r.text.chars().collect();
            pieces.push((
                new.len(),
                Piece::New {
                    len: text.len(),
                    origin: r.range.clone(),
                },
            ));
            touched += r.range.len().max(text.len());
            new.extend_from_slice(&text);
            at = r.range.end;
        }
        if seg.end > at {
            pieces.push((new.len(), Piece::Old(at..seg.end)));
            new.extend_from_slice(&old[at..seg.end]);
        }
    }
    let mut by_old: Vec<(Range<usize>, usize)> = pieces
        .iter()
        .enumerate()
        .filter_map(|(i, (_, p))| match p {
            Piece::Old(r) => Some((r.clone(), i)),
            Piece::New { origin, .. } if !origin.is_empty() => Some((origin.clone(), i)),
            Piece::New { .. } => None,
        })
        .collect();
    by_old.sort_by_key(|(r, _)| r.start);
    Applied {
        new,
        pieces,
        by_old,
        touched,
    }
}

impl Applied {
    /// The piece holding old code point `c`.
    fn piece_of(&self, c: usize) -> Option<usize> {
        let k = self.by_old.partition_point(|(r, _)| r.start <= c);
        let (r, i) = self.by_old.get(k.checked_sub(1)?)?;
        r.contains(&c).then_some(*i)
    }

    /// New offset of an annotation's start boundary `s` (insertions at `s` go before it; a
    /// replacement starting at `s` becomes part of it).
    fn map_start(&self, s: usize) -> Option<usize> {
        let i = self.piece_of(s)?;
        match &self.pieces[i] {
            (pos, Piece::Old(r)) => Some(pos + s - r.start),
            (pos, Piece::New { origin, .. }) => (origin.start == s).then_some(*pos),
        }
    }

    /// New offset of an annotation's end boundary `e` (exclusive).
    fn map_end(&self, e: usize) -> Option<usize> {
        let i = self.piece_of(e.checked_sub(1)?)?;
        match &self.pieces[i] {
            (pos, Piece::Old(r)) => Some(pos + e - r.start),
            (pos, Piece::New { origin, len }) => (origin.end == e).then_some(pos + len),
        }
    }

    /// Do all pieces making up new range `new` come from old range `old` (or are insertions
    /// inside it)?
    fn is_from(&self, new: &Range<usize>, old: &Range<usize>) -> bool {
        let first = self.pieces.partition_point(|(pos, _)| *pos <= new.start);
        let mut i = first.saturating_sub(1);
        while i < self.pieces.len() && self.pieces[i].0 < new.end {
            let (pos, piece) = &self.pieces[i];
            let ok = match piece {
                Piece::Old(r) => {
                    // Only the part inside `new` matters.
                    let from = r.start + new.start.saturating_sub(*pos);
                    let to = (r.start + (new.end - pos)).min(r.end);
                    from >= old.start && to <= old.end
                }
                Piece::New { origin, len } => {
                    *len == 0
                        || *pos + len <= new.start
                        || (origin.start >= old.start && origin.end <= old.end)
                }
            };
            if !ok {
                return false;
            }
            i += 1;
        }
        true
    }
}

impl Applied {
    /// The old range that new range `new` comes from (unchanged or edited inside), if its
    /// boundaries map back to old boundaries.
    fn origin_of(&self, new: &Range<usize>) -> Option<Range<usize>> {
        if new.is_empty() {
            return None;
        }
        let piece_at = |c: usize| {
            let k = self.pieces.partition_point(|(pos, _)| *pos <= c);
            // Skip empty pieces (deletions) at the same position.
            let mut i = k.checked_sub(1)?;
            while i > 0 && matches!(self.pieces[i].1, Piece::New { len: 0, .. }) {
                i -= 1;
            }
            Some(&self.pieces[i])
        };
        let start = match piece_at(new.start)? {
            (pos, Piece::Old(r)) => r.start + (new.start - pos),
            (pos, Piece::New { origin, .. }) if *pos == new.start && !origin.is_empty() => {
                origin.start
            }
            _ => return None,
        };
        let end = match piece_at(new.end - 1)? {
            (pos, Piece::Old(r)) => r.start + (new.end - pos),
            (pos, Piece::New { origin, len }) if pos + len == new.end && !origin.is_empty() => {
                origin.end
            }
            _ => return None,
        };
        (start < end).then_some(start..end)
    }
}

/// Does `new_range` come from an old place (possibly edited since) whose quote was exactly the
/// anchor's, with the same context give or take [`TWIN_EDITS`] code points a side? Then the
/// stored selector was not unique in the old text: only the old position told the two places
/// apart.
fn is_twin(applied: &Applied, old: &[char], anchor: &Anchor, new_range: &Range<usize>) -> bool {
    let Some(o) = applied.origin_of(new_range) else {
        return false;
    };
    if o.start == anchor.position.start {
        return false;
    }
    let prefix: Vec<char> = anchor.quote.prefix.chars().collect();
    let suffix: Vec<char> = anchor.quote.suffix.chars().collect();
    let before = &old[o.start.saturating_sub(prefix.len())..o.start];
    let after = &old[o.end..(o.end + suffix.len()).min(old.len())];
    old[o.clone()]
        .iter()
        .copied()
        .eq(anchor.quote.exact.chars())
        && banded_levenshtein(&prefix, before, TWIN_EDITS).is_some()
        && banded_levenshtein(&suffix, after, TWIN_EDITS).is_some()
}

/// How many code points each context side of a twin may differ by (a capital letter, a line
/// break for a space: the test pages repeat their lorem ipsum like that).
const TWIN_EDITS: usize = 2;

/// Ground truth for one annotation.
#[derive(Clone, Debug, PartialEq)]
enum Truth {
    /// The annotated text is unchanged at this new range.
    Kept(Range<usize>),
    /// The annotated text changed slightly; it is at this new range.
    Edited(Range<usize>),
    /// Deleted, cut at a boundary, or rewritten: orphan or review.
    Gone,
}

impl Truth {
    fn range(&self) -> Option<&Range<usize>> {
        match self {
            Truth::Kept(r) | Truth::Edited(r) => Some(r),
            Truth::Gone => None,
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Truth::Kept(_) => "kept",
            Truth::Edited(_) => "edited",
            Truth::Gone => "gone",
        }
    }
}

/// How similar an edited text must still be to count as the same annotation.
const EDITED_MIN_SIMILARITY: f64 = 0.8;

fn truth(applied: &Applied, old: &[char], span: Range<usize>) -> Truth {
    let (Some(start), Some(end)) = (applied.map_start(span.start), applied.map_end(span.end))
    else {
        return Truth::Gone;
    };
    if end <= start || !applied.is_from(&(start..end), &span) {
        return Truth::Gone;
    }
    // Like an anchor, the new range holds no white space at its ends.
    let new = &applied.new;
    let mut start = start;
    let mut end = end;
    while start < end && new[start].is_whitespace() {
        start += 1;
    }
    while end > start && new[end - 1].is_whitespace() {
        end -= 1;
    }
    if end == start {
        return Truth::Gone;
    }
    let a = &old[span.clone()];
    let b = &applied.new[start..end];
    if a == b {
        return Truth::Kept(start..end);
    }
    if b.iter().all(|c| c.is_whitespace()) {
        return Truth::Gone;
    }
    let longest = a.len().max(b.len());
    let budget = ((1.0 - EDITED_MIN_SIMILARITY) * longest as f64).floor() as usize;
    match banded_levenshtein(a, b, budget) {
        Some(d) if 1.0 - d as f64 / longest as f64 >= EDITED_MIN_SIMILARITY => {
            Truth::Edited(start..end)
        }
        _ => Truth::Gone,
    }
}

/// Levenshtein distance if it is at most `k` (a band of width 2k+1 around the diagonal).
fn banded_levenshtein(a: &[char], b: &[char], k: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > k {
        return None;
    }
    let inf = usize::MAX / 2;
    let m = b.len();
    let mut prev = vec![inf; m + 1];
    let mut cur = vec![inf; m + 1];
    for (j, p) in prev.iter_mut().enumerate().take(k.min(m) + 1) {
        *p = j;
    }
    for i in 1..=a.len() {
        let lo = i.saturating_sub(k);
        let hi = (i + k).min(m);
        cur.iter_mut().for_each(|c| *c = inf);
        if lo == 0 {
            cur[0] = i;
        }
        for j in lo.max(1)..=hi {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        if cur[lo..=hi].iter().all(|&v| v > k) {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[m] <= k).then_some(prev[m])
}

// ---------------------------------------------------------------------------------------------
// Edit kinds

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    TypoOutside,
    TypoInside,
    InsertSentence,
    DeleteSentence,
    InsertParagraph,
    DeleteParagraph,
    MoveParagraph,
    QuotesAround,
    QuotesNormalised,
    DuplicatePhrase,
    Whitespace,
    DeleteAnnotated,
    HeavyRewrite,
}

const KINDS: [Kind; 13] = [
    Kind::TypoOutside,
    Kind::TypoInside,
    Kind::InsertSentence,
    Kind::DeleteSentence,
    Kind::InsertParagraph,
    Kind::DeleteParagraph,
    Kind::MoveParagraph,
    Kind::QuotesAround,
    Kind::QuotesNormalised,
    Kind::DuplicatePhrase,
    Kind::Whitespace,
    Kind::DeleteAnnotated,
    Kind::HeavyRewrite,
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::TypoOutside => "typo fix outside",
            Kind::TypoInside => "typo fix inside",
            Kind::InsertSentence => "inserted sentence",
            Kind::DeleteSentence => "deleted sentence",
            Kind::InsertParagraph => "inserted paragraph",
            Kind::DeleteParagraph => "deleted paragraph",
            Kind::MoveParagraph => "moved paragraph",
            Kind::QuotesAround => "quotes/punct. around",
            Kind::QuotesNormalised => "quotes → straight",
            Kind::DuplicatePhrase => "duplicated phrase",
            Kind::Whitespace => "whitespace normalised",
            Kind::DeleteAnnotated => "annotated text deleted",
            Kind::HeavyRewrite => "heavy rewrite",
        }
    }
}

/// A typo in (or the fix of a typo in) `word`: swapped, replaced, dropped or doubled letter.
fn typo(word: &[char], rng: &mut Rng) -> Option<String> {
    let n = word.len();
    if n < 2 {
        return None;
    }
    let mut w = word.to_vec();
    for _ in 0..4 {
        match rng.below(4) {
            0 => {
                let i = rng.below(n - 1);
                if w[i] != w[i + 1] {
                    w.swap(i, i + 1);
                }
            }
            1 => {
                let i = rng.below(n);
                let c = w[i];
                if c.is_ascii_alphabetic() {
                    let base = if c.is_ascii_uppercase() { b'A' } else { b'a' };
                    let shifted = (c as u8 - base + 1 + rng.below(24) as u8) % 26 + base;
                    w[i] = shifted as char;
                } else {
                    w[i] = 'x';
                }
            }
            2 if n >= 3 => {
                w.remove(rng.below(n));
            }
            _ => {
                let i = rng.below(n);
                w.insert(i, w[i]);
            }
        }
        if w != word {
            return Some(w.into_iter().collect());
        }
    }
    None
}

fn typo_word(doc: &Doc, edit: &mut Edit, word: usize, rng: &mut Rng) {
    let r = doc.words[word].clone();
    if let Some(t) = typo(&doc.chars[r.clone()], rng) {
        edit.replace(r, t);
    }
}

/// Start of the sentence after the one holding `pos`, or the end of its paragraph.
fn next_sentence_boundary(doc: &Doc, pos: usize) -> Option<usize> {
    let s = Doc::containing(&doc.sentences, pos)?;
    let p = Doc::containing(&doc.paragraphs, pos)?;
    match doc.sentences.get(s + 1) {
        Some(next) if next.start < doc.paragraphs[p].end => Some(next.start),
        _ => Some(doc.paragraphs[p].end),
    }
}

/// Inserts a sentence at a sentence boundary `at` (a sentence start or a paragraph end).
fn insert_sentence(doc: &Doc, edit: &mut Edit, at: usize, sentence: &str) {
    let at_paragraph_end = at >= doc.chars.len() || doc.chars[at] == '\n';
    if at_paragraph_end {
        edit.replace(at..at, format!(" {sentence}"));
    } else {
        edit.replace(at..at, format!("{sentence} "));
    }
}

/// The old range of a sentence with the white space after it (or before it, at a paragraph end).
fn sentence_block(doc: &Doc, s: usize) -> Range<usize> {
    let r = doc.sentences[s].clone();
    let mut end = r.end;
    while end < doc.chars.len() && doc.chars[end] == ' ' {
        end += 1;
    }
    if end == r.end {
        let mut start = r.start;
        while start > 0 && doc.chars[start - 1] == ' ' {
            start -= 1;
        }
        return start..r.end;
    }
    r.start..end
}

fn quote_swap(c: char) -> Option<&'static str> {
    Some(match c {
        '“' | '”' | '«' | '»' => "\"",
        '‘' | '’' => "'",
        '"' => "“",
        '\'' => "‘",
        _ => return None,
    })
}

fn normalise_quotes(doc: &Doc, edit: &mut Edit, range: Range<usize>) {
    for i in range {
        let replacement = match doc.chars[i] {
            '“' | '”' | '„' | '«' | '»' => "\"",
            '‘' | '’' => "'",
            '—' => "--",
            '–' => "-",
            '…' => "...",
            '\u{a0}' => " ",
            _ => continue,
        };
        edit.replace(i..i + 1, replacement);
    }
}

fn overlaps_any(r: &Range<usize>, spans: &[Range<usize>]) -> bool {
    spans.iter().any(|s| s.start < r.end && r.start < s.end)
}

/// A random sentence, preferring (`tries` times) one that no annotation touches.
/// (Never one of several identical sentences: see [`Doc::sent_repeated`].)
fn free_sentence(doc: &Doc, spans: &[Range<usize>], rng: &mut Rng, tries: usize) -> Option<usize> {
    let mut choice = None;
    for _ in 0..tries {
        let s = rng.below(doc.sentences.len());
        if doc.sent_repeated[s] {
            continue;
        }
        choice = Some(s);
        if !overlaps_any(&sentence_block(doc, s), spans) {
            break;
        }
    }
    choice
}

/// Makes the old text of the white-space kind: double spaces after sentences and between some
/// words, trailing spaces on some lines.
fn irregular_whitespace(doc: &Doc, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(doc.chars.len() + doc.chars.len() / 20);
    let sentence_ends: std::collections::HashSet<usize> =
        doc.sentences.iter().map(|s| s.end).collect();
    for (i, &c) in doc.chars.iter().enumerate() {
        if c == '\n' && rng.chance(0.3) {
            out.push_str(if rng.chance(0.5) { " " } else { "  " });
        }
        out.push(c);
        if c == ' ' && ((sentence_ends.contains(&i) && rng.chance(0.5)) || rng.chance(0.03)) {
            out.push(' ');
        }
    }
    out
}

fn make_edit(
    kind: Kind,
    doc: &Doc,
    doc_index: usize,
    spans: &[Range<usize>],
    pools: &Pools,
    rng: &mut Rng,
) -> Edit {
    let mut edit = Edit::default();
    let n = doc.chars.len();
    let pick_span = |rng: &mut Rng| spans[rng.below(spans.len())].clone();
    match kind {
        Kind::TypoOutside => {
            // Typos in the words right next to annotations (their context), and elsewhere.
            for span in spans {
                if rng.chance(0.5) {
                    let w = if rng.chance(0.5) {
                        doc.word_before(span.start)
                            .filter(|&w| doc.words[w].start + 32 >= span.start)
                    } else {
                        doc.word_after(span.end)
                            .filter(|&w| doc.words[w].end <= span.end + 32)
                    };
                    if let Some(w) = w {
                        typo_word(doc, &mut edit, w, rng);
                    }
                }
            }
            for _ in 0..3 {
                typo_word(doc, &mut edit, rng.below(doc.words.len()), rng);
            }
        }
        Kind::TypoInside => {
            for span in spans {
                if rng.chance(0.6) {
                    let inside = doc.words_inside(span);
                    let count = 1 + usize::from(span.len() > 200) + usize::from(span.len() > 600);
                    for _ in 0..count {
                        if !inside.is_empty() {
                            let w = inside.start + rng.below(inside.len());
                            typo_word(doc, &mut edit, w, rng);
                        }
                    }
                }
            }
        }
        Kind::InsertSentence => {
            for _ in 0..rng.between(1, 3) {
                // Next to an annotated sentence or anywhere.
                let at = if rng.chance(0.6) {
                    let span = pick_span(rng);
                    if rng.chance(0.5) {
                        Doc::containing(&doc.sentences, span.start).map(|s| doc.sentences[s].start)
                    } else {
                        next_sentence_boundary(doc, span.end.saturating_sub(1))
                    }
                } else {
                    Some(doc.sentences[rng.below(doc.sentences.len())].start)
                };
                if let Some(at) = at {
                    insert_sentence(
                        doc,
                        &mut edit,
                        at,
                        pools.sentence(doc_index, &doc.article.text, rng),
                    );
                }
            }
        }
        Kind::DeleteSentence => {
            for _ in 0..rng.between(1, 3) {
                if let Some(s) = free_sentence(doc, spans, rng, 30) {
                    edit.replace(sentence_block(doc, s), "");
                }
            }
        }
        Kind::InsertParagraph => {
            for _ in 0..rng.between(1, 2) {
                let p = rng.below(doc.paragraphs.len());
                let at = doc.paragraphs[p].start;
                let text = format!(
                    "{}{}",
                    pools.paragraph(doc_index, &doc.article.text, rng),
                    doc.para_sep
                );
                edit.replace(at..at, text);
            }
        }
        Kind::DeleteParagraph => {
            let mut choice = None;
            for _ in 0..30 {
                let p = rng.below(doc.paragraphs.len());
                if let Some(block) = doc.paragraph_block(p) {
                    let free = !overlaps_any(&block, spans);
                    choice = Some(block);
                    if free {
                        break;
                    }
                }
            }
            if let Some(block) = choice {
                edit.replace(block, "");
            }
        }
        Kind::MoveParagraph => {
            // Move paragraphs holding annotations.
            let mut moved: Vec<Range<usize>> = Vec::new();
            for _ in 0..rng.between(1, 2) {
                let span = pick_span(rng);
                let Some(p) = Doc::containing(&doc.paragraphs, span.start) else {
                    continue;
                };
                let Some(block) = doc.paragraph_block(p) else {
                    continue;
                };
                if overlaps_any(&block, &moved) || doc.paragraphs.len() < 3 {
                    continue;
                }
                let mut dest = block.start;
                for _ in 0..10 {
                    dest = doc.paragraphs[rng.below(doc.paragraphs.len())].start;
                    if dest != block.start && dest != block.end {
                        break;
                    }
                }
                if dest != block.start && dest != block.end {
                    moved.push(block.clone());
                    edit.moves.push((block, dest));
                }
            }
        }
        Kind::QuotesAround => {
            // Change quote marks or punctuation right around annotations; add quote marks
            // around some.
            for span in spans {
                if !rng.chance(0.6) {
                    continue;
                }
                let before = span.start.checked_sub(1).map(|i| doc.chars[i]);
                let after = doc.chars.get(span.end).copied();
                let mut added_open = false;
                match before.and_then(quote_swap) {
                    Some(q) => edit.replace(span.start - 1..span.start, q),
                    None if before.is_none_or(char::is_whitespace) && rng.chance(0.5) => {
                        edit.replace(span.start..span.start, "“");
                        added_open = true;
                    }
                    None => {}
                }
                match after {
                    Some(c) if quote_swap(c).is_some() => {
                        edit.replace(span.end..span.end + 1, quote_swap(c).unwrap_or("\""));
                    }
                    Some(',') => edit.replace(span.end..span.end + 1, ";"),
                    Some('.') => edit.replace(span.end..span.end + 1, "!"),
                    Some(':') => edit.replace(span.end..span.end + 1, " -"),
                    _ if added_open => edit.replace(span.end..span.end, "”"),
                    _ => {}
                }
            }
        }
        Kind::QuotesNormalised => normalise_quotes(doc, &mut edit, 0..n),
        Kind::DuplicatePhrase => {
            // Copy one to three annotated texts elsewhere: to the next sentence boundary
            // nearby, or anywhere.
            for _ in 0..rng.between(1, 3) {
                let span = pick_span(rng);
                if span.len() > 400 {
                    continue;
                }
                let copy = doc.text(span.clone());
                let at = if rng.chance(0.5) {
                    next_sentence_boundary(doc, span.end.saturating_sub(1))
                } else {
                    Some(doc.sentences[rng.below(doc.sentences.len())].start)
                };
                if let Some(at) = at {
                    let copy = if copy.ends_with(['.', '!', '?']) {
                        copy
                    } else {
                        format!("{copy}.")
                    };
                    insert_sentence(doc, &mut edit, at, &copy);
                }
            }
        }
        Kind::Whitespace => {
            // `doc` is the irregular text: squeeze double spaces, drop trailing spaces, unwrap
            // hard-wrapped lines.
            let c = &doc.chars;
            let mut i = 0;
            while i < n {
                if c[i] == ' ' {
                    let start = i;
                    while i < n && c[i] == ' ' {
                        i += 1;
                    }
                    if i == n || c[i] == '\n' {
                        edit.replace(start..i, "");
                    } else if i - start > 1 {
                        edit.replace(start + 1..i, "");
                    }
                    continue;
                }
                if c[i] == '\n'
                    && doc.para_sep == "\n\n"
                    && i > 0
                    && c[i - 1] != '\n'
                    && i + 1 < n
                    && c[i + 1] != '\n'
                    && rng.chance(0.5)
                {
                    edit.replace(i..i + 1, " ");
                }
                i += 1;
            }
        }
        Kind::DeleteAnnotated => {
            for span in spans {
                // Deleting one of several identical paragraphs or sentences has no single
                // ground truth (see `Doc::para_repeated`).
                let repeated = |ranges: &[Range<usize>], flags: &[bool]| {
                    Doc::containing(ranges, span.start)
                        .is_some_and(|i| flags[i] && ranges[i] == *span)
                };
                if !rng.chance(0.4)
                    || repeated(&doc.paragraphs, &doc.para_repeated)
                    || repeated(&doc.sentences, &doc.sent_repeated)
                {
                    continue;
                }
                if rng.chance(0.3)
                    && let Some(s) = Doc::containing(&doc.sentences, span.start)
                    && doc.sentences[s].end >= span.end
                    && !doc.sent_repeated[s]
                {
                    edit.replace(sentence_block(doc, s), "");
                } else {
                    edit.replace(span.clone(), "");
                }
            }
        }
        Kind::HeavyRewrite => heavy_rewrite(doc, doc_index, spans, pools, rng, &mut edit),
    }
    edit
}

/// Many edits at once: typos, changed words, inserted and deleted sentences, moved and
/// inserted paragraphs, rewritten annotations, straightened quotes in places.
fn heavy_rewrite(
    doc: &Doc,
    doc_index: usize,
    spans: &[Range<usize>],
    pools: &Pools,
    rng: &mut Rng,
    edit: &mut Edit,
) {
    // (The speed text, `doc_index` usize::MAX, is every text at once: no check.)
    let avoid = if doc_index == usize::MAX {
        ""
    } else {
        doc.article.text.as_str()
    };
    for w in 0..doc.words.len() {
        if rng.chance(0.05) {
            typo_word(doc, edit, w, rng);
        } else if rng.chance(0.02) {
            let other = doc.words[rng.below(doc.words.len())].clone();
            edit.replace(doc.words[w].clone(), doc.text(other));
        }
    }
    for _ in 0..doc.sentences.len() / 12 + 1 {
        let s = rng.below(doc.sentences.len());
        insert_sentence(
            doc,
            edit,
            doc.sentences[s].start,
            pools.sentence(doc_index, avoid, rng),
        );
    }
    for _ in 0..doc.sentences.len() / 15 + 1 {
        let s = rng.below(doc.sentences.len());
        if !doc.sent_repeated[s] {
            edit.replace(sentence_block(doc, s), "");
        }
    }
    for span in spans {
        if rng.chance(0.1) {
            let replacement = pools.sentence(doc_index, avoid, rng);
            let cut: String = replacement.chars().take(span.len().max(3)).collect();
            edit.replace(span.clone(), cut);
        }
    }
    for _ in 0..(doc.paragraphs.len() / 25 + 1).min(50) {
        let p = rng.below(doc.paragraphs.len());
        let at = doc.paragraphs[p].start;
        let text = format!("{}{}", pools.paragraph(doc_index, avoid, rng), doc.para_sep);
        edit.replace(at..at, text);
    }
    let mut moved: Vec<Range<usize>> = Vec::new();
    for _ in 0..(doc.paragraphs.len() / 20 + 1).min(50) {
        let p = rng.below(doc.paragraphs.len());
        let Some(block) = doc.paragraph_block(p) else {
            continue;
        };
        let dest = doc.paragraphs[rng.below(doc.paragraphs.len())].start;
        if dest != block.start && dest != block.end && !overlaps_any(&block, &moved) {
            moved.push(block.clone());
            edit.moves.push((block, dest));
        }
    }
    for p in &doc.paragraphs {
        if rng.chance(0.2) {
            normalise_quotes(doc, edit, p.clone());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Classification

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Outcome {
    AnchoredRight,
    Wrong,
    /// Anchored on an identical copy of the stored selector (see [`is_twin`]).
    Twin,
    ReviewRight,
    ReviewOther,
    ReviewGone,
    OrphanedRight,
    Lost,
}

fn classify(p: &Placement, t: &Truth, twin: impl FnOnce(&Range<usize>) -> bool) -> Outcome {
    let proposal = p.proposal.as_ref().map(|a| a.position.range());
    let at_truth = proposal.is_some() && proposal.as_ref() == t.range();
    match (p.status, t) {
        (Status::Anchored, _) if at_truth => Outcome::AnchoredRight,
        (Status::Anchored, _) if proposal.as_ref().is_some_and(twin) => Outcome::Twin,
        (Status::Anchored, _) => Outcome::Wrong,
        (Status::Moved, Truth::Gone) => Outcome::ReviewGone,
        (Status::Moved, _) if at_truth => Outcome::ReviewRight,
        (Status::Moved, _) => Outcome::ReviewOther,
        (Status::Orphaned, Truth::Gone) => Outcome::OrphanedRight,
        (Status::Orphaned, _) => Outcome::Lost,
    }
}

#[derive(Clone, Debug, Default, serde::Serialize)]
struct Counts {
    kind: String,
    cases: usize,
    kept: usize,
    edited: usize,
    gone: usize,
    anchored_right: usize,
    wrong: usize,
    twin: usize,
    review_right: usize,
    review_other: usize,
    review_gone: usize,
    orphaned_right: usize,
    lost: usize,
    time_ms: f64,
}

impl Counts {
    fn add(&mut self, t: &Truth, o: Outcome) {
        self.cases += 1;
        match t {
            Truth::Kept(_) => self.kept += 1,
            Truth::Edited(_) => self.edited += 1,
            Truth::Gone => self.gone += 1,
        }
        match o {
            Outcome::AnchoredRight => self.anchored_right += 1,
            Outcome::Wrong => self.wrong += 1,
            Outcome::Twin => self.twin += 1,
            Outcome::ReviewRight => self.review_right += 1,
            Outcome::ReviewOther => self.review_other += 1,
            Outcome::ReviewGone => self.review_gone += 1,
            Outcome::OrphanedRight => self.orphaned_right += 1,
            Outcome::Lost => self.lost += 1,
        }
    }

    fn merge(&mut self, o: &Counts) {
        self.cases += o.cases;
        self.kept += o.kept;
        self.edited += o.edited;
        self.gone += o.gone;
        self.anchored_right += o.anchored_right;
        self.wrong += o.wrong;
        self.twin += o.twin;
        self.review_right += o.review_right;
        self.review_other += o.review_other;
        self.review_gone += o.review_gone;
        self.orphaned_right += o.orphaned_right;
        self.lost += o.lost;
        self.time_ms += o.time_ms;
    }
}

fn print_table(rows: &[Counts], total: &Counts) {
    println!(
        "\n{:<23} {:>6} {:>6} {:>6} {:>5} | {:>8} {:>5} {:>4} | {:>6} {:>6} {:>6} | {:>6} {:>5}",
        "edit kind",
        "cases",
        "kept",
        "edited",
        "gone",
        "anchored",
        "WRONG",
        "twin",
        "rev ok",
        "rev ?",
        "rev ✗",
        "orph ✓",
        "lost"
    );
    let line = "-".repeat(109);
    println!("{line}");
    for r in rows.iter().chain(std::iter::once(total)) {
        if std::ptr::eq(r, total) {
            println!("{line}");
        }
        println!(
            "{:<23} {:>6} {:>6} {:>6} {:>5} | {:>8} {:>5} {:>4} | {:>6} {:>6} {:>6} | {:>6} {:>5}",
            r.kind,
            r.cases,
            r.kept,
            r.edited,
            r.gone,
            r.anchored_right,
            r.wrong,
            r.twin,
            r.review_right,
            r.review_other,
            r.review_gone,
            r.orphaned_right,
            r.lost
        );
    }
    println!(
        "\nground truth: kept = text unchanged, edited = own text changed slightly (≥ 80 % similar),\n\
         gone = deleted/cut/rewritten. anchored = anchored at the right range; WRONG = anchored\n\
         elsewhere or although gone; twin = anchored on another place whose old quote was the\n\
         annotation's and whose 32-code-point context was too, give or take 2 code points a side\n\
         (the stored selector was not unique in the old text; only the old position told them\n\
         apart); rev ok = moved-review proposing the right range; rev ? =\n\
         review proposing another range; rev ✗ = review although the text is gone (acceptable);\n\
         orph ✓ = orphaned, text gone; lost = orphaned although the text is there."
    );
}

// ---------------------------------------------------------------------------------------------
// Mutation benchmark

#[derive(serde::Serialize)]
struct DumpCase {
    /// The stored position, in code points and (for JavaScript) in UTF-16 code units of the
    /// old text.
    start: usize,
    end: usize,
    start_utf16: usize,
    end_utf16: usize,
    exact: String,
    prefix: String,
    suffix: String,
    truth: &'static str,
    truth_start: Option<usize>,
    truth_end: Option<usize>,
    claimlens: &'static str,
}

#[derive(serde::Serialize)]
struct DumpGroup {
    kind: &'static str,
    doc: String,
    new_text: String,
    cases: Vec<DumpCase>,
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::AnchoredRight => "anchored_right",
        Outcome::Wrong => "wrong",
        Outcome::Twin => "twin",
        Outcome::ReviewRight => "review_right",
        Outcome::ReviewOther => "review_other",
        Outcome::ReviewGone => "review_gone",
        Outcome::OrphanedRight => "orphaned_right",
        Outcome::Lost => "lost",
    }
}

/// One group: an old text with annotations, an edit, a new text. Returns the anchors, the
/// truths and the placements with the time `reanchor` took.
struct GroupRun {
    applied: Applied,
    new: Article,
    anchors: Vec<Anchor>,
    truths: Vec<Truth>,
    placements: Vec<Placement>,
    time: Duration,
}

fn run_group(doc: &Doc, spans: &[Range<usize>], edit: &Edit) -> Option<GroupRun> {
    let anchors: Vec<Anchor> = spans
        .iter()
        .filter_map(|s| Anchor::new(&doc.article, s.clone()).ok())
        .collect();
    let applied = apply(&doc.chars, edit);
    if applied.new == doc.chars {
        return None;
    }
    let new_text: String = applied.new.iter().collect();
    let new = Article::from_plain_text(&new_text, "new");
    assert_eq!(new.text, new_text, "the new text is normalised already");
    let truths: Vec<Truth> = anchors
        .iter()
        .map(|a| truth(&applied, &doc.chars, a.position.range()))
        .collect();
    let refs: Vec<&Anchor> = anchors.iter().collect();
    let started = Instant::now();
    let placements = reanchor(
        &refs,
        &doc.article.hash,
        &new,
        &Thresholds::default(),
        &mut |_, _| {},
    );
    let time = started.elapsed();
    Some(GroupRun {
        applied,
        new,
        anchors,
        truths,
        placements,
        time,
    })
}

fn mutation_benchmark(docs: &[Doc], pools: &Pools, options: &Options) -> Result<usize, String> {
    // About one annotation per 200 code points (400 with --quick), 3 to 40 (15) per text.
    let (per_chars, most) = if options.quick { (400, 15) } else { (200, 40) };
    let per_text = |doc: &Doc| (doc.chars.len() / per_chars).clamp(3, most);
    let selected: Vec<usize> = (0..docs.len())
        .filter(|i| !options.quick || i % 4 == 0 || docs[*i].name.starts_with("sample/"))
        .filter(|i| {
            options
                .only_text
                .as_ref()
                .is_none_or(|o| docs[*i].name.contains(o.as_str()))
        })
        .collect();
    println!(
        "\n== mutation benchmark: {} texts × {} edit kinds, one annotation per {per_chars} code \
         points (3 to {most} per text and edit kind)",
        selected.len(),
        KINDS.len()
    );
    let mut rows: Vec<Counts> = Vec::new();
    let mut dump: Vec<DumpGroup> = Vec::new();
    let mut shown = 0;
    let started = Instant::now();
    for kind in KINDS {
        if options
            .only_kind
            .as_ref()
            .is_some_and(|o| !kind.name().contains(o.as_str()))
        {
            continue;
        }
        let mut counts = Counts {
            kind: kind.name().to_owned(),
            ..Counts::default()
        };
        for &ti in &selected {
            let mut rng = Rng::new(mix(mix(options.seed, ti as u64), kind as u64));
            let irregular;
            let doc = if kind == Kind::Whitespace {
                irregular = Doc::new(&docs[ti].name, &irregular_whitespace(&docs[ti], &mut rng));
                &irregular
            } else {
                &docs[ti]
            };
            let spans = place_spans(doc, per_text(doc), &mut rng);
            if spans.is_empty() {
                continue;
            }
            let edit = make_edit(kind, doc, ti, &spans, pools, &mut rng);
            let Some(run) = run_group(doc, &spans, &edit) else {
                continue;
            };
            counts.time_ms += run.time.as_secs_f64() * 1000.0;
            let mut cases = Vec::new();
            for ((anchor, t), p) in run.anchors.iter().zip(&run.truths).zip(&run.placements) {
                let o = classify(p, t, |r| is_twin(&run.applied, &doc.chars, anchor, r));
                counts.add(t, o);
                if matches!(o, Outcome::Wrong) && shown < options.show {
                    shown += 1;
                    print_case(kind, doc, &run.new, anchor, t, p);
                }
                if options.dump_cases.is_some() {
                    let utf16 = |c: usize| doc.article.slice(0..c).encode_utf16().count();
                    cases.push(DumpCase {
                        start: anchor.position.start,
                        end: anchor.position.end,
                        start_utf16: utf16(anchor.position.start),
                        end_utf16: utf16(anchor.position.end),
                        exact: anchor.quote.exact.clone(),
                        prefix: anchor.quote.prefix.clone(),
                        suffix: anchor.quote.suffix.clone(),
                        truth: t.name(),
                        truth_start: t.range().map(|r| r.start),
                        truth_end: t.range().map(|r| r.end),
                        claimlens: outcome_name(o),
                    });
                }
            }
            if options.dump_cases.is_some() {
                dump.push(DumpGroup {
                    kind: kind.name(),
                    doc: doc.name.clone(),
                    new_text: run.new.text.clone(),
                    cases,
                });
            }
        }
        rows.push(counts);
    }
    let mut total = Counts {
        kind: "all".to_owned(),
        ..Counts::default()
    };
    for r in &rows {
        total.merge(r);
    }
    print_table(&rows, &total);
    println!(
        "\nreanchor() time over all groups: {:.1} ms (benchmark total {:.1} s)",
        total.time_ms,
        started.elapsed().as_secs_f64()
    );
    if let Some(path) = &options.dump_cases {
        let json = serde_json::to_string(&serde_json::json!({ "groups": dump }))
            .map_err(|e| e.to_string())?;
        std::fs::write(path, json).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("cases written to {}", path.display());
    }
    if let Some(path) = &options.dump_results {
        let json = serde_json::to_string_pretty(&serde_json::json!({
            "rows": rows,
            "total": total,
        }))
        .map_err(|e| e.to_string())?;
        std::fs::write(path, json).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("Claimlens results written to {}", path.display());
    }
    Ok(total.wrong)
}

fn excerpt(text: &str, range: Range<usize>, margin: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let from = range.start.saturating_sub(margin);
    let to = (range.end + margin).min(chars.len());
    let mut s = String::new();
    s.extend(&chars[from..range.start.min(chars.len())]);
    s.push('⟦');
    s.extend(&chars[range.start.min(chars.len())..range.end.min(chars.len())]);
    s.push('⟧');
    s.extend(&chars[range.end.min(chars.len())..to]);
    s.replace('\n', "⏎")
}

fn print_case(kind: Kind, doc: &Doc, new: &Article, anchor: &Anchor, t: &Truth, p: &Placement) {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nWRONG [{}] {} (quote {} chars, quote sim {:.2}, context sim {:.2}, {:?})",
        kind.name(),
        doc.name,
        anchor.position.len(),
        p.quote_similarity,
        p.context_similarity,
        p.method
    );
    let _ = writeln!(
        out,
        "  old:      {}",
        excerpt(&doc.article.text, anchor.position.range(), 40)
    );
    match t.range() {
        Some(r) => {
            let _ = writeln!(
                out,
                "  truth:    {} {}",
                t.name(),
                excerpt(&new.text, r.clone(), 40)
            );
        }
        None => {
            let _ = writeln!(out, "  truth:    gone");
        }
    }
    if let Some(a) = &p.proposal {
        let _ = writeln!(
            out,
            "  anchored: {}",
            excerpt(&new.text, a.position.range(), 40)
        );
        let _ = writeln!(
            out,
            "  ranges:   truth {:?}, anchored {:?}",
            t.range(),
            a.position.range()
        );
        let end = a.position.end;
        let _ = writeln!(
            out,
            "  ends:     old …{} / truth …{} / anchored …{}",
            excerpt(
                &doc.article.text,
                anchor.position.end..anchor.position.end,
                30
            ),
            t.range()
                .map_or(String::new(), |r| excerpt(&new.text, r.end..r.end, 30)),
            excerpt(&new.text, end..end, 30)
        );
    }
    print!("{out}");
}

// ---------------------------------------------------------------------------------------------
// Speed

/// Copy `copy` of a text in its own "language": every word is replaced by another word of the
/// corpus vocabulary (a fixed permutation per copy), so that repeated copies of the corpus do
/// not repeat each other's phrases (which would send most annotations to review as ambiguous).
fn variant(doc: &Doc, copy: u64, vocabulary: &HashMap<String, usize>, words: &[String]) -> String {
    let shift = (copy as usize).wrapping_mul(7919) % words.len().max(1);
    let mut out = String::with_capacity(doc.article.text.len());
    let mut at = 0;
    for w in &doc.words {
        out.extend(&doc.chars[at..w.start]);
        let word = doc.text(w.clone());
        match vocabulary.get(&word) {
            Some(&rank) => out.push_str(&words[(rank + shift) % words.len()]),
            None => out.push_str(&word),
        }
        at = w.end;
    }
    out.extend(&doc.chars[at..]);
    out
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn speed_benchmark(docs: &[Doc], pools: &Pools, options: &Options) -> usize {
    const TARGET_CHARS: usize = 5_000_000;
    const ANNOTATIONS: usize = 10_000;
    let runs = if options.quick { 3 } else { 5 };
    let mut words: Vec<String> = docs
        .iter()
        .flat_map(|d| d.words.iter().map(|w| d.text(w.clone())))
        .collect();
    words.sort_unstable();
    words.dedup();
    let vocabulary: HashMap<String, usize> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.clone(), i))
        .collect();
    let mut big = String::new();
    let mut copy = 0;
    let mut count = 0;
    'fill: loop {
        for d in docs {
            let text = if copy == 0 {
                d.article.text.clone()
            } else {
                variant(d, copy, &vocabulary, &words)
            };
            count += text.chars().count() + 1;
            big.push_str(&text);
            if !big.ends_with('\n') {
                big.push('\n');
                count += 1;
            }
            if count >= TARGET_CHARS {
                break 'fill;
            }
        }
        copy += 1;
        if docs.is_empty() {
            break;
        }
    }
    let doc = Doc::new("big", &big);
    let mut rng = Rng::new(mix(options.seed, 0xb16));
    let spans = place_spans(&doc, ANNOTATIONS, &mut rng);
    println!(
        "\n== speed: {} code points ({:.1} MB), {} annotations, median of {runs} runs",
        doc.chars.len(),
        doc.article.text.len() as f64 / 1e6,
        spans.len()
    );

    // (a) A few local edits: a paragraph inserted near the start (everything after shifts),
    // sentences inserted and deleted, typos, a paragraph moved.
    let mut local = Edit::default();
    let p0 = doc.paragraphs[doc.paragraphs.len() / 50].start;
    local.replace(
        p0..p0,
        format!(
            "{}{}",
            pools.paragraph(usize::MAX, "", &mut rng),
            doc.para_sep
        ),
    );
    for _ in 0..5 {
        let s = rng.below(doc.sentences.len());
        insert_sentence(
            &doc,
            &mut local,
            doc.sentences[s].start,
            pools.sentence(usize::MAX, "", &mut rng),
        );
        if let Some(s) = free_sentence(&doc, &[], &mut rng, 30) {
            local.replace(sentence_block(&doc, s), "");
        }
    }
    for _ in 0..40 {
        typo_word(&doc, &mut local, rng.below(doc.words.len()), &mut rng);
    }
    for _ in 0..2 {
        let p = rng.below(doc.paragraphs.len());
        if let Some(block) = doc.paragraph_block(p) {
            let dest = doc.paragraphs[rng.below(doc.paragraphs.len())].start;
            local.moves.push((block, dest));
        }
    }
    let mut heavy = Edit::default();
    heavy_rewrite(&doc, usize::MAX, &spans, pools, &mut rng, &mut heavy);

    let mut wrong = 0;
    for (name, edit, target_ms) in [
        ("(a) local edits", &local, 100.0),
        ("(b) heavy rewrite", &heavy, 1000.0),
    ] {
        if options
            .only_speed
            .as_ref()
            .is_some_and(|o| !name.starts_with(&format!("({o})")))
        {
            continue;
        }
        let applied = apply(&doc.chars, edit);
        let new_text: String = applied.new.iter().collect();
        let new = Article::from_plain_text(&new_text, "new");
        let anchors: Vec<Anchor> = spans
            .iter()
            .filter_map(|s| Anchor::new(&doc.article, s.clone()).ok())
            .collect();
        let refs: Vec<&Anchor> = anchors.iter().collect();
        let mut times = Vec::new();
        let mut placements = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            placements = reanchor(
                &refs,
                &doc.article.hash,
                &new,
                &Thresholds::default(),
                &mut |_, _| {},
            );
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        let mut counts = Counts {
            kind: name.to_owned(),
            ..Counts::default()
        };
        for (a, p) in anchors.iter().zip(&placements) {
            let t = truth(&applied, &doc.chars, a.position.range());
            counts.add(&t, classify(p, &t, |r| is_twin(&applied, &doc.chars, a, r)));
        }
        let ms = median(times.clone());
        let fastest = times.iter().copied().fold(f64::INFINITY, f64::min);
        println!(
            "{name:<18} touched {:>7} code points ({:.2} %): median {ms:>7.1} ms, fastest \
             {fastest:.1} ms (runs: {}) — target ≤ {target_ms:.0} ms: {}",
            applied.touched,
            applied.touched as f64 * 100.0 / doc.chars.len() as f64,
            times
                .iter()
                .map(|t| format!("{t:.0}"))
                .collect::<Vec<_>>()
                .join(", "),
            if ms <= target_ms { "met" } else { "NOT MET" }
        );
        println!(
            "{:<18} anchored {} · WRONG {} · twin {} · review {} ok / {} other / {} gone · orphaned {} ✓ / {} lost",
            "",
            counts.anchored_right,
            counts.wrong,
            counts.twin,
            counts.review_right,
            counts.review_other,
            counts.review_gone,
            counts.orphaned_right,
            counts.lost
        );
        wrong += counts.wrong;
    }
    wrong
}
