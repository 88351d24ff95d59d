//! Moving objects and refs: the system `git`, so the user's SSH keys,
//! credential helpers, proxies and HTTPS settings apply as they already do.
//!
//! Arguments go to git as an argv vector, never through a shell; remote
//! names are validated and URLs live only in the store's config, so no
//! name or URL can become an option or a command.

use super::remote::RemoteInfo;
use crate::store::{Result, StoreError};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

/// How one pushed ref fared (`git push --porcelain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushFlag {
    /// Created or fast-forwarded.
    Updated,
    /// The remote already had it.
    UpToDate,
    /// Not a fast-forward: the remote moved since the last fetch.
    Behind,
    /// The remote refused it (a hook, `receive.hiderefs`, permissions).
    Refused(String),
}

/// One line of the push result.
#[derive(Debug, Clone)]
pub struct PushedRef {
    /// The local ref.
    pub local: String,
    /// What happened to it.
    pub flag: PushFlag,
}

/// `git --git-dir STORE …`, with the environment that would redirect git
/// elsewhere removed.
fn git(store: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("--git-dir").arg(store);
    for var in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE"] {
        c.env_remove(var);
    }
    c.stdin(Stdio::null());
    c
}

/// Run `cmd`; stdout is returned, stderr goes to the terminal when
/// `progress` (git shows its progress there), else it is kept for the
/// error message.
fn run(mut cmd: Command, remote: &str, what: &'static str, progress: bool) -> Result<(bool, String, String)> {
    cmd.stdout(Stdio::piped());
    cmd.stderr(if progress { Stdio::inherit() } else { Stdio::piped() });
    let mut child =
        cmd.spawn().map_err(|source| StoreError::GitMissing { remote: remote.to_string(), what, source })?;
    let mut err_pipe = child.stderr.take();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.read_to_string(&mut s);
        }
        s
    });
    let mut out = String::new();
    if let Some(mut p) = child.stdout.take() {
        let _ = p.read_to_string(&mut out);
    }
    let status = child.wait().map_err(|source| StoreError::Io { context: "waiting for git".into(), source })?;
    let err = err_reader.join().unwrap_or_default();
    Ok((status.success(), out, err))
}

fn failed(remote: &RemoteInfo, what: &'static str, stderr: &str) -> StoreError {
    let tail: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let detail = tail[tail.len().saturating_sub(4)..].join(" / ");
    StoreError::Transport { remote: remote.name.clone(), what, url: remote.url.clone(), detail }
}

/// Fetch the remote's articles, raw pages and watch list into
/// `refs/remotes/NAME/…` (force-updated: they mirror the remote).
pub fn fetch(store: &Path, remote: &RemoteInfo, progress: bool) -> Result<()> {
    let mut cmd = git(store);
    cmd.args(["fetch", "--no-tags", "--no-write-fetch-head"]);
    cmd.arg(if progress { "--progress" } else { "--quiet" });
    // redline's own refspecs, and `--refmap=` so git ignores the configured
    // ones: a remote set up by plain git (a mirror clone fetches
    // `+refs/*:refs/*`) would otherwise overwrite the local articles.
    cmd.arg("--refmap=");
    cmd.arg("--").arg(&remote.name).args(remote.fetch_specs());
    let (ok, _, err) = run(cmd, &remote.name, "fetch", progress)?;
    if ok {
        Ok(())
    } else {
        Err(failed(remote, "fetch from", &err))
    }
}

/// Push `specs` (never forced) and report each ref. Rejections are
/// results, not errors; an error means git could not talk to the remote.
pub fn push(store: &Path, remote: &RemoteInfo, specs: &[String], progress: bool) -> Result<Vec<PushedRef>> {
    if specs.is_empty() {
        return Ok(Vec::new());
    }
    let mut cmd = git(store);
    // A mirror clone's `remote.NAME.mirror` would turn this into a
    // `--mirror` push (every ref, deletions included) or refuse the specs.
    cmd.arg("-c").arg(format!("remote.{}.mirror=false", remote.name));
    // Not --quiet: it would also silence the porcelain lines.
    cmd.args(["push", "--porcelain"]);
    if progress {
        cmd.arg("--progress");
    }
    cmd.arg("--").arg(&remote.name).args(specs);
    let (ok, out, err) = run(cmd, &remote.name, "push", progress)?;
    let refs = parse_porcelain(&out);
    if !ok && refs.iter().all(|r| !matches!(r.flag, PushFlag::Behind | PushFlag::Refused(_))) {
        return Err(failed(remote, "push to", &err));
    }
    Ok(refs)
}

/// `git push --porcelain` lines: `FLAG \t FROM:TO \t SUMMARY`.
fn parse_porcelain(out: &str) -> Vec<PushedRef> {
    out.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, '\t');
            let flag = parts.next()?;
            let refs = parts.next()?;
            let summary = parts.next().unwrap_or("");
            let local = refs.split(':').next()?.to_string();
            let flag = match flag {
                " " | "*" | "+" | "-" => PushFlag::Updated,
                "=" => PushFlag::UpToDate,
                "!" if summary.starts_with("[rejected]") => PushFlag::Behind,
                "!" => PushFlag::Refused(summary.to_string()),
                _ => return None,
            };
            Some(PushedRef { local, flag })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn porcelain_lines_are_classified() {
        let out = "To /tmp/r.git\n*\trefs/articles/a:refs/articles/a\t[new reference]\n=\trefs/articles/b:refs/articles/b\t[up to date]\n!\trefs/articles/c:refs/articles/c\t[rejected] (fetch first)\n!\trefs/articles/d:refs/articles/d\t[remote rejected] (hook declined)\nDone\n";
        let r = parse_porcelain(out);
        assert_eq!(r.len(), 4);
        assert_eq!(r[0].flag, PushFlag::Updated);
        assert_eq!(r[1].flag, PushFlag::UpToDate);
        assert_eq!(r[2].flag, PushFlag::Behind);
        assert_eq!(r[3].flag, PushFlag::Refused("[remote rejected] (hook declined)".into()));
        assert_eq!(r[3].local, "refs/articles/d");
    }
}
