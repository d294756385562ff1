//! The accessibility audit (axe-core, installed from npm into `.tools` by `scripts/setup.sh`)
//! and the keyholder's sign-in to the dashboard through the simulated SSO.

use std::path::PathBuf;

use anyhow::{bail, Context};
use fantoccini::Locator;
use serde_json::Value;

use crate::{Page, WAIT};

/// Impacts that fail the audit.
const FAILING_IMPACTS: [&str; 2] = ["serious", "critical"];

/// `.tools/node_modules/axe-core/axe.min.js` at the workspace root.
fn axe_path() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../.tools/node_modules/axe-core/axe.min.js")
}

impl Page {
    /// Runs axe-core in the current frame and returns its serious and critical violations, each
    /// as `rule (impact): what — where` so a failure says what to fix.
    pub async fn serious_accessibility_violations(&self) -> anyhow::Result<Vec<String>> {
        let path = axe_path();
        let axe = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "axe-core is missing at {}: run scripts/setup.sh",
                path.display()
            )
        })?;
        // WebDriver runs the script as a function body, so the page's CSP does not apply.
        self.client
            .execute(&format!("{axe}\n;return typeof axe;"), vec![])
            .await
            .context("could not inject axe-core")?;
        let result = self
            .eval_async(
                "axe.run(document, { resultTypes: ['violations'] })\
                   .then(r => done(r.violations))\
                   .catch(e => done({ error: String(e) }));",
            )
            .await?;
        let Value::Array(violations) = result else {
            bail!("axe-core did not run: {result}");
        };
        Ok(violations
            .iter()
            .filter(|v| FAILING_IMPACTS.contains(&v["impact"].as_str().unwrap_or_default()))
            .map(|v| {
                let targets: Vec<String> = v["nodes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|n| {
                        format!(
                            "{} [{}]",
                            n["target"],
                            n["failureSummary"]
                                .as_str()
                                .unwrap_or_default()
                                .replace('\n', " ")
                        )
                    })
                    .collect();
                format!(
                    "{} ({}): {} — {}",
                    v["id"].as_str().unwrap_or_default(),
                    v["impact"].as_str().unwrap_or_default(),
                    v["help"].as_str().unwrap_or_default(),
                    targets.join("; ")
                )
            })
            .collect())
    }

    /// Fails with every serious or critical violation axe-core finds in the current frame.
    pub async fn assert_accessible(&self, state: &str) -> anyhow::Result<()> {
        let found = self.serious_accessibility_violations().await?;
        if !found.is_empty() {
            bail!(
                "{state}: {} serious or critical accessibility violations:\n  {}",
                found.len(),
                found.join("\n  ")
            );
        }
        Ok(())
    }

    /// Opens `/dashboard`, signs in with the simulated Chaster SSO as the keyholder of the demo
    /// sessions, and waits for the dashboard.
    pub async fn sign_in_to_dashboard(&self) -> anyhow::Result<()> {
        self.client
            .goto(&format!("{}/dashboard", self.app_url))
            .await?;
        self.click_testid("signin-link").await?;
        let button = self
            .wait_for_css("form button[type='submit']", WAIT)
            .await
            .context("the simulated SSO's sign-in page")?;
        button.click().await?;
        self.wait_for_testid("dashboard-running", WAIT).await?;
        Ok(())
    }

    /// The `data-testid` elements under `css` that are displayed, as their texts.
    pub async fn texts_in(&self, css: &str) -> anyhow::Result<Vec<String>> {
        let mut texts = Vec::new();
        for element in self.client.find_all(Locator::Css(css)).await? {
            if element.is_displayed().await.unwrap_or(false) {
                texts.push(element.text().await?);
            }
        }
        Ok(texts)
    }
}
