//! Re-anchoring: finding each annotation again in a changed version of its article.
//!
//! Every annotation keeps its old [`TextPosition`](super::TextPosition) and its
//! [`TextQuote`](super::TextQuote) (exact text plus 32 code points of context each side). For a
//! new text, [`reanchor`] decides per anchor:
//!
//! 1. **Unchanged**: the text hash is the same — the stored position is used as it is.
//! 2. **Exact candidates**: every place the exact quote occurs in the new text (one Aho-Corasick
//!    pass for all quotes together), including the stored position. Each is scored by how well
//!    the text around it matches the stored prefix and suffix, and by its distance from where
//!    the annotation is expected to be now.
//! 3. **Where it should be**: annotations found confidently in step 2 are fixed points of an
//!    alignment between old and new offsets; other annotations are expected at the
//!    interpolated position (so an insertion earlier in the text shifts the expectation).
//! 4. **Approximate candidates**, only for anchors step 2 could not place: a bounded
//!    edit-distance search (Sellers' algorithm) in a window around the expected position and
//!    around places where its prefix or suffix context occurs — never over the whole text.
//!
//! Each result is [`Status::Anchored`] (confident: placed silently), [`Status::Moved`] (a
//! proposal the analyst must review) or [`Status::Orphaned`] (nothing credible found).
//!
//! ## Confidence rules (see [`Thresholds`])
//! Scores are similarities in 0..=1 (1 − edit distance / length). `context` is the mean of the
//! prefix and suffix similarities, each measured on the context the old anchor stored.
//! * An exact quote is **anchored** when its context matches (`context ≥ 0.8`), or when it is the
//!   only occurrence in the text, at least 12 code points long, and one side of the context
//!   still matches (`≥ 0.6`), or when it is the only occurrence and at least 40 code points
//!   long; and no other candidate scores within 0.1 of it. A short quote (a name, "said") that
//!   occurs elsewhere is therefore never accepted on the quote alone.
//! * An approximate match is **anchored** only when the quote is at least 16 code points long,
//!   at least 90 % similar, and its context matches (`≥ 0.7`).
//! * Anything else that is at least 60 % similar with some context (`≥ 0.3`), or long (≥ 20)
//!   is **moved – review**; the rest is **orphaned**.
//!
//! The property tests in `tests/reanchor_props.rs` check that edits outside an annotation never
//! misplace it and that edits inside it are never accepted below these thresholds.

use std::collections::HashMap;
use std::ops::Range;

use aho_corasick::AhoCorasick;

use super::anchor::{Anchor, CONTEXT_CHARS, TextPosition};
use super::article::Article;

/// Why an anchor was placed where it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The article text did not change.
    Unchanged,
    /// The exact quote was found.
    Exact,
    /// A close but not identical text was found.
    Approximate,
    /// Nothing was found.
    None,
}

/// How confident the placement is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Confident: the annotation is placed without asking.
    Anchored,
    /// Found, but not confidently: the analyst reviews the proposal.
    Moved,
    /// Not found: kept until the analyst decides.
    Orphaned,
}

/// The result for one anchor.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    pub status: Status,
    pub method: Method,
    /// The anchor in the new text (position, and quote/context re-read from the new text);
    /// `None` when orphaned.
    pub proposal: Option<Anchor>,
    /// Similarity of the proposed text to the old quote, 0..=1.
    pub quote_similarity: f32,
    /// Similarity of the context around the proposal to the old context, 0..=1.
    pub context_similarity: f32,
}

impl Placement {
    fn orphaned() -> Self {
        Self {
            status: Status::Orphaned,
            method: Method::None,
            proposal: None,
            quote_similarity: 0.0,
            context_similarity: 0.0,
        }
    }
}

/// The confidence rules, documented in the module docs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    pub exact_context: f32,
    pub exact_unique_min_len: usize,
    pub exact_unique_one_side: f32,
    pub exact_unique_long_len: usize,
    pub ambiguity_margin: f32,
    pub approx_min_len: usize,
    pub approx_quote: f32,
    pub approx_context: f32,
    pub review_quote: f32,
    pub review_context: f32,
    pub review_long_len: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            exact_context: 0.8,
            exact_unique_min_len: 12,
            exact_unique_one_side: 0.6,
            exact_unique_long_len: 40,
            ambiguity_margin: 0.1,
            approx_min_len: 16,
            approx_quote: 0.9,
            approx_context: 0.7,
            review_quote: 0.6,
            review_context: 0.3,
            review_long_len: 20,
        }
    }
}

