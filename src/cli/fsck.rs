//! `redline fsck`: verify objects, chains and metadata.

use super::{Exit, GlobalArgs};
use crate::error::Result;

#[derive(clap::Args, Debug)]
pub struct FsckArgs {
    /// Rebuild metadata that does not match its text.
    #[arg(long)]
    pub repair: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: FsckArgs, g: &GlobalArgs) -> Result<Exit> {
    let _ = (args, g);
    Err(crate::error::Error::usage("fsck: not implemented yet"))
}
