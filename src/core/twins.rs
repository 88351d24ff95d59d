//! Duplicates: an added paragraph or unit that repeats text the new
//! version already has (a headline pasted twice, a promo repeated at the
//! end), as a near copy among its neighbours or an exact copy anywhere.

use super::align::{dice, Bag};
use super::doc::{Doc, Item};
use super::engine::{Alignment, Cx, Link, MIN_MOVE_WORDS};
use super::model::Span;
use super::words::Interner;

/// Near-copies at least this similar count as duplicates.
const DUP_THRESHOLD: f32 = 0.75;
/// How many paragraphs either side of an added one are searched for a
/// near copy.
const NEAR: usize = 3;

/// The content span of the copy that added item `it` repeats, if any.
pub fn twin(cx: &mut Cx, al: &Alignment, it: Item) -> Option<Span> {
    match it {
        Item::Para(q) => para_twin(cx, al, q),
        Item::Unit(u) => unit_twin(cx, al, u),
    }
}

/// Whether new paragraph `z` is text the reader has already met or that
/// stays: before `y`, or not itself wholly added.
fn settled(d: &Doc, al: &Alignment, z: usize, y: usize) -> bool {
    if z < y {
        return true;
    }
    let r = d.units_of(z);
    if r.is_empty() || r.start >= d.unit_pos.len() {
        return true; // matched whole, never in the stream as units
    }
    r.into_iter().any(|u| al.new[d.unit_pos[u]] != Link::None)
}

fn para_bag(d: &mut Doc, int: &mut Interner, p: usize) -> Bag {
    d.ensure_tokens(Item::Para(p), int);
    Bag::new(d.units_of(p).flat_map(|u| d.bag(u).iter().copied()).collect())
}

fn para_twin(cx: &mut Cx, al: &Alignment, y: usize) -> Option<Span> {
    let n = cx.new.paras.len();
    let me = para_bag(&mut cx.new, &mut cx.int, y);
    let mut best: Option<(f32, usize)> = None;
    for z in y.saturating_sub(NEAR)..(y + NEAR + 1).min(n) {
        if z == y || !settled(&cx.new, al, z, y) {
            continue;
        }
        let score = if cx.new.pkeys[z] == cx.new.pkeys[y] {
            1.0
        } else {
            let other = para_bag(&mut cx.new, &mut cx.int, z);
            if !cx.budget.charge((me.0.len() + other.0.len()) as u64 + 1) {
                return None;
            }
            me.dice(&other)
        };
        if score >= DUP_THRESHOLD && best.is_none_or(|b| score > b.0) {
            best = Some((score, z));
        }
    }
    if best.is_none() && cx.new.pwords[y] >= MIN_MOVE_WORDS {
        // An exact copy pasted far away (a promo repeated at the end).
        let key = cx.new.pkeys[y];
        best = (0..n).find(|&z| z != y && cx.new.pkeys[z] == key && settled(&cx.new, al, z, y)).map(|z| (1.0, z));
    }
    best.map(|(_, z)| cx.new.pcontent(z))
}

fn unit_twin(cx: &mut Cx, al: &Alignment, u: usize) -> Option<Span> {
    cx.new.ensure_tokens(Item::Unit(u), &mut cx.int);
    let (key, bag, p) = {
        let me = &cx.new.units[u];
        (me.key, Bag(cx.new.bag(u).to_vec()), me.para)
    };
    if bag.0.len() < 3 {
        return None;
    }
    let mut best: Option<(f32, Span)> = None;
    for z in p.saturating_sub(1)..(p + 2).min(cx.new.paras.len()) {
        cx.new.expand(z);
        for v in cx.new.units_of(z) {
            let linked = v >= cx.new.unit_pos.len() || al.new[cx.new.unit_pos[v]] != Link::None;
            if v == u || (v > u && !linked) {
                continue;
            }
            let other = &cx.new.units[v];
            let score = if other.key == key {
                1.0
            } else if cx.budget.charge((bag.0.len() + other.words()) as u64 + 1) {
                cx.new.ensure_tokens(Item::Unit(v), &mut cx.int);
                dice(&bag.0, cx.new.bag(v))
            } else {
                return None;
            };
            if score >= DUP_THRESHOLD && best.as_ref().is_none_or(|b| score > b.0) {
                best = Some((score, cx.new.units[v].content.clone()));
            }
        }
    }
    best.map(|b| b.1)
}

/// The item (a whole paragraph, or a unit) whose content is exactly
/// `span` of the new text: the twin a duplicate's inner diff compares with.
pub fn item_at(d: &mut Doc, span: &Span) -> Option<Item> {
    let p = d.paras.partition_point(|b| b.span.end <= span.start);
    if p >= d.paras.len() {
        return None;
    }
    d.expand(p);
    if d.paras[p].content == *span {
        return Some(Item::Para(p));
    }
    d.units_of(p).find(|&u| d.units[u].content == *span).map(Item::Unit)
}
