//! Turn an [`Alignment`] into the lossless op list, the classified changes
//! and the statistics. Units are visited in order on both sides, so ops
//! concatenate back to both inputs.

use super::engine::{Alignment, Cx, Link, Sent, SentId, MIN_MOVE_WORDS};
use super::model::*;
use super::words::{diff_tokens, substitution, Hunk, Tokens};
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// Near-copies at least this similar count as duplicates.
const DUP_THRESHOLD: f32 = 0.75;

/// Builds ops, changes and statistics as units are visited.
pub struct Emitter<'a> {
    old: &'a str,
    new: &'a str,
    pub ops: Vec<Op<'a>>,
    pub changes: Vec<Change<'a>>,
    pub stats: Stats,
    pub subs: FxHashMap<(&'a str, &'a str), usize>,
    oat: usize,
    nat: usize,
    moves: FxHashMap<u32, usize>,
    /// Word diffs of in-place sentence pairs computed ahead (see [`prediff`]).
    prediffed: FxHashMap<(SentId, SentId), Vec<Hunk>>,
    strict: bool,
}

/// Flags carried by one op.
#[derive(Clone, Copy, Default)]
struct Tag {
    mv: Option<u32>,
    fmt: bool,
    change: Option<usize>,
}

impl<'a> Emitter<'a> {
    pub fn new(old: &'a str, new: &'a str, strict: bool) -> Self {
        Emitter {
            old,
            new,
            ops: Vec::new(),
            changes: Vec::new(),
            stats: Stats::default(),
            subs: FxHashMap::default(),
            oat: 0,
            nat: 0,
            moves: FxHashMap::default(),
            prediffed: FxHashMap::default(),
            strict,
        }
    }

    fn push(&mut self, kind: OpKind, text: &'a str, tag: Tag) {
        if text.is_empty() {
            return;
        }
        let (old_at, new_at) = (self.oat, self.nat);
        match kind {
            OpKind::Equal => {
                self.oat += text.len();
                self.nat += text.len();
            }
            OpKind::Delete => self.oat += text.len(),
            OpKind::Insert => self.nat += text.len(),
        }
        if let Some(last) = self.ops.last_mut() {
            let same =
                last.op == kind && last.move_id == tag.mv && last.formatting == tag.fmt && last.change == tag.change;
            let adjacent = match kind {
                OpKind::Equal | OpKind::Delete => last.old_at + last.text.len() == old_at,
                OpKind::Insert => last.new_at + last.text.len() == new_at,
            };
            if same && adjacent {
                let src = if kind == OpKind::Insert { self.new } else { self.old };
                let start = if kind == OpKind::Insert { last.new_at } else { last.old_at };
                last.text = &src[start..start + last.text.len() + text.len()];
                return;
            }
        }
        self.ops.push(Op { op: kind, text, move_id: tag.mv, formatting: tag.fmt, change: tag.change, old_at, new_at });
    }

    /// Old and new spans with identical bytes, holding `words` words.
    fn equal(&mut self, span: Span, words: usize) {
        debug_assert_eq!(span.start, self.oat);
        self.stats.words_unchanged += words;
        self.push(OpKind::Equal, &self.old[span], Tag::default());
    }

    fn delete(&mut self, span: Span, tag: Tag) {
        if span.is_empty() {
            return;
        }
        debug_assert_eq!(span.start, self.oat);
        self.push(OpKind::Delete, &self.old[span], tag);
    }

    fn insert(&mut self, span: Span, tag: Tag) {
        if span.is_empty() {
            return;
        }
        debug_assert_eq!(span.start, self.nat);
        self.push(OpKind::Insert, &self.new[span], tag);
    }

    fn add_change(&mut self, c: Change<'a>) -> usize {
        *self.stats_kind(c.kind) += 1;
        self.changes.push(c);
        self.changes.len() - 1
    }

    fn stats_kind(&mut self, k: ChangeKind) -> &mut usize {
        let kc = &mut self.stats.kinds;
        match k {
            ChangeKind::Added => &mut kc.added,
            ChangeKind::Removed => &mut kc.removed,
            ChangeKind::Reworded => &mut kc.reworded,
            ChangeKind::Moved => &mut kc.moved,
            ChangeKind::Duplicated => &mut kc.duplicated,
        }
    }

