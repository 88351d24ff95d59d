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
    // Article text can hold C1 controls; see `sanitize::json_safe`.
    let json = serde_json::to_string(&doc).map_err(io::Error::other)?;
    w.write_all(super::sanitize::json_safe(&json).as_bytes())?;
    w.write_all(b"\n")?;
    w.flush()
}
