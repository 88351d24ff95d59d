//! What can go wrong in the store, as typed values.
//!
//! Why a type per situation rather than a message: the CLI decides the exit
//! code and the advice for each failure (`cli::command_error`), and a caller
//! such as the tracker can match on what happened instead of parsing text.
//! So nothing here names a flag or a command: variants hold the facts (the
//! store path, the article, the git or I/O error as `source`), and their
//! messages say what failed. The messages are the ones users see, so they
//! stay stable.

use super::{SHALLOW_MSG, STORE_VERSION, VERSION_KEY};
use git2::Oid;
use std::io;
use std::path::PathBuf;

/// The result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Every failure the store reports.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    // ---- the caller's input: a name, a date, a URL, a request ----
    /// An article name outside the allowed alphabet or shape.
    #[error("invalid article name {name:?}: {msg}")]
    BadName {
        /// The name as given (cut when very long).
        name: String,
        /// What is wrong with it.
        msg: String,
    },

    /// No article has this name.
    #[error("no article named {name:?} in the store")]
    UnknownArticle {
        /// The name asked for.
        name: String,
    },

    /// A reader pointed at a store that does not exist yet.
    #[error("no store at {}", .path.display())]
    NoStore {
        /// Where the store was looked for.
        path: PathBuf,
    },

    /// A revision that does not exist or is ambiguous.
    #[error("article {name:?} has no revision {rev:?}: {msg}")]
    UnknownRevision {
        /// The article.
        name: String,
        /// The revision as written.
        rev: String,
        /// What exists instead.
        msg: String,
    },

    /// A date that does not parse or lies outside what git keeps.
    #[error("invalid --date {input:?}: {why}")]
    BadDate {
        /// The text given.
        input: String,
        /// Why it was refused.
        why: String,
    },

    /// An observed time outside the range every git reads back exactly.
    #[error("article {name:?}: observed time {why}")]
    TimeOutOfRange {
        /// The article.
        name: String,
        /// Why the time was refused.
        why: String,
    },

    /// An empty or whitespace-only text without `allow_empty`.
    #[error(
        "article {name:?}: the text is empty or only whitespace; refused because a failed fetch would look like the article was deleted"
    )]
    EmptyText {
        /// The article.
        name: String,
    },

    /// A NUL byte in a field git keeps in the commit message.
    #[error("article {name:?}: the {field} holds a NUL byte at offset {offset}")]
    NulByte {
        /// The article.
        name: String,
        /// `message`, `title` or `url`.
        field: &'static str,
        /// Byte offset of the NUL.
        offset: usize,
    },

    /// A name derived from a URL already holds a different URL.
    #[error("the name {name:?} derived from {url} is already held by article {name:?} for a different URL, {held}")]
    UrlNameTaken {
        /// The derived name.
        name: String,
        /// The new URL.
        url: String,
        /// The URL the article already holds.
        held: String,
    },

    /// A revision observed before the latest one, without `allow_out_of_order`.
    #[error(
        "article {name:?}: this version was observed at {observed}, before this store's latest sighting of it (revision {latest}, observed at {latest_observed}); storing it would make the history go back in time"
    )]
    OutOfOrder {
        /// The article.
        name: String,
        /// When the new version was observed.
        observed: String,
        /// The revision holding this store's latest sighting.
        latest: u64,
        /// When this store last saw the article.
        latest_observed: String,
    },

    /// A URL no article name can be derived from.
    #[error("cannot derive an article name from the URL {url:?}: {why}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// Why not.
        why: String,
    },

    /// `a` and `a/b` cannot both be articles.
    #[error(
        "cannot store article {name:?}: article {other:?} exists, and one name cannot be both an article and a group of articles (git keeps each article as a file under refs/articles/)"
    )]
    Nested {
        /// The article being written.
        name: String,
        /// The article in the way.
        other: String,
    },

    /// A bare repository with refs of its own and no `redline.version`.
    #[error(
        "{} is not a redline store: it is a git repository with other refs (such as {example}) and no redline.version",
        .path.display()
    )]
    Foreign {
        /// The repository.
        path: PathBuf,
        /// One ref that is not redline's.
        example: String,
    },

    // ---- another writer ----
    /// A lock file old enough to have been left by a killed process.
    #[error(
        "the store is locked: {} is {age_secs}s old and looks stale (left by a killed process); article {name:?} cannot be updated while it exists",
        .file.display()
    )]
    StaleLock {
        /// The article being written.
        name: String,
        /// The lock file.
        file: PathBuf,
        /// Its age in seconds.
        age_secs: u64,
    },

    /// Another writer held the ref for the whole retry budget.
    #[error("the store is locked: {}", who_holds(.name, .file))]
    Locked {
        /// The article being written.
        name: String,
        /// The lock file seen, if any.
        file: Option<PathBuf>,
    },

    // ---- the store itself: damaged, unwritable, not a store ----
    /// git failed: damage, permissions, a full disk.
    #[error("store problem at {}: {context}: {}", .path.display(), .source.message())]
    Git {
        /// The store.
        path: PathBuf,
        /// What redline was doing.
        context: String,
        /// git's error.
        #[source]
        source: git2::Error,
    },

    /// The store path cannot be examined.
    #[error("store problem at {}: cannot read it: {source}", .path.display())]
    Unreadable {
        /// The store path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },

    /// The store path is a file.
    #[error("store problem at {}: is a file, not a store directory", .path.display())]
    NotADirectory {
        /// The store path.
        path: PathBuf,
    },

    /// A directory that is not a bare git repository.
    #[error("store problem at {}: {why}", .path.display())]
    NotAStore {
        /// The store path.
        path: PathBuf,
        /// What it is instead.
        why: &'static str,
    },

    /// The store's parent folder cannot be created.
    #[error("store problem at {}: cannot create its parent folder: {source}", .path.display())]
    CreateParent {
        /// The store path.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },

    /// git cannot create the repository.
    #[error("store problem at {}: cannot create a store here: {}", .path.display(), .source.message())]
    Create {
        /// The store path.
        path: PathBuf,
        /// git's error.
        #[source]
        source: git2::Error,
    },

    /// `redline.version` is not a number.
    #[error(
        "store problem at {}: its config sets {} to {raw:?}, which is not a store version number",
        .path.display(),
        VERSION_KEY
    )]
    BadVersion {
        /// The store path.
        path: PathBuf,
        /// The value found.
        raw: String,
    },

    /// A store written by a newer redline.
    #[error(
        "store problem at {}: was written by a newer redline (store version {version}; this one knows {})",
        .path.display(),
        STORE_VERSION
    )]
    TooNew {
        /// The store path.
        path: PathBuf,
        /// Its version.
        version: i64,
    },

    /// A partial history (shallow clone or grafts): writing is refused.
    #[error("store problem at {}: {} ({why})", .path.display(), SHALLOW_MSG)]
    Shallow {
        /// The store path.
        path: PathBuf,
        /// Which file makes it partial.
        why: String,
    },

    /// `packed-refs` claims to be sorted and is not.
    #[error(
        "store problem at {}: article {name:?} is listed in packed-refs, but git cannot find it there: the file says it is sorted and is not",
        .path.display()
    )]
    UnsortedPackedRefs {
        /// The store path.
        path: PathBuf,
        /// The article.
        name: String,
    },

    /// An article ref that cannot be followed.
    #[error("store problem at {}: article {name:?} is damaged: {why}", .path.display())]
    BadRef {
        /// The store path.
        path: PathBuf,
        /// The article.
        name: String,
        /// What is wrong.
        why: String,
    },

    /// A commit that is not a redline revision.
    #[error("store problem at {}: commit {id} is not a redline revision: {why}", .path.display())]
    NotARevision {
        /// The store path.
        path: PathBuf,
        /// The commit.
        id: Oid,
        /// What is wrong.
        why: String,
    },

    /// The latest revision's number does not follow its parent's.
    #[error(
        "store problem at {}: article {name:?}: the meta.json of its latest revision says revision {found}, which does not follow its parent ({})",
        .path.display(),
        expected_number(.expected)
    )]
    Renumbered {
        /// The store path.
        path: PathBuf,
        /// The article.
        name: String,
        /// The number stored.
        found: u64,
        /// The number it should have.
        expected: Option<u64>,
    },

    /// A freshly written pack does not hold every planned object.
    #[error("store problem at {}: the new pack lacks object {missing}; nothing was removed", .path.display())]
    PackIncomplete {
        /// The store path.
        path: PathBuf,
        /// One object missing.
        missing: Oid,
    },

    /// A helper thread of `list` panicked.
    #[error("store problem at {}: a reader thread failed while listing articles", .path.display())]
    ReaderThread {
        /// The store path.
        path: PathBuf,
    },

    /// A JSON file kept under a ref does not parse.
    #[error("store problem at {}: {refname}:{file} is not readable: {source}", .path.display())]
    BadJson {
        /// The store path.
        path: PathBuf,
        /// The ref.
        refname: String,
        /// The file in its tree.
        file: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },

    // ---- sync: observers and remotes ----
    /// An observer id that cannot be written into revisions.
    #[error("observer id {id:?} is not allowed")]
    BadObserver {
        /// The id as given.
        id: String,
    },

    /// A remote name git would not accept in a config section or ref.
    #[error("invalid remote name {name:?}")]
    BadRemoteName {
        /// The name as given.
        name: String,
    },

    /// A remote URL git would read as an option, or that cannot sit in a config line.
    #[error("invalid remote URL {url:?}")]
    BadRemoteUrl {
        /// The URL as given.
        url: String,
    },

    /// `remote add` of a name already taken.
    #[error("a remote named {name:?} already exists")]
    RemoteExists {
        /// The name.
        name: String,
    },

    /// No remote has this name.
    #[error("no remote named {name:?}")]
    UnknownRemote {
        /// The name asked for.
        name: String,
    },

    /// `pull`/`push`/`sync` without a remote, and none is configured.
    #[error("this store has no remote")]
    NoRemote,

    /// Several remotes, none called origin, and none named.
    #[error("this store has several remotes and none is called origin")]
    WhichRemote,

    /// The system `git` cannot be run.
    #[error("remote {remote}: cannot run git to {what}: {source}")]
    GitMissing {
        /// The remote.
        remote: String,
        /// `fetch` or `push`.
        what: &'static str,
        /// Why it could not start.
        #[source]
        source: io::Error,
    },

    /// git could not talk to the remote (network, URL, credentials).
    #[error("remote {remote}: git could not {what} {url}{}", if .detail.is_empty() { String::new() } else { format!(": {}", .detail) })]
    Transport {
        /// The remote.
        remote: String,
        /// `fetch from` or `push to`.
        what: &'static str,
        /// Its URL.
        url: String,
        /// The last lines git printed.
        detail: String,
    },

    /// Another store error, with where in the input it happened
    /// (`file:line`, or a path); kind and advice are the inner error's.
    #[error("{at}: {source}")]
    At {
        /// Where in the input.
        at: String,
        /// What went wrong there.
        source: Box<StoreError>,
    },

    /// Another I/O failure inside the store.
    #[error("{context}: {source}")]
    Io {
        /// What redline was doing.
        context: String,
        /// Why it failed.
        #[source]
        source: io::Error,
    },
}

impl StoreError {
    /// Say where in the input this error happened (unless it already does).
    pub fn at(self, at: &str) -> Self {
        match &self {
            StoreError::At { at: inner, .. } if inner == at => self,
            _ => StoreError::At { at: at.to_string(), source: Box::new(self) },
        }
    }
}

/// A git failure while using the store at `path`, with what redline was doing.
pub(crate) fn store_err(path: &std::path::Path, context: &str, e: git2::Error) -> StoreError {
    StoreError::Git { path: path.to_path_buf(), context: context.to_string(), source: e }
}

/// Who holds the lock, as the `Locked` message says it.
fn who_holds(name: &str, file: &Option<PathBuf>) -> String {
    match file {
        Some(p) => format!("another process is writing article {name:?} ({} exists)", p.display()),
        None => format!("other writers kept updating article {name:?}"),
    }
}

/// The number a renumbered revision should have, as its message says it.
fn expected_number(expected: &Option<u64>) -> String {
    match expected {
        Some(e) => format!("expected {e}"),
        None => "whose number is out of range".into(),
    }
}
