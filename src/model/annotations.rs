//! The annotations of a set: kept in the canonical order, found by id, counted by label.
//!
//! A set may hold tens of thousands of annotations, and the analyst adds or removes one at a
//! time. [`Annotations`] makes each of those steps cost the same however large the set is
//! (a lookup, a binary search, a move of pointers): every annotation sits behind its own
//! [`Arc`], so copying the whole collection (a save or an autosave taking its own copy while
//! the analyst works on) copies pointers rather than texts, and an index by id says where each
//! one is. The counts per label and of annotations waiting for review are kept up to date with
//! every change, so nothing has to go over the whole set to show them.

use std::collections::HashMap;
use std::sync::Arc;

use super::annotation::{Annotation, AnnotationId};
use super::labels::LabelId;

/// Where an annotation sorts: start and end offset of its stored position, then its id
/// (code points, end exclusive: an annotation on "two" in "one two" has the key `(4, 7, id)`).
pub type SortKey = (usize, usize, AnnotationId);
type Key = SortKey;

fn key_of(a: &Annotation) -> Key {
    a.sort_key()
}

impl Annotation {
    /// Where it sorts in a set (see [`SortKey`]).
    pub fn sort_key(&self) -> SortKey {
        (
            self.anchor.position.start,
            self.anchor.position.end,
            self.id,
        )
    }
}

/// The annotations of a set, sorted by start offset, then end offset, then id (the order a
/// file is written in, so that files diff well).
///
/// Ids are meant to be unique, but a hand-edited file may repeat one: such a collection still
/// holds every entry (so that loading can report the repeat, see
/// [`AnnotationSet::duplicate_ids`](super::AnnotationSet::duplicate_ids)) and finds the last
/// one by id.
///
/// ```
/// # use claimlens::model::*;
/// let article = Article::from_plain_text("one two three", "t");
/// let now = Timestamp::UNIX_EPOCH;
/// let mut all = Annotations::default();
/// let two = Annotation::new(LabelId::new("claim"), Anchor::new(&article, 4..7).unwrap(), now);
/// let one = Annotation::new(LabelId::new("source"), Anchor::new(&article, 0..3).unwrap(), now);
/// all.insert(two.clone());
/// all.insert(one.clone());
/// assert_eq!(all[0].anchor.quote.exact, "one"); // sorted by position, not by insertion
/// assert_eq!(all.get(two.id), Some(&two));
/// assert_eq!(all.count_of(&LabelId::new("claim")), 1);
/// ```
#[derive(Clone, Default)]
pub struct Annotations {
    /// In canonical order.
    items: Vec<Arc<Annotation>>,
    /// Id → sort key of the annotation with that id (the last one, if an id repeats).
    keys: HashMap<AnnotationId, Key>,
    /// How many annotations carry each label (labels with none are not kept).
    per_label: HashMap<LabelId, usize>,
    /// How many annotations wait for review (`review` is set).
    in_review: usize,
    /// Each tag without regard to case (trimmed, lower case) → how many annotations carry
    /// it, and the spelling of the first one counted.
    per_tag: HashMap<String, (usize, String)>,
}

/// The annotations in canonical order.
pub type Iter<'a> =
    std::iter::Map<std::slice::Iter<'a, Arc<Annotation>>, fn(&Arc<Annotation>) -> &Annotation>;

