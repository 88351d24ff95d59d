//! `redline commit NAME [FILE|-]`: store a new revision.

use super::input::read_text;
use super::{ArticleName, CommandError, CommandHelper, CommandResult, Exit, StoreOpt};
use crate::error::EXIT_OK;
use crate::render::sanitize::visible_line;
use crate::store::{self, CommitOutcome, CommitRequest};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline commit nbc/belarus-putin article.txt --url https://nbc.com/x --date 2020-09-14T10:00:00Z\n  redline commit --url https://nbc.com/x article.txt     # name derived: nbc.com/x\n  curl -s URL | redline commit --url URL -\n\nWith --url and one positional, it is the FILE if it is - or an existing file (the name comes\nfrom the URL), else the NAME (the text comes from standard input).\nText identical to the latest revision is not stored (\"unchanged\"); text identical to an older\nrevision is stored and marked \"same as rev N\"."
)]
pub struct CommitArgs {
    /// Article name (letters, digits, - _ . and / for grouping). May be
    /// omitted when --url is given: the name is then derived from the URL.
    pub name: Option<String>,
    /// File with the article text; `-` or nothing reads standard input.
    pub file: Option<PathBuf>,
    /// Title (default: the first non-empty line).
    #[arg(long)]
    pub title: Option<String>,
    /// Source URL.
    #[arg(long)]
    pub url: Option<String>,
    /// When this version was observed: RFC 3339, YYYY-MM-DD (midnight UTC) or
    /// YYYY-MM-DDTHH:MM[:SS] (UTC). Default: now.
    #[arg(long)]
    pub date: Option<String>,
    /// A note stored with the revision.
    #[arg(short = 'm', long = "message")]
    pub message: Option<String>,
    /// Refuse input larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = super::input::DEFAULT_MAX_BYTES)]
    pub max_bytes: u64,
    #[command(flatten)]
    pub write: WriteOpts,
    #[command(flatten)]
    pub store: StoreOpt,
}

/// The refusals `commit` and `import` share, and the flags that lift them
/// (declared once so the two commands cannot drift apart).
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct WriteOpts {
    /// Store a version observed before the article's latest revision
    /// (normally refused: the history would go back in time).
    #[arg(long)]
    pub allow_out_of_order: bool,
    /// Store a text that is empty or only whitespace (normally refused: a
    /// failed fetch would look like the article was deleted).
    #[arg(long)]
    pub allow_empty: bool,
    /// Accept a bare git repository that holds other refs as the store, and
    /// mark it as one (normally refused: "not a redline store").
    #[arg(long)]
    pub init_into_existing: bool,
}

/// Store the text as the article's next revision and say what changed.
pub fn run(args: CommitArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let target = Target::from_args(&args)?;
    let name = ArticleName::new(&target.name)?;
    let observed_at = match &args.date {
        Some(d) => store::parse_date(d)?,
        None => store::now(),
    };
    let text = read_text(&target.file, args.max_bytes)?;
    let store = cx.store.open_for_write(args.write.init_into_existing)?;
    let req = CommitRequest {
        name: name.as_str().to_string(),
        text,
        title: args.title,
        url: args.url,
        observed_at,
        message: args.message,
        name_from_url: target.derived,
        allow_out_of_order: args.write.allow_out_of_order,
        allow_empty: args.write.allow_empty,
        observed_now: args.date.is_none(),
    };
    let line = match store.commit(&req)? {
        CommitOutcome::Stored(rev) => {
            format!("{}: revision {} ({}) {}", req.name, rev.number(), rev.short_id(), rev.meta.summary)
        }
        CommitOutcome::Unchanged { revision, .. } => format!("{}: unchanged (same as revision {revision})", req.name),
    };
    writeln!(cx.ui.stdout(), "{}", visible_line(&line))?;
    Ok(EXIT_OK)
}

/// Which article, and where its text comes from.
#[derive(Debug, PartialEq)]
struct Target {
    name: String,
    file: PathBuf,
    /// The name was derived from --url.
    derived: bool,
}

impl Target {
    /// Sort out the positionals. With `--url` and a single positional, clap
    /// fills NAME, but the user may have meant FILE: it is taken as FILE when
    /// it is `-` or an existing file (the name then comes from the URL), and
    /// as NAME otherwise (the text then comes from standard input). Spelling
    /// both out (`commit NAME FILE --url U`) is never ambiguous.
    fn from_args(a: &CommitArgs) -> CommandResult<Target> {
        let (name, file, implicit_stdin, derived) = match (&a.name, &a.file, &a.url) {
            (Some(n), Some(f), _) => (n.clone(), f.clone(), false, false),
            (Some(x), None, Some(url)) if x == "-" || Path::new(x).is_file() => {
                (store::name_from_url(url)?, PathBuf::from(x), false, true)
            }
            (Some(n), None, _) => (n.clone(), PathBuf::from("-"), true, false),
            (None, _, Some(url)) => (store::name_from_url(url)?, PathBuf::from("-"), true, true),
            (None, _, None) => {
                return Err(CommandError::user("commit needs an article NAME (or --url to derive one)")
                    .hinted("redline commit NAME FILE, or redline commit --url URL FILE"))
            }
        };
        if implicit_stdin && std::io::stdin().is_terminal() {
            return Err(CommandError::user(format!("no FILE given for {name:?} and standard input is a terminal"))
                .hinted("pass the file, or pipe the text in (use - to type it)"));
        }
        Ok(Target { name, file, derived })
    }
}
