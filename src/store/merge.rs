//! The per-article merge of `sync`: two independent observation chains of
//! one article become one chain that loses no observation.
//!
//! The rule (README, "Sharing an archive"):
//! - every revision is one or more *sightings* (observer, time) of a text;
//!   a sighting is told apart from an equal one in the same chain by its
//!   occurrence number, so a store's repeats in one second stay repeats;
//! - the union of both first-parent chains' sightings is a stable merge:
//!   each chain's own order is kept (same-second revisions, imports with
//!   day-precision dates, out-of-order commits), and where neither chain
//!   orders two sightings, the earlier (time, text hash, observer) goes
//!   first; should the chains disagree (only a hand-made history can),
//!   the smallest of the two chains' next sightings goes first;
//! - consecutive sightings of the same text collapse into one revision that
//!   lists them all in `seen`, so a text seen twice is one revision and a
//!   flip-flop stays a flip-flop;
//! - the chain is rebuilt from the first revision that differs from the
//!   longest matching prefix of either side; the new tip gets the old tips
//!   as extra parents, so pushing it is a fast-forward and every old commit
//!   stays reachable;
//!   (When the merged chain is a single revision, its commit's parents are
//!   all old tips; its message, `rev 1: …`, tells readers it has no earlier
//!   revision: see `read::previous_revision`.)
//! - everything in a rebuilt commit is a function of the sightings and the
//!   source revisions (fixed identity, observed times, canonical meta.json,
//!   a deterministic diff), so two machines merging the same two tips get
//!   the same tip id, and the second push is "up to date".

use super::meta::{self, Meta, MetaInput, Prev, Sighting};
use super::write::write_revision_with;
use super::{store_err, Result, Store, TEXT_FILE};
use git2::Oid;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One observation: when, which text (its SHA-256), who, and how many
/// equal observations came before it in its chain (a flip-flop within one
/// second sees the same text twice). Ordered as the merge breaks ties.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Key {
    pub at: i64,
    pub sha: String,
    pub observer: String,
    pub occ: u32,
}

/// A revision of a chain, read for merging.
struct ChainRev {
    id: Oid,
    meta: Meta,
    blob: Oid,
    /// (time, observer), in the order `seen` lists them.
    sightings: Vec<(i64, String)>,
}

/// A revision of the merged sequence, before it is written.
struct Group {
    sha: String,
    blob: Oid,
    sightings: Vec<(i64, String)>,
    /// The revision whose metadata (title, URL, note, fetch) it takes: the
    /// smallest commit id holding its first sighting, on either side.
    source: Oid,
}

/// The sightings a revision's meta.json records: its `seen` list (in its
/// order, repeats kept), or its one observation (an unknown observer for
/// revisions made before sync).
pub(crate) fn sightings_of(m: &Meta) -> std::result::Result<Vec<(i64, String)>, String> {
    let parse = |t: &str| super::parse_time(t).map_err(|e| format!("time {t:?} in meta.json: {e}"));
    let mut v = if m.seen.is_empty() {
        vec![(parse(&m.observed_at)?, m.observer.clone().unwrap_or_default())]
    } else {
        m.seen
            .iter()
            .map(|s| Ok((parse(&s.at)?, s.observer.clone())))
            .collect::<std::result::Result<Vec<_>, String>>()?
    };
    if v.is_empty() {
        v.push((parse(&m.observed_at)?, m.observer.clone().unwrap_or_default()));
    }
    Ok(v)
}

impl Store {
    /// Every revision of `tip`'s first-parent chain, oldest first.
    fn chain_revs(&self, tip: Oid) -> Result<Vec<ChainRev>> {
        let mut out = Vec::new();
        for id in self.chain(tip)?.into_iter().rev() {
            let meta = self.revision(id)?.meta;
            let c = self.repo.find_commit(id).map_err(|e| store_err(&self.path, "cannot read a commit", e))?;
            let tree = c.tree().map_err(|e| store_err(&self.path, "cannot read a tree", e))?;
            let blob = tree.get_name(TEXT_FILE).ok_or_else(|| self.damaged(id, "it has no article.txt"))?.id();
            let sightings = sightings_of(&meta).map_err(|e| self.damaged(id, &e))?;
            out.push(ChainRev { id, meta, blob, sightings });
        }
        Ok(out)
    }

