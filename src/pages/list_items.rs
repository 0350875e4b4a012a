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
//! The markup is a contract with `static/presence.js` (`makeItem`) and
//! the tests: `data-username` then `data-status`, the visible status text,
//! and `data-last-seen` (Unix ms) for offline users who have been seen.

use std::fmt::Write as _;

use tera::escape_html;

use super::last_seen;

/// Appends the line of an online user.
pub fn online(out: &mut String, username: &str) {
    let name = escape_html(username);
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        r#"<li class="user" data-username="{name}" data-status="online"><span class="user-name">{name}</span> <span class="user-status">Online</span> <span class="user-seen"></span></li>"#
    );
}

/// Appends the line of an offline user, with when they were last seen
/// (as of `now`, Unix ms) in words.
pub fn offline(out: &mut String, username: &str, last_seen_at: Option<i64>, now: i64) {
    let name = escape_html(username);
    let seen = escape_html(&last_seen::phrase(now, last_seen_at));
    let _ = write!(
        out,
        r#"<li class="user" data-username="{name}" data-status="offline""#
    );
    if let Some(at) = last_seen_at {
        let _ = write!(out, r#" data-last-seen="{at}""#);
    }
    let _ = writeln!(
        out,
        r#"><span class="user-name">{name}</span> <span class="user-status">Offline</span> <span class="user-seen">{seen}</span></li>"#
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_online_line_names_the_user_and_shows_online() {
        let mut out = String::new();
        online(&mut out, "bob");
        assert_eq!(
            out,
            "<li class=\"user\" data-username=\"bob\" data-status=\"online\">\
             <span class=\"user-name\">bob</span> <span class=\"user-status\">Online</span> \
             <span class=\"user-seen\"></span></li>\n"
        );
    }

    #[test]
    fn an_offline_line_says_when_the_user_was_last_seen() {
        let mut out = String::new();
        offline(&mut out, "amy", Some(1_000), 1_000 + 5 * 60_000);
        assert!(
            out.contains(r#"data-username="amy" data-status="offline" data-last-seen="1000">"#)
        );
        assert!(out.contains(">Offline<"));
        assert!(out.contains(">last seen 5 minutes ago<"));
    }

    #[test]
    fn a_user_never_seen_has_no_time_attribute() {
        let mut out = String::new();
        offline(&mut out, "amy", None, 0);
        assert!(!out.contains("data-last-seen"));
        assert!(out.contains(">never logged in<"));
    }

    #[test]
    fn names_are_escaped_as_the_template_would() {
        // Valid usernames cannot hold these; the lines escape regardless.
        let mut out = String::new();
        online(&mut out, r#"<b>"x"&'y'</b>"#);
        offline(&mut out, r#"<b>"x"&'y'</b>"#, None, 0);
        assert!(!out.contains("<b>") && !out.contains(r#""x""#));
        assert_eq!(
            out.matches("&lt;b&gt;&quot;x&quot;&amp;&#x27;y&#x27;&lt;&#x2F;b&gt;")
                .count(),
            4
        );
    }
}
