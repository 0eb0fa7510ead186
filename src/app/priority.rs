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

#[cfg(all(test, target_os = "linux"))]
mod tests {
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
