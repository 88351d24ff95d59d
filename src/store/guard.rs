//! Checks made before anything is written, so a refusal leaves the store
//! exactly as it was: partial (shallow or grafted) histories, names that
//! would nest inside another article, and article refs git cannot follow.

use super::packed_refs::PackedRefs;
use super::{ref_name, store_err, validate_name, Result, Store, StoreError, REF_PREFIX};
use git2::{ErrorCode, ObjectType, Oid, ReferenceType};
use std::collections::HashSet;
use std::path::Path;

/// The message for every refused write into a partial history.
pub const SHALLOW_MSG: &str = "this store is shallow: fetch its full history first";

/// How an article's ref was found.
pub(crate) enum Lookup {
    Missing,
    Found(Oid),
    /// Listed in `packed-refs`, which claims to be sorted but is not, so
    /// git's binary search misses it. Readable; writing would fork the chain.
    Unsorted(Oid),
}

impl Store {
    /// Why the store holds only part of its history, if it does: a shallow
    /// clone or fetch, or `info/grafts` rewriting parents. Revision numbers
    /// and `same_as` would then be computed from a truncated chain.
    pub fn partial_history(&self) -> Option<String> {
        if self.repo.is_shallow() || self.path.join("shallow").exists() {
            return Some("it is a shallow clone: the file `shallow` lists commits whose parents are missing".into());
        }
        let grafts = self.path.join("info").join("grafts");
        if std::fs::metadata(&grafts).is_ok_and(|m| m.len() > 0) {
            return Some(format!("{} replaces the parents of some commits", grafts.display()));
        }
        None
    }

    /// Refuse to write into a partial history.
    pub(crate) fn check_writable(&self) -> Result<()> {
        match self.partial_history() {
            None => Ok(()),
            Some(why) => Err(StoreError::Shallow { path: self.path.clone(), why }),
        }
    }

    /// Refuse `name` when it would nest inside another article (`a` exists
    /// and `name` is `a/b`) or another article nests inside it. Git keeps
    /// `refs/articles/a` as a file, so it cannot also be a folder.
    pub(crate) fn check_nesting(&self, name: &str) -> Result<()> {
        for (i, _) in name.match_indices('/') {
            let parent = &name[..i];
            if self.ref_exists(parent)? {
                return Err(nesting_error(name, parent));
            }
        }
        // Children: a loose ref file below `refs/articles/NAME/`, or a
        // packed one (binary search; never a pass over every ref).
        let under = format!("{REF_PREFIX}{name}/");
        let child = match loose_ref_under(&self.path.join(&under)) {
            Some(rel) => Some(format!("{name}/{rel}")),
            None => self.packed_first_under(&under).map(|full| full.trim_start_matches(REF_PREFIX).to_string()),
        };
        match child {
            Some(child) => Err(nesting_error(name, &child)),
            None => Ok(()),
        }
    }

    /// The id `packed-refs` lists for the full ref name `full` (used when
    /// git's own lookup missed it: a file that claims to be sorted and is
    /// not).
    pub(crate) fn packed_entry(&self, full: &str) -> Option<Oid> {
        self.with_packed_refs(|p| p.get(full))
    }

    /// Binary search over the file when it says it is sorted (a commit to
    /// one article of a million then reads a few KB, not 70 MB); else the
    /// index.
    fn packed_first_under(&self, prefix: &str) -> Option<String> {
        match super::packed_refs::first_under_sorted(&self.path, prefix) {
            Ok(Some(found)) => found,
            _ => self.with_packed_refs(|p| p.first_under(prefix)),
        }
    }

    /// Run `f` on the index of `packed-refs`, read again only when the file
    /// changed since this handle last read it (unreadable: no refs, as git
    /// would see it).
    pub(crate) fn with_packed_refs<T>(&self, f: impl FnOnce(&PackedRefs) -> T) -> T {
        let mut slot = self.packed.borrow_mut();
        let known = slot.as_ref().map(|(stamp, _)| *stamp);
        match PackedRefs::load_if_changed(&self.path, known) {
            Ok(Some(fresh)) => *slot = Some(fresh),
            Ok(None) => {}
            Err(_) => *slot = None,
        }
        match slot.as_ref() {
            Some((_, p)) => f(p),
            None => f(&PackedRefs::default()),
        }
    }

