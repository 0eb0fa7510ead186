//! The article: normalised text split into paragraphs, with a title and a content hash.
//!
//! Every position in Claimlens is a **Unicode code point offset** into [`Article::text`]
//! (not a byte offset, not a UTF-16 unit). Ranges are half-open: `start..end`, end exclusive.
//!
//! ```text
//! text:    "Héllo 世界\n"
//! offsets:  0123456 78 9
//! ```
//! `2..5` is `"llo"` although `é` takes two bytes in UTF-8; `6..8` is `"世界"`.

use std::ops::Range;

use sha2::{Digest as _, Sha256};

/// How far apart the entries of the char → byte index are, in code points.
const BYTE_INDEX_STRIDE: usize = 256;

pub use super::structure::BlockKind;
use super::structure::{InlineStyle, LINE_BREAK, Metadata, SourceFormat, StructuredText};

/// A styled stretch of a paragraph (emphasis, strong, code, link), as a code point range into
/// [`Article::text`]. Example: in `"A *big* day"` imported from Markdown, the text is
/// `"A big day"` and `big` is an emphasis span `2..5`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StyledSpan {
    pub chars: Range<usize>,
    pub style: InlineStyle,
}

/// The longest paragraph kept whole, in code points. A longer one (a text without line breaks,
/// a huge code block) is cut into pieces of at most this length, so nothing lays out more at
/// once: the reader takes about 1.5 ms for 4,000 code points, and would take seconds and a
/// gigabyte for a 5 MB paragraph. See [`Paragraph::cut_before`].
pub const LONGEST_PARAGRAPH: usize = 4_000;

/// One paragraph of the article.
///
/// `chars` is a code point range into [`Article::text`], `bytes` the same range in bytes.
/// Example: in `"Title\n\nBody."`, the headline is chars `0..5`, the body chars `7..12`.
/// Paragraphs do not overlap and are in text order; the newlines between them belong to none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paragraph {
    pub chars: Range<usize>,
    pub bytes: Range<usize>,
    pub kind: BlockKind,
    /// Inline styles inside the paragraph, in text order, not overlapping; plain text has none.
    pub spans: Vec<StyledSpan>,
    /// Whether this is a piece of a paragraph longer than [`LONGEST_PARAGRAPH`] that goes on
    /// from the paragraph before (`cut_before`) or into the one after (`cut_after`). Cuts fall
    /// on a line break, else on the space after a sentence's end, else on any space, else
    /// anywhere; the white space at a cut belongs to neither piece. The reader shows the pieces
    /// as one paragraph, each cut a line break. Example: a 9,000-character paragraph of
    /// sentences becomes three pieces, the first `cut_after`, the second both, the third
    /// `cut_before`.
    pub cut_before: bool,
    pub cut_after: bool,
}

/// A SHA-256 of the normalised text, written as `sha256:<64 hex digits>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ContentHash(pub String);

impl ContentHash {
    pub fn of_text(text: &str) -> Self {
        let digest = Sha256::digest(text.as_bytes());
        let mut hex = String::with_capacity(7 + 64);
        hex.push_str("sha256:");
        for byte in digest {
            use std::fmt::Write as _;
            let _ = write!(hex, "{byte:02x}");
        }
        Self(hex)
    }

    /// The first 12 hex digits, for messages.
    pub fn short(&self) -> &str {
        let hex = self.0.strip_prefix("sha256:").unwrap_or(&self.0);
        hex.get(..12).unwrap_or(hex)
    }
}

impl std::fmt::Display for ContentHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An article ready to be read and annotated.
#[derive(Clone, Debug)]
pub struct Article {
    /// Shown in the window title and stored in the set. Not necessarily part of `text`.
    pub title: String,
    /// The normalised text: `\n` line endings, no byte-order mark. All anchors point into it.
    pub text: String,
    /// Paragraphs in text order.
    pub paragraphs: Vec<Paragraph>,
    /// Hash of `text`.
    pub hash: ContentHash,
    /// Title, byline, site, date… as the importer found them, and the source format.
    pub meta: Metadata,
    /// Number of code points in `text`.
    char_len: usize,
    /// Byte offset of every `BYTE_INDEX_STRIDE`-th code point, so that converting a char offset
    /// to a byte offset costs at most one stride of scanning whatever the article's length.
    byte_index: Vec<usize>,
    /// The paragraphs that are pieces going on from the one before (`Paragraph::cut_before`),
    /// in order.
    cuts: Vec<usize>,
}

