//! Turning page bytes into text: BOM, then the `Content-Type` header, then
//! `<meta charset>` (or `http-equiv`), then a guess (chardetng).
//!
//! Why this order: it is the browsers' order, and servers often declare the
//! charset only in `<meta>`, or nowhere (old cp1252 and Shift_JIS pages).

use encoding_rs::Encoding;

/// Decoded text and where its encoding came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    /// `bom`, `header`, `meta` or `guess`.
    pub source: &'static str,
}

impl Decoded {
    /// `windows-1252 (meta)`: what meta.json records.
    pub fn label(&self) -> String {
        format!("{} ({})", self.encoding, self.source)
    }
}

/// Decode `body` given the response's `Content-Type`.
pub fn decode(body: &[u8], content_type: Option<&str>) -> Decoded {
    let (enc, source) = if let Some((enc, _)) = Encoding::for_bom(body) {
        (enc, "bom")
    } else if let Some(enc) = content_type.and_then(header_charset) {
        (enc, "header")
    } else if let Some(enc) = meta_charset(body) {
        (enc, "meta")
    } else {
        (guess(body), "guess")
    };
    let (text, _, _) = enc.decode(body);
    Decoded { text: text.into_owned(), encoding: enc.name(), source }
}

/// `text/html; charset=Shift_JIS` → Shift_JIS.
fn header_charset(ct: &str) -> Option<&'static Encoding> {
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        Encoding::for_label(v.trim().trim_matches(['"', '\'']).as_bytes())
    })
}

/// How far into the page `<meta charset>` is looked for (as browsers do).
const PRESCAN: usize = 4096;

/// `<meta charset="...">` or `<meta http-equiv="Content-Type" content="...;
/// charset=...">` in the first bytes. A UTF-16 label found in a byte-oriented
/// page means UTF-8, as the HTML standard says.
fn meta_charset(body: &[u8]) -> Option<&'static Encoding> {
    let head = &body[..body.len().min(PRESCAN)];
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos;
        let end = lower[start..].iter().position(|&b| b == b'>').map_or(lower.len(), |e| start + e);
        if let Some(enc) = charset_in_tag(&lower[start..end]) {
            let utf16 = enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE;
            return Some(if utf16 { encoding_rs::UTF_8 } else { enc });
        }
        from = end;
    }
    None
}

fn charset_in_tag(tag: &[u8]) -> Option<&'static Encoding> {
    let at = find(tag, b"charset")?;
    let rest = &tag[at + b"charset".len()..];
    let rest = rest.strip_prefix(b"=").or_else(|| {
        let t = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        rest[t..].strip_prefix(b"=")
    })?;
    let rest: &[u8] = {
        let t = rest.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(rest.len());
        &rest[t..]
    };
    let rest = rest.strip_prefix(b"\"").or_else(|| rest.strip_prefix(b"'")).unwrap_or(rest);
    let len = rest.iter().position(|b| b"\"'; />".contains(b) || b.is_ascii_whitespace()).unwrap_or(rest.len());
    Encoding::for_label(&rest[..len])
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// chardetng's guess over the whole body (UTF-8 allowed).
fn guess(body: &[u8]) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(body, true);
    det.guess(None, chardetng::Utf8Detection::Allow)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_wins_over_everything() {
        let mut body = vec![0xEF, 0xBB, 0xBF];
        body.extend_from_slice("<meta charset=\"windows-1252\">caf\u{e9}".as_bytes());
        let d = decode(&body, Some("text/html; charset=iso-8859-1"));
        assert_eq!((d.encoding, d.source), ("UTF-8", "bom"));
        assert!(d.text.ends_with("caf\u{e9}"));
    }

    #[test]
    fn header_then_meta_then_guess() {
        let body =
            b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head>caf\xe9";
        let d = decode(body, Some("text/html; charset=\"ISO-8859-2\""));
        assert_eq!((d.encoding, d.source), ("ISO-8859-2", "header"));
        let d = decode(body, Some("text/html"));
        assert_eq!((d.encoding, d.source), ("windows-1252", "meta"));
        assert!(d.text.ends_with("caf\u{e9}"));
    }

    #[test]
    fn meta_charset_forms() {
        assert_eq!(meta_charset(b"<META CHARSET=utf-8>").map(|e| e.name()), Some("UTF-8"));
        assert_eq!(meta_charset(b"<meta charset = 'Shift_JIS' />").map(|e| e.name()), Some("Shift_JIS"));
        assert_eq!(meta_charset(b"<meta charset=\"utf-16\">").map(|e| e.name()), Some("UTF-8"));
        assert_eq!(meta_charset(b"<meta name=x content=y><p>charset=koi8-r</p>"), None);
    }

    #[test]
    fn shift_jis_without_any_declaration_is_guessed() {
        let (bytes, _, _) =
            encoding_rs::SHIFT_JIS.encode("東京の天気は晴れです。明日は雨が降るでしょう。今日は良い一日でした。");
        let d = decode(&bytes, None);
        assert_eq!((d.encoding, d.source), ("Shift_JIS", "guess"));
        assert!(d.text.contains("東京の天気"));
    }
}
