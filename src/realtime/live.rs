//! Live updates: the SSE transport, decoded, routed and applied to the cache.

use std::rc::Rc;

use budtags_wire::{PackageFilter, RealtimeEvent};
use leptos::prelude::*;
use leptos_fetch::QueryClient;

use super::{
    ConnectionState,
    router::{CacheAction, Incoming, route},
    sse::use_event_source,
};
use crate::{
    api::packages::PackagesKey,
    query::{
        patch::{self, Patched},
        recent_changes,
        scopes::{self, Fetched},
    },
};

/// Every named SSE event: the stream's own plus one per event type.
const SSE_EVENTS: [&str; 11] = {
    let names = RealtimeEvent::SSE_NAMES;
    let mut all = ["ready"; 11];
    let mut i = 0;
    while i < names.len() {
        all[i + 2] = names[i];
        i += 1;
    }
    all[1] = "resync";
    all
};

/// The live connection's state, for the status bar.
#[derive(Clone, Copy)]
pub struct LiveConnection(pub Signal<ConnectionState>);

/// Opens the app's event stream and provides its state as context.
pub fn provide_live_updates(client: QueryClient) {
    let on_message = Rc::new(move |name: &str, data: &str| {
        let incoming = match name {
            "resync" => Incoming::Resync,
            "ready" => return,
            _ => match serde_json::from_str::<RealtimeEvent>(data) {
                Ok(event) => Incoming::Event(Box::new(event)),
                Err(e) => {
                    leptos::logging::warn!("ignoring malformed `{name}` event: {e}");
                    return;
                }
            },
        };
        for action in route(incoming) {
            apply(client, action);
        }
    });
    let state = use_event_source("/api/events", &SSE_EVENTS, on_message);
    provide_context(LiveConnection(state));
}

pub fn use_live_connection() -> Signal<ConnectionState> {
    expect_context::<LiveConnection>().0
}

/// Carries out one cache action.
pub fn apply(client: QueryClient, action: CacheAction) {
    match action {
        CacheAction::PatchPackage { license, package } => {
            recent_changes(|recent| recent.record(&license, &package));
            for filter in PackageFilter::ALL {
                let key = PackagesKey { license: license.clone(), filter };
                client.update_query(scopes::packages(), &key, |cached| {
                    let changed = match cached {
                        Some(Fetched { result: Ok(list), .. }) => {
                            patch::apply(list, filter, &package) != Patched::Unchanged
                        }
                        _ => false,
                    };
                    if !changed {
                        client.untrack_update_query();
                    }
                });
            }
        }
        CacheAction::InvalidateAllPackages => client.invalidate_query_scope(scopes::packages()),
    }
}
