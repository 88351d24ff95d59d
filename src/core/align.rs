//! Generic unit alignment, used for paragraphs and for sentences.
//!
//! 1. Exact matches in order, by patience diff over folded-text keys: unique
//!    lines anchor the alignment, so a moved paragraph does not drag its
//!    neighbours along (plain Myers shreds it into "the" and "to").
//! 2. Leftover units are paired by word-bag similarity (Dice), through an
//!    inverted index so large pools are not compared all-pairs.
//! 3. The heaviest subsequence of pairs that is increasing on both sides is
//!    "in place"; every other pair is a move.

use rustc_hash::FxHashMap;
use similar::{capture_diff_slices, Algorithm, DiffTag};

/// A pair of units, old index and new index.
pub type Pair = (usize, usize);

/// Exact in-order matches of `old` against `new` (patience anchors).
///
/// Keys that occur once on each side anchor the alignment (their longest
/// increasing run), then each stretch between anchors is aligned the same
/// way; a stretch with no unique key is left to Myers when small. No
/// deadline: the result must not depend on the clock. Hand-written rather
/// than similar's patience because its hash maps cost most of a diff of
/// millions of tiny paragraphs.
pub fn exact_pairs(old: &[u64], new: &[u64]) -> Vec<Pair> {
    let mut out = Vec::new();
    anchor(old, new, (0, 0), &mut out, 0);
    out
}

/// Stretches with no unique key up to this many cells are aligned by Myers.
const MYERS_CELLS: usize = 1 << 22;
/// Nesting of stretches inside stretches before giving up on a region.
const MAX_DEPTH: usize = 32;

fn anchor(old: &[u64], new: &[u64], base: (usize, usize), out: &mut Vec<Pair>, depth: usize) {
    let pre = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suf = old[pre..].iter().rev().zip(new[pre..].iter().rev()).take_while(|(a, b)| a == b).count();
    out.extend((0..pre).map(|i| (base.0 + i, base.1 + i)));
    let (o, n) = (&old[pre..old.len() - suf], &new[pre..new.len() - suf]);
    let inner = (base.0 + pre, base.1 + pre);
    if !o.is_empty() && !n.is_empty() {
        let anchors = unique_lis(o, n);
        if anchors.is_empty() || depth >= MAX_DEPTH {
            if o.len().saturating_mul(n.len()) <= MYERS_CELLS {
                for op in capture_diff_slices(Algorithm::Myers, o, n) {
                    let (tag, r_o, r_n) = op.as_tag_tuple();
                    if tag == DiffTag::Equal {
                        out.extend(r_o.zip(r_n).map(|(i, j)| (inner.0 + i, inner.1 + j)));
                    }
                }
            }
        } else {
            let mut prev = (0, 0);
            for &(i, j) in &anchors {
                anchor(&o[prev.0..i], &n[prev.1..j], (inner.0 + prev.0, inner.1 + prev.1), out, depth + 1);
                out.push((inner.0 + i, inner.1 + j));
                prev = (i + 1, j + 1);
            }
            anchor(&o[prev.0..], &n[prev.1..], (inner.0 + prev.0, inner.1 + prev.1), out, depth + 1);
        }
    }
    let (so, sn) = (base.0 + old.len() - suf, base.1 + new.len() - suf);
    out.extend((0..suf).map(|k| (so + k, sn + k)));
}

/// Pairs of keys unique on both sides, longest run increasing on both.
fn unique_lis(old: &[u64], new: &[u64]) -> Vec<Pair> {
    // key -> (count in old, count in new, position in old, position in new)
    let mut seen: FxHashMap<u64, (u32, u32, usize, usize)> = FxHashMap::default();
    seen.reserve(old.len().min(new.len()));
    for (i, &k) in old.iter().enumerate() {
        let e = seen.entry(k).or_insert((0, 0, i, 0));
        e.0 += 1;
    }
    for (j, &k) in new.iter().enumerate() {
        if let Some(e) = seen.get_mut(&k) {
            e.1 += 1;
            e.3 = j;
        }
    }
    let mut pairs: Vec<Pair> =
        new.iter().filter_map(|k| seen.get(k).filter(|e| e.0 == 1 && e.1 == 1).map(|e| (e.2, e.3))).collect();
    pairs.dedup();
    // The heaviest chain increasing on both sides, each anchor weighted by
    // the run of equal keys it starts (capped): a key that moved alone
    // loses to one that keeps a passage in place.
    let run = |&(i, j): &Pair| old[i..].iter().zip(&new[j..]).take(64).take_while(|(a, b)| a == b).count() as u64;
    let weights: Vec<u64> = pairs.iter().map(run).collect();
    heaviest_increasing(&pairs, &|k| weights[k]).into_iter().map(|k| pairs[k]).collect()
}

