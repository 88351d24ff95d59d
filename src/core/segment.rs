//! Paragraphs and sentences, as byte spans that tile the text: every unit
//! owns the whitespace after it, so units concatenate back to the input.

use super::model::Span;

/// A paragraph: `span` tiles the text, `content` is the part without the
/// surrounding whitespace (empty for a text of only whitespace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub span: Span,
    pub content: Span,
}

/// Whether `text` has a blank line (a line of only whitespace between two
/// lines with text). Texts without one are taken to hold one paragraph
/// per line.
pub fn has_blank_line(text: &str) -> bool {
    let t = text.trim();
    let mut prev_blank = false;
    for line in t.split('\n') {
        let blank = line.trim().is_empty();
        if blank && !prev_blank {
            return true;
        }
        prev_blank = blank;
    }
    false
}

/// Paragraphs of `text`: separated by blank lines, or one per line when
/// `per_line` (for sources that put each paragraph on its own line).
pub fn paragraphs(text: &str, per_line: bool) -> Vec<Block> {
    // Blocks are pushed as their content starts, and each span is closed
    // when the next paragraph starts. Sized once for a paragraph per 40
    // bytes (address space only until used): growing by doubling copied
    // the list and touched its pages again (a fifth of P1's page faults).
    let mut blocks: Vec<Block> = Vec::with_capacity(text.len() / 40 + 1);
    let mut at = 0;
    let mut in_para = false;
    let b = text.as_bytes();
    // One scan for all line ends (a book has 20,000 lines), the last line
    // possibly without one.
    for nl in memchr::memchr_iter(b'\n', b).chain(std::iter::once(b.len())) {
        if at >= b.len() {
            break;
        }
        let line = &text[at..nl];
        let lead = lead_len(line);
        if lead == line.len() {
            in_para = false;
        } else {
            let end = at + trimmed_len(line);
            match blocks.last_mut() {
                Some(last) if in_para && !per_line => last.content.end = end,
                last => {
                    let start = at + lead;
                    if let Some(last) = last {
                        last.span.end = start;
                    }
                    let span_start = if blocks.is_empty() { 0 } else { start };
                    blocks.push(Block { span: span_start..text.len(), content: start..end });
                }
            }
            in_para = true;
        }
        at = nl + 1;
    }
    if blocks.is_empty() && !text.is_empty() {
        blocks.push(Block { span: 0..text.len(), content: 0..0 });
    }
    blocks
}

/// Whitespace as [`char::is_whitespace`] has it, for ASCII bytes.
fn is_ascii_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t'..=b'\r')
}

/// `s.len() - s.trim_start().len()`: ASCII bytes are checked as bytes, and
/// only a line starting with other whitespace decodes chars.
fn lead_len(s: &str) -> usize {
    let b = s.as_bytes();
    let i = b.iter().position(|&c| !is_ascii_space(c)).unwrap_or(b.len());
    if b.get(i).is_some_and(|&c| c >= 0x80) {
        return s.len() - s.trim_start().len();
    }
    i
}

/// `s.trim_end().len()`, as [`lead_len`] does it.
fn trimmed_len(s: &str) -> usize {
    let b = s.as_bytes();
    let i = b.iter().rposition(|&c| !is_ascii_space(c)).map_or(0, |i| i + 1);
    if i > 0 && b[i - 1] >= 0x80 {
        return s.trim_end().len();
    }
    i
}

/// Words that end with a period without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "gen", "gov", "sen", "rep", "lt", "col", "capt", "sgt",
    "rev", "hon", "pres", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "corp", "no", "nos", "vol", "fig", "approx",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "ave", "blvd", "dept", "est",
    "ft", "mph", "p", "pp", "cf", "al",
];

const CLOSERS: &[char] = &['"', '\'', '’', '”', '»', ')', ']', '}'];

