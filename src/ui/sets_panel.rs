//! The top of the side panel: whose set this is (editable), and the other analysts' sets of
//! the article shown beside it, each with its outline style, counts, a visibility switch and
//! the commands to compare with it, make it the active set or close it.

use egui::{RichText, Ui};

use crate::app::{Action, Document, OtherSet, SetsAction, analyst_name, annotation_count};
use crate::model::{AnnotationSet, LabelId};
use crate::ui::{outlines, theme};

/// Where the analyst's name is typed while it is being changed (widget state, not document).
const ANALYST_DRAFT: &str = "analyst-name-draft";

/// File ▸ "Open another analyst's set…".
pub fn open_other_button(ui: &mut Ui, doc: &Document, actions: &mut Vec<Action>) {
    let button = egui::Button::new("Open another analyst's set…");
    let response = ui
        .add_enabled(doc.others.loading.is_none(), button)
        .on_hover_text("Show a colleague's set of this article beside yours, read-only");
    if response.clicked() {
        actions.push(Action::Sets(SetsAction::OpenDialog));
    }
}

/// The analyst line and, when other sets are open, the Sets section.
pub fn sets_ui(ui: &mut Ui, doc: &Document, actions: &mut Vec<Action>) {
    analyst_ui(ui, doc, actions);
    let others = &doc.others;
    if others.sets.is_empty() && others.loading.is_none() {
        ui.separator();
        return;
    }
    egui::CollapsingHeader::new(
        RichText::new(format!("Sets ({})", others.sets.len() + 1)).strong(),
    )
    .id_salt("sets-section")
    .default_open(true)
    .show(ui, |ui| {
        active_entry_ui(ui, doc);
        for other in &others.sets {
            ui.separator();
            other_entry_ui(ui, doc, other, actions);
        }
        if let Some(path) = &others.loading {
            // The file name only: a row does not wrap, and a long path would widen the panel
            // for good.
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("Reading {name}…"));
            });
        }
        ui.add_space(2.0);
        open_other_button(ui, doc, actions);
    });
    ui.separator();
}

fn analyst_ui(ui: &mut Ui, doc: &Document, actions: &mut Vec<Action>) {
    let draft_id = egui::Id::unique(ANALYST_DRAFT);
    let draft: Option<String> = ui.data(|d| d.get_temp(draft_id));
    ui.horizontal_wrapped(|ui| {
        let caption = ui.label("Analyst:");
        let Some(mut text) = draft else {
            if doc.set.analyst.trim().is_empty() {
                ui.weak("not set (your login name on first save)");
            } else {
                ui.strong(doc.set.analyst.trim());
            }
            let edit = ui
                .small_button("Change…")
                .on_hover_text("Change the set's analyst (one undoable edit)");
            if edit.clicked() {
                ui.data_mut(|d| d.insert_temp(draft_id, doc.set.analyst.clone()));
            }
            return;
        };
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut text)
                    .desired_width(150.0)
                    .hint_text("Analyst name"),
            )
            .labelled_by(caption.id);
        if ui.memory(|m| m.focused().is_none()) {
            field.request_focus();
        }
        if field.changed() {
            ui.data_mut(|d| d.insert_temp(draft_id, text.clone()));
        }
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("OK").clicked() || entered {
            actions.push(Action::Sets(SetsAction::SetAnalyst(text)));
            ui.data_mut(|d| d.remove::<String>(draft_id));
        } else if ui.button("Cancel").clicked() {
            ui.data_mut(|d| d.remove::<String>(draft_id));
        }
    });
}

/// "Claim 5 · Source 4 · Denial 3".
fn counts_text(set: &AnnotationSet, counts: &[(LabelId, usize)]) -> String {
    counts
        .iter()
        .map(|(id, n)| format!("{} {n}", set.labels.name_of(id)))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn active_entry_ui(ui: &mut Ui, doc: &Document) {
    ui.horizontal(|ui| {
        ui.strong(format!("{} (active)", analyst_name(&doc.set)));
    });
    let file = doc
        .set_path
        .as_deref()
        .and_then(std::path::Path::file_name)
        .map_or_else(
            || "not saved yet".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
    ui.weak(format!(
        "{file} · {} · {}",
        annotation_count(doc.set.annotations.len()),
        counts_text(&doc.set, &crate::ui::label_counts(ui, doc))
    ));
}

fn other_entry_ui(ui: &mut Ui, doc: &Document, other: &OtherSet, actions: &mut Vec<Action>) {
    let key = other.key;
    ui.horizontal(|ui| {
        let mut visible = other.visible;
        let shown = ui
            .checkbox(&mut visible, RichText::new(other.analyst()).strong())
            .on_hover_text("Show this set's annotations as outlines in the article");
        if shown.changed() {
            actions.push(Action::Sets(SetsAction::SetVisible(key, visible)));
        }
        outlines::style_sample_ui(ui, other.style, theme::text_colour(ui.visuals().dark_mode));
    });
    let mut summary = format!(
        "{} · {} · {}",
        other.file_name(),
        annotation_count(other.placed()),
        counts_text(&other.set, &other.counts)
    );
    if other.not_placed > 0 {
        summary.push_str(&format!(" · {} not placed", other.not_placed));
    }
    ui.weak(summary);
    ui.horizontal_wrapped(|ui| {
        let compared = doc
            .others
            .comparison
            .as_ref()
            .is_some_and(|c| c.other == key);
        if ui
            .add_enabled(!compared, egui::Button::new("Compare with…"))
            .on_hover_text("Agreement per label, Cohen's κ and the list of disagreements")
            .clicked()
        {
            actions.push(Action::Sets(SetsAction::Compare(key)));
        }
        if ui
            .button("Make active")
            .on_hover_text("Edit this set; yours is kept beside it, read-only")
            .clicked()
        {
            actions.push(Action::Sets(SetsAction::MakeActive(key)));
        }
        if ui
            .button("Close")
            .on_hover_text("Stop showing this set")
            .clicked()
        {
            actions.push(Action::Sets(SetsAction::Close(key)));
        }
    });
}
