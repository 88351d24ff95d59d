//! Store integrity 2 (issue 10), items 6-13: atomic store creation,
//! per-article isolation, foreign repositories, fsck's field checks, import
//! rules, risky input, the cheap flip-flop check, and the small items.

use crate::common::Env;
use crate::integrity::{expect, names, refused, run, sound, tamper_tip};
use std::path::Path;

// ---- 6. Atomic store creation --------------------------------------------------

#[test]
fn sixteen_concurrent_first_commits_make_one_store() {
    let env = Env::new();
    let store = env.dir.path().join("deep/er/store");
    let workers: Vec<_> = (0..16)
        .map(|i| {
            let store = store.clone();
            std::thread::spawn(move || {
                crate::common::redline()
                    .arg("--store")
                    .arg(&store)
                    .args(["commit", &format!("first-{i}"), "-", "--date", "2020-01-01"])
                    .write_stdin(format!("Writer {i}.\n"))
                    .output()
                    .unwrap()
            })
        })
        .collect();
    for (i, w) in workers.into_iter().enumerate() {
        let out = w.join().unwrap();
        assert!(out.status.success(), "writer {i}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let moved = Env { dir: crate::common::tempdir().unwrap() };
    std::fs::rename(&store, moved.store()).unwrap();
    assert_eq!(names(&moved).len(), 16);
    let leftovers: Vec<_> = std::fs::read_dir(store.parent().unwrap()).unwrap().flatten().collect();
    assert!(leftovers.is_empty(), "no temporary stores left: {leftovers:?}");
    sound(&moved);
}

// ---- 7. Per-article isolation ----------------------------------------------------

/// `bad-meta`: a tip whose tree has no meta.json; `blob-ref`: a ref at a
/// blob; `sym`: a symbolic ref.
fn damage(store: &Path) {
    let repo = git2::Repository::open_bare(store).unwrap();
    let blob = repo.blob(b"Just text.\n").unwrap();
    let mut tb = repo.treebuilder(None).unwrap();
    tb.insert("article.txt", blob, 0o100644).unwrap();
    let tree = repo.find_tree(tb.write().unwrap()).unwrap();
    let sig = git2::Signature::new("x", "x@x", &git2::Time::new(1_600_000_000, 0)).unwrap();
    let c = repo.commit(None, &sig, &sig, "by hand", &tree, &[]).unwrap();
    repo.reference("refs/articles/bad-meta", c, false, "test").unwrap();
    repo.reference("refs/articles/blob-ref", blob, false, "test").unwrap();
    repo.reference_symbolic("refs/articles/sym", "refs/articles/good-a", false, "test").unwrap();
}

#[test]
fn one_damaged_article_is_named_and_skipped() {
    let env = Env::new();
    for n in ["good-a", "good-z"] {
        expect(&env, &["commit", n, "-", "--date", "2020-01-01"], b"Fine.\n", 0);
    }
    damage(&env.store());
    let skipped = redline::error::EXIT_PARTIAL as i32;
    let out = expect(&env, &["list"], b"", skipped);
    for n in ["good-a", "good-z", "bad-meta", "blob-ref", "sym"] {
        assert!(out.contains(n), "list names {n}: {out}");
    }
    assert!(out.contains("skipped article bad-meta") && out.contains("skipped article blob-ref"), "{out}");
    let json = run(&env, &["list", "--json"], b"");
    assert_eq!(json.status.code(), Some(skipped));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2, "the good articles are listed");
    let out = expect(&env, &["info"], b"", skipped);
    assert!(out.contains("blob-ref") && out.contains("sym"), "{out}");
    let out = expect(&env, &["gc"], b"", skipped);
    assert!(out.contains("packed") && out.contains("blob-ref"), "{out}");
    assert_eq!(expect(&env, &["show", "good-z"], b"", 0), "Fine.\n");
    let err = expect(&env, &["log", "blob-ref"], b"", 4);
    assert!(err.contains("\"blob-ref\"") && err.contains("blob"), "errors name the article: {err}");
    expect(&env, &["fsck"], b"", 5);
}

// ---- 8. Foreign repositories -----------------------------------------------------

#[test]
fn a_foreign_bare_repository_is_refused_unless_asked() {
    let env = Env::new();
    let repo = git2::Repository::init_bare(env.store()).unwrap();
    let sig = git2::Signature::new("dev", "dev@x", &git2::Time::new(1_600_000_000, 0)).unwrap();
    let tree = repo.find_tree(repo.treebuilder(None).unwrap().write().unwrap()).unwrap();
    repo.commit(Some("refs/heads/master"), &sig, &sig, "project", &tree, &[]).unwrap();
    for args in [&["commit", "x", "-", "--date", "2020-01-01"][..], &["list"], &["log", "x"], &["fsck"], &["gc"]] {
        refused(&env, args, b"Text.\n", 2, &["not a redline store", "--init-into-existing"]);
    }
    let f = env.file("x.jsonl", r#"{"name":"x","text":"t\n","observed_at":"2020-01-01"}"#);
    refused(&env, &["import", f.to_str().unwrap(), "--quiet"], b"", 2, &["not a redline store"]);
    expect(&env, &["commit", "x", "-", "--date", "2020-01-01", "--init-into-existing"], b"Text.\n", 0);
    expect(&env, &["list"], b"", 0);
    let report = expect(&env, &["fsck"], b"", 5);
    assert!(report.contains("refs/heads/master") && !report.contains("update-ref -d"), "{report}");
    assert!(repo.find_reference("refs/heads/master").is_ok());
    crate::concurrency::git_fsck_ok(&env.store());
}

#[test]
fn a_non_numeric_store_version_is_refused_not_overwritten() {
    let env = Env::new();
    expect(&env, &["commit", "x", "-", "--date", "2020-01-01"], b"Text.\n", 0);
    let repo = git2::Repository::open_bare(env.store()).unwrap();
    repo.config().unwrap().open_level(git2::ConfigLevel::Local).unwrap().set_str("redline.version", "banana").unwrap();
    refused(&env, &["commit", "x", "-", "--date", "2020-01-02"], b"New.\n", 4, &["banana", "redline.version"]);
    refused(&env, &["list"], b"", 4, &["banana"]);
}

// ---- 9. fsck checks every field ------------------------------------------------

fn two_revisions() -> Env {
    let env = Env::new();
    expect(&env, &["commit", "m", "-", "--date", "2020-01-01"], b"One.\n", 0);
    expect(&env, &["commit", "m", "-", "--date", "2020-01-02"], b"Two.\n", 0);
    env
}

#[test]
fn fsck_checks_types_ranges_schema_modes_and_times() {
    type Edit = fn(&mut serde_json::Value);
    let cases: [(&str, Edit, &str); 5] = [
        ("observed_at", |m| m["observed_at"] = "not a date".into(), "observed_at"),
        ("schema", |m| m["schema"] = "redline.meta/2".into(), "schema"),
        ("words type", |m| m["words"] = "many".into(), "words is \"many\""),
        ("missing field", |m| drop(m.as_object_mut().unwrap().remove("title")), "title is missing"),
        ("time", |m| m["observed_at"] = "2020-01-05T00:00:00Z".into(), "[time-mismatch]"),
    ];
    for (label, edit, needle) in cases {
        let env = two_revisions();
        tamper_tip(&env.store(), "m", edit);
        let out = expect(&env, &["fsck"], b"", 5);
        assert!(out.contains(needle), "{label}: {out}");
        refused(&env, &["fsck", "--repair"], b"", 5, &[needle]);
    }
    // A mode-100755 article.txt.
    let env = two_revisions();
    let repo = git2::Repository::open_bare(env.store()).unwrap();
    let tip = repo.find_commit(repo.refname_to_id("refs/articles/m").unwrap()).unwrap();
    let mut tb = repo.treebuilder(Some(&tip.tree().unwrap())).unwrap();
    let text = tip.tree().unwrap().get_name("article.txt").unwrap().id();
    tb.insert("article.txt", text, 0o100755).unwrap();
    let tree = repo.find_tree(tb.write().unwrap()).unwrap();
    let parent = tip.parent(0).unwrap();
    let c = repo.commit(None, &tip.author(), &tip.committer(), tip.message().unwrap(), &tree, &[&parent]).unwrap();
    repo.reference("refs/articles/m", c, true, "test").unwrap();
    let out = expect(&env, &["fsck"], b"", 5);
    assert!(out.contains("mode 100755"), "{out}");
}

// ---- 10. Import rules -------------------------------------------------------------

#[test]
fn folder_import_takes_numbered_files_in_numeric_order() {
    let env = Env::new();
    for n in ["1", "2", "9", "10", "11"] {
        env.file(&format!("src/v/{n}.txt"), format!("Version {n}.\n"));
    }
    let src = env.dir.path().join("src");
    // Give every file the same time so order comes from the numbers alone.
    for e in std::fs::read_dir(src.join("v")).unwrap().flatten() {
        std::fs::File::options()
            .write(true)
            .open(e.path())
            .unwrap()
            .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000))
            .unwrap();
    }
    expect(&env, &["import", src.to_str().unwrap(), "--quiet"], b"", 0);
    for (rev, n) in ["1", "2", "9", "10", "11"].iter().enumerate() {
        assert_eq!(expect(&env, &["show", "v", &(rev + 1).to_string()], b"", 0), format!("Version {n}.\n"));
    }
    env.file("src/w/0001.txt", "W.\n");
    env.file("src/w/notes.txt", "not a version\n");
    refused(&env, &["import", src.to_str().unwrap(), "--quiet"], b"", 2, &["notes.txt", "NNNN.txt"]);
    std::fs::remove_file(src.join("w/notes.txt")).unwrap();
    env.file("src/w/1.txt", "Dup.\n");
    refused(&env, &["import", src.to_str().unwrap(), "--quiet"], b"", 2, &["same version number"]);
    sound(&env);
}

