//! Frame-time benchmark of the reader on a book-length article, against a naive egui reader.
//!
//! ```sh
//! cargo bench --bench frames                 # 5 MB article, 10,000 highlights
//! cargo bench --bench frames -- --mb 1 --highlights 2000 --corpus DIR
//! cargo bench --bench frames -- --no-naive   # ours only (for profiling)
//! cargo bench --bench frames -- --claims     # the side panel showing the claim tree
//! ```
//!
//! The article is made of the Markdown posts under `../shared/corpus/markdown` (real texts),
//! repeated to the size asked for with every prose paragraph made distinct, written to a file
//! and read as the app reads it; highlights of 1–12 words are spread evenly.
//! Both readers get the same scripted session through `egui::Context::run_ui` at 1280×800
//! points, headless, paced at 60 frames a second as on a display: each frame's time is the UI
//! code plus tessellation (what a frame costs the CPU before the GPU draws it). Between a
//! selection and the key that acts on it the analyst pauses; of those frames only the ones the
//! app asks for run (see `pause`). The naive reader is what egui offers out of the box: one
//! `Label` holding the whole text as one `LayoutJob`, highlights as background sections.
//! Prints p50 / p99 / p99.9 / max per step and the ratio of the p99s, then open, save and load
//! times and the peak RSS. No assertions: the machines are shared and noisy; compare the two
//! columns of one run.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use claimlens::app::{Action, App, ArticleSource, Document, Settings, StartOptions};
use claimlens::model::{Anchor, Annotation, AnnotationSet, Article, LabelId, Timestamp};
use egui::{Event, Key, Modifiers, PointerButton, Pos2, RawInput, Rect, Vec2, pos2, vec2};

const SCREEN: Vec2 = vec2(1280.0, 800.0);

struct Options {
    corpus: PathBuf,
    megabytes: usize,
    highlights: usize,
    /// Skip the naive reader (for profiling ours).
    naive: bool,
    /// The side panel shows the claim tree instead of the list by label.
    claims: bool,
}

