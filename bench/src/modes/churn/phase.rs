//! What one phase of `churn` measured, and how it is reported.

use std::{sync::atomic::Ordering, time::Duration};

use super::sockets::Shared;
use crate::{
    report::{CheckKind, Report},
    stats::Latency,
};

/// What one phase measured.
#[derive(Default)]
pub(super) struct Phase {
    /// Changes made.
    pub(super) changes: u64,
    /// Deliveries expected.
    pub(super) expected: u64,
    /// Expected deliveries that came.
    pub(super) received: u64,
    /// Expected deliveries that never came.
    pub(super) missing: u64,
    /// Deliveries beyond the expected.
    pub(super) duplicates: u64,
    /// From each change to each of its deliveries.
    pub(super) latency: Latency,
    /// Server CPU seconds over the phase, if its pid is known.
    pub(super) server_cpu_secs: Option<f64>,
    /// The generator's CPU over the phase.
    pub(super) generator_cpu_percent: f64,
    /// When the last change was sent (µs since the epoch).
    pub(super) last_change_us: u64,
    /// Users idle at the end, as the generator made them.
    pub(super) away: u64,
    /// The phase's length.
    pub(super) wall_secs: f64,
}

impl Phase {
    /// Puts the numbers in `report`, prefixed by `key`/`label`.
    pub(super) fn report(&self, report: &mut Report, key: &str, label: &str) {
        let per_change = |v: u64| v as f64 / self.changes.max(1) as f64;
        report.metric(
            &format!("{key}changes"),
            &format!("{label}changes"),
            self.changes as f64,
        );
        report.metric(
            &format!("{key}deliveries_per_change"),
            &format!("{label}deliveries per change"),
            per_change(self.received),
        );
        report.latency(
            &format!("{key}delivery"),
            &format!("{label}delivery"),
            &self.latency.summary(),
        );
        if let Some(secs) = self.server_cpu_secs {
            report.metric(
                &format!("{key}server_us_per_change"),
                &format!("{label}server CPU µs per change"),
                secs * 1e6 / self.changes.max(1) as f64,
            );
            report.metric(
                &format!("{key}server_cpu_percent"),
                &format!("{label}server CPU %"),
                100.0 * secs / self.wall_secs.max(1e-9),
            );
        }
        report.metric(
            &format!("{key}generator_cpu_percent"),
            &format!("{label}generator CPU %"),
            self.generator_cpu_percent,
        );
        report.deliveries_wrong(key, label, self.missing, self.duplicates);
        report.check(
            CheckKind::Correctness,
            format!(
                "{label}every expected delivery arrived ({} of {})",
                self.received, self.expected
            ),
            self.missing == 0 && self.changes > 0,
        );
    }
}

/// Closes the books on `user`'s latest change, if it has one open.
pub(super) fn settle(shared: &Shared, user: usize, expected: u64, phase: &mut Phase) {
    let slot = &shared.slots[user];
    if slot.sent_us.swap(0, Ordering::AcqRel) == 0 {
        return;
    }
    let received = slot.received.swap(0, Ordering::AcqRel);
    phase.received += received.min(expected);
    phase.missing += expected.saturating_sub(received);
    phase.duplicates += received.saturating_sub(expected);
}

/// The counts: frames per socket per second, and how stale they were at
/// the end of the watch phase.
pub(super) fn report_counts(report: &mut Report, shared: &Shared, phase: &Phase) {
    let n = shared.counts.len().max(1);
    let frames = shared.counts_frames.swap(0, Ordering::Relaxed);
    report.metric(
        "counts_per_socket_per_sec",
        "watch: counts frames per socket per s",
        frames as f64 / n as f64 / phase.wall_secs.max(1e-9),
    );
    let mut stale = Latency::default();
    let mut wrong = 0;
    for (away, at) in &shared.counts {
        if away.load(Ordering::Relaxed) == phase.away {
            let at = at.load(Ordering::Relaxed);
            stale.record(Duration::from_micros(
                at.saturating_sub(phase.last_change_us),
            ));
        } else {
            wrong += 1;
        }
    }
    report.latency(
        "counts_staleness",
        "watch: counts staleness after the last change",
        &stale.summary(),
    );
    report.metric(
        "counts_wrong",
        "watch: sockets with wrong final counts",
        wrong as f64,
    );
    report.check(
        CheckKind::Correctness,
        format!("watch: every socket has the final counts ({wrong} wrong)"),
        wrong == 0,
    );
}
