//! `fsck`: check a store and, when asked, rebuild metadata that does not
//! match its text.
//!
//! What is checked:
//! - **objects**: every object in the object database (loose and packed) is
//!   read back; libgit2 re-hashes what it reads, so a flipped bit, a
//!   truncated file or a missing object is reported;
//! - **refs**: every ref lies in an expected namespace (`refs/articles/` for
//!   articles, `refs/redline-backup/` for chains kept by `fsck --repair`),
//!   article refs have valid names and point straight at commits;
//! - **chains**: every article's commits form a linear chain (one parent
//!   each, the root none), numbered 1..N without gaps;
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
//! stale locks) is reported with what to do, and never touched: fixing it
//! would mean guessing or deleting.

use super::meta::{self, Meta};
use super::write::{is_contention, STALE_LOCK};
use super::{store_err, validate_name, Store, META_FILE, REF_PREFIX, TEXT_FILE};
use crate::error::Result;
use git2::{ObjectType, Oid, Repository, Signature};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Where `fsck --repair` keeps the chains it replaced.
pub const BACKUP_PREFIX: &str = "refs/redline-backup/";

/// One thing wrong with the store.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// A stable code: `object`, `ref-namespace`, `ref`, `chain`,
    /// `revision-number`, `tree`, `text`, `meta-unreadable`, `meta-mismatch`,
    /// `stale-lock`.
    pub kind: &'static str,
    pub article: Option<String>,
    pub revision: Option<u32>,
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
    pub article: String,
    pub old_tip: String,
    pub new_tip: String,
    /// The ref that keeps the old chain.
    pub backup_ref: String,
    /// Revisions whose meta.json was rebuilt, with the fields that changed.
    pub rebuilt: Vec<(u32, Vec<String>)>,
    /// Commits rewritten in all (the rebuilt ones and every later one).
    pub commits_rewritten: usize,
}

/// Everything `fsck` found (and, with `--repair`, did).
#[derive(Debug, Clone, Serialize)]
pub struct FsckReport {
    pub store: String,
    pub objects: usize,
    pub articles: usize,
    pub revisions: usize,
    /// Objects no ref reaches: leftovers of interrupted writes, harmless.
    pub unreachable_objects: usize,
    /// Lock files young enough to belong to a running writer.
    pub live_locks: Vec<String>,
    /// Temporary pack files a killed import or gc left behind (harmless).
    pub leftover_files: Vec<String>,
    /// Problems still present (after any repair).
    pub problems: Vec<Problem>,
    pub repairs: Vec<Repair>,
}

impl FsckReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// A revision as read during the check.
struct Checked {
    id: Oid,
    meta: Option<Meta>,
    text: Option<String>,
    /// Fields of meta.json that do not match (empty when fine).
    mismatched: Vec<String>,
}

struct Article {
    name: String,
    tip: Oid,
    /// Oldest first; empty when the chain could not be read.
    revs: Vec<Checked>,
    /// Any problem that `--repair` cannot fix.
    blocking: bool,
}

impl Store {
    /// Check the store; with `repair`, rebuild mismatched metadata (see the
    /// module docs). Problems are returned in the report, not as errors;
    /// an error means the store could not be read at all.
    pub fn fsck(&self, repair: bool) -> Result<FsckReport> {
        let mut cx = Fsck { store: self, problems: Vec::new(), reachable: HashSet::new() };
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
        };
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

struct Fsck<'s> {
    store: &'s Store,
    problems: Vec<Problem>,
    reachable: HashSet<Oid>,
}

const FIX_OBJECT: &str = "the store lost or damaged data: restore this object from a backup or another copy of the store (e.g. copy the object file, or `git fetch` from a clone); until then, commands that need it fail";

