//! A PostgreSQL server a test owns: a throwaway cluster (`initdb`) on a
//! spare port, so the test can freeze it with `SIGSTOP` and thaw it with
//! `SIGCONT` without touching anyone else's database.
//!
//! PostgreSQL refuses to run as root, so as root the cluster is made and
//! run as the `postgres` OS user, through `setpriv`, which execs the
//! program itself (`runuser` stays as a parent that a frozen terminal
//! job control can stop).

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use tempfile::TempDir;

use super::services::required;

/// A running throwaway cluster; stopped (immediately) on drop.
pub struct OwnPostgres {
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: TempDir,
    child: Child,
}

/// The directory of the newest installed PostgreSQL's programs.
fn bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists() && bin.join("postgres").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// `program` with `args`, as the `postgres` user when running as root.
fn as_owner(program: &Path, args: &[&str]) -> Command {
    if is_root() {
        let mut command = Command::new("setpriv");
        command
            .args([
                "--reuid=postgres",
                "--regid=postgres",
                "--init-groups",
                "--",
            ])
            .arg(program)
            .args(args);
        command
    } else {
        let mut command = Command::new(program);
        command.args(args);
        command
    }
}

impl OwnPostgres {
    /// Makes and starts a cluster, or prints why `test` is skipped and
    /// answers `None` (a failure under `PRESENCE_REQUIRE_SERVICES=1`).
    pub fn start(test: &str) -> Option<Self> {
        match Self::try_start() {
            Ok(server) => Some(server),
            Err(why) => {
                assert!(!required(), "{test}: no throwaway PostgreSQL: {why}");
                eprintln!("SKIPPED {test}: no throwaway PostgreSQL: {why}");
                None
            }
        }
    }

    fn try_start() -> Result<Self, String> {
        let bin = bin_dir().ok_or("no /usr/lib/postgresql/*/bin/initdb")?;
        let dir = tempfile::tempdir().map_err(|err| err.to_string())?;
        if is_root() {
            let chown = Command::new("chown")
                .args(["postgres:"])
                .arg(dir.path())
                .status()
                .map_err(|err| format!("chown: {err}"))?;
            if !chown.success() {
                return Err("could not give the directory to the postgres user".into());
            }
        }
        let data = dir.path().join("data");
        let data_arg = data.to_string_lossy().into_owned();
        let initdb = as_owner(
            &bin.join("initdb"),
            &[
                "-D",
                &data_arg,
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|err| format!("initdb: {err}"))?;
        if !initdb.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&initdb.stderr)
            ));
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|err| err.to_string())?
            .port();
        let socket_dir = dir.path().to_string_lossy().into_owned();
        let child = as_owner(
            &bin.join("postgres"),
            &[
                "-D",
                &data_arg,
                "-p",
                &port.to_string(),
                "-k",
                &socket_dir,
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|err| format!("postgres: {err}"))?;
        let server = Self { port, dir, child };
        let deadline = Instant::now() + Duration::from_secs(20);
        while server.postmaster().is_none()
            || std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
        {
            if Instant::now() > deadline {
                return Err("the server did not start within 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    /// The URL of database `name` on it.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// The postmaster's pid, from its pid file.
    fn postmaster(&self) -> Option<u32> {
        let text = std::fs::read_to_string(self.dir.path().join("data/postmaster.pid")).ok()?;
        text.lines().next()?.trim().parse().ok()
    }

    /// The postmaster and every process it forked (one per connection).
    fn processes(&self) -> Vec<u32> {
        let Some(postmaster) = self.postmaster() else {
            return Vec::new();
        };
        let mut pids = vec![postmaster];
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // Fields after the command name in parentheses: state, ppid.
            let parent = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
            if parent == Some(postmaster) {
                pids.push(pid);
            }
        }
        pids
    }

    fn signal(&self, signal: &str) {
        for pid in self.processes() {
            let _ = Command::new("kill")
                .args([signal, &pid.to_string()])
                .status();
        }
    }

    /// Stops every process of the server: it keeps its connections open
    /// but answers nothing, like a database host that froze.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Lets the server run again.
    pub fn thaw(&self) {
        self.signal("-CONT");
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        self.thaw();
        // SIGQUIT: immediate shutdown, the postmaster takes its children.
        if let Some(postmaster) = self.postmaster() {
            let _ = Command::new("kill")
                .args(["-QUIT", &postmaster.to_string()])
                .status();
        }
        let _ = self.child.wait();
    }
}
