//! `meta.json`: everything `log`, `list` and `diff` headers need about a
//! revision, computed once at commit time so that reading never diffs.

use crate::core::{self, ChangeKind, Diff, DiffOptions, Unit};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `schema` value of every meta.json this version writes.
pub const META_SCHEMA: &str = "redline.meta/1";

/// The metadata stored beside each revision's text. Fields may be added
/// (readers ignore unknown ones) but never renamed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// `redline.meta/1`.
    pub schema: String,
    /// The article name.
    pub name: String,
    /// 1 is the first revision. Read as u64 so a tampered huge number is
    /// caught by the chain checks instead of wrapping.
    pub revision: u64,
    /// Given with `--title`, else the first non-empty line, trimmed.
    pub title: String,
    /// The article's URL, if given (kept from earlier revisions unless changed).
    pub url: Option<String>,
    /// RFC 3339, UTC; also the commit's author and committer time.
    pub observed_at: String,
    /// Revision 1's observed time, so `list` needs only the tip.
    pub first_observed_at: String,
    /// Length of the text in bytes.
    pub bytes: usize,
    /// Words in the text.
    pub words: usize,
    /// Sentences in the text.
    pub sentences: usize,
    /// Paragraphs in the text.
    pub paragraphs: usize,
    /// SHA-256 of the text, hex.
    pub sha256: String,
    /// The text is byte-identical to this older revision (a flip-flop).
    pub same_as: Option<u64>,
    /// Words added and removed against the previous revision (revision 1:
    /// all its words added).
    pub words_added: usize,
    /// Words removed against the previous revision.
    pub words_removed: usize,
    /// The title differs from the previous revision's.
    pub title_changed: bool,
    /// Only typography changed against the previous revision.
    pub formatting_only: bool,
    /// The change summary, e.g. `+42 −17 words, 2 sentences reworded`.
    pub summary: String,
    /// The `-m` note, if any.
    pub message: Option<String>,
    /// How the text was fetched from the web (revisions stored by the
    /// tracker only; absent otherwise, so older meta.json bytes are unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch: Option<super::raw::FetchMeta>,
    /// Who stored this revision: the store's observer id (see
    /// `Store::observer`). Absent in revisions written before sync existed,
    /// which count as observed by an unknown observer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observer: Option<String>,
    /// Every sighting of this text, oldest first, when more than one
    /// observation collapsed into this revision (a sync merge of stores that
    /// saw the same text). Empty means the one sighting is `observer` at
    /// `observed_at`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<Sighting>,
    /// Rebuilt by a sync merge (`log` marks it; `fsck` accepts the merge
    /// commit that ends such a chain).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub merged: bool,
}

/// One observation of a revision's text: who saw it, and when (RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sighting {
    /// The observer id (empty: unknown, a revision made before sync).
    pub observer: String,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// The title this observer stored with it (absent in `seen` lists
    /// written before sync kept it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The `-m` note this observer stored with it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Meta {
    /// The marks `log` and the exported history show beside a revision.
    pub fn marks(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.title_changed {
            v.push("title changed".to_string());
        }
        if let Some(n) = self.same_as {
            v.push(format!("same as rev {n}"));
        }
        if self.formatting_only {
            v.push("formatting only".to_string());
        }
        if self.merged {
            v.push("merged".to_string());
        }
        if self.seen.len() > 1 {
            v.push(format!("seen {}\u{d7}", self.seen.len()));
        }
        v
    }
}

/// The previous revision, when there is one.
pub struct Prev<'a> {
    pub meta: &'a Meta,
    pub text: &'a str,
}

/// Everything needed to compute a new revision's [`Meta`].
pub struct MetaInput<'a> {
    pub name: &'a str,
    pub text: &'a str,
    pub sha256: &'a str,
    pub title: Option<&'a str>,
    pub url: Option<&'a str>,
    pub observed_at: i64,
    pub message: Option<&'a str>,
    pub prev: Option<Prev<'a>>,
    pub same_as: Option<u64>,
    /// Who observed it (the store's observer id).
    pub observer: Option<&'a str>,
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The first non-empty line, trimmed: the default title. A byte order mark
/// is not part of the title (the text keeps it).
pub fn default_title(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("").to_string()
}