    /// Emit a word-level diff of a pair of units, tagging changed ops with
    /// `change`.
    fn words(&mut self, d: &WordDiff, change: Option<usize>) {
        for h in &d.hunks {
            if h.equal {
                for (ot, nt) in d.old.toks[h.old.clone()].iter().zip(&d.new.toks[h.new.clone()]) {
                    self.pair_part(ot.start..ot.end, nt.start..nt.end, change);
                    self.pair_part(ot.end..ot.ws_end, nt.end..nt.ws_end, change);
                }
                continue;
            }
            let tag = Tag { change, ..Tag::default() };
            let (o, n) = (span_of(&d.old.toks[h.old.clone()]), span_of(&d.new.toks[h.new.clone()]));
            // Keep shared trailing whitespace outside the change.
            let ows = d.old.toks[..h.old.end].last().map(|t| t.end..t.ws_end);
            let nws = d.new.toks[..h.new.end].last().map(|t| t.end..t.ws_end);
            match (ows, nws, h.old.is_empty() || h.new.is_empty()) {
                (Some(ow), Some(nw), false) if self.old[ow.clone()] == self.new[nw.clone()] => {
                    self.delete(o.start..ow.start, tag);
                    self.insert(n.start..nw.start, tag);
                    self.push(OpKind::Equal, &self.old[ow], Tag::default());
                }
                _ => {
                    self.delete(o, tag);
                    self.insert(n, tag);
                }
            }
        }
    }

    /// Matched token parts: equal bytes, or a typography-only swap.
    fn pair_part(&mut self, o: Span, n: Span, change: Option<usize>) {
        if self.old[o.clone()] == self.new[n.clone()] {
            if !o.is_empty() {
                self.push(OpKind::Equal, &self.old[o], Tag::default());
            }
            return;
        }
        // A changed line-break count at a unit's end (from moving it) is
        // layout, not a typographic edit worth counting.
        if !(self.old[o.clone()].contains('\n') || self.new[n.clone()].contains('\n')) {
            self.stats.formatting_changes += 1;
        }
        let tag = Tag { fmt: true, change: change.filter(|_| self.strict), mv: None };
        self.delete(o, tag);
        self.insert(n, tag);
    }
}

/// A typography-only revision, token against token: when two texts fold
/// to the same token sequence, pairing them one to one is the whole truth,
/// and re-aligning units would only invent moves (a paragraph split by a
/// blank line is not three moved sentences). `None` when the sequences do
/// not line up.
pub fn zip<'a>(old: &'a str, new: &'a str, int: &mut super::words::Interner) -> Option<Emitter<'a>> {
    let ot = super::tokenize::tokenize(old, 0..old.len());
    let nt = super::tokenize::tokenize(new, 0..new.len());
    if ot.len() != nt.len() {
        return None;
    }
    if !ot.iter().zip(&nt).all(|(a, b)| int.id(a.content(old)) == int.id(b.content(new))) {
        return None;
    }
    let mut e = Emitter::new(old, new, false);
    for (a, b) in ot.iter().zip(&nt) {
        e.stats.words_unchanged += a.word as usize;
        e.pair_part(a.start..a.end, b.start..b.end, None);
        e.pair_part(a.end..a.ws_end, b.end..b.ws_end, None);
    }
    Some(e)
}

fn span_of(toks: &[super::tokenize::Token]) -> Span {
    match (toks.first(), toks.last()) {
        (Some(a), Some(b)) => a.start..b.ws_end,
        _ => 0..0,
    }
}

/// A word diff of two units, with what it adds up to. Borrows the units'
/// tokens where it can (a sentence), owns them where they are built for it
/// (a moved paragraph's sentences joined).
pub struct WordDiff<'t> {
    pub old: Cow<'t, Tokens>,
    pub new: Cow<'t, Tokens>,
    pub hunks: Vec<Hunk>,
    pub added: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Matched tokens whose bytes differ (typography).
    pub formatting: usize,
}

