//! The hand-written JSON must be byte for byte what serde_json writes from
//! the model's `Serialize` derives (the contract's definition).

use super::*;
use crate::core::{ChangeKind, KindCounts, Stats};

fn written(diff: &Diff, old: &Side, new: &Side) -> String {
    let mut out = Vec::new();
    write(&mut out, diff, old, new).unwrap();
    String::from_utf8(out).unwrap()
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
        sentences: Some([2, 1]),
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
    let d = Diff {
        formatting_only: true,
        stats: Stats { similarity: 0.125, kinds: KindCounts { moved: 2, ..KindCounts::default() }, ..Stats::default() },
        ops: vec![op.clone(), Op { op: OpKind::Equal, move_id: None, formatting: false, change: None, ..op }],
        changes: vec![change.clone(), Change { shift: Some(3), ..change }],
        substitutions: vec![SubstitutionCount { old: "\"", new: "\\", count: 0 }],
        coarse: true,
        old_text: "",
        new_text: "t",
        old_paragraphs: Vec::new(),
        new_paragraphs: Vec::new(),
    };
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
    let bare = Diff { coarse: false, formatting_only: false, changes: Vec::new(), substitutions: Vec::new(), ..d };
    assert_eq!(written(&bare, &Side::default(), &s), reference(&bare, &Side::default(), &s));
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
