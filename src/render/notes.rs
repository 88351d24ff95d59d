//! Editorial annotations shared by every human format: where a moved unit
//! came from and went to, what a duplicate repeats, and which style each op
//! gets. Computed once per diff so the formats cannot disagree.

use super::blocks::Doc;
use super::style::Label;
use crate::core::{Change, ChangeKind, Diff, InnerOp, OpKind};
use std::collections::{HashMap, HashSet};

/// Which text an annotation sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    Old,
    New,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// [`ChangeKind::Moved`] or [`ChangeKind::Duplicated`].
    pub kind: ChangeKind,
    pub site: Site,
    /// Index into [`Diff::changes`], when the engine linked one.
    pub change: Option<usize>,
    /// The ¶ number the note points at (the other end of a move, or the
    /// paragraph a duplicate repeats).
    pub para: Option<usize>,
    /// A move inside its own paragraph: by how many units (negative: up).
    pub shift: Option<i64>,
}

impl Note {
    /// `moved from ¶3`, `moved to ¶6`, `duplicate of ¶1`.
    pub fn text(&self) -> String {
        if let (ChangeKind::Moved, Some(k)) = (self.kind, self.shift) {
            // Within its own paragraph: say how far, never point at itself.
            let n = k.unsigned_abs();
            let units = if n == 1 { "sentence" } else { "sentences" };
            return match (self.site, k < 0) {
                (Site::Old, true) | (Site::New, true) => format!("moved up {n} {units}"),
                _ => format!("moved down {n} {units}"),
            };
        }
        let p = self.para.map(|p| format!(" ¶{p}")).unwrap_or_default();
        match (self.kind, self.site) {
            (ChangeKind::Duplicated, _) if p.is_empty() => "duplicate".into(),
            (ChangeKind::Duplicated, _) => format!("duplicate of{p}"),
            (_, _) if p.is_empty() => "moved".into(),
            (_, Site::Old) => format!("moved to{p}"),
            (_, Site::New) => format!("moved from{p}"),
        }
    }

    pub fn label(&self) -> Label {
        if self.kind == ChangeKind::Duplicated {
            Label::Duplicated
        } else {
            Label::Moved
        }
    }

    pub fn kind_name(&self) -> &'static str {
        if self.kind == ChangeKind::Duplicated {
            "duplicated"
        } else {
            "moved"
        }
    }
}

/// Per-op annotations and styles.
#[derive(Debug, Clone)]
pub struct Notes {
    /// The note to show before op `i` (at most one per change and site).
    pub by_op: Vec<Option<Note>>,
    /// The change op `i` belongs to (engine link, else via its move id).
    pub change_of: Vec<Option<usize>>,
}

impl Notes {
    pub fn new(diff: &Diff, doc: &Doc) -> Notes {
        let moves = Moves::new(diff);
        let change_of: Vec<Option<usize>> = (0..diff.ops.len()).map(|i| change_of(diff, &moves, i)).collect();
        let mut seen = HashSet::new();
        let mut by_op = vec![None; diff.ops.len()];
        for (i, op) in diff.ops.iter().enumerate() {
            let change = change_of[i].and_then(|c| diff.changes.get(c).map(|ch| (c, ch)));
            let note = match op.op {
                OpKind::Equal => None,
                _ if op.move_id.is_some() => Some(move_note(diff, doc, &moves, i, change)),
                OpKind::Insert => match change {
                    Some((c, ch)) if ch.kind == ChangeKind::Duplicated => Some(Note {
                        kind: ChangeKind::Duplicated,
                        site: Site::New,
                        change: Some(c),
                        para: ch.duplicate_of.as_ref().map(|s| doc.new_number(s.start)),
                        shift: None,
                    }),
                    _ => None,
                },
                OpKind::Delete => None,
            };
            // One note per change (or move) and side, on its first op.
            if let Some(n) = note {
                let key = match (n.change, op.move_id) {
                    (Some(c), _) => Key::Change(c, n.site == Site::Old),
                    (None, Some(m)) => Key::Move(m, n.site == Site::Old),
                    (None, None) => Key::Op(i),
                };
                if seen.insert(key) {
                    by_op[i] = Some(n);
                }
            }
        }
        Notes { by_op, change_of }
    }
}

/// What makes a note a repeat of one already placed.
#[derive(Hash, PartialEq, Eq)]
enum Key {
    Change(usize, bool),
    Move(u32, bool),
    Op(usize),
}

/// Per move id: its change, and its first delete and insert op.
struct Moves {
    change: HashMap<u32, usize>,
    delete: HashMap<u32, usize>,
    insert: HashMap<u32, usize>,
}

impl Moves {
    fn new(diff: &Diff) -> Moves {
        let mut m = Moves { change: HashMap::new(), delete: HashMap::new(), insert: HashMap::new() };
        for (i, c) in diff.changes.iter().enumerate() {
            if let Some(id) = c.move_id {
                m.change.entry(id).or_insert(i);
            }
        }
        for (i, op) in diff.ops.iter().enumerate() {
            let map = match op.op {
                OpKind::Delete => &mut m.delete,
                OpKind::Insert => &mut m.insert,
                OpKind::Equal => continue,
            };
            if let Some(id) = op.move_id {
                map.entry(id).or_insert(i);
            }
        }
        m
    }
}

fn change_of(diff: &Diff, moves: &Moves, i: usize) -> Option<usize> {
    let op = &diff.ops[i];
    if let Some(c) = op.change.filter(|&c| c < diff.changes.len()) {
        return Some(c);
    }
    moves.change.get(&op.move_id?).copied()
}

