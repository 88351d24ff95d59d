//! Bulk import: many revisions in one process, fast.
//!
//! Why it is fast:
//! - new objects are appended, compressed, to a pack built in memory (see
//!   [`super::packfile`]), so a revision costs no file access at all, and
//!   each text and meta.json is stored as a delta against the same
//!   article's previous one (the best base there is, found without any
//!   search); the pack reaches the store once per batch;
//! - per article, the previous text and a content-hash → revision map are
//!   kept in memory, so no history is re-read per revision;
//! - records are handled in chunks: classified in order (hashing only), then
//!   prepared on other threads (the diff each revision's metadata needs, the
//!   text's counts, and its blob hashed, deltified and compressed) while the
//!   main thread writes the chunk before, in order;
//! - refs move once per article per batch, after the pack is on disk, each
//!   with a compare-and-swap against the value seen when the article was
//!   loaded.
//!
//! Semantics are `commit`'s: text identical to the article's latest revision
//! is skipped, text identical to an older one is stored with `same_as`. On top
//! of that, a record whose text *and* observed time equal a revision that was
//! stored before this import began is skipped as "already stored", so
//! importing the same folder or stream twice adds nothing the second time.
//!
//! If another writer moves an article's ref during the import, that article's
//! revisions from this batch are replayed through [`Store::commit`], which
//! rebuilds them on the new tip.

use super::list_cache::{self, ListCache};
use super::meta::{self, Change, Meta, MetaInput, Prev};
use super::packfile::{self, Deflater, Kind, PackWriter, Prepared};
use super::write::{
    check_latest, check_request, is_contention, raw_commit, raw_tree, update_ref, CommitOutcome, CommitRequest,
    LastSeen,
};
use super::{store_err, validate_name, Store, META_FILE, TEXT_FILE};
use crate::core::TextStats;
use crate::error::{Error, Result};
use git2::Oid;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

/// One revision to import: a commit request, and where it came from
/// (`file:line` or a file path), which every error about it names.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    /// Where the record came from (`file:line` or a path).
    pub at: String,
    /// The revision to store.
    pub req: CommitRequest,
}

/// Called after each record with the running totals.
pub trait ImportProgress {
    /// Show or record the running totals.
    fn update(&mut self, report: &ImportReport);
}

impl<F: FnMut(&ImportReport)> ImportProgress for F {
    fn update(&mut self, report: &ImportReport) {
        self(report)
    }
}

/// Totals of an import.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// Records read.
    pub records: usize,
    /// Distinct articles touched.
    pub articles: usize,
    /// Revisions stored.
    pub stored: usize,
    /// Skipped: identical to the article's latest revision.
    pub unchanged: usize,
    /// Skipped: same text and observed time as a stored revision.
    pub already_stored: usize,
    /// Revisions rebuilt because another writer moved the article meanwhile.
    pub replayed: usize,
}

/// Flush a batch when this many revisions or text bytes are pending, or
/// the pack being built reaches this size. The texts of a batch are kept
/// (for a replay if another writer moves an article meanwhile), so the byte
/// limits are what bound an import's memory.
const BATCH_REVISIONS: usize = 50_000;
const BATCH_BYTES: usize = 64 << 20;
const PACK_BYTES: usize = 64 << 20;
/// Above this many cached articles, forget them after a flush (they reload
/// from the store on their next record).
const MAX_CACHED_ARTICLES: usize = 20_000;
/// An import that moved at least this many refs packs them at the end.
const PACK_REFS_AFTER: usize = 1000;

struct Article {
    /// The ref's value when loaded or last flushed (the CAS expectation).
    base: Option<Oid>,
    /// The newest revision written by this import (or `base`).
    tip: Option<Oid>,
    prev: Option<(Meta, Arc<str>)>,
    /// The text of the last record classified (stored or about to be): the
    /// one the next record is diffed and deltified against.
    queued: Option<Arc<str>>,
    /// Ids of `prev`'s text and meta.json blobs, and the meta.json bytes:
    /// the delta bases of the next revision (used while they are in the
    /// pack being built).
    prev_blobs: Option<(Oid, Oid, Vec<u8>)>,
    /// Hash of the text this article's previous record had (stored or
    /// not): a record equal to it is "unchanged". It differs from `prev`'s
    /// hash only while re-importing revisions that are already stored.
    baseline: Option<String>,
    /// Content hash → earliest revision with that text.
    hashes: HashMap<String, u64>,
    /// (content hash, observed time) of the revisions stored before this
    /// import started: a record matching one is a re-import, not a flip-flop.
    /// (Revisions added by this run are not included: folder imports take
    /// times from file mtimes, which can coincide.)
    seen: HashSet<(String, String)>,
    /// Records stored since the last flush (text kept aside), with their
    /// commits, for replay if the ref moved under us.
    pending: Vec<(CommitRequest, Arc<str>, Oid)>,
    /// The latest revision, or the last record queued after it: what the
    /// order and URL checks of the next record compare against.
    last: Option<LastSeen>,
}

