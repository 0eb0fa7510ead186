//! The side panel: the selected annotation's details (label, note, delete) and the list of all
//! annotations grouped by label.

use std::collections::HashMap;
use std::sync::Arc;

use egui::{RichText, Sense, Ui, vec2};

use crate::app::{Action, Document, ListView, ViewState};
use crate::model::{Anchor, Annotation, AnnotationId, LabelId, ReviewStatus, SortKey, TextQuote};
use crate::ui::kept_text::KeptTexts;
use crate::ui::reader::elide;
use crate::ui::{filter, relations, theme};

/// How much of a quote the list shows (the details show it whole).
const LIST_QUOTE_CHARS: usize = 160;

pub fn side_panel_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    list: &mut ListIndex,
    claims: &mut relations::ClaimTreeView,
    texts: &mut KeptTexts,
    actions: &mut Vec<Action>,
) {
    let width = ui.available_width();
    if let Some(a) = view.selected.and_then(|id| doc.set.get(id)) {
        details_ui(ui, doc, view, a, texts, actions);
        ui.separator();
    }
    filter::filter_bar_ui(ui, doc, view, actions);
    ui.horizontal(|ui| {
        for (list_view, name, hint) in [
            (
                ListView::ByLabel,
                "By label",
                "Annotations grouped by label",
            ),
            (
                ListView::Claims,
                "Claims",
                "Each claim with its sources and denials",
            ),
        ] {
            if ui
                .selectable_label(view.list_view == list_view, name)
                .on_hover_text(hint)
                .clicked()
            {
                actions.push(Action::SetListView(list_view));
            }
        }
    });
    ui.separator();
    // Above either view, in a scroll area of its own: both views are lists of rows of one
    // height, which scroll on their own.
    if doc.set.has_pending_review() {
        egui::ScrollArea::vertical()
            .id_salt("review-queue-scroll")
            .max_height(ui.available_height() * 0.4)
            .auto_shrink([false, true])
            .show(ui, |ui| review_queue_ui(ui, doc, view, actions));
    }
    match view.list_view {
        ListView::ByLabel => list_ui(ui, doc, view, list, texts, actions),
        ListView::Claims => relations::claim_tree_ui(ui, doc, view, claims, actions),
    }
    if prepare_selection_quote(ui, doc, view, texts, width) {
        ui.ctx().request_repaint();
    }
}

/// Past this many characters, the details' quote of a selection is not laid out ahead: laying
/// out a long one would make a slow frame of its own (it is laid out when marked).
const SELECTION_QUOTE_CHARS: usize = 500;

/// The details' quote of an annotation quoting `exact`.
fn details_quote(exact: &str) -> RichText {
    RichText::new(format!("“{exact}”")).italics()
}

/// In a frame that laid out no text of its own, lays out the quote the details of an
/// annotation of the text selected would show (marking it selects the new annotation), the
/// details being `width` wide. Says whether it had to.
fn prepare_selection_quote(
    ui: &Ui,
    doc: &Document,
    view: &ViewState,
    texts: &mut KeptTexts,
    width: f32,
) -> bool {
    let Some(range) = view.selected_range() else {
        return false;
    };
    // Not while the selection is being dragged out.
    if !texts.none_laid_out()
        || range.len() > SELECTION_QUOTE_CHARS
        || ui.input(|i| i.pointer.any_down())
    {
        return false;
    }
    match Anchor::new(&doc.article, range) {
        Ok(anchor) => texts.prepare_wrapped(ui, details_quote(&anchor.quote.exact), width),
        Err(_) => false,
    }
}

fn swatch(ui: &mut Ui, colour: egui::Color32) {
    let (r, _) = ui.allocate_exact_size(vec2(12.0, 12.0), Sense::hover());
    ui.painter().rect_filled(r, 3.0, colour);
}

/// The selected annotation's details. Its short texts are kept ([`KeptTexts`]): the details go
/// when the annotation is deleted and come back on undo.
fn details_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    a: &Annotation,
    texts: &mut KeptTexts,
    actions: &mut Vec<Action>,
) {
    let labels = &doc.set.labels;
    ui.horizontal(|ui| {
        swatch(ui, theme::label_colour(labels, &a.label));
        ui.label(texts.text(ui, RichText::new(labels.name_of(&a.label)).heading()));
    });
    let width = ui.available_width();
    ui.label(texts.wrapped(ui, details_quote(&a.anchor.quote.exact), width));
    if doc.unplaced.contains(&a.id) {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "Not found in this version of the article.",
        );
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(texts.text(ui, "Label:"));
        for label in &labels.labels {
            let selected = label.id == a.label;
            let text = RichText::new(&label.name).color(theme::label_colour(labels, &label.id));
            let text = texts.text(ui, text);
            if ui.selectable_label(selected, text).clicked() && !selected {
                actions.push(Action::SetLabel(a.id, label.id.clone()));
            }
        }
    });

    crate::ui::attributes::attributes_ui(ui, doc, a, texts, actions);
    let mut note = match &view.note_draft {
        Some((id, text)) if *id == a.id => text.clone(),
        _ => a.note.clone(),
    };
    let note_label = ui.label(texts.text(ui, "Note"));
    let response = ui.add(
        egui::TextEdit::multiline(&mut note)
            .hint_text("Add a note…")
            .desired_rows(4)
            .desired_width(f32::INFINITY),
    );
    let response = response.labelled_by(note_label.id);
    if response.changed() {
        actions.push(Action::DraftNote(a.id, note.clone()));
    }
    if response.lost_focus() {
        actions.push(Action::SetNote(a.id, note));
    }
    relations::relations_ui(ui, doc, a, texts, actions);
    ui.horizontal(|ui| {
        if ui
            .button(texts.text(ui, "Delete"))
            .on_hover_text("Delete this annotation (Del)")
            .clicked()
        {
            actions.push(Action::Delete(a.id));
        }
        if !doc.unplaced.contains(&a.id) && ui.button(texts.text(ui, "Show in article")).clicked() {
            actions.push(Action::Reveal(a.id));
        }
    });
    ui.weak(format!(
        "Created {} · modified {}",
        short_time(&a.created),
        short_time(&a.modified)
    ));
}

