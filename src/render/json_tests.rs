//! The hand-written JSON must be byte for byte what serde_json writes from
//! the model's `Serialize` derives (the contract's definition).

use super::*;
use crate::core::{diff, ChangeKind, DiffOptions};

/// The reference: the model serialized by serde_json, as `write` did
/// before it wrote the bulk by hand.
fn reference(diff: &Diff, old: &Side, new: &Side) -> String {
    #[derive(Serialize)]
    struct Document<'d, 'a> {
        schema: &'static str,
        old: &'d Side,
        new: &'d Side,
        #[serde(flatten)]
        diff: &'d Diff<'a>,
    }
    let doc = Document { schema: SCHEMA, old, new, diff };
    let mut out = Vec::new();
    doc.serialize(&mut serde_json::Serializer::with_formatter(&mut out, SafeFormatter)).unwrap();
    out.push(b'\n');
    String::from_utf8(out).unwrap()
}

fn written(diff: &Diff, old: &Side, new: &Side) -> String {
    let mut out = Vec::new();
    write(&mut out, diff, old, new).unwrap();
    String::from_utf8(out).unwrap()
}

fn same_as_serde(old_text: &str, new_text: &str) {
    let side = |label: &str| Side { label: label.into(), bytes: 1, words: 2, ..Side::default() };
    for strict in [false, true] {
        let d = diff(old_text, new_text, &DiffOptions { strict, ..DiffOptions::default() });
        let (o, n) = (side("old\u{9b}\"x\""), side("new"));
        assert_eq!(written(&d, &o, &n), reference(&d, &o, &n), "{old_text:?} → {new_text:?}");
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

/// Every optional field set: a field added to the model must be added to
/// this literal, and then to the writer.
#[test]
fn a_change_with_every_field_set_is_written_as_serde_json_writes_it() {
    let change = Change {
        kind: ChangeKind::Moved,
        unit: Unit::Paragraph,
        old: Some(1..2),
        new: Some(3..4),
        old_text: Some("o\u{0}"),
        new_text: Some("n\u{80}"),
        substitutions: vec![Substitution { old: "a", new: "b" }],
        duplicate_of: Some(5..6),
        old_paragraph: Some(7),
        new_paragraph: Some(8),
        move_id: Some(9),
        words_added: 10,
        words_removed: 11,
        formatting_only: true,
        quote_changed: true,
        number_changed: vec![NumberChange { old: "$2", new: "$2.4" }],
        inner_ops: vec![InnerOp { op: OpKind::Delete, text: "x", at: 12..13 }],
        shift: Some(-14),
        old_paragraphs: Some([15, 16]),
        new_paragraphs: Some([17, usize::MAX]),
    };
    let op = Op {
        op: OpKind::Insert,
        text: "t",
        move_id: Some(u32::MAX),
        formatting: true,
        change: Some(0),
        old_at: 0,
        new_at: 0,
    };
    let mut d = diff("a\n", "b\n", &DiffOptions::default());
    d.ops.push(op);
    d.changes.push(change.clone());
    d.changes.push(Change { shift: Some(3), ..change });
    d.substitutions.push(SubstitutionCount { old: "\"", new: "\\", count: 0 });
    d.coarse = true;
    d.formatting_only = true;
    let s = Side {
        label: "l".into(),
        bytes: 0,
        words: 0,
        revision: Some(1),
        id: Some("c".into()),
        observed_at: Some("t".into()),
        title: Some("\u{9f}".into()),
    };
    assert_eq!(written(&d, &s, &s), reference(&d, &s, &s));
}

/// A string's bytes as serde_json with the safe formatter writes them.
fn serde_string(s: &str) -> String {
    let mut out = Vec::new();
    s.serialize(&mut serde_json::Serializer::with_formatter(&mut out, SafeFormatter)).unwrap();
    String::from_utf8(out).unwrap()
}

fn our_string(s: &str) -> String {
    let mut out = Vec::new();
    string(&mut out, s);
    String::from_utf8(out).unwrap()
}

#[test]
fn every_escape_at_every_offset_of_a_chunk() {
    let specials: Vec<String> = (0u32..0x20)
        .chain([0x22, 0x5c, 0x7f, 0x80, 0x85, 0x9b, 0x9f, 0xa0, 0xc2, 0xe9, 0x2028])
        .map(|c| char::from_u32(c).unwrap().to_string())
        .collect();
    for sp in &specials {
        for pad in 0..17 {
            for tail in 0..10 {
                let s = format!("{}{sp}{}", "a".repeat(pad), "b".repeat(tail));
                assert_eq!(our_string(&s), serde_string(&s), "{s:?}");
            }
        }
    }
}

proptest::proptest! {
    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them(s in "[a\"\\\\\u{0}-\u{1f}\u{7f}-\u{a0}é’\u{2028} ]{0,40}") {
        proptest::prop_assert_eq!(our_string(&s), serde_string(&s));
    }
}
