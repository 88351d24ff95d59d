//! Hand-checked expectations for each kind of change, on small texts.

use super::*;

fn d<'a>(a: &'a str, b: &'a str) -> Diff<'a> {
    diff(a, b, &DiffOptions::default())
}

fn kinds(x: &Diff) -> Vec<(ChangeKind, Unit)> {
    x.changes.iter().map(|c| (c.kind, c.unit)).collect()
}

/// Equal+delete rebuilds the old text, equal+insert the new.
pub fn assert_lossless(x: &Diff, a: &str, b: &str) {
    assert_eq!(x.rebuild_old(), a, "old side not lossless");
    assert_eq!(x.rebuild_new(), b, "new side not lossless");
}

#[test]
fn identical_texts_have_no_changes() {
    for t in ["", "one", "A.\n\nB.\n", "  \n"] {
        let x = d(t, t);
        assert!(x.changes.is_empty());
        assert!(x.ops.iter().all(|o| o.op == OpKind::Equal));
        assert!(!x.formatting_only);
        assert_eq!(x.stats.similarity, 1.0);
        assert_lossless(&x, t, t);
    }
}

#[test]
fn duplicated_headline_and_added_promo_line() {
    let a = "Belarus' leader in Russia for talks as mass protests continue\n\nThe president met his ally on Monday.\n";
    let b = "Belarus’ leader in Russia for talks as mass demonstrations continue\n\nBelarus' leader in Russia for talks as mass protests continue\n\nRevealed: The Secrets our Clients Used to Earn $3 Billion\n\nThe president met his ally on Monday.\n";
    let x = d(a, b);
    assert_lossless(&x, a, b);
    assert_eq!(kinds(&x), [(ChangeKind::Duplicated, Unit::Paragraph), (ChangeKind::Added, Unit::Paragraph)]);
    let dup = &x.changes[0];
    let twin = dup.duplicate_of.clone().expect("duplicate_of");
    assert_eq!(&b[twin], "Belarus' leader in Russia for talks as mass protests continue");
    assert!(x.changes[1].new_text.unwrap().starts_with("Revealed"));
}

#[test]
fn reworded_sentence_carries_substitutions() {
    let a = "The president met his last ally on Monday, officials said.\n";
    let b = "The president has actually fulfilled his last ally on Monday, officials stated.\n";
    let x = d(a, b);
    assert_lossless(&x, a, b);
    assert_eq!(kinds(&x), [(ChangeKind::Reworded, Unit::Sentence)]);
    let subs: Vec<_> = x.changes[0].substitutions.iter().map(|s| (s.old, s.new)).collect();
    assert_eq!(subs, [("met", "has actually fulfilled"), ("said", "stated")]);
    assert_eq!(x.substitutions[0].count, 1);
}

#[test]
fn moved_paragraph_and_moved_and_edited_paragraph() {
    let a = "Alpha one two three four.\n\nBravo five six seven eight.\n\nCharlie nine ten eleven twelve.\n\nDelta thirteen fourteen fifteen.\n";
    let b = "Alpha one two three four.\n\nCharlie nine ten eleven twelve.\n\nDelta thirteen fourteen fifteen.\n\nBravo five six seven eight.\n";
    let x = d(a, b);
    assert_lossless(&x, a, b);
    assert_eq!(kinds(&x), [(ChangeKind::Moved, Unit::Paragraph)]);
    let m = &x.changes[0];
    assert_eq!((m.old_paragraph, m.new_paragraph), (Some(2), Some(4)));
    let ids: Vec<_> = x.ops.iter().filter_map(|o| o.move_id.map(|id| (o.op, id))).collect();
    assert_eq!(ids, [(OpKind::Delete, 0), (OpKind::Insert, 0)]);

    let c = b.replace("Bravo five six", "Bravo FIVE six");
    let y = d(a, &c);
    assert_lossless(&y, a, &c);
    assert_eq!(kinds(&y), [(ChangeKind::Moved, Unit::Paragraph)]);
    let subs: Vec<_> = y.changes[0].substitutions.iter().map(|s| (s.old, s.new)).collect();
    assert_eq!(subs, [("five", "FIVE")]);
}

#[test]
fn swapped_sentences_are_a_move_not_delete_plus_insert() {
    let a = "Mayor Tom Becker praised the vote. He called the budget a fair compromise. He said work would begin in spring.\n";
    let b = "Mayor Tom Becker praised the vote. He said work would begin in spring. He called the budget a fair compromise.\n";
    let x = d(a, b);
    assert_lossless(&x, a, b);
    assert_eq!(kinds(&x), [(ChangeKind::Moved, Unit::Sentence)]);
}

