//! Checks `fsck` makes on raw bytes, before trusting them: the shape of
//! each `meta.json` (every field's type and range, the schema name) and the
//! `packed-refs` file (malformed lines, an order that contradicts its
//! "sorted" header). Kept apart from `fsck.rs`, which walks the store.

use super::meta::META_SCHEMA;
use serde_json::Value;
use std::path::Path;

/// Every way `v` differs from the shape of a `redline.meta/1` document
/// (empty when it is well formed). Unknown extra fields are allowed: later
/// versions may add fields, never rename them.
pub(crate) fn meta_shape_problems(v: &Value) -> Vec<String> {
    let Some(obj) = v.as_object() else { return vec!["it is not a JSON object".into()] };
    let mut out = Vec::new();
    match obj.get("schema").and_then(Value::as_str) {
        Some(META_SCHEMA) => {}
        Some(other) => out.push(format!(
            "schema is {other:?}, not {META_SCHEMA:?} (written by another version of redline, or edited)"
        )),
        None => out.push(format!("schema is missing or not a string (should be {META_SCHEMA:?})")),
    }
    let field = |name: &str| obj.get(name);
    for name in ["name", "title", "observed_at", "first_observed_at", "sha256", "summary"] {
        if !field(name).is_some_and(Value::is_string) {
            out.push(format!("{name} is {}, should be a string", describe(field(name))));
        }
    }
    for name in ["url", "message"] {
        if !field(name).is_some_and(|v| v.is_string() || v.is_null()) {
            out.push(format!("{name} is {}, should be a string or null", describe(field(name))));
        }
    }
    for name in ["revision", "bytes", "words", "sentences", "paragraphs", "words_added", "words_removed"] {
        if field(name).is_none_or(|v| v.as_u64().is_none()) {
            out.push(format!("{name} is {}, should be a whole number from 0", describe(field(name))));
        }
    }
    for name in ["title_changed", "formatting_only"] {
        if !field(name).is_some_and(Value::is_boolean) {
            out.push(format!("{name} is {}, should be true or false", describe(field(name))));
        }
    }
    // Whether the numbers fit the chain (revision 0, a same_as that is not
    // earlier) is checked against the chain itself, where --repair can
    // renumber; here only their types.
    match field("same_as") {
        Some(Value::Null) => {}
        Some(v) if v.as_u64().is_some() => {}
        other => out.push(format!("same_as is {}, should be a revision number or null", describe(other))),
    }
    for name in ["observed_at", "first_observed_at"] {
        if let Some(t) = field(name).and_then(Value::as_str) {
            if let Err(why) = super::parse_time(t) {
                out.push(format!("{name} is {t:?}, not a time redline stores: {why}"));
            }
        }
    }
    if let Some(h) = field("sha256").and_then(Value::as_str) {
        if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            out.push(format!("sha256 is {h:?}, not 64 lower-case hex digits"));
        }
    }
    out
}

fn describe(v: Option<&Value>) -> String {
    match v {
        None => "missing".into(),
        Some(v) => {
            let s = v.to_string();
            if s.chars().count() > 40 {
                format!("{}…", s.chars().take(40).collect::<String>())
            } else {
                s
            }
        }
    }
}

/// What is wrong with `packed-refs`, by line.
#[derive(Debug, Default)]
pub(crate) struct PackedRefs {
    /// (line number, why) for each line git cannot read.
    pub bad_lines: Vec<(usize, String)>,
    /// The header says "sorted" but the refs are not in order, so git's
    /// binary search misses some of them.
    pub claims_sorted_but_is_not: bool,
}

