//! Exports (Markdown brief, HTML, CSV) as golden files on the sample article with a fixed set,
//! hostile notes, and the `export`, `validate` and `stats` commands run as the real binary.
//!
//! Golden files live in `tests/data/export/`. After an intended change of an exporter, rewrite
//! them with `CLAIMLENS_BLESS=1 cargo test --test tests export::` and review the diff.

use std::path::{Path, PathBuf};
use std::process::Command;

use claimlens::app::sample_article;
use claimlens::export::{ExportFormat, ExportInput, export};
use claimlens::model::{
    Anchor, Annotation, AnnotationId, AnnotationSet, Article, LabelId, Relation, RelationId,
    RelationTypeId, Review, ReviewStatus, Timestamp,
};

fn time(s: &str) -> Timestamp {
    s.parse().expect("valid timestamp")
}

fn find(article: &Article, needle: &str) -> std::ops::Range<usize> {
    let byte = article
        .text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in article"));
    let start = article.text[..byte].chars().count();
    start..start + needle.chars().count()
}

fn annotation(
    article: &Article,
    id: u128,
    label: &str,
    range: std::ops::Range<usize>,
    note: &str,
) -> Annotation {
    Annotation {
        id: AnnotationId::from_u128(id),
        label: LabelId::new(label),
        anchor: Anchor::new(article, range).expect("anchor"),
        note: note.to_owned(),
        created: time("2026-11-20T09:00:00Z"),
        modified: time("2026-11-21T10:30:00Z"),
        review: None,
        attributes: Default::default(),
        tags: Vec::new(),
    }
}

/// The fixed set over the sample: a claim, its source, a denial overlapping the claim's
/// sentence, a span across a paragraph break, hostile notes, and one annotation waiting for
/// review (made on an older text, not found in this one).
pub fn fixed_set(article: &Article) -> AnnotationSet {
    let mut set = AnnotationSet::new(article, "claimlens:sample".to_owned());
    set.analyst = "R. Analyst".to_owned();
    let claim = find(
        article,
        "Alibaba had been involved in providing unspecified support to the People’s Liberation Army (PLA)",
    );
    let memo = find(
        article,
        "a declassified intelligence memo purportedly used by the White House",
    );
    let denial = find(
        article,
        "“The assertions and innuendos in the article are completely false,”",
    );
    let false_word = find(article, "completely false,”");
    let cross_start = find(article, "independent corroboration.").start;
    let cross_end = find(article, "Alibaba, one of China’s largest").end;
    let mut core = annotation(
        article,
        1,
        "claim",
        claim,
        "Core allegation.\nSecond line: *not* bold; 3 < 4 & 5 > 2.",
    );
    core.tags = vec!["PLA".to_owned(), "memo, unseen".to_owned()];
    core.attributes.insert(
        "verification".to_owned(),
        claimlens::model::AttributeValue::Choice("disputed".to_owned()),
    );
    set.insert(core);
    set.insert(annotation(
        article,
        2,
        "source",
        memo,
        "Memo not published — \"purportedly\" is the FT's word.\tTabbed.",
    ));
    set.insert(annotation(
        article,
        3,
        "denial",
        denial,
        "<script>alert('x')</script> \"><img src=x onerror=alert(1)> [link](javascript:alert(1))",
    ));
    set.insert(annotation(
        article,
        4,
        "claim",
        false_word,
        "=HYPERLINK(\"http://evil\",\"click\")",
    ));
    set.insert(annotation(article, 5, "source", cross_start..cross_end, ""));
    // Made on an older text: its quote is not in this one (same length as its stored range).
    let removed = "a sentence the newspaper later removed";
    let start = find(article, "Alibaba Group Holding").start;
    let range = start..start + removed.chars().count();
    let mut orphan = annotation(article, 6, "denial", range, "Made on the first version.");
    orphan.anchor.quote.exact = removed.to_owned();
    orphan.review = Some(Review {
        status: ReviewStatus::Orphaned,
        proposal: None,
    });
    set.insert(orphan);
    set.relations.push(Relation {
        id: RelationId::from_u128(100),
        kind: RelationTypeId::new("supports"),
        from: AnnotationId::from_u128(2),
        to: AnnotationId::from_u128(1),
    });
    set
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/export")
        .join(name)
}

