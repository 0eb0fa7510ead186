//! The set file: round trips, the frozen v1, v2 and v3 formats and their migrations, presets,
//! hostile input and atomic saves.
//!
//! Fixtures live in `tests/data/` (see `tests/data/PROVENANCE.md`). Each golden file was
//! written once by the writer of its version and is frozen: `golden-v1.claimlens.ron` from
//! `golden_set()`, `golden-v2.claimlens.ron` from `golden_v2_set()`, `golden-v3.claimlens.ron`
//! from `golden_v3_set()`. Older ones must keep loading (migrated); the newest must be exactly
//! what the current writer produces. If a test here says it no longer matches, the file format
//! changed. That needs a new `format_version` and a migration, not a regenerated golden file.

use std::ops::Range;
use std::path::{Path, PathBuf};

use claimlens::model::{
    Anchor, AnchorCheck, Annotation, AnnotationId, AnnotationSet, Article, CONTEXT_CHARS,
    FORMAT_VERSION, Label, LabelId, LabelSet, Relation, RelationId, RelationTypeId, Review,
    ReviewStatus, Rgb, TextPosition, Timestamp,
};
use claimlens::store::{
    BACKUPS, MAX_SET_BYTES, StoreError, backup_path, backups_of, load_set, load_set_str,
    newest_good_backup, preset_from_str, preset_to_string, save_set, save_set_with_backups,
    set_to_string, write_atomically_with,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Helpers

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn golden_article() -> Article {
    let raw = std::fs::read_to_string(data("golden-article.txt")).expect("read golden article");
    Article::from_plain_text(&raw, "golden-article.txt")
}

/// The golden v1 set as the current writer writes it. Up to version 2 that was the v1 file
/// with another version number; version 3 adds relation types and attribute definitions to
/// the label set (see `golden_v1_file_migrates_to_the_current_format`).
fn golden_text_as_written() -> String {
    set_to_string(&golden_set()).expect("serialise")
}

fn golden_text() -> String {
    std::fs::read_to_string(data("golden-v1.claimlens.ron")).expect("read golden set")
}

fn ts(rfc3339: &str) -> Timestamp {
    rfc3339.parse().expect("timestamp")
}

/// A small deterministic generator (xorshift64*), so the big fixtures need no extra crate and
/// are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// The file every error names.
fn error_path(err: &StoreError) -> &Path {
    match err {
        StoreError::Read { path, .. }
        | StoreError::Write { path, .. }
        | StoreError::TooLarge { path, .. }
        | StoreError::NotASet { path, .. }
        | StoreError::Syntax { path, .. }
        | StoreError::TooNew { path, .. }
        | StoreError::Invalid { path, .. }
        | StoreError::Backup { path, .. }
        | StoreError::NotAPreset { path, .. } => path,
    }
}

/// `err` names `path`, both in its field and in the message the user sees.
fn assert_names(err: &StoreError, path: &Path) {
    assert_eq!(error_path(err), path, "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains(&path.display().to_string()),
        "message does not name {}: {message}",
        path.display()
    );
}

/// Writes `bytes` to `name` in `dir` and loads it.
fn load_bytes(
    dir: &Path,
    name: &str,
    bytes: &[u8],
) -> (PathBuf, Result<AnnotationSet, StoreError>) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    let result = load_set(&path);
    (path, result)
}

/// Loads `bytes` from a file and returns the error, failing if the load succeeded.
fn load_err(dir: &Path, name: &str, bytes: &[u8]) -> (PathBuf, StoreError) {
    let (path, result) = load_bytes(dir, name, bytes);
    match result {
        Ok(set) => panic!(
            "{name} loaded although it should not: {} annotations",
            set.annotations.len()
        ),
        Err(err) => {
            assert_names(&err, &path);
            (path, err)
        }
    }
}

/// Leftover temporary files of `write_atomically` in `dir`.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("list dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".claimlens-") && n.ends_with(".tmp"))
        .collect()
}

/// File names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn annotation(
    article: &Article,
    id: AnnotationId,
    label: &str,
    range: Range<usize>,
    note: &str,
    created: Timestamp,
    modified: Timestamp,
) -> Annotation {
    Annotation {
        id,
        label: LabelId::new(label),
        anchor: Anchor::new(article, range).expect("anchor"),
        note: note.to_owned(),
        created,
        modified,
        review: None,
        attributes: Default::default(),
        tags: Vec::new(),
    }
}

/// Is `annotations` in the canonical order: start, then end, then id?
fn is_canonical<'a>(annotations: impl IntoIterator<Item = &'a Annotation>) -> bool {
    let keys: Vec<_> = annotations
        .into_iter()
        .map(|a| (a.anchor.position.start, a.anchor.position.end, a.id))
        .collect();
    keys.windows(2).all(|w| w[0] <= w[1])
}

/// The annotations of a set file in the order they are written (reading a file into an
/// [`AnnotationSet`] puts them in canonical order).
#[derive(serde::Deserialize)]
#[serde(rename = "AnnotationSet")]
struct Unsorted {
    annotations: Vec<Annotation>,
}

/// Parses a set file exactly as written, without the sorting `load_set_str` does.
fn parse_unsorted(text: &str) -> Unsorted {
    ron::from_str(text).expect("file parses as RON")
}

// ---------------------------------------------------------------------------------------------
// Round trip

/// Notes that are hard to write as RON strings.
const HOSTILE_NOTES: &[&str] = &[
    "",
    "one line",
    "first line\nsecond line\n\nfourth, after a blank line\n",
    "she said \"no\" and then \\\"maybe\\\"",
    "C:\\path\\to\\file \\n is not a newline",
    ") ( ] [ } { , : ; // not a comment /* nor this */ #![enable(implicit_some)]",
    "r#\"raw?\"# b\"bytes?\" 'c' \\u{41} \\x41",
    "\t tabs \t and \r\n Windows line ends \r and a lone CR",
    "\u{0} NUL, \u{7} bell, \u{1b}[31m escape, \u{7f} DEL, \u{85} NEL, \u{2028} LS, \u{2029} PS",
    "\u{feff}BOM first, \u{200b} zero width, \u{202e}RLO reversed\u{202c}",
    "👩\u{200d}💻 👨\u{200d}👩\u{200d}👧\u{200d}👦 🏳\u{fe0f}\u{200d}🌈 👍🏽 🇩🇪",
    "中文 日本語 한국어 — CJK",
    "\u{301}starts with a combining mark; e\u{301} a\u{308}\u{323} n\u{303}",
    "العربية من اليمين إلى اليسار، مع أرقام 123",
    "עברית מימין לשמאל (Hebrew) עם סוגריים",
    "   leading and trailing spaces   ",
];

/// A long article mixing scripts, with a headline and paragraphs.
fn mixed_article() -> Article {
    let sentences = [
        "The ministry called the report “completely false” on Monday.",
        "東京の当局者はコメントを控えた。",
        "Zoë said the café\u{301} owner 👩\u{200d}💻 was “obvious” — 👨\u{200d}👩\u{200d}👧.",
        "قالت الوزارة إن التقرير كاذب تماما.",
        "המשרד אמר שהדיווח שקרי לחלוטין.",
        "Quotes \"inside\" and back\\slashes and (parens) // and /* these */.",
    ];
    let mut text = String::from("A “mixed” headline 🙂\n\n");
    for i in 0..150 {
        text.push_str(sentences[i % sentences.len()]);
        text.push(if i % 4 == 3 { '\n' } else { ' ' });
        if i % 12 == 11 {
            text.push('\n');
        }
    }
    Article::from_plain_text(&text, "mixed.txt")
}