impl<'s> Fsck<'s> {
    fn repo(&self) -> &'s Repository {
        &self.store.repo
    }

    fn problem(
        &mut self,
        kind: &'static str,
        article: Option<&str>,
        rev: Option<u32>,
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

    /// Check every ref and every article chain.
    fn check_refs(&mut self) -> Result<Vec<Article>> {
        let path = self.store.path.clone();
        let refs = self.repo().references().map_err(|e| store_err(&path, "cannot list refs", e))?;
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
            } else if full.starts_with(BACKUP_PREFIX) || super::raw::is_tracker_ref(&full) {
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
                    &format!("if you added it on purpose, move it out of the store; to delete it: git --git-dir {} update-ref -d {full}", self.store.path.display()),
                );
                if let Some(t) = target {
                    self.mark_reachable(t);
                }
            }
        }
        Ok(articles)
    }

    /// Walk one article's chain from its tip and check every revision.
    fn check_article(&mut self, name: &str, tip: Oid) -> Article {
        let mut a = Article { name: name.to_string(), tip, revs: Vec::new(), blocking: false };
        let before = self.problems.len();
        let mut ids = Vec::new();
        let mut cur = Some(tip);
        let mut complete = true;
        let mut seen = HashSet::new();
        while let Some(id) = cur {
            if !seen.insert(id) {
                break; // cannot happen with real hashes; never loop
            }
            let c = match self.repo().find_commit(id) {
                Ok(c) => c,
                Err(e) => {
                    let what = if ids.is_empty() { "its tip" } else { "a commit in its chain" };
                    let msg = format!("{what} {id} cannot be read as a commit: {}", e.message());
                    self.problem("object", Some(name), None, Some(id), msg, FIX_OBJECT);
                    complete = false;
                    break;
                }
            };
            self.reachable.insert(id);
            if c.parent_count() > 1 {
                let msg = format!(
                    "commit {id} has {} parents; an article's history must be a linear chain",
                    c.parent_count()
                );
                self.problem("chain", Some(name), None, Some(id), msg, "redline never writes merges: someone changed the store with git; reset the ref to the chain you want to keep (`git update-ref`), keeping the other as a backup ref");
            }
            ids.push(id);
            cur = c.parent_ids().next();
        }
        ids.reverse();
        let mut revs: Vec<Checked> = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            let pos = complete.then_some(i as u32 + 1);
            revs.push(self.check_revision(name, *id, pos));
        }
        if complete {
            self.check_chain_meta(name, &mut revs);
        }
        a.revs = revs;
        a.blocking = self.problems[before..].iter().any(|p| !p.repairable);
        a
    }

    /// Read one revision's tree, text and meta.json.
    fn check_revision(&mut self, name: &str, id: Oid, pos: Option<u32>) -> Checked {
        let mut out = Checked { id, meta: None, text: None, mismatched: Vec::new() };
        let Ok(c) = self.repo().find_commit(id) else { return out };
        let tree = match c.tree() {
            Ok(t) => t,
            Err(e) => {
                let msg = format!("the tree of commit {id} cannot be read: {}", e.message());
                self.problem("object", Some(name), pos, Some(id), msg, FIX_OBJECT);
                return out;
            }
        };
        self.reachable.insert(tree.id());
        let mut text_bytes = None;
        let mut meta_bytes = None;
        let mut extra = Vec::new();
        for entry in tree.iter() {
            let ename = String::from_utf8_lossy(entry.name_bytes()).into_owned();
            self.reachable.insert(entry.id());
            let slot = match ename.as_str() {
                TEXT_FILE => &mut text_bytes,
                META_FILE => &mut meta_bytes,
                _ => {
                    extra.push(ename);
                    continue;
                }
            };
            match self.repo().find_blob(entry.id()) {
                Ok(b) => *slot = Some(b.content().to_vec()),
                Err(e) => {
                    let msg = format!("{ename} (blob {}) cannot be read: {}", entry.id(), e.message());
                    self.problem("object", Some(name), pos, Some(id), msg, FIX_OBJECT);
                }
            }
        }
        if !extra.is_empty() {
            let msg = format!("the tree holds unexpected entries: {}", extra.join(", "));
            self.problem(
                "tree",
                Some(name),
                pos,
                Some(id),
                msg,
                "redline writes only article.txt and meta.json; someone changed the store with git",
            );
        }
        for (file, present) in
            [(TEXT_FILE, tree.get_name(TEXT_FILE).is_some()), (META_FILE, tree.get_name(META_FILE).is_some())]
        {
            if !present {
                let msg = format!("the tree has no {file}");
                self.problem(
                    "tree",
                    Some(name),
                    pos,
                    Some(id),
                    msg,
                    "this commit was not written by redline; reset the article's ref to the last good revision",
                );
            }
        }
        if let Some(bytes) = text_bytes {
            if let Some(at) = memchr::memchr(0, &bytes) {
                let msg = format!("article.txt holds a NUL byte at offset {at}");
                self.problem(
                    "text",
                    Some(name),
                    pos,
                    Some(id),
                    msg,
                    "redline never stores binary text; someone changed the store with git",
                );
            } else {
                match String::from_utf8(bytes) {
                    Ok(s) => out.text = Some(s),
                    Err(e) => {
                        let at = e.utf8_error().valid_up_to();
                        let msg = format!("article.txt is not valid UTF-8 (invalid byte at offset {at})");
                        self.problem(
                            "text",
                            Some(name),
                            pos,
                            Some(id),
                            msg,
                            "redline never stores such text; someone changed the store with git",
                        );
                    }
                }
            }
        }
        if let Some(bytes) = meta_bytes {
            match serde_json::from_slice::<Meta>(&bytes) {
                Ok(m) => out.meta = Some(m),
                Err(e) => {
                    let msg = format!("meta.json does not parse: {e}");
                    self.problem("meta-unreadable", Some(name), pos, Some(id), msg, "fsck --repair will not guess the title, URL and note it held; restore the blob from a backup, or reset the ref to the last good revision");
                }
            }
        }
        out
    }

    /// Numbering, name, hash and counts of each revision, against the text
    /// and the chain.
    fn check_chain_meta(&mut self, name: &str, revs: &mut [Checked]) {
        let first_observed = revs.first().and_then(|r| r.meta.as_ref()).map(|m| m.observed_at.clone());
        let mut by_sha: HashMap<String, u32> = HashMap::new();
        for (i, r) in revs.iter_mut().enumerate() {
            let pos = i as u32 + 1;
            let (Some(m), Some(text)) = (&r.meta, &r.text) else {
                // Keep same_as checks of later revisions meaningful.
                if let Some(t) = &r.text {
                    by_sha.entry(meta::sha256_hex(t.as_bytes())).or_insert(pos);
                }
                continue;
            };
            let want = expected_meta(m, name, pos, text, first_observed.as_deref(), &by_sha);
            let sha = want.sha256.clone();
            by_sha.entry(sha).or_insert(pos);
            let diffs = field_diffs(m, &want);
            if diffs.is_empty() {
                continue;
            }
            let detail: Vec<String> =
                diffs.iter().map(|(f, have, want)| format!("{f} is {have}, should be {want}")).collect();
            if m.revision != pos {
                let msg = format!("meta.json says revision {}, but it is revision {pos} of the chain", m.revision);
                self.problems.push(Problem {
                    kind: "revision-number",
                    article: Some(name.to_string()),
                    revision: Some(pos),
                    commit: Some(r.id.to_string()),
                    message: msg,
                    fix: "run `redline fsck --repair` to renumber (commit ids change; the old chain is kept as a backup ref)".into(),
                    repairable: true,
                });
            }
            self.problems.push(Problem {
                kind: "meta-mismatch",
                article: Some(name.to_string()),
                revision: Some(pos),
                commit: Some(r.id.to_string()),
                message: format!("meta.json does not match its text: {}", detail.join("; ")),
                fix: "run `redline fsck --repair` to rebuild it from the text (this revision's and every later commit id change; the old chain is kept as a backup ref)".into(),
                repairable: true,
            });
            r.mismatched = diffs.into_iter().map(|(f, _, _)| f.to_string()).collect();
        }
    }

    fn mark_reachable(&mut self, tip: Oid) {
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

/// The meta.json this revision should have: `m` with every field the text
/// and the chain settle recomputed.
fn expected_meta(
    m: &Meta,
    name: &str,
    pos: u32,
    text: &str,
    first: Option<&str>,
    by_sha: &HashMap<String, u32>,
) -> Meta {
    let stats = crate::core::text_stats(text);
    let sha = meta::sha256_hex(text.as_bytes());
    let mut want = m.clone();
    want.name = name.to_string();
    want.revision = pos;
    want.sha256 = sha.clone();
    want.bytes = text.len();
    want.words = stats.words;
    want.sentences = stats.sentences;
    want.paragraphs = stats.paragraphs;
    want.same_as = by_sha.get(&sha).copied();
    if let Some(f) = first {
        want.first_observed_at = f.to_string();
    }
    want
}

/// (field, stored value, expected value) for each field that differs.
fn field_diffs(have: &Meta, want: &Meta) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let mut cmp = |f: &'static str, a: String, b: String| {
        if a != b {
            out.push((f, a, b));
        }
    };
    cmp("name", format!("{:?}", have.name), format!("{:?}", want.name));
    cmp("revision", have.revision.to_string(), want.revision.to_string());
    cmp("sha256", have.sha256.clone(), want.sha256.clone());
    cmp("bytes", have.bytes.to_string(), want.bytes.to_string());
    cmp("words", have.words.to_string(), want.words.to_string());
    cmp("sentences", have.sentences.to_string(), want.sentences.to_string());
    cmp("paragraphs", have.paragraphs.to_string(), want.paragraphs.to_string());
    let opt = |v: Option<u32>| v.map_or("null".to_string(), |n| n.to_string());
    cmp("same_as", opt(have.same_as), opt(want.same_as));
    cmp("first_observed_at", have.first_observed_at.clone(), want.first_observed_at.clone());
    out
}

