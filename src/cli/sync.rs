//! `redline pull`, `redline push` and `redline sync`: share a store through
//! a git remote. The store does the work (`store/sync/`); this file parses
//! and prints. One file for the three because they print the same reports.

use super::{CommandHelper, CommandResult, Exit, StoreOpt};
use crate::error::{EXIT_CONFLICT, EXIT_OK, EXIT_REMOTE};
use crate::render::sanitize::visible_line;
use crate::store::{PullReport, PushReport, RemoteInfo};
use std::io::{IsTerminal, Write};

/// The remote argument shared by the three commands.
#[derive(clap::Args, Debug)]
pub struct RemoteArg {
    /// The remote (default: the only one, or origin).
    pub remote: Option<String>,
    #[command(flatten)]
    pub store: StoreOpt,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Fetches the remote's articles, raw pages and watch list, takes new articles, fast-forwards those that are behind, and merges diverged histories without losing an observation (see README, \"Sharing an archive\").\n\nExamples:\n  redline pull\n  redline pull team"
)]
pub struct PullArgs {
    #[command(flatten)]
    pub remote: RemoteArg,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Never forced: refs the remote has newer revisions of are left there (run `redline sync`).\n\nExamples:\n  redline push\n  redline push backup"
)]
pub struct PushArgs {
    #[command(flatten)]
    pub remote: RemoteArg,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Pull, merge and push; when the remote moved meanwhile, pull and push again (up to 5 times).\n\nExamples:\n  redline sync\n  redline sync team"
)]
pub struct SyncArgs {
    #[command(flatten)]
    pub remote: RemoteArg,
}

/// Git's progress goes to a terminal only.
fn progress() -> bool {
    std::io::stderr().is_terminal()
}

pub fn pull(args: PullArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let store = cx.store.open()?;
    let remote = store.remote(args.remote.remote.as_deref())?;
    let report = store.pull(&remote, progress())?;
    print_pull(cx, &remote.name, &report)?;
    Ok(if report.conflicts.is_empty() { EXIT_OK } else { EXIT_CONFLICT })
}

pub fn push(args: PushArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let store = cx.store.open()?;
    let remote = store.remote(args.remote.remote.as_deref())?;
    let report = store.push_to(&remote, &[], progress())?;
    print_push(cx, &remote, &report)
}

pub fn sync(args: SyncArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let store = cx.store.open()?;
    let remote = store.remote(args.remote.remote.as_deref())?;
    let report = store.sync(&remote, progress())?;
    print_pull(cx, &remote.name, &report.pull)?;
    let code = print_push(cx, &remote, &report.push)?;
    if !report.push.behind.is_empty() {
        cx.ui.status(&format!(
            "warning: the remote kept moving; gave up after {} attempts (nothing was lost; run `redline sync` again)",
            report.attempts
        ));
        return Ok(EXIT_REMOTE);
    }
    Ok(if code != EXIT_OK {
        code
    } else if report.pull.conflicts.is_empty() {
        EXIT_OK
    } else {
        EXIT_CONFLICT
    })
}

fn print_pull(cx: &mut CommandHelper, remote: &str, r: &PullReport) -> CommandResult<()> {
    let out = cx.ui.stdout();
    for m in &r.merged {
        writeln!(out, "merged {}: {} revisions, now {}", visible_line(&m.article), m.revisions, &m.new_tip[..7])?;
    }
    writeln!(
        out,
        "pulled from {remote}: {} new, {} fast-forwarded, {} merged, {} up to date, {} ahead here{}",
        r.new.len(),
        r.fast_forwarded.len(),
        r.merged.len(),
        r.up_to_date,
        r.local_ahead,
        if r.conflicts.is_empty() { String::new() } else { format!(", {} conflicts", r.conflicts.len()) }
    )?;
    for c in &r.conflicts {
        cx.ui.status(&format!("conflict: {}: {}", visible_line(&c.what), visible_line(&c.msg)));
    }
    Ok(())
}

fn print_push(cx: &mut CommandHelper, remote: &RemoteInfo, r: &PushReport) -> CommandResult<Exit> {
    writeln!(
        cx.ui.stdout(),
        "pushed to {}: {} updated, {} up to date{}",
        remote.name,
        r.updated.len(),
        r.up_to_date,
        if r.behind.is_empty() { String::new() } else { format!(", {} behind the remote", r.behind.len()) }
    )?;
    for b in &r.behind {
        cx.ui.status(&format!("behind: {b}: the remote has revisions this store lacks; run `redline sync`"));
    }
    for (refname, why) in &r.refused {
        cx.ui.status(&format!("refused: {refname}: {}", visible_line(why)));
    }
    if !r.refused.is_empty() {
        if !r.raced.is_empty() {
            cx.ui.status("  hint: \"failed to update ref\": another push was updating it (run `redline sync` again), or the remote has a ref named like a folder of it (e.g. a branch `redline` blocks refs/heads/redline/…)");
        }
        // The hint helps only a remote that is not --heads already.
        if !remote.heads && r.raced.len() < r.refused.len() {
            cx.ui.status("  hint: a host that refuses refs outside refs/heads works with `redline remote remove NAME && redline remote add NAME URL --heads`");
        }
        return Ok(EXIT_REMOTE);
    }
    Ok(if r.behind.is_empty() { EXIT_OK } else { EXIT_REMOTE })
}
