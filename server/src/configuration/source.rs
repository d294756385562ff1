//! Parsing and validating raw configuration values.

use super::ConfigError;

pub(super) fn read_toml(path: &str) -> Result<toml::Table, ConfigError> {
    let file_error = |problem: String| ConfigError::File {
        path: path.to_owned(),
        problem,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
    text.parse::<toml::Table>()
        .map_err(|e| file_error(e.to_string()))
}

/// The file's value for an environment variable name (keys are the names in lower case).
pub(super) fn toml_value(table: &toml::Table, name: &str) -> Option<String> {
    match table.get(&name.to_ascii_lowercase())? {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        // A list of origins may be written as a TOML array.
        toml::Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(","),
        ),
        _ => None,
    }
}

/// An http(s) URL without a trailing slash.
pub(super) fn base_url(
    name: &'static str,
    value: Option<String>,
    default: &str,
) -> Result<String, ConfigError> {
    let raw = value.unwrap_or_else(|| default.to_owned());
    let url = url::Url::parse(raw.trim()).map_err(|e| ConfigError::Invalid {
        name,
        problem: e.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.query().is_some() {
        return Err(ConfigError::Invalid {
            name,
            problem: "expected an http(s) URL without a query".into(),
        });
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Comma-separated origins such as `https://chaster.app, https://*.chaster.app`. They go into a
/// CSP header, so anything but scheme, host (wildcards allowed) and port is refused.
pub(super) fn origins(name: &'static str, raw: &str) -> Result<Vec<String>, ConfigError> {
    let invalid = |problem: String| ConfigError::Invalid { name, problem };
    let origins: Vec<String> = raw
        .split(',')
        .map(|o| o.trim().trim_end_matches('/'))
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect();
    if origins.is_empty() {
        return Err(invalid("no origin given".into()));
    }
    for origin in &origins {
        let host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .ok_or_else(|| invalid(format!("{origin:?} must start with https:// or http://")))?;
        let allowed = |c: char| c.is_ascii_alphanumeric() || ".-*:[]".contains(c);
        if host.is_empty() || !host.chars().all(allowed) {
            return Err(invalid(format!(
                "{origin:?} is not a bare origin (scheme://host[:port])"
            )));
        }
    }
    Ok(origins)
}

pub(super) fn number(
    name: &'static str,
    value: Option<String>,
) -> Result<Option<u64>, ConfigError> {
    value
        .map(|v| {
            v.trim().parse::<u64>().map_err(|e| ConfigError::Invalid {
                name,
                problem: format!("{e} (expected a whole number)"),
            })
        })
        .transpose()
}
