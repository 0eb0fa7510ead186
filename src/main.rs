//! Claimlens: start the app, or run a command without a window (see `claimlens --help`).

use std::process::ExitCode;

use claimlens::cli::{Cli, EXIT_ERROR, OpenArgs, run_command};
use clap::Parser;

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    match cli.command {
        Some(command) => {
            // Not locked for the whole command: import threads log to stderr meanwhile, and a
            // lock held here would deadlock them.
            let code = run_command(&command, &mut std::io::stdout(), &mut std::io::stderr());
            ExitCode::from(u8::try_from(code).unwrap_or(EXIT_ERROR as u8))
        }
        None => match run_app(cli.open) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                // What `main() -> eframe::Result` printed before there were subcommands.
                eprintln!("Error: {err:?}");
                ExitCode::FAILURE
            }
        },
    }
}

fn run_app(open: OpenArgs) -> eframe::Result {
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
                open: open.path,
                set: open.set,
                recovery_dir: claimlens::app::recovery::default_dir(),
                ..Default::default()
            };
            Ok(Box::new(claimlens::app::App::new(cc, start)))
        }),
    )
}
