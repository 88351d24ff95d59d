//! git's delta format, encoding only (for [`super::packfile`]).
//!
//! A delta rebuilds a target from a base with two instructions: copy a
//! range of the base, or insert literal bytes. How matches are found (as
//! git's `diff-delta.c`, simplified): every 16-byte block of the base at a
//! multiple of 16 goes into a hash table; each position of the target is
//! looked up, a hit is verified and extended forwards and backwards. Any
//! common stretch of 31 bytes or more holds an indexed block, so it is
//! found; shorter ones are inserted literally, which costs little on the
//! texts and meta.json files an import deltifies (consecutive revisions of
//! one article).

const BLOCK: usize = 16;
/// git readers take at most this much per copy instruction when the size
/// is left out; longer copies are split.
const MAX_COPY: usize = 0x10000;
/// Insert instructions carry at most 127 bytes.
const MAX_INSERT: usize = 127;

/// Append to `out` a delta that turns `base` into `target`, and return
/// true; return false (leaving `out` in any state) as soon as the delta
/// would be longer than `limit` bytes, or when `base` is too large for
/// 32-bit copy offsets.
pub(crate) fn encode(base: &[u8], target: &[u8], limit: usize, out: &mut Vec<u8>) -> bool {
    if base.len() > u32::MAX as usize || base.len() < BLOCK {
        return false;
    }
    varint(out, base.len());
    varint(out, target.len());
    let table = Table::new(base);
    let mut lit = 0; // start of the pending literal run
    let mut j = 0;
    while j + BLOCK <= target.len() {
        let Some((p, back, len)) = table.longest(base, target, j, lit) else {
            j += 1;
            continue;
        };
        insert(out, &target[lit..j - back]);
        copy(out, p - back, len + back);
        j += len;
        lit = j;
        if out.len() > limit {
            return false;
        }
    }
    insert(out, &target[lit..]);
    out.len() <= limit
}

/// Candidates tried per target position (the chain of one hash bucket):
/// enough for repeated lines, bounded for pathological repetition.
const MAX_CANDIDATES: usize = 16;

/// The base's aligned 16-byte blocks by hash, chained, earliest first.
struct Table {
    /// Bucket → first block (index + 1; 0 is empty).
    heads: Vec<u32>,
    /// Block → next block in the same bucket (index + 1; 0 ends).
    next: Vec<u32>,
    shift: u32,
}

impl Table {
    fn new(base: &[u8]) -> Table {
        let blocks = base.len() / BLOCK;
        let bits = (blocks * 2).next_power_of_two().trailing_zeros().max(4);
        let shift = 64 - bits;
        let mut heads = vec![0u32; 1 << bits];
        let mut next = vec![0u32; blocks];
        for b in (0..blocks).rev() {
            let h = hash(&base[b * BLOCK..(b + 1) * BLOCK], shift);
            next[b] = heads[h];
            heads[h] = b as u32 + 1;
        }
        Table { heads, next, shift }
    }

    /// The longest match of `target` at `j` in the base: (base position,
    /// bytes it also extends backwards, never before `lit`, and forwards).
    fn longest(&self, base: &[u8], target: &[u8], j: usize, lit: usize) -> Option<(usize, usize, usize)> {
        let block = &target[j..j + BLOCK];
        let mut best: Option<(usize, usize, usize)> = None;
        let mut link = self.heads[hash(block, self.shift)];
        for _ in 0..MAX_CANDIDATES {
            if link == 0 {
                break;
            }
            let p = (link as usize - 1) * BLOCK;
            link = self.next[link as usize - 1];
            if base[p..p + BLOCK] != *block {
                continue;
            }
            let mut len = BLOCK;
            while p + len < base.len() && j + len < target.len() && base[p + len] == target[j + len] {
                len += 1;
            }
            let mut back = 0;
            while back < j - lit && back < p && base[p - back - 1] == target[j - back - 1] {
                back += 1;
            }
            if best.is_none_or(|(_, b, l)| back + len > b + l) {
                best = Some((p, back, len));
            }
        }
        best
    }
}

fn hash(block: &[u8], shift: u32) -> usize {
    let a = u64::from_le_bytes(block[..8].try_into().expect("8 bytes"));
    let b = u64::from_le_bytes(block[8..16].try_into().expect("8 bytes"));
    let h = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.rotate_left(29).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    (h.wrapping_mul(0x2545_F491_4F6C_DD1D) >> shift) as usize
}

