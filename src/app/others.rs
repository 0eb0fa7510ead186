//! Other analysts' sets of the open article, shown read-only beside the active set, and the
//! comparison of one of them with it.
//!
//! An analyst opens a colleague's set to see where they agree: it is read on a worker thread
//! (a set file may be large and re-anchoring takes time), re-anchored in memory if it was made
//! against another version of the article (the file is never written), and kept together with
//! the set as read, so that "Make active" opens it exactly as opening the file would (with
//! re-anchoring as an undoable step and the review queue).
//!
//! The comparison ([`crate::model::compare`]) is computed once when the window opens and again
//! only when the active set or the other sets change ([`Comparison::computed_for`]), never per
//! frame.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::model::{
    Agreement, AnchorCheck, AnnotationId, AnnotationSet, Article, ContentHash, History, LabelId,
    ReanchorSummary, Review, ReviewStatus, Thresholds, Timestamp, compare, merge_edits,
};

use super::document::{ArticleSource, Document, absolute, set_article_source};
use super::{Action, App, DialogRequest, Message};

/// How many outline styles the reader has for other sets (see `ui::outlines`); the sets after
/// that reuse them.
pub const OUTLINE_STYLES: usize = 4;

/// One other analyst's set, read-only.
#[derive(Clone, Debug, PartialEq)]
pub struct OtherSet {
    /// Stable for the session: actions and the comparison name a set by it.
    pub key: u64,
    /// The file it was read from; `None` for a set that was never saved (a former active set).
    pub path: Option<PathBuf>,
    /// Placed in the open article: re-anchored in memory if it was made against another
    /// version. What the reader draws and the comparison uses.
    pub set: AnnotationSet,
    /// As read from the file: what "Make active" opens.
    pub original: AnnotationSet,
    pub visible: bool,
    /// The outline style the reader draws it with (`0..OUTLINE_STYLES`).
    pub style: usize,
    /// Annotations that could not be placed in this version of the article: not drawn, not
    /// compared.
    pub not_placed: usize,
    /// Placed annotations per label, in the set's label order.
    pub counts: Vec<(LabelId, usize)>,
}

impl OtherSet {
    /// Builds an other set from a set placed in the open article.
    pub fn new(path: Option<PathBuf>, set: AnnotationSet, original: AnnotationSet) -> Self {
        let not_placed = set
            .annotations
            .iter()
            .filter(|a| a.review.is_some())
            .count();
        let counts = placed_counts(&set);
        Self {
            key: 0,
            path,
            set,
            original,
            visible: true,
            style: 0,
            not_placed,
            counts,
        }
    }

    /// The analyst's name, or a stand-in for a set without one.
    pub fn analyst(&self) -> &str {
        analyst_name(&self.set)
    }

    /// Placed annotations (those drawn and compared).
    pub fn placed(&self) -> usize {
        self.set.annotations.len() - self.not_placed
    }

    /// The file name, for lists and messages.
    pub fn file_name(&self) -> String {
        self.path.as_deref().and_then(Path::file_name).map_or_else(
            || "unsaved set".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    }
}

/// A set's analyst, or "unnamed analyst".
pub fn analyst_name(set: &AnnotationSet) -> &str {
    let name = set.analyst.trim();
    if name.is_empty() {
        "unnamed analyst"
    } else {
        name
    }
}

/// Annotations per label, not counting those waiting for review.
fn placed_counts(set: &AnnotationSet) -> Vec<(LabelId, usize)> {
    let placed = AnnotationSet {
        format_version: set.format_version,
        article: set.article.clone(),
        analyst: String::new(),
        labels: set.labels.clone(),
        annotations: set
            .annotations
            .iter()
            .filter(|a| a.review.is_none())
            .cloned()
            .collect(),
        relations: Vec::new(),
    };
    placed.counts()
}

/// The comparison window: which other set, and what was computed for which state.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The [`OtherSet::key`] compared with the active set.
    pub other: u64,
    /// `(Document::generation, Others::generation)` the agreement was computed for.
    pub computed_for: Option<(u64, u64)>,
    pub agreement: Option<Agreement>,
    /// Annotations of the other set chosen for "Merge selected into my set".
    pub chosen: BTreeSet<AnnotationId>,
}

