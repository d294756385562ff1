//! The Content-Security-Policy strings. Pages get a policy that allows exactly what the app
//! needs: its own files, the WASM compilation, trunk's inline bootstrap by hash, avatars, the
//! sign-in form's target, and framing by Chaster. Everything else (JSON, files) gets a policy
//! that allows nothing, since none of it is meant to be a document.

use crate::configuration::Settings;

/// Chaster's production API; avatars then come from `AVATAR_ORIGINS` only.
const CHASTER_PRODUCTION_API: &str = "https://api.chaster.app";

/// For every response that is not a page.
pub const NON_PAGE_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// For a web worker's entry script (trunk's `*_loader.js`): a worker takes the policy of the
/// script it starts from, and it must load its glue and fetch and compile its WASM.
pub const WORKER_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The parts of the page policy that come from configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageSources {
    /// `img-src` beyond `'self' data:`.
    pub images: Vec<String>,
    /// `form-action` beyond `'self'`: the dashboard's sign-in redirects there.
    pub forms: Vec<String>,
    /// `frame-ancestors`: who may embed the page; `'none'` when empty.
    pub frame_ancestors: Vec<String>,
}

impl PageSources {
    pub fn from_settings(settings: &Settings) -> PageSources {
        let mut images = settings.avatar_origins.clone();
        // Not Chaster itself (the simulator of the demo and tests): it serves the avatars.
        if settings.chaster.base_url != CHASTER_PRODUCTION_API {
            if let Some(origin) = origin_of(&settings.chaster.base_url) {
                push_unique(&mut images, origin);
            }
        }
        let forms = origin_of(&settings.dashboard.sso_base_url)
            .into_iter()
            .collect();
        PageSources {
            images,
            forms,
            frame_ancestors: settings.chaster.origins.clone(),
        }
    }
}

/// The page policy, with one `'sha256-…'` per inline script.
pub fn page_policy(sources: &PageSources, script_hashes: &[String]) -> String {
    let list = |fixed: &[&str], extra: &[String]| {
        fixed
            .iter()
            .map(|s| s.to_string())
            .chain(extra.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let frame_ancestors = if sources.frame_ancestors.is_empty() {
        "'none'".to_owned()
    } else {
        sources.frame_ancestors.join(" ")
    };
    [
        "default-src 'self'".to_owned(),
        format!(
            "script-src {}",
            list(&["'self'", "'wasm-unsafe-eval'"], script_hashes)
        ),
        "style-src 'self'".to_owned(),
        format!("img-src {}", list(&["'self'", "data:"], &sources.images)),
        "connect-src 'self'".to_owned(),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        format!("form-action {}", list(&["'self'"], &sources.forms)),
        format!("frame-ancestors {frame_ancestors}"),
    ]
    .join("; ")
}

/// `scheme://host[:port]` of an http(s) URL.
fn origin_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.origin().ascii_serialization())
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::configuration::ChasterSettings;

    fn settings(chaster_base_url: &str) -> Settings {
        let mut s = Settings::new(ChasterSettings::new(chaster_base_url, "dev", "client"));
        s.chaster.origins = vec!["https://chaster.app".into(), "https://*.chaster.app".into()];
        s
    }

    #[test]
    fn the_production_page_policy_allows_chaster_framing_avatars_and_the_bootstrap_only() {
        let sources = PageSources::from_settings(&settings("https://api.chaster.app"));
        let policy = page_policy(&sources, &["'sha256-abc='".to_owned()]);
        assert_eq!(
            policy,
            "default-src 'self'; \
             script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='; \
             style-src 'self'; \
             img-src 'self' data: https://*.chaster.app; \
             connect-src 'self'; \
             object-src 'none'; \
             base-uri 'none'; \
             form-action 'self' https://sso.chaster.app; \
             frame-ancestors https://chaster.app https://*.chaster.app"
        );
        assert!(!policy.contains("unsafe-inline"));
    }

    #[test]
    fn a_simulated_chaster_serves_the_avatars_from_its_own_origin() {
        let mut s = settings("http://127.0.0.1:7001");
        s.dashboard.sso_base_url = "http://127.0.0.1:7001/sso/realms/chaster".into();
        let sources = PageSources::from_settings(&s);
        assert_eq!(
            sources.images,
            vec!["https://*.chaster.app", "http://127.0.0.1:7001"]
        );
        assert_eq!(sources.forms, vec!["http://127.0.0.1:7001"]);
    }

    #[test]
    fn every_inline_script_hash_is_listed_and_no_origin_means_no_framing() {
        let sources = PageSources {
            images: vec![],
            forms: vec![],
            frame_ancestors: vec![],
        };
        let policy = page_policy(&sources, &["'sha256-a='".into(), "'sha256-b='".into()]);
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-a=' 'sha256-b=';"));
        assert!(policy.contains("img-src 'self' data:;"));
        assert!(policy.contains("form-action 'self';"));
        assert!(policy.ends_with("frame-ancestors 'none'"));
    }
}
