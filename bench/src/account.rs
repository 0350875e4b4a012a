//! Sign-up and login through the public forms, the way a browser does it.
//!
//! Both servers want the form page fetched first: it carries the CSRF
//! token, bound to the session (presence, Node) or to the `csrftoken`
//! cookie (Django). A successful POST answers with a redirect (303 on
//! presence and Node, 302 on Django); a refused one renders the form again
//! with 200.
//!
//! Users are named deterministically from a prefix, so a later run against
//! the same database logs the same users in instead of signing them up
//! again.

use std::sync::Arc;

use anyhow::{Context, bail};
use futures_util::{StreamExt, stream};

use crate::{
    cookies::CookieJar,
    http::{HttpConn, Response},
    target::Target,
};

/// What a 429 means for the generator.
const RATE_LIMITED: &str = "the server rate-limits the forms (429); \
     start presence with SIGNUP_LIMIT=0 LOGIN_FAILURE_LIMIT=0 LOGIN_ADDRESS_FAILURE_LIMIT=0";

/// Django's (and presence's, and Node's) message for a taken username.
const TAKEN: &str = "A user with that username already exists.";

/// A logged-in user: the `Cookie` header that authenticates them.
#[derive(Clone, Debug)]
pub struct Login {
    /// Their name.
    pub username: String,
    /// The cookies of the login, for the WebSocket handshake.
    pub cookie: String,
}

/// Fetches a form page and returns its token, keeping its cookies.
async fn form_token(
    conn: &mut HttpConn,
    path: &str,
    jar: &mut CookieJar,
) -> anyhow::Result<String> {
    let page = conn.get(path, &jar.header()).await?;
    jar.absorb(&page);
    if page.status != 200 {
        bail!("GET {path} answered {}", page.status);
    }
    csrf_token(&page.body).with_context(|| format!("no CSRF token on {path}"))
}

/// Logs `username` in from a fresh cookie jar. `Ok(None)` when the server
/// refuses the credentials (the account may not exist yet).
pub async fn log_in(
    conn: &mut HttpConn,
    username: &str,
    password: &str,
) -> anyhow::Result<Option<Login>> {
    let mut jar = CookieJar::default();
    let token = form_token(conn, "/log_in/", &mut jar).await?;
    let fields = [
        ("username", username),
        ("password", password),
        ("csrfmiddlewaretoken", token.as_str()),
    ];
    let response = conn.post_form("/log_in/", &jar.header(), &fields).await?;
    jar.absorb(&response);
    match response.status {
        300..=399 => Ok(Some(Login {
            username: username.to_owned(),
            cookie: jar.header(),
        })),
        200 => Ok(None),
        429 => bail!("{RATE_LIMITED} (POST /log_in/ for {username})"),
        status => bail!("POST /log_in/ for {username} answered {status}"),
    }
}

/// An anonymous session on the sign-up form. Signing up does not log in,
/// so one session (and one token) serves any number of sign-ups.
#[derive(Default)]
pub struct SignUpForm {
    jar: CookieJar,
    token: Option<String>,
}

impl SignUpForm {
    /// Creates `username`; an already taken name counts as success.
    pub async fn sign_up(
        &mut self,
        conn: &mut HttpConn,
        username: &str,
        password: &str,
    ) -> anyhow::Result<()> {
        // A token refused with 403 (say, the session expired) is renewed once.
        for _attempt in 0..2 {
            let token = match &self.token {
                Some(token) => token.clone(),
                None => {
                    let token = form_token(conn, "/sign_up/", &mut self.jar).await?;
                    self.token = Some(token.clone());
                    token
                }
            };
            let fields = [
                ("username", username),
                ("password1", password),
                ("password2", password),
                ("csrfmiddlewaretoken", token.as_str()),
            ];
            let response = conn
                .post_form("/sign_up/", &self.jar.header(), &fields)
                .await?;
            self.jar.absorb(&response);
            match response.status {
                300..=399 => return Ok(()),
                200 if response.body_contains(TAKEN) => return Ok(()),
                200 => bail!("sign-up of {username} refused: {}", form_errors(&response)),
                403 => self.token = None,
                429 => bail!("{RATE_LIMITED} (POST /sign_up/ for {username})"),
                status => bail!("POST /sign_up/ for {username} answered {status}"),
            }
        }
        bail!("sign-up of {username}: CSRF token refused twice")
    }
}

