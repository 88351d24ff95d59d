//! Sentence lineage along a chain of revisions: for every sentence of the
//! last text, the revision that introduced it and each later one that
//! reworded or moved it (what `redline blame` shows).
//!
//! Lines are the wrong unit for prose: rewrapping a paragraph would make
//! every line "new" (git blame's weakness). Here each step runs the diff
//! engine on consecutive texts and follows each sentence through the bytes
//! the diff keeps: words kept in place, moved units (with their inner word
//! diff) and, as a last resort, the span pairing of a reworded unit. A new
//! sentence inherits the history of the old sentence that gave it the most
//! bytes, so a sentence survives rewordings, moves, splits and merges.

use super::fold::fold_equal;
use super::model::{Change, ChangeKind, Diff, DiffOptions, OpKind, Span};
use super::segment::{has_blank_line, paragraphs, sentences};
use rustc_hash::FxHashMap;

/// One event in a sentence's life. `revision` is the 0-based index of the
/// text passed to [`Blame::new`] (0) or [`Blame::step`] (1, 2, …).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    /// Not serialised: output names the stored revision instead.
    #[serde(skip)]
    pub revision: usize,
    pub kind: EventKind,
    /// Moved: the 1-based paragraph it came from (in the previous revision).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_paragraph: Option<usize>,
    /// Introduced as a copy of another sentence: that sentence's paragraph.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of_paragraph: Option<usize>,
    /// Reworded: one-for-one swaps the engine found (`said → stated`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub substitutions: Vec<(String, String)>,
    /// Reworded, moved or typography: the sentence as it read before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

/// What happened to a sentence in one revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// First seen.
    Introduced,
    /// Words changed.
    Reworded,
    /// Left its place, unchanged.
    Moved,
    /// Left its place and words changed.
    #[serde(rename = "moved+reworded")]
    MovedReworded,
    /// Only quotes, dashes or spacing changed.
    Typography,
}

impl EventKind {
    /// The kind as output spells it.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Introduced => "introduced",
            EventKind::Reworded => "reworded",
            EventKind::Moved => "moved",
            EventKind::MovedReworded => "moved+reworded",
            EventKind::Typography => "typography",
        }
    }
}

/// A sentence of the current text.
#[derive(Debug, Clone)]
struct Sent {
    /// 1-based paragraph number.
    para: usize,
    /// Tiles the text (owns trailing whitespace): every byte maps to one.
    tile: Span,
    /// Without surrounding whitespace.
    content: Span,
}

/// The lineage of every sentence of the latest text given.
pub struct Blame {
    text: String,
    sents: Vec<Sent>,
    history: Vec<Vec<Event>>,
    steps: usize,
    opts: DiffOptions,
}

/// One sentence of the latest text and its history, oldest event first.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Line<'a> {
    pub paragraph: usize,
    pub text: &'a str,
    pub events: &'a [Event],
}

impl Blame {
    /// Start the chain: every sentence of `first` is introduced at revision 0.
    pub fn new(first: &str, opts: DiffOptions) -> Blame {
        let sents = cut(first);
        let history = (0..sents.len()).map(|_| vec![Event::new(0, EventKind::Introduced)]).collect();
        Blame { text: first.to_string(), sents, history, steps: 0, opts }
    }

    /// Follow every sentence into the next revision's text.
    pub fn step(&mut self, next: &str) {
        if next == self.text {
            self.steps += 1;
            return;
        }
        // The diff borrows the old text while `step_with` replaces it.
        let old = self.text.clone();
        let diff = super::diff(&old, next, &self.opts);
        self.step_with(next, &diff);
    }

    /// [`Blame::step`] with the diff of the latest text against `next`
    /// already computed (with this blame's options), so a caller that
    /// also shows that diff (`export`) runs the engine once per pair.
    pub fn step_with(&mut self, next: &str, diff: &Diff) {
        self.steps += 1;
        let rev = self.steps;
        if next == self.text {
            return;
        }
        let new_sents = cut(next);
        let mut votes = Votes::new(next, &self.sents, &new_sents);
        let moved = votes.cast(diff);
        let history = new_sents
            .iter()
            .enumerate()
            .map(|(j, s)| {
                let source = votes.best(j).or_else(|| fallback(diff, s, &self.sents));
                match source {
                    Some(i) => self.carry(i, s, next, rev, diff, moved.get(&j).copied()),
                    None => vec![introduced(diff, s, rev)],
                }
            })
            .collect();
        self.history = history;
        self.sents = new_sents;
        self.text = next.to_string();
    }

    /// Old sentence `i`'s history, plus what this step did to it.
    fn carry(&self, i: usize, s: &Sent, next: &str, rev: usize, diff: &Diff, moved_from: Option<usize>) -> Vec<Event> {
        let mut events = self.history[i].clone();
        let before = &self.text[self.sents[i].content.clone()];
        let after = &next[s.content.clone()];
        let kind = match (before == after, moved_from.is_some()) {
            (true, false) => return events,
            (true, true) => EventKind::Moved,
            (false, true) => EventKind::MovedReworded,
            (false, false) if fold_equal(before, after) => EventKind::Typography,
            (false, false) => EventKind::Reworded,
        };
        let mut e = Event::new(rev, kind);
        e.from_paragraph = moved_from;
        e.before = Some(before.to_string());
        if kind != EventKind::Moved && kind != EventKind::Typography {
            e.substitutions = substitutions_in(diff, &s.content);
        }
        events.push(e);
        events
    }

