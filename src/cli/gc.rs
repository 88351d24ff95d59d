//! `redline gc`: pack the store with delta compression.

use super::{Exit, GlobalArgs};
use crate::error::Result;

#[derive(clap::Args, Debug)]
pub struct GcArgs {}

pub fn run(args: GcArgs, g: &GlobalArgs) -> Result<Exit> {
    let _ = (args, g);
    Err(crate::error::Error::usage("gc: not implemented yet"))
}
