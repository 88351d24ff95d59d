//! Semantic labels and the one place they map to colours.

use super::ColorMode;
use colored::Colorize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Removed,
    Added,
    Moved,
    Duplicated,
    Formatting,
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
            Label::Moved => "moved",
            Label::Duplicated => "duplicated",
            Label::Formatting => "formatting",
            Label::Header => "header",
            Label::Meta => "meta",
            Label::Summary => "summary",
            Label::Collapsed => "collapsed",
        }
    }
}

/// Style `text` (already sanitised) for `label` in `mode`.
pub fn paint(mode: ColorMode, label: Label, text: &str) -> String {
    match mode {
        ColorMode::Plain => match label {
            Label::Removed => format!("[-{text}-]"),
            Label::Added => format!("{{+{text}+}}"),
            _ => text.to_string(),
        },
        ColorMode::Debug => format!("<{}>{}</{}>", label.name(), text, label.name()),
        ColorMode::Ansi => {
            let s = match label {
                Label::Removed => text.red().strikethrough(),
                Label::Added => text.green().underline(),
                Label::Moved => text.cyan(),
                Label::Duplicated => text.magenta(),
                Label::Formatting => text.dimmed(),
                Label::Header => text.bold(),
                Label::Meta => text.yellow(),
                Label::Summary => text.bold(),
                Label::Collapsed => text.dimmed(),
            };
            s.to_string()
        }
    }
}
