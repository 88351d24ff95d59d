//! `fsck`: check a store and, when asked, rebuild metadata that does not
//! match its text.
//!
//! What is checked:
//! - **objects**: every object in the object database (loose and packed) is
//!   read back; libgit2 re-hashes what it reads, so a flipped bit, a
//!   truncated file or a missing object is reported;
//! - **refs**: every ref lies in an expected namespace (`refs/articles/` for
//!   articles, `refs/redline-backup/` for chains kept by `fsck --repair`),
//!   article refs have valid names and point straight at commits; the
//!   tracker's refs (raw pages, watch list, watch state) are commits
//!   holding their file, read as their commands read it (`fsck_refs.rs`);
//! - **chains**: every article's commits form a chain (one parent each,
//!   the root none), numbered 1..N without gaps; the one exception is a
//!   sync merge (meta.json `merged`), whose extra parents are old tips that
//!   must be readable and whose every observation the chain must hold;
//! - **revisions**: each tree holds exactly `article.txt` and `meta.json`,
//!   the text is UTF-8 without NUL bytes, `meta.json` parses, and its name,
//!   revision number, first observed time, `same_as`, content hash and
//!   byte/word/sentence/paragraph counts match the text and the chain;
//! - **locks**: `*.lock` files older than a minute (left by a killed
//!   process; they block writes) are problems, younger ones are reported as
//!   probably live.
//!
//! Why repair keeps the old chain: meta.json lives inside each commit, so
//! fixing it changes that commit's id and the id of every later revision.
//! `--repair` rewrites only articles whose every problem is a metadata
//! mismatch that the text itself settles (hash, counts, numbering, name,
//! `same_as`, first observed time), keeps the text blobs, authors, times and
//! messages, and first saves the old tip under
//! `refs/redline-backup/<unix time>/<name>`, so no object becomes
//! unreachable and nothing is lost. Everything else (missing or corrupt
//! objects, merges, unreadable meta.json, non-UTF-8 text, foreign refs,
//! tracker refs that cannot be read, stale locks) is reported with what to do, and never touched: fixing it
//! would mean guessing or deleting.

use super::fsck_checks::{check_packed_refs, sort_packed_refs};
use super::fsck_refs::{tracker_ref_fix, tracker_ref_problem};
use super::meta::Meta;
use super::write::STALE_LOCK;
use super::{validate_name, Result, Store, REF_PREFIX};
use git2::{ObjectType, Oid, Repository};
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Where `fsck --repair` keeps the chains it replaced.
pub const BACKUP_PREFIX: &str = "refs/redline-backup/";

/// One thing wrong with the store.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// A stable code: `object`, `ref-namespace`, `ref`, `chain`,
    /// `revision-number`, `tree`, `text`, `meta-unreadable`, `meta-mismatch`,
    /// `stale-lock`, `tracker-ref`.
    pub kind: &'static str,
    /// The article it concerns, if any.
    pub article: Option<String>,
    /// The revision it concerns, if any.
    pub revision: Option<u64>,
    /// The commit it concerns, if any.
    pub commit: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub fix: String,
    /// `fsck --repair` can fix it without losing anything.
    pub repairable: bool,
}

/// One article rewritten by `--repair`.
#[derive(Debug, Clone, Serialize)]
pub struct Repair {
    /// The article.
    pub article: String,
    /// Its tip before the repair.
    pub old_tip: String,
    /// Its tip after the repair.
    pub new_tip: String,
    /// The ref that keeps the old chain.
    pub backup_ref: String,
    /// Revisions whose meta.json was rebuilt, with the fields that changed.
    pub rebuilt: Vec<(u64, Vec<String>)>,
    /// Commits rewritten in all (the rebuilt ones and every later one).
    pub commits_rewritten: usize,
}

/// Everything `fsck` found (and, with `--repair`, did).
#[derive(Debug, Clone, Serialize)]
pub struct FsckReport {
    /// The store path.
    pub store: String,
    /// Objects checked.
    pub objects: usize,
    /// Articles checked.
    pub articles: usize,
    /// Revisions checked.
    pub revisions: usize,
    /// Objects no ref reaches: leftovers of interrupted writes, harmless.
    pub unreachable_objects: usize,
    /// Lock files young enough to belong to a running writer.
    pub live_locks: Vec<String>,
    /// Temporary pack files a killed import or gc left behind (harmless).
    pub leftover_files: Vec<String>,
    /// Problems still present (after any repair).
    pub problems: Vec<Problem>,
    /// Articles rewritten by `--repair`.
    pub repairs: Vec<Repair>,
    /// Store-wide fixes `--repair` made (such as re-sorting packed-refs).
    pub fixed: Vec<String>,
}

