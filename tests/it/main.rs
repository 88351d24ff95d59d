//! The one integration-test binary (as ripgrep does): each module drives the
//! real `redline` binary against real git stores in temporary directories.

mod across;
mod bidi;
mod blame;
mod browser;
mod bulk;
mod clocks;
mod common;
mod concurrency;
mod crash;
mod engine;
mod engine_cases;
mod fetch;
mod fsck_refs;
mod fuzz;
mod hardening;
mod hostile;
mod hostile_web;
mod integrity;
mod investigate;
mod layering;
mod packed_hostile;
mod render;
mod scale;
mod shell;
mod store_cmds;
mod sync;
mod sync_props;
mod users_see;
mod watch;
mod watch_batch;
mod watch_feed;
mod webserver;
