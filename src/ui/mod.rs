//! Drawing: `*_ui` functions read the state and push [`Action`]s; they change nothing else.
//!
//! * [`app_ui`]: the window — menu bar and toolbar, status bar, side panel, reader, dialogs.
//! * [`reader`]: the article column with highlights, selection and its layout cache.
//! * [`side_panel`]: details of the selected annotation and the grouped list.
//! * [`sets_panel`]: the set's analyst and the other analysts' sets beside it.
//! * [`compare`]: the window comparing the active set with another analyst's.
//! * [`outlines`]: other analysts' annotations drawn as outlines in the reader.
//! * [`theme`]: every colour and size.

pub mod attributes;
pub mod compare;
pub mod filter;
pub mod find;
pub mod kept_text;
pub mod labels_editor;
pub mod link;
pub mod outlines;
pub mod reader;
pub mod relations;
pub mod sets_panel;
pub mod side_panel;
pub mod theme;

use egui::{RichText, Ui};

use crate::app::{
    Action, App, Command, Document, Message, PromptPurpose, UnsavedChoice, ViewState,
};
use crate::ui::kept_text::KeptTexts;

/// `compute(doc)`, kept in egui's memory under `key` until the set changes (for derived views
/// the panels need every frame, like the claim tree or the list of tags).
pub fn per_generation<T: Clone + Send + Sync + 'static>(
    ui: &Ui,
    doc: &Document,
    key: &'static str,
    compute: impl FnOnce(&Document) -> T,
) -> T {
    let id = egui::Id::unique(key);
    if let Some((generation, value)) = ui.data(|d| d.get_temp::<(u64, T)>(id))
        && generation == doc.generation
    {
        return value;
    }
    let value = compute(doc);
    ui.data_mut(|d| d.insert_temp(id, (doc.generation, value.clone())));
    value
}

/// The set's counts per label (see `AnnotationSet::counts`), kept until the set changes.
pub fn label_counts(
    ui: &Ui,
    doc: &Document,
) -> std::sync::Arc<Vec<(crate::model::LabelId, usize)>> {
    per_generation(ui, doc, "label-counts", |doc| {
        std::sync::Arc::new(doc.set.counts())
    })
}

/// The whole window.
pub fn app_ui(ui: &mut Ui, app: &mut App) {
    let scroll_to = app.view.scroll_to.take();
    let measuring = app
        .heights
        .show_progress()
        .then(|| app.reader.measured_fraction());
    let App {
        doc,
        view,
        settings,
        reader,
        list,
        claims,
        texts,
        message,
        offer,
        recoveries,
        unsaved_prompt,
        path_prompt,
        labels,
        reanchor_job,
        open_job,
        actions,
        ..
    } = app;

    texts.begin_frame(ui.ctx());
    egui::Panel::top("toolbar").show(ui, |ui| {
        egui::MenuBar::new().ui(ui, |ui| {
            menu_bar_ui(ui, doc, view, &settings.recent, actions)
        });
        toolbar_ui(ui, doc, view, actions);
        ui.add_space(2.0);
    });
    egui::Panel::bottom("status").show(ui, |ui| {
        status_bar_ui(
            ui,
            doc,
            view,
            texts,
            Jobs {
                reanchor: reanchor_job.as_ref(),
                open: open_job.as_ref(),
                measuring,
            },
            actions,
        );
    });
    egui::Panel::right("annotations")
        .resizable(true)
        .default_size(340.0)
        .size_range(220.0..=700.0)
        .show(ui, |ui| {
            sets_panel::sets_ui(ui, doc, actions);
            side_panel::side_panel_ui(ui, doc, view, list, claims, texts, actions);
        });
    if let Some(find) = &view.find {
        egui::Panel::top("find-bar").show(ui, |ui| find::find_bar_ui(ui, find, actions));
    }
    egui::CentralPanel::default()
        .frame(egui::Frame::NONE.fill(theme::reader_background(view.dark)))
        .show(ui, |ui| {
            reader::reader_ui(ui, doc, view, scroll_to, reader, actions)
        });
    texts.finish_frame(ui.ctx());

    labels_editor::labels_windows_ui(ui.ctx(), doc, labels, actions);
    compare::compare_window_ui(ui.ctx(), doc, actions);
    if let Some(link) = &view.link {
        link::link_picker_ui(ui.ctx(), doc, link, actions);
    }
    if let Some(pending) = unsaved_prompt {
        unsaved_prompt_ui(ui.ctx(), doc, pending, actions);
    } else if let Some(prompt) = path_prompt {
        path_prompt_ui(ui.ctx(), prompt, actions);
    } else if let Some(message) = message {
        message_ui(ui.ctx(), message, offer.as_ref(), actions);
    } else if !recoveries.is_empty() {
        recovery_prompt_ui(ui.ctx(), recoveries, actions);
    }
}

