//! Automatic pack consolidation after writes, so a store that is written a
//! little at a time keeps a handful of packs.
//!
//! Why: every `watch run` pass, small `import` and `sync` writes a pack of
//! its own, and every `commit` writes loose objects. libgit2 looks an object
//! up pack by pack, so a tracker that wrote a pack every five minutes for a
//! week (2,000 packs) paid for 2,000 index searches on every read of an
//! article (300 packs already made `log` of one article 38 ms instead of
//! 4 ms). Git answers this with `gc --auto`; we do the same thing, in
//! process, after each write command.
//!
//! What: *small* packs (under [`SMALL_PACK_BYTES`]) are merged through the
//! pack builder, which searches for deltas. When there are more than
//! [`MAX_SMALL_PACKS`] small packs, or about [`LOOSE_LIMIT`] loose objects,
//! the smallest packs are merged the way `git repack --geometric=2` chooses
//! them: afterwards each remaining small pack holds at least twice the
//! objects of all smaller ones together, so an object is rewritten O(log n)
//! times over a store's life and the pack count stays logarithmic.
//!
//! *Large* packs (a big import writes one per 64 MB) are never repacked
//! here: that is `redline gc`'s job, which the user runs when they choose.
//! When there are more than [`MAX_LARGE_PACKS`] of them, the same geometric
//! rule picks some to merge by copying their entries one after the other
//! ([`super::packconcat`]: no inflating, no delta search, about the cost of
//! copying the bytes once), so the next read searches one index instead of
//! twenty. In practice that happens once, right after the import that wrote
//! them.
//!
//! Safety is `gc`'s: the new pack is written and fsynced first; then only
//! loose objects it holds and merged packs whose every object it holds are
//! deleted. One process at a time: an advisory lock (flock) on
//! `redline-maintenance.flock`, which the kernel releases if the process
//! dies, so a kill never leaves a stale lock (the file itself means nothing,
//! unlike git's `*.lock` files). A process that finds it held skips
//! maintenance; `gc` waits for it.

use super::packing::{self, order_name, BlobKind, PackPlan};
use super::{store_err, Result, Store, StoreError};
use git2::Oid;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Packs smaller than this are merged through the pack builder; larger
/// ones by concatenation. An import writes packs of about 27 MB per 50,000
/// revisions. `git config redline.bigPackThreshold BYTES` changes it (as
/// git's `gc.bigPackThreshold` does for `git gc`).
pub(crate) const SMALL_PACK_BYTES: u64 = 16 << 20;
const BIG_PACK_KEY: &str = "redline.bigPackThreshold";
/// More small packs than this trigger a merge.
pub(crate) const MAX_SMALL_PACKS: usize = 8;
/// More large packs than this trigger a merge by concatenation.
pub(crate) const MAX_LARGE_PACKS: usize = 4;
/// About this many loose objects (estimated from one fan-out folder, as git
/// does) trigger a merge that takes them in.
pub(crate) const LOOSE_LIMIT: usize = 1024;
/// The lock file, beside `config`.
pub(crate) const LOCK_FILE: &str = "redline-maintenance.flock";
/// `git config redline.autoPack false` in a store turns this off.
const CONFIG_KEY: &str = "redline.autoPack";

/// What one automatic consolidation did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaintainReport {
    /// Small packs merged into the new one (and deleted).
    pub packs_merged: usize,
    /// Loose objects taken into the new pack (and deleted).
    pub loose_packed: usize,
    /// Objects in the new pack.
    pub objects: usize,
    /// Large packs merged by concatenation (and deleted).
    pub large_packs_merged: usize,
    /// Bytes of the pack they were merged into.
    pub large_pack_bytes: u64,
    /// Temporary pack files of killed processes deleted.
    pub temps_removed: usize,
}

/// A pack as the merge policy sees it.
#[derive(Debug, Clone)]
struct SmallPack {
    idx: PathBuf,
    objects: u64,
}

