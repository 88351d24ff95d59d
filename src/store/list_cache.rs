//! The `list` cache: each article's line, keyed by its tip commit.
//!
//! Why: `list` prints, per article, numbers from the tip's meta.json; over
//! 100,000 articles, reading 300,000 objects (commit, tree, blob) is
//! seconds. A revision's meta.json never changes (a commit id names its
//! content), so a line computed once for a tip id stays true for as long
//! as any ref points at that commit: the cache can be incomplete but never
//! stale. `list` reads the refs, takes the lines of tips it knows from
//! here, reads meta.json only for the others, and rewrites the file when
//! it learned something; `import` adds the articles it wrote.
//!
//! The file is `STORE/redline-list-cache`, outside git's own namespaces (git
//! ignores it, `clone` does not copy it). It is written to a temporary file
//! and renamed, so a reader sees a whole version; deleting it is always
//! safe. A line that does not parse is ignored (recomputed).

use super::meta::Meta;
use super::read::ArticleSummary;
use git2::Oid;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The cache's file name in the store.
pub(crate) const LIST_CACHE_FILE: &str = "redline-list-cache";
const HEADER: &str = "redline list cache 1";
/// Stores with fewer articles than this never get a cache file (reading
/// their tips is fast anyway); `REDLINE_LIST_CACHE_MIN` lowers it (tests).
const DEFAULT_MIN_ARTICLES: usize = 1000;

pub(crate) fn min_articles() -> usize {
    std::env::var("REDLINE_LIST_CACHE_MIN").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_MIN_ARTICLES)
}

/// One article's line without its name (the ref gives the name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    pub revisions: u64,
    pub first_observed_at: String,
    pub last_observed_at: String,
    pub title: String,
}

impl Line {
    pub(crate) fn of(s: &ArticleSummary) -> Line {
        Line {
            revisions: s.revisions,
            first_observed_at: s.first_observed_at.clone(),
            last_observed_at: s.last_observed_at.clone(),
            title: s.title.clone(),
        }
    }

    /// The line of a tip whose meta.json is `m`.
    pub(crate) fn of_meta(m: &Meta) -> Line {
        Line {
            revisions: m.revision,
            first_observed_at: m.first_observed_at.clone(),
            last_observed_at: m.observed_at.clone(),
            title: m.title.clone(),
        }
    }

    pub(crate) fn summary(&self, name: &str, tip: Oid) -> ArticleSummary {
        ArticleSummary {
            name: name.to_string(),
            revisions: self.revisions,
            first_observed_at: self.first_observed_at.clone(),
            last_observed_at: self.last_observed_at.clone(),
            title: self.title.clone(),
            id: tip.to_string(),
        }
    }
}

/// The cached lines by tip commit.
#[derive(Debug, Default)]
pub(crate) struct ListCache {
    pub lines: HashMap<Oid, Line>,
}

fn path(store: &Path) -> PathBuf {
    store.join(LIST_CACHE_FILE)
}

impl ListCache {
    /// Read the cache (missing, unreadable or of another version: empty).
    pub(crate) fn load(store: &Path) -> ListCache {
        let Ok(text) = std::fs::read_to_string(path(store)) else { return ListCache::default() };
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return ListCache::default();
        }
        ListCache { lines: lines.filter_map(parse_line).collect() }
    }

    /// Write `entries` as the whole cache (temporary file, then rename).
    /// Failure is not an error for the caller: the cache is an optimisation
    /// and the store may be read-only.
    pub(crate) fn save<'a>(store: &Path, entries: impl Iterator<Item = (&'a Oid, &'a Line)>) -> std::io::Result<()> {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let tmp = store.join(format!(".{LIST_CACHE_FILE}.{}-{nanos}", std::process::id()));
        let written = (|| {
            let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
            writeln!(out, "{HEADER}")?;
            for (tip, l) in entries {
                let title = serde_json::to_string(&l.title).map_err(std::io::Error::other)?;
                writeln!(out, "{tip} {} {} {} {title}", l.revisions, l.first_observed_at, l.last_observed_at)?;
            }
            out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            std::fs::rename(&tmp, path(store))
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }

    /// Add `new` lines to the cache file (import, after its refs moved).
    pub(crate) fn add(store: &Path, new: Vec<(Oid, Line)>) -> std::io::Result<()> {
        if new.is_empty() {
            return Ok(());
        }
        let mut cache = ListCache::load(store);
        cache.lines.extend(new);
        ListCache::save(store, cache.lines.iter())
    }
}

/// `<tip> <revisions> <first> <last> <title as a JSON string>`.
fn parse_line(line: &str) -> Option<(Oid, Line)> {
    let mut f = line.splitn(5, ' ');
    let tip = Oid::from_str(f.next()?).ok()?;
    let revisions = f.next()?.parse().ok()?;
    let first_observed_at = f.next()?.to_string();
    let last_observed_at = f.next()?.to_string();
    let title = serde_json::from_str(f.next()?).ok()?;
    Some((tip, Line { revisions, first_observed_at, last_observed_at, title }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_and_bad_ones_are_skipped() {
        let dir = std::env::temp_dir().join(format!("redline-list-cache-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let tip = Oid::from_str("1111111111111111111111111111111111111111").unwrap();
        let line = Line {
            revisions: 3,
            first_observed_at: "2020-01-01T00:00:00Z".into(),
            last_observed_at: "2020-01-02T00:00:00Z".into(),
            title: "A \"title\" with spaces\nand a break".into(),
        };
        ListCache::add(&dir, vec![(tip, line.clone())]).unwrap();
        assert_eq!(ListCache::load(&dir).lines.get(&tip), Some(&line));
        let text = std::fs::read_to_string(path(&dir)).unwrap();
        std::fs::write(path(&dir), format!("{text}nothex 1 a b \"t\"\n2222 x\n")).unwrap();
        assert_eq!(ListCache::load(&dir).lines.len(), 1, "bad lines are ignored");
        std::fs::write(path(&dir), text.replace(HEADER, "redline list cache 0")).unwrap();
        assert!(ListCache::load(&dir).lines.is_empty(), "another version is not read");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
