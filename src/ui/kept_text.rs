//! Texts laid out in earlier frames, kept by the app.
//!
//! egui keeps a layout only while it is used frame after frame: a text that leaves the screen
//! for one frame is laid out anew when it comes back. The side panel's texts come and go all
//! the time — the details of the selected annotation vanish when it is deleted and come back on
//! undo (some thirty labels: about 0.4 ms of shaping), the list's rows when the details above
//! them come and go, the status bar's counts flip between two values on delete and undo. A
//! [`KeptTexts`] keeps such layouts across frames: a lookup costs a few microseconds, laying a
//! short text out again 0.01–0.1 ms (the first one in a frame the most: the shaper's code and
//! the font's tables are cold after the pause between frames).
//!
//! A text is kept by what egui lays it out from (its [`LayoutJob`], hashed) and the pixels per
//! point. Texts without a colour of their own are laid out in
//! [`egui::Color32::PLACEHOLDER`] and painted in the widget's, so the same layout serves a row
//! selected or not, a label hovered or not.
//!
//! Texts that do not wrap (labels, buttons, the list's one-line rows) are kept whatever the
//! width; a wrapped one ([`KeptTexts::wrapped`]) is kept for the width it was wrapped at.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use egui::text::LayoutJob;
use egui::{Galley, RichText, Ui, WidgetText};

use crate::ui::reader::FontsWatch;

/// See the module docs.
#[derive(Default)]
pub struct KeptTexts {
    /// Layouts used since the last turnover. One found in `before` moves here; when this holds
    /// [`KeptTexts::KEPT`], `before` is let go and this becomes `before`. Layouts in use are
    /// never all dropped at once.
    now: HashMap<u64, Arc<Galley>>,
    before: HashMap<u64, Arc<Galley>>,
    /// Layouts made (not found) in this frame, to be shown and ahead of need.
    laid_out: usize,
    prepared: usize,
    /// Goes up whenever every layout is dropped (egui's fonts changed).
    epoch: u64,
    fonts: FontsWatch,
}

impl KeptTexts {
    /// How many layouts are kept per turn (a few screenfuls); up to twice this are kept.
    pub const KEPT: usize = 512;

    /// Call before the texts of a frame: drops every layout if egui's fonts changed under them.
    pub fn begin_frame(&mut self, ctx: &egui::Context) {
        self.laid_out = 0;
        self.prepared = 0;
        let change = self.fonts.check(ctx);
        if change.fonts_changed || change.atlas_emptied {
            self.now.clear();
            self.before.clear();
            self.epoch += 1;
        }
    }

    /// Call after the texts of a frame (see [`FontsWatch::finish_frame`]).
    pub fn finish_frame(&mut self, ctx: &egui::Context) {
        self.fonts.finish_frame(ctx);
    }

    /// Layouts made (not found) since [`KeptTexts::begin_frame`].
    pub fn laid_out(&self) -> usize {
        self.laid_out
    }

    /// Whether no layout at all was made since [`KeptTexts::begin_frame`], to be shown or ahead
    /// of need: a frame lays out at most one text ahead, and only if it had none to show.
    pub fn none_laid_out(&self) -> bool {
        self.laid_out == 0 && self.prepared == 0
    }

    /// Goes up whenever every layout was dropped: what was laid out ahead is gone.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// How many layouts are kept (both generations).
    pub fn len(&self) -> usize {
        self.now.len() + self.before.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn key(ui: &Ui, job: &LayoutJob) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        job.hash(&mut hasher);
        ui.ctx().pixels_per_point().to_bits().hash(&mut hasher);
        hasher.finish()
    }

    fn find(&mut self, key: u64) -> Option<Arc<Galley>> {
        if let Some(galley) = self.now.get(&key) {
            return Some(galley.clone());
        }
        let galley = self.before.remove(&key)?;
        self.keep(key, galley.clone());
        Some(galley)
    }

    fn keep(&mut self, key: u64, galley: Arc<Galley>) {
        if self.now.len() >= Self::KEPT {
            self.before = std::mem::take(&mut self.now);
        }
        self.now.insert(key, galley);
    }

