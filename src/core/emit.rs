//! Turn an [`Alignment`] into the lossless op list, the classified changes
//! and the statistics. Both streams are walked in reading order along the
//! in-place chain, so ops concatenate back to both inputs.

use super::doc::Item;
use super::engine::{Alignment, Cx, Link};
use super::joins::{self, Join};
use super::model::*;
use super::refine::{Key, Refined, WordDiff};
use super::structure::Structure;
use super::tokenize::Token;
use super::words::Hunk;
use rustc_hash::FxHashMap;

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
    groups: FxHashMap<usize, usize>,
    strict: bool,
    /// The quoted ranges of the paragraph last asked for, old and new side
    /// (paragraph index + 1, 0 for none): the walk visits a paragraph's
    /// reworded units one after another, and each needs them.
    quotes: [(usize, Vec<Span>); 2],
}

/// Flags carried by one op.
#[derive(Clone, Copy, Default)]
pub(crate) struct Tag {
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
            groups: FxHashMap::default(),
            strict,
            quotes: Default::default(),
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

    fn equal_span(&mut self, span: Span) {
        debug_assert_eq!(span.start, self.oat);
        self.push(OpKind::Equal, &self.old[span], Tag::default());
    }

    fn delete(&mut self, span: Span, tag: Tag) {
        debug_assert!(span.is_empty() || span.start == self.oat);
        self.push(OpKind::Delete, &self.old[span], tag);
    }

    fn insert(&mut self, span: Span, tag: Tag) {
        debug_assert!(span.is_empty() || span.start == self.nat);
        self.push(OpKind::Insert, &self.new[span], tag);
    }

    fn add_change(&mut self, c: Change<'a>) -> usize {
        *self.stats.kinds.get_mut(c.kind) += 1;
        self.stats.quotes_changed += c.quote_changed as usize;
        self.stats.numbers_changed += c.number_changed.len();
        self.changes.push(c);
        self.changes.len() - 1
    }

    /// An edited stretch: the bytes both sides share at its ends are equal
    /// ops, the rest one delete and one insert. A space inserted or removed
    /// next to changed words so belongs to that change, never to a
    /// typography swap, and a shared line break stays unchanged.
    fn region(&mut self, o: Span, n: Span, tag: Tag) {
        let (a, b) = (&self.old[o.clone()], &self.new[n.clone()]);
        // Only whitespace is shared out: a word is never cut in two.
        let ws = |x: &(char, char)| x.0 == x.1 && x.0.is_whitespace();
        let pre: usize = a.chars().zip(b.chars()).take_while(ws).map(|x| x.0.len_utf8()).sum();
        let (ra, rb) = (&a[pre..], &b[pre..]);
        let suf: usize = ra.chars().rev().zip(rb.chars().rev()).take_while(ws).map(|x| x.0.len_utf8()).sum();
        self.equal_span(o.start..o.start + pre);
        self.delete(o.start + pre..o.end - suf, tag);
        self.insert(n.start + pre..n.end - suf, tag);
        self.equal_span(o.end - suf..o.end);
    }

    /// Matched token parts: equal bytes, or a typography-only swap.
    fn pair_part(&mut self, o: Span, n: Span, change: Option<usize>) {
        if self.old[o.clone()] == self.new[n.clone()] {
            self.equal_span(o);
            return;
        }
        // A changed line-break count (a paragraph split, a unit moved to a
        // paragraph's end) is layout, not a typographic edit worth counting.
        if !(self.old[o.clone()].contains('\n') || self.new[n.clone()].contains('\n')) {
            self.stats.formatting_changes += 1;
        }
        let tag = Tag { fmt: true, change: change.filter(|_| self.strict), mv: None };
        self.delete(o, tag);
        self.insert(n, tag);
    }

