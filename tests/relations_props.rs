//! Property test of relations under editing: whatever an analyst does — add and delete
//! annotations (deletion through `delete_edits`, as the app does), add and remove relations,
//! undo and redo in any order — no relation ever points to a missing annotation, no link is
//! doubled or loops to itself, a refused edit changes nothing, and undoing everything gives
//! back the set as it started.

use claimlens::model::{
    Anchor, Annotation, AnnotationSet, Article, Edit, History, LabelId, Relation, RelationTypeId,
    Timestamp, add_relation_edit, delete_edits,
};
use proptest::prelude::*;

const TEXT: &str = "The minister said the port was sold, but the ministry denied it on Monday.";
const LABELS: [&str; 3] = ["claim", "source", "denial"];
/// The default types, plus one the label set does not define (`apply` accepts it; only the
/// constructor `add_relation_edit` checks types).
const KINDS: [&str; 6] = [
    "attributed-to",
    "denies",
    "issued-by",
    "supports",
    "contradicts",
    "undefined-kind",
];

#[derive(Clone, Debug)]
enum Op {
    /// Range as fractions of the text, label index.
    AddAnnotation(u16, u16, usize),
    /// Index into the current annotations.
    DeleteAnnotation(prop::sample::Index),
    /// From, to (indices into the current annotations), kind; `checked`: through
    /// `add_relation_edit` rather than a raw `Edit::AddRelation`.
    AddRelation(prop::sample::Index, prop::sample::Index, usize, bool),
    /// Index into the current relations.
    RemoveRelation(prop::sample::Index),
    Undo,
    Redo,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (any::<u16>(), any::<u16>(), 0..LABELS.len())
            .prop_map(|(a, b, l)| Op::AddAnnotation(a, b, l)),
        2 => any::<prop::sample::Index>().prop_map(Op::DeleteAnnotation),
        4 => (any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0..KINDS.len(), any::<bool>())
            .prop_map(|(f, t, k, c)| Op::AddRelation(f, t, k, c)),
        1 => any::<prop::sample::Index>().prop_map(Op::RemoveRelation),
        2 => Just(Op::Undo),
        1 => Just(Op::Redo),
    ]
}

/// The invariants every state must keep.
fn check(set: &AnnotationSet) -> Result<(), TestCaseError> {
    for r in &set.relations {
        prop_assert!(
            set.get(r.from).is_some(),
            "relation {} from a missing annotation",
            r.id
        );
        prop_assert!(
            set.get(r.to).is_some(),
            "relation {} to a missing annotation",
            r.id
        );
        prop_assert_ne!(r.from, r.to);
    }
    prop_assert!(set.duplicate_ids().is_empty());
    prop_assert!(set.duplicate_relation_ids().is_empty());
    for (i, r) in set.relations.iter().enumerate() {
        let symmetric = set
            .labels
            .relation_type(&r.kind)
            .is_some_and(|t| t.symmetric);
        prop_assert!(
            !set.relations[..i].iter().any(|o| o.same_link(r, symmetric)),
            "link doubled: {r:?}"
        );
    }
    prop_assert!(
        set.relations.windows(2).all(|w| w[0].id < w[1].id),
        "relations sorted"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn relations_never_dangle_and_undo_all_restores_the_start(
        ops in proptest::collection::vec(op(), 1..60),
        seed_annotations in proptest::collection::vec((any::<u16>(), any::<u16>(), 0..LABELS.len()), 0..4),
    ) {
        let article = Article::from_plain_text(TEXT, "t");
        let len = article.char_len();
        let at = |f: u16| usize::from(f) * len / usize::from(u16::MAX);
        let annotation = |a: u16, b: u16, label: usize| {
            let (start, end) = (at(a.min(b)), at(a.max(b)));
            let anchor = Anchor::new(&article, start..end.max(start + 1).min(len)).ok()?;
            Some(Annotation::new(LabelId::new(LABELS[label]), anchor, Timestamp::UNIX_EPOCH))
        };
        // The set as opened: a few annotations and no history.
        let mut set = AnnotationSet::new(&article, "t.txt".into());
        for (a, b, l) in seed_annotations {
            if let Some(x) = annotation(a, b, l) {
                set.insert(x);
            }
        }
        let initial = set.clone();
        let mut history = History::default();
        let mut applied = 0usize;

        for op in ops {
            let before = set.clone();
            let edits: Option<Vec<Edit>> = match op {
                Op::AddAnnotation(a, b, l) => annotation(a, b, l).map(|x| vec![Edit::Add(x)]),
                Op::DeleteAnnotation(i) if !set.annotations.is_empty() => {
                    let id = set.annotations[i.index(set.annotations.len())].id;
                    // Deleting without the helper is refused while relations point to it.
                    if set.relations_of(id).next().is_some() {
                        let plain = Edit::Remove(set.get(id).cloned().expect("exists"));
                        prop_assert!(plain.apply(&mut set).is_err());
                        prop_assert_eq!(&set, &before);
                    }
                    Some(delete_edits(&set, id))
                }
                Op::AddRelation(f, t, k, checked) if !set.annotations.is_empty() => {
                    let n = set.annotations.len();
                    let (from, to) = (set.annotations[f.index(n)].id, set.annotations[t.index(n)].id);
                    let kind = RelationTypeId::new(KINDS[k]);
                    if checked {
                        add_relation_edit(&set, &kind, from, to).ok().map(|e| vec![e])
                    } else {
                        // Raw edits, self-relations and duplicates included: `apply` must refuse
                        // the bad ones.
                        Some(vec![Edit::AddRelation(Relation::new(kind, from, to))])
                    }
                }
                Op::RemoveRelation(i) if !set.relations.is_empty() => {
                    let r = set.relations[i.index(set.relations.len())].clone();
                    Some(vec![Edit::RemoveRelation(r)])
                }
                Op::Undo => {
                    if history.undo(&mut set).is_some() {
                        applied -= 1;
                    }
                    None
                }
                Op::Redo => {
                    if history.redo(&mut set).is_some() {
                        applied += 1;
                    }
                    None
                }
                _ => None,
            };
            if let Some(edits) = edits.filter(|e| !e.is_empty()) {
                match history.apply(&mut set, edits) {
                    Ok(_) => applied += 1,
                    Err(_) => prop_assert_eq!(&set, &before, "a refused edit changed the set"),
                }
            }
            check(&set)?;
        }

        // A relation with a taken id is refused too.
        if let Some(r) = set.relations.first().cloned() {
            let before = set.clone();
            prop_assert!(Edit::AddRelation(r).apply(&mut set).is_err());
            prop_assert_eq!(&set, &before);
        }
        // Redo whatever was undone, so the history holds every step; then undo them all.
        while history.redo(&mut set).is_some() {
            applied += 1;
            check(&set)?;
        }
        let last = set.clone();
        let mut undone = 0;
        while history.undo(&mut set).is_some() {
            undone += 1;
            check(&set)?;
        }
        prop_assert_eq!(undone, applied, "every applied step undoes");
        prop_assert_eq!(&set, &initial);
        // And redo brings everything back.
        while history.redo(&mut set).is_some() {
            check(&set)?;
        }
        prop_assert_eq!(&set, &last);
    }
}
