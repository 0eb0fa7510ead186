//! The reader: the article in a centred column, with highlights, selection and hit-testing.
//!
//! How it stays fast on long texts:
//! * Each paragraph is laid out on its own into a galley that [`ReaderCache`] keeps (egui forgets
//!   layouts not used in the previous frame; we do not). A galley depends only on the paragraph's
//!   text, the column width, the font size, the theme and the pixel density — not on highlights,
//!   so adding a highlight re-lays out nothing.
//! * Highlights and the selection are painted each frame as rectangles behind the visible
//!   paragraphs' text, looked up in a per-paragraph index. After an edit only the paragraphs of
//!   the annotations it touched are redone (`Document::changes_since` says which), so adding
//!   or removing a highlight costs the same in a 5 MB article as in a short one.
//! * Only paragraphs in view are laid out and painted; the others start with an estimated
//!   height. A background thread ([`crate::app::heights`]) measures every paragraph with the same
//!   layout ([`lay_out_paragraph`]) and hands the heights in by [`ReaderCache::accept_heights`],
//!   so the scroll bar becomes exact without the UI thread laying out the whole article. Per
//!   frame the work depends on what is on screen, not on the article's length, except for one
//!   pass over the paragraphs' tops in a frame where measured heights arrived.
//! * Scroll anchoring: when heights above the view change (measured heights arriving, or the
//!   layout key changing), the scroll offset moves by as much, so the paragraph at the top of the
//!   view stays where it is on screen.
//!
//! Positions: galleys count `CCursor`s in chars (code points) of the paragraph's text, so
//! paragraph-local cursor `i` is article offset `paragraph.chars.start + i`.

use std::ops::Range;
use std::sync::Arc;

use egui::text::{CCursor, LayoutJob};
use egui::{
    Align, Color32, CursorIcon, FontId, Galley, Painter, PointerButton, Pos2, Rect, RichText,
    Sense, TextFormat, Ui, Vec2, pos2, vec2,
};

use crate::app::{Action, Document, TextSelection, ViewState};
use crate::model::structure::{InlineStyle, Metadata, SourceFormat};
use crate::model::{AnnotationId, Article, BlockKind, Paragraph};
use crate::ui::theme;

/// Most galleys kept at once, and most bytes of text in them (a galley takes about 150 bytes
/// per glyph: long paragraphs fill memory before the count); the least recently used go first
/// beyond either.
const MAX_CACHED_GALLEYS: usize = 800;
const MAX_CACHED_BYTES: usize = 400 * 1024;
/// How many dropped layouts are freed per frame (about 2 µs each; see `ReaderCache::unfreed`).
const FREED_PER_FRAME: usize = 64;
/// Margin above and below the text, in points.
const VERTICAL_MARGIN: f32 = 24.0;

/// What a galley's layout depends on, besides the paragraph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayoutKey {
    width: f32,
    font_size: f32,
    dark: bool,
    pixels_per_point: f32,
}

impl LayoutKey {
    /// Physical pixels per point the layout is made for.
    pub fn pixels_per_point(&self) -> f32 {
        self.pixels_per_point
    }
}

/// Watches what galleys kept across frames depend on in egui's fonts.
///
/// egui empties its font atlas when it fills up or its text options change (eframe learns the
/// GPU's texture size after the first frame): galleys made before point at stale glyphs. Newly
/// found system fonts and other text options may also change shaping, so sizes measured before
/// stop being exact too.
#[derive(Default)]
pub struct FontsWatch {
    /// Font atlas fill ratio after our last layout. Within egui's life the ratio only grows,
    /// until egui empties the atlas: a smaller value means our galleys point at lost glyphs.
    atlas_fill: f32,
    discovered: usize,
    options: Option<egui::epaint::text::TextOptions>,
}

/// What changed in egui's fonts since the last check (see [`FontsWatch`]).
pub struct FontsChange {
    /// Other fonts or text options: layouts may differ.
    pub fonts_changed: bool,
    /// The atlas was emptied: galleys kept point at lost glyphs.
    pub atlas_emptied: bool,
}

impl FontsWatch {
    /// Call before laying out with the galleys kept.
    pub fn check(&mut self, ctx: &egui::Context) -> FontsChange {
        let (fill, discovered, options) = ctx.fonts(|f| {
            (
                f.font_atlas_fill_ratio(),
                f.discovered_fonts().len(),
                *f.options(),
            )
        });
        let change = FontsChange {
            fonts_changed: discovered != self.discovered || self.options.as_ref() != Some(&options),
            atlas_emptied: fill < self.atlas_fill,
        };
        self.discovered = discovered;
        self.options = Some(options);
        change
    }

    /// Call after the frame's layouts, to remember the atlas as they left it.
    pub fn finish_frame(&mut self, ctx: &egui::Context) {
        self.atlas_fill = ctx.fonts(|f| f.font_atlas_fill_ratio());
    }
}

/// Where a slot's height comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum HeightSource {
    /// [`estimate_height`], or a real height from an earlier layout key or fonts.
    #[default]
    Estimated,
    /// Measured by the background measurer for the current key.
    Measured,
    /// Laid out by the reader itself for the current key.
    LaidOut,
}

#[derive(Clone, Default)]
struct Slot {
    galley: Option<Arc<Galley>>,
    /// Height including the space above and the gap after the paragraph.
    height: f32,
    source: HeightSource,
    last_used: u64,
}

/// What the background measurer is asked to do: measure the paragraphs of the current article
/// for `key`, starting around paragraph `from` (the one at the top of the view).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeasureTarget {
    /// The cache's layout generation (see [`ReaderCache::layout_generation`]).
    pub generation: u64,
    pub key: LayoutKey,
    pub from: usize,
}

/// A highlight clipped to one paragraph.
#[derive(Clone, Debug, PartialEq)]
struct Span {
    id: AnnotationId,
    /// Paragraph-local code point range.
    local: Range<usize>,
    colour: Color32,
    /// 0 for highlights that overlap no earlier one in the paragraph; overlapping ones stack
    /// their underlines.
    layer: usize,
    /// The label's bit (see `map_marks`) in the annotation's first paragraph, else 0.
    label_bit: u64,
}

/// Where the highlights are, paragraph by paragraph: what the reader paints behind the text,
/// the highlight map's marks, and which annotations are linked. Built from the whole set once
/// (on the open worker for a file, see [`HighlightIndex::new`]) and then brought up to date
/// change by change.
#[derive(Default)]
pub struct HighlightIndex {
    /// `Document::generation` the index was built for.
    generation: Option<u64>,
    spans: Vec<Vec<Span>>,
    /// The paragraphs each drawn annotation has spans in.
    placed: std::collections::HashMap<AnnotationId, Range<usize>>,
    /// For each annotation with relations, the annotations at their other ends.
    related: std::collections::HashMap<AnnotationId, Vec<AnnotationId>>,
    /// For the highlight map: each paragraph where highlights start, with their labels (bit `i`
    /// for the label set's `i`-th label), in paragraph order.
    map_marks: Vec<(usize, u64)>,
}

impl HighlightIndex {
    /// The index of `doc` as it is: one pass over the set. Plain data, so a worker thread can
    /// build it (milliseconds for 10,000 annotations) and hand it to the reader with
    /// [`ReaderCache::adopt_index`].
    pub fn new(doc: &Document) -> Self {
        let mut index = Self::default();
        index.rebuild(doc);
        index
    }

    /// Splits every drawable annotation into per-paragraph spans and assigns underline layers.
    fn rebuild(&mut self, doc: &Document) {
        let n = doc.article.paragraphs.len();
        self.spans = vec![Vec::new(); n];
        self.placed.clear();
        for annotation in &doc.set.annotations {
            if !doc.unplaced.contains(&annotation.id) {
                self.add_spans(doc, annotation);
            }
        }
        self.map_marks.clear();
        for index in 0..n {
            if !self.spans[index].is_empty() {
                self.settle_paragraph(index);
            }
        }
        self.rebuild_related(doc);
        self.generation = Some(doc.generation);
    }

    /// Brings the index up to date with `changes` (what changed since it was built, see
    /// [`Document::changes_since`]): only the paragraphs of the annotations touched are
    /// redone, so adding or removing a highlight costs the same in any article.
    fn update(&mut self, doc: &Document, changes: &[&crate::model::Touched]) {
        let mut paragraphs: Vec<usize> = Vec::new();
        let mut relations = false;
        for touched in changes {
            relations |= !touched.linked.is_empty();
            for &id in &touched.annotations {
                if let Some(old) = self.placed.remove(&id) {
                    for index in old.clone() {
                        self.spans[index].retain(|s| s.id != id);
                    }
                    paragraphs.extend(old);
                }
                if let Some(annotation) = doc.set.get(id)
                    && !doc.unplaced.contains(&id)
                {
                    paragraphs.extend(self.add_spans(doc, annotation));
                }
            }
        }
        paragraphs.sort_unstable();
        paragraphs.dedup();
        for index in paragraphs {
            self.settle_paragraph(index);
        }
        if relations {
            self.rebuild_related(doc);
        }
        self.generation = Some(doc.generation);
    }

