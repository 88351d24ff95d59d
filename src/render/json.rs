//! The `redline.diff/1` JSON contract. Fields may be added, never renamed.
//!
//! The model's `Serialize` derives define the contract; this module writes
//! exactly the bytes serde_json's compact output of them would be (with
//! [`SafeFormatter`]'s escapes), but writes the bulk by hand: the ops and
//! changes hold every byte of both texts, and serde_json escapes strings
//! one byte at a time (5 % of a book diff's CPU time). Here clean runs are
//! skipped eight bytes at a time. The small parts (sides, statistics) still
//! go through serde_json. Every model struct written here is destructured
//! without `..`, so a field added to the model does not compile until it is
//! written here too; the tests hold both writers to the same bytes.

use super::Side;
use crate::core::{Change, Diff, InnerOp, NumberChange, Op, OpKind, Substitution, SubstitutionCount, Unit};
use serde::Serialize;
use std::io::{self, Write};
use std::ops::Range;

pub const SCHEMA: &str = "redline.diff/1";

pub fn write(w: &mut dyn Write, diff: &Diff, old: &Side, new: &Side) -> io::Result<()> {
    // Streamed through a buffer rather than built as one string: a spun
    // book's diff is 6 MB of JSON.
    let mut out = Out { buf: Vec::with_capacity(SPILL + (1 << 12)), w };
    document(&mut out, diff, old, new)?;
    out.buf.push(b'\n');
    out.w.write_all(&out.buf)?;
    out.w.flush()
}

/// Output is gathered in a vector (escaping writes into it directly, eight
/// bytes at a step) and handed on whenever it holds this much.
const SPILL: usize = 1 << 16;

struct Out<'w> {
    buf: Vec<u8>,
    w: &'w mut dyn Write,
}

impl Out<'_> {
    /// The items of a top-level list, handing the buffer on as it fills.
    fn list<T>(&mut self, items: &[T], item: fn(&mut Vec<u8>, &T)) -> io::Result<()> {
        self.buf.push(b'[');
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            item(&mut self.buf, x);
            if self.buf.len() >= SPILL {
                self.w.write_all(&self.buf)?;
                self.buf.clear();
            }
        }
        self.buf.push(b']');
        Ok(())
    }
}

/// The whole document, as serde_json writes `{schema, old, new, ..diff}`
/// (the diff's fields flattened in).
fn document(out: &mut Out, diff: &Diff, old: &Side, new: &Side) -> io::Result<()> {
    let Diff {
        formatting_only,
        stats,
        ops,
        changes,
        substitutions,
        coarse,
        old_text: _,
        new_text: _,
        old_paragraphs: _,
        new_paragraphs: _,
    } = diff;
    let w = &mut out.buf;
    w.extend_from_slice(b"{\"schema\":");
    string(w, SCHEMA);
    w.extend_from_slice(b",\"old\":");
    serde(w, old)?;
    w.extend_from_slice(b",\"new\":");
    serde(w, new)?;
    w.extend_from_slice(b",\"formatting_only\":");
    boolean(w, *formatting_only);
    w.extend_from_slice(b",\"stats\":");
    serde(w, stats)?;
    w.extend_from_slice(b",\"ops\":");
    out.list(ops, op)?;
    out.buf.extend_from_slice(b",\"changes\":");
    out.list(changes, change)?;
    out.buf.extend_from_slice(b",\"substitutions\":");
    out.list(substitutions, substitution_count)?;
    if *coarse {
        out.buf.extend_from_slice(b",\"coarse\":true");
    }
    out.buf.push(b'}');
    Ok(())
}

/// A small part, through serde_json with the same formatter.
fn serde<T: Serialize + ?Sized>(w: &mut Vec<u8>, v: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(w, SafeFormatter);
    v.serialize(&mut ser).map_err(io::Error::other)
}

/// A list inside an item (written whole).
fn list<T>(w: &mut Vec<u8>, items: &[T], item: fn(&mut Vec<u8>, &T)) {
    w.push(b'[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            w.push(b',');
        }
        item(w, x);
    }
    w.push(b']');
}

fn op(w: &mut Vec<u8>, o: &Op) {
    let Op { op, text, move_id, formatting, change, old_at: _, new_at: _ } = o;
    w.extend_from_slice(b"{\"op\":");
    w.extend_from_slice(kind(*op));
    w.extend_from_slice(b",\"text\":");
    string(w, text);
    if let Some(m) = move_id {
        w.extend_from_slice(b",\"move\":");
        uint(w, u64::from(*m));
    }
    if *formatting {
        w.extend_from_slice(b",\"formatting\":true");
    }
    if let Some(c) = change {
        w.extend_from_slice(b",\"change\":");
        uint(w, *c as u64);
    }
    w.extend_from_slice(b"}");
}

