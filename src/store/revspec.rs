//! Revision syntax, shared by every command: `N` (1 is the first),
//! `latest`, `latest~K`, a commit-id prefix of at least 4 hex digits, or a
//! moment: `2020-09-12` (the article as it stood at the end of that day,
//! UTC) or `{2020-09-12T14:00}` (as it stood then; any `--date` form
//! inside the braces).
//!
//! Why moments: `sync` can insert earlier observations into a chain, so a
//! revision's number may shift; a time (or an id) keeps naming the same
//! text.
//!
//! A string of digits is a revision number first; only when no such
//! revision exists and it is at least 4 digits long is it tried as an id
//! prefix (ids like `2024abcd…` stay reachable). Resolution against an
//! article's chain lives in `read.rs`.

/// A parsed revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevSpec {
    /// `N`, 1-based.
    Number(u64),
    /// `latest` (K = 0) or `latest~K`.
    Latest(u64),
    /// A lower-cased commit-id prefix, 4 to 40 hex digits.
    Prefix(String),
    /// The latest revision observed at or before this second.
    At(i64),
}

/// Shortest id prefix accepted.
pub const MIN_PREFIX: usize = 4;

impl RevSpec {
    /// Parse `s`, or say why it is not a revision.
    pub fn parse(s: &str) -> Result<RevSpec, String> {
        let s = s.trim();
        if let Some(inner) = s.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
            return moment(inner.trim());
        }
        if looks_like_date(s) {
            return moment(s);
        }
        if s.eq_ignore_ascii_case("latest") || s.eq_ignore_ascii_case("head") {
            return Ok(RevSpec::Latest(0));
        }
        if let Some(k) = strip_prefix_ci(s, "latest~") {
            if k.is_empty() {
                return Ok(RevSpec::Latest(1));
            }
            return k.parse::<u64>().map(RevSpec::Latest).map_err(|_| format!("{k:?} after latest~ is not a number"));
        }
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return match s.parse::<u64>() {
                Ok(0) => Err("revisions start at 1".into()),
                Ok(n) => Ok(RevSpec::Number(n)),
                Err(_) if is_prefix(s) => Ok(RevSpec::Prefix(s.to_string())),
                Err(_) => Err("number too large".into()),
            };
        }
        if is_prefix(s) {
            return Ok(RevSpec::Prefix(s.to_ascii_lowercase()));
        }
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("a commit-id prefix needs at least {MIN_PREFIX} hex digits"));
        }
        Err("not a revision".into())
    }

    /// A digit string that may also be read as an id prefix.
    pub fn as_prefix_fallback(&self, original: &str) -> Option<String> {
        match self {
            RevSpec::Number(_) if is_prefix(original.trim()) => Some(original.trim().to_string()),
            _ => None,
        }
    }
}

/// `YYYY-MM-DD…`: a date, never a number or an id prefix.
fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-'
}

/// A date means the end of that day (UTC): the article as it stood that
/// day. A time means that second.
fn moment(s: &str) -> Result<RevSpec, String> {
    let secs = super::parse_time(s).map_err(|why| format!("{s:?} is not a date or time ({why})"))?;
    let whole_day = s.len() == 10;
    Ok(RevSpec::At(if whole_day { secs + 86_399 } else { secs }))
}

fn is_prefix(s: &str) -> bool {
    (MIN_PREFIX..=40).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    (s.len() >= p.len() && s[..p.len()].eq_ignore_ascii_case(p)).then(|| &s[p.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(RevSpec::parse("3"), Ok(RevSpec::Number(3)));
        assert_eq!(RevSpec::parse("latest"), Ok(RevSpec::Latest(0)));
        assert_eq!(RevSpec::parse("latest~2"), Ok(RevSpec::Latest(2)));
        assert_eq!(RevSpec::parse("latest~"), Ok(RevSpec::Latest(1)));
        assert_eq!(RevSpec::parse("ABCD12"), Ok(RevSpec::Prefix("abcd12".into())));
        assert_eq!(RevSpec::parse("99999999999999999999"), Ok(RevSpec::Prefix("99999999999999999999".into())));
    }

    #[test]
    fn refuses_bad_forms() {
        for s in ["0", "abc", "latest~x", "-1", "", "latest~-1", "zzzz", "1.5"] {
            assert!(RevSpec::parse(s).is_err(), "{s:?}");
        }
        assert!(RevSpec::parse("abc").unwrap_err().contains("at least 4"));
    }

    #[test]
    fn moments_are_dates_or_braced_times() {
        let day = super::super::parse_time("2020-09-12").unwrap();
        assert_eq!(RevSpec::parse("2020-09-12"), Ok(RevSpec::At(day + 86_399)));
        assert_eq!(RevSpec::parse("{2020-09-12}"), Ok(RevSpec::At(day + 86_399)));
        assert_eq!(RevSpec::parse("{2020-09-12T14:00}"), Ok(RevSpec::At(day + 14 * 3600)));
        assert_eq!(RevSpec::parse("{2020-09-12T14:00:00+02:00}"), Ok(RevSpec::At(day + 12 * 3600)));
        assert!(RevSpec::parse("2020-13-45").unwrap_err().contains("not a date"));
        assert!(RevSpec::parse("{yesterday}").is_err());
        // Plain digits stay numbers.
        assert_eq!(RevSpec::parse("2020"), Ok(RevSpec::Number(2020)));
    }

    #[test]
    fn digit_strings_can_fall_back_to_prefixes() {
        let r = RevSpec::parse("2024").unwrap();
        assert_eq!(r.as_prefix_fallback("2024"), Some("2024".into()));
        assert_eq!(RevSpec::parse("12").unwrap().as_prefix_fallback("12"), None);
    }
}
