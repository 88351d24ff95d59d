//! `redline watch` against local servers: feeds to stored articles,
//! politeness per host, Retry-After, robots.txt, status.

use crate::common::Env;
use crate::webserver::{redline_in, redline_ok, web_fixture, web_fixture_str, Resp, Server};
use redline::store::Store;
use std::time::Duration;

/// `redline --store S watch ARGS…`, which must succeed.
fn ok(env: &Env, args: &[&str]) -> String {
    let mut all = vec!["watch"];
    all.extend_from_slice(args);
    redline_ok(&env.store(), &all)
}

fn code(env: &Env, args: &[&str]) -> i32 {
    let mut all = vec!["watch"];
    all.extend_from_slice(args);
    redline_in(&env.store(), &all).0
}

/// The three fixture articles and a feed listing them, on one server.
fn news_site(srv: &Server, feed: &str, path: &str) {
    srv.page("/news/harbour-plan", web_fixture("harbour.html"));
    srv.page("/news/westside-library", web_fixture("school.html"));
    srv.page("/news/river-crest", web_fixture("flood.html"));
    let body = web_fixture_str(feed).replace("{BASE}", &srv.url(""));
    srv.route(path, vec![Resp::new(200, body).header("Content-Type", "application/xml")]);
}

const ARTICLES: [&str; 3] = ["news/harbour-plan", "news/westside-library", "news/river-crest"];

#[test]
fn a_feed_is_stored_whole_then_one_edit_makes_exactly_one_revision() {
    let srv = Server::start("127.0.0.1", 2);
    news_site(&srv, "feed.rss.xml", "/feed.xml");
    let env = Env::new();
    let out = ok(&env, &["add", "--feed", &srv.url("/feed.xml")]);
    assert!(out.contains("watching feed"), "{out}");
    let out = ok(&env, &["run", "--once", "--gap", "0"]);
    assert!(out.contains("feed: 3 entries"), "{out}");

    let store = Store::open(&env.store()).unwrap();
    // A test server's port is part of the page, so part of its name.
    let name_of = |a: &str| redline::store::name_from_url(&srv.url(&format!("/{a}"))).unwrap();
    for a in ARTICLES {
        let name = name_of(a);
        let rev = store.latest(&name).unwrap_or_else(|e| panic!("{name}: {e}\n{out}"));
        assert_eq!(rev.meta.revision, 1);
        let text = store.text_string(&rev).unwrap();
        assert!(!text.contains("Subscribe") && text.split("\n\n").count() >= 4, "{text}");
    }
    // Tracking parameters and fragments from the feed never reach the list.
    let list = ok(&env, &["list"]);
    assert!(!list.contains("utm_") && !list.contains("#comments"), "{list}");

    // The server edits one article; a second pass stores exactly one revision.
    srv.page(
        "/news/westside-library",
        web_fixture_str("school.html").replace("at least two more years", "at least three more years"),
    );
    let out = ok(&env, &["run", "--once", "--all", "--gap", "0"]);
    assert_eq!(out.matches(": revision ").count(), 1, "{out}");
    let counts: Vec<usize> = ARTICLES.iter().map(|a| store.history(&name_of(a)).unwrap().len()).collect();
    assert_eq!(counts, vec![1, 2, 1]);
    let diff = redline_ok(&env.store(), &["diff", &name_of("news/westside-library"), "--color", "never"]);
    assert!(diff.contains("[-two-]{+three+}"), "{diff}");
    // The unchanged pages were asked conditionally and answered 304.
    assert!(out.contains("304 not modified"), "{out}");
}

