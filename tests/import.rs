//! Importing articles from bytes: encodings, Markdown, format detection by content, and the
//! `claimlens text` command. (HTML, PDF and EPUB have their own tests next to their importers.)

use std::path::{Path, PathBuf};

use claimlens::import::{self, text::decode};
use claimlens::model::BlockKind;
use claimlens::model::structure::SourceFormat;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// The encoding each sample is in, from charset-normalizer's own test table.
fn labelled_samples() -> Vec<(String, &'static encoding_rs::Encoding)> {
    let table = std::fs::read_to_string(data("encodings/LABELS.tsv")).unwrap();
    table
        .lines()
        .skip(1)
        .map(|line| {
            let mut cols = line.split('\t');
            let file = cols.next().unwrap().to_owned();
            let label = cols.next().unwrap();
            let label = label.split([' ', '/']).next().unwrap();
            let encoding = encoding_rs::Encoding::for_label(label.as_bytes())
                .unwrap_or_else(|| panic!("unknown label {label}"));
            (file, encoding)
        })
        .collect()
}

#[test]
fn every_encoding_sample_is_decoded_as_labelled() {
    let samples = labelled_samples();
    assert_eq!(samples.len(), 18);
    let mut wrong = Vec::new();
    for (file, expected) in &samples {
        let bytes = std::fs::read(data(&format!("encodings/{file}"))).unwrap();
        let decoded = decode(&bytes, None);
        let expected_text = expected.decode_with_bom_removal(&bytes).0;
        if decoded.encoding != *expected || decoded.text != expected_text {
            wrong.push(format!(
                "{file}: got {}, labelled {}",
                decoded.encoding.name(),
                expected.name()
            ));
        }
        assert!(
            !decoded.text.contains('\u{FFFD}'),
            "{file} decoded with replacement characters"
        );
    }
    assert!(wrong.is_empty(), "{} of 18 wrong: {wrong:#?}", wrong.len());
}

#[test]
fn a_legacy_file_opens_with_its_encoding_in_the_metadata() {
    let bytes = std::fs::read(data("encodings/sample-greek.txt")).unwrap();
    let article = import::import(&bytes, "sample-greek.txt").unwrap();
    assert_eq!(article.meta.encoding.as_deref(), Some("windows-1253"));
    assert!(
        article
            .text
            .chars()
            .any(|c| ('\u{370}'..='\u{3ff}').contains(&c))
    );
    // Importing the same bytes again gives the same text and hash.
    let again = import::import(&bytes, "renamed.txt").unwrap();
    assert_eq!(again.hash, article.hash);
}

#[test]
fn a_rust_blog_post_keeps_its_front_matter_and_structure() {
    let bytes = std::fs::read(data("markdown/cve-2021-42574.md")).unwrap();
    let article = import::import(&bytes, "cve-2021-42574.md").unwrap();
    assert_eq!(article.meta.format, SourceFormat::Markdown);
    assert_eq!(
        article.title,
        "Security advisory for rustc (CVE-2021-42574)"
    );
    assert_eq!(
        article.meta.byline.as_deref(),
        Some("The Rust Security Response WG")
    );
    let kinds: Vec<BlockKind> = article.paragraphs.iter().map(|p| p.kind).collect();
    assert_eq!(kinds[0], BlockKind::Headline);
    assert!(
        matches!(kinds[1], BlockKind::Quote(1)),
        "the post opens with a block quote"
    );
    assert!(kinds.iter().any(|k| matches!(k, BlockKind::Heading(2))));
    assert!(
        kinds
            .iter()
            .any(|k| matches!(k, BlockKind::ListItem { .. }))
    );
    assert!(kinds.contains(&BlockKind::Preformatted));
    // No Markdown syntax survives into the text analysts annotate.
    assert!(!article.text.contains("]("), "link syntax left in the text");
    assert!(!article.text.contains("+++"));
    assert!(!article.text.contains("\n# "));
    assert!(!article.text.contains("**"));
    // Every paragraph's ranges agree with the text.
    for p in &article.paragraphs {
        assert_eq!(
            article.slice(p.chars.clone()),
            &article.text[p.bytes.clone()]
        );
        for span in &p.spans {
            assert!(p.chars.start <= span.chars.start && span.chars.end <= p.chars.end);
        }
    }
}

