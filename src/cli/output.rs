//! Where command output goes: stdout, or a pager on a terminal, and which
//! colour mode renderers use.

use super::{ColorChoice, GlobalArgs};
use crate::render::ColorMode;
use std::io::{self, IsTerminal, Write};
use std::process::{Child, Command, Stdio};

/// Standard output, possibly through a pager. Dropping it waits for the
/// pager so the shell prompt does not come back under it.
pub struct Output {
    pager: Option<Child>,
    out: Box<dyn Write>,
}

impl Output {
    /// Plain standard output (no pager).
    pub fn stdout() -> Output {
        Output { pager: None, out: Box::new(io::BufWriter::new(io::stdout())) }
    }

    /// Standard output, through a pager when it is a terminal and the
    /// user has not said --no-pager. Pager: $REDLINE_PAGER, else $PAGER,
    /// else `less -R` (with LESS=FRX so short output does not page).
    pub fn paged(g: &GlobalArgs) -> Output {
        if g.no_pager || !io::stdout().is_terminal() {
            return Output::stdout();
        }
        let cmd = std::env::var("REDLINE_PAGER")
            .or_else(|_| std::env::var("PAGER"))
            .unwrap_or_else(|_| "less -R".to_string());
        let cmd = cmd.trim();
        if cmd.is_empty() || cmd == "cat" {
            return Output::stdout();
        }
        let mut c = Command::new("sh");
        c.arg("-c").arg(cmd).stdin(Stdio::piped());
        if std::env::var_os("LESS").is_none() {
            c.env("LESS", "FRX");
        }
        match c.spawn() {
            Ok(mut child) => {
                let stdin = child.stdin.take().expect("piped stdin");
                Output { pager: Some(child), out: Box::new(io::BufWriter::new(stdin)) }
            }
            Err(_) => Output::stdout(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        let _ = self.out.flush();
        if let Some(mut child) = self.pager.take() {
            // Close the pipe first so the pager sees end of input.
            self.out = Box::new(io::sink());
            let _ = child.wait();
        }
    }
}

/// The colour mode for output written to stdout.
pub fn color_mode(g: &GlobalArgs) -> ColorMode {
    match g.color {
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

/// Treat a closed pipe (`redline log x | head`) as a normal end.
pub fn ignore_broken_pipe(r: io::Result<()>) -> crate::error::Result<()> {
    match r {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(crate::error::Error::io("writing output", e)),
    }
}
