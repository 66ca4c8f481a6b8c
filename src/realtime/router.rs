//! One pure function from an event to what the app should do about it: cache
//! actions, a toast, a navigation. Every transport (SSE, raw WebSocket,
//! Pusher channels) feeds it.

use budtags_wire::{Package, RealtimeEvent};

use crate::toast::{Level, ToastSpec};

#[derive(Clone, Debug, PartialEq)]
pub enum CacheAction {
    /// Put this version of the package into every cached list of its license
    /// (the version guard keeps newer data).
    PatchPackage { license: String, package: Box<Package> },
    /// Refetch a license's package lists (its `['metrc','packages', license]` prefix).
    InvalidatePackages { license: String },
    /// Refetch every package list (something may have been missed).
    InvalidateAllPackages,
    /// The organization's label queue (`['labels', org]`).
    InvalidateLabels { organization_id: i64 },
    /// One transfer and its packages (`['transfer', id]`), and the incoming list.
    InvalidateTransfer { transfer_id: i64 },
    /// Set a job's progress.
    PatchJobProgress { job_id: String, progress: u8 },
    /// Set a job's final state.
    FinishJob { job_id: String, result_url: Option<String>, error: Option<String> },
}

/// A transport-level message, after decoding.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    /// An event, with its server sequence number when the transport carries one.
    Event { event: Box<RealtimeEvent>, id: Option<u64> },
    /// The server could not replay what was missed.
    Resync,
}

/// What the router needs to know about the person and the connection.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RouteContext {
    /// Licenses the person asked to hear about (inventory toasts).
    pub monitored_licenses: Vec<String>,
    /// Licenses whose package changes arrive as `PackageUpdate` events on this
    /// connection: their cached lists are patched, so an `InventoryUpdated`
    /// for them needs no refetch.
    pub patched_licenses: Vec<String>,
}

/// Everything to do for one message.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Routed {
    pub actions: Vec<CacheAction>,
    pub toast: Option<ToastSpec>,
    pub navigate: Option<String>,
}

pub const INCOMING_TRANSFERS: &str = "/transfers/incoming";

/// "Transfer completed", once per transfer whoever notices first (the live
/// event or the transfer page).
pub fn transfer_completed_toast(transfer_id: i64) -> ToastSpec {
    ToastSpec::new(Level::Success, "Transfer completed! All packages are checked in.")
        .key(format!("transfer-completed:{transfer_id}"))
}

