//! Raw pages: the exact response bytes and headers of fetched pages, kept on
//! a parallel ref, `refs/raw/<name>`, beside the article's text history.
//!
//! Why a separate ref: the text chain is what people diff and push; raw
//! pages are bulky evidence that packs well (30 versions of a 55 KB page pack
//! to about 42 KiB) but may be expired or left unpushed without touching the
//! text history. One commit per fetch whose bytes or validators changed;
//! each tree holds `body` (the bytes as received, after content decoding),
//! `headers.txt` (status line and headers as received) and `fetch.json`.
//!
//! The validators sent back in conditional requests (ETag, Last-Modified)
//! come from here, exactly as the server sent them, and only from a page
//! that was accepted: a refused page (cookie wall, error page) must not make
//! the next check answer "304 not modified" for a page never stored.

use super::{store_err, validate_name, Result, Store};
use git2::{ErrorCode, Oid};
use serde::{Deserialize, Serialize};

/// Every raw-page ref lives under this prefix.
pub const RAW_PREFIX: &str = "refs/raw/";
/// Tree entries of a raw commit.
pub const RAW_BODY: &str = "body";
pub const RAW_HEADERS: &str = "headers.txt";
pub const RAW_FETCH: &str = "fetch.json";

/// One fetched response, as stored.
#[derive(Debug, Clone)]
pub struct RawPage {
    /// Status line and headers, one `Name: value` per line, as received.
    pub headers: String,
    /// The response body, as received.
    pub body: Vec<u8>,
    /// What `fetch.json` records about it.
    pub info: RawInfo,
}

/// `fetch.json` of a raw commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawInfo {
    /// The URL as requested.
    pub url: String,
    /// Where redirects ended.
    pub final_url: String,
    /// The HTTP status.
    pub status: u16,
    /// When it was fetched (RFC 3339).
    pub observed_at: String,
    /// The text was stored or found unchanged (false: the quality gate
    /// refused the page).
    pub accepted: bool,
    /// The response's `ETag`, sent back on the next request.
    pub etag: Option<String>,
    /// The response's `Last-Modified`, sent back on the next request.
    pub last_modified: Option<String>,
    /// Why the page was refused, when it was.
    #[serde(default)]
    pub refused: Option<String>,
}

/// A raw commit written but not yet on the ref.
#[derive(Debug, Clone, Copy)]
pub struct PendingRaw {
    /// The commit written.
    pub id: Oid,
    pub(crate) parent: Option<Oid>,
}

/// What [`Store::publish_raw`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawOutcome {
    /// A new raw commit is on the ref.
    Stored(Oid),
    /// Same bytes and validators as the latest raw commit, or another
    /// process kept its page first.
    Unchanged,
}

/// The full raw ref name of an article.
pub fn raw_ref(name: &str) -> String {
    format!("{RAW_PREFIX}{name}")
}

impl Store {
    /// The tip of `refs/raw/<name>`, if any page was kept.
    pub fn raw_tip(&self, name: &str) -> Result<Option<Oid>> {
        validate_name(name)?;
        match self.repo.find_reference(&raw_ref(name)) {
            Ok(r) => Ok(r.target()),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(store_err(&self.path, &format!("cannot read the raw ref of {name}"), e)),
        }
    }

    /// The `fetch.json` of raw commit `id`.
    pub fn raw_info(&self, id: Oid) -> Result<RawInfo> {
        let bytes = self.raw_blob(id, RAW_FETCH)?;
        serde_json::from_slice(&bytes).map_err(|e| self.damaged(id, &format!("unreadable {RAW_FETCH}: {e}")))
    }

    /// The body bytes of raw commit `id`.
    pub fn raw_body(&self, id: Oid) -> Result<Vec<u8>> {
        self.raw_blob(id, RAW_BODY)
    }

    /// The newest accepted page's info: where conditional requests take
    /// their validators from. Walks back past refused pages (a bounded few).
    pub fn last_accepted_raw(&self, name: &str) -> Result<Option<RawInfo>> {
        let mut next = self.raw_tip(name)?;
        for _ in 0..64 {
            let Some(id) = next else { return Ok(None) };
            let info = self.raw_info(id)?;
            if info.accepted {
                return Ok(Some(info));
            }
            let c = self.repo.find_commit(id).map_err(|e| store_err(&self.path, "cannot read a raw commit", e))?;
            next = c.parent_ids().next();
        }
        Ok(None)
    }

    /// Write `page` as the next raw commit of `name` without moving the
    /// ref yet (None when its bytes and validators equal the latest one's).
    /// The article revision names this commit, then [`Store::publish_raw`]
    /// moves the ref: a crash in between leaves the ref on the older page,
    /// so the next check asks without validators instead of wrongly
    /// getting "304 not modified" for text that was never stored.
    pub fn prepare_raw(&self, name: &str, page: &RawPage, observed_at: i64) -> Result<Option<PendingRaw>> {
        let tip = self.raw_tip(name)?;
        self.prepare_raw_after(name, page, observed_at, tip)
    }

