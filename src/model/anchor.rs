//! Anchors: where an annotation sits in the article, stated twice so it can be found again.
//!
//! An [`Anchor`] holds both selectors of the W3C Web Annotation model:
//!
//! * a [`TextPosition`] (W3C `TextPositionSelector`): `start` and `end` are Unicode code point
//!   offsets into the article's normalised text, `end` exclusive;
//! * a [`TextQuote`] (W3C `TextQuoteSelector`): the `exact` text, plus up to
//!   [`CONTEXT_CHARS`] (32) code points of `prefix` before it and `suffix` after it.
//!
//! Worked example, text `"Alibaba called the report “completely false”."`:
//!
//! ```text
//! Alibaba called the report “completely false”.
//! 0         1         2         3         4
//! 0123456789012345678901234567890123456789012345
//! ```
//! Selecting `completely false` gives `start = 27`, `end = 43` (the curly quote `“` at 26 is one
//! code point although it is three UTF-8 bytes), `exact = "completely false"`,
//! `prefix = "Alibaba called the report “"` (only 27 code points exist before it, so fewer than
//! 32), `suffix = "”."`.
//!
//! The position makes the common case (the same article) exact and instant; the quote and its
//! context let a changed article be re-anchored, and let a human read the annotation without
//! the article.

use std::ops::Range;

use super::article::Article;

/// How many code points of context the quote keeps on each side.
pub const CONTEXT_CHARS: usize = 32;

/// W3C `TextPositionSelector`: code point offsets, end exclusive. See the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TextPosition {
    pub start: usize,
    pub end: usize,
}

impl TextPosition {
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// True if the two ranges share at least one code point.
    pub fn overlaps(&self, other: &Self) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// W3C `TextQuoteSelector`: the quoted text and up to 32 code points of context on each side.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TextQuote {
    pub exact: String,
    pub prefix: String,
    pub suffix: String,
}

/// Both selectors of one annotation target. See the module docs for a worked example.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Anchor {
    pub position: TextPosition,
    pub quote: TextQuote,
}

/// Why a range cannot be anchored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnchorError {
    #[error("the selection is empty")]
    Empty,
    #[error("the selection {start}..{end} runs past the end of the text ({len} code points)")]
    OutOfBounds {
        start: usize,
        end: usize,
        len: usize,
    },
    #[error("the selection holds only white space")]
    OnlyWhitespace,
}

/// How an anchor relates to an article.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnchorCheck {
    /// The text at the stored position is the stored quote.
    Matches,
    /// The text at the stored position differs (the article changed), or the position is past
    /// its end. Re-anchoring decides where it belongs.
    Mismatch,
}

impl Anchor {
    /// Anchors code point range `chars` of `article`.
    ///
    /// Leading and trailing white space is trimmed from the range, so a double-clicked word or a
    /// sloppy drag stores just the words. Example: in `"a  bc d"`, `1..5` (`"  bc"`) becomes `3..5`.
    pub fn new(article: &Article, chars: Range<usize>) -> Result<Self, AnchorError> {
        let len = article.char_len();
        if chars.end > len || chars.start > chars.end {
            return Err(AnchorError::OutOfBounds {
                start: chars.start,
                end: chars.end,
                len,
            });
        }
        if chars.is_empty() {
            return Err(AnchorError::Empty);
        }
        let raw = article.slice(chars.clone());
        let leading = raw.chars().take_while(|c| c.is_whitespace()).count();
        if leading == chars.len() {
            return Err(AnchorError::OnlyWhitespace);
        }
        let trailing = raw.chars().rev().take_while(|c| c.is_whitespace()).count();
        let position = TextPosition {
            start: chars.start + leading,
            end: chars.end - trailing,
        };
        Ok(Self::at_position(article, position))
    }

    /// Anchors `position` exactly as given (no trimming), reading quote and context from
    /// `article`. Positions past the end are clamped to it.
    pub fn at_position(article: &Article, position: TextPosition) -> Self {
        let end = position.end.min(article.char_len());
        let position = TextPosition {
            start: position.start.min(end),
            end,
        };
        let prefix_start = position.start.saturating_sub(CONTEXT_CHARS);
        let suffix_end = (position.end + CONTEXT_CHARS).min(article.char_len());
        Self {
            position,
            quote: TextQuote {
                exact: article.slice(position.range()).to_owned(),
                prefix: article.slice(prefix_start..position.start).to_owned(),
                suffix: article.slice(position.end..suffix_end).to_owned(),
            },
        }
    }

