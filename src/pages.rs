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
    auth::{AuthSettings, CurrentUser, MaybeUser},
    db::now_millis,
    error::AppError,
    live::status::Presence,
    templates, users,
};

/// What the list page hands its script, from the settings.
#[derive(Clone, Copy, Debug)]
pub struct PageSettings {
    /// `PRESENCE_IDLE_MS`: how long without input (or hidden) before the
    /// page reports its connection idle.
    pub idle_ms: u64,
}

impl From<&crate::config::Config> for PageSettings {
    fn from(config: &crate::config::Config) -> Self {
        Self {
            idle_ms: config.presence_idle_ms,
        }
    }
}

/// A `303 See Other` to `location`: the answer to a form POST, and to a
/// page that needs a login.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// `GET /`: every online user, then the offline users of the directory's
/// first page, by name, rendered from the `LoggedInUser` rows, each with
/// their status as others see it (an invisible user, the viewer too, is
/// offline here). The page's script keeps it live and pages on from the
/// cursor in `data-next`.
pub async fn user_list(
    req: HttpRequest,
    viewer: MaybeUser,
    db: web::Data<DatabaseConnection>,
    settings: web::Data<AuthSettings>,
    page: web::Data<PageSettings>,
) -> Result<HttpResponse, AppError> {
    let Some(viewer) = viewer.0 else {
        return Ok(see_other("/log_in/?next=/"));
    };
    let now = now_millis();
    let online = users::directory::online(&db, now).await?;
    let first = users::directory::search(&db, "", None, now).await?;
    let mut lines = String::with_capacity(300 * (online.len() + first.users.len()));
    for user in &online {
        list_items::item(&mut lines, &user.username, &user.presence, None, now);
    }
    // The first page of everyone by name, less those already listed as
    // online: "Show more" continues that same listing from the API, and
    // the page's script skips the online users it repeats. The online set
    // read above decides, not each user's `online` flag: someone who came
    // online between the two reads would otherwise be in neither part.
    // The socket's snapshot corrects such a line a moment later.
    let listed: HashSet<&str> = online.iter().map(|user| user.username.as_str()).collect();
    for user in &first.users {
        if !listed.contains(user.username.as_str()) {
            let offline = Presence::OFFLINE;
            list_items::item(&mut lines, &user.username, &offline, user.last_seen_at, now);
        }
    }
    let next = first.next.map(|key| Search::everyone().cursor_after(&key));
    let mut context = Context::new();
    context.insert("viewer", viewer.username.as_str());
    // Online, away and do not disturb; never an invisible user.
    context.insert("online_count", &online.len());
    context.insert("next", &next);
    insert_own_status(&mut context, &viewer, page.idle_ms, now);
    // The log-out button's token; a login from before the CSRF cookie
    // existed gets one now.
    let secret = settings.csrf.secret(&req);
    context.insert("csrf_token", &secret.form_token());
    let mut response =
        templates::render_with_fragment("user_list.html", &mut context, "lines", &lines)?;
    settings.csrf.attach(&secret, &mut response)?;
    Ok(response)
}

/// Hands the page's script its settings and what the viewer chose:
/// `idle_ms`, `my_status` (`auto`, `dnd` or `invisible`), `my_custom_text`
/// (empty without a custom status, or once it expired) and
/// `my_custom_until` (Unix ms, or empty when it never expires).
fn insert_own_status(context: &mut Context, viewer: &CurrentUser, idle_ms: u64, now: i64) {
    let profile = &viewer.profile;
    let custom = profile.custom_at(now);
    context.insert("idle_ms", &idle_ms);
    context.insert("my_status", profile.manual.as_str());
    context.insert("my_custom_text", custom.map_or("", |c| c.text.as_str()));
    let until = custom
        .and_then(|c| c.until)
        .map_or_else(String::new, |until| until.to_string());
    context.insert("my_custom_until", &until);
}

/// Any route that does not exist.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        auth::{SessionId, Username},
        live::status::{CustomStatus, Manual, Profile, StatusText},
    };

    fn viewer(profile: Profile) -> CurrentUser {
        CurrentUser {
            id: 1,
            username: Username::parse("amy").unwrap(),
            session: SessionId::from_string("s"),
            profile,
        }
    }

    fn own(context: &Context, key: &str) -> serde_json::Value {
        context.get(key).cloned().unwrap_or_default()
    }

    #[test]
    fn the_page_gets_the_idle_timeout_and_the_viewers_own_choice() {
        let profile = Profile {
            manual: Manual::Dnd,
            custom: Some(CustomStatus {
                text: StatusText::parse("🎧 focus").unwrap(),
                until: Some(2_000),
            }),
        };
        let mut context = Context::new();
        insert_own_status(&mut context, &viewer(profile), 1_234, 1_000);
        assert_eq!(own(&context, "idle_ms"), 1_234);
        assert_eq!(own(&context, "my_status"), "dnd");
        assert_eq!(own(&context, "my_custom_text"), "🎧 focus");
        assert_eq!(own(&context, "my_custom_until"), "2000");
    }

    #[test]
    fn an_expired_or_missing_custom_status_is_handed_over_empty() {
        let profile = Profile {
            manual: Manual::Invisible,
            custom: Some(CustomStatus {
                text: StatusText::parse("lunch").unwrap(),
                until: Some(2_000),
            }),
        };
        let mut context = Context::new();
        insert_own_status(&mut context, &viewer(profile), 1, 2_000);
        assert_eq!(own(&context, "my_status"), "invisible");
        assert_eq!(own(&context, "my_custom_text"), "");
        assert_eq!(own(&context, "my_custom_until"), "");
        insert_own_status(&mut context, &viewer(Profile::default()), 1, 0);
        assert_eq!(own(&context, "my_status"), "auto");
        assert_eq!(own(&context, "my_custom_text"), "");
    }
}