/// A set with overlapping, nested and identical-range annotations, odd notes, a custom label,
/// a label the set does not define, a relation, and `count` annotations in all. The
/// annotations are in a scrambled (non-canonical) order.
fn rich_set(article: &Article, count: usize) -> AnnotationSet {
    let mut set = AnnotationSet::new(article, "../articles/mixed \"one\"\\two.txt".to_owned());
    set.analyst = "Zoë \"Z\" Ångström — 分析者 / محلل".to_owned();
    set.labels.labels.push(Label {
        id: LabelId::new("hedge/“weasel”"),
        name: "Hedge (weasel words) 🙃".to_owned(),
        colour: Rgb([0, 0x80, 0xff]),
        key: None,
        attributes: Vec::new(),
    });
    let base = ts("2026-03-01T09:00:00Z");
    let when = |i: usize| {
        base.checked_add(jiff::SignedDuration::new(
            i as i64 * 61,
            (i as i32 * 7_919) % 1_000_000_000,
        ))
        .expect("timestamp in range")
    };
    let labels = [
        "claim",
        "source",
        "denial",
        "hedge/“weasel”",
        "not-defined-here",
    ];
    let len = article.char_len();
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let mut annotations = Vec::new();
    let push = |annotations: &mut Vec<Annotation>, id: u128, label: &str, range: Range<usize>| {
        let i = annotations.len();
        annotations.push(annotation(
            article,
            AnnotationId::from_u128(id),
            label,
            range,
            HOSTILE_NOTES[i % HOSTILE_NOTES.len()],
            when(i),
            when(i + i % 3),
        ));
    };
    // Identical ranges, different labels (and ids that sort against insertion order).
    push(&mut annotations, 900, "claim", 23..83);
    push(&mut annotations, 100, "denial", 23..83);
    push(&mut annotations, 500, "source", 23..83);
    // Nested: outer, middle, inner; and overlapping ones crossing their ends.
    push(&mut annotations, 1_001, "claim", 200..400);
    push(&mut annotations, 1_002, "source", 250..350);
    push(&mut annotations, 1_003, "denial", 300..310);
    push(&mut annotations, 1_004, "claim", 150..260);
    push(&mut annotations, 1_005, "hedge/“weasel”", 390..520);
    // The rest at random places, with ids spread over the whole UUID range.
    let mut next_id = 1u128 << 100;
    while annotations.len() < count {
        let start = rng.below(len - 1);
        let end = (start + 1 + rng.below(120)).min(len);
        if Anchor::new(article, start..end).is_err() {
            continue;
        }
        next_id = next_id.wrapping_add(u128::from(rng.next()) << 64 | u128::from(rng.next()));
        let label = labels[rng.below(labels.len())];
        push(&mut annotations, next_id, label, start..end);
    }
    rng.shuffle(&mut annotations);
    set.annotations = annotations.into();
    set.relations.push(Relation {
        id: RelationId::from_u128(7),
        kind: RelationTypeId::new("denies"),
        from: AnnotationId::from_u128(100),
        to: AnnotationId::from_u128(900),
    });
    set
}

/// A hand-edited file may repeat a tag in other case or leave blanks: it loads as an edit
/// would have left it; a file without such tags loads as written.
#[test]
fn tags_load_as_an_edit_leaves_them() {
    let article = Article::from_plain_text("one two three", "t");
    let mut set = AnnotationSet::new(&article, "t.txt".to_owned());
    let t = Timestamp::UNIX_EPOCH;
    let mut messy = annotation(
        &article,
        AnnotationId::from_u128(1),
        "claim",
        0..3,
        "",
        t,
        t,
    );
    messy.tags = vec![
        " Money ".into(),
        "money".into(),
        String::new(),
        "港口".into(),
    ];
    let mut tidy = annotation(
        &article,
        AnnotationId::from_u128(2),
        "claim",
        4..7,
        "",
        t,
        t,
    );
    tidy.tags = vec!["Port".into()];
    set.insert(messy);
    set.insert(tidy);
    let text = set_to_string(&set).expect("serialise");
    let loaded = load_set_str(&text, Path::new("t.claimlens.ron")).expect("load");
    let tags = |id: u128| {
        loaded
            .get(AnnotationId::from_u128(id))
            .unwrap()
            .tags
            .clone()
    };
    assert_eq!(tags(1), ["Money", "港口"]);
    assert_eq!(tags(2), ["Port"]);
    assert_eq!(loaded.all_tags(), ["Money", "Port", "港口"]);
}

#[test]
fn rich_set_round_trips_through_a_file() {
    let article = mixed_article();
    let set = rich_set(&article, 5_000);
    assert_eq!(set.annotations.len(), 5_000);
    assert!(
        is_canonical(&set.annotations),
        "a set puts what it is given in canonical order"
    );
    assert!(set.duplicate_ids().is_empty());
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mixed.txt.claimlens.ron");

    save_set(&set, &path).expect("save");
    let loaded = load_set(&path).expect("load");

    let mut expected = set.clone();
    expected.sort();
    assert_eq!(loaded.annotations.len(), expected.annotations.len());
    for (got, want) in loaded.annotations.iter().zip(&expected.annotations) {
        assert_eq!(got.id, want.id);
        assert_eq!(got.label, want.label, "label of {}", want.id);
        assert_eq!(got.note, want.note, "note of {}", want.id);
        assert_eq!(got.created, want.created, "created of {}", want.id);
        assert_eq!(got.modified, want.modified, "modified of {}", want.id);
        assert_eq!(got.anchor, want.anchor, "anchor of {}", want.id);
        assert_eq!(got.anchor.check(&article), AnchorCheck::Matches);
    }
    assert_eq!(loaded, expected);
    assert_eq!(loaded.article.content_hash, article.hash);

    // Every hostile note and every label made it, and the identical ranges stayed apart.
    for note in HOSTILE_NOTES {
        assert!(
            loaded.annotations.iter().any(|a| a.note == *note),
            "{note:?}"
        );
    }
    let pos = |n: u128| {
        loaded
            .get(AnnotationId::from_u128(n))
            .expect("annotation")
            .anchor
            .position
    };
    let contains = |outer: u128, inner: u128| {
        pos(outer).start <= pos(inner).start && pos(inner).end <= pos(outer).end
    };
    assert!(
        contains(1_001, 1_002) && contains(1_002, 1_003),
        "nesting lost"
    );
    assert!(pos(1_004).overlaps(&pos(1_001)) && !contains(1_001, 1_004) && !contains(1_004, 1_001));
    assert!(pos(1_005).overlaps(&pos(1_001)) && !contains(1_001, 1_005));
    let shared = loaded
        .get(AnnotationId::from_u128(900))
        .expect("annotation 900")
        .anchor
        .position;
    let same_range: Vec<(u128, &str)> = loaded
        .annotations
        .iter()
        .filter(|a| a.anchor.position == shared)
        .map(|a| (a.id.0.as_u128(), a.label.0.as_str()))
        .collect();
    assert_eq!(
        same_range,
        [(100, "denial"), (500, "source"), (900, "claim")]
    );
}

#[test]
fn saving_is_byte_stable_and_canonical_whatever_the_insertion_order() {
    let article = mixed_article();
    let set = rich_set(&article, 600);
    let dir = tempfile::tempdir().expect("temp dir");
    let first = dir.path().join("first.claimlens.ron");
    save_set(&set, &first).expect("save");
    let bytes = std::fs::read(&first).expect("read");

    // The same set saved again, and the loaded copy saved, give the same bytes.
    save_set(&set, &first).expect("save again");
    assert_eq!(std::fs::read(&first).expect("read"), bytes);
    let second = dir.path().join("second.claimlens.ron");
    save_set(&load_set(&first).expect("load"), &second).expect("save loaded");
    assert_eq!(std::fs::read(&second).expect("read"), bytes);

    // Reversed, sorted and reshuffled insertion orders give the same bytes too.
    let mut rng = Rng(42);
    for round in 0..4 {
        let mut other = set.clone();
        let mut given: Vec<Annotation> = set.annotations.iter().cloned().collect();
        match round {
            0 => given.reverse(),
            1 => other.sort(),
            _ => rng.shuffle(&mut given),
        }
        other.annotations = given.into();
        let text = set_to_string(&other).expect("serialise");
        assert!(
            text.as_bytes() == bytes,
            "insertion order {round} changed the file"
        );
    }

    // The file itself (not just what load_set returns) is in canonical order.
    let text = String::from_utf8(bytes).expect("UTF-8");
    let raw = parse_unsorted(&text);
    assert_eq!(raw.annotations.len(), set.annotations.len());
    assert!(is_canonical(&raw.annotations), "file is not sorted");
    let starts: Vec<usize> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("start: "))
        .map(|n| n.trim_end_matches(',').parse().expect("start offset"))
        .collect();
    assert_eq!(starts.len(), set.annotations.len());
    assert!(
        starts.is_sorted(),
        "start offsets in the file are not ascending"
    );
}

