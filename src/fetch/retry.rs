//! `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date.
//!
//! Why lenient: servers send dates with a wrong weekday or `+0000` instead
//! of `GMT`. The weekday adds nothing (the date is complete without it), so
//! it is dropped before parsing.

/// The longest wait obeyed; a server asking for more gets this (a typo of
/// a year must not silence a URL forever).
pub const MAX_RETRY_AFTER: i64 = 7 * 24 * 3600;

/// Seconds to wait from `now` (Unix seconds), or None when unreadable.
pub fn parse(value: &str, now: i64) -> Option<i64> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<i64>() {
        return (secs >= 0).then_some(secs.min(MAX_RETRY_AFTER));
    }
    let at = http_date(v)?;
    Some((at - now).clamp(0, MAX_RETRY_AFTER))
}

/// An HTTP date (IMF-fixdate, or RFC 2822 with a numeric zone) as Unix
/// seconds, ignoring the weekday.
pub fn http_date(v: &str) -> Option<i64> {
    let v = v.trim();
    let no_weekday = match v.split_once(',') {
        Some((wd, rest)) if wd.len() <= 9 && wd.chars().all(|c| c.is_ascii_alphabetic()) => rest.trim(),
        _ => v,
    };
    let z = jiff::fmt::rfc2822::parse(no_weekday).ok()?;
    Some(z.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z, a Thursday

    #[test]
    fn seconds_and_dates() {
        assert_eq!(parse("120", NOW), Some(120));
        assert_eq!(parse(" 0 ", NOW), Some(0));
        assert_eq!(parse("-5", NOW), None);
        assert_eq!(parse("Thu, 01 Jan 2026 00:02:00 GMT", NOW), Some(120));
        // Wrong weekday and a numeric zone are tolerated.
        assert_eq!(parse("Mon, 01 Jan 2026 00:02:00 +0000", NOW), Some(120));
        assert_eq!(parse("01 Jan 2026 00:02:00 GMT", NOW), Some(120));
        // A date in the past means now; absurd waits are capped.
        assert_eq!(parse("Wed, 31 Dec 2025 23:00:00 GMT", NOW), Some(0));
        assert_eq!(parse("99999999", NOW), Some(MAX_RETRY_AFTER));
        assert_eq!(parse("soon", NOW), None);
    }
}
