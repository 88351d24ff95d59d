//! Hostile and odd input (issue 6): one table of cases. For each, redline
//! gives the right result, or a clear message and a non-zero exit; never a
//! panic; and after a refusal the store is byte-for-byte unchanged.
//!
//! Every case runs against its own real store holding an article `base`
//! with two revisions. All cases run even when one fails; the failures are
//! listed together at the end.

use crate::common::Env;
use crate::concurrency::git_fsck_ok;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

// ---------------------------------------------------------------------------
// Helpers

/// Every file of the store with its bytes: refs, packed-refs, objects, config.
pub(crate) fn snapshot(store: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(store, store, &mut out);
    out
}

fn run(env: &Env, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut c = env.cmd();
    c.args(args);
    if let Some(s) = stdin {
        c.write_stdin(s.to_vec());
    }
    let out = c.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    out
}

/// The command succeeds; returns stdout.
fn ok(env: &Env, args: &[&str], stdin: Option<&[u8]>) -> Vec<u8> {
    let out = run(env, args, stdin);
    assert!(
        out.status.success(),
        "{args:?} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The command is refused with `code`, its message contains every needle,
/// says what to do next (a hint), holds no raw control characters, and the
/// store is unchanged.
fn refused(env: &Env, args: &[&str], stdin: Option<&[u8]>, code: i32, needles: &[&str]) -> String {
    let before = snapshot(&env.store());
    let out = run(env, args, stdin);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: message lacks {n:?}: {err}");
    }
    assert!(err.contains("hint:") || err.contains("Usage") || err.contains("usage"), "{args:?}: no hint: {err}");
    assert!(!err.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{args:?}: raw control char in {err:?}");
    assert!(snapshot(&env.store()) == before, "{args:?}: the store changed after a refusal");
    err
}

fn file(env: &Env, name: &str, bytes: impl AsRef<[u8]>) -> String {
    env.file(name, bytes).display().to_string()
}

/// Commit `bytes` as article `name` and check `show` gives them back exactly.
fn round_trip(env: &Env, name: &str, bytes: &[u8]) {
    round_trip_with(env, name, bytes, &[]);
}

fn round_trip_with(env: &Env, name: &str, bytes: &[u8], flags: &[&str]) {
    let f = file(env, &format!("{}.in", name.replace('/', "_")), bytes);
    let mut args = vec!["commit", name, &f];
    args.extend(flags);
    ok(env, &args, None);
    assert_eq!(ok(env, &["show", name], None), bytes, "{name}: show must return the exact bytes");
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).expect("valid JSON")
}

/// Every way a diff can be printed, plus log, list and show --meta.
fn all_outputs(env: &Env, name: &str) -> Vec<(String, Vec<u8>)> {
    let mut outs = vec![];
    for format in ["terminal", "json", "critic", "html"] {
        for layout in [None, Some("--side-by-side"), Some("--stat")] {
            for color in ["never", "always", "debug"] {
                let mut args = vec!["--color", color, "diff", name, "--format", format];
                args.extend(layout);
                outs.push((args.join(" "), ok(env, &args, None)));
            }
        }
    }
    for args in [vec!["log", name], vec!["log", name, "--json"], vec!["list"], vec!["list", "--json"]] {
        outs.push((args.join(" "), ok(env, &args, None)));
    }
    let site = env.dir.path().join(format!("site-{}", name.replace('/', "_")));
    ok(env, &["export", name, site.to_str().unwrap()], None);
    for e in std::fs::read_dir(&site).unwrap().flatten() {
        outs.push((e.path().display().to_string(), std::fs::read(e.path()).unwrap()));
    }
    outs
}

/// No ESC except colour (SGR) sequences, and no C1 controls or other C0
/// controls (tab, newline and the CR of CRLF input aside).
fn assert_no_raw_controls(label: &str, out: &[u8]) {
    let s = String::from_utf8_lossy(out);
    for (i, c) in s.char_indices() {
        if c == '\x1b' {
            let rest = &s[i + 1..];
            let sgr = rest.starts_with('[')
                && rest[1..]
                    .find('m')
                    .is_some_and(|end| rest[1..1 + end].bytes().all(|b| b.is_ascii_digit() || b == b';'));
            assert!(sgr, "{label}: raw ESC that is not a colour code at byte {i}: {:?}", &s[i..(i + 12).min(s.len())]);
        } else {
            let u = c as u32;
            let bad = (u < 0x20 && !matches!(c, '\n' | '\t' | '\r')) || u == 0x7f || (0x80..=0x9f).contains(&u);
            assert!(!bad, "{label}: raw control U+{u:04X} at byte {i}");
        }
    }
}

/// A store with article `base` at two revisions.
fn base(env: &Env) {
    let a = file(env, "base1.txt", "Base headline\n\nThe mayor said the budget would pass.\n");
    let b = file(env, "base2.txt", "Base headline\n\nThe mayor said the budget would pass on Friday.\n");
    ok(env, &["commit", "base", &a, "--date", "2020-01-01"], None);
    ok(env, &["commit", "base", &b, "--date", "2020-01-02"], None);
}

/// Mount a tmpfs (root only, where mounting works); unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, opts: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).ok()?;
        let st =
            std::process::Command::new("mount").args(["-t", "tmpfs", "-o", opts, "tmpfs"]).arg(at).output().ok()?;
        st.status.success().then(|| Tmpfs(at.to_path_buf()))
    }
    fn remount(&self, opts: &str) -> bool {
        std::process::Command::new("mount")
            .args(["-o", &format!("remount,{opts}")])
            .arg(&self.0)
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let t = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

/// A loose object of the store, for corruption cases: the blob of `base`'s
/// latest text.
fn loose_text_blob(env: &Env) -> PathBuf {
    let repo = git2::Repository::open_bare(env.store()).unwrap();
    let tip = repo.refname_to_id("refs/articles/base").unwrap();
    let id = repo.find_commit(tip).unwrap().tree().unwrap().get_name("article.txt").unwrap().id().to_string();
    env.store().join("objects").join(&id[..2]).join(&id[2..])
}

fn make_writable(p: &Path) {
    let mut perm = std::fs::metadata(p).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    std::fs::set_permissions(p, perm).unwrap();
}

// ---------------------------------------------------------------------------
// The cases

type Case = (&'static str, fn(&Env));

const CASES: &[Case] = &[
    // Empty or unusual text: stored exactly, byte for byte.
    ("empty file", |e| {
        let f = file(e, "empty.txt", b"");
        refused(e, &["commit", "empty", &f], None, 2, &["empty", "--allow-empty"]);
        round_trip_with(e, "empty", b"", &["--allow-empty"]);
        assert!(String::from_utf8(ok(e, &["log", "empty"], None)).unwrap().contains("0 words"));
    }),
    ("whitespace only", |e| {
        refused(e, &["commit", "ws", "-"], Some(b"  \n\t\n \n"), 2, &["only whitespace", "--allow-empty"]);
        round_trip_with(e, "ws", b"  \n\t\n \n", &["--allow-empty"]);
    }),
    ("no final newline", |e| {
        round_trip(e, "nonl", b"Headline\n\nLast line without newline");
        let f = file(e, "nonl2", "Headline\n\nLast line without newline, edited");
        ok(e, &["commit", "nonl", &f], None);
        let d = String::from_utf8(ok(e, &["diff", "nonl", "--color", "never"], None)).unwrap();
        assert!(d.contains("{+,+}") || d.contains("edited"), "{d}");
    }),
    ("CRLF line endings", |e| {
        round_trip(e, "crlf", b"Title\n\nOne line.\nTwo line.\n");
        round_trip(e, "crlf", b"Title\r\n\r\nOne line.\r\nTwo line.\r\n");
        assert_eq!(json(&ok(e, &["log", "crlf", "--json"], None)).as_array().unwrap().len(), 2);
        ok(e, &["diff", "crlf", "--format", "json"], None);
    }),
    ("lone CR line endings", |e| {
        round_trip(e, "cr", b"Title\r\rOld Mac text.\rMore.\r");
        let d = ok(
            e,
            &[
                "compare",
                "--color",
                "never",
                e.file("c1", "a\rb\r").to_str().unwrap(),
                e.file("c2", "a\rc\r").to_str().unwrap(),
            ],
            None,
        );
        assert!(!d.is_empty());
    }),
    ("UTF-8 byte order mark", |e| {
        round_trip(e, "bom", b"\xef\xbb\xbfBOM headline\n\nBody.\n");
        let meta = json(&ok(e, &["show", "bom", "--meta"], None));
        assert_eq!(meta["title"], "BOM headline", "the BOM is kept in the text but not put in the title");
    }),
    // Bad bytes.
    ("invalid UTF-8 in a file", |e| {
        let f = file(e, "bad.txt", b"Hello \xff\xfe world");
        refused(e, &["commit", "base", &f], None, 2, &["not valid UTF-8", "offset 6", "bad.txt"]);
    }),
    ("invalid UTF-8 on stdin", |e| {
        refused(e, &["commit", "base", "-"], Some(b"ok text \xc3\x28"), 2, &["<stdin>", "offset 8"]);
    }),
    ("truncated UTF-8 sequence at the end", |e| {
        refused(e, &["commit", "base", "-"], Some(b"euro \xe2\x82"), 2, &["offset 5"]);
    }),
    ("NUL byte", |e| {
        let f = file(e, "nul.txt", b"text\0more");
        refused(e, &["commit", "base", &f], None, 2, &["binary", "offset 4"]);
    }),
    ("binary data (PNG header)", |e| {
        let f = file(e, "img.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
        refused(e, &["commit", "base", &f], None, 2, &["binary"]);
    }),
    ("file over --max-bytes", |e| {
        let f = file(e, "big.txt", "a".repeat(1001));
        refused(e, &["commit", "base", &f, "--max-bytes", "1000"], None, 2, &["limit of 1000 bytes", "--max-bytes"]);
        let g = file(e, "fits.txt", "b".repeat(1000));
        ok(e, &["commit", "fits", &g, "--max-bytes", "1000"], None);
    }),
    ("stdin over --max-bytes", |e| {
        refused(e, &["commit", "base", "-", "--max-bytes", "100"], Some(&[b'x'; 101]), 2, &["--max-bytes"]);
    }),
    ("100 MB file against the default limit", |e| {
        // Sparse, so creating it is instant; the size check comes first.
        let p = e.dir.path().join("huge.txt");
        std::fs::File::create(&p).unwrap().set_len(100 * 1024 * 1024).unwrap();
        refused(e, &["commit", "base", p.to_str().unwrap()], None, 2, &["67108864", "--max-bytes"]);
        refused(e, &["compare", p.to_str().unwrap(), p.to_str().unwrap()], None, 2, &["--max-bytes"]);
    }),
    ("import record over --max-bytes", |e| {
        let line = serde_json::json!({"name": "base", "text": "z".repeat(600)}).to_string();
        let f = file(e, "big.jsonl", format!("{line}\n"));
        refused(e, &["import", &f, "--max-bytes", "500", "--quiet"], None, 2, &["--max-bytes", "big.jsonl:1"]);
    }),
    ("import with invalid JSON and invalid UTF-8", |e| {
        let f = file(e, "bad.jsonl", b"{\"name\": \"x\", \"text\": \"ok\"}\n{not json\n");
        let err = run(e, &["import", &f, "--quiet"], None);
        assert_eq!(err.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&err.stderr).contains("bad.jsonl:2"));
        let g = file(e, "bad2.jsonl", b"{\"name\": \"y\", \"text\": \"\xff\"}\n");
        refused(e, &["import", &g, "--quiet"], None, 2, &["bad2.jsonl:1"]);
    }),
    // Hard Unicode.
    ("NFC versus NFD", |e| {
        round_trip(e, "nf", "Caf\u{e9} cr\u{e8}me, \u{1e9b}\u{323}.\n".as_bytes());
        let out = ok(e, &["commit", "nf", "-"], Some("Cafe\u{301} cre\u{300}me, \u{17f}\u{323}\u{307}.\n".as_bytes()));
        assert!(
            String::from_utf8_lossy(&out).contains("revision 2"),
            "NFD is different bytes: stored, not 'unchanged'"
        );
        assert_ne!(ok(e, &["show", "nf", "1"], None), ok(e, &["show", "nf", "2"], None));
        ok(e, &["diff", "nf", "--format", "json"], None);
    }),
    ("right-to-left text", |e| {
        round_trip(e, "rtl", "שלום עולם. זה מאמר.\n\nمرحبا بالعالم. هذا مقال.\n".as_bytes());
        round_trip(e, "rtl", "שלום עולם. זה מאמר חדש.\n\nمرحبا بالعالم. هذا مقال.\n\u{202e}evil\u{202c}\n".as_bytes());
        let d = json(&ok(e, &["diff", "rtl", "--format", "json"], None));
        assert!(d["stats"]["words_added"].as_u64().unwrap() >= 1);
    }),
    ("zero-width characters", |e| {
        let a = file(e, "zw1", "pass\u{200b}word and co\u{200d}operate\u{feff}.\n");
        let b = file(e, "zw2", "password and cooperate.\n");
        let out = run(e, &["compare", &a, &b, "--exit-code"], None);
        assert_eq!(out.status.code(), Some(1), "invisible characters are still a difference");
        round_trip(e, "zw", "pass\u{200b}word\n".as_bytes());
    }),
    ("emoji and astral-plane characters", |e| {
        let t = "Family 👩‍👩‍👧‍👦 flag 🇺🇦 math 𝔘𝔫𝔦 skin 👍🏽.\n";
        round_trip(e, "emoji", t.as_bytes());
        round_trip(e, "emoji", "Family 👩‍👩‍👧 flag 🇺🇸 math 𝔘𝔫𝔦 skin 👍🏿.\n".as_bytes());
        let d = json(&ok(e, &["diff", "emoji", "--format", "json"], None));
        let rebuilt: String = d["ops"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["op"] != "insert")
            .map(|o| o["text"].as_str().unwrap())
            .collect();
        assert_eq!(rebuilt, t);
    }),
    ("a single 1 MB line without spaces", |e| {
        let mut line = "x".repeat(1 << 20);
        round_trip(e, "wide", line.as_bytes());
        line.replace_range(500_000..500_001, "Y");
        round_trip(e, "wide", line.as_bytes());
        let d = json(&ok(e, &["diff", "wide", "--format", "json", "--stat"], None));
        assert!(d["stats"].is_object());
    }),
    // Names.
    ("name with ..", |e| {
        refused(e, &["commit", "a/../../etc", "-"], Some(b"x"), 2, &["invalid article name", ".."]);
    }),
    ("name with a leading /", |e| {
        refused(e, &["commit", "/etc/passwd", "-"], Some(b"x"), 2, &["starts with '/'"]);
    }),
    ("name with a leading -", |e| {
        refused(e, &["commit", "--", "-rf", "-"], Some(b"x"), 2, &["starts with '/' or '-'"]);
    }),
    ("name with control characters", |e| {
        refused(e, &["commit", "a\x1b[2Jb", "-"], Some(b"x"), 2, &["control character", "U+001B"]);
        refused(e, &["commit", "a\nb", "-"], Some(b"x"), 2, &["control character"]);
    }),
    ("name with spaces", |e| {
        refused(e, &["commit", "my article", "-"], Some(b"x"), 2, &["space"]);
    }),
    ("name component ending in .lock", |e| {
        refused(e, &["commit", "news/x.lock/y", "-"], Some(b"x"), 2, &[".lock"]);
        refused(e, &["log", "base.lock"], None, 2, &[".lock"]);
    }),
    ("name 10 KB long", |e| {
        let long = "n".repeat(10 * 1024);
        let err = refused(e, &["commit", &long, "-"], Some(b"x"), 2, &["10240 bytes", "limit is 200"]);
        assert!(err.len() < 2000, "the message does not echo 10 KB: {} bytes", err.len());
    }),
    ("name with non-ASCII letters", |e| {
        refused(e, &["commit", "caf\u{e9}", "-"], Some(b"x"), 2, &["ASCII"]);
    }),
    // Revisions.
    ("revision latest~999", |e| {
        refused(e, &["show", "base", "latest~999"], None, 2, &["before the first revision", "2 revisions"]);
        refused(e, &["diff", "base", "latest~999"], None, 2, &["latest~999"]);
    }),
    ("revision 0, too short, not hex, too big", |e| {
        refused(e, &["show", "base", "0"], None, 2, &["start at 1"]);
        refused(e, &["show", "base", "abc"], None, 2, &["at least 4"]);
        refused(e, &["show", "base", "zzzz"], None, 2, &["not a revision"]);
        refused(e, &["show", "base", "99999999999999999999"], None, 2, &["has no revision"]);
        refused(e, &["show", "nosuch"], None, 2, &["no article named"]);
    }),
    ("ambiguous commit-id prefix", ambiguous_prefix),
    // Text that attacks the reader.
    ("terminal escape sequences in the text", |e| {
        let evil1 = "Title \x1b]0;pwned\x07 here\n\nBody \x1b[2J\x1b[H text \x1bP+q\x1b\\ and \u{9b}31m C1.\n";
        let evil2 = "Title \x1b]0;owned\x07 \u{9b}2J here\n\nBody \x1b[2J\x1b[H text, changed \u{9b}32m C1 \x7f.\n";
        round_trip(e, "evil", evil1.as_bytes());
        round_trip(e, "evil", evil2.as_bytes());
        for (label, out) in all_outputs(e, "evil") {
            assert_no_raw_controls(&label, &out);
        }
    }),
    ("show on a terminal escapes control characters", |e| {
        round_trip(e, "tty", b"Title \x1b]0;pwned\x07 here \x1b[2J\n"); // piped: exact bytes
        let bin = crate::common::bin();
        let cmd = format!("{} --store {} show tty", bin.display(), e.store().display());
        match std::process::Command::new("script").args(["-qc", &cmd, "/dev/null"]).output() {
            Ok(out) if out.status.success() => {
                assert!(!out.stdout.contains(&0x1b), "raw ESC on a terminal: {:?}", out.stdout);
                assert!(String::from_utf8_lossy(&out.stdout).contains("\\x1b]0;pwned"));
            }
            _ => eprintln!("note: no `script` to give show a terminal; only the piped case was checked"),
        }
    }),
    ("<script> stays inert in HTML", |e| {
        round_trip(e, "xss", b"Title <script>alert(1)</script>\n\nBody <img src=x onerror=alert(1)> text.\n");
        round_trip(e, "xss", b"Title <script>alert(2)</script>\n\nBody <img src=x onerror=alert(2)> text </textarea><script>x()</script>.\n");
        for (label, out) in all_outputs(e, "xss") {
            if label.contains("html") {
                let s = String::from_utf8_lossy(&out);
                assert!(!s.contains("<script>alert") && !s.contains("<script>x()"), "{label}: live script");
                assert!(!s.contains("<img src=x"), "{label}: live tag");
                assert!(s.contains("&lt;script&gt;"), "{label}: the text is shown, escaped");
            }
        }
    }),
    // Store trouble.
    ("store path is a file", |e| {
        std::fs::remove_dir_all(e.store()).unwrap();
        std::fs::write(e.store(), "not a store").unwrap();
        for args in [&["list"][..], &["log", "base"], &["commit", "x", "-"], &["fsck"], &["gc"]] {
            let out = run(e, args, Some(b"text"));
            assert_eq!(out.status.code(), Some(4), "{args:?}");
            assert!(String::from_utf8_lossy(&out.stderr).contains("is a file"), "{args:?}");
        }
        assert_eq!(std::fs::read(e.store()).unwrap(), b"not a store");
    }),
    ("store path is some other directory", |e| {
        std::fs::remove_dir_all(e.store()).unwrap();
        e.file("store/notes.txt", "mine");
        refused(e, &["commit", "x", "-"], Some(b"text"), 4, &["not a git repository"]);
        refused(e, &["fsck"], None, 4, &["not a git repository"]);
    }),
    ("read-only store", read_only_store),
    ("full disk", full_disk),
    ("corrupted object (bad zlib)", |e| {
        let obj = loose_text_blob(e);
        make_writable(&obj);
        std::fs::write(&obj, b"definitely not zlib").unwrap();
        corrupted_checks(e, &obj);
    }),
    ("corrupted object (valid zlib, wrong content)", |e| {
        let obj = loose_text_blob(e);
        let raw = std::fs::read(&obj).unwrap();
        // Recompress a different blob under the same name: the hash no longer matches.
        let mut z = flate2_like_store(b"blob 5\0EVIL!");
        if z.is_empty() {
            z = raw;
            let n = z.len();
            z[n / 2] ^= 0x55;
        }
        make_writable(&obj);
        std::fs::write(&obj, z).unwrap();
        corrupted_checks(e, &obj);
    }),
    ("missing object", |e| {
        let obj = loose_text_blob(e);
        std::fs::remove_file(&obj).unwrap();
        let out = run(e, &["fsck"], None);
        assert_eq!(out.status.code(), Some(5));
        assert!(String::from_utf8_lossy(&out.stdout).contains("[object]"));
        refused(e, &["show", "base"], None, 4, &["redline fsck"]);
    }),
    ("tampered meta.json, found and repaired", tampered_meta),
    ("ref outside refs/articles", |e| {
        let repo = git2::Repository::open_bare(e.store()).unwrap();
        let tip = repo.refname_to_id("refs/articles/base").unwrap();
        repo.reference("refs/heads/sneaky", tip, false, "test").unwrap();
        let out = run(e, &["fsck", "--json"], None);
        assert_eq!(out.status.code(), Some(5));
        let r = json(&out.stdout);
        assert_eq!(r["problems"][0]["kind"], "ref-namespace");
        assert!(r["problems"][0]["message"].as_str().unwrap().contains("refs/heads/sneaky"));
        let out = run(e, &["fsck", "--repair"], None);
        assert_eq!(out.status.code(), Some(5), "repair never deletes refs");
        assert!(repo.find_reference("refs/heads/sneaky").is_ok());
    }),
    ("bad --date", |e| {
        refused(e, &["commit", "base", "-", "--date", "yesterday\x1b[2J"], Some(b"x"), 2, &["--date", "YYYY-MM-DD"]);
    }),
];

/// Zlib-compress `data` with the system git (`git hash-object -w` into a
/// scratch repo), so the test needs no compression crate. Empty when git is
/// missing.
fn flate2_like_store(data: &[u8]) -> Vec<u8> {
    let dir = crate::common::tempdir().unwrap();
    let repo = git2::Repository::init_bare(dir.path()).unwrap();
    let body = &data[data.iter().position(|&b| b == 0).unwrap() + 1..];
    let id = repo.blob(body).unwrap().to_string();
    std::fs::read(dir.path().join("objects").join(&id[..2]).join(&id[2..])).unwrap_or_default()
}

fn corrupted_checks(e: &Env, obj: &Path) {
    let id: String = format!(
        "{}{}",
        obj.parent().unwrap().file_name().unwrap().to_string_lossy(),
        obj.file_name().unwrap().to_string_lossy()
    );
    let before = snapshot(&e.store());
    let out = run(e, &["fsck"], None);
    assert_eq!(out.status.code(), Some(5), "fsck finds the damage");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains(&id), "fsck names the object: {report}");
    assert!(report.contains("restore"), "fsck says what to do: {report}");
    let out = run(e, &["fsck", "--repair"], None);
    assert_eq!(out.status.code(), Some(5), "repair does not pretend to fix lost data");
    assert!(snapshot(&e.store()) == before, "fsck --repair changed a store it could not repair");
    refused(e, &["show", "base"], None, 4, &["store problem", "redline fsck"]);
    refused(e, &["diff", "base"], None, 4, &["redline fsck"]);
    refused(e, &["commit", "base", "-"], Some(b"new text"), 4, &["redline fsck"]);
    ok(e, &["show", "base", "1"], None); // undamaged revisions stay readable
}

fn ambiguous_prefix(e: &Env) {
    // Commit ids are deterministic for fixed texts and dates; 1500 revisions
    // make a shared 4-digit prefix all but certain (birthday bound), and we
    // look for it rather than assume it.
    let mut lines = String::new();
    for i in 0..1500 {
        let rec = serde_json::json!({
            "name": "amb",
            "text": format!("Version {i}.\n"),
            "observed_at": format!("2020-01-01T{:02}:{:02}:{:02}Z", i / 3600, i / 60 % 60, i % 60),
        });
        lines.push_str(&rec.to_string());
        lines.push('\n');
    }
    let f = file(e, "amb.jsonl", lines);
    ok(e, &["import", &f, "--quiet"], None);
    let log = json(&ok(e, &["log", "amb", "--json"], None));
    let mut ids: Vec<&str> = log.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort();
    let prefix = ids
        .windows(2)
        .map(|w| w[0].bytes().zip(w[1].bytes()).take_while(|(a, b)| a == b).count().min(40))
        .zip(ids.windows(2))
        .filter(|(n, _)| *n >= 4)
        .map(|(n, w)| &w[0][..n])
        .find(|p| !p.bytes().all(|b| b.is_ascii_digit()))
        .expect("1500 revisions share a 4-digit prefix somewhere");
    let err = refused(e, &["show", "amb", prefix], None, 2, &["ambiguous", prefix]);
    assert!(err.matches("rev ").count() >= 2, "lists the candidates: {err}");
    // One more digit of either id resolves it.
    let full = ids.iter().find(|i| i.starts_with(prefix)).unwrap();
    ok(e, &["show", "amb", &full[..prefix.len() + 1]], None);
}

fn tampered_meta(e: &Env) {
    // Rewrite revision 1's meta.json with a wrong word count and hash, as
    // someone editing the store with git would, then commit on top.
    let repo = git2::Repository::open_bare(e.store()).unwrap();
    let tip = repo.refname_to_id("refs/articles/base").unwrap();
    let c2 = repo.find_commit(tip).unwrap();
    let c1 = c2.parent(0).unwrap();
    let mut meta: serde_json::Value = serde_json::from_slice(
        c1.tree().unwrap().get_name("meta.json").unwrap().to_object(&repo).unwrap().as_blob().unwrap().content(),
    )
    .unwrap();
    meta["words"] = 999.into();
    meta["sha256"] = "0".repeat(64).into();
    let blob = repo.blob(serde_json::to_string_pretty(&meta).unwrap().as_bytes()).unwrap();
    let mut tb = repo.treebuilder(Some(&c1.tree().unwrap())).unwrap();
    tb.insert("meta.json", blob, 0o100644).unwrap();
    let t1 = repo.find_tree(tb.write().unwrap()).unwrap();
    let n1 = repo.commit(None, &c1.author(), &c1.committer(), c1.message().unwrap(), &t1, &[]).unwrap();
    let n2 = repo
        .commit(
            None,
            &c2.author(),
            &c2.committer(),
            c2.message().unwrap(),
            &c2.tree().unwrap(),
            &[&repo.find_commit(n1).unwrap()],
        )
        .unwrap();
    repo.reference("refs/articles/base", n2, true, "tamper").unwrap();
    let texts_before = (ok(e, &["show", "base", "1"], None), ok(e, &["show", "base", "2"], None));

    let before = snapshot(&e.store());
    let out = run(e, &["fsck", "--json"], None);
    assert_eq!(out.status.code(), Some(5));
    let r = json(&out.stdout);
    let p = &r["problems"][0];
    assert_eq!(p["kind"], "meta-mismatch");
    assert_eq!(p["article"], "base");
    assert_eq!(p["revision"], 1);
    let msg = p["message"].as_str().unwrap();
    assert!(msg.contains("words is 999") && msg.contains("sha256"), "{msg}");
    assert!(snapshot(&e.store()) == before, "fsck without --repair changes nothing");

    let out = run(e, &["fsck", "--repair"], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("repaired base") && said.contains("refs/redline-backup/"), "{said}");
    ok(e, &["fsck"], None);
    // Texts unchanged, the old chain kept.
    assert_eq!((ok(e, &["show", "base", "1"], None), ok(e, &["show", "base", "2"], None)), texts_before);
    let backups: Vec<_> =
        repo.references_glob("refs/redline-backup/*").unwrap().flatten().map(|r| r.target().unwrap()).collect();
    assert_eq!(backups, vec![n2]);
    git_fsck_ok(&e.store());
}

fn read_only_store(e: &Env) {
    let am_root = std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if !am_root {
        // chmod is enough for an ordinary user.
        let mut dirs = vec![e.store()];
        while let Some(d) = dirs.pop() {
            for x in std::fs::read_dir(&d).unwrap().flatten() {
                if x.path().is_dir() {
                    dirs.push(x.path());
                }
            }
            let mut p = std::fs::metadata(&d).unwrap().permissions();
            p.set_readonly(true);
            std::fs::set_permissions(&d, p).unwrap();
        }
        read_only_checks(e);
        let mut dirs = vec![e.store()];
        while let Some(d) = dirs.pop() {
            make_writable(&d);
            for x in std::fs::read_dir(&d).unwrap().flatten() {
                if x.path().is_dir() {
                    dirs.push(x.path());
                }
            }
        }
        return;
    }
    // Root ignores permissions: use a read-only tmpfs instead.
    let mnt = e.dir.path().join("ro");
    let Some(fs) = Tmpfs::mount(&mnt, "size=16m") else {
        eprintln!("note: read-only store case: running as root and cannot mount a tmpfs; see docs/guarantees.md for the manual check");
        ok(e, &["log", "base"], None);
        return;
    };
    copy_dir(&e.store(), &mnt.join("store"));
    assert!(fs.remount("ro"), "remount read-only");
    let ro = Env { dir: crate::common::tempdir().unwrap() };
    let link = ro.store();
    std::os::unix::fs::symlink(mnt.join("store"), &link).unwrap();
    read_only_checks(&ro);
    drop(fs);
}

fn read_only_checks(e: &Env) {
    // Reading works; writing is refused clearly, leaving the store as it was.
    ok(e, &["log", "base"], None);
    ok(e, &["show", "base", "1"], None);
    ok(e, &["fsck"], None);
    refused(e, &["commit", "base", "-"], Some(b"A new version.\n"), 4, &["store problem", "permission"]);
    refused(e, &["commit", "newone", "-"], Some(b"A new article.\n"), 4, &["store problem"]);
    refused(e, &["gc"], None, 4, &["store problem"]);
}

fn full_disk(e: &Env) {
    let mnt = e.dir.path().join("small");
    let Some(fs) = Tmpfs::mount(&mnt, "size=1m") else {
        eprintln!("note: full-disk case: cannot mount a small tmpfs here; see docs/guarantees.md for the manual check");
        ok(e, &["log", "base"], None);
        return;
    };
    copy_dir(&e.store(), &mnt.join("store"));
    let full = Env { dir: crate::common::tempdir().unwrap() };
    std::os::unix::fs::symlink(mnt.join("store"), full.store()).unwrap();
    // Fill what is left.
    let mut filler = std::fs::File::create(mnt.join("filler")).unwrap();
    let chunk = vec![b'f'; 4096];
    while filler.write_all(&chunk).is_ok() {}
    let _ = filler.sync_all();
    let big = "Many words of a new version that will not fit. ".repeat(2000);
    let out = run(&full, &["commit", "base", "-"], Some(big.as_bytes()));
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("disk space") || err.contains("space"), "{err}");
    // Nothing half-written: the article is as it was and the store is sound.
    assert_eq!(json(&ok(&full, &["log", "base", "--json"], None)).as_array().unwrap().len(), 2);
    ok(&full, &["fsck"], None);
    git_fsck_ok(&full.store());
    // With room again, the same commit works.
    drop(filler);
    std::fs::remove_file(mnt.join("filler")).unwrap();
    ok(&full, &["commit", "base", "-"], Some(big.as_bytes()));
    ok(&full, &["fsck"], None);
    drop(full);
    drop(fs);
}

#[test]
fn hostile_and_odd_input() {
    let mut failed = vec![];
    for (name, case) in CASES {
        let env = Env::new();
        base(&env);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(&env)));
        match r {
            Ok(()) => {
                // Whatever was accepted left a sound store.
                if env.store().join("HEAD").exists()
                    && !name.contains("corrupt")
                    && !name.contains("missing")
                    && !name.contains("outside")
                {
                    let out = run(&env, &["fsck"], None);
                    if !out.status.success() {
                        failed.push(format!("{name}: fsck after the case: {}", String::from_utf8_lossy(&out.stdout)));
                    }
                }
            }
            Err(e) => {
                let msg =
                    e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
                failed.push(format!("{name}: {}", msg.unwrap_or_default()));
            }
        }
    }
    eprintln!("hostile input: {} cases, {} failed", CASES.len(), failed.len());
    assert!(CASES.len() >= 30);
    assert!(failed.is_empty(), "{} of {} cases failed:\n{}", failed.len(), CASES.len(), failed.join("\n\n"));
}
