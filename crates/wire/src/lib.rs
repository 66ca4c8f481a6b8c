//! Wire types shared by the BudTags web app and its reference server.
//!
//! The compiler checks the contract: the server serialises these types and the
//! app deserialises the very same ones. Metrc's own PascalCase field names are
//! kept (see `shared/docs/metrc-data.md`) so data from a real Metrc-backed
//! service drops in.
//!
//! # Layout
//! - [`license`]: licenses and organizations.
//! - [`package`]: Metrc packages, the list envelope and the Active/Inactive filter.
//! - [`transfer`]: incoming transfers (deliveries).
//! - [`label`]: labels awaiting approval and the decisions on them.
//! - [`job`]: label-generation jobs.
//! - [`event`]: realtime events the server broadcasts.
//! - [`realtime`]: the runtime transport choice and the replay answer.
//! - [`session`]: users, roles, sign-in.
//! - [`error`]: the one JSON error body every failing endpoint returns.

pub mod error;
pub mod event;
pub mod job;
pub mod label;
pub mod license;
pub mod package;
pub mod realtime;
pub mod session;
pub mod transfer;

pub use error::{ErrorBody, ErrorCode};
pub use event::{EventEnvelope, RealtimeEvent};
pub use job::{Job, JobStatus, NewJob};
pub use label::{Label, LabelStatus, Rejection};
pub use license::License;
pub use package::{Item, Package, PackageChange, PackageFilter, PackageList};
pub use realtime::{
    DEFAULT_HEARTBEAT_MS, PusherConfig, RealtimeConfig, RealtimeDriver, Replay, SSE_HEARTBEAT, WS_HEARTBEAT,
};
pub use session::{Credentials, Me, Role};
pub use transfer::{CheckIn, CheckInResult, ShipmentPackageState, Transfer, TransferDetail, TransferPackage};
