//! The seed's polling rules, each a short expression over the query's state.
//! A page passes one of these (or its own closure) to `use_poll`.

use std::time::Duration;

use budtags_wire::{Job, PackageFilter, PackageList, Transfer};

use super::poll::QueryState;

pub const SECS_2: Duration = Duration::from_secs(2);
pub const SECS_10: Duration = Duration::from_secs(10);
pub const SECS_30: Duration = Duration::from_secs(30);

/// `refetchInterval: 30000`, but never after an error.
pub fn every<T, E>(interval: Duration, state: &QueryState<T, E>) -> Option<Duration> {
    state.error.is_none().then_some(interval)
}

/// Poll every 30 s while some package is unfinished (`FinishedDate` empty).
pub fn while_unfinished<E>(state: &QueryState<PackageList, E>) -> Option<Duration> {
    state.data?.data.iter().any(|p| p.finished_date.is_none()).then_some(SECS_30)
}

/// Pending transfers: none → stop; more than 10 → 10 s; else 30 s.
pub fn pending_transfers<E>(state: &QueryState<Vec<Transfer>, E>) -> Option<Duration> {
    match state.data.map(Vec::len) {
        None | Some(0) => None,
        Some(n) if n > 10 => Some(SECS_10),
        Some(_) => Some(SECS_30),
    }
}

/// A job: every 2 s while it runs; stop when it completed or failed.
pub fn job<E>(state: &QueryState<Job, E>) -> Option<Duration> {
    match state.data {
        Some(job) if job.status.is_done() => None,
        _ => every(SECS_2, state),
    }
}

/// The recent jobs list: every 2 s while one of them runs, then stop (a
/// running job's events may be on a channel this page does not follow).
pub fn running_jobs<E>(state: &QueryState<Vec<Job>, E>) -> Option<Duration> {
    match state.data {
        Some(jobs) if jobs.iter().all(|j| j.status.is_done()) => None,
        _ => every(SECS_2, state),
    }
}

/// The Packages page: only the active list polls, every 30 s, until an error.
pub fn packages_page<E>(filter: PackageFilter, state: &QueryState<PackageList, E>) -> Option<Duration> {
    match filter {
        PackageFilter::Active => every(SECS_30, state),
        PackageFilter::Inactive => None,
    }
}

#[cfg(test)]
mod tests {
    use budtags_wire::JobStatus;

    use super::*;
    use crate::query::patch::tests::{list_at, package};

    fn ok<T>(data: &T) -> QueryState<'_, T, &'static str> {
        QueryState { data: Some(data), error: None, failure_count: 0, age: Duration::ZERO }
    }

    fn failed<T>() -> QueryState<'static, T, &'static str> {
        QueryState { data: None, error: Some(&"boom"), failure_count: 1, age: Duration::ZERO }
    }

    fn transfers(n: usize) -> Vec<Transfer> {
        let t = Transfer {
            id: 1,
            manifest_number: "0000000001".into(),
            shipper_facility_license_number: "C11-0000001-LIC".into(),
            shipper_facility_name: "Shipper".into(),
            recipient_facility_license_number: "C11-0000090-LIC".into(),
            package_count: 3,
            received_package_count: 0,
            created_date_time: "2026-11-01T00:00:00+00:00".into(),
            estimated_arrival_date_time: None,
            received_date_time: None,
            last_modified: "2026-11-01T00:00:00+00:00".into(),
        };
        vec![t; n]
    }

    fn job_with(status: JobStatus) -> Job {
        Job {
            id: "j1".into(),
            status,
            progress: 40,
            error: None,
            result_url: None,
            label_ids: vec![1],
            created_by: "Ana".into(),
            created_at: "2026-11-26T10:00:00+00:00".into(),
        }
    }

    #[test]
    fn fixed_30_seconds() {
        assert_eq!(every(SECS_30, &ok(&())), Some(SECS_30));
    }

    #[test]
    fn stop_after_an_error() {
        assert_eq!(every::<(), _>(SECS_30, &failed()), None);
        assert_eq!(packages_page::<&str>(PackageFilter::Active, &failed()), None);
    }

    #[test]
    fn poll_only_while_some_package_is_unfinished() {
        let list = |finished: &[bool]| {
            list_at(1, finished.iter().enumerate().map(|(i, &f)| package(i as i64, 1, 1.0, f)).collect())
        };
        assert_eq!(while_unfinished(&ok(&list(&[true, false]))), Some(SECS_30));
        assert_eq!(while_unfinished(&ok(&list(&[true, true]))), None);
        assert_eq!(while_unfinished(&failed()), None);
    }

    #[test]
    fn pending_transfers_set_the_pace() {
        assert_eq!(pending_transfers(&ok(&transfers(0))), None);
        assert_eq!(pending_transfers(&ok(&transfers(3))), Some(SECS_30));
        assert_eq!(pending_transfers(&ok(&transfers(10))), Some(SECS_30));
        assert_eq!(pending_transfers(&ok(&transfers(11))), Some(SECS_10));
        assert_eq!(pending_transfers(&failed()), None);
    }

    #[test]
    fn a_job_polls_every_2_seconds_until_done() {
        assert_eq!(job(&ok(&job_with(JobStatus::Queued))), Some(SECS_2));
        assert_eq!(job(&ok(&job_with(JobStatus::Running))), Some(SECS_2));
        assert_eq!(job(&ok(&job_with(JobStatus::Completed))), None);
        assert_eq!(job(&ok(&job_with(JobStatus::Failed))), None);
        assert_eq!(job::<&str>(&failed()), None);
    }

    #[test]
    fn the_jobs_list_polls_while_a_job_runs() {
        let done = vec![job_with(JobStatus::Completed), job_with(JobStatus::Failed)];
        assert_eq!(running_jobs(&ok(&done)), None);
        assert_eq!(running_jobs(&ok(&vec![])), None);
        let running = vec![job_with(JobStatus::Completed), job_with(JobStatus::Running)];
        assert_eq!(running_jobs(&ok(&running)), Some(SECS_2));
        assert_eq!(running_jobs::<&str>(&failed()), None);
    }

    #[test]
    fn only_the_active_packages_list_polls() {
        let list = PackageList { data: vec![], total: 0, revision: 0 };
        assert_eq!(packages_page(PackageFilter::Active, &ok(&list)), Some(SECS_30));
        assert_eq!(packages_page(PackageFilter::Inactive, &ok(&list)), None);
    }
}