/// Most exact occurrences scored in full per quote (the nearest to the expected place and the
/// best by a cheap context check are kept).
const MAX_SCORED_CANDIDATES: usize = 24;
/// Context length used to find windows for the approximate search.
const CONTEXT_PROBE: usize = 16;

/// A scored place in the new text.
#[derive(Clone, Debug)]
struct Candidate {
    range: Range<usize>,
    quote_sim: f32,
    prefix_sim: f32,
    suffix_sim: f32,
    /// Distance from the expected start, in code points.
    distance: usize,
}

impl Candidate {
    fn context(&self) -> f32 {
        (self.prefix_sim + self.suffix_sim) / 2.0
    }

    /// One number to rank candidates: quote first, then context, then closeness.
    fn score(&self) -> f32 {
        let closeness = 1.0 / (1.0 + self.distance as f32 / 1000.0);
        0.5 * self.quote_sim + 0.4 * self.context() + 0.1 * closeness
    }
}

/// Re-anchors `anchors` (made against the text with hash `old_hash`) in `new`.
///
/// `progress` is called with (done, total) now and then, for a progress bar.
pub fn reanchor(
    anchors: &[&Anchor],
    old_hash: &super::ContentHash,
    new: &Article,
    thresholds: &Thresholds,
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<Placement> {
    if *old_hash == new.hash {
        return anchors
            .iter()
            .map(|a| Placement {
                status: Status::Anchored,
                method: Method::Unchanged,
                proposal: Some((*a).clone()),
                quote_similarity: 1.0,
                context_similarity: 1.0,
            })
            .collect();
    }
    let text: Vec<char> = new.text.chars().collect();
    let total = anchors.len();
    let exact = exact_occurrences(anchors, new, &text);
    progress(0, total);

    // Pass 1: exact candidates, expecting each anchor at its old position.
    let mut results: Vec<Option<(Placement, bool)>> = vec![None; anchors.len()];
    let mut fixed: Vec<(usize, usize)> = Vec::new();
    for (i, anchor) in anchors.iter().enumerate() {
        let occurrences = exact
            .get(anchor.quote.exact.as_str())
            .map_or(&[][..], Vec::as_slice);
        if let Some((placement, strong)) = place_exact(
            anchor,
            occurrences,
            anchor.position.start,
            &text,
            new,
            thresholds,
        ) {
            if strong {
                fixed.push((anchor.position.start, placement_start(&placement)));
            }
            results[i] = Some((placement, strong));
        }
    }
    fixed.sort_unstable();
    fixed.dedup_by_key(|(old, _)| *old);

    // Pass 2: with the alignment from pass 1, re-score what was not strongly placed, and
    // search approximately near where it should be.
    let mut placements = Vec::with_capacity(anchors.len());
    for (i, anchor) in anchors.iter().enumerate() {
        if i % 256 == 0 {
            progress(i, total);
        }
        if let Some((placement, true)) = &results[i] {
            placements.push(placement.clone());
            continue;
        }
        let expected = map_position(&fixed, anchor.position.start, text.len());
        let occurrences = exact
            .get(anchor.quote.exact.as_str())
            .map_or(&[][..], Vec::as_slice);
        let exact_result = place_exact(anchor, occurrences, expected, &text, new, thresholds);
        if let Some((placement, _)) = &exact_result
            && placement.status == Status::Anchored
        {
            placements.push(placement.clone());
            continue;
        }
        let approx = place_approximate(anchor, expected, &text, new, thresholds);
        let best = match (exact_result.map(|(p, _)| p), approx) {
            (Some(e), Some(a)) => {
                if rank(&a) < rank(&e) {
                    a
                } else {
                    e
                }
            }
            (Some(e), None) => e,
            (None, Some(a)) => a,
            (None, None) => Placement::orphaned(),
        };
        placements.push(best);
    }
    progress(total, total);
    placements
}

/// Orders placements: anchored before moved before orphaned, then by similarity.
fn rank(p: &Placement) -> (Status, i64) {
    (
        p.status,
        -((p.quote_similarity + p.context_similarity) * 1000.0) as i64,
    )
}

fn placement_start(p: &Placement) -> usize {
    p.proposal.as_ref().map_or(0, |a| a.position.start)
}

/// Expected new offset of old offset `old`, interpolated between confidently placed anchors.
fn map_position(fixed: &[(usize, usize)], old: usize, new_len: usize) -> usize {
    let after = fixed.partition_point(|(o, _)| *o <= old);
    let before = after.checked_sub(1).map(|i| fixed[i]);
    let next = fixed.get(after).copied();
    let mapped = match (before, next) {
        (Some((ob, nb)), Some((oa, na))) if oa > ob && na >= nb => {
            let t = (old - ob) as f64 / (oa - ob) as f64;
            nb as f64 + t * (na - nb) as f64
        }
        (Some((ob, nb)), _) => (nb + (old - ob)) as f64,
        (None, Some((oa, na))) => na.saturating_sub(oa - old) as f64,
        (None, None) => old as f64,
    };
    (mapped.round() as usize).min(new_len)
}

/// All occurrences (char offsets) of every distinct quote in the text, in one pass.
fn exact_occurrences<'a>(
    anchors: &[&'a Anchor],
    new: &Article,
    text: &[char],
) -> HashMap<&'a str, Vec<usize>> {
    let mut quotes: Vec<&str> = anchors
        .iter()
        .map(|a| a.quote.exact.as_str())
        .filter(|q| !q.is_empty())
        .collect();
    quotes.sort_unstable();
    quotes.dedup();
    let mut found: HashMap<&str, Vec<usize>> = HashMap::new();
    let Ok(automaton) = AhoCorasick::new(&quotes) else {
        return found;
    };
    // Byte offsets → char offsets, walking the text once alongside the matches.
    let mut byte_to_char = ByteToChar::new(&new.text);
    for m in automaton.find_overlapping_iter(&new.text) {
        let start = byte_to_char.char_at(m.start());
        found
            .entry(quotes[m.pattern().as_usize()])
            .or_default()
            .push(start);
    }
    debug_assert!(found.values().flatten().all(|&s| s <= text.len()));
    for list in found.values_mut() {
        list.sort_unstable();
        list.dedup();
    }
    found
}

