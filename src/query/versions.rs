//! The version guard for fetched lists. Live events carry each changed
//! package with its server revision; a list fetched before those events (a
//! slow poll that started first and lands after) must not revert them.
//!
//! Every list carries the server revision it was read at. [`RecentChanges`]
//! remembers the packages live events delivered; [`RecentChanges::reconcile`]
//! re-applies, on a freshly fetched list, every one newer than the list.

use std::collections::{HashMap, VecDeque};

use budtags_wire::{Package, PackageFilter, PackageList};

use super::patch;

/// How many changed packages to remember; older ones are surely in any list
/// fetched now.
const CAPACITY: usize = 4_096;

#[derive(Default)]
pub struct RecentChanges {
    by_id: HashMap<i64, (String, Package)>,
    order: VecDeque<i64>,
}

impl RecentChanges {
    /// Remembers `package` of `license` unless a newer version is known.
    pub fn record(&mut self, license: &str, package: &Package) {
        if let Some((_, known)) = self.by_id.get(&package.id)
            && known.revision >= package.revision
        {
            return;
        }
        if self.by_id.insert(package.id, (license.to_owned(), package.clone())).is_none() {
            self.order.push_back(package.id);
        }
        while self.order.len() > CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.by_id.remove(&old);
            }
        }
    }

    /// Applies to `list` (of `license`, showing `filter`) every remembered
    /// change newer than the list itself. Returns how many were applied.
    pub fn reconcile(&self, license: &str, filter: PackageFilter, list: &mut PackageList) -> usize {
        let mut newer: Vec<&Package> = self
            .by_id
            .values()
            .filter(|(l, p)| l == license && p.revision > list.revision)
            .map(|(_, p)| p)
            .collect();
        newer.sort_by_key(|p| p.revision);
        newer.into_iter().filter(|p| patch::apply(list, filter, p) != patch::Patched::Unchanged).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::patch::tests::{list_at as list, package};

    #[test]
    fn a_slow_poll_cannot_revert_a_live_change() {
        let mut recent = RecentChanges::default();
        // The socket delivered revision 12: quantity 2.
        recent.record("L1", &package(1, 12, 2.0, false));
        // A poll read at revision 10 lands afterwards with the old quantity.
        let mut fetched = list(10, vec![package(1, 8, 5.0, false)]);
        assert_eq!(recent.reconcile("L1", PackageFilter::Active, &mut fetched), 1);
        assert_eq!(fetched.data[0].quantity, 2.0);
    }

    #[test]
    fn a_package_finished_live_stays_out_of_an_older_active_list() {
        let mut recent = RecentChanges::default();
        recent.record("L1", &package(1, 12, 0.0, true));
        let mut fetched = list(10, vec![package(1, 8, 5.0, false), package(2, 3, 1.0, false)]);
        recent.reconcile("L1", PackageFilter::Active, &mut fetched);
        assert_eq!(fetched.data.iter().map(|p| p.id).collect::<Vec<_>>(), vec![2]);
    }

    #[test]
    fn a_newer_list_is_left_alone() {
        let mut recent = RecentChanges::default();
        recent.record("L1", &package(1, 12, 2.0, false));
        let mut fetched = list(15, vec![package(1, 14, 9.0, false)]);
        assert_eq!(recent.reconcile("L1", PackageFilter::Active, &mut fetched), 0);
        assert_eq!(fetched.data[0].quantity, 9.0);
    }

    #[test]
    fn other_licenses_and_older_versions_are_ignored() {
        let mut recent = RecentChanges::default();
        recent.record("L2", &package(1, 12, 2.0, false));
        recent.record("L1", &package(3, 12, 2.0, false));
        recent.record("L1", &package(3, 11, 7.0, false));
        let mut fetched = list(10, vec![package(1, 8, 5.0, false)]);
        recent.reconcile("L1", PackageFilter::Active, &mut fetched);
        assert_eq!(fetched.data.len(), 2, "L1's package 3 joined, L2's change did not apply");
        assert_eq!(fetched.data[0].quantity, 2.0, "the newest version of package 3 was kept");
    }
}