    /// Adds `annotation`'s spans to the paragraphs it touches (unsorted, layers not set);
    /// returns those paragraphs.
    fn add_spans(&mut self, doc: &Document, annotation: &crate::model::Annotation) -> Range<usize> {
        let article = &doc.article;
        let p = annotation.anchor.position;
        let colour = theme::label_colour(&doc.set.labels, &annotation.label);
        let label_bit = 1 << doc.set.labels.order_of(&annotation.label).min(63);
        let touching = article.paragraphs_touching(p.range());
        for index in touching.clone() {
            let para = &article.paragraphs[index].chars;
            let start = p.start.max(para.start) - para.start;
            let end = p.end.min(para.end) - para.start;
            self.spans[index].push(Span {
                id: annotation.id,
                local: start..end,
                colour,
                layer: 0,
                label_bit: if index == touching.start {
                    label_bit
                } else {
                    0
                },
            });
        }
        self.placed.insert(annotation.id, touching.clone());
        touching
    }

    /// Orders paragraph `index`'s spans by start, gives each the lowest underline layer not
    /// taken by an overlapping earlier one, and updates the paragraph's highlight-map mark.
    fn settle_paragraph(&mut self, index: usize) {
        let spans = &mut self.spans[index];
        spans.sort_by_key(|s| (s.local.start, std::cmp::Reverse(s.local.end), s.id));
        let mut layer_ends: Vec<usize> = Vec::new();
        let mut mask = 0;
        for span in spans.iter_mut() {
            span.layer = match layer_ends.iter().position(|&end| end <= span.local.start) {
                Some(free) => {
                    layer_ends[free] = span.local.end;
                    free
                }
                None => {
                    layer_ends.push(span.local.end);
                    layer_ends.len() - 1
                }
            };
            mask |= span.label_bit;
        }
        let at = self.map_marks.partition_point(|&(p, _)| p < index);
        let present = self.map_marks.get(at).is_some_and(|&(p, _)| p == index);
        match (present, mask) {
            (true, 0) => {
                self.map_marks.remove(at);
            }
            (true, _) => self.map_marks[at].1 = mask,
            (false, 0) => {}
            (false, _) => self.map_marks.insert(at, (index, mask)),
        }
    }

    fn rebuild_related(&mut self, doc: &Document) {
        self.related.clear();
        for r in &doc.set.relations {
            self.related.entry(r.from).or_default().push(r.to);
            self.related.entry(r.to).or_default().push(r.from);
        }
    }
}

/// What the highlight map's rows were worked out for: the tops' version, the highlight index's
/// generation, the map's height and the content's height (bits).
type MapRowsKey = (u64, Option<u64>, u32, u32);

/// The reader's own cache of layouts and highlight index. Owned by the app, reset when another
/// document opens.
#[derive(Default)]
pub struct ReaderCache {
    key: Option<LayoutKey>,
    slots: Vec<Slot>,
    /// `tops[i]` is the y of paragraph `i` relative to the first; `tops[n]` the total height.
    tops: Vec<f32>,
    tops_dirty: bool,
    /// Counts the times `tops` were worked out (the highlight map's rows follow them).
    tops_version: u64,
    /// The highlight map's rows, each a mask of the labels highlighted there, and what they
    /// were worked out for.
    map_rows: (Option<MapRowsKey>, Vec<u64>),
    /// Changes whenever the heights stop being valid (another article, layout key or fonts):
    /// measured heights are taken only for the generation they were measured for.
    generation: u64,
    /// Slots whose height is exact for the current key (measured or laid out).
    exact: usize,
    /// Slots measured in the background (and not laid out by the reader since).
    measured: usize,
    /// The first paragraph in view in the last frame, and the scroll offset then (points from
    /// the content's top): the anchor that keeps the view steady when heights above it change.
    view_top: Option<usize>,
    scroll_offset: f32,
    /// The code point offset the reader last jumped to, and until when (`ctx` time) its scroll
    /// animation may still run.
    revealing: Option<(usize, f64)>,
    cached: usize,
    /// The bytes of text of the galleys kept.
    cached_bytes: usize,
    /// Layouts dropped from the cache and not freed yet: a few are freed each frame, since
    /// freeing the [`MAX_CACHED_GALLEYS`] the cache may hold takes about 2 ms, most of the
    /// budget of the frame that changes the font size or the column's width.
    unfreed: Vec<Arc<Galley>>,
    frame: u64,
    /// First code point of each paragraph (for `screen_pos_of`).
    para_starts: Vec<usize>,
    /// Each paragraph's block kind and whether it goes on from the one before (they decide
    /// indent and space above).
    kinds: Vec<(BlockKind, bool)>,
    /// Where the highlights are, paragraph by paragraph.
    index: HighlightIndex,
    /// What the galleys kept were laid out with.
    fonts: FontsWatch,
    /// Screen position of the column's top-left in the last frame.
    origin: Option<Pos2>,
    /// Pointer is dragging out a selection.
    dragging: bool,
    /// The annotation under the pointer when the context menu opened.
    context_target: Option<AnnotationId>,
    /// The metadata header (byline, site, date, address, format), laid out for `key`.
    header: Option<Arc<Galley>>,
    /// Number of paragraphs laid out during the last frame (for tests and benchmarks).
    pub laid_out_last_frame: usize,
    /// Other analysts' annotations, drawn as outlines.
    outlines: crate::ui::outlines::OutlineIndex,
    /// The highlight under the pointer in the last frame: it and its related highlights are
    /// emphasised.
    hovered: Option<AnnotationId>,
    /// Scroll the reader to this offset (points from the content's top) in the next frame.
    scroll_request: Option<f32>,
}

impl ReaderCache {
    /// Takes `index` as the highlight index (built elsewhere, see [`HighlightIndex::new`]); it
    /// is used if it was built for the document the reader shows, else built again.
    pub fn adopt_index(&mut self, index: HighlightIndex) {
        self.index = index;
    }

    /// Gets ready for a frame with `key`; tells whether the paragraphs' tops changed.
    fn prepare(&mut self, ctx: &egui::Context, doc: &Document, key: LayoutKey) -> bool {
        self.frame += 1;
        self.laid_out_last_frame = 0;
        let n = doc.article.paragraphs.len();
        if self.slots.len() != n {
            self.slots = vec![Slot::default(); n];
            self.para_starts = doc
                .article
                .paragraphs
                .iter()
                .map(|p| p.chars.start)
                .collect();
            self.kinds = doc
                .article
                .paragraphs
                .iter()
                .map(|p| (p.kind, p.cut_before))
                .collect();
            self.key = None;
            self.header = None;
            self.view_top = None;
        }
        let FontsChange {
            fonts_changed,
            atlas_emptied,
        } = self.fonts.check(ctx);
        let heights_stale = self.key != Some(key) || fonts_changed;
        let free_now = self.unfreed.len().saturating_sub(FREED_PER_FRAME);
        self.unfreed.truncate(free_now);
        if heights_stale || atlas_emptied {
            let dropped = self.slots.iter_mut().filter_map(|s| s.galley.take());
            self.unfreed.extend(dropped);
            self.cached = 0;
            self.cached_bytes = 0;
            self.header = None;
        }
        if heights_stale {
            // Heights from the old layout stay as estimates while the font and width are the
            // same (they are closer than `estimate_height`); the measurer replaces them.
            let reestimate = self
                .key
                .is_none_or(|old| old.width != key.width || old.font_size != key.font_size);
            for (slot, paragraph) in self.slots.iter_mut().zip(&doc.article.paragraphs) {
                slot.source = HeightSource::Estimated;
                if reestimate || slot.height == 0.0 {
                    slot.height = estimate_height(paragraph, key);
                }
            }
            self.exact = 0;
            self.measured = 0;
            // Unique in the run, so a fresh cache never takes heights meant for the one it
            // replaced.
            self.generation = crate::app::next_generation();
            self.key = Some(key);
            self.tops_dirty = true;
        }
        if self.index.generation != Some(doc.generation) {
            match self.index.generation.and_then(|g| doc.changes_since(g)) {
                Some(changes) => self.index.update(doc, &changes),
                None => self.index.rebuild(doc),
            }
        }
        if self.tops_dirty {
            self.recompute_tops_anchored();
            return true;
        }
        false
    }

    /// Recomputes the tops, and if the top of the paragraph at the top of the view moved, asks
    /// to scroll by as much (unless a scroll is asked for already), so it stays put on screen.
    fn recompute_tops_anchored(&mut self) {
        let anchor = self
            .view_top
            .and_then(|index| Some((index, *self.tops.get(index)?)));
        self.recompute_tops();
        if let Some((index, old_top)) = anchor
            && let Some(&new_top) = self.tops.get(index)
            && new_top != old_top
            && self.scroll_request.is_none()
        {
            self.scroll_request = Some(self.scroll_offset + new_top - old_top);
        }
    }