fn short_time(t: &crate::model::Timestamp) -> String {
    let s = t.to_string();
    // 2026-11-23T22:06:01.123Z → 2026-11-23 22:06
    s.get(..16).map_or(s.clone(), |p| p.replace('T', " "))
}

/// Annotations re-anchoring could not place confidently, each with its old quote in context,
/// the proposed place (if any), and the analyst's choices.
fn review_queue_ui(ui: &mut Ui, doc: &Document, view: &ViewState, actions: &mut Vec<Action>) {
    let waiting: Vec<&Annotation> = doc.set.pending_review().collect();
    if waiting.is_empty() {
        return;
    }
    let heading = RichText::new(format!("Review after re-anchoring ({})", waiting.len()))
        .strong()
        .color(ui.visuals().warn_fg_color);
    egui::CollapsingHeader::new(heading)
        .id_salt("review-queue")
        .default_open(true)
        .show(ui, |ui| {
            let has_selection = view.selection.is_some_and(|s| !s.is_empty());
            for a in waiting {
                review_entry_ui(ui, doc, view, a, has_selection, actions);
            }
        });
    ui.separator();
}

fn review_entry_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    a: &Annotation,
    has_selection: bool,
    actions: &mut Vec<Action>,
) {
    let Some(review) = &a.review else {
        return;
    };
    let labels = &doc.set.labels;
    let selected = view.selected == Some(a.id);
    let frame = egui::Frame::group(ui.style()).fill(if selected {
        ui.visuals().selection.bg_fill.gamma_multiply(0.35)
    } else {
        ui.visuals().faint_bg_color
    });
    frame.show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            swatch(ui, theme::label_colour(labels, &a.label));
            ui.strong(labels.name_of(&a.label));
            let status = match review.status {
                ReviewStatus::Moved => "moved – check the proposed place",
                ReviewStatus::Orphaned => "not found",
            };
            ui.weak(status);
        });
        // The old quote in its old context: …prefix **exact** suffix…
        let mut job = egui::text::LayoutJob::default();
        let weak = ui.visuals().weak_text_color();
        let strong = ui.visuals().strong_text_color();
        let font = egui::TextStyle::Body.resolve(ui.style());
        let format = |colour| egui::TextFormat::simple(font.clone(), colour);
        job.append(
            &format!("Was: …{}", elide_start(&a.anchor.quote.prefix, 24)),
            0.0,
            format(weak),
        );
        job.append(&elide(&a.anchor.quote.exact, 200), 0.0, format(strong));
        let mut suffix = elide(&a.anchor.quote.suffix, 24);
        if !suffix.ends_with('…') {
            suffix.push('…');
        }
        job.append(&suffix, 0.0, format(weak));
        job.wrap.max_width = ui.available_width();
        ui.label(job);
        if let Some(proposal) = review.proposal {
            let text = doc.article.slice(proposal.range());
            ui.label(format!("Proposed: “{}”", elide(text, 200)));
        }
        if !a.note.is_empty() {
            ui.weak(format!("Note: {}", elide(&a.note, 80)));
        }
        ui.horizontal_wrapped(|ui| {
            if review.proposal.is_some() {
                if ui
                    .button("Show")
                    .on_hover_text("Scroll to the proposed place")
                    .clicked()
                {
                    actions.push(Action::Reveal(a.id));
                }
                if ui
                    .button("Accept")
                    .on_hover_text("Attach the annotation to the proposed place")
                    .clicked()
                {
                    actions.push(Action::ReviewAccept(a.id));
                }
            }
            let reattach = ui
                .add_enabled(has_selection, egui::Button::new("Re-attach to selection"))
                .on_hover_text("Attach the annotation to the text selected in the article")
                .on_disabled_hover_text("Select the right text in the article first");
            if reattach.clicked() {
                actions.push(Action::ReviewReattach(a.id));
            }
            if ui.button("Delete").clicked() {
                actions.push(Action::Delete(a.id));
            }
        });
    });
}

/// The last `max` chars of `text` (whitespace folded), with a leading ellipsis if cut.
fn elide_start(text: &str, max: usize) -> String {
    let flat: Vec<char> = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    if flat.len() <= max {
        return flat.iter().collect();
    }
    flat[flat.len() - max..].iter().collect()
}

/// One row of the annotation list. All rows have the same height, so only the rows in view are
/// laid out and drawn: the list costs the same per frame with 10 annotations or 10,000.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Row {
    /// A label's group (its index in the set's label counts): its name and how many it shows;
    /// a click opens or closes it.
    Header {
        group: usize,
        count: usize,
        open: bool,
    },
    /// This annotation.
    Entry(AnnotationId),
    /// The annotations that do not fit this article and are not re-anchored yet.
    LostHeader(usize),
}

/// What the annotation list lists, group by group, kept up to date change by change (see
/// [`Document::changes_since`]): adding or removing one annotation moves one entry, and
/// nothing in a frame goes over the whole set. Worked out from the whole set only for another
/// document, another filter, other labels or a set-wide change.
///
/// The rows are not stored: row `i` is found by walking the groups (a handful of labels).
#[derive(Default)]
pub struct ListIndex {
    /// The set's generation and the filter's version the groups are for.
    made_for: Option<(u64, u64)>,
    /// The labels of the groups, in the set's label order (see `AnnotationSet::counts`).
    labels: Vec<LabelId>,
    /// Per label, the annotations listed under it, in the set's order.
    groups: Vec<Vec<SortKey>>,
    /// The annotations that do not fit the article and are not re-anchored yet.
    lost: Vec<SortKey>,
    /// Where each listed annotation is: its group (`labels.len()` for `lost`) and its key.
    at: HashMap<AnnotationId, (usize, SortKey)>,
    /// The rows' lines laid out in earlier frames (rows come back into view whenever the
    /// details above the list come and go), in no colour of their own, so selecting a row
    /// does not lay it out again.
    texts: KeptTexts,
    ahead: Ahead,
}

