//! End-to-end tests of the store and the store-facing commands: commit, log,
//! show, list, info and diff, with every error case of issue 2 (import and gc
//! are in `bulk.rs`).
//! Each test gets its own temporary store and fixed `--date`s.

use crate::common::{fixture, stdout_of, Env};
use serde_json::Value;
use std::path::Path;
use std::process::Command as StdCommand;

pub(crate) const DATES: [&str; 4] =
    ["2020-09-14T10:00:00Z", "2020-09-15T08:30:00Z", "2020-09-16T12:00:00Z", "2020-09-17"];

pub(crate) fn commit(env: &Env, name: &str, file: &Path, date: &str) -> String {
    stdout_of(env.cmd().args(["commit", name]).arg(file).args(["--date", date]))
}

/// The belarus chain: revisions 1, 2, 3 of the fixture.
pub(crate) fn belarus(env: &Env) {
    for (i, date) in DATES.iter().take(3).enumerate() {
        commit(env, "belarus", &fixture(&format!("belarus/000{}.txt", i + 1)), date);
    }
}

pub(crate) fn json_of(c: &mut crate::common::Cmd) -> Value {
    serde_json::from_str(&stdout_of(c)).expect("valid JSON")
}

pub(crate) fn log_json(env: &Env, name: &str) -> Vec<Value> {
    json_of(env.cmd().args(["log", name, "--json"])).as_array().expect("array").clone()
}

/// Run and expect failure with `code`; returns stderr.
pub(crate) fn fails(c: &mut crate::common::Cmd, code: i32) -> String {
    let out = c.output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}\nstdout: {}", String::from_utf8_lossy(&out.stdout));
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

pub(crate) fn git_available() -> bool {
    let ok = StdCommand::new("git").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: git is not installed; skipping the plain-git check");
    }
    ok
}

pub(crate) fn git(store: &Path, args: &[&str]) -> String {
    let out = StdCommand::new("git").arg("--git-dir").arg(store).args(args).output().expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    redline::store::sha256_hex(bytes)
}

// ---- commit, log, show -------------------------------------------------

#[test]
fn commit_prints_number_short_id_and_summary() {
    let env = Env::new();
    let out = commit(&env, "belarus", &fixture("belarus/0001.txt"), DATES[0]);
    assert!(out.starts_with("belarus: revision 1 ("), "{out}");
    assert!(out.trim_end().ends_with(" words"), "{out}");
    let out = commit(&env, "belarus", &fixture("belarus/0002.txt"), DATES[1]);
    let re_ok = out.starts_with("belarus: revision 2 (") && out.contains(") +") && out.contains(" \u{2212}");
    assert!(re_ok, "{out}");
    let at = "belarus: revision 2 (".len();
    let id = &out[at..at + 7];
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{out}");
    assert_eq!(log_json(&env, "belarus")[1]["id"].as_str().unwrap()[..7], *id);
}

#[test]
fn show_prints_exact_bytes_of_each_revision() {
    let env = Env::new();
    belarus(&env);
    for n in 1..=3 {
        let want = std::fs::read(fixture(&format!("belarus/000{n}.txt"))).unwrap();
        let got = env.cmd().args(["show", "belarus", &n.to_string()]).output().unwrap();
        assert!(got.status.success());
        assert_eq!(got.stdout, want, "revision {n}");
    }
    let latest = env.cmd().args(["show", "belarus"]).output().unwrap().stdout;
    assert_eq!(latest, std::fs::read(fixture("belarus/0003.txt")).unwrap());
}

#[test]
fn show_adds_no_newline_and_keeps_odd_bytes() {
    let env = Env::new();
    let text = "no trailing newline\r\n\ttab  and\u{a0}nbsp";
    let f = env.file("odd.txt", text);
    commit(&env, "odd", &f, DATES[0]);
    assert_eq!(env.cmd().args(["show", "odd"]).output().unwrap().stdout, text.as_bytes());
}

