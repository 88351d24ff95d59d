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

/// The texts of an article's chain, oldest first (their SHA-256).
fn chain_texts(store: &Path, name: &str) -> Vec<String> {
    let log: serde_json::Value = serde_json::from_str(&rl(store).args(["log", name, "--json"]).ok()).unwrap();
    log.as_array().unwrap().iter().map(|r| r["sha256"].as_str().unwrap().to_string()).collect()
}

// ---- finding 3: same-second observations keep their chain order ---------

#[test]
fn same_second_flip_flops_keep_their_order_and_every_repeat_through_a_merge() {
    let lab = Lab::new();
    let hub = lab.bare("hub.git");
    let (a, b) = (lab.path("a"), lab.path("b"));
    commit(&a, "art", "Base text.\n", "2024-01-01T00:00:00Z");
    for s in [&a, &b] {
        rl(s).args(["remote", "add", "origin"]).arg(&hub).ok();
        rl(s).arg("sync").ok();
    }
    // Three revisions in one second: a flip-flop.
    for t in ["The minister lied.\n", "The minister misspoke.\n", "The minister lied.\n"] {
        commit(&a, "art", t, "2024-01-02T10:00:00Z");
    }
    commit(&b, "art", "Later text from B.\n", "2024-01-03T00:00:00Z");
    rl(&b).arg("sync").ok();
    let out = rl(&a).arg("sync").ok();
    assert!(out.contains("merged art: 5 revisions"), "{out}");
    let want: Vec<String> = [
        "Base text.\n",
        "The minister lied.\n",
        "The minister misspoke.\n",
        "The minister lied.\n",
        "Later text from B.\n",
    ]
    .iter()
    .map(|t| sha(t))
    .collect();
    assert_eq!(chain_texts(&a, "art"), want);
    let log: serde_json::Value = serde_json::from_str(&rl(&a).args(["log", "art", "--json"]).ok()).unwrap();
    assert_eq!(log[3]["same_as"], 2);
    rl(&b).arg("sync").ok();
    assert_eq!(refs(&a, "refs/articles"), refs(&b, "refs/articles"));
    fsck_clean(&a);
    fsck_clean(&b);
}

#[test]
fn imported_drafts_sharing_one_day_keep_their_order_through_a_merge() {
    let lab = Lab::new();
    let hub = lab.bare("hub.git");
    let (a, b) = (lab.path("a"), lab.path("b"));
    let drafts = ["Draft one.\n", "Draft two.\n", "Draft three.\n", "Draft four.\n"];
    let mut jsonl = String::new();
    for t in drafts {
        jsonl.push_str(&serde_json::json!({"name": "d", "text": t, "observed_at": "2024-01-02"}).to_string());
        jsonl.push('\n');
    }
    rl(&a).args(["import", "-", "--quiet"]).write_stdin(jsonl).ok();
    commit(&b, "d", "Unrelated text from B.\n", "2024-01-05T00:00:00Z");
    for s in [&a, &b] {
        rl(s).args(["remote", "add", "origin"]).arg(&hub).ok();
    }
    rl(&a).arg("sync").ok();
    rl(&b).arg("sync").ok();
    rl(&a).arg("sync").ok();
    let mut want: Vec<String> = drafts.iter().map(|t| sha(t)).collect();
    want.push(sha("Unrelated text from B.\n"));
    assert_eq!(chain_texts(&a, "d"), want);
    assert_eq!(chain_texts(&b, "d"), want);
    fsck_clean(&a);
}

