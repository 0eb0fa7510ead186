//! The filter above the annotation list: text in quote or note, labels, a tag, an attribute
//! value. It narrows the list and dims the other highlights in the article.

use egui::{RichText, Ui};

use crate::app::{Action, Document, ViewState};
use crate::model::{AttributeKind, AttributeValue, Filter};
use crate::ui::theme;

pub fn filter_bar_ui(ui: &mut Ui, doc: &Document, view: &ViewState, actions: &mut Vec<Action>) {
    let current = &view.filter;
    let mut filter = current.clone();
    ui.horizontal(|ui| {
        let label = ui.label("Filter:");
        ui.add(
            egui::TextEdit::singleline(&mut filter.text)
                .hint_text("quote or note")
                .desired_width(ui.available_width() - 60.0),
        )
        .labelled_by(label.id);
        if ui
            .add_enabled(!current.is_empty(), egui::Button::new("Clear"))
            .on_hover_text("Show every annotation")
            .clicked()
        {
            filter = Filter::default();
        }
    });
    let labels = &doc.set.labels;
    ui.horizontal_wrapped(|ui| {
        for label in &labels.labels {
            let on = filter.labels.contains(&label.id);
            let colour = theme::label_colour(labels, &label.id);
            let text = RichText::new(&label.name).color(colour);
            let chip = ui.selectable_label(on, text).on_hover_text(format!(
                "Only {} annotations (click again to undo)",
                label.name
            ));
            // Read out as what it does, not only the label's name.
            chip.widget_info(|| {
                egui::WidgetInfo::selected(
                    egui::Role::Button,
                    true,
                    on,
                    format!("Show {}", label.name),
                )
            });
            if chip.clicked() {
                if on {
                    filter.labels.retain(|l| l != &label.id);
                } else {
                    filter.labels.push(label.id.clone());
                }
            }
        }
    });
    ui.horizontal(|ui| {
        let tags = crate::ui::per_generation(ui, doc, "all-tags", |doc| {
            std::sync::Arc::new(doc.set.all_tags())
        });
        if !tags.is_empty() || !filter.tags.is_empty() {
            let shown = filter
                .tags
                .first()
                .cloned()
                .unwrap_or_else(|| "any tag".to_owned());
            let tag_label = ui.label("Tag");
            egui::ComboBox::from_id_salt("filter-tag")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    if ui
                        .selectable_label(filter.tags.is_empty(), "any tag")
                        .clicked()
                    {
                        filter.tags.clear();
                    }
                    for tag in tags.iter() {
                        let on = filter.tags.first() == Some(tag);
                        if ui.selectable_label(on, format!("#{tag}")).clicked() {
                            filter.tags = vec![tag.clone()];
                        }
                    }
                })
                .response
                .labelled_by(tag_label.id);
        }
        let shown = match &filter.attribute {
            Some((id, value)) => format!("{} = {value}", attribute_name(doc, id)),
            None => "any".to_owned(),
        };
        let attribute_label = ui.label("Attribute");
        egui::ComboBox::from_id_salt("filter-attribute")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(filter.attribute.is_none(), "any")
                    .clicked()
                {
                    filter.attribute = None;
                }
                for label in &labels.labels {
                    for def in &label.attributes {
                        let values: Vec<AttributeValue> = match &def.kind {
                            AttributeKind::Choice(options) => options
                                .iter()
                                .map(|o| AttributeValue::Choice(o.clone()))
                                .collect(),
                            AttributeKind::Scale { min, max } => {
                                (*min..=*max).map(AttributeValue::Scale).collect()
                            }
                            AttributeKind::Text => Vec::new(),
                        };
                        for value in values {
                            let pick = (def.id.clone(), value);
                            let on = filter.attribute.as_ref() == Some(&pick);
                            let text = format!("{}: {} = {}", label.name, def.name, pick.1);
                            if ui.selectable_label(on, text).clicked() {
                                filter.attribute = Some(pick);
                            }
                        }
                    }
                }
            })
            .response
            .labelled_by(attribute_label.id);
    });
    if !current.is_empty() {
        let total = doc.set.annotations.len();
        let shown = total - view.hidden.len().min(total);
        ui.weak(format!("Showing {shown} of {total} annotations"));
    }
    if filter != *current {
        actions.push(Action::SetFilter(filter));
    }
}

/// The name of attribute `id` as the first label defining it calls it.
fn attribute_name(doc: &Document, id: &str) -> String {
    doc.set
        .labels
        .labels
        .iter()
        .flat_map(|l| &l.attributes)
        .find(|d| d.id == id)
        .map_or_else(|| id.to_owned(), |d| d.name.clone())
}
