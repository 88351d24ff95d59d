//! Tests for render: every human format and layout on the fixture pairs
//! (snapshots in `snapshots/`, terminal formats in `--color debug`), output safety
//! against control sequences in article text, and quiet closed pipes.
//!
//! Snapshots hold whatever the diff engine produces today; when the engine
//! changes, re-run with `INSTA_UPDATE=always` and read every changed
//! `.snap` before committing it.

use crate::common::{assert_snapshot, redline, stdout_of, Env};
use std::io::Read;
use std::process::Stdio;

/// Consecutive fixture pairs: (chain, old, new).
const PAIRS: [(&str, &str, &str); 6] = [
    ("belarus", "0001", "0002"),
    ("belarus", "0002", "0003"),
    ("council-budget", "0001", "0002"),
    ("council-budget", "0002", "0003"),
    ("quotes-typography", "0001", "0002"),
    ("quotes-typography", "0002", "0003"),
];

/// `redline compare` on a fixture pair, run from the repository root so
/// labels are relative paths (the same on every machine).
fn compare(chain: &str, old: &str, new: &str, args: &[&str]) -> String {
    let mut c = redline();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--no-pager", "compare"])
        .arg(format!("fixtures/{chain}/{old}.txt"))
        .arg(format!("fixtures/{chain}/{new}.txt"))
        .args(args);
    stdout_of(&mut c)
}

/// Snapshot one format for every pair.
fn snapshot_all(format_name: &str, args: &[&str], post: fn(String) -> String) {
    for (chain, old, new) in PAIRS {
        let out = post(compare(chain, old, new, args));
        let name = format!("{format_name}__{chain}_{old}_{new}");
        assert_snapshot(&name, &out, &format!("redline compare {chain}/{old} {chain}/{new} {}", args.join(" ")));
    }
}

fn same(s: String) -> String {
    s
}

#[test]
fn inline_debug() {
    snapshot_all("inline_debug", &["--color", "debug"], same);
}

#[test]
fn inline_plain() {
    snapshot_all("inline_plain", &["--color", "never"], same);
}

#[test]
fn inline_context_zero() {
    let (chain, old, new) = PAIRS[3];
    let out = compare(chain, old, new, &["--color", "debug", "--context", "0"]);
    assert_snapshot("inline_context0__council-budget_0002_0003", &out, "out");
}

#[test]
fn side_by_side_debug() {
    snapshot_all("sbs_debug", &["--color", "debug", "--side-by-side", "--width", "100"], same);
}

#[test]
fn side_by_side_plain_narrow() {
    snapshot_all("sbs_plain60", &["--color", "never", "--side-by-side", "--width", "60"], same);
}

#[test]
fn stat_debug() {
    snapshot_all("stat_debug", &["--color", "debug", "--stat"], same);
}

#[test]
fn critic() {
    snapshot_all("critic", &["--format", "critic"], same);
}

#[test]
fn html() {
    snapshot_all("html", &["--format", "html"], strip_css);
}

#[test]
fn json() {
    snapshot_all("json", &["--format", "json"], |s| {
        let v: serde_json::Value = serde_json::from_str(&s).expect("valid JSON");
        serde_json::to_string_pretty(&v).unwrap()
    });
}

/// The stylesheet is the same on every page; keep it out of the snapshots.
fn strip_css(s: String) -> String {
    match (s.find("<style>"), s.find("</style>")) {
        (Some(a), Some(b)) if a < b => format!("{}<style>/* … */{}", &s[..a], &s[b..]),
        _ => s,
    }
}

/// Every ESC in `s` starts an SGR colour sequence (`ESC [ 0-9; m`), which
/// is all redline itself writes.
fn only_sgr(s: &str) -> bool {
    s.split('\x1b').skip(1).all(|rest| {
        rest.strip_prefix('[')
            .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit() || c == ';').starts_with('m'))
            .unwrap_or(false)
    })
}

#[test]
fn control_sequences_in_articles_never_reach_the_output_raw() {
    let env = Env::new();
    let evil_old = "Headline\n\nThe mayor said hello.\x1b]0;pwned\x07\n\nClear: \x1b[2J done.\n";
    let evil_new =
        "Headline\u{9b}31m\n\nThe mayor stated hello.\x1b]0;pwned\x07\x1b[8m\n\nClear: \x1b[2J done. \u{85}\r\n";
    let old = env.file("old.txt", evil_old);
    let new = env.file("new.txt", evil_new);
    let cases: &[&[&str]] = &[
        &["--color", "never"],
        &["--color", "always"],
        &["--color", "debug"],
        &["--color", "always", "--side-by-side", "--width", "50"],
        &["--color", "never", "--side-by-side"],
        &["--color", "always", "--stat"],
        &["--format", "critic"],
        &["--format", "html"],
        &["--format", "json"],
    ];
    for args in cases {
        let out =
            redline().arg("--no-pager").arg("compare").arg(&old).arg(&new).args(*args).output().expect("run redline");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).expect("utf-8");
        if args.contains(&"always") {
            assert!(only_sgr(&text), "{args:?}: raw ESC besides colour codes:\n{text:?}");
            assert!(text.contains("\x1b["), "{args:?}: --color always should colour");
        } else {
            assert!(!text.contains('\x1b'), "{args:?}: raw ESC in output:\n{text:?}");
        }
        assert!(!text.contains('\x07'), "{args:?}: raw BEL");
        if !args.contains(&"json") {
            // JSON escapes C0 as \u001b; C1 characters are valid JSON
            // string content and stay as they are there.
            let c1 = text.chars().find(|c| ('\u{80}'..='\u{9f}').contains(c));
            assert!(c1.is_none(), "{args:?}: raw C1 {c1:?} in output");
            assert!(!text.contains('\r'), "{args:?}: raw CR");
        }
        if args.contains(&"html") {
            assert!(text.contains("\\x1b]0;pwned\\x07"), "html shows the sequence visibly");
        }
    }
}

