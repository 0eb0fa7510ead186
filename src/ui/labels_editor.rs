//! The Labels menu, the label-set editor and the "Load preset" list.
//!
//! The editor shows the draft kept in [`LabelEditor`]; every change is pushed as an
//! [`Action::Labels`] and made by the app, so what is drawn is always the app's draft. Nothing
//! reaches the set until Apply. Keys: Tab moves between fields, Enter applies and Escape
//! cancels (when no text field is being typed in: there Enter and Escape leave the field).

use egui::{Color32, RichText, Sense, Ui, vec2};

use crate::app::{
    Action, Document, DraftChange, LabelEditor, LabelsAction, LabelsState, PresetChooser,
};
use crate::model::{
    AttributeKind, DARK_BACKGROUND, LIGHT_BACKGROUND, Label, LabelId, LabelSet, PALETTE, Rgb,
};

/// Under this contrast against the page, a label's underline is hard to see (WCAG 2.1
/// SC 1.4.11 asks 3:1 for non-text graphics).
const MIN_CONTRAST: f64 = 3.0;

fn labels(action: LabelsAction) -> Action {
    Action::Labels(action)
}

fn draft(change: DraftChange) -> Action {
    Action::Labels(LabelsAction::Draft(change))
}

fn colour32(Rgb([r, g, b]): Rgb) -> Color32 {
    Color32::from_rgb(r, g, b)
}

/// The Labels menu of the menu bar.
pub fn labels_menu_ui(ui: &mut Ui, actions: &mut Vec<Action>) {
    ui.menu_button("Labels", |ui| {
        if ui.button("Edit label set…").clicked() {
            actions.push(labels(LabelsAction::OpenEditor));
        }
        ui.separator();
        if ui
            .button("Save label set as preset…")
            .on_hover_text(
                "Save the labels, their attributes and relation types in the presets folder",
            )
            .clicked()
        {
            actions.push(labels(LabelsAction::SavePreset));
        }
        if ui.button("Load preset…").clicked() {
            actions.push(labels(LabelsAction::ShowPresets));
        }
        ui.separator();
        if ui.button("Import preset from file…").clicked() {
            actions.push(labels(LabelsAction::ImportPresetDialog));
        }
        if ui.button("Export preset to file…").clicked() {
            actions.push(labels(LabelsAction::ExportPresetDialog));
        }
    });
}

/// The editor and the presets list, when open.
pub fn labels_windows_ui(
    ctx: &egui::Context,
    doc: &Document,
    state: &LabelsState,
    actions: &mut Vec<Action>,
) {
    if let Some(editor) = &state.editor {
        editor_ui(ctx, doc, editor, actions);
    }
    if let Some(chooser) = &state.presets {
        presets_ui(ctx, doc, chooser, actions);
    }
    remember_typing(ctx);
}

/// A contrast ratio as text, flagged when under [`MIN_CONTRAST`].
fn contrast_text(colour: Rgb) -> (String, bool) {
    let light = colour.contrast_ratio(LIGHT_BACKGROUND);
    let dark = colour.contrast_ratio(DARK_BACKGROUND);
    let flag = |r: f64| if r < MIN_CONTRAST { " (under 3:1)" } else { "" };
    (
        format!(
            "{light:.1}:1 on light{} · {dark:.1}:1 on dark{}",
            flag(light),
            flag(dark)
        ),
        light < MIN_CONTRAST || dark < MIN_CONTRAST,
    )
}

