//! What a command reports when it fails, modelled on jj's `command_error.rs`:
//! the error itself (with its `source` chain), the [`ErrorKind`] that decides
//! the exit code, and the hints the CLI attaches.
//!
//! Why the CLI owns this and not the library: whether a failure is the
//! user's to fix, which flag to suggest and which exit code a script sees are
//! questions about the command line. The library says *what* failed; this
//! module says what it means here. [`ErrorKind::exit_code`] is the one place
//! kinds become exit codes; README's "Exit codes" table documents each one
//! (a unit test below keeps the two in step). The store's errors carry no
//! advice of their own: [`store_kind`] and [`store_hint`] give each variant
//! its kind and hint here.

use crate::error::{self as codes, Error};
use crate::render::sanitize::visible_text;
use crate::store::{self, StoreError};
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
            // git's own text, without the class and code numbers it appends.
            let text = match c.downcast_ref::<git2::Error>() {
                Some(g) => g.message().to_string(),
                None => c.to_string(),
            };
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
        let hint = hint_of(&e);
        let mut c = CommandError::new(kind, e);
        c.hints.extend(hint);
        c
    }
}

/// A store error, kept inside an [`Error`] so [`CommandError::library_error`]
/// finds every library error in one place.
impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        Error::from(e).into()
    }
}

/// The kind of a library error (one with a location has its inner error's).
fn kind_of(e: &Error) -> ErrorKind {
    match e {
        Error::Usage { .. } | Error::Input { .. } | Error::Io { .. } => ErrorKind::User,
        Error::Store(s) => store_kind(s),
        Error::Fetch { .. } => ErrorKind::Fetch,
        Error::Refused { .. } => ErrorKind::Refused,
        Error::At { source, .. } => kind_of(source),
    }
}

/// What the user should do next about a library error, if anything useful
/// can be said. CLI-made errors carry their own hint; store errors get one
/// from [`store_hint`].
pub fn hint_of(e: &Error) -> Option<String> {
    match e {
        Error::Usage { hint, .. }
        | Error::Input { hint, .. }
        | Error::Fetch { hint, .. }
        | Error::Refused { hint, .. } => hint.clone(),
        Error::Store(s) => store_hint(s),
        Error::Io { .. } => None,
        Error::At { source, .. } => hint_of(source),
    }
}

/// The kind of each store error. Exhaustive on purpose: a new variant must
/// be given a kind (and so an exit code) here.
fn store_kind(e: &StoreError) -> ErrorKind {
    use StoreError as S;
    match e {
        S::BadName { .. }
        | S::UnknownArticle { .. }
        | S::NoStore { .. }
        | S::UnknownRevision { .. }
        | S::BadDate { .. }
        | S::TimeOutOfRange { .. }
        | S::EmptyText { .. }
        | S::NulByte { .. }
        | S::UrlNameTaken { .. }
        | S::OutOfOrder { .. }
        | S::BadUrl { .. }
        | S::Nested { .. }
        | S::Foreign { .. }
        | S::BadObserver { .. }
        | S::BadRemoteName { .. }
        | S::BadRemoteUrl { .. }
        | S::RemoteExists { .. }
        | S::UnknownRemote { .. }
        | S::NoRemote
        | S::WhichRemote
        | S::Io { .. } => ErrorKind::User,
        S::GitMissing { .. } | S::Transport { .. } => ErrorKind::Remote,
        S::At { source, .. } => store_kind(source),
        S::StaleLock { .. } | S::Locked { .. } => ErrorKind::Locked,
        S::Git { .. }
        | S::Unreadable { .. }
        | S::NotADirectory { .. }
        | S::NotAStore { .. }
        | S::CreateParent { .. }
        | S::Create { .. }
        | S::BadVersion { .. }
        | S::TooNew { .. }
        | S::Shallow { .. }
        | S::UnsortedPackedRefs { .. }
        | S::BadRef { .. }
        | S::NotARevision { .. }
        | S::Renumbered { .. }
        | S::PackIncomplete { .. }
        | S::ReaderThread { .. }
        | S::BadJson { .. } => ErrorKind::Store,
    }
}