#[test]
fn show_meta_has_the_documented_fields() {
    let env = Env::new();
    let f = fixture("belarus/0001.txt");
    stdout_of(env.cmd().args(["commit", "belarus"]).arg(&f).args([
        "--date",
        DATES[0],
        "--url",
        "https://www.nbcnews.com/x",
        "-m",
        "first seen",
    ]));
    let m = json_of(env.cmd().args(["show", "belarus", "--meta"]));
    let bytes = std::fs::read(&f).unwrap();
    assert_eq!(m["schema"], "redline.meta/1");
    assert_eq!(m["name"], "belarus");
    assert_eq!(m["revision"], 1);
    assert_eq!(m["url"], "https://www.nbcnews.com/x");
    assert_eq!(m["observed_at"], DATES[0]);
    assert_eq!(m["first_observed_at"], DATES[0]);
    assert_eq!(m["bytes"], bytes.len());
    assert_eq!(m["sha256"], sha256_hex(&bytes));
    assert_eq!(m["message"], "first seen");
    assert_eq!(m["same_as"], Value::Null);
    assert!(m["words"].as_u64().unwrap() > 500);
    for key in
        ["sentences", "paragraphs", "words_added", "words_removed", "title_changed", "formatting_only", "summary"]
    {
        assert!(m.get(key).is_some(), "missing {key}");
    }
    let first_line =
        String::from_utf8(bytes).unwrap().lines().find(|l| !l.trim().is_empty()).unwrap().trim().to_string();
    assert_eq!(m["title"], first_line.as_str());
}

#[test]
fn unchanged_text_stores_nothing() {
    let env = Env::new();
    belarus(&env);
    let out = commit(&env, "belarus", &fixture("belarus/0003.txt"), DATES[3]);
    assert!(out.contains("unchanged (same as revision 3)"), "{out}");
    assert_eq!(log_json(&env, "belarus").len(), 3);
}

#[test]
fn flip_flop_is_stored_with_same_as_and_shown_in_log() {
    let env = Env::new();
    belarus(&env);
    let out = commit(&env, "belarus", &fixture("belarus/0001.txt"), DATES[3]);
    assert!(out.contains("revision 4"), "{out}");
    let log = log_json(&env, "belarus");
    assert_eq!(log.len(), 4);
    assert_eq!(log[3]["same_as"], 1);
    assert_eq!(log[2]["same_as"], Value::Null);
    let text = stdout_of(env.cmd().args(["log", "belarus"]));
    let last = text.lines().last().unwrap();
    assert!(last.contains("[same as rev 1]"), "{text}");
    assert!(!text.lines().next().unwrap().contains("[same as"), "{text}");
    // --no-flip-flops hides the revision that flipped back.
    let quiet = stdout_of(env.cmd().args(["log", "belarus", "--no-flip-flops"]));
    assert_eq!(quiet.lines().count(), text.lines().count() - 1, "{quiet}");
    assert!(!quiet.contains("[same as"), "{quiet}");
}

