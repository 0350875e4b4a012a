//! The JSON API behind the user list's search box and "Show more" button.
//!
//! `GET /api/users?q=PREFIX&after=CURSOR` answers one page of the users
//! whose name starts with `PREFIX` (ignoring case; every user when empty),
//! in name order, each with their status:
//!
//! ```json
//! {"users":[{"username":"alice","online":true,"last_seen_at":1763683200000}],
//!  "next":"616c2f616c696365"}
//! ```
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
    error::AppError,
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

/// One page of the directory, as JSON.
#[derive(Debug, Serialize)]
pub struct UsersPage {
    /// Up to [`users::PAGE_SIZE`] users in name order.
    pub users: Vec<Listed>,
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
    let after = match query.after.as_str() {
        "" => None,
        cursor => Some(search.resume(cursor)?),
    };
    let page = users::directory::search(&db, search.prefix(), after.as_deref()).await?;
    let body = UsersPage {
        next: page.next.map(|key| search.cursor_after(&key)),
        users: page.users,
    };
    Ok(HttpResponse::Ok()
        // Statuses change by the second; a cached page would show stale ones.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body))
}
