//! Alignment of the two reading-order streams of units.
//!
//! 1. Paragraphs that match exactly (patience over folded keys) are
//!    anchors, and stay whole; every other paragraph is cut into units
//!    (sentences within lines). See [`super::doc`].
//! 2. Between consecutive paragraph anchors (a *gap*), units that match
//!    exactly and in order are anchors too; between those, units are paired
//!    in order by word-bag similarity (a reworded sentence).
//! 3. Units still unpaired anywhere are paired across the whole text, by
//!    exact key, then as near copies: the candidates for moves.
//! 4. The heaviest chain of pairs in order on both sides is *in place*. A
//!    pair off the chain is a move only when it reorders text: an unchanged
//!    in-place unit lies before it on one side and after it on the other.
//!    Otherwise nothing moved (re-paragraphing, a rewrite in place), and the
//!    pair is dropped: its units read as removed and added.
//! 5. Unpaired units beside a reworded pair that account for its missing
//!    words join it (a sentence boundary moved): see [`super::joins`].

use super::align::{dice, exact_pairs, heaviest_increasing, similar_pairs};
use super::doc::{Doc, Item};
use super::joins::Join;
use super::words::Interner;
use rustc_hash::FxHashMap;

/// Units paired in order (a reworded sentence) need this word-bag similarity.
pub const SENT_THRESHOLD: f32 = 0.5;
/// Units paired out of order (a move) must be closer than neighbours, or
/// unrelated sentences would be "moved".
pub const MOVE_THRESHOLD: f32 = 0.6;
/// A unit moves only if it has at least this many words: shorter ones
/// ("Yes.", "----", "[source,console]") recur by chance.
pub const MIN_MOVE_WORDS: usize = 4;
/// An exact copy this short still moves when it is the only copy on each
/// side of the leftovers ("- quoting other people" moved down a list).
const MIN_SHORT_WORDS: usize = 3;
/// Gaps up to this many candidate pairs are compared all against all;
/// larger ones only near their diagonal (see [`banded`]).
const ALL_PAIRS: usize = 4096;
/// Half-width of the diagonal band in a large gap, in units.
const BAND: usize = 24;

/// Work left for pairing and word diffs, counted in comparisons. When it
/// runs out the rest of the diff is coarser and `cut` says so; the count
/// depends only on the inputs, so the cut falls in the same place every time.
#[derive(Debug, Clone)]
pub struct Budget {
    left: u64,
    pub cut: bool,
}

impl Budget {
    pub fn new(total: u64) -> Budget {
        Budget { left: total, cut: false }
    }

    /// Spend `n`; false (and `cut` set) when there is not that much left.
    pub fn charge(&mut self, n: u64) -> bool {
        if self.cut || n > self.left {
            self.cut = true;
            self.left = 0;
            return false;
        }
        self.left -= n;
        true
    }
}

/// Shared state of one diff computation.
pub struct Cx<'a> {
    pub old: Doc<'a>,
    pub new: Doc<'a>,
    pub int: Interner,
    pub budget: Budget,
    pub strict: bool,
}

/// How a stream item relates to the other text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// No counterpart: added or removed (or duplicated).
    None,
    /// Paired with this stream position, in order.
    InPlace(usize),
    /// Paired with this stream position, out of order: a move with this id.
    Moved(usize, u32),
}

/// The alignment of two streams: one link per stream position.
pub struct Alignment {
    pub old: Vec<Link>,
    pub new: Vec<Link>,
    pub next_move: u32,
    /// In-place pairs that are really several units on one side (a
    /// sentence boundary moved), sorted: see [`super::joins`].
    pub joins: Vec<Join>,
}

/// A candidate pair of stream positions, with its similarity (1 for exact).
#[derive(Debug, Clone, Copy)]
struct Cand {
    o: usize,
    n: usize,
    score: f32,
}

