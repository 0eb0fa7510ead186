//! The open document: an article, its annotation set, where both live, and the undo history.
//! Also the file reading that turns paths into documents (plain functions, testable without a
//! window).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::{AnchorCheck, AnnotationId, AnnotationSet, Article, History, Touched};
use crate::store::{self, StoreError};

/// A number not handed out before in this run (never 0): for generations that caches compare,
/// so that a cache never takes one document's or layout's state for another's.
pub fn next_generation() -> u64 {
    static LAST: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    LAST.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1
}

/// The sample article compiled into the binary.
pub const SAMPLE_TEXT: &str = include_str!("../../assets/alibaba-pla-denial.txt");
/// How a set refers to the bundled sample article.
pub const SAMPLE_REF: &str = "claimlens:sample";
/// Largest article file we read.
pub const MAX_ARTICLE_BYTES: u64 = crate::import::MAX_IMPORT_BYTES;

/// Where the article came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArticleSource {
    Sample,
    File(PathBuf),
}

/// An article, the set annotating it, and its history.
pub struct Document {
    /// Shared with the threads that measure its paragraphs (a 5 MB article is not copied for
    /// them).
    pub article: Arc<Article>,
    pub source: ArticleSource,
    /// Shared with a save or an autosave under way, which write this copy while the analyst
    /// works on: change it through [`Document::set_mut`] (a change while a save still holds
    /// the copy makes a private one first).
    pub set: Arc<AnnotationSet>,
    /// Where the set was loaded from or last saved to.
    pub set_path: Option<PathBuf>,
    pub history: History,
    /// `history.revision()` when the set was last saved or opened.
    pub saved_revision: u64,
    /// Annotations not drawn in the article: waiting for review after re-anchoring, or whose
    /// stored position does not hold their quote in this article. Kept in the set. Derived
    /// from the set; [`Document::refresh`] recomputes it after every change.
    pub unplaced: HashSet<AnnotationId>,
    /// Changes with every change to the set, and differs between documents (numbers are not
    /// reused within a run); caches compare it.
    pub generation: u64,
    /// The last changes, oldest first: the generation before and after each one and what it
    /// touched (`None`: anything may have changed). See [`Document::changes_since`].
    changes: std::collections::VecDeque<(u64, u64, Option<Touched>)>,
    /// Other analysts' sets of this article, shown read-only beside this one.
    pub others: super::others::Others,
}

impl Document {
    pub fn new(
        article: impl Into<Arc<Article>>,
        source: ArticleSource,
        set: Option<(AnnotationSet, PathBuf)>,
    ) -> Self {
        let article: Arc<Article> = article.into();
        let (set, set_path) = match set {
            Some((set, path)) => (set, Some(path)),
            None => (AnnotationSet::new(&article, String::new()), None),
        };
        let mut doc = Self {
            article,
            source,
            set: Arc::new(set),
            set_path,
            history: History::default(),
            saved_revision: 0,
            unplaced: HashSet::new(),
            generation: 0,
            changes: std::collections::VecDeque::new(),
            others: super::others::Others::default(),
        };
        doc.refresh();
        doc
    }

    /// The set, to change it (copied first if a save still holds it).
    pub fn set_mut(&mut self) -> &mut AnnotationSet {
        Arc::make_mut(&mut self.set)
    }

    /// Call after every change to the set: bumps the generation and recomputes `unplaced`.
    pub fn refresh(&mut self) {
        self.log_change(None);
        self.unplaced = self
            .set
            .annotations
            .iter()
            .filter(|a| a.review.is_some() || a.anchor.check(&self.article) != AnchorCheck::Matches)
            .map(|a| a.id)
            .collect();
    }

    /// [`Document::refresh`] after edits that changed what `touched` says (see
    /// [`Touched::by`]): only the annotations touched are checked again (the others keep their
    /// placement); a set-wide change checks every one.
    pub fn refresh_after(&mut self, touched: Touched) {
        if touched.set_wide {
            self.refresh();
            return;
        }
        for &id in &touched.annotations {
            match self.set.get(id) {
                Some(a)
                    if a.review.is_some()
                        || a.anchor.check(&self.article) != AnchorCheck::Matches =>
                {
                    self.unplaced.insert(id);
                }
                _ => {
                    self.unplaced.remove(&id);
                }
            }
        }
        self.log_change(Some(touched));
    }