impl Annotations {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The annotations in canonical order.
    pub fn iter(&self) -> Iter<'_> {
        self.items.iter().map(|a| &**a)
    }

    /// The annotation with `id`: a hash lookup and a binary search.
    pub fn get(&self, id: AnnotationId) -> Option<&Annotation> {
        self.index_of(id).map(|i| &*self.items[i])
    }

    /// Is there an annotation with `id`? (One hash lookup, without finding its place.)
    pub fn contains(&self, id: AnnotationId) -> bool {
        self.keys.contains_key(&id)
    }

    /// Where the annotation with `id` is in the canonical order.
    pub fn index_of(&self, id: AnnotationId) -> Option<usize> {
        let key = self.keys.get(&id)?;
        self.find(key)
    }

    /// The index of the entry with `key`, the last one if several have it.
    fn find(&self, key: &Key) -> Option<usize> {
        let after = self.items.partition_point(|a| key_of(a) <= *key);
        (after > 0 && key_of(&self.items[after - 1]) == *key).then(|| after - 1)
    }

    /// How many annotations carry `label`.
    pub fn count_of(&self, label: &LabelId) -> usize {
        self.per_label.get(label).copied().unwrap_or(0)
    }

    /// How many annotations wait for review after re-anchoring.
    pub fn in_review(&self) -> usize {
        self.in_review
    }

    /// Every tag the annotations carry, once each without regard to case (in the spelling of
    /// the first annotation that carried it, in canonical order when the set was read),
    /// sorted without regard to case.
    pub fn tags(&self) -> Vec<String> {
        let mut tags: Vec<(&String, &String)> = self
            .per_tag
            .iter()
            .map(|(folded, (_, spelling))| (folded, spelling))
            .collect();
        tags.sort_unstable();
        tags.into_iter()
            .map(|(_, spelling)| spelling.clone())
            .collect()
    }

    /// Inserts `annotation` at its place in the canonical order (after any with the same key).
    pub fn insert(&mut self, annotation: Annotation) {
        self.insert_shared(Arc::new(annotation));
    }

    fn insert_shared(&mut self, annotation: Arc<Annotation>) {
        let key = key_of(&annotation);
        let at = self.items.partition_point(|a| key_of(a) <= key);
        self.count(&annotation, true);
        self.keys.insert(annotation.id, key);
        self.items.insert(at, annotation);
    }

    /// Removes and returns the annotation with `id` (the last one, if the id repeats).
    pub fn remove(&mut self, id: AnnotationId) -> Option<Annotation> {
        let at = self.index_of(id)?;
        let removed = self.items.remove(at);
        self.count(&removed, false);
        self.keys.remove(&id);
        // A repeated id (a hand-edited file) is still found: index the one left, if any.
        if self.keys.len() < self.items.len()
            && let Some(other) = self.items.iter().rev().find(|a| a.id == id)
        {
            self.keys.insert(id, key_of(other));
        }
        Some(Arc::unwrap_or_clone(removed))
    }

    /// Changes the annotation with `id` in place (it moves if its position changed); false if
    /// there is none.
    pub fn update(&mut self, id: AnnotationId, change: impl FnOnce(&mut Annotation)) -> bool {
        let Some(at) = self.index_of(id) else {
            return false;
        };
        // The counts go by the annotation as it was: keep it until it is counted out.
        let before = Arc::clone(&self.items[at]);
        change(Arc::make_mut(&mut self.items[at]));
        self.count(&before, false);
        let after = Arc::clone(&self.items[at]);
        self.count(&after, true);
        let key = key_of(&after);
        if key != key_of(&before) {
            let moved = self.items.remove(at);
            self.keys.insert(id, key);
            let to = self.items.partition_point(|a| key_of(a) <= key);
            self.items.insert(to, moved);
        }
        true
    }

    /// Changes every annotation, then restores the order and the index: for changes to the
    /// whole set (a migration, moving every anchor).
    pub fn update_all(&mut self, mut change: impl FnMut(&mut Annotation)) {
        let mut items = std::mem::take(&mut self.items);
        for a in &mut items {
            change(Arc::make_mut(a));
        }
        *self = Self::from_shared(items);
    }

    /// Keeps the first `len` annotations (in canonical order).
    pub fn truncate(&mut self, len: usize) {
        let mut items = std::mem::take(&mut self.items);
        items.truncate(len);
        *self = Self::from_shared(items);
    }

    fn from_shared(mut items: Vec<Arc<Annotation>>) -> Self {
        // Stable: entries with the same key keep their order.
        items.sort_by_key(|a| key_of(a));
        let mut all = Self {
            keys: HashMap::with_capacity(items.len()),
            ..Self::default()
        };
        for a in &items {
            all.count(a, true);
            all.keys.insert(a.id, key_of(a));
        }
        all.items = items;
        all
    }

    /// Adds `a` to the counts, or takes it away.
    fn count(&mut self, a: &Annotation, add: bool) {
        if add {
            match self.per_label.get_mut(&a.label) {
                Some(n) => *n += 1,
                None => {
                    self.per_label.insert(a.label.clone(), 1);
                }
            }
            self.in_review += usize::from(a.review.is_some());
        } else {
            if let Some(n) = self.per_label.get_mut(&a.label) {
                *n -= 1;
                if *n == 0 {
                    self.per_label.remove(&a.label);
                }
            }
            self.in_review -= usize::from(a.review.is_some());
        }
        for tag in &a.tags {
            let folded = tag.trim().to_lowercase();
            if add {
                self.per_tag
                    .entry(folded)
                    .or_insert_with(|| (0, tag.trim().to_owned()))
                    .0 += 1;
            } else if let Some((n, _)) = self.per_tag.get_mut(&folded) {
                *n -= 1;
                if *n == 0 {
                    self.per_tag.remove(&folded);
                }
            }
        }
    }
}

impl From<Vec<Annotation>> for Annotations {
    /// Sorts them into the canonical order.
    fn from(items: Vec<Annotation>) -> Self {
        Self::from_shared(items.into_iter().map(Arc::new).collect())
    }
}

impl FromIterator<Annotation> for Annotations {
    fn from_iter<I: IntoIterator<Item = Annotation>>(iter: I) -> Self {
        Self::from_shared(iter.into_iter().map(Arc::new).collect())
    }
}

impl<'a> IntoIterator for &'a Annotations {
    type Item = &'a Annotation;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl std::ops::Index<usize> for Annotations {
    type Output = Annotation;

    /// The annotation at `index` in the canonical order.
    fn index(&self, index: usize) -> &Annotation {
        &self.items[index]
    }
}

impl PartialEq for Annotations {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

impl Eq for Annotations {}

impl std::fmt::Debug for Annotations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl serde::Serialize for Annotations {
    /// As a list, in canonical order.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> serde::Deserialize<'de> for Annotations {
    /// From a list in any order.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::<Annotation>::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::annotation::tests::annotation;
    use crate::model::{Anchor, Article, Review, ReviewStatus};

