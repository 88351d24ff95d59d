//! Sentence boundaries that moved: an edit that joins sentences (a period
//! becomes a comma, or is dropped so a caption runs into the next line) or
//! splits one. Unit pairing is one to one, so such an edit leaves one old
//! unit paired with the new one and its neighbour unpaired: a whole
//! sentence removed beside a reworded one. Here, after the in-place chain
//! is chosen, unpaired units beside a reworded pair (or beside each other)
//! whose words the pair is missing are taken into it: the k old units and
//! m new units are then one *join*, word-diffed as one block (`button[-.-]`).
//!
//! Only unpaired units inside one changed paragraph on each side are
//! looked at, so texts with no leftovers pay nothing.

use super::doc::{Doc, Item};
use super::engine::{Alignment, Cx, Link};
use super::fold::fold_token;
use std::hash::{Hash, Hasher};
use std::ops::Range;

/// The joined units must be at least this similar (word-bag Dice).
pub const JOIN_THRESHOLD: f32 = 0.75;
/// A unit is taken into a join only when more than this share of its words
/// are words the other side has and the join did not yet account for (half
/// is not enough: `$ cd test` is not part of `$ git init test`).
const FIT: f32 = 0.5;
/// At most this many units on one side of a join.
const MAX_UNITS: usize = 8;
/// Gaps with more unpaired units than this on one side are not searched
/// for a join without a reworded pair to start from.
const MAX_SEED_SIDE: usize = 16;

/// k old units and m new units (k + m >= 3, stream positions) compared as
/// one block. In the alignment the first unit of each side is paired in
/// place with the other's first, the others are unpaired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Join {
    pub old: Range<usize>,
    pub new: Range<usize>,
}

/// Find the joins of `al` and relink it: each join's first units become
/// its in-place pair. Reworded pairs grow first (the common case: a period
/// dropped or added), then gaps whose units are all unpaired are searched.
/// Joins come back sorted, on both sides.
pub fn find(cx: &mut Cx, al: &mut Alignment) -> Vec<Join> {
    let chain: Vec<(usize, usize)> = al
        .new
        .iter()
        .enumerate()
        .filter_map(|(n, l)| if let Link::InPlace(o) = *l { Some((o, n)) } else { None })
        .collect();
    let end = (al.old.len(), al.new.len());
    // Chain pair k's neighbourhood: the stream positions after pair k - 1
    // and before pair k + 1.
    let start_of = |k: usize| if k == 0 { (0, 0) } else { (chain[k - 1].0 + 1, chain[k - 1].1 + 1) };
    let end_of = |k: usize| chain.get(k).copied().unwrap_or(end);
    let mut taken = Taken { old: vec![false; end.0], new: vec![false; end.1] };
    let mut joins = Vec::new();
    let none = |links: &[Link], p: Option<usize>| p.and_then(|p| links.get(p)) == Some(&Link::None);
    for (k, &(o, n)) in chain.iter().enumerate() {
        // Most pairs have no unpaired neighbour: four reads and done.
        let lonely =
            [(&al.old, o), (&al.new, n)].iter().any(|(l, p)| none(l, p.checked_sub(1)) || none(l, Some(p + 1)));
        if !lonely || !reworded(cx, o, n) {
            continue;
        }
        let (s, e) = (start_of(k), end_of(k + 1));
        if let Some(j) = grow(cx, al, &taken, o..o + 1, n..n + 1, (s.0..e.0, s.1..e.1)) {
            taken.claim(&j);
            joins.push(j);
        }
    }
    for k in 0..=chain.len() {
        let (s, e) = (start_of(k), end_of(k));
        if let Some(j) = seed_gap(cx, al, &taken, s.0..e.0, s.1..e.1) {
            taken.claim(&j);
            joins.push(j);
        }
    }
    joins.sort_unstable_by_key(|j| j.old.start);
    for j in &joins {
        for o in j.old.clone() {
            al.old[o] = Link::None;
        }
        for n in j.new.clone() {
            al.new[n] = Link::None;
        }
        al.old[j.old.start] = Link::InPlace(j.new.start);
        al.new[j.new.start] = Link::InPlace(j.old.start);
    }
    joins
}

/// Stream positions already in a join, on each side.
struct Taken {
    old: Vec<bool>,
    new: Vec<bool>,
}

