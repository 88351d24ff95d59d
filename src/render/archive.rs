//! The store-wide pages of `redline export --all DIR`: the index of
//! articles and the timeline of revisions across them. Each article's own
//! pages (history, revision texts, diffs) are [`super::site`]'s, written
//! under `articles/<name>/`.
//!
//! Like the rest of the site: static pages, no scripts, text escaped.

use super::page::{esc, head, RevisionRow};
use std::fmt::Write as _;
use std::io::{self, Write};

/// Where an article's pages live, relative to the site's root.
pub fn article_dir(name: &str) -> String {
    format!("articles/{name}/")
}

/// The way back to the site's root from an article's folder.
pub fn root_from_article(name: &str) -> String {
    "../".repeat(1 + name.split('/').count())
}

/// One row of the index of articles.
#[derive(Debug, Clone)]
pub struct ArticleEntry {
    pub name: String,
    pub revisions: u64,
    pub first_observed_at: String,
    pub last_observed_at: String,
    pub title: String,
}

/// One row of the timeline: a revision of some article.
#[derive(Debug, Clone)]
pub struct TimelineRow {
    pub name: String,
    pub row: RevisionRow,
}

/// File names of the store-wide pages.
pub const TIMELINE_FILE: &str = "timeline.html";
pub const FEED_FILE: &str = "changes.atom";

/// index.html: every article with its span of observations, linking to
/// its history; the timeline and the feed at the top.
pub fn write_index(w: &mut dyn Write, articles: &[ArticleEntry], revisions: usize) -> io::Result<()> {
    let mut h = head("redline archive");
    h.push_str("<div class=\"page\">\n<header><div class=\"brand\">redline archive</div><h1>Articles</h1></header>\n");
    let _ = writeln!(
        h,
        "<nav class=\"pager\"><a href=\"{TIMELINE_FILE}\">Timeline of every change</a><span>{} · {}</span>\
         <a href=\"{FEED_FILE}\" type=\"application/atom+xml\">Atom feed</a></nav>",
        plural(articles.len(), "article"),
        plural(revisions, "revision")
    );
    h.push_str(
        "<table class=\"history articles\">\n<thead><tr><th>article</th><th>revisions</th>\
         <th>first observed</th><th>last observed</th><th>title</th></tr></thead>\n<tbody>\n",
    );
    for a in articles {
        let _ = writeln!(
            h,
            "<tr><td><a href=\"{}index.html\">{}</a></td><td class=\"num\">{}</td><td><time>{}</time></td>\
             <td><time>{}</time></td><td>{}</td></tr>",
            esc(&article_dir(&a.name)),
            esc(&a.name),
            a.revisions,
            esc(&a.first_observed_at),
            esc(&a.last_observed_at),
            esc(&a.title)
        );
    }
    h.push_str("</tbody></table>\n");
    h.push_str(FOOTER);
    w.write_all(h.as_bytes())
}

/// timeline.html: revisions across every article, newest first, each
/// linking to what changed (its diff page; the first revision's text).
/// `total` is how many there are in all when `rows` is cut short.
pub fn write_timeline(w: &mut dyn Write, rows: &[TimelineRow], total: usize) -> io::Result<()> {
    let mut h = head("Timeline · redline archive");
    h.push_str("<div class=\"page\">\n<header><div class=\"brand\">redline archive</div><h1>Timeline</h1></header>\n");
    h.push_str("<nav class=\"pager\"><a href=\"index.html\">↑ all articles</a></nav>\n");
    let shown = if rows.len() < total {
        format!("The latest {} of {total} revisions, newest first.", rows.len())
    } else {
        format!("{}, newest first.", plural(total, "revision"))
    };
    let _ = writeln!(h, "<p class=\"legend\">{shown} Each row links to what changed.</p>");
    h.push_str(
        "<table class=\"history timeline\">\n<thead><tr><th>observed</th><th>article</th><th>#</th>\
         <th>words</th><th>+</th><th>−</th><th>title</th><th>marks</th></tr></thead>\n<tbody>\n",
    );
    for t in rows {
        let r = &t.row;
        let dir = article_dir(&t.name);
        let target =
            if r.number > 1 { super::page::diff_page_name(r.number) } else { super::page::revision_page_name(1) };
        let count = |n: Option<usize>, class: &str, sign: &str| {
            n.map(|n| format!("<span class=\"{class}\">{sign}{n}</span>")).unwrap_or_default()
        };
        let marks: String = r.marks.iter().map(|m| format!("<span class=\"mark\">{}</span>", esc(m))).collect();
        let _ = writeln!(
            h,
            "<tr><td><time>{}</time></td><td><a href=\"{}index.html\">{}</a></td>\
             <td class=\"num\"><a href=\"{}{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td><td>{marks}</td></tr>",
            esc(&r.date),
            esc(&dir),
            esc(&t.name),
            esc(&dir),
            esc(&target),
            r.number,
            r.words,
            count(r.added, "plus", "+"),
            count(r.removed, "minus", "−"),
            esc(&r.title),
        );
    }
    h.push_str("</tbody></table>\n");
    h.push_str(FOOTER);
    w.write_all(h.as_bytes())
}

const FOOTER: &str = "<footer>Made by redline · static pages, no scripts.</footer>\n</div>\n</body>\n</html>\n";

fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_climb_back_to_the_root() {
        assert_eq!(article_dir("nbc/belarus"), "articles/nbc/belarus/");
        assert_eq!(root_from_article("nbc/belarus"), "../../../");
        assert_eq!(root_from_article("belarus"), "../../");
    }

    #[test]
    fn index_and_timeline_link_into_article_folders_and_escape() {
        let a = ArticleEntry {
            name: "nbc/a<b".into(),
            revisions: 2,
            first_observed_at: "2026-01-01T00:00:00Z".into(),
            last_observed_at: "2026-01-02T00:00:00Z".into(),
            title: "<script>x</script>".into(),
        };
        let mut out = Vec::new();
        write_index(&mut out, &[a], 2).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("<a href=\"articles/nbc/a&lt;b/index.html\">nbc/a&lt;b</a>"), "{s}");
        assert!(s.contains("&lt;script&gt;") && !s.contains("<script>"));
        assert!(s.contains("href=\"timeline.html\"") && s.contains("href=\"changes.atom\""));

        let rows: Vec<TimelineRow> = [2u32, 1]
            .iter()
            .map(|&n| TimelineRow {
                name: "x".into(),
                row: RevisionRow { number: n, title: format!("t{n}"), ..RevisionRow::default() },
            })
            .collect();
        let mut out = Vec::new();
        write_timeline(&mut out, &rows, 5).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.contains("href=\"articles/x/diff-0001-0002.html\">2</a>"), "{s}");
        assert!(s.contains("href=\"articles/x/rev-0001.html\">1</a>"), "{s}");
        assert!(s.contains("The latest 2 of 5 revisions"), "{s}");
    }
}
