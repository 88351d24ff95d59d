//! `redline diff NAME [OLD [NEW]]` and `redline diff NAME@REV [OTHER@REV]`
//! (two revisions of one article, or of two articles: a copy against its
//! source), and the display options and driver shared with `compare`.

use super::article::{RevisionRef, Target};
use super::{ArticleName, ColorOpt, CommandError, CommandHelper, CommandResult, Exit, PagerOpt, StoreOpt};
use crate::core::{self, DiffOptions};
use crate::error::{EXIT_DIFFERENT, EXIT_OK};
use crate::render::{self, Format, Layout, RenderOptions, Side};
use crate::store::Revision;

/// `--format`: the renderer's formats, spelled for the command line here
/// so the renderer knows nothing of clap.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatArg {
    /// Coloured (or marked-up) text for people.
    Terminal,
    /// The `redline.diff/1` contract.
    Json,
    /// CriticMarkup for Markdown editors.
    Critic,
    /// One self-contained HTML page.
    Html,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Terminal => Format::Terminal,
            FormatArg::Json => Format::Json,
            FormatArg::Critic => Format::Critic,
            FormatArg::Html => Format::Html,
        }
    }
}

/// How a diff is computed and shown (shared by `diff` and `compare`).
#[derive(clap::Args, Debug, Clone)]
pub struct DiffDisplayArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Terminal)]
    pub format: FormatArg,
    /// Two columns, old on the left.
    #[arg(long, conflicts_with = "stat")]
    pub side_by_side: bool,
    /// Only the summary.
    #[arg(long)]
    pub stat: bool,
    /// Unchanged paragraphs to keep around each change.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub context: usize,
    /// Width for --side-by-side, 20 to 1000 (default: the terminal's, else 100).
    #[arg(long, value_name = "COLS", value_parser = clap::value_parser!(u16).range(MIN_WIDTH as i64..=MAX_WIDTH as i64))]
    pub width: Option<u16>,
    /// Count typography-only changes (quotes, dashes, spacing) as changes.
    #[arg(long)]
    pub strict: bool,
    /// Exit with 1 when the texts differ (as `git diff --exit-code`).
    #[arg(long)]
    pub exit_code: bool,
    #[command(flatten)]
    pub color: ColorOpt,
    #[command(flatten)]
    pub pager: PagerOpt,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline diff belarus            # the previous revision against the latest\n  redline diff belarus 1          # revision 1 against the latest\n  redline diff belarus 1 latest~1 --format json\n  redline diff nbc/story@1 site/story@latest   # one article against another (a copy)\n  redline diff belarus@1          # revision 1 against the latest, same as `diff belarus 1`"
)]
pub struct DiffArgs {
    /// Article name, or one revision as NAME@REV.
    pub name: Target,
    /// Old revision (default: the one before the latest). After NAME@REV:
    /// the other side, as REV (same article) or OTHER@REV.
    pub old: Option<String>,
    /// New revision (default: the latest).
    pub new: Option<String>,
    #[command(flatten)]
    pub display: DiffDisplayArgs,
    #[command(flatten)]
    pub store: StoreOpt,
}

/// Diff two stored revisions, of one article or of two.
pub fn run(args: DiffArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let (old_ref, new_ref) = sides(args.name, args.old, args.new)?;
    let store = cx.store.open()?;
    let old = store.resolve(old_ref.name.as_str(), &old_ref.rev)?;
    let new = store.resolve(new_ref.name.as_str(), &new_ref.rev)?;
    let old_text = store.text_string(&old)?;
    let new_text = store.text_string(&new)?;
    let old_side = revision_side(old_ref.name.as_str(), &old);
    let new_side = revision_side(new_ref.name.as_str(), &new);
    show_diff(&old_text, &new_text, old_side, new_side, &args.display, cx)
}

/// Which two revisions the arguments name. Defaults: no revision →
/// (latest~1, latest); one → (it, latest); `NAME@REV` alone → (it, NAME's
/// latest).
fn sides(target: Target, old: Option<String>, new: Option<String>) -> CommandResult<(RevisionRef, RevisionRef)> {
    let at = |name: &ArticleName, rev: &str| RevisionRef { name: name.clone(), rev: rev.to_string() };
    match target {
        Target::Article(name) => {
            if let Some(arg) = [&old, &new].into_iter().flatten().find(|a| a.contains('@')) {
                return Err(CommandError::user(format!(
                    "{arg:?}: after an article name, give revisions only (e.g. `diff {name} 1 3`)"
                ))
                .hinted(format!("to compare two articles, name both sides: `diff {name}@latest {arg}`")));
            }
            let old = at(&name, old.as_deref().unwrap_or("latest~1"));
            let new = at(&name, new.as_deref().unwrap_or("latest"));
            Ok((old, new))
        }
        Target::Revision(first) => {
            if new.is_some() {
                return Err(CommandError::user(format!(
                    "after {first}, give one other side (REV or NAME@REV), not two"
                )));
            }
            let other = match old {
                None => at(&first.name, "latest"),
                Some(arg) => match RevisionRef::parse(&arg) {
                    Some(r) => r.map_err(CommandError::user)?,
                    None => at(&first.name, &arg),
                },
            };
            Ok((first, other))
        }
    }
}

/// Header data for one stored revision, e.g. `belarus@2`, as every diff of
/// stored revisions shows it (`diff` and the `export` pages). The id is the
/// full commit id; each format shortens it for display.
pub fn revision_side(name: &str, rev: &Revision) -> Side {
    Side {
        label: format!("{name}@{}", rev.number()),
        bytes: rev.meta.bytes,
        words: rev.meta.words,
        revision: Some(rev.number()),
        id: Some(rev.id.to_string()),
        observed_at: Some(rev.meta.observed_at.clone()),
        title: Some(rev.meta.title.clone()),
    }
}

/// Diff two texts and write the result as the user asked.
pub fn show_diff(
    old: &str,
    new: &str,
    mut old_side: Side,
    mut new_side: Side,
    d: &DiffDisplayArgs,
    cx: &mut CommandHelper,
) -> CommandResult<Exit> {
    let opts = DiffOptions { strict: d.strict, ..DiffOptions::default() };
    let (diff, old_words, new_words) = core::diff_counted(old, new, &opts);
    old_side.bytes = old.len();
    new_side.bytes = new.len();
    old_side.words = old_words;
    new_side.words = new_words;
    let format = Format::from(d.format);
    let ro = RenderOptions {
        format,
        layout: if d.stat {
            Layout::Stat
        } else if d.side_by_side {
            Layout::SideBySide
        } else {
            Layout::Inline
        },
        context: d.context,
        width: d.width.map(usize::from).unwrap_or_else(terminal_width),
        color: if format == Format::Terminal { cx.ui.color_mode() } else { render::ColorMode::Plain },
        strict: d.strict,
    };
    let out = if format == Format::Terminal { cx.ui.paged() } else { cx.ui.stdout() };
    render::render(out, &diff, &old_side, &new_side, &ro)?;
    let differs = !diff.is_identical();
    Ok(if d.exit_code && differs { EXIT_DIFFERENT } else { EXIT_OK })
}

/// Narrowest and widest `--width`: below 20 columns nothing fits; past
/// 1000 a stray huge number would only allocate memory.
const MIN_WIDTH: u16 = 20;
const MAX_WIDTH: u16 = 1000;

fn terminal_width() -> usize {
    let cols = std::env::var("COLUMNS").ok().and_then(|c| c.parse::<usize>().ok());
    cols.map(|c| c.clamp(usize::from(MIN_WIDTH), usize::from(MAX_WIDTH))).unwrap_or(100)
}
