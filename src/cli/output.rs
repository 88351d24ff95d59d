//! Where command output goes: [`Ui`] owns standard output (direct, or
//! through a pager on a terminal), the colour choice and the notes written
//! to stderr. Every command writes through it, so three things hold for all
//! of them at once:
//!
//! - a closed pipe (`redline log x | head`) surfaces as an `io::Error` of
//!   kind `BrokenPipe`, which [`super::CommandError`] turns into a quiet exit 0;
//! - other write failures (a full disk) get their own exit code;
//! - a pager that cannot start, or fails, never eats the output: it is
//!   printed directly, with a note on stderr.

use super::ColorChoice;
use crate::cli::command_error::{CommandError, CommandResult};
use crate::render::sanitize::visible_text;
use crate::render::ColorMode;
use std::io::{self, IsTerminal, Write};
use std::process::{Command, Stdio};

/// The terminal side of a command: stdout, colour, pager, notes.
pub struct Ui {
    color: ColorChoice,
    no_pager: bool,
    /// The config file's pager, used when $REDLINE_PAGER is unset.
    pager: Option<String>,
    out: Option<Output>,
}

impl Ui {
    /// A UI for the colour and pager choices in effect.
    pub fn new(color: ColorChoice, no_pager: bool, pager: Option<String>) -> Ui {
        Ui { color, no_pager, pager, out: None }
    }

    /// Standard output, never paged: exact bytes, JSON, reports.
    pub fn stdout(&mut self) -> &mut Output {
        self.out.get_or_insert_with(Output::direct)
    }

    /// Standard output through a pager, when it is a terminal and the user
    /// did not say `--no-pager`. Pager: `$REDLINE_PAGER`, else `$PAGER`,
    /// else the config file's, else `less -R` (with `LESS=FRX` so short
    /// output does not page).
    pub fn paged(&mut self) -> &mut Output {
        let (no_pager, configured) = (self.no_pager, self.pager.clone());
        self.out.get_or_insert_with(|| match pager_command(no_pager, configured) {
            Some(cmd) => Output::Paged { cmd, buf: Vec::new() },
            None => Output::direct(),
        })
    }

    /// The colour mode for text written to stdout.
    pub fn color_mode(&self) -> ColorMode {
        color_mode(self.color)
    }

    /// `redline: note: …` on stderr, sanitised; never fails.
    pub fn note(&self, msg: &str) {
        let _ = writeln!(io::stderr().lock(), "redline: note: {}", visible_text(msg));
    }

    /// `redline: …` on stderr (what a command did, for people), sanitised.
    pub fn status(&self, msg: &str) {
        let _ = writeln!(io::stderr().lock(), "redline: {}", visible_text(msg));
    }

    /// Flush everything written, running the pager if there is one.
    pub fn finish(&mut self) -> CommandResult<()> {
        match self.out.take() {
            None => Ok(()),
            Some(out) => out.finish(self),
        }
    }
}

/// Standard output, direct or collected for a pager.
pub enum Output {
    /// Straight to stdout, buffered.
    Direct(io::BufWriter<io::Stdout>),
    /// Collected, then handed to the pager `cmd` by [`Ui::finish`]. Keeping
    /// the bytes means a pager that fails to start loses nothing.
    Paged {
        /// The pager's shell command.
        cmd: String,
        /// Everything written so far.
        buf: Vec<u8>,
    },
}

impl Output {
    fn direct() -> Output {
        Output::Direct(io::BufWriter::with_capacity(64 * 1024, io::stdout()))
    }

    fn finish(self, ui: &Ui) -> CommandResult<()> {
        match self {
            Output::Direct(mut w) => Ok(w.flush()?),
            Output::Paged { cmd, buf } => {
                if let Err(why) = page(&cmd, &buf) {
                    ui.note(&format!("the pager {cmd:?} {why}; printing directly"));
                    let mut out = io::stdout().lock();
                    out.write_all(&buf)?;
                    out.flush()?;
                }
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self {
            Output::Direct(w) => w.write(b),
            Output::Paged { buf, .. } => buf.write(b),
        }
    }
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        match self {
            Output::Direct(w) => w.write_all(b),
            Output::Paged { buf, .. } => buf.write_all(b),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Direct(w) => w.flush(),
            Output::Paged { .. } => Ok(()),
        }
    }
}

/// The pager to use, or None to print directly.
fn pager_command(no_pager: bool, configured: Option<String>) -> Option<String> {
    if no_pager || !io::stdout().is_terminal() {
        return None;
    }
    let cmd = std::env::var("REDLINE_PAGER")
        .ok()
        .or(configured)
        .or_else(|| std::env::var("PAGER").ok())
        .unwrap_or_else(|| "less -R".to_string());
    let cmd = cmd.trim();
    (!cmd.is_empty() && cmd != "cat").then(|| cmd.to_string())
}

/// Run the pager on `buf` and wait for it. Err says why the output may not
/// have been shown: the pager did not start, or exited with a failure
/// status. A pager the reader quit early (`q` in less) exits 0, and one
/// killed by a signal was stopped on purpose: both are fine.
fn page(cmd: &str, buf: &[u8]) -> Result<(), String> {
    let mut c = Command::new("sh");
    c.arg("-c").arg(cmd).stdin(Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        c.env("LESS", "FRX");
    }
    let mut child = c.spawn().map_err(|e| format!("could not start ({e})"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A pager that quits early closes its end: not an error.
        let _ = stdin.write_all(buf);
    }
    match child.wait() {
        Ok(s) if s.success() || s.code().is_none() => Ok(()),
        Ok(s) => Err(format!("failed ({s})")),
        Err(e) => Err(format!("could not be waited for ({e})")),
    }
}

/// The colour mode for output written to stdout.
pub fn color_mode(choice: ColorChoice) -> ColorMode {
    match choice {
        ColorChoice::Never => ColorMode::Plain,
        ColorChoice::Always => ColorMode::Ansi,
        ColorChoice::Debug => ColorMode::Debug,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let force = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
            let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
            if no_color {
                ColorMode::Plain
            } else if force || (io::stdout().is_terminal() && !dumb) {
                ColorMode::Ansi
            } else {
                ColorMode::Plain
            }
        }
    }
}

/// Wrap a failure to write into a file (export's pages) with its path.
pub fn write_failed(path: &std::path::Path, e: io::Error) -> CommandError {
    CommandError::output(format!("cannot write {}", path.display()), e)
}
