//! Properties of re-anchoring on random texts, annotations and edits.
//!
//! Texts are words from a small vocabulary (so quotes and contexts repeat) mixed with runs of
//! random Unicode (any script, emoji, combining marks, control characters). One edit replaces a
//! range of the text with another string (an insertion, a deletion, or both). What is asserted:
//!
//! * **Edits outside every annotated span** (anywhere else, the 32-code-point context
//!   included): no annotation is orphaned. An anchored annotation has its old quote and is
//!   where the edit moved its text — or, only if the edit changed its context, at a place where
//!   a minimal (Levenshtein) alignment of the old text onto the new one also carries the quote:
//!   when the edit inserts a copy of the quote next to it, the two texts alone cannot tell
//!   which copy is the old one (`"[said]" → "said[said]"`). An annotation whose quote occurs
//!   once in the new text with its context intact is anchored (a context cut short by the start
//!   or end of the text includes that boundary).
//! * **Edits inside an annotated span**: an anchored annotation is on text at least
//!   [`Thresholds::approx_quote`] (90 %) similar to its old quote (Levenshtein, computed here),
//!   and the similarity the algorithm reports is that one.
//! * **Unchanged text**: every annotation is anchored where it was.
//!
//! 64 cases each; `PROPTEST_CASES=20000 cargo test --release --test tests reanchor_props` looks
//! harder. The marked-up examples (`"The [quick] fox"`) live next to the algorithm in
//! `src/model/reanchor.rs`.

use std::ops::Range;

use claimlens::model::{
    Anchor, Article, CONTEXT_CHARS, Method, Placement, Status, Thresholds, reanchor,
};
use proptest::prelude::*;
use proptest::sample::Index;

const VOCAB: &[&str] = &[
    "the",
    "minister",
    "said",
    "report",
    "false",
    "denied",
    "the deal",
    "Alibaba",
    "army",
    "claims",
    "没有",
    "Zoë",
    "“never”",
    "a",
];

const SEPARATORS: &[&str] = &[" ", " ", " ", " ", ", ", ". ", ".\n", "\n\n", ": “"];

/// Characters that make trouble for offsets: multi-byte, joiners, combining marks, RTL.
const TRICKY: &[char] = &[
    'é', 'ß', '中', '文', '🙂', '👩', '\u{200d}', '💻', '\u{301}', 'ش', 'ש', '“', '”', 'Å', '\t',
];

fn unicode_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::sample::select(TRICKY),
        // Not `\r` (normalised to `\n`) nor a byte-order mark (dropped at the start): the
        // article text must be the generated text.
        1 => any::<char>().prop_filter("kept as is by the article", |c| {
            *c != '\r' && *c != '\u{feff}'
        }),
    ]
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(VOCAB).prop_map(str::to_owned),
        1 => prop::collection::vec(unicode_char(), 1..6)
            .prop_map(|chars| chars.into_iter().collect::<String>()),
    ]
}

fn phrase(tokens: Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec((token(), prop::sample::select(SEPARATORS)), tokens).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(token, separator)| token + separator)
            .collect()
    })
}

fn text() -> impl Strategy<Value = String> {
    phrase(8..70)
}

/// A span wish: where it starts and how long it is, resolved against a text later.
#[derive(Clone, Debug)]
struct SpanWish {
    start: Index,
    len: usize,
}

fn span_wish() -> impl Strategy<Value = SpanWish> {
    (
        any::<Index>(),
        prop_oneof![3 => 1usize..20, 1 => 20usize..80],
    )
        .prop_map(|(start, len)| SpanWish { start, len })
}

/// One edit: replace `[at, at + delete)` with `insert` (resolved against a text later).
#[derive(Clone, Debug)]
struct EditWish {
    at: Index,
    delete: usize,
    insert: String,
}

fn edit_wish() -> impl Strategy<Value = EditWish> {
    let change = prop_oneof![
        (Just(0usize), phrase(1..5)),
        (1usize..40, Just(String::new())),
        (1usize..40, phrase(1..5)),
    ];
    (any::<Index>(), change).prop_map(|(at, (delete, insert))| EditWish { at, delete, insert })
}

/// Code point range `range` of `chars` replaced by `insert`.
fn apply(chars: &[char], range: Range<usize>, insert: &str) -> String {
    chars[..range.start]
        .iter()
        .copied()
        .chain(insert.chars())
        .chain(chars[range.end..].iter().copied())
        .collect()
}

