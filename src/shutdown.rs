//! Asking a running server to stop: Ctrl-C, SIGTERM, or a
//! [`ShutdownHandle`] that tests and embedders hold.
//!
//! All three lead to the same clean shutdown in
//! [`crate::startup::Application::run_until_stopped`]: sockets close with
//! 1001, this process's `LoggedInUser` rows go, and the server stops.

use std::sync::Arc;

use tokio::sync::Notify;

/// Asks a running [`Application`](crate::startup::Application) to shut down, as SIGTERM would.
#[derive(Clone, Default)]
pub struct ShutdownHandle(Arc<Notify>);

impl ShutdownHandle {
    /// Starts the clean shutdown.
    pub fn shutdown(&self) {
        self.0.notify_one();
    }

    /// Resolves on Ctrl-C, SIGTERM or [`ShutdownHandle::shutdown`],
    /// whichever comes first.
    pub(crate) async fn requested(&self) {
        #[cfg(unix)]
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = terminate => {}
            () = self.0.notified() => {}
        }
    }
}
