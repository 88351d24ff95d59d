//! `redline log NAME`: one line per revision, oldest first.
//!
//! Every number comes from the revisions' meta.json: log never diffs, so it
//! costs one small read per revision of this article and nothing else.

use super::{ArticleName, CommandHelper, CommandResult, Exit, PagerOpt, StoreOpt};
use crate::error::EXIT_OK;
use crate::render::sanitize::{json_strict, visible_line};
use crate::store::{Meta, Revision};
use serde::Serialize;
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline log belarus\n  redline log belarus --reverse --no-flip-flops\n  redline log belarus --json | jq '.[] | {revision, words_added, words_removed}'\n  redline log --all --since 2020-09-12 --until 2020-09-13   # every article, in time order"
)]
pub struct LogArgs {
    /// Article name.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub name: Option<ArticleName>,
    /// Every article's revisions in one timeline, in time order (oldest
    /// first), each line naming its article.
    #[arg(long)]
    pub all: bool,
    /// Only revisions observed at or after this time (RFC 3339, or
    /// YYYY-MM-DD for midnight UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<i64>,
    /// Only revisions observed at or before this time (a bare YYYY-MM-DD
    /// includes that whole day, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_until)]
    pub until: Option<i64>,
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
    #[command(flatten)]
    pub store: StoreOpt,
    #[command(flatten)]
    pub pager: PagerOpt,
}

/// Print the article's history, one line (or JSON object) per revision.
pub fn run(args: LogArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let Some(name) = &args.name else { return super::timeline::run(&args, cx) };
    let store = cx.store.open()?;
    if let Some(why) = store.partial_history() {
        cx.ui.status(&format!(
            "warning: {} ({why}); earlier revisions are missing and numbers may not be the article's own",
            crate::store::SHALLOW_MSG
        ));
    }
    let mut revs = store.history(name.as_str())?;
    revs.retain(|r| args.in_range(&r.meta));
    if args.no_flip_flops {
        revs.retain(|r| r.meta.same_as.is_none());
    }
    if args.reverse {
        revs.reverse();
    }
    if args.json {
        let entries: Vec<Entry<'_>> = revs.iter().map(|r| Entry { id: r.id.to_string(), meta: &r.meta }).collect();
        let json = serde_json::to_string_pretty(&entries)?;
        writeln!(cx.ui.stdout(), "{}", json_strict(&json))?;
        return Ok(EXIT_OK);
    }
    let width = revs.iter().map(|r| r.number().to_string().len()).max().unwrap_or(1);
    let out = cx.ui.paged();
    for r in &revs {
        writeln!(out, "{}", line(r, width))?;
    }
    Ok(EXIT_OK)
}

/// One revision in `log --json`: the commit id, then every meta field.
#[derive(Serialize)]
pub(super) struct Entry<'a> {
    pub(super) id: String,
    #[serde(flatten)]
    pub(super) meta: &'a Meta,
}

impl LogArgs {
    /// Whether a revision falls inside `--since` and `--until`.
    pub(super) fn in_range(&self, m: &Meta) -> bool {
        match crate::store::parse_time(&m.observed_at) {
            Ok(t) => self.time_in_range(t),
            Err(_) => self.since.is_none() && self.until.is_none(),
        }
    }

    /// Whether a time (seconds since the epoch) falls inside the range.
    pub(super) fn time_in_range(&self, t: i64) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t <= u)
    }
}

fn parse_since(s: &str) -> Result<i64, String> {
    crate::store::parse_time(s).map_err(|e| format!("{e}; use {}", crate::store::ACCEPTED_DATE_FORMS))
}

/// A bare date means the end of that day: `--until 2020-09-13` keeps what
/// was observed on the 13th.
fn parse_until(s: &str) -> Result<i64, String> {
    let t = parse_since(s)?;
    let date_only = s.len() == 10 && !s.contains('T');
    Ok(if date_only { t + 86_399 } else { t })
}

/// Longest title shown in a log line (the full one is in `--json`).
const TITLE_CHARS: usize = 72;

/// `  3  1a2b3c4  2020-09-14T10:00:00Z    837 words  +42 −17  Title  [title changed]`
pub(super) fn line(r: &Revision, width: usize) -> String {
    let m = &r.meta;
    let delta = format!("+{} \u{2212}{}", m.words_added, m.words_removed);
    let mut s = format!(
        "{:>width$}  {}  {}  {:>6} words  {:<13}  {}",
        m.revision,
        r.short_id(),
        m.observed_at,
        m.words,
        delta,
        visible_line(&shorten(&m.title, TITLE_CHARS))
    );
    let note = m.message.as_ref().map(|_| "note".to_string());
    for mark in m.marks().iter().chain(&note).map(|k| format!("[{k}]")) {
        s.push_str("  ");
        s.push_str(&mark);
    }
    s.trim_end().to_string()
}

pub(super) fn shorten(s: &str, max: usize) -> String {
    let one_line = s.replace(['\n', '\r', '\t'], " ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut t: String = one_line.chars().take(max - 1).collect();
    t.push('\u{2026}');
    t
}
