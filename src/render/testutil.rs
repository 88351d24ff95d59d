//! A builder for hand-made [`Diff`] values, so renderers are tested against
//! the model as documented rather than against whatever the engine does
//! today.

use crate::core::{
    Change, ChangeKind, Diff, InnerOp, KindCounts, Op, OpKind, Stats, Substitution, SubstitutionCount, Unit,
};
use std::ops::Range;

struct OpSpec {
    kind: OpKind,
    range: Range<usize>,
    move_id: Option<u32>,
    formatting: bool,
    change: Option<usize>,
}

/// A change, with texts owned by the builder.
#[derive(Clone, Default)]
pub struct ChangeSpec {
    pub kind: Option<ChangeKind>,
    pub old: Option<Range<usize>>,
    pub new: Option<Range<usize>>,
    pub old_text: Option<String>,
    pub new_text: Option<String>,
    pub subs: Vec<(String, String)>,
    pub duplicate_of: Option<Range<usize>>,
    pub old_paragraph: Option<usize>,
    pub new_paragraph: Option<usize>,
    pub move_id: Option<u32>,
    /// The unit's own word diff, as the engine gives it for moves.
    pub inner: Vec<(OpKind, String)>,
}

#[derive(Default)]
pub struct DiffBuilder {
    old: String,
    new: String,
    ops: Vec<OpSpec>,
    changes: Vec<ChangeSpec>,
    subs: Vec<(String, String, usize)>,
    stats: Stats,
    formatting_only: bool,
}

impl DiffBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    fn push(mut self, kind: OpKind, text: &str) -> Self {
        let range = match kind {
            OpKind::Insert => {
                self.new.push_str(text);
                self.new.len() - text.len()..self.new.len()
            }
            OpKind::Equal => {
                self.new.push_str(text);
                self.old.push_str(text);
                self.old.len() - text.len()..self.old.len()
            }
            OpKind::Delete => {
                self.old.push_str(text);
                self.old.len() - text.len()..self.old.len()
            }
        };
        self.ops.push(OpSpec { kind, range, move_id: None, formatting: false, change: None });
        self
    }

    pub fn eq(self, t: &str) -> Self {
        self.push(OpKind::Equal, t)
    }
    pub fn del(self, t: &str) -> Self {
        self.push(OpKind::Delete, t)
    }
    pub fn ins(self, t: &str) -> Self {
        self.push(OpKind::Insert, t)
    }

    /// Mark the last op as part of move `id`.
    pub fn moved(mut self, id: u32) -> Self {
        if let Some(o) = self.ops.last_mut() {
            o.move_id = Some(id);
        }
        self
    }

    /// Mark the last op as typography-only.
    pub fn fmt(mut self) -> Self {
        if let Some(o) = self.ops.last_mut() {
            o.formatting = true;
        }
        self
    }

    /// Link the last op to change `i`.
    pub fn of(mut self, i: usize) -> Self {
        if let Some(o) = self.ops.last_mut() {
            o.change = Some(i);
        }
        self
    }

    /// Current end of the new text (to build `duplicate_of` spans).
    pub fn new_len(&self) -> usize {
        self.new.len()
    }

    pub fn change(mut self, c: ChangeSpec) -> Self {
        self.changes.push(c);
        self
    }

    pub fn sub(mut self, old: &str, new: &str, count: usize) -> Self {
        self.subs.push((old.into(), new.into(), count));
        self
    }

    pub fn stats(mut self, s: Stats) -> Self {
        self.stats = s;
        self
    }

    pub fn formatting_only(mut self) -> Self {
        self.formatting_only = true;
        self
    }

    pub fn build(self) -> Self {
        self
    }

    pub fn diff(&self) -> Diff<'_> {
        let mut new_at = 0;
        let mut old_at = 0;
        let ops = self
            .ops
            .iter()
            .map(|o| {
                let text = match o.kind {
                    OpKind::Insert => &self.new[o.range.clone()],
                    _ => &self.old[o.range.clone()],
                };
                let op = Op {
                    op: o.kind,
                    text,
                    move_id: o.move_id,
                    formatting: o.formatting,
                    change: o.change,
                    old_at,
                    new_at,
                };
                if o.kind != OpKind::Insert {
                    old_at += text.len();
                }
                if o.kind != OpKind::Delete {
                    new_at += text.len();
                }
                op
            })
            .collect();
        let changes = self
            .changes
            .iter()
            .map(|c| Change {
                kind: c.kind.unwrap_or(ChangeKind::Reworded),
                unit: Unit::Sentence,
                old: c.old.clone(),
                new: c.new.clone(),
                old_text: c.old_text.as_deref(),
                new_text: c.new_text.as_deref(),
                substitutions: c.subs.iter().map(|(o, n)| Substitution { old: o, new: n }).collect(),
                duplicate_of: c.duplicate_of.clone(),
                old_paragraph: c.old_paragraph,
                new_paragraph: c.new_paragraph,
                move_id: c.move_id,
                inner_ops: c.inner.iter().map(|(op, t)| InnerOp { op: *op, text: t, at: 0..t.len() }).collect(),
                ..Change::new(c.kind.unwrap_or(ChangeKind::Reworded), Unit::Sentence)
            })
            .collect();
        Diff {
            formatting_only: self.formatting_only,
            stats: self.stats.clone(),
            ops,
            changes,
            substitutions: self.subs.iter().map(|(o, n, c)| SubstitutionCount { old: o, new: n, count: *c }).collect(),
            coarse: false,
            old_text: &self.old,
            new_text: &self.new,
            old_paragraphs: vec![],
            new_paragraphs: vec![],
        }
    }
}

/// Stats with the given kind counts and word numbers.
pub fn stats(kinds: KindCounts, added: usize, removed: usize, similarity: f64) -> Stats {
    Stats { words_added: added, words_removed: removed, similarity, kinds, ..Stats::default() }
}
