//! Who is making this request: the identity in the session, checked
//! against the account (from the table, or from a single node's
//! [`AccountMemory`]).
//!
//! A login stores two things in the server-side session: the user's id
//! (through actix-identity) and a random [`SessionId`] naming this login.
//! Sockets opened under the login carry its `SessionId`, so a logout can
//! close exactly those sockets and no others.

use std::{fmt, future::Future, pin::Pin, sync::Arc};

use actix_identity::Identity;
use actix_session::{Session, SessionExt};
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};
use sea_orm::DatabaseConnection;

use crate::{
    auth::{Username, token},
    error::AppError,
    live::status::Profile,
    users::{self, AccountMemory},
};

/// The session key of the login id.
const SESSION_ID_KEY: &str = "sid";

/// The random id of one login: every socket opened under it carries it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(Arc<str>);

impl SessionId {
    /// A fresh random id.
    pub fn generate() -> Self {
        Self(Arc::from(token::random(22)))
    }

    /// An id from a known string (tests and stand-in sessions use this).
    pub fn from_string(id: impl Into<String>) -> Self {
        Self(Arc::from(id.into()))
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only a prefix: the id is not secret, but it needn't be in logs whole.
        write!(f, "SessionId({}…)", self.0.get(..6).unwrap_or(&self.0))
    }
}

/// The logged-in user of a request.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    /// Their account id.
    pub id: i64,
    /// Their name.
    pub username: Username,
    /// This login.
    pub session: SessionId,
    /// What they chose for their status.
    pub profile: Profile,
}

/// The logged-in user, if any. Extracting it never fails for anonymous
/// requests; it fails only when the database cannot answer.
pub struct MaybeUser(pub Option<CurrentUser>);

/// Added to the request's extensions so the request log can name the user.
#[derive(Clone)]
pub struct LoggedUser(pub Username);

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let db = req
                .app_data::<web::Data<DatabaseConnection>>()
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("no database in app data")))?;
            let memory = req.app_data::<web::Data<AccountMemory>>().ok_or_else(|| {
                AppError::internal(anyhow::anyhow!("no account memory in app data"))
            })?;
            let user = resolve(&req, db, memory).await?;
            if let Some(user) = &user {
                req.extensions_mut()
                    .insert(LoggedUser(user.username.clone()));
            }
            Ok(Self(user))
        })
    }
}

async fn resolve(
    req: &HttpRequest,
    db: &DatabaseConnection,
    memory: &AccountMemory,
) -> Result<Option<CurrentUser>, AppError> {
    let Ok(identity) = Identity::extract(req).await else {
        return Ok(None);
    };
    let Some(id) = identity.id().ok().and_then(|id| id.parse::<i64>().ok()) else {
        return Ok(None);
    };
    let session = req.get_session();
    let Ok(Some(sid)) = session.get::<String>(SESSION_ID_KEY) else {
        return Ok(None);
    };
    let Some((username, profile)) = users::name_and_profile(db, memory, id).await? else {
        return Ok(None);
    };
    Ok(Some(CurrentUser {
        id,
        username,
        session: SessionId::from_string(sid),
        profile,
    }))
}

/// Logs `user_id` in on this request's session: renews the session key (so
/// a cookie captured before the login is worthless) and names the login
/// with a fresh [`SessionId`]. (The caller replaces the CSRF secret.)
pub fn log_in(req: &HttpRequest, session: &Session, user_id: i64) -> Result<SessionId, AppError> {
    Identity::login(&req.extensions(), user_id.to_string()).map_err(AppError::internal)?;
    let sid = SessionId::generate();
    session
        .insert(SESSION_ID_KEY, sid.as_str())
        .map_err(AppError::internal)?;
    Ok(sid)
}

/// Ends the login: the session is deleted from the store, so the cookie,
/// and any copy of it, no longer authenticates.
pub fn log_out(session: &Session) {
    session.purge();
}
