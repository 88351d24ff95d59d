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
use super::{info::dir_size, store_err, Store, REF_PREFIX};
use crate::error::{Error, Result};
use git2::{Oid, Sort};
use serde::Serialize;
use std::collections::HashSet;

/// What `gc` did.
#[derive(Debug, Clone, Serialize)]
pub struct GcReport {
    pub size_before: u64,
    pub size_after: u64,
    /// Objects in the new pack.
    pub objects: usize,
    pub loose_removed: usize,
    pub packs_removed: usize,
    pub pack: Option<String>,
}

impl Store {
    /// Pack the store (see the module docs for the order of operations).
    pub fn gc(&self) -> Result<GcReport> {
        let size_before = dir_size(&self.path);
        let plan = self.reachable_plan()?;
        let written = packing::write_pack(&self.repo, &plan, packing::Effort::Smallest)
            .map_err(|e| store_err(&self.path, "cannot write the pack", e))?;
        let mut report = GcReport {
            size_before,
            size_after: size_before,
            objects: plan.len(),
            loose_removed: 0,
            packs_removed: 0,
            pack: written.as_ref().map(|w| w.pack.display().to_string()),
        };
        if let Some(w) = &written {
            let in_pack: HashSet<Oid> = packing::idx_object_ids(&w.idx)
                .map_err(|e| Error::io("reading the new pack index", e))?
                .into_iter()
                .collect();
            // The index we just wrote must list everything we planned, or
            // deleting anything would be unsafe.
            if let Some((missing, _)) = plan.objects.iter().find(|(id, _)| !in_pack.contains(id)) {
                return Err(Error::Store {
                    path: self.path.clone(),
                    msg: format!("the new pack lacks object {missing}; nothing was removed"),
                    hint: Some("run `redline fsck`".into()),
                });
            }
            report.loose_removed = remove_loose(&self.path, &in_pack);
            report.packs_removed = remove_redundant_packs(&self.path, &w.idx, &in_pack);
        }
        self.repo.refdb_compress().map_err(|e| store_err(&self.path, "cannot pack refs", e))?;
        report.size_after = dir_size(&self.path);
        Ok(report)
    }

    /// Every object reachable from any ref. Article chains are added oldest
    /// first with delta-ordering hints; other refs (if someone added any) are
    /// walked generically.
    fn reachable_plan(&self) -> Result<PackPlan> {
        let err = |e| store_err(&self.path, "cannot walk the store", e);
        let mut plan = PackPlan::default();
        let mut seq: u64 = 0;
        for (_, tip) in self.article_refs()? {
            let mut walk = self.repo.revwalk().map_err(err)?;
            walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE).map_err(err)?;
            walk.push(tip).map_err(err)?;
            for id in walk {
                let id = id.map_err(err)?;
                if !plan.contains(&id) {
                    plan.add_revision(&self.repo, id, seq).map_err(err)?;
                    seq += 1;
                }
            }
        }
        self.add_other_refs(&mut plan).map_err(err)?;
        Ok(plan)
    }

    fn add_other_refs(&self, plan: &mut PackPlan) -> std::result::Result<(), git2::Error> {
        for r in self.repo.references()? {
            let r = r?;
            if r.name_bytes().starts_with(REF_PREFIX.as_bytes()) {
                continue;
            }
            let Some(target) = r.resolve().ok().and_then(|r| r.target()) else { continue };
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
                plan.add(target, None);
            }
        }
        Ok(())
    }
}

/// Delete loose objects the new pack holds; returns how many.
fn remove_loose(store: &std::path::Path, in_pack: &HashSet<Oid>) -> usize {
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
    let mut removed = 0;
    for idx in packing::pack_indexes(store) {
        if idx == new_idx || idx.with_extension("keep").exists() {
            continue;
        }
        let Ok(ids) = packing::idx_object_ids(&idx) else { continue };
        if !ids.iter().all(|id| in_pack.contains(id)) {
            continue;
        }
        // Index first: a pack without its index is invisible, never corrupt.
        if std::fs::remove_file(&idx).is_ok() {
            for ext in ["pack", "rev", "bitmap", "mtimes"] {
                let _ = std::fs::remove_file(idx.with_extension(ext));
            }
            removed += 1;
        }
    }
    removed
}
