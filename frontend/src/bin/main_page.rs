//! The main page's bundle (`index.html`): mounts only the main page, so LTO leaves the
//! configuration page and the dashboard out of it.

fn main() {
    // First thing: the bench times WASM instantiation up to this mark.
    frontend::perf::mark("sesame:wasm-start");
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(frontend::MainApp);
}
