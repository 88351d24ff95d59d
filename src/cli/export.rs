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
    prepare_dir(&args.dir)?;
    let rows: Vec<RevisionRow> = revs.iter().map(row).collect();
    write_file(&args.dir, "index.html", |w| site::write_index(w, &args.name, &rows))?;
    write_file(&args.dir, ATOM_FILE, |w| crate::render::atom::write(w, &args.name, &atom_entries(&revs)))?;
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
        let file = site::diff_page_name(revs[i].number());
        write_file(&args.dir, &file, |w| html::write(w, &diff, &old, &new, &opts, &page))?;
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
        number: r.number(),
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

/// The output folder: created when missing; a file there is refused. The
/// folder itself is used as named (even through a symlink the user chose);
/// nothing inside it is ever followed (see [`write_file`]).
fn prepare_dir(dir: &Path) -> Result<()> {
    match std::fs::metadata(dir) {
        Ok(md) if md.is_dir() => Ok(()),
        Ok(_) => Err(Error::Usage {
            msg: format!("cannot export into {}: it is a file, not a folder", dir.display()),
            hint: Some("give export a folder (it is created if missing); nothing was written".into()),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))
        }
        Err(e) => Err(Error::io(format!("reading {}", dir.display()), e)),
    }
}

/// Write one page as `dir/file`, confined to `dir`: the bytes go to a new
/// temporary file (created exclusively, so an existing name or symlink is
/// never opened) that is then renamed over `file`. A symlink planted at
/// `file` is replaced, never followed, so nothing outside `dir` is written,
/// and a reader never sees a half-written page.
fn write_file(dir: &Path, file: &str, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{file}.redline-{}-{n}.tmp", std::process::id()));
    let path = dir.join(file);
    let err = |e| Error::io(format!("writing {}", path.display()), e);
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
    result.map_err(err)
}
