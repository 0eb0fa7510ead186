//! Drives the real app headless with egui_kittest, by accessible labels and real input events.

use std::path::PathBuf;
use std::sync::Arc;

use claimlens::app::{App, ScriptedDialogs, StartOptions};
use claimlens::model::{LabelId, Timestamp};
use egui::{Key, Modifiers, Pos2};
use egui_kittest::{Harness, kittest::Queryable as _};

fn fixed_clock() -> Box<dyn Fn() -> Timestamp> {
    Box::new(|| "2026-11-23T10:00:00Z".parse().expect("valid timestamp"))
}

fn harness_with(open: Option<PathBuf>, dialogs: Arc<ScriptedDialogs>) -> Harness<'static, App> {
    let options = StartOptions {
        open,
        set: None,
        dialogs: Box::new(dialogs),
        clock: fixed_clock(),
        persist_settings: false,
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .build_eframe(move |cc| App::new(cc, options));
    harness.run();
    harness
}

/// Screen position of article offset `offset` (its left edge, mid-line).
fn pos_of(harness: &Harness<'_, App>, offset: usize) -> Pos2 {
    harness
        .state()
        .reader
        .screen_pos_of(offset)
        .expect("offset is laid out and visible")
}

/// Drags from one article offset to another, one event per frame as a hand would.
fn drag_select(harness: &mut Harness<'_, App>, from: usize, to: usize) {
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

fn offset_of(harness: &Harness<'_, App>, needle: &str) -> usize {
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
    assert!(!h.state().doc.is_dirty(), "undo back to the opened state is clean");

    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run();
    assert_eq!(h.state().doc.set.annotations.len(), 1, "redo restores it");
    assert_eq!(h.state().doc.set.annotations[0].anchor.quote.exact, "Financial Times");
    h.get_by_label("Source (1)");
}
