//! One input text cut into paragraphs and, where needed, into units
//! (sentences within lines), keyed and tokenized.
//!
//! Paragraphs are always cut and keyed: matching them exactly is what makes
//! a lightly edited book cheap. Units are cut only for paragraphs that did
//! not match exactly (most of a long text never is), and the reading-order
//! *stream* then holds each matched paragraph as one item and each other
//! paragraph as its units.

use super::align::Bag;
use super::fold::fold_hash_with;
use super::model::Span;
use super::segment::{paragraphs, sentences, Block};
use super::tokenize::{count_words, tokenize, Token};
use super::words::{Interner, Tokens};

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
    pub tokens: Tokens,
    pub bag: Bag,
    /// The paragraph it belongs to.
    pub para: usize,
}

impl Unit {
    /// Word tokens in the unit.
    pub fn words(&self) -> usize {
        self.bag.0.len()
    }
}

/// A unit cut and tokenized but not interned: the part of expansion that
/// needs no shared state, so it can run on another thread.
struct Cut {
    span: Span,
    content: Span,
    key: u64,
    toks: Vec<Token>,
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
    pub fn new(text: &'a str, per_line: bool) -> Doc<'a> {
        let paras = paragraphs(text, per_line);
        let mut buf = Vec::new();
        let pkeys = paras.iter().map(|p| fold_hash_with(&text[p.content.clone()], &mut buf)).collect();
        // Spans tile the text and start where a line's text starts, so the
        // counts add up to `count_words(text)`.
        let pwords = paras.iter().map(|p| count_words(&text[p.span.clone()])).collect();
        let n = paras.len();
        Doc {
            text,
            paras,
            pkeys,
            pwords,
            units: Vec::new(),
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

    /// Cut paragraph `p` into units (once).
    pub fn expand(&mut self, p: usize, int: &mut Interner) {
        if self.punits[p].is_none() {
            let cut = self.cut(p);
            self.intern(p, cut, int);
        }
    }

    /// [`Doc::expand`] for many paragraphs of `self` and `other`. The pure
    /// part (units, tokens, keys) runs on two threads when there is enough
    /// text; interning then follows the same order as one-by-one calls
    /// (`self`'s, then `other`'s), so ids, and so the result, are the same.
    pub fn expand_pair(&mut self, ps: &[usize], other: &mut Doc<'a>, others: &[usize], int: &mut Interner) {
        let bytes = |d: &Doc, ps: &[usize]| ps.iter().map(|&p| d.paras[p].span.len()).sum::<usize>();
        if bytes(self, ps) + bytes(other, others) < PARALLEL_CUT_BYTES {
            ps.iter().for_each(|&p| self.expand(p, int));
            others.iter().for_each(|&p| other.expand(p, int));
            return;
        }
        let (mine, theirs) = std::thread::scope(|s| {
            let me = &*self;
            let t = s.spawn(move || me.cut_all(ps));
            let theirs = other.cut_all(others);
            (t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), theirs)
        });
        for (p, cut) in mine {
            self.intern(p, cut, int);
        }
        for (p, cut) in theirs {
            other.intern(p, cut, int);
        }
    }

    fn cut_all(&self, ps: &[usize]) -> Vec<(usize, Vec<Cut>)> {
        let mut seen = rustc_hash::FxHashSet::default();
        ps.iter().filter(|&&p| self.punits[p].is_none() && seen.insert(p)).map(|&p| (p, self.cut(p))).collect()
    }

    fn cut(&self, p: usize) -> Vec<Cut> {
        let text = self.text;
        let mut buf = Vec::new();
        sentences(text, &self.paras[p])
            .into_iter()
            .map(|span| {
                let s = &text[span.clone()];
                let lead = s.len() - s.trim_start().len();
                let content = span.start + lead..span.start + s.trim_end().len().max(lead);
                let toks = tokenize(text, span.clone());
                Cut { key: fold_hash_with(&text[content.clone()], &mut buf), span, content, toks }
            })
            .collect()
    }

    fn intern(&mut self, p: usize, cut: Vec<Cut>, int: &mut Interner) {
        if self.punits[p].is_some() {
            return;
        }
        let text = self.text;
        let start = self.units.len();
        for c in cut {
            let ids: Vec<u32> = c.toks.iter().map(|t| int.id(t.content(text))).collect();
            let words: Vec<u32> = c.toks.iter().zip(&ids).filter(|(t, _)| t.word).map(|(_, &i)| i).collect();
            self.units.push(Unit {
                key: c.key,
                span: c.span,
                content: c.content,
                tokens: Tokens { toks: c.toks, ids },
                bag: Bag::new(words),
                para: p,
            });
        }
        self.punits[p] = Some(start..self.units.len());
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

    /// Tokens of an item: a unit's own, or a whole paragraph's joined
    /// (its units must have been cut).
    pub fn tokens(&self, it: Item) -> std::borrow::Cow<'_, Tokens> {
        match it {
            Item::Unit(u) => std::borrow::Cow::Borrowed(&self.units[u].tokens),
            Item::Para(p) => {
                let mut t = Tokens::default();
                for u in self.units_of(p) {
                    t.toks.extend_from_slice(&self.units[u].tokens.toks);
                    t.ids.extend_from_slice(&self.units[u].tokens.ids);
                }
                std::borrow::Cow::Owned(t)
            }
        }
    }
}