/// Align the two texts of `cx`.
pub fn align(cx: &mut Cx) -> Alignment {
    let anchors = exact_pairs(&cx.old.pkeys, &cx.new.pkeys);
    let (mut old_anchored, mut new_anchored) = (vec![false; cx.old.paras.len()], vec![false; cx.new.paras.len()]);
    for &(o, n) in &anchors {
        old_anchored[o] = true;
        new_anchored[n] = true;
    }
    let old_rest: Vec<usize> = (0..old_anchored.len()).filter(|&p| !old_anchored[p]).collect();
    let new_rest: Vec<usize> = (0..new_anchored.len()).filter(|&p| !new_anchored[p]).collect();
    cx.old.expand_pair(&old_rest, &mut cx.new, &new_rest);
    cx.old.build_stream();
    cx.new.build_stream();

    let end = (cx.old.stream.len(), cx.new.stream.len());
    let positions: Vec<(usize, usize)> =
        anchors.iter().map(|&(o, n)| (cx.old.para_pos[o], cx.new.para_pos[n])).collect();
    drop(anchors);
    // Exact unit matches in every gap first: only the units left between
    // them are tokenized (all at once, so a big batch can use two threads).
    let mut gaps: Vec<Gap> = Vec::new();
    let mut prev = (0, 0);
    for &c in positions.iter().chain(std::iter::once(&end)) {
        gaps.push(exact_in_gap(cx, prev.0..c.0, prev.1..c.1));
        prev = (c.0 + 1, c.1 + 1);
    }
    tokenize_unmatched(cx, &gaps);
    let mut cands: Vec<Cand> = Vec::with_capacity(positions.len() + cx.new.units.len());
    for (gap, c) in gaps.iter().zip(positions.into_iter().map(Some).chain(std::iter::once(None))) {
        pair_gap(cx, gap, &mut cands);
        if let Some(c) = c {
            cands.push(Cand { o: c.0, n: c.1, score: 1.0 });
        }
    }
    pair_across(cx, &mut cands);
    let mut al = classify(cx, cands);
    al.joins = super::joins::find(cx, &mut al);
    al
}

/// One gap between paragraph anchors (stream positions on each side) and
/// the exact in-order matches of its units (offsets into the gap).
struct Gap {
    old: std::ops::Range<usize>,
    new: std::ops::Range<usize>,
    exact: Vec<(usize, usize)>,
}

impl Gap {
    /// The stretches between exact matches, as stream positions, with the
    /// exact match that ends each (`None` after the last).
    fn stretches(
        &self,
    ) -> impl Iterator<Item = (std::ops::Range<usize>, std::ops::Range<usize>, Option<(usize, usize)>)> + '_ {
        let (o0, n0) = (self.old.start, self.new.start);
        let ends = self.exact.iter().map(|&(i, j)| (i, j, true)).chain(std::iter::once((
            self.old.len(),
            self.new.len(),
            false,
        )));
        let mut prev = (0, 0);
        ends.map(move |(i, j, exact)| {
            let s = (o0 + prev.0..o0 + i, n0 + prev.1..n0 + j, exact.then_some((o0 + i, n0 + j)));
            prev = (i + 1, j + 1);
            s
        })
    }
}

/// The exact in-order unit matches of one gap (by key).
fn exact_in_gap(cx: &Cx, old: std::ops::Range<usize>, new: std::ops::Range<usize>) -> Gap {
    if old.is_empty() || new.is_empty() {
        return Gap { old, new, exact: Vec::new() };
    }
    let ok: Vec<u64> = old.clone().map(|i| cx.old.key(cx.old.stream[i])).collect();
    let nk: Vec<u64> = new.clone().map(|i| cx.new.key(cx.new.stream[i])).collect();
    let exact = exact_pairs(&ok, &nk);
    Gap { old, new, exact }
}

/// Tokenize every unit that no exact match claimed: the ones similarity
/// pairing, moves and word diffs may read. A unit matched exactly costs
/// its key and its word count, nothing more.
fn tokenize_unmatched(cx: &mut Cx, gaps: &[Gap]) {
    let (mut ou, mut nu) = (Vec::new(), Vec::new());
    for (os, ns, _) in gaps.iter().flat_map(Gap::stretches) {
        ou.extend(os.filter_map(|p| cx.old.stream[p].unit()));
        nu.extend(ns.filter_map(|p| cx.new.stream[p].unit()));
    }
    cx.old.tokenize_pair(&ou, &mut cx.new, &nu, &mut cx.int);
}

/// Pair the units of one gap between paragraph anchors: its exact in-order
/// matches, then similar units in order between them.
fn pair_gap(cx: &mut Cx, gap: &Gap, out: &mut Vec<Cand>) {
    if gap.old.is_empty() || gap.new.is_empty() {
        return;
    }
    for (os, ns, exact) in gap.stretches() {
        pair_in_order(cx, os, ns, out);
        if let Some((o, n)) = exact {
            out.push(Cand { o, n, score: 1.0 });
        }
    }
}

fn bag<'d>(d: &'d Doc, pos: usize) -> &'d [u32] {
    match d.stream[pos] {
        Item::Unit(u) => d.bag(u),
        Item::Para(_) => &[],
    }
}

