//! Optimistic updates for the workspaces, as pure functions over cached data:
//! a scan checks a package in before the server answers (and is rolled back
//! when it refuses), a decided label leaves the queue at once (and comes back
//! on failure), live job progress moves a cached job forward only.
//!
//! Also the scan field's rules: a tag is trimmed and upper-cased, and must be
//! 24 characters of `0-9A-Z` — checked here first so a mistyped tag gets an
//! inline error without a round trip; the server checks again.

use budtags_wire::{
    CheckInResult, Job, JobStatus, Label, ShipmentPackageState, Transfer, TransferDetail, TransferPackage,
};

/// Length of a Metrc package tag.
pub const TAG_LEN: usize = 24;

/// What was scanned or typed, as the server will read it.
pub fn normalize_tag(input: &str) -> String {
    input.trim().to_ascii_uppercase()
}

/// `Ok(())` for a well-formed tag, else the sentence to show under the field.
pub fn validate_tag(tag: &str) -> Result<(), String> {
    if tag.is_empty() {
        return Err("Scan or type a package tag.".into());
    }
    if let Some(bad) = tag.chars().find(|c| !c.is_ascii_digit() && !c.is_ascii_uppercase()) {
        return Err(format!("A tag has only letters and digits; {bad:?} is not allowed."));
    }
    let len = tag.chars().count();
    if len != TAG_LEN {
        return Err(format!("A tag is {TAG_LEN} characters; this one has {len}."));
    }
    Ok(())
}

/// The key that makes a scan idempotent: the same tag on the same transfer is
/// one check-in however often (and by whomever) it is scanned.
pub fn idempotency_key(transfer_id: i64, tag: &str) -> String {
    format!("transfer-{transfer_id}-{tag}")
}

/// Whether a package still waits to be checked in.
pub fn is_waiting(package: &TransferPackage) -> bool {
    package.shipment_package_state == ShipmentPackageState::Shipped
}

/// What the optimistic check-in changed, to undo it.
#[derive(Clone, Debug, PartialEq)]
pub struct Undo {
    pub before: TransferPackage,
}

/// Marks the package tagged `tag` as checked in by `by` at `at` with
/// `received` (the shipped quantity when `None`). The transfer's own counts
/// are left to the server, so "completed" is only ever what the server said.
/// `None` when the tag is not on the transfer or already in: nothing to show
/// early, the server's answer decides.
pub fn check_in(
    detail: &mut TransferDetail,
    tag: &str,
    received: Option<f64>,
    by: &str,
    at: &str,
) -> Option<Undo> {
    let package = detail.packages.iter_mut().find(|p| p.package_label == tag && is_waiting(p))?;
    let before = package.clone();
    package.shipment_package_state = ShipmentPackageState::Accepted;
    package.received_quantity = Some(received.unwrap_or(package.shipped_quantity));
    package.checked_in_by = Some(by.to_owned());
    package.checked_in_at = Some(at.to_owned());
    Some(Undo { before })
}

/// Undoes [`check_in`] if the row still holds the optimistic version (a fresher
/// answer from the server that landed meanwhile is kept).
pub fn roll_back(detail: &mut TransferDetail, undo: &Undo) -> bool {
    let Some(package) = detail.packages.iter_mut().find(|p| p.package_id == undo.before.package_id) else {
        return false;
    };
    if is_waiting(package) || package.checked_in_at.is_none() {
        return false;
    }
    *package = undo.before.clone();
    true
}

/// How many packages on the transfer show as checked in (optimistic ones included).
pub fn received_rows(detail: &TransferDetail) -> usize {
    detail.packages.iter().filter(|p| !is_waiting(p)).count()
}

/// Puts the server's answer to a check-in into the cached detail.
pub fn confirm(detail: &mut TransferDetail, result: &CheckInResult) {
    if let Some(package) = detail.packages.iter_mut().find(|p| p.package_id == result.package.package_id) {
        *package = result.package.clone();
    }
    if detail.transfer.id == result.transfer.id {
        detail.transfer = result.transfer.clone();
    }
}

/// The per-scan confirmation: `✓ TAG checked in — 12 of 15`.
pub fn confirmation(result: &CheckInResult) -> String {
    let t = &result.transfer;
    let tag = &result.package.package_label;
    let progress = format!("{} of {}", t.received_package_count, t.package_count);
    if result.duplicate {
        format!("✓ {tag} was already checked in — {progress}")
    } else {
        format!("✓ {tag} checked in — {progress}")
    }
}

/// A transfer's check-in progress, 0–100.
pub fn percent_received(transfer: &Transfer) -> u8 {
    if transfer.package_count == 0 {
        return 100;
    }
    let received = transfer.received_package_count.min(transfer.package_count);
    (u64::from(received) * 100 / u64::from(transfer.package_count)) as u8
}