impl Store {
    /// Merge small packs and loose objects when there are too many (see the
    /// module docs). Cheap when there is nothing to do: one listing of
    /// `objects/pack`, a 1 KB read per small pack's index, one folder listing
    /// for the loose estimate. `Ok(None)` when nothing was needed, the store
    /// turned it off, or another process holds the lock.
    pub fn maintain(&self) -> Result<Option<MaintainReport>> {
        if !self.auto_pack_enabled() || self.check_writable().is_err() {
            return Ok(None);
        }
        let big = self.big_pack_threshold();
        let (small, large) = packs_by_size(&self.path, big);
        let loose = estimate_loose(&self.path);
        let stale = stale_temps(&self.path);
        if small.len() <= MAX_SMALL_PACKS && loose < LOOSE_LIMIT && large.len() <= MAX_LARGE_PACKS && stale.is_empty() {
            return Ok(None);
        }
        let Some(_lock) = MaintenanceLock::try_acquire(&self.path)? else { return Ok(None) };
        let temps_removed = stale.iter().filter(|p| std::fs::remove_file(p).is_ok()).count();
        // Listed again under the lock: another process may have merged.
        let (small, _) = packs_by_size(&self.path, big);
        let mut small: Vec<SmallPack> = small
            .into_iter()
            .filter_map(|(idx, _)| packing::idx_object_count(&idx).ok().map(|objects| SmallPack { idx, objects }))
            .collect();
        let take_loose = estimate_loose(&self.path) >= LOOSE_LIMIT;
        small.sort_by(|a, b| a.objects.cmp(&b.objects).then_with(|| a.idx.cmp(&b.idx)));
        let counts: Vec<u64> = small.iter().map(|p| p.objects).collect();
        let split = if small.len() > MAX_SMALL_PACKS { geometric_split(&counts) } else { 0 };
        let merge = &small[..if split >= 2 { split } else { 0 }];
        let mut report =
            if !merge.is_empty() || take_loose { self.merge(merge, take_loose)? } else { MaintainReport::default() };
        report.temps_removed = temps_removed;
        // After the small merge, whose new pack may itself be large.
        let (_, large) = packs_by_size(&self.path, big);
        if large.len() > MAX_LARGE_PACKS {
            self.concatenate_large(large, &mut report)?;
        }
        Ok((report != MaintainReport::default()).then_some(report))
    }

    /// Merge the smallest large packs by concatenation, chosen by the
    /// geometric rule on their sizes in bytes.
    fn concatenate_large(&self, mut large: Vec<(PathBuf, u64)>, report: &mut MaintainReport) -> Result<()> {
        large.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        let sizes: Vec<u64> = large.iter().map(|p| p.1).collect();
        let split = geometric_split(&sizes);
        if split < 2 {
            return Ok(());
        }
        let idxs: Vec<PathBuf> = large[..split].iter().map(|p| p.0.clone()).collect();
        let io = |e| StoreError::Io { context: "merging large packs".into(), source: e };
        let done = super::packconcat::concatenate(&self.path, &idxs).map_err(io)?;
        // Read back from disk: a merged pack is deleted only when the new
        // index lists every one of its objects (sorted ids, so a search).
        let in_pack = packing::idx_object_ids(&done.written.idx).map_err(io)?;
        let sorted = in_pack.windows(2).all(|w| w[0] < w[1]);
        if !sorted || in_pack.len() as u64 != done.objects {
            return Err(StoreError::Io {
                context: "merging large packs".into(),
                source: std::io::Error::other("the new index does not list every object written"),
            });
        }
        let held = |id: &Oid| in_pack.binary_search(id).is_ok();
        report.large_packs_merged = super::gc::remove_packs_held_by(&idxs, &done.written.idx, held);
        report.large_pack_bytes = std::fs::metadata(&done.written.pack).map(|m| m.len()).unwrap_or(0);
        Ok(())
    }

