//! Adding a revision: write the objects, then move the article's ref with a
//! compare-and-swap.
//!
//! Why compare-and-swap rather than a store-wide lock: writers of different
//! articles never wait for each other, and a crash can leave at most
//! unreferenced objects (harmless; `gc` ignores them), never a half-moved
//! chain. When another writer moved the ref first, the revision number,
//! `same_as` and change stats are recomputed on the new tip and the commit is
//! rebuilt, with jittered backoff, for a bounded time.

use super::meta::{self, Meta, MetaInput, Prev};
use super::{ref_name, store_err, validate_name, Result, Revision, Store, StoreError, META_FILE, TEXT_FILE};
use git2::{ErrorCode, Oid, Repository, Signature, Time};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// A new revision to store.
#[derive(Debug, Clone, Default)]
pub struct CommitRequest {
    /// The article name.
    pub name: String,
    /// The text, exactly as it will be stored.
    pub text: String,
    /// The title (default: the first non-empty line).
    pub title: Option<String>,
    /// The article's URL, if known.
    pub url: Option<String>,
    /// Seconds since the Unix epoch (see [`super::parse_date`]).
    pub observed_at: i64,
    /// A note kept with the revision (`-m`).
    pub message: Option<String>,
    /// The name was derived from `url`: a stored article of that name that
    /// holds a different URL is a collision, refused rather than merged.
    pub name_from_url: bool,
    /// Store it even if it is older than the latest revision.
    pub allow_out_of_order: bool,
    /// Store it even if the text is empty or only whitespace.
    pub allow_empty: bool,
    /// `observed_at` is the clock's "now", not a given date: a concurrent
    /// writer's revision a few seconds newer is not "out of order".
    pub observed_now: bool,
}

/// What [`Store::commit`] did.
#[derive(Debug, Clone)]
// One value per call: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum CommitOutcome {
    /// A new revision was stored.
    Stored(Revision),
    /// Byte-identical to the latest revision: nothing was stored.
    Unchanged {
        /// The latest revision's number.
        revision: u64,
        /// The latest revision's commit.
        id: Oid,
    },
}

/// What [`Store::build_revision`] wrote.
pub(crate) enum Built {
    /// The commit of the new revision (no ref points at it yet).
    New(Oid, Box<Meta>),
    /// Byte-identical to the latest revision: nothing was written.
    Unchanged { revision: u64, id: Oid },
}

/// How long writers keep retrying a contended ref before giving up.
const DEFAULT_LOCK_BUDGET: Duration = Duration::from_secs(10);
/// A lock file older than this is probably left by a killed process.
pub(crate) const STALE_LOCK: Duration = Duration::from_secs(60);
/// With an implicit "now", a latest revision at most this much newer is a
/// concurrent writer, not a history going back in time.
const NOW_SLACK_SECS: i64 = 5;

/// The retry budget; `REDLINE_LOCK_TIMEOUT_MS` shortens it (tests use this so
/// they need not wait ten seconds).
pub(crate) fn lock_budget() -> Duration {
    std::env::var("REDLINE_LOCK_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_LOCK_BUDGET)
}

/// Checks of a request that need no store: empty text, the time range, a
/// NUL in the note (git cannot keep it in a commit message).
pub(crate) fn check_request(req: &CommitRequest) -> Result<()> {
    super::date::check_range(req.observed_at)
        .map_err(|why| StoreError::TimeOutOfRange { name: req.name.clone(), why })?;
    if !req.allow_empty && is_blank(&req.text) {
        return Err(StoreError::EmptyText { name: req.name.clone() });
    }
    for (field, v) in [("message", &req.message), ("title", &req.title), ("url", &req.url)] {
        if let Some(offset) = v.as_deref().and_then(|v| memchr::memchr(0, v.as_bytes())) {
            return Err(StoreError::NulByte { name: req.name.clone(), field, offset });
        }
    }
    Ok(())
}

/// Empty, or only whitespace (a byte order mark counts as nothing).
pub(crate) fn is_blank(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || c == '\u{feff}')
}

impl Store {
    /// Store `req` as the next revision of its article (creating the store's
    /// ref on the first revision).
    pub fn commit(&self, req: &CommitRequest) -> Result<CommitOutcome> {
        self.commit_fetched(req, None)
    }

