//! Op-list tidying after emission.
//!
//! Whitespace is attached to the token before it, so when a sentence is
//! added after the last sentence of a paragraph the paragraph break moves:
//! the old last sentence loses its "\n\n" and gains " ", and the added
//! sentence ends with the "\n\n". Shown literally, that is a stray
//! whitespace swap next to the real change. Sliding the break to after the
//! inserted (or deleted) text turns it back into an unchanged paragraph
//! break, which is how a reader sees the edit.

use super::model::{Op, OpKind};

/// Rewrite `[Delete d (fmt)] [Insert i (fmt)] [Insert x]` where `x` ends
/// with `d` into `[Insert i + x - d] [Equal d]`, and the mirror case for a
/// deletion. Both inputs stay exactly recoverable.
pub fn slide_breaks<'a>(mut ops: Vec<Op<'a>>, old: &'a str, new: &'a str) -> Vec<Op<'a>> {
    // In place: a rewrite turns three ops into two, so the write position
    // never passes the read position (a spun book has 51,000 ops; a copy
    // of them is megabytes of fresh pages).
    let (mut i, mut w) = (0, 0);
    while i < ops.len() {
        if i + 2 < ops.len() {
            if let Some([a, b]) = slide(&ops[i], &ops[i + 1], &ops[i + 2], old, new) {
                ops[w] = a;
                ops[w + 1] = b;
                (i, w) = (i + 3, w + 2);
                continue;
            }
        }
        ops.swap(w, i);
        (i, w) = (i + 1, w + 1);
    }
    ops.truncate(w);
    merge_equals(ops, old)
}

/// Join neighbouring equal ops (sliding can leave two side by side), in
/// place.
fn merge_equals<'a>(mut ops: Vec<Op<'a>>, old: &'a str) -> Vec<Op<'a>> {
    let mut w = 0;
    for i in 0..ops.len() {
        if w > 0 {
            let (last, op) = (&ops[w - 1], &ops[i]);
            if last.op == OpKind::Equal && op.op == OpKind::Equal && last.old_at + last.text.len() == op.old_at {
                let text = &old[last.old_at..op.old_at + op.text.len()];
                ops[w - 1].text = text;
                continue;
            }
        }
        ops.swap(w, i);
        w += 1;
    }
    ops.truncate(w);
    ops
}

fn is_ws_fmt(op: &Op, kind: OpKind) -> bool {
    op.op == kind && op.formatting && op.move_id.is_none() && op.text.chars().all(char::is_whitespace)
}

fn slide<'a>(d: &Op<'a>, i: &Op<'a>, x: &Op<'a>, old: &'a str, new: &'a str) -> Option<[Op<'a>; 2]> {
    if !is_ws_fmt(d, OpKind::Delete) || !is_ws_fmt(i, OpKind::Insert) || x.formatting {
        return None;
    }
    match x.op {
        OpKind::Insert if x.text.ends_with(d.text) && x.new_at == i.new_at + i.text.len() => {
            // New side: i, then x without its tail; the tail (== d) is now equal.
            let start = i.new_at;
            let end = x.new_at + x.text.len() - d.text.len();
            let ins = Op { text: &new[start..end], new_at: start, old_at: d.old_at, ..x.clone() };
            let eq = equal(&old[d.old_at..d.old_at + d.text.len()], d.old_at, end);
            Some([ins, eq])
        }
        OpKind::Delete if x.text.ends_with(i.text) && x.old_at == d.old_at + d.text.len() => {
            let start = d.old_at;
            let end = x.old_at + x.text.len() - i.text.len();
            let del = Op { text: &old[start..end], old_at: start, new_at: i.new_at, ..x.clone() };
            let eq = equal(&new[i.new_at..i.new_at + i.text.len()], end, i.new_at);
            Some([del, eq])
        }
        _ => None,
    }
}

fn equal(text: &str, old_at: usize, new_at: usize) -> Op<'_> {
    Op { op: OpKind::Equal, text, move_id: None, formatting: false, change: None, old_at, new_at }
}

#[cfg(test)]
mod tests {
    use crate::core::{diff, DiffOptions, OpKind};

    fn shown(a: &str, b: &str) -> Vec<(OpKind, String)> {
        let x = diff(a, b, &DiffOptions::default());
        x.ops.iter().map(|o| (o.op, o.text.to_string())).collect()
    }

    #[test]
    fn added_last_sentence_keeps_the_paragraph_break_unchanged() {
        let ops =
            shown("Residents can comment.\n\nNext one.\n", "Residents can comment. A hearing is set.\n\nNext one.\n");
        assert_eq!(
            ops,
            [
                (OpKind::Equal, "Residents can comment.".to_string()),
                (OpKind::Insert, " A hearing is set.".to_string()),
                (OpKind::Equal, "\n\nNext one.\n".to_string()),
            ]
        );
    }

    #[test]
    fn removed_last_sentence_keeps_the_paragraph_break_unchanged() {
        let ops =
            shown("Residents can comment. A hearing is set.\n\nNext one.\n", "Residents can comment.\n\nNext one.\n");
        assert_eq!(
            ops,
            [
                (OpKind::Equal, "Residents can comment.".to_string()),
                (OpKind::Delete, " A hearing is set.".to_string()),
                (OpKind::Equal, "\n\nNext one.\n".to_string()),
            ]
        );
    }
}