    fn merge(&self, merge: &[SmallPack], take_loose: bool) -> Result<MaintainReport> {
        let mut plan = PackPlan::default();
        let mut seq = 0u64;
        for p in merge {
            let ids = idx_ids_in_pack_order(&p.idx)
                .map_err(|e| StoreError::Io { context: format!("reading {}", p.idx.display()), source: e })?;
            for id in ids {
                // Objects keep their old pack's order, so each one's delta
                // window sees the neighbours it had there.
                plan.add(id, Some(order_name(BlobKind::Text, seq)));
                seq += 1;
            }
        }
        let loose = if take_loose { packing::loose_objects(&self.path) } else { Vec::new() };
        for (id, _) in &loose {
            plan.add(*id, None);
        }
        let written = packing::write_pack(&self.repo, &plan, packing::Effort::Smallest)
            .map_err(|e| store_err(&self.path, "cannot write the consolidated pack", e))?;
        let Some(w) = written else { return Ok(MaintainReport::default()) };
        let in_pack = super::gc::verified_pack_ids(&self.path, &w.idx, &plan)?;
        let merged: Vec<PathBuf> = merge.iter().map(|p| p.idx.clone()).collect();
        Ok(MaintainReport {
            packs_merged: super::gc::remove_packs_held_by(&merged, &w.idx, |id| in_pack.contains(id)),
            loose_packed: if take_loose { super::gc::remove_loose(&self.path, &in_pack) } else { 0 },
            objects: plan.len(),
            ..MaintainReport::default()
        })
    }

    fn big_pack_threshold(&self) -> u64 {
        let v = self.repo.config().and_then(|c| c.get_i64(BIG_PACK_KEY));
        v.ok().and_then(|v| u64::try_from(v).ok()).filter(|&v| v > 0).unwrap_or(SMALL_PACK_BYTES)
    }

    fn auto_pack_enabled(&self) -> bool {
        self.repo.config().and_then(|c| c.get_bool(CONFIG_KEY)).unwrap_or(true)
    }
}

/// The advisory lock that keeps two consolidations (or one and a `gc`) from
/// deleting each other's packs. Held until dropped; the kernel releases it
/// when the process dies, so a kill never leaves a stale lock behind.
pub(crate) struct MaintenanceLock {
    _file: File,
}

impl MaintenanceLock {
    fn open(store: &Path) -> Result<File> {
        File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(store.join(LOCK_FILE))
            .map_err(|e| lock_err(store, "cannot open the maintenance lock", e))
    }

    /// `None` when another process holds it.
    pub(crate) fn try_acquire(store: &Path) -> Result<Option<MaintenanceLock>> {
        let file = Self::open(store)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(MaintenanceLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(lock_err(store, "cannot take the maintenance lock", e)),
        }
    }

    /// Waits for the lock (for `gc`, which the user asked for).
    pub(crate) fn acquire(store: &Path) -> Result<MaintenanceLock> {
        let file = Self::open(store)?;
        file.lock().map_err(|e| lock_err(store, "cannot take the maintenance lock", e))?;
        Ok(MaintenanceLock { _file: file })
    }
}

/// A store problem (exit 4), like any other write the store refuses (a
/// read-only store fails here first).
fn lock_err(store: &Path, context: &str, e: std::io::Error) -> StoreError {
    let file = store.join(LOCK_FILE);
    store_err(store, context, git2::Error::from_str(&format!("{}: {e}", file.display())))
}

/// How many of the smallest packs (`counts` ascending) to merge, as
/// `git repack --geometric=2` decides: find where the sizes stop doubling
/// from the top, then roll up every pack smaller than twice what is merged.
/// 0 or 1 means nothing to merge.
pub(crate) fn geometric_split(counts: &[u64]) -> usize {
    let n = counts.len();
    if n < 2 {
        return 0;
    }
    let mut i = n - 1;
    while i > 0 && counts[i] >= counts[i - 1].saturating_mul(2) {
        i -= 1;
    }
    let mut split = if i == 0 { 0 } else { i + 1 };
    let mut total: u64 = counts[..split].iter().sum();
    while split < n && counts[split] < total.saturating_mul(2) {
        total += counts[split];
        split += 1;
    }
    split
}

