//! Article text comes from strangers: never let it drive the terminal.
//!
//! Control characters (C0 except tab and newline, DEL, and C1) are replaced
//! by visible escapes such as `\x1b`, so an article cannot set the window
//! title, clear the screen or hide text. Metadata printed on one line
//! (titles, names, headers, hints: [`visible_line`]) also folds line breaks
//! to spaces, so a title cannot forge an extra row, and shows bidi controls
//! (U+202A–U+202E, U+2066–U+2069) as escapes, so it cannot reorder the
//! rest of the line. Diff text in terminal and plain formats escapes them
//! too ([`visible_text`]): a changed word could otherwise make its line
//! display as something else ("Trojan Source"). HTML and Atom keep them,
//! since right-to-left text uses them, but close what each piece of text
//! leaves open ([`close_bidi`]). LRM and RLM (U+200E, U+200F) are marks,
//! not controls that reorder, and are never touched.

use std::borrow::Cow;

fn is_dangerous(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && c != '\n' && c != '\t') || u == 0x7f || (0x80..=0x9f).contains(&u)
}

/// `s` with every control character shown as `\xNN` (or `\u{NNNN}` for C1).
pub fn visible(s: &str) -> Cow<'_, str> {
    escape_where(s, is_dangerous)
}

/// Bidi embedding, override and isolate controls: they reorder what follows
/// them on the line ("Trojan source").
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape(c: char, out: &mut String) {
    let u = c as u32;
    if u < 0x80 {
        out.push_str(&format!("\\x{u:02x}"));
    } else {
        out.push_str(&format!("\\u{{{u:04x}}}"));
    }
}

/// Messages (errors, hints, notes) and diff text for terminals and plain
/// formats: like [`visible`], keeping line breaks, and with bidi controls
/// escaped too.
pub fn visible_text(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| is_dangerous(c) || is_bidi_control(c))
}

/// `s` with each char for which `shown` holds written as a visible escape
/// (borrowed when there is none): the one loop behind [`visible`] and
/// [`visible_text`].
fn escape_where(s: &str, shown: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !may_be_shown(s.as_bytes()) || !s.chars().any(&shown) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if shown(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `b` may hold a char [`visible_text`] escapes: a control byte
/// (not tab or newline), DEL, or the lead byte of a C1 control (0xC2) or of
/// a bidi control (0xE2). A byte test, 32 bytes a step with no early exit
/// inside one (the compiler vectorizes it), so the common text without any
/// decodes no chars: the terminal view runs every byte of a diff through it.
fn may_be_shown(b: &[u8]) -> bool {
    b.chunks(32).any(|c| {
        c.iter().fold(false, |acc, &x| {
            acc | (x < 0x20 && x != b'\n' && x != b'\t') | (x == 0x7f) | (x == 0xc2) | (x == 0xe2)
        })
    })
}

/// Text for HTML and Atom: bidi controls are kept (right-to-left text
/// needs them), but each embedding, override or isolate that `s` leaves
/// open is closed at its end (PDF U+202C, PDI U+2069, innermost first), so
/// none reorders the text after the piece it came in. Follows the Unicode
/// bidi algorithm's pairing: a PDI closes its isolate and everything
/// opened inside it; a PDF closes an embedding or override only.
pub fn close_bidi(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_bidi_control) {
        return Cow::Borrowed(s);
    }
    let mut open: Vec<char> = Vec::new();
    for c in s.chars() {
        match c {
            '\u{202a}' | '\u{202b}' | '\u{202d}' | '\u{202e}' => open.push('\u{202c}'),
            '\u{2066}'..='\u{2068}' => open.push('\u{2069}'),
            '\u{202c}' if open.last() == Some(&'\u{202c}') => {
                open.pop();
            }
            '\u{2069}' => {
                if let Some(i) = open.iter().rposition(|&o| o == '\u{2069}') {
                    open.truncate(i);
                }
            }
            _ => {}
        }
    }
    if open.is_empty() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 3 * open.len());
    out.push_str(s);
    out.extend(open.iter().rev());
    Cow::Owned(out)
}

/// What [`visible_line`] shows as a space: line breaks and tabs, including
/// U+0085, U+2028 and U+2029.
pub fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\t' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// One line of metadata (a title, a name, a header): line breaks and tabs
/// (including U+0085, U+2028, U+2029) become spaces, other control and bidi
/// characters visible escapes.
pub fn visible_line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| is_line_break(c) || is_dangerous(c) || is_bidi_control(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_line_break(c) {
            out.push(' ');
        } else if is_dangerous(c) || is_bidi_control(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Small JSON documents (metadata, logs, listings): [`json_safe`], and bidi
/// controls and U+2028/U+2029 as `\u` escapes as well. Inside JSON strings
/// the escape means the same character, so readers see identical data.
pub fn json_strict(json: &str) -> Cow<'_, str> {
    let raw = |c: char| {
        c == '\u{7f}'
            || ('\u{80}'..='\u{9f}').contains(&c)
            || is_bidi_control(c)
            || matches!(c, '\u{2028}' | '\u{2029}')
    };
    if !json.chars().any(raw) {
        return Cow::Borrowed(json);
    }
    Cow::Owned(escape_chars(json, raw))
}

/// JSON text with DEL and C1 controls written as `\u00XX` escapes
/// (serde_json escapes C0 itself but passes these through raw, and some
/// terminals act on U+009B as CSI). In valid JSON they can only occur inside
/// strings, where the escape means the same character.
pub fn json_safe(json: &str) -> Cow<'_, str> {
    let raw = |c: char| c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c);
    if !has_raw_controls(json.as_bytes()) {
        return Cow::Borrowed(json);
    }
    Cow::Owned(escape_chars(json, raw))
}

