//! The layering ARCHITECTURE.md promises, checked on the source itself so
//! a stray import fails CI instead of waiting for a reviewer:
//!
//! - `core` imports nothing else in the crate, and no I/O, git, colours,
//!   clock or environment;
//! - `store` imports only `core` and the error types;
//! - `render` imports only `core`, never clap, and never runs the engine
//!   (it reads one `Diff` it is given);
//! - no renderer imports another renderer: shared pieces live in the
//!   shared render modules (`blocks`, `segments`, `notes`, `summary`,
//!   `sanitize`, `style`, `wrap`, `page`).

use std::path::{Path, PathBuf};

/// The modules under `src/render/` that turn a diff into one output each.
const RENDERERS: &[&str] = &["terminal", "side_by_side", "critic", "html", "json", "atom", "blame", "site", "archive"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its text minus `//` comments (doc
/// comments name other layers on purpose).
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                let code: String = text.lines().map(|l| strip_comment(l).to_string() + "\n").collect();
                out.push((p, code));
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no sources under {}", dir.display());
    out
}

fn strip_comment(line: &str) -> &str {
    match line.trim_start().starts_with("//") {
        true => "",
        false => line,
    }
}

/// The crate-level modules a file names (`crate::store::…` → `store`).
fn crate_paths(code: &str) -> Vec<String> {
    code.match_indices("crate::")
        .filter(|(i, _)| !code[..*i].ends_with(|c: char| c.is_alphanumeric() || matches!(c, '_' | ':' | '$')))
        .map(|(i, m)| code[i + m.len()..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect())
        .collect()
}

fn check(layer: &str, allowed: &[&str], forbidden_words: &[&str]) -> Vec<String> {
    let mut bad = Vec::new();
    for (path, code) in sources(&src().join(layer)) {
        let rel = path.strip_prefix(src()).unwrap().display().to_string();
        for m in crate_paths(&code) {
            if !allowed.contains(&m.as_str()) {
                bad.push(format!("{rel}: uses crate::{m}"));
            }
        }
        for w in forbidden_words {
            if code.contains(w) {
                bad.push(format!("{rel}: mentions {w}"));
            }
        }
    }
    bad
}

#[test]
fn core_imports_nothing_else_in_the_crate_and_does_no_io() {
    let bad = check(
        "core",
        &["core"],
        &["git2", "colored", "std::fs", "std::io", "std::env", "std::process", "SystemTime", "Instant", "ureq", "clap"],
    );
    assert!(bad.is_empty(), "core must stay pure:\n{}", bad.join("\n"));
}

#[test]
fn store_imports_only_core_and_the_error_types() {
    let bad = check("store", &["core", "store", "error"], &["clap", "colored", "crate::render", "crate::cli"]);
    assert!(bad.is_empty(), "store reaches past core:\n{}", bad.join("\n"));
}

#[test]
fn render_imports_only_core_and_never_runs_the_engine() {
    let mut bad = check("render", &["core", "render"], &["clap", "git2", "std::fs"]);
    for (path, code) in sources(&src().join("render")) {
        let rel = path.strip_prefix(src()).unwrap().display().to_string();
        // A call of the engine: `core::diff(…)`, `core::diff_counted(…)`,
        // or the function imported by name.
        for call in ["core::diff(", "core::diff_counted(", "::diff_counted", "core::{self"] {
            if code.contains(call) {
                bad.push(format!("{rel}: {call}"));
            }
        }
        for stmt in code.split(';').filter(|s| s.trim_start().starts_with("use crate::core")) {
            let items = stmt.replace(['{', '}', '\n'], ",");
            if items.split(',').any(|i| matches!(i.trim().rsplit("::").next(), Some("diff" | "diff_counted"))) {
                bad.push(format!("{rel}: imports the engine: {}", stmt.trim()));
            }
        }
    }
    assert!(bad.is_empty(), "render must be a pure reader of one Diff:\n{}", bad.join("\n"));
}

#[test]
fn no_renderer_imports_another_renderer() {
    let mut bad = Vec::new();
    for r in RENDERERS {
        let path = src().join("render").join(format!("{r}.rs"));
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let code: String = text.lines().map(|l| strip_comment(l).to_string() + "\n").collect();
        for other in RENDERERS.iter().filter(|o| *o != r) {
            for needle in [format!("super::{other}::"), format!("render::{other}::"), format!("super::{{{other}")] {
                if code.contains(&needle) || code.contains(&format!("super::{other};")) {
                    bad.push(format!("render/{r}.rs imports render/{other}.rs ({needle})"));
                    break;
                }
            }
        }
    }
    // The list above must name real files, or the check proves nothing.
    let present = RENDERERS.iter().filter(|r| src().join("render").join(format!("{r}.rs")).exists()).count();
    assert!(present >= 7, "only {present} renderers found");
    assert!(bad.is_empty(), "renderers must share through the shared modules:\n{}", bad.join("\n"));
}

#[test]
fn the_checks_catch_what_they_look_for() {
    assert_eq!(crate_paths("use crate::store::Meta; x::crate::y; crate::core::diff()"), ["store", "core"]);
    assert_eq!(strip_comment("   //! crate::store"), "");
}
