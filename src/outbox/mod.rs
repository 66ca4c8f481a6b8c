//! The one way the app writes: check-ins and label decisions.
//!
//! [`Outbox::submit`] applies a write to the cache at once, sends it with its
//! idempotency key, then confirms it (and invalidates what it touched) or
//! rolls it back with the server's words. A write that cannot reach the
//! server is kept ([`queue`]'s rules) in IndexedDB ([`store`]), marked on the
//! page, and replayed in order, exactly once, when the server answers again:
//! on `online`, when the live connection is back, on signing in again, and by
//! a probe every few seconds while something waits. It survives a reload and
//! a browser restart.

pub mod queue;
mod store;

use std::time::Duration;

use budtags_wire::{CheckInResult, Label, LabelStatus};
use leptos::{ev, prelude::*, task::spawn_local};
use leptos_fetch::QueryClient;
use leptos_use_event_listener::use_event_listener;
use queue::{Decision, Queue, Write, is_kept};

use crate::{
    api::{ApiError, labels as label_calls, transfers as transfer_calls},
    query::{optimistic, workspaces},
    realtime::{ConnectionState, live::use_live_connection},
    session::Session,
    toast::{Level, ToastSpec, Toasts},
};

/// How often a waiting write is tried again while nothing else prompts it.
const PROBE: Duration = Duration::from_secs(5);

/// What the server answered to a write.
#[derive(Clone, Debug, PartialEq)]
pub enum Sent {
    CheckedIn(Box<CheckInResult>),
    Decided(Box<Label>),
}

/// How a submitted write ended, for the page that made it.
#[derive(Clone, Debug, PartialEq)]
pub enum Submitted {
    Done(Sent),
    /// Refused for good; the cache is as the server has it.
    Refused(ApiError),
    /// Kept on this device, to be sent when the server is reachable (why it
    /// could not go now).
    Queued(String),
}

/// The app's outbox, provided as context.
#[derive(Clone, Copy)]
pub struct Outbox {
    queue: RwSignal<Queue>,
    /// Whether the stored queue has been read (nothing replays before).
    loaded: RwSignal<bool>,
    draining: StoredValue<bool>,
    client: QueryClient,
    toasts: Toasts,
    session: Session,
}

/// What the cache looked like before an optimistic write.
enum Undo {
    CheckIn(optimistic::Undo),
    Label(usize, Label),
}

pub fn provide_outbox(client: QueryClient, toasts: Toasts, session: Session) -> Outbox {
    let outbox = Outbox {
        queue: RwSignal::new(Queue::default()),
        loaded: RwSignal::new(false),
        draining: StoredValue::new(false),
        client,
        toasts,
        session,
    };
    provide_context(outbox);
    spawn_local(async move {
        match store::load().await {
            Ok(entries) => outbox.queue.set(Queue::from_stored(entries)),
            Err(e) => leptos::logging::warn!("the outbox could not be read: {e}"),
        }
        outbox.loaded.set(true);
    });
    // Replay when someone signs in (again), when the browser is back online,
    // and every few seconds while something of theirs waits.
    Effect::new(move |_| {
        if outbox.loaded.get() && outbox.user_id_tracked().is_some() {
            outbox.drain();
        }
    });
    let _ = use_event_listener(window(), ev::online, move |_| outbox.drain());
    // The live connection is back: so is the server.
    let live = use_live_connection();
    Effect::new(move |_| {
        if live.get() == ConnectionState::Connected {
            outbox.drain();
        }
    });
    let waiting = Memo::new(move |_| match outbox.user_id_tracked() {
        Some(user) => outbox.queue.with(|q| !q.is_empty_for(user)),
        None => false,
    });
    let probe = StoredValue::new_local(None::<IntervalHandle>);
    Effect::new(move |_| {
        if let Some(handle) = probe.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        if waiting.get() {
            probe.set_value(set_interval_with_handle(move || outbox.drain(), PROBE).ok());
        }
    });
    outbox
}

