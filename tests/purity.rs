//! Holds the line around the model: nothing under `src/model/` may mention the screen (`egui`,
//! `eframe`, `rfd`) or the file system (`std::fs`), so every rule in it stays testable without a
//! window or a disk (see `src/model/mod.rs`).
//!
//! The check is a plain text scan of every file in the folder, comments and docs included: the
//! model is meant to be pure, so there is nothing to ignore.

use std::fmt;
use std::path::{Path, PathBuf};

/// What the model must not mention. Matched case-sensitively anywhere in a line, after white
/// space around `::` is removed (so `std :: fs` counts as `std::fs`).
const FORBIDDEN: [&str; 4] = ["egui", "eframe", "rfd", "std::fs"];

/// One forbidden mention: where, and which word.
#[derive(Debug, PartialEq, Eq)]
struct Violation {
    file: PathBuf,
    /// 1-based.
    line: usize,
    needle: &'static str,
    text: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: mentions `{}`: {}",
            self.file.display(),
            self.line,
            self.needle,
            self.text.trim()
        )
    }
}

/// `line` with white space around every `::` removed.
fn collapse_path_separators(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("::") {
        out.push_str(rest[..at].trim_end());
        out.push_str("::");
        rest = rest[at + 2..].trim_start();
    }
    out.push_str(rest);
    out
}

/// True if `line` uses a module called `fs` by path (`fs::read`, `fs::File`): catches
/// `use std::{fs, io};` followed by `fs::write(..)`, which the `std::fs` needle alone would miss.
fn uses_fs_module(line: &str) -> bool {
    line.match_indices("fs::").any(|(at, _)| {
        line[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    })
}

/// The identifiers in `line` (`use std::{fs, io};` → `use`, `std`, `fs`, `io`).
fn words(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// Every forbidden mention in `text`, reported as being in `file`.
///
/// Besides the plain needles, `fs` named inside a `std::{ .. }` import group (which may span
/// lines) counts as `std::fs`.
fn scan_text(file: &Path, text: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    // Brace depth inside a `std::{` group; 0 outside one.
    let mut std_group_depth = 0usize;
    for (i, raw) in text.lines().enumerate() {
        let line = collapse_path_separators(raw);
        let mut needles: Vec<&'static str> = FORBIDDEN
            .into_iter()
            .filter(|needle| line.contains(needle))
            .collect();
        let mut in_group = String::new();
        let mut rest = line.as_str();
        if std_group_depth == 0
            && let Some(at) = rest.find("std::{")
        {
            rest = &rest[at + "std::{".len()..];
            std_group_depth = 1;
        }
        if std_group_depth > 0 {
            for c in rest.chars() {
                match c {
                    '{' => std_group_depth += 1,
                    '}' => std_group_depth -= 1,
                    _ => {}
                }
                if std_group_depth == 0 {
                    break;
                }
                in_group.push(c);
            }
        }
        let fs_in_group = words(&in_group).any(|w| w == "fs");
        if !needles.contains(&"std::fs") && (fs_in_group || uses_fs_module(&line)) {
            needles.push("std::fs");
        }
        found.extend(needles.into_iter().map(|needle| Violation {
            file: file.to_owned(),
            line: i + 1,
            needle,
            text: raw.to_owned(),
        }));
    }
    found
}

/// Scans every file under `dir`, recursively. Returns the violations and how many files were
/// read. A file that is not UTF-8 is itself a violation (it cannot be checked).
fn scan_dir(dir: &Path) -> (Vec<Violation>, usize) {
    let mut violations = Vec::new();
    let mut files = 0;
    let mut pending = vec![dir.to_owned()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()));
        let mut paths: Vec<PathBuf> = entries
            .map(|e| e.expect("directory entry").path())
            .collect();
        paths.sort();
        for path in paths {
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            files += 1;
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
            match String::from_utf8(bytes) {
                Ok(text) => violations.extend(scan_text(&path, &text)),
                Err(_) => violations.push(Violation {
                    file: path,
                    line: 0,
                    needle: "(not UTF-8, cannot be checked)",
                    text: String::new(),
                }),
            }
        }
    }
    (violations, files)
}

