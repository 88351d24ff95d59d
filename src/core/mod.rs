//! The pure diff engine: text in, data out. No file I/O, no git, no colours.
//!
//! Stages: [`segment`] splits text into paragraphs and sentences,
//! [`tokenize`] into words and punctuation, [`align`] pairs units level by
//! level, and [`engine`] assembles ops and classified changes.

pub mod model;

pub use model::*;

/// Compare two texts. Never panics; always lossless (see [`model::Op`]).
pub fn diff<'a>(old: &'a str, new: &'a str, opts: &DiffOptions) -> Diff<'a> {
    let _ = opts;
    todo_diff(old, new)
}

/// Counts for one text (stored in each revision's metadata).
pub fn text_stats(text: &str) -> TextStats {
    TextStats { bytes: text.len(), words: text.split_whitespace().count(), sentences: 0, paragraphs: 0 }
}

/// Placeholder until the engine lands: one delete plus one insert.
fn todo_diff<'a>(old: &'a str, new: &'a str) -> Diff<'a> {
    let mut ops = Vec::new();
    if old == new {
        if !old.is_empty() {
            ops.push(Op {
                op: OpKind::Equal,
                text: old,
                move_id: None,
                formatting: false,
                change: None,
                old_at: 0,
                new_at: 0,
            });
        }
    } else {
        if !old.is_empty() {
            ops.push(Op {
                op: OpKind::Delete,
                text: old,
                move_id: None,
                formatting: false,
                change: None,
                old_at: 0,
                new_at: 0,
            });
        }
        if !new.is_empty() {
            ops.push(Op {
                op: OpKind::Insert,
                text: new,
                move_id: None,
                formatting: false,
                change: None,
                old_at: old.len(),
                new_at: 0,
            });
        }
    }
    Diff {
        formatting_only: false,
        stats: Stats::default(),
        ops,
        changes: vec![],
        substitutions: vec![],
        coarse: false,
        old_text: old,
        new_text: new,
        old_paragraphs: vec![],
        new_paragraphs: vec![],
    }
}
