//! `--format html`: one self-contained page (inline CSS, no scripts, no
//! fonts or images fetched) with the header metadata, the summary and
//! substitution table, and an inline and a side-by-side view switched by a
//! CSS-only tab (two radio buttons).
//!
//! Element contract (the browser test relies on it):
//! - In the inline view (`<section id="inline">`), every piece of a delete
//!   op is a `<del data-op="I">` and every piece of an insert op an
//!   `<ins data-op="I">`, `I` being the op's index in the JSON `ops`; an op
//!   cut at paragraph boundaries gives several elements with the same `I`.
//!   Inner word changes of a moved-and-edited unit are nested
//!   `<del class="inner">`/`<ins class="inner">` without `data-op`.
//! - Each moved or duplicated change gets one
//!   `<span class="note" data-kind="moved|duplicated" data-site="new">` at
//!   its new text, and a moved one also a `data-site="old"` note at its old
//!   text. Notes carry `data-change` (index into JSON `changes`) when the
//!   engine linked the ops to a change.
//! - The side-by-side view repeats the text without `data-op`.
//!
//! All text is passed through [`visible`] and then escaped, so markup or
//! control characters in an article stay inert.
//!
//! What each piece is (hidden, a changed break, the note before it, a moved
//! unit's inner diff) comes from the shared layout step, [`Ctx::layout`];
//! this module only maps it to elements. The inline view shows a move's old
//! place in full (struck out) where the terminal prints a pointer.

use super::blocks::{Block, Item, Piece};
use super::notes::{Note, Site};
use super::page::{esc, head, pager, Page, CSS};
use super::segments::{Ctx, Inner, Shape, View};
use super::style::Label;
use super::summary::{folded, percent, Summary};
use super::{RenderOptions, Side};
use crate::core::{ChangeKind, Diff, OpKind};
use std::fmt::Write as _;
use std::io::{self, Write};

/// Substitutions listed before the rest fold away (a rewritten book has
/// thousands).
const SHOWN_SUBS: usize = 30;

pub fn write(w: &mut dyn Write, diff: &Diff, old: &Side, new: &Side, o: &RenderOptions, page: &Page) -> io::Result<()> {
    let ctx = Ctx::new(diff);
    let heading = page.heading.clone().unwrap_or_else(|| default_heading(old, new));
    let mut h = String::with_capacity(4 * (diff.old_text.len() + diff.new_text.len()) + CSS.len() + 4096);
    h.push_str(&head(&format!("{heading} · redline")));
    h.push_str("<div class=\"page\">\n");
    h.push_str(&pager(page));
    let _ = writeln!(h, "<header><div class=\"brand\">redline diff</div><h1>{}</h1>", esc(&heading));
    let _ = writeln!(h, "<div class=\"sides\">{}{}</div></header>", side_card(old, "old"), side_card(new, "new"));
    h.push_str(&summary(&Summary::new(diff, o.strict)));
    h.push_str(LEGEND);
    h.push_str(
        "<div class=\"views\">\n<input type=\"radio\" name=\"view\" id=\"show-inline\" checked>\
         <label for=\"show-inline\">Inline</label>\
         <input type=\"radio\" name=\"view\" id=\"show-sbs\"><label for=\"show-sbs\">Side by side</label>\n",
    );
    inline_view(&mut h, &ctx, o.context);
    side_by_side_view(&mut h, &ctx, old, new, o.context);
    h.push_str("</div>\n");
    h.push_str(&pager(page));
    h.push_str("<footer>Made by redline · one self-contained file: no scripts, nothing fetched.</footer>\n</div>\n</body>\n</html>\n");
    w.write_all(h.as_bytes())
}

fn default_heading(old: &Side, new: &Side) -> String {
    match new.title.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(t) => t.trim().to_string(),
        None => format!("{} → {}", old.label, new.label),
    }
}

fn side_card(side: &Side, which: &str) -> String {
    let mut meta = Vec::new();
    if let Some(r) = side.revision {
        meta.push(format!("revision {r}"));
    }
    if let Some(id) = &side.id {
        meta.push(format!("<code>{}</code>", esc(&id.chars().take(12).collect::<String>())));
    }
    if let Some(t) = &side.observed_at {
        meta.push(format!("<time>{}</time>", esc(t)));
    }
    meta.push(format!("{} words", side.words));
    let title = side
        .title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| format!("<div class=\"meta\">“{}”</div>", esc(t.trim())))
        .unwrap_or_default();
    format!(
        "<section class=\"side {which}\"><h2>{which}</h2><div class=\"label\">{}</div>\
         <div class=\"meta\">{}</div>{title}</section>",
        esc(&side.label),
        meta.join(" · ")
    )
}