    /// Emit the ops of a word diff, tagging changed ops with `change`.
    fn words(&mut self, d: &WordDiff, change: Option<usize>, end: (usize, usize)) {
        let (ot, nt) = (d.old.toks, d.new.toks);
        // Whitespace after the last equal token, when it differs and a
        // change follows: it belongs to that change.
        let mut pending: Option<(Span, Span)> = None;
        for (k, h) in d.shown.iter().enumerate() {
            if h.equal {
                let last = h.old.len().saturating_sub(1);
                for (x, (a, b)) in ot[h.old.clone()].iter().zip(&nt[h.new.clone()]).enumerate() {
                    self.pair_part(a.start()..a.end(), b.start()..b.end(), change);
                    let before_change = x == last && k + 1 < d.shown.len();
                    if before_change && self.old[a.end()..a.ws_end()] != self.new[b.end()..b.ws_end()] {
                        pending = Some((a.end()..a.ws_end(), b.end()..b.ws_end()));
                    } else {
                        self.pair_part(a.end()..a.ws_end(), b.end()..b.ws_end(), change);
                    }
                }
                continue;
            }
            let ws = pending.take();
            let o = side_span(ot, h.old.clone(), end.0, ws.as_ref().map(|w| w.0.clone()));
            let n = side_span(nt, h.new.clone(), end.1, ws.map(|w| w.1));
            self.region(o, n, Tag { change, ..Tag::default() });
        }
    }
}

/// The bytes a changed hunk covers on one side: its tokens with their
/// whitespace, preceded by `ws` (whitespace after the equal token before
/// it); `end` is where the unit ends, for a hunk at the very end.
fn side_span(toks: &[Token], r: std::ops::Range<usize>, end: usize, ws: Option<Span>) -> Span {
    let start = toks.get(r.start).map_or(end, |t| t.start());
    let stop = if r.is_empty() { start } else { toks[r.end - 1].ws_end() };
    match ws {
        Some(w) => w.start..stop.max(w.end),
        None => start..stop,
    }
}

/// A typography-only revision with the same paragraphs, token against
/// token: when two texts fold to the same token sequence, pairing them one
/// to one is the whole truth. `None` when the sequences do not line up.
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
        e.pair_part(a.start()..a.end(), b.start()..b.end(), None);
        e.pair_part(a.end()..a.ws_end(), b.end()..b.ws_end(), None);
    }
    Some(e)
}

/// Everything the walk reads.
pub(crate) struct Walk<'w, 'a> {
    pub cx: &'w mut Cx<'a>,
    pub al: &'w Alignment,
    pub st: &'w Structure,
    pub refined: Refined,
    pub e: Emitter<'a>,
}

/// Walk both texts and emit everything.
pub fn emit<'a>(cx: &mut Cx<'a>, al: &Alignment) -> Emitter<'a> {
    let st = Structure::new(&cx.old, &cx.new, al);
    let refined = super::refine::refine(cx, al, &st);
    let e = Emitter::new(cx.old.text, cx.new.text, cx.strict);
    let mut w = Walk { cx, al, st: &st, refined, e };
    let chain: Vec<(usize, usize)> = al
        .new
        .iter()
        .enumerate()
        .filter_map(|(n, l)| if let Link::InPlace(o) = l { Some((*o, n)) } else { None })
        .collect();
    let (mut po, mut pn) = (0, 0);
    let end = (al.old.len(), al.new.len());
    for &(o, n) in chain.iter().chain(std::iter::once(&end)) {
        w.old_run(po, o);
        w.new_run(pn, n);
        (po, pn) = (o + 1, n + 1);
        if (o, n) == end {
            break;
        }
        match joins::at(&al.joins, o) {
            Some(j) => {
                w.join(j);
                (po, pn) = (j.old.end, j.new.end);
            }
            None => w.pair(o, n),
        }
    }
    w.e
}

