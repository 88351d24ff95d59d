//! `redline diff NAME [OLD [NEW]]`, and the display options and driver
//! shared with `compare`.

use super::output::{color_mode, ignore_broken_pipe, Output};
use super::{Exit, GlobalArgs};
use crate::core::{self, DiffOptions};
use crate::error::{Result, EXIT_DIFFERENT, EXIT_OK};
use crate::render::{self, Format, Layout, RenderOptions, Side};
use crate::store::{Revision, Store};

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
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline diff belarus            # the previous revision against the latest\n  redline diff belarus 1          # revision 1 against the latest\n  redline diff belarus 1 latest~1 --format json"
)]
pub struct DiffArgs {
    /// Article name.
    pub name: String,
    /// Old revision (default: the one before the latest).
    pub old: Option<String>,
    /// New revision (default: the latest).
    pub new: Option<String>,
    #[command(flatten)]
    pub display: DiffDisplayArgs,
}

pub fn run(args: DiffArgs, g: &GlobalArgs) -> Result<Exit> {
    crate::store::validate_name(&args.name)?;
    let store = Store::open(&g.store_path()?)?;
    // Defaults per the spec: no revision → (latest~1, latest); one → (it, latest).
    let old_spec = args.old.as_deref().unwrap_or("latest~1");
    let new_spec = args.new.as_deref().unwrap_or("latest");
    let old = store.resolve(&args.name, old_spec)?;
    let new = store.resolve(&args.name, new_spec)?;
    let old_text = store.text_string(&old)?;
    let new_text = store.text_string(&new)?;
    let old_side = side_of(&args.name, &old);
    let new_side = side_of(&args.name, &new);
    show_diff(&old_text, &new_text, old_side, new_side, &args.display, g)
}

/// Header data for one stored revision, e.g. `belarus@2`.
fn side_of(name: &str, rev: &Revision) -> Side {
    Side {
        label: format!("{name}@{}", rev.number()),
        revision: Some(rev.number()),
        id: Some(rev.id.to_string()),
        observed_at: Some(rev.meta.observed_at.clone()),
        title: Some(rev.meta.title.clone()),
        ..Side::default()
    }
}

/// Diff two texts and write the result as the user asked.
pub fn show_diff(
    old: &str,
    new: &str,
    mut old_side: Side,
    mut new_side: Side,
    d: &DiffDisplayArgs,
    g: &GlobalArgs,
) -> Result<Exit> {
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
        color: if d.format == Format::Terminal { color_mode(g) } else { render::ColorMode::Plain },
        strict: d.strict,
    };
    let mut out = if d.format == Format::Terminal { Output::paged(g) } else { Output::stdout() };
    ignore_broken_pipe(
        render::render(&mut out, &diff, &old_side, &new_side, &ro).and_then(|_| std::io::Write::flush(&mut out)),
    )?;
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
