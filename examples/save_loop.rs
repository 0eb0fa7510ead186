//! The saving process of the kill test (`bench/kill/kill_test.sh`): saves a set over and over
//! with `store::save_set_with_backups`, as the app does, printing `saved N` once version N is
//! durably on disk; or checks, after a kill, that the set file is whole and is a version the
//! process reported as saved (or the one it was saving when killed).
//!
//! ```sh
//! cargo run --release --example save_loop -- run SET.ron
//! cargo run --release --example save_loop -- check SET.ron LAST_REPORTED
//! ```

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use claimlens::app::{SAMPLE_REF, sample_article};
use claimlens::model::{Anchor, Annotation, AnnotationId, AnnotationSet, LabelId, Timestamp};
use claimlens::store;

/// Version `n` of the set: 1 to 40 annotations over the sample, each noting the version, so
/// consecutive versions differ in size and content.
fn version(n: u64) -> AnnotationSet {
    let article = sample_article();
    let mut set = AnnotationSet::new(&article, SAMPLE_REF.to_owned());
    let words: Vec<usize> = article
        .text
        .char_indices()
        .filter(|(_, c)| *c == ' ')
        .map(|(i, _)| article.text[..i].chars().count())
        .collect();
    let count = (n % 40 + 1) as usize;
    for k in 0..count {
        let start = words[(k * 7 + n as usize) % (words.len() - 1)] + 1;
        let end = (start + 5 + k % 30).min(article.char_len());
        let label = ["claim", "source", "denial"][k % 3];
        let mut a = Annotation::new(
            LabelId::new(label),
            Anchor::new(&article, start..end).expect("valid range"),
            Timestamp::UNIX_EPOCH,
        );
        a.id = AnnotationId::from_u128(u128::from(n) << 16 | k as u128);
        a.note = format!("version {n}, annotation {k}: {}", "x".repeat(k * 10));
        set.insert(a);
    }
    set
}

fn run(path: &Path) -> ExitCode {
    let mut out = std::io::stdout();
    for n in 1.. {
        if let Err(err) = store::save_set_with_backups(&version(n), path) {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
        // Reported only once the save returned: the file is durable as version n.
        let _ = writeln!(out, "saved {n}");
        let _ = out.flush();
    }
    ExitCode::SUCCESS
}

/// Exit 0 and print `ok reported|in-flight|none` if the file is consistent, else exit 1.
fn check(path: &Path, last: u64) -> ExitCode {
    if !path.exists() {
        // Killed before the first save finished: nothing was promised.
        return if last == 0 {
            println!("ok none");
            ExitCode::SUCCESS
        } else {
            println!("BROKEN: version {last} was reported saved but the file is missing");
            ExitCode::FAILURE
        };
    }
    let set = match store::load_set(path) {
        Ok(set) => set,
        Err(err) => {
            println!("BROKEN: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = if last > 0 && set == version(last) {
        "reported"
    } else if set == version(last + 1) {
        "in-flight"
    } else {
        println!(
            "BROKEN: the file is neither version {last} nor {}",
            last + 1
        );
        return ExitCode::FAILURE;
    };
    for backup in store::backups_of(path) {
        if let Err(err) = store::load_set(&backup) {
            println!("BROKEN backup: {err}");
            return ExitCode::FAILURE;
        }
    }
    println!("ok {outcome}");
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [cmd, path] if cmd == "run" => run(Path::new(path)),
        [cmd, path, last] if cmd == "check" => match last.parse() {
            Ok(last) => check(Path::new(path), last),
            Err(_) => ExitCode::FAILURE,
        },
        _ => {
            eprintln!("usage: save_loop run SET.ron | save_loop check SET.ron LAST_REPORTED");
            ExitCode::FAILURE
        }
    }
}
