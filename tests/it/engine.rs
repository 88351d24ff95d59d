//! The diff engine on the fixture chains (hand-checked expectations), its
//! invariants under random input (proptest), and losslessness on the real
//! Pro Git revision corpus when `../shared` is present.

use crate::common::fixture;
use proptest::prelude::*;
use redline::core::{diff, ChangeKind, Diff, DiffOptions, OpKind, Unit};

fn read(rel: &str) -> String {
    std::fs::read_to_string(fixture(rel)).expect("fixture")
}

fn assert_lossless(x: &Diff, a: &str, b: &str) {
    assert!(x.rebuild_old() == a, "old side not rebuilt");
    assert!(x.rebuild_new() == b, "new side not rebuilt");
}

fn count(x: &Diff, kind: ChangeKind) -> usize {
    x.changes.iter().filter(|c| c.kind == kind).count()
}

#[test]
fn belarus_spun_copy_names_every_editorial_change() {
    let (a, b) = (read("belarus/0001.txt"), read("belarus/0002.txt"));
    let x = diff(&a, &b, &DiffOptions::default());
    assert_lossless(&x, &a, &b);
    // The headline pasted twice: the curly-apostrophe variant duplicates the original.
    let dup: Vec<_> = x.changes.iter().filter(|c| c.kind == ChangeKind::Duplicated).collect();
    assert_eq!(dup.len(), 1);
    assert!(dup[0].new_text.unwrap().contains("mass demonstrations continue"));
    let twin = dup[0].duplicate_of.clone().unwrap();
    assert!(b[twin].ends_with("mass protests continue"));
    // The promotional line is the one added paragraph.
    let added: Vec<_> = x.changes.iter().filter(|c| c.kind == ChangeKind::Added).collect();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].new_text, Some("Revealed: The Secrets our Clients Used to Earn $3 Billion"));
    assert_eq!(added[0].unit, Unit::Paragraph);
    // Spun sentences are reworded with their swaps, and nothing is "removed".
    assert!(count(&x, ChangeKind::Reworded) >= 20, "{}", count(&x, ChangeKind::Reworded));
    assert_eq!(count(&x, ChangeKind::Removed), 0);
    assert_eq!(count(&x, ChangeKind::Moved), 0);
    let first = x.changes.iter().find(|c| c.kind == ChangeKind::Reworded).unwrap();
    let subs: Vec<_> = first.substitutions.iter().map(|s| (s.old, s.new)).collect();
    assert!(subs.contains(&("met", "has actually fulfilled")), "{subs:?}");
    // The article-wide table is led by said → stated.
    let top = &x.substitutions[0];
    assert_eq!((top.old, top.new), ("said", "stated"));
    assert!(top.count >= 6);
    let table: Vec<_> = x.substitutions.iter().map(|s| (s.old, s.new)).collect();
    assert!(table.contains(&("protests", "demonstrations")));
    assert!(table.contains(&("people", "individuals")) || subs_anywhere(&x, "people", "individuals"));
}

fn subs_anywhere(x: &Diff, old: &str, new: &str) -> bool {
    x.changes.iter().flat_map(|c| &c.substitutions).any(|s| s.old.contains(old) && s.new.contains(new))
}

#[test]
fn belarus_correction_removes_promo_and_fixes_a_figure() {
    let (a, b) = (read("belarus/0002.txt"), read("belarus/0003.txt"));
    let x = diff(&a, &b, &DiffOptions::default());
    assert_lossless(&x, &a, &b);
    let kinds: Vec<_> = x.changes.iter().map(|c| (c.kind, c.unit)).collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::Removed, Unit::Paragraph),
            (ChangeKind::Reworded, Unit::Sentence),
            (ChangeKind::Added, Unit::Paragraph)
        ]
    );
    let subs: Vec<_> = x.changes[1].substitutions.iter().map(|s| (s.old, s.new)).collect();
    assert_eq!(subs, [("100,000", "150,000")]);
}

