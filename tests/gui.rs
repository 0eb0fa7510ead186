//! Drives the real app headless with egui_kittest, by accessible labels and real input events.

use std::path::PathBuf;
use std::sync::Arc;

use claimlens::app::{App, ScriptedDialogs, StartOptions};
use claimlens::model::{BlockKind, LabelId, Timestamp};
use egui::{Key, Modifiers, Pos2};
use egui_kittest::{Harness, kittest::Queryable as _};

pub(crate) fn fixed_clock() -> Box<dyn Fn() -> Timestamp> {
    Box::new(|| "2026-11-23T10:00:00Z".parse().expect("valid timestamp"))
}

pub(crate) fn harness_with(
    open: Option<PathBuf>,
    dialogs: Arc<ScriptedDialogs>,
) -> Harness<'static, App> {
    harness_from(options_with(open, dialogs))
}

/// Start options for a test: open `open`, answer file dialogs from `dialogs`, a fixed clock, no
/// saved settings.
pub(crate) fn options_with(open: Option<PathBuf>, dialogs: Arc<ScriptedDialogs>) -> StartOptions {
    StartOptions {
        open,
        set: None,
        dialogs: Box::new(dialogs),
        clock: fixed_clock(),
        persist_settings: false,
        ..StartOptions::default()
    }
}

/// The app started with `options`, once what it opens is open.
pub(crate) fn harness_from(options: StartOptions) -> Harness<'static, App> {
    harness_sized(options, egui::vec2(1400.0, 2400.0))
}

/// The app started with `options` in a window of `size` points, once what it opens is open.
pub(crate) fn harness_sized(options: StartOptions, size: egui::Vec2) -> Harness<'static, App> {
    let mut harness = Harness::builder()
        .with_size(size)
        // A jump flashes the highlight for 1.6 s of animation.
        .with_max_steps(24)
        .build_eframe(move |cc| App::new(cc, options));
    wait_for_open(&mut harness);
    harness
}