/// A menu entry for a command, with its shortcut shown.
fn command_button(
    ui: &mut Ui,
    command: Command,
    enabled: bool,
    selected: Option<crate::model::AnnotationId>,
    actions: &mut Vec<Action>,
) {
    let shortcut = command.shortcut_text(ui.ctx());
    let button = egui::Button::new(command.label()).shortcut_text(shortcut);
    if ui.add_enabled(enabled, button).clicked()
        && let Some(action) = command.action(selected)
    {
        actions.push(action);
    }
}

fn menu_bar_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    recent: &[std::path::PathBuf],
    actions: &mut Vec<Action>,
) {
    let selected = view.selected;
    ui.menu_button("File", |ui| {
        command_button(ui, Command::Open, true, selected, actions);
        ui.add_enabled_ui(!recent.is_empty(), |ui| {
            ui.menu_button("Open recent", |ui| {
                for path in recent {
                    if ui.button(path.display().to_string()).clicked() {
                        actions.push(Action::Open(path.clone()));
                    }
                }
            });
        });
        command_button(ui, Command::OpenSample, true, selected, actions);
        sets_panel::open_other_button(ui, doc, actions);
        ui.separator();
        command_button(ui, Command::Save, true, selected, actions);
        command_button(ui, Command::SaveAs, true, selected, actions);
        ui.separator();
        ui.menu_button("Export", |ui| {
            for format in crate::export::ExportFormat::ALL {
                if ui.button(format!("{}…", format.name())).clicked() {
                    actions.push(Action::ExportDialog(format));
                }
            }
        });
        command_button(ui, Command::CopyBrief, true, selected, actions);
        ui.separator();
        command_button(ui, Command::Quit, true, selected, actions);
    });
    ui.menu_button("Edit", |ui| {
        command_button(ui, Command::Undo, doc.history.can_undo(), selected, actions);
        command_button(ui, Command::Redo, doc.history.can_redo(), selected, actions);
        ui.separator();
        let has_selection = view.selection.is_some_and(|s| !s.is_empty());
        command_button(ui, Command::Copy, has_selection, selected, actions);
        command_button(ui, Command::Find, true, selected, actions);
        command_button(ui, Command::Link, selected.is_some(), selected, actions);
        command_button(ui, Command::NextAnnotation, true, selected, actions);
        command_button(ui, Command::PreviousAnnotation, true, selected, actions);
        command_button(
            ui,
            Command::DeleteAnnotation,
            selected.is_some(),
            selected,
            actions,
        );
        ui.separator();
        for label in &doc.set.labels.labels {
            let mut button = egui::Button::new(format!("Mark as {}", label.name));
            if let Some(k) = label.key {
                button = button.shortcut_text(k.to_string());
            }
            if ui.add_enabled(has_selection, button).clicked() {
                actions.push(Action::Mark(label.id.clone()));
            }
        }
    });
    labels_editor::labels_menu_ui(ui, actions);
    ui.menu_button("View", |ui| {
        command_button(ui, Command::ZoomIn, true, selected, actions);
        command_button(ui, Command::ZoomOut, true, selected, actions);
        command_button(ui, Command::ZoomReset, true, selected, actions);
        ui.separator();
        command_button(ui, Command::ToggleTheme, true, selected, actions);
    });
}

