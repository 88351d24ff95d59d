//! `redline show NAME [REV]`: the exact text or metadata of a revision.

use super::output::ignore_broken_pipe;
use super::{Exit, GlobalArgs};
use crate::error::{Result, EXIT_OK};
use crate::store::Store;
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline show belarus             # the latest text, byte for byte\n  redline show belarus 1 --meta    # revision 1's metadata\n  redline show belarus latest~1 > previous.txt"
)]
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
    crate::store::validate_name(&args.name)?;
    let store = Store::open(&g.store_path()?)?;
    let rev = match &args.rev {
        Some(spec) => store.resolve(&args.name, spec)?,
        None => store.latest(&args.name)?,
    };
    // Exact bytes, no pager and no added newline: `show` output must be
    // byte-identical to what was committed (scripts diff and hash it).
    // On a terminal, though, the text is a stranger's: control characters
    // are shown as visible escapes so it cannot retitle or clear the screen.
    let bytes = if args.meta { store.meta_bytes(&rev)? } else { store.text(&rev)? };
    let bytes = if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        crate::render::sanitize::visible(&String::from_utf8_lossy(&bytes)).into_owned().into_bytes()
    } else {
        bytes
    };
    let mut out = std::io::stdout().lock();
    ignore_broken_pipe(out.write_all(&bytes).and_then(|_| out.flush()))?;
    Ok(EXIT_OK)
}
