//! `similar`'s patience diff for short interned token lists, without its
//! two hash maps per call.
//!
//! A reworded sentence is a diff of a few dozen `u32` ids, and the spun
//! book has thousands of them: `similar::algorithms::patience` spent most of
//! its time building a SipHash map per side to find the tokens that occur
//! once (its `unique`), then a vector of ops that `capture_diff_slices`
//! copied again. Here the unique tokens are counted in a reused per-thread
//! table indexed by id, and the ops go straight into the caller's hook.
//! Everything else is `similar`'s own: the same Myers (on the unique ids,
//! then on each gap between anchors), the same `Replace` and `Compact`
//! hooks, in the same order, so the ops are the ones `similar` gives
//! (tested against it on random lists).
//!
//! Only for lists where one side is shorter than [`SHORT`]: there,
//! `similar`'s up-front "disjoint inputs" check cannot fire (it needs both
//! sides that long), so patience is exactly the steps below. Longer inputs
//! go to `similar` itself.

use similar::algorithms::{myers, DiffHook, NoFinishHook, Replace};
use std::cell::RefCell;

/// Below this many tokens on either side, [`diff`] is used (similar's
/// preflight needs 512 on both sides; see the module doc).
pub const SHORT: usize = 512;

/// Reused buffers: occurrence counts by id (0, 1 or 2 = "more"), and the
/// unique tokens of each side with their positions.
#[derive(Default)]
struct Scratch {
    counts: Vec<u8>,
    old_vals: Vec<u32>,
    old_pos: Vec<usize>,
    new_vals: Vec<u32>,
    new_pos: Vec<usize>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Patience diff of `old` against `new` into `d` (which is finished), as
/// `similar::algorithms::patience::diff` would give it. One side must be
/// shorter than [`SHORT`].
pub fn diff<D: DiffHook>(d: &mut D, old: &[u32], new: &[u32]) -> Result<(), D::Error> {
    debug_assert!(old.len() < SHORT || new.len() < SHORT);
    if old.is_empty() || new.is_empty() {
        if !new.is_empty() {
            d.insert(0, 0, new.len())?;
        } else if !old.is_empty() {
            d.delete(0, old.len(), 0)?;
        }
        return d.finish();
    }
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    if old.len() == new.len() && prefix == old.len() {
        d.equal(0, 0, prefix)?;
        return d.finish();
    }
    SCRATCH.with(|s| {
        // A diff never runs inside another on one thread; if it somehow
        // did, fresh buffers give the same answer.
        match s.try_borrow_mut() {
            Ok(mut s) => anchored(d, old, new, &mut s),
            Err(_) => anchored(d, old, new, &mut Scratch::default()),
        }
    })
}

fn anchored<D: DiffHook>(d: &mut D, old: &[u32], new: &[u32], s: &mut Scratch) -> Result<(), D::Error> {
    let Scratch { counts, old_vals, old_pos, new_vals, new_pos } = s;
    unique(old, counts, old_vals, old_pos);
    unique(new, counts, new_vals, new_pos);
    let mut pd = Replace::new(Anchors { d, old, new, old_pos, new_pos, oc: 0, nc: 0 });
    myers::diff_deadline(&mut pd, &old_vals[..], 0..old_vals.len(), &new_vals[..], 0..new_vals.len(), None)
}

/// The ids that occur exactly once in `ids`, with their positions, in
/// order (similar's `unique`). `counts` is all zeros before and after.
fn unique(ids: &[u32], counts: &mut Vec<u8>, vals: &mut Vec<u32>, pos: &mut Vec<usize>) {
    let top = ids.iter().copied().max().unwrap_or(0) as usize;
    if counts.len() <= top {
        counts.resize(top + 1, 0);
    }
    for &id in ids {
        let c = &mut counts[id as usize];
        *c = (*c + 1).min(2);
    }
    vals.clear();
    pos.clear();
    for (i, &id) in ids.iter().enumerate() {
        if counts[id as usize] == 1 {
            vals.push(id);
            pos.push(i);
        }
    }
    for &id in ids {
        counts[id as usize] = 0;
    }
}

/// similar's `Patience` hook: each run of matched unique tokens is grown
/// forward over equal tokens, and the gap before each anchor is diffed
/// with Myers.
struct Anchors<'a, D> {
    d: &'a mut D,
    old: &'a [u32],
    new: &'a [u32],
    old_pos: &'a [usize],
    new_pos: &'a [usize],
    oc: usize,
    nc: usize,
}

