//! `redline watch feed`: one Atom feed of the changes to every watched
//! page, so a feed reader follows the whole watched set, not one article.
//!
//! Like `export`'s per-article `changes.atom`, everything comes from stored
//! metadata (no re-diffing), and entry ids are `urn:redline:<commit id>`,
//! stable across runs, so a reader shows each change once.

use super::output::write_failed;
use super::watch::FeedArgs;
use super::{CommandHelper, CommandResult, Exit};
use crate::error::EXIT_OK;
use crate::render::atom::{self, AtomEntry, FeedHead};
use crate::store::{Revision, Store, WatchKind};
use std::io::Write;
use std::path::Path;

/// Write the feed of the watched set.
pub fn run(a: FeedArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let revs = match cx.store.open_if_exists()? {
        Some(store) => watched_revisions(store, a.limit)?,
        None => Vec::new(),
    };
    let entries: Vec<(&str, AtomEntry<'_>)> =
        revs.iter().map(|(name, r)| (name.as_str(), super::export::atom_entry(r, None))).collect();
    let head = FeedHead { title: "Changes to watched pages".into(), id: "urn:redline:watched".into() };
    match &a.out {
        Some(path) => write_replacing(path, |w| atom::write_many(w, &head, &entries))?,
        None => atom::write_many(cx.ui.stdout(), &head, &entries)?,
    }
    Ok(EXIT_OK)
}

/// The newest `limit` revisions of the watched pages that have any, newest
/// first (ties by name, then revision, so the order is stable).
fn watched_revisions(store: &Store, limit: usize) -> crate::error::Result<Vec<(String, Revision)>> {
    let list = store.watch_list()?;
    let mut names: Vec<&str> =
        list.entries.iter().filter(|e| e.kind == WatchKind::Page).map(|e| e.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut all = Vec::new();
    for name in names {
        if store.tip(name)?.is_none() {
            continue; // watched, never stored yet
        }
        all.extend(store.history(name)?.into_iter().map(|r| (name.to_string(), r)));
    }
    // RFC 3339 UTC stamps sort as text.
    all.sort_by(|(an, a), (bn, b)| {
        b.meta.observed_at.cmp(&a.meta.observed_at).then(an.cmp(bn)).then(b.meta.revision.cmp(&a.meta.revision))
    });
    all.truncate(limit);
    Ok(all)
}

/// Write `path` through a temporary file renamed over it, so a reader
/// polling the feed never sees half of one.
fn write_replacing(path: &Path, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> CommandResult<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "feed".into());
    let tmp = dir.join(format!(".{file}.redline-{}.tmp", std::process::id()));
    let result = (|| {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        f(&mut w)?;
        w.flush()?;
        drop(w);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| write_failed(path, e))
}
