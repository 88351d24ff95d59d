//! `redline compare OLD_FILE NEW_FILE`: diff two files, no store involved.

use super::diff::{show_diff, DiffDisplayArgs};
use super::input::{display_name, read_text, DEFAULT_MAX_BYTES};
use super::{CommandError, CommandHelper, CommandResult, Exit};
use crate::render::Side;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline compare old.txt new.txt\n  redline compare --format json old.txt new.txt | jq .stats\n  curl -s URL | redline compare saved.txt -"
)]
pub struct CompareArgs {
    /// The old version (`-` for standard input).
    pub old_file: PathBuf,
    /// The new version (`-` for standard input).
    pub new_file: PathBuf,
    #[command(flatten)]
    pub display: DiffDisplayArgs,
    /// Refuse input larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BYTES)]
    pub max_bytes: u64,
}

/// Read both files and show their diff.
pub fn run(args: CompareArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    if args.old_file.as_os_str() == "-" && args.new_file.as_os_str() == "-" {
        return Err(CommandError::user("only one of OLD_FILE and NEW_FILE can be - (standard input)"));
    }
    let old = read_text(&args.old_file, args.max_bytes)?;
    let new = read_text(&args.new_file, args.max_bytes)?;
    let old_side = Side { label: display_name(&args.old_file), ..Side::default() };
    let new_side = Side { label: display_name(&args.new_file), ..Side::default() };
    show_diff(&old, &new, old_side, new_side, &args.display, cx)
}