/// Laying out ahead of need, a few lines per frame in frames that laid out none of their own
/// (and not in the frame the list or its view changed: that one paid for the change):
/// - the rows just outside the view: when the details above the list go (a delete, a click on
///   empty text) or the list scrolls by a few rows, the rows that come into view are ready;
/// - with text selected, what marking it would bring into view: the new annotation's own row,
///   and the rows around where it would land in each label's group (the list scrolls to a new
///   annotation).
///
/// Starts again whenever the list, its view, its width or the selection changes.
#[derive(Default)]
struct Ahead {
    /// What the work below was worked out for.
    made_for: Option<AheadKey>,
    /// What is left to lay out, the next last.
    todo: Vec<AheadItem>,
}

/// The list (set generation, filter version), the groups open, the rows in view, the row
/// width and font size (bits), [`KeptTexts::epoch`], and the text selected.
type AheadKey = (
    (u64, u64),
    Vec<bool>,
    std::ops::Range<usize>,
    u32,
    u32,
    u64,
    Option<std::ops::Range<usize>>,
);

enum AheadItem {
    /// Row `i` of the list.
    Row(usize),
    /// The lines of an annotation not in the set yet.
    Lines([String; 2]),
}

impl Ahead {
    /// How many rows below the view and above it are laid out ahead: the details panel is
    /// rarely taller than a dozen rows.
    const BELOW: usize = 12;
    const ABOVE: usize = 6;
    /// Rows looked at per frame (a lookup each), and lines laid out per frame (0.02–0.05 ms
    /// each): the rows around the view are ready within three or four frames, those a marking
    /// would bring into view within a dozen.
    const ROWS_PER_FRAME: usize = 24;
    const LINES_PER_FRAME: usize = 12;
    /// Past this many characters a selection's row is not laid out ahead (reading its quote is
    /// a copy of the selection).
    const SELECTION_CHARS: usize = 10_000;
}

impl ListIndex {
    /// Brings the groups up to date with `doc` and the filter in `view`; `labels` are the
    /// groups' labels in order.
    fn update(&mut self, doc: &Document, view: &ViewState, labels: &[LabelId]) {
        let changes = match self.made_for {
            Some((generation, version))
                if version == view.hidden_version && self.labels == labels =>
            {
                doc.changes_since(generation)
            }
            _ => None,
        };
        match changes {
            Some(changes) => {
                for &id in changes.iter().flat_map(|t| &t.annotations) {
                    self.take_out(id);
                    if let Some(a) = doc.set.get(id) {
                        self.put(doc, view, a);
                    }
                }
            }
            None => {
                *self = Self {
                    labels: labels.to_vec(),
                    groups: vec![Vec::new(); labels.len()],
                    ..Self::default()
                };
                // In the set's order, so every group is sorted as it fills.
                for a in &doc.set.annotations {
                    self.put(doc, view, a);
                }
            }
        }
        self.made_for = Some((doc.generation, view.hidden_version));
    }

    /// The group `a` is listed in, if any.
    fn group_of(&self, doc: &Document, view: &ViewState, a: &Annotation) -> Option<usize> {
        if doc.unplaced.contains(&a.id) {
            // Waiting for review: the review queue shows it.
            return a.review.is_none().then_some(self.labels.len());
        }
        if view.hidden.contains(&a.id) {
            return None;
        }
        // A set has a handful of labels: a look along them beats hashing the name.
        self.labels.iter().position(|l| *l == a.label)
    }

    fn members_mut(&mut self, group: usize) -> &mut Vec<SortKey> {
        match self.groups.get_mut(group) {
            Some(members) => members,
            None => &mut self.lost,
        }
    }

    fn members(&self, group: usize) -> &[SortKey] {
        self.groups.get(group).unwrap_or(&self.lost)
    }

    fn put(&mut self, doc: &Document, view: &ViewState, a: &Annotation) {
        if let Some(group) = self.group_of(doc, view, a) {
            let key = a.sort_key();
            let members = self.members_mut(group);
            let at = members.partition_point(|k| *k < key);
            members.insert(at, key);
            self.at.insert(a.id, (group, key));
        }
    }

    fn take_out(&mut self, id: AnnotationId) {
        if let Some((group, key)) = self.at.remove(&id) {
            let members = self.members_mut(group);
            if let Ok(at) = members.binary_search(&key) {
                members.remove(at);
            }
        }
    }

    /// How many rows the label groups before `group` take, with the groups `open` says are
    /// open: a header each, and the members of the open ones.
    fn rows_before(&self, group: usize, open: &[bool]) -> usize {
        self.groups
            .iter()
            .zip(open)
            .take(group)
            .map(|(members, &open)| 1 + if open { members.len() } else { 0 })
            .sum()
    }

    /// How many rows the list has with the groups `open` says are open.
    fn row_count(&self, open: &[bool]) -> usize {
        let lost = if self.lost.is_empty() {
            0
        } else {
            1 + self.lost.len()
        };
        self.rows_before(self.groups.len(), open) + lost
    }

    /// Row `i` of the list (`i` below [`ListIndex::row_count`]).
    fn row(&self, mut i: usize, open: &[bool]) -> Option<Row> {
        for (group, (members, &open)) in self.groups.iter().zip(open).enumerate() {
            if i == 0 {
                let count = members.len();
                return Some(Row::Header { group, count, open });
            }
            let shown = if open { members.len() } else { 0 };
            if i <= shown {
                return Some(Row::Entry(members[i - 1].2));
            }
            i -= 1 + shown;
        }
        match i {
            _ if self.lost.is_empty() => None,
            0 => Some(Row::LostHeader(self.lost.len())),
            _ => self.lost.get(i - 1).map(|k| Row::Entry(k.2)),
        }
    }

