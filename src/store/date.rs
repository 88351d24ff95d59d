//! Observed times: parsing `--date` and formatting stored times.
//!
//! Times are kept to whole seconds because git commit times are whole
//! seconds, and the commit time must equal the stored `observed_at`.

use super::{Result, StoreError};
use jiff::{civil, tz::TimeZone, Timestamp};

/// What `--date` (and `observed_at` in import) accepts, for error messages.
pub const ACCEPTED_DATE_FORMS: &str =
    "RFC 3339 (2020-09-14T10:00:00Z or 2020-09-14T12:00:00+02:00), YYYY-MM-DD (midnight UTC), or YYYY-MM-DDTHH:MM[:SS] (UTC)";

/// Parse a `--date` value into seconds since the Unix epoch, or a usage
/// error naming the accepted forms.
pub fn parse_date(s: &str) -> Result<i64> {
    parse_time(s).map_err(|why| StoreError::BadDate { input: s.to_string(), why })
}

/// The earliest observed time stored: git commit times are unsigned.
pub const MIN_TIME: i64 = 0;
/// The latest: the last second that every git (including those that read
/// commit times as 32-bit unsigned numbers) reads back correctly.
pub const MAX_TIME: i64 = u32::MAX as i64;
/// [`MIN_TIME`] as text, for messages.
pub const MIN_TIME_TEXT: &str = "1970-01-01T00:00:00Z";
/// [`MAX_TIME`] as text, for messages.
pub const MAX_TIME_TEXT: &str = "2106-02-07T06:28:15Z";

/// Refuse a time git cannot keep exactly (it would wrap, and `git log`
/// would then disagree with meta.json).
pub fn check_range(secs: i64) -> std::result::Result<(), String> {
    if (MIN_TIME..=MAX_TIME).contains(&secs) {
        Ok(())
    } else {
        Err(format!("{} is outside the range git can store ({MIN_TIME_TEXT} to {MAX_TIME_TEXT})", format_time(secs)))
    }
}

/// Parse a time in any accepted form, within [`check_range`]; the error
/// says why it failed.
pub fn parse_time(s: &str) -> std::result::Result<i64, String> {
    let secs = parse_any(s).map_err(|why| {
        // jiff cannot represent some far dates at all; say what matters.
        match s.trim().get(..4).and_then(|y| y.parse::<i32>().ok()) {
            Some(year) if !(1970..=2106).contains(&year) => {
                format!("{} is outside the range git can store ({MIN_TIME_TEXT} to {MAX_TIME_TEXT})", s.trim())
            }
            _ => why,
        }
    })?;
    check_range(secs)?;
    Ok(secs)
}

fn parse_any(s: &str) -> std::result::Result<i64, String> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Ok(ts.as_second());
    }
    let civil_dt = if s.len() == 10 {
        s.parse::<civil::Date>().map(|d| d.to_datetime(civil::Time::midnight()))
    } else if s.contains('T') || s.contains(' ') {
        s.replacen(' ', "T", 1).parse::<civil::DateTime>()
    } else {
        return Err("not a date".into());
    };
    let dt = civil_dt.map_err(|e| e.to_string())?;
    let zoned = dt.to_zoned_datetime(TimeZone::UTC).map_err(|_| "it is outside the supported range".to_string())?;
    Ok(zoned.timestamp().as_second())
}

/// The current time, to the second.
pub fn now() -> i64 {
    Timestamp::now().as_second()
}

/// RFC 3339 in UTC, e.g. `2020-09-14T10:00:00Z`.
pub fn format_time(secs: i64) -> String {
    match Timestamp::from_second(secs) {
        Ok(ts) => ts.to_string(),
        Err(_) => secs.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        let t = |s: &str| format_time(parse_time(s).unwrap());
        assert_eq!(t("2020-09-14T10:00:00Z"), "2020-09-14T10:00:00Z");
        assert_eq!(t("2020-09-14T12:00:00+02:00"), "2020-09-14T10:00:00Z");
        assert_eq!(t("2020-09-14"), "2020-09-14T00:00:00Z");
        assert_eq!(t("2020-09-14T10:30"), "2020-09-14T10:30:00Z");
        assert_eq!(t("2020-09-14T10:30:05"), "2020-09-14T10:30:05Z");
        assert_eq!(t("2020-09-14 10:30"), "2020-09-14T10:30:00Z");
        assert_eq!(t("2020-09-14T10:00:00.75Z"), "2020-09-14T10:00:00Z");
    }

    #[test]
    fn refused_forms() {
        for s in ["yesterday", "2020-13-01", "2020-02-30", "14/09/2020", "", "2020-09-14T25:00"] {
            assert!(parse_time(s).is_err(), "{s:?}");
        }
        for s in ["1900-01-01", "1969-12-31T23:59:59Z", "2106-02-07T06:28:16Z", "9999-12-31T23:59:59Z"] {
            assert!(parse_time(s).unwrap_err().contains("outside the range"), "{s:?}");
        }
        assert_eq!(format_time(parse_time("2106-02-07T06:28:15Z").unwrap()), MAX_TIME_TEXT);
        assert_eq!(parse_time(MIN_TIME_TEXT), Ok(0));
        let e = parse_date("nope").unwrap_err();
        assert!(matches!(e, StoreError::BadDate { .. }));
    }
}
