//! The pure diff engine: text in, data out. No file I/O, no git, no colours.
//!
//! Stages: [`segment`] cuts text into paragraphs and sentences, [`tokenize`]
//! into words and punctuation, [`align`] and [`engine`] pair units level by
//! level, [`emit`] turns the pairing into lossless ops and classified
//! changes. [`fold`] defines what counts as typography only.

pub(crate) mod align;
pub(crate) mod blame;
pub(crate) mod copies;
pub(crate) mod doc;
pub(crate) mod emit;
pub(crate) mod engine;
pub(crate) mod flags;
pub(crate) mod fold;
pub(crate) mod joins;
pub(crate) mod keyed;
pub(crate) mod model;
pub(crate) mod patience;
pub(crate) mod refine;
pub(crate) mod segment;
pub(crate) mod structure;
pub(crate) mod swar;
pub(crate) mod tidy;
pub(crate) mod tokenize;
pub(crate) mod twins;
pub(crate) mod words;

pub use model::*;
/// Tokens of a span of text (words, punctuation, each with its trailing
/// whitespace), for tools that measure the engine's input, such as `textgen`.
pub use tokenize::tokenize;

/// Compare two texts. Never panics; always lossless (see [`model::Op`]).
pub fn diff<'a>(old: &'a str, new: &'a str, opts: &DiffOptions) -> Diff<'a> {
    diff_counted(old, new, opts).0
}

/// [`diff`], plus the word count of each whole text (as
/// [`tokenize::count_words`]), which the engine gets for free while keying
/// paragraphs; callers that show the counts need not scan the texts again.
pub fn diff_counted<'a>(old: &'a str, new: &'a str, opts: &DiffOptions) -> (Diff<'a>, usize, usize) {
    if old.len().max(new.len()) > tokenize::MAX_TEXT {
        return whole(old, new);
    }
    let per_line = !segment::has_blank_line(old) && !segment::has_blank_line(new);
    let (old_doc, new_doc) = docs(old, new, per_line);
    let mut cx = engine::Cx {
        old: old_doc,
        new: new_doc,
        int: words::Interner::default(),
        budget: engine::Budget::new(opts.budget),
        strict: opts.strict,
    };
    let formatting_only = old != new && fold::fold_equal(old, new);
    // Token against token only when the paragraphs are the same too: a
    // split or merge is a structural change worth naming.
    let same_paras = cx.old.paras.len() == cx.new.paras.len();
    let (e, coarse) = if old == new {
        let mut e = emit::Emitter::new(old, new, opts.strict);
        if !old.is_empty() {
            e.ops.push(Op {
                op: OpKind::Equal,
                text: old,
                move_id: None,
                formatting: false,
                change: None,
                old_at: 0,
                new_at: 0,
            });
        }
        e.stats.words_unchanged = cx.old.words();
        (e, false)
    } else if let Some(e) =
        (formatting_only && same_paras).then(|| emit::zip(old, new, &mut cx.int)).flatten().filter(|_| !opts.strict)
    {
        (e, false)
    } else {
        let al = engine::align(&mut cx);
        let e = emit::emit(&mut cx, &al);
        (e, cx.budget.cut)
    };
    let words = (cx.old.words(), cx.new.words());
    (finish(e, &cx, formatting_only, coarse), words.0, words.1)
}

