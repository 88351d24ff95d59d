//! `remote`, `pull`, `push`, `sync` (issue 13): stores shared through bare
//! git repositories in temporary folders, driven by the real `git`.
//! Every store and remote is a real repository; every push is checked to be
//! a fast-forward, and every observation to survive.

use crate::common::{redline, tempdir, Cmd, TempDir};
use crate::store_cmds::fails;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A folder of stores and bare remotes.
struct Lab {
    dir: TempDir,
}

impl Lab {
    fn new() -> Lab {
        Lab { dir: tempdir().unwrap() }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    /// A new empty bare repository, as a git host would have.
    fn bare(&self, name: &str) -> PathBuf {
        let p = self.path(name);
        let out = Command::new("git").args(["init", "-q", "--bare"]).arg(&p).output().expect("git");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        p
    }
}

fn rl(store: &Path) -> Cmd {
    let mut c = redline();
    c.arg("--store").arg(store);
    c
}

fn commit(store: &Path, name: &str, text: &str, date: &str) -> String {
    rl(store).args(["commit", name, "-", "--allow-out-of-order", "--date", date]).write_stdin(text).ok()
}

/// Run and return (exit code, stdout, stderr).
fn run(c: &mut Cmd) -> (i32, String, String) {
    let out = c.output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").arg("--git-dir").arg(dir).args(args).output().expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Refs under `prefix`: name → id.
fn refs(dir: &Path, prefix: &str) -> BTreeMap<String, String> {
    git(dir, &["for-each-ref", "--format=%(refname) %(objectname)", prefix])
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(r, id)| (r.to_string(), id.to_string()))
        .collect()
}

fn is_ancestor(dir: &Path, old: &str, new: &str) -> bool {
    Command::new("git")
        .arg("--git-dir")
        .arg(dir)
        .args(["merge-base", "--is-ancestor", old, new])
        .status()
        .expect("git")
        .success()
}

/// Every observation (observer, time, text hash) in an article's chain,
/// from `log --json`.
fn observations(store: &Path, name: &str) -> BTreeSet<(String, String, String)> {
    let log: serde_json::Value = serde_json::from_str(&rl(store).args(["log", name, "--json"]).ok()).unwrap();
    let mut out = BTreeSet::new();
    for r in log.as_array().unwrap() {
        let sha = r["sha256"].as_str().unwrap().to_string();
        match r["seen"].as_array() {
            Some(seen) => {
                for s in seen {
                    out.insert((s["observer"].as_str().unwrap().into(), s["at"].as_str().unwrap().into(), sha.clone()));
                }
            }
            None => {
                let who = r["observer"].as_str().unwrap_or("").to_string();
                out.insert((who, r["observed_at"].as_str().unwrap().into(), sha));
            }
        }
    }
    out
}

fn fsck_clean(store: &Path) {
    let (code, out, err) = run(rl(store).arg("fsck"));
    assert_eq!(code, 0, "redline fsck: {out}{err}");
    let strict = Command::new("git").arg("--git-dir").arg(store).args(["fsck", "--strict"]).output().unwrap();
    assert!(strict.status.success(), "git fsck --strict: {}", String::from_utf8_lossy(&strict.stderr));
}

fn sha(text: &str) -> String {
    redline::store::sha256_hex(text.as_bytes())
}

// ---- remotes -------------------------------------------------------------

#[test]
fn remote_add_writes_the_refspecs_a_bare_clone_lacks_and_list_and_remove_work() {
    let lab = Lab::new();
    let remote = lab.bare("remote.git");
    let a = lab.path("a");
    let out = rl(&a).args(["remote", "add", "origin"]).arg(&remote).ok();
    assert!(out.contains("added remote origin"), "{out}");
    let fetch = git(&a, &["config", "--get-all", "remote.origin.fetch"]);
    assert!(fetch.contains("+refs/articles/*:refs/remotes/origin/articles/*"), "{fetch}");
    assert!(fetch.contains("+refs/raw/*:refs/remotes/origin/raw/*"), "{fetch}");
    let push = git(&a, &["config", "--get-all", "remote.origin.push"]);
    assert!(push.contains("refs/articles/*:refs/articles/*") && !push.contains('+'), "{push}");
    rl(&a).args(["remote", "add", "hub", "/nowhere/hub.git", "--heads"]).ok();
    let fetch = git(&a, &["config", "--get-all", "remote.hub.fetch"]);
    assert!(fetch.contains("+refs/heads/redline/articles/*:refs/remotes/hub/articles/*"), "{fetch}");
    let list = rl(&a).args(["remote", "list"]).ok();
    assert!(list.contains("hub\t/nowhere/hub.git  (--heads)") && list.contains("origin\t"), "{list}");
    // Bad names and duplicates are refused by name, exit 2.
    let err = fails(rl(&a).args(["remote", "add", "-x", "u"]), 2);
    assert!(!err.is_empty());
    let err = fails(rl(&a).args(["remote", "add", "a b", "u"]), 2);
    assert!(err.contains("invalid remote name"), "{err}");
    let err = fails(rl(&a).args(["remote", "add", "origin", "elsewhere"]), 2);
    assert!(err.contains("already exists"), "{err}");
    let err = fails(rl(&a).args(["remote", "add", "x", "--", "--upload-pack=touch /tmp/x"]), 2);
    assert!(err.contains("invalid remote URL"), "{err}");
    rl(&a).args(["remote", "remove", "hub"]).ok();
    let list = rl(&a).args(["remote", "list"]).ok();
    assert!(!list.contains("hub"), "{list}");
    let err = fails(rl(&a).args(["remote", "remove", "hub"]), 2);
    assert!(err.contains("no remote named"), "{err}");
    // Several remotes, none called origin: the command asks which.
    let b = lab.path("b");
    rl(&b).args(["remote", "add", "one", "/x.git"]).ok();
    rl(&b).args(["remote", "add", "two", "/y.git"]).ok();
    let err = fails(rl(&b).arg("pull"), 2);
    assert!(err.contains("several remotes"), "{err}");
}

/// libgit2's remote delete removes the refs matching every refspec's
/// destination, push refspecs included: `refs/articles/*`. Removing a
/// remote once deleted every article of the store.
#[test]
fn removing_a_remote_keeps_every_article_and_a_new_remote_gets_them_all() {
    let lab = Lab::new();
    let (first, second) = (lab.bare("first.git"), lab.bare("second.git"));
    let a = lab.path("a");
    commit(&a, "council/budget", "One.\n", "2024-01-01T00:00:00Z");
    commit(&a, "council/budget", "Two.\n", "2024-01-02T00:00:00Z");
    commit(&a, "story", "Three.\n", "2024-01-03T00:00:00Z");
    let before = refs(&a, "refs/articles/");
    assert_eq!(before.len(), 2);
    for (url, kind) in [(&first, "plain"), (&second, "--heads")] {
        let mut add = rl(&a);
        add.args(["remote", "add", "origin"]).arg(url);
        if kind == "--heads" {
            add.arg("--heads");
        }
        add.ok();
        let out = rl(&a).arg("sync").ok();
        assert!(out.contains("2 updated"), "{kind}: {out}");
        rl(&a).args(["remote", "remove", "origin"]).ok();
        assert_eq!(refs(&a, "refs/articles/"), before, "{kind}: removing the remote changed the articles");
        assert!(refs(&a, "refs/remotes/").is_empty(), "{kind}: tracking refs left");
    }
    assert_eq!(refs(&first, "refs/articles/"), before);
    assert_eq!(refs(&second, "refs/heads/redline/articles/").len(), 2);
    fsck_clean(&a);
}

#[test]
fn push_then_pull_carries_articles_and_fast_forwards_the_side_behind() {
    let lab = Lab::new();
    let remote = lab.bare("remote.git");
    let (a, b) = (lab.path("a"), lab.path("b"));
    commit(&a, "city/budget", "The budget is $4.2 million.\n", "2024-02-01T10:00:00Z");
    commit(&a, "city/budget", "The budget is $4.5 million.\n", "2024-02-02T10:00:00Z");
    rl(&a).args(["remote", "add", "origin"]).arg(&remote).ok();
    let out = rl(&a).arg("push").ok();
    assert!(out.contains("pushed to origin: 1 updated"), "{out}");
    assert_eq!(refs(&remote, "refs/articles"), refs(&a, "refs/articles"));
    // A second push has nothing to do.
    let out = rl(&a).arg("push").ok();
    assert!(out.contains("0 updated, 1 up to date"), "{out}");

    rl(&b).args(["remote", "add", "origin"]).arg(&remote).ok();
    let out = rl(&b).arg("pull").ok();
    assert!(out.contains("1 new"), "{out}");
    assert_eq!(refs(&b, "refs/articles"), refs(&a, "refs/articles"));
    assert_eq!(rl(&b).args(["show", "city/budget", "1"]).ok(), "The budget is $4.2 million.\n");

    // A goes on; B is behind and fast-forwards to A's very commit.
    commit(&a, "city/budget", "The budget is $4.7 million.\n", "2024-02-03T10:00:00Z");
    rl(&a).arg("sync").ok();
    let out = rl(&b).arg("sync").ok();
    assert!(out.contains("1 fast-forwarded"), "{out}");
    assert_eq!(refs(&b, "refs/articles"), refs(&a, "refs/articles"));
    fsck_clean(&b);
}

#[test]
fn diverged_histories_merge_without_losing_an_observation_and_converge() {
    let lab = Lab::new();
    let remote = lab.bare("remote.git");
    let (a, b) = (lab.path("a"), lab.path("b"));
    for s in [&a, &b] {
        rl(s).args(["remote", "add", "origin"]).arg(&remote).ok();
    }
    // Both watched the same article independently: a shared text, a text
    // only one saw, and a flip-flop.
    commit(&a, "x", "Mayor says yes.\n", "2024-01-01T10:00:00Z");
    commit(&a, "x", "Mayor says no.\n", "2024-01-01T12:00:00Z");
    commit(&a, "x", "Mayor says yes.\n", "2024-01-01T14:00:00Z");
    commit(&b, "x", "Mayor says yes.\n", "2024-01-01T10:00:30Z");
    commit(&b, "x", "Mayor says maybe.\n", "2024-01-01T13:00:00Z");
    let before: BTreeSet<_> = observations(&a, "x").union(&observations(&b, "x")).cloned().collect();
    assert_eq!(before.len(), 5);

    rl(&a).arg("sync").ok();
    let pushed_a = refs(&remote, "refs/articles")["refs/articles/x"].clone();
    let out = rl(&b).arg("sync").ok();
    assert!(out.contains("merged x: 4 revisions"), "{out}");
    let pushed_b = refs(&remote, "refs/articles")["refs/articles/x"].clone();
    assert!(is_ancestor(&remote, &pushed_a, &pushed_b), "the merge push was not a fast-forward");
    let out = rl(&a).arg("sync").ok();
    assert!(out.contains("1 fast-forwarded"), "{out}");
    assert_eq!(refs(&a, "refs/articles"), refs(&b, "refs/articles"));

    // Every observation survives; the two sightings of the first text are
    // one revision that lists both; the flip-flop stays a flip-flop.
    assert_eq!(observations(&a, "x"), before);
    let log: serde_json::Value = serde_json::from_str(&rl(&a).args(["log", "x", "--json"]).ok()).unwrap();
    let revs = log.as_array().unwrap();
    let texts: Vec<&str> = revs.iter().map(|r| r["sha256"].as_str().unwrap()).collect();
    let (yes, no, maybe) = (sha("Mayor says yes.\n"), sha("Mayor says no.\n"), sha("Mayor says maybe.\n"));
    assert_eq!(texts, vec![yes.as_str(), no.as_str(), maybe.as_str(), yes.as_str()]);
    assert_eq!(revs[0]["seen"].as_array().unwrap().len(), 2);
    assert_eq!(revs[3]["same_as"], 1);
    assert_eq!(revs[3]["revision"], 4);
    // Numbers shifted; moments still name the same texts.
    assert_eq!(rl(&a).args(["show", "x", "{2024-01-01T12:30}"]).ok(), "Mayor says no.\n");
    assert_eq!(rl(&a).args(["show", "x", "2024-01-01"]).ok(), "Mayor says yes.\n");
    let err = fails(rl(&a).args(["show", "x", "{2023-12-31T23:00}"]), 2);
    assert!(err.contains("no revision was observed by"), "{err}");
    let text = rl(&a).args(["log", "x"]).ok();
    assert!(text.contains("[merged]") && text.contains("[seen 2\u{d7}]"), "{text}");
    // Both old tips stay reachable from the merged tip.
    let parents = git(&a, &["rev-list", "--parents", "-n", "1", "refs/articles/x"]);
    assert_eq!(parents.split_whitespace().count(), 4, "{parents}");
    fsck_clean(&a);
    fsck_clean(&b);
    fsck_clean(&remote);
}

#[test]
fn two_machines_merging_the_same_tips_make_the_same_commit() {
    let lab = Lab::new();
    let (a, b) = (lab.path("a"), lab.path("b"));
    commit(&a, "x", "One.\n", "2024-01-01T10:00:00Z");
    commit(&a, "x", "Two.\n", "2024-01-01T11:00:00Z");
    commit(&b, "x", "One and a half.\n", "2024-01-01T10:30:00Z");
    // Each store is a bare repository, so each can be the other's remote:
    // both merge the same two tips, independently.
    rl(&a).args(["remote", "add", "b"]).arg(&b).ok();
    rl(&b).args(["remote", "add", "a"]).arg(&a).ok();
    rl(&a).arg("pull").ok();
    rl(&b).arg("pull").ok();
    let (ta, tb) = (refs(&a, "refs/articles"), refs(&b, "refs/articles"));
    assert_eq!(ta, tb, "independent merges differ");
    // A hub receives the first push; the second has nothing to send.
    let hub = lab.bare("hub.git");
    for s in [&a, &b] {
        rl(s).args(["remote", "add", "origin"]).arg(&hub).ok();
    }
    rl(&a).args(["push", "origin"]).ok();
    let out = rl(&b).args(["push", "origin"]).ok();
    assert!(out.contains("0 updated, 1 up to date"), "{out}");
}

#[test]
fn an_article_bound_to_two_urls_is_a_named_conflict_left_as_it_was() {
    let lab = Lab::new();
    let remote = lab.bare("remote.git");
    let (a, b) = (lab.path("a"), lab.path("b"));
    for s in [&a, &b] {
        rl(s).args(["remote", "add", "origin"]).arg(&remote).ok();
    }
    rl(&a)
        .args(["commit", "page", "-", "--url", "https://a.example/x", "--date", "2024-01-01T10:00:00Z"])
        .write_stdin("A\n")
        .ok();
    rl(&b)
        .args(["commit", "page", "-", "--url", "https://b.example/y", "--date", "2024-01-01T10:00:00Z"])
        .write_stdin("B\n")
        .ok();
    commit(&b, "other", "Other.\n", "2024-01-01T10:00:00Z");
    rl(&a).arg("sync").ok();
    let before = refs(&b, "refs/articles/page");
    let (code, out, err) = run(rl(&b).arg("sync"));
    assert_eq!(code, 12, "{out}{err}");
    assert!(err.contains("conflict: page:") && err.contains("https://a.example/x"), "{err}");
    assert_eq!(refs(&b, "refs/articles/page"), before, "the conflicted article moved");
    // The rest was shared all the same; the conflicted article was kept home.
    assert!(refs(&remote, "refs/articles").contains_key("refs/articles/other"));
    assert_ne!(refs(&remote, "refs/articles/page"), before);
}

#[test]
fn an_unreachable_remote_exits_11_and_changes_nothing() {
    let lab = Lab::new();
    let a = lab.path("a");
    commit(&a, "x", "One.\n", "2024-01-01T10:00:00Z");
    let tips = refs(&a, "refs/articles");
    rl(&a).args(["remote", "add", "origin"]).arg(lab.path("missing.git")).ok();
    let err = fails(rl(&a).arg("sync"), 11);
    assert!(err.contains("remote origin") && err.contains("git could not fetch"), "{err}");
    assert_eq!(refs(&a, "refs/articles"), tips);
    let err = fails(rl(&a).arg("push"), 11);
    assert!(err.contains("remote origin"), "{err}");
}

#[test]
fn a_remote_that_refuses_custom_refs_works_with_heads() {
    let lab = Lab::new();
    let remote = lab.bare("strict.git");
    // As some hosts do: refs outside refs/heads and refs/tags are refused.
    git(&remote, &["config", "receive.hiderefs", "refs/articles"]);
    let hook = remote.join("hooks/update");
    std::fs::write(
        &hook,
        "#!/bin/sh\ncase \"$1\" in refs/heads/*|refs/tags/*) exit 0;; *) echo \"refusing $1\" >&2; exit 1;; esac\n",
    )
    .unwrap();
    let mut perm = std::fs::metadata(&hook).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&hook, perm).unwrap();

    let (a, b) = (lab.path("a"), lab.path("b"));
    commit(&a, "x", "One.\n", "2024-01-01T10:00:00Z");
    rl(&a).args(["remote", "add", "plain"]).arg(&remote).ok();
    let (code, _, err) = run(rl(&a).args(["push", "plain"]));
    assert_eq!(code, 11, "{err}");
    assert!(err.contains("refused: refs/articles/x") && err.contains("--heads"), "{err}");

    rl(&a).args(["remote", "add", "origin", "--heads"]).arg(&remote).ok();
    rl(&a).args(["sync", "origin"]).ok();
    let on_remote = refs(&remote, "refs/heads/redline/articles");
    assert_eq!(on_remote.len(), 1, "{on_remote:?}");
    rl(&b).args(["remote", "add", "origin", "--heads"]).arg(&remote).ok();
    commit(&b, "x", "One point five.\n", "2024-01-01T10:30:00Z");
    rl(&b).arg("sync").ok();
    rl(&a).args(["sync", "origin"]).ok();
    assert_eq!(refs(&a, "refs/articles"), refs(&b, "refs/articles"));
    assert_eq!(observations(&a, "x").len(), 2);
    fsck_clean(&a);
}
