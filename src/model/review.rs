//! Applying re-anchoring to a set: confident placements move their anchors, the rest wait for
//! the analyst with a [`Review`]. Everything is expressed as [`Edit`]s, so the whole step is
//! one undoable transaction and each later decision (accept, re-attach, delete) is another.

use super::anchor::Anchor;
use super::annotation::{Annotation, AnnotationId, AnnotationSet, Review, ReviewStatus};
use super::article::Article;
use super::history::Edit;
use super::reanchor::{Placement, Status, Thresholds, reanchor};

/// Re-anchors every annotation of `set` that is not already waiting for review in `new`.
/// Returns the placements in the order of `set.annotations`, with their ids.
pub fn reanchor_set(
    set: &AnnotationSet,
    new: &Article,
    thresholds: &Thresholds,
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<(AnnotationId, Placement)> {
    let candidates: Vec<&Annotation> = set.annotations.iter().collect();
    let anchors: Vec<&Anchor> = candidates.iter().map(|a| &a.anchor).collect();
    let placements = reanchor(
        &anchors,
        &set.article.content_hash,
        new,
        thresholds,
        progress,
    );
    candidates.iter().map(|a| a.id).zip(placements).collect()
}

/// Counts of a re-anchoring run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReanchorSummary {
    pub anchored: usize,
    pub moved: usize,
    pub orphaned: usize,
}

impl ReanchorSummary {
    pub fn of(placements: &[(AnnotationId, Placement)]) -> Self {
        let mut summary = Self::default();
        for (_, p) in placements {
            match p.status {
                Status::Anchored => summary.anchored += 1,
                Status::Moved => summary.moved += 1,
                Status::Orphaned => summary.orphaned += 1,
            }
        }
        summary
    }

    pub fn needs_review(&self) -> bool {
        self.moved + self.orphaned > 0
    }
}

/// The edits that apply `placements` to `set` for article `new`: anchored annotations get
/// their new anchor (and lose any old review), the others get a [`Review`] and keep the anchor
/// they had; the set's article reference moves to `new`. `now` stamps changed annotations.
pub fn reanchor_edits(
    set: &AnnotationSet,
    new: &Article,
    placements: &[(AnnotationId, Placement)],
    now: super::Timestamp,
) -> Vec<Edit> {
    let mut edits = Vec::new();
    for (id, placement) in placements {
        let Some(before) = set.get(*id) else {
            continue;
        };
        let mut after = before.clone();
        match (placement.status, &placement.proposal) {
            (Status::Anchored, Some(anchor)) => {
                after.anchor = anchor.clone();
                after.review = None;
            }
            (Status::Moved, Some(anchor)) => {
                after.review = Some(Review {
                    status: ReviewStatus::Moved,
                    proposal: Some(anchor.position),
                });
            }
            _ => {
                after.review = Some(Review {
                    status: ReviewStatus::Orphaned,
                    proposal: None,
                });
            }
        }
        if after != *before {
            after.modified = now;
            edits.push(Edit::Update {
                before: Box::new(before.clone()),
                after: Box::new(after),
            });
        }
    }
    let mut article = set.article.clone();
    article.content_hash = new.hash.clone();
    article.title.clone_from(&new.title);
    if article != set.article {
        edits.push(Edit::SetArticle {
            before: Box::new(set.article.clone()),
            after: Box::new(article),
        });
    }
    edits
}

/// The analyst's decision on an annotation waiting for review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewDecision {
    /// Take the proposed place.
    Accept,
    /// Attach to this range of the current article instead (code points, end exclusive).
    Reattach(std::ops::Range<usize>),
}

/// The edit for a decision, or `None` if it does not apply (no proposal to accept, an empty
/// range).
pub fn review_edit(
    annotation: &Annotation,
    decision: &ReviewDecision,
    article: &Article,
    now: super::Timestamp,
) -> Option<Edit> {
    let anchor = match decision {
        ReviewDecision::Accept => {
            let proposal = annotation.review.as_ref()?.proposal?;
            Anchor::at_position(article, proposal)
        }
        ReviewDecision::Reattach(range) => Anchor::new(article, range.clone()).ok()?,
    };
    let mut after = annotation.clone();
    after.anchor = anchor;
    after.review = None;
    after.modified = now;
    Some(Edit::Update {
        before: Box::new(annotation.clone()),
        after: Box::new(after),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{History, LabelId, Timestamp};

    fn annotation(article: &Article, id: u128, needle: &str) -> Annotation {
        let start = article.text[..article.text.find(needle).unwrap()]
            .chars()
            .count();
        let range = start..start + needle.chars().count();
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
    fn reanchoring_is_one_undoable_step_and_decisions_are_more() {
        let old = Article::from_plain_text(
            "Title\n\nThe ministry said the contract was signed in secret. Aides denied it.\n",
            "t",
        );
        let mut set = AnnotationSet::new(&old, "t.txt".into());
        set.insert(annotation(&old, 1, "contract was signed in secret"));
        set.insert(annotation(&old, 2, "Aides denied"));
        let new = Article::from_plain_text(
            "Title\n\nOn Monday the ministry said the contract was signed in secret. Nobody denied it.\n",
            "t",
        );
        let placements = reanchor_set(&set, &new, &Thresholds::default(), &mut |_, _| {});
        let summary = ReanchorSummary::of(&placements);
        assert_eq!(summary.anchored, 1);
        assert!(summary.needs_review());

        let before = set.clone();
        let mut history = History::default();
        let edits = reanchor_edits(&set, &new, &placements, Timestamp::UNIX_EPOCH);
        history.apply(&mut set, edits).unwrap();
        assert_eq!(set.article.content_hash, new.hash);
        let moved = set.get(AnnotationId::from_u128(1)).unwrap();
        assert_eq!(
            new.slice(moved.anchor.position.range()),
            "contract was signed in secret"
        );
        let waiting = set.get(AnnotationId::from_u128(2)).unwrap();
        assert!(waiting.review.is_some());
        assert_eq!(
            waiting.anchor,
            before.get(AnnotationId::from_u128(2)).unwrap().anchor
        );

        // Re-attach the waiting one to "Nobody denied".
        let start = new.text.find("Nobody denied").unwrap();
        let start = new.text[..start].chars().count();
        let edit = review_edit(
            waiting,
            &ReviewDecision::Reattach(start..start + 13),
            &new,
            Timestamp::UNIX_EPOCH,
        )
        .unwrap();
        history.apply(&mut set, vec![edit]).unwrap();
        let done = set.get(AnnotationId::from_u128(2)).unwrap();
        assert_eq!(done.anchor.quote.exact, "Nobody denied");
        assert!(done.review.is_none());

        history.undo(&mut set);
        history.undo(&mut set);
        assert_eq!(set, before, "the old anchors and hash come back");
    }
}