    /// What to lay out ahead (see [`Ahead`]) around the rows `shown` and for `selection`, a
    /// row's line holding `fits` characters: the next last.
    fn work_ahead(
        &self,
        doc: &Document,
        open: &[bool],
        shown: &std::ops::Range<usize>,
        selection: Option<std::ops::Range<usize>>,
        fits: usize,
    ) -> Vec<AheadItem> {
        let mut todo: Vec<AheadItem> = (shown.end..shown.end + Ahead::BELOW)
            .chain((shown.start.saturating_sub(Ahead::ABOVE)..shown.start).rev())
            .map(AheadItem::Row)
            .collect();
        if let Some(range) = selection {
            if range.len() <= Ahead::SELECTION_CHARS
                && let Ok(anchor) = Anchor::new(&doc.article, range.clone())
            {
                todo.push(AheadItem::Lines(quote_lines(&anchor.quote, "", fits)));
            }
            // The list scrolls a new annotation out of view to a third of the way down.
            let view = shown.len() + 1;
            for (group, members) in self.groups.iter().enumerate() {
                if !open.get(group).copied().unwrap_or(false) {
                    continue;
                }
                let within = members.partition_point(|k| (k.0, k.1) < (range.start, range.end));
                let at = self.rows_before(group, open) + 1 + within;
                todo.extend(
                    (at..at + view - view / 3)
                        .chain((at.saturating_sub(view / 3 + 1)..at).rev())
                        .map(AheadItem::Row),
                );
            }
        }
        todo.reverse();
        todo
    }

    /// Lays out a few lines of what [`Ahead`] says, the rows being `width` wide. Says whether
    /// there is more to do.
    fn lay_out_ahead(
        &mut self,
        ui: &Ui,
        doc: &Document,
        open: &[bool],
        shown: std::ops::Range<usize>,
        selection: Option<std::ops::Range<usize>>,
        width: f32,
    ) -> bool {
        let Some(made_for) = self.made_for else {
            return false;
        };
        let font_size = egui::TextStyle::Body.resolve(ui.style()).size;
        let fits = fits_on_row(width, font_size);
        let key = (
            made_for,
            open.to_vec(),
            shown.clone(),
            width.to_bits(),
            font_size.to_bits(),
            self.texts.epoch(),
            selection.clone(),
        );
        if self.ahead.made_for.as_ref() != Some(&key) {
            self.ahead = Ahead {
                todo: self.work_ahead(doc, open, &shown, selection, fits),
                made_for: Some(key),
            };
            // This frame paid for the change.
            return true;
        }
        if self.texts.laid_out() > 0 {
            // This frame paid for rows in view already.
            return !self.ahead.todo.is_empty();
        }
        let rows = self.row_count(open);
        let mut lines = 0;
        for _ in 0..Ahead::ROWS_PER_FRAME {
            if lines >= Ahead::LINES_PER_FRAME {
                break;
            }
            let Some(item) = self.ahead.todo.pop() else {
                return false;
            };
            let row_lines = match item {
                AheadItem::Lines(lines) => lines,
                AheadItem::Row(i) => {
                    match (i < rows).then(|| self.row(i, open)).flatten().and_then(
                        |row| match row {
                            Row::Entry(id) => doc.set.get(id),
                            _ => None,
                        },
                    ) {
                        Some(a) => row_lines(a, fits),
                        None => continue,
                    }
                }
            };
            for line in row_lines {
                lines += usize::from(self.texts.prepare(ui, row_line(ui, &line, width)));
            }
        }
        !self.ahead.todo.is_empty()
    }

    /// The row that shows annotation `id`, if it is listed and its group is open.
    fn row_of(&self, id: AnnotationId, open: &[bool]) -> Option<usize> {
        let &(group, key) = self.at.get(&id)?;
        let within = self.members(group).binary_search(&key).ok()?;
        // The lost group (past the labels' ones) is always open.
        let shown = open.get(group).copied().unwrap_or(true);
        shown.then(|| self.rows_before(group, open) + 1 + within)
    }
}

fn group_open_id(label: &LabelId) -> egui::Id {
    egui::Id::unique(("label-group-open", label.0.as_str()))
}

/// The list's heading: "Annotations (12)".
pub(crate) fn list_heading(total: usize) -> RichText {
    RichText::new(format!("Annotations ({total})")).strong()
}

