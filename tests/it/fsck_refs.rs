//! fsck of the tracker's refs (session 19, item 2): raw-page and watch refs
//! set by hand to blobs, trees or commits without their file make the
//! tracker commands stop with "run redline fsck", so fsck must name them,
//! and `--repair` must leave them (and everything they point at) alone
//! while still repairing what it can. Real stores, real `git update-ref`.

use crate::common::Env;
use crate::integrity::{expect, tamper_tip};
use std::path::Path;
use std::process::Command;

fn git(store: &Path, args: &[&str], stdin: &str) -> String {
    use std::io::Write;
    let mut child = Command::new("git")
        .arg("--git-dir")
        .arg(store)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn target(store: &Path, refname: &str) -> String {
    git(store, &["rev-parse", refname], "")
}

/// A store with an article `m` (two revisions) and a real watch list.
fn store() -> Env {
    let env = Env::new();
    expect(&env, &["commit", "m", "-", "--date", "2020-01-01"], b"One.\n", 0);
    expect(&env, &["commit", "m", "-", "--date", "2020-01-02"], b"Two.\n", 0);
    expect(&env, &["watch", "add", "https://example.com/a"], b"", 0);
    expect(&env, &["fsck"], b"", 0);
    env
}

#[test]
fn raw_and_watch_refs_at_blobs_are_named_by_fsck_and_left_by_repair() {
    let env = store();
    let s = env.store();
    let blob = git(&s, &["hash-object", "-w", "--stdin"], "{\"not\": \"a commit\"}\n");
    git(&s, &["update-ref", "refs/raw/example.com/a", &blob], "");
    git(&s, &["update-ref", "refs/redline/watch", &blob], "");
    // What the user met: the tracker points at fsck.
    let out = expect(&env, &["watch", "list"], b"", 4);
    assert!(out.contains("fsck"), "{out}");

    let out = expect(&env, &["fsck"], b"", 5);
    for r in ["refs/raw/example.com/a", "refs/redline/watch"] {
        assert!(out.contains(&format!("ref {r} points at {blob}, a blob, not a commit")), "{r}: {out}");
    }
    assert!(out.contains("git update-ref -d refs/redline/watch"), "{out}");
    let json: serde_json::Value = serde_json::from_str(&expect(&env, &["fsck", "--json"], b"", 5)).unwrap();
    let kinds: Vec<&str> = json["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["tracker-ref", "tracker-ref"], "{json}");
    assert!(json["problems"].as_array().unwrap().iter().all(|p| p["repairable"] == false));

    // --repair still repairs the article, and leaves both refs as they were.
    tamper_tip(&s, "m", |m| m["words"] = 99.into());
    let out = expect(&env, &["fsck", "--repair"], b"", 5);
    assert!(out.contains("repaired m"), "{out}");
    assert_eq!(target(&s, "refs/raw/example.com/a"), blob);
    assert_eq!(target(&s, "refs/redline/watch"), blob);

    // Following fsck's advice keeps the object and makes the store clean.
    for r in ["raw/example.com/a", "redline/watch"] {
        git(&s, &["update-ref", &format!("refs/redline-backup/kept/{r}"), &blob], "");
        git(&s, &["update-ref", "-d", &format!("refs/{r}")], "");
    }
    expect(&env, &["fsck"], b"", 0);
    assert_eq!(git(&s, &["cat-file", "-t", &blob], ""), "blob");
    expect(&env, &["watch", "list"], b"", 0);
}

#[test]
fn tracker_refs_at_trees_or_commits_without_their_file_are_named() {
    let env = store();
    let s = env.store();
    let good = target(&s, "refs/redline/watch");
    let junk = git(&s, &["hash-object", "-w", "--stdin"], "not json\n");
    let tree = git(&s, &["mktree"], &format!("100644 blob {junk}\twatch.json\n"));
    let no_body = git(&s, &["commit-tree", &tree, "-m", "hand-made"], "");
    git(&s, &["update-ref", "refs/raw/example.com/b", &no_body], "");
    git(&s, &["update-ref", "refs/redline/watch", &no_body], "");
    git(&s, &["update-ref", "refs/redline/watch-state", &tree], "");
    let out = expect(&env, &["fsck"], b"", 5);
    assert!(
        out.contains(&format!("ref refs/raw/example.com/b points at commit {no_body}, which holds no body file")),
        "{out}"
    );
    assert!(
        out.contains(&format!("ref refs/redline/watch points at commit {no_body}, whose watch.json cannot be read")),
        "{out}"
    );
    assert!(out.contains(&format!("ref refs/redline/watch-state points at {tree}, a tree, not a commit")), "{out}");
    // The good watch list is still reachable from its old commit; putting it back is clean again.
    git(&s, &["update-ref", "refs/redline/watch", &good], "");
    git(&s, &["update-ref", "-d", "refs/raw/example.com/b"], "");
    git(&s, &["update-ref", "-d", "refs/redline/watch-state"], "");
    expect(&env, &["fsck"], b"", 0);
}