/// `git ARGS` in `dir` with `input` on stdin; stdout, trimmed.
fn git_in(dir: &Path, args: &[&str], input: &str) -> String {
    use std::io::Write;
    let mut child = Command::new("git")
        .arg("--git-dir")
        .arg(dir)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A commit made by hand on a remote, as a tampering host could.
fn hand_commit(dir: &Path, tree: &str, parents: &[&str], msg: &str) -> String {
    let mut args = vec!["commit-tree", tree];
    for p in parents {
        args.extend(["-p", p]);
    }
    let mut c = Command::new("git");
    c.arg("--git-dir").arg(dir).args(&args).args(["-m", msg]);
    for (k, v) in [
        ("GIT_AUTHOR_NAME", "x"),
        ("GIT_AUTHOR_EMAIL", "x@x"),
        ("GIT_COMMITTER_NAME", "x"),
        ("GIT_COMMITTER_EMAIL", "x@x"),
    ] {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

// ---- findings 6 and 7: incoming revisions are checked -------------------

#[test]
fn a_remote_revision_whose_text_does_not_match_its_sha256_is_a_named_conflict() {
    let lab = Lab::new();
    let hub = lab.bare("hub.git");
    let (a, b) = (lab.path("a"), lab.path("b"));
    commit(&a, "art", "Original text one.\n", "2024-01-01T10:00:00Z");
    rl(&a).args(["remote", "add", "origin"]).arg(&hub).ok();
    rl(&a).arg("sync").ok();
    commit(&a, "art", "Original text two.\n", "2024-01-02T10:00:00Z");
    // The hub's rev 2: a forged text under A's own rev-2 meta.json.
    let meta = git(&a, &["cat-file", "blob", "refs/articles/art:meta.json"]);
    let meta_id = git_in(&hub, &["hash-object", "-w", "--stdin"], &meta);
    let text_id = git_in(&hub, &["hash-object", "-w", "--stdin"], "Forged replacement.\n");
    let tree =
        git_in(&hub, &["mktree"], &format!("100644 blob {text_id}\tarticle.txt\n100644 blob {meta_id}\tmeta.json\n"));
    let parent = refs(&hub, "refs/articles")["refs/articles/art"].clone();
    let forged = hand_commit(&hub, &tree, &[&parent], "rev 2: forged");
    git(&hub, &["update-ref", "refs/articles/art", &forged]);
    commit(&a, "other", "Other.\n", "2024-01-02T10:00:00Z");

    let before = refs(&a, "refs/articles/art");
    let (code, out, err) = run(rl(&a).arg("sync"));
    assert_eq!(code, 12, "{out}{err}");
    assert!(err.contains("conflict: art:") && err.contains("SHA-256"), "{err}");
    assert_eq!(refs(&a, "refs/articles/art"), before, "the local article moved");
    assert_eq!(rl(&a).args(["show", "art", "2"]).ok(), "Original text two.\n");
    assert_eq!(refs(&hub, "refs/articles")["refs/articles/art"], forged, "the article was pushed");
    assert_eq!(refs(&hub, "refs/articles")["refs/articles/other"], refs(&a, "refs/articles")["refs/articles/other"]);
    // A new store does not take the forged article either.
    rl(&b).args(["remote", "add", "origin"]).arg(&hub).ok();
    let (code, _, err) = run(rl(&b).arg("sync"));
    assert_eq!(code, 12, "{err}");
    assert!(!refs(&b, "refs/articles").contains_key("refs/articles/art"));
    fsck_clean(&a);
}

#[test]
fn a_remote_tip_hiding_local_history_behind_a_second_parent_is_a_named_conflict() {
    let lab = Lab::new();
    let hub = lab.bare("hub.git");
    let (a, u) = (lab.path("a"), lab.path("u"));
    commit(&a, "art", "Mine.\n", "2024-01-01T10:00:00Z");
    rl(&a).args(["remote", "add", "origin"]).arg(&hub).ok();
    rl(&a).arg("sync").ok();
    commit(&u, "art", "Unrelated.\n", "2024-01-03T10:00:00Z");
    git(&hub, &["fetch", "-q", u.to_str().unwrap(), "refs/articles/art:refs/tmp/u"]);
    let u_tip = refs(&u, "refs/articles")["refs/articles/art"].clone();
    let a_tip = refs(&a, "refs/articles")["refs/articles/art"].clone();
    let tree = git(&hub, &["rev-parse", &format!("{u_tip}^{{tree}}")]).trim().to_string();
    let forged = hand_commit(&hub, &tree, &[&u_tip, &a_tip], "rev 2: hides A");
    git(&hub, &["update-ref", "refs/articles/art", &forged]);
    git(&hub, &["update-ref", "-d", "refs/tmp/u"]);

    let (code, out, err) = run(rl(&a).arg("sync"));
    assert_eq!(code, 12, "{out}{err}");
    assert!(err.contains("conflict: art:") && err.contains("2 parents"), "{err}");
    assert_eq!(refs(&a, "refs/articles")["refs/articles/art"], a_tip);
    assert_eq!(rl(&a).args(["show", "art", "1"]).ok(), "Mine.\n");
    fsck_clean(&a);
}

// ---- finding 8: raw-page and watch refs are checked ---------------------

#[test]
fn raw_and_watch_refs_pointing_at_blobs_are_conflicts_and_articles_still_sync() {
    let lab = Lab::new();
    let hub = lab.bare("hub.git");
    let l = lab.path("l");
    commit(&l, "art", "x\n", "2024-01-01T10:00:00Z");
    rl(&l).args(["watch", "add", "https://example.org/page"]).ok();
    rl(&l).args(["remote", "add", "origin"]).arg(&hub).ok();
    let junk = git_in(&hub, &["hash-object", "-w", "--stdin"], "junk\n");
    git(&hub, &["update-ref", "refs/raw/page", &junk]);
    git(&hub, &["update-ref", "refs/redline/watch", &junk]);
    let watch_before = refs(&l, "refs/redline/watch");
    for _ in 0..2 {
        let (code, out, err) = run(rl(&l).arg("sync"));
        assert_eq!(code, 12, "{out}{err}");
        assert!(err.contains("conflict: refs/raw/page:") && err.contains("conflict: watch list:"), "{err}");
    }
    assert!(refs(&l, "refs/raw").is_empty());
    assert_eq!(refs(&l, "refs/redline/watch"), watch_before);
    assert!(refs(&hub, "refs/articles").contains_key("refs/articles/art"));
    assert!(rl(&l).args(["watch", "list"]).ok().contains("example.org/page"));
}

// ---- finding 9: nothing left to push ------------------------------------

#[test]
fn when_every_article_is_in_conflict_sync_exits_12_and_names_them() {
    let lab = Lab::new();
    let hub = lab.bare("hub.git");
    let (a, b) = (lab.path("a"), lab.path("b"));
    for (s, url) in [(&a, "https://a.example/one"), (&b, "https://b.example/two")] {
        rl(s).args(["commit", "art", "-", "--url", url, "--date", "2024-01-01T10:00:00Z"]).write_stdin("T\n").ok();
        rl(s).args(["remote", "add", "origin"]).arg(&hub).ok();
    }
    rl(&a).arg("sync").ok();
    let (code, out, err) = run(rl(&b).arg("sync"));
    assert_eq!(code, 12, "{out}{err}");
    assert!(err.contains("conflict: art:") && !err.contains("could not push"), "{err}");
}

// ---- finding 10: nested names, lock races, --heads ----------------------

#[test]
fn a_name_nested_in_a_remote_name_is_a_conflict_that_keeps_the_local_ref_home() {
    let lab = Lab::new();
    let hub = lab.bare("hub.git");
    let (a, b) = (lab.path("a"), lab.path("b"));
    commit(&a, "a/b", "Nested.\n", "2024-01-01T10:00:00Z");
    commit(&b, "a", "Outer.\n", "2024-01-01T10:00:00Z");
    commit(&b, "c", "Other.\n", "2024-01-01T10:00:00Z");
    for s in [&a, &b] {
        rl(s).args(["remote", "add", "origin"]).arg(&hub).ok();
    }
    rl(&a).arg("sync").ok();
    let (code, out, err) = run(rl(&b).arg("sync"));
    assert_eq!(code, 12, "{out}{err}");
    assert!(err.contains("conflict: a/b:") && !err.contains("refused"), "{err}");
    let on_hub = refs(&hub, "refs/articles");
    assert!(on_hub.contains_key("refs/articles/c") && on_hub.contains_key("refs/articles/a/b"), "{on_hub:?}");
    assert!(refs(&b, "refs/articles").contains_key("refs/articles/a"));
}

#[test]
fn a_push_that_meets_another_pushers_lock_is_retried() {
    let lab = Lab::new();
    let hub = lab.bare("hub.git");
    let a = lab.path("a");
    commit(&a, "x", "One.\n", "2024-01-01T10:00:00Z");
    rl(&a).args(["remote", "add", "origin"]).arg(&hub).ok();
    // The first push finds the ref locked, as while another push holds it;
    // the lock is gone by the next one.
    let hook = hub.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\ncat >/dev/null\nif [ -e raced ]; then rm -f refs/articles/x.lock; else touch raced; mkdir -p refs/articles; touch refs/articles/x.lock; fi\n",
    )
    .unwrap();
    let mut perm = std::fs::metadata(&hook).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&hook, perm).unwrap();
    let (code, _, err) = run(rl(&a).arg("sync"));
    assert!(hub.join("raced").exists(), "the hook did not run: {err}");
    assert_eq!(code, 0, "{err}");
    assert_eq!(refs(&hub, "refs/articles"), refs(&a, "refs/articles"));
}

#[test]
fn a_heads_remote_blocked_by_a_redline_branch_gets_no_heads_hint() {
    let lab = Lab::new();
    let hub = lab.bare("hub.git");
    let (a, w) = (lab.path("a"), lab.path("w"));
    commit(&a, "x", "One.\n", "2024-01-01T10:00:00Z");
    commit(&w, "y", "Other.\n", "2024-01-01T10:00:00Z");
    let tip = refs(&w, "refs/articles")["refs/articles/y"].clone();
    git(&hub, &["fetch", "-q", w.to_str().unwrap(), "refs/articles/y:refs/heads/redline"]);
    assert_eq!(refs(&hub, "refs/heads")["refs/heads/redline"], tip);
    rl(&a).args(["remote", "add", "origin", "--heads"]).arg(&hub).ok();
    let (code, _, err) = run(rl(&a).arg("sync"));
    assert_eq!(code, 11, "{err}");
    assert!(err.contains("refused: refs/articles/x"), "{err}");
    assert!(!err.contains("remote add NAME URL --heads"), "{err}");
}
