//! What a person does and sees of rich presence in one browser context:
//! their status menu in the header, and the dots, devices and custom
//! statuses of the list.

use fantoccini::{Locator, key::Key};
use serde_json::Value;

use crate::driver::Context;

/// One user's line as the rich list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dot {
    /// `data-status`.
    pub status: String,
    /// The dot's text equivalent (`aria-label`).
    pub label: String,
    /// The dot's computed background colour.
    pub colour: String,
    /// `data-devices`, empty when absent.
    pub devices: String,
}

/// The dots' colours (presence.css): green, amber, red and grey.
pub const RED: &str = "rgb(217, 45, 32)";
pub const AMBER: &str = "rgb(217, 119, 6)";
pub const GREEN: &str = "rgb(31, 157, 85)";
pub const GREY: &str = "rgb(123, 132, 148)";

/// The script expression of `name`'s line, or `undefined`.
fn line_of(name: &str) -> String {
    format!(
        "Array.prototype.find.call(document.querySelectorAll('li.user'), \
           function (li) {{ return li.dataset.username === {}; }})",
        Value::from(name)
    )
}

impl Context {
    /// Opens the status menu with the keyboard, moves to `manual` (auto,
    /// dnd or invisible) with the arrow keys and picks it with Enter.
    pub async fn choose_status_by_keyboard(&self, manual: &str) {
        let button = self
            .client
            .find(Locator::Id("status-button"))
            .await
            .expect("menu");
        button.send_keys(&Key::Enter).await.expect("Enter");
        self.wait_until(
            "the menu opens on the current choice",
            "document.activeElement.classList.contains('status-choice')",
        )
        .await;
        for _ in 0..3 {
            let at = self
                .run("return document.activeElement.dataset.manual;")
                .await;
            if at == manual {
                break;
            }
            let choice = self.client.active_element().await.expect("focus");
            choice.send_keys(&Key::Down).await.expect("ArrowDown");
        }
        let choice = self.client.active_element().await.expect("focus");
        assert_eq!(
            self.run("return document.activeElement.dataset.manual;")
                .await,
            manual
        );
        choice.send_keys(&Key::Enter).await.expect("Enter");
        self.wait_until(
            "the menu closes and gives focus back",
            "document.getElementById('status-panel').hidden && \
             document.activeElement.id === 'status-button'",
        )
        .await;
    }

    /// Opens the status menu with the pointer and clicks `manual`.
    pub async fn choose_status_by_pointer(&self, manual: &str) {
        self.open_status_menu().await;
        let css = format!(".status-choice[data-manual='{manual}']");
        let choice = self.client.find(Locator::Css(&css)).await.expect(&css);
        choice.click().await.expect("click");
    }

    /// Clicks the status button so that the panel shows.
    pub async fn open_status_menu(&self) {
        let button = self
            .client
            .find(Locator::Id("status-button"))
            .await
            .expect("menu");
        button.click().await.expect("click");
        self.wait_until(
            "the status panel",
            "!document.getElementById('status-panel').hidden",
        )
        .await;
    }

    /// Sets a custom status through the menu, with an expiry choice
    /// (`30m`, `1h`, `4h`, `today` or `never`).
    pub async fn set_custom_status(&self, text: &str, expiry: &str) {
        self.open_status_menu().await;
        let field = self
            .client
            .find(Locator::Id("custom-text"))
            .await
            .expect("text");
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
        let select = self
            .client
            .find(Locator::Id("custom-expiry"))
            .await
            .expect("expiry");
        select.select_by_value(expiry).await.expect("expiry");
        let save = self
            .client
            .find(Locator::Id("custom-save"))
            .await
            .expect("save");
        save.click().await.expect("save");
    }

