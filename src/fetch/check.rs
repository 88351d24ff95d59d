//! One check of one page: conditional request, decoding, extraction, the
//! quality gate, and the commit (text revision plus raw page).
//!
//! Shared by `redline fetch` and `redline watch run`, so both behave alike.

use super::charset;
use super::extract::{self, Extracted, EXTRACTOR, EXTRACTOR_VERSION};
use super::http::{Client, FetchError, Response, Validators};
use super::quality;
use super::retry;
use super::rules::{Boring, HostRules};
use crate::error::Result;
use crate::store::{CommitOutcome, CommitRequest, FetchMeta, RawInfo, RawPage, Store};

/// Why a check produced no new text.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub msg: String,
    pub status: Option<u16>,
    /// Seconds the server asked us to wait (429/503 `Retry-After`).
    pub retry_after: Option<i64>,
    /// The quality gate refused the page (not a transport problem).
    pub refused: bool,
    /// Worth retrying soon (5xx, timeouts, connection errors).
    pub transient: bool,
}

impl Failure {
    fn net(e: FetchError) -> Failure {
        Failure { transient: e.is_transient(), msg: e.to_string(), status: None, retry_after: None, refused: false }
    }
}

/// What one check did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The server answered 304 to our validators.
    NotModified,
    /// Fetched; the text (boring parts aside) equals the latest revision.
    Unchanged,
    Stored {
        revision: u32,
        summary: String,
    },
    Failed(Failure),
}

impl Outcome {
    /// The one-line report: `304 not modified`, `unchanged`,
    /// `revision 4: +3 −2 words, 1 sentence reworded`, or the failure.
    pub fn line(&self) -> String {
        match self {
            Outcome::NotModified => "304 not modified".into(),
            Outcome::Unchanged => "unchanged".into(),
            Outcome::Stored { revision, summary } => format!("revision {revision}: {summary}"),
            Outcome::Failed(f) if f.refused => format!("not stored: {}", f.msg),
            Outcome::Failed(f) => format!("failed: {}", f.msg),
        }
    }
}

/// Everything a check needs besides the page.
pub struct Checker<'a> {
    pub store: &'a Store,
    pub client: &'a Client,
    pub observer: &'a str,
}

/// What a check wants written, decided without writing anything: `fetch`
/// writes it at once ([`apply`]), `watch run` stages it in a batch
/// ([`crate::store::Batch`]) and reports the check once it is on disk.
#[derive(Debug, Clone)]
// One value per check: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Plan {
    /// Nothing to write: 304, an HTTP or network failure.
    Done(Outcome),
    /// Keep the raw page only (the text was refused or did not change);
    /// `outcome` is final.
    Raw { page: RawPage, outcome: Outcome, now: i64 },
    /// A new text revision and the raw page it came from.
    Revision { page: RawPage, req: CommitRequest, meta: FetchMeta },
}

/// Write `plan` for article `name` now: the raw commit first, then the
/// revision that names it, then the raw ref (see [`Store::prepare_raw`]).
pub fn apply(store: &Store, name: &str, plan: Plan) -> Result<Outcome> {
    match plan {
        Plan::Done(o) => Ok(o),
        Plan::Raw { page, outcome, now } => {
            if let Some(p) = store.prepare_raw(name, &page, now)? {
                store.publish_raw(name, p)?;
            }
            Ok(outcome)
        }
        Plan::Revision { page, req, mut meta } => {
            let pending = store.prepare_raw(name, &page, req.observed_at)?;
            meta.raw = pending.map(|p| p.id.to_string());
            let outcome = match store.commit_fetched(&req, Some(&meta))? {
                CommitOutcome::Stored(rev) => Outcome::Stored { revision: rev.number(), summary: rev.meta.summary },
                CommitOutcome::Unchanged { .. } => Outcome::Unchanged,
            };
            if let Some(p) = pending {
                store.publish_raw(name, p)?;
            }
            Ok(outcome)
        }
    }
}

