//! Raising the open-files limit at start.
//!
//! Every WebSocket holds a file descriptor, and many systems start a
//! process with a soft limit of 1,024: a node would refuse its 1,025th
//! socket while the hard limit, which an unprivileged process may raise
//! its soft limit to, allows far more. So the server raises the soft
//! limit to the hard one at start, and logs both.

use nix::sys::resource::{Resource, getrlimit, setrlimit};

/// The soft and hard limits, before and after raising.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenFiles {
    /// The soft limit the process started with.
    pub was: u64,
    /// The soft limit now.
    pub soft: u64,
    /// The hard limit.
    pub hard: u64,
}

/// Raises the soft open-files limit to the hard limit, and logs both.
pub fn raise() -> Result<OpenFiles, nix::Error> {
    let (was, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    if was < hard {
        setrlimit(Resource::RLIMIT_NOFILE, hard, hard)?;
    }
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    tracing::info!(was, soft, hard, "open-files limit");
    Ok(OpenFiles { was, soft, hard })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soft_limit_is_raised_to_the_hard_limit() {
        let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
        // Start below the hard limit, as many systems start a process.
        setrlimit(Resource::RLIMIT_NOFILE, hard.min(1024), hard).unwrap();
        let limits = raise().unwrap();
        assert_eq!(limits.soft, hard);
        assert_eq!(limits.hard, hard);
        assert!(limits.was <= hard);
    }
}
