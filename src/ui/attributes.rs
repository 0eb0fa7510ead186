//! The attributes and tags of the selected annotation, in the side panel's details.
//!
//! Each attribute its label defines gets the control of its kind: the words of a choice as
//! buttons, a scale's numbers as buttons, a text as a one-line field recorded on Enter or when
//! the field is left. Tags are chips with a × and an "Add tag" field that suggests tags used
//! elsewhere in the set. Every change is one undoable action.

use egui::Ui;

use crate::app::{Action, Document};
use crate::model::{Annotation, AttributeDef, AttributeKind, AttributeValue, claim_review_rating};
use crate::ui::kept_text::KeptTexts;

/// The attribute whose value maps onto a schema.org `ClaimReview` rating (the default Claim
/// label's `verification`).
const VERIFICATION: &str = "verification";

/// How many tag suggestions are offered at most.
const MAX_SUGGESTIONS: usize = 6;

/// Attribute controls, then tags, for annotation `a`.
/// Their short texts are kept in `texts` (see [`KeptTexts`]).
pub fn attributes_ui(
    ui: &mut Ui,
    doc: &Document,
    a: &Annotation,
    texts: &mut KeptTexts,
    actions: &mut Vec<Action>,
) {
    let defs = doc
        .set
        .labels
        .get(&a.label)
        .map_or(&[][..], |l| &l.attributes[..]);
    for def in defs {
        attribute_ui(ui, a, def, texts, actions);
    }
    tags_ui(ui, doc, a, texts, actions);
}

fn set(a: &Annotation, def: &AttributeDef, value: Option<AttributeValue>) -> Action {
    Action::SetAttribute {
        id: a.id,
        attribute: def.id.clone(),
        value,
    }
}

fn attribute_ui(
    ui: &mut Ui,
    a: &Annotation,
    def: &AttributeDef,
    texts: &mut KeptTexts,
    actions: &mut Vec<Action>,
) {
    let current = a.attributes.get(&def.id);
    ui.horizontal_wrapped(|ui| {
        ui.label(texts.text(ui, format!("{}:", def.name)));
        match &def.kind {
            AttributeKind::Choice(options) => {
                for option in options {
                    let chosen = matches!(current, Some(AttributeValue::Choice(v)) if v == option);
                    let button = ui
                        .selectable_label(chosen, texts.text(ui, option))
                        .accessible_name(format!("{} {option}", def.name));
                    if button.clicked() {
                        // A second click on the chosen word clears it.
                        let value = (!chosen).then(|| AttributeValue::Choice(option.clone()));
                        actions.push(set(a, def, value));
                    }
                }
            }
            AttributeKind::Scale { min, max } => {
                for n in *min..=*max {
                    let chosen = current == Some(&AttributeValue::Scale(n));
                    let button = ui
                        .selectable_label(chosen, texts.text(ui, n.to_string()))
                        .accessible_name(format!("{} {n}", def.name));
                    if button.clicked() {
                        let value = (!chosen).then_some(AttributeValue::Scale(n));
                        actions.push(set(a, def, value));
                    }
                }
            }
            AttributeKind::Text => {
                text_attribute_ui(ui, a, def, current, actions);
            }
        }
        if current.is_some() && !matches!(def.kind, AttributeKind::Text) {
            let clear = ui
                .small_button("—")
                .accessible_name(format!("Clear {}", def.name))
                .on_hover_text("Clear this value");
            if clear.clicked() {
                actions.push(set(a, def, None));
            }
        }
    });
    if def.id == VERIFICATION
        && let Some(AttributeValue::Choice(verdict)) = current
        && let Some(rating) = claim_review_rating(verdict)
    {
        ui.weak(format!(
            "schema.org ClaimReview rating: {}/{} “{}”",
            rating.rating_value, rating.best_rating, rating.alternate_name
        ))
        .on_hover_text("How a fact-check export publishes this verdict (1 false … 5 true)");
    }
}

