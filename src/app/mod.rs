//! The application: state, the frame loop, and [`App::apply`], the one place that changes state.
//!
//! Each frame: collect answers from background dialogs, read shortcuts and dropped files, let
//! the `*_ui` functions draw and push [`Action`]s, then apply those actions in order. Edits to the
//! set go through the undo [`History`](crate::model::History); file I/O and dialogs happen here,
//! never inside a panel.

mod action;
mod dialogs;
pub(crate) mod document;
pub mod heights;
mod labels;
mod others;
pub mod presets;
mod priority;
pub mod recovery;
pub mod saving;

use std::path::{Path, PathBuf};
use std::sync::mpsc;

pub use action::{Action, Command, ListView, TextSelection, UnsavedChoice};
pub use dialogs::{
    DialogAnswer, DialogReply, DialogRequest, Dialogs, NativeDialogs, PromptPurpose,
    ScriptedDialogs,
};
pub use document::{
    ArticleSource, Document, MAX_ARTICLE_BYTES, OpenError, SAMPLE_REF, SAMPLE_TEXT, looks_like_set,
    next_generation, read_article, read_article_guarded, sample_article,
};
pub use labels::{
    Consequences, DraftChange, LabelEditor, LabelsAction, LabelsState, PresetChooser, RelationForm,
    RemoveQuestion, draft_count, keep_labels_in_use,
};
pub use others::{
    Comparison, OUTLINE_STYLES, OtherSet, Others, SetsAction, analyst_name, annotation_count,
    format_rate,
};

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::model::{
    Anchor, Annotation, AnnotationId, Edit, LabelId, ReviewDecision, Thresholds, Timestamp,
};
use crate::store;
use crate::ui;

/// Default reader font size in points.
pub const DEFAULT_FONT_SIZE: f32 = 18.0;
const MIN_FONT_SIZE: f32 = 10.0;
const MAX_FONT_SIZE: f32 = 40.0;
const MAX_RECENT: usize = 10;
/// While a save is under way the UI looks for the saver thread's report this often (a save of
/// 10,000 annotations takes 50–100 ms; the saver does not wake the UI itself).
const SAVE_POLL: std::time::Duration = std::time::Duration::from_millis(20);
const SETTINGS_KEY: &str = "claimlens-settings";
/// Re-anchoring up to this much work (annotations × 100k-character blocks) runs at once;
/// more runs on a background thread with progress shown.
const SYNC_REANCHOR_WORK: usize = 2_000;

/// How long opening a file may take before Claimlens stops waiting for it.
pub const OPEN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// A file being opened in the background.
#[derive(Debug)]
pub struct OpenJob {
    pub path: PathBuf,
    pub started: std::time::Instant,
    /// What is being opened: a file, a backup, a recovery record.
    origin: OpenOrigin,
    rx: mpsc::Receiver<Result<Opened, OpenError>>,
}

/// What the open worker hands over.
enum Opened {
    /// An article with its set, made into a document there (every anchor checked against the
    /// article) with its highlight index: milliseconds each for a large set, which the
    /// window's frame does not pay.
    Document {
        doc: Box<Document>,
        /// Its highlights, paragraph by paragraph, for the reader.
        index: ui::reader::HighlightIndex,
        /// The path to put in the recent files list.
        remember: PathBuf,
    },
    /// What it read, for the window to finish (re-reading the open article, or a set whose
    /// article may be the open one).
    Read(Box<document::Loaded>),
}

/// Where an open comes from, for what happens once it is installed.
#[derive(Clone, Debug)]
enum OpenOrigin {
    File,
    /// A backup of the set at the job's path: unsaved until saved over it.
    Backup(PathBuf),
    /// The open article read again after it changed on disk: the set stays, re-anchored.
    Reload,
    /// Unsaved work from a recovery record: unsaved, with the set file it had (if any).
    Recovery {
        record: PathBuf,
        set_path: Option<PathBuf>,
    },
}

/// Re-anchoring running in the background.
#[derive(Clone, Debug)]
pub struct ReanchorJob {
    /// Annotations done so far.
    pub progress: Arc<AtomicUsize>,
    pub total: usize,
}

impl ReanchorJob {
    pub fn done(&self) -> usize {
        self.progress.load(Ordering::Relaxed)
    }
}

/// What names a document's recovery record: its set path and its article path.
type DocIdentity = (Option<PathBuf>, Option<PathBuf>);

/// Autosave bookkeeping (see [`recovery`]).
struct Autosave {
    saver: recovery::Autosaver,
    dir: PathBuf,
    /// The open document's record, and the (set path, article path) it was named for (the
    /// name is a hash of an absolute path: worked out again only when these change).
    record: Option<(PathBuf, DocIdentity)>,
    /// The (set generation, note draft revision) last written or removed.
    handled: Option<(u64, u64)>,
    /// When the first change not written yet was seen (`ctx` time).
    pending_since: Option<f64>,
}

/// Settings kept between runs (in eframe's storage).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    pub recent: Vec<PathBuf>,
    pub font_size: f32,
    pub dark: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            recent: Vec::new(),
            font_size: DEFAULT_FONT_SIZE,
            dark: false,
        }
    }
}

/// How the app starts: from the command line, or from a test.
pub struct StartOptions {
    /// An article or set to open instead of the sample.
    pub open: Option<PathBuf>,
    /// A set to open with `open` (`claimlens ARTICLE --set SET.ron`).
    pub set: Option<PathBuf>,
    pub dialogs: Box<dyn Dialogs>,
    /// The clock for created/modified times (fixed in tests).
    pub clock: Box<dyn Fn() -> Timestamp>,
    /// Read and write settings (recent files, font size, theme) in eframe's storage.
    pub persist_settings: bool,
    /// How long opening a file may take before the app stops waiting ([`OPEN_TIMEOUT`]).
    pub open_timeout: std::time::Duration,
    /// Where label presets are saved and listed (`None`: the default, see
    /// [`presets::default_presets_dir`]).
    pub presets_dir: Option<PathBuf>,
    /// Where unsaved work is autosaved for crash recovery ([`recovery::default_dir`] in the
    /// app); `None` turns autosave off (tests that do not test it).
    pub recovery_dir: Option<PathBuf>,
}

impl Default for StartOptions {
    fn default() -> Self {
        Self {
            open: None,
            set: None,
            dialogs: Box::new(NativeDialogs),
            clock: Box::new(Timestamp::now),
            persist_settings: true,
            open_timeout: OPEN_TIMEOUT,
            presets_dir: None,
            recovery_dir: None,
        }
    }
}

/// A message for the user: what happened, to which file, and what they can do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub title: String,
    pub body: String,
    pub is_error: bool,
}

/// The app's own path prompt, shown when the desktop has no file dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathPrompt {
    pub purpose: PromptPurpose,
    pub text: String,
}

/// Linking an annotation to another (after L): first the other end, then the relation type.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkState {
    /// The annotation the analyst started from.
    pub from: AnnotationId,
    /// Filters the picker's list by quote and note.
    pub query: String,
    /// The highlighted row of the picker's list.
    pub row: usize,
    /// The other end, once picked; then `option` is the highlighted relation type.
    pub target: Option<AnnotationId>,
    pub option: usize,
}

/// How many matches the find bar lists; past this it says so.
pub const FIND_LIMIT: usize = 10_000;

/// The find bar (Ctrl+F).
#[derive(Clone, Debug, Default)]
pub struct FindState {
    pub query: String,
    /// Matches in text order (code point ranges), at most [`FIND_LIMIT`].
    pub matches: Vec<std::ops::Range<usize>>,
    /// The match shown (and selected).
    pub current: Option<usize>,
    /// The article's folded text, built the first time find is used on it.
    folded: Option<(crate::model::ContentHash, Arc<crate::model::FoldedText>)>,
}

/// Everything about the view that is not part of the document.
#[derive(Clone, Debug, Default)]
pub struct ViewState {
    /// Linking the selected annotation to another, if under way.
    pub link: Option<LinkState>,
    /// Which annotations the list shows and the article highlights at full strength.
    pub filter: crate::model::Filter,
    /// The annotations `filter` leaves out, for the set generation in `hidden_for`.
    pub hidden: std::collections::HashSet<AnnotationId>,
    hidden_for: Option<u64>,
    /// Bumped whenever `hidden` is worked out again from the whole set (another filter,
    /// another document, a set-wide change). Between bumps it changes only for the
    /// annotations an edit touched (see [`Document::changes_since`]), so views derived from it
    /// can follow the document's changes.
    pub hidden_version: u64,
    pub list_view: ListView,
    /// The find bar, while open.
    pub find: Option<FindState>,
    pub selection: Option<TextSelection>,
    pub selected: Option<AnnotationId>,
    /// The note being typed for an annotation, recorded as one edit when the analyst stops.
    pub note_draft: Option<(AnnotationId, String)>,
    pub font_size: f32,
    pub dark: bool,
    /// Scroll the reader so that this code point offset is in view (then cleared).
    pub scroll_to: Option<usize>,
    /// The annotation to flash and when the flash started (`ctx` time, seconds).
    pub flash: Option<(AnnotationId, f64)>,
    /// A short status line and when it was set.
    pub status: Option<(String, f64)>,
}