#[test]
fn atom_json_feed_and_a_bare_ampersand_feed_are_read() {
    let srv = Server::start("127.0.0.1", 2);
    news_site(&srv, "feed.atom.xml", "/atom.xml");
    for (fixture, path) in [("feed.json", "/feed.json"), ("feed-bare-amp.rss.xml", "/amp.xml")] {
        let body = web_fixture_str(fixture).replace("{BASE}", &srv.url(""));
        srv.route(path, vec![Resp::new(200, body)]);
    }
    let env = Env::new();
    ok(&env, &["add", "--feed", &srv.url("/atom.xml"), &srv.url("/feed.json"), &srv.url("/amp.xml")]);
    let out = ok(&env, &["run", "--once", "--gap", "0"]);
    assert!(out.contains("atom.xml: feed: 2 entries"), "{out}");
    assert!(out.contains("feed.json: feed: 2 entries"), "{out}");
    assert!(out.contains("amp.xml: feed: 1 entries"), "{out}");
    let list = ok(&env, &["list"]);
    assert_eq!(list.lines().filter(|l| l.starts_with("page")).count(), 3, "{list}");
}

#[test]
fn a_broken_feed_is_a_failed_check_shown_in_status() {
    let srv = Server::start("127.0.0.1", 1);
    srv.route("/broken.xml", vec![Resp::new(200, "<html><body>We moved our feed!</body></html>")]);
    let cut = web_fixture_str("feed-broken.xml").replace("{BASE}", &srv.url(""));
    srv.route("/cut.xml", vec![Resp::new(200, cut)]);
    let env = Env::new();
    ok(&env, &["add", "--feed", &srv.url("/broken.xml")]);
    let out = ok(&env, &["run", "--once"]);
    assert!(out.contains("failed: not a readable feed"), "{out}");
    // A feed cut off mid-item either fails or yields only complete entries;
    // it never invents a page.
    ok(&env, &["add", "--feed", &srv.url("/cut.xml")]);
    let out = ok(&env, &["run", "--once", "--gap", "0"]);
    assert!(out.contains("cut.xml: failed: not a readable feed") || out.contains("cut.xml: feed: "), "{out}");
    let status = ok(&env, &["status"]);
    assert!(status.contains("error") && status.contains("last error (1 in a row): not a readable feed"), "{status}");
}

#[test]
fn hosts_are_served_one_request_at_a_time_and_counted() {
    let a = Server::start("127.0.0.2", 4);
    let b = Server::start("127.0.0.3", 4);
    a.set_delay(Duration::from_millis(20));
    b.set_delay(Duration::from_millis(20));
    let env = Env::new();
    let mut urls = Vec::new();
    for (srv, n) in [(&a, 6), (&b, 4)] {
        for i in 0..n {
            let path = format!("/story/{i}");
            srv.page(&path, web_fixture_str("flood.html").replace("Alder River", &format!("Alder River (part {i})")));
            urls.push(srv.url(&path));
        }
    }
    let mut add = vec!["add"];
    add.extend(urls.iter().map(String::as_str));
    ok(&env, &add);
    ok(&env, &["run", "--once", "--gap", "0.05", "--workers", "4"]);
    for (srv, n) in [(&a, 6), (&b, 4)] {
        let pages: Vec<_> = srv.hits().into_iter().filter(|h| h.path.starts_with("/story/")).collect();
        assert_eq!(pages.len(), n, "one request per page");
        assert!(pages.iter().all(|h| h.concurrent == 1), "two requests at once to one host");
        assert_eq!(srv.hits_to("/robots.txt").len(), 1);
    }
}

