//! Drives the real app headless with egui_kittest, by accessible labels.

use claimlens::app::{App, Settings, StartOptions};
use egui_kittest::{Harness, kittest::Queryable as _};

fn harness(options: StartOptions) -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1200.0, 800.0))
        .build_eframe(move |cc| {
            let _ = Settings::default();
            App::new(cc, options)
        })
}

#[test]
fn debug_reader() {
    let mut h = harness(StartOptions {
        persist_settings: false,
        ..Default::default()
    });
    h.run();
    let node = h.get_by_label("Article text");
    eprintln!(
        "rect {:?} laid out {}",
        node.rect(),
        h.state().reader.laid_out_last_frame
    );
    let shapes = &h.output().shapes;
    let texts: Vec<_> = shapes
        .iter()
        .filter_map(|c| match &c.shape {
            egui::Shape::Text(t) => Some((
                t.pos,
                t.galley.text().chars().take(30).collect::<String>(),
                c.clip_rect,
            )),
            _ => None,
        })
        .collect();
    eprintln!("{texts:#?}");
    panic!();
}
