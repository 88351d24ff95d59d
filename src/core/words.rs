//! Word-level diff inside a pair of units, its readability cleanup, and the
//! substitutions (one-for-one word or phrase swaps) it contains.

use super::fold::fold_token;
use super::tokenize::Token;
use rustc_hash::FxHashMap;
use similar::algorithms::{Compact, DiffHook, Replace};
use similar::{capture_diff_slices, Algorithm, DiffTag};
use std::ops::Range;

/// Interns folded token spellings, so token comparison is an integer
/// comparison and typography variants share one id.
///
/// Spellings of up to 7 bytes (most words and all punctuation) are keyed by
/// an integer packing their bytes, so a lookup hashes one `u64` and never
/// follows a pointer; longer ones by string. Ids count up across both maps
/// in order of first sight.
#[derive(Default)]
pub struct Interner {
    short: FxHashMap<u64, u32>,
    long: FxHashMap<Box<str>, u32>,
}

impl Interner {
    pub fn id(&mut self, tok: &str) -> u32 {
        let next = (self.short.len() + self.long.len()) as u32;
        if let Some(packed) = pack_plain(tok.as_bytes()) {
            return *self.short.entry(packed).or_insert(next);
        }
        let key = fold_token(tok);
        let b = key.as_bytes();
        if b.len() <= 7 {
            // Length in the top byte keeps "a" and "a\0" apart.
            let packed = b.iter().enumerate().fold((b.len() as u64) << 56, |k, (i, &x)| k | (x as u64) << (8 * i));
            return *self.short.entry(packed).or_insert(next);
        }
        if let Some(&id) = self.long.get(key.as_ref()) {
            return id;
        }
        self.long.insert(key.into_owned().into_boxed_str(), next);
        next
    }
}

/// The short key of a token of up to 7 bytes that folding leaves as it is
/// (ASCII without a backtick, and not a run of dashes: what
/// [`fold_token`] borrows), packed in the same pass that checks it; `None`
/// sends the token through [`fold_token`].
fn pack_plain(b: &[u8]) -> Option<u64> {
    if b.len() > 7 {
        return None;
    }
    let (mut k, mut dashes) = ((b.len() as u64) << 56, 0);
    for (i, &x) in b.iter().enumerate() {
        if x >= 0x80 || x == b'`' {
            return None;
        }
        dashes += usize::from(x == b'-');
        k |= (x as u64) << (8 * i);
    }
    (b.len() <= 1 || dashes < b.len()).then_some(k)
}

/// Tokens of one unit (or of a paragraph's units, which lie side by side)
/// with their interned ids: a view into a document's token arena, so
/// neither a unit nor a whole paragraph needs a copy of its own.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tokens<'t> {
    pub toks: &'t [Token],
    pub ids: &'t [u32],
}

impl Tokens<'_> {
    pub fn words_in(&self, r: Range<usize>) -> usize {
        self.toks[r].iter().filter(|t| t.word).count()
    }
}

/// A stretch of the word diff: tokens `old` and `new` either match (by
/// folded spelling) or were changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    pub equal: bool,
    pub old: Range<usize>,
    pub new: Range<usize>,
}

/// Above this many tokens on both sides Myers replaces patience, whose
/// unique-token scan gains little on huge units.
const PATIENCE_LIMIT: usize = 50_000;

/// The work a word diff of these two lists may take, in token cells of
/// the part between their common ends (what [`diff_tokens`] really aligns).
pub fn cells(old: &Tokens<'_>, new: &Tokens<'_>) -> u64 {
    let (pre, suf) = common_ends(old.ids, new.ids);
    ((old.ids.len() - pre - suf) as u64) * ((new.ids.len() - pre - suf) as u64)
}

fn common_ends(a: &[u32], b: &[u32]) -> (usize, usize) {
    let pre = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suf = a[pre..].iter().rev().zip(b[pre..].iter().rev()).take_while(|(x, y)| x == y).count();
    (pre, suf)
}

/// Diff two token lists exactly as aligned (no cleanup); hunks cover both
/// lists in order, and changed hunks never touch each other. Substitutions
/// and counts come from these, so a pair never spans an unchanged word.
pub fn diff_tokens(old: &Tokens<'_>, new: &Tokens<'_>) -> Vec<Hunk> {
    let (a, b) = (old.ids, new.ids);
    if a.len() + b.len() <= PATIENCE_LIMIT && a.len().min(b.len()) < super::patience::SHORT {
        // The usual case (a sentence): similar's patience without its maps.
        let mut d = Compact::new(Replace::new(HunkHook(Vec::new())), a, b);
        let Ok(()) = super::patience::diff(&mut d, a, b);
        return d.into_inner().into_inner().0;
    }
    let alg = if a.len() + b.len() > PATIENCE_LIMIT { Algorithm::Myers } else { Algorithm::Patience };
    let mut hunks: Vec<Hunk> = Vec::new();
    for op in capture_diff_slices(alg, a, b) {
        let (tag, o, n) = op.as_tag_tuple();
        push_hunk(&mut hunks, tag == DiffTag::Equal, o, n);
    }
    hunks
}

