//! Batched writes for `watch run`: many checks, few files.
//!
//! Why: written one at a time, every check of a new page costs nine loose
//! objects (text, meta.json, tree and commit; body, headers, fetch.json, tree
//! and commit on the raw ref), about a hundred file-system calls, and on a
//! busy machine a 1,000-page pass spent 90 % of its time in them
//! (bench/RESULTS.md). A batch writes the objects of many checks into memory
//! (libgit2's mempack, as `import` does); [`Batch::flush`] writes them to
//! disk as one pack, flushed with fsync, and only then moves the refs:
//! article ref first, raw ref second, each by compare-and-swap.
//!
//! Crash safety: libgit2 writes a pack under a temporary name and renames it
//! when complete, so a kill during the write leaves no pack; a kill after it
//! leaves objects nothing refers to yet (harmless, as with `commit`); a ref
//! never points at an object that is not on disk. The caller reports a check
//! (prints its line) only after the flush that made it durable, so a kill
//! loses only checks that were never reported.
//!
//! A flush of only a few checks (a slow, polite pass) writes loose objects
//! instead, so a long-running `watch run` does not pile up tiny packs.
//!
//! If another process moved an article's ref meanwhile, that revision is
//! rebuilt on the new tip through the ordinary [`Store::commit_fetched`].

use super::packing::{self, PackPlan};
use super::raw::PendingRaw;
use super::write::{check_request, is_contention, update_ref, Built, CommitOutcome, CommitRequest};
use super::Result;
use super::{store_err, validate_name, FetchMeta, RawPage, Revision, Store, StoreError};
use git2::{Mempack, Oid};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Below this many objects a flush writes loose objects, not a pack.
const PACK_FROM: usize = 100;

/// What happened to a staged check once its flush was done.
#[derive(Debug, Clone)]
// One value per check: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Acked {
    /// The revision is on disk and its article's ref points at it.
    Stored(Revision),
    /// The text equals the article's latest revision (found when staging,
    /// or when rebuilding on a tip another process moved).
    Unchanged,
    /// Only the raw page was to be kept, and it is.
    RawKept,
    /// The article's ref could not be moved: nothing of this check is
    /// referenced.
    Failed(String),
}

/// What [`Batch::stage_revision`] found, before the flush.
#[derive(Debug, Clone)]
// One value per check: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Staged {
    /// A new revision (its number and summary, as it will be stored unless
    /// another process writes the article first).
    Revision(Revision),
    /// The text equals the latest revision; only the raw page is staged.
    Unchanged,
}

struct Item<T> {
    tag: T,
    name: String,
    revision: Option<StagedRevision>,
    raw: Option<PendingRaw>,
    unchanged: bool,
}

struct StagedRevision {
    id: Oid,
    meta: Box<super::Meta>,
    /// The tip it was built on: the compare-and-swap expectation.
    expected: Option<Oid>,
    req: CommitRequest,
    fetch: FetchMeta,
}

/// Writes of many checks, staged in memory until [`Batch::flush`].
pub struct Batch<'a, T> {
    /// The caller's handle: loose writes and rebuilt revisions go through it.
    plain: &'a Store,
    /// A second handle whose object database writes into `mempack`.
    mem: &'a Store,
    mempack: &'a Mempack<'a>,
    items: Vec<Item<T>>,
    /// Tips staged but not yet on their refs, so a name staged twice in one
    /// batch builds on its own staged revision.
    article_tips: HashMap<String, Oid>,
    raw_tips: HashMap<String, Oid>,
    since: Option<Instant>,
}

impl Store {
    /// Run `f` with a batch of staged writes; whatever `f` leaves staged is
    /// flushed afterwards (even when `f` fails), so nothing fetched is lost.
    pub fn batched<T, R, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut Batch<'_, T>) -> std::result::Result<R, E>,
    ) -> std::result::Result<R, E> {
        self.check_writable()?;
        let observer = self.observer()?;
        let mem = Store {
            repo: self.reopen()?,
            path: self.path.clone(),
            observer: observer.clone().into(),
            packed: Default::default(),
        };
        let odb = mem.repo.odb().map_err(|e| store_err(&self.path, "cannot open the object database", e))?;
        let mempack =
            odb.add_new_mempack_backend(1000).map_err(|e| store_err(&self.path, "cannot set up the write batch", e))?;
        let mut batch = Batch {
            plain: self,
            mem: &mem,
            mempack: &mempack,
            items: Vec::new(),
            article_tips: HashMap::new(),
            raw_tips: HashMap::new(),
            since: None,
        };
        let result = f(&mut batch);
        let rest = batch.flush();
        let r = result?;
        rest?;
        Ok(r)
    }
}

