//! `redline gc`: pack the store with delta compression.

use super::{Exit, GlobalArgs};
use crate::error::Result;
use crate::store::{human_bytes, Store};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  redline gc\n  redline --store /srv/archive gc")]
pub struct GcArgs {}

pub fn run(args: GcArgs, g: &GlobalArgs) -> Result<Exit> {
    let _ = args;
    let store = Store::open(&g.store_path()?)?;
    let started = std::time::Instant::now();
    let r = store.gc()?;
    println!(
        "packed {} objects: {} -> {} ({} loose objects and {} old pack(s) removed) in {:.2}s",
        r.objects,
        human_bytes(r.size_before),
        human_bytes(r.size_after),
        r.loose_removed,
        r.packs_removed,
        started.elapsed().as_secs_f64()
    );
    println!("size before: {} bytes, after: {} bytes", r.size_before, r.size_after);
    Ok(super::report_skipped(&r.skipped))
}
