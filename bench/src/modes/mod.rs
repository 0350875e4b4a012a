//! The measurement modes, and the context they share.

pub mod churn;
pub mod connect;
pub mod fanout;
pub mod login_storm;
pub mod page;
pub mod storm;
pub mod tcp_floor;

use std::{sync::Arc, time::Duration};

use anyhow::Context as _;

use crate::{
    account::{self, Login},
    cli::{Common, Flavor},
    observers::{Opened, Pool},
    report::Report,
    stats::{self, LagMonitor},
    target::Target,
};

/// What every mode needs: the options, the server, and the lag monitor.
pub struct Ctx {
    /// The shared options.
    pub common: Common,
    /// The server.
    pub target: Arc<Target>,
    /// The generator's event-loop lag.
    pub lag: LagMonitor,
    /// This process's open-file limit.
    pub nofile: u64,
}

impl Ctx {
    /// A report for `mode`, labelled and with the common parameters.
    pub fn report(&self, mode: &str) -> Report {
        let label = self
            .common
            .label
            .clone()
            .unwrap_or_else(|| match self.common.flavor {
                Flavor::Presence => "presence".to_owned(),
                Flavor::Django => "django".to_owned(),
                Flavor::Node => "node".to_owned(),
            });
        Report::new(mode, &label)
    }

    /// Whether the server is presence (targets apply only to it).
    pub fn is_presence(&self) -> bool {
        self.common.flavor == Flavor::Presence
    }

    /// The server's resident memory in KiB, if `--server-pid` was given.
    pub fn server_rss_kib(&self) -> Option<u64> {
        self.common.server_pid.and_then(stats::rss_kib)
    }

    /// How long one event may take.
    pub fn round_timeout(&self) -> Duration {
        Duration::from_millis(self.common.round_timeout_ms)
    }

    /// Logs in `count` users named `PREFIX-{role}{i}`, signing up the
    /// missing ones.
    pub async fn logins(&self, role: &str, count: usize) -> anyhow::Result<Vec<Login>> {
        let names = account::names(&self.common.prefix, role, count);
        account::ensure_logged_in(
            &self.target,
            names,
            &self.common.password,
            self.common.setup_concurrency,
        )
        .await
        .with_context(|| format!("logging in the {role} users"))
    }

    /// Opens `count` observer sockets over enough `role` users at
    /// `--sockets-per-user`, and waits for the broadcasts their arrival
    /// caused to end.
    pub async fn observers(&self, role: &str, count: usize) -> anyhow::Result<(Pool, Opened)> {
        let users = count.div_ceil(self.common.sockets_per_user.max(1)).max(1);
        let logins = self.logins(role, users).await?;
        self.warn_if_fds_short(count);
        let (pool, opened) = Pool::open(
            &self.target,
            &logins,
            count,
            self.common.connect_concurrency,
            Duration::from_secs(self.common.ready_timeout_secs),
        )
        .await;
        pool.quiesce(Duration::from_millis(300), Duration::from_secs(120))
            .await;
        Ok((pool, opened))
    }

    /// Says so when the open-file limit cannot hold `sockets` sockets.
    pub fn warn_if_fds_short(&self, sockets: usize) {
        let needed = sockets as u64 + 64;
        if self.nofile < needed {
            eprintln!(
                "presence-bench: warning: open-file limit {} is below the {needed} this run needs; \
                 raise the hard limit (ulimit -Hn) or expect failed sockets",
                self.nofile
            );
        }
    }
}

/// Records how opening observers went, and checks nothing was lost.
pub fn report_opened(report: &mut Report, opened: &Opened) {
    report.metric(
        "open_secs",
        "observers: opening s",
        opened.elapsed.as_secs_f64(),
    );
    if opened.failed > 0 || opened.not_ready > 0 {
        report.note(format!(
            "{} sockets failed to open, {} never got a first frame; first error: {}",
            opened.failed,
            opened.not_ready,
            opened.first_error.as_deref().unwrap_or("-")
        ));
    }
    report.check(
        crate::report::CheckKind::Correctness,
        format!(
            "every socket opened and got its first frame ({} of {})",
            opened.sockets - opened.not_ready,
            opened.sockets + opened.failed
        ),
        opened.failed == 0 && opened.not_ready == 0,
    );
}
