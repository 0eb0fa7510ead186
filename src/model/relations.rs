//! Relations: typed, directed links between two annotations of a set ("this claim is
//! *attributed to* that source", "this denial *denies* that claim").
//!
//! The types live in the label set ([`RelationType`]), so an analyst can add their own, and say
//! which labels each end may carry. The set holds the relations themselves, each with its own
//! id. The rules:
//!
//! * [`Edit::AddRelation`](super::Edit) refuses a relation whose ends do not exist, one from an
//!   annotation to itself, and a duplicate (same ends and type; for a symmetric type, either
//!   way round). [`Edit::Remove`](super::Edit) refuses an annotation that relations still point
//!   to, so a set built by edits never has a relation to a missing annotation:
//!   [`delete_edits`] removes the relations first, all in one undo step.
//! * Which types fit which labels is a matter for the constructor [`add_relation_edit`] (the
//!   app's way in) and [`LabelSet::valid_relation_types`], not for `apply`: labels can change
//!   after a relation exists, and undo must always be able to put a relation back.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::annotation::{AnnotationId, AnnotationSet};
use super::history::{Edit, EditError};
use super::labels::{LabelId, LabelSet};

/// Stable unique id of a relation (a random UUID, like an annotation's).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct RelationId(pub uuid::Uuid);

impl RelationId {
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4())
    }

    pub const fn from_u128(n: u128) -> Self {
        Self(uuid::Uuid::from_u128(n))
    }
}

impl fmt::Display for RelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Stable identifier of a relation type within a label set, e.g. `"attributed-to"`.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct RelationTypeId(pub String);

impl RelationTypeId {
    pub fn new(id: &str) -> Self {
        Self(id.to_owned())
    }
}

impl fmt::Display for RelationTypeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A kind of link, e.g. *attributed to* (claim → source).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RelationType {
    pub id: RelationTypeId,
    /// Shown to the analyst; reads between the two ends: "claim *attributed to* source".
    pub name: String,
    /// Labels the `from` end may carry; empty: any label.
    pub from_labels: Vec<LabelId>,
    /// Labels the `to` end may carry; empty: any label.
    pub to_labels: Vec<LabelId>,
    /// `a supports b` is the same as `b supports a`: stored once, either way round.
    pub symmetric: bool,
}

impl RelationType {
    /// May a relation of this type go from an annotation labelled `from` to one labelled `to`?
    /// A symmetric type also accepts the ends the other way round.
    pub fn allows(&self, from: &LabelId, to: &LabelId) -> bool {
        let fits = |labels: &[LabelId], l: &LabelId| labels.is_empty() || labels.contains(l);
        (fits(&self.from_labels, from) && fits(&self.to_labels, to))
            || (self.symmetric && fits(&self.from_labels, to) && fits(&self.to_labels, from))
    }

    /// How many of the two ends name their labels (2: both, 0: any → any); more specific
    /// types are offered first.
    fn specificity(&self) -> usize {
        usize::from(!self.from_labels.is_empty()) + usize::from(!self.to_labels.is_empty())
    }
}

/// Ids of the default relation types.
pub mod ids {
    /// Claim → source: who the claim comes from.
    pub const ATTRIBUTED_TO: &str = "attributed-to";
    /// Denial → claim.
    pub const DENIES: &str = "denies";
    /// Denial → source: who issued the denial.
    pub const ISSUED_BY: &str = "issued-by";
    /// Claim ↔ claim, symmetric.
    pub const SUPPORTS: &str = "supports";
    /// Claim ↔ claim, symmetric.
    pub const CONTRADICTS: &str = "contradicts";
}

/// The default relation types, over the default labels `claim`, `source`, `denial`.
pub fn default_relation_types() -> Vec<RelationType> {
    let t = |id: &str, name: &str, from: &str, to: &str, symmetric: bool| RelationType {
        id: RelationTypeId::new(id),
        name: name.to_owned(),
        from_labels: vec![LabelId::new(from)],
        to_labels: vec![LabelId::new(to)],
        symmetric,
    };
    vec![
        t(
            ids::ATTRIBUTED_TO,
            "attributed to",
            "claim",
            "source",
            false,
        ),
        t(ids::DENIES, "denies", "denial", "claim", false),
        t(ids::ISSUED_BY, "issued by", "denial", "source", false),
        t(ids::SUPPORTS, "supports", "claim", "claim", true),
        t(ids::CONTRADICTS, "contradicts", "claim", "claim", true),
    ]
}

/// A typed, directed link between two annotations of the same set.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Relation {
    pub id: RelationId,
    /// The [`RelationType`] id.
    pub kind: RelationTypeId,
    pub from: AnnotationId,
    pub to: AnnotationId,
}

impl Relation {
    /// A relation with a fresh random id.
    pub fn new(kind: RelationTypeId, from: AnnotationId, to: AnnotationId) -> Self {
        Self {
            id: RelationId::random(),
            kind,
            from,
            to,
        }
    }

    /// Does this relation touch `id` at either end?
    pub fn touches(&self, id: AnnotationId) -> bool {
        self.from == id || self.to == id
    }

    /// The end that is not `id` (the `to` end for a relation from `id` to itself).
    pub fn other_end(&self, id: AnnotationId) -> AnnotationId {
        if self.from == id { self.to } else { self.from }
    }

    /// Is `other` the same link: same type and ends, or the ends swapped for a symmetric type?
    pub fn same_link(&self, other: &Self, symmetric: bool) -> bool {
        self.kind == other.kind
            && ((self.from == other.from && self.to == other.to)
                || (symmetric && self.from == other.to && self.to == other.from))
    }
}