fn options() -> Options {
    let mut o = Options {
        corpus: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
        megabytes: 5,
        highlights: 10_000,
        naive: true,
        claims: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--corpus" => o.corpus = PathBuf::from(value),
            "--mb" => o.megabytes = value.parse().expect("--mb N"),
            "--highlights" => o.highlights = value.parse().expect("--highlights N"),
            "--no-naive" => {
                o.naive = false;
                i += 1;
                continue;
            }
            "--claims" => {
                o.claims = true;
                i += 1;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    o
}

/// The corpus' Markdown posts, repeated to `megabytes`, every paragraph distinct.
fn book(options: &Options) -> String {
    let dir = options.corpus.join("markdown");
    let mut posts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    posts.sort();
    let texts: Vec<String> = posts
        .iter()
        .map(|p| without_front_matter(&std::fs::read_to_string(p).expect("read post")))
        .collect();
    let target = options.megabytes * 1_000_000;
    let mut book = String::with_capacity(target + 100_000);
    let mut copy = 0;
    while book.len() < target {
        copy += 1;
        for t in &texts {
            // Each copy's prose paragraphs end differently, so no two are the same text (a
            // layout cache would otherwise make repeated ones free); code, headings and lists
            // are left as they are, so the Markdown keeps its structure.
            for block in t.split("\n\n") {
                book.push_str(block);
                if block.starts_with(char::is_alphabetic) && !block.contains("```") {
                    book.push_str(&format!(" ({copy})"));
                }
                book.push_str("\n\n");
            }
        }
    }
    book
}

/// `text` without its TOML (`+++`) or YAML (`---`) front matter (only the first post's would be
/// read as such; the others' would be text).
fn without_front_matter(text: &str) -> String {
    for fence in ["+++", "---"] {
        if let Some(rest) = text.strip_prefix(fence)
            && let Some(end) = rest.find(&format!("\n{fence}"))
        {
            return rest[end + 1 + fence.len()..].trim_start().to_owned();
        }
    }
    text.to_owned()
}

/// `count` highlights of 1–12 words spread evenly over the article, labels in turn.
fn highlights(article: &Article, count: usize) -> AnnotationSet {
    let mut set = AnnotationSet::new(article, "bench.txt".to_owned());
    let chars: Vec<char> = article.text.chars().collect();
    let step = chars.len() / count.max(1);
    let labels = ["claim", "source", "denial"];
    for k in 0..count {
        let mut start = k * step;
        while start < chars.len() && !chars[start].is_alphanumeric() {
            start += 1;
        }
        let mut end = start;
        let mut words = 0;
        while end < chars.len() && chars[end] != '\n' && words < 1 + k % 12 {
            if chars[end] == ' ' {
                words += 1;
            }
            end += 1;
        }
        if end <= start {
            continue;
        }
        let Ok(anchor) = Anchor::new(article, start..end) else {
            continue;
        };
        set.insert(Annotation::new(
            LabelId::new(labels[k % 3]),
            anchor,
            Timestamp::UNIX_EPOCH,
        ));
    }
    set
}

/// One scripted step: its name and, per frame, the input events (and app actions).
struct Step {
    name: &'static str,
    frames: Vec<Frame>,
}

#[derive(Default, Clone)]
struct Frame {
    events: Vec<Event>,
    screen: Option<Vec2>,
    /// For our reader only: actions pushed before the frame (jumps).
    actions: Vec<Action>,
    /// For the naive reader: a jump to this fraction of the text, and highlights added/removed.
    naive_jump: Option<f32>,
    naive_add: bool,
    naive_remove: bool,
    /// This frame adds or removes a highlight (reported on its own line).
    edit: bool,
    /// Part of a [`pause`]: runs only if the frame before asked for another at once; the naive
    /// reader never does.
    pause: bool,
    /// Pointer at this article offset (where it is drawn when the frame runs), and whether the
    /// primary button is down; a press is sent on the first such frame, a release on `false`.
    drag: Option<(usize, bool)>,
}

/// The frames between a selection and the key that acts on it. A hand takes a quarter of a
/// second or more (15 frames at 60 Hz), and the app paints only the frames it asks for (the
/// one after any action, a few more while it lays out list rows ahead of need, an
/// animation's): each of these runs only if the frame before asked for it.
fn pause() -> impl Iterator<Item = Frame> {
    (0..15).map(|_| Frame {
        pause: true,
        ..Frame::default()
    })
}

fn key(key: Key, modifiers: Modifiers) -> Vec<Event> {
    vec![
        Event::Key {
            key,
            physical_key: None,
            pressed: true,
            repeat: false,
            modifiers,
        },
        Event::Key {
            key,
            physical_key: None,
            pressed: false,
            repeat: false,
            modifiers,
        },
    ]
}

fn script(
    first: Option<claimlens::model::AnnotationId>,
    last: Option<claimlens::model::AnnotationId>,
    to_delete: Vec<claimlens::model::AnnotationId>,
    to_add: Vec<std::ops::Range<usize>>,
) -> Vec<Step> {
    let reader = pos2(450.0, 400.0);
    let moved = |p: Pos2| Event::PointerMoved(p);
    let mut steps = Vec::new();
    steps.push(Step {
        name: "scroll",
        frames: (0..240)
            .map(|i| Frame {
                events: vec![
                    moved(reader),
                    Event::MouseWheel {
                        unit: egui::MouseWheelUnit::Point,
                        delta: vec2(0.0, if i < 200 { -60.0 } else { 60.0 }),
                        phase: egui::TouchPhase::Move,
                        source: egui::MouseWheelSource::Wheel,
                        modifiers: Modifiers::NONE,
                    },
                ],
                ..Frame::default()
            })
            .collect(),
    });
    let mut jumps = Vec::new();
    for i in 0..10 {
        let (action, fraction) = if i % 2 == 0 {
            (last, 0.999)
        } else {
            (first, 0.0)
        };
        jumps.push(Frame {
            actions: action.map(Action::Reveal).into_iter().collect(),
            naive_jump: Some(fraction),
            ..Frame::default()
        });
        for _ in 0..3 {
            jumps.push(Frame::default());
        }
    }
    steps.push(Step {
        name: "jump to the end and back",
        frames: jumps,
    });
    steps.push(Step {
        name: "hover",
        frames: (0..200)
            .map(|i| Frame {
                events: vec![moved(pos2(
                    200.0 + (i % 50) as f32 * 10.0,
                    150.0 + (i / 50) as f32 * 120.0,
                ))],
                ..Frame::default()
            })
            .collect(),
    });
    let mut select = Vec::new();
    for round in 0..10 {
        let y = 200.0 + round as f32 * 30.0;
        select.push(Frame {
            events: vec![
                moved(pos2(200.0, y)),
                Event::PointerButton {
                    pos: pos2(200.0, y),
                    button: PointerButton::Primary,
                    pressed: true,
                    modifiers: Modifiers::NONE,
                },
            ],
            ..Frame::default()
        });
        for s in 1..6 {
            select.push(Frame {
                events: vec![moved(pos2(200.0 + s as f32 * 60.0, y + 10.0))],
                ..Frame::default()
            });
        }
        select.push(Frame {
            events: vec![Event::PointerButton {
                pos: pos2(560.0, y + 10.0),
                button: PointerButton::Primary,
                pressed: false,
                modifiers: Modifiers::NONE,
            }],
            ..Frame::default()
        });
    }
    steps.push(Step {
        name: "select text",
        frames: select,
    });
    // Adding: drag over a few words near the top (press, move, release in frames of their own,
    // as a hand does; the positions are looked up when the frame runs), pause, then press 1.
    // Only the key's frame adds the highlight; it is the one flagged.
    let mut add = Vec::new();
    for range in to_add {
        add.push(Frame {
            drag: Some((range.start, true)),
            ..Frame::default()
        });
        add.push(Frame {
            drag: Some((range.end, true)),
            ..Frame::default()
        });
        add.push(Frame {
            drag: Some((range.end, false)),
            ..Frame::default()
        });
        add.extend(pause());
        add.push(Frame {
            events: key(Key::Num1, Modifiers::NONE),
            naive_add: true,
            edit: true,
            ..Frame::default()
        });
    }
    steps.push(Step {
        name: "add a highlight (key 1)",
        frames: add,
    });
    // Removing: select an annotation (as a click in the list does), pause, press Delete, pause,
    // then undo with Ctrl+Z; the Delete and the Ctrl+Z frames are flagged.
    let mut remove = Vec::new();
    for id in to_delete {
        remove.push(Frame {
            actions: vec![Action::SelectAnnotation(Some(id))],
            ..Frame::default()
        });
        remove.extend(pause());
        remove.push(Frame {
            events: key(Key::Delete, Modifiers::NONE),
            naive_remove: true,
            edit: true,
            ..Frame::default()
        });
        remove.extend(pause());
        remove.push(Frame {
            events: key(Key::Z, Modifiers::COMMAND),
            naive_add: true,
            edit: true,
            ..Frame::default()
        });
    }
    steps.push(Step {
        name: "delete a highlight, undo (Del, Ctrl+Z)",
        frames: remove,
    });
    steps.push(Step {
        name: "resize the window",
        frames: (0..40)
            .map(|i| Frame {
                screen: Some(vec2(1280.0 - (i % 20) as f32 * 15.0, 800.0)),
                ..Frame::default()
            })
            .collect(),
    });
    steps.push(Step {
        name: "font size (Ctrl+= / Ctrl+-)",
        frames: (0..10)
            .map(|i| Frame {
                events: key(
                    if i % 2 == 0 { Key::Equals } else { Key::Minus },
                    Modifiers::COMMAND,
                ),
                ..Frame::default()
            })
            .collect(),
    });
    steps
}

/// A frame every 1/60 s, as on a 60 Hz display: waits out the rest of the frame that took `t`
/// (so background work, such as measuring heights or autosaving, runs between frames as it
/// does in the app).
fn vsync(t: Duration) {
    std::thread::sleep(Duration::from_micros(16_667).saturating_sub(t));
}

/// Runs one frame of `ui` and tessellates it; returns the time taken.
fn frame(
    ctx: &egui::Context,
    screen: Vec2,
    events: Vec<Event>,
    ui: impl FnMut(&mut egui::Ui),
) -> Duration {
    frame_asking(ctx, screen, events, ui).0
}

/// [`frame`], and whether the frame asked for the next one at once.
fn frame_asking(
    ctx: &egui::Context,
    screen: Vec2,
    events: Vec<Event>,
    mut ui: impl FnMut(&mut egui::Ui),
) -> (Duration, bool) {
    let input = RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, screen)),
        events,
        ..RawInput::default()
    };
    let start = Instant::now();
    let output = ctx.run_ui(input, |u| ui(u));
    let again = output
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .is_some_and(|v| v.repaint_delay.is_zero());
    let _ = ctx.tessellate(output.shapes, output.pixels_per_point);
    (start.elapsed(), again)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Peak resident set size of this process, from /proc (Linux).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn headless_context() -> egui::Context {
    let ctx = egui::Context::default();
    ctx.set_missing_glyph_policy(egui::epaint::text::MissingGlyphPolicy::Tofu);
    ctx
}

