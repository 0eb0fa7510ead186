//! Rendered snapshots of the reader (feature `snapshots`: needs a Vulkan driver, e.g. Debian
//! `libvulkan1 mesa-vulkan-drivers`, and `fonts-noto-cjk` for the CJK text).
//!
//! Update the stored images with `UPDATE_SNAPSHOTS=1 cargo test --features snapshots snapshots`
//! and look at every changed PNG before committing it.

use std::path::PathBuf;
use std::sync::Arc;

use claimlens::app::{Action, App, StartOptions, TextSelection};
use claimlens::model::{LabelId, Timestamp};
use egui_kittest::Harness;

fn app_harness(open: Option<PathBuf>, dark: bool) -> Harness<'static, App> {
    let options = StartOptions {
        open,
        clock: Box::new(|| {
            "2026-11-23T10:00:00Z"
                .parse::<Timestamp>()
                .expect("timestamp")
        }),
        persist_settings: false,
        ..Default::default()
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1100.0, 720.0))
        .with_context_setup(|ctx| {
            // What eframe does in the real app: find system fonts for scripts egui lacks (CJK).
            ctx.add_font_provider(Arc::new(
                egui_system_font_provider::SystemFontProvider::new().with_locale(Some("zh-Hans")),
            ));
        })
        .build_eframe(move |cc| App::new(cc, options));
    if dark {
        harness.state_mut().push(Action::ToggleTheme);
    }
    harness.run();
    harness
}

/// Takes the snapshot once every paragraph's height is measured (the scroll bar and the highlight
/// map beside it depend on the heights, which arrive from a background thread).
fn snapshot_measured(mut harness: Harness<'static, App>, name: &str) {
    for _ in 0..6_000 {
        if harness.state().reader.measured_fraction() == 1.0 {
            harness.run();
            harness.snapshot(name);
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
        harness.step();
    }
    panic!("{name}: the paragraphs were not all measured within 60 s");
}

/// Marks the first occurrence of `needle` with `label`.
fn mark(harness: &mut Harness<'_, App>, needle: &str, label: &str) {
    let text = &harness.state().doc.article.text;
    let start = text[..text.find(needle).expect("needle")].chars().count();
    let selection = TextSelection {
        anchor: start,
        head: start + needle.chars().count(),
    };
    let app = harness.state_mut();
    app.push(Action::SetTextSelection(Some(selection)));
    app.push(Action::Mark(LabelId::new(label)));
    harness.run();
}

/// The sample with a claim inside a longer denial, a source overlapping both, and a headline
/// highlight: overlapping highlights must stay distinguishable.
fn overlapping(dark: bool) -> Harness<'static, App> {
    let mut h = app_harness(None, dark);
    mark(&mut h, "False and Malicious", "denial");
    mark(&mut h, "Financial Times report", "source");
    mark(
        &mut h,
        "allegations made in a recent Financial Times report claiming that the company has links to the Chinese military",
        "claim",
    );
    mark(
        &mut h,
        "the tech giant called the report “completely false” and “malicious,”",
        "denial",
    );
    mark(&mut h, "“completely false”", "claim");
    h
}

#[test]
fn reader_overlapping_highlights_light() {
    snapshot_measured(overlapping(false), "reader_overlapping_light");
}

#[test]
fn reader_overlapping_highlights_dark() {
    snapshot_measured(overlapping(true), "reader_overlapping_dark");
}

#[test]
fn reader_multiscript_text() {
    // The status bar shows the article's path: use one that is the same on every machine.
    let dir = PathBuf::from("/tmp/claimlens-snapshots");
    std::fs::create_dir_all(&dir).expect("snapshot folder");
    let article = dir.join("multiscript.txt");
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/multiscript.txt");
    std::fs::copy(&source, &article).expect("copy the article");
    let _ = std::fs::remove_file(dir.join("multiscript.txt.claimlens.ron"));
    let mut h = app_harness(Some(article), false);
    mark(&mut h, "北京否认指控", "denial");
    mark(&mut h, "«Это клевета»", "claim");
    mark(&mut h, "Γιώργος Παπαδόπουλος", "source");
    snapshot_measured(h, "reader_multiscript");
}