impl<'t> WordDiff<'t> {
    fn compute(old: Cow<'t, Tokens>, new: Cow<'t, Tokens>, cx: &Cx) -> WordDiff<'t> {
        let hunks = diff_tokens(&old, &new, Some(cx.deadline));
        Self::with_hunks(old, new, hunks, cx)
    }

    fn with_hunks(old: Cow<'t, Tokens>, new: Cow<'t, Tokens>, hunks: Vec<Hunk>, cx: &Cx) -> WordDiff<'t> {
        let mut d = WordDiff { old, new, hunks, added: 0, removed: 0, unchanged: 0, formatting: 0 };
        for h in &d.hunks {
            if h.equal {
                for (ot, nt) in d.old.toks[h.old.clone()].iter().zip(&d.new.toks[h.new.clone()]) {
                    d.unchanged += ot.word as usize;
                    let differ = cx.old.text[ot.start..ot.end] != cx.new.text[nt.start..nt.end];
                    d.formatting += differ as usize;
                }
            } else {
                d.removed += d.old.words_in(h.old.clone());
                d.added += d.new.words_in(h.new.clone());
            }
        }
        d
    }

    fn has_real_change(&self) -> bool {
        self.hunks.iter().any(|h| !h.equal)
    }

    /// Substitutions, and the words changed besides them.
    fn substitutions<'a>(&self, old: &'a str, new: &'a str) -> (Vec<Substitution<'a>>, usize, usize) {
        let (mut subs, mut added, mut removed) = (Vec::new(), 0, 0);
        for h in self.hunks.iter().filter(|h| !h.equal) {
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
}

fn para_tokens(sents: &[Sent]) -> Tokens {
    let mut t = Tokens::default();
    for s in sents {
        t.toks.extend_from_slice(&s.tokens.toks);
        t.ids.extend_from_slice(&s.tokens.ids);
    }
    t
}

/// Walk both texts and emit everything.
pub fn emit<'a>(cx: &mut Cx<'a>, al: &Alignment) -> Emitter<'a> {
    let mut e = Emitter::new(cx.old.text, cx.new.text, cx.strict);
    e.prediffed = prediff(cx, al);
    let chain: Vec<(usize, usize)> = al
        .new_para
        .iter()
        .enumerate()
        .filter_map(|(n, l)| if let Link::InPlace(o) = l { Some((*o, n)) } else { None })
        .collect();
    let (mut po, mut pn) = (0, 0);
    let end = (cx.old.paras.len(), cx.new.paras.len());
    for &(o, n) in chain.iter().chain(std::iter::once(&end)) {
        for x in po..o {
            old_para_gone(cx, al, &mut e, x);
        }
        for y in pn..n {
            new_para_came(cx, al, &mut e, y);
        }
        if (o, n) != end {
            para_pair(cx, al, &mut e, o, n);
        }
        (po, pn) = (o + 1, n + 1);
    }
    e
}

/// Above this many changed in-place sentence pairs, their word diffs are
/// computed ahead on two threads (a spun book has 5,700; an article a few).
const PARALLEL_PAIRS: usize = 1_000;

/// Word diffs of every changed in-place sentence pair, computed on two
/// threads when there are many; [`sent_pair`] takes them from here instead
/// of diffing as it walks. Empty when there are few (the walk diffs them).
fn prediff(cx: &Cx, al: &Alignment) -> FxHashMap<(SentId, SentId), Vec<Hunk>> {
    let mut pairs: Vec<(SentId, SentId)> = Vec::new();
    for (&n, link) in &al.new_sent {
        let Link::InPlace(o) = *link else { continue };
        let (Some(os), Some(ns)) = (cx.old.sents(o.0).get(o.1), cx.new.sents(n.0).get(n.1)) else { continue };
        let in_place_paras = al.new_para.get(n.0) == Some(&Link::InPlace(o.0));
        if in_place_paras && cx.old.text[os.span.clone()] != cx.new.text[ns.span.clone()] {
            pairs.push((o, n));
        }
    }
    if pairs.len() < PARALLEL_PAIRS {
        return FxHashMap::default();
    }
    let diff = |ps: &[(SentId, SentId)]| -> Vec<Vec<Hunk>> {
        ps.iter()
            .map(|&(o, n)| {
                let (so, sn) = (&cx.old.sents(o.0)[o.1], &cx.new.sents(n.0)[n.1]);
                diff_tokens(&so.tokens, &sn.tokens, Some(cx.deadline))
            })
            .collect()
    };
    let (a, b) = pairs.split_at(pairs.len() / 2);
    let (ha, hb) = std::thread::scope(|s| {
        let t = s.spawn(|| diff(a));
        let hb = diff(b);
        (t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), hb)
    });
    pairs.into_iter().zip(ha.into_iter().chain(hb)).collect()
}