    /// [`Store::commit`] for the tracker: `fetch` goes into meta.json.
    pub fn commit_fetched(&self, req: &CommitRequest, fetch: Option<&super::FetchMeta>) -> Result<CommitOutcome> {
        validate_name(&req.name)?;
        check_request(req)?;
        self.check_writable()?;
        self.check_nesting(&req.name)?;
        let observer = self.observer()?;
        let mut backoff = Backoff::new(lock_budget());
        loop {
            let tip = self.tip_for_write(&req.name)?;
            let (id, m) = match self.build_revision(req, fetch, tip, &observer)? {
                Built::New(id, m) => (id, m),
                Built::Unchanged { revision, id } => return Ok(CommitOutcome::Unchanged { revision, id }),
            };
            match update_ref(&self.repo, &req.name, id, tip) {
                Ok(()) => return Ok(CommitOutcome::Stored(Revision { id, meta: *m })),
                Err(e) if is_contention(&e) => {
                    // A nested name created meanwhile is a refusal, not a wait.
                    self.check_nesting(&req.name)?;
                    if !backoff.wait() {
                        return Err(locked_error(&self.path, &req.name));
                    }
                }
                Err(e) => {
                    self.check_nesting(&req.name)?;
                    return Err(store_err(&self.path, &format!("cannot update the ref of {}", req.name), e));
                }
            }
        }
    }

    /// Write the objects of `req` as the revision after `tip` (None: the
    /// first one), without moving any ref: the caller moves it, at once
    /// ([`Store::commit_fetched`]) or after a batch is on disk
    /// ([`super::batch`]).
    pub(crate) fn build_revision(
        &self,
        req: &CommitRequest,
        fetch: Option<&super::FetchMeta>,
        tip: Option<Oid>,
        observer: &str,
    ) -> Result<Built> {
        let prev = match tip {
            Some(id) => Some(self.prev_state(&req.name, id)?),
            None => None,
        };
        if let Some((rev, text)) = &prev {
            if *text == req.text {
                return Ok(Built::Unchanged { revision: rev.meta.revision, id: rev.id });
            }
            check_latest(req, &self.last_seen(rev, observer)?)?;
        }
        let same_as = match tip {
            Some(t) => self.earlier_with_text(t, &req.text)?,
            None => None,
        };
        let sha = meta::sha256_hex(req.text.as_bytes());
        let mut m = meta::build(MetaInput {
            name: &req.name,
            text: &req.text,
            sha256: &sha,
            title: req.title.as_deref(),
            url: req.url.as_deref(),
            observed_at: req.observed_at,
            message: req.message.as_deref(),
            prev: prev.as_ref().map(|(r, t)| Prev { meta: &r.meta, text: t }),
            same_as,
            observer: Some(observer),
        });
        m.fetch = fetch.cloned();
        let id = write_revision(&self.repo, tip, &m, &req.text, req.observed_at)
            .map_err(|e| store_err(&self.path, "cannot write the revision", e))?;
        Ok(Built::New(id, Box::new(m)))
    }

    /// The latest revision and its text, after checking that its number
    /// agrees with its parent's (so a tampered number is refused, not
    /// continued): one extra meta.json read, never the whole chain.
    fn prev_state(&self, name: &str, tip: Oid) -> Result<(Revision, String)> {
        let rev = self.revision(tip)?;
        let n = rev.meta.revision;
        let parent = self.parent_of(tip)?;
        let expected = match parent {
            Some(p) => self.revision(p)?.meta.revision.checked_add(1),
            None => Some(1),
        };
        if expected != Some(n) || n == 0 {
            return Err(StoreError::Renumbered { path: self.path.clone(), name: name.to_string(), found: n, expected });
        }
        let text = self.text_string(&rev)?;
        Ok((rev, text))
    }

    /// The earliest revision in `tip`'s chain whose text is `text`.
    ///
    /// Why this is cheap: the object database is the index. A text no
    /// revision ever had has a blob id git does not know, so the common case
    /// is one hash and one lookup. Only when the blob exists (a real
    /// flip-flop, or the same text in another article) is the chain walked,
    /// reading commits and trees, and meta.json only at the match.
    fn earlier_with_text(&self, tip: Oid, text: &str) -> Result<Option<u64>> {
        let blob = Oid::hash_object(git2::ObjectType::Blob, text.as_bytes())
            .map_err(|e| store_err(&self.path, "cannot hash the text", e))?;
        let odb = self.repo.odb().map_err(|e| store_err(&self.path, "cannot open the object database", e))?;
        if !odb.exists(blob) {
            return Ok(None);
        }
        let mut cur = Some(tip);
        while let Some(id) = cur {
            let c =
                self.repo.find_commit(id).map_err(|e| store_err(&self.path, &format!("cannot read commit {id}"), e))?;
            let tree = c.tree().map_err(|e| store_err(&self.path, &format!("cannot read the tree of {id}"), e))?;
            if tree.get_name(TEXT_FILE).is_some_and(|e| e.id() == blob) {
                let m = self.revision(id)?.meta;
                return Ok(Some(m.same_as.unwrap_or(m.revision)));
            }
            cur = super::read::previous_revision(&c);
        }
        Ok(None)
    }
}

