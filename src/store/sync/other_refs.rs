//! Integrating the refs that travel besides articles: raw pages
//! (`refs/raw/<name>`) and the watch list (`refs/redline/watch`).
//!
//! Raw pages are evidence, not observations: two diverged raw chains are
//! joined by a merge commit that keeps the newer page on top and both
//! chains reachable. Watch lists are joined entry by entry (keyed by URL);
//! two entries for one URL that differ in name, kind or feed are a
//! conflict, reported and not merged. Both merges are deterministic (no
//! clock is read), so two machines produce the same commit.

use super::remote::{tracking_prefix, RemoteInfo};
use super::{Conflict, PullReport, REF_ATTEMPTS};
use crate::store::raw::RAW_BODY;
use crate::store::watch::{WatchEntry, WatchList, WATCH_FILE, WATCH_REF};
use crate::store::write::is_contention;
use crate::store::{store_err, Result, Store, RAW_PREFIX};
use git2::{Oid, Signature, Time};
use std::collections::BTreeMap;

/// What to do with one local ref given the remote's tip.
enum Step {
    Done,
    Move(Oid),
}

impl Store {
    pub(super) fn integrate_other_refs(&self, remote: &RemoteInfo, report: &mut PullReport) -> Result<()> {
        let t = tracking_prefix(&remote.name);
        for (name, theirs) in self.refs_under(&format!("{t}raw/"))? {
            let local = format!("{RAW_PREFIX}{name}");
            if crate::store::validate_name(&name).is_err() {
                continue;
            }
            if let Some(msg) = self.raw_problem(theirs) {
                report.conflicts.push(other_conflict(&local, msg));
                continue;
            }
            self.integrate_ref(&local, theirs, report, |s, ours| s.merge_raw(ours, theirs))?;
        }
        if let Ok(r) = self.repo.find_reference(&format!("{t}watch")) {
            if let Some(theirs) = r.target() {
                match self.read_watch(theirs) {
                    Ok(_) => self.integrate_ref(WATCH_REF, theirs, report, |s, ours| s.merge_watch(ours, theirs))?,
                    Err(why) => report.conflicts.push(other_conflict(
                        WATCH_REF,
                        format!("the remote's watch list {why}; this store's was left as it was and not pushed"),
                    )),
                }
            }
        }
        Ok(())
    }

    /// Why the remote's raw-page tip `id` cannot be taken: every commit it
    /// brings must be a commit holding a `body` (a blob or a tree from a
    /// hand-edited remote would break every later sync).
    fn raw_problem(&self, id: Oid) -> Option<String> {
        let c = match self.repo.find_commit(id) {
            Ok(c) => c,
            Err(_) => return Some(format!("the remote's ref points at {id}, which is not a commit; it was not taken")),
        };
        let body = c.tree().ok().and_then(|t| t.get_name(RAW_BODY).map(|e| e.kind()));
        (body != Some(Some(git2::ObjectType::Blob)))
            .then(|| format!("the remote's raw page {id} has no {RAW_BODY}; it was not taken"))
    }

    /// The watch list in commit `id`, or why it cannot be read.
    fn read_watch(&self, id: Oid) -> std::result::Result<WatchList, String> {
        let c = self.repo.find_commit(id).map_err(|_| format!("ref points at {id}, which is not a commit"))?;
        let tree = c.tree().map_err(|e| format!("commit {id} has no readable tree: {}", e.message()))?;
        let Some(entry) = tree.get_name(WATCH_FILE) else { return Ok(WatchList::default()) };
        let blob = self.repo.find_blob(entry.id()).map_err(|_| format!("commit {id} has no readable {WATCH_FILE}"))?;
        serde_json::from_slice(blob.content()).map_err(|e| format!("commit {id} has an unreadable {WATCH_FILE}: {e}"))
    }

    /// Create, fast-forward or merge (with `merge`) one ref, by
    /// compare-and-swap. `merge` returns None for a conflict it reported.
    fn integrate_ref(
        &self,
        local: &str,
        theirs: Oid,
        report: &mut PullReport,
        merge: impl Fn(&Store, Oid) -> Result<std::result::Result<Oid, String>>,
    ) -> Result<()> {
        for _ in 0..REF_ATTEMPTS {
            let ours = self.repo.find_reference(local).ok().and_then(|r| r.target());
            if let Some(o) = ours.filter(|o| self.repo.find_commit(*o).is_err()) {
                let msg = format!("this store's ref points at {o}, which is not a commit; it was left as it was (run `redline fsck`, or delete the ref with `git update-ref -d {local}`)");
                report.conflicts.push(other_conflict(local, msg));
                return Ok(());
            }
            let step = match ours {
                None => Step::Move(theirs),
                Some(o) if o == theirs || self.descends(o, theirs)? => Step::Done,
                Some(o) if self.descends(theirs, o)? => Step::Move(theirs),
                Some(o) => match merge(self, o)? {
                    Ok(m) => Step::Move(m),
                    Err(msg) => {
                        report.conflicts.push(other_conflict(local, msg));
                        return Ok(());
                    }
                },
            };
            let Step::Move(new) = step else { return Ok(()) };
            let moved = match ours {
                Some(o) => self.repo.reference_matching(local, new, true, o, "redline pull"),
                None => self.repo.reference(local, new, false, "redline pull"),
            };
            match moved {
                Ok(_) => {
                    report.other_refs += 1;
                    return Ok(());
                }
                Err(e) if is_contention(&e) => std::thread::sleep(std::time::Duration::from_millis(5)),
                Err(e) => return Err(store_err(&self.path, &format!("cannot update {local}"), e)),
            }
        }
        Ok(())
    }