/// Runs frames until the file being opened (on the app's worker thread) is installed.
pub(crate) fn wait_for_open(h: &mut Harness<'static, App>) {
    for _ in 0..1000 {
        h.step();
        if h.state().open_job.is_none() {
            h.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the file did not open within 10 s");
}

/// Runs frames until the saves asked for are written (saving runs on its own thread).
pub(crate) fn wait_for_saves(h: &mut Harness<'static, App>) {
    h.run();
    for _ in 0..1000 {
        if h.state().saves_pending() == 0 {
            h.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        h.step();
    }
    panic!("the set was not saved within 10 s");
}

/// The window's close button is pressed (seen in the next frame).
pub(crate) fn request_close(h: &mut Harness<'_, App>) {
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
}

/// Runs frames until the app closes its window (at most 10 s); the viewport commands sent.
pub(crate) fn commands_until_closed(h: &mut Harness<'_, App>) -> Vec<egui::ViewportCommand> {
    let mut sent = Vec::new();
    for _ in 0..1000 {
        h.step();
        sent.extend(
            h.output().viewport_output[&egui::ViewportId::ROOT]
                .commands
                .clone(),
        );
        if sent.contains(&egui::ViewportCommand::Close) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    sent
}

/// Screen position of article offset `offset` (its left edge, mid-line).
pub(crate) fn pos_of(harness: &Harness<'_, App>, offset: usize) -> Pos2 {
    harness
        .state()
        .reader
        .screen_pos_of(offset)
        .expect("offset is laid out and visible")
}

/// Drags from one article offset to another, one event per frame as a hand would.
pub(crate) fn drag_select(harness: &mut Harness<'_, App>, from: usize, to: usize) {
    let (a, b) = (pos_of(harness, from), pos_of(harness, to));
    harness.hover_at(a);
    harness.run();
    harness.drag_at(a);
    harness.run();
    harness.hover_at(a.lerp(b, 0.5));
    harness.run();
    harness.hover_at(b);
    harness.run();
    harness.event(egui::Event::PointerButton {
        pos: b,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    harness.run();
}

/// A click on the article at code point `offset`: press and release, a frame each.
pub(crate) fn click_article(h: &mut Harness<'_, App>, offset: usize) {
    let pos = pos_of(h, offset);
    h.hover_at(pos);
    h.run();
    h.drag_at(pos);
    h.run();
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.run();
}

/// Marks code points `range` with label `label` through the app's actions (no pointer).
fn mark_range(h: &mut Harness<'_, App>, range: std::ops::Range<usize>, label: &str) {
    h.state_mut()
        .push(claimlens::app::Action::SetTextSelection(Some(
            claimlens::app::TextSelection {
                anchor: range.start,
                head: range.end,
            },
        )));
    h.state_mut()
        .push(claimlens::app::Action::Mark(LabelId::new(label)));
    h.run();
}

pub(crate) fn offset_of(harness: &Harness<'_, App>, needle: &str) -> usize {
    let text = &harness.state().doc.article.text;
    let byte = text.find(needle).expect("needle in article");
    text[..byte].chars().count()
}

#[test]
fn select_press_2_undo_redo() {
    let mut h = harness_with(None, Arc::default());
    h.get_by_label("Article text");
    let start = offset_of(&h, "Financial Times report");
    let end = start + "Financial Times".chars().count();
    drag_select(&mut h, start, end);
    assert_eq!(
        h.state().view.selection.map(|s| s.range()),
        Some(start..end),
        "drag selects the text between the two points"
    );

    h.key_press(Key::Num2);
    h.run();
    let set = &h.state().doc.set;
    assert_eq!(set.annotations.len(), 1);
    let a = &set.annotations[0];
    assert_eq!(a.label, LabelId::new("source"));
    assert_eq!(a.anchor.quote.exact, "Financial Times");
    assert_eq!(a.anchor.position.start, start);
    // The side panel lists it under its label, with its quote.
    h.get_by_label("Source (1)");
    // Once in the list and once in the details of the selected annotation.
    assert_eq!(h.get_all_by_label_contains("“Financial Times”").count(), 2);
    assert!(h.state().doc.is_dirty());

    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert!(h.state().doc.set.annotations.is_empty(), "undo removes it");
    assert!(h.query_by_label("Source (1)").is_none());
    assert!(
        !h.state().doc.is_dirty(),
        "undo back to the opened state is clean"
    );

    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run();
    assert_eq!(h.state().doc.set.annotations.len(), 1, "redo restores it");
    assert_eq!(
        h.state().doc.set.annotations[0].anchor.quote.exact,
        "Financial Times"
    );
    h.get_by_label("Source (1)");
}

/// Marks `needle` (first occurrence) with the label on `key`.
pub(crate) fn mark(h: &mut Harness<'_, App>, needle: &str, key: Key) {
    let start = offset_of(h, needle);
    drag_select(h, start, start + needle.chars().count());
    h.key_press(key);
    h.run();
}

/// Selects the first occurrence of `needle` without marking it.
pub(crate) fn mark_selection_only(h: &mut Harness<'_, App>, needle: &str) {
    let start = offset_of(h, needle);
    drag_select(h, start, start + needle.chars().count());
}

pub(crate) fn click_menu(h: &mut Harness<'_, App>, menu: &str, item: &str) {
    click_menu_item(h, menu, item);
    h.run();
}

/// Opens `menu` and clicks `item`, without running the frames that follow.
pub(crate) fn click_menu_item(h: &mut Harness<'_, App>, menu: &str, item: &str) {
    h.get_by_label(menu).click();
    h.run();
    h.get_by_label_contains(item).click();
}

#[test]
fn save_to_temp_dir_and_reopen_identical() {
    let dir = tempfile::tempdir().unwrap();
    let set_path = dir.path().join("sample.claimlens.ron");
    let dialogs = Arc::new(ScriptedDialogs::new([Some(set_path.clone())]));
    let mut h = harness_with(None, dialogs.clone());
    mark(&mut h, "Financial Times report", Key::Num1);
    mark(&mut h, "Financial Times", Key::Num2);
    mark(&mut h, "completely false", Key::Num3);
    assert_eq!(h.state().doc.set.annotations.len(), 3);
    assert!(h.state().doc.window_title().starts_with('*'));

    click_menu(&mut h, "File", "Save as…");
    wait_for_saves(&mut h);
    assert_eq!(dialogs.asked().len(), 1, "Save as asks where");
    assert!(set_path.exists(), "the set was written");
    assert!(!h.state().doc.is_dirty());
    assert!(!h.state().doc.window_title().starts_with('*'));
    let saved = h.state().doc.set.clone();

    // Ctrl+S now saves to the same file without asking.
    mark(&mut h, "Alibaba spokesperson", Key::Num2);
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    wait_for_saves(&mut h);
    assert_eq!(dialogs.asked().len(), 1);
    let saved_again = h.state().doc.set.clone();
    assert_eq!(saved_again.annotations.len(), 4);
    assert_ne!(saved, saved_again);

    // Reopen in a fresh app: every annotation identical (ids, labels, anchors, times).
    let h2 = harness_with(Some(set_path.clone()), Arc::default());
    assert!(h2.state().message.is_none(), "{:?}", h2.state().message);
    assert_eq!(h2.state().doc.set, saved_again);
    assert_eq!(h2.state().doc.set.article.path, claimlens::app::SAMPLE_REF);
    assert!(!h2.state().doc.is_dirty());
    h2.get_by_label("Source (2)");
}

#[test]
fn a_typed_note_is_one_undo_step() {
    let mut h = harness_with(None, Arc::default());
    mark(&mut h, "declassified intelligence memo", Key::Num1);
    let id = h.state().view.selected.expect("new annotation is selected");

    h.get_by_label("Note").click();
    h.run();
    h.get_by_label("Note")
        .type_text("Memo never published.\nAsk FT for a copy.");
    h.run();
    assert_eq!(
        h.state().doc.set.get(id).unwrap().note,
        "",
        "not recorded while typing"
    );
    // Moving on (Escape leaves the field) records the note as one edit.
    h.key_press(Key::Escape);
    h.run();
    let annotation = h.state().doc.set.get(id).unwrap().clone();
    assert_eq!(annotation.note, "Memo never published.\nAsk FT for a copy.");
    assert_eq!(
        h.state().view.selected,
        Some(id),
        "Escape leaves the field, not the annotation"
    );

    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    let after_undo = h
        .state()
        .doc
        .set
        .get(id)
        .expect("one undo only removes the note");
    assert_eq!(after_undo.note, "");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    h.run();
    assert_eq!(h.state().doc.set.get(id), Some(&annotation));
}

#[test]
fn delete_key_and_label_change_are_undoable() {
    let mut h = harness_with(None, Arc::default());
    mark(&mut h, "Hikvision", Key::Num1);
    let id = h.state().view.selected.unwrap();
    h.get_by_label("Denial").click();
    h.run();
    assert_eq!(
        h.state().doc.set.get(id).unwrap().label,
        LabelId::new("denial")
    );
    h.key_press(Key::Delete);
    h.run();
    assert!(h.state().doc.set.annotations.is_empty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(
        h.state().doc.set.get(id).unwrap().label,
        LabelId::new("denial")
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(
        h.state().doc.set.get(id).unwrap().label,
        LabelId::new("claim")
    );
}

#[test]
fn unsaved_changes_ask_before_opening_another_article() {
    let mut h = harness_with(None, Arc::default());
    mark(&mut h, "Huawei", Key::Num1);
    click_menu(&mut h, "File", "Open sample article");
    h.get_by_label("Unsaved changes");
    h.get_by_label("Cancel").click();
    h.run();
    assert_eq!(
        h.state().doc.set.annotations.len(),
        1,
        "cancel keeps the work"
    );
    assert!(h.query_by_label("Unsaved changes").is_none());

    click_menu(&mut h, "File", "Open sample article");
    h.get_by_label("Discard").click();
    h.run();
    assert!(h.state().doc.set.annotations.is_empty());
    assert!(!h.state().doc.is_dirty());
}

#[test]
fn clicking_a_list_entry_selects_and_clicking_a_highlight_selects_its_entry() {
    let mut h = harness_with(None, Arc::default());
    mark(&mut h, "Hong Kong-based geopolitical analyst", Key::Num2);
    let id = h.state().view.selected.unwrap();
    h.key_press(Key::Escape);
    h.run();
    assert_eq!(h.state().view.selected, None);

    h.get_by_label_contains("“Hong Kong-based").click();
    h.run();
    assert_eq!(h.state().view.selected, Some(id));
    h.key_press(Key::Escape);
    h.run();

    let inside = offset_of(&h, "geopolitical");
    click_article(&mut h, inside + 2);
    assert_eq!(h.state().view.selected, Some(id));
}

/// Opening a file builds the document and its highlight index on the open worker: the
/// highlights of the set found beside the article are there to click once it is open.
#[test]
fn highlights_of_a_set_opened_with_its_article_can_be_clicked() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("story.txt");
    std::fs::write(&article, claimlens::app::SAMPLE_TEXT).unwrap();
    let mut h = harness_with(Some(article.clone()), Arc::default());
    mark(&mut h, "Hong Kong-based geopolitical analyst", Key::Num2);
    let id = h.state().view.selected.unwrap();
    h.state_mut().push(claimlens::app::Action::SaveTo(
        dir.path().join("story.txt.claimlens.ron"),
    ));
    wait_for_saves(&mut h);

    h.state_mut()
        .push(claimlens::app::Action::Open(article.clone()));
    wait_for_open(&mut h);
    assert_eq!(h.state().doc.set.annotations.len(), 1, "the set came along");
    assert_eq!(h.state().view.selected, None, "a fresh document");
    let inside = offset_of(&h, "geopolitical");
    click_article(&mut h, inside + 2);
    assert_eq!(h.state().view.selected, Some(id));
}

#[test]
fn a_broken_set_file_gives_a_clear_message_and_keeps_the_open_work() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.claimlens.ron");
    std::fs::write(
        &bad,
        "// Claimlens annotation set.\n(format_version: 1, article: (path: \"x\"",
    )
    .unwrap();
    let mut h = harness_with(None, Arc::default());
    mark(&mut h, "Huawei", Key::Num1);
    h.state_mut()
        .push(claimlens::app::Action::SaveTo(dir.path().join("ok.ron")));
    wait_for_saves(&mut h);
    h.state_mut()
        .push(claimlens::app::Action::Open(bad.clone()));
    wait_for_open(&mut h);
    let message = h.state().message.clone().expect("an error is shown");
    assert!(message.is_error);
    assert!(
        message.body.contains("broken.claimlens.ron"),
        "{}",
        message.body
    );
    h.get_by_label("Could not open the file");
    assert_eq!(
        h.state().doc.set.annotations.len(),
        1,
        "nothing the user had is lost"
    );
    h.get_by_label("OK").click();
    h.run();
    assert!(h.state().message.is_none());
}

#[test]
fn a_changed_article_is_reanchored_and_doubtful_annotations_wait_for_review() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("story.txt");
    std::fs::write(
        &article,
        "Headline\n\nThe minister said the plan is dead.\nAides denied it.\n",
    )
    .unwrap();
    let mut h = harness_with(Some(article.clone()), Arc::default());
    mark(&mut h, "the plan is dead", Key::Num1);
    mark(&mut h, "Aides denied it", Key::Num3);
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    wait_for_saves(&mut h);
    let set_path = dir.path().join("story.txt.claimlens.ron");
    assert!(
        set_path.exists(),
        "Ctrl+S saves beside the article by default"
    );
    let saved = std::fs::read_to_string(&set_path).unwrap();
    assert!(saved.contains("path: \"story.txt\""), "{saved}");

    // The article is corrected and a sentence is added in front.
    std::fs::write(
        &article,
        "Headline\n\nUpdate: corrected.\nThe minister said the plan is over.\nAides denied it.\n",
    )
    .unwrap();
    let mut h2 = harness_with(Some(article.clone()), Arc::default());
    let message = h2.state().message.clone().expect("the change is reported");
    assert!(!message.is_error);
    assert!(
        message.body.contains("1 placed, 1 to review"),
        "{}",
        message.body
    );
    h2.get_by_label("OK").click();
    h2.run();
    let doc = &h2.state().doc;
    assert_eq!(doc.set.annotations.len(), 2, "nothing dropped");
    assert_eq!(doc.set.article.content_hash, doc.article.hash);
    let denial = doc
        .set
        .annotations
        .iter()
        .find(|a| a.label == LabelId::new("denial"))
        .unwrap();
    assert_eq!(
        doc.article.slice(denial.anchor.position.range()),
        "Aides denied it"
    );
    assert!(doc.is_dirty(), "re-anchoring is an edit to save");
    h2.get_by_label("Review after re-anchoring (1)");
    let waiting = doc.set.pending_review().next().unwrap();
    let proposal = waiting
        .review
        .as_ref()
        .unwrap()
        .proposal
        .expect("a proposal");
    assert_eq!(doc.article.slice(proposal.range()), "the plan is over");
    h2.get_by_label_contains("Proposed: “the plan is over”");

    h2.get_by_label("Accept").click();
    h2.run();
    let doc = &h2.state().doc;
    let claim = doc
        .set
        .annotations
        .iter()
        .find(|a| a.label == LabelId::new("claim"))
        .unwrap();
    assert_eq!(claim.anchor.quote.exact, "the plan is over");
    assert!(claim.review.is_none());
    assert!(h2.query_by_label("Review after re-anchoring (1)").is_none());

    // Undo the acceptance, then the re-anchoring itself: the old anchors come back.
    h2.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h2.run();
    h2.get_by_label("Review after re-anchoring (1)");
    h2.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h2.run();
    let doc = &h2.state().doc;
    assert_ne!(doc.set.article.content_hash, doc.article.hash);
    assert!(doc.set.annotations.iter().all(|a| a.review.is_none()));
    h2.get_by_label("Not found in this article (2)");
    h2.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    h2.run();

    // Saved with the review pending, it reopens with the same queue.
    h2.key_press_modifiers(Modifiers::COMMAND, Key::S);
    wait_for_saves(&mut h2);
    let text = std::fs::read_to_string(&set_path).unwrap();
    assert!(
        text.contains("format_version: 3") && text.contains("status: Moved"),
        "{text}"
    );
    let h3 = harness_with(Some(article), Arc::default());
    assert!(h3.state().message.is_none(), "nothing new to re-anchor");
    h3.get_by_label("Review after re-anchoring (1)");
}

#[test]
fn re_attach_to_selection_and_delete_from_the_review_queue() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("memo.txt");
    std::fs::write(
        &article,
        "Memo\n\nOfficials said the memo was real.\nThe firm said it was forged.\n",
    )
    .unwrap();
    let mut h = harness_with(Some(article.clone()), Arc::default());
    mark(&mut h, "the memo was real", Key::Num1);
    mark(&mut h, "it was forged", Key::Num3);
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    wait_for_saves(&mut h);
    std::fs::write(
        &article,
        "Memo\n\nOfficials now say the memo is genuine.\nThe firm stayed silent.\n",
    )
    .unwrap();
    let mut h = harness_with(Some(article), Arc::default());
    h.get_by_label("OK").click();
    h.run();
    assert_eq!(h.state().doc.set.pending_review().count(), 2);

    // Re-attach the claim to a new selection.
    mark_selection_only(&mut h, "the memo is genuine");
    let claim_id = h
        .state()
        .doc
        .set
        .annotations
        .iter()
        .find(|a| a.label == LabelId::new("claim"))
        .unwrap()
        .id;
    h.state_mut()
        .push(claimlens::app::Action::ReviewReattach(claim_id));
    h.run();
    let claim = h.state().doc.set.get(claim_id).unwrap();
    assert_eq!(claim.anchor.quote.exact, "the memo is genuine");
    assert!(claim.review.is_none());

    // Delete the denial that is gone (Escape first closes the re-attached one's details).
    h.key_press(Key::Escape);
    h.run();
    h.get_by_label("Delete").click();
    h.run();
    assert_eq!(h.state().doc.set.annotations.len(), 1);
    assert!(h.state().doc.set.pending_review().next().is_none());
}

#[test]
fn keyboard_extends_the_selection() {
    let mut h = harness_with(None, Arc::default());
    let start = offset_of(&h, "Alibaba Group Holding");
    drag_select(&mut h, start, start + 3);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::ArrowRight);
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::ArrowRight);
    h.run();
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowLeft);
    h.run();
    let range = h.state().view.selection.unwrap().range();
    assert_eq!(h.state().doc.article.slice(range), "Alibaba Grou");
    h.key_press(Key::Num1);
    h.run();
    assert_eq!(
        h.state().doc.set.annotations[0].anchor.quote.exact,
        "Alibaba Grou"
    );
}

#[test]
fn closing_the_window_with_unsaved_changes_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let set_path = dir.path().join("closing.claimlens.ron");
    let mut h = harness_with(
        None,
        Arc::new(ScriptedDialogs::new([Some(set_path.clone())])),
    );
    mark(&mut h, "Huawei", Key::Num1);
    let root = egui::ViewportId::ROOT;
    let close = |h: &mut Harness<'_, App>| {
        request_close(h);
        h.step();
    };
    let commands = |h: &Harness<'_, App>| h.output().viewport_output[&root].commands.clone();

    close(&mut h);
    assert!(commands(&h).contains(&egui::ViewportCommand::CancelClose));
    h.run();
    h.get_by_label("Unsaved changes");
    h.get_by_label("Save").click();
    // The sample has no set file yet: Save asks where (answered at once here), saves, closes.
    let sent = commands_until_closed(&mut h);
    assert!(set_path.exists(), "Save in the prompt saves first");
    assert!(sent.contains(&egui::ViewportCommand::Close), "then closes");

    // With nothing unsaved, closing is not interrupted.
    let mut clean = harness_with(None, Arc::default());
    close(&mut clean);
    assert!(!commands(&clean).contains(&egui::ViewportCommand::CancelClose));
}

