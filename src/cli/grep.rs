//! `redline grep PATTERN [NAME…]`: search every revision of every article
//! (or the named articles and groups) with a regular expression.
//!
//! The question it answers is "when did this text appear, and when did it
//! go?", so by default it prints only the revisions where a match appeared
//! or disappeared (as `git log -S` does); `--all-revisions` prints every
//! revision that contains one.
//!
//! Speed comes from the store's scan ([`crate::store::Store::links`]): raw
//! commits and trees, a revision whose text blob equals the previous one's
//! (or any earlier one's, a flip-flop) is not read or matched again, and
//! metadata is read only for the revisions printed.

use super::list::parse_group;
use super::{ArticleName, ColorOpt, CommandError, CommandHelper, CommandResult, Exit, PagerOpt, StoreOpt};
use crate::error::{EXIT_NO_MATCH, EXIT_OK};
use crate::render::sanitize::{json_strict, visible_line};
use crate::render::style::{paint, Label};
use crate::render::ColorMode;
use crate::store::Store;
use git2::Oid;
use regex::bytes::{Regex, RegexBuilder};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline grep 'no apparent warmth'             # where the phrase appeared and disappeared\n  redline grep -i 'lukashenko' nbc/ --all-revisions\n  redline grep '\\$\\d+(\\.\\d+)? million' council-budget --json | jq '.[] | {name, revision, event}'\n\nExit status: 0 when some revision matched, 1 when none did, 2 for a bad pattern or unknown article, 10 when damaged articles were skipped."
)]
pub struct GrepArgs {
    /// Regular expression (Rust `regex` syntax). `^` and `$` match at line
    /// starts and ends; `.` does not cross a line break.
    pub pattern: String,
    /// Articles or groups (`nbc` or `nbc/`: every article named nbc/…) to
    /// search. Default: every article.
    #[arg(value_name = "NAME", value_parser = parse_group)]
    pub names: Vec<ArticleName>,
    /// Print every revision that contains a match, not only the revisions
    /// where a match appeared or disappeared.
    #[arg(long)]
    pub all_revisions: bool,
    /// Match letters in either case.
    #[arg(short = 'i', long)]
    pub ignore_case: bool,
    /// Take PATTERN as plain text, not a regular expression.
    #[arg(short = 'F', long)]
    pub fixed_strings: bool,
    /// Print JSON (one array of hits) instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub color: ColorOpt,
    #[command(flatten)]
    pub store: StoreOpt,
    #[command(flatten)]
    pub pager: PagerOpt,
}

/// Why a revision is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// It matches and the revision before did not (or it is the first).
    Appeared,
    /// It does not match and the revision before did.
    Disappeared,
    /// `--all-revisions`: it matches.
    Present,
}

/// One printed revision (`--json` prints these as they are).
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub name: String,
    pub revision: u64,
    /// The full commit id.
    pub id: String,
    pub observed_at: String,
    pub title: String,
    pub event: Event,
    /// Matches in this revision's text (0 when the match disappeared).
    pub matches: usize,
    /// The first match, and the line around it (shortened): in this
    /// revision, or for `disappeared` in the revision before, where it was.
    #[serde(rename = "match")]
    pub matched: String,
    pub excerpt: String,
}

/// What matching found in one text.
#[derive(Debug, Clone)]
struct Found {
    count: usize,
    matched: String,
    excerpt: String,
}

/// Search the selected articles' histories and print the hits.
pub fn run(args: GrepArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let re = build(&args)?;
    let store = cx.store.open()?;
    Store::trust_object_ids();
    let names: Vec<&str> = args.names.iter().map(ArticleName::as_str).collect();
    let (articles, mut skipped) = store.select_articles(&names)?;
    let all = args.all_revisions;
    let results = store.per_article(&articles, |s, name, tip| scan_article(s, name, tip, &re, all))?;
    let mut hits = Vec::new();
    for (r, (name, _)) in results.into_iter().zip(&articles) {
        match r {
            Ok(h) => hits.extend(h),
            Err(e) => skipped.push(crate::store::Skipped { name: name.clone(), why: e.to_string() }),
        }
    }
    if args.json {
        let json = serde_json::to_string_pretty(&hits)?;
        writeln!(cx.ui.stdout(), "{}", json_strict(&json))?;
    } else {
        let mode = cx.ui.color_mode();
        write_hits(cx.ui.paged(), &hits, mode)?;
    }
    let code = super::report_skipped(&cx.ui, &skipped);
    Ok(match code {
        EXIT_OK if hits.is_empty() => EXIT_NO_MATCH,
        c => c,
    })
}

/// The pattern as a byte regex (stored texts are UTF-8, so no decoding is
/// needed to match them); a bad pattern is a usage error quoting regex's
/// own explanation.
fn build(args: &GrepArgs) -> CommandResult<Regex> {
    let pattern = if args.fixed_strings { regex::escape(&args.pattern) } else { args.pattern.clone() };
    RegexBuilder::new(&pattern).multi_line(true).case_insensitive(args.ignore_case).build().map_err(|e| {
        CommandError::user(format!("invalid pattern: {e}"))
            .hinted("patterns use Rust regex syntax (https://docs.rs/regex); pass -F to search for the text as written")
    })
}

