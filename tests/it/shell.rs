//! Shell integration: completion scripts and the man page.

use crate::common::{redline, stdout_of};

#[test]
fn completions_for_each_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = stdout_of(redline().args(["completions", shell]));
        for cmd in ["commit", "log", "diff", "compare", "import", "fsck", "export"] {
            assert!(out.contains(cmd), "{shell} completions lack {cmd}");
        }
    }
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = redline().args(["completions", "tcsh-9"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values"));
}

#[test]
fn man_page_is_roff_and_documents_exit_codes() {
    let out = stdout_of(redline().arg("man"));
    assert!(out.starts_with(".ie") || out.contains(".TH"), "not roff: {}", &out[..out.len().min(80)]);
    assert!(out.contains("redline"));
    assert!(out.contains("Exit codes"));
}
