//! Word wrapping of styled runs into fixed-width columns.
//!
//! Width is measured in terminal columns with `unicode-width` (CJK and
//! other wide characters take two, combining marks none), and includes the
//! `[-…-]`/`{+…+}` markers plain mode adds around each run, so columns line
//! up in every colour mode. Debug tags are not counted: a debug snapshot
//! shows the same line breaks a coloured terminal gets.

use super::segments::Styled;
use super::style::{marker_width, Label};
use super::ColorMode;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns a tab takes in a column layout.
const TAB: &str = "    ";

/// Display width of `s` in terminal columns.
pub fn width(s: &str) -> usize {
    s.width()
}

/// One output line: runs that each get one style.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    pub runs: Vec<(Option<Label>, String)>,
}

impl Line {
    /// Columns this line takes in `mode` (text plus plain-mode markers).
    pub fn width(&self, mode: ColorMode) -> usize {
        self.runs.iter().map(|(l, t)| width(t) + l.map_or(0, |l| marker_width(mode, l))).sum()
    }

    fn push(&mut self, label: Option<Label>, text: &str) {
        match self.runs.last_mut() {
            Some((l, t)) if *l == label => t.push_str(text),
            _ => self.runs.push((label, text.to_string())),
        }
    }

    /// Columns `text` would add after the current runs (a new run pays
    /// for its markers).
    fn cost(&self, mode: ColorMode, label: Option<Label>, text: &str) -> usize {
        let new_run = self.runs.last().is_none_or(|(l, _)| *l != label);
        width(text) + if new_run { label.map_or(0, |l| marker_width(mode, l)) } else { 0 }
    }

    fn trim_end(&mut self) {
        while let Some((_, t)) = self.runs.last_mut() {
            let n = t.trim_end().len();
            t.truncate(n);
            if !t.is_empty() {
                break;
            }
            self.runs.pop();
        }
    }

    fn is_blank(&self) -> bool {
        self.runs.iter().all(|(_, t)| t.trim().is_empty())
    }
}

/// Pieces of text to lay out: words, spaces, and hard line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Atom<'s> {
    Word(&'s str),
    Space(&'s str),
    Break,
}

fn atoms(s: &str) -> impl Iterator<Item = Atom<'_>> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let c = rest.chars().next()?;
        let (atom, n) = if c == '\n' {
            (Atom::Break, 1)
        } else if c.is_whitespace() {
            let n = rest.find(|c: char| c == '\n' || !c.is_whitespace()).unwrap_or(rest.len());
            (Atom::Space(&rest[..n]), n)
        } else {
            let n = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (Atom::Word(&rest[..n]), n)
        };
        rest = &rest[n..];
        Some(atom)
    })
}

/// Wrap `runs` into lines of at most `cols` columns (at least 4). Words
/// longer than a line are broken between characters. Spaces at a soft
/// break are dropped; hard line breaks are kept, blank lines included.
pub fn wrap(runs: &[Styled], cols: usize, mode: ColorMode) -> Vec<Line> {
    let cols = cols.max(4);
    let mut w = Wrapper { cols, mode, lines: Vec::new(), cur: Line::default(), soft: false };
    for run in runs {
        // An annotation (`⟨moved from ¶4⟩`) never breaks inside.
        if matches!(run.label, Some(Label::Moved | Label::Duplicated)) && !run.text.contains('\n') {
            w.word(run.label, &run.text);
            continue;
        }
        for atom in atoms(&run.text) {
            match atom {
                Atom::Break => w.hard_break(),
                Atom::Space(s) => w.space(run.label, s),
                Atom::Word(s) => w.word(run.label, s),
            }
        }
    }
    if !w.cur.runs.is_empty() {
        w.cur.trim_end();
        w.lines.push(w.cur);
    }
    w.lines
}

struct Wrapper {
    cols: usize,
    mode: ColorMode,
    lines: Vec<Line>,
    cur: Line,
    /// The current line began at a soft break (leading spaces dropped).
    soft: bool,
}

impl Wrapper {
    fn hard_break(&mut self) {
        let mut l = std::mem::take(&mut self.cur);
        l.trim_end();
        self.lines.push(l);
        self.soft = false;
    }

    fn soft_break(&mut self) {
        let mut l = std::mem::take(&mut self.cur);
        l.trim_end();
        self.lines.push(l);
        self.soft = true;
    }

    fn used(&self) -> usize {
        self.cur.width(self.mode)
    }

    fn space(&mut self, label: Option<Label>, s: &str) {
        if self.soft && self.cur.is_blank() {
            return;
        }
        let s = s.replace('\t', TAB);
        if self.used() + self.cur.cost(self.mode, label, &s) <= self.cols {
            self.cur.push(label, &s);
        } else {
            self.soft_break();
        }
    }

