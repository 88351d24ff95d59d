//! `fsck`'s walk of one article: its chain of commits, each revision's
//! tree, text and `meta.json`, and the metadata the text settles (what
//! `--repair` may rewrite). The store-wide checks and the report are in
//! `fsck.rs`.

use super::fsck::{Article, Checked, Fsck, Problem, FIX_OBJECT};
use super::fsck_checks::meta_shape_problems;
use super::meta::{self, Meta};
use super::{META_FILE, TEXT_FILE};
use git2::Oid;
use std::collections::{HashMap, HashSet};

impl Fsck<'_> {
    /// Walk one article's chain from its tip and check every revision.
    pub(super) fn check_article(&mut self, name: &str, tip: Oid) -> Article {
        let mut a = Article { name: name.to_string(), tip, revs: Vec::new(), blocking: false };
        let before = self.problems.len();
        let mut ids = Vec::new();
        let mut cur = Some(tip);
        let mut complete = true;
        let mut seen = HashSet::new();
        let mut merges: Vec<(Oid, Vec<Oid>)> = Vec::new();
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
            cur = super::read::previous_revision(&c);
            if c.parent_count() > 1 {
                merges.push((id, c.parent_ids().filter(|p| Some(*p) != cur).collect::<Vec<_>>()));
            }
            ids.push(id);
        }
        ids.reverse();
        let mut revs: Vec<Checked> = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            let pos = complete.then_some(i as u64 + 1);
            revs.push(self.check_revision(name, *id, pos));
        }
        if complete {
            self.check_chain_meta(name, &mut revs);
        }
        for (id, extra) in merges {
            let merged = revs.iter().find(|r| r.id == id).and_then(|r| r.meta.as_ref()).is_some_and(|m| m.merged);
            self.check_merge(name, id, &extra, merged);
        }
        a.revs = revs;
        a.blocking = self.problems[before..].iter().any(|p| !p.repairable);
        a
    }

    /// A commit with several parents must be a sync merge (its meta.json
    /// says `merged`) whose extra parents are readable and whose chain
    /// holds every sighting of theirs; the extra parents' history is then
    /// reachable, not garbage.
    fn check_merge(&mut self, name: &str, id: Oid, extra: &[Oid], merged: bool) {
        const RESET: &str =
            "reset the ref to the chain you want to keep (`git update-ref`), keeping the other as a backup ref";
        if !merged {
            let msg = format!(
                "commit {id} has {} parents but is not a sync merge; an article's history must be a chain",
                extra.len() + 1
            );
            self.problem(
                "chain",
                Some(name),
                None,
                Some(id),
                msg,
                &format!("someone changed the store with git; {RESET}"),
            );
            return;
        }
        let ours = match self.store.chain_keys(id) {
            Ok(k) => k,
            Err(e) => {
                self.problem(
                    "merge",
                    Some(name),
                    None,
                    Some(id),
                    format!("the merged chain cannot be read: {e}"),
                    FIX_OBJECT,
                );
                return;
            }
        };
        for p in extra {
            self.mark_reachable(*p);
            match self.store.chain_keys(*p) {
                Ok(theirs) => {
                    let lost: Vec<_> = theirs.difference(&ours).collect();
                    if let Some(k) = lost.first() {
                        let msg = format!(
                            "sync merge {id} lost {} observation(s) of its old tip {p}, e.g. {} at {} by {:?}",
                            lost.len(),
                            &k.sha[..12],
                            super::format_time(k.at),
                            k.observer
                        );
                        self.problem(
                            "merge",
                            Some(name),
                            None,
                            Some(id),
                            msg,
                            &format!("the old tip's history is still in the store; {RESET}"),
                        );
                    }
                }
                Err(e) => {
                    let msg = format!("sync merge {id}: its old tip {p} cannot be read: {e}");
                    self.problem("object", Some(name), None, Some(id), msg, FIX_OBJECT);
                }
            }
        }
    }

    /// Read one revision's tree, text and meta.json.
    fn check_revision(&mut self, name: &str, id: Oid, pos: Option<u64>) -> Checked {
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
            if entry.filemode() != 0o100644 {
                let msg = format!("{ename} has mode {:o}; redline writes plain files (100644)", entry.filemode());
                self.problem("tree", Some(name), pos, Some(id), msg, "someone changed the store with git; reset the article's ref to the last good revision, or rewrite this tree with mode 100644");
            }
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
            let shape = serde_json::from_slice::<serde_json::Value>(&bytes).map(|v| meta_shape_problems(&v));
            if let Some(issues) = shape.as_ref().ok().filter(|i| !i.is_empty()) {
                let msg = format!("meta.json is not a valid {}: {}", meta::META_SCHEMA, issues.join("; "));
                self.problem("meta-invalid", Some(name), pos, Some(id), msg, "fsck --repair will not guess what it held; restore the blob from a backup, or reset the ref to the last good revision");
                return out;
            }
            match serde_json::from_slice::<Meta>(&bytes) {
                Ok(m) => {
                    self.check_times(name, pos, &c, &m);
                    out.meta = Some(m);
                }
                Err(e) => {
                    let msg = format!("meta.json does not parse: {e}");
                    self.problem("meta-unreadable", Some(name), pos, Some(id), msg, "fsck --repair will not guess the title, URL and note it held; restore the blob from a backup, or reset the ref to the last good revision");
                }
            }
        }
        out
    }

    /// The commit's author and committer times must be the observed time,
    /// or `git log` and `redline log` disagree.
    fn check_times(&mut self, name: &str, pos: Option<u64>, c: &git2::Commit<'_>, m: &Meta) {
        let Ok(at) = super::parse_time(&m.observed_at) else { return };
        for (who, t) in [("author", c.author().when().seconds()), ("committer", c.committer().when().seconds())] {
            if t != at {
                let msg = format!(
                    "meta.json says observed at {}, but the commit's {who} time is {}",
                    m.observed_at,
                    super::format_time(t)
                );
                self.problem("time-mismatch", Some(name), pos, Some(c.id()), msg, "redline writes both from one value, so one was changed with git; fsck --repair cannot tell which is right: reset the ref to the last good revision or restore from a backup");
            }
        }
    }

    /// Numbering, name, hash and counts of each revision, against the text
    /// and the chain.
    fn check_chain_meta(&mut self, name: &str, revs: &mut [Checked]) {
        let first_observed = revs.first().and_then(|r| r.meta.as_ref()).map(|m| m.observed_at.clone());
        let mut by_sha: HashMap<String, u64> = HashMap::new();
        for (i, r) in revs.iter_mut().enumerate() {
            let pos = i as u64 + 1;
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
}

/// The meta.json this revision should have: `m` with every field the text
/// and the chain settle recomputed.
pub(super) fn expected_meta(
    m: &Meta,
    name: &str,
    pos: u64,
    text: &str,
    first: Option<&str>,
    by_sha: &HashMap<String, u64>,
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
    let opt = |v: Option<u64>| v.map_or("null".to_string(), |n| n.to_string());
    cmp("same_as", opt(have.same_as), opt(want.same_as));
    cmp("first_observed_at", have.first_observed_at.clone(), want.first_observed_at.clone());
    out
}
