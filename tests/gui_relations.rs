//! Relations, filtering and find, driven through the real app by keyboard and pointer.

use std::sync::Arc;

use claimlens::app::{App, ListView};
use claimlens::model::{AnnotationId, LabelId};
use egui::{Key, Modifiers};
use egui_kittest::{Harness, kittest::Queryable as _};

use crate::gui::{click_article, harness_with, mark, offset_of};

const CLAIM: &str = "had been involved in providing unspecified support";
const SOURCE: &str = "The Financial Times article";
const DENIAL: &str = "The assertions and innuendos in the article are completely false";

/// The sample with a claim, its source and a denial marked; returns their ids.
fn sample_with_three() -> (Harness<'static, App>, [AnnotationId; 3]) {
    let mut h = harness_with(None, Arc::default());
    let mut ids = Vec::new();
    for (needle, key) in [(CLAIM, Key::Num1), (SOURCE, Key::Num2), (DENIAL, Key::Num3)] {
        mark(&mut h, needle, key);
        ids.push(
            h.state()
                .view
                .selected
                .expect("the new annotation is selected"),
        );
    }
    (h, [ids[0], ids[1], ids[2]])
}

/// The set's relations as (type, from, to), sorted (the set keeps them in id order).
fn relations(h: &Harness<'_, App>) -> Vec<(String, AnnotationId, AnnotationId)> {
    let mut relations: Vec<_> = h
        .state()
        .doc
        .set
        .relations
        .iter()
        .map(|r| (r.kind.0.clone(), r.from, r.to))
        .collect();
    relations.sort();
    relations
}

fn type_text(h: &mut Harness<'_, App>, text: &str) {
    h.event(egui::Event::Text(text.to_owned()));
    h.run();
}

fn press(h: &mut Harness<'_, App>, key: Key) {
    h.key_press(key);
    h.run();
}

#[test]
fn link_by_keyboard_then_by_clicking_a_highlight_and_undo() {
    let (mut h, [claim, source, denial]) = sample_with_three();
    assert_eq!(h.state().view.selected, Some(denial));

    // L, type part of the claim, Enter picks it; the only valid type (denies) is pre-selected,
    // Enter links.
    press(&mut h, Key::L);
    assert!(h.state().view.link.is_some(), "L opens the link picker");
    h.get_by_label("Link annotation");
    type_text(&mut h, "unspecified");
    press(&mut h, Key::Enter);
    assert_eq!(h.state().view.link.as_ref().unwrap().target, Some(claim));
    h.get_by_label_contains("denies Claim");
    press(&mut h, Key::Enter);
    assert!(h.state().view.link.is_none(), "linking ends link mode");
    assert_eq!(
        relations(&h),
        vec![("denies".to_owned(), denial, claim)],
        "denial → claim, the direction the type defines"
    );
    h.get_by_label_contains("denies Claim “had been");

    // From the claim: L, then a click on the source's highlight; the type from a claim to a
    // source is "attributed to".
    h.get_by_label(&format!("“{CLAIM}”")).click();
    h.run();
    assert_eq!(h.state().view.selected, Some(claim));
    press(&mut h, Key::L);
    let inside_source = offset_of(&h, SOURCE) + 4;
    click_article(&mut h, inside_source);
    assert_eq!(h.state().view.link.as_ref().unwrap().target, Some(source));
    press(&mut h, Key::Enter);
    assert_eq!(
        relations(&h),
        vec![
            ("attributed-to".to_owned(), claim, source),
            ("denies".to_owned(), denial, claim)
        ]
    );
    assert_eq!(
        h.state().view.selected,
        Some(claim),
        "the click did not select the source"
    );

    // The claim tree shows the claim with its source and its denial.
    h.get_by_label("Claims").click();
    h.run();
    assert_eq!(h.state().view.list_view, ListView::Claims);
    let from_source = format!("from Source “{SOURCE}”");
    h.get_by_label_contains(&from_source);
    h.get_by_label_contains("denied by Denial “The assertions");

    // A click on the claim's triangle closes it (its source and denial go), another opens it.
    h.get_all_by_label("Close")
        .next()
        .expect("the claim's triangle")
        .click();
    h.run();
    assert!(h.query_by_label_contains(&from_source).is_none());
    assert!(h.query_by_label_contains("denied by Denial").is_none());
    h.get_all_by_label("Open")
        .next()
        .expect("the claim's triangle")
        .click();
    h.run();
    h.get_by_label_contains(&from_source);

    // Undo takes back the last link only, redo brings it back.
    // The tree follows each step (it is kept up to date change by change).
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(relations(&h), vec![("denies".to_owned(), denial, claim)]);
    assert!(h.query_by_label_contains(&from_source).is_none());
    h.get_by_label_contains("denied by Denial “The assertions");
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run();
    assert_eq!(relations(&h).len(), 2);
    h.get_by_label_contains(&from_source);

    // Deleting the claim deletes its two relations with it, as one undo step.
    h.get_by_label(&format!("Claim “{CLAIM}”")).click();
    h.run();
    assert_eq!(h.state().view.selected, Some(claim));
    press(&mut h, Key::Delete);
    assert!(h.state().doc.set.get(claim).is_none());
    assert!(
        relations(&h).is_empty(),
        "no relation to a missing annotation"
    );
    assert!(h.query_by_label_contains(&from_source).is_none());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert!(h.state().doc.set.get(claim).is_some());
    assert_eq!(
        relations(&h).len(),
        2,
        "one undo brings back the claim and its links"
    );
    h.get_by_label_contains(&from_source);
    h.get_by_label_contains("denied by Denial “The assertions");
}