pub fn use_outbox() -> Outbox {
    expect_context()
}

impl Outbox {
    fn user_id_tracked(self) -> Option<i64> {
        self.session.me.with(|m| m.as_ref().map(|m| m.user_id))
    }

    /// "3 scans waiting to send" for the signed-in person, or `None`.
    pub fn summary(self) -> Option<String> {
        let user = self.user_id_tracked()?;
        self.queue.with(|q| queue::summary(q.of(user)))
    }

    /// Whether the signed-in person's write `key` waits to be sent (tracked).
    pub fn is_waiting(self, key: &str) -> bool {
        let Some(user) = self.user_id_tracked() else { return false };
        self.queue.with(|q| q.of(user).any(|p| p.write.key() == key))
    }

    /// Applies `write` optimistically, sends it, and confirms or rolls it back;
    /// keeps it for later when the server cannot be reached.
    pub async fn submit(self, write: Write) -> Submitted {
        let Some(me) = self.session.me.get_untracked() else {
            return Submitted::Refused(ApiError::Unauthorized);
        };
        // Writes go out in the order they were made: behind any still waiting.
        if self.queue.with_untracked(|q| !q.is_empty_for(me.user_id)) {
            let reason = match self.queue.with_untracked(|q| q.of(me.user_id).count()) {
                1 => "an earlier change is still waiting to send".to_owned(),
                n => format!("{n} earlier changes are still waiting to send"),
            };
            self.keep(write, me.user_id, reason.clone()).await;
            self.drain();
            return Submitted::Queued(reason);
        }
        let undo = self.apply(&write, &me.name);
        match self.send(&write).await {
            Ok(sent) => {
                self.confirm(&write, &sent);
                Submitted::Done(sent)
            }
            Err(error) => {
                if let Some(undo) = undo {
                    self.roll_back(&write, undo);
                }
                if is_kept(&error) {
                    let reason = error.to_string();
                    self.keep(write, me.user_id, reason.clone()).await;
                    Submitted::Queued(reason)
                } else {
                    self.refused(&write, &error);
                    Submitted::Refused(error)
                }
            }
        }
    }

    async fn keep(self, write: Write, user_id: i64, reason: String) {
        let now = js_sys::Date::now();
        if let Some(pending) = self.queue.try_update(|q| q.push(write, user_id, now, reason)).flatten()
            && let Err(e) = store::put(&pending).await
        {
            // Still waiting in this tab; only a reload would lose it.
            leptos::logging::warn!("the outbox could not be saved: {e}");
        }
    }

    /// Sends the signed-in person's waiting writes, oldest first, until one
    /// cannot go through; one run at a time.
    pub fn drain(self) {
        let Some(user) = self.session.me.with_untracked(|m| m.as_ref().map(|m| m.user_id)) else { return };
        if !self.loaded.get_untracked()
            || self.draining.get_value()
            || self.queue.with_untracked(|q| q.is_empty_for(user))
        {
            return;
        }
        self.draining.set_value(true);
        spawn_local(async move {
            let mut sent = 0;
            while let Some(pending) = self.queue.with_untracked(|q| q.next_for(user).cloned()) {
                if self.session.me.with_untracked(|m| m.as_ref().map(|m| m.user_id)) != Some(user) {
                    break; // signed out (or in as someone else) meanwhile
                }
                let key = pending.write.key();
                let result = self.send(&pending.write).await;
                match &result {
                    Ok(answer) => {
                        self.confirm(&pending.write, answer);
                        if let Write::CheckIn { transfer_id, .. } = &pending.write {
                            self.client.invalidate_query(workspaces::transfer(), *transfer_id);
                        }
                        sent += 1;
                    }
                    Err(error) if is_kept(error) => {
                        self.queue.update(|q| q.kept(user, &key, error.to_string()));
                        break;
                    }
                    Err(error) => {
                        // Someone else did it first, or it is no longer
                        // possible: said plainly; the page shows the server's state.
                        self.refused(&pending.write, error);
                        let what = pending.write.describe();
                        let text = format!("The queued {what} did not go through: {error}");
                        self.toasts.show(ToastSpec::new(Level::Warning, text));
                    }
                }
                self.queue.update(|q| {
                    q.remove(user, &key);
                });
                if let Err(e) = store::delete(user, &key).await {
                    leptos::logging::warn!("a sent write stays in the stored outbox: {e}");
                }
            }
            self.draining.set_value(false);
            if sent > 0 {
                let text = match sent {
                    1 => "Sent 1 queued change.".to_owned(),
                    n => format!("Sent {n} queued changes."),
                };
                self.toasts.show(ToastSpec::new(Level::Success, text));
            }
        });
    }

