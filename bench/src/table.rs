//! `table`: markdown tables from JSON reports, one per mode, with the
//! servers side by side and the commands that produced each column.

use std::{fmt::Write as _, path::PathBuf};

use anyhow::Context;

use crate::report::{CheckKind, Report, format_value};

/// Reads the reports and renders one table per mode, in the order the
/// modes first appear.
pub fn render(files: &[PathBuf]) -> anyhow::Result<String> {
    let mut reports = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let report: Report =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", file.display()))?;
        reports.push(report);
    }
    let mut modes: Vec<&str> = Vec::new();
    for report in &reports {
        if !modes.contains(&report.mode.as_str()) {
            modes.push(&report.mode);
        }
    }
    let mut out = String::new();
    for mode in modes {
        let group: Vec<&Report> = reports.iter().filter(|r| r.mode == mode).collect();
        render_mode(&mut out, mode, &group);
    }
    Ok(out)
}

fn render_mode(out: &mut String, mode: &str, group: &[&Report]) {
    let _ = writeln!(out, "### {mode}\n");
    let header: Vec<String> = group.iter().map(|r| r.label.clone()).collect();
    let _ = writeln!(out, "| | {} |", header.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(group.len()));
    let row = |out: &mut String, name: &str, cells: Vec<String>| {
        let _ = writeln!(out, "| {name} | {} |", cells.join(" | "));
    };
    row(
        out,
        "sizes",
        group.iter().map(|r| r.params.join(", ")).collect(),
    );

    let mut keys: Vec<(&str, &str)> = Vec::new();
    for report in group {
        for metric in &report.metrics {
            if !keys.iter().any(|(key, _)| *key == metric.key) {
                keys.push((&metric.key, &metric.label));
            }
        }
    }
    for (key, label) in keys {
        let cells = group
            .iter()
            .map(|r| r.value(key).map_or_else(|| "".to_owned(), format_value))
            .collect();
        row(out, label, cells);
    }
    let cpu = group
        .iter()
        .map(|r| format!("{:.0} %", r.generator.cpu_percent))
        .collect();
    row(out, "generator CPU (of one core)", cpu);
    let server = group
        .iter()
        .map(|r| {
            r.generator
                .server_cpu_percent
                .map_or_else(String::new, |cpu| format!("{cpu:.0} %"))
        })
        .collect();
    row(out, "server CPU (of one core)", server);
    let lag = group
        .iter()
        .map(|r| {
            format!(
                "{} / {}",
                format_value(r.generator.loop_lag.p99_ms),
                format_value(r.generator.loop_lag.max_ms)
            )
        })
        .collect();
    row(out, "generator loop lag p99 / max ms", lag);
    let verdicts = group.iter().map(|r| verdict(r)).collect();
    row(out, "checks", verdicts);

    let _ = writeln!(out);
    for report in group {
        let _ = writeln!(out, "- `{}`: `{}`", report.label, report.command);
        for check in report.checks.iter().filter(|c| !c.ok) {
            let what = match check.kind {
                CheckKind::Correctness => "FAILED",
                CheckKind::Target => "target missed",
            };
            let _ = writeln!(out, "  - {what}: {}", check.name);
        }
        for note in &report.notes {
            let _ = writeln!(out, "  - note: {note}");
        }
    }
    let _ = writeln!(out);
}

fn verdict(report: &Report) -> String {
    let failed = report
        .checks
        .iter()
        .filter(|c| !c.ok && c.kind == CheckKind::Correctness)
        .count();
    let targets = report.checks.iter().filter(|c| c.kind == CheckKind::Target);
    let (met, total) = targets.fold((0, 0), |(met, total), c| {
        (met + usize::from(c.ok), total + 1)
    });
    let mut verdict = if failed == 0 {
        "ok".to_owned()
    } else {
        format!("{failed} FAILED")
    };
    if total > 0 {
        verdict.push_str(&format!(", targets {met}/{total}"));
    }
    verdict
}