#[test]
fn empty_set_round_trips() {
    let article = Article::from_plain_text("", "");
    let set = AnnotationSet::new(&article, String::new());
    let text = set_to_string(&set).expect("serialise");
    let loaded = load_set_str(&text, Path::new("empty.claimlens.ron")).expect("load");
    assert_eq!(loaded, set);
    assert!(loaded.annotations.is_empty());
    assert_eq!(loaded.article.title, "Untitled");
}

// ---------------------------------------------------------------------------------------------
// Property tests

/// Characters for random articles: mostly letters and spaces, plus newlines, CR, and a mix of
/// scripts, joiners and marks, plus any code point at all.
fn text_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => proptest::char::range('a', 'z'),
        2 => Just(' '),
        1 => Just('\n'),
        1 => Just('\r'),
        2 => proptest::sample::select(vec![
            'é', '\u{301}', '\u{200d}', '\u{fe0f}', '👩', '💻', '🙂', '東', '京', 'ش', 'ف', 'ע',
            'ש', '“', '”', '"', '\\', '(', ')', '/', '*', '\u{feff}', '\t', '\u{0}', '\u{2028}',
        ]),
        2 => any::<char>(),
    ]
}

fn article_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(text_char(), 0..300).prop_map(|cs| cs.into_iter().collect())
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (
        Timestamp::MIN.as_second()..=Timestamp::MAX.as_second(),
        0..1_000_000_000i32,
    )
        .prop_map(|(s, n)| Timestamp::new(s, n).unwrap_or(Timestamp::UNIX_EPOCH))
}

/// (range as fractions of the text, label, note, created, modified).
type Draft = ((u16, u16), String, String, Timestamp, Timestamp);

