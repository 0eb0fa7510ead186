//! Never losing work: autosave and crash recovery, backups of the set offered when it is
//! damaged.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use claimlens::app::{Action, App, SAMPLE_TEXT, StartOptions, UnsavedChoice, recovery};
use claimlens::model::AnnotationSet;
use claimlens::store::{backup_path, load_set};
use egui::{Key, Modifiers};
use egui_kittest::{Harness, kittest::Queryable as _};

use crate::gui::{
    commands_until_closed, fixed_clock, harness_from, harness_sized, harness_with, mark,
    options_with, request_close, wait_for_open, wait_for_saves,
};

/// The app with autosave into `recovery_dir`, opening `open`.
fn harness_recovering(open: Option<PathBuf>, recovery_dir: &Path) -> Harness<'static, App> {
    harness_from(StartOptions {
        open,
        dialogs: Box::new(Arc::new(claimlens::app::ScriptedDialogs::default())),
        clock: fixed_clock(),
        persist_settings: false,
        recovery_dir: Some(recovery_dir.to_owned()),
        ..StartOptions::default()
    })
}

/// Runs frames (1/60 s of app time each) until `done`, for at most 10 s of real time.
fn step_until(h: &mut Harness<'static, App>, what: &str, done: impl Fn(&App) -> bool) {
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(10) {
        h.step();
        if done(h.state()) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    panic!("gave up waiting: {what}");
}

/// `DIR/story.txt`, holding the sample's text.
fn story(dir: &Path) -> PathBuf {
    let article = dir.join("story.txt");
    std::fs::write(&article, SAMPLE_TEXT).unwrap();
    article
}

/// [`story`], opened.
fn story_open(dir: &Path) -> (PathBuf, Harness<'static, App>) {
    let article = story(dir);
    let h = harness_with(Some(article.clone()), Arc::default());
    (article, h)
}

/// The sample with one annotation, autosaved into `DIR/recovery`.
fn sample_with_a_recorded_change() -> (tempfile::TempDir, Harness<'static, App>) {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_recovering(None, &dir.path().join("recovery"));
    mark(&mut h, "Huawei", Key::Num1);
    wait_for_record(&mut h, &dir.path().join("recovery"));
    (dir, h)
}

fn wait_for_record(h: &mut Harness<'static, App>, dir: &Path) {
    step_until(h, "a record is written", |_| the_record(dir).is_some());
}

/// The one recovery record in `dir`, with its set.
fn the_record(dir: &Path) -> Option<(recovery::RecoveryRecord, AnnotationSet)> {
    let mut records = recovery::list(dir);
    if records.len() != 1 {
        return None;
    }
    let (path, record) = records.pop()?;
    let record = record.ok()?;
    let set = record.set(&path).ok()?;
    Some((record, set))
}

#[test]
fn unsaved_work_survives_a_crash_and_is_restored_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let recovery_dir = dir.path().join("recovery");
    let article = story(dir.path());

    let mut h = harness_recovering(Some(article.clone()), &recovery_dir);
    mark(&mut h, "Huawei", Key::Num1);
    mark(&mut h, "Hikvision", Key::Num2);
    // A note being typed (not yet committed) is unsaved work too.
    h.get_by_label("Note").click();
    h.run();
    h.get_by_label("Note").type_text("Named in the memo");
    h.run();
    step_until(&mut h, "the note reaches the recovery record", |_| {
        the_record(&recovery_dir).is_some_and(|(_, set)| {
            set.annotations
                .iter()
                .any(|a| a.note == "Named in the memo")
        })
    });
    let mut expected = (*h.state().doc.set).clone();
    let (id, text) = h.state().view.note_draft.clone().expect("still typing");
    assert!(expected.annotations.update(id, |a| a.note = text));
    let (record, _) = the_record(&recovery_dir).unwrap();
    assert_eq!(record.article, article.display().to_string());
    assert_eq!(record.set_path, None, "never saved");
    assert_eq!(record.annotations, 2);
    // The crash: the app goes away without saving or cleaning up.
    drop(h);
    assert!(!dir.path().join("story.txt.claimlens.ron").exists());

    let mut h = harness_recovering(None, &recovery_dir);
    assert_eq!(h.state().recoveries.len(), 1);
    h.get_by_label("Unsaved work was found");
    h.get_by_label_contains("2 annotations · set: never saved");
    h.get_by_label_contains("story.txt");
    h.get_by_label("Restore").click();
    // One frame takes the click and starts the open; `run` would step through the
    // spinner's frames until its step limit if the open worker is slow (a busy machine).
    h.step();
    wait_for_open(&mut h);
    let state = h.state();
    assert!(state.recoveries.is_empty());
    assert_eq!(
        state.doc.set.annotations, expected.annotations,
        "exactly as before the crash"
    );
    assert_eq!(state.doc.article_path(), Some(article.as_path()));
    assert_eq!(state.doc.set_path, None);
    assert!(state.doc.is_dirty(), "restored work is unsaved until saved");

    // Saving settles it: the set file holds the work and the record goes.
    h.state_mut().push(Action::Save);
    wait_for_saves(&mut h);
    let saved = load_set(&dir.path().join("story.txt.claimlens.ron")).unwrap();
    assert_eq!(saved.annotations, expected.annotations);
    step_until(&mut h, "the record is removed after saving", |_| {
        recovery::list(&recovery_dir).is_empty()
    });
}

