//! `redline export NAME DIR`: a static HTML site for one article: an
//! index page with the history table and one diff page per consecutive
//! pair of revisions, each linking to the previous, the next and the index.
//!
//! The pages come from [`crate::render::site`] and [`crate::render::html`];
//! this command only reads the store and writes files.

use super::diff::revision_side;
use super::output::write_failed;
use super::{ArticleName, CommandError, CommandHelper, CommandResult, Exit, StoreOpt};
use crate::core::{self, DiffOptions};
use crate::error::EXIT_OK;
use crate::render::html;
use crate::render::site::{self, RevisionRow};
use crate::render::{ColorMode, Format, Layout, RenderOptions};
use crate::store::Revision;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline export belarus site/\n  redline export nbc/belarus-putin /var/www/belarus --context 2"
)]
pub struct ExportArgs {
    /// Article name.
    pub name: ArticleName,
    /// Output folder (created if missing). Existing pages are overwritten.
    pub dir: PathBuf,
    /// Unchanged paragraphs shown around each change (the rest fold away).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub context: usize,
    /// Count typography-only changes (quotes, dashes, spacing) as changes.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub store: StoreOpt,
}

/// Write the index and every diff page; a write failure (full disk,
/// read-only folder) is an output error, not a usage error.
pub fn run(args: ExportArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let store = cx.store.open()?;
    let name = args.name.as_str();
    let revs = store.history(name)?;
    prepare_dir(&args.dir)?;
    let rows: Vec<RevisionRow> = revs.iter().map(row).collect();
    write_file(&args.dir, "index.html", |w| site::write_index(w, name, &rows))?;
    write_file(&args.dir, ATOM_FILE, |w| crate::render::atom::write(w, name, &atom_entries(&revs)))?;
    let opts = RenderOptions {
        format: Format::Html,
        layout: Layout::Inline,
        context: args.context,
        color: ColorMode::Plain,
        strict: args.strict,
        ..RenderOptions::default()
    };
    let mut prev_text = match revs.first() {
        Some(r) => store.text_string(r)?,
        None => String::new(),
    };
    for i in 1..revs.len() {
        let text = store.text_string(&revs[i])?;
        let diff = core::diff(&prev_text, &text, &DiffOptions { strict: args.strict, ..DiffOptions::default() });
        let page = site::page_links(name, &rows, i);
        let (old, new) = (revision_side(name, &revs[i - 1]), revision_side(name, &revs[i]));
        let file = site::diff_page_name(revs[i].number());
        write_file(&args.dir, &file, |w| html::write(w, &diff, &old, &new, &opts, &page))?;
        drop(diff);
        prev_text = text;
    }
    let pages = revs.len().saturating_sub(1);
    cx.ui.status(&format!(
        "wrote {} ({}, {})",
        args.dir.join("index.html").display(),
        count(revs.len(), "revision"),
        count(pages, "diff page")
    ));
    Ok(EXIT_OK)
}

/// `1 revision`, `3 revisions`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The Atom feed of changes written beside the index (from stored
/// metadata only, no re-diffing).
const ATOM_FILE: &str = "changes.atom";

fn atom_entries(revs: &[Revision]) -> Vec<crate::render::atom::AtomEntry<'_>> {
    revs.iter()
        .map(|r| crate::render::atom::AtomEntry {
            meta: &r.meta,
            id: r.id.to_string(),
            link: (r.meta.revision > 1).then(|| site::diff_page_name(r.number())),
        })
        .collect()
}

/// A history-table row, with the numbers and marks `redline log` shows.
fn row(r: &Revision) -> RevisionRow {
    let m = &r.meta;
    let first = m.revision <= 1;
    let marks = m.marks();
    RevisionRow {
        number: r.number(),
        id: r.short_id(),
        date: m.observed_at.clone(),
        words: m.words,
        added: (!first).then_some(m.words_added),
        removed: (!first).then_some(m.words_removed),
        title: m.title.clone(),
        marks,
        note: m.message.clone(),
    }
}

/// The output folder: created when missing; a file there is refused. The
/// folder itself is used as named (even through a symlink the user chose);
/// nothing inside it is ever followed (see [`write_file`]).
fn prepare_dir(dir: &Path) -> CommandResult<()> {
    match std::fs::metadata(dir) {
        Ok(md) if md.is_dir() => Ok(()),
        Ok(_) => Err(CommandError::user(format!("cannot export into {}: it is a file, not a folder", dir.display()))
            .hinted("give export a folder (it is created if missing); nothing was written")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| write_failed(dir, e))
        }
        Err(e) => Err(write_failed(dir, e)),
    }
}

/// Write one page as `dir/file`, confined to `dir`: the bytes go to a new
/// temporary file (created exclusively, so an existing name or symlink is
/// never opened) that is then renamed over `file`. A symlink planted at
/// `file` is replaced, never followed, so nothing outside `dir` is written,
/// and a reader never sees a half-written page. A failure is an output
/// error (its own exit code), not a usage error.
fn write_file(dir: &Path, file: &str, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> CommandResult<()> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{file}.redline-{}-{n}.tmp", std::process::id()));
    let path = dir.join(file);
    let result = (|| {
        let out = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        let mut w = std::io::BufWriter::new(out);
        f(&mut w)?;
        w.flush()?;
        drop(w);
        std::fs::rename(&tmp, &path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| write_failed(&path, e))
}