#[test]
fn model_mentions_no_ui_and_no_file_system() {
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model");
    let (violations, files) = scan_dir(&model);
    assert!(
        files >= 6,
        "expected the model's source files under {}, found {files} files",
        model.display()
    );
    // Name files relative to the crate, as `src/model/x.rs:12`.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let report: Vec<String> = violations
        .iter()
        .map(|v| {
            let file = v.file.strip_prefix(root).unwrap_or(&v.file);
            format!(
                "{}:{}: mentions `{}`: {}",
                file.display(),
                v.line,
                v.needle,
                v.text.trim()
            )
        })
        .collect();
    assert!(
        violations.is_empty(),
        "src/model must stay pure (no egui, eframe, rfd or std::fs):\n{}",
        report.join("\n")
    );
}

#[test]
fn scanner_finds_an_egui_import() {
    let text = "//! Pure.\n\nuse std::ops::Range;\nuse egui::Ui;\n";
    let found = scan_text(Path::new("src/model/x.rs"), text);
    assert_eq!(
        found,
        [Violation {
            file: PathBuf::from("src/model/x.rs"),
            line: 4,
            needle: "egui",
            text: "use egui::Ui;".to_owned(),
        }]
    );
    assert_eq!(
        found[0].to_string(),
        "src/model/x.rs:4: mentions `egui`: use egui::Ui;"
    );
}

#[test]
fn scanner_finds_every_forbidden_word_and_disguised_fs() {
    let cases: [(&str, &[&str]); 11] = [
        ("fn draw(ui: &mut egui::Ui) {}", &["egui"]),
        ("let _ = eframe::run_native;", &["eframe"]),
        ("// opened with rfd::FileDialog", &["rfd"]),
        ("let s = std::fs::read_to_string(p);", &["std::fs"]),
        ("let s = std :: fs :: read(p);", &["std::fs"]),
        ("use std::{fs, io};", &["std::fs"]),
        (
            "use std::{io::Read, collections::{HashMap, fs}};",
            &["std::fs"],
        ),
        ("use std::{io, ops::Range}; // fs is elsewhere", &[]),
        ("    fs::write(p, b)?;", &["std::fs"]),
        ("use ::egui_extras as x; // rfd", &["egui", "rfd"]),
        ("use crate::model::refs::Table;", &[]),
    ];
    for (line, expected) in cases {
        let found: Vec<&str> = scan_text(Path::new("m.rs"), line)
            .iter()
            .map(|v| v.needle)
            .collect();
        assert_eq!(found, expected, "scanning {line:?}");
    }
}

#[test]
fn scanner_follows_a_multi_line_std_import_group() {
    let text = "use std::{\n    io,\n    fs,\n};\nuse fs_extra as other; // a crate, not std\n";
    let found: Vec<(usize, &str)> = scan_text(Path::new("m.rs"), text)
        .iter()
        .map(|v| (v.line, v.needle))
        .collect();
    assert_eq!(found, [(3, "std::fs")]);
}

#[test]
fn scanner_passes_clean_model_code() {
    let text = "//! Anchors.\nuse std::ops::Range;\nuse super::article::Article;\n\
                /// The GUI draws this elsewhere.\npub fn offsets(r: Range<usize>) {}\n";
    assert_eq!(scan_text(Path::new("m.rs"), text), []);
}

#[test]
fn dir_scan_recurses_and_names_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("nested")).expect("mkdir");
    std::fs::write(dir.path().join("clean.rs"), "pub struct A;\n").expect("write");
    let dirty = dir.path().join("nested/deep.rs");
    std::fs::write(&dirty, "pub struct B;\n\nfn f() { eframe::x(); }\n").expect("write");
    let (violations, files) = scan_dir(dir.path());
    assert_eq!(files, 2);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].file, dirty);
    assert_eq!(violations[0].line, 3);
    assert_eq!(violations[0].needle, "eframe");
}