#[test]
fn discarding_unsaved_work_leaves_no_record_and_nothing_is_offered_next_time() {
    let (dir, mut h) = sample_with_a_recorded_change();
    let recovery_dir = dir.path().join("recovery");
    // Undo back to the opened state: nothing unsaved, no record.
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run();
    step_until(&mut h, "the record goes with the last change", |_| {
        recovery::list(&recovery_dir).is_empty()
    });
    // Quit, discarding a change: the record is removed at once.
    mark(&mut h, "Hikvision", Key::Num2);
    wait_for_record(&mut h, &recovery_dir);
    h.state_mut().push(Action::Quit);
    h.run();
    h.state_mut()
        .push(Action::AnswerUnsaved(UnsavedChoice::Discard));
    h.run();
    assert!(recovery::list(&recovery_dir).is_empty());
    drop(h);
    let h = harness_recovering(None, &recovery_dir);
    assert!(h.state().recoveries.is_empty());
    assert!(h.query_by_label("Unsaved work was found").is_none());
}

#[test]
fn work_found_at_start_can_be_discarded() {
    let (dir, h) = sample_with_a_recorded_change();
    let recovery_dir = dir.path().join("recovery");
    drop(h);
    let mut h = harness_recovering(None, &recovery_dir);
    h.get_by_label("Discard").click();
    h.run();
    assert!(h.state().recoveries.is_empty());
    assert!(recovery::list(&recovery_dir).is_empty());
    assert!(
        h.state().doc.set.annotations.is_empty(),
        "the sample, as it opens"
    );
}

/// `DIR/story.txt` (the sample's text) open with "Huawei" marked and saved beside it.
fn story_with_a_saved_annotation() -> (tempfile::TempDir, PathBuf, Harness<'static, App>) {
    let dir = tempfile::tempdir().unwrap();
    let (article, mut h) = story_open(dir.path());
    mark(&mut h, "Huawei", Key::Num1);
    h.state_mut().push(Action::Save);
    wait_for_saves(&mut h);
    (dir, article, h)
}

