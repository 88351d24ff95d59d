//! Merging large packs by copying their entries, not by repacking.
//!
//! Why: an import of a million revisions writes a pack every 64 MB (twenty
//! of them for the S1 benchmark store), and libgit2 searches packs one by
//! one, so every object read pays twenty index searches (`show` of one
//! article 1.6× its time in a one-pack store). Merging them with the pack
//! builder is a full repack (648 s and 4.4 GB for four million objects,
//! measured). But the objects are already compressed and deltified: a new
//! pack can be the old packs' entries one after the other, each copied as
//! it is. Nothing is inflated and nothing is searched; the cost is reading
//! and writing the bytes once, and SHA-1 over them (the source packs'
//! trailers are checked on the way, so a damaged pack is never copied).
//!
//! Entries are copied in each pack's own order, so an `OFS_DELTA` keeps its
//! base before it; its distance back is re-encoded when entries before it
//! moved. An object already copied from an earlier pack (the same text
//! stored by two imports) is written once: deltas in the later pack that
//! were based on the dropped copy become `REF_DELTA`s naming it by id, which
//! every git reader resolves within the pack.
//!
//! Crash safety as [`super::packfile`]: `tmp_` names, fsync, rename pack
//! first; the caller deletes the merged packs only after reading the new
//! index back and finding every one of their objects in it.

use super::packfile::{self, HashingWriter, IdxEntry};
use super::packing::WrittenPack;
use sha1::{Digest, Sha1};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

const OFS_DELTA: u8 = 6;
const REF_DELTA: u8 = 7;

/// What a merge wrote.
pub(crate) struct Concatenated {
    pub written: WrittenPack,
    /// Objects in the new pack.
    pub objects: u64,
}

/// One object of a source pack, as its index lists it.
#[derive(Clone, Copy)]
struct Source {
    id: [u8; 20],
    /// Offset in its own pack, then (after copying) in the new pack.
    offset: u64,
    crc: u32,
    pack: u32,
    /// A later copy of an object an earlier pack holds: not written.
    repeat: bool,
}

/// A source pack's index, read and checked.
struct SourceIndex {
    idx: PathBuf,
    pack_sum: [u8; 20],
}

fn bad(what: &Path, why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{}: {why}", what.display()))
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// Merge the packs whose indexes are `idxs` (at least two) into one new
/// pack in `store`. The old packs are left in place: deleting them is the
/// caller's decision, once it has checked the new index.
pub(crate) fn concatenate(store: &Path, idxs: &[PathBuf]) -> io::Result<Concatenated> {
    let mut all = Vec::new();
    let mut sources = Vec::with_capacity(idxs.len());
    for (i, idx) in idxs.iter().enumerate() {
        let pack = u32::try_from(i).map_err(|_| bad(idx, "too many packs"))?;
        sources.push(read_index(idx, pack, &mut all)?);
    }
    all.sort_unstable_by(|a, b| a.id.cmp(&b.id).then(a.pack.cmp(&b.pack)));
    let mut repeats = 0u64;
    for i in 1..all.len() {
        if all[i].id == all[i - 1].id {
            all[i].repeat = true;
            repeats += 1;
        }
    }
    let objects = all.len() as u64 - repeats;
    let count = u32::try_from(objects).map_err(|_| bad(store, "more than 2^32 objects in one pack"))?;
    let dir = store.join("objects").join("pack");
    let tmp_pack = packfile::temp_path(&dir, "pack");
    let result = write_both(&dir, &tmp_pack, &sources, &mut all, count);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp_pack);
    }
    Ok(Concatenated { written: result?, objects })
}

