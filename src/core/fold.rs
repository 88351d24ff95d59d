//! Typography folding: the equivalence under which two texts differ "only in
//! formatting". Straight and curly quotes, the dash family, runs of
//! whitespace and Unicode normalisation forms all fold to one spelling, so a
//! curly-quote pass over an article is not reported as an edit.
//!
//! Matching keys are built from folded text; the ops still carry the exact
//! bytes, so nothing is lost.

use std::borrow::Cow;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// The ASCII stand-in for a typographic character, if it has one.
#[inline]
pub fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '`' | '\u{00B4}' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => "\"",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}' | '\u{2212}' => "-",
        '\u{2026}' => "...",
        '\u{00A0}' | '\u{2007}' | '\u{202F}' => " ",
        _ => return None,
    })
}

/// True for characters whose folded form is a dash: runs of them (`--`,
/// `---`, `—`) fold to a single `-` so `--` → `—` is typography.
#[inline]
fn is_dash(c: char) -> bool {
    c == '-' || matches!(fold_char(c), Some("-"))
}

/// The folded spelling of one token (no whitespace inside). Borrowed when
/// the token is already in folded form, which is the common ASCII case.
pub fn fold_token(tok: &str) -> Cow<'_, str> {
    let needs = tok.bytes().any(|b| b >= 0x80 || b == b'`') || (tok.len() > 1 && tok.bytes().all(|b| b == b'-'));
    if !needs {
        return Cow::Borrowed(tok);
    }
    let nfc: Cow<str> = if is_nfc_quick(tok.chars()) == IsNormalized::Yes {
        Cow::Borrowed(tok)
    } else {
        Cow::Owned(tok.nfc().collect())
    };
    let mut out = String::with_capacity(nfc.len());
    let mut last_dash = false;
    for c in nfc.chars() {
        if is_dash(c) {
            if !last_dash {
                out.push('-');
            }
            last_dash = true;
            continue;
        }
        last_dash = false;
        match fold_char(c) {
            Some(s) => out.push_str(s),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// An iterator over the folded characters of `s`, with whitespace runs
/// collapsed to one space, dash runs to one `-`, and leading/trailing
/// whitespace dropped. Two texts are "formatting-equal" when these agree.
pub fn folded_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    let nfc: Box<dyn Iterator<Item = char>> = if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        Box::new(s.chars())
    } else {
        Box::new(s.nfc())
    };
    let mut pending_space = false;
    let mut started = false;
    let mut last_dash = false;
    nfc.flat_map(move |c| {
        let mut buf: [Option<char>; 4] = [None; 4];
        let folded: Option<&'static str> = fold_char(c);
        let is_space = c.is_whitespace() || folded == Some(" ");
        if is_space {
            pending_space = started;
            return buf.into_iter().flatten();
        }
        let mut i = 0;
        if pending_space {
            buf[0] = Some(' ');
            i = 1;
            pending_space = false;
            last_dash = false;
        }
        started = true;
        if is_dash(c) {
            if !last_dash {
                buf[i] = Some('-');
            }
            last_dash = true;
            return buf.into_iter().flatten();
        }
        last_dash = false;
        match folded {
            Some(f) => {
                for ch in f.chars() {
                    buf[i] = Some(ch);
                    i += 1;
                }
            }
            None => buf[i] = Some(c),
        }
        buf.into_iter().flatten()
    })
}

/// A 64-bit key of the folded text, for matching paragraphs and sentences
/// regardless of typography.
#[cfg(test)]
pub fn fold_hash(s: &str) -> u64 {
    fold_hash_with(s, &mut Vec::new())
}

/// As [`fold_hash`], folding into `buf` (reused across calls, so keying a
/// whole book costs no allocation per unit).
///
/// The key is a hash of the canonical folded spelling: [`folded_chars`]
/// encoded as UTF-8. ASCII text (nearly all prose) is folded by one byte
/// loop instead, which produces the same bytes, so both paths agree.
pub fn fold_hash_with(s: &str, buf: &mut Vec<u8>) -> u64 {
    if super::swar::fold_is_identity(s.as_bytes()) {
        // Most sentences: nothing to fold, so no copy to make.
        return hash_bytes(s.as_bytes());
    }
    fold_into(s, buf);
    hash_bytes(buf)
}

