//! The HTML report in a real browser: load `--format html` for the belarus
//! pair (and council-budget 1→2, which has moves) in headless chromium,
//! read the DOM the browser built, and check it against `--format json`
//! for the same diff.
//!
//! Which elements correspond to what (the contract documented in
//! `src/render/html.rs`), counted inside `<section id="inline">` only (the
//! side-by-side view repeats the text without ids):
//! - JSON ops with `"op": "delete"`  ↔  distinct `data-op` values of
//!   `<del data-op="I">` elements (an op cut at a paragraph break becomes
//!   several elements with the same `I`); likewise `"insert"` ↔ `<ins>`.
//!   The text of each such element group equals the op's text (checked
//!   where the element holds plain text; a moved-and-edited unit nests its
//!   inner word diff).
//! - JSON changes with `"kind": "moved"`  ↔  `<span class="note"
//!   data-kind="moved" data-site="new">` (one at the new place of each
//!   move), and as many `data-site="old"` notes (one at the old place).
//! - JSON changes with `"kind": "duplicated"`  ↔  `<span class="note"
//!   data-kind="duplicated" data-site="new">`.
//!
//! Chromium is optional: without it on PATH the test prints
//! "skipped: chromium not installed" and passes (CI installs Debian's
//! chromium in `.ci/run`). Set `REDLINE_SCREENSHOT=docs/diff.png` to also
//! write the screenshot the README shows.

use crate::common::{redline, stdout_of, Env};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n))).find(|p| p.is_file())
}

/// Pairs loaded in the browser: the spun copy (duplicate, rewording) and
/// the council story (a moved paragraph and a moved sentence).
const PAIRS: [(&str, &str); 3] = [
    ("fixtures/belarus/0001.txt", "fixtures/belarus/0002.txt"),
    ("fixtures/council-budget/0001.txt", "fixtures/council-budget/0002.txt"),
    // The Ruiz paragraph moved back and edited on the way: inner edits.
    ("fixtures/council-budget/0002.txt", "fixtures/council-budget/0003.txt"),
];

fn compare(old: &str, new: &str, format: &str) -> String {
    let mut c = redline();
    c.current_dir(env!("CARGO_MANIFEST_DIR")).args(["--no-pager", "compare", old, new, "--format", format]);
    stdout_of(&mut c)
}

/// Run headless chromium with `args` and a private profile; its stdout.
fn run_chromium(bin: &Path, profile: &Path, args: &[String]) -> String {
    let mut child = Command::new(bin)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait for chromium").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("chromium output");
    assert!(out.status.success(), "chromium failed: {}", out.status);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// An element's start tag attributes and, when it holds only text, that
/// text (unescaped).
struct Element {
    attrs: BTreeMap<String, String>,
    text: Option<String>,
}

/// Every `<tag …>` element in `html`, in document order.
fn elements(html: &str, tag: &str) -> Vec<Element> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        rest = &rest[i + open.len()..];
        if !rest.starts_with([' ', '>']) {
            continue;
        }
        let Some(end) = rest.find('>') else { break };
        let attrs = attributes(&rest[..end]);
        let body = &rest[end + 1..];
        let text = body.find(&close).map(|j| &body[..j]).filter(|t| !t.contains('<')).map(unescape);
        out.push(Element { attrs, text });
    }
    out
}

/// `name="value"` pairs of a start tag (as chromium serialises them).
fn attributes(tag: &str) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut rest = tag.trim();
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].trim().to_string();
        let v = &rest[eq + 2..];
        let Some(q) = v.find('"') else { break };
        m.insert(name, unescape(&v[..q]));
        rest = &v[q + 1..];
    }
    m
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The inline view's part of the DOM.
fn inline_view(dom: &str) -> &str {
    let a = dom.find("id=\"inline\"").expect("inline view in DOM");
    let b = dom[a..].find("id=\"side-by-side\"").map_or(dom.len(), |b| a + b);
    &dom[a..b]
}

