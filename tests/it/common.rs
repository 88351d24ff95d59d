//! Shared helpers: a temporary store per test and a deterministic
//! environment, so output never depends on the developer's machine.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// A temporary directory holding a store (created on first use by redline).
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env { dir: tempfile::tempdir().expect("tempdir") }
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// `redline --store <tmp>` with a scrubbed environment.
    pub fn cmd(&self) -> Command {
        let mut c = redline();
        c.arg("--store").arg(self.store());
        c
    }

    /// Write a file into the temp dir and return its path.
    pub fn file(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, contents).unwrap();
        p
    }
}

/// The binary with an environment that cannot leak into results.
pub fn redline() -> Command {
    let mut c = Command::cargo_bin("redline").expect("binary");
    c.env_remove("REDLINE_STORE")
        .env_remove("PAGER")
        .env_remove("REDLINE_PAGER")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("REDLINE_CONFIG", "/dev/null")
        .env("COLUMNS", "100")
        .env("TZ", "UTC");
    c
}

/// Path to a file under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
}

pub fn stdout_of(c: &mut Command) -> String {
    let out = c.output().expect("run");
    assert!(out.status.success(), "command failed: {}\nstderr: {}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}
