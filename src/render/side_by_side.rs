//! `--side-by-side`: the old text on the left, the new on the right, one
//! row group per paragraph block so a changed paragraph faces its
//! replacement. Column width comes from [`RenderOptions::width`].

use super::blocks::{Block, Item};
use super::sanitize::visible_line;
use super::segments::{Ctx, Styled, View};
use super::style::{paint_opt, Label};
use super::summary::{folded, side_meta, summary_runs, Summary};
use super::wrap::{char_width, pad, width, wrap, Line};
use super::{ColorMode, RenderOptions, Side};
use crate::core::Diff;
use std::io::{self, Write};

/// The narrowest column still worth reading.
const MIN_COL: usize = 12;
const GUTTER: &str = " │ ";
const GUTTER_COLS: usize = 3;

pub fn write(w: &mut dyn Write, diff: &Diff, old: &Side, new: &Side, o: &RenderOptions) -> io::Result<()> {
    let cols = columns(o.width);
    let mode = o.color;
    let ctx = Ctx::new(diff);
    rows(w, &side_header(old, "---", cols), &side_header(new, "+++", cols), cols, mode)?;
    writeln!(w, "{}", rule(cols, '┼'))?;
    if !diff.is_identical() {
        for (i, item) in ctx.doc.items(o.context).into_iter().enumerate() {
            if i > 0 {
                writeln!(w, "{}", pad("", 0, cols) + GUTTER.trim_end())?;
            }
            match item {
                Item::Shown(b) => block(w, &ctx, b, cols, mode)?,
                Item::Hidden(run) => hidden(w, run, cols, mode)?,
            }
        }
        writeln!(w, "{}", rule(cols, '┴'))?;
    }
    writeln!(w)?;
    // The summary is wrapped to the full width too (a long substitution
    // list would otherwise run past it).
    let total = 2 * cols + GUTTER_COLS;
    for line in trimmed(wrap(&summary_runs(&Summary::new(diff, o.strict)), total, mode)) {
        writeln!(w, "{}", painted(&line, mode).trim_end())?;
    }
    Ok(())
}

/// Width of each column for a total width.
pub fn columns(total: usize) -> usize {
    (total.saturating_sub(GUTTER_COLS) / 2).max(MIN_COL)
}

fn rule(cols: usize, cross: char) -> String {
    let h = "─".repeat(cols);
    format!("{h}─{cross}─{h}")
}

fn side_header(side: &Side, mark: &str, cols: usize) -> Vec<Styled<'static>> {
    let label = tail(&visible_line(&side.label), cols.saturating_sub(mark.len() + 1));
    let mut v = vec![Styled::owned(Some(Label::Header), format!("{mark} {label}"))];
    let meta = side_meta(side);
    if !meta.is_empty() {
        v.push(Styled::owned(None, "\n".into()));
        v.push(Styled::owned(Some(Label::Meta), meta));
    }
    v
}

/// The end of `s` in at most `cols` columns, `…` marking a cut: the file
/// name matters more than the folders before it.
fn tail(s: &str, cols: usize) -> String {
    if width(s) <= cols {
        return s.to_string();
    }
    let mut used = 1;
    let mut start = s.len();
    for (i, c) in s.char_indices().rev() {
        used += char_width(c);
        if used > cols {
            break;
        }
        start = i;
    }
    format!("…{}", &s[start..])
}

fn block(w: &mut dyn Write, ctx: &Ctx, b: &Block, cols: usize, mode: ColorMode) -> io::Result<()> {
    let side = |view| b.pieces.iter().flat_map(|p| ctx.segments(p, view)).collect::<Vec<_>>();
    rows(w, &side(View::Old), &side(View::New), cols, mode)
}

fn hidden(w: &mut dyn Write, run: &[Block], cols: usize, mode: ColorMode) -> io::Result<()> {
    let l = [Styled::owned(Some(Label::Collapsed), folded(run, true))];
    let r = [Styled::owned(Some(Label::Collapsed), folded(run, false))];
    rows(w, &l, &r, cols, mode)
}