/// The first error list of a re-rendered form, for error messages.
fn form_errors(response: &Response) -> String {
    let body = String::from_utf8_lossy(&response.body);
    let Some(start) = body.find("errorlist") else {
        return "no error shown".to_owned();
    };
    body[start..].chars().take(200).collect()
}

/// Logs every user in, signing up those that do not exist yet, with
/// `concurrency` connections at once. The result is in the order of
/// `usernames`.
pub async fn ensure_logged_in(
    target: &Arc<Target>,
    usernames: Vec<String>,
    password: &str,
    concurrency: usize,
) -> anyhow::Result<Vec<Login>> {
    let workers = concurrency.clamp(1, usernames.len().max(1));
    let chunks = split(usernames, workers);
    let results: Vec<anyhow::Result<Vec<Login>>> = stream::iter(chunks)
        .map(|chunk| {
            let target = target.clone();
            let password = password.to_owned();
            async move {
                let mut conn = HttpConn::new(target);
                let mut form = SignUpForm::default();
                let mut logins = Vec::with_capacity(chunk.len());
                for username in chunk {
                    let login = match log_in(&mut conn, &username, &password).await? {
                        Some(login) => login,
                        None => {
                            form.sign_up(&mut conn, &username, &password).await?;
                            log_in(&mut conn, &username, &password)
                                .await?
                                .with_context(|| {
                                    format!("{username} cannot log in after signing up")
                                })?
                        }
                    };
                    logins.push(login);
                }
                Ok(logins)
            }
        })
        .buffered(workers)
        .collect()
        .await;
    let mut logins = Vec::new();
    for result in results {
        logins.extend(result?);
    }
    Ok(logins)
}

/// Makes sure every user exists, without logging anyone in.
pub async fn ensure_signed_up(
    target: &Arc<Target>,
    usernames: Vec<String>,
    password: &str,
    concurrency: usize,
) -> anyhow::Result<()> {
    let workers = concurrency.clamp(1, usernames.len().max(1));
    let results: Vec<anyhow::Result<()>> = stream::iter(split(usernames, workers))
        .map(|chunk| {
            let target = target.clone();
            let password = password.to_owned();
            async move {
                let mut conn = HttpConn::new(target);
                let mut form = SignUpForm::default();
                for username in chunk {
                    form.sign_up(&mut conn, &username, &password).await?;
                }
                Ok(())
            }
        })
        .buffer_unordered(workers)
        .collect()
        .await;
    results.into_iter().collect()
}

/// Splits `items` into `parts` contiguous runs of nearly equal length.
fn split<T>(items: Vec<T>, parts: usize) -> Vec<Vec<T>> {
    let per = items.len().div_ceil(parts.max(1)).max(1);
    let mut chunks = Vec::new();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        chunks.push(items.by_ref().take(per).collect());
    }
    chunks
}

/// Deterministic user names: `{prefix}-{role}{index}`.
pub fn names(prefix: &str, role: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}-{role}{i}")).collect()
}

/// The value of the form's hidden `csrfmiddlewaretoken` input.
pub fn csrf_token(body: &[u8]) -> Option<String> {
    const MARKER: &str = r#"name="csrfmiddlewaretoken" value=""#;
    let text = String::from_utf8_lossy(body);
    let start = text.find(MARKER)? + MARKER.len();
    let len = text[start..].find('"')?;
    Some(text[start..start + len].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csrf_token_is_found_in_a_form() {
        let page =
            br#"<form><input type="hidden" name="csrfmiddlewaretoken" value="abc123"></form>"#;
        assert_eq!(csrf_token(page).as_deref(), Some("abc123"));
        assert_eq!(csrf_token(b"<p>no form</p>"), None);
    }
}