fn check_golden(name: &str, actual: &str) {
    let path = golden(name);
    if std::env::var_os("CLAIMLENS_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (CLAIMLENS_BLESS=1 writes it)", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the export at line {}:\n  golden: {:?}\n  actual: {:?}\n(CLAIMLENS_BLESS=1 rewrites it after an intended change)",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

fn exported(format: ExportFormat) -> String {
    let article = sample_article();
    let set = fixed_set(&article);
    let input = ExportInput {
        article: &article,
        set: &set,
        article_source: "claimlens:sample",
        exported: time("2026-11-23T12:00:00Z"),
    };
    let files = export(&input, format).expect("export");
    assert_eq!(files.len(), 1);
    files.into_iter().next().unwrap().contents
}

#[test]
fn markdown_brief_matches_golden_file() {
    let md = exported(ExportFormat::Md);
    check_golden("sample.brief.md", &md);
    // Every quote whole, even the one across a paragraph break (as a multi-line block quote).
    let article = sample_article();
    for a in &fixed_set(&article).annotations {
        let first_line = a.anchor.quote.exact.lines().next().unwrap();
        let escaped = claimlens::export::markdown::escape(first_line);
        assert!(md.contains(&escaped), "quote missing: {first_line}");
    }
    assert!(md.contains("## Awaiting review (1)"));
    assert!(md.contains("analyst: \"R. Analyst\""));
    assert!(
        md.contains("\\<script\\>"),
        "raw HTML from a note must be escaped"
    );
    assert!(
        md.contains("\\[link\\](javascript:alert(1))"),
        "no link from a note"
    );
    assert!(md.contains("→ supports Claim 1"), "relations are named");
}

#[test]
fn markdown_brief_renders_quotes_exactly() {
    let md = exported(ExportFormat::Md);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&md));
    assert!(!html.contains("<script"), "no script element");
    assert!(!html.contains("<img"), "no img element");
    assert!(html.contains("“The assertions and innuendos in the article are completely false,”"));
}

#[test]
fn html_page_matches_golden_file_and_is_inert() {
    let html = exported(ExportFormat::Html);
    check_golden("sample.html", &html);
    assert_inert(&html);
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    // Every annotation placed in the article has its footnote; the orphan is listed apart.
    for n in 1..=5 {
        assert!(html.contains(&format!("id=\"n{n}\"")), "footnote {n}");
        assert!(
            html.contains(&format!("href=\"#n{n}\"")),
            "footnote mark {n}"
        );
    }
    assert!(html.contains("Awaiting review (1)"));
    assert!(html.contains("a sentence the newspaper later removed"));
    // Overlapping claim and denial: the overlap carries both classes.
    assert!(
        html.contains("class=\"l-claim l-denial\"") || html.contains("class=\"l-denial l-claim\"")
    );
}