#[test]
fn retry_after_holds_the_host_and_the_url() {
    let srv = Server::start("127.0.0.1", 1);
    srv.route("/a", vec![Resp::new(429, "slow down").header("Retry-After", "3600")]);
    srv.route("/b", vec![Resp::new(503, "maintenance").header("Retry-After", "Fri, 31 Dec 2100 23:59:59 GMT")]);
    let env = Env::new();
    ok(&env, &["add", &srv.url("/a")]);
    ok(&env, &["run", "--once"]);
    let status = ok(&env, &["status", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&status).unwrap();
    let st = &v[0]["state"];
    assert_eq!(st["last_status"], 429);
    let due = redline::store::parse_time(st["next_due"].as_str().unwrap()).unwrap();
    assert!(due >= redline::store::now() + 3000, "next due {due} ignores Retry-After");
    // Not due again: a second pass does not ask.
    ok(&env, &["run", "--once"]);
    assert_eq!(srv.hits_to("/a").len(), 1);

    // A date far away is capped at a week, not obeyed for 75 years.
    ok(&env, &["add", &srv.url("/b")]);
    ok(&env, &["run", "--once"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&env, &["status", "--json"])).unwrap();
    let due = redline::store::parse_time(v[1]["state"]["next_due"].as_str().unwrap()).unwrap();
    assert!(due > redline::store::now() + 6 * 86_400 && due < redline::store::now() + 8 * 86_400);
}

#[test]
fn robots_variants() {
    // 404: allowed. 500: not now, nothing fetched. Disallow: never fetched.
    let allowed = Server::start("127.0.0.1", 1);
    allowed.page("/p", web_fixture("flood.html"));
    let down = Server::start("127.0.0.2", 1);
    down.route("/robots.txt", vec![Resp::new(500, "oops")]);
    down.page("/p", web_fixture("flood.html"));
    let strict = Server::start("127.0.0.3", 1);
    strict.route("/robots.txt", vec![Resp::new(200, "User-agent: redline\nDisallow: /\n")]);
    strict.page("/p", web_fixture("flood.html"));
    let env = Env::new();
    ok(&env, &["add", &allowed.url("/p"), &down.url("/p"), &strict.url("/p")]);
    let out = ok(&env, &["run", "--once", "--gap", "0"]);
    assert!(out.contains(&format!("{}: revision 1", allowed.url("/p"))), "{out}");
    assert!(out.contains(&format!("{}: deferred: robots.txt unavailable", down.url("/p"))), "{out}");
    assert!(out.contains(&format!("{}: failed: robots.txt does not allow", strict.url("/p"))), "{out}");
    assert!(down.hits_to("/p").is_empty() && strict.hits_to("/p").is_empty());
}

#[test]
fn add_list_remove() {
    let env = Env::new();
    let out = ok(&env, &["add", "https://news.example/a?utm_source=x", "https://news.example/b"]);
    assert!(out.contains("watching page https://news.example/a as news.example/a"), "{out}");
    let out = ok(&env, &["add", "https://news.example/a"]);
    assert!(out.contains("already watched"), "{out}");
    ok(&env, &["remove", "news.example/a"]);
    let list = ok(&env, &["list"]);
    assert_eq!(list.trim(), "page  https://news.example/b  news.example/b");
    assert_eq!(code(&env, &["remove", "https://nowhere.example/"]), 2);
    assert_eq!(code(&env, &["add", "ftp://x.example/"]), 2);
    assert_eq!(code(&env, &["add"]), 2);
    // The list is plain git.
    let git = std::process::Command::new("git")
        .args(["--git-dir", env.store().to_str().unwrap(), "show", "refs/redline/watch:watch.json"])
        .output();
    if let Ok(o) = git {
        if o.status.success() {
            assert!(String::from_utf8_lossy(&o.stdout).contains("https://news.example/b"));
        }
    }
}

#[test]
fn exec_gets_each_new_revision_as_json_on_stdin() {
    let srv = Server::start("127.0.0.1", 2);
    news_site(&srv, "feed.rss.xml", "/feed.xml");
    let env = Env::new();
    let hook = env.dir.path().join("hook.jsonl");
    let cmd = format!("cat >> '{}'; echo \"$REDLINE_NAME\" >> '{}.names'", hook.display(), hook.display());
    ok(&env, &["add", "--feed", &srv.url("/feed.xml")]);
    ok(&env, &["run", "--once", "--gap", "0", "--exec", &cmd]);
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&hook).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    for v in &lines {
        assert_eq!(v["schema"], "redline.exec/1");
        assert_eq!(v["diff"]["schema"], "redline.diff/1");
        assert_eq!(v["revision"], 1);
        assert!(v["meta"]["fetch"]["status"] == 200);
    }
    let names = std::fs::read_to_string(format!("{}.names", hook.display())).unwrap();
    assert_eq!(names.lines().count(), 3);
    // An edit: one more call, whose diff holds the changed words.
    srv.page("/news/river-crest", web_fixture_str("flood.html").replace("half a metre", "a full metre"));
    ok(&env, &["run", "--once", "--all", "--gap", "0", "--exec", &cmd]);
    let text = std::fs::read_to_string(&hook).unwrap();
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["revision"], 2);
    assert!(last["diff"].to_string().contains("full"), "{last}");
    assert_eq!(text.lines().count(), 4);
}

