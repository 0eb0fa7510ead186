//! HTML import: the page's main content (the article, not its navigation, ads or comments) as
//! [`Block`]s, with the page's metadata.
//!
//! [`html_to_structured`] runs in three steps:
//! 1. a non-recursive scan (`scan_page`) runs html5ever's tree builder, with the extractor's
//!    options, into a tree of bare nodes (no text, no attributes): it measures the nesting
//!    depth the extractor's own parse will produce, exactly (misnested markup included), and
//!    reads the head's metadata (`<title>`, `<html lang>`, canonical link, `og:*` tags);
//! 2. when the depth is at most [`MAX_NESTING`], a main-content `Extractor` (today
//!    `Readability`: the `legible` crate, a port of Mozilla's Readability.js) picks the
//!    article and reads its metadata; deeper pages skip this step, because every extractor
//!    tried recurses over the DOM (stack overflow) or turns quadratic on them;
//! 3. [`html_fragment_to_blocks`] turns the article's HTML into blocks. When extraction finds
//!    nothing (or was skipped), the same converter turns the whole page's visible text into
//!    blocks, so the result is never empty for a page that has text.
//!
//! [`html_fragment_to_blocks`] (also used for EPUB chapters) works on the token stream with an
//! explicit stack of open elements: no recursion, no DOM, linear time on any nesting.
//! It honours XHTML's self-closing tags (`<a id="x"/>` is empty), closes `<p>`, `<li>`, `<td>`,
//! … implicitly the way HTML does, and ignores scripts, styles, templates, `<svg>`, media
//! fallbacks, and elements marked `hidden` or `display: none`. Images are skipped (their alt
//! text is mostly a file name or a description of a picture, and Readability's text leaves it
//! out too); figure captions are kept as body text.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tendril::TendrilSink;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{NodeOrText, TreeSink};
use html5ever::{LocalName, QualName, TokenizerResult};

use crate::model::structure::{
    Block, BlockKind, InlineStyle, LINE_BREAK, Metadata, Run, SourceFormat, StructuredText,
};

/// Pages whose elements nest deeper than this skip main-content extraction (see the module doc).
/// Real pages stay far below (the deepest of the 100 Readability test pages in the corpus nests
/// 36 levels). An extractor gets at most this depth on a 2 MiB stack (tested).
pub const MAX_NESTING: usize = 512;

/// How far down the stack of open elements an end tag or an implied end looks for its element.
/// Bounds the work per tag on hostile input; real pages never need more.
const SEARCH_LIMIT: usize = 256;

/// Imports an HTML page: its main content as blocks, the article's title first as a
/// [`BlockKind::Headline`], and the page's metadata. `url` is where the page came from (used
/// when the page names no canonical URL, and to resolve a relative one).
///
/// Never returns an empty article for a page that has visible text: when extraction finds
/// nothing, the whole page's visible text is imported instead.
pub fn html_to_structured(html: &str, url: Option<&str>) -> StructuredText {
    html_to_structured_with(&Readability, html, url)
}

/// [`html_to_structured`] with a given main-content extractor.
pub(crate) fn html_to_structured_with(
    extractor: &dyn Extractor,
    html: &str,
    url: Option<&str>,
) -> StructuredText {
    let scan = scan_page(html);
    let base = url.filter(|u| is_absolute_url(u));
    let extracted = if scan.too_deep {
        None
    } else {
        extractor.extract(html, base)
    };

    let mut meta = Metadata {
        format: SourceFormat::Html,
        ..Metadata::default()
    };
    let mut blocks = Vec::new();
    let mut extracted_meta = false;
    if let Some(ex) = extracted {
        blocks = html_fragment_to_blocks(&ex.content_html);
        // The extractor read the metadata the way Readability does (meta tags, JSON-LD, the
        // page's byline); what it left out is not there, or not trustworthy.
        extracted_meta = true;
        meta.title = clean(ex.title);
        meta.byline = clean(ex.byline);
        meta.site = clean(ex.site);
        meta.published = clean(ex.published);
        meta.excerpt = clean(ex.excerpt);
        meta.lang = clean(ex.lang);
    }
    if !has_text(&blocks) {
        // Nothing extracted: the whole page's visible text.
        blocks = html_fragment_to_blocks(html);
    }
    meta.title = meta.title.or_else(|| clean(scan.title.clone()));
    meta.lang = meta.lang.or_else(|| clean(scan.lang.clone()));
    if !extracted_meta {
        meta.site = clean(scan.site.clone());
        meta.excerpt = clean(scan.description.clone());
        meta.byline = clean(scan.author.clone());
        meta.published = clean(scan.published.clone());
    }
    meta.url = scan
        .canonical
        .as_deref()
        .or(scan.og_url.as_deref())
        .and_then(|u| resolve_url(u, base))
        .or_else(|| url.map(str::to_owned));

    if let Some(title) = &meta.title {
        // The headline is the title; a first heading that repeats it goes.
        if blocks
            .first()
            .is_some_and(|b| matches!(b.kind, BlockKind::Heading(_)) && same_text(b, title))
        {
            blocks.remove(0);
        }
        blocks.insert(0, Block::plain(BlockKind::Headline, title.clone()));
    }
    StructuredText { meta, blocks }
}

// ---------------------------------------------------------------------------------------------
// The extractor interface

/// What a main-content extractor returns: the article's HTML and what it read about the page.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extracted {
    pub content_html: String,
    pub title: Option<String>,
    pub byline: Option<String>,
    pub site: Option<String>,
    pub published: Option<String>,
    pub excerpt: Option<String>,
    pub lang: Option<String>,
}

/// Finds a page's main content. Implementations may recurse over the DOM: they are only given
/// pages that nest at most [`MAX_NESTING`] deep. `url` is absolute when given.
pub(crate) trait Extractor {
    /// The main content, or `None` when the extractor finds none.
    fn extract(&self, html: &str, url: Option<&str>) -> Option<Extracted>;
}

/// Mozilla's Readability.js algorithm as ported by the `legible` crate (Apache-2.0).
pub(crate) struct Readability;