impl LabelSet {
    /// The relation type a name or id from a file means: one whose id or name matches without
    /// regard to case, spaces, `-` and `_` (`"Attributed to"` → `attributed-to`); otherwise a
    /// new any → any type named as written (so an imported relation is never lost).
    pub fn relation_type_named(&mut self, kind: &str) -> RelationTypeId {
        let squash = |s: &str| -> String {
            s.chars()
                .filter(|c| !matches!(c, ' ' | '-' | '_'))
                .flat_map(char::to_lowercase)
                .collect()
        };
        let kind = if kind.trim().is_empty() {
            "related"
        } else {
            kind.trim()
        };
        let known = self.relation_types.iter().find(|t| {
            t.id.0 == kind || squash(&t.id.0) == squash(kind) || squash(&t.name) == squash(kind)
        });
        match known {
            Some(t) => t.id.clone(),
            None => self
                .add_relation_type(kind, Vec::new(), Vec::new(), false)
                .unwrap_or_else(|_| RelationTypeId(kind.to_owned())),
        }
    }

    pub fn relation_type(&self, id: &RelationTypeId) -> Option<&RelationType> {
        self.relation_types.iter().find(|t| &t.id == id)
    }

    /// Display name of a relation type, or its raw id if the set does not define it.
    pub fn relation_name_of<'a>(&'a self, id: &'a RelationTypeId) -> &'a str {
        self.relation_type(id).map_or(&id.0, |t| &t.name)
    }

    /// The relation types that may link an annotation labelled `from_label` to one labelled
    /// `to_label`, best first: types naming both labels, then types open on one end, then
    /// any → any types; in label-set order within each group. The first is the default to
    /// offer. Empty if none fits (the app may then try the other direction).
    ///
    /// With the defaults: claim → source gives `[attributed to]`; claim → claim gives
    /// `[supports, contradicts]`; source → claim gives `[]`.
    pub fn valid_relation_types(
        &self,
        from_label: &LabelId,
        to_label: &LabelId,
    ) -> Vec<&RelationType> {
        let mut types: Vec<&RelationType> = self
            .relation_types
            .iter()
            .filter(|t| t.allows(from_label, to_label))
            .collect();
        // Stable sort keeps label-set order among equally specific types.
        types.sort_by_key(|t| std::cmp::Reverse(t.specificity()));
        types
    }
}

impl AnnotationSet {
    /// The relations that touch annotation `id` (from or to it), in stored order.
    pub fn relations_of(&self, id: AnnotationId) -> impl Iterator<Item = &Relation> {
        self.relations.iter().filter(move |r| r.touches(id))
    }

    pub fn relation(&self, id: RelationId) -> Option<&Relation> {
        self.relations.iter().find(|r| r.id == id)
    }

    /// Relation ids that occur more than once (a hand-edited file may contain them).
    pub fn duplicate_relation_ids(&self) -> Vec<RelationId> {
        let mut ids: Vec<_> = self.relations.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        let mut dups: Vec<_> = ids
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        dups.dedup();
        dups
    }
}

/// Why `relation` cannot be added to `set` as it is: the structural rules
/// [`Edit::AddRelation`](super::Edit) enforces (fresh id, both ends exist, not a self-relation,
/// not a duplicate).
pub fn check_new_relation(set: &AnnotationSet, relation: &Relation) -> Result<(), EditError> {
    if set.relation(relation.id).is_some() {
        return Err(EditError::RelationExists(relation.id));
    }
    for end in [relation.from, relation.to] {
        if set.get(end).is_none() {
            return Err(EditError::Missing(end));
        }
    }
    if relation.from == relation.to {
        return Err(EditError::SelfRelation(relation.from));
    }
    let symmetric = set
        .labels
        .relation_type(&relation.kind)
        .is_some_and(|t| t.symmetric);
    if let Some(existing) = set
        .relations
        .iter()
        .find(|r| r.same_link(relation, symmetric))
    {
        return Err(EditError::DuplicateRelation(existing.id));
    }
    Ok(())
}

/// The edit that links `from` to `to` with a relation of type `kind` (fresh id), if the type
/// exists, fits the two annotations' labels, and the link is new. This is how the app should
/// add relations; `apply` itself checks only the structural rules.
pub fn add_relation_edit(
    set: &AnnotationSet,
    kind: &RelationTypeId,
    from: AnnotationId,
    to: AnnotationId,
) -> Result<Edit, EditError> {
    let relation_type = set
        .labels
        .relation_type(kind)
        .ok_or_else(|| EditError::UnknownRelationType(kind.clone()))?;
    let relation = Relation::new(kind.clone(), from, to);
    check_new_relation(set, &relation)?;
    let (Some(a), Some(b)) = (set.get(from), set.get(to)) else {
        return Err(EditError::Missing(from));
    };
    if !relation_type.allows(&a.label, &b.label) {
        return Err(EditError::RelationNotAllowed {
            kind: kind.clone(),
            from: a.label.clone(),
            to: b.label.clone(),
        });
    }
    Ok(Edit::AddRelation(relation))
}

/// One way to link two annotations: a relation type and which end is which.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkOption {
    pub kind: RelationTypeId,
    pub from: AnnotationId,
    pub to: AnnotationId,
}

