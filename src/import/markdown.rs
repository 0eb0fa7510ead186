//! Markdown → blocks, with `pulldown-cmark` (CommonMark plus tables, footnotes, strikethrough,
//! task lists) and front matter (TOML between `+++` lines, YAML between `---` lines) for the
//! title, date, authors, description and language.
//!
//! Mapping: a first-level heading that comes before any text is the headline, other headings
//! keep their level (a later `#` counts as level 2); paragraphs inside quotes are quotes; list
//! items keep depth and number (a second paragraph in an item follows a line break); code blocks
//! are preformatted; table rows become one block each, cells separated by ` | `; images and raw
//! HTML are left out.

use pulldown_cmark::{Event, HeadingLevel, MetadataBlockKind, Options, Parser, Tag, TagEnd};

use crate::model::structure::{
    Block, BlockKind, InlineStyle, LINE_BREAK, Metadata, Run, SourceFormat, StructuredText,
};

/// Converts Markdown source to structured text.
///
/// Example: `"+++\ntitle = \"T\"\n+++\n\nA *b*"` has the title `T`, a headline block `T`
/// (added from the front matter) and a body block `A b` with `b` emphasised.
pub fn markdown_to_structured(source: &str) -> StructuredText {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
    let mut b = Builder::default();
    let mut meta = Metadata {
        format: SourceFormat::Markdown,
        ..Metadata::default()
    };
    let mut metadata_kind = None;
    for event in Parser::new_ext(source, options) {
        match event {
            Event::Start(Tag::MetadataBlock(kind)) => metadata_kind = Some(kind),
            Event::End(TagEnd::MetadataBlock(_)) => metadata_kind = None,
            Event::Text(text) if metadata_kind.is_some() => {
                read_front_matter(
                    &text,
                    metadata_kind == Some(MetadataBlockKind::PlusesStyle),
                    &mut meta,
                );
            }
            event => b.event(event),
        }
    }
    b.flush();
    let mut blocks = b.blocks;
    if let Some(title) = &meta.title
        && !blocks.iter().any(|b| b.kind == BlockKind::Headline)
    {
        blocks.insert(0, Block::plain(BlockKind::Headline, title.clone()));
    }
    StructuredText { meta, blocks }
}

#[derive(Default)]
struct Builder {
    blocks: Vec<Block>,
    /// The block being filled, if any.
    current: Option<Block>,
    styles: Vec<InlineStyle>,
    quote_depth: u8,
    /// One entry per open list: the next number (`None` for bullets).
    lists: Vec<Option<u64>>,
    /// Inside an item whose first paragraph has been written.
    item_has_text: bool,
    in_image: usize,
    in_table_cell: bool,
    seen_text: bool,
}

impl Builder {
    fn style(&self) -> InlineStyle {
        self.styles
            .iter()
            .fold(InlineStyle::PLAIN, |acc, s| acc.with(*s))
    }

    fn flush(&mut self) {
        if let Some(block) = self.current.take()
            && block.runs.iter().any(|r| !r.text.trim().is_empty())
        {
            self.seen_text = true;
            self.blocks.push(block);
        }
    }

    fn open(&mut self, kind: BlockKind) {
        self.flush();
        self.current = Some(Block::new(kind, Vec::new()));
    }

    fn paragraph_kind(&self) -> BlockKind {
        if self.quote_depth > 0 {
            BlockKind::Quote(self.quote_depth)
        } else {
            BlockKind::Body
        }
    }

