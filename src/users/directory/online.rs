//! Who is online, as others see them, read from the `LoggedInUser` rows.
//!
//! A user is connected when they have a row on any node. Their rows say
//! whether any of their connections is active and which kinds of device
//! they are on; their `users` row says what they chose. An invisible user
//! still has rows (their own pages are live), but no listing here ever
//! shows them: they are offline to everyone else, so [`online`] leaves
//! them out, [`attendance_among`]'s callers list them offline, and the
//! counts built on these never include them.

use std::collections::HashMap;

use entity::logged_in_user;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, QueryFilter,
    QuerySelect, Statement,
};

use crate::{
    auth::username::fold,
    live::status::{Attendance, Devices, Manual, Presence, Status},
    users::profile_from,
};

/// One online user, as everyone else sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Online {
    /// The name as typed at sign-up.
    pub username: String,
    /// Online, away or do not disturb, with their custom status and
    /// devices; never offline.
    pub presence: Presence,
}

/// Every user others see online, away or in do not disturb at `now`
/// (Unix ms), by folded name. The page lists them all, above the first
/// page of everyone else, and counts them.
///
/// Two choices keep this cheap with 10,000 users online (measured with
/// `cargo bench --bench page` and `presence-bench page`, see
/// BENCHMARKS.md):
/// - The database joins the users into one newline-separated string, so
///   one row comes back however many users are online. sqlx's SQLite
///   driver hands each row from its worker thread through a channel, with
///   a thread wake-up per row, and that hand-off was most of the page's
///   time. Each user is tab-separated fields: name, attendance bits,
///   manual status, custom expiry and custom text, last so that nothing
///   it holds can shift the others. A username cannot hold a tab or a
///   newline, nor can a custom status (no control characters); a newline
///   in a row written by other means is blanked by the query.
/// - The names are sorted here, by the same fold that made
///   `username_key`, rather than with `ORDER BY` inside the aggregate,
///   which costs SQLite a temporary B-tree of 10,000 entries. Folded keys
///   are unique, and `String` compares bytes as both databases compare
///   the key column, so the order is the listings' order.
pub async fn online(db: &DatabaseConnection, now: i64) -> Result<Vec<Online>, DbErr> {
    let backend = db.get_database_backend();
    let (chr, joined) = match backend {
        DbBackend::Postgres => ("chr", "string_agg"),
        _ => ("char", "group_concat"),
    };
    let sql = format!(
        "SELECT {joined}(u.username || {chr}(9) || CAST(l.a + 2 * l.d + 4 * l.m AS TEXT) \
         || {chr}(9) || u.manual_status || {chr}(9) || COALESCE(CAST(u.custom_until AS TEXT), '') \
         || {chr}(9) || COALESCE(REPLACE(u.custom_text, {chr}(10), ' '), ''), {chr}(10)) AS lines \
         FROM users u JOIN (SELECT user_id, \
           MAX(CASE WHEN active THEN 1 ELSE 0 END) AS a, \
           MAX(CASE WHEN desktop THEN 1 ELSE 0 END) AS d, \
           MAX(CASE WHEN mobile THEN 1 ELSE 0 END) AS m \
           FROM logged_in_user GROUP BY user_id) l ON l.user_id = u.id \
         WHERE u.manual_status <> '{invisible}'",
        invisible = Manual::Invisible.as_str(),
    );
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await?;
    let joined: Option<String> = match row {
        Some(row) => row.try_get("", "lines")?,
        None => None,
    };
    let mut online: Vec<Online> = joined
        .as_deref()
        .map(|joined| {
            joined
                .split('\n')
                .filter_map(|line| read_line(line, now))
                .collect()
        })
        .unwrap_or_default();
    online.sort_by_cached_key(|user| fold(&user.username));
    Ok(online)
}

/// The names of every user others see online, by folded name: the
/// `LoggedInUser`-based listing, without invisible users.
pub async fn online_names(db: &DatabaseConnection) -> Result<Vec<String>, DbErr> {
    let online = online(db, crate::db::now_millis()).await?;
    Ok(online.into_iter().map(|user| user.username).collect())
}

/// One user of [`online`]'s aggregate; `None` for a line that does not
/// read (or a user who would be shown offline after all).
fn read_line(line: &str, now: i64) -> Option<Online> {
    let mut fields = line.splitn(5, '\t');
    let username = fields.next()?.to_owned();
    let bits: u8 = fields.next()?.parse().ok()?;
    let manual = fields.next()?;
    let until = fields.next()?;
    let text = fields.next()?;
    let attendance = Attendance {
        active: bits & 1 == 1,
        devices: Devices::from_bits(bits >> 1),
    };
    let until = until.parse().ok();
    let profile = profile_from(manual, (!text.is_empty()).then_some(text), until);
    let presence = Presence::public(Some(attendance), &profile, now);
    (presence.status != Status::Offline).then_some(Online { username, presence })
}

/// How each of `ids` who has a `LoggedInUser` row attends, across every
/// node: one query for a page, not one per user.
pub(super) async fn attendance_among(
    db: &impl ConnectionTrait,
    ids: impl Iterator<Item = i64>,
) -> Result<HashMap<i64, Attendance>, DbErr> {
    let ids: Vec<i64> = ids.collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = logged_in_user::Entity::find()
        .select_only()
        .columns([
            logged_in_user::Column::UserId,
            logged_in_user::Column::Active,
            logged_in_user::Column::Desktop,
            logged_in_user::Column::Mobile,
        ])
        .filter(logged_in_user::Column::UserId.is_in(ids))
        .into_tuple::<(i64, bool, bool, bool)>()
        .all(db)
        .await?;
    let mut attendance: HashMap<i64, Attendance> = HashMap::new();
    for (id, active, desktop, mobile) in rows {
        let devices = Devices::from_bits(u8::from(desktop) | u8::from(mobile) << 1);
        let entry = attendance.entry(id).or_insert(Attendance {
            active: false,
            devices: Devices::NONE,
        });
        entry.active |= active;
        entry.devices = entry.devices.union(devices);
    }
    Ok(attendance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_gives_the_users_status_devices_and_custom_status() {
        let online = read_line("bob\t6\tauto\t2000\t🍜 lunch", 1000).unwrap();
        assert_eq!(online.username, "bob");
        assert_eq!(online.presence.status, Status::Away);
        assert_eq!(online.presence.devices.names(), ["desktop", "mobile"]);
        let custom = online.presence.custom.unwrap();
        assert_eq!(custom.text.as_str(), "🍜 lunch");
        assert_eq!(custom.until, Some(2000));
        let forever = read_line("bob\t1\tauto\t\tfocus", 1000).unwrap();
        assert_eq!(forever.presence.status, Status::Online);
        assert_eq!(forever.presence.custom.unwrap().until, None);
    }

    #[test]
    fn an_expired_custom_status_is_not_read() {
        let online = read_line("bob\t3\tdnd\t2000\tlunch", 2000).unwrap();
        assert_eq!(online.presence.status, Status::Dnd);
        assert_eq!(online.presence.custom, None);
    }

    #[test]
    fn an_invisible_user_or_a_broken_line_is_left_out() {
        assert_eq!(read_line("bob\t3\tinvisible\t\t", 0), None);
        assert_eq!(read_line("bob\tx\tauto\t\t", 0), None);
        assert_eq!(read_line("bob", 0), None);
        // A text no user could have set is dropped, not the user.
        let odd = read_line("bob\t1\tauto\t\ta\tb", 0).unwrap();
        assert_eq!(odd.presence.custom, None);
    }
}
