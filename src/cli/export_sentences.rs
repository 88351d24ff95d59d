//! `redline export --sentences FILE.jsonl [NAME…]`: a NewsEdits-style table
//! of every sentence of every revision, for researchers.
//!
//! One JSON object per line: the article, the revision, the sentence's
//! index and text, the sentence it matches in the previous revision, and
//! the edit kind. The matching is the engine's own ([`core::diff`]'s changes
//! and lossless ops): this command only reads them, so the table agrees
//! with what `diff` shows. A sentence is a unit as the engine cuts them (a
//! sentence within a line); indexes count from 1 in reading order, like
//! revisions and ¶ numbers. Sentences of the previous revision that have no
//! counterpart get a row of their own (`"kind": "removed"`, no `sentence`).

use super::export::write_file;
use super::{CommandError, CommandHelper, CommandResult, Exit};
use crate::core::segment::has_blank_line;
use crate::core::{self, ChangeKind, Diff, DiffOptions, OpKind, Span, Unit};
use crate::render::site::{cut, Sentence};
use crate::store::{Revision, Store};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// One row of the table.
#[derive(Debug, Serialize, PartialEq)]
pub struct Row<'a> {
    pub article: &'a str,
    pub revision: u64,
    /// The revision's full commit id.
    pub id: &'a str,
    pub observed_at: &'a str,
    /// 1-based index of the sentence in this revision (null: removed).
    pub sentence: Option<usize>,
    /// 1-based ¶ of the sentence in this revision.
    pub paragraph: Option<usize>,
    pub text: Option<&'a str>,
    pub previous_revision: Option<u64>,
    /// 1-based index of the matched sentence in the previous revision.
    pub previous_sentence: Option<usize>,
    pub previous_text: Option<&'a str>,
    /// `unchanged`, `formatting` (typography only), `reworded`, `moved`,
    /// `duplicated`, `added` or `removed`.
    pub kind: &'static str,
}

/// Write the table for the selected articles (all when `names` is empty)
/// to `file` (`-`: standard output).
pub fn run(file: &Path, names: &[&str], strict: bool, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let store = cx.store.open()?;
    let (articles, skipped) = store.select_articles(names)?;
    let mut failure: Option<CommandError> = None;
    let mut rows = 0usize;
    let mut write = |w: &mut dyn Write| -> std::io::Result<()> {
        for (name, _) in &articles {
            match article(store, name, strict, w) {
                Ok(n) => rows += n,
                Err(Failed::Io(e)) => return Err(e),
                Err(Failed::Store(e)) => {
                    failure = Some(e.into());
                    return Err(std::io::Error::other("store read failed"));
                }
            }
        }
        Ok(())
    };
    let written = if file.as_os_str() == "-" {
        let out = cx.ui.stdout();
        write(out).map_err(CommandError::from)
    } else {
        let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let Some(name) = file.file_name().and_then(|n| n.to_str()) else {
            return Err(CommandError::user(format!("cannot write the table to {}: not a file name", file.display())));
        };
        write_file(dir, name, &mut write)
    };
    if let Some(e) = failure {
        return Err(e);
    }
    written?;
    if file.as_os_str() != "-" {
        cx.ui.status(&format!("wrote {} ({rows} rows, {} articles)", file.display(), articles.len()));
    }
    Ok(super::report_skipped(&cx.ui, &skipped))
}

/// Why writing one article's rows stopped.
enum Failed {
    Io(std::io::Error),
    Store(crate::store::StoreError),
}