/// Turns any line endings (`\r\n`, lone `\r`) into `\n` and drops a leading byte-order mark.
pub fn normalize_text(raw: &str) -> String {
    let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

impl Article {
    /// Builds an article from plain text.
    ///
    /// Line endings are normalised. If the first non-blank line is followed by a blank line it is
    /// the headline (and the title). Otherwise the title is `fallback_title` (a file name, say).
    /// Paragraphs: if the body has blank lines, blank lines separate paragraphs (hard-wrapped text
    /// keeps its line breaks inside a paragraph); if it has none, every line is a paragraph, as in
    /// text copied from a web page.
    pub fn from_plain_text(raw: &str, fallback_title: &str) -> Self {
        let text = normalize_text(raw);
        let lines = line_spans(&text);

        let first_content = lines.iter().position(|l| !l.blank);
        let headline = first_content.filter(|&i| lines.get(i + 1).is_some_and(|next| next.blank));

        let body_start = headline.map_or(0, |i| i + 1);
        let body = lines.get(body_start..).unwrap_or_default();
        let body_has_blank_separators = body
            .iter()
            .skip_while(|l| l.blank)
            .collect::<Vec<_>>()
            .windows(2)
            .any(|w| w[0].blank && !w[1].blank);

        let mut paragraphs = Vec::new();
        if let Some(i) = headline {
            paragraphs.push(lines[i].to_paragraph(BlockKind::Headline));
        }
        if body_has_blank_separators {
            let mut block: Option<(LineSpan, LineSpan)> = None;
            for line in body {
                if line.blank {
                    if let Some((first, last)) = block.take() {
                        paragraphs.push(first.join(&last).to_paragraph(BlockKind::Body));
                    }
                } else {
                    block = Some(match block {
                        Some((first, _)) => (first, line.clone()),
                        None => (line.clone(), line.clone()),
                    });
                }
            }
            if let Some((first, last)) = block {
                paragraphs.push(first.join(&last).to_paragraph(BlockKind::Body));
            }
        } else {
            paragraphs.extend(
                body.iter()
                    .filter(|l| !l.blank)
                    .map(|l| l.to_paragraph(BlockKind::Body)),
            );
        }

        let title = match headline {
            Some(i) => text[lines[i].bytes.clone()].trim().to_owned(),
            None if fallback_title.trim().is_empty() => "Untitled".to_owned(),
            None => fallback_title.trim().to_owned(),
        };
        let mut article = Self::from_parts(title, text, paragraphs);
        article.meta.title = Some(article.title.clone());
        article
    }

    /// Builds an article from imported blocks, applying the rules of [`super::structure`]:
    /// white space collapsed (except in preformatted blocks), [`LINE_BREAK`] → `\n`, blocks
    /// trimmed, empty blocks dropped, blocks separated by `\n\n`.
    ///
    /// The title is the metadata's, else the first headline's text, else `fallback_title`.
    /// Example: blocks `Headline "Big  news"`, `Body ["A ", *"big"*, " day"]` give the text
    /// `"Big news\n\nA big day"` with an emphasis span `12..15`.
    pub fn from_structured(structured: StructuredText, fallback_title: &str) -> Self {
        let StructuredText { mut meta, blocks } = structured;
        let mut text = String::new();
        let mut char_pos = 0;
        let mut paragraphs = Vec::new();
        for block in &blocks {
            let built = build_block(block);
            if built.text.is_empty() {
                continue;
            }
            if !text.is_empty() {
                text.push_str("\n\n");
                char_pos += 2;
            }
            let byte_start = text.len();
            text.push_str(&built.text);
            paragraphs.push(Paragraph {
                chars: char_pos..char_pos + built.chars,
                bytes: byte_start..text.len(),
                kind: block.kind,
                spans: built
                    .spans
                    .into_iter()
                    .map(|(r, style)| StyledSpan {
                        chars: char_pos + r.start..char_pos + r.end,
                        style,
                    })
                    .collect(),
                cut_before: false,
                cut_after: false,
            });
            char_pos += built.chars;
        }
        let headline = paragraphs
            .iter()
            .find(|p| p.kind == BlockKind::Headline)
            .map(|p| text[p.bytes.clone()].replace('\n', " "));
        let title = [
            meta.title.clone(),
            headline,
            Some(fallback_title.to_owned()),
        ]
        .into_iter()
        .flatten()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .find(|t| !t.is_empty())
        .unwrap_or_else(|| "Untitled".to_owned());
        meta.title = Some(title.clone());
        let mut article = Self::from_parts(title, text, paragraphs);
        article.meta = meta;
        article
    }

    /// Builds an article from already normalised text and paragraphs (for importers). Paragraphs
    /// longer than [`LONGEST_PARAGRAPH`] are cut into pieces.
    pub fn from_parts(title: String, text: String, paragraphs: Vec<Paragraph>) -> Self {
        let paragraphs = if paragraphs.iter().any(|p| p.chars.len() > LONGEST_PARAGRAPH) {
            paragraphs
                .into_iter()
                .flat_map(|p| cut_long_paragraph(&text, p))
                .collect()
        } else {
            paragraphs
        };
        let cuts = (paragraphs.iter().enumerate())
            .filter(|(_, p)| p.cut_before)
            .map(|(i, _)| i)
            .collect();
        let hash = ContentHash::of_text(&text);
        let mut byte_index = Vec::with_capacity(text.len() / BYTE_INDEX_STRIDE + 1);
        let mut char_len = 0;
        for (i, (byte, _)) in text.char_indices().enumerate() {
            if i % BYTE_INDEX_STRIDE == 0 {
                byte_index.push(byte);
            }
            char_len = i + 1;
        }
        Self {
            title,
            text,
            paragraphs,
            hash,
            meta: Metadata {
                format: SourceFormat::Text,
                ..Metadata::default()
            },
            char_len,
            byte_index,
            cuts,
        }
    }

    /// Length of the text in code points.
    pub fn char_len(&self) -> usize {
        self.char_len
    }

    /// Byte offset of code point offset `char_offset` (clamped to the end of the text).
    ///
    /// Example: in `"añb"`, char 2 (`b`) is byte 3.
    pub fn byte_of_char(&self, char_offset: usize) -> usize {
        if char_offset >= self.char_len {
            return self.text.len();
        }
        let block = char_offset / BYTE_INDEX_STRIDE;
        let block_byte = self.byte_index.get(block).copied().unwrap_or(0);
        let skip = char_offset - block * BYTE_INDEX_STRIDE;
        self.text[block_byte..]
            .char_indices()
            .nth(skip)
            .map_or(self.text.len(), |(b, _)| block_byte + b)
    }

    /// The text of the code point range `chars` (clamped to the text).
    ///
    /// Example: `slice(2..5)` of `"Héllo"` is `"llo"`.
    pub fn slice(&self, chars: Range<usize>) -> &str {
        let start = self.byte_of_char(chars.start.min(chars.end));
        let end = self.byte_of_char(chars.end);
        &self.text[start..end.max(start)]
    }

    /// The paragraph that contains code point `char_offset`, or the first paragraph after it
    /// when the offset falls between paragraphs. `None` past the last paragraph.
    pub fn paragraph_at_or_after(&self, char_offset: usize) -> Option<usize> {
        let i = self
            .paragraphs
            .partition_point(|p| p.chars.end <= char_offset);
        (i < self.paragraphs.len()).then_some(i)
    }

    /// Which paragraph of the source paragraph `index` is (or is a piece of, see
    /// [`Paragraph::cut_before`]), counting from 0: the same as `index` unless a paragraph
    /// before it was cut. Example: with pieces 1 and 2 of one long paragraph, paragraph 3 is
    /// the source's 2. For `index` past the last paragraph, the number of the source's
    /// paragraphs.
    pub fn source_paragraph(&self, index: usize) -> usize {
        index - self.cuts.partition_point(|&cut| cut <= index)
    }

    /// Offset of the next word end after `offset` (for Ctrl+Shift+Right): skips non-word
    /// characters, then word characters. Example: in `"one, two"`, from 0 → 3, from 3 → 8.
    /// Looks at most at the rest of the text from `offset`, never before it.
    pub fn next_word_end(&self, offset: usize) -> usize {
        let rest = &self.text[self.byte_of_char(offset)..];
        let mut chars = rest.chars().peekable();
        let mut pos = offset.min(self.char_len);
        while chars.next_if(|c| !is_word_char(*c)).is_some() {
            pos += 1;
        }
        while chars.next_if(|c| is_word_char(*c)).is_some() {
            pos += 1;
        }
        pos
    }

    /// Offset of the previous word start before `offset` (for Ctrl+Shift+Left).
    /// Example: in `"one, two"`, from 8 → 5, from 5 → 0.
    pub fn prev_word_start(&self, offset: usize) -> usize {
        let before = &self.text[..self.byte_of_char(offset)];
        let mut chars = before.chars().rev().peekable();
        let mut pos = offset.min(self.char_len);
        while chars.next_if(|c| !is_word_char(*c)).is_some() {
            pos -= 1;
        }
        while chars.next_if(|c| is_word_char(*c)).is_some() {
            pos -= 1;
        }
        pos
    }

    /// Indices of the paragraphs that intersect `chars` (empty ranges touch none).
    pub fn paragraphs_touching(&self, chars: Range<usize>) -> Range<usize> {
        let first = self
            .paragraphs
            .partition_point(|p| p.chars.end <= chars.start);
        let last = self
            .paragraphs
            .partition_point(|p| p.chars.start < chars.end);
        first..last.max(first)
    }
}

/// Letters, digits, apostrophes and connecting punctuation count as part of a word.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '\'' | '’' | '_')
}

