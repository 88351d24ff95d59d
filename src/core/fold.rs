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
    hash_bytes(buf)
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

/// [`folded_chars`] for ASCII input, as one byte loop: whitespace runs
/// become one space (none at the ends), dash runs one `-`, backticks `'`.
/// Writes into a slice with a local length (the output is never longer than
/// the input), which keeps the loop free of `Vec` bookkeeping.
fn fold_ascii_into(b: &[u8], buf: &mut Vec<u8>) {
    buf.resize(b.len(), 0);
    let out = &mut buf[..b.len()];
    let (mut n, mut pending_space, mut last_dash) = (0usize, false, false);
    for &c in b {
        let class = ASCII_CLASS[c as usize & 0x7f];
        if class == SPACE {
            pending_space = n > 0;
            last_dash = false;
            continue;
        }
        if pending_space {
            // n < i: at least one input byte (the space) was dropped.
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

fn hash_bytes(b: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(b);
    h.write_u8(0xff);
    h.finish()
}

/// Whether two texts differ only in typography and whitespace.
pub fn fold_equal(a: &str, b: &str) -> bool {
    folded_chars(a).eq(folded_chars(b))
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

    #[test]
    fn dash_runs_fold_to_one() {
        assert_eq!(fold_token("--"), "-");
        assert_eq!(fold_token("—"), "-");
        assert_eq!(fold_token("’"), "'");
    }
}
