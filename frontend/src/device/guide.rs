//! The words of the guided connect flow that depend on data: what the connection test checked,
//! and what the QR reader found. Pure.

use super::mapper::to_status_data;
use super::qr::QrProblem;
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
                headline: error.message.clone(),
                checks: Vec::new(),
                class: "notice-error",
            }
        }
    };
    let status = to_status_data(&test.status);
    let known = format!(
        "CANDY HOUSE accepted the API key and knows this Sesame ({}).",
        test.model
    );
    if !status.reachable {
        return TestReport {
            headline: "CANDY HOUSE accepted the details, but the hub did not reach the box. \
                       Check that the hub is online and near the box."
                .to_owned(),
            checks: vec![known],
            class: "notice-warning",
        };
    }
    let proof = match test.proof {
        ConnectionProof::TaggedLockInHistory => {
            "Our test lock command, marked with a one-time tag, is in the Sesame's own history: \
             the secret key is right and the box obeys it."
        }
        ConnectionProof::LockTaskCompleted => {
            "CANDY HOUSE reported our test lock command as carried out by the Sesame."
        }
        ConnectionProof::AtFirstOpening => {
            "This Sesame can only be unlocked remotely, so no lock command could test it: its \
             secret key is checked at its first opening."
        }
    };
    TestReport {
        headline: "It works. What was checked:".to_owned(),
        checks: vec![
            known,
            format!(
                "The hub is online and the box reports {}, battery {}.",
                status.latch_text.to_lowercase(),
                status.battery_text
            ),
            proof.to_owned(),
            "Nothing is saved yet: press “Connect this box” to finish.".to_owned(),
        ],
        class: "notice-success",
    }
}

/// What the page says after reading an uploaded screenshot.
pub fn qr_message(result: &Result<String, QrProblem>) -> (&'static str, &'static str) {
    match result {
        Ok(text) if super::form::is_qr_text(text) => (
            "QR code read: the secret key and the UUID will come from it. Now the API key, then test.",
            "notice-success",
        ),
        Ok(_) => (
            "This QR code is not a Sesame key (its text does not start with ssm://). Upload the QR code the Sesame app shows when it shares the key as Owner.",
            "notice-error",
        ),
        Err(QrProblem::NotAPicture) => (
            "This file is not a picture the browser can open. Upload a screenshot (PNG or JPEG).",
            "notice-error",
        ),
        Err(QrProblem::NoCode) => (
            "No QR code found in this picture. Upload a screenshot where the whole QR code is visible.",
            "notice-error",
        ),
        Err(QrProblem::Unreadable) => (
            "A QR code is there but could not be read. Take the screenshot again without cropping the code, or type the secret key below.",
            "notice-error",
        ),
        Err(QrProblem::ReaderFailed) => (
            "The QR reader could not start in this browser. Type the UUID and the secret key below instead.",
            "notice-error",
        ),
    }
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
