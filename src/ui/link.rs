//! The link picker (L): with an annotation selected, pick the other end — click a highlight in
//! the article, or type to filter the list and press Enter — then the relation type (the valid
//! ones for the two labels, the first pre-selected) and Enter again. Esc cancels, Backspace goes
//! back to the list.

use egui::{Key, Modifiers, RichText, Ui};

use crate::app::{Action, Document, LinkState};
use crate::model::{AnnotationId, LinkOption, link_candidates, link_options};
use crate::ui::{reader::elide, theme};

/// How many entries the picker lists (the nearest to the annotation linked from).
const LIST_LIMIT: usize = 50;

pub fn link_picker_ui(
    ctx: &egui::Context,
    doc: &Document,
    link: &LinkState,
    actions: &mut Vec<Action>,
) {
    let Some(from) = doc.set.get(link.from) else {
        return;
    };
    egui::Window::new("Link annotation")
        .id(egui::Id::unique("link-picker"))
        .anchor(egui::Align2::RIGHT_TOP, [-16.0, 56.0])
        .collapsible(false)
        .resizable(false)
        .default_width(380.0)
        .show(ctx, |ui| {
            ui.set_width(380.0);
            ui.horizontal_wrapped(|ui| {
                ui.label("From");
                quote_ui(ui, doc, from.id, 60);
            });
            match link.target {
                None => target_step_ui(ui, doc, link, actions),
                Some(target) => type_step_ui(ui, doc, link, target, actions),
            }
        });
}

/// A label swatch, the label's name and the quote (elided to `max` code points).
fn quote_ui(ui: &mut Ui, doc: &Document, id: AnnotationId, max: usize) {
    let Some(a) = doc.set.get(id) else {
        return;
    };
    let labels = &doc.set.labels;
    let colour = theme::label_colour(labels, &a.label);
    ui.label(
        RichText::new(labels.name_of(&a.label))
            .strong()
            .color(colour),
    );
    ui.label(RichText::new(format!("“{}”", elide(&a.anchor.quote.exact, max))).italics());
}

fn target_step_ui(ui: &mut Ui, doc: &Document, link: &LinkState, actions: &mut Vec<Action>) {
    let candidates = link_candidates(&doc.set, link.from, &link.query, LIST_LIMIT);
    let row = link.row.min(candidates.len().saturating_sub(1));
    ui.weak("to… click a highlight in the article, or type to filter and press Enter.");
    let field_id = egui::Id::unique("link-picker-filter");
    let focused = ui.memory(|m| m.has_focus(field_id));
    if focused {
        let (down, up, enter) = ui.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::ArrowDown),
                i.consume_key(Modifiers::NONE, Key::ArrowUp),
                i.consume_key(Modifiers::NONE, Key::Enter),
            )
        });
        if down && row + 1 < candidates.len() {
            actions.push(Action::LinkMove(1));
        }
        if up && row > 0 {
            actions.push(Action::LinkMove(-1));
        }
        if enter && let Some(&id) = candidates.get(row) {
            actions.push(Action::LinkPick(id));
        }
    }
    if ui.input(|i| i.key_pressed(Key::Escape)) {
        actions.push(Action::LinkCancel);
    }
    let mut query = link.query.clone();
    let field = ui.add(
        egui::TextEdit::singleline(&mut query)
            .id(field_id)
            .hint_text("Filter by quote or note")
            .desired_width(f32::INFINITY),
    );
    if ui.memory(|m| m.focused().is_none()) {
        // Type straight away: the picker's field takes the keyboard while it is open.
        field.request_focus();
    }
    if field.changed() {
        actions.push(Action::LinkQuery(query));
    }
    if candidates.is_empty() {
        ui.weak(if link.query.trim().is_empty() {
            "No annotation can be linked with this one: no relation type fits their labels."
        } else {
            "No annotation that can be linked matches."
        });
    }
    // Keep the highlighted row in view when it moves (not every frame: the list can be scrolled).
    let shown_row = egui::Id::unique("link-picker-row");
    let moved = ui.data(|d| d.get_temp::<usize>(shown_row)) != Some(row);
    ui.data_mut(|d| d.insert_temp(shown_row, row));
    egui::ScrollArea::vertical()
        .max_height(280.0)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for (i, &id) in candidates.iter().enumerate() {
                let Some(a) = doc.set.get(id) else {
                    continue;
                };
                let labels = &doc.set.labels;
                let text = format!(
                    "{}: “{}”",
                    labels.name_of(&a.label),
                    elide(&a.anchor.quote.exact, 70)
                );
                let response = ui.add(egui::Button::selectable(i == row, text).wrap());
                if i == row && moved {
                    response.scroll_to_me(None);
                }
                if response.clicked() {
                    actions.push(Action::LinkPick(id));
                }
            }
        });
    ui.horizontal(|ui| {
        if ui.button("Cancel").clicked() {
            actions.push(Action::LinkCancel);
        }
    });
}