fn drafts() -> impl Strategy<Value = Vec<Draft>> {
    proptest::collection::vec(
        (
            (any::<u16>(), any::<u16>()),
            prop_oneof![
                Just("claim".to_owned()),
                Just("source".to_owned()),
                any::<String>()
            ],
            any::<String>(),
            timestamp(),
            timestamp(),
        ),
        0..16,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn any_valid_set_round_trips_through_ron(
        text in article_text(),
        fallback_title in any::<String>(),
        article_path in any::<String>(),
        analyst in any::<String>(),
        id_seed in any::<u128>(),
        drafts in drafts(),
    ) {
        let article = Article::from_plain_text(&text, &fallback_title);
        let mut set = AnnotationSet::new(&article, article_path);
        set.analyst = analyst;
        let len = article.char_len();
        for (i, ((a, b), label, note, created, modified)) in drafts.into_iter().enumerate() {
            // Map the fractions onto 0..=len; reversed and empty ranges are rejected by Anchor.
            let at = |f: u16| usize::from(f) * len / usize::from(u16::MAX);
            let Ok(anchor) = Anchor::new(&article, at(a)..at(b)) else { continue };
            prop_assert_eq!(anchor.check(&article), AnchorCheck::Matches);
            set.annotations.insert(Annotation {
                // Odd multiplier: distinct `i` give distinct ids.
                id: AnnotationId::from_u128(id_seed.wrapping_add(i as u128 * 0x9e37_79b9_7f4a_7c15)),
                label: LabelId(label),
                anchor,
                note,
                created,
                modified,
                review: None,
                attributes: Default::default(),
                tags: Vec::new(),
            });
        }
        let path = Path::new("prop.claimlens.ron");
        let written = set_to_string(&set).expect("serialise");
        let loaded = load_set_str(&written, path);
        let mut expected = set.clone();
        expected.sort();
        let loaded = match loaded {
            Ok(loaded) => loaded,
            Err(err) => return Err(TestCaseError::fail(format!("load failed: {err:?}\n{written}"))),
        };
        prop_assert_eq!(&loaded, &expected);
        prop_assert_eq!(set_to_string(&loaded).expect("serialise again"), written);
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let path = Path::new("junk.claimlens.ron");
        if let Err(err) = load_set_str(&text, path) {
            prop_assert_eq!(error_path(&err), path);
        }
    }

    #[test]
    fn mutated_golden_file_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..6),
    ) {
        let mut bytes = golden_text().into_bytes();
        for (at, byte, kind) in edits {
            let i = at.index(bytes.len());
            match kind {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        let Ok(text) = String::from_utf8(bytes) else { return Ok(()) };
        if let Ok(set) = load_set_str(&text, Path::new("mutated.claimlens.ron")) {
            // Whatever loads must be a valid set that survives another round trip.
            prop_assert!(set.duplicate_ids().is_empty());
            prop_assert!(is_canonical(&set.annotations));
            let again = set_to_string(&set).expect("serialise");
            prop_assert_eq!(load_set_str(&again, Path::new("again")).expect("reload"), set);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The frozen v1 format

/// id, label, range, note, created, modified.
type GoldenRow = (
    AnnotationId,
    &'static str,
    Range<usize>,
    &'static str,
    &'static str,
    &'static str,
);

/// The set `golden-v1.claimlens.ron` was written from (once; the file is now frozen).
fn golden_set() -> AnnotationSet {
    let article = golden_article();
    let mut set = AnnotationSet::new(&article, "golden-article.txt".to_owned());
    // A v1 file has no label-set name; it migrates to the current defaults otherwise.
    set.labels.name = String::new();
    set.analyst = "Golden Tester".to_owned();
    let n = AnnotationId::from_u128;
    let uuid = AnnotationId(
        "7d444840-9dc0-41d1-b245-5ffdce74fad2"
            .parse()
            .expect("uuid"),
    );
    #[rustfmt::skip]
    let rows: [GoldenRow; 12] = [
        (n(5), "claim", 220..236, "Same words, read as a claim about the report.", "2026-03-01T09:05:00Z", "2026-03-01T09:05:00Z"),
        (n(3), "claim", 109..149, "Unsourced figure.\nThe \"deal\" is described, not shown; see C:\\reports\\ledger (p. 2) // unverified /* sic */", "2026-03-01T09:02:00Z", "2026-03-02T17:45:30.123456789Z"),
        (n(1), "denial", 19..32, "", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z"),
        (n(4), "denial", 220..236, "Direct quote of the denial.", "2026-03-01T09:04:00Z", "2026-03-01T09:04:00Z"),
        (n(2), "source", 47..63, "Newspaper; first to report.", "2026-03-01T09:01:00Z", "2026-03-01T09:01:00Z"),
        (n(6), "source", 187..199, "Named spokesperson: Zoë Ångström.", "2026-03-01T09:06:00Z", "2026-03-01T09:06:00Z"),
        (n(7), "claim", 170..269, "Whole statement, overlapping the denial (nested 4 & 5 inside).", "2026-03-01T09:07:00Z", "2026-03-01T09:07:00Z"),
        (n(8), "claim", 282..306, "東京: no comment 🙂", "2026-03-01T09:08:00Z", "2026-03-01T09:08:00Z"),
        (uuid, "source", 318..333, "cafe\u{301} owner 👩\u{200d}💻 (ZWJ sequence)", "2026-03-01T09:09:00Z", "2026-03-01T09:09:00Z"),
        (n(10), "source", 376..382, "شفافية = transparency (RTL)", "2026-03-01T09:10:00Z", "2026-03-01T09:10:00Z"),
        (n(11), "source", 397..403, "שקיפות, Hebrew", "2026-03-01T09:11:00Z", "2026-03-01T09:11:00Z"),
        (n(12), "claim", 408..429, "Ends the article.", "2026-03-01T09:12:00Z", "2026-03-01T09:12:00Z"),
    ];
    for (id, label, range, note, created, modified) in rows {
        set.annotations.insert(annotation(
            &article,
            id,
            label,
            range,
            note,
            ts(created),
            ts(modified),
        ));
    }
    // The rows above are deliberately out of order (the writer sorts); a loaded set is sorted.
    set.sort();
    set
}

/// The set `golden-v2.claimlens.ron` was written from, once, by the version 2 writer (the file
/// is now frozen): the v1 golden set plus what version 2 could hold that version 1 did not
/// use: reviews (moved with a proposal, orphaned), hand-written relations with free-text kinds
/// (default names in several spellings and one unknown kind), and a label without a key.
///
/// Written here in today's types, with what version 2 did not have left empty: no label-set
/// name, relation types or attribute definitions (relation kinds were free text, which the
/// string inside `RelationTypeId` holds as written).
fn golden_v2_set() -> AnnotationSet {
    let mut set = golden_set();
    set.format_version = 2;
    set.analyst = "Golden Tester v2".to_owned();
    set.labels.relation_types.clear();
    for label in &mut set.labels.labels {
        label.attributes.clear();
    }
    set.labels.labels.push(Label {
        id: LabelId::new("hedge"),
        name: "Hedge".to_owned(),
        colour: Rgb([0x2e, 0xa0, 0x43]),
        key: None,
        attributes: Vec::new(),
    });
    let n = AnnotationId::from_u128;
    set.annotations.update_all(|a| {
        if a.id == n(8) {
            a.review = Some(Review {
                status: ReviewStatus::Moved,
                proposal: Some(TextPosition {
                    start: 283,
                    end: 307,
                }),
            });
        } else if a.id == n(12) {
            a.review = Some(Review {
                status: ReviewStatus::Orphaned,
                proposal: None,
            });
        }
    });
    let relation = |id: u128, kind: &str, from: u128, to: u128| Relation {
        id: RelationId::from_u128(id),
        kind: RelationTypeId::new(kind),
        from: n(from),
        to: n(to),
    };
    set.relations = vec![
        relation(0x101, "attributed to", 3, 2),
        relation(0x102, "denies", 4, 3),
        relation(0x103, "issued-by", 4, 6),
        relation(0x104, "Supports", 12, 3),
        relation(0x105, "rebuts", 1, 3),
    ];
    set
}

/// What `golden-v2.claimlens.ron` loads as: version 3, the default relation types plus one
/// any → any type for the unknown kind `rebuts`, the default attributes on `claim` and
/// `source`, and every relation kind mapped to a type id.
fn golden_v2_migrated() -> AnnotationSet {
    let mut set = golden_v2_set();
    set.format_version = 3;
    let defaults = LabelSet::default();
    set.labels.relation_types = defaults.relation_types.clone();
    set.labels
        .add_relation_type("rebuts", vec![], vec![], false)
        .expect("add type");
    for label in &mut set.labels.labels {
        label.attributes = claimlens::model::default_attributes(&label.id);
    }
    for (r, kind) in
        set.relations
            .iter_mut()
            .zip(["attributed-to", "denies", "issued-by", "supports", "rebuts"])
    {
        r.kind = RelationTypeId::new(kind);
    }
    set
}

/// The set `golden-v3.claimlens.ron` was written from, once, by the version 3 writer (the file
/// is now frozen): the migrated v2 set plus everything version 3 can hold: a label-set name,
/// attribute values of every kind (choice, scale, text, a negative scale), a custom label with
/// its own attributes, tags (mixed case and scripts), a custom relation type with one open end,
/// and relations of every default type, the symmetric ones included.
fn golden_v3_set() -> AnnotationSet {
    use claimlens::model::{AttributeDef, AttributeValue};
    let mut set = golden_v2_migrated();
    set.analyst = "Golden Tester v3".to_owned();
    set.labels.name = "Harbour desk — «presets» \"v3\"".to_owned();
    let hedge = LabelId::new("hedge");
    let hedge_label = set
        .labels
        .labels
        .iter_mut()
        .find(|l| l.id == hedge)
        .expect("hedge label");
    hedge_label.key = Some(4);
    hedge_label.attributes = vec![
        AttributeDef::text("wording", "Wording"),
        AttributeDef::scale("strength", "Strength", -2, 2),
    ];
    set.labels
        .add_relation_type("qualifies", vec![hedge.clone()], vec![], false)
        .expect("add type");
    let n = AnnotationId::from_u128;
    let choice = |s: &str| AttributeValue::Choice(s.to_owned());
    set.annotations.update_all(|a| {
        let values: Vec<(&str, AttributeValue)> = match a.id.0.as_u128() {
            3 => vec![
                ("stance", choice("reported")),
                ("confidence", AttributeValue::Scale(4)),
                ("verification", choice("disputed")),
            ],
            5 => vec![("verification", choice("false"))],
            2 => vec![
                ("kind", choice("institutional")),
                ("quote", choice("paraphrase")),
            ],
            6 => vec![("kind", choice("named")), ("quote", choice("direct quote"))],
            _ => vec![],
        };
        a.attributes = values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        a.tags = match a.id.0.as_u128() {
            3 => vec!["Money".to_owned(), "needs follow-up".to_owned()],
            8 => vec!["東京".to_owned(), "ÉTÉ 🙂".to_owned()],
            _ => vec![],
        };
    });
    // Annotation 12 becomes a hedge with attributes ("the claim needs proof").
    let found = set.annotations.update(n(12), |twelve| {
        twelve.label = hedge.clone();
        twelve.attributes = [
            (
                "wording".to_owned(),
                AttributeValue::Text("needs \"proof\"\n(weasel?)".to_owned()),
            ),
            ("strength".to_owned(), AttributeValue::Scale(-1)),
        ]
        .into();
    });
    assert!(found, "annotation 12");
    let relation = |id: u128, kind: &str, from: u128, to: u128| Relation {
        id: RelationId::from_u128(id),
        kind: RelationTypeId::new(kind),
        from: n(from),
        to: n(to),
    };
    set.relations.extend([
        relation(0x106, "contradicts", 5, 7),
        relation(0x107, "attributed-to", 7, 6),
        relation(0x108, "qualifies", 12, 3),
    ]);
    set.sort();
    set
}

#[test]
fn golden_v1_file_loads_with_the_expected_fields() {
    let path = data("golden-v1.claimlens.ron");
    let set = load_set(&path).expect("golden file loads");
    let article = golden_article();

    assert_eq!(
        set.format_version, 3,
        "a version 1 file is migrated on load"
    );
    assert_eq!(set.format_version, FORMAT_VERSION);
    assert_eq!(set.article.path, "golden-article.txt");
    assert_eq!(
        set.article.title,
        "Harbour authority “firmly denies” secret deal"
    );
    assert_eq!(
        set.article.content_hash.0,
        "sha256:6d3401f63213bc9b87767b846495f9fe5e0955d74319083a493f9772c28b5ea0"
    );
    assert_eq!(
        set.article.content_hash, article.hash,
        "hash of golden-article.txt"
    );
    assert_eq!(set.analyst, "Golden Tester");
    let labels: Vec<(&str, &str, String, Option<u8>)> = set
        .labels
        .labels
        .iter()
        .map(|l| (l.id.0.as_str(), l.name.as_str(), l.colour.to_hex(), l.key))
        .collect();
    assert_eq!(
        labels,
        [
            ("claim", "Claim", "#e69f00".to_owned(), Some(1)),
            ("source", "Source", "#3584e4".to_owned(), Some(2)),
            ("denial", "Denial", "#d63a5a".to_owned(), Some(3)),
        ]
    );
    assert!(set.relations.is_empty());
    // Migrated: the default relation types and attribute definitions, no name.
    let defaults = LabelSet::default();
    assert_eq!(set.labels.relation_types, defaults.relation_types);
    for (got, want) in set.labels.labels.iter().zip(&defaults.labels) {
        assert_eq!(got.attributes, want.attributes, "{}", got.id.0);
    }
    assert_eq!(set.labels.name, "");
    assert!(
        set.annotations
            .iter()
            .all(|a| a.attributes.is_empty() && a.tags.is_empty())
    );

    // Canonical order: start, end, id. The two identical ranges (ids 4 and 5) sort by id.
    let rows: Vec<(String, &str, usize, usize)> = set
        .annotations
        .iter()
        .map(|a| {
            let p = a.anchor.position;
            (a.id.to_string(), a.label.0.as_str(), p.start, p.end)
        })
        .collect();
    let id = |n: u128| AnnotationId::from_u128(n).to_string();
    assert_eq!(
        rows,
        [
            (id(1), "denial", 19, 32),
            (id(2), "source", 47, 63),
            (id(3), "claim", 110, 148),
            (id(7), "claim", 171, 268),
            (id(6), "source", 187, 199),
            (id(4), "denial", 220, 236),
            (id(5), "claim", 220, 236),
            (id(8), "claim", 282, 306),
            (
                "7d444840-9dc0-41d1-b245-5ffdce74fad2".to_owned(),
                "source",
                318,
                333
            ),
            (id(10), "source", 376, 382),
            (id(11), "source", 397, 403),
            (id(12), "claim", 408, 429),
        ]
    );

    let by_id = |n: u128| set.get(AnnotationId::from_u128(n)).expect("annotation");
    assert_eq!(by_id(1).note, "");
    assert_eq!(
        by_id(3).note,
        "Unsourced figure.\nThe \"deal\" is described, not shown; see C:\\reports\\ledger (p. 2) // unverified /* sic */"
    );
    assert_eq!(
        by_id(3).anchor.quote.exact,
        "signed a secret deal worth €40 million"
    );
    assert_eq!(by_id(3).created, ts("2026-03-01T09:02:00Z"));
    assert_eq!(by_id(3).modified, ts("2026-03-02T17:45:30.123456789Z"));
    assert_eq!(
        by_id(5).anchor.quote.prefix,
        "oë Ångström, called the report “"
    );
    assert_eq!(
        by_id(5).anchor.quote.suffix,
        "” and said: “We never met them.”"
    );
    assert_eq!(by_id(8).note, "東京: no comment 🙂");
    assert_eq!(by_id(10).anchor.quote.exact, "شفافية");
    assert_eq!(by_id(11).anchor.quote.exact, "שקיפות");
    assert_eq!(
        by_id(12).anchor.quote.suffix,
        ".\n",
        "context is cut short by the end of the text"
    );
    let zwj = set
        .get(AnnotationId(
            "7d444840-9dc0-41d1-b245-5ffdce74fad2"
                .parse()
                .expect("uuid"),
        ))
        .expect("uuid annotation");
    assert_eq!(zwj.anchor.quote.exact, "cafe\u{301} owner 👩\u{200d}💻");

    // Every quote is exactly the article text at its position.
    for a in &set.annotations {
        let p = a.anchor.position;
        assert_eq!(article.slice(p.range()), a.anchor.quote.exact, "{}", a.id);
        assert_eq!(a.anchor.check(&article), AnchorCheck::Matches, "{}", a.id);
        let before: String = article.text.chars().take(p.start).collect();
        let prefix_len = a.anchor.quote.prefix.chars().count();
        assert!(
            before.ends_with(&a.anchor.quote.prefix) && prefix_len == p.start.min(CONTEXT_CHARS)
        );
    }

    assert_eq!(set, golden_set());
}

/// The first line at which `written` and `golden` differ, for failure messages.
fn first_difference(written: &str, golden: &str) -> String {
    written
        .lines()
        .zip(golden.lines())
        .position(|(a, b)| a != b)
        .map_or("(only the length differs)".to_owned(), |i| {
            format!(
                "line {}:\n  golden:  {:?}\n  written: {:?}",
                i + 1,
                golden.lines().nth(i).unwrap_or_default(),
                written.lines().nth(i).unwrap_or_default()
            )
        })
}

/// The text from `annotations: [` to the end: the part of a set file that versions 1 to 3
/// write alike for annotations without attributes or tags.
fn annotations_part(text: &str) -> &str {
    let at = text
        .find("\n    annotations: [")
        .expect("annotations field");
    &text[at..]
}

#[test]
fn golden_v1_file_migrates_to_the_current_format() {
    let v1 = golden_text();
    assert!(v1.contains("\n    format_version: 1,\n"));
    let set = load_set_str(&v1, Path::new("golden-v1.claimlens.ron")).expect("load");
    assert_eq!(
        set.format_version, FORMAT_VERSION,
        "migrated to the current version"
    );
    let rewritten = set_to_string(&set).expect("serialise");
    assert_eq!(rewritten, golden_text_as_written());
    // Annotations are written exactly as version 1 wrote them (byte for byte); the header
    // and article are too; only the label set gained fields.
    let (written, golden) = (annotations_part(&rewritten), annotations_part(&v1));
    assert!(
        written == golden,
        "the v1 annotation format changed; first difference at {}",
        first_difference(written, golden)
    );
    let head = |t: &str| t[..t.find("\n    labels: (").expect("labels")].to_owned();
    assert_eq!(
        head(&rewritten).replacen("format_version: 3,", "format_version: 1,", 1),
        head(&v1)
    );
    // And the rewritten file loads as the same set.
    assert_eq!(
        load_set_str(&rewritten, Path::new("again")).expect("reload"),
        set
    );
    assert!(v1.starts_with("// Claimlens annotation set."));
    assert!(!v1.contains('\r'), "golden file must keep LF line ends");
}

/// SHA-256 of a file in `tests/data`, as lower-case hex.
fn sha256_hex(name: &str) -> String {
    use sha2::Digest as _;
    let bytes = std::fs::read(data(name)).expect("read");
    sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn golden_v2_file_is_frozen_and_migrates() {
    // The file itself must never change (it was written by the v2 writer, which is gone).
    assert_eq!(
        sha256_hex("golden-v2.claimlens.ron"),
        GOLDEN_V2_SHA256,
        "golden-v2.claimlens.ron was edited: restore it from git"
    );
    let text = std::fs::read_to_string(data("golden-v2.claimlens.ron")).expect("read");
    assert!(text.contains("\n    format_version: 2,\n"));
    assert!(
        text.contains("kind: \"attributed to\""),
        "free-text kinds as v2 wrote them"
    );
    let set = load_set(&data("golden-v2.claimlens.ron")).expect("golden v2 loads");
    assert_eq!(set.format_version, FORMAT_VERSION);
    assert_eq!(set, golden_v2_migrated());
    // The unknown kind became a type of its own, named as written, linking any labels.
    let rebuts = set
        .labels
        .relation_type(&RelationTypeId::new("rebuts"))
        .expect("rebuts type");
    assert_eq!(rebuts.name, "rebuts");
    assert!(rebuts.from_labels.is_empty() && rebuts.to_labels.is_empty() && !rebuts.symmetric);
    // Reviews survive, and the migrated set is a valid label set with working relations.
    assert_eq!(set.pending_review().count(), 2);
    assert_eq!(set.labels.check(), Ok(()));
    let tree = claimlens::model::claim_tree(&set);
    let three = tree
        .claims
        .iter()
        .find(|c| c.claim == AnnotationId::from_u128(3))
        .expect("claim 3");
    assert_eq!(three.sources, [AnnotationId::from_u128(2)]);
    assert_eq!(three.denials.len(), 1);
    assert_eq!(three.denials[0].issuers, [AnnotationId::from_u128(6)]);
    // The migrated set is written as version 3 and reads back the same.
    let written = set_to_string(&set).expect("serialise");
    assert!(written.contains("\n    format_version: 3,\n"));
    assert_eq!(
        load_set_str(&written, Path::new("again")).expect("reload"),
        set
    );
}

/// SHA-256 of `golden-v2.claimlens.ron` as the v2 writer wrote it.
const GOLDEN_V2_SHA256: &str = "6f6c71f6d92c4a577201a2fb07a33ab822a2e7c4c160023558adb1bc0dbd1c4f";

#[test]
fn golden_v3_file_is_exactly_what_the_writer_produces() {
    let golden = std::fs::read_to_string(data("golden-v3.claimlens.ron")).expect("read");
    let written = set_to_string(&golden_v3_set()).expect("serialise");
    assert!(
        written == golden,
        "the v3 format changed; first difference at {}",
        first_difference(&written, &golden)
    );
    let set = load_set(&data("golden-v3.claimlens.ron")).expect("golden v3 loads");
    assert_eq!(set, golden_v3_set());
    assert_eq!(set.labels.check(), Ok(()));
    // Every value fits its definition, and the fields of version 3 are in the file.
    for a in &set.annotations {
        claimlens::model::check_attributes(&set.labels, &a.label, &a.attributes)
            .unwrap_or_else(|e| panic!("{}: {e}", a.id));
    }
    for needle in [
        "relation_types: [",
        "symmetric: true,",
        "Scale(",
        "Choice([",
        "Text(\"needs",
        "tags: [",
        "attributes: {",
    ] {
        assert!(golden.contains(needle), "{needle}");
    }
    assert!(!golden.contains('\r'), "golden file must keep LF line ends");
}

#[test]
fn a_newer_format_than_3_is_too_new_for_every_golden_file() {
    for name in [
        "golden-v1.claimlens.ron",
        "golden-v2.claimlens.ron",
        "golden-v3.claimlens.ron",
    ] {
        let text = std::fs::read_to_string(data(name)).expect("read");
        let at = text.find("format_version: ").expect("version") + "format_version: ".len();
        let end = at + text[at..].find(',').expect("comma");
        let newer = format!("{}{}{}", &text[..at], FORMAT_VERSION + 1, &text[end..]);
        match load_set_str(&newer, Path::new(name)) {
            Err(StoreError::TooNew { found, .. }) => assert_eq!(found, FORMAT_VERSION + 1),
            other => panic!("{name}: {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Label presets

#[test]
fn presets_round_trip_and_are_checked() {
    let path = Path::new("desk.claimlens-labels.ron");
    let mut labels = golden_v3_set().labels;
    labels.name = "Harbour desk".to_owned();
    let text = preset_to_string(&labels).expect("serialise");
    assert!(text.starts_with("// Claimlens label preset"));
    assert!(text.contains("format_version: 3,"));
    assert_eq!(preset_from_str(&text, path).expect("load"), labels);
    let default = LabelSet::default();
    let text = preset_to_string(&default).expect("serialise");
    assert_eq!(preset_from_str(&text, path).expect("load"), default);

    // From a newer Claimlens: too new.
    let newer = text.replacen("format_version: 3,", "format_version: 4,", 1);
    assert!(matches!(
        preset_from_str(&newer, path),
        Err(StoreError::TooNew { found: 4, .. })
    ));
    // Two labels on one key: invalid, naming the file.
    let clash = text.replacen("key: Some(2)", "key: Some(1)", 1);
    assert_ne!(clash, text);
    let err = preset_from_str(&clash, path).expect_err("clash");
    assert!(matches!(err, StoreError::Invalid { .. }), "{err:?}");
    assert!(
        err.to_string().contains("desk.claimlens-labels.ron"),
        "{err}"
    );
    // Not a preset at all, or from before presets existed.
    for junk in [
        "",
        "(labels: ())",
        "just words",
        "(format_version: 2, labels: ())",
    ] {
        assert!(
            matches!(
                preset_from_str(junk, path),
                Err(StoreError::NotAPreset { .. })
            ),
            "{junk:?}"
        );
    }
    // A damaged preset is a syntax error with a position.
    let half = (0..=text.len() / 2)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let cut = &text[..half];
    assert!(matches!(
        preset_from_str(cut, path),
        Err(StoreError::Syntax { .. })
    ));
    // A version 3 set file reads as a preset too: its label set.
    let set_text = std::fs::read_to_string(data("golden-v3.claimlens.ron")).expect("read");
    assert_eq!(
        preset_from_str(&set_text, path).expect("set as preset"),
        golden_v3_set().labels
    );
}

#[test]
fn tags_are_normalised_on_load() {
    let golden = std::fs::read_to_string(data("golden-v3.claimlens.ron")).expect("read");
    let messy = golden.replacen("\"Money\",", "\"  Money \", \"MONEY\", \"\",", 1);
    assert_ne!(messy, golden);
    let set = load_set_str(&messy, Path::new("messy.claimlens.ron")).expect("load");
    assert_eq!(set, golden_v3_set());
}

#[test]
#[ignore = "writes the golden v3 file once; it is frozen since"]
fn write_golden_v3() {
    let text = set_to_string(&golden_v3_set()).expect("serialise");
    std::fs::write(data("golden-v3.claimlens.ron"), text).expect("write");
}

// ---------------------------------------------------------------------------------------------
// Hostile and damaged files

#[test]
fn empty_and_blank_files_are_not_sets() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases: [(&str, &[u8]); 3] = [
        ("empty.ron", b""),
        ("blank.ron", b" \n\n\t\n"),
        ("comment.ron", b"// Claimlens annotation set.\n"),
    ];
    for (name, bytes) in cases {
        let (_, err) = load_err(dir.path(), name, bytes);
        assert!(matches!(err, StoreError::NotASet { .. }), "{name}: {err:?}");
    }
}

#[test]
fn truncated_golden_file_is_an_error_at_every_cut() {
    let text = golden_text();
    let bytes = text.as_bytes();
    // Cutting only the final newline leaves a complete file.
    let complete = text.trim_end().len();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cut.claimlens.ron");
    let mut cuts = 0;
    for cut in (0..complete).step_by(7) {
        std::fs::write(&path, &bytes[..cut]).expect("write");
        match load_set(&path) {
            Ok(_) => panic!("golden file cut at byte {cut} loaded"),
            Err(err) => {
                assert_names(&err, &path);
                assert!(
                    matches!(err, StoreError::Syntax { .. } | StoreError::NotASet { .. }),
                    "cut at {cut}: {err:?}"
                );
            }
        }
        cuts += 1;
    }
    assert!(cuts > 1_000, "only {cuts} cuts");
    // And every single cut near the start (header, version) and the end (closing brackets),
    // where a cut file is closest to a valid one; in memory, as the disk adds nothing here.
    let edges = (0..200).chain(complete - 200..complete);
    for cut in edges.filter(|&c| text.is_char_boundary(c)) {
        assert!(
            load_set_str(&text[..cut], &path).is_err(),
            "golden text cut at byte {cut} loaded"
        );
    }
    assert!(load_set_str(&text[..complete], &path).is_ok());
}

#[test]
fn binary_and_invalid_utf8_files_are_not_sets() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut rng = Rng(7);
    let random: Vec<u8> = (0..4096).map(|_| rng.next() as u8).collect();
    let mut golden_latin1 = golden_text().into_bytes();
    golden_latin1[2_000] = 0xe9; // a lone Latin-1 `é` in the middle of the golden file
    for (name, bytes) in [
        ("random.bin", random),
        ("ff.bin", vec![0xff; 64]),
        ("latin1.ron", golden_latin1),
        ("utf16.ron", {
            let mut b = vec![0xff, 0xfe];
            b.extend(
                "(format_version: 1)"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            );
            b
        }),
    ] {
        let (_, err) = load_err(dir.path(), name, &bytes);
        match &err {
            StoreError::NotASet { reason, .. } => {
                assert!(reason.contains("UTF-8"), "{name}: {reason}")
            }
            other => panic!("{name}: expected NotASet, got {other:?}"),
        }
    }
    // Valid UTF-8 but not RON at all.
    let (_, err) = load_err(dir.path(), "nul.ron", &[0; 100]);
    assert!(matches!(err, StoreError::NotASet { .. }), "{err:?}");
}

#[test]
fn other_formats_are_not_sets() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases: [(&str, &str); 6] = [
        (
            "set.json",
            r#"{"format_version": 1, "article": {"path": "a.txt", "title": "A", "content_hash": "sha256:00"}, "analyst": "", "annotations": [], "relations": []}"#,
        ),
        ("list.json", "[1, 2, 3]"),
        ("name.ron", r#"(name: "x")"#),
        ("named.ron", r#"Config(name: "x", format_version_x: 1)"#),
        (
            "toml.toml",
            "format_version = 1\n[article]\npath = \"a.txt\"\n",
        ),
        ("words.txt", "Just some words.\n(With a parenthesis.)\n"),
    ];
    for (name, text) in cases {
        let (_, err) = load_err(dir.path(), name, text.as_bytes());
        assert!(matches!(err, StoreError::NotASet { .. }), "{name}: {err:?}");
    }
}

#[test]
fn format_versions_are_checked_before_the_rest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let golden = golden_text();
    let with_version =
        |v: &str| golden.replacen("format_version: 1,", &format!("format_version: {v},"), 1);
    assert_ne!(with_version("99"), golden);

    for (v, found) in [
        ("99", 99),
        ("4", FORMAT_VERSION + 1),
        ("4294967295", u32::MAX),
    ] {
        let (_, err) = load_err(dir.path(), "newer.ron", with_version(v).as_bytes());
        assert!(
            matches!(err, StoreError::TooNew { found: f, .. } if f == found),
            "version {v}: {err:?}"
        );
        assert!(err.to_string().contains(&found.to_string()), "{err}");
    }
    // A newer file may carry fields and nesting this version does not know.
    let future = r#"(format_version: 99, hologram: Some((beam: [1, 2, 3])), annotations: [])"#;
    let (_, err) = load_err(dir.path(), "future.ron", future.as_bytes());
    assert!(
        matches!(err, StoreError::TooNew { found: 99, .. }),
        "{err:?}"
    );

    let (_, err) = load_err(dir.path(), "zero.ron", with_version("0").as_bytes());
    assert!(
        matches!(err, StoreError::NotASet { .. }),
        "version 0: {err:?}"
    );
    let (_, err) = load_err(dir.path(), "zero-min.ron", b"(format_version: 0)");
    assert!(
        matches!(err, StoreError::NotASet { .. }),
        "version 0: {err:?}"
    );

    for bad in ["-1", "\"1\"", "1.5", "4294967296", "None"] {
        let (_, err) = load_err(dir.path(), "bad-version.ron", with_version(bad).as_bytes());
        assert!(
            matches!(err, StoreError::Syntax { .. }),
            "version {bad}: {err:?}"
        );
    }

    // Version 1 but not a whole set: damaged, with a position.
    let (_, err) = load_err(dir.path(), "partial.ron", b"(format_version: 1)");
    assert!(matches!(err, StoreError::Syntax { line: 1, .. }), "{err:?}");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let dir = tempfile::tempdir().expect("temp dir");
    let golden = golden_text();
    let deep =
        |open: &str, close: &str, n: usize| format!("{}1{}", open.repeat(n), close.repeat(n));
    let in_golden = |value: &str| {
        golden.replacen(
            "analyst: \"Golden Tester\",",
            &format!("analyst: \"Golden Tester\", extra: {value},"),
            1,
        )
    };
    let cases = [
        ("parens", "(".repeat(10_000)),
        ("brackets", "[".repeat(10_000)),
        ("braces", "{".repeat(10_000)),
        ("closed-parens", deep("(", ")", 10_000)),
        ("closed-brackets", deep("[", "]", 10_000)),
        ("ignored-brackets", in_golden(&deep("[", "]", 100_000))),
        ("ignored-somes", in_golden(&deep("Some(", ")", 100_000))),
        ("ignored-maps", in_golden(&deep("{1: ", "}", 100_000))),
        (
            "version-somes",
            format!("(format_version: {})", deep("Some(", ")", 10_000)),
        ),
        (
            "note-brackets",
            golden.replacen(
                "note: \"\",",
                &format!("note: {},", deep("[", "]", 10_000)),
                1,
            ),
        ),
    ];
    for (name, text) in cases {
        let (_, err) = load_err(dir.path(), name, text.as_bytes());
        assert!(
            matches!(err, StoreError::Syntax { .. } | StoreError::NotASet { .. }),
            "{name}: {err:?}"
        );
    }
    // Nesting the set itself needs is fine: the golden file still loads with an unknown
    // field nested a few levels deep.
    let shallow = in_golden(&deep("[", "]", 8));
    let (_, loaded) = load_bytes(dir.path(), "shallow.ron", shallow.as_bytes());
    assert_eq!(loaded.expect("shallow nesting loads"), golden_set());
}

#[test]
fn duplicate_annotation_id_is_invalid() {
    let dir = tempfile::tempdir().expect("temp dir");
    let golden = golden_text();
    let one = AnnotationId::from_u128(1).to_string();
    let two = AnnotationId::from_u128(2).to_string();
    let duplicated = golden.replacen(&format!("id: \"{two}\""), &format!("id: \"{one}\""), 1);
    assert_ne!(duplicated, golden);
    let (_, err) = load_err(dir.path(), "dup.ron", duplicated.as_bytes());
    match &err {
        StoreError::Invalid { reason, .. } => assert!(reason.contains(&one), "{reason}"),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn position_that_disagrees_with_its_quote_is_invalid() {
    let dir = tempfile::tempdir().expect("temp dir");
    let golden = golden_text();
    // Annotation 1 is "firmly denies", 19..32 (13 code points).
    let longer = golden.replacen("end: 32,", "end: 33,", 1);
    let reversed = golden.replacen("start: 19,", "start: 40,", 1);
    let shorter_quote = golden.replacen("exact: \"firmly denies\"", "exact: \"firmly deni\"", 1);
    for (name, text) in [
        ("longer", longer),
        ("reversed", reversed),
        ("shorter", shorter_quote),
    ] {
        assert_ne!(text, golden, "{name}: fixture edit did not apply");
        let (_, err) = load_err(dir.path(), name, text.as_bytes());
        match &err {
            StoreError::Invalid { reason, .. } => assert!(
                reason.contains(&AnnotationId::from_u128(1).to_string()),
                "{name}: {reason}"
            ),
            other => panic!("{name}: expected Invalid, got {other:?}"),
        }
    }
}

#[test]
fn oversized_file_is_refused_before_reading() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge.claimlens.ron");
    let file = std::fs::File::create(&path).expect("create");
    // Sparse: costs no disk and no time, and load_set must not read it.
    file.set_len(MAX_SET_BYTES + 1).expect("set_len");
    drop(file);
    let err = load_set(&path).expect_err("oversized file loaded");
    assert_names(&err, &path);
    assert!(
        matches!(err, StoreError::TooLarge { size, .. } if size == MAX_SET_BYTES + 1),
        "{err:?}"
    );
}

#[test]
fn missing_file_and_directory_are_read_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("missing.claimlens.ron");
    let err = load_set(&missing).expect_err("missing file loaded");
    assert_names(&err, &missing);
    assert!(
        matches!(&err, StoreError::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound),
        "{err:?}"
    );
    let folder = dir.path().join("folder.claimlens.ron");
    std::fs::create_dir(&folder).expect("mkdir");
    let err = load_set(&folder).expect_err("directory loaded");
    assert_names(&err, &folder);
    assert!(matches!(err, StoreError::Read { .. }), "{err:?}");
}

#[test]
fn byte_order_mark_is_accepted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(golden_text().into_bytes());
    let (_, loaded) = load_bytes(dir.path(), "bom.claimlens.ron", &bytes);
    assert_eq!(loaded.expect("BOM-prefixed set loads"), golden_set());
}

// ---------------------------------------------------------------------------------------------
// Atomic saves

#[test]
fn saving_over_an_existing_file_replaces_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("story.txt.claimlens.ron");
    std::fs::write(
        &path,
        "old contents, much longer than nothing ".repeat(1_000),
    )
    .expect("write");
    let set = golden_set();
    save_set(&set, &path).expect("save");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        golden_text_as_written()
    );
    assert_eq!(load_set(&path).expect("load"), set);
    // Overwrite again with a smaller set: no trace of the larger one.
    let mut smaller = set.clone();
    smaller.annotations.truncate(1);
    save_set(&smaller, &path).expect("save smaller");
    assert_eq!(load_set(&path).expect("load"), smaller);
    assert_eq!(listing(dir.path()), ["story.txt.claimlens.ron"]);
    assert_eq!(temp_files(dir.path()), Vec::<String>::new());
}

#[test]
fn saving_into_a_missing_folder_fails_and_creates_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("no/such/folder");
    let path = missing.join("set.claimlens.ron");
    let err = save_set(&golden_set(), &path).expect_err("saved into a missing folder");
    assert_names(&err, &path);
    assert!(matches!(err, StoreError::Write { .. }), "{err:?}");
    assert!(!dir.path().join("no").exists(), "the folder was created");
    assert_eq!(listing(dir.path()), Vec::<String>::new());
}

#[test]
fn saving_onto_a_folder_or_under_a_file_fails_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The target is a non-empty folder: the temp file is written, then the rename fails.
    let folder = dir.path().join("taken.claimlens.ron");
    std::fs::create_dir(&folder).expect("mkdir");
    std::fs::write(folder.join("inside.txt"), "keep me").expect("write");
    let err = save_set(&golden_set(), &folder).expect_err("saved over a folder");
    assert_names(&err, &folder);
    assert!(matches!(err, StoreError::Write { .. }), "{err:?}");
    assert_eq!(
        std::fs::read_to_string(folder.join("inside.txt")).expect("read"),
        "keep me"
    );
    assert_eq!(temp_files(dir.path()), Vec::<String>::new());
    assert_eq!(listing(dir.path()), ["taken.claimlens.ron"]);

    // The parent "folder" is a regular file.
    let file = dir.path().join("plain.txt");
    std::fs::write(&file, "plain").expect("write");
    let path = file.join("set.claimlens.ron");
    let err = save_set(&golden_set(), &path).expect_err("saved under a file");
    assert_names(&err, &path);
    assert!(matches!(err, StoreError::Write { .. }), "{err:?}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "plain");
    assert_eq!(listing(dir.path()), ["plain.txt", "taken.claimlens.ron"]);
}

#[cfg(unix)]
#[test]
fn saving_into_a_read_only_folder_keeps_the_old_file() {
    use std::os::unix::fs::PermissionsExt as _;

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("set.claimlens.ron");
    let old = b"the old file, which must survive".to_vec();
    std::fs::write(&path, &old).expect("write");
    let set_mode = |mode| {
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    set_mode(0o555);
    // Root (and some CI containers) ignore directory permissions: find out which we are.
    let probe = dir.path().join("probe");
    let permissions_enforced = std::fs::write(&probe, b"").is_err();
    let _ = std::fs::remove_file(&probe);

    let result = save_set(&golden_set(), &path);
    let after = std::fs::read(&path).expect("read");
    let leftovers = temp_files(dir.path());
    set_mode(0o755); // so the temp dir can be removed
    assert_eq!(leftovers, Vec::<String>::new());
    if permissions_enforced {
        let err = result.expect_err("saved into a read-only folder");
        assert_names(&err, &path);
        assert!(matches!(err, StoreError::Write { .. }), "{err:?}");
        assert_eq!(after, old, "the old file changed");
    } else {
        eprintln!(
            "read-only folder test: permissions are not enforced (root?); checked the save instead"
        );
        result.expect("save where permissions are not enforced");
        assert_eq!(after, golden_text_as_written().into_bytes());
    }
    assert_eq!(listing(dir.path()), ["set.claimlens.ron"]);
}

#[cfg(unix)]
#[test]
fn saving_keeps_the_permissions_of_the_old_file() {
    use std::os::unix::fs::PermissionsExt as _;

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shared.claimlens.ron");
    std::fs::write(&path, "old").expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).expect("chmod");
    save_set(&golden_set(), &path).expect("save");
    let mode = std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o664, "mode after save is {mode:o}");
}

#[cfg(unix)]
#[test]
fn saving_through_a_symlink_replaces_the_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().expect("temp dir");
    let real = dir.path().join("real.claimlens.ron");
    let link = dir.path().join("link.claimlens.ron");
    let set = golden_set();
    save_set(&set, &real).expect("first save");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let mut changed = set.clone();
    changed.analyst = "Second analyst".to_owned();
    save_set(&changed, &link).expect("save through the link");
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink(),
        "the link is still a link"
    );
    assert_eq!(load_set(&real).expect("target").analyst, "Second analyst");
}

// ---------------------------------------------------------------------------------------------
// Backups and failing disks

/// The golden set with its first `n` annotations: a different file for each `n`.
fn version(n: usize) -> AnnotationSet {
    let mut set = golden_set();
    set.annotations.truncate(n);
    set
}

#[test]
fn saves_keep_the_last_five_versions_newest_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("story.txt.claimlens.ron");
    let count = golden_set().annotations.len();
    assert!(
        count >= 7,
        "the golden set has enough annotations for 7 versions"
    );
    for n in 1..=7 {
        save_set_with_backups(&version(n), &path).expect("save");
    }
    assert_eq!(load_set(&path).expect("load"), version(7));
    let backups = backups_of(&path);
    assert_eq!(backups.len(), BACKUPS);
    for (i, backup) in backups.iter().enumerate() {
        assert_eq!(backup, &backup_path(&path, i + 1));
        assert_eq!(
            load_set(backup).expect("backup loads"),
            version(6 - i),
            "backup {}",
            i + 1
        );
    }
    // Saving the same set again keeps the backups as they are.
    let before: Vec<Vec<u8>> = backups.iter().map(|b| std::fs::read(b).unwrap()).collect();
    save_set_with_backups(&version(7), &path).expect("save again");
    let after: Vec<Vec<u8>> = backups.iter().map(|b| std::fs::read(b).unwrap()).collect();
    assert_eq!(before, after);
    // Only the set and the backup folder beside it; no temporary files anywhere.
    assert_eq!(
        listing(dir.path()),
        [".claimlens-backups", "story.txt.claimlens.ron"]
    );
    assert!(temp_files(dir.path()).is_empty());
    assert!(temp_files(&dir.path().join(".claimlens-backups")).is_empty());
}

