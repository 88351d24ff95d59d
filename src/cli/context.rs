//! The command context (jj's `CommandHelper`): built once in
//! [`super::main`] from the parsed options, handed to every command.
//!
//! It holds the store, opened lazily and at most once (so `compare` never
//! looks for one, and a command never opens it twice), and the [`Ui`] every
//! command writes through. Store errors that mean "you asked for something
//! that is not there" get their "did you mean" hints here, in one place.

use super::command_error::{CommandError, CommandResult};
use super::output::Ui;
use crate::error::Error;
use crate::store::{Store, StoreError};
use std::cell::OnceCell;
use std::path::PathBuf;

/// Everything a command needs besides its own arguments.
pub struct CommandHelper {
    /// The store, opened on first use.
    pub store: StoreHandle,
    /// Standard output, colour, pager and notes.
    pub ui: Ui,
    /// The config file's settings (the tracker reads its section).
    pub config: super::config::Config,
}

/// The store named by `--store` (or its defaults), opened on first use.
pub struct StoreHandle {
    dir: Option<PathBuf>,
    store: OnceCell<Store>,
    /// The config file's observer id, given to the store when it is opened.
    observer: Option<String>,
}

impl StoreHandle {
    /// A handle on the store at `dir` (None: the per-user default).
    pub fn new(dir: Option<PathBuf>) -> StoreHandle {
        StoreHandle { dir, store: OnceCell::new(), observer: None }
    }

    /// Record the configured observer id (see `Store::observer`).
    pub fn with_observer(mut self, observer: Option<String>) -> StoreHandle {
        self.observer = observer;
        self
    }

    /// Keep a newly opened store, telling it the configured observer.
    fn keep(&self, s: Store) -> CommandResult<&Store> {
        if let Some(o) = &self.observer {
            s.set_observer(o)?;
        }
        Ok(self.store.get_or_init(|| s))
    }

    /// The store directory in effect: `--store`, `$REDLINE_STORE`,
    /// `$XDG_DATA_HOME/redline`, or `~/.local/share/redline`.
    pub fn path(&self) -> CommandResult<PathBuf> {
        if let Some(p) = &self.dir {
            return Ok(p.clone());
        }
        // The XDG spec: a relative $XDG_DATA_HOME is invalid and ignored
        // (it would make the store depend on the current folder).
        if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| PathBuf::from(v).is_absolute()) {
            return Ok(PathBuf::from(x).join("redline"));
        }
        match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(h) => Ok(PathBuf::from(h).join(".local/share/redline")),
            None => Err(CommandError::user("cannot find a store: no --store, $REDLINE_STORE, $XDG_DATA_HOME or $HOME")
                .hinted("pass --store DIR")),
        }
    }

    /// The store, if this command opened one.
    pub fn opened(&self) -> Option<&Store> {
        self.store.get()
    }

    /// The existing store; a missing one is an error saying how to make it.
    pub fn open(&self) -> CommandResult<&Store> {
        if let Some(s) = self.store.get() {
            return Ok(s);
        }
        let s = Store::open(&self.path()?)?;
        self.keep(s)
    }

    /// The store, created (with its parent folders) when missing.
    pub fn open_or_create(&self) -> CommandResult<&Store> {
        if let Some(s) = self.store.get() {
            return Ok(s);
        }
        let s = Store::open_or_create(&self.path()?)?;
        self.keep(s)
    }

    /// The store for writing: created when missing; `init_into_existing`
    /// accepts a bare repository holding other refs (see `Store::open_for_write`).
    pub fn open_for_write(&self, init_into_existing: bool) -> CommandResult<&Store> {
        if let Some(s) = self.store.get() {
            return Ok(s);
        }
        let s = Store::open_for_write(&self.path()?, init_into_existing)?;
        self.keep(s)
    }

    /// The store if one exists (`list` and `info` answer "nothing yet").
    pub fn open_if_exists(&self) -> CommandResult<Option<&Store>> {
        if let Some(s) = self.store.get() {
            return Ok(Some(s));
        }
        match Store::open_existing(&self.path()?)? {
            Some(s) => Ok(Some(self.keep(s)?)),
            None => Ok(None),
        }
    }

    /// Every article name in the store (refs only), or none when it was
    /// never opened or cannot be read.
    fn names(&self) -> Vec<String> {
        let Some(store) = self.store.get() else { return Vec::new() };
        store.article_refs().map(|(v, _)| v.into_iter().map(|(n, _)| n).collect()).unwrap_or_default()
    }
}

impl CommandHelper {
    /// Add "did you mean" hints to an unknown-article error: the group's
    /// articles when the name is a group prefix, else the nearest names.
    pub fn explain(&self, e: &mut CommandError) {
        let Some(Error::Store(StoreError::UnknownArticle { name })) = e.library_error() else { return };
        let hints = suggestions(name, &self.store.names());
        if !hints.is_empty() {
            e.hints.splice(0..0, hints);
        }
    }
}

/// Most names listed in one hint.
const SHOWN: usize = 8;

/// Hints for an unknown article `name` among `names`.
pub fn suggestions(name: &str, names: &[String]) -> Vec<String> {
    let group = format!("{}/", name.trim_end_matches('/'));
    let members: Vec<&str> = names.iter().map(String::as_str).filter(|n| n.starts_with(&group)).collect();
    if !members.is_empty() {
        return vec![format!(
            "{group} is a group of {} article{}: {}{} (`redline list {}` lists them)",
            members.len(),
            if members.len() == 1 { "" } else { "s" },
            members.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", "),
            if members.len() > SHOWN { ", …" } else { "" },
            group.trim_end_matches('/'),
        )];
    }
    let near = nearest(name, names);
    if near.is_empty() {
        return Vec::new();
    }
    vec![format!("did you mean {}?", near.join(" or "))]
}

/// Up to three names within a small edit distance of `name`, nearest first.
fn nearest<'a>(name: &str, names: &'a [String]) -> Vec<&'a str> {
    let limit = (name.chars().count() / 3).clamp(1, 3);
    let mut scored: Vec<(usize, &str)> = names
        .iter()
        .filter_map(|n| {
            let d = edit_distance(name, n);
            (d <= limit).then_some((d, n.as_str()))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Levenshtein distance with adjacent swaps counted as one edit (names are
/// short, so the quadratic table is a few hundred cells).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = best;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(edit_distance("brigde", "bridge"), 1);
        assert_eq!(edit_distance("bridge", "bridge"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn typo_suggests_the_nearest_names() {
        let n = names(&["bridge", "belarus", "council/city"]);
        assert_eq!(suggestions("brigde", &n), vec!["did you mean bridge?".to_string()]);
        assert!(suggestions("zzzzzz", &n).is_empty());
    }

    #[test]
    fn group_prefix_lists_its_articles() {
        let n = names(&["council/budget", "council/city", "councils"]);
        let h = suggestions("council", &n);
        assert_eq!(h.len(), 1);
        assert!(h[0].contains("council/budget, council/city"), "{h:?}");
        assert!(h[0].contains("redline list council"), "{h:?}");
    }
}