/// The hits of one article, oldest first.
fn scan_article(store: &Store, name: &str, tip: Oid, re: &Regex, all: bool) -> crate::store::Result<Vec<Hit>> {
    let links = store.links(tip)?;
    let mut hits = Vec::new();
    // Every text blob already matched in this chain: a revision whose text
    // is the previous one's, or an older one's, is not read again.
    let mut seen: FxHashMap<Oid, Option<Found>> = FxHashMap::default();
    let mut before: Option<Found> = None;
    for link in &links {
        let found = match seen.get(&link.text) {
            Some(f) => f.clone(),
            None => {
                let f = store.with_blob(link.text, |b| find(re, b))?;
                seen.insert(link.text, f.clone());
                f
            }
        };
        let event = match (&found, &before) {
            (Some(_), _) if all => Some(Event::Present),
            (Some(_), None) => Some(Event::Appeared),
            (None, Some(_)) if !all => Some(Event::Disappeared),
            _ => None,
        };
        if let Some(event) = event {
            let shown = found.as_ref().or(before.as_ref()).cloned().unwrap_or_else(|| Found {
                count: 0,
                matched: String::new(),
                excerpt: String::new(),
            });
            let meta = store.revision(link.commit)?.meta;
            hits.push(Hit {
                name: name.to_string(),
                revision: meta.revision,
                id: link.commit.to_string(),
                observed_at: meta.observed_at,
                title: meta.title,
                event,
                matches: found.as_ref().map_or(0, |f| f.count),
                matched: shown.matched,
                excerpt: shown.excerpt,
            });
        }
        before = found;
    }
    Ok(hits)
}

/// Bytes of line shown on each side of a match in an excerpt.
const EXCERPT_SIDE: usize = 60;

/// The matches in `text`: how many, the first one, and its line.
fn find(re: &Regex, text: &[u8]) -> Option<Found> {
    let m = re.find(text)?;
    let count = 1 + re.find_iter(&text[m.end()..]).count();
    let line_start = memchr::memrchr(b'\n', &text[..m.start()]).map_or(0, |i| i + 1);
    let line_end = memchr::memchr(b'\n', &text[m.end()..]).map_or(text.len(), |i| m.end() + i);
    let mut from = line_start.max(m.start().saturating_sub(EXCERPT_SIDE));
    if from > line_start {
        // Start after a space, so the excerpt does not open mid-word.
        from = memchr::memchr(b' ', &text[from..m.start()]).map_or(boundary(text, from), |i| from + i + 1);
    }
    let mut to = line_end.min(m.end() + EXCERPT_SIDE);
    if to < line_end {
        to = memchr::memrchr(b' ', &text[m.end()..to]).map_or(boundary(text, to), |i| m.end() + i);
    }
    let mut excerpt = String::new();
    if from > line_start {
        excerpt.push('…');
    }
    excerpt.push_str(String::from_utf8_lossy(&text[from..to.max(from)]).trim());
    if to < line_end {
        excerpt.push('…');
    }
    Some(Found { count, matched: String::from_utf8_lossy(m.as_bytes()).into_owned(), excerpt })
}

/// `at`, moved back to the start of the UTF-8 character it falls in.
fn boundary(text: &[u8], mut at: usize) -> usize {
    while at > 0 && at < text.len() && text[at] & 0xC0 == 0x80 {
        at -= 1;
    }
    at
}

/// `belarus@3  cfd390c  2020-09-13T12:00:00Z  disappeared  …excerpt…`;
/// in colour, the event and the match in the excerpt painted as added
/// (appeared, present) or removed (disappeared) text.
fn write_hits(out: &mut dyn Write, hits: &[Hit], mode: ColorMode) -> std::io::Result<()> {
    let label = |h: &Hit| format!("{}@{}", h.name, h.revision);
    let width = hits.iter().map(|h| label(h).len()).max().unwrap_or(0);
    for h in hits {
        let (what, style) = match h.event {
            Event::Appeared => ("appeared".to_string(), Label::Added),
            Event::Disappeared => ("disappeared".to_string(), Label::Removed),
            Event::Present => (format!("{} match{}", h.matches, if h.matches == 1 { "" } else { "es" }), Label::Added),
        };
        let excerpt = visible_line(&h.excerpt);
        let excerpt = match (mode, excerpt.find(&*visible_line(&h.matched))) {
            (ColorMode::Plain, _) | (_, None) => excerpt.into_owned(),
            (_, Some(at)) => {
                let end = at + visible_line(&h.matched).len();
                format!("{}{}{}", &excerpt[..at], paint(mode, style, &excerpt[at..end]), &excerpt[end..])
            }
        };
        let what = match mode {
            ColorMode::Plain => format!("{what:<11}"),
            _ => format!("{}{}", paint(mode, style, &what), " ".repeat(11usize.saturating_sub(what.len()))),
        };
        writeln!(
            out,
            "{:<width$}  {}  {}  {what}  {excerpt}",
            visible_line(&label(h)),
            &h.id[..7.min(h.id.len())],
            visible_line(&h.observed_at),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_the_line_around_the_first_match() {
        let re = Regex::new("warmth").unwrap();
        let f = find(&re, "Title\n\nThere was no apparent warmth. Warmth? warmth!\nNext line.\n".as_bytes()).unwrap();
        assert_eq!(f.count, 2);
        assert_eq!(f.matched, "warmth");
        assert_eq!(f.excerpt, "There was no apparent warmth. Warmth? warmth!");
        assert!(find(&re, b"nothing here").is_none());
    }

    #[test]
    fn long_lines_are_cut_on_character_boundaries() {
        let line = format!("{}needle{}", "é".repeat(100), "ü".repeat(100));
        let f = find(&Regex::new("needle").unwrap(), line.as_bytes()).unwrap();
        assert!(f.excerpt.starts_with('…') && f.excerpt.ends_with('…'), "{}", f.excerpt);
        assert!(f.excerpt.contains("needle"));
        assert!(!f.excerpt.contains('\u{fffd}'), "no character cut in half: {}", f.excerpt);
    }
}