/// Packs with an index and no `.keep`, with their sizes in bytes.
type SizedPacks = Vec<(PathBuf, u64)>;

/// The store's packs under `big` bytes, then the others.
fn packs_by_size(store: &Path, big: u64) -> (SizedPacks, SizedPacks) {
    packing::pack_indexes(store)
        .into_iter()
        .filter(|idx| !idx.with_extension("keep").exists())
        .filter_map(|idx| std::fs::metadata(idx.with_extension("pack")).ok().map(|m| (idx, m.len())))
        .partition(|(_, len)| *len < big)
}

/// A temporary pack file this old, whose writer is gone, was left by a
/// killed process (a killed merge of large packs can leave hundreds of
/// megabytes).
const STALE_TEMP: std::time::Duration = std::time::Duration::from_secs(600);

/// Our own temporary pack files (`packfile::temp_path`) whose process no longer runs and that are over
/// [`STALE_TEMP`] old. Where the system has no `/proc` to ask, none.
fn stale_temps(store: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(store.join("objects").join("pack")) else { return vec![] };
    if !Path::new("/proc/self").exists() {
        return vec![];
    }
    rd.flatten()
        .filter(|e| {
            let Some(pid) = super::packfile::temp_owner(&e.file_name().to_string_lossy()) else { return false };
            let old = e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t.elapsed().is_ok_and(|a| a >= STALE_TEMP));
            old && pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists()
        })
        .map(|e| e.path())
        .collect()
}

/// Loose objects in the store, estimated from `objects/17` as git's
/// `gc --auto` does (object ids are uniform, so one folder in 256 is a fair
/// sample).
fn estimate_loose(store: &Path) -> usize {
    std::fs::read_dir(store.join("objects").join("17"))
        .map(|rd| rd.flatten().filter(|e| e.file_name().len() == 38).count() * 256)
        .unwrap_or(0)
}

/// A version-2 pack index's object ids in the order of their offsets in the
/// pack (the order the pack builder chose); other versions in index order.
fn idx_ids_in_pack_order(idx: &Path) -> std::io::Result<Vec<Oid>> {
    let ids = packing::idx_object_ids(idx)?;
    let data = std::fs::read(idx)?;
    if !data.starts_with(b"\xfftOc") {
        return Ok(ids);
    }
    let n = ids.len();
    let offsets_at = 8 + 1024 + n * 20 + n * 4;
    let Some(table) = data.get(offsets_at..offsets_at + n * 4) else { return Ok(ids) };
    let mut order: Vec<(u32, usize)> = table
        .chunks_exact(4)
        .enumerate()
        // A large offset (top bit set) points into the 64-bit table; only
        // packs over 2 GiB have them and those are never small.
        .map(|(i, b)| (u32::from_be_bytes([b[0], b[1], b[2], b[3]]), i))
        .collect();
    order.sort_unstable();
    Ok(order.into_iter().map(|(_, i)| ids[i]).collect())
}

#[cfg(test)]
mod tests {
    use super::geometric_split;

    #[test]
    fn equal_packs_are_all_merged() {
        assert_eq!(geometric_split(&[5, 5, 5, 5, 5, 5, 5, 5, 5]), 9);
    }

    #[test]
    fn a_doubling_progression_is_left_alone() {
        assert_eq!(geometric_split(&[1, 2, 4, 8, 16, 32, 64, 128, 256]), 0);
    }

    #[test]
    fn small_packs_below_a_progression_are_merged_and_rolled_up() {
        // 1+1+1 = 3 merged; 4 < 2*3 so it joins (7); 100 stays.
        assert_eq!(geometric_split(&[1, 1, 1, 4, 100]), 4);
        assert_eq!(geometric_split(&[1]), 0);
        assert_eq!(geometric_split(&[]), 0);
    }
}