/// The annotation list; its heading is kept in `texts` (the status bar lays out the next one
/// ahead, see `ui::prepare_next_status`), its rows' lines in the list's own.
fn list_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    list: &mut ListIndex,
    texts: &mut KeptTexts,
    actions: &mut Vec<Action>,
) {
    let total = doc.set.annotations.len();
    ui.label(texts.text(ui, list_heading(total)));
    if total == 0 {
        ui.weak("Select text in the article and press 1 (Claim), 2 (Source) or 3 (Denial).");
    }
    let counts = crate::ui::label_counts(ui, doc);
    let open: Vec<bool> = counts
        .iter()
        .map(|(label, _)| {
            ui.data(|d| d.get_temp(group_open_id(label)))
                .unwrap_or(true)
        })
        .collect();
    let labels: Vec<LabelId> = counts.iter().map(|(label, _)| label.clone()).collect();
    list.update(doc, view, &labels);

    let line = ui.text_style_height(&egui::TextStyle::Body);
    let row_height = 2.0 * line + 6.0;
    let spacing = ui.spacing().item_spacing.y;
    let mut area = egui::ScrollArea::vertical()
        .id_salt("annotation-list")
        .auto_shrink(false);
    // Bring the selected entry into view when the selection changed (a click on a highlight).
    let memory_id = egui::Id::unique("annotation-list-scrolled-to");
    let scrolled_to: Option<AnnotationId> = ui.data(|d| d.get_temp(memory_id));
    if let Some(selected) = view.selected
        && scrolled_to != Some(selected)
    {
        ui.data_mut(|d| d.insert_temp(memory_id, selected));
        if let Some(index) = list.row_of(selected, &open) {
            let height = ui.available_height();
            let top = index as f32 * (row_height + spacing);
            let visible = ui
                .data(|d| d.get_temp::<(f32, f32)>(egui::Id::unique("annotation-list-view")))
                .unwrap_or((0.0, height));
            if top < visible.0 || top + row_height > visible.1 {
                // Within the scroll range (past it, egui springs back over several frames).
                let content = list.row_count(&open) as f32 * (row_height + spacing);
                let max = (content - height).max(0.0);
                area = area.vertical_scroll_offset((top - height / 3.0).clamp(0.0, max));
            }
        }
    }
    list.texts.begin_frame(ui.ctx());
    let mut shown = (0..0, 0.0);
    let output = area.show_rows(ui, row_height, list.row_count(&open), |ui, range| {
        shown = (range.clone(), entry_text_width(ui.available_width()));
        let rows: Vec<Row> = range.filter_map(|i| list.row(i, &open)).collect();
        for row in rows {
            match row {
                Row::Header { group, count, open } => {
                    header_row_ui(ui, doc, &counts[group].0, count, open, row_height);
                }
                Row::Entry(id) => match doc.set.get(id) {
                    Some(a) => entry_ui(ui, doc, view, a, row_height, &mut list.texts, actions),
                    None => {
                        ui.allocate_space(vec2(ui.available_width(), row_height));
                    }
                },
                Row::LostHeader(count) => lost_header_ui(ui, count, row_height, actions),
            }
        }
    });
    if list.lay_out_ahead(ui, doc, &open, shown.0, view.selected_range(), shown.1) {
        ui.ctx().request_repaint();
    }
    list.texts.finish_frame(ui.ctx());
    let offset = output.state.clamped_offset().y;
    ui.data_mut(|d| {
        d.insert_temp(
            egui::Id::unique("annotation-list-view"),
            (offset, offset + output.inner_rect.height()),
        )
    });
}

/// A text laid out on one line of `width`, cut with an ellipsis.
fn one_line(ui: &Ui, text: &str, colour: egui::Color32, width: f32) -> Arc<egui::Galley> {
    ui.fonts_mut(|f| f.layout_job(one_line_job(ui, text, colour, width)))
}

/// A list row's line: `text` in no colour of its own (painted in the row's), cut to `width`.
fn row_line(ui: &Ui, text: &str, width: f32) -> egui::text::LayoutJob {
    one_line_job(ui, text, egui::Color32::PLACEHOLDER, width)
}

/// `text` on one line in the body font, cut with an ellipsis at `width`.
fn one_line_job(ui: &Ui, text: &str, colour: egui::Color32, width: f32) -> egui::text::LayoutJob {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let format = egui::TextFormat::simple(font, colour);
    let mut job = egui::text::LayoutJob::single_section(text.to_owned(), format);
    job.wrap = egui::text::TextWrapping {
        max_width: width,
        max_rows: 1,
        break_anywhere: true,
        overflow_character: Some('…'),
    };
    job
}

/// The small triangle of an open (pointing down) or closed (pointing right) group, centred on
/// `at`.
pub(crate) fn open_triangle(
    painter: &egui::Painter,
    at: egui::Pos2,
    open: bool,
    colour: egui::Color32,
) {
    let (x, mid) = (at.x, at.y);
    let points = if open {
        vec![
            egui::pos2(x - 4.0, mid - 2.5),
            egui::pos2(x + 4.0, mid - 2.5),
            egui::pos2(x, mid + 3.0),
        ]
    } else {
        vec![
            egui::pos2(x - 2.5, mid - 4.0),
            egui::pos2(x + 3.0, mid),
            egui::pos2(x - 2.5, mid + 4.0),
        ]
    };
    painter.add(egui::Shape::convex_polygon(
        points,
        colour,
        egui::Stroke::NONE,
    ));
}

fn header_row_ui(
    ui: &mut Ui,
    doc: &Document,
    label: &LabelId,
    count: usize,
    open: bool,
    height: f32,
) {
    let labels = &doc.set.labels;
    let name = format!("{} ({count})", labels.name_of(label));
    let (rect, response) =
        ui.allocate_exact_size(vec2(ui.available_width(), height), Sense::click());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
    let visuals = ui.visuals();
    let text_colour = if count == 0 {
        visuals.weak_text_color()
    } else {
        visuals.strong_text_color()
    };
    let painter = ui.painter_at(rect);
    let mid = rect.center().y;
    if count > 0 {
        open_triangle(
            &painter,
            egui::pos2(rect.left() + 6.0, mid),
            open,
            visuals.text_color(),
        );
    }
    let swatch =
        egui::Rect::from_center_size(egui::pos2(rect.left() + 20.0, mid), vec2(12.0, 12.0));
    painter.rect_filled(swatch, 3.0, theme::label_colour(labels, label));
    let galley = one_line(ui, &name, text_colour, rect.width() - 32.0);
    painter.galley(
        egui::pos2(rect.left() + 30.0, mid - galley.size().y / 2.0),
        galley,
        text_colour,
    );
    if count > 0 && response.clicked() {
        ui.data_mut(|d| d.insert_temp(group_open_id(label), !open));
    }
}

fn lost_header_ui(ui: &mut Ui, count: usize, height: f32, actions: &mut Vec<Action>) {
    ui.allocate_ui(vec2(ui.available_width(), height), |ui| {
        ui.set_min_height(height);
        ui.horizontal_centered(|ui| {
            ui.strong(format!("Not found in this article ({count})"))
                .on_hover_text("Their text is not where it was; re-anchoring looks for it.");
            if ui.small_button("Re-anchor now").clicked() {
                actions.push(Action::Reanchor);
            }
        });
    });
}

