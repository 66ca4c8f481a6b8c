//! Licenses (Metrc facilities) and the organizations that hold them.

use serde::{Deserialize, Serialize};

/// A Metrc facility license, e.g. `C11-0000090-LIC`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct License {
    pub license_number: String,
    pub facility_name: String,
    pub organization_id: i64,
    pub organization_name: String,
}