    /// What every lookup and count must say, worked out the slow way.
    fn check(all: &Annotations) {
        let v: Vec<&Annotation> = all.iter().collect();
        assert!(
            v.windows(2).all(|w| key_of(w[0]) <= key_of(w[1])),
            "out of order"
        );
        for a in &v {
            let last = v.iter().rev().find(|b| b.id == a.id).unwrap();
            assert_eq!(all.get(a.id), Some(*last));
            assert!(all.contains(a.id));
            assert_eq!(
                all.count_of(&a.label),
                v.iter().filter(|b| b.label == a.label).count()
            );
        }
        assert_eq!(all.per_label.values().sum::<usize>(), v.len());
        assert_eq!(
            all.in_review(),
            v.iter().filter(|a| a.review.is_some()).count()
        );
    }

    #[test]
    fn random_inserts_updates_and_removes_keep_order_index_and_counts() {
        let article = Article::from_plain_text(&"abcdefghij".repeat(100), "t");
        let labels = ["claim", "source", "denial"];
        let mut all = Annotations::default();
        let mut alive: Vec<u128> = Vec::new();
        let mut next = crate::model::test_rng(7);
        for step in 0..2000u128 {
            match next(4) {
                0 | 1 => {
                    let start = next(990);
                    let a = annotation(&article, step, start..start + 1 + next(9), labels[next(3)]);
                    all.insert(a);
                    alive.push(step);
                }
                2 if !alive.is_empty() => {
                    let id = alive.swap_remove(next(alive.len()));
                    let removed = all.remove(AnnotationId::from_u128(id)).unwrap();
                    assert_eq!(removed.id, AnnotationId::from_u128(id));
                }
                3 if !alive.is_empty() => {
                    let id = AnnotationId::from_u128(alive[next(alive.len())]);
                    let start = next(990);
                    let label = labels[next(3)];
                    let review = next(2) == 0;
                    let tags = ["Money", "money", "Port", "港口"][..next(5)].to_vec();
                    assert!(all.update(id, |a| {
                        a.tags = tags.iter().map(|t| t.to_string()).collect();
                        a.anchor = Anchor::new(&article, start..start + 2).unwrap();
                        a.label = LabelId::new(label);
                        a.review = review.then_some(Review {
                            status: ReviewStatus::Orphaned,
                            proposal: None,
                        });
                    }));
                }
                _ => {}
            }
            assert_eq!(all.len(), alive.len());
            if step % 97 == 0 {
                check(&all);
            }
        }
        check(&all);
        let rebuilt = Annotations::from(all.iter().cloned().collect::<Vec<_>>());
        assert_eq!(rebuilt, all);
        assert!(all.get(AnnotationId::from_u128(99_999)).is_none());
        assert!(!all.contains(AnnotationId::from_u128(99_999)));
    }

    #[test]
    fn a_repeated_id_keeps_every_entry_and_is_still_found_after_one_goes() {
        let article = Article::from_plain_text("one two three", "t");
        let all = Annotations::from(vec![
            annotation(&article, 1, 8..13, "claim"),
            annotation(&article, 1, 0..3, "source"),
            annotation(&article, 2, 4..7, "claim"),
        ]);
        assert_eq!(all.len(), 3);
        let mut fewer = all.clone();
        let gone = fewer.remove(AnnotationId::from_u128(1)).unwrap();
        assert_eq!(gone.anchor.quote.exact, "three", "the last one goes first");
        assert_eq!(
            fewer
                .get(AnnotationId::from_u128(1))
                .unwrap()
                .anchor
                .quote
                .exact,
            "one"
        );
        check(&fewer);
        fewer.remove(AnnotationId::from_u128(1)).unwrap();
        assert!(fewer.get(AnnotationId::from_u128(1)).is_none());
        check(&fewer);
    }

    #[test]
    fn a_copy_shares_the_annotations_until_one_changes() {
        let article = Article::from_plain_text("one two", "t");
        let mut all = Annotations::from(vec![annotation(&article, 1, 0..3, "claim")]);
        let copy = all.clone();
        assert!(Arc::ptr_eq(&all.items[0], &copy.items[0]));
        all.update(AnnotationId::from_u128(1), |a| a.note = "changed".into());
        assert_eq!(copy[0].note, "");
        assert_eq!(all[0].note, "changed");
    }

    #[test]
    fn serialized_as_a_list_and_read_back_in_canonical_order() {
        let article = Article::from_plain_text("one two", "t");
        let later = annotation(&article, 1, 4..7, "claim");
        let earlier = annotation(&article, 2, 0..3, "claim");
        let json = serde_json::to_string(&vec![later.clone(), earlier.clone()]).unwrap();
        let all: Annotations = serde_json::from_str(&json).unwrap();
        assert_eq!(all.iter().cloned().collect::<Vec<_>>(), [earlier, later]);
        assert_eq!(
            serde_json::to_string(&all).unwrap(),
            serde_json::to_string(&all.iter().collect::<Vec<_>>()).unwrap()
        );
    }
}
