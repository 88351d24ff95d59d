//! Command-line front end: clap definitions, one file per command, and the
//! one [`CommandHelper`] every command gets (store opened lazily, output,
//! parsed options), built here in [`main`].
//!
//! Options are declared where they apply: `--store` on the commands that
//! read or write a store, `--color` and `--no-pager` on the ones that print
//! diffs or tables. They are also accepted before the subcommand
//! (`redline --store S log x`), where they mean the same thing; a
//! subcommand's own value wins.
// Commands print through `CommandHelper::ui`, never straight to stdout, so a
// closed pipe and a failed write are handled once, for all of them.
#![warn(clippy::print_stdout, clippy::print_stderr)]

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::error;

mod article;
mod blame;
mod command_error;
mod commit;
mod compare;
mod completions;
mod config;
mod context;
mod copies;
mod diff;
mod export;
mod export_all;
mod export_sentences;
mod fetch;
mod fsck;
mod gc;
mod grep;
mod import;
mod info;
mod input;
mod list;
mod log;
mod notify;
mod output;
mod remote;
mod show;
mod sync;
mod timeline;
mod watch;
mod watch_feed;

pub use article::ArticleName;
pub use command_error::{CommandError, CommandResult, ErrorKind};
pub use context::{CommandHelper, StoreHandle};
pub use output::{Output, Ui};

/// The command line.
#[derive(Parser, Debug)]
#[command(
    name = "redline",
    version,
    about = "Keep every version of an article in a git-backed store and show, word by word, what changed.",
    after_help = "Exit codes: 0 ok (also when the reader closes the pipe), 1 texts differ (--exit-code), 2 usage or input error, 3 store locked, 4 store damaged or unusable, 5 fsck found problems, 6 cannot write the output, 7 internal error (a bug), 8 a page could not be fetched, 9 a fetched page looked broken and was not stored, 10 damaged articles skipped (list, gc, info), 11 a remote could not be reached or refused (pull, push, sync), 12 conflicts left for you (pull, sync)."
)]
pub struct Cli {
    /// `--store` given before the subcommand (for the commands that use one).
    #[command(flatten)]
    pub store: StoreOpt,
    /// `--color` given before the subcommand (for diff and compare).
    #[command(flatten)]
    pub color: ColorOpt,
    /// `--no-pager` given before the subcommand.
    #[command(flatten)]
    pub pager: PagerOpt,
    /// `--config`, anywhere on the line.
    #[command(flatten)]
    pub config: ConfigOpt,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `--store DIR`, on every command that reads or writes a store.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct StoreOpt {
    /// The store (a bare git repository). Default: $REDLINE_STORE, else
    /// $XDG_DATA_HOME/redline, else ~/.local/share/redline.
    #[arg(long, value_name = "DIR", env = "REDLINE_STORE")]
    pub store: Option<PathBuf>,
}

/// `--color WHEN`, on the commands that print coloured diffs.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ColorOpt {
    /// When to colour output (default: auto). `debug` prints semantic labels
    /// instead of escape codes (for tests and bug reports).
    #[arg(long, value_enum, value_name = "WHEN")]
    pub color: Option<ColorChoice>,
}

/// `--no-pager`, on the commands whose output may be paged.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct PagerOpt {
    /// Never send output through a pager.
    #[arg(long)]
    pub no_pager: bool,
}

/// `--config FILE`: read by every command (store, pager, colour, tracker).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ConfigOpt {
    /// Config file (default: $XDG_CONFIG_HOME/redline/config.toml, else
    /// ~/.config/redline/config.toml). Flags override it.
    #[arg(long, global = true, value_name = "FILE", env = "REDLINE_CONFIG")]
    pub config: Option<PathBuf>,
}

/// `--color` values.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour when writing to a terminal (honours NO_COLOR, CLICOLOR_FORCE).
    Auto,
    /// Always write ANSI colours.
    Always,
    /// Never colour: wdiff-style markers carry the diff.
    Never,
    /// Semantic labels such as `<added>…</added>` instead of colours.
    Debug,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Store a new revision of an article.
    Commit(commit::CommitArgs),
    /// List an article's revisions, oldest first (or, with --all, every article's in time order).
    Log(log::LogArgs),
    /// Print the exact text (or metadata) of one revision.
    Show(show::ShowArgs),
    /// List the articles in the store (or in one group).
    List(list::ListArgs),
    /// Word-level diff between two revisions of an article.
    Diff(diff::DiffArgs),
    /// Word-level diff between two files, or a stored revision (NAME@REV) and a file.
    Compare(compare::CompareArgs),
    /// For every sentence of a revision, when it appeared and each rewording or move since.
    Blame(blame::BlameArgs),
    /// Find articles that share text with another: copies, spun copies, shared quotes.
    Copies(copies::CopiesArgs),
    /// Show which store is in use and how big it is.
    Info(info::InfoArgs),
    /// Add many revisions in one process (folder of NAME/NNNN.txt or JSON Lines).
    Import(import::ImportArgs),
    /// Pack the store with delta compression.
    Gc(gc::GcArgs),
    /// Check the store's integrity.
    Fsck(fsck::FsckArgs),
    /// Write a static HTML site for one article's history (or, with --all, the whole store), or a sentence table.
    Export(export::ExportArgs),
    /// Search every revision of every article (or the named ones) with a regular expression.
    Grep(grep::GrepArgs),
    /// Fetch a web page, extract the article and store it if it changed.
    Fetch(fetch::FetchArgs),
    /// Watch pages and feeds, and check them politely (add, list, remove, status, run).
    Watch(watch::WatchArgs),
    /// Add, list or remove the git remotes this store syncs with.
    Remote(remote::RemoteArgs),
    /// Fetch from a remote and merge its articles into this store.
    Pull(sync::PullArgs),
    /// Push this store's articles to a remote (never forced).
    Push(sync::PushArgs),
    /// Pull, merge and push: share the archive with a remote.
    Sync(sync::SyncArgs),
    /// Print a shell completion script (bash, zsh, fish, ...).
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff), or write one page per command with --dir.
    Man(completions::ManArgs),
}