impl Taken {
    fn claim(&mut self, j: &Join) {
        self.old[j.old.clone()].fill(true);
        self.new[j.new.clone()].fill(true);
    }
}

/// The join starting at old stream position `o`, if any.
pub fn at(joins: &[Join], o: usize) -> Option<&Join> {
    let k = joins.partition_point(|j| j.old.start < o);
    joins.get(k).filter(|j| j.old.start == o)
}

/// An in-place pair of two units whose text differs.
fn reworded(cx: &Cx, o: usize, n: usize) -> bool {
    let (Item::Unit(a), Item::Unit(b)) = (cx.old.stream[o], cx.new.stream[n]) else { return false };
    cx.old.units[a].key != cx.new.units[b].key
}

/// A gap between chain pairs with unpaired units on both sides: the
/// closest pair of them, grown. A sentence split in three rarely pairs
/// with any one of its parts.
fn seed_gap(cx: &mut Cx, al: &Alignment, t: &Taken, os: Range<usize>, ns: Range<usize>) -> Option<Join> {
    if os.is_empty() || ns.is_empty() {
        return None;
    }
    let free_old: Vec<usize> = os.clone().filter(|&o| free(cx, al, t, true, o)).collect();
    let free_new: Vec<usize> = ns.clone().filter(|&n| free(cx, al, t, false, n)).collect();
    if free_old.is_empty() || free_new.is_empty() || free_old.len().max(free_new.len()) > MAX_SEED_SIDE {
        return None;
    }
    let unit = |d: &super::doc::Doc, pos: usize| d.stream[pos].unit().unwrap_or(0);
    for &o in &free_old {
        cx.old.ensure_tokens(cx.old.stream[o], &mut cx.int);
    }
    for &n in &free_new {
        cx.new.ensure_tokens(cx.new.stream[n], &mut cx.int);
    }
    let mut best: Option<(f32, usize, usize)> = None;
    for &n in &free_new {
        for &o in &free_old {
            let (a, b) = (cx.old.bag(unit(&cx.old, o)), cx.new.bag(unit(&cx.new, n)));
            if !cx.budget.charge((a.len() + b.len()) as u64 + 1) {
                return None;
            }
            let d = if a.is_empty() || b.is_empty() { 0.0 } else { super::align::dice(a, b) };
            if d > 0.0 && best.is_none_or(|b| d > b.0) {
                best = Some((d, o, n));
            }
        }
    }
    let (_, o, n) = best?;
    grow(cx, al, t, o..o + 1, n..n + 1, (os, ns))
}

/// Whether stream position `pos` (old side when `old`) is an unpaired unit
/// no join has taken.
fn free(cx: &Cx, al: &Alignment, t: &Taken, old: bool, pos: usize) -> bool {
    let (d, links, taken) = if old { (&cx.old, &al.old, &t.old) } else { (&cx.new, &al.new, &t.new) };
    links[pos] == Link::None && !taken[pos] && matches!(d.stream[pos], Item::Unit(_))
}

/// The unit at stream position `pos` as a sorted bag of its words, each
/// folded (typography, as ids are) and lowercased: joining or splitting a
/// sentence changes the case of its first word (`. It rose` → `, it
/// rose`), and that word must count as the same one on both sides, or a
/// two-word sentence could never be taken into a join (one word of two is
/// not more than half).
fn bag_at(cx: &mut Cx, old: bool, pos: usize) -> Vec<u64> {
    let d = if old { &mut cx.old } else { &mut cx.new };
    let Item::Unit(u) = d.stream[pos] else { return Vec::new() };
    d.ensure_tokens(Item::Unit(u), &mut cx.int);
    let text = d.text;
    let mut b: Vec<u64> = d
        .tokens(Item::Unit(u))
        .toks
        .iter()
        .filter(|t| t.word)
        .map(|t| {
            let mut h = rustc_hash::FxHasher::default();
            fold_token(t.content(text)).to_lowercase().hash(&mut h);
            h.finish()
        })
        .collect();
    b.sort_unstable();
    b
}

/// Dice coefficient of two sorted multisets (see [`super::align::dice`]).
fn dice(a: &[u64], b: &[u64]) -> f32 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    (2 * common(a, b)) as f32 / (a.len() + b.len()) as f32
}

/// Common entries of two sorted multisets.
fn common(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut c) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                c += 1;
                i += 1;
                j += 1;
            }
        }
    }
    c
}