pub fn route(incoming: Incoming, context: &RouteContext) -> Routed {
    let (event, id) = match incoming {
        Incoming::Resync => {
            return Routed { actions: vec![CacheAction::InvalidateAllPackages], ..Routed::default() };
        }
        Incoming::Event { event, id } => (*event, id),
    };
    // Toasts are keyed by the event's sequence number, so a replayed or
    // doubly delivered event is announced once.
    let toast = |spec: ToastSpec| {
        Some(match id {
            Some(id) => spec.key(format!("event:{id}")),
            None => spec,
        })
    };
    match event {
        RealtimeEvent::PackageUpdate { license, data, .. } => Routed {
            actions: vec![CacheAction::PatchPackage { license, package: data }],
            ..Routed::default()
        },
        RealtimeEvent::InventoryUpdated { license, package_id, .. } => {
            let actions = if context.patched_licenses.contains(&license) {
                vec![]
            } else {
                vec![CacheAction::InvalidatePackages { license: license.clone() }]
            };
            let toast = if context.monitored_licenses.contains(&license) {
                toast(
                    ToastSpec::new(
                        Level::Info,
                        format!("Inventory updated for {license}: package #{package_id}"),
                    )
                    .auto_close(std::time::Duration::from_secs(3)),
                )
            } else {
                None
            };
            Routed { actions, toast, navigate: None }
        }
        // No toast: requests arrive all day; the queue just grows.
        RealtimeEvent::LabelRequested { organization_id, .. } => {
            Routed { actions: vec![CacheAction::InvalidateLabels { organization_id }], ..Routed::default() }
        }
        RealtimeEvent::LabelApproved { organization_id, label_id, approved_by } => Routed {
            actions: vec![CacheAction::InvalidateLabels { organization_id }],
            toast: toast(ToastSpec::new(
                Level::Success,
                format!("Label #{label_id} approved by {approved_by}"),
            )),
            navigate: None,
        },
        // A colleague's ordinary decision: information, not an error. The
        // reason is clamped (the card has it whole), so a long one never
        // covers the buttons.
        RealtimeEvent::LabelRejected { organization_id, label_id, reason, .. } => Routed {
            actions: vec![CacheAction::InvalidateLabels { organization_id }],
            toast: toast(ToastSpec::new(
                Level::Info,
                format!("Label #{label_id} rejected: {}", clamp(&reason, TOAST_REASON_CHARS)),
            )),
            navigate: None,
        },
        // No toast: on a scanning tablet one per package would bury the
        // table; the transfer's row flashes and its count moves instead.
        RealtimeEvent::PackageCheckedIn { transfer_id, .. } => {
            Routed { actions: vec![CacheAction::InvalidateTransfer { transfer_id }], ..Routed::default() }
        }
        // Only the people looking at this transfer go back to the incoming
        // list: its page does that when the refetched transfer is no longer
        // pending (so the polling fallback does it too). The toast is keyed by
        // the transfer, so the page announcing the same completion adds none.
        RealtimeEvent::TransferCompleted { transfer_id } => Routed {
            actions: vec![CacheAction::InvalidateTransfer { transfer_id }],
            toast: Some(transfer_completed_toast(transfer_id)),
            navigate: None,
        },
        RealtimeEvent::JobProgressUpdated { job_id, progress } => {
            Routed { actions: vec![CacheAction::PatchJobProgress { job_id, progress }], ..Routed::default() }
        }
        RealtimeEvent::JobCompleted { job_id, result_url } => Routed {
            actions: vec![CacheAction::FinishJob { job_id, result_url: Some(result_url), error: None }],
            toast: toast(ToastSpec::new(Level::Success, "Label generation completed!")),
            navigate: None,
        },
        RealtimeEvent::JobFailed { job_id, error } => Routed {
            actions: vec![CacheAction::FinishJob { job_id, result_url: None, error: Some(error.clone()) }],
            toast: toast(ToastSpec::new(Level::Error, format!("Label generation failed: {error}"))),
            navigate: None,
        },
    }
}

/// The most of a rejection reason a toast shows.
const TOAST_REASON_CHARS: usize = 120;