/// Collects similar's ops as hunks directly, as [`diff_tokens`] does with
/// the ops `capture_diff_slices` returns (same ranges, same merging).
struct HunkHook(Vec<Hunk>);

impl DiffHook for HunkHook {
    type Error = std::convert::Infallible;

    fn equal(&mut self, o: usize, n: usize, len: usize) -> Result<(), Self::Error> {
        push_hunk(&mut self.0, true, o..o + len, n..n + len);
        Ok(())
    }

    fn delete(&mut self, o: usize, len: usize, n: usize) -> Result<(), Self::Error> {
        push_hunk(&mut self.0, false, o..o + len, n..n);
        Ok(())
    }

    fn insert(&mut self, o: usize, n: usize, len: usize) -> Result<(), Self::Error> {
        push_hunk(&mut self.0, false, o..o, n..n + len);
        Ok(())
    }

    fn replace(&mut self, o: usize, ol: usize, n: usize, nl: usize) -> Result<(), Self::Error> {
        push_hunk(&mut self.0, false, o..o + ol, n..n + nl);
        Ok(())
    }
}

/// The coarse diff used when the budget is spent: common ends equal, the
/// middle replaced whole. Still lossless.
pub fn coarse_tokens(old: &Tokens<'_>, new: &Tokens<'_>) -> Vec<Hunk> {
    let (pre, suf) = common_ends(old.ids, new.ids);
    let (lo, ln) = (old.ids.len(), new.ids.len());
    let mut hunks = Vec::new();
    push_hunk(&mut hunks, true, 0..pre, 0..pre);
    push_hunk(&mut hunks, false, pre..lo - suf, pre..ln - suf);
    push_hunk(&mut hunks, true, lo - suf..lo, ln - suf..ln);
    hunks
}

fn push_hunk(hunks: &mut Vec<Hunk>, equal: bool, o: Range<usize>, n: Range<usize>) {
    if o.is_empty() && n.is_empty() {
        return;
    }
    match hunks.last_mut() {
        Some(last) if last.equal == equal => {
            last.old.end = o.end;
            last.new.end = n.end;
        }
        _ => hunks.push(Hunk { equal, old: o, new: n }),
    }
}

/// Fold tiny equal islands ("the", ",") between two changes into one
/// change: "[-a b-] the [-c-]" reads worse than one replaced phrase, and
/// the islands make a reworded sentence look shredded.
/// The display form of a word diff: islands folded in.
pub fn cleanup(hunks: &[Hunk], old: &Tokens<'_>) -> Vec<Hunk> {
    let mut out: Vec<Hunk> = Vec::with_capacity(hunks.len());
    let mut i = 0;
    while i < hunks.len() {
        let h = hunks[i].clone();
        let is_island = h.equal
            && i > 0
            && i + 1 < hunks.len()
            && !hunks[i + 1].equal
            && out.last().is_some_and(|l: &Hunk| !l.equal)
            && is_small_island(&h, old);
        if is_island {
            let next = &hunks[i + 1];
            let prev = out.last().cloned().unwrap_or(h.clone());
            let sides = (next.old.end - prev.old.start, next.new.end - prev.new.start);
            if sides.0 >= 3 && sides.1 >= 3 {
                let last = out.last_mut().expect("checked above");
                last.old.end = next.old.end;
                last.new.end = next.new.end;
                i += 2;
                continue;
            }
        }
        match out.last_mut() {
            Some(last) if !last.equal && !h.equal => {
                last.old.end = h.old.end;
                last.new.end = h.new.end;
            }
            _ => out.push(h),
        }
        i += 1;
    }
    out
}

fn is_small_island(h: &Hunk, old: &Tokens<'_>) -> bool {
    let n = h.old.len();
    n == 1 && {
        let t = old.toks[h.old.start];
        !t.word || t.end() - t.start() <= 4
    }
}

/// A one-for-one swap found in a changed hunk: at most this many words per
/// side, and at least one on each.
const MAX_SUBSTITUTION_WORDS: usize = 4;