fn editor_ui(ctx: &egui::Context, doc: &Document, editor: &LabelEditor, actions: &mut Vec<Action>) {
    // Enter and Escape act on the editor only when no field is being typed in, no list is
    // open (Escape closes it) and, for Enter, no button has the keyboard focus (Enter presses
    // it).
    let typing = typing_ui(ctx);
    let button_focused = ctx.memory(|m| m.focused().is_some());
    let modal = egui::Modal::new(egui::Id::unique("label-set-editor")).show(ctx, |ui| {
        ui.set_width(660.0);
        ui.heading("Label set");
        ui.horizontal(|ui| {
            let name_label = ui.label("Name:");
            let mut name = editor.draft.name.clone();
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut name)
                        .hint_text("e.g. Claims, sources, denials")
                        .desired_width(320.0),
                )
                .labelled_by(name_label.id)
                .accessible_name("Label set name");
            if field.changed() {
                actions.push(draft(DraftChange::SetName(name)));
            }
        });
        if let Some(notice) = &editor.notice {
            ui.label(RichText::new(notice).color(ui.visuals().warn_fg_color));
        }
        let max_height = (ui.ctx().content_rect().height() - 260.0).max(200.0);
        egui::ScrollArea::vertical()
            .max_height(max_height)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                ui.add_space(4.0);
                ui.strong("Labels");
                for (index, label) in editor.draft.labels.iter().enumerate() {
                    label_row_ui(ui, editor, index, label, actions);
                }
                new_label_ui(ui, editor, actions);
                ui.add_space(8.0);
                ui.separator();
                relation_types_ui(ui, doc, editor, actions);
            });
        ui.separator();
        footer_ui(ui, editor, actions);
    });
    settle(ctx, "label-set-editor", modal.response.rect);
    // Not while another window (the preset list, a message, a path prompt) is above it.
    if modal.is_top_modal && !typing {
        let (enter, escape) = ctx.input(|i| {
            (
                i.key_pressed(egui::Key::Enter),
                i.key_pressed(egui::Key::Escape),
            )
        });
        if escape {
            if editor.removing.is_some() {
                actions.push(draft(DraftChange::AskRemove(None)));
            } else {
                actions.push(labels(LabelsAction::CancelEditor));
            }
        } else if enter && !button_focused && editor.preview.is_ok() && editor.removing.is_none() {
            actions.push(labels(LabelsAction::ApplyEditor));
        }
    }
}

fn label_row_ui(
    ui: &mut Ui,
    editor: &LabelEditor,
    index: usize,
    label: &Label,
    actions: &mut Vec<Action>,
) {
    let number = index + 1;
    let count = editor.count(&label.id);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            let (r, _) = ui.allocate_exact_size(vec2(14.0, 14.0), Sense::hover());
            ui.painter().rect_filled(r, 3.0, colour32(label.colour));
            let mut name = label.name.clone();
            let field = ui
                .add(egui::TextEdit::singleline(&mut name).desired_width(200.0))
                .accessible_name(format!("Label {number} name"));
            if field.changed() {
                actions.push(draft(DraftChange::Rename(label.id.clone(), name)));
            }
            ui.label("Key:");
            key_combo_ui(ui, &editor.draft, label, number, actions);
            ui.weak(match count {
                0 => "not used".to_owned(),
                1 => "1 annotation".to_owned(),
                n => format!("{n} annotations"),
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let remove = ui
                    .add_enabled(editor.draft.labels.len() > 1, egui::Button::new("Remove"))
                    .accessible_name(format!("Remove {}", label.name))
                    .on_hover_text(if count > 0 {
                        "Remove this label; you choose which label its annotations get"
                    } else {
                        "Remove this label"
                    });
                if remove.clicked() {
                    actions.push(if count > 0 {
                        draft(DraftChange::AskRemove(Some(label.id.clone())))
                    } else {
                        draft(DraftChange::RemoveLabel(label.id.clone(), None))
                    });
                }
            });
        });
        colour_row_ui(ui, label, number, actions);
        if !label.attributes.is_empty() {
            let described: Vec<String> = label
                .attributes
                .iter()
                .map(|def| match &def.kind {
                    AttributeKind::Choice(options) => {
                        format!("{} (choice: {})", def.name, options.join(", "))
                    }
                    AttributeKind::Scale { min, max } => {
                        format!("{} (scale {min}–{max})", def.name)
                    }
                    AttributeKind::Text => format!("{} (text)", def.name),
                })
                .collect();
            ui.weak(format!("Attributes: {}", described.join(" · ")));
        }
        if let Some(question) = editor.removing.as_ref().filter(|q| q.label == label.id) {
            remove_question_ui(
                ui,
                editor,
                label,
                count,
                question.reassign.as_ref(),
                actions,
            );
        }
    });
}

