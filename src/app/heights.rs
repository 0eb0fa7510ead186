//! Measures every paragraph's height on background threads, so the reader's scroll bar is exact
//! for a book-length article without the UI thread laying out the whole text.
//!
//! The reader lays out only the paragraphs in view and gives the others an estimated height
//! (see [`crate::ui::reader`]). [`HeightMeasurer`] owns one thread per core (at most
//! [`MAX_THREADS`]), each with its own [`Fonts`], built from the UI's font definitions, the fonts
//! egui discovered among the system fonts, and the UI's text options. Asked to measure an article
//! for a [`MeasureTarget`], each thread lays out its share of the paragraphs with
//! [`lay_out_paragraph`] — the reader's own layout and height formula, so the heights agree to
//! the bit — and sends them back in batches, which the app hands to
//! [`ReaderCache::accept_heights`] at the start of a frame (all that arrived, once a frame).
//!
//! Priority: on Linux the threads run at idle priority (`SCHED_IDLE`), so they only use cores
//! the UI thread does not want, and they never take a lock the UI thread waits for (not even the
//! egui context's: the UI asks for a frame to collect their batches itself). Without this, two
//! threads on a 2-core machine pushed frames from under 1 ms to 5–10 ms while they ran. Between
//! paragraphs a thread that finds itself on the core of a frame still running steps aside
//! ([`FrameWatch`]: the kernel now and then gives an idle thread a busy core for a 4 ms tick).
//!
//! No heap memory crosses from the threads to the UI either. The allocator (glibc's malloc)
//! guards each thread's arena with a lock, and freeing a block takes the lock of the arena it
//! came from: when the UI thread freed a batch's `Vec` while its measuring thread, in the middle
//! of an allocation of its own, had been preempted by the save thread, a frame waited 38 ms for
//! an idle-priority thread to be scheduled again (seen with `perf record -e sched:sched_switch
//! --call-graph dwarf` on the frames benchmark: the UI thread in `_int_free` →
//! `__lll_lock_wait_private`, woken by the measuring thread). So a [`Batch`] carries its heights
//! inline, and the batches travel in a bounded channel whose slots the UI thread allocated: the
//! UI frees nothing a measuring thread allocated.
//!
//! Order: from the paragraph at the top of the view outward (one below, one above, and so on),
//! dealt round-robin to the threads. The paragraphs the analyst is about to scroll into become
//! exact first, so scrolling near where they are never moves text; changes further above are
//! absorbed by the reader's scroll anchoring; and the scroll bar, which depends on every height,
//! is exact once the run ends (a 5 MB book of 22,600 distinct paragraphs: about 0.3 s on two
//! cores after the first page, see `benches/frames.rs`).
//!
//! A newer request (another article, layout key, fonts or text options) supersedes the current
//! run: each thread checks for one between paragraphs. The threads are started on the first
//! request and serve every document after it; they end when the measurer is dropped (their
//! request channels close), after the paragraph they are laying out.

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use egui::epaint::text::{FontDefinitions, FontInsert, Fonts, TextOptions, ViewportKey};

use super::priority::FrameWatch;
use crate::model::Article;
use crate::ui::reader::{FontsWatch, MeasureTarget, ReaderCache, lay_out_paragraph};

/// A batch of heights goes back after this long, or when it holds [`BATCH_PARAGRAPHS`].
const BATCH_TIME: Duration = Duration::from_millis(5);
const BATCH_PARAGRAPHS: usize = 256;
/// Batches on their way to the UI (all threads together), in slots allocated once: about
/// 4 KB each. Two threads fill about 14 in the 33 ms the UI may take to collect them
/// ([`REPAINT_WITHIN`]); a thread that finds them all full waits for the UI's next frame.
const BATCHES_IN_FLIGHT: usize = 32;
/// Most measuring threads (each has fonts of its own, a few MB).
const MAX_THREADS: usize = 4;
/// The thread's galley cache is flushed every this many paragraphs or code points laid out,
/// whichever comes first, so it keeps only the last few hundred layouts rather than every one
/// it made (a layout takes about 150 bytes per glyph).
const PARAGRAPHS_PER_PASS: usize = 256;
const CHARS_PER_PASS: usize = 64 * 1024;
/// While a run goes on the UI asks for a frame within this delay to take the batches, not at
/// once: heights and progress need not show sooner, frames that run anyway (the analyst
/// scrolling) take whatever has arrived, and a test harness that runs frames until no
/// immediate repaint is asked for is not kept going.
const REPAINT_WITHIN: Duration = Duration::from_millis(33);
/// Progress is shown in the status bar only for articles of at least this many paragraphs (a
/// few hundred milliseconds' work; shorter ones are measured within a frame or two), and only
/// once a run has taken this long.
const SHOW_PROGRESS_FROM_PARAGRAPHS: usize = 2_000;
const SHOW_PROGRESS_AFTER: Duration = Duration::from_millis(300);

