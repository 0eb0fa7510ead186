//! Native file dialogs, run off the UI thread so the window keeps painting while one is open.
//!
//! The app asks through the [`Dialogs`] trait; tests plug in answers instead of a real dialog.

use std::path::PathBuf;

/// What the app wants to ask the user for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DialogRequest {
    /// An article or a set file to open.
    Open { start_dir: Option<PathBuf> },
    /// Where to save the set.
    SaveSet { suggested: PathBuf },
    /// Another analyst's set of the open article, to show beside the active one.
    OpenOther { start_dir: Option<PathBuf> },
    /// Where to write an export.
    Export {
        suggested: PathBuf,
        format: crate::export::ExportFormat,
    },
    /// A label preset file to load.
    ImportPreset { start_dir: Option<PathBuf> },
    /// Where to write a label preset file.
    ExportPreset { suggested: PathBuf },
}

impl DialogRequest {
    /// What the dialog is for, and the path (or folder) to start from.
    pub fn purpose(&self) -> (PromptPurpose, Option<PathBuf>) {
        match self {
            Self::Open { start_dir } => (PromptPurpose::Open, start_dir.clone()),
            Self::SaveSet { suggested } => (PromptPurpose::SaveSet, Some(suggested.clone())),
            Self::OpenOther { start_dir } => (PromptPurpose::OpenOther, start_dir.clone()),
            Self::Export { suggested, format } => {
                (PromptPurpose::Export(*format), Some(suggested.clone()))
            }
            Self::ImportPreset { start_dir } => (PromptPurpose::ImportPreset, start_dir.clone()),
            Self::ExportPreset { suggested } => {
                (PromptPurpose::ExportPreset, Some(suggested.clone()))
            }
        }
    }
}

/// What a path is asked for (the app's own prompt shows it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptPurpose {
    Open,
    SaveSet,
    Export(crate::export::ExportFormat),
    ImportPreset,
    ExportPreset,
    OpenOther,
}

/// How a dialog ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DialogAnswer {
    Chosen(PathBuf),
    Cancelled,
    /// This desktop has no way to show a file dialog (no XDG portal, no zenity): the app asks
    /// for the path itself.
    Unavailable,
}

/// Called with the answer.
pub type DialogReply = Box<dyn FnOnce(DialogAnswer) + Send>;

/// Shows file dialogs. Implementations must call `reply` exactly once, from any thread.
pub trait Dialogs {
    fn show(&self, request: DialogRequest, reply: DialogReply);
}

/// The real dialogs: rfd (XDG desktop portal, or zenity where there is no portal).
pub struct NativeDialogs;

impl NativeDialogs {
    /// rfd needs the desktop portal (over the D-Bus session bus) or the `zenity` program.
    fn available() -> bool {
        if cfg!(not(target_os = "linux")) {
            return true;
        }
        let has_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty());
        let has_zenity = std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| dir.join("zenity").is_file())
        });
        has_bus || has_zenity
    }
}

impl Dialogs for NativeDialogs {
    fn show(&self, request: DialogRequest, reply: DialogReply) {
        if !Self::available() {
            reply(DialogAnswer::Unavailable);
            return;
        }
        let spawned = std::thread::Builder::new()
            .name("file-dialog".into())
            .spawn(move || {
                let answer = match request {
                    DialogRequest::Open { start_dir } => {
                        let mut dialog = rfd::FileDialog::new()
                            .set_title("Open an article or an annotation set")
                            .add_filter(
                                "Articles and sets",
                                &[
                                    "txt", "text", "md", "markdown", "html", "htm", "xhtml", "pdf",
                                    "epub", "ron",
                                ],
                            )
                            .add_filter("All files", &["*"]);
                        if let Some(dir) = start_dir {
                            dialog = dialog.set_directory(dir);
                        }
                        dialog.pick_file()
                    }
                    DialogRequest::OpenOther { start_dir } => {
                        let mut dialog = rfd::FileDialog::new()
                            .set_title("Open another analyst's set of this article")
                            .add_filter("Claimlens set", &["ron"])
                            .add_filter("All files", &["*"]);
                        if let Some(dir) = start_dir {
                            dialog = dialog.set_directory(dir);
                        }
                        dialog.pick_file()
                    }
                    DialogRequest::SaveSet { suggested } => {
                        let dialog = rfd::FileDialog::new()
                            .set_title("Save the annotation set")
                            .add_filter("Claimlens set", &["ron"]);
                        suggesting(dialog, &suggested).save_file()
                    }
                    DialogRequest::Export { suggested, format } => {
                        let dialog = rfd::FileDialog::new()
                            .set_title(format!("Export as {}", format.name()))
                            .add_filter(format.name(), &[format.extension()]);
                        suggesting(dialog, &suggested).save_file()
                    }
                    DialogRequest::ImportPreset { start_dir } => {
                        let mut dialog = rfd::FileDialog::new()
                            .set_title("Import a label preset")
                            .add_filter("Claimlens label preset", &["ron"]);
                        if let Some(dir) = start_dir {
                            dialog = dialog.set_directory(dir);
                        }
                        dialog.pick_file()
                    }
                    DialogRequest::ExportPreset { suggested } => {
                        let dialog = rfd::FileDialog::new()
                            .set_title("Export the label set as a preset")
                            .add_filter("Claimlens label preset", &["ron"]);
                        suggesting(dialog, &suggested).save_file()
                    }
                };
                reply(answer.map_or(DialogAnswer::Cancelled, DialogAnswer::Chosen));
            });
        if let Err(err) = spawned {
            log::error!("could not start the file dialog thread: {err}");
        }
    }
}

/// A save dialog that starts in `suggested`'s folder with its file name filled in.
fn suggesting(mut dialog: rfd::FileDialog, suggested: &std::path::Path) -> rfd::FileDialog {
    if let Some(dir) = suggested.parent() {
        dialog = dialog.set_directory(dir);
    }
    if let Some(name) = suggested.file_name() {
        dialog = dialog.set_file_name(name.to_string_lossy());
    }
    dialog
}

/// Answers every dialog with the next answer of a list (then `Cancelled`): for tests.
#[derive(Default)]
pub struct ScriptedDialogs {
    answers: std::sync::Mutex<std::collections::VecDeque<DialogAnswer>>,
    asked: std::sync::Mutex<Vec<DialogRequest>>,
}

impl ScriptedDialogs {
    /// `Some(path)` answers with that path, `None` cancels.
    pub fn new(answers: impl IntoIterator<Item = Option<PathBuf>>) -> Self {
        Self::with_answers(
            answers
                .into_iter()
                .map(|a| a.map_or(DialogAnswer::Cancelled, DialogAnswer::Chosen)),
        )
    }

    pub fn with_answers(answers: impl IntoIterator<Item = DialogAnswer>) -> Self {
        Self {
            answers: std::sync::Mutex::new(answers.into_iter().collect()),
            asked: std::sync::Mutex::default(),
        }
    }

    /// The requests seen so far.
    pub fn asked(&self) -> Vec<DialogRequest> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

impl Dialogs for std::sync::Arc<ScriptedDialogs> {
    fn show(&self, request: DialogRequest, reply: DialogReply) {
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(request);
        }
        let answer = self
            .answers
            .lock()
            .ok()
            .and_then(|mut a| a.pop_front())
            .unwrap_or(DialogAnswer::Cancelled);
        reply(answer);
    }
}