#[test]
fn a_damaged_set_offers_its_newest_good_backup_and_saving_keeps_the_damaged_file() {
    let (dir, article, mut h) = story_with_a_saved_annotation();
    let set_path = dir.path().join("story.txt.claimlens.ron");
    mark(&mut h, "Hikvision", Key::Num2);
    h.state_mut().push(Action::Save);
    wait_for_saves(&mut h);
    assert_eq!(load_set(&set_path).unwrap().annotations.len(), 2);
    assert_eq!(
        load_set(&backup_path(&set_path, 1))
            .unwrap()
            .annotations
            .len(),
        1,
        "the save kept the version it replaced"
    );

    // The set file is damaged (a disk fault, a bad hand edit); opening the article says so and
    // offers the backup.
    let damaged = b"// Claimlens annotation set.\n(format_version: 3, annotations: [(";
    std::fs::write(&set_path, damaged).unwrap();
    h.state_mut().push(Action::Open(article.clone()));
    wait_for_open(&mut h);
    let message = h.state().message.clone().expect("the damage is reported");
    assert!(
        message.body.contains("story.txt.claimlens.ron"),
        "{}",
        message.body
    );
    assert!(
        message.body.contains("A backup of this set saved"),
        "{}",
        message.body
    );
    assert_eq!(
        std::fs::read(&set_path).unwrap(),
        damaged,
        "nothing written yet"
    );

    h.get_by_label_contains("Open the backup of").click();
    // One frame takes the click and starts the open; `run` would step through the
    // spinner's frames until its step limit if the open worker is slow (a busy machine).
    h.step();
    wait_for_open(&mut h);
    assert!(h.state().message.is_none());
    let state = h.state();
    assert_eq!(state.doc.set.annotations.len(), 1);
    assert_eq!(state.doc.set.annotations[0].anchor.quote.exact, "Huawei");
    assert_eq!(state.doc.set_path.as_deref(), Some(set_path.as_path()));
    assert!(state.doc.is_dirty(), "the restored set waits to be saved");
    assert_eq!(
        std::fs::read(&set_path).unwrap(),
        damaged,
        "still nothing written"
    );

    // Saving puts the backup's annotations in place and keeps the damaged file as backup 1.
    h.state_mut().push(Action::Save);
    wait_for_saves(&mut h);
    assert_eq!(load_set(&set_path).unwrap().annotations.len(), 1);
    assert_eq!(std::fs::read(backup_path(&set_path, 1)).unwrap(), damaged);
    assert!(!h.state().doc.is_dirty());
}

#[test]
fn an_article_changed_on_disk_is_noticed_read_again_and_the_set_reanchored() {
    let dir = tempfile::tempdir().unwrap();
    let (article, mut h) = story_open(dir.path());
    mark(&mut h, "Hikvision", Key::Num2);
    let id = h.state().view.selected.unwrap();
    let old_start = h.state().doc.set.get(id).unwrap().anchor.position.start;

    // Another program corrects the article: a sentence goes in at the top.
    let insert = "Correction: an earlier version misnamed the memo’s author.\n\n";
    std::fs::write(&article, format!("{insert}{SAMPLE_TEXT}")).unwrap();
    step_until(&mut h, "the change is noticed", |app| app.message.is_some());
    h.run();
    let message = h.state().message.clone().unwrap();
    assert_eq!(message.title, "The article changed on disk");
    assert!(message.body.contains("story.txt"), "{}", message.body);
    assert_eq!(
        h.state().doc.article.text.chars().count(),
        claimlens::app::sample_article().char_len(),
        "nothing changes before the analyst agrees"
    );

    h.get_by_label("Read it again and re-anchor").click();
    // One frame takes the click and starts the open; `run` would step through the
    // spinner's frames until its step limit if the open worker is slow (a busy machine).
    h.step();
    wait_for_open(&mut h);
    let state = h.state();
    assert!(state.doc.article.text.starts_with("Correction:"));
    let a = state.doc.set.get(id).expect("the annotation is kept");
    assert_eq!(a.anchor.quote.exact, "Hikvision");
    assert_eq!(
        a.anchor.position.start,
        old_start + insert.chars().count(),
        "re-anchored past the inserted sentence"
    );
    assert_eq!(state.doc.set.article.content_hash, state.doc.article.hash);
    // The history survives: undo takes back the re-anchoring, then the annotation.
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    h.run();
    assert!(h.state().doc.set.annotations.is_empty());
}

