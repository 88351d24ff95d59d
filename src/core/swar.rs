//! Eight ASCII bytes at a time (SWAR: SIMD within a register), for the
//! two passes every distinct paragraph of a diff gets: its word count and
//! its fold fingerprint ([`super::fold::FoldSig`]). No `unsafe`: a chunk is
//! a `u64` read with `from_le_bytes`, so byte `i` of the chunk is bits
//! `8i..8i+8`, and every mask below marks a byte by its top bit.
//!
//! The tests check both against the byte-by-byte definitions.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Top bit set in each byte of `x` equal to `c` (bytes of `x` below 0x80).
#[inline]
fn eq(x: u64, c: u8) -> u64 {
    let t = x ^ (ONES * c as u64);
    !(t + ONES * 0x7f) & HIGH
}

/// Top bit set in each byte of `x` within `lo..=hi` (bytes below 0x80).
#[inline]
fn within(x: u64, lo: u8, hi: u8) -> u64 {
    let ge = x + ONES * (0x80 - lo as u64);
    let gt = x + ONES * (0x7f - hi as u64);
    ge & !gt & HIGH
}

/// The sum of the eight bytes of `x`.
#[inline]
fn byte_sum(x: u64) -> u64 {
    const LO: u64 = 0x00ff_00ff_00ff_00ff;
    let pairs = (x & LO) + ((x >> 8) & LO);
    pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48
}

/// Whether folding leaves the eight bytes of `x` as they are, given the
/// byte after them (`None` at the end of the text): ASCII bytes other than
/// whitespace, `-` and `` ` ``, and single spaces followed by such a byte.
/// (The caller checks what comes before the first byte.)
#[inline]
pub fn plain_for_fold(x: u64, next: Option<u8>) -> bool {
    if x & HIGH != 0 {
        return false;
    }
    let space = eq(x, b' ');
    let other_ws = within(x, b'\t', b'\r');
    // Whitespace, or the end of the text, after each byte.
    let next_ws = match next {
        Some(c) => c == b' ' || (b'\t'..=b'\r').contains(&c),
        None => true,
    };
    let ws_after = ((space | other_ws) >> 8) | (u64::from(next_ws) << 63);
    let bad = other_ws | eq(x, b'-') | eq(x, b'`') | (space & ws_after);
    bad == 0
}

/// What [`super::fold::FoldSig`] is made of: how many bytes were kept, their
/// sum and their xor. All three ignore where a byte sits, so chunking
/// (and folding, which drops only skipped bytes) cannot change them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SigParts {
    pub kept: u64,
    pub sum: u64,
    pub xor: u8,
}

/// Words in ASCII `b` by the tokenizer's rule (a word starts at a letter,
/// digit or `_` that neither follows one nor continues one across a joiner:
/// `'` `.` between letters, `,` `.` `;` `'` between digits), and the fold
/// fingerprint parts of `b`: the bytes other than whitespace, `-`, `` ` ``
/// and `'`. `b` must be ASCII.
pub fn words_and_sig(b: &[u8]) -> (usize, SigParts) {
    let mut st = State::default();
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        st.chunk(u64::from_le_bytes(a), HIGH);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // Zero padding is no word byte and no joiner; it is masked out of
        // the fingerprint.
        let mut a = [0u8; 8];
        a[..rest.len()].copy_from_slice(rest);
        st.chunk(u64::from_le_bytes(a), HIGH >> (8 * (8 - rest.len())));
    }
    let x = st.xor ^ (st.xor >> 32);
    let x = x ^ (x >> 16);
    let x = x ^ (x >> 8);
    (st.words, SigParts { kept: st.kept, sum: st.sum, xor: x as u8 })
}

/// Running state of [`words_and_sig`]: counts, and the previous chunk's
/// masks, to look back one and two bytes across a chunk boundary.
#[derive(Default)]
struct State {
    words: usize,
    kept: u64,
    sum: u64,
    xor: u64,
    word: u64,
    letter: u64,
    digit: u64,
    join_letters: u64,
    join_digits: u64,
}

impl State {
    #[inline]
    fn chunk(&mut self, x: u64, valid: u64) {
        let letter = within(x | (ONES * 0x20), b'a', b'z');
        let digit = within(x, b'0', b'9');
        let word = letter | digit | eq(x, b'_');
        let join_letters = eq(x, b'\'') | eq(x, b'.');
        let join_digits = join_letters | eq(x, b',') | eq(x, b';');
        let back1 = |m: u64, prev: u64| (m << 8) | (prev >> 56);
        let back2 = |m: u64, prev: u64| (m << 16) | (prev >> 48);
        let joined = (letter & back2(letter, self.letter) & back1(join_letters, self.join_letters))
            | (digit & back2(digit, self.digit) & back1(join_digits, self.join_digits));
        self.words += (word & !back1(word, self.word) & !joined).count_ones() as usize;
        (self.word, self.letter, self.digit) = (word, letter, digit);
        (self.join_letters, self.join_digits) = (join_letters, join_digits);

        let skip = within(x, b'\t', b'\r') | eq(x, b' ') | eq(x, b'-') | eq(x, b'`') | eq(x, b'\'');
        let keep = !skip & valid;
        let bytes = x & ((keep >> 7) * 0xff);
        self.kept += keep.count_ones() as u64;
        self.sum += byte_sum(bytes);
        self.xor ^= bytes;
    }
}

