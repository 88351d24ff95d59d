//! `gc`: repack everything reachable into one delta-compressed pack.
//!
//! libgit2 has no gc, so this is done by hand, in a crash-safe order:
//! 1. build and fsync a new pack holding every object reachable from refs;
//! 2. only then delete loose objects that the new pack contains, and old
//!    packs whose every object the new pack contains;
//! 3. pack the refs.
//!
//! Anything not in the new pack (objects a concurrent writer has written but
//! not yet referenced, or unreachable leftovers) is kept, so a gc racing a
//! commit or an import cannot lose data.

use super::packing::{self, PackPlan};
use super::{info::dir_size, store_err, Result, Skipped, Store, StoreError, REF_PREFIX};
use git2::{Oid, Sort};
use serde::Serialize;
use std::collections::HashSet;

/// What `gc` did.
#[derive(Debug, Clone, Serialize)]
pub struct GcReport {
    /// Store size before, in bytes.
    pub size_before: u64,
    /// Store size after, in bytes.
    pub size_after: u64,
    /// Objects in the new pack.
    pub objects: usize,
    /// Loose objects deleted (all are in the new pack).
    pub loose_removed: usize,
    /// Old packs deleted (everything in them is in the new pack).
    pub packs_removed: usize,
    /// The new pack's path, when one was written.
    pub pack: Option<String>,
    /// Articles (or other refs) whose history could not be walked: their
    /// objects were left exactly as they were, and they are named here.
    pub skipped: Vec<Skipped>,
}

impl Store {
    /// Pack the store (see the module docs for the order of operations).
    pub fn gc(&self) -> Result<GcReport> {
        self.check_writable()?;
        // One packer at a time: two that wrote different packs of the same
        // objects could each delete the other's.
        let _lock = super::maintenance::MaintenanceLock::acquire(&self.path)?;
        let size_before = dir_size(&self.path);
        let (plan, skipped) = self.reachable_plan()?;
        let written = packing::write_pack(&self.repo, &plan, packing::Effort::Smallest)
            .map_err(|e| store_err(&self.path, "cannot write the pack", e))?;
        let mut report = GcReport {
            size_before,
            size_after: size_before,
            objects: plan.len(),
            loose_removed: 0,
            packs_removed: 0,
            pack: written.as_ref().map(|w| w.pack.display().to_string()),
            skipped,
        };
        if let Some(w) = &written {
            let in_pack = verified_pack_ids(&self.path, &w.idx, &plan)?;
            report.loose_removed = remove_loose(&self.path, &in_pack);
            report.packs_removed = remove_redundant_packs(&self.path, &w.idx, &in_pack);
        }
        super::pack_refs::pack_refs(&self.path)
            .map_err(|e| StoreError::Io { context: "packing refs into packed-refs".into(), source: e })?;
        report.size_after = dir_size(&self.path);
        Ok(report)
    }

    /// Every object reachable from any ref. Article chains are added oldest
    /// first with delta-ordering hints; other refs (if someone added any) are
    /// walked generically. A ref whose history cannot be walked is skipped
    /// and named: its objects stay loose or in their old packs, untouched.
    fn reachable_plan(&self) -> Result<(PackPlan, Vec<Skipped>)> {
        let mut plan = PackPlan::default();
        let mut seq: u64 = 0;
        let (refs, mut skipped) = self.article_refs()?;
        for (name, tip) in refs {
            if let Err(e) = self.plan_article(&mut plan, tip, &mut seq) {
                skipped.push(Skipped { name, why: format!("its history cannot be walked: {}", e.message()) });
            }
        }
        let others = self.repo.references().map_err(|e| store_err(&self.path, "cannot list refs", e))?;
        for r in others.flatten() {
            if r.name_bytes().starts_with(REF_PREFIX.as_bytes()) {
                continue;
            }
            let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
            let Some(target) = r.resolve().ok().and_then(|r| r.target()) else { continue };
            if let Err(e) = self.plan_other(&mut plan, target) {
                skipped.push(Skipped { name, why: format!("it cannot be walked: {}", e.message()) });
            }
        }
        Ok((plan, skipped))
    }