    /// The kept layout of `job`, laid out now if it is not kept; and whether it had to be.
    fn get(&mut self, ui: &Ui, job: LayoutJob) -> (Arc<Galley>, bool) {
        let key = Self::key(ui, &job);
        if let Some(galley) = self.find(key) {
            return (galley, false);
        }
        let galley = ui.fonts_mut(|f| f.layout_job(job));
        self.keep(key, galley.clone());
        (galley, true)
    }

    /// `job` laid out, once while it stays the same.
    pub fn galley(&mut self, ui: &Ui, job: LayoutJob) -> Arc<Galley> {
        let (galley, laid_out) = self.get(ui, job);
        self.laid_out += usize::from(laid_out);
        galley
    }

    /// Lays out `job` ahead of need unless it is kept; says whether it had to.
    pub fn prepare(&mut self, ui: &Ui, job: LayoutJob) -> bool {
        let (_, laid_out) = self.get(ui, job);
        self.prepared += usize::from(laid_out);
        laid_out
    }

    /// `text` as a label or button shows it in `ui` (its text style, or the body's; no
    /// wrapping), laid out once while it stays the same.
    pub fn text(&mut self, ui: &Ui, text: impl Into<RichText>) -> WidgetText {
        WidgetText::Galley(self.galley(ui, Self::job(ui, text.into())))
    }

    /// Lays out [`KeptTexts::text`]'s layout of `text` ahead of need unless it is kept; says
    /// whether it had to.
    pub fn prepare_text(&mut self, ui: &Ui, text: impl Into<RichText>) -> bool {
        self.prepare(ui, Self::job(ui, text.into()))
    }

    /// `text` as a label shows it in `ui`, wrapped at `width`, laid out once while it and the
    /// width stay the same.
    pub fn wrapped(&mut self, ui: &Ui, text: impl Into<RichText>, width: f32) -> WidgetText {
        WidgetText::Galley(self.galley(ui, Self::wrapped_job(ui, text.into(), width)))
    }

    /// Lays out [`KeptTexts::wrapped`]'s layout of `text` ahead of need unless it is kept;
    /// says whether it had to.
    pub fn prepare_wrapped(&mut self, ui: &Ui, text: impl Into<RichText>, width: f32) -> bool {
        self.prepare(ui, Self::wrapped_job(ui, text.into(), width))
    }

    fn wrapped_job(ui: &Ui, text: RichText, width: f32) -> LayoutJob {
        let mut job = Self::job(ui, text);
        job.wrap = egui::text::TextWrapping::wrap_at_width(width);
        job.halign = ui.layout().horizontal_placement();
        job.justify = ui.layout().horizontal_justify();
        job
    }

