//! Dates, times and amounts through the browser's `Intl`, in the reader's language and time zone:
//! no locale data in the WASM. Each function returns `None` outside a browser (native tests),
//! where `crate::time` falls back to its English wording.

/// A date and time such as `8 Dec 2026, 11:00` / `8 déc. 2026, 11:00`, in the reader's zone.
pub fn date_time(ms: i64) -> Option<String> {
    imp::date_time(ms)
}

/// `value` `unit`s from now, as people say it: `3 hours ago`, `dans 30 secondes`, `jetzt`.
/// `unit` is one of `Intl.RelativeTimeFormat`'s (`second`, `minute`, `hour`, `day`).
pub fn relative(value: f64, unit: &str) -> Option<String> {
    imp::relative(value, unit)
}

/// An amount with its unit: `2 hours` / `2 Stunden` (`long`) or `2d` / `2 j` (narrow).
/// `unit` is a simple unit `Intl.NumberFormat` knows (`day`, `hour`, `minute`, `second`).
pub fn amount(value: f64, unit: &str, long: bool) -> Option<String> {
    imp::amount(value, unit, long)
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use js_sys::{Array, Date, Intl, Object, Reflect};
    use wasm_bindgen::JsValue;

    fn locales() -> Array {
        Array::of1(&JsValue::from_str(crate::i18n::lang()))
    }

    fn options(pairs: &[(&str, &str)]) -> Object {
        let object = Object::new();
        for (key, value) in pairs {
            let _ = Reflect::set(&object, &(*key).into(), &(*value).into());
        }
        object
    }

    pub fn date_time(ms: i64) -> Option<String> {
        let format = Intl::DateTimeFormat::new(
            &locales(),
            &options(&[("dateStyle", "medium"), ("timeStyle", "short")]),
        );
        let date = Date::new(&JsValue::from_f64(ms as f64));
        format.format().call1(&format, &date).ok()?.as_string()
    }

    pub fn relative(value: f64, unit: &str) -> Option<String> {
        let format = Intl::RelativeTimeFormat::new(&locales(), &options(&[("numeric", "auto")]));
        Some(String::from(format.format(value, unit)))
    }

    pub fn amount(value: f64, unit: &str, long: bool) -> Option<String> {
        let display = if long { "long" } else { "narrow" };
        let format = Intl::NumberFormat::new(
            &locales(),
            &options(&[("style", "unit"), ("unit", unit), ("unitDisplay", display)]),
        );
        format
            .format()
            .call1(&format, &JsValue::from_f64(value))
            .ok()?
            .as_string()
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub fn date_time(_ms: i64) -> Option<String> {
        None
    }
    pub fn relative(_value: f64, _unit: &str) -> Option<String> {
        None
    }
    pub fn amount(_value: f64, _unit: &str, _long: bool) -> Option<String> {
        None
    }
}