/// Sizes in the delta header: 7 bits a byte, least significant first.
fn varint(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn insert(out: &mut Vec<u8>, mut bytes: &[u8]) {
    while !bytes.is_empty() {
        let n = bytes.len().min(MAX_INSERT);
        out.push(n as u8);
        out.extend_from_slice(&bytes[..n]);
        bytes = &bytes[n..];
    }
}

/// Copy instructions: a command byte saying which offset and size bytes
/// follow (zero bytes are left out; a size of 0x10000 is all left out).
fn copy(out: &mut Vec<u8>, mut offset: usize, mut size: usize) {
    while size > 0 {
        let n = size.min(MAX_COPY);
        let at = out.len();
        out.push(0);
        let mut cmd = 0x80u8;
        for i in 0..4 {
            let b = ((offset >> (8 * i)) & 0xff) as u8;
            if b != 0 {
                cmd |= 1 << i;
                out.push(b);
            }
        }
        let sz = if n == MAX_COPY { 0 } else { n };
        for i in 0..3 {
            let b = ((sz >> (8 * i)) & 0xff) as u8;
            if b != 0 {
                cmd |= 0x10 << i;
                out.push(b);
            }
        }
        out[at] = cmd;
        offset += n;
        size -= n;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// git's `patch_delta`, for checking.
    fn read_varint(delta: &[u8], i: &mut usize) -> Option<usize> {
        let mut n = 0usize;
        let mut shift = 0;
        loop {
            let b = *delta.get(*i)?;
            *i += 1;
            n |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
    }

    /// git's `patch_delta`, for checking.
    pub(crate) fn apply(base: &[u8], delta: &[u8]) -> Option<Vec<u8>> {
        let mut i = 0;
        let bsize = read_varint(delta, &mut i)?;
        let tsize = read_varint(delta, &mut i)?;
        if bsize != base.len() {
            return None;
        }
        let mut out = Vec::with_capacity(tsize);
        while i < delta.len() {
            let cmd = delta[i];
            i += 1;
            if cmd & 0x80 != 0 {
                let (mut off, mut size) = (0usize, 0usize);
                for k in 0..4 {
                    if cmd & (1 << k) != 0 {
                        off |= usize::from(delta[i]) << (8 * k);
                        i += 1;
                    }
                }
                for k in 0..3 {
                    if cmd & (0x10 << k) != 0 {
                        size |= usize::from(delta[i]) << (8 * k);
                        i += 1;
                    }
                }
                if size == 0 {
                    size = 0x10000;
                }
                out.extend_from_slice(base.get(off..off + size)?);
            } else if cmd != 0 {
                out.extend_from_slice(delta.get(i..i + usize::from(cmd))?);
                i += usize::from(cmd);
            } else {
                return None;
            }
        }
        (out.len() == tsize).then_some(out)
    }

    fn roundtrip(base: &[u8], target: &[u8]) -> usize {
        let mut d = Vec::new();
        assert!(encode(base, target, usize::MAX, &mut d));
        assert_eq!(apply(base, &d).as_deref(), Some(target));
        d.len()
    }

    #[test]
    fn small_edits_give_small_deltas() {
        let base: Vec<u8> = (0..2000).flat_map(|k| format!("w{k} ").into_bytes()).collect();
        let mut target = base.clone();
        target.splice(5000..5010, b"EDITED".iter().copied());
        target.extend_from_slice(b"tail\n");
        let n = roundtrip(&base, &target);
        assert!(n < 60, "{n} bytes");
        // Long copies are split, and a target equal to the base works.
        let big = vec![7u8; 200_000];
        assert!(roundtrip(&big, &big) < 40);
        assert!(roundtrip(&base, b"") < 10);
        assert!(!encode(b"short", b"short", usize::MAX, &mut Vec::new()), "bases under a block are not used");
    }

    #[test]
    fn the_limit_is_kept() {
        let base = vec![1u8; 100];
        let target: Vec<u8> = (0..=255).collect();
        assert!(!encode(&base, &target, 100, &mut Vec::new()));
    }

    proptest! {
        #[test]
        fn deltas_rebuild_the_target(
            base in proptest::collection::vec(0u8..4, 16..3000),
            edits in proptest::collection::vec((0usize..3000, 0usize..40, proptest::collection::vec(0u8..4, 0..30)), 0..8),
        ) {
            let mut target = base.clone();
            for (at, cut, ins) in edits {
                let at = at.min(target.len());
                let end = (at + cut).min(target.len());
                target.splice(at..end, ins);
            }
            roundtrip(&base, &target);
        }
    }
}
