//! The web tracker: fetching pages and feeds politely, turning them into
//! article text, and handing text and raw bytes to the store.
//!
//! Layering: `fetch` uses `store` (and the core's word counts through it);
//! `core` never sees HTML. Modules:
//!
//! - [`http`]: one request with hard limits (timeout, body size after
//!   decompression, redirects); status codes are data, not errors.
//! - [`charset`]: BOM → header → `<meta>` → guess.
//! - [`extract`], [`rules`], [`quality`]: dom_smoothie extraction, per-host
//!   CSS rules and boring patterns, and the gate that refuses broken pages.
//! - [`check`]: one check of one page, shared by `fetch` and `watch run`.
//! - [`robots`], [`retry`], [`schedule`], [`clock`]: politeness and timing,
//!   all on an injectable clock.
//! - [`canon`]: one spelling per URL.

pub(crate) mod canon;
pub(crate) mod charset;
pub(crate) mod check;
pub mod clock;
pub(crate) mod extract;
pub(crate) mod feed;
pub(crate) mod http;
pub(crate) mod pool;
pub(crate) mod quality;
pub(crate) mod retry;
pub(crate) mod robots;
pub(crate) mod rules;
pub(crate) mod runner;
pub mod schedule;

/// Who is fetching: the User-Agent names redline and, when configured, a
/// contact, so a site owner can reach a person instead of blocking.
pub fn user_agent(contact: Option<&str>) -> String {
    let version = env!("CARGO_PKG_VERSION");
    match contact.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => format!("redline/{version} (article version tracker; contact: {c})"),
        None => format!("redline/{version} (article version tracker; no contact configured)"),
    }
}

/// The observer id recorded with every fetched revision when the config
/// names none: stable across runs of one installation.
pub const DEFAULT_OBSERVER: &str = "redline";