/// The ways the analyst can link annotation `a` (the one they started from) with `b`, best
/// first: the types valid from `a` to `b` and those valid the other way round (reversed: a
/// denial picked from a claim is linked *denial denies claim*), the types naming both labels
/// before those open on one end and any → any types, `a` → `b` first among equals. Links that
/// already exist are left out; empty if nothing fits.
///
/// With the default labels, from a claim to a source: `[claim attributed to source]`; from a
/// source to a claim: the same relation, `from` the claim; from a claim to a denial:
/// `[denial denies claim]`.
pub fn link_options(set: &AnnotationSet, a: AnnotationId, b: AnnotationId) -> Vec<LinkOption> {
    let (Some(x), Some(y)) = (set.get(a), set.get(b)) else {
        return Vec::new();
    };
    if a == b {
        return Vec::new();
    }
    let forward = set
        .labels
        .valid_relation_types(&x.label, &y.label)
        .into_iter()
        .map(|t| (t, a, b));
    let backward = set
        .labels
        .valid_relation_types(&y.label, &x.label)
        .into_iter()
        .map(|t| (t, b, a));
    // Most specific first across both directions (a type naming both labels before an
    // any → any one), the start annotation's direction first among equals.
    let mut candidates: Vec<_> = forward.chain(backward).collect();
    candidates.sort_by_key(|(t, _, _)| std::cmp::Reverse(t.specificity()));
    let mut options: Vec<LinkOption> = Vec::new();
    for (t, from, to) in candidates {
        if options.iter().any(|o| o.kind == t.id) && t.symmetric {
            continue;
        }
        let option = LinkOption {
            kind: t.id.clone(),
            from,
            to,
        };
        if options.contains(&option) {
            continue;
        }
        if check_new_relation(set, &Relation::new(option.kind.clone(), from, to)).is_ok() {
            options.push(option);
        }
    }
    options
}

/// The annotations the analyst may link annotation `from` to, for the link picker: those
/// with at least one relation type fitting the two labels (either way round) whose quote or
/// note contains `query` (without regard to case; blank: any), nearest to `from` in the text
/// first, at most `limit`.
pub fn link_candidates(
    set: &AnnotationSet,
    from: AnnotationId,
    query: &str,
    limit: usize,
) -> Vec<AnnotationId> {
    let Some(origin) = set.get(from) else {
        return Vec::new();
    };
    // Which labels can be linked with the origin's, decided once per label.
    let mut fits: std::collections::HashMap<&LabelId, bool> = std::collections::HashMap::new();
    let labels = &set.labels;
    let needle = query.trim().to_lowercase();
    let mut found: Vec<(usize, AnnotationId)> = set
        .annotations
        .iter()
        .filter(|a| {
            a.id != from
                && *fits.entry(&a.label).or_insert_with(|| {
                    !labels
                        .valid_relation_types(&origin.label, &a.label)
                        .is_empty()
                        || !labels
                            .valid_relation_types(&a.label, &origin.label)
                            .is_empty()
                })
        })
        .filter(|a| {
            needle.is_empty()
                || a.anchor.quote.exact.to_lowercase().contains(&needle)
                || a.note.to_lowercase().contains(&needle)
        })
        .map(|a| {
            let distance = a
                .anchor
                .position
                .start
                .abs_diff(origin.anchor.position.start);
            (distance, a.id)
        })
        .collect();
    found.sort_by_key(|&(distance, _)| distance);
    found.truncate(limit);
    found.into_iter().map(|(_, id)| id).collect()
}

/// The edits that delete annotation `id` together with every relation touching it: the
/// relations first, then the annotation. Record them as one transaction, so one undo brings
/// back both. Empty if there is no such annotation.
pub fn delete_edits(set: &AnnotationSet, id: AnnotationId) -> Vec<Edit> {
    let Some(annotation) = set.get(id) else {
        return Vec::new();
    };
    let mut edits: Vec<Edit> = set
        .relations_of(id)
        .cloned()
        .map(Edit::RemoveRelation)
        .collect();
    edits.push(Edit::Remove(annotation.clone()));
    edits
}

/// One claim in the side panel's tree: where it comes from and who denies it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimNode {
    pub claim: AnnotationId,
    /// Targets of the claim's *attributed to* relations, in document order.
    pub sources: Vec<AnnotationId>,
    /// Annotations that *deny* the claim, in document order, each with its issuers.
    pub denials: Vec<DenialNode>,
}

/// A denial under a claim, with the sources it was *issued by* (document order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DenialNode {
    pub denial: AnnotationId,
    pub issuers: Vec<AnnotationId>,
}

/// The set as the side panel shows it: claims with their sources and denials, and what hangs
/// on no claim.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClaimTree {
    /// Every annotation labelled `claim`, and every other annotation that is the `from` of an
    /// *attributed to* or the `to` of a *denies*, in document order.
    pub claims: Vec<ClaimNode>,
    /// Annotations that appear nowhere in `claims` (neither as a claim nor under one), in
    /// document order: sources nobody cited, denials of nothing, other labels.
    pub unattached: Vec<AnnotationId>,
}

/// The links the claim tree is made of, looked up by annotation: the whole set's relations
/// gathered once ([`AllLinks`], to build a tree), or the relations of one annotation found
/// when asked ([`SomeLinks`], to follow a change). Relations to missing annotations count as
/// none.
trait Links {
    /// Targets of `claim`'s *attributed to* relations.
    fn sources(&self, claim: AnnotationId) -> Vec<AnnotationId>;
    /// Annotations that *deny* `claim`.
    fn denials(&self, claim: AnnotationId) -> Vec<AnnotationId>;
    /// Targets of `denial`'s *issued by* relations.
    fn issuers(&self, denial: AnnotationId) -> Vec<AnnotationId>;
}

/// Every relation of the set, by kind and end.
struct AllLinks {
    sources: HashMap<AnnotationId, Vec<AnnotationId>>,
    denials: HashMap<AnnotationId, Vec<AnnotationId>>,
    issuers: HashMap<AnnotationId, Vec<AnnotationId>>,
}

impl AllLinks {
    fn new(set: &AnnotationSet) -> Self {
        let mut links = Self {
            sources: HashMap::new(),
            denials: HashMap::new(),
            issuers: HashMap::new(),
        };
        for r in set.relations.iter().filter(|r| both_ends_in(set, r)) {
            let (map, key, value) = match r.kind.0.as_str() {
                ids::ATTRIBUTED_TO => (&mut links.sources, r.from, r.to),
                ids::DENIES => (&mut links.denials, r.to, r.from),
                ids::ISSUED_BY => (&mut links.issuers, r.from, r.to),
                _ => continue,
            };
            map.entry(key).or_default().push(value);
        }
        links
    }
}