fn merged(a: &[u64], b: &[u64]) -> Vec<u64> {
    let mut m = Vec::with_capacity(a.len() + b.len());
    m.extend_from_slice(a);
    m.extend_from_slice(b);
    m.sort_unstable();
    m
}

/// The paragraph of stream position `pos` (old side when `is_old`).
fn para(cx: &Cx, is_old: bool, pos: usize) -> usize {
    let d = if is_old { &cx.old } else { &cx.new };
    d.para_of(d.stream[pos])
}

/// The units a join of `old` × `new` may take next: the unpaired units
/// just before and after each side, inside `lim` and the side's paragraph
/// (`homes`), while the side has fewer than [`MAX_UNITS`]. As (is_old, pos).
fn neighbours<'c>(
    cx: &'c Cx,
    al: &'c Alignment,
    t: &'c Taken,
    (old, new): (&Range<usize>, &Range<usize>),
    lim: &(Range<usize>, Range<usize>),
    homes: (usize, usize),
) -> impl Iterator<Item = (bool, usize)> + 'c {
    let side = |r: &Range<usize>, l: &Range<usize>| {
        let room = r.len() < MAX_UNITS;
        let before = r.start.checked_sub(1).filter(|&p| room && p >= l.start);
        let after = Some(r.end).filter(|&p| room && p < l.end);
        [before, after]
    };
    let olds = side(old, &lim.0).map(|p| p.map(|p| (true, p)));
    let news = side(new, &lim.1).map(|p| p.map(|p| (false, p)));
    olds.into_iter().chain(news).flatten().filter(move |&(is_old, pos)| {
        let home = if is_old { homes.0 } else { homes.1 };
        free(cx, al, t, is_old, pos) && para(cx, is_old, pos) == home
    })
}

/// Grow the pair `old` × `new` (stream positions) one neighbouring unpaired
/// unit at a time, inside `lim` and its paragraphs, while each step raises
/// the similarity and the unit taken fits (see [`FIT`]). A join when it
/// ends with three units or more, at least [`JOIN_THRESHOLD`] similar.
fn grow(
    cx: &mut Cx,
    al: &Alignment,
    t: &Taken,
    mut old: Range<usize>,
    mut new: Range<usize>,
    lim: (Range<usize>, Range<usize>),
) -> Option<Join> {
    let homes = (para(cx, true, old.start), para(cx, false, new.start));
    // Most reworded pairs have no unpaired neighbour: they cost this check.
    neighbours(cx, al, t, (&old, &new), &lim, homes).next()?;
    let mut ob = old.clone().flat_map(|o| bag_at(cx, true, o)).collect::<Vec<_>>();
    let mut nb = new.clone().flat_map(|n| bag_at(cx, false, n)).collect::<Vec<_>>();
    ob.sort_unstable();
    nb.sort_unstable();
    let mut score = dice(&ob, &nb);
    loop {
        let cands: Vec<(bool, usize)> = neighbours(cx, al, t, (&old, &new), &lim, homes).collect();
        let mut best: Option<(f32, bool, usize, Vec<u64>)> = None;
        for (is_old, pos) in cands {
            let b = bag_at(cx, is_old, pos);
            let (mine, other) = if is_old { (&ob, &nb) } else { (&nb, &ob) };
            if b.is_empty() || !cx.budget.charge((mine.len() + other.len() + b.len()) as u64 + 1) {
                continue;
            }
            let grown = merged(mine, &b);
            let gained = common(&grown, other) - common(mine, other);
            let d = dice(&grown, other);
            if gained as f32 > FIT * b.len() as f32 && d > score && best.as_ref().is_none_or(|x| d > x.0) {
                best = Some((d, is_old, pos, grown));
            }
        }
        let Some((d, is_old, pos, grown)) = best else { break };
        score = d;
        if is_old {
            ob = grown;
            old = old.start.min(pos)..old.end.max(pos + 1);
        } else {
            nb = grown;
            new = new.start.min(pos)..new.end.max(pos + 1);
        }
    }
    (old.len() + new.len() >= 3 && score >= JOIN_THRESHOLD).then_some(Join { old, new })
}

/// The units of a join's side (stream positions `r`, all units of one
/// paragraph, so their indices are consecutive too).
pub fn units(d: &Doc, r: &Range<usize>) -> Range<usize> {
    let first = d.stream[r.start].unit().unwrap_or(0);
    first..first + r.len()
}
