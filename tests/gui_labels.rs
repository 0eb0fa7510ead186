//! The label-set editor, presets, and attributes and tags of an annotation, driven headless
//! through egui_kittest by accessible labels (the helpers follow `gui.rs`).

use std::path::Path;
use std::sync::Arc;

use claimlens::app::{App, ScriptedDialogs, StartOptions};
use claimlens::model::{AttributeValue, LabelId, LabelSet, PALETTE, RelationTypeId};
use egui::{Key, Modifiers};
use egui_kittest::{
    Harness,
    kittest::{NodeT as _, Queryable as _},
};

use crate::gui::{click_menu, drag_select, fixed_clock, harness_from};

fn harness_with(presets_dir: &Path, dialogs: Arc<ScriptedDialogs>) -> Harness<'static, App> {
    harness_from(StartOptions {
        dialogs: Box::new(dialogs),
        clock: fixed_clock(),
        persist_settings: false,
        presets_dir: Some(presets_dir.to_owned()),
        ..StartOptions::default()
    })
}

/// Marks the first occurrence of `needle` with the label on `key`; returns the new id.
fn mark(h: &mut Harness<'_, App>, needle: &str, key: Key) -> claimlens::model::AnnotationId {
    let text = &h.state().doc.article.text;
    let start = text[..text.find(needle).expect("needle in article")]
        .chars()
        .count();
    drag_select(h, start, start + needle.chars().count());
    h.key_press(key);
    h.run();
    h.state()
        .view
        .selected
        .expect("the new annotation is selected")
}

fn click(h: &mut Harness<'_, App>, label: &str) {
    h.get_by_label(label).click();
    h.run();
}

/// Replaces the text of the field labelled `label` with `text`.
fn type_into(h: &mut Harness<'_, App>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label(label).type_text(text);
    h.run();
}

fn press(h: &mut Harness<'_, App>, key: Key) {
    h.key_press(key);
    h.run();
}

fn undo(h: &mut Harness<'_, App>) {
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
}

/// The default labels under another name.
fn preset_named(name: &str) -> LabelSet {
    LabelSet {
        name: name.to_owned(),
        ..LabelSet::default()
    }
}

/// In the open "Load a label preset" window: loads the preset `name` into the editor and
/// applies it.
fn load_and_apply(h: &mut Harness<'_, App>, name: &str) {
    click(h, &format!("Load preset {name}"));
    click(h, "Apply");
}

/// The value of attribute `key` of annotation `id`.
fn attribute(
    h: &Harness<'_, App>,
    id: claimlens::model::AnnotationId,
    key: &str,
) -> Option<AttributeValue> {
    h.state().doc.set.get(id)?.attributes.get(key).cloned()
}

fn label_names(set: &LabelSet) -> Vec<&str> {
    set.labels.iter().map(|l| l.name.as_str()).collect()
}

#[test]
fn rename_recolour_and_rekey_a_label_then_undo() {
    let presets = tempfile::tempdir().unwrap();
    let mut h = harness_with(presets.path(), Arc::default());
    click_menu(&mut h, "Labels", "Edit label set…");
    h.get_by_label("Label set name");

    type_into(&mut h, "Label 1 name", "Assertion");
    assert_eq!(
        h.state().doc.set.labels,
        LabelSet::default(),
        "nothing changes before Apply"
    );
    click(&mut h, "Label 1 colour green");
    // Key 2 is Source's: offered but not takeable; 5 is free.
    click(&mut h, "Label 1 key");
    assert!(h.get_by_label("2 (Source)").accesskit_node().is_disabled());
    click(&mut h, "5");
    // The editor names what Apply changes; Enter applies (no field is being typed in).
    h.get_by_label_contains("no annotation changes");
    press(&mut h, Key::Enter);
    assert!(
        h.state().labels.editor.is_none(),
        "Enter applied and closed"
    );

    let labels = &h.state().doc.set.labels;
    let claim = labels.get(&LabelId::new("claim")).unwrap();
    assert_eq!(claim.name, "Assertion");
    assert_eq!(claim.colour, PALETTE[3].1, "green");
    assert_eq!(claim.key, Some(5));
    assert_eq!(label_names(labels), ["Assertion", "Source", "Denial"]);
    h.get_by_label("5 Assertion");
    assert!(h.state().doc.is_dirty());

    undo(&mut h);
    assert_eq!(
        h.state().doc.set.labels,
        LabelSet::default(),
        "one undo step restores name, colour and key"
    );
    h.get_by_label("1 Claim");
}

