//! A hostile `packed-refs` (session 19, item 3): a file whose header says
//! "sorted" while its lines are not can hide a nested name from a binary
//! search, so `commit a` would create `a` beside a packed `a/b`. The
//! search is trusted only for a version of the file that a full read once
//! found in order; any other version is read whole (and sorted) first.

use crate::common::Env;
use crate::integrity::expect;
use std::path::Path;
use std::process::Command;

fn git(store: &Path, args: &[&str]) -> String {
    let out = Command::new("git").arg("--git-dir").arg(store).args(args).output().expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

const HEADER: &str = "# pack-refs with: peeled fully-peeled sorted \n";

/// A store with `a/b` and `m00`..`m19`, every ref packed; then the
/// packed-refs file rewritten with `a/b` moved to the end under a header
/// that still says "sorted".
fn hostile_store() -> Env {
    let env = Env::new();
    expect(&env, &["commit", "a/b", "-", "--date", "2020-01-01"], b"Nested.\n", 0);
    for i in 0..20 {
        expect(&env, &["commit", &format!("m{i:02}"), "-", "--date", "2020-01-01"], b"Flat.\n", 0);
    }
    let s = env.store();
    git(&s, &["pack-refs", "--all", "--prune"]);
    let packed = std::fs::read_to_string(s.join("packed-refs")).unwrap();
    let mut lines: Vec<&str> = packed.lines().filter(|l| !l.starts_with('#')).collect();
    let nested = lines.iter().position(|l| l.ends_with(" refs/articles/a/b")).expect("a/b is packed");
    let moved = lines.remove(nested);
    lines.push(moved);
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(s.join("packed-refs"), format!("{HEADER}{body}")).unwrap();
    assert!(!s.join("refs/articles/a").exists(), "only the packed ref is left");
    env
}

#[test]
fn a_false_sorted_header_cannot_hide_a_nested_name_from_commit() {
    let env = hostile_store();
    let s = env.store();
    let before = std::fs::read(s.join("packed-refs")).unwrap();
    let out = expect(&env, &["commit", "a", "-", "--date", "2020-01-02"], b"Parent.\n", 2);
    assert!(out.contains("a/b"), "{out}");
    assert!(!s.join("refs/articles/a").exists(), "no ref a was created beside a/b");
    assert!(git(&s, &["for-each-ref", "refs/articles/a"]).is_empty());
    // The parent direction: m00 exists (packed), so m00/x is refused too.
    let out = expect(&env, &["commit", "m00/x", "-", "--date", "2020-01-02"], b"Child.\n", 2);
    assert!(out.contains("m00"), "{out}");
    assert_eq!(std::fs::read(s.join("packed-refs")).unwrap(), before, "a refusal changes nothing");
    // A write to an existing article still works and still sees a/b afterwards.
    expect(&env, &["commit", "m05", "-", "--date", "2020-01-02"], b"Flat, edited.\n", 0);
    expect(&env, &["commit", "a", "-", "--date", "2020-01-03"], b"Parent.\n", 2);
}

#[test]
fn after_fsck_repair_sorts_the_file_the_search_is_trusted_and_still_exact() {
    let env = hostile_store();
    let out = expect(&env, &["fsck"], b"", 5);
    assert!(out.contains("sorted but is not"), "{out}");
    expect(&env, &["fsck", "--repair"], b"", 0);
    // The repaired file is read whole once, found in order, and remembered.
    let out = expect(&env, &["commit", "a", "-", "--date", "2020-01-02"], b"Parent.\n", 2);
    assert!(out.contains("a/b"), "{out}");
    let checked = env.store().join("redline-packed-refs-sorted");
    assert!(checked.exists(), "the checked version of packed-refs is remembered");
    // From then on the search answers alone, and answers the same.
    let out = expect(&env, &["commit", "a", "-", "--date", "2020-01-02"], b"Parent.\n", 2);
    assert!(out.contains("a/b"), "{out}");
    expect(&env, &["commit", "new/one", "-", "--date", "2020-01-02"], b"New.\n", 0);
    // A hand edit in place (same length, same mtime) is a new version: not trusted.
    let s = env.store();
    let path = s.join("packed-refs");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let nested = lines.iter().position(|l| l.ends_with(" refs/articles/a/b")).unwrap();
    let moved = lines.remove(nested);
    lines.push(moved);
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    use std::io::Write;
    (&f).write_all(lines.iter().map(|l| format!("{l}\n")).collect::<String>().as_bytes()).unwrap();
    f.set_modified(mtime).unwrap();
    drop(f);
    let out = expect(&env, &["commit", "a", "-", "--date", "2020-01-02"], b"Parent.\n", 2);
    assert!(out.contains("a/b"), "{out}");
}
