//! `redline log NAME`: one line per revision, oldest first.
//!
//! Every number comes from the revisions' meta.json: log never diffs, so it
//! costs one small read per revision of this article and nothing else.

use super::output::{ignore_broken_pipe, Output};
use super::{Exit, GlobalArgs};
use crate::error::{Error, Result, EXIT_OK};
use crate::render::sanitize::visible;
use crate::store::{Meta, Revision, Store};
use serde::Serialize;
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline log belarus\n  redline log belarus --reverse --no-flip-flops\n  redline log belarus --json | jq '.[] | {revision, words_added, words_removed}'"
)]
pub struct LogArgs {
    /// Article name.
    pub name: String,
    /// Print JSON (one array of revisions) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Newest first.
    #[arg(long)]
    pub reverse: bool,
    /// Hide flip-flops: revisions whose text repeats an older revision (a
    /// page alternating between versions). The +/− counts of the revisions
    /// shown stay relative to the revision stored just before each.
    #[arg(long)]
    pub no_flip_flops: bool,
}

pub fn run(args: LogArgs, g: &GlobalArgs) -> Result<Exit> {
    crate::store::validate_name(&args.name)?;
    let store = Store::open(&g.store_path()?)?;
    if let Some(why) = store.partial_history() {
        eprintln!(
            "redline: warning: {} ({}); earlier revisions are missing and numbers may not be the article's own",
            crate::store::SHALLOW_MSG,
            visible(&why)
        );
    }
    let mut revs = store.history(&args.name)?;
    if args.no_flip_flops {
        revs.retain(|r| r.meta.same_as.is_none());
    }
    if args.reverse {
        revs.reverse();
    }
    if args.json {
        let entries: Vec<Entry<'_>> = revs.iter().map(|r| Entry { id: r.id.to_string(), meta: &r.meta }).collect();
        let mut out = Output::stdout();
        let json =
            serde_json::to_string_pretty(&entries).map_err(|e| Error::usage(format!("cannot encode JSON: {e}")))?;
        return ignore_broken_pipe(
            writeln!(out, "{}", crate::render::sanitize::json_safe(&json)).and_then(|_| out.flush()),
        )
        .map(|_| EXIT_OK);
    }
    let width = revs.iter().map(|r| r.number().to_string().len()).max().unwrap_or(1);
    let mut out = Output::paged(g);
    let mut write_all = || -> std::io::Result<()> {
        for r in &revs {
            writeln!(out, "{}", line(r, width))?;
        }
        out.flush()
    };
    ignore_broken_pipe(write_all())?;
    Ok(EXIT_OK)
}

/// One revision in `log --json`: the commit id, then every meta field.
#[derive(Serialize)]
struct Entry<'a> {
    id: String,
    #[serde(flatten)]
    meta: &'a Meta,
}

/// Longest title shown in a log line (the full one is in `--json`).
const TITLE_CHARS: usize = 72;

/// `  3  1a2b3c4  2020-09-14T10:00:00Z    837 words  +42 −17  Title  [title changed]`
fn line(r: &Revision, width: usize) -> String {
    let m = &r.meta;
    let delta = format!("+{} \u{2212}{}", m.words_added, m.words_removed);
    let mut s = format!(
        "{:>width$}  {}  {}  {:>6} words  {:<13}  {}",
        m.revision,
        r.short_id(),
        m.observed_at,
        m.words,
        delta,
        visible(&shorten(&m.title, TITLE_CHARS))
    );
    for mark in m.marks().iter().map(|k| format!("[{k}]")) {
        s.push_str("  ");
        s.push_str(&mark);
    }
    s.trim_end().to_string()
}

fn shorten(s: &str, max: usize) -> String {
    let one_line = s.replace(['\n', '\r', '\t'], " ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut t: String = one_line.chars().take(max - 1).collect();
    t.push('\u{2026}');
    t
}