/// What opening a file through the app took.
struct Opened {
    /// From `Action::Open` to the end of the first frame that drew the article.
    first_page: Duration,
    /// From `Action::Open` until every paragraph's height is exact (the scroll bar is).
    navigable: Duration,
    /// The slowest frame while the file loaded (the UI must not freeze).
    slowest_frame: Duration,
    frames: usize,
}

/// Opens `path` in a fresh app as File ▸ Open does (the file is read on the app's worker
/// thread), running frames at 60 Hz, and checks that the set beside it came along.
fn open_in_app(path: &std::path::Path, annotations: usize) -> Opened {
    let ctx = headless_context();
    let start_options = StartOptions {
        persist_settings: false,
        ..StartOptions::default()
    };
    let mut app = App::with_context(ctx.clone(), Settings::default(), start_options);
    let _ = frame(&ctx, SCREEN, Vec::new(), |ui| app.frame_ui(ui));
    let start = Instant::now();
    app.push(Action::Open(path.to_owned()));
    let mut slowest = Duration::ZERO;
    let mut frames = 0;
    loop {
        let t = frame(&ctx, SCREEN, Vec::new(), |ui| app.frame_ui(ui));
        frames += 1;
        slowest = slowest.max(t);
        if app.open_job.is_none() && app.reader.cached_galleys() > 0 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the open did not finish"
        );
        vsync(t);
    }
    let first_page = start.elapsed();
    while app.reader.measured_fraction() < 1.0 {
        let t = frame(&ctx, SCREEN, Vec::new(), |ui| app.frame_ui(ui));
        frames += 1;
        slowest = slowest.max(t);
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "measuring did not finish"
        );
        vsync(t);
    }
    let navigable = start.elapsed();
    assert_eq!(
        app.doc.set.annotations.len(),
        annotations,
        "the set came along"
    );
    assert!(app.last_reanchor.is_none(), "no re-anchoring: same text");
    Opened {
        first_page,
        navigable,
        slowest_frame: slowest,
        frames,
    }
}