/// What a command returns on success: usually [`error::EXIT_OK`].
pub type Exit = u8;

/// The options a command declares, so top-level ones can fill them in.
struct Declared<'a> {
    store: Option<&'a StoreOpt>,
    color: Option<&'a ColorOpt>,
    pager: Option<&'a PagerOpt>,
}

impl Command {
    /// Commands that can add objects to the store, after which small packs
    /// may be consolidated ([`maintain`]). A plain `fsck` only reads: it
    /// must report the store as it found it.
    fn writes_objects(&self) -> bool {
        matches!(
            self,
            Command::Commit(_)
                | Command::Import(_)
                | Command::Fetch(_)
                | Command::Watch(_)
                | Command::Pull(_)
                | Command::Sync(_)
        ) || matches!(self, Command::Fsck(a) if a.repair)
    }

    /// Which of the shared options this command takes.
    fn declared(&self) -> Declared<'_> {
        let none = Declared { store: None, color: None, pager: None };
        let store = |s| Declared { store: Some(s), ..none };
        match self {
            Command::Commit(a) => store(&a.store),
            Command::Log(a) => Declared { pager: Some(&a.pager), ..store(&a.store) },
            Command::Show(a) => store(&a.store),
            Command::List(a) => Declared { pager: Some(&a.pager), ..store(&a.store) },
            Command::Diff(a) => {
                Declared { color: Some(&a.display.color), pager: Some(&a.display.pager), ..store(&a.store) }
            }
            Command::Copies(a) => Declared { pager: Some(&a.pager), ..store(&a.store) },
            Command::Blame(a) => Declared { color: Some(&a.color), pager: Some(&a.pager), ..store(&a.store) },
            Command::Compare(a) => {
                Declared { store: Some(&a.store), color: Some(&a.display.color), pager: Some(&a.display.pager) }
            }
            Command::Info(a) => store(&a.store),
            Command::Import(a) => store(&a.store),
            Command::Gc(a) => store(&a.store),
            Command::Fsck(a) => store(&a.store),
            Command::Export(a) => store(&a.store),
            Command::Grep(a) => Declared { color: Some(&a.color), pager: Some(&a.pager), ..store(&a.store) },
            Command::Fetch(a) => store(&a.store),
            Command::Watch(a) => store(&a.store),
            Command::Remote(a) => store(&a.store),
            Command::Pull(a) => store(&a.remote.store),
            Command::Push(a) => store(&a.remote.store),
            Command::Sync(a) => store(&a.remote.store),
            Command::Completions(_) | Command::Man(_) => none,
        }
    }
}

impl CommandHelper {
    /// Build the context once: the subcommand's own options, else the ones
    /// given before it.
    /// The config file fills in what the command line left open.
    fn from_cli(cli: &Cli) -> CommandResult<CommandHelper> {
        let config = config::Config::load(cli.config.config.as_deref())?;
        let d = cli.command.declared();
        let store = d.store.and_then(|s| s.store.clone()).or_else(|| d.store.and(cli.store.store.clone()));
        let store = store.or_else(|| config.store_dir());
        let color = d.color.and_then(|c| c.color).or(cli.color.color);
        let color = match color {
            Some(c) => c,
            None => config.color()?.unwrap_or(ColorChoice::Auto),
        };
        let no_pager = d.pager.is_some_and(|p| p.no_pager) || cli.pager.no_pager;
        let ui = Ui::new(color, no_pager, config.pager().map(str::to_string));
        let observer = config.observer().map(str::to_string);
        Ok(CommandHelper { store: StoreHandle::new(store).with_observer(observer), ui, config })
    }
}