/// Write the pack and then its index under temporary names, fsync both and
/// rename them into place, pack first.
fn write_both(
    dir: &Path,
    tmp_pack: &Path,
    sources: &[SourceIndex],
    all: &mut [Source],
    count: u32,
) -> io::Result<WrittenPack> {
    let file = File::options().write(true).create_new(true).open(tmp_pack)?;
    let mut out = HashingWriter::new(BufWriter::with_capacity(1 << 20, file));
    out.write_all(b"PACK\0\0\0\x02")?;
    out.write_all(&count.to_be_bytes())?;
    // Each pack's entries in offset order, as positions into `all`.
    let mut by_pack: Vec<Vec<u32>> = vec![Vec::new(); sources.len()];
    for (i, s) in all.iter().enumerate() {
        by_pack[s.pack as usize].push(i as u32);
    }
    for (p, src) in sources.iter().enumerate() {
        let order = &mut by_pack[p];
        order.sort_unstable_by_key(|&i| all[i as usize].offset);
        copy_pack(src, order, all, &mut out)?;
    }
    let pack_sum = out.digest();
    out.inner.write_all(&pack_sum)?;
    let file = out.inner.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    drop(file);

    let tmp_idx = packfile::temp_path(dir, "idx");
    let written = write_index_file(&tmp_idx, all, &pack_sum).and_then(|()| {
        let hex: String = pack_sum.iter().map(|b| format!("{b:02x}")).collect();
        let pack = dir.join(format!("pack-{hex}.pack"));
        let idx = dir.join(format!("pack-{hex}.idx"));
        // Read-only, as git and libgit2 leave packs.
        for f in [tmp_pack, tmp_idx.as_path()] {
            std::fs::set_permissions(f, std::os::unix::fs::PermissionsExt::from_mode(0o444))?;
        }
        std::fs::rename(tmp_pack, &pack)?;
        std::fs::rename(&tmp_idx, &idx)?;
        File::open(dir)?.sync_all()?;
        Ok(WrittenPack { pack, idx })
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp_idx);
    }
    written
}

fn write_index_file(path: &Path, all: &[Source], pack_sum: &[u8; 20]) -> io::Result<()> {
    let file = File::options().write(true).create_new(true).open(path)?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    let entry = |s: &Source| (!s.repeat).then_some(IdxEntry { id: s.id, offset: s.offset, crc: s.crc });
    packfile::write_index(&mut w, all, entry, pack_sum)?;
    let file = w.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()
}

/// Read a version-2 index: its entries go to `all`, tagged with `pack`.
fn read_index(idx: &Path, pack: u32, all: &mut Vec<Source>) -> io::Result<SourceIndex> {
    let data = std::fs::read(idx)?;
    if !data.starts_with(b"\xfftOc\0\0\0\x02") || data.len() < 8 + 1024 + 40 {
        return Err(bad(idx, "not a version-2 pack index"));
    }
    let (body, own) = data.split_at(data.len() - 20);
    if Sha1::digest(body).as_slice() != own {
        return Err(bad(idx, "the index's checksum does not match its contents"));
    }
    let n = be32(&data[8 + 255 * 4..]) as usize;
    let ids_at = 8 + 1024;
    let crcs_at = ids_at + n * 20;
    let offs_at = crcs_at + n * 4;
    let large_at = offs_at + n * 4;
    if data.len() < large_at + 40 {
        return Err(bad(idx, "the index is truncated"));
    }
    let large = &data[large_at..data.len() - 40];
    all.reserve(n);
    for i in 0..n {
        let small = be32(&data[offs_at + i * 4..]);
        let offset = if small & 0x8000_0000 == 0 {
            u64::from(small)
        } else {
            let at = (small & 0x7fff_ffff) as usize * 8;
            let b = large.get(at..at + 8).ok_or_else(|| bad(idx, "a large offset is out of range"))?;
            u64::from_be_bytes(b.try_into().expect("8 bytes"))
        };
        let id: [u8; 20] = data[ids_at + i * 20..ids_at + i * 20 + 20].try_into().expect("20 bytes");
        let crc = be32(&data[crcs_at + i * 4..]);
        all.push(Source { id, offset, crc, pack, repeat: false });
    }
    let pack_sum: [u8; 20] = data[data.len() - 40..data.len() - 20].try_into().expect("20 bytes");
    Ok(SourceIndex { idx: idx.to_path_buf(), pack_sum })
}

/// Where an entry of the pack being copied went.
#[derive(Clone, Copy)]
enum Moved {
    At(u64),
    Dropped([u8; 20]),
}

