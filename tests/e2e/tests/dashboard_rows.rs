//! The keyholder dashboard (issue 15): one row per lock (avatar, title, time left, box badge)
//! that expands into the controls; a released lock moves to "Ended" instead of disappearing;
//! a last-updated line.

use anyhow::ensure;
use e2e::{eventually, run_with_dashboard, WAIT};
use sim::chaster::{Release, SESSION_A_ID, SESSION_B_ID};

fn title_of(stack: &e2e::Stack, session_id: &str) -> String {
    stack.chaster.with_state(|s| {
        let (_, lock) = s.session_and_lock(session_id).expect("seeded session");
        lock.title.clone()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_lock_is_one_row_that_expands_into_its_controls() {
    run_with_dashboard(|t| async move {
        t.page.sign_in_to_dashboard().await?;
        t.page.wait_for_testid("dashboard-row", WAIT).await?;
        let titles = t
            .page
            .texts_in("[data-testid='dashboard-running'] [data-testid='row-title']")
            .await?;
        for session in [SESSION_A_ID, SESSION_B_ID] {
            let title = title_of(&t.stack, session);
            ensure!(titles.contains(&title), "no row {title:?} among {titles:?}");
        }
        let times = t.page.texts_in("[data-testid='row-time']").await?;
        ensure!(
            times
                .iter()
                .all(|t| t.ends_with(" left") || t == "Timer hidden"),
            "the rows' times read {times:?}"
        );
        let badges = t.page.texts_in("[data-testid='row-badge']").await?;
        ensure!(
            badges
                .iter()
                .all(|b| b.starts_with("Box ") || b == "No box"),
            "the rows' badges read {badges:?}"
        );
        let avatars = t
            .page
            .texts_in("[data-testid='dashboard-row'] .avatar")
            .await?;
        ensure!(
            avatars.len() == titles.len(),
            "{} avatars for {} rows",
            avatars.len(),
            titles.len()
        );
        let updated = t.page.text_of("dashboard-updated").await?;
        ensure!(updated.starts_with("Last updated"), "{updated:?}");

        // Collapsed: the controls are not shown; the toggle says so and names its panel.
        let toggle = t.page.wait_for_testid("dashboard-row-toggle", WAIT).await?;
        ensure!(toggle.attr("aria-expanded").await?.as_deref() == Some("false"));
        ensure!(
            t.page
                .wait_for_testid("controls", std::time::Duration::from_millis(300))
                .await
                .is_err(),
            "the controls show before the row is expanded"
        );
        let panel = toggle.attr("aria-controls").await?.unwrap_or_default();
        toggle.click().await?;
        t.page.wait_for_testid("controls", WAIT).await?;
        ensure!(toggle.attr("aria-expanded").await?.as_deref() == Some("true"));
        let panel_shown = t
            .page
            .eval(&format!(
                "return !document.getElementById({}).hidden",
                serde_json::json!(panel)
            ))
            .await?;
        ensure!(
            panel_shown == true,
            "the panel {panel} named by the toggle is not shown"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_released_lock_moves_to_the_ended_section_instead_of_disappearing() {
    run_with_dashboard(|t| async move {
        t.page.sign_in_to_dashboard().await?;
        t.page.wait_for_testid("dashboard-row", WAIT).await?;
        ensure!(
            !t.page.has_testid("dashboard-ended").await?,
            "an Ended section with nothing ended"
        );
        let released = title_of(&t.stack, SESSION_A_ID);
        t.stack
            .chaster
            .release_lock(SESSION_A_ID, Release::KeyholderUnlock)
            .await;

        t.page.client.refresh().await?;
        let ended = eventually("the released lock under Ended", WAIT, || async {
            let rows = t
                .page
                .texts_in("[data-testid='dashboard-ended'] [data-testid='dashboard-row']")
                .await?;
            Ok(if rows.iter().any(|r| r.contains(&released)) {
                Ok(rows)
            } else {
                Err(format!("{rows:?}"))
            })
        })
        .await?;
        ensure!(ended.len() == 1, "Ended lists {ended:?}");
        let heading = t
            .page
            .texts_in("[data-testid='dashboard-ended'] h2")
            .await?;
        ensure!(heading == ["Ended"], "{heading:?}");
        let time = t
            .page
            .texts_in("[data-testid='dashboard-ended'] [data-testid='row-time']")
            .await?;
        ensure!(time.len() == 1 && time[0].starts_with("Ended"), "{time:?}");
        let running = t
            .page
            .texts_in("[data-testid='dashboard-running'] [data-testid='row-title']")
            .await?;
        ensure!(
            !running.contains(&released),
            "the released lock is still running: {running:?}"
        );

        // Expanded, an ended lock shows its box but no controls.
        t.page
            .wait_for_css(
                "[data-testid='dashboard-ended'] [data-testid='dashboard-row-toggle']",
                WAIT,
            )
            .await?
            .click()
            .await?;
        t.page.wait_for_testid("dashboard-ended-card", WAIT).await?;
        let controls = t
            .page
            .texts_in("[data-testid='dashboard-ended'] [data-testid='controls']")
            .await?;
        ensure!(controls.is_empty(), "an ended lock offers controls");
        Ok(())
    })
    .await;
}
