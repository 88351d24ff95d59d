//! The git-backed article store.
//!
//! A store is a bare git repository. Each article has one ref,
//! `refs/articles/<name>`, pointing at a linear chain of commits, one per
//! revision. Each commit's tree holds `article.txt` (the exact bytes given)
//! and `meta.json` (a [`Meta`]), so every number `log` and `list` print is
//! read back rather than recomputed, and plain `git` can read the store:
//! `git --git-dir STORE log refs/articles/NAME`.
//!
//! Why one ref per article: reading one article's history walks only its own
//! parent chain, and listing articles reads refs, so the cost of a command
//! does not grow with the size of the archive.
//!
//! Writers never lock the whole store: a revision's objects are written
//! first, then the article's ref is moved with a compare-and-swap, retried
//! (with the revision rebuilt on the new tip) when another writer got there
//! first. See [`write`].

use git2::{Repository, RepositoryInitOptions, RepositoryOpenFlags};
use std::path::{Path, PathBuf};

mod batch;
mod date;
mod delta;
mod error;
mod fsck;
mod fsck_chain;
mod fsck_checks;
mod fsck_refs;
mod fsck_repair;
mod gc;
mod guard;
mod import;
mod info;
mod list_cache;
mod maintenance;
mod merge;
mod meta;
mod name;
mod observer;
mod pack_refs;
mod packconcat;
mod packed_refs;
mod packfile;
mod packing;
mod raw;
mod read;
mod revspec;
mod scan;
mod sync;
mod url_name;
mod watch;
mod write;

pub use batch::{Acked, Batch, Staged};
pub use date::{format_time, now, parse_date, parse_time, ACCEPTED_DATE_FORMS, MAX_TIME_TEXT, MIN_TIME_TEXT};
pub(crate) use error::store_err;
pub use error::{Result, StoreError};
pub use fsck::{FsckReport, Problem, Repair, BACKUP_PREFIX};
pub use gc::GcReport;
pub use guard::SHALLOW_MSG;
pub use import::{ImportProgress, ImportRecord, ImportReport};
pub use info::{human_bytes, StoreInfo};
pub use maintenance::MaintainReport;
pub use meta::{sha256_hex, Meta, Sighting, META_SCHEMA};
pub use name::{validate_name, MAX_NAME_BYTES};
pub use observer::{check_observer, MAX_OBSERVER_BYTES};
pub use raw::{is_tracker_ref, raw_ref, FetchMeta, PendingRaw, RawInfo, RawOutcome, RawPage, RAW_PREFIX};
pub use read::{ArticleSummary, Revision, Skipped};
pub use revspec::RevSpec;
pub use scan::{Link, SCAN_THREADS};
pub use sync::{
    validate_remote_name, Conflict, Merged, PullReport, PushFlag, PushReport, PushedRef, RemoteInfo, SyncReport,
};
pub use url_name::{canonical_url, name_from_url};
pub use watch::{RobotsEntry, UrlState, WatchEntry, WatchKind, WatchList, WatchState, STATE_REF, WATCH_REF};
pub(crate) use write::shell_quote;
pub use write::{CommitOutcome, CommitRequest};

/// Every article ref lives under this prefix.
pub const REF_PREFIX: &str = "refs/articles/";
/// The tree entry holding the article text.
pub const TEXT_FILE: &str = "article.txt";
/// The tree entry holding the revision's [`Meta`].
pub const META_FILE: &str = "meta.json";
/// `redline.version` in the store's git config; a store made by a newer
/// redline with a higher number is refused rather than misread.
pub const STORE_VERSION: i64 = 1;
/// Refs redline itself writes (articles, and chains kept by `fsck --repair`).
pub const OWN_PREFIXES: [&str; 2] = [REF_PREFIX, fsck::BACKUP_PREFIX];
pub(crate) const VERSION_KEY: &str = "redline.version";