/// A record that will be stored, with what its diff needs.
struct Job {
    rec: CommitRequest,
    text: Arc<str>,
    sha: String,
    /// The text of the revision it follows (None for a first revision).
    prev_text: Option<Arc<str>>,
}

/// What the other threads work out for a job.
struct Ready {
    change: Option<Change>,
    stats: TextStats,
    blob: Prepared,
}

/// Records classified and prepared together, so the work can use every CPU.
const CHUNK: usize = 256;

struct Importer<'s> {
    store: &'s Store,
    /// The pack new objects go to until the next flush.
    pack: PackWriter,
    observer: String,
    articles: BTreeMap<String, Article>,
    pending_revisions: usize,
    pending_bytes: usize,
    touched: HashSet<String>,
    /// Revision count of each article when this import first touched it
    /// (kept even when the article's cached state is evicted).
    preexisting: HashMap<String, u64>,
    /// The `list` line of each tip this import moved a ref to.
    listed: Vec<(Oid, list_cache::Line)>,
    report: ImportReport,
}

impl Store {
    /// Import `records` in order. On an error, what was imported before it is
    /// kept (flushed and referenced) and the error is returned.
    pub fn import<I>(&self, records: I, progress: &mut dyn ImportProgress) -> Result<ImportReport>
    where
        I: IntoIterator<Item = Result<ImportRecord>>,
    {
        let mut imp = Importer {
            store: self,
            pack: PackWriter::new(),
            observer: self.observer()?,
            articles: BTreeMap::new(),
            pending_revisions: 0,
            pending_bytes: 0,
            touched: HashSet::new(),
            preexisting: HashMap::new(),
            listed: Vec::new(),
            report: ImportReport::default(),
        };
        let mut result = Ok(());
        let mut records = records.into_iter();
        // The chunk prepared last round, written while the next is prepared.
        let mut ready: Option<(Vec<Job>, Vec<Ready>)> = None;
        loop {
            let chunk = if result.is_ok() { next_chunk(&mut records, &mut result) } else { Vec::new() };
            let exhausted = chunk.is_empty();
            // Store what was classified even when a later record is bad.
            let (jobs, bad) = imp.classify(chunk);
            let prepared = match ready.take() {
                Some((prev_jobs, prev_ready)) => std::thread::scope(|s| {
                    let worker = s.spawn(|| prepare_all(&jobs));
                    imp.store_jobs(prev_jobs, prev_ready);
                    worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                }),
                None => prepare_all(&jobs),
            };
            if let Some(e) = bad {
                result = Err(e);
            }
            let done = exhausted || result.is_err();
            ready = Some((jobs, prepared));
            progress.update(&imp.report);
            if done || imp.flush_due() {
                // Flushes happen only with nothing prepared ahead, so every
                // prepared delta's base is in the pack it goes to, or known
                // not to be.
                if let Some((j, r)) = ready.take() {
                    imp.store_jobs(j, r);
                    progress.update(&imp.report);
                }
                imp.flush()?;
            }
            if done {
                break;
            }
        }
        imp.flush()?;
        imp.finish()?;
        result.map(|_| imp.report)
    }
}

/// Up to [`CHUNK`] records; a bad one ends the input (`result`).
fn next_chunk<I: Iterator<Item = Result<ImportRecord>>>(records: &mut I, result: &mut Result<()>) -> Vec<ImportRecord> {
    let mut chunk = Vec::with_capacity(CHUNK);
    for rec in records.by_ref() {
        match rec {
            Ok(r) => chunk.push(r),
            Err(e) => {
                *result = Err(e);
                break;
            }
        }
        if chunk.len() == CHUNK {
            break;
        }
    }
    chunk
}

