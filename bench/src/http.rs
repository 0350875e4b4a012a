//! A tiny HTTP/1.1 client: just enough for the account forms and `GET /`.
//!
//! One [`HttpConn`] is one keep-alive connection, reopened when the server
//! closes it. Responses are read whole (`Content-Length`, chunked, or up
//! to end of stream). Cookies are kept by the caller in a [`CookieJar`],
//! so one connection can serve many users in turn (see [`crate::cookies`]).

use std::sync::Arc;

use anyhow::{Context, bail};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::target::Target;

/// The largest response body accepted (the user list at 100,000 users is
/// a few MiB).
const MAX_BODY: usize = 64 * 1024 * 1024;
/// The most headers a response may have.
const MAX_HEADERS: usize = 32;

/// A whole response.
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Every `Set-Cookie` value.
    pub set_cookies: Vec<String>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Response {
    /// Whether the body contains `needle`.
    pub fn body_contains(&self, needle: &str) -> bool {
        self.body
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
    }
}

/// One keep-alive connection to the server.
pub struct HttpConn {
    target: Arc<Target>,
    stream: Option<TcpStream>,
    buf: Vec<u8>,
}

impl HttpConn {
    /// A connection that dials on first use.
    pub fn new(target: Arc<Target>) -> Self {
        Self {
            target,
            stream: None,
            buf: Vec::new(),
        }
    }

    /// `GET path` with `cookie`.
    pub async fn get(&mut self, path: &str, cookie: &str) -> anyhow::Result<Response> {
        self.request("GET", path, cookie, &[]).await
    }

    /// `POST path` with a form-encoded body.
    pub async fn post_form(
        &mut self,
        path: &str,
        cookie: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<Response> {
        let body: Vec<String> = fields
            .iter()
            .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
            .collect();
        self.request("POST", path, cookie, body.join("&").as_bytes())
            .await
    }

    async fn request(
        &mut self,
        method: &str,
        path: &str,
        cookie: &str,
        body: &[u8],
    ) -> anyhow::Result<Response> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: presence-bench\r\n",
            self.target.authority
        );
        if !cookie.is_empty() {
            head.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        if method == "POST" {
            head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        let mut message = head.into_bytes();
        message.extend_from_slice(body);

        // A reused connection may have been closed by the server while
        // idle; then the request never reached it and is sent again once.
        let reused = self.stream.is_some();
        match self.exchange(&message).await {
            Ok(response) => Ok(response),
            Err(Failure::BeforeResponse(_)) if reused => match self.exchange(&message).await {
                Ok(response) => Ok(response),
                Err(failure) => Err(failure.into_error(method, path)),
            },
            Err(failure) => Err(failure.into_error(method, path)),
        }
    }

    async fn exchange(&mut self, message: &[u8]) -> Result<Response, Failure> {
        if self.stream.is_none() {
            let stream = self.target.dial().await.map_err(Failure::BeforeResponse)?;
            self.stream = Some(stream);
            self.buf.clear();
        }
        let result = self.exchange_on_open(message).await;
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    async fn exchange_on_open(&mut self, message: &[u8]) -> Result<Response, Failure> {
        let Some(stream) = self.stream.as_mut() else {
            return Err(Failure::BeforeResponse(anyhow::anyhow!("not connected")));
        };
        stream
            .write_all(message)
            .await
            .map_err(|err| Failure::BeforeResponse(err.into()))?;
        let (status, set_cookies, framing, close, header_len) = loop {
            if let Some(parsed) = parse_head(&self.buf).map_err(Failure::During)? {
                break parsed;
            }
            if self.fill().await.map_err(Failure::During)? == 0 {
                return Err(if self.buf.is_empty() {
                    Failure::BeforeResponse(anyhow::anyhow!("connection closed"))
                } else {
                    Failure::During(anyhow::anyhow!("connection closed mid-response"))
                });
            }
        };
        self.buf.drain(..header_len);
        let body = self.read_body(framing).await.map_err(Failure::During)?;
        if close {
            self.stream = None;
        }
        Ok(Response {
            status,
            set_cookies,
            body,
        })
    }

    /// Reads more bytes into the buffer; 0 at end of stream.
    async fn fill(&mut self) -> anyhow::Result<usize> {
        let Some(stream) = self.stream.as_mut() else {
            return Ok(0);
        };
        let mut chunk = [0u8; 16 * 1024];
        let read = stream.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..read]);
        if self.buf.len() > MAX_BODY {
            bail!("response larger than {MAX_BODY} bytes");
        }
        Ok(read)
    }