#[test]
fn html_report_matches_json_in_a_real_browser() {
    let Some(bin) = chromium() else {
        eprintln!("skipped: chromium not installed (apt-get install chromium to run the browser test)");
        return;
    };
    let env = Env::new();
    let profile = env.dir.path().join("profile");
    for (i, (old, new)) in PAIRS.into_iter().enumerate() {
        let page = env.file(&format!("page{i}.html"), compare(old, new, "html"));
        let json: serde_json::Value = serde_json::from_str(&compare(old, new, "json")).expect("JSON");
        check_page(&bin, &profile, &page, &json);
        if i == 0 {
            screenshot(&bin, &profile, &page);
        }
    }
}

/// Load `page` in the browser and check its DOM against `json`.
fn check_page(bin: &Path, profile: &Path, page: &Path, json: &serde_json::Value) {
    let dom = run_chromium(bin, profile, &["--dump-dom".into(), format!("file://{}", page.display())]);
    assert!(dom.contains("<html") && dom.contains("id=\"inline\""), "chromium gave no DOM: {dom:.200}");
    assert!(!dom.contains("<script"), "the page has no scripts");

    // Ops: delete ↔ <del data-op>, insert ↔ <ins data-op>.
    let view = inline_view(&dom);
    let ops = json["ops"].as_array().expect("ops");
    for (kind, tag) in [("delete", "del"), ("insert", "ins")] {
        let want: BTreeSet<usize> = (0..ops.len()).filter(|&i| ops[i]["op"] == kind).collect();
        let els: Vec<Element> = elements(view, tag).into_iter().filter(|e| e.attrs.contains_key("data-op")).collect();
        let got: BTreeSet<usize> = els.iter().map(|e| e.attrs["data-op"].parse().expect("numeric data-op")).collect();
        assert_eq!(got, want, "<{tag} data-op> elements vs JSON {kind} ops");
        eprintln!("{kind}: {} JSON ops, {} <{tag}> elements in the browser DOM", want.len(), els.len());
        // Text per op, where every element of the op holds plain text.
        let mut texts: BTreeMap<usize, Option<String>> = BTreeMap::new();
        for e in &els {
            let slot = texts.entry(e.attrs["data-op"].parse().unwrap()).or_insert(Some(String::new()));
            match (slot.as_mut(), &e.text) {
                (Some(s), Some(t)) => s.push_str(t),
                _ => *slot = None,
            }
        }
        for (i, t) in texts {
            if let Some(t) = t {
                let want = ops[i]["text"].as_str().unwrap();
                // Control characters are shown visibly, so compare only
                // texts without them.
                if !want.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                    assert_eq!(t, want, "text of op {i}");
                }
            }
        }
    }

    // Annotations: one note per moved/duplicated change at its new place.
    let changes = json["changes"].as_array().expect("changes");
    let notes = elements(view, "span");
    let count_notes = |kind: &str, site: &str| {
        notes
            .iter()
            .filter(|e| {
                e.attrs.get("class").is_some_and(|c| c.split(' ').any(|c| c == "note"))
                    && e.attrs.get("data-kind").is_some_and(|k| k == kind)
                    && e.attrs.get("data-site").is_some_and(|s| s == site)
            })
            .count()
    };
    for kind in ["moved", "duplicated"] {
        let want = changes.iter().filter(|c| c["kind"] == kind).count();
        assert_eq!(count_notes(kind, "new"), want, "{kind} notes vs JSON {kind} changes");
        eprintln!("{kind}: {want} JSON changes, {} notes in the DOM", count_notes(kind, "new"));
    }
    let moved = changes.iter().filter(|c| c["kind"] == "moved").count();
    assert_eq!(count_notes("moved", "old"), moved, "a moved unit is marked at its old place too");
    check_inner_edits(view, changes);
}