impl ViewState {
    /// The text selected, in code points, unless the selection is empty (a caret).
    pub fn selected_range(&self) -> Option<std::ops::Range<usize>> {
        self.selection.filter(|s| !s.is_empty()).map(|s| s.range())
    }
}

/// The Claimlens application.
pub struct App {
    pub doc: Document,
    pub view: ViewState,
    pub settings: Settings,
    pub reader: ui::reader::ReaderCache,
    /// The annotation list's groups, kept up to date change by change.
    pub list: ui::side_panel::ListIndex,
    /// The claim tree (the list's other view), kept up to date change by change.
    pub claims: ui::relations::ClaimTreeView,
    /// The status bar's and the details' texts laid out in earlier frames.
    pub texts: ui::kept_text::KeptTexts,
    /// Measures the paragraphs' heights for the reader in the background.
    pub heights: heights::HeightMeasurer,
    /// Shown in a modal until dismissed.
    pub message: Option<Message>,
    /// A way out offered with the message (a button that runs the action).
    pub offer: Option<(String, Action)>,
    /// Unsaved work found at start (recovery records), until restored or discarded.
    pub recoveries: Vec<(PathBuf, Result<recovery::RecoveryRecord, String>)>,
    autosave: Option<Autosave>,
    /// Re-anchoring running in the background, if any.
    pub reanchor_job: Option<ReanchorJob>,
    /// A file being opened in the background, if any.
    pub open_job: Option<OpenJob>,
    /// The outcome of the last re-anchoring, and whether it ran in the background.
    pub last_reanchor: Option<(crate::model::ReanchorSummary, bool)>,
    /// Set while asking for a path in the app (no native file dialog on this desktop).
    pub path_prompt: Option<PathPrompt>,
    /// Set while asking Save / Discard / Cancel: the action to run once the user has answered.
    pub unsaved_prompt: Option<Action>,
    /// The label-set editor and the presets list.
    pub labels: LabelsState,
    /// Run after the next successful save (for "Save" in the unsaved-changes prompt).
    after_save: Option<Action>,
    /// The thread that writes set files (started at the first save; see [`saving`]).
    saver: Option<saving::Saver>,
    /// Saves asked for and not reported back yet, and the (document, revision) of the newest.
    saves_pending: usize,
    saving: Option<(u64, u64)>,
    /// Numbers the documents opened in this run (a save reports which one it wrote).
    doc_serial: u64,
    /// Actions pushed by the UI this frame.
    pub(crate) actions: Vec<Action>,
    /// Actions sent back by background work (dialog answers).
    inbox_tx: mpsc::Sender<Action>,
    inbox_rx: mpsc::Receiver<Action>,
    dialogs: Box<dyn Dialogs>,
    clock: Box<dyn Fn() -> Timestamp>,
    persist_settings: bool,
    open_timeout: std::time::Duration,
    /// A text field had keyboard focus at the end of the last frame. egui drops focus on
    /// Escape before our key handling runs, so this keeps that Escape in the field.
    text_focus_last_frame: bool,
    /// The user chose Discard: the next guarded action may replace unsaved work.
    discard_confirmed: bool,
    /// The user confirmed quitting; let the next close request through.
    quitting: bool,
    /// Bumped on every keystroke in a note (the draft is autosaved too).
    draft_revision: u64,
    /// The open article file's modification time and size when read, and when it was last
    /// looked at (`ctx` time), to notice it changing on disk.
    article_stamp: Option<(PathBuf, Option<std::time::SystemTime>, u64)>,
    article_checked: f64,
    title_shown: String,
    ctx: egui::Context,
}

impl App {
    /// Builds the app for eframe (or for an `egui_kittest` harness).
    pub fn new(cc: &eframe::CreationContext<'_>, options: StartOptions) -> Self {
        let settings = if options.persist_settings {
            cc.storage
                .and_then(|s| eframe::get_value::<Settings>(s, SETTINGS_KEY))
                .unwrap_or_default()
        } else {
            Settings::default()
        };
        Self::with_context(cc.egui_ctx.clone(), settings, options)
    }

    /// Builds the app on a bare egui context (for headless use and benchmarks).
    pub fn with_context(ctx: egui::Context, settings: Settings, options: StartOptions) -> Self {
        ctx.options_mut(|o| o.zoom_with_keyboard = false);
        let (inbox_tx, inbox_rx) = mpsc::channel();
        let view = ViewState {
            font_size: settings.font_size.clamp(MIN_FONT_SIZE, MAX_FONT_SIZE),
            dark: settings.dark,
            ..ViewState::default()
        };
        let mut app = Self {
            doc: Document::sample(),
            view,
            settings,
            reader: ui::reader::ReaderCache::default(),
            list: ui::side_panel::ListIndex::default(),
            texts: ui::kept_text::KeptTexts::default(),
            claims: ui::relations::ClaimTreeView::default(),
            heights: heights::HeightMeasurer::new(ctx.clone()),
            message: None,
            offer: None,
            recoveries: Vec::new(),
            autosave: None,
            unsaved_prompt: None,
            labels: LabelsState {
                presets_dir: options.presets_dir.or_else(presets::default_presets_dir),
                ..LabelsState::default()
            },
            path_prompt: None,
            reanchor_job: None,
            open_job: None,
            last_reanchor: None,
            after_save: None,
            saver: None,
            saves_pending: 0,
            saving: None,
            doc_serial: 0,
            actions: Vec::new(),
            inbox_tx,
            inbox_rx,
            dialogs: options.dialogs,
            clock: options.clock,
            persist_settings: options.persist_settings,
            open_timeout: options.open_timeout,
            quitting: false,
            draft_revision: 0,
            article_stamp: None,
            article_checked: 0.0,
            text_focus_last_frame: false,
            discard_confirmed: false,
            title_shown: String::new(),
            ctx,
        };
        if let Some(dir) = options.recovery_dir {
            app.recoveries = recovery::list(&dir);
            match recovery::Autosaver::start() {
                Ok(saver) => {
                    app.autosave = Some(Autosave {
                        saver,
                        dir,
                        record: None,
                        handled: None,
                        pending_since: None,
                    });
                }
                Err(err) => log::warn!("autosave is off: {err}"),
            }
        }
        match (options.open, options.set) {
            (Some(article), Some(set)) => app.apply(Action::OpenWithSet { article, set }),
            (Some(path), None) => app.apply(Action::Open(path)),
            (None, Some(set)) => app.apply(Action::Open(set)),
            (None, None) => {}
        }
        // Before the first frame: a theme set during a frame takes effect in the next, and a
        // change of theme can change the text options, which makes egui drop every layout and
        // glyph, so the second frame would lay out the whole window again (about 6 ms).
        app.apply_theme(&app.ctx);
        app
    }

    /// Sets egui's theme to the view's, if it is not that already (whoever set it: an
    /// `egui_kittest` harness sets its own after the app is built).
    fn apply_theme(&self, ctx: &egui::Context) {
        let theme = if self.view.dark {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        };
        if ctx.theme() != theme {
            ctx.set_theme(theme);
        }
    }

    /// Queues an action, as a UI function would.
    pub fn push(&mut self, action: Action) {
        self.actions.push(action);
    }

    fn now(&self) -> Timestamp {
        (self.clock)()
    }

    fn time(&self) -> f64 {
        self.ctx.input(|i| i.time)
    }

    fn set_status(&mut self, text: impl Into<String>) {
        self.view.status = Some((text.into(), self.time()));
    }

    fn show_error(&mut self, title: &str, err: &dyn std::fmt::Display) {
        log::warn!("{title}: {err}");
        self.message = Some(Message {
            title: title.to_owned(),
            body: err.to_string(),
            is_error: true,
        });
    }

