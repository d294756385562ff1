//! Setting the simulated world up the way a test needs it, through our server's own API as the
//! people in it would (not by writing to the server's store).

use anyhow::{ensure, Context};
use api_types::{DeviceApi, DeviceRegistration};
use sim::sesame::{DEMO_API_KEY, DEMO_SECRET_HEX};

use crate::Stack;

impl Stack {
    /// The wearer of `wearer_token` connects the simulated Web API box `uuid` (one of the
    /// demo account's), as the connect form would: `PUT /api/device`.
    pub async fn connect_box(&self, wearer_token: &str, uuid: &str) -> anyhow::Result<()> {
        let registration = DeviceRegistration {
            api: DeviceApi::WebApi,
            nickname: "Key box".to_owned(),
            api_key: DEMO_API_KEY.to_owned(),
            device_id: uuid.to_owned(),
            secret: Some(DEMO_SECRET_HEX.to_owned()),
            model: None,
        };
        let response = reqwest::Client::new()
            .put(format!("{}/api/device", self.app_url))
            .bearer_auth(wearer_token)
            .json(&registration)
            .send()
            .await
            .context("PUT /api/device")?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        ensure!(
            status.is_success(),
            "connecting the box {uuid} answered {status}: {body}"
        );
        Ok(())
    }
}
