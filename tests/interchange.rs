//! Interchange formats: W3C Web Annotation, brat standoff, Hypothesis.
//!
//! * Golden files (`tests/data/interchange/golden.*`) hold the exact W3C and brat output for a
//!   fixed set on the sample article. If the output changes on purpose, rewrite them with
//!   `CLAIMLENS_BLESS=1 cargo test interchange` and review the diff before committing.
//! * The W3C output is validated with the W3C test suite's JSON Schemas (draft-04, copied to
//!   `tests/data/interchange/w3c/`), applied the way the wpt manifests `annotationMusts`,
//!   `targetMusts` and `specificResourceMusts` apply them (see [`w3c_assertions`]).
//! * Fixtures are described in `tests/data/PROVENANCE.md`.

use std::ops::Range;
use std::path::{Path, PathBuf};

use claimlens::interchange::{InterchangeError, Outcome, brat, hypothesis, w3c};
use claimlens::model::{
    Anchor, Annotation, AnnotationId, AnnotationSet, Article, Label, LabelId, LabelSet, Relation,
    RelationId, RelationTypeId, Review, ReviewStatus, Rgb, TextPosition, TextQuote, Timestamp,
};
use proptest::prelude::*;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/interchange")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(data(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
}

fn ts(rfc3339: &str) -> Timestamp {
    rfc3339.parse().expect("timestamp")
}

/// Code point range of the `nth` occurrence of `needle` in the article.
fn range_of(article: &Article, needle: &str, nth: usize) -> Range<usize> {
    let (byte, _) = article
        .text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in the article"));
    let start = article.text[..byte].chars().count();
    start..start + needle.chars().count()
}

