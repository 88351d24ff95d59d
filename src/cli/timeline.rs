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

/// One revision of the timeline, with the time it is sorted by.
pub(crate) struct Dated {
    pub time: i64,
    pub name: String,
    pub rev: Revision,
}

/// Print every article's revisions inside the range, oldest first.
pub fn run(args: &LogArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let store = cx.store.open()?;
    Store::trust_object_ids();
    let (mut revs, skipped) = collect(store, |t| args.time_in_range(t))?;
    if args.no_flip_flops {
        revs.retain(|d| d.rev.meta.same_as.is_none());
    }
    if args.reverse {
        revs.reverse();
    }
    if args.json {
        let entries: Vec<Entry<'_>> =
            revs.iter().map(|d| Entry { id: d.rev.id.to_string(), meta: &d.rev.meta }).collect();
        let json = serde_json::to_string_pretty(&entries)?;
        writeln!(cx.ui.stdout(), "{}", json_strict(&json))?;
    } else {
        let label = |d: &Dated| format!("{}@{}", d.name, d.rev.meta.revision);
        let width = revs.iter().map(|d| label(d).len()).max().unwrap_or(0);
        let out = cx.ui.paged();
        for d in &revs {
            writeln!(out, "{}", line(d, &label(d), width))?;
        }
    }
    Ok(super::report_skipped(&cx.ui, &skipped))
}

/// Every revision of every article whose time passes `keep`, in time order
/// (then by name and number, so equal times print the same way every
/// time), and the articles that could not be read.
pub(crate) fn collect(
    store: &Store,
    keep: impl Fn(i64) -> bool + Sync,
) -> crate::store::Result<(Vec<Dated>, Vec<Skipped>)> {
    let (articles, mut skipped) = store.article_refs()?;
    let per = store.per_article(&articles, |s, name, tip| article(s, name, tip, &keep))?;
    let mut out = Vec::new();
    for (r, (name, _)) in per.into_iter().zip(&articles) {
        match r {
            Ok(v) => out.extend(v),
            Err(e) => skipped.push(Skipped { name: name.clone(), why: e.to_string() }),
        }
    }
    out.sort_by(|a, b| (a.time, &a.name, a.rev.meta.revision).cmp(&(b.time, &b.name, b.rev.meta.revision)));
    Ok((out, skipped))
}

fn article(store: &Store, name: &str, tip: Oid, keep: &impl Fn(i64) -> bool) -> crate::store::Result<Vec<Dated>> {
    store
        .links(tip)?
        .into_iter()
        .filter(|l| keep(l.time))
        .map(|l| Ok(Dated { time: l.time, name: name.to_string(), rev: store.revision(l.commit)? }))
        .collect()
}

/// Longest title shown in a timeline line.
const TITLE_CHARS: usize = 60;

/// `2020-09-13T12:00:00Z  belarus@3  cfd390c  890 words  +22 −11  Title  [marks]`
fn line(d: &Dated, label: &str, width: usize) -> String {
    let m = &d.rev.meta;
    let delta = format!("+{} \u{2212}{}", m.words_added, m.words_removed);
    let mut s = format!(
        "{}  {:<width$}  {}  {:>6} words  {:<13}  {}",
        visible_line(&m.observed_at),
        visible_line(label),
        d.rev.short_id(),
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
