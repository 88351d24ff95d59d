//! `redline info`: which store is in use, and its size.

use super::{CommandHelper, CommandResult, Exit, StoreOpt};
use crate::error::EXIT_OK;
use crate::render::sanitize::{json_strict, visible_line};
use crate::store::{StoreInfo, STORE_VERSION};
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  redline info\n  REDLINE_STORE=/srv/archive redline info --json")]
pub struct InfoArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub store: StoreOpt,
}

/// Say which store is in use and how big it is (it need not exist yet).
pub fn run(args: InfoArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let info = StoreInfo::gather(&cx.store.path()?)?;
    let out = cx.ui.stdout();
    if args.json {
        let json = serde_json::to_string_pretty(&info)?;
        writeln!(out, "{}", json_strict(&json))?;
        return Ok(super::report_skipped(&cx.ui, &info.damaged));
    }
    writeln!(out, "store:     {}", visible_line(&info.path))?;
    if !info.exists {
        writeln!(out, "exists:    no (the first commit creates it)")?;
        return Ok(EXIT_OK);
    }
    writeln!(out, "exists:    yes (redline store version {STORE_VERSION})")?;
    writeln!(out, "size:      {} ({} bytes)", info.size, info.size_bytes)?;
    writeln!(out, "articles:  {}", info.articles)?;
    writeln!(out, "objects:   {} loose, {} packed in {} pack(s)", info.loose_objects, info.packed_objects, info.packs)?;
    if info.loose_objects > 1000 {
        writeln!(out, "hint:      run `redline gc` to pack loose objects")?;
    }
    Ok(super::report_skipped(&cx.ui, &info.damaged))
}