/// Converts increasing-or-random byte offsets to char offsets, fast for nearby queries.
struct ByteToChar<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> ByteToChar<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            byte: 0,
            chars: 0,
        }
    }

    fn char_at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

/// Similarity of two char sequences: 1 − Levenshtein distance / longer length (1 if both empty).
fn similarity(a: &[char], b: &[char]) -> f32 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    1.0 - levenshtein(a, b) as f32 / longest as f32
}

/// Edit distance of two char slices (two-row dynamic programme; the slices are short here).
fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let value = (diagonal + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = value;
        }
    }
    row[b.len()]
}

/// How well the text before `start` and after `end` matches the stored context.
fn context_similarity(anchor: &Anchor, text: &[char], range: &Range<usize>) -> (f32, f32) {
    let old_prefix: Vec<char> = anchor.quote.prefix.chars().collect();
    let old_suffix: Vec<char> = anchor.quote.suffix.chars().collect();
    // A context shorter than CONTEXT_CHARS means the quote was at the start or end of the text:
    // compare with the full context the candidate has, so that "nothing after it" only
    // matches a candidate that also has nothing after it.
    let prefix_len = old_prefix.len().max(CONTEXT_CHARS);
    let suffix_len = old_suffix.len().max(CONTEXT_CHARS);
    let new_prefix = &text[range.start.saturating_sub(prefix_len)..range.start];
    let suffix_end = (range.end + suffix_len).min(text.len());
    let new_suffix = &text[range.end.min(text.len())..suffix_end];
    (
        similarity(&old_prefix, new_prefix),
        similarity(&old_suffix, new_suffix),
    )
}

/// Cheap context check: how many chars match right next to the quote (up to 8 each side).
fn quick_context(anchor: &Anchor, text: &[char], start: usize, len: usize) -> usize {
    let before = anchor
        .quote
        .prefix
        .chars()
        .rev()
        .zip(text[..start].iter().rev())
        .take(8)
        .take_while(|(a, b)| a == *b)
        .count();
    let after = anchor
        .quote
        .suffix
        .chars()
        .zip(text[(start + len).min(text.len())..].iter())
        .take(8)
        .take_while(|(a, b)| a == *b)
        .count();
    before + after
}

