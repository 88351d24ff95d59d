//! Issue 13's property test and crash test: random trackers, random sync
//! orders, clock skew, and a SIGKILL in the middle of `sync`. Whatever
//! happens, no acknowledged observation is lost, every push is a
//! fast-forward, and all stores converge on the same tips.

use crate::common::{redline, tempdir, Cmd};
use proptest::prelude::*;
use redline::store::Store;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// (observer, RFC 3339 time, text hash).
type Obs = (String, String, String);

fn rl(store: &Path) -> Cmd {
    let mut c = redline();
    c.arg("--store").arg(store);
    c
}

fn git_ok(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").arg("--git-dir").arg(dir).args(args).output().expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn bare(p: &Path) {
    let out = Command::new("git").args(["init", "-q", "--bare"]).arg(p).output().unwrap();
    assert!(out.status.success());
}

fn article_refs(dir: &Path) -> BTreeMap<String, String> {
    git_ok(dir, &["for-each-ref", "--format=%(refname) %(objectname)", "refs/articles"])
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(r, id)| (r.to_string(), id.to_string()))
        .collect()
}

/// Every observation in every article of the store at `dir`, read with
/// the library.
fn all_observations(dir: &Path) -> BTreeSet<(String, Obs)> {
    let store = Store::open(dir).unwrap();
    let (refs, skipped) = store.article_refs().unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let mut out = BTreeSet::new();
    for (name, _) in refs {
        for r in store.history(&name).unwrap() {
            let m = r.meta;
            if m.seen.is_empty() {
                out.insert((
                    name.clone(),
                    (m.observer.clone().unwrap_or_default(), m.observed_at.clone(), m.sha256.clone()),
                ));
            }
            for s in &m.seen {
                out.insert((name.clone(), (s.observer.clone(), s.at.clone(), m.sha256.clone())));
            }
        }
    }
    out
}

fn fsck_both(dir: &Path) {
    let out = rl(dir).arg("fsck").output().unwrap();
    assert!(out.status.success(), "redline fsck {}: {}", dir.display(), String::from_utf8_lossy(&out.stdout));
    let strict = Command::new("git").arg("--git-dir").arg(dir).args(["fsck", "--strict"]).output().unwrap();
    assert!(strict.status.success(), "git fsck --strict: {}", String::from_utf8_lossy(&strict.stderr));
}

#[derive(Debug, Clone)]
enum Op {
    /// Tracker `t` sees text `text` of article `article` at `minute`, its
    /// clock off by `skew` minutes.
    Observe {
        t: usize,
        article: usize,
        text: usize,
        minute: i64,
        skew: i64,
    },
    Sync {
        t: usize,
    },
}

fn op(trackers: usize) -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..trackers, 0..2usize, 0..3usize, 0..120i64, -5..=5i64)
            .prop_map(|(t, article, text, minute, skew)| Op::Observe { t, article, text, minute, skew }),
        2 => (0..trackers).prop_map(|t| Op::Sync { t }),
    ]
}

fn plan() -> impl Strategy<Value = (usize, Vec<Op>)> {
    (2..=3usize).prop_flat_map(|n| (Just(n), proptest::collection::vec(op(n), 4..18)))
}

const TEXTS: [&str; 3] = [
    "The council approved the budget.\n",
    "The council rejected the budget.\n",
    "The council postponed the budget vote.\n",
];

/// Sync tracker `store` and check that every remote ref it moved was
/// moved by a fast-forward.
fn sync_checked(store: &Path, remote: &Path) {
    let before = article_refs(remote);
    let out = rl(store).arg("sync").output().unwrap();
    assert!(
        out.status.success(),
        "sync failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for (r, new) in article_refs(remote) {
        if let Some(old) = before.get(&r).filter(|o| **o != new) {
            let ff = Command::new("git")
                .arg("--git-dir")
                .arg(remote)
                .args(["merge-base", "--is-ancestor", old, &new])
                .status()
                .unwrap()
                .success();
            assert!(ff, "{r} moved from {old} to {new} without a fast-forward");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, max_shrink_iters: 20, ..ProptestConfig::default() })]

    #[test]
    fn trackers_syncing_in_any_order_converge_and_lose_nothing((n, ops) in plan()) {
        let lab = tempdir().unwrap();
        let remote = lab.path().join("remote.git");
        bare(&remote);
        let stores: Vec<PathBuf> = (0..n).map(|i| lab.path().join(format!("t{i}"))).collect();
        for s in &stores {
            rl(s).args(["remote", "add", "origin"]).arg(&remote).ok();
        }
        let observer = |s: &Path| git_ok(s, &["config", "redline.observer"]).trim().to_string();
        let mut acknowledged: BTreeSet<(String, Obs)> = BTreeSet::new();
        for o in &ops {
            match *o {
                Op::Observe { t, article, text, minute, skew } => {
                    let at = 1_700_000_000 + minute * 60 + skew * 60;
                    let date = redline::store::format_time(at);
                    let name = format!("a{article}");
                    let out = rl(&stores[t])
                        .args(["commit", &name, "-", "--allow-out-of-order", "--date", &date])
                        .write_stdin(TEXTS[text])
                        .ok();
                    // Only a stored revision is an acknowledged observation.
                    if out.contains(": revision ") {
                        let sha = redline::store::sha256_hex(TEXTS[text].as_bytes());
                        acknowledged.insert((name, (observer(&stores[t]), date, sha)));
                    }
                }
                Op::Sync { t } => sync_checked(&stores[t], &remote),
            }
        }
        // Everyone syncs twice, in order: the last round has nothing new.
        for _ in 0..2 {
            for s in &stores {
                sync_checked(s, &remote);
            }
        }
        let tips = article_refs(&remote);
        for s in &stores {
            prop_assert_eq!(&article_refs(s), &tips);
            let have = all_observations(s);
            let lost: Vec<_> = acknowledged.difference(&have).collect();
            prop_assert!(lost.is_empty(), "lost {:?}", lost);
            fsck_both(s);
        }
        fsck_both(&remote);
    }
}

