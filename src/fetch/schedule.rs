//! When to check each URL next: a heap by due time.
//!
//! Why continuous intervals: NewsDiffs checks in tiers (15 min → 1 h → 3 h
//! → 3 days → 30 days) by the time since an article last changed. Here the
//! interval is that age times a growth factor, clamped between a minimum and
//! a maximum, so a fresh story is checked often and an old one rarely, with
//! no steps. A URL silent longer than the retirement age is no longer
//! checked. Failures back off exponentially; every delay gets a little
//! jitter so many URLs added together do not stay in lockstep.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Scheduling knobs, in seconds (config file and flags set them).
#[derive(Debug, Clone)]
pub struct Policy {
    /// The shortest wait between checks of one URL.
    pub min_interval: i64,
    /// The longest wait between checks of one URL.
    pub max_interval: i64,
    /// Interval = time since the last change × growth (then clamped).
    pub growth: f64,
    /// No change for this long: retired (0 = never).
    pub retire_after: i64,
    /// ± this fraction of every delay, at random.
    pub jitter: f64,
    /// The delay after a first failure (doubled for each further one).
    pub backoff_base: i64,
    /// The longest delay after failures.
    pub backoff_max: i64,
    /// Failures in a row before a URL is paused.
    pub max_failures: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            min_interval: 15 * 60,
            max_interval: 30 * 86_400,
            growth: 0.125,
            retire_after: 360 * 86_400,
            jitter: 0.1,
            backoff_base: 60,
            backoff_max: 86_400,
            max_failures: 10,
        }
    }
}

impl Policy {
    /// The next interval after a good check, `since_change` seconds after
    /// the last change (or the first sighting).
    pub fn interval(&self, since_change: i64) -> i64 {
        let raw = (since_change.max(0) as f64 * self.growth) as i64;
        raw.clamp(self.min_interval, self.max_interval.max(self.min_interval))
    }

    /// The delay after the `failures`-th failure in a row (1 = first).
    pub fn backoff(&self, failures: u32) -> i64 {
        let exp = failures.saturating_sub(1).min(30);
        self.backoff_base.saturating_mul(1i64 << exp).min(self.backoff_max)
    }

    /// No change for longer than the retirement age (`since_change` seconds).
    pub fn retired(&self, since_change: i64) -> bool {
        self.retire_after > 0 && since_change > self.retire_after
    }
}

/// A small deterministic random source (xorshift64*): jitter needs no
/// cryptography, and tests need a fixed seed.
#[derive(Debug, Clone)]
pub struct Jitter {
    state: u64,
    fraction: f64,
}

impl Jitter {
    /// A source seeded with `seed` moving delays by up to ± `fraction`.
    pub fn new(seed: u64, fraction: f64) -> Jitter {
        Jitter { state: seed | 1, fraction }
    }

    fn next_f64(&mut self) -> f64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        let x = self.state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `delay` moved by up to ± the jitter fraction (never below zero).
    pub fn apply(&mut self, delay: i64) -> i64 {
        let f = (self.next_f64() * 2.0 - 1.0) * self.fraction;
        (delay as f64 * (1.0 + f)).round().max(0.0) as i64
    }
}

/// Watched items (by index) ordered by due time (Unix seconds).
#[derive(Debug, Default)]
pub struct Scheduler {
    heap: BinaryHeap<Reverse<(i64, u32)>>,
}

impl Scheduler {
    /// An empty schedule with room for `n` items.
    pub fn with_capacity(n: usize) -> Scheduler {
        Scheduler { heap: BinaryHeap::with_capacity(n) }
    }

    /// Schedule `item` at `due`.
    pub fn push(&mut self, item: u32, due: i64) {
        self.heap.push(Reverse((due, item)));
    }

    /// How many items are scheduled.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Nothing is scheduled.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The earliest due time, if anything is scheduled.
    pub fn next_due(&self) -> Option<i64> {
        self.heap.peek().map(|Reverse((d, _))| *d)
    }

    /// Remove and return every item due at or before `now`, earliest first.
    pub fn pop_due(&mut self, now: i64) -> Vec<u32> {
        let mut out = Vec::new();
        while let Some(Reverse((due, item))) = self.heap.peek().copied() {
            if due > now {
                break;
            }
            self.heap.pop();
            out.push(item);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::clock::{Clock, FakeClock};

    #[test]
    fn interval_grows_continuously_with_age_and_is_clamped() {
        let p = Policy::default();
        assert_eq!(p.interval(0), 15 * 60);
        assert_eq!(p.interval(3600), 15 * 60);
        assert_eq!(p.interval(86_400), 3 * 3600);
        assert!(p.interval(3 * 86_400) > p.interval(2 * 86_400));
        assert_eq!(p.interval(10 * 365 * 86_400), 30 * 86_400);
        assert!(!p.retired(300 * 86_400) && p.retired(361 * 86_400));
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let p = Policy::default();
        assert_eq!([p.backoff(1), p.backoff(2), p.backoff(3)], [60, 120, 240]);
        assert_eq!(p.backoff(40), 86_400);
    }

    #[test]
    fn jitter_stays_within_its_fraction_and_varies() {
        let mut j = Jitter::new(42, 0.1);
        let v: Vec<i64> = (0..200).map(|_| j.apply(1000)).collect();
        assert!(v.iter().all(|&x| (900..=1100).contains(&x)));
        assert!(v.iter().any(|&x| x != v[0]));
    }

    #[test]
    fn heap_pops_what_is_due_under_a_fake_clock() {
        let clock = FakeClock::new(1_000_000);
        let mut s = Scheduler::default();
        let p = Policy::default();
        let mut j = Jitter::new(7, p.jitter);
        for i in 0..100u32 {
            s.push(i, clock.now_secs() + i64::from(i) * 60);
        }
        assert_eq!(s.pop_due(clock.now_secs()), vec![0]);
        clock.advance(30 * 60 * 1000);
        let due = s.pop_due(clock.now_secs());
        assert_eq!(due, (1..=30).collect::<Vec<_>>());
        // Reschedule the checked ones with jittered intervals; none is due now.
        for i in due {
            s.push(i, clock.now_secs() + j.apply(p.interval(0)));
        }
        assert!(s.pop_due(clock.now_secs()).is_empty());
        assert_eq!(s.len(), 99);
        clock.sleep_until((s.next_due().unwrap()) * 1000);
        assert_eq!(s.pop_due(clock.now_secs()).len(), 1);
    }
}
