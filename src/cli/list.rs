//! `redline list`: every article with its revision count and time span.

use super::{Exit, GlobalArgs};
use crate::error::Result;

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ListArgs, g: &GlobalArgs) -> Result<Exit> {
    let _ = (args, g);
    Err(crate::error::Error::usage("list: not implemented yet"))
}
