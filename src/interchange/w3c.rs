//! W3C Web Annotation Data Model (JSON-LD): export a set as an `AnnotationCollection`, import
//! annotations from any Web Annotation JSON that points into text with a `TextQuoteSelector`
//! or `TextPositionSelector`.
//!
//! ## What an export looks like
//! ```json
//! { "@context": ["http://www.w3.org/ns/anno.jsonld", {"claimlens": "https://claimlens.invalid/ns#"}],
//!   "id": "urn:uuid:…", "type": "AnnotationCollection", "label": "<article title>", "total": 2,
//!   "claimlens:article": { "claimlens:title": "…", "claimlens:url": "…", … },
//!   "first": { "id": "urn:uuid:…", "type": "AnnotationPage", "startIndex": 0, "items": [
//!     { "id": "urn:uuid:<annotation id>", "type": "Annotation", "motivation": "classifying",
//!       "created": "2026-01-02T03:04:05Z", "modified": "…",
//!       "creator": { "type": "Person", "name": "<analyst>" },
//!       "body": [
//!         { "type": "TextualBody", "purpose": "tagging", "value": "Claim",
//!           "claimlens:label": "claim", "claimlens:colour": "#e69f00" },
//!         { "type": "TextualBody", "purpose": "commenting", "format": "text/plain", "value": "<note>" } ],
//!       "target": { "source": "<source>", "claimlens:contentHash": "sha256:…",
//!         "selector": [
//!           { "type": "TextQuoteSelector", "exact": "…", "prefix": "…", "suffix": "…" },
//!           { "type": "TextPositionSelector", "start": 10, "end": 25 } ] } } ] } }
//! ```
//! * **Positions** are Unicode code points of the article's normalised text (line breaks as
//!   `\n`), end exclusive. The W3C model counts characters the same way: its "character
//!   positions" are code points, not UTF-16 units or bytes. Example: in `"“Hi” 🙂 there"`,
//!   `there` is `7..12`.
//! * **The label** is a `tagging` body (the purpose most tools show as a tag) with the label's
//!   name; `claimlens:label` and `claimlens:colour` let Claimlens restore the exact label.
//!   The note, if any, is a `commenting` body in plain text.
//! * **`claimlens:` properties** are extensions in our own namespace, declared in the
//!   `@context` (`https://claimlens.invalid/ns#`, a placeholder IRI that names nothing on the
//!   web). Other tools ignore them; they keep what the model has no term for.
//! * **Annotations waiting for review** (re-anchoring was unsure) are exported with their old
//!   anchor — the passage the analyst marked, in the older text — as the selectors, no
//!   `claimlens:contentHash` on the target (their positions are not this text's), and
//!   `"claimlens:review": {"claimlens:status": "moved" | "orphaned", "claimlens:proposal":
//!   <TextPositionSelector>, "claimlens:contentHash": <the text the proposal is in>}`.
//!   Importing into that same text restores them as they were; into another text they are
//!   re-anchored like any other.
//! * **Relations** (reserved in the model) are `linking` annotations whose `target` is the two
//!   annotations' ids, `from` first, and whose tagging body is the relation's kind.
//! * **Article metadata** goes where the model allows: the collection's `label` is the title,
//!   every target's `source` is the article's IRI, and `claimlens:article` on the collection
//!   holds title, byline, site, publication date, language, URL and content hash.
//!
//! ## Import
//! Accepts a single Annotation, an array of them, an AnnotationPage, or an
//! AnnotationCollection with embedded pages (`first`, then each embedded `next`). Selectors
//! may come in any order, as one object or an array; a `TextQuoteSelector` inside a
//! `refinedBy` is used (a quote is a quote anywhere), a `TextPositionSelector` inside one is
//! not (its offsets count from a fragment Claimlens cannot locate). A target may be an object
//! or an array (the first target with a usable selector is used); a target that is only an
//! IRI names a whole resource and is rejected with that reason. Every anchor goes through
//! [`crate::model::reanchor`] (see [`super`]).

use serde_json::{Map, Value, json};

use super::{
    Anchored, HintKind, ImportReport, ImportedItem, InterchangeError, LabelResolver, Outcome,
    Pending, anchor_all, describe, id_from, label_name, parse_json, parse_time, search_hint,
    stable_uuid, to_pretty_json,
};
use crate::model::{
    Anchor, Annotation, AnnotationId, AnnotationSet, Article, LabelId, LabelSet, Relation, Review,
    ReviewStatus, Rgb, TextPosition, TextQuote, Timestamp,
};

/// The Web Annotation JSON-LD context.
pub const ANNO_CONTEXT: &str = "http://www.w3.org/ns/anno.jsonld";
/// Namespace of the `claimlens:` extension properties (a placeholder IRI: see the module docs).
pub const CLAIMLENS_NS: &str = "https://claimlens.invalid/ns#";
/// Largest position accepted from a file: far beyond any article, small enough that no
/// arithmetic on it can overflow.
pub(crate) const MAX_OFFSET: u64 = u32::MAX as u64;

// ---------------------------------------------------------------------------------------------
// Export

