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

use git2::Oid;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The identity of one version of the file: a rewrite (by rename) changes
/// the inode, an edit in place the size or the modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    ino: u64,
    len: u64,
    mtime_ns: i128,
}

impl Stamp {
    fn of(md: &std::fs::Metadata) -> Stamp {
        Stamp {
            ino: md.ino(),
            len: md.len(),
            mtime_ns: i128::from(md.mtime()) * 1_000_000_000 + i128::from(md.mtime_nsec()),
        }
    }
}

/// The refs listed in `packed-refs`, sorted by name.
#[derive(Debug, Default)]
pub(crate) struct PackedRefs {
    data: Vec<u8>,
    /// (start, end) of each ref name in `data`; its id is the 40 bytes
    /// before `start - 1`.
    names: Vec<(usize, usize)>,
}

impl PackedRefs {
    /// Read `STORE/packed-refs` (absent: no refs) if its stamp differs from
    /// `known`; `Ok(None)` when it is unchanged.
    pub(crate) fn load_if_changed(store: &Path, known: Option<Stamp>) -> std::io::Result<Option<(Stamp, PackedRefs)>> {
        use std::io::Read;
        let mut f = match std::fs::File::open(store.join("packed-refs")) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let none = Stamp { ino: 0, len: 0, mtime_ns: 0 };
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
        Ok(Some((stamp, PackedRefs::parse(data))))
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
        PackedRefs { data, names }
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
    fn a_name_is_not_under_a_longer_sibling() {
        let p = refs(&[format!("{A} refs/articles/ab"), format!("{B} refs/articles/a-b/c")]);
        assert_eq!(p.first_under("refs/articles/a/"), None);
        assert_eq!(p.first_under("refs/articles/a-b/").as_deref(), Some("refs/articles/a-b/c"));
    }
}
