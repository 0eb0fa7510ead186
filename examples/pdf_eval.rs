//! Evaluates the PDF importer on a directory of PDFs.
//!
//! `cargo run --release --example pdf_eval -- DIR` prints, per file: ok or the error, blocks,
//! characters, milliseconds, and where ground truth lies beside the PDF (`NAME.expected.txt`,
//! `NAME.html`) a token F1 (bag of words) and a bigram F1 (word order: catches wrong reading
//! order, split and glued words). A bare `.tex` source is mostly macros, so for it only the
//! recall of its literal words is shown (`r=`). With `-v` it also prints the blocks.
//! `tests/data/pdf` has `.expected.txt` files for the LaTeX samples (the .tex with `\\lipsum` and
//! `\\blindtext` expanded).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use claimlens::import::pdf::pdf_to_structured;

fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && !is_mark(c))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0591..=0x05C7 | 0x064B..=0x065F | 0x0670)
}

fn f1<T: std::hash::Hash + Eq + Clone>(got: &[T], want: &[T]) -> f64 {
    if got.is_empty() || want.is_empty() {
        return 0.0;
    }
    let mut counts: HashMap<T, i64> = HashMap::new();
    for t in want {
        *counts.entry(t.clone()).or_default() += 1;
    }
    let mut hit = 0;
    for t in got {
        if let Some(c) = counts.get_mut(t)
            && *c > 0
        {
            *c -= 1;
            hit += 1;
        }
    }
    let p = hit as f64 / got.len() as f64;
    let r = hit as f64 / want.len() as f64;
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

fn bigrams(t: &[String]) -> Vec<(String, String)> {
    t.windows(2).map(|w| (w[0].clone(), w[1].clone())).collect()
}

fn strip_markup(text: &str, tex: bool) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' if !tex => {
                for d in chars.by_ref() {
                    if d == '>' {
                        break;
                    }
                }
                out.push(' ');
            }
            '\\' if tex => {
                while chars.peek().is_some_and(|d| d.is_alphabetic()) {
                    chars.next();
                }
                out.push(' ');
            }
            '%' if tex => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        break;
                    }
                }
            }
            '{' | '}' | '[' | ']' | '&' if tex => out.push(' '),
            _ => out.push(c),
        }
    }
    if !tex {
        // Drop the <head> contents (title) by taking what follows <body>, if any.
        if let Some(i) = text.find("<body>") {
            return strip_markup(&text[i + 6..], false);
        }
    }
    out
}

fn ground_truth(pdf: &Path) -> Option<(String, &'static str)> {
    let stem = pdf.file_stem()?.to_str()?;
    let dir = pdf.parent()?;
    let expected = dir.join(format!("{stem}.expected.txt"));
    if let Ok(t) = std::fs::read_to_string(&expected) {
        return Some((t, "expected.txt"));
    }
    let prefix = stem.split("__").next()?;
    let siblings: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{prefix}__")))
        })
        .collect();
    for (ext, tex, label) in [
        ("html", false, "html"),
        ("tex", true, "tex: recall of its literal words"),
    ] {
        if let Some(p) = siblings
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == ext))
            && let Ok(t) = std::fs::read_to_string(p)
        {
            return Some((strip_markup(&t, tex), label));
        }
    }
    None
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let dir = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .cloned()
        .unwrap_or_else(|| "tests/data/pdf".to_string());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")))
        .collect();
    files.sort();
    println!(
        "{:<62} {:<10} {:>6} {:>7} {:>7} {:>8} {:>9}  truth",
        "file", "result", "blocks", "chars", "ms", "tokenF1", "bigramF1"
    );
    for path in files {
        let bytes = std::fs::read(&path).expect("read");
        let start = Instant::now();
        let result = pdf_to_structured(&bytes);
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        match result {
            Ok(doc) => {
                let text: String = doc
                    .blocks
                    .iter()
                    .map(|b| b.runs.iter().map(|r| r.text.as_str()).collect::<String>())
                    .collect::<Vec<_>>()
                    .join("\n\n");
                let (tf, bf, label) = match ground_truth(&path) {
                    Some((truth, label)) if label.starts_with("tex") => {
                        // A .tex source is mostly macros (\\lipsum, \\blindtext): only say how
                        // many of its literal words were found.
                        let got: std::collections::HashSet<String> =
                            tokens(&text).into_iter().collect();
                        let want = tokens(&truth);
                        let found = want.iter().filter(|t| got.contains(*t)).count();
                        (
                            format!("r={:.3}", found as f64 / want.len().max(1) as f64),
                            "-".to_string(),
                            label,
                        )
                    }
                    Some((truth, label)) => {
                        let (g, w) = (tokens(&text), tokens(&truth));
                        (
                            format!("{:.3}", f1(&g, &w)),
                            format!("{:.3}", f1(&bigrams(&g), &bigrams(&w))),
                            label,
                        )
                    }
                    None => ("-".into(), "-".into(), "-"),
                };
                println!(
                    "{name:<62} {:<10} {:>6} {:>7} {ms:>7.1} {tf:>8} {bf:>9}  {label}",
                    "ok",
                    doc.blocks.len(),
                    text.chars().count()
                );
                if verbose {
                    println!("  meta: {:?}", doc.meta);
                    for b in &doc.blocks {
                        let t: String = b.runs.iter().map(|r| r.text.as_str()).collect();
                        println!("  [{:?}] {t}", b.kind);
                    }
                }
            }
            Err(e) => {
                let kind = format!("{e:?}");
                let kind = kind.split('(').next().unwrap_or("error");
                println!(
                    "{name:<62} {:<10} {:>6} {:>7} {ms:>7.1}",
                    format!("err:{kind}"),
                    "-",
                    "-"
                );
                if verbose {
                    println!("  {e}");
                }
            }
        }
    }
}
