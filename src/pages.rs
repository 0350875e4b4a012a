//! The user list at `/`, and the small response helpers pages share.
//!
//! The list shows every online user, then the offline users among the
//! first page of the directory by name; never the whole directory: with 100,000 accounts, rendering them all
//! would take seconds and megabytes. The rest is a search or a
//! "Show more" away, through `/api/users` (see [`crate::api`]).

pub mod last_seen;
pub mod list_items;

use std::collections::HashSet;

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use sea_orm::DatabaseConnection;
use tera::Context;

use crate::{
    api::query::Search,
    auth::{AuthSettings, MaybeUser},
    db::now_millis,
    error::AppError,
    templates, users,
};

/// A `303 See Other` to `location`: the answer to a form POST, and to a
/// page that needs a login.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// `GET /`: every online user, then the offline users of the directory's
/// first page, by name, rendered from the `LoggedInUser` rows. The page's script keeps it
/// live and pages on from the cursor in `data-next`.
pub async fn user_list(
    req: HttpRequest,
    viewer: MaybeUser,
    db: web::Data<DatabaseConnection>,
    settings: web::Data<AuthSettings>,
) -> Result<HttpResponse, AppError> {
    let Some(viewer) = viewer.0 else {
        return Ok(see_other("/log_in/?next=/"));
    };
    let online = users::directory::online_names(&db).await?;
    let first = users::directory::search(&db, "", None).await?;
    let now = now_millis();
    let mut lines = String::with_capacity(200 * (online.len() + first.users.len()));
    for name in &online {
        list_items::online(&mut lines, name);
    }
    // The first page of everyone by name, less those already listed as
    // online: "Show more" continues that same listing from the API, and
    // the page's script skips the online users it repeats. The online set
    // read above decides, not each user's `online` flag: someone who came
    // online between the two reads would otherwise be in neither part.
    // The socket's snapshot corrects such a line a moment later.
    let listed: HashSet<&str> = online.iter().map(String::as_str).collect();
    for user in &first.users {
        if !listed.contains(user.username.as_str()) {
            list_items::offline(&mut lines, &user.username, user.last_seen_at, now);
        }
    }
    let next = first.next.map(|key| Search::everyone().cursor_after(&key));
    let mut context = Context::new();
    context.insert("viewer", viewer.username.as_str());
    context.insert("online_count", &online.len());
    context.insert("next", &next);
    // The log-out button's token; a login from before the CSRF cookie
    // existed gets one now.
    let secret = settings.csrf.secret(&req);
    context.insert("csrf_token", &secret.form_token());
    let mut response =
        templates::render_with_fragment("user_list.html", &mut context, "lines", &lines)?;
    settings.csrf.attach(&secret, &mut response)?;
    Ok(response)
}

/// Any route that does not exist.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