/// What the checks of a new revision need to know about the chain it
/// follows: the latest revision's number and URL, and the time of this
/// store's own latest sighting (see [`Store::last_seen`]).
#[derive(Debug, Clone)]
pub(crate) struct LastSeen {
    /// The latest revision's number.
    pub revision: u64,
    /// When this store's observer last saw the article (`i64::MIN`: never).
    pub observed_at: i64,
    /// The revision holding that sighting (for the refusal's message).
    pub observed_in: u64,
    /// The latest revision's URL.
    pub url: Option<String>,
}

impl Store {
    /// The facts [`check_latest`] compares a new observation by `observer`
    /// with, `tip` being the chain's latest revision.
    ///
    /// Why only this observer's own sightings order a new one: another
    /// store's sightings were timed by another clock. A peer whose clock
    /// runs a day fast would otherwise put a tip "in the future" that every
    /// honest observation here is older than, and `sync` would stop this
    /// store from recording what it sees. The check exists to catch a
    /// mistyped `--date` going back in this store's own history, which
    /// only this store's own sightings can show. Sightings with no observer
    /// (made before sync existed) count as this store's, as they always
    /// did. The walk back stops at the first revision with one of ours, so
    /// the usual case (the tip is ours) reads nothing more.
    pub(crate) fn last_seen(&self, tip: &Revision, observer: &str) -> Result<LastSeen> {
        let mut last = LastSeen {
            revision: tip.meta.revision,
            observed_at: i64::MIN,
            observed_in: tip.meta.revision,
            url: tip.meta.url.clone(),
        };
        let mut cur = (tip.id, std::borrow::Cow::Borrowed(&tip.meta));
        loop {
            if let Some(at) = own_latest(&cur.1, observer) {
                last.observed_at = at;
                last.observed_in = cur.1.revision;
                return Ok(last);
            }
            let c = self
                .repo
                .find_commit(cur.0)
                .map_err(|e| store_err(&self.path, &format!("cannot read commit {}", cur.0), e))?;
            match super::read::previous_revision(&c) {
                Some(p) => cur = (p, std::borrow::Cow::Owned(self.revision(p)?.meta)),
                None => return Ok(last),
            }
        }
    }
}

/// The latest time `observer` (or no recorded observer) saw the text of the
/// revision `m`, if any of its sightings are theirs. A meta.json whose
/// times do not parse counts as ours, at its `observed_at` if that parses:
/// the check stays as strict as it was before sync.
fn own_latest(m: &Meta, observer: &str) -> Option<i64> {
    let Ok(sightings) = super::merge::sightings_of(m) else {
        return Some(super::parse_time(&m.observed_at).unwrap_or(i64::MIN));
    };
    sightings.iter().filter(|s| s.observer.is_empty() || s.observer == observer).map(|s| s.at).max()
}

/// Refuse a derived-name collision (the name already holds another page)
/// and a revision observed before this store's latest sighting of the
/// article (its own history would go back in time), unless allowed.
pub(crate) fn check_latest(req: &CommitRequest, last: &LastSeen) -> Result<()> {
    if req.name_from_url {
        if let (Some(held), Some(new)) = (&last.url, &req.url) {
            let same = match (super::canonical_url(held), super::canonical_url(new)) {
                (Some(a), Some(b)) => a == b,
                _ => held == new,
            };
            if !same {
                return Err(StoreError::UrlNameTaken { name: req.name.clone(), url: new.clone(), held: held.clone() });
            }
        }
    }
    let behind = last.observed_at.saturating_sub(req.observed_at);
    if behind <= 0 || req.allow_out_of_order || (req.observed_now && behind <= NOW_SLACK_SECS) {
        return Ok(());
    }
    Err(StoreError::OutOfOrder {
        name: req.name.clone(),
        observed: super::format_time(req.observed_at),
        latest: last.observed_in,
        latest_observed: super::format_time(last.observed_at),
    })
}

/// Write the text, meta.json, tree and commit of one revision (no ref
/// update). Author and committer are `redline`, at the observed time.
pub(crate) fn write_revision(
    repo: &Repository,
    parent: Option<Oid>,
    m: &Meta,
    text: &str,
    observed_at: i64,
) -> Result<Oid, git2::Error> {
    let parents: Vec<Oid> = parent.into_iter().collect();
    write_revision_with(repo, &parents, m, text, observed_at)
}

