//! `redline watch add|list|remove|status|run`: the watch list and the
//! tracker loop. The list and each URL's state live in the store
//! (`refs/redline/watch`, `refs/redline/watch-state`).

use super::config::TrackerConfig;
use super::fetch::NetArgs;
use super::{CommandError, CommandHelper, CommandResult, Exit, Output, StoreOpt};
use crate::error::{Error, Result, EXIT_OK};
use crate::fetch::canon;
use crate::fetch::clock::{Clock, SystemClock};
use crate::fetch::rules::Rules;
use crate::fetch::runner::{Report, RunOptions, Runner, Totals};
use crate::fetch::schedule::Policy;
use crate::render::sanitize::{json_strict, visible};
use crate::store::{self, Store, WatchEntry, WatchKind};
use clap::Subcommand;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(clap::Args, Debug)]
pub struct WatchArgs {
    #[command(subcommand)]
    pub cmd: WatchCmd,
    #[command(flatten)]
    pub store: StoreOpt,
}

#[derive(Subcommand, Debug)]
pub enum WatchCmd {
    /// Watch pages (URL…) or feeds (--feed URL…); a feed's entries become watched pages.
    Add(AddArgs),
    /// Print the watch list.
    List(ListArgs),
    /// Stop watching URLs (or article names); stored revisions are kept.
    Remove(RemoveArgs),
    /// Per URL: last check, last change, next due, last error.
    Status(ListArgs),
    /// Check what is due (--once: one pass, then exit; else loop until SIGINT/SIGTERM).
    Run(RunArgs),
    /// An Atom feed of the changes to every watched page, newest first.
    Feed(FeedArgs),
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline watch add https://news.example/story/42\n  redline watch add --feed https://news.example/rss.xml"
)]
pub struct AddArgs {
    /// Pages to watch.
    pub urls: Vec<String>,
    /// Feeds to watch (RSS, Atom or JSON Feed).
    #[arg(long = "feed", value_name = "URL", num_args = 1..)]
    pub feeds: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct RemoveArgs {
    /// URLs or article names.
    #[arg(required = true)]
    pub targets: Vec<String>,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "Prints one line per fetch (a progress bar on a terminal). Failures are recorded and shown \
by `watch status`; a URL failing 10 times in a row is paused. Exit code 0 when the pass completed.")]
pub struct RunArgs {
    /// One pass over what is due, then exit (for cron and CI).
    #[arg(long)]
    pub once: bool,
    /// Check every watched URL now, due or not (paused and retired ones too).
    #[arg(long)]
    pub all: bool,
    /// Minimum seconds between two requests to one host (default 1, or
    /// `min_gap` in the config; robots.txt Crawl-delay and rules.toml
    /// `min_gap` can widen it).
    #[arg(long, value_name = "SECS")]
    pub gap: Option<f64>,
    /// Hosts fetched in parallel (default 4).
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// Shortest re-check interval, in seconds (default 900; it grows with
    /// the time since the last change).
    #[arg(long, value_name = "SECS")]
    pub min_interval: Option<i64>,
    /// After each new revision, run CMD (with `sh -c`) with the change as
    /// `redline.exec/1` JSON on standard input.
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    #[command(flatten)]
    pub net: NetArgs,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "One entry per stored revision of a watched page (its first revision too), newest first, \
from stored metadata only (nothing is re-diffed). Entry ids are `urn:redline:<commit id>`: stable, so a \
feed reader shows each change once.\n\n\
Examples:\n  redline watch feed > changes.atom\n  redline watch feed --limit 500 --out /var/www/changes.atom")]
pub struct FeedArgs {
    /// At most this many entries (the newest).
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub limit: usize,
    /// Write the feed to FILE (replaced whole) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

/// Run one `watch` subcommand.
pub fn run(args: WatchArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    match args.cmd {
        WatchCmd::Add(a) => add(a, cx),
        WatchCmd::List(a) => list(a, cx),
        WatchCmd::Remove(a) => remove(a, cx),
        WatchCmd::Status(a) => status(a, cx),
        WatchCmd::Run(a) => run_watch(a, cx),
        WatchCmd::Feed(a) => super::watch_feed::run(a, cx),
    }
}

fn add(a: AddArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    if a.urls.is_empty() && a.feeds.is_empty() {
        return Err(CommandError::user("watch add needs at least one URL or --feed URL").hinted(
            "redline watch add https://news.example/story, or redline watch add --feed https://news.example/rss",
        ));
    }
    let mut new = Vec::new();
    for (raw, kind) in a.urls.iter().map(|u| (u, WatchKind::Page)).chain(a.feeds.iter().map(|u| (u, WatchKind::Feed))) {
        let u = canon::canonical(raw, None)
            .map_err(|m| Error::Usage { msg: format!("cannot watch {raw:?}: {m}"), hint: None })?;
        let name = store::name_from_url(u.as_str())?;
        new.push(WatchEntry { url: u.to_string(), name, kind, feed: None, added_at: store::format_time(store::now()) });
    }
    let store = cx.store.open_or_create()?;
    let mut lines = Vec::new();
    store.update_watch_list(|list| {
        lines.clear();
        let mut added = 0;
        for e in &new {
            let what = if e.kind == WatchKind::Feed { "feed" } else { "page" };
            if list.entries.iter().any(|x| x.url == e.url) {
                lines.push(format!("already watched: {}", e.url));
            } else if let Some(x) = list.entries.iter().find(|x| x.name == e.name && x.kind == e.kind) {
                lines
                    .push(format!("not added: {} would be stored as {}, which already holds {}", e.url, e.name, x.url));
            } else {
                list.entries.push(e.clone());
                lines.push(format!("watching {what} {} as {}", e.url, e.name));
                added += 1;
            }
        }
        (added > 0).then(|| format!("watch: add {added}\n"))
    })?;
    let out = cx.ui.stdout();
    for l in lines {
        writeln!(out, "{}", visible(&l))?;
    }
    Ok(EXIT_OK)
}

fn list(a: ListArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let Some(store) = cx.store.open_if_exists()? else {
        if a.json {
            writeln!(cx.ui.stdout(), "[]")?;
        }
        return Ok(EXIT_OK);
    };
    let list = store.watch_list()?;
    let out = cx.ui.stdout();
    if a.json {
        writeln!(out, "{}", json_strict(&serde_json::to_string_pretty(&list.entries)?))?;
        return Ok(EXIT_OK);
    }
    for e in &list.entries {
        let kind = if e.kind == WatchKind::Feed { "feed" } else { "page" };
        writeln!(out, "{}", visible(&format!("{kind}  {}  {}", e.url, e.name)))?;
    }
    Ok(EXIT_OK)
}

fn remove(a: RemoveArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let store = cx.store.open()?;
    let mut missing = Vec::new();
    store.update_watch_list(|list| {
        missing.clear();
        let before = list.entries.len();
        for t in &a.targets {
            let canon_t = canon::canonical(t, None).map(|u| u.to_string()).unwrap_or_default();
            let n = list.entries.len();
            list.entries.retain(|e| e.url != *t && e.url != canon_t && e.name != *t);
            if list.entries.len() == n {
                missing.push(t.clone());
            }
        }
        let removed = before - list.entries.len();
        (removed > 0).then(|| format!("watch: remove {removed}\n"))
    })?;
    if !missing.is_empty() {
        return Err(CommandError::user(format!("not watched: {}", missing.join(", ")))
            .hinted("run `redline watch list` to see what is watched"));
    }
    writeln!(cx.ui.stdout(), "removed {}", a.targets.len())?;
    Ok(EXIT_OK)
}

fn status(a: ListArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let Some(store) = cx.store.open_if_exists()? else { return Ok(EXIT_OK) };
    let list = store.watch_list()?;
    let state = store.watch_state()?;
    let out = cx.ui.stdout();
    if a.json {
        let rows: Vec<serde_json::Value> = list
            .entries
            .iter()
            .map(|e| serde_json::json!({"url": e.url, "name": e.name, "kind": e.kind, "state": state.urls.get(&e.url)}))
            .collect();
        writeln!(out, "{}", json_strict(&serde_json::to_string_pretty(&rows)?))?;
        return Ok(EXIT_OK);
    }
    writeln!(out, "{:<22}  {:<22}  {:<22}  {:<8}  URL", "LAST CHECK", "LAST CHANGE", "NEXT DUE", "STATE")?;
    for e in &list.entries {
        let st = state.urls.get(&e.url).cloned().unwrap_or_default();
        let flag = if st.paused {
            "paused"
        } else if st.retired {
            "retired"
        } else if st.last_error.is_some() {
            "error"
        } else if st.last_check.is_none() {
            "new"
        } else {
            "ok"
        };
        let dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
        let mut line = format!(
            "{:<22}  {:<22}  {:<22}  {:<8}  {}",
            dash(&st.last_check),
            dash(&st.last_change),
            dash(&st.next_due),
            flag,
            e.url
        );
        if let Some(err) = &st.last_error {
            line.push_str(&format!("\n    last error ({} in a row): {err}", st.failures));
        }
        writeln!(out, "{}", visible(&line))?;
    }
    Ok(EXIT_OK)
}

/// The re-check policy: the flag, then the config file, then defaults.
/// `fetch` of a watched URL schedules it the same way.
pub(crate) fn policy(cfg: &TrackerConfig, min_interval: Option<i64>) -> Policy {
    let d = Policy::default();
    Policy {
        min_interval: min_interval.or(cfg.min_interval).unwrap_or(d.min_interval).max(0),
        max_interval: cfg.max_interval.unwrap_or(d.max_interval),
        retire_after: cfg.retire_after.unwrap_or(d.retire_after),
        max_failures: cfg.max_failures.unwrap_or(d.max_failures).max(1),
        ..d
    }
}

/// Set by SIGINT/SIGTERM: no new request starts; the one in flight finishes.
static STOP: AtomicBool = AtomicBool::new(false);

fn run_watch(a: RunArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let cfg = cx.config.tracker.clone();
    let gap = a.gap.or(cfg.min_gap).unwrap_or(1.0);
    if !(gap >= 0.0 && gap.is_finite()) {
        return Err(CommandError::user(format!("--gap must be zero or more seconds, not {gap}")));
    }
    let store_path = cx.store.path()?;
    let store = Store::open_or_create(&store_path)?;
    let rules = Rules::load(store.path()).map_err(|m| Error::Usage { msg: m, hint: None })?;
    drop(store);
    let policy = policy(&cfg, a.min_interval);
    let opts = RunOptions {
        all: a.all,
        gap_ms: (gap * 1000.0) as i64,
        workers: a.workers.or(cfg.workers).unwrap_or(4).clamp(1, 64),
        policy,
        observer: super::fetch::observer(&cfg),
        seed: u64::from(std::process::id()),
    };
    let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst));
    let clock = SystemClock;
    let runner = Runner { store_path, client: a.net.client(&cfg)?, rules, clock: &clock, opts, stop: &STOP };
    loop {
        let totals = one_pass(&runner, a.exec.as_deref(), cx.ui.stdout())?;
        // Each pass writes a pack of its own: a loop that runs for weeks
        // must consolidate as it goes, not only when it exits.
        if let Ok(store) = crate::store::Store::open(&runner.store_path) {
            super::maintain(&store, &cx.ui);
        }
        let _ = writeln!(
            std::io::stderr(),
            "checked {}, stored {}, failed {}, deferred {}",
            totals.checked,
            totals.stored,
            totals.failed,
            totals.deferred
        );
        if a.once || STOP.load(Ordering::SeqCst) {
            return Ok(EXIT_OK);
        }
        sleep_until_due(&runner, &clock)?;
        if STOP.load(Ordering::SeqCst) {
            return Ok(EXIT_OK);
        }
    }
}

