//! Comparing two analysts' sets of the same article: how far they agree, where they differ,
//! and copying chosen annotations from one set into the other.
//!
//! Set A is the reference, B the one compared with it. Only placed annotations count (not
//! those waiting for review: their anchors are in an older text). Three measures:
//!
//! * **Exact match**, per label: a pair counts if label, start and end are equal. Each
//!   annotation pairs at most once (two identical spans in A and one in B make one pair).
//! * **Overlap match**, per label: a pair counts if the labels are equal and the spans share at
//!   least one code point, in a **one-to-one** matching: a maximum matching (Kuhn's augmenting
//!   paths), each annotation of A trying B's in this order: identical span, larger overlap,
//!   document order. So one long span of A against two short ones of B counts once.
//!
//!   Precision is pairs / |B|, recall pairs / |A|, F1 = 2·pairs / (|A| + |B|) (the harmonic mean
//!   of the two); each is `None` where its denominator is 0.
//! * **Cohen's kappa over tokens**: the article is cut into words (runs of
//!   [`is_word_char`](super::is_word_char) characters). In each set, a word takes the label of
//!   the annotation that covers it (shares a code point with it); where several do, the
//!   **shortest** one (then the label first in the set's order, then the lowest id), as the
//!   innermost mark is the most specific; "none" where none does. Then
//!   κ = (p_o − p_e) / (1 − p_e), with p_o the share of words given the same category and
//!   p_e = Σ_k p_A(k)·p_B(k) the agreement expected by chance.
//!
//! The [`Disagreement`]s list what an analyst should look at, in document order: pairs of the
//! overlap matching whose spans differ ([`DisagreementKind::BoundaryDiffers`]); then, among the
//! annotations left, overlapping pairs with different labels, matched one-to-one the same way
//! ([`DisagreementKind::LabelDiffers`], whether or not the spans also differ); and the rest,
//! only in one set.

use std::collections::HashMap;
use std::ops::Range;

use super::annotation::{Annotation, AnnotationId, AnnotationSet};
use super::article::{Article, is_word_char};
use super::attributes::retain_allowed;
use super::history::Edit;
use super::labels::{LabelId, LabelSet};
use super::relations::{Relation, RelationId};

/// Pair counts of one measure; the rates follow from them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scores {
    /// Matched pairs.
    pub pairs: usize,
    /// Annotations in A (the reference).
    pub in_a: usize,
    /// Annotations in B.
    pub in_b: usize,
}

impl Scores {
    /// pairs / |B|: how much of B is in A.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.pairs, self.in_b)
    }

    /// pairs / |A|: how much of A is in B.
    pub fn recall(&self) -> Option<f64> {
        ratio(self.pairs, self.in_a)
    }

    /// 2·pairs / (|A| + |B|).
    pub fn f1(&self) -> Option<f64> {
        ratio(2 * self.pairs, self.in_a + self.in_b)
    }

    fn add(&mut self, other: Self) {
        self.pairs += other.pairs;
        self.in_a += other.in_a;
        self.in_b += other.in_b;
    }
}

fn ratio(n: usize, d: usize) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// Span agreement on one label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelAgreement {
    pub label: LabelId,
    pub exact: Scores,
    pub overlap: Scores,
}

/// Cohen's kappa over the words of the article.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kappa {
    /// Words in the article.
    pub tokens: usize,
    /// p_o: share of words with the same category in both sets (0 without words).
    pub observed: f64,
    /// p_e: agreement expected by chance (0 without words).
    pub expected: f64,
    /// (p_o − p_e) / (1 − p_e); `None` when p_e is 1 (both sets put every word in one and the
    /// same category, so chance explains everything) or there are no words.
    pub kappa: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DisagreementKind {
    /// A has it, nothing in B overlaps it in a match.
    OnlyInA,
    /// B has it, nothing in A overlaps it in a match.
    OnlyInB,
    /// Overlapping spans with different labels.
    LabelDiffers,
    /// Same label, overlapping spans with different start or end.
    BoundaryDiffers,
}

