//! The config file: `$XDG_CONFIG_HOME/redline/config.toml` (else
//! `~/.config/redline/config.toml`), or `--config FILE`. Flags override it;
//! it overrides the built-in defaults. A missing default file is fine; a
//! missing `--config` file or a malformed one is a usage error.
//!
//! ```toml
//! store = "~/archive/redline"     # default store
//! pager = "less -R"
//! color = "never"                 # auto, always, never
//! observer = "desk-laptop"        # who made this machine's observations (sync); default: the store's own id
//!
//! [tracker]
//! contact = "desk@news.example"   # put in the User-Agent
//! user_agent = "..."              # replaces the whole User-Agent
//! observer = "newsroom-1"         # recorded with every fetched revision
//! min_gap = 2.0                   # seconds between requests to one host
//! workers = 4
//! timeout = 30
//! min_interval = 900              # seconds; grows with the time since the last change
//! max_interval = 2592000
//! retire_after = 31104000         # no change for this long: stop checking (0 = never)
//! max_failures = 10               # failures in a row before a URL is paused
//! ```

use super::ColorChoice;
use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub store: Option<PathBuf>,
    pub pager: Option<String>,
    pub color: Option<String>,
    /// The observer id written into every revision (default: the store's
    /// own, generated once; `[tracker] observer` is used when this is unset).
    pub observer: Option<String>,
    #[serde(default)]
    pub tracker: TrackerConfig,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackerConfig {
    pub contact: Option<String>,
    pub user_agent: Option<String>,
    pub observer: Option<String>,
    pub min_gap: Option<f64>,
    pub workers: Option<usize>,
    pub timeout: Option<f64>,
    pub min_interval: Option<i64>,
    pub max_interval: Option<i64>,
    pub retire_after: Option<i64>,
    pub max_failures: Option<u32>,
}

/// The default config path, if a home can be found.
fn default_path() -> Option<PathBuf> {
    if let Some(x) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(x).join("redline/config.toml"));
    }
    std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".config/redline/config.toml"))
}

impl Config {
    /// Read `explicit`, else the default file (missing: empty config).
    pub fn load(explicit: Option<&Path>) -> Result<Config> {
        let (path, required) = match explicit {
            Some(p) => (p.to_path_buf(), true),
            None => match default_path() {
                Some(p) => (p, false),
                None => return Ok(Config::default()),
            },
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => return Ok(Config::default()),
            Err(e) => {
                return Err(Error::Usage { msg: format!("cannot read config {}: {e}", path.display()), hint: None })
            }
        };
        toml::from_str(&text).map_err(|e| Error::Usage {
            msg: format!("config {}: {e}", path.display()),
            hint: Some("see `redline watch run --help` and the README's config section".into()),
        })
    }

    /// The default store (used when neither --store nor $REDLINE_STORE is set).
    pub fn store_dir(&self) -> Option<PathBuf> {
        self.store.as_ref().map(|p| expand_home(p))
    }

    /// The observer id for revisions stored on this machine, if configured.
    pub fn observer(&self) -> Option<&str> {
        self.observer.as_deref().or(self.tracker.observer.as_deref()).map(str::trim).filter(|o| !o.is_empty())
    }

    /// The pager (used when $REDLINE_PAGER is unset).
    pub fn pager(&self) -> Option<&str> {
        self.pager.as_deref()
    }

    /// The colour choice (used when --color is not given).
    pub fn color(&self) -> Result<Option<ColorChoice>> {
        let Some(c) = &self.color else { return Ok(None) };
        Ok(Some(match c.as_str() {
            "auto" => ColorChoice::Auto,
            "always" => ColorChoice::Always,
            "never" => ColorChoice::Never,
            "debug" => ColorChoice::Debug,
            other => return Err(Error::usage(format!("config: color must be auto, always or never, not {other:?}"))),
        }))
    }
}

/// `~/x` → `$HOME/x`.
fn expand_home(p: &Path) -> PathBuf {
    match (p.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(h)) => PathBuf::from(h).join(rest),
        _ => p.to_path_buf(),
    }
}