/// A summary note as the report's readers should see it: they did not run
/// redline, so the command-line advice (`--strict counts them`) goes.
fn for_readers(note: &str) -> String {
    note.replace("; --strict counts them.", ".")
        .replace(" counted because of --strict.", " counted (strict mode).")
        .replace("; counted because of --strict.", "; counted (strict mode).")
}

fn summary(s: &Summary) -> String {
    let mut h = String::from("<section class=\"summary\" aria-label=\"Summary\">\n<p class=\"headline\">");
    if s.identical {
        h.push_str("<span class=\"chip\">no differences</span>");
    }
    for (k, n) in &s.kinds {
        let _ = write!(h, "<span class=\"chip k-{0}\">{n} {0}</span>", k.name());
    }
    if !s.identical {
        let _ = write!(
            h,
            "<span class=\"words\">words <span class=\"plus\">+{}</span> <span class=\"minus\">−{}</span></span>\
             <span class=\"sim\">· {} similar</span>",
            s.words_added,
            s.words_removed,
            percent(s.similarity)
        );
    }
    if s.quotes > 0 {
        let _ = write!(
            h,
            "<span class=\"chip badge quote\">{} quote{} changed</span>",
            s.quotes,
            if s.quotes == 1 { "" } else { "s" }
        );
    }
    for (o, n) in &s.numbers {
        let _ = write!(h, "<span class=\"chip badge number\">number {} → {}</span>", esc(o), esc(n));
    }
    h.push_str("</p>\n");
    for n in &s.notes {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(&for_readers(n)));
    }
    if !s.subs.is_empty() {
        let _ = write!(h, "<div class=\"subs\"><h3>Substitutions ({})</h3><ol>", s.subs.len());
        for (i, c) in s.subs.iter().enumerate() {
            if i == SHOWN_SUBS {
                let _ = write!(h, "</ol><details><summary>{} more</summary><ol>", s.subs.len() - SHOWN_SUBS);
            }
            let x = if c.count > 1 { format!("<span class=\"x\">×{}</span>", c.count) } else { String::new() };
            let _ = write!(
                h,
                "<li><span class=\"o\">{}</span><span class=\"arrow\">→</span><span class=\"n\">{}</span>{x}</li>",
                esc(c.old),
                esc(c.new)
            );
        }
        h.push_str(if s.subs.len() > SHOWN_SUBS { "</ol></details></div>\n" } else { "</ol></div>\n" });
    }
    h.push_str("</section>\n");
    h
}

const LEGEND: &str = "<p class=\"legend\" aria-hidden=\"true\">\
<span><span class=\"chip k-removed\">removed</span></span>\
<span><span class=\"chip k-added\">added</span></span>\
<span><span class=\"chip k-moved\">moved</span></span>\
<span><span class=\"chip k-duplicated\">duplicate</span></span>\
<span>dotted: typography only (quotes, dashes, spacing)</span></p>\n";

fn inline_view(h: &mut String, ctx: &Ctx, context: usize) {
    h.push_str("<section id=\"inline\" class=\"view\" aria-label=\"Inline view\"><div class=\"text\">");
    for item in ctx.doc.items(context) {
        match item {
            Item::Shown(b) => inline_block(h, ctx, b),
            Item::Hidden(run) => {
                let _ = write!(h, "<details class=\"fold\"><summary>{}</summary>", esc(&folded(run, false)));
                run.iter().for_each(|b| inline_block(h, ctx, b));
                h.push_str("</details>");
            }
        }
    }
    h.push_str("</div></section>\n");
}

fn inline_block(h: &mut String, ctx: &Ctx, b: &Block) {
    // The gutter numbers paragraphs of the new text; a block that only
    // removes text has none.
    if b.pieces.iter().any(|p| p.kind != OpKind::Delete) {
        let _ = write!(h, "<div class=\"blk\" data-p=\"¶{}\">", b.new_para + 1);
    } else {
        h.push_str("<div class=\"blk\">");
    }
    for p in &b.pieces {
        piece(h, ctx, p, View::Inline, true);
    }
    h.push_str("</div>");
}