#[test]
fn font_size_keys_relayout_and_an_explicit_set_opens_with_its_article() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("note.txt");
    std::fs::write(
        &article,
        "Title\n\nThe agency said the memo was authentic.\n",
    )
    .unwrap();
    let sets = dir.path().join("sets");
    std::fs::create_dir(&sets).unwrap();
    let set_path = sets.join("mine.ron");

    let mut h = harness_with(
        Some(article.clone()),
        Arc::new(ScriptedDialogs::new([Some(set_path.clone())])),
    );
    let width_before = pos_of(&h, 20).x - pos_of(&h, 10).x;
    h.key_press_modifiers(Modifiers::COMMAND, Key::Plus);
    h.run();
    assert_eq!(
        h.state().view.font_size,
        claimlens::app::DEFAULT_FONT_SIZE + 2.0
    );
    let width_after = pos_of(&h, 20).x - pos_of(&h, 10).x;
    assert!(
        width_after > width_before * 1.05,
        "text re-laid out larger: {width_before} → {width_after}"
    );
    mark(&mut h, "the memo was authentic", Key::Num1);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::S);
    wait_for_saves(&mut h);
    let text = std::fs::read_to_string(&set_path).unwrap();
    assert!(text.contains("path: \"../note.txt\""), "{text}");
    assert_eq!(
        h.state().settings.recent.first(),
        Some(&std::path::absolute(&set_path).unwrap()),
        "saved sets become recent files"
    );

    // `claimlens ARTICLE --set SET` opens exactly that pair.
    let options = StartOptions {
        open: Some(article.clone()),
        set: Some(set_path.clone()),
        dialogs: Box::new(Arc::new(ScriptedDialogs::default())),
        clock: fixed_clock(),
        persist_settings: false,
        ..StartOptions::default()
    };
    let mut h2 = Harness::builder()
        .with_size(egui::vec2(1400.0, 2400.0))
        .build_eframe(move |cc| App::new(cc, options));
    wait_for_open(&mut h2);
    assert_eq!(h2.state().doc.set.annotations.len(), 1);
    assert_eq!(h2.state().doc.set_path.as_deref(), Some(set_path.as_path()));
    assert!(h2.state().message.is_none());
}

