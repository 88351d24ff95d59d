//! Article names: what is allowed, and deriving a name from a URL.
//!
//! A name becomes part of a git ref (`refs/articles/<name>`) and, through
//! `import`, mirrors a folder path, so the rules are git's ref rules narrowed
//! to a portable alphabet: ASCII letters, digits, `-`, `_`, `.`, and `/` for
//! grouping. Non-ASCII letters are refused on purpose: two Unicode spellings
//! of the same name (NFC/NFD) would otherwise become two articles, and some
//! file systems rewrite them.

use super::{Result, StoreError};

/// Longest allowed name, in bytes.
pub const MAX_NAME_BYTES: usize = 200;

/// Accept `name` or say exactly what is wrong with it.
pub fn validate_name(name: &str) -> Result<()> {
    match problem(name) {
        None => Ok(()),
        Some(msg) => Err(StoreError::BadName { name: for_message(name), msg }),
    }
}

/// The name as quoted in an error: a 10 KB name is cut, not echoed whole.
fn for_message(name: &str) -> String {
    const SHOWN: usize = 64;
    if name.chars().count() <= SHOWN {
        return name.to_string();
    }
    let head: String = name.chars().take(SHOWN).collect();
    format!("{head}\u{2026}")
}

fn problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Some(format!("it is {} bytes long; the limit is {MAX_NAME_BYTES}", name.len()));
    }
    if let Some(c) = name.chars().find(|&c| !allowed_char(c)) {
        return Some(describe_bad_char(c));
    }
    if name.starts_with('/') || name.starts_with('-') {
        return Some("it starts with '/' or '-'".into());
    }
    if name.ends_with('/') {
        return Some("it ends with '/'".into());
    }
    if name.ends_with('.') {
        return Some("it ends with '.'".into());
    }
    if name.contains("..") {
        return Some("it contains '..'".into());
    }
    name.split('/').find_map(component_problem).or_else(|| {
        // Belt and braces: whatever we allow must also be a valid git ref.
        (!git2::Reference::is_valid_name(&super::ref_name(name))).then(|| "git refuses it as a ref name".to_string())
    })
}

fn component_problem(c: &str) -> Option<String> {
    if c.is_empty() {
        Some("it has an empty path component ('//')".into())
    } else if c.starts_with('.') {
        Some(format!("the component {c:?} starts with '.'"))
    } else if c.ends_with(".lock") {
        Some(format!("the component {c:?} ends with '.lock'"))
    } else {
        None
    }
}

pub(crate) fn allowed_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')
}

fn describe_bad_char(c: char) -> String {
    if c == ' ' {
        "it contains a space".into()
    } else if c.is_control() {
        format!("it contains a control character (U+{:04X})", c as u32)
    } else if c.is_alphanumeric() {
        format!("it contains {c:?}: only ASCII letters and digits are allowed")
    } else {
        format!("it contains {c:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_names() {
        for n in ["belarus", "nbc/belarus-putin", "a.b_c-d", "2020/09/x", "A1"] {
            assert!(validate_name(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn refuses_each_bad_kind() {
        let long = "a".repeat(201);
        for n in [
            "",
            "has space",
            "a..b",
            "tab\there",
            "x/.hidden",
            "x.lock",
            "x/y.lock/z",
            "/lead",
            "-lead",
            "trail/",
            "a//b",
            "é",
            "a:b",
            "a~1",
            "a^",
            "a?",
            "a*",
            "a[",
            "a\\b",
            "a@{b",
            "dot.",
            &long,
        ] {
            assert!(validate_name(n).is_err(), "{n:?} should be refused");
        }
        assert!(validate_name(&"a".repeat(200)).is_ok());
    }

    #[test]
    fn bad_name_messages_say_what_is_wrong() {
        let msg = |n: &str| validate_name(n).unwrap_err().to_string();
        assert!(msg("a b").contains("space"));
        assert!(msg("a\u{1}b").contains("control"));
        assert!(msg("x.lock").contains(".lock"));
        assert!(msg("a..b").contains(".."));
        assert!(msg("café").contains("ASCII"));
        let long = msg(&"n".repeat(10_240));
        assert!(long.len() < 400 && long.contains("10240 bytes"), "{long}");
    }
}
