//! The diff result: computed once by [`crate::core::diff`], rendered by any
//! display mode. Serialisation here *is* the `redline.diff/1` JSON contract
//! (minus the `schema`/`old`/`new` header the renderer adds), so field names
//! may be added but never renamed.

use serde::{Serialize, Serializer};
use std::ops::Range;

/// A byte range into one of the two input texts.
pub type Span = Range<usize>;

fn ser_opt_span<S: Serializer>(s: &Option<Span>, ser: S) -> Result<S::Ok, S::Error> {
    s.as_ref().map(|s| [s.start, s.end]).serialize(ser)
}

/// What an [`Op`] does to the old text to make the new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpKind {
    /// Text in both (kept).
    Equal,
    /// Text only in the old text (removed).
    Delete,
    /// Text only in the new text (added).
    Insert,
}

/// One piece of the lossless edit script. Equal+Delete texts concatenate to
/// the old input, Equal+Insert texts to the new input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Op<'a> {
    /// Kept, removed or added.
    pub op: OpKind,
    /// The text itself: a slice of the input it comes from.
    pub text: &'a str,
    /// Shared by the delete and the insert of one moved unit.
    #[serde(rename = "move", skip_serializing_if = "Option::is_none")]
    pub move_id: Option<u32>,
    /// The delete/insert pair differs only in typography (quotes, dashes,
    /// whitespace, normalization form); not counted in stats unless strict.
    #[serde(skip_serializing_if = "is_false")]
    pub formatting: bool,
    /// Index into [`Diff::changes`] of the change this op belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<usize>,
    /// Byte offset of this op's start in the old text (for deletes and
    /// equals: where `text` sits; for inserts: the insertion point).
    #[serde(skip)]
    pub old_at: usize,
    /// Byte offset of this op's start in the new text.
    #[serde(skip)]
    pub new_at: usize,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The editorial name of a [`Change`]: what a reader would call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// A unit only in the new text.
    Added,
    /// A unit only in the old text.
    Removed,
    /// A unit in place whose words changed.
    Reworded,
    /// A unit that crossed a fixed unit (it may also be edited).
    Moved,
    /// A unit the new text repeats (say, a headline pasted twice).
    Duplicated,
    /// One old paragraph became several (its units kept their order).
    Split,
    /// Several old paragraphs became one.
    Merged,
}

impl ChangeKind {
    /// The kind's name as the JSON contract spells it.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Reworded => "reworded",
            ChangeKind::Moved => "moved",
            ChangeKind::Duplicated => "duplicated",
            ChangeKind::Split => "split",
            ChangeKind::Merged => "merged",
        }
    }
}

/// What a [`Change`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A sentence within a line (the smallest thing aligned).
    Sentence,
    /// A whole paragraph (blank-line separated).
    Paragraph,
}

/// A one-for-one word or phrase swap inside a paired unit (met → fulfilled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Substitution<'a> {
    /// The old word or phrase.
    pub old: &'a str,
    /// The word or phrase that replaced it.
    pub new: &'a str,
}