#[test]
fn hostile_article_text_and_label_ids_stay_text() {
    let article = Article::from_plain_text(
        "</title><script>alert(1)</script>\n\n<a href=\"javascript:alert(2)\">click</a> & more",
        "evil.txt",
    );
    let mut set = AnnotationSet::new(&article, "evil.txt".to_owned());
    let mut a = annotation(&article, 1, "x\" onmouseover=\"alert(3)", 0..10, "note");
    a.label = LabelId::new("x\" onmouseover=\"alert(3)");
    set.insert(a);
    let input = ExportInput {
        article: &article,
        set: &set,
        article_source: "evil.txt\"><script>",
        exported: time("2026-11-23T12:00:00Z"),
    };
    let html = &export(&input, ExportFormat::Html).unwrap()[0].contents;
    assert_inert(html);
    assert!(html.contains("&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
}

/// No element or attribute from the data can act: every tag in the page is one the exporter
/// writes, and no tag carries an event handler, a script URL or a remote resource.
fn assert_inert(html: &str) {
    const TAGS: &[&str] = &[
        "!doctype",
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "main",
        "header",
        "p",
        "a",
        "ul",
        "ol",
        "li",
        "span",
        "article",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "mark",
        "sup",
        "strong",
        "em",
        "code",
        "section",
        "br",
    ];
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').expect("every tag closes") + open;
        let tag = rest[open + 1..close].to_lowercase();
        let name = tag
            .trim_start_matches('/')
            .split([' ', '\n'])
            .next()
            .unwrap_or("");
        assert!(TAGS.contains(&name), "unexpected element <{tag}>");
        for bad in ["javascript:", "src=", "url("] {
            assert!(!tag.contains(bad), "{bad} inside <{tag}>");
        }
        for token in tag.split_whitespace().skip(1) {
            let attribute = token.split('=').next().unwrap_or("");
            assert!(
                !attribute.starts_with("on"),
                "event handler {attribute} in <{tag}>"
            );
        }
        if name == "a" && !tag.starts_with('/') {
            assert!(
                tag.contains("href=\"#") || tag.contains("href=\"http"),
                "<{tag}>"
            );
        }
        rest = &rest[close + 1..];
    }
}

#[test]
fn csv_matches_golden_file_and_reads_back() {
    let csv_text = exported(ExportFormat::Csv);
    check_golden("sample.csv", &csv_text);
    let article = sample_article();
    let set = fixed_set(&article);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, claimlens::export::csv::HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), set.annotations.len());
    for (row, a) in rows.iter().zip(&set.annotations) {
        assert_eq!(&row[0], a.id.0.to_string());
        assert_eq!(&row[4], a.anchor.position.start.to_string());
        assert_eq!(&row[5], a.anchor.position.end.to_string());
        assert_eq!(
            &row[7], a.anchor.quote.exact,
            "quotes survive commas, quotes, newlines"
        );
        let note = if a.note.starts_with('=') {
            format!("'{}", a.note)
        } else {
            a.note.clone()
        };
        assert_eq!(&row[10], note, "notes survive, formulas defused");
    }
    assert_eq!(
        &rows[1][13],
        format!("supports→{}", AnnotationId::from_u128(1).0)
    );
    let core = rows
        .iter()
        .find(|r| r[0] == AnnotationId::from_u128(1).0.to_string())
        .unwrap();
    assert_eq!(&core[11], "PLA; memo, unseen");
    assert_eq!(&core[12], "Verification=disputed");
}

// ---------------------------------------------------------------------------------------------
// The commands, as the real binary.

fn claimlens(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_claimlens"))
        .args(args)
        .output()
        .expect("run claimlens")
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    /// The sample as `story.txt`, the fixed set as `story.txt.claimlens.ron`.
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("story.txt"), claimlens::app::SAMPLE_TEXT).unwrap();
        let article = Article::from_plain_text(claimlens::app::SAMPLE_TEXT, "story.txt");
        let mut set = fixed_set(&article);
        set.article.path = "story.txt".to_owned();
        claimlens::store::save_set(&set, &dir.path().join("story.txt.claimlens.ron")).unwrap();
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

