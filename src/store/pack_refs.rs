//! Packing loose refs into `packed-refs`, as `git pack-refs --all` does.
//!
//! Why not libgit2's `refdb_compress`: it adds each loose ref to its table
//! and re-sorts the whole table after every one, so packing n loose refs
//! costs n sorts: minutes for the 100,000 refs of a large import. Here the
//! refs are read once, merged in a sorted map and written once.
//!
//! Safety, as git's own: the new file is written under `packed-refs.lock`
//! (fsynced, then renamed into place), and a loose ref file is removed only
//! while holding its own `.lock` and only if it still holds the value just
//! packed, so a writer that moved the ref meanwhile keeps its update.
//! Symbolic loose refs stay loose; a packed ref's `^` (peeled) line is kept
//! unless a loose value replaces it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The header: sorted (git and libgit2 then binary-search the file); no
/// peeling claims, so readers peel tags themselves.
const HEADER: &str = "# pack-refs with: sorted \n";

/// Pack every loose ref of the store at `store`; returns how many loose
/// refs were folded in. Fails (changing nothing) when `packed-refs.lock`
/// exists: another process is rewriting it.
pub(crate) fn pack_refs(store: &Path) -> std::io::Result<usize> {
    let lock = store.join("packed-refs.lock");
    let mut out = std::fs::OpenOptions::new().write(true).create_new(true).open(&lock)?;
    let written = (|| {
        let mut refs = read_packed(store)?;
        let mut loose = Vec::new();
        walk_loose(&store.join("refs"), "refs", &mut loose);
        for (name, id) in &loose {
            refs.insert(name.clone(), (id.clone(), None));
        }
        let mut body = String::with_capacity(HEADER.len() + refs.len() * 80);
        body.push_str(HEADER);
        for (name, (id, peeled)) in &refs {
            body.push_str(&format!("{id} {name}\n"));
            if let Some(p) = peeled {
                body.push_str(&format!("^{p}\n"));
            }
        }
        out.write_all(body.as_bytes())?;
        out.sync_all()?;
        std::fs::rename(&lock, store.join("packed-refs"))?;
        Ok(loose)
    })();
    let loose = match written {
        Ok(l) => l,
        Err(e) => {
            let _ = std::fs::remove_file(&lock);
            return Err(e);
        }
    };
    for (name, id) in &loose {
        prune(&store.join(name), id);
    }
    Ok(loose.len())
}

/// `packed-refs` as name → (id, peeled id); absent: empty.
fn read_packed(store: &Path) -> std::io::Result<BTreeMap<String, (String, Option<String>)>> {
    let mut refs: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    let text = match std::fs::read_to_string(store.join("packed-refs")) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(refs),
        Err(e) => return Err(e),
    };
    let mut last: Option<String> = None;
    for line in text.lines() {
        if let Some(p) = line.strip_prefix('^') {
            if let Some(entry) = last.as_ref().and_then(|n| refs.get_mut(n)) {
                entry.1 = Some(p.to_string());
            }
            continue;
        }
        last = None;
        if let Some((id, name)) = line.split_once(' ') {
            if is_hex_id(id) && name.starts_with("refs/") {
                refs.insert(name.to_string(), (id.to_string(), None));
                last = Some(name.to_string());
            }
        }
    }
    Ok(refs)
}

/// Every loose ref file below `dir` (named `prefix/...`) that holds an id.
fn walk_loose(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let fname = e.file_name().to_string_lossy().into_owned();
        let name = format!("{prefix}/{fname}");
        match e.file_type() {
            Ok(t) if t.is_dir() => walk_loose(&e.path(), &name, out),
            Ok(t) if t.is_file() && !fname.ends_with(".lock") => {
                if let Some(id) = loose_id(&e.path()) {
                    out.push((name, id));
                }
            }
            _ => {}
        }
    }
}

/// The id a loose ref file holds (None: symbolic, empty or damaged).
fn loose_id(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let id = text.trim_end_matches('\n');
    is_hex_id(id).then(|| id.to_string())
}

/// Remove the loose ref at `path` if it still holds `id`, under its lock.
fn prune(path: &Path, id: &str) {
    let mut lock = path.as_os_str().to_owned();
    lock.push(".lock");
    if std::fs::OpenOptions::new().write(true).create_new(true).open(&lock).is_err() {
        return; // someone is updating it: their value wins, loose
    }
    if loose_id(path).as_deref() == Some(id) {
        let _ = std::fs::remove_file(path);
    }
    let _ = std::fs::remove_file(&lock);
}

fn is_hex_id(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_refs_are_folded_in_sorted_and_pruned() {
        let dir = std::env::temp_dir().join(format!("redline-pack-refs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let a = "1".repeat(40);
        let b = "2".repeat(40);
        let c = "3".repeat(40);
        std::fs::create_dir_all(dir.join("refs/articles/g")).unwrap();
        std::fs::write(
            dir.join("packed-refs"),
            format!("# pack-refs with: peeled fully-peeled sorted \n{a} refs/articles/b\n{a} refs/tags/t\n^{c}\n"),
        )
        .unwrap();
        std::fs::write(dir.join("refs/articles/b"), format!("{b}\n")).unwrap();
        std::fs::write(dir.join("refs/articles/g/a"), format!("{c}\n")).unwrap();
        std::fs::write(dir.join("refs/articles/sym"), "ref: refs/articles/b\n").unwrap();
        std::fs::write(dir.join("refs/articles/busy"), format!("{a}\n")).unwrap();
        std::fs::write(dir.join("refs/articles/busy.lock"), format!("{b}\n")).unwrap();
        assert_eq!(pack_refs(&dir).unwrap(), 3);
        let packed = std::fs::read_to_string(dir.join("packed-refs")).unwrap();
        assert_eq!(
            packed,
            format!(
                "{HEADER}{a} refs/articles/b\n{a} refs/articles/busy\n{c} refs/articles/g/a\n{a} refs/tags/t\n^{c}\n"
            )
            .replace(&format!("{a} refs/articles/b\n"), &format!("{b} refs/articles/b\n"))
        );
        assert!(!dir.join("refs/articles/b").exists() && !dir.join("refs/articles/g/a").exists());
        assert!(dir.join("refs/articles/sym").exists(), "symbolic refs stay loose");
        assert!(dir.join("refs/articles/busy").exists(), "a locked ref is left to its writer");
        assert!(!dir.join("packed-refs.lock").exists());
        std::fs::write(dir.join("packed-refs.lock"), "").unwrap();
        assert!(pack_refs(&dir).is_err(), "a held packed-refs.lock is respected");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