/// A multiset of word ids, sorted, for Dice similarity.
#[derive(Debug, Clone, Default)]
pub struct Bag(pub Vec<u32>);

impl Bag {
    pub fn new(mut ids: Vec<u32>) -> Bag {
        ids.sort_unstable();
        Bag(ids)
    }

    /// Dice coefficient of two multisets: 2·|A∩B| / (|A|+|B|).
    pub fn dice(&self, other: &Bag) -> f32 {
        dice(&self.0, &other.0)
    }
}

/// Dice coefficient of two sorted multisets of word ids: 2·|A∩B| / (|A|+|B|).
pub fn dice(a: &[u32], b: &[u32]) -> f32 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    (2 * common_count(a, b)) as f32 / (a.len() + b.len()) as f32
}

/// |A∩B| of two sorted multisets, by a merge without branches on the
/// comparison (which a word bag's ids make unpredictable): the smaller side
/// steps, both step on a match.
fn common_count(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        common += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    common
}

/// A scored candidate pairing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    pub old: usize,
    pub new: usize,
    pub score: f32,
}

/// Pair units of `old` and `new` whose bags are at least `threshold`
/// similar, best pairs first, each unit used once.
///
/// Candidates come from an inverted index over each bag's rarer words, so a
/// pool of thousands of unrelated units costs about linear time; `bonus`
/// lets the caller favour pairs (e.g. ones in the same gap) on ties.
pub fn similar_pairs(
    old: &[&[u32]],
    new: &[&[u32]],
    threshold: f32,
    bonus: &dyn Fn(usize, usize) -> f32,
) -> Vec<Scored> {
    if old.is_empty() || new.is_empty() {
        return Vec::new();
    }
    let mut scored = if old.len() * new.len() <= 4096 {
        all_pairs(old, new, threshold, bonus)
    } else {
        indexed_pairs(old, new, threshold, bonus)
    };
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.new.cmp(&b.new)).then(a.old.cmp(&b.old)));
    let mut used_old = vec![false; old.len()];
    let mut used_new = vec![false; new.len()];
    let mut out = Vec::new();
    for s in scored {
        if !used_old[s.old] && !used_new[s.new] {
            used_old[s.old] = true;
            used_new[s.new] = true;
            out.push(s);
        }
    }
    out
}

fn all_pairs(old: &[&[u32]], new: &[&[u32]], threshold: f32, bonus: &dyn Fn(usize, usize) -> f32) -> Vec<Scored> {
    let mut out = Vec::new();
    for (j, nb) in new.iter().enumerate() {
        for (i, ob) in old.iter().enumerate() {
            let d = dice(ob, nb);
            if d >= threshold {
                out.push(Scored { old: i, new: j, score: d + bonus(i, j) });
            }
        }
    }
    out
}

/// Postings longer than this are stop words: they say nothing about which
/// unit matches and would make candidate generation quadratic.
const MAX_POSTING: usize = 64;
/// How many best candidates (by shared rare words) get an exact Dice score.
const CANDIDATES: usize = 8;

fn indexed_pairs(old: &[&[u32]], new: &[&[u32]], threshold: f32, bonus: &dyn Fn(usize, usize) -> f32) -> Vec<Scored> {
    let mut postings: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for (i, b) in old.iter().enumerate() {
        let mut last = u32::MAX;
        for &w in b.iter() {
            if w != last {
                postings.entry(w).or_default().push(i as u32);
                last = w;
            }
        }
    }
    let mut hits: FxHashMap<u32, u32> = FxHashMap::default();
    let mut out = Vec::new();
    for (j, nb) in new.iter().enumerate() {
        hits.clear();
        let mut last = u32::MAX;
        for &w in nb.iter() {
            if w == last {
                continue;
            }
            last = w;
            if let Some(p) = postings.get(&w).filter(|p| p.len() <= MAX_POSTING) {
                for &i in p {
                    *hits.entry(i).or_default() += 1;
                }
            }
        }
        let mut cands: Vec<(u32, u32)> = hits.iter().map(|(&i, &n)| (n, i)).collect();
        cands.sort_unstable_by(|a, b| b.cmp(a));
        for &(_, i) in cands.iter().take(CANDIDATES) {
            let i = i as usize;
            let d = dice(old[i], nb);
            if d >= threshold {
                out.push(Scored { old: i, new: j, score: d + bonus(i, j) });
            }
        }
    }
    out
}

