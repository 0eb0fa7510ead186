//! The window comparing the active set (the reference) with another analyst's: exact and
//! overlap agreement per label, Cohen's kappa over the article's words, and the disagreements,
//! each of which scrolls the article to its place; the other set's ones can be merged into the
//! active set.
//!
//! It only reads [`Comparison::agreement`](crate::app::Comparison), which the app computes
//! when the window opens or a set changes, never per frame.

use egui::{RichText, Ui};

use crate::app::{Action, Comparison, Document, OtherSet, SetsAction, format_rate};
use crate::model::{Agreement, Annotation, AnnotationId, DisagreementKind, LabelId, Scores};
use crate::ui::reader::elide;

/// How much of a quote a disagreement row shows.
const ROW_QUOTE_CHARS: usize = 70;

pub fn compare_window_ui(ctx: &egui::Context, doc: &Document, actions: &mut Vec<Action>) {
    let Some(comparison) = &doc.others.comparison else {
        return;
    };
    let Some(other) = doc.others.get(comparison.other) else {
        return;
    };
    let mut open = true;
    // Low on the left, away from the article's opening lines and the side panel.
    let corner = ctx.content_rect().left_bottom() + egui::vec2(16.0, -40.0);
    egui::Window::new(format!("Compare with {}", other.analyst()))
        .id(egui::Id::unique("compare-window"))
        .pivot(egui::Align2::LEFT_BOTTOM)
        .default_pos(corner)
        .open(&mut open)
        .default_size([620.0, 560.0])
        .resizable(true)
        .collapsible(false)
        .show(ctx, |ui| match &comparison.agreement {
            Some(agreement) => body_ui(ui, doc, other, comparison, agreement, actions),
            None => {
                ui.spinner();
            }
        });
    if !open {
        actions.push(Action::Sets(SetsAction::CloseComparison));
    }
}

fn body_ui(
    ui: &mut Ui,
    doc: &Document,
    other: &OtherSet,
    comparison: &Comparison,
    agreement: &Agreement,
    actions: &mut Vec<Action>,
) {
    ui.label(format!(
        "Reference: your set ({}). Compared: {} ({}).",
        crate::app::analyst_name(&doc.set),
        other.analyst(),
        other.file_name()
    ));
    ui.weak(
        "Precision: share of theirs that is in yours; recall: share of yours that is in \
         theirs. Annotations waiting for review are not counted.",
    );
    ui.add_space(4.0);
    scores_table_ui(ui, doc, other, agreement);
    ui.add_space(4.0);
    let k = &agreement.kappa;
    ui.label(RichText::new(format!("Cohen's κ over words: {}", format_rate(k.kappa))).strong())
        .on_hover_text(
            "Each word takes the label of the shortest annotation covering it, or none; \
         κ = (observed − chance) / (1 − chance). — when chance explains everything.",
        );
    ui.weak(format!(
        "{} words · observed agreement {:.3} · expected by chance {:.3}",
        k.tokens, k.observed, k.expected
    ));
    ui.separator();
    disagreements_ui(ui, doc, other, comparison, agreement, actions);
}

fn label_name(doc: &Document, other: &OtherSet, id: &LabelId) -> String {
    if doc.set.labels.get(id).is_some() {
        doc.set.labels.name_of(id).to_owned()
    } else {
        other.set.labels.name_of(id).to_owned()
    }
}

fn scores_table_ui(ui: &mut Ui, doc: &Document, other: &OtherSet, agreement: &Agreement) {
    egui::Grid::new("agreement-table")
        .striped(true)
        .num_columns(7)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            for heading in [
                "Label",
                "Mine",
                "Theirs",
                "Exact P",
                "Exact R",
                "Exact F1",
                "Overlap F1",
            ] {
                ui.strong(heading);
            }
            ui.end_row();
            for row in &agreement.per_label {
                scores_row_ui(
                    ui,
                    &label_name(doc, other, &row.label),
                    &row.exact,
                    &row.overlap,
                );
            }
            scores_row_ui(ui, "All labels", &agreement.exact, &agreement.overlap);
        });
}

fn scores_row_ui(ui: &mut Ui, name: &str, exact: &Scores, overlap: &Scores) {
    ui.label(name);
    ui.label(exact.in_a.to_string());
    ui.label(exact.in_b.to_string());
    // Accessible names say which cell is which (tests and screen readers read them).
    let cell = |ui: &mut Ui, what: &str, rate: Option<f64>| {
        let text = format_rate(rate);
        let response = ui.label(&text);
        response.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Label, true, format!("{name} {what} {text}"))
        });
    };
    cell(ui, "exact precision", exact.precision());
    cell(ui, "exact recall", exact.recall());
    cell(ui, "exact F1", exact.f1());
    cell(ui, "overlap F1", overlap.f1());
    ui.end_row();
}

