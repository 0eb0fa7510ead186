//! Edits and undo history.
//!
//! Every change to a set is an [`Edit`] that knows its inverse. A user action becomes one
//! [`Transaction`] (a list of edits applied together), so undo and redo always move by whole
//! actions: deleting an annotation is one step, and so is a note typed over many keystrokes
//! (the app records the note when the analyst stops typing, not per character).

use super::annotation::{Annotation, AnnotationId, AnnotationSet, ArticleRef};
use super::attributes::AttributeError;
use super::labels::{LabelId, LabelSet};
use super::relations::{Relation, RelationId, RelationTypeId, check_new_relation};

/// One reversible change to an [`AnnotationSet`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    Add(Annotation),
    /// Refused while relations point to the annotation: [`delete_edits`](super::delete_edits)
    /// removes them first.
    Remove(Annotation),
    /// Replace `before` (found by its id) with `after`; both have the same id.
    Update {
        before: Box<Annotation>,
        after: Box<Annotation>,
    },
    /// Replace the set's article reference (re-anchoring moves the set to a new version).
    SetArticle {
        before: Box<ArticleRef>,
        after: Box<ArticleRef>,
    },
    /// Add a relation: refused if its id is taken, an end is missing, it links an annotation
    /// to itself, or the same link exists (see [`check_new_relation`]).
    AddRelation(Relation),
    /// Remove the relation with this id (the whole relation is kept for undo).
    RemoveRelation(Relation),
    /// Replace the label set (labels, attributes, relation types). Made by
    /// [`labels_edits`](super::labels_edits), which keeps the annotations consistent.
    SetLabels {
        before: Box<LabelSet>,
        after: Box<LabelSet>,
    },
    /// Rename the set's analyst (the one person a set belongs to).
    SetAnalyst {
        before: String,
        after: String,
    },
}

/// Why an edit could not be applied (the set was not in the state the edit expects).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("annotation {0} already exists")]
    AlreadyExists(AnnotationId),
    #[error("annotation {0} does not exist")]
    Missing(AnnotationId),
    #[error("the set refers to another article than the edit expects")]
    ArticleMismatch,
    #[error("relations still point to annotation {0}: remove them first")]
    HasRelations(AnnotationId),
    #[error("relation {0} already exists")]
    RelationExists(RelationId),
    #[error("relation {0} does not exist")]
    RelationMissing(RelationId),
    #[error("the same link exists already (relation {0})")]
    DuplicateRelation(RelationId),
    #[error("annotation {0} cannot be related to itself")]
    SelfRelation(AnnotationId),
    #[error("the set has no relation type {0:?}")]
    UnknownRelationType(RelationTypeId),
    #[error("a {kind:?} relation cannot go from a {from:?} to a {to:?}")]
    RelationNotAllowed {
        kind: RelationTypeId,
        from: LabelId,
        to: LabelId,
    },
    #[error("the set has other labels than the edit expects")]
    LabelsMismatch,
    #[error("the set belongs to another analyst than the edit expects")]
    AnalystMismatch,
    #[error(transparent)]
    Attribute(#[from] AttributeError),
}

impl Edit {
    pub fn inverse(&self) -> Self {
        match self {
            Self::Add(a) => Self::Remove(a.clone()),
            Self::Remove(a) => Self::Add(a.clone()),
            Self::Update { before, after } => Self::Update {
                before: after.clone(),
                after: before.clone(),
            },
            Self::SetArticle { before, after } => Self::SetArticle {
                before: after.clone(),
                after: before.clone(),
            },
            Self::AddRelation(r) => Self::RemoveRelation(r.clone()),
            Self::RemoveRelation(r) => Self::AddRelation(r.clone()),
            Self::SetLabels { before, after } => Self::SetLabels {
                before: after.clone(),
                after: before.clone(),
            },
            Self::SetAnalyst { before, after } => Self::SetAnalyst {
                before: after.clone(),
                after: before.clone(),
            },
        }
    }

    /// The annotation this edit leaves behind, if any (for selecting it after undo/redo).
    pub fn result_id(&self) -> Option<AnnotationId> {
        match self {
            Self::Add(a) => Some(a.id),
            Self::Update { after, .. } => Some(after.id),
            Self::Remove(_)
            | Self::SetArticle { .. }
            | Self::AddRelation(_)
            | Self::RemoveRelation(_)
            | Self::SetLabels { .. }
            | Self::SetAnalyst { .. } => None,
        }
    }