/// `json` with each char for which `raw` holds written as a `\uXXXX`
/// escape (the callers only pass chars of the Basic Multilingual Plane).
fn escape_chars(json: &str, raw: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if raw(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether UTF-8 `b` holds DEL (byte 0x7f) or a C1 control (0xC2 then
/// 0x80..=0x9F). A memchr scan instead of decoding every char, because this
/// runs over whole diffs (6 MB of JSON for a spun book).
fn has_raw_controls(b: &[u8]) -> bool {
    memchr::memchr2_iter(0x7f, 0xc2, b).any(|i| b[i] == 0x7f || matches!(b.get(i + 1), Some(0x80..=0x9f)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_esc_and_c1_but_keeps_tab_newline() {
        assert_eq!(visible("a\x1b]0;pwn\x07b"), "a\\x1b]0;pwn\\x07b");
        assert_eq!(visible("x\u{9b}y"), "x\\u{009b}y");
        assert_eq!(visible("t\tn\n"), "t\tn\n");
        assert_eq!(visible("\r"), "\\x0d");
    }

    #[test]
    fn metadata_lines_fold_breaks_and_escape_bidi() {
        assert_eq!(visible_line("Title\n+++ forged"), "Title +++ forged");
        assert_eq!(visible_line("a\u{202e}b\u{85}c"), "a\\u{202e}b c");
        assert_eq!(visible_text("x\u{2066}y\nz\x07"), "x\\u{2066}y\nz\\x07");
        assert_eq!(visible_line("plain"), "plain");
    }

    #[test]
    fn close_bidi_closes_what_is_left_open_and_keeps_the_rest() {
        assert_eq!(close_bidi("plain \u{200f}rtl mark\u{200e}"), "plain \u{200f}rtl mark\u{200e}");
        assert_eq!(close_bidi("a\u{202e}b"), "a\u{202e}b\u{202c}");
        assert_eq!(close_bidi("a\u{2067}b\u{2069}c"), "a\u{2067}b\u{2069}c");
        // Innermost first; a PDI closes the embedding opened inside its isolate.
        assert_eq!(close_bidi("\u{2066}x\u{202b}y"), "\u{2066}x\u{202b}y\u{202c}\u{2069}");
        assert_eq!(close_bidi("\u{2066}x\u{202b}y\u{2069}z"), "\u{2066}x\u{202b}y\u{2069}z");
        // A PDF cannot close an isolate.
        assert_eq!(close_bidi("\u{2068}x\u{202c}"), "\u{2068}x\u{202c}\u{2069}");
    }

    #[test]
    fn json_strict_escapes_bidi_and_c1() {
        let j = "{\"t\":\"a\u{202e}b\u{85}\u{7f}\"}";
        assert_eq!(json_strict(j), r#"{"t":"a\u202eb\u0085\u007f"}"#);
        let v: serde_json::Value = serde_json::from_str(&json_strict(j)).unwrap();
        assert_eq!(v["t"], "a\u{202e}b\u{85}\u{7f}");
    }

    /// The byte pre-check never lets through a text that needs an escape.
    #[test]
    fn every_char_that_is_shown_trips_the_byte_check() {
        for u in (0..0x3000).chain([0x202a, 0x202e, 0x2066, 0x2069, 0xfeff, 0x1f642]) {
            let Some(c) = char::from_u32(u) else { continue };
            for pad in [0, 5, 31, 32, 33, 70] {
                let s = format!("{}{c}{}", "a".repeat(pad), "b".repeat(pad % 7));
                let shown = s.chars().any(|c| is_dangerous(c) || is_bidi_control(c));
                assert!(!shown || may_be_shown(s.as_bytes()), "{s:?}");
                assert_eq!(visible_text(&s) != s, shown, "{s:?}");
            }
        }
    }

    #[test]
    fn json_safe_escapes_c1_and_del() {
        assert_eq!(json_safe("{\"t\":\"a\u{9b}31m\u{7f}é\"}"), r#"{"t":"a\u009b31m\u007fé"}"#);
        let v: String = serde_json::from_str(&json_safe("\"x\u{9b}\"")).unwrap();
        assert_eq!(v, "x\u{9b}");
    }
}