fn key_combo_ui(
    ui: &mut Ui,
    set: &LabelSet,
    label: &Label,
    number: usize,
    actions: &mut Vec<Action>,
) {
    let shown = label
        .key
        .map_or_else(|| "none".to_owned(), |k| k.to_string());
    let combo = egui::ComboBox::from_id_salt(("label-key", &label.id.0))
        .selected_text(shown)
        .width(60.0)
        .show_ui(ui, |ui| {
            if ui.selectable_label(label.key.is_none(), "none").clicked() {
                actions.push(draft(DraftChange::SetKey(label.id.clone(), None)));
            }
            for key in 1..=9u8 {
                // A key another label has is shown with its owner and cannot be taken here
                // (clear it there first), as `LabelSet::set_key` requires.
                let owner = set.by_key(key).filter(|l| l.id != label.id);
                let text = match owner {
                    Some(other) => format!("{key} ({})", other.name),
                    None => key.to_string(),
                };
                let option = ui.add_enabled(
                    owner.is_none(),
                    egui::Button::selectable(label.key == Some(key), text),
                );
                if option.clicked() {
                    actions.push(draft(DraftChange::SetKey(label.id.clone(), Some(key))));
                }
            }
        });
    let _ = combo
        .response
        .accessible_name(format!("Label {number} key"))
        .on_hover_text("The digit that marks the selected text with this label");
}

fn colour_row_ui(ui: &mut Ui, label: &Label, number: usize, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        ui.label("Colour:");
        for (name, colour) in PALETTE {
            let selected = label.colour == colour;
            let (rect, response) = ui.allocate_exact_size(vec2(20.0, 20.0), Sense::click());
            let painter = ui.painter();
            painter.rect_filled(rect.shrink(2.0), 3.0, colour32(colour));
            if selected {
                painter.rect_stroke(
                    rect,
                    4.0,
                    egui::Stroke::new(2.0, ui.visuals().strong_text_color()),
                    egui::StrokeKind::Inside,
                );
            } else if response.has_focus() || response.hovered() {
                painter.rect_stroke(
                    rect,
                    4.0,
                    ui.visuals().widgets.hovered.fg_stroke,
                    egui::StrokeKind::Inside,
                );
            }
            let accessible = format!("Label {number} colour {name}");
            response.widget_info(|| {
                egui::WidgetInfo::selected(egui::Role::RadioButton, true, selected, &accessible)
            });
            let (contrast, _) = contrast_text(colour);
            let response =
                response.on_hover_text(format!("{name} {} — {contrast}", colour.to_hex()));
            if response.clicked() && !selected {
                actions.push(draft(DraftChange::Recolour(label.id.clone(), colour)));
            }
        }
        let (contrast, low) = contrast_text(label.colour);
        let text = format!("{} · {contrast}", label.colour.to_hex());
        if low {
            ui.label(RichText::new(text).color(ui.visuals().warn_fg_color))
                .on_hover_text(
                    "Under 3:1 against the page: the highlight's underline is hard to see. \
                     The palette's colours all reach 3:1 on light and dark pages.",
                );
        } else {
            ui.weak(text);
        }
    });
}