/// The set as a W3C `AnnotationCollection` with one embedded `AnnotationPage` (see the module
/// docs for the shape). `source` is the article's IRI for every target; if it is blank, the
/// article's URL, else a `ni:///sha-256;…` name of its text (RFC 6920).
pub fn to_w3c(article: &Article, set: &AnnotationSet, source: &str) -> Value {
    let source = source_iri(article, source);
    let hash = set.article.content_hash.0.as_str();
    let collection_id = stable_uuid(&["claimlens w3c collection", &source, hash, &set.analyst]);
    let page_id = stable_uuid(&["claimlens w3c page", &collection_id.to_string(), "1"]);
    let mut items: Vec<Value> = set
        .annotations
        .iter()
        .map(|a| annotation_json(a, set, &source))
        .collect();
    items.extend(
        set.relations
            .iter()
            .map(|r| relation_json(r, set.labels.relation_name_of(&r.kind))),
    );
    let mut collection = Map::new();
    collection.insert(
        "@context".into(),
        json!([ANNO_CONTEXT, { "claimlens": CLAIMLENS_NS }]),
    );
    collection.insert("id".into(), json!(format!("urn:uuid:{collection_id}")));
    collection.insert("type".into(), json!("AnnotationCollection"));
    collection.insert("label".into(), json!(article.title));
    collection.insert("total".into(), json!(items.len()));
    collection.insert("claimlens:article".into(), article_json(article, set));
    if !items.is_empty() {
        collection.insert(
            "first".into(),
            json!({
                "id": format!("urn:uuid:{page_id}"),
                "type": "AnnotationPage",
                "startIndex": 0,
                "items": items,
            }),
        );
    }
    Value::Object(collection)
}

/// [`to_w3c`] as pretty JSON text with a stable key order (what a `.jsonld` file holds).
pub fn to_w3c_string(article: &Article, set: &AnnotationSet, source: &str) -> String {
    to_pretty_json(&to_w3c(article, set, source))
}

fn source_iri(article: &Article, source: &str) -> String {
    let source = source.trim();
    if !source.is_empty() {
        return source.to_owned();
    }
    if let Some(url) = article.meta.url.as_deref().map(str::trim)
        && !url.is_empty()
    {
        return url.to_owned();
    }
    named_information(&article.text)
}

/// RFC 6920 name of `text`: `ni:///sha-256;` and the base64url (no padding) SHA-256 digest.
fn named_information(text: &str) -> String {
    use sha2::{Digest as _, Sha256};
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::from("ni:///sha-256;");
    for chunk in digest.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

fn article_json(article: &Article, set: &AnnotationSet) -> Value {
    let meta = &article.meta;
    let mut m = Map::new();
    let mut put = |key: &str, value: Option<&str>| {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            m.insert(format!("claimlens:{key}"), json!(v));
        }
    };
    put("title", Some(&article.title));
    put("byline", meta.byline.as_deref());
    put("site", meta.site.as_deref());
    put("published", meta.published.as_deref());
    put("language", meta.lang.as_deref());
    put("url", meta.url.as_deref());
    put("contentHash", Some(&set.article.content_hash.0));
    Value::Object(m)
}

fn annotation_json(a: &Annotation, set: &AnnotationSet, source: &str) -> Value {
    let mut tag = Map::new();
    tag.insert("type".into(), json!("TextualBody"));
    tag.insert("purpose".into(), json!("tagging"));
    tag.insert("value".into(), json!(label_name(&set.labels, &a.label)));
    tag.insert("claimlens:label".into(), json!(a.label.0));
    if let Some(label) = set.labels.get(&a.label) {
        tag.insert("claimlens:colour".into(), json!(label.colour.to_hex()));
    }
    let mut bodies = vec![Value::Object(tag)];
    if !a.note.is_empty() {
        bodies.push(json!({
            "type": "TextualBody",
            "purpose": "commenting",
            "format": "text/plain",
            "value": a.note,
        }));
    }
    let mut target = Map::new();
    target.insert("source".into(), json!(source));
    if a.review.is_none() {
        target.insert(
            "claimlens:contentHash".into(),
            json!(set.article.content_hash.0),
        );
    }
    target.insert("selector".into(), selectors_json(&a.anchor));

    let mut obj = Map::new();
    obj.insert("id".into(), json!(format!("urn:uuid:{}", a.id)));
    obj.insert("type".into(), json!("Annotation"));
    obj.insert("motivation".into(), json!("classifying"));
    obj.insert("created".into(), json!(a.created.to_string()));
    obj.insert("modified".into(), json!(a.modified.to_string()));
    if !set.analyst.trim().is_empty() {
        obj.insert(
            "creator".into(),
            json!({ "type": "Person", "name": set.analyst }),
        );
    }
    obj.insert("body".into(), Value::Array(bodies));
    obj.insert("target".into(), Value::Object(target));
    if let Some(review) = &a.review {
        let mut r = Map::new();
        let status = match review.status {
            ReviewStatus::Moved => "moved",
            ReviewStatus::Orphaned => "orphaned",
        };
        r.insert("claimlens:status".into(), json!(status));
        if let Some(p) = review.proposal {
            r.insert(
                "claimlens:proposal".into(),
                json!({ "type": "TextPositionSelector", "start": p.start, "end": p.end }),
            );
        }
        r.insert(
            "claimlens:contentHash".into(),
            json!(set.article.content_hash.0),
        );
        obj.insert("claimlens:review".into(), Value::Object(r));
    }
    Value::Object(obj)
}

