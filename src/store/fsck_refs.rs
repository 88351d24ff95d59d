//! `fsck` of the refs the tracker writes besides the articles: raw pages
//! (`refs/raw/*`), the watch list (`refs/redline/watch`) and the watch
//! state (`refs/redline/watch-state`).
//!
//! Why they are read the way their commands read them: a ref set by hand
//! (`git update-ref` to a blob, a tree, a commit without its file) makes
//! `watch list`, `watch run` or `fetch` stop with "the store is damaged,
//! run redline fsck", so fsck must name it. It is never repaired: the
//! object it points at may be the only copy of something (a watch.json
//! blob), so fsck says how to keep it and move the ref, and leaves both.

use super::raw::{RAW_BODY, RAW_PREFIX};
use super::watch::{WatchList, WatchState, STATE_FILE, STATE_REF, WATCH_FILE, WATCH_REF};
use git2::{ObjectType, Oid, Repository};
use serde::de::DeserializeOwned;

/// Why the tracker ref `full` (target `target`; None: symbolic) cannot be
/// read by the commands that use it, or None when it can.
pub(super) fn tracker_ref_problem(repo: &Repository, full: &str, target: Option<Oid>) -> Option<String> {
    let Some(id) = target else {
        return Some("is symbolic; it must point straight at a commit".into());
    };
    let commit = match repo.find_object(id, None) {
        Err(e) => return Some(format!("points at {id}, which cannot be read: {}", e.message())),
        Ok(obj) => match obj.into_commit() {
            Ok(c) => c,
            Err(obj) => {
                let kind = obj.kind().map_or("unknown object", |k| k.str());
                return Some(format!("points at {id}, a {kind}, not a commit"));
            }
        },
    };
    let tree = match commit.tree() {
        Ok(t) => t,
        Err(e) => return Some(format!("points at commit {id}, whose tree cannot be read: {}", e.message())),
    };
    if full.starts_with(RAW_PREFIX) {
        let body = tree.get_name(RAW_BODY).map(|e| e.kind());
        return (body != Some(Some(ObjectType::Blob)))
            .then(|| format!("points at commit {id}, which holds no {RAW_BODY} file (not a raw page)"));
    }
    let file = match full {
        WATCH_REF => WATCH_FILE,
        STATE_REF => STATE_FILE,
        _ => return None,
    };
    // A commit without the file is an empty list or state, as the readers take it.
    let entry = tree.get_name(file)?;
    let Ok(blob) = repo.find_blob(entry.id()) else {
        return Some(format!("points at commit {id}, whose {file} is not a readable file"));
    };
    let why = if full == WATCH_REF {
        parse_error::<WatchList>(blob.content())
    } else {
        parse_error::<WatchState>(blob.content())
    };
    why.map(|e| format!("points at commit {id}, whose {file} cannot be read: {e}"))
}

fn parse_error<T: DeserializeOwned>(bytes: &[u8]) -> Option<String> {
    serde_json::from_slice::<T>(bytes).err().map(|e| e.to_string())
}

/// What to do about a tracker ref that cannot be read: keep the object
/// reachable under `refs/redline-backup/`, then remove the ref, and what
/// redline rebuilds after that.
pub(super) fn tracker_ref_fix(full: &str, target: Option<Oid>) -> String {
    let after = if full.starts_with(RAW_PREFIX) {
        "the next `redline fetch` of that page records a new raw page"
    } else if full == WATCH_REF {
        "then add the URLs again with `redline watch add` (a watch.json kept in the object is shown by `git cat-file -p ID`)"
    } else {
        "the next `redline watch run` starts a new state (every URL due at once)"
    };
    let rest = full.strip_prefix("refs/").unwrap_or(full);
    let keep = match target {
        Some(id) => format!("keep what it points at with `git update-ref refs/redline-backup/kept/{rest} {id}`, then "),
        None => String::new(),
    };
    format!("redline does not change it for you (fsck --repair leaves it): {keep}remove it with `git update-ref -d {full}`; {after}")
}
