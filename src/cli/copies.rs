//! `redline copies [NAME]`: articles in the store that share text with
//! NAME (or every such pair), judged by the engine: copy, spun copy,
//! quotes shared.
//!
//! The older article (by first observation; then by name) is taken as the
//! source, so the spin table reads source word → copy word.

use super::{ArticleName, CommandHelper, CommandResult, Exit, PagerOpt, StoreOpt};
use crate::core::copies::{candidates, judge, CandidateOptions, Judgement, Verdict};
use crate::core::{self, DiffOptions};
use crate::render::sanitize::{json_strict, visible_line};
use crate::store::ArticleSummary;
use crate::store::StoreError;
use serde::Serialize;
use std::io::Write;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline copies                  # every pair of articles that share text\n  redline copies site/belarus     # what shares text with this one\n  redline copies --json | jq '.[] | select(.verdict == \"spun copy\")'"
)]
pub struct CopiesArgs {
    /// Only pairs that include this article (default: all pairs).
    pub name: Option<ArticleName>,
    /// Print JSON (one array of pairs) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also list candidate pairs judged unrelated.
    #[arg(long)]
    pub all: bool,
    /// Share of distinct words (4+ letters) two articles must share, relative
    /// to the smaller one, before the engine looks at them (0 to 1).
    #[arg(long, value_name = "SHARE", default_value_t = 0.3, value_parser = parse_share)]
    pub min_overlap: f32,
    /// Substitutions shown per pair in text output (JSON has them all).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub top: usize,
    #[command(flatten)]
    pub store: StoreOpt,
    #[command(flatten)]
    pub pager: PagerOpt,
}

fn parse_share(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("{s:?} is not a share between 0 and 1")),
    }
}

/// One judged pair, as `--json` prints it.
#[derive(Serialize)]
struct Pair<'a> {
    source: &'a str,
    copy: &'a str,
    overlap: f64,
    #[serde(flatten)]
    judgement: Judgement,
    spin: Vec<Swap>,
    /// Units of the copy with no counterpart in the source (a promotional line).
    added: Vec<String>,
}

#[derive(Serialize)]
struct Swap {
    old: String,
    new: String,
    count: usize,
}

/// Find candidate pairs by shared words, diff each, print the verdicts.
pub fn run(args: CopiesArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let store = cx.store.open()?;
    let (mut articles, skipped) = store.list()?;
    let code = super::report_skipped(&cx.ui, &skipped);
    articles.sort_by(|a, b| a.name.cmp(&b.name));
    let focus = match &args.name {
        Some(n) => Some(
            articles
                .iter()
                .position(|a| a.name == n.as_str())
                .ok_or_else(|| StoreError::UnknownArticle { name: n.to_string() })?,
        ),
        None => None,
    };
    let texts = articles
        .iter()
        .map(|a| store.text_string(&store.latest(&a.name)?))
        .collect::<Result<Vec<String>, StoreError>>()?;
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let opts = CandidateOptions { min_overlap: args.min_overlap, ..CandidateOptions::default() };
    let mut pairs = Vec::new();
    for c in candidates(&refs, focus, &opts) {
        let (s, k) = source_first(&articles, c.a, c.b);
        let pair = judge_pair(&articles[s].name, &articles[k].name, &texts[s], &texts[k], c.overlap);
        if args.all || pair.judgement.verdict != Verdict::Unrelated {
            pairs.push(pair);
        }
    }
    if args.json {
        let json = serde_json::to_string_pretty(&pairs)?;
        writeln!(cx.ui.stdout(), "{}", json_strict(&json))?;
        return Ok(code);
    }
    let out = cx.ui.paged();
    if pairs.is_empty() {
        writeln!(out, "no copies found among {} articles", articles.len())?;
    }
    for p in &pairs {
        write_pair(out, p, args.top)?;
    }
    Ok(code)
}

/// (source, copy): the article observed first is the source.
fn source_first(articles: &[ArticleSummary], a: usize, b: usize) -> (usize, usize) {
    let key = |i: usize| (&articles[i].first_observed_at, &articles[i].name);
    if key(b) < key(a) {
        (b, a)
    } else {
        (a, b)
    }
}

fn judge_pair<'a>(source: &'a str, copy: &'a str, old: &str, new: &str, overlap: f32) -> Pair<'a> {
    let diff = core::diff(old, new, &DiffOptions::default());
    let spin =
        diff.substitutions.iter().map(|s| Swap { old: s.old.into(), new: s.new.into(), count: s.count }).collect();
    let added = diff
        .changes
        .iter()
        .filter(|c| c.kind == core::ChangeKind::Added)
        .filter_map(|c| c.new_text.map(str::to_string))
        .collect();
    let overlap = (f64::from(overlap) * 1000.0).round() / 1000.0;
    Pair { source, copy, overlap, judgement: judge(&diff), spin, added }
}

/// `site/belarus is a spun copy of nbc/belarus` and the numbers behind it.
fn write_pair(out: &mut dyn Write, p: &Pair, top: usize) -> std::io::Result<()> {
    let j = &p.judgement;
    let relation = match j.verdict {
        Verdict::Copy => "is a copy of",
        Verdict::SpunCopy => "is a spun copy of",
        Verdict::QuotesShared => "shares quotes with",
        Verdict::Unrelated => "is unrelated to",
    };
    writeln!(out, "{} {relation} {}", p.copy, p.source)?;
    writeln!(
        out,
        "  verdict: {} · {:.0}% of its words kept or swapped · {} substitutions ({:.1} per 100 words) · {} quoted words shared · {} words added",
        j.verdict.name(),
        j.shared * 100.0,
        j.substitutions,
        j.spin_per_100,
        j.quoted_words_shared,
        j.words_added
    )?;
    if !p.spin.is_empty() {
        let shown: Vec<String> = p.spin.iter().take(top).map(swap_text).collect();
        let more = p.spin.len().saturating_sub(top);
        let tail = if more > 0 { format!(", … (+{more} more)") } else { String::new() };
        writeln!(out, "  spin: {}{tail}", visible_line(&shown.join(", ")))?;
    }
    for a in p.added.iter().take(3) {
        writeln!(out, "  added: {}", visible_line(&super::log::shorten(a, 100)))?;
    }
    writeln!(out)
}

fn swap_text(s: &Swap) -> String {
    let times = if s.count > 1 { format!(" \u{d7}{}", s.count) } else { String::new() };
    format!("{} \u{2192} {}{times}", s.old, s.new)
}
