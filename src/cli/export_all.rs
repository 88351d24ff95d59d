//! `redline export --all DIR`: one static site for the whole store.
//!
//! ```text
//! DIR/index.html                  every article: revisions, first and last observed, title
//! DIR/timeline.html               revisions across every article, newest first
//! DIR/changes.atom                an Atom feed of the latest changes across the store
//! DIR/articles/<name>/…           each article's own export (history, texts, diffs, feed)
//! ```
//!
//! Each article's folder is exactly what `export NAME DIR` writes
//! ([`super::export::write_article`]), plus a link back to the site's
//! index. As there, every file is written to a temporary name and renamed
//! into place, and nothing inside DIR is ever followed: a symlink where a
//! folder should be is replaced by the folder.

use super::export::{prepare_dir, write_article, write_file, ArticleOptions};
use super::output::write_failed;
use super::{CommandHelper, CommandResult, ErrorKind, Exit};
use crate::render::archive::{self, ArticleEntry, TimelineRow, FEED_FILE, TIMELINE_FILE};
use crate::render::atom::{self, AtomEntry};
use crate::render::page::Link;
use crate::store::{Revision, Skipped};
use std::path::{Path, PathBuf};

/// Most revisions listed on the timeline page (the newest; the page says
/// how many there are in all).
const TIMELINE_ROWS: usize = 2000;
/// Most entries in the store-wide feed (the newest).
const FEED_ENTRIES: usize = 200;

/// Write the whole site into `dir`.
pub fn run(dir: &Path, opts: &ArticleOptions, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let store = cx.store.open()?;
    prepare_dir(dir)?;
    let (articles, mut skipped) = store.article_refs()?;
    let mut entries = Vec::with_capacity(articles.len());
    let mut timeline: Vec<(String, Revision)> = Vec::new();
    let mut pages = 0;
    for (name, _) in &articles {
        let adir = subdir(dir, &archive::article_dir(name))?;
        let up =
            Link { href: format!("{}index.html", archive::root_from_article(name)), text: "↑ all articles".into() };
        match write_article(store, name, &adir, opts, Some(&up)) {
            Ok(done) => {
                pages += done.pages;
                let (first, last) = (done.revisions.first(), done.revisions.last());
                entries.push(ArticleEntry {
                    name: name.clone(),
                    revisions: last.map_or(0, |r| r.meta.revision),
                    first_observed_at: first.map(|r| r.meta.observed_at.clone()).unwrap_or_default(),
                    last_observed_at: last.map(|r| r.meta.observed_at.clone()).unwrap_or_default(),
                    title: last.map(|r| r.meta.title.clone()).unwrap_or_default(),
                });
                timeline.extend(done.revisions.into_iter().map(|r| (name.clone(), r)));
            }
            // A damaged article is named and skipped (as `list` does); a
            // failed write stops the export.
            Err(e) if matches!(e.kind, ErrorKind::Output | ErrorKind::BrokenPipe) => return Err(e),
            Err(e) => skipped.push(Skipped { name: name.clone(), why: e.error.to_string() }),
        }
    }
    // Newest first; equal times in a fixed order. (Observed times are all
    // written by `format_time`, so their text sorts as their time.)
    timeline.sort_by(|(an, a), (bn, b)| {
        (&b.meta.observed_at, bn, b.meta.revision).cmp(&(&a.meta.observed_at, an, a.meta.revision))
    });
    let total = timeline.len();
    let rows: Vec<TimelineRow> = timeline
        .iter()
        .take(TIMELINE_ROWS)
        .map(|(name, rev)| TimelineRow { name: name.clone(), row: super::export::row(rev) })
        .collect();
    write_file(dir, "index.html", |w| archive::write_index(w, &entries, total))?;
    write_file(dir, TIMELINE_FILE, |w| archive::write_timeline(w, &rows, total))?;
    let feed: Vec<AtomEntry<'_>> = timeline
        .iter()
        .take(FEED_ENTRIES)
        .rev()
        .map(|(name, rev)| {
            let page = if rev.meta.revision > 1 {
                crate::render::site::diff_page_name(rev.number())
            } else {
                crate::render::site::revision_page_name(1)
            };
            super::export::atom_entry(rev, Some(format!("{}{page}", archive::article_dir(name))))
        })
        .collect();
    write_file(dir, FEED_FILE, |w| atom::write_store(w, &feed))?;
    cx.ui.status(&format!(
        "wrote {} ({} articles, {total} revisions, {pages} diff pages)",
        dir.join("index.html").display(),
        entries.len()
    ));
    Ok(super::report_skipped(&cx.ui, &skipped))
}

/// `dir/rel`, made folder by folder without following anything already
/// inside `dir`: a symlink or file in the way is replaced by a folder.
fn subdir(dir: &Path, rel: &str) -> CommandResult<PathBuf> {
    let mut at = dir.to_path_buf();
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(md) if md.is_dir() => continue,
            Ok(_) => std::fs::remove_file(&at).map_err(|e| write_failed(&at, e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(write_failed(&at, e)),
        }
        std::fs::create_dir(&at).map_err(|e| write_failed(&at, e))?;
    }
    Ok(at)
}