/// Whether a transfer someone is looking at has just been completed: it was
/// pending on the previous answer and is not any more. Opening a transfer
/// that was received long ago is not "just completed".
pub fn just_completed(was_pending: Option<bool>, is_pending: bool) -> bool {
    was_pending == Some(true) && !is_pending
}

/// Takes a label out of a cached queue; returns where it was, to restore it.
pub fn take_label(queue: &mut Vec<Label>, id: i64) -> Option<(usize, Label)> {
    let index = queue.iter().position(|l| l.id == id)?;
    Some((index, queue.remove(index)))
}

/// Puts a label taken by [`take_label`] back where it was (unless a refetch
/// already brought it back).
pub fn restore_label(queue: &mut Vec<Label>, index: usize, label: Label) {
    if queue.iter().any(|l| l.id == label.id) {
        return;
    }
    queue.insert(index.min(queue.len()), label);
}

/// Live progress for a cached job: moves forward only, and never touches a
/// finished job (a late progress event must not un-finish it).
pub fn patch_progress(job: &mut Job, progress: u8) -> bool {
    let progress = progress.min(100);
    if job.status.is_done() || progress <= job.progress && job.status == JobStatus::Running {
        return false;
    }
    job.status = JobStatus::Running;
    job.progress = progress.max(job.progress);
    true
}

/// A job's final state from a live event.
pub fn finish_job(job: &mut Job, result_url: Option<String>, error: Option<String>) -> bool {
    let status = if error.is_some() { JobStatus::Failed } else { JobStatus::Completed };
    if job.status == status {
        return false;
    }
    job.status = status;
    if status == JobStatus::Completed {
        job.progress = 100;
        job.result_url = result_url;
        job.error = None;
    } else {
        job.error = error;
    }
    true
}

#[cfg(test)]
pub(crate) mod tests {
    use budtags_wire::LabelStatus;

    use super::*;

    pub const TAG_A: &str = "1A4060300003B01000000001";
    const TAG_B: &str = "1A4060300003B01000000002";

    pub fn transfer(count: u32, received: u32) -> Transfer {
        Transfer {
            id: 4,
            manifest_number: "0000000004".into(),
            shipper_facility_license_number: "C11-0000301-LIC".into(),
            shipper_facility_name: "Emerald Triangle Distribution".into(),
            recipient_facility_license_number: "C11-0000090-LIC".into(),
            package_count: count,
            received_package_count: received,
            created_date_time: "2026-11-01T08:00:00+00:00".into(),
            estimated_arrival_date_time: None,
            received_date_time: None,
            last_modified: "2026-11-01T08:00:00+00:00".into(),
        }
    }

    fn package(id: i64, tag: &str) -> TransferPackage {
        TransferPackage {
            package_id: id,
            package_label: tag.into(),
            product_name: "Blue Dream 3.5g".into(),
            shipped_quantity: 12.0,
            unit_of_measure_abbreviation: "ea".into(),
            received_quantity: None,
            shipment_package_state: ShipmentPackageState::Shipped,
            checked_in_by: None,
            checked_in_at: None,
        }
    }

    fn detail() -> TransferDetail {
        TransferDetail { transfer: transfer(2, 0), packages: vec![package(1, TAG_A), package(2, TAG_B)] }
    }

    #[test]
    fn a_scanned_tag_is_trimmed_and_upper_cased_then_checked() {
        let tag = normalize_tag("  1a4060300003b01000000001\n");
        assert_eq!(tag, TAG_A);
        assert_eq!(validate_tag(&tag), Ok(()));
    }

    #[test]
    fn a_mistyped_tag_says_what_is_wrong() {
        assert_eq!(validate_tag(""), Err("Scan or type a package tag.".into()));
        assert_eq!(validate_tag("1A40"), Err("A tag is 24 characters; this one has 4.".into()));
        let err = validate_tag("1A4060300003B0100000000-").unwrap_err();
        assert!(err.contains("'-'"), "{err}");
    }

    #[test]
    fn the_same_tag_on_the_same_transfer_is_the_same_scan() {
        assert_eq!(idempotency_key(4, TAG_A), format!("transfer-4-{TAG_A}"));
        assert_ne!(idempotency_key(4, TAG_A), idempotency_key(5, TAG_A));
    }

    #[test]
    fn a_scan_shows_as_checked_in_at_once_and_rolls_back_when_refused() {
        let mut d = detail();
        let undo = check_in(&mut d, TAG_A, Some(11.5), "Omar", "2026-11-26T10:00:00Z").unwrap();
        assert_eq!(received_rows(&d), 1);
        assert_eq!(d.transfer.received_package_count, 0, "the server's count is the server's");
        assert_eq!(d.packages[0].shipment_package_state, ShipmentPackageState::Accepted);
        assert_eq!(d.packages[0].received_quantity, Some(11.5));
        assert!(roll_back(&mut d, &undo));
        assert_eq!(d, detail());
        assert!(!roll_back(&mut d, &undo), "nothing left to undo");
    }