/// The naive reader: the whole text as one label, highlights as background sections.
struct Naive {
    job: egui::text::LayoutJob,
    text: String,
    spans: Vec<std::ops::Range<usize>>,
    jump: Option<f32>,
    font_size: f32,
}

impl Naive {
    fn new(article: &Article, set: &AnnotationSet) -> Self {
        let mut naive = Self {
            job: egui::text::LayoutJob::default(),
            text: article.text.clone(),
            spans: set
                .annotations
                .iter()
                .map(|a| {
                    let r = a.anchor.position.range();
                    article.byte_of_char(r.start)..article.byte_of_char(r.end)
                })
                .collect(),
            jump: None,
            font_size: 18.0,
        };
        naive.rebuild();
        naive
    }

    fn rebuild(&mut self) {
        let font = egui::FontId::proportional(self.font_size);
        let plain = egui::TextFormat::simple(font.clone(), egui::Color32::BLACK);
        let mut marked = plain.clone();
        marked.background = egui::Color32::from_rgb(0xff, 0xe0, 0x99);
        let mut job = egui::text::LayoutJob::default();
        let mut at = 0;
        let mut spans = self.spans.clone();
        spans.sort_by_key(|r| r.start);
        for r in spans {
            if r.start < at {
                continue;
            }
            job.append(&self.text[at..r.start], 0.0, plain.clone());
            job.append(&self.text[r.clone()], 0.0, marked.clone());
            at = r.end;
        }
        job.append(&self.text[at..], 0.0, plain);
        job.wrap.max_width = 34.0 * self.font_size;
        self.job = job;
    }

