//! Crash safety (issue 6): SIGKILL at random moments during `import`,
//! `gc` and `commit` never leaves a store that `git fsck` or `redline fsck`
//! rejects, and never loses a revision that was reported as stored (or that
//! was ever seen in the store).
//!
//! `REDLINE_CRASH_ITERS` (default 36) sets the number of kills tried,
//! `REDLINE_CRASH_SEED` replays a run (the seed is printed).

use crate::common::Env;
use crate::concurrency::{git_fsck_ok, redline_fsck_ok};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every article's revisions (sha256 of each text, oldest first), checking
/// on the way that chains are linear and numbered 1..N.
fn store_state(store: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let Ok(repo) = git2::Repository::open_bare(store) else { return out };
    for r in repo.references_glob("refs/articles/*").unwrap() {
        let r = r.unwrap();
        let name = r.name().unwrap().trim_start_matches("refs/articles/").to_string();
        let mut id = r.target().unwrap();
        let mut shas = vec![];
        let mut numbers = vec![];
        loop {
            let c = repo.find_commit(id).unwrap();
            assert!(c.parent_count() <= 1, "{name}: not linear at {id}");
            let meta = c.tree().unwrap().get_name("meta.json").unwrap().to_object(&repo).unwrap();
            let meta: serde_json::Value = serde_json::from_slice(meta.as_blob().unwrap().content()).unwrap();
            shas.push(meta["sha256"].as_str().unwrap().to_string());
            numbers.push(meta["revision"].as_u64().unwrap());
            match c.parent_ids().next() {
                Some(p) => id = p,
                None => break,
            }
        }
        shas.reverse();
        numbers.reverse();
        assert_eq!(numbers, (1..=numbers.len() as u64).collect::<Vec<_>>(), "{name}: numbering");
        out.insert(name, shas);
    }
    out
}

/// A deterministic random source (xorshift), seeded per run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn text(iter: usize, article: usize, v: usize) -> String {
    format!(
        "Report {article}, take {iter}.{v}\n\nOfficials said on day {v} that the plan for district {article} would change.\n\nIteration {iter} adds paragraph {v} with a few more words of body text to diff.\n"
    )
}

/// One import batch: new versions of a few articles, as JSON Lines.
fn batch(dir: &Path, iter: usize) -> (PathBuf, BTreeMap<String, BTreeSet<String>>) {
    let mut lines = String::new();
    let mut shas: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for article in 0..4 {
        let name = format!("crash/a{article}");
        for v in 0..25 {
            let t = text(iter, article, v);
            shas.entry(name.clone()).or_default().insert(redline::store::sha256_hex(t.as_bytes()));
            let rec = serde_json::json!({
                "name": name,
                "text": t,
                // Later batches are later in time (import refuses going back).
                "observed_at": redline::store::format_time(1_640_995_200 + (iter * 3600 + article * 60 + v) as i64),
            });
            lines.push_str(&rec.to_string());
            lines.push('\n');
        }
    }
    let p = dir.join(format!("batch-{iter}.jsonl"));
    std::fs::write(&p, lines).unwrap();
    (p, shas)
}