/// JSON Lines for `import`: `articles` articles, `revs` revisions each,
/// texts chosen by `variant` so two stores' histories diverge.
/// `*.lock` files under a store's refs, and `packed-refs.lock`.
fn lock_files(store: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "lock") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&store.join("refs"), &mut out);
    let packed = store.join("packed-refs.lock");
    if packed.exists() {
        out.push(packed);
    }
    out
}

fn jsonl(articles: usize, revs: usize, variant: &str, minute_offset: i64) -> String {
    let mut s = String::new();
    for a in 0..articles {
        for r in 0..revs {
            let at = 1_700_000_000 + (r as i64) * 3600 + minute_offset * 60;
            let text = format!("Story {a}, version {r} as seen by {variant}.\n\nIt has a second paragraph.\n");
            let rec = serde_json::json!({"name": format!("s/{a:04}"), "text": text, "observed_at": redline::store::format_time(at)});
            s.push_str(&rec.to_string());
            s.push('\n');
        }
    }
    s
}

#[test]
fn sigkill_during_sync_leaves_both_stores_valid_and_loses_nothing() {
    let lab = tempdir().unwrap();
    let remote = lab.path().join("remote.git");
    bare(&remote);
    let (a, b) = (lab.path().join("a"), lab.path().join("b"));
    for (s, variant, off) in [(&a, "a", 0), (&b, "b", 7)] {
        let f = lab.path().join(format!("{variant}.jsonl"));
        std::fs::write(&f, jsonl(150, 3, variant, off)).unwrap();
        rl(s).args(["import", "--quiet"]).arg(&f).ok();
        rl(s).args(["remote", "add", "origin"]).arg(&remote).ok();
    }
    rl(&b).arg("sync").ok();
    let a_before = all_observations(&a);
    let b_before = all_observations(&b);
    // Kill A's sync at different moments: during the fetch, the merges,
    // the push. Each time both stores must stay valid and complete.
    for delay_ms in [5u64, 40, 120, 300, 700] {
        let mut child = Command::new(crate::common::bin())
            .arg("--store")
            .arg(&a)
            .arg("sync")
            .env("REDLINE_CONFIG", "/dev/null")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        // git may still be finishing a push it had started: let it.
        std::thread::sleep(std::time::Duration::from_millis(100));
        fsck_both(&a);
        let have = all_observations(&a);
        assert!(a_before.is_subset(&have), "A lost observations after a kill at {delay_ms} ms");
        let on_remote = all_observations(&remote);
        assert!(b_before.is_subset(&on_remote), "the remote lost B's observations after a kill at {delay_ms} ms");
    }
    // A kill between git's lock and its rename can leave a `*.lock` file
    // beside a ref, as it does for git itself. It is younger than a minute,
    // so it reads as a live writer: sync refuses with exit 3, names the
    // file, and writes nothing. The user removes it once no process runs
    // (as the message says), and ordinary syncs finish the job.
    let left = lock_files(&a);
    if !left.is_empty() {
        let before = article_refs(&a);
        let out = rl(&a).arg("sync").output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(left.iter().any(|f| err.contains(&*f.file_name().unwrap().to_string_lossy())), "{err}");
        assert_eq!(article_refs(&a), before, "a refused sync changed refs");
        for f in &left {
            std::fs::remove_file(f).unwrap();
        }
    }
    rl(&a).arg("sync").ok();
    rl(&b).arg("sync").ok();
    assert_eq!(article_refs(&a), article_refs(&b));
    let all: BTreeSet<_> = a_before.union(&b_before).cloned().collect();
    assert!(all.is_subset(&all_observations(&b)));
    fsck_both(&a);
    fsck_both(&b);
}
