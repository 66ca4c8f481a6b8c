//! Formatting for people. Pure, tested natively.

/// `HH:MM:SS` in the browser's local time for a JS timestamp (ms).
pub fn clock_time(ms: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
        format!("{:02}:{:02}:{:02}", d.get_hours(), d.get_minutes(), d.get_seconds())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let secs = (ms / 1000.0) as u64;
        format!("{:02}:{:02}:{:02}", secs / 3600 % 24, secs / 60 % 60, secs % 60)
    }
}

/// A quantity with its unit: `12.5 g`, `3 ea`.
pub fn quantity(value: f64, unit: &str) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    format!("{rounded} {unit}")
}

/// Metrc's `2026-11-26T07:30:33+00:00` as `2026-11-26 07:30`.
pub fn timestamp(value: &str) -> String {
    match (value.get(..10), value.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time}"),
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_drop_float_noise() {
        assert_eq!(quantity(0.1 + 0.2, "g"), "0.3 g");
        assert_eq!(quantity(3.0, "ea"), "3 ea");
    }

    #[test]
    fn timestamps_are_short_and_never_panic() {
        assert_eq!(timestamp("2026-11-26T07:30:33+00:00"), "2026-11-26 07:30");
        assert_eq!(timestamp("bad"), "bad");
        assert_eq!(timestamp("2026-11-26T07:3é"), "2026-11-26T07:3é");
    }

    #[test]
    fn clock_time_natively_is_utc() {
        assert_eq!(clock_time(3_723_000.0), "01:02:03");
    }
}
