//! The summary every human format ends with: counts per kind, words added
//! and removed, similarity, typography notes and the top substitutions.
//! Built once as data so the terminal and HTML say the same thing. The
//! other pieces every view shares live here too: a side's header line and
//! the line that stands for folded paragraphs.

use super::blocks::Block;
use super::sanitize::visible_line;
use super::segments::Styled;
use super::style::Label;
use super::Side;
use crate::core::{ChangeKind, Diff, SubstitutionCount};

/// Kinds in the order the JSON contract lists them.
pub const KINDS: [ChangeKind; 7] = [
    ChangeKind::Added,
    ChangeKind::Removed,
    ChangeKind::Reworded,
    ChangeKind::Moved,
    ChangeKind::Duplicated,
    ChangeKind::Split,
    ChangeKind::Merged,
];

#[derive(Debug, Clone)]
pub struct Summary<'d, 'a> {
    pub identical: bool,
    /// Non-zero kind counts, in [`KINDS`] order.
    pub kinds: Vec<(ChangeKind, usize)>,
    pub words_added: usize,
    pub words_removed: usize,
    pub similarity: f64,
    /// Sentences about typography and coarse diffs (unstyled text).
    pub notes: Vec<String>,
    /// All substitutions, most frequent first.
    pub subs: Vec<&'d SubstitutionCount<'a>>,
    /// Changes with words edited inside quotation marks.
    pub quotes: usize,
    /// Every figure changed, in text order.
    pub numbers: Vec<(&'a str, &'a str)>,
}

impl<'d, 'a> Summary<'d, 'a> {
    pub fn new(diff: &'d Diff<'a>, strict: bool) -> Self {
        let s = &diff.stats;
        let kinds = KINDS.iter().map(|&k| (k, s.kinds.get(k))).filter(|&(_, n)| n > 0).collect();
        let mut subs: Vec<_> = diff.substitutions.iter().collect();
        subs.sort_by_key(|c| std::cmp::Reverse(c.count));
        Summary {
            identical: diff.is_identical(),
            kinds,
            words_added: s.words_added,
            words_removed: s.words_removed,
            similarity: s.similarity,
            notes: notes(diff, strict),
            subs,
            quotes: s.quotes_changed,
            numbers: diff.changes.iter().flat_map(|c| &c.number_changed).map(|n| (n.old, n.new)).collect(),
        }
    }

