//! Concurrent writers (issue 6): many `redline commit` processes at once,
//! on one shared article and on their own, lose nothing; lock files left
//! by killed processes are explained and never deleted.

use crate::common::Env;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, SystemTime};

const PROCESSES: usize = 8;
const COMMITS_EACH: usize = 50;

fn version_text(worker: usize, j: usize) -> String {
    format!(
        "Worker {worker} version {j} headline\n\nThe council met on day {j} and worker {worker} wrote it down.\n\nA second paragraph, number {j}, keeps the diff honest.\n"
    )
}

/// sha256 of every revision of `name`, in revision order, checking that
/// numbers run 1..N and ids match the ref's chain.
pub(crate) fn revisions(env: &Env, name: &str) -> Vec<String> {
    let out = env.cmd().args(["log", name, "--json"]).output().unwrap();
    assert!(out.status.success(), "log {name}: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = v.as_array().unwrap();
    let numbers: Vec<u64> = entries.iter().map(|e| e["revision"].as_u64().unwrap()).collect();
    let want: Vec<u64> = (1..=entries.len() as u64).collect();
    assert_eq!(numbers, want, "{name}: revision numbers must be 1..N without gaps");
    let ids: Vec<String> = entries.iter().map(|e| e["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids, linear_chain(&env.store(), name), "{name}: log and the ref's chain disagree");
    entries.iter().map(|e| e["sha256"].as_str().unwrap().to_string()).collect()
}

/// Commit ids of `refs/articles/<name>`, oldest first, asserting the chain
/// is linear (one parent each, the root none).
pub(crate) fn linear_chain(store: &Path, name: &str) -> Vec<String> {
    let repo = git2::Repository::open_bare(store).unwrap();
    let mut id = repo.refname_to_id(&format!("refs/articles/{name}")).unwrap();
    let mut out = vec![];
    loop {
        let c = repo.find_commit(id).unwrap();
        out.push(id.to_string());
        assert!(c.parent_count() <= 1, "{name}: commit {id} has {} parents", c.parent_count());
        match c.parent_ids().next() {
            Some(p) => id = p,
            None => break,
        }
    }
    out.reverse();
    out
}

/// `git fsck --strict` with the system git, when there is one.
pub(crate) fn git_fsck_ok(store: &Path) {
    match std::process::Command::new("git")
        .arg("--git-dir")
        .arg(store)
        .args(["fsck", "--strict", "--no-dangling"])
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "git fsck failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => eprintln!("note: no system git; skipped git fsck"),
    }
}

/// `redline fsck` exits 0.
pub(crate) fn redline_fsck_ok(env: &Env) {
    let out = env.cmd().arg("fsck").output().unwrap();
    assert!(
        out.status.success(),
        "redline fsck: {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn eight_processes_fifty_commits_each_nothing_lost() {
    let env = Env::new();
    let seed = env.file("seed.txt", "Seed.\n");
    env.cmd().args(["commit", "seed"]).arg(&seed).ok();
    let mut want: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for w in 0..PROCESSES {
        for j in 0..COMMITS_EACH {
            let name = if j % 2 == 0 { "shared".to_string() } else { format!("own-{w}") };
            let sha = redline::store::sha256_hex(version_text(w, j).as_bytes());
            assert!(want.entry(name).or_default().insert(sha), "test texts must be distinct");
        }
    }
    let workers: Vec<_> = (0..PROCESSES)
        .map(|w| {
            let store = env.store();
            let dir = env.dir.path().to_path_buf();
            std::thread::spawn(move || {
                let mut failures = vec![];
                for j in 0..COMMITS_EACH {
                    let name = if j % 2 == 0 { "shared".to_string() } else { format!("own-{w}") };
                    let file = dir.join(format!("w{w}-{j}.txt"));
                    std::fs::write(&file, version_text(w, j)).unwrap();
                    let out = crate::common::redline()
                        .arg("--store")
                        .arg(&store)
                        .args(["commit", &name])
                        .arg(&file)
                        .args(["--date", &format!("2021-01-01T00:{:02}:{:02}Z", w, j)])
                        // Workers' dates interleave on "shared" by design.
                        .arg("--allow-out-of-order")
                        .output()
                        .unwrap();
                    let stdout = String::from_utf8_lossy(&out.stdout);
                    if !out.status.success() || !stdout.contains(": revision ") {
                        failures.push(format!(
                            "worker {w} commit {j} to {name}: {:?} {stdout} {}",
                            out.status.code(),
                            String::from_utf8_lossy(&out.stderr)
                        ));
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = workers.into_iter().flat_map(|h| h.join().unwrap()).collect();
    assert!(failures.is_empty(), "{} commits failed:\n{}", failures.len(), failures.join("\n"));

    let mut total = 0;
    for (name, shas) in &want {
        let got = revisions(&env, name);
        total += got.len();
        let set: BTreeSet<String> = got.iter().cloned().collect();
        assert_eq!(set.len(), got.len(), "{name}: a version is stored twice");
        assert_eq!(&set, shas, "{name}: stored versions differ from the committed ones");
    }
    assert_eq!(total, PROCESSES * COMMITS_EACH);
    let list = env.cmd().args(["list", "--json"]).output().unwrap();
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), PROCESSES + 2, "seed, shared and one article per process");
    redline_fsck_ok(&env);
    git_fsck_ok(&env.store());
}

/// A lock file with the given age.
fn lock_file(path: &Path, age: Duration) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let f = std::fs::File::create(path).unwrap();
    f.set_modified(SystemTime::now() - age).unwrap();
}

#[test]
fn stale_lock_is_explained_and_never_removed() {
    let env = Env::new();
    let a = env.file("a.txt", "First.\n");
    let b = env.file("b.txt", "Second.\n");
    env.cmd().args(["commit", "x"]).arg(&a).ok();
    let lock = env.store().join("refs/articles/x.lock");
    lock_file(&lock, Duration::from_secs(3600));
    let out = env.cmd().env("REDLINE_LOCK_TIMEOUT_MS", "300").args(["commit", "x"]).arg(&b).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "locked exit code");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&lock.display().to_string()), "names the file: {err}");
    assert!(err.contains("stale"), "says it looks stale: {err}");
    assert!(err.contains("rm ") && err.contains("if no redline is running"), "says how to remove it safely: {err}");
    assert!(!err.contains("panicked"));
    assert!(lock.exists(), "redline must never delete a lock file");
    // fsck reports it too, and still does not remove it.
    let out = env.cmd().arg("fsck").output().unwrap();
    assert_eq!(out.status.code(), Some(5));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("stale-lock") && text.contains("x.lock"), "{text}");
    assert!(lock.exists());
    // Other articles are not blocked by it.
    env.cmd().args(["commit", "y"]).arg(&b).ok();
    // Once removed, as the hint says, the commit goes through.
    std::fs::remove_file(&lock).unwrap();
    let out = env.cmd().args(["commit", "x"]).arg(&b).ok();
    assert!(out.contains("revision 2"), "{out}");
    redline_fsck_ok(&env);
}

#[test]
fn live_lock_is_waited_on_and_never_removed() {
    let env = Env::new();
    let a = env.file("a.txt", "First.\n");
    let b = env.file("b.txt", "Second.\n");
    env.cmd().args(["commit", "x"]).arg(&a).ok();
    let lock = env.store().join("refs/articles/x.lock");
    lock_file(&lock, Duration::ZERO);
    let out = env.cmd().env("REDLINE_LOCK_TIMEOUT_MS", "300").args(["commit", "x"]).arg(&b).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another process is writing") && err.contains("x.lock"), "{err}");
    assert!(err.contains("nothing was stored"), "{err}");
    assert!(!err.contains("stale"), "a fresh lock is not called stale: {err}");
    assert!(lock.exists(), "redline must never delete a live lock");
    // fsck notes it without calling it a problem.
    let out = env.cmd().arg("fsck").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("a writer is probably running"));
    // The holder finishes (removes its lock) while a writer is retrying:
    // the retrying writer lands.
    let remover = {
        let lock = lock.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            std::fs::remove_file(&lock).unwrap();
        })
    };
    let out = env.cmd().env("REDLINE_LOCK_TIMEOUT_MS", "20000").args(["commit", "x"]).arg(&b).ok();
    assert!(out.contains("revision 2"), "{out}");
    remover.join().unwrap();
    assert_eq!(revisions(&env, "x").len(), 2);
}
