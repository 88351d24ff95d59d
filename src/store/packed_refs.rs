//! `packed-refs` read once per process and searched by binary search.
//!
//! Why: after `import` or `gc` packs the refs, a store of 100,000 articles
//! keeps them in one 7 MB file (70 MB at a million). libgit2 finds one ref
//! in it by binary search, but two of our own checks used to cost a pass
//! over every ref: the nesting check (`refs/articles/NAME/*` through
//! libgit2's ref iterator, which parses and matches the whole file) and the
//! fallback lookup for a file that claims to be sorted but is not. Both now
//! ask this index: one read and one sort check of the file per process
//! (re-read only when the file changes), then a binary search per question.
//! An unsorted file is sorted here, so lookups stay exact either way.
//!
//! The nesting check may also binary-search the file itself (a few small
//! reads), as git does when the header says "sorted". A hand-written file
//! can say so and lie, hiding `a/b` from the search for `a/`, so the header
//! is trusted only for a version of the file that this index once read
//! whole and found in order: that version's [`Stamp`] is kept in
//! `STORE/redline-packed-refs-sorted`. Any other version (edited, replaced,
//! copied in from elsewhere: the inode or the change time differ) is read
//! whole first. The first write after `gc` or `import` pays that one read;
//! the writes after it read a few KB.

use git2::Oid;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The identity of one version of the file: a rewrite (by rename) changes
/// the inode, an edit in place the size, the modification time or the
/// change time (which, unlike the modification time, no one can set back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime_ns: i128,
    ctime_ns: i128,
}

impl Stamp {
    fn of(md: &std::fs::Metadata) -> Stamp {
        Stamp {
            dev: md.dev(),
            ino: md.ino(),
            len: md.len(),
            mtime_ns: i128::from(md.mtime()) * 1_000_000_000 + i128::from(md.mtime_nsec()),
            ctime_ns: i128::from(md.ctime()) * 1_000_000_000 + i128::from(md.ctime_nsec()),
        }
    }

    fn line(&self) -> String {
        format!("{} {} {} {} {}\n", self.dev, self.ino, self.len, self.mtime_ns, self.ctime_ns)
    }
}

/// Where the stamp of the last version of `packed-refs` found in order is
/// kept (see the module docs). git ignores files it does not know.
const CHECKED_FILE: &str = "redline-packed-refs-sorted";

/// This version of the file was read whole and found in order.
fn checked_sorted(store: &Path, stamp: Stamp) -> bool {
    std::fs::read_to_string(store.join(CHECKED_FILE)).is_ok_and(|s| s == stamp.line())
}

/// Remember that the version `stamp` is in order (best effort: a store
/// that cannot be written is simply read whole again next time).
fn record_sorted(store: &Path, stamp: Stamp) {
    if checked_sorted(store, stamp) {
        return;
    }
    let tmp = store.join(format!("{CHECKED_FILE}.{}.tmp", std::process::id()));
    if std::fs::write(&tmp, stamp.line()).and_then(|()| std::fs::rename(&tmp, store.join(CHECKED_FILE))).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// The refs listed in `packed-refs`, sorted by name.
#[derive(Debug, Default)]
pub(crate) struct PackedRefs {
    data: Vec<u8>,
    /// (start, end) of each ref name in `data`; its id is the 40 bytes
    /// before `start - 1`.
    names: Vec<(usize, usize)>,
    /// The file listed its refs in order (it needed no sorting here).
    in_order: bool,
}

impl PackedRefs {
    /// Read `STORE/packed-refs` (absent: no refs) if its stamp differs from
    /// `known`; `Ok(None)` when it is unchanged.
    pub(crate) fn load_if_changed(store: &Path, known: Option<Stamp>) -> std::io::Result<Option<(Stamp, PackedRefs)>> {
        use std::io::Read;
        let mut f = match std::fs::File::open(store.join("packed-refs")) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let none = Stamp { dev: 0, ino: 0, len: 0, mtime_ns: 0, ctime_ns: 0 };
                return Ok((known != Some(none)).then(|| (none, PackedRefs::default())));
            }
            Err(e) => return Err(e),
        };
        let stamp = Stamp::of(&f.metadata()?);
        if known == Some(stamp) {
            return Ok(None);
        }
        let mut data = Vec::with_capacity(stamp.len as usize);
        f.read_to_end(&mut data)?;
        let refs = PackedRefs::parse(data);
        if refs.in_order {
            record_sorted(store, stamp);
        }
        Ok(Some((stamp, refs)))
    }

    /// Index the lines `<40 hex> <name>`; comment, peeled (`^`) and
    /// malformed lines are skipped (`fsck` reports those).
    pub(crate) fn parse(data: Vec<u8>) -> PackedRefs {
        let mut names = Vec::new();
        let mut at = 0;
        while at < data.len() {
            let end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i);
            let line = &data[at..end];
            if line.len() > 41 && line[40] == b' ' && line[..40].iter().all(u8::is_ascii_hexdigit) {
                names.push((at + 41, end));
            }
            at = end + 1;
        }
        let sorted = names.windows(2).all(|w| data[w[0].0..w[0].1] <= data[w[1].0..w[1].1]);
        if !sorted {
            names.sort_by(|a, b| data[a.0..a.1].cmp(&data[b.0..b.1]));
        }
        PackedRefs { data, names, in_order: sorted }
    }

    fn name(&self, i: usize) -> &[u8] {
        let (s, e) = self.names[i];
        &self.data[s..e]
    }

    /// The id listed for the full ref name `full`.
    pub(crate) fn get(&self, full: &str) -> Option<Oid> {
        let i = self.names.binary_search_by(|&(s, e)| self.data[s..e].cmp(full.as_bytes())).ok()?;
        let start = self.names[i].0;
        let hex = std::str::from_utf8(&self.data[start - 41..start - 1]).ok()?;
        Oid::from_str(hex).ok()
    }

    /// The first ref name (in sorted order) that starts with `prefix`.
    pub(crate) fn first_under(&self, prefix: &str) -> Option<String> {
        let i = self.names.partition_point(|&(s, e)| &self.data[s..e] < prefix.as_bytes());
        (i < self.names.len() && self.name(i).starts_with(prefix.as_bytes()))
            .then(|| String::from_utf8_lossy(self.name(i)).into_owned())
    }
}