    fn recompute_tops(&mut self) {
        self.tops.clear();
        self.tops.reserve(self.slots.len() + 1);
        let mut y = 0.0;
        for slot in &self.slots {
            self.tops.push(y);
            y += slot.height;
        }
        self.tops.push(y);
        self.tops_dirty = false;
        self.tops_version += 1;
    }

    /// The paragraphs' total height in points as the reader has it now (measured, laid out or
    /// estimated), without the margins and the metadata header.
    #[doc(hidden)]
    pub fn total_height(&self) -> f32 {
        self.tops.last().copied().unwrap_or(0.0)
    }

    /// Each paragraph's height as the reader has it now, including its space above and the gap
    /// after it (for tests).
    #[doc(hidden)]
    pub fn heights(&self) -> Vec<f32> {
        self.slots.iter().map(|s| s.height).collect()
    }

    /// Paragraphs whose height is exact for the current layout (measured in the background or
    /// laid out by the reader), and all paragraphs.
    pub fn measured(&self) -> (usize, usize) {
        (self.exact, self.slots.len())
    }

    /// The share of paragraphs whose height is exact (1 for an empty article).
    pub fn measured_fraction(&self) -> f32 {
        match self.measured() {
            (_, 0) => 1.0,
            (exact, total) => exact as f32 / total as f32,
        }
    }

    /// Paragraphs whose exact height came from the background measurer (for tests).
    #[doc(hidden)]
    pub fn measured_in_background(&self) -> usize {
        self.measured
    }

    /// The first paragraph in view in the last frame.
    #[doc(hidden)]
    pub fn view_top(&self) -> Option<usize> {
        self.view_top
    }

    /// The layout generation: it changes whenever the heights stop being valid (another article,
    /// layout key, fonts or text options). `None` before the first frame.
    pub fn layout_generation(&self) -> Option<u64> {
        self.key.map(|_| self.generation)
    }

    /// What the background measurer should measure now; `None` before the first frame.
    pub fn measure_target(&self) -> Option<MeasureTarget> {
        Some(MeasureTarget {
            generation: self.generation,
            key: self.key?,
            from: self.view_top.unwrap_or(0),
        })
    }

    /// Takes heights measured in the background: `(paragraph index, height)` pairs, measured with
    /// [`lay_out_paragraph`] for layout generation `generation`. Ignored if the generation is
    /// stale; a paragraph the reader laid out itself for this generation keeps its height. The
    /// tops are recomputed once, in the next frame, however many batches arrive before it.
    pub fn accept_heights(&mut self, generation: u64, heights: &[(usize, f32)]) {
        if self.key.is_none() || generation != self.generation {
            return;
        }
        for &(index, height) in heights {
            let Some(slot) = self.slots.get_mut(index) else {
                continue;
            };
            match slot.source {
                HeightSource::LaidOut => continue,
                HeightSource::Measured => {}
                HeightSource::Estimated => {
                    self.exact += 1;
                    self.measured += 1;
                }
            }
            slot.source = HeightSource::Measured;
            if slot.height != height {
                slot.height = height;
                self.tops_dirty = true;
            }
        }
    }

    /// Lays out every paragraph as the reader does when it comes into view (for tests that
    /// compare measured heights with the reader's own). Call after a frame.
    #[doc(hidden)]
    pub fn lay_out_all(&mut self, ctx: &egui::Context, doc: &Document) {
        for index in 0..self.slots.len() {
            self.galley(ctx, doc, index);
        }
        if self.tops_dirty {
            self.recompute_tops();
        }
    }

    /// Paragraphs whose slots intersect `y_range` (relative to the first paragraph's top).
    fn visible(&self, y_range: Range<f32>) -> Range<usize> {
        let n = self.slots.len();
        let first = self.tops[1..].partition_point(|&bottom| bottom <= y_range.start);
        let last = self.tops[..n].partition_point(|&top| top < y_range.end);
        first.min(n)..last.max(first.min(n))
    }

    /// Paragraph under `y` (clamped to the first/last).
    fn paragraph_at_y(&self, y: f32) -> Option<usize> {
        let n = self.slots.len();
        if n == 0 {
            return None;
        }
        Some(
            self.tops[1..]
                .partition_point(|&bottom| bottom <= y)
                .min(n - 1),
        )
    }

    fn galley(&mut self, ctx: &egui::Context, doc: &Document, index: usize) -> Option<Arc<Galley>> {
        let key = self.key?;
        let frame = self.frame;
        let slot = self.slots.get_mut(index)?;
        slot.last_used = frame;
        if let Some(galley) = &slot.galley {
            return Some(galley.clone());
        }
        let paragraph = doc.article.paragraphs.get(index)?;
        let (galley, height) =
            ctx.fonts_mut(|f| lay_out_paragraph(f, &doc.article, paragraph, key));
        if slot.height != height {
            slot.height = height;
            self.tops_dirty = true;
        }
        match slot.source {
            HeightSource::LaidOut => {}
            HeightSource::Measured => self.measured -= 1,
            HeightSource::Estimated => self.exact += 1,
        }
        slot.source = HeightSource::LaidOut;
        slot.galley = Some(galley.clone());
        self.cached += 1;
        self.cached_bytes += paragraph.bytes.len();
        self.laid_out_last_frame += 1;
        if self.cached > MAX_CACHED_GALLEYS || self.cached_bytes > MAX_CACHED_BYTES {
            self.evict();
        }
        Some(galley)
    }

    /// The metadata header's layout, if the article has anything to show there.
    fn header_galley(&mut self, ctx: &egui::Context, doc: &Document) -> Option<Arc<Galley>> {
        let key = self.key?;
        if self.header.is_none() {
            let job = header_job(&doc.article.meta, key)?;
            self.header = Some(ctx.fonts_mut(|f| f.layout_job(job)));
        }
        self.header.clone()
    }

    /// Screen position of paragraph `index`'s galley, given the column's top-left `origin`.
    fn text_origin(&self, index: usize, origin: Pos2) -> Pos2 {
        let offset = match (self.key, self.kinds.get(index)) {
            (Some(key), Some(&(kind, cut_before))) => block_offset(kind, cut_before, key),
            _ => Vec2::ZERO,
        };
        origin + vec2(offset.x, self.tops[index] + offset.y)
    }

    /// The metadata header's text as last laid out, if there is a header (for tests).
    pub fn header_text(&self) -> Option<&str> {
        self.header.as_ref().map(|g| g.job.text.as_str())
    }

    /// How many paragraph layouts the cache holds now.
    pub fn cached_galleys(&self) -> usize {
        self.cached
    }

    /// The highlight map's rows (two points each, top to bottom) as of the last frame: each a
    /// mask with bit `i` set if label `i` (in the label set's order) is highlighted there.
    #[doc(hidden)]
    pub fn map_rows(&self) -> &[u64] {
        &self.map_rows.1
    }

    /// Number of layouts dropped from the cache and not freed yet (see `unfreed`).
    pub fn unfreed_galleys(&self) -> usize {
        self.unfreed.len()
    }

    /// Screen position (left edge, middle of the line) of article offset `offset`, if its
    /// paragraph was laid out in the last frame. For tests and tools that drive the UI.
    pub fn screen_pos_of(&self, offset: usize) -> Option<Pos2> {
        let origin = self.origin?;
        let index = self.tops.len().checked_sub(1).and_then(|n| {
            (0..n).find(|&i| self.slots[i].galley.is_some() && self.covers(i, offset))
        })?;
        let galley = self.slots[index].galley.as_ref()?;
        let local = offset - self.para_starts[index];
        let r = galley.pos_from_cursor(CCursor::new(local));
        let top = self.text_origin(index, origin);
        Some(top + vec2(r.left() + 1.0, r.center().y))
    }

    fn covers(&self, index: usize, offset: usize) -> bool {
        let start = self.para_starts[index];
        let next = self
            .para_starts
            .get(index + 1)
            .copied()
            .unwrap_or(usize::MAX);
        (start..next).contains(&offset)
    }

    /// Remembers the atlas fill after this frame's layouts (see [`FontsWatch`]).
    fn finish_frame(&mut self, ctx: &egui::Context) {
        self.fonts.finish_frame(ctx);
    }

    /// Drops the least recently used half of the galleys (heights stay).
    fn evict(&mut self) {
        let mut used: Vec<u64> = self
            .slots
            .iter()
            .filter(|s| s.galley.is_some())
            .map(|s| s.last_used)
            .collect();
        used.sort_unstable();
        let cutoff = used[used.len() / 2];
        for slot in &mut self.slots {
            if slot.last_used < cutoff
                && slot.last_used != self.frame
                && let Some(galley) = slot.galley.take()
            {
                self.cached_bytes -= galley.job.text.len();
                self.unfreed.push(galley);
                self.cached -= 1;
            }
        }
    }

    /// The annotation whose links are shown (the hovered one, else the selected one) and the
    /// annotations related to it.
    fn focus(&self, view: &ViewState) -> Option<(AnnotationId, &[AnnotationId])> {
        let focus = self.hovered.or(view.selected)?;
        let related = self
            .index
            .related
            .get(&focus)
            .map_or(&[][..], Vec::as_slice);
        Some((focus, related))
    }