    /// Applies one action. The only place that changes the document.
    pub fn apply(&mut self, action: Action) {
        match action {
            // Unsaved changes are asked about once a file is chosen (`Open`), not before.
            Action::OpenDialog => {
                let start_dir = self
                    .doc
                    .article_path()
                    .and_then(Path::parent)
                    .map(Path::to_owned);
                self.ask(DialogRequest::Open { start_dir }, Box::new(Action::Open));
            }
            Action::Open(path) => {
                self.guard_unsaved(Action::Open(path.clone()), |app| app.open(&path, None));
            }
            Action::OpenWithSet { article, set } => {
                let again = Action::OpenWithSet {
                    article: article.clone(),
                    set: set.clone(),
                };
                self.guard_unsaved(again, |app| app.open(&article, Some(&set)));
            }
            Action::CancelOpen => {
                if let Some(job) = self.open_job.take() {
                    self.set_status(format!("Stopped opening {}", job.path.display()));
                }
            }
            Action::OpenSample => self.guard_unsaved(Action::OpenSample, |app| {
                app.replace_document(Document::sample());
            }),
            Action::Save => match self.doc.set_path.clone() {
                Some(path) => self.save_to(&path),
                // A new set of an article file goes beside it, unless a file is already there.
                None => match self.doc.article_path().map(store::default_set_path) {
                    Some(path) if !path.exists() => self.save_to(&path),
                    _ => self.apply(Action::SaveAsDialog),
                },
            },
            Action::SaveAsDialog => {
                let suggested = self
                    .doc
                    .set_path
                    .clone()
                    .unwrap_or_else(|| self.doc.default_set_path());
                self.ask(
                    DialogRequest::SaveSet { suggested },
                    Box::new(Action::SaveTo),
                );
            }
            Action::SaveTo(path) => self.save_to(&path),
            Action::SaveDone(done) => self.save_done(done),
            Action::Quit => self.guard_unsaved(Action::Quit, |app| {
                // Saved or discarded: nothing to recover. Removed now, before the window goes.
                app.forget_recovery_record();
                app.quitting = true;
                app.ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }),
            Action::AnswerUnsaved(choice) => self.answer_unsaved(choice),
            Action::DismissMessage => {
                self.message = None;
                self.offer = None;
            }
            Action::ReloadArticle => {
                if let Some(path) = self.doc.article_path().map(Path::to_owned) {
                    let read = path.clone();
                    self.open_with(&path, OpenOrigin::Reload, move || {
                        let article = document::read_article(&read)?;
                        Ok(document::Loaded::Ready {
                            article: Box::new(article),
                            source: ArticleSource::File(read.clone()),
                            set: None,
                            remember: read,
                        })
                    });
                }
            }
            Action::RestoreRecovery(record) => {
                let again = Action::RestoreRecovery(record.clone());
                self.guard_unsaved(again, |app| app.restore(record));
            }
            Action::DiscardRecovery(record) => {
                if let Err(err) = std::fs::remove_file(&record)
                    && err.kind() != std::io::ErrorKind::NotFound
                {
                    self.show_error("Could not remove the recovery file", &err);
                }
                self.recoveries.retain(|(p, _)| *p != record);
            }
            Action::OpenBackup { set, backup } => {
                let again = Action::OpenBackup {
                    set: set.clone(),
                    backup: backup.clone(),
                };
                self.guard_unsaved(again, |app| {
                    let (set_owned, backup_owned) = (set.clone(), backup.clone());
                    app.open_with(&set, OpenOrigin::Backup(backup), move || {
                        document::load_backup(&set_owned, &backup_owned)
                    });
                });
            }
            Action::PathPromptShow { purpose, text } => {
                self.path_prompt = Some(PathPrompt { purpose, text });
            }
            Action::ExportDialog(format) => {
                let suggested = self.suggested_export_path(format);
                self.ask(
                    DialogRequest::Export { suggested, format },
                    Box::new(move |path| Action::ExportTo(format, path)),
                );
            }
            Action::ExportTo(format, path) => self.export_to(format, &path),
            Action::CopyBrief => {
                let source = self.article_source_name();
                let brief = crate::export::markdown::brief(&self.export_input(&source));
                let chars = brief.chars().count();
                self.ctx.copy_text(brief);
                self.set_status(format!("Copied the brief as Markdown ({chars} characters)"));
            }
            Action::PathPromptEdit(text) => {
                if let Some(prompt) = &mut self.path_prompt {
                    prompt.text = text;
                }
            }
            Action::PathPromptAnswer(accepted) => {
                if let Some(prompt) = self.path_prompt.take()
                    && accepted
                    && !prompt.text.trim().is_empty()
                {
                    let path = PathBuf::from(prompt.text.trim());
                    self.apply(match prompt.purpose {
                        PromptPurpose::SaveSet => Action::SaveTo(path),
                        PromptPurpose::Open => Action::Open(path),
                        PromptPurpose::Export(format) => Action::ExportTo(format, path),
                        PromptPurpose::ImportPreset => {
                            Action::Labels(LabelsAction::LoadPreset(path))
                        }
                        PromptPurpose::ExportPreset => {
                            Action::Labels(LabelsAction::ExportPreset(path))
                        }
                        PromptPurpose::OpenOther => Action::Sets(SetsAction::Open(path)),
                    });
                } else {
                    self.after_save = None;
                }
            }

            Action::Mark(label) => self.mark(label),
            Action::Delete(id) => {
                self.commit_note_draft();
                if let Some(a) = self.doc.set.get(id) {
                    let message = deleted_message(a);
                    // The annotation and its relations, as one undo step.
                    self.record(crate::model::delete_edits(&self.doc.set, id));
                    self.view.selected = None;
                    self.set_status(message);
                }
            }
            Action::SetLabel(id, label) => {
                // Drops the attribute values the new label does not define.
                let now = self.now();
                if let Some(edit) = crate::model::relabel_edit(&self.doc.set, id, &label, now) {
                    self.record(vec![edit]);
                }
            }
            Action::SetNote(id, note) => {
                if self.view.note_draft.as_ref().is_some_and(|(d, _)| *d == id) {
                    self.view.note_draft = None;
                }
                self.set_note(id, note);
            }
            Action::DraftNote(id, text) => {
                self.view.note_draft = Some((id, text));
                self.draft_revision += 1;
            }
            Action::Reanchor => {
                if self.reanchor_job.is_none() {
                    self.commit_note_draft();
                    self.start_reanchoring();
                }
            }
            Action::ReanchorDone {
                article_hash,
                placements,
            } => self.finish_reanchoring(&article_hash, &placements),
            Action::ReviewAccept(id) => self.decide(id, &ReviewDecision::Accept),
            Action::ReviewReattach(id) => match self.view.selection.filter(|s| !s.is_empty()) {
                Some(sel) => {
                    self.decide(id, &ReviewDecision::Reattach(sel.range()));
                    self.view.selection = None;
                }
                None => self.set_status("Select the text to attach it to first"),
            },
            Action::Undo => {
                self.commit_note_draft();
                match self.doc.history.undo(Arc::make_mut(&mut self.doc.set)) {
                    Some(ids) => self.after_history_step(ids, "Undone"),
                    None => self.set_status("Nothing to undo"),
                }
            }
            Action::Redo => {
                self.commit_note_draft();
                match self.doc.history.redo(Arc::make_mut(&mut self.doc.set)) {
                    Some(ids) => self.after_history_step(ids, "Redone"),
                    None => self.set_status("Nothing to redo"),
                }
            }

            Action::StartLink(id) => {
                self.commit_note_draft();
                if self.doc.set.get(id).is_some() {
                    self.view.selected = Some(id);
                    self.view.link = Some(LinkState {
                        from: id,
                        query: String::new(),
                        row: 0,
                        target: None,
                        option: 0,
                    });
                }
            }
            Action::LinkQuery(query) => {
                if let Some(link) = &mut self.view.link {
                    link.query = query;
                    link.row = 0;
                }
            }
            Action::LinkMove(delta) => {
                if let Some(link) = &mut self.view.link {
                    let at = if link.target.is_some() {
                        &mut link.option
                    } else {
                        &mut link.row
                    };
                    *at = at.saturating_add_signed(delta as isize);
                }
            }
            Action::LinkPick(id) => {
                if let Some(link) = &mut self.view.link {
                    if id == link.from {
                        self.set_status("Pick another annotation to link to");
                    } else {
                        link.target = Some(id);
                        link.option = 0;
                    }
                }
            }
            Action::LinkBack => {
                if let Some(link) = &mut self.view.link {
                    link.target = None;
                }
            }
            Action::LinkCancel => self.view.link = None,
            Action::AddRelation(option) => {
                self.commit_note_draft();
                match crate::model::add_relation_edit(
                    &self.doc.set,
                    &option.kind,
                    option.from,
                    option.to,
                ) {
                    Ok(edit) => {
                        self.record(vec![edit]);
                        self.view.link = None;
                        let text = self.relation_sentence(&option.kind, option.from, option.to);
                        self.set_status(format!("Linked: {text}"));
                    }
                    Err(err) => self.set_status(format!("Cannot link these: {err}")),
                }
            }
            Action::RemoveRelation(id) => {
                if let Some(relation) = self.doc.set.relation(id).cloned() {
                    self.commit_note_draft();
                    let text = self.relation_sentence(&relation.kind, relation.from, relation.to);
                    self.record(vec![Edit::RemoveRelation(relation)]);
                    self.set_status(format!("Removed the link: {text}"));
                }
            }
            Action::SetFilter(filter) => {
                self.view.filter = filter;
                self.view.hidden_for = None;
            }
            Action::SetListView(list_view) => self.view.list_view = list_view,
            Action::FindOpen => {
                self.view.find.get_or_insert_with(FindState::default);
                self.ctx
                    .memory_mut(|m| m.request_focus(ui::find::field_id()));
                // A short selection is what the analyst wants to find.
                if let Some(sel) = self.view.selection.filter(|s| !s.is_empty())
                    && sel.range().len() <= 200
                {
                    let text = self.doc.article.slice(sel.range()).to_owned();
                    if !text.contains('\n') {
                        self.find(text);
                    }
                }
            }
            Action::FindQuery(query) => self.find(query),
            Action::FindStep(forward) => match &mut self.view.find {
                None => self.apply(Action::FindOpen),
                Some(find) if !find.matches.is_empty() => {
                    let n = find.matches.len();
                    let next = match find.current {
                        Some(i) if forward => (i + 1) % n,
                        Some(i) => (i + n - 1) % n,
                        None => 0,
                    };
                    self.show_match(next);
                }
                Some(_) => {}
            },
            Action::FindClose => self.view.find = None,
            Action::SetTextSelection(selection) => self.view.selection = selection,
            Action::SelectAnnotation(id) => self.select(id),
            Action::Reveal(id) => {
                self.select(Some(id));
                if let Some(a) = self.doc.set.get(id) {
                    let place = match &a.review {
                        Some(review) => review.proposal.map(|p| p.start),
                        None if !self.doc.unplaced.contains(&id) => Some(a.anchor.position.start),
                        None => None,
                    };
                    if let Some(start) = place {
                        self.view.scroll_to = Some(start);
                        self.view.flash = Some((id, self.time()));
                    }
                }
            }
            Action::RevealStep(forward) => {
                let shown = |a: &&Annotation| {
                    !self.doc.unplaced.contains(&a.id) && !self.view.hidden.contains(&a.id)
                };
                // The set is in canonical order: step from the selected one's place.
                let annotations = &self.doc.set.annotations;
                let here = self.view.selected.and_then(|id| annotations.index_of(id));
                let next = if forward {
                    let from = here.map_or(0, |i| i + 1);
                    (from..annotations.len())
                        .map(|i| &annotations[i])
                        .find(shown)
                } else {
                    let upto = here.unwrap_or(annotations.len());
                    (0..upto).rev().map(|i| &annotations[i]).find(shown)
                };
                match next.map(|a| a.id) {
                    Some(id) => self.apply(Action::Reveal(id)),
                    None => self.set_status(if forward {
                        "No annotation after this one"
                    } else {
                        "No annotation before this one"
                    }),
                }
            }
            Action::CopySelection => {
                if let Some(sel) = self.view.selection.filter(|s| !s.is_empty()) {
                    let text = self.doc.article.slice(sel.range()).to_owned();
                    self.ctx.copy_text(text);
                }
            }
            Action::ZoomIn => self.set_font_size(self.view.font_size + 2.0),
            Action::ZoomOut => self.set_font_size(self.view.font_size - 2.0),
            Action::ZoomReset => self.set_font_size(DEFAULT_FONT_SIZE),
            Action::ToggleTheme => {
                self.view.dark = !self.view.dark;
                self.settings.dark = self.view.dark;
            }
            Action::Labels(action) => self.apply_labels(action),
            Action::SetAttribute {
                id,
                attribute,
                value,
            } => self.set_attribute(id, &attribute, value),
            Action::SetTags(id, tags) => self.set_tags(id, &tags),
            Action::Sets(action) => self.apply_sets(action),
        }
    }

