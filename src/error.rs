//! Every error redline can report, and the exit code each maps to.
//!
//! Exit codes are part of the interface: scripts branch on them, so they live
//! here as documented constants and nowhere else. Which error exits with
//! which code is decided in one place, `cli::ErrorKind::exit_code`.

use std::path::PathBuf;

/// Success.
pub const EXIT_OK: u8 = 0;
/// `diff`/`compare --exit-code`: the texts differ.
pub const EXIT_DIFFERENT: u8 = 1;
/// `grep`: no revision matched (as `grep` and `git grep` exit).
pub const EXIT_NO_MATCH: u8 = 1;
/// Usage or input error: bad flag, bad name, unknown article or revision,
/// unreadable, binary, oversized or non-UTF-8 input.
pub const EXIT_USAGE: u8 = 2;
/// The store is locked by another live writer; retrying later is safe.
pub const EXIT_LOCKED: u8 = 3;
/// The store is damaged, unwritable or not a redline store (see `redline fsck`).
pub const EXIT_STORE: u8 = 4;
/// `fsck` found problems.
pub const EXIT_FSCK: u8 = 5;
/// Writing the output failed: standard output (other than a closed pipe,
/// which is a normal end) or the files `export` and `man --dir` write.
pub const EXIT_OUTPUT: u8 = 6;
/// An internal error: a bug in redline (e.g. JSON that cannot be encoded).
pub const EXIT_INTERNAL: u8 = 7;
/// `fetch`, `watch run`: a page could not be fetched (network error,
/// timeout, size limit, HTTP error status, robots.txt said no).
pub const EXIT_FETCH: u8 = 8;
/// `fetch`: the page was fetched but looks broken (not readable, or much
/// shorter than the stored text); nothing was stored (`--force` stores it).
pub const EXIT_REFUSED: u8 = 9;
/// `list`, `gc`, `info`: done, but damaged articles were skipped (each is
/// named on stderr; run `redline fsck`). (6 and 7 are reserved for the CLI
/// restructuring, 8 and 9 are the tracker's.)
pub const EXIT_PARTIAL: u8 = 10;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors carry a message for the user and, where one exists, a hint saying
/// what to do next. The hint is printed on its own line after the message.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A bad command line (clap handles most of these itself).
    #[error("{msg}")]
    Usage { msg: String, hint: Option<String> },

    /// Input text that redline refuses to store or diff.
    #[error("{path}: {msg}")]
    Input { path: String, msg: String, hint: Option<String> },

    /// An article name that is not allowed.
    #[error("invalid article name {name:?}: {msg}")]
    BadName { name: String, msg: String },

    #[error("no article named {name:?} in the store")]
    UnknownArticle { name: String },

    /// A read command pointed at a store that does not exist yet.
    #[error("no store at {}", path.display())]
    NoStore { path: PathBuf },

    #[error("article {name:?} has no revision {rev:?}: {msg}")]
    UnknownRevision { name: String, rev: String, msg: String },

    /// Another process holds a lock that did not clear within the retry budget.
    #[error("the store is locked: {msg}")]
    Locked { msg: String, hint: Option<String> },

    /// The store cannot be used: damaged objects, wrong layout, not writable.
    #[error("store problem at {path}: {msg}")]
    Store { path: PathBuf, msg: String, hint: Option<String> },

    /// Another error, with where in the input it happened (`file:line`,
    /// or a file path); exit code and hint are the inner error's.
    #[error("{at}: {source}")]
    At { at: String, source: Box<Error> },

    /// A page that could not be fetched (see [`EXIT_FETCH`]).
    #[error("{url}: {msg}")]
    Fetch { url: String, msg: String, hint: Option<String> },

    /// A fetched page the quality gate refused (see [`EXIT_REFUSED`]).
    #[error("{url}: not stored: {msg}")]
    Refused { url: String, msg: String, hint: Option<String> },

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// What the user should do next, when there is something useful to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Usage { hint, .. }
            | Error::Input { hint, .. }
            | Error::Locked { hint, .. }
            | Error::Store { hint, .. }
            | Error::Fetch { hint, .. }
            | Error::Refused { hint, .. } => hint.clone(),
            Error::BadName { .. } => Some(
                "names may use ASCII letters, digits, '-', '_', '.' and '/' for grouping (e.g. nbc/belarus-putin), at most 200 bytes; no spaces, no '..', no '//', no leading '/' or '-', no trailing '/' or '.', no component starting with '.' or ending in '.lock'".into(),
            ),
            Error::UnknownArticle { .. } => Some("run `redline list` to see the stored articles".into()),
            Error::NoStore { .. } => Some(
                "the first `redline commit NAME FILE` creates it; or point --store (or $REDLINE_STORE) at an existing store"
                    .into(),
            ),
            Error::UnknownRevision { name, .. } => Some(format!(
                "revisions are N (1 is the first), latest, latest~K, or a commit-id prefix of 4+ hex digits; run `redline log {name}`"
            )),
            Error::Io { .. } => None,
            Error::At { source, .. } => source.hint(),
        }
    }

    pub fn usage(msg: impl Into<String>) -> Self {
        Error::Usage { msg: msg.into(), hint: None }
    }

    /// Say where in the input this error happened (unless it already does).
    pub fn at(self, at: &str) -> Self {
        match &self {
            Error::Input { path, .. } if path == at => self,
            Error::At { at: inner, .. } if inner == at => self,
            _ => Error::At { at: at.to_string(), source: Box::new(self) },
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }
}
