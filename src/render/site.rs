//! The static site `redline export` writes: an index page with the
//! article's history table, one page per revision with its full text, and
//! one diff page per consecutive pair of revisions (written by
//! [`super::html::write`] with a [`Page`] of links). The pieces pages share
//! are in [`super::page`].
//!
//! This module takes plain data, so it knows nothing about the store.

pub use super::page::{diff_page_name, revision_page_name};
use super::page::{esc, head, pager, Link, Page, RevisionRow};
use crate::core::segment::{has_blank_line, paragraphs, sentences};
use crate::core::Span;
use std::fmt::Write as _;
use std::io::{self, Write};

/// A sentence of a text as the engine cuts them (a sentence within a
/// line): its content span (no surrounding whitespace) and its 1-based ¶.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub span: Span,
    pub paragraph: usize,
}

/// The sentences of `text`, in reading order, skipping empty ones.
/// `per_line` is the engine's paragraph rule (one paragraph per line when
/// neither text of a pair has a blank line; for one text alone,
/// `!has_blank_line(text)`).
pub fn cut(text: &str, per_line: bool) -> Vec<Sentence> {
    let mut out = Vec::new();
    for (p, block) in paragraphs(text, per_line).iter().enumerate() {
        if block.content.is_empty() {
            continue;
        }
        for span in sentences(text, block) {
            let s = &text[span.clone()];
            let lead = s.len() - s.trim_start().len();
            let content = span.start + lead..span.start + s.trim_end().len();
            if !content.is_empty() {
                out.push(Sentence { span: content, paragraph: p + 1 });
            }
        }
    }
    out
}

/// Hover notes for a revision page, one per sentence in the order [`cut`]
/// gives them (missing or `None`: no note). This is where blame plugs in:
/// each note becomes the sentence's `title` (shown on hover) and its
/// `data-blame` attribute.
pub type SentenceNotes = Vec<Option<String>>;

/// A revision's page: its full text, one `<p>` per paragraph and each
/// sentence a `<span class="s" id="sN">` (N as [`cut`] numbers them, from
/// 1), carrying its note from `notes` when there is one; links to the
/// previous and next revisions, the index and what changed.
pub fn write_revision(
    w: &mut dyn Write,
    name: &str,
    rows: &[RevisionRow],
    i: usize,
    text: &str,
    notes: &[Option<String>],
) -> io::Result<()> {
    let r = &rows[i];
    let link = |j: usize, text: String| Link { href: revision_page_name(rows[j].number), text };
    let page = Page {
        heading: None,
        index: Some(Link { href: "index.html".into(), text: format!("↑ {name}: all revisions") }),
        prev: (i > 0).then(|| link(i - 1, format!("← r{}", rows[i - 1].number))),
        next: (i + 1 < rows.len()).then(|| link(i + 1, format!("r{} →", rows[i + 1].number))),
    };
    let mut h = head(&format!("{name}@{} · redline", r.number));
    h.push_str("<div class=\"page\">\n");
    h.push_str(&pager(&page));
    let _ = writeln!(h, "<header><div class=\"brand\">redline revision</div><h1>{}</h1></header>", esc(&r.title));
    let changed = if i > 0 {
        format!(" · <a href=\"{}\">what changed since r{}</a>", diff_page_name(r.number), rows[i - 1].number)
    } else {
        String::new()
    };
    let marks: String = r.marks.iter().map(|m| format!(" <span class=\"mark\">{}</span>", esc(m))).collect();
    let _ = writeln!(
        h,
        "<p class=\"legend\">{} · revision {} · <code>{}</code> · <time>{}</time> · {} words{marks}{changed}</p>",
        esc(name),
        r.number,
        esc(&r.id.chars().take(10).collect::<String>()),
        esc(&r.date),
        r.words
    );
    if let Some(n) = &r.note {
        let _ = writeln!(h, "<p class=\"revnote\">{}</p>", esc(n));
    }
    h.push_str("<article class=\"text\">\n");
    text_html(&mut h, text, notes);
    h.push_str("</article>\n");
    h.push_str(&pager(&page));
    h.push_str("<footer>Made by redline · static pages, no scripts.</footer>\n</div>\n</body>\n</html>\n");
    w.write_all(h.as_bytes())
}

