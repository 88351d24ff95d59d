//! Reading the store: one article's chain, one revision's text or meta, and
//! the list of articles.
//!
//! Only the asked-for article's own parent chain is ever walked, and
//! `list` reads refs plus each tip's meta.json, never history.

use super::guard::Lookup;
use super::list_cache::{self, ListCache};
use super::revspec::RevSpec;
use super::{meta::Meta, store_err, validate_name, Result, Store, StoreError, META_FILE, REF_PREFIX, TEXT_FILE};
use git2::Oid;
use serde::Serialize;

/// One stored revision: its commit id and metadata (text is read on demand).
#[derive(Debug, Clone)]
pub struct Revision {
    /// The revision's commit.
    pub id: Oid,
    /// Its `meta.json`.
    pub meta: Meta,
}

impl Revision {
    /// The revision number (chains are checked, so real numbers fit; a
    /// tampered one past u32 saturates rather than wraps).
    pub fn number(&self) -> u32 {
        u32::try_from(self.meta.revision).unwrap_or(u32::MAX)
    }

    /// The commit id as shown to people (7 hex digits).
    pub fn short_id(&self) -> String {
        super::short_id(self.id)
    }
}

/// One line of `list`.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleSummary {
    /// The article name.
    pub name: String,
    /// How many revisions it has.
    pub revisions: u64,
    /// When revision 1 was observed.
    pub first_observed_at: String,
    /// When the latest revision was observed.
    pub last_observed_at: String,
    /// The latest revision's title.
    pub title: String,
    /// The latest revision's commit id.
    pub id: String,
}

impl Store {
    /// The commit at the tip of `name`'s chain, if the article exists.
    pub fn tip(&self, name: &str) -> Result<Option<Oid>> {
        validate_name(name)?;
        Ok(match self.lookup(name)? {
            Lookup::Missing => None,
            Lookup::Found(id) | Lookup::Unsorted(id) => Some(id),
        })
    }

    fn require_tip(&self, name: &str) -> Result<Oid> {
        self.tip(name)?.ok_or_else(|| StoreError::UnknownArticle { name: name.to_string() })
    }

    /// The revision stored in commit `id` (reads its meta.json).
    pub fn revision(&self, id: Oid) -> Result<Revision> {
        let bytes = self.blob_in(id, META_FILE)?;
        let meta: Meta =
            serde_json::from_slice(&bytes).map_err(|e| self.damaged(id, &format!("unreadable {META_FILE}: {e}")))?;
        Ok(Revision { id, meta })
    }

    /// The latest revision of `name`.
    pub fn latest(&self, name: &str) -> Result<Revision> {
        let tip = self.require_tip(name)?;
        self.revision(tip)
    }

    /// Every revision of `name`, oldest first.
    pub fn history(&self, name: &str) -> Result<Vec<Revision>> {
        let tip = self.require_tip(name)?;
        let mut revs = self.chain(tip)?.into_iter().map(|id| self.revision(id)).collect::<Result<Vec<_>>>()?;
        revs.reverse();
        Ok(revs)
    }

    /// Commit ids from `tip` back to the first revision (newest first).
    pub fn chain(&self, tip: Oid) -> Result<Vec<Oid>> {
        let mut ids = vec![tip];
        let mut cur = tip;
        while let Some(parent) = self.parent_of(cur)? {
            ids.push(parent);
            cur = parent;
        }
        Ok(ids)
    }

    pub(crate) fn parent_of(&self, id: Oid) -> Result<Option<Oid>> {
        let c = self.repo.find_commit(id).map_err(|e| store_err(&self.path, &format!("cannot read commit {id}"), e))?;
        Ok(previous_revision(&c))
    }