fn toolbar_ui(ui: &mut Ui, doc: &Document, view: &ViewState, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        let has_selection = view.selection.is_some_and(|s| !s.is_empty());
        ui.label("Mark:");
        for label in &doc.set.labels.labels {
            let colour = theme::label_colour(&doc.set.labels, &label.id);
            let text = match label.key {
                Some(k) => format!("{k} {}", label.name),
                None => label.name.clone(),
            };
            let button = egui::Button::new(RichText::new(text).strong())
                .fill(theme::highlight_fill(colour, view.dark))
                .stroke(egui::Stroke::new(1.5, colour));
            let response = ui
                .add_enabled(has_selection, button)
                .on_hover_text(format!("Mark the selected text as {}", label.name))
                .on_disabled_hover_text("Select text in the article first");
            if response.clicked() {
                actions.push(Action::Mark(label.id.clone()));
            }
        }
        ui.separator();
        let undo = ui
            .add_enabled(doc.history.can_undo(), egui::Button::new("Undo"))
            .on_hover_text(Command::Undo.shortcut_text(ui.ctx()));
        if undo.clicked() {
            actions.push(Action::Undo);
        }
        let redo = ui
            .add_enabled(doc.history.can_redo(), egui::Button::new("Redo"))
            .on_hover_text(Command::Redo.shortcut_text(ui.ctx()));
        if redo.clicked() {
            actions.push(Action::Redo);
        }
        ui.separator();
        if ui
            .button("A−")
            .on_hover_text("Smaller text (Ctrl −)")
            .clicked()
        {
            actions.push(Action::ZoomOut);
        }
        ui.label(format!("{:.0}", view.font_size));
        if ui
            .button("A+")
            .on_hover_text("Larger text (Ctrl +)")
            .clicked()
        {
            actions.push(Action::ZoomIn);
        }
        let theme_text = if view.dark {
            "Light theme"
        } else {
            "Dark theme"
        };
        if ui
            .button(theme_text)
            .on_hover_text("Toggle theme")
            .clicked()
        {
            actions.push(Action::ToggleTheme);
        }
    });
}

/// The status bar's count of annotations, per label, with `change` (a label, and one more or
/// one fewer) applied: "5 annotations (Claim 2 · Source 1 · Denial 2)".
fn counts_text(
    doc: &Document,
    counts: &[(crate::model::LabelId, usize)],
    change: Option<(&crate::model::LabelId, bool)>,
) -> String {
    let shift = |n: usize, more: bool| if more { n + 1 } else { n.saturating_sub(1) };
    let changed = |id, n: usize| match change {
        Some((label, more)) if label == id => shift(n, more),
        _ => n,
    };
    let summary: Vec<String> = counts
        .iter()
        .map(|(id, n)| format!("{} {}", doc.set.labels.name_of(id), changed(id, *n)))
        .collect();
    let total = doc.set.annotations.len();
    let total = change.map_or(total, |(_, more)| shift(total, more));
    let noun = if total == 1 {
        "annotation"
    } else {
        "annotations"
    };
    format!("{total} {noun} ({})", summary.join(" · "))
}

/// Lays out ahead of need, in a frame that laid out no kept text so far, what the edit the
/// analyst is likely to make next changes in the status bar and the list's heading — marking
/// the selected text with one of the labels, deleting the selected annotation (and the message
/// saying so) — so the frame that shows the edit finds them: the first text a frame lays out
/// costs the most (about 0.1 ms for the counts). One a frame; says whether one was laid out
/// (and the next frame should go on).
pub(crate) fn prepare_next_status(
    ui: &Ui,
    doc: &Document,
    view: &ViewState,
    counts: &[(crate::model::LabelId, usize)],
    texts: &mut KeptTexts,
) -> bool {
    if !texts.none_laid_out() {
        return false;
    }
    let total = doc.set.annotations.len();
    let mut next: Vec<RichText> = Vec::new();
    if view.selected_range().is_some() {
        next.extend(
            counts
                .iter()
                .map(|(id, _)| counts_text(doc, counts, Some((id, true))).into()),
        );
        next.push(side_panel::list_heading(total + 1));
    }
    if let Some(a) = view.selected.and_then(|id| doc.set.get(id)) {
        next.push(counts_text(doc, counts, Some((&a.label, false))).into());
        next.push(side_panel::list_heading(total.saturating_sub(1)));
        next.push(crate::app::deleted_message(a).into());
    }
    next.into_iter().any(|text| texts.prepare_text(ui, text))
}

