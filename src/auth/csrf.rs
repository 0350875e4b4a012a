//! Session-bound CSRF tokens.
//!
//! Every form carries the token of its session in a hidden
//! `csrfmiddlewaretoken` field (Django's name). A POST whose token does not
//! match the one stored server-side in its session is refused with 403. A
//! cross-site page can make the browser send the cookie, but it cannot read
//! the token, so it cannot forge the form.

use actix_session::Session;

use crate::{auth::token, error::AppError};

/// The session key the token is stored under.
const SESSION_KEY: &str = "csrf";
/// 43 alphanumeric characters: about 256 bits.
const TOKEN_LEN: usize = 43;

/// The session's token, created on first use.
pub fn token(session: &Session) -> Result<String, AppError> {
    if let Ok(Some(existing)) = session.get::<String>(SESSION_KEY) {
        return Ok(existing);
    }
    rotate(session)
}

/// Replaces the session's token, as happens at login so a token seen by
/// an anonymous page is useless afterwards.
pub fn rotate(session: &Session) -> Result<String, AppError> {
    let fresh = token::random(TOKEN_LEN);
    session
        .insert(SESSION_KEY, &fresh)
        .map_err(AppError::internal)?;
    Ok(fresh)
}

/// Accepts `submitted` only if it is this session's token.
pub fn verify(session: &Session, submitted: &str) -> Result<(), AppError> {
    match session.get::<String>(SESSION_KEY) {
        Ok(Some(expected)) if token::constant_time_eq(&expected, submitted) => Ok(()),
        _ => Err(AppError::Csrf),
    }
}