#[test]
fn council_budget_moves_swaps_and_additions() {
    let (a, b, c) = (read("council-budget/0001.txt"), read("council-budget/0002.txt"), read("council-budget/0003.txt"));
    let x = diff(&a, &b, &DiffOptions::default());
    assert_lossless(&x, &a, &b);
    let kinds: Vec<_> = x.changes.iter().map(|c| (c.kind, c.unit)).collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::Moved, Unit::Paragraph),
            (ChangeKind::Moved, Unit::Sentence),
            (ChangeKind::Added, Unit::Sentence)
        ]
    );
    assert_eq!((x.changes[0].old_paragraph, x.changes[0].new_paragraph), (Some(3), Some(6)));
    assert_eq!(x.changes[1].new_text, Some("He called the budget a fair compromise."));
    assert_eq!(x.changes[2].new_text, Some("A public hearing is scheduled for Feb. 20."));
    // Moved paragraphs appear as a delete and an insert sharing a move id.
    let mv = x.changes[0].move_id.unwrap();
    let ends: Vec<_> = x.ops.iter().filter(|o| o.move_id == Some(mv)).map(|o| o.op).collect();
    assert_eq!(ends, [OpKind::Delete, OpKind::Insert]);

    let y = diff(&b, &c, &DiffOptions::default());
    assert_lossless(&y, &b, &c);
    let moved = y.changes.iter().find(|c| c.kind == ChangeKind::Moved).expect("moved and edited");
    assert_eq!(moved.unit, Unit::Paragraph);
    let subs: Vec<_> = moved.substitutions.iter().map(|s| (s.old, s.new)).collect();
    assert_eq!(subs, [("opposed", "voted against")]);
    assert_eq!(count(&y, ChangeKind::Reworded), 2);
    assert_eq!((y.substitutions[0].old, y.substitutions[0].new, y.substitutions[0].count), ("4.2", "4.5", 2));
}

#[test]
fn typography_only_revision_is_formatting_only() {
    let (a, b, c) =
        (read("quotes-typography/0001.txt"), read("quotes-typography/0002.txt"), read("quotes-typography/0003.txt"));
    let x = diff(&a, &b, &DiffOptions::default());
    assert_lossless(&x, &a, &b);
    assert!(x.formatting_only);
    assert!(x.changes.is_empty());
    assert_eq!((x.stats.words_added, x.stats.words_removed), (0, 0));
    assert!(x.stats.formatting_changes >= 8);
    let strict = diff(&a, &b, &DiffOptions { strict: true, ..DiffOptions::default() });
    assert!(strict.stats.words_added > 0 && !strict.changes.is_empty());
    // Whitespace noise next to a real edit: only the edit counts.
    let y = diff(&b, &c, &DiffOptions::default());
    assert!(!y.formatting_only);
    assert_eq!(count(&y, ChangeKind::Reworded), 1);
    assert_eq!((y.stats.words_added, y.stats.words_removed), (4, 0));
}

#[test]
fn identical_fixture_texts_give_no_changes() {
    let a = read("belarus/0002.txt");
    let x = diff(&a, &a, &DiffOptions::default());
    assert!(x.changes.is_empty() && x.ops.iter().all(|o| o.op == OpKind::Equal));
}

/// Pro Git `objects` 3 -> 4: `$ mkdir test / $ cd test / $ git init`
/// became `$ git init test / … / $ cd test`. The old `$ cd test` gives
/// `$ git init test` only one word in two (`test`), which is a line moved,
/// not a sentence boundary moved: no join.
#[test]
fn a_line_that_shares_half_its_words_is_not_joined() {
    let a = "Make a repository.\n\n$ mkdir test\n$ cd test\n$ git init\nInitialized empty Git repository in /tmp/test/.git/\n\nThen look.\n";
    let b = "Make a repository.\n\n$ git init test\nInitialized empty Git repository in /tmp/test/.git/\n$ cd test\n\nThen look.\n";
    let x = diff(a, b, &DiffOptions::default());
    assert!(x.changes.iter().all(|c| c.sentences.is_none()), "{:?}", x.changes);
    let reworded: Vec<_> = x.changes.iter().filter(|c| c.kind == ChangeKind::Reworded).collect();
    assert_eq!(reworded.len(), 1, "{:?}", x.changes);
    assert_eq!((reworded[0].old_text, reworded[0].new_text), (Some("$ git init"), Some("$ git init test")));
}

