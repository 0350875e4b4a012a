//! Debian's nginx in front of a test app, configured by the nginx block of
//! the README's "Behind a reverse proxy" section, on free ports, with every
//! file it writes in a temporary directory. Killed on drop.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use super::services::required;

/// The README section whose ```` ```nginx ```` block the proxy runs.
const SECTION: &str = "Behind a reverse proxy";
/// The placeholders in that block which the test replaces, and nothing else.
const LISTEN_PLACEHOLDER: &str = "listen 8080;";
const UPSTREAM_PLACEHOLDER: &str = "server 127.0.0.1:8000;";
/// The line of the block that the TLS stand-in changes.
const FORWARDED_PROTO: &str = "proxy_set_header X-Forwarded-Proto $scheme;";

/// A running nginx proxying to one app.
pub struct Nginx {
    /// `http://127.0.0.1:PORT`: the README's server block, as it is.
    pub address: String,
    /// `http://127.0.0.1:PORT`: the same server block saying
    /// `X-Forwarded-Proto: https`, as it would behind `listen 443 ssl`.
    /// TLS itself is simulated: real TLS needs certificates and a TLS
    /// client stack that the tests do not otherwise need, while what the
    /// app sees of it is exactly this header.
    pub https_address: String,
    child: Child,
    dir: tempfile::TempDir,
}

/// The nginx binary, or `None` after printing why `test` is skipped.
/// Under `PRESENCE_REQUIRE_SERVICES=1` a missing nginx fails the test.
fn binary(test: &str) -> Option<PathBuf> {
    // Debian installs it in /usr/sbin, which a non-root PATH may lack.
    for candidate in ["nginx", "/usr/sbin/nginx"] {
        let runs = Command::new(candidate)
            .arg("-v")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if runs {
            return Some(PathBuf::from(candidate));
        }
    }
    assert!(
        !required(),
        "{test}: nginx is not installed but PRESENCE_REQUIRE_SERVICES=1"
    );
    eprintln!("SKIPPED {test}: needs nginx; `apt-get install nginx` to run it");
    None
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// The ```` ```nginx ```` block of the README's [`SECTION`].
pub fn readme_config() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("read README.md");
    let mut lines = readme.lines();
    lines
        .by_ref()
        .find(|line| line.starts_with('#') && line.trim_start_matches('#').trim() == SECTION)
        .unwrap_or_else(|| panic!("README.md has no section {SECTION:?}"));
    lines
        .by_ref()
        .take_while(|line| !line.starts_with("## "))
        .find(|line| line.trim() == "```nginx")
        .unwrap_or_else(|| panic!("README section {SECTION:?} has no ```nginx block"));
    let block: Vec<&str> = lines.take_while(|line| line.trim() != "```").collect();
    block.join("\n") + "\n"
}

/// `text` with its one `from` replaced by `to`.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "the README's nginx block must hold `{from}` exactly once"
    );
    text.replacen(from, to, 1)
}

/// The top-level `server { ... }` block of `config`.
fn server_block(config: &str) -> &str {
    let start = config
        .lines()
        .scan(0, |offset, line| {
            let here = *offset;
            *offset += line.len() + 1;
            Some((here, line))
        })
        .find(|(_, line)| line.starts_with("server {"))
        .map(|(offset, _)| offset)
        .expect("a top-level `server {` block");
    let mut depth = 0;
    for (index, byte) in config[start..].bytes().enumerate() {
        match byte {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return &config[start..=start + index];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced braces in the README's server block");
}

impl Nginx {
    /// Starts nginx in front of the app on `upstream_port`, or returns
    /// `None` after printing why `test` is skipped.
    pub async fn start(test: &str, upstream_port: u16) -> Option<Self> {
        let binary = binary(test)?;
        // A free port can be taken between choosing and binding it; then
        // nginx exits and another pair is tried.
        for _ in 0..5 {
            if let Some(nginx) = Self::launch(&binary, upstream_port).await {
                return Some(nginx);
            }
        }
        panic!("nginx could not bind free ports in 5 tries");
    }

    async fn launch(binary: &PathBuf, upstream_port: u16) -> Option<Self> {
        let (port, https_port) = (free_port(), free_port());
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().display().to_string();

        let site = replace_once(
            &replace_once(
                &readme_config(),
                LISTEN_PLACEHOLDER,
                &format!("listen 127.0.0.1:{port};"),
            ),
            UPSTREAM_PLACEHOLDER,
            &format!("server 127.0.0.1:{upstream_port};"),
        );
        let tls_stand_in = replace_once(
            &server_block(&site).replace(
                &format!("listen 127.0.0.1:{port};"),
                &format!("listen 127.0.0.1:{https_port};"),
            ),
            FORWARDED_PROTO,
            "proxy_set_header X-Forwarded-Proto https;",
        );
        std::fs::write(dir.path().join("presence.conf"), &site).expect("write site");
        std::fs::write(dir.path().join("tls-stand-in.conf"), tls_stand_in).expect("write");
        // The test's stand-in for /etc/nginx/nginx.conf, which includes
        // conf.d/*.conf inside `http { }`; every path is in the temp dir.
        let main = format!(
            "events {{ worker_connections 512; }}\n\
             http {{\n\
             \x20   access_log {root}/access.log;\n\
             \x20   client_body_temp_path {root}/client_body;\n\
             \x20   proxy_temp_path {root}/proxy;\n\
             \x20   fastcgi_temp_path {root}/fastcgi;\n\
             \x20   uwsgi_temp_path {root}/uwsgi;\n\
             \x20   scgi_temp_path {root}/scgi;\n\
             \x20   include {root}/presence.conf;\n\
             \x20   include {root}/tls-stand-in.conf;\n\
             }}\n"
        );
        let conf = dir.path().join("nginx.conf");
        std::fs::write(&conf, main).expect("write nginx.conf");
        let error_log = dir.path().join("error.log");
        // One process in the foreground (`master_process off`): killing it
        // leaves no orphaned workers, and as root it never switches to a
        // user that could not write the temp dir.
        let globals = format!(
            "daemon off; master_process off; pid {root}/nginx.pid; error_log {root}/error.log;"
        );
        let mut child = Command::new(binary)
            .arg("-e")
            .arg(&error_log)
            .arg("-p")
            .arg(format!("{root}/"))
            .arg("-c")
            .arg(&conf)
            .args(["-g", &globals])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let log = std::fs::read_to_string(&error_log).unwrap_or_default();
                if log.contains("Address already in use") {
                    return None;
                }
                panic!("nginx exited with {status}:\n{log}");
            }
            let listening = [port, https_port]
                .iter()
                .all(|port| std::net::TcpStream::connect(("127.0.0.1", *port)).is_ok());
            if listening {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "nginx did not listen within 10 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Some(Self {
            address: format!("http://127.0.0.1:{port}"),
            https_address: format!("http://127.0.0.1:{https_port}"),
            child,
            dir,
        })
    }

    /// What nginx logged, for assertion messages.
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
