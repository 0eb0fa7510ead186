//! The find bar (Ctrl+F) above the article: type to find, Enter / F3 for the next match,
//! Shift+Enter / Shift+F3 for the previous one, Esc to close. The current match is selected,
//! so a label key marks it once the bar is closed (or from the toolbar).

use egui::{Key, Modifiers, RichText, Ui};

use crate::app::{Action, FIND_LIMIT, FindState};

/// The find field's id (the app gives it the keyboard on Ctrl+F).
pub fn field_id() -> egui::Id {
    egui::Id::unique("find-in-article")
}

pub fn find_bar_ui(ui: &mut Ui, find: &FindState, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.label("Find:");
        let focused = ui.memory(|m| m.has_focus(field_id()));
        if focused {
            let (previous, next) = ui.input_mut(|i| {
                (
                    i.consume_key(Modifiers::SHIFT, Key::Enter),
                    i.consume_key(Modifiers::NONE, Key::Enter),
                )
            });
            if previous {
                actions.push(Action::FindStep(false));
            }
            if next {
                actions.push(Action::FindStep(true));
            }
        }
        let mut query = find.query.clone();
        let field = ui.add(
            egui::TextEdit::singleline(&mut query)
                .id(field_id())
                .hint_text("Text in the article")
                .desired_width(260.0),
        );
        if field.changed() {
            actions.push(Action::FindQuery(query));
        }
        // Esc in the field closes the bar (egui has already taken the focus away by now).
        if (focused || field.lost_focus()) && ui.input(|i| i.key_pressed(Key::Escape)) {
            actions.push(Action::FindClose);
        }
        let count = find.matches.len();
        let status = match (count, find.current) {
            _ if find.query.trim().is_empty() => String::new(),
            (0, _) => "no match".to_owned(),
            (n, Some(i)) if n >= FIND_LIMIT => format!("{} of {n}+", i + 1),
            (n, Some(i)) => format!("{} of {n}", i + 1),
            (n, None) => format!("{n} matches"),
        };
        let status = RichText::new(status);
        if count == 0 && !find.query.trim().is_empty() {
            ui.label(status.color(ui.visuals().warn_fg_color));
        } else {
            ui.label(status);
        }
        let enabled = count > 0;
        if ui
            .add_enabled(enabled, egui::Button::new("Previous"))
            .on_hover_text("Previous match (Shift+Enter, Shift+F3)")
            .clicked()
        {
            actions.push(Action::FindStep(false));
        }
        if ui
            .add_enabled(enabled, egui::Button::new("Next"))
            .on_hover_text("Next match (Enter, F3)")
            .clicked()
        {
            actions.push(Action::FindStep(true));
        }
        if ui
            .button("×")
            .on_hover_text("Close (Esc); the match stays selected")
            .clicked()
        {
            actions.push(Action::FindClose);
        }
        if count > 0 {
            ui.weak("Press Esc, then a label key to mark the match.");
        }
    });
}
