//! The side panel: the selected annotation's details (label, note, delete) and the list of all
//! annotations grouped by label.

use std::sync::Arc;

use egui::{RichText, Sense, Ui, vec2};

use crate::app::{Action, Document, ListView, ViewState};
use crate::model::{Annotation, AnnotationId, LabelId, ReviewStatus};
use crate::ui::{filter, reader::elide, relations, theme};

/// How much of a quote the list shows (the details show it whole).
const LIST_QUOTE_CHARS: usize = 160;

pub fn side_panel_ui(ui: &mut Ui, doc: &Document, view: &ViewState, actions: &mut Vec<Action>) {
    if let Some(a) = view.selected.and_then(|id| doc.set.get(id)) {
        details_ui(ui, doc, view, a, actions);
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
    match view.list_view {
        ListView::ByLabel => {
            if doc.set.pending_review().next().is_some() {
                egui::ScrollArea::vertical()
                    .id_salt("review-queue-scroll")
                    .max_height(ui.available_height() * 0.4)
                    .auto_shrink([false, true])
                    .show(ui, |ui| review_queue_ui(ui, doc, view, actions));
            }
            list_ui(ui, doc, view, actions);
        }
        ListView::Claims => {
            egui::ScrollArea::vertical()
                .id_salt("annotation-list")
                .auto_shrink(false)
                .show(ui, |ui| {
                    review_queue_ui(ui, doc, view, actions);
                    relations::claim_tree_ui(ui, doc, view, actions);
                });
        }
    }
}

fn swatch(ui: &mut Ui, colour: egui::Color32) {
    let (r, _) = ui.allocate_exact_size(vec2(12.0, 12.0), Sense::hover());
    ui.painter().rect_filled(r, 3.0, colour);
}

fn details_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    a: &Annotation,
    actions: &mut Vec<Action>,
) {
    let labels = &doc.set.labels;
    ui.horizontal(|ui| {
        swatch(ui, theme::label_colour(labels, &a.label));
        ui.heading(labels.name_of(&a.label));
    });
    ui.label(RichText::new(format!("“{}”", a.anchor.quote.exact)).italics());
    if doc.unplaced.contains(&a.id) {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            "Not found in this version of the article.",
        );
    }
    ui.horizontal_wrapped(|ui| {
        ui.label("Label:");
        for label in &labels.labels {
            let selected = label.id == a.label;
            let text = RichText::new(&label.name).color(theme::label_colour(labels, &label.id));
            if ui.selectable_label(selected, text).clicked() && !selected {
                actions.push(Action::SetLabel(a.id, label.id.clone()));
            }
        }
    });

    crate::ui::attributes::attributes_ui(ui, doc, a, actions);
    let mut note = match &view.note_draft {
        Some((id, text)) if *id == a.id => text.clone(),
        _ => a.note.clone(),
    };
    let note_label = ui.label("Note");
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
    relations::relations_ui(ui, doc, a, actions);
    ui.horizontal(|ui| {
        if ui
            .button("Delete")
            .on_hover_text("Delete this annotation (Del)")
            .clicked()
        {
            actions.push(Action::Delete(a.id));
        }
        if !doc.unplaced.contains(&a.id) && ui.button("Show in article").clicked() {
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
    /// The annotation at this index of the set.
    Entry(usize),
    /// The annotations that do not fit this article and are not re-anchored yet.
    LostHeader(usize),
}

/// The list's rows and what they were worked out for: the set's generation, the filter's
/// version and which groups are open. Kept in egui's memory and worked out again only when
/// one of these changes, so a frame does not go over the whole set.
#[derive(Clone)]
struct Rows {
    made_for: (u64, u64, Vec<bool>),
    counts: Arc<Vec<(LabelId, usize)>>,
    rows: Arc<Vec<Row>>,
}

fn group_open_id(label: &LabelId) -> egui::Id {
    egui::Id::unique(("label-group-open", label.0.as_str()))
}

/// The rows: one pass over the set (no widgets), grouped by label in the set's order.
fn list_rows(
    doc: &Document,
    view: &ViewState,
    counts: &[(LabelId, usize)],
    open: &[bool],
) -> Vec<Row> {
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); counts.len()];
    let mut lost = Vec::new();
    for (index, a) in doc.set.annotations.iter().enumerate() {
        if doc.unplaced.contains(&a.id) {
            if a.review.is_none() {
                lost.push(index);
            }
            continue;
        }
        if view.hidden.contains(&a.id) {
            continue;
        }
        // A set has a handful of labels: a look along them beats hashing the name.
        if let Some(g) = counts.iter().position(|(label, _)| *label == a.label) {
            groups[g].push(index);
        }
    }
    let mut rows = Vec::new();
    for (group, members) in groups.iter().enumerate() {
        rows.push(Row::Header {
            group,
            count: members.len(),
            open: open[group],
        });
        if open[group] {
            rows.extend(members.iter().map(|&i| Row::Entry(i)));
        }
    }
    if !lost.is_empty() {
        rows.push(Row::LostHeader(lost.len()));
        rows.extend(lost.into_iter().map(Row::Entry));
    }
    rows
}