    /// Check every name an import will write before it writes any: each is
    /// valid, none nests inside another of the batch or of the store.
    /// `names` pairs each name with where it first appears (for errors).
    pub fn check_new_names(&self, names: &[(String, String)]) -> Result<()> {
        let set: HashSet<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
        for (name, at) in names {
            validate_name(name).map_err(|e| e.at(at))?;
            for (i, _) in name.match_indices('/') {
                if set.contains(&name[..i]) {
                    return Err(nesting_error(name, &name[..i]).at(at));
                }
            }
        }
        for (name, at) in names {
            if matches!(self.lookup(name).map_err(|e| e.at(at))?, Lookup::Missing) {
                self.check_nesting(name).map_err(|e| e.at(at))?;
            }
        }
        Ok(())
    }

    fn ref_exists(&self, name: &str) -> Result<bool> {
        match self.repo.find_reference(&ref_name(name)) {
            Ok(_) => Ok(true),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(self.packed_entry(&ref_name(name)).is_some()),
            Err(e) => Err(store_err(&self.path, &format!("cannot read the ref of {name}"), e)),
        }
    }

    /// Find an article's ref. A symbolic ref, or one pointing at anything
    /// but a commit, is damage named by article.
    pub(crate) fn lookup(&self, name: &str) -> Result<Lookup> {
        let full = ref_name(name);
        let r = match self.repo.find_reference(&full) {
            Ok(r) => r,
            Err(e) if e.code() == ErrorCode::NotFound => {
                return Ok(match self.packed_entry(&full) {
                    Some(id) => Lookup::Unsorted(id),
                    None => Lookup::Missing,
                })
            }
            Err(e) => return Err(store_err(&self.path, &format!("cannot read the ref of article {name:?}"), e)),
        };
        if r.kind() == Some(ReferenceType::Symbolic) {
            let to = r.symbolic_target().ok().flatten().unwrap_or("?").to_string();
            return Err(self.bad_ref(name, &format!("its ref {full} is symbolic (it points at {to}), not at a commit")));
        }
        let id = r.target().ok_or_else(|| self.bad_ref(name, &format!("its ref {full} has no target")))?;
        self.require_commit(name, id)?;
        Ok(Lookup::Found(id))
    }

    /// The article's tip must be a commit (not a blob, tree or tag).
    pub(crate) fn require_commit(&self, name: &str, id: Oid) -> Result<()> {
        let odb = self.repo.odb().map_err(|e| store_err(&self.path, "cannot open the object database", e))?;
        match odb.read_header(id) {
            Ok((_, ObjectType::Commit)) => Ok(()),
            Ok((_, kind)) => Err(self.bad_ref(name, &format!("its ref points at a {kind}, {id}, not at a commit"))),
            Err(e) => Err(self.bad_ref(name, &format!("its tip {id} cannot be read: {}", e.message()))),
        }
    }

    /// The tip to build on; refuses refs that writing would damage further.
    pub(crate) fn tip_for_write(&self, name: &str) -> Result<Option<Oid>> {
        match self.lookup(name)? {
            Lookup::Missing => Ok(None),
            Lookup::Found(id) => Ok(Some(id)),
            Lookup::Unsorted(_) => {
                Err(StoreError::UnsortedPackedRefs { path: self.path.clone(), name: name.to_string() })
            }
        }
    }

    pub(crate) fn bad_ref(&self, name: &str, msg: &str) -> StoreError {
        StoreError::BadRef { path: self.path.clone(), name: name.to_string(), why: msg.to_string() }
    }
}

fn nesting_error(name: &str, other: &str) -> StoreError {
    StoreError::Nested { name: name.to_string(), other: other.to_string() }
}

/// The first loose ref file below `dir` (a folder of `refs/articles/`),
/// as a path relative to `dir`, skipping `.lock` files;
/// None when there is no such folder (the common case: one failed stat).
fn loose_ref_under(dir: &Path) -> Option<String> {
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, rel)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        let mut entries: Vec<_> = rd.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let fname = e.file_name().to_string_lossy().into_owned();
            let rel = if rel.is_empty() { fname.clone() } else { format!("{rel}/{fname}") };
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push((e.path(), rel)),
                Ok(_) if !fname.ends_with(".lock") => return Some(rel),
                _ => {}
            }
        }
    }
    None
}