/// The reader's work per frame depends on what is in view, not on the article's length.
#[test]
fn a_book_length_article_lays_out_only_what_is_in_view() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("book.txt");
    let paragraph = "The committee heard that the contract was signed before the tender closed, \
                     a claim the ministry denied in a written statement on Friday.";
    let mut text = String::from("A very long hearing transcript\n\n");
    for i in 0..20_000 {
        text.push_str(&format!("{i}. {paragraph}\n"));
    }
    std::fs::write(&article, &text).unwrap();
    assert!(text.len() > 2_500_000);

    let mut h = harness_with(Some(article), Arc::default());
    let cached = h.state().reader.cached_galleys();
    assert!(
        cached > 5 && cached < 200,
        "laid out {cached} of 20,001 paragraphs"
    );

    // Jump to the end (Ctrl+End is not bound; reveal an annotation made there instead).
    let last = h.state().doc.article.char_len() - 20;
    mark_range(&mut h, last..last + 10, "claim");
    let id = h.state().doc.set.annotations[0].id;
    h.state_mut().push(claimlens::app::Action::Reveal(id));
    h.run();
    let pos = h
        .state()
        .reader
        .screen_pos_of(last)
        .expect("the end is laid out after the jump");
    assert!(
        (0.0..2400.0).contains(&pos.y),
        "the end is scrolled into view: y = {}",
        pos.y
    );
    let cached = h.state().reader.cached_galleys();
    assert!(
        cached < 400,
        "after the jump {cached} paragraphs are laid out"
    );
    h.step();
    assert_eq!(
        h.state().reader.laid_out_last_frame,
        0,
        "a still frame lays out nothing"
    );

    // A larger font drops every layout kept; they are freed 64 a frame over the next frames,
    // not all in the frame of the change.
    let kept = h.state().reader.cached_galleys();
    assert!(kept > 64, "{kept} layouts kept");
    h.state_mut().push(claimlens::app::Action::ZoomIn);
    h.step();
    h.step();
    let mut unfreed = h.state().reader.unfreed_galleys();
    assert!(
        unfreed > 0 && unfreed + 64 >= kept,
        "{unfreed} of {kept} layouts to free"
    );
    while unfreed > 0 {
        h.step();
        let now = h.state().reader.unfreed_galleys();
        assert_eq!(now, unfreed.saturating_sub(64));
        unfreed = now;
    }
}

