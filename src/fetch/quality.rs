//! The quality gate: never commit a broken page as the article.
//!
//! Why: a cookie wall, an error page served with status 200, or a fragment
//! (half a page cut by a CDN) would otherwise be stored as a revision, and
//! the diff would say most of the article was deleted (diffengine tweeted
//! such fragments as edits). A page that fails the gate is fetched once more
//! with `Cache-Control: no-cache`; if it still fails it is a failed check.

use super::extract::Extracted;

/// Fewer body words than this is not an article.
pub const MIN_BODY_WORDS: usize = 40;
/// A body this long passes even when Readability doubts the page.
pub const TRUSTED_BODY_WORDS: usize = 120;

/// `Err(reason)` when `ex` does not look like the article. `prev_words` is
/// the word count of the latest stored revision, if any.
pub fn judge(ex: &Extracted, prev_words: Option<usize>) -> Result<(), String> {
    if ex.body_words < MIN_BODY_WORDS {
        return Err(format!("only {} words of article text (a cookie wall, error page or fragment?)", ex.body_words));
    }
    // Readability's own test wants long Latin-script paragraphs; a page
    // whose extracted body is long is trusted without it (Japanese news
    // paragraphs are short in characters but dense).
    if !ex.readable && ex.body_words < TRUSTED_BODY_WORDS {
        return Err("the page does not look like an article (too little connected text)".into());
    }
    if let Some(prev) = prev_words {
        let now = crate::core::text_stats(&ex.text).words;
        if now * 2 < prev {
            return Err(format!("the text shrank from {prev} to {now} words (more than half gone)"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(words: usize, readable: bool) -> Extracted {
        let text = vec!["word"; words].join(" ");
        Extracted { text, readable, body_words: words, ..Extracted::default() }
    }

    #[test]
    fn short_unreadable_and_shrunk_pages_fail() {
        assert!(judge(&ex(200, true), None).is_ok());
        assert!(judge(&ex(200, true), Some(300)).is_ok());
        assert!(judge(&ex(10, true), None).unwrap_err().contains("only 10 words"));
        assert!(judge(&ex(100, false), None).unwrap_err().contains("does not look like"));
        assert!(judge(&ex(TRUSTED_BODY_WORDS, false), None).is_ok());
        assert!(judge(&ex(100, true), Some(300)).unwrap_err().contains("shrank from 300 to 100"));
    }
}
