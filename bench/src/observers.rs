//! A pool of observer sockets: many open WebSockets that read everything
//! the server sends, count it, and time the event a mode is watching for.
//!
//! Each socket is one task that does nothing but read. A frame costs an
//! atomic increment; only while a [`Round`] is being watched is it parsed
//! (see [`crate::frame`]), and only a presence frame about the watched
//! user is timed.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::{StreamExt, stream};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use crate::{
    account::Login,
    drops::{self, Drops},
    frame::{Event, classify},
    report::Report,
    round::Round,
    socket::{self, Ws},
    stats::{Latency, Summary},
    target::Target,
};

/// What every observer task shares.
struct Shared {
    epoch: Instant,
    frames: AtomicU64,
    ready: AtomicUsize,
    drops: Drops,
    /// Microseconds since `epoch` of the latest frame.
    last_frame_us: AtomicU64,
    watching: AtomicBool,
    round: Mutex<Option<Arc<Round>>>,
    /// Per socket: from the start of its dial to its first frame.
    first_frame: Mutex<Latency>,
}

/// How opening the pool went.
#[derive(Clone, Debug, Default)]
pub struct Opened {
    /// Sockets whose handshake succeeded.
    pub sockets: usize,
    /// Handshakes that failed.
    pub failed: usize,
    /// The first failure, if any.
    pub first_error: Option<String>,
    /// From the first handshake until every socket had its first frame.
    pub elapsed: Duration,
    /// Sockets that never got a first frame within the timeout.
    pub not_ready: usize,
    /// Per socket: from the start of its dial until the server's `101`.
    pub handshake: Summary,
    /// Per socket: from the start of its dial until its first frame.
    pub first_frame: Summary,
}

/// Open observer sockets. Dropping the pool aborts their tasks, which
/// closes the sockets.
pub struct Pool {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl Pool {
    /// Opens `count` sockets, spread round-robin over `logins`, with at
    /// most `concurrency` handshakes in flight, and waits (up to
    /// `ready_timeout`) until each has received its first frame: the
    /// snapshot on presence, the socket's own presence frame on Django and
    /// on Node.
    pub async fn open(
        target: &Arc<Target>,
        logins: &[Login],
        count: usize,
        concurrency: usize,
        ready_timeout: Duration,
    ) -> (Self, Opened) {
        Self::open_at(target, logins, count, concurrency, ready_timeout, "/users/").await
    }

    /// [`Pool::open`] at `path`: `/users/?watch` opens sockets as the
    /// page does (a server that ignores the query, Django's and Node's,
    /// sees the seed's socket).
    pub async fn open_at(
        target: &Arc<Target>,
        logins: &[Login],
        count: usize,
        concurrency: usize,
        ready_timeout: Duration,
        path: &str,
    ) -> (Self, Opened) {
        let shared = Arc::new(Shared {
            epoch: Instant::now(),
            frames: AtomicU64::new(0),
            ready: AtomicUsize::new(0),
            drops: Drops::default(),
            last_frame_us: AtomicU64::new(0),
            watching: AtomicBool::new(false),
            round: Mutex::new(None),
            first_frame: Mutex::new(Latency::default()),
        });
        let mut pool = Self {
            shared,
            tasks: Vec::with_capacity(count),
        };
        let mut opened = Opened::default();
        if logins.is_empty() {
            opened.failed = count;
            opened.first_error = Some("no logged-in users".into());
            return (pool, opened);
        }
        let started = Instant::now();
        let mut handshake = Latency::default();
        let mut handshakes = stream::iter(0..count)
            .map(|i| {
                let cookie = logins[i % logins.len()].cookie.clone();
                let target = target.clone();
                async move {
                    let dialled = Instant::now();
                    (socket::open_at(&target, &cookie, path).await, dialled)
                }
            })
            .buffer_unordered(concurrency.max(1));
        while let Some((result, dialled)) = handshakes.next().await {
            match result {
                Ok(ws) => {
                    handshake.record(dialled.elapsed());
                    opened.sockets += 1;
                    let shared = pool.shared.clone();
                    pool.tasks.push(tokio::spawn(read(ws, shared, dialled)));
                }
                Err(err) => {
                    opened.failed += 1;
                    opened.first_error.get_or_insert_with(|| format!("{err:#}"));
                }
            }
        }
        let deadline = Instant::now() + ready_timeout;
        while pool.ready() < opened.sockets && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        opened.elapsed = started.elapsed();
        opened.not_ready = opened.sockets.saturating_sub(pool.ready());
        opened.handshake = handshake.summary();
        if let Ok(first_frame) = pool.shared.first_frame.lock() {
            opened.first_frame = first_frame.summary();
        }
        (pool, opened)
    }