fn change(w: &mut Vec<u8>, c: &Change) {
    let Change {
        kind,
        unit,
        old,
        new,
        old_text,
        new_text,
        substitutions,
        duplicate_of,
        old_paragraph,
        new_paragraph,
        move_id,
        words_added,
        words_removed,
        formatting_only,
        quote_changed,
        number_changed,
        inner_ops,
        shift,
        sentences,
        old_paragraphs,
        new_paragraphs,
    } = c;
    w.extend_from_slice(b"{\"kind\":\"");
    w.extend_from_slice(kind.name().as_bytes());
    w.extend_from_slice(match unit {
        Unit::Sentence => b"\",\"unit\":\"sentence\",\"old\":",
        Unit::Paragraph => b"\",\"unit\":\"paragraph\",\"old\":",
    });
    opt_span(w, old);
    w.extend_from_slice(b",\"new\":");
    opt_span(w, new);
    w.extend_from_slice(b",\"old_text\":");
    opt_string(w, *old_text);
    w.extend_from_slice(b",\"new_text\":");
    opt_string(w, *new_text);
    w.extend_from_slice(b",\"substitutions\":");
    list(w, substitutions, substitution);
    if let Some(d) = duplicate_of {
        w.extend_from_slice(b",\"duplicate_of\":");
        span(w, d);
    }
    w.extend_from_slice(b",\"old_paragraph\":");
    opt_uint(w, *old_paragraph);
    w.extend_from_slice(b",\"new_paragraph\":");
    opt_uint(w, *new_paragraph);
    if let Some(m) = move_id {
        w.extend_from_slice(b",\"move\":");
        uint(w, u64::from(*m));
    }
    w.extend_from_slice(b",\"words_added\":");
    uint(w, *words_added as u64);
    w.extend_from_slice(b",\"words_removed\":");
    uint(w, *words_removed as u64);
    if *formatting_only {
        w.extend_from_slice(b",\"formatting_only\":true");
    }
    if *quote_changed {
        w.extend_from_slice(b",\"quote_changed\":true");
    }
    if !number_changed.is_empty() {
        w.extend_from_slice(b",\"number_changed\":");
        list(w, number_changed, number);
    }
    if !inner_ops.is_empty() {
        w.extend_from_slice(b",\"inner_ops\":");
        list(w, inner_ops, inner_op);
    }
    if let Some(s) = shift {
        w.extend_from_slice(b",\"shift\":");
        if *s < 0 {
            w.extend_from_slice(b"-");
        }
        uint(w, s.unsigned_abs());
    }
    if let Some(p) = sentences {
        w.extend_from_slice(b",\"sentences\":");
        pair(w, *p);
    }
    if let Some(p) = old_paragraphs {
        w.extend_from_slice(b",\"old_paragraphs\":");
        pair(w, *p);
    }
    if let Some(p) = new_paragraphs {
        w.extend_from_slice(b",\"new_paragraphs\":");
        pair(w, *p);
    }
    w.extend_from_slice(b"}");
}

fn substitution(w: &mut Vec<u8>, s: &Substitution) {
    let Substitution { old, new } = s;
    old_new(w, old, new);
    w.extend_from_slice(b"}");
}

fn number(w: &mut Vec<u8>, n: &NumberChange) {
    let NumberChange { old, new } = n;
    old_new(w, old, new);
    w.extend_from_slice(b"}");
}

fn substitution_count(w: &mut Vec<u8>, s: &SubstitutionCount) {
    let SubstitutionCount { old, new, count } = s;
    old_new(w, old, new);
    w.extend_from_slice(b",\"count\":");
    uint(w, *count as u64);
    w.extend_from_slice(b"}");
}

/// `{"old":…,"new":…` (the caller closes the object).
fn old_new(w: &mut Vec<u8>, old: &str, new: &str) {
    w.extend_from_slice(b"{\"old\":");
    string(w, old);
    w.extend_from_slice(b",\"new\":");
    string(w, new);
}

fn inner_op(w: &mut Vec<u8>, o: &InnerOp) {
    let InnerOp { op, text, at } = o;
    w.extend_from_slice(b"{\"op\":");
    w.extend_from_slice(kind(*op));
    w.extend_from_slice(b",\"text\":");
    string(w, text);
    w.extend_from_slice(b",\"at\":");
    span(w, at);
    w.extend_from_slice(b"}");
}

/// An op kind as its quoted JSON name.
fn kind(k: OpKind) -> &'static [u8] {
    match k {
        OpKind::Equal => b"\"equal\"",
        OpKind::Delete => b"\"delete\"",
        OpKind::Insert => b"\"insert\"",
    }
}

fn boolean(w: &mut Vec<u8>, b: bool) {
    w.extend_from_slice(if b { b"true" } else { b"false" });
}

fn span(w: &mut Vec<u8>, s: &Range<usize>) {
    pair(w, [s.start, s.end]);
}

