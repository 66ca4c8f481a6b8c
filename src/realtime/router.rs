//! One pure function from an event to what the cache should do. Every
//! transport (SSE, raw WebSocket, Pusher channels) feeds it.

use budtags_wire::{Package, RealtimeEvent};

#[derive(Clone, Debug, PartialEq)]
pub enum CacheAction {
    /// Put this version of the package into every cached list of its license
    /// (the version guard keeps newer data).
    PatchPackage { license: String, package: Box<Package> },
    /// Refetch every package list (something may have been missed).
    InvalidateAllPackages,
}

/// A transport-level message, after decoding.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    Event(Box<RealtimeEvent>),
    /// The server could not replay what was missed.
    Resync,
}

pub fn route(incoming: Incoming) -> Vec<CacheAction> {
    match incoming {
        Incoming::Event(event) => match *event {
            RealtimeEvent::PackageUpdate { license, data, .. } => {
                vec![CacheAction::PatchPackage { license, package: data }]
            }
            _ => vec![],
        },
        Incoming::Resync => vec![CacheAction::InvalidateAllPackages],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resync_refetches_everything() {
        assert_eq!(route(Incoming::Resync), vec![CacheAction::InvalidateAllPackages]);
    }

    #[test]
    fn package_update_patches_its_license() {
        let json = r#"{"type":"PACKAGE_UPDATE","license":"L1","packageId":3,"data":{"Id":3,
            "Label":"1A40F0100000000000000003","PackageType":"Product","LocationName":"Vault",
            "Quantity":1.0,"OriginalPackageQuantity":2.0,"UnitOfMeasureName":"Grams",
            "UnitOfMeasureAbbreviation":"g","PackagedDate":"2026-01-01",
            "LastModified":"2026-01-01T00:00:00+00:00","FinishedDate":null,
            "LabTestingState":"TestPassed","IsOnHold":false,"IsFinished":false,
            "Item":{"Id":1,"Name":"X","ProductCategoryName":"Flower","StrainName":null},"Revision":9}}"#;
        let event: RealtimeEvent = serde_json::from_str(json).unwrap();
        match route(Incoming::Event(Box::new(event))).as_slice() {
            [CacheAction::PatchPackage { license, package }] => {
                assert_eq!((license.as_str(), package.id, package.revision), ("L1", 3, 9));
            }
            other => panic!("unexpected actions {other:?}"),
        }
    }
}
