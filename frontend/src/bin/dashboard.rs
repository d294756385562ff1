//! The keyholder dashboard's bundle (`dashboard.html`, served at `/dashboard`).

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(frontend::DashboardApp);
}
