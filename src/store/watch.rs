//! The watch list and the tracker's check state, kept inside the store so
//! they travel with it, as JSON that plain git can read:
//!
//! - `refs/redline/watch` → `watch.json`: the watched URLs and feeds. A
//!   chain of commits, one per change of the list, so its history is
//!   `git log refs/redline/watch`.
//! - `refs/redline/watch-state` → `state.json` (per URL: last check, last
//!   change, next due, last error, failures) and `robots.json` (the robots.txt
//!   cache). Rewritten after every run as a single parentless commit: the
//!   state changes on every check, and its history would only bloat the
//!   store (`gc` drops the old ones).
//!
//! Both refs move by compare-and-swap after re-reading, so a `watch add`
//! while `watch run` is working loses nothing.

use super::{store_err, Result, Store, StoreError};
use git2::{ErrorCode, Oid};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The ref holding the watch list.
pub const WATCH_REF: &str = "refs/redline/watch";
/// The ref holding the tracker's state between runs.
pub const STATE_REF: &str = "refs/redline/watch-state";
pub const WATCH_FILE: &str = "watch.json";
pub const STATE_FILE: &str = "state.json";
pub const ROBOTS_FILE: &str = "robots.json";
pub const WATCH_SCHEMA: &str = "redline.watch/1";
pub const STATE_SCHEMA: &str = "redline.watch-state/1";

/// A page to extract, or a feed whose entries become watched pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WatchKind {
    /// An article page, extracted and stored.
    Page,
    /// A feed, whose entries become watched pages.
    Feed,
}

/// One watched URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchEntry {
    /// The URL checked.
    pub url: String,
    /// The article name its text is stored under (pages only).
    pub name: String,
    /// Page or feed.
    pub kind: WatchKind,
    /// The feed this page was found in, if any.
    #[serde(default)]
    pub feed: Option<String>,
    /// When it was added (RFC 3339).
    pub added_at: String,
}

/// Every watched URL (`watch.json` on [`WATCH_REF`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchList {
    /// `redline.watch/1`.
    pub schema: String,
    /// The watched URLs, in the order added.
    pub entries: Vec<WatchEntry>,
}

impl Default for WatchList {
    fn default() -> Self {
        WatchList { schema: WATCH_SCHEMA.into(), entries: Vec::new() }
    }
}

/// What the tracker knows about one URL between runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UrlState {
    /// When it was last checked.
    pub last_check: Option<String>,
    /// When its text last changed.
    pub last_change: Option<String>,
    /// When it is next due.
    pub next_due: Option<String>,
    /// The last check's error, if it failed.
    pub last_error: Option<String>,
    /// Failed checks in a row; reset by a good one.
    #[serde(default)]
    pub failures: u32,
    /// Too many failures in a row: not checked until removed and re-added
    /// or run with `--all`.
    #[serde(default)]
    pub paused: bool,
    /// No change for longer than the retirement age: no longer checked.
    #[serde(default)]
    pub retired: bool,
    /// The last check's HTTP status.
    #[serde(default)]
    pub last_status: Option<u16>,
    /// Validators of feeds (pages keep theirs on their raw ref).
    #[serde(default)]
    pub etag: Option<String>,
    /// A feed's `Last-Modified`.
    #[serde(default)]
    pub last_modified: Option<String>,
}

/// A cached robots.txt answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RobotsEntry {
    /// Unix seconds.
    pub fetched_at: i64,
    /// HTTP status; 0 when the host could not be reached.
    pub status: u16,
    /// The robots.txt text.
    pub body: String,
}

/// The tracker's state between runs (on [`STATE_REF`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchState {
    /// `redline.watch-state/1`.
    pub schema: String,
    /// Per URL.
    pub urls: BTreeMap<String, UrlState>,
    /// Keyed by origin (`http://host:port`).
    #[serde(skip)]
    pub robots: BTreeMap<String, RobotsEntry>,
}

impl Default for WatchState {
    fn default() -> Self {
        WatchState { schema: STATE_SCHEMA.into(), urls: BTreeMap::new(), robots: BTreeMap::new() }
    }
}

impl Store {
    /// The watch list (empty when nothing was ever watched).
    pub fn watch_list(&self) -> Result<WatchList> {
        let (_, list) = self.read_json::<WatchList>(WATCH_REF, WATCH_FILE)?;
        Ok(list.unwrap_or_default())
    }

