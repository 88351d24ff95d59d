//! The `redline.diff/1` JSON contract. Fields may be added, never renamed.

use super::Side;
use crate::core::Diff;
use serde::Serialize;
use std::io::{self, Write};

pub const SCHEMA: &str = "redline.diff/1";

#[derive(Serialize)]
struct Document<'d, 'a> {
    schema: &'static str,
    old: &'d Side,
    new: &'d Side,
    #[serde(flatten)]
    diff: &'d Diff<'a>,
}

pub fn write(w: &mut dyn Write, diff: &Diff, old: &Side, new: &Side) -> io::Result<()> {
    let doc = Document { schema: SCHEMA, old, new, diff };
    // Streamed through a buffer rather than built as one string: a spun
    // book's diff is 6 MB of JSON.
    let mut buf = io::BufWriter::with_capacity(1 << 16, w);
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, SafeFormatter);
    doc.serialize(&mut ser).map_err(io::Error::other)?;
    buf.write_all(b"\n")?;
    buf.flush()
}

/// serde_json's compact output, plus `\u00XX` escapes for DEL and C1
/// controls inside strings (article text can hold them; see
/// `sanitize::json_safe`, which this matches byte for byte).
struct SafeFormatter;

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        w.write_all(super::sanitize::json_safe(fragment).as_bytes())
    }
}