    /// Moves to a new generation and logs the change that made it.
    fn log_change(&mut self, touched: Option<Touched>) {
        const KEPT: usize = 64;
        let before = self.generation;
        self.generation = next_generation();
        if self.changes.len() == KEPT {
            self.changes.pop_front();
        }
        self.changes.push_back((before, self.generation, touched));
    }

    /// What changed after generation `generation`, change by change, if every change since
    /// then is known and none was set-wide; `None` means a cache must start again.
    pub fn changes_since(&self, generation: u64) -> Option<Vec<&Touched>> {
        if generation == self.generation {
            return Some(Vec::new());
        }
        let first = self.changes.iter().position(|(g, _, _)| *g == generation)?;
        self.changes
            .iter()
            .skip(first)
            .map(|(_, _, t)| t.as_ref())
            .collect()
    }

    /// Annotations that do not fit this article and have not been re-anchored yet.
    pub fn not_reanchored(&self) -> impl Iterator<Item = &crate::model::Annotation> {
        self.set
            .annotations
            .iter()
            .filter(|a| a.review.is_none() && self.unplaced.contains(&a.id))
    }

    /// Is any annotation not re-anchored yet (see [`Document::not_reanchored`])? At once when
    /// every annotation is placed (the usual case), without going over the set.
    pub fn has_not_reanchored(&self) -> bool {
        !self.unplaced.is_empty() && self.not_reanchored().next().is_some()
    }

    /// Does re-anchoring have anything to do (the set was made on another version, or some
    /// annotations do not fit)?
    pub fn needs_reanchoring(&self) -> bool {
        !self.set.annotations.is_empty()
            && (self.set.article.content_hash != self.article.hash || self.has_not_reanchored())
    }

    pub fn sample() -> Self {
        Self::new(sample_article(), ArticleSource::Sample, None)
    }

    /// Was the set written by a newer Claimlens? Then it is shown read-only: this version
    /// neither changes nor saves it (saving would drop what it does not know).
    pub fn is_read_only(&self) -> bool {
        self.set.format_version > crate::model::FORMAT_VERSION
    }

    pub fn is_dirty(&self) -> bool {
        self.history.revision() != self.saved_revision
    }

    pub fn article_path(&self) -> Option<&Path> {
        match &self.source {
            ArticleSource::File(p) => Some(p),
            ArticleSource::Sample => None,
        }
    }

    /// Where Save puts the set if it has no file yet: beside the article, or in the
    /// current folder for the sample.
    pub fn default_set_path(&self) -> PathBuf {
        match &self.source {
            ArticleSource::File(p) => store::default_set_path(p),
            ArticleSource::Sample => {
                let dir = std::env::current_dir().unwrap_or_default();
                dir.join("alibaba-pla-denial.claimlens.ron")
            }
        }
    }

    /// Fills in the set's article reference for saving at `set_path`.
    ///
    /// The stored hash stays the old one while some anchors do not match this article, so that
    /// re-anchoring can still tell which version they were made against.
    pub fn prepare_for_save(&mut self, set_path: &Path) {
        let path = match &self.source {
            ArticleSource::Sample => SAMPLE_REF.to_owned(),
            ArticleSource::File(article) => {
                let set_dir = absolute(set_path.parent().unwrap_or(Path::new(".")));
                store::relative_path(&set_dir, &absolute(article))
            }
        };
        let hash = (!self.has_not_reanchored()).then(|| self.article.hash.clone());
        let known = &self.set.article;
        // Changed only if something differs (a save under way keeps sharing the set).
        if known.path != path
            || known.title != self.article.title
            || hash.as_ref().is_some_and(|h| *h != known.content_hash)
        {
            let title = self.article.title.clone();
            let article = &mut self.set_mut().article;
            article.path = path;
            article.title = title;
            if let Some(hash) = hash {
                article.content_hash = hash;
            }
        }
    }

    /// Window title: `*Title — set.ron — Claimlens`, with `*` while there are unsaved changes.
    pub fn window_title(&self) -> String {
        let dirty = if self.is_dirty() { "*" } else { "" };
        let set_name = self
            .set_path
            .as_deref()
            .and_then(Path::file_name)
            .map_or_else(
                || "unsaved set".to_owned(),
                |n| n.to_string_lossy().into_owned(),
            );
        let read_only = if self.is_read_only() {
            " [read-only]"
        } else {
            ""
        };
        format!(
            "{dirty}{} — {set_name}{read_only} — Claimlens",
            self.article.title
        )
    }
}