    fn ui(&mut self, ui: &mut egui::Ui) {
        let mut area = egui::ScrollArea::vertical().auto_shrink(false);
        if let Some(fraction) = self.jump.take() {
            let height = ui
                .ctx()
                .fonts_mut(|f| f.layout_job(self.job.clone()))
                .size()
                .y;
            area = area.vertical_scroll_offset(fraction * height);
        }
        area.show(ui, |ui| {
            ui.add(egui::Label::new(self.job.clone()).selectable(true));
        });
    }
}

fn main() {
    // `--open-in-app PATH N`: the child process that measures opening (see `open_in_app`).
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--open-in-app") {
        let path = PathBuf::from(&args[i + 1]);
        let annotations: usize = args[i + 2].parse().expect("--open-in-app PATH N");
        let opened = open_in_app(&path, annotations);
        println!(
            "{} {} {} {} {}",
            opened.first_page.as_secs_f64(),
            opened.navigable.as_secs_f64(),
            opened.slowest_frame.as_secs_f64(),
            opened.frames,
            peak_rss_mb().unwrap_or(0.0)
        );
        return;
    }
    let options = options();
    let started = Instant::now();
    let text = book(&options);
    let dir = tempfile::tempdir().expect("temp dir");
    let article_path = dir.path().join("bench.txt");
    std::fs::write(&article_path, &text).expect("write the article");
    // The article as the app reads the file (format detection, decoding, structure).
    let open_start = Instant::now();
    let article = claimlens::app::read_article(&article_path).expect("read the article");
    let article_ms = ms(open_start.elapsed());
    let set = highlights(&article, options.highlights);
    println!(
        "frames benchmark: {:.1} MB article ({} code points, {} paragraphs), {} highlights, {}×{} points",
        text.len() as f64 / 1e6,
        article.char_len(),
        article.paragraphs.len(),
        set.annotations.len(),
        SCREEN.x,
        SCREEN.y
    );

    // Save and load of the set.
    let set_path = claimlens::store::default_set_path(&article_path);
    let t = Instant::now();
    claimlens::store::save_set(&set, &set_path).expect("save");
    let save_ms = ms(t.elapsed());
    let t = Instant::now();
    let loaded = claimlens::store::load_set(&set_path).expect("load");
    let load_ms = ms(t.elapsed());
    assert_eq!(loaded.annotations.len(), set.annotations.len());

    // Opening through the app, in a process of its own: its peak RSS is the app's alone.
    let child = std::process::Command::new(std::env::current_exe().expect("this program"))
        .arg("--open-in-app")
        .arg(&article_path)
        .arg(set.annotations.len().to_string())
        .output()
        .expect("run the open measurement");
    assert!(
        child.status.success(),
        "{}",
        String::from_utf8_lossy(&child.stderr)
    );
    let figures: Vec<f64> = String::from_utf8_lossy(&child.stdout)
        .split_whitespace()
        .map(|v| v.parse().expect("a figure"))
        .collect();
    let [first_page, navigable, slowest_frame, open_frames, open_rss] = figures[..] else {
        panic!("unexpected output of the open measurement: {figures:?}");
    };

    // Our reader.
    let ctx = headless_context();
    // As the app runs: with autosave (recovery records written off the UI thread).
    let start_options = StartOptions {
        persist_settings: false,
        recovery_dir: Some(dir.path().join("recovery")),
        ..StartOptions::default()
    };
    let mut app = App::with_context(ctx.clone(), Settings::default(), start_options);
    let first_paint = Instant::now();
    app.doc = Document::new(
        article.clone(),
        ArticleSource::File(PathBuf::from("bench.txt")),
        Some((set.clone(), set_path.clone())),
    );
    app.reader = claimlens::ui::reader::ReaderCache::default();
    // As the app's open worker does (off the UI thread there): the reader's highlight index.
    app.reader
        .adopt_index(claimlens::ui::reader::HighlightIndex::new(&app.doc));
    let first = frame(&ctx, SCREEN, Vec::new(), |ui| app.frame_ui(ui));
    let first_paint_ms = ms(first_paint.elapsed());
    let (first_id, last_id, to_delete) = {
        // In the set's order, which is by start offset.
        let a: Vec<_> = app.doc.set.annotations.iter().collect();
        let to_delete = a.iter().skip(1).take(40).map(|a| a.id).collect();
        (a.first().map(|a| a.id), a.last().map(|a| a.id), to_delete)
    };
    // Ranges to highlight: a few words at the start of the first paragraphs (in view at the
    // end of the jumps, which end at the top).
    let to_add: Vec<std::ops::Range<usize>> = article
        .paragraphs
        .iter()
        .filter(|p| p.chars.len() >= 60)
        .take(5)
        .flat_map(|p| (0..4).map(move |k| p.chars.start + 2 + 8 * k..p.chars.start + 20 + 8 * k))
        .collect();
    let steps = script(first_id, last_id, to_delete, to_add);
    if options.claims {
        app.push(Action::SetListView(claimlens::app::ListView::Claims));
    }
    let mut ours: Vec<Vec<Duration>> = Vec::new();
    // The frames that add or remove a highlight (the key's frame), and the frames that first
    // draw the change.
    let mut edits: Vec<Duration> = Vec::new();
    let mut drawn: Vec<Duration> = Vec::new();
    let mut pointer_down = false;
    let mut showing_edit = false;
    let mut asked = true;
    for step in &steps {
        let mut times = Vec::new();
        for f in &step.frames {
            if f.pause && !asked {
                continue;
            }
            for action in &f.actions {
                app.push(action.clone());
            }
            let screen = f.screen.unwrap_or(SCREEN);
            let mut events = f.events.clone();
            if let Some((offset, down)) = f.drag {
                let pos = app
                    .reader
                    .screen_pos_of(offset)
                    .unwrap_or_else(|| panic!("{}: offset {offset} is not in view", step.name));
                events.push(Event::PointerMoved(pos));
                if down != pointer_down {
                    events.push(Event::PointerButton {
                        pos,
                        button: PointerButton::Primary,
                        pressed: down,
                        modifiers: Modifiers::NONE,
                    });
                    pointer_down = down;
                }
            }
            let before = app.doc.set.annotations.len();
            let (t, again) = frame_asking(&ctx, screen, events, |ui| app.frame_ui(ui));
            asked = again;
            vsync(t);
            times.push(t);
            if std::mem::replace(&mut showing_edit, f.edit) && !f.edit {
                // The frame that first draws the change (an edit frame is counted as such).
                drawn.push(t);
            }
            if f.edit {
                // The script must do what it says: one highlight more or fewer.
                let after = app.doc.set.annotations.len();
                assert_eq!(
                    after.abs_diff(before),
                    1,
                    "{}: a flagged frame changed the set from {before} to {after} annotations",
                    step.name
                );
                edits.push(t);
            }
        }
        ours.push(times);
    }
    let ours_rss = peak_rss_mb();

    // Saving while reading on: the frame that presses Ctrl+S (it copies the set and hands the
    // copy to the saver thread), then frames that scroll on until the save is reported.
    let scroll_frame = || {
        vec![Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: vec2(0.0, -30.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: Modifiers::NONE,
        }]
    };
    let mut save_frames = Vec::new();
    let mut during_save = Vec::new();
    let mut save_wall = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let first = frame(&ctx, SCREEN, key(Key::S, Modifiers::COMMAND), |ui| {
            app.frame_ui(ui)
        });
        save_frames.push(first);
        vsync(first);
        assert_eq!(app.saves_pending(), 1, "Ctrl+S starts a save");
        while app.saves_pending() > 0 {
            let next = frame(&ctx, SCREEN, scroll_frame(), |ui| app.frame_ui(ui));
            during_save.push(next);
            vsync(next);
        }
        save_wall.push(t.elapsed());
        assert!(!app.doc.is_dirty(), "saved");
    }
    let clone_start = Instant::now();
    let copies = 20;
    for _ in 0..copies {
        std::hint::black_box(app.doc.set.clone());
    }
    let clone_ms = ms(clone_start.elapsed()) / copies as f64;

    // The naive reader (fewer frames of each step: its frames take much longer).
    let naive_ctx = headless_context();
    let mut naive = Naive::new(&article, &set);
    let naive_first_start = Instant::now();
    if options.naive {
        let _ = frame(&naive_ctx, SCREEN, Vec::new(), |ui| naive.ui(ui));
    }
    let naive_first_ms = ms(naive_first_start.elapsed());
    let mut theirs: Vec<Vec<Duration>> = Vec::new();
    for step in &steps {
        let mut times = Vec::new();
        for f in step
            .frames
            .iter()
            .filter(|f| !f.pause)
            .take(if options.naive { 20 } else { 0 })
        {
            if let Some(j) = f.naive_jump {
                naive.jump = Some(j);
            }
            let t = Instant::now();
            if f.naive_add {
                naive.spans.push(0..1);
                naive.rebuild();
            }
            if f.naive_remove {
                naive.spans.pop();
                naive.rebuild();
            }
            let rebuild = t.elapsed();
            let screen = f.screen.unwrap_or(SCREEN);
            for e in &f.events {
                if let Event::Key {
                    key,
                    pressed: true,
                    modifiers,
                    ..
                } = e
                    && modifiers.command
                {
                    naive.font_size += if *key == Key::Equals { 2.0 } else { -2.0 };
                    naive.rebuild();
                }
            }
            times.push(rebuild + frame(&naive_ctx, screen, f.events.clone(), |ui| naive.ui(ui)));
        }
        theirs.push(times);
    }

    println!();
    println!(
        "{:<30} | {:>48} | {:>48} | {:>7}",
        "step (frames ours / naive)",
        "Claimlens p50 / p99 / p99.9 / max ms",
        "naive Label p50 / p99 / p99.9 / max ms",
        "p99 ×"
    );
    println!("{}", "-".repeat(142));
    for ((step, a), b) in steps.iter().zip(&ours).zip(&theirs) {
        let mut a = a.clone();
        let mut b = b.clone();
        a.sort();
        b.sort();
        let stats = |v: &[Duration]| {
            format!(
                "{:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                ms(percentile(v, 0.5)),
                ms(percentile(v, 0.99)),
                ms(percentile(v, 0.999)),
                ms(*v.last().unwrap_or(&Duration::ZERO))
            )
        };
        let ratio = ms(percentile(&b, 0.99)) / ms(percentile(&a, 0.99)).max(1e-6);
        println!(
            "{:<30} | {:>48} | {:>48} | {:>6.0}×",
            format!("{} ({} / {})", step.name, a.len(), b.len()),
            stats(&a),
            stats(&b),
            ratio
        );
    }
    let both: Vec<Duration> = edits.iter().chain(&drawn).copied().collect();
    for (name, mut v) in [
        ("  add/remove (key's frame)", edits),
        ("  the frame after (draws it)", drawn),
        ("  add/remove + next", both),
    ] {
        v.sort();
        println!(
            "{:<30} | {:>48} |",
            format!("{name} ({})", v.len()),
            format!(
                "{:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                ms(percentile(&v, 0.5)),
                ms(percentile(&v, 0.99)),
                ms(percentile(&v, 0.999)),
                ms(*v.last().unwrap_or(&Duration::ZERO))
            )
        );
    }
    let mut all: Vec<Duration> = ours.iter().flatten().copied().collect();
    all.sort();
    println!(
        "\nall of ours: {} frames, p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms",
        all.len(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99)),
        ms(percentile(&all, 0.999)),
        ms(*all.last().unwrap_or(&Duration::ZERO))
    );
    let mut all_naive: Vec<Duration> = theirs.iter().flatten().copied().collect();
    all_naive.sort();
    if !all_naive.is_empty() {
        println!(
            "all of the naive reader's: {} frames, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms: its p99 is {:.0}× ours",
            all_naive.len(),
            ms(percentile(&all_naive, 0.5)),
            ms(percentile(&all_naive, 0.99)),
            ms(*all_naive.last().unwrap_or(&Duration::ZERO)),
            ms(percentile(&all_naive, 0.99)) / ms(percentile(&all, 0.99)).max(1e-6)
        );
    }
    println!(
        "open: file → article (read, detect, decode, structure) {article_ms:.0} ms; first frame of our reader {:.1} ms ({first_paint_ms:.0} ms with making the document and its highlight index, which the app does on its open worker); naive first frame {naive_first_ms:.0} ms",
        ms(first)
    );
    println!(
        "set of {} annotations: save {save_ms:.0} ms, load {load_ms:.0} ms (store functions, this thread)",
        set.annotations.len()
    );
    save_frames.sort();
    save_wall.sort();
    during_save.sort();
    println!(
        "Ctrl+S in the app ({} saves): the frame that starts it p50 {:.2} / max {:.2} ms (copying the set: {clone_ms:.2} ms); \
         frames while the saver thread writes p50 {:.2} / max {:.2} ms; Ctrl+S to saved p50 {:.0} / max {:.0} ms",
        save_frames.len(),
        ms(percentile(&save_frames, 0.5)),
        ms(*save_frames.last().unwrap_or(&Duration::ZERO)),
        ms(percentile(&during_save, 0.5)),
        ms(*during_save.last().unwrap_or(&Duration::ZERO)),
        ms(percentile(&save_wall, 0.5)),
        ms(*save_wall.last().unwrap_or(&Duration::ZERO)),
    );
    println!(
        "open through the app (File ▸ Open of the article with its set beside it, frames at 60 Hz, own process): \
         first page painted {:.0} ms after the open started, every paragraph's height exact (accurate scroll bar) {:.0} ms; \
         slowest frame meanwhile {:.1} ms ({open_frames} frames); \
         peak RSS {open_rss:.0} MB (target ≤ 3 × text + 100 MB = {:.0} MB)",
        first_page * 1000.0,
        navigable * 1000.0,
        slowest_frame * 1000.0,
        3.0 * text.len() as f64 / 1e6 + 100.0
    );
    if let Some(rss) = ours_rss {
        println!(
            "peak RSS of this process after our session: {rss:.0} MB (it also holds the benchmark's own copies of the text, article and set); the naive reader ran after it",
        );
    }
    println!(
        "autosave was on: {}",
        match app.autosaved_generation() {
            Some(0) | None => "but wrote no recovery record",
            Some(_) => "recovery records were written during the session",
        }
    );
    println!("total {:.1} s", started.elapsed().as_secs_f64());
}