    async fn fill_to(&mut self, len: usize) -> anyhow::Result<()> {
        while self.buf.len() < len {
            if self.fill().await? == 0 {
                bail!("connection closed mid-body");
            }
        }
        Ok(())
    }

    async fn read_body(&mut self, framing: Framing) -> anyhow::Result<Vec<u8>> {
        match framing {
            Framing::Length(len) => {
                self.fill_to(len).await?;
                Ok(self.buf.drain(..len).collect())
            }
            Framing::Chunked => {
                let mut body = Vec::new();
                loop {
                    let line_end = loop {
                        if let Some(at) = find_crlf(&self.buf) {
                            break at;
                        }
                        if self.fill().await? == 0 {
                            bail!("connection closed in a chunk header");
                        }
                    };
                    let size_text = std::str::from_utf8(&self.buf[..line_end])?;
                    let size_text = size_text.split(';').next().unwrap_or("").trim();
                    let size = usize::from_str_radix(size_text, 16)
                        .with_context(|| format!("bad chunk size {size_text:?}"))?;
                    self.buf.drain(..line_end + 2);
                    if size == 0 {
                        // No trailers are expected: just the final CRLF.
                        self.fill_to(2).await?;
                        self.buf.drain(..2);
                        return Ok(body);
                    }
                    self.fill_to(size + 2).await?;
                    body.extend(self.buf.drain(..size));
                    self.buf.drain(..2);
                }
            }
            Framing::UntilClose => {
                while self.fill().await? > 0 {}
                self.stream = None;
                Ok(std::mem::take(&mut self.buf))
            }
        }
    }
}

/// How a response body is delimited.
#[derive(Clone, Copy)]
enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

/// Whether a request failed before any response byte (safe to resend on
/// a fresh connection) or during the response.
enum Failure {
    BeforeResponse(anyhow::Error),
    During(anyhow::Error),
}

impl Failure {
    fn into_error(self, method: &str, path: &str) -> anyhow::Error {
        let (Self::BeforeResponse(err) | Self::During(err)) = self;
        err.context(format!("{method} {path}"))
    }
}

type Head = (u16, Vec<String>, Framing, bool, usize);

fn parse_head(buf: &[u8]) -> anyhow::Result<Option<Head>> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(header_len) = response.parse(buf)? else {
        return Ok(None);
    };
    let status = response.code.unwrap_or(0);
    let mut set_cookies = Vec::new();
    let mut framing = Framing::UntilClose;
    let mut close = false;
    for header in response.headers.iter() {
        let value = String::from_utf8_lossy(header.value);
        if header.name.eq_ignore_ascii_case("set-cookie") {
            set_cookies.push(value.into_owned());
        } else if header.name.eq_ignore_ascii_case("content-length") {
            framing = Framing::Length(value.trim().parse().context("bad Content-Length")?);
        } else if header.name.eq_ignore_ascii_case("transfer-encoding")
            && value.to_ascii_lowercase().contains("chunked")
        {
            framing = Framing::Chunked;
        } else if header.name.eq_ignore_ascii_case("connection") {
            close = value.eq_ignore_ascii_case("close");
        }
    }
    if status == 204 || status == 304 || (100..200).contains(&status) {
        framing = Framing::Length(0);
    }
    Ok(Some((status, set_cookies, framing, close, header_len)))
}

fn find_crlf(buf: &[u8]) -> Option<usize> {
    buf.windows(2).position(|window| window == b"\r\n")
}

/// Percent-encodes a form value (`application/x-www-form-urlencoded`).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_percent_encoded() {
        assert_eq!(encode("Bench-pw 7319x&="), "Bench-pw%207319x%26%3D");
    }
}
