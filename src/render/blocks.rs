//! Paragraph blocks: the op stream cut where both texts are at a paragraph
//! boundary, so every human layout can collapse unchanged context, number
//! paragraphs and (side by side) pair rows.
//!
//! Ops can span several paragraphs (an equal run of five paragraphs, or a
//! coarse delete of the whole text), so they are cut into [`Piece`]s at the
//! paragraph ends of the side(s) they belong to. A block closes after a piece
//! once each side is either at a paragraph end or has not advanced since the
//! block began; that keeps a changed paragraph and its replacement together
//! (a delete directly followed by an insert always shares a block).

use crate::core::{Diff, OpKind, Span};

/// A slice of one op that does not cross a paragraph boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece<'a> {
    pub kind: OpKind,
    pub text: &'a str,
    /// Index into [`Diff::ops`].
    pub op: usize,
    /// This is the op's first piece.
    pub first: bool,
    /// The op's annotation goes here: its first piece with visible text
    /// (an op often starts with the previous paragraph's line break), or
    /// its first piece if it is all whitespace.
    pub anchor: bool,
    /// This is the op's only piece (the whole op text).
    pub whole: bool,
}

/// One or more paragraphs that belong together on screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Block<'a> {
    pub pieces: Vec<Piece<'a>>,
    /// 0-based paragraph index each side starts in.
    pub old_para: usize,
    pub new_para: usize,
}

impl Block<'_> {
    /// Any delete or insert in this block.
    pub fn changed(&self) -> bool {
        self.pieces.iter().any(|p| p.kind != OpKind::Equal)
    }
}

/// What a layout shows: a block, or a run of unchanged blocks folded away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item<'d, 'a> {
    Shown(&'d Block<'a>),
    Hidden(&'d [Block<'a>]),
}

/// The diff cut into blocks, plus what is needed to number paragraphs.
#[derive(Debug, Clone)]
pub struct Doc<'a> {
    pub blocks: Vec<Block<'a>>,
    /// End offsets of each paragraph (sorted, last = text length).
    pub old_ends: Vec<usize>,
    pub new_ends: Vec<usize>,
    /// Old and new offset where each op starts (running sums, so they hold
    /// even when an engine leaves `old_at`/`new_at` unset).
    pub op_at: Vec<(usize, usize)>,
}

impl<'a> Doc<'a> {
    pub fn new(diff: &Diff<'a>) -> Doc<'a> {
        let old_ends = paragraph_ends(&diff.old_paragraphs, diff.old_text);
        let new_ends = paragraph_ends(&diff.new_paragraphs, diff.new_text);
        let (blocks, op_at) = cut(diff, &old_ends, &new_ends);
        Doc { blocks, old_ends, new_ends, op_at }
    }

    /// 1-based paragraph number (¶) of an old-text offset.
    pub fn old_number(&self, pos: usize) -> usize {
        number(&self.old_ends, pos)
    }

    /// 1-based paragraph number (¶) of a new-text offset.
    pub fn new_number(&self, pos: usize) -> usize {
        number(&self.new_ends, pos)
    }

    /// Blocks to show with `context` unchanged blocks around each change;
    /// longer unchanged runs fold into [`Item::Hidden`].
    pub fn items(&self, context: usize) -> Vec<Item<'_, 'a>> {
        collapse(&self.blocks, context)
    }
}

fn number(ends: &[usize], pos: usize) -> usize {
    // Paragraph i covers [ends[i-1], ends[i]); an offset equal to an end
    // starts the next paragraph.
    let i = ends.partition_point(|&e| e <= pos);
    i.min(ends.len().saturating_sub(1)) + 1
}

/// Paragraph ends from the engine's spans, or found here when it gave none.
fn paragraph_ends(spans: &[Span], text: &str) -> Vec<usize> {
    let mut ends: Vec<usize> = if spans.is_empty() {
        fallback_paragraphs(text).into_iter().map(|s| s.end).collect()
    } else {
        spans.iter().map(|s| s.end.min(text.len())).collect()
    };
    ends.sort_unstable();
    ends.dedup();
    if ends.last() != Some(&text.len()) {
        ends.push(text.len());
    }
    ends
}

/// Paragraphs separated by blank lines (the separator belongs to the
/// paragraph before it); a text without blank lines has one per line, as
/// feeds and scrapers that put each paragraph on its own line produce.
pub fn fallback_paragraphs(text: &str) -> Vec<Span> {
    let b = text.as_bytes();
    let blank_lines = has_blank_line(b);
    let mut spans = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\n' {
            i += 1;
            continue;
        }
        i += 1;
        if !blank_lines {
            spans.push(start..i);
            start = i;
            continue;
        }
        // Swallow following whitespace-only lines; a paragraph ends only if
        // at least one such line follows.
        let mut j = i;
        let mut end = None;
        while let Some(k) = next_blank_line_end(b, j) {
            end = Some(k);
            j = k;
        }
        if let Some(e) = end {
            spans.push(start..e);
            start = e;
            i = e;
        }
    }
    if start < b.len() || spans.is_empty() {
        spans.push(start..b.len());
    }
    spans
}

