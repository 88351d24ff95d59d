//! Command-line front end: clap definitions, one file per command, and the
//! shared context (store location, colour, pager).

use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::error::{self, Error, Result};

mod commit;
mod compare;
mod completions;
mod config;
mod diff;
mod export;
mod fetch;
mod fsck;
mod gc;
mod import;
mod info;
mod input;
mod list;
mod log;
mod notify;
mod output;
mod show;
mod watch;

pub use output::Output;

#[derive(Parser, Debug)]
#[command(
    name = "redline",
    version,
    about = "Keep every version of an article in a git-backed store and show, word by word, what changed.",
    after_help = "Exit codes: 0 ok, 1 texts differ (--exit-code), 2 usage or input error, 3 store locked, 4 store damaged or unusable, 5 fsck found problems, 8 a page could not be fetched, 9 a fetched page looked broken and was not stored, 10 damaged articles skipped (list, gc, info)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Args, Debug, Clone)]
pub struct GlobalArgs {
    /// The store (a bare git repository). Default: $REDLINE_STORE, else
    /// $XDG_DATA_HOME/redline, else ~/.local/share/redline.
    #[arg(long, global = true, value_name = "DIR", env = "REDLINE_STORE")]
    pub store: Option<PathBuf>,
    /// When to colour output. `debug` prints semantic labels instead of
    /// escape codes (for tests and bug reports).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Never send output through a pager.
    #[arg(long, global = true)]
    pub no_pager: bool,
    /// Config file (default: $XDG_CONFIG_HOME/redline/config.toml, else
    /// ~/.config/redline/config.toml). Flags override it.
    #[arg(long, global = true, value_name = "FILE", env = "REDLINE_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
    Debug,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Store a new revision of an article.
    Commit(commit::CommitArgs),
    /// List an article's revisions, oldest first.
    Log(log::LogArgs),
    /// Print the exact text (or metadata) of one revision.
    Show(show::ShowArgs),
    /// List every article in the store.
    List(list::ListArgs),
    /// Word-level diff between two revisions of an article.
    Diff(diff::DiffArgs),
    /// Word-level diff between two files (no store involved).
    Compare(compare::CompareArgs),
    /// Show which store is in use and how big it is.
    Info(info::InfoArgs),
    /// Add many revisions in one process (folder of NAME/NNNN.txt or JSON Lines).
    Import(import::ImportArgs),
    /// Pack the store with delta compression.
    Gc(gc::GcArgs),
    /// Check the store's integrity.
    Fsck(fsck::FsckArgs),
    /// Write a static HTML site for one article's history.
    Export(export::ExportArgs),
    /// Fetch a web page, extract the article and store it if it changed.
    Fetch(fetch::FetchArgs),
    /// Watch pages and feeds, and check them politely (add, list, remove, status, run).
    Watch(watch::WatchArgs),
    /// Print a shell completion script (bash, zsh, fish, ...).
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff) to standard output.
    Man,
}

/// What a command returns on success: usually [`error::EXIT_OK`].
pub type Exit = u8;

pub fn main() -> ExitCode {
    // An empty $REDLINE_STORE means "not set", as for $XDG_DATA_HOME (clap
    // would otherwise refuse it as a missing value). Single-threaded here.
    if std::env::var_os("REDLINE_STORE").is_some_and(|v| v.is_empty()) {
        std::env::remove_var("REDLINE_STORE");
    }
    let mut cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { error::EXIT_USAGE } else { error::EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let configured = config::Config::load(cli.global.config.as_deref()).and_then(|c| c.apply_globals(&mut cli.global));
    if let Err(e) = configured {
        report(&e);
        return ExitCode::from(e.exit_code());
    }
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report(&e);
            ExitCode::from(e.exit_code())
        }
    }
}

fn report(e: &Error) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "redline: error: {}", crate::render::sanitize::visible(&e.to_string()));
    if let Some(h) = e.hint() {
        let _ = writeln!(err, "  hint: {h}");
    }
}

pub fn run(cli: Cli) -> Result<Exit> {
    let g = &cli.global;
    match cli.command {
        Command::Commit(a) => commit::run(a, g),
        Command::Log(a) => log::run(a, g),
        Command::Show(a) => show::run(a, g),
        Command::List(a) => list::run(a, g),
        Command::Diff(a) => diff::run(a, g),
        Command::Compare(a) => compare::run(a, g),
        Command::Info(a) => info::run(a, g),
        Command::Import(a) => import::run(a, g),
        Command::Gc(a) => gc::run(a, g),
        Command::Fsck(a) => fsck::run(a, g),
        Command::Export(a) => export::run(a, g),
        Command::Fetch(a) => fetch::run(a, g),
        Command::Watch(a) => watch::run(a, g),
        Command::Completions(a) => completions::run(a),
        Command::Man => completions::man(),
    }
}

/// Name each damaged article a command skipped, on stderr; the exit code
/// says whether anything was skipped ([`error::EXIT_PARTIAL`]).
pub(crate) fn report_skipped(skipped: &[crate::store::Skipped]) -> Exit {
    for s in skipped {
        eprintln!(
            "redline: warning: skipped article {}: {}",
            crate::render::sanitize::visible(&s.name),
            crate::render::sanitize::visible(&s.why)
        );
    }
    if skipped.is_empty() {
        error::EXIT_OK
    } else {
        eprintln!("  hint: run `redline fsck` to see what is wrong with the skipped article(s) and how to fix it");
        error::EXIT_PARTIAL
    }
}

impl GlobalArgs {
    /// The store directory in effect: --store, $REDLINE_STORE, or the
    /// per-user default.
    pub fn store_path(&self) -> Result<PathBuf> {
        if let Some(p) = &self.store {
            return Ok(p.clone());
        }
        // The XDG spec: a relative $XDG_DATA_HOME is invalid and ignored
        // (it would make the store depend on the current folder).
        if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| PathBuf::from(v).is_absolute()) {
            return Ok(PathBuf::from(x).join("redline"));
        }
        match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(h) => Ok(PathBuf::from(h).join(".local/share/redline")),
            None => Err(Error::Usage {
                msg: "cannot find a store: no --store, $REDLINE_STORE, $XDG_DATA_HOME or $HOME".into(),
                hint: Some("pass --store DIR".into()),
            }),
        }
    }
}