fn side_by_side_view(h: &mut String, ctx: &Ctx, old: &Side, new: &Side, context: usize) {
    let _ = write!(
        h,
        "<section id=\"side-by-side\" class=\"view\" aria-label=\"Side-by-side view\"><table class=\"sbs\">\
         <thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        esc(&column_title(old)),
        esc(&column_title(new))
    );
    for item in ctx.doc.items(context) {
        match item {
            Item::Shown(b) => sbs_row(h, ctx, b),
            Item::Hidden(run) => {
                let _ = write!(
                    h,
                    "<tr><td class=\"fold\" colspan=\"2\"><details class=\"fold\"><summary>{}</summary>\
                     <table class=\"sbs\"><tbody>",
                    esc(&folded(run, false))
                );
                run.iter().for_each(|b| sbs_row(h, ctx, b));
                h.push_str("</tbody></table></details></td></tr>");
            }
        }
    }
    h.push_str("</tbody></table></section>\n");
}

/// `belarus · revision 2` (store diffs have the same label on both sides).
fn column_title(side: &Side) -> String {
    match side.revision {
        Some(r) => format!("{} · revision {r}", side.label),
        None => side.label.clone(),
    }
}

fn sbs_row(h: &mut String, ctx: &Ctx, b: &Block) {
    let class = if b.changed() { " class=\"changed\"" } else { "" };
    let cell = |view| {
        let mut c = String::new();
        b.pieces.iter().for_each(|p| piece(&mut c, ctx, p, view, false));
        trim_cell_end(&mut c);
        c
    };
    let _ = write!(
        h,
        "<tr{class}><td class=\"old\">{}</td><td class=\"new\">{}</td></tr>",
        cell(View::Old),
        cell(View::New)
    );
}

/// Drop the paragraph separator a table cell ends with (in `pre-wrap` it
/// would show as empty lines), including a trailing line-break element.
fn trim_cell_end(c: &mut String) {
    loop {
        let n = c.trim_end_matches('\n').len();
        c.truncate(n);
        let Some(close) = c.rfind("</") else { return };
        let Some(open) = c[..close].rfind('<') else { return };
        let tag = &c[open..close];
        let Some((start, content)) = tag.split_once('>') else { return };
        let is_br = start
            .split_once(" class=\"")
            .and_then(|(_, v)| v.split_once('"'))
            .is_some_and(|(v, _)| v.split(' ').any(|c| c == "br"));
        if is_br && content.chars().all(|ch| ch == '\n') {
            c.truncate(open);
        } else {
            return;
        }
    }
}

/// One piece as HTML. `ids` adds the `data-op` of the element contract.
fn piece(h: &mut String, ctx: &Ctx, p: &Piece, view: View, ids: bool) {
    let lay = ctx.layout(p, view);
    match lay.shape {
        Shape::Hidden => return,
        Shape::Equal => return h.push_str(&esc(p.text)),
        Shape::MovedAway | Shape::Break | Shape::Changed => {}
    }
    let tag = Tag::new(ctx, p, if p.kind == OpKind::Delete { "del" } else { "ins" }, ids);
    if lay.shape == Shape::Break {
        // A changed paragraph break: CSS shows it as ↵ (see `.nl`).
        tag.open(h, "nl");
        h.push_str(&esc(p.text));
        return tag.close(h);
    }
    let note_here = lay.note;
    // Line breaks at the edges get their own element, so the change's
    // background does not paint the blank line between paragraphs.
    let (lead, body, trail) = edges(p.text);
    for (text, extra) in [(lead, "br"), (body, ""), (trail, "br")] {
        if extra.is_empty() {
            note_here.into_iter().for_each(|n| note(h, n));
        }
        if text.is_empty() {
            continue;
        }
        tag.open(h, extra);
        if let Some(edit) = lay.inner.filter(|_| extra.is_empty()) {
            inner(h, edit, text, view);
        } else {
            h.push_str(&esc(text));
        }
        tag.close(h);
    }
}

/// A `<del>`/`<ins>` start tag's name, classes and data attributes.
struct Tag {
    name: &'static str,
    class: Vec<&'static str>,
    attrs: String,
}

