//! One input text cut into paragraphs and, where needed, into units
//! (sentences within lines), keyed and tokenized.
//!
//! Paragraphs are always cut and keyed: matching them exactly is what makes
//! a lightly edited book cheap. Units are cut only for paragraphs that did
//! not match exactly (most of a long text never is), and the reading-order
//! *stream* then holds each matched paragraph as one item and each other
//! paragraph as its units.

use super::fold::fold_hash_with;
use super::model::Span;
use super::segment::{sentences, Block};
use super::tokenize::{tokenize_into, Token};
use super::words::{Interner, Tokens};
use std::ops::Range;

/// Above this many bytes of paragraphs to cut, [`Doc::expand_pair`] uses
/// two threads (a spun book cuts 1.5 MB; an article a few KB). The result
/// does not depend on it: interning follows the same order either way.
const PARALLEL_CUT_BYTES: usize = 256 * 1024;

/// A sentence within a line: the smallest unit that is aligned, moved,
/// added or removed.
#[derive(Debug)]
pub struct Unit {
    /// Tiles the paragraph span (owns its trailing whitespace).
    pub span: Span,
    /// Without surrounding whitespace: what changes report.
    pub content: Span,
    /// Hash of the folded content: typography never breaks a match.
    pub key: u64,
    /// Its tokens and their ids: a range into [`Doc::toks`] and [`Doc::ids`].
    pub toks: Range<usize>,
    /// Its word ids, sorted (the bag Dice compares): a range into [`Doc::bags`].
    pub bag: Range<usize>,
    /// The paragraph it belongs to.
    pub para: usize,
}

impl Unit {
    /// Word tokens in the unit.
    pub fn words(&self) -> usize {
        self.bag.len()
    }
}

/// Units cut and tokenized but not interned: the part of expansion that
/// needs no shared state, so it can run on another thread. One batch holds
/// many paragraphs in three flat vectors, not a vector per unit.
#[derive(Default)]
struct Cuts {
    /// Each paragraph cut, with its units (a range into `units`).
    paras: Vec<(usize, Range<usize>)>,
    units: Vec<Cut>,
    toks: Vec<Token>,
}

/// One unit of a [`Cuts`] batch; `toks` is a range into the batch's tokens.
struct Cut {
    span: Span,
    content: Span,
    key: u64,
    toks: Range<usize>,
}

/// One item of the reading-order stream: a whole paragraph that matched
/// exactly, or one unit of a paragraph that did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Para(usize),
    Unit(usize),
}

/// One input text cut into paragraphs and (lazily) units.
pub struct Doc<'a> {
    pub text: &'a str,
    pub paras: Vec<Block>,
    pub pkeys: Vec<u64>,
    /// Words in each paragraph, counted once: statistics and the side
    /// totals reuse them instead of re-scanning the text.
    pub pwords: Vec<usize>,
    pub units: Vec<Unit>,
    /// The tokens of every unit, unit after unit (one arena for the whole
    /// text instead of a vector per unit: a spun book has 24,000 units).
    pub toks: Vec<Token>,
    /// The interned id of each token in `toks`.
    pub ids: Vec<u32>,
    /// Every unit's sorted word ids, unit after unit.
    pub bags: Vec<u32>,
    /// The units of each expanded paragraph, as a range into `units`.
    pub punits: Vec<Option<std::ops::Range<usize>>>,
    /// The stream, once built by [`Doc::build_stream`].
    pub stream: Vec<Item>,
    /// Stream position of each unit (for units in the stream).
    pub unit_pos: Vec<usize>,
    /// Stream position of each paragraph's first item.
    pub para_pos: Vec<usize>,
}

impl<'a> Doc<'a> {
    /// A text's paragraphs, keyed and counted by [`super::keyed`].
    pub fn new(text: &'a str, k: super::keyed::Keyed) -> Doc<'a> {
        // Spans tile the text and start where a line's text starts, so the
        // counts add up to `count_words(text)`.
        let n = k.paras.len();
        Doc {
            text,
            paras: k.paras,
            pkeys: k.keys,
            pwords: k.words,
            units: Vec::new(),
            toks: Vec::new(),
            ids: Vec::new(),
            bags: Vec::new(),
            punits: vec![None; n],
            stream: Vec::new(),
            unit_pos: Vec::new(),
            para_pos: Vec::new(),
        }
    }

    /// Words in the whole text.
    pub fn words(&self) -> usize {
        self.pwords.iter().sum()
    }

    /// The units of paragraph `p` (empty when it was never expanded).
    pub fn units_of(&self, p: usize) -> std::ops::Range<usize> {
        self.punits[p].clone().unwrap_or(0..0)
    }

    /// Unit `u`'s sorted word ids.
    pub fn bag(&self, u: usize) -> &[u32] {
        &self.bags[self.units[u].bag.clone()]
    }

    /// Cut paragraph `p` into units (once).
    pub fn expand(&mut self, p: usize, int: &mut Interner) {
        if self.punits[p].is_none() {
            let cuts = self.cut_all(&[p]);
            self.intern(cuts, int);
        }
    }

    /// [`Doc::expand`] for many paragraphs of `self` and `other`. The pure
    /// part (units, tokens, keys) runs on two threads when there is enough
    /// text; interning then follows the same order as one-by-one calls
    /// (`self`'s, then `other`'s), so ids, and so the result, are the same.
    pub fn expand_pair(&mut self, ps: &[usize], other: &mut Doc<'a>, others: &[usize], int: &mut Interner) {
        let bytes = |d: &Doc, ps: &[usize]| ps.iter().map(|&p| d.paras[p].span.len()).sum::<usize>();
        let (mine, theirs) = if bytes(self, ps) + bytes(other, others) < PARALLEL_CUT_BYTES {
            (self.cut_all(ps), other.cut_all(others))
        } else {
            std::thread::scope(|s| {
                let me = &*self;
                let t = s.spawn(move || me.cut_all(ps));
                let theirs = other.cut_all(others);
                (t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), theirs)
            })
        };
        self.intern(mine, int);
        other.intern(theirs, int);
    }

