//! Per-host politeness and the worker pool.
//!
//! One queue per host; a host is served by at most one worker at a time,
//! and its requests are spaced by its gap (the configured minimum, widened
//! by robots.txt's Crawl-delay or a per-host rule). Different hosts are
//! fetched in parallel. The choice of what to fetch next ([`Gate::pick`])
//! is a pure function of the time, so it is tested on a fake clock.

use super::clock::{Clock, Millis};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};

/// One host's queue.
#[derive(Debug)]
struct Host<J> {
    jobs: VecDeque<J>,
    next_allowed: Millis,
    busy: bool,
    gap: Millis,
}

/// What a worker should do next.
#[derive(Debug, PartialEq)]
pub enum Pick<J> {
    Job(String, J),
    /// Nothing can start before this time.
    WaitUntil(Millis),
    /// Some host is busy; wait for it to finish.
    WaitForOthers,
    Done,
}

/// The per-host queues.
#[derive(Debug)]
pub struct Gate<J> {
    hosts: HashMap<String, Host<J>>,
    /// Hosts in first-seen order, for a fair, deterministic pick.
    order: Vec<String>,
}

impl<J> Default for Gate<J> {
    fn default() -> Self {
        Gate { hosts: HashMap::new(), order: Vec::new() }
    }
}

impl<J> Gate<J> {
    /// Queue `job` for `host`, whose requests are `gap` ms apart.
    pub fn push(&mut self, host: &str, job: J, gap: Millis) {
        let h = self.hosts.entry(host.to_string()).or_insert_with(|| {
            self.order.push(host.to_string());
            Host { jobs: VecDeque::new(), next_allowed: 0, busy: false, gap }
        });
        h.gap = h.gap.max(gap);
        h.jobs.push_back(job);
    }

    /// The ready host with the earliest allowed time gets its next job.
    pub fn pick(&mut self, now: Millis) -> Pick<J> {
        let mut best: Option<(&String, Millis)> = None;
        let mut busy = false;
        for name in &self.order {
            let h = &self.hosts[name];
            if h.jobs.is_empty() {
                busy |= h.busy;
                continue;
            }
            if h.busy {
                busy = true;
                continue;
            }
            if best.is_none_or(|(_, t)| h.next_allowed < t) {
                best = Some((name, h.next_allowed));
            }
        }
        match best {
            Some((name, t)) if t <= now => {
                let name = name.clone();
                let h = self.hosts.get_mut(&name).expect("known host");
                h.busy = true;
                let job = h.jobs.pop_front().expect("non-empty queue");
                Pick::Job(name, job)
            }
            Some((_, t)) => Pick::WaitUntil(t),
            None if busy => Pick::WaitForOthers,
            None => Pick::Done,
        }
    }

    /// A job for `host` finished at `now`: its next request may go out one
    /// gap later (or later still, if the server asked: `not_before`).
    pub fn done(&mut self, host: &str, now: Millis, not_before: Option<Millis>) {
        if let Some(h) = self.hosts.get_mut(host) {
            h.busy = false;
            h.next_allowed = (now + h.gap).max(not_before.unwrap_or(0));
        }
    }

    /// Widen `host`'s gap (robots.txt Crawl-delay).
    pub fn widen_gap(&mut self, host: &str, gap: Millis) {
        if let Some(h) = self.hosts.get_mut(host) {
            h.gap = h.gap.max(gap);
        }
    }

    /// Take every job still queued for `host` (the host said "not now").
    #[cfg(test)]
    pub fn drain(&mut self, host: &str) -> Vec<J> {
        self.hosts.get_mut(host).map(|h| h.jobs.drain(..).collect()).unwrap_or_default()
    }
}

/// How often [`run`] wakes its caller when no result comes (so a batch of
/// results can be flushed on time).
pub const IDLE_TICK: std::time::Duration = std::time::Duration::from_millis(200);