/// Pair similar units of `os` and `ns` (stream positions, a stretch with
/// no exact match inside) keeping their order: a rewritten passage reads as
/// its sentences reworded one by one.
fn pair_in_order(cx: &mut Cx, os: std::ops::Range<usize>, ns: std::ops::Range<usize>, out: &mut Vec<Cand>) {
    if os.is_empty() || ns.is_empty() {
        return;
    }
    let mut cands: Vec<Cand> = Vec::new();
    let mut score = |cx: &mut Cx, i: usize, j: usize| {
        let (a, b) = (bag(&cx.old, os.start + i), bag(&cx.new, ns.start + j));
        if !cx.budget.charge((a.len() + b.len()) as u64 + 1) {
            return;
        }
        // No merge when even all of the shorter bag in common would fall
        // short (the same division, so the same verdict as `dice`).
        let most = (2 * a.len().min(b.len())) as f32 / (a.len() + b.len()).max(1) as f32;
        if most < SENT_THRESHOLD {
            return;
        }
        let d = dice(a, b);
        if d >= SENT_THRESHOLD && !(a.is_empty() && b.is_empty()) {
            cands.push(Cand { o: i, n: j, score: d });
        }
    };
    if os.len() * ns.len() <= ALL_PAIRS {
        for j in 0..ns.len() {
            for i in 0..os.len() {
                score(cx, i, j);
            }
        }
    } else {
        for j in 0..ns.len() {
            for i in banded(j, os.len(), ns.len()) {
                score(cx, i, j);
            }
        }
    }
    let at = |c: &Cand| Cand { o: os.start + c.o, n: ns.start + c.n, score: c.score };
    if cands.len() <= 1 {
        // One candidate is its own heaviest chain (the common case: one
        // reworded sentence between two unchanged ones).
        out.extend(cands.iter().map(at));
        return;
    }
    let words = |c: &Cand| (cx.old.item_words(cx.old.stream[os.start + c.o]) + 4) as f32;
    for c in in_order(&cands, &|c| (c.score * words(c) * 100.0) as u64) {
        out.push(at(&c));
    }
}

/// Old indices near new index `j`'s place on the diagonal of an
/// `n_old` × `n_new` gap. Pairing stays linear in the gap's size, and a
/// paragraph made of common words still meets its counterpart (a global
/// word index would skip those words as stop words).
fn banded(j: usize, n_old: usize, n_new: usize) -> std::ops::Range<usize> {
    let mid = j * n_old / n_new.max(1);
    mid.saturating_sub(BAND)..(mid + BAND + 1).min(n_old)
}

/// The heaviest subset of `cands` in order on both sides.
fn in_order(cands: &[Cand], weight: &dyn Fn(&Cand) -> u64) -> Vec<Cand> {
    let mut sorted = cands.to_vec();
    let chain = chain_of(&mut sorted, weight);
    chain.into_iter().map(|k| sorted[k]).collect()
}

/// Sort `cands` (new ascending, old descending) and return the indices of
/// the heaviest chain in order on both sides.
fn chain_of(cands: &mut [Cand], weight: &dyn Fn(&Cand) -> u64) -> Vec<usize> {
    cands.sort_unstable_by(|a, b| a.n.cmp(&b.n).then(b.o.cmp(&a.o)));
    let pairs: Vec<(usize, usize)> = cands.iter().map(|c| (c.o, c.n)).collect();
    heaviest_increasing(&pairs, &|k| weight(&cands[k]))
}

/// Pair units left over anywhere: exact copies, then near copies. Short
/// units are left alone: they match by chance.
fn pair_across(cx: &mut Cx, cands: &mut Vec<Cand>) {
    let (mut ou, mut nu) = (vec![false; cx.old.stream.len()], vec![false; cx.new.stream.len()]);
    for c in cands.iter() {
        ou[c.o] = true;
        nu[c.n] = true;
    }
    let words = |d: &Doc, pos: usize| match d.stream[pos] {
        Item::Unit(u) => d.units[u].words(),
        Item::Para(_) => 0,
    };
    let ol: Vec<usize> = (0..ou.len()).filter(|&i| !ou[i] && words(&cx.old, i) >= MIN_SHORT_WORDS).collect();
    let nl: Vec<usize> = (0..nu.len()).filter(|&j| !nu[j] && words(&cx.new, j) >= MIN_SHORT_WORDS).collect();
    let mut by_key: FxHashMap<u64, (Vec<usize>, usize)> = FxHashMap::default();
    for &i in ol.iter().rev() {
        by_key.entry(cx.old.key(cx.old.stream[i])).or_default().0.push(i);
    }
    for &j in &nl {
        if let Some(e) = by_key.get_mut(&cx.new.key(cx.new.stream[j])) {
            e.1 += 1;
        }
    }
    for &j in &nl {
        let Some((olds, seen)) = by_key.get_mut(&cx.new.key(cx.new.stream[j])) else { continue };
        // A short unit moves only when it is the one copy on each side.
        let short = words(&cx.new, j) < MIN_MOVE_WORDS;
        if short && (olds.len() != 1 || *seen != 1) {
            continue;
        }
        if let Some(i) = olds.pop() {
            ou[i] = true;
            nu[j] = true;
            cands.push(Cand { o: i, n: j, score: 1.0 });
        }
    }
    let ol: Vec<usize> = ol.into_iter().filter(|&i| words(&cx.old, i) >= MIN_MOVE_WORDS).collect();
    let nl: Vec<usize> = nl.into_iter().filter(|&j| words(&cx.new, j) >= MIN_MOVE_WORDS).collect();
    let ol: Vec<usize> = ol.into_iter().filter(|&i| !ou[i]).collect();
    let nl: Vec<usize> = nl.into_iter().filter(|&j| !nu[j]).collect();
    // Leftovers were tokenized with the gaps' stretches; this only checks.
    let units = |d: &Doc, ps: &[usize]| ps.iter().filter_map(|&p| d.stream[p].unit()).collect::<Vec<_>>();
    let (ou, nu) = (units(&cx.old, &ol), units(&cx.new, &nl));
    cx.old.tokenize_pair(&ou, &mut cx.new, &nu, &mut cx.int);
    let cost: usize = ol.iter().map(|&i| bag(&cx.old, i).len()).sum::<usize>()
        + nl.iter().map(|&j| bag(&cx.new, j).len()).sum::<usize>();
    if ol.is_empty() || nl.is_empty() || !cx.budget.charge(cost as u64 * 8) {
        return;
    }
    let ob: Vec<&[u32]> = ol.iter().map(|&i| bag(&cx.old, i)).collect();
    let nb: Vec<&[u32]> = nl.iter().map(|&j| bag(&cx.new, j)).collect();
    for s in similar_pairs(&ob, &nb, MOVE_THRESHOLD, &|_, _| 0.0) {
        cands.push(Cand { o: ol[s.old], n: nl[s.new], score: s.score });
    }
}