impl Extractor for Readability {
    fn extract(&self, html: &str, url: Option<&str>) -> Option<Extracted> {
        // A panic in the extractor must not lose the import: fall back to the page's text.
        let article = std::panic::catch_unwind(|| legible::parse(html, url, None).ok()).ok()??;
        Some(Extracted {
            content_html: article.content,
            title: Some(article.title),
            byline: article.byline,
            site: article.site_name,
            published: article.published_time,
            excerpt: article.excerpt,
            lang: article.lang,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

fn clean(s: Option<String>) -> Option<String> {
    let s = s?;
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!collapsed.is_empty()).then_some(collapsed)
}

fn has_text(blocks: &[Block]) -> bool {
    blocks.iter().any(|b| {
        b.runs
            .iter()
            .any(|r| r.text.chars().any(|c| !c.is_whitespace()))
    })
}

/// The block's text, white space collapsed, equals `title` (case-insensitively).
fn same_text(block: &Block, title: &str) -> bool {
    let text: String = block.runs.iter().map(|r| r.text.as_str()).collect();
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(&text) == norm(title)
}

fn is_absolute_url(u: &str) -> bool {
    url::Url::parse(u).is_ok_and(|u| !u.cannot_be_a_base())
}

fn resolve_url(href: &str, base: Option<&str>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    match url::Url::parse(href) {
        Ok(u) => Some(u.into()),
        Err(_) => {
            let base = url::Url::parse(base?).ok()?;
            base.join(href).ok().map(Into::into)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Element classes

/// Elements that never have content or an end tag.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "image"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements whose start tag closes an open `<p>` (HTML's "close a p element").
fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "dd"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "li"
            | "listing"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "plaintext"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "ul"
            | "xmp"
    )
}

/// Elements an end tag or an implied end does not look past (HTML's scope boundaries, with
/// `<svg>`/`<math>` and SVG's `title`, which only make the scan stop sooner).
fn is_scope_boundary(name: &str) -> bool {
    matches!(
        name,
        "applet"
            | "caption"
            | "html"
            | "table"
            | "td"
            | "th"
            | "marquee"
            | "object"
            | "template"
            | "svg"
            | "math"
            | "mi"
            | "mo"
            | "mn"
            | "ms"
            | "mtext"
            | "annotation-xml"
            | "foreignobject"
            | "foreignObject"
            | "desc"
            | "title"
    )
}

/// HTML's "special" elements: a misplaced end tag or a new list item does not close past them.
fn is_special(name: &str) -> bool {
    is_scope_boundary(name)
        || matches!(
            name,
            "address"
                | "area"
                | "article"
                | "aside"
                | "base"
                | "basefont"
                | "bgsound"
                | "blockquote"
                | "body"
                | "br"
                | "button"
                | "center"
                | "col"
                | "colgroup"
                | "dd"
                | "details"
                | "dir"
                | "div"
                | "dl"
                | "dt"
                | "embed"
                | "fieldset"
                | "figcaption"
                | "figure"
                | "footer"
                | "form"
                | "frame"
                | "frameset"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "head"
                | "header"
                | "hgroup"
                | "hr"
                | "iframe"
                | "img"
                | "input"
                | "keygen"
                | "li"
                | "link"
                | "listing"
                | "main"
                | "menu"
                | "meta"
                | "nav"
                | "noembed"
                | "noframes"
                | "noscript"
                | "ol"
                | "p"
                | "param"
                | "plaintext"
                | "pre"
                | "script"
                | "search"
                | "section"
                | "select"
                | "source"
                | "style"
                | "summary"
                | "tbody"
                | "textarea"
                | "tfoot"
                | "thead"
                | "tr"
                | "track"
                | "ul"
                | "wbr"
                | "xmp"
        )
}

/// The tokenizer state an element's content is read in (HTML only, not inside `<svg>`/`<math>`).
fn raw_kind(name: &str) -> Option<TokenSinkResult<()>> {
    Some(match name {
        "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
            TokenSinkResult::RawData(RawKind::Rawtext)
        }
        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
        "plaintext" => TokenSinkResult::Plaintext,
        _ => return None,
    })
}

fn attr<'t>(tag: &'t Tag, name: &str) -> Option<&'t str> {
    tag.attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

/// `hidden`, `aria-hidden="true"` or an inline style that hides the element.
fn is_hidden(tag: &Tag) -> bool {
    tag.attrs.iter().any(|a| match &*a.name.local {
        "hidden" => true,
        "aria-hidden" => a.value.trim().eq_ignore_ascii_case("true"),
        "style" => {
            let s: String = a
                .value
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            s.contains("display:none") || s.contains("visibility:hidden")
        }
        _ => false,
    })
}

/// Runs html5ever's tokenizer over `html`, giving every token to `sink`. The sink stops the
/// run early by answering a start tag with [`TokenSinkResult::Script`].
fn tokenize<S: TokenSink<Handle = ()>>(html: &str, sink: S) -> S {
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    loop {
        match tokenizer.feed(&input) {
            TokenizerResult::Done => break,
            // Only sent to stop early; `end` must not run then (it cannot handle it).
            TokenizerResult::Script(()) => return tokenizer.sink,
            TokenizerResult::EncodingIndicator(_) => {}
        }
    }
    tokenizer.end();
    tokenizer.sink
}

// ---------------------------------------------------------------------------------------------
// The stack of open elements (shared by the scan and the converter)

/// How many kinds of element [`OpenElements`] counts.
const COUNTED: usize = 10;

/// Elements that implied end tags close are counted while open, so that most tags need no
/// search of the stack (headings share a count: they close one another).
fn counted_slot(name: &str) -> Option<usize> {
    Some(match name {
        "p" => 0,
        "li" => 1,
        "dd" => 2,
        "dt" => 3,
        "tr" => 4,
        "td" => 5,
        "th" => 6,
        "option" => 7,
        "a" => 8,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => 9,
        _ => return None,
    })
}

/// How far [`OpenElements::find`] looks.
#[derive(Clone, Copy)]
enum Stop<'a> {
    /// Only at the current (innermost) element.
    Top,
    /// Not past a special element.
    Special,
    /// Not past a special element other than `address`, `div` and `p`.
    SpecialButDivP,
    /// Not past a scope boundary or one of these.
    Scope(&'a [&'a str]),
}

/// Open elements, innermost last, each with what its user keeps about it.
struct OpenElements<T> {
    items: Vec<(LocalName, T)>,
    counts: [usize; COUNTED],
}

impl<T> Default for OpenElements<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            counts: [0; COUNTED],
        }
    }
}

impl<T> OpenElements<T> {
    fn len(&self) -> usize {
        self.items.len()
    }

    fn push(&mut self, name: LocalName, value: T) {
        if let Some(slot) = counted_slot(&name) {
            self.counts[slot] += 1;
        }
        self.items.push((name, value));
    }

    fn pop(&mut self) -> Option<(LocalName, T)> {
        let item = self.items.pop()?;
        if let Some(slot) = counted_slot(&item.0) {
            self.counts[slot] -= 1;
        }
        Some(item)
    }

    /// Index of the topmost open element named in `names`, looking no further than `stop`
    /// says (nor further than [`SEARCH_LIMIT`] elements). Where HTML is unsure, this stops
    /// sooner: an element left open can only make the scan count more depth, never less.
    fn find(&self, names: &[&str], stop: Stop<'_>) -> Option<usize> {
        if names
            .iter()
            .all(|n| counted_slot(n).is_some_and(|slot| self.counts[slot] == 0))
        {
            return None;
        }
        for (i, (name, _)) in self.items.iter().enumerate().rev().take(SEARCH_LIMIT) {
            if names.contains(&&**name) {
                return Some(i);
            }
            let stops = match stop {
                Stop::Top => true,
                Stop::Special => is_special(name),
                Stop::SpecialButDivP => {
                    is_special(name) && !matches!(&**name, "address" | "div" | "p")
                }
                Stop::Scope(extra) => is_scope_boundary(name) || extra.contains(&&**name),
            };
            if stops {
                return None;
            }
        }
        None
    }

    /// Where the element an end tag `name` closes is, if it is open.
    fn find_for_end_tag(&self, name: &str) -> Option<usize> {
        if is_scope_boundary(name) {
            // Boundaries close themselves, whatever is open inside.
            return self
                .items
                .iter()
                .rev()
                .take(SEARCH_LIMIT)
                .position(|(n, _)| &**n == name)
                .map(|p| self.items.len() - 1 - p);
        }
        let stop = match name {
            "li" => Stop::Scope(&["ol", "ul"]),
            "p" => Stop::Scope(&["button"]),
            n if is_special(n) => Stop::Scope(&[]),
            // Other end tags (`</span>`, `</b>`) do not close past a special element: HTML
            // ignores them there, or (formatting elements) rearranges the tree without
            // making it shallower.
            _ => Stop::Special,
        };
        self.find(&[name], stop)
    }
}

// ---------------------------------------------------------------------------------------------
// The scan: nesting depth and the head's metadata

