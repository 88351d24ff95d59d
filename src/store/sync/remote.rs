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
/// line; a local path is made absolute so it works from any folder.
fn checked_url(url: &str) -> Result<String> {
    if url.is_empty() || url.starts_with('-') || url.chars().any(|c| c.is_control()) {
        return Err(StoreError::BadRemoteUrl { url: url.to_string() });
    }
    let path = std::path::Path::new(url);
    if !url.contains("://") && path.exists() {
        if let Ok(abs) = path.canonicalize() {
            return Ok(abs.display().to_string());
        }
    }
    Ok(url.to_string())
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
    /// The push refspecs go first: libgit2's `git_remote_delete` deletes
    /// the refs matching the destination of *every* refspec, push ones
    /// included, and a push refspec's destination here is
    /// `refs/articles/*`, the store's own articles.
    pub fn remote_remove(&self, name: &str) -> Result<()> {
        validate_remote_name(name)?;
        self.repo.find_remote(name).map_err(|_| unknown_remote(name))?;
        let err = |e| store_err(&self.path, &format!("cannot remove remote {name}"), e);
        let mut cfg = self.repo.config().map_err(err)?;
        match cfg.remove_multivar(&format!("remote.{name}.push"), ".*") {
            Ok(()) => {}
            Err(e) if e.code() == git2::ErrorCode::NotFound => {}
            Err(e) => return Err(err(e)),
        }
        self.repo.remote_delete(name).map_err(err)
    }
}

fn unknown_remote(name: &str) -> StoreError {
    StoreError::UnknownRemote { name: name.to_string() }
}
