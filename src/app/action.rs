//! Everything the user can ask for, as data: UI code pushes [`Action`]s, `App::apply` runs them.
//!
//! [`Command`] is the table of user-facing commands with their label and shortcut, defined once so
//! menus, toolbar tooltips and keyboard handling all read from the same place.

use std::path::PathBuf;

use egui::{Key, KeyboardShortcut, Modifiers};

use crate::app::dialogs::PromptPurpose;
use crate::export::ExportFormat;
use crate::model::{AnnotationId, AttributeValue, Filter, LabelId, LinkOption, RelationId};

/// A range of the article the user selected, in code points (`anchor` where the drag started,
/// `head` where it is now; either may be larger).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TextSelection {
    pub anchor: usize,
    pub head: usize,
}

impl TextSelection {
    pub fn caret(at: usize) -> Self {
        Self {
            anchor: at,
            head: at,
        }
    }

    /// Start..end in code points, end exclusive.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.anchor.min(self.head)..self.anchor.max(self.head)
    }

    pub fn is_empty(&self) -> bool {
        self.anchor == self.head
    }
}

/// What to do when the user answers the unsaved-changes question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnsavedChoice {
    Save,
    Discard,
    Cancel,
}

/// One thing the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Ask for a file (article or set) with the native dialog.
    OpenDialog,
    /// Open an article or a set file (decided by its content).
    Open(PathBuf),
    /// Open an article with a given set file.
    OpenWithSet {
        article: PathBuf,
        set: PathBuf,
    },
    /// Read the open article again (it changed on disk) and re-anchor the set to it.
    ReloadArticle,
    /// Open the unsaved work of this recovery record (found at start).
    RestoreRecovery(PathBuf),
    /// Delete this recovery record (its unsaved work is not wanted).
    DiscardRecovery(PathBuf),
    /// Open backup `backup` in place of the damaged set at `set` (saving writes it over `set`).
    OpenBackup {
        set: PathBuf,
        backup: PathBuf,
    },
    /// Stop waiting for the file being opened; the open document stays.
    CancelOpen,
    /// Open the bundled sample article.
    OpenSample,
    Save,
    SaveAsDialog,
    /// Save to this path (the answer of the Save As dialog).
    SaveTo(PathBuf),
    /// A save finished on the saver thread.
    SaveDone(crate::app::saving::SaveDone),
    /// The window's close button or File ▸ Quit.
    Quit,
    AnswerUnsaved(UnsavedChoice),
    /// Ask for a path with the app's own prompt (no native dialog available).
    PathPromptShow {
        purpose: PromptPurpose,
        text: String,
    },
    /// Ask where to write an export in this format.
    ExportDialog(ExportFormat),
    /// Write an export in this format to this path (brat: `.ann` here, `.txt` beside it).
    ExportTo(ExportFormat, PathBuf),
    /// Put the Markdown brief on the clipboard.
    CopyBrief,
    PathPromptEdit(String),
    /// OK (`true`) or Cancel (`false`) in the path prompt.
    PathPromptAnswer(bool),
    DismissMessage,

    /// Mark the current text selection with a label.
    Mark(LabelId),
    Delete(AnnotationId),
    SetLabel(AnnotationId, LabelId),
    SetNote(AnnotationId, String),
    /// The note text being typed (not yet an undo step; recorded by `SetNote` or when the
    /// analyst moves on).
    DraftNote(AnnotationId, String),
    Undo,
    Redo,

    /// Re-anchor the set against the open article.
    Reanchor,
    /// Re-anchoring finished (possibly on another thread) for the article with this hash.
    ReanchorDone {
        article_hash: crate::model::ContentHash,
        placements: Vec<(AnnotationId, crate::model::Placement)>,
    },
    /// Accept the proposed place of an annotation waiting for review.
    ReviewAccept(AnnotationId),
    /// Attach an annotation waiting for review to the current text selection.
    ReviewReattach(AnnotationId),

    /// Start linking this annotation to another (L): pick the other end, then the type.
    StartLink(AnnotationId),
    /// The text typed in the link picker's filter.
    LinkQuery(String),
    /// Move the picker's highlighted entry (target list, or relation types once a target is
    /// chosen) by this many rows.
    LinkMove(i32),
    /// The other end of the link (a click on a highlight or an entry of the picker).
    LinkPick(AnnotationId),
    /// Back from choosing the type to choosing the other end.
    LinkBack,
    LinkCancel,
    /// Add this relation (one undo step) and leave link mode.
    AddRelation(LinkOption),
    /// Remove a relation (one undo step).
    RemoveRelation(RelationId),

    /// Show only the annotations that match (list and article).
    SetFilter(Filter),
    /// How the side panel lists annotations.
    SetListView(ListView),
    /// Open the find bar (Ctrl+F), or focus it if open.
    FindOpen,
    FindQuery(String),
    /// Go to the next (`true`) or previous match.
    FindStep(bool),
    FindClose,

    SetTextSelection(Option<TextSelection>),
    /// Select an annotation (its entry in the list and its details), without scrolling.
    SelectAnnotation(Option<AnnotationId>),
    /// Select an annotation, scroll the article to it and flash it.
    Reveal(AnnotationId),
    /// Reveal the next (`true`) or previous annotation in reading order that the filter shows.
    RevealStep(bool),
    CopySelection,
    ZoomIn,
    ZoomOut,
    ZoomReset,
    ToggleTheme,

    /// The label-set editor, presets (see `app::labels`).
    Labels(crate::app::LabelsAction),
    /// Set (`Some`) or clear an attribute of an annotation: one undo step.
    SetAttribute {
        id: AnnotationId,
        attribute: String,
        value: Option<AttributeValue>,
    },
    /// Give an annotation these tags (normalised): one undo step.
    SetTags(AnnotationId, Vec<String>),
    /// The set's analyst, other analysts' sets, and comparing with them.
    Sets(crate::app::others::SetsAction),
}

