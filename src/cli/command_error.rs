//! What a command reports when it fails, modelled on jj's `command_error.rs`:
//! the error itself (with its `source` chain), the [`ErrorKind`] that decides
//! the exit code, and the hints the CLI attaches.
//!
//! Why the CLI owns this and not the library: whether a failure is the
//! user's to fix, which flag to suggest and which exit code a script sees are
//! questions about the command line. The library says *what* failed; this
//! module says what it means here. [`ErrorKind::exit_code`] is the one place
//! kinds become exit codes; README's "Exit codes" table documents each one
//! (a unit test below keeps the two in step).

use crate::error::{self as codes, Error};
use crate::render::sanitize::visible_text;
use std::io::{self, Write};

/// What kind of failure, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad command line or input: a flag, a name, an unknown article or
    /// revision, a file that cannot be read as text.
    User,
    /// Another writer holds the store's lock; retrying is safe.
    Locked,
    /// The store is damaged, unwritable, or not a redline store.
    Store,
    /// `fetch`/`watch`: a page could not be fetched.
    Fetch,
    /// `fetch`: the page looked broken and was not stored.
    Refused,
    /// `pull`/`push`/`sync`: git could not reach the remote, or it refused.
    Remote,
    /// Writing the output failed (a full disk, a vanished folder), on
    /// standard output or into `export`'s folder.
    Output,
    /// A bug in redline (for example, JSON that cannot be encoded).
    Internal,
    /// The reader closed the pipe (`redline log x | head`): a normal end.
    BrokenPipe,
}

impl ErrorKind {
    /// Every kind, for the test that checks each is documented.
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::User,
        ErrorKind::Locked,
        ErrorKind::Store,
        ErrorKind::Fetch,
        ErrorKind::Refused,
        ErrorKind::Remote,
        ErrorKind::Output,
        ErrorKind::Internal,
        ErrorKind::BrokenPipe,
    ];

    /// The process exit code for this kind (see README, "Exit codes").
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::User => codes::EXIT_USAGE,
            ErrorKind::Locked => codes::EXIT_LOCKED,
            ErrorKind::Store => codes::EXIT_STORE,
            ErrorKind::Fetch => codes::EXIT_FETCH,
            ErrorKind::Refused => codes::EXIT_REFUSED,
            ErrorKind::Remote => codes::EXIT_REMOTE,
            ErrorKind::Output => codes::EXIT_OUTPUT,
            ErrorKind::Internal => codes::EXIT_INTERNAL,
            ErrorKind::BrokenPipe => codes::EXIT_OK,
        }
    }
}

/// A failed command: kind, error (with its source chain) and hints.
#[derive(Debug)]
pub struct CommandError {
    /// Decides the exit code.
    pub kind: ErrorKind,
    /// What went wrong; its `source()` chain is printed too.
    pub error: Box<dyn std::error::Error + Send + Sync>,
    /// What to do next, one line each.
    pub hints: Vec<String>,
}

/// The result every command returns.
pub type CommandResult<T = u8> = Result<T, CommandError>;

/// A plain message as an error value.
#[derive(Debug)]
struct Message(String);

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

/// An I/O failure with what redline was doing at the time.
#[derive(Debug, thiserror::Error)]
#[error("{context}")]
struct IoContext {
    context: String,
    #[source]
    source: io::Error,
}

impl CommandError {
    /// An error of `kind` with no hints yet.
    pub fn new(kind: ErrorKind, error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        CommandError { kind, error: error.into(), hints: Vec::new() }
    }

    /// A usage or input error with a message.
    pub fn user(msg: impl Into<String>) -> Self {
        Self::new(ErrorKind::User, Message(msg.into()))
    }

    /// Writing `what` failed (a closed pipe stays [`ErrorKind::BrokenPipe`]).
    pub fn output(what: impl Into<String>, e: io::Error) -> Self {
        let kind = if e.kind() == io::ErrorKind::BrokenPipe { ErrorKind::BrokenPipe } else { ErrorKind::Output };
        Self::new(kind, IoContext { context: what.into(), source: e })
    }

    /// A bug: something that should not fail did.
    pub fn internal(msg: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, Message(msg.into()))
            .hinted("this is a bug in redline; please report it with the command that triggered it")
    }

    /// Add a hint (printed after the message).
    pub fn hinted(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// The library error inside, if this came from one.
    pub fn library_error(&self) -> Option<&Error> {
        self.error.downcast_ref::<Error>()
    }

    /// Print the error, its causes and its hints to stderr, sanitised (a
    /// store path or name may hold control or bidi characters). Never fails.
    pub fn report(&self) {
        let mut err = io::stderr().lock();
        let msg = self.error.to_string();
        let _ = writeln!(err, "redline: error: {}", visible_text(&msg));
        let mut shown = msg;
        let mut cause = self.error.source();
        while let Some(c) = cause {
            let text = c.to_string();
            // Library messages often end with their cause already.
            if !shown.contains(&text) {
                let _ = writeln!(err, "  caused by: {}", visible_text(&text));
                shown.push_str(&text);
            }
            cause = c.source();
        }
        for h in &self.hints {
            let _ = writeln!(err, "  hint: {}", visible_text(h));
        }
    }
}

