//! A pack file and its index written directly, for `import`.
//!
//! Why not libgit2's pack builder: an import knows the best delta base of
//! every blob (the same article's previous revision), so the builder's
//! delta search (a window of 10 candidates per object, on every object)
//! is wasted work, and so is its indexer, which re-reads the pack it just
//! wrote, inflating and hashing every object a second time. Together they
//! were a third of an import's CPU time (bench/RESULTS.md, issue 15). Here
//! each object is hashed once (its id), deltified against the base the
//! caller names (when that base is in the same pack and the delta pays),
//! deflated once and appended; the index is built from what was recorded
//! on the way. `redline gc` still repacks tightly with the delta search.
//!
//! The format is git's pack version 2 with `OFS_DELTA` entries and index
//! version 2 (`gitformat-pack`). Objects are the caller's bytes, so ids and
//! everything stored are as if libgit2 had written them.
//!
//! Crash safety as libgit2's: the pack and index are written under
//! temporary names (`tmp_pack_…`, which `fsck` reports and `gc` may
//! delete), fsynced, then renamed, pack first: git and libgit2 only see a
//! pack once its `.idx` exists.

use super::delta;
use flate2::{Compress, Compression, FlushCompress, Status};
use git2::Oid;
use sha1::{Digest, Sha1};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// git object types, as numbered in pack entry headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Commit = 1,
    Tree = 2,
    Blob = 3,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Commit => "commit",
            Kind::Tree => "tree",
            Kind::Blob => "blob",
        }
    }
}

/// Pack entry type of a delta against an earlier entry of the same pack.
const OFS_DELTA: u8 = 6;
/// Longest delta chain: git's default `pack.depth`, so reading an object
/// never applies more than this many deltas.
const MAX_DEPTH: u32 = 50;

/// The id git gives `data` as an object of `kind`.
pub(crate) fn object_id(kind: Kind, data: &[u8]) -> Oid {
    let mut h = Sha1::new();
    h.update(kind.name().as_bytes());
    h.update(b" ");
    h.update(data.len().to_string().as_bytes());
    h.update([0u8]);
    h.update(data);
    Oid::from_bytes(&h.finalize()).expect("a SHA-1 digest is 20 bytes")
}

/// Where an object sits in the pack being written.
struct Entry {
    offset: u64,
    crc: u32,
    depth: u32,
}

/// zlib streams, one per object. Objects under [`STORE_BELOW`] bytes
/// (trees, most deltas) are not compressed at all, which costs a few bytes
/// each and saves a compressor reset per object; objects under
/// [`FAST_BELOW`] (commits, meta.json, larger deltas) use level 1, which on
/// them is as small as the default level and several times faster; texts
/// get the default level (level 1 made Pro Git's 20 % larger).
pub(crate) struct Deflater {
    fast: Compress,
    default: Compress,
}

/// Objects shorter than this are written as stored (uncompressed) blocks.
const STORE_BELOW: usize = 128;
/// Objects shorter than this are compressed at level 1.
const FAST_BELOW: usize = 1024;

impl Default for Deflater {
    fn default() -> Self {
        Deflater {
            fast: Compress::new(Compression::fast(), true),
            default: Compress::new(Compression::default(), true),
        }
    }
}

impl Deflater {
    /// Append `data` to `out` as one zlib stream.
    pub(crate) fn deflate_into(&mut self, data: &[u8], out: &mut Vec<u8>) {
        if data.len() < STORE_BELOW {
            stored_zlib(data, out);
            return;
        }
        let zip = if data.len() < FAST_BELOW { &mut self.fast } else { &mut self.default };
        zip.reset();
        let start = zip.total_in();
        out.reserve(data.len() + data.len() / 64 + 64);
        loop {
            let before = (zip.total_in() - start) as usize;
            match zip.compress_vec(&data[before..], out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => break,
                // Out of room (or an error, impossible for an in-memory
                // buffer): give it more room and go on.
                _ => out.reserve(data.len().max(256)),
            }
        }
    }
}