#[test]
fn brackets_step_through_annotations_in_reading_order_and_respect_the_filter() {
    let (mut h, [claim, source, denial]) = sample_with_three();
    // Reading order: the source, the claim (same paragraph, later), the denial.
    press(&mut h, Key::Escape);
    press(&mut h, Key::CloseBracket);
    assert_eq!(h.state().view.selected, Some(source));
    press(&mut h, Key::CloseBracket);
    assert_eq!(h.state().view.selected, Some(claim));
    press(&mut h, Key::CloseBracket);
    assert_eq!(h.state().view.selected, Some(denial));
    press(&mut h, Key::CloseBracket);
    assert_eq!(
        h.state().view.selected,
        Some(denial),
        "the last stays selected"
    );
    press(&mut h, Key::OpenBracket);
    assert_eq!(h.state().view.selected, Some(claim));
    // With only denials and sources shown, the claim is skipped.
    h.get_by_label("Show Denial").click();
    h.run();
    h.get_by_label("Show Source").click();
    h.run();
    press(&mut h, Key::OpenBracket);
    assert_eq!(h.state().view.selected, Some(source));
    press(&mut h, Key::CloseBracket);
    assert_eq!(h.state().view.selected, Some(denial));
}

#[test]
fn escape_and_back_leave_the_link_picker_without_linking() {
    let (mut h, [claim, source, _]) = sample_with_three();
    h.get_by_label(&format!("“{SOURCE}”")).click();
    h.run();
    assert_eq!(h.state().view.selected, Some(source));
    press(&mut h, Key::L);
    // Arrow keys move through the list (nearest first); Enter picks the highlighted entry.
    type_text(&mut h, "support");
    press(&mut h, Key::Enter);
    assert_eq!(h.state().view.link.as_ref().unwrap().target, Some(claim));
    // From a source to a claim: the link still goes claim → source.
    h.get_by_label_contains("attributed to Source");
    press(&mut h, Key::Backspace);
    assert_eq!(
        h.state().view.link.as_ref().unwrap().target,
        None,
        "back to the list"
    );
    press(&mut h, Key::Escape);
    assert!(h.state().view.link.is_none(), "Esc cancels");
    assert!(relations(&h).is_empty());
    assert_eq!(h.state().view.selected, Some(source), "the selection stays");

    // The × of a link removes it (one undo step).
    press(&mut h, Key::L);
    type_text(&mut h, "support");
    press(&mut h, Key::Enter);
    press(&mut h, Key::Enter);
    assert_eq!(relations(&h).len(), 1);
    h.get_by_label("×").click();
    h.run();
    assert!(relations(&h).is_empty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(relations(&h).len(), 1);
}

#[test]
fn the_filter_narrows_the_list_and_dims_other_highlights() {
    let (mut h, [claim, source, denial]) = sample_with_three();
    press(&mut h, Key::Escape);
    // By label: only claims.
    h.get_by_label("Show Claim").click();
    h.run();
    let state = h.state();
    assert_eq!(state.view.filter.labels, vec![LabelId::new("claim")]);
    assert!(!state.view.hidden.contains(&claim));
    assert!(state.view.hidden.contains(&source) && state.view.hidden.contains(&denial));
    h.get_by_label("Showing 1 of 3 annotations");
    assert!(
        h.query_by_label_contains(&format!("“{SOURCE}”")).is_none(),
        "the source is not listed"
    );

    // By text in the quote, without regard to case (with the label filter cleared).
    h.get_by_label("Clear").click();
    h.run();
    assert!(h.state().view.hidden.is_empty());
    h.get_by_label("Filter:").click();
    h.run();
    h.get_by_label("Filter:").type_text("INNUENDOS");
    h.run();
    let hidden = &h.state().view.hidden;
    assert!(hidden.contains(&claim) && hidden.contains(&source) && !hidden.contains(&denial));

    // The filter follows changes to the set: a new matching annotation shows.
    h.get_by_label("Clear").click();
    h.run();
    h.get_by_label("Filter:").click();
    h.run();
    h.get_by_label("Filter:").type_text("spokesperson");
    h.run();
    assert_eq!(h.state().view.hidden.len(), 3);
    // Esc leaves the filter field (keeping the filter), so 2 marks instead of typing.
    press(&mut h, Key::Escape);
    assert_eq!(h.state().view.filter.text, "spokesperson");
    mark(&mut h, "an Alibaba spokesperson said", Key::Num2);
    let new = h.state().view.selected.unwrap();
    assert!(!h.state().view.hidden.contains(&new));
    assert_eq!(h.state().view.hidden.len(), 3);
    // Only what an edit touched is looked at again: a new one that does not match is hidden,
    // and undoing it takes it out again.
    mark(&mut h, "Huawei", Key::Num1);
    let other = h.state().view.selected.unwrap();
    assert!(h.state().view.hidden.contains(&other));
    h.get_by_label("Showing 1 of 5 annotations");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert!(
        !h.state().view.hidden.contains(&other),
        "gone with the undo"
    );
    assert_eq!(h.state().view.hidden.len(), 3);
    h.get_by_label("Showing 1 of 4 annotations");
}

#[test]
fn ctrl_f_finds_steps_through_matches_and_the_match_can_be_marked() {
    let mut h = harness_with(None, Arc::default());
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    h.run();
    assert!(h.state().view.find.is_some(), "Ctrl+F opens the find bar");
    type_text(&mut h, "alibaba");
    let text = h.state().doc.article.text.to_lowercase();
    let expected = text.matches("alibaba").count();
    let find = h.state().view.find.clone().unwrap();
    assert_eq!(find.matches.len(), expected);
    assert!(expected >= 5);
    let first = find.matches[0].clone();
    assert_eq!(h.state().doc.article.slice(first.clone()), "Alibaba");
    h.get_by_label(&format!("1 of {expected}"));
    assert_eq!(h.state().view.selection.map(|s| s.range()), Some(first));

    // Enter: the next match; Shift+Enter: back.
    press(&mut h, Key::Enter);
    let second = h.state().view.find.as_ref().unwrap().matches[1].clone();
    assert_eq!(h.state().view.selection.map(|s| s.range()), Some(second));
    h.get_by_label(&format!("2 of {expected}"));
    h.key_press_modifiers(Modifiers::SHIFT, Key::Enter);
    h.run();
    assert_eq!(h.state().view.find.as_ref().unwrap().current, Some(0));
    // Back from the first: the last.
    h.key_press_modifiers(Modifiers::SHIFT, Key::Enter);
    h.run();
    assert_eq!(
        h.state().view.find.as_ref().unwrap().current,
        Some(expected - 1)
    );

    // Esc closes the bar and keeps the match selected; 2 marks it as a source.
    press(&mut h, Key::Escape);
    assert!(h.state().view.find.is_none());
    let last = h.state().view.selection.unwrap().range();
    press(&mut h, Key::Num2);
    let a = &h.state().doc.set.annotations[0];
    assert_eq!(a.label, LabelId::new("source"));
    assert_eq!(a.anchor.position.range(), last);

    // Nothing found: said so, nothing selected anew.
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    h.run();
    type_text(&mut h, "zzzq");
    assert!(h.state().view.find.as_ref().unwrap().matches.is_empty());
    h.get_by_label("no match");
}