fn remove_question_ui(
    ui: &mut Ui,
    editor: &LabelEditor,
    label: &Label,
    count: usize,
    reassign: Option<&LabelId>,
    actions: &mut Vec<Action>,
) {
    let others: Vec<&Label> = editor
        .draft
        .labels
        .iter()
        .filter(|l| l.id != label.id)
        .collect();
    ui.horizontal_wrapped(|ui| {
        ui.label(
            RichText::new(format!(
                "Removing {} — its {count} annotation(s) get the label:",
                label.name
            ))
            .color(ui.visuals().warn_fg_color),
        );
        let shown = reassign
            .and_then(|id| editor.draft.get(id))
            .map_or("—", |l| l.name.as_str());
        let combo = egui::ComboBox::from_id_salt(("reassign", &label.id.0))
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for other in &others {
                    let chosen = reassign == Some(&other.id);
                    if ui.selectable_label(chosen, &other.name).clicked() {
                        actions.push(draft(DraftChange::RemoveTarget(other.id.clone())));
                    }
                }
            });
        let _ = combo
            .response
            .accessible_name(format!("New label for the annotations of {}", label.name));
        let confirm = ui.add_enabled(reassign.is_some(), egui::Button::new("Remove and reassign"));
        if confirm.clicked() {
            actions.push(draft(DraftChange::RemoveLabel(
                label.id.clone(),
                reassign.cloned(),
            )));
        }
        if ui.button("Keep label").clicked() {
            actions.push(draft(DraftChange::AskRemove(None)));
        }
    });
}

fn new_label_ui(ui: &mut Ui, editor: &LabelEditor, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        let mut name = editor.new_label.clone();
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut name)
                    .hint_text("New label name")
                    .desired_width(200.0),
            )
            .accessible_name("New label name");
        if field.changed() {
            actions.push(draft(DraftChange::NewLabelName(name.clone())));
        }
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let add = ui.add_enabled(!name.trim().is_empty(), egui::Button::new("Add label"));
        if (add.clicked() || entered) && !name.trim().is_empty() {
            actions.push(draft(DraftChange::AddLabel));
            if entered {
                field.request_focus();
            }
        }
    });
}

/// "Claim, Denial" or "any label".
fn label_names(set: &LabelSet, ids: &[LabelId]) -> String {
    if ids.is_empty() {
        return "any label".to_owned();
    }
    ids.iter()
        .map(|id| set.name_of(id))
        .collect::<Vec<_>>()
        .join(", ")
}

fn relation_types_ui(ui: &mut Ui, doc: &Document, editor: &LabelEditor, actions: &mut Vec<Action>) {
    let set = &editor.draft;
    ui.strong("Relation types");
    if set.relation_types.is_empty() {
        ui.weak("None: annotations cannot be linked.");
    }
    for t in &set.relation_types {
        let used = doc.set.relations.iter().filter(|r| r.kind == t.id).count();
        ui.horizontal(|ui| {
            ui.label(RichText::new(&t.name).strong());
            let (from, to) = (
                label_names(set, &t.from_labels),
                label_names(set, &t.to_labels),
            );
            // The default font has no arrows: say it in words.
            ui.label(if t.symmetric {
                format!("between {from} and {to}, either way (symmetric)")
            } else {
                format!("from {from} to {to}")
            });
            if used > 0 {
                ui.weak(format!("{used} relation(s)"));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let hover = if used > 0 {
                    format!("Removes the type; on Apply its {used} relation(s) are removed too")
                } else {
                    "Remove this relation type".to_owned()
                };
                let remove = ui
                    .button("Remove")
                    .accessible_name(format!("Remove relation type {}", t.name))
                    .on_hover_text(hover);
                if remove.clicked() {
                    actions.push(draft(DraftChange::RemoveRelationType(t.id.clone())));
                }
            });
        });
    }
    ui.add_space(4.0);
    let form = &editor.relation_form;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.label("New relation type");
        let mut changed = form.clone();
        let mut submit = false;
        ui.horizontal(|ui| {
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut changed.name)
                        .hint_text("e.g. quotes")
                        .desired_width(200.0),
                )
                .accessible_name("Relation type name");
            submit |= field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.checkbox(&mut changed.symmetric, "symmetric")
                .on_hover_text("a–b is the same link as b–a");
        });
        for (end, list) in [
            ("From", &mut changed.from_labels),
            ("To", &mut changed.to_labels),
        ] {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("{end}:"));
                for label in &set.labels {
                    let mut on = list.contains(&label.id);
                    let response = ui
                        .checkbox(&mut on, &label.name)
                        .accessible_name(format!("{end} {}", label.name));
                    if response.changed() {
                        if on {
                            list.push(label.id.clone());
                        } else {
                            list.retain(|l| l != &label.id);
                        }
                    }
                }
                if list.is_empty() {
                    ui.weak("(none ticked: any label)");
                }
            });
        }
        if changed != *form {
            actions.push(draft(DraftChange::RelationForm(changed.clone())));
        }
        let can_add = !changed.name.trim().is_empty();
        let add = ui.add_enabled(can_add, egui::Button::new("Add relation type"));
        if can_add && (add.clicked() || submit) {
            actions.push(draft(DraftChange::AddRelationType));
        }
    });
}