fn kind_text(kind: DisagreementKind) -> &'static str {
    match kind {
        DisagreementKind::OnlyInA => "Only in mine",
        DisagreementKind::OnlyInB => "Only in theirs",
        DisagreementKind::LabelDiffers => "Label differs",
        DisagreementKind::BoundaryDiffers => "Span differs",
    }
}

/// One line about a disagreement: labels and quotes of both sides.
fn describe(
    doc: &Document,
    other: &OtherSet,
    kind: DisagreementKind,
    mine: Option<&Annotation>,
    theirs: Option<&Annotation>,
) -> String {
    let quote = |a: &Annotation| format!("“{}”", elide(&a.anchor.quote.exact, ROW_QUOTE_CHARS));
    let name = |a: &Annotation| label_name(doc, other, &a.label);
    match (kind, mine, theirs) {
        (DisagreementKind::LabelDiffers, Some(a), Some(b)) => {
            format!("mine {}, theirs {}: {}", name(a), name(b), quote(a))
        }
        (DisagreementKind::BoundaryDiffers, Some(a), Some(b)) => {
            format!("{}: mine {} · theirs {}", name(a), quote(a), quote(b))
        }
        (_, Some(a), _) | (_, None, Some(a)) => format!("{} {}", name(a), quote(a)),
        (_, None, None) => String::new(),
    }
}

fn disagreements_ui(
    ui: &mut Ui,
    doc: &Document,
    other: &OtherSet,
    comparison: &Comparison,
    agreement: &Agreement,
    actions: &mut Vec<Action>,
) {
    let list = &agreement.disagreements;
    let mergeable: Vec<AnnotationId> = list.iter().filter_map(|d| d.b).collect();
    ui.horizontal_wrapped(|ui| {
        ui.strong(format!("Disagreements ({})", list.len()));
        let chosen = comparison.chosen.len();
        let merge = ui
            .add_enabled(
                chosen > 0,
                egui::Button::new(format!("Merge selected into my set ({chosen})")),
            )
            .on_hover_text("Copy the ticked annotations of theirs into your set (one undo step)")
            .on_disabled_hover_text("Tick annotations of theirs below first");
        if merge.clicked() {
            actions.push(Action::Sets(SetsAction::MergeChosen));
        }
        if ui
            .add_enabled(
                !mergeable.is_empty(),
                egui::Button::new("Tick all of theirs"),
            )
            .clicked()
        {
            for id in &mergeable {
                actions.push(Action::Sets(SetsAction::Choose(*id, true)));
            }
        }
        if ui
            .add_enabled(chosen > 0, egui::Button::new("Untick all"))
            .clicked()
        {
            for id in &comparison.chosen {
                actions.push(Action::Sets(SetsAction::Choose(*id, false)));
            }
        }
    });
    if list.is_empty() {
        ui.weak("None: both sets mark the same spans with the same labels.");
        return;
    }
    let row_height = ui
        .spacing()
        .interact_size
        .y
        .max(ui.text_style_height(&egui::TextStyle::Body))
        + ui.spacing().item_spacing.y;
    egui::ScrollArea::vertical()
        .id_salt("disagreements")
        .auto_shrink([false, true])
        .show_rows(ui, row_height, list.len(), |ui, rows| {
            for d in &list[rows] {
                let mine = d.a.and_then(|id| doc.set.get(id));
                let theirs = d.b.and_then(|id| other.set.get(id));
                ui.horizontal(|ui| {
                    ui.set_height(row_height - ui.spacing().item_spacing.y);
                    let text = describe(doc, other, d.kind, mine, theirs);
                    match d.b {
                        Some(b) => {
                            let mut ticked = comparison.chosen.contains(&b);
                            let tick = ui
                                .checkbox(&mut ticked, "")
                                .on_hover_text("Merge their annotation into my set");
                            tick.widget_info(|| {
                                egui::WidgetInfo::selected(
                                    egui::Role::CheckBox,
                                    true,
                                    ticked,
                                    format!("Merge: {text}"),
                                )
                            });
                            if tick.changed() {
                                actions.push(Action::Sets(SetsAction::Choose(b, ticked)));
                            }
                        }
                        None => {
                            ui.add_space(ui.spacing().interact_size.y);
                        }
                    }
                    ui.label(RichText::new(kind_text(d.kind)).strong());
                    let go = ui
                        .add(egui::Button::new(&text).frame(false).truncate())
                        .on_hover_text("Show it in the article");
                    if go.clicked() {
                        actions.push(match (d.a, d.b) {
                            (Some(a), _) => Action::Reveal(a),
                            (None, Some(b)) => Action::Sets(SetsAction::RevealOther(other.key, b)),
                            (None, None) => return,
                        });
                    }
                    if let (Some(_), Some(b)) = (d.a, d.b)
                        && ui
                            .small_button("theirs")
                            .on_hover_text("Show their annotation in the article")
                            .clicked()
                    {
                        actions.push(Action::Sets(SetsAction::RevealOther(other.key, b)));
                    }
                });
            }
        });
}