/// Every row of one article's history; returns how many were written.
fn article(store: &Store, name: &str, strict: bool, w: &mut dyn Write) -> Result<usize, Failed> {
    let revs = store.history(name).map_err(Failed::Store)?;
    let mut prev: Option<(&Revision, String)> = None;
    let mut n = 0;
    for rev in &revs {
        let text = store.text_string(rev).map_err(Failed::Store)?;
        let id = rev.id.to_string();
        let here = Here { article: name, rev, id: &id };
        let rows = match &prev {
            None => first_rows(&here, &text),
            Some((p, old)) => {
                let diff = core::diff(old, &text, &DiffOptions { strict, ..DiffOptions::default() });
                pair_rows(&here, p.meta.revision, &diff)
            }
        };
        for row in &rows {
            // DEL, C1 controls and bidi overrides escaped as `\u…` (the
            // same characters to a JSON reader), as every JSON redline
            // writes: a raw U+009B is a terminal escape when the file is
            // printed.
            let line = serde_json::to_string(row).map_err(|e| Failed::Io(e.into()))?;
            w.write_all(crate::render::sanitize::json_strict(&line).as_bytes()).map_err(Failed::Io)?;
            w.write_all(b"\n").map_err(Failed::Io)?;
        }
        n += rows.len();
        prev = Some((rev, text));
    }
    Ok(n)
}

/// The revision a row belongs to.
struct Here<'a> {
    article: &'a str,
    rev: &'a Revision,
    id: &'a str,
}

