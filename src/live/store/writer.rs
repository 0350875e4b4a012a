//! The writer task both database writers run: it drives a [`WriteBehind`]
//! with deadlines, so the hub never waits on the database.
//!
//! Each write has a deadline ([`WRITE_DEADLINE`]); news is held for its
//! write at most [`HOLD`]. Writes start at most every [`SPACING`], so that
//! under a stream of changes each transaction carries several. A write
//! that fails or runs out of time is retried every [`RETRY_AFTER`] until it
//! lands, while news flows at once and `/healthz` reports the database
//! failing.

use std::{collections::BTreeMap, future::Future, pin::Pin, time::Duration};

use sea_orm::DbErr;
use tokio::{
    sync::{mpsc, oneshot},
    time::Instant,
};

use super::behind::{Job, WriteBehind};
use crate::{db, health::DbHealth, metrics};

/// How long one write may take before it is abandoned and retried.
pub const WRITE_DEADLINE: Duration = Duration::from_secs(3);
/// How long news waits for the write that carries it.
pub const HOLD: Duration = Duration::from_millis(300);
/// How long the writer waits before retrying a failed write.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);
/// The least time from one write's start to the next: a change that comes
/// while the database is idle is written at once, but a thousand a second
/// are written five or so to a transaction, not one each, which costs the
/// database a fraction of the commits (and the news waits 5 ms at most).
pub const SPACING: Duration = Duration::from_millis(5);

/// A boxed write or clean-up, owning what it needs.
pub type Call = Pin<Box<dyn Future<Output = Result<(), DbErr>> + Send>>;

/// What one writer writes, and where its news goes.
pub trait Target: Send + 'static {
    /// What a state is kept under: one per user.
    type Key: Ord + Clone + Send + 'static;
    /// The latest state of a key.
    type Value: Clone + Send + 'static;
    /// What the hub announces once it is written.
    type News: Send + 'static;
    /// The `store` label of this writer's metrics and health.
    const NAME: &'static str;
    /// Writes one job.
    fn write(&self, job: Job<Self::Key, Self::Value>) -> Call;
    /// Hands news back to the hub.
    fn release(&self, news: Vec<Self::News>);
    /// Runs at stop, after the last write.
    fn finish(&self) -> Call {
        Box::pin(async { Ok(()) })
    }
}

/// What the writer is told.
pub enum Input<T: Target> {
    /// New states, and the news to announce once they are written.
    Record(Vec<(T::Key, T::Value)>, Vec<T::News>),
    /// The whole truth, superseding everything unwritten.
    Replace(BTreeMap<T::Key, T::Value>),
    /// Write what waits (within the deadline), finish and answer.
    Stop(oneshot::Sender<()>),
}

/// Where a writer reports: its node (a metrics label) and the health.
#[derive(Clone)]
pub struct Reports {
    /// This node's id.
    pub node: String,
    /// The database health `/healthz` reads.
    pub health: DbHealth,
}

/// Starts `target`'s writer task; send it [`Input`]s.
pub fn spawn<T: Target>(target: T, reports: Reports) -> mpsc::UnboundedSender<Input<T>> {
    let (sender, inbox) = mpsc::unbounded_channel();
    actix::spawn(run(target, reports, inbox));
    sender
}

/// Asks the writer behind `inbox` to write what waits and finish, and
/// waits until it has (or is gone).
pub async fn stop<T: Target>(inbox: &mpsc::UnboundedSender<Input<T>>) {
    let (reply, done) = oneshot::channel();
    if inbox.send(Input::Stop(reply)).is_ok() {
        let _ = done.await;
    }
}