#[test]
fn yaml_front_matter_and_a_markdown_incident_report() {
    let bytes = std::fs::read(data("markdown/inside-rust_crates-io-incident-report.md")).unwrap();
    let article = import::import(&bytes, "report.md").unwrap();
    assert_eq!(article.meta.format, SourceFormat::Markdown);
    assert_ne!(
        article.title, "report.md",
        "the title comes from the front matter"
    );
    assert!(article.paragraphs.len() > 10);
}

#[test]
fn the_text_command_prints_exactly_the_anchored_text() {
    let path = data("markdown/cve-2021-42574.md");
    let args = claimlens::cli::TextArgs {
        file: path.clone(),
        json: false,
        timeout: 60,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(claimlens::cli::run_text(&args, &mut out, &mut err), 0);
    let article = import::import(&std::fs::read(&path).unwrap(), "cve-2021-42574.md").unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), article.text);

    let args = claimlens::cli::TextArgs { json: true, ..args };
    let mut out = Vec::new();
    assert_eq!(claimlens::cli::run_text(&args, &mut out, &mut err), 0);
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["format"], "markdown");
    assert_eq!(
        json["title"],
        "Security advisory for rustc (CVE-2021-42574)"
    );
    assert_eq!(json["byline"], "The Rust Security Response WG");
    assert_eq!(json["text"], article.text.as_str());
    for key in ["site", "published", "lang", "url"] {
        assert!(
            json.get(key).is_some(),
            "{key} is always present (null when unknown)"
        );
    }
}

#[test]
fn the_text_command_fails_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("photo.txt");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    for file in [png, dir.path().join("missing.html")] {
        let args = claimlens::cli::TextArgs {
            file,
            json: false,
            timeout: 60,
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(claimlens::cli::run_text(&args, &mut out, &mut err), 2);
        assert!(out.is_empty());
        let message = String::from_utf8(err).unwrap();
        assert!(message.starts_with("claimlens text: error: "), "{message}");
    }
}

/// The real binary on a PDF that needs a password: lopdf logs a warning from the import thread
/// while the command waits for it, which once deadlocked on a stderr lock held by `main`.
#[test]
fn the_text_command_reports_an_encrypted_pdf_promptly() {
    let started = std::time::Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_claimlens"))
        .args(["text", "--timeout", "30"])
        .arg(data(
            "pdf/005-libreoffice-writer-password__libreoffice-writer-password.pdf",
        ))
        .output()
        .expect("run claimlens");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("password"), "{stderr}");
    assert!(!stderr.contains("stopped waiting"), "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn the_text_command_reads_pdf_epub_and_html() {
    for (file, format, title) in [
        (
            "pdf/026-latex-multicolumn__multicolumn.pdf",
            "pdf",
            "Two-Column Document with Lorem Ipsum",
        ),
        ("epub/Metamorphosis-jackson.epub", "epub", "Metamorphosis"),
    ] {
        let args = claimlens::cli::TextArgs {
            file: data(file),
            json: true,
            timeout: 60,
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(
            claimlens::cli::run_text(&args, &mut out, &mut err),
            0,
            "{}",
            String::from_utf8_lossy(&err)
        );
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json["format"], format);
        assert_eq!(json["title"], title);
        assert!(json["text"].as_str().unwrap().len() > 1000);
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.htm");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html lang=en><head><title>Harbour deal | The Paper</title>\
         <meta property=og:site_name content='The Paper'></head><body><nav>Home | World</nav>\
         <article><h1>Harbour deal</h1><p class=byline>By Jane Doe</p>\
         <p>The ministry said the contract was signed in secret last spring, according to two \
         officials who saw the documents and spoke on condition of anonymity.</p>\
         <p>A spokesperson called the report <em>completely false</em> and malicious, and said \
         the company would consider legal steps against the newspaper.</p></article>\
         <footer>Comments (12)</footer></body></html>",
    )
    .unwrap();
    let args = claimlens::cli::TextArgs {
        file: page,
        json: true,
        timeout: 60,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(claimlens::cli::run_text(&args, &mut out, &mut err), 0);
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["format"], "html");
    let text = json["text"].as_str().unwrap();
    assert!(text.contains("completely false and malicious"), "{text}");
    assert!(
        !text.contains("Comments (12)"),
        "the page's chrome is not the article: {text}"
    );
}
