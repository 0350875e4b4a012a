//! The result of one run: parameters, metrics, checks and the generator's
//! own load, printed for people and written as JSON for `table`.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::stats::{GeneratorLoad, Summary};

/// Whether a failed check means the run is broken or a target was missed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// The server misbehaved (lost deliveries, dropped readers...): the
    /// run fails, and CI with it.
    Correctness,
    /// One of the performance targets: reported, never fatal.
    Target,
}

/// One pass/fail statement about the run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// Whether it held.
    pub ok: bool,
    /// Correctness or target.
    pub kind: CheckKind,
}

/// One measured number.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Metric {
    /// Stable key, for scripts.
    pub key: String,
    /// Column heading.
    pub label: String,
    /// The value.
    pub value: f64,
}

/// Everything one mode measured.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Report {
    /// `connect`, `fanout`, `storm`, `login-storm` or `page`.
    pub mode: String,
    /// What was measured, e.g. `presence` or `django-redis`.
    pub label: String,
    /// The command line that produced this report.
    pub command: String,
    /// Sizes and settings, as `name=value`.
    pub params: Vec<String>,
    /// The numbers.
    pub metrics: Vec<Metric>,
    /// Pass/fail statements.
    pub checks: Vec<Check>,
    /// Anything worth saying that is not a number.
    pub notes: Vec<String>,
    /// The generator's own load during the measured phase.
    pub generator: GeneratorLoad,
}

impl Report {
    /// An empty report for `mode`.
    pub fn new(mode: &str, label: &str) -> Self {
        Self {
            mode: mode.to_owned(),
            label: label.to_owned(),
            command: command_line(),
            params: Vec::new(),
            metrics: Vec::new(),
            checks: Vec::new(),
            notes: Vec::new(),
            generator: GeneratorLoad::default(),
        }
    }

    /// Records a parameter.
    pub fn param(&mut self, name: &str, value: impl std::fmt::Display) {
        self.params.push(format!("{name}={value}"));
    }

    /// Records a metric.
    pub fn metric(&mut self, key: &str, label: &str, value: f64) {
        self.metrics.push(Metric {
            key: key.to_owned(),
            label: label.to_owned(),
            value,
        });
    }

    /// Records missing and duplicate deliveries under `key`/`label`, as
    /// every mode that counts deliveries does.
    pub fn deliveries_wrong(&mut self, key: &str, label: &str, missing: u64, duplicates: u64) {
        self.metric(
            &format!("{key}missing"),
            &format!("{label}missing deliveries"),
            missing as f64,
        );
        self.metric(
            &format!("{key}duplicates"),
            &format!("{label}duplicate deliveries"),
            duplicates as f64,
        );
    }

    /// Records the three points of a latency summary under `key`.
    pub fn latency(&mut self, key: &str, label: &str, summary: &Summary) {
        self.metric(
            &format!("{key}_p50_ms"),
            &format!("{label} p50 ms"),
            summary.p50_ms,
        );
        self.metric(
            &format!("{key}_p99_ms"),
            &format!("{label} p99 ms"),
            summary.p99_ms,
        );
        self.metric(
            &format!("{key}_max_ms"),
            &format!("{label} max ms"),
            summary.max_ms,
        );
    }

    /// Records the server's CPU time per unit of work (`per` units in the
    /// measured phase), in microseconds, when the server was watched.
    pub fn server_cost(&mut self, key: &str, label: &str, per: u64) {
        if let Some(secs) = self.generator.server_cpu_secs
            && per > 0
        {
            self.metric(key, label, secs * 1e6 / per as f64);
        }
    }

    /// Records a check.
    pub fn check(&mut self, kind: CheckKind, name: impl Into<String>, ok: bool) {
        self.checks.push(Check {
            name: name.into(),
            ok,
            kind,
        });
    }

    /// Records a note.
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// A metric's value by key.
    pub fn value(&self, key: &str) -> Option<f64> {
        self.metrics.iter().find(|m| m.key == key).map(|m| m.value)
    }

    /// Whether a correctness check failed.
    pub fn failed(&self) -> bool {
        self.checks
            .iter()
            .any(|check| !check.ok && check.kind == CheckKind::Correctness)
    }

    /// The report as text for a terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "== {} [{}]  {}",
            self.mode,
            self.label,
            self.params.join(" ")
        );
        for metric in &self.metrics {
            let _ = writeln!(out, "  {:<34} {}", metric.label, format_value(metric.value));
        }
        let load = &self.generator;
        let _ = writeln!(
            out,
            "  {:<34} {:.0}% of a core, loop lag p99 {:.1} ms, max {:.1} ms",
            "generator", load.cpu_percent, load.loop_lag.p99_ms, load.loop_lag.max_ms
        );
        if let Some(server) = load.server_cpu_percent {
            let _ = writeln!(out, "  {:<34} {server:.0}% of a core", "server CPU");
        }
        for check in &self.checks {
            let verdict = match (check.ok, check.kind) {
                (true, _) => "ok  ",
                (false, CheckKind::Correctness) => "FAIL",
                (false, CheckKind::Target) => "miss",
            };
            let _ = writeln!(out, "  [{verdict}] {}", check.name);
        }
        for note in &self.notes {
            let _ = writeln!(out, "  note: {note}");
        }
        out
    }
}

/// This process's command line, with the program's directory left out
/// (it is a temporary copy in `run.sh`).
fn command_line() -> String {
    let mut args: Vec<String> = std::env::args().collect();
    if let Some(program) = args.first_mut()
        && let Some(name) = std::path::Path::new(program.as_str()).file_name()
    {
        *program = name.to_string_lossy().into_owned();
    }
    args.join(" ")
}

/// A number as a table shows it: integers plainly, others to 3 significant
/// figures or 2 decimals.
pub fn format_value(value: f64) -> String {
    if !value.is_finite() {
        "n/a".to_owned()
    } else if value.fract() == 0.0 || value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}
