//! Sharing a store through ordinary git remotes: `remote`, `pull`, `push`
//! and `sync`.
//!
//! Transport is the system `git` (`transport.rs`); what arrives lands in
//! `refs/remotes/NAME/…` and is then integrated here, ref by ref: a new
//! article is taken as it is, a side that is behind is fast-forwarded, and
//! two diverged chains of one article are merged (`store/merge.rs`) so that
//! no observation is lost and the push that follows is a fast-forward.
//! Nothing is ever force-pushed, and every ref moves by compare-and-swap,
//! so a `commit` running meanwhile is never overwritten.
//!
//! Conflicts that are not about observations (one article name bound to
//! two different URLs, a name nested in another, differing watch-list
//! entries) are reported by name and left exactly as they were.

mod other_refs;
mod remote;
mod transport;
mod validate;

pub use remote::{validate_remote_name, RemoteInfo};
pub use transport::{PushFlag, PushedRef};

use super::write::{is_contention, update_ref};
use super::{canonical_url, store_err, validate_name, Result, Store, REF_PREFIX};
use git2::Oid;
use serde::Serialize;

/// A conflict left for the user: which article (or the watch list), and why.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    /// The article name, or `watch list`.
    pub what: String,
    /// Why it was left alone, and what to do.
    pub msg: String,
    /// The local ref that was left as it was (kept out of the push).
    #[serde(skip)]
    pub local_ref: String,
}

/// One article merged by `pull`.
#[derive(Debug, Clone, Serialize)]
pub struct Merged {
    /// The article.
    pub article: String,
    /// This store's tip before the merge (now an extra parent).
    pub old_tip: String,
    /// The merged tip.
    pub new_tip: String,
    /// Revisions in the merged chain.
    pub revisions: u64,
}

/// What `pull` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PullReport {
    /// Articles that were only on the remote.
    pub new: Vec<String>,
    /// Articles that were behind the remote and now match it.
    pub fast_forwarded: Vec<String>,
    /// Articles whose diverged histories were merged.
    pub merged: Vec<Merged>,
    /// Articles already equal on both sides.
    pub up_to_date: usize,
    /// Articles with revisions only this store has (the push sends them).
    pub local_ahead: usize,
    /// Raw-page and watch-list refs taken or merged.
    pub other_refs: usize,
    /// What was left for the user.
    pub conflicts: Vec<Conflict>,
}

/// What `push` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PushReport {
    /// Refs created or fast-forwarded on the remote.
    pub updated: Vec<String>,
    /// Refs the remote already had.
    pub up_to_date: usize,
    /// Refs the remote has newer revisions of (pull or sync first).
    pub behind: Vec<String>,
    /// Refs the remote refused, with git's reason.
    pub refused: Vec<(String, String)>,
    /// Those of `refused` whose reason may be a lock held by another push
    /// at that moment (`sync` retries them); git gives the same reason for
    /// a ref blocked by a remote ref named like a folder of it.
    #[serde(skip)]
    pub(crate) raced: Vec<String>,
}

/// What `sync` did: every pull (one per attempt) and the last push.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// Pull-and-push rounds made.
    pub attempts: usize,
    /// The pulls, added up (conflicts: the last one's).
    pub pull: PullReport,
    /// The last push.
    pub push: PushReport,
}

/// Attempts `sync` makes when the remote keeps moving under it.
const SYNC_ATTEMPTS: usize = 5;
/// CAS retries for one ref moved by a concurrent local writer.
const REF_ATTEMPTS: usize = 20;

impl Store {
    /// Fetch from `remote` and integrate what came (see the module docs).
    pub fn pull(&self, remote: &RemoteInfo, progress: bool) -> Result<PullReport> {
        self.check_writable()?;
        transport::fetch(&self.path, remote, progress)?;
        self.integrate(remote)
    }

