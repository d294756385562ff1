//! The way a wearer without a box reaches the guided connect flow: the main page offers it, and
//! the connect page (its own bundle, `/connect/`) opens in the same iframe.

use crate::{Page, WAIT};

/// Whether the current document downloaded the connect page's bundle (its WASM or JS).
pub const CONNECT_BUNDLE_FETCHED: &str = "return performance.getEntriesByType('resource')\
     .some(e => e.name.includes('/connect/'))";

impl Page {
    /// From the main page, as a person does: "Connect your box", then the connect form.
    pub async fn go_to_connect_form(&self) -> anyhow::Result<()> {
        self.wait_for_testid("connect-start", WAIT).await?;
        self.click_testid("open-connect").await?;
        self.wait_for_testid("connect-form", WAIT).await?;
        Ok(())
    }
}