/// Parse the command line, run the command, report any error and return
/// its exit code.
pub fn main() -> ExitCode {
    // An empty $REDLINE_STORE means "not set", as for $XDG_DATA_HOME (clap
    // would otherwise refuse it as a missing value). Single-threaded here.
    if std::env::var_os("REDLINE_STORE").is_some_and(|v| v.is_empty()) {
        std::env::remove_var("REDLINE_STORE");
    }
    let cli = match parse() {
        Ok(c) => c,
        Err(e) => return clap_error(e),
    };
    let mut cx = match CommandHelper::from_cli(&cli) {
        Ok(cx) => cx,
        Err(e) => {
            e.report();
            return ExitCode::from(e.kind.exit_code());
        }
    };
    let writes = cli.command.writes_objects();
    let result = run(cli.command, &mut cx);
    if writes && result.is_ok() {
        if let Some(store) = cx.store.opened() {
            maintain(store, &cx.ui);
        }
    }
    // Flush (and page) what was written even when the command failed late.
    let finished = cx.ui.finish();
    match result.and_then(|code| finished.map(|()| code)) {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.kind == ErrorKind::BrokenPipe => ExitCode::from(error::EXIT_OK),
        Err(mut e) => {
            cx.explain(&mut e);
            e.report();
            ExitCode::from(e.kind.exit_code())
        }
    }
}

fn parse() -> Result<Cli, clap::Error> {
    let matches = Cli::command().try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

/// Help and version go to stdout (exit 0); errors to stderr (exit 2), with
/// control characters in echoed values made visible.
fn clap_error(e: clap::Error) -> ExitCode {
    if !e.use_stderr() {
        let _ = e.print();
        return ExitCode::from(error::EXIT_OK);
    }
    let text = e.render().to_string();
    let text = match plain_usage() {
        Some(usage) => {
            text.lines()
                .map(|l| if l.starts_with("Usage: ") { usage.as_str() } else { l })
                .collect::<Vec<_>>()
                .join("\n")
                + "\n"
        }
        None => text,
    };
    let _ = write!(std::io::stderr().lock(), "{}", crate::render::sanitize::visible_text(&text));
    ExitCode::from(ErrorKind::User.exit_code())
}

/// The usage line of the (sub)command on the command line, as its `--help`
/// shows it. clap's error usage adds the arguments it saw (and, after a
/// typo, the suggested option) as if they were required, and counts values
/// from the environment (`$REDLINE_STORE`) as given.
fn plain_usage() -> Option<String> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut names = Vec::new();
    let mut cur = &cmd;
    for arg in std::env::args().skip(1) {
        if let Some(sub) = cur.find_subcommand(&arg) {
            names.push(sub.get_name().to_string());
            cur = sub;
        }
    }
    let mut target = cmd.clone();
    for n in &names {
        target = target.find_subcommand(n)?.clone();
    }
    let usage = target.render_usage().to_string();
    usage.lines().next().map(str::to_string)
}

/// Name each damaged article a command skipped, on stderr; the exit code
/// says whether anything was skipped ([`error::EXIT_PARTIAL`]).
pub(crate) fn report_skipped(ui: &Ui, skipped: &[crate::store::Skipped]) -> Exit {
    for s in skipped {
        ui.status(&format!("warning: skipped article {}: {}", s.name, s.why));
    }
    if skipped.is_empty() {
        error::EXIT_OK
    } else {
        let _ = writeln!(
            std::io::stderr(),
            "  hint: run `redline fsck` to see what is wrong with the skipped article(s) and how to fix it"
        );
        error::EXIT_PARTIAL
    }
}

/// After a command that wrote: merge small packs when there are too many
/// (`store/maintenance.rs`). A failure is a note, never the command's
/// failure: what the command stored is already safe on disk.
pub(crate) fn maintain(store: &crate::store::Store, ui: &Ui) {
    match store.maintain() {
        Ok(Some(r)) if r.large_packs_merged > 0 => ui.note(&format!(
            "merged {} large packs into one of {}, so reads search one index",
            r.large_packs_merged,
            crate::store::human_bytes(r.large_pack_bytes)
        )),
        Ok(_) => {}
        Err(e) => ui.note(&format!("could not consolidate the store's packs ({e}); `redline gc` does it by hand")),
    }
}

/// Run one command with the context.
pub fn run(command: Command, cx: &mut CommandHelper) -> CommandResult<Exit> {
    match command {
        Command::Commit(a) => commit::run(a, cx),
        Command::Log(a) => log::run(a, cx),
        Command::Show(a) => show::run(a, cx),
        Command::List(a) => list::run(a, cx),
        Command::Diff(a) => diff::run(a, cx),
        Command::Compare(a) => compare::run(a, cx),
        Command::Blame(a) => blame::run(a, cx),
        Command::Copies(a) => copies::run(a, cx),
        Command::Info(a) => info::run(a, cx),
        Command::Import(a) => import::run(a, cx),
        Command::Gc(a) => gc::run(a, cx),
        Command::Fsck(a) => fsck::run(a, cx),
        Command::Export(a) => export::run(a, cx),
        Command::Grep(a) => grep::run(a, cx),
        Command::Fetch(a) => fetch::run(a, cx),
        Command::Watch(a) => watch::run(a, cx),
        Command::Remote(a) => remote::run(a, cx),
        Command::Pull(a) => sync::pull(a, cx),
        Command::Push(a) => sync::push(a, cx),
        Command::Sync(a) => sync::sync(a, cx),
        Command::Completions(a) => completions::run(a, cx),
        Command::Man(a) => completions::man(a, cx),
    }
}
