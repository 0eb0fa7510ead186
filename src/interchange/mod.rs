//! Interchange formats: annotation sets in and out of other tools' files.
//!
//! * [`w3c`]: W3C Web Annotation JSON-LD, export ([`w3c::to_w3c`]) and import
//!   ([`w3c::from_w3c`]): an `AnnotationCollection`, a page, one annotation or an array.
//! * [`brat`]: brat standoff (`.txt` + `.ann`), export ([`brat::to_brat`]) and import
//!   ([`brat::from_brat`]).
//! * [`hypothesis`]: import of Hypothesis' "Export annotations" JSON and of API annotations
//!   ([`hypothesis::from_hypothesis`]).
//!
//! Every function here is pure: text in, text or values out, no file system, no clock except
//! "now" for imported annotations that carry no time of their own.
//!
//! ## Positions
//! Claimlens counts **Unicode code points** of the article's normalised text, end exclusive
//! (see [`crate::model::Article`]). So does the W3C `TextPositionSelector` (its "character
//! positions" are code points, not UTF-16 units or bytes) and so does brat (Python 3 string
//! offsets). Hypothesis counts UTF-16 code units of its page's text; its importer converts.
//!
//! ## Importing never places an annotation silently in the wrong place
//! Whatever the format, an imported annotation becomes an [`Anchor`] (the quote and its context
//! as the file states them, the position as a hint) and goes through the normal anchoring code,
//! [`crate::model::reanchor`], exactly as when an article changes: a confident result is
//! placed, anything else is kept with a [`Review`] (moved: a proposal to check; orphaned: not
//! found), and the [`ImportReport`] counts each outcome and says why anything was skipped.
//!
//! ## Labels
//! An imported label is matched to the label set by id, then by name (case-insensitive); an
//! unknown label name becomes a new label with a fresh colour (listed in
//! [`ImportReport::added_labels`]). An annotation that names no label at all gets the label
//! "Unlabelled" (id `unlabelled`), added the same way, rather than passing for a claim.

pub mod brat;
pub mod hypothesis;
pub mod w3c;

use std::fmt;

use crate::model::{
    Anchor, AnnotationId, Article, ContentHash, Label, LabelId, LabelSet, Placement, Review,
    ReviewStatus, Rgb, Status, TextPosition, TextQuote, Thresholds, reanchor,
};

/// What went wrong with a whole file, or with one annotation of it (then it is reported as
/// skipped in the [`ImportReport`] and the others are imported). Annotations are numbered from
/// 1 in file order; brat lines from 1.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InterchangeError {
    /// Not JSON at all, or JSON nested deeper than the parser's limit of 128 levels.
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error(
        "not Web Annotation JSON: expected an Annotation, an array of them, an AnnotationPage \
         or an AnnotationCollection, found {found}"
    )]
    NotW3c { found: String },
    #[error(
        "not a Hypothesis export: expected an object with \"annotations\" (the client's \
         export file), an API search result with \"rows\", or an array of annotations, found \
         {found}"
    )]
    NotHypothesis { found: String },
    #[error("not a brat .ann file: none of its {lines} non-empty lines is a brat annotation")]
    NotBrat { lines: usize },
    #[error("annotation {index}: expected a JSON object, found {found}")]
    NotAnObject { index: usize, found: String },
    #[error("annotation {index}: it is only a reference ({iri}), not an embedded annotation")]
    OnlyReference { index: usize, iri: String },
    #[error("annotation {index}: no target")]
    NoTarget { index: usize },
    #[error(
        "annotation {index}: the target {iri} has no selector, so it names a whole resource, \
         not a passage of the article"
    )]
    TargetWithoutSelector { index: usize, iri: String },
    #[error("annotation {index}: no TextQuoteSelector or TextPositionSelector")]
    NoSelector { index: usize },
    #[error(
        "annotation {index}: its only TextPositionSelector refines a {outer}, so its offsets \
         count from a part of the document Claimlens cannot locate, and there is no \
         TextQuoteSelector to search for"
    )]
    RelativePosition { index: usize, outer: String },
    #[error("annotation {index}: {selector}: {problem}")]
    BadSelector {
        index: usize,
        selector: &'static str,
        problem: String,
    },
    #[error(
        "annotation {index}: positions {start}..{end} lie outside the article \
         ({len} code points) and there is no quote to search for"
    )]
    PositionOutOfRange {
        index: usize,
        start: usize,
        end: usize,
        len: usize,
    },
    #[error("annotation {index} ({id}): a page note (no selector): it annotates the whole page")]
    PageNote { index: usize, id: String },
    #[error("annotation {index} ({id}): a reply to {parent}, not an annotation of the text")]
    Reply {
        index: usize,
        id: String,
        parent: String,
    },
    #[error("annotation {index}: links {iri}, which is not an annotation of this file")]
    UnresolvedLink { index: usize, iri: String },
    #[error("line {line}: {reason}")]
    BratLine { line: usize, reason: String },
}