#[test]
fn log_lines_have_number_id_time_words_delta_title() {
    let env = Env::new();
    belarus(&env);
    let log = log_json(&env, "belarus");
    let text = stdout_of(env.cmd().args(["log", "belarus"]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    for (i, line) in lines.iter().enumerate() {
        let m = &log[i];
        assert!(line.trim_start().starts_with(&(i + 1).to_string()), "{line}");
        assert!(line.contains(&m["id"].as_str().unwrap()[..7]), "{line}");
        assert!(line.contains(DATES[i]), "{line}");
        assert!(line.contains(&format!("{} words", m["words"])), "{line}");
        assert!(line.contains(&format!("+{} \u{2212}{}", m["words_added"], m["words_removed"])), "{line}");
        assert!(line.contains("Belarus"), "{line}");
    }
    // Revision 2's headline differs from revision 1's.
    assert_eq!(log[1]["title_changed"], true);
    assert!(lines[1].contains("[title changed]"), "{text}");
    assert!(!lines[0].contains("[title changed]"));
}

#[test]
fn log_reverse_and_json_order() {
    let env = Env::new();
    belarus(&env);
    let fwd = stdout_of(env.cmd().args(["log", "belarus"]));
    let rev = stdout_of(env.cmd().args(["log", "belarus", "--reverse"]));
    let mut fl: Vec<&str> = fwd.lines().collect();
    fl.reverse();
    assert_eq!(fl, rev.lines().collect::<Vec<_>>());
    let revs: Vec<u64> = log_json(&env, "belarus").iter().map(|m| m["revision"].as_u64().unwrap()).collect();
    assert_eq!(revs, [1, 2, 3]);
    let rj = json_of(env.cmd().args(["log", "belarus", "--json", "--reverse"]));
    assert_eq!(rj[0]["revision"], 3);
}

#[test]
fn formatting_only_revision_is_marked() {
    let env = Env::new();
    for (i, d) in DATES.iter().take(2).enumerate() {
        commit(&env, "quotes", &fixture(&format!("quotes-typography/000{}.txt", i + 1)), d);
    }
    let log = log_json(&env, "quotes");
    assert_eq!(log[1]["formatting_only"], true, "{}", log[1]);
    assert!(stdout_of(env.cmd().args(["log", "quotes"])).contains("[formatting only]"));
}

#[test]
fn plain_git_log_shows_the_same_revisions() {
    let env = Env::new();
    belarus(&env);
    commit(&env, "belarus", &fixture("belarus/0001.txt"), DATES[3]);
    if !git_available() {
        return;
    }
    let out = git(&env.store(), &["log", "--format=%H %at %ct %an <%ae> %s", "refs/articles/belarus"]);
    let git_lines: Vec<&str> = out.lines().collect();
    let log = log_json(&env, "belarus");
    assert_eq!(git_lines.len(), log.len());
    for (g, m) in git_lines.iter().rev().zip(&log) {
        let id = m["id"].as_str().unwrap();
        let secs = redline::store::parse_time(m["observed_at"].as_str().unwrap()).unwrap();
        let rev = m["revision"].as_u64().unwrap();
        assert!(g.starts_with(&format!("{id} {secs} {secs} redline <redline@localhost> rev {rev}: ")), "{g}");
    }
    let text = git(&env.store(), &["show", "refs/articles/belarus~3:article.txt"]);
    assert_eq!(text.as_bytes(), std::fs::read(fixture("belarus/0001.txt")).unwrap());
    assert!(git(&env.store(), &["config", "redline.version"]).trim() == "1");
}

#[test]
fn message_and_title_flags() {
    let env = Env::new();
    let f = env.file("a.txt", "\n\n   The real headline  \n\nBody.\n");
    stdout_of(env.cmd().args(["commit", "a"]).arg(&f).args(["--date", DATES[0], "-m", "from the wire"]));
    let g = env.file("b.txt", "\n\n   The real headline  \n\nBody, edited.\n");
    stdout_of(env.cmd().args(["commit", "a"]).arg(&g).args(["--date", DATES[1], "--title", "Given title"]));
    let log = log_json(&env, "a");
    assert_eq!(log[0]["title"], "The real headline");
    assert_eq!(log[0]["message"], "from the wire");
    assert_eq!(log[1]["title"], "Given title");
    assert_eq!(log[1]["title_changed"], true);
    if git_available() {
        let body = git(&env.store(), &["log", "-1", "--format=%B", "refs/articles/a~1"]);
        assert!(body.starts_with("rev 1: ") && body.contains("\n\nfrom the wire"), "{body}");
    }
}

#[test]
fn commit_reads_standard_input() {
    let env = Env::new();
    stdout_of(env.cmd().args(["commit", "piped", "--date", DATES[0]]).write_stdin("from stdin\n"));
    stdout_of(env.cmd().args(["commit", "piped", "-", "--date", DATES[1]]).write_stdin("from stdin, dashed\n"));
    assert_eq!(stdout_of(env.cmd().args(["show", "piped", "1"])), "from stdin\n");
    assert_eq!(stdout_of(env.cmd().args(["show", "piped"])), "from stdin, dashed\n");
}

// ---- names and URLs -----------------------------------------------------

#[test]
fn url_derives_a_name_and_file_positional_is_understood() {
    let env = Env::new();
    let f = env.file("story.txt", "Story\n\nText.\n");
    // `commit --url U FILE`: clap puts FILE in NAME; it is an existing file.
    let out = stdout_of(
        env.cmd()
            .args(["commit", "--url", "https://www.Example.com/news/story-1?utm_source=x"])
            .arg(&f)
            .args(["--date", DATES[0]]),
    );
    assert!(out.starts_with("www.example.com/news/story-1: revision 1"), "{out}");
    // `commit --url U -`: standard input, derived name.
    let out = stdout_of(
        env.cmd()
            .args(["commit", "--url", "https://www.example.com/news/story-1", "-", "--date", DATES[1]])
            .write_stdin("Story\n\nNew text.\n"),
    );
    assert!(out.starts_with("www.example.com/news/story-1: revision 2"), "{out}");
    // `commit --url U NAME` (NAME is not a file): NAME wins, text from stdin.
    let out = stdout_of(
        env.cmd().args(["commit", "--url", "https://e.com/x", "mine", "--date", DATES[0]]).write_stdin("Mine\n"),
    );
    assert!(out.starts_with("mine: revision 1"), "{out}");
    // NAME FILE --url: explicit.
    let out = stdout_of(env.cmd().args(["commit", "explicit"]).arg(&f).args([
        "--url",
        "https://e.com/y",
        "--date",
        DATES[0],
    ]));
    assert!(out.starts_with("explicit: revision 1"), "{out}");
    let m = json_of(env.cmd().args(["show", "explicit", "--meta"]));
    assert_eq!(m["url"], "https://e.com/y");
    let list = stdout_of(env.cmd().arg("list"));
    assert!(list.contains("www.example.com/news/story-1"), "{list}");
}

#[test]
fn url_with_empty_path_keeps_the_query() {
    let env = Env::new();
    let out = stdout_of(
        env.cmd()
            .args(["commit", "--url", "https://example.com/?p=123&utm_medium=rss", "-", "--date", DATES[0]])
            .write_stdin("x\n"),
    );
    // A query always makes the name hashed (see README, "Names from URLs").
    assert!(out.starts_with("example.com/p-123--") && out.contains(": revision 1"), "{out}");
}

#[test]
fn bad_names_are_refused_with_what_is_allowed() {
    let env = Env::new();
    let long = "a".repeat(201);
    let cases: &[(&str, &str)] = &[
        ("has space", "space"),
        ("a..b", ".."),
        ("tab\there", "control"),
        ("bell\u{7}", "control"),
        ("x/y.lock", ".lock"),
        ("/lead", "starts with"),
        ("-lead", "starts with"),
        ("trail/", "ends with '/'"),
        ("a//b", "empty path component"),
        ("x/.hidden", "starts with '.'"),
        ("café", "ASCII"),
        ("a:b", "':'"),
        (&long, "201 bytes"),
    ];
    let f = env.file("t.txt", "text\n");
    for (name, why) in cases {
        let err = fails(env.cmd().args(["commit", "--"]).arg(name).arg(&f), 2);
        assert!(err.contains("invalid article name"), "{name:?}: {err}");
        assert!(err.contains(why), "{name:?} should say {why:?}: {err}");
        assert!(err.contains("hint: names may use ASCII letters, digits"), "{err}");
    }
    assert!(!env.store().exists(), "a refused commit must not create the store");
    // Read commands check names too.
    let err = fails(env.cmd().args(["log", "a b"]), 2);
    assert!(err.contains("invalid article name"), "{err}");
    // 200 bytes and grouping are fine.
    stdout_of(env.cmd().args(["commit", &"b".repeat(200), "--date", DATES[0]]).arg(&f));
    stdout_of(env.cmd().args(["commit", "nbc/belarus-putin", "--date", DATES[0]]).arg(&f));
}

#[test]
fn commit_without_name_or_url_is_a_usage_error() {
    let env = Env::new();
    let err = fails(env.cmd().arg("commit"), 2);
    assert!(err.contains("needs an article NAME"), "{err}");
}

// ---- dates ----------------------------------------------------------------

#[test]
fn dates_in_every_accepted_form() {
    let env = Env::new();
    let forms = [
        ("2020-09-14", "2020-09-14T00:00:00Z"),
        ("2020-09-14T12:00:00+02:00", "2020-09-14T10:00:00Z"),
        ("2020-09-14T10:30", "2020-09-14T10:30:00Z"),
        ("2020-09-14T10:30:05", "2020-09-14T10:30:05Z"),
    ];
    for (i, (given, stored)) in forms.iter().enumerate() {
        let f = env.file("d.txt", format!("version {i}\n"));
        stdout_of(env.cmd().args(["commit", "d", "--date", given]).arg(&f));
        assert_eq!(log_json(&env, "d")[i]["observed_at"], *stored, "{given}");
    }
}

#[test]
fn bad_date_is_a_usage_error_listing_the_forms() {
    let env = Env::new();
    let f = env.file("t.txt", "text\n");
    for bad in ["yesterday", "2020-02-30", "14/09/2020"] {
        let err = fails(env.cmd().args(["commit", "x", "--date", bad]).arg(&f), 2);
        assert!(err.contains("invalid --date"), "{err}");
        assert!(err.contains("YYYY-MM-DD") && err.contains("RFC 3339"), "{err}");
    }
}

// ---- input errors ---------------------------------------------------------

#[test]
fn missing_binary_and_non_utf8_files_are_refused() {
    let env = Env::new();
    let err = fails(env.cmd().args(["commit", "x"]).arg(env.dir.path().join("nope.txt")), 2);
    assert!(err.contains("no such file"), "{err}");
    let bin = env.file("bin.txt", b"abc\0def");
    let err = fails(env.cmd().args(["commit", "x"]).arg(&bin), 2);
    assert!(err.contains("NUL byte at offset 3"), "{err}");
    let latin = env.file("latin.txt", b"caf\xe9 au lait");
    let err = fails(env.cmd().args(["commit", "x"]).arg(&latin), 2);
    assert!(err.contains("not valid UTF-8") && err.contains("offset 3"), "{err}");
    assert!(!env.store().exists());
}

// ---- unknown articles and revisions ---------------------------------------

#[test]
fn unknown_article_is_a_usage_error() {
    let env = Env::new();
    belarus(&env);
    for args in [vec!["log", "nope"], vec!["show", "nope"], vec!["diff", "nope"]] {
        let err = fails(env.cmd().args(&args), 2);
        assert!(err.contains("no article named \"nope\""), "{err}");
        assert!(err.contains("redline list"), "{err}");
    }
}

#[test]
fn missing_store_for_read_commands() {
    let env = Env::new();
    let err = fails(env.cmd().args(["log", "belarus"]), 2);
    assert!(err.contains("no store at"), "{err}");
    let out = env.cmd().arg("list").output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no store at"));
    assert_eq!(json_of(env.cmd().args(["list", "--json"])), serde_json::json!([]));
    let info = stdout_of(env.cmd().arg("info"));
    assert!(info.contains("exists:    no"), "{info}");
    assert!(!env.store().exists(), "read commands must not create the store");
}

#[test]
fn revision_syntax_everywhere() {
    let env = Env::new();
    belarus(&env);
    let text = |n: u32| std::fs::read(fixture(&format!("belarus/000{n}.txt"))).unwrap();
    let show = |rev: &str| env.cmd().args(["show", "belarus", rev]).output().unwrap().stdout;
    assert_eq!(show("latest"), text(3));
    assert_eq!(show("latest~1"), text(2));
    assert_eq!(show("latest~2"), text(1));
    assert_eq!(show("1"), text(1));
    let id = log_json(&env, "belarus")[1]["id"].as_str().unwrap().to_string();
    assert_eq!(show(&id[..4]), text(2));
    assert_eq!(show(&id[..10].to_uppercase()), text(2));
    assert_eq!(show(&id), text(2));
}

#[test]
fn unknown_revisions_are_clear_errors() {
    let env = Env::new();
    belarus(&env);
    let cases = [
        ("9", "revision 9 does not exist (there are 3 revisions)"),
        ("0", "revisions start at 1"),
        ("latest~3", "before the first revision"),
        ("abc", "at least 4 hex digits"),
        ("deadbeef", "no revision's commit id starts with deadbeef"),
        ("newest", "not a revision"),
    ];
    for (rev, msg) in cases {
        let err = fails(env.cmd().args(["show", "belarus", rev]), 2);
        assert!(err.contains(&format!("article \"belarus\" has no revision \"{rev}\"")), "{err}");
        assert!(err.contains(msg), "{rev}: {err}");
        assert!(err.contains("hint: revisions are N"), "{err}");
    }
    let err = fails(env.cmd().args(["diff", "belarus", "7"]), 2);
    assert!(err.contains("revision 7 does not exist"), "{err}");
}

#[test]
fn ambiguous_prefix_lists_the_candidates() {
    let env = Env::new();
    // Enough revisions that two commit ids share their first 4 hex digits
    // (ids are deterministic: fixed texts and dates).
    let mut lines = String::new();
    for i in 0..1000 {
        lines.push_str(&format!(
            "{{\"name\":\"many\",\"text\":\"version {i}\\n\",\"observed_at\":\"2021-01-01T00:{:02}:{:02}Z\"}}\n",
            i / 60,
            i % 60
        ));
    }
    let src = env.file("many.jsonl", lines);
    stdout_of(env.cmd().args(["import", "--quiet"]).arg(&src));
    let log = log_json(&env, "many");
    assert_eq!(log.len(), 1000);
    let mut by_prefix = std::collections::HashMap::<String, Vec<(u64, String)>>::new();
    for m in &log {
        let id = m["id"].as_str().unwrap().to_string();
        by_prefix.entry(id[..4].to_string()).or_default().push((m["revision"].as_u64().unwrap(), id));
    }
    // A prefix with a hex letter: an all-digit one is read as a revision
    // number first (by design), which is not what this test is about.
    let mut shared: Vec<(String, Vec<(u64, String)>)> =
        by_prefix.into_iter().filter(|(p, v)| v.len() > 1 && p.bytes().any(|b| b.is_ascii_alphabetic())).collect();
    shared.sort();
    let (prefix, hits) = shared.into_iter().next().expect("a shared 4-digit prefix with a letter");
    let err = fails(env.cmd().args(["show", "many", &prefix]), 2);
    assert!(err.contains("ambiguous"), "{err}");
    for (rev, id) in &hits {
        assert!(err.contains(&format!("rev {rev} ({id})")), "{err}");
    }
    // A longer prefix picks one.
    let (rev, id) = &hits[0];
    assert_eq!(stdout_of(env.cmd().args(["show", "many", &id[..12]])), format!("version {}\n", rev - 1));
}

// ---- diff ---------------------------------------------------------------

fn diff_json(env: &Env, revs: &[&str]) -> Value {
    json_of(env.cmd().args(["diff", "belarus"]).args(revs).args(["--format", "json"]))
}

#[test]
fn diff_defaults_and_labels() {
    let env = Env::new();
    belarus(&env);
    let d = diff_json(&env, &[]);
    assert_eq!(d["old"]["label"], "belarus@2");
    assert_eq!(d["new"]["label"], "belarus@3");
    assert_eq!(d["old"]["revision"], 2);
    assert_eq!(d["new"]["observed_at"], DATES[2]);
    // The full commit id, so scripts can hand it to git.
    let id = d["old"]["id"].as_str().unwrap();
    assert_eq!(id.len(), 40);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    let d = diff_json(&env, &["1"]);
    assert_eq!((d["old"]["revision"].clone(), d["new"]["revision"].clone()), (1.into(), 3.into()));
    let d = diff_json(&env, &["1", "latest~1"]);
    assert_eq!((d["old"]["revision"].clone(), d["new"]["revision"].clone()), (1.into(), 2.into()));
    let text = stdout_of(env.cmd().args(["diff", "belarus", "--color", "never"]));
    assert!(text.contains("belarus@2") && text.contains("belarus@3"), "{text}");
}

#[test]
fn diff_exit_code_and_single_revision() {
    let env = Env::new();
    belarus(&env);
    fails(env.cmd().args(["diff", "belarus", "--exit-code"]), 1);
    stdout_of(env.cmd().args(["diff", "belarus", "2", "2", "--exit-code"]));
    commit(&env, "solo", &fixture("belarus/0001.txt"), DATES[0]);
    let err = fails(env.cmd().args(["diff", "solo"]), 2);
    assert!(err.contains("there is only 1 revision"), "{err}");
}

// ---- list and info --------------------------------------------------------

#[test]
fn list_shows_counts_and_time_span() {
    let env = Env::new();
    belarus(&env);
    commit(&env, "nbc/belarus-putin", &fixture("belarus/0002.txt"), DATES[3]);
    let text = stdout_of(env.cmd().arg("list"));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("NAME"), "{text}");
    assert!(
        lines[1].starts_with("belarus ")
            && lines[1].contains(" 3  ")
            && lines[1].contains(DATES[0])
            && lines[1].contains(DATES[2]),
        "{text}"
    );
    assert!(lines[2].starts_with("nbc/belarus-putin") && lines[2].contains("2020-09-17T00:00:00Z"), "{text}");
    let j = json_of(env.cmd().args(["list", "--json"]));
    assert_eq!(j[0]["name"], "belarus");
    assert_eq!(j[0]["revisions"], 3);
    assert_eq!(j[0]["first_observed_at"], DATES[0]);
    assert_eq!(j[0]["last_observed_at"], DATES[2]);
    assert_eq!(j[1]["name"], "nbc/belarus-putin");
    assert_eq!(j[1]["revisions"], 1);
}

#[test]
fn info_reports_path_size_and_counts() {
    let env = Env::new();
    let before = json_of(env.cmd().args(["info", "--json"]));
    assert_eq!(before["exists"], false);
    belarus(&env);
    let j = json_of(env.cmd().args(["info", "--json"]));
    assert_eq!(j["exists"], true);
    assert_eq!(j["path"], env.store().display().to_string());
    assert_eq!(j["articles"], 1);
    assert_eq!(j["loose_objects"], 12);
    assert!(j["size_bytes"].as_u64().unwrap() > 1000);
    let text = stdout_of(env.cmd().arg("info"));
    assert!(text.contains(&env.store().display().to_string()) && text.contains("articles:  1"), "{text}");
    assert!(text.contains(&format!("({} bytes)", j["size_bytes"])), "{text}");
}

#[test]
fn store_env_var_is_used() {
    let env = Env::new();
    let f = env.file("t.txt", "text\n");
    let mut c = crate::common::redline();
    c.env("REDLINE_STORE", env.store()).args(["commit", "x", "--date", DATES[0]]).arg(&f);
    stdout_of(&mut c);
    assert!(env.store().join("refs/articles/x").exists());
}

// ---- unusable stores -------------------------------------------------------

#[test]
fn store_path_that_is_a_file_or_foreign_dir_is_refused() {
    let env = Env::new();
    let f = env.file("t.txt", "text\n");
    let file_store = env.file("store", "not a directory");
    assert_eq!(file_store, env.store());
    let err = fails(env.cmd().args(["commit", "x"]).arg(&f), 4);
    assert!(err.contains("is a file") && err.contains("hint:"), "{err}");
    fails(env.cmd().args(["log", "x"]), 4);
    fails(env.cmd().arg("list"), 4);

    let env = Env::new();
    env.file("store/notes.txt", "some other folder");
    let err = fails(env.cmd().args(["commit", "x"]).arg(&f), 4);
    assert!(err.contains("not a git repository"), "{err}");

    // An empty directory is fine: the store is created inside it.
    let env = Env::new();
    std::fs::create_dir(env.store()).unwrap();
    stdout_of(env.cmd().args(["commit", "x", "--date", DATES[0]]).arg(&f));
}

#[test]
fn git_working_tree_is_not_a_store() {
    if !git_available() {
        return;
    }
    let env = Env::new();
    let f = env.file("t.txt", "text\n");
    std::fs::create_dir(env.store()).unwrap();
    assert!(StdCommand::new("git").arg("init").arg("-q").arg(env.store()).status().unwrap().success());
    let err = fails(env.cmd().args(["commit", "x"]).arg(&f), 4);
    assert!(err.contains("working tree"), "{err}");
}

// ---- locking --------------------------------------------------------------

#[test]
fn stale_lock_is_named_and_never_removed() {
    let env = Env::new();
    belarus(&env);
    let lock = env.store().join("refs/articles/belarus.lock");
    let f = std::fs::File::create(&lock).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(120)).unwrap();
    let err = fails(
        env.cmd().env("REDLINE_LOCK_TIMEOUT_MS", "300").args(["commit", "belarus"]).arg(fixture("belarus/0001.txt")),
        3,
    );
    assert!(err.contains("looks stale") && err.contains("killed process"), "{err}");
    assert!(err.contains(&lock.display().to_string()), "{err}");
    assert!(err.contains("if no redline is running, remove it"), "{err}");
    assert!(lock.exists(), "redline must never delete a lock itself");
    assert_eq!(log_json(&env, "belarus").len(), 3);
}