/// A block's normalised text, its length in code points, and its styled spans (block-local).
struct BuiltBlock {
    text: String,
    chars: usize,
    spans: Vec<(Range<usize>, InlineStyle)>,
}

/// Normalises one block's runs: see [`Article::from_structured`].
fn build_block(block: &super::structure::Block) -> BuiltBlock {
    let pre = block.kind == BlockKind::Preformatted;
    let mut text = String::new();
    let mut chars = 0usize;
    let mut spans: Vec<(Range<usize>, InlineStyle)> = Vec::new();
    let mut pending_space = false;
    for run in &block.runs {
        let mut first = None;
        let mut iter = run.text.chars().peekable();
        while let Some(c) = iter.next() {
            if pre {
                let c = match c {
                    '\r' if iter.peek() == Some(&'\n') => continue,
                    '\r' | LINE_BREAK => '\n',
                    c => c,
                };
                text.push(c);
                chars += 1;
                first.get_or_insert(chars - 1);
            } else if c == LINE_BREAK {
                // A hard break: drop the space before it, never start a block with one.
                pending_space = false;
                if chars > 0 && !text.ends_with('\n') {
                    text.push('\n');
                    chars += 1;
                }
            } else if c.is_whitespace() {
                if chars > 0 && !text.ends_with('\n') {
                    pending_space = true;
                }
            } else {
                if pending_space {
                    text.push(' ');
                    chars += 1;
                    pending_space = false;
                }
                text.push(c);
                chars += 1;
                first.get_or_insert(chars - 1);
            }
        }
        if let Some(start) = first
            && !run.style.is_plain()
        {
            match spans.last_mut() {
                // Same style across runs (or across the one space between them): one span.
                Some((r, style)) if *style == run.style && r.end + 1 >= start => r.end = chars,
                _ => spans.push((start..chars, run.style)),
            }
        }
    }
    // Trailing white space goes (a last hard break, a preformatted block's final newline).
    while text.ends_with(char::is_whitespace) {
        text.pop();
        chars -= 1;
    }
    if pre {
        // Leading blank lines go too; spans shift with them.
        let lead: usize = text.len() - text.trim_start_matches('\n').len();
        if lead > 0 {
            text.drain(..lead);
            chars -= lead;
            for (r, _) in &mut spans {
                r.start = r.start.saturating_sub(lead);
                r.end = r.end.saturating_sub(lead);
            }
        }
    }
    for (r, _) in &mut spans {
        r.end = r.end.min(chars);
    }
    spans.retain(|(r, _)| r.start < r.end);
    BuiltBlock { text, chars, spans }
}