#[test]
fn a_set_from_a_newer_claimlens_opens_read_only_and_is_never_saved_over() {
    // A set saved by this version, then "upgraded": a newer format and a field we do not know.
    let (dir, article, h) = story_with_a_saved_annotation();
    let set_path = dir.path().join("story.txt.claimlens.ron");
    drop(h);
    let current = std::fs::read_to_string(&set_path).unwrap();
    let newer = current.replacen(
        &format!("format_version: {},", claimlens::model::FORMAT_VERSION),
        "format_version: 99,\n    reviewers: [\"someone\"],",
        1,
    );
    assert_ne!(newer, current);
    std::fs::write(&set_path, &newer).unwrap();

    let mut h = harness_with(Some(article.clone()), Arc::default());
    let message = h.state().message.clone().expect("told it is read-only");
    assert_eq!(message.title, "Opened read-only");
    assert!(message.body.contains("format 99"), "{}", message.body);
    assert!(h.state().doc.is_read_only());
    assert_eq!(
        h.state().doc.set.annotations.len(),
        1,
        "its annotations are shown"
    );
    assert!(h.state().doc.window_title().contains("[read-only]"));
    h.get_by_label("OK").click();
    h.run();

    // No change is recorded and nothing is saved over it.
    mark(&mut h, "Hikvision", Key::Num2);
    assert_eq!(h.state().doc.set.annotations.len(), 1);
    assert!(!h.state().doc.is_dirty());
    h.state_mut().push(Action::Save);
    wait_for_saves(&mut h);
    assert_eq!(
        h.state().message.as_ref().unwrap().title,
        "This set is read-only"
    );
    assert_eq!(
        std::fs::read_to_string(&set_path).unwrap(),
        newer,
        "the file is untouched"
    );
}

/// Saving runs on its own thread: a big set is written after the frame that asked for it, the
/// document counts as saved only up to the revision that was copied, and closing the window
/// while it is written waits for the save instead of asking about unsaved changes.
#[test]
fn saving_in_the_background_marks_only_what_was_written_and_closing_waits_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut h) = story_open(dir.path());
    // A big set, so that the write takes a while (the assertions hold however fast it is).
    {
        let app = h.state_mut();
        let text_len = app.doc.article.char_len();
        for k in 0..3_000 {
            let start = (k * 7) % (text_len - 20);
            let anchor =
                claimlens::model::Anchor::new(&app.doc.article, start..start + 12).unwrap();
            app.doc.set_mut().insert(claimlens::model::Annotation::new(
                claimlens::model::LabelId::new("claim"),
                anchor,
                claimlens::model::Timestamp::UNIX_EPOCH,
            ));
        }
        app.doc.refresh();
    }
    mark(&mut h, "Huawei", Key::Num1);
    let set_path = dir.path().join("story.txt.claimlens.ron");

    // Save, then change the set before the save is reported: the change stays unsaved.
    h.state_mut().push(Action::Save);
    h.step();
    mark(&mut h, "Financial Times", Key::Num2);
    wait_for_saves(&mut h);
    let saved = load_set(&set_path).unwrap();
    assert_eq!(saved.annotations.len(), 3_001, "the copy taken when saving");
    assert_eq!(h.state().doc.set.annotations.len(), 3_002);
    assert!(h.state().doc.is_dirty(), "the later mark is not saved");

    // Save and close at once: no question, the window closes once the set is written.
    h.state_mut().push(Action::Save);
    h.step();
    request_close(&mut h);
    let sent = commands_until_closed(&mut h);
    assert!(
        h.state().unsaved_prompt.is_none(),
        "nothing to ask: it is being saved"
    );
    assert!(
        sent.contains(&egui::ViewportCommand::Close),
        "closes once saved"
    );
    assert_eq!(load_set(&set_path).unwrap().annotations.len(), 3_002);
    assert!(!h.state().doc.is_dirty());
}

/// What just happened ("Saved …") comes right after the counts in the status bar, so a long
/// article or set path never pushes it out of a narrow window.
#[test]
fn the_save_message_stays_in_view_beside_long_paths() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir
        .path()
        .join("a folder with a rather long name for the reports of this quarter")
        .join("and another one below it, as analysts' folders go");
    std::fs::create_dir_all(&deep).unwrap();
    let article = story(&deep);
    let width = 1000.0;
    let mut h = harness_sized(
        options_with(Some(article), Arc::default()),
        egui::vec2(width, 800.0),
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    wait_for_saves(&mut h);
    let saved = h.get_by_label_contains("Saved ").rect();
    assert!(
        saved.left() < width - 100.0,
        "the message starts at {} in a window {width} wide",
        saved.left()
    );
}