#[test]
fn without_a_desktop_file_dialog_the_app_asks_for_the_path_itself() {
    use claimlens::app::DialogAnswer;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("typed.claimlens.ron");
    let dialogs = Arc::new(ScriptedDialogs::with_answers([DialogAnswer::Unavailable]));
    let mut h = harness_with(None, dialogs);
    mark(&mut h, "Huawei", Key::Num1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    wait_for_saves(&mut h);
    h.get_by_label("Save the annotation set as");
    let suggested = h.state().path_prompt.clone().unwrap().text;
    assert!(
        suggested.ends_with("alibaba-pla-denial.claimlens.ron"),
        "{suggested}"
    );

    let field = h.get_by_label("Path:");
    field.focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label("Path:")
        .type_text(&target.display().to_string());
    h.run();
    h.get_by_label("Save").click();
    wait_for_saves(&mut h);
    assert!(target.exists(), "saved where the analyst typed");
    assert!(h.state().path_prompt.is_none());
    assert!(!h.state().doc.is_dirty());
}

#[test]
fn discarding_for_a_file_that_does_not_open_keeps_the_work_marked_unsaved() {
    let mut h = harness_with(None, Arc::default());
    mark(&mut h, "Huawei", Key::Num1);
    h.state_mut()
        .push(claimlens::app::Action::Open(PathBuf::from(
            "/nonexistent/story.txt",
        )));
    h.run();
    h.get_by_label("Discard").click();
    wait_for_open(&mut h);
    assert!(h.state().message.as_ref().is_some_and(|m| m.is_error));
    assert_eq!(h.state().doc.set.annotations.len(), 1);
    assert!(
        h.state().doc.is_dirty(),
        "the work was not replaced, so it is still unsaved"
    );
}

#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_an_article_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("dropped.txt");
    std::fs::write(
        &article,
        "Dropped headline\n\nBody text of the dropped article.\n",
    )
    .unwrap();
    let mut h = harness_with(None, Arc::default());
    h.input_mut()
        .dropped_files
        .push(Arc::new(DroppedPath(article.clone())));
    wait_for_open(&mut h);
    assert_eq!(h.state().doc.article.title, "Dropped headline");
    assert_eq!(h.state().doc.article_path(), Some(article.as_path()));
}

