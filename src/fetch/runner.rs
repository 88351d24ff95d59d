//! `watch run`: check what is due, politely, and record what happened.
//!
//! A pass reads the watch list and state, checks the due feeds first (their
//! new entries join the list and are due at once), then the due pages, on a
//! worker pool with one queue per host ([`super::pool`]). Each result updates
//! that URL's state: when it is due next ([`super::schedule::Policy`]), its
//! last error, failures in a row.
//!
//! Pages' writes go through a [`crate::store::Batch`]: a worker only reads
//! the store and plans its writes ([`Plan`]); this thread stages them, and
//! flushes the batch (one pack, then the refs) every [`FLUSH_CHECKS`] checks
//! or [`FLUSH_AGE`], whichever comes first. A check is reported, and its
//! state recorded, only after the flush that put it on disk, so a killed
//! pass loses only checks it never reported. The state is saved at the end
//! of the pass, and every [`STATE_EVERY`] during a long one.

use super::check::{Checker, Failure, Outcome, Plan};
use super::clock::{Clock, Millis};
use super::http::{Client, Validators};
use super::pool::{self, Gate};
use super::robots::{self, Verdict};
use super::rules::Rules;
use super::schedule::{Jitter, Policy};
use super::{canon, feed};
use crate::error::Result;
use crate::store::{self, Acked, Batch, RobotsEntry, Staged, Store, UrlState, WatchEntry, WatchKind};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Flush the write batch when this many checks are staged…
pub const FLUSH_CHECKS: usize = 256;
/// …or when the oldest has waited this long.
pub const FLUSH_AGE: Duration = Duration::from_secs(1);
/// During a long pass, save the watch state at most this often.
pub const STATE_EVERY: Duration = Duration::from_secs(30);

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

/// What a worker hands back: the report, a feed's entry links, and a
/// page's planned writes.
struct Done {
    report: Report,
    links: Option<Vec<String>>,
    plan: Option<Plan>,
}

/// The state a pass builds up as results are acknowledged.
struct Tally<'r> {
    state: store::WatchState,
    changed: BTreeMap<String, UrlState>,
    jitter: Jitter,
    totals: Totals,
    on_report: &'r mut dyn FnMut(&Report),
}