fn selectors_json(anchor: &Anchor) -> Value {
    let mut quote = Map::new();
    quote.insert("type".into(), json!("TextQuoteSelector"));
    quote.insert("exact".into(), json!(anchor.quote.exact));
    if !anchor.quote.prefix.is_empty() {
        quote.insert("prefix".into(), json!(anchor.quote.prefix));
    }
    if !anchor.quote.suffix.is_empty() {
        quote.insert("suffix".into(), json!(anchor.quote.suffix));
    }
    json!([
        quote,
        {
            "type": "TextPositionSelector",
            "start": anchor.position.start,
            "end": anchor.position.end,
        }
    ])
}

/// A relation as a `linking` annotation; its tagging body names the relation type (import
/// maps the name back to the type, adding one if the set lacks it).
fn relation_json(r: &Relation, relation_name: &str) -> Value {
    json!({
        "id": format!("urn:uuid:{}", r.id),
        "type": "Annotation",
        "motivation": "linking",
        "body": [{ "type": "TextualBody", "purpose": "tagging", "value": relation_name }],
        "target": [format!("urn:uuid:{}", r.from), format!("urn:uuid:{}", r.to)],
    })
}

// ---------------------------------------------------------------------------------------------
// Import

/// Imports Web Annotation JSON (see the module docs for what is accepted) into a new set for
/// `article`, with `labels` extended by any label the file names that they lack.
///
/// Errors only when the text is not JSON or not Web Annotation JSON at all; an annotation
/// that cannot be used is skipped with its reason in the report.
pub fn from_w3c(
    json: &str,
    article: &Article,
    labels: &LabelSet,
) -> Result<(AnnotationSet, ImportReport), InterchangeError> {
    let value = parse_json(json)?;
    let mut report = ImportReport::default();
    let items = collect_items(&value, &mut report.warnings)?;
    let mut parsed: Vec<(usize, Result<Parsed, InterchangeError>)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let index = i + 1;
        parsed.push((index, parse_item(index, item, article)));
    }
    Ok(build_set(parsed, article, labels, "w3c", report))
}

/// The annotations (or IRI references) of the top-level value, in file order.
fn collect_items<'a>(
    value: &'a Value,
    warnings: &mut Vec<String>,
) -> Result<Vec<&'a Value>, InterchangeError> {
    let not_w3c = || InterchangeError::NotW3c {
        found: describe(value),
    };
    match value {
        Value::Array(items) => Ok(items.iter().collect()),
        Value::Object(obj) => {
            let types = strings(obj.get("type"));
            if types.iter().any(|t| t == "AnnotationCollection") {
                let items = match obj.get("first") {
                    Some(Value::Object(_)) => pages(obj.get("first"), warnings),
                    Some(Value::String(iri)) => {
                        warnings.push(format!(
                            "the collection's first page {iri} is not embedded in the file; \
                             only embedded pages can be imported"
                        ));
                        Vec::new()
                    }
                    _ => Vec::new(),
                };
                if let Some(total) = obj.get("total").and_then(Value::as_u64)
                    && total != items.len() as u64
                {
                    warnings.push(format!(
                        "the collection says it holds {total} annotations; the file embeds {}",
                        items.len()
                    ));
                }
                Ok(items)
            } else if types.iter().any(|t| t == "AnnotationPage") {
                Ok(pages(Some(value), warnings))
            } else if types.iter().any(|t| t == "Annotation") || obj.contains_key("target") {
                Ok(vec![value])
            } else {
                Err(not_w3c())
            }
        }
        _ => Err(not_w3c()),
    }
}

/// The items of `page` and of each embedded `next` page after it.
fn pages<'a>(mut page: Option<&'a Value>, warnings: &mut Vec<String>) -> Vec<&'a Value> {
    let mut items = Vec::new();
    while let Some(Value::Object(p)) = page {
        if let Some(Value::Array(list)) = p.get("items") {
            items.extend(list.iter());
        }
        page = match p.get("next") {
            Some(Value::String(iri)) => {
                warnings.push(format!(
                    "the next page {iri} is not embedded in the file; only embedded pages can \
                     be imported"
                ));
                None
            }
            next => next,
        };
    }
    items
}

/// A value that may be one string or an array of them (`type`, `purpose`, `motivation`).
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// One annotation of a file, read but not yet anchored.
pub(crate) enum Parsed {
    Annotation(Box<ParsedAnnotation>),
    /// A `linking` annotation: a relation between two annotations of the file.
    Link {
        file_id: Option<String>,
        kind: String,
        targets: Vec<String>,
    },
}

/// A tagging or classifying body: a label name, maybe with Claimlens' own label id and colour.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tag {
    pub value: String,
    pub label_id: Option<String>,
    pub colour: Option<Rgb>,
}

pub(crate) struct ParsedAnnotation {
    pub file_id: Option<String>,
    pub created: Option<Timestamp>,
    pub modified: Option<Timestamp>,
    pub creator: Option<String>,
    pub tags: Vec<Tag>,
    /// Tags that do not name a label unless nothing else does (Hypothesis' free tags).
    pub free_tags: bool,
    pub notes: Vec<String>,
    pub pending: Pending,
    pub hint: Option<TextPosition>,
    /// Restored as it was (a review exported from this very text): no anchoring.
    pub restored: Option<Anchored>,
}

