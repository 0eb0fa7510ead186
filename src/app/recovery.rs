//! Autosave and crash recovery.
//!
//! **Design: a recovery copy, written atomically off the UI thread.** While the open set has
//! unsaved changes, [`AUTOSAVE_DELAY`] after the last change the app shares the set (an
//! `Arc`, not a copy) with the [`Autosaver`] thread, which writes a *recovery record* (the set
//! as its file would hold it, plus where its article and set file are) with
//! [`store::write_atomically`] into the recovery folder (`$XDG_STATE_HOME/claimlens/recovery`,
//! else `~/.local/state/claimlens/recovery`). Writes coalesce: a burst of changes costs one write.
//! A change is therefore on disk within `AUTOSAVE_DELAY` plus one write (a few ms for a
//! typical set, about 0.1 s for 10,000 annotations), well inside 2 seconds; a crash loses at
//! most that. The set file itself is only ever written by an explicit save.
//!
//! The record goes when the work is saved or deliberately discarded. A record still there at
//! the next start is unsaved work from a crash or a kill: the app offers to restore it (exactly
//! the set last written) or discard it. A journal of edits would write less per change, but a
//! whole copy is one file that is either the old or the new version, needs no replay, and is
//! read by the same code as a set.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use crate::model::{AnnotationSet, Timestamp};
use crate::store;

/// How long after a change the recovery record is written.
pub const AUTOSAVE_DELAY: std::time::Duration = std::time::Duration::from_millis(500);

/// Version of the recovery record format.
const RECOVERY_VERSION: u32 = 1;

/// What a recovery record holds.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecoveryRecord {
    pub recovery_version: u32,
    /// When the record was written.
    pub written: Timestamp,
    /// The article: an absolute path, or `claimlens:sample`.
    pub article: String,
    /// Where the set is saved, if it ever was.
    pub set_path: Option<PathBuf>,
    pub annotations: usize,
    /// The set, exactly as [`store::set_to_string`] writes it.
    pub set: String,
}

impl RecoveryRecord {
    /// The set this record holds (read like a set file).
    pub fn set(&self, record_path: &Path) -> Result<AnnotationSet, store::StoreError> {
        store::load_set_str(&self.set, record_path)
    }
}

/// The recovery folder of this user.
pub fn default_dir() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(state.join("claimlens").join("recovery"))
}

/// The record of the document known by `key` (its set path, else its article): one file per
/// document, `recovery-<16 hex digits of its SHA-256>.ron`.
pub fn record_path(dir: &Path, key: &str) -> PathBuf {
    let hash = crate::model::ContentHash::of_text(key);
    let hex = hash.0.trim_start_matches("sha256:");
    dir.join(format!("recovery-{}.ron", &hex[..16]))
}

/// The records in `dir`, oldest first; one that cannot be read comes with its error.
pub fn list(dir: &Path) -> Vec<(PathBuf, Result<RecoveryRecord, String>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(PathBuf, Result<RecoveryRecord, String>)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("recovery-") && n.ends_with(".ron"))
        })
        .map(|p| {
            let record = read(&p);
            (p, record)
        })
        .collect();
    found.sort_by(|a, b| {
        let time = |r: &Result<RecoveryRecord, String>| r.as_ref().ok().map(|r| r.written);
        time(&a.1).cmp(&time(&b.1)).then_with(|| a.0.cmp(&b.0))
    });
    found
}

