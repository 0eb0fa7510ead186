//! Never losing work: backups of the set offered when it is damaged.

use std::sync::Arc;

use claimlens::app::{Action, SAMPLE_TEXT};
use claimlens::store::{backup_path, load_set};
use egui::Key;
use egui_kittest::kittest::Queryable as _;

use crate::gui::{harness_with, mark, wait_for_open};

#[test]
fn a_damaged_set_offers_its_newest_good_backup_and_saving_keeps_the_damaged_file() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("story.txt");
    std::fs::write(&article, SAMPLE_TEXT).unwrap();
    let set_path = dir.path().join("story.txt.claimlens.ron");

    let mut h = harness_with(Some(article.clone()), Arc::default());
    mark(&mut h, "Huawei", Key::Num1);
    h.state_mut().push(Action::Save);
    h.run();
    mark(&mut h, "Hikvision", Key::Num2);
    h.state_mut().push(Action::Save);
    h.run();
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
    h.run();
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
    h.run();
    assert_eq!(load_set(&set_path).unwrap().annotations.len(), 1);
    assert_eq!(std::fs::read(backup_path(&set_path, 1)).unwrap(), damaged);
    assert!(!h.state().doc.is_dirty());
}
