//! Shared helpers: a temporary store per test and a deterministic
//! environment, so output never depends on the developer's machine.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

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
    pub fn cmd(&self) -> Cmd {
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

/// The redline binary cargo built for these tests.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_redline"))
}

/// A command to run once: `std::process::Command` plus the bytes to feed
/// its standard input (none: stdin is `/dev/null`, never the terminal).
pub struct Cmd {
    cmd: std::process::Command,
    stdin: Option<Vec<u8>>,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        Cmd { cmd: std::process::Command::new(program), stdin: None }
    }
    pub fn arg(&mut self, a: impl AsRef<OsStr>) -> &mut Cmd {
        self.cmd.arg(a);
        self
    }
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(&mut self, a: I) -> &mut Cmd {
        self.cmd.args(a);
        self
    }
    pub fn env(&mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> &mut Cmd {
        self.cmd.env(k, v);
        self
    }
    pub fn env_remove(&mut self, k: impl AsRef<OsStr>) -> &mut Cmd {
        self.cmd.env_remove(k);
        self
    }
    pub fn current_dir(&mut self, d: impl AsRef<Path>) -> &mut Cmd {
        self.cmd.current_dir(d);
        self
    }
    pub fn write_stdin(&mut self, bytes: impl Into<Vec<u8>>) -> &mut Cmd {
        self.stdin = Some(bytes.into());
        self
    }
    /// Run to completion, capturing stdout and stderr.
    pub fn output(&mut self) -> std::io::Result<Output> {
        let feed = self.stdin.clone();
        self.cmd.stdin(if feed.is_some() { Stdio::piped() } else { Stdio::null() });
        self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.cmd.spawn()?;
        let writer = feed.map(|bytes| {
            let mut pipe = child.stdin.take().expect("piped stdin");
            // A command may exit before reading it all: that is its business.
            std::thread::spawn(move || drop(pipe.write_all(&bytes)))
        });
        let out = child.wait_with_output()?;
        if let Some(w) = writer {
            let _ = w.join();
        }
        Ok(out)
    }
    /// Run and require success; returns stdout.
    pub fn ok(&mut self) -> String {
        stdout_of(self)
    }
    /// The program and arguments, for messages.
    pub fn describe(&self) -> String {
        format!("{:?}", self.cmd)
    }
}

/// The binary with an environment that cannot leak into results.
pub fn redline() -> Cmd {
    let mut c = Cmd::new(bin());
    c.env_remove("REDLINE_STORE")
        .env_remove("PAGER")
        .env_remove("REDLINE_PAGER")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("COLUMNS", "100")
        .env("TZ", "UTC");
    c
}

/// Path to a file under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
}

pub fn stdout_of(c: &mut Cmd) -> String {
    let out = c.output().expect("run");
    assert!(
        out.status.success(),
        "{} failed: {}\nstderr: {}",
        c.describe(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}
