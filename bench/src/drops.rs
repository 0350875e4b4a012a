//! Sockets that ended while a run was still reading them. A dropped
//! observer means missing deliveries, so each run counts them, keeps the
//! first few reasons and fails its correctness check on any.

use std::sync::{
    Mutex,
    atomic::{AtomicBool, AtomicUsize, Ordering},
};

use tokio_tungstenite::tungstenite::protocol::CloseFrame;

use crate::report::{CheckKind, Report};

/// How many reasons are kept for the report.
const KEPT_REASONS: usize = 5;

/// The sockets of one run that ended before the run closed them.
#[derive(Default)]
pub struct Drops {
    dropped: AtomicUsize,
    reasons: Mutex<Vec<String>>,
    /// Set when the run closes its sockets on purpose.
    stopping: AtomicBool,
}

impl Drops {
    /// From now on, sockets end on purpose and are not counted.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::Release);
    }

    /// A socket ended for `reason`; counted unless the run is stopping.
    pub fn record(&self, reason: String) {
        if self.stopping.load(Ordering::Acquire) {
            return;
        }
        self.dropped.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut reasons) = self.reasons.lock()
            && reasons.len() < KEPT_REASONS
        {
            reasons.push(reason);
        }
    }

    /// Sockets dropped so far.
    pub fn count(&self) -> usize {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The `dropped` metric, the first reasons, and the check that none
    /// was dropped.
    pub fn report(&self, report: &mut Report) {
        let dropped = self.count();
        report.metric("dropped", "observers dropped", dropped as f64);
        if dropped > 0
            && let Ok(reasons) = self.reasons.lock()
        {
            report.note(format!("dropped observers: {}", reasons.join("; ")));
        }
        report.check(
            CheckKind::Correctness,
            "no observer dropped while reading",
            dropped == 0,
        );
    }
}

/// Why the server closed a socket, as a report line.
pub fn closed(frame: Option<CloseFrame>) -> String {
    frame.map_or_else(
        || "closed without a reason".to_owned(),
        |frame| format!("closed with {} ({})", u16::from(frame.code), frame.reason),
    )
}
