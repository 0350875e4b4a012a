//! `GET /users/`: the checks in front of the WebSocket handshake.
//!
//! - An `Origin` other than the app's own host gets 403. Browsers send
//!   cookies with cross-site WebSocket handshakes, so without this check
//!   any page could open a socket as the visitor (cross-site WebSocket
//!   hijacking). Non-browser clients send no `Origin` and are let through;
//!   they still need a session cookie.
//! - An address that opens sockets too fast gets 429 before its session
//!   is even loaded; a login or user over their cap of sockets gets 429
//!   too (see [`Admission`]).
//! - A request without an authenticated session gets 401, and the hub
//!   never hears of it.

use actix_web::{FromRequest, HttpRequest, HttpResponse, http::header, web};

use crate::{
    auth::MaybeUser,
    error::AppError,
    forwarded,
    live::{
        admission::{Admission, Refusal},
        courier::CourierDesk,
        hub::Hub,
        session::{Heartbeat, Login, Peer, WsSession},
        status::Device,
        tcp_cutoff::TcpConnection,
    },
    telemetry::RequestId,
    throttle::AddressBucket,
};

/// Upgrades an authenticated same-origin request to a [`WsSession`].
pub async fn users_socket(
    req: HttpRequest,
    stream: web::Payload,
    hub: web::Data<Hub>,
    heartbeat: web::Data<Heartbeat>,
    admission: web::Data<Admission>,
    courier: web::Data<CourierDesk>,
) -> Result<HttpResponse, AppError> {
    if !same_origin(&req) {
        return Err(AppError::ForeignOrigin);
    }
    admission
        .check_rate(AddressBucket::of(forwarded::ip(&req)))
        .await
        .map_err(refused)?;
    let viewer = MaybeUser::extract(&req).await?;
    let user = viewer.0.ok_or(AppError::Unauthorized)?;
    let permit = admission
        .admit(&user.username, &user.session)
        .map_err(refused)?;
    let connection = req.conn_data::<TcpConnection>().copied();
    if let Some(connection) = &connection {
        connection.limit_send_buffer();
    }
    let peer = Peer {
        address: forwarded::ip_text(&req),
        request_id: RequestId::of(&req),
        connection,
    };
    let login = Login {
        user: user.username,
        session: user.session,
        profile: user.profile,
        device: Device::of_request(&req),
        watching: asks_to_watch(req.query_string()),
    };
    let session = WsSession::new(
        hub.get_ref().clone(),
        login,
        peer,
        *heartbeat.get_ref(),
        permit,
        courier.get_ref(),
    );
    session
        .start(&req, stream)
        .map_err(|err| AppError::BadRequest(format!("not a WebSocket handshake ({err})")))
}

/// Whether the upgrade's query string has `watch` (`/users/?watch`, or
/// `?watch=1`): the page watches from its first frame. Anything else, the
/// seed's `/users/` among it, keeps the full feed.
fn asks_to_watch(query: &str) -> bool {
    query
        .split('&')
        .any(|pair| pair == "watch" || pair.starts_with("watch="))
}

fn refused(refusal: Refusal) -> AppError {
    match refusal {
        Refusal::TooFast { retry_after } => AppError::throttled(retry_after),
        full => AppError::TooManySockets(full),
    }
}

/// Whether the `Origin` header, if any, names this request's own host.
fn same_origin(req: &HttpRequest) -> bool {
    let headers = req.headers();
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let (Ok(origin), Some(Ok(host))) = (
        origin.to_str(),
        headers.get(header::HOST).map(|host| host.to_str()),
    ) else {
        return false;
    };
    origin_matches_host(origin, host)
}

fn origin_matches_host(origin: &str, host: &str) -> bool {
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    authority.is_some_and(|authority| authority.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_asks_to_watch_with_a_watch_parameter() {
        assert!(asks_to_watch("watch"));
        assert!(asks_to_watch("a=1&watch=1"));
        assert!(!asks_to_watch(""));
        assert!(!asks_to_watch("watchers=1"));
        assert!(!asks_to_watch("nowatch"));
    }

    #[test]
    fn the_apps_own_origin_is_accepted() {
        assert!(origin_matches_host(
            "http://127.0.0.1:8000",
            "127.0.0.1:8000"
        ));
        assert!(origin_matches_host(
            "https://Presence.example",
            "presence.example"
        ));
    }

    #[test]
    fn another_sites_origin_is_rejected() {
        assert!(!origin_matches_host(
            "http://evil.example",
            "127.0.0.1:8000"
        ));
        assert!(!origin_matches_host(
            "http://127.0.0.1:8001",
            "127.0.0.1:8000"
        ));
        assert!(!origin_matches_host("null", "127.0.0.1:8000"));
        assert!(!origin_matches_host(
            "http://127.0.0.1:8000.evil.example",
            "127.0.0.1:8000"
        ));
    }
}
