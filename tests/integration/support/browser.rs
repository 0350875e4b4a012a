//! A browser stand-in: one cookie jar, no automatic redirects, and the
//! CSRF token read from the page like a person's browser would submit it.

use std::{net::IpAddr, sync::Arc, time::Duration};

use reqwest::{
    Client, Response, Url,
    cookie::{CookieStore, Jar},
    header,
    redirect::Policy,
};

use super::{PASSWORD, TestSocket};

/// The longest any one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// One user agent with its own cookies, as an incognito window.
pub struct Browser {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The cookie jar.
    pub jar: Arc<Jar>,
    client: Client,
}

impl Browser {
    /// A browser with an empty jar.
    pub fn new(address: &str) -> Self {
        Self::with(address, Client::builder())
    }

    /// A browser with an empty jar whose connections come from `local`,
    /// another loopback address (127.0.0.2, ...), as if from another
    /// machine.
    pub fn from_local_address(address: &str, local: IpAddr) -> Self {
        Self::with(address, Client::builder().local_address(local))
    }

    fn with(address: &str, builder: reqwest::ClientBuilder) -> Self {
        let jar = Arc::new(Jar::default());
        // A server that never answers fails its test in seconds, naming
        // the request, rather than hanging the whole run.
        let client = builder
            .timeout(REQUEST_TIMEOUT)
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .build()
            .expect("http client");
        Self {
            address: address.to_owned(),
            jar,
            client,
        }
    }

    /// The HTTP client, with this browser's cookies, for hand-made requests.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn url(&self, path: &str) -> Url {
        Url::parse(&format!("{}{path}", self.address)).expect("url")
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// `GET path` and the body.
    pub async fn page(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    /// `POST path` with a form body.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .expect("POST")
    }

    /// `POST path` with a raw body of the form content type.
    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> Response {
        self.client
            .post(self.url(path))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    /// The CSRF token of the form on `path`.
    pub async fn csrf_token(&self, path: &str) -> String {
        let page = self.page(path).await;
        csrf_token_in(&page).unwrap_or_else(|| panic!("no CSRF token on {path}"))
    }

    /// Fetches the form at `path` and submits `fields` with its token.
    pub async fn submit(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf_token(path).await;
        let mut form = fields.to_vec();
        form.push(("csrfmiddlewaretoken", &token));
        self.post(path, &form).await
    }

    /// Signs up through the form.
    pub async fn sign_up(&self, name: &str, password: &str) -> Response {
        self.submit(
            "/sign_up/",
            &[
                ("username", name),
                ("password1", password),
                ("password2", password),
            ],
        )
        .await
    }

    /// Logs in through the form.
    pub async fn log_in(&self, name: &str, password: &str) -> Response {
        self.submit("/log_in/", &[("username", name), ("password", password)])
            .await
    }

    /// Signs `name` up with [`PASSWORD`] and logs them in, asserting that
    /// the login worked: the set-up most tests start from.
    pub async fn sign_up_and_log_in(&self, name: &str) {
        self.sign_up(name, PASSWORD).await;
        let response = self.log_in(name, PASSWORD).await;
        assert_eq!(response.status(), 303, "login of {name} failed");
    }

    /// Logs out with the button on the list page.
    pub async fn log_out(&self) -> Response {
        let page = self.page("/").await;
        let token = csrf_token_in(&page).expect("log-out button on /");
        self.post("/log_out/", &[("csrfmiddlewaretoken", &token)])
            .await
    }

    /// The `Cookie` header this browser sends to the app, the session
    /// cookie first: tests that hand it whole to `Jar::add_cookie_str`,
    /// which reads only the first pair, then copy the login (the jar's own
    /// order is arbitrary, and `csrftoken` is there too).
    pub fn cookie_header(&self) -> Option<String> {
        let header = self.jar.cookies(&self.url("/"))?;
        let mut pairs: Vec<&str> = header.to_str().ok()?.split("; ").collect();
        pairs.sort_by_key(|pair| !pair.starts_with("sessionid="));
        Some(pairs.join("; "))
    }

    /// Opens `/users/` with this browser's cookies and its own origin.
    pub async fn socket(&self) -> TestSocket {
        TestSocket::open(self, Some(&self.address.clone()))
            .await
            .expect("WebSocket upgrade accepted")
    }
}

/// The value of the hidden `csrfmiddlewaretoken` input in a page.
pub fn csrf_token_in(page: &str) -> Option<String> {
    let marker = r#"name="csrfmiddlewaretoken" value=""#;
    let start = page.find(marker)? + marker.len();
    let end = page[start..].find('"')? + start;
    Some(page[start..end].to_owned())
}

/// The `data-status` of `name` in a rendered list, if listed.
pub fn status_in(page: &str, name: &str) -> Option<String> {
    let marker = format!(r#"data-username="{name}" data-status=""#);
    let start = page.find(&marker)? + marker.len();
    let end = page[start..].find('"')? + start;
    Some(page[start..end].to_owned())
}

/// The usernames of a rendered list, in page order.
pub fn listed_names(page: &str) -> Vec<String> {
    page.split(r#"data-username=""#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next().map(str::to_owned))
        .collect()
}
