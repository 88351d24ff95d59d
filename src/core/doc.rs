//! One input text cut into paragraphs and, where needed, into units
//! (sentences within lines), keyed and tokenized.
//!
//! Paragraphs are always cut and keyed: matching them exactly is what makes
//! a lightly edited book cheap. Units are cut only for paragraphs that did
//! not match exactly (most of a long text never is), and the reading-order
//! *stream* then holds each matched paragraph as one item and each other
//! paragraph as its units.

use super::fold::fold_hash_with;
use super::keyed::both;
use super::model::Span;
use super::segment::{sentences, Block};
use super::swar::words_and_sig;
use super::tokenize::{count_words, tokenize_into, Token};
use super::words::{Interner, Tokens};
use std::ops::Range;

/// Above this many bytes of paragraphs or units, [`Doc::expand_pair`]
/// and [`Doc::tokenize_pair`] use two threads (a spun book cuts 1.5 MB; an
/// article a few KB). The result does not depend on it: interning follows
/// the same order either way.
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
    /// Word tokens in the unit, counted when it is cut (the length its bag
    /// will have): weights and statistics need no tokens.
    words: usize,
    /// Its tokens and their ids: a range into [`Doc::toks`] and [`Doc::ids`],
    /// once [`Doc::tokenize`] has run for it (empty before).
    pub toks: Range<usize>,
    /// Its word ids, sorted (the bag Dice compares): a range into [`Doc::bags`].
    pub bag: Range<usize>,
    /// The paragraph it belongs to.
    pub para: usize,
    /// Whether `toks` and `bag` are filled in.
    tokenized: bool,
}

impl Unit {
    /// Word tokens in the unit.
    pub fn words(&self) -> usize {
        self.words
    }
}

/// Units cut, keyed and counted, but not yet part of the document: the
/// part of expansion that needs no shared state, so it can run on another
/// thread. One batch holds many paragraphs in two flat vectors.
#[derive(Default)]
struct Cuts {
    /// Each paragraph cut, with its units (a range into `units`).
    paras: Vec<(usize, Range<usize>)>,
    units: Vec<Cut>,
}

/// One unit of a [`Cuts`] batch.
struct Cut {
    span: Span,
    content: Span,
    key: u64,
    words: usize,
}

/// Units tokenized but not interned (the pure part of [`Doc::tokenize`]):
/// each unit with its range in one flat token vector.
#[derive(Default)]
struct Toked {
    units: Vec<(usize, Range<usize>)>,
    toks: Vec<Token>,
}

/// One item of the reading-order stream: a whole paragraph that matched
/// exactly, or one unit of a paragraph that did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Para(usize),
    Unit(usize),
}

impl Item {
    /// The unit, when the item is one.
    pub fn unit(self) -> Option<usize> {
        match self {
            Item::Unit(u) => Some(u),
            Item::Para(_) => None,
        }
    }
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
    pub fn expand(&mut self, p: usize) {
        if self.punits[p].is_none() {
            let cuts = self.cut_all(&[p]);
            self.add_units(cuts);
        }
    }

    /// [`Doc::expand`] for many paragraphs of `self` and `other`, on two
    /// threads when there is enough text. Units are only cut, keyed and
    /// counted here: most units of an edited paragraph match exactly and
    /// never need tokens ([`Doc::tokenize`] makes them for the others).
    pub fn expand_pair(&mut self, ps: &[usize], other: &mut Doc<'a>, others: &[usize]) {
        let bytes = |d: &Doc, ps: &[usize]| ps.iter().map(|&p| d.paras[p].span.len()).sum::<usize>();
        let big = bytes(self, ps) + bytes(other, others) >= PARALLEL_CUT_BYTES;
        let (mine, theirs) = both(big, || self.cut_all(ps), || other.cut_all(others));
        self.add_units(mine);
        other.add_units(theirs);
    }

