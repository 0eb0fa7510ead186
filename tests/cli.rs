//! `claimlens reanchor`: the library function on temporary files (exit codes, the text and
//! JSON reports, `-o`), and the real binary once to hold the dispatch in `main.rs`.

use std::path::PathBuf;
use std::process::Command;

use claimlens::cli::{EXIT_ANCHORED, EXIT_ERROR, EXIT_NEEDS_REVIEW, ReanchorArgs, run_reanchor};
use claimlens::model::{
    Anchor, Annotation, AnnotationId, AnnotationSet, Article, LabelId, ReviewStatus, Timestamp,
};
use claimlens::store::{load_set, save_set};

const OLD: &str = "Harbour deal denied\n\n\
The ministry said the contract was signed in secret last spring.\n\
A spokesperson called the report completely false and malicious.\n\
Officials in 東京 declined to comment 🙂 on the matter.\n";

/// `OLD` with a sentence added at the top and the spokesperson's sentence deleted.
const NEW: &str = "Harbour deal denied\n\n\
On Tuesday, a newspaper published more documents.\n\
The ministry said the contract was signed in secret last spring.\n\
Officials in 東京 declined to comment 🙂 on the matter.\n";

const SIGNED: &str = "the contract was signed in secret last spring";
const DENIED: &str = "called the report completely false and malicious";
const DECLINED: &str = "declined to comment 🙂";

/// A folder with `story.txt` (`OLD`) and its set `story.txt.claimlens.ron`, which annotates
/// `SIGNED` (id 1), `DENIED` (id 2) and `DECLINED` (id 3).
struct Fixture {
    dir: tempfile::TempDir,
    set_path: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("story.txt"), OLD).expect("write article");
        let article = Article::from_plain_text(OLD, "story.txt");
        let mut set = AnnotationSet::new(&article, "story.txt".to_owned());
        for (id, needle) in [(1, SIGNED), (2, DENIED), (3, DECLINED)] {
            set.insert(annotation(&article, id, needle));
        }
        let set_path = dir.path().join("story.txt.claimlens.ron");
        save_set(&set, &set_path).expect("save set");
        Self { dir, set_path }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `NEW` as `story-v2.txt` and returns its path.
    fn new_article(&self) -> PathBuf {
        let path = self.path("story-v2.txt");
        std::fs::write(&path, NEW).expect("write new article");
        path
    }

    fn args(&self) -> ReanchorArgs {
        ReanchorArgs {
            set: self.set_path.clone(),
            article: None,
            output: None,
            json: false,
        }
    }
}

fn annotation(article: &Article, id: u128, needle: &str) -> Annotation {
    let byte = article.text.find(needle).expect("needle in article");
    let start = article.text[..byte].chars().count();
    Annotation {
        id: AnnotationId::from_u128(id),
        label: LabelId::new("claim"),
        anchor: Anchor::new(article, start..start + needle.chars().count()).expect("anchor"),
        note: String::new(),
        created: Timestamp::UNIX_EPOCH,
        modified: Timestamp::UNIX_EPOCH,
        review: None,
        attributes: Default::default(),
        tags: Vec::new(),
    }
}

/// Code point offset of `needle` in `text`.
fn char_offset(text: &str, needle: &str) -> usize {
    text[..text.find(needle).expect("needle")].chars().count()
}

/// Runs the command; returns (exit code, stdout, stderr).
fn run(args: &ReanchorArgs) -> (i32, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = run_reanchor(args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).expect("stdout is UTF-8"),
        String::from_utf8(err).expect("stderr is UTF-8"),
    )
}

#[test]
fn unchanged_article_exits_0_and_lists_nothing() {
    let fx = Fixture::new();
    let (code, out, err) = run(&fx.args());
    assert_eq!(code, EXIT_ANCHORED, "{out}{err}");
    assert_eq!(
        out,
        "summary: 3 anchored, 0 moved, 0 orphaned (3 annotations)\n"
    );
    assert_eq!(err, "");
}

#[test]
fn a_deleted_sentence_is_listed_as_orphaned_and_exits_1() {
    let fx = Fixture::new();
    let args = ReanchorArgs {
        article: Some(fx.new_article()),
        ..fx.args()
    };
    let (code, out, err) = run(&args);
    assert_eq!(code, EXIT_NEEDS_REVIEW, "{out}{err}");
    assert_eq!(err, "");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "one orphan and the summary:\n{out}");
    let old_start = char_offset(OLD, DENIED);
    assert_eq!(
        lines[0],
        format!(
            "orphaned  {}  claim  {}..{} \"{DENIED}\" -> not found",
            AnnotationId::from_u128(2),
            old_start,
            old_start + DENIED.chars().count()
        )
    );
    assert_eq!(
        lines[1],
        "summary: 2 anchored, 0 moved, 1 orphaned (3 annotations)"
    );
}

