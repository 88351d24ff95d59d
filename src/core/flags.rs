//! What a watchdog looks for first in an edit: words changed inside a
//! quotation (a quote softened or sharpened) and figures changed (an amount,
//! count, date or percentage corrected).

use super::model::{NumberChange, Span};
use super::tokenize::Token;
use super::words::{Hunk, Tokens};

/// Byte ranges of `text[span]` that lie inside quotation marks: straight
/// and curly double quotes, „German“, «guillemets», ‹single guillemets›,
/// 「corner brackets」 and 『white corner brackets』, and ‘single curly
/// quotes’. A quote left open runs to the end of the span, as a quotation
/// that continues into the next paragraph does.
pub fn quoted(text: &str, span: Span) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<(usize, char)> = None;
    let s = &text[span.clone()];
    // Every opener but the straight double quote is non-ASCII.
    if s.is_ascii() && memchr::memchr(b'"', s.as_bytes()).is_none() {
        return out;
    }
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at = span.start + i;
        let next_is_letter = chars.peek().is_some_and(|&(_, x)| x.is_alphanumeric());
        match open {
            None => {
                let opener = matches!(c, '"' | '“' | '„' | '«' | '‹' | '「' | '『')
                    || (c == '‘' && next_is_letter)
                    || (c == '»' && next_is_letter);
                if opener {
                    open = Some((at, c));
                }
            }
            Some((start, o)) if closes(o, c, next_is_letter) => {
                out.push(start..at + c.len_utf8());
                open = None;
            }
            Some(_) => {}
        }
    }
    if let Some((start, _)) = open {
        out.push(start..span.end);
    }
    out
}

fn closes(open: char, c: char, next_is_letter: bool) -> bool {
    match open {
        '"' => c == '"',
        '“' => c == '”',
        '„' => c == '“' || c == '”',
        '«' => c == '»',
        '»' => c == '«',
        '‹' => c == '›',
        '「' => c == '」',
        '『' => c == '』',
        // ’ inside a word is an apostrophe ("don’t"), not a closing quote.
        '‘' => c == '’' && !next_is_letter,
        _ => false,
    }
}

/// Whether any word changed by hunk `h` (on either side) sits inside one
/// of the quoted ranges of its side.
pub fn edits_quote(h: &Hunk, old: &Tokens<'_>, new: &Tokens<'_>, old_q: &[Span], new_q: &[Span]) -> bool {
    let inside = |toks: &[Token], q: &[Span]| {
        toks.iter().filter(|t| t.end() > t.start()).any(|t| q.iter().any(|r| r.start < t.start() && t.end() <= r.end))
    };
    !h.equal && (inside(&old.toks[h.old.clone()], old_q) || inside(&new.toks[h.new.clone()], new_q))
}

/// The figure a changed hunk corrects, when both sides of it hold one: the
/// numbers with an adjacent currency sign or percent sign (`$2` → `$2.4`).
pub fn number_change<'a>(
    h: &Hunk,
    old: &Tokens<'_>,
    new: &Tokens<'_>,
    old_text: &'a str,
    new_text: &'a str,
) -> Option<NumberChange<'a>> {
    if h.equal {
        return None;
    }
    let o = figure(old.toks, h.old.clone(), old_text)?;
    let n = figure(new.toks, h.new.clone(), new_text)?;
    (o != n).then_some(NumberChange { old: o, new: n })
}

fn has_digit(t: &Token, text: &str) -> bool {
    text[t.start()..t.end()].bytes().any(|b| b.is_ascii_digit())
}

/// The span from the first to the last token with a digit in `range`,
/// widened over a currency sign right before it and a percent sign or
/// unit suffix right after it.
fn figure<'a>(toks: &[Token], range: std::ops::Range<usize>, text: &'a str) -> Option<&'a str> {
    let first = range.clone().find(|&k| has_digit(&toks[k], text))?;
    let last = range.rev().find(|&k| has_digit(&toks[k], text))?;
    let mut start = toks[first].start();
    let mut end = toks[last].end();
    if first > 0 {
        let p = &toks[first - 1];
        let sign = &text[p.start()..p.end()];
        if p.ws_end() == start && matches!(sign, "$" | "€" | "£" | "¥" | "₹" | "₽" | "-" | "−" | "+") {
            start = p.start();
        }
    }
    if let Some(nx) = toks.get(last + 1) {
        if toks[last].ws_end() == toks[last].end() && matches!(&text[nx.start()..nx.end()], "%" | "‰") {
            end = nx.end();
        }
    }
    Some(&text[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::words::{diff_tokens, toks, Interner};

    #[test]
    fn quoted_ranges_in_every_style() {
        let t = "He said “a disgrace” and «non» and \"yes\" and 「はい」 and don’t.";
        let q: Vec<&str> = quoted(t, 0..t.len()).into_iter().map(|r| &t[r]).collect();
        assert_eq!(q, ["“a disgrace”", "«non»", "\"yes\"", "「はい」"]);
        let open = "“It was wrong. We";
        assert_eq!(quoted(open, 0..open.len()), vec![0..open.len()]);
    }

    #[test]
    fn flags_a_softened_quote_and_a_corrected_figure() {
        let mut int = Interner::default();
        let a = "She called it “a disgrace” and said it cost $2 million, up 12%.";
        let b = "She called it “disappointing” and said it cost $2.4 million, up 21%.";
        let (ta, tb) = (toks(a, &mut int), toks(b, &mut int));
        let hunks = diff_tokens(&ta, &tb);
        let (qa, qb) = (quoted(a, 0..a.len()), quoted(b, 0..b.len()));
        assert!(hunks.iter().any(|h| edits_quote(h, &ta, &tb, &qa, &qb)));
        let nums: Vec<(&str, &str)> =
            hunks.iter().filter_map(|h| number_change(h, &ta, &tb, a, b)).map(|n| (n.old, n.new)).collect();
        assert_eq!(nums, [("$2", "$2.4"), ("12%", "21%")]);
    }

    #[test]
    fn an_edit_outside_quotes_is_not_a_quote_change() {
        let mut int = Interner::default();
        let (a, b) = ("Officials said “no comment” today.", "Officials stated “no comment” today.");
        let (ta, tb) = (toks(a, &mut int), toks(b, &mut int));
        let (qa, qb) = (quoted(a, 0..a.len()), quoted(b, 0..b.len()));
        assert!(!diff_tokens(&ta, &tb).iter().any(|h| edits_quote(h, &ta, &tb, &qa, &qb)));
    }
}
