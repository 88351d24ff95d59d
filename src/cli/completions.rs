//! `redline completions SHELL` and `redline man [--dir DIR]`.
//!
//! Both are generated into memory first and then written through the
//! [`super::Ui`]: the generators panic or stop half-way on a closed pipe,
//! and the output is small.

use super::output::write_failed;
use super::{CommandHelper, CommandResult, Exit};
use crate::error::EXIT_OK;
use clap::CommandFactory;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to generate completions for.
    pub shell: clap_complete::Shell,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline man | man -l -\n  mkdir -p ~/.local/share/man/man1 && redline man --dir ~/.local/share/man/man1"
)]
pub struct ManArgs {
    /// Write redline.1 and one page per command (redline-commit.1, …) into
    /// this existing folder, instead of printing redline.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Print the completion script for one shell.
pub fn run(args: CompletionsArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let mut cmd = super::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "redline", &mut script);
    cx.ui.stdout().write_all(&script)?;
    Ok(EXIT_OK)
}

/// Print the main page, or write every page into `--dir`.
pub fn man(args: ManArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let cmd = super::Cli::command();
    match args.dir {
        Some(dir) => {
            let pages = page_count(&cmd);
            clap_mangen::generate_to(cmd, &dir).map_err(|e| write_failed(&dir, e))?;
            cx.ui.status(&format!("wrote {pages} man pages into {}", dir.display()));
        }
        None => {
            let mut page = Vec::new();
            main_page(cmd, &mut page)?;
            cx.ui.stdout().write_all(&page)?;
        }
    }
    Ok(EXIT_OK)
}

/// Pages `generate_to` writes: this command's and every subcommand's.
fn page_count(cmd: &clap::Command) -> usize {
    1 + cmd.get_subcommands().filter(|s| !s.is_hide_set()).map(page_count).sum::<usize>()
}

/// redline.1 on its own: clap_mangen's sections, except that the command
/// list names `redline commit` rather than pages (`redline-commit(1)`) that
/// only `--dir` writes.
fn main_page(cmd: clap::Command, w: &mut Vec<u8>) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;
    writeln!(w, ".SH COMMANDS")?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        writeln!(w, ".TP\n\\fBredline {}\\fR", sub.get_name())?;
        if let Some(about) = sub.get_about() {
            writeln!(w, "{}", roff_text(&about.to_string()))?;
        }
    }
    writeln!(
        w,
        ".PP\nEach command's options: \\fBredline COMMAND \\-\\-help\\fR. \
         \\fBredline man \\-\\-dir DIR\\fR writes one page per command (redline\\-commit.1, ...) into DIR."
    )?;
    man.render_extra_section(w)?;
    man.render_version_section(w)
}

/// Text safe as a roff body line: backslashes and leading dots escaped.
fn roff_text(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}