    /// Annotations covering article offset `offset`, shortest first.
    fn annotations_at(&self, doc: &Document, offset: usize) -> Vec<AnnotationId> {
        let Some(index) = doc.article.paragraph_at_or_after(offset) else {
            return Vec::new();
        };
        let para_start = doc.article.paragraphs[index].chars.start;
        let Some(local) = offset.checked_sub(para_start) else {
            return Vec::new();
        };
        let mut hits: Vec<&Span> = self.index.spans[index]
            .iter()
            .filter(|s| s.local.contains(&local))
            .collect();
        hits.sort_by_key(|s| s.local.len());
        hits.iter().map(|s| s.id).collect()
    }
}

fn text_format(kind: BlockKind, key: LayoutKey) -> TextFormat {
    let size = key.font_size * theme::block_scale(kind);
    let font_id = match kind {
        BlockKind::Preformatted => FontId::monospace(size),
        _ => FontId::proportional(size),
    };
    let color = match kind {
        BlockKind::Headline | BlockKind::Heading(_) => theme::strong_text_colour(key.dark),
        BlockKind::Quote(_) => theme::quote_text_colour(key.dark),
        _ => theme::text_colour(key.dark),
    };
    TextFormat {
        font_id,
        color,
        line_height: Some(size * theme::LINE_HEIGHT),
        ..TextFormat::default()
    }
}

/// How a block is offset from the column's left edge and from its slot's top (no space above a
/// piece of a long paragraph that goes on from the one before, see `Paragraph::cut_before`).
fn block_offset(kind: BlockKind, cut_before: bool, key: LayoutKey) -> Vec2 {
    let above = if cut_before {
        0.0
    } else {
        theme::space_before(kind) * key.font_size
    };
    vec2(theme::block_indent(kind) * key.font_size, above)
}

/// The gap after a paragraph (none after a piece of a long paragraph that goes on in the
/// next).
fn gap_after(paragraph: &Paragraph, key: LayoutKey) -> f32 {
    if paragraph.cut_after {
        0.0
    } else {
        key.font_size * theme::PARAGRAPH_GAP
    }
}

/// Lays out `paragraph` of `article` for `key` with `fonts` (whose pixels per point must be
/// the key's), giving its galley and its slot's height: the block's space above, the galley and
/// the gap after it. The reader and the background measurer both use this, so their heights
/// agree to the bit.
pub fn lay_out_paragraph(
    fonts: &mut egui::epaint::text::FontsView<'_>,
    article: &Article,
    paragraph: &Paragraph,
    key: LayoutKey,
) -> (Arc<Galley>, f32) {
    let galley = fonts.layout_job(layout_job(article, paragraph, key));
    let height = block_offset(paragraph.kind, paragraph.cut_before, key).y
        + galley.size().y
        + gap_after(paragraph, key);
    (galley, height)
}

/// The paragraph's layout: its block style, with emphasis, strong, code and link spans.
fn layout_job(article: &Article, paragraph: &Paragraph, key: LayoutKey) -> LayoutJob {
    let text = &article.text[paragraph.bytes.clone()];
    let base = text_format(paragraph.kind, key);
    let mut job = LayoutJob {
        text: text.to_owned(),
        ..LayoutJob::default()
    };
    job.wrap.max_width =
        (key.width - block_offset(paragraph.kind, paragraph.cut_before, key).x).max(60.0);
    let local_byte = |offset: usize| article.byte_of_char(offset) - paragraph.bytes.start;
    let mut at = 0;
    for span in &paragraph.spans {
        let start = local_byte(span.chars.start);
        let end = local_byte(span.chars.end);
        if start > at {
            job.sections.push(section(at..start, base.clone()));
        }
        job.sections
            .push(section(start..end, styled_format(&base, span.style, key)));
        at = end;
    }
    if at < text.len() || job.sections.is_empty() {
        job.sections.push(section(at..text.len(), base));
    }
    job
}

fn section(byte_range: Range<usize>, format: TextFormat) -> egui::text::LayoutSection {
    egui::text::LayoutSection {
        leading_space: 0.0,
        byte_range: egui::text::ByteIndex(byte_range.start)..egui::text::ByteIndex(byte_range.end),
        format,
    }
}

/// Inline styles: emphasis in italics, strong in the strong text colour (the bundled fonts have
/// no bold face), code in the monospace font, links in the link colour. No underlines: those
/// belong to highlights.
fn styled_format(base: &TextFormat, style: InlineStyle, key: LayoutKey) -> TextFormat {
    let mut format = base.clone();
    if style.contains(InlineStyle::EMPHASIS) {
        format.italics = true;
    }
    if style.contains(InlineStyle::STRONG) {
        format.color = theme::strong_text_colour(key.dark);
    }
    if style.contains(InlineStyle::CODE) {
        format.font_id = FontId::monospace(base.font_id.size * 0.92);
        format.color = theme::code_colour(key.dark);
    }
    if style.contains(InlineStyle::LINK) {
        format.color = theme::link_colour(key.dark);
    }
    format
}

fn estimate_height(paragraph: &Paragraph, key: LayoutKey) -> f32 {
    let format = text_format(paragraph.kind, key);
    let size = format.font_id.size;
    let offset = block_offset(paragraph.kind, paragraph.cut_before, key);
    let chars_per_line = ((key.width - offset.x) / (size * 0.48)).max(1.0);
    let lines = (paragraph.chars.len() as f32 / chars_per_line)
        .ceil()
        .max(1.0);
    offset.y + lines * size * theme::LINE_HEIGHT + gap_after(paragraph, key)
}

/// Rectangles (relative to the galley) covering chars `range` of the galley, one per row.
pub fn range_rects(galley: &Galley, range: Range<usize>) -> Vec<Rect> {
    let mut rects = Vec::new();
    if range.is_empty() {
        return rects;
    }
    let start = galley.layout_from_cursor(CCursor::new(range.start));
    let end = galley.layout_from_cursor(CCursor::new(range.end));
    for row_index in start.row..=end.row.min(galley.rows.len().saturating_sub(1)) {
        let placed = &galley.rows[row_index];
        let left = if row_index == start.row {
            placed.row.x_offset(start.column)
        } else {
            0.0
        };
        let right = if row_index == end.row {
            placed.row.x_offset(end.column)
        } else {
            placed.row.size.x
        };
        if right > left {
            rects.push(Rect::from_min_max(
                pos2(placed.pos.x + left, placed.pos.y),
                pos2(placed.pos.x + right, placed.pos.y + placed.row.size.y),
            ));
        }
    }
    rects
}

/// Word around article offset `offset`: letters, digits, apostrophes and inner hyphens.
fn word_at(doc: &Document, offset: usize) -> Option<Range<usize>> {
    let index = doc.article.paragraph_at_or_after(offset)?;
    let para = &doc.article.paragraphs[index];
    let chars: Vec<char> = doc.article.text[para.bytes.clone()].chars().collect();
    let local = offset.checked_sub(para.chars.start)?.min(chars.len());
    // Inner hyphens join words for a double-click ("Hong Kong-based").
    let is_word = |c: char| crate::model::is_word_char(c) || c == '-';
    let mut start = local;
    while start > 0 && is_word(chars[start - 1]) {
        start -= 1;
    }
    let mut end = local;
    while end < chars.len() && is_word(chars[end]) {
        end += 1;
    }
    if start == end {
        // On punctuation or space: select that one character.
        end = (start + 1).min(chars.len());
    }
    Some(para.chars.start + start..para.chars.start + end)
}