/// Run `work` over every queued job on `workers` threads, calling `report`
/// on this thread with each result as it comes, and with `None` when no
/// result came for [`IDLE_TICK`]. `work` returns its result and,
/// optionally, a time before which the host must not be asked again.
/// When `stop` is set, no new job starts; jobs in flight finish.
pub fn run<J, R, W, F>(gate: Gate<J>, workers: usize, clock: &dyn Clock, stop: &AtomicBool, work: W, mut report: F)
where
    J: Send,
    R: Send,
    W: Fn(&str, J, &Mutex<Gate<J>>) -> (R, Option<Millis>) + Sync,
    F: FnMut(Option<R>),
{
    let shared = (Mutex::new(gate), Condvar::new());
    let (tx, rx) = std::sync::mpsc::channel::<R>();
    std::thread::scope(|s| {
        for _ in 0..workers.max(1) {
            let tx = tx.clone();
            let (shared, work) = (&shared, &work);
            s.spawn(move || worker(shared, clock, stop, work, tx));
        }
        drop(tx);
        loop {
            match rx.recv_timeout(IDLE_TICK) {
                Ok(r) => report(Some(r)),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => report(None),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
    });
}

fn worker<J, R, W>(
    shared: &(Mutex<Gate<J>>, Condvar),
    clock: &dyn Clock,
    stop: &AtomicBool,
    work: &W,
    tx: std::sync::mpsc::Sender<R>,
) where
    W: Fn(&str, J, &Mutex<Gate<J>>) -> (R, Option<Millis>),
{
    let (lock, cv) = shared;
    loop {
        if stop.load(Ordering::SeqCst) {
            cv.notify_all();
            return;
        }
        let pick = lock.lock().unwrap_or_else(|p| p.into_inner()).pick(clock.now_ms());
        match pick {
            Pick::Done => {
                cv.notify_all();
                return;
            }
            Pick::Job(host, job) => {
                let (r, not_before) = work(&host, job, lock);
                lock.lock().unwrap_or_else(|p| p.into_inner()).done(&host, clock.now_ms(), not_before);
                cv.notify_all();
                if tx.send(r).is_err() {
                    return;
                }
            }
            Pick::WaitUntil(t) => {
                // Sleep in short steps so a stop request is seen promptly.
                let step = (t - clock.now_ms()).clamp(1, 100);
                clock.sleep_until(clock.now_ms() + step);
            }
            Pick::WaitForOthers => {
                let g = lock.lock().unwrap_or_else(|p| p.into_inner());
                let _ = cv.wait_timeout(g, std::time::Duration::from_millis(50));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::clock::FakeClock;

    #[test]
    fn one_host_is_spaced_by_its_gap_and_hosts_interleave() {
        let clock = FakeClock::new(0);
        let mut g: Gate<u32> = Gate::default();
        for i in 0..3 {
            g.push("a", i, 1000);
            g.push("b", 10 + i, 0);
        }
        let mut log = Vec::new();
        for _ in 0..200 {
            match g.pick(clock.now_ms()) {
                Pick::Job(h, j) => {
                    log.push((clock.now_ms(), h.clone(), j));
                    g.done(&h, clock.now_ms(), None);
                }
                Pick::WaitUntil(t) => clock.sleep_until(t),
                Pick::WaitForOthers => unreachable!("single-threaded"),
                Pick::Done => break,
            }
        }
        let a: Vec<i64> = log.iter().filter(|(_, h, _)| h == "a").map(|(t, _, _)| *t).collect();
        assert_eq!(a, vec![0, 1000, 2000]);
        let b: Vec<u32> = log.iter().filter(|(_, h, _)| h == "b").map(|(_, _, j)| *j).collect();
        assert_eq!(b, vec![10, 11, 12]);
        assert!(log.iter().filter(|(t, h, _)| h == "b" && *t == 0).count() == 3, "{log:?}");
    }

    #[test]
    fn a_busy_host_is_not_picked_twice_and_retry_after_holds_it() {
        let mut g: Gate<u32> = Gate::default();
        g.push("a", 1, 0);
        g.push("a", 2, 0);
        let Pick::Job(h, 1) = g.pick(0) else { panic!() };
        assert_eq!(g.pick(0), Pick::WaitForOthers);
        g.done(&h, 0, Some(120_000));
        assert_eq!(g.pick(1), Pick::WaitUntil(120_000));
        assert_eq!(g.drain("a"), vec![2]);
        assert_eq!(g.pick(1), Pick::Done);
    }
}
