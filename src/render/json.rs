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
    let mut buf = io::BufWriter::with_capacity(1 << 16, w);
    serde_json::to_writer(&mut buf, &doc).map_err(io::Error::other)?;
    buf.write_all(b"\n")?;
    buf.flush()
}
