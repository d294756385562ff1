//! Caching of the page and its files: the document is revalidated on every visit (it names the
//! current build's files), and trunk's content-hashed files never change under their name.

/// For the HTML document and files without a content hash: keep, but ask before every use.
pub const REVALIDATE: &str = "no-cache";
/// For trunk's `name-<hash>.ext` files: a new build gives new names.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// trunk's hash: a u64 in lowercase hex without leading zeros (`{:x}`), so usually 16 digits
/// and one name in sixteen has 15 (`dashboard-84e08ab51bd14c5.js`). Nine or more are taken as a
/// hash (fewer than that happens once in four billion builds).
const HASH_DIGITS: std::ops::RangeInclusive<usize> = 9..=16;

/// Whether a path names a file trunk gave a content hash: a segment with `-<hex digits>`
/// followed by the end, a `.` or a `_` (`frontend-ca78234881bb974d_bg.wasm`,
/// `style-f1fc3513d762392a.css`, `snippets/frontend-ca78234881bb974d/inline0.js`).
pub fn is_content_hashed(path: &str) -> bool {
    path.split('/').any(|segment| {
        let bytes = segment.as_bytes();
        bytes.iter().enumerate().any(|(i, &b)| {
            let digits = bytes[i + 1..]
                .iter()
                .take_while(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
                .count();
            b == b'-'
                && HASH_DIGITS.contains(&digits)
                && matches!(bytes.get(i + 1 + digits), None | Some(b'.' | b'_'))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunks_hashed_names_are_recognised() {
        for path in [
            "/frontend-ca78234881bb974d_bg.wasm",
            "/frontend-ca78234881bb974d.js",
            "/style-f1fc3513d762392a.css",
            "/iframeResizer.contentWindow-e662ac1390a95503.js",
            "/favicon-0123456789abcdef.svg",
            "/snippets/frontend-ca78234881bb974d/inline0.js",
            // trunk drops leading zeros of the hash.
            "/dashboard/dashboard-84e08ab51bd14c5.js",
            "/x-ca78234881bb974.js",
        ] {
            assert!(is_content_hashed(path), "{path}");
        }
    }

    #[test]
    fn names_without_a_full_hash_are_not() {
        for path in [
            "/",
            "/index.html",
            "/app-1234.js",
            "/style.css",
            "/x-ca78234.js",
            "/x-CA78234881BB974D.js",
            "/x-ca78234881bb974d0.js",
            "/x-ca78234881bb974dz",
            "-",
        ] {
            assert!(!is_content_hashed(path), "{path}");
        }
    }
}