/// Sentences inside one paragraph, tiling `block.span`.
///
/// Rules (tuned on news prose, where Unicode's sentence breaks split after
/// "Dr." and "U.S."): a sentence ends after `.` `!` `?` `…` (plus closing
/// quotes and brackets) followed by whitespace and a character that can
/// start a sentence. A period does not end one after a known abbreviation,
/// an initial ("J."), or a dotted acronym ("U.S."). A line break ends one
/// before a list item or heading line, or after a heading line.
pub fn sentences(text: &str, block: &Block) -> Vec<Span> {
    let c = &text[block.content.clone()];
    let base = block.content.start;
    let mut cuts = Vec::new(); // offsets (in `c`) where a new sentence starts
    let b = c.as_bytes();
    let mut pos = 0;
    while pos < b.len() {
        // Plain ASCII (nearly every byte) cannot end a sentence: skip it
        // without decoding UTF-8, eight bytes at a time.
        pos = next_stop(b, pos);
        if pos >= b.len() {
            break;
        }
        let i = pos;
        let Some(ch) = c[i..].chars().next() else { break };
        pos += ch.len_utf8();
        let end_of_sentence = match ch {
            '.' | '!' | '?' | '…' | '。' | '！' | '？' => true,
            '\n' => {
                if !soft_wrap(c, i) {
                    if let Some(next) = c[i..].find(|x: char| !x.is_whitespace()) {
                        cuts.push(i + next);
                    }
                }
                continue;
            }
            _ => false,
        };
        if !end_of_sentence {
            continue;
        }
        // Swallow further terminators and closing punctuation.
        let mut j = i + ch.len_utf8();
        while let Some(x) = c[j..].chars().next() {
            if matches!(x, '.' | '!' | '?' | '…') || CLOSERS.contains(&x) {
                j += x.len_utf8();
            } else {
                break;
            }
        }
        pos = j;
        let rest = &c[j..];
        let ws = rest.len() - rest.trim_start().len();
        if ws == 0 || ws == rest.len() {
            continue;
        }
        let next = rest[ws..].chars().next().unwrap_or(' ');
        if !can_start(next) || (ch == '.' && is_abbreviation(&c[..i]) && !ends_anyway(&c[..i], next)) {
            continue;
        }
        cuts.push(j + ws);
    }
    cuts.dedup();
    let mut out = Vec::with_capacity(cuts.len() + 1);
    let mut start = block.span.start;
    for cut in cuts {
        let at = base + cut;
        if at > start {
            out.push(start..at);
            start = at;
        }
    }
    out.push(start..block.span.end);
    out
}

