//! The JSON API behind the user list's search box and "Show more" button.
//!
//! `GET /api/users?q=PREFIX&after=CURSOR` answers one page of the users
//! whose name starts with `PREFIX` (ignoring case), in name order, each
//! with their status. Without a `PREFIX` it pages through everyone in the
//! list's own order, as `/` renders it: online users first, then away and
//! do not disturb, then offline, each part by name.
//!
//! ```json
//! {"users":[{"username":"alice","online":true,"last_seen_at":1763683200000,
//!             "status":"dnd","custom":{"text":"🎧 focus","until":1763690400000},
//!             "devices":["desktop"]},
//!            {"username":"bob","online":false,"last_seen_at":1763683260000,
//!             "status":"offline","devices":[]}],
//!  "next":"616c2f616c696365"}
//! ```
//!
//! `online` is the seed's flag: `true` for `online`, `away` and `dnd`.
//! `status`, `custom` (absent without one, or when offline) and `devices`
//! are as in the WebSocket's `presence` frame (see
//! [`crate::live::protocol`]). An invisible user is `offline`, with the
//! last-seen time of when they went invisible.
//!
//! `next` is `null` on the last page; otherwise it is passed back as
//! `after` for the following page. Pages are keyset-paginated on the folded
//! name (see [`crate::users::directory`]), so a deep page is as cheap as
//! the first. Only logged-in users may list the directory.

pub mod query;

use actix_web::{HttpResponse, http::header, web};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};

use crate::{
    auth::MaybeUser,
    db::now_millis,
    error::AppError,
    live::protocol::CustomWire,
    users::{self, Listed},
};

use self::query::{QueryError, Search};

/// The query string of `/api/users`. Unknown parameters are ignored.
#[derive(Debug, Deserialize)]
pub struct UsersQuery {
    /// The start of a username; empty or absent lists everyone.
    #[serde(default)]
    pub q: String,
    /// The `next` of the previous page; empty or absent for the first.
    #[serde(default)]
    pub after: String,
}

/// One user of a page, as JSON.
#[derive(Debug, Serialize)]
pub struct UserJson {
    /// The name as typed at sign-up.
    pub username: String,
    /// `true` for online, away and do not disturb.
    pub online: bool,
    /// When they were last seen (Unix ms), if ever.
    pub last_seen_at: Option<i64>,
    /// `online`, `away`, `dnd` or `offline`.
    pub status: &'static str,
    /// Their custom status, if they have one and are not offline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom: Option<CustomWire>,
    /// The kinds of device they are on; empty when offline.
    pub devices: Vec<&'static str>,
}

impl From<Listed> for UserJson {
    fn from(listed: Listed) -> Self {
        let online = listed.online();
        let presence = listed.presence;
        Self {
            username: listed.username,
            online,
            last_seen_at: listed.last_seen_at,
            status: presence.status.as_str(),
            custom: presence.custom.as_ref().map(CustomWire::from),
            devices: presence.devices.names(),
        }
    }
}

/// One page of the directory, as JSON.
#[derive(Debug, Serialize)]
pub struct UsersPage {
    /// Up to [`users::PAGE_SIZE`] users, in the listing's order.
    pub users: Vec<UserJson>,
    /// The cursor of the next page, or `null` on the last one.
    pub next: Option<String>,
}

impl From<QueryError> for AppError {
    fn from(err: QueryError) -> Self {
        Self::BadRequest(err.to_string())
    }
}

/// `GET /api/users`.
pub async fn users(
    viewer: MaybeUser,
    query: web::Query<UsersQuery>,
    db: web::Data<DatabaseConnection>,
) -> Result<HttpResponse, AppError> {
    viewer.0.ok_or(AppError::Unauthorized)?;
    let search = Search::parse(&query.q)?;
    let now = now_millis();
    let body = if search.is_everyone() {
        let after = match query.after.as_str() {
            "" => None,
            cursor => Some(Search::resume_everyone(cursor)?),
        };
        let page = users::directory::ranked(&db, after.as_ref(), now).await?;
        UsersPage {
            next: page.next.as_ref().map(Search::everyone_after),
            users: page.users.into_iter().map(UserJson::from).collect(),
        }
    } else {
        let after = match query.after.as_str() {
            "" => None,
            cursor => Some(search.resume(cursor)?),
        };
        let page = users::directory::search(&db, search.prefix(), after.as_deref(), now).await?;
        UsersPage {
            next: page.next.map(|key| search.cursor_after(&key)),
            users: page.users.into_iter().map(UserJson::from).collect(),
        }
    };
    Ok(HttpResponse::Ok()
        // Statuses change by the second; a cached page would show stale ones.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body))
}
