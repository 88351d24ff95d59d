//! Deriving an article name from a URL, so that distinct pages never share
//! a name.
//!
//! The rule (README, "Names from URLs"):
//! - the URL is parsed with the `url` crate: host lower-cased (IDN hosts in
//!   punycode), default port and fragment dropped, `.` and `..` resolved;
//!   `http` and `https` give the same name (the same page with and without
//!   TLS);
//! - the name is the host followed by the percent-decoded path segments;
//! - the name is **exact** when that spelling loses nothing: every segment
//!   uses only the name alphabet (`A-Z a-z 0-9 - _ .`, no leading `.`, no
//!   `..`, no `.lock` ending), there is no port, user, query (after the
//!   tracking parameters are dropped) or trailing slash, the last component
//!   holds no `--`, and the whole fits in 200 bytes;
//! - otherwise the name is a readable spelling (other characters become
//!   `-`, the query becomes a last component) plus `--` and 10 hex digits of
//!   the SHA-256 of the canonical URL (host, port, user, path and the sorted
//!   query without tracking parameters).
//!
//! Why this never merges two pages: an exact name spells its URL
//! completely, so two exact names differ whenever their URLs do; a
//! non-exact name always ends its last component with `--` and a hash, which
//! an exact name never does; and two non-exact names differ in the hash.
//! The one residual risk, a 40-bit hash collision, is caught at commit time:
//! a derived name already holding a different URL is refused.

use super::name::{validate_name, MAX_NAME_BYTES};
use super::{Result, StoreError};

/// Query parameters that only track the reader, dropped from names.
const TRACKING: &[&str] =
    &["fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "yclid", "igshid", "_ga", "_gl"];

/// Hex digits of the hash suffix.
const HASH_DIGITS: usize = 10;

/// The pieces of a parsed URL that a server sees, normalised.
struct Parts {
    host: String,
    port: Option<u16>,
    user: String,
    /// Percent-decoded path segments (the root path has none).
    segments: Vec<String>,
    /// The raw path as the `url` crate normalised it.
    raw_path: String,
    /// `key=value` pairs, tracking parameters dropped, sorted.
    query: Vec<String>,
}

/// A stable article name for `url` (see the module docs for the rule).
pub fn name_from_url(url: &str) -> Result<String> {
    let p = parse(url)?;
    let canonical = p.canonical();
    let exact = p.exact_name();
    if let Some(name) = exact.filter(|n| validate_name(n).is_ok()) {
        return Ok(name);
    }
    let hash = &super::meta::sha256_hex(canonical.as_bytes())[..HASH_DIGITS];
    let mut readable = p.readable();
    let budget = MAX_NAME_BYTES - HASH_DIGITS - 2;
    if readable.len() > budget {
        let mut cut = budget;
        while !readable.is_char_boundary(cut) {
            cut -= 1;
        }
        readable.truncate(cut);
    }
    let readable = readable.trim_end_matches(['/', '.', '-']);
    let name = format!("{readable}--{hash}");
    validate_name(&name).map_err(|_| bad_url(url, "the result is not a valid name"))?;
    Ok(name)
}

/// The URL as far as naming is concerned (host, port, user, path, sorted
/// query without tracking parameters; no scheme, no fragment), or None when
/// it does not parse. Two URLs with the same canonical form are one page.
pub fn canonical_url(url: &str) -> Option<String> {
    parse(url).ok().map(|p| p.canonical())
}

fn bad_url(url: &str, why: &str) -> StoreError {
    StoreError::BadUrl { url: url.to_string(), why: why.to_string() }
}

fn parse(url: &str) -> Result<Parts> {
    let u = url::Url::parse(url.trim()).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => bad_url(url, "it has no scheme (https://...)"),
        url::ParseError::EmptyHost => bad_url(url, "it has no host"),
        other => bad_url(url, &other.to_string()),
    })?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(bad_url(url, "only http and https URLs name articles"));
    }
    let host = u.host_str().filter(|h| !h.is_empty()).ok_or_else(|| bad_url(url, "it has no host"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    let mut user = u.username().to_string();
    if let Some(pw) = u.password() {
        user.push(':');
        user.push_str(pw);
    }
    let raw_path = u.path().to_string();
    let mut segments: Vec<String> = u.path_segments().map(|s| s.map(percent_decode).collect()).unwrap_or_default();
    if segments.len() == 1 && segments[0].is_empty() {
        segments.clear(); // the root path "/"
    }
    let mut query: Vec<String> = u
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty() && !is_tracking(pair))
        .map(str::to_string)
        .collect();
    query.sort();
    Ok(Parts { host, port: u.port(), user, segments, raw_path, query })
}

