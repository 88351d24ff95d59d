//! `redline log --all [--since DATE] [--until DATE]`: the revisions of every
//! article in one timeline, in time order: "what changed today, across
//! everything".
//!
//! Each chain is walked through the store's scan (raw commits, whose
//! committer time is the observed time), so only the revisions inside the
//! range have their `meta.json` read. Lines carry the same numbers and marks
//! as `log NAME`, prefixed by the time and `NAME@REV`; `--json` prints the
//! same objects as `log --json` (each has its `name`).

use super::log::{shorten, Entry, LogArgs};
use super::{CommandHelper, CommandResult, Exit};
use crate::render::sanitize::{json_strict, visible_line};
use crate::store::{Revision, Skipped, Store};
use git2::Oid;
use std::io::Write;

/// One revision of the timeline: what it sorts by, and its output already
/// rendered. The metadata itself is not kept: a timeline of a large archive
/// would hold every revision's `meta.json` at once (339 MB for 100,000
/// revisions), where the rendered lines are a tenth of that.
struct Dated {
    time: i64,
    name: String,
    revision: u64,
    flip_flop: bool,
    /// The observed time as shown (text mode), or empty.
    when: String,
    /// Text mode: the line after the `NAME@REV` label; `--json`: the
    /// entry's object, pretty-printed as a top-level value.
    body: String,
}

/// Print every article's revisions inside the range, oldest first.
pub fn run(args: &LogArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let store = cx.store.open()?;
    Store::trust_object_ids();
    let json = args.json;
    let (mut revs, skipped) = collect(store, |t| args.time_in_range(t), json)?;
    if args.no_flip_flops {
        revs.retain(|d| !d.flip_flop);
    }
    if args.reverse {
        revs.reverse();
    }
    if json {
        write_json(cx.ui.stdout(), &revs)?;
    } else {
        let label = |d: &Dated| format!("{}@{}", d.name, d.revision);
        let width = revs.iter().map(|d| label(d).len()).max().unwrap_or(0);
        let out = cx.ui.paged();
        for d in &revs {
            writeln!(out, "{}  {:<width$}  {}", d.when, visible_line(&label(d)), d.body)?;
        }
    }
    Ok(super::report_skipped(&cx.ui, &skipped))
}

/// The `log --json` array, entry by entry: the same bytes as
/// `to_string_pretty` of the whole list (a pretty JSON value has line
/// breaks only between tokens, so indenting each line of an entry nests
/// it), without holding the whole document.
fn write_json(out: &mut dyn Write, revs: &[Dated]) -> std::io::Result<()> {
    if revs.is_empty() {
        return writeln!(out, "[]");
    }
    out.write_all(b"[\n")?;
    for (i, d) in revs.iter().enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        for (k, l) in d.body.split('\n').enumerate() {
            if k > 0 {
                out.write_all(b"\n")?;
            }
            out.write_all(b"  ")?;
            out.write_all(l.as_bytes())?;
        }
    }
    out.write_all(b"\n]\n")
}

/// Every revision of every article whose time passes `keep`, rendered
/// (as `--json` entries when `json`), in time order (then by name and number, so equal times print
/// the same way every time), and the articles that could not be read.
fn collect(
    store: &Store,
    keep: impl Fn(i64) -> bool + Sync,
    json: bool,
) -> crate::store::Result<(Vec<Dated>, Vec<Skipped>)> {
    let (articles, mut skipped) = store.article_refs()?;
    let per = store.per_article(&articles, |s, name, tip| article(s, name, tip, &keep, json))?;
    let mut out = Vec::new();
    for (r, (name, _)) in per.into_iter().zip(&articles) {
        match r {
            Ok(v) => out.extend(v),
            Err(e) => skipped.push(Skipped { name: name.clone(), why: e.to_string() }),
        }
    }
    out.sort_by(|a, b| (a.time, &a.name, a.revision).cmp(&(b.time, &b.name, b.revision)));
    Ok((out, skipped))
}

fn article(
    store: &Store,
    name: &str,
    tip: Oid,
    keep: &impl Fn(i64) -> bool,
    json: bool,
) -> crate::store::Result<Vec<Dated>> {
    store
        .links(tip)?
        .into_iter()
        .filter(|l| keep(l.time))
        .map(|l| {
            let rev = store.revision(l.commit)?;
            let (when, body) = render(&rev, json);
            Ok(Dated {
                time: l.time,
                name: name.to_string(),
                revision: rev.meta.revision,
                flip_flop: rev.meta.same_as.is_some(),
                when,
                body,
            })
        })
        .collect()
}

/// A revision's output: `log --json`'s entry (as [`Entry`], strict JSON),
/// or the timeline line's time and what follows its label.
fn render(r: &Revision, json: bool) -> (String, String) {
    if json {
        let entry = Entry { id: r.id.to_string(), meta: &r.meta };
        let text = serde_json::to_string_pretty(&entry).unwrap_or_default();
        return (String::new(), json_strict(&text).into_owned());
    }
    (visible_line(&r.meta.observed_at).into_owned(), line_after_label(r))
}

/// Longest title shown in a timeline line.
const TITLE_CHARS: usize = 60;

/// `2020-09-13T12:00:00Z  belarus@3  cfd390c  890 words  +22 −11  Title  [marks]`:
/// what follows the label.
fn line_after_label(r: &Revision) -> String {
    let m = &r.meta;
    let delta = format!("+{} \u{2212}{}", m.words_added, m.words_removed);
    let mut s = format!(
        "{}  {:>6} words  {:<13}  {}",
        r.short_id(),
        m.words,
        delta,
        visible_line(&shorten(&m.title, TITLE_CHARS))
    );
    let note = m.message.as_ref().map(|_| "note".to_string());
    for mark in m.marks().iter().chain(&note) {
        s.push_str(&format!("  [{mark}]"));
    }
    s.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dated(body: String) -> Dated {
        Dated { time: 0, name: String::new(), revision: 1, flip_flop: false, when: String::new(), body }
    }

    /// Entry by entry, the same bytes as pretty-printing the whole list:
    /// nested objects and arrays, empty ones, and strings holding what
    /// looks like JSON structure.
    #[test]
    fn streamed_json_is_the_pretty_printed_list() {
        let values = [
            serde_json::json!({"id": "a", "marks": [], "meta": {"k": [1, 2, {"x": null}]}}),
            serde_json::json!({"id": "b", "title": "line\nbreak, \"quoted\" [1, 2] {}", "empty": {}}),
            serde_json::json!({"id": "c"}),
        ];
        for n in 0..=values.len() {
            let list = &values[..n];
            let revs: Vec<Dated> = list.iter().map(|v| dated(serde_json::to_string_pretty(v).unwrap())).collect();
            let mut out = Vec::new();
            write_json(&mut out, &revs).unwrap();
            let want = format!("{}\n", serde_json::to_string_pretty(list).unwrap());
            assert_eq!(String::from_utf8(out).unwrap(), want, "{n} entries");
        }
    }
}