impl Links for AllLinks {
    fn sources(&self, claim: AnnotationId) -> Vec<AnnotationId> {
        self.sources.get(&claim).cloned().unwrap_or_default()
    }
    fn denials(&self, claim: AnnotationId) -> Vec<AnnotationId> {
        self.denials.get(&claim).cloned().unwrap_or_default()
    }
    fn issuers(&self, denial: AnnotationId) -> Vec<AnnotationId> {
        self.issuers.get(&denial).cloned().unwrap_or_default()
    }
}

/// The set's relations, gone over for each question (a few annotations after an edit).
struct SomeLinks<'a>(&'a AnnotationSet);

impl SomeLinks<'_> {
    /// The other ends of the relations of `kind` that have `id` at the `from` end (or at the
    /// `to` end if `outgoing` is false).
    fn ends(&self, id: AnnotationId, kind: &str, outgoing: bool) -> Vec<AnnotationId> {
        // (this end, the other end)
        let ends = |r: &Relation| {
            if outgoing {
                (r.from, r.to)
            } else {
                (r.to, r.from)
            }
        };
        self.0
            .relations
            .iter()
            .filter(|r| r.kind.0 == kind && ends(r).0 == id && both_ends_in(self.0, r))
            .map(|r| ends(r).1)
            .collect()
    }
}

impl Links for SomeLinks<'_> {
    fn sources(&self, claim: AnnotationId) -> Vec<AnnotationId> {
        self.ends(claim, ids::ATTRIBUTED_TO, true)
    }
    fn denials(&self, claim: AnnotationId) -> Vec<AnnotationId> {
        self.ends(claim, ids::DENIES, false)
    }
    fn issuers(&self, denial: AnnotationId) -> Vec<AnnotationId> {
        self.ends(denial, ids::ISSUED_BY, true)
    }
}

fn both_ends_in(set: &AnnotationSet, r: &Relation) -> bool {
    set.annotations.contains(r.from) && set.annotations.contains(r.to)
}

/// `ids` in document order, each once.
fn in_document_order(set: &AnnotationSet, mut ids: Vec<AnnotationId>) -> Vec<AnnotationId> {
    ids.sort_by_key(|id| set.annotations.index_of(*id));
    ids.dedup();
    ids
}

/// The tree's node for annotation `id`, if it is in it as a claim: labelled `claim`, or the
/// `from` of an *attributed to*, or the `to` of a *denies*.
fn claim_node(set: &AnnotationSet, links: &impl Links, id: AnnotationId) -> Option<ClaimNode> {
    let a = set.annotations.get(id)?;
    let sources = in_document_order(set, links.sources(id));
    let denials = in_document_order(set, links.denials(id));
    if a.label.0 != "claim" && sources.is_empty() && denials.is_empty() {
        return None;
    }
    let denials = denials
        .into_iter()
        .map(|denial| DenialNode {
            denial,
            issuers: in_document_order(set, links.issuers(denial)),
        })
        .collect();
    Some(ClaimNode {
        claim: id,
        sources,
        denials,
    })
}

impl ClaimNode {
    /// Every annotation the node shows: the claim, its sources, its denials and their issuers
    /// (one that shows twice, twice).
    fn members(&self) -> impl Iterator<Item = AnnotationId> + '_ {
        std::iter::once(self.claim)
            .chain(self.sources.iter().copied())
            .chain(
                self.denials
                    .iter()
                    .flat_map(|d| std::iter::once(d.denial).chain(d.issuers.iter().copied())),
            )
    }
}

/// Builds the claim tree from the default relation types ([`ids`]): *attributed to* gives a
/// claim's sources, *denies* its denials, *issued by* a denial's issuers. An annotation may
/// appear under several claims (a source cited twice). Relations to missing annotations are
/// skipped.
pub fn claim_tree(set: &AnnotationSet) -> ClaimTree {
    let links = AllLinks::new(set);
    let claims: Vec<ClaimNode> = set
        .annotations
        .iter()
        .filter_map(|a| claim_node(set, &links, a.id))
        .collect();
    let placed: HashSet<AnnotationId> = claims.iter().flat_map(ClaimNode::members).collect();
    let unattached = set
        .annotations
        .iter()
        .map(|a| a.id)
        .filter(|id| !placed.contains(id))
        .collect();
    ClaimTree { claims, unattached }
}

/// The claim tree of a set, followed change by change: after an edit only the claims near what
/// it touched are worked out again, so adding or removing a highlight costs about the same with
/// 10 annotations or 10,000. After every [`ClaimTreeIndex::update`] its tree equals
/// [`claim_tree`] of the set.
#[derive(Clone, Debug, Default)]
pub struct ClaimTreeIndex {
    tree: ClaimTree,
    /// For each annotation the tree's claims show, the claims it shows as or under, once for
    /// each time it shows.
    shown_under: HashMap<AnnotationId, Vec<AnnotationId>>,
}

impl ClaimTreeIndex {
    pub fn new(set: &AnnotationSet) -> Self {
        let tree = claim_tree(set);
        let mut shown_under = HashMap::new();
        for node in &tree.claims {
            record_shown(&mut shown_under, node);
        }
        Self { tree, shown_under }
    }

    pub fn tree(&self) -> &ClaimTree {
        &self.tree
    }