#[test]
fn add_a_relation_type_remove_another_and_escape_drops_a_draft() {
    let presets = tempfile::tempdir().unwrap();
    let mut h = harness_with(presets.path(), Arc::default());
    click_menu(&mut h, "Labels", "Edit label set…");
    type_into(&mut h, "Relation type name", "quotes");
    click(&mut h, "From Source");
    click(&mut h, "To Claim");
    click(&mut h, "Add relation type");
    click(&mut h, "Remove relation type contradicts");
    click(&mut h, "Apply");

    let types = &h.state().doc.set.labels.relation_types;
    let quotes = types
        .iter()
        .find(|t| t.name == "quotes")
        .expect("the new type");
    assert_eq!(quotes.id, RelationTypeId::new("quotes"));
    assert_eq!(quotes.from_labels, [LabelId::new("source")]);
    assert_eq!(quotes.to_labels, [LabelId::new("claim")]);
    assert!(!quotes.symmetric);
    let ids: Vec<&str> = types.iter().map(|t| t.id.0.as_str()).collect();
    assert_eq!(
        ids,
        ["attributed-to", "denies", "issued-by", "supports", "quotes"]
    );

    // Escape cancels: the draft is dropped, the set keeps what was applied.
    let applied = h.state().doc.set.labels.clone();
    click_menu(&mut h, "Labels", "Edit label set…");
    click(&mut h, "Remove relation type quotes");
    press(&mut h, Key::Escape);
    assert!(h.state().labels.editor.is_none());
    assert_eq!(h.state().doc.set.labels, applied);
}

#[test]
fn a_saved_preset_loads_into_a_fresh_set() {
    let presets = tempfile::tempdir().unwrap();
    let dir = presets.path().join("claimlens").join("presets");
    let mut h = harness_with(&dir, Arc::default());
    click_menu(&mut h, "Labels", "Edit label set…");
    type_into(&mut h, "Label set name", "Fact-check kit");
    type_into(&mut h, "Label 3 name", "Rebuttal");
    type_into(&mut h, "New label name", "Hedge");
    click(&mut h, "Add label");
    click(&mut h, "Save as preset");
    let file = dir.join("Fact-check-kit.preset.ron");
    assert!(file.exists(), "saved under the set's name in the folder");
    let saved = claimlens::app::presets::read_preset(&file).unwrap();
    assert_eq!(saved.name, "Fact-check kit");
    assert_eq!(
        label_names(&saved),
        ["Claim", "Source", "Rebuttal", "Hedge"]
    );
    click(&mut h, "Cancel");
    assert_eq!(h.state().doc.set.labels, LabelSet::default());

    // A fresh app, a fresh set: load the preset, see it in the editor, apply it.
    let mut fresh = harness_with(&dir, Arc::default());
    click_menu(&mut fresh, "Labels", "Load preset…");
    fresh.get_by_label_contains("Labels: Claim, Source, Rebuttal, Hedge");
    click(&mut fresh, "Load preset Fact-check kit");
    fresh.get_by_label_contains("Loaded the preset “Fact-check kit”");
    click(&mut fresh, "Apply");
    assert_eq!(fresh.state().doc.set.labels, saved);
    fresh.get_by_label("4 Hedge");
    undo(&mut fresh);
    assert_eq!(fresh.state().doc.set.labels, LabelSet::default());

    // Export to a file and import it through the dialog mechanism.
    let exported = presets.path().join("exported.ron");
    let dialogs = Arc::new(ScriptedDialogs::new([
        Some(exported.clone()),
        Some(exported.clone()),
    ]));
    let mut h = harness_with(&dir, dialogs.clone());
    click_menu(&mut h, "Labels", "Export preset to file…");
    assert_eq!(
        claimlens::app::presets::read_preset(&exported).unwrap(),
        LabelSet::default()
    );
    std::fs::copy(&file, &exported).unwrap();
    click_menu(&mut h, "Labels", "Import preset from file…");
    click(&mut h, "Apply");
    assert_eq!(h.state().doc.set.labels, saved);
    assert_eq!(dialogs.asked().len(), 2);
}

#[test]
fn a_preset_that_lacks_a_label_in_use_keeps_it() {
    let presets = tempfile::tempdir().unwrap();
    let mut preset = preset_named("Sources only");
    preset.labels.retain(|l| l.id.0 == "source");
    preset.relation_types.clear();
    claimlens::app::presets::save_preset(&preset, presets.path()).unwrap();

    let mut h = harness_with(presets.path(), Arc::default());
    let denial = mark(&mut h, "completely false", Key::Num3);
    click_menu(&mut h, "Labels", "Load preset…");
    h.get_by_label_contains("they are kept: Denial (1)");
    load_and_apply(&mut h, "Sources only");
    let set = &h.state().doc.set;
    assert_eq!(label_names(&set.labels), ["Source", "Denial"]);
    assert_eq!(set.get(denial).unwrap().label, LabelId::new("denial"));
}