/// A zlib stream of one stored block (`data` is under 64 KiB).
fn stored_zlib(data: &[u8], out: &mut Vec<u8>) {
    let n = data.len() as u16;
    out.extend_from_slice(&[0x78, 0x01, 0x01]);
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&(!n).to_le_bytes());
    out.extend_from_slice(data);
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
}

/// A blob hashed and compressed ahead of time (on another thread): whole,
/// and, when a base was given and the delta pays, as a delta against it.
pub(crate) struct Prepared {
    pub id: Oid,
    whole: Option<Vec<u8>>,
    /// Inflated delta size and the compressed delta.
    delta: Option<(usize, Vec<u8>)>,
}

/// Hash and compress a blob for [`PackWriter::add_prepared`]: only the
/// delta against `base` when there is one that pays (the whole blob is
/// then compressed later only if the base is not usable), else the whole.
pub(crate) fn prepare_blob(data: &[u8], base: Option<&[u8]>, z: &mut Deflater, scratch: &mut Vec<u8>) -> Prepared {
    let id = object_id(Kind::Blob, data);
    if let Some(base) = base {
        scratch.clear();
        if delta::encode(base, data, data.len() / 3, scratch) {
            let mut out = Vec::new();
            z.deflate_into(scratch, &mut out);
            return Prepared { id, whole: None, delta: Some((scratch.len(), out)) };
        }
    }
    let mut out = Vec::new();
    z.deflate_into(data, &mut out);
    Prepared { id, whole: Some(out), delta: None }
}

/// A pack being built in memory (compressed entries only).
pub(crate) struct PackWriter {
    buf: Vec<u8>,
    entries: HashMap<Oid, Entry>,
    z: Deflater,
    /// Scratch space for deltas.
    scratch: Vec<u8>,
}

impl Default for PackWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl PackWriter {
    pub(crate) fn new() -> PackWriter {
        let mut buf = Vec::with_capacity(1 << 16);
        buf.extend_from_slice(b"PACK\0\0\0\x02\0\0\0\0"); // count filled in by `finish`
        PackWriter { buf, entries: HashMap::new(), z: Deflater::default(), scratch: Vec::new() }
    }

    /// Objects added so far.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }

    /// Bytes of pack written so far (compressed).
    pub(crate) fn bytes(&self) -> usize {
        self.buf.len()
    }

    /// The entry of `base` when a delta may be made against it (it is in
    /// this pack and its chain is not too deep).
    fn usable_base(&self, base: Option<Oid>) -> Option<&Entry> {
        self.entries.get(&base?).filter(|b| b.depth < MAX_DEPTH)
    }

    /// Add an object (once: a second add of the same id is a no-op) and
    /// return its id. With `base` (an object already in this pack, and its
    /// bytes), the object is stored as a delta against it when that is
    /// shorter than a third of the object.
    pub(crate) fn add(&mut self, kind: Kind, data: &[u8], base: Option<(Oid, &[u8])>) -> Oid {
        let id = object_id(kind, data);
        if self.entries.contains_key(&id) {
            return id;
        }
        let offset = self.buf.len() as u64;
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let usable = base.and_then(|(b, d)| self.usable_base(Some(b)).map(|e| (offset - e.offset, e.depth + 1, d)));
        match usable.filter(|(_, _, d)| delta::encode(d, data, data.len() / 3, &mut scratch)) {
            Some((back, depth, _)) => {
                entry_header(&mut self.buf, OFS_DELTA, scratch.len() as u64);
                ofs_back(&mut self.buf, back);
                self.z.deflate_into(&scratch, &mut self.buf);
                self.record(id, offset, depth);
            }
            None => {
                entry_header(&mut self.buf, kind as u8, data.len() as u64);
                self.z.deflate_into(data, &mut self.buf);
                self.record(id, offset, 0);
            }
        }
        self.scratch = scratch;
        id
    }