#[test]
fn closed_pipe_ends_quietly() {
    let env = Env::new();
    let para = "The council met on Tuesday and agreed on the budget. ".repeat(40);
    let old: String = (0..400).map(|i| format!("{i} {para}\n\n")).collect();
    let new = old.replace("agreed", "decided");
    let (a, b) = (env.file("a.txt", &old), env.file("b.txt", &new));
    for args in
        [&["--color", "always"][..], &["--side-by-side"][..], &["--format", "html"][..], &["--format", "critic"][..]]
    {
        let mut child = std::process::Command::new(crate::common::bin())
            .args(["compare"])
            .arg(&a)
            .arg(&b)
            .args(args)
            .env_remove("PAGER")
            .env_remove("REDLINE_PAGER")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut first = [0u8; 64];
        child.stdout.as_mut().unwrap().read_exact(&mut first).expect("some output");
        drop(child.stdout.take()); // `| head -c 64`
        let out = child.wait_with_output().expect("wait");
        assert_eq!(out.status.code(), Some(0), "{args:?}: exit {:?}", out.status);
        assert!(out.stderr.is_empty(), "{args:?}: stderr: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn identical_files_render_in_every_format() {
    let (chain, old, _) = PAIRS[0];
    for args in [
        &["--color", "debug"][..],
        &["--side-by-side"][..],
        &["--stat"][..],
        &["--format", "critic"][..],
        &["--format", "html"][..],
    ] {
        let out = compare(chain, old, old, args);
        assert!(out.contains("no differences"), "{args:?}:\n{out}");
    }
}

#[test]
fn export_writes_an_index_and_linked_diff_pages() {
    let env = Env::new();
    for (n, date) in
        [("0001", "2020-09-14T10:00:00Z"), ("0002", "2020-09-15T10:00:00Z"), ("0003", "2020-09-16T10:00:00Z")]
    {
        let path = crate::common::fixture(&format!("belarus/{n}.txt"));
        let mut c = env.cmd();
        c.args(["commit", "belarus"]).arg(&path).args(["--date", date]);
        stdout_of(&mut c);
    }
    let site = env.dir.path().join("site");
    let out = env.cmd().args(["export", "belarus"]).arg(&site).output().expect("run export");
    assert!(out.status.success(), "export failed: {}", String::from_utf8_lossy(&out.stderr));
    let read = |f: &str| std::fs::read_to_string(site.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));

    let index = read("index.html");
    assert_eq!(index.matches("<tr><td class=\"num\">").count(), 3, "one row per revision");
    assert!(index.contains("<a href=\"diff-0001-0002.html\">2</a>"));
    assert!(index.contains("<a href=\"diff-0002-0003.html\">3</a>"));
    assert!(index.contains("2020-09-15T10:00:00Z"));
    assert!(index.contains("<span class=\"mark\">title changed</span>"), "log's marks appear");

    let first = read("diff-0001-0002.html");
    let second = read("diff-0002-0003.html");
    for page in [&first, &second] {
        assert!(page.contains("<a rel=\"index\" href=\"index.html\">"), "links to the index");
        assert!(page.contains("<del data-op=") || page.contains("<ins data-op="), "has a diff");
        assert!(!page.contains("<script"));
    }
    assert!(first.contains("<a rel=\"next\" href=\"diff-0002-0003.html\">"));
    assert!(!first.contains("rel=\"prev\""));
    assert!(second.contains("<a rel=\"prev\" href=\"diff-0001-0002.html\">"));
    assert!(!second.contains("rel=\"next\""));
    assert!(second.contains("belarus@2") && second.contains("belarus@3"));
    // Snapshot the index with commit ids masked (they depend on the time
    // the test ran at, through the commit signature).
    let masked: String = index
        .split("<code>")
        .enumerate()
        .map(|(i, p)| if i == 0 { p.to_string() } else { format!("<code>ID{}", &p[p.find("</code>").unwrap_or(0)..]) })
        .collect();
    assert_snapshot("export_index__belarus", &strip_css(masked), "strip_css(masked)");
}

#[test]
fn export_of_an_unknown_article_fails_cleanly() {
    let env = Env::new();
    let mut c = env.cmd();
    c.args(["commit", "a"]).arg(crate::common::fixture("belarus/0001.txt"));
    stdout_of(&mut c);
    let out = env.cmd().args(["export", "nope"]).arg(env.dir.path().join("s")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no article named"));
}