fn has_blank_line(b: &[u8]) -> bool {
    (0..b.len()).any(|i| b[i] == b'\n' && next_blank_line_end(b, i + 1).is_some())
}

/// If `b[from..]` starts with a whitespace-only line, the offset after its
/// newline.
fn next_blank_line_end(b: &[u8], from: usize) -> Option<usize> {
    let mut k = from;
    while k < b.len() && matches!(b[k], b' ' | b'\t' | b'\r') {
        k += 1;
    }
    (k < b.len() && b[k] == b'\n').then_some(k + 1)
}

/// A position in a sorted list of paragraph ends that only moves forward,
/// as [`cut`]'s offsets do: each query is a step or two instead of a
/// binary search (a book has thousands of paragraphs and pieces).
struct Ends<'e> {
    ends: &'e [usize],
    /// How many ends are at or before the last position asked about.
    i: usize,
}

impl<'e> Ends<'e> {
    fn new(ends: &'e [usize]) -> Self {
        Ends { ends, i: 0 }
    }

    /// Move to `pos` (never before the last position).
    fn at(&mut self, pos: usize) -> &mut Self {
        while self.i < self.ends.len() && self.ends[self.i] <= pos {
            self.i += 1;
        }
        self
    }

    /// Offset (relative to the current position `pos`) of the first
    /// paragraph end strictly inside the next `len` bytes.
    fn next(&self, pos: usize, len: usize) -> Option<usize> {
        self.ends.get(self.i).map(|&e| e - pos).filter(|&d| d < len)
    }

    /// Whether `pos` (the current position) is a paragraph end.
    fn is_end(&self, pos: usize) -> bool {
        self.i > 0 && self.ends[self.i - 1] == pos
    }

    /// [`number`] of the current position.
    fn number(&self) -> usize {
        self.i.min(self.ends.len().saturating_sub(1)) + 1
    }
}