    /// Every sentence of the latest text, in reading order.
    pub fn lines(&self) -> impl Iterator<Item = Line<'_>> {
        self.sents.iter().zip(&self.history).map(|(s, h)| Line {
            paragraph: s.para,
            text: &self.text[s.content.clone()],
            events: h,
        })
    }
}

impl Event {
    fn new(revision: usize, kind: EventKind) -> Event {
        Event {
            revision,
            kind,
            from_paragraph: None,
            duplicate_of_paragraph: None,
            substitutions: Vec::new(),
            before: None,
        }
    }
}

/// A sentence with no source: new, or a copy of another new sentence.
fn introduced(diff: &Diff, s: &Sent, rev: usize) -> Event {
    let mut e = Event::new(rev, EventKind::Introduced);
    e.duplicate_of_paragraph = diff
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Duplicated && c.new.as_ref().is_some_and(|n| overlaps(n, &s.content)))
        .find_map(|c| c.duplicate_of.as_ref())
        .and_then(|d| diff.new_paragraphs.iter().position(|p| p.contains(&d.start)))
        .map(|p| p + 1);
    e
}

/// Sentences of `text` in reading order, each with the paragraph it is in.
fn cut(text: &str) -> Vec<Sent> {
    let mut out = Vec::new();
    for (p, block) in paragraphs(text, !has_blank_line(text)).iter().enumerate() {
        if block.content.is_empty() {
            continue;
        }
        for tile in sentences(text, block) {
            let s = &text[tile.clone()];
            let lead = s.len() - s.trim_start().len();
            let content = tile.start + lead..tile.start + s.trim_end().len().max(lead);
            if !content.is_empty() {
                out.push(Sent { para: p + 1, tile, content });
            }
        }
    }
    out
}

/// Bytes each new sentence received from each old sentence.
struct Votes<'s> {
    new_text: &'s str,
    old: &'s [Sent],
    new: &'s [Sent],
    got: Vec<FxHashMap<usize, usize>>,
}

