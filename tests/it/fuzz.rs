//! Time-bounded fuzzing of the diff engine (issue 6): random text pairs,
//! built from fragments biased towards Unicode and layout edge cases and
//! then mutated (edits, moves, duplications, NFC→NFD, curly quotes, CRLF),
//! plus fully random strings. For every pair the diff must not panic, must
//! be lossless (equal+delete ops rebuild the old text, equal+insert the new
//! one), must point at the right bytes, and every renderer must cope.
//!
//! `REDLINE_FUZZ_SECS` sets the time budget (default 20 s, for CI); run it
//! longer by hand, e.g.
//! `REDLINE_FUZZ_SECS=1800 cargo test --release --test it fuzz -- --nocapture`.
//! `REDLINE_FUZZ_SEED` replays a run (the seed is printed).

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use redline::core::{diff, text_stats, DiffOptions, OpKind};
use redline::render::{self, ColorMode, Format, Layout, RenderOptions, Side};
use std::cell::Cell;
use std::time::{Duration, Instant};
use unicode_normalization::UnicodeNormalization;

/// Fragments that have broken text tools before.
const PIECES: &[&str] = &[
    "The",
    "council",
    "said",
    "budget",
    "the",
    "mayor",
    "would",
    "pass",
    "protests",
    "people",
    ".",
    ",",
    ";",
    ":",
    "?",
    "!",
    " ",
    " ",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\n\n\n",
    "\r\n",
    "\r\n\r\n",
    "\r",
    "\t",
    "\u{a0}",
    "\u{2028}",
    "\u{2029}",
    "\u{200b}",
    "\u{200d}",
    "\u{feff}",
    "\u{ad}",
    "e\u{301}",
    "\u{e9}",
    "\u{1e9b}\u{323}",
    "a\u{308}\u{308}\u{308}\u{308}",
    "\u{301}",
    "👩\u{200d}👩\u{200d}👧",
    "🇺🇦",
    "🇺",
    "👍🏽",
    "𝔘𝔫𝔦",
    "😀",
    "שלום עולם",
    "مرحبا",
    "\u{202e}",
    "\u{2066}",
    "日本語の文章。",
    "中文，标点！",
    "ไทยภาษา",
    "한국어",
    "“",
    "”",
    "‘",
    "’",
    "'",
    "\"",
    "«",
    "»",
    "—",
    "–",
    "-",
    "…",
    "...",
    "Dr.",
    "U.S.",
    "Mr. Smith.",
    "$3.5",
    "1,000",
    "100,000",
    "e.g.",
    "3.14",
    "\u{1b}[2J",
    "\u{1b}]0;x\u{7}",
    "\u{9b}",
    "\u{7f}",
    "\u{1}",
    "\u{fffd}",
    "Ǆ",
    "ß",
    "İ",
    "ﬁ",
    "Ａ",
    "ﾊ",
    "\u{10ffff}",
    "\u{e000}",
    "<b>",
    "&amp;",
    "{+x+}",
    "[-y-]",
    "*",
    "#",
    "Ω",
    "ς",
    "ᾳ",
];

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, usize),
    Delete(usize, usize),
    Replace(usize, usize),
    /// Move the range at .0 of length .1 to .2.
    Move(usize, usize, usize),
    Duplicate(usize, usize, usize),
}

#[derive(Debug, Clone)]
struct Plan {
    old: Vec<usize>,
    mutations: Vec<Mutation>,
    nfd: bool,
    curly: bool,
    crlf: bool,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Insert(a, b)),
        (any::<usize>(), 1..8usize).prop_map(|(a, b)| Mutation::Delete(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Replace(a, b)),
        (any::<usize>(), 1..20usize, any::<usize>()).prop_map(|(a, b, c)| Mutation::Move(a, b, c)),
        (any::<usize>(), 1..20usize, any::<usize>()).prop_map(|(a, b, c)| Mutation::Duplicate(a, b, c)),
    ]
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        prop::collection::vec(0..PIECES.len(), 0..120),
        prop::collection::vec(mutation(), 0..12),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(old, mutations, nfd, curly, crlf)| Plan { old, mutations, nfd, curly, crlf })
}