/// `paragraph` of `text` as it is if it is no longer than [`LONGEST_PARAGRAPH`], else cut into
/// pieces (see [`Paragraph::cut_before`]), each with the styled spans inside it.
fn cut_long_paragraph(text: &str, paragraph: Paragraph) -> Vec<Paragraph> {
    if paragraph.chars.len() <= LONGEST_PARAGRAPH {
        return vec![paragraph];
    }
    /// A place to cut: where the piece before ends and the next starts (a code point offset
    /// and a byte offset into the article each).
    #[derive(Clone, Copy)]
    struct Cut {
        end: (usize, usize),
        next: (usize, usize),
    }
    let body = &text[paragraph.bytes.clone()];
    let mut starts = vec![(paragraph.chars.start, paragraph.bytes.start)];
    let mut ends = Vec::new();
    // The last cut of each kind seen in the piece under way: line break, sentence end, space.
    let mut best: [Option<Cut>; 3] = [None; 3];
    let mut previous = None;
    for (i, (byte, c)) in body.char_indices().enumerate() {
        let at = (paragraph.chars.start + i, paragraph.bytes.start + byte);
        let start = *starts.last().expect("a piece under way");
        if at.0 - start.0 == LONGEST_PARAGRAPH {
            // Cut at the best place in the second half of the piece, else right here.
            let cut = best
                .iter()
                .flatten()
                .find(|cut| cut.end.0 - start.0 >= LONGEST_PARAGRAPH / 2)
                .copied()
                .unwrap_or(Cut { end: at, next: at });
            ends.push(cut.end);
            starts.push(cut.next);
            for kept in &mut best {
                *kept = kept.filter(|k| k.end.0 > cut.next.0);
            }
        }
        let after = (at.0 + 1, at.1 + c.len_utf8());
        if c == '\n' {
            best[0] = Some(Cut {
                end: at,
                next: after,
            });
        } else if c.is_whitespace() {
            let kind = if previous.is_some_and(|p| matches!(p, '.' | '!' | '?' | '…')) {
                1
            } else {
                2
            };
            best[kind] = Some(Cut {
                end: at,
                next: after,
            });
        } else if matches!(c, '。' | '！' | '？') {
            // Scripts without spaces: right after the sentence's end.
            best[1] = Some(Cut {
                end: after,
                next: after,
            });
        }
        previous = Some(c);
    }
    ends.push((paragraph.chars.end, paragraph.bytes.end));
    let mut pieces: Vec<Paragraph> = starts
        .into_iter()
        .zip(ends)
        .filter(|(start, end)| start.0 < end.0)
        .map(|(start, end)| Paragraph {
            chars: start.0..end.0,
            bytes: start.1..end.1,
            kind: paragraph.kind,
            spans: paragraph
                .spans
                .iter()
                .filter_map(|span| {
                    let chars = span.chars.start.max(start.0)..span.chars.end.min(end.0);
                    (chars.start < chars.end).then_some(StyledSpan {
                        chars,
                        style: span.style,
                    })
                })
                .collect(),
            cut_before: true,
            cut_after: true,
        })
        .collect();
    if let Some(first) = pieces.first_mut() {
        first.cut_before = false;
    }
    if let Some(last) = pieces.last_mut() {
        last.cut_after = false;
    }
    pieces
}