    /// [`Store::prepare_raw`] on a given tip (a batch knows the raw commit
    /// it staged last, which is not on the ref yet).
    pub(crate) fn prepare_raw_after(
        &self,
        name: &str,
        page: &RawPage,
        observed_at: i64,
        tip: Option<Oid>,
    ) -> Result<Option<PendingRaw>> {
        let err = |e| store_err(&self.path, &format!("cannot write the raw page of {name}"), e);
        let body_id = self.repo.blob(&page.body).map_err(err)?;
        if let Some(t) = tip {
            let same_body = self.raw_entry(t, RAW_BODY)? == Some(body_id);
            let old = self.raw_info(t)?;
            if same_body
                && old.etag == page.info.etag
                && old.last_modified == page.info.last_modified
                && old.accepted == page.info.accepted
            {
                return Ok(None);
            }
        }
        let id = self.write_raw_commit(tip, body_id, page, observed_at).map_err(err)?;
        Ok(Some(PendingRaw { id, parent: tip }))
    }

    /// Move `refs/raw/<name>` to a prepared commit. Only the fetching
    /// process writes this ref; a lost race keeps the other process's page.
    pub fn publish_raw(&self, name: &str, pending: PendingRaw) -> Result<RawOutcome> {
        let refname = raw_ref(name);
        let moved = match pending.parent {
            Some(old) => self.repo.reference_matching(&refname, pending.id, true, old, "redline fetch"),
            None => self.repo.reference(&refname, pending.id, false, "redline fetch"),
        };
        match moved {
            Ok(_) => Ok(RawOutcome::Stored(pending.id)),
            Err(e) if super::write::is_contention(&e) => Ok(RawOutcome::Unchanged),
            Err(e) => Err(store_err(&self.path, &format!("cannot move the raw ref of {name}"), e)),
        }
    }

    fn write_raw_commit(
        &self,
        parent: Option<Oid>,
        body_id: Oid,
        page: &RawPage,
        observed_at: i64,
    ) -> Result<Oid, git2::Error> {
        let repo = &self.repo;
        let headers_id = repo.blob(page.headers.as_bytes())?;
        let mut info = serde_json::to_vec_pretty(&page.info).unwrap_or_default();
        info.push(b'\n');
        let info_id = repo.blob(&info)?;
        let files = [(RAW_BODY, body_id), (RAW_HEADERS, headers_id), (RAW_FETCH, info_id)];
        let mut msg = format!("raw: {} {}", page.info.status, page.info.final_url);
        if let Some(r) = &page.info.refused {
            msg.push_str(&format!(" (refused: {r})"));
        }
        msg.push('\n');
        super::write::commit_files(repo, parent.as_slice(), &files, observed_at, &msg)
    }

    fn raw_entry(&self, id: Oid, file: &str) -> Result<Option<Oid>> {
        let err = |e| store_err(&self.path, "cannot read a raw commit", e);
        let tree = self.repo.find_commit(id).and_then(|c| c.tree()).map_err(err)?;
        Ok(tree.get_name(file).map(|e| e.id()))
    }

    fn raw_blob(&self, id: Oid, file: &str) -> Result<Vec<u8>> {
        let entry = self.raw_entry(id, file)?.ok_or_else(|| self.damaged(id, &format!("no {file} in raw commit")))?;
        let blob = self.repo.find_blob(entry).map_err(|e| store_err(&self.path, "cannot read a raw page", e))?;
        Ok(blob.content().to_vec())
    }
}

/// Refs the tracker writes besides the articles (`fsck` accepts them and
/// keeps what they reach).
pub fn is_tracker_ref(full: &str) -> bool {
    full.starts_with(RAW_PREFIX) || full == super::watch::WATCH_REF || full == super::watch::STATE_REF
}

/// The `fetch` object of a tracker revision's meta.json: where and how the
/// text was fetched, so a revision can be checked against its raw page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchMeta {
    /// The URL as requested.
    pub url: String,
    /// Where redirects ended.
    pub final_url: String,
    /// The HTTP status.
    pub status: u16,
    /// The server's `Date` header, as received.
    pub server_date: Option<String>,
    /// The response's `ETag`.
    pub etag: Option<String>,
    /// The response's `Last-Modified`.
    pub last_modified: Option<String>,
    /// E.g. `dom_smoothie`.
    pub extractor: String,
    /// The extractor's version, so a text can be re-extracted alike.
    pub extractor_version: String,
    /// Who fetched it (config `observer`; a stable default).
    pub observer: String,
    /// The character set the page was decoded from, and how it was found.
    pub charset: String,
    /// The article's byline, when the page names one.
    pub byline: Option<String>,
    /// The article's publication time, when the page gives one.
    pub published: Option<String>,
    /// `rel=canonical` and `og:url` of the page: other URLs of the article.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The raw commit on `refs/raw/<name>` holding the response.
    pub raw: Option<String>,
}