    /// Sockets that have received their first frame.
    pub fn ready(&self) -> usize {
        self.shared.ready.load(Ordering::Relaxed)
    }

    /// Sockets still open (neither closed by the server nor failed).
    pub fn live(&self) -> usize {
        self.tasks.len() - self.dropped()
    }

    /// Text frames received so far, over all sockets.
    pub fn frames(&self) -> u64 {
        self.shared.frames.load(Ordering::Relaxed)
    }

    /// Sockets the server closed, or that failed, while we were reading.
    pub fn dropped(&self) -> usize {
        self.shared.drops.count()
    }

    /// The `dropped` metric and its check (see [`Drops::report`]).
    pub fn report_dropped(&self, report: &mut Report) {
        self.shared.drops.report(report);
    }

    /// Starts timing deliveries of `round`'s event.
    pub fn watch(&self, round: Arc<Round>) {
        if let Ok(mut current) = self.shared.round.lock() {
            *current = Some(round);
        }
        self.shared.watching.store(true, Ordering::Release);
    }

    /// Stops timing.
    pub fn unwatch(&self) {
        self.shared.watching.store(false, Ordering::Release);
        if let Ok(mut current) = self.shared.round.lock() {
            *current = None;
        }
    }

    /// Waits until no frame has arrived for `quiet`, or `max` has passed:
    /// the end of the broadcasts that opening the pool caused.
    pub async fn quiesce(&self, quiet: Duration, max: Duration) -> Duration {
        let started = Instant::now();
        loop {
            let last = Duration::from_micros(self.shared.last_frame_us.load(Ordering::Relaxed));
            let idle = self.shared.epoch.elapsed().saturating_sub(last);
            if idle >= quiet || started.elapsed() >= max {
                return started.elapsed();
            }
            tokio::time::sleep(quiet - idle).await;
        }
    }

    /// Closes every socket and waits until their tasks are gone.
    pub async fn close(mut self) {
        self.shared.drops.stop();
        for task in &self.tasks {
            task.abort();
        }
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.drops.stop();
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// The body of one observer task; `dialled` is when its dial started.
async fn read(mut ws: Ws, shared: Arc<Shared>, dialled: Instant) {
    let mut first = true;
    let mut seen_round = 0;
    let reason = loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                let now = Instant::now();
                shared.frames.fetch_add(1, Ordering::Relaxed);
                let at = now.saturating_duration_since(shared.epoch).as_micros();
                shared
                    .last_frame_us
                    .store(u64::try_from(at).unwrap_or(u64::MAX), Ordering::Relaxed);
                if first {
                    first = false;
                    if let Ok(mut first_frame) = shared.first_frame.lock() {
                        first_frame.record(now.saturating_duration_since(dialled));
                    }
                    shared.ready.fetch_add(1, Ordering::Relaxed);
                }
                if shared.watching.load(Ordering::Acquire) {
                    let round = shared.round.lock().ok().and_then(|round| round.clone());
                    if let Some(round) = round
                        && let Event::Presence { username, online } = classify(text.as_str())
                        && round.matches(&username, online)
                    {
                        round.record(now, seen_round == round.id());
                        seen_round = round.id();
                    }
                }
            }
            Some(Ok(Message::Close(frame))) => break drops::closed(frame),
            Some(Ok(_)) => {}
            Some(Err(err)) => break format!("error: {err}"),
            None => break "end of stream".to_owned(),
        }
    };
    shared.drops.record(reason);
}
