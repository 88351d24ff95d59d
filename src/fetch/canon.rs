//! URL hygiene: one spelling per page.
//!
//! Why: feeds and redirects hand out the same article with tracking
//! parameters (`utm_source`, `fbclid`) and fragments; watching each spelling
//! separately would store one article many times.

use url::Url;

/// Query parameters that only track the reader.
fn is_tracking(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("utm_") || matches!(k.as_str(), "fbclid" | "gclid" | "mc_cid" | "mc_eid" | "ocid" | "cmpid")
}

/// Parse and clean `raw` (optionally relative to `base`): http(s) only, no
/// fragment, no tracking parameters; host lower-cased and default port
/// dropped by the URL parser.
pub fn canonical(raw: &str, base: Option<&Url>) -> Result<Url, String> {
    let raw = raw.trim();
    let mut u = match base {
        Some(b) => b.join(raw),
        None => Url::parse(raw),
    }
    .map_err(|e| format!("not a URL ({e})"))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(format!("only http and https URLs can be fetched, not {}:", u.scheme()));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    u.set_fragment(None);
    if u.query().is_some() {
        let kept: Vec<(String, String)> =
            u.query_pairs().filter(|(k, _)| !is_tracking(k)).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        if kept.is_empty() {
            u.set_query(None);
        } else {
            u.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_and_fragments_go() {
        let u = canonical("HTTP://News.Example:80/a/b?utm_source=rss&id=7&fbclid=x#top", None).unwrap();
        assert_eq!(u.as_str(), "http://news.example/a/b?id=7");
        let u = canonical("https://n.example/x?utm_medium=feed", None).unwrap();
        assert_eq!(u.as_str(), "https://n.example/x");
        let base = Url::parse("http://n.example/feeds/all.xml").unwrap();
        assert_eq!(canonical("../story/1", Some(&base)).unwrap().as_str(), "http://n.example/story/1");
        assert!(canonical("ftp://n.example/x", None).unwrap_err().contains("only http"));
        assert!(canonical("not a url", None).is_err());
    }
}
