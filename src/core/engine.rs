//! Level-by-level alignment: paragraphs, then sentences inside paired
//! paragraphs and across the whole text, then words inside paired
//! sentences. The result of this module is a set of links between units;
//! [`super::emit`] turns them into ops, changes and statistics.

use super::align::{exact_pairs, heaviest_increasing, similar_pairs, Bag, Pair};
use super::fold::fold_hash_with;
use super::model::Span;
use super::segment::{paragraphs, sentences, Block};
use super::tokenize::{count_words, tokenize};
use super::words::{Interner, Tokens};
use rustc_hash::FxHashMap;
use std::time::Instant;

/// Paired paragraphs need at least this word-bag similarity.
pub const PARA_THRESHOLD: f32 = 0.5;
/// Sentences paired inside a paragraph pair.
pub const SENT_THRESHOLD: f32 = 0.5;
/// Sentences paired across paragraphs (a move) must be closer than
/// neighbours, or unrelated short sentences would be "moved".
pub const MOVE_THRESHOLD: f32 = 0.6;

/// A unit moves between paragraphs only if it has at least this many
/// words: shorter ones ("Yes.", "----", "[source,console]") recur by chance.
pub const MIN_MOVE_WORDS: usize = 4;

/// Above this many bytes of paragraphs to cut, [`Doc::ensure_pair`] uses
/// two threads (a spun book cuts 1.5 MB; an article a few KB).
const PARALLEL_CUT_BYTES: usize = 256 * 1024;

/// A sentence cut and tokenized but not interned: the part of
/// [`Doc::ensure`] that needs no shared state.
struct Cut {
    span: Span,
    content: Span,
    key: u64,
    toks: Vec<super::tokenize::Token>,
}

/// One sentence, tokenized.
#[derive(Debug)]
pub struct Sent {
    /// Tiles the paragraph span (owns its trailing whitespace).
    pub span: Span,
    /// Without surrounding whitespace: what changes report.
    pub content: Span,
    pub key: u64,
    pub tokens: Tokens,
    pub bag: Bag,
}

impl Sent {
    /// Word tokens in the sentence.
    pub fn words(&self) -> usize {
        self.tokens.words_in(0..self.tokens.toks.len())
    }
}