    /// Resolve a revision spec (`N`, `latest`, `latest~K`, id prefix).
    pub fn resolve(&self, name: &str, spec: &str) -> Result<Revision> {
        let tip = self.require_tip(name)?;
        let latest = self.revision(tip)?;
        let unknown = |msg: String| StoreError::UnknownRevision { name: name.to_string(), rev: spec.to_string(), msg };
        let parsed = RevSpec::parse(spec).map_err(&unknown)?;
        let count = latest.meta.revision;
        match parsed {
            RevSpec::Latest(0) => Ok(latest),
            RevSpec::Latest(k) if k < count => self.walk_back(tip, k),
            RevSpec::Latest(k) => {
                Err(unknown(format!("latest~{k} is before the first revision ({})", count_phrase(count))))
            }
            RevSpec::Number(n) if n <= count => self.walk_back(tip, count - n),
            RevSpec::Number(n) => {
                let missing = format!("revision {n} does not exist ({})", count_phrase(count));
                match RevSpec::Number(n).as_prefix_fallback(spec) {
                    Some(prefix) => match self.by_prefix(tip, &prefix)? {
                        PrefixMatch::One(r) => Ok(r),
                        PrefixMatch::None(_) => Err(unknown(missing)),
                        PrefixMatch::Many(msg) => Err(unknown(format!("{missing}, and as an id prefix {msg}"))),
                    },
                    None => Err(unknown(missing)),
                }
            }
            RevSpec::At(t) => {
                let (found, first) = self.at_moment(tip, t)?;
                found.ok_or_else(|| {
                    let first = first.map_or_else(|| latest.meta.first_observed_at.clone(), super::format_time);
                    unknown(format!(
                        "no revision was observed by {}; the first was observed at {first}",
                        super::format_time(t)
                    ))
                })
            }
            RevSpec::Prefix(p) => match self.by_prefix(tip, &p)? {
                PrefixMatch::One(r) => Ok(r),
                PrefixMatch::None(msg) | PrefixMatch::Many(msg) => Err(unknown(msg)),
            },
        }
    }

    /// The revision `k` commits before `tip`.
    fn walk_back(&self, tip: Oid, k: u64) -> Result<Revision> {
        let mut cur = tip;
        for _ in 0..k {
            cur = self
                .parent_of(cur)?
                .ok_or_else(|| self.damaged(cur, "the chain ends before its meta.json says it should"))?;
        }
        self.revision(cur)
    }

    /// The revision observed last at or before `t`: the article as it
    /// stood then. By observation time, not chain order: an older sighting
    /// stored later (`--allow-out-of-order`, or inserted by sync) does not
    /// hide a newer one. Equal times go to the later revision. Also the
    /// earliest observation, for the message when none qualifies.
    fn at_moment(&self, tip: Oid, t: i64) -> Result<(Option<Revision>, Option<i64>)> {
        let mut best: Option<(i64, Revision)> = None;
        let mut first: Option<i64> = None;
        for id in self.chain(tip)? {
            let rev = self.revision(id)?;
            let Ok(at) = super::parse_time(&rev.meta.observed_at) else { continue };
            first = Some(first.map_or(at, |f| f.min(at)));
            let newer = best.as_ref().is_none_or(|(b, r)| at > *b || (at == *b && rev.meta.revision > r.meta.revision));
            if at <= t && newer {
                best = Some((at, rev));
            }
        }
        Ok((best.map(|(_, r)| r), first))
    }

    /// The revisions in this article's chain whose id starts with `prefix`;
    /// an ambiguous prefix's message lists the candidates.
    fn by_prefix(&self, tip: Oid, prefix: &str) -> Result<PrefixMatch> {
        let hits: Vec<Oid> = self.chain(tip)?.into_iter().filter(|id| id.to_string().starts_with(prefix)).collect();
        let mut revs = hits.iter().map(|&id| self.revision(id)).collect::<Result<Vec<_>>>()?;
        Ok(match revs.len() {
            0 => PrefixMatch::None(format!("no revision's commit id starts with {prefix}")),
            1 => PrefixMatch::One(revs.remove(0)),
            _ => {
                let list: Vec<String> =
                    revs.iter().rev().map(|r| format!("rev {} ({})", r.meta.revision, r.id)).collect();
                PrefixMatch::Many(format!("the id prefix {prefix} is ambiguous: it matches {}", list.join(", ")))
            }
        })
    }

