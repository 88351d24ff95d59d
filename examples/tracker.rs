//! The tracker's demo server and benchmarks (local addresses only):
//!
//! - `tracker serve [PORT] [SECS]`: the Portside Bugle fixture site on
//!   127.0.0.1:PORT (default 8088) for the README session: `/feed.xml` and
//!   three articles. `GET /edit` rewrites one sentence of the library story;
//!   `GET /undo` puts it back. Stops by itself after SECS (default 600).
//! - `tracker crawl REDLINE [URLS] [HOSTS]`: `watch run --once` over URLS
//!   pages (default 1,000) spread over HOSTS local servers (default 10, on
//!   127.0.0.1 to 127.0.0.HOSTS), with no politeness gap; prints the times
//!   of the first pass (everything new) and of a second pass (all 304).
//! - `tracker sched [URLS]`: the scheduler's own cost per pass over URLS
//!   watched URLs (default 100,000) on a fake clock, no network.

use redline::fetch::clock::{Clock, FakeClock};
use redline::fetch::schedule::{Jitter, Policy, Scheduler};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    match arg(0) {
        Some("serve") => serve(
            arg(1).and_then(|p| p.parse().ok()).unwrap_or(8088),
            arg(2).and_then(|s| s.parse().ok()).unwrap_or(600),
        ),
        Some("crawl") => crawl(
            Path::new(arg(1).expect("tracker crawl REDLINE [URLS] [HOSTS]")),
            arg(2).and_then(|n| n.parse().ok()).unwrap_or(1000),
            arg(3).and_then(|n| n.parse().ok()).unwrap_or(10),
        ),
        Some("sched") => sched(arg(1).and_then(|n| n.parse().ok()).unwrap_or(100_000)),
        _ => eprintln!("usage: tracker serve [PORT] [SECS] | crawl REDLINE [URLS] [HOSTS] | sched [URLS]"),
    }
}

fn fixture(name: &str) -> String {
    // The example belongs to the benches package, one level below the fixtures.
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/web").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn respond(req: tiny_http::Request, status: u16, ctype: &str, body: String, etag: Option<String>) {
    let mut r = tiny_http::Response::from_string(body).with_status_code(status);
    if let Ok(h) = tiny_http::Header::from_bytes(&b"Content-Type"[..], ctype.as_bytes()) {
        r.add_header(h);
    }
    if let Some(e) = etag.and_then(|e| tiny_http::Header::from_bytes(&b"ETag"[..], e.as_bytes()).ok()) {
        r.add_header(e);
    }
    let _ = req.respond(r);
}

/// A weak hash of a page, as its ETag.
fn tag(body: &str) -> String {
    let h = body.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!("\"{h:x}\"")
}

/// Answer one request: 304 when If-None-Match matches.
fn page(req: tiny_http::Request, ctype: &str, body: String) {
    let etag = tag(&body);
    let inm = req.headers().iter().find(|h| h.field.equiv("If-None-Match")).map(|h| h.value.to_string());
    if inm.as_deref() == Some(etag.as_str()) {
        respond(req, 304, ctype, String::new(), Some(etag));
    } else {
        respond(req, 200, ctype, body, Some(etag));
    }
}

fn serve(port: u16, secs: u64) {
    let server = tiny_http::Server::http(("127.0.0.1", port)).expect("bind 127.0.0.1");
    let base = format!("http://127.0.0.1:{port}");
    eprintln!("serving the Portside Bugle on {base}/feed.xml for {secs} s (GET {base}/edit changes one article)");
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut edited = false;
    while Instant::now() < deadline {
        let Ok(Some(req)) = server.recv_timeout(Duration::from_millis(200)) else { continue };
        let path = req.url().split(['?', '#']).next().unwrap_or("").to_string();
        match path.as_str() {
            "/feed.xml" => page(req, "application/rss+xml", fixture("feed.rss.xml").replace("{BASE}", &base)),
            "/news/harbour-plan" => page(req, "text/html; charset=utf-8", fixture("harbour.html")),
            "/news/river-crest" => page(req, "text/html; charset=utf-8", fixture("flood.html")),
            "/news/westside-library" => {
                let mut body = fixture("school.html");
                if edited {
                    body = body
                        .replace("at least two more years", "at least three more years")
                        .replace("Updated 12 minutes ago", "Updated 1 minute ago");
                }
                page(req, "text/html; charset=utf-8", body)
            }
            "/edit" | "/undo" => {
                edited = path == "/edit";
                respond(req, 200, "text/plain", format!("library story edited: {edited}\n"), None);
            }
            _ => respond(req, 404, "text/plain", "not found\n".into(), None),
        }
    }
}