/// What happened to one annotation of an imported file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Anchored confidently; in the set with no review.
    Placed(AnnotationId),
    /// Found, but not confidently: in the set with a `Moved` review and a proposal.
    ToReview(AnnotationId),
    /// Not found in the article: in the set with an `Orphaned` review, its quote kept.
    NotFound(AnnotationId),
    /// Imported as a relation between two annotations.
    Relation,
    /// Not imported, and why.
    Skipped(InterchangeError),
}

/// One annotation (or brat line) of the file and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedItem {
    /// 1-based position in the file (annotation number; line number for brat).
    pub index: usize,
    /// The id the file gave it, if any (`urn:uuid:…`, a Hypothesis id, `T3`).
    pub source_id: Option<String>,
    /// Where the file's own position pointed, converted to code points of the article (for
    /// Hypothesis: from UTF-16 units). Only a hint: the quote decides.
    pub position_hint: Option<TextPosition>,
    pub outcome: Outcome,
}

/// What an import did: one entry per annotation of the file, the labels it had to add and
/// anything worth telling the analyst that is not about one annotation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub items: Vec<ImportedItem>,
    /// Labels added to the set because the file used names the label set did not have.
    pub added_labels: Vec<LabelId>,
    pub warnings: Vec<String>,
}

impl ImportReport {
    pub fn placed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Placed(_)))
    }

    pub fn to_review(&self) -> usize {
        self.count(|o| matches!(o, Outcome::ToReview(_)))
    }

    pub fn not_found(&self) -> usize {
        self.count(|o| matches!(o, Outcome::NotFound(_)))
    }

    pub fn relations(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Relation))
    }

    /// The reasons annotations were skipped, in file order.
    pub fn skipped(&self) -> Vec<&InterchangeError> {
        self.items
            .iter()
            .filter_map(|item| match &item.outcome {
                Outcome::Skipped(reason) => Some(reason),
                _ => None,
            })
            .collect()
    }

    fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.items.iter().filter(|i| f(&i.outcome)).count()
    }

    /// The item whose outcome names `id`.
    pub fn item_for(&self, id: AnnotationId) -> Option<&ImportedItem> {
        self.items.iter().find(|i| {
            matches!(&i.outcome,
                Outcome::Placed(x) | Outcome::ToReview(x) | Outcome::NotFound(x) if *x == id)
        })
    }
}

impl fmt::Display for ImportReport {
    /// `"3 placed, 1 to review, 0 not found, 2 skipped"`, then one line per skip and warning.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} placed, {} to review, {} not found, {} skipped",
            self.placed(),
            self.to_review(),
            self.not_found(),
            self.skipped().len()
        )?;
        if self.relations() > 0 {
            write!(f, ", {} relations", self.relations())?;
        }
        for reason in self.skipped() {
            write!(f, "\nskipped: {reason}")?;
        }
        for warning in &self.warnings {
            write!(f, "\nnote: {warning}")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Anchoring imported selectors

/// Where an imported anchor's position comes from, which decides how it is anchored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HintKind {
    /// The file says its positions count in this very text (same content hash): if the
    /// position holds the quote, it is placed as it is.
    SameText,
    /// Positions of another text (the tool's own page text, an older version): a hint.
    OtherText,
    /// No position in the file; the hint was found by searching the quote in the article.
    Searched,
}