    /// Push every article, raw page and the watch list to `remote`,
    /// never forced; `skip` lists local refs to keep back (conflicts).
    pub fn push_to(&self, remote: &RemoteInfo, skip: &[String], progress: bool) -> Result<PushReport> {
        let mut specs = Vec::new();
        for m in remote.mappings() {
            // git refuses a push whose refspecs match nothing at all.
            let present = if m.glob {
                self.repo.references_glob(&format!("{}*", m.local)).is_ok_and(|mut r| r.next().is_some())
            } else {
                self.repo.find_reference(m.local).is_ok()
            };
            if present {
                specs.push(if m.glob {
                    format!("{}*:{}*", m.local, m.remote)
                } else {
                    format!("{}:{}", m.local, m.remote)
                });
            }
        }
        let mut report = PushReport::default();
        // git refuses a push whose negative refspecs exclude everything.
        if !skip.is_empty() && !self.has_refs_to_push(remote, skip)? {
            return Ok(report);
        }
        // Negative refspecs keep conflicted refs home.
        specs.extend(skip.iter().map(|r| format!("^{r}")));
        for r in transport::push(&self.path, remote, &specs, progress)? {
            match r.flag {
                PushFlag::Updated => report.updated.push(r.local),
                PushFlag::UpToDate => report.up_to_date += 1,
                PushFlag::Behind => report.behind.push(r.local),
                PushFlag::Refused(why) => {
                    if is_lock_race(&why) {
                        report.raced.push(r.local.clone());
                    }
                    report.refused.push((r.local, why))
                }
            }
        }
        Ok(report)
    }