/// The other sets of the open document.
#[derive(Debug, Default)]
pub struct Others {
    pub sets: Vec<OtherSet>,
    /// Bumped on every change to `sets` (added, closed, shown, hidden); caches compare it.
    pub generation: u64,
    /// A set being read in the background.
    pub loading: Option<PathBuf>,
    pub comparison: Option<Comparison>,
    next_key: u64,
}

impl Others {
    pub fn get(&self, key: u64) -> Option<&OtherSet> {
        self.sets.iter().find(|o| o.key == key)
    }

    fn get_mut(&mut self, key: u64) -> Option<&mut OtherSet> {
        self.sets.iter_mut().find(|o| o.key == key)
    }

    /// Adds a set with a fresh key and the first outline style no shown set uses.
    pub fn add(&mut self, mut other: OtherSet) -> u64 {
        self.next_key += 1;
        other.key = self.next_key;
        let used: Vec<usize> = self.sets.iter().map(|o| o.style).collect();
        other.style = (0..OUTLINE_STYLES)
            .find(|s| !used.contains(s))
            .unwrap_or(self.sets.len() % OUTLINE_STYLES);
        self.sets.push(other);
        self.generation += 1;
        self.next_key
    }

    fn remove(&mut self, key: u64) -> Option<OtherSet> {
        let at = self.sets.iter().position(|o| o.key == key)?;
        self.generation += 1;
        if self.comparison.as_ref().is_some_and(|c| c.other == key) {
            self.comparison = None;
        }
        Some(self.sets.remove(at))
    }
}

/// What the Sets section, the compare window and the reader's outlines ask for.
#[derive(Clone, Debug, PartialEq)]
pub enum SetsAction {
    /// Rename the active set's analyst (an undoable edit).
    SetAnalyst(String),
    /// Ask for another analyst's set with the file dialog.
    OpenDialog,
    /// Read another analyst's set of the open article.
    Open(PathBuf),
    /// A set finished reading (on the worker thread) for the article with this hash.
    Loaded {
        path: PathBuf,
        article_hash: ContentHash,
        result: Result<Box<OtherSet>, String>,
    },
    SetVisible(u64, bool),
    Close(u64),
    /// Make this other set the active one; the active one becomes an other set.
    MakeActive(u64),
    /// Open the comparison window for this other set.
    Compare(u64),
    CloseComparison,
    /// Choose (or not) an annotation of the compared set for merging.
    Choose(AnnotationId, bool),
    /// Copy the chosen annotations into the active set, as one undo step.
    MergeChosen,
    /// Scroll the article to an annotation of an other set and flash it.
    RevealOther(u64, AnnotationId),
}

/// Why a set cannot be shown beside the open article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

/// Places `set` (read from `set_path`) in the open `article`: as it is if it was made against
/// this text, re-anchored in memory otherwise. Annotations that cannot be placed get a
/// [`Review`] in the copy (so they are neither drawn nor compared).
///
/// Refuses a set of a different article: one that names another article (`same_article_path`
/// is false) and of whose annotations none can be placed.
/// Marks as orphaned (waiting for review, nowhere to propose) the annotations not waiting for
/// review yet that `lost` says do not fit.
fn orphan(set: &mut AnnotationSet, lost: impl Fn(&crate::model::Annotation) -> bool) {
    let ids: Vec<AnnotationId> = set
        .annotations
        .iter()
        .filter(|a| a.review.is_none() && lost(a))
        .map(|a| a.id)
        .collect();
    for id in ids {
        set.annotations.update(id, |a| {
            a.review = Some(Review {
                status: ReviewStatus::Orphaned,
                proposal: None,
            });
        });
    }
}

