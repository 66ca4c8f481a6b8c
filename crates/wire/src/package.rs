//! Metrc packages (v2 field names) and the list envelope.

use std::{fmt, str::FromStr, sync::Arc};

use serde::{Deserialize, Serialize};

/// One Metrc package. Field names are Metrc's; `Revision` is ours: a
/// monotonically increasing server version used to refuse stale overwrites.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Package {
    pub id: i64,
    /// 24 characters, `^[0-9A-Z]{24}$`.
    pub label: String,
    pub package_type: String,
    pub location_name: String,
    pub quantity: f64,
    pub original_package_quantity: f64,
    pub unit_of_measure_name: String,
    pub unit_of_measure_abbreviation: String,
    /// `YYYY-MM-DD`.
    pub packaged_date: String,
    /// RFC 3339 with offset.
    pub last_modified: String,
    pub finished_date: Option<String>,
    pub lab_testing_state: String,
    pub is_on_hold: bool,
    pub is_finished: bool,
    pub item: Item,
    pub revision: u64,
}

/// One change in a package's history (`GET /api/packages/{id}/history`, newest first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PackageChange {
    pub revision: u64,
    /// RFC 3339.
    pub at: String,
    /// `created`, `adjusted`, `finished`, `checked-in`, …
    pub kind: String,
    pub quantity: f64,
    /// The quantity delta (0 when created or finished).
    pub change: f64,
    /// Who made it: a person's name, or `Simulator`.
    pub by: String,
}

/// The item (product) a package holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Item {
    pub id: i64,
    pub name: String,
    pub product_category_name: String,
    pub strain_name: Option<String>,
}

/// The list envelope: a subset of Metrc's v2 paged envelope.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PackageList {
    /// Each row shared, not owned: a cache that keeps versions of a
    /// 10,000-row list (and patches one row at a time) copies pointers,
    /// never the rows. On the wire it is a plain array of packages.
    pub data: Vec<Arc<Package>>,
    pub total: usize,
    /// The server-wide revision this list was read at: every change with a
    /// higher revision happened after it (ours, not Metrc's).
    pub revision: u64,
}

/// Which packages a list shows, as in Metrc's `/packages/v2/{active|inactive}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageFilter {
    #[default]
    Active,
    Inactive,
}

impl PackageFilter {
    pub const ALL: [PackageFilter; 2] = [PackageFilter::Active, PackageFilter::Inactive];

    pub fn as_str(self) -> &'static str {
        match self {
            PackageFilter::Active => "active",
            PackageFilter::Inactive => "inactive",
        }
    }

    /// Whether a package belongs in this list.
    pub fn admits(self, package: &Package) -> bool {
        match self {
            PackageFilter::Active => !package.is_finished,
            PackageFilter::Inactive => package.is_finished,
        }
    }
}

impl fmt::Display for PackageFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The filter text was neither `active` nor `inactive`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFilter(pub String);

impl fmt::Display for UnknownFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown package filter `{}`: use `active` or `inactive`", self.0)
    }
}

impl FromStr for PackageFilter {
    type Err = UnknownFilter;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(PackageFilter::Active),
            "inactive" => Ok(PackageFilter::Inactive),
            other => Err(UnknownFilter(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_round_trips_through_text() {
        for filter in PackageFilter::ALL {
            assert_eq!(filter.as_str().parse::<PackageFilter>(), Ok(filter));
        }
        assert!("archived".parse::<PackageFilter>().is_err());
    }

    #[test]
    fn package_uses_metrc_field_names() {
        let json = r#"{"Id":1,"Label":"1A4FF0100000022000000282","PackageType":"Product",
            "LocationName":"Vault","Quantity":3.5,"OriginalPackageQuantity":10.0,
            "UnitOfMeasureName":"Grams","UnitOfMeasureAbbreviation":"g",
            "PackagedDate":"2026-01-02","LastModified":"2026-01-02T10:00:00+00:00",
            "FinishedDate":null,"LabTestingState":"TestPassed","IsOnHold":false,
            "IsFinished":false,"Item":{"Id":7,"Name":"Blue Dream 3.5g",
            "ProductCategoryName":"Flower","StrainName":"Blue Dream"},"Revision":4}"#;
        let package: Package = serde_json::from_str(json).unwrap();
        assert_eq!(package.label.len(), 24);
        assert!(PackageFilter::Active.admits(&package));
        assert!(!PackageFilter::Inactive.admits(&package));
    }
}
