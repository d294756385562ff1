//! `sim`: runs the Chaster and Sesame simulators on fixed loopback addresses for the demo and for
//! manual runs, and optionally the simulated Chaster page that frames the app. Stops on Ctrl-C.
//!
//! ```text
//! sim --chaster-addr 127.0.0.1:7001 --sesame-addr 127.0.0.1:7002 \
//!     [--host-page-addr 127.0.0.1:8090 --app-url http://localhost:3000] \
//!     [--webhook-url http://127.0.0.1:3000/webhooks/chaster --webhook-user U --webhook-password P]
//! ```
//! Every flag can also come from the environment: `SIM_CHASTER_ADDR`, `SIM_SESAME_ADDR`,
//! `SIM_HOST_PAGE_ADDR`, `SIM_APP_URL`, `SIM_WEBHOOK_URL`, `SIM_WEBHOOK_USER`, `SIM_WEBHOOK_PASSWORD`.

use std::net::SocketAddr;

use anyhow::{anyhow, Context};
use sim::chaster::{self, ChasterSim, WebhookConfig};
use sim::sesame::{self, SesameSim, SesameSimConfig};
use tracing_subscriber::EnvFilter;

// The host page and its server are shared with the e2e harness, so the demo shows exactly the
// page the browser tests use. They only depend on crates this package has too.
#[path = "../../tests/e2e/src/host_page.rs"]
mod host_page;

const USAGE: &str = "usage: sim [--chaster-addr ADDR] [--sesame-addr ADDR] [--host-page-addr ADDR] [--app-url URL] \
     [--webhook-url URL [--webhook-user U --webhook-password P]]";

#[derive(Debug, PartialEq)]
struct Args {
    chaster_addr: SocketAddr,
    sesame_addr: SocketAddr,
    host_page_addr: Option<SocketAddr>,
    app_url: String,
    /// Where the Chaster simulator delivers webhooks, with optional Basic auth.
    webhook_url: Option<String>,
    webhook_user: Option<String>,
    webhook_password: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Logs go to stderr; stdout carries only the summary below (scripts/demo.sh shows it).
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = parse_args(std::env::args().skip(1), |name| std::env::var(name).ok())
        .map_err(|e| anyhow!("{e}\n{USAGE}"))?;

    let chaster = ChasterSim::spawn_on(args.chaster_addr).await?;
    let sesame = SesameSim::spawn_on(args.sesame_addr, SesameSimConfig::default()).await?;
    println!("Chaster simulator  {}", chaster.base_url());
    println!("  control page     {}/sim", chaster.base_url());
    if let Some(url) = &args.webhook_url {
        let mut webhook = WebhookConfig::new(url.as_str());
        if let Some(user) = &args.webhook_user {
            let password = args.webhook_password.clone().unwrap_or_default();
            webhook = webhook.with_basic_auth(user.as_str(), password);
        }
        chaster.set_webhook(webhook);
        println!("  webhooks to      {url}");
    }
    println!(
        "  developer token {}, client id {}",
        chaster::DEV_TOKEN,
        chaster::CLIENT_ID
    );
    println!(
        "Sesame simulator   {} (Web API), {} (legacy v3)",
        sesame.base_url(),
        sesame.v3_base_url()
    );
    println!("  boxes and faults: {}/sim/devices", sesame.base_url());
    println!("  API key          {}", sesame::DEMO_API_KEY);
    println!("  SESAME 5 (Web API) UUID {}", sesame::DEMO_WEBAPI_UUID);
    println!("                   secret {}", sesame::DEMO_SECRET_HEX);
    println!(
        "  low-battery box (Web API) UUID {}, same secret",
        sesame::DEMO_LOW_BATTERY_UUID
    );
    println!(
        "  original Sesame (v3) device id {}",
        sesame::DEMO_V3_DEVICE_ID
    );

    let host_page = match args.host_page_addr {
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("binding the host page to {addr}"))?;
            println!(
                "Chaster host page  http://{addr}/?token=… (frames {})",
                args.app_url
            );
            Some(host_page::serve(listener, &args.app_url))
        }
        None => None,
    };
    println!("Ready; Ctrl-C stops.");

    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    if let Some(task) = host_page {
        task.abort();
    }
    drop((chaster, sesame));
    Ok(())
}