impl Checker<'_> {
    /// Check `url` and store its text as article `name`. `force` stores a
    /// page even when the quality gate refuses it.
    pub fn check(&self, url: &str, name: &str, rules: &HostRules, force: bool, now: i64) -> Result<Outcome> {
        let plan = self.plan(url, name, rules, force, now)?;
        apply(self.store, name, plan)
    }

    /// Everything of a check but the writes: read the latest revision and
    /// validators, ask, decode, extract, judge.
    pub fn plan(&self, url: &str, name: &str, rules: &HostRules, force: bool, now: i64) -> Result<Plan> {
        let prev = match self.store.tip(name)? {
            Some(_) => {
                let rev = self.store.latest(name)?;
                let text = self.store.text_string(&rev)?;
                Some((rev, text))
            }
            None => None,
        };
        let validators = match &prev {
            Some(_) => self
                .store
                .last_accepted_raw(name)?
                .map(|i| Validators { etag: i.etag, last_modified: i.last_modified })
                .unwrap_or_default(),
            None => Validators::default(),
        };
        let resp = match self.client.get(url, &validators, false) {
            Ok(r) => r,
            Err(e) => return Ok(Plan::Done(Outcome::Failed(Failure::net(e)))),
        };
        if resp.status == 304 && validators != Validators::default() {
            return Ok(Plan::Done(Outcome::NotModified));
        }
        if let Some(f) = status_failure(&resp, now) {
            return Ok(Plan::Done(Outcome::Failed(f)));
        }
        let prev_words = prev.as_ref().map(|(r, _)| r.meta.words);
        let (resp, page) = match self.read_page(url, resp, rules, prev_words, force)? {
            Ok(ok) => ok,
            Err((resp, f)) => {
                let page = raw_page(url, &resp, false, Some(&f.msg), now);
                return Ok(Plan::Raw { page, outcome: Outcome::Failed(f), now });
            }
        };
        if let Some((_, old)) = &prev {
            if Boring::new(rules).same(old, &page.ex.text) {
                return Ok(Plan::Raw { page: raw_page(url, &resp, true, None, now), outcome: Outcome::Unchanged, now });
            }
        }
        let meta = self.fetch_meta(url, &resp, &page);
        let req = CommitRequest {
            name: name.to_string(),
            text: page.ex.text,
            title: Some(page.ex.title).filter(|t| !t.is_empty()),
            url: Some(url.to_string()),
            observed_at: now,
            message: None,
            observed_now: true,
            ..CommitRequest::default()
        };
        Ok(Plan::Revision { page: raw_page(url, &resp, true, None, now), req, meta })
    }

    /// Decode, extract and judge; on a refusal, look once more with
    /// `Cache-Control: no-cache` before giving up.
    #[allow(clippy::type_complexity)]
    fn read_page(
        &self,
        url: &str,
        resp: Response,
        rules: &HostRules,
        prev_words: Option<usize>,
        force: bool,
    ) -> Result<std::result::Result<(Response, Page), (Response, Failure)>> {
        let first = judge(&resp, rules, prev_words);
        let err = match first {
            Ok(p) => return Ok(Ok((resp, p))),
            Err(f) if force && f.refused => match extract_page(&resp, rules) {
                Ok(p) => return Ok(Ok((resp, p))),
                Err(f) => f,
            },
            Err(f) => f,
        };
        if !err.refused {
            return Ok(Err((resp, err)));
        }
        let again = match self.client.get(url, &Validators::default(), true) {
            Ok(r) => r,
            Err(_) => return Ok(Err((resp, err))),
        };
        if status_failure(&again, 0).is_some() {
            return Ok(Err((resp, err)));
        }
        Ok(match judge(&again, rules, prev_words) {
            Ok(p) => Ok((again, p)),
            Err(f) => Err((again, f)),
        })
    }

    /// The `fetch` object of meta.json (`raw` is filled in when the raw
    /// commit is written).
    fn fetch_meta(&self, url: &str, resp: &Response, page: &Page) -> FetchMeta {
        let v = resp.validators();
        FetchMeta {
            url: url.to_string(),
            final_url: resp.final_url.clone(),
            status: resp.status,
            server_date: resp.header("date").map(str::to_string),
            etag: v.etag,
            last_modified: v.last_modified,
            extractor: EXTRACTOR.into(),
            extractor_version: EXTRACTOR_VERSION.into(),
            observer: self.observer.to_string(),
            charset: page.charset.clone(),
            byline: page.ex.byline.clone(),
            published: page.ex.published.clone(),
            aliases: page.ex.aliases.clone(),
            raw: None,
        }
    }
}

/// An extracted page and how it was decoded.
struct Page {
    ex: Extracted,
    charset: String,
}

fn extract_page(resp: &Response, rules: &HostRules) -> std::result::Result<Page, Failure> {
    let refused =
        |msg: String| Failure { msg, status: Some(resp.status), retry_after: None, refused: true, transient: false };
    if let Some(ct) = resp.header("content-type") {
        let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if !(mime.is_empty() || mime.contains("html") || mime == "text/plain") {
            return Err(refused(format!("not an HTML page (Content-Type: {mime})")));
        }
    }
    let decoded = charset::decode(&resp.body, resp.header("content-type"));
    let ex = extract::extract(&decoded.text, &resp.final_url, rules).map_err(refused)?;
    Ok(Page { ex, charset: decoded.label() })
}

fn judge(resp: &Response, rules: &HostRules, prev_words: Option<usize>) -> std::result::Result<Page, Failure> {
    let page = extract_page(resp, rules)?;
    quality::judge(&page.ex, prev_words).map_err(|msg| Failure {
        msg,
        status: Some(resp.status),
        retry_after: None,
        refused: true,
        transient: false,
    })?;
    Ok(page)
}

/// A non-2xx status as a failure (429/503 carry their Retry-After).
fn status_failure(resp: &Response, now: i64) -> Option<Failure> {
    let s = resp.status;
    if (200..300).contains(&s) {
        return None;
    }
    let retry_after = if s == 429 || s == 503 {
        resp.header("retry-after").and_then(|v| retry::parse(v, if now > 0 { now } else { crate::store::now() }))
    } else {
        None
    };
    let mut msg = format!("HTTP {s}");
    if let Some(r) = retry_after {
        msg.push_str(&format!(" (Retry-After: {r} s)"));
    }
    Some(Failure { msg, status: Some(s), retry_after, refused: false, transient: s >= 500 || s == 429 })
}

fn raw_page(url: &str, resp: &Response, accepted: bool, refused: Option<&str>, now: i64) -> RawPage {
    let v = resp.validators();
    RawPage {
        headers: resp.header_text(),
        body: resp.body.clone(),
        info: RawInfo {
            url: url.to_string(),
            final_url: resp.final_url.clone(),
            status: resp.status,
            observed_at: crate::store::format_time(now),
            accepted,
            etag: v.etag,
            last_modified: v.last_modified,
            refused: refused.map(str::to_string),
        },
    }
}