fn old_para_gone<'a>(cx: &mut Cx<'a>, al: &Alignment, e: &mut Emitter<'a>, x: usize) {
    let span = cx.old.paras[x].span.clone();
    match al.old_para[x] {
        Link::Moved(n, id) => {
            let c = moved_para(cx, e, x, n, id);
            e.delete(span, Tag { mv: Some(id), change: Some(c), fmt: false });
        }
        _ => {
            let any_linked = (0..cx.old.sents(x).len()).any(|i| al.old_sent.contains_key(&(x, i)));
            if !any_linked {
                let c = e.add_change(unit_change(cx, ChangeKind::Removed, Unit::Paragraph, Some(x), None));
                e.stats.words_removed += cx.old.pwords[x];
                e.delete(span, Tag { change: Some(c), ..Tag::default() });
                return;
            }
            for i in 0..cx.old.sents(x).len() {
                old_sent_gone(cx, al, e, (x, i));
            }
        }
    }
}

fn new_para_came<'a>(cx: &mut Cx<'a>, al: &Alignment, e: &mut Emitter<'a>, y: usize) {
    let span = cx.new.paras[y].span.clone();
    match al.new_para[y] {
        Link::Moved(o, id) => {
            let c = moved_para(cx, e, o, y, id);
            e.insert(span, Tag { mv: Some(id), change: Some(c), fmt: false });
        }
        _ => {
            let any_linked = (0..cx.new.sents(y).len()).any(|j| al.new_sent.contains_key(&(y, j)));
            if !any_linked {
                let mut ch = unit_change(cx, ChangeKind::Added, Unit::Paragraph, None, Some(y));
                if let Some(twin) = para_twin(cx, al, y) {
                    ch.kind = ChangeKind::Duplicated;
                    ch.duplicate_of = Some(twin);
                }
                let c = e.add_change(ch);
                e.stats.words_added += cx.new.pwords[y];
                e.insert(span, Tag { change: Some(c), ..Tag::default() });
                return;
            }
            for j in 0..cx.new.sents(y).len() {
                new_sent_came(cx, al, e, (y, j));
            }
        }
    }
}

fn para_pair<'a>(cx: &mut Cx<'a>, al: &Alignment, e: &mut Emitter<'a>, o: usize, n: usize) {
    let (os, ns) = (cx.old.paras[o].span.clone(), cx.new.paras[n].span.clone());
    if cx.old.text[os.clone()] == cx.new.text[ns.clone()] {
        e.equal(os, cx.old.pwords[o]);
        return;
    }
    if cx.old.sents[o].is_none() || cx.new.sents[n].is_none() {
        // Cut short by the deadline: whole paragraphs, still lossless.
        let fmt = cx.old.pkeys[o] == cx.new.pkeys[n];
        e.delete(os, Tag { fmt, ..Tag::default() });
        e.insert(ns, Tag { fmt, ..Tag::default() });
        return;
    }
    let chain: Vec<(usize, usize)> = (0..cx.new.sents(n).len())
        .filter_map(|j| match al.new_sent.get(&(n, j)) {
            Some(Link::InPlace((_, i))) => Some((*i, j)),
            _ => None,
        })
        .collect();
    let (mut pi, mut pj) = (0, 0);
    let end = (cx.old.sents(o).len(), cx.new.sents(n).len());
    for &(i, j) in chain.iter().chain(std::iter::once(&end)) {
        for x in pi..i {
            old_sent_gone(cx, al, e, (o, x));
        }
        for y in pj..j {
            new_sent_came(cx, al, e, (n, y));
        }
        if (i, j) != end {
            sent_pair(cx, e, (o, i), (n, j));
        }
        (pi, pj) = (i + 1, j + 1);
    }
}

fn old_sent_gone<'a>(cx: &mut Cx<'a>, al: &Alignment, e: &mut Emitter<'a>, id: SentId) {
    let span = cx.old.sents(id.0)[id.1].span.clone();
    if let Some(Link::Moved(to, mv)) = al.old_sent.get(&id) {
        let c = moved_sent(cx, e, id, *to, *mv);
        e.delete(span, Tag { mv: Some(*mv), change: Some(c), fmt: false });
        return;
    }
    let mut ch = unit_change(cx, ChangeKind::Removed, Unit::Sentence, Some(id.0), None);
    let content = cx.old.sents(id.0)[id.1].content.clone();
    ch.old_text = Some(&cx.old.text[content.clone()]);
    ch.old = Some(content);
    let c = e.add_change(ch);
    e.stats.words_removed += cx.old.sents(id.0)[id.1].words();
    e.delete(span, Tag { change: Some(c), ..Tag::default() });
}