/// The kind and the hint the CLI gives for each library error.
impl From<Error> for CommandError {
    fn from(e: Error) -> Self {
        let kind = kind_of(&e);
        let hint = e.hint();
        let mut c = CommandError::new(kind, e);
        c.hints.extend(hint);
        c
    }
}

/// The kind of a library error (one with a location has its inner error's).
fn kind_of(e: &Error) -> ErrorKind {
    match e {
        Error::Usage { .. }
        | Error::Input { .. }
        | Error::BadName { .. }
        | Error::UnknownArticle { .. }
        | Error::NoStore { .. }
        | Error::UnknownRevision { .. }
        | Error::Io { .. } => ErrorKind::User,
        Error::Locked { .. } => ErrorKind::Locked,
        Error::Store { .. } => ErrorKind::Store,
        Error::Fetch { .. } => ErrorKind::Fetch,
        Error::Refused { .. } => ErrorKind::Refused,
        Error::Remote { .. } => ErrorKind::Remote,
        Error::At { source, .. } => kind_of(source),
    }
}

/// An I/O error reaching a command's `?` comes from writing its output.
impl From<io::Error> for CommandError {
    fn from(e: io::Error) -> Self {
        CommandError::output("cannot write the output", e)
    }
}

/// Encoding our own values as JSON cannot fail on valid data: a failure is
/// a bug, never the user's doing.
impl From<serde_json::Error> for CommandError {
    fn from(e: serde_json::Error) -> Self {
        CommandError::internal(format!("cannot encode JSON: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// The exit codes README's "Exit codes" table documents.
    fn documented_codes() -> Vec<u8> {
        let readme = include_str!("../../README.md");
        let table = readme.split("## Exit codes").nth(1).expect("README has an Exit codes section");
        table
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .filter_map(|l| l.trim_start_matches('|').split('|').next()?.trim().parse().ok())
            .collect()
    }

    #[test]
    fn every_error_kind_maps_to_a_documented_exit_code() {
        let documented = documented_codes();
        assert!(documented.len() >= 10, "{documented:?}");
        for kind in ErrorKind::ALL {
            assert!(documented.contains(&kind.exit_code()), "{kind:?} exits {}, not in README", kind.exit_code());
        }
        // Distinct kinds, distinct codes (a closed pipe is a success).
        let mut codes: Vec<u8> = ErrorKind::ALL.iter().map(|k| k.exit_code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
    }

    #[test]
    fn every_library_error_maps_to_a_documented_exit_code() {
        let documented = documented_codes();
        let p = PathBuf::from("/s");
        let io = || io::Error::other("x");
        let all = [
            Error::usage("u"),
            Error::Input { path: "f".into(), msg: "m".into(), hint: None },
            Error::BadName { name: "n".into(), msg: "m".into() },
            Error::UnknownArticle { name: "n".into() },
            Error::NoStore { path: p.clone() },
            Error::UnknownRevision { name: "n".into(), rev: "9".into(), msg: "m".into() },
            Error::Locked { msg: "m".into(), hint: None },
            Error::Store { path: p, msg: "m".into(), hint: None },
            Error::Fetch { url: "u".into(), msg: "m".into(), hint: None },
            Error::Refused { url: "u".into(), msg: "m".into(), hint: None },
            Error::Remote { remote: "r".into(), msg: "m".into(), hint: None },
            Error::io("c", io()),
            Error::At { at: "f:1".into(), source: Box::new(Error::Locked { msg: "m".into(), hint: None }) },
        ];
        for e in all {
            let shown = e.to_string();
            let c = CommandError::from(e);
            assert!(documented.contains(&c.kind.exit_code()), "{shown}");
            assert_ne!(c.kind, ErrorKind::BrokenPipe, "{shown}");
        }
    }

    #[test]
    fn output_failures_are_not_usage_errors_and_closed_pipes_are_quiet() {
        let full = CommandError::from(io::Error::from_raw_os_error(28)); // ENOSPC
        assert_eq!(full.kind, ErrorKind::Output);
        assert_ne!(full.kind.exit_code(), codes::EXIT_USAGE);
        let pipe = CommandError::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(pipe.kind.exit_code(), codes::EXIT_OK);
        let json = serde_json::from_str::<u8>("x").unwrap_err();
        assert_eq!(CommandError::from(json).kind, ErrorKind::Internal);
    }
}