impl Store {
    /// Rewrite one article's chain with rebuilt meta.json files, keeping
    /// the old tip under a backup ref. All or nothing for the article.
    fn repair_article(&self, a: &Article) -> std::result::Result<Repair, String> {
        let repo = &self.repo;
        let g = |e: git2::Error| e.message().to_string();
        let first_observed = a.revs.first().and_then(|r| r.meta.as_ref()).map(|m| m.observed_at.clone());
        let mut by_sha: HashMap<String, u32> = HashMap::new();
        let mut parent: Option<Oid> = None;
        let mut rewriting = false;
        let mut rebuilt = Vec::new();
        let mut rewritten = 0;
        for (i, r) in a.revs.iter().enumerate() {
            let pos = i as u32 + 1;
            let (Some(m), Some(text)) = (&r.meta, &r.text) else { return Err("a revision could not be read".into()) };
            let want = expected_meta(m, &a.name, pos, text, first_observed.as_deref(), &by_sha);
            by_sha.entry(want.sha256.clone()).or_insert(pos);
            if r.mismatched.is_empty() && !rewriting {
                parent = Some(r.id);
                continue;
            }
            rewriting = true;
            let old = repo.find_commit(r.id).map_err(g)?;
            let old_tree = old.tree().map_err(g)?;
            let text_id = old_tree.get_name(TEXT_FILE).ok_or("no article.txt")?.id();
            let (meta_id, message) = if r.mismatched.is_empty() {
                let id = old_tree.get_name(META_FILE).ok_or("no meta.json")?.id();
                (id, String::from_utf8_lossy(old.message_bytes()).into_owned())
            } else {
                rebuilt.push((pos, r.mismatched.clone()));
                let msg = format!(
                    "{}\nfsck --repair rebuilt meta.json ({}); this revision was commit {}\n",
                    meta::commit_message(&want),
                    r.mismatched.join(", "),
                    r.id
                );
                (repo.blob(&meta::to_json(&want)).map_err(g)?, msg)
            };
            let mut tb = repo.treebuilder(None).map_err(g)?;
            tb.insert(TEXT_FILE, text_id, 0o100644).map_err(g)?;
            tb.insert(META_FILE, meta_id, 0o100644).map_err(g)?;
            let tree = repo.find_tree(tb.write().map_err(g)?).map_err(g)?;
            let sig = |s: git2::Signature<'_>| -> std::result::Result<Signature<'static>, String> {
                Signature::new(
                    &String::from_utf8_lossy(s.name_bytes()),
                    &String::from_utf8_lossy(s.email_bytes()),
                    &s.when(),
                )
                .map_err(|e| e.message().to_string())
            };
            let (author, committer) = (sig(old.author())?, sig(old.committer())?);
            let parents = match parent {
                Some(p) => vec![repo.find_commit(p).map_err(g)?],
                None => vec![],
            };
            let prefs: Vec<&git2::Commit<'_>> = parents.iter().collect();
            let id = repo.commit(None, &author, &committer, &message, &tree, &prefs).map_err(g)?;
            parent = Some(id);
            rewritten += 1;
        }
        let new_tip = parent.ok_or("empty chain")?;
        let stamp = super::now();
        let backup = format!("{BACKUP_PREFIX}{stamp}/{}", a.name);
        repo.reference(&backup, a.tip, false, "redline fsck --repair: chain before repair").map_err(g)?;
        let refname = super::ref_name(&a.name);
        match repo.reference_matching(&refname, new_tip, true, a.tip, "redline fsck --repair") {
            Ok(_) => Ok(Repair {
                article: a.name.clone(),
                old_tip: a.tip.to_string(),
                new_tip: new_tip.to_string(),
                backup_ref: backup,
                rebuilt,
                commits_rewritten: rewritten,
            }),
            Err(e) => {
                if let Ok(mut r) = repo.find_reference(&backup) {
                    let _ = r.delete();
                }
                if is_contention(&e) {
                    Err("another writer changed the article meanwhile".into())
                } else {
                    Err(e.message().to_string())
                }
            }
        }
    }
}
