//! Another process holding an SQLite file's write lock, to stall the
//! app's writes the way a busy neighbour or a backup would.

use std::{
    io::{BufRead, BufReader, Read},
    process::{Child, Command, Stdio},
};

use super::services::required;

/// Another process holding SQLite's write lock (`BEGIN EXCLUSIVE`) until
/// it is released or dropped.
pub struct SqliteLock(Option<Child>);

impl SqliteLock {
    /// Locks the file of `url`, or `None` (skipped) without python3.
    pub fn take(test: &str, url: &str) -> Option<Self> {
        let path = url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap_or_default();
        // Each attempt waits at most a second for the app's own write to
        // end; the app retries its writes, so the lock is had in a few.
        let script = "import sqlite3, sys\n\
            db = sqlite3.connect(sys.argv[1], timeout=1, isolation_level=None)\n\
            for attempt in range(30):\n\
            \x20   try:\n\
            \x20       db.execute('BEGIN EXCLUSIVE')\n\
            \x20       break\n\
            \x20   except sqlite3.OperationalError as err:\n\
            \x20       print('attempt', attempt, err, file=sys.stderr, flush=True)\n\
            else:\n\
            \x20   sys.exit('never locked')\n\
            print('locked', flush=True)\n\
            sys.stdin.read()\n";
        let spawned = Command::new("python3")
            .args(["-c", script, path])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(err) => {
                assert!(!required(), "{test}: python3: {err}");
                eprintln!("SKIPPED {test}: needs python3 to lock the file ({err})");
                return None;
            }
        };
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout).read_line(&mut line).expect("read");
        if line.trim() != "locked" {
            let mut why = String::new();
            if let Some(mut stderr) = child.stderr.take() {
                let _ = stderr.read_to_string(&mut why);
            }
            panic!("the lock holder did not lock: {line:?}\n{why}");
        }
        Some(Self(Some(child)))
    }

    /// Ends the other process's transaction.
    pub fn release(&mut self) {
        if let Some(mut child) = self.0.take() {
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

impl Drop for SqliteLock {
    fn drop(&mut self) {
        self.release();
    }
}