/// Choose what stayed in place (the heaviest in-order chain) and which of
/// the other pairs are moves.
fn classify(cx: &Cx, cands: Vec<Cand>) -> Alignment {
    let exact = |c: &Cand| cx.old.key(cx.old.stream[c.o]) == cx.new.key(cx.new.stream[c.n]);
    // What stays is the heaviest chain by words (a long passage in place
    // outweighs a short line); an exact match outweighs a reworded one.
    let weight = |c: &Cand| {
        let w = (cx.old.item_words(cx.old.stream[c.o]) + 4) as f32;
        (if exact(c) { 2.0 * w } else { w * c.score } * 100.0) as u64
    };
    let mut cands = cands;
    let chain = chain_of(&mut cands, &weight);
    let mut al = Alignment {
        old: vec![Link::None; cx.old.stream.len()],
        new: vec![Link::None; cx.new.stream.len()],
        next_move: 0,
        joins: Vec::new(),
    };
    let chain: Vec<Cand> = chain.into_iter().map(|k| cands[k]).collect();
    for c in &chain {
        al.old[c.o] = Link::InPlace(c.n);
        al.new[c.n] = Link::InPlace(c.o);
    }
    // Unchanged units in place, in order on both sides: what a move must cross.
    let fixed: Vec<(usize, usize)> = chain.iter().filter(|c| exact(c)).map(|c| (c.o, c.n)).collect();
    let mut movers: Vec<&Cand> =
        cands.iter().filter(|c| al.old[c.o] == Link::None && al.new[c.n] == Link::None).collect();
    movers.sort_by_key(|c| (c.o, c.n));
    for c in movers {
        if crosses(&fixed, c.o, c.n) {
            let id = al.next_move;
            al.next_move += 1;
            al.old[c.o] = Link::Moved(c.n, id);
            al.new[c.n] = Link::Moved(c.o, id);
        }
    }
    al
}

/// Whether a pair (o, n) reorders text around the fixed pairs (sorted, in
/// order on both sides): some fixed pair lies before it on one side and
/// after it on the other.
pub fn crosses(fixed: &[(usize, usize)], o: usize, n: usize) -> bool {
    let k = fixed.partition_point(|f| f.0 < o);
    // The fixed pair just before o on the old side is the latest on the new
    // side among those before o; the one just after, the earliest.
    (k > 0 && fixed[k - 1].1 > n) || (k < fixed.len() && fixed[k].1 < n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_move_must_cross_a_fixed_pair() {
        let fixed = [(0, 0), (2, 2), (4, 4)];
        assert!(crosses(&fixed, 1, 3), "old between 0 and 2, new after 2");
        assert!(crosses(&fixed, 3, 1));
        assert!(!crosses(&fixed, 1, 1), "same gap on both sides");
        assert!(!crosses(&fixed, 5, 5));
        assert!(crosses(&fixed, 5, 1));
        assert!(!crosses(&[], 3, 0));
    }

    #[test]
    fn the_band_follows_the_diagonal() {
        assert_eq!(banded(0, 1000, 1000), 0..25);
        assert_eq!(banded(500, 1000, 1000), 476..525);
        assert_eq!(banded(999, 1000, 1000), 975..1000);
        assert_eq!(banded(10, 3, 1000), 0..3);
    }
}