/// Replace `buf` with the canonical folded spelling of `s`: [`folded_chars`]
/// encoded as UTF-8, by the fastest path that applies.
fn fold_into(s: &str, buf: &mut Vec<u8>) {
    buf.clear();
    if s.is_ascii() {
        fold_ascii_into(s.as_bytes(), buf);
    } else if is_nfc_quick(s.chars()) == IsNormalized::Yes {
        fold_mixed_into(s, buf);
    } else {
        let mut tmp = [0u8; 4];
        for c in folded_chars(s) {
            buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
        }
    }
}

/// Byte classes for [`fold_ascii_into`].
const KEEP: u8 = 0;
const SPACE: u8 = 1;
const DASH: u8 = 2;
const TICK: u8 = 3;

const fn ascii_classes() -> [u8; 128] {
    let mut t = [KEEP; 128];
    // char::is_whitespace on ASCII: \t \n \x0b \x0c \r and space.
    t[b'\t' as usize] = SPACE;
    t[b'\n' as usize] = SPACE;
    t[0x0b] = SPACE;
    t[0x0c] = SPACE;
    t[b'\r' as usize] = SPACE;
    t[b' ' as usize] = SPACE;
    t[b'-' as usize] = DASH;
    t[b'`' as usize] = TICK;
    t
}

static ASCII_CLASS: [u8; 128] = ascii_classes();

/// [`folded_chars`] for ASCII input: whitespace runs become one space (none
/// at the ends), dash runs one `-`, backticks `'`. Eight bytes holding only
/// plain bytes and single spaces before plain bytes are copied as they are
/// (most of prose: [`super::swar::plain_for_fold`]); the rest goes byte by
/// byte. Writes into a slice with a local length (the output is never
/// longer than the input), which keeps the loop free of `Vec` bookkeeping.
fn fold_ascii_into(b: &[u8], buf: &mut Vec<u8>) {
    buf.resize(b.len(), 0);
    let out = &mut buf[..b.len()];
    let (mut n, mut pending_space, mut last_dash) = (0usize, false, false);
    let mut i = 0;
    while i < b.len() {
        if i + 8 <= b.len() {
            let mut chunk = [0u8; 8];
            chunk.copy_from_slice(&b[i..i + 8]);
            // A space opening the chunk must follow something written and
            // no other whitespace: only then is it copied as it is.
            let opens_clean = chunk[0] != b' ' || (n > 0 && !pending_space);
            if opens_clean && super::swar::plain_for_fold(u64::from_le_bytes(chunk), b.get(i + 8).copied()) {
                if pending_space {
                    // n < i: at least one input byte (the space) was dropped.
                    out[n] = b' ';
                    n += 1;
                    pending_space = false;
                }
                out[n..n + 8].copy_from_slice(&chunk);
                n += 8;
                i += 8;
                last_dash = false;
                continue;
            }
        }
        let c = b[i];
        i += 1;
        let class = ASCII_CLASS[c as usize & 0x7f];
        if class == SPACE {
            pending_space = n > 0;
            last_dash = false;
            continue;
        }
        if pending_space {
            out[n] = b' ';
            n += 1;
            pending_space = false;
            last_dash = false;
        }
        match class {
            KEEP => {
                out[n] = c;
                n += 1;
                last_dash = false;
            }
            DASH => {
                if !last_dash {
                    out[n] = b'-';
                    n += 1;
                }
                last_dash = true;
            }
            _ => {
                out[n] = b'\'';
                n += 1;
                last_dash = false;
            }
        }
    }
    buf.truncate(n);
}

