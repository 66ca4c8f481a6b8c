//! Incoming transfers (Metrc deliveries) and their packages.

use serde::{Deserialize, Serialize};

/// One incoming delivery, with Metrc's field names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Transfer {
    pub id: i64,
    /// e.g. `0000000001`.
    pub manifest_number: String,
    pub shipper_facility_license_number: String,
    pub shipper_facility_name: String,
    pub recipient_facility_license_number: String,
    pub package_count: u32,
    pub received_package_count: u32,
    pub created_date_time: String,
    pub estimated_arrival_date_time: Option<String>,
    pub received_date_time: Option<String>,
    pub last_modified: String,
}

impl Transfer {
    /// Still waiting for packages to be checked in.
    pub fn is_pending(&self) -> bool {
        self.received_package_count < self.package_count
    }
}

/// A package on a delivery: `Shipped` until checked in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShipmentPackageState {
    Shipped,
    Rejected,
    Accepted,
    Returned,
}
