//! Revision syntax, shared by every command: `N` (1 is the first),
//! `latest`, `latest~K`, or a commit-id prefix of at least 4 hex digits.
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
}

/// Shortest id prefix accepted.
pub const MIN_PREFIX: usize = 4;

impl RevSpec {
    /// Parse `s`, or say why it is not a revision.
    pub fn parse(s: &str) -> Result<RevSpec, String> {
        let s = s.trim();
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
    fn digit_strings_can_fall_back_to_prefixes() {
        let r = RevSpec::parse("2024").unwrap();
        assert_eq!(r.as_prefix_fallback("2024"), Some("2024".into()));
        assert_eq!(RevSpec::parse("12").unwrap().as_prefix_fallback("12"), None);
    }
}