fn anchor_of(article: &Article, wish: &SpanWish) -> Option<Anchor> {
    let len = article.char_len();
    if len == 0 {
        return None;
    }
    let start = wish.start.index(len);
    let end = (start + wish.len).min(len);
    Anchor::new(article, start..end).ok()
}

fn reanchor_all(anchors: &[Anchor], old: &Article, new: &Article) -> Vec<Placement> {
    let refs: Vec<&Anchor> = anchors.iter().collect();
    reanchor(
        &refs,
        &old.hash,
        new,
        &Thresholds::default(),
        &mut |_, _| {},
    )
}

/// Edit distance of two code point sequences.
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

/// 1 − Levenshtein distance / longer length, over code points (1 if both are empty).
fn similarity(a: &str, b: &str) -> f32 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    1.0 - levenshtein(&a, &b) as f32 / longest as f32
}

/// Does some minimal alignment (Levenshtein edit script) of `old` onto `new` carry `old[span]`
/// unchanged onto `new[place]`? (Both hold the same text.)
fn on_a_minimal_alignment(
    old: &[char],
    new: &[char],
    span: &Range<usize>,
    place: &Range<usize>,
) -> bool {
    levenshtein(&old[..span.start], &new[..place.start])
        + levenshtein(&old[span.end..], &new[place.end..])
        == levenshtein(old, new)
}

