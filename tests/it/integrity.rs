//! Store integrity 2 (issue 10), items 1-5: distinct URLs stay distinct
//! articles, nested names are refused before anything is written, export
//! writes only inside its folder, partial histories are refused for writes,
//! and every bound (width, dates, revision numbers, tree depth) holds.
//! Each test ends with `redline fsck` and `git fsck --strict` on what it
//! wrote.

use crate::common::Env;
use crate::concurrency::{git_fsck_ok, redline_fsck_ok};
use crate::hostile::snapshot;
use std::path::Path;
use std::process::Output;

pub(crate) fn run(env: &Env, args: &[&str], stdin: &[u8]) -> Output {
    let out = env.cmd().args(args).write_stdin(stdin.to_vec()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    out
}

/// Run; assert the exit code; return stdout + stderr.
pub(crate) fn expect(env: &Env, args: &[&str], stdin: &[u8], code: i32) -> String {
    let out = run(env, args, stdin);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(code), "{args:?}: {text}");
    text
}

/// The command is refused with `code`, says every needle, and changes nothing.
pub(crate) fn refused(env: &Env, args: &[&str], stdin: &[u8], code: i32, needles: &[&str]) -> String {
    let before = snapshot(&env.store());
    let text = expect(env, args, stdin, code);
    for n in needles {
        assert!(text.contains(n), "{args:?}: message lacks {n:?}: {text}");
    }
    assert!(snapshot(&env.store()) == before, "{args:?}: the store changed after a refusal");
    text
}