#[test]
fn config_file_sets_contact_observer_and_gap_and_a_bad_one_is_refused() {
    let srv = Server::start("127.0.0.1", 1);
    srv.page("/p", web_fixture("flood.html"));
    let env = Env::new();
    let cfg =
        env.file("config.toml", "[tracker]\ncontact = \"desk@news.example\"\nobserver = \"desk-1\"\nmin_gap = 0.0\n");
    let cfg = cfg.to_str().unwrap();
    redline_ok(&env.store(), &["--config", cfg, "fetch", &srv.url("/p"), "p"]);
    let hit = srv.hits_to("/p").pop().unwrap();
    assert!(hit.header("User-Agent").unwrap().contains("contact: desk@news.example"), "{hit:?}");
    let store = Store::open(&env.store()).unwrap();
    assert_eq!(store.latest("p").unwrap().meta.fetch.unwrap().observer, "desk-1");
    // A flag overrides the file.
    srv.page("/q", web_fixture("school.html"));
    redline_ok(&env.store(), &["--config", cfg, "fetch", &srv.url("/q"), "q", "--contact", "other@x.example"]);
    assert!(srv.hits_to("/q")[0].header("User-Agent").unwrap().contains("other@x.example"));
    let bad = env.file("bad.toml", "[tracker]\nmin_gapp = 1\n");
    let (code, _, err) = redline_in(&env.store(), &["--config", bad.to_str().unwrap(), "watch", "list"]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.toml") && err.contains("min_gapp"), "{err}");
}

#[test]
fn export_writes_an_atom_feed_of_changes() {
    let srv = Server::start("127.0.0.1", 1);
    srv.page("/p", web_fixture("flood.html"));
    let env = Env::new();
    redline_ok(&env.store(), &["fetch", &srv.url("/p"), "river"]);
    srv.page("/p", web_fixture_str("flood.html").replace("two shelters", "three shelters"));
    redline_ok(&env.store(), &["fetch", &srv.url("/p"), "river"]);
    let site = env.dir.path().join("site");
    redline_ok(&env.store(), &["export", "river", site.to_str().unwrap()]);
    let atom = std::fs::read(site.join("changes.atom")).unwrap();
    let feed = feed_rs::parser::parse(&atom[..]).unwrap();
    assert_eq!(feed.entries.len(), 2);
    let first = &feed.entries[0];
    assert!(first.title.as_ref().unwrap().content.starts_with("rev 2: River expected"));
    assert!(first.summary.as_ref().unwrap().content.contains("1 sentence reworded"), "{first:?}");
    assert_ne!(feed.entries[0].id, feed.entries[1].id);
}

#[test]
fn the_loop_stops_on_sigterm_after_finishing_the_request_in_flight() {
    let srv = Server::start("127.0.0.1", 2);
    srv.page("/slow", web_fixture("flood.html"));
    let env = Env::new();
    ok(&env, &["add", &srv.url("/slow")]);
    srv.set_delay(Duration::from_millis(1500));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_redline"))
        .arg("--store")
        .arg(env.store())
        .args(["watch", "run", "--gap", "0"])
        .env("REDLINE_CONFIG", "/dev/null")
        .env("NO_PROXY", "*")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (bounded) until the page request is in flight, then ask to stop.
    let mut in_flight = false;
    for _ in 0..500 {
        if !srv.hits_to("/slow").is_empty() {
            in_flight = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(in_flight, "the loop never requested the page");
    let _ = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let mut status = None;
    for _ in 0..1000 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let Some(status) = status else {
        let _ = child.kill();
        panic!("the loop did not stop on SIGTERM");
    };
    let out = child.wait_with_output().unwrap();
    assert!(status.success(), "{status}: {}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("/slow: revision 1"));
    let store = Store::open(&env.store()).unwrap();
    assert_eq!(store.history(&redline::store::name_from_url(&srv.url("/slow")).unwrap()).unwrap().len(), 1);
    assert!(ok(&env, &["status"]).contains("  ok  "));
}