/// An open store. Holds one [`Repository`] for its lifetime so bulk work
/// (import, gc) does not reopen git per revision.
pub struct Store {
    repo: Repository,
    path: PathBuf,
    /// The observer id, read or made on first use (see `observer.rs`).
    observer: std::cell::OnceCell<String>,
    /// `packed-refs`, indexed on first use (see `packed_refs.rs`).
    packed: std::cell::RefCell<Option<(packed_refs::Stamp, packed_refs::PackedRefs)>>,
}

/// What is at a store path before we touch it.
enum Found {
    Missing,
    EmptyDir,
    Repo(Repository),
}

impl Store {
    /// Open an existing store for reading. A missing store is
    /// [`StoreError::NoStore`]; anything there that is not a bare git
    /// repository is refused ([`StoreError::NotAStore`] and its kin), and so
    /// is a foreign repository.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_existing(path)?.ok_or_else(|| StoreError::NoStore { path: path.to_path_buf() })
    }

    /// Like [`Store::open`], but a missing (or empty) store is `Ok(None)`, for
    /// commands such as `list` that can answer "nothing yet".
    pub fn open_existing(path: &Path) -> Result<Option<Store>> {
        match probe(path)? {
            Found::Missing | Found::EmptyDir => Ok(None),
            Found::Repo(repo) => {
                check_not_foreign(&repo, path)?;
                Ok(Some(Store {
                    repo,
                    path: path.to_path_buf(),
                    observer: Default::default(),
                    packed: Default::default(),
                }))
            }
        }
    }

    /// Open the store for writing, creating it (and its parent folders) when
    /// missing. Refuses a foreign repository and a partial history.
    pub fn open_or_create(path: &Path) -> Result<Store> {
        Self::open_for_write(path, false)
    }

    /// [`Store::open_or_create`]; with `init_into_existing`, a bare
    /// repository that holds other refs is accepted and marked as a store
    /// (`--init-into-existing`).
    pub fn open_for_write(path: &Path, init_into_existing: bool) -> Result<Store> {
        let repo = match probe(path)? {
            Found::Repo(repo) => {
                if !init_into_existing {
                    check_not_foreign(&repo, path)?;
                }
                repo
            }
            Found::Missing | Found::EmptyDir => create(path)?,
        };
        let store = Store { repo, path: path.to_path_buf(), observer: Default::default(), packed: Default::default() };
        store.check_writable()?;
        mark_version(&store.repo, path)?;
        Ok(store)
    }

    /// The store directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A second, independent handle on the same repository (the tracker's
    /// batch attaches an in-memory object backend to its own handle only).
    pub(crate) fn reopen(&self) -> Result<Repository> {
        Repository::open_bare(&self.path).map_err(|e| store_err(&self.path, "cannot reopen the store", e))
    }
}

/// Look at `path` and classify it, refusing files and foreign directories.
fn probe(path: &Path) -> Result<Found> {
    let md = match std::fs::metadata(path) {
        Ok(md) => md,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) => return Err(StoreError::Unreadable { path: path.to_path_buf(), source: e }),
    };
    if !md.is_dir() {
        return Err(StoreError::NotADirectory { path: path.to_path_buf() });
    }
    let empty = std::fs::read_dir(path).map(|mut d| d.next().is_none()).unwrap_or(false);
    if empty {
        return Ok(Found::EmptyDir);
    }
    let repo = Repository::open_ext(path, RepositoryOpenFlags::NO_SEARCH, &[] as &[&std::ffi::OsStr])
        .map_err(|_| not_a_store(path, "is a directory but not a git repository"))?;
    if !repo.is_bare() {
        return Err(not_a_store(path, "is a git working tree, not a bare redline store"));
    }
    check_version(&repo, path)?;
    Ok(Found::Repo(repo))
}

fn not_a_store(path: &Path, why: &'static str) -> StoreError {
    StoreError::NotAStore { path: path.to_path_buf(), why }
}