#[test]
fn the_set_names_its_article_relative_to_its_folder() {
    // Without --article, the article is the one the set names: change it in place.
    let fx = Fixture::new();
    std::fs::write(fx.path("story.txt"), NEW).expect("overwrite article");
    let (code, out, _) = run(&fx.args());
    assert_eq!(code, EXIT_NEEDS_REVIEW, "{out}");
    assert!(out.ends_with("summary: 2 anchored, 0 moved, 1 orphaned (3 annotations)\n"));
}

#[test]
fn json_report_parses_and_has_the_summary() {
    let fx = Fixture::new();
    let new_path = fx.new_article();
    let args = ReanchorArgs {
        article: Some(new_path.clone()),
        json: true,
        ..fx.args()
    };
    let (code, out, err) = run(&args);
    assert_eq!(code, EXIT_NEEDS_REVIEW, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("stdout is JSON");
    let summary = &report["summary"];
    assert_eq!(summary["total"], 3);
    assert_eq!(summary["anchored"], 2);
    assert_eq!(summary["moved"], 0);
    assert_eq!(summary["orphaned"], 1);
    assert_eq!(summary["needs_review"], true);
    assert_eq!(report["article"], new_path.display().to_string());
    assert_eq!(
        report["new_hash"],
        Article::from_plain_text(NEW, "x").hash.0.as_str()
    );
    let entries = report["annotations"].as_array().expect("annotations array");
    assert_eq!(entries.len(), 1);
    let orphan = &entries[0];
    assert_eq!(orphan["id"], AnnotationId::from_u128(2).to_string());
    assert_eq!(orphan["status"], "orphaned");
    assert_eq!(orphan["method"], "none");
    assert_eq!(orphan["old"]["text"], DENIED);
    assert_eq!(orphan["old"]["start"], char_offset(OLD, DENIED));
    assert!(orphan["new"].is_null());
    assert_eq!(report["output"], serde_json::Value::Null);
}

#[test]
fn json_report_of_an_unchanged_article_is_empty_but_complete() {
    let fx = Fixture::new();
    let args = ReanchorArgs {
        json: true,
        ..fx.args()
    };
    let (code, out, _) = run(&args);
    assert_eq!(code, EXIT_ANCHORED);
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(report["annotations"], serde_json::json!([]));
    assert_eq!(report["summary"]["anchored"], 3);
    assert_eq!(report["summary"]["needs_review"], false);
    assert_eq!(report["old_hash"], report["new_hash"]);
}

#[test]
fn output_set_is_reanchored_and_the_input_is_untouched() {
    let fx = Fixture::new();
    let new_path = fx.new_article();
    let before = std::fs::read(&fx.set_path).expect("read input");
    std::fs::create_dir(fx.path("out")).expect("mkdir");
    let out_path = fx.path("out/v2.claimlens.ron");
    let args = ReanchorArgs {
        article: Some(new_path.clone()),
        output: Some(out_path.clone()),
        ..fx.args()
    };
    let (code, out, err) = run(&args);
    assert_eq!(code, EXIT_NEEDS_REVIEW, "{out}{err}");
    assert!(
        out.ends_with(&format!("wrote {}\n", out_path.display())),
        "{out}"
    );
    assert_eq!(
        std::fs::read(&fx.set_path).expect("read input again"),
        before,
        "the input set must be byte-identical"
    );

    let written = load_set(&out_path).expect("the output loads");
    let new = Article::from_plain_text(NEW, "story-v2.txt");
    assert_eq!(written.article.content_hash, new.hash);
    assert_eq!(
        written.article.path, "../story-v2.txt",
        "the article path is relative to the output's folder"
    );
    for (id, needle) in [(1, SIGNED), (3, DECLINED)] {
        let a = written
            .get(AnnotationId::from_u128(id))
            .expect("annotation");
        let start = char_offset(NEW, needle);
        assert_eq!(
            a.anchor.position.range(),
            start..start + needle.chars().count()
        );
        assert_eq!(new.slice(a.anchor.position.range()), needle);
        assert_eq!(a.anchor.quote.exact, needle);
        assert!(a.review.is_none());
    }
    // The orphan keeps its old anchor and waits for review.
    let orphan = written
        .get(AnnotationId::from_u128(2))
        .expect("orphan kept");
    let review = orphan.review.as_ref().expect("review");
    assert_eq!(review.status, ReviewStatus::Orphaned);
    assert_eq!(orphan.anchor.quote.exact, DENIED);
    assert_eq!(orphan.anchor.position.start, char_offset(OLD, DENIED));
}

#[test]
fn output_may_not_be_the_input() {
    let fx = Fixture::new();
    let before = std::fs::read(&fx.set_path).expect("read input");
    // The same file under another spelling.
    let same = fx.dir.path().join(".").join("story.txt.claimlens.ron");
    let args = ReanchorArgs {
        article: Some(fx.new_article()),
        output: Some(same),
        ..fx.args()
    };
    let (code, out, err) = run(&args);
    assert_eq!(code, EXIT_ERROR);
    assert_eq!(out, "");
    assert!(err.contains("is the input set"), "{err}");
    assert_eq!(std::fs::read(&fx.set_path).expect("read"), before);
}

#[test]
fn a_missing_set_exits_2_and_names_the_file() {
    let fx = Fixture::new();
    let missing = fx.path("no-such.claimlens.ron");
    let args = ReanchorArgs {
        set: missing.clone(),
        ..fx.args()
    };
    let (code, out, err) = run(&args);
    assert_eq!(code, EXIT_ERROR);
    assert_eq!(out, "");
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
}

#[test]
fn a_missing_article_exits_2_and_names_the_file() {
    let fx = Fixture::new();
    std::fs::remove_file(fx.path("story.txt")).expect("remove article");
    let (code, _, err) = run(&fx.args());
    assert_eq!(code, EXIT_ERROR);
    assert!(
        err.contains(&fx.path("story.txt").display().to_string()),
        "{err}"
    );

    let missing = fx.path("v3.txt");
    let args = ReanchorArgs {
        article: Some(missing.clone()),
        ..fx.args()
    };
    let (code, _, err) = run(&args);
    assert_eq!(code, EXIT_ERROR);
    assert!(err.contains(&missing.display().to_string()), "{err}");
}

#[test]
fn a_set_on_the_sample_uses_the_bundled_article() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sample = claimlens::app::sample_article();
    let mut set = AnnotationSet::new(&sample, claimlens::app::SAMPLE_REF.to_owned());
    let word = sample.text.split_whitespace().nth(3).expect("a word");
    set.insert(annotation(&sample, 1, word));
    let set_path = dir.path().join("sample.claimlens.ron");
    save_set(&set, &set_path).expect("save");
    let out_path = dir.path().join("copy.claimlens.ron");
    let args = ReanchorArgs {
        set: set_path,
        article: None,
        output: Some(out_path.clone()),
        json: false,
    };
    let (code, out, err) = run(&args);
    assert_eq!(code, EXIT_ANCHORED, "{out}{err}");
    let copy = load_set(&out_path).expect("load copy");
    assert_eq!(copy.article.path, claimlens::app::SAMPLE_REF);
    assert_eq!(copy.annotations, set.annotations);
}

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_claimlens"))
}

#[test]
fn the_binary_runs_reanchor_without_a_window() {
    let help = binary()
        .args(["reanchor", "--help"])
        .output()
        .expect("run claimlens reanchor --help");
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout);
    for expected in ["--article", "--output", "--json", "Exit status"] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }

    let top = binary().arg("--help").output().expect("run --help");
    assert_eq!(top.status.code(), Some(0));
    let text = String::from_utf8_lossy(&top.stdout);
    for expected in ["reanchor", "[PATH]", "--set"] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }

    let fx = Fixture::new();
    let new_path = fx.new_article();
    let run = binary()
        .arg("reanchor")
        .arg(&fx.set_path)
        .arg("--article")
        .arg(&new_path)
        .output()
        .expect("run claimlens reanchor");
    assert_eq!(run.status.code(), Some(EXIT_NEEDS_REVIEW));
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("1 orphaned"), "{text}");

    let missing = binary()
        .args(["reanchor", "no-such-file.ron"])
        .output()
        .expect("run claimlens reanchor");
    assert_eq!(missing.status.code(), Some(EXIT_ERROR));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-file.ron"));
}