#[test]
fn sentence_moved_to_another_paragraph() {
    let a = "First paragraph has words here. The budget includes three new playgrounds downtown.\n\nSecond paragraph talks about trees.\n";
    let b = "First paragraph has words here.\n\nSecond paragraph talks about trees. The budget includes three new playgrounds downtown.\n";
    let x = d(a, b);
    assert_lossless(&x, a, b);
    assert!(kinds(&x).contains(&(ChangeKind::Moved, Unit::Sentence)), "{:?}", kinds(&x));
}

#[test]
fn sentence_added_at_end_of_paragraph() {
    let a = "Residents can comment until March 1.\n\nNext.\n";
    let b = "Residents can comment until March 1. A public hearing is scheduled for Feb. 20.\n\nNext.\n";
    let x = d(a, b);
    assert_lossless(&x, a, b);
    assert_eq!(kinds(&x), [(ChangeKind::Added, Unit::Sentence)]);
    assert_eq!(x.changes[0].new_text, Some("A public hearing is scheduled for Feb. 20."));
}

#[test]
fn curly_quotes_only_is_formatting_only() {
    let a = "The mayor's \"plan\" -- final.\n";
    let b = "The mayor’s “plan” — final.\n";
    let x = d(a, b);
    assert_lossless(&x, a, b);
    assert!(x.formatting_only);
    assert!(x.changes.is_empty());
    assert_eq!((x.stats.words_added, x.stats.words_removed), (0, 0));
    assert!(x.ops.iter().filter(|o| o.op != OpKind::Equal).all(|o| o.formatting));
    let strict = diff(a, b, &DiffOptions { strict: true, ..DiffOptions::default() });
    assert!(strict.formatting_only);
    assert_eq!(kinds(&strict), [(ChangeKind::Reworded, Unit::Sentence)]);
    assert!(strict.changes[0].formatting_only);
    assert!(strict.stats.words_added > 0);
}

#[test]
fn removed_paragraph() {
    let a = "Keep this one.\n\nDrop this one entirely please.\n\nKeep that too.\n";
    let b = "Keep this one.\n\nKeep that too.\n";
    let x = d(a, b);
    assert_lossless(&x, a, b);
    assert_eq!(kinds(&x), [(ChangeKind::Removed, Unit::Paragraph)]);
    assert_eq!(x.stats.words_removed, 5);
}

#[test]
fn odd_inputs_stay_lossless() {
    let cases = [
        ("", "x"),
        ("x", ""),
        ("\u{feff}BOM text.\r\nLine two.\r\n", "BOM text.\r\nLine 2.\r\n"),
        ("lone\rcarriage\rreturns", "lone\rcarriage returns"),
        ("e\u{301}t\u{e9}", "\u{e9}t\u{e9}!"),
        ("שלום עולם. مرحبا", "שלום עולם! مرحبا بالعالم"),
        ("zero\u{200b}width", "zero width"),
        ("🙂👍🏽 family 👨‍👩‍👧", "🙂 family 👨‍👩‍👧‍👦"),
        ("   \n\n  ", "\n"),
        ("a\n\n\n\nb", "b\n\n\n\na"),
    ];
    for (a, b) in cases {
        let x = d(a, b);
        assert_lossless(&x, a, b);
        let y = d(b, a);
        assert_lossless(&y, b, a);
    }
}

#[test]
fn anchored_alignment_reads_better_than_myers_on_prose() {
    // The news ("Putin met Lukashenko") moved behind a stretch of filler
    // made of common words. Myers maximises matched tokens, so it keeps the
    // filler and reports the news as deleted and re-inserted; patience
    // anchors on words that occur once on each side, so the distinctive
    // words stay matched and the filler is what moved. That is why redline
    // aligns with patience at every level.
    use similar::{capture_diff_slices, Algorithm, DiffTag};
    let a: Vec<&str> = "Putin met Lukashenko . it is what it is and it is what it is".split(' ').collect();
    let b: Vec<&str> = "it is what it is and it is what it is . Putin met Lukashenko".split(' ').collect();
    let kept = |alg| -> Vec<&str> {
        let ops = capture_diff_slices(alg, &a, &b);
        ops.iter().filter(|op| op.tag() == DiffTag::Equal).flat_map(|op| a[op.old_range()].to_vec()).collect()
    };
    assert!(!kept(Algorithm::Myers).contains(&"Putin"), "myers: {:?}", kept(Algorithm::Myers));
    assert_eq!(kept(Algorithm::Patience), ["Putin", "met", "Lukashenko"]);
}