/// An anchor read from a file, waiting to be anchored in the article.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    pub anchor: Anchor,
    pub kind: HintKind,
    /// False when the file gave only a position: nothing to check it against.
    pub has_quote: bool,
}

/// The result of anchoring one [`Pending`]: the anchor to store, and the review it needs.
#[derive(Clone, Debug)]
pub(crate) struct Anchored {
    pub anchor: Anchor,
    pub review: Option<Review>,
}

/// Never equal to an article's hash ("sha256:…"), so `reanchor` runs its full analysis.
fn foreign_hash() -> ContentHash {
    ContentHash("imported".to_owned())
}

/// Anchors every pending anchor in `article` with the normal anchoring code.
///
/// Anchors whose file declared this very text and whose position holds their quote are
/// anchored as unchanged; the others run through [`reanchor`] in batches that share a
/// coordinate system (positions of the file's text, positions found in ours). A position with
/// no quote cannot be checked: it is proposed for review at that position.
pub(crate) fn anchor_all(pending: &[Pending], article: &Article) -> Vec<Anchored> {
    let mut results: Vec<Option<Anchored>> = vec![None; pending.len()];
    let mut same = Vec::new();
    let mut other = Vec::new();
    let mut searched = Vec::new();
    for (i, p) in pending.iter().enumerate() {
        if !p.has_quote {
            results[i] = Some(match p.kind {
                // The file says its positions count in this very text: nothing to doubt.
                HintKind::SameText => Anchored {
                    anchor: Anchor::at_position(article, p.anchor.position),
                    review: None,
                },
                _ => position_only(&p.anchor, article),
            });
            continue;
        }
        match p.kind {
            HintKind::SameText if p.anchor.check(article) == crate::model::AnchorCheck::Matches => {
                same.push(i);
            }
            HintKind::SameText | HintKind::OtherText => other.push(i),
            HintKind::Searched => searched.push(i),
        }
    }
    let thresholds = Thresholds::default();
    for (batch, hash) in [
        (same, article.hash.clone()),
        (other, foreign_hash()),
        (searched, foreign_hash()),
    ] {
        if batch.is_empty() {
            continue;
        }
        let anchors: Vec<&Anchor> = batch.iter().map(|&i| &pending[i].anchor).collect();
        let placements = reanchor(&anchors, &hash, article, &thresholds, &mut |_, _| {});
        for (&i, placement) in batch.iter().zip(placements) {
            results[i] = Some(from_placement(&pending[i].anchor, placement, article));
        }
    }
    results
        .into_iter()
        .zip(pending)
        .map(|(r, p)| r.unwrap_or_else(|| orphan(&p.anchor)))
        .collect()
}

fn from_placement(old: &Anchor, placement: Placement, article: &Article) -> Anchored {
    match (placement.status, placement.proposal) {
        (Status::Anchored, Some(found)) => Anchored {
            anchor: Anchor::at_position(article, found.position),
            review: None,
        },
        (Status::Moved, Some(found)) => Anchored {
            anchor: old.clone(),
            review: Some(Review {
                status: ReviewStatus::Moved,
                proposal: Some(found.position),
            }),
        },
        _ => orphan(old),
    }
}

fn orphan(old: &Anchor) -> Anchored {
    Anchored {
        anchor: old.clone(),
        review: Some(Review {
            status: ReviewStatus::Orphaned,
            proposal: None,
        }),
    }
}

/// A bare position: proposed for review where it points (the caller has checked the range).
fn position_only(anchor: &Anchor, article: &Article) -> Anchored {
    let here = Anchor::at_position(article, anchor.position);
    Anchored {
        anchor: here.clone(),
        review: Some(Review {
            status: ReviewStatus::Moved,
            proposal: Some(here.position),
        }),
    }
}