/// The text as paragraphs of sentence spans; what lies between two
/// sentences of a paragraph is kept (a line break becomes `<br>`).
fn text_html(h: &mut String, text: &str, notes: &[Option<String>]) {
    let mut para = 0;
    let mut last_end = 0;
    for (k, s) in cut(text, !has_blank_line(text)).iter().enumerate() {
        if s.paragraph != para {
            if para != 0 {
                h.push_str("</p>\n");
            }
            h.push_str("<p>");
            para = s.paragraph;
        } else {
            h.push_str(&esc(&text[last_end..s.span.start]).replace('\n', "<br>\n"));
        }
        let note = notes.get(k).and_then(|n| n.as_deref());
        let attrs = note.map(|n| format!(" title=\"{0}\" data-blame=\"{0}\"", esc(n))).unwrap_or_default();
        let _ = write!(h, "<span class=\"s\" id=\"s{}\"{attrs}>{}</span>", k + 1, esc(&text[s.span.clone()]));
        last_end = s.span.end;
    }
    if para != 0 {
        h.push_str("</p>\n");
    }
}

/// Links for the diff page of revision `rows[i]` against `rows[i - 1]`.
pub fn page_links(name: &str, rows: &[RevisionRow], i: usize) -> Page {
    let link = |j: usize| {
        let (a, b) = (&rows[j - 1], &rows[j]);
        Link { href: diff_page_name(b.number), text: format!("r{} → r{}", a.number, b.number) }
    };
    Page {
        heading: Some(format!("{name}: revision {} → {}", rows[i - 1].number, rows[i].number)),
        index: Some(Link { href: "index.html".into(), text: format!("↑ {name}: all revisions") }),
        prev: (i > 1).then(|| link(i - 1)).map(|l| Link { text: format!("← {}", l.text), ..l }),
        next: (i + 1 < rows.len()).then(|| link(i + 1)).map(|l| Link { text: format!("{} →", l.text), ..l }),
    }
}

/// index.html: the history table, each revision linking to its diff and
/// its text; `up` links back to a whole-store site's front page.
pub fn write_index(w: &mut dyn Write, name: &str, rows: &[RevisionRow], up: Option<&Link>) -> io::Result<()> {
    let mut h = head(&format!("{name} · redline"));
    h.push_str("<div class=\"page\">\n");
    if let Some(up) = up {
        let _ =
            writeln!(h, "<nav class=\"pager\"><a rel=\"up\" href=\"{}\">{}</a></nav>", esc(&up.href), esc(&up.text));
    }
    h.push_str("<header><div class=\"brand\">redline history</div>");
    h.push_str(&format!("<h1>{}</h1></header>\n", esc(name)));
    h.push_str(&format!(
        "<p class=\"legend\">{} revision{}. Each row links to what changed since the one before.</p>\n",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    ));
    h.push_str(
        "<table class=\"history\">\n<thead><tr><th>#</th><th>id</th><th>observed</th><th>words</th>\
         <th>+</th><th>−</th><th>title</th><th>marks</th><th>note</th><th>text</th></tr></thead>\n<tbody>\n",
    );
    for (i, r) in rows.iter().enumerate() {
        h.push_str(&row(r, i > 0));
    }
    h.push_str(
        "</tbody></table>\n<footer>Made by redline · static pages, no scripts.</footer>\n</div>\n</body>\n</html>\n",
    );
    w.write_all(h.as_bytes())
}

