//! Renderers: turn a [`Diff`] into terminal text, JSON, CriticMarkup or HTML.
//!
//! Every renderer writes to an `io::Write`; colours come from semantic
//! [`style::Label`]s mapped in one place, so `--color debug` can print the
//! labels themselves.

use crate::core::Diff;
use serde::Serialize;
use std::io::{self, Write};

pub(crate) mod archive;
pub(crate) mod atom;
pub(crate) mod blame;
pub(crate) mod blocks;
pub(crate) mod critic;
pub(crate) mod html;
pub(crate) mod json;
pub(crate) mod notes;
pub(crate) mod page;
pub(crate) mod sanitize;
pub(crate) mod segments;
pub(crate) mod side_by_side;
pub(crate) mod site;
pub(crate) mod style;
pub(crate) mod summary;
pub(crate) mod terminal;
pub(crate) mod wrap;

#[cfg(test)]
pub(crate) mod testutil;

/// How styled text is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    /// No escape codes: wdiff-style markers `[-old-]{+new+}` carry the diff.
    Plain,
    /// ANSI colours plus strikethrough/underline (readable without colour
    /// vision).
    Ansi,
    /// `<label>text</label>` tags instead of escape codes, for tests.
    Debug,
}

/// The output format (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Coloured (or marked-up) text for people.
    Terminal,
    /// The `redline.diff/1` contract.
    Json,
    /// CriticMarkup for Markdown editors.
    Critic,
    /// One self-contained HTML page.
    Html,
}

/// How the diff is laid out on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One column: removed and added words side by side in the text.
    Inline,
    /// Two columns, old on the left, new on the right.
    SideBySide,
    /// The summary alone.
    Stat,
}

/// One side of a comparison, as shown in headers and the JSON `old`/`new`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Side {
    /// The side's name as shown (`NAME@REV` or a file path).
    pub label: String,
    /// Length of its text in bytes.
    pub bytes: usize,
    /// Words in its text.
    pub words: usize,
    /// Its revision number, for stored articles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<u32>,
    /// Its commit id, for stored articles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// When it was observed (RFC 3339), for stored articles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<String>,
    /// Its title, for stored articles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// What to render and how: set from the command line.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Terminal, JSON, CriticMarkup or HTML.
    pub format: Format,
    /// Inline, side by side, or the summary alone.
    pub layout: Layout,
    /// Unchanged paragraphs kept around each change.
    pub context: usize,
    /// Total width for side-by-side output.
    pub width: usize,
    /// Escape codes, plain markers or debug labels.
    pub color: ColorMode,
    /// Count typography-only changes as word changes (`--strict`).
    pub strict: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            format: Format::Terminal,
            layout: Layout::Inline,
            context: 1,
            width: 100,
            color: ColorMode::Plain,
            strict: false,
        }
    }
}

/// Render `diff` in the format and layout asked for.
pub fn render(w: &mut dyn Write, diff: &Diff, old: &Side, new: &Side, o: &RenderOptions) -> io::Result<()> {
    match o.format {
        Format::Json => json::write(w, diff, old, new),
        Format::Terminal if o.layout == Layout::SideBySide => side_by_side::write(w, diff, old, new, o),
        Format::Terminal => terminal::write(w, diff, old, new, o),
        Format::Critic => critic::write(w, diff, old, new, o),
        Format::Html => html::write(w, diff, old, new, o, &page::Page::default()),
    }
}
