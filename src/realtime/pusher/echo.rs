//! Laravel Echo's API over [`Pusher`]: `echo.private("org.1")` →
//! `private-org.1`, `.listen("LabelApproved", …)` → `App\Events\LabelApproved`
//! (a leading `.` uses the name verbatim), `.subscribed`, `.error`, `leave`.

use budtags_pusher::echo::{self, DEFAULT_NAMESPACE};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::socket::Pusher;

#[derive(Clone)]
pub struct Echo {
    pusher: Pusher,
    namespace: String,
}

impl Echo {
    pub fn new(pusher: Pusher) -> Self {
        Self { pusher, namespace: DEFAULT_NAMESPACE.to_owned() }
    }

    pub fn pusher(&self) -> &Pusher {
        &self.pusher
    }

    /// `Echo.private(name)`: subscribes to `private-{name}`.
    pub fn private(&self, name: &str) -> EchoChannel {
        let channel = echo::private_channel(name);
        self.pusher.subscribe(&channel);
        EchoChannel { echo: self.clone(), channel }
    }

    /// `Echo.leave(name)`: leaves every variant of the channel.
    pub fn leave(&self, name: &str) {
        for channel in echo::leave(name) {
            self.pusher.unsubscribe(&channel);
        }
    }
}

pub struct EchoChannel {
    echo: Echo,
    channel: String,
}

impl EchoChannel {
    /// Listens for `event` with a raw JSON handler.
    pub fn listen_raw(self, event: &str, handler: impl Fn(&Value) + 'static) -> Self {
        let name = echo::event_name(event, &self.echo.namespace);
        self.echo.pusher.bind(&self.channel, &name, handler);
        self
    }

    /// Listens for `event`, decoding its data as `T`; undecodable data is
    /// logged and skipped.
    pub fn listen<T: DeserializeOwned>(self, event: &str, handler: impl Fn(T) + 'static) -> Self {
        let label = event.to_owned();
        self.listen_raw(event, move |data| match serde_json::from_value::<T>(data.clone()) {
            Ok(value) => handler(value),
            Err(e) => leptos::logging::warn!("ignoring `{label}` with unexpected data: {e}"),
        })
    }

    /// `.subscribed(cb)`: after each successful (re)subscription.
    pub fn subscribed(self, f: impl Fn() + 'static) -> Self {
        self.echo.pusher.on_subscribed(&self.channel, f);
        self
    }

    /// `.error(cb)`: when the subscription is refused.
    pub fn error(self, f: impl Fn(&str) + 'static) -> Self {
        self.echo.pusher.on_error(&self.channel, f);
        self
    }

    /// Called when a catch-up after a reconnect could not replay everything.
    pub fn resync(self, f: impl Fn() + 'static) -> Self {
        self.echo.pusher.on_resync(&self.channel, f);
        self
    }

    pub fn name(&self) -> &str {
        &self.channel
    }
}