impl Runner<'_> {
    /// Check every due URL once; `on_report` sees each result once it is
    /// stored (and `on_total` the number of checks planned, for a progress
    /// bar).
    pub fn pass(&self, on_total: &mut dyn FnMut(usize), on_report: &mut dyn FnMut(&Report)) -> Result<Totals> {
        let store = Store::open_or_create(&self.store_path)?;
        let mut state = store.watch_state()?;
        let robots_cache = Mutex::new(std::mem::take(&mut state.robots));
        let jitter = Jitter::new(self.opts.seed ^ self.clock.now_ms() as u64, self.opts.policy.jitter);
        let mut t = Tally { state, changed: BTreeMap::new(), jitter, totals: Totals::default(), on_report };

        // Feeds first: their new entries are checked in the same pass.
        let list = store.watch_list()?;
        let feeds: Vec<&WatchEntry> =
            list.entries.iter().filter(|e| e.kind == WatchKind::Feed && self.due(&t.state, &e.url)).collect();
        let mut found: Vec<(String, String)> = Vec::new();
        let feed_jobs = feeds.iter().map(|e| job(e, t.state.urls.get(&e.url))).collect();
        self.run_jobs(feed_jobs, &robots_cache, &mut |done| {
            let Some(d) = done else { return };
            if let Some(links) = d.links {
                found.extend(links.into_iter().map(|l| (l, d.report.url.clone())));
            }
            self.acknowledge(&mut t, &d.report);
        });
        let list = if found.is_empty() { list } else { add_found(&store, &found)? };

        let pages: Vec<&WatchEntry> =
            list.entries.iter().filter(|e| e.kind == WatchKind::Page && self.due(&t.state, &e.url)).collect();
        on_total(pages.len());
        let page_jobs = pages.iter().map(|e| job(e, t.state.urls.get(&e.url))).collect();
        store.batched(|batch: &mut Batch<'_, Report>| {
            let mut failed = None;
            let mut saved = Instant::now();
            self.run_jobs(page_jobs, &robots_cache, &mut |done| {
                if let Some(d) = done {
                    self.stage(batch, &mut t, d);
                }
                let due = batch.len() >= FLUSH_CHECKS || batch.age() >= FLUSH_AGE;
                if failed.is_none() && due {
                    failed = self.flush(batch, &mut t).err();
                    if failed.is_none() && saved.elapsed() >= STATE_EVERY {
                        failed = save_state(&store, &t.changed, &robots_cache).err();
                        saved = Instant::now();
                    }
                }
            });
            match failed {
                Some(e) => Err(e),
                None => self.flush(batch, &mut t),
            }
        })?;
        save_state(&store, &t.changed, &robots_cache)?;
        Ok(t.totals)
    }

    /// Stage a page's writes; a check with nothing to write, or whose
    /// writes are refused, is acknowledged at once.
    fn stage(&self, batch: &mut Batch<'_, Report>, t: &mut Tally<'_>, d: Done) {
        let Done { mut report, plan, .. } = d;
        let staged = match plan {
            None | Some(Plan::Done(_)) => return self.acknowledge(t, &report),
            Some(Plan::Raw { page, outcome, now }) => {
                report.result = JobResult::Page(outcome);
                batch.stage_raw(report.clone(), &report.name, &page, now)
            }
            Some(Plan::Revision { page, req, meta }) => {
                let tag = report.clone();
                batch.stage_revision(tag, &req, meta, &page).map(|s| {
                    if let Staged::Unchanged = s {
                        report.result = JobResult::Page(Outcome::Unchanged);
                    }
                })
            }
        };
        if let Err(e) = staged {
            report.result = JobResult::Failed(fail(&e.to_string(), true));
            self.acknowledge(t, &report);
        }
    }

    /// Put the staged writes on disk, then record and report each check.
    fn flush(&self, batch: &mut Batch<'_, Report>, t: &mut Tally<'_>) -> Result<()> {
        for (mut report, acked) in batch.flush()? {
            report.result = match acked {
                Acked::Stored(rev) => {
                    JobResult::Page(Outcome::Stored { revision: rev.number(), summary: rev.meta.summary })
                }
                Acked::Unchanged => JobResult::Page(Outcome::Unchanged),
                Acked::RawKept => report.result,
                Acked::Failed(msg) => JobResult::Failed(fail(&msg, true)),
            };
            self.acknowledge(t, &report);
        }
        Ok(())
    }

    fn acknowledge(&self, t: &mut Tally<'_>, r: &Report) {
        self.record(&mut t.state, &mut t.changed, &mut t.jitter, &mut t.totals, r);
        (t.on_report)(r);
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
        on_result: &mut dyn FnMut(Option<Done>),
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
            on_result,
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
    ) -> (Done, Option<Millis>) {
        let report = |result| Report { url: job.url.clone(), name: job.name.clone(), kind: job.kind, result };
        let done = |report, links, plan| Done { report, links, plan };
        match self.robots(origin, &job.url, robots_cache) {
            Verdict::Allowed(delay) => {
                if let Some(d) = delay {
                    gate.lock().unwrap_or_else(|p| p.into_inner()).widen_gap(origin, (d * 1000.0) as Millis);
                }
            }
            Verdict::Disallowed => {
                let f = fail("robots.txt does not allow redline to fetch this page", false);
                return (done(report(JobResult::Failed(f)), None, None), None);
            }
            Verdict::NotNow(msg) => {
                return (done(report(JobResult::Deferred { msg, delay: robots::FAILURE_TTL }), None, None), None);
            }
        }
        // A worker keeps one store handle (git2 handles are not shared).
        let slot = stores.iter().find_map(|m| m.try_lock().ok());
        let Some(mut slot) = slot else {
            return (done(report(JobResult::Failed(fail("no free store handle", true))), None, None), None);
        };
        if slot.is_none() {
            match Store::open(&self.store_path) {
                Ok(s) => *slot = Some(s),
                Err(e) => return (done(report(JobResult::Failed(fail(&e.to_string(), true))), None, None), None),
            }
        }
        let store = slot.as_ref().expect("opened above");
        let now = self.clock.now_secs();
        let (result, links, plan) = match job.kind {
            WatchKind::Page => {
                let (result, plan) = self.check_page(store, &job, now);
                (result, None, plan)
            }
            WatchKind::Feed => {
                let (result, links) = self.check_feed(&job);
                (result, links, None)
            }
        };
        let not_before = match &result {
            JobResult::Failed(f) | JobResult::Page(Outcome::Failed(f)) => {
                f.retry_after.map(|s| self.clock.now_ms() + s * 1000)
            }
            _ => None,
        };
        (done(report(result), links, plan), not_before)
    }

    /// Fetch and judge a page; its writes are planned, not made (the
    /// result of a page with writes is provisional until they are).
    fn check_page(&self, store: &Store, job: &Job, now: i64) -> (JobResult, Option<Plan>) {
        let host = url::Url::parse(&job.url).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
        let checker = Checker { store, client: &self.client, observer: &self.opts.observer };
        match checker.plan(&job.url, &job.name, &self.rules.for_host(&host), false, now) {
            Ok(Plan::Done(o)) => (JobResult::Page(o), None),
            Ok(plan @ Plan::Raw { .. }) => (JobResult::Page(plan_outcome(&plan)), Some(plan)),
            Ok(plan) => (JobResult::Page(Outcome::Unchanged), Some(plan)),
            Err(e) => (JobResult::Failed(fail(&e.to_string(), true)), None),
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
        let mut st = state.urls.get(&r.url).cloned().unwrap_or_default();
        update_state(&mut st, &r.result, self.clock.now_secs(), &self.opts.policy, jitter);
        match &r.result {
            JobResult::Page(Outcome::Stored { .. }) => totals.stored += 1,
            JobResult::Deferred { .. } => totals.deferred += 1,
            JobResult::Failed(_) | JobResult::Page(Outcome::Failed(_)) => totals.failed += 1,
            _ => {}
        }
        if !matches!(r.result, JobResult::Deferred { .. }) {
            totals.checked += 1;
        }
        state.urls.insert(r.url.clone(), st.clone());
        changed.insert(r.url.clone(), st);
    }
}