/// Fonts for the measuring thread: the UI's definitions with the discovered fonts added, and its
/// text options.
#[derive(Clone)]
struct FontSetup {
    definitions: FontDefinitions,
    options: TextOptions,
}

/// One run's work, for one of the threads.
#[derive(Clone)]
struct Request {
    target: MeasureTarget,
    article: Arc<Article>,
    /// This thread's share: the `k`-th of every `n` paragraphs in [`Spread`] order.
    part: (usize, usize),
    /// New fonts to measure with; `None` keeps the thread's current ones.
    fonts: Option<FontSetup>,
}

/// Heights measured in one run: `(paragraph index, height)` pairs, inline (module docs).
struct Batch {
    generation: u64,
    heights: [(usize, f32); BATCH_PARAGRAPHS],
    /// How many of `heights` are measured.
    len: usize,
    /// The run's last batch.
    finished: bool,
}

impl Batch {
    fn new(generation: u64) -> Self {
        Self {
            generation,
            heights: [(0, 0.0); BATCH_PARAGRAPHS],
            len: 0,
            finished: false,
        }
    }

    fn push(&mut self, index: usize, height: f32) {
        self.heights[self.len] = (index, height);
        self.len += 1;
    }

    fn is_full(&self) -> bool {
        self.len == BATCH_PARAGRAPHS
    }

    fn heights(&self) -> &[(usize, f32)] {
        &self.heights[..self.len]
    }
}

/// The running threads' ends of their channels: one for requests to each thread, one for
/// the batches of all.
struct Workers {
    requests: Vec<mpsc::Sender<Request>>,
    batches: mpsc::Receiver<Batch>,
}

/// The run asked for last.
struct Run {
    generation: u64,
    paragraphs: usize,
    started: Instant,
    /// Threads that sent their last batch of the run.
    parts_finished: usize,
    parts: usize,
}

impl Run {
    fn finished(&self) -> bool {
        self.parts_finished >= self.parts
    }
}

/// The app's handle on the measuring threads (see the module docs).
pub struct HeightMeasurer {
    ctx: egui::Context,
    /// The UI thread's frames, for the threads to step aside from.
    frames: FrameWatch,
    workers: Option<Workers>,
    /// The UI's fonts and text options as the threads' fonts were made from them.
    fonts: FontsWatch,
    run: Option<Run>,
}

impl HeightMeasurer {
    pub fn new(ctx: egui::Context) -> Self {
        Self {
            ctx,
            frames: FrameWatch::default(),
            workers: None,
            fonts: FontsWatch::default(),
            run: None,
        }
    }

    /// Call when a frame's UI code starts (see [`FrameWatch`]).
    pub fn frame_started(&self) {
        self.frames.frame_started();
    }

    /// Call when a frame's UI code is done.
    pub fn frame_finished(&self) {
        self.frames.frame_finished();
    }

    /// Hands every batch that arrived since the last call to `reader` (batches of an earlier run
    /// are dropped). Call once per frame, before the reader runs.
    pub fn drain(&mut self, reader: &mut ReaderCache) {
        let (Some(workers), Some(run)) = (&self.workers, &mut self.run) else {
            return;
        };
        while let Ok(batch) = workers.batches.try_recv() {
            if batch.generation != run.generation {
                continue;
            }
            reader.accept_heights(batch.generation, batch.heights());
            run.parts_finished += usize::from(batch.finished);
        }
        if !run.finished() {
            // The threads never touch the UI's context (a lock an idle-priority thread must
            // not hold): the UI looks for their batches on its own.
            self.ctx.request_repaint_after(REPAINT_WITHIN);
        }
    }

