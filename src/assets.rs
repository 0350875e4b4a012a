//! The CSS, JavaScript and favicon, embedded in the binary and served
//! under `/static/`. Nothing comes from a CDN, and nothing is built: the
//! script is native ES modules, loaded with `<script type="module">`.
//!
//! The route is `/static/{file}`, one path segment, so the modules kept in
//! `static/js/` are served flat: `static/js/state.js` is
//! `/static/state.js`. Their imports are relative (`./state.js`), which
//! resolve alike under `/static/` in the browser and in `static/js/` for
//! Node's tests (`node --test tests/js/`).

use actix_web::{HttpResponse, http::header, web};

use crate::error::AppError;

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// Every static file: name under `/static/`, content type, bytes.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "presence.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/presence.css"),
    ),
    // The entry module, at the URL the page has always loaded.
    (
        "presence.js",
        JAVASCRIPT,
        include_bytes!("../static/js/presence.js"),
    ),
    (
        "state.js",
        JAVASCRIPT,
        include_bytes!("../static/js/state.js"),
    ),
    (
        "last_seen.js",
        JAVASCRIPT,
        include_bytes!("../static/js/last_seen.js"),
    ),
    (
        "list.js",
        JAVASCRIPT,
        include_bytes!("../static/js/list.js"),
    ),
    (
        "announce.js",
        JAVASCRIPT,
        include_bytes!("../static/js/announce.js"),
    ),
    (
        "socket.js",
        JAVASCRIPT,
        include_bytes!("../static/js/socket.js"),
    ),
    (
        "directory.js",
        JAVASCRIPT,
        include_bytes!("../static/js/directory.js"),
    ),
    (
        "status.js",
        JAVASCRIPT,
        include_bytes!("../static/js/status.js"),
    ),
    (
        "wire.js",
        JAVASCRIPT,
        include_bytes!("../static/js/wire.js"),
    ),
    (
        "item.js",
        JAVASCRIPT,
        include_bytes!("../static/js/item.js"),
    ),
    (
        "idle.js",
        JAVASCRIPT,
        include_bytes!("../static/js/idle.js"),
    ),
    (
        "menu.js",
        JAVASCRIPT,
        include_bytes!("../static/js/menu.js"),
    ),
    (
        "watching.js",
        JAVASCRIPT,
        include_bytes!("../static/js/watching.js"),
    ),
    (
        "on_screen.js",
        JAVASCRIPT,
        include_bytes!("../static/js/on_screen.js"),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The files a module imports: `from './x.js'` names `x.js`.
    fn imports(source: &str) -> Vec<&str> {
        source
            .split("from './")
            .skip(1)
            .filter_map(|rest| rest.split('\'').next())
            .collect()
    }

    #[test]
    fn every_module_a_script_imports_is_served_as_javascript() {
        let mut checked = 0;
        for (name, content_type, bytes) in FILES {
            if !name.ends_with(".js") {
                continue;
            }
            assert_eq!(*content_type, JAVASCRIPT, "{name}");
            let source = std::str::from_utf8(bytes).expect("UTF-8 script");
            for import in imports(source) {
                let found = find(import).map(|(content_type, _)| content_type);
                assert_eq!(found, Some(JAVASCRIPT), "{name} imports {import}");
                checked += 1;
            }
        }
        // The entry module alone imports five others.
        assert!(checked >= 5, "only {checked} imports found");
    }

    #[test]
    fn files_that_are_not_listed_are_not_found() {
        for name in [
            "nope.js",
            "js/state.js",
            "package.json",
            "../Cargo.toml",
            "",
        ] {
            assert!(find(name).is_none(), "{name}");
        }
    }
}
