//! `redline import SOURCE`: bulk-add revisions in one process.

use super::{Exit, GlobalArgs};
use crate::error::Result;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// A folder laid out as NAME/NNNN.txt (oldest first), or a JSON Lines
    /// file of {"name","text","observed_at","title","url"}; `-` reads JSON
    /// Lines from standard input.
    pub source: PathBuf,
    /// Refuse any single text larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = super::input::DEFAULT_MAX_BYTES)]
    pub max_bytes: u64,
    /// Do not show a progress bar.
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(args: ImportArgs, g: &GlobalArgs) -> Result<Exit> {
    let _ = (args, g);
    Err(crate::error::Error::usage("import: not implemented yet"))
}