/// What [`scan_page`] found.
#[derive(Debug, Default)]
pub(crate) struct PageScan {
    /// The page nests deeper than [`MAX_NESTING`] (the scan stopped there).
    pub too_deep: bool,
    /// The deepest nesting of elements (up to where the scan stopped).
    pub max_depth: usize,
    pub title: Option<String>,
    pub lang: Option<String>,
    pub canonical: Option<String>,
    pub og_url: Option<String>,
    pub site: Option<String>,
    pub description: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
}

/// Input is given to the tree builder in pieces of this many bytes, so that a hostile page
/// stops being parsed soon after it nests too deep (the tree builder's own work per tag grows
/// with the depth).
const SCAN_CHUNK: usize = 4 * 1024;

const NO_NODE: u32 = u32::MAX;

/// A node of the [`Shape`]: only where it hangs, and an element's name.
struct ShapeNode {
    parent: u32,
    first_child: u32,
    last_child: u32,
    prev: u32,
    next: u32,
    annotation_xml_integration: bool,
    /// Depth when last attached (exact for the deepest chain; [`Shape::max_depth`] recomputes
    /// all depths at the end, after the tree builder moved subtrees around).
    depth: u32,
    /// A `<template>`'s content fragment.
    template: u32,
    /// A content fragment's `<template>` (it counts as the fragment's parent).
    owner: u32,
}

impl ShapeNode {
    fn up(&self) -> u32 {
        if self.parent != NO_NODE {
            self.parent
        } else {
            self.owner
        }
    }
}

/// The tree's shape as html5ever's tree builder makes it, without text or attributes: the
/// same builder (and options) as the extractor's, so the same nesting, including everything
/// HTML does to misnested markup.
#[derive(Default)]
struct Shape {
    nodes: RefCell<Vec<ShapeNode>>,
    too_deep: std::cell::Cell<bool>,
    meta: RefCell<PageScan>,
    /// The first HTML `<title>` element, and its text.
    title: std::cell::Cell<u32>,
    title_text: RefCell<String>,
}

