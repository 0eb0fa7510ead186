//! Saving off the UI thread.
//!
//! Writing a set of 10,000 annotations (RON, a backup copy, an atomic rename) takes 50–100 ms:
//! too long for a frame. So a save shares the set as it is with the [`Saver`] thread (the
//! document holds it in an `Arc`: no copy on the UI thread), which takes a copy of its own
//! (0.13 ms for 10,000 annotations, each of which is shared rather than copied; on its own
//! core), lets go of the shared one, writes the copy with [`store::save_set_with_backups`] and
//! reports back with [`SaveDone`]. An edit made in that moment copies the set (as cheaply)
//! before changing it; later ones change it in place. Saves
//! run one after another in the order asked, so two quick saves to one file never race over
//! its backups. Dropping the [`Saver`] waits for the saves still queued: quitting never cuts a
//! save short.

use std::path::PathBuf;
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

use crate::model::AnnotationSet;
use crate::store;

/// A finished save, as reported to the app.
#[derive(Clone, Debug, PartialEq)]
pub struct SaveDone {
    /// Where the set was written.
    pub path: PathBuf,
    /// The document the save was asked for (see [`Saver::save`]).
    pub document: u64,
    /// The history revision the copy was taken at: saved up to here.
    pub revision: u64,
    /// Why it failed (the file on disk is then unchanged).
    pub error: Option<String>,
}

struct Request {
    set: Arc<AnnotationSet>,
    path: PathBuf,
    document: u64,
    revision: u64,
}

/// The thread that writes set files.
pub struct Saver {
    tx: Option<mpsc::Sender<Request>>,
    thread: Option<JoinHandle<()>>,
}

impl Saver {
    /// Starts the thread; `done` is called on it after each save.
    pub fn start(done: impl Fn(SaveDone) + Send + 'static) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<Request>();
        let thread = std::thread::Builder::new()
            .name("save".into())
            .spawn(move || {
                super::priority::run_behind_the_ui();
                for request in rx {
                    done(write(request));
                }
            })?;
        Ok(Self {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Queues a save of `set` (a copy taken at history `revision` of document `document`) to
    /// `path`. Returns the request if the thread has gone (then save on this thread instead).
    pub fn save(
        &self,
        set: Arc<AnnotationSet>,
        path: PathBuf,
        document: u64,
        revision: u64,
    ) -> Result<(), SaveDone> {
        let request = Request {
            set,
            path,
            document,
            revision,
        };
        match &self.tx {
            Some(tx) => tx.send(request).map_err(|e| write(e.0)),
            None => Err(write(request)),
        }
    }

    /// Saves on this thread (when the saver thread could not be started).
    pub fn write_now(
        set: Arc<AnnotationSet>,
        path: PathBuf,
        document: u64,
        revision: u64,
    ) -> SaveDone {
        write(Request {
            set,
            path,
            document,
            revision,
        })
    }
}

/// Writes one request (on the saver thread, or on the caller's if the thread is gone).
fn write(request: Request) -> SaveDone {
    // A copy of our own first, letting go of the shared set at once: the analyst's next edit
    // then changes it in place rather than copying it on the UI thread while this writes.
    let set = own_copy(request.set);
    let error = store::save_set_with_backups(&set, &request.path)
        .err()
        .map(|e| e.to_string());
    SaveDone {
        path: request.path,
        document: request.document,
        revision: request.revision,
        error,
    }
}

/// The set as a value of its own (a copy unless nothing else holds it).
pub fn own_copy(set: Arc<AnnotationSet>) -> AnnotationSet {
    Arc::try_unwrap(set).unwrap_or_else(|shared| (*shared).clone())
}

impl Drop for Saver {
    /// Waits for the saves still queued.
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_run_in_order_and_report_back_and_drop_waits_for_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.claimlens.ron");
        let article = crate::app::sample_article();
        let (tx, rx) = mpsc::channel();
        let saver = Saver::start(move |done| {
            let _ = tx.send(done);
        })
        .unwrap();
        let mut set = AnnotationSet::new(&article, "a.txt".into());
        for revision in 1..=3 {
            set.analyst = format!("analyst {revision}");
            saver
                .save(Arc::new(set.clone()), path.clone(), 9, revision)
                .unwrap();
        }
        drop(saver); // Waits for all three.
        let reports: Vec<SaveDone> = rx.try_iter().collect();
        assert_eq!(
            reports.iter().map(|d| d.revision).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert!(reports.iter().all(|d| d.error.is_none() && d.document == 9));
        assert_eq!(store::load_set(&path).unwrap().analyst, "analyst 3");
        // The two earlier versions are kept as backups.
        assert_eq!(store::backups_of(&path).len(), 2);
    }

    #[test]
    fn a_failed_save_reports_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-folder/s.claimlens.ron");
        let article = crate::app::sample_article();
        let (tx, rx) = mpsc::channel();
        let saver = Saver::start(move |done| {
            let _ = tx.send(done);
        })
        .unwrap();
        let set = AnnotationSet::new(&article, "a.txt".into());
        saver.save(Arc::new(set), path.clone(), 1, 4).unwrap();
        drop(saver);
        let done = rx.recv().unwrap();
        assert_eq!(done.revision, 4);
        assert!(done.error.is_some_and(|e| !e.is_empty()));
        assert!(!path.exists());
    }
}