    /// Starts a run if the reader's layout generation is not the one being measured (another
    /// article, layout key, fonts or text options): the current run, if any, is abandoned. Call
    /// once per frame, after the reader ran.
    pub fn sync(&mut self, reader: &ReaderCache, article: &Arc<Article>) {
        let Some(target) = reader.measure_target() else {
            return;
        };
        if self
            .run
            .as_ref()
            .is_some_and(|run| run.generation == target.generation)
        {
            return;
        }
        if self.workers.is_none() {
            // New threads have no fonts yet.
            self.fonts = FontsWatch::default();
            self.workers = self.spawn();
        }
        let fonts = self.font_setup();
        let Some(workers) = &self.workers else {
            return;
        };
        let paragraphs = article.paragraphs.len();
        let parts = workers.requests.len();
        for (k, requests) in workers.requests.iter().enumerate() {
            let request = Request {
                target,
                article: article.clone(),
                part: (k, parts),
                fonts: fonts.clone(),
            };
            if requests.send(request).is_err() {
                // A thread is gone (it panicked): start them again with the next request.
                log::warn!("a height measuring thread stopped; starting them again");
                self.workers = None;
                return;
            }
        }
        self.run = Some(Run {
            generation: target.generation,
            paragraphs,
            started: Instant::now(),
            parts_finished: 0,
            parts,
        });
        self.ctx.request_repaint_after(REPAINT_WITHIN);
    }

    /// Whether a run is going on an article long enough, and has taken long enough, to show in
    /// the status bar.
    pub fn show_progress(&self) -> bool {
        self.run.as_ref().is_some_and(|run| {
            !run.finished()
                && run.paragraphs >= SHOW_PROGRESS_FROM_PARAGRAPHS
                && run.started.elapsed() >= SHOW_PROGRESS_AFTER
        })
    }

    /// The UI's fonts if they changed since the thread's were made, `None` if they did not.
    fn font_setup(&mut self) -> Option<FontSetup> {
        if !self.fonts.check(&self.ctx).fonts_changed {
            return None;
        }
        Some(self.ctx.fonts(|f| {
            let mut definitions = f.definitions().clone();
            add_discovered_fonts(&mut definitions, f.discovered_fonts());
            FontSetup {
                definitions,
                options: *f.options(),
            }
        }))
    }

    /// Starts one measuring thread per core (at most [`MAX_THREADS`]), each at idle priority
    /// (see [`run_when_idle`](super::priority::run_when_idle)): measuring is the only heavy work while an article opens, and it
    /// runs on whatever the UI thread leaves.
    fn spawn(&self) -> Option<Workers> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, MAX_THREADS);
        // Bounded: its slots are allocated here, on the UI thread, once (module docs).
        let (batch_tx, batch_rx) = mpsc::sync_channel(BATCHES_IN_FLIGHT);
        let mut requests = Vec::new();
        for k in 0..threads {
            let (request_tx, request_rx) = mpsc::channel();
            let batches = batch_tx.clone();
            let frames = self.frames.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("measure heights {k}"))
                .spawn(move || {
                    super::priority::run_when_idle();
                    serve(&request_rx, &batches, &frames)
                });
            match spawned {
                // Detached: each ends by itself once its `requests` is dropped (module docs).
                Ok(_) => requests.push(request_tx),
                Err(err) => {
                    log::warn!("could not start measuring heights in the background: {err}");
                    break;
                }
            }
        }
        (!requests.is_empty()).then_some(Workers {
            requests,
            batches: batch_rx,
        })
    }
}

/// Adds fonts egui found among the system fonts to `definitions`, as egui does for
/// `egui::Context::add_font`. egui puts discovered fonts after the configured ones of each
/// family, in the order they were found, whatever priority they carry; so do we.
fn add_discovered_fonts(definitions: &mut FontDefinitions, discovered: &[FontInsert]) {
    for font in discovered {
        for family in &font.families {
            let chain = definitions
                .families
                .entry(family.family.clone())
                .or_default();
            if !chain.contains(&font.name) {
                chain.push(font.name.clone());
            }
        }
        definitions
            .font_data
            .entry(font.name.clone())
            .or_insert_with(|| Arc::new(font.data.clone()));
    }
}

/// The thread: measures each request until a newer one comes, then waits for the next.
fn serve(
    requests: &mpsc::Receiver<Request>,
    batches: &mpsc::SyncSender<Batch>,
    frames: &FrameWatch,
) {
    let mut fonts: Option<(Fonts, TextOptions)> = None;
    let mut next = requests.recv().ok();
    while let Some(mut request) = next.take() {
        if let Some(setup) = request.fonts.take() {
            fonts = Some((Fonts::new(setup.options, setup.definitions), setup.options));
        }
        let Some((fonts, options)) = &mut fonts else {
            next = requests.recv().ok();
            continue;
        };
        match measure(fonts, *options, &request, requests, batches, frames) {
            Outcome::Finished => next = requests.recv().ok(),
            Outcome::Superseded(newer) => next = Some(*newer),
            Outcome::Stop => return,
        }
    }
}