/// Scans `html` with html5ever's tree builder into a tree of bare nodes: the nesting depth the
/// extractor's parser will produce (stopping soon after it passes [`MAX_NESTING`]) and the
/// metadata in `<title>`, `<html lang>`, `<link rel=canonical>` and meta tags.
pub(crate) fn scan_page(html: &str) -> PageScan {
    let shape = Shape::default();
    shape.add();
    shape.title.set(NO_NODE);
    let opts = html5ever::ParseOpts {
        tree_builder: html5ever::tree_builder::TreeBuilderOpts {
            // As legible parses: `<noscript>` content is markup.
            scripting_enabled: false,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut parser = html5ever::parse_document(shape, opts);
    let mut rest = html;
    while !rest.is_empty() {
        let mut cut = rest.len().min(SCAN_CHUNK);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (chunk, tail) = rest.split_at(cut);
        parser.process(StrTendril::from_slice(chunk));
        rest = tail;
        if parser.tokenizer.sink.sink.too_deep.get() {
            let shape = &parser.tokenizer.sink.sink;
            let mut out = shape.meta.take();
            out.too_deep = true;
            out.max_depth = MAX_NESTING + 1;
            return shape.finish_meta(out);
        }
    }
    let shape = parser.finish();
    let mut out = shape.meta.take();
    out.max_depth = shape.max_depth();
    out.too_deep = out.max_depth > MAX_NESTING;
    shape.finish_meta(out)
}

impl Shape {
    fn add(&self) -> u32 {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(ShapeNode {
            parent: NO_NODE,
            first_child: NO_NODE,
            last_child: NO_NODE,
            prev: NO_NODE,
            next: NO_NODE,
            annotation_xml_integration: false,
            depth: 0,
            template: NO_NODE,
            owner: NO_NODE,
        });
        (nodes.len() - 1) as u32
    }

    fn detach(nodes: &mut [ShapeNode], node: u32) {
        let n = &nodes[node as usize];
        let (parent, prev, next) = (n.parent, n.prev, n.next);
        if parent == NO_NODE {
            return;
        }
        if prev == NO_NODE {
            nodes[parent as usize].first_child = next;
        } else {
            nodes[prev as usize].next = next;
        }
        if next == NO_NODE {
            nodes[parent as usize].last_child = prev;
        } else {
            nodes[next as usize].prev = prev;
        }
        let n = &mut nodes[node as usize];
        n.parent = NO_NODE;
        n.prev = NO_NODE;
        n.next = NO_NODE;
    }

    /// Hangs `node` under `parent`, before `before` (or last), and checks its depth.
    fn attach(&self, parent: u32, node: u32, before: u32) {
        let mut nodes = self.nodes.borrow_mut();
        Self::detach(&mut nodes, node);
        let prev = if before == NO_NODE {
            nodes[parent as usize].last_child
        } else {
            nodes[before as usize].prev
        };
        {
            let n = &mut nodes[node as usize];
            n.parent = parent;
            n.prev = prev;
            n.next = before;
        }
        if prev == NO_NODE {
            nodes[parent as usize].first_child = node;
        } else {
            nodes[prev as usize].next = node;
        }
        if before == NO_NODE {
            nodes[parent as usize].last_child = node;
        } else {
            nodes[before as usize].prev = node;
        }
        let depth = nodes[parent as usize].depth + 1;
        nodes[node as usize].depth = depth;
        if depth as usize > MAX_NESTING {
            self.too_deep.set(true);
        }
    }

    /// The deepest node's depth, computed once for all nodes (linear, no recursion).
    fn max_depth(&self) -> usize {
        let nodes = self.nodes.borrow();
        let mut depth: Vec<u32> = vec![u32::MAX; nodes.len()];
        let mut path = Vec::new();
        let mut max = 0;
        for start in 0..nodes.len() {
            // Walk up to a node whose depth is known, or to a root.
            let mut node = start as u32;
            let mut next = loop {
                if depth[node as usize] != u32::MAX {
                    break depth[node as usize] + 1;
                }
                path.push(node);
                let up = nodes[node as usize].up();
                if up == NO_NODE || path.len() > nodes.len() {
                    break 0;
                }
                node = up;
            };
            // Then down again, numbering.
            while let Some(n) = path.pop() {
                depth[n as usize] = next;
                max = max.max(next as usize);
                next += 1;
            }
        }
        max
    }

    fn finish_meta(&self, mut out: PageScan) -> PageScan {
        let title = self.title_text.take();
        if out.title.is_none() && !title.trim().is_empty() {
            // `og:title` first (it rarely carries the site's name), else `<title>`.
            out.title = Some(title);
        }
        out
    }

    fn read_meta(&self, name: &QualName, attrs: &[html5ever::Attribute], id: u32) {
        if name.ns != html5ever::ns!(html) {
            return;
        }
        let get = |key: &str| {
            attrs
                .iter()
                .find(|a| &*a.name.local == key)
                .map(|a| a.value.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mut out = self.meta.borrow_mut();
        let set = |slot: &mut Option<String>, v: Option<String>| {
            if slot.is_none() {
                *slot = v;
            }
        };
        match &*name.local {
            "html" => set(&mut out.lang, get("lang").or_else(|| get("xml:lang"))),
            "title" if self.title.get() == NO_NODE => self.title.set(id),
            "link" => {
                let rel = get("rel").unwrap_or_default();
                if rel
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
                {
                    set(&mut out.canonical, get("href"));
                }
            }
            "meta" => {
                let key = get("property")
                    .or_else(|| get("name"))
                    .or_else(|| get("itemprop"))
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let content = get("content");
                match key.as_str() {
                    "og:url" => set(&mut out.og_url, content),
                    "og:site_name" => set(&mut out.site, content),
                    "description" | "og:description" | "twitter:description" => {
                        set(&mut out.description, content)
                    }
                    "author" | "article:author" | "dc.creator" => set(&mut out.author, content),
                    "article:published_time" | "datepublished" | "dc.date" | "date" => {
                        set(&mut out.published, content)
                    }
                    "og:title" | "twitter:title" => set(&mut out.title, content),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// A node of the [`Shape`] as the tree builder holds it: its index, and an element's name
/// (kept here so that the builder's many name look-ups borrow nothing).
#[derive(Clone, Debug)]
struct ShapeHandle(std::rc::Rc<(u32, Option<QualName>)>);

impl ShapeHandle {
    fn id(&self) -> u32 {
        self.0.0
    }
}

/// An element's name as the tree builder asks for it.
#[derive(Debug)]
struct ShapeName<'a>(&'a QualName);

impl html5ever::tree_builder::ElemName for ShapeName<'_> {
    fn ns(&self) -> &html5ever::Namespace {
        &self.0.ns
    }

    fn local_name(&self) -> &LocalName {
        &self.0.local
    }
}

impl TreeSink for Shape {
    type Handle = ShapeHandle;
    type Output = Self;
    type ElemName<'a> = ShapeName<'a>;

    fn finish(self) -> Self {
        self
    }

    fn parse_error(&self, _msg: std::borrow::Cow<'static, str>) {}

    fn get_document(&self) -> ShapeHandle {
        ShapeHandle(std::rc::Rc::new((0, None)))
    }

    fn elem_name<'a>(&'a self, target: &'a ShapeHandle) -> ShapeName<'a> {
        ShapeName(
            target
                .0
                .1
                .as_ref()
                .expect("the tree builder asks only for elements' names"),
        )
    }

    fn create_element(
        &self,
        name: QualName,
        attrs: Vec<html5ever::Attribute>,
        flags: html5ever::tree_builder::ElementFlags,
    ) -> ShapeHandle {
        let id = self.add();
        self.read_meta(&name, &attrs, id);
        let template = flags.template.then(|| self.add());
        let mut nodes = self.nodes.borrow_mut();
        nodes[id as usize].annotation_xml_integration =
            flags.mathml_annotation_xml_integration_point;
        if let Some(fragment) = template {
            nodes[id as usize].template = fragment;
            nodes[fragment as usize].owner = id;
            nodes[fragment as usize].depth = 1;
        }
        ShapeHandle(std::rc::Rc::new((id, Some(name))))
    }

    fn create_comment(&self, _text: StrTendril) -> ShapeHandle {
        ShapeHandle(std::rc::Rc::new((self.add(), None)))
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> ShapeHandle {
        ShapeHandle(std::rc::Rc::new((self.add(), None)))
    }

    fn append(&self, parent: &ShapeHandle, child: NodeOrText<ShapeHandle>) {
        match child {
            NodeOrText::AppendNode(node) => self.attach(parent.id(), node.id(), NO_NODE),
            NodeOrText::AppendText(text) => {
                if parent.id() == self.title.get() {
                    self.title_text.borrow_mut().push_str(&text);
                }
            }
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &ShapeHandle,
        prev: &ShapeHandle,
        child: NodeOrText<ShapeHandle>,
    ) {
        let has_parent = self.nodes.borrow()[element.id() as usize].parent != NO_NODE;
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &ShapeHandle) -> ShapeHandle {
        let fragment = self.nodes.borrow()[target.id() as usize].template;
        ShapeHandle(std::rc::Rc::new((fragment, None)))
    }

    fn same_node(&self, x: &ShapeHandle, y: &ShapeHandle) -> bool {
        x.id() == y.id()
    }

    fn set_quirks_mode(&self, _mode: html5ever::tree_builder::QuirksMode) {}

    fn append_before_sibling(&self, sibling: &ShapeHandle, new_node: NodeOrText<ShapeHandle>) {
        let parent = self.nodes.borrow()[sibling.id() as usize].parent;
        if let NodeOrText::AppendNode(node) = new_node
            && parent != NO_NODE
        {
            self.attach(parent, node.id(), sibling.id());
        }
    }

    fn add_attrs_if_missing(&self, _target: &ShapeHandle, _attrs: Vec<html5ever::Attribute>) {}

    fn remove_from_parent(&self, target: &ShapeHandle) {
        Self::detach(&mut self.nodes.borrow_mut(), target.id());
    }

    fn reparent_children(&self, node: &ShapeHandle, new_parent: &ShapeHandle) {
        let mut child = self.nodes.borrow()[node.id() as usize].first_child;
        while child != NO_NODE {
            let next = self.nodes.borrow()[child as usize].next;
            self.attach(new_parent.id(), child, NO_NODE);
            child = next;
        }
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &ShapeHandle) -> bool {
        self.nodes.borrow()[handle.id() as usize].annotation_xml_integration
    }
}

/// Start tags that end SVG/MathML content (HTML's "breakout" elements).
fn is_breakout(tag: &Tag) -> bool {
    match &*tag.name {
        "b" | "big" | "blockquote" | "body" | "br" | "center" | "code" | "dd" | "div" | "dl"
        | "dt" | "em" | "embed" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "head" | "hr" | "i"
        | "img" | "li" | "listing" | "menu" | "meta" | "nobr" | "ol" | "p" | "pre" | "ruby"
        | "s" | "small" | "span" | "strong" | "strike" | "sub" | "sup" | "table" | "tt" | "u"
        | "ul" | "var" => true,
        "font" => tag
            .attrs
            .iter()
            .any(|a| matches!(&*a.name.local, "color" | "face" | "size")),
        _ => false,
    }
}

/// The implied end tags a start tag `name` causes: calls `close(names, stop)` for each kind of
/// element it closes (the topmost open one of `names`, looking as far as `stop` says).
fn implied_ends(name: &str, mut close: impl FnMut(&[&str], Stop<'_>)) {
    if closes_p(name) {
        close(&["p"], Stop::Scope(&["button"]));
    }
    match name {
        "li" => close(&["li"], Stop::SpecialButDivP),
        "dd" | "dt" => close(&["dd", "dt"], Stop::SpecialButDivP),
        "tr" => close(&["tr"], Stop::Scope(&[])),
        "td" | "th" => close(&["td", "th"], Stop::Scope(&["tr"])),
        "thead" | "tbody" | "tfoot" => close(&["thead", "tbody", "tfoot"], Stop::Scope(&[])),
        "option" => close(&["option"], Stop::Top),
        "a" => close(&["a"], Stop::Special),
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
            close(&["h1", "h2", "h3", "h4", "h5", "h6"], Stop::Top)
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// HTML → blocks

/// Converts HTML (a fragment, an article, a whole page or an XHTML chapter) to blocks:
/// `h1`–`h6` → [`BlockKind::Heading`] (`h1` is level 2, like `h2`), paragraphs and other text
/// → [`BlockKind::Body`], `blockquote` → [`BlockKind::Quote`] (nesting depth), `li` →
/// [`BlockKind::ListItem`] (nesting depth; ordered lists numbered from `start`, honouring
/// `value`; further paragraphs of an item are joined to it with line breaks), `pre` →
/// [`BlockKind::Preformatted`], one block per table row with cells separated by `" | "`,
/// `figcaption` → body text. Inline: `em`/`i` → emphasis, `strong`/`b` → strong,
/// `code`/`kbd`/`samp`/`tt` → code, `a href` → link, `br` → [`LINE_BREAK`] (two in a row end the
/// paragraph). Images, scripts, styles, `<svg>`, media fallbacks and hidden elements are left
/// out.
pub fn html_fragment_to_blocks(html: &str) -> Vec<Block> {
    let sink = tokenize(html, Converter(RefCell::new(Convert::default())));
    let mut convert = sink.0.into_inner();
    convert.flush();
    convert.blocks
}

/// What an open element does to its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// No effect (`span`, unknown elements).
    Plain,
    /// Content left out.
    Skip,
    /// A paragraph-like block (`p`, `div`, `section`, …): a soft boundary.
    Block,
    Heading(u8),
    Pre,
    Quote,
    List {
        ordered: bool,
    },
    Item,
    Table,
    Row,
    Cell,
    Inline(InlineStyle),
    /// `<svg>` (content left out) or `<math>` (kept): XML-like foreign content.
    Foreign {
        skip: bool,
    },
}

impl Role {
    /// Roles that contain blocks of their own kind: a soft boundary inside them is not a new
    /// block.
    fn is_container(self) -> bool {
        matches!(
            self,
            Role::Heading(_) | Role::Pre | Role::Quote | Role::List { .. } | Role::Item
        ) || matches!(self, Role::Table | Role::Row | Role::Cell)
    }
}

fn role_of(tag: &Tag) -> Role {
    let name = &*tag.name;
    if is_hidden(tag) && !matches!(name, "html" | "body") {
        return Role::Skip;
    }
    match name {
        "script" | "style" | "template" | "noscript" | "title" | "iframe" | "object" | "canvas"
        | "audio" | "video" | "textarea" | "select" | "datalist" | "noembed" | "noframes"
        | "map" => Role::Skip,
        "svg" => Role::Foreign { skip: true },
        "math" => Role::Foreign { skip: false },
        "h1" | "h2" => Role::Heading(2),
        "h3" => Role::Heading(3),
        "h4" => Role::Heading(4),
        "h5" => Role::Heading(5),
        "h6" => Role::Heading(6),
        "pre" | "listing" | "xmp" | "plaintext" => Role::Pre,
        "blockquote" => Role::Quote,
        "ol" => Role::List { ordered: true },
        "ul" | "menu" | "dir" => Role::List { ordered: false },
        "li" => Role::Item,
        "table" => Role::Table,
        "tr" => Role::Row,
        "td" | "th" => Role::Cell,
        "em" | "i" => Role::Inline(InlineStyle::EMPHASIS),
        "strong" | "b" => Role::Inline(InlineStyle::STRONG),
        "code" | "kbd" | "samp" | "tt" => Role::Inline(InlineStyle::CODE),
        "a" if attr(tag, "href").is_some() => Role::Inline(InlineStyle::LINK),
        "address" | "article" | "aside" | "body" | "caption" | "center" | "dd" | "details"
        | "dialog" | "div" | "dl" | "dt" | "fieldset" | "figcaption" | "figure" | "footer"
        | "form" | "header" | "hgroup" | "legend" | "main" | "nav" | "p" | "section"
        | "summary" | "thead" | "tbody" | "tfoot" => Role::Block,
        _ => Role::Plain,
    }
}

/// The kind of block that content starts in an open heading, pre, quote or list item; `used`
/// once a list item's first block took its number (later ones have none).
#[derive(Clone, Copy, Debug)]
struct Context {
    kind: BlockKind,
    used: bool,
}

#[derive(Default)]
struct Convert {
    blocks: Vec<Block>,
    current: Option<Block>,
    stack: OpenElements<Role>,
    /// Block kinds of the open heading/pre/quote/item elements, innermost last.
    contexts: Vec<Context>,
    /// Roles of the open container elements, innermost last (what a soft boundary does).
    containers: Vec<Role>,
    /// Open lists: ordered, next number.
    lists: Vec<(bool, u32)>,
    /// Cells seen in each open row.
    rows: Vec<u32>,
    /// Open elements by role.
    skip: usize,
    pre: usize,
    quote: usize,
    foreign: usize,
    /// Stack indices of the open `<svg>`/`<math>` elements.
    foreign_roots: Vec<usize>,
    styles: [usize; 4],
    /// Drop a newline right after `<pre>` (as HTML does).
    pre_newline: bool,
}

const STYLE_BITS: [InlineStyle; 4] = [
    InlineStyle::EMPHASIS,
    InlineStyle::STRONG,
    InlineStyle::CODE,
    InlineStyle::LINK,
];

impl Convert {
    fn style(&self) -> InlineStyle {
        let mut style = InlineStyle::PLAIN;
        for (count, bit) in self.styles.iter().zip(STYLE_BITS) {
            if *count > 0 && !(self.pre > 0 && bit == InlineStyle::CODE) {
                style = style.with(bit);
            }
        }
        style
    }

    fn flush(&mut self) {
        let Some(mut block) = self.current.take() else {
            return;
        };
        if block.kind != BlockKind::Preformatted {
            trim_runs(&mut block.runs);
        }
        if block
            .runs
            .iter()
            .any(|r| r.text.chars().any(|c| !c.is_whitespace()))
        {
            self.blocks.push(block);
        }
    }

    fn push_text(&mut self, text: &str) {
        let style = self.style();
        if self.current.is_none() {
            let kind = match self.contexts.last_mut() {
                None => BlockKind::Body,
                Some(context) => match context.kind {
                    // Only an item's first block shows its number.
                    BlockKind::ListItem { depth, number } => BlockKind::ListItem {
                        depth,
                        number: number.filter(|_| !std::mem::replace(&mut context.used, true)),
                    },
                    kind => kind,
                },
            };
            self.current = Some(Block::new(kind, Vec::new()));
        }
        let block = self.current.as_mut().expect("block just made");
        match block.runs.last_mut() {
            Some(run) if run.style == style => run.text.push_str(text),
            _ => block.runs.push(Run::styled(text, style)),
        }
    }

    fn text(&mut self, text: &str) {
        if self.skip > 0 {
            return;
        }
        let mut text = text;
        if std::mem::take(&mut self.pre_newline) {
            text = text
                .strip_prefix("\r\n")
                .or_else(|| text.strip_prefix('\n'))
                .unwrap_or(text);
        }
        if text.is_empty() || (self.current.is_none() && self.pre == 0 && text.trim().is_empty()) {
            return;
        }
        self.push_text(text);
    }

    /// The last visible character of the current block is a line break.
    fn ends_with_break(&self) -> bool {
        self.current.as_ref().is_some_and(|b| {
            b.runs
                .iter()
                .rev()
                .flat_map(|r| r.text.chars().rev())
                .find(|c| !c.is_whitespace() || *c == LINE_BREAK)
                == Some(LINE_BREAK)
        })
    }

    fn line_break(&mut self) {
        if self.skip > 0 || self.current.is_none() {
            return;
        }
        if self.pre > 0 {
            self.push_text("\n");
        } else if self.ends_with_break() {
            // Two breaks in a row end the paragraph.
            self.flush();
        } else {
            self.push_text(&LINE_BREAK.to_string());
        }
    }

    /// A paragraph boundary: a new block, or inside a list item a line break, inside a
    /// table cell or heading a space.
    fn soft_boundary(&mut self) {
        if self.skip > 0 || self.current.is_none() {
            return;
        }
        match self.containers.last() {
            Some(Role::Item) => {
                if !self.ends_with_break() {
                    self.push_text(&LINE_BREAK.to_string());
                }
            }
            Some(Role::Cell | Role::Heading(_)) => self.push_text(" "),
            Some(Role::Pre) => self.push_text("\n"),
            _ => self.flush(),
        }
    }

    fn boundary(&mut self, role: Role) {
        match role {
            Role::Block => self.soft_boundary(),
            Role::Heading(_)
            | Role::Pre
            | Role::Quote
            | Role::List { .. }
            | Role::Item
            | Role::Table
            | Role::Row
                if self.skip == 0 =>
            {
                self.flush()
            }
            _ => {}
        }
    }

    fn start(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        self.pre_newline = false;
        let name = &*tag.name;
        if self.foreign > 0
            && is_breakout(tag)
            && let Some(&root) = self.foreign_roots.first()
        {
            // An HTML tag ends SVG/MathML content (a broken page).
            self.pop_to(root);
        }
        if name == "br" {
            self.line_break();
            return TokenSinkResult::Continue;
        }
        if self.foreign == 0 {
            implied_ends(name, |names, stop| {
                if let Some(i) = self.stack.find(names, stop) {
                    self.pop_to(i);
                }
            });
        }
        if is_void(name) {
            if name == "hr" {
                self.soft_boundary();
            }
            return TokenSinkResult::Continue;
        }
        let role = role_of(tag);
        self.open(tag, role);
        if tag.self_closing {
            // XHTML: `<a id="x"/>` is empty. (HTML would open it; for text that only matters
            // on broken pages.)
            self.pop_to(self.stack.len() - 1);
            return TokenSinkResult::Continue;
        }
        if self.foreign == 0
            && let Some(raw) = raw_kind(name)
        {
            return raw;
        }
        TokenSinkResult::Continue
    }

    fn open(&mut self, tag: &Tag, role: Role) {
        self.boundary(role);
        match role {
            Role::Skip => self.skip += 1,
            Role::Foreign { skip } => {
                self.foreign += 1;
                self.foreign_roots.push(self.stack.len());
                self.skip += usize::from(skip);
            }
            Role::Inline(style) => {
                if let Some(i) = STYLE_BITS.iter().position(|b| *b == style) {
                    self.styles[i] += 1;
                }
            }
            Role::Heading(level) => self.contexts.push(Context {
                kind: BlockKind::Heading(level),
                used: false,
            }),
            Role::Pre => {
                self.pre += 1;
                self.pre_newline = true;
                self.contexts.push(Context {
                    kind: BlockKind::Preformatted,
                    used: false,
                });
            }
            Role::Quote => {
                self.quote += 1;
                self.contexts.push(Context {
                    kind: BlockKind::Quote(self.quote.min(u8::MAX as usize) as u8),
                    used: false,
                });
            }
            Role::List { ordered } => {
                let start = attr(tag, "start")
                    .and_then(|s| s.trim().parse::<i64>().ok())
                    .map_or(1, |n| n.clamp(0, u32::MAX as i64) as u32);
                self.lists.push((ordered, start));
            }
            Role::Item => {
                let number = match self.lists.last_mut() {
                    Some((true, next)) => {
                        let n = attr(tag, "value")
                            .and_then(|s| s.trim().parse::<i64>().ok())
                            .map_or(*next, |n| n.clamp(0, u32::MAX as i64) as u32);
                        *next = n.saturating_add(1);
                        Some(n)
                    }
                    _ => None,
                };
                self.contexts.push(Context {
                    kind: BlockKind::ListItem {
                        depth: self.lists.len().clamp(1, u8::MAX as usize) as u8,
                        number,
                    },
                    used: false,
                });
            }
            Role::Row => self.rows.push(0),
            Role::Cell => {
                if let Some(cells) = self.rows.last_mut() {
                    *cells += 1;
                    if *cells > 1 && self.current.is_some() && self.skip == 0 {
                        self.push_text(" | ");
                    }
                }
            }
            Role::Plain | Role::Block | Role::Table => {}
        }
        if role.is_container() {
            self.containers.push(role);
        }
        self.stack.push(tag.name.clone(), role);
    }

    fn pop_to(&mut self, index: usize) {
        while self.stack.len() > index {
            let (_, role) = self.stack.pop().expect("stack longer than index");
            self.close(role);
        }
    }

    fn close(&mut self, role: Role) {
        if role.is_container() {
            self.containers.pop();
        }
        match role {
            Role::Skip => self.skip -= 1,
            Role::Foreign { skip } => {
                self.foreign -= 1;
                self.foreign_roots.pop();
                self.skip -= usize::from(skip);
            }
            Role::Inline(style) => {
                if let Some(i) = STYLE_BITS.iter().position(|b| *b == style) {
                    self.styles[i] -= 1;
                }
            }
            Role::Heading(_) | Role::Quote | Role::Pre | Role::Item => {
                self.boundary(role);
                self.contexts.pop();
                match role {
                    Role::Quote => self.quote -= 1,
                    Role::Pre => self.pre -= 1,
                    _ => {}
                }
            }
            Role::List { .. } => {
                self.boundary(role);
                self.lists.pop();
            }
            Role::Row => {
                self.boundary(role);
                self.rows.pop();
            }
            Role::Block | Role::Table => self.boundary(role),
            Role::Plain | Role::Cell => {}
        }
    }

    fn end(&mut self, tag: &Tag) {
        self.pre_newline = false;
        let name = &*tag.name;
        if name == "br" {
            // `</br>` is read as `<br>`.
            self.line_break();
            return;
        }
        match self.stack.find_for_end_tag(name) {
            Some(i) => self.pop_to(i),
            // A stray end tag of a block still ends a paragraph (`</p>` with no `<p>`).
            None => {
                let role = role_of(tag);
                if matches!(role, Role::Block) {
                    self.soft_boundary();
                }
            }
        }
    }
}

/// Trims white space (and line breaks) at the start and end of a block's runs.
fn trim_runs(runs: &mut Vec<Run>) {
    let is_space = |c: char| c.is_whitespace();
    while let Some(first) = runs.first_mut() {
        let trimmed = first.text.trim_start_matches(is_space);
        if trimmed.is_empty() {
            runs.remove(0);
        } else {
            first.text = trimmed.to_owned();
            break;
        }
    }
    while let Some(last) = runs.last_mut() {
        let trimmed = last.text.trim_end_matches(is_space);
        if trimmed.is_empty() {
            runs.pop();
        } else {
            let len = trimmed.len();
            last.text.truncate(len);
            break;
        }
    }
}

struct Converter(RefCell<Convert>);

impl TokenSink for Converter {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut c = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => return c.start(&tag),
                TagKind::EndTag => c.end(&tag),
            },
            Token::CharacterTokens(text) => c.text(&text),
            _ => {}
        }
        TokenSinkResult::Continue
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        self.0.borrow().foreign > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EM: InlineStyle = InlineStyle::EMPHASIS;
    const STRONG: InlineStyle = InlineStyle::STRONG;
    const CODE: InlineStyle = InlineStyle::CODE;
    const LINK: InlineStyle = InlineStyle::LINK;

    fn text(block: &Block) -> String {
        block.runs.iter().map(|r| r.text.as_str()).collect()
    }

    /// Kind and text of each block, white space collapsed (as the article builder does).
    fn outline(blocks: &[Block]) -> Vec<(BlockKind, String)> {
        blocks
            .iter()
            .map(|b| {
                let t = text(b);
                let t = if b.kind == BlockKind::Preformatted {
                    t
                } else {
                    t.split([' ', '\n', '\t'])
                        .filter(|w| !w.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                (b.kind, t)
            })
            .collect()
    }

    /// Runs `f` on a thread with the default 2 MiB stack of test threads.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(f)
            .expect("thread")
            .join()
            .expect("no panic, no overflow")
    }

    #[test]
    fn fragment_keeps_structure() {
        let html = r#"
            <h1>Big title</h1><h3>Part one</h3>
            <p>Plain <em>emphasis</em> <strong>strong</strong> <code>x = 1</code>
               <a href="/x">link</a> <a name="anchor">not a link</a><br>next line</p>
            <blockquote><p>Quoted</p><blockquote>Deeper</blockquote></blockquote>
            <ol start="3"><li>three</li><li><p>four</p><p>more of four</p>
              <ul><li>bullet</li></ul></li><li value="9">nine</li></ol>
            <pre>
  indented
    code</pre>
            <table><tr><th>Name</th><th>Age</th></tr><tr><td>Ann</td><td><p>41</p></td></tr></table>
            <figure><img src="p.jpg" alt="a photo"><figcaption>The caption</figcaption></figure>
            <script>var hidden = 1;</script><style>p { color: red }</style>
            <div hidden>hidden text</div><p style="display: none">invisible</p>
            <svg><text>icon</text></svg>
            <dl><dt>Term</dt><dd>Definition</dd></dl>"#;
        let blocks = html_fragment_to_blocks(html);
        let lb = LINE_BREAK;
        assert_eq!(
            outline(&blocks),
            vec![
                (BlockKind::Heading(2), "Big title".into()),
                (BlockKind::Heading(3), "Part one".into()),
                (
                    BlockKind::Body,
                    format!("Plain emphasis strong x = 1 link not a link{lb}next line")
                ),
                (BlockKind::Quote(1), "Quoted".into()),
                (BlockKind::Quote(2), "Deeper".into()),
                (
                    BlockKind::ListItem {
                        depth: 1,
                        number: Some(3)
                    },
                    "three".into()
                ),
                (
                    BlockKind::ListItem {
                        depth: 1,
                        number: Some(4)
                    },
                    format!("four{lb}more of four")
                ),
                (
                    BlockKind::ListItem {
                        depth: 2,
                        number: None
                    },
                    "bullet".into()
                ),
                (
                    BlockKind::ListItem {
                        depth: 1,
                        number: Some(9)
                    },
                    "nine".into()
                ),
                (BlockKind::Preformatted, "  indented\n    code".into()),
                (BlockKind::Body, "Name | Age".into()),
                (BlockKind::Body, "Ann | 41".into()),
                (BlockKind::Body, "The caption".into()),
                (BlockKind::Body, "Term".into()),
                (BlockKind::Body, "Definition".into()),
            ]
        );
        let styled: Vec<(&str, InlineStyle)> = blocks[2]
            .runs
            .iter()
            .filter(|r| !r.style.is_plain())
            .map(|r| (r.text.as_str(), r.style))
            .collect();
        assert_eq!(
            styled,
            vec![
                ("emphasis", EM),
                ("strong", STRONG),
                ("x = 1", CODE),
                ("link", LINK)
            ]
        );
        // Nested styles combine.
        let nested = html_fragment_to_blocks("<p><a href=x><b><i>all</i></b></a></p>");
        assert_eq!(
            nested[0].runs,
            vec![Run::styled("all", LINK.with(STRONG).with(EM))]
        );
    }

    #[test]
    fn fragment_handles_xhtml_and_implied_end_tags() {
        // XHTML self-closing tags are empty; HTML's optional end tags are implied.
        let blocks = html_fragment_to_blocks(
            r#"<p><a id="p1"/>First<p>Second<br/>line<ul><li>a<li>b</ul><p>Third<br><br>Fourth"#,
        );
        assert_eq!(
            outline(&blocks),
            vec![
                (BlockKind::Body, "First".into()),
                (BlockKind::Body, format!("Second{LINE_BREAK}line")),
                (
                    BlockKind::ListItem {
                        depth: 1,
                        number: None
                    },
                    "a".into()
                ),
                (
                    BlockKind::ListItem {
                        depth: 1,
                        number: None
                    },
                    "b".into()
                ),
                (BlockKind::Body, "Third".into()),
                (BlockKind::Body, "Fourth".into()),
            ]
        );
        assert!(blocks[0].runs.iter().all(|r| r.style.is_plain()));
        // Entities, and a stray end tag that must not swallow the text.
        let blocks = html_fragment_to_blocks("</div><p>caf&eacute; &amp; &lt;tea&gt;</span></p>");
        assert_eq!(
            outline(&blocks),
            vec![(BlockKind::Body, "café & <tea>".into())]
        );
    }

    const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en-GB"><head>
<title>Council denies report on bridge | The Daily Example</title>
<meta property="og:site_name" content="The Daily Example">
<meta property="og:title" content="Council denies report on bridge">
<meta name="description" content="The council says the bridge is safe.">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-03-01T09:30:00Z">
<link rel="canonical" href="/news/bridge">
</head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main><article>
<h1>Council denies report on bridge</h1>
<p class="byline">By Jane Doe</p>
<p>The city council on Friday denied a newspaper report that the old river bridge was unsafe,
saying inspections in January found <em>no structural faults</em> of any kind.</p>
<p>"The bridge is safe and will stay open," a council spokesperson said in a statement,
adding that the report had relied on an outdated survey from 2015.</p>
<h2>What the report said</h2>
<p>The report, citing two engineers, claimed that corrosion had weakened the main supports and
that the council had known about it for years without acting on it.</p>
<blockquote><p>We were never shown the survey the article relies on.</p></blockquote>
<p>The council said it would publish the full inspection results next week.</p>
</article></main>
<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/a">Other story</a></li></ul></aside>
<footer><p>Copyright 2024 The Daily Example. All rights reserved.</p></footer>
</body></html>"#;

    #[test]
    fn page_gives_article_and_metadata() {
        let st = html_to_structured(PAGE, Some("https://example.com/x?utm=1"));
        let m = &st.meta;
        assert_eq!(m.format, SourceFormat::Html);
        assert_eq!(m.title.as_deref(), Some("Council denies report on bridge"));
        assert_eq!(m.byline.as_deref(), Some("Jane Doe"));
        assert_eq!(m.site.as_deref(), Some("The Daily Example"));
        assert_eq!(m.published.as_deref(), Some("2024-03-01T09:30:00Z"));
        assert_eq!(
            m.excerpt.as_deref(),
            Some("The council says the bridge is safe.")
        );
        assert_eq!(m.lang.as_deref(), Some("en-GB"));
        assert_eq!(m.url.as_deref(), Some("https://example.com/news/bridge"));

        let out = outline(&st.blocks);
        assert_eq!(
            out[0],
            (
                BlockKind::Headline,
                "Council denies report on bridge".into()
            )
        );
        // The h1 repeating the title is not repeated.
        assert_eq!(
            out.iter()
                .filter(|(_, t)| t.contains("Council denies"))
                .count(),
            1
        );
        assert!(out.contains(&(BlockKind::Heading(2), "What the report said".into())));
        assert!(out.contains(&(
            BlockKind::Quote(1),
            "We were never shown the survey the article relies on.".into()
        )));
        assert!(
            out.iter()
                .any(|(k, t)| *k == BlockKind::Body && t.starts_with("The city council"))
        );
        let all: String = out
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        for boilerplate in ["Sport", "Most read", "Other story", "All rights reserved"] {
            assert!(
                !all.contains(boilerplate),
                "{boilerplate} leaked into the article"
            );
        }
    }

    /// An extractor that never finds anything.
    struct Nothing;

    impl Extractor for Nothing {
        fn extract(&self, _html: &str, _url: Option<&str>) -> Option<Extracted> {
            None
        }
    }

    #[test]
    fn no_article_falls_back_to_the_visible_text() {
        let st = html_to_structured_with(&Nothing, PAGE, None);
        // The meta tags still give the metadata; og:title is preferred to <title>.
        assert_eq!(
            st.meta.title.as_deref(),
            Some("Council denies report on bridge")
        );
        assert_eq!(st.meta.lang.as_deref(), Some("en-GB"));
        assert_eq!(st.meta.site.as_deref(), Some("The Daily Example"));
        assert_eq!(
            st.meta.url.as_deref(),
            None,
            "relative canonical, no base URL"
        );
        let all: Vec<String> = st.blocks.iter().map(text).collect();
        assert_eq!(all[0], "Council denies report on bridge");
        assert!(all.iter().any(|t| t.contains("Most read")));
        assert!(all.iter().any(|t| t.contains("inspection results")));

        // A real page without an article: a menu and a footer.
        let page = r#"<html lang="fr"><head><title>Accueil</title></head><body>
            <nav><ul><li><a href="/">Accueil</a></li><li><a href="/a">À propos</a></li></ul></nav>
            </body></html>"#;
        let st = html_to_structured(page, None);
        let all: Vec<String> = st.blocks.iter().map(text).collect();
        assert_eq!(all, ["Accueil", "Accueil", "À propos"]);
        assert_eq!(st.meta.lang.as_deref(), Some("fr"));

        // Nothing but a title: the headline alone.
        let st = html_to_structured("<title>Only a title</title><body></body>", None);
        assert_eq!(
            outline(&st.blocks),
            vec![(BlockKind::Headline, "Only a title".into())]
        );
        assert!(html_to_structured("", None).blocks.is_empty());
    }

    /// Text deep inside `depth` levels of `open`.
    fn nested(open: &str, close: &str, depth: usize) -> String {
        format!(
            "<html><head><title>Deep</title></head><body>{}<p>Text at the bottom of the page, \
             long enough to count as a paragraph of an article.</p>{}</body></html>",
            open.repeat(depth),
            close.repeat(depth)
        )
    }

    fn bottom_text_survives(html: String) {
        let st = on_small_stack(move || html_to_structured(&html, None));
        assert!(
            st.blocks
                .iter()
                .any(|b| text(b).contains("Text at the bottom"))
        );
    }

    #[test]
    fn hundred_thousand_nested_divs_in_a_small_stack() {
        let html = nested("<div>", "</div>", 100_000);
        assert!(scan_page(&html).too_deep);
        bottom_text_survives(html);
        // Unclosed, and XHTML-style `<div/>` (which HTML reads as open `<div>`s).
        bottom_text_survives(nested("<div>", "", 100_000));
        let html = nested("<div/>", "", 100_000);
        assert!(scan_page(&html).too_deep);
        bottom_text_survives(html);
    }

    #[test]
    fn hundred_thousand_nested_bolds_in_a_small_stack() {
        let html = nested("<b>", "</b>", 100_000);
        assert!(scan_page(&html).too_deep);
        let st = on_small_stack(move || html_to_structured(&html, None));
        let body = st
            .blocks
            .iter()
            .find(|b| text(b).contains("Text at the bottom"));
        assert!(
            body.expect("text kept")
                .runs
                .iter()
                .all(|r| r.style == STRONG)
        );
        bottom_text_survives(nested("<b>", "", 100_000));
    }

    #[test]
    fn misnested_formatting_counts_as_deep() {
        // The tree builder reopens each unclosed <b> in every later paragraph: the tree nests
        // 100,000 deep although no tag does, and extractors go quadratic on it.
        let html: String = (0..100_000)
            .map(|i| format!("<p><b class=c{i}>x</p>"))
            .collect();
        assert!(scan_page(&html).too_deep);
        let st = on_small_stack(move || html_to_structured(&html, None));
        assert_eq!(st.blocks.len(), 100_000);
        // Other hostile shapes: tables in cells, 100,000 stray end tags.
        assert!(scan_page(&"<table><tr><td>cell".repeat(1000)).too_deep);
        let html = format!("{}<p>Still here.</p>", "</span>".repeat(100_000));
        let st = on_small_stack(move || html_to_structured(&html, None));
        assert!(st.blocks.iter().any(|b| text(b) == "Still here."));
    }

    #[test]
    fn depth_is_counted_as_the_extractors_parser_nests() {
        let deep = |prefix: &str, open: &str| {
            let html = format!("{prefix}{}<p>Text at the bottom</p>", open.repeat(20_000));
            let too_deep = scan_page(&html).too_deep;
            bottom_text_survives(html);
            too_deep
        };
        // `<noscript>` content is markup to the extractor (scripting off); the converter
        // leaves it out (it is what pages show without JavaScript).
        let html = format!("<noscript>{}<p>Text</p>", "<div>".repeat(20_000));
        assert!(scan_page(&html).too_deep);
        on_small_stack(move || html_to_structured(&html, None));
        // HTML content inside SVG (an integration point), or after a tag that ends the SVG,
        // reads `<div/>` as an open `<div>`.
        assert!(deep("<svg><foreignObject>", "<div/>"));
        assert!(deep("<svg><g><p>", "<div/>"));
        assert!(deep("<svg>", "<g>"));
        // End tags that HTML ignores (`</span>` past a `<div>`), or that rearrange the tree
        // without making it shallower (`</b>` past a `<div>`), and start tags that do not
        // close past a special element (`<li>` past a `<blockquote>`, `<h2>` past a `<span>`).
        assert!(deep("", "<span><div></span>"));
        assert!(deep("", "<b><div></b>"));
        assert!(deep("", "<li><blockquote>"));
        assert!(deep("", "<h2><span>"));
        assert!(deep("", "<option><span>"));
        assert!(deep("", "<a href=x><div>"));
        // But SVG's own self-closing elements do not nest: an icon sheet is no attack.
        let icons = format!("<svg>{}</svg><p>Text</p>", "<path d='M0 0'/>".repeat(5000));
        let scan = scan_page(&icons);
        assert!(!scan.too_deep);
        // document > html > body > svg > path
        assert_eq!(scan.max_depth, 4);
    }

    #[test]
    fn nesting_just_under_the_limit_is_extracted_in_a_small_stack() {
        for (open, close) in [("<div>", "</div>"), ("<span>", "</span>"), ("<b>", "")] {
            let html = nested(open, close, MAX_NESTING - 10);
            let scan = scan_page(&html);
            assert!(
                !scan.too_deep && scan.max_depth >= MAX_NESTING - 10,
                "{open}"
            );
            bottom_text_survives(html);
        }
    }

    #[test]
    fn twenty_megabyte_page() {
        let para = "<p>The committee said on Tuesday that it had reviewed the claims and found \
                    no evidence, according to a statement.</p>\n";
        let n = 20_000_000 / para.len();
        let html = format!("<title>Big</title><article>{}</article>", para.repeat(n));
        let start = std::time::Instant::now();
        let st = html_to_structured(&html, None);
        eprintln!("20 MB page: {:?}", start.elapsed());
        assert_eq!(st.blocks.len(), n + 1);
    }
}