/// Where in `article` the quote most plausibly starts: among the exact occurrences of
/// `quote.exact`, the one whose surroundings share the longest stretch with the stated prefix
/// and suffix (the first on a tie). `None` if the quote does not occur. Used as the position
/// hint of a quote that came without one.
pub(crate) fn search_hint(article: &Article, quote: &TextQuote) -> Option<usize> {
    if quote.exact.is_empty() {
        return None;
    }
    let text = &article.text;
    let prefix: Vec<char> = quote.prefix.chars().rev().collect();
    let suffix: Vec<char> = quote.suffix.chars().collect();
    let exact_len = quote.exact.len();
    let mut best: Option<(usize, usize)> = None;
    let mut char_pos = 0;
    let mut byte_pos = 0;
    for (byte, _) in text.match_indices(quote.exact.as_str()) {
        char_pos += text[byte_pos..byte].chars().count();
        byte_pos = byte;
        let before = text[..byte].chars().rev();
        let after = text[byte + exact_len..].chars();
        let score = common_len(before, &prefix) + common_len(after, &suffix);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, char_pos));
        }
    }
    best.map(|(_, start)| start)
}

fn common_len(chars: impl Iterator<Item = char>, other: &[char]) -> usize {
    chars.zip(other).take_while(|(a, b)| a == *b).count()
}

// ---------------------------------------------------------------------------------------------
// Labels

/// Colours for labels an import adds: the Okabe–Ito palette (distinguishable with the common
/// colour-vision deficiencies) less the defaults' hues, then a few more.
const FRESH_COLOURS: [[u8; 3]; 10] = [
    [0x00, 0x9e, 0x73],
    [0xcc, 0x79, 0xa7],
    [0x56, 0xb4, 0xe9],
    [0xd5, 0x5e, 0x00],
    [0xf0, 0xe4, 0x42],
    [0x00, 0x72, 0xb2],
    [0x99, 0x99, 0x99],
    [0x8c, 0x56, 0x4b],
    [0x17, 0xbe, 0xcf],
    [0xbc, 0xbd, 0x22],
];

/// The id and name of the label given to annotations that name none.
pub(crate) const UNLABELLED_ID: &str = "unlabelled";
const UNLABELLED_NAME: &str = "Unlabelled";

/// The label set of an import in progress: matches names to labels, adds what is missing.
pub(crate) struct LabelResolver {
    pub labels: LabelSet,
    pub added: Vec<LabelId>,
}

impl LabelResolver {
    pub fn new(labels: &LabelSet) -> Self {
        Self {
            labels: labels.clone(),
            added: Vec::new(),
        }
    }

    /// The label with id `id`, if the set has it.
    pub fn by_id(&self, id: &str) -> Option<LabelId> {
        self.labels
            .labels
            .iter()
            .find(|l| l.id.0 == id)
            .map(|l| l.id.clone())
    }

    /// The label whose name or id is `name`, ignoring case.
    pub fn by_name(&self, name: &str) -> Option<LabelId> {
        let name = name.trim();
        let find = |f: &dyn Fn(&Label) -> bool| self.labels.labels.iter().find(|l| f(l));
        find(&|l| l.name == name)
            .or_else(|| find(&|l| l.name.to_lowercase() == name.to_lowercase()))
            .or_else(|| find(&|l| l.id.0.to_lowercase() == name.to_lowercase()))
            .map(|l| l.id.clone())
    }

    /// The label named `name`, added (with `id` if free, and `colour` if given) if missing.
    pub fn resolve_or_add(&mut self, name: &str, id: Option<&str>, colour: Option<Rgb>) -> LabelId {
        if let Some(id) = id.and_then(|id| self.by_id(id)) {
            return id;
        }
        if let Some(found) = self.by_name(name) {
            return found;
        }
        self.add(name, id, colour)
    }

    /// The "Unlabelled" label, added if missing.
    pub fn unlabelled(&mut self) -> LabelId {
        self.by_id(UNLABELLED_ID)
            .unwrap_or_else(|| self.add(UNLABELLED_NAME, Some(UNLABELLED_ID), None))
    }

