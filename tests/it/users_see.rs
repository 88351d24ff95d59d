//! Issue 11, "Users see": one test per bullet, each of which failed before
//! the CLI got one command context, typed exit codes and truthful help.

use crate::common::{bin, fixture, redline, stdout_of, Env};
use std::io::Read;
use std::path::Path;
use std::process::Stdio;

/// `cmd` with its stdout a pipe whose reader is already gone, as in
/// `redline CMD | true`: returns (exit code, stderr).
fn into_closed_pipe(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    let mut c = std::process::Command::new(bin());
    c.arg("--store").arg(env.store()).args(args).env("TZ", "UTC").env_remove("PAGER").env_remove("REDLINE_STORE");
    let mut child = c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (child.wait().unwrap().code(), err)
}

fn belarus(env: &Env) {
    for v in 1..=3 {
        stdout_of(
            env.cmd()
                .args(["commit", "belarus", "--date", &format!("2020-09-1{v}T12:00:00Z")])
                .arg(fixture(&format!("belarus/000{v}.txt"))),
        );
    }
}

#[test]
fn closed_pipe_is_quiet_and_exits_0_for_every_command() {
    let env = Env::new();
    belarus(&env);
    let f1 = fixture("belarus/0001.txt");
    let f2 = fixture("belarus/0002.txt");
    let (f1, f2) = (f1.to_str().unwrap(), f2.to_str().unwrap());
    let site = env.dir.path().join("site");
    let fixtures = fixture("council-budget");
    let commands: Vec<Vec<&str>> = vec![
        vec!["commit", "belarus", f2],
        vec!["log", "belarus"],
        vec!["log", "belarus", "--json"],
        vec!["show", "belarus"],
        vec!["show", "belarus", "1", "--meta"],
        vec!["list"],
        vec!["list", "--json"],
        vec!["diff", "belarus", "1", "2"],
        vec!["diff", "belarus", "1", "2", "--format", "json"],
        vec!["compare", f1, f2, "--side-by-side"],
        vec!["compare", f1, f2, "--format", "html"],
        vec!["info"],
        vec!["info", "--json"],
        vec!["import", fixtures.to_str().unwrap()],
        vec!["gc"],
        vec!["fsck"],
        vec!["export", "belarus", site.to_str().unwrap()],
        vec!["completions", "bash"],
        vec!["man"],
        vec!["--help"],
        vec!["watch", "list"],
    ];
    for args in &commands {
        for _ in 0..20 {
            let (code, err) = into_closed_pipe(&env, args);
            assert_eq!(code, Some(0), "redline {args:?} | true: {err}");
            assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "redline {args:?} | true: {err}");
        }
    }
}

/// The lines of README's install block, minus `cargo install`.
fn readme_install_lines() -> Vec<String> {
    let readme = include_str!("../../README.md");
    let block = readme.split("## Install").nth(1).unwrap().split("```sh").nth(1).unwrap().split("```").next().unwrap();
    block
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("cargo install"))
        .map(String::from)
        .collect()
}

#[test]
fn readme_install_lines_work_on_a_fresh_home() {
    let env = Env::new();
    let home = env.dir.path().join("home");
    let bindir = env.dir.path().join("bin");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&bindir).unwrap();
    std::os::unix::fs::symlink(bin(), bindir.join("redline")).unwrap();
    let script = readme_install_lines().join("\n");
    let path = format!("{}:{}", bindir.display(), std::env::var("PATH").unwrap_or_default());
    let out = std::process::Command::new("sh")
        .args(["-ec", &script])
        .env("HOME", &home)
        .env("PATH", path)
        .env_remove("XDG_DATA_HOME")
        .output()
        .unwrap();
    assert!(out.status.success(), "{script}\n{}", String::from_utf8_lossy(&out.stderr));
    let completions = home.join(".local/share/bash-completion/completions/redline");
    assert!(std::fs::read_to_string(completions).unwrap().contains("redline"));
    assert!(home.join(".local/share/man/man1/redline.1").exists());
    assert!(home.join(".local/share/man/man1/redline-commit.1").exists());
}

#[test]
fn readme_timings_are_measured_from_a_fresh_clone_with_the_ci_test_command() {
    let readme = include_str!("../../README.md");
    let ci = include_str!("../../.ci/run");
    let first_block = readme.split("```sh").nth(1).unwrap().split("```").next().unwrap();
    let test_cmd = first_block.lines().rfind(|l| l.starts_with("cargo test")).expect("README's second command");
    assert!(ci.contains(&format!("{} --locked", test_cmd.trim())), "CI must run README's command {test_cmd:?}");
    assert!(readme.contains("from a fresh clone") && readme.contains("2-core"), "README must say how it timed");
    assert!(!readme.contains("about 4–5 minutes"), "the old unmeasured figure");
}