    /// "“quote” attributed to “quote”", for status lines.
    fn relation_sentence(
        &self,
        kind: &crate::model::RelationTypeId,
        from: AnnotationId,
        to: AnnotationId,
    ) -> String {
        let quote = |id| {
            self.doc
                .set
                .get(id)
                .map(|a| ui::reader::elide(&a.anchor.quote.exact, 40))
                .unwrap_or_default()
        };
        format!(
            "“{}” {} “{}”",
            quote(from),
            self.doc.set.labels.relation_name_of(kind),
            quote(to)
        )
    }

    /// Finds `query` in the article and shows the first match from the reading position on.
    fn find(&mut self, query: String) {
        let article = &self.doc.article;
        let find = self.view.find.get_or_insert_with(FindState::default);
        let folded = match &find.folded {
            Some((hash, folded)) if *hash == article.hash => folded.clone(),
            _ => {
                let folded = Arc::new(crate::model::FoldedText::new(&article.text));
                find.folded = Some((article.hash.clone(), folded.clone()));
                folded
            }
        };
        find.matches = folded.find_all(&query, FIND_LIMIT);
        find.query = query;
        find.current = None;
        let from = self.view.selection.map_or(0, |s| s.range().start);
        let count = find.matches.len();
        let first = find.matches.partition_point(|m| m.start < from);
        if count > 0 {
            self.show_match(first % count);
        }
    }

    /// Makes match `index` the current one: selected (so 1–9 marks it) and scrolled to.
    fn show_match(&mut self, index: usize) {
        let Some(find) = &mut self.view.find else {
            return;
        };
        let Some(range) = find.matches.get(index).cloned() else {
            return;
        };
        find.current = Some(index);
        self.view.selection = Some(TextSelection {
            anchor: range.start,
            head: range.end,
        });
        self.view.scroll_to = Some(range.start);
    }

    /// Recomputes the annotations the filter hides, when the filter or the set changed.
    fn refresh_filter(&mut self) {
        if self.view.hidden_for == Some(self.doc.generation) {
            return;
        }
        let filter = &self.view.filter;
        let changes = self
            .view
            .hidden_for
            .and_then(|since| self.doc.changes_since(since));
        match changes {
            // No filter: nothing hidden, and nothing to go over.
            _ if filter.is_empty() => {
                if !self.view.hidden.is_empty() {
                    self.view.hidden.clear();
                    self.view.hidden_version += 1;
                }
            }
            // The same filter after edits: only what they touched is looked at again.
            Some(changes) => {
                for &id in changes.iter().flat_map(|t| &t.annotations) {
                    match self.doc.set.get(id) {
                        Some(a) if !filter.matches(a) => self.view.hidden.insert(id),
                        _ => self.view.hidden.remove(&id),
                    };
                }
            }
            None => {
                self.view.hidden = self
                    .doc
                    .set
                    .annotations
                    .iter()
                    .filter(|a| !filter.matches(a))
                    .map(|a| a.id)
                    .collect();
                self.view.hidden_version += 1;
            }
        }
        self.view.hidden_for = Some(self.doc.generation);
        // Link mode ends when its annotations are gone (undo, another document).
        if let Some(link) = &self.view.link
            && (self.doc.set.get(link.from).is_none()
                || link.target.is_some_and(|t| self.doc.set.get(t).is_none()))
        {
            self.view.link = None;
        }
    }

    /// What names the open document's recovery record: its set file, else its article.
    fn recovery_key(&self) -> String {
        match (&self.doc.set_path, self.doc.article_path()) {
            (Some(set), _) => document::absolute(set).display().to_string(),
            (None, Some(article)) => document::absolute(article).display().to_string(),
            (None, None) => SAMPLE_REF.to_owned(),
        }
    }

