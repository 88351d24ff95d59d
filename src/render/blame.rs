//! `redline blame` output: a sentence's history above the sentence (text),
//! one tab-separated line per sentence (porcelain), or JSON.
//!
//! Revisions are numbered here: the core counts texts from 0, the store
//! from 1; a blame always starts at revision 1, so number = index + 1.

use super::sanitize::{close_bidi, is_line_break, json_strict, visible_line};
use super::style::{paint, Label};
use super::ColorMode;
use crate::core::blame::{Event, EventKind, Line};
use serde::Serialize;
use std::io::{self, Write};

/// Identity of one stored revision, for JSON.
#[derive(Debug, Clone, Serialize)]
pub struct RevisionInfo {
    pub revision: usize,
    pub id: String,
    pub observed_at: String,
}

/// `r1 introduced · r3 reworded: said → stated · r5 moved from ¶4`
pub fn history(events: &[Event]) -> String {
    events.iter().map(|e| event_text(e, &|s| s.into())).collect::<Vec<_>>().join(" \u{b7} ")
}

/// [`history`] as a hover note on an HTML page: a line break inside a
/// substitution reads as a space (as the terminal shows it), and a bidi
/// control a substitution leaves open is closed at its end, so it cannot
/// reorder the rest of the note (the escaping that follows only closes
/// what the whole note leaves open).
pub fn note(events: &[Event]) -> String {
    let piece = |s: &str| -> String {
        let flat = s.replace(is_line_break, " ");
        close_bidi(&flat).into_owned()
    };
    events.iter().map(|e| event_text(e, &piece)).collect::<Vec<_>>().join(" \u{b7} ")
}

fn event_text(e: &Event, piece: &dyn Fn(&str) -> String) -> String {
    let mut s = format!("r{} {}", e.revision + 1, e.kind.name());
    if let Some(p) = e.from_paragraph.filter(|&p| p > 0) {
        s.push_str(&format!(" from \u{b6}{p}"));
    }
    if let Some(p) = e.duplicate_of_paragraph {
        s.push_str(&format!(" (copy of \u{b6}{p})"));
    }
    if !e.substitutions.is_empty() {
        let subs: Vec<String> =
            e.substitutions.iter().map(|(o, n)| format!("{} \u{2192} {}", piece(o), piece(n))).collect();
        s.push_str(": ");
        s.push_str(&subs.join(", "));
    }
    s
}

/// The reading form: per paragraph a `¶N` header, per sentence its history
/// then the sentence, indented.
pub fn text(out: &mut dyn Write, lines: &[Line], mode: ColorMode) -> io::Result<()> {
    let mut para = 0;
    for l in lines {
        if l.paragraph != para {
            if para != 0 {
                writeln!(out)?;
            }
            para = l.paragraph;
            writeln!(out, "{}", paint(mode, Label::Header, &format!("\u{b6}{para}")))?;
        }
        let label = if l.events.len() > 1 { Label::Moved } else { Label::Meta };
        writeln!(out, "  {}", paint(mode, label, &visible_line(&history(l.events))))?;
        writeln!(out, "      {}", visible_line(&l.text.replace(['\n', '\r'], " ")))?;
    }
    Ok(())
}

/// The porcelain form, for scripts: one line per sentence,
/// `paragraph TAB introduced TAB last-changed TAB events TAB text`, where
/// events are `REV:KIND` joined by commas. Stable: fields are only added
/// at the end.
pub fn porcelain(out: &mut dyn Write, lines: &[Line]) -> io::Result<()> {
    for l in lines {
        let events: Vec<String> = l.events.iter().map(|e| format!("{}:{}", e.revision + 1, e.kind.name())).collect();
        let text = l.text.replace(['\n', '\r', '\t'], " ");
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}",
            l.paragraph,
            introduced(l.events) + 1,
            last_changed(l.events) + 1,
            events.join(","),
            visible_line(&text)
        )?;
    }
    Ok(())
}

/// The JSON form (`redline.blame/1`).
pub fn json(out: &mut dyn Write, article: &str, revs: &[RevisionInfo], lines: &[Line]) -> io::Result<()> {
    #[derive(Serialize)]
    struct Doc<'a> {
        schema: &'static str,
        article: &'a str,
        revision: Option<&'a RevisionInfo>,
        sentences: Vec<Sentence<'a>>,
    }
    #[derive(Serialize)]
    struct Sentence<'a> {
        paragraph: usize,
        text: &'a str,
        introduced: &'a RevisionInfo,
        last_changed: &'a RevisionInfo,
        events: Vec<JsonEvent<'a>>,
    }
    #[derive(Serialize)]
    struct JsonEvent<'a> {
        #[serde(flatten)]
        revision: &'a RevisionInfo,
        #[serde(flatten)]
        event: &'a Event,
    }
    let sentences = lines
        .iter()
        .map(|l| Sentence {
            paragraph: l.paragraph,
            text: l.text,
            introduced: &revs[introduced(l.events)],
            last_changed: &revs[last_changed(l.events)],
            events: l.events.iter().map(|e| JsonEvent { revision: &revs[e.revision], event: e }).collect(),
        })
        .collect();
    let doc = Doc { schema: "redline.blame/1", article, revision: revs.last(), sentences };
    let json = serde_json::to_string_pretty(&doc).map_err(io::Error::other)?;
    writeln!(out, "{}", json_strict(&json))
}

/// The revision that first showed the sentence (the last `introduced`).
fn introduced(events: &[Event]) -> usize {
    events.iter().rev().find(|e| e.kind == EventKind::Introduced).map_or(0, |e| e.revision)
}

fn last_changed(events: &[Event]) -> usize {
    events.last().map_or(0, |e| e.revision)
}