    /// Follows a change to `set`: `touched` are the annotations added, removed or replaced and
    /// both ends of the relations added or removed ([`super::Touched`]'s `annotations` and
    /// `linked`). The label set must not have changed (start again with [`Self::new`]).
    pub fn update(&mut self, set: &AnnotationSet, touched: &[AnnotationId]) {
        let claims = self.claims_near(set, touched);
        // The annotations whose place (under a claim, or not linked) may have changed.
        let mut moved: HashSet<AnnotationId> = touched.iter().copied().collect();
        for &claim in &claims {
            if let Some(old) = self.take_node(claim) {
                moved.extend(old.members());
            }
        }
        let links = SomeLinks(set);
        for &claim in &claims {
            if let Some(node) = claim_node(set, &links, claim) {
                moved.extend(node.members());
                self.put_node(set, node);
            }
        }
        // Out of the unattached list, then back in at their place if they are still in the set
        // and shown under no claim.
        let unattached = &mut self.tree.unattached;
        for id in &moved {
            if let Some(at) = unattached.iter().position(|other| other == id) {
                unattached.remove(at);
            }
        }
        for id in moved {
            if set.annotations.contains(id) && !self.shown_under.contains_key(&id) {
                let place = set.annotations.index_of(id);
                let at =
                    unattached.partition_point(|other| set.annotations.index_of(*other) < place);
                unattached.insert(at, id);
            }
        }
    }

    /// The claims whose node a change to `touched` may change: the touched annotations, the
    /// annotations linked with them, and the claims any of these showed under (an issuer's
    /// denial shows under the claims it denies).
    fn claims_near(&self, set: &AnnotationSet, touched: &[AnnotationId]) -> HashSet<AnnotationId> {
        let mut near = HashSet::new();
        let add = |near: &mut HashSet<AnnotationId>, id: AnnotationId| {
            near.insert(id);
            near.extend(self.shown_under.get(&id).into_iter().flatten().copied());
        };
        for &id in touched {
            add(&mut near, id);
            for r in set.relations_of(id) {
                add(&mut near, r.from);
                add(&mut near, r.to);
            }
        }
        near
    }

    /// Takes `claim`'s node out of the tree, if it has one.
    fn take_node(&mut self, claim: AnnotationId) -> Option<ClaimNode> {
        let shows_as_claim = self
            .shown_under
            .get(&claim)
            .is_some_and(|under| under.contains(&claim));
        if !shows_as_claim {
            return None;
        }
        let at = self.tree.claims.iter().position(|n| n.claim == claim)?;
        let node = self.tree.claims.remove(at);
        for id in node.members() {
            if let Some(under) = self.shown_under.get_mut(&id) {
                if let Some(i) = under.iter().position(|c| *c == claim) {
                    under.swap_remove(i);
                }
                if under.is_empty() {
                    self.shown_under.remove(&id);
                }
            }
        }
        Some(node)
    }

    /// Puts `node` into the tree in document order (every claim in the tree is in `set`).
    fn put_node(&mut self, set: &AnnotationSet, node: ClaimNode) {
        let place = set.annotations.index_of(node.claim);
        let at = self
            .tree
            .claims
            .partition_point(|n| set.annotations.index_of(n.claim) < place);
        record_shown(&mut self.shown_under, &node);
        self.tree.claims.insert(at, node);
    }
}