/// "“quote” attributed to “quote”" for an option.
fn option_text(doc: &Document, option: &LinkOption) -> String {
    let quote = |id| {
        doc.set
            .get(id)
            .map(|a| {
                format!(
                    "{} “{}”",
                    doc.set.labels.name_of(&a.label),
                    elide(&a.anchor.quote.exact, 30)
                )
            })
            .unwrap_or_default()
    };
    format!(
        "{} {} {}",
        quote(option.from),
        doc.set.labels.relation_name_of(&option.kind),
        quote(option.to)
    )
}

fn type_step_ui(
    ui: &mut Ui,
    doc: &Document,
    link: &LinkState,
    target: AnnotationId,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label("To");
        quote_ui(ui, doc, target, 60);
    });
    ui.separator();
    let options = link_options(&doc.set, link.from, target);
    let chosen = link.option.min(options.len().saturating_sub(1));
    let typing = ui.ctx().text_edit_focused();
    if !typing {
        let (down, up, enter, back, escape) = ui.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::ArrowDown),
                i.consume_key(Modifiers::NONE, Key::ArrowUp),
                i.consume_key(Modifiers::NONE, Key::Enter),
                i.consume_key(Modifiers::NONE, Key::Backspace),
                i.consume_key(Modifiers::NONE, Key::Escape),
            )
        });
        if down && chosen + 1 < options.len() {
            actions.push(Action::LinkMove(1));
        }
        if up && chosen > 0 {
            actions.push(Action::LinkMove(-1));
        }
        if enter && let Some(option) = options.get(chosen) {
            actions.push(Action::AddRelation(option.clone()));
        }
        if back {
            actions.push(Action::LinkBack);
        }
        if escape {
            actions.push(Action::LinkCancel);
        }
    }
    if options.is_empty() {
        let (Some(a), Some(b)) = (doc.set.get(link.from), doc.set.get(target)) else {
            return;
        };
        let labels = &doc.set.labels;
        ui.label(format!(
            "No relation type links a {} with a {}, or they are linked already. Relation types \
             are part of the label set.",
            labels.name_of(&a.label),
            labels.name_of(&b.label)
        ));
    } else {
        ui.label("Relation (Up/Down to choose, Enter to link):");
        for (i, option) in options.iter().enumerate() {
            let response = ui.radio(i == chosen, option_text(doc, option));
            if response.clicked() {
                actions.push(Action::LinkMove(i as i32 - chosen as i32));
            }
            if response.double_clicked() {
                actions.push(Action::AddRelation(option.clone()));
            }
        }
    }
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if let Some(option) = options.get(chosen)
            && ui.button("Link").clicked()
        {
            actions.push(Action::AddRelation(option.clone()));
        }
        if ui
            .button("Back")
            .on_hover_text("Pick another annotation (Backspace)")
            .clicked()
        {
            actions.push(Action::LinkBack);
        }
        if ui.button("Cancel").on_hover_text("Esc").clicked() {
            actions.push(Action::LinkCancel);
        }
    });
}