impl<'a> Here<'a> {
    fn row(&self, kind: &'static str) -> Row<'a> {
        Row {
            article: self.article,
            revision: self.rev.meta.revision,
            id: self.id,
            observed_at: &self.rev.meta.observed_at,
            sentence: None,
            paragraph: None,
            text: None,
            previous_revision: None,
            previous_sentence: None,
            previous_text: None,
            kind,
        }
    }
}

/// The first revision: every sentence is new.
fn first_rows<'a>(here: &Here<'a>, text: &'a str) -> Vec<Row<'a>> {
    cut(text, !has_blank_line(text))
        .iter()
        .enumerate()
        .map(|(i, s)| Row {
            sentence: Some(i + 1),
            paragraph: Some(s.paragraph),
            text: Some(&text[s.span.clone()]),
            ..here.row("added")
        })
        .collect()
}

/// Rows of a revision against the one before, from the engine's diff.
fn pair_rows<'a>(here: &Here<'a>, prev_number: u64, diff: &Diff<'a>) -> Vec<Row<'a>> {
    let (old, new) = (diff.old_text, diff.new_text);
    let per_line = !has_blank_line(old) && !has_blank_line(new);
    let (olds, news) = (cut(old, per_line), cut(new, per_line));
    let mut matched_old = vec![false; olds.len()];
    let mut rows = Vec::with_capacity(news.len());
    for (i, s) in news.iter().enumerate() {
        let (kind, prev) = classify(diff, &olds, s);
        if let Some(k) = prev {
            matched_old[k] = true;
        }
        rows.push(Row {
            sentence: Some(i + 1),
            paragraph: Some(s.paragraph),
            text: Some(&new[s.span.clone()]),
            previous_revision: Some(prev_number),
            previous_sentence: prev.map(|k| k + 1),
            previous_text: prev.map(|k| &old[olds[k].span.clone()]),
            ..here.row(kind)
        });
    }
    for c in diff.changes.iter().filter(|c| c.kind == ChangeKind::Removed) {
        let Some(span) = &c.old else { continue };
        for (k, o) in olds.iter().enumerate() {
            if overlaps(&o.span, span) && !matched_old[k] {
                matched_old[k] = true;
                rows.push(Row {
                    previous_revision: Some(prev_number),
                    previous_sentence: Some(k + 1),
                    previous_text: Some(&old[o.span.clone()]),
                    ..here.row("removed")
                });
            }
        }
    }
    rows
}

/// The edit kind of new sentence `s`, and the index of its counterpart in
/// the old sentences (if it has one).
fn classify(diff: &Diff, olds: &[Sentence], s: &Sentence) -> (&'static str, Option<usize>) {
    let touching = |unit: Unit| {
        diff.changes.iter().find(|c| {
            c.unit == unit
                && !matches!(c.kind, ChangeKind::Split | ChangeKind::Merged)
                && c.new.as_ref().is_some_and(|n| overlaps(n, &s.span))
        })
    };
    if let Some(c) = touching(Unit::Sentence).or_else(|| touching(Unit::Paragraph)) {
        let kind = c.kind.name();
        let prev = match (c.kind, &c.old) {
            (ChangeKind::Added | ChangeKind::Duplicated, _) | (_, None) => None,
            (_, Some(o)) if c.unit == Unit::Sentence => containing(olds, o.start),
            // A whole paragraph moved: its sentence with the most words in common.
            (_, Some(o)) => best_match(diff.old_text, olds, o, &diff.new_text[s.span.clone()]),
        };
        return (kind, prev);
    }
    let (at, formatting) = old_offset(diff, &s.span);
    (if formatting { "formatting" } else { "unchanged" }, at.and_then(|a| containing(olds, a)))
}

/// Where the start of new span `span` lies in the old text (through the
/// equal ops), and whether a typography-only swap touches the span.
fn old_offset(diff: &Diff, span: &Span) -> (Option<usize>, bool) {
    let mut at = None;
    let mut formatting = false;
    for op in &diff.ops {
        if op.op == OpKind::Delete {
            continue;
        }
        let range = op.new_at..op.new_at + op.text.len();
        if range.start >= span.end {
            break;
        }
        if range.end <= span.start {
            continue;
        }
        formatting |= op.formatting;
        if at.is_none() {
            at = Some(match op.op {
                OpKind::Equal => op.old_at + span.start.saturating_sub(op.new_at),
                _ => op.old_at,
            });
        }
    }
    (at, formatting)
}

/// The old sentence holding byte `at` (the last one starting at or before it).
fn containing(olds: &[Sentence], at: usize) -> Option<usize> {
    olds.partition_point(|o| o.span.start <= at).checked_sub(1)
}

/// Among the old sentences inside `within`, the one sharing the most words
/// with `text` (Dice on lower-cased words).
fn best_match(old: &str, olds: &[Sentence], within: &Span, text: &str) -> Option<usize> {
    let words = |t: &str| t.split_whitespace().map(str::to_lowercase).collect::<std::collections::BTreeSet<_>>();
    let want = words(text);
    olds.iter()
        .enumerate()
        .filter(|(_, o)| overlaps(&o.span, within))
        .map(|(k, o)| {
            let have = words(&old[o.span.clone()]);
            let common = want.intersection(&have).count();
            (2 * common * 1000 / (want.len() + have.len()).max(1), std::cmp::Reverse(k))
        })
        .max()
        .map(|(_, std::cmp::Reverse(k))| k)
}

fn overlaps(a: &Span, b: &Span) -> bool {
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(old: &str, new: &str) -> Vec<(Option<usize>, Option<usize>, &'static str)> {
        let diff = core::diff(old, new, &DiffOptions::default());
        let meta: crate::store::Meta = serde_json::from_value(serde_json::json!({
            "schema": "redline.meta/1", "name": "a", "revision": 2, "title": "t", "url": null,
            "observed_at": "2026-01-01T00:00:00Z", "first_observed_at": "2026-01-01T00:00:00Z",
            "bytes": 1, "words": 1, "sentences": 1, "paragraphs": 1, "sha256": "x", "same_as": null,
            "words_added": 0, "words_removed": 0, "title_changed": false, "formatting_only": false,
            "summary": "", "message": null
        }))
        .unwrap();
        let rev = Revision { id: git2::Oid::ZERO_SHA1, meta };
        let here = Here { article: "a", rev: &rev, id: "0" };
        pair_rows(&here, 1, &diff).iter().map(|r| (r.sentence, r.previous_sentence, r.kind)).collect()
    }

    #[test]
    fn each_sentence_gets_its_counterpart_and_kind() {
        let old = "Title\n\nThe mayor met the council. Taxes rose. The park opened.\n";
        let new = "Title\n\nThe mayor fulfilled the council. The park opened. A new line.\n";
        assert_eq!(
            kinds(old, new),
            vec![
                (Some(1), Some(1), "unchanged"),
                (Some(2), Some(2), "reworded"),
                (Some(3), Some(4), "unchanged"),
                (Some(4), None, "added"),
                (None, Some(3), "removed"),
            ]
        );
    }

    #[test]
    fn typography_only_is_formatting() {
        let k = kinds("Title\n\nHe said \"no\" -- twice.\n", "Title\n\nHe said “no” — twice.\n");
        assert_eq!(k, vec![(Some(1), Some(1), "unchanged"), (Some(2), Some(2), "formatting")]);
    }
}
