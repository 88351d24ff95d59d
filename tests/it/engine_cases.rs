//! The engine on the editorial cases real revision histories showed
//! (`fixtures/engine-cases/`), its determinism under a work budget, and
//! the cliffs of 0.1 (many paragraphs of common words).

use crate::common::{fixture, redline, stdout_of};
use redline::core::{diff, ChangeKind, Diff, DiffOptions, OpKind, Unit};

fn pair(case: &str) -> (String, String) {
    let read = |f: &str| std::fs::read_to_string(fixture(&format!("engine-cases/{case}/{f}"))).expect("fixture");
    (read("0001.txt"), read("0002.txt"))
}

fn kinds(x: &Diff) -> Vec<(ChangeKind, Unit)> {
    x.changes.iter().map(|c| (c.kind, c.unit)).collect()
}

fn lossless(x: &Diff, a: &str, b: &str) {
    assert!(x.rebuild_old() == a && x.rebuild_new() == b, "not lossless");
}

#[test]
fn a_list_given_blank_lines_is_a_split_not_moves() {
    let (a, b) = pair("list-reparagraphed");
    let x = diff(&a, &b, &DiffOptions::default());
    lossless(&x, &a, &b);
    assert_eq!(kinds(&x), [(ChangeKind::Split, Unit::Paragraph), (ChangeKind::Reworded, Unit::Sentence)]);
    assert_eq!((x.changes[0].old_paragraphs, x.changes[0].new_paragraphs), (Some([1, 1]), Some([1, 6])));
    assert_eq!(x.stats.kinds.moved, 0);
}

#[test]
fn a_paragraph_rewritten_after_its_first_sentence_is_edited_in_place() {
    let (a, b) = pair("rewrite-after-first");
    let x = diff(&a, &b, &DiffOptions::default());
    lossless(&x, &a, &b);
    assert_eq!(x.stats.kinds.moved, 0, "{:?}", kinds(&x));
    assert!(x.stats.kinds.reworded >= 1);
}

#[test]
fn a_caption_line_that_moves_below_its_paragraph_is_moved() {
    let (a, b) = pair("caption-moved");
    let x = diff(&a, &b, &DiffOptions::default());
    lossless(&x, &a, &b);
    assert_eq!(kinds(&x), [(ChangeKind::Moved, Unit::Sentence)]);
    assert!(x.changes[0].new_text.unwrap().starts_with("Photo:"));
}

#[test]
fn a_swap_inside_a_paragraph_is_a_move_within_it() {
    let (a, b) = pair("swap-in-paragraph");
    let x = diff(&a, &b, &DiffOptions::default());
    lossless(&x, &a, &b);
    assert_eq!(kinds(&x), [(ChangeKind::Moved, Unit::Sentence)]);
    assert_eq!(x.changes[0].shift, Some(1));
    let dir = fixture("engine-cases/swap-in-paragraph");
    let out =
        stdout_of(redline().args(["compare", "--color", "never"]).arg(dir.join("0001.txt")).arg(dir.join("0002.txt")));
    assert!(out.contains("moved down 1 sentence") && !out.contains("¶1"), "{out}");
}

#[test]
fn split_and_merge_are_named_with_both_paragraph_ranges() {
    let (a, b) = pair("split");
    let x = diff(&a, &b, &DiffOptions::default());
    lossless(&x, &a, &b);
    let split = x.changes.iter().find(|c| c.kind == ChangeKind::Split).expect("split");
    assert_eq!((split.old_paragraphs, split.new_paragraphs), (Some([2, 2]), Some([2, 3])));
    assert_eq!(x.stats.kinds.moved, 0);
    let (a, b) = pair("merge");
    let x = diff(&a, &b, &DiffOptions::default());
    lossless(&x, &a, &b);
    let merged = x.changes.iter().find(|c| c.kind == ChangeKind::Merged).expect("merged");
    assert_eq!((merged.old_paragraphs, merged.new_paragraphs), (Some([2, 3]), Some([2, 2])));
    assert!(!x.formatting_only);
}

#[test]
fn a_softened_quote_and_a_corrected_figure_are_flagged() {
    let (a, b) = pair("quote-softened");
    let x = diff(&a, &b, &DiffOptions::default());
    assert_eq!(x.stats.quotes_changed, 1);
    assert!(x.changes.iter().any(|c| c.quote_changed));
    let (a, b) = pair("number-corrected");
    let x = diff(&a, &b, &DiffOptions::default());
    let nums: Vec<(&str, &str)> = x.changes.iter().flat_map(|c| &c.number_changed).map(|n| (n.old, n.new)).collect();
    assert_eq!(nums, [("$2", "$2.4"), ("12%", "21%")]);
    assert!(!x.changes.iter().any(|c| c.quote_changed));
}