/// Scores the exact occurrences and decides. Returns the placement and whether it is strong
/// enough to serve as a fixed point of the alignment.
fn place_exact(
    anchor: &Anchor,
    occurrences: &[usize],
    expected: usize,
    text: &[char],
    new: &Article,
    t: &Thresholds,
) -> Option<(Placement, bool)> {
    let len = anchor.quote.exact.chars().count();
    if occurrences.is_empty() || len == 0 {
        return None;
    }
    let mut shortlist: Vec<usize> = occurrences.to_vec();
    if shortlist.len() > MAX_SCORED_CANDIDATES {
        shortlist.sort_by_key(|&s| {
            (
                std::cmp::Reverse(quick_context(anchor, text, s, len)),
                s.abs_diff(expected),
            )
        });
        shortlist.truncate(MAX_SCORED_CANDIDATES);
    }
    let mut candidates: Vec<Candidate> = shortlist
        .iter()
        .map(|&start| {
            let range = start..start + len;
            let (prefix_sim, suffix_sim) = context_similarity(anchor, text, &range);
            Candidate {
                range,
                quote_sim: 1.0,
                prefix_sim,
                suffix_sim,
                distance: start.abs_diff(expected),
            }
        })
        .collect();
    candidates.sort_by(|a, b| b.score().total_cmp(&a.score()));
    let best = candidates.first()?.clone();
    let runner_up = candidates.get(1);
    let unique = occurrences.len() == 1;
    let context = best.context();
    let one_side = best.prefix_sim.max(best.suffix_sim);
    let confident = context >= t.exact_context
        || (unique && len >= t.exact_unique_min_len && one_side >= t.exact_unique_one_side)
        || (unique && len >= t.exact_unique_long_len);
    let ambiguous = runner_up.is_some_and(|r| {
        r.context() >= t.review_context && best.context() - r.context() < t.ambiguity_margin
    });
    let status = if confident && !ambiguous {
        Status::Anchored
    } else if context >= t.review_context || (unique && len >= t.review_long_len) {
        Status::Moved
    } else {
        return None;
    };
    let strong = status == Status::Anchored && context >= 0.9 && !ambiguous;
    Some((
        Placement {
            status,
            method: Method::Exact,
            proposal: Some(reread(new, best.range.clone())),
            quote_similarity: 1.0,
            context_similarity: context,
        },
        strong,
    ))
}

/// The anchor for `range` of the new text, with quote and context re-read from it.
fn reread(new: &Article, range: Range<usize>) -> Anchor {
    Anchor::at_position(
        new,
        TextPosition {
            start: range.start,
            end: range.end,
        },
    )
}

/// Bounded approximate search near where the anchor should be.
fn place_approximate(
    anchor: &Anchor,
    expected: usize,
    text: &[char],
    new: &Article,
    t: &Thresholds,
) -> Option<Placement> {
    let quote: Vec<char> = anchor.quote.exact.chars().collect();
    let len = quote.len();
    if len == 0 {
        return None;
    }
    let max_errors = (len as f32 * (1.0 - t.review_quote)).floor() as usize;
    let slack = (len / 2).max(64) + max_errors;
    let mut windows: Vec<Range<usize>> = vec![window(expected, len, slack, text.len())];
    // Where the context still occurs, the quote should be right next to it.
    for (probe, before) in context_probes(anchor) {
        for start in find_all(text, &probe, 8) {
            let at = if before {
                start + probe.len()
            } else {
                start.saturating_sub(len)
            };
            windows.push(window(at, len, max_errors + 8, text.len()));
        }
    }
    let mut best: Option<Candidate> = None;
    for w in windows {
        if w.is_empty() {
            continue;
        }
        for (range, distance) in approximate_matches(&quote, text, w.clone(), max_errors) {
            let quote_sim = 1.0 - distance as f32 / len.max(range.len()) as f32;
            let (prefix_sim, suffix_sim) = context_similarity(anchor, text, &range);
            let candidate = Candidate {
                distance: range.start.abs_diff(expected),
                range,
                quote_sim,
                prefix_sim,
                suffix_sim,
            };
            if best.as_ref().is_none_or(|b| candidate.score() > b.score()) {
                best = Some(candidate);
            }
        }
    }
    let best = best?;
    let context = best.context();
    let status = if len >= t.approx_min_len
        && best.quote_sim >= t.approx_quote
        && context >= t.approx_context
    {
        Status::Anchored
    } else if best.quote_sim >= t.review_quote
        && (context >= t.review_context || len >= t.review_long_len)
    {
        Status::Moved
    } else {
        return None;
    };
    Some(Placement {
        status,
        method: Method::Approximate,
        proposal: Some(reread(new, best.range.clone())),
        quote_similarity: best.quote_sim,
        context_similarity: context,
    })
}

fn window(at: usize, len: usize, slack: usize, text_len: usize) -> Range<usize> {
    let start = at.saturating_sub(slack).min(text_len);
    let end = (at + len + slack).min(text_len);
    start..end
}

