//! Realtime events the server broadcasts, and their envelope.
//!
//! One typed enum for every transport; the transports only differ in framing:
//! - raw WebSocket (`/ws`): the envelope as JSON, `{"id", "event": {"type": "PACKAGE_UPDATE", ...}}`;
//! - SSE (`/api/events`): `id:` the envelope id, `event:` [`RealtimeEvent::sse_name`],
//!   `data:` the tagged event JSON;
//! - Pusher channels: channel `private-` + [`RealtimeEvent::channel`], event name
//!   `App\Events\` + [`RealtimeEvent::echo_name`] (Laravel Echo's convention), data: the
//!   event's fields (camelCase, no `type`) plus `"eventId"`: the envelope id, a
//!   per-server sequence number for catch-up after a reconnect.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::package::Package;

/// An event with its place in the server's event log. `id` increases by one
/// per event, so a client that saw id N can ask for everything after N.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    pub id: u64,
    pub event: RealtimeEvent,
}

/// What changed on the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE", rename_all_fields = "camelCase")]
pub enum RealtimeEvent {
    /// A package changed (quantity, finished, created). Carries the whole new row.
    PackageUpdate {
        license: String,
        package_id: i64,
        data: Box<Package>,
    },
    /// A license's inventory changed: `change` is the quantity delta (0 for a
    /// package created or finished). Goes to the organization's inventory channel.
    InventoryUpdated {
        organization_id: i64,
        license: String,
        package_id: i64,
        change: f64,
    },
    /// Someone asked for a label: the approvers' queue grows.
    LabelRequested {
        organization_id: i64,
        label_id: i64,
        requested_by: String,
    },
    LabelApproved {
        organization_id: i64,
        label_id: i64,
        approved_by: String,
    },
    LabelRejected {
        organization_id: i64,
        label_id: i64,
        rejected_by: String,
        reason: String,
    },
    PackageCheckedIn {
        transfer_id: i64,
        package_id: i64,
        label: String,
        checked_in_by: String,
    },
    TransferCompleted {
        transfer_id: i64,
    },
    JobProgressUpdated {
        job_id: String,
        progress: u8,
    },
    JobCompleted {
        job_id: String,
        result_url: String,
    },
    JobFailed {
        job_id: String,
        error: String,
    },
}