    /// Writes the recovery record when there is unsaved work (at most [`recovery::AUTOSAVE_DELAY`]
    /// after the first change not yet written), removes it when there is none. The set is
    /// copied here and written on the autosave thread.
    fn autosave_tick(&mut self) {
        if !self.recoveries.is_empty() || self.quitting {
            // Until the analyst decides about the work found at start, touch no record; once
            // quitting (saved or discarded), write none.
            return;
        }
        let now = self.time();
        let identity = (
            self.doc.set_path.clone(),
            self.doc.article_path().map(Path::to_owned),
        );
        let known = match &self.autosave {
            None => return,
            Some(auto) => auto
                .record
                .as_ref()
                .filter(|(_, named_for)| *named_for == identity)
                .map(|(path, _)| path.clone()),
        };
        let path = match known {
            Some(path) => path,
            None => {
                let key = self.recovery_key();
                let Some(auto) = &mut self.autosave else {
                    return;
                };
                let path = recovery::record_path(&auto.dir, &key);
                if let Some((old, _)) = auto.record.take()
                    && old != path
                {
                    // Saved under another name, or another document: the old record is settled.
                    auto.saver.remove(old);
                    auto.handled = None;
                }
                auto.record = Some((path.clone(), identity));
                path
            }
        };
        let Some(auto) = &mut self.autosave else {
            return;
        };
        if let Some(err) = auto.saver.take_error() {
            self.view.status = Some((format!("Autosave failed: {err}"), now));
        }
        let stamp = (self.doc.generation, self.draft_revision);
        if auto.handled == Some(stamp) {
            return;
        }
        let draft = self
            .view
            .note_draft
            .as_ref()
            .filter(|(id, text)| self.doc.set.get(*id).is_some_and(|a| a.note != *text));
        if !self.doc.is_dirty() && draft.is_none() {
            auto.saver.remove(path);
            auto.handled = Some(stamp);
            auto.pending_since = None;
            return;
        }
        let since = *auto.pending_since.get_or_insert(now);
        let delay = recovery::AUTOSAVE_DELAY.as_secs_f64();
        if now - since < delay {
            self.ctx
                .request_repaint_after(std::time::Duration::from_secs_f64(delay - (now - since)));
            return;
        }
        // Shared, not copied: the autosave thread puts the note being typed into its own copy.
        let set = self.doc.set.clone();
        let draft = draft.cloned();
        let article = match self.doc.article_path() {
            Some(p) => document::absolute(p).display().to_string(),
            None => SAMPLE_REF.to_owned(),
        };
        let when = (self.clock)();
        auto.saver.write(recovery::RecordWrite {
            path,
            set,
            draft,
            article,
            set_path: self.doc.set_path.clone(),
            written: when,
            generation: self.doc.generation,
        });
        auto.handled = Some(stamp);
        auto.pending_since = None;
    }

    /// Removes the open document's recovery record now (on the UI thread: the app may be about
    /// to exit).
    fn forget_recovery_record(&mut self) {
        let key = self.recovery_key();
        if let Some(auto) = &mut self.autosave {
            let path = recovery::record_path(&auto.dir, &key);
            auto.saver
                .remove_now(path, std::time::Duration::from_secs(2));
            auto.handled = None;
        }
    }

    /// Every two seconds: has the open article's file changed on disk? Then say so and offer to
    /// read it again (the annotations are re-anchored; nothing is lost).
    fn watch_article(&mut self) {
        const EVERY: f64 = 2.0;
        let now = self.time();
        let Some((path, modified, len)) = self.article_stamp.clone() else {
            return;
        };
        self.ctx
            .request_repaint_after(std::time::Duration::from_secs_f64(EVERY));
        if now - self.article_checked < EVERY || self.open_job.is_some() {
            return;
        }
        self.article_checked = now;
        let current = file_stamp(&path);
        if current.1 == modified && current.2 == len {
            return;
        }
        let gone = !path.exists();
        self.article_stamp = Some(current);
        if self.message.is_some() || self.unsaved_prompt.is_some() {
            return;
        }
        let name = path.display().to_string();
        if gone {
            self.message = Some(Message {
                title: "The article was moved or deleted".to_owned(),
                body: format!(
                    "{name} is no longer there. The article stays open as it was read, and your \
                     annotations are safe; save them as usual."
                ),
                is_error: false,
            });
            return;
        }
        self.message = Some(Message {
            title: "The article changed on disk".to_owned(),
            body: format!(
                "{name} was changed by another program since Claimlens read it. Read it again \
                 to see the new text: your annotations are re-anchored to it, and those that \
                 cannot be placed confidently wait for your review. Nothing is dropped."
            ),
            is_error: false,
        });
        self.offer = Some((
            "Read it again and re-anchor".to_owned(),
            Action::ReloadArticle,
        ));
    }

    /// Replaces the open article by its new version, keeping the set and its history, and
    /// re-anchors (one undoable step).
    fn reload_article(&mut self, article: crate::model::Article) {
        self.commit_note_draft();
        let same = article.hash == self.doc.article.hash;
        self.doc.article = article.into();
        self.doc.refresh();
        self.reader = ui::reader::ReaderCache::default();
        self.view.selection = None;
        self.view.find = None;
        self.article_stamp = self.doc.article_path().map(file_stamp);
        if same {
            self.set_status("The article's text is unchanged");
        } else if self.doc.needs_reanchoring() {
            self.start_reanchoring();
        } else {
            self.set_status("Read the new version of the article");
        }
    }

    /// The generation of the document last written to its recovery record (tests wait on it).
    pub fn autosaved_generation(&self) -> Option<u64> {
        self.autosave.as_ref().map(|a| a.saver.written_generation())
    }

    /// Opens the unsaved work of a recovery record: its article, with its set, unsaved.
    fn restore(&mut self, record_path: PathBuf) {
        let record = match recovery::read(&record_path) {
            Ok(record) => record,
            Err(err) => {
                self.show_error("Could not read the unsaved work", &err);
                return;
            }
        };
        let source = if record.article == SAMPLE_REF {
            ArticleSource::Sample
        } else {
            ArticleSource::File(PathBuf::from(&record.article))
        };
        let set_path = record.set_path.clone();
        let home = set_path.clone().unwrap_or_else(|| match &source {
            ArticleSource::File(p) => store::default_set_path(p),
            ArticleSource::Sample => Document::sample().default_set_path(),
        });
        let origin = OpenOrigin::Recovery {
            record: record_path.clone(),
            set_path,
        };
        let shown = match &source {
            ArticleSource::File(p) => p.clone(),
            ArticleSource::Sample => PathBuf::from(SAMPLE_REF),
        };
        self.open_with(&shown, origin, move || {
            let article = document::load_source(&source)?;
            let set = record.set(&record_path)?;
            Ok(document::Loaded::Ready {
                article: Box::new(article),
                source,
                set: Some((set, home)),
                remember: record_path,
            })
        });
    }

    fn set_font_size(&mut self, size: f32) {
        self.view.font_size = size.clamp(MIN_FONT_SIZE, MAX_FONT_SIZE);
        self.settings.font_size = self.view.font_size;
    }

    /// Runs `then` now if there are no unsaved changes, otherwise asks Save / Discard / Cancel
    /// first and runs `action` again once the answer allows it.
    fn guard_unsaved(&mut self, action: Action, then: impl FnOnce(&mut Self)) {
        self.commit_note_draft();
        let discarded = std::mem::take(&mut self.discard_confirmed);
        if self.doc.is_dirty() && !discarded && self.saving_current() {
            // Saved once the save under way is written.
            self.after_save = Some(action);
        } else if self.doc.is_dirty() && !discarded {
            self.unsaved_prompt = Some(action);
        } else {
            then(self);
        }
    }

    fn answer_unsaved(&mut self, choice: UnsavedChoice) {
        let Some(pending) = self.unsaved_prompt.take() else {
            return;
        };
        match choice {
            UnsavedChoice::Cancel => {}
            UnsavedChoice::Discard => {
                // Let the guard through once. If the action then fails (a file that does not
                // open), the open work is still marked unsaved.
                self.discard_confirmed = true;
                self.apply(pending);
                self.discard_confirmed = false;
            }
            UnsavedChoice::Save => {
                self.after_save = Some(pending);
                self.apply(Action::Save);
            }
        }
    }

    /// Shows a dialog in the background; its answer comes back as an action. Where the desktop
    /// has no file dialog, the app's own path prompt asks instead.
    fn ask(
        &mut self,
        request: DialogRequest,
        on_answer: Box<dyn FnOnce(PathBuf) -> Action + Send>,
    ) {
        let tx = self.inbox_tx.clone();
        let ctx = self.ctx.clone();
        let (purpose, suggested) = request.purpose();
        self.dialogs.show(
            request,
            Box::new(move |answer| {
                let action = match answer {
                    DialogAnswer::Chosen(path) => Some(on_answer(path)),
                    DialogAnswer::Cancelled => None,
                    DialogAnswer::Unavailable => Some(Action::PathPromptShow {
                        purpose,
                        text: suggested
                            .map(|p| p.display().to_string())
                            .unwrap_or_default(),
                    }),
                };
                if let Some(action) = action {
                    let _ = tx.send(action);
                }
                ctx.request_repaint();
            }),
        );
    }

    /// What an export of the open document needs.
    fn export_input<'a>(&'a self, source: &'a str) -> crate::export::ExportInput<'a> {
        crate::export::ExportInput {
            article: &self.doc.article,
            set: &self.doc.set,
            article_source: source,
            exported: self.now(),
        }
    }

