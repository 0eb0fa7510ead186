//! Comparing analysts in the real app, driven headless with egui_kittest: the set's analyst,
//! other analysts' sets beside the active one, the compare window, merging and swapping sets.
//!
//! The fixture sets in `tests/data/analysts/` are of the bundled sample article and are
//! built by [`fixture_sets`]; `UPDATE_FIXTURES=1 cargo test --test tests gui_analysts` rewrites
//! them, and `fixtures_are_up_to_date` checks they match.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use claimlens::app::{Action, App, DialogAnswer, SAMPLE_REF, ScriptedDialogs};
use claimlens::model::{
    Anchor, Annotation, AnnotationId, AnnotationSet, Article, DisagreementKind, LabelId, Timestamp,
    compare,
};
use egui::{Key, Modifiers};
use egui_kittest::{Harness, kittest::Queryable as _};

use crate::gui::{click_menu, click_menu_item, harness_with};

/// File ▸ Open another analyst's set…, then frames until the set is read. Not `Harness::run`
/// after the click: the spinner shown while the set is read in the background asks for frames
/// until it is done, which on a busy machine takes more frames than `run` allows.
fn start_reading_another_set(h: &mut Harness<'static, App>) {
    click_menu_item(h, "File", "Open another analyst's set…");
    h.step();
    wait_for_other(h);
}

/// Runs frames until the other set being read (on a worker thread) has arrived.
fn wait_for_other(h: &mut Harness<'static, App>) {
    for _ in 0..1000 {
        h.step();
        if h.state().doc.others.loading.is_none() {
            h.run();
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the other set was not read within 10 s");
}

fn analysts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/analysts")
}

fn fixture(name: &str) -> PathBuf {
    analysts_dir().join(name)
}

fn sample() -> Article {
    claimlens::app::sample_article()
}

/// Code point offset of the first `needle` in `article`.
fn offset_in(article: &Article, needle: &str) -> usize {
    let byte = article.text.find(needle).expect("needle in article");
    article.text[..byte].chars().count()
}

/// A set of `article` by `analyst`: `(id, label, quote)`, each quote's first occurrence.
fn set_of(article: &Article, analyst: &str, marks: &[(u128, &str, &str, &str)]) -> AnnotationSet {
    let mut set = AnnotationSet::new(article, SAMPLE_REF.into());
    set.analyst = analyst.into();
    for (id, label, quote, note) in marks {
        let start = offset_in(article, quote);
        let range = start..start + quote.chars().count();
        let mut a = Annotation::new(
            LabelId::new(label),
            Anchor::new(article, range).expect("quote is in the article"),
            Timestamp::UNIX_EPOCH,
        );
        a.id = AnnotationId::from_u128(*id);
        a.note = (*note).into();
        set.insert(a);
    }
    set
}

/// The fixture sets, by file name.
///
/// * `bob`: the active set in most tests. Claims “completely false” and “declassified
///   intelligence memo”, source “Financial Times”.
/// * `alice`: the same claim on “completely false”, a longer span on the memo, the source as a
///   claim, and a denial bob does not have.
/// * `edited-version`: made on a version of the sample with one sentence rewritten: one
///   annotation cannot be placed in the real sample.
/// * `other-article`: a set of a different article that names another file.
fn fixture_sets() -> Vec<(&'static str, AnnotationSet)> {
    let article = sample();
    let bob = set_of(
        &article,
        "bob",
        &[
            (1, "claim", "completely false", ""),
            (2, "claim", "declassified intelligence memo", ""),
            (3, "source", "Financial Times", ""),
        ],
    );
    let alice = set_of(
        &article,
        "alice",
        &[
            (11, "claim", "completely false", "Same as bob."),
            (12, "claim", "a declassified intelligence memo", ""),
            (13, "claim", "Financial Times", "Is the FT a claim?"),
            (14, "denial", "strongly refuted", "The company's denial."),
        ],
    );
    let edited_text = claimlens::app::SAMPLE_TEXT.replacen(
        "Alibaba Group Holding has strongly refuted",
        "In a rare statement, Alibaba Group Holding has firmly refuted",
        1,
    );
    let edited = Article::from_plain_text(&edited_text, "Sample article");
    let carol = set_of(
        &edited,
        "carol",
        &[
            (21, "claim", "completely false", ""),
            (
                22,
                "denial",
                "In a rare statement",
                "Only in the edited version.",
            ),
        ],
    );
    let other = Article::from_plain_text(
        "Harbour deal\n\nThe port authority denied any secret agreement with the shipping firm.\n",
        "harbour.txt",
    );
    let mut dave = AnnotationSet::new(&other, "harbour.txt".into());
    dave.analyst = "dave".into();
    let at = offset_in(&other, "denied any secret agreement");
    let mut a = Annotation::new(
        LabelId::new("denial"),
        Anchor::new(&other, at..at + 28).unwrap(),
        Timestamp::UNIX_EPOCH,
    );
    a.id = AnnotationId::from_u128(31);
    dave.insert(a);
    vec![
        ("bob.claimlens.ron", bob),
        ("alice.claimlens.ron", alice),
        ("edited-version.claimlens.ron", carol),
        ("other-article.claimlens.ron", dave),
    ]
}

#[test]
fn fixtures_are_up_to_date() {
    let update = std::env::var_os("UPDATE_FIXTURES").is_some();
    for (name, set) in fixture_sets() {
        let path = fixture(name);
        if update {
            std::fs::create_dir_all(analysts_dir()).unwrap();
            claimlens::store::save_set(&set, &path).unwrap();
        }
        let stored = claimlens::store::load_set(&path)
            .unwrap_or_else(|err| panic!("{err} (UPDATE_FIXTURES=1 writes the fixtures)"));
        assert_eq!(
            stored, set,
            "{name} is out of date: rerun with UPDATE_FIXTURES=1"
        );
    }
}

/// Opens `bob` as the active set and `other` beside it through File ▸ Open another analyst's
/// set… (the file dialog answers with its path).
fn bob_with(other: &str) -> Harness<'static, App> {
    let dialogs = Arc::new(ScriptedDialogs::new([Some(fixture(other))]));
    let mut h = harness_with(Some(fixture("bob.claimlens.ron")), dialogs.clone());
    assert_eq!(h.state().doc.set.analyst, "bob");
    start_reading_another_set(&mut h);
    assert!(
        matches!(
            dialogs.asked().last(),
            Some(claimlens::app::DialogRequest::OpenOther { .. })
        ),
        "{:?}",
        dialogs.asked()
    );
    h
}