pub fn sample_article() -> Article {
    Article::from_plain_text(SAMPLE_TEXT, "Sample article")
}

/// Makes `path` absolute against the current folder (without touching the file system).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// Why a file could not be opened; each message names the file and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("could not read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is {size} bytes; Claimlens opens articles of up to {MAX_ARTICLE_BYTES} bytes")]
    TooLarge { path: PathBuf, size: u64 },
    #[error("could not open {path}: {source}")]
    Import {
        path: PathBuf,
        source: crate::import::ImportError,
    },
    #[error("opening {path} took longer than {after:?}, so Claimlens stopped waiting")]
    TimedOut {
        path: PathBuf,
        after: std::time::Duration,
    },
    #[error(transparent)]
    Set(#[from] StoreError),
    #[error(
        "the article of {set} was not found at {expected}; open the article first (File ▸ Open), then open the set again"
    )]
    ArticleMissing { set: PathBuf, expected: PathBuf },
}

impl OpenError {
    /// What the user can do about it (shown under the error).
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Read { .. } => "Check that the file exists and that you may read it.",
            Self::TooLarge { .. } => "Split the text into smaller files.",
            Self::Import { source, .. } => source.hint(),
            Self::TimedOut { .. } => {
                "The file may be malformed or far larger than it looks. Nothing was changed."
            }
            Self::Set(StoreError::Syntax { .. } | StoreError::Invalid { .. }) => {
                "The file may have been cut short or edited by hand: fix it in a text editor at                  that place, or open another copy. Claimlens changed nothing."
            }
            Self::Set(StoreError::NotASet { .. }) => {
                "Open a .claimlens.ron file saved by Claimlens, or the article itself."
            }
            Self::Set(StoreError::TooNew { .. }) => {
                "Opening it here could lose what the newer version added."
            }
            Self::Set(_) => "Claimlens changed nothing.",
            Self::ArticleMissing { .. } => {
                "If the article moved, open it first; the set attaches when its text matches."
            }
        }
    }
}

/// Reads an article file of any supported format (see [`crate::import`]).
///
/// Call it off the UI thread with a big stack: importers are iterative or depth-limited, but
/// third-party parsers may still recurse.
pub fn read_article(path: &Path) -> Result<Article, OpenError> {
    let read_err = |source| OpenError::Read {
        path: path.to_owned(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read_err)?.len();
    if size > MAX_ARTICLE_BYTES {
        return Err(OpenError::TooLarge {
            path: path.to_owned(),
            size,
        });
    }
    let bytes = std::fs::read(path).map_err(read_err)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    crate::import::import(&bytes, &file_name).map_err(|source| OpenError::Import {
        path: path.to_owned(),
        source,
    })
}

/// [`read_article`] on a worker thread with a big stack, waiting at most `timeout`. For
/// callers without a UI (the command line); the app runs [`load`] on its own worker.
pub fn read_article_guarded(
    path: &Path,
    timeout: std::time::Duration,
) -> Result<Article, OpenError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let owned = path.to_owned();
    std::thread::Builder::new()
        .name("import".into())
        .stack_size(IMPORT_STACK_BYTES)
        .spawn(move || {
            let _ = tx.send(read_article(&owned));
        })
        .map_err(|source| OpenError::Read {
            path: path.to_owned(),
            source,
        })?;
    rx.recv_timeout(timeout).unwrap_or_else(|_| {
        Err(OpenError::TimedOut {
            path: path.to_owned(),
            after: timeout,
        })
    })
}

/// Stack of a thread that imports a file: third-party parsers may recurse deeply on hostile
/// input. Only touched pages are committed, so this costs little.
pub const IMPORT_STACK_BYTES: usize = 256 * 1024 * 1024;

/// What opening a path produced, before it becomes the open document.
pub enum Loaded {
    /// An article, maybe with a set, ready to install.
    Ready {
        article: Box<Article>,
        source: ArticleSource,
        set: Option<(AnnotationSet, PathBuf)>,
        /// The path to put in the recent files list.
        remember: PathBuf,
    },
    /// A set whose article was not found where it says; usable if the open article has the
    /// same text.
    SetWithoutArticle {
        set: AnnotationSet,
        set_path: PathBuf,
        expected: PathBuf,
    },
}