/// How many times `needle` occurs in `haystack`, overlapping occurrences included.
fn occurrences(haystack: &[char], needle: &str) -> usize {
    let needle: Vec<char> = needle.chars().collect();
    if needle.is_empty() || needle.len() > haystack.len() {
        return 0;
    }
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// Checks what holds for every placement: the proposal is the new text at its position (with
/// its context re-read), and an anchored proposal is at least `approx_quote` similar to the old
/// quote — with that similarity being the one reported.
fn check_placement(
    anchor: &Anchor,
    placement: &Placement,
    new: &Article,
) -> Result<(), TestCaseError> {
    match (&placement.status, &placement.proposal) {
        (Status::Orphaned, proposal) => {
            prop_assert!(proposal.is_none(), "an orphan has no proposal");
            prop_assert_eq!(placement.method, Method::None);
        }
        (_, None) => prop_assert!(false, "{:?} without a proposal", placement.status),
        (status, Some(proposal)) => {
            prop_assert_eq!(
                proposal,
                &Anchor::at_position(new, proposal.position),
                "the proposal is re-read from the new text"
            );
            let sim = similarity(&anchor.quote.exact, &proposal.quote.exact);
            prop_assert!(
                (sim - placement.quote_similarity).abs() < 1e-4,
                "reported quote similarity {} but {:?} vs {:?} is {}",
                placement.quote_similarity,
                anchor.quote.exact,
                proposal.quote.exact,
                sim
            );
            if *status == Status::Anchored {
                prop_assert!(
                    sim >= Thresholds::default().approx_quote,
                    "anchored on {:?}, only {} similar to {:?}",
                    proposal.quote.exact,
                    sim,
                    anchor.quote.exact
                );
            }
        }
    }
    Ok(())
}

/// Whether an annotation less than [`CONTEXT_CHARS`] from the start or end of the text (one
/// side of its stored context is short or empty) is exempt from the "anchored where it moved
/// to" check. It was, while a short or empty context side counted as a full match (fixed; see
/// [`a_short_quote_at_the_end_of_the_text_is_not_anchored_on_a_copy_in_inserted_text`]).
const EXEMPT_SHORT_CONTEXT: bool = false;

/// The property for edits outside the spans (see the module docs).
fn check_edit_outside(
    text: &str,
    spans: &[SpanWish],
    edit: &EditWish,
) -> Result<(), TestCaseError> {
    let old = Article::from_plain_text(text, "t");
    prop_assert_eq!(old.text.as_str(), text);
    let chars: Vec<char> = text.chars().collect();
    let at = edit.at.index(chars.len() + 1);
    let edited = at..(at + edit.delete).min(chars.len());
    // Keep the annotations the edit leaves alone: a deletion or replacement that does not
    // overlap the span, or an insertion at its edge or outside.
    let anchors: Vec<Anchor> = spans
        .iter()
        .filter_map(|w| anchor_of(&old, w))
        .filter(|a| {
            let span = a.position.range();
            if edited.is_empty() {
                edited.start <= span.start || edited.start >= span.end
            } else {
                edited.end <= span.start || edited.start >= span.end
            }
        })
        .collect();
    prop_assume!(!anchors.is_empty());
    let new_text = apply(&chars, edited.clone(), &edit.insert);
    prop_assume!(new_text != text);
    let new = Article::from_plain_text(&new_text, "t");
    let new_chars: Vec<char> = new_text.chars().collect();
    let inserted = edit.insert.chars().count();

    let placements = reanchor_all(&anchors, &old, &new);
    prop_assert_eq!(placements.len(), anchors.len());
    for (anchor, placement) in anchors.iter().zip(&placements) {
        check_placement(anchor, placement, &new)?;
        let span = anchor.position.range();
        // Where the annotated text is now: after an edit before it (an insertion right at
        // its start included), shifted by what the edit added; else where it was.
        let new_start = if edited.end <= span.start {
            span.start - edited.len() + inserted
        } else {
            span.start
        };
        let expected = new_start..new_start + span.len();
        prop_assert_eq!(
            new_chars[expected.clone()].iter().collect::<String>(),
            anchor.quote.exact.clone(),
            "test bug: the expected place does not hold the quote"
        );
        let prefix_len = anchor.quote.prefix.chars().count();
        let suffix_len = anchor.quote.suffix.chars().count();
        // A side shorter than CONTEXT_CHARS ends at the text's start or end, and that boundary
        // is part of the context: it is intact only if the new text still ends there too.
        let prefix_from = if prefix_len < CONTEXT_CHARS {
            expected.start.saturating_sub(CONTEXT_CHARS)
        } else {
            expected.start.saturating_sub(prefix_len)
        };
        let suffix_to = if suffix_len < CONTEXT_CHARS {
            (expected.end + CONTEXT_CHARS).min(new_chars.len())
        } else {
            (expected.end + suffix_len).min(new_chars.len())
        };
        let context_intact = expected.start >= prefix_len
            && new_chars[prefix_from..expected.start]
                .iter()
                .copied()
                .eq(anchor.quote.prefix.chars())
            && new_chars[expected.end..suffix_to]
                .iter()
                .copied()
                .eq(anchor.quote.suffix.chars());
        let unique = occurrences(&new_chars, &anchor.quote.exact) == 1;

        prop_assert_ne!(
            placement.status,
            Status::Orphaned,
            "{:?} is still in the text at {:?}",
            anchor.quote.exact,
            expected
        );
        if placement.status == Status::Anchored {
            let proposal = placement.proposal.as_ref().expect("checked above");
            let place = proposal.position.range();
            prop_assert_eq!(&proposal.quote.exact, &anchor.quote.exact);
            let short_context = prefix_len < CONTEXT_CHARS || suffix_len < CONTEXT_CHARS;
            prop_assert!(
                (short_context && EXEMPT_SHORT_CONTEXT)
                    || place == expected
                    || (!context_intact
                        && on_a_minimal_alignment(&chars, &new_chars, &span, &place)),
                "{:?} anchored at {:?}, not where it moved to ({:?}), and no minimal \
                 alignment puts it there (context intact: {})",
                anchor.quote.exact,
                place,
                expected,
                context_intact
            );
        } else {
            prop_assert!(
                !(context_intact && unique),
                "{:?} occurs once with its context intact at {:?} but is {:?}",
                anchor.quote.exact,
                expected,
                placement.status
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if std::env::var_os("PROPTEST_CASES").is_some() {
            ProptestConfig::default().cases
        } else {
            64
        },
        max_global_rejects: 100_000,
        ..ProptestConfig::default()
    })]

    /// Edits that leave every annotated span alone (they may change its context).
    #[test]
    fn edits_outside_the_spans_keep_or_flag_but_never_misplace(
        text in text(),
        spans in prop::collection::vec(span_wish(), 1..5),
        edit in edit_wish(),
    ) {
        check_edit_outside(&text, &spans, &edit)?;
    }

    /// Edits inside one annotated span: never anchored on text below the accepted similarity.
    #[test]
    fn edits_inside_a_span_never_anchor_on_dissimilar_text(
        text in text(),
        span in span_wish(),
        others in prop::collection::vec(span_wish(), 0..3),
        at in any::<Index>(),
        delete in prop_oneof![1 => Just(0usize), 2 => 1usize..30],
        insert in prop_oneof![1 => Just(String::new()), 1 => phrase(1..3), 1 => prop::collection::vec(unicode_char(), 1..3).prop_map(|c| c.into_iter().collect::<String>())],
    ) {
        let old = Article::from_plain_text(&text, "t");
        let chars: Vec<char> = text.chars().collect();
        let anchor = anchor_of(&old, &span);
        prop_assume!(anchor.is_some());
        let anchor = anchor.expect("assumed");
        let range = anchor.position.range();
        // Inside: an insertion strictly between the first and last code point, or a deletion
        // or replacement of code points of the span.
        let start = range.start + at.index(range.len());
        let edited = if delete == 0 {
            let start = start.max(range.start + 1);
            prop_assume!(start < range.end && !insert.is_empty());
            start..start
        } else {
            start..(start + delete).min(range.end)
        };
        let new_text = apply(&chars, edited, &insert);
        prop_assume!(new_text != text);
        let new = Article::from_plain_text(&new_text, "t");

        let mut anchors = vec![anchor];
        anchors.extend(others.iter().filter_map(|w| anchor_of(&old, w)));
        let placements = reanchor_all(&anchors, &old, &new);
        for (anchor, placement) in anchors.iter().zip(&placements) {
            check_placement(anchor, placement, &new)?;
        }
    }

    /// The same text: every annotation stays exactly where it was.
    #[test]
    fn unchanged_text_keeps_every_annotation(
        text in text(),
        spans in prop::collection::vec(span_wish(), 1..8),
    ) {
        let old = Article::from_plain_text(&text, "t");
        let anchors: Vec<Anchor> = spans.iter().filter_map(|w| anchor_of(&old, w)).collect();
        let same = Article::from_plain_text(&text, "another title");
        prop_assert_eq!(&same.hash, &old.hash);
        let placements = reanchor_all(&anchors, &old, &same);
        prop_assert_eq!(placements.len(), anchors.len());
        for (anchor, placement) in anchors.iter().zip(&placements) {
            prop_assert_eq!(placement.status, Status::Anchored);
            prop_assert_eq!(placement.method, Method::Unchanged);
            prop_assert_eq!(placement.proposal.as_ref(), Some(anchor));
        }
    }
}

/// Anchors `before`'s bracketed span, re-anchors it in `after`; returns the status and `after`
/// with the proposal in brackets.
fn run_marked(before: &str, after: &str) -> (Status, String) {
    let open = before.chars().position(|c| c == '[').expect("[");
    let close = before.chars().position(|c| c == ']').expect("]") - 1;
    let old = Article::from_plain_text(&before.replace(['[', ']'], ""), "t");
    let anchor = Anchor::new(&old, open..close).expect("anchor");
    let new = Article::from_plain_text(after, "t");
    let placement = reanchor_all(&[anchor], &old, &new)
        .pop()
        .expect("one placement");
    let shown = match &placement.proposal {
        Some(proposal) => {
            let chars: Vec<char> = new.text.chars().collect();
            let r = proposal.position.range();
            format!(
                "{}[{}]{}",
                chars[..r.start].iter().collect::<String>(),
                chars[r.clone()].iter().collect::<String>(),
                chars[r.end..].iter().collect::<String>()
            )
        }
        None => String::new(),
    };
    (placement.status, shown)
}

/// Found by `edits_outside_the_spans_keep_or_flag_but_never_misplace` without the exemption.
/// The quote ends the text, so its stored suffix is empty and scores 1.0 anywhere; the copy of
/// "." that the insertion brought in has a prefix 81 % like the old one, which lifts the mean
/// context to 0.91 and the quote is anchored there without review. The same edit with a line
/// break after the quote is (rightly) only moved, to the right place.
#[test]
fn a_short_quote_at_the_end_of_the_text_is_not_anchored_on_a_copy_in_inserted_text() {
    // (before, after with the place the quote moved to in brackets)
    let cases = [
        (
            "The spokesman for the harbour authority said the report was false[.]",
            "The spokesman for the harbour authority said the report was. He added that it was \
             false[.]",
        ),
        // As proptest shrank it: the suffix is one line break.
        (
            "minister minister the minister the ééééé, the deal the: “minister the minister the \
             the the deal denied, ééééé, the the deal minister the minister the the: “the deal \
             ééééé: “the deal minister the the deal, denied the deal report the report the the \
             minister minister the the the minister minister minister minister, the the[.]\n",
            "minister minister the minister the ééééé, the deal the: “minister the minister the \
             the the deal denied, ééééé, the the deal minister the minister the the: “the deal \
             ééééé: “the deal minister the the deal, denied the deal report the report the the \
             minister minister the the the minister minister minister minisarmy.\nAlibaba said \
             ter, the the[.]\n",
        ),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter_map(|(before, expected)| {
            let (status, shown) = run_marked(before, &expected.replace(['[', ']'], ""));
            (status == Status::Anchored && shown != *expected).then_some(shown)
        })
        .collect();
    assert!(wrong.is_empty(), "anchored on the wrong copy: {wrong:#?}");
}
