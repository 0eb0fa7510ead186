//! Relations in the side panel: the selected annotation's links (with a button to add one and
//! to remove each), and the claim tree — each claim with its sources and its denials (and who
//! issued them).

use egui::{RichText, Sense, Ui};

use crate::app::{Action, Document, ViewState};
use crate::model::{Annotation, AnnotationId, ClaimTree, ClaimTreeIndex};
use crate::ui::kept_text::KeptTexts;
use crate::ui::{reader::elide, theme};

/// The selected annotation's links as sentences: "attributed to Source “…”", "Denial “…”
/// denies this".
/// Its short texts are kept in `texts` (see [`KeptTexts`]).
pub fn relations_ui(
    ui: &mut Ui,
    doc: &Document,
    a: &Annotation,
    texts: &mut KeptTexts,
    actions: &mut Vec<Action>,
) {
    let labels = &doc.set.labels;
    let relations: Vec<_> = doc.set.relations_of(a.id).collect();
    ui.horizontal(|ui| {
        let heading = RichText::new(format!("Links ({})", relations.len())).strong();
        ui.label(texts.text(ui, heading));
        if ui
            .button(texts.text(ui, "Link to…"))
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

/// One row of the claim tree. Every row is one line of the same height, so only the rows in
/// view are built: the tree costs the same per frame with 10 claims or 10,000.
#[derive(Clone, Copy, Debug, PartialEq)]
enum TreeRow {
    /// A claim; a click on the triangle (if it has sources or denials) opens or closes it.
    Claim {
        id: AnnotationId,
        open: bool,
        children: bool,
        no_source: bool,
    },
    /// A source, denial or issuer under a claim, `depth` steps in.
    Entry {
        id: AnnotationId,
        role: &'static str,
        depth: u8,
    },
    /// "Not linked to a claim (N)", opening or closing the entries after it.
    LooseHeader {
        count: usize,
        open: bool,
    },
    Loose(AnnotationId),
    Message(&'static str),
}

/// Which claims (and whether the unlinked group) the analyst closed, with a version bumped on
/// every change so that the rows know when to be worked out again.
#[derive(Default)]
struct Closed {
    version: u64,
    claims: std::collections::HashSet<AnnotationId>,
    loose: bool,
}

/// The tree's rows. A claim is left out when the filter hides it and everything under it; under
/// a claim that stays every entry shows (those the filter hides dimmed, see `tree_entry_ui`).
fn tree_rows(tree: &ClaimTree, view: &ViewState, closed: &Closed) -> Vec<TreeRow> {
    let shown = |id: &AnnotationId| !view.hidden.contains(id);
    let mut rows = Vec::new();
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
        let open = !closed.claims.contains(&node.claim);
        rows.push(TreeRow::Claim {
            id: node.claim,
            open,
            children: !node.sources.is_empty() || !node.denials.is_empty(),
            no_source: node.sources.is_empty(),
        });
        if !open {
            continue;
        }
        for &id in &node.sources {
            rows.push(TreeRow::Entry {
                id,
                role: "from",
                depth: 1,
            });
        }
        for denial in &node.denials {
            rows.push(TreeRow::Entry {
                id: denial.denial,
                role: "denied by",
                depth: 1,
            });
            for &id in &denial.issuers {
                rows.push(TreeRow::Entry {
                    id,
                    role: "issued by",
                    depth: 2,
                });
            }
        }
    }
    if tree.claims.is_empty() {
        rows.push(TreeRow::Message(
            "No claims yet. Mark a claim (1), then link its source and denials with L.",
        ));
    } else if rows.is_empty() {
        rows.push(TreeRow::Message("No claim matches the filter."));
    }
    let loose: Vec<AnnotationId> = tree.unattached.iter().copied().filter(shown).collect();
    if !loose.is_empty() {
        rows.push(TreeRow::LooseHeader {
            count: loose.len(),
            open: !closed.loose,
        });
        if !closed.loose {
            rows.extend(loose.into_iter().map(TreeRow::Loose));
        }
    }
    rows
}

/// The claim tree and its rows, kept by the app between frames. The tree follows the set
/// change by change ([`ClaimTreeIndex`]), so an edit costs about the same with 10 annotations
/// or 10,000; the rows are worked out again from it when the tree, the filter or what is
/// closed changes.
#[derive(Default)]
pub struct ClaimTreeView {
    index: ClaimTreeIndex,
    /// The set's generation the tree is for.
    generation: Option<u64>,
    /// What the analyst closed (kept while the app runs, whatever document is open).
    closed: Closed,
    rows: Vec<TreeRow>,
    /// The set's generation, the filter's version and the closed claims' version the rows
    /// are for.
    rows_for: Option<(u64, u64, u64)>,
}

impl ClaimTreeView {
    /// Brings the tree up to date with `doc`: change by change if every change since the last
    /// frame is known and none concerned the whole set, otherwise from the whole set.
    fn follow(&mut self, doc: &Document) {
        if self.generation == Some(doc.generation) {
            return;
        }
        match self.generation.and_then(|g| doc.changes_since(g)) {
            Some(changes) => {
                let touched: Vec<AnnotationId> = changes.iter().flat_map(|t| t.ids()).collect();
                self.index.update(&doc.set, &touched);
            }
            None => self.index = ClaimTreeIndex::new(&doc.set),
        }
        self.generation = Some(doc.generation);
    }

    /// The rows for the set, the filter and the closed claims as they are now.
    fn rows(&mut self, doc: &Document, view: &ViewState) -> &[TreeRow] {
        self.follow(doc);
        let made_for = (doc.generation, view.hidden_version, self.closed.version);
        if self.rows_for != Some(made_for) {
            self.rows = tree_rows(self.index.tree(), view, &self.closed);
            self.rows_for = Some(made_for);
        }
        &self.rows
    }

    /// Opens claim `id` if it is closed and closes it if it is open; `None` does the same for
    /// the unlinked group.
    fn flip(&mut self, which: Option<AnnotationId>) {
        let closed = &mut self.closed;
        closed.version += 1;
        match which {
            Some(id) => {
                if !closed.claims.remove(&id) {
                    closed.claims.insert(id);
                }
            }
            None => closed.loose = !closed.loose,
        }
    }
}

/// Claims with their sources and denials, then the annotations linked to no claim.
pub fn claim_tree_ui(
    ui: &mut Ui,
    doc: &Document,
    view: &ViewState,
    claims: &mut ClaimTreeView,
    actions: &mut Vec<Action>,
) {
    let rows = claims.rows(doc, view);
    let row_height = ui.spacing().interact_size.y + 2.0;
    let toggle = |ui: &mut Ui, open: bool| {
        let (rect, response) =
            ui.allocate_exact_size(egui::vec2(ui.spacing().indent, row_height), Sense::click());
        response.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::Role::Button,
                true,
                if open { "Close" } else { "Open" },
            )
        });
        let colour = ui.visuals().text_color();
        crate::ui::side_panel::open_triangle(ui.painter(), rect.center(), open, colour);
        response.clicked()
    };
    let mut flip: Option<Option<AnnotationId>> = None;
    egui::ScrollArea::vertical()
        .id_salt("claim-tree")
        .auto_shrink(false)
        .show_rows(ui, row_height, rows.len(), |ui, range| {
            for row in &rows[range] {
                ui.horizontal(|ui| {
                    ui.set_height(row_height);
                    match *row {
                        TreeRow::Claim {
                            id,
                            open,
                            children,
                            no_source,
                        } => {
                            // The badge first, from the right, so that the entry is cut to
                            // the width left rather than pushing the panel wider.
                            let right = egui::Layout::right_to_left(egui::Align::Center);
                            ui.with_layout(right, |ui| {
                                if no_source {
                                    ui.label(
                                        RichText::new("no source")
                                            .small()
                                            .color(ui.visuals().warn_fg_color),
                                    )
                                    .on_hover_text(
                                        "Nobody is named for this claim: link a source with L",
                                    );
                                }
                                let left = egui::Layout::left_to_right(egui::Align::Center);
                                ui.with_layout(left, |ui| {
                                    if children {
                                        if toggle(ui, open) {
                                            flip = Some(Some(id));
                                        }
                                    } else {
                                        ui.add_space(ui.spacing().indent);
                                    }
                                    tree_entry_ui(ui, doc, view, id, "", actions);
                                });
                            });
                        }
                        TreeRow::Entry { id, role, depth } => {
                            ui.add_space(ui.spacing().indent * f32::from(depth + 1));
                            tree_entry_ui(ui, doc, view, id, role, actions);
                        }
                        TreeRow::LooseHeader { count, open } => {
                            let clicked_icon = toggle(ui, open);
                            let label = ui.add(
                                egui::Label::new(
                                    RichText::new(format!("Not linked to a claim ({count})"))
                                        .strong(),
                                )
                                .sense(Sense::click()),
                            );
                            if clicked_icon || label.clicked() {
                                flip = Some(None);
                            }
                        }
                        TreeRow::Loose(id) => {
                            ui.add_space(ui.spacing().indent);
                            tree_entry_ui(ui, doc, view, id, "", actions);
                        }
                        TreeRow::Message(text) => {
                            ui.weak(text);
                        }
                    }
                });
            }
        });
    if let Some(which) = flip {
        claims.flip(which);
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
    // One line, so that every row of the tree has the same height (see `TreeRow`).
    let response = ui.add(egui::Button::selectable(selected, job).truncate());
    if response.clicked() {
        actions.push(reveal(doc, id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClaimNode, DenialNode};

    fn n(i: u128) -> AnnotationId {
        AnnotationId::from_u128(i)
    }

    /// Over a random walk of adds, deletes, relabels, links, unlinks, undos and redos, with
    /// claims closed and a filter on now and then, the rows of the tree the app follows change
    /// by change equal the rows of a tree built from the whole set.
    #[test]
    fn the_followed_tree_shows_the_rows_of_the_whole_set() {
        let mut doc = crate::app::document::tests::paragraphs_doc(30);
        let mut view = ViewState::default();
        let mut claims = ClaimTreeView::default();
        let mut next = crate::model::test_rng(0x2545_f491_4f6c_dd1d);
        let mut linked_rows = 0;
        for step in 0..600 {
            crate::app::document::tests::random_step(&mut doc, &mut next);
            if step % 50 == 25 {
                // Close every third claim; hide every annotation whose quote has an "e" third.
                claims.closed.claims = doc
                    .set
                    .annotations
                    .iter()
                    .step_by(3)
                    .map(|a| a.id)
                    .collect();
                claims.closed.version += 1;
                view.hidden = doc
                    .set
                    .annotations
                    .iter()
                    .filter(|a| a.anchor.quote.exact.chars().nth(2) == Some('e'))
                    .map(|a| a.id)
                    .collect();
                view.hidden_version += 1;
            }
            let rows = claims.rows(&doc, &view).to_vec();
            let expected = tree_rows(&crate::model::claim_tree(&doc.set), &view, &claims.closed);
            assert_eq!(rows, expected, "step {step}");
            linked_rows += rows
                .iter()
                .filter(|r| matches!(r, TreeRow::Entry { .. }))
                .count();
        }
        assert!(
            linked_rows > 300,
            "the walk linked too little: {linked_rows}"
        );
    }

    /// Claim 1 from source 2, denied by 3 issued by 4; claim 5 with nothing; 6 linked to none.
    fn tree() -> ClaimTree {
        ClaimTree {
            claims: vec![
                ClaimNode {
                    claim: n(1),
                    sources: vec![n(2)],
                    denials: vec![DenialNode {
                        denial: n(3),
                        issuers: vec![n(4)],
                    }],
                },
                ClaimNode {
                    claim: n(5),
                    sources: vec![],
                    denials: vec![],
                },
            ],
            unattached: vec![n(6)],
        }
    }

    fn entry(id: u128, role: &'static str, depth: u8) -> TreeRow {
        TreeRow::Entry {
            id: n(id),
            role,
            depth,
        }
    }

    #[test]
    fn the_tree_is_one_row_per_line_and_closing_or_filtering_leaves_rows_out() {
        let view = ViewState::default();
        let claim = |id: u128, open: bool, children: bool| TreeRow::Claim {
            id: n(id),
            open,
            children,
            no_source: !children,
        };
        let all = tree_rows(&tree(), &view, &Closed::default());
        assert_eq!(
            all,
            [
                claim(1, true, true),
                entry(2, "from", 1),
                entry(3, "denied by", 1),
                entry(4, "issued by", 2),
                claim(5, true, false),
                TreeRow::LooseHeader {
                    count: 1,
                    open: true
                },
                TreeRow::Loose(n(6)),
            ]
        );

        let mut closed = Closed::default();
        closed.claims.insert(n(1));
        closed.loose = true;
        let fewer = tree_rows(&tree(), &view, &closed);
        assert_eq!(
            fewer,
            [
                claim(1, false, true),
                claim(5, true, false),
                TreeRow::LooseHeader {
                    count: 1,
                    open: false
                },
            ]
        );

        // The filter hides the claim and its source but not the issuer: the claim stays, with
        // everything under it; claim 5 and the unlinked one go.
        let mut filtered = ViewState::default();
        filtered.hidden = [n(1), n(2), n(5), n(6)].into_iter().collect();
        assert_eq!(
            tree_rows(&tree(), &filtered, &Closed::default()),
            [
                claim(1, true, true),
                entry(2, "from", 1),
                entry(3, "denied by", 1),
                entry(4, "issued by", 2),
            ]
        );
        filtered.hidden.extend([n(3), n(4)]);
        assert_eq!(
            tree_rows(&tree(), &filtered, &Closed::default()),
            [TreeRow::Message("No claim matches the filter.")]
        );
    }
}