impl FsckReport {
    /// No problems are left.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// A revision as read during the check.
pub(super) struct Checked {
    pub(super) id: Oid,
    pub(super) meta: Option<Meta>,
    pub(super) text: Option<String>,
    /// Fields of meta.json that do not match (empty when fine).
    pub(super) mismatched: Vec<String>,
}

pub(super) struct Article {
    pub(super) name: String,
    pub(super) tip: Oid,
    /// Oldest first; empty when the chain could not be read.
    pub(super) revs: Vec<Checked>,
    /// Any problem that `--repair` cannot fix.
    pub(super) blocking: bool,
}

impl Store {
    /// Check the store; with `repair`, rebuild mismatched metadata (see the
    /// module docs). Problems are returned in the report, not as errors;
    /// an error means the store could not be read at all.
    pub fn fsck(&self, repair: bool) -> Result<FsckReport> {
        let mut cx = Fsck { store: self, problems: Vec::new(), reachable: HashSet::new() };
        let partial = self.partial_history();
        if let Some(why) = &partial {
            let fix = "fetch the full history into the store (git fetch --unshallow from where it came, or remove info/grafts); until then redline refuses to write, and fsck --repair will not renumber a truncated chain";
            cx.problem("shallow", None, None, None, format!("{}: {why}", super::SHALLOW_MSG), fix);
        }
        let repair = repair && partial.is_none();
        let mut fixed = Vec::new();
        cx.check_packed_refs(repair, &mut fixed);
        let objects = cx.check_objects();
        let articles = cx.check_refs()?;
        let (live_locks, leftover_files) = cx.check_locks();
        let all = objects.as_ref().map(|o| o.len()).unwrap_or(0);
        let unreachable = objects.as_ref().map(|o| o.iter().filter(|id| !cx.reachable.contains(id)).count());
        let mut report = FsckReport {
            store: self.path.display().to_string(),
            objects: all,
            articles: articles.len(),
            revisions: articles.iter().map(|a| a.revs.len()).sum(),
            unreachable_objects: unreachable.unwrap_or(0),
            live_locks,
            leftover_files,
            problems: cx.problems,
            repairs: Vec::new(),
            fixed,
        };
        if partial.is_some() {
            // Numbers and same_as computed from a truncated chain are not
            // evidence of damage, and must never be "repaired".
            report.problems.iter_mut().for_each(|p| p.repairable = false);
        }
        if repair {
            for a in articles.iter().filter(|a| !a.blocking && a.revs.iter().any(|r| !r.mismatched.is_empty())) {
                match self.repair_article(a) {
                    Ok(r) => {
                        report.problems.retain(|p| !(p.repairable && p.article.as_deref() == Some(&a.name)));
                        report.repairs.push(r);
                    }
                    Err(msg) => report.problems.push(Problem {
                        kind: "repair",
                        article: Some(a.name.clone()),
                        revision: None,
                        commit: Some(a.tip.to_string()),
                        message: format!("could not repair: {msg}"),
                        fix: "nothing was changed for this article; run `redline fsck --repair` again".into(),
                        repairable: false,
                    }),
                }
            }
        }
        Ok(report)
    }
}

pub(super) struct Fsck<'s> {
    pub(super) store: &'s Store,
    pub(super) problems: Vec<Problem>,
    pub(super) reachable: HashSet<Oid>,
}

pub(super) const FIX_OBJECT: &str = "the store lost or damaged data: restore this object from a backup or another copy of the store (e.g. copy the object file, or `git fetch` from a clone); until then, commands that need it fail";

