//! From HTML to the article text that gets committed.
//!
//! dom_smoothie (a Readability port) finds the main text, title, byline and
//! dates; dom_query reads `rel=canonical` and `og:url` (kept as aliases) and
//! applies per-host CSS rules first. The committed text is the title, then
//! one paragraph per block, separated by blank lines, so the diff engine
//! sees the page's structure. No script ever runs.

use super::rules::HostRules;
use dom_query::Document;
use dom_smoothie::{Config, Readability, TextMode};

/// The extractor's name and version, recorded in meta.json.
pub const EXTRACTOR: &str = "dom_smoothie";
pub const EXTRACTOR_VERSION: &str = "0.19";

/// Pages bigger than this are cut before parsing: a parse costs time
/// roughly linear in size, and no article is this long.
pub const MAX_HTML_BYTES: usize = 5 * 1024 * 1024;
/// Element count past which a page is not parsed (2,000 nested divs take a
/// second; hostile pages go far beyond).
const MAX_ELEMENTS: usize = 60_000;

/// What extraction found.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    pub title: String,
    pub byline: Option<String>,
    pub published: Option<String>,
    /// Title, blank line, paragraphs separated by blank lines, final newline.
    pub text: String,
    /// Readability's own verdict on the page before extraction.
    pub readable: bool,
    /// Words in the body (title excluded), counted as the core counts them
    /// (so text without spaces, such as Japanese, counts too).
    pub body_words: usize,
    pub aliases: Vec<String>,
}

/// Extract the article from `html` fetched from `url`.
pub fn extract(html: &str, url: &str, rules: &HostRules) -> Result<Extracted, String> {
    let html = cut(html, MAX_HTML_BYTES);
    let doc = Document::from(html);
    let aliases = aliases(&doc, url);
    let doc = apply_rules(doc, rules)?;
    let cfg = Config { text_mode: TextMode::Formatted, max_elements_to_parse: MAX_ELEMENTS, ..Config::default() };
    let doc_url = url::Url::parse(url).ok().filter(|u| u.has_host()).map(|_| url);
    let mut r = Readability::with_document(doc, doc_url, Some(cfg)).map_err(|e| e.to_string())?;
    let readable = r.is_probably_readable();
    let article = r.parse().map_err(|e| format!("no article text found ({e})"))?;
    let title = one_line(&article.title);
    let paragraphs = paragraphs(&article.text_content);
    let body_words = crate::core::text_stats(&paragraphs.join("\n\n")).words;
    let mut text = String::new();
    for p in std::iter::once(&title).filter(|t| !t.is_empty()).chain(paragraphs.iter()) {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(p);
        text.push('\n');
    }
    Ok(Extracted {
        title,
        byline: article.byline.map(|b| one_line(&b)).filter(|b| !b.is_empty()),
        published: article.published_time.filter(|p| !p.trim().is_empty()),
        text,
        readable,
        body_words,
        aliases,
    })
}

/// Cut at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Collapse runs of ASCII whitespace (markup indentation, newlines);
/// no-break spaces and other typography are the author's and stay.
fn one_line(s: &str) -> String {
    s.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

/// One paragraph per non-empty line of the formatted text, whitespace
/// collapsed: a `<br>` inside a paragraph becomes a paragraph break, which
/// keeps poems and addresses readable and costs the diff nothing.
fn paragraphs(formatted: &str) -> Vec<String> {
    formatted.lines().map(one_line).filter(|l| !l.is_empty()).collect()
}

/// `rel=canonical` and `og:url`, absolute, distinct, not the URL itself.
fn aliases(doc: &Document, url: &str) -> Vec<String> {
    let base = url::Url::parse(url).ok();
    let mut out: Vec<String> = Vec::new();
    let found =
        [doc.select("link[rel~=canonical]").attr("href"), doc.select("meta[property='og:url']").attr("content")];
    for href in found.into_iter().flatten() {
        let href = href.trim();
        let abs = match &base {
            Some(b) => b.join(href).map(|u| u.to_string()).unwrap_or_else(|_| href.to_string()),
            None => href.to_string(),
        };
        if !abs.is_empty() && abs != url && !out.contains(&abs) {
            out.push(abs);
        }
    }
    out
}

/// Per-host CSS rules: remove first, then keep only `include` (when given).
/// A selector that matches nothing is fine (the page may lack that part).
fn apply_rules(doc: Document, rules: &HostRules) -> Result<Document, String> {
    let matcher = |sel: &str, what: &str| {
        dom_query::Matcher::new(sel).map_err(|_| format!("rules.toml: bad CSS selector {sel:?} in {what}"))
    };
    for sel in &rules.remove {
        doc.select_matcher(&matcher(sel, "remove")?).remove();
    }
    if rules.include.is_empty() {
        return Ok(doc);
    }
    let mut kept = String::new();
    for sel in &rules.include {
        kept.push_str(&doc.select_matcher(&matcher(sel, "include")?).html());
    }
    let head = doc.select("head").html();
    Ok(Document::from(format!("<html>{head}<body>{kept}</body></html>")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<!doctype html><html><head><title>Harbour plan approved | The Bugle</title>
<link rel="canonical" href="/news/harbour-plan"><meta property="og:url" content="https://bugle.example/news/harbour-plan?ref=og">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Harbour plan approved</h1><p class="byline">By Ada Reporter</p>
<p>The city council approved the harbour plan on Tuesday after a long debate that ran late into the evening, with residents filling the public gallery.</p>
<p>The plan adds a new ferry pier, a cycle path along the quay and two small parks, and it will be paid for by a mix of city bonds and a regional grant.</p>
<p>Opponents said the cost was too high and that the old warehouses should be kept. The mayor said work would begin in the spring and end within two years.</p>
</article><footer>Copyright The Bugle</footer></body></html>"#;

    #[test]
    fn paragraphs_are_separated_by_blank_lines_and_chrome_is_gone() {
        let ex = extract(PAGE, "https://bugle.example/news/harbour-plan?utm_source=x", &HostRules::default()).unwrap();
        assert!(ex.text.contains("\n\nThe plan adds a new ferry pier"), "{}", ex.text);
        assert!(!ex.text.contains("Copyright"), "{}", ex.text);
        assert!(!ex.text.contains("Home"), "{}", ex.text);
        assert!(ex.text.ends_with("two years.\n"), "{}", ex.text);
        assert!(ex.body_words > 60);
        assert_eq!(
            ex.aliases,
            vec!["https://bugle.example/news/harbour-plan", "https://bugle.example/news/harbour-plan?ref=og"]
        );
    }

    #[test]
    fn remove_rules_apply_before_extraction() {
        let rules = HostRules { remove: vec!["article p:nth-of-type(3)".into()], ..HostRules::default() };
        let ex = extract(PAGE, "https://bugle.example/x", &rules).unwrap();
        assert!(!ex.text.contains("ferry pier"), "{}", ex.text);
        let absent = HostRules { remove: vec![".no-such-class".into()], ..HostRules::default() };
        assert!(extract(PAGE, "https://bugle.example/x", &absent).unwrap().text.contains("ferry pier"));
        let bad = HostRules { remove: vec!["p[".into()], ..HostRules::default() };
        assert!(extract(PAGE, "https://bugle.example/x", &bad).unwrap_err().contains("bad CSS selector"));
    }
}