/// Draws the article and handles pointer selection; pushes actions for everything it changes.
pub fn reader_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    scroll_to: Option<usize>,
    cache: &mut ReaderCache,
    actions: &mut Vec<Action>,
) {
    let ctx = ui.ctx().clone();
    let font_size = view.font_size;
    let available = ui.available_width();
    let width = (font_size * theme::COLUMN_EMS)
        .min(available - 2.0 * font_size)
        .max(120.0);
    let key = LayoutKey {
        width: width.round(),
        font_size,
        dark: view.dark,
        pixels_per_point: ctx.pixels_per_point(),
    };
    let tops_moved = cache.prepare(&ctx, doc, key);
    // A jump scrolls there with an animation aimed at where the target was when it started;
    // heights that change meanwhile would make it land off target, so aim it again.
    let now = ctx.input(|i| i.time);
    if let Some(offset) = scroll_to {
        let animation = ctx.global_style().scroll_animation.duration.max;
        cache.revealing = Some((offset, now + f64::from(animation) + 0.1));
    }
    let scroll_to = match cache.revealing {
        Some((offset, until)) if now <= until => scroll_to.or(tops_moved.then_some(offset)),
        _ => {
            cache.revealing = None;
            scroll_to
        }
    };

    let mut scroll = egui::ScrollArea::vertical()
        .id_salt("reader")
        .auto_shrink(false);
    if let Some(offset) = cache.scroll_request.take() {
        scroll = scroll.vertical_scroll_offset(offset);
    }
    let output = scroll.show_viewport(ui, |ui, viewport| {
        let header = cache.header_galley(&ctx, doc);
        let header_height = header
            .as_ref()
            .map_or(0.0, |g| g.size().y + font_size * theme::PARAGRAPH_GAP * 1.5);
        // Lay out what is in view; heights may change from estimates, so settle them first.
        // `view_y` is relative to the first paragraph's top, below the margin and the header.
        let above = VERTICAL_MARGIN + header_height;
        let view_y = viewport.min.y - above..viewport.max.y - above;
        for _ in 0..3 {
            for index in cache.visible(view_y.clone()) {
                cache.galley(&ctx, doc, index);
            }
            if !cache.tops_dirty {
                break;
            }
            cache.recompute_tops();
        }
        if let Some(offset) = scroll_to
            && let Some(index) = doc.article.paragraph_at_or_after(offset)
        {
            cache.galley(&ctx, doc, index);
            if cache.tops_dirty {
                cache.recompute_tops();
            }
        }

        let total = cache.total_height() + 2.0 * VERTICAL_MARGIN + header_height;
        let (rect, response) =
            ui.allocate_exact_size(vec2(ui.available_width(), total), Sense::click_and_drag());
        response
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Article, true, "Article text"));
        let column_top = pos2(rect.center().x - width / 2.0, rect.top() + VERTICAL_MARGIN);
        let origin = column_top + vec2(0.0, header_height);
        cache.origin = Some(origin);

        if let Some(offset) = scroll_to {
            let target = offset_rect(cache, doc, &ctx, origin, offset)
                .unwrap_or(Rect::from_min_size(origin, Vec2::ZERO));
            ui.scroll_to_rect(target.expand(font_size * 2.0), Some(Align::Center));
        }

        let painter = ui.painter_at(ui.clip_rect());
        if let Some(header) = header {
            let bottom = origin.y - font_size * theme::PARAGRAPH_GAP * 0.75;
            painter.galley(column_top, header, theme::muted_text_colour(view.dark));
            painter.line_segment(
                [
                    pos2(column_top.x, bottom),
                    pos2(column_top.x + width, bottom),
                ],
                egui::Stroke::new(1.0, theme::decoration_colour(view.dark)),
            );
        }
        let visible = cache.visible(view_y);
        paint(&painter, cache, doc, view, &ctx, origin, visible);
        interact(ui, &response, cache, doc, view, origin, actions);
        above
    });
    // The anchor for the next frame: the paragraph at the top edge of the view as scrolled now.
    cache.scroll_offset = output.state.unclamped_offset().y;
    cache.view_top = cache.paragraph_at_y(output.state.clamped_offset().y - output.inner);
    highlight_map_ui(ui, &output, cache, doc, view);
    cache.finish_frame(&ctx);
}

/// Width of the highlight map, and its gap from the window's right edge (the scroll bar).
const MAP_WIDTH: f32 = 12.0;
const MAP_RIGHT_GAP: f32 = 14.0;

/// The runs of consecutive rows whose mask has `bit`, as row ranges (end exclusive): rows
/// `[1, 1, 0, 1]` with bit 1 give `0..2` and `3..4`.
fn marked_runs(masks: &[u64], bit: u64) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut row = 0;
    std::iter::from_fn(move || {
        let start = row + masks[row..].iter().position(|m| m & bit != 0)?;
        let end = start
            + masks[start..]
                .iter()
                .position(|m| m & bit == 0)
                .unwrap_or(masks.len() - start);
        row = end;
        Some(start..end)
    })
}

/// The highlight map beside the scroll bar: where the highlights are in the whole article, one
/// column per label in its colour, with the part in view framed. A click or drag scrolls there.
///
/// The paragraphs that hold highlights are bucketed into rows of two points when the heights,
/// the highlights or the map's size change (`ReaderCache::map_rows`); a frame paints at most
/// one rectangle per run of marked rows in each label's column, whatever the article's length
/// and the number of highlights.
fn highlight_map_ui(
    ui: &mut Ui,
    output: &egui::scroll_area::ScrollAreaOutput<f32>,
    cache: &mut ReaderCache,
    doc: &Document,
    view: &ViewState,
) {
    let area = output.inner_rect;
    let content_height = output.content_size.y.max(1.0);
    if content_height <= area.height() || area.height() < 40.0 {
        return;
    }
    let rect = Rect::from_min_max(
        pos2(area.right() - MAP_RIGHT_GAP - MAP_WIDTH, area.top() + 4.0),
        pos2(area.right() - MAP_RIGHT_GAP, area.bottom() - 4.0),
    );
    let response = ui.interact(
        rect,
        ui.scope_id().with("highlight-map"),
        Sense::click_and_drag(),
    );
    response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::ScrollBar, true, "Highlight map"));
    let painter = ui.painter_at(rect.expand(1.0));
    painter.rect_filled(
        rect,
        2.0,
        theme::decoration_colour(view.dark).gamma_multiply(0.35),
    );
    // Content y of paragraph `p`: the margin and the metadata header come first.
    let header = content_height - 2.0 * VERTICAL_MARGIN - cache.total_height();
    let scale = rect.height() / content_height;
    let row_height = 2.0;
    let made_for = (
        cache.tops_version,
        cache.index.generation,
        rect.height().to_bits(),
        content_height.to_bits(),
    );
    if cache.map_rows.0 != Some(made_for) {
        let rows = (rect.height() / row_height).ceil() as usize;
        let mut masks = vec![0u64; rows];
        for &(paragraph, mask) in &cache.index.map_marks {
            let Some(&top) = cache.tops.get(paragraph) else {
                continue;
            };
            let y = (VERTICAL_MARGIN + header + top) * scale;
            let row = ((y / row_height) as usize).min(rows.saturating_sub(1));
            masks[row] |= mask;
        }
        cache.map_rows = (Some(made_for), masks);
    }
    let masks = &cache.map_rows.1;
    let labels = &doc.set.labels.labels;
    let columns = labels.len().clamp(1, 64);
    let column_width = MAP_WIDTH / columns as f32;
    // One rectangle per run of marked rows in a column: a dense map is a few dozen shapes to
    // tessellate rather than one per row and label (about a thousand for 10,000 highlights).
    for (i, label) in labels.iter().enumerate().take(columns) {
        let colour = theme::label_colour(&doc.set.labels, &label.id);
        let x = rect.left() + i as f32 * column_width;
        for run in marked_runs(masks, 1 << i) {
            painter.rect_filled(
                Rect::from_min_max(
                    pos2(x, rect.top() + run.start as f32 * row_height),
                    pos2(x + column_width, rect.top() + run.end as f32 * row_height),
                ),
                0.0,
                colour,
            );
        }
    }
    // The part in view.
    let offset = output.state.clamped_offset().y;
    let in_view = Rect::from_min_max(
        pos2(rect.left() - 1.0, rect.top() + offset * scale),
        pos2(
            rect.right() + 1.0,
            rect.top() + (offset + area.height()) * scale,
        ),
    );
    painter.rect_stroke(
        in_view,
        2.0,
        egui::Stroke::new(1.0, theme::muted_text_colour(view.dark)),
        egui::StrokeKind::Inside,
    );
    if let Some(pos) = response.interact_pointer_pos()
        && (response.clicked() || response.dragged())
    {
        let fraction = ((pos.y - rect.top()) / rect.height()).clamp(0.0, 1.0);
        let target = fraction * content_height - area.height() / 2.0;
        cache.scroll_request = Some(target.clamp(0.0, content_height - area.height()));
        ui.ctx().request_repaint();
    }
    if response.hovered() {
        ui.ctx().set_cursor_icon(CursorIcon::PointingHand);
    }
}

/// Screen rect of the character at `offset` (for scrolling to it).
fn offset_rect(
    cache: &mut ReaderCache,
    doc: &Document,
    ctx: &egui::Context,
    origin: Pos2,
    offset: usize,
) -> Option<Rect> {
    let index = doc.article.paragraph_at_or_after(offset)?;
    let galley = cache.galley(ctx, doc, index)?;
    let para = &doc.article.paragraphs[index];
    let local = offset.saturating_sub(para.chars.start);
    let top = cache.text_origin(index, origin);
    Some(
        galley
            .pos_from_cursor(CCursor::new(local))
            .translate(top.to_vec2()),
    )
}