    /// Add a blob prepared by [`prepare_blob`] (`data` is its bytes, and
    /// `base` the id of the base its delta was made against): as that
    /// delta when the base is usable here, else whole.
    pub(crate) fn add_prepared(&mut self, p: Prepared, data: &[u8], base: Option<Oid>) {
        if self.entries.contains_key(&p.id) {
            return;
        }
        let offset = self.buf.len() as u64;
        let base = self.usable_base(base).map(|b| (offset - b.offset, b.depth + 1));
        match (p.delta, base) {
            (Some((n, z)), Some((back, depth))) => {
                entry_header(&mut self.buf, OFS_DELTA, n as u64);
                ofs_back(&mut self.buf, back);
                self.buf.extend_from_slice(&z);
                self.record(p.id, offset, depth);
            }
            _ => {
                entry_header(&mut self.buf, Kind::Blob as u8, data.len() as u64);
                match p.whole {
                    Some(z) => self.buf.extend_from_slice(&z),
                    None => self.z.deflate_into(data, &mut self.buf),
                }
                self.record(p.id, offset, 0);
            }
        }
    }

    /// Note the entry that starts at `offset` (and runs to the end).
    fn record(&mut self, id: Oid, offset: u64, depth: u32) {
        let mut crc = flate2::Crc::new();
        crc.update(&self.buf[offset as usize..]);
        self.entries.insert(id, Entry { offset, crc: crc.sum(), depth });
    }

    /// Write the pack and its index into `store`'s `objects/pack`, flushed
    /// to disk; `None` when nothing was added.
    pub(crate) fn finish(mut self, store: &Path) -> std::io::Result<Option<super::packing::WrittenPack>> {
        if self.entries.is_empty() {
            return Ok(None);
        }
        let count = u32::try_from(self.entries.len())
            .map_err(|_| std::io::Error::other("more than 2^32 objects in one pack"))?;
        self.buf[8..12].copy_from_slice(&count.to_be_bytes());
        let pack_sum: [u8; 20] = Sha1::digest(&self.buf).into();
        self.buf.extend_from_slice(&pack_sum);
        let idx = index_bytes(&self.entries, &pack_sum);
        let hex: String = pack_sum.iter().map(|b| format!("{b:02x}")).collect();
        let dir = store.join("objects").join("pack");
        std::fs::create_dir_all(&dir)?;
        let pack = dir.join(format!("pack-{hex}.pack"));
        let idx_path = dir.join(format!("pack-{hex}.idx"));
        let tmp_pack = write_temp(&dir, "pack", &self.buf)?;
        let tmp_idx = write_temp(&dir, "idx", &idx)?;
        std::fs::rename(&tmp_pack, &pack)?;
        std::fs::rename(&tmp_idx, &idx_path)?;
        std::fs::File::open(&dir)?.sync_all()?;
        Ok(Some(super::packing::WrittenPack { pack, idx: idx_path }))
    }
}

/// Write `data` to a new fsynced `tmp_pack_*` / `tmp_idx_*` file in `dir`.
fn write_temp(dir: &Path, what: &str, data: &[u8]) -> std::io::Result<PathBuf> {
    let path = temp_path(dir, what);
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
    f.write_all(data)?;
    f.sync_all()?;
    Ok(path)
}

/// A fresh `tmp_pack_*` / `tmp_idx_*` name in `dir`: the prefix `fsck`
/// reports and `gc` cleans up after a kill.
pub(crate) fn temp_path(dir: &Path, what: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    dir.join(format!("tmp_{what}_{}_{nanos}", std::process::id()))
}

/// The process id in a name [`temp_path`] made, `None` for other names.
pub(crate) fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix("tmp_pack_").or_else(|| name.strip_prefix("tmp_idx_"))?;
    rest.split('_').next()?.parse().ok()
}

/// Pack entry header: type and inflated size, 4 bits then 7 per byte.
fn entry_header(out: &mut Vec<u8>, kind: u8, size: u64) {
    let mut b = (kind << 4) | (size & 15) as u8;
    let mut rest = size >> 4;
    while rest != 0 {
        out.push(b | 0x80);
        b = (rest & 0x7f) as u8;
        rest >>= 7;
    }
    out.push(b);
}

