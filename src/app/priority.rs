//! Priorities of the app's background threads, so that they never take a core from the UI
//! thread in the middle of a frame.

/// Puts the calling thread at idle priority where the system has one (Linux `SCHED_IDLE`): it
/// then runs only on a core nothing else wants, so its work never delays a frame, however many
/// cores it uses. Elsewhere the thread keeps normal priority. For work that may wait (measuring
/// paragraph heights).
pub fn run_when_idle() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: plain system call on the calling thread (pid 0) with a valid parameter.
        let result = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) };
        if result != 0 {
            log::debug!(
                "background thread at normal priority: {}",
                std::io::Error::last_os_error()
            );
        }
    }
}

/// Puts the calling thread behind the UI thread without starving it (Linux: `SCHED_BATCH` at
/// nice 10, both of which apply to the calling thread only). It still gets a free core at full
/// speed, and a fair share of a busy one, but waking it never takes the core from the thread
/// that woke it: the kernel does not let a batch thread preempt another at wake-up. A thread
/// at plain nice 10 did: handing it a job from the UI thread stalled that frame for 1.5–5 ms
/// in about half the benchmark runs. For work that must finish soon but not before the frame
/// (saving, autosaving). Elsewhere the thread keeps normal priority.
pub fn run_behind_the_ui() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: plain system calls on the calling thread (pid/who 0) with valid values.
        let results = unsafe {
            [
                libc::sched_setscheduler(0, libc::SCHED_BATCH, &param),
                libc::setpriority(libc::PRIO_PROCESS, 0, 10),
            ]
        };
        if results.iter().any(|&r| r != 0) {
            log::debug!(
                "background thread at normal priority: {}",
                std::io::Error::last_os_error()
            );
        }
    }
}

/// Where and until when the UI thread is drawing a frame, so that idle-priority threads can
/// step aside ([`FrameWatch::step_aside`]) when they find themselves on its core.
///
/// `SCHED_IDLE` is not quite enough: the kernel's EEVDF scheduler now and then lets an
/// idle-priority thread run a whole scheduler tick (4 ms) on a busy core. Traced with `perf
/// sched` on the frames benchmark, a measuring thread took the UI thread's core for 4 ms in the
/// middle of a frame about once per run (while an article opened, or after a change of font
/// size). A thread that checks between its work items gives the core back within one item.
#[derive(Clone)]
pub struct FrameWatch {
    inner: std::sync::Arc<FrameWatchInner>,
}

struct FrameWatchInner {
    base: std::time::Instant,
    /// The core the UI thread was on when the frame started; `usize::MAX` if unknown.
    cpu: std::sync::atomic::AtomicUsize,
    /// Nanoseconds after `base` until which the frame runs (`u64::MAX` while the UI code runs,
    /// 0 when no frame ran yet).
    until: std::sync::atomic::AtomicU64,
}

impl Default for FrameWatch {
    fn default() -> Self {
        Self {
            inner: std::sync::Arc::new(FrameWatchInner {
                base: std::time::Instant::now(),
                cpu: std::sync::atomic::AtomicUsize::new(usize::MAX),
                until: std::sync::atomic::AtomicU64::new(0),
            }),
        }
    }
}

impl FrameWatch {
    /// After the UI code the frame still tessellates and paints (0.3–0.8 ms): counted as busy
    /// this long. Longer costs measuring: a thread on the core sleeps through the window even
    /// when the UI thread already sleeps too (3 ms left a core idle a fifth of the time at 60
    /// frames a second).
    const AFTER_UI: std::time::Duration = std::time::Duration::from_millis(1);
    /// The longest a thread steps aside at a time, should the UI thread stall (it then is not
    /// on the core anyway).
    const MOST_ASIDE: std::time::Duration = std::time::Duration::from_millis(20);

    /// Call from the UI thread when a frame's UI code starts.
    pub fn frame_started(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        self.inner
            .cpu
            .store(current_cpu().unwrap_or(usize::MAX), Relaxed);
        self.inner.until.store(u64::MAX, Relaxed);
    }