/// A classified editorial change to one sentence or paragraph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change<'a> {
    /// What happened to the unit.
    pub kind: ChangeKind,
    /// Sentence or paragraph.
    pub unit: Unit,
    /// Where the unit is in the old text (none when added).
    #[serde(serialize_with = "ser_opt_span")]
    pub old: Option<Span>,
    /// Where the unit is in the new text (none when removed).
    #[serde(serialize_with = "ser_opt_span")]
    pub new: Option<Span>,
    /// The unit's old text (none when added).
    pub old_text: Option<&'a str>,
    /// The unit's new text (none when removed).
    pub new_text: Option<&'a str>,
    /// One-for-one swaps inside the unit, in order.
    pub substitutions: Vec<Substitution<'a>>,
    /// Duplicated only: the range of the new text this unit repeats.
    #[serde(serialize_with = "ser_opt_span", skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<Span>,
    /// 1-based paragraph number (¶) in the old text, where there is one.
    pub old_paragraph: Option<usize>,
    /// 1-based paragraph number (¶) in the new text, where there is one.
    pub new_paragraph: Option<usize>,
    /// Moved only: the id shared with the ops of this move.
    #[serde(rename = "move", skip_serializing_if = "Option::is_none")]
    pub move_id: Option<u32>,
    /// Words inserted / deleted inside this unit (reworded and moved units),
    /// besides the substitutions.
    pub words_added: usize,
    /// Words deleted inside this unit, besides the substitutions.
    pub words_removed: usize,
    /// The unit's only differences are typographic.
    #[serde(skip_serializing_if = "is_false")]
    pub formatting_only: bool,
    /// Words edited inside quotation marks (a softened or sharpened quote).
    #[serde(skip_serializing_if = "is_false")]
    pub quote_changed: bool,
    /// Figures that changed: amounts, counts, dates, percentages.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub number_changed: Vec<NumberChange<'a>>,
    /// Moved and duplicated units that were also edited: their word diff,
    /// computed here once so no display re-runs the engine.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inner_ops: Vec<InnerOp<'a>>,
    /// Moved within its own paragraph: by how many units (negative: up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shift: Option<i64>,
    /// Reworded across a moved sentence boundary: how many sentences the
    /// change spans in the old text and in the new one (`[2, 1]`: two
    /// sentences joined into one, as when a period becomes a comma;
    /// `[1, 2]`: one split in two). Absent for one sentence on each side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sentences: Option<[usize; 2]>,
    /// Split and merged: the 1-based paragraph ranges, first and last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_paragraphs: Option<[usize; 2]>,
    /// Split and merged: the new text's 1-based paragraph range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_paragraphs: Option<[usize; 2]>,
}

impl<'a> Change<'a> {
    /// A change of `kind` to a `unit`, with nothing else known yet.
    pub fn new(kind: ChangeKind, unit: Unit) -> Change<'a> {
        Change {
            kind,
            unit,
            old: None,
            new: None,
            old_text: None,
            new_text: None,
            substitutions: Vec::new(),
            duplicate_of: None,
            old_paragraph: None,
            new_paragraph: None,
            move_id: None,
            words_added: 0,
            words_removed: 0,
            formatting_only: false,
            quote_changed: false,
            number_changed: Vec::new(),
            inner_ops: Vec::new(),
            shift: None,
            sentences: None,
            old_paragraphs: None,
            new_paragraphs: None,
        }
    }
}

/// A figure that changed inside a unit (`$2` → `$2.4`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NumberChange<'a> {
    /// The figure as it was.
    pub old: &'a str,
    /// The figure as it is now.
    pub new: &'a str,
}

/// One piece of a moved or duplicated unit's own word diff. Deletes index
/// the old text (for a duplicate: the new text's earlier copy), inserts and
/// equals the new text; concatenated, equal+insert texts spell the unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InnerOp<'a> {
    /// Kept, removed or added.
    pub op: OpKind,
    /// The text itself.
    pub text: &'a str,
    /// Where `text` sits (see above for which text).
    #[serde(serialize_with = "ser_span")]
    pub at: Span,
}

fn ser_span<S: Serializer>(s: &Span, ser: S) -> Result<S::Ok, S::Error> {
    [s.start, s.end].serialize(ser)
}

/// How many changes of each [`ChangeKind`] a diff holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct KindCounts {
    /// Units added.
    pub added: usize,
    /// Units removed.
    pub removed: usize,
    /// Units reworded in place.
    pub reworded: usize,
    /// Units moved.
    pub moved: usize,
    /// Units duplicated.
    pub duplicated: usize,
    /// Paragraphs split.
    pub split: usize,
    /// Paragraph runs merged.
    pub merged: usize,
}

impl KindCounts {
    /// The count for kind `k`.
    pub fn get(&self, k: ChangeKind) -> usize {
        match k {
            ChangeKind::Added => self.added,
            ChangeKind::Removed => self.removed,
            ChangeKind::Reworded => self.reworded,
            ChangeKind::Moved => self.moved,
            ChangeKind::Duplicated => self.duplicated,
            ChangeKind::Split => self.split,
            ChangeKind::Merged => self.merged,
        }
    }

    /// The counter for kind `k`.
    pub fn get_mut(&mut self, k: ChangeKind) -> &mut usize {
        match k {
            ChangeKind::Added => &mut self.added,
            ChangeKind::Removed => &mut self.removed,
            ChangeKind::Reworded => &mut self.reworded,
            ChangeKind::Moved => &mut self.moved,
            ChangeKind::Duplicated => &mut self.duplicated,
            ChangeKind::Split => &mut self.split,
            ChangeKind::Merged => &mut self.merged,
        }
    }
}