#[test]
fn substitutions_never_span_an_unchanged_word() {
    let a = "City officials said they were closing the main road on Friday.";
    let b = "Town authorities stated they were shutting the primary road on Friday.";
    let x = diff(a, b, &DiffOptions::default());
    let subs: Vec<(&str, &str)> = x.changes[0].substitutions.iter().map(|s| (s.old, s.new)).collect();
    assert_eq!(
        subs,
        [("City officials said", "Town authorities stated"), ("closing", "shutting"), ("main", "primary")]
    );
}

#[test]
fn moved_and_edited_units_carry_their_inner_edit() {
    let a = "Alpha paragraph stays here.\n\nRuiz opposed the plan for the east side park.\n\nBeta paragraph stays too.\n\nGamma closes.\n";
    let b = "Alpha paragraph stays here.\n\nBeta paragraph stays too.\n\nGamma closes.\n\nRuiz voted against the plan for the east side park.\n";
    let x = diff(a, b, &DiffOptions::default());
    let m = x.changes.iter().find(|c| c.kind == ChangeKind::Moved).expect("moved");
    let del: Vec<&str> = m.inner_ops.iter().filter(|o| o.op == OpKind::Delete).map(|o| o.text.trim()).collect();
    let ins: Vec<&str> = m.inner_ops.iter().filter(|o| o.op == OpKind::Insert).map(|o| o.text.trim()).collect();
    assert_eq!((del, ins), (vec!["opposed"], vec!["voted against"]));
    for o in &m.inner_ops {
        let src = if o.op == OpKind::Delete { a } else { b };
        assert_eq!(&src[o.at.clone()], o.text);
    }
}

/// A book-sized pair with many edits, built here (tests never need ../shared).
fn big_pair() -> (String, String) {
    let words = ["river", "council", "budget", "bridge", "school", "mayor", "report", "vote", "park", "road"];
    let mut a = String::new();
    let mut b = String::new();
    for p in 0..3000usize {
        let s: Vec<&str> = (0..14).map(|k| words[(p * 7 + k * 3 + p / 5) % words.len()]).collect();
        let line = format!("Item {p}: {}.", s.join(" "));
        a.push_str(&line);
        a.push_str("\n\n");
        if p % 3 == 0 {
            b.push_str(&line.replace("budget", "spending plan").replace("mayor", "city leader"));
        } else {
            b.push_str(&line);
        }
        b.push_str("\n\n");
    }
    (a, b)
}

#[test]
fn coarse_is_set_exactly_when_the_budget_cut_refinement() {
    let (a, b) = big_pair();
    let huge = diff(&a, &b, &DiffOptions { budget: u64::MAX, ..DiffOptions::default() });
    assert!(!huge.coarse);
    assert!(huge.stats.kinds.reworded > 500);
    let tiny = diff(&a, &b, &DiffOptions { budget: 1_000, ..DiffOptions::default() });
    assert!(tiny.coarse);
    lossless(&tiny, &a, &b);
    let default = diff(&a, &b, &DiffOptions::default());
    assert!(!default.coarse);
    assert_eq!(serde_json::to_string(&default).unwrap(), serde_json::to_string(&huge).unwrap());
}

#[test]
fn the_same_diff_twice_under_a_busy_sibling_thread_is_byte_identical() {
    let (a, b) = big_pair();
    let first = serde_json::to_string(&diff(&a, &b, &DiffOptions::default())).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let busy = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut x = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            }
            x
        })
    };
    let second = serde_json::to_string(&diff(&a, &b, &DiffOptions::default())).unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = busy.join();
    assert!(first == second, "the diff changed under load");
}

/// Paragraphs of 12 words from a 24-word vocabulary, one word changed in
/// place in each: 0.1 called 159 of 180 "moved", and at 200 everything
/// removed and added.
fn common_words(n: usize) -> (String, String) {
    let vocab: Vec<String> = (0..24).map(|i| format!("w{i}")).collect();
    let mut a = String::new();
    let mut b = String::new();
    let mut seed = 7u64;
    for _ in 0..n {
        let mut ws: Vec<String> = (0..12)
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                vocab[(seed >> 33) as usize % 24].clone()
            })
            .collect();
        a.push_str(&ws.join(" "));
        a.push_str(".\n\n");
        ws[5] = "changed".into();
        b.push_str(&ws.join(" "));
        b.push_str(".\n\n");
    }
    (a, b)
}