/// The first ref name under `prefix` in `STORE/packed-refs`, found by
/// binary search over the file itself (a few small reads, whatever its
/// size) when its header says it is sorted, as git's own lookup does, and
/// this version of the file was found in order before (see the module
/// docs). `Ok(None)`: not marked sorted, or not checked yet (ask the
/// index, which checks it).
pub(crate) fn first_under_sorted(store: &Path, prefix: &str) -> std::io::Result<Option<Option<String>>> {
    let f = match std::fs::File::open(store.join("packed-refs")) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Some(None)),
        Err(e) => return Err(e),
    };
    let md = f.metadata()?;
    if !checked_sorted(store, Stamp::of(&md)) {
        return Ok(None);
    }
    let len = md.len();
    let Some((_, end, header)) = line_at(&f, 0, len)? else { return Ok(Some(None)) };
    if !(header.starts_with(b"# pack-refs with:") && header.windows(8).any(|w| w == b" sorted ")) {
        return Ok(None);
    }
    let (mut lo, mut hi) = (end, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match record_at(&f, mid, hi)? {
            None => hi = mid,
            Some((_, e, name)) if name.as_slice() < prefix.as_bytes() => lo = e,
            Some((s, _, _)) => hi = s,
        }
    }
    Ok(Some(match record_at(&f, lo, len)? {
        Some((_, _, name)) if name.starts_with(prefix.as_bytes()) => Some(String::from_utf8_lossy(&name).into_owned()),
        _ => None,
    }))
}

/// The first ref record (`<id> <name>`, peeled `^` lines skipped) whose
/// line starts at or after `pos` and before `limit`: (start, end after its
/// newline, name).
fn record_at(f: &std::fs::File, pos: u64, limit: u64) -> std::io::Result<Option<(u64, u64, Vec<u8>)>> {
    let mut at = pos;
    loop {
        let Some((s, e, line)) = line_at(f, at, limit)? else { return Ok(None) };
        if line.len() > 41 && line[40] == b' ' {
            return Ok(Some((s, e, line[41..].to_vec())));
        }
        at = e;
    }
}

/// The first line starting at or after `pos` (a line starts at 0 or after
/// a newline) and before `limit`: (start, end after its newline, bytes).
fn line_at(f: &std::fs::File, pos: u64, limit: u64) -> std::io::Result<Option<(u64, u64, Vec<u8>)>> {
    use std::os::unix::fs::FileExt;
    let mut start = pos;
    if pos > 0 {
        let mut b = [0u8; 1];
        f.read_exact_at(&mut b, pos - 1)?;
        if b[0] != b'\n' {
            match find_newline(f, pos, limit)? {
                Some(nl) => start = nl + 1,
                None => return Ok(None),
            }
        }
    }
    if start >= limit {
        return Ok(None);
    }
    let end = find_newline(f, start, u64::MAX)?.map_or_else(|| f.metadata().map(|m| m.len()), Ok)?;
    let mut line = vec![0u8; (end - start) as usize];
    f.read_exact_at(&mut line, start)?;
    Ok(Some((start, end + 1, line)))
}

