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
}

/// Called with the chosen path, or `None` if the user cancelled.
pub type DialogReply = Box<dyn FnOnce(Option<PathBuf>) + Send>;

/// Shows file dialogs. Implementations must call `reply` exactly once, from any thread.
pub trait Dialogs {
    fn show(&self, request: DialogRequest, reply: DialogReply);
}

/// The real dialogs: rfd (XDG desktop portal, or zenity where there is no portal).
pub struct NativeDialogs;

impl Dialogs for NativeDialogs {
    fn show(&self, request: DialogRequest, reply: DialogReply) {
        let spawned = std::thread::Builder::new()
            .name("file-dialog".into())
            .spawn(move || {
                let answer = match request {
                    DialogRequest::Open { start_dir } => {
                        let mut dialog = rfd::FileDialog::new()
                            .set_title("Open an article or an annotation set")
                            .add_filter("Articles and sets", &["txt", "text", "ron"])
                            .add_filter("All files", &["*"]);
                        if let Some(dir) = start_dir {
                            dialog = dialog.set_directory(dir);
                        }
                        dialog.pick_file()
                    }
                    DialogRequest::SaveSet { suggested } => {
                        let mut dialog = rfd::FileDialog::new()
                            .set_title("Save the annotation set")
                            .add_filter("Claimlens set", &["ron"]);
                        if let Some(dir) = suggested.parent() {
                            dialog = dialog.set_directory(dir);
                        }
                        if let Some(name) = suggested.file_name() {
                            dialog = dialog.set_file_name(name.to_string_lossy());
                        }
                        dialog.save_file()
                    }
                };
                reply(answer);
            });
        if let Err(err) = spawned {
            log::error!("could not start the file dialog thread: {err}");
        }
    }
}

/// Answers every dialog with the next path of a list (then `None`): for tests.
#[derive(Default)]
pub struct ScriptedDialogs {
    answers: std::sync::Mutex<std::collections::VecDeque<Option<PathBuf>>>,
    asked: std::sync::Mutex<Vec<DialogRequest>>,
}

impl ScriptedDialogs {
    pub fn new(answers: impl IntoIterator<Item = Option<PathBuf>>) -> Self {
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
            .flatten();
        reply(answer);
    }
}