/// The distance back to an `OFS_DELTA`'s base, in git's offset encoding
/// (big-endian 7-bit groups, each continued group implicitly plus one).
pub(crate) fn ofs_back(out: &mut Vec<u8>, mut back: u64) {
    let mut tmp = [0u8; 10];
    let mut pos = tmp.len() - 1;
    tmp[pos] = (back & 0x7f) as u8;
    back >>= 7;
    while back != 0 {
        back -= 1;
        pos -= 1;
        tmp[pos] = 0x80 | (back & 0x7f) as u8;
        back >>= 7;
    }
    out.extend_from_slice(&tmp[pos..]);
}

/// Pack index version 2: fan-out, sorted ids, CRCs, offsets (large ones
/// in a second table), the pack's checksum and the index's own.
fn index_bytes(entries: &HashMap<Oid, Entry>, pack_sum: &[u8; 20]) -> Vec<u8> {
    let mut sorted: Vec<IdxEntry> = entries
        .iter()
        .map(|(id, e)| IdxEntry { id: id.as_bytes().try_into().expect("20-byte id"), offset: e.offset, crc: e.crc })
        .collect();
    sorted.sort_unstable_by_key(|a| a.id);
    let mut out = Vec::with_capacity(8 + 1024 + sorted.len() * 28 + 40);
    write_index(&mut out, &sorted, |e| Some(*e), pack_sum).expect("writing to a Vec cannot fail");
    out
}

/// One object as a pack index lists it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdxEntry {
    pub id: [u8; 20],
    pub offset: u64,
    pub crc: u32,
}

/// Write a version-2 pack index to `out`, streamed: a merge of large packs
/// writes an index of millions of entries without a second copy of them.
/// `sorted` is ascending by id; `entry` picks what to list (`None` skips
/// one, e.g. a repeat), and must list no id twice.
pub(crate) fn write_index<T>(
    out: &mut impl Write,
    sorted: &[T],
    entry: impl Fn(&T) -> Option<IdxEntry>,
    pack_sum: &[u8; 20],
) -> std::io::Result<()> {
    let mut out = HashingWriter::new(out);
    out.write_all(b"\xfftOc\0\0\0\x02")?;
    let mut fan = [0u32; 256];
    for e in sorted.iter().filter_map(&entry) {
        fan[e.id[0] as usize] += 1;
    }
    let mut total = 0u32;
    for n in fan {
        total += n;
        out.write_all(&total.to_be_bytes())?;
    }
    for e in sorted.iter().filter_map(&entry) {
        out.write_all(&e.id)?;
    }
    for e in sorted.iter().filter_map(&entry) {
        out.write_all(&e.crc.to_be_bytes())?;
    }
    let mut large = Vec::new();
    for e in sorted.iter().filter_map(&entry) {
        let small = match u32::try_from(e.offset) {
            Ok(o) if o < 0x8000_0000 => o,
            _ => {
                large.extend_from_slice(&e.offset.to_be_bytes());
                0x8000_0000 | (large.len() / 8 - 1) as u32
            }
        };
        out.write_all(&small.to_be_bytes())?;
    }
    out.write_all(&large)?;
    out.write_all(pack_sum)?;
    let own = out.digest();
    out.inner.write_all(&own)
}

/// A writer that hashes (SHA-1) what passes through it: pack and index
/// trailers are the SHA-1 of everything before them.
pub(crate) struct HashingWriter<W: Write> {
    pub inner: W,
    hash: Sha1,
    /// Bytes written so far.
    pub written: u64,
}