/// One place where the sets differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    pub kind: DisagreementKind,
    pub a: Option<AnnotationId>,
    pub b: Option<AnnotationId>,
    /// Code points, end exclusive: the annotation's span, or for a pair the smallest range
    /// covering both.
    pub range: Range<usize>,
}

/// Everything [`compare`] measures.
#[derive(Clone, Debug, PartialEq)]
pub struct Agreement {
    /// Labels of A's label set in its order, then other labels that occur in either set.
    pub per_label: Vec<LabelAgreement>,
    /// Sums over all labels (micro-averaged rates).
    pub exact: Scores,
    pub overlap: Scores,
    pub kappa: Kappa,
    /// In document order (by start, then end).
    pub disagreements: Vec<Disagreement>,
}

/// Compares set `b` with reference set `a`, both of `article`. See the module docs.
pub fn compare(article: &Article, a: &AnnotationSet, b: &AnnotationSet) -> Agreement {
    let (sa, sb) = (placed(a), placed(b));

    let mut labels: Vec<LabelId> = a.labels.labels.iter().map(|l| l.id.clone()).collect();
    for x in sa.iter().chain(&sb) {
        if !labels.contains(&x.label) {
            labels.push(x.label.clone());
        }
    }

    let same_label = |x: &Annotation, y: &Annotation| x.label == y.label;
    let pairs = one_to_one(&sa, &sb, &|x, y| same_label(x, y));

    let mut per_label = Vec::new();
    let (mut exact, mut overlap) = (Scores::default(), Scores::default());
    for label in labels {
        let of = |v: &[&Annotation]| v.iter().filter(|x| x.label == label).count();
        let (in_a, in_b) = (of(&sa), of(&sb));
        let e = Scores {
            pairs: exact_pairs(&sa, &sb, &label),
            in_a,
            in_b,
        };
        let o = Scores {
            pairs: pairs.iter().filter(|&&(i, _)| sa[i].label == label).count(),
            in_a,
            in_b,
        };
        exact.add(e);
        overlap.add(o);
        per_label.push(LabelAgreement {
            label,
            exact: e,
            overlap: o,
        });
    }

    let mut disagreements = Vec::new();
    let span = |x: &Annotation| x.anchor.position.range();
    let cover = |x: &Annotation, y: &Annotation| {
        let (p, q) = (span(x), span(y));
        p.start.min(q.start)..p.end.max(q.end)
    };
    let mut used_a = vec![false; sa.len()];
    let mut used_b = vec![false; sb.len()];
    for &(i, j) in &pairs {
        used_a[i] = true;
        used_b[j] = true;
        if span(sa[i]) != span(sb[j]) {
            disagreements.push(Disagreement {
                kind: DisagreementKind::BoundaryDiffers,
                a: Some(sa[i].id),
                b: Some(sb[j].id),
                range: cover(sa[i], sb[j]),
            });
        }
    }
    let rest_a: Vec<&Annotation> = (0..sa.len())
        .filter(|&i| !used_a[i])
        .map(|i| sa[i])
        .collect();
    let rest_b: Vec<&Annotation> = (0..sb.len())
        .filter(|&j| !used_b[j])
        .map(|j| sb[j])
        .collect();
    let cross = one_to_one(&rest_a, &rest_b, &|_, _| true);
    let mut left_a = vec![true; rest_a.len()];
    let mut left_b = vec![true; rest_b.len()];
    for &(i, j) in &cross {
        left_a[i] = false;
        left_b[j] = false;
        disagreements.push(Disagreement {
            kind: DisagreementKind::LabelDiffers,
            a: Some(rest_a[i].id),
            b: Some(rest_b[j].id),
            range: cover(rest_a[i], rest_b[j]),
        });
    }
    for (x, _) in rest_a.iter().zip(&left_a).filter(|(_, left)| **left) {
        disagreements.push(Disagreement {
            kind: DisagreementKind::OnlyInA,
            a: Some(x.id),
            b: None,
            range: span(x),
        });
    }
    for (y, _) in rest_b.iter().zip(&left_b).filter(|(_, left)| **left) {
        disagreements.push(Disagreement {
            kind: DisagreementKind::OnlyInB,
            a: None,
            b: Some(y.id),
            range: span(y),
        });
    }
    disagreements.sort_by_key(|d| (d.range.start, d.range.end));

    Agreement {
        per_label,
        exact,
        overlap,
        kappa: token_kappa(article, a, b),
        disagreements,
    }
}