/// The last `CONTEXT_PROBE` chars of the prefix (quote follows it) and the first of the
/// suffix (quote precedes it), when long enough to be telling.
fn context_probes(anchor: &Anchor) -> Vec<(Vec<char>, bool)> {
    let mut probes = Vec::new();
    let prefix: Vec<char> = anchor.quote.prefix.chars().collect();
    if prefix.len() >= 8 {
        probes.push((
            prefix[prefix.len().saturating_sub(CONTEXT_PROBE)..].to_vec(),
            true,
        ));
    }
    let suffix: Vec<char> = anchor.quote.suffix.chars().collect();
    if suffix.len() >= 8 {
        probes.push((suffix[..suffix.len().min(CONTEXT_PROBE)].to_vec(), false));
    }
    probes
}

/// Up to `limit` start offsets of `needle` in `haystack`.
fn find_all(haystack: &[char], needle: &[char], limit: usize) -> Vec<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return Vec::new();
    }
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .take(limit)
        .collect()
}

/// The substring of `text[window]` closest to `quote` in edit distance (Sellers' algorithm),
/// if within `max_errors`. Returns its range in `text` and the distance.
pub fn best_approximate_match(
    quote: &[char],
    text: &[char],
    window: Range<usize>,
    max_errors: usize,
) -> Option<(Range<usize>, usize)> {
    approximate_matches(quote, text, window, max_errors)
        .into_iter()
        .next()
}

/// Most ends of one tied run that are turned into candidates.
const MAX_TIED_ENDS: usize = 8;

/// Like [`best_approximate_match`], but returns every end of the first run of consecutive
/// ends that reach the minimal distance (up to 8), each with its own start. A run of ties is
/// one match read with more or fewer trailing characters ("the plan is " and "the plan is
/// over" both differ from "the plan is dead" by 4): the caller picks by context.
pub fn approximate_matches(
    quote: &[char],
    text: &[char],
    window: Range<usize>,
    max_errors: usize,
) -> Vec<(Range<usize>, usize)> {
    let hay = &text[window.clone()];
    let m = quote.len();
    // column[i] = distance between quote[..i] and the best substring ending at the current
    // position of the haystack.
    let mut column: Vec<usize> = (0..=m).collect();
    let mut best_distance = usize::MAX;
    let mut ends: Vec<usize> = Vec::new(); // ends (in hay) of the first run at best_distance
    for (j, &c) in hay.iter().enumerate() {
        let mut diagonal = column[0];
        column[0] = 0;
        for i in 1..=m {
            let cost = usize::from(quote[i - 1] != c);
            let value = (diagonal + cost).min(column[i] + 1).min(column[i - 1] + 1);
            diagonal = column[i];
            column[i] = value;
        }
        let d = column[m];
        if d > max_errors {
            continue;
        }
        if d < best_distance {
            best_distance = d;
            ends.clear();
            ends.push(j + 1);
        } else if d == best_distance && ends.last() == Some(&j) && ends.len() < MAX_TIED_ENDS {
            ends.push(j + 1);
        }
    }
    ends.into_iter()
        .map(|end| {
            let start = match_start(quote, hay, end, max_errors);
            (window.start + start..window.start + end, best_distance)
        })
        .collect()
}

