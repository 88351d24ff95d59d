//! Paragraphs of both texts, keyed and counted, where a paragraph that was
//! already seen costs a raw hash and a byte comparison, and one whose folded
//! form cannot match any other costs no folding.
//!
//! Most paragraphs of a revised text are byte for byte in the other text,
//! and some repeat within one text (`----`, `[source,console]`). A
//! paragraph's key and word count are functions of its bytes alone, so each
//! distinct paragraph is counted once, by the first copy met (the old text
//! first), and the other copies take its figures.
//!
//! Keys are only ever compared with each other, for equality: two
//! paragraphs must have equal keys exactly when their folded texts are
//! equal. A distinct ASCII paragraph whose [`FoldSig`] no other distinct
//! paragraph shares folds like no other, so any key of its own will do: a
//! hash of its raw bytes. Only paragraphs that share a fingerprint, and
//! non-ASCII ones, are folded. The keys therefore match exactly as the
//! folded keys would; only the work differs.

use super::fold::{fold_hash_with, fold_key_sig, fold_sig_ascii, FoldSig};
use super::segment::{paragraphs, Block};
use super::tokenize::count_words;
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::hash::BuildHasher;

/// One text's paragraphs with their keys and word counts.
pub struct Keyed {
    pub paras: Vec<Block>,
    pub keys: Vec<u64>,
    pub words: Vec<usize>,
}

/// Where a paragraph's figures come from.
#[derive(Clone, Copy)]
enum Src {
    /// Count (and, if need be, fold) it: the first copy of its bytes.
    Own,
    /// Copy them from this paragraph of the old (true) or new text.
    Copy(bool, usize),
}

/// A distinct paragraph's figures before keys are settled: its words, its
/// fingerprint, and its folded key when it had to be folded anyway.
#[derive(Clone, Copy)]
struct Figures {
    words: usize,
    sig: FoldSig,
    key: Option<u64>,
}

/// Mixed into a raw-bytes hash used as a key, to keep it apart from the
/// folded keys' hash function.
const RAW_KEY_SALT: u64 = 0x9e37_79b9_7f4a_7c15;

/// Above this many bytes of distinct paragraphs to count and fingerprint,
/// [`keyed_pair`] may split that pass over two threads. A lightly edited
/// book (under 1 MB distinct) runs it faster on one: measured on the book
/// pairs, the thread cost P1 9 % of its CPU time and gained no wall time,
/// while a spun book (1.8 MB distinct) gains from it. The unit tests use
/// two threads whenever allowed, so the split is tested on small texts.
#[cfg(not(test))]
const PARALLEL_DISTINCT_BYTES: usize = 1 << 20;
#[cfg(test)]
const PARALLEL_DISTINCT_BYTES: usize = 1;

/// Both texts' paragraphs, keyed and counted; `par` lets the pass over the
/// distinct paragraphs run on two threads when they are many (the result
/// does not depend on it).
pub fn keyed_pair(old: &str, new: &str, per_line: bool, par: bool) -> (Keyed, Keyed) {
    let cut = |t: &str| {
        let paras = paragraphs(t, per_line);
        let hashes: Vec<u64> = paras.iter().map(|p| FxBuildHasher.hash_one(&t.as_bytes()[p.span.clone()])).collect();
        (paras, hashes)
    };
    // Cutting is a memchr and a hash per paragraph: not worth a thread.
    let ((op, oh), (np, nh)) = (cut(old), cut(new));
    let (osrc, nsrc) = sources((old, &op, &oh), (new, &np, &nh));
    // The distinct paragraphs of both texts, cut into two halves of about
    // equal bytes for the two threads (a lightly edited book has nearly all
    // of them in the old text).
    let jobs: Vec<(bool, usize)> = (osrc.iter().enumerate().map(|(i, s)| (true, i, s)))
        .chain(nsrc.iter().enumerate().map(|(j, s)| (false, j, s)))
        .filter(|x| matches!(x.2, Src::Own))
        .map(|x| (x.0, x.1))
        .collect();
    let len = |&(is_old, i): &(bool, usize)| if is_old { op[i].span.len() } else { np[i].span.len() };
    let half = jobs.iter().map(len).sum::<usize>() / 2;
    let mut acc = 0;
    let cut_at = jobs.iter().take_while(|j| {
        acc += len(j);
        acc <= half
    });
    let mid = cut_at.count();
    let run = |part: &[(bool, usize)]| -> Vec<Figures> {
        let mut buf = Vec::new();
        part.iter()
            .map(|&(is_old, i)| if is_old { figures(old, &op[i], &mut buf) } else { figures(new, &np[i], &mut buf) })
            .collect()
    };
    let par = par && half * 2 >= PARALLEL_DISTINCT_BYTES;
    let (fa, fb) = both(par, || run(&jobs[..mid]), || run(&jobs[mid..]));
    let (mut of, mut nf): (Vec<Option<Figures>>, Vec<Option<Figures>>) = (vec![None; op.len()], vec![None; np.len()]);
    for (&(is_old, i), f) in jobs.iter().zip(fa.into_iter().chain(fb)) {
        if is_old {
            of[i] = Some(f);
        } else {
            nf[i] = Some(f);
        }
    }
    settle_keys((old, &op, &oh, &mut of), (new, &np, &nh, &mut nf));
    // Copies point at an earlier `Own` paragraph, so one pass in order fills them.
    let get = |f: &Option<Figures>| f.map(|f| (f.key.unwrap_or(0), f.words)).unwrap_or((0, 0));
    let mut ok: Vec<(u64, usize)> = of.iter().map(get).collect();
    for i in 0..ok.len() {
        if let Src::Copy(_, k) = osrc[i] {
            ok[i] = ok[k];
        }
    }
    let mut nk: Vec<(u64, usize)> = nf.iter().map(get).collect();
    for j in 0..nk.len() {
        if let Src::Copy(from_old, k) = nsrc[j] {
            nk[j] = if from_old { ok[k] } else { nk[k] };
        }
    }
    let split = |paras: Vec<Block>, f: Vec<(u64, usize)>| Keyed {
        paras,
        keys: f.iter().map(|x| x.0).collect(),
        words: f.iter().map(|x| x.1).collect(),
    };
    (split(op, ok), split(np, nk))
}