fn new_sent_came<'a>(cx: &mut Cx<'a>, al: &Alignment, e: &mut Emitter<'a>, id: SentId) {
    let span = cx.new.sents(id.0)[id.1].span.clone();
    if let Some(Link::Moved(from, mv)) = al.new_sent.get(&id) {
        let c = moved_sent(cx, e, *from, id, *mv);
        e.insert(span, Tag { mv: Some(*mv), change: Some(c), fmt: false });
        return;
    }
    let mut ch = unit_change(cx, ChangeKind::Added, Unit::Sentence, None, Some(id.0));
    let content = cx.new.sents(id.0)[id.1].content.clone();
    ch.new_text = Some(&cx.new.text[content.clone()]);
    ch.new = Some(content);
    if let Some(twin) = sent_twin(cx, al, id) {
        ch.kind = ChangeKind::Duplicated;
        ch.duplicate_of = Some(twin);
    }
    let c = e.add_change(ch);
    e.stats.words_added += cx.new.sents(id.0)[id.1].words();
    e.insert(span, Tag { change: Some(c), ..Tag::default() });
}

/// A paired sentence in place: equal, typography only, or reworded.
fn sent_pair<'a>(cx: &mut Cx<'a>, e: &mut Emitter<'a>, o: SentId, n: SentId) {
    let (so, sn) = (&cx.old.sents(o.0)[o.1], &cx.new.sents(n.0)[n.1]);
    if cx.old.text[so.span.clone()] == cx.new.text[sn.span.clone()] {
        e.equal(so.span.clone(), so.words());
        return;
    }
    let (ot, nt) = (Cow::Borrowed(&so.tokens), Cow::Borrowed(&sn.tokens));
    let d = match e.prediffed.remove(&(o, n)) {
        Some(hunks) => WordDiff::with_hunks(ot, nt, hunks, cx),
        None => WordDiff::compute(ot, nt, cx),
    };
    let real = d.has_real_change();
    let counts = real || (cx.strict && d.formatting > 0);
    let change = if counts {
        let (subs, added, removed) = d.substitutions(cx.old.text, cx.new.text);
        for s in &subs {
            *e.subs.entry((s.old, s.new)).or_default() += 1;
        }
        let mut ch = unit_change(cx, ChangeKind::Reworded, Unit::Sentence, Some(o.0), Some(n.0));
        set_sent_spans(cx, &mut ch, o, n);
        ch.substitutions = subs;
        ch.words_added = added;
        ch.words_removed = removed;
        ch.formatting_only = !real;
        Some(e.add_change(ch))
    } else {
        None
    };
    count_pair(e, &d);
    e.words(&d, change);
}

fn count_pair(e: &mut Emitter, d: &WordDiff) {
    e.stats.words_added += d.added;
    e.stats.words_removed += d.removed;
    e.stats.words_unchanged += d.unchanged;
}

fn set_sent_spans<'a>(cx: &Cx<'a>, ch: &mut Change<'a>, o: SentId, n: SentId) {
    let oc = cx.old.sents(o.0)[o.1].content.clone();
    let nc = cx.new.sents(n.0)[n.1].content.clone();
    ch.old_text = Some(&cx.old.text[oc.clone()]);
    ch.new_text = Some(&cx.new.text[nc.clone()]);
    ch.old = Some(oc);
    ch.new = Some(nc);
}

/// A change for a whole unit; sentence callers overwrite the spans.
fn unit_change<'a>(cx: &Cx<'a>, kind: ChangeKind, unit: Unit, op: Option<usize>, np: Option<usize>) -> Change<'a> {
    let old = op.map(|p| cx.old.pcontent(p));
    let new = np.map(|p| cx.new.pcontent(p));
    Change {
        kind,
        unit,
        old_text: old.clone().map(|s| &cx.old.text[s]),
        new_text: new.clone().map(|s| &cx.new.text[s]),
        old,
        new,
        substitutions: Vec::new(),
        duplicate_of: None,
        old_paragraph: op.map(|p| p + 1),
        new_paragraph: np.map(|p| p + 1),
        move_id: None,
        words_added: 0,
        words_removed: 0,
        formatting_only: false,
    }
}

