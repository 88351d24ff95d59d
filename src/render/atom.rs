//! An Atom feed of changes: one entry per revision, so any feed reader can
//! follow an article's history.
//!
//! Everything comes from stored metadata (summary, counts, times, ids): no
//! diff is recomputed. Entry ids are `urn:redline:<commit id>`, unique and
//! stable across exports.

use crate::store::Meta;
use std::io::{self, Write};

/// One revision, as the feed shows it.
pub struct AtomEntry<'a> {
    pub meta: &'a Meta,
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
    let updated = entries.clone().map(|(_, e)| e.meta.observed_at.as_str()).max().unwrap_or("1970-01-01T00:00:00Z");
    writeln!(w, r#"<?xml version="1.0" encoding="utf-8"?>"#)?;
    writeln!(w, r#"<feed xmlns="http://www.w3.org/2005/Atom">"#)?;
    writeln!(w, "  <title>{}</title>", esc(&head.title))?;
    writeln!(w, "  <id>{}</id>", esc(&head.id))?;
    writeln!(w, "  <updated>{}</updated>", esc(updated))?;
    writeln!(w, "  <generator>redline</generator>")?;
    for (article, e) in entries {
        let m = e.meta;
        let title = match article {
            Some(name) => format!("{name} rev {}: {}", m.revision, m.title),
            None => format!("rev {}: {}", m.revision, m.title),
        };
        writeln!(w, "  <entry>")?;
        writeln!(w, "    <title>{}</title>", esc(&title))?;
        writeln!(w, "    <id>urn:redline:{}</id>", esc(&e.id))?;
        writeln!(w, "    <updated>{}</updated>", esc(&m.observed_at))?;
        if let Some(l) = &e.link {
            writeln!(w, r#"    <link rel="alternate" type="text/html" href="{}"/>"#, esc(l))?;
        }
        if let Some(u) = &m.url {
            writeln!(w, r#"    <link rel="via" href="{}"/>"#, esc(u))?;
        }
        let mut summary = m.summary.clone();
        let marks = m.marks();
        if !marks.is_empty() && !summary.contains(&marks[0]) {
            summary.push_str(&format!(" [{}]", marks.join(", ")));
        }
        writeln!(w, "    <summary>{}</summary>", esc(&summary))?;
        writeln!(w, "  </entry>")?;
    }
    writeln!(w, "</feed>")
}

/// XML text and attribute escaping; C0 controls (invalid in XML 1.0), DEL
/// and C1 controls (which terminals obey) become U+FFFD.
fn esc(s: &str) -> String {
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
        let mut m1: Meta = serde_json::from_str(
            r#"{"schema":"redline.meta/1","name":"a","revision":1,"title":"Fish & <Chips>","url":"http://x/?a=1&b=2",
            "observed_at":"2026-01-01T00:00:00Z","first_observed_at":"2026-01-01T00:00:00Z","bytes":1,"words":1,
            "sentences":1,"paragraphs":1,"sha256":"x","same_as":null,"words_added":1,"words_removed":0,
            "title_changed":false,"formatting_only":false,"summary":"1 words","message":null}"#,
        )
        .unwrap();
        let mut m2 = m1.clone();
        m2.revision = 2;
        m2.observed_at = "2026-01-02T00:00:00Z".into();
        m2.summary = "+1 \u{2212}0 words\u{1b}\u{9b}".into();
        m1.title.push('\u{7}');
        let entries = [
            AtomEntry { meta: &m1, id: "aaa".into(), link: None },
            AtomEntry { meta: &m2, id: "bbb".into(), link: Some("0001-0002.html".into()) },
        ];
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
    }
}
