//! Writing pack files with libgit2's pack builder, shared by `gc` and
//! `import`, and reading pack indexes.
//!
//! Why the odd object names: libgit2's delta search (window 10, depth 50,
//! neither configurable) sorts candidate objects by type, then by a 32-bit
//! hash of the name they were inserted with, then by size, and only tries
//! deltas against the 10 objects before each one. Every revision's text is
//! called `article.txt`, so by default all articles' texts would be sorted
//! together by size and the window would mostly see unrelated articles. We
//! instead insert each blob under a synthetic name whose hash encodes its
//! position in history ([`order_name`]), so each text sits next to the
//! neighbouring revisions of the same article — the best delta bases. The
//! name is only a sort hint; it is never stored.

use git2::{Oid, Repository};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Which blob of a revision, so texts and meta.json files sort apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlobKind {
    Text,
    Meta,
}

/// Number of base-4 digits of the sort key that survive libgit2's hash.
const KEY_DIGITS: usize = 13;
const KEY_BITS: u32 = 2 * KEY_DIGITS as u32;

/// A name whose libgit2 name-hash sorts by (`kind`, `seq`): a higher `seq`
/// comes earlier in the delta window. Callers number revisions so that, within
/// an article, later revisions get higher numbers (newest first, as git does).
pub(crate) fn order_name(kind: BlobKind, seq: u64) -> String {
    let kind_bit = match kind {
        BlobKind::Text => 1u64,
        BlobKind::Meta => 0,
    };
    let key = (kind_bit << (KEY_BITS - 1)) | (seq & ((1 << (KEY_BITS - 1)) - 1));
    // libgit2's hash gives the last character the most weight, so the most
    // significant digit goes last.
    (0..KEY_DIGITS).map(|i| char::from(b'0' + ((key >> (2 * i)) & 3) as u8)).collect()
}

/// The objects of one pack, in insertion order, with their sort hints.
#[derive(Default)]
pub(crate) struct PackPlan {
    pub objects: Vec<(Oid, Option<String>)>,
    seen: HashSet<Oid>,
}

impl PackPlan {
    pub(crate) fn add(&mut self, id: Oid, name: Option<String>) {
        if self.seen.insert(id) {
            self.objects.push((id, name));
        }
    }

    pub(crate) fn contains(&self, id: &Oid) -> bool {
        self.seen.contains(id)
    }

    pub(crate) fn len(&self) -> usize {
        self.objects.len()
    }

    /// A revision's four objects: commit, tree, text and meta blobs.
    pub(crate) fn add_revision(&mut self, repo: &Repository, commit: Oid, seq: u64) -> Result<(), git2::Error> {
        let c = repo.find_commit(commit)?;
        self.add(commit, None);
        let tree = c.tree()?;
        self.add(tree.id(), None);
        for entry in tree.iter() {
            let hint = match entry.name().ok() {
                Some(super::TEXT_FILE) => Some(order_name(BlobKind::Text, seq)),
                Some(super::META_FILE) => Some(order_name(BlobKind::Meta, seq)),
                _ => None,
            };
            match (hint, entry.kind()) {
                (Some(h), Some(git2::ObjectType::Blob)) => self.add(entry.id(), Some(h)),
                // Anything unexpected is still kept, fully.
                _ => self.add_tree_or_object(repo, entry.id(), entry.name().ok())?,
            }
        }
        Ok(())
    }

    /// `id` and, when it is a tree, everything below it. Iterative, with an
    /// explicit stack: a hostile tree nested 50,000 levels deep must not
    /// overflow the call stack.
    pub(crate) fn add_tree_or_object(
        &mut self,
        repo: &Repository,
        id: Oid,
        name: Option<&str>,
    ) -> Result<(), git2::Error> {
        let mut stack = vec![(id, name.map(str::to_string))];
        while let Some((id, name)) = stack.pop() {
            if self.contains(&id) {
                continue;
            }
            self.add(id, name);
            if let Ok(tree) = repo.find_tree(id) {
                for e in tree.iter() {
                    stack.push((e.id(), e.name().ok().map(str::to_string)));
                }
            }
        }
        Ok(())
    }
}

/// A pack written into `objects/pack`.
pub(crate) struct WrittenPack {
    pub pack: PathBuf,
    pub idx: PathBuf,
}

/// How hard the pack builder works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effort {
    /// One thread: deterministic and smallest. libgit2 splits the object
    /// list between threads and no delta window crosses a split, which cost
    /// about 4 % on the progit corpus.
    Smallest,
    /// One thread per CPU, for bulk import.
    Fastest,
}

/// Delta-compress the planned objects into a new pack in `objects/pack`,
/// flushed to disk before returning (callers delete things afterwards).
pub(crate) fn write_pack(
    repo: &Repository,
    plan: &PackPlan,
    effort: Effort,
) -> Result<Option<WrittenPack>, git2::Error> {
    write_pack_to(repo, plan, effort, repo.path())
}