#[test]
fn export_command_writes_every_format() {
    let f = Files::new();
    let (article, set) = (f.path("story.txt"), f.path("story.txt.claimlens.ron"));
    let out = claimlens(&[
        os("export"),
        os("--format"),
        os("md"),
        article.as_os_str(),
        set.as_os_str(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("---\ntitle: "));
    assert!(md.contains("## Claim (2)"));
    for (format, name) in [("html", "story.html"), ("csv", "story.csv")] {
        let target = f.path(name);
        let out = claimlens(&[
            os("export"),
            os("-f"),
            os(format),
            article.as_os_str(),
            set.as_os_str(),
            os("-o"),
            target.as_os_str(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(std::fs::metadata(&target).unwrap().len() > 500);
    }
    // Refuses to overwrite its input.
    let out = claimlens(&[
        os("export"),
        os("-f"),
        os("csv"),
        article.as_os_str(),
        set.as_os_str(),
        os("-o"),
        article.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&article).unwrap(),
        claimlens::app::SAMPLE_TEXT
    );
}

#[test]
fn export_against_a_changed_article_reanchors_and_says_so() {
    let f = Files::new();
    let changed =
        claimlens::app::SAMPLE_TEXT.replacen("The Financial Times article", "The FT's article", 1);
    let v2 = f.path("story-v2.txt");
    std::fs::write(&v2, changed).unwrap();
    let set = f.path("story.txt.claimlens.ron");
    let out = claimlens(&[
        os("export"),
        os("-f"),
        os("md"),
        v2.as_os_str(),
        set.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("another version of the article"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("a declassified intelligence memo"));
}

#[test]
fn export_errors_name_the_file() {
    let f = Files::new();
    let missing = f.path("missing.ron");
    let out = claimlens(&[
        os("export"),
        os("-f"),
        os("md"),
        f.path("story.txt").as_os_str(),
        missing.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("claimlens export: error: ") && stderr.contains("missing.ron"),
        "{stderr}"
    );
    let out = claimlens(&[os("export"), os("-f"), os("pdf"), os("a"), os("b")]);
    assert_eq!(out.status.code(), Some(2), "clap rejects an unknown format");
}

#[test]
fn validate_reports_problems_and_keeps_going() {
    let f = Files::new();
    let good_article = Article::from_plain_text(claimlens::app::SAMPLE_TEXT, "story.txt");
    let mut clean = AnnotationSet::new(&good_article, "story.txt".to_owned());
    clean.insert(annotation(
        &good_article,
        1,
        "claim",
        find(&good_article, "Alibaba Group Holding"),
        "",
    ));
    let clean_path = f.path("clean.ron");
    claimlens::store::save_set(&clean, &clean_path).unwrap();
    let broken = f.path("broken.ron");
    std::fs::write(
        &broken,
        "// Claimlens annotation set\n(format_version: 2, article: (",
    )
    .unwrap();
    let with_problems = f.path("story.txt.claimlens.ron");

    let out = claimlens(&[os("validate"), clean_path.as_os_str()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: "));

    // A value its definition does not allow (the file still opens; validate names it).
    let mut stale = clean.clone();
    let first = stale.annotations[0].id;
    stale.annotations.update(first, |a| {
        a.attributes.insert(
            "confidence".to_owned(),
            claimlens::model::AttributeValue::Scale(9),
        );
    });
    let stale_path = f.path("stale.ron");
    claimlens::store::save_set(&stale, &stale_path).unwrap();
    let out = claimlens(&[os("validate"), stale_path.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Scale(9)") && stdout.contains("\"confidence\""),
        "{stdout}"
    );

    let out = claimlens(&[
        os("validate"),
        with_problems.as_os_str(),
        clean_path.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("problems: ") && stdout.contains("wait for review"),
        "{stdout}"
    );

    let out = claimlens(&[
        os("validate"),
        broken.as_os_str(),
        clean_path.as_os_str(),
        os("--json"),
    ]);
    assert_eq!(out.status.code(), Some(2), "a broken file is an error");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["result"], "error");
    assert_eq!(json[1]["result"], "ok", "the next file is still checked");
}

#[test]
fn stats_counts_by_label_and_analyst_over_many_sets() {
    let f = Files::new();
    let set = f.path("story.txt.claimlens.ron");
    let bad = f.path("bad.ron");
    std::fs::write(&bad, "not a set").unwrap();
    let out = claimlens(&[
        os("stats"),
        set.as_os_str(),
        bad.as_os_str(),
        set.as_os_str(),
        os("--json"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unreadable file makes the exit code 2"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.ron"));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["total"]["sets"], 2);
    assert_eq!(json["total"]["annotations"], 12);
    assert_eq!(json["total"]["by_label"]["Claim"], 4);
    assert_eq!(json["total"]["by_analyst"]["R. Analyst"]["Denial"], 4);
    assert_eq!(json["total"]["awaiting_review"], 2);
    assert_eq!(json["unreadable"][0], bad.display().to_string());
}

#[test]
fn help_lists_every_command() {
    let out = claimlens(&[os("--help")]);
    let help = String::from_utf8_lossy(&out.stdout);
    for command in ["reanchor", "text", "export", "validate", "stats"] {
        assert!(
            help.contains(command),
            "{command} missing from --help:\n{help}"
        );
    }
    let out = claimlens(&[os("export"), os("--help")]);
    let help = String::from_utf8_lossy(&out.stdout);
    for word in ["md", "html", "csv", "--output", "Exit status"] {
        assert!(
            help.contains(word),
            "{word} missing from export --help:\n{help}"
        );
    }
}

#[test]
fn import_command_round_trips_w3c_and_brat_and_reads_hypothesis() {
    let f = Files::new();
    let (article, set_path) = (f.path("story.txt"), f.path("story.txt.claimlens.ron"));
    let original = claimlens::store::load_set(&set_path).unwrap();
    for (format, file) in [("w3c", "export.jsonld"), ("brat", "export.ann")] {
        let exported = f.path(file);
        let out = claimlens(&[
            os("export"),
            os("-f"),
            os(format),
            article.as_os_str(),
            set_path.as_os_str(),
            os("-o"),
            exported.as_os_str(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let imported = f.path(&format!("from-{format}.ron"));
        let out = claimlens(&[
            os("import"),
            os("--from"),
            os(format),
            exported.as_os_str(),
            article.as_os_str(),
            os("-o"),
            imported.as_os_str(),
        ]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let set = claimlens::store::load_set(&imported).unwrap();
        assert_eq!(set.article.path, "story.txt", "relative to the new set");
        // Every placed annotation comes back with its span, label and note.
        for a in original.annotations.iter().filter(|a| a.review.is_none()) {
            assert!(
                set.annotations
                    .iter()
                    .any(|b| b.anchor == a.anchor && b.label == a.label && b.note == a.note),
                "{format}: {:?} lost\n{stdout}",
                a.anchor.quote.exact
            );
        }
        match format {
            // W3C keeps the review state too, so the orphan comes back waiting for review: exit 1.
            "w3c" => {
                assert_eq!(set.annotations.len(), original.annotations.len());
                assert_eq!(out.status.code(), Some(1), "{stdout}");
            }
            // brat cannot say "awaiting review", so the export left the orphan out.
            _ => {
                assert_eq!(set.annotations.len(), original.annotations.len() - 1);
                assert_eq!(out.status.code(), Some(0), "{stdout}");
            }
        }
        // Never overwrites an existing set without --force.
        let again = claimlens(&[
            os("import"),
            os("--from"),
            os(format),
            exported.as_os_str(),
            article.as_os_str(),
            os("-o"),
            imported.as_os_str(),
        ]);
        assert_eq!(again.status.code(), Some(2));
    }

    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/interchange");
    let target = f.path("hypothesis.ron");
    let out = claimlens(&[
        os("import"),
        os("--from"),
        os("hypothesis"),
        data.join("hypothesis-export.json").as_os_str(),
        data.join("hypothesis-page.txt").as_os_str(),
        os("-o"),
        target.as_os_str(),
        os("--analyst"),
        os("H. User"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("skipped"),
        "the page note is reported: {stdout}"
    );
    let set = claimlens::store::load_set(&target).unwrap();
    assert_eq!(set.analyst, "H. User");
    assert!(
        set.annotations.iter().any(|a| a.review.is_none()),
        "{stdout}"
    );
}
