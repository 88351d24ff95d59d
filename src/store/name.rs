//! Article names: what is allowed, and deriving a name from a URL.
//!
//! A name becomes part of a git ref (`refs/articles/<name>`) and, through
//! `import`, mirrors a folder path, so the rules are git's ref rules narrowed
//! to a portable alphabet: ASCII letters, digits, `-`, `_`, `.`, and `/` for
//! grouping. Non-ASCII letters are refused on purpose: two Unicode spellings
//! of the same name (NFC/NFD) would otherwise become two articles, and some
//! file systems rewrite them.

use crate::error::{Error, Result};

/// Longest allowed name, in bytes.
pub const MAX_NAME_BYTES: usize = 200;

/// Accept `name` or say exactly what is wrong with it.
pub fn validate_name(name: &str) -> Result<()> {
    match problem(name) {
        None => Ok(()),
        Some(msg) => Err(Error::BadName { name: for_message(name), msg }),
    }
}

/// The name as quoted in an error: a 10 KB name is cut, not echoed whole.
fn for_message(name: &str) -> String {
    const SHOWN: usize = 64;
    if name.chars().count() <= SHOWN {
        return name.to_string();
    }
    let head: String = name.chars().take(SHOWN).collect();
    format!("{head}\u{2026}")
}

fn problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Some(format!("it is {} bytes long; the limit is {MAX_NAME_BYTES}", name.len()));
    }
    if let Some(c) = name.chars().find(|&c| !allowed_char(c)) {
        return Some(describe_bad_char(c));
    }
    if name.starts_with('/') || name.starts_with('-') {
        return Some("it starts with '/' or '-'".into());
    }
    if name.ends_with('/') {
        return Some("it ends with '/'".into());
    }
    if name.ends_with('.') {
        return Some("it ends with '.'".into());
    }
    if name.contains("..") {
        return Some("it contains '..'".into());
    }
    name.split('/').find_map(component_problem).or_else(|| {
        // Belt and braces: whatever we allow must also be a valid git ref.
        (!git2::Reference::is_valid_name(&super::ref_name(name))).then(|| "git refuses it as a ref name".to_string())
    })
}

fn component_problem(c: &str) -> Option<String> {
    if c.is_empty() {
        Some("it has an empty path component ('//')".into())
    } else if c.starts_with('.') {
        Some(format!("the component {c:?} starts with '.'"))
    } else if c.ends_with(".lock") {
        Some(format!("the component {c:?} ends with '.lock'"))
    } else {
        None
    }
}

fn allowed_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/')
}

fn describe_bad_char(c: char) -> String {
    if c == ' ' {
        "it contains a space".into()
    } else if c.is_control() {
        format!("it contains a control character (U+{:04X})", c as u32)
    } else if c.is_alphanumeric() {
        format!("it contains {c:?}: only ASCII letters and digits are allowed")
    } else {
        format!("it contains {c:?}")
    }
}

/// A stable article name for a URL: host plus path, every other character
/// mapped to `-`. The query is kept (sanitized, tracking parameters dropped)
/// only when the path alone cannot identify the page: an empty path, or a
/// script such as `index.php`. Names that would be too long are shortened
/// and suffixed with a hash of the whole URL, so they stay unique.
///
/// `https://www.nbcnews.com/news/world/belarus-n1240?utm_source=x` →
/// `www.nbcnews.com/news/world/belarus-n1240`.
pub fn name_from_url(url: &str) -> Result<String> {
    let bad = |msg: &str| Error::Usage {
        msg: format!("cannot derive an article name from the URL {url:?}: {msg}"),
        hint: Some("give the name explicitly: redline commit NAME FILE --url URL".into()),
    };
    let rest = url.trim().split_once("://").map(|(_, r)| r).ok_or_else(|| bad("it has no scheme (https://...)"))?;
    let (authority, path, query) = split_url(rest);
    let host = host_of(authority);
    if host.is_empty() {
        return Err(bad("it has no host"));
    }
    let mut raw = host;
    raw.push('/');
    raw.push_str(path);
    if path_is_uninformative(path) {
        let q = clean_query(query);
        if !q.is_empty() {
            raw.push('/');
            raw.push_str(&q);
        }
    }
    let name = shorten(sanitize_path(&raw), url);
    validate_name(&name).map_err(|_| bad("the result is not a valid name"))?;
    Ok(name)
}