impl<D: DiffHook> DiffHook for Anchors<'_, D> {
    type Error = D::Error;

    fn equal(&mut self, old: usize, new: usize, len: usize) -> Result<(), D::Error> {
        for (o, n) in (old..old + len).zip(new..new + len) {
            let (a0, b0) = (self.oc, self.nc);
            let (oe, ne) = (self.old_pos[o], self.new_pos[n]);
            while self.oc < oe && self.nc < ne && self.new[self.nc] == self.old[self.oc] {
                self.oc += 1;
                self.nc += 1;
            }
            if self.oc > a0 {
                self.d.equal(a0, b0, self.oc - a0)?;
            }
            let mut no_finish = NoFinishHook::new(&mut *self.d);
            myers::diff_deadline(&mut no_finish, self.old, self.oc..oe, self.new, self.nc..ne, None)?;
            self.oc = oe;
            self.nc = ne;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), D::Error> {
        myers::diff_deadline(&mut *self.d, self.old, self.oc..self.old.len(), self.new, self.nc..self.new.len(), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use similar::algorithms::{Capture, Compact};
    use similar::{capture_diff_slices, Algorithm, DiffOp};

    fn ours(a: &[u32], b: &[u32]) -> Vec<DiffOp> {
        let mut d = Compact::new(Replace::new(Capture::new()), a, b);
        diff(&mut d, a, b).unwrap();
        d.into_inner().into_inner().into_ops()
    }

    #[test]
    fn same_ops_as_similar_on_fixed_cases() {
        let cases: &[(&[u32], &[u32])] = &[
            (&[], &[]),
            (&[1], &[]),
            (&[], &[1, 2]),
            (&[1, 2, 3], &[1, 2, 3]),
            (&[1, 2, 3], &[1, 2]),
            (&[11, 1, 2, 2, 3, 4, 4, 4, 5, 47, 19], &[10, 1, 2, 2, 8, 9, 4, 4, 7, 47, 18]),
            (&[1, 1, 0, 0], &[0, 1, 1, 0]),
            (&[5, 5, 5], &[5, 5]),
            (&[1, 2, 3, 4, 5, 6], &[6, 5, 4, 3, 2, 1]),
        ];
        for (a, b) in cases {
            assert_eq!(ours(a, b), capture_diff_slices(Algorithm::Patience, a, b), "{a:?} {b:?}");
        }
    }

    #[test]
    fn long_side_against_short_side() {
        let a: Vec<u32> = (0..900).map(|i| i % 37).collect();
        let b: Vec<u32> = vec![3, 900, 4, 5, 36, 0, 1];
        assert_eq!(ours(&a, &b), capture_diff_slices(Algorithm::Patience, &a, &b));
        assert_eq!(ours(&b, &a), capture_diff_slices(Algorithm::Patience, &b, &a));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn same_ops_as_similar(
            a in proptest::collection::vec(0u32..12, 0..60),
            b in proptest::collection::vec(0u32..12, 0..60),
            edits in proptest::collection::vec((0usize..60, 0u32..40), 0..8),
        ) {
            // Half the cases: b is a light edit of a (the common case).
            let b = if edits.len() % 2 == 0 {
                let mut c = a.clone();
                for &(i, v) in &edits {
                    if c.is_empty() { c.push(v) } else { let i = i % c.len(); c[i] = v; }
                }
                c
            } else {
                b
            };
            prop_assert_eq!(ours(&a, &b), capture_diff_slices(Algorithm::Patience, &a, &b));
        }
    }
}
