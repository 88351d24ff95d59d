//! The JSON contract on real diffs: `render::json` writes the bulk of a
//! diff by hand, and must write exactly the bytes serde_json writes from
//! the model's derives. Here and not in render/, which never runs the
//! engine nor reads files.

use crate::core::{diff, DiffOptions};
use crate::render::json::{reference, write};
use crate::render::Side;

fn same_as_serde(old_text: &str, new_text: &str) {
    let side = |label: &str| Side { label: label.into(), bytes: 1, words: 2, ..Side::default() };
    for strict in [false, true] {
        let d = diff(old_text, new_text, &DiffOptions { strict, ..DiffOptions::default() });
        let (o, n) = (side("old\u{9b}\"x\""), side("new"));
        let mut out = Vec::new();
        write(&mut out, &d, &o, &n).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), reference(&d, &o, &n), "{old_text:?} → {new_text:?}");
    }
}

/// Each folder's files, in name order, compared one after the next.
fn fixture_pairs(dir: &std::path::Path, pairs: &mut usize) {
    let mut paths: Vec<_> = std::fs::read_dir(dir).unwrap().map(|f| f.unwrap().path()).collect();
    paths.sort();
    let texts: Vec<String> =
        paths.iter().filter(|p| p.is_file()).filter_map(|p| std::fs::read_to_string(p).ok()).collect();
    for w in texts.windows(2) {
        same_as_serde(&w[0], &w[1]);
        *pairs += 1;
    }
    for sub in paths.iter().filter(|p| p.is_dir()) {
        fixture_pairs(sub, pairs);
    }
}

#[test]
fn diffs_of_the_fixtures_are_written_as_serde_json_writes_them() {
    let mut pairs = 0;
    fixture_pairs(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"), &mut pairs);
    assert!(pairs > 10, "only {pairs} fixture pairs found");
}

#[test]
fn moves_duplicates_numbers_and_controls_are_written_as_serde_json_writes_them() {
    same_as_serde(
        "Alpha beta gamma delta epsilon. Zeta eta theta iota kappa.\n\nThe council spent $2 million.\n",
        "Zeta eta theta iota kappa. Alpha beta gamma delta epsilon.\n\nThe council spent $2.4 million.\n\nZeta eta theta iota kappa.\n",
    );
    same_as_serde("Tab\there \"quoted\" back\\slash \u{1}\u{7f}\u{9b}31m.\n", "Tab\there “quoted” \u{85} café\r\n");
    same_as_serde("", "Only new.\n");
    same_as_serde("Same.\n", "Same.\n");
}