/// Read `packed-refs` (absent is fine) and find malformed lines and a false
/// "sorted" claim.
pub(crate) fn check_packed_refs(store: &Path) -> PackedRefs {
    let mut out = PackedRefs::default();
    let Ok(bytes) = std::fs::read(store.join("packed-refs")) else { return out };
    let text = String::from_utf8_lossy(&bytes);
    let mut sorted_claim = false;
    let mut names: Vec<&str> = Vec::new();
    let mut after_ref = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.starts_with('#') {
            sorted_claim |= i == 0 && line.split_whitespace().any(|w| w == "sorted");
            continue;
        }
        if let Some(peeled) = line.strip_prefix('^') {
            if !after_ref || !is_hex_id(peeled) {
                out.bad_lines.push((n, "a peeled line (^id) that does not follow a ref or is not an id".into()));
            }
            after_ref = false;
            continue;
        }
        match line.split_once(' ') {
            Some((id, name)) if is_hex_id(id) && name.starts_with("refs/") && !name.contains(' ') => {
                names.push(name);
                after_ref = true;
            }
            _ => {
                out.bad_lines.push((n, format!("not \"<40-hex id> refs/...\": {:?}", cut(line))));
                after_ref = false;
            }
        }
    }
    out.claims_sorted_but_is_not = sorted_claim && names.windows(2).any(|w| w[0] > w[1]);
    out
}

fn is_hex_id(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn cut(s: &str) -> String {
    s.chars().take(60).collect()
}

/// Rewrite `packed-refs` in sorted order (each ref keeps its peeled line),
/// as git would have written it. Takes `packed-refs.lock` like git, so it
/// never races a writer; the new file replaces the old by rename.
pub(crate) fn sort_packed_refs(store: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let path = store.join("packed-refs");
    let text = std::fs::read_to_string(&path)?;
    let mut header = String::new();
    let mut entries: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') && entries.is_empty() {
            header.push_str(line);
            header.push('\n');
        } else if line.starts_with('^') {
            if let Some(last) = entries.last_mut() {
                last.1.push_str(line);
                last.1.push('\n');
            }
        } else {
            let name = line.split_once(' ').map(|(_, n)| n.to_string()).unwrap_or_default();
            entries.push((name, format!("{line}\n")));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let lock = store.join("packed-refs.lock");
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&lock)?;
    let body: String = entries.into_iter().map(|(_, l)| l).collect();
    let written = f.write_all(header.as_bytes()).and_then(|_| f.write_all(body.as_bytes())).and_then(|_| f.sync_all());
    if let Err(e) = written.and_then(|_| std::fs::rename(&lock, &path)) {
        let _ = std::fs::remove_file(&lock);
        return Err(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Value {
        serde_json::json!({
            "schema": "redline.meta/1", "name": "a", "revision": 2, "title": "t", "url": null,
            "observed_at": "2020-01-01T00:00:00Z", "first_observed_at": "2020-01-01T00:00:00Z",
            "bytes": 1, "words": 1, "sentences": 1, "paragraphs": 1, "sha256": "a".repeat(64),
            "same_as": 1, "words_added": 0, "words_removed": 0, "title_changed": false,
            "formatting_only": false, "summary": "s", "message": null, "later_field": [1]
        })
    }

    #[test]
    fn a_good_meta_passes_and_each_bad_field_is_named() {
        assert_eq!(meta_shape_problems(&good()), Vec::<String>::new());
        for (field, value, needle) in [
            ("schema", serde_json::json!("redline.meta/2"), "schema"),
            ("revision", serde_json::json!(-1), "revision"),
            ("revision", serde_json::json!("2"), "revision"),
            ("observed_at", serde_json::json!("not a date"), "observed_at"),
            ("observed_at", serde_json::json!("1900-01-01"), "observed_at"),
            ("same_as", serde_json::json!("2"), "same_as"),
            ("sha256", serde_json::json!("XYZ"), "sha256"),
            ("title_changed", serde_json::json!(1), "title_changed"),
            ("url", serde_json::json!(5), "url"),
        ] {
            let mut v = good();
            v[field] = value;
            let p = meta_shape_problems(&v);
            assert!(p.iter().any(|m| m.contains(needle)), "{field}: {p:?}");
        }
        let mut v = good();
        v.as_object_mut().unwrap().remove("words");
        assert!(meta_shape_problems(&v).iter().any(|m| m.contains("words is missing")));
    }
}