    async fn send(self, write: &Write) -> Result<Sent, ApiError> {
        match write {
            Write::CheckIn { transfer_id, check_in } => {
                transfer_calls::check_in(*transfer_id, check_in).await.map(|r| Sent::CheckedIn(Box::new(r)))
            }
            Write::Decide { label_id, decision: Decision::Approve } => {
                label_calls::approve(*label_id).await.map(|l| Sent::Decided(Box::new(l)))
            }
            Write::Decide { label_id, decision: Decision::Reject { reason } } => {
                label_calls::reject(*label_id, reason.clone()).await.map(|l| Sent::Decided(Box::new(l)))
            }
        }
    }

    /// Shows the write at once; returns how to take it back.
    fn apply(self, write: &Write, me: &str) -> Option<Undo> {
        match write {
            Write::CheckIn { transfer_id, check_in } => {
                let now: String = js_sys::Date::new_0().to_iso_string().into();
                let mut undo = None;
                workspaces::edit(self.client, workspaces::transfer(), transfer_id, |d| {
                    undo = optimistic::check_in(d, &check_in.label, check_in.received_quantity, me, &now);
                    undo.is_some()
                });
                undo.map(Undo::CheckIn)
            }
            Write::Decide { label_id, .. } => {
                let mut taken = None;
                workspaces::edit(self.client, workspaces::labels(), &LabelStatus::Pending, |queue| {
                    taken = optimistic::take_label(queue, *label_id);
                    taken.is_some()
                });
                taken.map(|(index, label)| Undo::Label(index, label))
            }
        }
    }

    fn roll_back(self, write: &Write, undo: Undo) {
        match (write, undo) {
            (Write::CheckIn { transfer_id, .. }, Undo::CheckIn(undo)) => {
                workspaces::edit(self.client, workspaces::transfer(), transfer_id, |d| {
                    optimistic::roll_back(d, &undo)
                });
            }
            (Write::Decide { .. }, Undo::Label(index, label)) => {
                workspaces::edit(self.client, workspaces::labels(), &LabelStatus::Pending, |queue| {
                    optimistic::restore_label(queue, index, label);
                    true
                });
            }
            _ => {}
        }
    }

    /// The server applied the write: take its answer, refetch what it touched.
    fn confirm(self, write: &Write, sent: &Sent) {
        match (write, sent) {
            (Write::CheckIn { transfer_id, .. }, Sent::CheckedIn(result)) => {
                workspaces::edit(self.client, workspaces::transfer(), transfer_id, |d| {
                    optimistic::confirm(d, result);
                    true
                });
                self.client.invalidate_query_scope(workspaces::incoming_transfers());
            }
            _ => self.client.invalidate_query_scope(workspaces::labels()),
        }
    }

    /// The server refused the write: what it touched takes the server's state.
    fn refused(self, write: &Write, error: &ApiError) {
        match write {
            Write::CheckIn { transfer_id, .. } => {
                if matches!(error, ApiError::Conflict(_) | ApiError::NotFound(_)) {
                    self.client.invalidate_query(workspaces::transfer(), *transfer_id);
                }
            }
            Write::Decide { .. } => self.client.invalidate_query_scope(workspaces::labels()),
        }
    }
}
