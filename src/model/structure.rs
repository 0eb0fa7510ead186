//! Structured text as importers produce it: blocks (headings, paragraphs, quotes, list items,
//! preformatted text) made of styled runs, plus the article's metadata.
//!
//! Importers (HTML, Markdown, PDF, EPUB, plain text) all produce a [`StructuredText`];
//! [`crate::model::Article::from_structured`] turns it into the one normalised text that anchors
//! point into. This file depends on nothing but `std` and `serde`, so that importers can be
//! developed and tested on their own.
//!
//! Whitespace rules, applied when the article is built (importers need not collapse it):
//! - outside [`BlockKind::Preformatted`], every run of white space becomes one space, and the
//!   block is trimmed;
//! - a hard line break (HTML `<br>`, a Markdown hard break, a line of verse) is written as
//!   [`LINE_BREAK`] (U+2028) and becomes `\n` in the article text;
//! - blocks are separated by a blank line (`\n\n`); empty blocks are dropped.

use serde::{Deserialize, Serialize};

/// Importers write this for a hard line break inside a block; it becomes `\n` in the text.
pub const LINE_BREAK: char = '\u{2028}';

/// What kind of block a paragraph is; decides how the reader sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BlockKind {
    /// The article's headline (annotatable like any other text).
    Headline,
    /// A section heading; level 2..=6 (a level-1 heading inside an article is also 2).
    Heading(u8),
    /// An ordinary paragraph.
    Body,
    /// A paragraph inside a block quote; `depth` 1 for a quote, 2 for a quote in a quote.
    Quote(u8),
    /// A list item; `depth` 1 for a top-level list; `number` for ordered lists (`None`: bullet).
    ListItem { depth: u8, number: Option<u32> },
    /// Preformatted text (code, tables rendered as text): white space kept as it is.
    Preformatted,
}

/// Inline styles of a run, as bit flags. `InlineStyle::PLAIN` is no style at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InlineStyle(pub u8);

impl InlineStyle {
    pub const PLAIN: Self = Self(0);
    pub const EMPHASIS: Self = Self(1);
    pub const STRONG: Self = Self(2);
    pub const CODE: Self = Self(4);
    pub const LINK: Self = Self(8);

    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    pub fn is_plain(self) -> bool {
        self.0 == 0
    }
}

/// A piece of text with one style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub text: String,
    pub style: InlineStyle,
}

impl Run {
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            style: InlineStyle::PLAIN,
        }
    }

    pub fn styled(text: impl Into<String>, style: InlineStyle) -> Self {
        Self {
            text: text.into(),
            style,
        }
    }
}

/// One block of an imported article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    pub runs: Vec<Run>,
}

impl Block {
    pub fn new(kind: BlockKind, runs: Vec<Run>) -> Self {
        Self { kind, runs }
    }

    /// A block of one plain run.
    pub fn plain(kind: BlockKind, text: impl Into<String>) -> Self {
        Self {
            kind,
            runs: vec![Run::plain(text)],
        }
    }
}

/// The format an article was imported from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceFormat {
    #[default]
    Text,
    Markdown,
    Html,
    Pdf,
    Epub,
}

impl SourceFormat {
    /// Lower-case name, as `claimlens text --json` prints it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Markdown => "markdown",
            Self::Html => "html",
            Self::Pdf => "pdf",
            Self::Epub => "epub",
        }
    }
}

/// What is known about an article besides its text. Every field is optional except the format.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    pub title: Option<String>,
    /// Author(s), as the source states them ("By Jane Doe", "Jane Doe and John Roe").
    pub byline: Option<String>,
    /// The publication or site name.
    pub site: Option<String>,
    /// Publication date as the source gives it (ISO 8601 where the source has one).
    pub published: Option<String>,
    /// A short summary the source provides.
    pub excerpt: Option<String>,
    /// Language tag (`en`, `pt-BR`).
    pub lang: Option<String>,
    /// Canonical URL.
    pub url: Option<String>,
    pub format: SourceFormat,
    /// The character encoding the bytes were decoded from, when it was not UTF-8.
    pub encoding: Option<String>,
}

/// An imported article before normalisation: metadata and blocks in reading order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StructuredText {
    pub meta: Metadata,
    pub blocks: Vec<Block>,
}
