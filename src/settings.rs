//! The person's settings, kept in `localStorage` so they survive a reload.
//! For now: which licenses' inventory changes raise a toast.

use leptos::prelude::*;

const MONITORED_KEY: &str = "budtags.monitoredLicenses";

/// Licenses whose inventory updates the person wants toasts for.
#[derive(Clone, Copy)]
pub struct Monitored(RwSignal<Vec<String>>);

impl Monitored {
    pub fn get(&self) -> Vec<String> {
        self.0.get()
    }

    pub fn get_untracked(&self) -> Vec<String> {
        self.0.get_untracked()
    }

    pub fn contains(&self, license: &str) -> bool {
        self.0.with(|l| l.iter().any(|m| m == license))
    }

    /// Turns toasts for `license` on or off, and saves the choice.
    pub fn set(&self, license: &str, on: bool) {
        self.0.update(|list| {
            list.retain(|m| m != license);
            if on {
                list.push(license.to_owned());
            }
        });
        if let Some(storage) = storage() {
            let json = serde_json::to_string(&self.0.get_untracked()).unwrap_or_default();
            let _ = storage.set_item(MONITORED_KEY, &json);
        }
    }
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

pub fn provide_settings() -> Monitored {
    let saved = storage()
        .and_then(|s| s.get_item(MONITORED_KEY).ok().flatten())
        .and_then(|json| serde_json::from_str::<Vec<String>>(&json).ok())
        .unwrap_or_default();
    let monitored = Monitored(RwSignal::new(saved));
    provide_context(monitored);
    monitored
}

pub fn use_monitored() -> Monitored {
    expect_context::<Monitored>()
}

/// The license the person is working in, remembered across reloads.
/// TODO(session helper): persist in localStorage and check it against the organization's licenses.
#[derive(Clone, Copy)]
pub struct CurrentLicense(pub RwSignal<Option<String>>);

pub fn use_current_license() -> CurrentLicense {
    use_context::<CurrentLicense>().unwrap_or_else(|| {
        let current = CurrentLicense(RwSignal::new(None));
        provide_context(current);
        current
    })
}