/// How the side panel lists the annotations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ListView {
    /// Grouped by label, in reading order.
    #[default]
    ByLabel,
    /// Claims with their sources and denials (the claim tree).
    Claims,
}

/// A user-facing command: what menus and shortcuts offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Open,
    OpenSample,
    Save,
    SaveAs,
    Quit,
    Undo,
    Redo,
    RedoAlt,
    DeleteAnnotation,
    Copy,
    ZoomIn,
    ZoomInAlt,
    ZoomOut,
    ZoomReset,
    ToggleTheme,
    CopyBrief,
    Link,
    Find,
    FindNext,
    FindPrevious,
    NextAnnotation,
    PreviousAnnotation,
}

impl Command {
    /// Every command, in the order shortcuts are checked (longer modifier sets first, so
    /// Ctrl+Shift+S is not taken for Ctrl+S).
    pub const ALL: [Self; 22] = [
        Self::SaveAs,
        Self::CopyBrief,
        Self::FindPrevious,
        Self::Redo,
        Self::Open,
        Self::OpenSample,
        Self::Save,
        Self::Quit,
        Self::Undo,
        Self::RedoAlt,
        Self::DeleteAnnotation,
        Self::Copy,
        Self::ZoomIn,
        Self::ZoomInAlt,
        Self::ZoomOut,
        Self::ZoomReset,
        Self::ToggleTheme,
        Self::Link,
        Self::Find,
        Self::FindNext,
        Self::NextAnnotation,
        Self::PreviousAnnotation,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open…",
            Self::OpenSample => "Open sample article",
            Self::Save => "Save",
            Self::SaveAs => "Save as…",
            Self::Quit => "Quit",
            Self::Undo => "Undo",
            Self::Redo | Self::RedoAlt => "Redo",
            Self::DeleteAnnotation => "Delete annotation",
            Self::Copy => "Copy",
            Self::ZoomIn | Self::ZoomInAlt => "Larger text",
            Self::ZoomOut => "Smaller text",
            Self::ZoomReset => "Default text size",
            Self::ToggleTheme => "Toggle dark/light theme",
            Self::CopyBrief => "Copy brief as Markdown",
            Self::Link => "Link to another annotation…",
            Self::Find => "Find in article…",
            Self::FindNext => "Find next",
            Self::FindPrevious => "Find previous",
            Self::NextAnnotation => "Next annotation",
            Self::PreviousAnnotation => "Previous annotation",
        }
    }

    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        let ctrl = Modifiers::COMMAND;
        let ctrl_shift = Modifiers::COMMAND | Modifiers::SHIFT;
        let s = |m, k| Some(KeyboardShortcut::new(m, k));
        match self {
            Self::Open => s(ctrl, Key::O),
            Self::OpenSample => None,
            Self::Save => s(ctrl, Key::S),
            Self::SaveAs => s(ctrl_shift, Key::S),
            Self::Quit => s(ctrl, Key::Q),
            Self::Undo => s(ctrl, Key::Z),
            Self::Redo => s(ctrl_shift, Key::Z),
            Self::RedoAlt => s(ctrl, Key::Y),
            Self::DeleteAnnotation => s(Modifiers::NONE, Key::Delete),
            // Copy arrives as `Event::Copy`; the shortcut is only shown.
            Self::Copy => None,
            Self::ZoomIn => s(ctrl, Key::Plus),
            Self::ZoomInAlt => s(ctrl, Key::Equals),
            Self::ZoomOut => s(ctrl, Key::Minus),
            Self::ZoomReset => s(ctrl, Key::Num0),
            Self::ToggleTheme => s(ctrl_shift, Key::D),
            Self::CopyBrief => s(ctrl_shift, Key::C),
            Self::Link => s(Modifiers::NONE, Key::L),
            Self::Find => s(ctrl, Key::F),
            Self::FindNext => s(Modifiers::NONE, Key::F3),
            Self::FindPrevious => s(Modifiers::SHIFT, Key::F3),
            Self::NextAnnotation => s(Modifiers::NONE, Key::CloseBracket),
            Self::PreviousAnnotation => s(Modifiers::NONE, Key::OpenBracket),
        }
    }

    /// Shortcut text for menus (`Ctrl+Shift+S`).
    pub fn shortcut_text(self, ctx: &egui::Context) -> String {
        match self {
            Self::Copy => ctx.format_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::C)),
            _ => self
                .shortcut()
                .map(|s| ctx.format_shortcut(&s))
                .unwrap_or_default(),
        }
    }

    /// Does the command act on text the user is typing (so a focused text field takes it)?
    pub fn is_text_editing(self) -> bool {
        matches!(
            self,
            Self::Undo
                | Self::Redo
                | Self::RedoAlt
                | Self::DeleteAnnotation
                | Self::Copy
                | Self::Link
                | Self::NextAnnotation
                | Self::PreviousAnnotation
        )
    }

    /// The action, given the selected annotation (for commands that act on it).
    pub fn action(self, selected: Option<AnnotationId>) -> Option<Action> {
        Some(match self {
            Self::Open => Action::OpenDialog,
            Self::OpenSample => Action::OpenSample,
            Self::Save => Action::Save,
            Self::SaveAs => Action::SaveAsDialog,
            Self::Quit => Action::Quit,
            Self::Undo => Action::Undo,
            Self::Redo | Self::RedoAlt => Action::Redo,
            Self::DeleteAnnotation => Action::Delete(selected?),
            Self::Copy => Action::CopySelection,
            Self::ZoomIn | Self::ZoomInAlt => Action::ZoomIn,
            Self::ZoomOut => Action::ZoomOut,
            Self::ZoomReset => Action::ZoomReset,
            Self::ToggleTheme => Action::ToggleTheme,
            Self::CopyBrief => Action::CopyBrief,
            Self::Link => Action::StartLink(selected?),
            Self::Find => Action::FindOpen,
            Self::FindNext => Action::FindStep(true),
            Self::FindPrevious => Action::FindStep(false),
            Self::NextAnnotation => Action::RevealStep(true),
            Self::PreviousAnnotation => Action::RevealStep(false),
        })
    }
}