fn build(p: &Plan) -> (String, String) {
    let old: String = p.old.iter().map(|&i| PIECES[i]).collect();
    let mut v = p.old.clone();
    for m in &p.mutations {
        let n = v.len();
        match *m {
            Mutation::Insert(at, piece) => v.insert(at % (n + 1), piece % PIECES.len()),
            Mutation::Delete(at, len) if n > 0 => {
                let at = at % n;
                v.drain(at..(at + len).min(n));
            }
            Mutation::Replace(at, piece) if n > 0 => v[at % n] = piece % PIECES.len(),
            Mutation::Move(at, len, to) if n > 0 => {
                let at = at % n;
                let taken: Vec<usize> = v.drain(at..(at + len).min(n)).collect();
                let to = to % (v.len() + 1);
                v.splice(to..to, taken);
            }
            Mutation::Duplicate(at, len, to) if n > 0 => {
                let at = at % n;
                let copy: Vec<usize> = v[at..(at + len).min(n)].to_vec();
                let to = to % (n + 1);
                v.splice(to..to, copy);
            }
            _ => {}
        }
    }
    let mut new: String = v.iter().map(|&i| PIECES[i]).collect();
    if p.nfd {
        new = new.nfd().collect();
    }
    if p.curly {
        new = new.replace('"', "\u{201c}").replace('\'', "\u{2019}");
    }
    if p.crlf {
        new = new.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    (old, new)
}

/// Char-level edits of a random string.
fn char_edits() -> impl Strategy<Value = (String, String)> {
    (any::<String>(), prop::collection::vec((any::<usize>(), any::<char>(), 0..3u8), 0..10)).prop_map(|(s, edits)| {
        let mut chars: Vec<char> = s.chars().collect();
        for (at, c, kind) in edits {
            let n = chars.len();
            match kind {
                0 => chars.insert(at % (n + 1), c),
                1 if n > 0 => {
                    chars.remove(at % n);
                }
                _ if n > 0 => chars[at % n] = c,
                _ => {}
            }
        }
        (s, chars.into_iter().collect())
    })
}

fn pairs() -> impl Strategy<Value = (String, String)> {
    prop_oneof![
        6 => plan().prop_map(|p| build(&p)),
        2 => char_edits(),
        1 => (any::<String>(), any::<String>()),
        1 => plan().prop_map(|p| { let (a, _) = build(&p); (a.clone(), a) }),
    ]
}

fn check(a: &str, b: &str) -> Result<(), TestCaseError> {
    let opts = DiffOptions::default();
    for strict in [false, true] {
        let d = diff(a, b, &DiffOptions { strict, ..opts.clone() });
        prop_assert_eq!(&d.rebuild_old(), a, "old side not rebuilt");
        prop_assert_eq!(&d.rebuild_new(), b, "new side not rebuilt");
        for o in &d.ops {
            if o.op != OpKind::Insert {
                prop_assert_eq!(a.get(o.old_at..o.old_at + o.text.len()), Some(o.text), "old_at of {:?}", o);
            }
            if o.op != OpKind::Delete {
                prop_assert_eq!(b.get(o.new_at..o.new_at + o.text.len()), Some(o.text), "new_at of {:?}", o);
            }
        }
        for c in &d.changes {
            if let Some(s) = &c.old {
                prop_assert_eq!(a.get(s.clone()), c.old_text, "old span of {:?}", c.kind);
            }
            if let Some(s) = &c.new {
                prop_assert_eq!(b.get(s.clone()), c.new_text, "new span of {:?}", c.kind);
            }
        }
        if a == b {
            prop_assert_eq!(d.stats.words_added + d.stats.words_removed, 0);
        }
        let side = Side::default();
        for format in [Format::Terminal, Format::Json, Format::Critic, Format::Html] {
            for layout in [Layout::Inline, Layout::SideBySide, Layout::Stat] {
                for color in [ColorMode::Plain, ColorMode::Ansi] {
                    let ro = RenderOptions { format, layout, color, width: 60, context: 1, strict };
                    let mut out = Vec::new();
                    render::render(&mut out, &d, &side, &side, &ro).map_err(|e| TestCaseError::fail(e.to_string()))?;
                }
            }
        }
    }
    text_stats(a);
    text_stats(b);
    Ok(())
}

#[test]
fn fuzz_diff_never_panics_and_is_lossless() {
    let secs: u64 = std::env::var("REDLINE_FUZZ_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let seed: u64 = std::env::var("REDLINE_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!("fuzz: {secs}s budget, REDLINE_FUZZ_SEED={seed}");
    let budget = Duration::from_secs(secs);
    let started = Instant::now();
    let execs = Cell::new(0u64);
    let mut batch = 0u64;
    while started.elapsed() < budget {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(&batch.to_le_bytes());
        let config = Config { cases: 64, failure_persistence: None, ..Config::default() };
        let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key));
        let result = runner.run(&pairs(), |(a, b)| {
            execs.set(execs.get() + 1);
            check(&a, &b)
        });
        if let Err(e) = result {
            panic!("fuzz failure (seed {seed}, batch {batch}): {e}");
        }
        batch += 1;
    }
    eprintln!("fuzz: {} executions in {:.1}s, no failure", execs.get(), started.elapsed().as_secs_f64());
    assert!(execs.get() > 0);
}
