//! What a person does and sees in the app, in one browser context: typing
//! into the forms, clicking the buttons and reading the user list.

use fantoccini::Locator;
use serde_json::Value;

use crate::driver::Context;

/// The password every test user gets.
pub const PASSWORD: &str = "johnson123";

/// One line of the user list as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// `data-status`: `online` or `offline`.
    pub status: String,
    /// The visible status, `Online` or `Offline`.
    pub shown: String,
    /// The visible last-seen phrase; empty for online users.
    pub seen: String,
}

impl Context {
    async fn type_into(&self, css: &str, text: &str) {
        // Sending keys focuses the field with the caret at its end.
        let field = self.client.find(Locator::Css(css)).await.expect(css);
        field.send_keys(text).await.expect("type");
    }

    async fn click(&self, css: &str) {
        let button = self.client.find(Locator::Css(css)).await.expect(css);
        button.click().await.expect("click");
    }

    /// Opens `path` of the app at `address`.
    pub async fn open(&self, address: &str, path: &str) {
        self.client
            .goto(&format!("{address}{path}"))
            .await
            .expect("navigate");
    }

    /// Signs up through the form, as a person types it.
    pub async fn sign_up(&self, address: &str, name: &str) {
        self.open(address, "/sign_up/").await;
        self.type_into("#id_username", name).await;
        self.type_into("#id_password1", PASSWORD).await;
        self.type_into("#id_password2", PASSWORD).await;
        self.click("button[type=submit]").await;
        self.wait_until(
            "the log-in form follows the sign-up",
            "location.pathname === '/log_in/'",
        )
        .await;
    }

    /// Logs in through the form and waits for the live list.
    pub async fn log_in(&self, name: &str) {
        self.wait_until("the log-in form", "document.getElementById('id_username')")
            .await;
        self.type_into("#id_username", name).await;
        self.type_into("#id_password", PASSWORD).await;
        self.click("button[type=submit]").await;
        self.wait_live().await;
    }

    /// Clicks "Log out" on the list.
    pub async fn log_out(&self) {
        self.click("#log-out").await;
        self.wait_until(
            "the log-out lands on the log-in form",
            "location.pathname === '/log_in/'",
        )
        .await;
    }

    /// Waits until the list's socket has its snapshot.
    pub async fn wait_live(&self) {
        self.wait_until(
            "the list is live",
            "document.getElementById('connection') && \
             document.getElementById('connection').dataset.state === 'live'",
        )
        .await;
    }

    /// `name`'s line in the list, if listed.
    pub async fn line(&self, name: &str) -> Option<Line> {
        let script = format!(
            "var li = Array.prototype.find.call(document.querySelectorAll('li.user'), \
               function (li) {{ return li.dataset.username === {name}; }}); \
             return li ? [li.dataset.status, li.querySelector('.user-status').textContent, \
               li.querySelector('.user-seen').textContent] : null;",
            name = Value::from(name)
        );
        let found = self.run(&script).await;
        let parts: Vec<String> = found
            .as_array()?
            .iter()
            .map(|part| part.as_str().unwrap_or_default().to_owned())
            .collect();
        Some(Line {
            status: parts[0].clone(),
            shown: parts[1].clone(),
            seen: parts[2].clone(),
        })
    }

    /// Waits until `name` is listed with `status` (`online` or `offline`).
    pub async fn wait_status(&self, name: &str, status: &str) {
        let condition = format!(
            "Array.prototype.some.call(document.querySelectorAll('li.user'), \
               function (li) {{ return li.dataset.username === {name} && li.dataset.status === {status}; }})",
            name = Value::from(name),
            status = Value::from(status),
        );
        self.wait_until(&format!("{name} shows {status}"), &condition)
            .await;
    }

    /// The listed usernames, top to bottom.
    pub async fn listed(&self) -> Vec<String> {
        let names = self
            .run(
                "return Array.prototype.map.call(document.querySelectorAll('li.user'), \
                  function (li) { return li.dataset.username; });",
            )
            .await;
        serde_json::from_value(names).expect("names")
    }

    /// Waits until the number shown as online is `count`: the server
    /// sends a watching page the counts at most once a second.
    pub async fn wait_count(&self, count: u32) {
        self.wait_until(
            &format!("the count shows {count}"),
            &format!("document.getElementById('online-count').textContent === '{count}'"),
        )
        .await;
    }

    /// The text of the element `css`.
    pub async fn text(&self, css: &str) -> String {
        let element = self.client.find(Locator::Css(css)).await.expect(css);
        element.text().await.expect("text")
    }

    /// Types into the search box, one key at a time.
    pub async fn search(&self, text: &str) {
        self.type_into("#search-input", text).await;
    }

    /// Clicks "Show more".
    pub async fn show_more(&self) {
        self.click("#more").await;
    }
}
