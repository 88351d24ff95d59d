//! Per-host rules (`rules.toml` in the store directory) and "boring"
//! patterns.
//!
//! Why boring patterns: pages carry text that changes on every load
//! ("Updated 5 minutes ago", "1,204 views"). Extraction keeps it (it is part
//! of the page), so the stored text keeps it too, but it must not count as a
//! change: the tracker compares texts with these patterns blanked out.
//!
//! ```toml
//! [hosts."news.example"]
//! remove = [".newsletter-signup", "aside"]   # CSS selectors dropped before extraction
//! include = ["article"]                      # keep only these (optional)
//! boring = ['\d+ readers online']            # regexes ignored when comparing
//! min_gap = 5.0                              # seconds between requests to this host
//! ```

use regex::Regex;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The file name inside the store directory.
pub const RULES_FILE: &str = "rules.toml";

/// Always-on boring patterns: relative timestamps and live counters.
const DEFAULT_BORING: &[&str] = &[
    r"(?i)\b(?:updated|posted|published|edited|last updated)?:?\s*(?:about\s+)?(?:\d+|an?|one)\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b",
    r"(?i)\b(?:updated|posted)\s+just now\b",
    r"(?i)\b\d[\d,.]*\s*[km]?\s+(?:views|reads|comments|shares|likes|readers)\b",
];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostRules {
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
    #[serde(default)]
    pub boring: Vec<String>,
    /// Seconds between two requests to this host (overrides the default gap).
    #[serde(default)]
    pub min_gap: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    #[serde(default)]
    pub hosts: BTreeMap<String, HostRules>,
}

impl Rules {
    /// Read `STORE/rules.toml`; a missing file means no rules.
    pub fn load(store_dir: &Path) -> Result<Rules, String> {
        let path = store_dir.join(RULES_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Rules::default()),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let rules: Rules = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        for (host, r) in &rules.hosts {
            for sel in r.remove.iter().chain(&r.include) {
                if dom_query::Matcher::new(sel).is_err() {
                    return Err(format!("{}: host {host}: bad CSS selector {sel:?}", path.display()));
                }
            }
            for p in &r.boring {
                Regex::new(p).map_err(|e| format!("{}: host {host}: bad boring pattern {p:?}: {e}", path.display()))?;
            }
        }
        Ok(rules)
    }

    /// The rules for `host`: an exact entry, else the nearest parent domain
    /// (`example.com` applies to `www.example.com`).
    pub fn for_host(&self, host: &str) -> HostRules {
        let mut h = host;
        loop {
            if let Some(r) = self.hosts.get(h) {
                return r.clone();
            }
            match h.split_once('.') {
                Some((_, rest)) if rest.contains('.') => h = rest,
                _ => return HostRules::default(),
            }
        }
    }
}

/// Compiled boring patterns for one host.
pub struct Boring {
    res: Vec<Regex>,
}

impl Boring {
    pub fn new(rules: &HostRules) -> Boring {
        let res = DEFAULT_BORING
            .iter()
            .map(|p| p.to_string())
            .chain(rules.boring.iter().cloned())
            .filter_map(|p| Regex::new(&p).ok())
            .collect();
        Boring { res }
    }

    /// `text` with every boring match blanked and whitespace collapsed: the
    /// form two texts are compared in.
    pub fn fold(&self, text: &str) -> String {
        let mut t = text.to_string();
        for re in &self.res {
            t = re.replace_all(&t, "").into_owned();
        }
        t.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub fn same(&self, a: &str, b: &str) -> bool {
        a == b || self.fold(a) == self.fold(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_and_counters_are_boring() {
        let b = Boring::new(&HostRules::default());
        assert!(b.same("Updated 5 minutes ago\n\nThe pier opens.", "Updated 2 hours ago\n\nThe pier opens."));
        assert!(b.same("1,204 views. The pier opens.", "1,377 views. The pier opens."));
        assert!(!b.same("The pier opens in May.", "The pier opens in June."));
    }

    #[test]
    fn host_patterns_and_parent_domains() {
        let rules: Rules = toml::from_str(
            "[hosts.\"example.com\"]\nboring = ['\\d+ readers online']\nremove = ['aside']\nmin_gap = 2.5\n",
        )
        .unwrap();
        let r = rules.for_host("www.example.com");
        assert_eq!(r.remove, vec!["aside"]);
        assert_eq!(r.min_gap, Some(2.5));
        assert!(rules.for_host("example.org").remove.is_empty());
        let b = Boring::new(&r);
        assert!(b.same("12 readers online. Text.", "40 readers online. Text."));
    }

    #[test]
    fn bad_rules_are_refused_with_the_file_named() {
        let dir = std::env::temp_dir().join(format!("redline-rules-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(RULES_FILE), "[hosts.x]\nboring = ['(']\n").unwrap();
        assert!(Rules::load(&dir).unwrap_err().contains("bad boring pattern"));
        std::fs::write(dir.join(RULES_FILE), "[hosts.x]\nremove = ['p[']\n").unwrap();
        assert!(Rules::load(&dir).unwrap_err().contains("bad CSS selector"));
        std::fs::write(dir.join(RULES_FILE), "[hosts.x]\nremvoe = []\n").unwrap();
        assert!(Rules::load(&dir).unwrap_err().contains("rules.toml"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
