//! Renderers: turn a [`Diff`] into terminal text, JSON, CriticMarkup or HTML.
//!
//! Every renderer writes to an `io::Write`; colours come from semantic
//! [`style::Label`]s mapped in one place, so `--color debug` can print the
//! labels themselves.

use crate::core::Diff;
use serde::Serialize;
use std::io::{self, Write};

pub mod atom;
pub mod blame;
pub mod blocks;
pub mod critic;
pub mod html;
pub mod json;
pub mod notes;
pub mod sanitize;
pub mod segments;
pub mod side_by_side;
pub mod site;
pub mod style;
pub mod summary;
pub mod terminal;
pub mod wrap;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Inline,
    SideBySide,
    /// The summary alone.
    Stat,
}

/// One side of a comparison, as shown in headers and the JSON `old`/`new`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Side {
    pub label: String,
    pub bytes: usize,
    pub words: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub format: Format,
    pub layout: Layout,
    /// Unchanged paragraphs kept around each change.
    pub context: usize,
    /// Total width for side-by-side output.
    pub width: usize,
    pub color: ColorMode,
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
        Format::Terminal => terminal::write(w, diff, old, new, o),
        Format::Critic => critic::write(w, diff, old, new, o),
        Format::Html => html::write(w, diff, old, new, o, &html::Page::default()),
    }
}