    /// Call from the UI thread when a frame's UI code is done.
    pub fn frame_finished(&self) {
        let until = self.nanos_now() + Self::AFTER_UI.as_nanos() as u64;
        self.inner
            .until
            .store(until, std::sync::atomic::Ordering::Relaxed);
    }

    fn nanos_now(&self) -> u64 {
        self.inner.base.elapsed().as_nanos() as u64
    }

    /// Whether the calling thread is on the core of a frame that is still running.
    pub fn in_the_way(&self) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let cpu = self.inner.cpu.load(Relaxed);
        cpu != usize::MAX
            && current_cpu() == Some(cpu)
            && self.nanos_now() < self.inner.until.load(Relaxed)
    }

    /// Call from a background thread between work items: while it is on the core of a frame
    /// that is running (the kernel let it take the core from the UI thread), it sleeps, a
    /// fraction of a millisecond at a time, so the UI thread gets the core back.
    pub fn step_aside(&self) {
        let started = std::time::Instant::now();
        while self.in_the_way() && started.elapsed() < Self::MOST_ASIDE {
            std::thread::sleep(std::time::Duration::from_micros(100));
        }
    }
}

/// The core the calling thread runs on, where the system says.
fn current_cpu() -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: no arguments; returns the core or -1.
        let cpu = unsafe { libc::sched_getcpu() };
        usize::try_from(cpu).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::FrameWatch;

    /// A thread is in the way only on the frame's core, and only until the frame is over.
    #[test]
    fn a_thread_is_in_the_way_on_the_frames_core_until_it_is_done() {
        let watch = FrameWatch::default();
        assert!(!watch.in_the_way(), "no frame yet");
        // This thread plays the UI thread, kept on one core.
        let frame_cpu = super::current_cpu().expect("Linux says which core");
        pin_to(frame_cpu);
        watch.frame_started();
        let on_frame_core = std::thread::scope(|s| {
            s.spawn(|| {
                // Pinned to the frame's core, then elsewhere.
                pin_to(frame_cpu);
                let there = watch.in_the_way();
                let other = (0..64).find(|&c| c != frame_cpu && pin_to_try(c));
                (there, other.map(|_| watch.in_the_way()))
            })
            .join()
            .unwrap()
        });
        assert!(
            on_frame_core.0,
            "on the frame's core while its UI code runs"
        );
        if let Some(elsewhere) = on_frame_core.1 {
            assert!(!elsewhere, "another core is not in the way");
        }
        watch.frame_finished();
        assert!(watch.in_the_way(), "tessellating and painting");
        std::thread::sleep(FrameWatch::AFTER_UI + std::time::Duration::from_millis(2));
        assert!(!watch.in_the_way(), "the frame is over");
    }

    fn pin_to_try(cpu: usize) -> bool {
        // SAFETY: a zeroed cpu_set_t is a valid empty set; the calls only read it.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            libc::CPU_SET(cpu, &mut set);
            libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
        }
    }

    fn pin_to(cpu: usize) {
        assert!(pin_to_try(cpu), "could not run on core {cpu}");
    }

    /// The calling thread's scheduling policy and nice value, read back from the kernel.
    fn policy_and_nice() -> (i32, i32) {
        // SAFETY: plain system calls on the calling thread with plain values.
        unsafe {
            (
                libc::sched_getscheduler(0),
                libc::getpriority(libc::PRIO_PROCESS, 0),
            )
        }
    }

    #[test]
    fn threads_behind_the_ui_are_batch_at_nice_10_and_measuring_threads_idle() {
        let behind = std::thread::spawn(|| {
            super::run_behind_the_ui();
            policy_and_nice()
        })
        .join()
        .unwrap();
        assert_eq!(behind, (libc::SCHED_BATCH, 10));
        let idle = std::thread::spawn(|| {
            super::run_when_idle();
            policy_and_nice().0
        })
        .join()
        .unwrap();
        assert_eq!(idle, libc::SCHED_IDLE);
        // Only the calling thread changed.
        assert_eq!(policy_and_nice().0, libc::SCHED_OTHER);
    }
}