/// A period made a comma lowercases the next sentence's first word: a
/// two-word sentence after it (`It rose.`) still joins the one before, as
/// longer ones do, instead of reading as removed beside a reworded one.
#[test]
fn a_two_word_sentence_run_into_the_one_before_is_joined() {
    for (a, b) in [
        ("T\n\nThe fee is 10 dollars today. It rose.\n", "T\n\nThe fee is 10 dollars today, it rose.\n"),
        ("T\n\nThe fee is 10 dollars today.\nIt rose.\n", "T\n\nThe fee is 10 dollars today, it rose.\n"),
        ("T\n\nThe fee is 10 dollars today, it rose.\n", "T\n\nThe fee is 10 dollars today. It rose.\n"),
    ] {
        let x = diff(a, b, &DiffOptions::default());
        assert_lossless(&x, a, b);
        assert_eq!(x.changes.len(), 1, "{a:?} -> {b:?}: {:?}", x.changes);
        assert_eq!(x.changes[0].kind, ChangeKind::Reworded);
        assert!(x.changes[0].sentences.is_some(), "{a:?} -> {b:?}: {:?}", x.changes);
    }
}

/// Text pieces biased towards the hard cases: typography, combining marks,
/// right-to-left scripts, zero-width and astral characters, odd line ends.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z]{1,8}",
        2 => Just(" ".to_string()),
        1 => Just("\n\n".to_string()),
        1 => Just("\n".to_string()),
        1 => prop::sample::select(vec![".", ",", "!", "?", "'", "’", "\"", "“", "”", "-", "--", "—", "…", "(", ")"]).prop_map(String::from),
        1 => prop::sample::select(vec!["e\u{301}", "\u{e9}", "שלום", "مرحبا", "\u{200b}", "\u{200d}", "🙂", "👨‍👩‍👧", "\r\n", "\r", "\t", "\u{a0}", "\u{feff}", "Dr.", "U.S.", "中文字"]).prop_map(String::from),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..80).prop_map(|v| v.concat())
}

