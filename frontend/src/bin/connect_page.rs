//! The connect page's bundle (`connect.html`, served at `/connect/`): the guided connect flow
//! and its QR reading, kept out of the main page's WASM.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(frontend::ConnectApp);
}