    /// Applies the edit; on error the set is unchanged.
    pub fn apply(&self, set: &mut AnnotationSet) -> Result<(), EditError> {
        match self {
            Self::Add(a) => {
                if set.get(a.id).is_some() {
                    return Err(EditError::AlreadyExists(a.id));
                }
                set.insert(a.clone());
            }
            Self::Remove(a) => {
                if set.get(a.id).is_none() {
                    return Err(EditError::Missing(a.id));
                }
                if set.relations_of(a.id).next().is_some() {
                    return Err(EditError::HasRelations(a.id));
                }
                set.remove(a.id);
            }
            Self::Update { before, after } => {
                set.remove(before.id).ok_or(EditError::Missing(before.id))?;
                set.insert((**after).clone());
            }
            Self::SetArticle { before, after } => {
                if set.article != **before {
                    return Err(EditError::ArticleMismatch);
                }
                set.article = (**after).clone();
            }
            Self::AddRelation(r) => {
                check_new_relation(set, r)?;
                set.insert_relation(r.clone());
            }
            Self::RemoveRelation(r) => {
                let at = set
                    .relations
                    .iter()
                    .rposition(|x| x.id == r.id)
                    .ok_or(EditError::RelationMissing(r.id))?;
                set.relations.remove(at);
            }
            Self::SetLabels { before, after } => {
                if set.labels != **before {
                    return Err(EditError::LabelsMismatch);
                }
                set.labels = (**after).clone();
            }
            Self::SetAnalyst { before, after } => {
                if set.analyst != *before {
                    return Err(EditError::AnalystMismatch);
                }
                set.analyst.clone_from(after);
            }
        }
        Ok(())
    }
}

/// What a list of edits changes, for views that follow the set without going over all of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touched {
    /// Annotations added, removed or replaced.
    pub annotations: Vec<AnnotationId>,
    /// Both ends of each relation added or removed (an end may no longer be in the set).
    pub linked: Vec<AnnotationId>,
    /// Something that concerns every annotation changed: the label set (colours, order) or
    /// the article the set refers to.
    pub set_wide: bool,
}

impl Touched {
    /// What `edits` change.
    ///
    /// ```
    /// # use claimlens::model::{Edit, Touched};
    /// assert_eq!(Touched::by(&[]), Touched::default());
    /// ```
    pub fn by(edits: &[Edit]) -> Self {
        let mut touched = Self::default();
        for edit in edits {
            match edit {
                Edit::Add(a) | Edit::Remove(a) => touched.annotations.push(a.id),
                Edit::Update { after, .. } => touched.annotations.push(after.id),
                Edit::AddRelation(r) | Edit::RemoveRelation(r) => {
                    touched.linked.extend([r.from, r.to]);
                }
                Edit::SetArticle { .. } | Edit::SetLabels { .. } => touched.set_wide = true,
                Edit::SetAnalyst { .. } => {}
            }
        }
        touched
    }

    /// Every annotation touched: those added, removed or replaced, then both ends of each
    /// relation added or removed (what [`super::ClaimTreeIndex::update`] takes).
    pub fn ids(&self) -> impl Iterator<Item = AnnotationId> + '_ {
        self.annotations.iter().chain(&self.linked).copied()
    }
}

/// Edits applied together as one user action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    /// Unique within a [`History`]; tells the app whether the set differs from the saved one.
    pub revision: u64,
    pub edits: Vec<Edit>,
}

impl Transaction {
    /// Applies all edits in order; if one fails, the ones already applied are rolled back.
    fn apply(edits: &[Edit], set: &mut AnnotationSet) -> Result<(), EditError> {
        for (i, edit) in edits.iter().enumerate() {
            if let Err(err) = edit.apply(set) {
                for done in edits[..i].iter().rev() {
                    // Undoing what was just done cannot fail.
                    let _ = done.inverse().apply(set);
                }
                return Err(err);
            }
        }
        Ok(())
    }

    fn inverse(&self) -> Vec<Edit> {
        self.edits.iter().rev().map(Edit::inverse).collect()
    }
}

/// Undo and redo stacks. The revision of the state is the revision of the last transaction
/// applied (0 for the state the set was opened in).
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Transaction>,
    redo: Vec<Transaction>,
    next_revision: u64,
    /// What the last transaction applied, undone or redone changed.
    last_touched: Touched,
}