/// The first byte at or after `pos` that may end a sentence or a line:
/// `.`, `!`, `?`, a line break or any non-ASCII byte (`b.len()` if none).
/// Eight bytes are tested at once; the lowest flagged byte is exact (a
/// zero-byte test can only misfire above a true match).
fn next_stop(b: &[u8], mut pos: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let is = |x: u64, c: u8| {
        let v = x ^ (ONES * c as u64);
        v.wrapping_sub(ONES) & !v & HIGH
    };
    while let Some(chunk) = b.get(pos..pos + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let m = is(x, b'.') | is(x, b'!') | is(x, b'?') | is(x, b'\n') | (x & HIGH);
        if m != 0 {
            return pos + (m.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    while pos < b.len() && b[pos] < 0x80 && !matches!(b[pos], b'.' | b'!' | b'?' | b'\n') {
        pos += 1;
    }
    pos
}

fn can_start(c: char) -> bool {
    c.is_uppercase()
        || c.is_numeric()
        || matches!(c, '"' | '\'' | '“' | '‘' | '(' | '[' | '«' | '¿' | '¡' | '*' | '-' | '—' | '–' | '$' | '€' | '£')
        || (!c.is_alphabetic() && !c.is_ascii_punctuation() && !c.is_whitespace())
}

/// Whether the text before a period ends in an abbreviation, an initial or
/// a dotted acronym.
fn is_abbreviation(before: &str) -> bool {
    let word_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[word_start..];
    if word.is_empty() {
        return false;
    }
    if word.contains('.') {
        return true; // U.S. / e.g.
    }
    let mut chars = word.chars();
    if let (Some(first), None) = (chars.next(), chars.next()) {
        return first.is_uppercase(); // an initial: "J."
    }
    let lower = word.to_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

/// Whether the line break at `i` only wraps a sentence that goes on (a
/// hard-wrapped paragraph): the line ends mid-phrase and the next starts in
/// lower case. Every other line break ends a unit, so list items, headings,
/// captions, datelines and bylines are units of their own.
fn soft_wrap(c: &str, i: usize) -> bool {
    let before = c[..i].trim_end_matches([' ', '\t', '\r']);
    let last = before.chars().next_back();
    let next = c[i + 1..].trim_start_matches([' ', '\t']).chars().next();
    let mid_phrase = last.is_some_and(|x| x.is_lowercase() || matches!(x, ',' | ';' | '(' | '-'));
    mid_phrase && next.is_some_and(char::is_lowercase)
}

/// A period after an abbreviation that still ends the sentence: the
/// pronoun "I" ("So did I. Then"), or "a.m."/"p.m." before a capital
/// ("before 9 a.m. Witnesses said").
fn ends_anyway(before: &str, next: char) -> bool {
    let word = before.rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
    let word = word.trim_start_matches(['"', '\'', '“', '‘', '(']);
    word == "I" || (next.is_uppercase() && matches!(word.to_ascii_lowercase().as_str(), "a.m" | "p.m"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sents(s: &str) -> Vec<&str> {
        let b = Block { span: 0..s.len(), content: 0..s.trim_end().len() };
        sentences(s, &b).into_iter().map(|r| &s[r]).collect()
    }

    #[test]
    fn splits_on_terminators_but_not_abbreviations() {
        assert_eq!(
            sents("Dr. Alan Ng of the U.S. Forest Service spoke. A hearing is set for Feb. 20. “Yes!” she said. Done?"),
            [
                "Dr. Alan Ng of the U.S. Forest Service spoke. ",
                "A hearing is set for Feb. 20. ",
                "“Yes!” she said. ",
                "Done?"
            ]
        );
        assert_eq!(sents("He met J. K. Rowling. It went well."), ["He met J. K. Rowling. ", "It went well."]);
        assert_eq!(sents("“Help!” he cried."), ["“Help!” he cried."]);
        assert_eq!(sents("Costs rose 3.5 percent. Then fell."), ["Costs rose 3.5 percent. ", "Then fell."]);
        assert_eq!(sents("So did I. Then we left."), ["So did I. ", "Then we left."]);
        assert_eq!(
            sents("It began before 9 a.m. Witnesses said it ended at 10 p.m. on Friday."),
            ["It began before 9 a.m. ", "Witnesses said it ended at 10 p.m. on Friday."]
        );
    }

    #[test]
    fn every_line_is_a_unit_unless_it_wraps_a_sentence() {
        assert_eq!(sents("Photo: the bridge\nThe council met."), ["Photo: the bridge\n", "The council met."]);
        assert_eq!(sents("- one item\n- two item"), ["- one item\n", "- two item"]);
        assert_eq!(sents("a sentence that\nwraps here. Next one."), ["a sentence that\nwraps here. ", "Next one."]);
    }

    #[test]
    fn list_items_and_headings_are_sentences() {
        assert_eq!(sents("=== Title\nSome text\n* one\n* two"), ["=== Title\n", "Some text\n", "* one\n", "* two"]);
        assert_eq!(sents("----\n$ git status\n----"), ["----\n", "$ git status\n", "----"]);
    }

    #[test]
    fn eight_byte_skipping_stops_where_the_byte_loop_does() {
        let slow = |b: &[u8], mut pos: usize| {
            while pos < b.len() && b[pos] < 0x80 && !matches!(b[pos], b'.' | b'!' | b'?' | b'\n') {
                pos += 1;
            }
            pos
        };
        let text = "abcdefghij. klmnopqrstuvwxyz! 0123456789?\nxx\u{e9}yy zz\u{2026} end".as_bytes();
        for from in 0..text.len() {
            assert_eq!(next_stop(text, from), slow(text, from), "from {from}");
        }
        assert_eq!(next_stop(b"", 0), 0);
        assert_eq!(next_stop(b"aaaaaaaaaaaaaaaaaaaa", 3), 20);
    }

    /// The line-by-line definition [`paragraphs`] must agree with.
    fn paragraphs_by_trim(text: &str, per_line: bool) -> Vec<Block> {
        let mut starts: Vec<(usize, usize)> = Vec::new();
        let (mut at, mut in_para) = (0, false);
        while at < text.len() {
            let nl = text[at..].find('\n').map_or(text.len(), |i| at + i);
            let line = &text[at..nl];
            if line.trim().is_empty() {
                in_para = false;
            } else {
                let (lead, end) = (line.len() - line.trim_start().len(), at + line.trim_end().len());
                match starts.last_mut() {
                    Some(last) if in_para && !per_line => last.1 = end,
                    _ => starts.push((at + lead, end)),
                }
                in_para = true;
            }
            at = nl + 1;
        }
        if starts.is_empty() {
            return if text.is_empty() { vec![] } else { vec![Block { span: 0..text.len(), content: 0..0 }] };
        }
        let n = starts.len();
        (0..n)
            .map(|i| {
                let s = if i == 0 { 0 } else { starts[i].0 };
                let e = if i + 1 < n { starts[i + 1].0 } else { text.len() };
                Block { span: s..e, content: starts[i].0..starts[i].1 }
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn paragraphs_trim_lines_as_str_trim_does(text in "[a \t\n\r\u{b}\u{c}\u{a0}\u{85}\u{2003}\u{3000}é]{0,40}") {
            for per_line in [false, true] {
                proptest::prop_assert_eq!(paragraphs(&text, per_line), paragraphs_by_trim(&text, per_line));
            }
        }
    }

    #[test]
    fn paragraphs_tile_and_detect_mode() {
        let t = "\nA one.\nA two.\n\n\nB.\n";
        let p = paragraphs(t, false);
        assert_eq!(p.len(), 2);
        assert_eq!(&t[p[0].span.clone()], "\nA one.\nA two.\n\n\n");
        assert_eq!(&t[p[0].content.clone()], "A one.\nA two.");
        assert_eq!(&t[p[1].span.clone()], "B.\n");
        assert!(has_blank_line(t));
        assert!(!has_blank_line("a\nb\nc\n\n"));
        assert_eq!(paragraphs("a\nb\n", true).len(), 2);
        assert_eq!(paragraphs("   ", false), vec![Block { span: 0..3, content: 0..0 }]);
        assert!(paragraphs("", false).is_empty());
    }
}
