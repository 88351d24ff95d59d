//! `redline list`: every article with its revision count and time span.

use super::output::{ignore_broken_pipe, Output};
use super::{Exit, GlobalArgs};
use crate::error::{Error, Result};
use crate::render::sanitize::visible;
use crate::store::{ArticleSummary, Store};
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:\n  redline list\n  redline list --json | jq -r '.[].name'")]
pub struct ListArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ListArgs, g: &GlobalArgs) -> Result<Exit> {
    let path = g.store_path()?;
    let (articles, skipped) = match Store::open_existing(&path)? {
        Some(store) => store.list()?,
        None => {
            eprintln!("redline: note: no store at {} yet (the first commit creates it)", path.display());
            (vec![], vec![])
        }
    };
    let code = super::report_skipped(&skipped);
    if args.json {
        let json =
            serde_json::to_string_pretty(&articles).map_err(|e| Error::usage(format!("cannot encode JSON: {e}")))?;
        let mut out = Output::stdout();
        return ignore_broken_pipe(
            writeln!(out, "{}", crate::render::sanitize::json_safe(&json)).and_then(|_| out.flush()),
        )
        .map(|_| code);
    }
    let mut out = Output::paged(g);
    ignore_broken_pipe(write_table(&mut out, &articles).and_then(|_| out.flush()))?;
    Ok(code)
}

/// `NAME  REVISIONS  FIRST OBSERVED  LAST OBSERVED`, aligned.
fn write_table(out: &mut dyn Write, articles: &[ArticleSummary]) -> std::io::Result<()> {
    if articles.is_empty() {
        return Ok(());
    }
    let w = articles.iter().map(|a| a.name.len()).max().unwrap_or(4).max(4);
    writeln!(out, "{:<w$}  {:>9}  {:<20}  LAST OBSERVED", "NAME", "REVISIONS", "FIRST OBSERVED")?;
    for a in articles {
        writeln!(
            out,
            "{:<w$}  {:>9}  {:<20}  {}",
            visible(&a.name),
            a.revisions,
            a.first_observed_at,
            a.last_observed_at
        )?;
    }
    Ok(())
}