/// Append one source pack's entries (`order`: positions in `all`, by
/// offset) to `out`, checking the source's trailer as it is read.
fn copy_pack(
    src: &SourceIndex,
    order: &[u32],
    all: &mut [Source],
    out: &mut HashingWriter<impl Write>,
) -> io::Result<()> {
    let pack_path = src.idx.with_extension("pack");
    let file = File::open(&pack_path)?;
    let len = file.metadata()?.len();
    let mut r = HashingReader { inner: BufReader::with_capacity(1 << 20, file), hash: Sha1::new() };
    let mut head = [0u8; 12];
    r.read_exact(&mut head)?;
    if &head[..4] != b"PACK" || !matches!(be32(&head[4..]), 2 | 3) {
        return Err(bad(&pack_path, "not a version-2 pack"));
    }
    if be32(&head[8..]) as usize != order.len() {
        return Err(bad(&pack_path, "the pack and its index disagree on the object count"));
    }
    let end = len.checked_sub(20).ok_or_else(|| bad(&pack_path, "the pack is truncated"))?;
    // (old offset, where it went), ascending: deltas look their base up here.
    let mut moved: Vec<(u64, Moved)> = Vec::with_capacity(order.len());
    let mut pos = 12u64;
    let mut entry = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        let old = all[i as usize].offset;
        let next = order.get(k + 1).map_or(end, |&j| all[j as usize].offset);
        if old != pos || next <= old || next > end {
            return Err(bad(&pack_path, "the index's offsets do not tile the pack"));
        }
        entry.resize((next - old) as usize, 0);
        r.read_exact(&mut entry)?;
        pos = next;
        let s = &mut all[i as usize];
        if s.repeat {
            moved.push((old, Moved::Dropped(s.id)));
            continue;
        }
        let new = out.written;
        let rewritten = rewrite_entry(&entry, old, new, &moved).ok_or_else(|| bad(&pack_path, "a damaged entry"))?;
        let bytes = rewritten.as_deref().unwrap_or(&entry);
        out.write_all(bytes)?;
        let mut crc = flate2::Crc::new();
        crc.update(bytes);
        s.offset = new;
        s.crc = crc.sum();
        moved.push((old, Moved::At(new)));
    }
    let sum: [u8; 20] = r.hash.clone().finalize().into();
    let mut trailer = [0u8; 20];
    r.inner.read_exact(&mut trailer)?;
    if trailer != sum || trailer != src.pack_sum {
        return Err(bad(&pack_path, "the pack's checksum does not match its contents or its index"));
    }
    Ok(())
}

/// The entry re-encoded for its new place, `Some(None)` when it can be
/// copied as it is, `None` when it is damaged.
fn rewrite_entry(entry: &[u8], old: u64, new: u64, moved: &[(u64, Moved)]) -> Option<Option<Vec<u8>>> {
    let mut h = 0;
    let kind = (entry.first()? >> 4) & 7;
    while entry.get(h)? & 0x80 != 0 {
        h += 1;
    }
    h += 1;
    match kind {
        1..=4 | REF_DELTA => return Some(None),
        OFS_DELTA => {}
        _ => return None,
    }
    let (back, used) = read_ofs(&entry[h..])?;
    let base_old = old.checked_sub(back).filter(|&b| b >= 12)?;
    let at = moved.binary_search_by_key(&base_old, |m| m.0).ok()?;
    let mut out = Vec::with_capacity(entry.len() + 20);
    match moved[at].1 {
        Moved::At(base_new) if new - base_new == back => return Some(None),
        Moved::At(base_new) => {
            out.extend_from_slice(&entry[..h]);
            packfile::ofs_back(&mut out, new - base_new);
        }
        Moved::Dropped(id) => {
            out.push((entry[0] & 0x8f) | (REF_DELTA << 4));
            out.extend_from_slice(&entry[1..h]);
            out.extend_from_slice(&id);
        }
    }
    out.extend_from_slice(&entry[h + used..]);
    Some(Some(out))
}

/// git's `OFS_DELTA` distance: big-endian 7-bit groups, each continued
/// group implicitly plus one. Returns the distance and the bytes it took.
fn read_ofs(b: &[u8]) -> Option<(u64, usize)> {
    let mut i = 0;
    let mut c = *b.first()?;
    let mut ofs = u64::from(c & 127);
    while c & 128 != 0 {
        i += 1;
        c = *b.get(i)?;
        ofs = ofs.checked_add(1)?.checked_mul(128)? + u64::from(c & 127);
    }
    Some((ofs, i + 1))
}

/// A reader that hashes what it reads, to check a pack's trailer.
struct HashingReader<R: Read> {
    inner: R,
    hash: Sha1,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::packfile::{Kind, PackWriter};
    use git2::Oid;