fn paint(
    painter: &Painter,
    cache: &mut ReaderCache,
    doc: &Document,
    view: &ViewState,
    ctx: &egui::Context,
    origin: Pos2,
    visible: Range<usize>,
) {
    let now = ctx.input(|i| i.time);
    let flash = view.flash.and_then(|(id, since)| {
        let t = (now - since) as f32;
        (t < 1.6).then(|| (id, (1.0 - t / 1.6) * (0.5 + 0.5 * (t * 9.0).cos())))
    });
    if flash.is_some() {
        ctx.request_repaint();
    }
    let selection = view.selected_range();
    let selection_fill = ctx.global_style().visuals.selection.bg_fill;
    // The proposed place of a selected annotation that waits for review: outlined, so the
    // analyst sees where it would go before accepting.
    let proposal = view.selected.and_then(|id| doc.set.get(id)).and_then(|a| {
        let range = a.review.as_ref()?.proposal?.range();
        Some((range, theme::label_colour(&doc.set.labels, &a.label), a.id))
    });
    cache.outlines.prepare(doc);
    let focus: Option<(AnnotationId, Vec<AnnotationId>)> =
        cache.focus(view).map(|(f, r)| (f, r.to_vec()));
    let related = |id: AnnotationId| focus.as_ref().is_some_and(|(_, r)| r.contains(&id));
    let find = view.find.as_ref();
    // Where the focus annotation and its related ones first show on screen, for connectors.
    let mut first_rects: Vec<(AnnotationId, Rect, Color32)> = Vec::new();
    let mut visible_chars = Range {
        start: usize::MAX,
        end: 0,
    };

    for index in visible {
        let Some(galley) = cache.galley(ctx, doc, index) else {
            continue;
        };
        let para = &doc.article.paragraphs[index].chars;
        visible_chars.start = visible_chars.start.min(para.start);
        visible_chars.end = visible_chars.end.max(para.end);
        let top = cache.text_origin(index, origin);
        block_decoration(painter, cache, doc, index, top, &galley, view.dark);
        let spans = &cache.index.spans[index];

        for span in spans {
            let fill = match flash {
                Some((id, strength)) if id == span.id => theme::flash_fill(span.colour, strength),
                _ if view.hidden.contains(&span.id) => theme::dimmed_fill(span.colour, view.dark),
                _ => theme::highlight_fill(span.colour, view.dark),
            };
            for r in range_rects(&galley, span.local.clone()) {
                painter.rect_filled(r.translate(top.to_vec2()), 2.0, fill);
            }
        }
        if let Some(find) = find {
            paint_find_matches(painter, &galley, top, para.clone(), find, view.dark);
        }
        if let Some(sel) = &selection
            && sel.start < para.end
            && para.start < sel.end
        {
            let local = sel.start.max(para.start) - para.start..sel.end.min(para.end) - para.start;
            for r in range_rects(&galley, local) {
                painter.rect_filled(r.translate(top.to_vec2()), 0.0, selection_fill);
            }
        }

        if let Some((range, colour, id)) = &proposal
            && range.start < para.end
            && para.start < range.end
        {
            let local =
                range.start.max(para.start) - para.start..range.end.min(para.end) - para.start;
            let fill = match flash {
                Some((flash_id, strength)) if flash_id == *id => {
                    theme::flash_fill(*colour, strength)
                }
                _ => theme::highlight_fill(*colour, view.dark),
            };
            for r in range_rects(&galley, local) {
                let r = r.translate(top.to_vec2());
                painter.rect_filled(r, 2.0, fill);
                painter.rect_stroke(
                    r,
                    2.0,
                    egui::Stroke::new(2.0, *colour),
                    egui::StrokeKind::Outside,
                );
            }
        }

        painter.galley(top, galley.clone(), theme::text_colour(view.dark));

        for span in spans {
            // Deeper layers share the last underline slot rather than climbing into the glyphs.
            let slot = span.layer.min(theme::MAX_UNDERLINE_LAYERS - 1) as f32;
            let y_shift = slot * (theme::UNDERLINE_THICKNESS + theme::UNDERLINE_GAP);
            let hidden = view.hidden.contains(&span.id);
            let colour = if hidden {
                span.colour.gamma_multiply(0.35)
            } else {
                span.colour
            };
            let linked = related(span.id);
            let is_focus = focus
                .as_ref()
                .is_some_and(|(f, r)| *f == span.id && !r.is_empty());
            for r in range_rects(&galley, span.local.clone()) {
                let r = r.translate(top.to_vec2());
                let y = r.bottom() - 1.0 - y_shift;
                painter.line_segment(
                    [pos2(r.left(), y), pos2(r.right(), y)],
                    egui::Stroke::new(theme::UNDERLINE_THICKNESS, colour),
                );
                if (linked || is_focus) && !first_rects.iter().any(|(id, _, _)| *id == span.id) {
                    first_rects.push((span.id, r, span.colour));
                }
                if linked {
                    painter.rect_stroke(
                        r.expand(1.5),
                        3.0,
                        egui::Stroke::new(2.0, span.colour),
                        egui::StrokeKind::Outside,
                    );
                }
                if view.selected == Some(span.id) {
                    painter.rect_stroke(
                        r.expand(1.0),
                        2.0,
                        theme::selected_outline(view.dark),
                        egui::StrokeKind::Outside,
                    );
                }
            }
        }
        cache
            .outlines
            .paint_paragraph(painter, index, top, &galley, flash);
    }
    if let Some((focus_id, related)) = &focus {
        let links = Links {
            focus: *focus_id,
            related,
            first_rects: &first_rects,
            visible_chars,
            margin_x: origin.x,
        };
        paint_links(painter, doc, &links, view.dark);
    }
}

/// What [`paint_links`] draws: the focus annotation's links to the annotations in `related`.
struct Links<'a> {
    focus: AnnotationId,
    related: &'a [AnnotationId],
    /// The first rectangle on screen of each of them that is in view.
    first_rects: &'a [(AnnotationId, Rect, Color32)],
    /// The code points of the paragraphs in view.
    visible_chars: Range<usize>,
    /// The column's left edge: connectors run in the margin left of it.
    margin_x: f32,
}

/// Connectors from the focus annotation to its related ones in view: curves in the left margin
/// from the line of one to the line of the other, so they cross no text (the related highlights
/// are outlined); related ones out of view are counted at the top or bottom edge.
fn paint_links(painter: &Painter, doc: &Document, links: &Links<'_>, dark: bool) {
    let rect_of = |id: AnnotationId| links.first_rects.iter().find(|(i, _, _)| *i == id);
    let from = rect_of(links.focus);
    let (mut above, mut below) = (0, 0);
    for &id in links.related {
        match (from, rect_of(id)) {
            (Some((_, a, _)), Some((_, b, colour))) => {
                // Highlights on one line need no connector: their outlines show the link.
                if (a.center().y - b.center().y).abs() < a.height().min(b.height()) * 0.5 {
                    continue;
                }
                let x = links.margin_x - 8.0;
                let start = pos2(x, a.center().y);
                let end = pos2(x, b.center().y);
                let bulge = 10.0 + (start.y - end.y).abs().min(400.0) * 0.04;
                let curve = egui::epaint::CubicBezierShape::from_points_stroke(
                    [start, pos2(x - bulge, start.y), pos2(x - bulge, end.y), end],
                    false,
                    Color32::TRANSPARENT,
                    egui::Stroke::new(1.5, *colour),
                );
                painter.add(curve);
                painter.circle_filled(start, 3.0, *colour);
                painter.circle_filled(end, 3.0, *colour);
            }
            (_, Some(_)) => {}
            (_, None) => {
                let Some(a) = doc.set.get(id) else {
                    continue;
                };
                if doc.unplaced.contains(&id) {
                    continue;
                }
                if a.anchor.position.start < links.visible_chars.start {
                    above += 1;
                } else {
                    below += 1;
                }
            }
        }
    }
    let clip = painter.clip_rect();
    let note = |text: String, pos: Pos2, align: egui::Align2| {
        let font = FontId::proportional(13.0);
        let galley = painter.layout_no_wrap(text, font, theme::text_colour(dark));
        let rect = align.anchor_size(pos, galley.size()).expand(4.0);
        painter.rect_filled(rect, 4.0, theme::reader_background(dark));
        painter.rect_stroke(
            rect,
            4.0,
            egui::Stroke::new(1.0, theme::decoration_colour(dark)),
            egui::StrokeKind::Inside,
        );
        painter.galley(rect.min + vec2(4.0, 4.0), galley, theme::text_colour(dark));
    };
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if above > 0 {
        note(
            format!("{above} linked annotation{} above", plural(above)),
            pos2(links.margin_x, clip.top() + 8.0),
            egui::Align2::LEFT_TOP,
        );
    }
    if below > 0 {
        note(
            format!("{below} linked annotation{} below", plural(below)),
            pos2(links.margin_x, clip.bottom() - 8.0),
            egui::Align2::LEFT_BOTTOM,
        );
    }
}

/// The find bar's matches in one paragraph (`para`: its code points): a tint, and an outline on
/// the current match.
fn paint_find_matches(
    painter: &Painter,
    galley: &Galley,
    top: Pos2,
    para: Range<usize>,
    find: &crate::app::FindState,
    dark: bool,
) {
    let first = find.matches.partition_point(|m| m.end <= para.start);
    for (i, m) in find.matches[first..].iter().enumerate() {
        if m.start >= para.end {
            break;
        }
        let local = m.start.max(para.start) - para.start..m.end.min(para.end) - para.start;
        let current = find.current == Some(first + i);
        for r in range_rects(galley, local) {
            let r = r.translate(top.to_vec2());
            painter.rect_filled(r, 2.0, theme::find_fill(dark, current));
            if current {
                painter.rect_stroke(
                    r.expand(1.0),
                    2.0,
                    egui::Stroke::new(2.0, theme::find_outline(dark)),
                    egui::StrokeKind::Outside,
                );
            }
        }
    }
}