/// The width of an entry's lines in a row `row_width` wide (they start past the group's
/// indent and end short of the edge).
fn entry_text_width(row_width: f32) -> f32 {
    row_width - 28.0
}

/// How many characters of a line can show on a row `width` wide in `font_size`: no glyph is
/// narrower than a quarter of the font size. egui cuts the line with an ellipsis; text past
/// the row's end would be shaped for nothing when rows come into view.
fn fits_on_row(width: f32, font_size: f32) -> usize {
    (width / (0.25 * font_size)).ceil().max(0.0) as usize + 2
}

/// An entry's two lines, each no longer than `fits` characters or so: the quote, and then the
/// note or else where the quote stands (which tells apart the many highlights of one name).
fn row_lines(a: &Annotation, fits: usize) -> [String; 2] {
    quote_lines(&a.anchor.quote, &a.note, fits)
}

/// [`row_lines`] of an annotation of `quote` with `note`.
fn quote_lines(quote: &TextQuote, note: &str, fits: usize) -> [String; 2] {
    let first = format!("“{}”", elide(&quote.exact, LIST_QUOTE_CHARS.min(fits)));
    let second = if note.is_empty() {
        format!(
            "…{} […] {}…",
            elide_start(&quote.prefix, 24),
            elide(&quote.suffix, 40).trim_end_matches('…')
        )
    } else {
        format!("Note: {}", elide(note, fits))
    };
    [first, second]
}