/// One input text cut into units. Sentences are only computed for
/// paragraphs that need them (most of a long, lightly edited text never is).
pub struct Doc<'a> {
    pub text: &'a str,
    pub paras: Vec<Block>,
    pub pkeys: Vec<u64>,
    /// Words in each paragraph, counted once: statistics and the side
    /// totals reuse them instead of re-scanning the text.
    pub pwords: Vec<usize>,
    pub sents: Vec<Option<Vec<Sent>>>,
    pub pbags: Vec<Option<Bag>>,
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
        Doc { text, paras, pkeys, pwords, sents: (0..n).map(|_| None).collect(), pbags: vec![None; n] }
    }

    /// Words in the whole text.
    pub fn words(&self) -> usize {
        self.pwords.iter().sum()
    }

    /// Tokenize paragraph `p` into sentences (once).
    pub fn ensure(&mut self, p: usize, int: &mut Interner) {
        if self.sents[p].is_none() {
            let cut = self.cut(p);
            self.intern(p, cut, int);
        }
    }

    /// [`Doc::ensure`] for many paragraphs, in order. The pure part
    /// (sentences, tokens, keys) of `self`'s and `other`'s paragraphs runs on
    /// two threads when there is enough text; interning then follows the
    /// same order as one-by-one calls (`self`'s, then `other`'s), so ids are
    /// unchanged.
    pub fn ensure_pair(&mut self, ps: &[usize], other: &mut Doc<'a>, others: &[usize], int: &mut Interner) {
        let bytes = |d: &Doc, ps: &[usize]| ps.iter().map(|&p| d.paras[p].span.len()).sum::<usize>();
        if bytes(self, ps) + bytes(other, others) < PARALLEL_CUT_BYTES {
            ps.iter().for_each(|&p| self.ensure(p, int));
            others.iter().for_each(|&p| other.ensure(p, int));
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

    /// Cuts of the paragraphs in `ps` not cut yet (each once).
    fn cut_all(&self, ps: &[usize]) -> Vec<(usize, Vec<Cut>)> {
        let mut seen = rustc_hash::FxHashSet::default();
        ps.iter().filter(|&&p| self.sents[p].is_none() && seen.insert(p)).map(|&p| (p, self.cut(p))).collect()
    }

    /// Paragraph `p` cut into sentences and tokens, keyed, not interned.
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

    /// Intern a cut paragraph's tokens and store its sentences and bag.
    fn intern(&mut self, p: usize, cut: Vec<Cut>, int: &mut Interner) {
        if self.sents[p].is_some() {
            return;
        }
        let text = self.text;
        let mut all_words = Vec::new();
        let sents: Vec<Sent> = cut
            .into_iter()
            .map(|c| {
                let ids: Vec<u32> = c.toks.iter().map(|t| int.id(t.content(text))).collect();
                let words: Vec<u32> = c.toks.iter().zip(&ids).filter(|(t, _)| t.word).map(|(_, &i)| i).collect();
                all_words.extend_from_slice(&words);
                Sent {
                    key: c.key,
                    span: c.span,
                    content: c.content,
                    tokens: Tokens { toks: c.toks, ids },
                    bag: Bag::new(words),
                }
            })
            .collect();
        self.sents[p] = Some(sents);
        self.pbags[p] = Some(Bag::new(all_words));
    }

    pub fn sents(&self, p: usize) -> &[Sent] {
        self.sents[p].as_deref().unwrap_or(&[])
    }

    pub fn bag(&self, p: usize) -> &Bag {
        static EMPTY: Bag = Bag(Vec::new());
        self.pbags[p].as_ref().unwrap_or(&EMPTY)
    }

    /// Content span of paragraph `p` (no surrounding whitespace).
    pub fn pcontent(&self, p: usize) -> Span {
        self.paras[p].content.clone()
    }
}

/// How a unit relates to the other text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link<K> {
    /// No counterpart: added or removed (or duplicated).
    None,
    /// Paired with this unit, in order.
    InPlace(K),
    /// Paired with this unit, out of order: a move with this id.
    Moved(K, u32),
}

/// A sentence's address: (paragraph, sentence index within it).
pub type SentId = (usize, usize);

/// The alignment of two texts at paragraph and sentence level.
pub struct Alignment {
    pub old_para: Vec<Link<usize>>,
    pub new_para: Vec<Link<usize>>,
    pub old_sent: FxHashMap<SentId, Link<SentId>>,
    pub new_sent: FxHashMap<SentId, Link<SentId>>,
    pub next_move: u32,
    /// Refinement was cut short by the deadline.
    pub coarse: bool,
}

/// Shared state of one diff computation.
pub struct Cx<'a> {
    pub old: Doc<'a>,
    pub new: Doc<'a>,
    pub int: Interner,
    pub deadline: Instant,
    pub strict: bool,
}

impl Cx<'_> {
    pub fn late(&self) -> bool {
        Instant::now() > self.deadline
    }
}

/// Align paragraphs, then sentences.
pub fn align(cx: &mut Cx) -> Alignment {
    let mut al = Alignment {
        old_para: vec![Link::None; cx.old.paras.len()],
        new_para: vec![Link::None; cx.new.paras.len()],
        old_sent: FxHashMap::default(),
        new_sent: FxHashMap::default(),
        next_move: 0,
        coarse: false,
    };
    align_paragraphs(cx, &mut al);
    align_sentences(cx, &mut al);
    al
}

