//! `redline compare OLD_FILE NEW_FILE`: diff two files. Either side may
//! instead be a stored revision, `NAME@REV` (a file of that name wins).

use super::article::RevisionRef;
use super::diff::{revision_side, show_diff, DiffDisplayArgs};
use super::input::{display_name, read_text, DEFAULT_MAX_BYTES};
use super::{CommandError, CommandHelper, CommandResult, Exit, StoreOpt};
use crate::render::Side;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline compare old.txt new.txt\n  redline compare --format json old.txt new.txt | jq .stats\n  curl -s URL | redline compare saved.txt -\n  redline compare nbc/story@1 draft.txt      # a stored revision against a file"
)]
pub struct CompareArgs {
    /// The old version (`-` for standard input, NAME@REV for a stored revision).
    pub old_file: PathBuf,
    /// The new version (`-` for standard input, NAME@REV for a stored revision).
    pub new_file: PathBuf,
    #[command(flatten)]
    pub display: DiffDisplayArgs,
    /// Refuse input larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_BYTES)]
    pub max_bytes: u64,
    /// The store, for NAME@REV arguments.
    #[command(flatten)]
    pub store: StoreOpt,
}

/// Read both files and show their diff.
pub fn run(args: CompareArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    if args.old_file.as_os_str() == "-" && args.new_file.as_os_str() == "-" {
        return Err(CommandError::user("only one of OLD_FILE and NEW_FILE can be - (standard input)"));
    }
    let (old, old_side) = read_side(&args.old_file, args.max_bytes, cx)?;
    let (new, new_side) = read_side(&args.new_file, args.max_bytes, cx)?;
    show_diff(&old, &new, old_side, new_side, &args.display, cx)
}

/// A file's text, or a stored revision's when `path` is no file but reads
/// as `NAME@REV`. A path spelled as one (`./x@1`, `../x@1`, `/x@1`) is
/// always a file, and so is any existing file; a folder named like a
/// revision does not hide the revision.
fn read_side(path: &Path, max_bytes: u64, cx: &mut CommandHelper) -> CommandResult<(String, Side)> {
    let spelled_as_path =
        path.to_str().is_some_and(|s| s.starts_with("./") || s.starts_with("../") || s.starts_with('/'));
    let maybe_revision = path.as_os_str() != "-" && !spelled_as_path && (!path.exists() || path.is_dir());
    let revision = maybe_revision.then(|| path.to_str().and_then(RevisionRef::parse)).flatten();
    match revision {
        Some(r) => {
            let r = r.map_err(CommandError::user)?;
            let store = cx.store.open()?;
            let rev = store.resolve(r.name.as_str(), &r.rev)?;
            Ok((store.text_string(&rev)?, revision_side(r.name.as_str(), &rev)))
        }
        None => Ok((read_text(path, max_bytes)?, Side { label: display_name(path), ..Side::default() })),
    }
}
