//! Reading every revision of many articles fast, for the commands that look
//! across the whole archive (`grep`, `log --all`, `export --all`).
//!
//! [`Store::history`] parses every revision's `meta.json`; over 100,000
//! revisions that is most of the time. A scan instead reads the raw commit
//! and tree objects straight from the object database and parses only the
//! three lines and one entry it needs (parent, committer time, the text's
//! blob id), so a command can skip a revision whose text blob equals the
//! one before (nothing in it changed) and read metadata only for the few
//! revisions it reports. Articles are independent, so they are scanned on
//! several threads, each with its own repository handle (a `Repository` is
//! not `Sync`).

use super::{read::ArticleRefs, store_err, Result, Store, StoreError, TEXT_FILE};
use git2::{ObjectType, Oid};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// One revision as a scan sees it: no metadata, just where things are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// The revision's commit.
    pub commit: Oid,
    /// Its `article.txt` blob: equal ids mean byte-identical texts.
    pub text: Oid,
    /// The commit time in seconds since the epoch (always the revision's
    /// `observed_at`: `fsck` checks it).
    pub time: i64,
}

impl Store {
    /// From now on (for this whole process), trust each object's content
    /// address instead of re-hashing the object on every read, which
    /// libgit2 does by default and which is a third of a scan's time. For
    /// read-only commands that print what they find; `fsck` (its own
    /// process) still re-hashes everything. Also turns libgit2's object
    /// cache off: a scan reads each commit and tree once, so the cache
    /// only grows (up to its 256 MB default), and turning it off took
    /// `log --all` of 100,000 revisions from 496 to 339 MB peak and
    /// `grep --all-revisions` from 346 to 210 MB, output unchanged.
    pub fn trust_object_ids() {
        git2::opts::strict_hash_verification(false);
        git2::opts::enable_caching(false);
    }

    /// Every revision of the chain ending at `tip`, oldest first.
    pub fn links(&self, tip: Oid) -> Result<Vec<Link>> {
        let odb = self.repo.odb().map_err(|e| store_err(&self.path, "cannot open the object database", e))?;
        let mut out = Vec::new();
        let mut cur = Some(tip);
        while let Some(id) = cur {
            let obj = odb.read(id).map_err(|e| store_err(&self.path, &format!("cannot read commit {id}"), e))?;
            if obj.kind() != ObjectType::Commit {
                return Err(self.damaged(id, "it is not a commit"));
            }
            let c = parse_commit(obj.data()).ok_or_else(|| self.damaged(id, "its commit cannot be parsed"))?;
            let tree =
                odb.read(c.tree).map_err(|e| store_err(&self.path, &format!("cannot read the tree of {id}"), e))?;
            if tree.kind() != ObjectType::Tree {
                return Err(self.damaged(id, "its tree is not a tree"));
            }
            let text = tree_entry(tree.data(), TEXT_FILE)
                .ok_or_else(|| self.damaged(id, &format!("it has no {TEXT_FILE}")))?;
            out.push(Link { commit: id, text, time: c.time });
            cur = c.parent;
        }
        out.reverse();
        Ok(out)
    }

    /// Run `f` on the bytes of blob `id`, read straight from the object
    /// database (no copy, no object cache).
    pub fn with_blob<T>(&self, id: Oid, f: impl FnOnce(&[u8]) -> T) -> Result<T> {
        let odb = self.repo.odb().map_err(|e| store_err(&self.path, "cannot open the object database", e))?;
        let obj = odb.read(id).map_err(|e| store_err(&self.path, &format!("cannot read blob {id}"), e))?;
        if obj.kind() != ObjectType::Blob {
            return Err(self.damaged(id, "its text is not a blob"));
        }
        Ok(f(obj.data()))
    }

    /// Run `work` once per article (name and tip), on up to
    /// [`SCAN_THREADS`] threads, each with its own handle on the store, and
    /// return the results in the articles' order.
    pub fn per_article<T, F>(&self, articles: &[(String, Oid)], work: F) -> Result<Vec<T>>
    where
        T: Send,
        F: Fn(&Store, &str, Oid) -> T + Sync,
    {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(SCAN_THREADS);
        if threads < 2 || articles.len() < PARALLEL_SCAN {
            return Ok(articles.iter().map(|(n, t)| work(self, n, *t)).collect());
        }
        let next = AtomicUsize::new(0);
        let slots: Mutex<Vec<Option<T>>> = Mutex::new((0..articles.len()).map(|_| None).collect());
        // Articles are handed out in small batches so one long chain does
        // not leave the other threads idle.
        let run = |store: &Store| loop {
            let start = next.fetch_add(BATCH, Ordering::Relaxed);
            if start >= articles.len() {
                break;
            }
            let end = (start + BATCH).min(articles.len());
            let done: Vec<T> = articles[start..end].iter().map(|(n, t)| work(store, n, *t)).collect();
            let mut s = slots.lock().unwrap_or_else(|p| p.into_inner());
            for (slot, r) in s[start..end].iter_mut().zip(done) {
                *slot = Some(r);
            }
        };
        std::thread::scope(|scope| -> Result<()> {
            let mut handles = Vec::new();
            for _ in 1..threads {
                let store = Store::open(&self.path)?;
                let run = &run;
                handles.push(scope.spawn(move || run(&store)));
            }
            run(self);
            for h in handles {
                h.join().map_err(|_| StoreError::ReaderThread { path: self.path.clone() })?;
            }
            Ok(())
        })?;
        let slots = slots.into_inner().unwrap_or_else(|p| p.into_inner());
        slots.into_iter().map(|s| s.ok_or_else(|| StoreError::ReaderThread { path: self.path.clone() })).collect()
    }

