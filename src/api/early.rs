//! The requests `index.html` starts before the app has loaded, so they are
//! on their way while the browser still compiles the module instead of
//! after: who is signed in (`/api/me`), and opening a packages page cold,
//! its first rows and the whole list (the largest answer by far).
//!
//! `index.html` leaves `window.__early[url]`, a `fetch` promise per URL; the
//! first request the app makes for exactly that URL adopts it. Anything else
//! (another URL, a failed fetch, a second request) takes the normal path, so
//! the worst case is a wasted request. They were asked as whoever held the
//! session at load: [`forget`] drops them when that changes.

use gloo_net::http::Response;
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The early response for `url`, if `index.html` started one and nobody has
/// taken it yet.
pub async fn take(url: &str) -> Option<Response> {
    let window: JsValue = web_sys::window()?.into();
    let slot = Reflect::get(&window, &"__early".into()).ok().filter(JsValue::is_object)?;
    let url = JsValue::from_str(url);
    let promise = Reflect::get(&slot, &url).ok()?.dyn_into::<Promise>().ok()?;
    let _ = Reflect::delete_property(slot.unchecked_ref::<Object>(), &url);
    let response = JsFuture::from(promise).await.ok()?;
    Some(response.dyn_into::<web_sys::Response>().ok()?.into())
}

/// Drops every early response not yet taken: the session they were asked
/// under has ended or changed (a signed-out load's `401`s must not answer
/// the requests made after signing in).
pub fn forget() {
    if let Some(window) = web_sys::window() {
        let _ = Reflect::delete_property(window.unchecked_ref::<Object>(), &"__early".into());
    }
}