#[test]
fn attributes_and_tags_of_the_selected_annotation_are_undoable() {
    let presets = tempfile::tempdir().unwrap();
    let mut h = harness_with(presets.path(), Arc::default());
    let source = mark(&mut h, "Financial Times", Key::Num2);
    click(&mut h, "Kind anonymous");
    let kind = |h: &Harness<'_, App>| attribute(h, source, "kind");
    assert_eq!(kind(&h), Some(AttributeValue::Choice("anonymous".into())));

    let claim = mark(&mut h, "declassified intelligence memo", Key::Num1);
    click(&mut h, "Confidence 4");
    click(&mut h, "Verification false");
    let get = |h: &Harness<'_, App>, key: &str| attribute(h, claim, key);
    assert_eq!(get(&h, "confidence"), Some(AttributeValue::Scale(4)));
    h.get_by_label_contains("ClaimReview rating: 1/5 “False”");

    type_into(&mut h, "Add tag", "PLA ");
    press(&mut h, Key::Enter);
    let tags = |h: &Harness<'_, App>, id| h.state().doc.set.get(id).unwrap().tags.clone();
    assert_eq!(tags(&h, claim), ["PLA"]);
    click(&mut h, "Remove tag PLA");
    assert!(tags(&h, claim).is_empty());

    click(&mut h, "Clear Verification");
    assert_eq!(get(&h, "verification"), None);
    undo(&mut h);
    assert_eq!(
        get(&h, "verification"),
        Some(AttributeValue::Choice("false".into()))
    );
    undo(&mut h);
    assert_eq!(tags(&h, claim), ["PLA"], "undo brings the removed tag back");
    undo(&mut h);
    assert!(tags(&h, claim).is_empty(), "undo removes the added tag");
    undo(&mut h);
    undo(&mut h);
    assert_eq!(get(&h, "confidence"), None, "undo clears the confidence");
    undo(&mut h);
    assert!(h.state().doc.set.get(claim).is_none());
    undo(&mut h);
    assert_eq!(kind(&h), None, "undo clears the source's kind");
}

#[test]
fn tag_suggestions_come_from_the_set() {
    let presets = tempfile::tempdir().unwrap();
    let mut h = harness_with(presets.path(), Arc::default());
    let first = mark(&mut h, "Financial Times", Key::Num2);
    type_into(&mut h, "Add tag", "Economy");
    press(&mut h, Key::Enter);
    press(&mut h, Key::Escape);
    let second = mark(&mut h, "completely false", Key::Num3);
    type_into(&mut h, "Add tag", "eco");
    click(&mut h, "Add tag Economy");
    let set = &h.state().doc.set;
    assert_eq!(set.get(first).unwrap().tags, ["Economy"]);
    assert_eq!(set.get(second).unwrap().tags, ["Economy"]);
}

#[test]
fn removing_a_label_in_use_reassigns_its_annotations() {
    let presets = tempfile::tempdir().unwrap();
    let mut h = harness_with(presets.path(), Arc::default());
    let denial = mark(&mut h, "completely false", Key::Num3);
    let claim = mark(&mut h, "Hikvision", Key::Num1);
    press(&mut h, Key::Escape);
    click_menu(&mut h, "Labels", "Edit label set…");
    click(&mut h, "Remove Denial");
    h.get_by_label_contains("its 1 annotation(s) get the label");
    click(&mut h, "New label for the annotations of Denial");
    h.get_all_by_label("Source").last().unwrap().click();
    h.run();
    click(&mut h, "Remove and reassign");
    h.get_by_label_contains("1 annotation(s) labelled Denial become Source");
    click(&mut h, "Apply");
    let set = &h.state().doc.set;
    assert_eq!(label_names(&set.labels), ["Claim", "Source"]);
    assert_eq!(set.get(denial).unwrap().label, LabelId::new("source"));
    assert_eq!(set.get(claim).unwrap().label, LabelId::new("claim"));
    // "issued by" and "denies" named Denial: they name Source instead.
    let denies = set
        .labels
        .relation_type(&RelationTypeId::new("denies"))
        .unwrap();
    assert_eq!(denies.from_labels, [LabelId::new("source")]);

    undo(&mut h);
    let set = &h.state().doc.set;
    assert_eq!(set.labels, LabelSet::default());
    assert_eq!(set.get(denial).unwrap().label, LabelId::new("denial"));
}

