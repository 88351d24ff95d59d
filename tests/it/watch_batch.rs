//! `watch run`'s batched writes: objects go to disk as one pack per flush,
//! refs move after it, a rebuilt revision when another writer got there
//! first, and a pass killed mid-way keeps every check it had reported.

use crate::common::Env;
use crate::webserver::{read_head, redline_ok, send, web_fixture_str, RawServer};
use redline::store::{Acked, CommitRequest, FetchMeta, RawInfo, RawPage, Staged, Store};
use std::io::{BufRead, Read};
use std::time::Duration;

fn req(name: &str, text: &str, at: i64) -> CommitRequest {
    CommitRequest {
        name: name.into(),
        text: text.into(),
        url: Some(format!("http://127.0.0.1/{name}")),
        observed_at: at,
        observed_now: true,
        ..CommitRequest::default()
    }
}

fn fetch_meta(name: &str) -> FetchMeta {
    let url = format!("http://127.0.0.1/{name}");
    FetchMeta {
        url: url.clone(),
        final_url: url,
        status: 200,
        server_date: None,
        etag: Some(format!("\"{name}\"")),
        last_modified: None,
        extractor: "test".into(),
        extractor_version: "0".into(),
        observer: "test".into(),
        charset: "utf-8 (header)".into(),
        byline: None,
        published: None,
        aliases: vec![],
        raw: None,
    }
}

fn raw(name: &str, body: &str, at: i64) -> RawPage {
    RawPage {
        headers: "HTTP/1.1 200 OK\n".into(),
        body: body.as_bytes().to_vec(),
        info: RawInfo {
            url: format!("http://127.0.0.1/{name}"),
            final_url: format!("http://127.0.0.1/{name}"),
            status: 200,
            observed_at: redline::store::format_time(at),
            accepted: true,
            etag: Some(format!("\"{name}\"")),
            last_modified: None,
            refused: None,
        },
    }
}

fn packs(store: &std::path::Path) -> usize {
    std::fs::read_dir(store.join("objects/pack"))
        .map(|d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "pack")).count())
        .unwrap_or(0)
}

const T0: i64 = 1_780_000_000;

#[test]
fn a_flush_writes_one_pack_then_moves_refs_and_refs_wait_for_it() {
    let env = Env::new();
    let store = Store::open_or_create(&env.store()).unwrap();
    let names: Vec<String> = (0..30).map(|i| format!("batch/a{i}")).collect();
    let acked = store
        .batched(|b| {
            for n in &names {
                let text = format!("The story of {n}.\n\nIt has two paragraphs.\n");
                let s = b.stage_revision(n.clone(), &req(n, &text, T0), fetch_meta(n), &raw(n, &text, T0))?;
                assert!(matches!(s, Staged::Revision(ref r) if r.meta.revision == 1));
            }
            // Staged is not stored: no ref moved yet.
            assert!(Store::open(&env.store()).unwrap().tip(&names[0]).unwrap().is_none());
            b.flush()
        })
        .unwrap();
    assert_eq!(acked.len(), 30);
    assert!(acked.iter().all(|(_, a)| matches!(a, Acked::Stored(_))));
    assert_eq!(packs(&env.store()), 1, "30 checks make one pack");
    let again = Store::open(&env.store()).unwrap();
    for n in &names {
        let rev = again.latest(n).unwrap();
        let fetch = rev.meta.fetch.clone().unwrap();
        let raw_tip = again.raw_tip(n).unwrap().unwrap();
        assert_eq!(fetch.raw, Some(raw_tip.to_string()), "meta.json names its raw page");
        assert_eq!(again.last_accepted_raw(n).unwrap().unwrap().etag, Some(format!("\"{n}\"")));
    }
    let report = again.fsck(false).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.revisions, 30);
}

#[test]
fn a_few_checks_are_written_loose_and_a_moved_ref_gets_the_revision_rebuilt() {
    let env = Env::new();
    let store = Store::open_or_create(&env.store()).unwrap();
    store.commit(&req("race", "Version one.\n", T0)).unwrap();
    let acked = store
        .batched(|b| {
            let s = b.stage_revision(
                "mine",
                &req("race", "Version two.\n", T0 + 10),
                fetch_meta("race"),
                &raw("race", "two", T0 + 10),
            )?;
            assert!(matches!(s, Staged::Revision(ref r) if r.meta.revision == 2));
            // Another process stores a revision before our flush.
            Store::open(&env.store()).unwrap().commit(&req("race", "Version three.\n", T0 + 5)).unwrap();
            b.flush()
        })
        .unwrap();
    let [(tag, Acked::Stored(rev))] = acked.as_slice() else { panic!("{acked:?}") };
    assert_eq!(*tag, "mine");
    assert_eq!(rev.meta.revision, 3, "rebuilt on the other writer's revision");
    assert_eq!(packs(&env.store()), 0, "one check is written loose");
    let again = Store::open(&env.store()).unwrap();
    let texts: Vec<String> = again.history("race").unwrap().iter().map(|r| again.text_string(r).unwrap()).collect();
    assert_eq!(texts, ["Version one.\n", "Version three.\n", "Version two.\n"]);
    assert!(again.fsck(false).unwrap().problems.is_empty());
}