    fn text(seed: usize) -> Vec<u8> {
        (0..300).flat_map(|k| format!("w{} ", k * 7 + seed).into_bytes()).collect()
    }

    fn edited(base: &[u8], i: usize) -> Vec<u8> {
        let mut t = base.to_vec();
        t.splice(i * 11..i * 11, format!("edit{i} ").into_bytes());
        t
    }

    /// Three packs: deltas inside each, an object stored in two of them
    /// that the later pack also uses as a delta base, and an entry dropped
    /// between a delta and its base (so the distance back changes).
    fn three_packs(dir: &Path) -> Vec<(Oid, Vec<u8>)> {
        let mut want = Vec::new();
        let shared = text(1);
        let mut w = PackWriter::new();
        let mut prev: Option<(Oid, Vec<u8>)> = None;
        for i in 0..5 {
            let t = if i == 0 { shared.clone() } else { edited(&prev.as_ref().unwrap().1, i) };
            let id = w.add(Kind::Blob, &t, prev.as_ref().map(|(id, d)| (*id, d.as_slice())));
            want.push((id, t.clone()));
            prev = Some((id, t));
        }
        w.finish(dir).unwrap().unwrap();

        let mut w = PackWriter::new();
        let a = text(2);
        let a_id = w.add(Kind::Blob, &a, None);
        let dup = w.add(Kind::Blob, &shared, None);
        assert_eq!(dup, want[0].0);
        let b = edited(&a, 3);
        let b_id = w.add(Kind::Blob, &b, Some((a_id, &a)));
        let y = edited(&shared, 9);
        let y_id = w.add(Kind::Blob, &y, Some((dup, &shared)));
        want.extend([(a_id, a), (b_id, b), (y_id, y)]);
        w.finish(dir).unwrap().unwrap();

        let mut w = PackWriter::new();
        let c = text(3);
        let c_id = w.add(Kind::Blob, &c, None);
        let d = edited(&c, 2);
        let d_id = w.add(Kind::Blob, &d, Some((c_id, &c)));
        let tree = [b"100644 a\0".as_slice(), c_id.as_bytes()].concat();
        let t_id = w.add(Kind::Tree, &tree, None);
        want.extend([(c_id, c), (d_id, d), (t_id, tree)]);
        w.finish(dir).unwrap().unwrap();
        want
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("redline-concat-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        git2::Repository::init_bare(&dir).unwrap();
        dir
    }

    #[test]
    fn concatenated_packs_read_back_object_for_object() {
        let dir = scratch("ok");
        let want = three_packs(&dir);
        let idxs = crate::store::packing::pack_indexes(&dir);
        assert_eq!(idxs.len(), 3);
        let done = concatenate(&dir, &idxs).unwrap();
        assert_eq!(done.objects, want.len() as u64, "the repeated object is written once");
        for idx in &idxs {
            std::fs::remove_file(idx).unwrap();
            std::fs::remove_file(idx.with_extension("pack")).unwrap();
        }
        let repo = git2::Repository::open_bare(&dir).unwrap();
        let odb = repo.odb().unwrap();
        for (id, data) in &want {
            assert_eq!(odb.read(*id).unwrap().data(), data.as_slice(), "{id}");
        }
        // git's own reader checks every entry, CRC and checksum.
        let out = std::process::Command::new("git")
            .args(["verify-pack", "-v"])
            .arg(&done.written.idx)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let listing = String::from_utf8_lossy(&out.stdout);
        assert!(listing.contains("chain length = 1"), "deltas were kept: {listing}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_source_stops_the_merge_and_leaves_nothing() {
        let dir = scratch("bad");
        three_packs(&dir);
        let idxs = crate::store::packing::pack_indexes(&dir);
        let pack = idxs[1].with_extension("pack");
        let mut bytes = std::fs::read(&pack).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x55;
        std::fs::set_permissions(&pack, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
        std::fs::write(&pack, &bytes).unwrap();
        let before: Vec<_> = std::fs::read_dir(dir.join("objects/pack")).unwrap().flatten().map(|e| e.path()).collect();
        assert!(concatenate(&dir, &idxs).is_err());
        let after: Vec<_> = std::fs::read_dir(dir.join("objects/pack")).unwrap().flatten().map(|e| e.path()).collect();
        assert_eq!(before.len(), after.len(), "no new pack and no temporary file: {after:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