    #[test]
    fn the_shipped_quantity_is_received_when_none_is_typed() {
        let mut d = detail();
        check_in(&mut d, TAG_B, None, "Omar", "now").unwrap();
        assert_eq!(d.packages[1].received_quantity, Some(12.0));
    }

    #[test]
    fn a_foreign_or_repeated_tag_changes_nothing_early() {
        let mut d = detail();
        assert_eq!(check_in(&mut d, "ZZZZZZZZZZZZZZZZZZZZZZZZ", None, "Omar", "now"), None);
        check_in(&mut d, TAG_A, None, "Omar", "now").unwrap();
        assert_eq!(check_in(&mut d, TAG_A, None, "Omar", "now"), None);
        assert_eq!(received_rows(&d), 1, "a double scan counts once");
    }

    #[test]
    fn the_servers_answer_replaces_the_optimistic_row() {
        let mut d = detail();
        check_in(&mut d, TAG_A, None, "me", "now").unwrap();
        let mut package = package(1, TAG_A);
        package.shipment_package_state = ShipmentPackageState::Accepted;
        package.checked_in_by = Some("Omar Operator".into());
        let result = CheckInResult { package, transfer: transfer(2, 1), duplicate: false };
        confirm(&mut d, &result);
        assert_eq!(d.packages[0].checked_in_by.as_deref(), Some("Omar Operator"));
        assert_eq!(confirmation(&result), format!("✓ {TAG_A} checked in — 1 of 2"));
        let again = CheckInResult { duplicate: true, ..result };
        assert_eq!(confirmation(&again), format!("✓ {TAG_A} was already checked in — 1 of 2"));
    }

    #[test]
    fn progress_and_completion_of_a_transfer() {
        assert_eq!(percent_received(&transfer(4, 1)), 25);
        assert_eq!(percent_received(&transfer(0, 0)), 100);
        assert!(just_completed(Some(true), false));
        assert!(!just_completed(None, false), "opened after it was received");
        assert!(!just_completed(Some(false), false));
        assert!(!just_completed(Some(true), true));
    }

    fn label(id: i64) -> Label {
        Label {
            id,
            organization_id: 1,
            license_number: "C11-0000090-LIC".into(),
            package_id: id,
            package_label: TAG_A.into(),
            product_name: "Blue Dream".into(),
            quantity: 1.0,
            unit_of_measure_abbreviation: "ea".into(),
            copies: 1,
            requested_by: "Omar".into(),
            requested_at: "2026-11-26T09:00:00+00:00".into(),
            status: LabelStatus::Pending,
            decided_by: None,
            decided_at: None,
            reason: None,
            revision: 1,
        }
    }

    #[test]
    fn a_decided_label_leaves_the_queue_and_comes_back_in_place_on_failure() {
        let mut queue = vec![label(1), label(2), label(3)];
        let (index, taken) = take_label(&mut queue, 2).unwrap();
        assert_eq!(queue.iter().map(|l| l.id).collect::<Vec<_>>(), [1, 3]);
        restore_label(&mut queue, index, taken.clone());
        assert_eq!(queue.iter().map(|l| l.id).collect::<Vec<_>>(), [1, 2, 3]);
        restore_label(&mut queue, index, taken);
        assert_eq!(queue.len(), 3, "restored once");
        assert_eq!(take_label(&mut queue, 9), None);
    }

    fn job(status: JobStatus, progress: u8) -> Job {
        Job {
            id: "j1".into(),
            status,
            progress,
            error: None,
            result_url: None,
            label_ids: vec![1, 2],
            created_by: "Ana".into(),
            created_at: "2026-11-26T10:00:00+00:00".into(),
        }
    }

    #[test]
    fn live_progress_only_moves_forward_and_never_reopens_a_finished_job() {
        let mut j = job(JobStatus::Queued, 0);
        assert!(patch_progress(&mut j, 40));
        assert_eq!((j.status, j.progress), (JobStatus::Running, 40));
        assert!(!patch_progress(&mut j, 20), "a late event");
        assert_eq!(j.progress, 40);
        assert!(finish_job(&mut j, Some("/api/jobs/j1/sheet".into()), None));
        assert_eq!((j.status, j.progress), (JobStatus::Completed, 100));
        assert!(!patch_progress(&mut j, 90));
        assert!(!finish_job(&mut j, Some("/api/jobs/j1/sheet".into()), None), "told twice");
    }

    #[test]
    fn a_failed_job_keeps_its_error() {
        let mut j = job(JobStatus::Running, 50);
        assert!(finish_job(&mut j, None, Some("package finished".into())));
        assert_eq!((j.status, j.error.as_deref()), (JobStatus::Failed, Some("package finished")));
    }
}
