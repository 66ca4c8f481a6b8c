//! Licenses and packages.

use budtags_wire::{License, PackageFilter, PackageList};

use super::{ApiError, get_json};

/// Which list a packages query holds: the seed's `['metrc','packages', license, filter]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PackagesKey {
    pub license: String,
    pub filter: PackageFilter,
}

pub async fn licenses() -> Result<Vec<License>, ApiError> {
    get_json("/api/licenses").await
}

pub async fn packages(key: PackagesKey) -> Result<PackageList, ApiError> {
    let url = format!("/api/licenses/{}/packages?filter={}", encode(&key.license), key.filter);
    get_json(&url).await
}

/// Percent-encodes one path segment.
fn encode(segment: &str) -> String {
    js_sys::encode_uri_component(segment).into()
}
