//! Import of Hypothesis annotations: the client's "Export annotations" JSON file, an API
//! search result, or a bare array of API annotation objects.
//!
//! The export file is `{"export_date", "export_userid", "client_version", "annotations": [...]}`;
//! each annotation has `id`, `created`, `updated`, `user`, `text` (the note, Markdown),
//! `tags`, and `target: [{"source", "selector": [RangeSelector, TextPositionSelector,
//! TextQuoteSelector]}]` (W3C-shaped selectors, read by the same code as [`super::w3c`]).
//!
//! * **Positions**: Hypothesis counts **UTF-16 code units** of its page's text (JavaScript
//!   string indices), where Claimlens counts code points. The offsets are converted as if
//!   Hypothesis' page text were the article's: `"🙂 hi"` has `hi` at UTF-16 3..5, code points
//!   2..4. Their page text is not ours (other white space, navigation text…), so the converted
//!   position is only a hint: the quote and its context decide, through the normal anchoring
//!   code, and an unsure match goes to review.
//! * **Tags**: a tag that names a label of the set (by name or id, ignoring case: "claim",
//!   "Source", "DENIAL") becomes the annotation's label (the first such tag); the other tags
//!   are kept at the end of the note as `Tags: a, b`. Tags never create labels (they are
//!   free-form); an annotation without a label tag gets the label "Unlabelled".
//! * **Skipped**: page notes (a target with no selector) and replies (`references`), each
//!   reported with its id.
//! * **Analyst**: the users' display name (or the `acct:` user name) when all agree.

use serde_json::Value;

use super::w3c::{Parsed, ParsedAnnotation, Tag, build_set, pending_from, read_target};
use super::{ImportReport, InterchangeError, describe, parse_json, parse_time};
use crate::model::{AnnotationSet, Article, LabelSet};

/// Imports Hypothesis JSON (see the module docs) into a new set for `article`.
///
/// Errors only when the text is not JSON or holds no list of annotations; an annotation that
/// cannot be used (page note, reply, broken selector) is skipped with its reason.
pub fn from_hypothesis(
    json: &str,
    article: &Article,
    labels: &LabelSet,
) -> Result<(AnnotationSet, ImportReport), InterchangeError> {
    let value = parse_json(json)?;
    let items: Vec<&Value> = match &value {
        Value::Array(list) => list.iter().collect(),
        Value::Object(obj) => match (obj.get("annotations"), obj.get("rows")) {
            (Some(Value::Array(list)), _) | (None, Some(Value::Array(list))) => {
                list.iter().collect()
            }
            _ if obj.contains_key("target") => vec![&value],
            _ => {
                return Err(InterchangeError::NotHypothesis {
                    found: describe(&value),
                });
            }
        },
        other => {
            return Err(InterchangeError::NotHypothesis {
                found: describe(other),
            });
        }
    };
    let units = Utf16Map::new(&article.text);
    let parsed = items
        .iter()
        .enumerate()
        .map(|(i, item)| (i + 1, parse_item(i + 1, item, article, &units)))
        .collect();
    Ok(build_set(
        parsed,
        article,
        labels,
        "hypothesis",
        ImportReport::default(),
    ))
}

fn parse_item(
    index: usize,
    item: &Value,
    article: &Article,
    units: &Utf16Map,
) -> Result<Parsed, InterchangeError> {
    let Value::Object(obj) = item else {
        return Err(InterchangeError::NotAnObject {
            index,
            found: describe(item),
        });
    };
    let id = obj
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("no id")
        .to_owned();
    if let Some(Value::Array(refs)) = obj.get("references")
        && let Some(parent) = refs.last()
    {
        return Err(InterchangeError::Reply {
            index,
            id,
            parent: parent.as_str().unwrap_or("?").to_owned(),
        });
    }
    let target = obj
        .get("target")
        .ok_or(InterchangeError::NoTarget { index })?;
    let targets: Vec<&Value> = match target {
        Value::Array(list) => list.iter().collect(),
        one => vec![one],
    };
    if !targets.iter().any(|t| t.get("selector").is_some()) {
        return Err(InterchangeError::PageNote { index, id });
    }
    let selection = read_target(index, target)?;
    let (pending, hint) = pending_from(
        index,
        &selection,
        article,
        false,
        &|u| units.to_chars(u, false),
        &|u| units.to_chars(u, true),
    )?;
    let tags = match obj.get("tags") {
        Some(Value::Array(tags)) => tags
            .iter()
            .filter_map(Value::as_str)
            .map(|t| Tag {
                value: t.to_owned(),
                ..Tag::default()
            })
            .collect(),
        _ => Vec::new(),
    };
    let notes = match obj.get("text").and_then(Value::as_str) {
        Some(text) if !text.trim().is_empty() => vec![text.to_owned()],
        _ => Vec::new(),
    };
    let time = |key: &str| obj.get(key).and_then(Value::as_str).and_then(parse_time);
    Ok(Parsed::Annotation(Box::new(ParsedAnnotation {
        file_id: obj.get("id").and_then(Value::as_str).map(str::to_owned),
        created: time("created"),
        modified: time("updated"),
        creator: user_name(obj),
        tags,
        free_tags: true,
        notes,
        pending,
        hint,
        restored: None,
    })))
}