#[test]
fn the_editor_works_from_the_keyboard() {
    let presets = tempfile::tempdir().unwrap();
    let mut h = harness_with(presets.path(), Arc::default());
    click_menu(&mut h, "Labels", "Edit label set…");
    // Tab starts at the set's name, then the first label's name.
    press(&mut h, Key::Tab);
    assert!(
        h.get_by_label("Label set name")
            .accesskit_node()
            .is_focused()
    );
    press(&mut h, Key::Tab);
    assert!(h.get_by_label("Label 1 name").accesskit_node().is_focused());
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label("Label 1 name").type_text("Assertion");
    h.run();
    // Escape in a field leaves the field, not the editor.
    press(&mut h, Key::Escape);
    assert!(h.state().labels.editor.is_some());
    // Enter with nothing focused applies.
    press(&mut h, Key::Enter);
    assert!(h.state().labels.editor.is_none());
    assert_eq!(
        h.state().doc.set.labels.name_of(&LabelId::new("claim")),
        "Assertion"
    );
    // Escape with nothing focused cancels a draft.
    click_menu(&mut h, "Labels", "Edit label set…");
    type_into(&mut h, "Label 2 name", "Witness");
    press(&mut h, Key::Escape);
    press(&mut h, Key::Escape);
    assert!(h.state().labels.editor.is_none());
    assert_eq!(
        h.state().doc.set.labels.name_of(&LabelId::new("source")),
        "Source"
    );
}

#[test]
fn a_text_attribute_is_recorded_on_enter() {
    let presets = tempfile::tempdir().unwrap();
    let mut preset = preset_named("With affiliation");
    preset.labels[1]
        .attributes
        .push(claimlens::model::AttributeDef::text(
            "affiliation",
            "Affiliation",
        ));
    claimlens::app::presets::save_preset(&preset, presets.path()).unwrap();
    let mut h = harness_with(presets.path(), Arc::default());
    click_menu(&mut h, "Labels", "Load preset…");
    load_and_apply(&mut h, "With affiliation");
    assert_eq!(h.state().doc.set.labels, preset);

    let source = mark(&mut h, "Financial Times", Key::Num2);
    let value = |h: &Harness<'_, App>| attribute(h, source, "affiliation");
    type_into(&mut h, "Affiliation", "  Nikkei group ");
    assert_eq!(value(&h), None, "not recorded while typing");
    press(&mut h, Key::Enter);
    assert_eq!(value(&h), Some(AttributeValue::Text("Nikkei group".into())));
    undo(&mut h);
    assert_eq!(value(&h), None);
}

#[test]
fn without_a_file_dialog_a_preset_is_exported_through_the_path_prompt() {
    use claimlens::app::DialogAnswer;
    let presets = tempfile::tempdir().unwrap();
    let target = presets.path().join("typed.preset.ron");
    let dialogs = Arc::new(ScriptedDialogs::with_answers([
        DialogAnswer::Unavailable,
        DialogAnswer::Unavailable,
    ]));
    let mut h = harness_with(presets.path(), dialogs);
    click_menu(&mut h, "Labels", "Edit label set…");
    type_into(&mut h, "Label 3 name", "Rebuttal");
    press(&mut h, Key::Escape);
    click(&mut h, "Export…");
    h.get_by_label("Export the label set as a preset");
    // Escape closes the prompt above the editor, not the editor.
    press(&mut h, Key::Escape);
    assert!(h.state().path_prompt.is_none());
    assert!(h.state().labels.editor.is_some());

    click(&mut h, "Export…");
    type_into(&mut h, "Path:", &target.display().to_string());
    click(&mut h, "Export");
    let written = claimlens::app::presets::read_preset(&target).unwrap();
    assert_eq!(
        label_names(&written),
        ["Claim", "Source", "Rebuttal"],
        "the draft is exported"
    );
    assert_eq!(h.state().doc.set.labels, LabelSet::default());
}

#[test]
fn a_failed_preset_save_says_why_and_keeps_the_draft() {
    let tmp = tempfile::tempdir().unwrap();
    // The presets "folder" is a file: saving cannot work.
    let not_a_folder = tmp.path().join("presets");
    std::fs::write(&not_a_folder, "").unwrap();
    let mut h = harness_with(&not_a_folder, Arc::default());
    click_menu(&mut h, "Labels", "Edit label set…");
    type_into(&mut h, "Label 3 name", "Rebuttal");
    press(&mut h, Key::Escape);
    click(&mut h, "Save as preset");
    h.get_by_label("Could not save the preset");
    assert!(h.state().message.as_ref().is_some_and(|m| m.is_error));
    // Escape and Enter belong to the message above the editor.
    press(&mut h, Key::Enter);
    press(&mut h, Key::Escape);
    assert!(h.state().message.is_none());
    let editor = h.state().labels.editor.as_ref().expect("the editor stays");
    assert_eq!(label_names(&editor.draft), ["Claim", "Source", "Rebuttal"]);
    assert_eq!(h.state().doc.set.labels, LabelSet::default());
}