/// Where the best match of `quote` ending at `end` in `hay` starts: the same search
/// backwards over the reversed quote.
fn match_start(quote: &[char], hay: &[char], end: usize, max_errors: usize) -> usize {
    let m = quote.len();
    let mut column: Vec<usize> = (0..=m).collect();
    let mut start_len = m;
    let mut start_best = usize::MAX;
    for (j, &c) in hay[..end].iter().rev().enumerate().take(m + max_errors + 1) {
        let mut diagonal = column[0];
        column[0] = j + 1;
        for i in 1..=m {
            let cost = usize::from(quote[m - i] != c);
            let value = (diagonal + cost).min(column[i] + 1).min(column[i - 1] + 1);
            diagonal = column[i];
            column[i] = value;
        }
        if column[m] < start_best {
            start_best = column[m];
            start_len = j + 1;
        }
    }
    end - start_len.min(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `"The [quick] fox"` → (text, range of the bracketed part).
    fn marked(s: &str) -> (String, Range<usize>) {
        let open = s.chars().position(|c| c == '[').expect("[");
        let close = s.chars().position(|c| c == ']').expect("]") - 1;
        (s.replace(['[', ']'], ""), open..close)
    }

    /// Anchors the bracketed span of `before`, re-anchors in `after`; returns the status and
    /// the new text marked with brackets (or the status alone when orphaned).
    fn run(before: &str, after: &str) -> (Status, String) {
        let (old_text, range) = marked(before);
        let old = Article::from_plain_text(&old_text, "t");
        let anchor = Anchor::new(&old, range).unwrap();
        let new = Article::from_plain_text(after, "t");
        let placement = reanchor(
            &[&anchor],
            &old.hash,
            &new,
            &Thresholds::default(),
            &mut |_, _| {},
        )
        .pop()
        .unwrap();
        let shown = match &placement.proposal {
            Some(a) => {
                let chars: Vec<char> = new.text.chars().collect();
                let p = a.position;
                format!(
                    "{}[{}]{}",
                    chars[..p.start].iter().collect::<String>(),
                    chars[p.start..p.end].iter().collect::<String>(),
                    chars[p.end..].iter().collect::<String>()
                )
            }
            None => String::new(),
        };
        (placement.status, shown)
    }

    #[test]
    fn insertion_before_shifts_the_anchor() {
        let (status, shown) = run(
            "The spokesman said the [report is completely false] and malicious.",
            "On Saturday, the spokesman said the report is completely false and malicious.",
        );
        assert_eq!(status, Status::Anchored);
        assert_eq!(
            shown,
            "On Saturday, the spokesman said the [report is completely false] and malicious."
        );
    }

    #[test]
    fn moved_paragraph_is_found_by_its_context() {
        let (status, shown) = run(
            "First paragraph here.\nSecond one says [Alibaba denies it] firmly.\nThird.",
            "Third.\nFirst paragraph here.\nSecond one says Alibaba denies it firmly.",
        );
        assert_eq!(status, Status::Anchored);
        assert_eq!(
            shown,
            "Third.\nFirst paragraph here.\nSecond one says [Alibaba denies it] firmly."
        );
    }

    #[test]
    fn a_typo_fix_inside_a_long_quote_is_accepted() {
        let (status, shown) = run(
            "Intro. The agency [alleged that the compnay supported the army] in 2019. End.",
            "Intro. The agency alleged that the company supported the army in 2019. End.",
        );
        assert_eq!(status, Status::Anchored);
        assert_eq!(
            shown,
            "Intro. The agency [alleged that the company supported the army] in 2019. End."
        );
    }

    #[test]
    fn a_short_quote_is_not_accepted_on_the_quote_alone() {
        // "said" is deleted where it was annotated; another "said" elsewhere must not be taken.
        let (status, _) = run(
            "The minister [said] nothing about it. Later the aide said more.",
            "The minister stayed silent about it. Later the aide said more.",
        );
        assert_ne!(status, Status::Anchored);
    }

    #[test]
    fn a_corrected_name_does_not_jump_to_another_copy() {
        // hypothesis/h#2798: a corrected word jumped to another copy of "Robin".
        let (status, shown) = run(
            "Robin Smith spoke first. Later [Robin] Jones replied to Robin Smith.",
            "Robin Smith spoke first. Later Robyn Jones replied to Robin Smith.",
        );
        assert_ne!(status, Status::Anchored, "{shown}");
    }

    #[test]
    fn deleted_text_is_orphaned() {
        let (status, shown) = run(
            "Keep this. [The memo was declassified in March by the White House.] Keep that.",
            "Keep this. Keep that.",
        );
        assert_eq!(status, Status::Orphaned, "{shown}");
    }

    #[test]
    fn unchanged_text_keeps_every_anchor_as_is() {
        let (status, shown) = run("a [b] c", "a b c");
        assert_eq!(status, Status::Anchored);
        assert_eq!(shown, "a [b] c");
    }

    #[test]
    fn duplicated_sentence_goes_to_review() {
        let (status, _) = run(
            "He said: [we deny everything]. Then he left.",
            "He said: we deny everything. He said: we deny everything. Then he left.",
        );
        assert_ne!(status, Status::Orphaned);
    }

    #[test]
    fn sellers_finds_the_closest_substring() {
        let text: Vec<char> = "xxxx the compnay said yyyy".chars().collect();
        let quote: Vec<char> = "the company said".chars().collect();
        let (range, d) = best_approximate_match(&quote, &text, 0..text.len(), 4).unwrap();
        assert_eq!(d, 2);
        assert_eq!(text[range].iter().collect::<String>(), "the compnay said");
    }
}