/// The offset of the first newline at or after `pos`, before `limit`.
fn find_newline(f: &std::fs::File, mut pos: u64, limit: u64) -> std::io::Result<Option<u64>> {
    use std::os::unix::fs::FileExt;
    let mut buf = [0u8; 512];
    while pos < limit {
        let n = f.read_at(&mut buf, pos)?;
        if n == 0 {
            return Ok(None);
        }
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            let at = pos + i as u64;
            return Ok((at < limit).then_some(at));
        }
        pos += n as u64;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(lines: &[String]) -> PackedRefs {
        PackedRefs::parse(lines.iter().map(|l| format!("{l}\n")).collect::<String>().into_bytes())
    }

    const A: &str = "1111111111111111111111111111111111111111";
    const B: &str = "2222222222222222222222222222222222222222";

    #[test]
    fn lookups_are_exact_in_sorted_and_unsorted_files() {
        let sorted = vec![
            "# pack-refs with: peeled fully-peeled sorted ".to_string(),
            format!("{A} refs/articles/a"),
            format!("{B} refs/articles/c/d"),
        ];
        let unsorted = vec![
            format!("{B} refs/articles/c/d"),
            "garbage line".to_string(),
            format!("{A} refs/articles/a"),
            format!("^{B}"),
        ];
        for lines in [sorted, unsorted] {
            let p = refs(&lines);
            assert_eq!(p.names.len(), 2);
            assert_eq!(p.get("refs/articles/a"), Some(Oid::from_str(A).unwrap()));
            assert_eq!(p.get("refs/articles/c/d"), Some(Oid::from_str(B).unwrap()));
            assert_eq!(p.get("refs/articles/c"), None);
            assert_eq!(p.get("refs/articles/b"), None);
            assert_eq!(p.first_under("refs/articles/c/").as_deref(), Some("refs/articles/c/d"));
            assert_eq!(p.first_under("refs/articles/a/"), None);
            assert_eq!(p.first_under("refs/articles/d/"), None);
        }
    }

    #[test]
    fn the_file_search_agrees_with_the_index() {
        let dir = std::env::temp_dir().join(format!("redline-packed-search-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut lines = vec!["# pack-refs with: peeled fully-peeled sorted ".to_string()];
        for i in 0..500 {
            lines.push(format!("{A} refs/articles/g{:03}/a", i * 2));
            if i % 7 == 0 {
                lines.push(format!("^{B}"));
            }
        }
        lines.push(format!("{B} refs/raw/x"));
        std::fs::write(dir.join("packed-refs"), lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
        assert_eq!(first_under_sorted(&dir, "refs/raw/").unwrap(), None, "not checked yet: ask the index");
        PackedRefs::load_if_changed(&dir, None).unwrap().expect("read");
        let index = refs(&lines[1..]);
        for i in 0..1001 {
            for prefix in [format!("refs/articles/g{i:03}/"), format!("refs/articles/g{i:03}")] {
                let found = first_under_sorted(&dir, &prefix).unwrap().expect("sorted");
                assert_eq!(found, index.first_under(&prefix), "{prefix}");
            }
        }
        assert_eq!(first_under_sorted(&dir, "refs/raw/").unwrap(), Some(Some("refs/raw/x".into())));
        assert_eq!(first_under_sorted(&dir, "refs/zzz/").unwrap(), Some(None));
        assert_eq!(first_under_sorted(&dir, "refs/").unwrap(), Some(Some("refs/articles/g000/a".into())));
        std::fs::write(dir.join("packed-refs"), format!("{A} refs/articles/a\n")).unwrap();
        assert_eq!(first_under_sorted(&dir, "refs/articles/").unwrap(), None, "no sorted header: ask the index");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A header that says "sorted" over lines that are not is never
    /// binary-searched, so it cannot hide a name; a sorted rewrite is
    /// trusted once the index has read it.
    #[test]
    fn a_false_sorted_header_is_not_trusted() {
        let dir = std::env::temp_dir().join(format!("redline-packed-false-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut lines: Vec<String> = (0..50).map(|i| format!("{A} refs/articles/m{i:02}")).collect();
        lines.push(format!("{B} refs/articles/a/b"));
        let write = |lines: &[String]| {
            let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
            std::fs::write(dir.join("packed-refs"), format!("# pack-refs with: peeled fully-peeled sorted \n{body}"))
                .unwrap();
        };
        write(&lines);
        let (_, index) = PackedRefs::load_if_changed(&dir, None).unwrap().expect("read");
        assert!(!index.in_order);
        assert_eq!(index.first_under("refs/articles/a/").as_deref(), Some("refs/articles/a/b"));
        assert_eq!(first_under_sorted(&dir, "refs/articles/a/").unwrap(), None, "never trusted");
        lines.sort_by(|a, b| a[41..].cmp(&b[41..]));
        write(&lines);
        assert_eq!(first_under_sorted(&dir, "refs/articles/a/").unwrap(), None, "a new version: not checked yet");
        let (_, index) = PackedRefs::load_if_changed(&dir, None).unwrap().expect("read");
        assert!(index.in_order);
        assert_eq!(first_under_sorted(&dir, "refs/articles/a/").unwrap(), Some(Some("refs/articles/a/b".into())));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_name_is_not_under_a_longer_sibling() {
        let p = refs(&[format!("{A} refs/articles/ab"), format!("{B} refs/articles/a-b/c")]);
        assert_eq!(p.first_under("refs/articles/a/"), None);
        assert_eq!(p.first_under("refs/articles/a-b/").as_deref(), Some("refs/articles/a-b/c"));
    }
}