/// A moved unit's own word edits (the JSON `inner_ops`, computed once by
/// the engine) are the `<del class="inner">`/`<ins class="inner">` of the
/// inline view, in order.
fn check_inner_edits(view: &str, changes: &[serde_json::Value]) {
    let moved = changes.iter().filter(|c| c["kind"] == "moved");
    let want = |kind: &str| -> Vec<String> {
        moved
            .clone()
            .flat_map(|c| c["inner_ops"].as_array().cloned().unwrap_or_default())
            .filter(|o| o["op"] == kind)
            .map(|o| o["text"].as_str().unwrap_or("").to_string())
            .collect()
    };
    for (kind, tag) in [("delete", "del"), ("insert", "ins")] {
        let got: Vec<String> = elements(view, tag)
            .into_iter()
            .filter(|e| e.attrs.get("class").is_some_and(|c| c.split(' ').any(|c| c == "inner")))
            .filter_map(|e| e.text)
            .collect();
        assert_eq!(got, want(kind), "inner <{tag}> elements vs JSON inner_ops {kind}");
        eprintln!("inner {kind}: {} in JSON, {} in the DOM", want(kind).len(), got.len());
    }
}

/// `export --all` in the browser: the site's index lists every article
/// (each link leads to a page that exists), and one of its diff pages
/// matches `diff --format json` as the single reports do.
#[test]
fn exported_site_index_and_a_diff_page_in_a_real_browser() {
    let Some(bin) = chromium() else {
        eprintln!("skipped: chromium not installed (apt-get install chromium to run the browser test)");
        return;
    };
    let env = Env::new();
    for (name, dates) in [
        ("belarus", ["2020-09-11", "2020-09-12", "2020-09-13"]),
        ("council-budget", ["2024-02-01", "2024-02-02", "2024-02-03"]),
    ] {
        for (i, d) in dates.iter().enumerate() {
            let file = crate::common::fixture(&format!("{name}/000{}.txt", i + 1));
            stdout_of(env.cmd().args(["commit", name]).arg(file).args(["--date", d]));
        }
    }
    let site = env.dir.path().join("site");
    stdout_of(env.cmd().args(["export", "--all"]).arg(&site));
    let profile = env.dir.path().join("profile");
    let index = site.join("index.html");
    let dom = run_chromium(&bin, &profile, &["--dump-dom".into(), format!("file://{}", index.display())]);
    assert!(dom.contains("<table class=\"history articles\">"), "chromium gave no index: {dom:.300}");
    assert!(!dom.contains("<script"), "the site has no scripts");
    let links: Vec<String> = elements(&dom, "a").into_iter().filter_map(|e| e.attrs.get("href").cloned()).collect();
    for want in ["articles/belarus/index.html", "articles/council-budget/index.html", "timeline.html", "changes.atom"] {
        assert!(links.iter().any(|l| l == want), "{want} not linked from the index: {links:?}");
    }
    for l in &links {
        assert!(site.join(l).is_file(), "the index links to {l}, which was not written");
    }
    eprintln!("site index: {} links, all to written files", links.len());
    let page = site.join("articles/council-budget/diff-0001-0002.html");
    let mut c = env.cmd();
    c.args(["diff", "council-budget", "1", "2", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&mut c)).expect("JSON");
    check_page(&bin, &profile, &page, &json);
}

/// With `REDLINE_SCREENSHOT=docs/diff.png`, save the README screenshot.
fn screenshot(bin: &Path, profile: &Path, page: &Path) {
    if let Some(shot) = std::env::var_os("REDLINE_SCREENSHOT") {
        let shot = Path::new(env!("CARGO_MANIFEST_DIR")).join(shot);
        run_chromium(
            bin,
            profile,
            &[
                format!("--screenshot={}", shot.display()),
                "--window-size=1200,1600".into(),
                format!("file://{}", page.display()),
            ],
        );
        assert!(shot.is_file(), "no screenshot written at {}", shot.display());
        eprintln!("screenshot: {}", shot.display());
    }
}
