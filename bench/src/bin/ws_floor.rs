//! `ws-floor`: the smallest server on presence's own stack, to tell how
//! much of presence's memory per socket is presence's.
//!
//! It is built like presence (actix-web's `HttpServer` with its default
//! workers, a WebSocket actor from actix-web-actors, jemalloc) and speaks
//! just enough of presence's protocol for `presence-bench connect`: the
//! sign-up and login forms answer with a fixed CSRF token and cookie, and
//! `/users/` starts an actor that sends an empty snapshot and then keeps
//! presence's heartbeat. There is no hub, no session store, no database:
//! what it holds per socket is what actix-web and actix-web-actors hold.
//!
//! ```sh
//! BIND_ADDR=127.0.0.1:8001 target/release/ws-floor
//! presence-bench --url http://127.0.0.1:8001 --server-pid PID connect --sockets 19900
//! ```

use std::time::{Duration, Instant};

use actix::{Actor, ActorContext, AsyncContext, StreamHandler};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, http::header, web};
use actix_web_actors::ws;

/// As in presence's binary, so the two compare like for like.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// presence's defaults (`WS_HEARTBEAT_MS`, `WS_CLIENT_TIMEOUT_MS`) and its
/// session's mailbox capacity.
const HEARTBEAT: Duration = Duration::from_millis(5_000);
const CLIENT_TIMEOUT: Duration = Duration::from_millis(15_000);
const MAILBOX_CAPACITY: usize = 64;

/// A form page carrying the token the generator looks for.
const FORM: &str =
    r#"<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="floor"></form>"#;

/// The first frame presence sends, with nobody online.
const SNAPSHOT: &str = r#"{"type":"snapshot","online":[]}"#;

/// One WebSocket: a heartbeat and nothing else.
struct FloorSession {
    last_heard: Instant,
}

impl Actor for FloorSession {
    type Context = ws::WebsocketContext<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(MAILBOX_CAPACITY);
        ctx.text(SNAPSHOT);
        ctx.run_interval(HEARTBEAT, |session, ctx| {
            if session.last_heard.elapsed() > CLIENT_TIMEOUT {
                ctx.stop();
            } else {
                ctx.ping(b"");
            }
        });
    }
}

impl StreamHandler<Result<ws::Message, ws::ProtocolError>> for FloorSession {
    fn handle(&mut self, message: Result<ws::Message, ws::ProtocolError>, ctx: &mut Self::Context) {
        self.last_heard = Instant::now();
        match message {
            Ok(ws::Message::Ping(payload)) => ctx.pong(&payload),
            Ok(ws::Message::Close(reason)) => {
                ctx.close(reason);
                ctx.stop();
            }
            Ok(_) => {}
            Err(_) => ctx.stop(),
        }
    }
}

async fn form() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html").body(FORM)
}

/// Every POST "succeeds": a 303 with a cookie, as a login does.
async fn accept(to: &'static str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::SET_COOKIE, "sessionid=floor; HttpOnly; Path=/"))
        .finish()
}

async fn socket(req: HttpRequest, stream: web::Payload) -> actix_web::Result<HttpResponse> {
    let session = FloorSession {
        last_heard: Instant::now(),
    };
    ws::start(session, &req, stream)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:8001".to_owned());
    HttpServer::new(|| {
        App::new()
            .route("/sign_up/", web::get().to(form))
            .route("/log_in/", web::get().to(form))
            .route("/sign_up/", web::post().to(|| accept("/log_in/")))
            .route("/log_in/", web::post().to(|| accept("/")))
            .route("/users/", web::get().to(socket))
    })
    .bind(addr)?
    .run()
    .await
}
