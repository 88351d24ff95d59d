//! Terminal output: the inline view (default) and `--stat`.
//!
//! Removed and added words are painted through [`super::style`]; every byte
//! of article text goes through [`super::sanitize::visible`] first (see
//! [`super::segments::Styled`]).

use super::blocks::Item;
use super::sanitize::{visible_line, visible_text};
use super::segments::{Ctx, View};
use super::style::{paint, paint_opt, Label};
use super::summary::{folded, side_meta, Summary};
use super::{ColorMode, Layout, RenderOptions, Side};
use crate::core::Diff;
use std::io::{self, Write};

/// The inline view, or `--stat`. (Side by side is its own renderer,
/// chosen in [`super::render`].)
pub fn write(w: &mut dyn Write, diff: &Diff, old: &Side, new: &Side, o: &RenderOptions) -> io::Result<()> {
    match o.layout {
        Layout::Stat => stat(w, diff, old, new, o),
        Layout::Inline | Layout::SideBySide => inline(w, diff, old, new, o),
    }
}

/// Header, body with unchanged paragraphs folded, summary.
fn inline(w: &mut dyn Write, diff: &Diff, old: &Side, new: &Side, o: &RenderOptions) -> io::Result<()> {
    header(w, old, new, o.color)?;
    let ctx = Ctx::new(diff);
    if !diff.is_identical() {
        let body = body(&ctx, o);
        writeln!(w)?;
        writeln!(w, "{}", body.trim_end_matches('\n'))?;
    }
    writeln!(w)?;
    summary(w, &Summary::new(diff, o.strict), o.color)
}

/// `--stat`: the header and the summary, no text.
fn stat(w: &mut dyn Write, diff: &Diff, old: &Side, new: &Side, o: &RenderOptions) -> io::Result<()> {
    header(w, old, new, o.color)?;
    summary(w, &Summary::new(diff, o.strict), o.color)
}

fn body(ctx: &Ctx, o: &RenderOptions) -> String {
    let mut out = String::new();
    let mut last: Option<Label> = None;
    for item in ctx.doc.items(o.context) {
        match item {
            Item::Shown(b) => {
                for p in &b.pieces {
                    for s in ctx.segments(p, View::Inline) {
                        if o.color == ColorMode::Ansi && touching(last, s.label) && !out.ends_with('\n') {
                            out.push(' ');
                        }
                        match s.label {
                            // Unstyled text as it is, without a copy of its own.
                            None => out.push_str(&s.text),
                            Some(_) => out.push_str(&paint_opt(o.color, s.label, &s.text)),
                        }
                        last = s.label;
                    }
                }
            }
            Item::Hidden(run) => {
                // One blank line before the fold, however many line breaks
                // the shown block ended with (a moved paragraph brings its
                // old place's breaks along).
                let kept = out.trim_end_matches('\n').len();
                out.truncate(kept);
                if !out.is_empty() {
                    out.push_str("\n\n");
                }
                out.push_str(&paint(o.color, Label::Collapsed, &folded(run, false)));
                out.push_str("\n\n");
                last = None;
            }
        }
    }
    out
}

/// A removed run right next to an added one (or the reverse). In colour,
/// only red versus green would tell them apart, so an unstyled space goes
/// between them: it belongs to neither text. Plain mode has its markers and
/// debug mode its tags, so they need none.
fn touching(prev: Option<Label>, next: Option<Label>) -> bool {
    match (prev, next) {
        (Some(a), Some(b)) => (a.is_old() && b.is_new()) || (a.is_new() && b.is_old()),
        _ => false,
    }
}

/// `--- label  r1 · 3f2a9c1 · date · N words · “title”` for both sides.
fn header(w: &mut dyn Write, old: &Side, new: &Side, mode: ColorMode) -> io::Result<()> {
    for (mark, side) in [("---", old), ("+++", new)] {
        let meta = side_meta(side);
        write!(w, "{}", paint(mode, Label::Header, &format!("{mark} {}", visible_line(&side.label))))?;
        if !meta.is_empty() {
            write!(w, "  {}", paint(mode, Label::Meta, &meta))?;
        }
        writeln!(w)?;
    }
    Ok(())
}