#[test]
fn text_stats_counts_units() {
    let t = "Title here\n\nDr. Ng spoke. Then left.\n\nLast one.\n";
    let s = text_stats(t);
    assert_eq!((s.paragraphs, s.sentences, s.words), (3, 4, 9));
    assert_eq!(s.bytes, t.len());
}

#[test]
fn paragraph_split_by_blank_lines_is_a_split_not_moves() {
    let a = "Intro stays.\n\nFirst sentence here. Second sentence there. Third one too.\n\nOutro stays.\n";
    let b = "Intro stays.\n\nFirst sentence here.\n\nSecond sentence there.\n\nThird one too.\n\nOutro stays.\n";
    let x = d(a, b);
    assert_lossless(&x, a, b);
    assert!(!x.formatting_only);
    assert_eq!(kinds(&x), [(ChangeKind::Split, Unit::Paragraph)]);
    assert_eq!((x.changes[0].old_paragraphs, x.changes[0].new_paragraphs), (Some([2, 2]), Some([2, 4])));
    assert_eq!((x.stats.words_added, x.stats.words_removed, x.stats.similarity), (0, 0, 1.0));
    assert!(x.ops.iter().filter(|o| o.op != OpKind::Equal).all(|o| o.formatting && o.text.trim().is_empty()));
}

#[test]
fn paragraph_pasted_again_far_away_is_duplicated() {
    let a = "Subscribe to our newsletter for daily updates.\n\nOne.\n\nTwo two.\n\nThree three three.\n\nFour four four four.\n\nEnd of story here.\n";
    let b = "Subscribe to our newsletter for daily updates.\n\nOne.\n\nTwo two.\n\nThree three three.\n\nFour four four four.\n\nEnd of story here.\n\nSubscribe to our newsletter for daily updates.\n";
    let x = d(a, b);
    assert_lossless(&x, a, b);
    assert_eq!(kinds(&x), [(ChangeKind::Duplicated, Unit::Paragraph)]);
    assert_eq!(&b[x.changes[0].duplicate_of.clone().unwrap()], "Subscribe to our newsletter for daily updates.");
}

#[test]
fn whitespace_led_line_before_an_added_line_stays_lossless() {
    // Shrunk from Pro Git objects 3→4: a changed unit ending in a deleted
    // tail, then an added line.
    let a = "1 files changed, 1 insertions(+), 0 deletions(-)";
    let b = " 1 file changed, 1 insertion(+)\nAlso, although the blob content can be nearly anything.";
    let d = super::diff(a, b, &super::DiffOptions::default());
    assert_eq!((d.rebuild_old(), d.rebuild_new()), (a.to_string(), b.to_string()));
}

#[test]
fn a_headline_edit_shows_no_line_break_markers() {
    let a = "Bridge closed for repairs after strike by workers\n\nThe city said on Monday.\n";
    let b = "Bridge closed for repairs after strike by workers; span closed\n\nThe city said on Monday.\n";
    let x = d(a, b);
    assert_lossless(&x, a, b);
    let changed: Vec<(OpKind, &str)> = x.ops.iter().filter(|o| o.op != OpKind::Equal).map(|o| (o.op, o.text)).collect();
    assert_eq!(changed, [(OpKind::Insert, "; span closed")]);
    assert_eq!(x.stats.formatting_changes, 0);
}

#[test]
fn a_space_inserted_with_words_belongs_to_the_edit() {
    let a = "The mayor spoke.\n";
    let b = "The mayor spoke briefly.\n";
    let x = d(a, b);
    assert_lossless(&x, a, b);
    assert_eq!(x.stats.formatting_changes, 0, "{:?}", x.ops);
    assert!(x.ops.iter().all(|o| !o.formatting));
    assert_eq!(x.stats.words_added, 1);
}

#[test]
fn texts_past_token_offsets_are_replaced_whole_and_losslessly() {
    // `whole` is what `diff` does past 4 GiB; exercised here on small texts.
    for (a, b) in [("One two.\n\nThree.\n", "Four five six.\n"), ("", "x y"), ("x y", ""), ("same", "same"), ("", "")] {
        let (x, ow, nw) = whole(a, b);
        assert_lossless(&x, a, b);
        assert_eq!((ow, nw), (tokenize::count_words(a), tokenize::count_words(b)));
        assert_eq!(x.coarse, a != b);
        let (s, t) = (x.stats.words_removed + x.stats.words_unchanged, x.stats.words_added + x.stats.words_unchanged);
        assert_eq!((s, t), (ow, nw));
        assert_eq!(x.old_paragraphs.len(), d(a, b).old_paragraphs.len());
    }
}
