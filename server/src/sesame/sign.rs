//! The Web API's per-request `sign`: AES-128-CMAC of the time, keyed with the device secret.
//!
//! The message is bytes 1..4 of the little-endian u32 unix time, i.e. `t >> 8` as three
//! little-endian bytes (CANDY HOUSE's own code drops byte 0 despite the doc's wording), so a sign
//! stays valid for a 256-second window. Never log the result: it actuates the lock.

use aes::Aes128;
use cmac::{Cmac, Mac};

use crate::domain::DeviceSecret;

/// Lowercase hex AES-CMAC of `message` under `key`.
pub fn cmac_hex(key: &[u8; 16], message: &[u8]) -> String {
    let mut mac = <Cmac<Aes128> as Mac>::new_from_slice(key).expect("a 16-byte key fits AES-128");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// The `sign` for a command sent at `unix_secs`.
pub fn sign_at(secret: &DeviceSecret, unix_secs: u32) -> String {
    cmac_hex(secret.expose(), &unix_secs.to_le_bytes()[1..4])
}

/// The `sign` for a command sent now.
pub fn sign_now(secret: &DeviceSecret) -> String {
    let now = chrono::Utc::now().timestamp();
    // u32 seconds last until 2106; saturate rather than wrap if the clock is absurd.
    sign_at(secret, u32::try_from(now.max(0)).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(hex_key: &str) -> [u8; 16] {
        hex::decode(hex_key).unwrap().try_into().unwrap()
    }

    fn sign(hex_key: &str, t: u32) -> String {
        sign_at(&DeviceSecret::from_bytes(key(hex_key)), t)
    }

    const PYSESAME3_KEY: &str = "0b3e5f1665e143b59180c915fa4b06d9";
    const HOMEBRIDGE_KEY: &str = "a13d4b890111676ba8fb36ece7e94f7d";

    #[test]
    fn cmac_matches_rfc_4493_examples_1_and_2() {
        let k = key("2b7e151628aed2a6abf7158809cf4f3c");
        assert_eq!(cmac_hex(&k, &[]), "bb1d6929e95937287fa37d129b756746");
        let msg = hex::decode("6bc1bee22e409f96e93d7e117393172a").unwrap();
        assert_eq!(cmac_hex(&k, &msg), "070a16b46b4d4144f79bdd9dd04a287c");
    }

    #[test]
    fn sign_matches_the_reference_vectors_for_the_pysesame3_key() {
        assert_eq!(
            sign(PYSESAME3_KEY, 1621854456),
            "2067013cbb2990dc94ca3574f25f0a23"
        );
        assert_eq!(
            sign(PYSESAME3_KEY, 1598523693),
            "7d4743c5619a34d085d324440e5cba96"
        );
        assert_eq!(
            sign(PYSESAME3_KEY, 1700000000),
            "59d5cac56b12792bf185c0bcfef6581c"
        );
        assert_eq!(
            sign(PYSESAME3_KEY, 1700000256),
            "0ba121a6e29295b3f3316a67468330ca"
        );
    }

    #[test]
    fn sign_is_constant_within_a_256_second_window() {
        assert_eq!(
            sign(PYSESAME3_KEY, 1700000255),
            "59d5cac56b12792bf185c0bcfef6581c"
        );
        assert_ne!(
            sign(PYSESAME3_KEY, 1700000255),
            sign(PYSESAME3_KEY, 1700000256)
        );
    }

    #[test]
    fn sign_matches_the_reference_vectors_for_the_homebridge_and_zero_keys() {
        assert_eq!(
            sign(HOMEBRIDGE_KEY, 1621854456),
            "e50d10ff6f3e21752be4c46f9cbb2b73"
        );
        assert_eq!(
            sign(HOMEBRIDGE_KEY, 1700000000),
            "a53566abe6f6b507fe360a46a9869840"
        );
        assert_eq!(
            sign("00000000000000000000000000000000", 1700000000),
            "4fc3142d90da230cdc846b2d1908057b"
        );
    }

    #[test]
    fn the_signed_message_is_bytes_one_to_four_of_the_little_endian_time() {
        assert_eq!(hex::encode(&1621854456u32.to_le_bytes()[1..4]), "88ab60");
        assert_eq!(hex::encode(&1700000256u32.to_le_bytes()[1..4]), "f25365");
    }
}