#[test]
fn many_paragraphs_of_common_words_are_reworded_in_place() {
    for n in [180, 200, 400] {
        let (a, b) = common_words(n);
        let x = diff(&a, &b, &DiffOptions::default());
        lossless(&x, &a, &b);
        assert_eq!(x.stats.kinds.reworded, n, "n={n}");
        assert_eq!(x.stats.kinds.moved + x.stats.kinds.added + x.stats.kinds.removed, 0, "n={n}");
    }
}

#[test]
fn no_renderer_runs_the_diff_engine() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/render");
    for e in std::fs::read_dir(&dir).expect("src/render") {
        let p = e.expect("entry").path();
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        for bad in ["core::diff(", "core::diff_counted(", "use crate::core::diff", "core::{diff"] {
            assert!(!text.contains(bad), "{} calls the engine ({bad})", p.display());
        }
    }
}

/// The changed ops of change `c`, as `[-deleted-]{+inserted+}` pieces.
fn edits_of(x: &Diff, c: usize) -> String {
    x.ops
        .iter()
        .filter(|o| o.change == Some(c))
        .map(|o| match o.op {
            OpKind::Delete => format!("[-{}-]", o.text),
            OpKind::Insert => format!("{{+{}+}}", o.text),
            OpKind::Equal => String::new(),
        })
        .collect()
}

#[test]
fn a_moved_sentence_boundary_is_a_word_edit_not_a_sentence_removed() {
    let (a, b) = pair("sentence-joined");
    let x = diff(&a, &b, &DiffOptions::default());
    lossless(&x, &a, &b);
    let reworded = (ChangeKind::Reworded, Unit::Sentence);
    assert_eq!(kinds(&x), [reworded; 3], "no sentence removed or added");
    let sentences: Vec<_> = x.changes.iter().map(|c| c.sentences).collect();
    assert_eq!(sentences, [Some([2, 1]), Some([1, 2]), Some([2, 1])]);
    // A period made a comma: two sentences joined.
    assert_eq!(edits_of(&x, 0), "[-. The-]{+, the+}");
    assert!(
        x.changes[0].old_text.unwrap().starts_with("The city council")
            && x.changes[0].old_text.unwrap().ends_with("seven to two.")
    );
    // One sentence split in two.
    assert_eq!(edits_of(&x, 1), "[- and-]{+. She+}");
    // A caption that lost its period now runs into the image line.
    assert_eq!(edits_of(&x, 2), "[-.-]");
    assert_eq!((x.stats.words_added, x.stats.words_removed), (2, 2));
    let dir = fixture("engine-cases/sentence-joined");
    let (old, new) = (dir.join("0001.txt"), dir.join("0002.txt"));
    let json = stdout_of(redline().args(["compare", "--format", "json"]).arg(&old).arg(&new));
    assert!(json.contains(r#""sentences":[2,1]"#) && json.contains(r#""sentences":[1,2]"#), "{json}");
    let debug = stdout_of(redline().current_dir(&dir).args(["compare", "--color", "debug", "0001.txt", "0002.txt"]));
    crate::common::assert_snapshot(
        "engine_cases__sentence_joined_debug",
        &debug,
        "redline compare sentence-joined/0001.txt 0002.txt --color debug",
    );
    let plain = stdout_of(redline().args(["compare", "--color", "never"]).arg(&old).arg(&new));
    assert!(plain.contains("river[-.-]\nimage::"), "{plain}");
}

#[test]
fn units_that_only_share_words_with_a_reworded_neighbour_stay_removed() {
    // The removed sentence repeats words of its reworded neighbour, but the
    // neighbour's new text has no room for them: nothing to join.
    let a = "Prices rose in May. Prices rose again in June, the office said.\n";
    let b = "Prices rose again in June, the statistics office said.\n";
    let x = diff(a, b, &DiffOptions::default());
    lossless(&x, a, b);
    assert!(x.changes.iter().all(|c| c.sentences.is_none()), "{:?}", x.changes);
    assert_eq!(x.stats.kinds.removed, 1);
}
