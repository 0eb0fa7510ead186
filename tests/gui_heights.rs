//! The background height measurer (`claimlens::app::heights`) and the reader's use of its
//! heights: they equal the reader's own layouts to the bit, a new layout key starts a new run,
//! and heights changing above the view do not move the text in view.

use std::path::Path;
use std::sync::Arc;

use claimlens::app::{Action, App};
use egui_kittest::Harness;

use crate::gui::{harness_sized, options_with, pos_of};

/// A Markdown article of about 700 blocks of every kind, with inline styles, so that estimates
/// and layouts differ and block offsets matter.
fn long_markdown() -> String {
    let mut text = String::from("# A long record\n\nBy *the desk*, with notes.\n\n");
    for i in 0..120 {
        text.push_str(&format!("## Part {i}\n\n"));
        let words = 8 + (i * 37) % 140;
        let body: Vec<String> = (0..words)
            .map(|w| match w % 11 {
                3 => format!("*witness{w}*"),
                7 => format!("`code{i}`"),
                9 => format!("[link{w}](https://example.org/{i})"),
                _ => format!("word{}", (i * w) % 97),
            })
            .collect();
        text.push_str(&body.join(" "));
        text.push_str("\n\n");
        text.push_str(&format!(
            "> The ministry said on day {i} that the contract was signed.\n\n"
        ));
        text.push_str(&format!("- first point {i}\n- second point, longer than the first one, so that it wraps in a narrow column {i}\n\n"));
        if i % 5 == 0 {
            text.push_str(&format!("```\nlet x = {i};\nlet y = x * 2;\n```\n\n"));
        }
    }
    text
}

/// The app with `path` open, in a window small enough that most paragraphs are out of view.
fn harness_on(path: &Path) -> Harness<'static, App> {
    harness_sized(
        options_with(Some(path.to_owned()), Arc::default()),
        egui::vec2(1000.0, 700.0),
    )
}

/// Runs frames until every paragraph's height is exact (measured or laid out).
fn wait_for_measured(h: &mut Harness<'static, App>) {
    for _ in 0..12_000 {
        h.step();
        if h.state().reader.measured_fraction() == 1.0 {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the paragraphs were not all measured within 120 s");
}

/// Waits until every paragraph is measured, then asserts that each height is the same float as
/// the reader's own layout of the paragraph gives; returns the heights.
fn assert_measured_as_laid_out(h: &mut Harness<'static, App>) -> Vec<f32> {
    wait_for_measured(h);
    let measured = h.state().reader.heights();
    let ctx = h.ctx.clone();
    let app = h.state_mut();
    app.reader.lay_out_all(&ctx, &app.doc);
    let laid_out = app.reader.heights();
    assert_eq!(measured.len(), laid_out.len());
    for (index, (m, l)) in measured.iter().zip(&laid_out).enumerate() {
        assert_eq!(
            m.to_bits(),
            l.to_bits(),
            "paragraph {index}: measured {m}, laid out {l}"
        );
    }
    measured
}

fn article_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("long.md");
    std::fs::write(&path, long_markdown()).unwrap();
    path
}

#[test]
fn measured_heights_equal_the_readers_own_layout() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on(&article_file(dir.path()));
    let total = h.state().doc.article.paragraphs.len();
    assert!(total > 600, "{total} paragraphs");
    wait_for_measured(&mut h);
    let reader = &h.state().reader;
    assert_eq!(reader.measured(), (total, total));
    assert!(
        reader.measured_in_background() > total / 2,
        "most heights came from the background: {} of {total}",
        reader.measured_in_background()
    );
    assert_measured_as_laid_out(&mut h);
}

