//! Feeds (RSS, Atom, JSON Feed) with feed-rs: each entry becomes a watched
//! page, identified by its canonical link.
//!
//! Why links, not ids: feed-rs invents an id (a hash) when `<guid>` is
//! missing, and many feeds change guids on republishing; the link, cleaned
//! of tracking parameters and fragments, names the article. A feed with a
//! bare `&` (common in hand-made RSS) is retried once with the stray
//! ampersands escaped before giving up.

use super::canon;
use url::Url;

/// The article URLs of a feed, in feed order, without duplicates.
pub fn entry_links(body: &[u8], feed_url: &str) -> Result<Vec<String>, String> {
    let feed = match parse(body) {
        Ok(f) => f,
        Err(first) => match escape_bare_ampersands(body) {
            Some(fixed) => parse(&fixed).map_err(|_| first)?,
            None => return Err(first),
        },
    };
    let base = Url::parse(feed_url).ok();
    let mut out: Vec<String> = Vec::new();
    for entry in &feed.entries {
        let Some(href) = entry_link(entry) else { continue };
        let Ok(u) = canon::canonical(&href, base.as_ref()) else { continue };
        let s = u.to_string();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

fn parse(body: &[u8]) -> Result<feed_rs::model::Feed, String> {
    feed_rs::parser::parse(body).map_err(|e| format!("not a readable feed: {e}"))
}

/// The entry's page: an `alternate` (or rel-less) HTML link, else any link,
/// else an id that is itself an http(s) URL.
fn entry_link(e: &feed_rs::model::Entry) -> Option<String> {
    let html = |l: &&feed_rs::model::Link| l.media_type.as_deref().is_none_or(|m| m.contains("html"));
    let alternate = |l: &&feed_rs::model::Link| l.rel.as_deref().is_none_or(|r| r == "alternate");
    e.links
        .iter()
        .find(|l| alternate(l) && html(l))
        .or_else(|| e.links.iter().find(alternate))
        .or_else(|| e.links.first())
        .map(|l| l.href.clone())
        .or_else(|| (e.id.starts_with("http://") || e.id.starts_with("https://")).then(|| e.id.clone()))
}

/// `&` not starting an entity or character reference becomes `&amp;`.
/// None when there was nothing to fix.
fn escape_bare_ampersands(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() + 64);
    let mut changed = false;
    for (i, &b) in body.iter().enumerate() {
        if b == b'&' && !starts_reference(&body[i + 1..]) {
            out.extend_from_slice(b"&amp;");
            changed = true;
        } else {
            out.push(b);
        }
    }
    changed.then_some(out)
}

fn starts_reference(rest: &[u8]) -> bool {
    let end = rest.iter().take(12).position(|&c| c == b';');
    match end {
        Some(0) | None => false,
        Some(n) => {
            let name = &rest[..n];
            match name.first() {
                Some(b'#') => {
                    let num = &name[1..];
                    !num.is_empty()
                        && (num.iter().all(u8::is_ascii_digit)
                            || (matches!(num[0], b'x' | b'X')
                                && num.len() > 1
                                && num[1..].iter().all(u8::is_ascii_hexdigit)))
                }
                _ => name.iter().all(u8::is_ascii_alphanumeric),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEED_URL: &str = "http://n.example/feed.xml";

    #[test]
    fn rss_without_guid_uses_links_cleaned() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>
<item><title>A</title><link>http://n.example/a?utm_source=rss</link></item>
<item><title>B</title><link>/b#comments</link></item>
<item><title>A again</title><link>http://n.example/a</link></item>
</channel></rss>"#;
        assert_eq!(entry_links(rss, FEED_URL).unwrap(), vec!["http://n.example/a", "http://n.example/b"]);
    }

    #[test]
    fn atom_and_json_feed() {
        let atom = br#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>N</title><id>urn:x</id><updated>2026-03-03T00:00:00Z</updated>
<entry><title>A</title><id>urn:a</id><updated>2026-03-03T00:00:00Z</updated><link rel="replies" href="http://n.example/a/comments"/><link rel="alternate" type="text/html" href="http://n.example/a"/></entry>
</feed>"#;
        assert_eq!(entry_links(atom, FEED_URL).unwrap(), vec!["http://n.example/a"]);
        let json = br#"{"version":"https://jsonfeed.org/version/1.1","title":"N","items":[{"id":"1","url":"http://n.example/j1"},{"id":"http://n.example/j2"}]}"#;
        assert_eq!(entry_links(json, FEED_URL).unwrap(), vec!["http://n.example/j1", "http://n.example/j2"]);
    }

    #[test]
    fn bare_ampersands_are_retried_leniently_and_garbage_is_an_error() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>Fish & Chips &amp; more</title>
<item><title>Q&A</title><link>http://n.example/qa?x=1&y=2</link></item></channel></rss>"#;
        assert_eq!(entry_links(rss, FEED_URL).unwrap(), vec!["http://n.example/qa?x=1&y=2"]);
        assert!(entry_links(b"<html><body>not a feed</body></html>", FEED_URL).is_err());
        assert!(entry_links(b"\x00\x01garbage", FEED_URL).is_err());
    }
}
