//! `info`: which store is in use, whether it exists, and how big it is.

use super::{packing, Result, Store};
use serde::Serialize;
use std::path::Path;

/// A summary of a store, also for a store that does not exist yet.
#[derive(Debug, Clone, Serialize)]
pub struct StoreInfo {
    /// The store path.
    pub path: String,
    /// Whether a store is there yet.
    pub exists: bool,
    /// Size on disk, in bytes.
    pub size_bytes: u64,
    /// Size on disk, for people (`37.3 KiB`).
    pub size: String,
    /// Articles stored.
    pub articles: usize,
    /// Objects not yet packed.
    pub loose_objects: usize,
    /// Objects in packs.
    pub packed_objects: u64,
    /// Pack files.
    pub packs: usize,
    /// Article refs that do not lead to a commit (symbolic, or pointing at
    /// a blob, tree or tag), by name.
    pub damaged: Vec<super::Skipped>,
}

impl StoreInfo {
    /// Describe the store at `path` (refusing a path that is not a store).
    pub fn gather(path: &Path) -> Result<StoreInfo> {
        let store = Store::open_existing(path)?;
        let (articles, damaged) = match &store {
            Some(s) => {
                let (refs, mut damaged) = s.article_refs()?;
                let total = refs.len() + damaged.len();
                for (name, tip) in &refs {
                    if let Err(e) = s.require_commit(name, *tip) {
                        damaged.push(super::Skipped { name: name.clone(), why: e.to_string() });
                    }
                }
                (total, damaged)
            }
            None => (0, vec![]),
        };
        let idxs = packing::pack_indexes(path);
        let packed = idxs.iter().filter_map(|i| packing::idx_object_count(i).ok()).sum();
        let size_bytes = if store.is_some() { dir_size(path) } else { 0 };
        Ok(StoreInfo {
            path: path.display().to_string(),
            exists: store.is_some(),
            size_bytes,
            size: human_bytes(size_bytes),
            articles,
            loose_objects: packing::loose_objects(path).len(),
            packed_objects: packed,
            packs: idxs.len(),
            damaged,
        })
    }
}

/// Total size of the files under `dir`, in bytes.
pub(crate) fn dir_size(dir: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(dir) else { return 0 };
    rd.flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map(|m| m.len()).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

/// `1536` → `1.5 KiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024), "5.0 MiB");
    }
}