    /// Change the watch list with `f` (which returns a commit message, or
    /// None for "nothing to change"), re-reading and retrying when another
    /// process moved it first. Returns the list as written.
    pub fn update_watch_list(&self, mut f: impl FnMut(&mut WatchList) -> Option<String>) -> Result<WatchList> {
        let mut backoff = super::write::Backoff::new(super::write::lock_budget());
        loop {
            let (tip, list) = self.read_json::<WatchList>(WATCH_REF, WATCH_FILE)?;
            let mut list = list.unwrap_or_default();
            let Some(msg) = f(&mut list) else { return Ok(list) };
            let files = [(WATCH_FILE, to_json(&list))];
            match self.write_json_commit(WATCH_REF, tip, tip, &files, &msg) {
                Ok(()) => return Ok(list),
                Err(e) if super::write::is_contention(&e) && backoff.wait() => continue,
                Err(e) => return Err(store_err(&self.path, "cannot update the watch list", e)),
            }
        }
    }

    /// The per-URL state and the robots.txt cache.
    pub fn watch_state(&self) -> Result<WatchState> {
        let (tip, state) = self.read_json::<WatchState>(STATE_REF, STATE_FILE)?;
        let mut state = state.unwrap_or_default();
        if let Some(t) = tip {
            if let Some(bytes) = self.json_blob(t, ROBOTS_FILE)? {
                state.robots = serde_json::from_slice(&bytes).unwrap_or_default();
            }
        }
        Ok(state)
    }

    /// Change the state with `f`, re-reading and retrying on contention.
    pub fn update_watch_state(&self, mut f: impl FnMut(&mut WatchState)) -> Result<()> {
        let mut backoff = super::write::Backoff::new(super::write::lock_budget());
        loop {
            let tip = self.ref_target(STATE_REF)?;
            let mut state = self.watch_state()?;
            f(&mut state);
            let robots = to_json(&state.robots);
            let files = [(STATE_FILE, to_json(&state)), (ROBOTS_FILE, robots)];
            match self.write_json_commit(STATE_REF, tip, None, &files, "watch state\n") {
                Ok(()) => return Ok(()),
                Err(e) if super::write::is_contention(&e) && backoff.wait() => continue,
                Err(e) => return Err(store_err(&self.path, "cannot save the watch state", e)),
            }
        }
    }

    fn ref_target(&self, refname: &str) -> Result<Option<Oid>> {
        match self.repo.find_reference(refname) {
            Ok(r) => Ok(r.target()),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(store_err(&self.path, &format!("cannot read {refname}"), e)),
        }
    }

    fn json_blob(&self, commit: Oid, file: &str) -> Result<Option<Vec<u8>>> {
        let err = |e| store_err(&self.path, &format!("cannot read {file}"), e);
        let tree = self.repo.find_commit(commit).and_then(|c| c.tree()).map_err(err)?;
        let Some(entry) = tree.get_name(file) else { return Ok(None) };
        let blob = self.repo.find_blob(entry.id()).map_err(err)?;
        Ok(Some(blob.content().to_vec()))
    }

    fn read_json<T: DeserializeOwned>(&self, refname: &str, file: &str) -> Result<(Option<Oid>, Option<T>)> {
        let Some(tip) = self.ref_target(refname)? else { return Ok((None, None)) };
        let Some(bytes) = self.json_blob(tip, file)? else { return Ok((Some(tip), None)) };
        let value = serde_json::from_slice(&bytes).map_err(|e| StoreError::BadJson {
            path: self.path.clone(),
            refname: refname.to_string(),
            file: file.to_string(),
            source: e,
        })?;
        Ok((Some(tip), Some(value)))
    }

    /// Write `files` as a commit (with `parent`) and move `refname` from
    /// `expected` to it.
    fn write_json_commit(
        &self,
        refname: &str,
        expected: Option<Oid>,
        parent: Option<Oid>,
        files: &[(&str, Vec<u8>)],
        msg: &str,
    ) -> Result<(), git2::Error> {
        let repo = &self.repo;
        let blobs = files
            .iter()
            .map(|(name, bytes)| Ok((*name, repo.blob(bytes)?)))
            .collect::<Result<Vec<_>, git2::Error>>()?;
        let id = super::write::commit_files(repo, parent.as_slice(), &blobs, super::now(), msg)?;
        match expected {
            Some(old) => repo.reference_matching(refname, id, true, old, "redline watch").map(|_| ()),
            None => repo.reference(refname, id, false, "redline watch").map(|_| ()),
        }
    }
}

fn to_json<T: Serialize>(v: &T) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}
