//! Bootstrap only: logging, configuration, build, serve.

use anyhow::Context;
use server::configuration::Settings;
use server::startup::Application;
use server::telemetry;

/// See `server/Cargo.toml`: small allocations are most of what a cached request costs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init_subscriber("info");
    let settings = Settings::from_env().context("reading the configuration")?;
    let application = Application::build(settings).await?;
    application.run_until_stopped().await?;
    Ok(())
}
