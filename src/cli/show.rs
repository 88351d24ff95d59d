//! `redline show NAME [REV]`: the exact text or metadata of a revision.

use super::article::Target;
use super::{CommandError, CommandHelper, CommandResult, Exit, StoreOpt};
use crate::error::EXIT_OK;
use crate::render::sanitize::{json_strict, visible};
use std::io::{IsTerminal, Write};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline show belarus             # the latest text, byte for byte\n  redline show belarus 1 --meta    # revision 1's metadata\n  redline show belarus latest~1 > previous.txt\n  redline show belarus@2           # NAME@REV works wherever a revision is taken"
)]
pub struct ShowArgs {
    /// Article name, or NAME@REV.
    pub name: Target,
    /// Revision: N, latest, latest~K or a commit-id prefix (default latest).
    pub rev: Option<String>,
    /// Print the revision's metadata (JSON) instead of its text.
    #[arg(long)]
    pub meta: bool,
    #[command(flatten)]
    pub store: StoreOpt,
}

/// Print one revision's exact text, or its metadata.
pub fn run(args: ShowArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let (name, rev) = args.name.with_rev(args.rev).map_err(CommandError::user)?;
    let store = cx.store.open()?;
    let name = name.as_str();
    let rev = match &rev {
        Some(spec) => store.resolve(name, spec)?,
        None => store.latest(name)?,
    };
    // Exact bytes, no pager and no added newline: `show` output must be
    // byte-identical to what was committed (scripts diff and hash it).
    // On a terminal, though, the text is a stranger's: control characters
    // are shown as visible escapes so it cannot retitle or clear the screen.
    // Metadata is JSON: DEL and C1 controls in a title are written as
    // \u escapes (the same string to a JSON reader), so piping it is safe too.
    let bytes = if args.meta {
        let meta = store.meta_bytes(&rev)?;
        json_strict(&String::from_utf8_lossy(&meta)).into_owned().into_bytes()
    } else {
        store.text(&rev)?
    };
    let bytes = if std::io::stdout().is_terminal() {
        visible(&String::from_utf8_lossy(&bytes)).into_owned().into_bytes()
    } else {
        bytes
    };
    cx.ui.stdout().write_all(&bytes)?;
    Ok(EXIT_OK)
}