impl Tag {
    fn new(ctx: &Ctx, p: &Piece, name: &'static str, ids: bool) -> Tag {
        let op = &ctx.diff.ops[p.op];
        let change = ctx.notes.change_of[p.op].and_then(|c| ctx.diff.changes.get(c));
        let mut class = Vec::new();
        if op.formatting {
            class.push("fmt");
        }
        if op.move_id.is_some() {
            class.push("moved");
        }
        if change.is_some_and(|c| c.kind == ChangeKind::Duplicated) {
            class.push("dup");
        }
        let mut attrs = String::new();
        if ids {
            let _ = write!(attrs, " data-op=\"{}\"", p.op);
        }
        if let Some(c) = change {
            let _ = write!(attrs, " data-kind=\"{}\"", c.kind.name());
        }
        if let Some(m) = op.move_id {
            let _ = write!(attrs, " data-move=\"{m}\"");
        }
        Tag { name, class, attrs }
    }

    fn open(&self, h: &mut String, extra: &str) {
        let mut class = self.class.clone();
        if !extra.is_empty() {
            class.push(extra);
        }
        let _ = write!(h, "<{}", self.name);
        if !class.is_empty() {
            let _ = write!(h, " class=\"{}\"", class.join(" "));
        }
        let _ = write!(h, "{}>", self.attrs);
    }

    fn close(&self, h: &mut String) {
        let _ = write!(h, "</{}>", self.name);
    }
}

/// `text` as (leading whitespace with a line break, middle, trailing
/// whitespace with a line break); the middle is all of it if there are none.
fn edges(text: &str) -> (&str, &str, &str) {
    let body = text.trim_matches(char::is_whitespace);
    if body.is_empty() {
        return if text.contains('\n') { (text, "", "") } else { ("", text, "") };
    }
    let start = text.len() - text.trim_start().len();
    let end = text.trim_end().len();
    let (lead, trail) = (&text[..start], &text[end..]);
    let lead_len = if lead.contains('\n') { start } else { 0 };
    let trail_len = if trail.contains('\n') { trail.len() } else { 0 };
    (&text[..lead_len], &text[lead_len..text.len() - trail_len], &text[text.len() - trail_len..])
}

/// `<span class="note" …>moved from ¶3</span>`.
fn note(h: &mut String, n: &Note) {
    let site = if n.site == Site::Old { "old" } else { "new" };
    let _ = write!(h, "<span class=\"note\" data-kind=\"{}\" data-site=\"{site}\"", n.kind_name());
    if let Some(c) = n.change {
        let _ = write!(h, " data-change=\"{c}\"");
    }
    let _ = write!(h, ">{}</span>", esc(&n.text()));
}