fn is_tracking(pair: &str) -> bool {
    let key = pair.split('=').next().unwrap_or("");
    let key = percent_decode(key).to_ascii_lowercase();
    key.starts_with("utm_") || TRACKING.contains(&key.as_str())
}

/// `%XX` escapes decoded; invalid UTF-8 becomes U+FFFD (and so is never
/// exact, which sends the name through the hash).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Parts {
    fn canonical(&self) -> String {
        let mut s = String::new();
        if !self.user.is_empty() {
            s.push_str(&self.user);
            s.push('@');
        }
        s.push_str(&self.host);
        if let Some(p) = self.port {
            s.push_str(&format!(":{p}"));
        }
        s.push_str(&self.raw_path);
        if !self.query.is_empty() {
            s.push('?');
            s.push_str(&self.query.join("&"));
        }
        s
    }

    /// The name when the plain spelling loses nothing, else None.
    fn exact_name(&self) -> Option<String> {
        if self.port.is_some() || !self.user.is_empty() || !self.query.is_empty() {
            return None;
        }
        if !exact_component(&self.host) || !self.segments.iter().all(|s| exact_component(s)) {
            return None;
        }
        let mut parts = vec![self.host.as_str()];
        parts.extend(self.segments.iter().map(String::as_str));
        if parts.last().is_some_and(|l| l.contains("--")) {
            return None;
        }
        let name = parts.join("/");
        (name.len() <= MAX_NAME_BYTES).then_some(name)
    }

    /// host/segments/query spelled in the name alphabet, for a hashed name.
    fn readable(&self) -> String {
        let mut parts = vec![spell(&self.host)];
        if let Some(p) = self.port {
            parts[0].push_str(&format!("-{p}"));
        }
        parts.extend(self.segments.iter().map(|s| spell(s)));
        if !self.query.is_empty() {
            let q: Vec<String> = self.query.iter().map(|p| percent_decode(&p.replace('+', " "))).collect();
            parts.push(spell(&q.join("-")));
        }
        let mut parts: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
        if let Some(last) = parts.last_mut() {
            *last = collapse(last, "--", "-");
        }
        parts.join("/")
    }
}

/// A component spelled exactly in the name alphabet (an empty one, from a
/// trailing slash or `//`, is not).
fn exact_component(c: &str) -> bool {
    !c.is_empty()
        && c.chars().all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
        && !c.starts_with('.')
        && !c.starts_with('-')
        && !c.ends_with('.')
        && !c.contains("..")
        && !c.ends_with(".lock")
}

