//! The one layout step: how each piece of a block shows in a view
//! ([`Ctx::layout`]), and the labelled, sanitised text runs the terminal
//! layouts print ([`Ctx::segments`]).
//!
//! The inline view shows both texts interleaved; the side-by-side view asks
//! for one text per column. Moves differ by view: inline shows a moved unit
//! once, at its new place (with any edit made on the way as an inner word
//! diff) and leaves a one-line pointer with an excerpt at the old place;
//! columns have room to show the old text where it was.
//!
//! Why one step: every decision about a piece (shown in this view or not,
//! its style, a changed paragraph break, the old place of a move, the note
//! before it, a moved unit's inner word diff) is made here once, so the
//! terminal, side-by-side and HTML formats only map it to their markup and
//! cannot disagree (as the printers of ripgrep share one stream of events).

use super::blocks::{Doc, Piece};
use super::notes::{excerpt, inner_edit, op_label, Note, Notes};
use super::sanitize::visible_text;
use super::style::Label;
use crate::core::InnerOp;
use crate::core::{Diff, OpKind};
use std::borrow::Cow;

/// A run of text with one style. Text is already passed through
/// [`visible_text`] (control and bidi characters as escapes), so it is
/// safe to write to a terminal and cannot reorder its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Styled<'a> {
    pub label: Option<Label>,
    pub text: Cow<'a, str>,
}

impl<'a> Styled<'a> {
    pub fn new(label: Option<Label>, text: &'a str) -> Styled<'a> {
        Styled { label, text: visible_text(text) }
    }
    pub fn owned(label: Option<Label>, text: String) -> Styled<'a> {
        let text = match visible_text(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(s) => s,
        };
        Styled { label, text: Cow::Owned(text) }
    }
}

/// Which text(s) a layout shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Both, interleaved.
    Inline,
    /// The old text only (left column).
    Old,
    /// The new text only (right column).
    New,
}

/// What a piece is in one view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Not shown: a removal in the new column, an addition in the old.
    Hidden,
    /// Unchanged text.
    Equal,
    /// Inline view, the old place of a moved unit (shown in full at its new
    /// place): the terminal prints a pointer, HTML the struck-out text.
    MovedAway,
    /// Inline view, a changed paragraph break (shown as `↵`).
    Break,
    /// Removed or added text.
    Changed,
}

/// How one piece shows in one view: the decisions every format shares.
pub struct Layout<'d, 'a> {
    /// What the piece is in this view.
    pub shape: Shape,
    /// The style of its text (none for unchanged text).
    pub label: Option<Label>,
    /// The note that goes before its text (the piece starts its op).
    pub note: Option<&'d Note>,
    /// A whole moved-and-edited unit shown as its inner word diff.
    pub inner: Option<Inner<'d, 'a>>,
}

/// A moved unit's own word diff, as one piece shows it.
#[derive(Clone, Copy)]
pub struct Inner<'d, 'a> {
    /// The unit's text on this piece's side (found inside the piece).
    pub unit: &'a str,
    /// The style of the unit's unchanged words.
    pub moved: Label,
    /// The word diff, from the change's `inner_ops`.
    pub ops: &'d [InnerOp<'a>],
}

/// Everything the layouts need besides the options: computed once.
pub struct Ctx<'d, 'a> {
    pub diff: &'d Diff<'a>,
    pub doc: Doc<'a>,
    pub notes: Notes,
}

impl<'d, 'a> Ctx<'d, 'a> {
    pub fn new(diff: &'d Diff<'a>) -> Self {
        let doc = Doc::new(diff);
        let notes = Notes::new(diff, &doc);
        Ctx { diff, doc, notes }
    }

    /// How `piece` shows in `view`: the one place these decisions are made.
    pub fn layout(&self, piece: &Piece<'a>, view: View) -> Layout<'_, 'a> {
        let shape = match (piece.kind, view) {
            (OpKind::Equal, _) => Shape::Equal,
            (OpKind::Delete, View::New) | (OpKind::Insert, View::Old) => Shape::Hidden,
            (OpKind::Delete, View::Inline) if self.diff.ops[piece.op].move_id.is_some() => Shape::MovedAway,
            (_, View::Inline) if marks_break(self.diff, piece.op) => Shape::Break,
            _ => Shape::Changed,
        };
        let shown = matches!(shape, Shape::MovedAway | Shape::Break | Shape::Changed);
        Layout {
            shape,
            label: if shown { op_label(self.diff, piece.op) } else { None },
            note: if shown { self.notes.by_op[piece.op].as_ref().filter(|_| piece.anchor) } else { None },
            inner: if shape == Shape::Changed && piece.whole { self.inner_of(piece) } else { None },
        }
    }

