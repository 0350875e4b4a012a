//! CSRF protection without server-side state, as Django does it.
//!
//! The browser holds a random secret in the `csrftoken` cookie, signed
//! with the server's key so that only this server can have issued it.
//! Every form carries the secret, masked anew for each page ([`mask`]), in
//! a hidden `csrfmiddlewaretoken` field (Django's name). A POST is accepted
//! only when its field unmasks to the secret of its cookie: a cross-site
//! page can make the browser send the cookie, but it can neither read it
//! nor the form, so it cannot forge the pair.
//!
//! Nothing is stored on the server, so an anonymous visitor of the forms
//! costs no session row (a session starts only at login). The secret is
//! replaced at login and at logout, so a token seen before either is
//! useless after it.

pub mod mask;

use actix_web::{
    HttpRequest, HttpResponse,
    cookie::{Cookie, CookieJar, Key, SameSite, time::Duration},
};

use crate::{auth::token, error::AppError};

/// The cookie's name (Django's).
pub const COOKIE_NAME: &str = "csrftoken";
/// How long the cookie lasts: Django's `CSRF_COOKIE_AGE`, a year.
const COOKIE_DAYS: i64 = 365;

/// Signs and checks `csrftoken` cookies, shared through `AuthSettings`.
#[derive(Clone)]
pub struct Csrf {
    key: Key,
}

/// The secret behind one response's forms: the browser's own, or a new
/// one that the response must set (see [`Csrf::attach`]).
pub struct CsrfSecret {
    secret: String,
    new: bool,
}

impl CsrfSecret {
    /// A token for one form: the secret under a fresh mask.
    pub fn form_token(&self) -> String {
        mask::mask(&self.secret)
    }
}

impl Csrf {
    /// Signs with a key derived from the cookie key, so a value signed for
    /// one purpose is never valid for the other.
    pub fn new(key: &Key) -> Self {
        let mut master = key.master().to_vec();
        master.extend_from_slice(b"presence csrftoken");
        Self {
            key: Key::derive_from(&master),
        }
    }

    /// The secret of the request's valid cookie, if it has one.
    fn cookie_secret(&self, req: &HttpRequest) -> Option<String> {
        let cookie = req.cookie(COOKIE_NAME)?;
        let jar = CookieJar::new();
        let verified = jar.signed(&self.key).verify(cookie)?;
        let secret = verified.value();
        mask::is_secret(secret).then(|| secret.to_owned())
    }

    /// The secret to render the request's forms with: the cookie's, or a
    /// new one when there is no valid cookie.
    pub fn secret(&self, req: &HttpRequest) -> CsrfSecret {
        match self.cookie_secret(req) {
            Some(secret) => CsrfSecret { secret, new: false },
            None => Self::rotated(),
        }
    }

    /// A new secret, replacing the browser's: at login and at logout.
    pub fn rotated() -> CsrfSecret {
        CsrfSecret {
            secret: mask::new_secret(),
            new: true,
        }
    }

    /// Accepts `submitted` only if it unmasks to the secret of the
    /// request's signed cookie; compared in constant time.
    pub fn verify(&self, req: &HttpRequest, submitted: &str) -> Result<(), AppError> {
        let expected = self.cookie_secret(req).ok_or(AppError::Csrf)?;
        let carried = mask::unmask(submitted).ok_or(AppError::Csrf)?;
        if token::constant_time_eq(&expected, &carried) {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }

    /// Sets the cookie on `response` when `secret` is new. `Secure` is
    /// added by the security middleware where it applies.
    pub fn attach(&self, secret: &CsrfSecret, response: &mut HttpResponse) -> Result<(), AppError> {
        if !secret.new {
            return Ok(());
        }
        let mut jar = CookieJar::new();
        jar.signed_mut(&self.key).add(
            Cookie::build(COOKIE_NAME, secret.secret.clone())
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .max_age(Duration::days(COOKIE_DAYS))
                .finish(),
        );
        for cookie in jar.delta() {
            response.add_cookie(cookie).map_err(AppError::internal)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn csrf() -> Csrf {
        Csrf::new(&Key::generate())
    }

    /// A request carrying the cookie that `csrf` set for `secret`.
    fn request_with(csrf: &Csrf, secret: &CsrfSecret) -> HttpRequest {
        let mut response = HttpResponse::Ok().finish();
        csrf.attach(secret, &mut response).unwrap();
        let cookie = response.cookies().next().expect("a cookie").into_owned();
        TestRequest::default().cookie(cookie).to_http_request()
    }

    #[test]
    fn a_form_token_of_the_cookies_secret_is_accepted() {
        let csrf = csrf();
        let secret = Csrf::rotated();
        let req = request_with(&csrf, &secret);
        assert!(csrf.verify(&req, &secret.form_token()).is_ok());
        assert!(!csrf.secret(&req).new, "a valid cookie is kept");
    }

    #[test]
    fn a_token_of_another_secret_is_refused() {
        let csrf = csrf();
        let req = request_with(&csrf, &Csrf::rotated());
        assert!(csrf.verify(&req, &Csrf::rotated().form_token()).is_err());
    }

    #[test]
    fn a_cookie_signed_with_another_key_is_refused_and_replaced() {
        let secret = Csrf::rotated();
        let req = request_with(&csrf(), &secret);
        let other = csrf();
        assert!(other.verify(&req, &secret.form_token()).is_err());
        assert!(other.secret(&req).new);
    }

    #[test]
    fn a_request_without_the_cookie_is_refused() {
        let req = TestRequest::default().to_http_request();
        assert!(csrf().verify(&req, &Csrf::rotated().form_token()).is_err());
    }

    #[test]
    fn a_known_secret_sets_no_cookie() {
        let csrf = csrf();
        let req = request_with(&csrf, &Csrf::rotated());
        let mut response = HttpResponse::Ok().finish();
        csrf.attach(&csrf.secret(&req), &mut response).unwrap();
        assert_eq!(response.cookies().count(), 0);
    }
}
