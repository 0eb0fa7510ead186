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

/// Lowers the calling thread's priority (Linux nice 10, which applies to the calling thread
/// only): it still gets a free core at full speed, but when it wakes on the UI thread's core it
/// waits for the UI thread instead of taking the core from it mid-frame. For work that must
/// finish soon but not before the frame (saving, autosaving). Elsewhere the thread keeps
/// normal priority.
pub fn run_behind_the_ui() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain system call on the calling thread (who 0) with plain values.
        let result = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) };
        if result != 0 {
            log::debug!(
                "background thread at normal priority: {}",
                std::io::Error::last_os_error()
            );
        }
    }
}