/// The other set as the app placed it in the open article.
fn other_set(h: &Harness<'_, App>) -> AnnotationSet {
    h.state().doc.others.sets[0].set.clone()
}

#[test]
fn a_second_set_is_listed_with_its_analyst_and_counts_and_drawn_as_outlines() {
    let mut h = bob_with("alice.claimlens.ron");
    assert!(h.state().message.is_none(), "{:?}", h.state().message);
    let others = &h.state().doc.others.sets;
    assert_eq!(others.len(), 1);
    assert_eq!(others[0].analyst(), "alice");
    assert!(others[0].visible);
    // The Sets section: the active set and alice's, with counts per label.
    h.get_by_label("Sets (2)");
    h.get_by_label("bob (active)");
    h.get_by_label_contains("bob.claimlens.ron · 3 annotations · Claim 2 · Source 1 · Denial 0");
    h.get_by_label("alice");
    h.get_by_label_contains("alice.claimlens.ron · 4 annotations · Claim 3 · Source 0 · Denial 1");
    assert!(
        h.state().doc.set.annotations.len() == 3,
        "the active set is unchanged"
    );

    // Hovering alice's denial (bob has nothing there) shows whose it is, its label and note.
    let at = offset_in(&h.state().doc.article, "strongly refuted") + 3;
    let pos = h.state().reader.screen_pos_of(at).expect("laid out");
    h.hover_at(pos);
    h.run();
    h.get_by_label("alice: Denial – The company's denial.");

    // Hidden, it is neither drawn nor hovered.
    h.get_by_label("alice").click();
    h.run();
    assert!(!h.state().doc.others.sets[0].visible);
    h.hover_at(egui::pos2(5.0, 2000.0));
    h.run();
    h.hover_at(pos);
    h.run();
    assert!(
        h.query_by_label("alice: Denial – The company's denial.")
            .is_none()
    );

    h.get_by_label("Close").click();
    h.run();
    assert!(h.state().doc.others.sets.is_empty());
    assert!(h.query_by_label("Sets (2)").is_none());
}

