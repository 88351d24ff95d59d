//! Inline terminal rendering (placeholder until the render issue lands).

use super::{
    sanitize::visible,
    style::{paint, Label},
    RenderOptions, Side,
};
use crate::core::{Diff, OpKind};
use std::io::{self, Write};

pub fn write(w: &mut dyn Write, diff: &Diff, old: &Side, new: &Side, o: &RenderOptions) -> io::Result<()> {
    writeln!(
        w,
        "{}",
        paint(o.color, Label::Header, &format!("--- {}\n+++ {}", visible(&old.label), visible(&new.label)))
    )?;
    for op in &diff.ops {
        let t = visible(op.text);
        match op.op {
            OpKind::Equal => write!(w, "{t}")?,
            OpKind::Delete => write!(w, "{}", paint(o.color, Label::Removed, &t))?,
            OpKind::Insert => write!(w, "{}", paint(o.color, Label::Added, &t))?,
        }
    }
    writeln!(w)
}