impl<'a> Walk<'_, 'a> {
    /// Old stream positions `from..to`, none of them in place.
    fn old_run(&mut self, from: usize, to: usize) {
        let mut pos = from;
        while pos < to {
            let it = self.cx.old.stream[pos];
            let p = self.cx.old.para_of(it);
            let first = matches!(it, Item::Unit(u) if self.cx.old.units_of(p).start == u);
            if first {
                if let Some(&(q, id)) = self.st.moved_old.get(&p) {
                    let c = self.para_move(p, q, id);
                    self.e.delete(self.cx.old.paras[p].span.clone(), Tag { mv: Some(id), change: Some(c), fmt: false });
                    pos += self.cx.old.units_of(p).len();
                    continue;
                }
                let r = self.cx.old.units_of(p);
                if r.clone().all(|u| self.al.old[self.cx.old.unit_pos[u]] == Link::None) {
                    self.removed(Item::Para(p));
                    pos += r.len();
                    continue;
                }
            }
            match self.al.old[pos] {
                Link::Moved(n, id) => {
                    let c = self.item_move(pos, n, id);
                    self.e.delete(self.cx.old.span(it), Tag { mv: Some(id), change: Some(c), fmt: false });
                }
                _ => self.removed(it),
            }
            pos += 1;
        }
    }

    /// New stream positions `from..to`, none of them in place.
    fn new_run(&mut self, from: usize, to: usize) {
        let mut pos = from;
        while pos < to {
            let it = self.cx.new.stream[pos];
            let q = self.cx.new.para_of(it);
            let first = matches!(it, Item::Unit(u) if self.cx.new.units_of(q).start == u);
            if first {
                if let Some(&(p, id)) = self.st.moved_new.get(&q) {
                    let c = self.para_move(p, q, id);
                    self.e.insert(self.cx.new.paras[q].span.clone(), Tag { mv: Some(id), change: Some(c), fmt: false });
                    pos += self.cx.new.units_of(q).len();
                    continue;
                }
                let r = self.cx.new.units_of(q);
                if r.clone().all(|u| self.al.new[self.cx.new.unit_pos[u]] == Link::None) {
                    self.added(Item::Para(q));
                    pos += r.len();
                    continue;
                }
            }
            match self.al.new[pos] {
                Link::Moved(o, id) => {
                    let c = self.item_move(o, pos, id);
                    self.e.insert(self.cx.new.span(it), Tag { mv: Some(id), change: Some(c), fmt: false });
                }
                _ => self.added(it),
            }
            pos += 1;
        }
    }

    fn unit_of(it: Item) -> Unit {
        match it {
            Item::Para(_) => Unit::Paragraph,
            Item::Unit(_) => Unit::Sentence,
        }
    }

    fn removed(&mut self, it: Item) {
        let d = &self.cx.old;
        let mut ch = Change::new(ChangeKind::Removed, Self::unit_of(it));
        let content = d.content(it);
        ch.old_text = Some(&d.text[content.clone()]);
        ch.old = Some(content);
        ch.old_paragraph = Some(d.para_of(it) + 1);
        let c = self.e.add_change(ch);
        self.e.stats.words_removed += d.item_words(it);
        self.e.delete(d.span(it), Tag { change: Some(c), ..Tag::default() });
    }

    fn added(&mut self, it: Item) {
        let mut ch = Change::new(ChangeKind::Added, Self::unit_of(it));
        let d = &self.cx.new;
        let content = d.content(it);
        ch.new_text = Some(&d.text[content.clone()]);
        ch.new = Some(content);
        ch.new_paragraph = Some(d.para_of(it) + 1);
        let words = d.item_words(it);
        let span = d.span(it);
        if let Some(twin) = super::twins::twin(self.cx, self.al, it) {
            ch.kind = ChangeKind::Duplicated;
            self.dup_inner(&mut ch, it, twin.clone());
            ch.duplicate_of = Some(twin);
        }
        let c = self.e.add_change(ch);
        self.e.stats.words_added += words;
        self.e.insert(span, Tag { change: Some(c), ..Tag::default() });
    }

    /// The word diff of a duplicate against the copy it repeats, when the
    /// two differ (the headline pasted twice, once reworded).
    fn dup_inner(&mut self, ch: &mut Change<'a>, it: Item, twin: Span) {
        let text = self.cx.new.text;
        if text[twin.clone()] == text[self.cx.new.content(it)] {
            return;
        }
        let Some(tw) = super::twins::item_at(&mut self.cx.new, &twin) else { return };
        self.cx.new.ensure_tokens(tw, &mut self.cx.int);
        self.cx.new.ensure_tokens(it, &mut self.cx.int);
        let (a, b) = (self.cx.new.tokens(tw), self.cx.new.tokens(it));
        let d = WordDiff::compute(a, b, &mut self.cx.budget, (text, text));
        let units = (self.cx.new.content(tw), self.cx.new.content(it));
        ch.inner_ops = inner_ops(&d, (text, text), units);
    }

    /// An in-place pair: equal, typography only, or reworded.
    fn pair(&mut self, o: usize, n: usize) {
        let (oi, ni) = (self.cx.old.stream[o], self.cx.new.stream[n]);
        let hunks = self.refined.hunks.remove(&Key::Items(o, n));
        if let (Item::Para(p), Item::Para(q), Some(_)) = (oi, ni, &hunks) {
            // Matched whole but typography differs: unit by unit when the
            // units line up, so each change names its sentence.
            let (a, b) = (self.cx.old.units_of(p), self.cx.new.units_of(q));
            let keys = |d: &super::doc::Doc, r: std::ops::Range<usize>| r.map(|u| d.units[u].key).collect::<Vec<_>>();
            if a.len() == 1 && b.len() == 1 {
                return self.pair_items(Item::Unit(a.start), Item::Unit(b.start), hunks);
            }
            if keys(&self.cx.old, a.clone()) == keys(&self.cx.new, b.clone()) {
                for (x, y) in a.zip(b) {
                    self.pair_items(Item::Unit(x), Item::Unit(y), None);
                }
                return;
            }
        }
        self.pair_items(oi, ni, hunks);
    }

    /// Two items in place, with their word diff when it was computed ahead.
    fn pair_items(&mut self, oi: Item, ni: Item, hunks: Option<Vec<Hunk>>) {
        let (os, ns) = (self.cx.old.span(oi), self.cx.new.span(ni));
        let words = self.cx.old.item_words(oi);
        let group = self.group_change(oi);
        if self.cx.old.text[os.clone()] == self.cx.new.text[ns.clone()] {
            self.e.stats.words_unchanged += words;
            self.e.equal_span(os);
            return;
        }
        let (oc, nc) = (self.cx.old.content(oi), self.cx.new.content(ni));
        if self.cx.old.text[oc.clone()] == self.cx.new.text[nc.clone()] {
            // Only the whitespace after it changed: a paragraph split or
            // merged here, or a line re-broken.
            self.e.stats.words_unchanged += words;
            self.e.pair_part(os.start..oc.start, ns.start..nc.start, group);
            self.e.equal_span(oc.clone());
            let tag = Tag { fmt: true, change: group, mv: None };
            self.e.delete(oc.end..os.end, tag);
            self.e.insert(nc.end..ns.end, tag);
            return;
        }
        self.cx.old.ensure_tokens(oi, &mut self.cx.int);
        self.cx.new.ensure_tokens(ni, &mut self.cx.int);
        let (a, b) = (self.cx.old.tokens(oi), self.cx.new.tokens(ni));
        let d = match hunks {
            Some(h) => WordDiff::new(a, b, h, self.texts()),
            None => WordDiff::compute(a, b, &mut self.cx.budget, (self.cx.old.text, self.cx.new.text)),
        };
        let real = d.has_real_change();
        let change = if real || (self.cx.strict && d.formatting > 0) {
            let mut ch = Change::new(ChangeKind::Reworded, Self::unit_of(ni));
            fill(&mut self.e, self.cx, &mut ch, (oi, ni), &d);
            ch.formatting_only = !real;
            Some(self.e.add_change(ch))
        } else {
            None
        };
        count(&mut self.e, &d);
        self.e.words(&d, change.or(group), (os.end, ns.end));
    }

    /// The units of a join (a sentence boundary moved), word-diffed as one
    /// block and reported as one reworded change that says how many
    /// sentences each side had.
    fn join(&mut self, j: &Join) {
        let (ou, nu) = (joins::units(&self.cx.old, &j.old), joins::units(&self.cx.new, &j.new));
        let outer = |d: &super::doc::Doc, us: &std::ops::Range<usize>| {
            let (a, b) = (&d.units[us.start], &d.units[us.end - 1]);
            (a.span.start..b.span.end, a.content.start..b.content.end, a.para)
        };
        let (os, oc, po) = outer(&self.cx.old, &ou);
        let (ns, nc, pn) = outer(&self.cx.new, &nu);
        let group = self.group_change(Item::Unit(ou.start));
        self.cx.old.ensure_run_tokens(ou.clone(), &mut self.cx.int);
        self.cx.new.ensure_run_tokens(nu.clone(), &mut self.cx.int);
        let (a, b) = (self.cx.old.run_tokens(ou.clone()), self.cx.new.run_tokens(nu.clone()));
        let d = match self.refined.hunks.remove(&Key::Items(j.old.start, j.new.start)) {
            Some(h) => WordDiff::new(a, b, h, self.texts()),
            None => WordDiff::compute(a, b, &mut self.cx.budget, (self.cx.old.text, self.cx.new.text)),
        };
        let real = d.has_real_change();
        let change = if real || (self.cx.strict && d.formatting > 0) {
            let mut ch = Change::new(ChangeKind::Reworded, Unit::Sentence);
            fill_spans(&mut self.e, self.cx, &mut ch, (oc, nc), (po, pn), &d);
            ch.formatting_only = !real;
            ch.sentences = Some([ou.len(), nu.len()]);
            Some(self.e.add_change(ch))
        } else {
            None
        };
        count(&mut self.e, &d);
        self.e.words(&d, change.or(group), (os.end, ns.end));
    }

    fn texts(&self) -> (&'a str, &'a str) {
        (self.cx.old.text, self.cx.new.text)
    }

    /// The split or merged change an in-place old item's paragraph belongs
    /// to, created on its first visit.
    fn group_change(&mut self, oi: Item) -> Option<usize> {
        let g = *self.st.group_of_old.get(&self.cx.old.para_of(oi))?;
        if let Some(&c) = self.e.groups.get(&g) {
            return Some(c);
        }
        let grp = &self.st.groups[g];
        let mut ch = Change::new(grp.kind, Unit::Paragraph);
        let (d_old, d_new) = (&self.cx.old, &self.cx.new);
        let old = d_old.paras[grp.old.0].content.start..d_old.paras[grp.old.1].content.end;
        let new = d_new.paras[grp.new.0].content.start..d_new.paras[grp.new.1].content.end;
        ch.old_text = Some(&d_old.text[old.clone()]);
        ch.new_text = Some(&d_new.text[new.clone()]);
        ch.old = Some(old);
        ch.new = Some(new);
        ch.old_paragraph = Some(grp.old.0 + 1);
        ch.new_paragraph = Some(grp.new.0 + 1);
        ch.old_paragraphs = Some([grp.old.0 + 1, grp.old.1 + 1]);
        ch.new_paragraphs = Some([grp.new.0 + 1, grp.new.1 + 1]);
        let c = self.e.add_change(ch);
        self.e.groups.insert(g, c);
        Some(c)
    }

    /// The change of a moved item, created the first time either end of
    /// the move is visited.
    fn item_move(&mut self, o: usize, n: usize, id: u32) -> usize {
        if let Some(&c) = self.e.moves.get(&id) {
            return c;
        }
        let (oi, ni) = (self.cx.old.stream[o], self.cx.new.stream[n]);
        let mut ch = Change::new(ChangeKind::Moved, Self::unit_of(oi));
        ch.move_id = Some(id);
        match self.refined.hunks.remove(&Key::Items(o, n)) {
            Some(h) => self.moved_with_edits(&mut ch, (oi, ni), h),
            None => {
                self.fill_same(&mut ch, oi, ni);
                self.e.stats.words_unchanged += self.cx.old.item_words(oi);
            }
        }
        ch.shift = self.shift(oi, ni);
        let c = self.e.add_change(ch);
        self.e.moves.insert(id, c);
        c
    }

    /// A paragraph moved whole (perhaps edited on the way).
    fn para_move(&mut self, p: usize, q: usize, id: u32) -> usize {
        if let Some(&c) = self.e.moves.get(&id) {
            return c;
        }
        let mut ch = Change::new(ChangeKind::Moved, Unit::Paragraph);
        ch.move_id = Some(id);
        match self.refined.hunks.remove(&Key::Paras(p, q)) {
            Some(h) => self.moved_with_edits(&mut ch, (Item::Para(p), Item::Para(q)), h),
            None => {
                self.fill_same(&mut ch, Item::Para(p), Item::Para(q));
                self.e.stats.words_unchanged += self.cx.old.pwords[p];
            }
        }
        let c = self.e.add_change(ch);
        self.e.moves.insert(id, c);
        c
    }

    fn fill_same(&self, ch: &mut Change<'a>, oi: Item, ni: Item) {
        let (oc, nc) = (self.cx.old.content(oi), self.cx.new.content(ni));
        ch.old_text = Some(&self.cx.old.text[oc.clone()]);
        ch.new_text = Some(&self.cx.new.text[nc.clone()]);
        ch.old = Some(oc);
        ch.new = Some(nc);
        ch.old_paragraph = Some(self.cx.old.para_of(oi) + 1);
        ch.new_paragraph = Some(self.cx.new.para_of(ni) + 1);
    }

    fn moved_with_edits(&mut self, ch: &mut Change<'a>, (oi, ni): (Item, Item), hunks: Vec<Hunk>) {
        self.cx.old.ensure_tokens(oi, &mut self.cx.int);
        self.cx.new.ensure_tokens(ni, &mut self.cx.int);
        let d = WordDiff::new(self.cx.old.tokens(oi), self.cx.new.tokens(ni), hunks, self.texts());
        fill(&mut self.e, self.cx, ch, (oi, ni), &d);
        count(&mut self.e, &d);
        self.e.stats.formatting_changes += d.formatting;
        let (ot, nt) = self.texts();
        let units = (self.cx.old.content(oi), self.cx.new.content(ni));
        ch.inner_ops = inner_ops(&d, (ot, nt), units);
    }

    /// For a unit moved inside its own paragraph: how many units it moved
    /// by (negative: towards the start).
    fn shift(&self, oi: Item, ni: Item) -> Option<i64> {
        let (Item::Unit(a), Item::Unit(b)) = (oi, ni) else { return None };
        let (p, q) = (self.cx.old.units[a].para, self.cx.new.units[b].para);
        if !self.st.linked.contains(&(p, q)) {
            return None;
        }
        let i = (a - self.cx.old.units_of(p).start) as i64;
        let j = (b - self.cx.new.units_of(q).start) as i64;
        Some(j - i)
    }
}