/// Indices (into `pairs`) of the heaviest subsequence that increases in both
/// old and new index. `pairs` must be sorted by new index, each new and old
/// index used at most once.
pub fn heaviest_increasing(pairs: &[Pair], weight: &dyn Fn(usize) -> u64) -> Vec<usize> {
    if pairs.is_empty() {
        return Vec::new();
    }
    let max_old = pairs.iter().map(|p| p.0).max().unwrap_or(0) + 1;
    // Fenwick tree over old indices holding (best total weight, pair index).
    let mut tree: Vec<(u64, usize)> = vec![(0, usize::MAX); max_old + 1];
    let mut prev = vec![usize::MAX; pairs.len()];
    let mut best_at = vec![0u64; pairs.len()];
    for (k, &(o, _)) in pairs.iter().enumerate() {
        // Best chain ending at an old index < o.
        let (mut best, mut from) = (0u64, usize::MAX);
        let mut i = o;
        while i > 0 {
            if tree[i].0 > best {
                best = tree[i].0;
                from = tree[i].1;
            }
            i &= i - 1;
        }
        let total = best + weight(k).max(1);
        best_at[k] = total;
        prev[k] = from;
        let mut i = o + 1;
        while i <= max_old {
            if total > tree[i].0 {
                tree[i] = (total, k);
            }
            i += i & i.wrapping_neg();
        }
    }
    let mut k = (0..pairs.len()).max_by_key(|&k| (best_at[k], std::cmp::Reverse(k))).unwrap_or(0);
    let mut chain = Vec::new();
    while k != usize::MAX {
        chain.push(k);
        k = prev[k];
    }
    chain.reverse();
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn increasing_chain_prefers_weight() {
        // new order: 0..6; old indices: a paragraph (old 2) moved to the end.
        let pairs = [(0, 0), (1, 1), (3, 2), (4, 3), (5, 4), (2, 5)];
        let chain = heaviest_increasing(&pairs, &|_| 1);
        let kept: Vec<_> = chain.iter().map(|&k| pairs[k]).collect();
        assert_eq!(kept, [(0, 0), (1, 1), (3, 2), (4, 3), (5, 4)]);
        // A heavy unit wins over several light ones.
        let chain = heaviest_increasing(&pairs, &|k| if k == 5 { 100 } else { 1 });
        assert!(chain.contains(&5));
    }

    #[test]
    fn exact_pairs_anchor_on_unique_keys_and_fill_between() {
        // A moved key (9) is not matched twice; repeated keys between
        // anchors still pair in order.
        let old = [1, 2, 9, 3, 5, 5, 4];
        let new = [1, 2, 3, 5, 5, 9, 4];
        let got = exact_pairs(&old, &new);
        assert_eq!(got, [(0, 0), (1, 1), (3, 2), (4, 3), (5, 4), (6, 6)]);
        assert!(exact_pairs(&[], &[1]).is_empty());
        assert_eq!(exact_pairs(&[7, 7, 7], &[7, 7]), [(0, 0), (1, 1)]);
    }

    #[test]
    fn dice_and_pairing() {
        let a = Bag::new(vec![1, 2, 3, 4]);
        let b = Bag::new(vec![1, 2, 3, 5]);
        let c = Bag::new(vec![7, 8, 9]);
        assert_eq!(a.dice(&b), 0.75);
        assert_eq!(a.dice(&c), 0.0);
        let pairs = similar_pairs(&[&c.0, &a.0], &[&b.0], 0.5, &|_, _| 0.0);
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].old, pairs[0].new), (1, 0));
    }

    #[test]
    fn indexed_pairing_finds_the_same_pairs() {
        let old: Vec<Bag> = (0..100u32).map(|i| Bag::new((i * 10..i * 10 + 10).collect())).collect();
        let new: Vec<Bag> = (0..100u32).rev().map(|i| Bag::new((i * 10..i * 10 + 9).chain([5000]).collect())).collect();
        let o: Vec<&[u32]> = old.iter().map(|b| &b.0[..]).collect();
        let n: Vec<&[u32]> = new.iter().map(|b| &b.0[..]).collect();
        let got = similar_pairs(&o, &n, 0.5, &|_, _| 0.0);
        assert_eq!(got.len(), 100);
        assert!(got.iter().all(|s| s.old == 99 - s.new));
    }
}
