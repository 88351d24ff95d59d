//! `--format critic`: CriticMarkup, which Markdown editors render as
//! tracked changes.
//!
//! The whole text is written (no folding: this is a document to accept or
//! reject change by change). An adjacent delete + insert on one line is a
//! substitution `{~~old~>new~~}`; other changes are `{--old--}` and
//! `{++new++}`, split at line breaks because CriticMarkup cannot span
//! paragraphs. Moves and duplicates carry a comment `{>>moved from ¶3<<}`
//! before their text, and the document opens with a comment holding the
//! summary. Text is passed through [`visible`] (this too ends up in
//! terminals).

use super::blocks::Doc;
use super::notes::Notes;
use super::sanitize::{visible_line, visible_text};
use super::segments::{is_line_break, split_lead};
use super::summary::Summary;
use super::{RenderOptions, Side};
use crate::core::{Diff, OpKind};
use std::io::{self, Write};

pub fn write(w: &mut dyn Write, diff: &Diff, old: &Side, new: &Side, o: &RenderOptions) -> io::Result<()> {
    let mut out = String::with_capacity(diff.old_text.len() + diff.new_text.len() / 4 + 256);
    out.push_str(&header(diff, old, new, o.strict));
    out.push_str(&body(diff));
    if !out.ends_with('\n') {
        out.push('\n');
    }
    w.write_all(out.as_bytes())
}

/// `{>>redline: a → b · 1 added · … · substitutions: …<<}` and a blank line.
fn header(diff: &Diff, old: &Side, new: &Side, strict: bool) -> String {
    let s = Summary::new(diff, strict);
    let mut parts = vec![format!("redline: {} → {}", old.label, new.label), s.headline()];
    parts.extend(s.notes.iter().cloned());
    if let Some(subs) = s.top_substitutions(8) {
        parts.push(format!("substitutions: {subs}"));
    }
    format!("{{>>{}<<}}\n\n", visible_line(&parts.join(" · ")).replace("<<}", "<< }"))
}

fn body(diff: &Diff) -> String {
    let doc = Doc::new(diff);
    let notes = Notes::new(diff, &doc);
    let mut out = String::new();
    let ops = &diff.ops;
    let mut i = 0;
    while i < ops.len() {
        let op = &ops[i];
        if let Some(step) = paragraph_break(diff, i, &mut out) {
            i += step;
            continue;
        }
        let text = escape(&visible_text(op.text)).into_owned();
        let (open, close) = match op.op {
            OpKind::Equal => {
                out.push_str(&text);
                i += 1;
                continue;
            }
            OpKind::Delete if substitutable(diff, &notes, i) => {
                let new = escape(&visible_text(ops[i + 1].text)).into_owned();
                out.push_str(&format!("{{~~{text}~>{new}~~}}"));
                i += 2;
                continue;
            }
            OpKind::Delete => ("{--", "--}"),
            OpKind::Insert => ("{++", "++}"),
        };
        // A note goes after the line break the op may start with, so it
        // opens the line of the text it is about.
        let (lead, rest) = match &notes.by_op[i] {
            Some(_) => split_lead(&text),
            None => ("", &text[..]),
        };
        if is_line_break(&text) {
            // A changed paragraph break is marked whole, newlines inside
            // (as pymdown-extensions and MultiMarkdown read it).
            out.push_str(&format!("{open}{text}{close}"));
            i += 1;
            continue;
        }
        out.push_str(&marked(lead, open, close));
        if let Some(n) = &notes.by_op[i] {
            out.push_str(&format!("{{>>{}<<}}", n.text()));
        }
        out.push_str(&marked(rest, open, close));
        i += 1;
    }
    out
}

/// A changed paragraph break (whitespace only, with a blank line on either
/// side): CriticMarkup cannot span a blank line, so the new text's spacing
/// is written with a comment naming the change. Returns how many ops it took.
fn paragraph_break(diff: &Diff, i: usize, out: &mut String) -> Option<usize> {
    let op = &diff.ops[i];
    let ws = |t: &str| !t.is_empty() && t.trim().is_empty();
    let blank = |t: &str| t.matches('\n').count() >= 2;
    if op.op == OpKind::Equal || !ws(op.text) || op.move_id.is_some() {
        return None;
    }
    let next = diff.ops.get(i + 1).filter(|n| op.op == OpKind::Delete && n.op == OpKind::Insert && ws(n.text));
    let (old, new) = match (op.op, next) {
        (OpKind::Delete, Some(n)) => (op.text, n.text),
        (OpKind::Delete, None) => (op.text, ""),
        _ => ("", op.text),
    };
    if !blank(old) && !blank(new) {
        return None;
    }
    let what = if blank(new) && !blank(old) {
        "paragraph break added"
    } else if blank(old) && !blank(new) {
        "paragraph break removed"
    } else {
        "spacing changed"
    };
    out.push_str(&format!("{{>>{what}<<}}{new}"));
    Some(if next.is_some() { 2 } else { 1 })
}