fn count(e: &mut Emitter, d: &WordDiff) {
    e.stats.words_added += d.added;
    e.stats.words_removed += d.removed;
    e.stats.words_unchanged += d.unchanged;
}

/// Spans, substitutions, counts and flags of a change from its diff.
fn fill<'a>(e: &mut Emitter<'a>, cx: &Cx<'a>, ch: &mut Change<'a>, (oi, ni): (Item, Item), d: &WordDiff) {
    let spans = (cx.old.content(oi), cx.new.content(ni));
    fill_spans(e, cx, ch, spans, (cx.old.para_of(oi), cx.new.para_of(ni)), d);
}

/// [`fill`] for content spans `(oc, nc)` in paragraphs `(po, pn)`: one
/// item each, or the units of a join.
fn fill_spans<'a>(
    e: &mut Emitter<'a>,
    cx: &Cx<'a>,
    ch: &mut Change<'a>,
    (oc, nc): (Span, Span),
    (po, pn): (usize, usize),
    d: &WordDiff,
) {
    let (ot, nt) = (cx.old.text, cx.new.text);
    ch.old_text = Some(&ot[oc.clone()]);
    ch.new_text = Some(&nt[nc.clone()]);
    ch.old = Some(oc);
    ch.new = Some(nc);
    ch.old_paragraph = Some(po + 1);
    ch.new_paragraph = Some(pn + 1);
    let (subs, added, removed) = d.substitutions(ot, nt);
    for s in &subs {
        *e.subs.entry((s.old, s.new)).or_default() += 1;
    }
    ch.substitutions = subs;
    ch.words_added = added;
    ch.words_removed = removed;
    ch.number_changed = d.numbers(ot, nt);
    let [oc, nc] = &mut e.quotes;
    let oq = quoted_in(oc, ot, po, cx.old.pcontent(po));
    let nq = quoted_in(nc, nt, pn, cx.new.pcontent(pn));
    ch.quote_changed = d.edits_quote(oq, nq);
}