    /// `2 quotes changed · 1 number changed: 12 → 21`: what a watchdog
    /// looks for first, or None.
    pub fn flags(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.quotes > 0 {
            parts.push(format!("{} {} changed", self.quotes, plural(self.quotes, "quote", "quotes")));
        }
        if !self.numbers.is_empty() {
            // The same correction made twice reads once, with its count.
            let mut seen: Vec<((&str, &str), usize)> = Vec::new();
            for &n in &self.numbers {
                match seen.iter_mut().find(|(x, _)| *x == n) {
                    Some(e) => e.1 += 1,
                    None => seen.push((n, 1)),
                }
            }
            let show = |((o, n), k): &((&str, &str), usize)| {
                if *k > 1 {
                    format!("{o} → {n} ×{k}")
                } else {
                    format!("{o} → {n}")
                }
            };
            let shown: Vec<String> = seen.iter().take(3).map(show).collect();
            let more = if seen.len() > 3 { format!(", … (+{} more)", seen.len() - 3) } else { String::new() };
            let n = self.numbers.len();
            parts.push(format!("{n} {} changed: {}{more}", plural(n, "number", "numbers"), shown.join(", ")));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    /// `1 added · 9 reworded · words +12 −9 · 87.5% similar`.
    pub fn headline(&self) -> String {
        if self.identical {
            return "no differences".into();
        }
        let mut parts: Vec<String> = self.kinds.iter().map(|(k, n)| format!("{n} {}", k.name())).collect();
        parts.push(format!("words +{} −{}", self.words_added, self.words_removed));
        parts.push(format!("{} similar", percent(self.similarity)));
        parts.extend(self.flags());
        parts.join(" · ")
    }

    /// `said → stated ×6, people → individuals ×2, … (+3 more)`, or None.
    pub fn top_substitutions(&self, max: usize) -> Option<String> {
        if self.subs.is_empty() {
            return None;
        }
        let mut s: Vec<String> = self.subs.iter().take(max).map(|c| substitution(c)).collect();
        if self.subs.len() > max {
            s.push(format!("… (+{} more)", self.subs.len() - max));
        }
        Some(s.join(", "))
    }
}

/// `⋯ 3 unchanged paragraphs (¶4–6) ⋯`, numbered in the new text (or the
/// old one, for the left column).
pub fn folded(run: &[Block], old_side: bool) -> String {
    let num = |b: &Block| if old_side { b.old_para + 1 } else { b.new_para + 1 };
    let (first, last) = match (run.first(), run.last()) {
        (Some(f), Some(l)) => (num(f), num(l)),
        _ => return String::new(),
    };
    let n = run.len();
    let range = if first == last { format!("¶{first}") } else { format!("¶{first}–{last}") };
    let noun = if n == 1 { "paragraph" } else { "paragraphs" };
    format!("⋯ {n} unchanged {noun} ({range}) ⋯")
}

/// Revision, id, date, size and title of one side, sanitised to one line
/// (a title with a line break cannot forge a header row).
pub fn side_meta(side: &Side) -> String {
    let mut parts = Vec::new();
    if let Some(r) = side.revision {
        parts.push(format!("r{r}"));
    }
    if let Some(id) = &side.id {
        parts.push(id.chars().take(7).collect());
    }
    if let Some(t) = &side.observed_at {
        parts.push(t.clone());
    }
    if side.words > 0 || side.bytes > 0 {
        parts.push(format!("{} words", side.words));
    }
    if let Some(t) = side.title.as_deref().filter(|t| !t.trim().is_empty()) {
        parts.push(format!("“{}”", t.trim()));
    }
    visible_line(&parts.join(" · ")).into_owned()
}

/// The summary block as styled runs, lines separated by `\n` runs (the
/// side-by-side view wraps them to its width).
pub fn summary_runs(s: &Summary) -> Vec<Styled<'static>> {
    let mut v = vec![Styled::owned(Some(Label::Summary), format!("Summary: {}", s.headline()))];
    for n in &s.notes {
        v.push(Styled::owned(None, "\n  ".into()));
        v.push(Styled::owned(Some(Label::Meta), n.clone()));
    }
    if let Some(subs) = s.top_substitutions(8) {
        v.push(Styled::owned(None, "\n  ".into()));
        v.push(Styled::owned(Some(Label::Summary), "Substitutions:".into()));
        v.push(Styled::owned(None, format!(" {subs}")));
    }
    v
}

fn plural<'s>(n: usize, one: &'s str, many: &'s str) -> &'s str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// `said → stated ×6` (no count when it happened once).
pub fn substitution(c: &SubstitutionCount) -> String {
    if c.count > 1 {
        format!("{} → {} ×{}", c.old, c.new, c.count)
    } else {
        format!("{} → {}", c.old, c.new)
    }
}

/// `87.5%`, never rounding a changed text up to 100% or down to 0%.
pub fn percent(x: f64) -> String {
    let x = if x.is_nan() { 0.0 } else { x };
    let p = (x.clamp(0.0, 1.0) * 1000.0).round() / 10.0;
    let p = if p >= 100.0 && x < 1.0 {
        99.9
    } else if p <= 0.0 && x > 0.0 {
        0.1
    } else {
        p
    };
    if p.fract() == 0.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

fn notes(diff: &Diff, strict: bool) -> Vec<String> {
    let mut v = Vec::new();
    let n = diff.stats.formatting_changes;
    if diff.formatting_only && !diff.is_identical() {
        v.push(if strict {
            "Only typography changed (quotes, dashes, spacing); counted because of --strict.".to_string()
        } else {
            "Only typography changed (quotes, dashes, spacing): no words counted; --strict counts them.".to_string()
        });
    } else if n > 0 {
        let what = if n == 1 { "swap" } else { "swaps" };
        v.push(if strict {
            format!("{n} typography-only {what} (quotes, dashes, spacing) counted because of --strict.")
        } else {
            format!("{n} typography-only {what} (quotes, dashes, spacing) not counted; --strict counts them.")
        });
    }
    if diff.coarse {
        v.push("The texts differ too much to refine in time: changes are shown as whole units.".into());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::KindCounts;
    use crate::render::testutil::{stats, DiffBuilder};

    #[test]
    fn headline_and_substitutions() {
        let k = KindCounts { added: 1, reworded: 9, duplicated: 1, ..Default::default() };
        let b = DiffBuilder::new()
            .del("a")
            .ins("b")
            .stats(stats(k, 12, 9, 0.875))
            .sub("people", "individuals", 2)
            .sub("met", "fulfilled", 1)
            .sub("said", "stated", 6);
        let d = b.diff();
        let s = Summary::new(&d, false);
        assert_eq!(s.headline(), "1 added · 9 reworded · 1 duplicated · words +12 −9 · 87.5% similar");
        assert_eq!(s.top_substitutions(2).unwrap(), "said → stated ×6, people → individuals ×2, … (+1 more)");
        assert_eq!(s.top_substitutions(5).unwrap(), "said → stated ×6, people → individuals ×2, met → fulfilled");
    }

    #[test]
    fn identical_and_formatting_notes() {
        let d = DiffBuilder::new().eq("same").build();
        assert_eq!(Summary::new(&d.diff(), false).headline(), "no differences");
        let d = DiffBuilder::new().del("\"").ins("“").fmt().formatting_only().build();
        let d = d.diff();
        let s = Summary::new(&d, false);
        assert!(s.notes[0].starts_with("Only typography changed"), "{:?}", s.notes);
    }

    #[test]
    fn percent_never_claims_identical_or_disjoint_wrongly() {
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.9999), "99.9%");
        assert_eq!(percent(0.0001), "0.1%");
        assert_eq!(percent(0.5), "50%");
        assert_eq!(percent(f64::NAN), "0%");
    }
}
