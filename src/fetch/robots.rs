//! robots.txt, cached per origin for 24 hours (RFC 9309).
//!
//! A 4xx robots.txt (there is none) allows everything; a 5xx, a 429 or an
//! unreachable host means "not now": nothing is fetched from that origin
//! until the answer is retried (after [`FAILURE_TTL`]). `Crawl-delay` widens
//! the per-host gap.

use super::http::{Client, Validators};
use crate::store::RobotsEntry;

/// How long a robots.txt answer is trusted.
pub const TTL: i64 = 24 * 3600;
/// How long a failed robots.txt fetch blocks its origin before a retry.
pub const FAILURE_TTL: i64 = 30 * 60;
/// The product token matched against `User-agent:` lines.
pub const AGENT_TOKEN: &str = "redline";
/// robots.txt bytes read (RFC 9309 asks parsers to read at least 500 KiB).
const MAX_ROBOTS: usize = 512 * 1024;

/// What robots.txt says about one URL.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Allowed; the Crawl-delay in seconds, if any.
    Allowed(Option<f64>),
    Disallowed,
    /// robots.txt could not be read: try the origin later.
    NotNow(String),
}

/// `http://host:port` of a URL (the robots.txt scope).
pub fn origin(url: &url::Url) -> String {
    url.origin().ascii_serialization()
}

/// Whether `entry` must be fetched again at `now` (Unix seconds).
pub fn stale(entry: Option<&RobotsEntry>, now: i64) -> bool {
    match entry {
        None => true,
        Some(e) if failed(e.status) => now - e.fetched_at >= FAILURE_TTL,
        Some(e) => now - e.fetched_at >= TTL,
    }
}

fn failed(status: u16) -> bool {
    status == 0 || status == 429 || status >= 500
}

/// Fetch `origin`/robots.txt.
pub fn fetch(client: &Client, origin: &str, now: i64) -> RobotsEntry {
    match client.get(&format!("{origin}/robots.txt"), &Validators::default(), false) {
        Ok(r) => {
            let mut body = r.body;
            body.truncate(MAX_ROBOTS);
            RobotsEntry { fetched_at: now, status: r.status, body: String::from_utf8_lossy(&body).into_owned() }
        }
        Err(e) => RobotsEntry { fetched_at: now, status: 0, body: e.to_string() },
    }
}

/// The verdict of `entry` on `url`.
pub fn verdict(entry: &RobotsEntry, url: &str) -> Verdict {
    match entry.status {
        s if failed(s) => {
            let why = if s == 0 { entry.body.clone() } else { format!("HTTP {s}") };
            Verdict::NotNow(format!("robots.txt unavailable ({why}); not fetching from this host for now"))
        }
        400..=499 => Verdict::Allowed(None),
        200..=299 => match texting_robots::Robot::new(AGENT_TOKEN, entry.body.as_bytes()) {
            Ok(r) if r.allowed(url) => Verdict::Allowed(r.delay.map(f64::from)),
            Ok(_) => Verdict::Disallowed,
            Err(_) => Verdict::Allowed(None),
        },
        // A redirect that was not followed, or a 1xx: treat as no robots.txt.
        _ => Verdict::Allowed(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(status: u16, body: &str) -> RobotsEntry {
        RobotsEntry { fetched_at: 1000, status, body: body.into() }
    }

    #[test]
    fn statuses_map_to_verdicts() {
        let u = "http://h.example/news/a";
        assert_eq!(verdict(&entry(404, ""), u), Verdict::Allowed(None));
        assert_eq!(verdict(&entry(403, ""), u), Verdict::Allowed(None));
        assert!(matches!(verdict(&entry(503, ""), u), Verdict::NotNow(_)));
        assert!(matches!(verdict(&entry(429, ""), u), Verdict::NotNow(_)));
        assert!(matches!(verdict(&entry(0, "refused"), u), Verdict::NotNow(m) if m.contains("refused")));
    }

    #[test]
    fn specific_group_overrides_star_and_crawl_delay_is_read() {
        let txt = "User-agent: *\nDisallow: /\n\nUser-agent: redline\nDisallow: /private/\nCrawl-delay: 3\n";
        assert_eq!(verdict(&entry(200, txt), "http://h.example/news/a"), Verdict::Allowed(Some(3.0)));
        assert_eq!(verdict(&entry(200, txt), "http://h.example/private/x"), Verdict::Disallowed);
        let star = "User-agent: *\nDisallow: /news/\n";
        assert_eq!(verdict(&entry(200, star), "http://h.example/news/a"), Verdict::Disallowed);
        assert_eq!(verdict(&entry(200, star), "http://h.example/about"), Verdict::Allowed(None));
    }

    #[test]
    fn cache_lifetimes() {
        assert!(stale(None, 0));
        assert!(!stale(Some(&entry(200, "")), 1000 + TTL - 1));
        assert!(stale(Some(&entry(200, "")), 1000 + TTL));
        assert!(!stale(Some(&entry(503, "")), 1000 + FAILURE_TTL - 1));
        assert!(stale(Some(&entry(0, "")), 1000 + FAILURE_TTL));
    }
}
