//! `watch run`: check what is due, politely, and record what happened.
//!
//! A pass reads the watch list and state, checks the due feeds first (their
//! new entries join the list and are due at once), then the due pages, on a
//! worker pool with one queue per host ([`super::pool`]). Each result updates
//! that URL's state: when it is due next ([`super::schedule::Policy`]), its
//! last error, failures in a row. The state is saved once at the end of the
//! pass.

use super::check::{Checker, Failure, Outcome};
use super::clock::{Clock, Millis};
use super::http::{Client, Validators};
use super::pool::{self, Gate};
use super::robots::{self, Verdict};
use super::rules::Rules;
use super::schedule::{Jitter, Policy};
use super::{canon, feed};
use crate::error::Result;
use crate::store::{self, RobotsEntry, Store, UrlState, WatchEntry, WatchKind};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

/// How a pass runs.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Check everything, due or not (paused and retired URLs too).
    pub all: bool,
    /// Minimum time between two requests to one host.
    pub gap_ms: Millis,
    pub workers: usize,
    pub policy: Policy,
    pub observer: String,
    pub seed: u64,
}

/// What happened to one URL in a pass.
#[derive(Debug, Clone)]
pub struct Report {
    pub url: String,
    pub name: String,
    pub kind: WatchKind,
    pub result: JobResult,
}

#[derive(Debug, Clone)]
pub enum JobResult {
    Page(Outcome),
    /// A feed was read: how many entries it lists, and its validators.
    Feed {
        entries: usize,
        not_modified: bool,
        validators: Validators,
    },
    /// Not fetched now (robots.txt unreachable, the host asked to wait).
    Deferred {
        msg: String,
        delay: i64,
    },
    Failed(Failure),
}

impl Report {
    /// One line per fetch: `URL: revision 2: …`.
    pub fn line(&self) -> String {
        let what = match &self.result {
            JobResult::Page(o) => o.line(),
            JobResult::Feed { not_modified: true, .. } => "feed: 304 not modified".into(),
            JobResult::Feed { entries, .. } => format!("feed: {entries} entries"),
            JobResult::Deferred { msg, .. } => format!("deferred: {msg}"),
            JobResult::Failed(f) => format!("failed: {}", f.msg),
        };
        format!("{}: {what}", self.url)
    }

    pub fn stored(&self) -> bool {
        matches!(self.result, JobResult::Page(Outcome::Stored { .. }))
    }

    pub fn failed(&self) -> bool {
        matches!(self.result, JobResult::Failed(_) | JobResult::Page(Outcome::Failed(_)))
    }
}

/// Totals of a pass.
#[derive(Debug, Default, Clone, Copy)]
pub struct Totals {
    pub checked: usize,
    pub stored: usize,
    pub failed: usize,
    pub deferred: usize,
}

struct Job {
    url: String,
    name: String,
    kind: WatchKind,
    validators: Validators,
}

/// Everything a pass needs.
pub struct Runner<'a> {
    pub store_path: PathBuf,
    pub client: Client,
    pub rules: Rules,
    pub clock: &'a dyn Clock,
    pub opts: RunOptions,
    pub stop: &'a AtomicBool,
}

