//! The `<li>` of each user on the list page.
//!
//! These lines are written here, not in the Tera template, because there
//! can be ten thousand of them: Tera spends about three microseconds a
//! line on context look-ups, which was 30 ms of a 50 ms budget for the
//! page with 10,000 users online; writing them directly takes about one.
//! Every value is escaped with Tera's own `escape_html`, exactly as the
//! template would escape it, and `templates/user_list.html` inserts the
//! result with `| safe`.
//!
//! The markup is a contract with `static/js/item.js` (`makeItem`, which
//! builds the identical element) and the tests. One line, here on several
//! for reading:
//!
//! ```html
//! <li class="user" data-username="NAME" data-status="online|away|dnd|offline"
//!     data-devices="desktop mobile" data-last-seen="MS">
//!   <span class="user-dot" role="img" aria-label="Online"></span>
//!   <span class="user-name">NAME</span> <span class="user-status">Online</span>
//!   <span class="user-devices" aria-label="On desktop and mobile"></span>
//!   <span class="user-seen">last seen 5 minutes ago</span>
//!   <span class="user-custom" tabindex="0" data-until="MS" title="Until …">TEXT</span>
//! </li>
//! ```
//!
//! - `data-devices` lists the kinds of device, space-separated; it is
//!   absent, and the `.user-devices` span has no label, when there are
//!   none (always for offline users);
//! - `data-last-seen` (Unix ms) is there only for offline users who have
//!   been seen; `.user-seen` is empty for everyone else;
//! - `.user-custom` is there only for users who are not offline and have
//!   a custom status; `data-until` and `title` only when it expires.
//!
//! The spans are separated by one space, and the line ends with `\n`.

use std::{
    fmt::Write as _,
    time::{Duration, SystemTime},
};

use actix_web::http::header::HttpDate;
use tera::escape_html;

use super::last_seen;
use crate::live::status::{Devices, Presence, Status};

