//! `tcp-floor`: the kernel's floor under a fan-out on this machine, in the
//! same report as `fanout`, so the two sit side by side in one table.
//!
//! A fan-out to N observers costs at least one `write` on each of N
//! loopback TCP sockets, and on loopback the kernel runs the receiving
//! side of each segment inside the sender's `write`. This mode does that
//! and nothing else: no HTTP, no WebSocket, no actors, no JSON. A writer
//! process (this binary again, `tcp-floor-writer`, the stand-in for the
//! server, one thread per HTTP worker) writes one 64-byte frame to every
//! socket per event with a plain blocking `write`; this process (one
//! thread, a task per socket, like every other mode) times each frame
//! from the moment the writer started the event.
//!
//! The writer is a process of its own so that each side's descriptors
//! count against its own open-file limit, as the server's and the
//! generator's do, and so that `server CPU` is the writer's.

use std::{
    io::{BufRead, BufReader, Write},
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex, mpsc},
    time::Duration,
};

use anyhow::Context as _;
use tokio::{io::AsyncReadExt, sync::Notify};

use crate::{
    cli::FanoutArgs,
    modes::{Ctx, fanout::Rounds},
    report::Report,
    round::Outcome,
    stats::{Latency, LoadMeter},
};

/// About a presence frame on the wire: a two-byte WebSocket header and
/// `{"type":"presence","user":"bench-t0","online":true}`.
const FRAME: usize = 64;

/// Runs the mode: the reader's side.
pub async fn run(ctx: &Ctx, args: FanoutArgs, writers: usize) -> anyhow::Result<Report> {
    let mut report = ctx.report("fanout");
    if ctx.common.label.is_none() {
        "tcp-floor".clone_into(&mut report.label);
    }
    report.param("observers", args.observers);
    report.param("rounds", args.rounds);
    report.param("writers", writers);
    let mut child = WriterProcess(
        Command::new(std::env::current_exe()?)
            .args([
                "tcp-floor-writer",
                "--observers",
                &args.observers.to_string(),
            ])
            .args(["--writers", &writers.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .context("starting the writer")?,
    );
    let mut to_writer = child.0.stdin.take().context("the writer's stdin")?;
    let mut from_writer = BufReader::new(child.0.stdout.take().context("the writer's stdout")?);
    // Plain blocking pipe I/O on the runtime's one thread: the writer
    // answers at once, and nothing is being timed while it does.
    let mut line = String::new();
    from_writer.read_line(&mut line)?;
    let port: u16 = line.trim().parse().context("the writer's port")?;

    let event = Arc::new(Mutex::new(Event::default()));
    let all_in = Arc::new(Notify::new());
    for _ in 0..args.observers {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        tokio::spawn(read_frames(
            stream,
            event.clone(),
            all_in.clone(),
            args.observers,
        ));
    }

    let meter = LoadMeter::start(&ctx.lag, Some(child.0.id()));
    let mut rounds = Rounds::default();
    // Two events a round, as `fanout`'s connect and disconnect.
    for _ in 0..args.rounds * 2 {
        tokio::time::sleep(Duration::from_millis(args.pause_ms)).await;
        writeln!(to_writer, "go")?;
        to_writer.flush()?;
        let complete = tokio::time::timeout(ctx.round_timeout(), all_in.notified())
            .await
            .is_ok();
        let seen = std::mem::take(&mut *event.lock().map_err(|_| poisoned())?);
        rounds.absorb(Outcome {
            missing: args.observers - seen.count.min(args.observers),
            duplicates: 0,
            time_to_last: complete.then_some(seen.last),
            latency: seen.latency,
        });
        if !complete {
            break;
        }
        // The writer says when it has written everything; by now it has.
        line.clear();
        from_writer.read_line(&mut line)?;
    }
    report.generator = meter.finish();
    drop(to_writer);
    child.0.wait()?;
    rounds.report(&mut report, "", "");
    report.server_cost(
        "server_us_per_delivery",
        "server CPU µs per delivery",
        rounds.latency.count(),
    );
    report.note(
        "tcp-floor: the \"server\" is a writer process that writes one frame per socket per \
         event and does nothing else; its CPU includes no accepting",
    );
    Ok(report)
}

/// The writer's process, killed if the run ends early (it would otherwise
/// wait for connections that never come).
struct WriterProcess(Child);

impl Drop for WriterProcess {
    fn drop(&mut self) {
        // After a clean run it has exited already, and this does nothing.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What the reader's tasks have seen of the current event.
#[derive(Default)]
struct Event {
    count: usize,
    latency: Latency,
    last: Duration,
}

fn poisoned() -> anyhow::Error {
    anyhow::anyhow!("a reader task panicked")
}

/// Reads one socket's frames, timing each from the start its writer put
/// in it, until the writer hangs up.
async fn read_frames(
    mut stream: tokio::net::TcpStream,
    event: Arc<Mutex<Event>>,
    all_in: Arc<Notify>,
    observers: usize,
) {
    let mut frame = [0u8; FRAME];
    while stream.read_exact(&mut frame).await.is_ok() {
        let mut started = [0u8; 8];
        started.copy_from_slice(&frame[..8]);
        let took = Duration::from_nanos(monotonic_ns().saturating_sub(u64::from_le_bytes(started)));
        let Ok(mut event) = event.lock() else { return };
        event.latency.record(took);
        event.last = event.last.max(took);
        event.count += 1;
        if event.count == observers {
            all_in.notify_one();
        }
    }
}

/// The writer process: accepts `observers` sockets and prints its port;
/// then, for every line on stdin, writes one frame stamped with the
/// event's start to each socket, `threads` threads sharing them out, and
/// prints `sent`.
pub fn writer(observers: usize, threads: usize) -> anyhow::Result<()> {
    let threads = threads.max(1);
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{}", listener.local_addr()?.port())?;
    stdout.flush()?;
    let mut shares: Vec<Vec<TcpStream>> = (0..threads).map(|_| Vec::new()).collect();
    for i in 0..observers {
        let (stream, _) = listener.accept()?;
        stream.set_nodelay(true)?;
        shares[i % threads].push(stream);
    }
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let starts: Vec<mpsc::Sender<u64>> = shares
        .into_iter()
        .map(|mut share| {
            let (start_tx, start_rx) = mpsc::channel::<u64>();
            let done = done_tx.clone();
            std::thread::spawn(move || {
                for started in start_rx {
                    let mut frame = [0u8; FRAME];
                    frame[..8].copy_from_slice(&started.to_le_bytes());
                    for stream in &mut share {
                        // A reader that went away shows as a missing delivery.
                        let _ = stream.write_all(&frame);
                    }
                    let _ = done.send(());
                }
            });
            start_tx
        })
        .collect();
    for line in std::io::stdin().lock().lines() {
        line?;
        let started = monotonic_ns();
        for start in &starts {
            start.send(started)?;
        }
        for _ in &starts {
            done_rx.recv()?;
        }
        writeln!(stdout, "sent")?;
        stdout.flush()?;
    }
    Ok(())
}

/// Nanoseconds on the machine-wide monotonic clock, which both processes
/// read alike (`Instant` cannot cross a process boundary).
fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to fill in.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    u64::try_from(ts.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(ts.tv_nsec).unwrap_or(0)
}