#[test]
fn the_context_menu_keeps_the_selection_and_marks_it() {
    let mut h = harness_with(None, Arc::default());
    let start = offset_of(&h, "declassified intelligence memo");
    let end = start + "declassified intelligence memo".chars().count();
    drag_select(&mut h, start, end);
    let inside = pos_of(&h, start + 4);
    h.hover_at(inside);
    h.run();
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: inside,
            button: egui::PointerButton::Secondary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.run();
    assert_eq!(
        h.state().view.selection.map(|s| s.range()),
        Some(start..end),
        "right-click keeps the selection"
    );
    h.get_by_label_contains("Mark as Source").click();
    h.run();
    let a = &h.state().doc.set.annotations[0];
    assert_eq!(a.label, LabelId::new("source"));
    assert_eq!(a.anchor.quote.exact, "declassified intelligence memo");
}

#[test]
fn hovering_a_highlight_shows_its_label_and_note() {
    let mut h = harness_with(None, Arc::default());
    mark(&mut h, "White House", Key::Num2);
    let id = h.state().view.selected.unwrap();
    h.state_mut().push(claimlens::app::Action::SetNote(
        id,
        "Memo said to be used by the White House.".into(),
    ));
    h.key_press(Key::Escape);
    h.run();
    let inside = pos_of(&h, offset_of(&h, "White House") + 3);
    h.hover_at(inside);
    h.run();
    // The note shows in the tooltip (the list shows it too, elided, behind "Note: ").
    let tooltip_hits = h
        .get_all_by_label("Memo said to be used by the White House.")
        .count();
    assert_eq!(tooltip_hits, 1, "the tooltip shows the whole note");
    h.hover_at(egui::pos2(5.0, 2000.0));
    h.run();
    assert!(
        h.query_by_label("Memo said to be used by the White House.")
            .is_none()
    );
}

/// A hand-edited set with an unknown label, an empty span and a span past the article's end
/// opens without a panic; the odd ones are listed, nothing is dropped.
#[test]
fn odd_but_valid_sets_open_and_draw() {
    use claimlens::model::{
        Anchor, Annotation, AnnotationId, AnnotationSet, Article, TextPosition, TextQuote,
    };
    let dir = tempfile::tempdir().unwrap();
    let article_path = dir.path().join("short.txt");
    let text = "Short headline\n\nOnly one paragraph here.\n";
    std::fs::write(&article_path, text).unwrap();
    let article = Article::from_plain_text(text, "short.txt");
    let mut set = AnnotationSet::new(&article, "short.txt".into());
    let t = Timestamp::UNIX_EPOCH;
    let make = |id: u128, label: &str, anchor: Anchor| Annotation {
        id: AnnotationId::from_u128(id),
        label: LabelId::new(label),
        anchor,
        note: String::new(),
        created: t,
        modified: t,
        review: None,
        attributes: Default::default(),
        tags: Vec::new(),
    };
    set.insert(make(1, "rumour", Anchor::new(&article, 16..20).unwrap()));
    let empty = TextQuote {
        exact: String::new(),
        prefix: String::new(),
        suffix: String::new(),
    };
    set.insert(make(
        2,
        "claim",
        Anchor {
            position: TextPosition { start: 5, end: 5 },
            quote: empty,
        },
    ));
    set.insert(make(
        3,
        "denial",
        Anchor {
            position: TextPosition {
                start: 500,
                end: 504,
            },
            quote: TextQuote {
                exact: "gone".into(),
                prefix: String::new(),
                suffix: String::new(),
            },
        },
    ));
    let set_path = dir.path().join("short.txt.claimlens.ron");
    claimlens::store::save_set(&set, &set_path).unwrap();

    let mut h = harness_with(Some(article_path), Arc::default());
    assert_eq!(h.state().doc.set.annotations.len(), 3);
    h.get_by_label("rumour (1)");
    h.get_by_label("Not found in this article (1)");
    h.get_by_label_contains("“Only”").click();
    h.run();
    assert_eq!(h.state().view.selected, Some(AnnotationId::from_u128(1)));
    h.get_by_label_contains("“gone”").click();
    h.run();
    assert_eq!(h.state().view.selected, Some(AnnotationId::from_u128(3)));
}