/// A text and an edited copy: pieces dropped, inserted, swapped.
fn edited_pair() -> impl Strategy<Value = (String, String)> {
    (prop::collection::vec(piece(), 1..120), prop::collection::vec((0usize..200, 0u8..4, piece()), 0..12)).prop_map(
        |(base, edits)| {
            let mut new = base.clone();
            for (at, what, p) in edits {
                let i = at % new.len().max(1);
                match what {
                    0 if !new.is_empty() => {
                        new.remove(i.min(new.len() - 1));
                    }
                    1 => new.insert(i.min(new.len()), p),
                    2 if new.len() > 1 => {
                        let j = (i * 7 + 3) % new.len();
                        let k = i.min(new.len() - 1);
                        new.swap(k, j);
                    }
                    _ => new.insert(i.min(new.len()), " ".into()),
                }
            }
            (base.concat(), new.concat())
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn every_diff_is_lossless(a in text(), b in text()) {
        let x = diff(&a, &b, &DiffOptions::default());
        assert_lossless(&x, &a, &b);
    }

    #[test]
    fn edited_copies_are_lossless_both_ways((a, b) in edited_pair()) {
        for strict in [false, true] {
            let o = DiffOptions { strict, ..DiffOptions::default() };
            assert_lossless(&diff(&a, &b, &o), &a, &b);
            assert_lossless(&diff(&b, &a, &o), &b, &a);
        }
    }

    #[test]
    fn identical_inputs_give_no_changes(a in text()) {
        let x = diff(&a, &a, &DiffOptions::default());
        prop_assert!(x.changes.is_empty());
        prop_assert!(x.ops.iter().all(|o| o.op == OpKind::Equal));
        prop_assert!(!x.formatting_only);
    }
}

/// Every consecutive pair of the 516 real Pro Git revisions in
/// `../shared/corpus/progit` must diff losslessly. Skipped (with a note)
/// where the corpus is absent: tests must not need `../shared`.
#[test]
fn progit_corpus_pairs_are_lossless() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/progit");
    let Ok(sections) = std::fs::read_dir(&root) else {
        eprintln!("skipped: {} not found (the corpus lives outside the repository)", root.display());
        return;
    };
    let mut pairs = 0;
    for section in sections.flatten() {
        let mut files: Vec<_> = std::fs::read_dir(section.path()).unwrap().flatten().map(|e| e.path()).collect();
        files.sort();
        let texts: Vec<String> = files.iter().filter_map(|f| std::fs::read_to_string(f).ok()).collect();
        for w in texts.windows(2) {
            let x = diff(&w[0], &w[1], &DiffOptions::default());
            assert_lossless(&x, &w[0], &w[1]);
            if w[0] == w[1] {
                assert!(x.changes.is_empty());
            }
            pairs += 1;
        }
    }
    assert!(pairs >= 500, "expected the 508 consecutive pairs, diffed {pairs}");
    eprintln!("progit corpus: {pairs} consecutive revision pairs diffed losslessly");
}

/// Prose whose edits move sentence boundaries: each sentence of `words`
/// (indices into a small vocabulary, so words recur) ends in a period, a
/// line break or a space; `cuts` then joins sentences (a period made a
/// comma, or dropped before a line break) or splits one (a period added).
fn bounded_prose() -> impl Strategy<Value = (String, String)> {
    let sentence = prop::collection::vec(0usize..12, 1..9);
    let ends = prop::sample::select(vec![". ", ".\n", ".\n\n", "\n"]);
    let cut = 0u8..4;
    prop::collection::vec((sentence, ends, cut), 1..10).prop_map(|ss| {
        const VOCAB: [&str; 12] =
            ["the", "council", "vote", "library", "budget", "mayor", "said", "on", "a", "river", "new", "of"];
        let (mut old, mut new) = (String::new(), String::new());
        for (words, end, cut) in ss {
            let w: Vec<&str> = words.iter().map(|&i| VOCAB[i]).collect();
            let body = w.join(" ");
            let cap = |s: &str| s[..1].to_uppercase() + &s[1..];
            old.push_str(&cap(&body));
            old.push_str(end);
            let body = match cut {
                // Split: a period in the middle.
                1 if w.len() > 2 => format!("{}. {}", w[..w.len() / 2].join(" "), cap(&w[w.len() / 2..].join(" "))),
                _ => body,
            };
            new.push_str(&cap(&body));
            new.push_str(match (cut, end) {
                (2, ". ") => ", ",
                (3, ".\n") => "\n",
                _ => end,
            });
        }
        (old, new)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Joins (sentences word-diffed as one block when a boundary moved)
    /// keep the diff lossless both ways, and each join's change spans
    /// exactly the text its ops edit.
    #[test]
    fn moved_sentence_boundaries_stay_lossless((a, b) in bounded_prose()) {
        for (a, b) in [(&a, &b), (&b, &a)] {
            let x = diff(a, b, &DiffOptions::default());
            assert_lossless(&x, a, b);
            for (i, c) in x.changes.iter().enumerate().filter(|(_, c)| c.sentences.is_some()) {
                let [k, m] = c.sentences.unwrap();
                prop_assert!(k + m >= 3 && c.kind == ChangeKind::Reworded);
                let (o, n) = (c.old.clone().unwrap(), c.new.clone().unwrap());
                prop_assert_eq!(Some(&a[o.clone()]), c.old_text);
                prop_assert_eq!(Some(&b[n.clone()]), c.new_text);
                for op in x.ops.iter().filter(|op| op.change == Some(i)) {
                    let (side, at) = if op.op == OpKind::Insert { (&n, op.new_at) } else { (&o, op.old_at) };
                    // An op may carry the whitespace before or after its
                    // change (a line break slid past it, see core::tidy);
                    // its words lie inside the change.
                    let lead = op.text.len() - op.text.trim_start().len();
                    let words = at + lead..at + op.text.trim_end().len();
                    prop_assert!(
                        words.is_empty() || (side.start <= words.start && words.end <= side.end),
                        "{:?} outside {:?}", op, side
                    );
                }
            }
        }
    }
}