impl<'s> Votes<'s> {
    fn new(new_text: &'s str, old: &'s [Sent], new: &'s [Sent]) -> Votes<'s> {
        Votes { new_text, old, new, got: vec![FxHashMap::default(); new.len()] }
    }

    /// Credit the bytes the diff keeps. Returns the new sentences that got
    /// bytes from a moved unit, with the paragraph the move came from.
    fn cast(&mut self, diff: &Diff) -> FxHashMap<usize, usize> {
        for op in diff.ops.iter().filter(|o| o.op == OpKind::Equal) {
            self.credit(op.new_at..op.new_at + op.text.len(), op.old_at);
        }
        let mut moved = FxHashMap::default();
        for c in diff.changes.iter().filter(|c| c.kind == ChangeKind::Moved) {
            let (Some(o), Some(n)) = (&c.old, &c.new) else { continue };
            for (new_range, old_start) in moved_pieces(c, o, n) {
                self.credit(new_range.clone(), old_start);
                for j in self.touching(self.new, &new_range) {
                    moved.entry(j).or_insert(c.old_paragraph.unwrap_or(0));
                }
            }
        }
        moved
    }

    /// `new_range` of the new text is `old_start..` of the old text. Only
    /// visible bytes count: the blank line a new paragraph shares with its
    /// neighbour is no descent.
    fn credit(&mut self, new_range: Span, old_start: usize) {
        let mut at = new_range.start;
        while at < new_range.end {
            let old_at = old_start + (at - new_range.start);
            let (Some(j), Some(i)) = (tile_at(self.new, at), tile_at(self.old, old_at)) else { return };
            let end = new_range.end.min(self.new[j].tile.end).min(at + (self.old[i].tile.end - old_at));
            let visible = self.new_text.as_bytes()[at..end].iter().filter(|b| !b.is_ascii_whitespace()).count();
            if visible > 0 {
                *self.got[j].entry(i).or_default() += visible;
            }
            at = end.max(at + 1);
        }
    }

    fn touching(&self, sents: &[Sent], r: &Span) -> Vec<usize> {
        (0..sents.len()).filter(|&j| overlaps(&sents[j].content, r)).collect()
    }

    /// The old sentence that gave new sentence `j` the most bytes (the
    /// first on a tie, so the result never depends on hash order).
    fn best(&self, j: usize) -> Option<usize> {
        let mut v: Vec<(usize, usize)> = self.got[j].iter().map(|(&i, &n)| (i, n)).collect();
        v.sort_unstable();
        v.into_iter()
            .fold(None, |best: Option<(usize, usize)>, (i, n)| match best {
                Some((_, m)) if m >= n => best,
                _ => Some((i, n)),
            })
            .map(|(i, _)| i)
    }
}

/// The pieces of a moved unit that it kept: the whole span when it moved
/// unchanged (or only in typography), else the equal runs of its own word
/// diff. Each piece is (range in the new text, its start in the old text).
fn moved_pieces(c: &Change, o: &Span, n: &Span) -> Vec<(Span, usize)> {
    if c.inner_ops.is_empty() {
        let len = n.len().min(o.len());
        return vec![(n.start..n.start + len, o.start)];
    }
    let mut out = Vec::new();
    let mut old_at = o.start;
    for op in &c.inner_ops {
        match op.op {
            OpKind::Equal => {
                out.push((op.at.clone(), old_at));
                old_at += op.at.len();
            }
            OpKind::Delete => old_at = op.at.end,
            OpKind::Insert => {}
        }
    }
    out
}

/// A sentence rewritten so fully that no byte survived still descends from
/// the old unit the engine paired it with.
fn fallback(diff: &Diff, s: &Sent, old: &[Sent]) -> Option<usize> {
    let c = diff.changes.iter().find(|c| {
        matches!(c.kind, ChangeKind::Reworded | ChangeKind::Split | ChangeKind::Merged)
            && c.old.is_some()
            && c.new.as_ref().is_some_and(|n| overlaps(n, &s.content))
    })?;
    let o = c.old.as_ref()?;
    old.iter().position(|x| overlaps(&x.content, o))
}

/// The substitutions of the changes that touch `content`, in order.
fn substitutions_in(diff: &Diff, content: &Span) -> Vec<(String, String)> {
    diff.changes
        .iter()
        .filter(|c| c.new.as_ref().is_some_and(|n| overlaps(n, content)))
        .flat_map(|c| c.substitutions.iter().map(|s| (s.old.to_string(), s.new.to_string())))
        .collect()
}

fn tile_at(sents: &[Sent], at: usize) -> Option<usize> {
    let i = sents.partition_point(|s| s.tile.end <= at);
    (i < sents.len() && sents[i].tile.contains(&at)).then_some(i)
}

fn overlaps(a: &Span, b: &Span) -> bool {
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blame(texts: &[&str]) -> Vec<(String, Vec<(usize, EventKind)>)> {
        let mut b = Blame::new(texts[0], DiffOptions::default());
        texts[1..].iter().for_each(|t| b.step(t));
        b.lines().map(|l| (l.text.to_string(), l.events.iter().map(|e| (e.revision, e.kind)).collect())).collect()
    }

    #[test]
    fn a_sentence_reworded_twice_and_moved_once_keeps_all_three_events() {
        let r0 = "The mayor opened the new bridge on Monday morning.\n\nCrowds lined the river to watch the ceremony.\n\nOfficials said the project ran over budget.\n";
        let r1 = "The mayor opened the new bridge on Monday morning.\n\nCrowds lined the river to watch the ceremony.\n\nOfficials stated the project ran over budget.\n";
        let r2 = "Officials stated the project ran over budget.\n\nThe mayor opened the new bridge on Monday morning.\n\nCrowds lined the river to watch the ceremony.\n";
        let r3 = "Officials stated the project ran far over budget.\n\nThe mayor opened the new bridge on Monday morning.\n\nCrowds lined the river to watch the ceremony.\n";
        let lines = blame(&[r0, r1, r2, r3]);
        assert_eq!(lines[0].0, "Officials stated the project ran far over budget.");
        assert_eq!(
            lines[0].1,
            vec![(0, EventKind::Introduced), (1, EventKind::Reworded), (2, EventKind::Moved), (3, EventKind::Reworded)]
        );
        assert_eq!(lines[1].1, vec![(0, EventKind::Introduced)]);
    }

    #[test]
    fn rewrapping_a_paragraph_changes_no_sentence() {
        let r0 = "One sentence here that is long. Another one follows it closely.\n";
        let r1 = "One sentence here that is long.\nAnother one follows it closely.\n";
        let lines = blame(&[r0, r1]);
        assert!(lines.iter().all(|l| l.1.len() == 1), "{lines:?}");
    }

    #[test]
    fn a_new_sentence_is_introduced_where_it_appears_and_substitutions_are_named() {
        let r0 = "City officials said the plan was sound and would proceed.\n";
        let r1 =
            "City officials stated the plan was sound and would proceed.\n\nRead more on our partner site today.\n";
        let mut b = Blame::new(r0, DiffOptions::default());
        b.step(r1);
        let lines: Vec<Line> = b.lines().collect();
        assert_eq!(lines[0].events[1].substitutions, vec![("said".to_string(), "stated".to_string())]);
        assert_eq!(lines[1].events, &[Event::new(1, EventKind::Introduced)]);
    }

    #[test]
    fn the_same_chain_blames_the_same_way_twice() {
        let r0 = "A b c d e. F g h i j.\n\nK l m n o.\n";
        let r1 = "K l m n o.\n\nA b c d e. F g h i x.\n";
        assert_eq!(blame(&[r0, r1]), blame(&[r0, r1]));
    }
}