    /// Does the stored position still hold the stored quote in `article`?
    pub fn check(&self, article: &Article) -> AnchorCheck {
        let p = self.position;
        if p.end > article.char_len() || p.start > p.end {
            return AnchorCheck::Mismatch;
        }
        if article.slice(p.range()) == self.quote.exact {
            AnchorCheck::Matches
        } else {
            AnchorCheck::Mismatch
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(text: &str) -> Article {
        Article::from_plain_text(text, "t")
    }

    /// `"The [quick] fox"` → (text without brackets, range of the bracketed part).
    fn marked(s: &str) -> (String, Range<usize>) {
        let open = s.chars().position(|c| c == '[').expect("no [");
        let close = s.chars().position(|c| c == ']').expect("no ]") - 1;
        (s.replace(['[', ']'], ""), open..close)
    }

    #[test]
    fn worked_example_from_the_docs() {
        let (text, range) = marked("Alibaba called the report “[completely false]”.");
        let a = article(&text);
        let anchor = Anchor::new(&a, range).unwrap();
        assert_eq!(anchor.position, TextPosition { start: 27, end: 43 });
        assert_eq!(anchor.quote.exact, "completely false");
        assert_eq!(anchor.quote.prefix, "Alibaba called the report “");
        assert_eq!(anchor.quote.suffix, "”.");
        assert_eq!(anchor.check(&a), AnchorCheck::Matches);
    }

    #[test]
    fn context_is_32_code_points() {
        let text = format!("{}[中文]{}", "é".repeat(40), "🙂".repeat(40));
        let (text, range) = marked(&text);
        let anchor = Anchor::new(&article(&text), range).unwrap();
        assert_eq!(anchor.quote.prefix, "é".repeat(32));
        assert_eq!(anchor.quote.suffix, "🙂".repeat(32));
        assert_eq!(anchor.quote.exact, "中文");
        assert_eq!(anchor.position, TextPosition { start: 40, end: 42 });
    }

    #[test]
    fn trims_white_space_around_the_selection() {
        let (text, range) = marked("a[  bc ]d");
        let anchor = Anchor::new(&article(&text), range).unwrap();
        assert_eq!(anchor.quote.exact, "bc");
        assert_eq!(anchor.position, TextPosition { start: 3, end: 5 });
    }

    #[test]
    fn rejects_empty_blank_and_out_of_range() {
        let a = article("abc  def");
        assert_eq!(Anchor::new(&a, 1..1), Err(AnchorError::Empty));
        assert_eq!(Anchor::new(&a, 3..5), Err(AnchorError::OnlyWhitespace));
        assert!(matches!(
            Anchor::new(&a, 2..99),
            Err(AnchorError::OutOfBounds { .. })
        ));
        #[expect(clippy::reversed_empty_ranges, reason = "testing a reversed range")]
        let reversed = 5..2;
        assert!(matches!(
            Anchor::new(&a, reversed),
            Err(AnchorError::OutOfBounds { .. })
        ));
    }

    #[test]
    fn combining_marks_count_as_their_own_code_points() {
        // "e\u{301}" is one grapheme but two code points.
        let (text, range) = marked("caf[e\u{301}] ok");
        let anchor = Anchor::new(&article(&text), range).unwrap();
        assert_eq!(anchor.position, TextPosition { start: 3, end: 5 });
        assert_eq!(anchor.quote.exact, "e\u{301}");
    }

    #[test]
    fn check_detects_a_changed_article() {
        let (text, range) = marked("The [quick] fox");
        let anchor = Anchor::new(&article(&text), range).unwrap();
        assert_eq!(
            anchor.check(&article("The quick fox")),
            AnchorCheck::Matches
        );
        assert_eq!(
            anchor.check(&article("The slow fox")),
            AnchorCheck::Mismatch
        );
        assert_eq!(anchor.check(&article("The")), AnchorCheck::Mismatch);
    }
}