    /// The inner word diff of a whole moved-and-edited unit, when the piece
    /// holds the unit's text.
    fn inner_of(&self, piece: &Piece<'a>) -> Option<Inner<'_, 'a>> {
        let edit = inner_edit(self.diff, &self.notes, piece.op)?;
        let (unit, moved) = match piece.kind {
            OpKind::Delete => (edit.old_text, Label::MovedRemoved),
            _ => (edit.new_text, Label::MovedAdded),
        };
        piece.text.contains(unit).then_some(Inner { unit, moved, ops: edit.ops })
    }

    /// The runs that show `piece` in `view`.
    pub fn segments(&self, piece: &Piece<'a>, view: View) -> Vec<Styled<'a>> {
        let mut out = Vec::new();
        let lay = self.layout(piece, view);
        match lay.shape {
            Shape::Hidden => {}
            Shape::Equal => out.push(Styled::new(None, piece.text)),
            Shape::MovedAway => self.moved_pointer(piece, &lay, &mut out),
            Shape::Break => line_break(piece, &lay, &mut out),
            Shape::Changed => {
                let rest = note(piece, &lay, &mut out);
                if !lay.inner.is_some_and(|inner| inner_runs(piece, inner, view, &mut out)) {
                    out.push(Styled::new(lay.label, rest));
                }
            }
        }
        out
    }

    /// Inline view, old place of a move: a pointer with an excerpt instead
    /// of the text (shown in full at the new place), keeping the line
    /// breaks around it so paragraphs stay apart.
    fn moved_pointer(&self, piece: &Piece<'a>, lay: &Layout<'_, 'a>, out: &mut Vec<Styled<'a>>) {
        let note = self.notes.by_op[piece.op].as_ref();
        let Some(n) = note else {
            out.push(Styled::new(lay.label, piece.text));
            return;
        };
        let t = piece.text;
        let body = t.trim();
        if body.is_empty() {
            out.push(Styled::new(None, t));
            return;
        }
        if piece.anchor {
            out.push(Styled::new(None, &t[..t.len() - t.trim_start().len()]));
            let ex = excerpt(self.diff.ops[piece.op].text, 48);
            out.push(Styled::owned(Some(n.label()), format!("⟨{}: “{}”⟩", n.text(), ex)));
        }
        out.push(Styled::new(None, &t[t.trim_end().len()..]));
    }
}

/// `⟨moved from ¶3⟩ ` before the visible text of a noted op (after any
/// line break it starts with). Returns the text still to show.
fn note<'a>(piece: &Piece<'a>, lay: &Layout<'_, 'a>, out: &mut Vec<Styled<'a>>) -> &'a str {
    let Some(n) = lay.note else {
        return piece.text;
    };
    let (lead, rest) = split_lead(piece.text);
    if !lead.is_empty() {
        out.push(Styled::new(lay.label, lead));
    }
    out.push(Styled::owned(Some(n.label()), format!("⟨{}⟩", n.text())));
    out.push(Styled::new(None, " "));
    rest
}

/// Inline view, a changed line break (a paragraph joined or split, a blank
/// line added): shown as `↵`, since the raw newline of a deleted break
/// would look like a break that is still there. An added break also takes
/// effect, so the text below starts on a new line.
fn line_break<'a>(piece: &Piece<'a>, lay: &Layout<'_, 'a>, out: &mut Vec<Styled<'a>>) {
    let marks = "↵".repeat(piece.text.matches('\n').count());
    out.push(Styled::owned(lay.label, marks));
    if piece.kind == OpKind::Insert {
        out.push(Styled::new(lay.label, piece.text));
    }
}

/// A moved-and-edited unit as its inner word diff. False when the piece
/// does not hold the unit's text.
fn inner_runs<'a>(piece: &Piece<'a>, inner: Inner<'_, 'a>, view: View, out: &mut Vec<Styled<'a>>) -> bool {
    let Some(at) = piece.text.find(inner.unit) else {
        return false;
    };
    out.push(Styled::new(Some(inner.moved), &piece.text[..at]));
    out.extend(inner.runs(view).map(|(label, text)| Styled::new(Some(label), text)));
    out.push(Styled::new(Some(inner.moved), &piece.text[at + inner.unit.len()..]));
    true
}