    /// `name`'s dot, status and devices, if listed.
    pub async fn dot(&self, name: &str) -> Option<Dot> {
        let script = format!(
            "var li = {line}; if (!li) {{ return null; }} var dot = li.querySelector('.user-dot'); \
             return [li.dataset.status, dot.getAttribute('aria-label'), \
               getComputedStyle(dot).backgroundColor, li.dataset.devices || ''];",
            line = line_of(name)
        );
        let found: Option<Vec<String>> = serde_json::from_value(self.run(&script).await).ok()?;
        let [status, label, colour, devices] = <[String; 4]>::try_from(found?).ok()?;
        Some(Dot {
            status,
            label,
            colour,
            devices,
        })
    }

    /// `name`'s custom status and its expiry in words (`title`), if shown.
    pub async fn custom_status(&self, name: &str) -> Option<(String, String)> {
        let script = format!(
            "var li = {line}; var el = li && li.querySelector('.user-custom'); \
             return el ? [el.textContent, el.getAttribute('title') || ''] : null;",
            line = line_of(name)
        );
        let found: Option<(String, String)> =
            serde_json::from_value(self.run(&script).await).ok()?;
        found
    }

    /// Waits until `name`'s custom status reads `text`, or until it is
    /// gone when `text` is `None`.
    pub async fn wait_custom(&self, name: &str, text: Option<&str>) {
        let condition = format!(
            "(function () {{ var li = {line}; var el = li && li.querySelector('.user-custom'); \
               return {text} === null ? Boolean(li) && !el : Boolean(el) && el.textContent === {text}; }})()",
            line = line_of(name),
            text = Value::from(text),
        );
        self.wait_until(&format!("{name}'s custom status is {text:?}"), &condition)
            .await;
    }

    /// The status the viewer's own menu button shows, and the pressed choice.
    pub async fn own_status(&self) -> (String, String) {
        let found = self
            .run(
                "var pressed = document.querySelector('.status-choice[aria-pressed=\"true\"]'); \
                 return [document.getElementById('status-label').textContent, \
                   pressed ? pressed.dataset.manual : ''];",
            )
            .await;
        serde_json::from_value(found).expect("own status")
    }

    /// Opens a second socket from this page (another tab of the same
    /// login, as far as the server knows) and sends `frame` on it once
    /// it has its snapshot: the way to send what the menu does not offer.
    pub async fn send_from_another_socket(&self, frame: &str) {
        let script = format!(
            "var ws = new WebSocket('ws://' + location.host + '/users/'); \
             ws.onmessage = function () {{ if (!ws.sent) {{ ws.sent = true; ws.send({frame}); }} }}; \
             window.extraSockets = (window.extraSockets || []).concat([ws]); return null;",
            frame = Value::from(frame)
        );
        self.run(&script).await;
    }

    /// The outerHTML of every line this page shows, by name, without
    /// `title` attributes (the server writes an expiry in GMT, the page
    /// in the reader's own time).
    pub async fn drawn_lines(&self) -> Value {
        self.run(
            "var out = {}; document.querySelectorAll('li.user').forEach(function (li) { \
               var copy = li.cloneNode(true); copy.querySelectorAll('[title]').forEach(function (el) { \
                 el.removeAttribute('title'); }); out[li.dataset.username] = copy.outerHTML; }); \
             return out;",
        )
        .await
    }

    /// The same for the lines of `/` as the server renders it now, for
    /// this page's login.
    pub async fn rendered_lines(&self) -> Value {
        let script = "var done = arguments[0]; fetch('/', { credentials: 'same-origin' }) \
             .then(function (r) { return r.text(); }).then(function (html) { \
               var doc = new DOMParser().parseFromString(html, 'text/html'); var out = {}; \
               doc.querySelectorAll('li.user').forEach(function (li) { \
                 li.querySelectorAll('[title]').forEach(function (el) { el.removeAttribute('title'); }); \
                 out[li.dataset.username] = li.outerHTML; }); done(out); });";
        self.client
            .execute_async(script, Vec::new())
            .await
            .expect("fetch /")
    }
}
