//! A peer with a fast clock (session 19, item 1): another store's sightings
//! were timed by another clock, so they never make this store's own
//! observations "out of order". Real stores and a bare hub in temporary
//! folders, driven by the real `git`; every date is explicit except the
//! one check of an implicit "now" against a peer far in the future.

use crate::common::{redline, tempdir, Cmd};
use crate::store_cmds::fails;
use std::path::Path;
use std::process::Command;

/// `redline` on `store`, as its machine: each store's config file names
/// its observer (`desk-a.toml` beside the store `desk-a`).
fn rl(store: &Path) -> Cmd {
    let mut c = redline();
    c.arg("--store").arg(store);
    let cfg = store.with_extension("toml");
    if cfg.exists() {
        c.arg("--config").arg(cfg);
    }
    c
}

fn commit(store: &Path, text: &str, date: Option<&str>) -> Cmd {
    let mut c = rl(store);
    c.args(["commit", "art", "-"]);
    if let Some(d) = date {
        c.args(["--date", d]);
    }
    c.write_stdin(text);
    c
}

fn tip(store: &Path) -> String {
    let out = Command::new("git").arg("--git-dir").arg(store).args(["rev-parse", "refs/articles/art"]).output();
    String::from_utf8(out.expect("git").stdout).unwrap().trim().to_string()
}

/// `redline fsck` and `git fsck --strict` both pass.
fn fsck_clean(store: &Path) {
    let out = rl(store).arg("fsck").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "fsck: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let git = Command::new("git").arg("--git-dir").arg(store).args(["fsck", "--strict"]).output().unwrap();
    assert!(git.status.success(), "git fsck: {}", String::from_utf8_lossy(&git.stderr));
}

/// (observed time, observer) of every revision's sightings, oldest first.
fn sightings(store: &Path) -> Vec<(String, String)> {
    let log: serde_json::Value = serde_json::from_str(&rl(store).args(["log", "art", "--json"]).ok()).unwrap();
    let mut out = Vec::new();
    for r in log.as_array().unwrap() {
        match r["seen"].as_array() {
            Some(seen) => out.extend(
                seen.iter().map(|s| (s["at"].as_str().unwrap().into(), s["observer"].as_str().unwrap().into())),
            ),
            None => out.push((r["observed_at"].as_str().unwrap().into(), r["observer"].as_str().unwrap_or("").into())),
        }
    }
    out
}

/// Stores `desk-a` and `desk-b` (observers of those names) sharing a bare hub.
fn lab(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let hub = dir.join("hub.git");
    assert!(Command::new("git").args(["init", "-q", "--bare"]).arg(&hub).status().unwrap().success());
    let (a, b) = (dir.join("desk-a"), dir.join("desk-b"));
    for (s, who) in [(&a, "desk-a"), (&b, "desk-b")] {
        std::fs::write(s.with_extension("toml"), format!("observer = \"{who}\"\n")).unwrap();
        rl(s).args(["remote", "add", "origin"]).arg(&hub).ok();
    }
    (a, b)
}

#[test]
fn a_peer_a_day_ahead_never_blocks_this_store_and_both_stay_fsck_clean() {
    let dir = tempdir().unwrap();
    let (a, b) = lab(dir.path());
    commit(&a, "The council meets.\n", Some("2026-03-01T10:00:00Z")).ok();
    rl(&a).arg("sync").ok();
    rl(&b).arg("sync").ok();
    // B's clock is a day ahead: its sighting is in A's future.
    commit(&b, "The council met.\n", Some("2026-03-02T10:00:00Z")).ok();
    rl(&b).arg("sync").ok();
    let out = rl(&a).arg("sync").ok();
    assert!(out.contains("1 fast-forwarded"), "{out}");

    // A records what it sees at its own (real) time, after its own 10:00.
    let out = commit(&a, "The council voted.\n", Some("2026-03-01T10:05:00Z")).ok();
    assert!(out.contains("revision 3"), "{out}");
    // A's own history still refuses to go back in time, and says which sighting.
    let err = fails(&mut commit(&a, "The council adjourned.\n", Some("2026-03-01T09:00:00Z")), 2);
    assert!(err.contains("this store's latest sighting of it (revision 3, observed at 2026-03-01T10:05:00Z)"), "{err}");

    // B in turn records at its own clock; both converge on one history.
    rl(&a).arg("sync").ok();
    rl(&b).arg("sync").ok();
    commit(&b, "The council voted 7-2.\n", Some("2026-03-02T10:10:00Z")).ok();
    rl(&b).arg("sync").ok();
    rl(&a).arg("sync").ok();
    assert_eq!(tip(&a), tip(&b));
    let want: Vec<(String, String)> = [
        ("2026-03-01T10:00:00Z", "desk-a"),
        ("2026-03-02T10:00:00Z", "desk-b"),
        ("2026-03-01T10:05:00Z", "desk-a"),
        ("2026-03-02T10:10:00Z", "desk-b"),
    ]
    .iter()
    .map(|(t, o)| (t.to_string(), o.to_string()))
    .collect();
    assert_eq!(sightings(&a), want, "chain order is the order of integration");
    fsck_clean(&a);
    fsck_clean(&b);
}

#[test]
fn diverged_chains_with_a_fast_peer_merge_the_same_way_on_both_machines() {
    let dir = tempdir().unwrap();
    let (a, b) = lab(dir.path());
    commit(&a, "One.\n", Some("2026-03-01T10:00:00Z")).ok();
    rl(&a).arg("sync").ok();
    rl(&b).arg("sync").ok();
    commit(&b, "Two (fast clock).\n", Some("2026-03-02T10:00:00Z")).ok();
    rl(&b).arg("sync").ok();
    rl(&a).arg("sync").ok();
    // Both record again before they next sync: the chains diverge.
    commit(&a, "Three.\n", Some("2026-03-01T11:00:00Z")).ok();
    commit(&b, "Four (fast clock).\n", Some("2026-03-02T11:00:00Z")).ok();
    rl(&a).args(["remote", "add", "b"]).arg(&b).ok();
    rl(&b).args(["remote", "add", "a"]).arg(&a).ok();
    rl(&a).args(["pull", "b"]).ok();
    rl(&b).args(["pull", "a"]).ok();
    assert_eq!(tip(&a), tip(&b), "independent merges differ");
    assert_eq!(sightings(&a).len(), 4);
    // And A can still record after the merge.
    commit(&a, "Five.\n", Some("2026-03-01T12:00:00Z")).ok();
    assert_eq!(sightings(&a).len(), 5);
    fsck_clean(&a);
    fsck_clean(&b);
}

#[test]
fn a_peer_far_in_the_future_does_not_block_a_commit_at_now() {
    let dir = tempdir().unwrap();
    let (a, b) = lab(dir.path());
    commit(&b, "From the future.\n", Some("2100-01-01T00:00:00Z")).ok();
    rl(&b).arg("sync").ok();
    rl(&a).arg("sync").ok();
    // No --date: "now" on this machine, a century before the peer's tip.
    let out = commit(&a, "Seen today.\n", None).ok();
    assert!(out.contains("revision 2"), "{out}");
    fsck_clean(&a);
}