#[test]
fn man_pages_it_names_all_exist() {
    let env = Env::new();
    let dir = env.dir.path().join("man1");
    std::fs::create_dir_all(&dir).unwrap();
    stdout_of(redline().args(["man", "--dir"]).arg(&dir));
    let mut pages = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        pages += 1;
        for (i, m) in text.match_indices("redline\\-") {
            let at = i + m.len();
            let name: String =
                text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '\\' || *c == '-').collect();
            if text[at + name.len()..].starts_with("(1)") {
                let file = format!("redline-{}.1", name.replace("\\-", "-"));
                assert!(dir.join(&file).exists(), "a page names {file}, which was not written");
            }
        }
    }
    assert!(pages > 10, "one page per command: {pages}");
    let main_page = stdout_of(redline().arg("man"));
    assert!(!main_page.contains("(1)"), "the printed page must not name pages it does not write");
    assert!(main_page.contains("redline commit"), "it still lists the commands");
}

#[test]
fn usage_lines_and_help_mention_only_what_applies() {
    let env = Env::new();
    let a = env.file("a.txt", "a\n");
    let out = redline().env("REDLINE_STORE", env.store()).arg("compare").arg(&a).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("Usage: redline compare") && !err.contains("--store"), "{err}");
    let out = env.cmd().args(["diff", "x", "--colour", "never"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("Usage: redline diff --color"), "a typo must not show --color as required: {err}");
    assert!(err.contains("--color"), "but it suggests it: {err}");
    for cmd in ["man", "completions"] {
        let help = stdout_of(redline().args([cmd, "--help"]));
        assert!(!help.contains("--store"), "{cmd} --help: {help}");
    }
    // `compare` reads a store only for a NAME@REV side, and says so.
    let help = stdout_of(redline().args(["compare", "--help"]));
    assert!(help.contains("--store") && help.contains("NAME@REV for a stored revision"), "{help}");
    for cmd in ["man", "completions", "info", "gc"] {
        let help = stdout_of(redline().args([cmd, "--help"]));
        assert!(!help.contains("--color") && !help.contains("--no-pager"), "{cmd} --help: {help}");
    }
    assert!(stdout_of(redline().args(["log", "--help"])).contains("--store"));
}

