//! The pure half of the Pusher Channels protocol (v7) and of Laravel Echo's
//! conventions, shared by the BudTags web app (a client of Pusher, Reverb,
//! Soketi or Sockudo) and the BudTags server (a server for pusher-js and
//! laravel-echo).
//!
//! Nothing here does I/O, reads a clock or spawns a task: sockets, timers and
//! HTTP live in the callers, which pass time in and act on the decisions made
//! here. That keeps every rule natively unit-tested, and the crate builds for
//! `wasm32-unknown-unknown` as well as for the server. The facts it encodes
//! are collected in `shared/docs/pusher-protocol.md`.
//!
//! # Layout
//! - [`message`]: the frame codec. [`ServerMessage`] and [`ClientMessage`],
//!   each with `decode` (for the receiving side) and `encode` (for the
//!   sending side), over the untyped [`Frame`].
//! - [`auth`]: private / presence channel and user sign-in signatures, their
//!   constant-time verification, socket id and channel name validation.
//! - [`http_api`]: signing and verifying the HTTP trigger API
//!   (`POST /apps/{app_id}/events`) and its [`TriggerBody`].
//! - [`close`]: [`on_close`], the reconnect policy for a close code.
//! - [`liveness`]: activity timeout, ping / pong and connect-timeout decisions.
//! - [`echo`]: Laravel Echo's channel and event naming, [`ChannelKind`].

pub mod auth;
pub mod close;
mod crypto;
pub mod echo;
pub mod http_api;
pub mod liveness;
pub mod message;

pub use auth::{AuthError, AuthResponse, SigninResponse};
pub use close::{Reconnect, on_close};
pub use echo::ChannelKind;
pub use http_api::{BatchBody, RequestAuthError, TriggerBody, TriggerError};
pub use liveness::{Activity, ConnectProgress, Liveness};
pub use message::{ClientMessage, DecodeError, Frame, ServerMessage};