/// A bare repository that redline never marked and that holds refs outside
/// redline's namespaces is someone's project, not a store: writing
/// `redline.version` into it, or advising to delete its branches, would be
/// wrong. (A `git clone --bare` of a store has only article refs: accepted.)
fn check_not_foreign(repo: &Repository, path: &Path) -> Result<()> {
    if local_version(repo, path)?.is_some() {
        return Ok(());
    }
    let Ok(refs) = repo.references() else { return Ok(()) };
    let foreign = refs.flatten().find_map(|r| {
        let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
        (!OWN_PREFIXES.iter().any(|p| name.starts_with(p))
            && !raw::is_tracker_ref(&name)
            && !name.starts_with("refs/remotes/"))
        .then_some(name)
    });
    match foreign {
        None => Ok(()),
        Some(example) => Err(StoreError::Foreign { path: path.to_path_buf(), example }),
    }
}

/// Create a new store atomically: a complete repository is built in a
/// temporary sibling folder and renamed into place, so a concurrent
/// writer sees either nothing or a finished store, never a half-made one.
/// When another process wins the rename, its store is used.
fn create(path: &Path) -> Result<Repository> {
    let (Some(parent), Some(file)) = (path.parent(), path.file_name()) else { return init(path) };
    let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
    std::fs::create_dir_all(parent).map_err(|e| StoreError::CreateParent { path: path.to_path_buf(), source: e })?;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let tmp = parent.join(format!(".{}.redline-new-{}-{nanos}", file.to_string_lossy(), std::process::id()));
    let repo = init(&tmp)?;
    mark_version(&repo, &tmp)?;
    drop(repo);
    let renamed = std::fs::rename(&tmp, path);
    if renamed.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    match probe(path)? {
        Found::Repo(repo) => Ok(repo),
        // Renaming onto an empty mount point fails; build in place then.
        Found::Missing | Found::EmptyDir => init(path),
    }
}

fn init(path: &Path) -> Result<Repository> {
    let mut opts = RepositoryInitOptions::new();
    opts.bare(true).mkpath(true).no_reinit(false);
    Repository::init_opts(path, &opts).map_err(|e| StoreError::Create { path: path.to_path_buf(), source: e })
}

/// `redline.version` from the repository's own config; a value that is not
/// a number is refused rather than overwritten.
fn local_version(repo: &Repository, path: &Path) -> Result<Option<i64>> {
    let Ok(cfg) = repo.config() else { return Ok(None) };
    let Ok(local) = cfg.open_level(git2::ConfigLevel::Local) else { return Ok(None) };
    let Ok(raw) = local.get_string(VERSION_KEY) else { return Ok(None) };
    raw.trim().parse::<i64>().map(Some).map_err(|_| StoreError::BadVersion { path: path.to_path_buf(), raw })
}

fn check_version(repo: &Repository, path: &Path) -> Result<()> {
    match local_version(repo, path)? {
        Some(version) if version > STORE_VERSION => Err(StoreError::TooNew { path: path.to_path_buf(), version }),
        _ => Ok(()),
    }
}

/// Record `redline.version` so later versions know what they are reading.
/// A bare repository without it (say, a `git clone --bare` of a store) gets it
/// on its first write.
fn mark_version(repo: &Repository, path: &Path) -> Result<()> {
    if local_version(repo, path)?.is_some() {
        return Ok(());
    }
    let set = || -> std::result::Result<(), git2::Error> {
        let cfg = repo.config()?;
        let mut local = cfg.open_level(git2::ConfigLevel::Local)?;
        local.set_i64(VERSION_KEY, STORE_VERSION)
    };
    set().map_err(|e| store_err(path, "cannot write the store's config", e))
}

/// The full ref name of an article (the name must be valid already).
pub(crate) fn ref_name(name: &str) -> String {
    format!("{REF_PREFIX}{name}")
}

/// Short commit id as shown to people (7 hex digits, as git does).
pub fn short_id(id: git2::Oid) -> String {
    let mut s = id.to_string();
    s.truncate(7);
    s
}