pub(crate) fn names(env: &Env) -> Vec<String> {
    let out = run(env, &["list", "--json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap().to_string()).collect()
}

pub(crate) fn sound(env: &Env) {
    redline_fsck_ok(env);
    git_fsck_ok(&env.store());
}

// ---- 1. URL names that never collide ----------------------------------------

#[test]
fn distinct_urls_become_distinct_articles() {
    let env = Env::new();
    let urls = [
        "https://news.ycombinator.com/item?id=38000001",
        "https://news.ycombinator.com/item?id=38000002",
        "https://ria.ru/политика/статья-1",
        "https://ria.ru/экономика/новость-1",
        "https://ria.ru/спорт/1",
        "https://www.youtube.com/watch?v=abc",
        "https://www.youtube.com/watch?v=xyz",
        "https://x.com/é",
        "https://x.com/ü",
        "https://x.com/a+b",
        "https://x.com/a-b",
    ];
    for (i, u) in urls.iter().enumerate() {
        let date = format!("--date=2020-01-01T00:00:{i:02}Z");
        let out = expect(&env, &["commit", "--url", u, "-", &date], format!("Page {i}\n").as_bytes(), 0);
        assert!(out.contains(": revision 1 "), "{u} must start its own article: {out}");
    }
    let got = names(&env);
    assert_eq!(got.len(), urls.len(), "{got:?}");
    assert!(got.contains(&"x.com/a-b".to_string()), "an exact URL keeps its plain name: {got:?}");
    assert!(got.iter().any(|n| n.starts_with("news.ycombinator.com/item/id-38000001--")), "{got:?}");
    // Tracking parameters and the fragment do not make a new page.
    let out = expect(
        &env,
        &[
            "commit",
            "--url",
            "https://news.ycombinator.com/item?utm_source=rss&id=38000001#c",
            "-",
            "--date",
            "2020-02-01",
        ],
        b"Page 0, edited\n",
        0,
    );
    assert!(out.contains(": revision 2 "), "{out}");
    // JSON Lines records with a url and no name use the same rule.
    let lines = [38000003, 38000004]
        .map(|id| {
            serde_json::json!({"url": format!("https://news.ycombinator.com/item?id={id}"), "text": format!("{id}\n"), "observed_at": "2020-03-01"})
                .to_string()
        })
        .join("\n");
    expect(&env, &["import", "-", "--quiet"], lines.as_bytes(), 0);
    assert_eq!(names(&env).len(), urls.len() + 2);
    sound(&env);
}

#[test]
fn a_derived_name_holding_another_url_is_refused() {
    let env = Env::new();
    let page = "https://example.com/story";
    let name = redline::store::name_from_url(page).unwrap();
    // Someone stored another page under that name by hand.
    expect(&env, &["commit", &name, "-", "--url", "https://other.org/x", "--date", "2020-01-01"], b"Other\n", 0);
    let err = refused(
        &env,
        &["commit", "--url", page, "-", "--date", "2020-01-02"],
        b"Story\n",
        2,
        &[&name, "https://other.org/x"],
    );
    assert!(err.contains("hint:"), "{err}");
    // The same page with tracking noise is the same page: accepted.
    expect(
        &env,
        &["commit", "--url", "https://other.org/x?utm_medium=a", "-", "--date", "2020-01-03"],
        b"Other 2\n",
        0,
    );
    sound(&env);
}

// ---- 2. Nested names ----------------------------------------------------------

#[test]
fn nested_names_are_refused_before_anything_is_written() {
    let env = Env::new();
    expect(&env, &["commit", "a", "-", "--date", "2020-01-01"], b"A\n", 0);
    refused(&env, &["commit", "a/b", "-", "--date", "2020-01-02"], b"AB\n", 2, &["\"a/b\"", "article \"a\" exists"]);
    expect(&env, &["commit", "c/d", "-", "--date", "2020-01-01"], b"CD\n", 0);
    refused(&env, &["commit", "c", "-", "--date", "2020-01-02"], b"C\n", 2, &["article \"c/d\" exists"]);
    // The README's URL example: a front page, then a story below it.
    expect(&env, &["commit", "--url", "https://www.nbcnews.com/", "-", "--date", "2020-01-01"], b"Front\n", 0);
    refused(
        &env,
        &["commit", "--url", "https://www.nbcnews.com/news/world/belarus-n1240052", "-", "--date", "2020-01-02"],
        b"Story\n",
        2,
        &["www.nbcnews.com"],
    );
    // A folder import checks every name first and writes nothing.
    let src = env.dir.path().join("src");
    for (rel, text) in [("a2/0001.txt", "x\n"), ("a2/b/0001.txt", "y\n"), ("z/0001.txt", "z\n")] {
        env.file(&format!("src/{rel}"), text);
    }
    let err = refused(&env, &["import", src.to_str().unwrap(), "--quiet"], b"", 2, &["a2/b", "\"a2\""]);
    assert!(!err.contains("could not remove"), "{err}");
    // So does a JSON Lines import, against the store and within itself.
    let jl = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(n, t)| serde_json::json!({"name": n, "text": t, "observed_at": "2021-01-01"}).to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    refused(
        &env,
        &["import", "-", "--quiet"],
        jl(&[("fresh", "f\n"), ("a/x", "ax\n")]).as_bytes(),
        2,
        &["a/x", "<stdin>:2"],
    );
    refused(
        &env,
        &["import", "-", "--quiet"],
        jl(&[("p", "p\n"), ("q", "q\n"), ("p/q", "pq\n")]).as_bytes(),
        2,
        &["p/q"],
    );
    assert_eq!(names(&env), ["a", "c/d", "www.nbcnews.com"]);
    sound(&env);
}

// ---- 3. Export stays inside its folder ------------------------------------------

#[test]
fn export_never_writes_outside_its_folder() {
    let env = Env::new();
    for (i, t) in ["One.\n", "Two.\n", "Three.\n"].iter().enumerate() {
        expect(&env, &["commit", "art", "-", "--date", &format!("2020-01-0{}", i + 1)], t.as_bytes(), 0);
    }
    let d = env.dir.path().join("site");
    std::fs::create_dir(&d).unwrap();
    let victim = env.file("victim.txt", "precious\n");
    std::os::unix::fs::symlink("../victim.txt", d.join("index.html")).unwrap();
    std::os::unix::fs::symlink("../outside.html", d.join("diff-0002-0003.html")).unwrap();
    expect(&env, &["export", "art", d.to_str().unwrap()], b"", 0);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n", "the symlink target was written");
    assert!(!env.dir.path().join("outside.html").exists(), "a file was created outside the folder");
    for f in ["index.html", "diff-0001-0002.html", "diff-0002-0003.html"] {
        let md = std::fs::symlink_metadata(d.join(f)).unwrap();
        assert!(md.file_type().is_file(), "{f} is a regular file now");
    }
    let left: Vec<String> =
        std::fs::read_dir(&d).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(!left.iter().any(|n| n.starts_with('.') || n.ends_with(".tmp")), "no temporary files left: {left:?}");
    // A destination that is a file is refused, and left alone.
    let f = env.file("page.html", "mine\n");
    let err = expect(&env, &["export", "art", f.to_str().unwrap()], b"", 2);
    assert!(err.contains("is a file") && err.contains("hint:"), "{err}");
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "mine\n");
    sound(&env);
}

// ---- 4. Partial histories ----------------------------------------------------

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git").arg("--git-dir").arg(dir).args(args).output().ok()?;
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn four_revisions(env: &Env) {
    for i in 1..=4 {
        expect(
            env,
            &["commit", "art", "-", "--date", &format!("2020-01-0{i}")],
            format!("Version {i}.\n").as_bytes(),
            0,
        );
    }
}

fn partial_is_refused(env: &Env) {
    let msg = redline::store::SHALLOW_MSG;
    refused(env, &["commit", "art", "-", "--date", "2021-01-01"], b"Version 5.\n", 4, &[msg]);
    refused(env, &["commit", "other", "-", "--date", "2021-01-01"], b"New.\n", 4, &[msg]);
    let f = env.file("v.jsonl", r#"{"name":"art","text":"Version 6.\n","observed_at":"2021-02-01"}"#);
    refused(env, &["import", f.to_str().unwrap(), "--quiet"], b"", 4, &[msg]);
    refused(env, &["fsck", "--repair"], b"", 5, &[msg]);
    refused(env, &["gc"], b"", 4, &[msg]);
    let log = expect(env, &["log", "art"], b"", 0);
    assert!(log.contains("warning") && log.contains(msg), "log warns: {log}");
    refused(env, &["fsck"], b"", 5, &["[shallow]"]);
}

#[test]
fn shallow_and_grafted_stores_are_refused_for_writes() {
    let full = Env::new();
    four_revisions(&full);
    // A shallow fetch of the store (system git).
    let shallow = Env::new();
    let url = format!("file://{}", full.store().display());
    if git(&shallow.store(), &["init", "--bare", "-q"]).is_some() {
        std::fs::remove_dir_all(shallow.store()).unwrap();
        git(&shallow.store(), &["init", "--bare", "-q"]);
        git(&shallow.store(), &["fetch", "-q", "--depth", "2", &url, "refs/articles/*:refs/articles/*"]);
        assert!(shallow.store().join("shallow").exists());
        partial_is_refused(&shallow);
    } else {
        eprintln!("note: no system git; the shallow case was not checked (the grafts case still is)");
    }
    // Grafts: revision 3 made a root.
    let grafted = Env::new();
    four_revisions(&grafted);
    let repo = git2::Repository::open_bare(grafted.store()).unwrap();
    let tip = repo.refname_to_id("refs/articles/art").unwrap();
    let rev3 = repo.find_commit(tip).unwrap().parent_id(0).unwrap();
    grafted.file("store/info/grafts", format!("{rev3}\n"));
    partial_is_refused(&grafted);
    std::fs::remove_file(grafted.store().join("info/grafts")).unwrap();
    expect(&grafted, &["commit", "art", "-", "--date", "2021-01-01"], b"Version 5.\n", 0);
    sound(&grafted);
}

// ---- 5. Bounds ------------------------------------------------------------------

#[test]
fn width_is_bounded() {
    let env = Env::new();
    expect(&env, &["commit", "w", "-", "--date", "2020-01-01"], b"Old words here.\n", 0);
    expect(&env, &["commit", "w", "-", "--date", "2020-01-02"], b"New words here.\n", 0);
    for bad in ["18446744073709551615", "100000000", "1001", "19", "0", "-5"] {
        let w = format!("--width={bad}");
        let err = expect(&env, &["diff", "w", "--side-by-side", &w], b"", 2);
        assert!(err.contains("--width") || err.contains("width"), "{bad}: {err}");
    }
    for good in ["20", "1000"] {
        expect(&env, &["diff", "w", "--side-by-side", "--width", good], b"", 0);
    }
    let (a, b) = (env.file("a.txt", "x y\n"), env.file("b.txt", "x z\n"));
    expect(&env, &["compare", a.to_str().unwrap(), b.to_str().unwrap(), "--side-by-side", "--width", "5000"], b"", 2);
}

#[test]
fn dates_outside_gits_range_are_refused_and_the_edges_are_exact() {
    let env = Env::new();
    expect(&env, &["commit", "d", "-", "--date", "1970-01-01T00:00:00Z"], b"First.\n", 0);
    for bad in ["1900-01-01", "1969-12-31T23:59:59Z", "2106-02-07T06:28:16Z", "9999-12-31T23:59:59Z"] {
        refused(&env, &["commit", "d", "-", "--date", bad], b"Text.\n", 2, &["outside the range", "1970-01-01"]);
    }
    let line = r#"{"name":"d","text":"x\n","observed_at":"9999-12-31T23:59:59Z"}"#;
    let err = refused(&env, &["import", "-", "--quiet"], line.as_bytes(), 2, &["<stdin>:1", "outside the range"]);
    assert!(!err.contains("jiff") && !err.contains("parsed"), "{err}");
    expect(&env, &["commit", "d", "-", "--date", "2106-02-07T06:28:15Z"], b"Last.\n", 0);
    let repo = git2::Repository::open_bare(env.store()).unwrap();
    let tip = repo.find_commit(repo.refname_to_id("refs/articles/d").unwrap()).unwrap();
    assert_eq!(tip.author().when().seconds(), 4_294_967_295, "git keeps the time meta.json says");
    assert_eq!(tip.parent(0).unwrap().author().when().seconds(), 0);
    sound(&env);
}

/// Replace the tip's meta.json field `key` with `value` (as git could).
pub(crate) fn tamper_tip(store: &Path, name: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let repo = git2::Repository::open_bare(store).unwrap();
    let refname = format!("refs/articles/{name}");
    let tip = repo.find_commit(repo.refname_to_id(&refname).unwrap()).unwrap();
    let tree = tip.tree().unwrap();
    let blob = tree.get_name("meta.json").unwrap().to_object(&repo).unwrap();
    let mut meta: serde_json::Value = serde_json::from_slice(blob.as_blob().unwrap().content()).unwrap();
    edit(&mut meta);
    let id = repo.blob(serde_json::to_string_pretty(&meta).unwrap().as_bytes()).unwrap();
    let mut tb = repo.treebuilder(Some(&tree)).unwrap();
    tb.insert("meta.json", id, 0o100644).unwrap();
    let t = repo.find_tree(tb.write().unwrap()).unwrap();
    let parents: Vec<git2::Commit> = tip.parents().collect();
    let prefs: Vec<&git2::Commit> = parents.iter().collect();
    let c = repo.commit(None, &tip.author(), &tip.committer(), tip.message().unwrap(), &t, &prefs).unwrap();
    repo.reference(&refname, c, true, "tamper").unwrap();
}

#[test]
fn tampered_revision_numbers_never_wrap_or_repeat() {
    for bad in [serde_json::json!(4_294_967_295u64), serde_json::json!(0), serde_json::json!(u64::MAX)] {
        let env = Env::new();
        expect(&env, &["commit", "r", "-", "--date", "2020-01-01"], b"One.\n", 0);
        expect(&env, &["commit", "r", "-", "--date", "2020-01-02"], b"Two.\n", 0);
        tamper_tip(&env.store(), "r", |m| m["revision"] = bad.clone());
        let err =
            refused(&env, &["commit", "r", "-", "--date", "2020-01-03"], b"Three.\n", 4, &["does not follow", "fsck"]);
        assert!(!err.contains("r: revision "), "nothing is stored: {err}");
        expect(&env, &["fsck"], b"", 5);
        expect(&env, &["fsck", "--repair"], b"", 0);
        let out = expect(&env, &["commit", "r", "-", "--date", "2020-01-03"], b"Three.\n", 0);
        assert!(out.contains("revision 3"), "{bad}: {out}");
        sound(&env);
    }
}

#[test]
fn gc_walks_a_tree_nested_50000_levels_deep() {
    let env = Env::new();
    expect(&env, &["commit", "keep", "-", "--date", "2020-01-01"], b"Kept.\n", 0);
    let repo = git2::Repository::open_bare(env.store()).unwrap();
    let mut id = repo.blob(b"bottom\n").unwrap();
    let mut mode = 0o100644;
    for _ in 0..50_000 {
        let mut tb = repo.treebuilder(None).unwrap();
        tb.insert("d", id, mode).unwrap();
        id = tb.write().unwrap();
        mode = 0o040000;
    }
    repo.reference("refs/foreign/deep", id, false, "test").unwrap();
    let out = expect(&env, &["gc"], b"", 0);
    assert!(out.contains("packed"), "{out}");
    assert_eq!(expect(&env, &["show", "keep"], b"", 0), "Kept.\n");
    assert!(repo.find_tree(id).is_ok(), "the deep tree is kept");
}
