//! Semantic labels and the one place they map to colours.
//!
//! ANSI styles come from `colored`. That crate would otherwise decide on its
//! own (global state, a stdout tty check) whether to colour, which silently
//! drops colour for `--color always | less -R`; the caller has already chosen
//! the [`ColorMode`], so [`paint`] forces colour on whenever it is asked for
//! ANSI output.

use super::ColorMode;
use colored::{ColoredString, Colorize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// Words removed.
    Removed,
    /// Words added.
    Added,
    /// Old side of a typography-only swap (quotes, dashes, spacing).
    FormattingRemoved,
    /// New side of a typography-only swap.
    FormattingAdded,
    /// Text of a moved unit at its old position.
    MovedRemoved,
    /// Text of a moved unit at its new position.
    MovedAdded,
    /// A move annotation (`⟨moved from ¶3⟩`).
    Moved,
    /// A duplicate annotation (`⟨duplicate of ¶1⟩`).
    Duplicated,
    Header,
    Meta,
    Summary,
    Collapsed,
}

impl Label {
    pub fn name(self) -> &'static str {
        match self {
            Label::Removed => "removed",
            Label::Added => "added",
            Label::FormattingRemoved => "formatting-removed",
            Label::FormattingAdded => "formatting-added",
            Label::MovedRemoved => "moved-removed",
            Label::MovedAdded => "moved-added",
            Label::Moved => "moved",
            Label::Duplicated => "duplicated",
            Label::Header => "header",
            Label::Meta => "meta",
            Label::Summary => "summary",
            Label::Collapsed => "collapsed",
        }
    }

    /// Marks text of the old side (plain mode wraps it in `[-…-]`, moved
    /// text in `[>…<]`).
    pub fn is_old(self) -> bool {
        matches!(self, Label::Removed | Label::FormattingRemoved | Label::MovedRemoved)
    }

    /// Marks text of the new side (plain mode wraps it in `{+…+}`, moved
    /// text in `{>…<}`).
    pub fn is_new(self) -> bool {
        matches!(self, Label::Added | Label::FormattingAdded | Label::MovedAdded)
    }

    /// The ANSI style. Changes carry strikethrough/underline as well as
    /// colour so they read without colour vision.
    fn style(self, text: &str) -> ColoredString {
        match self {
            Label::Removed => text.red().strikethrough(),
            Label::Added => text.green().underline(),
            Label::FormattingRemoved => text.dimmed().strikethrough(),
            Label::FormattingAdded => text.dimmed().underline(),
            Label::MovedRemoved => text.cyan().strikethrough(),
            Label::MovedAdded => text.cyan().underline(),
            Label::Moved => text.cyan().bold(),
            Label::Duplicated => text.magenta().bold(),
            Label::Header => text.bold(),
            Label::Meta => text.yellow(),
            Label::Summary => text.bold(),
            Label::Collapsed => text.dimmed(),
        }
    }
}

/// Extra columns plain mode adds around a run with this label.
pub fn marker_width(mode: ColorMode, label: Label) -> usize {
    if mode == ColorMode::Plain && (label.is_old() || label.is_new()) {
        4
    } else {
        0
    }
}

/// Style `text` (already sanitised, no newlines) for `label` in `mode`.
pub fn paint(mode: ColorMode, label: Label, text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    match mode {
        // Moved text keeps its own markers, so a word added inside a
        // moved sentence (`{+…+}`) reads apart from the sentence itself.
        ColorMode::Plain if label == Label::MovedRemoved => format!("[>{text}<]"),
        ColorMode::Plain if label == Label::MovedAdded => format!("{{>{text}<}}"),
        ColorMode::Plain if label.is_old() => format!("[-{text}-]"),
        ColorMode::Plain if label.is_new() => format!("{{+{text}+}}"),
        ColorMode::Plain => text.to_string(),
        ColorMode::Debug => format!("<{}>{}</{}>", label.name(), text, label.name()),
        ColorMode::Ansi => {
            colored::control::set_override(true);
            label.style(text).to_string()
        }
    }
}

/// Like [`paint`], but each line styled on its own so no style or marker
/// spans a line break (pagers and `grep` see whole runs per line).
pub fn paint_lines(mode: ColorMode, label: Label, text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&paint(mode, label, line));
    }
    out
}

/// Paint an optional label (`None` is unstyled text).
pub fn paint_opt(mode: ColorMode, label: Option<Label>, text: &str) -> String {
    match label {
        Some(l) => paint_lines(mode, l, text),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_markers_only_on_changes() {
        assert_eq!(paint(ColorMode::Plain, Label::Removed, "a"), "[-a-]");
        assert_eq!(paint(ColorMode::Plain, Label::FormattingAdded, "“"), "{+“+}");
        assert_eq!(paint(ColorMode::Plain, Label::Moved, "⟨m⟩"), "⟨m⟩");
        assert_eq!(paint(ColorMode::Plain, Label::MovedAdded, "a"), "{>a<}");
        assert_eq!(paint(ColorMode::Plain, Label::MovedRemoved, "a"), "[>a<]");
        assert_eq!(paint(ColorMode::Plain, Label::Added, ""), "");
    }

    #[test]
    fn lines_are_painted_separately() {
        assert_eq!(paint_lines(ColorMode::Debug, Label::Added, "a\n\nb"), "<added>a</added>\n\n<added>b</added>");
        // Red and struck through (colored writes the SGR codes as 9;31).
        assert_eq!(paint_lines(ColorMode::Ansi, Label::Removed, "x\n"), "\x1b[9;31mx\x1b[0m\n");
    }
}