fn align_paragraphs(cx: &mut Cx, al: &mut Alignment) {
    let mut pairs = exact_pairs(&cx.old.pkeys, &cx.new.pkeys, Some(cx.deadline));
    let mut old_used = vec![false; cx.old.paras.len()];
    let mut new_used = vec![false; cx.new.paras.len()];
    for &(o, n) in &pairs {
        old_used[o] = true;
        new_used[n] = true;
    }
    // Gap numbers: which stretch between exact anchors a unit lies in.
    let gap_old = gaps(&old_used);
    let gap_new = gaps(&new_used);
    // Exact copies out of order: moved unchanged. Boilerplate lines ("----",
    // "[source,console]") recur everywhere and are not worth calling moves.
    let mut by_key: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    let text = cx.old.text;
    let movable = |o: usize| count_words(&text[cx.old.paras[o].content.clone()]) >= MIN_MOVE_WORDS;
    for o in (0..old_used.len()).rev().filter(|&o| !old_used[o] && movable(o)) {
        by_key.entry(cx.old.pkeys[o]).or_default().push(o);
    }
    for (n, used) in new_used.iter_mut().enumerate() {
        if *used {
            continue;
        }
        if let Some(o) = by_key.get_mut(&cx.new.pkeys[n]).and_then(|v| v.pop()) {
            old_used[o] = true;
            *used = true;
            pairs.push((o, n));
        }
    }
    // Edited paragraphs: pair by similarity.
    let old_left: Vec<usize> = (0..old_used.len()).filter(|&o| !old_used[o]).collect();
    let new_left: Vec<usize> = (0..new_used.len()).filter(|&n| !new_used[n]).collect();
    if cx.late() {
        al.coarse = true;
    } else {
        cx.old.ensure_pair(&old_left, &mut cx.new, &new_left, &mut cx.int);
        pair_within_gaps(cx, &old_left, &new_left, (&gap_old, &gap_new), &mut pairs);
        let (old_used, new_used) = used_by(&pairs, cx.old.paras.len(), cx.new.paras.len());
        let old_left: Vec<usize> = old_left.into_iter().filter(|&o| !old_used[o]).collect();
        let new_left: Vec<usize> = new_left.into_iter().filter(|&n| !new_used[n]).collect();
        let ob: Vec<&Bag> = old_left.iter().map(|&o| cx.old.bag(o)).collect();
        let nb: Vec<&Bag> = new_left.iter().map(|&n| cx.new.bag(n)).collect();
        for s in similar_pairs(&ob, &nb, PARA_THRESHOLD, &|_, _| 0.0) {
            pairs.push((old_left[s.old], new_left[s.new]));
        }
    }
    let old = &cx.old;
    let weight = |p: &Pair| (old.paras[p.0].content.len() as u64) + 1;
    classify_pairs(pairs, &weight, &mut al.old_para, &mut al.new_para, &mut al.next_move);
}

/// Pair edited paragraphs inside each gap between anchors first: the
/// neighbours are the likeliest counterparts, and a gap is small enough to
/// compare all pairs, so a paragraph made only of common words (which the
/// global index skips as stop words) still finds its partner.
fn pair_within_gaps(cx: &Cx, old_left: &[usize], new_left: &[usize], gap: (&[usize], &[usize]), pairs: &mut Vec<Pair>) {
    let mut by_gap: std::collections::BTreeMap<usize, (Vec<usize>, Vec<usize>)> = Default::default();
    for &o in old_left {
        by_gap.entry(gap.0[o]).or_default().0.push(o);
    }
    for &n in new_left {
        by_gap.entry(gap.1[n]).or_default().1.push(n);
    }
    for (os, ns) in by_gap.values() {
        if os.is_empty() || ns.is_empty() || os.len() * ns.len() > 4096 {
            continue;
        }
        let ob: Vec<&Bag> = os.iter().map(|&o| cx.old.bag(o)).collect();
        let nb: Vec<&Bag> = ns.iter().map(|&n| cx.new.bag(n)).collect();
        for s in similar_pairs(&ob, &nb, PARA_THRESHOLD, &|_, _| 0.0) {
            pairs.push((os[s.old], ns[s.new]));
        }
    }
}

fn used_by(pairs: &[Pair], n_old: usize, n_new: usize) -> (Vec<bool>, Vec<bool>) {
    let (mut o, mut n) = (vec![false; n_old], vec![false; n_new]);
    for &(a, b) in pairs {
        o[a] = true;
        n[b] = true;
    }
    (o, n)
}

/// Gap index of every unit: the number of matched units before it.
fn gaps(used: &[bool]) -> Vec<usize> {
    let mut g = 0;
    used.iter()
        .map(|&u| {
            if u {
                g += 1;
            }
            g
        })
        .collect()
}