    fn push(&mut self, text: &str, style: InlineStyle) {
        if self.in_image > 0 {
            return;
        }
        if self.current.is_none() {
            let kind = self.paragraph_kind();
            self.current = Some(Block::new(kind, Vec::new()));
        }
        if let Some(block) = &mut self.current {
            match block.runs.last_mut() {
                Some(last) if last.style == style => last.text.push_str(text),
                _ => block.runs.push(Run::styled(text, style)),
            }
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.push(&text, self.style()),
            Event::Code(text) => self.push(&text, self.style().with(InlineStyle::CODE)),
            Event::InlineMath(text) | Event::DisplayMath(text) => {
                self.push(&text, self.style().with(InlineStyle::CODE));
            }
            Event::SoftBreak => self.push(" ", self.style()),
            Event::HardBreak => self.push(&LINE_BREAK.to_string(), self.style()),
            Event::FootnoteReference(label) => self.push(&format!("[{label}]"), self.style()),
            Event::TaskListMarker(done) => self.push(if done { "☑ " } else { "☐ " }, self.style()),
            Event::Html(_) | Event::InlineHtml(_) | Event::Rule => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                if !self.lists.is_empty() && self.current.is_some() && !self.item_has_text {
                    // The item's first paragraph goes into the item's block.
                    self.item_has_text = true;
                } else if !self.lists.is_empty() && self.item_has_text && self.current.is_some() {
                    self.push(&LINE_BREAK.to_string(), InlineStyle::PLAIN);
                } else {
                    let kind = self.paragraph_kind();
                    self.open(kind);
                }
            }
            Tag::Heading { level, .. } => {
                let kind = match level {
                    HeadingLevel::H1 if !self.seen_text && self.blocks.is_empty() => {
                        BlockKind::Headline
                    }
                    HeadingLevel::H1 | HeadingLevel::H2 => BlockKind::Heading(2),
                    HeadingLevel::H3 => BlockKind::Heading(3),
                    HeadingLevel::H4 => BlockKind::Heading(4),
                    HeadingLevel::H5 => BlockKind::Heading(5),
                    HeadingLevel::H6 => BlockKind::Heading(6),
                };
                self.open(kind);
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.quote_depth = self.quote_depth.saturating_add(1);
            }
            Tag::CodeBlock(_) => self.open(BlockKind::Preformatted),
            Tag::List(start) => {
                self.flush();
                self.lists.push(start);
            }
            Tag::Item => {
                let depth = u8::try_from(self.lists.len()).unwrap_or(u8::MAX);
                let number = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let this = *n;
                        *n += 1;
                        u32::try_from(this).ok()
                    }
                    _ => None,
                };
                self.open(BlockKind::ListItem { depth, number });
                self.item_has_text = false;
            }
            Tag::FootnoteDefinition(label) => {
                self.open(BlockKind::Body);
                self.push(&format!("[{label}] "), InlineStyle::PLAIN);
                self.item_has_text = true;
            }
            Tag::Table(_) => self.flush(),
            Tag::TableHead | Tag::TableRow => self.open(BlockKind::Body),
            Tag::TableCell => {
                if self.in_table_cell || self.current.as_ref().is_some_and(|b| !b.runs.is_empty()) {
                    self.push(" | ", InlineStyle::PLAIN);
                }
                self.in_table_cell = true;
            }
            Tag::Emphasis => self.styles.push(InlineStyle::EMPHASIS),
            Tag::Strong => self.styles.push(InlineStyle::STRONG),
            Tag::Strikethrough | Tag::Superscript | Tag::Subscript => {
                self.styles.push(InlineStyle::PLAIN);
            }
            Tag::Link { .. } => self.styles.push(InlineStyle::LINK),
            Tag::Image { .. } => self.in_image += 1,
            Tag::HtmlBlock
            | Tag::MetadataBlock(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph if self.lists.is_empty() => self.flush(),
            TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::TableHead | TagEnd::TableRow => {
                self.flush();
            }
            TagEnd::Item | TagEnd::FootnoteDefinition => {
                self.flush();
                self.item_has_text = false;
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote_depth = self.quote_depth.saturating_sub(1);
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                // Text after a nested list inside an item continues the item as a new block.
                self.item_has_text = true;
            }
            TagEnd::TableCell => self.in_table_cell = false,
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link => {
                self.styles.pop();
            }
            TagEnd::Image => self.in_image = self.in_image.saturating_sub(1),
            _ => {}
        }
    }
}

/// Reads title, date, authors, description and language from front matter.
fn read_front_matter(text: &str, toml_style: bool, meta: &mut Metadata) {
    let fields: Vec<(String, Vec<String>)> = if toml_style {
        match text.parse::<toml::Table>() {
            Ok(table) => table
                .into_iter()
                .map(|(k, v)| (k, toml_strings(&v)))
                .collect(),
            Err(err) => {
                log::warn!("front matter is not valid TOML: {err}");
                Vec::new()
            }
        }
    } else {
        yaml_scalars(text)
    };
    for (key, values) in fields {
        let joined = values.join(", ");
        if joined.trim().is_empty() {
            continue;
        }
        let slot = match key.to_ascii_lowercase().as_str() {
            "title" => &mut meta.title,
            "date" | "published" | "pubdate" | "publishdate" => &mut meta.published,
            "author" | "authors" | "byline" => &mut meta.byline,
            "description" | "summary" | "excerpt" => &mut meta.excerpt,
            "lang" | "language" | "locale" => &mut meta.lang,
            "url" | "canonical" | "canonicalurl" | "canonical_url" => &mut meta.url,
            "site" | "site_name" | "sitename" | "publisher" => &mut meta.site,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(joined.trim().to_owned());
        }
    }
}

fn toml_strings(value: &toml::Value) -> Vec<String> {
    match value {
        toml::Value::String(s) => vec![s.clone()],
        toml::Value::Datetime(d) => vec![d.to_string()],
        toml::Value::Array(items) => items.iter().flat_map(toml_strings).collect(),
        toml::Value::Table(t) => t.get("name").map(toml_strings).unwrap_or_default(),
        toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_) => Vec::new(),
    }
}