/// Background work the status bar shows.
struct Jobs<'a> {
    reanchor: Option<&'a crate::app::ReanchorJob>,
    open: Option<&'a crate::app::OpenJob>,
    /// The share of paragraphs measured, while a long measuring run goes on.
    measuring: Option<f32>,
}

fn status_bar_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    texts: &mut KeptTexts,
    jobs: Jobs<'_>,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        if let Some(job) = jobs.open {
            ui.spinner();
            let name = job.path.file_name().map_or_else(
                || job.path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            ui.label(format!(
                "Opening {name}… {:.0} s",
                job.started.elapsed().as_secs_f32().floor()
            ));
            if ui.button("Cancel").clicked() {
                actions.push(Action::CancelOpen);
            }
            ui.separator();
        }
        let counts = label_counts(ui, doc);
        // Kept: delete and undo flip it between two values.
        ui.label(texts.text(ui, counts_text(doc, &counts, None)));
        if prepare_next_status(ui, doc, view, &counts, texts) {
            ui.ctx().request_repaint();
        }
        if let Some(sel) = view.selection.filter(|s| !s.is_empty()) {
            ui.separator();
            ui.label(format!("{} characters selected", sel.range().len()));
        }
        // What just happened, before the paths: a long path must not push it out of sight.
        if let Some((status, _)) = &view.status {
            ui.separator();
            ui.label(texts.text(ui, status.as_str()));
        }
        ui.separator();
        let article = match doc.article_path() {
            Some(p) => p.display().to_string(),
            None => "bundled sample".to_owned(),
        };
        ui.weak(format!(
            "{article} · {} characters · {}",
            doc.article.char_len(),
            doc.article.hash.short()
        ));
        let set = match &doc.set_path {
            Some(p) => p.display().to_string(),
            None => "set not saved yet".to_owned(),
        };
        let dirty = if doc.is_dirty() {
            " (unsaved changes)"
        } else {
            ""
        };
        ui.separator();
        ui.weak(format!("{set}{dirty}"));
        if !doc.set.analyst.is_empty() {
            ui.separator();
            ui.weak(format!("analyst: {}", doc.set.analyst));
        }
        if let Some(fraction) = jobs.measuring {
            ui.separator();
            ui.weak(format!(
                "Measuring layout… {:.0} %",
                (fraction * 100.0).floor()
            ))
            .on_hover_text(
                "Working out the height of every paragraph, so that the scroll bar is exact",
            );
        }
        if let Some(job) = jobs.reanchor {
            ui.separator();
            ui.spinner();
            let fraction = job.done() as f32 / job.total.max(1) as f32;
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(160.0)
                    .text(format!("Re-anchoring {} / {}", job.done(), job.total)),
            );
        }
    });
}

fn unsaved_prompt_ui(
    ctx: &egui::Context,
    doc: &Document,
    pending: &Action,
    actions: &mut Vec<Action>,
) {
    let what = match pending {
        Action::Quit => "before closing",
        _ => "before opening another file",
    };
    let modal = egui::Modal::new(egui::Id::unique("unsaved-changes")).show(ctx, |ui| {
        ui.set_max_width(420.0);
        ui.heading("Unsaved changes");
        ui.label(format!(
            "The annotations of “{}” have changes that are not saved. Save them {what}?",
            doc.article.title
        ));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Save").clicked() {
                actions.push(Action::AnswerUnsaved(UnsavedChoice::Save));
            }
            if ui.button("Discard").clicked() {
                actions.push(Action::AnswerUnsaved(UnsavedChoice::Discard));
            }
            if ui.button("Cancel").clicked() {
                actions.push(Action::AnswerUnsaved(UnsavedChoice::Cancel));
            }
        });
    });
    if modal.should_close() {
        actions.push(Action::AnswerUnsaved(UnsavedChoice::Cancel));
    }
}

