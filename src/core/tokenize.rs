//! Words and punctuation as tokens, with the whitespace after each token
//! attached to it (so whitespace never decides a match, yet no byte is lost).
//!
//! Word boundaries follow Unicode (UAX #29): `don't`, `U.S`, `1,000` and
//! `3.5` are single words, while punctuation is a token of its own, so
//! `Officials,` → `Officials` changes only the comma. Pure-ASCII spans take
//! a hand-written fast path that applies the same rules, because
//! `unicode-segmentation` alone costs more than git's whole word diff on a
//! book (see ../shared/notes/crates.md).

use super::model::Span;
use unicode_segmentation::UnicodeSegmentation;

/// One token: `text[start..end]` is the word or punctuation, and
/// `text[end..ws_end]` the whitespace that follows it. A span that begins
/// with whitespace yields a first token with `start == end`.
///
/// Offsets are kept as `u32` (16 bytes a token instead of 32: a spun book
/// has 400,000 tokens, and their pages are a good part of a diff's cost),
/// so texts must be under 4 GiB; [`crate::core::diff`] replaces larger
/// texts whole without tokenizing them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    start: u32,
    end: u32,
    ws_end: u32,
    pub word: bool,
}

/// The largest text whose offsets fit a [`Token`].
pub const MAX_TEXT: usize = u32::MAX as usize;

impl Token {
    fn new(start: usize, end: usize, ws_end: usize, word: bool) -> Token {
        Token { start: start as u32, end: end as u32, ws_end: ws_end as u32, word }
    }

    /// Where the word or punctuation starts.
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// Where it ends (and its whitespace starts).
    pub fn end(&self) -> usize {
        self.end as usize
    }

    /// Where the whitespace after it ends.
    pub fn ws_end(&self) -> usize {
        self.ws_end as usize
    }

    pub fn content<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start()..self.end()]
    }
}

/// Tokens of `text[span]`, tiling the span exactly.
pub fn tokenize(text: &str, span: Span) -> Vec<Token> {
    let mut out = Vec::with_capacity((span.end - span.start) / 5 + 1);
    tokenize_into(text, span, &mut out);
    out
}

/// As [`tokenize`], appending to `out` (reusing its allocation).
///
/// Works line by line so that the ASCII fast path still applies to the
/// ASCII lines of a text that has a few curly quotes elsewhere: words never
/// span whitespace, so the cut points are safe.
pub fn tokenize_into(text: &str, span: Span, out: &mut Vec<Token>) {
    let s = &text[span.clone()];
    let base = span.start;
    let lead = s.len() - s.trim_start().len();
    if lead > 0 {
        out.push(Token::new(base, base, base + lead, false));
    }
    let mut pos = lead;
    while pos < s.len() {
        let end = piece_end(s, pos);
        let piece = &s[pos..end];
        if piece.is_ascii() {
            ascii_tokens(piece.as_bytes(), base + pos, 0, out);
        } else {
            for_parts(piece, |a, b, fast| {
                if fast {
                    ascii_tokens(&piece.as_bytes()[a..b], base + pos + a, 0, out);
                } else {
                    unicode_tokens(&piece[a..b], base + pos + a, 0, out);
                }
            });
        }
        pos = end;
    }
}

/// End of the line starting at `pos`, extended over the whitespace that
/// follows, so the next piece starts with a token.
fn piece_end(s: &str, pos: usize) -> usize {
    let b = s.as_bytes();
    let mut end = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |i| pos + i + 1);
    let rest = &s[end..];
    end += rest.len() - rest.trim_start().len();
    end
}

/// Number of word tokens in `s`.
///
/// Equal to the number of tokens with `word` set that [`tokenize`] would
/// give, piece by piece; pure-ASCII text (the common case) takes one
/// branch-free byte loop.
pub fn count_words(s: &str) -> usize {
    let b = s.as_bytes();
    let (mut n, mut done) = (0, 0);
    // ASCII stretches are counted in bulk; only the pieces (lines) holding
    // a non-ASCII byte go through the piece-by-piece Unicode path.
    while let Some(k) = first_non_ascii(&b[done..]).map(|i| done + i) {
        let Some(start) = piece_start_before(s, done, k) else {
            return n + count_pieces(s, done, s.len());
        };
        n += count_ascii_words(&b[done..start]);
        let mut end = start;
        while end <= k {
            end = piece_end(s, end);
        }
        n += count_pieces(s, start, end);
        done = end;
    }
    n + count_ascii_words(&b[done..])
}