/// Split `pairs` into the heaviest in-order chain (in place) and moves,
/// recording both in the link tables.
fn classify_pairs<K: Copy + Ord>(
    mut pairs: Vec<(K, K)>,
    weight: &dyn Fn(&(K, K)) -> u64,
    old_link: &mut impl LinkTable<K>,
    new_link: &mut impl LinkTable<K>,
    next_move: &mut u32,
) {
    pairs.sort_by_key(|p| p.1);
    // Rank old keys so the chain search works on dense indices.
    let mut olds: Vec<K> = pairs.iter().map(|p| p.0).collect();
    olds.sort();
    let ranked: Vec<Pair> = pairs.iter().enumerate().map(|(i, p)| (olds.binary_search(&p.0).unwrap_or(0), i)).collect();
    let chain = heaviest_increasing(&ranked, &|k| weight(&pairs[k]));
    let mut in_chain = vec![false; pairs.len()];
    for k in chain {
        in_chain[k] = true;
    }
    for (k, &(o, n)) in pairs.iter().enumerate() {
        if in_chain[k] {
            old_link.set(o, Link::InPlace(n));
            new_link.set(n, Link::InPlace(o));
        } else {
            let id = *next_move;
            *next_move += 1;
            old_link.set(o, Link::Moved(n, id));
            new_link.set(n, Link::Moved(o, id));
        }
    }
}

/// Where links are recorded: a vector for paragraphs, a map for sentences.
pub trait LinkTable<K> {
    fn set(&mut self, k: K, link: Link<K>);
}

impl LinkTable<usize> for Vec<Link<usize>> {
    fn set(&mut self, k: usize, link: Link<usize>) {
        self[k] = link;
    }
}

impl LinkTable<SentId> for FxHashMap<SentId, Link<SentId>> {
    fn set(&mut self, k: SentId, link: Link<SentId>) {
        self.insert(k, link);
    }
}

/// Inside each in-place paragraph pair that changed, pair sentences (a
/// swap is a move); then pair the leftover sentences of the whole text, so
/// a sentence moved to another paragraph is found.
fn align_sentences(cx: &mut Cx, al: &mut Alignment) {
    let mut old_pool: Vec<SentId> = Vec::new();
    let mut new_pool: Vec<SentId> = Vec::new();
    for o in 0..al.old_para.len() {
        match al.old_para[o] {
            Link::InPlace(n) => {
                if cx.old.text[cx.old.paras[o].span.clone()] == cx.new.text[cx.new.paras[n].span.clone()] {
                    continue;
                }
                if cx.late() {
                    al.coarse = true;
                    continue;
                }
                cx.old.ensure(o, &mut cx.int);
                cx.new.ensure(n, &mut cx.int);
                align_within(cx, al, o, n, &mut old_pool, &mut new_pool);
            }
            Link::None => {
                cx.old.ensure(o, &mut cx.int);
                old_pool.extend((0..cx.old.sents(o).len()).map(|i| (o, i)));
            }
            Link::Moved(..) => {}
        }
    }
    for n in 0..al.new_para.len() {
        if al.new_para[n] == Link::None {
            cx.new.ensure(n, &mut cx.int);
            new_pool.extend((0..cx.new.sents(n).len()).map(|i| (n, i)));
        }
    }
    new_pool.sort();
    if cx.late() {
        al.coarse = true;
        return;
    }
    let pairs = pool_pairs(cx, &old_pool, &new_pool);
    for (o, n) in pairs {
        let id = al.next_move;
        al.next_move += 1;
        al.old_sent.insert(o, Link::Moved(n, id));
        al.new_sent.insert(n, Link::Moved(o, id));
    }
}