/// The display name, else the user of `acct:user@authority`, else the raw `user`.
fn user_name(obj: &serde_json::Map<String, Value>) -> Option<String> {
    let display = obj
        .get("user_info")
        .and_then(|u| u.get("display_name"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if let Some(name) = display {
        return Some(name.to_owned());
    }
    let user = obj.get("user").and_then(Value::as_str)?.trim();
    let bare = user.strip_prefix("acct:").unwrap_or(user);
    let name = bare.split('@').next().unwrap_or(bare);
    (!name.is_empty()).then(|| name.to_owned())
}

/// Converts UTF-16 offsets into a text to code point offsets.
///
/// Only characters outside the Basic Multilingual Plane (emoji, rare CJK) take two UTF-16
/// units, so the map keeps just where those start. Example: in `"a🙂b"`, `b` is UTF-16 unit 3
/// and code point 2; UTF-16 offset 2 falls inside the emoji's surrogate pair.
pub struct Utf16Map {
    /// UTF-16 offset at which each astral character starts, in text order.
    astral: Vec<usize>,
}

impl Utf16Map {
    pub fn new(text: &str) -> Self {
        let mut astral = Vec::new();
        let mut units = 0;
        for c in text.chars() {
            if c.len_utf16() == 2 {
                astral.push(units);
            }
            units += c.len_utf16();
        }
        Self { astral }
    }

    /// The code point offset of UTF-16 offset `units`. An offset inside a surrogate pair
    /// rounds down to the pair's character (`round_up == false`, for a start) or up past it
    /// (for an end), so the range keeps the whole character. Offsets past the end of the text
    /// count one code point per unit beyond it.
    pub fn to_chars(&self, units: usize, round_up: bool) -> usize {
        // Astral characters that end at or before `units`.
        let before = self.astral.partition_point(|&s| s + 2 <= units);
        let inside = self.astral.get(before).is_some_and(|&s| s < units);
        if inside {
            let char_start = self.astral[before] - before;
            if round_up { char_start + 1 } else { char_start }
        } else {
            units - before
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_offsets_become_code_points() {
        let text = "a🙂b😀😀c";
        let map = Utf16Map::new(text);
        // a=0, 🙂=1..3, b=3, 😀=4..6, 😀=6..8, c=8 (UTF-16); code points a0 🙂1 b2 😀3 😀4 c5.
        let expected = [
            (0, 0),
            (1, 1),
            (3, 2),
            (4, 3),
            (6, 4),
            (8, 5),
            (9, 6),
            (12, 9),
        ];
        for (u, c) in expected {
            assert_eq!(map.to_chars(u, false), c, "unit {u}");
            assert_eq!(map.to_chars(u, true), c, "unit {u}");
        }
        // Inside a surrogate pair.
        assert_eq!(map.to_chars(2, false), 1);
        assert_eq!(map.to_chars(2, true), 2);
        assert_eq!(map.to_chars(7, false), 4);
        assert_eq!(map.to_chars(7, true), 5);
        // Agrees with a plain recount on every boundary.
        let mut units = 0;
        for (i, c) in text.chars().enumerate() {
            assert_eq!(map.to_chars(units, false), i);
            units += c.len_utf16();
        }
    }

    #[test]
    fn bmp_only_text_is_the_identity() {
        let map = Utf16Map::new("héllo “world” 世界");
        for u in 0..20 {
            assert_eq!(map.to_chars(u, false), u);
        }
    }

    #[test]
    fn user_names() {
        let obj = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(
            user_name(&obj(serde_json::json!({"user": "acct:ana@hypothes.is"}))),
            Some("ana".into())
        );
        assert_eq!(
            user_name(&obj(serde_json::json!({"user": "acct:ana@hypothes.is",
                "user_info": {"display_name": "Ana Lyst"}}))),
            Some("Ana Lyst".into())
        );
        assert_eq!(user_name(&obj(serde_json::json!({}))), None);
    }
}