fn parse_item(index: usize, item: &Value, article: &Article) -> Result<Parsed, InterchangeError> {
    let obj = match item {
        Value::Object(obj) => obj,
        Value::String(iri) => {
            return Err(InterchangeError::OnlyReference {
                index,
                iri: iri.clone(),
            });
        }
        other => {
            return Err(InterchangeError::NotAnObject {
                index,
                found: describe(other),
            });
        }
    };
    let file_id = obj.get("id").and_then(Value::as_str).map(str::to_owned);
    let (tags, notes) = read_bodies(obj);
    let target = obj
        .get("target")
        .ok_or(InterchangeError::NoTarget { index })?;

    if strings(obj.get("motivation"))
        .iter()
        .any(|m| m == "linking")
        && let Some(targets) = iri_targets(target)
    {
        let kind = tags
            .first()
            .map(|t| t.value.clone())
            .or_else(|| notes.first().cloned())
            .unwrap_or_else(|| "related".to_owned());
        return Ok(Parsed::Link {
            file_id,
            kind,
            targets,
        });
    }

    let selection = read_target(index, target)?;
    let same_text = selection
        .content_hash
        .as_deref()
        .is_some_and(|h| h == article.hash.0);
    let (pending, hint) = pending_from(index, &selection, article, same_text, &|n| n, &|n| n)?;
    let restored = match obj.get("claimlens:review") {
        Some(Value::Object(review)) => restore_review(review, &pending, article),
        _ => None,
    };
    Ok(Parsed::Annotation(Box::new(ParsedAnnotation {
        file_id,
        created: obj
            .get("created")
            .and_then(Value::as_str)
            .and_then(parse_time),
        modified: obj
            .get("modified")
            .and_then(Value::as_str)
            .and_then(parse_time),
        creator: creator_name(obj.get("creator")),
        tags,
        free_tags: false,
        notes,
        pending,
        hint,
        restored,
    })))
}

/// The target of a linking annotation: two or more IRIs, no selectors.
fn iri_targets(target: &Value) -> Option<Vec<String>> {
    let list = match target {
        Value::Array(list) => list.iter().collect::<Vec<_>>(),
        one => vec![one],
    };
    let iris: Vec<String> = list
        .iter()
        .map(|t| match t {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) if !o.contains_key("selector") => {
                o.get("id").and_then(Value::as_str).map(str::to_owned)
            }
            _ => None,
        })
        .collect::<Option<_>>()?;
    (iris.len() >= 2).then_some(iris)
}

/// A review exported by Claimlens from this very text: the old anchor and the review as they
/// were. `None` (anchor it afresh) for another text or a malformed review.
fn restore_review(
    review: &Map<String, Value>,
    pending: &Pending,
    article: &Article,
) -> Option<Anchored> {
    let hash = review.get("claimlens:contentHash")?.as_str()?;
    if hash != article.hash.0 || !pending.has_quote {
        return None;
    }
    let status = match review.get("claimlens:status")?.as_str()? {
        "moved" => ReviewStatus::Moved,
        "orphaned" => ReviewStatus::Orphaned,
        _ => return None,
    };
    let proposal = review
        .get("claimlens:proposal")
        .and_then(|p| {
            let start = p.get("start")?.as_u64()?;
            let end = p.get("end")?.as_u64()?;
            Some((start, end))
        })
        .filter(|&(start, end)| start < end && end <= article.char_len() as u64)
        .map(|(start, end)| TextPosition {
            start: start as usize,
            end: end as usize,
        });
    let status = if proposal.is_none() {
        ReviewStatus::Orphaned
    } else {
        status
    };
    Some(Anchored {
        anchor: pending.anchor.clone(),
        review: Some(Review { status, proposal }),
    })
}

fn creator_name(creator: Option<&Value>) -> Option<String> {
    let name = match creator? {
        Value::String(s) => s.clone(),
        Value::Object(o) => ["name", "nickname", "id"]
            .iter()
            .find_map(|k| match o.get(*k) {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Array(a)) => a.first().and_then(Value::as_str).map(str::to_owned),
                _ => None,
            })?,
        Value::Array(list) => return creator_name(list.first()),
        _ => return None,
    };
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// Tags (tagging/classifying bodies) and note texts (every other textual body, `bodyValue`,
/// and the IRIs of external bodies), in file order.
fn read_bodies(obj: &Map<String, Value>) -> (Vec<Tag>, Vec<String>) {
    let mut tags = Vec::new();
    let mut notes = Vec::new();
    if let Some(Value::String(v)) = obj.get("bodyValue")
        && !v.is_empty()
    {
        notes.push(v.clone());
    }
    let bodies: Vec<&Value> = match obj.get("body") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    for body in bodies {
        read_body(body, &mut tags, &mut notes);
    }
    (tags, notes)
}

