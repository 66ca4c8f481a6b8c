//! A Pusher protocol v7 client with a Laravel-Echo-shaped API, for any
//! Pusher-protocol server (our built-in `/app/{key}`, Reverb, Soketi,
//! Sockudo, Pusher Channels), chosen at runtime by configuration.
//!
//! - [`socket`]: the connection binding: one WebSocket, its state signal,
//!   reconnects (full-jitter backoff, close codes per range, at once when the
//!   browser comes back online), liveness pings, resubscribing every held
//!   channel, private-channel auth with re-authorisation, and catch-up by
//!   each channel's last `eventId`.
//! - [`echo`]: `Echo::private("org.1").listen("LabelApproved", …)`, `leave`.
//!
//! The rules (frame codec, close codes, liveness, naming) are the pure
//! `budtags_pusher` crate's; this module only owns browser handles.

pub mod echo;
pub mod socket;

pub use echo::{Echo, EchoChannel};
pub use socket::{Pusher, PusherOptions, PusherState};