/// Texts over 4 GiB (past the token offsets, see [`tokenize::Token`]) are
/// not aligned: the old text is removed and the new one added, whole, and
/// the diff says it is coarse. Still lossless, and never a panic.
fn whole<'a>(old: &'a str, new: &'a str) -> (Diff<'a>, usize, usize) {
    let (ow, nw) = (tokenize::count_words(old), tokenize::count_words(new));
    let op = |op, text, old_at, new_at| Op { op, text, move_id: None, formatting: false, change: None, old_at, new_at };
    let mut stats = Stats::default();
    let mut ops = Vec::new();
    if old == new {
        ops.extend((!old.is_empty()).then(|| op(OpKind::Equal, old, 0, 0)));
        stats.words_unchanged = ow;
    } else {
        ops.extend((!old.is_empty()).then(|| op(OpKind::Delete, old, 0, 0)));
        ops.extend((!new.is_empty()).then(|| op(OpKind::Insert, new, old.len(), 0)));
        (stats.words_removed, stats.words_added) = (ow, nw);
    }
    let total = stats.words_unchanged * 2 + stats.words_added + stats.words_removed;
    stats.similarity = if total == 0 { 1.0 } else { round3(2.0 * stats.words_unchanged as f64 / total as f64) };
    let per_line = !segment::has_blank_line(old) && !segment::has_blank_line(new);
    let spans = |t: &str| segment::paragraphs(t, per_line).into_iter().map(|p| p.span).collect();
    let diff = Diff {
        formatting_only: false,
        stats,
        ops,
        changes: Vec::new(),
        substitutions: Vec::new(),
        coarse: old != new,
        old_text: old,
        new_text: new,
        old_paragraphs: spans(old),
        new_paragraphs: spans(new),
    };
    (diff, ow, nw)
}

/// Above this many bytes in all, the distinct paragraphs of the two texts
/// may be counted and fingerprinted on two threads (when there are enough
/// of them: see `keyed::PARALLEL_DISTINCT_BYTES`). Below it a thread costs
/// more than it saves.
const PARALLEL_BYTES: usize = 256 * 1024;

fn docs<'a>(old: &'a str, new: &'a str, per_line: bool) -> (doc::Doc<'a>, doc::Doc<'a>) {
    let (o, n) = keyed::keyed_pair(old, new, per_line, old.len() + new.len() >= PARALLEL_BYTES);
    (doc::Doc::new(old, o), doc::Doc::new(new, n))
}

fn finish<'a>(e: emit::Emitter<'a>, cx: &engine::Cx<'a>, formatting_only: bool, coarse: bool) -> Diff<'a> {
    let mut stats = e.stats;
    if cx.strict {
        // Typography swaps count as words replaced.
        let fmt_words: usize = e
            .ops
            .iter()
            .filter(|o| o.formatting && o.op == OpKind::Insert)
            .map(|o| tokenize::count_words(o.text))
            .sum();
        stats.words_added += fmt_words;
        stats.words_removed += fmt_words;
        stats.words_unchanged = stats.words_unchanged.saturating_sub(fmt_words);
    }
    let total = stats.words_unchanged * 2 + stats.words_added + stats.words_removed;
    stats.similarity = if total == 0 { 1.0 } else { round3(2.0 * stats.words_unchanged as f64 / total as f64) };
    let mut substitutions: Vec<SubstitutionCount> =
        e.subs.into_iter().map(|((old, new), count)| SubstitutionCount { old, new, count }).collect();
    substitutions.sort_by(|a, b| b.count.cmp(&a.count).then(a.old.cmp(b.old)).then(a.new.cmp(b.new)));
    Diff {
        formatting_only: formatting_only && stats.kinds.split + stats.kinds.merged == 0,
        stats,
        ops: tidy::slide_breaks(e.ops, cx.old.text, cx.new.text),
        changes: e.changes,
        substitutions,
        coarse,
        old_text: cx.old.text,
        new_text: cx.new.text,
        old_paragraphs: cx.old.paras.iter().map(|p| p.span.clone()).collect(),
        new_paragraphs: cx.new.paras.iter().map(|p| p.span.clone()).collect(),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Counts for one text (stored in each revision's metadata).
pub fn text_stats(text: &str) -> TextStats {
    let paras = segment::paragraphs(text, !segment::has_blank_line(text));
    let nonempty: Vec<&segment::Block> = paras.iter().filter(|p| !p.content.is_empty()).collect();
    TextStats {
        bytes: text.len(),
        words: tokenize::count_words(text),
        sentences: nonempty.iter().map(|p| segment::sentences(text, p).len()).sum(),
        paragraphs: nonempty.len(),
    }
}

#[cfg(test)]
mod tests;
