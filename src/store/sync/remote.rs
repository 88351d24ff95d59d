//! `redline remote add/list/remove`: the remotes a store syncs with, kept
//! in the store's git config as ordinary git remotes with the refspecs a
//! plain `git clone --bare` lacks, so plain `git fetch NAME` and
//! `git push NAME` do the same transfers as `redline pull` and `push`.

use crate::store::{store_err, Result, Store, StoreError};

/// A configured remote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RemoteInfo {
    /// The remote's name (origin, team, …).
    pub name: String,
    /// Its git URL or path.
    pub url: String,
    /// Refs are kept under `refs/heads/redline/…` on the remote, for hosts
    /// that refuse other refs.
    pub heads: bool,
}

/// Marks a remote added with `--heads` (git ignores unknown keys).
const HEADS_KEY: &str = "redlineheads";

/// Where one kind of ref lives locally, on the remote, and in the
/// remote-tracking namespace.
pub(crate) struct Mapping {
    /// Local prefix (or exact ref), e.g. `refs/articles/`.
    pub local: &'static str,
    /// On the remote.
    pub remote: String,
    /// Where `git fetch` puts the remote's copy.
    pub tracking: String,
    /// A prefix (`*` refspecs) or one exact ref.
    pub glob: bool,
}

impl RemoteInfo {
    /// The three kinds of ref that travel: articles, raw pages, the watch
    /// list. (The watch state is per machine and stays home.)
    pub(crate) fn mappings(&self) -> Vec<Mapping> {
        let (articles, raw, watch) = if self.heads {
            ("refs/heads/redline/articles/", "refs/heads/redline/raw/", "refs/heads/redline/watch")
        } else {
            (super::super::REF_PREFIX, super::super::RAW_PREFIX, super::super::WATCH_REF)
        };
        let t = tracking_prefix(&self.name);
        vec![
            Mapping {
                local: super::super::REF_PREFIX,
                remote: articles.into(),
                tracking: format!("{t}articles/"),
                glob: true,
            },
            Mapping { local: super::super::RAW_PREFIX, remote: raw.into(), tracking: format!("{t}raw/"), glob: true },
            Mapping {
                local: super::super::WATCH_REF,
                remote: watch.into(),
                tracking: format!("{t}watch"),
                glob: false,
            },
        ]
    }

    /// Fetch refspecs. All are globs, because git refuses a configured
    /// exact refspec the remote lacks (a store without a watch list); the
    /// watch glob also brings a `watch-state` if someone pushed one, which
    /// is ignored.
    pub(crate) fn fetch_specs(&self) -> Vec<String> {
        self.mappings().iter().map(|m| format!("+{}*:{}*", m.remote, m.tracking)).collect()
    }

    /// Push refspecs kept in the config for plain `git push NAME`: the
    /// globs only (`redline push` adds the watch list when there is one).
    pub(crate) fn push_specs(&self) -> Vec<String> {
        self.mappings().iter().filter(|m| m.glob).map(|m| format!("{}*:{}*", m.local, m.remote)).collect()
    }
}

/// `refs/remotes/NAME/`.
pub(crate) fn tracking_prefix(remote: &str) -> String {
    format!("refs/remotes/{remote}/")
}

/// Remote names: what git accepts in a config section and a ref, kept
/// simple (letters, digits, `-`, `_`, `.`; no leading `-` or `.`).
pub fn validate_remote_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        && !name.starts_with(['-', '.'])
        && !name.contains("..")
        && !name.ends_with(".lock")
        && !name.ends_with('.');
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadRemoteName { name: name.to_string() })
    }
}

/// Refuse URLs git would read as an option or that cannot sit in a config
/// line, and git's `helper::address` form (`fd::3` reads a file descriptor
/// of whoever runs `sync`, `ext::` runs a command); a local path is made
/// absolute, existing or not, so every later sync reaches the same place
/// from any folder.
fn checked_url(url: &str) -> Result<String> {
    let bad = || StoreError::BadRemoteUrl { url: url.to_string() };
    if url.is_empty() || url.starts_with('-') || url.chars().any(|c| c.is_control()) {
        return Err(bad());
    }
    let before_slash = &url[..url.find('/').unwrap_or(url.len())];
    if before_slash.contains("::") {
        return Err(bad());
    }
    // `scheme://…` and scp-like `host:path` go to git as given.
    if url.contains("://") || before_slash.contains(':') {
        return Ok(url.to_string());
    }
    let path = std::path::Path::new(url);
    let abs = path.canonicalize().or_else(|_| std::path::absolute(path)).map_err(|_| bad())?;
    Ok(abs.display().to_string())
}

