//! Labels awaiting approval, and the decisions staff make on them.

use serde::{Deserialize, Serialize};

/// Where a label is in its life: requested, then approved (printable) or rejected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelStatus {
    #[default]
    Pending,
    Approved,
    Rejected,
}

impl LabelStatus {
    pub const ALL: [LabelStatus; 3] = [LabelStatus::Pending, LabelStatus::Approved, LabelStatus::Rejected];

    pub fn as_str(self) -> &'static str {
        match self {
            LabelStatus::Pending => "pending",
            LabelStatus::Approved => "approved",
            LabelStatus::Rejected => "rejected",
        }
    }
}

impl std::str::FromStr for LabelStatus {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        LabelStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| format!("Unknown label status {text:?}: use pending, approved or rejected."))
    }
}

/// A label someone asked to print for a package: what goes on it, who asked,
/// and the decision once made. `Revision` orders versions of the same label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Label {
    pub id: i64,
    pub organization_id: i64,
    pub license_number: String,
    pub package_id: i64,
    /// The package's 24-character tag, printed as a barcode.
    pub package_label: String,
    pub product_name: String,
    pub quantity: f64,
    pub unit_of_measure_abbreviation: String,
    /// How many copies to print.
    pub copies: u32,
    pub requested_by: String,
    /// RFC 3339.
    pub requested_at: String,
    pub status: LabelStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub revision: u64,
}

/// `POST /api/labels/{id}/reject` body. The reason is required (1–500 characters).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    pub reason: String,
}
