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

/// The license the person is working in, remembered across reloads
/// (`localStorage["budtags.license"]`). Pages with a license in their URL set
/// it once the server has confirmed the license; `/` goes back to it if it is
/// still one of the organization's ([`pick_license`]).
#[derive(Clone, Copy)]
pub struct CurrentLicense(pub RwSignal<Option<String>>);

const LICENSE_KEY: &str = "budtags.license";

impl CurrentLicense {
    pub fn get(&self) -> Option<String> {
        self.0.get()
    }

    /// Makes `license` the current one, and saves the choice.
    pub fn set(&self, license: &str) {
        if self.0.with_untracked(|c| c.as_deref() == Some(license)) {
            return;
        }
        self.0.set(Some(license.to_owned()));
        if let Some(storage) = storage() {
            let _ = storage.set_item(LICENSE_KEY, license);
        }
    }
}

/// Provides the remembered license; called once, in `App`.
pub fn provide_current_license() -> CurrentLicense {
    let saved = storage().and_then(|s| s.get_item(LICENSE_KEY).ok().flatten());
    let current = CurrentLicense(RwSignal::new(saved));
    provide_context(current);
    current
}

pub fn use_current_license() -> CurrentLicense {
    expect_context::<CurrentLicense>()
}

/// The license `/` opens: the remembered one if the organization still has
/// it, else the organization's first.
pub fn pick_license<'a>(remembered: Option<&str>, licenses: &'a [String]) -> Option<&'a str> {
    remembered
        .and_then(|r| licenses.iter().find(|l| *l == r))
        .or_else(|| licenses.first())
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_remembered_license_wins_while_the_organization_has_it() {
        let ours = vec!["A-1".to_owned(), "A-2".to_owned()];
        assert_eq!(pick_license(Some("A-2"), &ours), Some("A-2"));
        assert_eq!(pick_license(Some("B-9"), &ours), Some("A-1"), "another organization's license");
        assert_eq!(pick_license(None, &ours), Some("A-1"));
        assert_eq!(pick_license(Some("A-2"), &[]), None);
    }
}