/// The note for a moved op: its partner's ¶, from the change if the engine
/// gave it, else from where the partner op sits.
fn move_note(diff: &Diff, doc: &Doc, moves: &Moves, i: usize, change: Option<(usize, &Change)>) -> Note {
    let op = &diff.ops[i];
    let site = if op.op == OpKind::Delete { Site::Old } else { Site::New };
    let from_change = change.and_then(|(_, c)| match site {
        Site::Old => c.new_paragraph,
        Site::New => c.old_paragraph,
    });
    let partner = || {
        let partners = if site == Site::Old { &moves.insert } else { &moves.delete };
        let j = *partners.get(&op.move_id?)?;
        // Skip the line break a unit's op often starts with.
        let t = diff.ops[j].text;
        let skip = t.len() - t.trim_start().len();
        let (old_at, new_at) = (doc.op_at[j].0 + skip, doc.op_at[j].1 + skip);
        Some(if site == Site::Old { doc.new_number(new_at) } else { doc.old_number(old_at) })
    };
    let shift = change.and_then(|(_, c)| c.shift);
    Note { kind: ChangeKind::Moved, site, change: change.map(|(c, _)| c), para: from_change.or_else(partner), shift }
}

/// The style of a delete or insert op's text.
pub fn op_label(diff: &Diff, i: usize) -> Option<Label> {
    let op = &diff.ops[i];
    let del = op.op == OpKind::Delete;
    match op.op {
        OpKind::Equal => None,
        _ if op.formatting => Some(if del { Label::FormattingRemoved } else { Label::FormattingAdded }),
        _ if op.move_id.is_some() => Some(if del { Label::MovedRemoved } else { Label::MovedAdded }),
        _ => Some(if del { Label::Removed } else { Label::Added }),
    }
}

/// A moved unit that was also edited on the way: its old and new text, and
/// the word diff between them as the engine computed it (the change's
/// `inner_ops`), so layouts can show the edit at the move.
pub struct InnerEdit<'d, 'a> {
    pub old_text: &'a str,
    pub new_text: &'a str,
    pub ops: &'d [InnerOp<'a>],
}

/// The inner word diff for the change op `i` belongs to, when that is a
/// move whose texts differ.
pub fn inner_edit<'d, 'a>(diff: &'d Diff<'a>, notes: &Notes, i: usize) -> Option<InnerEdit<'d, 'a>> {
    diff.ops.get(i)?.move_id?;
    let c = diff.changes.get(notes.change_of[i]?)?;
    let (old_text, new_text) = (c.old_text?, c.new_text?);
    if old_text == new_text || c.inner_ops.is_empty() {
        return None;
    }
    Some(InnerEdit { old_text, new_text, ops: &c.inner_ops })
}

/// Up to about `cols` columns of `text`, cut at a word, with `…` when cut.
pub fn excerpt(text: &str, cols: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = String::new();
    for (n, w) in words.iter().enumerate() {
        let next = if out.is_empty() { w.len() } else { out.len() + 1 + w.len() };
        if next > cols && n > 0 {
            out.push_str(" …");
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testutil::{ChangeSpec, DiffBuilder};

    #[test]
    fn move_notes_use_change_paragraphs_once_per_side() {
        let b = DiffBuilder::new()
            .eq("A\n\n")
            .del("Moved para\n\n")
            .moved(1)
            .of(0)
            .eq("B\n\n")
            .ins("Moved para")
            .moved(1)
            .of(0)
            .change(ChangeSpec {
                kind: Some(ChangeKind::Moved),
                old_paragraph: Some(2),
                new_paragraph: Some(3),
                move_id: Some(1),
                ..Default::default()
            });
        let d = b.diff();
        let doc = Doc::new(&d);
        let n = Notes::new(&d, &doc);
        assert_eq!(n.by_op[1].as_ref().unwrap().text(), "moved to ¶3");
        assert_eq!(n.by_op[3].as_ref().unwrap().text(), "moved from ¶2");
        assert_eq!(op_label(&d, 1), Some(Label::MovedRemoved));
    }

    #[test]
    fn move_notes_fall_back_to_op_positions() {
        let d = DiffBuilder::new().del("X\n\n").moved(7).eq("A\n\nB\n\n").ins("X").moved(7).build();
        let d = d.diff();
        let doc = Doc::new(&d);
        let n = Notes::new(&d, &doc);
        assert_eq!(n.by_op[0].as_ref().unwrap().text(), "moved to ¶3");
        assert_eq!(n.by_op[2].as_ref().unwrap().text(), "moved from ¶1");
    }

    #[test]
    fn duplicate_note_points_at_repeated_paragraph() {
        let b = DiffBuilder::new().ins("Head’s\n\n").of(0);
        let dup = b.new_len()..b.new_len() + 6;
        let b = b.eq("Head's\n\nBody");
        let b =
            b.change(ChangeSpec { kind: Some(ChangeKind::Duplicated), duplicate_of: Some(dup), ..Default::default() });
        let d = b.diff();
        let doc = Doc::new(&d);
        let n = Notes::new(&d, &doc);
        assert_eq!(n.by_op[0].as_ref().unwrap().text(), "duplicate of ¶2");
        assert_eq!(n.by_op[0].as_ref().unwrap().label(), Label::Duplicated);
    }

    #[test]
    fn excerpt_cuts_at_words() {
        assert_eq!(excerpt("one two three four", 9), "one two …");
        assert_eq!(excerpt("short", 40), "short");
        assert_eq!(excerpt("averyveryverylongword next", 5), "averyveryverylongword …");
    }
}