fn cut<'a>(diff: &Diff<'a>, old_ends: &[usize], new_ends: &[usize]) -> (Vec<Block<'a>>, Vec<(usize, usize)>) {
    let (mut oe, mut ne) = (Ends::new(old_ends), Ends::new(new_ends));
    let mut blocks = Vec::new();
    let mut op_at = Vec::with_capacity(diff.ops.len());
    let (mut old_pos, mut new_pos) = (0usize, 0usize);
    let mut cur = Block::default();
    let mut start = (0usize, 0usize);
    for (i, op) in diff.ops.iter().enumerate() {
        op_at.push((old_pos, new_pos));
        let mut rest = op.text;
        let mut first = true;
        let anchor_at = op.text.find(|c: char| !c.is_whitespace()).unwrap_or(0);
        while !rest.is_empty() {
            let on_old = op.op != OpKind::Insert;
            let on_new = op.op != OpKind::Delete;
            let mut k = [
                on_old.then(|| oe.at(old_pos).next(old_pos, rest.len())).flatten(),
                on_new.then(|| ne.at(new_pos).next(new_pos, rest.len())).flatten(),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(rest.len());
            while k < rest.len() && !rest.is_char_boundary(k) {
                k += 1;
            }
            let (text, tail) = rest.split_at(k);
            let at = op.text.len() - rest.len();
            let anchor = (at..at + k).contains(&anchor_at) || (k == 0 && at == anchor_at);
            cur.pieces.push(Piece { kind: op.op, text, op: i, first, anchor, whole: first && tail.is_empty() });
            first = false;
            rest = tail;
            if on_old {
                old_pos += k;
            }
            if on_new {
                new_pos += k;
            }
            let old_rest = old_pos == start.0 || oe.at(old_pos).is_end(old_pos);
            let new_rest = new_pos == start.1 || ne.at(new_pos).is_end(new_pos);
            // A delete right before an insert is a replacement: keep them
            // in one block so they face each other side by side.
            let replaced = rest.is_empty()
                && op.op == OpKind::Delete
                && diff.ops.get(i + 1).is_some_and(|n| n.op == OpKind::Insert && !n.text.is_empty());
            if old_rest && new_rest && !replaced {
                blocks.push(std::mem::take(&mut cur));
                start = (old_pos, new_pos);
                cur.old_para = oe.at(old_pos).number() - 1;
                cur.new_para = ne.at(new_pos).number() - 1;
            }
        }
    }
    if !cur.pieces.is_empty() {
        blocks.push(cur);
    }
    (blocks, op_at)
}

/// Keep changed blocks and `context` blocks either side; fold the rest.
pub fn collapse<'d, 'a>(blocks: &'d [Block<'a>], context: usize) -> Vec<Item<'d, 'a>> {
    let mut keep = vec![false; blocks.len()];
    for (j, b) in blocks.iter().enumerate() {
        if b.changed() {
            let lo = j.saturating_sub(context);
            let hi = (j + context).min(blocks.len() - 1);
            keep[lo..=hi].iter_mut().for_each(|k| *k = true);
        }
    }
    let mut items = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        if keep[i] {
            items.push(Item::Shown(&blocks[i]));
            i += 1;
            continue;
        }
        let run = keep[i..].iter().take_while(|k| !**k).count();
        items.push(Item::Hidden(&blocks[i..i + run]));
        i += run;
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testutil::DiffBuilder;

    fn texts(b: &Block) -> Vec<(OpKind, String)> {
        b.pieces.iter().map(|p| (p.kind, p.text.to_string())).collect()
    }

    #[test]
    fn fallback_splits_on_blank_lines_keeping_separators() {
        let t = "One.\n\nTwo\nstill two.\n \n\nThree";
        let s: Vec<&str> = fallback_paragraphs(t).into_iter().map(|s| &t[s]).collect();
        assert_eq!(s, ["One.\n\n", "Two\nstill two.\n \n\n", "Three"]);
    }

    #[test]
    fn fallback_one_paragraph_per_line_without_blank_lines() {
        let t = "a\nb\nc\n";
        let s: Vec<&str> = fallback_paragraphs(t).into_iter().map(|s| &t[s]).collect();
        assert_eq!(s, ["a\n", "b\n", "c\n"]);
        assert_eq!(fallback_paragraphs(""), vec![0..0]);
    }

    #[test]
    fn equal_runs_are_cut_per_paragraph() {
        let d = DiffBuilder::new().eq("A.\n\nB.\n\nC ").del("x").ins("y").eq(".\n\nD.").build();
        let doc = Doc::new(&d.diff());
        let b: Vec<_> = doc.blocks.iter().map(texts).collect();
        assert_eq!(b.len(), 4);
        assert_eq!(b[0], [(OpKind::Equal, "A.\n\n".into())]);
        assert_eq!(b[1], [(OpKind::Equal, "B.\n\n".into())]);
        assert_eq!(b[2].len(), 4);
        assert_eq!(b[3], [(OpKind::Equal, "D.".into())]);
        assert_eq!((doc.blocks[3].old_para, doc.blocks[3].new_para), (3, 3));
    }

    #[test]
    fn inserted_paragraph_is_its_own_block() {
        let d = DiffBuilder::new().ins("New head\n\n").eq("Head\n\nBody").build();
        let doc = Doc::new(&d.diff());
        assert_eq!(doc.blocks.len(), 3);
        assert_eq!(texts(&doc.blocks[0]), [(OpKind::Insert, "New head\n\n".into())]);
        assert_eq!(doc.new_number(doc.op_at[1].1), 2);
        assert_eq!(doc.old_number(doc.op_at[1].0), 1);
    }

    #[test]
    fn coarse_delete_insert_cut_per_paragraph() {
        let d = DiffBuilder::new().del("a\n\nb").ins("c\n\nd").build();
        let doc = Doc::new(&d.diff());
        let b: Vec<_> = doc.blocks.iter().map(texts).collect();
        assert_eq!(b.len(), 3, "{b:?}");
        assert_eq!(b[0], [(OpKind::Delete, "a\n\n".into())]);
        assert_eq!(b[1], [(OpKind::Delete, "b".into()), (OpKind::Insert, "c\n\n".into())]);
        assert_eq!(b[2], [(OpKind::Insert, "d".into())]);
    }

    #[test]
    fn anchor_is_the_first_piece_with_text() {
        let d = DiffBuilder::new().eq("A.").ins("\n\nMoved.").eq("\n\nB.").build();
        let doc = Doc::new(&d.diff());
        let ins: Vec<_> = doc.blocks.iter().flat_map(|b| &b.pieces).filter(|p| p.kind == OpKind::Insert).collect();
        assert_eq!(ins.len(), 2, "{ins:?}");
        assert!(ins[0].first && !ins[0].anchor && ins[0].text == "\n\n");
        assert!(!ins[1].first && ins[1].anchor);
    }

    #[test]
    fn context_collapsing_keeps_n_around_changes() {
        let mut b = DiffBuilder::new();
        for i in 0..6 {
            b = b.eq(&format!("p{i}\n\n"));
        }
        let d = b.del("old").ins("new").eq("\n\n").eq("q1\n\nq2\n\nq3").build();
        let doc = Doc::new(&d.diff());
        let shape = |ctx| {
            doc.items(ctx)
                .iter()
                .map(|i| match i {
                    Item::Shown(b) if b.changed() => "C".to_string(),
                    Item::Shown(_) => "s".to_string(),
                    Item::Hidden(r) => format!("h{}", r.len()),
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(shape(1), "h5 s C s h2");
        assert_eq!(shape(0), "h6 C h3");
        assert_eq!(shape(9), "s s s s s s C s s s");
    }

    #[test]
    fn identical_text_is_one_hidden_run() {
        let d = DiffBuilder::new().eq("a\n\nb\n\nc").build();
        let doc = Doc::new(&d.diff());
        assert!(matches!(doc.items(2).as_slice(), [Item::Hidden(r)] if r.len() == 3));
        assert!(collapse(&[], 1).is_empty());
    }

    #[test]
    fn multibyte_text_never_splits_inside_a_char() {
        let d = DiffBuilder::new().eq("“É”\n\n…").ins("新しい").build();
        let doc = Doc::new(&d.diff());
        let joined: String = doc.blocks.iter().flat_map(|b| b.pieces.iter().map(|p| p.text)).collect();
        assert_eq!(joined, "“É”\n\n…新しい");
    }
}
