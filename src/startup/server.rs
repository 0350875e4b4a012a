//! The HTTP server itself: the middleware around the routes, a courier
//! per worker, and the timeouts of its connections.

use std::{net::TcpListener, time::Duration};

use actix_identity::IdentityMiddleware;
use actix_session::{
    SessionMiddleware,
    config::{PersistentSession, TtlExtensionPolicy},
};
use actix_web::{
    App, HttpServer,
    cookie::{Key, SameSite, time::Duration as CookieDuration},
    dev::Server,
    middleware, web,
};

use super::SharedState;
use crate::{
    config::Config,
    live::{courier::CourierDesk, tcp_cutoff::TcpConnection},
    security,
    sessions::SessionBackend,
    telemetry,
};

/// How long sessions live without activity: Django's default, two weeks.
const SESSION_TTL_DAYS: i64 = 14;

/// How long the HTTP server waits for requests in flight at shutdown (cut
/// shorter when draining used the budget).
const SHUTDOWN_TIMEOUT_SECS: u64 = 3;
/// How long a closing connection may take to send what it still holds.
/// A socket cut off for not reading has this long to take its 1013 close
/// frame before its buffers go (the hub shuts the TCP connection down
/// after as long); actix-web's default of one second would drop the frame
/// of a client that catches up a little later.
const DISCONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The HTTP server on `listener`: sessions, identity, security headers and
/// request logs around the routes.
pub(super) fn serve(
    listener: TcpListener,
    state: SharedState,
    sessions: SessionBackend,
    key: Key,
    config: &Config,
) -> std::io::Result<Server> {
    let cookie_secure = config.cookie_secure;
    let server = HttpServer::new(move || {
        let session_middleware = SessionMiddleware::builder(sessions.clone(), key.clone())
            .cookie_name("sessionid".to_owned())
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .cookie_secure(cookie_secure)
            .session_lifecycle(
                PersistentSession::default()
                    .session_ttl(CookieDuration::days(SESSION_TTL_DAYS))
                    .session_ttl_extension_policy(TtlExtensionPolicy::OnStateChanges),
            )
            .build();
        // Each worker has its own courier, on its own thread, for the
        // sockets it serves.
        let courier = web::Data::new(CourierDesk::start(state.hub.get_ref().clone()));
        // The last `wrap` is the outermost layer.
        App::new()
            .app_data(courier)
            .wrap(IdentityMiddleware::default())
            .wrap(session_middleware)
            .wrap(middleware::from_fn(security::headers))
            .wrap(middleware::from_fn(telemetry::log_requests))
            .configure(|cfg| state.configure(cfg))
    })
    .on_connect(|connection, data| {
        // Kept so the hub can cut off a client that stops reading.
        if let Some(tcp) = connection.downcast_ref::<actix_web::rt::net::TcpStream>()
            && let Some(connection) = TcpConnection::of(tcp)
        {
            data.insert(connection);
        }
    })
    .listen(listener)?
    .disable_signals()
    .shutdown_timeout(SHUTDOWN_TIMEOUT_SECS)
    .client_disconnect_timeout(DISCONNECT_TIMEOUT)
    .run();
    Ok(server)
}
