//! `redline export NAME DIR`: a static HTML site for one article: an
//! index page with the history table and one diff page per consecutive
//! pair of revisions, each linking to the previous, the next and the index.
//!
//! The pages come from [`crate::render::site`] and [`crate::render::html`];
//! this command only reads the store and writes files.

use super::diff::revision_side;
use super::output::write_failed;
use super::{ArticleName, CommandHelper, CommandResult, Exit, StoreOpt};
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
    std::fs::create_dir_all(&args.dir).map_err(|e| write_failed(&args.dir, e))?;
    let rows: Vec<RevisionRow> = revs.iter().map(row).collect();
    write_file(&args.dir.join("index.html"), |w| site::write_index(w, name, &rows))?;
    write_file(&args.dir.join(ATOM_FILE), |w| crate::render::atom::write(w, name, &atom_entries(&revs)))?;
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
        let path = args.dir.join(site::diff_page_name(revs[i].number()));
        write_file(&path, |w| html::write(w, &diff, &old, &new, &opts, &page))?;
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
        number: m.revision,
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

/// Write one page through a buffer, naming the file in any error.
fn write_file(path: &Path, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> CommandResult<()> {
    let err = |e| write_failed(path, e);
    let file = std::fs::File::create(path).map_err(err)?;
    let mut w = std::io::BufWriter::new(file);
    f(&mut w).and_then(|_| w.flush()).map_err(err)
}
