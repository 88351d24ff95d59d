//! `--exec CMD` for `fetch` and `watch run`: after each new revision, run
//! CMD with the change on standard input.
//!
//! The input is one JSON object, `redline.exec/1`: the article name, URL
//! and revision, its stored metadata, and the `redline.diff/1` document of
//! the change. CMD is the user's own command line (run by `sh -c`); page
//! content never enters it: it reaches the command only as data on
//! standard input and in `REDLINE_*` environment variables.

use crate::core::{self, DiffOptions};
use crate::render::{json, Side};
use crate::store::{Revision, Store};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The schema of the JSON given to the command.
pub const EXEC_SCHEMA: &str = "redline.exec/1";
/// A hook running longer than this is killed (it must not stall the tracker).
const EXEC_TIMEOUT: Duration = Duration::from_secs(60);

/// Run `cmd` for the latest revision of `name`; a failure is reported on
/// standard error and never stops the tracker.
pub fn after_revision(cmd: &str, store: &Store, name: &str) {
    if let Err(msg) = run(cmd, store, name) {
        let msg = format!("--exec for {name}: {msg}");
        let _ = writeln!(std::io::stderr(), "redline: {}", crate::render::sanitize::visible_text(&msg));
    }
}

fn run(cmd: &str, store: &Store, name: &str) -> Result<(), String> {
    let payload = payload(store, name).map_err(|e| e.to_string())?;
    let latest = store.latest(name).map_err(|e| e.to_string())?;
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .env("REDLINE_NAME", name)
        .env("REDLINE_REVISION", latest.number().to_string())
        .env("REDLINE_URL", latest.meta.url.clone().unwrap_or_default())
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input is its own business.
        let _ = stdin.write_all(&payload);
    }
    let deadline = Instant::now() + EXEC_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(st)) if st.success() => return Ok(()),
            Ok(Some(st)) => return Err(format!("{cmd:?} exited with {st}")),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{cmd:?} ran longer than {} s and was stopped", EXEC_TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// The `redline.exec/1` document for the latest revision of `name`.
pub fn payload(store: &Store, name: &str) -> crate::error::Result<Vec<u8>> {
    let history = store.history(name)?;
    let new = history.last().expect("an article has a revision");
    let old = history.len().checked_sub(2).map(|i| &history[i]);
    let new_text = store.text_string(new)?;
    let old_text = match old {
        Some(r) => store.text_string(r)?,
        None => String::new(),
    };
    let (diff, old_words, new_words) = core::diff_counted(&old_text, &new_text, &DiffOptions::default());
    let side = |r: Option<&Revision>, words: usize, bytes: usize| Side {
        label: r.map_or_else(|| format!("{name}@0"), |r| format!("{name}@{}", r.number())),
        bytes,
        words,
        revision: r.map(Revision::number),
        id: r.map(|r| r.id.to_string()),
        observed_at: r.map(|r| r.meta.observed_at.clone()),
        title: r.map(|r| r.meta.title.clone()),
    };
    let mut diff_json = Vec::new();
    json::write(
        &mut diff_json,
        &diff,
        &side(old, old_words, old_text.len()),
        &side(Some(new), new_words, new_text.len()),
    )
    .map_err(|e| crate::error::Error::io("rendering the diff", e))?;
    let diff_value: serde_json::Value = serde_json::from_slice(&diff_json).unwrap_or(serde_json::Value::Null);
    let doc = serde_json::json!({
        "schema": EXEC_SCHEMA,
        "name": name,
        "url": new.meta.url,
        "revision": new.number(),
        "id": new.id.to_string(),
        "meta": new.meta,
        "diff": diff_value,
    });
    let mut out = serde_json::to_vec(&doc).unwrap_or_default();
    out.push(b'\n');
    Ok(out)
}