/// The threads send their batches through a bounded channel and wait when it is full
/// (`app::heights`: no heap memory crosses from them to the UI thread). Frames that stop for a
/// while (a hidden window) leave them waiting; the next frames take the batches and the run
/// goes on to the end, with the same heights. (In a debug build the threads fill the channel's
/// slots, one batch every 5 ms, long before the 2 s are up.)
#[test]
fn measuring_goes_on_after_the_ui_took_no_batches_for_a_while() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on(&article_file(dir.path()));
    // The first frame lays out the view and starts the run.
    h.step();
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(h.state().reader.measured_fraction() < 1.0);
    assert_measured_as_laid_out(&mut h);
}

#[test]
fn a_new_layout_key_measures_again() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on(&article_file(dir.path()));
    wait_for_measured(&mut h);
    let before = h.state().reader.heights();

    // Larger text: a new layout key, so the heights are estimates again until measured anew.
    change_layout_key(&mut h, |h| {
        h.state_mut().push(Action::ZoomIn);
        // The frame that applies the action.
        h.step();
    });
    let measured = assert_measured_as_laid_out(&mut h);
    assert!(
        measured.iter().zip(&before).filter(|(a, b)| a > b).count() > before.len() / 2,
        "larger text, taller paragraphs"
    );

    // A narrower window: another key, measured again.
    change_layout_key(&mut h, |h| {
        h.set_size(egui::vec2(700.0, 700.0));
    });
    assert_measured_as_laid_out(&mut h);
}

/// Runs `change`, after which the next frame has a new layout key, and that frame; asserts that
/// it started another layout generation in which only the paragraphs in view are exact so far
/// (measured heights for it arrive at the earliest in the frame after).
fn change_layout_key(
    h: &mut Harness<'static, App>,
    change: impl FnOnce(&mut Harness<'static, App>),
) {
    let generation = h.state().reader.layout_generation();
    change(h);
    h.step();
    let reader = &h.state().reader;
    assert_ne!(reader.layout_generation(), generation);
    assert!(
        reader.measured_fraction() < 0.5,
        "only the paragraphs in view are exact right after the change: {}",
        reader.measured_fraction()
    );
}

#[test]
fn heights_changing_above_the_view_keep_the_text_in_view_still() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness_on(&article_file(dir.path()));
    wait_for_measured(&mut h);
    // Jump to the middle at once, so that the reader lays out no paragraph on the way.
    h.ctx
        .all_styles_mut(|style| style.scroll_animation = egui::style::ScrollAnimation::none());
    let middle = {
        let article = &h.state().doc.article;
        article.paragraphs[article.paragraphs.len() / 2].chars.start
    };
    h.state_mut().view.scroll_to = Some(middle);
    h.run();
    let top = h.state().reader.view_top().expect("a paragraph in view");
    assert!(top > 100, "scrolled well down: paragraph {top} at the top");
    let watched = h.state().doc.article.paragraphs[top + 1].chars.start;
    let before = pos_of(&h, watched);
    let total_before = h.state().reader.total_height();

    // New heights for every paragraph above the view, as a late measurement would bring: the
    // ones the reader laid out itself keep theirs.
    let reader = &mut h.state_mut().reader;
    let generation = reader.layout_generation().expect("laid out");
    let taller: Vec<(usize, f32)> = reader.heights()[..top]
        .iter()
        .enumerate()
        .map(|(index, height)| (index, height + 40.0))
        .collect();
    reader.accept_heights(generation, &taller);
    h.step();
    let grown = h.state().reader.total_height() - total_before;
    assert!(
        grown >= 40.0 * (top - 40) as f32,
        "the paragraphs above that the reader did not lay out took the new heights: {grown} \
         points taller"
    );
    let after = pos_of(&h, watched);
    assert!(
        (after.y - before.y).abs() < 1.0,
        "the text in view stays put: {before:?} then {after:?}"
    );

    // A stale generation's heights are ignored.
    let reader = &mut h.state_mut().reader;
    let heights = reader.heights();
    reader.accept_heights(generation + 1_000_000, &[(0, 999.0)]);
    assert_eq!(reader.heights(), heights);
}