/// Words in `s[from..to]`, piece by piece (`from` and `to` are piece
/// boundaries).
fn count_pieces(s: &str, from: usize, to: usize) -> usize {
    let (mut n, mut pos) = (0, from);
    while pos < to {
        let end = piece_end(s, pos);
        let piece = &s[pos..end];
        if piece.is_ascii() {
            n += count_ascii_words(piece.as_bytes());
        } else {
            for_parts(piece, |a, b, fast| {
                n += if fast { count_ascii_words(&piece.as_bytes()[a..b]) } else { count_unicode_words(&piece[a..b]) };
            });
        }
        pos = end;
    }
    n
}

/// The start of the piece holding byte `k`, where pieces are cut as
/// [`piece_end`] cuts them from `from` (itself a piece start): just after a
/// line break and the whitespace that follows it. `None` when `k` sits in
/// such whitespace (the caller then walks the pieces one by one).
fn piece_start_before(s: &str, from: usize, k: usize) -> Option<usize> {
    let Some(q) = memchr::memrchr(b'\n', &s.as_bytes()[from..k]).map(|i| from + i) else {
        return Some(from);
    };
    let rest = &s[q + 1..];
    let f = q + 1 + (rest.len() - rest.trim_start().len());
    (f <= k).then_some(f)
}

/// Index of the first byte >= 0x80, checking 32 bytes at a time.
fn first_non_ascii(b: &[u8]) -> Option<usize> {
    let mut at = 0;
    for chunk in b.chunks(32) {
        if !chunk.is_ascii() {
            return chunk.iter().position(|&x| x >= 0x80).map(|i| at + i);
        }
        at += chunk.len();
    }
    None
}

/// Byte classes for [`count_ascii_words`].
const WORD: u8 = 1;
const LETTER: u8 = 2;
const DIGIT: u8 = 4;
/// Joins two letters into one word (`don't`, `U.S`).
const JOINS_LETTERS: u8 = 8;
/// Joins two digits into one word (`1,000`, `3.5`).
const JOINS_DIGITS: u8 = 16;

const fn word_classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphabetic() {
            t[c] = WORD | LETTER;
        } else if b.is_ascii_digit() {
            t[c] = WORD | DIGIT;
        } else if b == b'_' {
            t[c] = WORD;
        }
        c += 1;
    }
    t[b'\'' as usize] = JOINS_LETTERS | JOINS_DIGITS;
    t[b'.' as usize] = JOINS_LETTERS | JOINS_DIGITS;
    t[b',' as usize] = JOINS_DIGITS;
    t[b';' as usize] = JOINS_DIGITS;
    t
}

static WORD_CLASS: [u8; 256] = word_classes();

/// Words in ASCII text: a word starts at a word byte that neither follows
/// one nor continues one across a joiner ([`ascii_word_end`]'s rule, which
/// only looks at the two bytes before), so counting needs no branches.
fn count_ascii_words(b: &[u8]) -> usize {
    let (mut n, mut c2, mut c1) = (0usize, 0u8, 0u8);
    for &x in b {
        let c = WORD_CLASS[x as usize];
        let both = c2 & c;
        let joined =
            ((both & LETTER != 0) & (c1 & JOINS_LETTERS != 0)) | ((both & DIGIT != 0) & (c1 & JOINS_DIGITS != 0));
        n += ((c & WORD != 0) & (c1 & WORD == 0) & !joined) as usize;
        c2 = c1;
        c1 = c;
    }
    n
}

