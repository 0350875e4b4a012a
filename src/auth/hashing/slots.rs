//! Where bcrypt runs: on the blocking pool, a few at a time, at idle
//! priority, so that hashing never starves the event loops.
//!
//! The blocking pool alone would let a burst of logins take every core,
//! and the HTTP workers (and with them every socket's deliveries) would
//! wait for the hashes. Two things keep them apart:
//!
//! - At most [`hash_slots`] hashes run at once: every core but one. The
//!   other logins queue for a slot (a queue that [`super::Hasher`] bounds).
//! - A hash runs under Linux's `SCHED_IDLE` policy, so a worker that wakes
//!   with frames to send takes the core from it at once, instead of
//!   sharing the core with it until the scheduler's next turn. A hash loses
//!   nothing when the server is quiet: an idle-class thread gets every
//!   cycle nobody else wants.
//!
//! Measured in `BENCHMARKS.md` (the login storm).

use std::{num::NonZeroUsize, sync::OnceLock};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::HashError;

/// How many bcrypt computations may run at once: every core but one (and
/// at least one), so that hashing never starves the event loops.
pub fn hash_slots() -> usize {
    std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .saturating_sub(1)
        .max(1)
}

/// Runs `job` on the blocking pool, at idle priority, once one of the
/// [`hash_slots`] is free. `ticket`, the job's place in the bounded queue,
/// is held until the job is done.
pub(super) async fn on_hash_slot<T, F>(
    ticket: Option<OwnedSemaphorePermit>,
    job: F,
) -> Result<T, HashError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    // A static semaphore lends `'static` permits, which the blocking job
    // can own.
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    let permit = SLOTS
        .get_or_init(|| Semaphore::new(hash_slots()))
        .acquire()
        .await
        .map_err(|_| HashError::Pool)?;
    actix_web::rt::task::spawn_blocking(move || {
        // Held by the job, not by the awaiting request: a client that
        // hangs up does not free the slot (or its place in the queue)
        // while its hash still runs.
        let _permit = permit;
        let _ticket = ticket;
        let _idle = IdlePriority::enter();
        job()
    })
    .await
    .map_err(|_| HashError::Pool)
}

/// Keeps the calling thread under `SCHED_IDLE` while it lives, and puts it
/// back under the normal policy when dropped. Elsewhere than Linux, or
/// when the thread runs under another policy, it does nothing.
struct IdlePriority {
    entered: bool,
}

impl IdlePriority {
    fn enter() -> Self {
        #[cfg(target_os = "linux")]
        {
            let param = libc::sched_param { sched_priority: 0 };
            // SAFETY: with pid 0 both calls act on the calling thread only,
            // and `param` is a valid `sched_param` for the call's duration.
            let entered = unsafe {
                libc::sched_getscheduler(0) == libc::SCHED_OTHER
                    && libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) == 0
            };
            Self { entered }
        }
        #[cfg(not(target_os = "linux"))]
        Self { entered: false }
    }
}

impl Drop for IdlePriority {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        if self.entered {
            let param = libc::sched_param { sched_priority: 0 };
            // SAFETY: as in `enter`.
            let restored = unsafe { libc::sched_setscheduler(0, libc::SCHED_OTHER, &param) } == 0;
            if !restored {
                // Linux lets any thread into SCHED_IDLE but, without
                // CAP_SYS_NICE or a raised RLIMIT_NICE, not out of it. The
                // pool thread then stays idle-class; hashing is the only
                // work presence gives the blocking pool, so that only makes
                // later hashes on it yield too.
                tracing::debug!("hashing thread stays at idle priority");
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = self.entered;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_one_hash_can_run() {
        assert!(hash_slots() >= 1);
    }

    #[cfg(target_os = "linux")]
    #[actix_web::test]
    async fn a_hash_job_runs_at_idle_priority() {
        // SAFETY: reads the calling thread's policy.
        let policy = on_hash_slot(None, || unsafe { libc::sched_getscheduler(0) })
            .await
            .unwrap();
        assert_eq!(policy, libc::SCHED_IDLE);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_thread_gets_its_policy_back_afterwards() {
        // SAFETY: reads the effective user id.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("skipped: leaving SCHED_IDLE needs root (CAP_SYS_NICE)");
            return;
        }
        let thread = std::thread::spawn(|| {
            drop(IdlePriority::enter());
            // SAFETY: reads the calling thread's policy.
            unsafe { libc::sched_getscheduler(0) }
        });
        assert_eq!(thread.join().unwrap(), libc::SCHED_OTHER);
    }
}
