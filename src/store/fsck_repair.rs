//! `fsck --repair`: rewrite an article's chain with rebuilt meta.json
//! files, keeping the old tip under a backup ref (see `fsck.rs` for why).

use super::fsck::{Article, Repair, BACKUP_PREFIX};
use super::fsck_chain::expected_meta;
use super::write::is_contention;
use super::{meta, Store, META_FILE, TEXT_FILE};
use git2::{Oid, Signature};
use std::collections::HashMap;

impl Store {
    /// Keep `tip` under `refs/redline-backup/<unix time>[.N]/<name>`: the
    /// first free name, so two repairs in the same second both keep theirs.
    fn new_backup_ref(&self, name: &str, tip: Oid) -> std::result::Result<String, git2::Error> {
        let stamp = super::now();
        let mut n = 0;
        loop {
            let dir = if n == 0 { stamp.to_string() } else { format!("{stamp}.{n}") };
            let backup = format!("{BACKUP_PREFIX}{dir}/{name}");
            match self.repo.reference(&backup, tip, false, "redline fsck --repair: chain before repair") {
                Ok(_) => return Ok(backup),
                Err(e) if e.code() == git2::ErrorCode::Exists && n < 1000 => n += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// Rewrite one article's chain with rebuilt meta.json files, keeping
    /// the old tip under a backup ref. All or nothing for the article.
    pub(super) fn repair_article(&self, a: &Article) -> std::result::Result<Repair, String> {
        let repo = &self.repo;
        let g = |e: git2::Error| e.message().to_string();
        let first_observed = a.revs.first().and_then(|r| r.meta.as_ref()).map(|m| m.observed_at.clone());
        let mut by_sha: HashMap<String, u64> = HashMap::new();
        let mut parent: Option<Oid> = None;
        let mut rewriting = false;
        let mut rebuilt = Vec::new();
        let mut rewritten = 0;
        for (i, r) in a.revs.iter().enumerate() {
            let pos = i as u64 + 1;
            let (Some(m), Some(text)) = (&r.meta, &r.text) else { return Err("a revision could not be read".into()) };
            let want = expected_meta(m, &a.name, pos, text, first_observed.as_deref(), &by_sha);
            by_sha.entry(want.sha256.clone()).or_insert(pos);
            if r.mismatched.is_empty() && !rewriting {
                parent = Some(r.id);
                continue;
            }
            rewriting = true;
            let old = repo.find_commit(r.id).map_err(g)?;
            let old_tree = old.tree().map_err(g)?;
            let text_id = old_tree.get_name(TEXT_FILE).ok_or("no article.txt")?.id();
            let (meta_id, message) = if r.mismatched.is_empty() {
                let id = old_tree.get_name(META_FILE).ok_or("no meta.json")?.id();
                (id, String::from_utf8_lossy(old.message_bytes()).into_owned())
            } else {
                rebuilt.push((pos, r.mismatched.clone()));
                let msg = format!(
                    "{}\nfsck --repair rebuilt meta.json ({}); this revision was commit {}\n",
                    meta::commit_message(&want),
                    r.mismatched.join(", "),
                    r.id
                );
                (repo.blob(&meta::to_json(&want)).map_err(g)?, msg)
            };
            let mut tb = repo.treebuilder(None).map_err(g)?;
            tb.insert(TEXT_FILE, text_id, 0o100644).map_err(g)?;
            tb.insert(META_FILE, meta_id, 0o100644).map_err(g)?;
            let tree = repo.find_tree(tb.write().map_err(g)?).map_err(g)?;
            let sig = |s: git2::Signature<'_>| -> std::result::Result<Signature<'static>, String> {
                Signature::new(
                    &String::from_utf8_lossy(s.name_bytes()),
                    &String::from_utf8_lossy(s.email_bytes()),
                    &s.when(),
                )
                .map_err(|e| e.message().to_string())
            };
            let (author, committer) = (sig(old.author())?, sig(old.committer())?);
            let parents = match parent {
                Some(p) => vec![repo.find_commit(p).map_err(g)?],
                None => vec![],
            };
            let prefs: Vec<&git2::Commit<'_>> = parents.iter().collect();
            let id = repo.commit(None, &author, &committer, &message, &tree, &prefs).map_err(g)?;
            parent = Some(id);
            rewritten += 1;
        }
        let new_tip = parent.ok_or("empty chain")?;
        let backup = self.new_backup_ref(&a.name, a.tip).map_err(g)?;
        let refname = super::ref_name(&a.name);
        match repo.reference_matching(&refname, new_tip, true, a.tip, "redline fsck --repair") {
            Ok(_) => Ok(Repair {
                article: a.name.clone(),
                old_tip: a.tip.to_string(),
                new_tip: new_tip.to_string(),
                backup_ref: backup,
                rebuilt,
                commits_rewritten: rewritten,
            }),
            Err(e) => {
                if let Ok(mut r) = repo.find_reference(&backup) {
                    let _ = r.delete();
                }
                if is_contention(&e) {
                    Err("another writer changed the article meanwhile".into())
                } else {
                    Err(e.message().to_string())
                }
            }
        }
    }
}
