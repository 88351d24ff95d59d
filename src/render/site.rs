//! The static site `redline export` writes: an index page with the
//! article's history table, and one diff page per consecutive pair of
//! revisions (written by [`super::html::write`] with a [`Page`] of links).
//!
//! This module takes plain data, so it knows nothing about the store.

use super::html::{esc, head, Link, Page};
use std::io::{self, Write};

/// One row of the history table: a revision as `redline log` shows it.
#[derive(Debug, Clone, Default)]
pub struct RevisionRow {
    /// 1-based revision number.
    pub number: u32,
    pub id: String,
    pub date: String,
    pub words: usize,
    /// Words added / removed against the previous revision.
    pub added: Option<usize>,
    pub removed: Option<usize>,
    pub title: String,
    /// Short flags such as `formatting only` or `identical`.
    pub marks: Vec<String>,
    /// The note given with the revision (`commit -m`), shown to readers.
    pub note: Option<String>,
}

/// File name of the page showing revision `new` against the one before.
pub fn diff_page_name(new: u32) -> String {
    format!("diff-{:04}-{:04}.html", new.saturating_sub(1), new)
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

/// index.html: the history table, each revision linking to its diff.
pub fn write_index(w: &mut dyn Write, name: &str, rows: &[RevisionRow]) -> io::Result<()> {
    let mut h = head(&format!("{name} · redline"));
    h.push_str("<div class=\"page\">\n<header><div class=\"brand\">redline history</div>");
    h.push_str(&format!("<h1>{}</h1></header>\n", esc(name)));
    h.push_str(&format!(
        "<p class=\"legend\">{} revision{}. Each row links to what changed since the one before.</p>\n",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    ));
    h.push_str(
        "<table class=\"history\">\n<thead><tr><th>#</th><th>id</th><th>observed</th><th>words</th>\
         <th>+</th><th>−</th><th>title</th><th>marks</th><th>note</th></tr></thead>\n<tbody>\n",
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
         <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{title}</td><td>{marks}</td><td>{note}</td></tr>\n",
        esc(&r.id.chars().take(10).collect::<String>()),
        esc(&r.date),
        r.words,
        count(r.added, "plus", "+"),
        count(r.removed, "minus", "−"),
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
        write_index(&mut out, "belarus", &rows()).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("<td class=\"num\">1</td>"), "first revision has no diff");
        assert!(s.contains("<a href=\"diff-0001-0002.html\">2</a>"));
        assert!(s.contains("<a href=\"diff-0002-0003.html\">Title &lt;3&gt;</a>"));
        assert!(s.contains("<span class=\"mark\">formatting only</span>"));
        assert!(s.contains("<code>abcdef1234</code>"));
        assert!(s.contains("<span class=\"revnote\">fixed the &lt;headline&gt;</span>"), "{s}");
        assert!(!s.contains("<script"));
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