    fn word(&mut self, label: Option<Label>, s: &str) {
        if self.used() + self.cur.cost(self.mode, label, s) <= self.cols {
            self.cur.push(label, s);
            return;
        }
        if !self.cur.is_blank() {
            self.soft_break();
            if self.cur.cost(self.mode, label, s) <= self.cols {
                self.cur.push(label, s);
                return;
            }
        }
        // Longer than a whole line: break between characters, measuring
        // as we go (a megabyte of base64 must not be quadratic).
        let marker = label.map_or(0, |l| marker_width(self.mode, l));
        let mut chunk = String::new();
        let mut chunk_w = 0;
        for c in s.chars() {
            let cw = char_width(c);
            let new_run = self.cur.runs.last().is_none_or(|(l, _)| *l != label);
            let extra = if new_run { marker } else { 0 };
            if !chunk.is_empty() && self.used() + extra + chunk_w + cw > self.cols {
                self.cur.push(label, &chunk);
                self.soft_break();
                chunk.clear();
                chunk_w = 0;
            }
            chunk.push(c);
            chunk_w += cw;
        }
        self.cur.push(label, &chunk);
    }
}

/// `s` padded with spaces to `cols` columns (no-op when already wider).
pub fn pad(s: &str, used: usize, cols: usize) -> String {
    let mut out = String::with_capacity(s.len() + cols.saturating_sub(used));
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(used)));
    out
}

/// Width of one character (0 for controls, which are sanitised earlier).
pub fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.runs.iter().map(|(_, t)| t.as_str()).collect()).collect()
    }

    fn s(label: Option<Label>, t: &str) -> Styled<'static> {
        Styled::owned(label, t.to_string())
    }

    #[test]
    fn wraps_at_spaces_and_keeps_hard_breaks() {
        let l = wrap(&[s(None, "the quick brown fox jumps\n\nover")], 10, ColorMode::Debug);
        assert_eq!(plain(&l), ["the quick", "brown fox", "jumps", "", "over"]);
        assert!(l.iter().all(|l| l.width(ColorMode::Debug) <= 10));
    }

    #[test]
    fn long_words_break_between_characters() {
        let l = wrap(&[s(None, "abcdefghij xy")], 4, ColorMode::Debug);
        assert_eq!(plain(&l), ["abcd", "efgh", "ij", "xy"]);
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(width("日本語"), 6);
        assert_eq!(width("e\u{301}"), 1);
        let l = wrap(&[s(None, "日本語のテキスト")], 5, ColorMode::Debug);
        assert_eq!(plain(&l), ["日本", "語の", "テキ", "スト"]);
        assert!(l.iter().all(|l| l.width(ColorMode::Debug) <= 5));
    }

    #[test]
    fn plain_markers_count_toward_width() {
        let runs = [s(None, "aa "), s(Some(Label::Removed), "bb"), s(Some(Label::Added), "cc")];
        let l = wrap(&runs, 9, ColorMode::Plain);
        // "aa [-bb-]" is 9 columns; "{+cc+}" goes to the next line.
        assert_eq!(plain(&l), ["aa bb", "cc"]);
        assert_eq!(l[0].width(ColorMode::Plain), 9);
        let l = wrap(&runs, 9, ColorMode::Ansi);
        assert_eq!(plain(&l), ["aa bbcc"]);
    }

    #[test]
    fn tabs_expand_and_runs_merge() {
        let l = wrap(&[s(Some(Label::Added), "a\tb"), s(Some(Label::Added), " c")], 40, ColorMode::Debug);
        assert_eq!(l[0].runs, [(Some(Label::Added), "a    b c".to_string())]);
    }

    #[test]
    fn a_huge_unbroken_word_wraps_in_linear_time() {
        let blob = "A".repeat(400_000);
        let t = std::time::Instant::now();
        let l = wrap(&[s(Some(Label::Added), &blob)], 50, ColorMode::Plain);
        assert_eq!(l.len(), 400_000 / 46 + 1);
        assert!(l.iter().all(|l| l.width(ColorMode::Plain) <= 50));
        assert!(t.elapsed() < std::time::Duration::from_secs(5), "{:?}", t.elapsed());
    }

    #[test]
    fn annotations_wrap_as_one_unit() {
        let runs = [s(None, "the spring."), s(None, " "), s(Some(Label::Moved), "⟨moved from ¶4⟩"), s(None, " He")];
        let l = wrap(&runs, 20, ColorMode::Debug);
        assert_eq!(plain(&l), ["the spring.", "⟨moved from ¶4⟩ He"]);
    }

    #[test]
    fn pad_fills_to_width() {
        assert_eq!(pad("日本", 4, 6), "日本  ");
        assert_eq!(pad("toolong", 7, 3), "toolong");
        assert_eq!(char_width('語'), 2);
    }
}