pub fn place_in_article(
    set: &AnnotationSet,
    set_path: &Path,
    article: &Article,
    same_article_path: bool,
    now: Timestamp,
) -> Result<AnnotationSet, Refusal> {
    let mut placed = set.clone();
    if set.article.content_hash == article.hash {
        // Same text: only hand-edited anchors that do not fit are left out.
        orphan(&mut placed, |a| {
            a.anchor.check(article) != AnchorCheck::Matches
        });
        return Ok(placed);
    }
    let placements =
        crate::model::reanchor_set(set, article, &Thresholds::default(), &mut |_, _| {});
    let summary = ReanchorSummary::of(&placements);
    if !same_article_path && summary.anchored == 0 {
        let name = set_path.file_name().map_or_else(
            || set_path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let what = if set.annotations.is_empty() {
            "it has no annotations to place".to_owned()
        } else {
            format!(
                "none of its {} could be found in this text",
                annotation_count(set.annotations.len())
            )
        };
        return Err(Refusal(format!(
            "“{name}” annotates another article (“{}”, {}): {what}. Open that article to \
             compare sets of it, or choose a set of “{}”.",
            set.article.title,
            if set.article.path.is_empty() {
                "no path recorded".to_owned()
            } else {
                set.article.path.clone()
            },
            article.title
        )));
    }
    let edits = crate::model::reanchor_edits(set, article, &placements, now);
    let mut history = History::default();
    // The edits are made for `set`, of which `placed` is a copy: they apply.
    if let Err(err) = history.apply(&mut placed, edits) {
        return Err(Refusal(format!("could not re-anchor the set: {err}")));
    }
    Ok(placed)
}

/// Does the set at `set_path` name the article the open document shows?
fn names_open_article(set: &AnnotationSet, set_path: &Path, open: &ArticleSource) -> bool {
    match (set_article_source(set, set_path), open) {
        (Some(ArticleSource::Sample), ArticleSource::Sample) => true,
        (Some(ArticleSource::File(named)), ArticleSource::File(open)) => same_file(&named, open),
        _ => false,
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| absolute(p));
    canonical(a) == canonical(b)
}

/// Reads and places another analyst's set; runs on a worker thread.
fn load_other(
    path: &Path,
    article: &Article,
    source: &ArticleSource,
    now: Timestamp,
) -> Result<Box<OtherSet>, String> {
    let original = crate::store::load_set(path).map_err(|err| err.to_string())?;
    let same_path = names_open_article(&original, path, source);
    let set = place_in_article(&original, path, article, same_path, now).map_err(|r| r.0)?;
    Ok(Box::new(OtherSet::new(
        Some(path.to_owned()),
        set,
        original,
    )))
}

/// "1 annotation", "2 annotations".
pub fn annotation_count(n: usize) -> String {
    if n == 1 {
        "1 annotation".to_owned()
    } else {
        format!("{n} annotations")
    }
}

/// `Some(0.583)` → `"0.583"`, `None` → `"—"` (a rate whose denominator is 0).
pub fn format_rate(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{r:.3}"))
}

impl App {
    /// Applies an action on the analyst, the other sets or the comparison.
    pub(super) fn apply_sets(&mut self, action: SetsAction) {
        match action {
            SetsAction::SetAnalyst(name) => {
                let name = name.trim().to_owned();
                if name != self.doc.set.analyst {
                    self.commit_note_draft();
                    self.record(vec![crate::model::Edit::SetAnalyst {
                        before: self.doc.set.analyst.clone(),
                        after: name.clone(),
                    }]);
                    self.set_status(format!("The set's analyst is now “{name}”"));
                }
            }
            SetsAction::OpenDialog => {
                let start_dir = self
                    .doc
                    .set_path
                    .as_deref()
                    .or(self.doc.article_path())
                    .and_then(Path::parent)
                    .map(Path::to_owned);
                self.ask(
                    DialogRequest::OpenOther { start_dir },
                    Box::new(|path| Action::Sets(SetsAction::Open(path))),
                );
            }
            SetsAction::Open(path) => self.open_other(path),
            SetsAction::Loaded {
                path,
                article_hash,
                result,
            } => self.other_loaded(&path, &article_hash, result),
            SetsAction::SetVisible(key, visible) => {
                if let Some(other) = self.doc.others.get_mut(key) {
                    other.visible = visible;
                    self.doc.others.generation += 1;
                }
            }
            SetsAction::Close(key) => {
                if let Some(other) = self.doc.others.remove(key) {
                    self.set_status(format!("Closed {}'s set", other.analyst()));
                }
            }
            SetsAction::MakeActive(key) => {
                if self.doc.others.get(key).is_some() {
                    self.guard_unsaved(Action::Sets(SetsAction::MakeActive(key)), |app| {
                        app.make_active(key);
                    });
                }
            }
            SetsAction::Compare(key) => {
                if self.doc.others.get(key).is_some() {
                    self.doc.others.comparison = Some(Comparison {
                        other: key,
                        computed_for: None,
                        agreement: None,
                        chosen: BTreeSet::new(),
                    });
                    self.refresh_comparison();
                }
            }
            SetsAction::CloseComparison => self.doc.others.comparison = None,
            SetsAction::Choose(id, chosen) => {
                if let Some(c) = &mut self.doc.others.comparison {
                    if chosen {
                        c.chosen.insert(id);
                    } else {
                        c.chosen.remove(&id);
                    }
                }
            }
            SetsAction::MergeChosen => self.merge_chosen(),
            SetsAction::RevealOther(key, id) => {
                let time = self.time();
                let others = &mut self.doc.others;
                let Some(other) = others.get_mut(key) else {
                    return;
                };
                let Some(a) = other.set.get(id).filter(|a| a.review.is_none()) else {
                    return;
                };
                let start = a.anchor.position.start;
                if !other.visible {
                    other.visible = true;
                    others.generation += 1;
                }
                self.view.scroll_to = Some(start);
                self.view.flash = Some((id, time));
            }
        }
    }

    /// Recomputes the open comparison if the active set or the other sets changed since.
    /// Cheap when nothing changed; called once a frame.
    pub(super) fn refresh_comparison(&mut self) {
        let state = (self.doc.generation, self.doc.others.generation);
        let Document {
            article,
            set,
            others,
            ..
        } = &mut self.doc;
        let Some(comparison) = &mut others.comparison else {
            return;
        };
        if comparison.computed_for == Some(state) {
            return;
        }
        let Some(other) = others.sets.iter().find(|o| o.key == comparison.other) else {
            others.comparison = None;
            return;
        };
        comparison.agreement = Some(compare(article, set, &other.set));
        comparison.computed_for = Some(state);
        comparison
            .chosen
            .retain(|id| other.set.get(*id).is_some_and(|a| a.review.is_none()));
    }

    fn open_other(&mut self, path: PathBuf) {
        if self.doc.others.loading.is_some() {
            self.set_status("Still reading another set; try again in a moment");
            return;
        }
        if self
            .doc
            .set_path
            .as_deref()
            .is_some_and(|active| same_file(active, &path))
        {
            self.set_status("That is the active set itself");
            return;
        }
        if self
            .doc
            .others
            .sets
            .iter()
            .any(|o| o.path.as_deref().is_some_and(|p| same_file(p, &path)))
        {
            self.set_status(format!("{} is open already", path.display()));
            return;
        }
        let (tx, ctx) = (self.inbox_tx.clone(), self.ctx.clone());
        let article = self.doc.article.clone();
        let source = self.doc.source.clone();
        let now = self.now();
        let owned = path.clone();
        let spawned = std::thread::Builder::new()
            .name("open-other-set".into())
            .stack_size(super::document::IMPORT_STACK_BYTES)
            .spawn(move || {
                let result = load_other(&owned, &article, &source, now);
                let _ = tx.send(Action::Sets(SetsAction::Loaded {
                    path: owned,
                    article_hash: article.hash.clone(),
                    result,
                }));
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.doc.others.loading = Some(path),
            Err(err) => self.show_error("Could not start reading the set", &err),
        }
    }

    fn other_loaded(
        &mut self,
        path: &Path,
        article_hash: &ContentHash,
        result: Result<Box<OtherSet>, String>,
    ) {
        if self.doc.others.loading.as_deref() == Some(path) {
            self.doc.others.loading = None;
        }
        if *article_hash != self.doc.article.hash {
            return; // Another article was opened meanwhile.
        }
        match result {
            Ok(other) => {
                let text = match other.not_placed {
                    0 => format!(
                        "Opened {}'s set: {}",
                        other.analyst(),
                        annotation_count(other.placed())
                    ),
                    n => format!(
                        "Opened {}'s set: {} placed, {n} could not be placed in this version \
                         of the article",
                        other.analyst(),
                        annotation_count(other.placed())
                    ),
                };
                if other.set.article.content_hash != other.original.article.content_hash {
                    self.message = Some(Message {
                        title: "The set was made on another version".to_owned(),
                        body: format!(
                            "This set was made against another version of the article, so \
                             Claimlens re-anchored it in memory (the file is not changed).\n\n\
                             {text}.\n\n{}",
                            path.display()
                        ),
                        is_error: false,
                    });
                }
                self.doc.others.add(*other);
                self.set_status(text);
            }
            Err(body) => {
                log::warn!(
                    "could not open {} beside the article: {body}",
                    path.display()
                );
                self.message = Some(Message {
                    title: "Cannot show this set beside the article".to_owned(),
                    body: format!("{body}\n\n{}", path.display()),
                    is_error: true,
                });
            }
        }
    }

    /// Swaps the active set with other set `key`. Runs once unsaved changes are saved or
    /// discarded: after a discard the active set becomes an other set as it was last saved.
    fn make_active(&mut self, key: u64) {
        let mut others = std::mem::take(&mut self.doc.others);
        let Some(chosen) = others.remove(key) else {
            self.doc.others = others;
            return;
        };
        let former = self.former_active();
        let name = chosen.analyst().to_owned();
        let article = self.doc.article.clone();
        let source = self.doc.source.clone();
        let mut doc = Document::new(
            article,
            source,
            Some((chosen.original, chosen.path.clone().unwrap_or_default())),
        );
        doc.set_path = chosen.path;
        self.replace_document(doc);
        // Same article: keep the reader where it is.
        self.view.scroll_to = None;
        if let Some(former) = former {
            others.add(former);
        }
        others.comparison = None;
        self.doc.others = others;
        self.set_status(format!("{name}'s set is now the active set"));
        if self.doc.needs_reanchoring() {
            self.start_reanchoring();
        }
    }

    /// The active set as an other set: as it is, or as last saved if its changes were
    /// discarded; `None` for a discarded or empty set that was never saved.
    fn former_active(&mut self) -> Option<OtherSet> {
        let path = self.doc.set_path.clone();
        let set = if self.doc.is_dirty() {
            // The analyst chose Discard.
            let path = path.as_deref()?;
            match crate::store::load_set(path) {
                Ok(saved) => {
                    let same = names_open_article(&saved, path, &self.doc.source);
                    match place_in_article(&saved, path, &self.doc.article, same, self.now()) {
                        Ok(placed) => {
                            return Some(OtherSet::new(Some(path.to_owned()), placed, saved));
                        }
                        Err(_) => return None,
                    }
                }
                Err(err) => {
                    log::warn!("could not reread {}: {err}", path.display());
                    return None;
                }
            }
        } else {
            (*self.doc.set).clone()
        };
        if path.is_none() && set.annotations.is_empty() {
            return None;
        }
        let mut placed = set.clone();
        orphan(&mut placed, |a| self.doc.unplaced.contains(&a.id));
        Some(OtherSet::new(path, placed, set))
    }

    fn merge_chosen(&mut self) {
        let Some(comparison) = &self.doc.others.comparison else {
            return;
        };
        let Some(other) = self.doc.others.get(comparison.other) else {
            return;
        };
        let ids: Vec<AnnotationId> = comparison.chosen.iter().copied().collect();
        if ids.is_empty() {
            self.set_status("Tick the disagreements to merge first");
            return;
        }
        let edits = merge_edits(&self.doc.set, &other.set, &ids);
        let name = other.analyst().to_owned();
        self.commit_note_draft();
        let before = self.doc.history.revision();
        self.record(edits);
        if self.doc.history.revision() != before {
            if let Some(c) = &mut self.doc.others.comparison {
                c.chosen.clear();
            }
            self.set_status(format!(
                "Merged {} from {name}'s set (Ctrl+Z undoes)",
                annotation_count(ids.len())
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_of(article: &Article, spans: &[(u128, &str, std::ops::Range<usize>)]) -> AnnotationSet {
        let mut set = crate::model::agreement::tests::set_of(article, spans);
        set.article.path = "story.txt".into();
        set
    }

    #[test]
    fn rates_have_three_decimals_and_a_dash_when_undefined() {
        assert_eq!(format_rate(Some(0.583_333)), "0.583");
        assert_eq!(format_rate(Some(1.0)), "1.000");
        assert_eq!(format_rate(Some(0.0)), "0.000");
        assert_eq!(format_rate(None), "—");
        assert_eq!(annotation_count(1), "1 annotation");
        assert_eq!(annotation_count(0), "0 annotations");
    }

    #[test]
    fn a_set_of_this_text_is_placed_as_it_is() {
        let article = Article::from_plain_text("Alpha said beta. Gamma denied it.", "t");
        let set = set_of(&article, &[(1, "claim", 0..5), (2, "denial", 23..29)]);
        let placed = place_in_article(
            &set,
            Path::new("a.ron"),
            &article,
            false,
            Timestamp::UNIX_EPOCH,
        )
        .unwrap();
        assert_eq!(placed, set);
        let other = OtherSet::new(None, placed, set);
        assert_eq!((other.placed(), other.not_placed), (2, 0));
        assert_eq!(other.analyst(), "unnamed analyst");
        assert_eq!(
            other.counts,
            [
                (LabelId::new("claim"), 1),
                (LabelId::new("source"), 0),
                (LabelId::new("denial"), 1)
            ]
        );
    }

    #[test]
    fn a_set_of_an_edited_text_is_reanchored_in_memory_and_counts_what_is_lost() {
        let old = Article::from_plain_text(
            "The minister said the bridge would open in May. Opposition councillors denied \
             that the bridge had ever been funded by the regional budget.",
            "t",
        );
        let denied = "Opposition councillors denied that the bridge had ever been funded";
        let at = old.text.find(denied).unwrap();
        let set = set_of(
            &old,
            &[(1, "claim", 4..16), (2, "denial", at..at + denied.len())],
        );
        // The claim's words are gone; the denial moved.
        let new = Article::from_plain_text(
            "Intro. The ministry gave no date at all. Opposition councillors denied that the \
             bridge had ever been funded by the regional budget.",
            "t",
        );
        let placed =
            place_in_article(&set, Path::new("a.ron"), &new, true, Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!(placed.article.content_hash, new.hash);
        let denial = placed.get(AnnotationId::from_u128(2)).unwrap();
        assert!(denial.review.is_none());
        assert_eq!(new.slice(denial.anchor.position.range()), denied);
        assert!(
            placed
                .get(AnnotationId::from_u128(1))
                .unwrap()
                .review
                .is_some()
        );
        let other = OtherSet::new(None, placed, set);
        assert_eq!((other.placed(), other.not_placed), (1, 1));
    }

    #[test]
    fn a_set_of_another_article_is_refused() {
        let mine = Article::from_plain_text("Completely different words here.", "t");
        let theirs = Article::from_plain_text("The minister said the bridge would open.", "t");
        let set = set_of(&theirs, &[(1, "claim", 4..12)]);
        let err = place_in_article(
            &set,
            Path::new("b.ron"),
            &mine,
            false,
            Timestamp::UNIX_EPOCH,
        )
        .unwrap_err();
        assert!(err.0.contains("annotates another article"), "{}", err.0);
        assert!(
            err.0.contains("none of its 1 annotation could"),
            "{}",
            err.0
        );
        // Naming the open article's file, it is shown with everything unplaced.
        let placed =
            place_in_article(&set, Path::new("b.ron"), &mine, true, Timestamp::UNIX_EPOCH).unwrap();
        assert!(placed.annotations.iter().all(|a| a.review.is_some()));
    }

    #[test]
    fn styles_go_to_the_first_free_one_and_closing_drops_the_comparison() {
        let article = Article::from_plain_text("a b c", "t");
        let set = set_of(&article, &[]);
        let mut others = Others::default();
        let one = others.add(OtherSet::new(None, set.clone(), set.clone()));
        let two = others.add(OtherSet::new(None, set.clone(), set.clone()));
        assert_eq!(others.get(two).unwrap().style, 1);
        others.comparison = Some(Comparison {
            other: one,
            computed_for: None,
            agreement: None,
            chosen: BTreeSet::new(),
        });
        let generation = others.generation;
        others.remove(one);
        assert!(others.comparison.is_none());
        assert!(others.generation > generation);
        let three = others.add(OtherSet::new(None, set.clone(), set));
        assert_eq!(
            others.get(three).unwrap().style,
            0,
            "the freed style is reused"
        );
        assert_ne!(three, one, "keys are not reused");
    }
}
