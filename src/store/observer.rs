//! The store's observer id: who made the observations stored here.
//!
//! Why a per-store id: when two trackers' archives are merged by `sync`,
//! every revision must still say who saw its text and when, so that no
//! observation is lost or double counted. The id is generated once, at the
//! first write, and kept in the store's git config (`redline.observer`), so
//! it is stable across runs and travels with a copy of the store. The config
//! file's `observer` (or `[tracker] observer`) replaces it for one machine.

use super::{store_err, Result, Store, StoreError};

const OBSERVER_KEY: &str = "redline.observer";
/// Longest observer id accepted (it is written into every revision).
pub const MAX_OBSERVER_BYTES: usize = 100;

impl Store {
    /// This store's observer id: the configured one, else the one kept in
    /// the store's git config, else a new random one (written there).
    pub fn observer(&self) -> Result<String> {
        if let Some(o) = self.observer.get() {
            return Ok(o.clone());
        }
        let id = match self.config_observer() {
            Some(id) => id,
            None => {
                let id = new_id(&self.path);
                let set = || -> std::result::Result<(), git2::Error> {
                    let cfg = self.repo.config()?;
                    cfg.open_level(git2::ConfigLevel::Local)?.set_str(OBSERVER_KEY, &id)
                };
                set().map_err(|e| store_err(&self.path, "cannot write the observer id into the store's config", e))?;
                // Another process may have written its own meanwhile: use what is there.
                self.config_observer().unwrap_or(id)
            }
        };
        Ok(self.observer.get_or_init(|| id).clone())
    }

    /// Use `id` as the observer for this process (the config file's
    /// `observer`), without touching the store.
    pub fn set_observer(&self, id: &str) -> Result<()> {
        check_observer(id)?;
        let _ = self.observer.set(id.to_string());
        Ok(())
    }

    fn config_observer(&self) -> Option<String> {
        let cfg = self.repo.config().ok()?;
        let local = cfg.open_level(git2::ConfigLevel::Local).ok()?;
        local.get_string(OBSERVER_KEY).ok().filter(|s| check_observer(s).is_ok())
    }
}

/// Observer ids are short printable ASCII without spaces, so they read
/// well in `log` and sort the same everywhere.
pub fn check_observer(id: &str) -> Result<()> {
    let ok = !id.is_empty() && id.len() <= MAX_OBSERVER_BYTES && id.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadObserver { id: id.to_string() })
    }
}

/// 16 hex digits from the clock, the process and the path: unique enough
/// for the handful of machines that share one archive.
fn new_id(path: &std::path::Path) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let seed = format!("{nanos}:{}:{}", std::process::id(), path.display());
    let mut h = super::sha256_hex(seed.as_bytes());
    h.truncate(16);
    h
}