/// [`folded_chars`] for text already in NFC (nearly all text with a few
/// curly quotes or accents): ASCII bytes take the table path of
/// [`fold_ascii_into`], and only the other characters are decoded, so a
/// book with the odd "’" is not folded char by char.
fn fold_mixed_into(s: &str, buf: &mut Vec<u8>) {
    let b = s.as_bytes();
    let (mut i, mut pending_space, mut last_dash) = (0usize, false, false);
    while i < b.len() {
        // Eight plain ASCII bytes at a step, as in `fold_ascii_into`. A
        // byte after them that is not ASCII may start whitespace (U+00A0,
        // U+2003…), so it counts as whitespace here.
        if i + 8 <= b.len() {
            let mut chunk = [0u8; 8];
            chunk.copy_from_slice(&b[i..i + 8]);
            let next = b.get(i + 8).map(|&c| if c < 0x80 { c } else { b' ' });
            let opens_clean = chunk[0] != b' ' || (!buf.is_empty() && !pending_space);
            if opens_clean && super::swar::plain_for_fold(u64::from_le_bytes(chunk), next) {
                if pending_space {
                    buf.push(b' ');
                    pending_space = false;
                }
                buf.extend_from_slice(&chunk);
                i += 8;
                last_dash = false;
                continue;
            }
        }
        let (class, c) = if b[i] < 0x80 {
            i += 1;
            (ASCII_CLASS[b[i - 1] as usize], b[i - 1] as char)
        } else {
            let c = s[i..].chars().next().unwrap_or(' ');
            i += c.len_utf8();
            let class = match fold_char(c) {
                _ if c.is_whitespace() => SPACE,
                Some(" ") => SPACE,
                _ if is_dash(c) => DASH,
                _ => KEEP,
            };
            (class, c)
        };
        if class == SPACE {
            pending_space = !buf.is_empty();
            last_dash = false;
            continue;
        }
        if pending_space {
            buf.push(b' ');
            pending_space = false;
            last_dash = false;
        }
        match class {
            DASH => {
                if !last_dash {
                    buf.push(b'-');
                }
                last_dash = true;
            }
            TICK => {
                buf.push(b'\'');
                last_dash = false;
            }
            _ if c.is_ascii() => {
                buf.push(c as u8);
                last_dash = false;
            }
            _ => {
                let mut tmp = [0u8; 4];
                match fold_char(c) {
                    Some(f) => buf.extend_from_slice(f.as_bytes()),
                    None => buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes()),
                }
                last_dash = false;
            }
        }
    }
}

/// A fingerprint of a text's folded form that is cheap to take on ASCII
/// text without folding it: texts that fold alike have equal fingerprints.
///
/// Folding keeps every byte other than whitespace, dashes and quotes as it
/// is and in order, so the fingerprint mixes exactly those bytes: taken
/// from raw ASCII text ([`fold_sig_ascii`]) it equals the one taken from
/// the folded text ([`fold_sig_folded`]). Different fingerprints prove two
/// texts fold differently; equal ones prove nothing (keys then decide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FoldSig(u64);

impl FoldSig {
    /// The fingerprint of these parts (see [`super::swar::SigParts`]).
    pub fn of(p: super::swar::SigParts) -> FoldSig {
        FoldSig(p.kept ^ p.sum.rotate_left(24) ^ (p.xor as u64).rotate_left(52))
    }
}

/// [`FoldSig`] of ASCII text, straight from its bytes.
pub fn fold_sig_ascii(b: &[u8]) -> FoldSig {
    FoldSig::of(super::swar::words_and_sig(b).1)
}

/// [`FoldSig`] of text already folded (the output of [`fold_hash_with`]'s
/// folding): folded text holds no whitespace but single spaces and no
/// backtick, so skipping the same bytes as on raw ASCII gives equal
/// fingerprints for equal folds.
pub fn fold_sig_folded(folded: &[u8]) -> FoldSig {
    FoldSig::of(super::swar::sig_parts(folded))
}

/// Fold `s` into `buf` (replacing its contents) and return the key and the
/// [`FoldSig`] of the folded text.
pub fn fold_key_sig(s: &str, buf: &mut Vec<u8>) -> (u64, FoldSig) {
    fold_into(s, buf);
    (hash_bytes(buf), fold_sig_folded(buf))
}