impl<'d, 'a> Inner<'d, 'a> {
    /// The unit's word diff as styled runs for `view`: unchanged words in
    /// the move's style, removed and added words as such; words the view's
    /// side does not hold are left out.
    pub fn runs(&self, view: View) -> impl Iterator<Item = (Label, &'a str)> + 'd {
        let moved = self.moved;
        self.ops.iter().filter_map(move |op| {
            let label = match (op.op, view) {
                (OpKind::Equal, _) => moved,
                (OpKind::Delete, View::New) | (OpKind::Insert, View::Old) => return None,
                (OpKind::Delete, _) => Label::Removed,
                (OpKind::Insert, _) => Label::Added,
            };
            Some((label, op.text))
        })
    }
}

/// Whitespace only, with at least one line break: an op that changes
/// paragraph layout rather than words.
pub fn is_line_break(text: &str) -> bool {
    text.contains('\n') && text.trim().is_empty()
}

/// Whether op `i` is a changed line break to show as `↵` in the inline
/// view: whitespace with a newline that joins or splits existing text. One
/// next to an added (or removed) paragraph is that paragraph's separator
/// and is shown as it is.
pub fn marks_break(diff: &Diff, i: usize) -> bool {
    let op = &diff.ops[i];
    let paragraph_next_to_it =
        |j: Option<usize>| j.and_then(|j| diff.ops.get(j)).is_some_and(|o| o.op == op.op && !o.text.trim().is_empty());
    is_line_break(op.text) && !paragraph_next_to_it(i.checked_sub(1)) && !paragraph_next_to_it(Some(i + 1))
}

/// Leading whitespace up to and including its last line break, and the
/// rest: where an annotation goes so it starts a line with its text.
pub fn split_lead(text: &str) -> (&str, &str) {
    let ws = text.len() - text.trim_start().len();
    match text[..ws].rfind('\n') {
        Some(i) if ws < text.len() => text.split_at(i + 1),
        _ => ("", text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ChangeKind;
    use crate::render::testutil::{ChangeSpec, DiffBuilder};

    fn show(ctx: &Ctx, view: View) -> String {
        let mut s = String::new();
        for b in &ctx.doc.blocks {
            for p in &b.pieces {
                for seg in ctx.segments(p, view) {
                    s.push_str(&crate::render::style::paint_opt(crate::render::ColorMode::Debug, seg.label, &seg.text));
                }
            }
        }
        s
    }

    /// Move 1, "Ruiz opposed it." → "Ruiz voted against it.", with the
    /// engine's inner word diff.
    fn ruiz_moved_and_edited() -> ChangeSpec {
        ChangeSpec {
            kind: Some(ChangeKind::Moved),
            old_text: Some("Ruiz opposed it.".into()),
            new_text: Some("Ruiz voted against it.".into()),
            move_id: Some(1),
            inner: vec![
                (OpKind::Equal, "Ruiz ".into()),
                (OpKind::Delete, "opposed".into()),
                (OpKind::Insert, "voted against".into()),
                (OpKind::Equal, " it.".into()),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn moved_unit_inline_is_pointer_then_text() {
        let b = DiffBuilder::new().eq("A. ").del("Moved one.").moved(1).eq(" B. ").ins("Moved one.").moved(1);
        let d = b.diff();
        let ctx = Ctx::new(&d);
        assert_eq!(
            show(&ctx, View::Inline),
            "A. <moved>⟨moved to ¶1: “Moved one.”⟩</moved> B. <moved>⟨moved from ¶1⟩</moved> <moved-added>Moved one.</moved-added>"
        );
        assert_eq!(
            show(&ctx, View::Old),
            "A. <moved>⟨moved to ¶1⟩</moved> <moved-removed>Moved one.</moved-removed> B. "
        );
    }

    #[test]
    fn moved_and_edited_shows_inner_diff() {
        let b = DiffBuilder::new()
            .del("Ruiz opposed it.\n\n")
            .moved(1)
            .of(0)
            .eq("Body.\n\n")
            .ins("Ruiz voted against it.")
            .moved(1)
            .of(0)
            .change(ChangeSpec { old_paragraph: Some(1), new_paragraph: Some(2), ..ruiz_moved_and_edited() });
        let d = b.diff();
        let ctx = Ctx::new(&d);
        let s = show(&ctx, View::Inline);
        assert!(s.starts_with("<moved>⟨moved to ¶2: “Ruiz opposed it.”⟩</moved>\n\nBody.\n\n"), "{s}");
        // The engine's inner diff is shown at the destination, word by word.
        assert!(s.contains("<removed>opposed</removed>") && s.contains("<added>voted against</added>"), "{s}");
        assert!(s.contains("<moved>⟨moved from ¶1⟩</moved> "), "{s}");
        let new_side = show(&ctx, View::New);
        assert!(!new_side.contains("<removed>"), "{new_side}");
    }

    #[test]
    fn note_goes_after_a_leading_line_break() {
        assert_eq!(split_lead("\n\nText"), ("\n\n", "Text"));
        assert_eq!(split_lead(" Text"), ("", " Text"));
        assert_eq!(split_lead("\n\n"), ("", "\n\n"));
        let b = DiffBuilder::new().eq("A.").del("\n\nMoved.").moved(1).eq("\n\nB.").ins("\n\nMoved.").moved(1);
        let d = b.diff();
        let ctx = Ctx::new(&d);
        let s = show(&ctx, View::Inline);
        assert_eq!(s, "A.\n\n<moved>⟨moved to ¶3: “Moved.”⟩</moved>\n\nB.\n\n<moved>⟨moved from ¶2⟩</moved> <moved-added>Moved.</moved-added>");
    }

    #[test]
    fn changed_line_breaks_are_visible_marks() {
        let b = DiffBuilder::new().eq("spring.").del("\n\n").fmt().ins(" ").fmt().eq("He said.").ins("\n").eq("\nEnd");
        let d = b.diff();
        let ctx = Ctx::new(&d);
        assert_eq!(
            show(&ctx, View::Inline),
            "spring.<formatting-removed>↵↵</formatting-removed><formatting-added> </formatting-added>He said.\
             <added>↵</added>\n\nEnd"
        );
        // The separator of an added paragraph is not marked.
        let b = DiffBuilder::new().eq("End.").ins("\n\n").ins("New para.");
        let d = b.diff();
        assert_eq!(show(&Ctx::new(&d), View::Inline), "End.\n\n<added>New para.</added>");
        // Columns show each text's own layout.
        assert_eq!(show(&ctx, View::Old), "spring.\n\nHe said.\nEnd");
    }

    #[test]
    fn one_layout_decides_shape_note_and_inner_for_every_view() {
        let b = DiffBuilder::new()
            .del("Ruiz opposed it.\n\n")
            .moved(1)
            .of(0)
            .eq("Body.")
            .del("\n\n")
            .fmt()
            .ins(" ")
            .fmt()
            .eq("More.\n\n")
            .ins("Ruiz voted against it.")
            .moved(1)
            .of(0)
            .change(ruiz_moved_and_edited());
        let d = b.diff();
        let ctx = Ctx::new(&d);
        let pieces: Vec<&Piece> = ctx.doc.blocks.iter().flat_map(|b| &b.pieces).collect();
        let of = |op: usize| pieces.iter().copied().find(|p| p.op == op && p.anchor).unwrap();
        let shape = |op: usize, view: View| ctx.layout(of(op), view).shape;
        // The old place of the move: a pointer inline, the text in the old column, nothing in the new.
        assert_eq!(shape(0, View::Inline), Shape::MovedAway);
        assert_eq!(shape(0, View::Old), Shape::Changed);
        assert_eq!(shape(0, View::New), Shape::Hidden);
        // A removed paragraph break is a mark inline, plain removed text in a column.
        assert_eq!(shape(2, View::Inline), Shape::Break);
        assert_eq!(shape(2, View::Old), Shape::Changed);
        assert_eq!(shape(1, View::Inline), Shape::Equal);
        // The move's destination carries its note and its inner word diff.
        let lay = ctx.layout(of(5), View::Inline);
        assert_eq!(lay.note.map(|n| n.text()).as_deref(), Some("moved from ¶1"));
        let inner = lay.inner.expect("moved and edited");
        let runs: Vec<_> = inner.runs(View::Inline).collect();
        assert_eq!(runs[1], (Label::Removed, "opposed"));
        assert_eq!(runs[2], (Label::Added, "voted against"));
        assert!(inner.runs(View::New).all(|(l, _)| l != Label::Removed));
        // The old column shows the words deleted on the way, never the added ones.
        let old_side = ctx.layout(of(0), View::Old).inner.expect("old side of the edit");
        assert!(old_side.runs(View::Old).all(|(l, _)| l != Label::Added));
    }

    #[test]
    fn control_characters_are_made_visible() {
        let b = DiffBuilder::new().eq("t\x1b]0;x\x07 ").ins("\u{9b}2J");
        let d = b.diff();
        let ctx = Ctx::new(&d);
        let s = show(&ctx, View::Inline);
        assert!(!s.contains('\x1b') && !s.contains('\u{9b}'), "{s:?}");
        assert!(s.contains("\\x1b]0;x\\x07"));
    }
}