#[test]
fn the_compare_window_shows_what_the_model_computes() {
    let mut h = bob_with("alice.claimlens.ron");
    h.get_by_label("Compare with…").click();
    h.run();
    h.get_by_label("Compare with alice");

    let article = h.state().doc.article.clone();
    let bob = h.state().doc.set.clone();
    let alice = other_set(&h);
    let expected = compare(&article, &bob, &alice);
    // By hand: claim: bob 2, alice 3; exact pairs 1 (“completely false”) → P 1/3, R 1/2,
    // F1 2/5 = 0.400; overlap pairs 2 (the memo spans overlap) → F1 4/5 = 0.800.
    let claim = &expected.per_label[0];
    assert_eq!(
        (claim.exact.pairs, claim.exact.in_a, claim.exact.in_b),
        (1, 2, 3)
    );
    assert_eq!(claim.overlap.pairs, 2);
    h.get_by_label("Claim exact precision 0.333");
    h.get_by_label("Claim exact recall 0.500");
    h.get_by_label("Claim exact F1 0.400");
    h.get_by_label("Claim overlap F1 0.800");
    // Source: bob 1, alice 0 → precision undefined, recall 0.
    h.get_by_label("Source exact precision —");
    h.get_by_label("Source exact recall 0.000");
    // Denial: only alice → recall undefined.
    h.get_by_label("Denial exact recall —");
    // All labels: 1 exact pair, |A| = 3, |B| = 4 → F1 2/7 = 0.286; overlap 2 pairs → 4/7.
    h.get_by_label("All labels exact F1 0.286");
    h.get_by_label("All labels overlap F1 0.571");
    let kappa = expected.kappa.kappa.expect("defined");
    h.get_by_label(&format!("Cohen's κ over words: {kappa:.3}"));

    // Disagreements: the memo's span, the FT's label, alice's denial.
    let kinds: Vec<DisagreementKind> = expected.disagreements.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        [
            DisagreementKind::OnlyInB,
            DisagreementKind::LabelDiffers,
            DisagreementKind::BoundaryDiffers,
        ]
    );
    h.get_by_label("Disagreements (3)");
    h.get_by_label("Only in theirs");
    h.get_by_label("Label differs");
    h.get_by_label("Span differs");

    // Clicking alice's denial scrolls to it and flashes it.
    h.get_by_label("Denial “strongly refuted”").click();
    h.run();
    let denial = AnnotationId::from_u128(14);
    assert_eq!(h.state().view.flash.map(|(id, _)| id), Some(denial));
    // Clicking the span difference reveals bob's annotation.
    h.get_by_label(
        "Claim: mine “declassified intelligence memo” · theirs “a declassified intelligence memo”",
    )
    .click();
    h.run();
    assert_eq!(h.state().view.selected, Some(AnnotationId::from_u128(2)));

    // The comparison is not recomputed while nothing changes.
    let computed = h
        .state()
        .doc
        .others
        .comparison
        .as_ref()
        .unwrap()
        .computed_for;
    h.run();
    assert_eq!(
        h.state()
            .doc
            .others
            .comparison
            .as_ref()
            .unwrap()
            .computed_for,
        computed
    );
}

#[test]
fn merging_a_disagreement_is_one_undo_step_and_the_window_follows() {
    let mut h = bob_with("alice.claimlens.ron");
    h.get_by_label("Compare with…").click();
    h.run();
    h.get_by_label("Merge: Denial “strongly refuted”").click();
    h.run();
    h.get_by_label("Merge selected into my set (1)").click();
    h.run();
    let set = &h.state().doc.set;
    assert_eq!(set.annotations.len(), 4);
    let copy = set
        .annotations
        .iter()
        .find(|a| a.label == LabelId::new("denial"))
        .expect("the denial was copied");
    assert_eq!(copy.anchor.quote.exact, "strongly refuted");
    assert_eq!(copy.note, "The company's denial.");
    assert_ne!(copy.id, AnnotationId::from_u128(14), "a fresh id");
    assert!(h.state().doc.is_dirty());
    // The window follows: the denial agrees now.
    h.get_by_label("Disagreements (2)");
    h.get_by_label("Denial exact F1 1.000");
    assert!(h.query_by_label("Only in theirs").is_none());

    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(
        h.state().doc.set.annotations.len(),
        3,
        "one undo removes the merge"
    );
    assert!(!h.state().doc.is_dirty());
    h.get_by_label("Disagreements (3)");
    h.get_by_label("Only in theirs");
}