fn hash_bytes(b: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(b);
    h.write_u8(0xff);
    h.finish()
}

/// Whether two texts differ only in typography and whitespace: whether
/// their [`folded_chars`] agree.
///
/// Bytes the two texts share at the start fold alike, so the comparison
/// starts at the line holding the first difference; from there both texts
/// are folded a chunk of lines at a time by the fast paths of
/// [`fold_hash_with`] and compared as they go, so a real edit is found
/// after one chunk instead of after checking both whole texts for NFC.
pub fn fold_equal(a: &str, b: &str) -> bool {
    let start = safe_start(a, b);
    let (mut fa, mut fb) = (Folder::new(&a[start..]), Folder::new(&b[start..]));
    let (mut qa, mut qb) = (Vec::new(), Vec::new());
    loop {
        while qa.len() < CHUNK && fa.next_into(&mut qa) {}
        while qb.len() < CHUNK && fb.next_into(&mut qb) {}
        let n = qa.len().min(qb.len());
        if qa[..n] != qb[..n] {
            return false;
        }
        if n == 0 {
            // One side is exhausted: equal only if the other is too.
            return qa.is_empty() && qb.is_empty();
        }
        qa.drain(..n);
        qb.drain(..n);
    }
}

/// About this many bytes are folded at a time by [`fold_equal`].
const CHUNK: usize = 4096;

/// Where [`fold_equal`] may start comparing: the start of the line holding
/// the first byte that differs, when that line starts with an ASCII byte
/// (the texts before it are equal, a line break ends any whitespace or
/// dash run, and an ASCII character is a normalization boundary), else 0.
fn safe_start(a: &str, b: &str) -> usize {
    let common = common_prefix(a.as_bytes(), b.as_bytes());
    let bytes = a.as_bytes();
    let mut end = common;
    while let Some(nl) = memchr::memrchr(b'\n', &bytes[..end]) {
        if bytes.get(nl + 1).is_some_and(u8::is_ascii) {
            return nl + 1;
        }
        end = nl;
    }
    0
}

/// Length of the longest common prefix, compared 64 bytes at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut at = 0;
    while at + 64 <= n && a[at..at + 64] == b[at..at + 64] {
        at += 64;
    }
    at + a[at..n].iter().zip(&b[at..n]).take_while(|(x, y)| x == y).count()
}

/// Folds a text a chunk of lines at a time into one continuous folded
/// stream (the same bytes as [`folded_chars`] of the whole text). Chunks
/// end after a line break followed by an ASCII byte, so each chunk's own
/// fold joins the previous one with a single space.
struct Folder<'a> {
    rest: &'a str,
    scratch: Vec<u8>,
    /// Whether anything has been written: the next chunk's text then
    /// follows a space.
    started: bool,
}

impl<'a> Folder<'a> {
    fn new(text: &'a str) -> Self {
        Folder { rest: text, scratch: Vec::new(), started: false }
    }