impl Runner<'_> {
    /// Check every due URL once; `on_report` sees each result as it comes
    /// (and `on_total` the number of checks planned, for a progress bar).
    pub fn pass(&self, on_total: &mut dyn FnMut(usize), on_report: &mut dyn FnMut(&Report)) -> Result<Totals> {
        let store = Store::open_or_create(&self.store_path)?;
        let mut state = store.watch_state()?;
        let mut totals = Totals::default();
        let mut jitter = Jitter::new(self.opts.seed ^ self.clock.now_ms() as u64, self.opts.policy.jitter);
        let mut changed: BTreeMap<String, UrlState> = BTreeMap::new();
        let robots_cache = Mutex::new(std::mem::take(&mut state.robots));

        // Feeds first: their new entries are checked in the same pass.
        let list = store.watch_list()?;
        let feeds: Vec<&WatchEntry> =
            list.entries.iter().filter(|e| e.kind == WatchKind::Feed && self.due(&state, &e.url)).collect();
        let mut found: Vec<(String, String)> = Vec::new();
        let feed_jobs = feeds.iter().map(|e| job(e, state.urls.get(&e.url))).collect();
        self.run_jobs(feed_jobs, &robots_cache, &mut |r, links| {
            if let Some(links) = links {
                found.extend(links.into_iter().map(|l| (l, r.url.clone())));
            }
            self.record(&mut state, &mut changed, &mut jitter, &mut totals, r);
            on_report(r);
        });
        let list = if found.is_empty() { list } else { add_found(&store, &found)? };

        let pages: Vec<&WatchEntry> =
            list.entries.iter().filter(|e| e.kind == WatchKind::Page && self.due(&state, &e.url)).collect();
        on_total(pages.len());
        let page_jobs = pages.iter().map(|e| job(e, state.urls.get(&e.url))).collect();
        self.run_jobs(page_jobs, &robots_cache, &mut |r, _| {
            self.record(&mut state, &mut changed, &mut jitter, &mut totals, r);
            on_report(r);
        });

        let robots = robots_cache.into_inner().unwrap_or_else(|p| p.into_inner());
        store.update_watch_state(|s| {
            for (url, st) in &changed {
                s.urls.insert(url.clone(), st.clone());
            }
            s.robots.extend(robots.iter().map(|(k, v)| (k.clone(), v.clone())));
        })?;
        Ok(totals)
    }

    fn due(&self, state: &store::WatchState, url: &str) -> bool {
        if self.opts.all {
            return true;
        }
        let Some(st) = state.urls.get(url) else { return true };
        if st.paused || st.retired {
            return false;
        }
        let now = self.clock.now_secs();
        st.next_due.as_deref().and_then(|d| store::parse_time(d).ok()).is_none_or(|d| d <= now)
    }

    fn run_jobs(
        &self,
        jobs: Vec<Job>,
        robots_cache: &Mutex<BTreeMap<String, RobotsEntry>>,
        on_result: &mut dyn FnMut(&Report, Option<Vec<String>>),
    ) {
        if jobs.is_empty() {
            return;
        }
        let mut gate = Gate::default();
        for j in jobs {
            let host = url::Url::parse(&j.url).map(|u| robots::origin(&u)).unwrap_or_default();
            let gap = self.host_gap(&j.url);
            gate.push(&host, j, gap);
        }
        let workers = self.opts.workers.max(1);
        let stores: Vec<Mutex<Option<Store>>> = (0..workers).map(|_| Mutex::new(None)).collect();
        pool::run(
            gate,
            workers,
            self.clock,
            self.stop,
            |host, job, gate| self.work(host, job, gate, robots_cache, &stores),
            |(report, links): (Report, Option<Vec<String>>)| on_result(&report, links),
        );
    }

    /// The configured gap, or the host's rule.
    fn host_gap(&self, url: &str) -> Millis {
        let host = url::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
        match self.rules.for_host(&host).min_gap {
            Some(s) if s.is_finite() && s >= 0.0 => (s * 1000.0) as Millis,
            _ => self.opts.gap_ms,
        }
    }

    /// One job on a worker thread.
    fn work(
        &self,
        origin: &str,
        job: Job,
        gate: &Mutex<Gate<Job>>,
        robots_cache: &Mutex<BTreeMap<String, RobotsEntry>>,
        stores: &[Mutex<Option<Store>>],
    ) -> ((Report, Option<Vec<String>>), Option<Millis>) {
        let report = |result| Report { url: job.url.clone(), name: job.name.clone(), kind: job.kind, result };
        match self.robots(origin, &job.url, robots_cache) {
            Verdict::Allowed(delay) => {
                if let Some(d) = delay {
                    gate.lock().unwrap_or_else(|p| p.into_inner()).widen_gap(origin, (d * 1000.0) as Millis);
                }
            }
            Verdict::Disallowed => {
                let f = fail("robots.txt does not allow redline to fetch this page", false);
                return ((report(JobResult::Failed(f)), None), None);
            }
            Verdict::NotNow(msg) => {
                return ((report(JobResult::Deferred { msg, delay: robots::FAILURE_TTL }), None), None);
            }
        }
        // A worker keeps one store handle (git2 handles are not shared).
        let slot = stores.iter().find_map(|m| m.try_lock().ok());
        let Some(mut slot) = slot else {
            return ((report(JobResult::Failed(fail("no free store handle", true))), None), None);
        };
        if slot.is_none() {
            match Store::open(&self.store_path) {
                Ok(s) => *slot = Some(s),
                Err(e) => return ((report(JobResult::Failed(fail(&e.to_string(), true))), None), None),
            }
        }
        let store = slot.as_ref().expect("opened above");
        let now = self.clock.now_secs();
        let (result, links) = match job.kind {
            WatchKind::Page => (self.check_page(store, &job, now), None),
            WatchKind::Feed => self.check_feed(&job),
        };
        let not_before = match &result {
            JobResult::Failed(f) | JobResult::Page(Outcome::Failed(f)) => {
                f.retry_after.map(|s| self.clock.now_ms() + s * 1000)
            }
            _ => None,
        };
        ((report(result), links), not_before)
    }

    fn check_page(&self, store: &Store, job: &Job, now: i64) -> JobResult {
        let host = url::Url::parse(&job.url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
        let checker = Checker { store, client: &self.client, observer: &self.opts.observer };
        match checker.check(&job.url, &job.name, &self.rules.for_host(&host), false, now) {
            Ok(o) => JobResult::Page(o),
            Err(e) => JobResult::Failed(fail(&e.to_string(), true)),
        }
    }

    fn check_feed(&self, job: &Job) -> (JobResult, Option<Vec<String>>) {
        let resp = match self.client.get(&job.url, &job.validators, false) {
            Ok(r) => r,
            Err(e) => return (JobResult::Failed(fail(&e.to_string(), e.is_transient())), None),
        };
        if resp.status == 304 && job.validators != Validators::default() {
            let validators = job.validators.clone();
            return (JobResult::Feed { entries: 0, not_modified: true, validators }, None);
        }
        if !(200..300).contains(&resp.status) {
            let retry_after = resp.header("retry-after").and_then(|v| super::retry::parse(v, self.clock.now_secs()));
            let mut f = fail(&format!("HTTP {}", resp.status), resp.status >= 500 || resp.status == 429);
            f.status = Some(resp.status);
            f.retry_after = retry_after.filter(|_| resp.status == 429 || resp.status == 503);
            return (JobResult::Failed(f), None);
        }
        match feed::entry_links(&resp.body, &resp.final_url) {
            Ok(links) => {
                let validators = resp.validators();
                (JobResult::Feed { entries: links.len(), not_modified: false, validators }, Some(links))
            }
            Err(msg) => (JobResult::Failed(fail(&msg, false)), None),
        }
    }

    /// The robots.txt verdict for `url`, fetching the origin's file when
    /// the cached answer is stale. Only the worker holding the host asks.
    fn robots(&self, origin: &str, url: &str, cache: &Mutex<BTreeMap<String, RobotsEntry>>) -> Verdict {
        let now = self.clock.now_secs();
        let cached = cache.lock().unwrap_or_else(|p| p.into_inner()).get(origin).cloned();
        let entry = match cached {
            Some(e) if !robots::stale(Some(&e), now) => e,
            _ => {
                let e = robots::fetch(&self.client, origin, now);
                cache.lock().unwrap_or_else(|p| p.into_inner()).insert(origin.to_string(), e.clone());
                e
            }
        };
        robots::verdict(&entry, url)
    }

    /// Fold one result into the URL's state.
    fn record(
        &self,
        state: &mut store::WatchState,
        changed: &mut BTreeMap<String, UrlState>,
        jitter: &mut Jitter,
        totals: &mut Totals,
        r: &Report,
    ) {
        let now = self.clock.now_secs();
        let p = &self.opts.policy;
        let mut st = state.urls.get(&r.url).cloned().unwrap_or_default();
        let since_change =
            |st: &UrlState| st.last_change.as_deref().and_then(|t| store::parse_time(t).ok()).map_or(0, |t| now - t);
        let mut good = |st: &mut UrlState, changed_now: bool| {
            st.last_check = Some(store::format_time(now));
            if changed_now || st.last_change.is_none() {
                st.last_change = Some(store::format_time(now));
            }
            st.failures = 0;
            st.last_error = None;
            st.paused = false;
            let age = since_change(st);
            st.retired = p.retired(age);
            st.next_due = Some(store::format_time(now + jitter.apply(p.interval(age))));
        };
        match &r.result {
            JobResult::Page(Outcome::Stored { .. }) => {
                totals.stored += 1;
                good(&mut st, true);
            }
            JobResult::Page(Outcome::Unchanged | Outcome::NotModified) => good(&mut st, false),
            JobResult::Feed { validators, .. } => {
                good(&mut st, false);
                st.etag = validators.etag.clone();
                st.last_modified = validators.last_modified.clone();
            }
            JobResult::Deferred { msg, delay } => {
                totals.deferred += 1;
                st.last_error = Some(msg.clone());
                st.next_due = Some(store::format_time(now + delay));
            }
            JobResult::Failed(f) | JobResult::Page(Outcome::Failed(f)) => {
                totals.failed += 1;
                st.last_check = Some(store::format_time(now));
                st.failures += 1;
                st.last_status = f.status;
                st.last_error = Some(f.msg.clone());
                st.paused = st.failures >= p.max_failures;
                let delay = jitter.apply(p.backoff(st.failures)).max(f.retry_after.unwrap_or(0));
                st.next_due = Some(store::format_time(now + delay));
            }
        }
        if !matches!(r.result, JobResult::Deferred { .. }) {
            totals.checked += 1;
        }
        state.urls.insert(r.url.clone(), st.clone());
        changed.insert(r.url.clone(), st);
    }
}