/// One line of the text, without its `\n`.
#[derive(Clone, Debug)]
struct LineSpan {
    chars: Range<usize>,
    bytes: Range<usize>,
    blank: bool,
}

impl LineSpan {
    fn join(&self, last: &Self) -> Self {
        Self {
            chars: self.chars.start..last.chars.end,
            bytes: self.bytes.start..last.bytes.end,
            blank: false,
        }
    }

    fn to_paragraph(&self, kind: BlockKind) -> Paragraph {
        Paragraph {
            chars: self.chars.clone(),
            bytes: self.bytes.clone(),
            kind,
            spans: Vec::new(),
            cut_before: false,
            cut_after: false,
        }
    }
}

/// Splits normalised text into lines with char and byte ranges (trailing spaces stay in).
fn line_spans(text: &str) -> Vec<LineSpan> {
    let mut lines = Vec::new();
    let mut char_pos = 0;
    let mut byte_pos = 0;
    for line in text.split('\n') {
        let n_chars = line.chars().count();
        lines.push(LineSpan {
            chars: char_pos..char_pos + n_chars,
            bytes: byte_pos..byte_pos + line.len(),
            blank: line.trim().is_empty(),
        });
        char_pos += n_chars + 1;
        byte_pos += line.len() + 1;
    }
    lines
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::structure::{Block, Run};

    fn paragraph_texts(article: &Article) -> Vec<&str> {
        article
            .paragraphs
            .iter()
            .map(|p| &article.text[p.bytes.clone()])
            .collect()
    }

    #[test]
    fn headline_then_lines_as_paragraphs() {
        let a = Article::from_plain_text("Big News\r\n\r\nFirst para.\r\nSecond para.\r\n", "x");
        assert_eq!(a.title, "Big News");
        assert_eq!(a.text, "Big News\n\nFirst para.\nSecond para.\n");
        assert_eq!(
            paragraph_texts(&a),
            ["Big News", "First para.", "Second para."]
        );
        assert_eq!(a.paragraphs[0].kind, BlockKind::Headline);
        assert_eq!(a.paragraphs[1].chars, 10..21);
    }

    #[test]
    fn blank_line_separated_blocks_keep_inner_line_breaks() {
        let a = Article::from_plain_text("T\n\nline one\nline two\n\n\nnext block\n", "x");
        assert_eq!(
            paragraph_texts(&a),
            ["T", "line one\nline two", "next block"]
        );
    }

    #[test]
    fn no_headline_uses_fallback_title() {
        let a = Article::from_plain_text("just one line\nand another", "notes.txt");
        assert_eq!(a.title, "notes.txt");
        assert_eq!(paragraph_texts(&a), ["just one line", "and another"]);
        assert!(a.paragraphs.iter().all(|p| p.kind == BlockKind::Body));
    }

    #[test]
    fn empty_and_blank_text() {
        for raw in ["", "\n\n", "   \n"] {
            let a = Article::from_plain_text(raw, "");
            assert!(a.paragraphs.is_empty());
            assert_eq!(a.title, "Untitled");
        }
    }

    #[test]
    fn bom_is_dropped_and_cr_normalised() {
        let a = Article::from_plain_text("\u{feff}a\rb", "t");
        assert_eq!(a.text, "a\nb");
    }

    #[test]
    fn char_offsets_are_code_points() {
        let text = "Héllo 世界 👩‍🔬 e\u{301}!".repeat(100);
        let a = Article::from_plain_text(&text, "t");
        for (i, (byte, _)) in a.text.char_indices().enumerate() {
            assert_eq!(a.byte_of_char(i), byte);
        }
        assert_eq!(a.byte_of_char(a.char_len()), a.text.len());
        assert_eq!(a.byte_of_char(a.char_len() + 10), a.text.len());
        assert_eq!(a.slice(2..5), "llo");
        assert_eq!(a.slice(6..8), "世界");
    }

    #[test]
    fn paragraph_lookup() {
        let a = Article::from_plain_text("T\n\nab\ncd\n", "x");
        // T=0..1, ab=3..5, cd=6..8
        assert_eq!(a.paragraph_at_or_after(0), Some(0));
        assert_eq!(a.paragraph_at_or_after(1), Some(1));
        assert_eq!(a.paragraph_at_or_after(5), Some(2));
        assert_eq!(a.paragraph_at_or_after(8), None);
        assert_eq!(a.paragraphs_touching(4..7), 1..3);
        assert_eq!(a.paragraphs_touching(5..6), 2..2);
    }

    #[test]
    fn word_steps() {
        let a = Article::from_plain_text("one, two’s 3rd", "t");
        assert_eq!(a.next_word_end(0), 3);
        assert_eq!(a.next_word_end(3), 10);
        assert_eq!(a.next_word_end(10), 14);
        assert_eq!(a.next_word_end(14), 14);
        assert_eq!(a.prev_word_start(14), 11);
        assert_eq!(a.prev_word_start(11), 5);
        assert_eq!(a.prev_word_start(5), 0);
        assert_eq!(a.prev_word_start(0), 0);
    }

    fn structured(blocks: Vec<super::super::structure::Block>) -> Article {
        Article::from_structured(
            StructuredText {
                meta: Metadata::default(),
                blocks,
            },
            "fallback.html",
        )
    }

    #[test]
    fn structured_blocks_are_normalised() {
        use super::super::structure::{Block, Run};
        let a = structured(vec![
            Block::plain(BlockKind::Headline, "  Big \n news "),
            Block::new(
                BlockKind::Body,
                vec![
                    Run::plain("A\t"),
                    Run::styled(" big ", InlineStyle::EMPHASIS),
                    Run::plain(" day\u{2028}  next line  \u{2028}"),
                ],
            ),
            Block::plain(BlockKind::Body, " \n\t "),
            Block::plain(BlockKind::Preformatted, "\n\nfn  main() {\r\n    x\n}\n\n"),
        ]);
        assert_eq!(
            a.text,
            "Big news\n\nA big day\nnext line\n\nfn  main() {\n    x\n}"
        );
        assert_eq!(a.title, "Big news");
        assert_eq!(
            paragraph_texts(&a),
            ["Big news", "A big day\nnext line", "fn  main() {\n    x\n}"]
        );
        let body = &a.paragraphs[1];
        assert_eq!(body.spans.len(), 1);
        assert_eq!(a.slice(body.spans[0].chars.clone()), "big");
        assert_eq!(body.spans[0].chars, 12..15);
        assert_eq!(a.paragraphs[2].kind, BlockKind::Preformatted);
        for p in &a.paragraphs {
            assert_eq!(a.slice(p.chars.clone()), &a.text[p.bytes.clone()]);
        }
    }

    #[test]
    fn structured_title_falls_back_and_adjacent_styles_merge() {
        use super::super::structure::{Block, Run};
        let a = structured(vec![Block::new(
            BlockKind::Body,
            vec![
                Run::styled("one ", InlineStyle::STRONG),
                Run::styled("two", InlineStyle::STRONG),
                Run::plain(""),
            ],
        )]);
        assert_eq!(a.title, "fallback.html");
        assert_eq!(a.paragraphs[0].spans.len(), 1);
        assert_eq!(a.slice(a.paragraphs[0].spans[0].chars.clone()), "one two");
        let empty = structured(Vec::new());
        assert!(empty.text.is_empty() && empty.paragraphs.is_empty());
    }

    #[test]
    fn hash_depends_on_text_only() {
        let a = Article::from_plain_text("T\n\nbody", "a");
        let b = Article::from_plain_text("T\r\n\r\nbody", "b");
        assert_eq!(a.hash, b.hash);
        assert!(a.hash.0.starts_with("sha256:") && a.hash.0.len() == 7 + 64);
        assert_ne!(a.hash, Article::from_plain_text("T\n\nbody.", "a").hash);
    }

    /// The pieces of the only body paragraph of `text`, checked: in order, covering it but for
    /// white space at the cuts, none too long, flagged as cut where they are.
    fn pieces_of(a: &Article) -> Vec<&str> {
        let pieces: Vec<&Paragraph> = a.paragraphs.iter().collect();
        for (i, p) in pieces.iter().enumerate() {
            assert!(p.chars.len() <= LONGEST_PARAGRAPH, "piece {i} too long");
            assert_eq!(a.slice(p.chars.clone()), &a.text[p.bytes.clone()]);
            assert_eq!(p.cut_before, i > 0);
            assert_eq!(p.cut_after, i + 1 < pieces.len());
        }
        for w in pieces.windows(2) {
            let gap = a.slice(w[0].chars.end..w[1].chars.start);
            assert!(gap.chars().all(char::is_whitespace), "{gap:?} lost");
            assert!(gap.chars().count() <= 1);
        }
        pieces.iter().map(|p| a.slice(p.chars.clone())).collect()
    }

    /// `n` sentences of 38 code points each, one space apart.
    pub(crate) fn sentences(n: usize) -> String {
        (0..n)
            .map(|i| format!("Sentence {i:03} says the memo is real."))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn a_long_paragraph_is_cut_after_sentences() {
        let text = &sentences(300);
        let a = Article::from_plain_text(text, "t");
        let pieces = pieces_of(&a);
        assert_eq!(pieces.len(), 3, "{} code points", text.chars().count());
        for piece in &pieces {
            assert!(piece.starts_with("Sentence ") && piece.ends_with("real."));
            assert!(piece.chars().count() >= LONGEST_PARAGRAPH / 2 || piece == &pieces[2]);
        }
        assert_eq!(&pieces.join(" "), text);
    }

    #[test]
    fn a_long_code_block_is_cut_at_line_breaks() {
        let code: String = (0..400)
            .map(|i| format!("let value_{i} = compute({i}); // step {i}\n"))
            .collect();
        let a = Article::from_structured(
            StructuredText {
                meta: Metadata::default(),
                blocks: vec![Block::plain(BlockKind::Preformatted, code.trim_end())],
            },
            "t",
        );
        let pieces = pieces_of(&a);
        assert!(pieces.len() >= 4);
        assert!(
            pieces
                .iter()
                .all(|p| p.starts_with("let ") && p.ends_with(|c: char| c.is_ascii_digit()))
        );
        assert!(
            a.paragraphs
                .iter()
                .all(|p| p.kind == BlockKind::Preformatted)
        );
        assert_eq!(pieces.join("\n"), code.trim_end());
    }

    #[test]
    fn text_without_spaces_is_cut_after_sentence_ends_or_anywhere() {
        let chinese = "阿里巴巴否认了这份报告的说法。".repeat(400);
        let a = Article::from_plain_text(&chinese, "t");
        let pieces = pieces_of(&a);
        assert!(pieces.len() >= 2);
        assert!(pieces.iter().all(|p| p.ends_with('。')));
        assert_eq!(pieces.concat(), chinese);

        let run = "x".repeat(9_000);
        let a = Article::from_plain_text(&run, "t");
        let lengths: Vec<usize> = pieces_of(&a).iter().map(|p| p.chars().count()).collect();
        assert_eq!(lengths, [4_000, 4_000, 1_000]);
    }

    #[test]
    fn styles_are_cut_with_their_paragraph() {
        let words: String = "word ".repeat(1_000);
        let text = format!("{}strong words here{}", words, words.trim_end());
        let a = Article::from_structured(
            StructuredText {
                meta: Metadata::default(),
                blocks: vec![Block::new(
                    BlockKind::Body,
                    vec![Run::styled(text.clone(), InlineStyle::STRONG)],
                )],
            },
            "t",
        );
        let pieces = pieces_of(&a);
        assert!(pieces.len() >= 3);
        for p in &a.paragraphs {
            assert_eq!(p.spans.len(), 1);
            assert_eq!(p.spans[0].chars, p.chars, "the style covers each piece");
        }
    }
}