fn path_prompt_ui(ctx: &egui::Context, prompt: &crate::app::PathPrompt, actions: &mut Vec<Action>) {
    let modal = egui::Modal::new(egui::Id::unique("path-prompt")).show(ctx, |ui| {
        ui.set_min_width(520.0);
        ui.heading(match prompt.purpose {
            PromptPurpose::SaveSet => "Save the annotation set as".to_owned(),
            PromptPurpose::Open => "Open an article or set".to_owned(),
            PromptPurpose::Export(format) => format!("Export as {}", format.name()),
            PromptPurpose::ImportPreset => "Import a label preset".to_owned(),
            PromptPurpose::ExportPreset => "Export the label set as a preset".to_owned(),
            PromptPurpose::OpenOther => "Open another analyst's set".to_owned(),
        });
        ui.label(
            "This desktop has no file dialog (no XDG desktop portal and no zenity). \
             Type the file's path:",
        );
        let mut text = prompt.text.clone();
        let path_label = ui.label("Path:");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut text)
                    .desired_width(f32::INFINITY)
                    .hint_text("/path/to/file"),
            )
            .labelled_by(path_label.id);
        if ui.memory(|m| m.focused().is_none()) {
            // Type straight away when the prompt opens.
            field.request_focus();
        }
        if field.changed() {
            actions.push(Action::PathPromptEdit(text));
        }
        let entered = ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.horizontal(|ui| {
            let ok = match prompt.purpose {
                PromptPurpose::SaveSet => "Save",
                PromptPurpose::Open => "Open",
                PromptPurpose::Export(_) | PromptPurpose::ExportPreset => "Export",
                PromptPurpose::ImportPreset => "Import",
                PromptPurpose::OpenOther => "Open",
            };
            if ui.button(ok).clicked() || entered {
                actions.push(Action::PathPromptAnswer(true));
            }
            if ui.button("Cancel").clicked() {
                actions.push(Action::PathPromptAnswer(false));
            }
        });
    });
    if modal.should_close() {
        actions.push(Action::PathPromptAnswer(false));
    }
}

fn message_ui(
    ctx: &egui::Context,
    message: &Message,
    offer: Option<&(String, Action)>,
    actions: &mut Vec<Action>,
) {
    let modal = egui::Modal::new(egui::Id::unique("message")).show(ctx, |ui| {
        ui.set_max_width(480.0);
        let title = RichText::new(&message.title).heading();
        if message.is_error {
            ui.label(title.color(ui.visuals().error_fg_color));
        } else {
            ui.label(title);
        }
        ui.label(&message.body);
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if let Some((text, action)) = offer
                && ui.button(text).clicked()
            {
                actions.push(Action::DismissMessage);
                actions.push(action.clone());
            }
            if ui.button("OK").clicked() {
                actions.push(Action::DismissMessage);
            }
        });
    });
    if modal.should_close() {
        actions.push(Action::DismissMessage);
    }
}

