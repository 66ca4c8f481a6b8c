//! Applying one changed package to a cached list, the way the server would
//! have listed it, and never letting an older version overwrite a newer one.

use std::sync::Arc;

use budtags_wire::{Package, PackageFilter, PackageList};

/// What a patch did to a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Patched {
    /// The row was replaced in place.
    Updated,
    /// The package joined this list (new, or moved here from the other filter).
    Inserted,
    /// The package left this list (e.g. it was finished).
    Removed,
    /// Nothing changed: the list already held this version or a newer one, or
    /// the package does not belong here.
    Unchanged,
}

/// Applies `package` (a fresh server version) to `list` showing `filter`.
/// New rows go first, as the server orders by last change. `total` counts
/// rows joining and leaving, so it stays true for the first rows of a list
/// (`?limit=`) as well as for a whole one.
pub fn apply(list: &mut PackageList, filter: PackageFilter, package: &Package) -> Patched {
    let position = list.data.iter().position(|p| p.id == package.id);
    let belongs = filter.admits(package);
    match position {
        Some(i) if list.data[i].revision >= package.revision => Patched::Unchanged,
        Some(i) if belongs => {
            list.data[i] = Arc::new(package.clone());
            Patched::Updated
        }
        Some(i) => {
            list.data.remove(i);
            list.total = list.total.saturating_sub(1);
            Patched::Removed
        }
        None if belongs => {
            list.data.insert(0, Arc::new(package.clone()));
            list.total += 1;
            Patched::Inserted
        }
        None => Patched::Unchanged,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use budtags_wire::Item;

    use super::*;

    pub(crate) fn package(id: i64, revision: u64, quantity: f64, finished: bool) -> Package {
        Package {
            id,
            label: format!("1A40F0100000000000{id:06}"),
            package_type: "Product".into(),
            location_name: "Vault".into(),
            quantity,
            original_package_quantity: 10.0,
            unit_of_measure_name: "Grams".into(),
            unit_of_measure_abbreviation: "g".into(),
            packaged_date: "2026-01-01".into(),
            last_modified: "2026-01-01T00:00:00+00:00".into(),
            finished_date: finished.then(|| "2026-02-01".into()),
            lab_testing_state: "TestPassed".into(),
            is_on_hold: false,
            is_finished: finished,
            item: Item {
                id: 1,
                name: "Flower".into(),
                product_category_name: "Flower".into(),
                strain_name: None,
            },
            revision,
        }
    }

    /// A list read at `revision`.
    pub(crate) fn list_at(revision: u64, packages: Vec<Package>) -> PackageList {
        PackageList { total: packages.len(), data: packages.into_iter().map(Arc::new).collect(), revision }
    }

    fn list(packages: Vec<Package>) -> PackageList {
        list_at(0, packages)
    }

    #[test]
    fn newer_version_replaces_the_row() {
        let mut l = list(vec![package(1, 3, 5.0, false)]);
        assert_eq!(apply(&mut l, PackageFilter::Active, &package(1, 4, 2.0, false)), Patched::Updated);
        assert_eq!(l.data[0].quantity, 2.0);
    }

    #[test]
    fn older_version_never_overwrites_newer_data() {
        let mut l = list(vec![package(1, 9, 5.0, false)]);
        assert_eq!(apply(&mut l, PackageFilter::Active, &package(1, 4, 2.0, false)), Patched::Unchanged);
        assert_eq!(l.data[0].quantity, 5.0);
    }

    #[test]
    fn finished_package_leaves_active_and_joins_inactive() {
        let finished = package(1, 5, 0.0, true);
        let mut active = list(vec![package(1, 3, 5.0, false), package(2, 1, 1.0, false)]);
        let mut inactive = list(vec![]);
        assert_eq!(apply(&mut active, PackageFilter::Active, &finished), Patched::Removed);
        assert_eq!(apply(&mut inactive, PackageFilter::Inactive, &finished), Patched::Inserted);
        assert_eq!((active.total, inactive.total), (1, 1));
    }

    #[test]
    fn new_package_goes_first() {
        let mut l = list(vec![package(1, 3, 5.0, false)]);
        assert_eq!(apply(&mut l, PackageFilter::Active, &package(7, 8, 1.0, false)), Patched::Inserted);
        assert_eq!(l.data[0].id, 7);
    }
}