fn footer_ui(ui: &mut Ui, editor: &LabelEditor, actions: &mut Vec<Action>) {
    match &editor.preview {
        Ok(c) if c.unchanged => {
            ui.weak("No changes yet.");
        }
        Ok(c) => {
            let mut lines = Vec::new();
            for (from, to, n) in &c.relabelled {
                lines.push(format!("{n} annotation(s) labelled {from} become {to}."));
            }
            if c.relations_removed > 0 {
                lines.push(format!(
                    "{} relation(s) of removed types will be removed.",
                    c.relations_removed
                ));
            }
            if c.values_dropped > 0 {
                lines.push(format!(
                    "{} annotation(s) lose attribute values their label no longer defines.",
                    c.values_dropped
                ));
            }
            if lines.is_empty() {
                ui.weak("Apply changes the labels only; no annotation changes.");
            } else {
                ui.label(
                    RichText::new(format!("On Apply: {}", lines.join(" ")))
                        .color(ui.visuals().warn_fg_color),
                );
            }
        }
        Err(reason) => {
            ui.label(
                RichText::new(format!("Cannot apply: {reason}")).color(ui.visuals().error_fg_color),
            );
        }
    }
    if let Some(error) = &editor.error {
        ui.label(RichText::new(error).color(ui.visuals().error_fg_color));
    }
    ui.horizontal(|ui| {
        let apply = ui
            .add_enabled(editor.preview.is_ok(), egui::Button::new("Apply"))
            .on_hover_text("Use this label set (Enter); one undo step");
        if apply.clicked() {
            actions.push(labels(LabelsAction::ApplyEditor));
        }
        if ui
            .button("Cancel")
            .on_hover_text("Drop these changes (Escape)")
            .clicked()
        {
            actions.push(labels(LabelsAction::CancelEditor));
        }
        ui.separator();
        if ui
            .button("Save as preset")
            .on_hover_text("Save this draft in the presets folder")
            .clicked()
        {
            actions.push(labels(LabelsAction::SavePreset));
        }
        if ui.button("Load preset…").clicked() {
            actions.push(labels(LabelsAction::ShowPresets));
        }
        if ui
            .button("Import…")
            .on_hover_text("Load a preset file")
            .clicked()
        {
            actions.push(labels(LabelsAction::ImportPresetDialog));
        }
        if ui
            .button("Export…")
            .on_hover_text("Write this draft to a preset file")
            .clicked()
        {
            actions.push(labels(LabelsAction::ExportPresetDialog));
        }
    });
}

