//! `redline fsck`: verify objects, chains and metadata.

use super::{CommandHelper, CommandResult, Exit, StoreOpt};
use crate::error::{EXIT_FSCK, EXIT_OK};
use crate::render::sanitize::{json_strict, visible};
use crate::store::FsckReport;
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Checks every object (hashes), that each refs/articles/* ref is a linear chain numbered 1..N, that each meta.json parses and matches its text (sha256, byte/word/sentence/paragraph counts), that raw-page and watch refs are commits holding their page or a readable JSON file, that no ref lies outside refs/articles/, and that no stale *.lock file blocks writes.\nExit 0 when clean, 5 when problems remain.\n\n--repair rebuilds only meta.json fields that the text settles (hash, counts, numbering, name, same_as, first observed time). That changes the ids of the repaired revision and every later one, so the old chain is kept under refs/redline-backup/<time>/<name> first: nothing becomes unreachable. Damaged objects, merges, unreadable meta.json, unreadable raw-page or watch refs and stale locks are never changed; fsck says what to do."
)]
pub struct FsckArgs {
    /// Rebuild metadata that does not match its text.
    #[arg(long)]
    pub repair: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub store: StoreOpt,
}

/// Check (and with --repair, fix) the store; exit 5 when problems remain.
pub fn run(args: FsckArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let report = cx.store.open()?.fsck(args.repair)?;
    let out = cx.ui.stdout();
    if args.json {
        let json = serde_json::to_string_pretty(&report)?;
        writeln!(out, "{}", json_strict(&json))?;
    } else {
        write_text(out, &report)?;
    }
    Ok(if report.is_clean() { EXIT_OK } else { EXIT_FSCK })
}

fn write_text(out: &mut dyn Write, r: &FsckReport) -> std::io::Result<()> {
    for f in &r.fixed {
        writeln!(out, "repaired: {}", visible(f))?;
    }
    for rep in &r.repairs {
        writeln!(
            out,
            "repaired {}: rebuilt meta.json of {}; {} commit(s) rewritten, tip {} -> {}; the old chain is kept as {}",
            visible(&rep.article),
            rep.rebuilt
                .iter()
                .map(|(n, fields)| format!("revision {n} ({})", fields.join(", ")))
                .collect::<Vec<_>>()
                .join(", "),
            rep.commits_rewritten,
            &rep.old_tip[..7.min(rep.old_tip.len())],
            &rep.new_tip[..7.min(rep.new_tip.len())],
            visible(&rep.backup_ref),
        )?;
    }
    for p in &r.problems {
        let mut at = Vec::new();
        if let Some(a) = &p.article {
            at.push(format!("article {}", visible(a)));
        }
        if let Some(n) = p.revision {
            at.push(format!("revision {n}"));
        }
        if let Some(c) = &p.commit {
            at.push(format!("commit {}", &c[..12.min(c.len())]));
        }
        let at = if at.is_empty() { String::new() } else { format!(" {}:", at.join(", ")) };
        writeln!(out, "problem [{}]{at} {}", p.kind, visible(&p.message))?;
        writeln!(out, "  fix: {}", visible(&p.fix))?;
    }
    for l in &r.live_locks {
        writeln!(out, "note: {} exists: a writer is probably running (redline never removes it)", visible(l))?;
    }
    for f in &r.leftover_files {
        writeln!(out, "note: {} is a temporary file left by an interrupted write; harmless, and safe to delete when no redline is running", visible(f))?;
    }
    if r.unreachable_objects > 0 {
        writeln!(
            out,
            "note: {} unreachable object(s): leftovers of interrupted or replaced writes, harmless",
            r.unreachable_objects
        )?;
    }
    let verdict = match r.problems.len() {
        0 => "ok".to_string(),
        1 => "1 problem".to_string(),
        n => format!("{n} problems"),
    };
    writeln!(out, "checked {} objects, {} article(s), {} revision(s): {verdict}", r.objects, r.articles, r.revisions)
}