/// Words and fingerprint of one distinct paragraph; ASCII text is not
/// folded here (its fingerprint comes from the raw bytes).
fn figures(t: &str, p: &Block, buf: &mut Vec<u8>) -> Figures {
    let span = &t[p.span.clone()];
    if span.is_ascii() {
        // One pass for both: the span's bytes around its content are
        // whitespace, which the fingerprint skips.
        let (words, parts) = super::swar::words_and_sig(span.as_bytes());
        return Figures { words, sig: FoldSig::of(parts), key: None };
    }
    let words = count_words(span);
    let content = &t[p.content.clone()];
    if content.is_ascii() {
        return Figures { words, sig: fold_sig_ascii(content.as_bytes()), key: None };
    }
    let (key, sig) = fold_key_sig(content, buf);
    Figures { words, sig, key: Some(key) }
}

/// Give every distinct paragraph its key: its raw hash (salted) when no
/// other distinct paragraph shares its fingerprint, else its folded key.
fn settle_keys(
    old: (&str, &[Block], &[u64], &mut [Option<Figures>]),
    new: (&str, &[Block], &[u64], &mut [Option<Figures>]),
) {
    let mut sigs: FxHashMap<FoldSig, u32> = FxHashMap::default();
    sigs.reserve(old.3.len());
    for f in old.3.iter().chain(new.3.iter()).flatten() {
        *sigs.entry(f.sig).or_default() += 1;
    }
    let mut buf = Vec::new();
    for (t, ps, hashes, fs) in [old, new] {
        for (i, f) in fs.iter_mut().enumerate() {
            let Some(f) = f else { continue };
            if f.key.is_none() {
                f.key = Some(if sigs[&f.sig] == 1 {
                    hashes[i] ^ RAW_KEY_SALT
                } else {
                    fold_hash_with(&t[ps[i].content.clone()], &mut buf)
                });
            }
        }
    }
}

/// For each paragraph of each text, the first copy of its bytes (old text
/// first, then new), by hash and then by comparing the bytes.
fn sources(old: (&str, &[Block], &[u64]), new: (&str, &[Block], &[u64])) -> (Vec<Src>, Vec<Src>) {
    let mut first: FxHashMap<u64, (bool, usize)> = FxHashMap::default();
    first.reserve(old.1.len());
    let bytes = |is_old: bool, i: usize| {
        let (t, ps) = if is_old { (old.0, old.1) } else { (new.0, new.1) };
        &t.as_bytes()[ps[i].span.clone()]
    };
    let mut side = |is_old: bool, hashes: &[u64]| -> Vec<Src> {
        (0..hashes.len())
            .map(|i| match first.get(&hashes[i]) {
                Some(&(o, k)) if bytes(o, k) == bytes(is_old, i) => Src::Copy(o, k),
                // A different paragraph with the same hash: work it out itself.
                Some(_) => Src::Own,
                None => {
                    first.insert(hashes[i], (is_old, i));
                    Src::Own
                }
            })
            .collect()
    };
    let o = side(true, old.2);
    let n = side(false, new.2);
    (o, n)
}

/// `a()` and `b()`, on two threads when `par`.
pub(crate) fn both<A: Send, B: Send>(par: bool, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    if !par {
        return (a(), b());
    }
    std::thread::scope(|s| {
        let t = s.spawn(a);
        let rb = b();
        (t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), rb)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys must be equal exactly when the folded texts are.
    fn check(old: &str, new: &str, per_line: bool) {
        let mut buf = Vec::new();
        for par in [false, true] {
            let (o, n) = keyed_pair(old, new, per_line, par);
            let mut all = Vec::new();
            for (k, t) in [(&o, old), (&n, new)] {
                for (i, p) in k.paras.iter().enumerate() {
                    assert_eq!(k.words[i], count_words(&t[p.span.clone()]));
                    all.push((k.keys[i], fold_hash_with(&t[p.content.clone()], &mut buf)));
                }
            }
            for a in &all {
                for b in &all {
                    assert_eq!(a.0 == b.0, a.1 == b.1, "{old:?} → {new:?}");
                }
            }
        }
    }

    #[test]
    fn keys_match_exactly_when_folded_texts_do() {
        check(
            "One two.\n\n----\n\nThree “four”.\n\n----\n",
            "Three \"four\".\n\nOne two.\n\n----\n\nNew para.\n",
            false,
        );
        check("a\n\nb\n\n\na\n", "a\n\n\nb\n\nc d\n\nc  d\n\nc -- d\n\nc — d", false);
        check("====\n****\nab\nba\n", "****\nab\nab\n====\n", true);
        check("", "x\n", false);
        check("   ", "  \n\n", false);
    }

    proptest::proptest! {
        #[test]
        fn keys_match_exactly_when_folded_texts_do_on_random_texts(
            old in "([ab`'’ -]{1,4}\n\n?){0,12}",
            new in "([ab`'’ -]{1,4}\n\n?){0,12}",
        ) {
            check(&old, &new, false);
            check(&old, &new, true);
        }
    }
}
