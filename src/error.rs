//! Every error redline can report, and the exit code each maps to.
//!
//! Exit codes are part of the interface: scripts branch on them, so they live
//! here as documented constants and nowhere else. Which error exits with
//! which code is decided in one place, `cli::ErrorKind::exit_code`.

use crate::store::StoreError;

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
/// `pull`, `push`, `sync`, `remote`: git could not reach the remote, or the
/// remote refused the refs (nothing local was lost).
pub const EXIT_REMOTE: u8 = 11;
/// `pull`, `sync`: done, but conflicts that are not about observations (an
/// article bound to two URLs, differing watch-list entries) were left as
/// they were; each is named on stderr.
pub const EXIT_CONFLICT: u8 = 12;

/// The result of a library call outside the store.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors of the command-line layer and the tracker, plus every store error
/// ([`Error::Store`]). Variants built by CLI code may carry a hint (what to do
/// next); the store's own errors never do: `cli::command_error` adds theirs.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A bad command line (clap handles most of these itself).
    #[error("{msg}")]
    Usage {
        /// What is wrong.
        msg: String,
        /// What to do instead.
        hint: Option<String>,
    },

    /// Input text that redline refuses to store or diff.
    #[error("{path}: {msg}")]
    Input {
        /// The file (or `-`).
        path: String,
        /// What is wrong with it.
        msg: String,
        /// What to do instead.
        hint: Option<String>,
    },

    /// A store error, as the store reported it.
    #[error(transparent)]
    Store(#[from] StoreError),

    /// Another error, with where in the input it happened (`file:line`,
    /// or a file path); exit code and hint are the inner error's.
    #[error("{at}: {source}")]
    At {
        /// Where in the input.
        at: String,
        /// What went wrong there.
        source: Box<Error>,
    },

    /// A page that could not be fetched (see [`EXIT_FETCH`]).
    #[error("{url}: {msg}")]
    Fetch {
        /// The page.
        url: String,
        /// Why it could not be fetched.
        msg: String,
        /// What to do next.
        hint: Option<String>,
    },

    /// A fetched page the quality gate refused (see [`EXIT_REFUSED`]).
    #[error("{url}: not stored: {msg}")]
    Refused {
        /// The page.
        url: String,
        /// Why it looks broken.
        msg: String,
        /// What to do next.
        hint: Option<String>,
    },

    /// Reading the input failed.
    #[error("{context}: {source}")]
    Io {
        /// What redline was reading.
        context: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// A usage error with a message and no hint.
    pub fn usage(msg: impl Into<String>) -> Self {
        Error::Usage { msg: msg.into(), hint: None }
    }

    /// Say where in the input this error happened (unless it already does).
    pub fn at(self, at: &str) -> Self {
        match &self {
            Error::Input { path, .. } if path == at => self,
            Error::At { at: inner, .. } | Error::Store(StoreError::At { at: inner, .. }) if inner == at => self,
            _ => Error::At { at: at.to_string(), source: Box::new(self) },
        }
    }

    /// An I/O failure while `context`.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }
}
