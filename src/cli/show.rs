//! `redline show NAME [REV]`: the exact text or metadata of a revision.

use super::{Exit, GlobalArgs};
use crate::error::Result;

#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    /// Article name.
    pub name: String,
    /// Revision: N, latest, latest~K or a commit-id prefix (default latest).
    pub rev: Option<String>,
    /// Print the revision's metadata (JSON) instead of its text.
    #[arg(long)]
    pub meta: bool,
}

pub fn run(args: ShowArgs, g: &GlobalArgs) -> Result<Exit> {
    let _ = (args, g);
    Err(crate::error::Error::usage("show: not implemented yet"))
}
