//! [`ArticleName`]: an article name checked once, where clap parses it, so
//! commands never handle an unchecked `&str` (the rules are
//! [`crate::store::validate_name`]'s).

use crate::error::Error;
use std::fmt;
use std::str::FromStr;

/// A valid article name (ASCII letters, digits, `-`, `_`, `.`, `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleName(String);

impl ArticleName {
    /// Check `name` against the naming rules.
    pub fn new(name: &str) -> Result<ArticleName, Error> {
        crate::store::validate_name(name)?;
        Ok(ArticleName(name.to_string()))
    }

    /// The name as the store spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// For clap's `value_parser`: the message says what is wrong and what is
/// allowed.
impl FromStr for ArticleName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        ArticleName::new(s).map_err(|e| match super::command_error::hint_of(&e) {
            Some(h) => format!("{e}\n  hint: {h}"),
            None => e.to_string(),
        })
    }
}

impl fmt::Display for ArticleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ArticleName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_names_and_explains_bad_ones() {
        assert_eq!("nbc/belarus".parse::<ArticleName>().unwrap().as_str(), "nbc/belarus");
        let e = "a b".parse::<ArticleName>().unwrap_err();
        assert!(e.contains("space") && e.contains("hint: names may use"), "{e}");
    }
}
