//! Claimlens: start the app (see `claimlens --help`).

use std::path::PathBuf;

use clap::Parser;

/// Claimlens: mark what an article claims, on whose word, and who denies it.
///
/// Without arguments it opens the bundled sample article.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// An article (.txt) or an annotation set (.claimlens.ron) to open.
    path: Option<PathBuf>,
    /// Open the article with this annotation set.
    #[arg(long, value_name = "SET.ron")]
    set: Option<PathBuf>,
}

fn main() -> eframe::Result {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Claimlens")
            .with_app_id("claimlens")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([640.0, 400.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "Claimlens",
        options,
        Box::new(move |cc| {
            let start = claimlens::app::StartOptions {
                open: cli.path,
                set: cli.set,
                ..Default::default()
            };
            Ok(Box::new(claimlens::app::App::new(cc, start)))
        }),
    )
}