/// Flags (`--name value` or `--name=value`) win over `SIM_*` variables, which win over defaults.
fn parse_args(
    mut argv: impl Iterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Args, String> {
    let mut chaster_addr = env("SIM_CHASTER_ADDR");
    let mut sesame_addr = env("SIM_SESAME_ADDR");
    let mut host_page_addr = env("SIM_HOST_PAGE_ADDR");
    let mut app_url = env("SIM_APP_URL");
    let mut webhook_url = env("SIM_WEBHOOK_URL");
    let mut webhook_user = env("SIM_WEBHOOK_USER");
    let mut webhook_password = env("SIM_WEBHOOK_PASSWORD");
    while let Some(arg) = argv.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg.clone(), None),
        };
        let slot = match name.as_str() {
            "--chaster-addr" => &mut chaster_addr,
            "--sesame-addr" => &mut sesame_addr,
            "--host-page-addr" => &mut host_page_addr,
            "--app-url" => &mut app_url,
            "--webhook-url" => &mut webhook_url,
            "--webhook-user" => &mut webhook_user,
            "--webhook-password" => &mut webhook_password,
            "-h" | "--help" => return Err("sim runs the Chaster and Sesame simulators".into()),
            other => return Err(format!("unknown argument {other}")),
        };
        let value = inline
            .or_else(|| argv.next())
            .ok_or(format!("{name} needs a value"))?;
        *slot = Some(value);
    }
    let addr = |value: Option<String>, default: &str, name: &str| {
        let value = value.unwrap_or_else(|| default.to_owned());
        value
            .parse::<SocketAddr>()
            .map_err(|e| format!("{name} {value:?}: {e}"))
    };
    Ok(Args {
        chaster_addr: addr(chaster_addr, "127.0.0.1:7001", "--chaster-addr")?,
        sesame_addr: addr(sesame_addr, "127.0.0.1:7002", "--sesame-addr")?,
        host_page_addr: host_page_addr
            .map(|a| addr(Some(a), "", "--host-page-addr"))
            .transpose()?,
        app_url: app_url
            .unwrap_or_else(|| "http://localhost:3000".to_owned())
            .trim_end_matches('/')
            .to_owned(),
        webhook_url,
        webhook_user,
        webhook_password,
    })
}

#[cfg(test)]
mod args_tests {
    use super::*;

    fn parse(argv: &[&str], env: &[(&str, &str)]) -> Result<Args, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse_args(argv.iter().map(|s| s.to_string()), move |name| {
            env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn flags_override_environment_which_overrides_defaults() {
        let args = parse(
            &[
                "--chaster-addr",
                "127.0.0.1:9001",
                "--app-url=http://localhost:4000/",
            ],
            &[
                ("SIM_CHASTER_ADDR", "127.0.0.1:8001"),
                ("SIM_SESAME_ADDR", "127.0.0.1:8002"),
            ],
        )
        .unwrap();
        assert_eq!(args.chaster_addr, "127.0.0.1:9001".parse().unwrap());
        assert_eq!(args.sesame_addr, "127.0.0.1:8002".parse().unwrap());
        assert_eq!(args.host_page_addr, None);
        assert_eq!(args.app_url, "http://localhost:4000");
    }

    #[test]
    fn webhook_flags_are_read_with_their_environment_fallbacks() {
        let args = parse(
            &[
                "--webhook-url",
                "http://127.0.0.1:3000/webhooks/chaster",
                "--webhook-user=u",
            ],
            &[("SIM_WEBHOOK_PASSWORD", "p")],
        )
        .unwrap();
        let url = "http://127.0.0.1:3000/webhooks/chaster";
        assert_eq!(args.webhook_url.as_deref(), Some(url));
        assert_eq!(args.webhook_user.as_deref(), Some("u"));
        assert_eq!(args.webhook_password.as_deref(), Some("p"));
        assert_eq!(parse(&[], &[]).unwrap().webhook_url, None);
    }

    #[test]
    fn unknown_flags_and_bad_addresses_are_refused() {
        assert!(parse(&["--nope"], &[]).is_err());
        assert!(parse(&["--sesame-addr", "localhost"], &[]).is_err());
        assert!(parse(&["--host-page-addr"], &[]).is_err());
    }
}
