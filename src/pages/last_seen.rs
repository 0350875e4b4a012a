//! "last seen 5 minutes ago": how long ago an offline user was online.
//!
//! The page renders the phrase so that it reads right before any script
//! runs; `static/presence.js` has the same rules (`lastSeenPhrase`) and
//! keeps the phrases current as time passes.

const MINUTE: i64 = 60 * 1000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const MONTH: i64 = 30 * DAY;
const YEAR: i64 = 365 * DAY;

/// The phrase for a user last seen at `last_seen_at` (Unix ms), at `now`.
pub fn phrase(now: i64, last_seen_at: Option<i64>) -> String {
    let Some(at) = last_seen_at else {
        return "never logged in".to_owned();
    };
    // A clock that moved backwards must not print "-3 minutes ago".
    let ago = now.saturating_sub(at).max(0);
    let (count, unit) = match ago {
        _ if ago < MINUTE => return "last seen just now".to_owned(),
        _ if ago < HOUR => (ago / MINUTE, "minute"),
        _ if ago < DAY => (ago / HOUR, "hour"),
        _ if ago < MONTH => (ago / DAY, "day"),
        _ if ago < YEAR => (ago / MONTH, "month"),
        _ => (ago / YEAR, "year"),
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("last seen {count} {unit}{plural} ago")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_763_683_200_000;

    #[test]
    fn a_user_who_never_logged_in_says_so() {
        assert_eq!(phrase(NOW, None), "never logged in");
    }

    #[test]
    fn the_last_minute_is_just_now() {
        assert_eq!(phrase(NOW, Some(NOW)), "last seen just now");
        assert_eq!(phrase(NOW, Some(NOW - 59_999)), "last seen just now");
        assert_eq!(phrase(NOW, Some(NOW + 5_000)), "last seen just now");
    }

    #[test]
    fn older_times_use_the_largest_whole_unit() {
        assert_eq!(phrase(NOW, Some(NOW - MINUTE)), "last seen 1 minute ago");
        assert_eq!(
            phrase(NOW, Some(NOW - 5 * MINUTE - 1)),
            "last seen 5 minutes ago"
        );
        assert_eq!(phrase(NOW, Some(NOW - 2 * HOUR)), "last seen 2 hours ago");
        assert_eq!(phrase(NOW, Some(NOW - DAY)), "last seen 1 day ago");
        assert_eq!(phrase(NOW, Some(NOW - 45 * DAY)), "last seen 1 month ago");
        assert_eq!(phrase(NOW, Some(NOW - 3 * YEAR)), "last seen 3 years ago");
    }

    #[test]
    fn a_far_past_does_not_overflow() {
        assert_eq!(phrase(i64::MAX, Some(i64::MIN)), phrase(i64::MAX, Some(0)));
    }
}