#[test]
fn unknown_articles_get_did_you_mean_and_groups_are_listed() {
    let env = Env::new();
    let f = env.file("t.txt", "Text.\n");
    for name in ["bridge", "council/city", "council/budget"] {
        stdout_of(env.cmd().args(["commit", name]).arg(&f));
    }
    let out = env.cmd().args(["diff", "brigde"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean bridge?"));
    let out = env.cmd().args(["log", "council"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("council/budget, council/city"), "{err}");
    let listed = stdout_of(env.cmd().args(["list", "council"]));
    assert!(listed.contains("council/city") && listed.contains("council/budget") && !listed.contains("bridge"));
    assert_eq!(env.cmd().args(["list", "nope"]).output().unwrap().status.code(), Some(2));
}

#[test]
fn url_carries_forward_and_notes_show_in_log_and_export() {
    let env = Env::new();
    for i in 1..=5 {
        let f = env.file("t.txt", format!("Version {i}.\n"));
        let mut c = env.cmd();
        c.args(["commit", "a"]).arg(&f);
        if i == 1 {
            c.args(["--url", "https://example.com/a"]);
        }
        if i == 3 {
            c.args(["-m", "fixed the headline"]);
        }
        stdout_of(&mut c);
    }
    let log: serde_json::Value = serde_json::from_str(&stdout_of(env.cmd().args(["log", "a", "--json"]))).unwrap();
    for r in log.as_array().unwrap() {
        assert_eq!(r["url"], "https://example.com/a", "revision {}", r["revision"]);
    }
    let text = stdout_of(env.cmd().args(["log", "a"]));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[2].ends_with("[note]") && !lines[1].contains("[note]"), "{text}");
    let site = env.dir.path().join("site");
    stdout_of(env.cmd().args(["export", "a"]).arg(&site));
    assert!(std::fs::read_to_string(site.join("index.html")).unwrap().contains("fixed the headline"));
}

#[test]
fn side_by_side_fits_the_width_summary_included() {
    let out = stdout_of(
        redline()
            .args(["compare", "--side-by-side", "--width", "100", "--color", "never"])
            .args([fixture("belarus/0001.txt"), fixture("belarus/0002.txt")]),
    );
    for line in out.lines() {
        assert!(line.chars().count() <= 100, "{} columns: {line}", line.chars().count());
    }
    assert!(out.contains("Substitutions:"));
}

#[test]
fn colour_mode_never_lets_removed_and_added_words_touch() {
    let out = stdout_of(
        redline()
            .args(["compare", "--color", "always"])
            .args([fixture("belarus/0001.txt"), fixture("belarus/0002.txt")]),
    );
    // A removed run (struck through) ends with a reset; an added run
    // (underlined) must not start right after it.
    let removed_then_added = out.split("\x1b[9;31m").skip(1).filter(|rest| {
        let end = rest.find("\x1b[0m").unwrap_or(rest.len());
        rest[end..].strip_prefix("\x1b[0m").is_some_and(|after| after.starts_with("\x1b[4;32m"))
    });
    assert_eq!(removed_then_added.count(), 0, "{out}");
    assert!(out.contains("\x1b[0m \x1b[4;32m"), "a space separates them");
}

#[test]
fn html_report_never_shows_command_line_flags() {
    let args = [fixture("quotes-typography/0001.txt"), fixture("quotes-typography/0002.txt")];
    let html = stdout_of(redline().args(["compare", "--format", "html"]).args(&args));
    assert!(html.contains("Only typography changed"), "the note is still there");
    assert!(!html.contains("--strict"), "no CLI advice for readers");
    let terminal = stdout_of(redline().args(["compare", "--color", "never"]).args(&args));
    assert!(terminal.contains("--strict counts them"), "the terminal keeps the advice");
}

fn has_raw(s: &[u8], chars: &[char]) -> bool {
    let s = String::from_utf8_lossy(s);
    s.chars().any(|c| chars.contains(&c))
}

#[test]
fn metadata_hints_and_headers_are_sanitised() {
    let env = Env::new();
    let evil = "Title \u{85} C1 \u{9b}31m DEL \u{7f} bidi \u{202e}desrever";
    let f = env.file("a.txt", "One.\n");
    stdout_of(env.cmd().args(["commit", "x", "--title", evil]).arg(&f));
    let raw = ['\u{85}', '\u{9b}', '\u{7f}', '\u{202e}', '\x1b', '\x07'];
    let meta = env.cmd().args(["show", "x", "--meta"]).output().unwrap();
    assert!(!has_raw(&meta.stdout, &raw), "show --meta: {:?}", String::from_utf8_lossy(&meta.stdout));
    let meta: serde_json::Value = serde_json::from_slice(&meta.stdout).unwrap();
    assert_eq!(meta["title"], evil, "the same data, escaped");
    for args in [&["log", "x"][..], &["log", "x", "--json"], &["list", "--json"]] {
        let out = env.cmd().args(args).output().unwrap();
        assert!(!has_raw(&out.stdout, &raw), "{args:?}: {:?}", String::from_utf8_lossy(&out.stdout));
    }
    // A title with a line break cannot forge a header row.
    let g = env.file("b.txt", "Two.\n");
    stdout_of(env.cmd().args(["commit", "x", "--title", "Real\n+++ forged@9  r9"]).arg(&g));
    let d = stdout_of(env.cmd().args(["diff", "x", "--color", "never"]));
    let header_rows = d.lines().filter(|l| l.starts_with("+++") || l.starts_with("---")).count();
    assert_eq!(header_rows, 2, "{d}");
    // Hints: a store path holding ESC and BEL, in the stale-lock hint.
    let store = env.dir.path().join("st\x1b[31more\x07");
    let mut c = redline();
    stdout_of(c.arg("--store").arg(&store).args(["commit", "y"]).arg(&f));
    let lock = store.join("refs/articles/y.lock");
    let file = std::fs::File::create(&lock).unwrap();
    file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(3600)).unwrap();
    let out = redline()
        .arg("--store")
        .arg(&store)
        .env("REDLINE_LOCK_TIMEOUT_MS", "100")
        .args(["commit", "y"])
        .arg(&g)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("hint: if no redline is running"));
    assert!(!has_raw(&out.stderr, &raw), "{:?}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_pager_that_fails_does_not_eat_the_output() {
    let env = Env::new();
    belarus(&env);
    let cmd = format!("{} --store {} diff belarus 1 2 --color never", bin().display(), env.store().display());
    let run = std::process::Command::new("script").args(["-qec", &cmd, "/dev/null"]).env("PAGER", "false").output();
    let Ok(out) = run else {
        eprintln!("note: no `script` to give redline a terminal; pager fallback not checked");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Summary:"), "the diff was printed directly: {text}");
    assert!(text.contains("the pager \"false\" failed"), "with a note: {text}");
}

#[test]
fn export_write_failure_is_an_output_error_not_a_usage_error() {
    let env = Env::new();
    belarus(&env);
    let blocker = env.file("blocker", "a file, not a folder");
    let out = env.cmd().args(["export", "belarus"]).arg(Path::new(&blocker).join("site")).output().unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", String::from_utf8_lossy(&out.stderr));
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    if full.is_ok() {
        let out = std::process::Command::new(bin())
            .args(["compare", "--format", "json"])
            .args([fixture("belarus/0001.txt"), fixture("belarus/0002.txt")])
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(6), "{}", String::from_utf8_lossy(&out.stderr));
    }
}
