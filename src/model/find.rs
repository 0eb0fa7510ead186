//! Finding text in the article (Ctrl+F): every occurrence of a query, without regard to case,
//! as code point ranges.
//!
//! Case is folded one code point at a time (a code point whose lower case is several code
//! points, like `İ`, is compared as itself), so a match in the folded text is a match at the
//! same offsets in the article. Example: in `"Alibaba said ALIBABA"`, `"alibaba"` is found at
//! `0..7` and `13..20`.

use std::ops::Range;

/// The article's text folded for searching, one code point per code point of the text.
#[derive(Clone, Debug, Default)]
pub struct FoldedText {
    chars: Vec<char>,
}

/// The lower case of `c` when it is a single code point, otherwise `c`.
fn fold(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

impl FoldedText {
    pub fn new(text: &str) -> Self {
        Self {
            chars: text.chars().map(fold).collect(),
        }
    }

    /// Code points of the text.
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// The non-overlapping occurrences of `query` (white space at its ends ignored), in text
    /// order, at most `limit` of them. An empty query finds nothing.
    pub fn find_all(&self, query: &str, limit: usize) -> Vec<Range<usize>> {
        let needle: Vec<char> = query.trim().chars().map(fold).collect();
        let mut found = Vec::new();
        let Some((&first, rest)) = needle.split_first() else {
            return found;
        };
        let hay = &self.chars;
        let mut i = 0;
        while i + needle.len() <= hay.len() && found.len() < limit {
            if hay[i] == first && hay[i + 1..i + needle.len()] == *rest {
                found.push(i..i + needle.len());
                i += needle.len();
            } else {
                i += 1;
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_occurrence_without_regard_to_case() {
        let text = FoldedText::new("Alibaba said ALIBABA, and alibaba’s");
        assert_eq!(text.find_all("alibaba", 100), vec![0..7, 13..20, 26..33]);
        assert_eq!(text.find_all("  Said ", 100), vec![8..12]);
    }

    #[test]
    fn offsets_are_code_points_even_where_case_changes_length() {
        // `İ` lowers to two code points; it stays one so offsets after it do not shift.
        let text = FoldedText::new("İstanbul – ÉTÉ été");
        assert_eq!(text.find_all("été", 10), vec![11..14, 15..18]);
        assert_eq!(text.find_all("stanbul", 10), vec![1..8]);
    }

    #[test]
    fn matches_do_not_overlap_and_respect_the_limit() {
        let text = FoldedText::new("aaaaa");
        assert_eq!(text.find_all("aa", 10), vec![0..2, 2..4]);
        assert_eq!(text.find_all("a", 3), vec![0..1, 1..2, 2..3]);
        assert!(text.find_all("", 10).is_empty());
        assert!(text.find_all("aaaaaa", 10).is_empty());
    }
}