    /// Some ref the push would send is not in `skip`.
    fn has_refs_to_push(&self, remote: &RemoteInfo, skip: &[String]) -> Result<bool> {
        let err = |e| store_err(&self.path, "cannot list refs", e);
        for m in remote.mappings() {
            let pattern = if m.glob { format!("{}*", m.local) } else { m.local.to_string() };
            for r in self.repo.references_glob(&pattern).map_err(err)? {
                let r = r.map_err(err)?;
                let name = String::from_utf8_lossy(r.name_bytes());
                if !skip.iter().any(|s| *s == name) {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// Pull, merge and push; when the remote moved meanwhile (the push is
    /// behind, or another push held a ref's lock), pull and push again, a
    /// bounded number of times.
    pub fn sync(&self, remote: &RemoteInfo, progress: bool) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        for attempt in 1..=SYNC_ATTEMPTS {
            report.attempts = attempt;
            let pull = self.pull(remote, progress)?;
            let skip: Vec<String> = pull.conflicts.iter().map(|c| c.local_ref.clone()).collect();
            merge_reports(&mut report.pull, pull);
            report.push = self.push_to(remote, &skip, progress)?;
            // Another pusher holding a ref's lock moved it meanwhile, just
            // as a rejected fast-forward says: pull and push again.
            if report.push.behind.is_empty() && report.push.raced.is_empty() {
                break;
            }
        }
        Ok(report)
    }

    /// Integrate `refs/remotes/NAME/…` into the local refs.
    pub fn integrate(&self, remote: &RemoteInfo) -> Result<PullReport> {
        let mut report = PullReport::default();
        let prefix = format!("{}articles/", remote::tracking_prefix(&remote.name));
        for (name, theirs) in self.refs_under(&prefix)? {
            self.integrate_article(&name, theirs, &mut report)?;
        }
        self.integrate_other_refs(remote, &mut report)?;
        Ok(report)
    }

    /// Every ref under `prefix`: (the rest of its name, its target).
    fn refs_under(&self, prefix: &str) -> Result<Vec<(String, Oid)>> {
        let refs = self
            .repo
            .references_glob(&format!("{prefix}*"))
            .map_err(|e| store_err(&self.path, "cannot list refs", e))?;
        let mut out = Vec::new();
        for r in refs {
            let r = r.map_err(|e| store_err(&self.path, "cannot read a ref", e))?;
            let full = String::from_utf8_lossy(r.name_bytes()).into_owned();
            if let (Some(rest), Some(id)) = (full.strip_prefix(prefix), r.target()) {
                out.push((rest.to_string(), id));
            }
        }
        out.sort();
        Ok(out)
    }

    fn integrate_article(&self, name: &str, theirs: Oid, report: &mut PullReport) -> Result<()> {
        let conflict = |report: &mut PullReport, msg: String| {
            report.conflicts.push(Conflict { what: name.to_string(), msg, local_ref: format!("{REF_PREFIX}{name}") })
        };
        if let Err(e) = validate_name(name) {
            conflict(report, format!("the remote has a ref that is not a valid article name: {e}"));
            return Ok(());
        }
        if let Err(e) = self.revision(theirs) {
            conflict(report, format!("the remote's tip is not a redline revision: {e}"));
            return Ok(());
        }
        if let Some(msg) = self.incoming_problem(theirs, self.tip_for_write(name)?)? {
            conflict(report, msg);
            return Ok(());
        }
        for _ in 0..REF_ATTEMPTS {
            let ours = self.tip_for_write(name)?;
            let moved = match ours {
                None => {
                    if let Err(e) = self.check_nesting(name) {
                        // The push must keep back this store's own ref,
                        // the one the remote cannot hold beside `name`.
                        let local_ref = match &e {
                            super::StoreError::Nested { other, .. } => format!("{REF_PREFIX}{other}"),
                            _ => format!("{REF_PREFIX}{name}"),
                        };
                        report.conflicts.push(Conflict { what: name.to_string(), msg: e.to_string(), local_ref });
                        return Ok(());
                    }
                    update_ref(&self.repo, name, theirs, None).map(|()| report.new.push(name.to_string()))
                }
                Some(o) if o == theirs => {
                    report.up_to_date += 1;
                    return Ok(());
                }
                Some(o) if self.descends(o, theirs)? => {
                    report.local_ahead += 1;
                    return Ok(());
                }
                Some(o) if self.descends(theirs, o)? => {
                    update_ref(&self.repo, name, theirs, Some(o)).map(|()| report.fast_forwarded.push(name.to_string()))
                }
                Some(o) => {
                    if let Some(msg) = self.url_conflict(o, theirs)? {
                        conflict(report, msg);
                        return Ok(());
                    }
                    let new = self.merge_chains(name, o, theirs)?;
                    let revisions = self.revision(new)?.meta.revision;
                    update_ref(&self.repo, name, new, Some(o)).map(|()| {
                        report.merged.push(Merged {
                            article: name.to_string(),
                            old_tip: o.to_string(),
                            new_tip: new.to_string(),
                            revisions,
                        })
                    })
                }
            };
            match moved {
                Ok(()) => return Ok(()),
                Err(e) if is_contention(&e) => std::thread::sleep(std::time::Duration::from_millis(5)),
                Err(e) => return Err(store_err(&self.path, &format!("cannot update the ref of {name}"), e)),
            }
        }
        Err(super::write::locked_error(&self.path, name))
    }

    /// `descendant` has `ancestor` in its history.
    pub(crate) fn descends(&self, descendant: Oid, ancestor: Oid) -> Result<bool> {
        self.repo
            .graph_descendant_of(descendant, ancestor)
            .map_err(|e| store_err(&self.path, "cannot compare two histories", e))
    }

    /// The two tips record different URLs for one article name: two pages
    /// would be merged into one history, so this is never done silently.
    fn url_conflict(&self, ours: Oid, theirs: Oid) -> Result<Option<String>> {
        let (a, b) = (self.revision(ours)?.meta.url, self.revision(theirs)?.meta.url);
        let (Some(a), Some(b)) = (a, b) else { return Ok(None) };
        let same = match (canonical_url(&a), canonical_url(&b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        };
        Ok((!same).then(|| {
            format!("this store binds it to {a}, the remote to {b}; the histories were left apart (rename one side's article, then sync)")
        }))
    }
}

/// git's reasons for a ref another push was updating at the same moment.
fn is_lock_race(why: &str) -> bool {
    why.contains("failed to update ref") || why.contains("cannot lock ref")
}

/// Add a later attempt's pull to the running total.
fn merge_reports(total: &mut PullReport, next: PullReport) {
    total.new.extend(next.new);
    total.fast_forwarded.extend(next.fast_forwarded);
    total.merged.extend(next.merged);
    total.up_to_date = next.up_to_date;
    total.local_ahead = next.local_ahead;
    total.other_refs += next.other_refs;
    total.conflicts = next.conflicts;
}
