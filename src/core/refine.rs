//! Word diffs of paired units, computed ahead of the walk and under the
//! work budget: every pair is charged in text order, so the budget runs out
//! at the same pair on every machine, and the diffs themselves may then run
//! on two threads without changing the result.

use super::doc::Item;
use super::engine::{Budget, Cx, Link};
use super::joins;
use super::model::{NumberChange, Span, Substitution};
use super::structure::Structure;
use super::words::{cells, cleanup, coarse_tokens, diff_tokens, substitution, Hunk, Tokens};
use rustc_hash::FxHashMap;

/// Above this many token cells one pair is not refined (a megabyte line
/// rewritten whole): it is replaced whole, and the diff is coarse.
const PAIR_CAP: u64 = 25_000_000;
/// Above this many pairs to refine, two threads share the work.
const PARALLEL_PAIRS: usize = 1_000;

/// What a word diff is of: two stream positions, or (for a paragraph that
/// moved whole) two paragraphs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Items(usize, usize),
    Paras(usize, usize),
}

/// The word diffs of every pair that needs one.
#[derive(Default)]
pub struct Refined {
    pub hunks: FxHashMap<Key, Vec<Hunk>>,
}

/// Compute the word diffs the walk will need.
pub fn refine(cx: &mut Cx, al: &super::engine::Alignment, st: &Structure) -> Refined {
    // Whole paragraphs compared as one (in place with typography changes,
    // or moved whole) must have their units cut first.
    for (o, link) in al.old.iter().enumerate() {
        let (Link::InPlace(n) | Link::Moved(n, _)) = *link else { continue };
        if let (Item::Para(p), Item::Para(q)) = (cx.old.stream[o], cx.new.stream[n]) {
            if cx.old.text[cx.old.paras[p].span.clone()] != cx.new.text[cx.new.paras[q].span.clone()] {
                cx.old.expand(p);
                cx.new.expand(q);
            }
        }
    }
    let mut jobs: Vec<Key> = Vec::new();
    for (o, link) in al.old.iter().enumerate() {
        let n = match *link {
            Link::None => continue,
            Link::InPlace(n) => n,
            Link::Moved(n, _) => {
                if st.moved_old.contains_key(&cx.old.para_of(cx.old.stream[o])) {
                    continue;
                }
                n
            }
        };
        let (oi, ni) = (cx.old.stream[o], cx.new.stream[n]);
        if joins::at(&al.joins, o).is_some() || cx.old.text[cx.old.content(oi)] != cx.new.text[cx.new.content(ni)] {
            jobs.push(Key::Items(o, n));
        }
    }
    let differ = |p: usize, q: usize| cx.old.text[cx.old.pcontent(p)] != cx.new.text[cx.new.pcontent(q)];
    let mut para_moves: Vec<(usize, usize)> =
        st.moved_old.iter().map(|(&p, &(q, _))| (p, q)).filter(|&(p, q)| differ(p, q)).collect();
    para_moves.sort_unstable();
    jobs.extend(para_moves.into_iter().map(|(p, q)| Key::Paras(p, q)));
    for &k in &jobs {
        let (oi, ni) = match k {
            Key::Items(o, n) => match joins::at(&al.joins, o) {
                Some(j) => {
                    let (a, b) = (joins::units(&cx.old, &j.old), joins::units(&cx.new, &j.new));
                    cx.old.ensure_run_tokens(a, &mut cx.int);
                    cx.new.ensure_run_tokens(b, &mut cx.int);
                    continue;
                }
                None => (cx.old.stream[o], cx.new.stream[n]),
            },
            Key::Paras(p, q) => (Item::Para(p), Item::Para(q)),
        };
        cx.old.ensure_tokens(oi, &mut cx.int);
        cx.new.ensure_tokens(ni, &mut cx.int);
    }
    let (old, new, budget) = (&cx.old, &cx.new, &mut cx.budget);
    let toks = |k: Key| -> (Tokens, Tokens) {
        match k {
            Key::Items(o, n) => match joins::at(&al.joins, o) {
                Some(j) => (old.run_tokens(joins::units(old, &j.old)), new.run_tokens(joins::units(new, &j.new))),
                None => (old.tokens(old.stream[o]), new.tokens(new.stream[n])),
            },
            Key::Paras(p, q) => (old.tokens(Item::Para(p)), new.tokens(Item::Para(q))),
        }
    };
    // Charge in order; only then diff, possibly in parallel.
    let mut plan: Vec<(Key, bool)> = Vec::with_capacity(jobs.len());
    for &k in &jobs {
        let (a, b) = toks(k);
        let c = cells(&a, &b);
        plan.push((k, c <= PAIR_CAP && budget.charge(c + (a.ids.len() + b.ids.len()) as u64)));
        if c > PAIR_CAP {
            budget.cut = true;
        }
    }
    let run = |part: &[(Key, bool)]| -> Vec<Vec<Hunk>> {
        part.iter()
            .map(|&(k, fine)| {
                let (a, b) = toks(k);
                if fine {
                    diff_tokens(&a, &b)
                } else {
                    coarse_tokens(&a, &b)
                }
            })
            .collect()
    };
    let hunks: Vec<Vec<Hunk>> = if plan.len() < PARALLEL_PAIRS {
        run(&plan)
    } else {
        let (a, b) = plan.split_at(plan.len() / 2);
        std::thread::scope(|s| {
            let t = s.spawn(|| run(a));
            let hb = run(b);
            let mut ha = t.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            ha.extend(hb);
            ha
        })
    };
    Refined { hunks: plan.into_iter().map(|(k, _)| k).zip(hunks).collect() }
}

