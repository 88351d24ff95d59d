//! `redline export NAME DIR`: a static HTML site for one article.

use super::{Exit, GlobalArgs};
use crate::error::Result;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// Article name.
    pub name: String,
    /// Output folder (created if missing).
    pub dir: PathBuf,
}

pub fn run(args: ExportArgs, g: &GlobalArgs) -> Result<Exit> {
    let _ = (args, g);
    Err(crate::error::Error::usage("export: not implemented yet"))
}
