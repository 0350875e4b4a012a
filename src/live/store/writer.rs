//! The writer task both database writers run: it drives a [`WriteBehind`]
//! with deadlines, so the hub never waits on the database.
//!
//! Each write has a deadline ([`WRITE_DEADLINE`]); news is held for its
//! write at most [`HOLD`]. A write that fails or runs out of time is
//! retried every [`RETRY_AFTER`] until it lands, while news flows at once
//! and `/healthz` reports the database failing.

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
    let mut retry_at: Option<Instant> = None;
    let stop = loop {
        if writing.is_none()
            && retry_at.is_none_or(|at| at <= Instant::now())
            && let Some(job) = behind.start()
        {
            writing = Some(Box::pin(db::within(WRITE_DEADLINE, target.write(job))));
            hold_until = Some(Instant::now() + HOLD);
            retry_at = None;
        }
        backlog(behind.backlog());
        let hold = hold_until.unwrap_or_else(Instant::now);
        let retry = retry_at.unwrap_or_else(Instant::now);
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
                        retry_at = Some(Instant::now() + RETRY_AFTER);
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
            () = tokio::time::sleep_until(retry), if writing.is_none() && retry_at.is_some() && behind.has_pending() => {
                retry_at = None;
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