/// A word diff of two units with what it adds up to.
pub struct WordDiff<'t> {
    pub old: Tokens<'t>,
    pub new: Tokens<'t>,
    /// As aligned: substitutions, counts and flags come from these.
    pub raw: Vec<Hunk>,
    /// For reading: tiny equal islands folded in.
    pub shown: Vec<Hunk>,
    pub added: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Matched tokens whose bytes differ (typography).
    pub formatting: usize,
}

impl<'t> WordDiff<'t> {
    pub fn new(old: Tokens<'t>, new: Tokens<'t>, raw: Vec<Hunk>, texts: (&str, &str)) -> WordDiff<'t> {
        let shown = cleanup(&raw, &old);
        let mut d = WordDiff { old, new, raw, shown, added: 0, removed: 0, unchanged: 0, formatting: 0 };
        for h in &d.raw {
            if h.equal {
                for (ot, nt) in d.old.toks[h.old.clone()].iter().zip(&d.new.toks[h.new.clone()]) {
                    d.unchanged += ot.word as usize;
                    d.formatting += (texts.0[ot.start()..ot.end()] != texts.1[nt.start()..nt.end()]) as usize;
                }
            } else {
                d.removed += d.old.words_in(h.old.clone());
                d.added += d.new.words_in(h.new.clone());
            }
        }
        d
    }

    /// A diff computed here and now (a duplicate against its twin), charged
    /// to the budget like the others.
    pub fn compute(old: Tokens<'t>, new: Tokens<'t>, budget: &mut Budget, texts: (&str, &str)) -> Self {
        let c = cells(&old, &new);
        let raw =
            if c <= PAIR_CAP && budget.charge(c + 1) { diff_tokens(&old, &new) } else { coarse_tokens(&old, &new) };
        WordDiff::new(old, new, raw, texts)
    }

    pub fn has_real_change(&self) -> bool {
        self.raw.iter().any(|h| !h.equal)
    }

    /// Substitutions (each from one aligned hunk, so never across an
    /// unchanged word), and the words changed besides them.
    pub fn substitutions<'a>(&self, old: &'a str, new: &'a str) -> (Vec<Substitution<'a>>, usize, usize) {
        let (mut subs, mut added, mut removed) = (Vec::new(), 0, 0);
        for h in self.raw.iter().filter(|h| !h.equal) {
            match substitution(h, &self.old, &self.new, old, new) {
                Some((o, n)) => subs.push(Substitution { old: o, new: n }),
                None => {
                    removed += self.old.words_in(h.old.clone());
                    added += self.new.words_in(h.new.clone());
                }
            }
        }
        (subs, added, removed)
    }

    /// Figures changed by this diff.
    pub fn numbers<'a>(&self, old: &'a str, new: &'a str) -> Vec<NumberChange<'a>> {
        self.raw.iter().filter_map(|h| super::flags::number_change(h, &self.old, &self.new, old, new)).collect()
    }

    /// Whether an edited word lies inside quotation marks on either side.
    pub fn edits_quote(&self, old_q: &[Span], new_q: &[Span]) -> bool {
        self.raw.iter().any(|h| super::flags::edits_quote(h, &self.old, &self.new, old_q, new_q))
    }
}