impl<W: Write> HashingWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        HashingWriter { inner, hash: Sha1::new(), written: 0 }
    }

    /// The SHA-1 of everything written so far.
    pub(crate) fn digest(&self) -> [u8; 20] {
        self.hash.clone().finalize().into()
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_are_gits() {
        let text = b"hello world\n";
        assert_eq!(object_id(Kind::Blob, text), Oid::hash_object(git2::ObjectType::Blob, text).unwrap());
        assert_eq!(object_id(Kind::Blob, b"").to_string(), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }

    #[test]
    fn stored_and_compressed_streams_inflate() {
        use std::io::Read;
        let mut z = Deflater::default();
        for data in [&b""[..], b"tree", &[7u8; 127], &[9u8; 128], &(0..=255).cycle().take(70_000).collect::<Vec<u8>>()]
        {
            let mut out = Vec::new();
            z.deflate_into(data, &mut out);
            let mut back = Vec::new();
            flate2::read::ZlibDecoder::new(&out[..]).read_to_end(&mut back).unwrap();
            assert_eq!(back, data);
        }
    }

    #[test]
    fn offsets_encode_as_git_reads_them() {
        // git's reader: c = *p++; ofs = c & 127; while (c & 128) { ofs += 1; c = *p++; ofs = (ofs << 7) + (c & 127); }
        let read = |b: &[u8]| {
            let mut i = 0;
            let mut c = b[i];
            let mut ofs = u64::from(c & 127);
            while c & 128 != 0 {
                i += 1;
                c = b[i];
                ofs = ((ofs + 1) << 7) + u64::from(c & 127);
            }
            (ofs, i + 1)
        };
        for back in [1u64, 127, 128, 129, 16_383, 16_384, 16_512, 1 << 20, (1 << 35) + 7] {
            let mut v = Vec::new();
            ofs_back(&mut v, back);
            assert_eq!(read(&v), (back, v.len()), "{back}");
        }
    }

    /// A pack with whole objects, deltas, a duplicate and a chain longer
    /// than the depth limit reads back through libgit2, object for object.
    #[test]
    fn packs_read_back_through_libgit2() {
        let dir = std::env::temp_dir().join(format!("redline-packfile-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let repo = git2::Repository::init_bare(&dir).unwrap();
        let mut w = PackWriter::new();
        let mut want = Vec::new();
        let mut prev: Option<(Oid, Vec<u8>)> = None;
        for i in 0..120 {
            let mut text: Vec<u8> = (0..200).flat_map(|k| format!("word{k} ").into_bytes()).collect();
            text.extend_from_slice(format!("edit {i}\n").as_bytes());
            text.splice(i * 7..i * 7, b"inserted ".iter().copied());
            let id = w.add(Kind::Blob, &text, prev.as_ref().map(|(id, d)| (*id, d.as_slice())));
            want.push((id, text.clone()));
            prev = Some((id, text));
        }
        // Prepared elsewhere: as a delta when its base is here, else whole.
        let mut z = Deflater::default();
        let mut scratch = Vec::new();
        let last = prev.clone().unwrap();
        let mut text = last.1.clone();
        text.extend_from_slice(b"prepared\n");
        let p = prepare_blob(&text, Some(&last.1), &mut z, &mut scratch);
        assert!(p.delta.is_some());
        let id = p.id;
        w.add_prepared(p, &text, Some(last.0));
        want.push((id, text.clone()));
        text.extend_from_slice(b"orphan\n");
        let p = prepare_blob(&text, Some(&last.1), &mut z, &mut scratch);
        let id = p.id;
        w.add_prepared(p, &text, Some(Oid::ZERO_SHA1));
        want.push((id, text));
        let again = w.add(Kind::Blob, &want[3].1, None);
        assert_eq!(again, want[3].0);
        assert_eq!(w.len(), 122);
        let tree = w.add(Kind::Tree, &[b"100644 a\0".as_slice(), want[0].0.as_bytes()].concat(), None);
        let written = w.finish(&dir).unwrap().unwrap();
        assert!(written.idx.exists() && written.pack.exists());
        let odb = repo.odb().unwrap();
        for (id, text) in &want {
            let obj = odb.read(*id).unwrap();
            assert_eq!(obj.kind(), git2::ObjectType::Blob);
            assert_eq!(obj.data(), text.as_slice());
        }
        assert_eq!(repo.find_tree(tree).unwrap().get(0).unwrap().id(), want[0].0);
        assert!(written.pack.metadata().unwrap().len() < 122 * 1500 / 4, "deltas were used");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