/// Reads one record.
pub fn read(path: &Path) -> Result<RecoveryRecord, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > store::MAX_SET_BYTES {
        return Err(format!("{} is too large", path.display()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let record: RecoveryRecord = ron::Options::default()
        .with_recursion_limit(store::RECURSION_LIMIT)
        .from_str(&text)
        .map_err(|e| e.to_string())?;
    if record.recovery_version > RECOVERY_VERSION {
        return Err(format!(
            "{} was written by a newer Claimlens",
            path.display()
        ));
    }
    Ok(record)
}

/// A recovery record to write.
pub struct RecordWrite {
    /// The record's file.
    pub path: PathBuf,
    /// The set, shared with the document as it is now.
    pub set: Arc<AnnotationSet>,
    /// A note being typed (annotation, text), put into the record's copy of the set.
    pub draft: Option<(crate::model::AnnotationId, String)>,
    /// See [`RecoveryRecord::article`].
    pub article: String,
    pub set_path: Option<PathBuf>,
    pub written: Timestamp,
    /// The document generation this is (see [`Autosaver::written_generation`]).
    pub generation: u64,
}

/// What the autosaver is asked to do.
enum Job {
    Write(RecordWrite),
    /// Remove the record; then tell the sender, if any, that it is gone.
    Remove(PathBuf, Option<mpsc::Sender<()>>),
}

impl Job {
    fn path(&self) -> &Path {
        match self {
            Self::Write(RecordWrite { path, .. }) | Self::Remove(path, _) => path,
        }
    }
}

/// The thread that writes and removes recovery records.
pub struct Autosaver {
    tx: mpsc::Sender<Job>,
    /// The document generation of the last record written.
    written: Arc<AtomicU64>,
    /// The last error, for the status bar (taken when shown).
    error: Arc<Mutex<Option<String>>>,
}

impl Autosaver {
    pub fn start() -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<Job>();
        let written = Arc::new(AtomicU64::new(0));
        let error = Arc::new(Mutex::new(None));
        let (w, e) = (written.clone(), error.clone());
        std::thread::Builder::new()
            .name("autosave".into())
            .spawn(move || {
                super::priority::run_behind_the_ui();
                while let Ok(first) = rx.recv() {
                    // A burst of changes: only the last job per record counts.
                    let mut jobs = vec![first];
                    jobs.extend(rx.try_iter());
                    let mut latest: Vec<Job> = Vec::new();
                    for job in jobs {
                        latest.retain(|j| j.path() != job.path());
                        latest.push(job);
                    }
                    for job in latest {
                        if let Err(err) = run(job, &w) {
                            log::warn!("autosave: {err}");
                            *e.lock().unwrap_or_else(|p| p.into_inner()) = Some(err);
                        }
                    }
                }
            })?;
        Ok(Self { tx, written, error })
    }

    pub fn write(&self, record: RecordWrite) {
        let _ = self.tx.send(Job::Write(record));
    }

    pub fn remove(&self, path: PathBuf) {
        let _ = self.tx.send(Job::Remove(path, None));
    }

    /// Removes the record and waits (at most `timeout`) until it is gone, so that no write
    /// still queued can bring it back (for quitting). Removes it here too if the thread does
    /// not answer.
    pub fn remove_now(&self, path: PathBuf, timeout: std::time::Duration) {
        let (done_tx, done_rx) = mpsc::channel();
        let sent = self
            .tx
            .send(Job::Remove(path.clone(), Some(done_tx)))
            .is_ok();
        if !sent || done_rx.recv_timeout(timeout).is_err() {
            let _ = std::fs::remove_file(path);
        }
    }

    /// The document generation of the last record written.
    pub fn written_generation(&self) -> u64 {
        self.written.load(Ordering::Acquire)
    }

    pub fn take_error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

fn run(job: Job, written: &AtomicU64) -> Result<(), String> {
    match job {
        Job::Write(RecordWrite {
            path,
            set,
            draft,
            article,
            set_path,
            written: when,
            generation,
        }) => {
            // Our own copy first (see `saving::own_copy`).
            let mut set = super::saving::own_copy(set);
            if let Some((id, text)) = draft {
                set.annotations.update(id, |a| a.note = text);
            }
            let record = RecoveryRecord {
                recovery_version: RECOVERY_VERSION,
                written: when,
                article,
                set_path,
                annotations: set.annotations.len(),
                set: store::set_to_string(&set).map_err(|e| e.to_string())?,
            };
            let text = ron::ser::to_string_pretty(&record, ron::ser::PrettyConfig::default())
                .map_err(|e| e.to_string())?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
            }
            store::write_atomically(&path, text.as_bytes())
                .map_err(|e| format!("could not write {}: {e}", path.display()))?;
            written.store(generation, Ordering::Release);
            Ok(())
        }
        Job::Remove(path, done) => {
            let result = match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(format!("could not remove {}: {e}", path.display()))
                }
                _ => Ok(()),
            };
            if let Some(done) = done {
                let _ = done.send(());
            }
            result
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_named_by_document_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let a = record_path(dir.path(), "/home/x/story.txt.claimlens.ron");
        let b = record_path(dir.path(), "/home/x/other.txt.claimlens.ron");
        assert_ne!(a, b);
        assert_eq!(
            a,
            record_path(dir.path(), "/home/x/story.txt.claimlens.ron")
        );
        let name = a.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with("recovery-") && name.ends_with(".ron") && name.len() == 29);

        let article = crate::app::sample_article();
        let set = AnnotationSet::new(&article, crate::app::SAMPLE_REF.to_owned());
        let saver = Autosaver::start().unwrap();
        let when: Timestamp = "2026-11-24T05:00:00Z".parse().unwrap();
        saver.write(RecordWrite {
            path: a.clone(),
            set: Arc::new(set.clone()),
            draft: None,
            article: "claimlens:sample".into(),
            set_path: None,
            written: when,
            generation: 7,
        });
        for _ in 0..500 {
            if saver.written_generation() == 7 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(saver.written_generation(), 7);
        let listed = list(dir.path());
        assert_eq!(listed.len(), 1);
        let record = listed[0].1.clone().unwrap();
        assert_eq!(record.written, when);
        assert_eq!(record.set(&a).unwrap(), set);
        saver.remove(a.clone());
        for _ in 0..500 {
            if !a.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(list(dir.path()).is_empty());
        assert!(saver.take_error().is_none());
    }

    #[test]
    fn a_damaged_record_is_listed_with_its_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("recovery-0000000000000000.ron"), "(garbage").unwrap();
        std::fs::write(dir.path().join("unrelated.ron"), "()").unwrap();
        let listed = list(dir.path());
        assert_eq!(listed.len(), 1);
        assert!(listed[0].1.is_err());
    }
}
