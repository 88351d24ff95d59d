//! Bidi controls in article text (session 19, item 4, "Trojan Source"):
//! U+202A–U+202E and U+2066–U+2069 can make a diff line display as
//! something else. Terminal and plain formats show them as visible escapes
//! (`\u{202e}`); HTML and Atom keep them (they are legitimate in
//! right-to-left text) but close every one that a piece of text leaves open
//! at the end of that piece, so none reorders what follows; LRM/RLM
//! (U+200E/U+200F) are never touched; JSON is data and carries them as
//! they are. Snapshots in `snapshots/it__render__bidi_*.snap`.

use crate::common::{assert_snapshot, redline, stdout_of, Env};
use crate::integrity::expect;

const OLD: &str = "The fee is 10 dollars.\n\nThe vote was 7-2 in favour.\n";
/// An override left open (U+202E), an isolate closed (U+2067…U+2069), an
/// embedding left open (U+202B), and the marks that must stay (U+200F, U+200E).
const NEW: &str =
    "The fee is \u{202e}01 dollars.\n\nThe vote was \u{2067}2-7\u{2069} in \u{200f}favour\u{200e} \u{202b}today.\n";

const OPENERS: [char; 7] = ['\u{202a}', '\u{202b}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}'];

fn compare(env: &Env, args: &[&str]) -> String {
    env.file("old.txt", OLD);
    env.file("new.txt", NEW);
    let mut c = redline();
    c.current_dir(env.dir.path()).args(["--no-pager", "compare", "old.txt", "new.txt"]).args(args);
    stdout_of(&mut c)
}

/// No raw bidi control at all; the marks U+200E/U+200F untouched.
fn escaped(out: &str) {
    assert!(!out.chars().any(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')), "{out:?}");
    assert!(out.contains("\\u{202e}") && out.contains("\\u{2067}") && out.contains("\\u{202b}"), "{out}");
    assert!(out.contains('\u{200f}') && out.contains('\u{200e}'), "LRM/RLM are kept: {out:?}");
}

/// Every run of text between two tags closes what it opens: nothing it
/// holds can reorder the text after it. Returns how many controls were kept.
fn balanced_per_text_node(markup: &str) -> usize {
    let mut kept = 0;
    for node in markup.split(['<', '>']) {
        let mut depth = 0i32;
        for c in node.chars() {
            if OPENERS.contains(&c) {
                depth += 1;
                kept += 1;
            } else if matches!(c, '\u{202c}' | '\u{2069}') {
                depth -= 1;
            }
        }
        assert!(depth <= 0, "a text node leaves {depth} bidi control(s) open: {node:?}");
    }
    kept
}

#[test]
fn terminal_formats_show_bidi_controls_as_escapes() {
    let env = Env::new();
    let debug = compare(&env, &["--color", "debug"]);
    escaped(&debug);
    assert_snapshot("bidi_inline_debug", &debug, "redline compare old.txt new.txt --color debug");
    for args in
        [&["--color", "never"][..], &["--color", "never", "--side-by-side", "--width", "100"], &["--format", "critic"]]
    {
        escaped(&compare(&env, args));
    }
}

#[test]
fn html_keeps_bidi_controls_but_closes_them_in_each_piece() {
    let env = Env::new();
    let html = compare(&env, &["--format", "html"]);
    let body = &html[html.find("</style>").expect("inline css")..];
    assert!(balanced_per_text_node(body) >= 3, "the controls are kept: {body}");
    assert!(body.contains('\u{200f}') && body.contains('\u{200e}'));
    assert_snapshot("bidi_html", body, "redline compare old.txt new.txt --format html (after the stylesheet)");
}

#[test]
fn json_carries_the_text_unchanged() {
    let env = Env::new();
    let v: serde_json::Value = serde_json::from_str(&compare(&env, &["--format", "json"])).unwrap();
    let all = v.to_string();
    assert!(all.contains('\u{202e}') && all.contains('\u{202b}'), "{all}");
    assert!(!all.contains("\\\\u{202e}"), "not escaped as a visible mark: {all}");
}

#[test]
fn atom_titles_and_summaries_close_what_they_open() {
    let env = Env::new();
    expect(&env, &["commit", "a", "-", "--date", "2020-01-01"], OLD.as_bytes(), 0);
    expect(&env, &["commit", "a", "-", "--date", "2020-01-02", "--title", "Fee \u{202e}lareneg"], NEW.as_bytes(), 0);
    let dir = env.dir.path().join("site");
    expect(&env, &["export", "a", dir.to_str().unwrap()], b"", 0);
    let atom = std::fs::read_to_string(dir.join("changes.atom")).unwrap();
    assert!(balanced_per_text_node(&atom) >= 1, "{atom}");
    assert!(atom.contains("Fee \u{202e}lareneg\u{202c}"), "{atom}");
}