/// `text` cut to `max` characters (at a word when one ends near), with "…".
fn clamp(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let at_word = cut.rfind(char::is_whitespace).filter(|&i| i > max / 2).map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", at_word.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::patch::tests::package;

    fn event(event: RealtimeEvent, id: u64) -> Incoming {
        Incoming::Event { event: Box::new(event), id: Some(id) }
    }

    fn none() -> RouteContext {
        RouteContext::default()
    }

    #[test]
    fn resync_refetches_everything() {
        assert_eq!(route(Incoming::Resync, &none()).actions, vec![CacheAction::InvalidateAllPackages]);
    }

    #[test]
    fn package_update_patches_its_license_quietly() {
        let update = RealtimeEvent::PackageUpdate {
            license: "L1".into(),
            package_id: 3,
            data: Box::new(package(3, 9, 1.0, false)),
        };
        let routed = route(event(update, 5), &none());
        assert!(matches!(&routed.actions[..], [CacheAction::PatchPackage { license, package }]
            if license == "L1" && package.revision == 9));
        assert_eq!(routed.toast, None);
    }

    #[test]
    fn label_decisions_invalidate_the_queue_and_say_who_or_why() {
        let ok = route(
            event(
                RealtimeEvent::LabelApproved { organization_id: 1, label_id: 7, approved_by: "Ana".into() },
                1,
            ),
            &none(),
        );
        assert_eq!(ok.actions, vec![CacheAction::InvalidateLabels { organization_id: 1 }]);
        let toast = ok.toast.unwrap();
        assert_eq!((toast.level, toast.message.as_str()), (Level::Success, "Label #7 approved by Ana"));
        assert_eq!(toast.key.as_deref(), Some("event:1"));

        let rejected = RealtimeEvent::LabelRejected {
            organization_id: 1,
            label_id: 8,
            rejected_by: "Bo".into(),
            reason: "wrong THC".into(),
        };
        let toast = route(event(rejected, 2), &none()).toast.unwrap();
        assert_eq!((toast.level, toast.message.as_str()), (Level::Info, "Label #8 rejected: wrong THC"));
    }

    #[test]
    fn a_long_rejection_reason_is_clamped_in_the_toast() {
        let rejected = RealtimeEvent::LabelRejected {
            organization_id: 1,
            label_id: 8,
            rejected_by: "Bo".into(),
            reason: "word ".repeat(600),
        };
        let toast = route(event(rejected, 2), &none()).toast.unwrap();
        let reason = toast.message.strip_prefix("Label #8 rejected: ").unwrap();
        assert!(reason.ends_with("word…") && reason.chars().count() <= TOAST_REASON_CHARS + 1, "{reason}");
        assert_eq!(clamp("  short  ", 10), "short");
        assert_eq!(clamp("ééééééééééé", 4), "éééé…", "counts characters, not bytes");
    }

    #[test]
    fn check_ins_and_completion_invalidate_the_transfer_and_completion_toasts_once() {
        let checked = RealtimeEvent::PackageCheckedIn {
            transfer_id: 4,
            package_id: 9,
            label: "1A4X".into(),
            checked_in_by: "Op".into(),
        };
        let routed = route(event(checked, 1), &none());
        assert_eq!(routed.actions, vec![CacheAction::InvalidateTransfer { transfer_id: 4 }]);
        assert_eq!(routed.toast, None, "a scan is shown by its row, not a toast");
        let done = route(event(RealtimeEvent::TransferCompleted { transfer_id: 4 }, 2), &none());
        assert_eq!(done.actions, vec![CacheAction::InvalidateTransfer { transfer_id: 4 }]);
        assert_eq!(done.navigate, None, "people elsewhere in the app stay where they are");
        let toast = done.toast.unwrap();
        assert_eq!(toast.level, Level::Success);
        assert_eq!(toast, transfer_completed_toast(4), "one toast per transfer, page or event");
    }

    #[test]
    fn inventory_toasts_only_for_monitored_licenses_and_refetches_only_unpatched_ones() {
        let inv = |license: &str| RealtimeEvent::InventoryUpdated {
            organization_id: 1,
            license: license.into(),
            package_id: 12,
            change: -1.0,
        };
        let context =
            RouteContext { monitored_licenses: vec!["L1".into()], patched_licenses: vec!["L2".into()] };
        let l1 = route(event(inv("L1"), 1), &context);
        assert_eq!(l1.actions, vec![CacheAction::InvalidatePackages { license: "L1".into() }]);
        let toast = l1.toast.unwrap();
        assert_eq!(toast.auto_close, Some(Some(std::time::Duration::from_secs(3))));
        let l2 = route(event(inv("L2"), 2), &context);
        assert_eq!((l2.actions.len(), l2.toast), (0, None));
    }

    #[test]
    fn jobs_patch_progress_and_finish_with_a_toast() {
        let progress =
            route(event(RealtimeEvent::JobProgressUpdated { job_id: "j".into(), progress: 40 }, 1), &none());
        assert_eq!(
            progress.actions,
            vec![CacheAction::PatchJobProgress { job_id: "j".into(), progress: 40 }]
        );
        assert_eq!(progress.toast, None);
        let failed = route(
            event(RealtimeEvent::JobFailed { job_id: "j".into(), error: "printer".into() }, 2),
            &none(),
        );
        assert_eq!(failed.toast.unwrap().message, "Label generation failed: printer");
        let done = route(
            event(RealtimeEvent::JobCompleted { job_id: "j".into(), result_url: "/r".into() }, 3),
            &none(),
        );
        assert!(
            matches!(&done.actions[..], [CacheAction::FinishJob { result_url: Some(u), .. }] if u == "/r")
        );
    }

    #[test]
    fn a_label_request_refreshes_the_queue_quietly() {
        let routed = route(
            Incoming::Event {
                event: Box::new(RealtimeEvent::LabelRequested {
                    organization_id: 3,
                    label_id: 9,
                    requested_by: "Omar".into(),
                }),
                id: Some(4),
            },
            &RouteContext::default(),
        );
        assert_eq!(routed.actions, vec![CacheAction::InvalidateLabels { organization_id: 3 }]);
        assert_eq!(routed.toast, None);
    }
}