/// Pages `/ok/N` answer at once; `/hang/N` never answers (the connection is
/// held until the client goes away, at most a minute).
fn ok_then_hang(mut s: std::net::TcpStream) {
    let head = read_head(&mut s);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    if path.starts_with("/hang/") {
        s.set_read_timeout(Some(Duration::from_secs(60))).ok();
        let _ = s.read(&mut [0u8; 1]);
        return;
    }
    if path == "/robots.txt" {
        send(&mut s, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    let body = web_fixture_str("flood.html").replace("Alder River", &format!("Alder River ({path})"));
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    send(&mut s, head.as_bytes());
    send(&mut s, body.as_bytes());
}

#[test]
fn a_pass_killed_mid_way_keeps_every_check_it_reported_and_the_store_is_valid() {
    const OK: usize = 12;
    let srv = RawServer::start(OK + 4, ok_then_hang);
    let env = Env::new();
    let mut urls: Vec<String> = (0..OK).map(|i| srv.url(&format!("/ok/{i}"))).collect();
    urls.extend((0..2).map(|i| srv.url(&format!("/hang/{i}"))));
    let mut add = vec!["watch", "add"];
    add.extend(urls.iter().map(String::as_str));
    redline_ok(&env.store(), &add);

    // One host, so the pages go one after another and the pass stalls on
    // the first hanging page after the twelve good ones.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_redline"))
        .arg("--store")
        .arg(env.store())
        .args(["watch", "run", "--once", "--gap", "0", "--timeout", "60"])
        .env("REDLINE_CONFIG", "/dev/null")
        .env("NO_PROXY", "*")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Read the reported lines on a thread; stop at twelve (bounded wait).
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut reported = Vec::new();
    while reported.len() < OK {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(l) => reported.push(l),
            Err(_) => break,
        }
    }
    child.kill().unwrap(); // SIGKILL, mid-pass: two pages are in flight or queued
    let _ = child.wait();
    assert_eq!(reported.len(), OK, "the good pages were never reported: {reported:?}");
    assert!(reported.iter().all(|l| l.contains("/ok/") && l.contains(": revision 1: ")), "{reported:?}");

    let store = Store::open(&env.store()).unwrap();
    let report = store.fsck(false).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    for u in &urls[..OK] {
        let name = redline::store::name_from_url(u).unwrap();
        let rev = store.latest(&name).unwrap_or_else(|e| panic!("{u} was reported but not stored: {e}"));
        assert_eq!(rev.meta.revision, 1);
        assert!(store.raw_tip(&name).unwrap().is_some(), "{u}: no raw page");
    }
}

#[test]
fn a_refused_stage_leaves_nothing_a_later_one_builds_on() {
    let env = Env::new();
    let store = Store::open_or_create(&env.store()).unwrap();
    store.commit(&req("late", "Version one.\n", T0 + 100)).unwrap();
    let acked = store
        .batched(|b| {
            // Observed before the stored revision: refused, nothing staged.
            let refused =
                b.stage_revision(1, &req("late", "Older.\n", T0), fetch_meta("late"), &raw("late", "old", T0));
            assert!(refused.is_err());
            assert_eq!(b.len(), 0);
            let later = req("late", "Version two.\n", T0 + 200);
            b.stage_revision(2, &later, fetch_meta("late"), &raw("late", "two", T0 + 200))?;
            b.flush()
        })
        .unwrap();
    assert!(matches!(acked.as_slice(), [(2, Acked::Stored(r))] if r.meta.revision == 2), "{acked:?}");
    let again = Store::open(&env.store()).unwrap();
    // The raw page's commit has no parent left only in memory.
    let raw_tip = again.raw_tip("late").unwrap().unwrap();
    assert_eq!(again.last_accepted_raw("late").unwrap().unwrap().etag, Some("\"late\"".into()));
    let report = again.fsck(false).unwrap();
    assert!(report.problems.is_empty(), "raw tip {raw_tip}: {:?}", report.problems);
    let repo = git2::Repository::open_bare(env.store()).unwrap();
    let c = repo.find_commit(raw_tip).unwrap();
    assert_eq!(c.parent_count(), 0, "the refused stage's raw commit became a parent");
}
