//! `redline commit NAME [FILE|-]`: store a new revision.

use super::{Exit, GlobalArgs};
use crate::error::Result;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline commit nbc/belarus-putin article.txt --url https://nbc.com/x --date 2020-09-14T10:00:00Z\n  curl -s URL | redline commit --url URL -"
)]
pub struct CommitArgs {
    /// Article name (letters, digits, - _ . and / for grouping). May be
    /// omitted when --url is given: the name is then derived from the URL.
    pub name: Option<String>,
    /// File with the article text; `-` or nothing reads standard input.
    pub file: Option<PathBuf>,
    /// Title (default: the first non-empty line).
    #[arg(long)]
    pub title: Option<String>,
    /// Source URL.
    #[arg(long)]
    pub url: Option<String>,
    /// When this version was observed (RFC 3339 or YYYY-MM-DD; default now).
    #[arg(long)]
    pub date: Option<String>,
    /// A note stored with the revision.
    #[arg(short = 'm', long = "message")]
    pub message: Option<String>,
    /// Refuse input larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = super::input::DEFAULT_MAX_BYTES)]
    pub max_bytes: u64,
}

pub fn run(args: CommitArgs, g: &GlobalArgs) -> Result<Exit> {
    let _ = (args, g);
    Err(crate::error::Error::usage("commit: not implemented yet"))
}