/// The annotations of `set` that are placed in the current article.
fn placed(set: &AnnotationSet) -> Vec<&Annotation> {
    set.annotations
        .iter()
        .filter(|x| x.review.is_none())
        .collect()
}

/// Pairs with `label` and identical spans, each annotation used once.
fn exact_pairs(sa: &[&Annotation], sb: &[&Annotation], label: &LabelId) -> usize {
    let mut counts: HashMap<Range<usize>, (usize, usize)> = HashMap::new();
    for x in sa.iter().filter(|x| &x.label == label) {
        counts.entry(x.anchor.position.range()).or_default().0 += 1;
    }
    for y in sb.iter().filter(|y| &y.label == label) {
        counts.entry(y.anchor.position.range()).or_default().1 += 1;
    }
    counts.values().map(|&(n, m)| n.min(m)).sum()
}

/// A maximum one-to-one matching between `sa` and `sb` over the pairs whose spans overlap and
/// that `allowed` accepts; returns `(index in sa, index in sb)` sorted by the first.
///
/// Kuhn's algorithm: each annotation of A in turn looks for a partner along an augmenting
/// path, trying candidates in order of preference (identical span, then larger overlap, then
/// document order), so the result has the most pairs possible and prefers close ones.
fn one_to_one(
    sa: &[&Annotation],
    sb: &[&Annotation],
    allowed: &dyn Fn(&Annotation, &Annotation) -> bool,
) -> Vec<(usize, usize)> {
    // sb is in document order (the set's canonical order), so a window of candidates can be
    // found by start offset; the simple scan is fine for sets of a few thousand.
    let candidates: Vec<Vec<usize>> = sa
        .iter()
        .map(|x| {
            let p = x.anchor.position;
            let mut c: Vec<usize> = (0..sb.len())
                .filter(|&j| sb[j].anchor.position.overlaps(&p) && allowed(x, sb[j]))
                .collect();
            c.sort_by_key(|&j| {
                let q = sb[j].anchor.position;
                let shared = p.end.min(q.end).saturating_sub(p.start.max(q.start));
                (q != p, std::cmp::Reverse(shared), j)
            });
            c
        })
        .collect();
    let mut partner_of_b: Vec<Option<usize>> = vec![None; sb.len()];
    for i in 0..sa.len() {
        let mut seen = vec![false; sb.len()];
        augment(i, &candidates, &mut partner_of_b, &mut seen);
    }
    let mut pairs: Vec<(usize, usize)> = partner_of_b
        .iter()
        .enumerate()
        .filter_map(|(j, i)| i.map(|i| (i, j)))
        .collect();
    pairs.sort_unstable();
    pairs
}

/// Tries to give `i` a partner, moving earlier partners along if need be.
fn augment(
    i: usize,
    candidates: &[Vec<usize>],
    partner_of_b: &mut [Option<usize>],
    seen: &mut [bool],
) -> bool {
    for &j in &candidates[i] {
        if seen[j] {
            continue;
        }
        seen[j] = true;
        let free = match partner_of_b[j] {
            None => true,
            Some(other) => augment(other, candidates, partner_of_b, seen),
        };
        if free {
            partner_of_b[j] = Some(i);
            return true;
        }
    }
    false
}

