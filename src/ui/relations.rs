//! Relations in the side panel: the selected annotation's links (with a button to add one and
//! to remove each), and the claim tree — each claim with its sources and its denials (and who
//! issued them).

use std::sync::Arc;

use egui::{RichText, Ui};

use crate::app::{Action, Document, ViewState};
use crate::model::{Annotation, AnnotationId, claim_tree};
use crate::ui::{reader::elide, theme};

/// The selected annotation's links as sentences: "attributed to Source “…”", "Denial “…”
/// denies this".
pub fn relations_ui(ui: &mut Ui, doc: &Document, a: &Annotation, actions: &mut Vec<Action>) {
    let labels = &doc.set.labels;
    let relations: Vec<_> = doc.set.relations_of(a.id).collect();
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("Links ({})", relations.len())).strong());
        if ui
            .button("Link to…")
            .on_hover_text("Link this annotation to another one (L)")
            .clicked()
        {
            actions.push(Action::StartLink(a.id));
        }
    });
    for r in relations {
        let other = r.other_end(a.id);
        let Some(b) = doc.set.get(other) else {
            continue;
        };
        let text = link_sentence(doc, r, a.id, b, 60);
        ui.horizontal(|ui| {
            if ui
                .small_button("×")
                .on_hover_text("Remove this link (the annotations stay)")
                .clicked()
            {
                actions.push(Action::RemoveRelation(r.id));
            }
            let colour = theme::label_colour(labels, &b.label);
            let response = ui
                .add(
                    egui::Button::new(RichText::new(text).color(colour))
                        .frame(false)
                        .wrap(),
                )
                .on_hover_text("Show in the article");
            if response.clicked() {
                actions.push(reveal(doc, other));
            }
        });
    }
}

/// A link of annotation `id` as a sentence from its point of view, `b` being the other end
/// (its quote elided to `max` code points): "attributed to Source “…”" for its own links and
/// symmetric ones, "Denial “…” denies this" for links to it.
pub fn link_sentence(
    doc: &Document,
    r: &crate::model::Relation,
    id: AnnotationId,
    b: &Annotation,
    max: usize,
) -> String {
    let labels = &doc.set.labels;
    let name = labels.relation_name_of(&r.kind);
    let symmetric = labels.relation_type(&r.kind).is_some_and(|t| t.symmetric);
    let quote = format!(
        "{} “{}”",
        labels.name_of(&b.label),
        elide(&b.anchor.quote.exact, max)
    );
    if symmetric || r.from == id {
        format!("{name} {quote}")
    } else {
        format!("{quote} {name} this")
    }
}

/// Reveal an annotation in the article, or only select it if it is not placed.
fn reveal(doc: &Document, id: AnnotationId) -> Action {
    if doc.unplaced.contains(&id) {
        Action::SelectAnnotation(Some(id))
    } else {
        Action::Reveal(id)
    }
}

/// Claims with their sources and denials. Entries the filter hides are left out; a claim stays
/// when anything under it matches.
pub fn claim_tree_ui(ui: &mut Ui, doc: &Document, view: &ViewState, actions: &mut Vec<Action>) {
    // Built once per change of the set.
    let tree =
        crate::ui::per_generation(ui, doc, "claim-tree", |doc| Arc::new(claim_tree(&doc.set)));
    let shown = |id: &AnnotationId| !view.hidden.contains(id);
    let mut any = false;
    for node in &tree.claims {
        let visible = shown(&node.claim)
            || node.sources.iter().any(shown)
            || node
                .denials
                .iter()
                .any(|d| shown(&d.denial) || d.issuers.iter().any(shown));
        if !visible {
            continue;
        }
        any = true;
        let id = ui.make_persistent_id(("claim-node", node.claim.0));
        let has_children = !node.sources.is_empty() || !node.denials.is_empty();
        let state =
            egui::collapsing_header::CollapsingState::load_with_default_open(ui.ctx(), id, true);
        let mut header = |ui: &mut Ui| {
            tree_entry_ui(ui, doc, view, node.claim, "", actions);
            if node.sources.is_empty() {
                ui.label(
                    RichText::new("no source")
                        .small()
                        .color(ui.visuals().warn_fg_color),
                )
                .on_hover_text("Nobody is named for this claim: link a source with L");
            }
        };
        if has_children {
            state.show_header(ui, header).body(|ui| {
                for &source in &node.sources {
                    tree_entry_ui(ui, doc, view, source, "from", actions);
                }
                for denial in &node.denials {
                    tree_entry_ui(ui, doc, view, denial.denial, "denied by", actions);
                    ui.indent(("issuers", denial.denial.0), |ui| {
                        for &issuer in &denial.issuers {
                            tree_entry_ui(ui, doc, view, issuer, "issued by", actions);
                        }
                    });
                }
            });
        } else {
            ui.horizontal(|ui| {
                ui.add_space(ui.spacing().indent);
                header(ui);
            });
        }
    }
    if tree.claims.is_empty() {
        ui.weak("No claims yet. Mark a claim (1), then link its source and denials with L.");
    } else if !any {
        ui.weak("No claim matches the filter.");
    }
    let loose: Vec<AnnotationId> = tree
        .unattached
        .iter()
        .copied()
        .filter(|id| shown(id))
        .collect();
    if !loose.is_empty() {
        ui.separator();
        egui::CollapsingHeader::new(format!("Not linked to a claim ({})", loose.len()))
            .id_salt("unattached")
            .default_open(true)
            .show(ui, |ui| {
                for id in loose {
                    tree_entry_ui(ui, doc, view, id, "", actions);
                }
            });
    }
}

/// One entry of the tree: "role  Label “quote”", selectable; a click reveals it.
fn tree_entry_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    id: AnnotationId,
    role: &str,
    actions: &mut Vec<Action>,
) {
    let Some(a) = doc.set.get(id) else {
        return;
    };
    let labels = &doc.set.labels;
    let colour = theme::label_colour(labels, &a.label);
    let mut job = egui::text::LayoutJob::default();
    let font = egui::TextStyle::Body.resolve(ui.style());
    let weak = ui.visuals().weak_text_color();
    let text = ui.visuals().text_color();
    if !role.is_empty() {
        job.append(
            &format!("{role} "),
            0.0,
            egui::TextFormat::simple(font.clone(), weak),
        );
    }
    job.append(
        labels.name_of(&a.label),
        0.0,
        egui::TextFormat::simple(font.clone(), colour),
    );
    let dimmed = view.hidden.contains(&id);
    job.append(
        &format!(" “{}”", elide(&a.anchor.quote.exact, 90)),
        0.0,
        egui::TextFormat::simple(font, if dimmed { weak } else { text }),
    );
    let selected = view.selected == Some(id);
    let response = ui.add(egui::Button::selectable(selected, job).wrap());
    if response.clicked() {
        actions.push(reveal(doc, id));
    }
}
