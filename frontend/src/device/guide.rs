//! The words of the guided connect flow that depend on data: what the connection test checked,
//! and what the QR reader found. Pure.

use super::mapper::to_status_data;
use super::qr::QrProblem;
use crate::i18n::{t, tf, PageMsg};
use api_types::{ApiError, ConnectionProof, ConnectionTest};

/// The outcome of "Test connection": a headline, the checks it made, and its tone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestReport {
    pub headline: String,
    /// One sentence per check, in the order they were made.
    pub checks: Vec<String>,
    /// `notice-success`, `notice-warning` or `notice-error`.
    pub class: &'static str,
}

pub fn test_report(result: &Result<ConnectionTest, ApiError>) -> TestReport {
    let test = match result {
        Ok(test) => test,
        Err(error) => {
            return TestReport {
                headline: crate::ui::error_text(error),
                checks: Vec::new(),
                class: "notice-error",
            }
        }
    };
    let status = to_status_data(&test.status);
    let known = tf(PageMsg::ConnectCheckKnown, &[("model", &test.model)]);
    if !status.reachable {
        return TestReport {
            headline: t(PageMsg::ConnectTestUnreachable).to_owned(),
            checks: vec![known],
            class: "notice-warning",
        };
    }
    let proof = t(match test.proof {
        ConnectionProof::TaggedLockInHistory => PageMsg::ConnectCheckTagged,
        ConnectionProof::LockTaskCompleted => PageMsg::ConnectCheckTask,
        ConnectionProof::AtFirstOpening => PageMsg::ConnectCheckFirstOpening,
    });
    let latch = status.latch_text.to_lowercase();
    TestReport {
        headline: t(PageMsg::ConnectTestPassed).to_owned(),
        checks: vec![
            known,
            tf(
                PageMsg::ConnectCheckStatus,
                &[("latch", &latch), ("battery", &status.battery_text)],
            ),
            proof.to_owned(),
            t(PageMsg::ConnectCheckNotSaved).to_owned(),
        ],
        class: "notice-success",
    }
}

/// What the page says after reading an uploaded screenshot.
pub fn qr_message(result: &Result<String, QrProblem>) -> (&'static str, &'static str) {
    let (msg, class) = match result {
        Ok(text) if super::form::is_qr_text(text) => (PageMsg::ConnectQrRead, "notice-success"),
        Ok(_) => (PageMsg::ConnectQrNotSesame, "notice-error"),
        Err(QrProblem::NotAPicture) => (PageMsg::ConnectQrNotPicture, "notice-error"),
        Err(QrProblem::NoCode) => (PageMsg::ConnectQrNoCode, "notice-error"),
        Err(QrProblem::Unreadable) => (PageMsg::ConnectQrUnreadable, "notice-error"),
        Err(QrProblem::ReaderFailed) => (PageMsg::ConnectQrReaderFailed, "notice-error"),
    };
    (t(msg), class)
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_types::{BoxStatus, ErrorCode, LatchState};

    fn test(proof: ConnectionProof, reachable: bool) -> ConnectionTest {
        ConnectionTest {
            model: "SESAME 5".into(),
            status: BoxStatus {
                latch: LatchState::Locked,
                battery_percent: Some(80),
                battery_low: false,
                reachable,
                last_update: None,
            },
            proof,
        }
    }

    #[test]
    fn a_passed_test_names_each_check_it_made() {
        let report = test_report(&Ok(test(ConnectionProof::TaggedLockInHistory, true)));
        assert_eq!(report.class, "notice-success");
        assert!(report.checks[0].contains("API key") && report.checks[0].contains("SESAME 5"));
        assert!(report.checks[1].contains("locked") && report.checks[1].contains("80 %"));
        assert!(report.checks[2].contains("own history"));
        assert!(report.checks[3].contains("Nothing is saved"));
    }

    #[test]
    fn each_proof_is_worded_differently() {
        let proofs = [
            ConnectionProof::TaggedLockInHistory,
            ConnectionProof::LockTaskCompleted,
            ConnectionProof::AtFirstOpening,
        ];
        let mut lines: Vec<String> = proofs
            .into_iter()
            .map(|p| test_report(&Ok(test(p, true))).checks[2].clone())
            .collect();
        lines.dedup();
        assert_eq!(lines.len(), 3);
    }

    #[test]
    fn a_test_that_cannot_reach_the_box_says_so_and_an_error_keeps_the_servers_words() {
        let unreachable = test_report(&Ok(test(ConnectionProof::AtFirstOpening, false)));
        assert_eq!(unreachable.class, "notice-warning");
        assert!(unreachable.headline.contains("did not reach the box"));
        let refused = test_report(&Err(ApiError {
            code: ErrorCode::Invalid,
            message: "The secret key is wrong.".into(),
            retry_after_secs: None,
            reason: None,
            params: Default::default(),
        }));
        assert_eq!(
            (refused.headline.as_str(), refused.class),
            ("The secret key is wrong.", "notice-error")
        );
    }

    #[test]
    fn a_qr_code_that_is_no_sesame_key_is_refused_before_anything_is_sent() {
        assert_eq!(
            qr_message(&Ok("ssm://UI?t=sk&sk=x".into())).1,
            "notice-success"
        );
        assert_eq!(
            qr_message(&Ok("https://example.com".into())).1,
            "notice-error"
        );
        assert_eq!(qr_message(&Err(QrProblem::NoCode)).1, "notice-error");
    }
}