fn presets_ui(
    ctx: &egui::Context,
    doc: &Document,
    chooser: &PresetChooser,
    actions: &mut Vec<Action>,
) {
    let typing = typing_ui(ctx);
    let modal = egui::Modal::new(egui::Id::unique("label-presets")).show(ctx, |ui| {
        ui.set_width(560.0);
        ui.heading("Load a label preset");
        ui.weak(format!("From {}", chooser.dir.display()));
        ui.add_space(4.0);
        if chooser.entries.is_empty() {
            ui.label("No presets saved yet. Labels, Save label set as preset… puts one here.");
        }
        egui::ScrollArea::vertical()
            .max_height(420.0)
            .show(ui, |ui| {
                for entry in &chooser.entries {
                    let name = entry.display_name();
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        match &entry.labels {
                            Ok(preset) => {
                                ui.horizontal(|ui| {
                                    ui.strong(&name);
                                    ui.with_layout(
                                        egui::Layout::right_to_left(egui::Align::Center),
                                        |ui| {
                                            let load = ui
                                                .button("Load")
                                                .accessible_name(format!("Load preset {name}"))
                                                .on_hover_text("Open it in the label-set editor");
                                            if load.clicked() {
                                                actions.push(labels(LabelsAction::LoadPreset(
                                                    entry.path.clone(),
                                                )));
                                            }
                                        },
                                    );
                                });
                                let names: Vec<&str> =
                                    preset.labels.iter().map(|l| l.name.as_str()).collect();
                                ui.label(format!("Labels: {}", names.join(", ")));
                                ui.weak(format!(
                                    "{} relation type(s)",
                                    preset.relation_types.len()
                                ));
                                let (_, kept) =
                                    crate::app::keep_labels_in_use(&doc.set, preset.clone());
                                if !kept.is_empty() {
                                    let kept: Vec<String> =
                                        kept.iter().map(|(n, c)| format!("{n} ({c})")).collect();
                                    ui.label(
                                    RichText::new(format!(
                                        "Lacks labels your annotations carry; they are kept: {}",
                                        kept.join(", ")
                                    ))
                                    .color(ui.visuals().warn_fg_color),
                                );
                                }
                            }
                            Err(reason) => {
                                ui.strong(&name);
                                ui.label(
                                    RichText::new(format!("Cannot be read: {reason}"))
                                        .color(ui.visuals().error_fg_color),
                                );
                            }
                        }
                    });
                }
            });
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            if ui.button("Import from file…").clicked() {
                actions.push(labels(LabelsAction::ClosePresets));
                actions.push(labels(LabelsAction::ImportPresetDialog));
            }
            if ui.button("Close").clicked() {
                actions.push(labels(LabelsAction::ClosePresets));
            }
        });
    });
    settle(ctx, "label-presets", modal.response.rect);
    if modal.is_top_modal && !typing && ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
        actions.push(labels(LabelsAction::ClosePresets));
    }
}

/// Is the analyst typing in a field or choosing from an open list, now or at the end of the
/// last frame? egui takes the focus from a field when Escape is pressed before any window is
/// drawn, so that Escape only leaves the field; it must not also close the window.
fn typing_ui(ctx: &egui::Context) -> bool {
    let id = egui::Id::unique("labels-text-focus-last-frame");
    let last: bool = ctx.data(|d| d.get_temp(id)).unwrap_or(false);
    last || ctx.text_edit_focused() || egui::Popup::is_any_open(ctx)
}

/// Remembers for [`typing_ui`] whether a field has the focus at the end of this frame.
fn remember_typing(ctx: &egui::Context) {
    let id = egui::Id::unique("labels-text-focus-last-frame");
    let now = ctx.text_edit_focused() || egui::Popup::is_any_open(ctx);
    ctx.data_mut(|d| d.insert_temp(id, now));
}

/// A modal is centred from the size it had in the last frame, so when its content grows (a
/// notice, a new label) it moves in the next frame. Ask for that frame at once, so that what
/// the analyst sees, and clicks, is where it will stay.
fn settle(ctx: &egui::Context, name: &str, rect: egui::Rect) {
    let id = egui::Id::unique(("modal-rect", name));
    let last: Option<egui::Rect> = ctx.data(|d| d.get_temp(id));
    if last != Some(rect) {
        ctx.data_mut(|d| d.insert_temp(id, rect));
        ctx.request_repaint();
    }
}
