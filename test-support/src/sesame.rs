//! A Sesame hub against the simulator or wiremock, without the application (the `sesame` tests
//! import this module as their `helpers`).

use std::time::Duration;

use server::sesame::{ApiKey, DeviceCredentials, DeviceSecret, SesameHub, SesameSettings};
use server::store::Store;
use sim::sesame::{
    SesameSim, SesameSimConfig, DEMO_API_KEY, DEMO_SECRET_HEX, DEMO_V3_DEVICE_ID, DEMO_WEBAPI_UUID,
};

pub use crate::fs::TempDir;

/// Settings scaled down for tests: the simulator completes commands in ~50 ms.
pub fn fast_settings(v3_base_url: String, webapi_base_url: String) -> SesameSettings {
    SesameSettings::for_tests(v3_base_url, webapi_base_url)
}

/// A hub whose both base URLs point at a wiremock server.
pub async fn hub_for(server: &wiremock::MockServer) -> SesameHub {
    SesameHub::new(fast_settings(server.uri(), server.uri()), None)
}

pub struct TestSesame {
    pub sim: SesameSim,
    pub hub: SesameHub,
}

pub async fn spawn_with(
    adjust: impl FnOnce(&mut SesameSettings),
    store: Option<Store>,
) -> TestSesame {
    let sim = SesameSim::spawn(SesameSimConfig::fast())
        .await
        .expect("the simulator starts");
    let mut settings = fast_settings(sim.v3_base_url(), sim.base_url());
    adjust(&mut settings);
    let hub = SesameHub::new(settings, store.map(|s| std::sync::Arc::new(s) as _));
    TestSesame { sim, hub }
}

pub async fn spawn() -> TestSesame {
    spawn_with(|_| {}, None).await
}

pub fn key(text: &str) -> ApiKey {
    ApiKey::parse(text).unwrap()
}

pub fn secret(hex: &str) -> DeviceSecret {
    DeviceSecret::parse(hex).unwrap().secret
}

pub fn web_creds(uuid: &str) -> DeviceCredentials {
    DeviceCredentials::WebApi {
        uuid: uuid.into(),
        api_key: key(DEMO_API_KEY),
        secret: secret(DEMO_SECRET_HEX),
    }
}

pub fn demo_web() -> DeviceCredentials {
    web_creds(DEMO_WEBAPI_UUID)
}

pub fn demo_v3() -> DeviceCredentials {
    DeviceCredentials::LegacyV3 {
        device_id: DEMO_V3_DEVICE_ID.into(),
        api_key: key(DEMO_API_KEY),
    }
}

/// Polls `f` every 5 ms for up to 2 s.
pub async fn wait_until(mut f: impl FnMut() -> bool) {
    for _ in 0..400 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("condition not reached in 2 s");
}
