//! Automatic pack consolidation (`store/maintenance.rs`): a store written a
//! little at a time keeps a handful of packs, loses nothing, and two
//! processes never consolidate at once.

use crate::common::Env;
use crate::store_cmds::{git, git_available};
use std::path::Path;

/// More small packs than this trigger a merge (`MAX_SMALL_PACKS`).
const MAX_SMALL_PACKS: usize = 8;

fn packs(store: &Path) -> usize {
    std::fs::read_dir(store.join("objects/pack"))
        .map(|rd| rd.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "pack")).count())
        .unwrap_or(0)
}

/// One small `import` (one revision of `name`): each writes a pack of its own.
fn import_one(env: &Env, name: &str, i: usize) {
    import_into(&env.store(), name, i);
}

fn import_into(store: &Path, name: &str, i: usize) {
    let line = format!("{{\"name\":\"{name}\",\"text\":\"Version {i} of {name}.\\n\\nIt changed {i} times.\"}}\n");
    let mut c = crate::common::redline();
    c.arg("--store").arg(store).args(["import", "--quiet", "-"]).write_stdin(line).ok();
}

/// Append `[redline] SETTING` to the store's config, as `git config` would.
fn set_redline_config(env: &Env, setting: &str) {
    let config = env.store().join("config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!("[redline]\n\t{setting}\n"));
    std::fs::write(&config, text).unwrap();
}

fn assert_every_revision_readable(env: &Env, name: &str, from: usize, to: usize) {
    for (rev, i) in (from..=to).enumerate() {
        let text = env.cmd().args(["show", name, &(rev + 1).to_string()]).ok();
        assert_eq!(text, format!("Version {i} of {name}.\n\nIt changed {i} times."), "{name} revision {}", rev + 1);
    }
}

#[test]
fn small_packs_are_merged_after_writes_and_nothing_is_lost() {
    let env = Env::new();
    let mut most = 0;
    for i in 1..=30 {
        import_one(&env, "art", i);
        most = most.max(packs(&env.store()));
    }
    // Without consolidation there would be 30 packs.
    assert!(most <= MAX_SMALL_PACKS + 1, "up to {most} packs");
    assert!(packs(&env.store()) <= MAX_SMALL_PACKS, "{} packs at the end", packs(&env.store()));
    assert_every_revision_readable(&env, "art", 1, 30);
    let fsck = env.cmd().arg("fsck").ok();
    assert!(fsck.contains("ok"), "{fsck}");
    assert!(!fsck.contains("note:"), "the lock file is not a leftover: {fsck}");
    if git_available() {
        git(&env.store(), &["fsck", "--strict", "--no-dangling"]);
    }
}

#[test]
fn loose_objects_are_packed_once_there_are_many() {
    if !git_available() {
        return;
    }
    let env = Env::new();
    env.cmd().args(["commit", "art", "-"]).write_stdin("First.\n").ok();
    // 6,000 loose objects written by plain git (about 23 of them land in
    // objects/17, the folder the estimate reads; 4 mean about 1,024).
    let dir = env.dir.path().join("blobs");
    std::fs::create_dir_all(&dir).unwrap();
    let mut paths = String::new();
    for i in 0..6000 {
        let p = dir.join(i.to_string());
        std::fs::write(&p, format!("blob {i}\n")).unwrap();
        paths.push_str(&format!("{}\n", p.display()));
    }
    let mut c = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(env.store())
        .args(["hash-object", "-w", "--stdin-paths"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(c.stdin.as_mut().unwrap(), paths.as_bytes()).unwrap();
    drop(c.stdin.take());
    assert!(c.wait().unwrap().success());
    assert!(walk_loose(&env.store()) >= 6000);
    env.cmd().args(["commit", "art", "-"]).write_stdin("Second.\n").ok();
    let loose = walk_loose(&env.store());
    assert!(loose < 100, "{loose} loose objects left");
    assert_eq!(env.cmd().args(["show", "art", "1"]).ok(), "First.\n");
    assert_eq!(env.cmd().args(["show", "art", "2"]).ok(), "Second.\n");
    // The unreachable blobs were kept (packed), not dropped.
    let id = git(&env.store(), &["hash-object", &dir.join("17").display().to_string()]);
    git(&env.store(), &["cat-file", "-e", id.trim()]);
    assert!(env.cmd().arg("fsck").ok().contains("ok"));
}

fn walk_loose(store: &Path) -> usize {
    std::fs::read_dir(store.join("objects"))
        .unwrap()
        .flatten()
        .filter(|d| d.file_name().len() == 2)
        .map(|d| std::fs::read_dir(d.path()).map(|rd| rd.count()).unwrap_or(0))
        .sum()
}

#[test]
fn auto_pack_can_be_turned_off_in_the_store_config() {
    let env = Env::new();
    import_one(&env, "art", 1);
    set_redline_config(&env, "autoPack = false");
    for i in 2..=12 {
        import_one(&env, "art", i);
    }
    assert_eq!(packs(&env.store()), 12);
    assert_every_revision_readable(&env, "art", 1, 12);
}

#[test]
fn a_held_lock_skips_consolidation_and_gc_waits_for_it() {
    let env = Env::new();
    import_one(&env, "art", 1);
    let lock = std::fs::File::create(env.store().join("redline-maintenance.flock")).unwrap();
    lock.lock().unwrap();
    for i in 2..=12 {
        import_one(&env, "art", i);
    }
    assert_eq!(packs(&env.store()), 12, "nothing merged while another process holds the lock");
    let mut gc = std::process::Command::new(crate::common::bin())
        .arg("--store")
        .arg(env.store())
        .arg("gc")
        .env("REDLINE_CONFIG", "/dev/null")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(gc.try_wait().unwrap().is_none(), "gc ran while the lock was held");
    drop(lock);
    assert!(gc.wait().unwrap().success());
    assert_eq!(packs(&env.store()), 1);
    assert_every_revision_readable(&env, "art", 1, 12);
}

#[test]
fn concurrent_writers_consolidating_lose_nothing() {
    let env = Env::new();
    import_one(&env, "a0", 0);
    let store = env.store();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 1..=12 {
                    import_into(&store, &format!("w{w}"), i);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    for w in 0..4 {
        assert_every_revision_readable(&env, &format!("w{w}"), 1, 12);
    }
    assert!(packs(&store) <= MAX_SMALL_PACKS + 4, "{} packs", packs(&store));
    assert!(env.cmd().arg("fsck").ok().contains("ok"));
    if git_available() {
        git(&store, &["fsck", "--strict", "--no-dangling"]);
    }
}

/// Large packs (here every pack, by `redline.bigPackThreshold`) are merged
/// by concatenation once there are more than four: the same text stored by
/// two imports (one object in two packs) is written once, and everything
/// reads back.
#[test]
fn large_packs_are_concatenated_and_nothing_is_lost() {
    let env = Env::new();
    import_one(&env, "first", 0);
    set_redline_config(&env, "bigPackThreshold = 1");
    let mut most = 0;
    for i in 1..=12 {
        import_one(&env, "art", i);
        // The same text under another name: its blob is already in an
        // earlier pack.
        if i % 3 == 0 {
            let line = format!("{{\"name\":\"twin\",\"text\":\"Version {i} of art.\\n\\nIt changed {i} times.\"}}\n");
            crate::common::redline()
                .arg("--store")
                .arg(env.store())
                .args(["import", "--quiet", "-"])
                .write_stdin(line)
                .ok();
        }
        most = most.max(packs(&env.store()));
    }
    assert!(most <= 5, "up to {most} packs");
    assert!(packs(&env.store()) <= 4, "{} packs at the end", packs(&env.store()));
    assert_every_revision_readable(&env, "art", 1, 12);
    let twin = env.cmd().args(["show", "twin", "4"]).ok();
    assert_eq!(twin, "Version 12 of art.\n\nIt changed 12 times.");
    let fsck = env.cmd().arg("fsck").ok();
    assert!(fsck.contains("ok"), "{fsck}");
    if git_available() {
        git(&env.store(), &["fsck", "--full", "--strict", "--no-dangling"]);
    }
}

/// A killed merge leaves `tmp_pack_PID_…`: the next write deletes it once
/// its process is gone and it is ten minutes old, and nothing else.
#[test]
fn temporary_packs_of_killed_processes_are_removed_by_the_next_write() {
    let env = Env::new();
    import_one(&env, "art", 1);
    let dir = env.store().join("objects/pack");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let make = |name: &str, when: std::time::SystemTime| {
        let f = std::fs::File::create(dir.join(name)).unwrap();
        f.set_modified(when).unwrap();
    };
    let dead = 4_194_303; // above any pid a test machine hands out
    let live = std::process::id();
    make(&format!("tmp_pack_{dead}_1"), old);
    make(&format!("tmp_idx_{dead}_1"), old);
    make(&format!("tmp_pack_{live}_2"), old);
    make(&format!("tmp_pack_{dead}_3"), std::time::SystemTime::now());
    make("tmp_other", old);
    import_one(&env, "art", 2);
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("tmp_"))
        .collect();
    left.sort();
    let mut want = ["tmp_other".to_string(), format!("tmp_pack_{dead}_3"), format!("tmp_pack_{live}_2")];
    want.sort();
    assert_eq!(left, want);
    assert_every_revision_readable(&env, "art", 1, 2);
}