    /// Every observation in `tip`'s first-parent chain (`fsck` checks that
    /// a merge keeps all of its old tips' observations).
    pub(crate) fn chain_keys(&self, tip: Oid) -> Result<BTreeSet<Key>> {
        Ok(chain_keys_of(&self.chain_revs(tip)?).into_iter().map(|(k, _)| k).collect())
    }

    /// Merge the diverged chains at `a` and `b` of article `name` (see the
    /// module docs) and return the new tip; no ref is moved. The result
    /// does not depend on which side is local.
    pub(crate) fn merge_chains(&self, name: &str, a: Oid, b: Oid) -> Result<Oid> {
        let sides = [self.chain_revs(a)?, self.chain_revs(b)?];
        let groups = merged_groups(&sides);
        let metas: HashMap<Oid, &Meta> = sides.iter().flatten().map(|r| (r.id, &r.meta)).collect();
        let (k, base) = reusable_prefix(&sides, &groups);
        let mut first_pos: HashMap<&str, u64> = HashMap::new();
        for (i, g) in groups.iter().enumerate() {
            first_pos.entry(g.sha.as_str()).or_insert(i as u64 + 1);
        }
        let mut prev: Option<(Meta, String, Oid)> = match base {
            Some(id) => {
                let rev = self.revision(id)?;
                let text = self.text_string(&rev)?;
                Some((rev.meta, text, id))
            }
            None => None,
        };
        let mut extras: Vec<Oid> = [a, b].into_iter().filter(|t| Some(*t) != base).collect();
        extras.sort();
        extras.dedup();
        for (i, g) in groups.iter().enumerate().skip(k) {
            let blob = self.repo.find_blob(g.blob).map_err(|e| store_err(&self.path, "cannot read a text", e))?;
            let text = String::from_utf8(blob.content().to_vec())
                .map_err(|_| self.damaged(g.source, "article.txt is not UTF-8"))?;
            let src = metas[&g.source];
            let pos = i as u64 + 1;
            let (at, first_observer) = &g.sightings[0];
            let mut m = meta::build(MetaInput {
                name,
                text: &text,
                sha256: &g.sha,
                title: Some(&src.title),
                url: src.url.as_deref(),
                observed_at: *at,
                message: src.message.as_deref(),
                prev: prev.as_ref().map(|(m, t, _)| Prev { meta: m, text: t }),
                same_as: first_pos.get(g.sha.as_str()).copied().filter(|p| *p < pos),
                observer: Some(first_observer.as_str()).filter(|o| !o.is_empty()),
            });
            m.fetch = src.fetch.clone();
            m.merged = true;
            if g.sightings.len() > 1 {
                m.seen = g
                    .sightings
                    .iter()
                    .map(|(t, o)| Sighting { observer: o.clone(), at: super::format_time(*t) })
                    .collect();
            }
            let mut parents: Vec<Oid> = prev.as_ref().map(|(_, _, id)| *id).into_iter().collect();
            if i + 1 == groups.len() {
                parents.extend(&extras);
            }
            let id = write_revision_with(&self.repo, &parents, &m, &text, *at)
                .map_err(|e| store_err(&self.path, &format!("cannot write the merged revision of {name}"), e))?;
            prev = Some((m, text, id));
        }
        Ok(prev.map(|(_, _, id)| id).expect("a merge of two non-empty chains has revisions"))
    }
}