/// The substitution a changed hunk represents, if it is one: the old and
/// new phrases (content without surrounding whitespace).
pub fn substitution<'a>(
    h: &Hunk,
    old: &Tokens<'_>,
    new: &Tokens<'_>,
    old_text: &'a str,
    new_text: &'a str,
) -> Option<(&'a str, &'a str)> {
    if h.equal || h.old.is_empty() || h.new.is_empty() {
        return None;
    }
    let (ow, nw) = (old.words_in(h.old.clone()), new.words_in(h.new.clone()));
    let (ot, nt) = (h.old.len(), h.new.len());
    if ow > MAX_SUBSTITUTION_WORDS
        || nw > MAX_SUBSTITUTION_WORDS
        || ot > 2 * MAX_SUBSTITUTION_WORDS
        || nt > 2 * MAX_SUBSTITUTION_WORDS
    {
        return None;
    }
    let os = phrase(&old.toks[h.old.clone()], old_text);
    let ns = phrase(&new.toks[h.new.clone()], new_text);
    (!os.is_empty() && !ns.is_empty()).then_some((os, ns))
}

fn phrase<'a>(toks: &[Token], text: &'a str) -> &'a str {
    let start = toks.iter().find(|t| t.end() > t.start()).map_or(0, |t| t.start());
    let end = toks.iter().rev().find(|t| t.end() > t.start()).map_or(0, |t| t.end());
    if end > start {
        &text[start..end]
    } else {
        ""
    }
}

/// A whole text as interned tokens: the unit tests' way in (the vectors
/// are leaked, which is harmless in a test and keeps the view `'static`).
#[cfg(test)]
pub(crate) fn toks(text: &str, int: &mut Interner) -> Tokens<'static> {
    let toks = super::tokenize::tokenize(text, 0..text.len());
    let ids: Vec<u32> = toks.iter().map(|t| int.id(t.content(text))).collect();
    Tokens { toks: Vec::leak(toks), ids: Vec::leak(ids) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subs(a: &str, b: &str) -> Vec<(String, String)> {
        let mut int = Interner::default();
        let (ta, tb) = (toks(a, &mut int), toks(b, &mut int));
        diff_tokens(&ta, &tb)
            .iter()
            .filter_map(|h| substitution(h, &ta, &tb, a, b))
            .map(|(x, y)| (x.to_string(), y.to_string()))
            .collect()
    }

    #[test]
    fn finds_synonym_swaps() {
        let got = subs(
            "Lukashenko, met his last ally standing Monday, Russia’s Vladimir Putin, said the aide.",
            "Lukashenko, has actually fulfilled his last ally standing Monday, Russia’s Vladimir Putin, stated the aide.",
        );
        assert_eq!(got, [("met".into(), "has actually fulfilled".into()), ("said".into(), "stated".into())]);
    }

    #[test]
    fn typography_matches_as_equal() {
        let mut int = Interner::default();
        let (a, b) = ("the mayor's “plan”", "the mayor’s \"plan\"");
        let (ta, tb) = (toks(a, &mut int), toks(b, &mut int));
        let h = diff_tokens(&ta, &tb);
        assert!(h.iter().all(|h| h.equal), "{h:?}");
    }

    /// The packed fast path gives the ids the folded path gives.
    #[test]
    fn plain_tokens_intern_as_their_folded_form() {
        let toks =
            ["a", "ab", "-", "--", "---", "a-b", "`", "``", "“", "it’s", "it's", "Straße", "1234567", "12345678", ""];
        let mut fast = Interner::default();
        let mut slow = Interner::default();
        for t in toks.iter().chain(toks.iter().rev()) {
            let key = fold_token(t);
            let b = key.as_bytes();
            let expect = if b.len() <= 7 {
                let packed = b.iter().enumerate().fold((b.len() as u64) << 56, |k, (i, &x)| k | (x as u64) << (8 * i));
                let next = (slow.short.len() + slow.long.len()) as u32;
                *slow.short.entry(packed).or_insert(next)
            } else {
                let next = (slow.short.len() + slow.long.len()) as u32;
                *slow.long.entry(key.into_owned().into_boxed_str()).or_insert(next)
            };
            assert_eq!(fast.id(t), expect, "{t:?}");
        }
    }

    #[test]
    fn tiny_islands_merge_into_one_change() {
        let mut int = Interner::default();
        let (a, b) = ("alpha beta the gamma delta end", "one two the three four end");
        let (ta, tb) = (toks(a, &mut int), toks(b, &mut int));
        let h = cleanup(&diff_tokens(&ta, &tb), &ta);
        assert_eq!(h.len(), 2, "{h:?}");
        assert!(!h[0].equal && h[1].equal);
    }
}