/// Appends the line of `username`, shown as `presence`, last seen at
/// `last_seen_at`, in words as of `now` (Unix ms).
pub fn item(
    out: &mut String,
    username: &str,
    presence: &Presence,
    last_seen_at: Option<i64>,
    now: i64,
) {
    let name = escape_html(username);
    let status = presence.status;
    let offline = !status.is_logged_in();
    let devices = if offline {
        Devices::NONE
    } else {
        presence.devices
    };
    let device_names = devices.names().join(" ");
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        r#"<li class="user" data-username="{name}" data-status="{}""#,
        status_name(status)
    );
    if !device_names.is_empty() {
        let _ = write!(out, r#" data-devices="{device_names}""#);
    }
    let last_seen_at = last_seen_at.filter(|_| offline);
    if let Some(at) = last_seen_at {
        let _ = write!(out, r#" data-last-seen="{at}""#);
    }
    let text = status_text(status);
    let _ = write!(
        out,
        r#"><span class="user-dot" role="img" aria-label="{text}"></span><span class="user-name">{name}</span> <span class="user-status">{text}</span> <span class="user-devices""#
    );
    if let Some(label) = devices_label(devices) {
        let _ = write!(out, r#" aria-label="{label}""#);
    }
    let seen = if offline {
        escape_html(&last_seen::phrase(now, last_seen_at))
    } else {
        String::new()
    };
    let _ = write!(out, r#"></span> <span class="user-seen">{seen}</span>"#);
    if let Some(custom) = presence.custom.as_ref().filter(|_| !offline) {
        let _ = write!(out, r#" <span class="user-custom" tabindex="0""#);
        if let Some(until) = custom.until {
            let _ = write!(
                out,
                r#" data-until="{until}" title="Until {}""#,
                http_date(until)
            );
        }
        let _ = write!(out, ">{}</span>", escape_html(custom.text.as_str()));
    }
    let _ = writeln!(out, "</li>");
}

/// The `data-status` of a status. Only the user themselves ever sees
/// `invisible`, and never in the rendered list.
fn status_name(status: Status) -> &'static str {
    match status {
        Status::Invisible => Status::Offline.as_str(),
        other => other.as_str(),
    }
}

/// The visible text of a status, also the dot's label.
pub fn status_text(status: Status) -> &'static str {
    match status {
        Status::Online => "Online",
        Status::Away => "Away",
        Status::Dnd => "Do not disturb",
        Status::Offline | Status::Invisible => "Offline",
    }
}

/// The label of the device icons, for screen readers.
fn devices_label(devices: Devices) -> Option<String> {
    let names = devices.names();
    (!names.is_empty()).then(|| format!("On {}", names.join(" and ")))
}

/// `Thu, 03 Dec 2026 09:00:00 GMT`: a custom status's expiry, until the
/// page's script writes it in the reader's own time.
fn http_date(at: i64) -> String {
    let at = SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(at).unwrap_or(0));
    HttpDate::from(at).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::status::{CustomStatus, Device, StatusText};

    fn shown(status: Status, devices: Devices, custom: Option<(&str, Option<i64>)>) -> Presence {
        Presence {
            status,
            custom: custom.map(|(text, until)| CustomStatus {
                text: StatusText::parse(text).unwrap(),
                until,
            }),
            devices,
        }
    }

    fn line(username: &str, presence: &Presence, last_seen_at: Option<i64>, now: i64) -> String {
        let mut out = String::new();
        item(&mut out, username, presence, last_seen_at, now);
        out
    }

    #[test]
    fn an_online_line_names_the_user_and_shows_online_with_its_devices() {
        let desktop = Devices::of(Device::Desktop);
        assert_eq!(
            line("bob", &shown(Status::Online, desktop, None), None, 0),
            "<li class=\"user\" data-username=\"bob\" data-status=\"online\" data-devices=\"desktop\">\
             <span class=\"user-dot\" role=\"img\" aria-label=\"Online\"></span>\
             <span class=\"user-name\">bob</span> <span class=\"user-status\">Online</span> \
             <span class=\"user-devices\" aria-label=\"On desktop\"></span> \
             <span class=\"user-seen\"></span></li>\n"
        );
    }

    #[test]
    fn away_and_do_not_disturb_have_their_own_words() {
        let both = Devices::of(Device::Desktop).union(Devices::of(Device::Mobile));
        let away = line("amy", &shown(Status::Away, both, None), None, 0);
        assert!(away.contains(r#"data-status="away" data-devices="desktop mobile">"#));
        assert!(away.contains(r#"aria-label="Away""#) && away.contains(">Away<"));
        assert!(away.contains(r#"aria-label="On desktop and mobile""#));
        let dnd = line("amy", &shown(Status::Dnd, both, None), None, 0);
        assert!(dnd.contains(r#"data-status="dnd""#));
        assert!(dnd.contains(r#"aria-label="Do not disturb""#));
        assert!(dnd.contains(">Do not disturb<"));
    }

    #[test]
    fn a_custom_status_shows_with_its_expiry() {
        let custom = Some(("🍜 lunch & \"co\"", Some(1_764_752_400_000)));
        let presence = shown(Status::Online, Devices::NONE, custom);
        let out = line("bob", &presence, None, 0);
        assert!(out.contains(
            r#" <span class="user-custom" tabindex="0" data-until="1764752400000" title="Until Wed, 03 Dec 2025 09:00:00 GMT">🍜 lunch &amp; &quot;co&quot;</span></li>"#
        ), "{out}");
        assert!(!out.contains("data-devices"));
        assert!(out.contains(r#"<span class="user-devices"></span>"#));
        let forever = shown(Status::Online, Devices::NONE, Some(("focus", None)));
        let out = line("bob", &forever, None, 0);
        assert!(out.contains(r#"<span class="user-custom" tabindex="0">focus</span>"#));
    }

    #[test]
    fn an_offline_line_says_when_the_user_was_last_seen() {
        let out = line("amy", &Presence::OFFLINE, Some(1_000), 1_000 + 5 * 60_000);
        assert!(
            out.contains(r#"data-username="amy" data-status="offline" data-last-seen="1000">"#)
        );
        assert!(out.contains(">Offline<") && out.contains(r#"aria-label="Offline""#));
        assert!(out.contains(">last seen 5 minutes ago<"));
        assert!(!out.contains("user-custom") && !out.contains("data-devices"));
    }

    #[test]
    fn an_offline_or_invisible_line_shows_nothing_of_what_the_user_chose() {
        let custom = Some(("secret", None));
        let desktop = Devices::of(Device::Desktop);
        for status in [Status::Offline, Status::Invisible] {
            let out = line("amy", &shown(status, desktop, custom), Some(5), 10);
            assert!(out.contains(r#"data-status="offline" data-last-seen="5">"#));
            assert!(!out.contains("secret") && !out.contains("desktop"), "{out}");
        }
    }

    #[test]
    fn a_user_never_seen_has_no_time_attribute() {
        let out = line("amy", &Presence::OFFLINE, None, 0);
        assert!(!out.contains("data-last-seen"));
        assert!(out.contains(">never logged in<"));
    }

    #[test]
    fn names_are_escaped_as_the_template_would() {
        // Valid usernames cannot hold these; the lines escape regardless.
        let name = r#"<b>"x"&'y'</b>"#;
        let online = shown(Status::Online, Devices::NONE, None);
        let out = line(name, &online, None, 0) + &line(name, &Presence::OFFLINE, None, 0);
        assert!(!out.contains("<b>") && !out.contains(r#""x""#));
        assert_eq!(
            out.matches("&lt;b&gt;&quot;x&quot;&amp;&#x27;y&#x27;&lt;&#x2F;b&gt;")
                .count(),
            4
        );
    }
}