    /// The articles named by `names` (each an article or a group prefix, as
    /// `list GROUP` takes), or all of them when `names` is empty; sorted,
    /// each once. A name that is neither is [`StoreError::UnknownArticle`].
    pub fn select_articles(&self, names: &[&str]) -> Result<ArticleRefs> {
        let (all, skipped) = self.article_refs()?;
        if names.is_empty() {
            return Ok((all, skipped));
        }
        for g in names {
            let under = format!("{}/", g.trim_end_matches('/'));
            let bad_here = skipped.iter().any(|s| s.name == *g || s.name.starts_with(&under));
            if !bad_here && !all.iter().any(|(n, _)| n == g || n.starts_with(&under)) {
                return Err(StoreError::UnknownArticle { name: g.to_string() });
            }
        }
        let wanted = |n: &str| names.iter().any(|g| n == *g || n.starts_with(&format!("{}/", g.trim_end_matches('/'))));
        let picked = all.into_iter().filter(|(n, _)| wanted(n)).collect();
        let skipped = skipped.into_iter().filter(|s| wanted(&s.name)).collect();
        Ok((picked, skipped))
    }
}

/// Most threads a scan uses (the work is object reads and matching, which
/// stop scaling well past a few cores on one repository).
pub const SCAN_THREADS: usize = 4;
/// Fewer articles than this are scanned on one thread (opening another
/// handle costs more than it saves).
const PARALLEL_SCAN: usize = 64;
/// Articles handed to a thread at a time.
const BATCH: usize = 32;

/// What a scan needs from a raw commit.
struct RawCommit {
    tree: Oid,
    parent: Option<Oid>,
    time: i64,
}

/// Parse the header of a raw commit object: `tree`, the first `parent`,
/// and the committer's time. None when it is not shaped like a commit.
/// A sync merge whose chain is one revision (several parents, message
/// `rev 1: …`) has no previous revision, as in `read::previous_revision`:
/// its parents are the old tips, not earlier revisions.
fn parse_commit(data: &[u8]) -> Option<RawCommit> {
    let mut tree = None;
    let mut parent = None;
    let mut parents = 0;
    let mut time = None;
    let mut rest = data;
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let line = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or(&[]);
        if line.is_empty() {
            break;
        }
        if let Some(hex) = line.strip_prefix(b"tree ") {
            tree = Some(oid_hex(hex)?);
        } else if let Some(hex) = line.strip_prefix(b"parent ") {
            parents += 1;
            if parent.is_none() {
                parent = Some(oid_hex(hex)?);
            }
        } else if let Some(who) = line.strip_prefix(b"committer ") {
            // `Name <email> 1599825600 +0000`: the second-last field.
            let mut fields = who.rsplit(|&b| b == b' ');
            let _zone = fields.next()?;
            time = std::str::from_utf8(fields.next()?).ok()?.parse().ok();
        }
    }
    if parents > 1 && rest.starts_with(b"rev 1:") {
        parent = None;
    }
    Some(RawCommit { tree: tree?, parent, time: time? })
}

fn oid_hex(hex: &[u8]) -> Option<Oid> {
    Oid::from_str(std::str::from_utf8(hex).ok()?).ok()
}

/// The id of entry `name` in a raw tree object: a sequence of
/// `<mode> <name>\0<20-byte id>`.
fn tree_entry(mut data: &[u8], name: &str) -> Option<Oid> {
    while !data.is_empty() {
        let nul = data.iter().position(|&b| b == 0)?;
        let space = data[..nul].iter().position(|&b| b == b' ')?;
        let id = data.get(nul + 1..nul + 21)?;
        if &data[space + 1..nul] == name.as_bytes() {
            return Oid::from_bytes(id).ok();
        }
        data = &data[nul + 21..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_headers_are_parsed() {
        let raw = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
parent 1111111111111111111111111111111111111111\n\
author redline <redline@localhost> 1599825600 +0000\n\
committer redline <redline@localhost> 1599825601 +0000\n\
\n\
rev 2: tree 0000000000000000000000000000000000000000\n";
        let c = parse_commit(raw).unwrap();
        assert_eq!(c.tree.to_string(), "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
        assert_eq!(c.parent.unwrap().to_string(), "1111111111111111111111111111111111111111");
        assert_eq!(c.time, 1599825601);
        assert!(parse_commit(b"tree nothex\n").is_none());
        assert!(parse_commit(b"parent 1111111111111111111111111111111111111111\n").is_none(), "no tree");
        // A one-revision sync merge: its parents are old tips, not history.
        let merge = b"tree 2222222222222222222222222222222222222222\n\
parent 1111111111111111111111111111111111111111\n\
parent 3333333333333333333333333333333333333333\n\
committer redline <redline@localhost> 1599825600 +0000\n\n\
rev 1: 837 words\n";
        assert!(parse_commit(merge).unwrap().parent.is_none());
        let later = String::from_utf8_lossy(merge).replace("rev 1:", "rev 2:");
        assert!(parse_commit(later.as_bytes()).unwrap().parent.is_some());
    }

    #[test]
    fn tree_entries_are_found_by_name() {
        let mut raw = Vec::new();
        for (name, byte) in [("article.txt", 1u8), ("meta.json", 2u8)] {
            raw.extend_from_slice(format!("100644 {name}\0").as_bytes());
            raw.extend_from_slice(&[byte; 20]);
        }
        assert_eq!(tree_entry(&raw, "meta.json").unwrap(), Oid::from_bytes(&[2; 20]).unwrap());
        assert_eq!(tree_entry(&raw, "article.txt").unwrap(), Oid::from_bytes(&[1; 20]).unwrap());
        assert!(tree_entry(&raw, "other").is_none());
        assert!(tree_entry(&raw[..30], "meta.json").is_none(), "a cut tree is not misread");
    }
}
