//! `redline completions SHELL` and `redline man`.

use super::Exit;
use crate::error::Result;

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to generate completions for.
    pub shell: clap_complete::Shell,
}

pub fn run(args: CompletionsArgs) -> Result<Exit> {
    use clap::CommandFactory;
    let mut cmd = super::Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "redline", &mut std::io::stdout());
    Ok(crate::error::EXIT_OK)
}

pub fn man() -> Result<Exit> {
    use clap::CommandFactory;
    let cmd = super::Cli::command();
    clap_mangen::Man::new(cmd)
        .render(&mut std::io::stdout())
        .map_err(|e| crate::error::Error::io("writing the man page", e))?;
    Ok(crate::error::EXIT_OK)
}
