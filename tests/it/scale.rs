//! Large stores (issue 15): `list` served from its cache, refs packed by a
//! large import, and the nesting checks answered from `packed-refs`.

use crate::common::{stdout_of, Env};
use std::path::Path;

const CACHE: &str = "redline-list-cache";

fn commit(env: &Env, name: &str, text: &str, date: &str) {
    stdout_of(env.cmd().args(["commit", name, "-", "--date", date]).write_stdin(text.as_bytes().to_vec()));
}

fn list(env: &Env, min: &str) -> String {
    stdout_of(env.cmd().args(["list", "--json"]).env("REDLINE_LIST_CACHE_MIN", min))
}

fn loose_article_refs(store: &Path) -> usize {
    fn walk(d: &Path) -> usize {
        std::fs::read_dir(d)
            .map(|rd| rd.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
            .unwrap_or(0)
    }
    walk(&store.join("refs").join("articles"))
}

#[test]
fn list_reads_its_cache_and_never_shows_a_stale_line() {
    let env = Env::new();
    for (n, t) in [("a", "Alpha\n"), ("g/b", "Beta\n"), ("g/c", "Gamma\n")] {
        commit(&env, n, t, "2020-01-01");
    }
    let plain = list(&env, "1000");
    assert!(!env.store().join(CACHE).exists(), "small stores get no cache file");
    assert_eq!(list(&env, "1"), plain, "the first cached list reads every tip");
    let cache = std::fs::read_to_string(env.store().join(CACHE)).unwrap();
    assert_eq!(cache.lines().count(), 4, "a header and one line per article: {cache}");
    assert_eq!(list(&env, "1"), plain, "the second is served from the cache");
    // A new revision moves the tip: its line is read again, not taken
    // from the cache.
    commit(&env, "g/b", "Beta, revised\n", "2020-01-02");
    let after = list(&env, "1");
    let b = serde_json::from_str::<serde_json::Value>(&after).unwrap()[1].clone();
    assert_eq!((b["name"].as_str(), b["revisions"].as_u64()), (Some("g/b"), Some(2)), "{after}");
    assert_eq!(after, list(&env, "1000"), "cached and uncached lists agree");
    // A group reads only its own tips; an unknown group is refused and
    // writes nothing.
    let group = stdout_of(env.cmd().args(["list", "g", "--json"]).env("REDLINE_LIST_CACHE_MIN", "1"));
    assert!(group.contains("\"g/b\"") && group.contains("\"g/c\"") && !group.contains("\"a\""), "{group}");
    let before = std::fs::read(env.store().join(CACHE)).unwrap();
    let out = env.cmd().args(["list", "nope"]).env("REDLINE_LIST_CACHE_MIN", "1").output().unwrap();
    assert!(!out.status.success());
    assert_eq!(std::fs::read(env.store().join(CACHE)).unwrap(), before);
    // A damaged cache is ignored, not trusted.
    std::fs::write(env.store().join(CACHE), "redline list cache 1\nnot a line\n").unwrap();
    assert_eq!(list(&env, "1"), after);
}

#[test]
fn a_large_import_packs_its_refs_and_nesting_is_still_refused() {
    let env = Env::new();
    let lines: String = (0..1000)
        .map(|i| {
            serde_json::json!({"name": format!("g/a{i:04}"), "text": format!("Text {i}\n"), "observed_at": "2021-01-01"})
                .to_string()
                + "\n"
        })
        .collect();
    stdout_of(env.cmd().args(["import", "-", "--quiet"]).write_stdin(lines.into_bytes()));
    assert_eq!(loose_article_refs(&env.store()), 0, "refs are packed after a large import");
    let packed = std::fs::read_to_string(env.store().join("packed-refs")).unwrap();
    assert_eq!(packed.lines().filter(|l| l.contains(" refs/articles/")).count(), 1000);
    assert!(env.store().join(CACHE).exists(), "the import gave list its lines");
    let listed: Vec<serde_json::Value> = serde_json::from_str(&list(&env, "1000")).unwrap();
    assert_eq!(listed.len(), 1000);
    assert_eq!(listed[7]["name"], "g/a0007");
    // Packed refs are found for reading and writing, and nested names are
    // refused both ways (a parent of packed articles, a child of one).
    assert_eq!(stdout_of(env.cmd().args(["show", "g/a0999"])), "Text 999\n");
    commit(&env, "g/a0999", "Text 999, revised\n", "2021-01-02");
    for (name, other) in [("g", "article \"g/a0"), ("g/a0500/x", "article \"g/a0500\" exists")] {
        let out = env.cmd().args(["commit", name, "-", "--date", "2021-01-03"]).write_stdin(b"X\n".to_vec()).output();
        let out = out.unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(other), "{name}: {err}");
    }
    let listed: Vec<serde_json::Value> = serde_json::from_str(&list(&env, "1000")).unwrap();
    assert_eq!(listed[999]["revisions"], 2);
}
