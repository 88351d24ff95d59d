//! An Atom feed of changes: one entry per revision, so any feed reader can
//! follow an article's history.
//!
//! Everything comes from stored metadata (summary, counts, times, ids): no
//! diff is recomputed. Entry ids are `urn:redline:<commit id>`, unique and
//! stable across exports. The caller copies what an entry shows out of the
//! store's metadata, so this module knows nothing about the store.

use std::io::{self, Write};

/// One revision, as the feed shows it.
pub struct AtomEntry<'a> {
    /// The article's name.
    pub name: &'a str,
    /// 1-based revision number.
    pub revision: u64,
    pub title: &'a str,
    /// RFC 3339.
    pub observed_at: &'a str,
    /// The page it was fetched from, if known.
    pub url: Option<&'a str>,
    /// What changed, with the revision's marks (`formatting only`, …).
    pub summary: String,
    /// Full commit id.
    pub id: String,
    /// Link to the revision's diff page, relative to the feed (if any).
    pub link: Option<String>,
}

/// Write the feed for article `name` (`entries` oldest first, as a
/// history reads); the feed lists the newest first.
pub fn write(w: &mut dyn Write, name: &str, entries: &[AtomEntry<'_>]) -> io::Result<()> {
    let head = FeedHead { title: format!("Changes to {name}"), id: format!("urn:redline:article:{name}") };
    write_feed(w, &head, entries.iter().rev().map(|e| (None, e)))
}

/// Write the feed of a whole store (`export --all`; `entries` oldest
/// first); each entry's title names its article.
pub fn write_store(w: &mut dyn Write, entries: &[AtomEntry<'_>]) -> io::Result<()> {
    let head = FeedHead { title: "Changes in the redline archive".into(), id: "urn:redline:archive".into() };
    write_feed(w, &head, entries.iter().rev().map(|e| (Some(e.name), e)))
}

/// A feed's own title and id.
pub struct FeedHead {
    pub title: String,
    /// A stable URI naming the feed (`urn:redline:…`).
    pub id: String,
}

/// Write a feed over many articles (a watched set): `entries` newest
/// first, each with its article's name, which leads its title.
pub fn write_many(w: &mut dyn Write, head: &FeedHead, entries: &[(&str, AtomEntry<'_>)]) -> io::Result<()> {
    write_feed(w, head, entries.iter().map(|(name, e)| (Some(*name), e)))
}

fn write_feed<'e, 'm: 'e>(
    w: &mut dyn Write,
    head: &FeedHead,
    entries: impl Iterator<Item = (Option<&'e str>, &'e AtomEntry<'m>)> + Clone,
) -> io::Result<()> {
    let updated = entries.clone().map(|(_, e)| e.observed_at).max().unwrap_or("1970-01-01T00:00:00Z");
    writeln!(w, r#"<?xml version="1.0" encoding="utf-8"?>"#)?;
    writeln!(w, r#"<feed xmlns="http://www.w3.org/2005/Atom">"#)?;
    writeln!(w, "  <title>{}</title>", esc(&head.title))?;
    writeln!(w, "  <id>{}</id>", esc(&head.id))?;
    writeln!(w, "  <updated>{}</updated>", esc(updated))?;
    writeln!(w, "  <generator>redline</generator>")?;
    for (article, e) in entries {
        let title = match article {
            Some(name) => format!("{name}@{}: {}", e.revision, e.title),
            None => format!("rev {}: {}", e.revision, e.title),
        };
        writeln!(w, "  <entry>")?;
        writeln!(w, "    <title>{}</title>", esc(&title))?;
        writeln!(w, "    <id>urn:redline:{}</id>", esc(&e.id))?;
        writeln!(w, "    <updated>{}</updated>", esc(e.observed_at))?;
        if let Some(l) = &e.link {
            writeln!(w, r#"    <link rel="alternate" type="text/html" href="{}"/>"#, esc(l))?;
        }
        if let Some(u) = e.url {
            writeln!(w, r#"    <link rel="via" href="{}"/>"#, esc(u))?;
        }
        writeln!(w, "    <summary>{}</summary>", esc(&e.summary))?;
        writeln!(w, "  </entry>")?;
    }
    writeln!(w, "</feed>")
}

/// XML text and attribute escaping; C0 controls (invalid in XML 1.0), DEL
/// and C1 controls (which terminals obey) become U+FFFD; bidi controls left
/// open are closed at the end (so none reorders what a reader shows next).
fn esc(s: &str) -> String {
    let s = crate::render::sanitize::close_bidi(s);
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\t' | '\n' | '\r' => o.push(c),
            c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) || c == '\u{fffe}' || c == '\u{ffff}' => {
                o.push('\u{fffd}')
            }
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_orders_newest_first() {
        let e = |revision: u64, title: &'static str, at: &'static str, summary: &str, id: &str| AtomEntry {
            name: "a",
            revision,
            title,
            observed_at: at,
            url: Some("http://x/?a=1&b=2"),
            summary: summary.into(),
            id: id.into(),
            link: None,
        };
        let mut second = e(2, "Fish & <Chips>", "2026-01-02T00:00:00Z", "+1 \u{2212}0 words\u{1b}\u{9b}", "bbb");
        second.link = Some("0001-0002.html".into());
        let entries = [e(1, "Fish & <Chips>\u{7}", "2026-01-01T00:00:00Z", "1 words", "aaa"), second];
        let mut out = Vec::new();
        write(&mut out, "a", &entries).unwrap();
        let x = String::from_utf8(out).unwrap();
        assert!(x.contains("Fish &amp; &lt;Chips&gt;\u{fffd}"), "{x}");
        assert!(x.contains(r#"href="http://x/?a=1&amp;b=2""#), "{x}");
        assert!(x.find("urn:redline:bbb").unwrap() < x.find("urn:redline:aaa").unwrap());
        assert!(x.contains("<updated>2026-01-02T00:00:00Z</updated>"));
        assert!(!x.contains('\u{1b}') && !x.contains('\u{9b}'));
        // It parses as a feed.
        let f = feed_rs::parser::parse(x.as_bytes()).unwrap();
        assert_eq!(f.entries.len(), 2);
        // The store-wide feed names each entry's article.
        let mut out = Vec::new();
        write_store(&mut out, &entries).unwrap();
        let x = String::from_utf8(out).unwrap();
        assert!(x.contains("<title>a@2: Fish &amp; &lt;Chips&gt;</title>"), "{x}");
        assert!(x.contains("<id>urn:redline:archive</id>"), "{x}");
        assert_eq!(feed_rs::parser::parse(x.as_bytes()).unwrap().entries.len(), 2);
    }
}