/// The summary block: headline, notes, top substitutions.
pub fn summary(w: &mut dyn Write, s: &Summary, mode: ColorMode) -> io::Result<()> {
    writeln!(w, "{}", paint(mode, Label::Summary, &format!("Summary: {}", s.headline())))?;
    for n in &s.notes {
        writeln!(w, "  {}", paint(mode, Label::Meta, &visible_text(n)))?;
    }
    if let Some(subs) = s.top_substitutions(8) {
        writeln!(w, "  {} {}", paint(mode, Label::Summary, "Substitutions:"), visible_text(&subs))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{ChangeKind, KindCounts};
    use crate::render::testutil::{stats, ChangeSpec, DiffBuilder};

    fn render(b: &DiffBuilder, o: RenderOptions) -> String {
        let d = b.diff();
        let mut out = Vec::new();
        let old = Side { label: "a.txt".into(), ..Side::default() };
        let new = Side { label: "b.txt".into(), revision: Some(2), title: Some("T".into()), ..Side::default() };
        write(&mut out, &d, &old, &new, &o).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn debug() -> RenderOptions {
        RenderOptions { color: ColorMode::Debug, ..RenderOptions::default() }
    }

    #[test]
    fn inline_debug_shows_changes_folds_context_and_summarises() {
        let b = DiffBuilder::new()
            .eq("P1.\n\nP2.\n\nP3.\n\nThe mayor ")
            .del("said")
            .of(0)
            .ins("stated")
            .of(0)
            .eq(" no.\n\nP5.")
            .change(ChangeSpec { kind: Some(ChangeKind::Reworded), ..Default::default() })
            .sub("said", "stated", 1)
            .stats(stats(KindCounts { reworded: 1, ..Default::default() }, 1, 1, 0.8));
        let s = render(&b, debug());
        assert_eq!(
            s,
            "<header>--- a.txt</header>\n\
             <header>+++ b.txt</header>  <meta>r2 · “T”</meta>\n\
             \n\
             <collapsed>⋯ 2 unchanged paragraphs (¶1–2) ⋯</collapsed>\n\
             \n\
             P3.\n\
             \n\
             The mayor <removed>said</removed><added>stated</added> no.\n\
             \n\
             P5.\n\
             \n\
             <summary>Summary: 1 reworded · words +1 −1 · 80% similar</summary>\n  \
             <summary>Substitutions:</summary> said → stated\n"
        );
    }

    #[test]
    fn plain_uses_wdiff_markers_per_line() {
        let b = DiffBuilder::new().eq("A ").del("old\n\nlines").ins("new").eq(".");
        let o = RenderOptions { context: 5, ..RenderOptions::default() };
        let s = render(&b, o);
        assert!(s.contains("A [-old-]\n\n[-lines-]{+new+}."), "{s}");
    }

    #[test]
    fn formatting_swaps_are_dimmed_not_red() {
        let b = DiffBuilder::new().eq("say ").del("\"").fmt().ins("“").fmt().eq("hi");
        let s = render(&b, debug());
        assert!(s.contains("say <formatting-removed>\"</formatting-removed><formatting-added>“</formatting-added>hi"));
    }

    #[test]
    fn identical_texts_print_no_body() {
        let b = DiffBuilder::new().eq("Same.\n\nText.");
        let s = render(&b, debug());
        assert!(
            s.ends_with("+++ b.txt</header>  <meta>r2 · “T”</meta>\n\n<summary>Summary: no differences</summary>\n")
        );
    }

    #[test]
    fn stat_is_header_and_summary_only() {
        let b = DiffBuilder::new().eq("x ").ins("y");
        let s = render(&b, RenderOptions { layout: Layout::Stat, ..debug() });
        assert_eq!(s.lines().count(), 3, "{s}");
        assert!(!s.contains("<added>"));
    }

    #[test]
    fn ansi_mode_never_passes_control_characters() {
        let b = DiffBuilder::new().eq("\x1b]0;pwned\x07").del("\x1b[2J").ins("\u{9b}31m");
        let s = render(&b, RenderOptions { color: ColorMode::Ansi, ..RenderOptions::default() });
        assert!(only_sgr(&s), "{s:?}");
        assert!(!s.contains('\u{9b}'));
    }

    /// Every ESC in `s` starts an SGR sequence (`ESC [ digits/; m`).
    pub fn only_sgr(s: &str) -> bool {
        s.split('\x1b').skip(1).all(|rest| {
            let Some(r) = rest.strip_prefix('[') else { return false };
            let params = r.trim_start_matches(|c: char| c.is_ascii_digit() || c == ';');
            params.starts_with('m')
        })
    }
}
