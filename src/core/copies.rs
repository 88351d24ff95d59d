//! Finding copies across an archive: which texts share enough words to be
//! worth a diff, and what the diff says about them (copy, spun copy,
//! quotes shared, unrelated).
//!
//! A synonym spinner breaks word n-grams (shingles) every few words, so
//! candidates come from shared *words* instead: each text's set of longer
//! words (4+ letters, lower-cased), an inverted index over them, and the
//! overlap of two sets relative to the smaller one (a copy may be a part
//! of a longer text). Words that occur in very many texts say nothing
//! about copying and would make the pass quadratic, so they are skipped.
//! The engine then judges each candidate pair.

use super::flags::quoted;
use super::model::{ChangeKind, Diff, OpKind};
use super::tokenize::count_words;
use rustc_hash::FxHashMap;
use serde::Serialize;

/// Tuning for [`candidates`].
#[derive(Debug, Clone)]
pub struct CandidateOptions {
    /// Shared words over the smaller text's words needed to be a candidate.
    pub min_overlap: f32,
    /// A word in more than this many texts is ignored (see module docs).
    pub max_df: usize,
}

impl Default for CandidateOptions {
    fn default() -> Self {
        CandidateOptions { min_overlap: 0.3, max_df: 200 }
    }
}

/// Two texts worth diffing, by index, `a < b`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub a: usize,
    pub b: usize,
    /// Shared words over the smaller text's distinct words.
    pub overlap: f32,
}

/// Pairs of `texts` that share enough words; with `focus`, only pairs that
/// include that text. Sorted by overlap, highest first, then by index, so
/// the order never depends on hashing.
pub fn candidates(texts: &[&str], focus: Option<usize>, opts: &CandidateOptions) -> Vec<Candidate> {
    let mut ids: FxHashMap<String, u32> = FxHashMap::default();
    let sets: Vec<Vec<u32>> = texts.iter().map(|t| word_set(t, &mut ids)).collect();
    let mut postings: Vec<Vec<u32>> = vec![Vec::new(); ids.len()];
    for (d, set) in sets.iter().enumerate() {
        for &w in set {
            postings[w as usize].push(d as u32);
        }
    }
    let cap = opts.max_df.max(2);
    let mut out = Vec::new();
    let mut shared = vec![0u32; texts.len()];
    let mut touched = Vec::new();
    for a in 0..texts.len() {
        for &w in &sets[a] {
            let p = &postings[w as usize];
            if p.len() > cap {
                continue;
            }
            for &b in p {
                let b = b as usize;
                let wanted = match focus {
                    Some(f) => (a == f) != (b == f) && b > a,
                    None => b > a,
                };
                if wanted {
                    if shared[b] == 0 {
                        touched.push(b);
                    }
                    shared[b] += 1;
                }
            }
        }
        for b in touched.drain(..) {
            let smaller = sets[a].len().min(sets[b].len()).max(1);
            let overlap = shared[b] as f32 / smaller as f32;
            if overlap >= opts.min_overlap {
                out.push(Candidate { a, b, overlap });
            }
            shared[b] = 0;
        }
    }
    out.sort_by(|x, y| y.overlap.total_cmp(&x.overlap).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
    out
}

/// Distinct words of 4+ letters, lower-cased, as ids.
fn word_set(text: &str, ids: &mut FxHashMap<String, u32>) -> Vec<u32> {
    let mut set: Vec<u32> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(|w| {
            let key = w.to_lowercase();
            let next = ids.len() as u32;
            *ids.entry(key).or_insert(next)
        })
        .collect();
    set.sort_unstable();
    set.dedup();
    set
}

/// What one text is to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// Most of the text is the other's, words kept.
    #[serde(rename = "copy")]
    Copy,
    /// Most of the text is the other's, with words swapped for synonyms.
    #[serde(rename = "spun copy")]
    SpunCopy,
    /// Little in common but quotations: two reports of the same words.
    #[serde(rename = "quotes shared")]
    QuotesShared,
    /// Nothing worth naming.
    #[serde(rename = "unrelated")]
    Unrelated,
}

impl Verdict {
    /// As output spells it.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Copy => "copy",
            Verdict::SpunCopy => "spun copy",
            Verdict::QuotesShared => "quotes shared",
            Verdict::Unrelated => "unrelated",
        }
    }
}

/// Share of the copy's words that must be kept or swapped from the source.
pub const COPY_SHARED: f64 = 0.5;
/// Word swaps per 100 shared words from which a copy counts as spun.
pub const SPIN_PER_100: f64 = 1.0;
/// Fewest word swaps for a spun copy (one or two are ordinary edits).
pub const SPIN_MIN: usize = 3;
/// Unchanged words inside quotation marks that make two texts share quotes.
pub const QUOTE_WORDS: usize = 8;