/// Split `host/path?query#frag` (scheme already removed).
fn split_url(rest: &str) -> (&str, &str, &str) {
    let rest = rest.split('#').next().unwrap_or("");
    let (before_q, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = before_q.split_once('/').unwrap_or((before_q, ""));
    (authority, path, query)
}

/// The host, lower-cased, without user info or port.
fn host_of(authority: &str) -> String {
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    host.to_ascii_lowercase()
}

fn path_is_uninformative(path: &str) -> bool {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    let last = last.to_ascii_lowercase();
    last.is_empty() || [".php", ".asp", ".aspx", ".jsp", ".cgi", ".pl"].iter().any(|ext| last.ends_with(ext))
}

/// Query parameters that name the page, without tracking noise.
fn clean_query(query: &str) -> String {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p.split('=').next().unwrap_or("").to_ascii_lowercase();
            !(key.starts_with("utm_") || matches!(key.as_str(), "fbclid" | "gclid" | "mc_cid" | "mc_eid" | "ref"))
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Map disallowed characters to `-` and repair components git would refuse.
fn sanitize_path(raw: &str) -> String {
    let mapped: String = raw.chars().map(|c| if allowed_char(c) { c } else { '-' }).collect();
    let parts: Vec<String> = mapped.split('/').filter_map(sanitize_component).collect();
    parts.join("/")
}

fn sanitize_component(c: &str) -> Option<String> {
    let mut s = collapse(c, "--", "-");
    s = collapse(&s, "..", ".");
    let s = s.trim_start_matches(['.', '-']).trim_end_matches(['.', '-']);
    let s = match s.strip_suffix(".lock") {
        Some(stem) => format!("{stem}-lock"),
        None => s.to_string(),
    };
    (!s.is_empty()).then_some(s)
}

fn collapse(s: &str, pair: &str, one: &str) -> String {
    let mut s = s.to_string();
    while s.contains(pair) {
        s = s.replace(pair, one);
    }
    s
}

/// Keep names within the limit while staying unique per URL.
fn shorten(name: String, url: &str) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name;
    }
    let hash = super::meta::sha256_hex(url.as_bytes());
    let mut cut = MAX_NAME_BYTES - 17;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = name[..cut].trim_end_matches(['/', '.', '-']);
    format!("{head}-{}", &hash[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_names() {
        for n in ["belarus", "nbc/belarus-putin", "a.b_c-d", "2020/09/x", "A1"] {
            assert!(validate_name(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn refuses_each_bad_kind() {
        let long = "a".repeat(201);
        for n in [
            "",
            "has space",
            "a..b",
            "tab\there",
            "x/.hidden",
            "x.lock",
            "x/y.lock/z",
            "/lead",
            "-lead",
            "trail/",
            "a//b",
            "é",
            "a:b",
            "a~1",
            "a^",
            "a?",
            "a*",
            "a[",
            "a\\b",
            "a@{b",
            "dot.",
            &long,
        ] {
            assert!(validate_name(n).is_err(), "{n:?} should be refused");
        }
        assert!(validate_name(&"a".repeat(200)).is_ok());
    }

    #[test]
    fn bad_name_messages_say_what_is_wrong() {
        let msg = |n: &str| validate_name(n).unwrap_err().to_string();
        assert!(msg("a b").contains("space"));
        assert!(msg("a\u{1}b").contains("control"));
        assert!(msg("x.lock").contains(".lock"));
        assert!(msg("a..b").contains(".."));
        assert!(msg("café").contains("ASCII"));
        let long = msg(&"n".repeat(10_240));
        assert!(long.len() < 400 && long.contains("10240 bytes"), "{long}");
    }

    #[test]
    fn url_names() {
        let n = |u: &str| name_from_url(u).unwrap();
        assert_eq!(n("https://www.nbcnews.com/news/world/belarus-n1240"), "www.nbcnews.com/news/world/belarus-n1240");
        assert_eq!(n("https://Example.COM/a/b/"), "example.com/a/b");
        assert_eq!(n("https://example.com/a%20b/c?utm_source=x#top"), "example.com/a-20b/c");
        assert_eq!(n("http://user:pw@example.com:8080/x"), "example.com/x");
        assert_eq!(n("https://example.com/?p=123&utm_medium=rss"), "example.com/p-123");
        assert_eq!(n("https://example.com/index.php?id=5"), "example.com/index.php/id-5");
        assert_eq!(n("https://example.com"), "example.com");
        assert_eq!(n("https://example.com/.well-known/x.lock"), "example.com/well-known/x-lock");
        assert_eq!(n("https://example.com/a/../b"), "example.com/a/b");
        assert_eq!(n("https://example.com/2020/09/14/story.html"), "example.com/2020/09/14/story.html");
    }

    #[test]
    fn url_names_are_stable_and_bounded() {
        let long = format!("https://example.com/{}", "word-".repeat(100));
        let a = name_from_url(&long).unwrap();
        assert!(a.len() <= MAX_NAME_BYTES);
        assert_eq!(a, name_from_url(&long).unwrap());
        let other = format!("{long}x");
        assert_ne!(a, name_from_url(&other).unwrap());
    }

    #[test]
    fn url_without_scheme_or_host_is_refused() {
        assert!(name_from_url("example.com/x").is_err());
        assert!(name_from_url("https:///x").is_err());
    }
}
