//! Opening an authenticated WebSocket at `/users/`.
//!
//! The buffers are kept small: tungstenite's defaults (128 KiB each way)
//! would cost the generator gigabytes at 20,000 sockets, while server
//! frames are tens of bytes (snapshots grow the read buffer as needed).

use std::time::Duration;

use anyhow::{Context, bail};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    WebSocketStream, client_async_with_config,
    tungstenite::{
        self,
        client::IntoClientRequest,
        http::{HeaderValue, header::COOKIE},
        protocol::WebSocketConfig,
    },
};

use crate::target::Target;

/// An open WebSocket to the server.
pub type Ws = WebSocketStream<TcpStream>;

/// How long a handshake may take before it counts as failed.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(60);

fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(64 * 1024)
        .max_message_size(Some(64 * 1024 * 1024))
}

/// Dials the server and completes the handshake with `cookie`.
pub async fn open(target: &Target, cookie: &str) -> anyhow::Result<Ws> {
    open_at(target, cookie, "/users/").await
}

/// Dials the server and completes the handshake at `path` (e.g.
/// `/users/?watch`, a page's socket) with `cookie`.
pub async fn open_at(target: &Target, cookie: &str, path: &str) -> anyhow::Result<Ws> {
    let mut request = format!("ws://{}{path}", target.authority).into_client_request()?;
    request.headers_mut().insert(
        COOKIE,
        HeaderValue::from_str(cookie).context("cookie header")?,
    );
    let handshake = async {
        let stream = target.dial().await?;
        match client_async_with_config(request, stream, Some(config())).await {
            Ok((ws, _response)) => Ok(ws),
            Err(tungstenite::Error::Http(response)) => {
                bail!("handshake refused with {}", response.status())
            }
            Err(err) => Err(anyhow::Error::new(err).context("WebSocket handshake")),
        }
    };
    tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake)
        .await
        .context("WebSocket handshake timed out")?
}