/// Wrap both sides and print them next to each other.
fn rows(w: &mut dyn Write, left: &[Styled], right: &[Styled], cols: usize, mode: ColorMode) -> io::Result<()> {
    let (l, r) = (trimmed(wrap(left, cols, mode)), trimmed(wrap(right, cols, mode)));
    let empty = Line::default();
    for i in 0..l.len().max(r.len()) {
        let (a, b) = (l.get(i).unwrap_or(&empty), r.get(i).unwrap_or(&empty));
        let right = painted(b, mode);
        let gutter = if right.is_empty() { GUTTER.trim_end() } else { GUTTER };
        writeln!(w, "{}{gutter}{right}", pad(&painted(a, mode), a.width(mode), cols))?;
    }
    Ok(())
}

/// Lines without the blank ones a paragraph separator leaves at the end.
fn trimmed(mut lines: Vec<Line>) -> Vec<Line> {
    while lines.last().is_some_and(|l| l.runs.is_empty()) {
        lines.pop();
    }
    lines
}

fn painted(line: &Line, mode: ColorMode) -> String {
    line.runs.iter().map(|(l, t)| paint_opt(mode, *l, t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::testutil::DiffBuilder;

    fn render(b: &DiffBuilder, width: usize, color: ColorMode) -> String {
        let d = b.diff();
        let mut out = Vec::new();
        let o = RenderOptions { width, color, layout: super::super::Layout::SideBySide, ..RenderOptions::default() };
        let old = Side { label: "old.txt".into(), ..Side::default() };
        let new = Side { label: "new.txt".into(), ..Side::default() };
        write(&mut out, &d, &old, &new, &o).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn long_labels_keep_their_end() {
        assert_eq!(tail("fixtures/quotes-typography/0002.txt", 12), "…hy/0002.txt");
        assert_eq!(tail("short", 12), "short");
        assert!(width(&tail("記事/東京/新しい版.txt", 9)) <= 9);
    }

    #[test]
    fn columns_fit_the_width() {
        assert_eq!(columns(100), 48);
        assert_eq!(columns(101), 49);
        assert_eq!(columns(10), MIN_COL);
    }

    #[test]
    fn summary_lines_fit_the_width() {
        let mut b = DiffBuilder::new().eq("A ").del("b").ins("c").eq(".");
        for i in 0..12 {
            b = b.sub(&format!("longword{i}"), &format!("replacement{i}"), 2);
        }
        for width_cols in [40, 60, 100] {
            for color in [ColorMode::Plain, ColorMode::Ansi] {
                let s = render(&b, width_cols, color);
                for line in s.lines() {
                    let v = if color == ColorMode::Ansi { strip_sgr(line) } else { line.to_string() };
                    assert!(width(&v) <= width_cols, "{v:?} is {} wide (limit {width_cols})", width(&v));
                }
                assert!(s.contains("Substitutions:"), "{s}");
            }
        }
    }

    #[test]
    fn rows_never_exceed_the_width_even_with_wide_text() {
        let b = DiffBuilder::new()
            .eq("東京都の予算案が可決された。")
            .del("反対は二人")
            .ins("反対した議員は二人だけだった")
            .eq("。\n\nThe council voted on Tuesday to approve the budget for parks and recreation.");
        for color in [ColorMode::Plain, ColorMode::Ansi] {
            let s = render(&b, 40, color);
            for line in s.lines().take_while(|l| !l.starts_with("Summary")) {
                let visible = if color == ColorMode::Ansi { strip_sgr(line) } else { line.to_string() };
                assert!(width(&visible) <= 40, "{visible:?} is {} wide", width(&visible));
            }
        }
    }

    #[test]
    fn changed_paragraph_faces_its_replacement() {
        let b = DiffBuilder::new().eq("Same.\n\n").del("Old words").ins("New words").eq(".\n\nEnd.");
        let s = render(&b, 40, ColorMode::Plain);
        let row = s.lines().find(|l| l.contains("[-Old")).unwrap();
        assert!(row.contains("│ {+New words+}."), "{s}");
        assert_eq!(row.find('│'), s.lines().next().unwrap().find('│'));
    }

    fn strip_sgr(s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('\x1b') {
            out.push_str(&rest[..i]);
            let j = rest[i..].find('m').map_or(rest.len(), |j| i + j + 1);
            rest = &rest[j..];
        }
        out.push_str(rest);
        out
    }
}