fn entry_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    a: &Annotation,
    height: f32,
    texts: &mut KeptTexts,
    actions: &mut Vec<Action>,
) {
    let selected = view.selected == Some(a.id);
    let (rect, response) =
        ui.allocate_exact_size(vec2(ui.available_width(), height), Sense::click());
    response.widget_info(|| {
        let mut text = format!("“{}”", elide(&a.anchor.quote.exact, LIST_QUOTE_CHARS));
        if !a.note.is_empty() {
            text.push_str("\nNote: ");
            text.push_str(&elide(&a.note, 80));
        }
        egui::WidgetInfo::selected(egui::Role::Button, true, selected, &text)
    });
    let visuals = ui.visuals();
    let inner = rect.shrink2(vec2(0.0, 1.0));
    if selected {
        ui.painter().rect_filled(
            inner.with_min_x(inner.left() + 16.0),
            4.0,
            visuals.selection.bg_fill,
        );
    } else if response.hovered() {
        ui.painter().rect_filled(
            inner.with_min_x(inner.left() + 16.0),
            4.0,
            visuals.widgets.hovered.weak_bg_fill,
        );
    }
    let x = rect.left() + 24.0;
    let width = entry_text_width(rect.width());
    let line = ui.text_style_height(&egui::TextStyle::Body);
    let colour = if selected {
        visuals.selection.stroke.color
    } else {
        visuals.text_color()
    };
    let font_size = egui::TextStyle::Body.resolve(ui.style()).size;
    let [quote, second] = row_lines(a, fits_on_row(width, font_size));
    let quote = texts.galley(ui, row_line(ui, &quote, width));
    ui.painter()
        .galley(egui::pos2(x, rect.top() + 3.0), quote, colour);
    let second = texts.galley(ui, row_line(ui, &second, width));
    ui.painter().galley(
        egui::pos2(x, rect.top() + 3.0 + line),
        second,
        visuals.weak_text_color(),
    );
    if response.clicked() {
        actions.push(if doc.unplaced.contains(&a.id) {
            Action::SelectAnnotation(Some(a.id))
        } else {
            Action::Reveal(a.id)
        });
    }
    // The list shows one line of each; the whole quote and note on hover.
    response.on_hover_ui(|ui| {
        ui.set_max_width(420.0);
        ui.label(format!("“{}”", a.anchor.quote.exact));
        if !a.note.is_empty() {
            ui.weak(&a.note);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::document::tests::{paragraphs_doc, random_step};

    fn labels(doc: &Document) -> Vec<LabelId> {
        doc.set
            .counts()
            .into_iter()
            .map(|(label, _)| label)
            .collect()
    }

    /// Every row, worked out the slow way: the set in its order, grouped.
    fn expected_rows(doc: &Document, view: &ViewState, open: &[bool]) -> Vec<Row> {
        let labels = labels(doc);
        let mut groups = vec![Vec::new(); labels.len()];
        let mut lost = Vec::new();
        for a in &doc.set.annotations {
            if doc.unplaced.contains(&a.id) {
                if a.review.is_none() {
                    lost.push(a.id);
                }
            } else if !view.hidden.contains(&a.id)
                && let Some(g) = labels.iter().position(|l| *l == a.label)
            {
                groups[g].push(a.id);
            }
        }
        let mut rows = Vec::new();
        for (group, members) in groups.iter().enumerate() {
            let count = members.len();
            rows.push(Row::Header {
                group,
                count,
                open: open[group],
            });
            if open[group] {
                rows.extend(members.iter().map(|&id| Row::Entry(id)));
            }
        }
        if !lost.is_empty() {
            rows.push(Row::LostHeader(lost.len()));
            rows.extend(lost.into_iter().map(Row::Entry));
        }
        rows
    }

    /// After any sequence of edits, undos and redos, with a filter hiding some annotations
    /// (kept up to date for what each edit touched, as the app does), the list followed change
    /// by change shows the rows worked out from the whole set, and finds each entry's row.
    #[test]
    fn the_list_followed_change_by_change_shows_what_the_whole_set_says() {
        let mut doc = paragraphs_doc(30);
        let mut view = ViewState::default();
        let mut list = ListIndex::default();
        let mut next = crate::model::test_rng(0x9e37_79b9_7f4a_7c15);
        let mut seen_lost = false;
        for step in 0..500 {
            let before = doc.generation;
            random_step(&mut doc, &mut next);
            // The filter hides annotations whose quote has an "e" in its third character.
            let hides = |a: &Annotation| a.anchor.quote.exact.chars().nth(2) == Some('e');
            for &id in doc
                .changes_since(before)
                .unwrap()
                .iter()
                .flat_map(|t| &t.annotations)
            {
                match doc.set.get(id) {
                    Some(a) if hides(a) => view.hidden.insert(id),
                    _ => view.hidden.remove(&id),
                };
            }
            list.update(&doc, &view, &labels(&doc));
            let open: Vec<bool> = (0..labels(&doc).len())
                .map(|g| (g + step) % 3 != 0)
                .collect();
            let rows: Vec<Row> = (0..list.row_count(&open))
                .map(|i| list.row(i, &open).expect("a row"))
                .collect();
            assert_eq!(rows, expected_rows(&doc, &view, &open), "step {step}");
            assert_eq!(list.row(rows.len(), &open), None);
            for (i, row) in rows.iter().enumerate() {
                if let Row::Entry(id) = *row {
                    assert_eq!(list.row_of(id, &open), Some(i), "step {step}");
                }
            }
            seen_lost |= rows.iter().any(|r| matches!(r, Row::LostHeader(_)));
        }
        assert!(doc.set.annotations.len() > 20, "the walk built up a set");
        assert!(!view.hidden.is_empty(), "the filter hid some");
        assert!(seen_lost, "some annotations did not fit the article");
    }

    #[test]
    fn another_filter_or_other_labels_start_the_list_again() {
        let mut doc = paragraphs_doc(5);
        let mut next = crate::model::test_rng(3);
        while doc.set.annotations.len() < 5 {
            random_step(&mut doc, &mut next);
        }
        let mut view = ViewState::default();
        let mut list = ListIndex::default();
        list.update(&doc, &view, &labels(&doc));
        let open = vec![true; 3];
        let all = list.row_count(&open);
        // Another filter: the app works `hidden` out again and bumps its version.
        view.hidden = doc.set.annotations.iter().map(|a| a.id).collect();
        view.hidden_version += 1;
        list.update(&doc, &view, &labels(&doc));
        assert_eq!(list.row_count(&open), 3, "only the headers: {all} before");
        // Fewer labels: fewer groups.
        view.hidden.clear();
        view.hidden_version += 1;
        list.update(&doc, &view, &labels(&doc)[..1]);
        assert_eq!(
            list.row_count(&open[..1]),
            1 + doc.set.annotations.count_of(&labels(&doc)[0])
        );
    }
}

#[cfg(test)]
pub(crate) mod row_text_tests {
    use super::*;
    use crate::app::document::ArticleSource;
    use crate::model::{Anchor, AnnotationSet, Article, Timestamp};

    /// A set of `n` claims, one per paragraph.
    pub(crate) fn claims_doc(n: usize) -> Document {
        let text: String = (0..n)
            .map(|i| format!("Paragraph {i} says that memo number {i} is genuine.\n\n"))
            .collect();
        let article = Article::from_plain_text(&text, "t");
        let mut set = AnnotationSet::new(&article, String::new());
        for p in &article.paragraphs {
            let anchor = Anchor::new(&article, p.chars.start..p.chars.start + 20).unwrap();
            set.insert(Annotation::new(
                LabelId::new("claim"),
                anchor,
                Timestamp::UNIX_EPOCH,
            ));
        }
        Document::new(
            article,
            ArticleSource::File("t.txt".into()),
            Some((set, "t.claimlens.ron".into())),
        )
    }

    /// One frame of the list alone on a screen `height` high; says how many lines it laid out
    /// for the rows in view and whether it asked for another frame.
    fn list_frame(
        ctx: &egui::Context,
        doc: &Document,
        list: &mut ListIndex,
        height: f32,
    ) -> (usize, bool) {
        list_frame_in(ctx, doc, &ViewState::default(), list, height)
    }

    /// [`list_frame`] with `view`.
    fn list_frame_in(
        ctx: &egui::Context,
        doc: &Document,
        view: &ViewState,
        list: &mut ListIndex,
        height: f32,
    ) -> (usize, bool) {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                vec2(360.0, height),
            )),
            ..Default::default()
        };
        let mut laid_out = 0;
        let mut output = ctx.run_ui(input, |ui| {
            let mut actions = Vec::new();
            list_ui(ui, doc, view, list, &mut KeptTexts::default(), &mut actions);
            laid_out = list.texts.laid_out();
        });
        output.textures_delta.clear();
        let again = output.viewport_output[&egui::ViewportId::ROOT].repaint_delay
            == std::time::Duration::ZERO;
        (laid_out, again)
    }

    /// The frames after the list is drawn lay out the rows just below it, a few lines each and
    /// asking for the next frame until done; when the list then grows taller (the details above
    /// it went), the rows coming into view are ready. Without those frames they are not.
    #[test]
    fn rows_below_the_view_are_laid_out_ahead_in_the_frames_that_follow() {
        let doc = claims_doc(300);
        let ctx = egui::Context::default();
        let mut list = ListIndex::default();
        let (first, _) = list_frame(&ctx, &doc, &mut list, 400.0);
        assert!(first > 0);
        // A fresh context settles its fonts in its first frame: the kept lines of that frame
        // are dropped once (`FontsWatch`).
        list_frame(&ctx, &doc, &mut list, 400.0);
        let mut frames = 0;
        loop {
            let (laid_out, again) = list_frame(&ctx, &doc, &mut list, 400.0);
            assert_eq!(laid_out, 0, "the rows in view are kept");
            frames += 1;
            if !again {
                break;
            }
            assert!(frames < 50, "laying out ahead does not finish");
        }
        assert!(frames > 1, "done in one frame: not spread over frames");
        let (taller, _) = list_frame(&ctx, &doc, &mut list, 700.0);
        assert_eq!(taller, 0, "rows coming into view were laid out again");

        // The same without the frames in between.
        let ctx = egui::Context::default();
        let mut list = ListIndex::default();
        list_frame(&ctx, &doc, &mut list, 400.0);
        let (taller, _) = list_frame(&ctx, &doc, &mut list, 700.0);
        assert!(taller > 0);
    }

    /// Frames of the list in `view` until it asks for no more; how many there were.
    fn frames_until_done(
        ctx: &egui::Context,
        doc: &Document,
        view: &ViewState,
        list: &mut ListIndex,
    ) -> usize {
        let mut frames = 0;
        loop {
            let (_, again) = list_frame_in(ctx, doc, view, list, 400.0);
            frames += 1;
            if !again {
                return frames;
            }
            assert!(frames < 100, "laying out ahead does not finish");
        }
    }

    /// What the app does on marking `range` a claim: adds it and selects it.
    fn mark_claim(doc: &mut Document, view: &mut ViewState, range: std::ops::Range<usize>) {
        let new = Annotation::new(
            LabelId::new("claim"),
            Anchor::new(&doc.article, range).unwrap(),
            Timestamp::UNIX_EPOCH,
        );
        view.selection = None;
        view.selected = Some(new.id);
        doc.history
            .apply(
                Arc::make_mut(&mut doc.set),
                vec![crate::model::Edit::Add(new)],
            )
            .unwrap();
        doc.refresh_after(doc.history.last_touched().clone());
    }

    /// How many lines the list lays out in the frame after `range` of `doc` was marked a claim
    /// (the new annotation selected, the list scrolling to it), when the list was drawn with
    /// `range` selected until it asked for no more frames (`settled`) or for one frame only.
    fn lines_after_marking(range: std::ops::Range<usize>, settled: bool) -> usize {
        let mut doc = claims_doc(300);
        let ctx = egui::Context::default();
        let mut list = ListIndex::default();
        let mut view = ViewState::default();
        // A fresh context settles its fonts in its first frames (see above).
        frames_until_done(&ctx, &doc, &view, &mut list);
        view.selection = Some(crate::app::TextSelection {
            anchor: range.start,
            head: range.end,
        });
        if settled {
            frames_until_done(&ctx, &doc, &view, &mut list);
        } else {
            list_frame_in(&ctx, &doc, &view, &mut list, 400.0);
        }
        mark_claim(&mut doc, &mut view, range);
        list_frame_in(&ctx, &doc, &view, &mut list, 400.0).0
    }

    /// With text selected, the frames that follow lay out what marking it brings into view:
    /// the new annotation's row and the rows around it, far down the list. Without those
    /// frames the list lays them out when it scrolls to the new annotation.
    #[test]
    fn marking_a_selection_far_down_the_list_finds_its_rows_laid_out_ahead() {
        let doc = claims_doc(300);
        let p = &doc.article.paragraphs[250].chars;
        // After the paragraph's claim: the new one lands just below it.
        let range = p.start + 25..p.start + 40;
        assert_eq!(lines_after_marking(range.clone(), true), 0);
        assert!(lines_after_marking(range, false) > 4);
    }

    /// One frame of the whole side panel in `view` (and of what the status bar lays out ahead);
    /// how many of `texts` it laid out (not ahead) and whether it asked for another frame.
    fn panel_frame(
        ctx: &egui::Context,
        doc: &Document,
        view: &ViewState,
        list: &mut ListIndex,
        texts: &mut KeptTexts,
    ) -> (usize, bool) {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                vec2(360.0, 700.0),
            )),
            ..Default::default()
        };
        let mut laid_out = 0;
        let mut output = ctx.run_ui(input, |ui| {
            texts.begin_frame(ui.ctx());
            // The status bar, drawn first, lays out its next texts ahead (the list's heading).
            let counts = crate::ui::label_counts(ui, doc);
            if crate::ui::prepare_next_status(ui, doc, view, &counts, texts) {
                ui.ctx().request_repaint();
            }
            let mut actions = Vec::new();
            let mut claims = relations::ClaimTreeView::default();
            side_panel_ui(ui, doc, view, list, &mut claims, texts, &mut actions);
            laid_out = texts.laid_out();
            texts.finish_frame(ui.ctx());
        });
        output.textures_delta.clear();
        let again = output.viewport_output[&egui::ViewportId::ROOT].repaint_delay
            == std::time::Duration::ZERO;
        (laid_out, again)
    }

    /// How many texts the details lay out in the frame after a selection was marked, when the
    /// panel was drawn with it selected until it asked for no more frames (`settled`) or for
    /// one frame only. Another annotation's details were showing: their labels are kept.
    fn details_texts_after_marking(settled: bool) -> usize {
        let mut doc = claims_doc(40);
        let ctx = egui::Context::default();
        let (mut list, mut texts) = (ListIndex::default(), KeptTexts::default());
        let mut view = ViewState::default();
        view.selected = doc.set.annotations.iter().next().map(|a| a.id);
        let p = doc.article.paragraphs[5].chars.clone();
        let range = p.start + 25..p.start + 47;
        let mut frames = 0;
        while panel_frame(&ctx, &doc, &view, &mut list, &mut texts).1 || frames < 3 {
            frames += 1;
            assert!(frames < 100, "the panel keeps asking for frames");
        }
        view.selection = Some(crate::app::TextSelection {
            anchor: range.start,
            head: range.end,
        });
        let (_, mut again) = panel_frame(&ctx, &doc, &view, &mut list, &mut texts);
        while settled && again {
            again = panel_frame(&ctx, &doc, &view, &mut list, &mut texts).1;
        }
        mark_claim(&mut doc, &mut view, range);
        panel_frame(&ctx, &doc, &view, &mut list, &mut texts).0
    }

    /// With text selected, the frames that follow lay out the quote the new annotation's
    /// details will show; the details of a marking then lay out nothing new.
    #[test]
    fn the_quote_of_a_selection_is_laid_out_before_it_is_marked() {
        assert_eq!(details_texts_after_marking(true), 0);
        // The quote and the list's heading (the status bar laid out its next counts first).
        assert_eq!(details_texts_after_marking(false), 2);
    }
}
