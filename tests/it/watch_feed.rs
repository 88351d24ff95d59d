//! `watch feed` (one Atom feed over the watched set) and `fetch` of a
//! watched URL keeping its watch state true.

use crate::common::Env;
use crate::webserver::{redline_in, redline_ok, web_fixture, web_fixture_str, Resp, Server};

fn state_of(env: &Env, url: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(&redline_ok(&env.store(), &["watch", "status", "--json"])).unwrap();
    v.as_array().unwrap().iter().find(|r| r["url"] == url).unwrap_or_else(|| panic!("{url} not in {v}"))["state"]
        .clone()
}

#[test]
fn fetch_of_a_watched_url_updates_its_watch_state() {
    let srv = Server::start("127.0.0.1", 1);
    srv.page("/p", web_fixture("flood.html"));
    let env = Env::new();
    let url = srv.url("/p");
    redline_ok(&env.store(), &["watch", "add", &url]);
    assert!(state_of(&env, &url).is_null(), "never checked yet");

    let out = redline_ok(&env.store(), &["fetch", &url]);
    assert!(out.contains("revision 1"), "{out}");
    let st = state_of(&env, &url);
    assert!(st["last_check"].is_string() && st["last_change"] == st["last_check"], "{st}");
    assert!(st["next_due"].as_str().unwrap() > st["last_check"].as_str().unwrap(), "{st}");
    // `watch run` sees it as checked: not due, so the server is not asked.
    let hits = srv.hits_to("/p").len();
    redline_ok(&env.store(), &["watch", "run", "--once", "--gap", "0"]);
    assert_eq!(srv.hits_to("/p").len(), hits, "fetched by hand, yet checked again at once");

    // A failed fetch counts as a failure in a row, with its message.
    srv.route("/p", vec![Resp::new(500, "oops")]);
    let (code, _, _) = redline_in(&env.store(), &["fetch", &url]);
    assert_eq!(code, 8);
    let st = state_of(&env, &url);
    assert_eq!(st["failures"], 1);
    assert_eq!(st["last_status"], 500);
    assert!(st["last_error"].as_str().unwrap().contains("HTTP 500"), "{st}");
    assert!(redline_ok(&env.store(), &["watch", "status"]).contains("last error (1 in a row): HTTP 500"));

    // Fetched under another name, the watched article's state is left alone.
    srv.page("/p", web_fixture("flood.html"));
    redline_ok(&env.store(), &["fetch", &url, "elsewhere"]);
    assert_eq!(state_of(&env, &url)["failures"], 1);
}

#[test]
fn watch_feed_is_one_atom_feed_of_every_watched_change_newest_first() {
    let srv = Server::start("127.0.0.1", 2);
    srv.page("/a", web_fixture("flood.html"));
    srv.page("/b", web_fixture("school.html"));
    let env = Env::new();
    redline_ok(&env.store(), &["watch", "add", &srv.url("/a"), &srv.url("/b"), &srv.url("/never")]);
    // Nothing stored yet: an empty, valid feed.
    let empty = redline_ok(&env.store(), &["watch", "feed"]);
    assert_eq!(feed_rs::parser::parse(empty.as_bytes()).unwrap().entries.len(), 0);

    redline_ok(&env.store(), &["watch", "run", "--once", "--gap", "0"]);
    srv.page("/a", web_fixture_str("flood.html").replace("two shelters", "three shelters"));
    // (Revisions of one second tie; ties list by name, then newest
    // revision first, so /a's revision 2 leads either way.)
    let out = redline_ok(&env.store(), &["watch", "run", "--once", "--all", "--gap", "0"]);
    assert!(out.contains("/a: revision 2"), "{out}");
    // An article stored but not watched stays out of the feed.
    redline_ok(&env.store(), &["fetch", &srv.url("/b"), "unwatched"]);

    let xml = redline_ok(&env.store(), &["watch", "feed"]);
    let feed = feed_rs::parser::parse(xml.as_bytes()).unwrap();
    let titles: Vec<String> = feed.entries.iter().map(|e| e.title.as_ref().unwrap().content.clone()).collect();
    assert_eq!(feed.entries.len(), 3, "{titles:?}");
    let name_a = redline::store::name_from_url(&srv.url("/a")).unwrap();
    assert!(titles[0].starts_with(&format!("{name_a}@2: ")), "{titles:?}");
    assert!(feed.entries[0].summary.as_ref().unwrap().content.contains("1 sentence reworded"), "{titles:?}");
    assert!(!titles.iter().any(|t| t.starts_with("unwatched")), "{titles:?}");
    let mut ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3, "entry ids are unique");

    // --limit keeps the newest; --out writes a file with the same feed.
    let out = env.dir.path().join("watched.atom");
    redline_ok(&env.store(), &["watch", "feed", "--limit", "1", "--out", out.to_str().unwrap()]);
    let one = feed_rs::parser::parse(&std::fs::read(&out).unwrap()[..]).unwrap();
    assert_eq!(one.entries.len(), 1);
    assert_eq!(one.entries[0].id, feed.entries[0].id);
}