/// Every sighting of a chain, in chain order, with its occurrence number
/// and the revision that holds it.
fn chain_keys_of(chain: &[ChainRev]) -> Vec<(Key, &ChainRev)> {
    let mut seen: HashMap<(i64, &str, &str), u32> = HashMap::new();
    let mut out = Vec::new();
    for r in chain {
        for (at, observer) in &r.sightings {
            let n = seen.entry((*at, r.meta.sha256.as_str(), observer.as_str())).or_insert(0);
            out.push((Key { at: *at, sha: r.meta.sha256.clone(), observer: observer.clone(), occ: *n }, r));
            *n += 1;
        }
    }
    out
}

/// The union of both sides' sightings, in merge order (module docs): a
/// topological order of both chains' orders, smallest key first among the
/// sightings free to go; then consecutive sightings of one text collapse
/// into one revision. The result does not depend on the order of `sides`.
fn merged_groups(sides: &[Vec<ChainRev>; 2]) -> Vec<Group> {
    let seqs: Vec<Vec<(Key, &ChainRev)>> = sides.iter().map(|c| chain_keys_of(c)).collect();
    // Per sighting: its source revision (smallest id holding it) and blob.
    let mut source: BTreeMap<&Key, (Oid, Oid)> = BTreeMap::new();
    for (k, r) in seqs.iter().flatten() {
        let e = source.entry(k).or_insert((r.id, r.blob));
        if r.id < e.0 {
            *e = (r.id, r.blob);
        }
    }
    let mut next: BTreeMap<&Key, BTreeSet<&Key>> = BTreeMap::new();
    let mut indegree: BTreeMap<&Key, usize> = source.keys().map(|k| (*k, 0)).collect();
    for seq in &seqs {
        for w in seq.windows(2) {
            if next.entry(&w[0].0).or_default().insert(&w[1].0) {
                *indegree.get_mut(&w[1].0).expect("every key is a node") += 1;
            }
        }
    }
    let mut free: BTreeSet<&Key> = indegree.iter().filter(|(_, d)| **d == 0).map(|(k, _)| *k).collect();
    let mut done: BTreeSet<&Key> = BTreeSet::new();
    let mut order: Vec<&Key> = Vec::with_capacity(source.len());
    while order.len() < source.len() {
        let k = match free.pop_first() {
            Some(k) => k,
            // The chains order some sightings both ways: take the smallest
            // of the chains' next sightings, so the merge still ends.
            None => seqs
                .iter()
                .filter_map(|seq| seq.iter().map(|(k, _)| k).find(|k| !done.contains(k)))
                .min()
                .expect("a sighting is left"),
        };
        if !done.insert(k) {
            continue;
        }
        order.push(k);
        for n in next.get(k).into_iter().flatten() {
            let d = indegree.get_mut(n).expect("every key is a node");
            *d = d.saturating_sub(1);
            if *d == 0 && !done.contains(n) {
                free.insert(n);
            }
        }
    }
    let mut groups: Vec<Group> = Vec::new();
    for key in order {
        match groups.last_mut() {
            Some(g) if g.sha == key.sha => g.sightings.push((key.at, key.observer.clone())),
            _ => {
                let (src, blob) = source[key];
                groups.push(Group {
                    blob,
                    sha: key.sha.clone(),
                    sightings: vec![(key.at, key.observer.clone())],
                    source: src,
                })
            }
        }
    }
    groups
}

/// How many leading merged revisions an existing chain already holds, and
/// the commit to build on. At least the last revision is always rebuilt
/// (it carries the old tips as parents). Of two equal prefixes, the one
/// ending in the smaller commit id is used, so both machines agree.
fn reusable_prefix(sides: &[Vec<ChainRev>; 2], groups: &[Group]) -> (usize, Option<Oid>) {
    let cap = groups.len().saturating_sub(1);
    let best = sides
        .iter()
        .map(|chain| {
            let k = chain
                .iter()
                .zip(groups)
                .take_while(|(c, g)| c.meta.sha256 == g.sha && c.sightings == g.sightings)
                .count()
                .min(cap);
            (k, k.checked_sub(1).map(|i| chain[i].id))
        })
        .max_by(|x, y| x.0.cmp(&y.0).then_with(|| y.1.cmp(&x.1)));
    best.unwrap_or((0, None))
}
