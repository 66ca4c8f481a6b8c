//! The one request `index.html` starts before the app has loaded: opening a
//! packages page cold, the list (the largest answer by far) is on its way
//! while the browser still compiles the module, instead of after.
//!
//! `index.html` leaves `window.__early = { url, response }` (a `fetch`
//! promise); the first request the app makes for exactly that URL adopts it.
//! Anything else (another URL, a failed fetch, a second request) takes the
//! normal path, so the worst case is one wasted request.

use gloo_net::http::Response;
use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

const SLOT: &str = "__early";

/// The early response for `url`, if `index.html` started one and nobody has
/// taken it yet. Taking it empties the slot either way.
pub async fn take(url: &str) -> Option<Response> {
    let window: JsValue = web_sys::window()?.into();
    let slot = Reflect::get(&window, &SLOT.into()).ok().filter(|s| s.is_object())?;
    let _ = Reflect::delete_property(window.unchecked_ref::<js_sys::Object>(), &SLOT.into());
    let same_url =
        Reflect::get(&slot, &"url".into()).ok().and_then(|u| u.as_string()).as_deref() == Some(url);
    let promise = Reflect::get(&slot, &"response".into()).ok()?.dyn_into::<Promise>().ok()?;
    if !same_url {
        return None;
    }
    let response = JsFuture::from(promise).await.ok()?;
    Some(response.dyn_into::<web_sys::Response>().ok()?.into())
}