/// Compute the new revision's metadata (diffing against the previous text).
pub fn build(input: MetaInput<'_>) -> Meta {
    let change = input.prev.as_ref().map(|p| Change::between(p.text, input.text));
    let stats = core::text_stats(input.text);
    build_with(input, change, stats)
}

/// Like [`build`], with the diff part and the text's counts already
/// computed (bulk import computes those on several threads). `change` must
/// be `Some` exactly when `input.prev` is.
pub(crate) fn build_with(input: MetaInput<'_>, change: Option<Change>, stats: core::TextStats) -> Meta {
    let title = match input.title {
        Some(t) => t.trim().to_string(),
        None => default_title(input.text),
    };
    let observed_at = super::format_time(input.observed_at);
    let (revision, first_observed_at, change) = match (&input.prev, change) {
        (Some(p), Some(c)) => (p.meta.revision + 1, p.meta.first_observed_at.clone(), c),
        (Some(p), None) => (p.meta.revision + 1, p.meta.first_observed_at.clone(), Change::between(p.text, input.text)),
        (None, _) => (1, observed_at.clone(), Change::first(stats.words)),
    };
    let title_changed = input.prev.as_ref().is_some_and(|p| p.meta.title != title);
    let summary = change.summary(title_changed, input.same_as);
    Meta {
        schema: META_SCHEMA.into(),
        name: input.name.into(),
        revision,
        title,
        // The page's URL stays on every later revision unless a new one is given.
        url: input.url.map(str::to_string).or_else(|| input.prev.as_ref().and_then(|p| p.meta.url.clone())),
        observed_at,
        first_observed_at,
        bytes: input.text.len(),
        words: stats.words,
        sentences: stats.sentences,
        paragraphs: stats.paragraphs,
        sha256: input.sha256.into(),
        same_as: input.same_as,
        words_added: change.words_added,
        words_removed: change.words_removed,
        title_changed,
        formatting_only: change.formatting_only,
        summary,
        message: input.message.map(str::to_string),
        fetch: None,
        observer: input.observer.map(str::to_string),
        seen: Vec::new(),
        merged: false,
    }
}

/// The parts of a diff that go into meta.json and the commit message.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    first: bool,
    words_added: usize,
    words_removed: usize,
    formatting_only: bool,
    formatting_changes: usize,
    /// (count, unit, kind) in a fixed, readable order.
    units: Vec<(usize, Unit, ChangeKind)>,
}

const KIND_ORDER: [ChangeKind; 5] =
    [ChangeKind::Reworded, ChangeKind::Added, ChangeKind::Removed, ChangeKind::Moved, ChangeKind::Duplicated];

impl Change {
    fn first(words: usize) -> Change {
        Change {
            first: true,
            words_added: words,
            words_removed: 0,
            formatting_only: false,
            formatting_changes: 0,
            units: vec![],
        }
    }

    /// Diff `prev` against `new` (the expensive part of a revision).
    pub(crate) fn between(prev: &str, new: &str) -> Change {
        Change::from_diff(&core::diff(prev, new, &DiffOptions::default()))
    }

    fn from_diff(d: &Diff<'_>) -> Change {
        let mut units = Vec::new();
        for kind in KIND_ORDER {
            for unit in [Unit::Sentence, Unit::Paragraph] {
                let n = d.changes.iter().filter(|c| c.kind == kind && c.unit == unit).count();
                if n > 0 {
                    units.push((n, unit, kind));
                }
            }
        }
        Change {
            first: false,
            words_added: d.stats.words_added,
            words_removed: d.stats.words_removed,
            formatting_only: d.formatting_only,
            formatting_changes: d.stats.formatting_changes,
            units,
        }
    }

