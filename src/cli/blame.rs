//! `redline blame NAME [REV]`: for every sentence of a revision, the
//! revision that introduced it and each later one that reworded or moved it.

use super::article::Target;
use super::{ColorOpt, CommandError, CommandHelper, CommandResult, Exit, PagerOpt, StoreOpt};
use crate::core::blame::{Blame, Line};
use crate::core::DiffOptions;
use crate::error::EXIT_OK;
use crate::render::blame::{self as out, RevisionInfo};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline blame belarus\n  redline blame belarus 2 --porcelain | cut -f2,5\n  redline blame belarus --json | jq '.sentences[] | select(.events | length > 1)'"
)]
pub struct BlameArgs {
    /// Article name, or NAME@REV.
    pub name: Target,
    /// The revision to explain (default: the latest).
    pub rev: Option<String>,
    /// Print JSON (`redline.blame/1`).
    #[arg(long, conflicts_with = "porcelain")]
    pub json: bool,
    /// One tab-separated line per sentence: paragraph, introduced, last
    /// changed, events (REV:KIND,…), text.
    #[arg(long)]
    pub porcelain: bool,
    /// Count typography-only changes (quotes, dashes, spacing) as rewordings.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub color: ColorOpt,
    #[command(flatten)]
    pub pager: PagerOpt,
    #[command(flatten)]
    pub store: StoreOpt,
}

/// Walk the chain from revision 1 to REV, following every sentence.
pub fn run(args: BlameArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let (name, rev) = args.name.with_rev(args.rev).map_err(CommandError::user)?;
    let store = cx.store.open()?;
    let name = name.as_str();
    let target = store.resolve(name, rev.as_deref().unwrap_or("latest"))?;
    let chain: Vec<_> = store.history(name)?.into_iter().take_while(|r| r.number() <= target.number()).collect();
    if chain.last().map(|r| r.id) != Some(target.id) {
        return Err(CommandError::internal(format!("revision {} is not on {name}'s chain", target.number())));
    }
    let opts = DiffOptions { strict: args.strict, ..DiffOptions::default() };
    let mut blame: Option<Blame> = None;
    for rev in &chain {
        let text = store.text_string(rev)?;
        match blame.as_mut() {
            None => blame = Some(Blame::new(&text, opts.clone())),
            Some(b) => b.step(&text),
        }
    }
    let Some(blame) = blame else { return Ok(EXIT_OK) };
    let lines: Vec<Line> = blame.lines().collect();
    if args.json {
        let revs: Vec<RevisionInfo> = chain
            .iter()
            .map(|r| RevisionInfo {
                revision: r.number() as usize,
                id: r.id.to_string(),
                observed_at: r.meta.observed_at.clone(),
            })
            .collect();
        out::json(cx.ui.stdout(), name, &revs, &lines)?;
    } else if args.porcelain {
        out::porcelain(cx.ui.stdout(), &lines)?;
    } else {
        let mode = cx.ui.color_mode();
        out::text(cx.ui.paged(), &lines, mode)?;
    }
    Ok(EXIT_OK)
}