/// [`write_revision`] with any parents: the first is the previous
/// revision; a sync merge adds the old tips after it.
pub(crate) fn write_revision_with(
    repo: &Repository,
    parents: &[Oid],
    m: &Meta,
    text: &str,
    observed_at: i64,
) -> Result<Oid, git2::Error> {
    let text_id = repo.blob(text.as_bytes())?;
    let meta_id = repo.blob(&meta::to_json(m))?;
    commit_files(repo, parents, &[(TEXT_FILE, text_id), (META_FILE, meta_id)], observed_at, &meta::commit_message(m))
}

/// [`write_revision`] from raw bytes ([`raw_tree`], [`raw_commit`]), the
/// way bulk import builds its objects: a test holds the ids equal to
/// libgit2's, so an import writes the commits `commit` would.
#[cfg(test)]
pub(crate) fn write_revision_raw(
    odb: &git2::Odb<'_>,
    parent: Option<Oid>,
    m: &Meta,
    text: &str,
    observed_at: i64,
) -> Result<Oid, git2::Error> {
    use git2::ObjectType;
    let text_id = odb.write(ObjectType::Blob, text.as_bytes())?;
    let meta_id = odb.write(ObjectType::Blob, &meta::to_json(m))?;
    let tree = odb.write(ObjectType::Tree, &raw_tree(&[(TEXT_FILE, text_id), (META_FILE, meta_id)]))?;
    let parents: Vec<Oid> = parent.into_iter().collect();
    odb.write(ObjectType::Commit, &raw_commit(tree, &parents, observed_at, &meta::commit_message(m)))
}

/// A tree object of plain files; `files` must be in git's order (by name).
pub(crate) fn raw_tree(files: &[(&str, Oid)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(files.len() * 40);
    for (name, id) in files {
        out.extend_from_slice(b"100644 ");
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.extend_from_slice(id.as_bytes());
    }
    out
}

/// A commit object by `redline` at `time` (UTC), as libgit2 formats one.
pub(crate) fn raw_commit(tree: Oid, parents: &[Oid], time: i64, msg: &str) -> Vec<u8> {
    use std::fmt::Write;
    let mut s = String::with_capacity(256 + msg.len());
    let _ = writeln!(s, "tree {tree}");
    for p in parents {
        let _ = writeln!(s, "parent {p}");
    }
    for who in ["author", "committer"] {
        let _ = writeln!(s, "{who} redline <redline@localhost> {time} +0000");
    }
    s.push('\n');
    s.push_str(msg);
    s.into_bytes()
}

/// Write a commit whose tree holds `files` (name and blob), on `parents`,
/// by `redline` at `time` (no ref update). The one builder behind
/// revisions, raw pages and the watch refs, so all are made alike.
pub(crate) fn commit_files(
    repo: &Repository,
    parents: &[Oid],
    files: &[(&str, Oid)],
    time: i64,
    msg: &str,
) -> Result<Oid, git2::Error> {
    let mut tb = repo.treebuilder(None)?;
    for (name, id) in files {
        tb.insert(name, *id, 0o100644)?;
    }
    let tree = repo.find_tree(tb.write()?)?;
    let sig = Signature::new("redline", "redline@localhost", &Time::new(time, 0))?;
    let parents = parents.iter().map(|p| repo.find_commit(*p)).collect::<Result<Vec<_>, _>>()?;
    let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(None, &sig, &sig, msg, &tree, &parent_refs)
}

/// Move `refs/articles/<name>` from `old` to `new`, failing (without
/// waiting) if it no longer points at `old`.
///
/// git's own lock-file protocol (the one libgit2 and git use, so writers of
/// all three exclude each other): take `<ref>.lock` exclusively, read the
/// current value under it, write the new one and rename the lock over the
/// ref. Why not libgit2's `reference_matching`: before every write it
/// parses all of `packed-refs` and compares the new name with every packed
/// ref (name conflicts, which `check_nesting` already settles), so one
/// commit into a store of 100,000 packed articles cost 50 ms more.
pub(crate) fn update_ref(repo: &Repository, name: &str, new: Oid, old: Option<Oid>) -> Result<(), git2::Error> {
    use git2::ErrorClass;
    use std::io::Write;
    let refname = ref_name(name);
    let path = repo.path().join(&refname);
    let io = |e: std::io::Error| git2::Error::from_str(&format!("cannot write {refname}: {e}"));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut lock_name = path.clone().into_os_string();
    lock_name.push(".lock");
    let lock = PathBuf::from(lock_name);
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(&lock) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let msg = format!("{refname} is locked by another writer");
            return Err(git2::Error::new(ErrorCode::Locked, ErrorClass::Reference, msg));
        }
        Err(e) => return Err(io(e)),
    };
    let moved = (|| {
        let current = match repo.find_reference(&refname) {
            Ok(r) => r.target(),
            Err(e) if e.code() == ErrorCode::NotFound => None,
            Err(e) => return Err(e),
        };
        if current != old {
            let code = if old.is_none() { ErrorCode::Exists } else { ErrorCode::Modified };
            return Err(git2::Error::new(
                code,
                ErrorClass::Reference,
                format!("{refname} was moved by another writer"),
            ));
        }
        file.write_all(format!("{new}\n").as_bytes()).map_err(io)?;
        drop(file);
        std::fs::rename(&lock, &path).map_err(io)
    })();
    if moved.is_err() {
        let _ = std::fs::remove_file(&lock);
    }
    moved
}