/// The quoted ranges of paragraph `p` (content `span`), from `cache` when
/// it holds that paragraph's.
fn quoted_in<'c>(cache: &'c mut (usize, Vec<Span>), text: &str, p: usize, span: Span) -> &'c [Span] {
    if cache.0 != p + 1 {
        *cache = (p + 1, super::flags::quoted(text, span));
    }
    &cache.1
}

/// The ops of a word diff as byte ranges, for a unit whose own edits a
/// display shows at its destination (see [`InnerOp`]). They cover exactly
/// the units' content (`units`: old, new): the whitespace a last token
/// owns belongs to the paragraph around the unit, which the display shows
/// anyway.
fn inner_ops<'a>(d: &WordDiff, (old, new): (&'a str, &'a str), units: (Span, Span)) -> Vec<InnerOp<'a>> {
    let mut out: Vec<(OpKind, Span)> = Vec::new();
    let mut push = |op: OpKind, at: Span| {
        let unit = if op == OpKind::Delete { &units.0 } else { &units.1 };
        let at = at.start.max(unit.start)..at.end.min(unit.end);
        if at.is_empty() {
            return;
        }
        match out.last_mut() {
            Some(l) if l.0 == op && l.1.end == at.start => l.1.end = at.end,
            _ => out.push((op, at)),
        }
    };
    let span = |toks: &[Token], r: std::ops::Range<usize>| {
        if r.is_empty() {
            0..0
        } else {
            toks[r.start].start()..toks[r.end - 1].ws_end()
        }
    };
    for h in &d.shown {
        let (os, ns) = (span(d.old.toks, h.old.clone()), span(d.new.toks, h.new.clone()));
        if h.equal {
            push(OpKind::Equal, ns);
        } else {
            push(OpKind::Delete, os);
            push(OpKind::Insert, ns);
        }
    }
    if out.iter().all(|o| o.0 == OpKind::Equal) {
        return Vec::new(); // only typography or spacing differed
    }
    let text = |op: OpKind, at: &Span| if op == OpKind::Delete { &old[at.clone()] } else { &new[at.clone()] };
    out.into_iter().map(|(op, at)| InnerOp { op, text: text(op, &at), at }).collect()
}