#[test]
fn the_other_set_becomes_active_and_the_active_one_other() {
    let mut h = bob_with("alice.claimlens.ron");
    h.get_by_label("Make active").click();
    h.run();
    let state = h.state();
    assert_eq!(state.doc.set.analyst, "alice");
    assert_eq!(state.doc.set.annotations.len(), 4);
    assert_eq!(
        state.doc.set_path.as_deref(),
        Some(fixture("alice.claimlens.ron").as_path())
    );
    assert!(!state.doc.is_dirty());
    assert_eq!(state.doc.others.sets.len(), 1);
    assert_eq!(state.doc.others.sets[0].analyst(), "bob");
    h.get_by_label("alice (active)");
    h.get_by_label("bob");

    // With unsaved changes, the unsaved-changes question comes first; Discard puts bob's set
    // back as it was saved.
    let mut h = bob_with("alice.claimlens.ron");
    h.state_mut()
        .push(Action::Delete(AnnotationId::from_u128(1)));
    h.run();
    assert!(h.state().doc.is_dirty());
    h.get_by_label("Make active").click();
    h.run();
    h.get_by_label("Unsaved changes");
    assert_eq!(h.state().doc.set.analyst, "bob", "nothing swapped yet");
    h.get_by_label("Discard").click();
    h.run();
    assert_eq!(h.state().doc.set.analyst, "alice");
    let bob = &h.state().doc.others.sets[0];
    assert_eq!(bob.analyst(), "bob");
    assert_eq!(
        bob.set.annotations.len(),
        3,
        "as saved, with the deleted one"
    );
}

#[test]
fn a_set_of_another_article_is_refused_with_a_message() {
    let h = bob_with("other-article.claimlens.ron");
    let message = h.state().message.clone().expect("a message");
    assert!(message.is_error);
    assert_eq!(message.title, "Cannot show this set beside the article");
    assert!(
        message.body.contains("annotates another article"),
        "{}",
        message.body
    );
    assert!(message.body.contains("harbour.txt"), "{}", message.body);
    h.get_by_label_contains("annotates another article");
    assert!(h.state().doc.others.sets.is_empty());
}

#[test]
fn a_set_of_another_version_is_reanchored_in_memory_and_says_what_was_lost() {
    let h = bob_with("edited-version.claimlens.ron");
    let message = h.state().message.clone().expect("a message");
    assert!(!message.is_error);
    assert!(
        message
            .body
            .contains("1 annotation placed, 1 could not be placed"),
        "{}",
        message.body
    );
    let carol = &h.state().doc.others.sets[0];
    assert_eq!((carol.placed(), carol.not_placed), (1, 1));
    assert_eq!(carol.set.article.content_hash, h.state().doc.article.hash);
    assert_ne!(
        carol.original.article.content_hash,
        h.state().doc.article.hash
    );
    let on_disk = claimlens::store::load_set(&fixture("edited-version.claimlens.ron")).unwrap();
    assert_eq!(carol.original, on_disk, "the file is not changed");
}

#[test]
fn making_a_set_of_another_version_active_reanchors_it_as_one_undo_step() {
    let mut h = bob_with("edited-version.claimlens.ron");
    h.get_by_label("OK").click();
    h.run();
    h.get_by_label("Make active").click();
    h.run();
    let doc = &h.state().doc;
    assert_eq!(doc.set.analyst, "carol");
    // Opened as the file is, then re-anchored through the history like any set.
    assert_eq!(doc.set.article.content_hash, doc.article.hash);
    assert_eq!(doc.set.pending_review().count(), 1);
    assert!(doc.history.can_undo());
    h.get_by_label_contains("Review after re-anchoring (1)");
    assert_eq!(doc.others.sets[0].analyst(), "bob");
}

#[test]
fn the_analyst_name_is_an_undoable_edit() {
    let mut h = harness_with(Some(fixture("bob.claimlens.ron")), Arc::default());
    h.get_by_label("Change…").click();
    h.run();
    let field = h.get_by_label("Analyst:");
    field.focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label("Analyst:").type_text("Robert Smith");
    h.run();
    h.get_by_label("OK").click();
    h.run();
    assert_eq!(h.state().doc.set.analyst, "Robert Smith");
    assert!(h.state().doc.is_dirty());
    h.get_by_label("Robert Smith");

    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(h.state().doc.set.analyst, "bob");
    assert!(!h.state().doc.is_dirty());
}

#[test]
fn without_a_file_dialog_the_app_asks_for_the_other_set_path() {
    let dialogs = Arc::new(ScriptedDialogs::with_answers([DialogAnswer::Unavailable]));
    let mut h = harness_with(Some(fixture("bob.claimlens.ron")), dialogs);
    click_menu(&mut h, "File", "Open another analyst's set…");
    h.get_by_label("Open another analyst's set");
    let field = h.get_by_label("Path:");
    field.focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label("Path:")
        .type_text(&fixture("alice.claimlens.ron").display().to_string());
    h.run();
    h.get_by_label("Open").click();
    h.step();
    wait_for_other(&mut h);
    assert_eq!(h.state().doc.others.sets.len(), 1);
    assert_eq!(h.state().doc.others.sets[0].analyst(), "alice");
}