/// Word and change counts of a whole diff: what the summary line shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Words only in the new text (typography-only swaps count only when strict).
    pub words_added: usize,
    /// Words only in the old text (typography-only swaps count only when strict).
    pub words_removed: usize,
    /// Words in both.
    pub words_unchanged: usize,
    /// Share of words kept, 2·unchanged / (old words + new words); 1.0 for
    /// identical (or formatting-only, unless strict) texts.
    pub similarity: f64,
    /// Changes by kind.
    pub kinds: KindCounts,
    /// Delete/insert pairs that only changed typography.
    pub formatting_changes: usize,
    /// Changes whose edited words sit inside quotation marks.
    pub quotes_changed: usize,
    /// Figures changed, over all changes.
    pub numbers_changed: usize,
}

/// An article-wide substitution count: the basis for spotting spun copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubstitutionCount<'a> {
    /// The old word or phrase.
    pub old: &'a str,
    /// The word or phrase that replaced it.
    pub new: &'a str,
    /// How many times the swap was made.
    pub count: usize,
}

/// Counts describing one text on its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TextStats {
    /// Length in bytes.
    pub bytes: usize,
    /// Words, as the diff counts them.
    pub words: usize,
    /// Sentences (units).
    pub sentences: usize,
    /// Paragraphs.
    pub paragraphs: usize,
}

/// The whole result of comparing two texts.
#[derive(Debug, Clone, Serialize)]
pub struct Diff<'a> {
    /// The texts differ in typography only.
    pub formatting_only: bool,
    /// The counts the summary shows.
    pub stats: Stats,
    /// The lossless edit script, in text order.
    pub ops: Vec<Op<'a>>,
    /// Every classified change.
    pub changes: Vec<Change<'a>>,
    /// Article-wide swap counts (the basis for spotting spun copies).
    pub substitutions: Vec<SubstitutionCount<'a>>,
    /// True when the work budget cut refinement short: the ops are still
    /// lossless but coarser (whole units instead of words). Always the same
    /// for the same inputs and budget: the budget counts work, not time.
    #[serde(skip_serializing_if = "is_false")]
    pub coarse: bool,
    /// The old input, which every old span indexes.
    #[serde(skip)]
    pub old_text: &'a str,
    /// The new input, which every new span indexes.
    #[serde(skip)]
    pub new_text: &'a str,
    /// Paragraph spans of each text (tiling it: separators belong to the
    /// paragraph before them), for ¶ numbers and context collapsing.
    #[serde(skip)]
    pub old_paragraphs: Vec<Span>,
    /// Paragraph spans of the new text (as `old_paragraphs`).
    #[serde(skip)]
    pub new_paragraphs: Vec<Span>,
}

impl<'a> Diff<'a> {
    /// Nothing was removed or added: every op is equal.
    pub fn is_identical(&self) -> bool {
        self.ops.iter().all(|o| o.op == OpKind::Equal)
    }

    /// The old text as the ops spell it (equal + delete). The lossless
    /// contract is that this is byte for byte the old input.
    pub fn rebuild_old(&self) -> String {
        self.ops.iter().filter(|o| o.op != OpKind::Insert).map(|o| o.text).collect()
    }

    /// The new text as the ops spell it (equal + insert).
    pub fn rebuild_new(&self) -> String {
        self.ops.iter().filter(|o| o.op != OpKind::Delete).map(|o| o.text).collect()
    }
}

/// Tuning for [`crate::core::diff`].
#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// Count typography-only changes (quotes, dashes, whitespace, Unicode
    /// normalisation) as word changes.
    pub strict: bool,
    /// Work budget for pairing and word diffs, in comparisons (token cells
    /// and word-bag entries). Past it the diff is still lossless but coarser,
    /// and `coarse` is set. Counting work instead of time makes the result
    /// the same on every machine and under any load.
    pub budget: u64,
}

/// The default work budget: a whole-book diff of real edits uses under a
/// hundredth of it; two unrelated megabyte texts stay under a second.
pub const DEFAULT_BUDGET: u64 = 400_000_000;

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions { strict: false, budget: DEFAULT_BUDGET }
    }
}