fn row(r: &RevisionRow, has_diff: bool) -> String {
    let num = if has_diff {
        format!("<a href=\"{}\">{}</a>", diff_page_name(r.number), r.number)
    } else {
        r.number.to_string()
    };
    let count = |n: Option<usize>, class: &str, sign: &str| {
        n.map(|n| format!("<span class=\"{class}\">{sign}{n}</span>")).unwrap_or_default()
    };
    let title = if has_diff {
        format!("<a href=\"{}\">{}</a>", diff_page_name(r.number), esc(&r.title))
    } else {
        esc(&r.title)
    };
    let marks: String = r.marks.iter().map(|m| format!("<span class=\"mark\">{}</span>", esc(m))).collect();
    let note = r.note.as_deref().map(|n| format!("<span class=\"revnote\">{}</span>", esc(n))).unwrap_or_default();
    format!(
        "<tr><td class=\"num\">{num}</td><td><code>{}</code></td><td><time>{}</time></td>\
         <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{title}</td><td>{marks}</td><td>{note}</td>\
         <td><a href=\"{}\">text</a></td></tr>\n",
        esc(&r.id.chars().take(10).collect::<String>()),
        esc(&r.date),
        r.words,
        count(r.added, "plus", "+"),
        count(r.removed, "minus", "−"),
        revision_page_name(r.number),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<RevisionRow> {
        (1..=3)
            .map(|n| RevisionRow {
                number: n,
                id: format!("abcdef{n}234567890"),
                date: "2026-01-01T00:00:00Z".into(),
                words: 100 + n as usize,
                added: (n > 1).then_some(3),
                removed: (n > 1).then_some(1),
                title: format!("Title <{n}>"),
                marks: if n == 2 { vec!["formatting only".into()] } else { vec![] },
                note: (n == 3).then(|| "fixed the <headline>".into()),
            })
            .collect()
    }

    #[test]
    fn index_links_each_revision_to_its_diff() {
        let mut out = Vec::new();
        write_index(&mut out, "belarus", &rows(), None).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("<td class=\"num\">1</td>"), "first revision has no diff");
        assert!(s.contains("<a href=\"diff-0001-0002.html\">2</a>"));
        assert!(s.contains("<a href=\"diff-0002-0003.html\">Title &lt;3&gt;</a>"));
        assert!(s.contains("<span class=\"mark\">formatting only</span>"));
        assert!(s.contains("<code>abcdef1234</code>"));
        assert!(s.contains("<span class=\"revnote\">fixed the &lt;headline&gt;</span>"), "{s}");
        assert!(s.contains("<a href=\"rev-0001.html\">text</a>"), "{s}");
        assert!(!s.contains("<script"));
    }

    #[test]
    fn revision_page_spans_each_sentence_and_carries_notes() {
        let r = rows();
        let text = "Title <1>\n\nOne sentence. Two sentences.\nA line.\n";
        let notes = vec![None, Some("r1 introduced".to_string())];
        let mut out = Vec::new();
        write_revision(&mut out, "b", &r, 1, text, &notes).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("<p><span class=\"s\" id=\"s1\">Title &lt;1&gt;</span></p>"), "{s}");
        assert!(s.contains("<span class=\"s\" id=\"s2\" title=\"r1 introduced\" data-blame=\"r1 introduced\">One sentence.</span> <span class=\"s\" id=\"s3\">Two sentences.</span><br>\n<span class=\"s\" id=\"s4\">A line.</span></p>"), "{s}");
        assert!(s.contains("href=\"diff-0001-0002.html\">what changed since r1</a>"), "{s}");
        assert!(
            s.contains("rel=\"prev\" href=\"rev-0001.html\"") && s.contains("rel=\"next\" href=\"rev-0003.html\""),
            "{s}"
        );
    }

    #[test]
    fn pages_link_previous_and_next() {
        let r = rows();
        let first = page_links("b", &r, 1);
        assert!(first.prev.is_none());
        assert_eq!(first.next.unwrap().href, "diff-0002-0003.html");
        let last = page_links("b", &r, 2);
        assert_eq!(last.prev.unwrap().text, "← r1 → r2");
        assert!(last.next.is_none());
        assert_eq!(last.index.unwrap().href, "index.html");
    }
}