/// Unsaved work found at start (after a crash or a kill): restore or discard each.
fn recovery_prompt_ui(
    ctx: &egui::Context,
    recoveries: &[(
        std::path::PathBuf,
        Result<crate::app::recovery::RecoveryRecord, String>,
    )],
    actions: &mut Vec<Action>,
) {
    egui::Modal::new(egui::Id::unique("recovery")).show(ctx, |ui| {
        ui.set_max_width(560.0);
        ui.heading("Unsaved work was found");
        ui.label(
            "Claimlens did not close normally last time. This work was not saved; it is \
             exactly as it was autosaved, at most a second or two before the end.",
        );
        ui.add_space(6.0);
        for (path, record) in recoveries {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.set_width(ui.available_width());
                match record {
                    Ok(record) => {
                        let article = if record.article == crate::app::SAMPLE_REF {
                            "The bundled sample article".to_owned()
                        } else {
                            record.article.clone()
                        };
                        ui.strong(article);
                        let set = record
                            .set_path
                            .as_ref()
                            .map_or_else(|| "never saved".to_owned(), |p| p.display().to_string());
                        let plural = if record.annotations == 1 { "" } else { "s" };
                        ui.label(format!(
                            "{} annotation{plural} · set: {set} · autosaved {}",
                            record.annotations,
                            record
                                .written
                                .to_zoned(jiff::tz::TimeZone::system())
                                .strftime("%Y-%m-%d %H:%M:%S")
                        ));
                        ui.horizontal(|ui| {
                            if ui.button("Restore").clicked() {
                                actions.push(Action::RestoreRecovery(path.clone()));
                            }
                            if ui
                                .button("Discard")
                                .on_hover_text("Delete this unsaved work")
                                .clicked()
                            {
                                actions.push(Action::DiscardRecovery(path.clone()));
                            }
                        });
                    }
                    Err(err) => {
                        ui.colored_label(
                            ui.visuals().error_fg_color,
                            format!("A recovery file could not be read: {err}"),
                        );
                        ui.weak(path.display().to_string());
                        if ui.button("Discard").clicked() {
                            actions.push(Action::DiscardRecovery(path.clone()));
                        }
                    }
                }
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::TextSelection;
    use crate::model::LabelId;
    use crate::ui::side_panel::row_text_tests::claims_doc;

    /// One paragraph, its first 20 code points marked as a claim.
    fn doc() -> Document {
        claims_doc(1)
    }

    #[test]
    fn the_counts_with_one_more_or_one_fewer() {
        let doc = doc();
        let counts = doc.set.counts();
        let claim = LabelId::new("claim");
        let denial = LabelId::new("denial");
        assert_eq!(
            counts_text(&doc, &counts, None),
            "1 annotation (Claim 1 · Source 0 · Denial 0)"
        );
        assert_eq!(
            counts_text(&doc, &counts, Some((&denial, true))),
            "2 annotations (Claim 1 · Source 0 · Denial 1)"
        );
        assert_eq!(
            counts_text(&doc, &counts, Some((&claim, false))),
            "0 annotations (Claim 0 · Source 0 · Denial 0)"
        );
    }

    /// One frame: prepares the next counts ahead; says whether it laid one out.
    fn prepare_frame(
        ctx: &egui::Context,
        doc: &Document,
        view: &ViewState,
        texts: &mut KeptTexts,
    ) -> bool {
        let mut prepared = false;
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            texts.begin_frame(ui.ctx());
            prepared = prepare_next_status(ui, doc, view, &doc.set.counts(), texts);
            texts.finish_frame(ui.ctx());
        });
        // Headless: no renderer takes the font texture's updates.
        output.textures_delta.clear();
        prepared
    }

    /// With text selected and an annotation selected, the frames that follow lay out what
    /// marking the text with each label or deleting the annotation would show, one a frame; the
    /// frame that shows one of them then lays out nothing.
    #[test]
    fn the_status_after_the_likely_next_edit_is_laid_out_ahead() {
        let doc = doc();
        let mut view = ViewState::default();
        view.selection = Some(TextSelection {
            anchor: 21,
            head: 40,
        });
        view.selected = Some(doc.set.annotations[0].id);
        let ctx = egui::Context::default();
        let mut texts = KeptTexts::default();
        // A fresh context settles its text options in its first frame (see `FontsWatch`).
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            ui.label("settling");
        });
        output.textures_delta.clear();
        let mut frames = 0;
        while prepare_frame(&ctx, &doc, &view, &mut texts) {
            frames += 1;
            assert!(frames < 10, "does not finish");
        }
        assert_eq!(
            frames, 7,
            "the counts and the list's heading after marking with three labels, then after \
             deleting, and the message saying so"
        );
        let counts = doc.set.counts();
        let a = &doc.set.annotations[0];
        let shown: [RichText; 5] = [
            counts_text(&doc, &counts, Some((&LabelId::new("source"), true))).into(),
            counts_text(&doc, &counts, Some((&LabelId::new("claim"), false))).into(),
            side_panel::list_heading(2),
            side_panel::list_heading(0),
            crate::app::deleted_message(a).into(),
        ];
        for text in shown {
            let mut laid_out = usize::MAX;
            let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
                texts.begin_frame(ui.ctx());
                texts.text(ui, text.clone());
                laid_out = texts.laid_out();
                texts.finish_frame(ui.ctx());
            });
            output.textures_delta.clear();
            assert_eq!(laid_out, 0, "{:?} was not ready", text.text());
        }
        // Nothing selected: nothing to prepare.
        let mut texts = KeptTexts::default();
        assert!(!prepare_frame(
            &ctx,
            &doc,
            &ViewState::default(),
            &mut texts
        ));
        assert!(texts.is_empty());
    }
}