    /// How exports name the article: its path, or `claimlens:sample`.
    fn article_source_name(&self) -> String {
        self.doc
            .article_path()
            .map_or_else(|| SAMPLE_REF.to_owned(), |p| p.display().to_string())
    }

    /// `story.txt` → `story.brief.md`, `story.html`, `story.csv`… beside the article (or the
    /// set, for the sample).
    fn suggested_export_path(&self, format: crate::export::ExportFormat) -> PathBuf {
        let base = self
            .doc
            .article_path()
            .map(Path::to_owned)
            .unwrap_or_else(|| self.doc.default_set_path());
        let stem = base
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .split('.')
                    .next()
                    .unwrap_or("article")
                    .to_owned()
            })
            .unwrap_or_else(|| "article".to_owned());
        let name = match format {
            crate::export::ExportFormat::Md => format!("{stem}.brief.md"),
            _ => format!("{stem}.{}", format.extension()),
        };
        base.with_file_name(name)
    }

    /// Writes an export; brat writes `.txt` beside the `.ann`. Never over the article or set.
    fn export_to(&mut self, format: crate::export::ExportFormat, path: &Path) {
        let source = self.article_source_name();
        let files = match crate::export::export(&self.export_input(&source), format) {
            Ok(files) => files,
            Err(err) => return self.show_error("Could not export", &err),
        };
        let mut written = Vec::new();
        for file in &files {
            let target = crate::export::file_path(path, files.len(), file);
            let protected = [self.doc.article_path(), self.doc.set_path.as_deref()];
            if protected.into_iter().flatten().any(|p| p == target) {
                let err = format!(
                    "{} is the article or the set itself; choose another file name",
                    target.display()
                );
                return self.show_error("Could not export", &err);
            }
            if let Err(err) = store::write_atomically(&target, file.contents.as_bytes()) {
                let err = format!("could not write {}: {err}", target.display());
                return self.show_error("Could not export", &err);
            }
            written.push(target.display().to_string());
        }
        self.set_status(format!(
            "Exported {} to {}",
            format.name(),
            written.join(" and ")
        ));
    }

    /// Starts opening `path` on a worker thread with a big stack; the result is installed by
    /// [`App::poll_open_job`]. The open document stays as it is until then, and stays if the
    /// file cannot be opened, takes too long, or the user cancels.
    fn open(&mut self, path: &Path, with_set: Option<&Path>) {
        let (path_owned, set_owned) = (path.to_owned(), with_set.map(Path::to_owned));
        self.open_with(path, OpenOrigin::File, move || {
            document::load(&path_owned, set_owned.as_deref())
        });
    }

    /// Runs `load` on the open worker; its result is installed by [`Self::poll_open_job`].
    fn open_with(
        &mut self,
        path: &Path,
        origin: OpenOrigin,
        load: impl FnOnce() -> Result<document::Loaded, OpenError> + Send + 'static,
    ) {
        let (tx, rx) = mpsc::channel();
        let ctx = self.ctx.clone();
        let reload = matches!(origin, OpenOrigin::Reload);
        let spawned = std::thread::Builder::new()
            .name("open".into())
            .stack_size(document::IMPORT_STACK_BYTES)
            .spawn(move || {
                let opened = load().map(|loaded| match loaded {
                    document::Loaded::Ready {
                        article,
                        source,
                        set,
                        remember,
                    } if !reload => {
                        let doc = Document::new(*article, source, set);
                        let index = ui::reader::HighlightIndex::new(&doc);
                        Opened::Document {
                            doc: Box::new(doc),
                            index,
                            remember,
                        }
                    }
                    other => Opened::Read(Box::new(other)),
                });
                let _ = tx.send(opened);
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => {
                self.open_job = Some(OpenJob {
                    path: path.to_owned(),
                    started: std::time::Instant::now(),
                    origin,
                    rx,
                });
            }
            Err(err) => self.show_error("Could not start opening the file", &err),
        }
    }

    /// Installs a finished open, or gives up on one that ran past [`OPEN_TIMEOUT`].
    fn poll_open_job(&mut self) {
        let Some(job) = &self.open_job else {
            return;
        };
        let result = match job.rx.try_recv() {
            Ok(result) => result,
            Err(mpsc::TryRecvError::Empty) if job.started.elapsed() < self.open_timeout => {
                // Keep the elapsed time in the status bar moving.
                self.ctx
                    .request_repaint_after(std::time::Duration::from_millis(250));
                return;
            }
            Err(_) => Err(OpenError::TimedOut {
                path: job.path.clone(),
                after: self.open_timeout,
            }),
        };
        let path = job.path.clone();
        let origin = job.origin.clone();
        self.open_job = None;
        let result = result.and_then(|opened| match opened {
            Opened::Read(read) => self.finish_read(*read),
            Opened::Document {
                doc,
                index,
                remember,
            } => {
                self.install_document(*doc);
                self.reader.adopt_index(index);
                if !matches!(origin, OpenOrigin::Recovery { .. }) {
                    self.remember(&remember);
                }
                Ok(())
            }
        });
        match result {
            Ok(()) => match origin {
                OpenOrigin::File | OpenOrigin::Reload => {}
                OpenOrigin::Backup(backup) => {
                    // Unsaved until the analyst saves it over the damaged file (which the save
                    // keeps as a backup in turn).
                    self.doc.saved_revision = u64::MAX;
                    self.set_status(format!(
                        "Opened {}; save to replace the damaged set with it",
                        backup.display()
                    ));
                }
                OpenOrigin::Recovery { record, set_path } => {
                    self.doc.saved_revision = u64::MAX;
                    self.doc.set_path = set_path;
                    self.recoveries.retain(|(p, _)| *p != record);
                    self.set_status(format!(
                        "Restored {} annotations of unsaved work; save to keep them",
                        self.doc.set.annotations.len()
                    ));
                }
            },
            Err(err) => {
                log::warn!("could not open {}: {err}", path.display());
                let mut body = format!("{err}\n\n{}", err.hint());
                self.offer = None;
                if let Some((backup, when)) = damaged_set(&err).and_then(good_backup) {
                    body.push_str(&format!(
                        "\n\nA backup of this set saved {when} opens without errors. Opening it \
                         changes nothing on disk until you save."
                    ));
                    let set = damaged_set(&err).map(Path::to_owned).unwrap_or_default();
                    self.offer = Some((
                        format!("Open the backup of {when}"),
                        Action::OpenBackup { set, backup },
                    ));
                }
                self.message = Some(Message {
                    title: "Could not open the file".to_owned(),
                    body,
                    is_error: true,
                });
            }
        }
    }

    /// Finishes what the open worker read but did not make into a document: a re-read of the
    /// open article, or a set whose article was not where it says (usable if the open article
    /// has its text).
    fn finish_read(&mut self, read: document::Loaded) -> Result<(), OpenError> {
        match read {
            document::Loaded::Ready { article, .. } => {
                // Only a reload leaves an article for the window to finish.
                self.reload_article(*article);
                Ok(())
            }
            document::Loaded::SetWithoutArticle {
                set,
                set_path,
                expected,
            } => {
                if self.doc.article.hash == set.article.content_hash {
                    let (article, source) = (self.doc.article.clone(), self.doc.source.clone());
                    self.install(article, source, Some((set, set_path.clone())));
                    self.remember(&set_path);
                    Ok(())
                } else {
                    Err(OpenError::ArticleMissing {
                        set: set_path,
                        expected,
                    })
                }
            }
        }
    }

    /// Makes a freshly read article and set the open document, and tells the user if the
    /// article changed since the set was saved.
    fn install(
        &mut self,
        article: impl Into<Arc<crate::model::Article>>,
        source: ArticleSource,
        set: Option<(crate::model::AnnotationSet, PathBuf)>,
    ) {
        self.install_document(Document::new(article, source, set));
    }

    /// [`App::install`] with the document made already (by the open worker).
    fn install_document(&mut self, doc: Document) {
        self.replace_document(doc);
        if self.doc.is_read_only() {
            let name = self.set_path_shown();
            self.message = Some(Message {
                title: "Opened read-only".to_owned(),
                body: format!(
                    "{name} was written by a newer Claimlens (format {}; this version reads up to \
                     format {}). It is shown as far as this version understands it: you can \
                     read, search, compare and export it, but not change or save it, so nothing \
                     the newer version wrote is lost.",
                    self.doc.set.format_version,
                    crate::model::FORMAT_VERSION
                ),
                is_error: false,
            });
            return;
        }
        if self.doc.needs_reanchoring() {
            self.start_reanchoring();
        }
    }

    /// Re-anchors the set against the open article: small sets at once, large ones on a
    /// background thread with progress in the status bar. The result arrives as
    /// `Action::ReanchorDone` and is applied as one undoable step.
    fn start_reanchoring(&mut self) {
        let set = self.doc.set.clone();
        let article = self.doc.article.clone();
        let work = set.annotations.len() * (1 + article.char_len() / 100_000);
        if work <= SYNC_REANCHOR_WORK {
            let placements =
                crate::model::reanchor_set(&set, &article, &Thresholds::default(), &mut |_, _| {});
            self.apply(Action::ReanchorDone {
                article_hash: article.hash.clone(),
                placements,
            });
            return;
        }
        let progress = Arc::new(AtomicUsize::new(0));
        self.reanchor_job = Some(ReanchorJob {
            progress: progress.clone(),
            total: set.annotations.len(),
        });
        let tx = self.inbox_tx.clone();
        let ctx = self.ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("reanchor".into())
            .spawn(move || {
                let placements = crate::model::reanchor_set(
                    &set,
                    &article,
                    &Thresholds::default(),
                    &mut |done, _| {
                        progress.store(done, Ordering::Relaxed);
                        ctx.request_repaint();
                    },
                );
                let _ = tx.send(Action::ReanchorDone {
                    article_hash: article.hash.clone(),
                    placements,
                });
                ctx.request_repaint();
            });
        if let Err(err) = spawned {
            self.reanchor_job = None;
            self.show_error("Could not start re-anchoring", &err);
        }
    }

    /// Applies finished re-anchoring (if it still belongs to the open article).
    fn finish_reanchoring(
        &mut self,
        article_hash: &crate::model::ContentHash,
        placements: &[(AnnotationId, crate::model::Placement)],
    ) {
        let background = self.reanchor_job.take().is_some();
        if *article_hash != self.doc.article.hash {
            return; // Another article was opened meanwhile.
        }
        let summary = crate::model::ReanchorSummary::of(placements);
        self.last_reanchor = Some((summary, background));
        let edits =
            crate::model::reanchor_edits(&self.doc.set, &self.doc.article, placements, self.now());
        self.record(edits);
        let text = format!(
            "Re-anchored {} annotations: {} placed, {} to review, {} not found",
            placements.len(),
            summary.anchored,
            summary.moved,
            summary.orphaned
        );
        if summary.needs_review() {
            let set_name = self.set_path_shown();
            self.message = Some(Message {
                title: "The article has changed".to_owned(),
                body: format!(
                    "The article's text differs from the version {set_name} was made against.\n\n\
                     {text}. Claimlens placed only the annotations it is sure of. The others are \
                     listed under \"Review after re-anchoring\" in the side panel with their old \
                     quote: accept a proposed place, re-attach to a selection, or delete. \
                     Nothing is dropped until you decide (Ctrl+Z undoes the re-anchoring)."
                ),
                is_error: false,
            });
        }
        self.set_status(text);
    }

    /// The set's path for messages (empty if it has none yet).
    fn set_path_shown(&self) -> String {
        self.doc
            .set_path
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    }

    fn replace_document(&mut self, doc: Document) {
        self.doc = doc;
        self.doc_serial += 1;
        self.article_stamp = self.doc.article_path().map(file_stamp);
        self.view.link = None;
        self.view.find = None;
        self.view.hidden_for = None;
        self.reanchor_job = None;
        self.view.selection = None;
        self.view.selected = None;
        self.view.note_draft = None;
        self.view.flash = None;
        self.view.scroll_to = Some(0);
        self.reader = ui::reader::ReaderCache::default();
    }

    fn remember(&mut self, path: &Path) {
        let path = document::absolute(path);
        self.settings.recent.retain(|p| p != &path);
        self.settings.recent.insert(0, path);
        self.settings.recent.truncate(MAX_RECENT);
    }

    fn save_to(&mut self, path: &Path) {
        self.commit_note_draft();
        if self.doc.is_read_only() {
            self.after_save = None;
            self.message = Some(Message {
                title: "This set is read-only".to_owned(),
                body: format!(
                    "It was written by a newer Claimlens (format {}; this version writes format \
                     {}). Saving it here would drop what this version does not know, so it is \
                     not saved. Open it with the newer Claimlens to change it; exporting works.",
                    self.doc.set.format_version,
                    crate::model::FORMAT_VERSION
                ),
                is_error: true,
            });
            return;
        }
        self.doc.prepare_for_save(path);
        if self.doc.set.analyst.is_empty() {
            // The set's owner: the login name on first save (kept from then on).
            self.doc.set_mut().analyst = std::env::var("USER")
                .or_else(|_| std::env::var("USERNAME"))
                .unwrap_or_default();
        }
        // The set is shared with the saver thread as it is at this revision (a later change
        // copies it first): starting a save costs no copy.
        let revision = self.doc.history.revision();
        let set = self.doc.set.clone();
        if self.saver.is_none() {
            // The saver thread only posts its report: the UI looks for it (see
            // `SAVE_POLL`). Waking the UI through egui's context would take the context's
            // lock from a low-priority thread, which can be descheduled while holding it and
            // stall the next frame for tens of milliseconds.
            let tx = self.inbox_tx.clone();
            match saving::Saver::start(move |done| {
                let _ = tx.send(Action::SaveDone(done));
            }) {
                Ok(saver) => self.saver = Some(saver),
                Err(err) => log::warn!("saving on the UI thread: {err}"),
            }
        }
        self.saves_pending += 1;
        self.saving = Some((self.doc_serial, revision));
        let queued = match &self.saver {
            Some(saver) => saver.save(set, path.to_owned(), self.doc_serial, revision),
            None => Err(saving::Saver::write_now(
                set,
                path.to_owned(),
                self.doc_serial,
                revision,
            )),
        };
        match queued {
            Ok(()) => self.set_status(format!("Saving {}…", path.display())),
            Err(done) => self.save_done(done),
        }
    }

    /// A save finished (see [`Self::save_to`]): the document is saved up to the revision the
    /// copy was taken at, and whatever waited for the save runs now.
    fn save_done(&mut self, done: saving::SaveDone) {
        self.saves_pending = self.saves_pending.saturating_sub(1);
        if self.saves_pending == 0 {
            self.saving = None;
        }
        let this_document = done.document == self.doc_serial;
        match done.error {
            None => {
                if this_document {
                    self.doc.set_path = Some(done.path.clone());
                    self.doc.saved_revision = done.revision;
                }
                self.remember(&done.path);
                self.set_status(format!("Saved {}", done.path.display()));
                if self.saves_pending == 0
                    && let Some(next) = self.after_save.take()
                {
                    self.apply(next);
                }
            }
            Some(err) => {
                self.after_save = None;
                self.message = Some(Message {
                    title: "Could not save".to_owned(),
                    body: format!(
                        "{err}\n\nYour annotations are still open and the file on disk was not \
                         changed. Try File ▸ Save as… to save somewhere else."
                    ),
                    is_error: true,
                });
            }
        }
    }

    /// Saves asked for and not finished yet.
    pub fn saves_pending(&self) -> usize {
        self.saves_pending
    }

    /// Is a save of the open document at its current revision under way (so that what waits
    /// for the work to be saved can wait for that save instead of asking)?
    fn saving_current(&self) -> bool {
        self.saving == Some((self.doc_serial, self.doc.history.revision()))
    }

    fn mark(&mut self, label: LabelId) {
        let Some(selection) = self.view.selection.filter(|s| !s.is_empty()) else {
            self.set_status("Select some text first, then press a label key");
            return;
        };
        let anchor = match Anchor::new(&self.doc.article, selection.range()) {
            Ok(anchor) => anchor,
            Err(err) => {
                self.set_status(format!("Cannot mark this: {err}"));
                return;
            }
        };
        self.commit_note_draft();
        let now = self.now();
        let annotation = Annotation::new(label, anchor, now);
        let id = annotation.id;
        self.record(vec![Edit::Add(annotation)]);
        self.view.selection = None;
        self.view.selected = Some(id);
    }

    /// Records the analyst's decision on an annotation waiting for review.
    fn decide(&mut self, id: AnnotationId, decision: &ReviewDecision) {
        self.commit_note_draft();
        let Some(annotation) = self.doc.set.get(id) else {
            return;
        };
        match crate::model::review_edit(annotation, decision, &self.doc.article, self.now()) {
            Some(edit) => {
                self.record(vec![edit]);
                self.view.selected = Some(id);
                if let Some(a) = self.doc.set.get(id) {
                    self.view.scroll_to = Some(a.anchor.position.start);
                }
            }
            None => self.set_status("Nothing to accept: there is no proposed place"),
        }
    }

    /// Changes one annotation through the history; `change` returns false if nothing changed.
    fn update(&mut self, id: AnnotationId, change: impl FnOnce(&mut Annotation) -> bool) {
        let Some(before) = self.doc.set.get(id).cloned() else {
            return;
        };
        let mut after = before.clone();
        if !change(&mut after) {
            return;
        }
        after.modified = self.now();
        self.record(vec![Edit::Update {
            before: Box::new(before),
            after: Box::new(after),
        }]);
    }

    fn record(&mut self, edits: Vec<Edit>) {
        if self.doc.is_read_only() {
            self.set_status(format!(
                "This set is read-only: it was written by a newer Claimlens (format {})",
                self.doc.set.format_version
            ));
            return;
        }
        match self
            .doc
            .history
            .apply(Arc::make_mut(&mut self.doc.set), edits)
        {
            Ok(_) => self
                .doc
                .refresh_after(self.doc.history.last_touched().clone()),
            Err(err) => self.show_error("Could not change the annotations", &err),
        }
    }

    fn after_history_step(&mut self, ids: Vec<AnnotationId>, verb: &str) {
        self.doc
            .refresh_after(self.doc.history.last_touched().clone());
        self.view.note_draft = None;
        self.view.selected = ids.first().copied();
        if let Some(a) = self.view.selected.and_then(|id| self.doc.set.get(id)) {
            self.view.scroll_to = Some(a.anchor.position.start);
        }
        self.set_status(verb);
    }

    fn select(&mut self, id: Option<AnnotationId>) {
        if self.view.selected != id {
            self.commit_note_draft();
            self.view.selected = id;
        }
    }

    /// Records the note being typed as one edit (if it changed).
    pub fn commit_note_draft(&mut self) {
        if let Some((id, note)) = self.view.note_draft.take() {
            self.set_note(id, note);
        }
    }

    fn set_note(&mut self, id: AnnotationId, note: String) {
        self.update(id, |a| {
            if a.note == note {
                return false;
            }
            a.note = note;
            true
        });
    }

    /// Runs one frame of the UI: input, panels, then the queued actions.
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.heights.frame_started();
        while let Ok(action) = self.inbox_rx.try_recv() {
            self.actions.push(action);
        }
        self.poll_open_job();
        self.apply_theme(&ctx);
        self.refresh_filter();
        self.handle_window_input(&ctx);
        self.refresh_comparison();
        self.heights.drain(&mut self.reader);
        ui::app_ui(ui, self);
        // The reader knows its layout key now: measure for it if that is not under way yet.
        self.heights.sync(&self.reader, &self.doc.article);

        let actions = std::mem::take(&mut self.actions);
        if !actions.is_empty() {
            // What the actions changed shows in the next frame.
            ctx.request_repaint();
        }
        for action in actions {
            self.apply(action);
        }

        self.autosave_tick();
        if self.saves_pending > 0 {
            // The saver thread's report arrives in the inbox without waking the UI.
            ctx.request_repaint_after(SAVE_POLL);
        }
        self.watch_article();
        self.text_focus_last_frame = ctx.text_edit_focused();
        let title = self.doc.window_title();
        if title != self.title_shown {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title_shown = title;
        }
        if let Some((_, since)) = self.view.status
            && self.time() - since > 6.0
        {
            self.view.status = None;
        }
        self.heights.frame_finished();
    }

    /// Close requests, dropped files, shortcuts and copy.
    fn handle_window_input(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) && !self.quitting {
            self.commit_note_draft();
            if self.doc.is_dirty() {
                // Closes later, by Quit, once saved or discarded.
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            }
            self.guard_unsaved(Action::Quit, |app| app.forget_recovery_record());
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_owned())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        match dropped.as_slice() {
            [] => {}
            [one] => self.actions.push(Action::Open(one.clone())),
            many => {
                // An article and a set dropped together open as a pair.
                let (sets, articles): (Vec<_>, Vec<_>) =
                    many.iter().partition(|p| looks_like_set(p));
                match (articles.first(), sets.first()) {
                    (Some(article), Some(set)) => self.actions.push(Action::OpenWithSet {
                        article: (*article).clone(),
                        set: (*set).clone(),
                    }),
                    _ => self.actions.push(Action::Open(many[0].clone())),
                }
            }
        }
        if self.unsaved_prompt.is_some()
            || self.message.is_some()
            || self.path_prompt.is_some()
            || self.labels.is_open()
        {
            return;
        }
        let typing = ctx.text_edit_focused() || self.text_focus_last_frame;
        for command in Command::ALL {
            if typing && command.is_text_editing() {
                continue;
            }
            let Some(shortcut) = command.shortcut() else {
                continue;
            };
            if ctx.input_mut(|i| i.consume_shortcut(&shortcut))
                && let Some(action) = command.action(self.view.selected)
            {
                self.actions.push(action);
            }
        }
        if typing {
            return;
        }
        let copy = ctx.input(|i| i.events.iter().any(|e| matches!(e, egui::Event::Copy)));
        if copy {
            self.actions.push(Action::CopySelection);
        }
        for digit in 1..=9u8 {
            let Some(key) = egui::Key::from_name(&digit.to_string()) else {
                continue;
            };
            if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, key))
                && let Some(label) = self.doc.set.labels.by_key(digit)
            {
                self.actions.push(Action::Mark(label.id.clone()));
            }
        }
        self.keyboard_selection(ctx);
        if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape)) {
            // Esc leaves the innermost thing first: linking, the find bar, then the selection.
            if self.view.link.is_some() {
                self.actions.push(Action::LinkCancel);
            } else if self.view.find.is_some() {
                self.actions.push(Action::FindClose);
            } else {
                self.actions.push(Action::SetTextSelection(None));
                self.actions.push(Action::SelectAnnotation(None));
            }
        }
    }
}