#[test]
fn live_lock_says_try_again() {
    let env = Env::new();
    belarus(&env);
    std::fs::File::create(env.store().join("refs/articles/belarus.lock")).unwrap();
    let err = fails(
        env.cmd().env("REDLINE_LOCK_TIMEOUT_MS", "200").args(["commit", "belarus"]).arg(fixture("belarus/0001.txt")),
        3,
    );
    assert!(err.contains("another process is writing") && err.contains("try again"), "{err}");
}

#[test]
fn concurrent_commits_all_land_in_one_chain() {
    let env = Env::new();
    commit(&env, "race", &env.file("base.txt", "base\n"), DATES[0]);
    let exe = crate::common::bin();
    let children: Vec<_> = (0..6)
        .map(|i| {
            let f = env.file(&format!("r{i}.txt"), format!("writer {i}\n"));
            StdCommand::new(&exe)
                .arg("--store")
                .arg(env.store())
                .args(["commit", "race", "--date", DATES[1]])
                .arg(f)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let log = log_json(&env, "race");
    assert_eq!(log.len(), 7);
    let revs: Vec<u64> = log.iter().map(|m| m["revision"].as_u64().unwrap()).collect();
    assert_eq!(revs, (1..=7).collect::<Vec<_>>());
    let mut texts: Vec<String> = (2..=7).map(|n| stdout_of(env.cmd().args(["show", "race", &n.to_string()]))).collect();
    texts.sort();
    assert_eq!(texts, (0..6).map(|i| format!("writer {i}\n")).collect::<Vec<_>>());
}
