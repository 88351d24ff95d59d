//! Deterministic prose-like text for benchmarks when `../shared/corpus` is
//! absent: Zipf-distributed words from a fixed syllable vocabulary, cut into
//! sentences and paragraphs, plus the edit patterns the benchmarks need
//! (light real-world edits, a synonym "spin" of every paragraph, unrelated
//! texts). Shared by `benches/core.rs` and `examples/textgen.rs`.

#![allow(dead_code)]

/// A small fast PRNG (xorshift64*), so runs are reproducible without a
/// dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

const SYLLABLES: &[&str] = &[
    "ba", "re", "mi", "to", "la", "shi", "con", "ver", "sa", "di", "ne", "po", "ka", "tru", "men", "dor", "ex", "in",
    "al", "ta", "lo", "ri", "ge", "mo", "pa", "st", "en", "or", "ic", "ul",
];

/// Vocabulary of `n` distinct words, most frequent first.
pub fn vocabulary(n: usize) -> Vec<String> {
    let common = [
        "the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "with", "was", "on", "be", "by", "this",
        "you", "are", "or", "from", "at", "have", "an", "but", "not", "can", "which", "file", "commit", "branch",
    ];
    let mut v: Vec<String> = common.iter().map(|s| s.to_string()).collect();
    let mut rng = Rng::new(7);
    let mut seen: std::collections::HashSet<String> = v.iter().cloned().collect();
    while v.len() < n {
        let k = 1 + rng.below(3);
        let w: String = (0..k).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect();
        if seen.insert(w.clone()) {
            v.push(w);
        }
    }
    v
}

/// The 6,000-word vocabulary every generator uses, built once per process
/// (building it per call was most of the time of `textgen jsonl` on short
/// articles: 48 s for 2,000 articles of 10 revisions).
fn vocab() -> &'static [String] {
    static V: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    V.get_or_init(|| vocabulary(6000))
}

/// Zipf-like pick: index ~ 1/rank.
fn zipf(rng: &mut Rng, n: usize) -> usize {
    let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64;
    ((n as f64).powf(u) - 1.0) as usize % n
}

/// Prose of about `bytes` bytes: paragraphs of 2–8 sentences of 6–30 words,
/// separated by blank lines, one paragraph per line.
pub fn prose(seed: u64, bytes: usize) -> String {
    let vocab = vocab();
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(bytes + 1024);
    while out.len() < bytes {
        let sentences = 2 + rng.below(7);
        for s in 0..sentences {
            if s > 0 {
                out.push(' ');
            }
            let words = 6 + rng.below(25);
            for w in 0..words {
                let word = &vocab[zipf(&mut rng, vocab.len())];
                if w == 0 {
                    let mut c = word.chars();
                    let first = c.next().map(|f| f.to_ascii_uppercase()).unwrap_or('X');
                    out.push(first);
                    out.push_str(c.as_str());
                } else {
                    out.push(' ');
                    if rng.chance(0.02) {
                        out.push('`');
                        out.push_str(word);
                        out.push('`');
                    } else {
                        out.push_str(word);
                    }
                }
                if w + 1 < words && rng.chance(0.06) {
                    out.push(',');
                }
            }
            out.push(if rng.chance(0.05) { '?' } else { '.' });
        }
        out.push_str("\n\n");
    }
    out
}

fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n").filter(|p| !p.is_empty()).map(str::to_string).collect()
}

fn join(paras: &[String]) -> String {
    let mut s = paras.join("\n\n");
    s.push_str("\n\n");
    s
}

/// A light revision, like the book's real history: about 3% of paragraphs
/// get a word changed, inserted or deleted, 1% are removed, 1% added, and a
/// few are moved.
pub fn revise(text: &str, seed: u64) -> String {
    let vocab = vocab();
    let mut rng = Rng::new(seed);
    let mut paras = paragraphs(text);
    let mut out: Vec<String> = Vec::with_capacity(paras.len());
    let mut moved = Vec::new();
    for p in paras.drain(..) {
        let r = rng.below(1000);
        if r < 10 {
            continue; // removed
        }
        if r < 20 {
            out.push(prose(rng.next(), 300).trim_end().to_string()); // added
        }
        if r < 23 {
            moved.push(p);
            continue;
        }
        if r < 60 {
            let mut words: Vec<&str> = p.split(' ').collect();
            let at = rng.below(words.len());
            let w = vocab[zipf(&mut rng, vocab.len())].as_str();
            match rng.below(3) {
                0 => words[at] = w,
                1 => words.insert(at, w),
                _ if words.len() > 3 => {
                    words.remove(at);
                }
                _ => {}
            }
            out.push(words.join(" "));
            continue;
        }
        out.push(p);
    }
    for m in moved {
        let at = rng.below(out.len().max(1));
        out.insert(at, m);
    }
    join(&out)
}

/// Every paragraph "spun": common words swapped for synonyms at random
/// (about one swap per 7 words), as in `book-spun.txt`.
pub fn spin(text: &str, seed: u64) -> String {
    let vocab = vocab();
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(text.len() + text.len() / 10);
    for (i, piece) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let bare = piece.trim_end_matches([',', '.', '?', '\n']);
        let rank = vocab.iter().take(400).position(|v| v == bare);
        match rank {
            Some(r) if r >= 31 && rng.chance(0.5) => {
                out.push_str(&vocab[400 + (r * 7 + 3) % 2000]);
                out.push_str(&piece[bare.len()..]);
            }
            _ => out.push_str(piece),
        }
    }
    out
}
