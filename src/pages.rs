//! The user list at `/`, and the small response helpers pages share.
//!
//! The list shows the first page of everyone in the list's order: online
//! users first, then away and do not disturb, then offline. Never the
//! whole directory, nor every online user: with 100,000 of them, rendering
//! them all would take seconds and megabytes. The rest is a search or a
//! "Show more" away, through `/api/users` (see [`crate::api`]).

pub mod last_seen;
pub mod list_items;

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use sea_orm::DatabaseConnection;
use tera::Context;

use crate::{
    api::query::Search,
    auth::{AuthSettings, CurrentUser, MaybeUser},
    db::now_millis,
    error::AppError,
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

/// `GET /`: the first page of everyone in the list's order (online users
/// first, then away and do not disturb, then offline, each part by name),
/// rendered from the `LoggedInUser` rows, each with their status as others
/// see it (an invisible user, the viewer too, is offline here). The page
/// is the same size with 100 users online as with 100,000: the script
/// pages on from the cursor in `data-next`, and its socket watches only
/// the users the page shows.
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
    let first = users::directory::ranked(&db, None, now).await?;
    let online_count = users::directory::shown_online(&db).await?;
    let mut lines = String::with_capacity(300 * first.users.len());
    for user in &first.users {
        let seen = (!user.online()).then_some(user.last_seen_at).flatten();
        list_items::item(&mut lines, &user.username, &user.presence, seen, now);
    }
    let next = first.next.as_ref().map(Search::everyone_after);
    let mut context = Context::new();
    context.insert("viewer", viewer.username.as_str());
    // Online, away and do not disturb; never an invisible user.
    context.insert("online_count", &online_count);
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
