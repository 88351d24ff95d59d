//! `redline export NAME DIR`: a static HTML site for one article: an
//! index page with the history table and one diff page per consecutive
//! pair of revisions, each linking to the previous, the next and the index.
//!
//! The pages come from [`crate::render::site`] and [`crate::render::html`];
//! this command only reads the store and writes files.

use super::{Exit, GlobalArgs};
use crate::core::{self, DiffOptions};
use crate::error::{Error, Result, EXIT_OK};
use crate::render::html;
use crate::render::site::{self, RevisionRow};
use crate::render::{ColorMode, Format, Layout, RenderOptions, Side};
use crate::store::{Revision, Store};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline export belarus site/\n  redline export nbc/belarus-putin /var/www/belarus --context 2"
)]
pub struct ExportArgs {
    /// Article name.
    pub name: String,
    /// Output folder (created if missing). Existing pages are overwritten.
    pub dir: PathBuf,
    /// Unchanged paragraphs shown around each change (the rest fold away).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub context: usize,
    /// Count typography-only changes (quotes, dashes, spacing) as changes.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: ExportArgs, g: &GlobalArgs) -> Result<Exit> {
    let store = Store::open(&g.store_path()?)?;
    let revs = store.history(&args.name)?;
    std::fs::create_dir_all(&args.dir).map_err(|e| Error::io(format!("creating {}", args.dir.display()), e))?;
    let rows: Vec<RevisionRow> = revs.iter().map(row).collect();
    write_file(&args.dir.join("index.html"), |w| site::write_index(w, &args.name, &rows))?;
    write_file(&args.dir.join(ATOM_FILE), |w| crate::render::atom::write(w, &args.name, &atom_entries(&revs)))?;
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
        let page = site::page_links(&args.name, &rows, i);
        let (old, new) = (side(&args.name, &revs[i - 1]), side(&args.name, &revs[i]));
        let path = args.dir.join(site::diff_page_name(revs[i].number()));
        write_file(&path, |w| html::write(w, &diff, &old, &new, &opts, &page))?;
        drop(diff);
        prev_text = text;
    }
    let pages = revs.len().saturating_sub(1);
    eprintln!(
        "redline: wrote {} ({} revision{}, {pages} diff page{})",
        args.dir.join("index.html").display(),
        revs.len(),
        plural(revs.len()),
        plural(pages)
    );
    Ok(EXIT_OK)
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

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
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
    }
}

/// Header data for one stored revision (as `redline diff` shows it).
fn side(name: &str, r: &Revision) -> Side {
    Side {
        label: format!("{name}@{}", r.number()),
        bytes: r.meta.bytes,
        words: r.meta.words,
        revision: Some(r.number()),
        id: Some(r.short_id()),
        observed_at: Some(r.meta.observed_at.clone()),
        title: Some(r.meta.title.clone()),
    }
}

/// Write one page through a buffer, naming the file in any error.
fn write_file(path: &Path, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let err = |e| Error::io(format!("writing {}", path.display()), e);
    let file = std::fs::File::create(path).map_err(err)?;
    let mut w = std::io::BufWriter::new(file);
    f(&mut w).and_then(|_| w.flush()).map_err(err)
}