/// Whether folding leaves `b` as it is ([`super::fold`]'s ASCII rule):
/// ASCII with no whitespace but single inner spaces, no dash run and no
/// backtick. Then the folded key is a hash of the bytes themselves, and a
/// unit's key costs no copy. Eight bytes at a time.
pub fn fold_is_identity(b: &[u8]) -> bool {
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return false;
    }
    let (mut space, mut dash) = (0u64, 0u64);
    let mut chunks = b.chunks_exact(8);
    let mut ok = |x: u64| {
        if x & HIGH != 0 {
            return false;
        }
        let s = eq(x, b' ');
        let d = eq(x, b'-');
        let back1 = |m: u64, prev: u64| (m << 8) | (prev >> 56);
        let bad = within(x, b'\t', b'\r') | eq(x, b'`') | (s & back1(s, space)) | (d & back1(d, dash));
        (space, dash) = (s, d);
        bad == 0
    };
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        if !ok(u64::from_le_bytes(a)) {
            return false;
        }
    }
    let rest = chunks.remainder();
    // Padding with a letter adds no space, dash or control byte.
    let mut a = [b'a'; 8];
    a[..rest.len()].copy_from_slice(rest);
    ok(u64::from_le_bytes(a))
}

/// [`SigParts`] of any bytes, one at a time: the definition
/// [`words_and_sig`] must agree with, used on folded text (which may hold
/// non-ASCII bytes; they are kept).
pub fn sig_parts(b: &[u8]) -> SigParts {
    let mut p = SigParts::default();
    for &x in b {
        if !matches!(x, b'\t'..=b'\r' | b' ' | b'-' | b'`' | b'\'') {
            p.kept += 1;
            p.sum += x as u64;
            p.xor ^= x;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte loop [`words_and_sig`] replaces (tokenize.rs's rule).
    fn words_slow(b: &[u8]) -> usize {
        let class = |x: u8| -> (bool, bool, bool, bool, bool) {
            let l = x.is_ascii_alphabetic();
            let d = x.is_ascii_digit();
            (l || d || x == b'_', l, d, matches!(x, b'\'' | b'.'), matches!(x, b'\'' | b'.' | b',' | b';'))
        };
        let mut n = 0;
        for i in 0..b.len() {
            let (w, l, d, _, _) = class(b[i]);
            let prev = (i >= 1).then(|| class(b[i - 1]));
            let prev2 = (i >= 2).then(|| class(b[i - 2]));
            let after_word = prev.is_some_and(|p| p.0);
            let joined = match (prev2, prev) {
                (Some(p2), Some(p1)) => (p2.1 && l && p1.3) || (p2.2 && d && p1.4),
                _ => false,
            };
            n += (w && !after_word && !joined) as usize;
        }
        n
    }

    #[test]
    fn words_and_fingerprint_match_the_byte_loops() {
        let parts: [&[u8]; 16] = [
            b"word ",
            b"don't",
            b"1,000",
            b"3.5",
            b"U.S.",
            b"a_b",
            b"--",
            b"`x`",
            b"\n\n",
            b"\t",
            b";",
            b"'",
            b".",
            b"x9",
            b"\x0b\x0c\r",
            b"~!@[]{}",
        ];
        let mut seed = 7u64;
        for len in 0..400 {
            let mut s = Vec::new();
            for _ in 0..(len % 37) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                s.extend_from_slice(parts[(seed >> 33) as usize % parts.len()]);
            }
            for from in 0..s.len().min(9) {
                let b = &s[from..];
                let (w, p) = words_and_sig(b);
                assert_eq!(w, words_slow(b), "{:?}", String::from_utf8_lossy(b));
                assert_eq!(p, sig_parts(b), "{:?}", String::from_utf8_lossy(b));
            }
        }
        // Every ASCII byte after every other, and across a chunk boundary.
        for a in 0u8..128 {
            for c in 0u8..128 {
                for pad in [0usize, 5, 6, 7] {
                    let mut b = vec![b'a'; pad];
                    b.extend_from_slice(&[b'q', a, c, b'7']);
                    assert_eq!(words_and_sig(&b).0, words_slow(&b));
                    assert_eq!(words_and_sig(&b).1, sig_parts(&b));
                }
            }
        }
    }

    #[test]
    fn fold_identity_matches_the_fold() {
        let parts: [&[u8]; 12] =
            [b"word", b" ", b"  ", b"-", b"--", b"`", b"\n", b"\t", b"'", b"\xc3\xa9", b"x.", b"\r"];
        let mut seed = 11u64;
        for len in 0..600 {
            let mut s = Vec::new();
            for _ in 0..(len % 29) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                s.extend_from_slice(parts[(seed >> 33) as usize % parts.len()]);
            }
            for from in 0..s.len().min(9) {
                let Ok(t) = std::str::from_utf8(&s[from..]) else { continue };
                let folded: String = crate::core::fold::folded_chars(t).collect();
                assert_eq!(fold_is_identity(t.as_bytes()), t.is_ascii() && folded == t, "{t:?}");
            }
        }
        assert!(fold_is_identity(b"A plain - sentence, with 1,000 words."));
        assert!(!fold_is_identity(b"two  spaces") && !fold_is_identity(b"a--b") && !fold_is_identity(b"end "));
        assert!(!fold_is_identity(b"0123456--x"), "a dash run across a chunk boundary");
        assert!(!fold_is_identity(b"0123456  x"), "a space run across a chunk boundary");
    }
}
