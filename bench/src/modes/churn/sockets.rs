//! The churn mode's sockets: each one reads everything, times the presence
//! frames it was expected to get, keeps the last counts it saw, and sends
//! what the mode tells it to (activity and watch frames).

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::{
    drops::{self, Drops},
    socket::Ws,
    stats::Latency,
};

/// One user's latest change, as the sockets check it.
pub struct Slot {
    /// Whether the latest change made the user active (`online`) or idle
    /// (`away`).
    pub online: AtomicBool,
    /// When it was sent, in µs since the epoch; 0 for none yet.
    pub sent_us: AtomicU64,
    /// Deliveries of it so far.
    pub received: AtomicU64,
}

/// What every socket task shares.
pub struct Shared {
    /// The generator's clock.
    pub epoch: Instant,
    /// The user name prefix before each index (`PREFIX-c`).
    pub name_prefix: String,
    /// Per user, by index.
    pub slots: Vec<Slot>,
    /// Delivery latency of the current phase.
    pub latency: Mutex<Latency>,
    /// Text frames received, and when the latest came (µs since epoch).
    pub frames: AtomicU64,
    pub last_frame_us: AtomicU64,
    /// Counts frames received.
    pub counts_frames: AtomicU64,
    /// Presence frames received, about anyone.
    pub presence_frames: AtomicU64,
    /// Per socket: the `away` of its latest counts frame (`u64::MAX` for
    /// none), and when it came.
    pub counts: Vec<(AtomicU64, AtomicU64)>,
    /// Sockets that got their first frame.
    pub ready: AtomicUsize,
    /// Sockets the server closed while we were reading.
    pub drops: Drops,
}

impl Shared {
    /// Sockets and slots for `users` users named `name_prefix{i}`.
    pub fn new(name_prefix: String, users: usize) -> Self {
        Self {
            epoch: Instant::now(),
            name_prefix,
            // Every socket starts active: its user is online.
            slots: (0..users)
                .map(|_| Slot {
                    online: AtomicBool::new(true),
                    sent_us: AtomicU64::new(0),
                    received: AtomicU64::new(0),
                })
                .collect(),
            latency: Mutex::new(Latency::default()),
            frames: AtomicU64::new(0),
            last_frame_us: AtomicU64::new(0),
            counts_frames: AtomicU64::new(0),
            presence_frames: AtomicU64::new(0),
            counts: (0..users)
                .map(|_| (AtomicU64::new(u64::MAX), AtomicU64::new(0)))
                .collect(),
            ready: AtomicUsize::new(0),
            drops: Drops::default(),
        }
    }

    /// µs since the epoch.
    pub fn now_us(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// Waits until `target` presence frames have come in all, or `max`
    /// has passed. Returns whether they came.
    pub async fn until_presence_frames(&self, target: u64, max: Duration) -> bool {
        let started = Instant::now();
        while self.presence_frames.load(Ordering::Relaxed) < target {
            if started.elapsed() >= max {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }

    /// Waits until no frame has come for `quiet`, or `max` has passed.
    pub async fn quiesce(&self, quiet: Duration, max: Duration) {
        let started = Instant::now();
        loop {
            let idle = self
                .now_us()
                .saturating_sub(self.last_frame_us.load(Ordering::Relaxed));
            let idle = Duration::from_micros(idle);
            if idle >= quiet || started.elapsed() >= max {
                return;
            }
            tokio::time::sleep(quiet - idle).await;
        }
    }
}

#[derive(Deserialize)]
struct Presence<'a> {
    #[serde(borrow)]
    username: &'a str,
    #[serde(borrow, default)]
    status: &'a str,
}

#[derive(Deserialize)]
struct Counts {
    away: u64,
}

/// The body of socket `me`: reads frames and sends what `orders` says.
pub async fn run(
    ws: Ws,
    me: usize,
    shared: Arc<Shared>,
    mut orders: mpsc::UnboundedReceiver<String>,
) {
    let (mut sink, mut stream) = ws.split();
    let mut first = true;
    let reason = loop {
        tokio::select! {
            order = orders.recv() => match order {
                Some(text) => {
                    if let Err(err) = sink.send(Message::text(text)).await {
                        break format!("send failed: {err}");
                    }
                }
                None => break "closed on purpose".to_owned(),
            },
            message = stream.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    let now_us = shared.now_us();
                    shared.frames.fetch_add(1, Ordering::Relaxed);
                    shared.last_frame_us.store(now_us, Ordering::Relaxed);
                    if first {
                        first = false;
                        shared.ready.fetch_add(1, Ordering::Relaxed);
                    }
                    read(text.as_str(), me, now_us, &shared);
                }
                Some(Ok(Message::Close(frame))) => break drops::closed(frame),
                Some(Ok(_)) => {}
                Some(Err(err)) => break format!("error: {err}"),
                None => break "end of stream".to_owned(),
            },
        }
    };
    shared.drops.record(reason);
}

/// Accounts for one text frame received by socket `me` at `now_us`.
fn read(text: &str, me: usize, now_us: u64, shared: &Shared) {
    if text.starts_with(r#"{"type":"presence""#) {
        shared.presence_frames.fetch_add(1, Ordering::Relaxed);
        let Ok(frame) = serde_json::from_str::<Presence<'_>>(text) else {
            return;
        };
        let Some(index) = frame
            .username
            .strip_prefix(shared.name_prefix.as_str())
            .and_then(|rest| rest.parse::<usize>().ok())
        else {
            return;
        };
        let Some(slot) = shared.slots.get(index) else {
            return;
        };
        let sent_us = slot.sent_us.load(Ordering::Acquire);
        let expected = if slot.online.load(Ordering::Acquire) {
            "online"
        } else {
            "away"
        };
        if sent_us == 0 || frame.status != expected {
            return;
        }
        slot.received.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut latency) = shared.latency.lock() {
            latency.record(Duration::from_micros(now_us.saturating_sub(sent_us)));
        }
    } else if text.starts_with(r#"{"type":"counts""#) {
        shared.counts_frames.fetch_add(1, Ordering::Relaxed);
        if let Ok(counts) = serde_json::from_str::<Counts>(text)
            && let Some((away, at)) = shared.counts.get(me)
        {
            away.store(counts.away, Ordering::Relaxed);
            at.store(now_us, Ordering::Relaxed);
        }
    }
}
