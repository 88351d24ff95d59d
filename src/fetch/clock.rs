//! Time, injectable: the scheduler, backoff, Retry-After and per-host
//! spacing all read a [`Clock`], so tests run them on a fake clock without
//! sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// Where the tracker reads the time, so scheduling is tested on a fake clock.
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> Millis;
    /// Wait until `at` (returns at once if it is past).
    fn sleep_until(&self, at: Millis);
    /// Seconds since the Unix epoch (rounded down).
    fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }
}

/// The real clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> Millis {
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
    }

    fn sleep_until(&self, at: Millis) {
        let now = self.now_ms();
        if at > now {
            std::thread::sleep(Duration::from_millis((at - now) as u64));
        }
    }
}

/// A clock that only moves when told to (or when someone sleeps on it).
pub struct FakeClock {
    now: AtomicI64,
}

impl FakeClock {
    /// A clock standing at `start`.
    pub fn new(start: Millis) -> FakeClock {
        FakeClock { now: AtomicI64::new(start) }
    }

    /// Move the clock forward by `ms`.
    pub fn advance(&self, ms: Millis) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> Millis {
        self.now.load(Ordering::SeqCst)
    }

    fn sleep_until(&self, at: Millis) {
        self.now.fetch_max(at, Ordering::SeqCst);
    }
}
