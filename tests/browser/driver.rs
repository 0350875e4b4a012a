//! Real headless Chromium through chromedriver, one isolated context per
//! person, like separate incognito windows.
//!
//! The test starts its own chromedriver on a free port. Each [`Context`] is
//! a WebDriver session whose Chromium has a fresh, empty profile directory,
//! so contexts share no cookies, storage or cache. Every context records
//! its console and its network requests, so a test can assert that the
//! console stayed empty and that nothing was fetched from anywhere but the
//! app.

use std::{
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, wd::WebDriverCompatibleCommand};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tempfile::TempDir;

/// Where Debian's `chromium` and `chromium-driver` packages put them.
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long a test waits for the page to show something.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A running chromedriver; killed when dropped.
pub struct Driver {
    url: String,
    process: Child,
}

/// Whether Chromium is installed. When it is not, the test is skipped with
/// a reason, unless `PRESENCE_REQUIRE_SERVICES=1` (as in CI) makes that a
/// failure.
pub fn chromium_available(test: &str) -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|path| !Path::new(path).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let reason = format!(
        "{} not installed (apt-get install chromium chromium-driver)",
        missing.join(" and ")
    );
    if std::env::var("PRESENCE_REQUIRE_SERVICES").as_deref() == Ok("1") {
        panic!("{test}: {reason}, and PRESENCE_REQUIRE_SERVICES=1");
    }
    eprintln!("skipped {test}: {reason}");
    false
}

impl Driver {
    /// Starts chromedriver on a free port and waits until it answers.
    pub async fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Self {
            url: format!("http://127.0.0.1:{port}"),
            process,
        };
        let deadline = Instant::now() + PATIENCE;
        let status = format!("{}/status", driver.url);
        while reqwest::get(&status).await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        driver
    }

    /// A new isolated browser context with a `width` x `height` window.
    pub async fn context(&self, width: u32, height: u32) -> Context {
        self.context_as(width, height, None).await
    }

    /// A new isolated browser context that sends `user_agent` (a phone's,
    /// say) instead of Chromium's own.
    pub async fn context_as(&self, width: u32, height: u32, user_agent: Option<&str>) -> Context {
        let profile = tempfile::tempdir().expect("profile directory");
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--no-default-browser-check".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-extensions".to_owned(),
            "--hide-scrollbars".to_owned(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        args.extend(user_agent.map(|agent| format!("--user-agent={agent}")));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": CHROMIUM, "args": args }),
        );
        // The console, and the network events that name every request.
        capabilities.insert(
            "goog:loggingPrefs".into(),
            json!({ "browser": "ALL", "performance": "ALL" }),
        );
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("a chromedriver session");
        Context {
            client,
            console: Vec::new(),
            requests: Vec::new(),
            _profile: profile,
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// `POST /session/{id}/se/log`: chromedriver's log entries of one type
/// since the last call.
#[derive(Debug)]
struct GetLog(&'static str);

impl WebDriverCompatibleCommand for GetLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": self.0 }).to_string()),
        )
    }
}

/// One person's browser.
pub struct Context {
    /// The WebDriver session.
    pub client: Client,
    console: Vec<String>,
    requests: Vec<String>,
    _profile: TempDir,
}

impl Context {
    /// Runs `script` (a function body) and returns what it returns.
    pub async fn run(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|err| panic!("script failed: {err}\n{script}"))
    }

    /// Waits until the JavaScript expression `condition` is true.
    pub async fn wait_until(&self, what: &str, condition: &str) {
        let script = format!("return Boolean({condition});");
        let deadline = Instant::now() + PATIENCE;
        while self.run(&script).await != Value::Bool(true) {
            assert!(Instant::now() < deadline, "timed out waiting until {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Reads the console and network logs gathered since the last call.
    pub async fn collect_logs(&mut self) {
        let console = self.client.issue_cmd(GetLog("browser")).await.expect("log");
        for entry in console.as_array().into_iter().flatten() {
            self.console.push(entry.to_string());
        }
        let performance = self
            .client
            .issue_cmd(GetLog("performance"))
            .await
            .expect("log");
        for entry in performance.as_array().into_iter().flatten() {
            let Some(message) = entry["message"].as_str() else {
                continue;
            };
            let Ok(event) = serde_json::from_str::<Value>(message) else {
                continue;
            };
            let params = &event["message"]["params"];
            let url = match event["message"]["method"].as_str() {
                Some("Network.requestWillBeSent") => params["request"]["url"].as_str(),
                Some("Network.webSocketCreated") => params["url"].as_str(),
                _ => None,
            };
            self.requests.extend(url.map(str::to_owned));
        }
    }

    /// Asserts that the console stayed empty and that every request went
    /// to the app at `127.0.0.1:port`, then closes the context.
    pub async fn finish(mut self, name: &str, port: u16) {
        self.assert_clean(name, port).await;
        self.close().await;
    }

    /// Asserts that the console stayed empty and that every request went
    /// to the app at `127.0.0.1:port`.
    pub async fn assert_clean(&mut self, name: &str, port: u16) {
        let problems = self.problems(port).await;
        assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));
    }

    /// Every console message so far, and every request outside the app.
    pub async fn problems(&mut self, port: u16) -> Vec<String> {
        self.collect_logs().await;
        assert!(!self.requests.is_empty(), "no requests were recorded");
        let app = [
            format!("http://127.0.0.1:{port}/"),
            format!("ws://127.0.0.1:{port}/"),
        ];
        let foreign = self.requests.iter().filter(|url| {
            // The browser's own pages (a new tab's `chrome://` page, the
            // `about:blank` a session starts on) never touch the network.
            let internal = ["chrome:", "chrome-untrusted:", "about:", "data:"]
                .iter()
                .any(|scheme| url.starts_with(scheme));
            !internal && !app.iter().any(|origin| url.starts_with(origin.as_str()))
        });
        self.console
            .iter()
            .map(|entry| format!("console: {entry}"))
            .chain(foreign.map(|url| format!("request outside the app: {url}")))
            .collect()
    }

    /// Ends the session, which quits this context's Chromium as closing
    /// its last window would.
    pub async fn close(self) {
        self.client.close().await.expect("end the session");
    }
}