/// Notes in `shown_under` that every member of `node` shows under its claim.
fn record_shown(shown_under: &mut HashMap<AnnotationId, Vec<AnnotationId>>, node: &ClaimNode) {
    for id in node.members() {
        shown_under.entry(id).or_default().push(node.claim);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Anchor, Annotation, Article, AttributeValue, History, LabelError, Timestamp, labels_edits,
        remove_label_edits, set_attribute_edit,
    };

    const T0: Timestamp = Timestamp::UNIX_EPOCH;

    /// "The minister said the port was sold, but the ministry denied it, said its spokesman."
    /// with annotations 1 claim "the port was sold", 2 source "The minister", 3 denial
    /// "denied it", 4 source "its spokesman", 5 claim "said" (for symmetric tests).
    fn setup() -> (Article, AnnotationSet) {
        let article = Article::from_plain_text(
            "The minister said the port was sold, but the ministry denied it, said its spokesman.",
            "t",
        );
        let mut set = AnnotationSet::new(&article, String::new());
        for (n, label, range) in [
            (1, "claim", 18..35),
            (2, "source", 0..12),
            (3, "denial", 54..63),
            (4, "source", 70..83),
            (5, "claim", 13..17),
        ] {
            let mut a = Annotation::new(
                LabelId::new(label),
                Anchor::new(&article, range).unwrap(),
                T0,
            );
            a.id = AnnotationId::from_u128(n);
            set.insert(a);
        }
        (article, set)
    }

    fn n(id: u128) -> AnnotationId {
        AnnotationId::from_u128(id)
    }

    fn kind(id: &str) -> RelationTypeId {
        RelationTypeId::new(id)
    }

    fn link(
        set: &mut AnnotationSet,
        h: &mut History,
        k: &str,
        from: u128,
        to: u128,
    ) -> Result<(), EditError> {
        let edit = add_relation_edit(set, &kind(k), n(from), n(to))?;
        h.apply(set, vec![edit]).map(|_| ())
    }

    #[test]
    fn link_options_offer_both_directions_and_skip_existing_links() {
        let (_, mut set) = setup();
        let mut h = History::default();
        let option = |k: &str, from: u128, to: u128| LinkOption {
            kind: kind(k),
            from: n(from),
            to: n(to),
        };
        // Claim → source, and the same when started from the source.
        assert_eq!(
            link_options(&set, n(1), n(2)),
            vec![option(ids::ATTRIBUTED_TO, 1, 2)]
        );
        assert_eq!(
            link_options(&set, n(2), n(1)),
            vec![option(ids::ATTRIBUTED_TO, 1, 2)]
        );
        // From a claim to a denial: the denial denies the claim.
        assert_eq!(
            link_options(&set, n(1), n(3)),
            vec![option(ids::DENIES, 3, 1)]
        );
        // Claim ↔ claim: the symmetric types once each, from the start annotation.
        assert_eq!(
            link_options(&set, n(5), n(1)),
            vec![option(ids::SUPPORTS, 5, 1), option(ids::CONTRADICTS, 5, 1)]
        );
        // Source ↔ source: nothing fits; an annotation with itself: nothing.
        assert!(link_options(&set, n(2), n(4)).is_empty());
        assert!(link_options(&set, n(1), n(1)).is_empty());
        // An existing link is not offered again (either way round for a symmetric type).
        link(&mut set, &mut h, ids::SUPPORTS, 1, 5).unwrap();
        assert_eq!(
            link_options(&set, n(5), n(1)),
            vec![option(ids::CONTRADICTS, 5, 1)]
        );
        link(&mut set, &mut h, ids::ATTRIBUTED_TO, 1, 2).unwrap();
        assert!(link_options(&set, n(2), n(1)).is_empty());
        // An any → any type comes after the types naming both labels, whichever the direction.
        let rebuts = set
            .labels
            .add_relation_type("rebuts", Vec::new(), Vec::new(), false)
            .unwrap();
        assert_eq!(
            link_options(&set, n(4), n(1)),
            vec![
                option(ids::ATTRIBUTED_TO, 1, 4),
                option(&rebuts.0, 4, 1),
                option(&rebuts.0, 1, 4)
            ]
        );
    }

    #[test]
    fn link_candidates_fit_the_labels_match_the_query_and_come_nearest_first() {
        let (_, mut set) = setup();
        // From the claim "the port was sold" (18..35): sources, the denial and the other claim,
        // nearest first: "said" (13), "The minister" (0), "denied it" (54), "its spokesman" (70).
        assert_eq!(
            link_candidates(&set, n(1), "", 10),
            vec![n(5), n(2), n(3), n(4)]
        );
        // From a source: claims and denials only (source ↔ source has no type).
        assert_eq!(link_candidates(&set, n(2), "", 10), vec![n(5), n(1), n(3)]);
        assert_eq!(link_candidates(&set, n(1), " SPOKES", 10), vec![n(4)]);
        assert_eq!(link_candidates(&set, n(1), "", 2), vec![n(5), n(2)]);
        // The note is searched too.
        let mut a = set.get(n(3)).unwrap().clone();
        a.note = "Ministry statement".to_owned();
        set.remove(n(3));
        set.insert(a);
        assert_eq!(link_candidates(&set, n(1), "statement", 10), vec![n(3)]);
        assert!(link_candidates(&set, n(99), "", 10).is_empty());
    }

    #[test]
    fn valid_types_are_offered_most_specific_first() {
        let mut labels = LabelSet::default();
        let names = |labels: &LabelSet, from: &str, to: &str| -> Vec<String> {
            labels
                .valid_relation_types(&LabelId::new(from), &LabelId::new(to))
                .iter()
                .map(|t| t.name.clone())
                .collect()
        };
        assert_eq!(names(&labels, "claim", "source"), ["attributed to"]);
        assert_eq!(names(&labels, "denial", "claim"), ["denies"]);
        assert_eq!(names(&labels, "denial", "source"), ["issued by"]);
        assert_eq!(
            names(&labels, "claim", "claim"),
            ["supports", "contradicts"]
        );
        assert!(names(&labels, "source", "claim").is_empty());
        // An any → any type comes after the specific ones; one open end in between.
        labels
            .add_relation_type("mentions", vec![], vec![], false)
            .unwrap();
        labels
            .add_relation_type("quotes", vec![], vec![LabelId::new("source")], false)
            .unwrap();
        assert_eq!(
            names(&labels, "claim", "source"),
            ["attributed to", "quotes", "mentions"]
        );
        assert_eq!(names(&labels, "source", "claim"), ["mentions"]);
        // Symmetric types accept either way round.
        labels
            .add_relation_type(
                "echoes",
                vec![LabelId::new("claim")],
                vec![LabelId::new("denial")],
                true,
            )
            .unwrap();
        assert_eq!(
            names(&labels, "denial", "claim"),
            ["denies", "echoes", "mentions"]
        );
    }

    #[test]
    fn adding_relations_refuses_bad_ones() {
        let (_, mut set) = setup();
        let mut h = History::default();
        link(&mut set, &mut h, "attributed-to", 1, 2).unwrap();
        link(&mut set, &mut h, "supports", 1, 5).unwrap();
        let err = |set: &mut AnnotationSet, h: &mut History, k, from, to| {
            link(set, h, k, from, to).unwrap_err()
        };
        assert!(matches!(
            err(&mut set, &mut h, "attributed-to", 1, 2),
            EditError::DuplicateRelation(_)
        ));
        assert!(
            matches!(
                err(&mut set, &mut h, "supports", 5, 1),
                EditError::DuplicateRelation(_)
            ),
            "symmetric: the reverse is the same link"
        );
        assert_eq!(
            err(&mut set, &mut h, "supports", 1, 1),
            EditError::SelfRelation(n(1))
        );
        assert_eq!(
            err(&mut set, &mut h, "denies", 3, 99),
            EditError::Missing(n(99))
        );
        assert_eq!(
            err(&mut set, &mut h, "refutes", 3, 1),
            EditError::UnknownRelationType(kind("refutes"))
        );
        assert!(matches!(
            err(&mut set, &mut h, "denies", 1, 3),
            EditError::RelationNotAllowed { .. }
        ));
        // `apply` checks the structure even for an edit made by hand.
        let mut same = set.relations[0].clone();
        same.id = RelationId::from_u128(77);
        assert!(matches!(
            Edit::AddRelation(same.clone()).apply(&mut set),
            Err(EditError::DuplicateRelation(_))
        ));
        let reused_id = Relation {
            to: n(4),
            ..set.relations[0].clone()
        };
        assert_eq!(
            Edit::AddRelation(reused_id.clone()).apply(&mut set),
            Err(EditError::RelationExists(reused_id.id))
        );
        same.to = n(1);
        same.from = n(1);
        assert_eq!(
            Edit::AddRelation(same).apply(&mut set),
            Err(EditError::SelfRelation(n(1)))
        );
        assert_eq!(set.relations.len(), 2);
        // A relation of the other direction and another type is fine.
        link(&mut set, &mut h, "contradicts", 5, 1).unwrap();
        assert_eq!(set.relations_of(n(1)).count(), 3);
        assert_eq!(set.relations_of(n(2)).count(), 1);
        assert_eq!(set.relations_of(n(3)).count(), 0);
    }

    #[test]
    fn deleting_an_annotation_takes_its_relations_in_one_undo_step() {
        let (_, mut set) = setup();
        let mut h = History::default();
        link(&mut set, &mut h, "attributed-to", 1, 2).unwrap();
        link(&mut set, &mut h, "denies", 3, 1).unwrap();
        link(&mut set, &mut h, "issued-by", 3, 4).unwrap();
        let before = set.clone();
        let claim = set.get(n(1)).unwrap().clone();
        assert_eq!(
            Edit::Remove(claim).apply(&mut set),
            Err(EditError::HasRelations(n(1)))
        );
        let edits = delete_edits(&set, n(1));
        assert_eq!(edits.len(), 3, "two relations, then the annotation");
        assert!(matches!(edits.last(), Some(Edit::Remove(a)) if a.id == n(1)));
        h.apply(&mut set, edits).unwrap();
        assert!(set.get(n(1)).is_none());
        assert_eq!(set.relations.len(), 1, "issued by stays");
        h.undo(&mut set).unwrap();
        assert_eq!(set, before);
        h.redo(&mut set).unwrap();
        assert_eq!(set.relations.len(), 1);
        assert!(delete_edits(&set, n(1)).is_empty());
    }

    #[test]
    fn claim_tree_hangs_sources_and_denials_under_claims() {
        let (_, mut set) = setup();
        let mut h = History::default();
        link(&mut set, &mut h, "attributed-to", 1, 2).unwrap();
        link(&mut set, &mut h, "denies", 3, 1).unwrap();
        link(&mut set, &mut h, "issued-by", 3, 4).unwrap();
        let tree = claim_tree(&set);
        assert_eq!(
            tree.claims,
            [
                // Document order: "said" (13) before "the port was sold" (18).
                ClaimNode {
                    claim: n(5),
                    sources: vec![],
                    denials: vec![],
                },
                ClaimNode {
                    claim: n(1),
                    sources: vec![n(2)],
                    denials: vec![DenialNode {
                        denial: n(3),
                        issuers: vec![n(4)],
                    }],
                },
            ]
        );
        assert!(tree.unattached.is_empty());
        // Without relations, sources and denials hang on nothing.
        let (_, bare) = setup();
        let tree = claim_tree(&bare);
        assert_eq!(tree.claims.len(), 2);
        assert_eq!(tree.unattached, [n(2), n(3), n(4)]);
    }

    /// After any sequence of adds, removes, relabels, moves, links and unlinks (of every kind,
    /// some to annotations not in the set yet), undos and redos, the tree followed change by
    /// change equals one built from scratch.
    #[test]
    fn the_claim_tree_followed_change_by_change_equals_a_rebuilt_one() {
        let text = "One claim here. A source there. A denial, issued by someone. ".repeat(12);
        let article = Article::from_plain_text(&text, "t");
        let len = article.char_len();
        let labels = ["claim", "source", "denial", "other"];
        let kinds = [
            ids::ATTRIBUTED_TO,
            ids::DENIES,
            ids::ISSUED_BY,
            ids::SUPPORTS,
        ];
        // An annotation the set does not hold at first, with links to it already (as a file
        // may have them); the walk adds and removes it.
        let late = n(999);
        for seed in [3, 17, 2024] {
            let mut next = crate::model::test_rng(seed);
            let mut set = AnnotationSet::new(&article, String::new());
            let mut h = History::default();
            let mut index = ClaimTreeIndex::new(&set);
            let mut steps_with_links = 0;
            for step in 0..1500 {
                let count = set.annotations.len();
                let any = |next: &mut dyn FnMut(usize) -> usize| {
                    (count > 0).then(|| set.annotations[next(count)].clone())
                };
                let edits = match next(14) {
                    0..=3 => {
                        let start = next(len - 1);
                        let end = (start + 1 + next(40)).min(len);
                        let Ok(anchor) = Anchor::new(&article, start..end) else {
                            continue; // only spaces
                        };
                        vec![Edit::Add(Annotation::new(
                            LabelId::new(labels[next(4)]),
                            anchor,
                            T0,
                        ))]
                    }
                    4 => any(&mut next).map_or_else(Vec::new, |a| delete_edits(&set, a.id)),
                    5 | 6 => match (any(&mut next), any(&mut next)) {
                        (Some(a), Some(b)) => {
                            // Often an annotation linked already, so that links chain (a
                            // denial of a claim, issued by a source).
                            let a = match set.relations.len() {
                                0 => a.id,
                                n if next(2) == 0 => set.relations[next(n)].from,
                                _ => a.id,
                            };
                            let (from, to) = match next(8) {
                                0 => (a, late),
                                1 => (late, a),
                                _ => (a, b.id),
                            };
                            let r = Relation::new(kind(kinds[next(4)]), from, to);
                            if set.get(late).is_none() && (from == late || to == late) {
                                // Straight into the set, as a file may hold a link to an
                                // annotation it lacks (an edit refuses it).
                                set.relations.push(r);
                                index = ClaimTreeIndex::new(&set);
                                Vec::new()
                            } else {
                                vec![Edit::AddRelation(r)]
                            }
                        }
                        _ => Vec::new(),
                    },
                    7 if !set.relations.is_empty() => {
                        vec![Edit::RemoveRelation(
                            set.relations[next(set.relations.len())].clone(),
                        )]
                    }
                    8 | 9 => any(&mut next).map_or_else(Vec::new, |a| {
                        let mut after = a.clone();
                        if next(2) == 0 {
                            after.label = LabelId::new(labels[next(4)]);
                        } else {
                            let start = next(len - 6);
                            // Five characters hold a letter in this text.
                            after.anchor = Anchor::new(&article, start..start + 5).unwrap();
                        }
                        vec![Edit::Update {
                            before: Box::new(a),
                            after: Box::new(after),
                        }]
                    }),
                    10 | 11 => {
                        if h.undo(&mut set).is_some() {
                            let t = h.last_touched();
                            index.update(&set, &t.ids().collect::<Vec<_>>());
                        }
                        Vec::new()
                    }
                    12 => {
                        if h.redo(&mut set).is_some() {
                            let t = h.last_touched();
                            index.update(&set, &t.ids().collect::<Vec<_>>());
                        }
                        Vec::new()
                    }
                    13 if set.get(late).is_some() => delete_edits(&set, late),
                    13 => {
                        let start = next(len - 6);
                        let mut a = Annotation::new(
                            LabelId::new(labels[next(4)]),
                            Anchor::new(&article, start..start + 5).unwrap(),
                            T0,
                        );
                        a.id = late;
                        vec![Edit::Add(a)]
                    }
                    _ => Vec::new(),
                };
                if !edits.is_empty() && h.apply(&mut set, edits).is_ok() {
                    let t = h.last_touched();
                    index.update(&set, &t.ids().collect::<Vec<_>>());
                }
                let rebuilt = claim_tree(&set);
                assert_eq!(index.tree(), &rebuilt, "seed {seed}, step {step}");
                if rebuilt
                    .claims
                    .iter()
                    .any(|c| !c.sources.is_empty() || !c.denials.is_empty())
                {
                    steps_with_links += 1;
                }
            }
            // The walk must reach trees with links in them, or it proves little.
            assert!(
                steps_with_links > 500,
                "seed {seed}: {steps_with_links} steps with links"
            );
        }
    }

    #[test]
    fn label_set_edits_keep_annotations_consistent_and_undo() {
        let (_, mut set) = setup();
        let mut h = History::default();
        link(&mut set, &mut h, "attributed-to", 1, 2).unwrap();
        link(&mut set, &mut h, "supports", 1, 5).unwrap();
        let set_attr = |set: &mut AnnotationSet, h: &mut History, id, key: &str, v| {
            let edit = set_attribute_edit(set, n(id), key, Some(v), T0)
                .unwrap()
                .unwrap();
            h.apply(set, vec![edit]).unwrap();
        };
        set_attr(&mut set, &mut h, 1, "confidence", AttributeValue::Scale(5));
        set_attr(
            &mut set,
            &mut h,
            1,
            "stance",
            AttributeValue::Choice("reported".into()),
        );
        set_attr(
            &mut set,
            &mut h,
            2,
            "kind",
            AttributeValue::Choice("named".into()),
        );
        let start = set.clone();

        // Narrow the confidence scale to 1–3 and drop the "supports" type.
        let mut new = set.labels.clone();
        new.labels[0].attributes[1].kind = crate::model::AttributeKind::Scale { min: 1, max: 3 };
        new.relation_types.retain(|t| t.id.0 != ids::SUPPORTS);
        let edits = labels_edits(&set, new.clone(), T0).unwrap();
        assert!(matches!(edits[0], Edit::RemoveRelation(_)));
        assert!(matches!(edits.last(), Some(Edit::SetLabels { .. })));
        h.apply(&mut set, edits).unwrap();
        let claim = set.get(n(1)).unwrap();
        assert!(
            !claim.attributes.contains_key("confidence"),
            "5 is out of 1–3"
        );
        assert!(claim.attributes.contains_key("stance"));
        assert_eq!(set.relations.len(), 1);
        assert_eq!(set.labels, new);
        h.undo(&mut set).unwrap();
        assert_eq!(set, start);

        // Removing a label in use needs another label for its annotations.
        let source = LabelId::new("source");
        let mut without_source = set.labels.clone();
        without_source.remove_label(&source, None).unwrap();
        assert_eq!(
            labels_edits(&set, without_source, T0),
            Err(LabelError::InUse {
                label: source.clone(),
                count: 2
            })
        );
        assert!(matches!(
            remove_label_edits(&set, &source, None, T0),
            Err(LabelError::InUse { count: 2, .. })
        ));
        let denial = LabelId::new("denial");
        let edits = remove_label_edits(&set, &source, Some(&denial), T0).unwrap();
        h.apply(&mut set, edits).unwrap();
        assert!(set.labels.get(&source).is_none());
        assert_eq!(set.get(n(2)).unwrap().label, denial);
        assert!(
            set.get(n(2)).unwrap().attributes.is_empty(),
            "denial has no `kind`"
        );
        let attributed = set.labels.relation_type(&kind(ids::ATTRIBUTED_TO)).unwrap();
        assert_eq!(attributed.to_labels, std::slice::from_ref(&denial));
        assert_eq!(set.relations.len(), 2, "relations stay: their type stays");
        h.undo(&mut set).unwrap();
        assert_eq!(set, start);

        // An invalid label set is refused; an unchanged one gives no edits.
        let mut dup_keys = set.labels.clone();
        dup_keys.labels[1].key = Some(1);
        assert!(matches!(
            labels_edits(&set, dup_keys, T0),
            Err(LabelError::KeyInUse { .. })
        ));
        assert_eq!(labels_edits(&set, set.labels.clone(), T0), Ok(vec![]));
        // A stale `before` is refused by apply.
        let mut renamed = set.labels.clone();
        renamed.rename(&source, "Origin").unwrap();
        let edit = labels_edits(&set, renamed, T0).unwrap().remove(0);
        set.labels.name = "changed meanwhile".into();
        assert_eq!(edit.apply(&mut set), Err(EditError::LabelsMismatch));
    }
}
