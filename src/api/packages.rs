//! Licenses and packages.

use budtags_wire::PackageFilter;

/// Which list a packages query holds: the seed's `['metrc','packages', license, filter]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct PackagesKey {
    pub license: String,
    pub filter: PackageFilter,
}

pub const LICENSES_URL: &str = "/api/licenses";

pub fn packages_url(key: &PackagesKey) -> String {
    format!("/api/licenses/{}/packages?filter={}", encode(&key.license), key.filter)
}

/// How many rows a page opened cold paints before the whole list arrives:
/// a screenful and some scrolling.
pub const HEAD_ROWS: usize = 100;

/// The first [`HEAD_ROWS`] of the list (`index.html` starts the same request).
pub fn packages_head_url(key: &PackagesKey) -> String {
    format!("{}&limit={HEAD_ROWS}", packages_url(key))
}

/// Percent-encodes one path segment.
fn encode(segment: &str) -> String {
    js_sys::encode_uri_component(segment).into()
}