fn redline_bin(store: &Path) -> Command {
    let mut c = Command::new(crate::common::bin());
    c.arg("--store").arg(store).env_remove("REDLINE_STORE").env("TZ", "UTC");
    c.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

/// Lock files under the store (left when a kill lands between taking a
/// lock and renaming it into place).
fn locks(store: &Path) -> Vec<PathBuf> {
    fn walk(d: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                if !p.ends_with("objects") {
                    walk(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "lock") {
                out.push(p);
            }
        }
    }
    let mut v = vec![];
    walk(store, &mut v);
    v
}

#[derive(Default, Debug)]
struct Tally {
    killed: usize,
    finished: usize,
    locks_left: usize,
    by_command: BTreeMap<&'static str, usize>,
}

#[test]
fn sigkill_at_random_points_never_damages_the_store() {
    let iters: usize = std::env::var("REDLINE_CRASH_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(36);
    let seed: u64 = std::env::var("REDLINE_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("crash test: {iters} iterations, REDLINE_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let env = Env::new();
    let store = env.store();

    // An uninterrupted import first: it sets the time scale for the kills.
    let (first, first_shas) = batch(env.dir.path(), 0);
    let started = Instant::now();
    let out = redline_bin(&store).args(["import", "--quiet"]).arg(&first).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let import_time = started.elapsed();
    let started = Instant::now();
    let out = redline_bin(&store).arg("gc").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let gc_time = started.elapsed();

    let mut confirmed: BTreeMap<String, BTreeSet<String>> = first_shas;
    let mut seen = store_state(&store);
    let mut tally = Tally::default();
    for iter in 1..=iters {
        let (cmd, mut child, reported): (&'static str, _, BTreeMap<String, BTreeSet<String>>) = match iter % 6 {
            0 | 3 => ("gc", redline_bin(&store).arg("gc").spawn().unwrap(), BTreeMap::new()),
            5 => {
                let t = text(iter, 9, 0);
                let f = env.file(&format!("commit-{iter}.txt"), &t);
                let sha = redline::store::sha256_hex(t.as_bytes());
                let c = redline_bin(&store).args(["commit", "crash/single"]).arg(&f).spawn().unwrap();
                ("commit", c, BTreeMap::from([("crash/single".to_string(), BTreeSet::from([sha]))]))
            }
            _ => {
                let (f, shas) = batch(env.dir.path(), iter);
                ("import", redline_bin(&store).args(["import", "--quiet"]).arg(&f).spawn().unwrap(), shas)
            }
        };
        let scale = match cmd {
            "gc" => gc_time,
            "commit" => Duration::from_millis(40),
            _ => import_time,
        };
        // Half the kills anywhere in the run, half near its end, where the
        // pack is written and refs move.
        let ms = scale.as_millis().max(5) as u64;
        let at = if rng.below(2) == 0 { rng.below(ms * 12 / 10) } else { ms * 7 / 10 + rng.below(ms * 4 / 10) };
        std::thread::sleep(Duration::from_millis(at));
        let finished = child.try_wait().unwrap().is_some();
        if !finished {
            child.kill().unwrap(); // SIGKILL
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{cmd}: {stderr}");
        if finished {
            assert!(out.status.success(), "{cmd} failed on its own: {stderr}");
            tally.finished += 1;
            for (name, shas) in reported {
                confirmed.entry(name).or_default().extend(shas);
            }
        } else {
            tally.killed += 1;
            *tally.by_command.entry(cmd).or_default() += 1;
        }
        // A kill between taking a lock and renaming it leaves the lock:
        // redline then refuses to write that ref and explains (see
        // concurrency.rs); the user removes it, as we do here.
        for l in locks(&store) {
            tally.locks_left += 1;
            eprintln!("iteration {iter}: {cmd} killed after {at} ms left {}", l.display());
            std::fs::remove_file(l).unwrap();
        }
        git_fsck_ok(&store);
        redline_fsck_ok(&env);
        let now = store_state(&store);
        for (name, shas) in seen.iter() {
            let have = now.get(name).unwrap_or_else(|| panic!("iteration {iter} ({cmd}): article {name} vanished"));
            assert!(
                have.len() >= shas.len() && have[..shas.len()] == shas[..],
                "iteration {iter} ({cmd}, killed at {at} ms): history of {name} changed"
            );
        }
        for (name, shas) in &confirmed {
            let have: BTreeSet<&String> = now.get(name).map(|v| v.iter().collect()).unwrap_or_default();
            for s in shas {
                assert!(have.contains(s), "iteration {iter}: a revision reported as stored in {name} is gone");
            }
        }
        seen = now;
    }
    eprintln!("crash test: {tally:?}");
    assert!(tally.killed > 0, "no kill landed: {tally:?}");
    // A final clean import and gc still work on the survivor.
    let (last, shas) = batch(env.dir.path(), iters + 1);
    assert!(redline_bin(&store).args(["import", "--quiet"]).arg(&last).status().unwrap().success());
    assert!(redline_bin(&store).arg("gc").status().unwrap().success());
    let now = store_state(&store);
    for (name, s) in shas {
        assert!(s.iter().all(|x| now[&name].contains(x)));
    }
    git_fsck_ok(&store);
    redline_fsck_ok(&env);
}
