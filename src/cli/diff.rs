//! `redline diff NAME [OLD [NEW]]`, and the display options and driver
//! shared with `compare`.

use super::{ArticleName, ColorOpt, CommandHelper, CommandResult, Exit, PagerOpt, StoreOpt};
use crate::core::{self, DiffOptions};
use crate::error::{EXIT_DIFFERENT, EXIT_OK};
use crate::render::{self, Format, Layout, RenderOptions, Side};
use crate::store::Revision;

/// How a diff is computed and shown (shared by `diff` and `compare`).
#[derive(clap::Args, Debug, Clone)]
pub struct DiffDisplayArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Terminal)]
    pub format: Format,
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
    after_help = "Examples:\n  redline diff belarus            # the previous revision against the latest\n  redline diff belarus 1          # revision 1 against the latest\n  redline diff belarus 1 latest~1 --format json"
)]
pub struct DiffArgs {
    /// Article name.
    pub name: ArticleName,
    /// Old revision (default: the one before the latest).
    pub old: Option<String>,
    /// New revision (default: the latest).
    pub new: Option<String>,
    #[command(flatten)]
    pub display: DiffDisplayArgs,
    #[command(flatten)]
    pub store: StoreOpt,
}

/// Diff two stored revisions of one article.
pub fn run(args: DiffArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let store = cx.store.open()?;
    let name = args.name.as_str();
    // Defaults per the spec: no revision → (latest~1, latest); one → (it, latest).
    let old_spec = args.old.as_deref().unwrap_or("latest~1");
    let new_spec = args.new.as_deref().unwrap_or("latest");
    let old = store.resolve(name, old_spec)?;
    let new = store.resolve(name, new_spec)?;
    let old_text = store.text_string(&old)?;
    let new_text = store.text_string(&new)?;
    show_diff(&old_text, &new_text, revision_side(name, &old), revision_side(name, &new), &args.display, cx)
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
    let ro = RenderOptions {
        format: d.format,
        layout: if d.stat {
            Layout::Stat
        } else if d.side_by_side {
            Layout::SideBySide
        } else {
            Layout::Inline
        },
        context: d.context,
        width: d.width.map(usize::from).unwrap_or_else(terminal_width),
        color: if d.format == Format::Terminal { cx.ui.color_mode() } else { render::ColorMode::Plain },
        strict: d.strict,
    };
    let out = if d.format == Format::Terminal { cx.ui.paged() } else { cx.ui.stdout() };
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
