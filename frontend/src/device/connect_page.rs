//! The connect page (`/connect/`, its own bundle): the guided connect flow, off the main page so
//! the main page's WASM carries none of the form, the QR reading or its bindings. The main page
//! opens it in the same iframe with the same hash (the mainToken); it goes back to the main page
//! when the box is connected (which then says so) or when the wearer cancels.

use super::{connect::ConnectForm, guide::test_report};
use crate::{api, hash::MainToken, ui::focus_id};
use api_types::DeviceRegistration;
use leptos::prelude::*;

/// Where the connect page is served; the trailing slash makes its worker's relative URL
/// (`qr_worker_loader.js`) resolve inside the page's own directory of the build.
pub const CONNECT_PATH: &str = "/connect/";
/// The query the connect page comes back to the main page with, after connecting.
pub const CONNECTED_QUERY: &str = "?connected";

/// The connect flow for the wearer of `token`. Testing and saving go to the server; a saved box
/// sends the wearer back to the main page.
#[component]
pub fn ConnectPage(
    /// The viewer's token from the URL hash.
    token: MainToken,
) -> impl IntoView {
    let test = Action::new_local({
        let token = token.clone();
        move |registration: &DeviceRegistration| {
            let (token, registration) = (token.clone(), registration.clone());
            async move { api::test_device(&token, &registration).await }
        }
    });
    let save = Action::new_local(move |registration: &DeviceRegistration| {
        let (token, registration) = (token.clone(), registration.clone());
        async move {
            let answer = api::save_device(&token, &registration).await;
            if answer.is_ok() {
                back_to_main_page(CONNECTED_QUERY);
            }
            answer
        }
    });
    // The wearer came here to fill this form in: start at its first field.
    focus_id("connect-model");
    view! {
        <section class="card box-panel" data-testid="connect-page">
            <ConnectForm
                on_test=Callback::new(move |registration| { test.dispatch_local(registration); })
                on_save=Callback::new(move |registration| { save.dispatch_local(registration); })
                testing=Signal::derive(move || test.pending().get())
                saving=Signal::derive(move || save.pending().get())
                test_report=Signal::derive(move || test.value().get().map(|r| test_report(&r)))
                save_error=Signal::derive(move || save.value().get().and_then(Result::err))
                on_cancel=Callback::new(move |()| back_to_main_page(""))
            />
        </section>
    }
}

/// The main page with the same hash (the token stays out of any request); `query` tells it what
/// happened here. `replace`: going back in the iframe's history never reopens a finished form.
pub fn back_to_main_page(query: &str) {
    let location = window().location();
    let hash = location.hash().unwrap_or_default();
    let _ = location.replace(&format!("/{query}{hash}"));
}

/// Opens the connect page with the same hash.
pub fn open_connect_page() {
    let _ = window().location().assign(&connect_page_url());
}

/// The connect page's URL with this page's hash, for a link.
pub fn connect_page_url() -> String {
    let hash = window().location().hash().unwrap_or_default();
    format!("{CONNECT_PATH}{hash}")
}

/// Whether the main page was opened by the connect page after connecting; the query is taken
/// out of the address at once, so a reload does not say it again.
pub fn arrived_connected() -> bool {
    let window = window();
    let location = window.location();
    if location.search().unwrap_or_default() != CONNECTED_QUERY {
        return false;
    }
    let hash = location.hash().unwrap_or_default();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("/{hash}")),
        );
    }
    true
}
