//! `redline watch` against local servers: feeds to stored articles,
//! politeness per host, Retry-After, robots.txt, status.

use crate::common::{stdout_of, Env};
use crate::webserver::{web_fixture, web_fixture_str, Resp, Server};
use redline::store::Store;
use std::time::Duration;

/// `redline --store S watch ...` with no proxy settings leaking in.
fn watch(env: &Env) -> crate::common::Cmd {
    let mut c = env.cmd();
    for v in ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
        c.env_remove(v);
    }
    c.env("NO_PROXY", "*").timeout(Duration::from_secs(90));
    c.arg("watch");
    c
}

fn ok(c: &mut crate::common::Cmd) -> String {
    stdout_of(c)
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
    let out = ok(watch(&env).args(["add", "--feed", &srv.url("/feed.xml")]));
    assert!(out.contains("watching feed"), "{out}");
    let out = ok(watch(&env).args(["run", "--once", "--gap", "0"]));
    assert!(out.contains("feed: 3 entries"), "{out}");

    let store = Store::open(&env.store()).unwrap();
    let host = srv.addr.ip().to_string();
    for a in ARTICLES {
        let name = format!("{host}/{a}");
        let rev = store.latest(&name).unwrap_or_else(|e| panic!("{name}: {e}\n{out}"));
        assert_eq!(rev.meta.revision, 1);
        let text = store.text_string(&rev).unwrap();
        assert!(!text.contains("Subscribe") && text.split("\n\n").count() >= 4, "{text}");
    }
    // Tracking parameters and fragments from the feed never reach the list.
    let list = ok(watch(&env).args(["list"]));
    assert!(!list.contains("utm_") && !list.contains("#comments"), "{list}");

    // The server edits one article; a second pass stores exactly one revision.
    srv.page(
        "/news/westside-library",
        web_fixture_str("school.html").replace("at least two more years", "at least three more years"),
    );
    let out = ok(watch(&env).args(["run", "--once", "--all", "--gap", "0"]));
    assert_eq!(out.matches(": revision ").count(), 1, "{out}");
    let counts: Vec<usize> = ARTICLES.iter().map(|a| store.history(&format!("{host}/{a}")).unwrap().len()).collect();
    assert_eq!(counts, vec![1, 2, 1]);
    let diff = stdout_of(env.cmd().args(["diff", &format!("{host}/news/westside-library"), "--color", "never"]));
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
    ok(watch(&env).args(["add", "--feed", &srv.url("/atom.xml"), &srv.url("/feed.json"), &srv.url("/amp.xml")]));
    let out = ok(watch(&env).args(["run", "--once", "--gap", "0"]));
    assert!(out.contains("atom.xml: feed: 2 entries"), "{out}");
    assert!(out.contains("feed.json: feed: 2 entries"), "{out}");
    assert!(out.contains("amp.xml: feed: 1 entries"), "{out}");
    let list = ok(watch(&env).args(["list"]));
    assert_eq!(list.lines().filter(|l| l.starts_with("page")).count(), 3, "{list}");
}

#[test]
fn a_broken_feed_is_a_failed_check_shown_in_status() {
    let srv = Server::start("127.0.0.1", 1);
    srv.route("/broken.xml", vec![Resp::new(200, "<html><body>We moved our feed!</body></html>")]);
    let cut = web_fixture_str("feed-broken.xml").replace("{BASE}", &srv.url(""));
    srv.route("/cut.xml", vec![Resp::new(200, cut)]);
    let env = Env::new();
    ok(watch(&env).args(["add", "--feed", &srv.url("/broken.xml")]));
    let out = ok(watch(&env).args(["run", "--once"]));
    assert!(out.contains("failed: not a readable feed"), "{out}");
    // A feed cut off mid-item either fails or yields only complete entries;
    // it never invents a page.
    ok(watch(&env).args(["add", "--feed", &srv.url("/cut.xml")]));
    let out = ok(watch(&env).args(["run", "--once", "--gap", "0"]));
    assert!(out.contains("cut.xml: failed: not a readable feed") || out.contains("cut.xml: feed: "), "{out}");
    let status = ok(watch(&env).args(["status"]));
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
    let mut add = watch(&env);
    add.arg("add").args(&urls);
    ok(&mut add);
    ok(watch(&env).args(["run", "--once", "--gap", "0.05", "--workers", "4"]));
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
    ok(watch(&env).args(["add", &srv.url("/a")]));
    ok(watch(&env).args(["run", "--once"]));
    let status = ok(watch(&env).args(["status", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&status).unwrap();
    let st = &v[0]["state"];
    assert_eq!(st["last_status"], 429);
    let due = redline::store::parse_time(st["next_due"].as_str().unwrap()).unwrap();
    assert!(due >= redline::store::now() + 3000, "next due {due} ignores Retry-After");
    // Not due again: a second pass does not ask.
    ok(watch(&env).args(["run", "--once"]));
    assert_eq!(srv.hits_to("/a").len(), 1);

    // A date far away is capped at a week, not obeyed for 75 years.
    ok(watch(&env).args(["add", &srv.url("/b")]));
    ok(watch(&env).args(["run", "--once"]));
    let v: serde_json::Value = serde_json::from_str(&ok(watch(&env).args(["status", "--json"]))).unwrap();
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
    ok(watch(&env).args(["add", &allowed.url("/p"), &down.url("/p"), &strict.url("/p")]));
    let out = ok(watch(&env).args(["run", "--once", "--gap", "0"]));
    assert!(out.contains(&format!("{}: revision 1", allowed.url("/p"))), "{out}");
    assert!(out.contains(&format!("{}: deferred: robots.txt unavailable", down.url("/p"))), "{out}");
    assert!(out.contains(&format!("{}: failed: robots.txt does not allow", strict.url("/p"))), "{out}");
    assert!(down.hits_to("/p").is_empty() && strict.hits_to("/p").is_empty());
}

#[test]
fn add_list_remove() {
    let env = Env::new();
    let out = ok(watch(&env).args(["add", "https://news.example/a?utm_source=x", "https://news.example/b"]));
    assert!(out.contains("watching page https://news.example/a as news.example/a"), "{out}");
    let out = ok(watch(&env).args(["add", "https://news.example/a"]));
    assert!(out.contains("already watched"), "{out}");
    ok(watch(&env).args(["remove", "news.example/a"]));
    let list = ok(watch(&env).args(["list"]));
    assert_eq!(list.trim(), "page  https://news.example/b  news.example/b");
    assert_eq!(watch(&env).args(["remove", "https://nowhere.example/"]).output().unwrap().status.code(), Some(2));
    assert_eq!(watch(&env).args(["add", "ftp://x.example/"]).output().unwrap().status.code(), Some(2));
    assert_eq!(watch(&env).args(["add"]).output().unwrap().status.code(), Some(2));
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