/// The numbers behind a [`Verdict`], from a diff of source → copy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    pub verdict: Verdict,
    /// Share of the copy's words kept from the source or swapped for a
    /// synonym.
    pub shared: f64,
    /// The diff's word similarity.
    pub similarity: f64,
    /// One-for-one word swaps, in all.
    pub substitutions: usize,
    /// Swaps per 100 shared words.
    pub spin_per_100: f64,
    /// Unchanged words that sit inside quotation marks in the copy.
    pub quoted_words_shared: usize,
    /// Words of the copy's units that are not in the source.
    pub words_added: usize,
}

/// Judge a diff of `source → copy`.
pub fn judge(diff: &Diff) -> Judgement {
    let new_words = count_words(diff.new_text);
    let added: usize = diff
        .changes
        .iter()
        .filter(|c| matches!(c.kind, ChangeKind::Added | ChangeKind::Duplicated))
        .filter_map(|c| c.new_text)
        .map(count_words)
        .sum();
    // Kept words plus the words swapped in: what the copy owes the source.
    // (Counting whole paired units would credit a sentence that shares
    // three words with the source.)
    let swapped: usize = diff.substitutions.iter().map(|s| s.count * count_words(s.new)).sum();
    let paired = (diff.stats.words_unchanged + swapped).min(new_words);
    let shared = if new_words == 0 { 0.0 } else { paired as f64 / new_words as f64 };
    let substitutions: usize = diff.substitutions.iter().map(|s| s.count).sum();
    let spin_per_100 = if paired == 0 { 0.0 } else { 100.0 * substitutions as f64 / paired as f64 };
    let quoted_words_shared = quoted_equal_words(diff);
    let verdict = if shared >= COPY_SHARED && substitutions >= SPIN_MIN && spin_per_100 >= SPIN_PER_100 {
        Verdict::SpunCopy
    } else if shared >= COPY_SHARED {
        Verdict::Copy
    } else if quoted_words_shared >= QUOTE_WORDS {
        Verdict::QuotesShared
    } else {
        Verdict::Unrelated
    };
    Judgement {
        verdict,
        shared: round3(shared),
        similarity: diff.stats.similarity,
        substitutions,
        spin_per_100: round3(spin_per_100),
        quoted_words_shared,
        words_added: added,
    }
}

/// Words kept unchanged that lie inside quotation marks of the copy.
fn quoted_equal_words(diff: &Diff) -> usize {
    let text = diff.new_text;
    let quotes = quoted(text, 0..text.len());
    let mut n = 0;
    for op in diff.ops.iter().filter(|o| o.op == OpKind::Equal) {
        let span = op.new_at..op.new_at + op.text.len();
        for q in &quotes {
            let (s, e) = (span.start.max(q.start), span.end.min(q.end));
            if s < e {
                n += count_words(&text[s..e]);
            }
        }
    }
    n
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{diff, DiffOptions};

    const SOURCE: &str = "City officials said the bridge would open in June after a long delay.\n\nThe mayor said residents had waited patiently for the new crossing.\n\nWorkers finished the final span last week, according to the council.\n";
    const SPUN: &str = "Town officials stated the bridge would open in June after a lengthy delay.\n\nThe mayor stated residents had waited patiently for the brand-new crossing.\n\nBuy cheap watches today at our partner store!\n\nWorkers completed the final span recently, according to the council.\n";
    const OTHER: &str = "Rain is expected across the region tomorrow with strong winds along the coast.\n";
    const QUOTER: &str = "At a rally, a speaker repeated \"residents had waited patiently for the new crossing\" to cheers.\n\nThe weather was cold and rainy throughout the afternoon.\n";

    #[test]
    fn the_spun_copy_is_a_candidate_and_the_weather_is_not() {
        let c = candidates(&[SOURCE, SPUN, OTHER], None, &CandidateOptions::default());
        assert_eq!(c.iter().map(|c| (c.a, c.b)).collect::<Vec<_>>(), vec![(0, 1)], "{c:?}");
        let focused = candidates(&[SOURCE, SPUN, OTHER], Some(2), &CandidateOptions::default());
        assert!(focused.is_empty());
    }

    #[test]
    fn verdicts_follow_the_numbers() {
        let opts = DiffOptions::default();
        let j = judge(&diff(SOURCE, SPUN, &opts));
        assert_eq!(j.verdict, Verdict::SpunCopy, "{j:?}");
        assert!(j.substitutions >= 3 && j.words_added >= 7, "{j:?}");
        assert_eq!(judge(&diff(SOURCE, SOURCE, &opts)).verdict, Verdict::Copy);
        assert_eq!(judge(&diff(SOURCE, OTHER, &opts)).verdict, Verdict::Unrelated);
        let q = judge(&diff(SOURCE, QUOTER, &opts));
        assert_eq!(q.verdict, Verdict::QuotesShared, "{q:?}");
    }
}