/// Reads what opening `path` (with `with_set`, for `claimlens ARTICLE --set SET`) needs: the
/// article, and the set named or found beside it. A set file opens with its article.
/// Runs on a worker thread; touches nothing but the files.
pub fn load(path: &Path, with_set: Option<&Path>) -> Result<Loaded, OpenError> {
    if let Some(set_path) = with_set {
        let article = read_article(path)?;
        let set = store::load_newer_set(set_path)?;
        return Ok(Loaded::Ready {
            article: Box::new(article),
            source: ArticleSource::File(path.to_owned()),
            set: Some((set, set_path.to_owned())),
            remember: set_path.to_owned(),
        });
    }
    if looks_like_set(path) {
        let set = store::load_newer_set(path)?;
        return load_with_set(path, set);
    }
    let article = read_article(path)?;
    let default_set = store::default_set_path(path);
    let set = if default_set.exists() {
        Some((store::load_newer_set(&default_set)?, default_set))
    } else {
        None
    };
    Ok(Loaded::Ready {
        article: Box::new(article),
        source: ArticleSource::File(path.to_owned()),
        set,
        remember: path.to_owned(),
    })
}

/// Is this file a Claimlens set (rather than an article)? Decided by content, not name.
pub fn looks_like_set(path: &Path) -> bool {
    use std::io::Read as _;
    let mut head = [0u8; 4096];
    let Ok(mut file) = std::fs::File::open(path) else {
        return path.extension().is_some_and(|e| e == "ron");
    };
    let n = file.read(&mut head).unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]);
    let first = head
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("//"));
    head.starts_with("// Claimlens annotation set")
        || (first.is_some_and(|l| l.starts_with('(')) && head.contains("format_version"))
}

/// Where a set says its article is.
pub fn set_article_source(set: &AnnotationSet, set_path: &Path) -> Option<ArticleSource> {
    let reference = set.article.path.as_str();
    if reference == SAMPLE_REF {
        return Some(ArticleSource::Sample);
    }
    if reference.is_empty() {
        return None;
    }
    let dir = set_path.parent().unwrap_or(Path::new("."));
    Some(ArticleSource::File(dir.join(reference)))
}

/// What opening the set file at `path` needs, with `set` read already (from `path`, or from a
/// backup of it): its article, found where the set says.
fn load_with_set(path: &Path, set: AnnotationSet) -> Result<Loaded, OpenError> {
    let source = set_article_source(&set, path);
    match source.as_ref().map(load_source) {
        Some(Ok(article)) => Ok(Loaded::Ready {
            article: Box::new(article),
            source: source.unwrap_or(ArticleSource::Sample),
            set: Some((set, path.to_owned())),
            remember: path.to_owned(),
        }),
        // A file that is there but cannot be read is an error worth showing as it is.
        Some(Err(err @ (OpenError::Import { .. } | OpenError::TooLarge { .. }))) => Err(err),
        Some(Err(_)) | None => {
            let expected = match source {
                Some(ArticleSource::File(p)) => p,
                _ => PathBuf::from(&set.article.title),
            };
            Ok(Loaded::SetWithoutArticle {
                set,
                set_path: path.to_owned(),
                expected,
            })
        }
    }
}

/// What opening backup `backup` of the set at `set_path` needs: the backup's annotations, with
/// the article found as for the set itself, to be saved (when the analyst chooses) over it.
pub fn load_backup(set_path: &Path, backup: &Path) -> Result<Loaded, OpenError> {
    let set = store::load_set(backup)?;
    load_with_set(set_path, set)
}

