//! `redline export NAME DIR`: a static HTML site for one article: an
//! index page with the history table, one page per revision with its full
//! text, and one diff page per consecutive pair of revisions, each linking
//! to the previous, the next and the index; plus an Atom feed of changes.
//!
//! `--all DIR` writes one site for the whole store ([`super::export_all`]),
//! `--sentences FILE.jsonl` a sentence table for research
//! ([`super::export_sentences`]).
//!
//! The pages come from [`crate::render::site`] and [`crate::render::html`];
//! this command only reads the store and writes files.

use super::diff::revision_side;
use super::list::parse_group;
use super::output::write_failed;
use super::{ArticleName, CommandError, CommandHelper, CommandResult, Exit, StoreOpt};
use crate::core::blame::Blame;
use crate::core::{self, DiffOptions};
use crate::error::EXIT_OK;
use crate::render::atom::{self, AtomEntry};
use crate::render::blame as blame_out;
use crate::render::html;
use crate::render::page::{Link, RevisionRow};
use crate::render::site::{self, SentenceNotes};
use crate::render::{ColorMode, Format, Layout, RenderOptions};
use crate::store::{Revision, Store};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline export belarus site/\n  redline export nbc/belarus-putin /var/www/belarus --context 2\n  redline export --all /var/www/archive        # the whole store: index, timeline, every article, feed\n  redline export --sentences edits.jsonl       # every sentence of every revision, NewsEdits-style\n  redline export --sentences - nbc | jq -c 'select(.kind == \"reworded\")'"
)]
pub struct ExportArgs {
    /// Article name (with DIR). With --sentences: the article or group to
    /// include (default: every article).
    #[arg(value_parser = parse_group, required_unless_present_any = ["all", "sentences"])]
    pub name: Option<ArticleName>,
    /// Output folder (created if missing). Existing pages are overwritten.
    #[arg(required_unless_present_any = ["all", "sentences"], conflicts_with_all = ["all", "sentences"])]
    pub dir: Option<PathBuf>,
    /// Write one site for the whole store into DIR: an index of articles, a
    /// timeline, every article's pages and an Atom feed of changes.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["name", "sentences"])]
    pub all: Option<PathBuf>,
    /// Write every sentence of every revision, with its counterpart in the
    /// revision before and the edit kind, as JSON Lines to FILE (`-`:
    /// standard output).
    #[arg(long, value_name = "FILE.jsonl")]
    pub sentences: Option<PathBuf>,
    /// Unchanged paragraphs shown around each change (the rest fold away).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub context: usize,
    /// Count typography-only changes (quotes, dashes, spacing) as changes.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    pub store: StoreOpt,
}

/// How each article's pages are made.
pub struct ArticleOptions {
    pub context: usize,
    pub strict: bool,
}

/// What writing one article's pages produced.
pub struct ArticleDone {
    /// Its revisions, oldest first.
    pub revisions: Vec<Revision>,
    /// Diff pages written.
    pub pages: usize,
}

/// Export one article, the whole store, or the sentence table; a write
/// failure (full disk, read-only folder) is an output error, not a usage
/// error.
pub fn run(args: ExportArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let opts = ArticleOptions { context: args.context, strict: args.strict };
    if let Some(file) = &args.sentences {
        let names: Vec<&str> = args.name.iter().map(ArticleName::as_str).collect();
        return super::export_sentences::run(file, &names, args.strict, cx);
    }
    if let Some(dir) = &args.all {
        return super::export_all::run(dir, &opts, cx);
    }
    let (Some(name), Some(dir)) = (&args.name, &args.dir) else {
        return Err(CommandError::user("export needs NAME and DIR, or --all DIR, or --sentences FILE")
            .hinted("see `redline export --help`"));
    };
    let store = cx.store.open()?;
    let done = write_article(store, name.as_str(), dir, &opts, None)?;
    cx.ui.status(&format!(
        "wrote {} ({}, {})",
        dir.join("index.html").display(),
        count(done.revisions.len(), "revision"),
        count(done.pages, "diff page")
    ));
    Ok(EXIT_OK)
}