    fn plan_article(&self, plan: &mut PackPlan, tip: Oid, seq: &mut u64) -> std::result::Result<(), git2::Error> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
        walk.push(tip)?;
        for id in walk {
            let id = id?;
            if !plan.contains(&id) {
                plan.add_revision(&self.repo, id, *seq)?;
                *seq += 1;
            }
        }
        Ok(())
    }

    fn plan_other(&self, plan: &mut PackPlan, target: Oid) -> std::result::Result<(), git2::Error> {
        let obj = self.repo.find_object(target, None)?;
        if obj.kind() == Some(git2::ObjectType::Commit) {
            let mut walk = self.repo.revwalk()?;
            walk.push(target)?;
            for id in walk {
                let id = id?;
                if !plan.contains(&id) {
                    plan.add_revision(&self.repo, id, 0)?;
                }
            }
        } else {
            plan.add_tree_or_object(&self.repo, target, None)?;
        }
        Ok(())
    }
}

/// The objects a freshly written pack's index lists, checked to hold every
/// planned object: deleting anything on the strength of a pack that lacks
/// one would be unsafe.
pub(crate) fn verified_pack_ids(
    store: &std::path::Path,
    idx: &std::path::Path,
    plan: &PackPlan,
) -> Result<HashSet<Oid>> {
    let in_pack: HashSet<Oid> = packing::idx_object_ids(idx)
        .map_err(|e| StoreError::Io { context: "reading the new pack index".into(), source: e })?
        .into_iter()
        .collect();
    if let Some((missing, _)) = plan.objects.iter().find(|(id, _)| !in_pack.contains(id)) {
        return Err(StoreError::PackIncomplete { path: store.to_path_buf(), missing: *missing });
    }
    Ok(in_pack)
}

/// Delete loose objects the new pack holds; returns how many.
pub(crate) fn remove_loose(store: &std::path::Path, in_pack: &HashSet<Oid>) -> usize {
    let mut removed = 0;
    let mut dirs = HashSet::new();
    for (id, path) in packing::loose_objects(store) {
        if in_pack.contains(&id) && std::fs::remove_file(&path).is_ok() {
            removed += 1;
            if let Some(d) = path.parent() {
                dirs.insert(d.to_path_buf());
            }
        }
    }
    for d in dirs {
        let _ = std::fs::remove_dir(d); // only succeeds when empty
    }
    removed
}

/// Delete older packs whose every object is in the new pack (packs with a
/// `.keep` file are left alone); returns how many.
fn remove_redundant_packs(store: &std::path::Path, new_idx: &std::path::Path, in_pack: &HashSet<Oid>) -> usize {
    remove_packs_held_by(&packing::pack_indexes(store), new_idx, |id| in_pack.contains(id))
}

/// Of the packs `candidates` (their `.idx` paths), delete each whose every
/// object the new pack holds (`held`), never the new pack itself nor one
/// with a `.keep` file; returns how many.
pub(crate) fn remove_packs_held_by(
    candidates: &[std::path::PathBuf],
    new_idx: &std::path::Path,
    held: impl Fn(&Oid) -> bool,
) -> usize {
    let mut removed = 0;
    for idx in candidates {
        // By file name: the store path may be relative while the new
        // pack's path came from libgit2 absolute, and a path comparison
        // then took the new pack for an old one and deleted it.
        if idx.file_name() == new_idx.file_name() || idx.with_extension("keep").exists() {
            continue;
        }
        let Ok(ids) = packing::idx_object_ids(idx) else { continue };
        if !ids.iter().all(&held) {
            continue;
        }
        // Index first: a pack without its index is invisible, never corrupt.
        if std::fs::remove_file(idx).is_ok() {
            for ext in ["pack", "rev", "bitmap", "mtimes"] {
                let _ = std::fs::remove_file(idx.with_extension(ext));
            }
            removed += 1;
        }
    }
    removed
}
