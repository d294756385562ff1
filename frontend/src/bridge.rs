//! The configuration page's conversation with Chaster, which shows it in an iframe in a modal:
//! we post `partner_configuration` events (JSON strings) to the parent, and Chaster posts
//! `{"type":"chaster","event":"partner_configuration_save"}` when its Save button is pressed.
//!
//! Which messages we trust: only those whose `source` is our parent window AND whose `origin` is
//! the parent's origin, read from `location.ancestorOrigins[0]` (Chromium, WebKit) or, where
//! that does not exist, from the origin of `document.referrer`. The frontend knows no Chaster
//! origin of its own (it holds no URL but ours): the server's CSP `frame-ancestors`, built from
//! `CHASTER_ORIGINS`, already decides which origins may be our parent at all, so "the parent's
//! origin" is one of the configured Chaster origins. A message from any other window (another
//! frame, a popup, an extension) or origin is ignored, as is anything that is not a JSON string
//! with `type == "chaster"`.

use serde_json::{json, Value};
use wasm_bindgen::JsValue;

/// What the configuration page tells Chaster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChildEvent {
    /// "I can save": without it Chaster would not send the save event.
    Capabilities,
    SaveLoading,
    /// Closes Chaster's modal.
    SaveSuccess,
    /// Stops the modal's spinner; the page shows why.
    SaveFailed,
}

/// What Chaster tells the configuration page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParentEvent {
    /// The modal's Save button was pressed.
    Save,
}

/// The JSON string posted to the parent for `event`.
pub fn child_message(event: ChildEvent) -> String {
    let message = match event {
        ChildEvent::Capabilities => json!({
            "type": "partner_configuration",
            "event": "capabilities",
            "payload": { "features": { "save": true } },
        }),
        ChildEvent::SaveLoading => partner_event("save_loading"),
        ChildEvent::SaveSuccess => partner_event("save_success"),
        ChildEvent::SaveFailed => partner_event("save_failed"),
    };
    message.to_string()
}

fn partner_event(event: &str) -> Value {
    json!({ "type": "partner_configuration", "event": event })
}

/// Reads a message's data, as Chaster's own extensions do: JSON text with `type == "chaster"`.
/// Anything else (iframe-resizer's `[iFrameSizer]…` strings, other JSON) is not for us.
pub fn parse_parent_message(data: &str) -> Option<ParentEvent> {
    let value: Value = serde_json::from_str(data).ok()?;
    if value.get("type")?.as_str()? != "chaster" {
        return None;
    }
    match value.get("event")?.as_str()? {
        "partner_configuration_save" => Some(ParentEvent::Save),
        _ => None,
    }
}

/// True when a message from `origin` may be trusted: it must be exactly our parent's origin.
/// `"null"` (an opaque origin) is never trusted, even if both sides say it.
pub fn is_parent_origin(origin: &str, parent_origin: Option<&str>) -> bool {
    match parent_origin {
        Some(parent) => origin != "null" && !origin.is_empty() && origin == parent,
        None => false,
    }
}

/// `scheme://host[:port]` of an absolute http(s) URL, as `URL.origin` gives it.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    // Credentials in the URL are not part of the origin.
    let host = authority.rsplit('@').next()?.to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let host = host.strip_suffix(default_port).unwrap_or(&host);
    Some(format!("{scheme}://{host}"))
}

/// Posts `event` to the parent window. The target origin is `"*"` as in Chaster's docs: the
/// messages carry nothing but an event name.
pub fn post_to_parent(event: ChildEvent) {
    let Some(parent) = parent_window() else {
        return;
    };
    let message = JsValue::from_str(&child_message(event));
    // Failing to tell the parent is not worth breaking the page for.
    let _ = parent.post_message(&message, "*");
}

/// The parent window, when the page is framed.
fn parent_window() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    let parent = window.parent().ok()??;
    (!js_sys::Object::is(&parent, &window)).then_some(parent)
}

/// The origin of the window that frames us, if the browser tells.
pub fn parent_origin() -> Option<String> {
    let window = web_sys::window()?;
    let from_ancestors = js_sys::Reflect::get(&window.location(), &"ancestorOrigins".into())
        .ok()
        .filter(|list| !list.is_undefined() && !list.is_null())
        .and_then(|list| js_sys::Reflect::get(&list, &0.into()).ok())
        .and_then(|first| first.as_string());
    from_ancestors
        .or_else(|| origin_of(&window.document()?.referrer()))
        .filter(|origin| origin != "null")
}

/// The event in `message`, if it is one we trust (see the module comment).
pub fn trusted_event(message: &web_sys::MessageEvent) -> Option<ParentEvent> {
    let parent = parent_window()?;
    let source = message.source()?;
    if !js_sys::Object::is(&source, &parent) {
        return None;
    }
    if !is_parent_origin(&message.origin(), parent_origin().as_deref()) {
        return None;
    }
    parse_parent_message(&message.data().as_string()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_capabilities_message_is_the_json_string_chaster_expects() {
        let sent: Value = serde_json::from_str(&child_message(ChildEvent::Capabilities)).unwrap();
        assert_eq!(
            sent,
            json!({"type":"partner_configuration","event":"capabilities",
                   "payload":{"features":{"save":true}}})
        );
        let failed: Value = serde_json::from_str(&child_message(ChildEvent::SaveFailed)).unwrap();
        assert_eq!(
            failed,
            json!({"type":"partner_configuration","event":"save_failed"})
        );
    }

    #[test]
    fn only_chasters_save_event_is_understood() {
        let save = r#"{"type":"chaster","event":"partner_configuration_save"}"#;
        assert_eq!(parse_parent_message(save), Some(ParentEvent::Save));
        for ignored in [
            r#"{"type":"other","event":"partner_configuration_save"}"#,
            r#"{"type":"chaster","event":"something_else"}"#,
            r#"{"event":"partner_configuration_save"}"#,
            r#"{"type":7}"#,
            "[iFrameSizer]message:1",
            "",
            "null",
        ] {
            assert_eq!(parse_parent_message(ignored), None, "{ignored}");
        }
    }

    #[test]
    fn a_message_is_trusted_only_from_the_exact_parent_origin() {
        let parent = Some("https://chaster.app");
        assert!(is_parent_origin("https://chaster.app", parent));
        assert!(!is_parent_origin("https://evil.example", parent));
        assert!(!is_parent_origin(
            "https://chaster.app.evil.example",
            parent
        ));
        assert!(!is_parent_origin("http://chaster.app", parent));
        assert!(!is_parent_origin("https://chaster.app", None));
        assert!(!is_parent_origin("null", Some("null")));
    }

    #[test]
    fn the_origin_of_a_referrer_drops_path_credentials_and_default_port() {
        let cases = [
            (
                "https://chaster.app/locks/1?x=2",
                Some("https://chaster.app"),
            ),
            ("https://Chaster.App:443/", Some("https://chaster.app")),
            (
                "http://127.0.0.1:8090/host?hash=1",
                Some("http://127.0.0.1:8090"),
            ),
            ("https://user:pw@chaster.app/", Some("https://chaster.app")),
            ("", None),
            ("about:blank", None),
            ("javascript://chaster.app", None),
        ];
        for (url, origin) in cases {
            assert_eq!(origin_of(url).as_deref(), origin, "{url}");
        }
    }
}