/// Compares `actual` with the golden file `name`, or rewrites it with `CLAIMLENS_BLESS=1`.
fn check_golden(name: &str, actual: &str) {
    let path = data(name);
    if std::env::var_os("CLAIMLENS_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from the output at line {}:\n  golden: {:?}\n  output: {:?}\n\
             If the change is intended, run `CLAIMLENS_BLESS=1 cargo test interchange` and \
             review the diff.",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

const SOURCE: &str = "https://example.org/news/alibaba-pla-denial";

fn annotation(
    article: &Article,
    id: u128,
    label: &str,
    range: Range<usize>,
    note: &str,
    created: &str,
    modified: &str,
) -> Annotation {
    Annotation {
        id: AnnotationId::from_u128(id),
        label: LabelId::new(label),
        anchor: Anchor::new(article, range).expect("anchor"),
        note: note.to_owned(),
        created: ts(created),
        modified: ts(modified),
        review: None,
        attributes: Default::default(),
        tags: Vec::new(),
    }
}

const NOTE_1: &str = "Attributed to a memo nobody has seen.\n\
    Quote: \"purportedly used by the White House\"\tTab <script>alert('x')</script>\n\
    Path C:\\new\\table & more";

/// The fixed set of the golden files: overlapping and nested spans, spans across a line break
/// and across a blank line, notes with quotes, tabs, markup, backslashes and CRLF, two labels
/// that are not defaults (one with a space, one with an underscore), one annotation moved and
/// one orphaned by re-anchoring, and two relations.
fn golden_set(article: &Article) -> AnnotationSet {
    let mut set = AnnotationSet::new(article, "claimlens:sample".into());
    set.analyst = "Ana Lyst".into();
    set.labels.labels.push(Label {
        id: LabelId::new("hot-take"),
        name: "Hot take".into(),
        colour: Rgb([0x00, 0x9e, 0x73]),
        key: Some(4),
        attributes: Vec::new(),
    });
    set.labels.labels.push(Label {
        id: LabelId::new("key_fact"),
        name: "Key_fact".into(),
        colour: Rgb([0xcc, 0x79, 0xa7]),
        key: Some(5),
        attributes: Vec::new(),
    });
    let a = article;
    let t0 = "2026-01-15T09:30:00Z";
    let t1 = "2026-01-15T09:31:02.123456789Z";
    let t2 = "2026-01-16T14:00:00Z";
    let claim = "Alibaba had been involved in providing unspecified support to the People’s \
                 Liberation Army (PLA)";
    for annotation in [
        annotation(a, 1, "claim", range_of(a, claim, 0), NOTE_1, t0, t2),
        annotation(
            a,
            2,
            "source",
            range_of(a, "a recent Financial Times report", 0),
            "",
            t1,
            t1,
        ),
        annotation(
            a,
            3,
            "denial",
            range_of(a, "completely false", 0),
            "Their word: “completely false”.",
            t0,
            t0,
        ),
        annotation(
            a,
            4,
            "claim",
            range_of(
                a,
                "called the report “completely false” and “malicious,”",
                0,
            ),
            "",
            t0,
            t0,
        ),
        annotation(
            a,
            5,
            "source",
            range_of(a, "the tech giant called the report", 0),
            "",
            t0,
            t0,
        ),
        annotation(
            a,
            6,
            "hot-take",
            range_of(
                a,
                "provide independent corroboration.\nAlibaba, one of China’s largest technology",
                0,
            ),
            "Spans two paragraphs.",
            t0,
            t0,
        ),
        annotation(
            a,
            7,
            "denial",
            range_of(a, "‘False and Malicious’\n\nAlibaba Group Holding", 0),
            "",
            t0,
            t0,
        ),
        annotation(
            a,
            8,
            "key_fact",
            range_of(a, "Huawei and Hikvision", 0),
            "100% \\ sure\r\nwith CRLF",
            t0,
            t2,
        ),
    ] {
        set.insert(annotation);
    }
    // Re-anchoring left these two for the analyst: their anchors are in an older text.
    let added = range_of(a, "the spokesperson added", 0);
    set.insert(Annotation {
        id: AnnotationId::from_u128(9),
        label: LabelId::new("claim"),
        anchor: Anchor {
            position: TextPosition {
                start: added.start - 4,
                end: added.start - 4 + 21,
            },
            quote: TextQuote {
                exact: "the spokesperson said".into(),
                prefix: "“We take national security concerns seriously,” ".into(),
                suffix: ", “and we are committed".into(),
            },
        },
        note: "Was “said”; now “added”?".into(),
        created: ts(t0),
        modified: ts(t2),
        review: Some(Review {
            status: ReviewStatus::Moved,
            proposal: Some(TextPosition {
                start: added.start,
                end: added.end,
            }),
        }),
        attributes: Default::default(),
        tags: Vec::new(),
    });
    set.insert(Annotation {
        id: AnnotationId::from_u128(10),
        label: LabelId::new("source"),
        anchor: Anchor {
            position: TextPosition {
                start: 120,
                end: 155,
            },
            quote: TextQuote {
                exact: "Alibaba shares fell 3% in Hong Kong".into(),
                prefix: "On Monday, ".into(),
                suffix: " trading.".into(),
            },
        },
        note: String::new(),
        created: ts(t0),
        modified: ts(t2),
        review: Some(Review {
            status: ReviewStatus::Orphaned,
            proposal: None,
        }),
        attributes: Default::default(),
        tags: Vec::new(),
    });
    set.relations.push(Relation {
        id: RelationId::from_u128(101),
        kind: RelationTypeId::new("denies"),
        from: AnnotationId::from_u128(3),
        to: AnnotationId::from_u128(1),
    });
    set.relations.push(Relation {
        id: RelationId::from_u128(102),
        kind: RelationTypeId::new("attributed-to"),
        from: AnnotationId::from_u128(1),
        to: AnnotationId::from_u128(2),
    });
    set
}

fn sample() -> Article {
    claimlens::app::sample_article()
}

fn id(n: u128) -> AnnotationId {
    AnnotationId::from_u128(n)
}

/// Labels compared by what they mean (keys may be assigned differently on import).
fn label_facts(labels: &LabelSet) -> Vec<(String, String, String)> {
    labels
        .labels
        .iter()
        .map(|l| (l.id.0.clone(), l.name.clone(), l.colour.to_hex()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Golden files

#[test]
fn w3c_export_matches_the_golden_file() {
    let article = sample();
    let set = golden_set(&article);
    let out = w3c::to_w3c_string(&article, &set, SOURCE);
    check_golden("golden.w3c.jsonld", &out);
    // Also the same as the Value, and stable from run to run.
    let value: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value, w3c::to_w3c(&article, &set, SOURCE));
    assert_eq!(out, w3c::to_w3c_string(&article, &set, SOURCE));
}

#[test]
fn brat_export_matches_the_golden_files() {
    let article = sample();
    let set = golden_set(&article);
    let out = brat::to_brat(&article, &set);
    assert_eq!(
        out.txt, article.text,
        "the .txt is exactly the article text"
    );
    check_golden("golden.ann", &out.ann);
    check_golden("golden.annotation.conf", &brat::brat_annotation_conf(&set));
    check_golden("golden.visual.conf", &brat::brat_visual_conf(&set));
    let left_out: Vec<AnnotationId> = out.left_out.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        left_out,
        [id(10), id(9)],
        "the two under review, in set order"
    );
    assert!(out.left_out[0].1.contains("waits for review"));
}

#[test]
fn brat_offsets_are_code_points_of_the_txt() {
    let article = sample();
    let set = golden_set(&article);
    let out = brat::to_brat(&article, &set);
    let chars: Vec<char> = out.txt.chars().collect();
    let mut checked = 0;
    for line in out.ann.lines().filter(|l| l.starts_with('T')) {
        let fields: Vec<&str> = line.splitn(3, '\t').collect();
        let (_, offsets) = fields[1].split_once(' ').unwrap();
        let texts: Vec<String> = offsets
            .split(';')
            .map(|f| {
                let (s, e) = f.split_once(' ').unwrap();
                let (s, e): (usize, usize) = (s.parse().unwrap(), e.parse().unwrap());
                chars[s..e].iter().collect()
            })
            .collect();
        assert_eq!(texts.join(" "), fields[2], "{line}");
        assert!(!fields[2].contains('\n'));
        checked += 1;
    }
    assert_eq!(checked, 8);
    // The span across a blank line is two fragments, as brat writes it.
    assert!(
        out.ann
            .contains("Denial 48 69;71 92\t‘False and Malicious’ Alibaba Group Holding"),
        "{}",
        out.ann
    );
}

// ---------------------------------------------------------------------------------------------
// Round trips

#[test]
fn w3c_round_trip_keeps_everything() {
    let article = sample();
    let set = golden_set(&article);
    let json = w3c::to_w3c_string(&article, &set, SOURCE);
    let (back, report) = w3c::from_w3c(&json, &article, &LabelSet::default()).unwrap();
    assert_eq!(
        (
            report.placed(),
            report.to_review(),
            report.not_found(),
            report.relations()
        ),
        (8, 1, 1, 2),
        "{report}"
    );
    assert!(report.skipped().is_empty(), "{report}");
    assert!(report.warnings.is_empty(), "{report}");
    assert_eq!(
        back.annotations, set.annotations,
        "ids, spans, labels, notes, times, reviews"
    );
    assert_eq!(back.relations, set.relations);
    assert_eq!(back.analyst, set.analyst);
    assert_eq!(back.article.content_hash, article.hash);
    assert_eq!(label_facts(&back.labels), label_facts(&set.labels));
    assert_eq!(
        report.added_labels,
        [LabelId::new("hot-take"), LabelId::new("key_fact")]
    );

    // Into the set's own labels: nothing added, the label set is identical.
    let (back, report) = w3c::from_w3c(&json, &article, &set.labels).unwrap();
    assert_eq!(back.labels, set.labels);
    assert!(report.added_labels.is_empty());
}

#[test]
fn w3c_import_into_an_edited_article_reanchors_and_never_misplaces() {
    let article = sample();
    let set = golden_set(&article);
    let json = w3c::to_w3c_string(&article, &set, SOURCE);
    // The article as re-published: a correction at the top, one sentence gone.
    let edited = article
        .text
        .replacen(
            "Alibaba Group Holding has strongly",
            "Correction: an earlier version misnamed the newspaper.\nAlibaba Group Holding has strongly",
            1,
        )
        .replacen(
            " Firms such as Huawei and Hikvision have faced export bans and have been added to \
             the U.S. Entity List for similar reasons.",
            "",
            1,
        );
    let edited = Article::from_plain_text(&edited, "x");
    assert_ne!(edited.hash, article.hash);
    let (back, report) = w3c::from_w3c(&json, &edited, &set.labels).unwrap();
    assert_eq!(back.annotations.len(), 10, "{report}");
    for a in &back.annotations {
        let original = set.get(a.id).unwrap();
        match &a.review {
            None => assert_eq!(
                edited.slice(a.anchor.position.range()),
                original.anchor.quote.exact,
                "{} placed on other text",
                a.id
            ),
            Some(review) => {
                assert_eq!(a.anchor.quote.exact, original.anchor.quote.exact);
                if let Some(p) = review.proposal {
                    assert!(p.end <= edited.char_len());
                }
            }
        }
    }
    let huawei = back.get(id(8)).unwrap();
    assert!(huawei.review.is_some(), "its sentence is gone");
    let claim = back.get(id(1)).unwrap();
    assert!(claim.review.is_none());
    assert_eq!(
        claim.anchor.position.start,
        set.get(id(1)).unwrap().anchor.position.start + 55,
        "moved by the inserted line"
    );
    // The old reviews were for the old text: re-anchored, still not placed.
    assert!(back.get(id(9)).unwrap().review.is_some());
    assert_eq!(
        back.get(id(10)).unwrap().review.as_ref().map(|r| r.status),
        Some(ReviewStatus::Orphaned)
    );
    assert_eq!(
        report.placed() + report.to_review() + report.not_found(),
        10
    );
}

#[test]
fn brat_round_trip_keeps_spans_labels_notes_and_relations() {
    let article = sample();
    let set = golden_set(&article);
    let out = brat::to_brat(&article, &set);
    let imported = brat::from_brat(&out.txt, &out.ann, &LabelSet::default()).unwrap();
    assert_eq!(imported.article.text, article.text);
    let report = &imported.report;
    assert_eq!((report.placed(), report.relations()), (8, 2), "{report}");
    assert!(
        report.skipped().is_empty() && report.warnings.is_empty(),
        "{report}"
    );
    let facts = |s: &AnnotationSet| -> Vec<(TextPosition, String, String)> {
        s.annotations
            .iter()
            .filter(|a| a.review.is_none())
            .map(|a| {
                (
                    a.anchor.position,
                    s.labels.name_of(&a.label).to_owned(),
                    a.note.clone(),
                )
            })
            .collect()
    };
    assert_eq!(facts(&imported.set), facts(&set));
    for a in &imported.set.annotations {
        assert_eq!(
            a.anchor,
            Anchor::at_position(&article, a.anchor.position),
            "quote and context re-read from the text"
        );
    }
    // Relations, by the spans they join.
    let span = |s: &AnnotationSet, id: AnnotationId| s.get(id).unwrap().anchor.position;
    let relations = |s: &AnnotationSet| -> Vec<(String, TextPosition, TextPosition)> {
        s.relations
            .iter()
            .map(|r| (r.kind.0.clone(), span(s, r.from), span(s, r.to)))
            .collect()
    };
    assert_eq!(relations(&imported.set), relations(&set));
    // New labels come back under their real names, colours fresh.
    let names: Vec<&str> = imported
        .set
        .labels
        .labels
        .iter()
        .map(|l| l.name.as_str())
        .collect();
    assert_eq!(names, ["Claim", "Source", "Denial", "Hot take", "Key_fact"]);
}

// ---------------------------------------------------------------------------------------------
// W3C schemas

/// Where the test-suite schemas are registered. They `$ref` each other by bare file name
/// (`"id.json#/definitions/stringUri"`), which resolves against this base.
const SCHEMA_BASE: &str = "https://w3c-annotation-tests.invalid/definitions/";

/// The W3C test-suite schemas, compiled, with one wrapper schema per assertion.
struct Validator {
    schemas: boon::Schemas,
    assertions: Vec<(&'static str, &'static str, boon::SchemaIndex)>,
}

/// What each wrapper checks, and on which part of the export. The wpt assertion files of
/// `annotationMusts.test`, `targetMusts.test` and `specificResourceMusts.test` are not among
/// the copied files (except `3.1-annotationContextValidated.json`, used as it is), so each one
/// is restated here by the same `definitions` of the schema files that it references.
fn w3c_assertions() -> Vec<(&'static str, &'static str, Value)> {
    let r = |path: &str| json!({ "$ref": path });
    let all = |refs: &[&str]| json!({ "allOf": refs.iter().map(|p| r(p)).collect::<Vec<_>>() });
    vec![
        // annotationMusts
        (
            "annotation",
            "3.1-annotationContextValidated",
            json!({"allOf": [r("3.1-annotationContextValidated.json")]}),
        ),
        (
            "annotation",
            "3.1-annotationIdValidated",
            all(&["id.json#/definitions/idValueFound"]),
        ),
        (
            "annotation",
            "3.1-annotationTypeValidated",
            all(&["annotations.json#/definitions/annotationTypeValueFound"]),
        ),
        (
            "annotation",
            "3.1-targetKeyFound",
            json!({"type": "object", "required": ["target"]}),
        ),
        (
            "annotation",
            "3.2-targetObjectsRecognized",
            json!({"type": "object", "properties": {"target": {"oneOf": [
            r("bodyTarget.json#/definitions/targetResourcesFound"),
            {"type": "array", "items": r("bodyTarget.json#/definitions/targetResourcesFound")}]}}}),
        ),
        (
            "annotation",
            "3.2.5-notBodyBodyValue",
            json!({"type": "object", "not": {"required": ["body", "bodyValue"]}}),
        ),
        (
            "annotation",
            "3.2-bodyObjectsRecognized",
            json!({"type": "object", "properties": {"body": {"oneOf": [
            r("bodyTarget.json#/definitions/bodyResourcesFound"),
            {"type": "array", "items": r("bodyTarget.json#/definitions/bodyResourcesFound")}]}}}),
        ),
        (
            "annotation",
            "3.2.5-bodyValueValidated",
            all(&["annotations.json#/definitions/bodyValueValidIfPresent"]),
        ),
        (
            "annotation",
            "3.3.1-annotationCreatedValidated",
            all(&["otherProperties.json#/definitions/createdValidIfPresent"]),
        ),
        (
            "annotation",
            "3.3.1-annotationModifiedValidated",
            all(&["otherProperties.json#/definitions/modifiedValidIfPresent"]),
        ),
        (
            "annotation",
            "3.3.1-annotationGeneratedValidated",
            all(&["otherProperties.json#/definitions/generatedValidIfPresent"]),
        ),
        (
            "annotation",
            "3.3.6-annotationRightsValidated",
            all(&["otherProperties.json#/definitions/rightsValidIfPresent"]),
        ),
        (
            "annotation",
            "3.3.7-annotationCanonicalValidated",
            all(&["otherProperties.json#/definitions/canonicalValidIfPresent"]),
        ),
        (
            "annotation",
            "3.3.7-annotationViaValidated",
            all(&["otherProperties.json#/definitions/viaValidIfPresent"]),
        ),
        // annotationOptionals / agent checks that our output uses
        (
            "annotation",
            "3.3.5-motivationRecognized",
            all(&["annotations.json#/definitions/motivationRecognizedIfPresent"]),
        ),
        (
            "annotation",
            "3.3.1-creatorValid",
            all(&[
                "otherProperties.json#/definitions/creatorValidIfPresent",
                "otherProperties.json#/definitions/creatorSingularIfPresent",
            ]),
        ),
        // targetMusts, on each target object
        (
            "target",
            "3.2-targetResourceRecognized",
            all(&["bodyTarget.json#/definitions/targetResourcesFound"]),
        ),
        (
            "target",
            "3.3-optionalTargetPropertiesMust",
            all(&["bodyTarget.json#/definitions/optionalTargetPropertiesMust"]),
        ),
        (
            "target",
            "3.2.7-targSpecificResourceNoItems",
            json!({"not": r("specificResource.json#/definitions/specificResourceWithItems")}),
        ),
        (
            "target",
            "4-targSpecificResourceNoValue",
            json!({"not": r("specificResource.json#/definitions/specificResourceWithValue")}),
        ),
        // specificResourceMusts
        (
            "target",
            "4-specificResourceDetected",
            all(&["specificResource.json#/definitions/specificeResourceDetected"]),
        ),
        (
            "target",
            "4.2-selectorValidIfPresent",
            all(&["specificResource.json#/definitions/selectorDetected"]),
        ),
        (
            "selector",
            "4.2.4-textQuoteSelectorValid",
            all(&["specificResource.json#/definitions/textQuoteSelectorTypeValidIfPresent"]),
        ),
        (
            "selector",
            "4.2.5-textPositionSelectorValid",
            all(&["specificResource.json#/definitions/textPositionSelectorTypeValidIfPresent"]),
        ),
        (
            "selector",
            "4.2-textSelectorDetected",
            json!({"oneOf": [
            r("specificResource.json#/definitions/textQuoteSelectorDetected"),
            r("specificResource.json#/definitions/textPositionSelectorDetected")]}),
        ),
        // bodies
        (
            "body",
            "3.2-bodyResourceRecognized",
            all(&["bodyTarget.json#/definitions/bodyResourcesFound"]),
        ),
        (
            "body",
            "3.3-optionalBodyPropertiesMust",
            all(&["bodyTarget.json#/definitions/optionalBodyPropertiesMust"]),
        ),
        (
            "body",
            "3.3.5-purposeRecognized",
            all(&["otherProperties.json#/definitions/purposeRecognizedIfPresent"]),
        ),
        // collectionMusts / pageMusts
        (
            "collection",
            "5.1-collectionContext",
            json!({"allOf": [r("3.1-annotationContextValidated.json")]}),
        ),
        (
            "collection",
            "5.1-collectionId",
            all(&["id.json#/definitions/idValueFound"]),
        ),
        (
            "collection",
            "5.1-collectionType",
            all(&["collections.json#/definitions/annotationCollectionTypeValueFound"]),
        ),
        (
            "collection",
            "5.1-collectionLabel",
            all(&["collections.json#/definitions/labelDefinition"]),
        ),
        (
            "collection",
            "5.1-collectionTotal",
            all(&["collections.json#/definitions/totalDefinition"]),
        ),
        (
            "collection",
            "5.1-collectionFirst",
            all(&[
                "collections.json#/definitions/firstValidIfPresent",
                "collections.json#/definitions/firstRequiredIfTotalMoreThanZero",
            ]),
        ),
        (
            "page",
            "5.2-pageId",
            all(&["id.json#/definitions/idValueFound"]),
        ),
        (
            "page",
            "5.2-pageType",
            all(&["collections.json#/definitions/annotationPageTypeValueFound"]),
        ),
        (
            "page",
            "5.2-pageItems",
            all(&["collections.json#/definitions/itemsFound"]),
        ),
        (
            "page",
            "5.2-pageStartIndex",
            all(&["collections.json#/definitions/startIndexDefinition"]),
        ),
    ]
}

impl Validator {
    fn new() -> Self {
        let mut compiler = boon::Compiler::new();
        compiler.set_default_draft(boon::Draft::V4);
        compiler.enable_format_assertions();
        let mut files: Vec<PathBuf> = std::fs::read_dir(data("w3c/schemas"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.push(data("w3c/tests/3.1-annotationContextValidated.json"));
        assert_eq!(files.len(), 22);
        for path in files {
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            let value: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            compiler
                .add_resource(&format!("{SCHEMA_BASE}{name}"), value)
                .unwrap();
        }
        let mut schemas = boon::Schemas::new();
        let mut assertions = Vec::new();
        for (part, name, mut schema) in w3c_assertions() {
            let url = format!("{SCHEMA_BASE}claimlens-{name}.json");
            let obj = schema.as_object_mut().unwrap();
            obj.insert(
                "$schema".into(),
                json!("http://json-schema.org/draft-04/schema#"),
            );
            obj.insert("id".into(), json!(url));
            compiler.add_resource(&url, schema).unwrap();
            let index = compiler
                .compile(&url, &mut schemas)
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
            assertions.push((part, name, index));
        }
        Self {
            schemas,
            assertions,
        }
    }

    /// Names of the assertions for `part` that `value` fails, with boon's reason.
    fn failures(&self, part: &str, value: &Value) -> Vec<String> {
        self.assertions
            .iter()
            .filter(|(p, _, _)| *p == part)
            .filter_map(|(_, name, index)| {
                self.schemas
                    .validate(value, *index)
                    .err()
                    .map(|e| format!("{name}: {e}"))
            })
            .collect()
    }

    /// Every assertion on every part of an exported collection (annotations get the
    /// collection's `@context`, as a standalone copy of them would have).
    fn collection_failures(&self, collection: &Value) -> Vec<String> {
        let mut failures = self.failures("collection", collection);
        let context = collection["@context"].clone();
        if let Some(page) = collection.get("first") {
            failures.extend(self.failures("page", page));
            for item in page["items"].as_array().unwrap() {
                failures.extend(self.annotation_failures(item, &context));
            }
        }
        failures
    }

    fn annotation_failures(&self, annotation: &Value, context: &Value) -> Vec<String> {
        let mut standalone = annotation.clone();
        standalone["@context"] = context.clone();
        let mut failures = self.failures("annotation", &standalone);
        let targets = match &annotation["target"] {
            Value::Array(list) => list.clone(),
            one => vec![one.clone()],
        };
        for target in targets.iter().filter(|t| t.is_object()) {
            failures.extend(self.failures("target", target));
            let selectors = match &target["selector"] {
                Value::Array(list) => list.clone(),
                one => vec![one.clone()],
            };
            for selector in &selectors {
                failures.extend(self.failures("selector", selector));
            }
        }
        let bodies = match &annotation["body"] {
            Value::Array(list) => list.clone(),
            Value::Null => Vec::new(),
            one => vec![one.clone()],
        };
        // A body given as an IRI is checked by the annotation-level assertions.
        for body in bodies.iter().filter(|b| b.is_object()) {
            failures.extend(self.failures("body", body));
        }
        failures
    }
}

#[test]
fn w3c_export_passes_the_test_suite_schemas() {
    let validator = Validator::new();
    let article = sample();
    let set = golden_set(&article);
    let collection = w3c::to_w3c(&article, &set, SOURCE);
    let failures = validator.collection_failures(&collection);
    assert!(failures.is_empty(), "{failures:#?}");
    // Without a source IRI, the ni: name of the text is a valid IRI too; an empty set too.
    let bare = w3c::to_w3c(&article, &set, "");
    assert!(
        bare["first"]["items"][0]["target"]["source"]
            .as_str()
            .unwrap()
            .starts_with("ni:///sha-256;")
    );
    assert!(validator.collection_failures(&bare).is_empty());
    let empty = w3c::to_w3c(
        &article,
        &AnnotationSet::new(&article, String::new()),
        SOURCE,
    );
    assert_eq!(empty["total"], 0);
    assert!(validator.collection_failures(&empty).is_empty());
}

#[test]
fn the_schema_checks_reject_broken_annotations() {
    let validator = Validator::new();
    let article = sample();
    let collection = w3c::to_w3c(&article, &golden_set(&article), SOURCE);
    let context = collection["@context"].clone();
    let good = collection["first"]["items"][0].clone();
    assert!(validator.annotation_failures(&good, &context).is_empty());
    type Breaker = fn(&mut Value, &mut Value);
    let cases: [(&str, Breaker); 11] = [
        ("3.1-annotationContextValidated", |_, c| {
            *c = json!("http://example.org/other.jsonld")
        }),
        ("3.1-annotationIdValidated", |a, _| {
            a["id"] = json!("not a uri")
        }),
        ("3.1-annotationTypeValidated", |a, _| {
            a["type"] = json!("Anotation")
        }),
        ("3.1-targetKeyFound", |a, _| {
            a.as_object_mut().unwrap().remove("target");
        }),
        ("3.2.5-notBodyBodyValue", |a, _| a["bodyValue"] = json!("x")),
        ("3.3.1-annotationCreatedValidated", |a, _| {
            a["created"] = json!("yesterday")
        }),
        ("3.3.5-motivationRecognized", |a, _| {
            a["motivation"] = json!("liking")
        }),
        ("4.2.5-textPositionSelectorValid", |a, _| {
            a["target"]["selector"][1]["start"] = json!(-1)
        }),
        ("4.2.4-textQuoteSelectorValid", |a, _| {
            a["target"]["selector"][0]
                .as_object_mut()
                .unwrap()
                .remove("exact");
        }),
        ("4.2-textSelectorDetected", |a, _| {
            a["target"]["selector"][0]["type"] = json!("TextQuote")
        }),
        ("4-specificResourceDetected", |a, _| {
            a["target"].as_object_mut().unwrap().remove("source");
        }),
    ];
    for (assertion, breaker) in cases {
        let (mut annotation, mut ctx) = (good.clone(), context.clone());
        breaker(&mut annotation, &mut ctx);
        let failures = validator.annotation_failures(&annotation, &ctx);
        assert!(
            failures
                .iter()
                .any(|f| f.starts_with(&format!("{assertion}:"))),
            "{assertion} should fail: {failures:#?}"
        );
    }
}

#[test]
fn the_schema_checks_accept_the_spec_examples() {
    // The checks are not merely strict: the spec's own selector examples pass them all, and
    // the ones that refine a FragmentSelector pass the annotation-level ones.
    let validator = Validator::new();
    for name in ["anno23", "anno24", "anno29", "anno38"] {
        let example: Value =
            serde_json::from_str(&read(&format!("w3c/examples-rec/{name}.json"))).unwrap();
        let context = example["@context"].clone();
        let failures = if matches!(name, "anno23" | "anno24") {
            validator.annotation_failures(&example, &context)
        } else {
            validator.failures("annotation", &example)
        };
        assert!(failures.is_empty(), "{name}: {failures:#?}");
    }
}

// ---------------------------------------------------------------------------------------------
// W3C import of the specification's examples

/// An article holding the passages the examples quote, and over 795 code points long.
fn examples_article() -> Article {
    let filler = "Filler sentence that only makes the text long enough. ".repeat(12);
    Article::from_plain_text(
        &format!(
            "Examples\n\nThe first paragraph says: this is an anotation that has some typos.\n\
             {filler}\nIn paragraph five there is text before the Selected Text and text after \
             it, and then it ends.\n"
        ),
        "examples",
    )
}

#[test]
fn w3c_import_of_every_spec_example() {
    let article = examples_article();
    assert!(article.char_len() > 795);
    let mut dir: Vec<PathBuf> = std::fs::read_dir(data("w3c/examples-rec"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dir.sort();
    assert_eq!(dir.len(), 43);
    for path in dir {
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let json = std::fs::read_to_string(&path).unwrap();
        let (set, report) = w3c::from_w3c(&json, &article, &LabelSet::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.items.len(), 1, "{name}: {report}");
        let outcome = &report.items[0].outcome;
        let where_ = |set: &AnnotationSet| {
            let a = &set.annotations[0];
            match &a.review {
                None => a.anchor.position,
                Some(r) => r.proposal.expect("a proposal"),
            }
        };
        match name.as_str() {
            "anno23" => {
                assert!(
                    matches!(outcome, Outcome::Placed(_) | Outcome::ToReview(_)),
                    "{report}"
                );
                assert_eq!(article.slice(where_(&set).range()), "anotation");
                // The external body IRI is kept in the note, the label is "Unlabelled".
                assert_eq!(set.annotations[0].note, "http://example.org/comment1");
                assert_eq!(set.annotations[0].label.0, "unlabelled");
            }
            "anno24" => {
                // A bare position cannot be checked: proposed for review where it points.
                assert!(matches!(outcome, Outcome::ToReview(_)), "{report}");
                assert_eq!(
                    where_(&set),
                    TextPosition {
                        start: 412,
                        end: 795
                    }
                );
            }
            "anno29" => {
                assert!(
                    matches!(outcome, Outcome::Placed(_) | Outcome::ToReview(_)),
                    "{report}"
                );
                assert_eq!(article.slice(where_(&set).range()), "Selected Text");
            }
            "anno38" => {
                assert!(set.annotations.is_empty());
                let reason = report.skipped()[0].to_string();
                assert!(reason.contains("refines a FragmentSelector"), "{reason}");
            }
            _ => {
                assert!(set.annotations.is_empty(), "{name}: {report}");
                let reason = match outcome {
                    Outcome::Skipped(reason) => reason,
                    other => panic!("{name}: {other:?}"),
                };
                assert!(
                    matches!(
                        reason,
                        InterchangeError::TargetWithoutSelector { .. }
                            | InterchangeError::NoSelector { .. }
                            | InterchangeError::UnresolvedLink { .. }
                    ),
                    "{name}: {reason}"
                );
                assert!(reason.to_string().starts_with("annotation 1"), "{reason}");
            }
        }
    }
}

#[test]
fn w3c_import_accepts_every_shape() {
    let article = examples_article();
    let anno = |id: &str, quote: &str| {
        json!({"id": id, "type": "Annotation",
               "body": {"type": "TextualBody", "purpose": "tagging", "value": "claim"},
               "target": {"source": "s", "selector": {"type": "TextQuoteSelector", "exact": quote}}})
    };
    let a = anno("http://e.org/a", "anotation");
    let b = anno("http://e.org/b", "Selected Text");
    let shapes = [
        json!([a, b]),
        json!({"@context": w3c::ANNO_CONTEXT, "type": "AnnotationPage", "items": [a, b]}),
        json!({"@context": w3c::ANNO_CONTEXT, "type": "AnnotationCollection", "total": 2,
               "first": {"type": "AnnotationPage", "items": [a],
                         "next": {"type": "AnnotationPage", "items": [b]}}}),
        json!({"type": ["AnnotationCollection"], "first": [{"type": "AnnotationPage", "items": [a, b]}]}),
    ];
    for (i, shape) in shapes.iter().enumerate() {
        let (set, report) = w3c::from_w3c(&shape.to_string(), &article, &LabelSet::default())
            .unwrap_or_else(|e| panic!("shape {i}: {e}"));
        if i == 3 {
            // `first` as a one-item array is allowed by the schema but not by the spec's prose;
            // Claimlens reads only an embedded object there.
            assert!(set.annotations.is_empty());
            continue;
        }
        assert_eq!(set.annotations.len(), 2, "shape {i}: {report}");
        assert!(
            set.annotations.iter().all(|a| a.label.0 == "claim"),
            "tag names the label"
        );
        // Ids from IRIs are stable: importing twice names them the same.
        let (again, _) = w3c::from_w3c(&shape.to_string(), &article, &LabelSet::default()).unwrap();
        assert_eq!(
            set.annotations.iter().map(|a| a.id).collect::<Vec<_>>(),
            again.annotations.iter().map(|a| a.id).collect::<Vec<_>>()
        );
    }
}

#[test]
fn w3c_import_maps_unknown_labels_and_keeps_extra_tags() {
    let article = examples_article();
    let json = json!({"type": "Annotation", "target": {"selector": [
        {"type": "TextQuoteSelector", "exact": "Selected Text", "prefix": "text before the "}]},
        "creator": {"type": "Person", "name": "R. Viewer"},
        "body": [
            {"type": "TextualBody", "purpose": "tagging", "value": "Rumour"},
            {"type": "TextualBody", "purpose": "tagging", "value": "needs-check"},
            {"type": "TextualBody", "purpose": "commenting", "value": "Who says so?"}]});
    let (set, report) = w3c::from_w3c(&json.to_string(), &article, &LabelSet::default()).unwrap();
    let a = &set.annotations[0];
    assert_eq!(a.label.0, "rumour");
    assert_eq!(set.labels.name_of(&a.label), "Rumour");
    assert_eq!(a.note, "Who says so?\n\nTags: needs-check");
    assert_eq!(report.added_labels, [LabelId::new("rumour")]);
    assert_eq!(set.analyst, "R. Viewer");
    let rumour = set.labels.get(&a.label).unwrap();
    assert!(
        LabelSet::default()
            .labels
            .iter()
            .all(|l| l.colour != rumour.colour)
    );
    assert_eq!(rumour.key, Some(4));
}

// ---------------------------------------------------------------------------------------------
// Hypothesis

/// The page text of the Hypothesis fixture, as the article.
fn hypothesis_article() -> Article {
    Article::from_plain_text(&read("hypothesis-page.txt"), "harbour")
}

#[test]
fn hypothesis_export_is_imported_with_utf16_positions_converted() {
    let article = hypothesis_article();
    let json = read("hypothesis-export.json");
    let (set, report) = hypothesis::from_hypothesis(&json, &article, &LabelSet::default()).unwrap();
    assert_eq!(
        (
            report.placed(),
            report.to_review(),
            report.not_found(),
            report.skipped().len()
        ),
        (6, 0, 1, 2),
        "{report}"
    );
    let skipped: Vec<String> = report.skipped().iter().map(|e| e.to_string()).collect();
    assert_eq!(
        skipped,
        [
            "annotation 7 (Xe6Wf3znEfC1P7Kf1Qu5Lr): a page note (no selector): it annotates the \
             whole page",
            "annotation 8 (Zg8Yh5AoEfC2S1Mh4Sw8Ns): a reply to kJ8tWq3nEfCv2-Pm0Xb1aQ, not an \
             annotation of the text",
        ]
    );
    assert_eq!(set.analyst, "Ana Lyst");

    let by_quote = |quote: &str| {
        set.annotations
            .iter()
            .find(|a| a.anchor.quote.exact == quote)
            .unwrap_or_else(|| panic!("{quote}"))
    };
    let expect = |quote: &str, label: &str, note: &str| {
        let a = by_quote(quote);
        assert!(a.review.is_none(), "{quote}: {:?}", a.review);
        assert_eq!(
            a.anchor.position.range(),
            range_of(&article, quote, 0),
            "{quote}"
        );
        assert_eq!(a.label.0, label, "{quote}");
        assert_eq!(a.note, note, "{quote}");
        // The hint is the file's UTF-16 position converted to code points: exact here, where
        // the page text is the article text, although emoji come before every quote.
        let item = report.item_for(a.id).unwrap();
        (a, item.position_hint)
    };
    let (never, hint) = expect(
        "never signed",
        "denial",
        "Flat denial — compare with the memo.\n\nSee para 2.",
    );
    assert_eq!(hint, Some(never.anchor.position));
    assert_eq!(
        never.anchor.position,
        TextPosition {
            start: 139,
            end: 151
        }
    );
    assert!(
        json.contains("\"start\": 143"),
        "the file says 143: 4 emoji = 4 extra units"
    );
    assert_eq!(never.created, ts("2026-03-04T10:15:22.482951Z"));
    assert_eq!(never.modified, ts("2026-03-04T10:17:05.119023Z"));

    let (paid, hint) = expect(
        "the council agreed to pay €4.2 million for the work",
        "claim",
        "Tags: dredging, money",
    );
    assert_eq!(hint, Some(paid.anchor.position));
    let (spokesperson, hint) = expect(
        "a council spokesperson",
        "source",
        "**Unnamed** spokesperson",
    );
    assert_eq!(hint, Some(spokesperson.anchor.position));
    let (silence, _) = expect(
        "did not respond to requests for comment",
        "unlabelled",
        "Silence 📵 noted.",
    );
    assert_eq!(set.labels.name_of(&silence.label), "Unlabelled");
    assert_eq!(report.added_labels, [LabelId::new("unlabelled")]);
    // Positions from a page with 24 more units of navigation first: the quote wins.
    let (stands, hint) = expect("stands by its reporting", "claim", "");
    assert_ne!(hint, Some(stands.anchor.position));
    assert_eq!(hint.unwrap().start, stands.anchor.position.start + 24);
    // A prefix cut inside an emoji (a lone surrogate in the JSON) does not spoil the file.
    let (desk, _) = expect("the Coastline Desk", "source", "Tags: byline");
    assert!(desk.anchor.quote.prefix.ends_with("🌊🌊 Posted by "));
    // A quote from the page's comments is kept, orphaned, for the analyst.
    let lost = by_quote("Comments (3) Load more");
    assert_eq!(
        lost.review,
        Some(Review {
            status: ReviewStatus::Orphaned,
            proposal: None
        })
    );
}

#[test]
fn hypothesis_accepts_api_shapes_and_rejects_others() {
    let article = hypothesis_article();
    // serde_json alone rejects the fixture's lone surrogate; the importer replaces it first.
    let raw = read("hypothesis-export.json");
    assert!(serde_json::from_str::<Value>(&raw).is_err());
    let export: Value = serde_json::from_str(&raw.replace("\\udea2", "\\ufffd")).unwrap();
    let rows = export["annotations"].clone();
    for shape in [rows.clone(), json!({"total": 9, "rows": rows})] {
        let (set, report) =
            hypothesis::from_hypothesis(&shape.to_string(), &article, &LabelSet::default())
                .unwrap();
        assert_eq!(set.annotations.len(), 7, "{report}");
    }
    let one = rows[0].clone();
    let (set, _) =
        hypothesis::from_hypothesis(&one.to_string(), &article, &LabelSet::default()).unwrap();
    assert_eq!(set.annotations.len(), 1);
    for bad in ["{\"annotations\": 5}", "42", "{\"user\": \"x\"}"] {
        let err = hypothesis::from_hypothesis(bad, &article, &LabelSet::default()).unwrap_err();
        assert!(
            matches!(err, InterchangeError::NotHypothesis { .. }),
            "{bad}: {err}"
        );
        assert!(
            err.to_string().starts_with("not a Hypothesis export"),
            "{err}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Hostile input

#[test]
fn invalid_and_deeply_nested_json_are_errors() {
    let article = sample();
    let labels = LabelSet::default();
    for bad in ["", "{", "nul", "[1, 2", "{\"a\": }", "\u{feff}"] {
        let w = w3c::from_w3c(bad, &article, &labels).unwrap_err();
        assert!(matches!(w, InterchangeError::Json(_)), "{bad:?}: {w}");
        assert!(w.to_string().contains("line"), "{w}");
        let h = hypothesis::from_hypothesis(bad, &article, &labels).unwrap_err();
        assert!(matches!(h, InterchangeError::Json(_)), "{bad:?}: {h}");
    }
    for deep in ["[".repeat(100_000), "{\"a\":".repeat(100_000)] {
        let err = w3c::from_w3c(&deep, &article, &labels).unwrap_err();
        assert!(
            err.to_string().contains("recursion limit exceeded"),
            "{err}"
        );
        let err = hypothesis::from_hypothesis(&deep, &article, &labels).unwrap_err();
        assert!(
            err.to_string().contains("recursion limit exceeded"),
            "{err}"
        );
    }
    // A byte-order mark before the JSON is not an error.
    let with_bom = format!("\u{feff}{}", json!({"type": "AnnotationPage", "items": []}));
    assert!(w3c::from_w3c(&with_bom, &article, &labels).is_ok());
    // Nested as deep as the parser allows: read, not crashed.
    let mut selector = json!({"type": "TextQuoteSelector", "exact": "Alibaba"});
    for _ in 0..100 {
        selector = json!({"type": "FragmentSelector", "refinedBy": selector});
    }
    let deep_ok = json!({"type": "Annotation", "target": {"source": "s", "selector": selector}});
    let (set, _) = w3c::from_w3c(&deep_ok.to_string(), &article, &labels).unwrap();
    assert_eq!(set.annotations.len(), 1);
}

#[test]
fn hostile_positions_are_skipped_with_reasons() {
    let article = sample();
    let with_position = |start: Value, end: Value, quote: Option<&str>| {
        let mut selectors =
            vec![json!({"type": "TextPositionSelector", "start": start, "end": end})];
        if let Some(q) = quote {
            selectors.push(json!({"type": "TextQuoteSelector", "exact": q}));
        }
        json!({"type": "Annotation", "target": {"source": "s", "selector": selectors}})
    };
    let big: u64 = 1 << 40;
    let items = json!([
        with_position(json!(-5), json!(3), Some("Alibaba")),
        with_position(json!(10), json!(2), Some("Alibaba")),
        with_position(json!(big), json!(big + 5), None),
        with_position(
            json!(18_446_744_073_709_551_615u64),
            json!(3),
            Some("Alibaba")
        ),
        with_position(json!(1.5), json!(3), None),
        with_position(json!("7"), json!(9), None),
        with_position(json!(5000), json!(5010), None),
        // Valid but absurd: as far as a position may go, with a real quote.
        with_position(
            json!(4_294_967_290u64),
            json!(4_294_967_295u64),
            Some("Alibaba Group Holding")
        ),
        json!(17),
        json!("http://example.org/anno9"),
        json!({"type": "Annotation"}),
        json!({"type": "Annotation", "target": {"source": "s", "selector": {"type": "TextQuoteSelector", "exact": ["a"]}}}),
    ]);
    let (set, report) = w3c::from_w3c(&items.to_string(), &article, &LabelSet::default()).unwrap();
    let reasons: Vec<String> = report.skipped().iter().map(|e| e.to_string()).collect();
    let expected = [
        "annotation 1: TextPositionSelector: \"start\" is the number -5, not a whole number",
        "annotation 2: TextPositionSelector: start 10 is not before end 2",
        "annotation 3: TextPositionSelector: \"start\" is the number 1099511627776, not a whole number from 0 to 4294967295",
        "annotation 4: TextPositionSelector: \"start\" is the number 18446744073709551615",
        "annotation 5: TextPositionSelector: \"start\" is the number 1.5",
        "annotation 6: TextPositionSelector: \"start\" is a string \"7\"",
        "annotation 7: positions 5000..5010 lie outside the article",
        "annotation 9: expected a JSON object, found the number 17",
        "annotation 10: it is only a reference (http://example.org/anno9)",
        "annotation 11: no target",
        "annotation 12: TextQuoteSelector: \"exact\" is an array of 1 items, not a string",
    ];
    assert_eq!(reasons.len(), expected.len(), "{reasons:#?}");
    for (reason, expected) in reasons.iter().zip(expected) {
        assert!(
            reason.starts_with(expected),
            "{reason}\n  expected {expected}"
        );
    }
    // The absurd position is only a hint: the quote is found where it is.
    assert_eq!(set.annotations.len(), 1);
    let a = &set.annotations[0];
    let placed = a
        .review
        .as_ref()
        .and_then(|r| r.proposal)
        .unwrap_or(a.anchor.position);
    assert_eq!(article.slice(placed.range()), "Alibaba Group Holding");
}

#[test]
fn broken_brat_lines_are_skipped_with_line_numbers() {
    let txt = "Hello brave world.\nSecond line here.\n";
    let ann = [
        "T1\tClaim 0 5\tHello",                   // 1 fine
        "garbage line without a tab",             // 2
        "T2\tClaim 5",                            // 3
        "T3\tClaim 3 1\tx",                       // 4
        "T4\tClaim 0 99999\tx",                   // 5
        "T5 Claim 0 5 Hello",                     // 6 spaces, not tabs
        "#1\tAnnotatorNotes T99\tlost note",      // 7
        "R1\trel Arg1:T1",                        // 8
        "E1\tEvent:T1",                           // 9
        "T1\tClaim 0 5\tHello",                   // 10 duplicate
        "X1\tfoo",                                // 11
        "T6\tSource 6 11\tWrong text",            // 12 text does not match
        "T7\tClaim 99999999999999999999999 3\tx", // 13
        "T8\tClaim 0 5;12 17\tHello world",       // 14 a real gap: warned, imported whole
        "",
        "#2\tAnnotatorNotes T1\tnote with \\t tab\r", // 16 CRLF line end
        "A1\tNegated T1",                             // 17
        "R2\tattributed_to Arg1:T8 Arg2:T1",          // 18
        "T9\tSource 19 35\tSecond line here",         // 19 fine
    ]
    .join("\n");
    let imported = brat::from_brat(txt, &ann, &LabelSet::default()).unwrap();
    let report = &imported.report;
    let skipped: Vec<(usize, String)> = report
        .items
        .iter()
        .filter_map(|i| match &i.outcome {
            Outcome::Skipped(e) => Some((i.index, e.to_string())),
            _ => None,
        })
        .collect();
    let lines: Vec<usize> = skipped.iter().map(|(l, _)| *l).collect();
    assert_eq!(
        lines,
        [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 17],
        "{skipped:#?}"
    );
    for (line, message) in &skipped {
        assert!(message.starts_with(&format!("line {line}: ")), "{message}");
    }
    let message = |line: usize| &skipped.iter().find(|(l, _)| *l == line).unwrap().1;
    assert!(message(5).contains("past the end of the text (37 code points)"));
    assert!(message(9).contains("events (E1) are not imported"));
    assert!(message(10).contains("T1 is defined twice"));
    assert!(message(7).contains("T99"));
    let spans: Vec<&str> = imported
        .set
        .annotations
        .iter()
        .map(|a| a.anchor.quote.exact.as_str())
        .collect();
    assert_eq!(
        spans,
        [
            "Hello",
            "Hello brave world",
            "Wrong text",
            "Second line here"
        ]
    );
    let hello = imported
        .set
        .annotations
        .iter()
        .find(|a| a.anchor.quote.exact == "Hello")
        .unwrap();
    assert_eq!(hello.note, "note with \t tab");
    // T6's text is not at its offsets: searched for, not found, kept for review.
    let wrong = imported
        .set
        .annotations
        .iter()
        .find(|a| a.anchor.quote.exact == "Wrong text")
        .unwrap();
    assert_eq!(
        wrong.review.as_ref().map(|r| r.status),
        Some(ReviewStatus::Orphaned)
    );
    assert_eq!(report.not_found(), 1, "{report}");
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.starts_with("line 12 (T6)")),
        "{report}"
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.starts_with("line 14 (T8)")),
        "{report}"
    );
    assert_eq!(imported.set.relations.len(), 1);
    assert_eq!(imported.set.relations[0].kind.0, "attributed-to");
}

#[test]
fn not_a_brat_file_is_an_error_and_an_empty_one_is_not() {
    let article = sample();
    let err = brat::from_brat(&article.text, &article.text, &LabelSet::default()).unwrap_err();
    assert!(err.to_string().starts_with("not a brat .ann file"), "{err}");
    let empty = brat::from_brat(&article.text, "\n\n", &LabelSet::default()).unwrap();
    assert!(empty.set.annotations.is_empty() && empty.report.items.is_empty());
    // CRLF .txt: brat counts offsets in the text as it reads it (line ends normalised).
    let crlf = brat::from_brat(
        "One\r\ntwo three\r\n",
        "T1\tClaim 4 7\ttwo",
        &LabelSet::default(),
    )
    .unwrap();
    assert_eq!(crlf.set.annotations[0].anchor.quote.exact, "two");
    assert!(crlf.report.warnings.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Property tests: arbitrary sets survive both formats

/// A text of words, spaces, tabs, line breaks, blank lines, multi-byte and astral characters.
fn text_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Z]{1,8}",
        1 => Just(" ".to_owned()),
        1 => Just("\n".to_owned()),
        1 => Just("\n\n".to_owned()),
        1 => Just("\t".to_owned()),
        1 => "[éüß世界“”‘’€]{1,3}",
        1 => "[🙂👩🚢📰]{1,2}",
    ];
    prop::collection::vec(piece, 5..80).prop_map(|pieces| {
        let mut text = String::from("Headline\n\n");
        for (i, p) in pieces.iter().enumerate() {
            if i > 0 && p.chars().all(char::is_alphanumeric) {
                text.push(' ');
            }
            text.push_str(p);
        }
        text
    })
}

fn prop_labels() -> LabelSet {
    let mut labels = LabelSet::default();
    for (id, name) in [
        ("hot-take", "Hot take"),
        ("key_fact", "Key_fact"),
        ("pct", "100% sure"),
    ] {
        labels.labels.push(Label {
            id: LabelId::new(id),
            name: name.into(),
            colour: Rgb([1, 2, 3]),
            key: None,
            attributes: Vec::new(),
        });
    }
    labels
}

fn set_strategy() -> impl Strategy<Value = (Article, AnnotationSet)> {
    text_strategy().prop_flat_map(|text| {
        let article = Article::from_plain_text(&text, "p");
        let len = article.char_len();
        let annotation = (
            0..len,
            1..40usize,
            0..6usize,
            "[a-z \\\\\"<>&\n\t\r🙂é]{0,20}",
            0i64..2_000_000_000,
        );
        (Just(article), prop::collection::vec(annotation, 0..12)).prop_map(|(article, specs)| {
            let labels = prop_labels();
            let mut set = AnnotationSet::new(&article, "p.txt".into());
            set.labels = labels.clone();
            set.analyst = "Prop Tester".into();
            for (i, (start, len, label, note, secs)) in specs.into_iter().enumerate() {
                let end = (start + len).min(article.char_len());
                let Ok(anchor) = Anchor::new(&article, start..end) else {
                    continue;
                };
                let created = Timestamp::from_second(secs).unwrap();
                set.insert(Annotation {
                    id: AnnotationId::from_u128(i as u128 + 1),
                    label: labels.labels[label].id.clone(),
                    anchor,
                    note,
                    created,
                    modified: created,
                    review: None,
                    attributes: Default::default(),
                    tags: Vec::new(),
                });
            }
            (article, set)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_set_round_trips_through_w3c((article, set) in set_strategy()) {
        let json = w3c::to_w3c_string(&article, &set, "");
        let (back, report) = w3c::from_w3c(&json, &article, &LabelSet::default()).unwrap();
        prop_assert_eq!(report.placed(), set.annotations.len());
        prop_assert_eq!(&back.annotations, &set.annotations);
        for a in &set.annotations {
            let original = set.labels.get(&a.label).unwrap();
            let label = back.labels.get(&a.label).unwrap();
            prop_assert_eq!((&label.name, label.colour), (&original.name, original.colour));
        }
    }

    #[test]
    fn any_set_round_trips_through_brat((article, set) in set_strategy()) {
        let out = brat::to_brat(&article, &set);
        prop_assert!(out.left_out.is_empty());
        let imported = brat::from_brat(&out.txt, &out.ann, &set.labels).unwrap();
        prop_assert_eq!(&imported.article.text, &article.text);
        prop_assert!(imported.report.warnings.is_empty(), "{}", imported.report);
        let facts = |s: &AnnotationSet| {
            let mut f: Vec<(usize, usize, String, String)> = s
                .annotations
                .iter()
                .map(|a| (a.anchor.position.start, a.anchor.position.end, a.label.0.clone(), a.note.clone()))
                .collect();
            f.sort();
            f
        };
        prop_assert_eq!(facts(&imported.set), facts(&set));
        prop_assert_eq!(&imported.set.labels, &set.labels);
    }
}