impl Importer<'_> {
    /// The batch is big enough to write out.
    fn flush_due(&self) -> bool {
        self.pending_revisions >= BATCH_REVISIONS
            || self.pending_bytes >= BATCH_BYTES
            || self.pack.bytes() >= PACK_BYTES
    }

    /// Decide, in order, which records are stored and what each follows
    /// (cheap: hashing only). Stops at the first bad record.
    fn classify(&mut self, chunk: Vec<ImportRecord>) -> (Vec<Job>, Option<Error>) {
        let mut jobs = Vec::new();
        for record in chunk {
            let ImportRecord { at, req: mut rec } = record;
            if let Err(e) = self.ensure_loaded(&rec.name) {
                return (jobs, Some(e.at(&at)));
            }
            self.report.records += 1;
            let a = self.articles.get_mut(&rec.name).expect("loaded above");
            let sha = meta::sha256_hex(rec.text.as_bytes());
            if a.baseline.as_deref() == Some(sha.as_str()) {
                self.report.unchanged += 1;
                continue;
            }
            if a.seen.contains(&(sha.clone(), super::format_time(rec.observed_at))) {
                a.baseline = Some(sha);
                self.report.already_stored += 1;
                continue;
            }
            let checked = check_request(&rec).and_then(|_| match &a.last {
                Some(last) => check_latest(&rec, last),
                None => Ok(()),
            });
            if let Err(e) = checked {
                return (jobs, Some(Error::from(e).at(&at)));
            }
            a.baseline = Some(sha.clone());
            let revision = a.last.as_ref().map_or(1, |l| l.revision + 1);
            a.last =
                Some(LastSeen { revision, observed_at: rec.observed_at, observed_in: revision, url: rec.url.clone() });
            let text: Arc<str> = Arc::from(std::mem::take(&mut rec.text));
            let prev_text = a.queued.replace(text.clone());
            jobs.push(Job { rec, text, sha, prev_text });
        }
        (jobs, None)
    }

    fn ensure_loaded(&mut self, name: &str) -> Result<()> {
        validate_name(name)?;
        if !self.articles.contains_key(name) && !self.preexisting.contains_key(name) {
            self.store.check_nesting(name)?;
        }
        if self.touched.insert(name.to_string()) {
            self.report.articles = self.touched.len();
        }
        if !self.articles.contains_key(name) {
            let a = self.load(name)?;
            self.articles.insert(name.to_string(), a);
        }
        Ok(())
    }

    /// Write prepared jobs in order.
    fn store_jobs(&mut self, jobs: Vec<Job>, ready: Vec<Ready>) {
        for (job, r) in jobs.into_iter().zip(ready) {
            self.store_job(job, r);
        }
    }

    fn store_job(&mut self, job: Job, ready: Ready) {
        let Job { rec, text, sha, .. } = job;
        let a = self.articles.get_mut(&rec.name).expect("classified articles stay loaded");
        let m = meta::build_with(
            MetaInput {
                name: &rec.name,
                text: &text,
                sha256: &sha,
                title: rec.title.as_deref(),
                url: rec.url.as_deref(),
                observed_at: rec.observed_at,
                message: rec.message.as_deref(),
                prev: a.prev.as_ref().map(|(m, t)| Prev { meta: m, text: t }),
                same_as: a.hashes.get(&sha).copied(),
                observer: Some(&self.observer),
            },
            ready.change,
            ready.stats,
        );
        let json = meta::to_json(&m);
        let pack = &mut self.pack;
        let text_id = ready.blob.id;
        pack.add_prepared(ready.blob, text.as_bytes(), a.prev_blobs.as_ref().map(|(t, _, _)| *t));
        let meta_id = pack.add(Kind::Blob, &json, a.prev_blobs.as_ref().map(|(_, m, j)| (*m, j.as_slice())));
        let tree = pack.add(Kind::Tree, &raw_tree(&[(TEXT_FILE, text_id), (META_FILE, meta_id)]), None);
        let parents: Vec<Oid> = a.tip.into_iter().collect();
        let id = pack.add(Kind::Commit, &raw_commit(tree, &parents, rec.observed_at, &meta::commit_message(&m)), None);
        a.prev_blobs = Some((text_id, meta_id, json));
        a.hashes.entry(sha).or_insert(m.revision);
        a.tip = Some(id);
        self.pending_revisions += 1;
        self.pending_bytes += text.len();
        self.report.stored += 1;
        a.pending.push((rec, text.clone(), id));
        a.prev = Some((m, text));
    }

    /// An article's state from the store: its tip, latest text and hashes.
    fn load(&mut self, name: &str) -> Result<Article> {
        let base = self.store.tip_for_write(name)?;
        let mut a = Article {
            base,
            tip: base,
            prev: None,
            queued: None,
            prev_blobs: None,
            baseline: None,
            hashes: HashMap::new(),
            seen: HashSet::new(),
            pending: vec![],
            last: None,
        };
        let Some(tip) = base else {
            self.preexisting.entry(name.to_string()).or_insert(0);
            return Ok(a);
        };
        let latest = self.store.revision(tip)?;
        let before_run = *self.preexisting.entry(name.to_string()).or_insert(latest.meta.revision);
        for id in self.store.chain(tip)? {
            let m = self.store.revision(id)?.meta;
            a.hashes.insert(m.sha256.clone(), m.revision); // oldest last: wins
            if m.revision <= before_run {
                a.seen.insert((m.sha256, m.observed_at));
            }
        }
        let text = self.store.text_string(&latest)?;
        a.baseline = Some(latest.meta.sha256.clone());
        a.last = Some(self.store.last_seen(&latest, &self.store.observer()?)?);
        let text: Arc<str> = Arc::from(text);
        a.queued = Some(text.clone());
        a.prev = Some((latest.meta, text));
        Ok(a)
    }

    /// Write pending objects as one pack, then move each article's ref.
    fn flush(&mut self) -> Result<()> {
        if self.pending_revisions == 0 {
            return Ok(());
        }
        let pack = std::mem::take(&mut self.pack);
        pack.finish(&self.store.path).map_err(|e| {
            Error::from(store_err(&self.store.path, "cannot write the pack", git2::Error::from_str(&e.to_string())))
        })?;
        self.move_refs()?;
        self.pending_revisions = 0;
        self.pending_bytes = 0;
        if self.articles.len() > MAX_CACHED_ARTICLES {
            self.articles.clear();
        }
        Ok(())
    }

    fn move_refs(&mut self) -> Result<()> {
        let mut conflicted = Vec::new();
        for (name, a) in self.articles.iter_mut() {
            let Some(tip) = a.tip.filter(|_| !a.pending.is_empty()) else { continue };
            match update_ref(&self.store.repo, name, tip, a.base) {
                Ok(()) => {
                    a.base = Some(tip);
                    a.pending.clear();
                    if let Some((m, _)) = &a.prev {
                        self.listed.push((tip, list_cache::Line::of_meta(m)));
                    }
                }
                Err(e) if is_contention(&e) => conflicted.push(name.clone()),
                Err(e) => {
                    return Err(store_err(&self.store.path, &format!("cannot update the ref of {name}"), e).into())
                }
            }
        }
        for name in conflicted {
            let a = self.articles.remove(&name).expect("present");
            self.replay(a)?;
        }
        Ok(())
    }

    /// After a large import: pack the refs (one `packed-refs` file instead
    /// of a loose file per article, so `list` and lookups stay fast), and
    /// give `list` the lines of the tips written. Neither changes what is
    /// stored; a failure to write the list cache is not an error.
    fn finish(&mut self) -> Result<()> {
        if self.listed.len() >= PACK_REFS_AFTER {
            // Loose refs are as valid as packed ones: a failure (another
            // process holds packed-refs.lock) only leaves them loose.
            let _ = super::pack_refs::pack_refs(&self.store.path);
        }
        let listed = std::mem::take(&mut self.listed);
        let known = self.store.path.join(list_cache::LIST_CACHE_FILE).exists();
        if !listed.is_empty() && (known || self.store.article_refs()?.0.len() >= list_cache::min_articles()) {
            let _ = ListCache::add(&self.store.path, listed);
        }
        Ok(())
    }

    /// Another writer moved the ref: store this batch's records through the
    /// ordinary commit path, which rebuilds them on the new tip.
    fn replay(&mut self, a: Article) -> Result<()> {
        for (mut rec, text, _) in a.pending {
            rec.text = text.to_string();
            self.report.stored -= 1;
            match self.store.commit(&rec)? {
                CommitOutcome::Stored(_) => {
                    self.report.stored += 1;
                    self.report.replayed += 1;
                }
                CommitOutcome::Unchanged { .. } => self.report.unchanged += 1,
            }
        }
        Ok(())
    }
}

/// Everything about each job that does not depend on the jobs before it
/// (its diff against the text it follows, its counts, its text blob), on
/// every CPU.
fn prepare_all(jobs: &[Job]) -> Vec<Ready> {
    let part = |part: &[Job]| {
        let (mut z, mut scratch) = (Deflater::default(), Vec::new());
        let one = |j: &Job| Ready {
            change: j.prev_text.as_ref().map(|p| Change::between(p, &j.text)),
            stats: crate::core::text_stats(&j.text),
            blob: packfile::prepare_blob(
                j.text.as_bytes(),
                j.prev_text.as_deref().map(str::as_bytes),
                &mut z,
                &mut scratch,
            ),
        };
        part.iter().map(one).collect::<Vec<_>>()
    };
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    if threads <= 1 || jobs.len() < 2 {
        return part(jobs);
    }
    let per = jobs.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = jobs.chunks(per).map(|p| s.spawn(move || part(p))).collect();
        let mut out = Vec::with_capacity(jobs.len());
        for h in handles {
            match h.join() {
                Ok(v) => out.extend(v),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}
