//! Property test of cutting long paragraphs into pieces (`Paragraph::cut_before`): whatever
//! the text — words, spaces, line breaks, sentence ends, scripts without spaces, combining
//! marks — every paragraph is at most `LONGEST_PARAGRAPH` code points, the pieces of one
//! paragraph follow each other with at most one white-space character between them, only a
//! paragraph longer than the limit is cut, no piece but the last is shorter than half the
//! limit, and no non-white-space character is lost.

use claimlens::model::{Article, LONGEST_PARAGRAPH, Paragraph};
use proptest::prelude::*;

/// Tokens the texts are made of, besides line breaks.
const TOKENS: [&str; 12] = [
    "memo", "denied", "a", " ", " ", "  ", ".", ". ", "。", "世界", "é", "e\u{301}",
];

/// Texts with paragraphs long enough to be cut: one line of tokens (every line of a text
/// without blank lines is a paragraph), or paragraphs of lines (between blank lines) with a
/// line break now and then.
fn text() -> impl Strategy<Value = String> {
    let inline = prop::sample::select(&TOKENS[..]);
    let one_line = prop::collection::vec(inline.clone(), 0..8_000).prop_map(|t| t.concat());
    let token = prop_oneof![30 => inline, 1 => Just("\n"), 1 => Just("\n\n")];
    let lines = prop::collection::vec(token, 0..4_000)
        .prop_map(|t| format!("Title\n\nA first paragraph.\n\n{}", t.concat()));
    prop_oneof![one_line, lines]
}

fn check(article: &Article) {
    let paragraphs = &article.paragraphs;
    let mut group_start: Option<usize> = None;
    for (i, p) in paragraphs.iter().enumerate() {
        let len = p.chars.len();
        assert!(len <= LONGEST_PARAGRAPH, "paragraph {i}: {len} code points");
        assert!(len > 0, "paragraph {i} is empty");
        assert_eq!(
            article.slice(p.chars.clone()),
            &article.text[p.bytes.clone()]
        );
        if let Some(next) = paragraphs.get(i + 1) {
            assert!(
                p.chars.end <= next.chars.start,
                "paragraphs {i} and {} overlap",
                i + 1
            );
            assert_eq!(
                p.cut_after, next.cut_before,
                "paragraph {i}'s cut flags disagree"
            );
            if p.cut_after {
                let gap = article.slice(p.chars.end..next.chars.start);
                assert!(
                    gap.chars().count() <= 1 && gap.chars().all(char::is_whitespace),
                    "{gap:?} between the pieces {i} and {}",
                    i + 1
                );
                assert!(
                    len >= LONGEST_PARAGRAPH / 2,
                    "piece {i} of {len} code points is not the last"
                );
            }
        } else {
            assert!(!p.cut_after, "the last paragraph goes on");
        }
        if !p.cut_before {
            group_start = Some(p.chars.start);
        }
        if p.cut_before && !p.cut_after {
            let start = group_start.expect("a first piece");
            assert!(
                p.chars.end - start > LONGEST_PARAGRAPH,
                "a short paragraph was cut"
            );
        }
    }
    let kept: usize = paragraphs.iter().map(|p| non_space(article, p)).sum();
    let all = article.text.chars().filter(|c| !c.is_whitespace()).count();
    assert_eq!(kept, all, "characters outside every paragraph");
}

fn non_space(article: &Article, p: &Paragraph) -> usize {
    article
        .slice(p.chars.clone())
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn plain_text_paragraphs_are_cut_into_whole_pieces(text in text()) {
        let article = Article::from_plain_text(&text, "t");
        check(&article);
        // One line: one paragraph, cut once it is long (its ends may be white space).
        if !text.contains('\n') && text.trim().chars().count() > LONGEST_PARAGRAPH {
            prop_assert!(article.paragraphs.len() > 1);
        }
    }
}

/// One long run of each kind: the limit is reached in every way a piece can end.
#[test]
fn long_runs_of_each_kind_are_cut() {
    for token in TOKENS.iter().chain(&["\n"]) {
        let text = token.repeat(3 * LONGEST_PARAGRAPH / token.chars().count().max(1));
        let article = Article::from_plain_text(&format!("x{text}x"), "t");
        check(&article);
    }
}