    /// Cut the paragraphs `ps` not expanded yet (each once, in order).
    fn cut_all(&self, ps: &[usize]) -> Cuts {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut cuts = Cuts::default();
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
            let key = fold_hash_with(&text[content.clone()], buf);
            // Eight bytes at a time on ASCII (nearly every sentence).
            let words = if s.is_ascii() { words_and_sig(s.as_bytes()).0 } else { count_words(s) };
            cuts.units.push(Cut { key, span, content, words });
        }
        cuts.paras.push((p, first..cuts.units.len()));
    }

    /// Add a batch of cut paragraphs, in order, to this text's units. The
    /// batch holds only paragraphs not yet expanded ([`Doc::cut_all`]).
    fn add_units(&mut self, cuts: Cuts) {
        self.units.reserve(cuts.units.len());
        for (p, r) in cuts.paras {
            debug_assert!(self.punits[p].is_none());
            let start = self.units.len();
            for c in &cuts.units[r] {
                self.units.push(Unit {
                    key: c.key,
                    span: c.span.clone(),
                    content: c.content.clone(),
                    words: c.words,
                    toks: 0..0,
                    bag: 0..0,
                    para: p,
                    tokenized: false,
                });
            }
            self.punits[p] = Some(start..self.units.len());
        }
    }

    /// Give the units `us` of this text their tokens, ids and bags (those
    /// that have none yet, each once, in order).
    pub fn tokenize(&mut self, us: &[usize], int: &mut Interner) {
        let toked = self.toke_all(us);
        self.intern(toked, int);
    }

    /// [`Doc::tokenize`] for units of both texts: the pure part on two
    /// threads when there is enough text, then interning in a fixed order
    /// (`self`'s units, then `other`'s), so the ids do not depend on it.
    pub fn tokenize_pair(&mut self, us: &[usize], other: &mut Doc<'a>, others: &[usize], int: &mut Interner) {
        let bytes = |d: &Doc, us: &[usize]| us.iter().map(|&u| d.units[u].span.len()).sum::<usize>();
        let big = bytes(self, us) + bytes(other, others) >= PARALLEL_CUT_BYTES;
        let (mine, theirs) = both(big, || self.toke_all(us), || other.toke_all(others));
        self.intern(mine, int);
        other.intern(theirs, int);
    }

    /// Tokens of the units `us` that have none yet (each once, in order).
    fn toke_all(&self, us: &[usize]) -> Toked {
        let mut out = Toked::default();
        // Prose averages over five bytes a token: reserving once keeps the
        // vector from being copied as it grows (and touching pages twice).
        let bytes: usize = us.iter().map(|&u| self.units[u].span.len()).sum();
        // The first batch becomes the arena itself ([`Doc::intern`]), which
        // emit's units then grow one by one: room for a tenth of the text
        // more is reserved with it (address space only, until used), so
        // the arena is not copied, and its pages touched again, as it grows.
        let later = if self.toks.is_empty() { self.text.len() / 40 } else { 0 };
        out.toks.reserve(bytes / 4 + 16 + later);
        let mut seen = rustc_hash::FxHashSet::default();
        for &u in us {
            let unit = &self.units[u];
            if !unit.tokenized && seen.insert(u) {
                let t0 = out.toks.len();
                tokenize_into(self.text, unit.span.clone(), &mut out.toks);
                out.units.push((u, t0..out.toks.len()));
            }
        }
        out
    }

    /// Intern a batch of tokenized units into this text's arenas.
    fn intern(&mut self, toked: Toked, int: &mut Interner) {
        let text = self.text;
        let base = self.toks.len();
        if base == 0 {
            self.toks = toked.toks;
        } else {
            self.toks.extend_from_slice(&toked.toks);
        }
        // Sized as the token arena, for the same reason.
        self.ids.reserve(self.toks.capacity() - self.ids.len());
        if self.bags.is_empty() {
            self.bags.reserve(self.toks.capacity());
        }
        for (u, r) in toked.units {
            let toks = base + r.start..base + r.end;
            let b0 = self.bags.len();
            for i in toks.clone() {
                let t = self.toks[i];
                let id = int.id(t.content(text));
                self.ids.push(id);
                if t.word {
                    self.bags.push(id);
                }
            }
            self.bags[b0..].sort_unstable();
            let unit = &mut self.units[u];
            debug_assert_eq!(self.bags.len() - b0, unit.words);
            (unit.toks, unit.bag, unit.tokenized) = (toks, b0..self.bags.len(), true);
        }
        debug_assert_eq!(self.ids.len(), self.toks.len());
    }

    /// Make sure item `it` has tokens: a unit its own, a whole paragraph
    /// (cut first if need be) its units', side by side in the arena as
    /// [`Doc::tokens`] reads them.
    pub fn ensure_tokens(&mut self, it: Item, int: &mut Interner) {
        match it {
            Item::Unit(u) => {
                if !self.units[u].tokenized {
                    self.tokenize(&[u], int);
                }
            }
            Item::Para(p) => {
                self.expand(p);
                self.ensure_run_tokens(self.units_of(p), int);
            }
        }
    }

    /// Make sure the consecutive units `us` have tokens side by side in
    /// the arena, as [`Doc::run_tokens`] reads them (a whole paragraph, or
    /// the sentences of a join).
    pub fn ensure_run_tokens(&mut self, us: Range<usize>, int: &mut Interner) {
        let adjacent = us.clone().all(|u| self.units[u].tokenized)
            && us.clone().skip(1).all(|u| self.units[u - 1].toks.end == self.units[u].toks.start);
        if !adjacent {
            // Tokenize them all again, side by side (their ids and
            // bags are the same, only where they lie changes).
            for u in us.clone() {
                self.units[u].tokenized = false;
            }
            self.tokenize(&us.collect::<Vec<_>>(), int);
        }
    }

    /// Tokens of the consecutive units `us`, made side by side by
    /// [`Doc::ensure_run_tokens`].
    pub fn run_tokens(&self, us: Range<usize>) -> Tokens<'_> {
        debug_assert!(us.clone().all(|u| self.units[u].tokenized));
        let r = if us.is_empty() { 0..0 } else { self.units[us.start].toks.start..self.units[us.end - 1].toks.end };
        Tokens { toks: &self.toks[r.clone()], ids: &self.ids[r] }
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
        debug_assert!(match it {
            Item::Unit(u) => self.units[u].tokenized,
            Item::Para(p) => self.units_of(p).all(|u| self.units[u].tokenized),
        });
        match it {
            Item::Unit(u) => self.run_tokens(u..u + 1),
            Item::Para(p) => self.run_tokens(self.units_of(p)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Units are tokenized on demand and in any order; a whole paragraph's
    /// tokens must still be its units' tokens side by side, and each unit's
    /// word count (taken when it was cut) its bag's length.
    #[test]
    fn tokens_made_on_demand_match_the_units_in_order() {
        let text = "One two three. Four, five six!\nSeven “eight” nine.\n\nTen eleven.\n";
        let (k, _) = super::super::keyed::keyed_pair(text, "", false, false);
        let mut d = Doc::new(text, k);
        let mut int = Interner::default();
        d.expand(0);
        let us = d.units_of(0);
        assert_eq!(us.len(), 3);
        // The last unit first, then the whole paragraph.
        d.tokenize(&[us.end - 1], &mut int);
        d.ensure_tokens(Item::Para(0), &mut int);
        let all = d.tokens(Item::Para(0));
        let want = super::super::tokenize::tokenize(text, d.paras[0].span.clone());
        let got: Vec<&str> = all.toks.iter().map(|t| t.content(text)).collect();
        let want: Vec<&str> = want.iter().map(|t| t.content(text)).collect();
        assert_eq!(got, want);
        for u in us {
            assert_eq!(d.units[u].words(), d.bag(u).len());
            let t = d.tokens(Item::Unit(u));
            assert_eq!(t.toks.len(), t.ids.len());
        }
        // A unit already tokenized is left alone.
        let before = d.toks.len();
        d.ensure_tokens(Item::Unit(0), &mut int);
        d.ensure_tokens(Item::Para(0), &mut int);
        assert_eq!(d.toks.len(), before);
    }
}