/// 1,000 pages on 10 hosts, `watch run --once --gap 0`, twice.
fn crawl(redline: &Path, urls: usize, hosts: usize) {
    let body = fixture("harbour.html");
    let mut servers = Vec::new();
    let mut all = Vec::new();
    for h in 1..=hosts {
        let server = Arc::new(tiny_http::Server::http(format!("127.0.0.{h}:0")).expect("bind"));
        let addr = server.server_addr().to_ip().expect("ip");
        for i in 0..urls / hosts {
            all.push(format!("http://{addr}/story/{i}"));
        }
        for _ in 0..2 {
            let (server, body) = (server.clone(), body.clone());
            std::thread::spawn(move || {
                while let Ok(req) = server.recv() {
                    let n = req.url().rsplit('/').next().unwrap_or("0").to_string();
                    let b = body.replace("seven votes to four", &format!("seven votes to four (story {n})"));
                    if req.url() == "/robots.txt" {
                        respond(req, 404, "text/plain", String::new(), None);
                    } else {
                        page(req, "text/html; charset=utf-8", b);
                    }
                }
            });
        }
        servers.push(server);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let store: PathBuf = dir.path().join("store");
    let run = |args: &[&str]| {
        let t = Instant::now();
        let out = std::process::Command::new(redline)
            .arg("--store")
            .arg(&store)
            .args(args)
            .env("NO_PROXY", "*")
            .env_remove("http_proxy")
            .env_remove("HTTP_PROXY")
            .output()
            .expect("run redline");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        // A wrapper such as /usr/bin/time may report CPU use on stderr.
        for l in err.lines().filter(|l| l.contains("CPU")) {
            println!("  {l}");
        }
        (t.elapsed(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let mut add = vec!["watch", "add"];
    add.extend(all.iter().map(String::as_str));
    let (t_add, _) = run(&add);
    let pass = ["watch", "run", "--once", "--gap", "0", "--workers", "10", "--all"];
    let (t1, out1) = run(&pass);
    let (t2, out2) = run(&pass);
    let stored = out1.matches(": revision 1").count();
    let not_modified = out2.matches("304 not modified").count();
    println!("urls {} hosts {hosts}", all.len());
    println!("watch add: {:.2} s", t_add.as_secs_f64());
    println!("first pass (all new, {stored} stored): {:.2} s", t1.as_secs_f64());
    println!("second pass ({not_modified} × 304): {:.2} s", t2.as_secs_f64());
    for s in &servers {
        s.unblock();
        s.unblock();
    }
}

/// The scheduler's own cost: every URL due, popped, rescheduled.
fn sched(urls: usize) {
    let clock = FakeClock::new(1_767_225_600_000);
    let policy = Policy::default();
    let mut jitter = Jitter::new(1, policy.jitter);
    let mut s = Scheduler::with_capacity(urls);
    let now = clock.now_secs();
    for i in 0..urls as u32 {
        s.push(i, now - i64::from(i % 3600));
    }
    let mut times = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let due = s.pop_due(clock.now_secs());
        let n = due.len();
        for i in due {
            let since_change = i64::from(i % 90) * 86_400;
            s.push(i, clock.now_secs() + jitter.apply(policy.interval(since_change)));
        }
        times.push((t.elapsed(), n));
        clock.advance(40 * 86_400 * 1000);
    }
    for (t, n) in &times {
        println!("pass over {urls} URLs: {n} due, {:.1} ms", t.as_secs_f64() * 1000.0);
    }
    // The same pass as `watch run` does it from the stored state: parse
    // each URL's next-due time, pick the due ones, format the new times.
    let stamps: Vec<String> = (0..urls).map(|i| redline::store::format_time(now - (i as i64 % 3600))).collect();
    let t = Instant::now();
    let mut picked = 0usize;
    let mut out = Vec::with_capacity(urls);
    for st in &stamps {
        let due = redline::store::parse_time(st).map(|d| d <= now).unwrap_or(true);
        if due {
            picked += 1;
            out.push(redline::store::format_time(now + jitter.apply(policy.interval(3600))));
        }
    }
    println!(
        "state pass (parse, select, format) over {urls} URLs: {picked} due, {:.1} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
}