/// The metadata header: byline · site · date, then the address, then the source format,
/// language and encoding. `None` for a plain UTF-8 text with nothing to show.
fn header_job(meta: &Metadata, key: LayoutKey) -> Option<LayoutJob> {
    let small = key.font_size * 0.8;
    let muted = theme::muted_text_colour(key.dark);
    let format = |size: f32, color: Color32| TextFormat {
        font_id: FontId::proportional(size),
        color,
        line_height: Some(size * 1.4),
        ..TextFormat::default()
    };
    let mut job = LayoutJob::default();
    job.wrap.max_width = key.width;
    let credits: Vec<&str> = [&meta.byline, &meta.site, &meta.published]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if !credits.is_empty() {
        job.append(
            &credits.join("  ·  "),
            0.0,
            format(key.font_size * 0.9, muted),
        );
    }
    if let Some(url) = meta.url.as_deref().filter(|u| !u.trim().is_empty()) {
        if !job.text.is_empty() {
            job.append("\n", 0.0, format(small, muted));
        }
        job.append(url.trim(), 0.0, format(small, theme::link_colour(key.dark)));
    }
    let mut source = Vec::new();
    if meta.format != SourceFormat::Text || !job.text.is_empty() {
        source.push(
            match meta.format {
                SourceFormat::Text => "Plain text",
                SourceFormat::Markdown => "Markdown",
                SourceFormat::Html => "Web page",
                SourceFormat::Pdf => "PDF",
                SourceFormat::Epub => "EPUB",
            }
            .to_owned(),
        );
    }
    if let Some(lang) = &meta.lang {
        source.push(format!("language {lang}"));
    }
    if let Some(encoding) = &meta.encoding {
        source.push(format!("decoded from {encoding}"));
    }
    if !source.is_empty() {
        if !job.text.is_empty() {
            job.append("\n", 0.0, format(small, muted));
        }
        job.append(&source.join("  ·  "), 0.0, format(small, muted));
    }
    (!job.text.is_empty()).then_some(job)
}

/// What sets a block off besides its text: the bar beside a quote, a list item's bullet or
/// number, the tint behind preformatted text.
fn block_decoration(
    painter: &Painter,
    cache: &ReaderCache,
    doc: &Document,
    index: usize,
    top: Pos2,
    galley: &Galley,
    dark: bool,
) {
    let (Some(key), Some(paragraph)) = (cache.key, doc.article.paragraphs.get(index)) else {
        return;
    };
    let size = key.font_size;
    let colour = theme::decoration_colour(dark);
    match paragraph.kind {
        BlockKind::Quote(depth) => {
            for level in 0..depth {
                let x =
                    top.x - size * theme::QUOTE_INDENT_EMS * f32::from(depth - level) + size * 0.35;
                painter.line_segment(
                    [pos2(x, top.y), pos2(x, top.y + galley.size().y)],
                    egui::Stroke::new(3.0, colour),
                );
            }
        }
        BlockKind::ListItem { number, .. } => {
            let marker = number.map_or_else(|| "•".to_owned(), |n| format!("{n}."));
            let first_row = galley.rows.first().map_or(size, |r| r.row.size.y);
            painter.text(
                pos2(top.x - size * 0.45, top.y + first_row / 2.0),
                egui::Align2::RIGHT_CENTER,
                marker,
                FontId::proportional(size),
                theme::text_colour(dark),
            );
        }
        BlockKind::Preformatted => {
            let rect = Rect::from_min_size(top, vec2(key.width, galley.size().y))
                .expand2(vec2(size * 0.4, size * 0.25));
            painter.rect_filled(rect, 4.0, theme::code_background(dark));
        }
        BlockKind::Headline | BlockKind::Heading(_) | BlockKind::Body => {}
    }
}

/// Article offset under a screen position (clamped into the text).
fn offset_at(cache: &ReaderCache, doc: &Document, origin: Pos2, pos: Pos2) -> Option<usize> {
    let y = pos.y - origin.y;
    let index = cache.paragraph_at_y(y)?;
    let galley = cache.slots[index].galley.as_ref()?;
    let para = &doc.article.paragraphs[index].chars;
    let local = pos - cache.text_origin(index, origin);
    let cursor = galley.cursor_from_pos(local);
    Some(para.start + cursor.index.0.min(para.len()))
}

fn interact(
    ui: &Ui,
    response: &egui::Response,
    cache: &mut ReaderCache,
    doc: &Document,
    view: &ViewState,
    origin: Pos2,
    actions: &mut Vec<Action>,
) {
    let pointer = ui.input(|i| i.pointer.interact_pos());
    let at = pointer.and_then(|p| offset_at(cache, doc, origin, p));
    if response.hovered() {
        ui.ctx().set_cursor_icon(CursorIcon::Text);
    }

    let (pressed, down, shift) = ui.input(|i| {
        (
            i.pointer.button_pressed(PointerButton::Primary),
            i.pointer.primary_down(),
            i.modifiers.shift,
        )
    });
    if pressed && response.hovered() {
        if let Some(at) = at {
            let anchor = match view.selection {
                Some(sel) if shift => sel.anchor,
                _ => at,
            };
            actions.push(Action::SetTextSelection(Some(TextSelection {
                anchor,
                head: at,
            })));
            cache.dragging = true;
        }
    } else if cache.dragging && down {
        // Dragging past the top or bottom edge scrolls, so a selection can span pages.
        if let Some(p) = pointer {
            let clip = ui.clip_rect();
            let beyond = if p.y < clip.top() {
                p.y - clip.top()
            } else if p.y > clip.bottom() {
                p.y - clip.bottom()
            } else {
                0.0
            };
            if beyond != 0.0 {
                ui.scroll_with_delta(vec2(0.0, -beyond.clamp(-60.0, 60.0) * 0.5));
                ui.ctx().request_repaint();
            }
        }
        if let (Some(at), Some(sel)) = (at, view.selection)
            && sel.head != at
        {
            actions.push(Action::SetTextSelection(Some(TextSelection {
                anchor: sel.anchor,
                head: at,
            })));
        }
    } else if !down {
        cache.dragging = false;
    }

    if response.triple_clicked() {
        if let Some(index) = at.and_then(|a| doc.article.paragraph_at_or_after(a)) {
            let p = &doc.article.paragraphs[index].chars;
            actions.push(Action::SetTextSelection(Some(TextSelection {
                anchor: p.start,
                head: p.end,
            })));
        }
    } else if response.double_clicked() {
        if let Some(word) = at.and_then(|a| word_at(doc, a)) {
            actions.push(Action::SetTextSelection(Some(TextSelection {
                anchor: word.start,
                head: word.end,
            })));
        }
    } else if response.clicked() && !shift {
        let hit = at.map(|a| cache.annotations_at(doc, a)).unwrap_or_default();
        match (&view.link, hit.first()) {
            // Linking: a click on a highlight picks the other end.
            (Some(link), Some(&id)) if id != link.from => actions.push(Action::LinkPick(id)),
            (Some(_), _) => {}
            (None, first) => actions.push(Action::SelectAnnotation(first.copied())),
        }
    }

    let hovered_annotations = match at {
        Some(a) if response.hovered() && !cache.dragging => cache.annotations_at(doc, a),
        _ => Vec::new(),
    };
    if cache.hovered != hovered_annotations.first().copied() {
        cache.hovered = hovered_annotations.first().copied();
        // Its links show in the next frame.
        ui.ctx().request_repaint();
    }
    if view.link.is_some() && !hovered_annotations.is_empty() {
        ui.ctx().set_cursor_icon(CursorIcon::PointingHand);
    }
    if response.secondary_clicked() {
        cache.context_target = hovered_annotations.first().copied();
    }
    let hovered_others = match at {
        Some(a) if response.hovered() && !cache.dragging => cache.outlines.hits_at(doc, a),
        _ => Vec::new(),
    };
    let hovered_any = !hovered_annotations.is_empty() || !hovered_others.is_empty();
    if hovered_any && !response.context_menu_opened() {
        response.clone().on_hover_ui_at_pointer(|ui| {
            for id in &hovered_annotations {
                annotation_tooltip_ui(ui, doc, *id);
            }
            crate::ui::outlines::tooltip_ui(ui, doc, &hovered_others);
        });
    }

    response.context_menu(|ui| {
        context_menu_ui(ui, doc, view, cache.context_target, actions);
    });
}

fn annotation_tooltip_ui(ui: &mut Ui, doc: &Document, id: AnnotationId) {
    let Some(a) = doc.set.get(id) else {
        return;
    };
    let colour = theme::label_colour(&doc.set.labels, &a.label);
    ui.horizontal(|ui| {
        let (r, _) = ui.allocate_exact_size(vec2(10.0, 10.0), Sense::hover());
        ui.painter().rect_filled(r, 2.0, colour);
        ui.strong(doc.set.labels.name_of(&a.label));
    });
    if a.note.is_empty() {
        ui.weak("No note");
    } else {
        ui.label(&a.note);
    }
    let labels = &doc.set.labels;
    for r in doc.set.relations_of(id) {
        let Some(b) = doc.set.get(r.other_end(id)) else {
            continue;
        };
        let text = crate::ui::relations::link_sentence(doc, r, id, b, 50);
        ui.label(RichText::new(text).color(theme::label_colour(labels, &b.label)));
    }
}