fn fail(msg: &str, transient: bool) -> Failure {
    Failure { msg: msg.to_string(), status: None, retry_after: None, refused: false, transient }
}

fn job(e: &WatchEntry, st: Option<&UrlState>) -> Job {
    let validators = match (e.kind, st) {
        (WatchKind::Feed, Some(s)) => Validators { etag: s.etag.clone(), last_modified: s.last_modified.clone() },
        _ => Validators::default(),
    };
    Job { url: e.url.clone(), name: e.name.clone(), kind: e.kind, validators }
}

/// Add the feed entries not yet watched; returns the new list.
fn add_found(store: &Store, found: &[(String, String)]) -> Result<store::WatchList> {
    let now = store::format_time(store::now());
    Ok(store.update_watch_list(|list| {
        let mut added = 0;
        for (url, feed_url) in found {
            if list.entries.iter().any(|e| &e.url == url) {
                continue;
            }
            let Ok(u) = canon::canonical(url, None) else { continue };
            let Ok(name) = store::name_from_url(u.as_str()) else { continue };
            if list.entries.iter().any(|e| e.name == name) {
                continue;
            }
            list.entries.push(WatchEntry {
                url: u.to_string(),
                name,
                kind: WatchKind::Page,
                feed: Some(feed_url.clone()),
                added_at: now.clone(),
            });
            added += 1;
        }
        (added > 0).then(|| format!("watch: {added} new from feeds\n"))
    })?)
}