/// How a run ended.
enum Outcome {
    Finished,
    Superseded(Box<Request>),
    /// The app dropped its end of a channel.
    Stop,
}

/// Measures every paragraph of the request's article, in [`Spread`] order, sending batches.
fn measure(
    fonts: &mut Fonts,
    options: TextOptions,
    request: &Request,
    requests: &mpsc::Receiver<Request>,
    batches: &mpsc::SyncSender<Batch>,
    frames: &FrameWatch,
) -> Outcome {
    let MeasureTarget {
        generation,
        key,
        from,
    } = request.target;
    let paragraphs = &request.article.paragraphs;
    let (part, parts) = request.part;
    let mut batch = Batch::new(generation);
    let mut batch_started = Instant::now();
    let mine = Spread::new(from, paragraphs.len())
        .enumerate()
        .filter(|(i, _)| i % parts == part)
        .map(|(_, index)| index);
    // Paragraphs and code points laid out in this pass of the fonts; none yet.
    let mut pass = (PARAGRAPHS_PER_PASS, 0);
    for index in mine {
        match requests.try_recv() {
            Ok(newer) => return Outcome::Superseded(Box::new(latest(newer, requests))),
            Err(mpsc::TryRecvError::Disconnected) => return Outcome::Stop,
            Err(mpsc::TryRecvError::Empty) => {}
        }
        frames.step_aside();
        if pass.0 >= PARAGRAPHS_PER_PASS || pass.1 >= CHARS_PER_PASS {
            fonts.begin_pass(options, ViewportKey::default());
            pass = (0, 0);
        }
        pass = (pass.0 + 1, pass.1 + paragraphs[index].chars.len());
        let mut view = fonts.with_pixels_per_point(key.pixels_per_point());
        let (_, height) = lay_out_paragraph(&mut view, &request.article, &paragraphs[index], key);
        batch.push(index, height);
        if batch.is_full() || batch_started.elapsed() >= BATCH_TIME {
            let full = std::mem::replace(&mut batch, Batch::new(generation));
            if batches.send(full).is_err() {
                return Outcome::Stop;
            }
            batch_started = Instant::now();
        }
    }
    batch.finished = true;
    if batches.send(batch).is_err() {
        return Outcome::Stop;
    }
    Outcome::Finished
}

/// The last of `first` and the requests queued after it.
fn latest(first: Request, requests: &mpsc::Receiver<Request>) -> Request {
    requests.try_iter().last().unwrap_or(first)
}

/// Indices `0..len` from `from` outward: `from`, `from + 1`, `from - 1`, `from + 2`, … with each
/// side continuing alone once the other is used up. `from` is clamped into the range.
///
/// For `Spread::new(2, 5)`: 2, 3, 1, 4, 0.
struct Spread {
    /// The next index below `from` (counting up).
    below: usize,
    /// One past the next index above `from` (counting down; 0 when the top is reached).
    above: usize,
    len: usize,
    /// Whether the next index comes from below (when both sides have some left).
    below_next: bool,
}

impl Spread {
    fn new(from: usize, len: usize) -> Self {
        let from = from.min(len.saturating_sub(1));
        Self {
            below: from,
            above: from,
            len,
            below_next: true,
        }
    }
}

impl Iterator for Spread {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let below_left = self.below < self.len;
        let above_left = self.above > 0;
        if below_left && (self.below_next || !above_left) {
            // `from` itself, then alternately: the one after it comes from below again.
            self.below_next = self.below == self.above;
            self.below += 1;
            Some(self.below - 1)
        } else if above_left {
            self.below_next = true;
            self.above -= 1;
            Some(self.above)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Spread;

    #[test]
    fn spread_goes_outward_from_the_start_and_covers_everything_once() {
        assert_eq!(Spread::new(2, 5).collect::<Vec<_>>(), [2, 3, 1, 4, 0]);
        assert_eq!(Spread::new(0, 4).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!(Spread::new(3, 4).collect::<Vec<_>>(), [3, 2, 1, 0]);
        assert_eq!(Spread::new(9, 3).collect::<Vec<_>>(), [2, 1, 0]);
        assert_eq!(Spread::new(0, 0).count(), 0);
        for len in 0..40 {
            for from in 0..len + 2 {
                let mut seen: Vec<usize> = Spread::new(from, len).collect();
                seen.sort_unstable();
                assert_eq!(seen, (0..len).collect::<Vec<_>>(), "from {from} of {len}");
            }
        }
    }
}