/// The words of `text`: runs of word characters, as code point ranges.
pub fn word_tokens(text: &str) -> Vec<Range<usize>> {
    let mut tokens = Vec::new();
    let mut start = None;
    let mut n = 0;
    for (i, c) in text.chars().enumerate() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                tokens.push(s..i);
                start = None;
            }
            _ => {}
        }
        n = i + 1;
    }
    if let Some(s) = start {
        tokens.push(s..n);
    }
    tokens
}

/// The category each token gets in `set`: the label of the shortest placed annotation sharing
/// a code point with it (ties: label order in the set, then id), `None` for no annotation.
fn token_labels<'s>(tokens: &[Range<usize>], set: &'s AnnotationSet) -> Vec<Option<&'s LabelId>> {
    let mut best: Vec<Option<&Annotation>> = vec![None; tokens.len()];
    let rank = |x: &Annotation| (x.anchor.position.len(), set.labels.order_of(&x.label), x.id);
    for x in set.annotations.iter().filter(|x| x.review.is_none()) {
        let p = x.anchor.position;
        // Tokens are sorted and disjoint: those ending after p.start, until one starts at p.end.
        let first = tokens.partition_point(|t| t.end <= p.start);
        for (k, t) in tokens.iter().enumerate().skip(first) {
            if t.start >= p.end {
                break;
            }
            if best[k].is_none_or(|b| rank(x) < rank(b)) {
                best[k] = Some(x);
            }
        }
    }
    best.into_iter().map(|x| x.map(|x| &x.label)).collect()
}

/// Cohen's kappa of `a` and `b` over the words of `article` (see the module docs).
pub fn token_kappa(article: &Article, a: &AnnotationSet, b: &AnnotationSet) -> Kappa {
    let tokens = word_tokens(&article.text);
    let n = tokens.len();
    if n == 0 {
        return Kappa {
            tokens: 0,
            observed: 0.0,
            expected: 0.0,
            kappa: None,
        };
    }
    let (la, lb) = (token_labels(&tokens, a), token_labels(&tokens, b));
    let agree = la.iter().zip(&lb).filter(|(x, y)| x == y).count();
    let mut counts: HashMap<Option<&LabelId>, (usize, usize)> = HashMap::new();
    for x in &la {
        counts.entry(*x).or_default().0 += 1;
    }
    for y in &lb {
        counts.entry(*y).or_default().1 += 1;
    }
    let n_f = n as f64;
    let observed = agree as f64 / n_f;
    let expected: f64 = counts
        .values()
        .map(|&(ca, cb)| (ca as f64 / n_f) * (cb as f64 / n_f))
        .sum();
    let kappa = (expected < 1.0).then(|| (observed - expected) / (1.0 - expected));
    Kappa {
        tokens: n,
        observed,
        expected,
        kappa,
    }
}

/// The edits that copy annotations `ids` of `source` into `target`, as one transaction:
///
/// * each copy gets a fresh id and keeps label, anchor, note, tags, timestamps, review, and the
///   attribute values the target's definitions allow;
/// * relations of `source` between two copied annotations are copied too (fresh ids, ends
///   mapped to the copies); relations to annotations not copied are not;
/// * a label or relation type the copies need that `target` lacks but `source` defines is
///   added to `target`'s label set first (a label without its key if the key is taken; a
///   relation type only if the labels it names exist there).
///
/// Ids not in `source` are skipped. The ids the copies get are what
/// [`History::apply`](super::History::apply) returns. Both sets should be of the same article.
pub fn merge_edits(
    target: &AnnotationSet,
    source: &AnnotationSet,
    ids: &[AnnotationId],
) -> Vec<Edit> {
    let chosen: Vec<&Annotation> = source
        .annotations
        .iter()
        .filter(|a| ids.contains(&a.id))
        .collect();
    let new_ids: HashMap<AnnotationId, AnnotationId> = chosen
        .iter()
        .map(|a| (a.id, AnnotationId::random()))
        .collect();
    let relations: Vec<&Relation> = source
        .relations
        .iter()
        .filter(|r| new_ids.contains_key(&r.from) && new_ids.contains_key(&r.to) && r.from != r.to)
        .collect();

    let mut labels = target.labels.clone();
    extend_labels(&mut labels, &source.labels, &chosen, &relations);

    let mut edits = Vec::new();
    if labels != target.labels {
        edits.push(Edit::SetLabels {
            before: Box::new(target.labels.clone()),
            after: Box::new(labels.clone()),
        });
    }
    for a in &chosen {
        let mut copy = (*a).clone();
        copy.id = new_ids[&a.id];
        copy.attributes = retain_allowed(&labels, &copy.label, &a.attributes);
        edits.push(Edit::Add(copy));
    }
    let mut copied: Vec<Relation> = Vec::new();
    for r in relations {
        let relation = Relation {
            id: RelationId::random(),
            kind: r.kind.clone(),
            from: new_ids[&r.from],
            to: new_ids[&r.to],
        };
        // A duplicate within the source (hand-edited) would make the whole transaction fail.
        let symmetric = labels.relation_type(&r.kind).is_some_and(|t| t.symmetric);
        if copied.iter().all(|c| !c.same_link(&relation, symmetric)) {
            copied.push(relation);
        }
    }
    edits.extend(copied.into_iter().map(Edit::AddRelation));
    edits
}

