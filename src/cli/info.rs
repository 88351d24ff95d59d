//! `redline info`: which store is in use, and its size.

use super::{Exit, GlobalArgs};
use crate::error::{Error, Result, EXIT_OK};
use crate::store::{StoreInfo, STORE_VERSION};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  redline info\n  REDLINE_STORE=/srv/archive redline info --json")]
pub struct InfoArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: InfoArgs, g: &GlobalArgs) -> Result<Exit> {
    let info = StoreInfo::gather(&g.store_path()?)?;
    if args.json {
        let json = serde_json::to_string_pretty(&info).map_err(|e| Error::usage(format!("cannot encode JSON: {e}")))?;
        println!("{json}");
        return Ok(super::report_skipped(&info.damaged));
    }
    println!("store:     {}", info.path);
    if !info.exists {
        println!("exists:    no (the first commit creates it)");
        return Ok(EXIT_OK);
    }
    println!("exists:    yes (redline store version {STORE_VERSION})");
    println!("size:      {} ({} bytes)", info.size, info.size_bytes);
    println!("articles:  {}", info.articles);
    println!("objects:   {} loose, {} packed in {} pack(s)", info.loose_objects, info.packed_objects, info.packs);
    if info.loose_objects > 1000 {
        println!("hint:      run `redline gc` to pack loose objects");
    }
    Ok(super::report_skipped(&info.damaged))
}
