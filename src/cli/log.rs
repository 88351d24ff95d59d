//! `redline log NAME`: one line per revision, oldest first.

use super::{Exit, GlobalArgs};
use crate::error::Result;

#[derive(clap::Args, Debug)]
pub struct LogArgs {
    /// Article name.
    pub name: String,
    /// Print JSON (one array of revisions) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Newest first.
    #[arg(long)]
    pub reverse: bool,
}

pub fn run(args: LogArgs, g: &GlobalArgs) -> Result<Exit> {
    let _ = (args, g);
    Err(crate::error::Error::usage("log: not implemented yet"))
}