fn pair(w: &mut Vec<u8>, p: [usize; 2]) {
    w.extend_from_slice(b"[");
    uint(w, p[0] as u64);
    w.extend_from_slice(b",");
    uint(w, p[1] as u64);
    w.extend_from_slice(b"]");
}

fn opt_span(w: &mut Vec<u8>, s: &Option<Range<usize>>) {
    match s {
        Some(s) => span(w, s),
        None => w.extend_from_slice(b"null"),
    }
}

fn opt_uint(w: &mut Vec<u8>, n: Option<usize>) {
    match n {
        Some(n) => uint(w, n as u64),
        None => w.extend_from_slice(b"null"),
    }
}

fn opt_string(w: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => string(w, s),
        None => w.extend_from_slice(b"null"),
    }
}

/// `n` in decimal, as serde_json writes integers.
fn uint(w: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    w.extend_from_slice(&digits[at..]);
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Top bit set in each byte of `x` that may need an escape: below 0x20,
/// `"`, `\`, DEL, or 0xC2 (the lead byte of the C1 controls). Each test
/// marks every byte it should; above a marked byte a borrow may mark more,
/// so only the lowest mark is sure to be a hit.
#[inline]
fn special_bytes(x: u64) -> u64 {
    let zero = |v: u64| v.wrapping_sub(ONES) & !v;
    let below_space = x.wrapping_sub(ONES * 0x20) & !x;
    (below_space
        | zero(x ^ (ONES * u64::from(b'"')))
        | zero(x ^ (ONES * u64::from(b'\\')))
        | zero(x ^ (ONES * 0x7f))
        | zero(x ^ (ONES * 0xc2)))
        & HIGH
}

/// `s` as a JSON string: serde_json's escapes (`\"`, `\\`, the short forms
/// of `\b \t \n \f \r`, `\u00XX` for other C0 controls) plus `\u00XX` for
/// DEL and the C1 controls (as [`super::sanitize::json_safe`]). Clean text
/// is copied eight bytes at a step, as it is checked.
fn string(w: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    w.reserve(b.len() + 2);
    w.push(b'"');
    let mut i = 0;
    while i < b.len() {
        if i + 8 <= b.len() {
            let mut chunk = [0u8; 8];
            chunk.copy_from_slice(&b[i..i + 8]);
            let m = special_bytes(u64::from_le_bytes(chunk));
            if m == 0 {
                w.extend_from_slice(&chunk);
                i += 8;
                continue;
            }
            // The lowest mark is a hit; the bytes before it are clean.
            let k = (m.trailing_zeros() / 8) as usize;
            w.extend_from_slice(&chunk[..k]);
            i += k;
        }
        i += escape(w, b, i);
    }
    w.push(b'"');
}

/// Write byte `b[i]`, escaped if it must be, and return how many bytes of
/// `b` that took (2 for a C1 control, which is two bytes in UTF-8).
#[inline]
fn escape(w: &mut Vec<u8>, b: &[u8], i: usize) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let c = b[i];
    let (code, len) = match (ESCAPE[usize::from(c)], b.get(i + 1)) {
        (0, Some(&c1 @ 0x80..=0x9f)) if c == 0xc2 => (c1, 2),
        (0, _) => {
            w.push(c);
            return 1;
        }
        _ => (c, 1),
    };
    match ESCAPE[usize::from(code)] {
        b'u' | 0 => {
            w.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(code >> 4)], HEX[usize::from(code & 15)]])
        }
        short => w.extend_from_slice(&[b'\\', short]),
    }
    len
}

/// For each byte: the letter of its short escape (`\n` → `n`), `u` for a
/// `\u00XX` escape, 0 for none. DEL is `u`; the C1 controls (0x80..=0x9F
/// after 0xC2) are 0 here and escaped by [`string`] as `\u00XX`.
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = b'u';
        c += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t[0x7f] = b'u';
    t
};

/// serde_json's compact output, plus `\u00XX` escapes for DEL and C1
/// controls inside strings (article text can hold them; see
/// `sanitize::json_safe`, which this matches byte for byte).
struct SafeFormatter;

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        w.write_all(super::sanitize::json_safe(fragment).as_bytes())
    }
}

/// The reference: the model serialized by serde_json from its derives, as
/// `write` did before it wrote the bulk by hand (the tests compare both).
#[cfg(test)]
pub(crate) fn reference(diff: &Diff, old: &Side, new: &Side) -> String {
    #[derive(Serialize)]
    struct Document<'d, 'a> {
        schema: &'static str,
        old: &'d Side,
        new: &'d Side,
        #[serde(flatten)]
        diff: &'d Diff<'a>,
    }
    let doc = Document { schema: SCHEMA, old, new, diff };
    let mut out = Vec::new();
    doc.serialize(&mut serde_json::Serializer::with_formatter(&mut out, SafeFormatter)).unwrap_or_default();
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