/// The change for a moved paragraph, created the first time either end of
/// the move is visited.
fn moved_para<'a>(cx: &Cx<'a>, e: &mut Emitter<'a>, o: usize, n: usize, id: u32) -> usize {
    if let Some(&c) = e.moves.get(&id) {
        return c;
    }
    let mut ch = unit_change(cx, ChangeKind::Moved, Unit::Paragraph, Some(o), Some(n));
    ch.move_id = Some(id);
    let same = cx.old.text[cx.old.pcontent(o)] == cx.new.text[cx.new.pcontent(n)];
    if same || cx.old.sents[o].is_none() || cx.new.sents[n].is_none() {
        e.stats.words_unchanged += cx.old.pwords[o];
    } else {
        let d =
            WordDiff::compute(Cow::Owned(para_tokens(cx.old.sents(o))), Cow::Owned(para_tokens(cx.new.sents(n))), cx);
        fill_move(e, &mut ch, &d, cx);
    }
    let c = e.add_change(ch);
    e.moves.insert(id, c);
    c
}

fn moved_sent<'a>(cx: &Cx<'a>, e: &mut Emitter<'a>, o: SentId, n: SentId, id: u32) -> usize {
    if let Some(&c) = e.moves.get(&id) {
        return c;
    }
    let mut ch = unit_change(cx, ChangeKind::Moved, Unit::Sentence, Some(o.0), Some(n.0));
    set_sent_spans(cx, &mut ch, o, n);
    ch.move_id = Some(id);
    let (so, sn) = (&cx.old.sents(o.0)[o.1], &cx.new.sents(n.0)[n.1]);
    let d = WordDiff::compute(Cow::Borrowed(&so.tokens), Cow::Borrowed(&sn.tokens), cx);
    fill_move(e, &mut ch, &d, cx);
    let c = e.add_change(ch);
    e.moves.insert(id, c);
    c
}

fn fill_move<'a>(e: &mut Emitter<'a>, ch: &mut Change<'a>, d: &WordDiff, cx: &Cx<'a>) {
    let (subs, added, removed) = d.substitutions(cx.old.text, cx.new.text);
    for s in &subs {
        *e.subs.entry((s.old, s.new)).or_default() += 1;
    }
    ch.substitutions = subs;
    ch.words_added = added;
    ch.words_removed = removed;
    count_pair(e, d);
    e.stats.formatting_changes += d.formatting;
}

/// An earlier or linked paragraph of the new text that `y` repeats: a
/// near copy among its neighbours, or an exact copy anywhere.
fn para_twin(cx: &mut Cx, al: &Alignment, y: usize) -> Option<Span> {
    let n = cx.new.paras.len();
    let lo = y.saturating_sub(3);
    let hi = (y + 4).min(n);
    cx.new.ensure(y, &mut cx.int);
    let mut best: Option<(f32, usize)> = None;
    for z in lo..hi {
        if z == y || (z > y && al.new_para[z] == Link::None) {
            continue;
        }
        let score = if cx.new.pkeys[z] == cx.new.pkeys[y] {
            1.0
        } else {
            cx.new.ensure(z, &mut cx.int);
            cx.new.bag(y).dice(cx.new.bag(z))
        };
        if score >= DUP_THRESHOLD && best.is_none_or(|b| score > b.0) {
            best = Some((score, z));
        }
    }
    if best.is_none() && cx.new.pwords[y] >= MIN_MOVE_WORDS {
        // An exact copy pasted far away (a promo repeated at the end).
        let key = cx.new.pkeys[y];
        let far = (0..n).find(|&z| z != y && cx.new.pkeys[z] == key && (z < y || al.new_para[z] != Link::None));
        best = far.map(|z| (1.0, z));
    }
    best.map(|(_, z)| cx.new.pcontent(z))
}

/// An earlier or linked sentence (same or neighbouring paragraph) that
/// sentence `id` repeats.
fn sent_twin(cx: &mut Cx, al: &Alignment, id: SentId) -> Option<Span> {
    let me = &cx.new.sents(id.0)[id.1];
    if me.bag.0.len() < 3 {
        return None;
    }
    let (key, bag) = (me.key, me.bag.clone());
    let hi = (id.0 + 2).min(cx.new.paras.len());
    let mut best: Option<(f32, Span)> = None;
    for p in id.0.saturating_sub(1)..hi {
        cx.new.ensure(p, &mut cx.int);
        for (j, s) in cx.new.sents(p).iter().enumerate() {
            let other = (p, j);
            let linked = al.new_sent.contains_key(&other) || matches!(al.new_para[p], Link::InPlace(_));
            if other == id || (other > id && !linked) {
                continue;
            }
            let score = if s.key == key { 1.0 } else { bag.dice(&s.bag) };
            if score >= DUP_THRESHOLD && best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, s.content.clone()));
            }
        }
    }
    best.map(|b| b.1)
}