impl<T> Batch<'_, T> {
    /// Checks staged and not yet flushed.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How long the oldest staged check has waited.
    pub fn age(&self) -> Duration {
        self.since.map(|t| t.elapsed()).unwrap_or_default()
    }

    /// Stage a raw page alone (the text was refused or did not change).
    pub fn stage_raw(&mut self, tag: T, name: &str, page: &RawPage, observed_at: i64) -> Result<()> {
        validate_name(name)?;
        let raw = self.raw(name, page, observed_at)?;
        self.push(Item { tag, name: name.to_string(), revision: None, raw, unchanged: false });
        Ok(())
    }

    /// Stage a new revision of `req.name` and the raw page it came from
    /// (`fetch.raw` is set to the staged raw commit). Refusals (a bad
    /// name, a nested name, a history going back in time) are errors here,
    /// and nothing is staged.
    pub fn stage_revision(
        &mut self,
        tag: T,
        req: &CommitRequest,
        mut fetch: FetchMeta,
        page: &RawPage,
    ) -> Result<Staged> {
        validate_name(&req.name)?;
        check_request(req)?;
        self.mem.check_nesting(&req.name)?;
        let tip = match self.article_tips.get(&req.name) {
            Some(t) => Some(*t),
            None => self.mem.tip_for_write(&req.name)?,
        };
        let raw = self.raw(&req.name, page, req.observed_at)?;
        fetch.raw = raw.map(|p| p.id.to_string());
        let observer = self.mem.observer()?;
        let built = self.mem.build_revision(req, Some(&fetch), tip, &observer)?;
        let (revision, staged) = match built {
            Built::New(id, meta) => {
                let rev = Revision { id, meta: (*meta).clone() };
                let s = StagedRevision { id, meta, expected: tip, req: req.clone(), fetch };
                (Some(s), Staged::Revision(rev))
            }
            Built::Unchanged { .. } => (None, Staged::Unchanged),
        };
        let unchanged = revision.is_none();
        self.push(Item { tag, name: req.name.clone(), revision, raw, unchanged });
        Ok(staged)
    }

    fn raw(&mut self, name: &str, page: &RawPage, observed_at: i64) -> Result<Option<PendingRaw>> {
        let tip = match self.raw_tips.get(name) {
            Some(t) => Some(*t),
            None => self.mem.raw_tip(name)?,
        };
        self.mem.prepare_raw_after(name, page, observed_at, tip)
    }

    /// Stage `item`; only now do its commits become the tips later checks
    /// of the same name build on (a refused check leaves nothing behind
    /// that a later one could name as its parent).
    fn push(&mut self, item: Item<T>) {
        if let Some(r) = &item.revision {
            self.article_tips.insert(item.name.clone(), r.id);
        }
        if let Some(p) = &item.raw {
            self.raw_tips.insert(item.name.clone(), p.id);
        }
        self.since.get_or_insert_with(Instant::now);
        self.items.push(item);
    }

    /// Put every staged object on disk (one fsynced pack, or loose objects
    /// for a few), then move the refs; returns each check's fate in the
    /// order staged.
    pub fn flush(&mut self) -> Result<Vec<(T, Acked)>> {
        if self.items.is_empty() {
            return Ok(Vec::new());
        }
        let path = &self.plain.path;
        let plan = self.plan().map_err(|e| store_err(path, "cannot list the staged objects", e))?;
        if plan.len() >= PACK_FROM {
            packing::write_pack(&self.mem.repo, &plan, packing::Effort::Fastest)
                .map_err(|e| store_err(path, "cannot write the pack", e))?;
        } else {
            self.write_loose(&plan).map_err(|e| store_err(path, "cannot write the staged objects", e))?;
        }
        self.mempack.reset().map_err(|e| store_err(path, "cannot reset the write batch", e))?;
        self.article_tips.clear();
        self.raw_tips.clear();
        self.since = None;
        let items = std::mem::take(&mut self.items);
        Ok(items.into_iter().map(|it| self.publish(it)).collect())
    }

    /// Every object the staged checks wrote: per article revision its
    /// commit, tree and blobs; per raw page the same.
    fn plan(&self) -> Result<PackPlan, git2::Error> {
        let repo = &self.mem.repo;
        let mut plan = PackPlan::default();
        for (seq, it) in self.items.iter().enumerate() {
            if let Some(r) = &it.revision {
                plan.add_revision(repo, r.id, seq as u64)?;
            }
            if let Some(raw) = &it.raw {
                let tree = repo.find_commit(raw.id)?.tree_id();
                plan.add(raw.id, None);
                plan.add_tree_or_object(repo, tree, None)?;
            }
        }
        Ok(plan)
    }

    /// Copy the planned objects from memory into loose files.
    fn write_loose(&self, plan: &PackPlan) -> Result<(), git2::Error> {
        let from = self.mem.repo.odb()?;
        let to = self.plain.repo.odb()?;
        for (id, _) in &plan.objects {
            if to.exists(*id) {
                continue;
            }
            let obj = from.read(*id)?;
            to.write(obj.kind(), obj.data())?;
        }
        Ok(())
    }

    /// Move one check's refs (its objects are on disk).
    fn publish(&self, it: Item<T>) -> (T, Acked) {
        let acked = match it.revision {
            Some(r) => self.move_article(&it.name, r),
            None if it.unchanged => Acked::Unchanged,
            None => Acked::RawKept,
        };
        if matches!(acked, Acked::Failed(_)) {
            return (it.tag, acked);
        }
        if let Some(raw) = it.raw {
            if let Err(e) = self.plain.publish_raw(&it.name, raw) {
                return (it.tag, Acked::Failed(e.to_string()));
            }
        }
        (it.tag, acked)
    }

    fn move_article(&self, name: &str, r: StagedRevision) -> Acked {
        match update_ref(&self.plain.repo, name, r.id, r.expected) {
            Ok(()) => Acked::Stored(Revision { id: r.id, meta: *r.meta }),
            Err(e) if is_contention(&e) => match self.plain.commit_fetched(&r.req, Some(&r.fetch)) {
                Ok(CommitOutcome::Stored(rev)) => Acked::Stored(rev),
                Ok(CommitOutcome::Unchanged { .. }) => Acked::Unchanged,
                Err(e) => Acked::Failed(e.to_string()),
            },
            Err(e) => {
                Acked::Failed(store_err(&self.plain.path, &format!("cannot update the ref of {name}"), e).to_string())
            }
        }
    }
}