/// Top-level `key: value` pairs and `key:` followed by `- item` lists, from YAML front matter.
/// Nested mappings and multi-line strings are not read (only scalars matter here).
fn yaml_scalars(text: &str) -> Vec<(String, Vec<String>)> {
    let unquote = |s: &str| {
        let s = s.trim();
        s.strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .or_else(|| s.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
            .unwrap_or(s)
            .to_owned()
    };
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines() {
        if let Some(item) = line.trim_start().strip_prefix("- ")
            && line.starts_with([' ', '-'])
            && let Some((_, values)) = out.last_mut()
        {
            values.push(unquote(item));
        } else if !line.starts_with([' ', '\t', '#'])
            && let Some((key, value)) = line.split_once(':')
        {
            let value = value.trim();
            let values =
                if let Some(list) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
                    list.split(',').map(unquote).collect()
                } else if value.is_empty() {
                    Vec::new()
                } else {
                    vec![unquote(value)]
                };
            out.push((key.trim().to_owned(), values));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Article;

    fn article(md: &str) -> Article {
        Article::from_structured(markdown_to_structured(md), "x.md")
    }

    fn kinds(a: &Article) -> Vec<(BlockKind, &str)> {
        a.paragraphs
            .iter()
            .map(|p| (p.kind, &a.text[p.bytes.clone()]))
            .collect()
    }

    #[test]
    fn toml_front_matter_and_structure() {
        let a = article(
            "+++\ntitle = \"Security advisory\"\nauthors = [\"The Rust Security WG\"]\ndate = 2021-11-01\n+++\n\n\
             > A *quoted* line\n> continues.\n\n## Overview\n\nThe **flaw** is in `rustc`.\n\n\
             1. first\n2. second\n   - nested\n\n```\nfn main() {}\n```\n",
        );
        assert_eq!(a.title, "Security advisory");
        assert_eq!(a.meta.byline.as_deref(), Some("The Rust Security WG"));
        assert_eq!(a.meta.published.as_deref(), Some("2021-11-01"));
        assert_eq!(a.meta.format, SourceFormat::Markdown);
        assert_eq!(
            kinds(&a),
            [
                (BlockKind::Headline, "Security advisory"),
                (BlockKind::Quote(1), "A quoted line continues."),
                (BlockKind::Heading(2), "Overview"),
                (BlockKind::Body, "The flaw is in rustc."),
                (
                    BlockKind::ListItem {
                        depth: 1,
                        number: Some(1)
                    },
                    "first"
                ),
                (
                    BlockKind::ListItem {
                        depth: 1,
                        number: Some(2)
                    },
                    "second"
                ),
                (
                    BlockKind::ListItem {
                        depth: 2,
                        number: None
                    },
                    "nested"
                ),
                (BlockKind::Preformatted, "fn main() {}"),
            ]
        );
        // "quoted" is emphasised: find it by its text.
        let quote = &a.paragraphs[1];
        let span = &quote.spans[0];
        assert_eq!(a.slice(span.chars.clone()), "quoted");
        assert_eq!(span.style, InlineStyle::EMPHASIS);
        let body = &a.paragraphs[3];
        let styled: Vec<_> = body
            .spans
            .iter()
            .map(|s| (a.slice(s.chars.clone()), s.style))
            .collect();
        assert_eq!(
            styled,
            [("flaw", InlineStyle::STRONG), ("rustc", InlineStyle::CODE)]
        );
    }

    #[test]
    fn yaml_front_matter_and_first_heading_as_headline() {
        let a = article(
            "---\ntitle: \"Ignored when a heading exists? no: title wins\"\nauthor:\n  - Jane Doe\n  - John Roe\nlang: en\n---\n# Heading one\n\nText with a  \nhard break and [a link](http://x).\n",
        );
        assert_eq!(a.title, "Ignored when a heading exists? no: title wins");
        assert_eq!(a.meta.byline.as_deref(), Some("Jane Doe, John Roe"));
        assert_eq!(a.meta.lang.as_deref(), Some("en"));
        assert_eq!(
            kinds(&a),
            [
                (BlockKind::Headline, "Heading one"),
                (BlockKind::Body, "Text with a\nhard break and a link."),
            ]
        );
        assert_eq!(a.paragraphs[1].spans[0].style, InlineStyle::LINK);
    }

    #[test]
    fn loose_list_items_tables_and_images() {
        let a = article(
            "- one\n\n  more of one\n\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![alt text](x.png) caption\n",
        );
        assert_eq!(
            kinds(&a),
            [
                (
                    BlockKind::ListItem {
                        depth: 1,
                        number: None
                    },
                    "one\nmore of one"
                ),
                (
                    BlockKind::ListItem {
                        depth: 1,
                        number: None
                    },
                    "two"
                ),
                (BlockKind::Body, "a | b"),
                (BlockKind::Body, "1 | 2"),
                (BlockKind::Body, "caption"),
            ]
        );
    }

    #[test]
    fn the_same_source_gives_the_same_text_and_hash() {
        let md = "# T\n\nSome *text*.\n";
        assert_eq!(article(md).hash, article(md).hash);
    }
}
