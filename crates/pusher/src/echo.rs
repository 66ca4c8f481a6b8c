//! Laravel Echo's naming conventions, so channels and events line up with a
//! Laravel backend (and with our server, which speaks the same dialect).
//!
//! - `Echo.private('org.1')` subscribes to `private-org.1`; `join` to
//!   `presence-…`; `encryptedPrivate` to `private-encrypted-…`.
//! - `.listen('LabelApproved')` listens for `App\Events\LabelApproved`: the
//!   namespace (`App.Events` by default) is prepended and dots become
//!   backslashes. A leading `.` or `\` means "use the rest verbatim".
//! - `leave(x)` leaves `x` under every prefix.

/// Echo's default event namespace.
pub const DEFAULT_NAMESPACE: &str = "App.Events";

const PRIVATE: &str = "private-";
const PRIVATE_ENCRYPTED: &str = "private-encrypted-";
const PRESENCE: &str = "presence-";
const CLIENT: &str = "client-";

/// `Echo.private(name)`: `private-<name>`.
pub fn private_channel(name: &str) -> String {
    format!("{PRIVATE}{name}")
}

/// `Echo.encryptedPrivate(name)`: `private-encrypted-<name>`.
pub fn encrypted_private_channel(name: &str) -> String {
    format!("{PRIVATE_ENCRYPTED}{name}")
}

/// `Echo.join(name)`: `presence-<name>`.
pub fn presence_channel(name: &str) -> String {
    format!("{PRESENCE}{name}")
}

/// Every channel `Echo.leave(name)` leaves: the name as given and under each
/// prefix, in Echo's order.
pub fn leave(name: &str) -> [String; 4] {
    [name.to_owned(), private_channel(name), encrypted_private_channel(name), presence_channel(name)]
}

/// The wire event name Echo's `.listen(event)` matches.
///
/// `namespace` is Echo's `namespace` option; pass [`DEFAULT_NAMESPACE`] for
/// the default and `""` for Echo's `namespace: false`.
///
/// ```
/// use budtags_pusher::echo::{event_name, DEFAULT_NAMESPACE};
/// assert_eq!(event_name("LabelApproved", DEFAULT_NAMESPACE), r"App\Events\LabelApproved");
/// assert_eq!(event_name(".label.approved", DEFAULT_NAMESPACE), "label.approved");
/// ```
pub fn event_name(event: &str, namespace: &str) -> String {
    if let Some(verbatim) = event.strip_prefix('.').or_else(|| event.strip_prefix('\\')) {
        return verbatim.to_owned();
    }
    let qualified = if namespace.is_empty() { event.to_owned() } else { format!("{namespace}.{event}") };
    qualified.replace('.', "\\")
}

/// The wire name of a whisper (`.whisper(name)` / `.listenForWhisper(name)`):
/// `client-<name>`.
pub fn whisper_event(name: &str) -> String {
    format!("{CLIENT}{name}")
}

/// Whether an event name is a client event (`client-*`), which servers only
/// relay on private and presence channels.
pub fn is_client_event(event: &str) -> bool {
    event.starts_with(CLIENT)
}

/// The kind of a channel, read from its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelKind {
    /// No prefix: anyone may subscribe, no auth.
    Public,
    /// `private-`: needs an auth signature.
    Private,
    /// `private-encrypted-`: needs auth; payloads are end-to-end encrypted.
    PrivateEncrypted,
    /// `presence-`: needs auth with member data; members are announced.
    Presence,
}

impl ChannelKind {
    /// The kind of the channel called `name`.
    pub fn of(name: &str) -> ChannelKind {
        if name.starts_with(PRIVATE_ENCRYPTED) {
            ChannelKind::PrivateEncrypted
        } else if name.starts_with(PRIVATE) {
            ChannelKind::Private
        } else if name.starts_with(PRESENCE) {
            ChannelKind::Presence
        } else {
            ChannelKind::Public
        }
    }

    /// Whether subscribing needs a signature from the auth endpoint.
    pub fn requires_auth(self) -> bool {
        match self {
            ChannelKind::Public => false,
            ChannelKind::Private | ChannelKind::PrivateEncrypted | ChannelKind::Presence => true,
        }
    }

    /// Whether a server relays `client-*` events on this kind of channel.
    /// Pusher refuses them on public channels and, since the server cannot
    /// check encrypted payloads, on encrypted ones.
    pub fn allows_client_events(self) -> bool {
        match self {
            ChannelKind::Private | ChannelKind::Presence => true,
            ChannelKind::Public | ChannelKind::PrivateEncrypted => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_helpers_prefix_like_echo() {
        assert_eq!(private_channel("org.1"), "private-org.1");
        assert_eq!(presence_channel("org.1"), "presence-org.1");
        assert_eq!(encrypted_private_channel("org.1"), "private-encrypted-org.1");
        assert_eq!(leave("org.1"), ["org.1", "private-org.1", "private-encrypted-org.1", "presence-org.1"]);
    }

    #[test]
    fn event_names_follow_the_echo_formatter() {
        let table = [
            ("LabelApproved", DEFAULT_NAMESPACE, r"App\Events\LabelApproved"),
            ("Labels.Approved", DEFAULT_NAMESPACE, r"App\Events\Labels\Approved"),
            (".label.approved", DEFAULT_NAMESPACE, "label.approved"),
            (r"\Custom\Event", DEFAULT_NAMESPACE, r"Custom\Event"),
            ("LabelApproved", "Domain.Labels", r"Domain\Labels\LabelApproved"),
            ("LabelApproved", "", "LabelApproved"),
            ("label.approved", "", r"label\approved"),
            (".", DEFAULT_NAMESPACE, ""),
        ];
        for (event, namespace, expected) in table {
            assert_eq!(event_name(event, namespace), expected, "{event:?} in {namespace:?}");
        }
    }

    #[test]
    fn whispers_are_client_events() {
        assert_eq!(whisper_event("typing"), "client-typing");
        assert!(is_client_event("client-typing"));
        assert!(!is_client_event("pusher:ping"));
        assert!(!is_client_event("App\\Events\\client-x"));
    }

    #[test]
    fn channel_kind_is_read_from_the_prefix() {
        // (name, kind, requires auth, allows client events)
        let table = [
            ("org.1", ChannelKind::Public, false, false),
            ("private-org.1", ChannelKind::Private, true, true),
            ("private-encrypted-org.1", ChannelKind::PrivateEncrypted, true, false),
            ("presence-org.1", ChannelKind::Presence, true, true),
            ("privateorg", ChannelKind::Public, false, false),
            ("presence", ChannelKind::Public, false, false),
            ("Private-org", ChannelKind::Public, false, false),
        ];
        for (name, kind, auth, client_events) in table {
            assert_eq!(ChannelKind::of(name), kind, "{name}");
            assert_eq!(kind.requires_auth(), auth, "{name}");
            assert_eq!(kind.allows_client_events(), client_events, "{name}");
        }
        for name in leave("x") {
            assert_eq!(ChannelKind::of(&name).requires_auth(), name != "x");
        }
    }
}