async fn run<T: Target>(target: T, reports: Reports, mut inbox: mpsc::UnboundedReceiver<Input<T>>) {
    // Looked up at each use: the writer may start before the recorder is installed.
    let labels = [
        ("node", reports.node.clone()),
        ("store", T::NAME.to_owned()),
    ];
    let backlog = |n: usize| ::metrics::gauge!(metrics::STORE_BACKLOG, &labels).set(n as f64);
    let mut behind = WriteBehind::<T::Key, T::Value, T::News>::default();
    let mut writing: Option<Call> = None;
    let mut hold_until: Option<Instant> = None;
    // No write starts before this: the spacing after the last start, or
    // the pause after a failure.
    let mut not_before: Option<Instant> = None;
    let stop = loop {
        if writing.is_none()
            && not_before.is_none_or(|at| at <= Instant::now())
            && let Some(job) = behind.start()
        {
            writing = Some(Box::pin(db::within(WRITE_DEADLINE, target.write(job))));
            hold_until = Some(Instant::now() + HOLD);
            not_before = Some(Instant::now() + SPACING);
        }
        backlog(behind.backlog());
        let hold = hold_until.unwrap_or_else(Instant::now);
        let next = not_before.unwrap_or_else(Instant::now);
        tokio::select! {
            biased;
            result = async { writing.as_mut().expect("guarded").await }, if writing.is_some() => {
                writing = None;
                hold_until = None;
                match result {
                    Ok(()) => {
                        reports.health.report(T::NAME, true);
                        target.release(behind.landed());
                    }
                    Err(err) => {
                        tracing::warn!(
                            store = T::NAME, error = %err, pending = behind.backlog(),
                            "a database write failed; retrying until it lands"
                        );
                        ::metrics::counter!(metrics::STORE_WRITE_FAILURES, &labels).increment(1);
                        reports.health.report(T::NAME, false);
                        target.release(behind.failed());
                        not_before = Some(Instant::now() + RETRY_AFTER);
                    }
                }
            }
            input = inbox.recv() => match input {
                Some(Input::Record(states, news)) => target.release(behind.record(states, news)),
                Some(Input::Replace(states)) => behind.replace_all(states),
                Some(Input::Stop(reply)) => break Some(reply),
                None => break None,
            },
            () = tokio::time::sleep_until(hold), if hold_until.is_some() => {
                hold_until = None;
                target.release(behind.held_too_long());
            }
            () = tokio::time::sleep_until(next), if writing.is_none() && not_before.is_some() && behind.has_pending() => {
                not_before = None;
            }
        }
    };
    // Stopping: let the write in flight end, make one last attempt, finish.
    if let Some(write) = writing.take() {
        match write.await {
            Ok(()) => target.release(behind.landed()),
            Err(_) => target.release(behind.failed()),
        }
    }
    if let Some(job) = behind.start() {
        match db::within(WRITE_DEADLINE, target.write(job)).await {
            Ok(()) => target.release(behind.landed()),
            Err(err) => {
                tracing::error!(store = T::NAME, error = %err, "could not write at stop");
                target.release(behind.failed());
            }
        }
    }
    backlog(behind.backlog());
    if let Err(err) = db::within(WRITE_DEADLINE, target.finish()).await {
        tracing::error!(store = T::NAME, error = %err, "could not finish at stop");
    }
    if let Some(reply) = stop {
        let _ = reply.send(());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Writes that take a millisecond, each start noted, news collected.
    #[derive(Clone, Default)]
    struct Noted {
        starts: Arc<Mutex<Vec<Instant>>>,
        news: Arc<Mutex<Vec<u32>>>,
    }

    impl Target for Noted {
        type Key = u32;
        type Value = u32;
        type News = u32;
        const NAME: &'static str = "test";

        fn write(&self, _: Job<u32, u32>) -> Call {
            self.starts.lock().unwrap().push(Instant::now());
            Box::pin(async {
                tokio::time::sleep(Duration::from_millis(1)).await;
                Ok(())
            })
        }

        fn release(&self, news: Vec<u32>) {
            self.news.lock().unwrap().extend(news);
        }
    }

    /// Runs a writer for `noted` on paused time; `feed` sends it input.
    async fn with_writer(
        noted: &Noted,
        feed: impl AsyncFnOnce(&mpsc::UnboundedSender<Input<Noted>>),
    ) {
        let (sender, inbox) = mpsc::unbounded_channel();
        let reports = Reports {
            node: "n".into(),
            health: DbHealth::default(),
        };
        let writer = tokio::spawn(run(noted.clone(), reports, inbox));
        feed(&sender).await;
        let (reply, done) = oneshot::channel();
        sender.send(Input::Stop(reply)).unwrap();
        done.await.unwrap();
        writer.await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn a_change_after_a_quiet_spell_is_written_at_once() {
        let noted = Noted::default();
        let mut sent = None;
        with_writer(&noted, async |writer| {
            tokio::time::sleep(Duration::from_secs(1)).await;
            sent = Some(Instant::now());
            writer.send(Input::Record(vec![(1, 1)], vec![1])).unwrap();
            tokio::time::sleep(Duration::from_secs(1)).await;
        })
        .await;
        assert_eq!(*noted.starts.lock().unwrap(), [sent.unwrap()]);
        assert_eq!(*noted.news.lock().unwrap(), [1]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stream_of_changes_is_written_several_to_a_transaction() {
        let noted = Noted::default();
        with_writer(&noted, async |writer| {
            for user in 0..100 {
                writer
                    .send(Input::Record(vec![(user, 1)], vec![user]))
                    .unwrap();
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
        .await;
        let starts = noted.starts.lock().unwrap();
        assert!((20..=22).contains(&starts.len()), "{} writes", starts.len());
        assert!(starts.windows(2).all(|w| w[1] - w[0] >= SPACING));
        assert_eq!(*noted.news.lock().unwrap(), (0..100).collect::<Vec<_>>());
    }
}
