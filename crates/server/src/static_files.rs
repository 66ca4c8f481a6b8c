//! The built web app (`dist/`, written by `cargo xtask build`), and how long a
//! browser may keep each file.
//!
//! - `/assets/{hash}/…`: every file but the page itself. The directory is new
//!   with every deploy (its name is a hash of its files), so a file there
//!   never changes: `Cache-Control: public, max-age=31536000, immutable`. A
//!   file that is not there is a 404 (an old deploy's chunk must not be
//!   answered with the page).
//! - `index.html`, answering every other path so client-side routes survive
//!   a reload, and `sw.js`: `no-cache`, so a new deploy is picked up at the
//!   next load (a revalidation costs a 304 and a few hundred bytes).
//!
//! The `.br` / `.gz` copies ([`crate::precompress`]) are sent as they are when
//! the browser accepts them, with `Vary: Accept-Encoding` on every answer, so
//! a shared cache never hands brotli to a browser that did not ask for it.

use std::path::Path;

use axum::{
    Router,
    extract::Request,
    http::{HeaderValue, header},
    middleware::{self, Next},
    response::Response,
};
use tower_http::services::{ServeDir, ServeFile};

/// Where the hashed files live, under the root.
pub const ASSETS: &str = "/assets";

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const NO_CACHE: HeaderValue = HeaderValue::from_static("no-cache");

/// The static part of the app, for [`crate::app`]'s fallback.
pub fn router(dist: &Path) -> Router {
    let index = ServeFile::new(dist.join("index.html")).precompressed_br().precompressed_gzip();
    let pages = ServeDir::new(dist).precompressed_br().precompressed_gzip().fallback(index);
    let assets =
        ServeDir::new(dist.join(ASSETS.trim_start_matches('/'))).precompressed_br().precompressed_gzip();
    Router::new()
        .nest_service(ASSETS, assets)
        .fallback_service(pages)
        .layer(middleware::from_fn(cache_headers))
}

/// The cache policy above, on successful answers (a 404 or a 500 keeps none,
/// so it is asked again).
async fn cache_headers(request: Request, next: Next) -> Response {
    let hashed = request.uri().path().starts_with(&format!("{ASSETS}/"));
    let mut response = next.run(request).await;
    let status = response.status();
    let headers = response.headers_mut();
    if status.is_success() || status == axum::http::StatusCode::NOT_MODIFIED {
        headers.insert(header::CACHE_CONTROL, if hashed { IMMUTABLE } else { NO_CACHE });
    }
    let varies = headers
        .get_all(header::VARY)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding")));
    if !varies {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}