impl App {
    /// Shift+←/→ extends the selection by a character, Ctrl+Shift+←/→ by a word.
    fn keyboard_selection(&mut self, ctx: &egui::Context) {
        use egui::{Key, Modifiers};
        let Some(sel) = self.view.selection else {
            return;
        };
        let article = &self.doc.article;
        let word = Modifiers::COMMAND | Modifiers::SHIFT;
        let head = if ctx.input_mut(|i| i.consume_key(word, Key::ArrowRight)) {
            article.next_word_end(sel.head)
        } else if ctx.input_mut(|i| i.consume_key(word, Key::ArrowLeft)) {
            article.prev_word_start(sel.head)
        } else if ctx.input_mut(|i| i.consume_key(Modifiers::SHIFT, Key::ArrowRight)) {
            (sel.head + 1).min(article.char_len())
        } else if ctx.input_mut(|i| i.consume_key(Modifiers::SHIFT, Key::ArrowLeft)) {
            sel.head.saturating_sub(1)
        } else {
            return;
        };
        self.actions
            .push(Action::SetTextSelection(Some(TextSelection {
                anchor: sel.anchor,
                head,
            })));
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.persist_settings {
            eframe::set_value(storage, SETTINGS_KEY, &self.settings);
        }
    }

    fn persist_egui_memory(&self) -> bool {
        false
    }
}

