//! Checking what a remote brings before any local ref moves to it.
//!
//! A remote is someone else's git repository: its commits may have been
//! made by hand. Every commit an article's remote tip brings (those not
//! already reachable from the local tip) must be a readable revision whose
//! article.txt has the SHA-256 its meta.json claims (the merge takes texts
//! by that hash), and must have one parent, or be a sync merge whose chain
//! keeps every observation of its other parents. Then a fast-forward can
//! hide nothing: every local observation is in the new first-parent chain.

use crate::store::read::previous_revision;
use crate::store::{sha256_hex, store_err, Result, Store, TEXT_FILE};
use git2::Oid;

impl Store {
    /// Why the commits `theirs` brings (not reachable from `ours`) cannot
    /// be taken, or None when they all can.
    pub(super) fn incoming_problem(&self, theirs: Oid, ours: Option<Oid>) -> Result<Option<String>> {
        let err = |e| store_err(&self.path, "cannot walk the remote's history", e);
        let mut walk = self.repo.revwalk().map_err(err)?;
        walk.push(theirs).map_err(err)?;
        if let Some(o) = ours {
            walk.hide(o).map_err(err)?;
        }
        for id in walk {
            let id = id.map_err(err)?;
            if let Some(why) = self.revision_problem(id) {
                return Ok(Some(format!(
                    "the remote's commit {} {why}; the article was left as it was and not pushed (ask whoever changed the remote, or run `redline fsck` on it)",
                    crate::store::short_id(id)
                )));
            }
        }
        Ok(None)
    }

    /// What is wrong with commit `id` as a revision, if anything.
    fn revision_problem(&self, id: Oid) -> Option<String> {
        let c = match self.repo.find_commit(id) {
            Ok(c) => c,
            Err(e) => return Some(format!("cannot be read: {}", e.message())),
        };
        let meta = match self.revision(id) {
            Ok(r) => r.meta,
            Err(e) => return Some(format!("is not a redline revision: {e}")),
        };
        let text = c.tree().ok().and_then(|t| t.get_name(TEXT_FILE).and_then(|e| self.repo.find_blob(e.id()).ok()));
        let Some(text) = text else { return Some(format!("has no readable {TEXT_FILE}")) };
        if sha256_hex(text.content()) != meta.sha256 {
            return Some(format!("has an {TEXT_FILE} whose SHA-256 is not the one its meta.json records"));
        }
        if c.parent_count() <= 1 {
            return None;
        }
        if !meta.merged {
            return Some(format!("has {} parents but is not a sync merge", c.parent_count()));
        }
        let keys = match self.chain_keys(id) {
            Ok(k) => k,
            Err(e) => return Some(format!("is a sync merge whose chain cannot be read: {e}")),
        };
        let first = previous_revision(&c);
        for p in c.parent_ids().filter(|p| Some(*p) != first) {
            match self.chain_keys(p) {
                Ok(old) if old.is_subset(&keys) => {}
                Ok(_) => return Some(format!("is a sync merge that loses observations of its parent {p}")),
                Err(e) => return Some(format!("is a sync merge whose parent {p} cannot be read: {e}")),
            }
        }
        None
    }
}
