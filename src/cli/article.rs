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

/// `NAME@REV`: one stored revision of one article, wherever a command
/// takes a revision (`diff bridge@1 story@3`, `compare bridge@1 new.txt`).
/// `@` is never part of a name, so the split is unambiguous; the revision
/// part is any revision syntax (`2`, `latest~1`, an id prefix, …) and is
/// resolved against the store later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRef {
    /// The article.
    pub name: ArticleName,
    /// The revision, as typed (checked when it is resolved).
    pub rev: String,
}

impl RevisionRef {
    /// `Some` when `s` has the `NAME@REV` form; `Err` when it has the form
    /// but a bad name or an empty revision.
    pub fn parse(s: &str) -> Option<Result<RevisionRef, String>> {
        let (name, rev) = s.split_once('@')?;
        Some(Self::from_parts(name, rev))
    }

    fn from_parts(name: &str, rev: &str) -> Result<RevisionRef, String> {
        let name = name.parse::<ArticleName>()?;
        if rev.trim().is_empty() {
            return Err(format!("{name}@ needs a revision after the @ (e.g. {name}@1 or {name}@latest)"));
        }
        Ok(RevisionRef { name, rev: rev.to_string() })
    }
}

impl fmt::Display for RevisionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.name, self.rev)
    }
}

/// An article argument that may carry its revision: `NAME` or `NAME@REV`.
#[derive(Debug, Clone)]
pub enum Target {
    /// `NAME`: a revision, if any, follows as its own argument.
    Article(ArticleName),
    /// `NAME@REV`.
    Revision(RevisionRef),
}

impl Target {
    /// The article, and the revision from `NAME@REV` or else `rev` (the
    /// separate argument); both at once is an error.
    pub fn with_rev(self, rev: Option<String>) -> Result<(ArticleName, Option<String>), String> {
        match (self, rev) {
            (Target::Article(name), rev) => Ok((name, rev)),
            (Target::Revision(r), None) => Ok((r.name, Some(r.rev))),
            (Target::Revision(r), Some(other)) => {
                Err(format!("{r} already names a revision; drop {other:?} or write {}@{other}", r.name))
            }
        }
    }
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match RevisionRef::parse(s) {
            Some(r) => r.map(Target::Revision),
            None => s.parse().map(Target::Article),
        }
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