/// [`write_pack`] with the objects read from `repo` (an in-memory one, for
/// import) and the pack written into the store at `store`.
pub(crate) fn write_pack_to(
    repo: &Repository,
    plan: &PackPlan,
    effort: Effort,
    store: &Path,
) -> Result<Option<WrittenPack>, git2::Error> {
    if plan.objects.is_empty() {
        return Ok(None);
    }
    let mut pb = repo.packbuilder()?;
    pb.set_threads(match effort {
        Effort::Smallest => 1,
        Effort::Fastest => 0, // 0 = one per CPU
    });
    for (id, name) in &plan.objects {
        pb.insert_object(*id, name.as_deref())?;
    }
    let dir = store.join("objects").join("pack");
    pb.write(&dir, 0)?;
    let hash = pb.name()?.map(str::to_string).ok_or_else(|| git2::Error::from_str("the pack builder named no pack"))?;
    let written =
        WrittenPack { pack: dir.join(format!("pack-{hash}.pack")), idx: dir.join(format!("pack-{hash}.idx")) };
    sync_files(&[&written.pack, &written.idx, &dir])
        .map_err(|e| git2::Error::from_str(&format!("cannot flush the new pack to disk: {e}")))?;
    Ok(Some(written))
}

/// fsync files and directories so a crash cannot lose what we rely on.
fn sync_files(paths: &[&Path]) -> std::io::Result<()> {
    for p in paths {
        std::fs::File::open(p)?.sync_all()?;
    }
    Ok(())
}

/// The object ids listed in a pack index (`.idx` version 1 or 2).
pub(crate) fn idx_object_ids(idx: &Path) -> std::io::Result<Vec<Oid>> {
    let data = std::fs::read(idx)?;
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{} is not a pack index", idx.display()));
    let (fanout_at, entry_at, stride, oid_off) =
        if data.starts_with(b"\xfftOc") { (8, 8 + 1024, 20, 0) } else { (0, 1024, 24, 4) };
    let count_at = fanout_at + 255 * 4;
    let n = data.get(count_at..count_at + 4).ok_or_else(bad)?;
    let n = u32::from_be_bytes([n[0], n[1], n[2], n[3]]) as usize;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let at = entry_at + i * stride + oid_off;
        let raw = data.get(at..at + 20).ok_or_else(bad)?;
        out.push(Oid::from_bytes(raw).map_err(|_| bad())?);
    }
    Ok(out)
}

/// Number of objects in a pack index, read from its header only.
pub(crate) fn idx_object_count(idx: &Path) -> std::io::Result<u64> {
    use std::io::Read;
    let mut head = [0u8; 8 + 1024];
    let mut f = std::fs::File::open(idx)?;
    f.read_exact(&mut head)?;
    let at = if head.starts_with(b"\xfftOc") { 8 + 255 * 4 } else { 255 * 4 };
    Ok(u64::from(u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]])))
}

/// The `.idx` files of a store's packs.
pub(crate) fn pack_indexes(store: &Path) -> Vec<PathBuf> {
    let dir = store.join("objects").join("pack");
    let Ok(rd) = std::fs::read_dir(dir) else { return vec![] };
    let mut v: Vec<PathBuf> =
        rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "idx")).collect();
    v.sort();
    v
}

/// Loose object files: `objects/xx/<38 hex>`.
pub(crate) fn loose_objects(store: &Path) -> Vec<(Oid, PathBuf)> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(store.join("objects")) else { return out };
    for dir in rd.flatten() {
        let dname = dir.file_name().to_string_lossy().into_owned();
        if dname.len() != 2 || !dname.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let Ok(files) = std::fs::read_dir(dir.path()) else { continue };
        for f in files.flatten() {
            let fname = f.file_name().to_string_lossy().into_owned();
            if fname.len() == 38 {
                if let Ok(id) = Oid::from_str(&format!("{dname}{fname}")) {
                    out.push((id, f.path()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// libgit2's `name_hash` (pack-objects.c), to check our names sort right.
    fn name_hash(name: &str) -> u32 {
        let mut hash: u32 = 0;
        for c in name.bytes() {
            if c.is_ascii_whitespace() {
                continue;
            }
            hash = (hash >> 2).wrapping_add(u32::from(c) << 24);
        }
        hash
    }

    #[test]
    fn order_names_sort_by_kind_then_seq() {
        let mut prev = 0;
        for seq in [0u64, 1, 2, 3, 4, 5, 15, 16, 17, 255, 256, 1000, 4095, 4096, 65535, 1 << 20, (1 << 25) - 1] {
            let h = name_hash(&order_name(BlobKind::Meta, seq));
            assert!(seq == 0 || h > prev, "meta seq {seq}: {h} <= {prev}");
            prev = h;
        }
        let top_meta = prev;
        let first_text = name_hash(&order_name(BlobKind::Text, 0));
        assert!(first_text > top_meta);
        assert!(name_hash(&order_name(BlobKind::Text, 7)) > first_text);
    }
}