    /// The exact bytes of a revision's text.
    pub fn text(&self, rev: &Revision) -> Result<Vec<u8>> {
        self.blob_in(rev.id, TEXT_FILE)
    }

    /// A revision's text as a string (stored texts are always UTF-8).
    pub fn text_string(&self, rev: &Revision) -> Result<String> {
        String::from_utf8(self.text(rev)?).map_err(|_| self.damaged(rev.id, "article.txt is not UTF-8"))
    }

    /// The exact bytes of a revision's meta.json.
    pub fn meta_bytes(&self, rev: &Revision) -> Result<Vec<u8>> {
        self.blob_in(rev.id, META_FILE)
    }

    fn blob_in(&self, commit: Oid, file: &str) -> Result<Vec<u8>> {
        let ctx = |what: &str| format!("cannot read {what} of commit {commit}");
        let c = self.repo.find_commit(commit).map_err(|e| store_err(&self.path, &ctx("the commit"), e))?;
        let tree = c.tree().map_err(|e| store_err(&self.path, &ctx("the tree"), e))?;
        let entry = tree.get_name(file).ok_or_else(|| self.damaged(commit, &format!("it has no {file}")))?;
        let blob = self.repo.find_blob(entry.id()).map_err(|e| store_err(&self.path, &ctx(file), e))?;
        Ok(blob.content().to_vec())
    }

    /// Every article's name and tip, sorted by name (refs only), and the
    /// article refs that cannot be followed (symbolic, unreadable), by name.
    pub fn article_refs(&self) -> Result<ArticleRefs> {
        let refs = self
            .repo
            .references_glob(&format!("{REF_PREFIX}*"))
            .map_err(|e| store_err(&self.path, "cannot list refs", e))?;
        let mut out = Vec::new();
        let mut skipped = Vec::new();
        for r in refs {
            let r = match r {
                Ok(r) => r,
                Err(e) => {
                    skipped.push(Skipped { name: "?".into(), why: format!("a ref cannot be read: {}", e.message()) });
                    continue;
                }
            };
            let full = String::from_utf8_lossy(r.name_bytes()).into_owned();
            let name = full.strip_prefix(REF_PREFIX).unwrap_or(&full).to_string();
            match r.target() {
                Some(tip) => out.push((name, tip)),
                None => skipped.push(Skipped { name, why: format!("its ref {full} is symbolic, not a commit id") }),
            }
        }
        out.sort();
        Ok((out, skipped))
    }

    /// Every article with its revision count and time span, from each
    /// tip's meta.json (never from history).
    ///
    /// A damaged article (a symbolic ref, a tip that is not a redline
    /// revision) is skipped and returned by name, so one bad article never
    /// hides the others.
    pub fn list(&self) -> Result<(Vec<ArticleSummary>, Vec<Skipped>)> {
        self.list_under(None)
    }

