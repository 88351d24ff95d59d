//! Shared helpers: a temporary store per test and a deterministic
//! environment, so output never depends on the developer's machine.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// A fresh directory under the system's temp folder, removed on drop.
/// (Our own, not the `tempfile` crate: it would change `rustix`'s features
/// and so force a rebuild of clap for the test build; see README.)
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new, empty, uniquely named temporary directory.
pub fn tempdir() -> std::io::Result<TempDir> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("redline-it-{}-{n}-{nanos}", std::process::id()));
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(TempDir(p)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// A temporary directory holding a store (created on first use by redline).
pub struct Env {
    pub dir: TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env { dir: tempdir().expect("tempdir") }
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
    timeout: Option<std::time::Duration>,
}

impl Cmd {
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        Cmd { cmd: std::process::Command::new(program), stdin: None, timeout: None }
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
    /// Kill the command if it runs longer than `d` (a hung test fails
    /// instead of hanging the suite).
    pub fn timeout(&mut self, d: std::time::Duration) -> &mut Cmd {
        self.timeout = Some(d);
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
        let read = |r: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut r) = r {
                    let _ = r.read_to_end(&mut buf);
                }
                buf
            })
        };
        let out = read(child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
        let err = read(child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
        let deadline = self.timeout.map(|d| std::time::Instant::now() + d);
        let status = loop {
            match deadline {
                None => break child.wait()?,
                Some(t) => {
                    if let Some(s) = child.try_wait()? {
                        break s;
                    }
                    if std::time::Instant::now() >= t {
                        let _ = child.kill();
                        break child.wait()?;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
            }
        };
        if let Some(w) = writer {
            let _ = w.join();
        }
        let stdout = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        Ok(Output { status, stdout, stderr })
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
        .env("REDLINE_CONFIG", "/dev/null")
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

/// Compare `actual` with the snapshot `tests/it/snapshots/it__render__NAME.snap`
/// (insta's file format: a `---` front matter, then the text). On a
/// mismatch it writes `NAME.snap.new` beside it and fails; with
/// `UPDATE_SNAPSHOTS=1` it rewrites the snapshot instead. (Our own, not the
/// `insta` crate: that one pulls in `tempfile`, whose `rustix` features
/// would force a second build of clap for the tests; see README.)
pub fn assert_snapshot(name: &str, actual: &str, description: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots");
    let path = dir.join(format!("it__render__{name}.snap"));
    let expected = std::fs::read_to_string(&path).ok().map(|s| snapshot_body(&s).to_string());
    let actual = actual.trim_end_matches('\n');
    if expected.as_deref().map(|e| e.trim_end_matches('\n')) == Some(actual) {
        return;
    }
    let file = format!("---\nsource: tests/it/render.rs\nexpression: {description}\n---\n{actual}\n");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::write(&path, file).expect("write snapshot");
        return;
    }
    let new = path.with_extension("snap.new");
    std::fs::write(&new, file).expect("write .snap.new");
    let first_diff = expected
        .as_deref()
        .unwrap_or("")
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .map_or("at the end".to_string(), |i| format!("at line {}", i + 1));
    panic!(
        "snapshot {name} differs {first_diff}; the new output is in {} (diff it; UPDATE_SNAPSHOTS=1 accepts)",
        new.display()
    );
}

/// The text of a snapshot file, after its `---` front matter.
fn snapshot_body(file: &str) -> &str {
    let Some(rest) = file.strip_prefix("---\n") else { return file };
    match rest.find("\n---\n") {
        Some(i) => &rest[i + 5..],
        None => rest,
    }
}