/// The nearest spelling in the name alphabet: other characters become `-`,
/// runs collapse, and what git refuses at the ends is trimmed.
fn spell(c: &str) -> String {
    let mapped: String =
        c.chars().map(|ch| if ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.') { ch } else { '-' }).collect();
    let s = collapse(&collapse(&mapped, "--", "-"), "..", ".");
    let s = s.trim_start_matches(['.', '-']).trim_end_matches(['.', '-']);
    match s.strip_suffix(".lock") {
        Some(stem) => format!("{stem}-lock"),
        None => s.to_string(),
    }
}

fn collapse(s: &str, pair: &str, one: &str) -> String {
    let mut s = s.to_string();
    while s.contains(pair) {
        s = s.replace(pair, one);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(u: &str) -> String {
        name_from_url(u).unwrap()
    }

    #[test]
    fn exact_names_spell_the_url() {
        assert_eq!(n("https://www.nbcnews.com/news/world/belarus-n1240"), "www.nbcnews.com/news/world/belarus-n1240");
        assert_eq!(
            n("https://www.nbcnews.com/news/world/belarus-n1240?utm_source=x#top"),
            "www.nbcnews.com/news/world/belarus-n1240"
        );
        assert_eq!(n("https://Example.COM/a/b"), "example.com/a/b");
        assert_eq!(n("http://example.com:80/a/./c/../b"), "example.com/a/b");
        assert_eq!(n("https://example.com"), "example.com");
        assert_eq!(n("https://example.com/"), "example.com");
        assert_eq!(n("https://example.com/2020/09/14/story.html"), "example.com/2020/09/14/story.html");
        assert_eq!(n("http://example.com/x"), n("https://example.com/x"));
    }

    #[test]
    fn distinct_pages_get_distinct_names() {
        let groups: &[&[&str]] = &[
            &[
                "https://news.ycombinator.com/item?id=38000001",
                "https://news.ycombinator.com/item?id=38000002",
                "https://news.ycombinator.com/item",
            ],
            &[
                "https://ria.ru/политика/статья-1",
                "https://ria.ru/экономика/новость-1",
                "https://ria.ru/спорт/1",
                "https://ria.ru/1",
            ],
            &[
                "https://www.youtube.com/watch?v=abc",
                "https://www.youtube.com/watch?v=xyz",
                "https://www.youtube.com/watch/v-abc",
            ],
            &["https://x.com/é", "https://x.com/ü", "https://x.com/-"],
            &["https://x.com/a+b", "https://x.com/a-b", "https://x.com/a%20b", "https://x.com/a_b"],
            &["https://x.com/a/b/", "https://x.com/a/b", "https://x.com/a//b"],
            &["https://x.com:8080/a", "https://x.com/a", "https://u@x.com/a"],
            &["https://x.com/a--b", "https://x.com/a-b"],
            &["https://x.com/a%2Fb", "https://x.com/a/b"],
        ];
        for g in groups {
            let names: Vec<String> = g.iter().map(|u| n(u)).collect();
            let set: std::collections::BTreeSet<&String> = names.iter().collect();
            assert_eq!(set.len(), names.len(), "{g:?} -> {names:?}");
        }
    }

    #[test]
    fn hashed_names_are_readable_stable_and_ignore_tracking() {
        let a = n("https://news.ycombinator.com/item?id=38000001");
        assert!(a.starts_with("news.ycombinator.com/item/id-38000001--"), "{a}");
        assert_eq!(a, n("https://news.ycombinator.com/item?id=38000001&utm_source=rss&fbclid=z"));
        assert_eq!(n("https://x.com/p?b=2&a=1"), n("https://x.com/p?a=1&b=2"));
        let r = n("https://ria.ru/политика/статья-1");
        assert!(r.starts_with("ria.ru/1--"), "{r}");
    }

    #[test]
    fn long_urls_stay_bounded_and_distinct() {
        let long = format!("https://example.com/{}", "word-".repeat(100));
        let a = n(&long);
        assert!(a.len() <= MAX_NAME_BYTES);
        assert_ne!(a, n(&format!("{long}x")));
    }

    #[test]
    fn unusable_urls_are_refused() {
        for u in ["example.com/x", "https://", "mailto:a@b.c", "ftp://x.com/a", ""] {
            assert!(name_from_url(u).is_err(), "{u}");
        }
    }

    #[test]
    fn canonical_ignores_scheme_fragment_and_tracking() {
        assert_eq!(canonical_url("http://X.com/a?utm_x=1#f"), canonical_url("https://x.com/a"));
        assert_ne!(canonical_url("https://x.com/a?id=1"), canonical_url("https://x.com/a?id=2"));
    }
}