    /// [`Store::list`], of one group only when `group` is given: the
    /// articles named GROUP or GROUP/… (only their tips are read).
    ///
    /// Lines of tips seen before come from the list cache (`list_cache.rs`);
    /// the other tips' meta.json are read, on two threads when there are
    /// many (each with its own repository handle: a `Repository` is not
    /// `Sync`), and the cache is rewritten with what was learned.
    pub fn list_under(&self, group: Option<&str>) -> Result<(Vec<ArticleSummary>, Vec<Skipped>)> {
        let (mut refs, mut skipped) = self.article_refs()?;
        let all = refs.len();
        if let Some(g) = group {
            let under = format!("{g}/");
            refs.retain(|(n, _)| n == g || n.starts_with(&under));
        }
        let mut cache = ListCache::load(&self.path);
        let missing: Vec<(String, Oid)> =
            refs.iter().filter(|(_, tip)| !cache.lines.contains_key(tip)).cloned().collect();
        let mut learned = std::collections::HashMap::new();
        for (name, result) in missing.iter().map(|(n, _)| n).zip(self.summaries(&missing)?) {
            match result {
                Ok(s) => {
                    learned.insert(name.as_str(), s);
                }
                Err(why) => skipped.push(Skipped { name: name.clone(), why }),
            }
        }
        let mut out = Vec::with_capacity(refs.len());
        for (name, tip) in &refs {
            match cache.lines.get(tip) {
                Some(line) => out.push(line.summary(name, *tip)),
                None => out.extend(learned.remove(name.as_str())),
            }
        }
        if all >= list_cache::min_articles() && out.len() > refs.len() - missing.len() {
            // A whole list keeps only the current tips; a group's adds to
            // what the file held.
            if group.is_none() {
                cache.lines.clear();
            }
            for s in &out {
                if let Ok(tip) = Oid::from_str(&s.id) {
                    cache.lines.insert(tip, list_cache::Line::of(s));
                }
            }
            let _ = ListCache::save(&self.path, cache.lines.iter());
        }
        Ok((out, skipped))
    }

    /// The list line of each `(name, tip)`, in order (or why it cannot be
    /// read), from each tip's meta.json; large sets on two threads.
    fn summaries(&self, refs: &[(String, Oid)]) -> Result<Vec<std::result::Result<ArticleSummary, String>>> {
        let summarize = |store: &Store, part: &[(String, Oid)]| {
            part.iter().map(|(name, tip)| store.summary(name, *tip).map_err(|e| e.to_string())).collect::<Vec<_>>()
        };
        if refs.len() < PARALLEL_LIST {
            return Ok(summarize(self, refs));
        }
        let (mine, theirs) = refs.split_at(refs.len() / 2);
        let path = &self.path;
        std::thread::scope(|scope| {
            let other = scope.spawn(move || -> Result<Vec<_>> {
                let store = Store::open(path)?;
                Ok(summarize(&store, theirs))
            });
            let mut out = summarize(self, mine);
            let rest = other.join().map_err(|_| StoreError::ReaderThread { path: path.clone() })??;
            out.extend(rest);
            Ok(out)
        })
    }

    fn summary(&self, name: &str, tip: Oid) -> Result<ArticleSummary> {
        self.require_commit(name, tip)?;
        Ok(list_cache::Line::of_meta(&self.revision(tip)?.meta).summary(name, tip))
    }

    pub(crate) fn damaged(&self, id: Oid, msg: &str) -> StoreError {
        StoreError::NotARevision { path: self.path.clone(), id, why: msg.to_string() }
    }
}

/// The commit of the revision before `c`: its first parent, except that
/// revision 1 has none. A sync merge whose merged chain is a single
/// revision still lists the old tips as parents (so pushing it is a
/// fast-forward); its message, `rev 1: …`, says they are not earlier
/// revisions. Only commits with several parents are checked, so ordinary
/// chains cost nothing extra.
pub(crate) fn previous_revision(c: &git2::Commit<'_>) -> Option<Oid> {
    if c.parent_count() > 1 && c.message_bytes().starts_with(b"rev 1:") {
        return None;
    }
    c.parent_ids().next()
}

/// Article names with their tips, and the article refs that cannot be followed.
pub type ArticleRefs = (Vec<(String, Oid)>, Vec<Skipped>);

/// An article `list`, `gc` or `info` could not read, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// The article name (or ref) that could not be read.
    pub name: String,
    /// Why.
    pub why: String,
}

/// Stores with at least this many articles are listed on two threads.
const PARALLEL_LIST: usize = 2000;

/// Outcome of looking a commit-id prefix up in one article's chain.
// One value per call: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
enum PrefixMatch {
    One(Revision),
    None(String),
    Many(String),
}

fn count_phrase(count: u64) -> String {
    if count == 1 {
        "there is only 1 revision".into()
    } else {
        format!("there are {count} revisions")
    }
}
