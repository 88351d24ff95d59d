//! End-to-end tests of bulk work on the store: `import` (folders and JSON
//! Lines) and `gc`. Each test gets its own temporary store.

use crate::common::{fixture, stdout_of, Env};
use crate::store_cmds::{fails, git, git_available, json_of, log_json, DATES};
use std::path::Path;

// ---- import -----------------------------------------------------------------

/// Copy in name order, so versions get non-decreasing modification times
/// (import refuses a version older than the one before it).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = std::fs::read_dir(from).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn import_folder_of_fixtures() {
    let env = Env::new();
    let out = stdout_of(env.cmd().args(["import", "--quiet"]).arg(fixture("")));
    // The four chains at the top, and the two-revision engine cases nested
    // under `engine-cases/` (named by path).
    assert!(out.contains("imported 13 article(s): 31 revision(s) stored"), "{out}");
    let names: Vec<String> = json_of(env.cmd().args(["list", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    let top: Vec<&String> = names.iter().filter(|n| !n.starts_with("engine-cases/")).collect();
    assert_eq!(top, ["belarus", "bridge-story", "council-budget", "quotes-typography"]);
    assert!(names.contains(&"engine-cases/split".to_string()), "{names:?}");
    for n in 1..=3 {
        let want = std::fs::read(fixture(&format!("council-budget/000{n}.txt"))).unwrap();
        assert_eq!(env.cmd().args(["show", "council-budget", &n.to_string()]).output().unwrap().stdout, want);
    }
    // Importing the same folder again adds nothing.
    let again = stdout_of(env.cmd().args(["import", "--quiet"]).arg(fixture("")));
    assert!(again.contains("0 revision(s) stored"), "{again}");
    assert_eq!(log_json(&env, "belarus").len(), 3);
}

#[test]
fn import_nested_folders_name_articles_by_path() {
    let env = Env::new();
    let src = env.dir.path().join("src");
    copy_dir(&fixture("belarus"), &src.join("progit/objects"));
    copy_dir(&fixture("quotes-typography"), &src.join("other"));
    std::fs::write(src.join("progit/README.md"), "ignored").unwrap();
    let out = stdout_of(env.cmd().args(["import", "--quiet"]).arg(&src));
    assert!(out.contains("2 article(s): 6 revision(s) stored"), "{out}");
    assert_eq!(log_json(&env, "progit/objects").len(), 3);
    // A folder holding the versions itself is named after the folder.
    let env2 = Env::new();
    stdout_of(env2.cmd().args(["import", "--quiet"]).arg(fixture("belarus")));
    assert_eq!(log_json(&env2, "belarus").len(), 3);
}

#[test]
fn import_folder_with_bad_name_imports_nothing() {
    let env = Env::new();
    let src = env.dir.path().join("src");
    env.file("src/good/0001.txt", "fine\n");
    env.file("src/bad name/0001.txt", "not fine\n");
    let err = fails(env.cmd().args(["import", "--quiet"]).arg(&src), 2);
    assert!(err.contains("bad name") && err.contains("space"), "{err}");
    assert!(!env.store().join("refs/articles/good").exists());
}

#[test]
fn import_json_lines_with_flip_flops_and_unchanged() {
    let env = Env::new();
    let lines = [
        r#"{"name":"j","text":"A\n","observed_at":"2021-01-01T00:00:00Z","title":"First"}"#,
        r#"{"name":"j","text":"B\n","observed_at":"2021-01-02"}"#,
        r#"{"name":"j","text":"B\n","observed_at":"2021-01-03"}"#,
        "",
        r#"{"name":"j","text":"A\n","observed_at":"2021-01-04T00:00:00Z","url":"https://e.com/j"}"#,
        r#"{"text":"from url\n","observed_at":"2021-01-05","url":"https://news.example.org/a/b.html"}"#,
    ];
    let src = env.file("in.jsonl", lines.join("\n") + "\n");
    let out = stdout_of(env.cmd().args(["import", "--quiet"]).arg(&src));
    assert!(out.contains("2 article(s): 4 revision(s) stored, 1 unchanged skipped"), "{out}");
    let log = log_json(&env, "j");
    assert_eq!(log.len(), 3);
    assert_eq!(log[0]["title"], "First");
    assert_eq!(log[1]["observed_at"], "2021-01-02T00:00:00Z");
    assert_eq!(log[2]["same_as"], 1);
    assert_eq!(log[2]["url"], "https://e.com/j");
    assert!(stdout_of(env.cmd().args(["log", "j"])).contains("[same as rev 1]"));
    assert_eq!(log_json(&env, "news.example.org/a/b.html").len(), 1);
    // Same stream again: nothing new.
    let again = stdout_of(env.cmd().args(["import", "--quiet"]).arg(&src));
    assert!(again.contains("0 revision(s) stored"), "{again}");
    assert_eq!(log_json(&env, "j").len(), 3);
}

#[test]
fn import_from_standard_input() {
    let env = Env::new();
    let out = stdout_of(
        env.cmd()
            .args(["import", "--quiet", "-"])
            .write_stdin("{\"name\":\"s\",\"text\":\"hi\\n\",\"observed_at\":\"2021-01-01\"}\n"),
    );
    assert!(out.contains("1 revision(s) stored"), "{out}");
    assert_eq!(stdout_of(env.cmd().args(["show", "s"])), "hi\n");
}

#[test]
fn import_errors_name_the_line_and_keep_what_came_before() {
    let env = Env::new();
    let src = env.file("in.jsonl", "{\"name\":\"ok\",\"text\":\"fine\\n\",\"observed_at\":\"2021-01-01\"}\nnot json\n");
    let err = fails(env.cmd().args(["import", "--quiet"]).arg(&src), 2);
    assert!(err.contains("in.jsonl:2") && err.contains("not a valid record"), "{err}");
    assert_eq!(stdout_of(env.cmd().args(["show", "ok"])), "fine\n");

    let cases = [
        (r#"{"name":"x","text":"a","observed_at":"soon"}"#, "bad observed_at"),
        (r#"{"name":"x y","text":"a"}"#, "invalid article name"),
        (r#"{"text":"a"}"#, "neither \"name\" nor \"url\""),
        (r#"{"name":"x","text":"a\u0000b"}"#, "NUL byte at offset 1"),
    ];
    for (line, msg) in cases {
        let src = env.file("bad.jsonl", format!("{line}\n"));
        let err = fails(env.cmd().args(["import", "--quiet"]).arg(&src), 2);
        assert!(err.contains(msg), "{line}: {err}");
    }
    let err = fails(env.cmd().args(["import"]).arg(env.dir.path().join("missing")), 2);
    assert!(err.contains("no such file or folder"), "{err}");
}

// ---- gc -------------------------------------------------------------------

#[test]
fn gc_packs_everything_and_keeps_every_revision() {
    let env = Env::new();
    stdout_of(env.cmd().args(["import", "--quiet"]).arg(fixture("")));
    // Fixture files are dated by checkout, so an older --date needs the flag.
    let older = |file: &str, date: &str| {
        stdout_of(env.cmd().args(["commit", "belarus", "--allow-out-of-order", "--date", date]).arg(fixture(file)))
    };
    older("belarus/0001.txt", DATES[3]);
    let texts: Vec<(String, u32, Vec<u8>)> = ["belarus", "council-budget", "quotes-typography"]
        .iter()
        .flat_map(|name| {
            let n = log_json(&env, name).len() as u32;
            let env = &env;
            (1..=n).map(move |r| {
                (name.to_string(), r, env.cmd().args(["show", name, &r.to_string()]).output().unwrap().stdout)
            })
        })
        .collect();
    let before = json_of(env.cmd().args(["info", "--json"]));
    assert!(before["loose_objects"].as_u64().unwrap() > 0);
    let out = stdout_of(env.cmd().arg("gc"));
    assert!(out.contains("size before:") && out.contains("after:"), "{out}");
    let after = json_of(env.cmd().args(["info", "--json"]));
    assert_eq!(after["loose_objects"], 0);
    assert_eq!(after["packs"], 1);
    assert!(after["packed_objects"].as_u64().unwrap() >= 3 * texts.len() as u64);
    for (name, r, want) in &texts {
        assert_eq!(&env.cmd().args(["show", name, &r.to_string()]).output().unwrap().stdout, want, "{name}@{r}");
    }
    assert!(env.store().join("packed-refs").exists());
    // Still writable after gc, and a second gc is harmless.
    older("belarus/0002.txt", "2020-09-18");
    stdout_of(env.cmd().arg("gc"));
    assert_eq!(log_json(&env, "belarus").len(), 5);
    if git_available() {
        git(&env.store(), &["fsck", "--strict", "--no-dangling"]);
    }
}

/// `--store` as a relative path (as README's own sessions use it): gc
/// once deleted the pack it had just written, and with it every object.
#[test]
fn gc_of_a_store_given_by_a_relative_path_keeps_everything() {
    let env = Env::new();
    let dir = env.dir.path();
    for store in ["rel", "./dot", "slash/"] {
        let run = |args: &[&str]| {
            let mut c = crate::common::redline();
            c.current_dir(dir).arg("--store").arg(store).args(args);
            c
        };
        run(&["commit", "art", "-"]).write_stdin("One.\n").ok();
        run(&["commit", "art", "-"]).write_stdin("Two.\n").ok();
        let out = run(&["gc"]).ok();
        assert!(out.contains("after:"), "{store}: {out}");
        assert_eq!(run(&["show", "art", "1"]).ok(), "One.\n", "{store}");
        assert_eq!(run(&["show", "art", "2"]).ok(), "Two.\n", "{store}");
        run(&["fsck"]).ok();
        // A second gc, with the pack the first one wrote already there.
        run(&["gc"]).ok();
        assert_eq!(run(&["show", "art"]).ok(), "Two.\n", "{store}");
        if git_available() {
            git(&dir.join(store), &["fsck", "--strict", "--no-dangling"]);
        }
    }
}

#[test]
fn gc_of_missing_store_is_an_error() {
    let env = Env::new();
    let err = fails(env.cmd().arg("gc"), 2);
    assert!(err.contains("no store at"), "{err}");
}

#[test]
fn import_and_commit_store_identical_revisions() {
    // Same texts and times through both paths: the commit ids must match,
    // so import's parallel diffs and caches compute exactly commit's meta.
    // One observer id for both stores (each would otherwise make its own,
    // which is part of every revision's meta.json).
    let committed = Env::new();
    let config = committed.file("config.toml", "observer = \"desk-1\"\n");
    let mut lines = String::new();
    for (i, date) in DATES.iter().enumerate() {
        let n = [1, 2, 3, 1][i];
        let f = fixture(&format!("belarus/000{n}.txt"));
        stdout_of(
            committed.cmd().env("REDLINE_CONFIG", &config).args(["commit", "belarus"]).arg(&f).args(["--date", date]),
        );
        let text = std::fs::read_to_string(&f).unwrap();
        lines.push_str(&serde_json::json!({"name": "belarus", "text": text, "observed_at": date}).to_string());
        lines.push('\n');
    }
    let imported = Env::new();
    let src = imported.file("chain.jsonl", lines);
    stdout_of(imported.cmd().env("REDLINE_CONFIG", &config).args(["import", "--quiet"]).arg(&src));
    let ids =
        |env: &Env| log_json(env, "belarus").iter().map(|m| m["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&committed).len(), 4);
    assert_eq!(ids(&committed), ids(&imported));
}

/// Large stores are listed on two threads; the result must be the same
/// sorted, complete list as the one-thread path gives.
#[test]
fn list_of_a_large_store_is_complete_and_sorted() {
    let env = Env::new();
    let n = 2100;
    let lines: String = (0..n)
        .map(|i| format!("{{\"name\":\"a/{i:05}\",\"text\":\"Article {i} says hello.\\n\",\"observed_at\":\"2024-01-01T00:00:00Z\"}}\n"))
        .collect();
    let jsonl = env.file("many.jsonl", lines);
    stdout_of(env.cmd().args(["import", "--quiet"]).arg(&jsonl));
    let list = json_of(env.cmd().args(["list", "--json"]));
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), n);
    assert!(names.windows(2).all(|w| w[0] < w[1]), "not sorted");
    assert_eq!(names[0], "a/00000");
    assert_eq!(names[n - 1], format!("a/{:05}", n - 1));
    assert!(list.as_array().unwrap().iter().all(|a| a["revisions"] == 1));
}