fn align_within(
    cx: &Cx,
    al: &mut Alignment,
    o: usize,
    n: usize,
    old_pool: &mut Vec<SentId>,
    new_pool: &mut Vec<SentId>,
) {
    let (os, ns) = (cx.old.sents(o), cx.new.sents(n));
    let ok: Vec<u64> = os.iter().map(|s| s.key).collect();
    let nk: Vec<u64> = ns.iter().map(|s| s.key).collect();
    let mut pairs = exact_pairs(&ok, &nk, Some(cx.deadline));
    let mut ou = vec![false; os.len()];
    let mut nu = vec![false; ns.len()];
    for &(i, j) in &pairs {
        ou[i] = true;
        nu[j] = true;
    }
    let ol: Vec<usize> = (0..os.len()).filter(|&i| !ou[i]).collect();
    let nl: Vec<usize> = (0..ns.len()).filter(|&j| !nu[j]).collect();
    // Exact sentences out of order (a swap), then similar ones.
    let mut by_key: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    for &i in ol.iter().rev() {
        by_key.entry(ok[i]).or_default().push(i);
    }
    for &j in &nl {
        if let Some(i) = by_key.get_mut(&nk[j]).and_then(|v| v.pop()) {
            ou[i] = true;
            nu[j] = true;
            pairs.push((i, j));
        }
    }
    let ol: Vec<usize> = (0..os.len()).filter(|&i| !ou[i]).collect();
    let nl: Vec<usize> = (0..ns.len()).filter(|&j| !nu[j]).collect();
    let ob: Vec<&Bag> = ol.iter().map(|&i| &os[i].bag).collect();
    let nb: Vec<&Bag> = nl.iter().map(|&j| &ns[j].bag).collect();
    // Favour the sentence in the same relative position on ties.
    let near = |a: usize, b: usize| if ol[a] == nl[b] { 0.01 } else { 0.0 };
    for s in similar_pairs(&ob, &nb, SENT_THRESHOLD, &near) {
        pairs.push((ol[s.old], nl[s.new]));
        ou[ol[s.old]] = true;
        nu[nl[s.new]] = true;
    }
    let weight = |p: &(SentId, SentId)| (os[p.0 .1].content.len() as u64) + 1;
    let pairs: Vec<(SentId, SentId)> = pairs.into_iter().map(|(i, j)| ((o, i), (n, j))).collect();
    classify_pairs(pairs, &weight, &mut al.old_sent, &mut al.new_sent, &mut al.next_move);
    old_pool.extend((0..os.len()).filter(|&i| !ou[i]).map(|i| (o, i)));
    new_pool.extend((0..ns.len()).filter(|&j| !nu[j]).map(|j| (n, j)));
}

/// Pair leftover sentences across the whole text: exact copies first, then
/// near copies (edited after moving).
fn pool_pairs(cx: &Cx, old_pool: &[SentId], new_pool: &[SentId]) -> Vec<(SentId, SentId)> {
    let old_sent = |id: &SentId| &cx.old.sents(id.0)[id.1];
    let new_sent = |id: &SentId| &cx.new.sents(id.0)[id.1];
    let mut out = Vec::new();
    let mut by_key: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
    for (k, id) in old_pool.iter().enumerate().rev() {
        if old_sent(id).bag.0.len() >= MIN_MOVE_WORDS {
            by_key.entry(old_sent(id).key).or_default().push(k);
        }
    }
    let mut ou = vec![false; old_pool.len()];
    let mut nu = vec![false; new_pool.len()];
    for (j, id) in new_pool.iter().enumerate() {
        if let Some(k) = by_key.get_mut(&new_sent(id).key).and_then(|v| v.pop()) {
            ou[k] = true;
            nu[j] = true;
            out.push((old_pool[k], *id));
        }
    }
    let ol: Vec<usize> = (0..old_pool.len()).filter(|&k| !ou[k]).collect();
    let nl: Vec<usize> = (0..new_pool.len()).filter(|&j| !nu[j]).collect();
    // Very short sentences ("Yes.") match too easily to count as moves.
    let big = |b: &Bag| b.0.len() >= MIN_MOVE_WORDS;
    let ol: Vec<usize> = ol.into_iter().filter(|&k| big(&old_sent(&old_pool[k]).bag)).collect();
    let nl: Vec<usize> = nl.into_iter().filter(|&j| big(&new_sent(&new_pool[j]).bag)).collect();
    let ob: Vec<&Bag> = ol.iter().map(|&k| &old_sent(&old_pool[k]).bag).collect();
    let nb: Vec<&Bag> = nl.iter().map(|&j| &new_sent(&new_pool[j]).bag).collect();
    for s in similar_pairs(&ob, &nb, MOVE_THRESHOLD, &|_, _| 0.0) {
        out.push((old_pool[ol[s.old]], new_pool[nl[s.new]]));
    }
    out
}