/// Adds to `labels` the definitions from `source` that the copied annotations and relations
/// need and `labels` lacks.
fn extend_labels(
    labels: &mut LabelSet,
    source: &LabelSet,
    chosen: &[&Annotation],
    relations: &[&Relation],
) {
    for a in chosen {
        if labels.get(&a.label).is_some() {
            continue;
        }
        if let Some(def) = source.get(&a.label) {
            let mut def = def.clone();
            if def.key.is_some_and(|k| labels.by_key(k).is_some()) {
                def.key = None;
            }
            labels.labels.push(def);
        }
    }
    for r in relations {
        if labels.relation_type(&r.kind).is_some() {
            continue;
        }
        if let Some(t) = source.relation_type(&r.kind)
            && t.from_labels
                .iter()
                .chain(&t.to_labels)
                .all(|l| labels.get(l).is_some())
        {
            labels.relation_types.push(t.clone());
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Anchor, AttributeValue, History, Review, ReviewStatus, Timestamp};

    /// Ten words of two letters: word k is at 3k..3k+2.
    const TEN: &str = "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9";

    /// A set of `article` holding `(id, label, range)` annotations (for tests).
    pub(crate) fn set_of(article: &Article, spans: &[(u128, &str, Range<usize>)]) -> AnnotationSet {
        let mut set = AnnotationSet::new(article, String::new());
        for (n, label, range) in spans {
            let mut a = Annotation::new(
                LabelId::new(label),
                Anchor::new(article, range.clone()).unwrap(),
                Timestamp::UNIX_EPOCH,
            );
            a.id = AnnotationId::from_u128(*n);
            set.insert(a);
        }
        set
    }

    fn close(x: Option<f64>, want: f64) -> bool {
        x.is_some_and(|x| (x - want).abs() < 1e-9)
    }

    #[test]
    fn words_are_runs_of_word_characters() {
        assert_eq!(word_tokens(TEN).len(), 10);
        assert_eq!(word_tokens(TEN)[5], 15..17);
        // "Zoë's" is one word (apostrophes join), "—" and "🙂" are not words, 東京 is one.
        assert_eq!(
            word_tokens("Zoë's café—東京 🙂 x"),
            [0..5, 6..10, 11..13, 16..17]
        );
        assert!(word_tokens(" — ").is_empty());
    }

    #[test]
    fn kappa_of_ten_tokens_by_hand() {
        // A marks w0–w5 as claim, B marks w1–w6.
        //   A: c c c c c c n n n n     B: n c c c c c c n n n
        // Agreement on w1–w5 (claim) and w7–w9 (none): p_o = 8/10 = 0.8.
        // p_A(claim) = 0.6, p_B(claim) = 0.6; p_A(none) = p_B(none) = 0.4;
        // p_e = 0.6·0.6 + 0.4·0.4 = 0.36 + 0.16 = 0.52.
        // κ = (0.8 − 0.52) / (1 − 0.52) = 0.28 / 0.48 = 0.58333…
        let article = Article::from_plain_text(TEN, "t");
        let a = set_of(&article, &[(1, "claim", 0..17)]);
        let b = set_of(&article, &[(2, "claim", 3..20)]);
        let k = token_kappa(&article, &a, &b);
        assert_eq!(k.tokens, 10);
        assert!((k.observed - 0.8).abs() < 1e-12);
        assert!((k.expected - 0.52).abs() < 1e-12);
        assert!(close(k.kappa, 0.28 / 0.48));
        assert!(close(k.kappa.map(|k| (k * 1000.0).round() / 1000.0), 0.583));
    }

    #[test]
    fn kappa_gives_overlapped_words_the_shortest_annotation() {
        // "a b c d": A marks all as claim and "b" as source inside it; B marks all as claim.
        //   A: c s c c   B: c c c c   (the source is shorter, so "b" is source in A)
        // p_o = 3/4 = 0.75; p_e = p_A(c)·p_B(c) + p_A(s)·p_B(s) = 0.75·1 + 0.25·0 = 0.75;
        // κ = (0.75 − 0.75) / (1 − 0.75) = 0: no better than chance.
        let article = Article::from_plain_text("a b c d", "t");
        let a = set_of(&article, &[(1, "claim", 0..7), (2, "source", 2..3)]);
        let b = set_of(&article, &[(3, "claim", 0..7)]);
        let k = token_kappa(&article, &a, &b);
        assert!((k.observed - 0.75).abs() < 1e-12);
        assert!((k.expected - 0.75).abs() < 1e-12);
        assert!(close(k.kappa, 0.0));
        // Identical sets: p_o = 1, and κ = 1 whenever p_e < 1.
        let k = token_kappa(&article, &a, &a);
        assert!(close(k.kappa, 1.0));
        // Two empty sets: every word "none" in both, p_e = 1, κ undefined.
        let empty = set_of(&article, &[]);
        let k = token_kappa(&article, &empty, &empty);
        assert_eq!((k.observed, k.expected, k.kappa), (1.0, 1.0, None));
        let nothing = Article::from_plain_text("", "t");
        assert_eq!(token_kappa(&nothing, &empty, &empty).kappa, None);
    }

    #[test]
    fn span_scores_and_disagreements_by_hand() {
        // A (reference): claim 0..5, claim 10..20, source 30..40.
        // B:             claim 0..5 (exact), claim 12..25 (overlaps), denial 30..40 (other
        //                label), source 50..55 (nothing in A).
        let text = "x".repeat(60);
        let article = Article::from_plain_text(&text, "t");
        let a = set_of(
            &article,
            &[
                (1, "claim", 0..5),
                (2, "claim", 10..20),
                (3, "source", 30..40),
            ],
        );
        let b = set_of(
            &article,
            &[
                (11, "claim", 0..5),
                (12, "claim", 12..25),
                (13, "denial", 30..40),
                (14, "source", 50..55),
            ],
        );
        let r = compare(&article, &a, &b);
        let by = |l: &str| r.per_label.iter().find(|x| x.label.0 == l).unwrap();
        // claim: |A| = 2, |B| = 2. Exact: 1 pair → P = 1/2, R = 1/2, F1 = 2·1/4 = 0.5.
        // Overlap: 2 pairs → P = R = F1 = 1.
        let claim = by("claim");
        assert_eq!(
            claim.exact,
            Scores {
                pairs: 1,
                in_a: 2,
                in_b: 2
            }
        );
        assert!(close(claim.exact.precision(), 0.5) && close(claim.exact.recall(), 0.5));
        assert!(close(claim.exact.f1(), 0.5));
        assert!(close(claim.overlap.f1(), 1.0));
        // source: 1 in A, 1 in B, no pair: P = R = F1 = 0.
        assert!(close(by("source").overlap.f1(), 0.0));
        // denial: only in B: P = 0/1 = 0, R undefined (nothing in A), F1 = 0/(0+1) = 0.
        let denial = by("denial");
        assert!(close(denial.overlap.precision(), 0.0));
        assert_eq!(denial.overlap.recall(), None);
        assert!(close(denial.overlap.f1(), 0.0));
        // All labels: exact 1 pair, |A| = 3, |B| = 4: P = 1/4, R = 1/3, F1 = 2/7.
        assert_eq!(
            r.exact,
            Scores {
                pairs: 1,
                in_a: 3,
                in_b: 4
            }
        );
        assert!(close(r.exact.f1(), 2.0 / 7.0));
        // Overlap: 2 pairs: F1 = 4/7.
        assert!(close(r.overlap.f1(), 4.0 / 7.0));
        // Labels in A's label-set order.
        let order: Vec<&str> = r.per_label.iter().map(|l| l.label.0.as_str()).collect();
        assert_eq!(order, ["claim", "source", "denial"]);

        let id = AnnotationId::from_u128;
        let d = |kind, a: Option<u128>, b: Option<u128>, range: Range<usize>| Disagreement {
            kind,
            a: a.map(id),
            b: b.map(id),
            range,
        };
        assert_eq!(
            r.disagreements,
            [
                d(DisagreementKind::BoundaryDiffers, Some(2), Some(12), 10..25),
                d(DisagreementKind::LabelDiffers, Some(3), Some(13), 30..40),
                d(DisagreementKind::OnlyInB, None, Some(14), 50..55),
            ]
        );
        // The other way round, the roles swap.
        let r = compare(&article, &b, &a);
        assert_eq!(
            r.exact,
            Scores {
                pairs: 1,
                in_a: 4,
                in_b: 3
            }
        );
        assert_eq!(r.disagreements[2].kind, DisagreementKind::OnlyInA);
    }

    #[test]
    fn overlap_matching_is_one_to_one_and_maximum() {
        let text = "x".repeat(30);
        let article = Article::from_plain_text(&text, "t");
        // One long span in A against two short ones in B: one pair, not two.
        // P = 1/2, R = 1/1, F1 = 2·1/(1+2) = 2/3.
        let a = set_of(&article, &[(1, "claim", 0..20)]);
        let b = set_of(&article, &[(11, "claim", 0..5), (12, "claim", 10..15)]);
        let r = compare(&article, &a, &b);
        assert_eq!(
            r.overlap,
            Scores {
                pairs: 1,
                in_a: 1,
                in_b: 2
            }
        );
        assert!(close(r.overlap.f1(), 2.0 / 3.0));
        let kinds: Vec<_> = r.disagreements.iter().map(|d| (d.kind, d.b)).collect();
        assert_eq!(
            kinds,
            [
                (
                    DisagreementKind::BoundaryDiffers,
                    Some(AnnotationId::from_u128(11))
                ),
                (DisagreementKind::OnlyInB, Some(AnnotationId::from_u128(12))),
            ]
        );
        // A greedy matching would pair A1 with its identical B1 and leave A2 (which overlaps
        // only B1) alone; the maximum matching moves A1 to B2 and pairs both:
        //   A1 0..10, A2 8..12;  B1 0..10, B2 2..4.
        let a = set_of(&article, &[(1, "claim", 0..10), (2, "claim", 8..12)]);
        let b = set_of(&article, &[(11, "claim", 0..10), (12, "claim", 2..4)]);
        let r = compare(&article, &a, &b);
        assert_eq!(r.exact.pairs, 1, "exact matching is its own");
        assert_eq!(r.overlap.pairs, 2);
        assert!(
            r.disagreements
                .iter()
                .all(|d| d.kind == DisagreementKind::BoundaryDiffers)
        );
        // Identical spans twice in A, once in B: one exact pair.
        let a = set_of(&article, &[(1, "claim", 0..10), (2, "claim", 0..10)]);
        let b = set_of(&article, &[(11, "claim", 0..10)]);
        let r = compare(&article, &a, &b);
        assert_eq!(
            r.exact,
            Scores {
                pairs: 1,
                in_a: 2,
                in_b: 1
            }
        );
        assert_eq!(r.overlap.pairs, 1);
    }

    #[test]
    fn annotations_waiting_for_review_do_not_count() {
        let article = Article::from_plain_text(TEN, "t");
        let a = set_of(&article, &[(1, "claim", 0..5)]);
        let mut b = set_of(&article, &[(2, "claim", 0..5)]);
        b.annotations.update_all(|a| {
            a.review = Some(Review {
                status: ReviewStatus::Orphaned,
                proposal: None,
            })
        });
        let r = compare(&article, &a, &b);
        assert_eq!(
            r.exact,
            Scores {
                pairs: 0,
                in_a: 1,
                in_b: 0
            }
        );
        assert_eq!(r.disagreements.len(), 1);
        assert_eq!(r.disagreements[0].kind, DisagreementKind::OnlyInA);
    }

    #[test]
    fn merge_copies_chosen_annotations_with_their_relations() {
        let article = Article::from_plain_text(TEN, "t");
        let mut target = set_of(&article, &[(1, "claim", 0..5)]);
        let mut source = set_of(
            &article,
            &[
                (11, "claim", 6..8),
                (12, "source", 9..11),
                (13, "hedge", 12..14),
            ],
        );
        // The source defines a label the target lacks, on a key the target uses.
        let hedge = LabelId::new("hedge");
        source.labels.labels.push(crate::model::Label {
            id: hedge.clone(),
            name: "Hedge".into(),
            colour: crate::model::PALETTE[4].1,
            key: Some(1),
            attributes: vec![],
        });
        source.annotations.update_all(|a| {
            a.note = "copied note".into();
            a.attributes
                .insert("confidence".into(), AttributeValue::Scale(2));
            a.tags = vec!["Economy".into()];
        });
        let rel = |n: u128, kind: &str, from: u128, to: u128| Relation {
            id: RelationId::from_u128(n),
            kind: crate::model::RelationTypeId::new(kind),
            from: AnnotationId::from_u128(from),
            to: AnnotationId::from_u128(to),
        };
        source.relations = vec![
            rel(100, "attributed-to", 11, 12),
            rel(101, "mentions", 13, 11),
        ];
        let start = target.clone();

        // Copy the claim and the hedge, not the source.
        let ids = [11, 13, 99].map(AnnotationId::from_u128);
        let edits = merge_edits(&target, &source, &ids);
        let mut h = History::default();
        let new_ids = h.apply(&mut target, edits).unwrap();
        assert_eq!(new_ids.len(), 2);
        assert!(
            new_ids.iter().all(|id| source.get(*id).is_none()),
            "fresh ids"
        );
        let copy = target
            .annotations
            .iter()
            .find(|a| a.note == "copied note")
            .unwrap();
        assert_eq!(copy.attributes["confidence"], AttributeValue::Scale(2));
        assert_eq!(copy.tags, ["Economy"]);
        assert_eq!(copy.anchor, source.annotations[0].anchor);
        let added = target.labels.get(&hedge).unwrap();
        assert_eq!(added.key, None, "key 1 is the target's claim key");
        // "attributed to" linked a source that was not copied; "mentions" (a type neither
        // set defines) linked the two copies and comes along.
        assert_eq!(target.relations.len(), 1);
        let r = &target.relations[0];
        assert_eq!(r.kind.0, "mentions");
        assert!(new_ids.contains(&r.from) && new_ids.contains(&r.to));
        assert_eq!(target.get(r.to).unwrap().note, "copied note");

        h.undo(&mut target).unwrap();
        assert_eq!(target, start);
        assert!(merge_edits(&target, &source, &[]).is_empty());
    }
}
