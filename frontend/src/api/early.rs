//! The `/api/session` request index.html starts before the WASM is fetched
//! (`window.__sessionEarly = { token, answer }`), so the session arrives while the WASM
//! compiles. The first session read takes it, once, and only for the token it was made with
//! (a `hashchange` since then asks again).

use gloo_net::http::Response;
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::hash::MainToken;

const EARLY: &str = "__sessionEarly";

/// The early request's answer for `token`, or `None` when there is none (already taken, another
/// token, no inline script: `trunk serve` of another page). `Err(())` when it failed to reach
/// the server, which the caller words like any failed request.
pub(super) async fn take_session(token: &MainToken) -> Option<Result<Response, ()>> {
    let promise = take(token)?;
    let answer = JsFuture::from(promise).await;
    Some(
        answer
            .and_then(|value| value.dyn_into::<web_sys::Response>())
            .map(Response::from)
            .map_err(|_| ()),
    )
}

/// Removes the early request from `window` (it is used at most once) and returns its promise
/// if it was made for `token`.
fn take(token: &MainToken) -> Option<Promise> {
    let window: Object = web_sys::window()?.into();
    let key = JsValue::from_str(EARLY);
    let early = Reflect::get(&window, &key).ok()?;
    if early.is_undefined() {
        return None;
    }
    let _ = Reflect::delete_property(&window, &key);
    let made_for = Reflect::get(&early, &JsValue::from_str("token")).ok()?;
    if made_for.as_string().as_deref() != Some(token.expose()) {
        return None;
    }
    Reflect::get(&early, &JsValue::from_str("answer"))
        .ok()?
        .dyn_into()
        .ok()
}
