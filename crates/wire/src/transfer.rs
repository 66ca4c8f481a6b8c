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

/// One package on an incoming transfer, and whether it has been checked in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransferPackage {
    pub package_id: i64,
    /// The 24-character tag an operator scans.
    pub package_label: String,
    pub product_name: String,
    pub shipped_quantity: f64,
    pub unit_of_measure_abbreviation: String,
    /// What was counted on arrival, once checked in.
    pub received_quantity: Option<f64>,
    pub shipment_package_state: ShipmentPackageState,
    pub checked_in_by: Option<String>,
    /// RFC 3339.
    pub checked_in_at: Option<String>,
}

/// `GET /api/transfers/{id}`: the transfer and every package on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransferDetail {
    pub transfer: Transfer,
    pub packages: Vec<TransferPackage>,
}

/// `POST /api/transfers/{id}/check-in` body. `idempotency_key` identifies the
/// scan: the same key twice is one check-in (the second answer repeats the
/// first, with `duplicate: true`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckIn {
    /// The scanned or typed tag: 24 characters, `0-9A-Z` (trimmed, upper-cased by the server).
    pub label: String,
    /// Counted on arrival; the shipped quantity when absent. Zero or more.
    pub received_quantity: Option<f64>,
    /// 1–100 printable characters, unique per scan (the app uses `transfer-{id}-{TAG}`).
    pub idempotency_key: String,
}

/// The answer to a check-in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckInResult {
    pub package: TransferPackage,
    pub transfer: Transfer,
    /// This key was seen before: nothing changed, this is the earlier answer.
    pub duplicate: bool,
}