#[test]
fn import_errors_carry_the_line_and_input_problems_exit_2() {
    let env = Env::new();
    expect(&env, &["commit", "base", "-", "--date", "2020-01-01"], b"Base.\n", 0);
    let line = |v: serde_json::Value| v.to_string();
    let cases = [
        (
            line(serde_json::json!({"name": "n", "text": "t\n", "message": "a\u{0}b", "observed_at": "2020-01-02"})),
            "NUL",
        ),
        (line(serde_json::json!({"name": "n", "text": "t\n", "observed_at": "soon"})), "observed_at"),
        (line(serde_json::json!({"name": "bad name", "text": "t\n"})), "space"),
        (line(serde_json::json!({"name": "e", "text": " \n", "observed_at": "2020-01-02"})), "--allow-empty"),
    ];
    for (bad, needle) in cases {
        let input = format!(
            "{}\n{bad}\n",
            line(serde_json::json!({"name": "ok", "text": "fine\n", "observed_at": "2020-01-02"}))
        );
        let f = env.file("in.jsonl", &input);
        let out = expect(&env, &["import", f.to_str().unwrap(), "--quiet"], b"", 2);
        assert!(out.contains("in.jsonl:2") && out.contains(needle), "{needle}: {out}");
        assert!(!out.contains("disk space"), "{out}");
    }
    let utf16: Vec<u8> = [0xff, 0xfe].into_iter().chain("Hi\n".encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
    let f = env.file("u16.txt", &utf16);
    refused(&env, &["commit", "base", f.to_str().unwrap()], b"", 2, &["UTF-16LE", "iconv"]);
    sound(&env);
}

// ---- 11. Risky input needs a flag -------------------------------------------------

#[test]
fn older_dates_and_empty_texts_need_a_flag() {
    let env = Env::new();
    expect(&env, &["commit", "r", "-", "--date", "2020-01-02"], b"Second day.\n", 0);
    refused(
        &env,
        &["commit", "r", "-", "--date", "2020-01-01"],
        b"First day.\n",
        2,
        &["--allow-out-of-order", "back in time"],
    );
    expect(&env, &["commit", "r", "-", "--date", "2020-01-01", "--allow-out-of-order"], b"First day.\n", 0);
    refused(&env, &["commit", "r", "-", "--date", "2020-01-03"], b"", 2, &["--allow-empty", "deleted"]);
    refused(&env, &["commit", "r", "-", "--date", "2020-01-03"], b"\xef\xbb\xbf \n\t\n", 2, &["--allow-empty"]);
    expect(&env, &["commit", "r", "-", "--date", "2020-01-03", "--allow-empty"], b"", 0);
    let jl = |t: &str, d: &str| serde_json::json!({"name": "r", "text": t, "observed_at": d}).to_string();
    let older = jl("Older.\n", "2019-01-01");
    refused(&env, &["import", "-", "--quiet"], older.as_bytes(), 2, &["<stdin>:1", "--allow-out-of-order"]);
    expect(&env, &["import", "-", "--quiet", "--allow-out-of-order"], older.as_bytes(), 0);
    let empty = jl("", "2021-01-01");
    refused(&env, &["import", "-", "--quiet"], empty.as_bytes(), 2, &["--allow-empty"]);
    expect(&env, &["import", "-", "--quiet", "--allow-empty"], empty.as_bytes(), 0);
    sound(&env);
}

// ---- 12. The cheap flip-flop check stays right ---------------------------------------

#[test]
fn flip_flops_are_found_without_reading_every_revision() {
    let env = Env::new();
    let mut lines = Vec::new();
    for i in 0..60 {
        lines.push(serde_json::json!({"name": "ff", "text": format!("Version {i}.\n"), "observed_at": redline::store::format_time(1_600_000_000 + i)}).to_string());
    }
    expect(&env, &["import", "-", "--quiet"], lines.join("\n").as_bytes(), 0);
    // Back to revision 1's text after 60 revisions: same_as 1.
    let out = expect(&env, &["commit", "ff", "-", "--date", "2021-01-01"], b"Version 0.\n", 0);
    assert!(out.contains("same as rev 1"), "{out}");
    // Again: still the earliest revision, not the newest copy.
    expect(&env, &["commit", "ff", "-", "--date", "2021-01-02"], b"Version 5.\n", 0);
    let out = expect(&env, &["commit", "ff", "-", "--date", "2021-01-03"], b"Version 0.\n", 0);
    assert!(out.contains("same as rev 1"), "{out}");
    // A text another article holds is no flip-flop here.
    expect(&env, &["commit", "other", "-", "--date", "2021-01-01"], b"Shared text.\n", 0);
    let out = expect(&env, &["commit", "ff", "-", "--date", "2021-01-04"], b"Shared text.\n", 0);
    assert!(!out.contains("same as"), "{out}");
    sound(&env);
}

// ---- 13. The small items ------------------------------------------------------------

#[test]
fn a_symbolic_article_ref_is_damage_not_a_lock() {
    let env = Env::new();
    expect(&env, &["commit", "real", "-", "--date", "2020-01-01"], b"Real.\n", 0);
    let repo = git2::Repository::open_bare(env.store()).unwrap();
    repo.reference_symbolic("refs/articles/alias", "refs/articles/real", false, "test").unwrap();
    refused(&env, &["commit", "alias", "-", "--date", "2020-01-02"], b"New.\n", 4, &["\"alias\"", "symbolic"]);
}

#[test]
fn packed_refs_problems_are_reported_and_a_false_sort_is_repaired() {
    let env = Env::new();
    for n in ["alpha", "beta", "gamma"] {
        expect(&env, &["commit", n, "-", "--date", "2020-01-01"], format!("{n}\n").as_bytes(), 0);
    }
    expect(&env, &["gc"], b"", 0);
    let packed = env.store().join("packed-refs");
    let text = std::fs::read_to_string(&packed).unwrap();
    let (head, body) = text.split_once('\n').unwrap();
    assert!(head.contains("sorted"), "{head}");
    let mut lines: Vec<&str> = body.lines().collect();
    lines.reverse();
    std::fs::write(&packed, format!("{head}\n{}\n", lines.join("\n"))).unwrap();
    // Which article git's binary search now misses depends on libgit2's
    // search; find one (the bug was that such an article seemed absent).
    let repo = git2::Repository::open_bare(env.store()).unwrap();
    let missed = ["alpha", "beta", "gamma"]
        .into_iter()
        .find(|n| repo.find_reference(&format!("refs/articles/{n}")).is_err())
        .expect("a reversed packed-refs hides some ref from git's lookup");
    assert_eq!(expect(&env, &["show", missed], b"", 0), format!("{missed}\n"), "a listed article is found");
    let again = format!("{missed} 2\n");
    refused(
        &env,
        &["commit", missed, "-", "--date", "2020-01-02"],
        again.as_bytes(),
        4,
        &["packed-refs", "fsck --repair"],
    );
    expect(&env, &["fsck"], b"", 5);
    let out = expect(&env, &["fsck", "--repair"], b"", 0);
    assert!(out.contains("repaired") && out.contains("sorted"), "{out}");
    expect(&env, &["commit", missed, "-", "--date", "2020-01-02"], again.as_bytes(), 0);
    assert_eq!(names(&env), ["alpha", "beta", "gamma"]);
    sound(&env);
    // A garbage line: fsck reports it (exit 5), naming the line.
    let text = std::fs::read_to_string(&packed).unwrap();
    std::fs::write(&packed, format!("{text}this is not a ref\n")).unwrap();
    let out = expect(&env, &["fsck"], b"", 5);
    assert!(out.contains("packed-refs line") && !out.contains("run `redline fsck`"), "{out}");
}

#[test]
fn store_location_ignores_empty_and_relative_settings() {
    let env = Env::new();
    let xdg = env.dir.path().join("xdg");
    let out = crate::common::redline()
        .env("REDLINE_STORE", "")
        .env("XDG_DATA_HOME", &xdg)
        .args(["commit", "x", "-", "--date", "2020-01-01"])
        .write_stdin("Text.\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(xdg.join("redline/HEAD").exists(), "empty REDLINE_STORE means unset");
    let home = env.dir.path().join("home");
    let out = crate::common::redline()
        .current_dir(env.dir.path())
        .env("HOME", &home)
        .env("XDG_DATA_HOME", "relative")
        .args(["commit", "y", "-", "--date", "2020-01-01"])
        .write_stdin("Text.\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(home.join(".local/share/redline/HEAD").exists(), "a relative XDG_DATA_HOME is ignored");
    assert!(!env.dir.path().join("relative").exists());
}

#[test]
fn repairs_in_the_same_second_keep_every_backup() {
    let env = two_revisions();
    let repo = git2::Repository::open_bare(env.store()).unwrap();
    // Backups named after the next few seconds already exist, as if
    // another repair had just run.
    let now = redline::store::now();
    let tip = repo.refname_to_id("refs/articles/m").unwrap();
    for t in now..now + 30 {
        repo.reference(&format!("refs/redline-backup/{t}/m"), tip, false, "test").unwrap();
    }
    tamper_tip(&env.store(), "m", |m| m["words"] = 99.into());
    let out = expect(&env, &["fsck", "--repair"], b"", 0);
    assert!(out.contains("repaired m"), "{out}");
    let backups = repo.references_glob("refs/redline-backup/*").unwrap().count();
    assert_eq!(backups, 31, "the earlier backups are kept, and a new one added");
    sound(&env);
}