    fn add(&mut self, name: &str, id: Option<&str>, colour: Option<Rgb>) -> LabelId {
        let name = name.trim();
        let name = if name.is_empty() { "Label" } else { name };
        let base = match id.map(str::trim).filter(|id| !id.is_empty()) {
            Some(id) => id.to_owned(),
            None => crate::model::slug(name, "label"),
        };
        let candidate = crate::model::unique_id(&base, |c| self.by_id(c).is_some());
        let used: Vec<Rgb> = self.labels.labels.iter().map(|l| l.colour).collect();
        let colour = colour.unwrap_or_else(|| {
            FRESH_COLOURS
                .iter()
                .map(|&c| Rgb(c))
                .find(|c| !used.contains(c))
                .unwrap_or(Rgb(
                    FRESH_COLOURS[self.labels.labels.len() % FRESH_COLOURS.len()]
                ))
        });
        let key = self.labels.free_key();
        let id = LabelId(candidate);
        self.labels.labels.push(Label {
            id: id.clone(),
            name: name.to_owned(),
            colour,
            key,
            attributes: Vec::new(),
        });
        self.added.push(id.clone());
        id
    }
}

/// A label's display name for export (the raw id for a label the set does not define).
pub(crate) fn label_name(labels: &LabelSet, id: &LabelId) -> String {
    labels.name_of(id).to_owned()
}

// ---------------------------------------------------------------------------------------------
// Ids and times

/// A stable UUID (version 8, "custom") made from the SHA-256 of `parts`: the same input gives
/// the same id, so an export or re-import of the same thing names it the same way.
pub(crate) fn stable_uuid(parts: &[&str]) -> uuid::Uuid {
    use sha2::{Digest as _, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The annotation id for a file's id: `urn:uuid:…` (or a bare UUID) as it is, anything else
/// hashed into a stable UUID under `namespace`.
pub(crate) fn id_from(namespace: &str, file_id: &str) -> AnnotationId {
    let bare = file_id
        .strip_prefix("urn:uuid:")
        .or_else(|| file_id.strip_prefix("URN:UUID:"))
        .unwrap_or(file_id);
    match uuid::Uuid::parse_str(bare) {
        Ok(uuid) => AnnotationId(uuid),
        Err(_) => AnnotationId(stable_uuid(&[namespace, file_id])),
    }
}

/// Parses an RFC 3339 time (`2015-10-13T13:00:00Z`, `…+02:00`, fractions allowed).
pub(crate) fn parse_time(s: &str) -> Option<jiff::Timestamp> {
    s.trim().parse::<jiff::Timestamp>().ok()
}

// ---------------------------------------------------------------------------------------------
// JSON helpers

/// A short description of a JSON value for messages: `an array`, `a string "http://…"`.
pub(crate) fn describe(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("a string {:?}", truncate(s, 60)),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(o) => match o.get("type") {
            Some(t) => format!("an object of type {}", truncate(&t.to_string(), 60)),
            None => {
                let keys: Vec<&str> = o.keys().take(5).map(String::as_str).collect();
                format!("an object with keys {keys:?}")
            }
        },
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

/// Parses JSON, turning serde's error (with line and column; "recursion limit exceeded" for
/// input nested deeper than 128 levels) into [`InterchangeError::Json`].
///
/// A leading byte-order mark is ignored. A `\uD83D`-style escape of half a surrogate pair is replaced by U+FFFD first: JavaScript
/// tools write them when they cut a context string inside an emoji (Hypothesis' 32-unit
/// prefixes do), and one such string would otherwise make the whole file unreadable.
pub(crate) fn parse_json(json: &str) -> Result<serde_json::Value, InterchangeError> {
    let json = json.strip_prefix('\u{feff}').unwrap_or(json);
    let json = replace_lone_surrogates(json);
    serde_json::from_str(&json).map_err(|e| InterchangeError::Json(e.to_string()))
}

/// `json` with every unpaired surrogate escape (`\uD800`–`\uDFFF` not forming a pair)
/// replaced by `\uFFFD`. Works on the raw text: a backslash only occurs in JSON as the start
/// of an escape inside a string, and each escape is stepped over whole.
fn replace_lone_surrogates(json: &str) -> std::borrow::Cow<'_, str> {
    let bytes = json.as_bytes();
    let hex4 = |at: usize| -> Option<u32> {
        let digits = json.get(at..at + 4)?;
        u32::from_str_radix(digits, 16).ok()
    };
    let is_high = |c: u32| (0xD800..0xDC00).contains(&c);
    let is_low = |c: u32| (0xDC00..0xE000).contains(&c);
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        if bytes.get(i + 1) != Some(&b'u') {
            i += 2;
            continue;
        }
        let Some(unit) = hex4(i + 2) else {
            i += 2;
            continue;
        };
        let paired = is_high(unit)
            && bytes.get(i + 6) == Some(&b'\\')
            && bytes.get(i + 7) == Some(&b'u')
            && hex4(i + 8).is_some_and(is_low);
        if paired {
            i += 12;
        } else if is_high(unit) || is_low(unit) {
            out.push_str(&json[copied..i]);
            out.push_str("\\uFFFD");
            i += 6;
            copied = i;
        } else {
            i += 6;
        }
    }
    if copied == 0 {
        std::borrow::Cow::Borrowed(json)
    } else {
        out.push_str(&json[copied..]);
        std::borrow::Cow::Owned(out)
    }
}

/// Key order of the JSON Claimlens writes: the order of the W3C specification's examples
/// (`@context`, `id`, `type` first), then any other key alphabetically.
const KEY_ORDER: [&str; 31] = [
    "@context",
    "id",
    "type",
    "label",
    "total",
    "claimlens:article",
    "motivation",
    "created",
    "modified",
    "creator",
    "name",
    "purpose",
    "format",
    "value",
    "claimlens:label",
    "claimlens:colour",
    "source",
    "claimlens:status",
    "claimlens:proposal",
    "claimlens:contentHash",
    "selector",
    "exact",
    "prefix",
    "suffix",
    "start",
    "end",
    "startIndex",
    "body",
    "target",
    "items",
    "first",
];

/// Pretty JSON (two-space indent, final newline) with keys in [`KEY_ORDER`]: the same bytes
/// whatever serde_json's map type, so golden files stay stable.
pub(crate) fn to_pretty_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, 0);
    out.push('\n');
    out
}

