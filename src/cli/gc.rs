//! `redline gc`: pack the store with delta compression.

use super::{CommandHelper, CommandResult, Exit, StoreOpt};
use crate::store::human_bytes;
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(after_help = "Between gc runs, every write merges packs on its own: more than 8 packs under 16 MiB \
(repacked) or more than 4 larger ones (concatenated), or about 1,024 loose objects. Store settings:\n  \
redline.autoPack false            turn that off\n  \
redline.bigPackThreshold BYTES    where \"large\" starts (default 16 MiB)\n\n\
Examples:\n  redline gc\n  redline --store /srv/archive gc\n  \
git config --file /srv/archive/config redline.bigPackThreshold 67108864")]
pub struct GcArgs {
    #[command(flatten)]
    pub store: StoreOpt,
}

/// Repack the store and report the sizes before and after.
pub fn run(_args: GcArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let store = cx.store.open()?;
    let started = std::time::Instant::now();
    let r = store.gc()?;
    let out = cx.ui.stdout();
    writeln!(
        out,
        "packed {} objects: {} -> {} ({} loose objects and {} old pack(s) removed) in {:.2}s",
        r.objects,
        human_bytes(r.size_before),
        human_bytes(r.size_after),
        r.loose_removed,
        r.packs_removed,
        started.elapsed().as_secs_f64()
    )?;
    writeln!(out, "size before: {} bytes, after: {} bytes", r.size_before, r.size_after)?;
    Ok(super::report_skipped(&cx.ui, &r.skipped))
}