/// The parts of a piece holding non-ASCII text, as `f(start, end, fast)`:
/// cut where an ASCII byte other than whitespace follows ASCII whitespace.
/// UAX #29 always breaks words there, and none of its rules looks across
/// such a break (the ones that look ahead or back need a letter, digit or
/// joiner next to it), so each part tokenizes alone as it does in the
/// piece. `fast` marks a part the ASCII path may take: ASCII, without the
/// three bytes the paths treat apart (`_` alone is a word only on the ASCII
/// path; `:` joins letters and vertical tab is whitespace only on the
/// Unicode one). A line with one curly quote then costs the Unicode
/// segmenter one word, not the line.
fn for_parts(piece: &str, mut f: impl FnMut(usize, usize, bool)) {
    let b = piece.as_bytes();
    let space = |c: u8| matches!(c, b' ' | b'\t'..=b'\r');
    let (mut start, mut fast) = (0, true);
    for (i, &c) in b.iter().enumerate() {
        if i > start && c < 0x80 && !space(c) && space(b[i - 1]) {
            f(start, i, fast);
            (start, fast) = (i, true);
        }
        fast &= c < 0x80 && !matches!(c, b'_' | b':' | 0x0b);
    }
    f(start, b.len(), fast);
}

fn count_unicode_words(s: &str) -> usize {
    s.split_word_bounds().filter(|w| w.chars().any(char::is_alphanumeric)).count()
}

#[inline]
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// End of the ASCII word starting at `i`, joining `'` and `.` between
/// letters and `,` `.` `;` `'` between digits, as UAX #29 does.
#[inline]
fn ascii_word_end(b: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < b.len() {
        let c = b[i];
        if is_word_byte(c) {
            i += 1;
            continue;
        }
        if i + 1 < b.len() {
            let (p, n) = (b[i - 1], b[i + 1]);
            let letters = p.is_ascii_alphabetic() && n.is_ascii_alphabetic() && (c == b'\'' || c == b'.');
            let digits = p.is_ascii_digit() && n.is_ascii_digit() && matches!(c, b',' | b'.' | b';' | b'\'');
            if letters || digits {
                i += 2;
                continue;
            }
        }
        break;
    }
    i
}

fn ascii_tokens(b: &[u8], base: usize, mut i: usize, out: &mut Vec<Token>) {
    while i < b.len() {
        let c = b[i];
        let (end, word) = if is_word_byte(c) {
            (ascii_word_end(b, i), true)
        } else if c == b'-' || c == b'.' {
            // Runs of hyphens ("--") and dots ("...") are one token, so
            // they can fold to "—" and "…".
            let mut j = i + 1;
            while j < b.len() && b[j] == c {
                j += 1;
            }
            (j, false)
        } else {
            (i + 1, false)
        };
        let mut ws = end;
        while ws < b.len() && b[ws].is_ascii_whitespace() {
            ws += 1;
        }
        out.push(Token::new(base + i, base + end, base + ws, word));
        i = ws;
    }
}

fn unicode_tokens(s: &str, base: usize, lead: usize, out: &mut Vec<Token>) {
    // Tokens before `first` belong to an earlier span (or are the leading
    // whitespace token): never extend them.
    let first = out.len();
    for (at, piece) in s[lead..].split_word_bound_indices() {
        let start = base + lead + at;
        let end = start + piece.len();
        if out.len() > first && piece.chars().all(char::is_whitespace) {
            if let Some(last) = out.last_mut() {
                last.ws_end = end as u32;
            }
            continue;
        }
        let word = piece.chars().any(char::is_alphanumeric);
        if out.len() > first && !word && is_run_char(piece) {
            if let Some(last) = out.last_mut() {
                // Merge runs of the same dot or dash, as on the ASCII path.
                let joinable = !last.word && last.end == last.ws_end && last.end > last.start;
                if joinable && s[last.start() - base..last.end() - base].starts_with(piece) {
                    last.end = end as u32;
                    last.ws_end = end as u32;
                    continue;
                }
            }
        }
        out.push(Token::new(start, end, end, word));
    }
}