    /// `+42 −17 words, 2 sentences reworded` (no `rev N:` prefix).
    fn summary(&self, title_changed: bool, same_as: Option<u64>) -> String {
        let mut parts = Vec::new();
        if self.first {
            parts.push(format!("{} words", self.words_added));
        } else if self.formatting_only {
            let n = self.formatting_changes;
            parts.push(format!("formatting only ({n} typographic change{})", plural(n)));
        } else {
            parts.push(format!("+{} \u{2212}{} words", self.words_added, self.words_removed));
            for (n, unit, kind) in &self.units {
                parts.push(format!("{n} {} {}", unit_word(*unit, *n), kind.name()));
            }
        }
        if title_changed {
            parts.push("title changed".into());
        }
        if let Some(n) = same_as {
            parts.push(format!("same as rev {n}"));
        }
        parts.join(", ")
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn unit_word(u: Unit, n: usize) -> &'static str {
    match (u, n) {
        (Unit::Sentence, 1) => "sentence",
        (Unit::Sentence, _) => "sentences",
        (Unit::Paragraph, 1) => "paragraph",
        (Unit::Paragraph, _) => "paragraphs",
    }
}

/// The commit message: `rev N: <summary>`, then the note after a blank line.
pub fn commit_message(meta: &Meta) -> String {
    let mut m = format!("rev {}: {}\n", meta.revision, meta.summary);
    if let Some(note) = meta.message.as_deref().filter(|n| !n.trim().is_empty()) {
        m.push('\n');
        m.push_str(note.trim_end());
        m.push('\n');
    }
    m
}

/// meta.json bytes: pretty-printed, newline-terminated.
pub fn to_json(meta: &Meta) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(meta).unwrap_or_default();
    v.push(b'\n');
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(text: &'a str, sha: &'a str) -> MetaInput<'a> {
        MetaInput {
            name: "a",
            text,
            sha256: sha,
            title: None,
            url: None,
            observed_at: 1_600_077_600,
            message: None,
            prev: None,
            same_as: None,
            observer: None,
        }
    }

    #[test]
    fn first_revision_meta() {
        let m = build(input("\n  Headline here  \n\nBody text.\n", "x"));
        assert_eq!(m.revision, 1);
        assert_eq!(m.title, "Headline here");
        assert_eq!(m.observed_at, "2020-09-14T10:00:00Z");
        assert_eq!(m.first_observed_at, m.observed_at);
        assert_eq!(m.summary, format!("{} words", m.words));
        assert_eq!(commit_message(&m), format!("rev 1: {} words\n", m.words));
    }

    #[test]
    fn later_revision_counts_and_marks() {
        let first = build(input("Title\n\nOld body.\n", "x"));
        let mut i = input("Title two\n\nNew body.\n", "y");
        i.prev = Some(Prev { meta: &first, text: "Title\n\nOld body.\n" });
        i.same_as = Some(1);
        i.message = Some("fixed typo");
        i.observed_at += 3600;
        let m = build(i);
        assert_eq!(m.revision, 2);
        assert!(m.title_changed);
        assert_eq!(m.same_as, Some(1));
        assert_eq!(m.first_observed_at, "2020-09-14T10:00:00Z");
        assert!(m.summary.ends_with("title changed, same as rev 1"), "{}", m.summary);
        let msg = commit_message(&m);
        assert!(msg.starts_with("rev 2: "));
        assert!(msg.ends_with("\n\nfixed typo\n"));
    }

    #[test]
    fn byte_order_mark_is_not_in_the_title() {
        assert_eq!(default_title("\u{feff}Headline\n\nBody.\n"), "Headline");
        assert_eq!(default_title("\u{feff}\n\nSecond\n"), "Second");
    }

    #[test]
    fn sha256_is_hex_of_text() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn meta_round_trips() {
        let m = build(input("x y z", "h"));
        let back: Meta = serde_json::from_slice(&to_json(&m)).unwrap();
        assert_eq!(m, back);
    }
}