impl History {
    /// Applies `edits` as one transaction and records it; clears the redo stack.
    /// Returns the ids the edits leave behind. An empty list records nothing.
    pub fn apply(
        &mut self,
        set: &mut AnnotationSet,
        edits: Vec<Edit>,
    ) -> Result<Vec<AnnotationId>, EditError> {
        if edits.is_empty() {
            return Ok(Vec::new());
        }
        Transaction::apply(&edits, set)?;
        self.next_revision += 1;
        self.last_touched = Touched::by(&edits);
        let ids = edits.iter().filter_map(Edit::result_id).collect();
        self.undo.push(Transaction {
            revision: self.next_revision,
            edits,
        });
        self.redo.clear();
        Ok(ids)
    }

    /// Undoes the last transaction; returns the ids it leaves behind, or `None` if there was
    /// nothing to undo.
    pub fn undo(&mut self, set: &mut AnnotationSet) -> Option<Vec<AnnotationId>> {
        let tx = self.undo.pop()?;
        let inverse = tx.inverse();
        if Transaction::apply(&inverse, set).is_err() {
            self.undo.push(tx);
            return None;
        }
        self.last_touched = Touched::by(&inverse);
        self.redo.push(tx);
        Some(inverse.iter().filter_map(Edit::result_id).collect())
    }

    /// Redoes the last undone transaction.
    pub fn redo(&mut self, set: &mut AnnotationSet) -> Option<Vec<AnnotationId>> {
        let tx = self.redo.pop()?;
        if Transaction::apply(&tx.edits, set).is_err() {
            self.redo.push(tx);
            return None;
        }
        let ids = tx.edits.iter().filter_map(Edit::result_id).collect();
        self.last_touched = Touched::by(&tx.edits);
        self.undo.push(tx);
        Some(ids)
    }