/// Write one article's pages into `dir`: index, feed, a text page per
/// revision and a diff page per pair. `up` links the index back to a
/// site's front page (`export --all`).
pub fn write_article(
    store: &Store,
    name: &str,
    dir: &Path,
    opts: &ArticleOptions,
    up: Option<&Link>,
) -> CommandResult<ArticleDone> {
    let revs = store.history(name)?;
    prepare_dir(dir)?;
    let rows: Vec<RevisionRow> = revs.iter().map(row).collect();
    write_file(dir, "index.html", |w| site::write_index(w, name, &rows, up))?;
    write_file(dir, ATOM_FILE, |w| atom::write(w, name, &atom_entries(&revs)))?;
    let ro = RenderOptions {
        format: Format::Html,
        layout: Layout::Inline,
        context: opts.context,
        color: ColorMode::Plain,
        strict: opts.strict,
        ..RenderOptions::default()
    };
    let dopts = DiffOptions { strict: opts.strict, ..DiffOptions::default() };
    let mut blame: Option<Blame> = None;
    let mut prev: Option<String> = None;
    for i in 0..revs.len() {
        let text = store.text_string(&revs[i])?;
        let diff = prev.as_deref().map(|p| core::diff(p, &text, &dopts));
        match (&mut blame, &diff) {
            (Some(b), Some(d)) => b.step_with(&text, d),
            _ => blame = Some(Blame::new(&text, dopts.clone())),
        }
        let notes = blame.as_ref().map(|b| blame_notes(b, &text)).unwrap_or_default();
        write_file(dir, &site::revision_page_name(revs[i].number()), |w| {
            site::write_revision(w, name, &rows, i, &text, &notes)
        })?;
        if let Some(diff) = diff {
            let page = site::page_links(name, &rows, i);
            let (old, new) = (revision_side(name, &revs[i - 1]), revision_side(name, &revs[i]));
            let file = site::diff_page_name(revs[i].number());
            write_file(dir, &file, |w| html::write(w, &diff, &old, &new, &ro, &page))?;
        }
        prev = Some(text);
    }
    let pages = revs.len().saturating_sub(1);
    Ok(ArticleDone { revisions: revs, pages })
}

/// The hover note of each sentence on a revision's text page ("r1
/// introduced · r3 reworded: said → stated"), in the order [`site::cut`]
/// numbers the sentences. Blame and the page cut sentences the same way;
/// a sentence whose text differs (never expected) simply gets no note.
fn blame_notes(blame: &Blame, text: &str) -> SentenceNotes {
    let lines: Vec<_> = blame.lines().collect();
    let page = site::cut(text, !crate::core::segment::has_blank_line(text));
    page.iter()
        .enumerate()
        .map(|(k, s)| lines.get(k).filter(|l| l.text == &text[s.span.clone()]).map(|l| blame_out::note(l.events)))
        .collect()
}

/// `1 revision`, `3 revisions`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The Atom feed of changes written beside the index (from stored
/// metadata only, no re-diffing).
const ATOM_FILE: &str = "changes.atom";

fn atom_entries(revs: &[Revision]) -> Vec<AtomEntry<'_>> {
    revs.iter()
        .map(|r| {
            let link = if r.meta.revision > 1 {
                site::diff_page_name(r.number())
            } else {
                site::revision_page_name(r.number())
            };
            atom_entry(r, Some(link))
        })
        .collect()
}

/// A feed entry from a revision's stored metadata: its summary, with the
/// marks `log` shows appended unless the summary already says them.
pub(super) fn atom_entry(r: &Revision, link: Option<String>) -> AtomEntry<'_> {
    let m = &r.meta;
    let mut summary = m.summary.clone();
    let marks = m.marks();
    if !marks.is_empty() && !summary.contains(&marks[0]) {
        summary.push_str(&format!(" [{}]", marks.join(", ")));
    }
    AtomEntry {
        name: &m.name,
        revision: m.revision,
        title: &m.title,
        observed_at: &m.observed_at,
        url: m.url.as_deref(),
        summary,
        id: r.id.to_string(),
        link,
    }
}

/// A history-table row, with the numbers and marks `redline log` shows.
pub(super) fn row(r: &Revision) -> RevisionRow {
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
pub(super) fn prepare_dir(dir: &Path) -> CommandResult<()> {
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
pub(super) fn write_file(
    dir: &Path,
    file: &str,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> CommandResult<()> {
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