fn context_menu_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    target: Option<AnnotationId>,
    actions: &mut Vec<Action>,
) {
    let has_selection = view.selection.is_some_and(|s| !s.is_empty());
    for label in &doc.set.labels.labels {
        let text = match label.key {
            Some(k) => format!("Mark as {}  ({k})", label.name),
            None => format!("Mark as {}", label.name),
        };
        if ui
            .add_enabled(has_selection, egui::Button::new(text))
            .clicked()
        {
            actions.push(Action::Mark(label.id.clone()));
            ui.close();
        }
    }
    if ui
        .add_enabled(has_selection, egui::Button::new("Copy"))
        .clicked()
    {
        actions.push(Action::CopySelection);
        ui.close();
    }
    if let Some(id) = target
        && let Some(a) = doc.set.get(id)
    {
        ui.separator();
        ui.weak(format!(
            "{}: “{}”",
            doc.set.labels.name_of(&a.label),
            elide(&a.anchor.quote.exact, 40)
        ));
        if ui.button("Select annotation").clicked() {
            actions.push(Action::SelectAnnotation(Some(id)));
            ui.close();
        }
        ui.menu_button("Change label", |ui| {
            for label in &doc.set.labels.labels {
                if ui
                    .add_enabled(label.id != a.label, egui::Button::new(&label.name))
                    .clicked()
                {
                    actions.push(Action::SetLabel(id, label.id.clone()));
                    ui.close();
                }
            }
        });
        if ui.button("Delete annotation").clicked() {
            actions.push(Action::Delete(id));
            ui.close();
        }
    }
}

/// `text` cut to `max` chars with an ellipsis (for menus; lists and exports show quotes whole).
pub fn elide(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut out: String = flat.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Edit, LONGEST_PARAGRAPH};

    /// After any sequence of adds, removes, relabels, undos and redos, the index kept up to
    /// date change by change equals one built from scratch.
    #[test]
    fn the_map_draws_a_run_of_marked_rows_as_one_rectangle() {
        let claim = 1u64;
        let source = 2u64;
        let masks = [claim, claim | source, 0, source, claim, claim, claim];
        let runs = |bit: u64| marked_runs(&masks, bit).collect::<Vec<Range<usize>>>();
        assert_eq!(runs(claim), vec![0..2, 4..7]);
        assert_eq!(runs(source), vec![1..2, 3..4]);
        assert!(runs(4).is_empty());
        assert_eq!(marked_runs(&[], claim).count(), 0);
    }

    #[test]
    fn the_index_followed_change_by_change_equals_a_rebuilt_one() {
        let mut doc = crate::app::document::tests::paragraphs_doc(40);
        let mut followed = ReaderCache::default();
        followed.index.rebuild(&doc);
        let mut next = crate::model::test_rng(0x2545_f491_4f6c_dd1d);
        for step in 0..400 {
            crate::app::document::tests::random_step(&mut doc, &mut next);
            let changes = doc
                .changes_since(followed.index.generation.unwrap())
                .expect("every change is logged");
            followed.index.update(&doc, &changes);
            let mut rebuilt = ReaderCache::default();
            rebuilt.index.rebuild(&doc);
            assert_eq!(followed.index.spans, rebuilt.index.spans, "step {step}");
            assert_eq!(followed.index.placed, rebuilt.index.placed, "step {step}");
            assert_eq!(
                followed.index.map_marks, rebuilt.index.map_marks,
                "step {step}"
            );
        }
        assert!(doc.set.annotations.len() > 20, "the walk built up a set");
        assert!(
            followed
                .index
                .spans
                .iter()
                .any(|s| s.iter().any(|s| s.layer > 0)),
            "some highlights overlap"
        );
    }

    #[test]
    fn a_set_wide_change_makes_the_index_start_again() {
        let mut doc = Document::sample();
        let generation = doc.generation;
        let mut labels = doc.set.labels.clone();
        labels.name = "other".into();
        let edits = vec![Edit::SetLabels {
            before: Box::new(doc.set.labels.clone()),
            after: Box::new(labels),
        }];
        doc.history
            .apply(Arc::make_mut(&mut doc.set), edits)
            .unwrap();
        doc.refresh_after(doc.history.last_touched().clone());
        assert_eq!(doc.changes_since(generation), None);
        assert_eq!(doc.changes_since(doc.generation), Some(Vec::new()));
    }

    /// A layout key 600 points wide at 18 points.
    fn test_key() -> LayoutKey {
        LayoutKey {
            width: 600.0,
            font_size: 18.0,
            dark: false,
            pixels_per_point: 1.0,
        }
    }

    /// The pieces of a long paragraph (see `Paragraph::cut_before`) read as one paragraph: no
    /// space above a piece that goes on from the one before, no gap after one that goes on.
    #[test]
    fn the_pieces_of_a_long_paragraph_are_laid_out_without_gaps_between_them() {
        let long = crate::model::article::tests::sentences(300);
        let article = Article::from_plain_text(&format!("Title\n\n{long}\n\nThe end."), "t");
        let pieces: Vec<&Paragraph> = article.paragraphs[1..4].iter().collect();
        assert!(pieces.iter().all(|p| p.kind == BlockKind::Body));
        assert!(pieces[0].cut_after && pieces[1].cut_before && !pieces[2].cut_after);
        let key = test_key();
        let ctx = egui::Context::default();
        let mut laid_out = Vec::new();
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            ui.ctx().fonts_mut(|f| {
                for p in &pieces {
                    let (galley, height) = lay_out_paragraph(f, &article, p, key);
                    laid_out.push((galley.size().y, height));
                }
            });
        });
        output.textures_delta.clear();
        let above = theme::space_before(BlockKind::Body) * key.font_size;
        let gap = theme::PARAGRAPH_GAP * key.font_size;
        assert!(gap > 0.0);
        assert_eq!(laid_out[0].1, above + laid_out[0].0);
        assert_eq!(laid_out[1].1, laid_out[1].0);
        assert_eq!(laid_out[2].1, laid_out[2].0 + gap);
        // Code blocks have space above: not their pieces that go on.
        let code: String = (0..800).map(|i| format!("let v{i} = f({i});\n")).collect();
        let block = crate::model::structure::Block::plain(BlockKind::Preformatted, code.trim_end());
        let code = Article::from_structured(
            crate::model::structure::StructuredText {
                meta: Metadata::default(),
                blocks: vec![block],
            },
            "t",
        );
        assert!(theme::space_before(BlockKind::Preformatted) > 0.0);
        assert!(code.paragraphs[1].cut_before && code.paragraphs[1].cut_after);
        assert_eq!(block_offset(BlockKind::Preformatted, true, key).y, 0.0);
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            ui.ctx().fonts_mut(|f| {
                let (galley, height) = lay_out_paragraph(f, &code, &code.paragraphs[1], key);
                assert_eq!(height, galley.size().y);
            });
        });
        output.textures_delta.clear();
        for (piece, (galley, _)) in pieces.iter().zip(&laid_out) {
            let estimate = estimate_height(piece, key);
            assert!(
                (estimate - galley).abs() < 0.2 * galley,
                "estimate {estimate} for {galley}"
            );
        }
    }

    /// Long paragraphs fill memory long before the count of galleys does: the galleys kept hold
    /// at most [`MAX_CACHED_BYTES`] of text, besides those of the frame under way.
    #[test]
    fn the_galleys_kept_hold_a_bounded_amount_of_text() {
        let sentence = "The memo, the ministry said on Friday, was never sent to anyone. ";
        let text = sentence.repeat(1_000_000 / sentence.len());
        let article = Article::from_plain_text(&text, "t");
        let doc = Document::new(
            article,
            crate::app::ArticleSource::File("t.txt".into()),
            None,
        );
        let n = doc.article.paragraphs.len();
        assert!(n > 200, "{n} pieces");
        let key = test_key();
        let ctx = egui::Context::default();
        let mut cache = ReaderCache::default();
        let per_frame = 20;
        let mut most = 0;
        for first in (0..n).step_by(per_frame) {
            let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
                cache.prepare(ui.ctx(), &doc, key);
                for index in first..(first + per_frame).min(n) {
                    cache.galley(ui.ctx(), &doc, index);
                }
            });
            output.textures_delta.clear();
            let kept: usize = (cache.slots.iter())
                .filter_map(|s| s.galley.as_ref())
                .map(|g| g.job.text.len())
                .sum();
            assert_eq!(cache.cached_bytes, kept);
            most = most.max(kept);
        }
        let frame = per_frame * LONGEST_PARAGRAPH;
        assert!(most <= MAX_CACHED_BYTES + frame, "{most} bytes kept");
        assert!(most > MAX_CACHED_BYTES / 2, "the bound was never reached");
    }
}