fn list_ui(ui: &mut Ui, doc: &Document, view: &ViewState, actions: &mut Vec<Action>) {
    let total = doc.set.annotations.len();
    ui.label(RichText::new(format!("Annotations ({total})")).strong());
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
    let made_for = (doc.generation, view.hidden_version, open);
    let memory = egui::Id::unique("annotation-list-rows");
    let rows = match ui.data(|d| d.get_temp::<Rows>(memory)) {
        Some(kept) if kept.made_for == made_for && Arc::ptr_eq(&kept.counts, &counts) => kept.rows,
        _ => {
            let rows = Arc::new(list_rows(doc, view, &counts, &made_for.2));
            ui.data_mut(|d| {
                d.insert_temp(
                    memory,
                    Rows {
                        made_for,
                        counts: counts.clone(),
                        rows: rows.clone(),
                    },
                )
            });
            rows
        }
    };
    let annotations = &doc.set.annotations;

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
        if let Some(index) = rows
            .iter()
            .position(|r| matches!(r, Row::Entry(i) if annotations[*i].id == selected))
        {
            let height = ui.available_height();
            let top = index as f32 * (row_height + spacing);
            let visible = ui
                .data(|d| d.get_temp::<(f32, f32)>(egui::Id::unique("annotation-list-view")))
                .unwrap_or((0.0, height));
            if top < visible.0 || top + row_height > visible.1 {
                // Within the scroll range (past it, egui springs back over several frames).
                let content = rows.len() as f32 * (row_height + spacing);
                let max = (content - height).max(0.0);
                area = area.vertical_scroll_offset((top - height / 3.0).clamp(0.0, max));
            }
        }
    }
    let output = area.show_rows(ui, row_height, rows.len(), |ui, range| {
        for row in &rows[range] {
            match *row {
                Row::Header { group, count, open } => {
                    header_row_ui(ui, doc, &counts[group].0, count, open, row_height);
                }
                Row::Entry(i) => entry_ui(ui, doc, view, &annotations[i], row_height, actions),
                Row::LostHeader(count) => lost_header_ui(ui, count, row_height, actions),
            }
        }
    });
    let offset = output.state.clamped_offset().y;
    ui.data_mut(|d| {
        d.insert_temp(
            egui::Id::unique("annotation-list-view"),
            (offset, offset + output.inner_rect.height()),
        )
    });
}

/// A text laid out on one line of `width`, cut with an ellipsis.
fn one_line(
    ui: &Ui,
    text: &str,
    colour: egui::Color32,
    width: f32,
    italics: bool,
) -> std::sync::Arc<egui::Galley> {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let mut format = egui::TextFormat::simple(font, colour);
    format.italics = italics;
    let mut job = egui::text::LayoutJob::single_section(text.to_owned(), format);
    job.wrap = egui::text::TextWrapping {
        max_width: width,
        max_rows: 1,
        break_anywhere: true,
        overflow_character: Some('…'),
    };
    ui.fonts_mut(|f| f.layout_job(job))
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
        // The open/closed triangle.
        let x = rect.left() + 6.0;
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
            visuals.text_color(),
            egui::Stroke::NONE,
        ));
    }
    let swatch =
        egui::Rect::from_center_size(egui::pos2(rect.left() + 20.0, mid), vec2(12.0, 12.0));
    painter.rect_filled(swatch, 3.0, theme::label_colour(labels, label));
    let galley = one_line(ui, &name, text_colour, rect.width() - 32.0, false);
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

fn entry_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    a: &Annotation,
    height: f32,
    actions: &mut Vec<Action>,
) {
    let selected = view.selected == Some(a.id);
    let mut text = format!("“{}”", elide(&a.anchor.quote.exact, LIST_QUOTE_CHARS));
    if !a.note.is_empty() {
        text.push_str("\nNote: ");
        text.push_str(&elide(&a.note, 80));
    }
    let (rect, response) =
        ui.allocate_exact_size(vec2(ui.available_width(), height), Sense::click());
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &text));
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
    let width = rect.right() - x - 4.0;
    let line = ui.text_style_height(&egui::TextStyle::Body);
    let colour = if selected {
        visuals.selection.stroke.color
    } else {
        visuals.text_color()
    };
    let quote = one_line(
        ui,
        &format!("“{}”", elide(&a.anchor.quote.exact, LIST_QUOTE_CHARS)),
        colour,
        width,
        false,
    );
    ui.painter()
        .galley(egui::pos2(x, rect.top() + 3.0), quote, colour);
    // The second line: the note, or else where the quote stands (which tells apart the many
    // highlights of one name).
    let second = if a.note.is_empty() {
        let q = &a.anchor.quote;
        format!(
            "…{} […] {}…",
            elide_start(&q.prefix, 24),
            elide(&q.suffix, 40).trim_end_matches('…')
        )
    } else {
        format!("Note: {}", elide(&a.note, 200))
    };
    let second = one_line(ui, &second, visuals.weak_text_color(), width, false);
    ui.painter()
        .galley(egui::pos2(x, rect.top() + 3.0 + line), second, colour);
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