    fn job(ui: &Ui, text: RichText) -> LayoutJob {
        let job = WidgetText::from(text).into_layout_job(
            ui.style(),
            egui::FontSelection::Default,
            ui.text_valign(),
        );
        Arc::unwrap_or_clone(job)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One frame of a headless context in which `texts` gives `text`'s layout.
    fn layout(ctx: &egui::Context, texts: &mut KeptTexts, text: &str) -> Arc<Galley> {
        let mut galley = None;
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            texts.begin_frame(ui.ctx());
            galley = Some(galley_of(texts.text(ui, text)));
            texts.finish_frame(ui.ctx());
        });
        // Headless: no renderer takes the font texture's updates.
        output.textures_delta.clear();
        galley.expect("laid out")
    }

    fn galley_of(text: WidgetText) -> Arc<Galley> {
        match text {
            WidgetText::Galley(galley) => galley,
            _ => panic!("not a galley"),
        }
    }

    #[test]
    fn a_text_is_laid_out_once_until_it_or_its_style_or_the_scale_changes() {
        let ctx = egui::Context::default();
        let mut texts = KeptTexts::default();
        let first = layout(&ctx, &mut texts, "Show in article");
        // Frames without the text in between: egui's own cache has let it go, ours has not.
        for _ in 0..3 {
            layout(&ctx, &mut texts, "another label");
        }
        let again = layout(&ctx, &mut texts, "Show in article");
        assert!(Arc::ptr_eq(&first, &again), "laid out again");
        assert!(!Arc::ptr_eq(
            &first,
            &layout(&ctx, &mut texts, "Show in the article")
        ));
        let mut strong = None;
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            strong = Some(galley_of(
                texts.text(ui, RichText::new("Show in article").strong()),
            ));
        });
        output.textures_delta.clear();
        assert!(!Arc::ptr_eq(&first, &strong.unwrap()), "another style");
        ctx.set_pixels_per_point(2.0);
        let sharper = layout(&ctx, &mut texts, "Show in article");
        assert!(
            !Arc::ptr_eq(&first, &sharper),
            "kept across a change of scale"
        );
    }

    /// Texts without a colour are laid out in none, so the widget paints them in its own.
    #[test]
    fn a_text_without_a_colour_takes_the_widgets() {
        let ctx = egui::Context::default();
        let mut texts = KeptTexts::default();
        let plain = layout(&ctx, &mut texts, "Delete");
        assert!(
            plain
                .job
                .sections
                .iter()
                .all(|s| s.format.color == egui::Color32::PLACEHOLDER)
        );
    }

    /// Past [`KeptTexts::KEPT`] new layouts the oldest unused ones go, but one still in use is
    /// kept: the cache never empties under the texts on screen.
    #[test]
    fn texts_in_use_outlive_the_turnover_and_unused_ones_go() {
        let ctx = egui::Context::default();
        let mut texts = KeptTexts::default();
        let kept = layout(&ctx, &mut texts, "in view all along");
        let unused = layout(&ctx, &mut texts, "seen once");
        for round in 0..3 * KeptTexts::KEPT / 64 {
            let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
                texts.begin_frame(ui.ctx());
                texts.text(ui, "in view all along");
                for k in 0..64 {
                    texts.text(ui, format!("row {round} {k}"));
                }
                assert_eq!(texts.laid_out(), 64);
                texts.finish_frame(ui.ctx());
            });
            output.textures_delta.clear();
        }
        assert!(texts.len() <= 2 * KeptTexts::KEPT);
        assert!(Arc::ptr_eq(
            &kept,
            &layout(&ctx, &mut texts, "in view all along")
        ));
        assert!(!Arc::ptr_eq(
            &unused,
            &layout(&ctx, &mut texts, "seen once")
        ));
    }

    /// A wrapped text is kept for the width it was wrapped at, and wraps as a label would.
    #[test]
    fn a_wrapped_text_is_kept_per_width() {
        let ctx = egui::Context::default();
        let mut texts = KeptTexts::default();
        let quote = "“the memo names three PLA units and the cloud services they bought”";
        let mut wrapped = |width: f32| {
            let mut result = None;
            let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
                texts.begin_frame(ui.ctx());
                let kept = galley_of(texts.wrapped(ui, RichText::new(quote).italics(), width));
                let mut job = KeptTexts::job(ui, RichText::new(quote).italics());
                job.wrap.max_width = width;
                let label = ui.fonts_mut(|f| f.layout_job(job));
                result = Some((kept, label, texts.laid_out()));
                texts.finish_frame(ui.ctx());
            });
            output.textures_delta.clear();
            result.unwrap()
        };
        wrapped(120.0);
        let (narrow, label, _) = wrapped(120.0);
        assert!(narrow.rows.len() > 2);
        assert_eq!(narrow.rows.len(), label.rows.len());
        assert_eq!(narrow.size(), label.size());
        let (wide, _, laid_out) = wrapped(400.0);
        assert_eq!(laid_out, 1);
        assert!(wide.rows.len() < narrow.rows.len());
        let (again, _, laid_out) = wrapped(120.0);
        assert_eq!(laid_out, 0);
        assert!(Arc::ptr_eq(&narrow, &again));
    }

    /// Laying out ahead counts as a layout made in the frame: one a frame.
    #[test]
    fn a_text_laid_out_ahead_is_a_layout_of_the_frame() {
        let ctx = egui::Context::default();
        let mut texts = KeptTexts::default();
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            texts.begin_frame(ui.ctx());
            assert!(texts.none_laid_out());
            assert!(texts.prepare_text(ui, "Annotations (12)"));
            assert!(!texts.none_laid_out());
            assert_eq!(texts.laid_out(), 0, "none to be shown");
            assert!(!texts.prepare_text(ui, "Annotations (12)"), "kept");
            texts.finish_frame(ui.ctx());
        });
        output.textures_delta.clear();
    }
}