/// Reads the article a source names.
pub fn load_source(source: &ArticleSource) -> Result<Article, OpenError> {
    match source {
        ArticleSource::Sample => Ok(sample_article()),
        ArticleSource::File(path) => read_article(path),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::relations::ids;
    use crate::model::{
        Anchor, Annotation, Edit, LabelId, Relation, RelationTypeId, Review, ReviewStatus,
        Timestamp, check_new_relation,
    };

    /// A document whose article has `paragraphs` paragraphs of one sentence each, and no
    /// annotations.
    pub(crate) fn paragraphs_doc(paragraphs: usize) -> Document {
        let text: String = (0..paragraphs)
            .map(|i| {
                format!("Paragraph {i} says that the memo is genuine and the firm denies it.\n\n")
            })
            .collect();
        let article = Article::from_plain_text(&text, "t");
        Document::new(article, ArticleSource::File("t.txt".into()), None)
    }

    /// One random step of an analyst's work on `doc`, as the app records it: add a highlight
    /// (often across paragraph breaks, often overlapping others), delete (with its links) or
    /// relabel one, leave one for review or make its anchor not fit the article, link two or
    /// remove a link, undo or redo.
    pub(crate) fn random_step(doc: &mut Document, next: &mut impl FnMut(usize) -> usize) {
        let labels = ["claim", "source", "denial"];
        let len = doc.article.char_len();
        let count = doc.set.annotations.len();
        let one = (count > 0).then(|| doc.set.annotations[next(count)].clone());
        let changed = |change: &dyn Fn(&mut Annotation)| {
            let before = one.clone().expect("an annotation");
            let mut after = before.clone();
            change(&mut after);
            vec![Edit::Update {
                before: Box::new(before),
                after: Box::new(after),
            }]
        };
        let edits = match next(14) {
            0..=4 => {
                let start = next(len - 1);
                let end = (start + 1 + next(150)).min(len);
                let Ok(anchor) = Anchor::new(&doc.article, start..end) else {
                    return;
                };
                let label = LabelId::new(labels[next(3)]);
                vec![Edit::Add(Annotation::new(
                    label,
                    anchor,
                    Timestamp::UNIX_EPOCH,
                ))]
            }
            5 | 6 if count > 0 => {
                crate::model::delete_edits(&doc.set, one.as_ref().expect("an annotation").id)
            }
            7 if count > 0 => {
                let label = LabelId::new(labels[next(3)]);
                changed(&|a| a.label = label.clone())
            }
            8 if count > 0 => changed(&|a| {
                a.review = Some(Review {
                    status: ReviewStatus::Orphaned,
                    proposal: None,
                })
            }),
            9 if count > 0 => changed(&|a| a.anchor.quote.exact.push_str(" (changed)")),
            10 => {
                if doc.history.undo(Arc::make_mut(&mut doc.set)).is_some() {
                    doc.refresh_after(doc.history.last_touched().clone());
                }
                return;
            }
            11 => {
                if doc.history.redo(Arc::make_mut(&mut doc.set)).is_some() {
                    doc.refresh_after(doc.history.last_touched().clone());
                }
                return;
            }
            12 if count > 1 => {
                // Links chain more often from an annotation linked already.
                let from = match doc.set.relations.len() {
                    n if n > 0 && next(2) == 0 => doc.set.relations[next(n)].from,
                    _ => doc.set.annotations[next(count)].id,
                };
                let kinds = [
                    ids::ATTRIBUTED_TO,
                    ids::DENIES,
                    ids::ISSUED_BY,
                    ids::SUPPORTS,
                ];
                let relation = Relation::new(
                    RelationTypeId::new(kinds[next(4)]),
                    from,
                    doc.set.annotations[next(count)].id,
                );
                if check_new_relation(&doc.set, &relation).is_err() {
                    return; // to itself, or there already
                }
                vec![Edit::AddRelation(relation)]
            }
            13 if !doc.set.relations.is_empty() => {
                let n = doc.set.relations.len();
                vec![Edit::RemoveRelation(doc.set.relations[next(n)].clone())]
            }
            _ => return,
        };
        doc.history
            .apply(Arc::make_mut(&mut doc.set), edits)
            .expect("a random step applies");
        doc.refresh_after(doc.history.last_touched().clone());
    }

    #[test]
    fn sample_has_headline_and_paragraphs() {
        let a = sample_article();
        assert_eq!(
            a.title,
            "Alibaba Denounces Report on Alleged PLA Ties as ‘False and Malicious’"
        );
        assert_eq!(a.paragraphs.len(), 10);
    }

    #[test]
    fn window_title_marks_unsaved_changes() {
        let mut doc = Document::sample();
        assert!(!doc.window_title().starts_with('*'));
        doc.saved_revision = 99;
        assert!(doc.window_title().starts_with('*'));
    }
}