/// A one-line field whose text is kept in egui's memory while typed and recorded when the
/// analyst presses Enter or leaves the field.
fn text_attribute_ui(
    ui: &mut Ui,
    a: &Annotation,
    def: &AttributeDef,
    current: Option<&AttributeValue>,
    actions: &mut Vec<Action>,
) {
    let stored = match current {
        Some(value) => value.to_string(),
        None => String::new(),
    };
    let draft_id = egui::Id::unique(("attribute-draft", a.id, &def.id));
    let mut text: String = ui
        .data(|d| d.get_temp(draft_id))
        .unwrap_or_else(|| stored.clone());
    let field = ui
        .add(
            egui::TextEdit::singleline(&mut text)
                .hint_text("—")
                .desired_width(ui.available_width().min(220.0)),
        )
        .accessible_name(def.name.clone());
    if field.has_focus() || field.changed() {
        ui.data_mut(|d| d.insert_temp(draft_id, text.clone()));
    }
    if field.lost_focus() {
        ui.data_mut(|d| d.remove::<String>(draft_id));
        let trimmed = text.trim();
        if trimmed != stored {
            let value = (!trimmed.is_empty()).then(|| AttributeValue::Text(trimmed.to_owned()));
            actions.push(set(a, def, value));
        }
    }
}

fn tags_ui(
    ui: &mut Ui,
    doc: &Document,
    a: &Annotation,
    texts: &mut KeptTexts,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label(texts.text(ui, "Tags:"));
        if a.tags.is_empty() {
            ui.weak("none");
        }
        for tag in &a.tags {
            egui::Frame::new()
                .fill(ui.visuals().faint_bg_color)
                .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
                .corner_radius(8.0)
                .inner_margin(egui::Margin::symmetric(6, 1))
                .show(ui, |ui| {
                    ui.spacing_mut().item_spacing.x = 2.0;
                    ui.label(texts.text(ui, tag));
                    let remove = ui
                        .add(egui::Button::new("×").frame(false).small())
                        .accessible_name(format!("Remove tag {tag}"))
                        .on_hover_text("Remove this tag");
                    if remove.clicked() {
                        let rest: Vec<String> =
                            a.tags.iter().filter(|t| *t != tag).cloned().collect();
                        actions.push(Action::SetTags(a.id, rest));
                    }
                });
        }
    });

    let draft_id = egui::Id::unique(("tag-draft", a.id));
    let mut typed: String = ui.data(|d| d.get_temp(draft_id)).unwrap_or_default();
    let add_tag = |tag: &str, actions: &mut Vec<Action>| {
        let mut tags = a.tags.clone();
        tags.push(tag.to_owned());
        actions.push(Action::SetTags(a.id, tags));
    };
    let field = ui.add(
        egui::TextEdit::singleline(&mut typed)
            .hint_text("Add tag…")
            .desired_width(f32::INFINITY),
    );
    let field = field.accessible_name("Add tag");
    if field.changed() {
        ui.data_mut(|d| d.insert_temp(draft_id, typed.clone()));
    }
    if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
        if !typed.trim().is_empty() {
            add_tag(typed.trim(), actions);
            ui.data_mut(|d| d.remove::<String>(draft_id));
        }
        // Stay in the field to type the next tag.
        field.request_focus();
    }
    let prefix = typed.trim().to_lowercase();
    if !prefix.is_empty() {
        let suggestions: Vec<String> = doc
            .set
            .all_tags()
            .into_iter()
            .filter(|t| t.to_lowercase().starts_with(&prefix) && !a.has_tag(t))
            .take(MAX_SUGGESTIONS)
            .collect();
        if !suggestions.is_empty() {
            ui.horizontal_wrapped(|ui| {
                ui.weak("Used elsewhere:");
                for tag in suggestions {
                    let button = ui
                        .small_button(&tag)
                        .accessible_name(format!("Add tag {tag}"));
                    if button.clicked() {
                        add_tag(&tag, actions);
                        ui.data_mut(|d| d.remove::<String>(draft_id));
                    }
                }
            });
        }
    }
}
