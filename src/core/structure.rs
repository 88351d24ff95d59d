//! The paragraph layer over the unit alignment: which paragraphs moved
//! whole, and which were split or merged while their units stayed in order.

use super::doc::{Doc, Item};
use super::engine::{Alignment, Link};
use super::model::ChangeKind;
use rustc_hash::{FxHashMap, FxHashSet};

/// A run of paragraphs re-cut while their units kept their order.
#[derive(Debug, Clone)]
pub struct Group {
    pub kind: ChangeKind,
    /// Paragraph indices, first and last, on each side.
    pub old: (usize, usize),
    pub new: (usize, usize),
}

/// Paragraph-level facts derived from an [`Alignment`].
#[derive(Default)]
pub struct Structure {
    /// Old paragraph → (new paragraph, move id) for paragraphs moved whole.
    pub moved_old: FxHashMap<usize, (usize, u32)>,
    /// New paragraph → (old paragraph, move id), the same moves.
    pub moved_new: FxHashMap<usize, (usize, u32)>,
    pub groups: Vec<Group>,
    /// The group each old paragraph of a group belongs to.
    pub group_of_old: FxHashMap<usize, usize>,
    /// (old paragraph, new paragraph) pairs joined by an in-place unit.
    pub linked: FxHashSet<(usize, usize)>,
}

/// Share of a paragraph's words that must move to one paragraph for the
/// whole paragraph to count as moved (the rest was rewritten on the way).
const WHOLE_MOVE_SHARE: f32 = 0.5;

impl Structure {
    pub fn new(old: &Doc, new: &Doc, al: &Alignment) -> Structure {
        let mut st = Structure::default();
        st.find_groups(old, new, al);
        st.find_para_moves(old, new, al);
        st
    }

    fn find_groups(&mut self, old: &Doc, new: &Doc, al: &Alignment) {
        let mut cur: Option<Group> = None;
        for (o, link) in al.old.iter().enumerate() {
            let Link::InPlace(n) = *link else { continue };
            let (po, pn) = (old.para_of(old.stream[o]), new.para_of(new.stream[n]));
            self.linked.insert((po, pn));
            match &mut cur {
                Some(g) if g.old.1 == po || g.new.1 == pn => {
                    g.old.1 = po;
                    g.new.1 = pn;
                }
                _ => {
                    if let Some(g) = cur.take() {
                        self.close(g);
                    }
                    cur = Some(Group { kind: ChangeKind::Split, old: (po, po), new: (pn, pn) });
                }
            }
        }
        if let Some(g) = cur {
            self.close(g);
        }
    }

    fn close(&mut self, mut g: Group) {
        let (no, nn) = (g.old.1 - g.old.0 + 1, g.new.1 - g.new.0 + 1);
        if no == 1 && nn == 1 {
            return;
        }
        g.kind = if nn > no { ChangeKind::Split } else { ChangeKind::Merged };
        let id = self.groups.len();
        for p in g.old.0..=g.old.1 {
            self.group_of_old.insert(p, id);
        }
        self.groups.push(g);
    }

    /// Paragraphs whose paired units all moved, in order, to one paragraph
    /// whose paired units all came from them, covering at least half of
    /// the words: one move of the whole paragraph (edited on the way).
    fn find_para_moves(&mut self, old: &Doc, new: &Doc, al: &Alignment) {
        for p in 0..old.paras.len() {
            let units = old.units_of(p);
            if units.is_empty() {
                continue;
            }
            let mut target: Option<usize> = None;
            let (mut last_n, mut moved_words, mut id) = (None, 0usize, None);
            let mut ok = true;
            for u in units {
                match al.old[old.unit_pos[u]] {
                    Link::None => {}
                    Link::InPlace(_) => ok = false,
                    Link::Moved(n, mid) => {
                        let q = new.para_of(new.stream[n]);
                        ok &= target.is_none_or(|t| t == q) && last_n.is_none_or(|l| l < n);
                        target = Some(q);
                        last_n = Some(n);
                        moved_words += old.units[u].words();
                        id.get_or_insert(mid);
                    }
                }
                if !ok {
                    break;
                }
            }
            let (Some(q), Some(id), true) = (target, id, ok) else { continue };
            let share = |w: usize, total: usize| total == 0 || w as f32 >= WHOLE_MOVE_SHARE * total as f32;
            if !share(moved_words, old.pwords[p]) || !self.all_from(new, al, q, p, old) {
                continue;
            }
            let new_moved: usize = new
                .units_of(q)
                .filter(|&u| matches!(al.new[new.unit_pos[u]], Link::Moved(..)))
                .map(|u| new.units[u].words())
                .sum();
            if share(new_moved, new.pwords[q]) && !self.moved_new.contains_key(&q) {
                self.moved_old.insert(p, (q, id));
                self.moved_new.insert(q, (p, id));
            }
        }
    }

    /// Whether every paired unit of new paragraph `q` moved from old `p`.
    fn all_from(&self, new: &Doc, al: &Alignment, q: usize, p: usize, old: &Doc) -> bool {
        new.units_of(q).all(|u| match al.new[new.unit_pos[u]] {
            Link::None => true,
            Link::InPlace(_) => false,
            Link::Moved(o, _) => matches!(old.stream[o], Item::Unit(x) if old.units[x].para == p),
        })
    }
}