/// Large sets re-anchor on a background thread while the window keeps drawing, with progress.
#[test]
fn large_sets_reanchor_in_the_background() {
    use claimlens::model::{Anchor, Annotation, AnnotationId, AnnotationSet, Article};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.txt");
    let mut text = String::from("Long record\n\n");
    for i in 0..2_500 {
        text.push_str(&format!(
            "Witness {i} said the payment reached account {}.\n",
            i * 7
        ));
    }
    let old = Article::from_plain_text(&text, "long.txt");
    let mut set = AnnotationSet::new(&old, "long.txt".into());
    for (i, p) in old.paragraphs.iter().enumerate().skip(1) {
        set.annotations.insert(Annotation {
            id: AnnotationId::from_u128(i as u128),
            label: LabelId::new("claim"),
            anchor: Anchor::new(&old, p.chars.clone()).unwrap(),
            note: String::new(),
            created: Timestamp::UNIX_EPOCH,
            modified: Timestamp::UNIX_EPOCH,
            review: None,
            attributes: Default::default(),
            tags: Vec::new(),
        });
    }
    claimlens::store::save_set(&set, &dir.path().join("long.txt.claimlens.ron")).unwrap();
    // The new version has an editor's note in front: every offset shifts.
    std::fs::write(
        &path,
        text.replacen("\n\n", "\n\nEditor's note: names withheld.\n", 1),
    )
    .unwrap();

    let options = StartOptions {
        open: Some(path),
        set: None,
        dialogs: Box::new(Arc::new(ScriptedDialogs::default())),
        clock: fixed_clock(),
        persist_settings: false,
        ..StartOptions::default()
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 2400.0))
        .build_eframe(move |cc| App::new(cc, options));
    for _ in 0..400 {
        if h.state().last_reanchor.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
        h.step();
    }
    let (summary, background) = h.state().last_reanchor.expect("re-anchoring finished");
    assert!(
        background,
        "re-anchoring 2,500 annotations ran off the UI thread"
    );
    assert_eq!(summary.anchored, 2_500);
    h.run();
    let doc = &h.state().doc;
    assert!(h.state().reanchor_job.is_none());
    assert_eq!(doc.set.article.content_hash, doc.article.hash);
    assert_eq!(
        doc.set.pending_review().count(),
        0,
        "every annotation placed"
    );
    for a in &doc.set.annotations {
        assert_eq!(
            doc.article.slice(a.anchor.position.range()),
            a.anchor.quote.exact
        );
    }
}

#[test]
fn a_markdown_article_opens_with_its_structure_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("advisory.md");
    std::fs::write(
        &path,
        "+++\ntitle = \"Advisory\"\nauthors = [\"Security WG\"]\ndate = 2024-04-09\n+++\n\n\
         > A quoted *claim* here.\n\n## Details\n\n- first point\n- second point\n\nBody text.\n",
    )
    .unwrap();
    let mut h = harness_with(Some(path.clone()), Arc::default());
    let state = h.state();
    assert!(state.message.is_none(), "{:?}", state.message);
    assert_eq!(state.doc.article.title, "Advisory");
    let kinds: Vec<_> = state
        .doc
        .article
        .paragraphs
        .iter()
        .map(|p| p.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            BlockKind::Headline,
            BlockKind::Quote(1),
            BlockKind::Heading(2),
            BlockKind::ListItem {
                depth: 1,
                number: None
            },
            BlockKind::ListItem {
                depth: 1,
                number: None
            },
            BlockKind::Body,
        ]
    );
    let header = state
        .reader
        .header_text()
        .expect("a metadata header")
        .to_owned();
    assert!(header.contains("Security WG"), "{header}");
    assert!(header.contains("2024-04-09"), "{header}");
    assert!(header.contains("Markdown"), "{header}");
    // A quote and a list item are annotatable like any text.
    mark(&mut h, "quoted claim", Key::Num1);
    mark(&mut h, "second point", Key::Num2);
    assert_eq!(h.state().doc.set.annotations.len(), 2);
    let a = &h.state().doc.set.annotations;
    assert!(a.iter().any(|a| a.anchor.quote.exact == "second point"));
}

#[cfg(unix)]
fn fifo(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("never-ending.txt");
    let status = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    path
}

/// Lets a reader blocked on `fifo` finish, so no thread is left waiting after the test.
#[cfg(unix)]
fn release(fifo: &std::path::Path) {
    use std::io::Write as _;
    let mut writer = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
    writer.write_all(b"late text").unwrap();
}

#[cfg(unix)]
#[test]
fn opening_can_be_cancelled_and_the_document_stays() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = fifo(dir.path());
    let mut h = harness_with(None, Arc::default());
    let before = h.state().doc.article.hash.clone();
    h.state_mut()
        .push(claimlens::app::Action::Open(pipe.clone()));
    // The status bar's spinner keeps repainting while the file is opened: step, don't settle.
    h.run_steps(3);
    assert!(h.state().open_job.is_some(), "the read waits for the pipe");
    h.get_by_label_contains("Opening never-ending.txt");
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert!(h.state().open_job.is_none());
    release(&pipe);
    std::thread::sleep(std::time::Duration::from_millis(100));
    h.run();
    assert_eq!(
        h.state().doc.article.hash,
        before,
        "the late result is ignored"
    );
    assert!(h.state().message.is_none());
}