/// Fold one check's result into a URL's state: last check and change,
/// errors in a row (paused after too many), and when it is due next.
/// Shared by `watch run` and by `fetch` of a watched URL.
pub fn update_state(st: &mut UrlState, result: &JobResult, now: i64, p: &Policy, jitter: &mut Jitter) {
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
    match result {
        JobResult::Page(Outcome::Stored { .. }) => good(st, true),
        JobResult::Page(Outcome::Unchanged | Outcome::NotModified) => good(st, false),
        JobResult::Feed { validators, .. } => {
            good(st, false);
            st.etag = validators.etag.clone();
            st.last_modified = validators.last_modified.clone();
        }
        JobResult::Deferred { msg, delay } => {
            st.last_error = Some(msg.clone());
            st.next_due = Some(store::format_time(now + delay));
        }
        JobResult::Failed(f) | JobResult::Page(Outcome::Failed(f)) => {
            st.last_check = Some(store::format_time(now));
            st.failures += 1;
            st.last_status = f.status;
            st.last_error = Some(f.msg.clone());
            st.paused = st.failures >= p.max_failures;
            let delay = jitter.apply(p.backoff(st.failures)).max(f.retry_after.unwrap_or(0));
            st.next_due = Some(store::format_time(now + delay));
        }
    }
}

/// The outcome a raw-only plan reports.
fn plan_outcome(plan: &Plan) -> Outcome {
    match plan {
        Plan::Done(o) | Plan::Raw { outcome: o, .. } => o.clone(),
        Plan::Revision { .. } => Outcome::Unchanged,
    }
}

/// Save the changed URL states and the robots.txt cache.
fn save_state(
    store: &Store,
    changed: &BTreeMap<String, UrlState>,
    robots: &Mutex<BTreeMap<String, RobotsEntry>>,
) -> Result<()> {
    let robots = robots.lock().unwrap_or_else(|p| p.into_inner()).clone();
    store.update_watch_state(|s| {
        for (url, st) in changed {
            s.urls.insert(url.clone(), st.clone());
        }
        s.robots.extend(robots.iter().map(|(k, v)| (k.clone(), v.clone())));
    })?;
    Ok(())
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
