//! The QR worker: says `ready` once its WASM runs (a message sent before that would be lost),
//! then answers every `ImageData` it is sent with what `qr_worker::read_rgba` found.

use js_sys::{Reflect, Uint8ClampedArray};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let answer = read(&event.data()).to_message();
        // The page is gone if this fails; nothing is left to tell.
        let _ = reply_to.post_message(&JsValue::from_str(&answer));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str("ready"));
}

/// Reads an `ImageData`-like object: `width`, `height` and `data` (RGBA bytes).
fn read(image: &JsValue) -> qr_worker::Reading {
    let number = |key: &str| {
        Reflect::get(image, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_f64())
            .filter(|n| n.is_finite() && *n >= 0.0 && *n <= 16_384.0)
            .map(|n| n as usize)
    };
    let data = Reflect::get(image, &JsValue::from_str("data"))
        .ok()
        .and_then(|d| d.dyn_into::<Uint8ClampedArray>().ok());
    match (number("width"), number("height"), data) {
        (Some(width), Some(height), Some(data)) => {
            qr_worker::read_rgba(width, height, &data.to_vec())
        }
        _ => qr_worker::Reading::NoCode,
    }
}