    /// Append the next chunk's folded bytes to `out`; false at the end.
    fn next_into(&mut self, out: &mut Vec<u8>) -> bool {
        if self.rest.is_empty() {
            return false;
        }
        let b = self.rest.as_bytes();
        let mut end = CHUNK.min(b.len());
        loop {
            match memchr::memchr(b'\n', &b[end..]) {
                Some(i) if b.get(end + i + 1).is_some_and(u8::is_ascii) => {
                    end += i + 1;
                    break;
                }
                Some(i) => end += i + 1,
                None => {
                    end = b.len();
                    break;
                }
            }
        }
        let (chunk, rest) = self.rest.split_at(end);
        self.rest = rest;
        fold_into(chunk, &mut self.scratch);
        if !self.scratch.is_empty() {
            if self.started {
                out.push(b' ');
            }
            out.extend_from_slice(&self.scratch);
            self.started = true;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_dashes_and_spaces_fold() {
        assert!(fold_equal("The mayor's \"plan\" -- final", "The mayor’s “plan” — final"));
        assert!(fold_equal("city  hall\n", "city hall"));
        assert!(!fold_equal("city hall", "City hall"));
        assert_eq!(fold_hash("a  b"), fold_hash("a\nb"));
        assert_eq!(fold_hash("don't"), fold_hash("don’t"));
        assert_eq!(fold_hash("a -- b `c` - d\x0be"), fold_hash("a — b ‘c’ - d e"));
        assert_eq!(fold_hash("x---y"), fold_hash("x–y"));
        assert_ne!(fold_hash("met"), fold_hash("fulfilled"));
    }

    #[test]
    fn normalization_forms_fold() {
        let nfc = "caf\u{e9}";
        let nfd = "cafe\u{301}";
        assert!(fold_equal(nfc, nfd));
        assert_eq!(fold_token(nfd), fold_token(nfc));
        assert_eq!(fold_hash(nfc), fold_hash(nfd));
    }

    #[test]
    fn ascii_fold_matches_folded_chars() {
        let samples = [
            "",
            "  ",
            " a ",
            "a  b\n\tc",
            "x--y - -z",
            "---",
            "`a` -- b\x0bc\r\n",
            "- a",
            "a -",
            "a\x0b-\x0b-b",
            "\x0c\x1cq",
            "x - - - y",
            "--a--",
            "a\n\n--\n\nb",
        ];
        for s in samples {
            let mut buf = Vec::new();
            fold_ascii_into(s.as_bytes(), &mut buf);
            let want: String = folded_chars(s).collect();
            assert_eq!(String::from_utf8(buf).unwrap(), want, "{s:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        #[test]
        fn ascii_path_matches_the_char_path(s in "([a-d .,]{0,12}[ \n\t\x0b\x0c\r`'-]{0,3}){0,8}") {
            let mut fast = Vec::new();
            fold_ascii_into(s.as_bytes(), &mut fast);
            let slow: String = folded_chars(&s).collect();
            proptest::prop_assert_eq!(String::from_utf8(fast).unwrap(), slow);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5000))]
        #[test]
        fn mixed_path_with_long_ascii_runs_matches_the_char_path(
            s in "([a-d .,]{0,12}[ \n\t`'’“”–—…\u{a0}\u{2003}\u{202f}é-]{0,3}){0,8}"
        ) {
            let mut fast = Vec::new();
            if !s.is_ascii() && is_nfc_quick(s.chars()) == IsNormalized::Yes {
                fold_mixed_into(&s, &mut fast);
                let slow: String = folded_chars(&s).collect();
                proptest::prop_assert_eq!(String::from_utf8(fast).unwrap(), slow);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn mixed_path_matches_the_char_path(s in "[a-zA-Z \n\t`'\"’‘“”–—…\u{a0}\u{2003}\u{202f}é中🙂.-]{0,40}") {
            let mut fast = Vec::new();
            if !s.is_ascii() && is_nfc_quick(s.chars()) == IsNormalized::Yes {
                fold_mixed_into(&s, &mut fast);
                let slow: String = folded_chars(&s).collect();
                proptest::prop_assert_eq!(String::from_utf8(fast).unwrap(), slow);
            }
        }
    }

    /// The old definition: every folded char of both whole texts.
    fn fold_equal_slow(a: &str, b: &str) -> bool {
        folded_chars(a).eq(folded_chars(b))
    }

    #[test]
    fn chunked_fold_equal_matches_the_char_path_on_long_texts() {
        let line = |i: usize| format!("Line {i} says \"it’s fine\" -- really.\n");
        let base: String = (0..600).map(line).collect();
        let variants = [
            base.replace("really.\n", "really. \n"),
            base.replace("\"it", "“it"),
            base.replacen("-- really", "— really", 400),
            base.replacen("says", "said", 1),
            base.replacen("Line 599 says", "Line 599 said", 1),
            base.replacen("Line 300", "Line  300", 1),
            base.replacen("Line 300", "\u{a0}Line 300", 1),
            base.replacen("Line 300", "\u{301}Line 300", 1),
            base.replacen("Line 300 says", "Line 300 sayś", 1),
            base.replacen("Line 300 says", "Line 300 says\u{301}", 1),
            format!("{base}\n\n"),
            format!("{base}x"),
            base[..base.len() / 2].to_string(),
            base.replace('\n', "\n\n"),
            String::new(),
        ];
        for v in &variants {
            assert_eq!(fold_equal(&base, v), fold_equal_slow(&base, v), "{:?}", &v[..v.len().min(80)]);
            assert_eq!(fold_equal(v, &base), fold_equal_slow(v, &base));
        }
        assert!(fold_equal(&base, &variants[0]) && fold_equal(&base, &variants[1]) && fold_equal(&base, &variants[2]));
        assert!(!fold_equal(&base, &variants[3]) && !fold_equal(&base, &variants[4]));
    }

    proptest::proptest! {
        #[test]
        fn fold_equal_matches_the_char_path(
            pre in "[a-z \n]{0,30}",
            x in "[a-zA-Z \n\t`'’“”–—…\u{a0}\u{301}é.-]{0,30}",
            y in "[a-zA-Z \n\t`'’“”–—…\u{a0}\u{301}é.-]{0,30}",
        ) {
            let (a, b) = (format!("{pre}{x}"), format!("{pre}{y}"));
            proptest::prop_assert_eq!(fold_equal(&a, &b), fold_equal_slow(&a, &b));
            // A typography pass over the same text (mostly equal).
            let t = a.replace(' ', "  ").replace('\'', "’").replace('-', "—").replace("\n", "\u{a0}\n");
            proptest::prop_assert_eq!(fold_equal(&a, &t), fold_equal_slow(&a, &t));
        }
    }

    #[test]
    fn the_fingerprint_of_raw_ascii_is_that_of_its_fold() {
        let samples = ["", "a", "x--y `q' z", "Don't\n\n  stop -- now.\t(1,000)", "\x01\x1f~", "a  b\x0bc"];
        for s in samples {
            let mut buf = Vec::new();
            let (key, sig) = fold_key_sig(s, &mut buf);
            assert_eq!(key, fold_hash(s));
            assert_eq!(sig, fold_sig_ascii(s.as_bytes()), "{s:?}");
        }
        let mut buf = Vec::new();
        let (_, curly) = fold_key_sig("Don’t “stop” — now…", &mut buf);
        assert_eq!(curly, fold_sig_ascii(b"Don't \"stop\" -- now..."));
        assert_ne!(fold_sig_ascii(b"ab"), fold_sig_ascii(b"ac"));
        assert_ne!(fold_sig_ascii(b"===="), fold_sig_ascii(b"****"));
    }

    proptest::proptest! {
        #[test]
        fn fold_equal_texts_have_equal_fingerprints(s in "[a-zA-Z \n\t`'’“”–—…\u{a0}\u{301}é.-]{0,40}") {
            let mut buf = Vec::new();
            let (_, sig) = fold_key_sig(&s, &mut buf);
            let folded = String::from_utf8(buf.clone()).unwrap();
            let (_, again) = fold_key_sig(&folded, &mut buf);
            proptest::prop_assert_eq!(sig, again);
            if folded.is_ascii() {
                proptest::prop_assert_eq!(sig, fold_sig_ascii(folded.as_bytes()));
            }
        }

        #[test]
        fn raw_ascii_fingerprints_match_the_folded_ones(s in "[a-c \n\t\x0b\x0c\r`'\".,-]{0,40}") {
            let mut buf = Vec::new();
            proptest::prop_assert_eq!(fold_key_sig(&s, &mut buf).1, fold_sig_ascii(s.as_bytes()));
        }
    }

    #[test]
    fn dash_runs_fold_to_one() {
        assert_eq!(fold_token("--"), "-");
        assert_eq!(fold_token("—"), "-");
        assert_eq!(fold_token("’"), "'");
    }
}