    /// Cut the paragraphs `ps` not expanded yet (each once, in order).
    fn cut_all(&self, ps: &[usize]) -> Cuts {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut cuts = Cuts::default();
        // Prose averages over five bytes a token: reserving once keeps the
        // arena from being copied as it grows (and touching pages twice).
        let bytes: usize = ps.iter().map(|&p| self.paras[p].span.len()).sum();
        cuts.toks.reserve(bytes / 4 + 16);
        let mut buf = Vec::new();
        for &p in ps {
            if self.punits[p].is_none() && seen.insert(p) {
                self.cut(p, &mut cuts, &mut buf);
            }
        }
        cuts
    }

    fn cut(&self, p: usize, cuts: &mut Cuts, buf: &mut Vec<u8>) {
        let text = self.text;
        let first = cuts.units.len();
        for span in sentences(text, &self.paras[p]) {
            let s = &text[span.clone()];
            let lead = s.len() - s.trim_start().len();
            let content = span.start + lead..span.start + s.trim_end().len().max(lead);
            let t0 = cuts.toks.len();
            tokenize_into(text, span.clone(), &mut cuts.toks);
            let key = fold_hash_with(&text[content.clone()], buf);
            cuts.units.push(Cut { key, span, content, toks: t0..cuts.toks.len() });
        }
        cuts.paras.push((p, first..cuts.units.len()));
    }

    /// Intern a batch of cut paragraphs, in order, into this text's arenas.
    /// The batch holds only paragraphs not yet expanded ([`Doc::cut_all`]),
    /// and its tokens join the arena whole: moved, when the arena is empty.
    fn intern(&mut self, cuts: Cuts, int: &mut Interner) {
        let text = self.text;
        let base = self.toks.len();
        if base == 0 {
            self.toks = cuts.toks;
        } else {
            self.toks.extend_from_slice(&cuts.toks);
        }
        self.ids.reserve(self.toks.len() - base);
        self.units.reserve(cuts.units.len());
        for (p, r) in cuts.paras {
            debug_assert!(self.punits[p].is_none());
            let start = self.units.len();
            for c in &cuts.units[r] {
                let toks = base + c.toks.start..base + c.toks.end;
                let b0 = self.bags.len();
                for t in &self.toks[toks.clone()] {
                    let id = int.id(t.content(text));
                    self.ids.push(id);
                    if t.word {
                        self.bags.push(id);
                    }
                }
                self.bags[b0..].sort_unstable();
                self.units.push(Unit {
                    key: c.key,
                    span: c.span.clone(),
                    content: c.content.clone(),
                    toks,
                    bag: b0..self.bags.len(),
                    para: p,
                });
            }
            self.punits[p] = Some(start..self.units.len());
        }
        debug_assert_eq!(self.ids.len(), self.toks.len());
    }

    /// The reading-order stream: paragraphs not expanded are one item,
    /// expanded ones are their units. Positions are recorded both ways.
    pub fn build_stream(&mut self) {
        let mut stream = Vec::with_capacity(self.paras.len() + self.units.len());
        let mut unit_pos = vec![usize::MAX; self.units.len()];
        let mut para_pos = Vec::with_capacity(self.paras.len());
        for p in 0..self.paras.len() {
            para_pos.push(stream.len());
            match &self.punits[p] {
                Some(r) if !r.is_empty() => {
                    for u in r.clone() {
                        unit_pos[u] = stream.len();
                        stream.push(Item::Unit(u));
                    }
                }
                _ => stream.push(Item::Para(p)),
            }
        }
        self.stream = stream;
        self.unit_pos = unit_pos;
        self.para_pos = para_pos;
    }

    /// The span an item tiles.
    pub fn span(&self, it: Item) -> Span {
        match it {
            Item::Para(p) => self.paras[p].span.clone(),
            Item::Unit(u) => self.units[u].span.clone(),
        }
    }

    /// The item's text without surrounding whitespace.
    pub fn content(&self, it: Item) -> Span {
        match it {
            Item::Para(p) => self.paras[p].content.clone(),
            Item::Unit(u) => self.units[u].content.clone(),
        }
    }

    pub fn key(&self, it: Item) -> u64 {
        match it {
            Item::Para(p) => self.pkeys[p],
            Item::Unit(u) => self.units[u].key,
        }
    }

    pub fn para_of(&self, it: Item) -> usize {
        match it {
            Item::Para(p) => p,
            Item::Unit(u) => self.units[u].para,
        }
    }

    pub fn item_words(&self, it: Item) -> usize {
        match it {
            Item::Para(p) => self.pwords[p],
            Item::Unit(u) => self.units[u].words(),
        }
    }

    /// Content span of paragraph `p` (no surrounding whitespace).
    pub fn pcontent(&self, p: usize) -> Span {
        self.paras[p].content.clone()
    }

    /// Tokens of an item: a unit's own, or a whole paragraph's (its units
    /// must have been cut; they lie side by side in the arena).
    pub fn tokens(&self, it: Item) -> Tokens<'_> {
        let r = match it {
            Item::Unit(u) => self.units[u].toks.clone(),
            Item::Para(p) => {
                let us = self.units_of(p);
                if us.is_empty() {
                    0..0
                } else {
                    self.units[us.start].toks.start..self.units[us.end - 1].toks.end
                }
            }
        };
        Tokens { toks: &self.toks[r.clone()], ids: &self.ids[r] }
    }
}
