//! Table-driven tests of the hash parser: good hashes, every kind of bad one, and noise.

use super::*;

fn main_token(launch: &Launch) -> &str {
    match launch {
        Launch::Main { main_token, .. } => main_token.expose(),
        Launch::Configuration { .. } => panic!("expected the main page, got {launch:?}"),
    }
}

#[test]
fn good_hashes_give_the_main_token() {
    let cases = [
        ("#%7B%22mainToken%22%3A%22abc%22%7D", "abc", "fully encoded"),
        (r#"#{"mainToken":"abc"}"#, "abc", "not encoded at all"),
        (
            r#"#{%22mainToken%22:%22abc%22}"#,
            "abc",
            "quotes encoded by the browser",
        ),
        (r#"{"mainToken":"abc"}"#, "abc", "without the leading #"),
        (r#"#{"mainToken":"a+b"}"#, "a+b", "plus is not a space"),
        (
            r#"#{"mainToken":"abc","partnerConfigurationToken":"x"}"#,
            "abc",
            "main wins",
        ),
    ];
    for (hash, expected, description) in cases {
        let launch = parse(hash).unwrap_or_else(|e| panic!("{description}: {e:?}"));
        assert_eq!(main_token(&launch), expected, "{description}");
    }
}

#[test]
fn values_of_every_kind_are_skipped_around_the_token() {
    let hash = r#"#{"a":[1,{"b":null}],"c":{"d":[true,2.5e3]},"mainToken":"abc","e":-1}"#;
    let launch = parse(hash).unwrap();
    assert_eq!(main_token(&launch), "abc");
    assert_eq!(
        parse(r#"#{"mainToken":"abc","x":[1,}"#),
        Err(HashError::InvalidJson)
    );
}

#[test]
fn bad_hashes_give_the_matching_error() {
    let cases = [
        ("", HashError::Missing),
        ("#", HashError::Missing),
        ("#   ", HashError::Missing),
        ("#%E0%A4%A", HashError::BadEncoding),
        ("#%", HashError::BadEncoding),
        ("#%zz", HashError::BadEncoding),
        ("#%C3%28", HashError::BadEncoding),
        ("#%7B", HashError::InvalidJson),
        ("#mainToken=abc", HashError::InvalidJson),
        ("#[1]", HashError::NotAnObject),
        ("#\"abc\"", HashError::NotAnObject),
        ("#null", HashError::NotAnObject),
        ("#{}", HashError::MissingToken),
        (r#"#{"extensionSlug":"sesame"}"#, HashError::MissingToken),
        (r#"#{"mainToken":""}"#, HashError::EmptyToken),
        (r#"#{"mainToken":"   "}"#, HashError::EmptyToken),
        (r#"#{"mainToken":5}"#, HashError::TokenNotAString),
        (r#"#{"mainToken":null}"#, HashError::TokenNotAString),
        (r#"#{"mainToken":"a\nb"}"#, HashError::MalformedToken),
        (r#"#{"mainToken":"a b"}"#, HashError::MalformedToken),
    ];
    for (hash, expected) in cases {
        assert_eq!(parse(hash), Err(expected), "hash {hash:?}");
    }
}

#[test]
fn percent_escapes_decode_as_utf8_like_decode_uri_component() {
    assert_eq!(decode_uri_component("%C3%A9t%C3%A9"), Ok("été".to_owned()));
    assert_eq!(decode_uri_component("a+b%20c"), Ok("a+b c".to_owned()));
    assert_eq!(decode_uri_component("%e2%82%ac"), Ok("€".to_owned()));
    assert_eq!(decode_uri_component("%C3"), Err(HashError::BadEncoding));
    assert_eq!(decode_uri_component("%C3é"), Err(HashError::BadEncoding));
    assert_eq!(
        decode_uri_component("%ED%A0%80"),
        Err(HashError::BadEncoding),
        "a surrogate"
    );
}

#[test]
fn a_token_that_cannot_travel_in_a_header_is_refused() {
    let hash = "#%7B%22mainToken%22%3A%22%C3%A9t%C3%A9%22%7D";
    assert_eq!(parse(hash), Err(HashError::MalformedToken));
}

#[test]
fn the_slug_and_every_other_key_are_kept() {
    let hash = r#"#{"mainToken":"abc","extensionSlug":"sesame-opener","homeAction":"open","n":1}"#;
    let Ok(Launch::Main {
        extension_slug,
        extra,
        ..
    }) = parse(hash)
    else {
        panic!("expected the main page");
    };
    assert_eq!(extension_slug.as_deref(), Some("sesame-opener"));
    assert_eq!(
        extra.get("homeAction"),
        Some(&HashValue::Text("open".into()))
    );
    assert_eq!(extra.get("n"), Some(&HashValue::Other));
    assert!(
        !extra.contains_key(MAIN_TOKEN),
        "the token is not duplicated in extra"
    );
}

#[test]
fn a_configuration_token_opens_the_configuration_page() {
    let hash = "#%7B%22partnerConfigurationToken%22%3A%22cfg%22%2C%22extensionSlug%22%3A%22s%22%7D";
    let Ok(Launch::Configuration {
        configuration_token,
        extension_slug,
        ..
    }) = parse(hash)
    else {
        panic!("expected the configuration page");
    };
    assert_eq!(configuration_token.expose(), "cfg");
    assert_eq!(extension_slug.as_deref(), Some("s"));
}

#[test]
fn the_token_is_never_printed_by_debug() {
    let launch = parse(r#"#{"mainToken":"very-secret-token"}"#).unwrap();
    assert!(!format!("{launch:?}").contains("very-secret-token"));
}

#[test]
fn garbage_never_panics() {
    let mut seed: u32 = 0x2545_f491;
    for len in 0..400 {
        let bytes: Vec<u8> = (0..len % 40)
            .map(|_| {
                // xorshift: deterministic noise biased towards the characters that matter.
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let alphabet = b"%{}\":,[]#abcEF09\\+ \xff\xc3";
                alphabet[seed as usize % alphabet.len()]
            })
            .collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse(&text);
    }
}

#[test]
fn the_key_box_entry_of_the_lock_page_is_found_under_any_key() {
    let slug = api_types::BOX_HOME_ACTION_SLUG;
    let opens = |hash: String| parse(&hash).map(|l| l.opens_box());
    assert_eq!(
        opens(format!(r#"#{{"mainToken":"abc","homeAction":"{slug}"}}"#)),
        Ok(true)
    );
    assert_eq!(
        opens(format!(
            r#"#{{"mainToken":"abc","action":"{slug}","extensionSlug":"x"}}"#
        )),
        Ok(true)
    );
    assert_eq!(opens(r#"#{"mainToken":"abc"}"#.to_owned()), Ok(false));
    assert_eq!(
        opens(r#"#{"mainToken":"abc","homeAction":"other"}"#.to_owned()),
        Ok(false)
    );
    // The configuration page has no box to bring anyone to.
    assert_eq!(
        opens(format!(
            r#"#{{"partnerConfigurationToken":"abc","homeAction":"{slug}"}}"#
        )),
        Ok(false)
    );
}
