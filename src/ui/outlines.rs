//! Other analysts' annotations in the reader: outlines only, never fills, so the active set's
//! highlights stay readable; each other set has its own style (solid box, dashed underline,
//! dashed box, dotted underline) so two of them can be told apart.
//!
//! Like the reader's highlights, the outlines are indexed per paragraph and the index is
//! rebuilt only when the other sets change ([`Others::generation`](crate::app::Others)), so a
//! frame only paints the paragraphs in view.

use std::ops::Range;

use egui::{Color32, Galley, Painter, Pos2, Rect, Shape, Stroke, Ui, pos2};

use crate::app::Document;
use crate::model::AnnotationId;
use crate::ui::{reader::range_rects, theme};

/// An other set's annotation clipped to one paragraph.
#[derive(Clone, Debug)]
struct OutlineSpan {
    key: u64,
    id: AnnotationId,
    /// Paragraph-local code point range.
    local: Range<usize>,
    colour: Color32,
    style: usize,
}

/// Per-paragraph outlines of the visible other sets.
#[derive(Default)]
pub struct OutlineIndex {
    /// `(Others::generation, paragraphs)` the index was built for.
    built_for: Option<(u64, usize)>,
    spans: Vec<Vec<OutlineSpan>>,
}

impl OutlineIndex {
    /// Rebuilds the index if the other sets changed since it was built.
    pub fn prepare(&mut self, doc: &Document) {
        let stamp = (doc.others.generation, doc.article.paragraphs.len());
        if self.built_for == Some(stamp) {
            return;
        }
        let article = &doc.article;
        self.spans = vec![Vec::new(); article.paragraphs.len()];
        for other in doc.others.sets.iter().filter(|o| o.visible) {
            for a in other.set.annotations.iter().filter(|a| a.review.is_none()) {
                let p = a.anchor.position;
                if p.end > article.char_len() || p.start >= p.end {
                    continue;
                }
                let colour = theme::label_colour(&other.set.labels, &a.label);
                for index in article.paragraphs_touching(p.range()) {
                    let para = &article.paragraphs[index].chars;
                    let start = p.start.max(para.start) - para.start;
                    let end = p.end.min(para.end) - para.start;
                    if start < end {
                        self.spans[index].push(OutlineSpan {
                            key: other.key,
                            id: a.id,
                            local: start..end,
                            colour,
                            style: other.style,
                        });
                    }
                }
            }
        }
        self.built_for = Some(stamp);
    }

    /// Paints paragraph `index`'s outlines; `top` is the galley's screen position. `flash` is
    /// the annotation being flashed after a jump and how strongly.
    pub fn paint_paragraph(
        &self,
        painter: &Painter,
        index: usize,
        top: Pos2,
        galley: &Galley,
        flash: Option<(AnnotationId, f32)>,
    ) {
        let Some(spans) = self.spans.get(index) else {
            return;
        };
        for span in spans {
            let strength = match flash {
                Some((id, s)) if id == span.id => Some(s),
                _ => None,
            };
            for r in range_rects(galley, span.local.clone()) {
                let r = r.translate(top.to_vec2());
                if let Some(s) = strength {
                    // A jump briefly fills the place so the eye finds it, then only the outline stays.
                    painter.rect_filled(r, 2.0, theme::flash_fill(span.colour, s));
                }
                paint_style(painter, r, span.style, span.colour, strength.is_some());
            }
        }
    }

    /// The other sets' annotations covering article offset `offset`: `(set key, id)`, shortest
    /// first.
    pub fn hits_at(&self, doc: &Document, offset: usize) -> Vec<(u64, AnnotationId)> {
        let Some(index) = doc.article.paragraph_at_or_after(offset) else {
            return Vec::new();
        };
        let Some(local) = offset.checked_sub(doc.article.paragraphs[index].chars.start) else {
            return Vec::new();
        };
        let mut hits: Vec<&OutlineSpan> = self
            .spans
            .get(index)
            .into_iter()
            .flatten()
            .filter(|s| s.local.contains(&local))
            .collect();
        hits.sort_by_key(|s| s.local.len());
        hits.iter().map(|s| (s.key, s.id)).collect()
    }
}

/// Draws one row rectangle of an outline in `style` (see the module docs).
fn paint_style(painter: &Painter, r: Rect, style: usize, colour: Color32, strong: bool) {
    let width = if strong {
        theme::OTHER_OUTLINE_WIDTH * 2.0
    } else {
        theme::OTHER_OUTLINE_WIDTH
    };
    let stroke = Stroke::new(width, colour);
    // Underlines go just below the row, under the active set's stacked underlines.
    let y = r.bottom() + 1.0;
    match style % crate::app::OUTLINE_STYLES {
        0 => {
            painter.rect_stroke(r, 2.0, stroke, egui::StrokeKind::Inside);
        }
        1 => {
            painter.extend(Shape::dashed_line(
                &[pos2(r.left(), y), pos2(r.right(), y)],
                stroke,
                5.0,
                3.0,
            ));
        }
        2 => {
            let r = r.shrink(width / 2.0);
            let corners = [
                r.left_top(),
                r.right_top(),
                r.right_bottom(),
                r.left_bottom(),
                r.left_top(),
            ];
            painter.extend(Shape::dashed_line(&corners, stroke, 3.0, 2.5));
        }
        _ => {
            painter.extend(Shape::dotted_line(
                &[pos2(r.left(), y), pos2(r.right(), y)],
                colour,
                4.0,
                width * 0.75,
            ));
        }
    }
}

/// A small sample of outline `style` (for the Sets list), in `colour`.
pub fn style_sample_ui(ui: &mut Ui, style: usize, colour: Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(30.0, 14.0), egui::Sense::hover());
    let r = Rect::from_min_max(
        rect.left_top() + egui::vec2(2.0, 1.0),
        rect.right_bottom() - egui::vec2(2.0, 4.0),
    );
    paint_style(ui.painter(), r, style, colour, false);
}

/// The tooltip lines for other sets' annotations under the pointer: "ANALYST: Label – note".
pub fn tooltip_ui(ui: &mut Ui, doc: &Document, hits: &[(u64, AnnotationId)]) {
    for (key, id) in hits {
        let Some(other) = doc.others.get(*key) else {
            continue;
        };
        let Some(a) = other.set.get(*id) else {
            continue;
        };
        let colour = theme::label_colour(&other.set.labels, &a.label);
        ui.horizontal(|ui| {
            style_sample_ui(ui, other.style, colour);
            let note = if a.note.trim().is_empty() {
                "no note".to_owned()
            } else {
                a.note.clone()
            };
            ui.label(format!(
                "{}: {} – {note}",
                other.analyst(),
                other.set.labels.name_of(&a.label)
            ));
        });
    }
}