/// Write `text` (the body of a moved-and-edited unit's piece) as the
/// unit's inner word diff, nested inside the piece's element.
fn inner(h: &mut String, edit: Inner, text: &str, view: View) {
    let Some(at) = text.find(edit.unit) else {
        return h.push_str(&esc(text));
    };
    h.push_str(&esc(&text[..at]));
    for (label, t) in edit.runs(view) {
        match label {
            Label::Removed => {
                let _ = write!(h, "<del class=\"inner\">{}</del>", esc(t));
            }
            Label::Added => {
                let _ = write!(h, "<ins class=\"inner\">{}</ins>", esc(t));
            }
            _ => h.push_str(&esc(t)),
        }
    }
    h.push_str(&esc(&text[at + edit.unit.len()..]));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::KindCounts;
    use crate::render::testutil::{stats, ChangeSpec, DiffBuilder};

    fn render(b: &DiffBuilder) -> String {
        let d = b.diff();
        let mut out = Vec::new();
        let side = |l: &str| Side { label: l.into(), ..Side::default() };
        write(&mut out, &d, &side("a<b>"), &side("c"), &RenderOptions::default(), &Page::default()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_everything_and_shows_controls() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(esc("\x1b]0;t\x07"), "\\x1b]0;t\\x07");
        let b =
            DiffBuilder::new().eq("<b>").del("<script>alert(1)</script>").ins("\x1b[2J<img src=x onerror=alert(1)>");
        let s = render(&b);
        assert!(!s.contains("<script>") && !s.contains("<img") && !s.contains('\x1b'), "{s}");
        assert!(s.contains("a&lt;b&gt; → c"));
        assert!(!s.contains("<script") && !s.contains("http://") && !s.contains("https://"));
    }

    #[test]
    fn one_element_per_op_piece_with_op_index() {
        let b = DiffBuilder::new().eq("A ").del("x").ins("y").eq(" B.\n\nC ").del("old\n\nmulti").eq(".");
        let s = render(&b);
        let inline = &s[s.find("id=\"inline\"").unwrap()..s.find("id=\"side-by-side\"").unwrap()];
        assert_eq!(inline.matches("<del data-op=\"1\">").count(), 1);
        assert_eq!(inline.matches("<ins data-op=\"2\">").count(), 1);
        // Op 4 spans a paragraph break: two elements, same index.
        assert_eq!(inline.matches("<del data-op=\"4\">").count(), 2);
        let sbs = &s[s.find("id=\"side-by-side\"").unwrap()..];
        assert!(!sbs.contains("data-op"));
        assert_eq!(sbs.matches("<del>").count(), 3);
    }

    #[test]
    fn notes_and_summary() {
        let b = DiffBuilder::new()
            .del("Moved.\n\n")
            .moved(3)
            .of(0)
            .eq("Body.\n\n")
            .ins("Moved.")
            .moved(3)
            .of(0)
            .change(ChangeSpec { kind: Some(ChangeKind::Moved), move_id: Some(3), ..Default::default() })
            .stats(stats(KindCounts { moved: 1, ..Default::default() }, 0, 0, 1.0))
            .sub("a&b", "c", 2);
        let s = render(&b);
        assert!(
            s.contains(
                "<span class=\"note\" data-kind=\"moved\" data-site=\"old\" data-change=\"0\">moved to ¶2</span>\
             <del class=\"moved\" data-op=\"0\" data-kind=\"moved\" data-move=\"3\">Moved.</del>\
             <del class=\"moved br\" data-op=\"0\" data-kind=\"moved\" data-move=\"3\">\n\n</del>"
            ),
            "{s}"
        );
        assert!(s.contains("data-site=\"new\" data-change=\"0\">moved from ¶1</span>"));
        assert!(s.contains("<span class=\"chip k-moved\">1 moved</span>"));
        assert!(s.contains("<span class=\"o\">a&amp;b</span>"));
    }

    #[test]
    fn line_breaks_at_edges_split_off() {
        assert_eq!(edges("Para.\n\n"), ("", "Para.", "\n\n"));
        assert_eq!(edges("\n\nPara. "), ("\n\n", "Para. ", ""));
        assert_eq!(edges(" word "), ("", " word ", ""));
        assert_eq!(edges("\n\n"), ("\n\n", "", ""));
        assert_eq!(edges("  "), ("", "  ", ""));
        let b = DiffBuilder::new().eq("A.\n\n").ins("New para.\n\n").eq("B.");
        let s = render(&b);
        assert!(s.contains("<ins data-op=\"1\">New para.</ins><ins class=\"br\" data-op=\"1\">\n\n</ins>"), "{s}");
        let b = DiffBuilder::new().eq("A.").del("\n\n").fmt().ins(" ").fmt().eq("B.");
        let s = render(&b);
        assert!(
            s.contains("A.<del class=\"fmt nl\" data-op=\"1\">\n\n</del><ins class=\"fmt\" data-op=\"2\"> </ins>B."),
            "{s}"
        );
    }

    #[test]
    fn table_cells_drop_trailing_separators() {
        let mut c = "A <ins>b</ins><ins class=\"br\">\n\n</ins>".to_string();
        trim_cell_end(&mut c);
        assert_eq!(c, "A <ins>b</ins>");
        let mut c = "text\n\n".to_string();
        trim_cell_end(&mut c);
        assert_eq!(c, "text");
        let mut c = "<del class=\"moved br\">\n</del><del>x\n</del>".to_string();
        trim_cell_end(&mut c);
        assert_eq!(c, "<del class=\"moved br\">\n</del><del>x\n</del>");
    }

    #[test]
    fn self_contained_no_scripts_nothing_fetched() {
        let s = render(&DiffBuilder::new().eq("x"));
        assert!(s.starts_with("<!DOCTYPE html>"));
        assert!(!s.contains("<script") && !s.contains("<link") && !s.contains("url(") && !s.contains("@import"));
        assert!(s.contains("no differences"));
    }
}