impl Store {
    /// Add remote `name` at `url` with redline's refspecs.
    pub fn remote_add(&self, name: &str, url: &str, heads: bool) -> Result<RemoteInfo> {
        validate_remote_name(name)?;
        let url = checked_url(url)?;
        if self.repo.find_remote(name).is_ok() {
            return Err(StoreError::RemoteExists { name: name.to_string() });
        }
        let info = RemoteInfo { name: name.into(), url: url.clone(), heads };
        let err = |e| store_err(&self.path, &format!("cannot add remote {name}"), e);
        let fetch = info.fetch_specs();
        self.repo.remote_with_fetch(name, &url, &fetch[0]).map_err(err)?;
        for spec in &fetch[1..] {
            self.repo.remote_add_fetch(name, spec).map_err(err)?;
        }
        for spec in info.push_specs() {
            self.repo.remote_add_push(name, &spec).map_err(err)?;
        }
        if heads {
            let cfg = self.repo.config().map_err(err)?;
            cfg.open_level(git2::ConfigLevel::Local)
                .and_then(|mut c| c.set_bool(&format!("remote.{name}.{HEADS_KEY}"), true))
                .map_err(err)?;
        }
        Ok(info)
    }

    /// Every configured remote, by name.
    pub fn remotes(&self) -> Result<Vec<RemoteInfo>> {
        let names = self.repo.remotes().map_err(|e| store_err(&self.path, "cannot list remotes", e))?;
        let mut out = Vec::new();
        for name in names.iter().flatten().flatten() {
            out.push(self.remote_info(name)?);
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn remote_info(&self, name: &str) -> Result<RemoteInfo> {
        let r = self.repo.find_remote(name).map_err(|_| unknown_remote(name))?;
        let url = r.url().unwrap_or("").to_string();
        let heads = self.repo.config().and_then(|c| c.get_bool(&format!("remote.{name}.{HEADS_KEY}"))).unwrap_or(false);
        Ok(RemoteInfo { name: name.into(), url, heads })
    }

    /// The remote `name`, or, when none is given, the only one (or
    /// `origin` among several).
    pub fn remote(&self, name: Option<&str>) -> Result<RemoteInfo> {
        if let Some(n) = name {
            validate_remote_name(n)?;
            return self.remote_info(n);
        }
        let all = self.remotes()?;
        match all.len() {
            0 => Err(StoreError::NoRemote),
            1 => Ok(all.into_iter().next().expect("one")),
            _ => all.into_iter().find(|r| r.name == "origin").ok_or(StoreError::WhichRemote),
        }
    }

    /// Remove remote `name` and its remote-tracking refs (the local
    /// articles stay as they are).
    ///
    /// By hand, not with libgit2's `git_remote_delete`: that deletes the
    /// refs matching the destination of *every* configured refspec, push
    /// ones included (`refs/articles/*` here), and a remote set up by plain
    /// git may fetch `+refs/*:refs/*` (a mirror clone). Only refs under
    /// `refs/remotes/NAME/` are removed, then the config section.
    pub fn remote_remove(&self, name: &str) -> Result<()> {
        validate_remote_name(name)?;
        self.repo.find_remote(name).map_err(|_| unknown_remote(name))?;
        let err = |e| store_err(&self.path, &format!("cannot remove remote {name}"), e);
        let prefix = tracking_prefix(name);
        let tracking: Vec<String> = self
            .repo
            .references_glob(&format!("{prefix}*"))
            .map_err(err)?
            .flatten()
            .filter_map(|r| r.name().ok().map(str::to_string))
            .filter(|n| n.starts_with(&prefix))
            .collect();
        for refname in tracking {
            if let Ok(mut r) = self.repo.find_reference(&refname) {
                r.delete().map_err(err)?;
            }
        }
        let cfg = self.repo.config().and_then(|c| c.open_level(git2::ConfigLevel::Local)).map_err(err)?;
        let mut keys: Vec<String> = Vec::new();
        {
            let mut entries = cfg.entries(None).map_err(err)?;
            while let Some(entry) = entries.next() {
                let entry = entry.map_err(err)?;
                if let Some(k) = entry.name().ok().filter(|k| in_section(k, name)) {
                    if !keys.contains(&k.to_string()) {
                        keys.push(k.to_string());
                    }
                }
            }
        }
        let mut cfg = cfg;
        for k in keys {
            cfg.remove_multivar(&k, ".*").map_err(err)?;
        }
        Ok(())
    }
}

/// Whether config key `k` is `remote.NAME.KEY` (the section name is
/// case-insensitive, the remote's name is not, and a key has no dot, so
/// remote `a` does not own `remote.a.b.url`).
fn in_section(k: &str, name: &str) -> bool {
    k.get(..7).is_some_and(|s| s.eq_ignore_ascii_case("remote."))
        && k[7..]
            .strip_prefix(name)
            .and_then(|r| r.strip_prefix('.'))
            .is_some_and(|key| !key.is_empty() && !key.contains('.'))
}

fn unknown_remote(name: &str) -> StoreError {
    StoreError::UnknownRemote { name: name.to_string() }
}