fn write_value(out: &mut String, value: &serde_json::Value, depth: usize) {
    use serde_json::Value;
    let indent = |out: &mut String, depth: usize| {
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                indent(out, depth + 1);
                write_value(out, item, depth + 1);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            indent(out, depth);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            let rank = |k: &str| KEY_ORDER.iter().position(|o| *o == k).unwrap_or(usize::MAX);
            keys.sort_by(|a, b| (rank(a), a.as_str()).cmp(&(rank(b), b.as_str())));
            out.push_str("{\n");
            for (i, key) in keys.iter().enumerate() {
                indent(out, depth + 1);
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push_str(": ");
                write_value(out, &map[key.as_str()], depth + 1);
                out.push_str(if i + 1 < keys.len() { ",\n" } else { "\n" });
            }
            indent(out, depth);
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(text: &str) -> Article {
        Article::from_plain_text(text, "t")
    }

    #[test]
    fn search_hint_prefers_the_occurrence_with_matching_context() {
        let a = article("the cat sat. the dog sat. the cat ran.");
        let quote = |prefix: &str, suffix: &str| TextQuote {
            exact: "the cat".into(),
            prefix: prefix.into(),
            suffix: suffix.into(),
        };
        assert_eq!(search_hint(&a, &quote("", "")), Some(0));
        assert_eq!(search_hint(&a, &quote("dog sat. ", " ran")), Some(26));
        assert_eq!(search_hint(&a, &quote("", " sat")), Some(0));
        let missing = TextQuote {
            exact: "the bird".into(),
            prefix: String::new(),
            suffix: String::new(),
        };
        assert_eq!(search_hint(&a, &missing), None);
    }

    #[test]
    fn search_hint_counts_code_points() {
        let a = article("é🙂 x é🙂 y");
        let quote = TextQuote {
            exact: "é🙂".into(),
            prefix: String::new(),
            suffix: " y".into(),
        };
        assert_eq!(search_hint(&a, &quote), Some(5));
    }

    #[test]
    fn labels_are_matched_by_id_then_name_and_added_once() {
        let mut r = LabelResolver::new(&LabelSet::default());
        assert_eq!(r.resolve_or_add("whatever", Some("claim"), None).0, "claim");
        assert_eq!(r.resolve_or_add("DENIAL", None, None).0, "denial");
        let hot = r.resolve_or_add("Hot take!", None, None);
        assert_eq!(hot.0, "hot-take");
        assert_eq!(r.resolve_or_add("hot take!", None, None), hot);
        let added = r.labels.get(&hot).unwrap();
        assert_eq!(added.key, Some(4));
        assert!(
            !LabelSet::default()
                .labels
                .iter()
                .any(|l| l.colour == added.colour)
        );
        // Same slug, different name: a second label with a distinct id.
        let other = r.resolve_or_add("Hot  Take?", None, None);
        assert_eq!(other.0, "hot-take-2");
        assert_eq!(r.unlabelled().0, "unlabelled");
        assert_eq!(r.unlabelled().0, "unlabelled");
        assert_eq!(r.added.len(), 3);
    }

    #[test]
    fn slugs() {
        let slug = |name| crate::model::slug(name, "label");
        assert_eq!(slug("Hot take!"), "hot-take");
        assert_eq!(slug("  "), "label");
        assert_eq!(slug("Ünïcode Ωmega"), "ünïcode-ωmega");
    }

    #[test]
    fn ids_from_files() {
        let id = AnnotationId::from_u128(7);
        assert_eq!(id_from("x", &format!("urn:uuid:{id}")), id);
        assert_eq!(id_from("x", &id.to_string()), id);
        let a = id_from("w3c", "http://example.org/anno1");
        assert_eq!(a, id_from("w3c", "http://example.org/anno1"));
        assert_ne!(a, id_from("hypothesis", "http://example.org/anno1"));
        assert_eq!(a.0.get_version_num(), 8);
    }

    #[test]
    fn lone_surrogate_escapes_become_replacement_characters() {
        let cases = [
            (r#""\ud83d\ude42 ok""#, "🙂 ok"),
            (r#""\udea2 Dredging""#, "\u{fffd} Dredging"),
            (r#""cut \ud83d""#, "cut \u{fffd}"),
            (r#""\ud83d\u0041""#, "\u{fffd}A"),
            (r#""\\ud83d literal""#, "\\ud83d literal"),
            (r#""\\\ud83d""#, "\\\u{fffd}"),
            (r#""é\"\udc00""#, "é\"\u{fffd}"),
        ];
        for (json, expected) in cases {
            let value = parse_json(json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(value.as_str(), Some(expected), "{json}");
        }
        assert!(matches!(
            replace_lone_surrogates(r#"{"a": "\ud83d\ude42"}"#),
            std::borrow::Cow::Borrowed(_)
        ));
        // Truncated escapes are left for the parser to reject.
        assert!(parse_json(r#""\ud8"#).is_err());
    }

    #[test]
    fn pretty_json_orders_keys_and_escapes() {
        let v = serde_json::json!({"zeta": [], "type": "T", "id": "x", "@context": "c",
            "value": "a\"b\n<script>", "obj": {}});
        assert_eq!(
            to_pretty_json(&v),
            "{\n  \"@context\": \"c\",\n  \"id\": \"x\",\n  \"type\": \"T\",\n  \"value\": \
             \"a\\\"b\\n<script>\",\n  \"obj\": {},\n  \"zeta\": []\n}\n"
        );
        let back: serde_json::Value = serde_json::from_str(&to_pretty_json(&v)).unwrap();
        assert_eq!(back, v);
    }
}