    /// What the last transaction applied, undone or redone changed.
    pub fn last_touched(&self) -> &Touched {
        &self.last_touched
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Identifies the current state: compare with the revision at the last save to know
    /// whether there are unsaved changes.
    pub fn revision(&self) -> u64 {
        self.undo.last().map_or(0, |tx| tx.revision)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Anchor, Article, LabelId, Timestamp};

    fn setup() -> (Article, AnnotationSet) {
        let article = Article::from_plain_text("alpha beta gamma", "t");
        let set = AnnotationSet::new(&article, String::new());
        (article, set)
    }

    fn ann(article: &Article, id: u128, range: std::ops::Range<usize>) -> Annotation {
        Annotation {
            id: AnnotationId::from_u128(id),
            label: LabelId::new("claim"),
            anchor: Anchor::new(article, range).unwrap(),
            note: String::new(),
            created: Timestamp::UNIX_EPOCH,
            modified: Timestamp::UNIX_EPOCH,
            review: None,
            attributes: Default::default(),
            tags: Vec::new(),
        }
    }

    #[test]
    fn the_last_step_says_what_it_touched() {
        let (article, mut set) = setup();
        let mut h = History::default();
        let (a, b) = (ann(&article, 1, 0..5), ann(&article, 2, 6..10));
        h.apply(&mut set, vec![Edit::Add(a.clone()), Edit::Add(b.clone())])
            .unwrap();
        assert_eq!(h.last_touched().annotations, [a.id, b.id]);
        assert!(h.last_touched().linked.is_empty() && !h.last_touched().set_wide);
        let link = Relation::new(
            RelationTypeId::new(crate::model::relations::ids::SUPPORTS),
            a.id,
            b.id,
        );
        h.apply(&mut set, vec![Edit::AddRelation(link)]).unwrap();
        assert_eq!(h.last_touched().linked, [a.id, b.id]);
        assert!(h.last_touched().annotations.is_empty());
        assert_eq!(h.last_touched().ids().collect::<Vec<_>>(), [a.id, b.id]);
        h.undo(&mut set).unwrap();
        assert_eq!(h.last_touched().linked, [a.id, b.id], "and undoing it");
        let before = set.labels.clone();
        let mut labels = before.clone();
        labels.name = "renamed".into();
        h.apply(
            &mut set,
            vec![Edit::SetLabels {
                before: Box::new(before),
                after: Box::new(labels),
            }],
        )
        .unwrap();
        assert!(h.last_touched().set_wide);
        h.undo(&mut set).unwrap();
        assert!(h.last_touched().set_wide, "undoing it is set-wide too");
        h.undo(&mut set).unwrap();
        assert_eq!(
            h.last_touched().annotations,
            [b.id, a.id],
            "undone in reverse"
        );
        h.redo(&mut set).unwrap();
        assert_eq!(h.last_touched().annotations, [a.id, b.id]);
    }

    #[test]
    fn undo_redo_walks_whole_transactions() {
        let (article, mut set) = setup();
        let mut h = History::default();
        let a = ann(&article, 1, 0..5);
        h.apply(&mut set, vec![Edit::Add(a.clone())]).unwrap();
        let after_add = h.revision();
        let mut noted = a.clone();
        noted.note = "first line\nsecond line".into();
        h.apply(
            &mut set,
            vec![Edit::Update {
                before: Box::new(a.clone()),
                after: Box::new(noted.clone()),
            }],
        )
        .unwrap();
        assert_eq!(set.get(a.id).unwrap().note, "first line\nsecond line");

        assert_eq!(h.undo(&mut set), Some(vec![a.id]));
        assert_eq!(set.get(a.id).unwrap().note, "");
        assert_eq!(h.revision(), after_add);
        assert_eq!(h.undo(&mut set), Some(vec![]));
        assert!(set.annotations.is_empty());
        assert_eq!(h.revision(), 0);
        assert_eq!(h.undo(&mut set), None);

        h.redo(&mut set).unwrap();
        h.redo(&mut set).unwrap();
        assert_eq!(set.get(a.id), Some(&noted));
        assert!(h.redo(&mut set).is_none());
    }

    #[test]
    fn a_new_edit_clears_redo_and_gets_a_new_revision() {
        let (article, mut set) = setup();
        let mut h = History::default();
        h.apply(&mut set, vec![Edit::Add(ann(&article, 1, 0..5))])
            .unwrap();
        let r1 = h.revision();
        h.undo(&mut set);
        h.apply(&mut set, vec![Edit::Add(ann(&article, 2, 6..10))])
            .unwrap();
        assert!(!h.can_redo());
        assert_ne!(h.revision(), r1, "a different state must not look saved");
    }

    #[test]
    fn failing_transaction_rolls_back() {
        let (article, mut set) = setup();
        let mut h = History::default();
        let a = ann(&article, 1, 0..5);
        let b = ann(&article, 2, 6..10);
        h.apply(&mut set, vec![Edit::Add(a.clone())]).unwrap();
        let before = set.clone();
        let err = h
            .apply(&mut set, vec![Edit::Add(b), Edit::Add(a.clone())])
            .unwrap_err();
        assert_eq!(err, EditError::AlreadyExists(a.id));
        assert_eq!(set, before);
        assert_eq!(h.revision(), 1);
    }

    #[test]
    fn remove_then_undo_restores_identical_annotation() {
        let (article, mut set) = setup();
        let mut h = History::default();
        let mut a = ann(&article, 9, 11..16);
        a.note = "日本語 note 🙂".into();
        h.apply(&mut set, vec![Edit::Add(a.clone())]).unwrap();
        h.apply(&mut set, vec![Edit::Remove(a.clone())]).unwrap();
        assert!(set.annotations.is_empty());
        h.undo(&mut set);
        assert_eq!(set.annotations, vec![a].into());
    }

    #[test]
    fn renaming_the_analyst_is_undoable_and_checks_the_old_name() {
        let (_, mut set) = setup();
        set.analyst = "jdoe".into();
        let mut h = History::default();
        let rename = |before: &str, after: &str| Edit::SetAnalyst {
            before: before.into(),
            after: after.into(),
        };
        h.apply(&mut set, vec![rename("jdoe", "Jane Doe")]).unwrap();
        assert_eq!(set.analyst, "Jane Doe");
        assert!(h.can_undo());
        h.undo(&mut set).unwrap();
        assert_eq!(set.analyst, "jdoe");
        h.redo(&mut set).unwrap();
        assert_eq!(set.analyst, "Jane Doe");
        // An edit made for another name does not apply.
        assert_eq!(
            h.apply(&mut set, vec![rename("someone", "x")]),
            Err(EditError::AnalystMismatch)
        );
        assert_eq!(set.analyst, "Jane Doe");
    }
}
