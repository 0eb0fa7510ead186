//! The side panel: the selected annotation's details (label, note, delete) and the list of all
//! annotations grouped by label.

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
    egui::ScrollArea::vertical()
        .id_salt("annotation-list")
        .auto_shrink(false)
        .show(ui, |ui| match view.list_view {
            ListView::ByLabel => list_ui(ui, doc, view, actions),
            ListView::Claims => {
                review_queue_ui(ui, doc, view, actions);
                relations::claim_tree_ui(ui, doc, view, actions);
            }
        });
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

fn list_ui(ui: &mut Ui, doc: &Document, view: &ViewState, actions: &mut Vec<Action>) {
    review_queue_ui(ui, doc, view, actions);
    let labels = &doc.set.labels;
    let total = doc.set.annotations.len();
    ui.label(RichText::new(format!("Annotations ({total})")).strong());
    if total == 0 {
        ui.weak("Select text in the article and press 1 (Claim), 2 (Source) or 3 (Denial).");
    }
    for (label_id, _) in doc.set.counts() {
        let placed: Vec<&Annotation> = doc
            .set
            .annotations
            .iter()
            .filter(|a| a.label == label_id && !doc.unplaced.contains(&a.id))
            .filter(|a| !view.hidden.contains(&a.id))
            .collect();
        let count = placed.len();
        if count == 0 {
            ui.horizontal(|ui| {
                swatch(ui, theme::label_colour(labels, &label_id));
                ui.weak(format!("{} (0)", labels.name_of(&label_id)));
            });
            continue;
        }
        group_ui(ui, doc, view, &label_id, count, &placed, actions);
    }
    let lost: Vec<&Annotation> = doc.not_reanchored().collect();
    if !lost.is_empty() {
        ui.separator();
        egui::CollapsingHeader::new(format!("Not found in this article ({})", lost.len()))
            .default_open(true)
            .show(ui, |ui| {
                ui.weak("Their text is not where it was; re-anchoring looks for it.");
                if ui.button("Re-anchor now").clicked() {
                    actions.push(Action::Reanchor);
                }
                for a in lost {
                    entry_ui(ui, doc, view, a, actions);
                }
            });
    }
}

fn group_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    label_id: &LabelId,
    count: usize,
    placed: &[&Annotation],
    actions: &mut Vec<Action>,
) {
    let labels = &doc.set.labels;
    let id = ui.make_persistent_id(("label-group", &label_id.0));
    egui::collapsing_header::CollapsingState::load_with_default_open(ui.ctx(), id, true)
        .show_header(ui, |ui| {
            swatch(ui, theme::label_colour(labels, label_id));
            ui.strong(format!("{} ({count})", labels.name_of(label_id)));
        })
        .body(|ui| {
            for a in placed {
                entry_ui(ui, doc, view, a, actions);
            }
        });
}

fn entry_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    a: &Annotation,
    actions: &mut Vec<Action>,
) {
    let selected = view.selected == Some(a.id);
    let mut text = format!("“{}”", elide(&a.anchor.quote.exact, LIST_QUOTE_CHARS));
    if !a.note.is_empty() {
        text.push_str("\nNote: ");
        text.push_str(&elide(&a.note, 80));
    }
    let response = ui.add(egui::Button::selectable(selected, text).wrap());
    if response.clicked() {
        actions.push(if doc.unplaced.contains(&a.id) {
            Action::SelectAnnotation(Some(a.id))
        } else {
            Action::Reveal(a.id)
        });
    }
    if selected {
        // Bring the entry into view when the selection changed (e.g. a click on a highlight).
        let memory_id = egui::Id::unique("annotation-list-scrolled-to");
        let scrolled_to: Option<AnnotationId> = ui.data(|d| d.get_temp(memory_id));
        if scrolled_to != Some(a.id) {
            response.scroll_to_me(None);
            ui.data_mut(|d| d.insert_temp(memory_id, a.id));
        }
    }
}
