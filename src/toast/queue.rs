//! The toast queue: pure state, tested natively. Toasts stack newest last,
//! at most [`MAX_VISIBLE`] at once; a toast with a key (an event id) is shown
//! once even if the event arrives twice (a replay, a second transport).

use std::{collections::VecDeque, time::Duration};

pub const MAX_VISIBLE: usize = 5;
/// How many keys to remember for de-duplication.
const KEYS_REMEMBERED: usize = 512;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Warning,
    Error,
}

impl Level {
    /// Errors stay longer: they usually ask for something.
    pub fn default_auto_close(self) -> Duration {
        match self {
            Level::Info | Level::Success => Duration::from_secs(5),
            Level::Warning | Level::Error => Duration::from_secs(8),
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            Level::Info => "toast toast--info",
            Level::Success => "toast toast--success",
            Level::Warning => "toast toast--warning",
            Level::Error => "toast toast--error",
        }
    }
}

/// What to show, before it has an id.
#[derive(Clone, Debug, PartialEq)]
pub struct ToastSpec {
    pub level: Level,
    pub message: String,
    /// `None` keeps the level's default; `Some(None)` never closes by itself.
    pub auto_close: Option<Option<Duration>>,
    /// Shown once per key (e.g. `event:42`).
    pub key: Option<String>,
}

impl ToastSpec {
    pub fn new(level: Level, message: impl Into<String>) -> Self {
        Self { level, message: message.into(), auto_close: None, key: None }
    }

    pub fn auto_close(mut self, after: Duration) -> Self {
        self.auto_close = Some(Some(after));
        self
    }

    pub fn sticky(mut self) -> Self {
        self.auto_close = Some(None);
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub level: Level,
    pub message: String,
    pub auto_close: Option<Duration>,
}

#[derive(Default)]
pub struct ToastQueue {
    pub toasts: Vec<Toast>,
    keys: VecDeque<String>,
    next_id: u64,
}

impl ToastQueue {
    /// Adds a toast; returns it, or `None` when its key was already shown.
    /// The oldest toasts make room past [`MAX_VISIBLE`].
    pub fn push(&mut self, spec: ToastSpec) -> Option<Toast> {
        if let Some(key) = spec.key {
            if self.keys.contains(&key) {
                return None;
            }
            self.keys.push_back(key);
            if self.keys.len() > KEYS_REMEMBERED {
                self.keys.pop_front();
            }
        }
        self.next_id += 1;
        let toast = Toast {
            id: self.next_id,
            level: spec.level,
            auto_close: spec.auto_close.unwrap_or_else(|| Some(spec.level.default_auto_close())),
            message: spec.message,
        };
        self.toasts.push(toast.clone());
        if self.toasts.len() > MAX_VISIBLE {
            self.toasts.remove(0);
        }
        Some(toast)
    }

    /// Removes a toast; false if it was already gone.
    pub fn dismiss(&mut self, id: u64) -> bool {
        let before = self.toasts.len();
        self.toasts.retain(|t| t.id != id);
        self.toasts.len() != before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_event_is_toasted_once() {
        let mut q = ToastQueue::default();
        assert!(q.push(ToastSpec::new(Level::Info, "a").key("event:1")).is_some());
        assert!(q.push(ToastSpec::new(Level::Info, "a again").key("event:1")).is_none());
        assert!(q.push(ToastSpec::new(Level::Info, "b").key("event:2")).is_some());
        assert_eq!(q.toasts.len(), 2);
    }

    #[test]
    fn auto_close_defaults_by_level_and_can_be_set_or_turned_off() {
        let mut q = ToastQueue::default();
        let info = q.push(ToastSpec::new(Level::Info, "i")).unwrap();
        let error = q.push(ToastSpec::new(Level::Error, "e")).unwrap();
        let quick = q.push(ToastSpec::new(Level::Info, "q").auto_close(Duration::from_secs(3))).unwrap();
        let sticky = q.push(ToastSpec::new(Level::Warning, "s").sticky()).unwrap();
        assert_eq!(info.auto_close, Some(Duration::from_secs(5)));
        assert_eq!(error.auto_close, Some(Duration::from_secs(8)));
        assert_eq!(quick.auto_close, Some(Duration::from_secs(3)));
        assert_eq!(sticky.auto_close, None);
    }

    #[test]
    fn stacks_at_most_five_dropping_the_oldest() {
        let mut q = ToastQueue::default();
        for i in 0..7 {
            q.push(ToastSpec::new(Level::Info, format!("t{i}")));
        }
        let messages: Vec<&str> = q.toasts.iter().map(|t| t.message.as_str()).collect();
        assert_eq!(messages, ["t2", "t3", "t4", "t5", "t6"]);
    }

    #[test]
    fn dismiss_removes_once() {
        let mut q = ToastQueue::default();
        let t = q.push(ToastSpec::new(Level::Success, "ok")).unwrap();
        assert!(q.dismiss(t.id));
        assert!(!q.dismiss(t.id));
    }
}
