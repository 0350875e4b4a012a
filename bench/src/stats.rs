//! Measurements: latency histograms, the generator's own CPU time and
//! event-loop lag, and the server's resident memory.
//!
//! The generator shares the machine with the server, so every report says
//! how busy the generator itself was. A generator near 100 % of a core, or
//! with tens of milliseconds of lag, measured itself as much as the server.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// A histogram of durations in microseconds, from 1 µs to 10 minutes.
pub struct Latency(Histogram<u64>);

impl Default for Latency {
    fn default() -> Self {
        // Three significant figures over these bounds is a few tens of KiB.
        Self(Histogram::new_with_bounds(1, 600_000_000, 3).expect("constant bounds are valid"))
    }
}

impl Latency {
    /// Records one duration (clamped to the histogram's range).
    pub fn record(&mut self, duration: Duration) {
        let micros = u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
        self.0.saturating_record(micros.max(1));
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Latency) {
        // Both share the same bounds, so adding cannot fail.
        let _ = self.0.add(&other.0);
    }

    /// How many durations were recorded.
    pub fn count(&self) -> u64 {
        self.0.len()
    }

    /// p50, p99 and max, in milliseconds.
    pub fn summary(&self) -> Summary {
        let ms = |micros: u64| micros as f64 / 1000.0;
        Summary {
            count: self.0.len(),
            p50_ms: ms(self.0.value_at_quantile(0.50)),
            p99_ms: ms(self.0.value_at_quantile(0.99)),
            max_ms: ms(self.0.max()),
        }
    }
}

/// The usual three points of a latency distribution.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Number of samples.
    pub count: u64,
    /// Median, in ms.
    pub p50_ms: f64,
    /// 99th percentile, in ms.
    pub p99_ms: f64,
    /// Largest, in ms.
    pub max_ms: f64,
}

/// CPU time this process has used (user + system).
pub fn own_cpu_time() -> Duration {
    // SAFETY: `getrusage` only writes into the zeroed struct we pass.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// CPU time process `pid` has used (user + system, all threads), from
/// `/proc/PID/stat`.
pub fn process_cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces; fields resume after its ')'.
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 2..)?
        .split_whitespace()
        .collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let ticks = u64::try_from(ticks).ok().filter(|t| *t > 0)?;
    Some(Duration::from_micros((utime + stime) * 1_000_000 / ticks))
}

/// The resident set of process `pid`, in KiB, from `/proc/PID/status`.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// How much the generator's event loop oversleeps: a task asks to wake
/// every 10 ms and records how late it actually woke.
#[derive(Clone)]
pub struct LagMonitor {
    lag: Arc<Mutex<Latency>>,
}

/// How often the lag monitor wakes.
const LAG_TICK: Duration = Duration::from_millis(10);

impl LagMonitor {
    /// Starts the ticker on the current runtime. It runs until the
    /// runtime stops.
    pub fn start() -> Self {
        let lag = Arc::new(Mutex::new(Latency::default()));
        let monitor = Self { lag: lag.clone() };
        tokio::spawn(async move {
            loop {
                let asked = Instant::now();
                tokio::time::sleep(LAG_TICK).await;
                let late = asked.elapsed().saturating_sub(LAG_TICK);
                if let Ok(mut lag) = lag.lock() {
                    lag.record(late);
                }
            }
        });
        monitor
    }

    /// Forgets what was measured so far (after setup, say).
    pub fn reset(&self) {
        if let Ok(mut lag) = self.lag.lock() {
            *lag = Latency::default();
        }
    }

    /// The lag measured since the last reset.
    pub fn summary(&self) -> Summary {
        self.lag.lock().map(|lag| lag.summary()).unwrap_or_default()
    }
}

/// The generator's own load over one measured phase, and the server's
/// CPU use beside it.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct GeneratorLoad {
    /// CPU used by the generator, in % of one core.
    pub cpu_percent: f64,
    /// How late the generator's event loop woke up.
    pub loop_lag: Summary,
    /// CPU used by the server (with `--server-pid`), in % of one core.
    #[serde(default)]
    pub server_cpu_percent: Option<f64>,
    /// CPU seconds the server used in the phase.
    #[serde(default)]
    pub server_cpu_secs: Option<f64>,
}

/// Measures the generator's (and the server's) load over a phase.
pub struct LoadMeter {
    wall: Instant,
    cpu: Duration,
    lag: LagMonitor,
    server: Option<(u32, Duration)>,
}

impl LoadMeter {
    /// Starts now, and resets the lag monitor.
    pub fn start(lag: &LagMonitor, server_pid: Option<u32>) -> Self {
        lag.reset();
        Self {
            wall: Instant::now(),
            cpu: own_cpu_time(),
            lag: lag.clone(),
            server: server_pid.and_then(|pid| Some((pid, process_cpu_time(pid)?))),
        }
    }

    /// The load since [`LoadMeter::start`].
    pub fn finish(&self) -> GeneratorLoad {
        let wall = self.wall.elapsed().as_secs_f64().max(1e-9);
        let cpu = own_cpu_time().saturating_sub(self.cpu).as_secs_f64();
        let server_secs = self.server.and_then(|(pid, before)| {
            Some(process_cpu_time(pid)?.saturating_sub(before).as_secs_f64())
        });
        GeneratorLoad {
            cpu_percent: 100.0 * cpu / wall,
            loop_lag: self.lag.summary(),
            server_cpu_percent: server_secs.map(|secs| 100.0 * secs / wall),
            server_cpu_secs: server_secs,
        }
    }
}