impl RealtimeEvent {
    /// The SSE event name: `package-update`, `label-approved`, …
    pub fn sse_name(&self) -> &'static str {
        match self {
            RealtimeEvent::PackageUpdate { .. } => "package-update",
            RealtimeEvent::InventoryUpdated { .. } => "inventory-updated",
            RealtimeEvent::LabelRequested { .. } => "label-requested",
            RealtimeEvent::LabelApproved { .. } => "label-approved",
            RealtimeEvent::LabelRejected { .. } => "label-rejected",
            RealtimeEvent::PackageCheckedIn { .. } => "package-checked-in",
            RealtimeEvent::TransferCompleted { .. } => "transfer-completed",
            RealtimeEvent::JobProgressUpdated { .. } => "job-progress-updated",
            RealtimeEvent::JobCompleted { .. } => "job-completed",
            RealtimeEvent::JobFailed { .. } => "job-failed",
        }
    }

    /// Every SSE event name, for listeners.
    pub const SSE_NAMES: [&'static str; 10] = [
        "package-update",
        "inventory-updated",
        "label-requested",
        "label-approved",
        "label-rejected",
        "package-checked-in",
        "transfer-completed",
        "job-progress-updated",
        "job-completed",
        "job-failed",
    ];

    /// The Laravel event class name (Echo's `.listen('LabelApproved')`).
    pub fn echo_name(&self) -> &'static str {
        match self {
            RealtimeEvent::PackageUpdate { .. } => "PackageUpdated",
            RealtimeEvent::InventoryUpdated { .. } => "InventoryUpdated",
            RealtimeEvent::LabelRequested { .. } => "LabelRequested",
            RealtimeEvent::LabelApproved { .. } => "LabelApproved",
            RealtimeEvent::LabelRejected { .. } => "LabelRejected",
            RealtimeEvent::PackageCheckedIn { .. } => "PackageCheckedIn",
            RealtimeEvent::TransferCompleted { .. } => "TransferCompleted",
            RealtimeEvent::JobProgressUpdated { .. } => "JobProgressUpdated",
            RealtimeEvent::JobCompleted { .. } => "JobCompleted",
            RealtimeEvent::JobFailed { .. } => "JobFailed",
        }
    }

    /// The channel this event is broadcast on, without Pusher's `private-`
    /// prefix (Echo's `Echo.private('org.1')`).
    pub fn channel(&self) -> String {
        match self {
            RealtimeEvent::PackageUpdate { license, .. } => format!("license.{license}"),
            RealtimeEvent::InventoryUpdated { organization_id, .. } => {
                format!("org.{organization_id}.inventory")
            }
            RealtimeEvent::LabelRequested { organization_id, .. }
            | RealtimeEvent::LabelApproved { organization_id, .. }
            | RealtimeEvent::LabelRejected { organization_id, .. } => format!("org.{organization_id}"),
            RealtimeEvent::PackageCheckedIn { transfer_id, .. }
            | RealtimeEvent::TransferCompleted { transfer_id } => format!("transfer.{transfer_id}"),
            RealtimeEvent::JobProgressUpdated { job_id, .. }
            | RealtimeEvent::JobCompleted { job_id, .. }
            | RealtimeEvent::JobFailed { job_id, .. } => format!("job.{job_id}"),
        }
    }

    /// The Pusher payload: the event's fields plus `eventId`.
    pub fn pusher_data(&self, event_id: u64) -> Value {
        let mut value = serde_json::to_value(self).expect("events serialise");
        if let Value::Object(map) = &mut value {
            map.remove("type");
            map.insert("eventId".into(), Value::from(event_id));
        }
        value
    }

    /// Rebuilds an event from its Echo class name (with or without the
    /// `App\Events\` namespace) and Pusher payload. `None` for unknown names
    /// or payloads that do not fit.
    pub fn from_pusher(name: &str, data: &Value) -> Option<(RealtimeEvent, Option<u64>)> {
        let short = name.rsplit('\\').next().unwrap_or(name);
        let tag = match short {
            "PackageUpdated" => "PACKAGE_UPDATE",
            "InventoryUpdated" => "INVENTORY_UPDATED",
            "LabelRequested" => "LABEL_REQUESTED",
            "LabelApproved" => "LABEL_APPROVED",
            "LabelRejected" => "LABEL_REJECTED",
            "PackageCheckedIn" => "PACKAGE_CHECKED_IN",
            "TransferCompleted" => "TRANSFER_COMPLETED",
            "JobProgressUpdated" => "JOB_PROGRESS_UPDATED",
            "JobCompleted" => "JOB_COMPLETED",
            "JobFailed" => "JOB_FAILED",
            _ => return None,
        };
        let mut map: Map<String, Value> = data.as_object()?.clone();
        let event_id = map.remove("eventId").and_then(|v| v.as_u64());
        map.insert("type".into(), Value::from(tag));
        let event = serde_json::from_value(Value::Object(map)).ok()?;
        Some((event, event_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approved() -> RealtimeEvent {
        RealtimeEvent::LabelApproved { organization_id: 1, label_id: 42, approved_by: "Ana".into() }
    }

    #[test]
    fn tagged_json_uses_the_seed_shape() {
        let json = serde_json::to_value(approved()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "LABEL_APPROVED", "organizationId": 1, "labelId": 42, "approvedBy": "Ana"})
        );
    }

    #[test]
    fn pusher_payload_round_trips_with_its_sequence_number() {
        let data = approved().pusher_data(7);
        assert_eq!(data["eventId"], 7);
        assert!(data.get("type").is_none());
        let (event, id) = RealtimeEvent::from_pusher("App\\Events\\LabelApproved", &data).unwrap();
        assert_eq!((event, id), (approved(), Some(7)));
    }

    #[test]
    fn unknown_or_malformed_pusher_events_are_refused() {
        assert!(RealtimeEvent::from_pusher("App\\Events\\Nope", &serde_json::json!({})).is_none());
        assert!(RealtimeEvent::from_pusher("LabelApproved", &serde_json::json!({"labelId": "x"})).is_none());
        assert!(RealtimeEvent::from_pusher("LabelApproved", &serde_json::json!("text")).is_none());
    }

    #[test]
    fn channels_follow_echo_names() {
        assert_eq!(approved().channel(), "org.1");
        let job = RealtimeEvent::JobFailed { job_id: "j9".into(), error: "x".into() };
        assert_eq!(job.channel(), "job.j9");
        assert_eq!(job.sse_name(), "job-failed");
        assert!(RealtimeEvent::SSE_NAMES.contains(&job.sse_name()));
    }
}