impl<'s> Fsck<'s> {
    pub(super) fn repo(&self) -> &'s Repository {
        &self.store.repo
    }

    pub(super) fn problem(
        &mut self,
        kind: &'static str,
        article: Option<&str>,
        rev: Option<u64>,
        commit: Option<Oid>,
        msg: String,
        fix: &str,
    ) {
        self.problems.push(Problem {
            kind,
            article: article.map(str::to_string),
            revision: rev,
            commit: commit.map(|c| c.to_string()),
            message: msg,
            fix: fix.to_string(),
            repairable: false,
        });
    }

    /// Read every object in the database (libgit2 checks each one's hash).
    /// Returns every id listed, or None when they could not be listed.
    fn check_objects(&mut self) -> Option<Vec<Oid>> {
        let odb = match self.repo().odb() {
            Ok(o) => o,
            Err(e) => {
                self.problem(
                    "object",
                    None,
                    None,
                    None,
                    format!("cannot open the object database: {}", e.message()),
                    FIX_OBJECT,
                );
                return None;
            }
        };
        let mut ids = Vec::new();
        if let Err(e) = odb.foreach(|id| {
            ids.push(*id);
            true
        }) {
            self.problem("object", None, None, None, format!("cannot list the objects: {}", e.message()), FIX_OBJECT);
        }
        ids.sort();
        ids.dedup();
        for id in &ids {
            if let Err(e) = odb.read(*id) {
                let msg = format!("object {id} is unreadable or corrupt: {}", e.message());
                self.problem("object", None, None, Some(*id), msg, FIX_OBJECT);
            }
        }
        Some(ids)
    }

    /// `packed-refs`: malformed lines are problems (git cannot read those
    /// refs); a false "sorted" header hides refs from lookups, and
    /// `--repair` rewrites the file in order.
    fn check_packed_refs(&mut self, repair: bool, fixed: &mut Vec<String>) {
        let path = self.store.path.join("packed-refs");
        let pr = check_packed_refs(&self.store.path);
        for (line, why) in pr.bad_lines {
            let msg = format!("{} line {line} cannot be read: {why}", path.display());
            self.problem("packed-refs", None, None, None, msg, "restore packed-refs from a backup or another copy of the store, or correct that line by hand (redline never edits it); the refs it held cannot be read until then");
        }
        if !pr.claims_sorted_but_is_not {
            return;
        }
        if repair {
            match sort_packed_refs(&self.store.path) {
                Ok(()) => {
                    fixed.push(format!(
                        "rewrote {} in sorted order (its header said sorted; it was not)",
                        path.display()
                    ));
                    return;
                }
                Err(e) => {
                    let msg = format!("could not rewrite {} in order: {e}", path.display());
                    self.problem("repair", None, None, None, msg, "check that no git or redline process is running (packed-refs.lock), then run `redline fsck --repair` again");
                }
            }
        }
        self.problems.push(Problem {
            kind: "packed-refs-order",
            article: None,
            revision: None,
            commit: None,
            message: format!("{} says it is sorted but is not, so git cannot find some of its refs", path.display()),
            fix: "run `redline fsck --repair` to rewrite it in order (nothing else changes)".into(),
            repairable: true,
        });
    }

    /// Check every ref and every article chain.
    fn check_refs(&mut self) -> Result<Vec<Article>> {
        let refs = match self.repo().references() {
            Ok(r) => r,
            Err(e) => {
                let msg = format!("the refs cannot be listed: {}", e.message());
                self.problem(
                    "ref",
                    None,
                    None,
                    None,
                    msg,
                    "see the packed-refs problems above; restore packed-refs from a backup or correct it by hand",
                );
                return Ok(Vec::new());
            }
        };
        let mut found: Vec<(String, Option<Oid>, bool)> = Vec::new();
        for r in refs {
            match r {
                Ok(r) => {
                    let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
                    let symbolic = r.kind() == Some(git2::ReferenceType::Symbolic);
                    found.push((name, r.target(), symbolic));
                }
                Err(e) => self.problem(
                    "ref",
                    None,
                    None,
                    None,
                    format!("a ref cannot be read: {}", e.message()),
                    "inspect the files under refs/ and packed-refs in the store",
                ),
            }
        }
        found.sort();
        let mut articles = Vec::new();
        for (full, target, symbolic) in found {
            if let Some(name) = full.strip_prefix(REF_PREFIX) {
                if symbolic || target.is_none() {
                    let msg = format!("ref {full} is symbolic; article refs must point straight at a commit");
                    self.problem(
                        "ref",
                        Some(name),
                        None,
                        None,
                        msg,
                        "point it at the article's latest commit with `git update-ref`",
                    );
                    continue;
                }
                if validate_name(name).is_err() {
                    let msg = format!("ref {full} has a name redline does not allow, so no command can reach it");
                    self.problem(
                        "ref",
                        Some(name),
                        None,
                        target,
                        msg,
                        "rename it with `git update-ref` to a valid article name, then delete the old ref",
                    );
                }
                let tip = target.expect("checked above");
                articles.push(self.check_article(name, tip));
            } else if full.starts_with(BACKUP_PREFIX) || super::raw::is_tracker_ref(&full) || is_remote_tracking(&full)
            {
                if let Some(why) =
                    super::raw::is_tracker_ref(&full).then(|| tracker_ref_problem(self.repo(), &full, target)).flatten()
                {
                    let fix = tracker_ref_fix(&full, target);
                    self.problem("tracker-ref", None, None, target, format!("ref {full} {why}"), &fix);
                }
                if let Some(t) = target {
                    self.mark_reachable(t);
                }
            } else {
                let msg = format!("ref {full} lies outside refs/articles/ (redline never writes it)");
                self.problem(
                    "ref-namespace",
                    None,
                    None,
                    target,
                    msg,
                    "redline never writes, moves or deletes refs outside its own namespaces, and neither should you on its word: if this ref is yours, keep it and keep the articles in a store of their own (redline --store DIR)",
                );
                if let Some(t) = target {
                    self.mark_reachable(t);
                }
            }
        }
        Ok(articles)
    }

    pub(super) fn mark_reachable(&mut self, tip: Oid) {
        let repo = &self.store.repo;
        let mut stack = vec![tip];
        while let Some(id) = stack.pop() {
            if !self.reachable.insert(id) {
                continue;
            }
            let Ok(obj) = repo.find_object(id, None) else { continue };
            match obj.kind() {
                Some(ObjectType::Commit) => {
                    if let Ok(c) = obj.peel_to_commit() {
                        stack.push(c.tree_id());
                        stack.extend(c.parent_ids());
                    }
                }
                Some(ObjectType::Tree) => {
                    if let Ok(t) = obj.peel_to_tree() {
                        stack.extend(t.iter().map(|e| e.id()));
                    }
                }
                Some(ObjectType::Tag) => {
                    if let Ok(t) = obj.peel_to_tag() {
                        stack.push(t.target_id());
                    }
                }
                _ => {}
            }
        }
    }

    /// Lock files: stale ones are problems, young ones are noted. Also notes
    /// temporary pack files left by killed writers.
    fn check_locks(&mut self) -> (Vec<String>, Vec<String>) {
        let mut locks = Vec::new();
        find_files(&self.store.path, &mut |p: &Path| p.extension().is_some_and(|e| e == "lock"), &mut locks, 0);
        let mut live = Vec::new();
        for p in locks {
            let age = std::fs::metadata(&p).ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok());
            match age {
                Some(age) if age >= STALE_LOCK => {
                    let msg = format!(
                        "{} is {}s old and looks stale (left by a killed process); it blocks updates",
                        p.display(),
                        age.as_secs()
                    );
                    let fix = format!(
                        "if no redline or git process is using the store, remove it: rm {}",
                        super::write::shell_quote(&p)
                    );
                    self.problem("stale-lock", None, None, None, msg, &fix);
                }
                _ => live.push(p.display().to_string()),
            }
        }
        let mut tmp = Vec::new();
        let pack_dir = self.store.path.join("objects").join("pack");
        find_files(
            &pack_dir,
            &mut |p: &Path| {
                let n = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                n.starts_with("tmp_") || n.starts_with("pack_git2_") || n.starts_with(".tmp")
            },
            &mut tmp,
            0,
        );
        (live, tmp.iter().map(|p| p.display().to_string()).collect())
    }
}

/// `refs/remotes/NAME/…`: what `git fetch` (and `redline pull`) keep of a
/// remote; accepted and kept reachable.
fn is_remote_tracking(full: &str) -> bool {
    full.starts_with("refs/remotes/")
}

fn find_files(dir: &Path, want: &mut dyn FnMut(&Path) -> bool, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 64 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => {
                // Objects are not locked; skip the big fan-out except packs.
                if depth == 0 && p.file_name().is_some_and(|n| n == "objects") {
                    continue;
                }
                find_files(&p, want, out, depth + 1)
            }
            Ok(_) if want(&p) => out.push(p),
            _ => {}
        }
    }
    out.sort();
}