    /// The newer raw page on top (commit time, then smaller id), both
    /// chains kept as parents.
    fn merge_raw(&self, a: Oid, b: Oid) -> Result<std::result::Result<Oid, String>> {
        let err = |e| store_err(&self.path, "cannot merge raw pages", e);
        let (ca, cb) = (self.repo.find_commit(a).map_err(err)?, self.repo.find_commit(b).map_err(err)?);
        let key = |c: &git2::Commit<'_>| (std::cmp::Reverse(c.time().seconds()), c.id());
        let (top, other) = if key(&ca) <= key(&cb) { (ca, cb) } else { (cb, ca) };
        let tree = top.tree().map_err(err)?;
        let sig = Signature::new("redline", "redline@localhost", &Time::new(top.time().seconds(), 0)).map_err(err)?;
        let msg = format!("raw: merged {} and {} (sync)\n", top.id(), other.id());
        let id = self.repo.commit(None, &sig, &sig, &msg, &tree, &[&top, &other]).map_err(err)?;
        Ok(Ok(id))
    }

    /// The union of two watch lists, or a conflict naming the URLs whose
    /// entries differ.
    fn merge_watch(&self, a: Oid, b: Oid) -> Result<std::result::Result<Oid, String>> {
        let err = |e| store_err(&self.path, "cannot merge the watch lists", e);
        // An unreadable list would be merged as empty, dropping entries.
        let (la, lb) = match (self.read_watch(a), self.read_watch(b)) {
            (Ok(la), Ok(lb)) => (la, lb),
            (Err(why), _) | (_, Err(why)) => {
                return Ok(Err(format!("a watch list {why}; the watch lists were left apart (run `redline fsck`)")))
            }
        };
        let mut by_url: BTreeMap<String, WatchEntry> = BTreeMap::new();
        let mut clashes = Vec::new();
        for e in la.entries.into_iter().chain(lb.entries) {
            match by_url.get_mut(&e.url) {
                None => {
                    by_url.insert(e.url.clone(), e);
                }
                Some(have) if (&have.name, have.kind, &have.feed) == (&e.name, e.kind, &e.feed) => {
                    if e.added_at < have.added_at {
                        have.added_at = e.added_at;
                    }
                }
                Some(have) => clashes.push(format!("{} (here {:?}, there {:?})", e.url, have.name, e.name)),
            }
        }
        if !clashes.is_empty() {
            return Ok(Err(format!(
                "entries for the same URL differ: {}; the watch lists were left apart (remove one entry, then sync)",
                clashes.join(", ")
            )));
        }
        let mut entries: Vec<WatchEntry> = by_url.into_values().collect();
        entries.sort_by(|x, y| (&x.added_at, &x.url).cmp(&(&y.added_at, &y.url)));
        let list = WatchList { entries, ..WatchList::default() };
        let mut bytes = serde_json::to_vec_pretty(&list).unwrap_or_default();
        bytes.push(b'\n');
        let (ca, cb) = (self.repo.find_commit(a).map_err(err)?, self.repo.find_commit(b).map_err(err)?);
        let mut parents = [ca, cb];
        parents.sort_by_key(|c| c.id());
        let time = parents.iter().map(|c| c.time().seconds()).max().unwrap_or(0);
        let mut tb = self.repo.treebuilder(None).map_err(err)?;
        tb.insert(WATCH_FILE, self.repo.blob(&bytes).map_err(err)?, 0o100644).map_err(err)?;
        let tree = self.repo.find_tree(tb.write().map_err(err)?).map_err(err)?;
        let sig = Signature::new("redline", "redline@localhost", &Time::new(time, 0)).map_err(err)?;
        let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let id = self.repo.commit(None, &sig, &sig, "watch list: merged (sync)\n", &tree, &refs).map_err(err)?;
        Ok(Ok(id))
    }
}

/// A conflict about a raw-page ref or the watch list, kept out of the push.
fn other_conflict(local: &str, msg: String) -> Conflict {
    let what = if local == WATCH_REF { "watch list".to_string() } else { local.to_string() };
    Conflict { what, msg, local_ref: local.to_string() }
}