fn is_run_char(p: &str) -> bool {
    p == "-" || p == "."
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        tokenize(s, 0..s.len()).iter().map(|t| t.content(s)).collect()
    }

    #[test]
    fn punctuation_is_its_own_token() {
        assert_eq!(words("Officials, said."), ["Officials", ",", "said", "."]);
        assert_eq!(words("Officials said"), ["Officials", "said"]);
    }

    #[test]
    fn ascii_and_unicode_paths_agree() {
        let ascii = "He said don't -- the U.S. paid $1,000.50 for 3.5 e-mails... (really)";
        let uni = format!("{ascii} é");
        let a = words(ascii);
        let u = words(&uni);
        assert_eq!(&u[..u.len() - 1], &a[..]);
        assert_eq!(a.iter().filter(|w| **w == "--").count(), 1);
    }

    #[test]
    fn tokens_tile_the_span() {
        for s in ["  lead and trail  ", "a\n\nb", "", "   ", "“Quote,” she said.\r\n", "x\u{301}y 🙂 ok"] {
            let toks = tokenize(s, 0..s.len());
            let mut at = 0;
            for t in &toks {
                assert_eq!(t.start(), at, "{s:?}");
                assert!(t.start() <= t.end() && t.end() <= t.ws_end());
                at = t.ws_end();
            }
            assert_eq!(at, s.len(), "{s:?}");
        }
    }

    #[test]
    fn count_matches_tokenize() {
        for s in [
            "The mayor's plan, in 2024, cost $1,000.",
            "a.b.c 1.a a.1 1,2,3 x'y 'q' ..a a.. 1;2 a;b _x_ a_b.c 9'9",
            "x\u{301}y 🙂 ok don't U.S. 3.5",
            "line one.\n  indented 2.0\n\nnext's",
            "ascii first.\n\n\u{a0}\u{a0}nbsp led line é\nthen ascii 1,000\n  \u{2003}x y\né",
            "é\n\nword\n\u{a0}\n\u{a0}é ok",
        ] {
            let want = tokenize(s, 0..s.len()).iter().filter(|t| t.word).count();
            assert_eq!(count_words(s), want, "{s:?}");
        }
    }

    #[test]
    fn bulk_count_matches_piece_by_piece() {
        let parts = ["word ", "é", "\n", "\n\n", "\u{a0}", " ", "1,000", "don't", "\u{2003}", "—", "x.", "\t"];
        let mut seed = 12345u64;
        for _ in 0..2000 {
            let mut s = String::new();
            for _ in 0..(seed % 40) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                s.push_str(parts[(seed >> 33) as usize % parts.len()]);
            }
            assert_eq!(count_words(&s), count_pieces(&s, 0, s.len()), "{s:?}");
        }
    }

    /// Tokens as they were made before pieces were cut into parts: every
    /// piece holding a non-ASCII byte went through the Unicode path whole.
    fn tokenize_by_pieces(text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let lead = text.len() - text.trim_start().len();
        if lead > 0 {
            out.push(Token::new(0, 0, lead, false));
        }
        let mut pos = lead;
        while pos < text.len() {
            let end = piece_end(text, pos);
            let piece = &text[pos..end];
            if piece.is_ascii() {
                ascii_tokens(piece.as_bytes(), pos, 0, &mut out);
            } else {
                unicode_tokens(piece, pos, 0, &mut out);
            }
            pos = end;
        }
        out
    }

    /// Words as they were counted before pieces were cut into parts.
    fn count_by_pieces(s: &str) -> usize {
        let (mut n, mut pos) = (0, 0);
        while pos < s.len() {
            let end = piece_end(s, pos);
            let piece = &s[pos..end];
            n += if piece.is_ascii() { count_ascii_words(piece.as_bytes()) } else { count_unicode_words(piece) };
            pos = end;
        }
        n
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(10000))]
        #[test]
        fn parts_tokenize_as_whole_pieces_do(
            s in "([a-zA-Z0-9_ \t\n\r\u{b}\u{c}.,;:'\"!?()$%&/-]|[é’“”—–…\u{a0}\u{85}\u{ad}\u{301}\u{345}\u{200d}\u{2003}\u{3000}🙂🇫🇷日本])*"
        ) {
            let toks = tokenize(&s, 0..s.len());
            proptest::prop_assert_eq!(&toks, &tokenize_by_pieces(&s));
            proptest::prop_assert_eq!(count_words(&s), count_by_pieces(&s));
        }
    }

    #[test]
    fn counts_words() {
        assert_eq!(count_words("The mayor's plan, in 2024, cost $1,000."), 7);
        assert_eq!(count_words("Belarus’ leader — “quoted”"), 3);
        assert_eq!(count_words(""), 0);
    }
}
