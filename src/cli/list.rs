//! `redline list [GROUP]`: every article (or one group's) with its revision
//! count and time span.

use super::{ArticleName, CommandHelper, CommandResult, Exit, PagerOpt, StoreOpt};
use crate::render::sanitize::{json_strict, visible_line};
use crate::store::ArticleSummary;
use crate::store::StoreError;
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline list\n  redline list council          # council/budget, council/city, ...\n  redline list --json | jq -r '.[].name'"
)]
pub struct ListArgs {
    /// Only this group: the articles named GROUP/… (and GROUP itself).
    #[arg(value_name = "GROUP", value_parser = parse_group)]
    pub group: Option<ArticleName>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub store: StoreOpt,
    #[command(flatten)]
    pub pager: PagerOpt,
}

/// A group is a name, written with or without its trailing `/`.
pub(super) fn parse_group(s: &str) -> Result<ArticleName, String> {
    s.strip_suffix('/').unwrap_or(s).parse()
}

/// List the articles; an unknown group is an error with suggestions.
pub fn run(args: ListArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let (mut articles, skipped) = match cx.store.open_if_exists()? {
        Some(store) => store.list_under(args.group.as_ref().map(|g| g.as_str()))?,
        None => {
            let path = cx.store.path()?;
            cx.ui.note(&format!("no store at {} yet (the first commit creates it)", path.display()));
            (vec![], vec![])
        }
    };
    let code = super::report_skipped(&cx.ui, &skipped);
    if let Some(g) = &args.group {
        let (group, under) = (g.as_str(), format!("{g}/"));
        articles.retain(|a| a.name == group || a.name.starts_with(&under));
        if articles.is_empty() && cx.store.open_if_exists()?.is_some() {
            return Err(StoreError::UnknownArticle { name: group.to_string() }.into());
        }
    }
    if args.json {
        let json = serde_json::to_string_pretty(&articles)?;
        writeln!(cx.ui.stdout(), "{}", json_strict(&json))?;
        return Ok(code);
    }
    write_table(cx.ui.paged(), &articles)?;
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
            visible_line(&a.name),
            a.revisions,
            visible_line(&a.first_observed_at),
            visible_line(&a.last_observed_at)
        )?;
    }
    Ok(())
}
