//! The pieces every HTML page redline writes shares: the `<head>` with the
//! inline stylesheet, escaping, the previous/index/next links, and the
//! history row of an exported site. The diff page ([`super::html`]), the
//! article pages ([`super::site`]) and the archive pages
//! ([`super::archive`]) all build on these, so no renderer imports another.

use super::sanitize::{close_bidi, visible};

/// The stylesheet, inline in every page (nothing is fetched).
pub const CSS: &str = include_str!("html.css");

/// A link in the page navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub href: String,
    pub text: String,
}

/// What surrounds the diff on a page of an exported site.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Page heading; default: the new side's title, else both labels.
    pub heading: Option<String>,
    pub index: Option<Link>,
    pub prev: Option<Link>,
    pub next: Option<Link>,
}

/// Escape `s` for HTML text or a quoted attribute, showing control
/// characters visibly and closing the bidi controls it leaves open (so
/// none reorders the text after it).
pub fn esc(s: &str) -> String {
    let shown = visible(s);
    let s = close_bidi(&shown);
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `<!DOCTYPE html>` through `<body>`, with the stylesheet inline.
pub fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"redline {}\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        esc(title)
    )
}

/// Previous / index / next links, or nothing for a lone page.
pub fn pager(page: &Page) -> String {
    if page.index.is_none() && page.prev.is_none() && page.next.is_none() {
        return String::new();
    }
    let link = |l: &Option<Link>, rel: &str, fallback: &str| match l {
        Some(l) => format!("<a rel=\"{rel}\" href=\"{}\">{}</a>", esc(&l.href), esc(&l.text)),
        None => format!("<span>{fallback}</span>"),
    };
    format!(
        "<nav class=\"pager\">{}{}{}</nav>\n",
        link(&page.prev, "prev", "← first diff"),
        link(&page.index, "index", ""),
        link(&page.next, "next", "latest diff →")
    )
}

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

/// File name of the page showing revision `n`'s full text.
pub fn revision_page_name(n: u32) -> String {
    format!("rev-{n:04}.html")
}