#[cfg(unix)]
#[test]
fn opening_that_takes_too_long_gives_up_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = fifo(dir.path());
    let options = StartOptions {
        open: Some(pipe.clone()),
        dialogs: Box::new(Arc::new(ScriptedDialogs::default())),
        clock: fixed_clock(),
        persist_settings: false,
        open_timeout: std::time::Duration::from_millis(300),
        ..StartOptions::default()
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 2400.0))
        .build_eframe(move |cc| App::new(cc, options));
    wait_for_open(&mut h);
    let message = h.state().message.clone().expect("a message");
    assert!(message.is_error);
    assert!(
        message.body.contains("took longer than 300ms"),
        "{}",
        message.body
    );
    assert_eq!(h.state().doc.source, claimlens::app::ArticleSource::Sample);
    release(&pipe);
}

#[test]
fn a_file_that_is_not_an_article_gives_a_message_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.html");
    std::fs::write(&path, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0").unwrap();
    let mut h = harness_with(None, Arc::default());
    mark(&mut h, "Huawei", Key::Num1);
    let before = h.state().doc.set.clone();
    h.state_mut().push(claimlens::app::Action::Open(path));
    h.run();
    h.get_by_label("Discard").click();
    wait_for_open(&mut h);
    let message = h.state().message.clone().expect("a message");
    assert!(message.is_error);
    assert!(
        message.body.contains("this is a PNG image"),
        "{}",
        message.body
    );
    assert!(message.body.contains("photo.html"), "{}", message.body);
    assert_eq!(h.state().doc.set, before, "the open work is untouched");
}

#[test]
fn file_export_writes_the_brief_and_copy_brief_fills_the_clipboard() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("brief.md");
    let dialogs = Arc::new(ScriptedDialogs::new([Some(target.clone())]));
    let mut h = harness_with(None, dialogs.clone());
    mark(&mut h, "declassified intelligence memo", Key::Num2);
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Export").hover();
    h.run();
    h.get_by_label("Markdown brief…").click();
    h.run();
    wait_for_open(&mut h);
    let brief = std::fs::read_to_string(&target).expect("the brief was written");
    assert!(brief.contains("## Source (1)"), "{brief}");
    assert!(
        brief.contains("> declassified intelligence memo"),
        "{brief}"
    );
    assert!(matches!(
        dialogs.asked().last(),
        Some(claimlens::app::DialogRequest::Export { .. })
    ));

    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::C);
    h.run();
    let copied = h
        .state()
        .view
        .status
        .clone()
        .map(|(s, _)| s)
        .unwrap_or_default();
    assert!(
        copied.starts_with("Copied the brief as Markdown"),
        "{copied}"
    );
}

#[test]
fn the_highlight_map_shows_the_whole_article_and_a_click_scrolls_there() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("long.txt");
    let text = vec![claimlens::app::SAMPLE_TEXT.trim(); 40].join("\n\n");
    std::fs::write(&article, &text).unwrap();
    let mut h = harness_with(Some(article), Arc::default());
    // A highlight near the end, out of view.
    let last = h.state().doc.article.char_len() - 30;
    mark_range(&mut h, last..last + 10, "denial");
    assert!(
        h.state().reader.screen_pos_of(last).is_none(),
        "not in view yet"
    );

    let map = h.get_by_label("Highlight map").rect();
    h.hover_at(map.center_bottom() - egui::vec2(0.0, 2.0));
    h.run();
    h.event(egui::Event::PointerButton {
        pos: map.center_bottom() - egui::vec2(0.0, 2.0),
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.run();
    h.event(egui::Event::PointerButton {
        pos: map.center_bottom() - egui::vec2(0.0, 2.0),
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.run();
    // The map places paragraphs by their (partly estimated) heights, so the jump lands at the
    // end give or take a line or two.
    let pos = h
        .state()
        .reader
        .screen_pos_of(last)
        .expect("the end is laid out after a click at the bottom of the map");
    assert!((0.0..2400.0 + 100.0).contains(&pos.y), "y = {}", pos.y);
    assert!(
        h.state()
            .reader
            .screen_pos_of(0)
            .is_none_or(|start| start.y < 0.0),
        "the start is out of view"
    );

    // The map's rows follow the highlights: the denial's bit (third label) only in the rows of
    // the last paragraph (marked at its top), and gone again after undo.
    let denial_bit = 1 << 2;
    let marked = |h: &Harness<'static, App>| -> Vec<usize> {
        let rows = h.state().reader.map_rows();
        (0..rows.len())
            .filter(|&r| rows[r] & denial_bit != 0)
            .collect()
    };
    let at_the_end = |h: &Harness<'static, App>| {
        let rows = h.state().reader.map_rows().len();
        let at = marked(h);
        assert!(
            !at.is_empty() && at.iter().all(|&r| r >= rows * 95 / 100),
            "marked rows {at:?} of {rows}"
        );
    };
    at_the_end(&h);
    // (Undo and redo flash the highlight for a while: step a few frames, not until still.)
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run_steps(3);
    assert!(marked(&h).is_empty(), "after undo: {:?}", marked(&h));
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run_steps(3);
    at_the_end(&h);
}

/// The theme is set when the app is built, so its first frame is drawn in it. Set during the
/// first frame, it took effect in the second, and a change of theme can change egui's text
/// options, which drops every layout and glyph: the second frame laid out the whole window
/// again.
#[test]
fn the_first_frame_is_drawn_in_the_theme_of_the_settings() {
    for dark in [false, true] {
        let ctx = egui::Context::default();
        // The other theme to start with, so that not setting it shows.
        ctx.set_theme(if dark {
            egui::Theme::Light
        } else {
            egui::Theme::Dark
        });
        let settings = claimlens::app::Settings {
            dark,
            ..Default::default()
        };
        let _app = App::with_context(ctx.clone(), settings, StartOptions::default());
        assert_eq!(ctx.global_style().visuals.dark_mode, dark, "dark: {dark}");
    }
}