#[test]
fn the_newest_backup_that_loads_is_offered_when_the_set_is_damaged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("story.txt.claimlens.ron");
    for n in 1..=4 {
        save_set_with_backups(&version(n), &path).expect("save");
    }
    // The set file and its newest backup are damaged (a disk fault, a bad hand edit).
    std::fs::write(&path, "(format_version: 3, annotations: [").unwrap();
    std::fs::write(backup_path(&path, 1), [0xff, 0xfe, 0x00]).unwrap();
    assert!(load_set(&path).is_err());
    let (good, skipped) = newest_good_backup(&path);
    let (backup, set) = good.expect("an older backup loads");
    assert_eq!(backup, backup_path(&path, 2));
    assert_eq!(set, version(2));
    assert_eq!(skipped.len(), 1);
    assert_names(&skipped[0], &backup_path(&path, 1));
    // A set without backups has nothing to offer.
    let (none, skipped) = newest_good_backup(&dir.path().join("other.claimlens.ron"));
    assert!(none.is_none() && skipped.is_empty());
}

#[test]
fn a_backup_that_cannot_be_written_leaves_the_set_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("story.txt.claimlens.ron");
    save_set_with_backups(&version(1), &path).expect("first save");
    let before = std::fs::read(&path).unwrap();
    // A file where the backup folder should be: the backup fails, so the save must too.
    std::fs::write(dir.path().join(".claimlens-backups"), "in the way").unwrap();
    let err = save_set_with_backups(&version(2), &path).expect_err("no backup, no save");
    assert!(matches!(err, StoreError::Backup { .. }), "{err:?}");
    assert_names(&err, &path);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(temp_files(dir.path()).is_empty());
}

#[test]
fn a_full_disk_fails_cleanly_and_keeps_the_old_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("story.txt.claimlens.ron");
    save_set(&version(3), &path).expect("save");
    let before = std::fs::read(&path).unwrap();
    let new = set_to_string(&version(5)).unwrap();
    // The disk fills up half-way through the temporary file.
    let err = write_atomically_with(&path, new.as_bytes(), |file, bytes| {
        use std::io::Write as _;
        file.write_all(&bytes[..bytes.len() / 2])?;
        Err(std::io::Error::from(std::io::ErrorKind::StorageFull))
    })
    .expect_err("a full disk is an error");
    assert_eq!(err.kind(), std::io::ErrorKind::StorageFull);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the old file is untouched"
    );
    assert!(
        temp_files(dir.path()).is_empty(),
        "the half-written temp file is removed"
    );
    assert_eq!(load_set(&path).expect("still loads"), version(3));
}
