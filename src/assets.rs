//! The CSS, JavaScript and favicon, embedded in the binary and served
//! under `/static/`. Nothing comes from a CDN.

use actix_web::{HttpResponse, http::header, web};

use crate::error::AppError;

/// Every static file: name, content type, bytes.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "presence.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/presence.css"),
    ),
    (
        "presence.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/presence.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../static/favicon.svg"),
    ),
    (
        "favicon.ico",
        "image/x-icon",
        include_bytes!("../static/favicon.ico"),
    ),
];

/// A static file by name.
fn find(name: &str) -> Option<(&'static str, &'static [u8])> {
    FILES
        .iter()
        .find(|(file, _, _)| *file == name)
        .map(|(_, content_type, bytes)| (*content_type, *bytes))
}

fn respond(content_type: &'static str, bytes: &'static [u8]) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        // Short, because file names carry no version hash.
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .body(bytes)
}

/// `GET /static/{file}`.
pub async fn serve(file: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (content_type, bytes) = find(&file).ok_or(AppError::NotFound)?;
    Ok(respond(content_type, bytes))
}

/// `GET /favicon.ico`, which browsers ask for on their own.
pub async fn favicon() -> Result<HttpResponse, AppError> {
    let (content_type, bytes) = find("favicon.ico").ok_or(AppError::NotFound)?;
    Ok(respond(content_type, bytes))
}
