//! The URL map, and how extractors answer input they cannot parse.

use actix_web::{
    error::{JsonPayloadError, QueryPayloadError, UrlencodedError},
    web,
};

use crate::{api, assets, auth, error::AppError, health, live::upgrade, metrics, pages};

/// The largest form (or JSON) body accepted.
pub const MAX_FORM_BYTES: usize = 16 * 1024;

/// Every route. The seed app's URLs are kept as they were.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(form_config())
        .app_data(query_config())
        .app_data(json_config())
        .route("/", web::get().to(pages::user_list))
        .service(
            web::resource("/sign_up/")
                .get(auth::sign_up::show)
                .post(auth::sign_up::submit),
        )
        .service(
            web::resource("/log_in/")
                .get(auth::log_in::show)
                .post(auth::log_in::submit),
        )
        .service(
            web::resource("/log_out/")
                .get(auth::log_out::confirm)
                .post(auth::log_out::submit),
        )
        .route("/users/", web::get().to(upgrade::users_socket))
        .route("/api/users", web::get().to(api::users))
        .route("/healthz", web::get().to(health::healthz))
        .route("/metrics", web::get().to(metrics::scrape))
        .route("/static/{file}", web::get().to(assets::serve))
        .route("/favicon.ico", web::get().to(assets::favicon))
        .default_service(web::to(pages::not_found));
}

/// Form bodies over 16 KiB get 413, and malformed ones a clear 400 page.
fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(MAX_FORM_BYTES)
        .error_handler(|err, _| {
            match err {
                UrlencodedError::Overflow { .. } => AppError::PayloadTooLarge {
                    limit: MAX_FORM_BYTES,
                },
                other => AppError::BadRequest(other.to_string()),
            }
            .into()
        })
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|err: QueryPayloadError, _| AppError::BadRequest(err.to_string()).into())
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_FORM_BYTES)
        .error_handler(|err, _| match err {
            JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
                AppError::PayloadTooLarge {
                    limit: MAX_FORM_BYTES,
                }
                .into()
            }
            other => AppError::BadRequest(other.to_string()).into(),
        })
}
