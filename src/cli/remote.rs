//! `redline remote add/list/remove`: the git remotes a store syncs with.

use super::{CommandHelper, CommandResult, Exit, StoreOpt};
use crate::error::EXIT_OK;
use crate::render::sanitize::{json_strict, visible_line};
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline remote add origin git@example.org:desk/archive.git\n  redline remote add origin /srv/archive.git\n  redline remote add github https://github.com/desk/archive.git --heads\n  redline remote list"
)]
pub struct RemoteArgs {
    #[command(subcommand)]
    pub command: RemoteCommand,
    #[command(flatten)]
    pub store: StoreOpt,
}

#[derive(clap::Subcommand, Debug)]
pub enum RemoteCommand {
    /// Add a remote (any git URL or path; an empty bare repository will do).
    Add {
        /// A short name (origin, team, backup).
        name: String,
        /// Where: a path, ssh://…, https://…, host:path.
        url: String,
        /// Keep the refs under refs/heads/redline/ on the remote, for hosts
        /// that refuse refs outside refs/heads and refs/tags.
        #[arg(long)]
        heads: bool,
    },
    /// List the remotes.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a remote and its remote-tracking refs (local articles stay).
    Remove {
        /// The remote's name.
        name: String,
    },
}

/// Add, list or remove remotes.
pub fn run(args: RemoteArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    match args.command {
        RemoteCommand::Add { name, url, heads } => {
            let store = cx.store.open_or_create()?;
            let r = store.remote_add(&name, &url, heads)?;
            let mapping = if r.heads { " (refs under refs/heads/redline/)" } else { "" };
            writeln!(cx.ui.stdout(), "added remote {} at {}{mapping}", r.name, visible_line(&r.url))?;
        }
        RemoteCommand::List { json } => {
            let store = cx.store.open()?;
            let remotes = store.remotes()?;
            if json {
                let text = serde_json::to_string_pretty(&remotes)?;
                writeln!(cx.ui.stdout(), "{}", json_strict(&text))?;
            } else {
                let out = cx.ui.stdout();
                for r in &remotes {
                    let mapping = if r.heads { "  (--heads)" } else { "" };
                    writeln!(out, "{}\t{}{mapping}", r.name, visible_line(&r.url))?;
                }
            }
        }
        RemoteCommand::Remove { name } => {
            let store = cx.store.open()?;
            store.remote_remove(&name)?;
            writeln!(cx.ui.stdout(), "removed remote {name}")?;
        }
    }
    Ok(EXIT_OK)
}