/// The advice for each store error: which flag or command helps.
pub fn store_hint(e: &StoreError) -> Option<String> {
    use StoreError as S;
    const FSCK: &str = "run `redline fsck` to check the store";
    let hint = match e {
        S::BadName { .. } => "names may use ASCII letters, digits, '-', '_', '.' and '/' for grouping (e.g. nbc/belarus-putin), at most 200 bytes; no spaces, no '..', no '//', no leading '/' or '-', no trailing '/' or '.', no component starting with '.' or ending in '.lock'".into(),
        S::UnknownArticle { .. } => "run `redline list` to see the stored articles".into(),
        S::NoStore { .. } => {
            "the first `redline commit NAME FILE` creates it; or point --store (or $REDLINE_STORE) at an existing store".into()
        }
        S::UnknownRevision { name, .. } => format!(
            "revisions are N (1 is the first), latest, latest~K, a commit-id prefix of 4+ hex digits, or a moment: 2020-09-12 (end of that day, UTC) or {{2020-09-12T14:00}}; run `redline log {name}`"
        ),
        S::BadDate { .. } => format!("use {}", store::ACCEPTED_DATE_FORMS),
        S::TimeOutOfRange { .. } => format!("use a date between {} and {}", store::MIN_TIME_TEXT, store::MAX_TIME_TEXT),
        S::EmptyText { .. } => "pass --allow-empty to store it anyway".into(),
        S::NulByte { field, .. } => format!("remove the NUL byte from the {field}"),
        S::UrlNameTaken { .. } => "give this page a name of its own: redline commit NAME FILE --url URL".into(),
        S::OutOfOrder { .. } => "give the right date, or pass --allow-out-of-order to store it anyway".into(),
        S::BadUrl { .. } => "give the name explicitly: redline commit NAME FILE --url URL".into(),
        S::Nested { name, .. } => format!(
            "choose a name that is not a prefix of another (e.g. {}); nothing was written",
            name.replace('/', "-")
        ),
        S::Foreign { .. } => "point --store at a redline store or an empty folder; to keep articles in this repository anyway, commit or import with --init-into-existing".into(),
        S::StaleLock { file, .. } => format!("if no redline is running, remove it: rm {}", store::shell_quote(file)),
        S::Locked { .. } => "try again in a moment; nothing was stored".into(),
        S::Git { .. } => format!("{FSCK}; check permissions and free disk space"),
        S::Unreadable { .. } => "check the permissions of the store path".into(),
        S::NotADirectory { .. } => "pass --store DIR with a directory (redline creates it on the first commit)".into(),
        S::NotAStore { .. } => {
            "point --store at a redline store, or at a new or empty directory to create one there".into()
        }
        S::CreateParent { .. } => "check that the parent folder is writable, or pass --store DIR".into(),
        S::Create { .. } => "check that the parent folder exists and is writable, or pass --store DIR".into(),
        S::BadVersion { path, .. } => format!(
            "if this is a redline store, fix it: git --git-dir {} config {} {}",
            path.display(),
            store::VERSION_KEY,
            store::STORE_VERSION
        ),
        S::TooNew { .. } => "upgrade redline".into(),
        S::Shallow { path, .. } => format!(
            "fetch the rest from the store it came from: git --git-dir {} fetch --unshallow ORIGIN 'refs/articles/*:refs/articles/*' (or move info/grafts out of the store); nothing was written",
            path.display()
        ),
        S::UnsortedPackedRefs { .. } => {
            "run `redline fsck --repair`, which rewrites packed-refs in order; nothing was written".into()
        }
        S::BadRef { .. } => "run `redline fsck` to see what is wrong and how to fix it".into(),
        S::NotARevision { .. } | S::ReaderThread { .. } => FSCK.into(),
        S::Renumbered { .. } => "run `redline fsck`; `redline fsck --repair` renumbers the chain from its commits".into(),
        S::PackIncomplete { .. } => "run `redline fsck`".into(),
        S::BadJson { path, refname, file, .. } => {
            format!("inspect it with: git --git-dir {} show {refname}:{file}", path.display())
        }
        S::BadObserver { .. } => format!(
            "use 1 to {} printable ASCII characters without spaces, e.g. newsroom-laptop",
            store::MAX_OBSERVER_BYTES
        ),
        S::BadRemoteName { .. } => "remote names use ASCII letters, digits, '-', '_' and '.', e.g. origin or team-server".into(),
        S::BadRemoteUrl { .. } => "give a git URL or path: /srv/archive.git, ssh://host/archive.git, https://host/archive.git, host:archive.git".into(),
        S::RemoteExists { name } => format!("remove it first (redline remote remove {name}) or choose another name"),
        S::UnknownRemote { .. } => "redline remote list shows the remotes; redline remote add NAME URL adds one".into(),
        S::NoRemote => "add one: redline remote add origin URL".into(),
        S::WhichRemote => "name the remote: redline sync NAME (redline remote list shows them)".into(),
        S::GitMissing { .. } => "redline syncs through the system `git` command: install git and make sure it is on PATH".into(),
        S::Transport { remote, .. } => format!(
            "check the URL (redline remote list), the network and your git credentials; `git --git-dir STORE fetch {remote}` shows git's own messages"
        ),
        S::Io { .. } => return None,
        S::At { source, .. } => return store_hint(source),
    };
    Some(hint)
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
        let io = || io::Error::other("x");
        let all = [
            Error::usage("u"),
            Error::Input { path: "f".into(), msg: "m".into(), hint: None },
            Error::Fetch { url: "u".into(), msg: "m".into(), hint: None },
            Error::Refused { url: "u".into(), msg: "m".into(), hint: None },
            Error::io("c", io()),
            Error::At { at: "f:1".into(), source: Box::new(Error::usage("m")) },
        ];
        let store_errors = sample_store_errors().into_iter().map(Error::from);
        for e in all.into_iter().chain(store_errors) {
            let shown = e.to_string();
            let c = CommandError::from(e);
            assert!(documented.contains(&c.kind.exit_code()), "{shown}");
            assert_ne!(c.kind, ErrorKind::BrokenPipe, "{shown}");
        }
    }

    /// One of each store error (the mapping itself is an exhaustive match,
    /// so the compiler catches a variant without a kind or hint).
    fn sample_store_errors() -> Vec<StoreError> {
        use StoreError as S;
        let (p, n, s) = (PathBuf::from("/s"), || "n".to_string(), || "m".to_string());
        let git = || git2::Error::from_str("g");
        vec![
            S::BadName { name: n(), msg: s() },
            S::UnknownArticle { name: n() },
            S::NoStore { path: p.clone() },
            S::UnknownRevision { name: n(), rev: "9".into(), msg: s() },
            S::BadDate { input: s(), why: s() },
            S::TimeOutOfRange { name: n(), why: s() },
            S::EmptyText { name: n() },
            S::NulByte { name: n(), field: "title", offset: 3 },
            S::UrlNameTaken { name: n(), url: s(), held: s() },
            S::OutOfOrder { name: n(), observed: s(), latest: 2, latest_observed: s() },
            S::BadUrl { url: s(), why: s() },
            S::Nested { name: "a/b".into(), other: "a".into() },
            S::Foreign { path: p.clone(), example: "refs/heads/main".into() },
            S::StaleLock { name: n(), file: p.join("x.lock"), age_secs: 700 },
            S::Locked { name: n(), file: None },
            S::Git { path: p.clone(), context: s(), source: git() },
            S::Unreadable { path: p.clone(), source: io::Error::other("x") },
            S::NotADirectory { path: p.clone() },
            S::NotAStore { path: p.clone(), why: "w" },
            S::CreateParent { path: p.clone(), source: io::Error::other("x") },
            S::Create { path: p.clone(), source: git() },
            S::BadVersion { path: p.clone(), raw: "x".into() },
            S::TooNew { path: p.clone(), version: 9 },
            S::Shallow { path: p.clone(), why: s() },
            S::UnsortedPackedRefs { path: p.clone(), name: n() },
            S::BadRef { path: p.clone(), name: n(), why: s() },
            S::NotARevision { path: p.clone(), id: git2::Oid::ZERO_SHA1, why: s() },
            S::Renumbered { path: p.clone(), name: n(), found: 3, expected: Some(2) },
            S::PackIncomplete { path: p.clone(), missing: git2::Oid::ZERO_SHA1 },
            S::ReaderThread { path: p.clone() },
            S::BadJson {
                path: p.clone(),
                refname: "r".into(),
                file: "f".into(),
                source: serde_json::from_str::<u8>("x").unwrap_err(),
            },
            S::BadObserver { id: s() },
            S::BadRemoteName { name: s() },
            S::BadRemoteUrl { url: s() },
            S::RemoteExists { name: s() },
            S::UnknownRemote { name: s() },
            S::NoRemote,
            S::WhichRemote,
            S::GitMissing { remote: s(), what: "fetch", source: io::Error::other("x") },
            S::Transport { remote: s(), what: "fetch from", url: s(), detail: s() },
            S::At { at: "f:1".into(), source: Box::new(S::Locked { name: n(), file: None }) },
            S::Io { context: s(), source: io::Error::other("x") },
        ]
    }

    #[test]
    fn store_errors_keep_their_cause_and_get_their_advice_here() {
        // The git error is kept as the source, not flattened into text.
        let e = StoreError::Git {
            path: "/s".into(),
            context: "cannot read".into(),
            source: git2::Error::from_str("bad object"),
        };
        let src = std::error::Error::source(&e)
            .and_then(|c| c.downcast_ref::<git2::Error>())
            .map(|g| g.message().to_string());
        assert_eq!(src.as_deref(), Some("bad object"));
        assert_eq!(e.to_string(), "store problem at /s: cannot read: bad object");
        let c = CommandError::from(e);
        assert_eq!(c.kind, ErrorKind::Store);
        assert_eq!(c.hints, ["run `redline fsck` to check the store; check permissions and free disk space"]);
        // A location keeps the inner error's kind and hint.
        let at = CommandError::from(Error::from(StoreError::EmptyText { name: "a".into() }).at("f:2"));
        assert_eq!((at.kind, at.hints.len()), (ErrorKind::User, 1));
        assert!(at.error.to_string().starts_with("f:2: article \"a\": the text is empty"), "{}", at.error);
        // Every store error's message is free of advice: hints come from the CLI.
        for e in sample_store_errors() {
            let shown = e.to_string();
            assert!(!shown.contains("hint") && !shown.contains("run `redline"), "{shown}");
            assert!(store_hint(&e).is_some() || matches!(e, StoreError::Io { .. }), "{shown}");
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