/// The status message after deleting `a`: "Deleted an annotation of 14 characters".
pub fn deleted_message(a: &crate::model::Annotation) -> String {
    format!(
        "Deleted an annotation of {} characters",
        a.anchor.quote.exact.chars().count()
    )
}

/// The set file an open error is about, if the error says the file is damaged (rather than
/// missing or unreadable for other reasons).
fn damaged_set(err: &OpenError) -> Option<&Path> {
    match err {
        OpenError::Set(
            store::StoreError::Syntax { path, .. }
            | store::StoreError::NotASet { path, .. }
            | store::StoreError::Invalid { path, .. },
        ) => Some(path),
        _ => None,
    }
}

/// The newest backup of the set at `path` that loads, and when it was saved (local time).
fn good_backup(path: &Path) -> Option<(PathBuf, String)> {
    let (good, _) = store::newest_good_backup(path);
    let (backup, _) = good?;
    let when = std::fs::metadata(&backup)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| jiff::Timestamp::try_from(t).ok())
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|| "earlier".to_owned());
    Some((backup, when))
}

/// A file's path, modification time and size (what tells that it changed).
fn file_stamp(path: &Path) -> (PathBuf, Option<std::time::SystemTime>, u64) {
    let meta = std::fs::metadata(path).ok();
    (
        path.to_owned(),
        meta.as_ref().and_then(|m| m.modified().ok()),
        meta.map_or(0, |m| m.len()),
    )
}