/// Another writer moved or holds the ref: worth retrying.
pub(crate) fn is_contention(e: &git2::Error) -> bool {
    matches!(e.code(), ErrorCode::Modified | ErrorCode::Locked | ErrorCode::Exists)
}

/// The error after the retry budget ran out, telling a live lock from one a
/// killed process left behind.
pub(crate) fn locked_error(store: &Path, name: &str) -> StoreError {
    let candidates = [store.join(format!("{}.lock", ref_name(name))), store.join("packed-refs.lock")];
    let stale: Option<(PathBuf, Duration)> = candidates.iter().find_map(|p| {
        let age = std::fs::metadata(p).ok()?.modified().ok()?.elapsed().ok()?;
        (age >= STALE_LOCK).then(|| (p.clone(), age))
    });
    match stale {
        Some((file, age)) => StoreError::StaleLock { name: name.to_string(), file, age_secs: age.as_secs() },
        None => StoreError::Locked { name: name.to_string(), file: candidates.iter().find(|p| p.exists()).cloned() },
    }
}

pub(crate) fn shell_quote(p: &Path) -> String {
    let s = p.display().to_string();
    if s.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b)) {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// Jittered exponential backoff within a total time budget.
pub(crate) struct Backoff {
    deadline: Instant,
    delay: Duration,
    seed: u64,
}

impl Backoff {
    pub(crate) fn new(budget: Duration) -> Backoff {
        let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let seed = (u64::from(nanos) << 20) ^ u64::from(std::process::id()) | 1;
        Backoff { deadline: Instant::now() + budget, delay: Duration::from_millis(2), seed }
    }

    /// Sleep before the next attempt; false when the budget is spent.
    pub(crate) fn wait(&mut self) -> bool {
        let now = Instant::now();
        if now >= self.deadline {
            return false;
        }
        // xorshift: enough randomness to keep racing writers apart.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let jitter = self.seed % (self.delay.as_micros() as u64 + 1);
        let sleep = (self.delay / 2 + Duration::from_micros(jitter)).min(self.deadline - now);
        std::thread::sleep(sleep);
        self.delay = (self.delay * 2).min(Duration::from_millis(250));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The raw builders must give libgit2's own bytes: same ids, so an
    /// import writes the commits `commit` would.
    #[test]
    fn raw_revisions_equal_libgit2s() {
        let repo = Repository::from_odb(git2::Odb::new().unwrap()).unwrap();
        let odb = repo.odb().unwrap();
        let _mem = odb.add_new_mempack_backend(1).unwrap();
        let mut m = meta::build(meta::MetaInput {
            name: "a",
            text: "One.\n",
            sha256: &meta::sha256_hex(b"One.\n"),
            title: None,
            url: None,
            observed_at: 1_600_000_000,
            message: Some("a note"),
            prev: None,
            same_as: None,
            observer: Some("obs"),
        });
        let first = write_revision(&repo, None, &m, "One.\n", 1_600_000_000).unwrap();
        assert_eq!(write_revision_raw(&odb, None, &m, "One.\n", 1_600_000_000).unwrap(), first);
        m.revision = 2;
        m.message = None;
        let second = write_revision(&repo, Some(first), &m, "Two.\n", 0).unwrap();
        assert_eq!(write_revision_raw(&odb, Some(first), &m, "Two.\n", 0).unwrap(), second);
        let third = write_revision(&repo, Some(second), &m, "Three.\n", 4_294_967_295).unwrap();
        assert_eq!(write_revision_raw(&odb, Some(second), &m, "Three.\n", 4_294_967_295).unwrap(), third);
    }
}