fn read_body(body: &Value, tags: &mut Vec<Tag>, notes: &mut Vec<String>) {
    match body {
        Value::String(iri) if !iri.trim().is_empty() => notes.push(iri.clone()),
        Value::Object(b) => {
            if strings(b.get("type")).iter().any(|t| t == "Choice") {
                // A Choice: the first item is the default.
                if let Some(first) = b
                    .get("items")
                    .and_then(Value::as_array)
                    .and_then(|i| i.first())
                {
                    read_body(first, tags, notes);
                }
                return;
            }
            let purposes = strings(b.get("purpose"));
            let is_tag = purposes
                .iter()
                .any(|p| p == "tagging" || p == "classifying");
            let value = b.get("value").and_then(Value::as_str);
            let iri = b
                .get("source")
                .or_else(|| b.get("id"))
                .and_then(Value::as_str);
            match (value, is_tag) {
                (Some(v), true) => tags.push(Tag {
                    value: v.to_owned(),
                    label_id: b
                        .get("claimlens:label")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    colour: b
                        .get("claimlens:colour")
                        .and_then(Value::as_str)
                        .and_then(Rgb::from_hex),
                }),
                (Some(v), false) if !v.is_empty() => notes.push(v.to_owned()),
                (None, _) => {
                    if let Some(iri) = iri {
                        notes.push(iri.to_owned());
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
}

/// What a target's selectors say, before any anchoring.
#[derive(Clone, Debug, Default)]
pub(crate) struct Selection {
    pub quote: Option<TextQuote>,
    /// As written in the file (code points for W3C, UTF-16 units for Hypothesis).
    pub position: Option<(usize, usize)>,
    /// A position selector was found only inside the `refinedBy` of this kind of selector.
    pub relative_to: Option<String>,
    /// `claimlens:contentHash` of the target: the text the positions count in.
    pub content_hash: Option<String>,
}

/// Reads the selectors of a target (object, array, or IRI). An array of targets yields the
/// first with a usable selector.
pub(crate) fn read_target(index: usize, target: &Value) -> Result<Selection, InterchangeError> {
    match target {
        Value::String(iri) => Err(InterchangeError::TargetWithoutSelector {
            index,
            iri: iri.clone(),
        }),
        Value::Array(list) => {
            let mut first_err = None;
            for t in list {
                match read_target(index, t) {
                    Ok(sel) if sel.quote.is_some() || sel.position.is_some() => return Ok(sel),
                    Ok(sel) => {
                        first_err.get_or_insert(unusable(index, &sel));
                    }
                    Err(e) => {
                        first_err.get_or_insert(e);
                    }
                }
            }
            Err(first_err.unwrap_or(InterchangeError::NoTarget { index }))
        }
        Value::Object(t) => {
            if strings(t.get("type")).iter().any(|x| x == "Choice")
                && let Some(items) = t.get("items")
            {
                return read_target(index, items);
            }
            let mut sel = Selection {
                content_hash: t
                    .get("claimlens:contentHash")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                ..Selection::default()
            };
            match t.get("selector") {
                Some(selector) => read_selector(index, selector, None, &mut sel)?,
                None => {
                    let iri = t
                        .get("source")
                        .or_else(|| t.get("id"))
                        .and_then(Value::as_str)
                        .unwrap_or("(no source)");
                    return Err(InterchangeError::TargetWithoutSelector {
                        index,
                        iri: iri.to_owned(),
                    });
                }
            }
            Ok(sel)
        }
        other => Err(InterchangeError::NotAnObject {
            index,
            found: format!("a target that is {}", describe(other)),
        }),
    }
}

fn unusable(index: usize, sel: &Selection) -> InterchangeError {
    match &sel.relative_to {
        Some(outer) => InterchangeError::RelativePosition {
            index,
            outer: outer.clone(),
        },
        None => InterchangeError::NoSelector { index },
    }
}

fn read_selector(
    index: usize,
    selector: &Value,
    refining: Option<&str>,
    sel: &mut Selection,
) -> Result<(), InterchangeError> {
    let obj = match selector {
        Value::Array(list) => {
            for s in list {
                read_selector(index, s, refining, sel)?;
            }
            return Ok(());
        }
        Value::Object(obj) => obj,
        // A selector given by reference (an IRI), or junk: nothing to use.
        _ => return Ok(()),
    };
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "TextQuoteSelector" => {
            let quote = read_quote(index, obj)?;
            sel.quote.get_or_insert(quote);
        }
        "TextPositionSelector" => {
            let position = read_position(index, obj)?;
            match refining {
                Some(outer) => {
                    sel.relative_to.get_or_insert_with(|| outer.to_owned());
                }
                None => {
                    sel.position.get_or_insert(position);
                }
            }
        }
        _ => {
            if let Some(inner) = obj.get("refinedBy") {
                let outer = if kind.is_empty() { "selector" } else { kind };
                read_selector(index, inner, Some(outer), sel)?;
            }
        }
    }
    Ok(())
}

fn read_quote(index: usize, obj: &Map<String, Value>) -> Result<TextQuote, InterchangeError> {
    let bad = |problem: String| InterchangeError::BadSelector {
        index,
        selector: "TextQuoteSelector",
        problem,
    };
    let field = |key: &str, required: bool| -> Result<String, InterchangeError> {
        match obj.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            None | Some(Value::Null) if !required => Ok(String::new()),
            None => Err(bad(format!("no \"{key}\""))),
            Some(other) => Err(bad(format!(
                "\"{key}\" is {}, not a string",
                describe(other)
            ))),
        }
    };
    let exact = field("exact", true)?;
    if exact.is_empty() {
        return Err(bad("\"exact\" is empty".to_owned()));
    }
    Ok(TextQuote {
        exact,
        prefix: field("prefix", false)?,
        suffix: field("suffix", false)?,
    })
}

fn read_position(
    index: usize,
    obj: &Map<String, Value>,
) -> Result<(usize, usize), InterchangeError> {
    let bad = |problem: String| InterchangeError::BadSelector {
        index,
        selector: "TextPositionSelector",
        problem,
    };
    let offset = |key: &str| -> Result<usize, InterchangeError> {
        let value = obj.get(key).ok_or_else(|| bad(format!("no \"{key}\"")))?;
        match value.as_u64() {
            Some(n) if n <= MAX_OFFSET => Ok(n as usize),
            _ => Err(bad(format!(
                "\"{key}\" is {}, not a whole number from 0 to {MAX_OFFSET}",
                describe(value)
            ))),
        }
    };
    let (start, end) = (offset("start")?, offset("end")?);
    if start >= end {
        return Err(bad(format!(
            "start {start} is not before end {end} (the range is empty or reversed)"
        )));
    }
    Ok((start, end))
}

/// Turns a target's selectors into an anchor waiting to be anchored, with the position hint
/// in code points of `article`. `to_chars_start`/`to_chars_end` convert the file's offsets
/// (identity for W3C; UTF-16 → code points for Hypothesis).
pub(crate) fn pending_from(
    index: usize,
    sel: &Selection,
    article: &Article,
    same_text: bool,
    to_chars_start: &dyn Fn(usize) -> usize,
    to_chars_end: &dyn Fn(usize) -> usize,
) -> Result<(Pending, Option<TextPosition>), InterchangeError> {
    let position = sel.position.map(|(s, e)| TextPosition {
        start: to_chars_start(s),
        end: to_chars_end(e).max(to_chars_start(s)),
    });
    let kind = if same_text {
        HintKind::SameText
    } else {
        HintKind::OtherText
    };
    match (&sel.quote, position) {
        (Some(quote), Some(position)) => Ok((
            Pending {
                anchor: Anchor {
                    position,
                    quote: quote.clone(),
                },
                kind,
                has_quote: true,
            },
            Some(position),
        )),
        (Some(quote), None) => {
            let len = quote.exact.chars().count();
            let start = search_hint(article, quote).unwrap_or(0);
            Ok((
                Pending {
                    anchor: Anchor {
                        position: TextPosition {
                            start,
                            end: start + len,
                        },
                        quote: quote.clone(),
                    },
                    kind: HintKind::Searched,
                    has_quote: true,
                },
                None,
            ))
        }
        (None, Some(position)) => {
            if position.end > article.char_len() || position.start >= position.end {
                return Err(InterchangeError::PositionOutOfRange {
                    index,
                    start: position.start,
                    end: position.end,
                    len: article.char_len(),
                });
            }
            Ok((
                Pending {
                    anchor: Anchor::at_position(article, position),
                    kind,
                    has_quote: false,
                },
                Some(position),
            ))
        }
        (None, None) => Err(unusable(index, sel)),
    }
}

/// Anchors the parsed annotations and builds the set and the report (shared with the
/// Hypothesis importer). `namespace` names the format, for ids made from the file's ids.
pub(crate) fn build_set(
    parsed: Vec<(usize, Result<Parsed, InterchangeError>)>,
    article: &Article,
    labels: &LabelSet,
    namespace: &str,
    mut report: ImportReport,
) -> (AnnotationSet, ImportReport) {
    let pending: Vec<Pending> = parsed
        .iter()
        .filter_map(|(_, p)| match p {
            Ok(Parsed::Annotation(a)) if a.restored.is_none() => Some(a.pending.clone()),
            _ => None,
        })
        .collect();
    let mut anchored = anchor_all(&pending, article).into_iter();

    let now = Timestamp::now();
    let mut resolver = LabelResolver::new(labels);
    let mut set = AnnotationSet::new(article, String::new());
    let mut creators: Vec<String> = Vec::new();
    // File id → annotation id, for relations.
    let mut ids: Vec<(String, AnnotationId)> = Vec::new();
    let mut links = Vec::new();
    let mut slots: Vec<Option<ImportedItem>> = Vec::new();

    for (index, result) in parsed {
        let a = match result {
            Err(reason) => {
                slots.push(Some(ImportedItem {
                    index,
                    source_id: None,
                    position_hint: None,
                    outcome: Outcome::Skipped(reason),
                }));
                continue;
            }
            Ok(Parsed::Link {
                file_id,
                kind,
                targets,
            }) => {
                links.push((index, slots.len(), file_id, kind, targets));
                slots.push(None);
                continue;
            }
            Ok(Parsed::Annotation(a)) => a,
        };
        let placed = match a.restored {
            Some(restored) => restored,
            None => match anchored.next() {
                Some(placed) => placed,
                None => continue, // cannot happen: one result per pending anchor
            },
        };
        let (label, leftover) = choose_label(&a.tags, a.free_tags, &mut resolver);
        let mut note = a.notes.join("\n\n");
        if !leftover.is_empty() {
            if !note.is_empty() {
                note.push_str("\n\n");
            }
            note.push_str("Tags: ");
            note.push_str(&leftover.join(", "));
        }
        let mut id = a
            .file_id
            .as_deref()
            .map_or_else(AnnotationId::random, |f| id_from(namespace, f));
        if set.get(id).is_some() {
            report.warnings.push(format!(
                "annotation {index}: its id {} is used twice in the file; it got a new one",
                a.file_id.as_deref().unwrap_or("?")
            ));
            id = AnnotationId::random();
        }
        if let Some(f) = &a.file_id {
            ids.push((f.clone(), id));
        }
        if let Some(c) = &a.creator
            && !creators.contains(c)
        {
            creators.push(c.clone());
        }
        let created = a.created.unwrap_or(now);
        let outcome = match placed.review.as_ref().map(|r| r.status) {
            None => Outcome::Placed(id),
            Some(ReviewStatus::Moved) => Outcome::ToReview(id),
            Some(ReviewStatus::Orphaned) => Outcome::NotFound(id),
        };
        set.insert(Annotation {
            id,
            label,
            anchor: placed.anchor,
            note,
            created,
            modified: a.modified.unwrap_or(created),
            review: placed.review,
            attributes: Default::default(),
            tags: Vec::new(),
        });
        slots.push(Some(ImportedItem {
            index,
            source_id: a.file_id,
            position_hint: a.hint,
            outcome,
        }));
    }

    for (index, slot, file_id, kind, targets) in links {
        let resolve = |iri: &str| {
            ids.iter()
                .find(|(f, _)| f == iri)
                .map(|(_, id)| *id)
                .or_else(|| {
                    let id = id_from(namespace, iri);
                    set.get(id).map(|a| a.id)
                })
        };
        let outcome = match (resolve(&targets[0]), resolve(&targets[1])) {
            (Some(from), Some(to)) => {
                let id = file_id
                    .as_deref()
                    .map_or_else(crate::model::RelationId::random, |f| {
                        crate::model::RelationId(id_from(namespace, f).0)
                    });
                let kind = set.labels.relation_type_named(&kind);
                set.relations.push(Relation { id, kind, from, to });
                if targets.len() > 2 {
                    report.warnings.push(format!(
                        "annotation {index}: links {} targets; only the first two are kept",
                        targets.len()
                    ));
                }
                Outcome::Relation
            }
            (from, _) => Outcome::Skipped(InterchangeError::UnresolvedLink {
                index,
                iri: if from.is_none() {
                    targets[0].clone()
                } else {
                    targets[1].clone()
                },
            }),
        };
        slots[slot] = Some(ImportedItem {
            index,
            source_id: file_id,
            position_hint: None,
            outcome,
        });
    }

    match creators.as_slice() {
        [one] => set.analyst.clone_from(one),
        [] => {}
        many => report.warnings.push(format!(
            "the annotations have {} different creators ({}); the set's analyst is left empty",
            many.len(),
            many.join(", ")
        )),
    }
    set.labels = resolver.labels;
    report.added_labels = resolver.added;
    report.items = slots.into_iter().flatten().collect();
    (set, report)
}

/// The label of an annotation and the tags left over for its note. With `free_tags` (tags as
/// Hypothesis has them), a tag becomes the label only if it names an existing label; otherwise
/// the first tag names the label, added if new.
fn choose_label(
    tags: &[Tag],
    free_tags: bool,
    resolver: &mut LabelResolver,
) -> (LabelId, Vec<String>) {
    let known = tags.iter().position(|t| {
        t.label_id
            .as_deref()
            .is_some_and(|id| resolver.by_id(id).is_some())
            || resolver.by_name(&t.value).is_some()
    });
    let chosen = match known {
        Some(i) => Some(i),
        None if free_tags => None,
        None => tags.iter().position(|t| !t.value.trim().is_empty()),
    };
    let label = match chosen {
        Some(i) => {
            let t = &tags[i];
            resolver.resolve_or_add(&t.value, t.label_id.as_deref(), t.colour)
        }
        None => resolver.unlabelled(),
    };
    let mut leftover: Vec<String> = Vec::new();
    for (i, t) in tags.iter().enumerate() {
        let v = t.value.trim();
        if Some(i) != chosen && !v.is_empty() && !leftover.iter().any(|l| l == v) {
            leftover.push(v.to_owned());
        }
    }
    (label, leftover)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(text: &str) -> Article {
        Article::from_plain_text(text, "t")
    }

    #[test]
    fn named_information_is_rfc_6920() {
        // RFC 6920 section 3's example: the SHA-256 of "Hello World!".
        assert_eq!(
            named_information("Hello World!"),
            "ni:///sha-256;f4OxZX_x_FO5LcGBSKHWXfwtSx-j1ncoSt3SABJtkGk"
        );
    }

    #[test]
    fn selectors_in_any_order_and_shape() {
        let target = json!({"source": "x", "selector": [
            {"type": "TextPositionSelector", "start": 4, "end": 9},
            {"type": "RangeSelector", "startContainer": "/p[1]"},
            {"type": "TextQuoteSelector", "exact": "quick", "prefix": "The "}
        ]});
        let sel = read_target(1, &target).unwrap();
        assert_eq!(sel.position, Some((4, 9)));
        assert_eq!(sel.quote.unwrap().prefix, "The ");
        let single = json!({"selector": {"type": "TextQuoteSelector", "exact": "q"}});
        assert!(read_target(1, &single).unwrap().quote.is_some());
    }

    #[test]
    fn malformed_selectors_name_the_problem() {
        let cases = [
            (
                json!({"type": "TextPositionSelector", "start": -1, "end": 3}),
                "\"start\" is the number -1",
            ),
            (
                json!({"type": "TextPositionSelector", "start": 1e300, "end": 3}),
                "not a whole number",
            ),
            (
                json!({"type": "TextPositionSelector", "start": 99_999_999_999u64, "end": 99_999_999_999u64 + 1}),
                "not a whole number from 0 to 4294967295",
            ),
            (
                json!({"type": "TextPositionSelector", "start": 9, "end": 3}),
                "start 9 is not before end 3",
            ),
            (
                json!({"type": "TextPositionSelector", "start": 3}),
                "no \"end\"",
            ),
            (
                json!({"type": "TextQuoteSelector", "prefix": "a"}),
                "no \"exact\"",
            ),
            (
                json!({"type": "TextQuoteSelector", "exact": 5}),
                "\"exact\" is the number 5, not a string",
            ),
            (
                json!({"type": "TextQuoteSelector", "exact": ""}),
                "\"exact\" is empty",
            ),
        ];
        for (selector, expected) in cases {
            let err = read_target(3, &json!({ "selector": selector })).unwrap_err();
            let message = err.to_string();
            assert!(message.starts_with("annotation 3: "), "{message}");
            assert!(message.contains(expected), "{message} lacks {expected}");
        }
    }

    #[test]
    fn targets_without_selectors_are_rejected_clearly() {
        let err = read_target(2, &json!("http://example.org/page1")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "annotation 2: the target http://example.org/page1 has no selector, so it names a \
             whole resource, not a passage of the article"
        );
        let err = read_target(2, &json!({"source": "http://e.org/p"})).unwrap_err();
        assert!(matches!(
            err,
            InterchangeError::TargetWithoutSelector { .. }
        ));
        let xpath = json!({"source": "s", "selector": {"type": "XPathSelector", "value": "/p"}});
        assert_eq!(
            read_target(2, &xpath).map_err(|e| e.to_string()).err(),
            None,
            "read, but nothing usable"
        );
        let a = article("text");
        let sel = read_target(2, &xpath).unwrap();
        let err = pending_from(2, &sel, &a, false, &|n| n, &|n| n).unwrap_err();
        assert_eq!(
            err.to_string(),
            "annotation 2: no TextQuoteSelector or TextPositionSelector"
        );
    }

    #[test]
    fn a_position_inside_a_fragment_is_not_used() {
        let target = json!({"source": "s", "selector": {"type": "FragmentSelector",
            "value": "para5", "refinedBy": {"type": "TextPositionSelector", "start": 6, "end": 27}}});
        let sel = read_target(4, &target).unwrap();
        assert_eq!(sel.position, None);
        let err = pending_from(4, &sel, &article("x"), false, &|n| n, &|n| n).unwrap_err();
        assert!(
            err.to_string()
                .contains("refines a FragmentSelector, so its offsets count from a part"),
            "{err}"
        );
        let quoted = json!({"source": "s", "selector": {"type": "FragmentSelector",
            "refinedBy": {"type": "TextQuoteSelector", "exact": "Selected Text"}}});
        assert_eq!(
            read_target(4, &quoted).unwrap().quote.unwrap().exact,
            "Selected Text"
        );
    }

    #[test]
    fn the_first_usable_target_of_an_array_is_used() {
        let targets = json!(["http://e.org/whole", {"source": "s",
            "selector": {"type": "TextQuoteSelector", "exact": "b"}}]);
        assert_eq!(read_target(1, &targets).unwrap().quote.unwrap().exact, "b");
        let err = read_target(1, &json!(["http://e.org/a", "http://e.org/b"])).unwrap_err();
        assert!(
            matches!(err, InterchangeError::TargetWithoutSelector { iri, .. } if iri == "http://e.org/a")
        );
    }

    #[test]
    fn bodies_give_tags_and_notes() {
        let obj = json!({
            "bodyValue": "plain",
            "body": [
                {"type": "TextualBody", "purpose": ["tagging"], "value": "Denial"},
                {"type": "TextualBody", "purpose": "classifying", "value": "Source"},
                {"type": "TextualBody", "value": "a comment"},
                "http://example.org/comment1",
                {"type": "Choice", "items": [{"type": "TextualBody", "purpose": "describing", "value": "first"},
                                              {"type": "TextualBody", "value": "second"}]},
                {"type": "SpecificResource", "purpose": "describing", "source": "http://e.org/audio"},
            ]
        });
        let (tags, notes) = read_bodies(obj.as_object().unwrap());
        let values: Vec<&str> = tags.iter().map(|t| t.value.as_str()).collect();
        assert_eq!(values, ["Denial", "Source"]);
        assert_eq!(
            notes,
            [
                "plain",
                "a comment",
                "http://example.org/comment1",
                "first",
                "http://e.org/audio"
            ]
        );
    }

    #[test]
    fn top_level_shapes() {
        let mut w = Vec::new();
        let anno = json!({"type": "Annotation", "target": "x"});
        assert_eq!(collect_items(&anno, &mut w).unwrap().len(), 1);
        let page = json!({"type": "AnnotationPage", "items": [anno, anno],
            "next": {"type": "AnnotationPage", "items": [anno], "next": "http://e.org/p3"}});
        assert_eq!(collect_items(&page, &mut w).unwrap().len(), 3);
        assert!(w[0].contains("http://e.org/p3"), "{w:?}");
        let collection = json!({"type": "AnnotationCollection", "total": 5, "first": page});
        w.clear();
        assert_eq!(collect_items(&collection, &mut w).unwrap().len(), 3);
        assert!(w.iter().any(|m| m.contains("holds 5")), "{w:?}");
        let remote = json!({"type": "AnnotationCollection", "first": "http://e.org/p1"});
        assert!(collect_items(&remote, &mut w).unwrap().is_empty());
        for bad in [json!({"type": "Person"}), json!(42), json!("anno")] {
            let err = collect_items(&bad, &mut w).unwrap_err();
            assert!(
                err.to_string().starts_with("not Web Annotation JSON"),
                "{err}"
            );
        }
    }
}