/// One pass, with a progress bar on a terminal, else one line per fetch
/// (flushed at once: the loop runs for hours). A failed write (a closed
/// pipe) ends the run after the pass.
fn one_pass(runner: &Runner<'_>, exec: Option<&str>, out: &mut Output) -> CommandResult<Totals> {
    let mut write_error = None;
    let hook_store = match exec {
        Some(_) => Some(Store::open_or_create(&runner.store_path)?),
        None => None,
    };
    let tty = std::io::stderr().is_terminal();
    let bar: std::cell::RefCell<Option<indicatif::ProgressBar>> = std::cell::RefCell::new(None);
    let mut on_total = |n: usize| {
        if tty && n > 1 {
            let b = indicatif::ProgressBar::new(n as u64);
            if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
                b.set_style(style);
            }
            *bar.borrow_mut() = Some(b);
        }
    };
    let totals = runner.pass(&mut on_total, &mut |r: &Report| {
        let line = visible(&r.line()).into_owned();
        match &*bar.borrow() {
            Some(b) if r.kind == WatchKind::Page => {
                if r.stored() || r.failed() {
                    b.println(&line);
                }
                b.inc(1);
            }
            _ => {
                if write_error.is_none() {
                    write_error = writeln!(out, "{line}").and_then(|()| out.flush()).err();
                }
            }
        }
        if let (true, Some(cmd), Some(store)) = (r.stored(), exec, &hook_store) {
            super::notify::after_revision(cmd, store, &r.name);
        }
    })?;
    if let Some(b) = bar.into_inner() {
        b.finish_and_clear();
    }
    match write_error {
        Some(e) => Err(e.into()),
        None => Ok(totals),
    }
}

/// Sleep until the earliest next due time (at most a minute at a time, in
/// short steps so a signal is noticed at once).
fn sleep_until_due(runner: &Runner<'_>, clock: &dyn Clock) -> Result<()> {
    let store = Store::open(&runner.store_path)?;
    let state = store.watch_state()?;
    let list = store.watch_list()?;
    let now = clock.now_secs();
    let next = list
        .entries
        .iter()
        .filter_map(|e| match state.urls.get(&e.url) {
            None => Some(now),
            Some(s) if s.paused || s.retired => None,
            Some(s) => s.next_due.as_deref().and_then(|d| store::parse_time(d).ok()),
        })
        .min()
        .unwrap_or(now + 60)
        .min(now + 60);
    let until = next * 1000;
    while clock.now_ms() < until && !STOP.load(Ordering::SeqCst) {
        clock.sleep_until((clock.now_ms() + 200).min(until));
    }
    Ok(())
}