/// Article text that happens to contain CriticMarkup delimiters gets a zero
/// width space inside each, so a renderer never reads it as markup.
fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    const MARKS: [&str; 10] = ["{++", "++}", "{--", "--}", "{~~", "~~}", "{>>", "<<}", "{==", "==}"];
    if !MARKS.iter().any(|m| text.contains(m)) && !text.contains("~>") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut t = text.to_string();
    for m in MARKS.iter().chain(&["~>"]) {
        let mut split = String::new();
        let mut chars = m.chars();
        if let Some(first) = chars.next() {
            split.push(first);
            split.push('\u{200B}');
            split.extend(chars);
        }
        t = t.replace(m, &split);
    }
    std::borrow::Cow::Owned(t)
}

/// A delete followed by an insert, both plain edits on one line, or both
/// whitespace (`{~~\n\n~> ~~}`: a paragraph joined).
fn substitutable(diff: &Diff, notes: &Notes, i: usize) -> bool {
    let (Some(d), Some(n)) = (diff.ops.get(i), diff.ops.get(i + 1)) else {
        return false;
    };
    let plain = |j: usize, o: &crate::core::Op| notes.by_op[j].is_none() && o.move_id.is_none();
    let whitespace = d.text.trim().is_empty() && n.text.trim().is_empty();
    n.op == OpKind::Insert
        && plain(i, d)
        && plain(i + 1, n)
        && (whitespace || (!d.text.contains('\n') && !n.text.contains('\n')))
        && !d.text.is_empty()
        && !n.text.is_empty()
}

/// Each line of `text` wrapped in `open … close`; line breaks stay outside.
fn marked(text: &str, open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (k, line) in text.split('\n').enumerate() {
        if k > 0 {
            out.push('\n');
        }
        if !line.is_empty() {
            out.push_str(open);
            out.push_str(line);
            out.push_str(close);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{ChangeKind, KindCounts};
    use crate::render::testutil::{stats, ChangeSpec, DiffBuilder};

    fn render(b: &DiffBuilder) -> String {
        let d = b.diff();
        let mut out = Vec::new();
        let side = |l: &str| Side { label: l.into(), ..Side::default() };
        write(&mut out, &d, &side("a"), &side("b"), &RenderOptions::default()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn substitution_insertion_deletion() {
        let b = DiffBuilder::new()
            .eq("They ")
            .del("met")
            .ins("fulfilled")
            .eq(" him")
            .ins(" twice")
            .eq(".\n\n")
            .del("Gone.\n\nAlso gone.")
            .stats(stats(KindCounts { reworded: 1, ..Default::default() }, 2, 1, 0.5))
            .sub("met", "fulfilled", 1);
        assert_eq!(
            render(&b),
            "{>>redline: a → b · 1 reworded · words +2 −1 · 50% similar · substitutions: met → fulfilled<<}\n\n\
             They {~~met~>fulfilled~~} him{++ twice++}.\n\n{--Gone.--}\n\n{--Also gone.--}\n"
        );
    }

    #[test]
    fn moves_and_duplicates_get_comments() {
        let b = DiffBuilder::new().ins("Head!\n\n").of(0);
        let dup = b.new_len()..b.new_len() + 5;
        let b =
            b.eq("Head.\n\n").del("Moved.\n\n").moved(1).eq("Body.\n\n").ins("Moved.").moved(1).change(ChangeSpec {
                kind: Some(ChangeKind::Duplicated),
                duplicate_of: Some(dup),
                ..Default::default()
            });
        let s = render(&b);
        assert!(s.contains("{>>duplicate of ¶2<<}{++Head!++}\n\nHead.\n\n"), "{s}");
        assert!(s.contains("{>>moved to ¶4<<}{--Moved.--}\n\nBody.\n\n{>>moved from ¶2<<}{++Moved.++}"), "{s}");
    }

    #[test]
    fn paragraph_breaks_never_put_markup_across_a_blank_line() {
        let b = DiffBuilder::new().eq("A.").del("\n\n").ins(" ").eq("B.").ins("\n\n").eq("C.").del("\n").eq("D.");
        let s = render(&b);
        assert!(
            s.ends_with("A.{>>paragraph break removed<<} B.{>>paragraph break added<<}\n\nC.{--\n--}D.\n"),
            "{s:?}"
        );
    }

    #[test]
    fn article_text_with_critic_delimiters_is_escaped() {
        let b = DiffBuilder::new().eq("Use {++ and ++} to mark. ").ins("New {-- text --}.");
        let s = render(&b);
        assert!(!s.contains("Use {++") && !s.contains("{++New {--"), "{s:?}");
        assert!(s.contains("{++New {\u{200B}-- text -\u{200B}-}.++}"), "{s:?}");
    }

    #[test]
    fn control_characters_are_visible() {
        let b = DiffBuilder::new().eq("\x1b[2J").del("\u{9b}").ins("x");
        let s = render(&b);
        assert!(!s.contains('\x1b') && !s.contains('\u{9b}'), "{s:?}");
    }
}
