//! `redline fetch URL [NAME]` against local servers: extraction, conditional
//! requests, boring changes, the quality gate, encodings, raw pages.

use crate::common::Env;
use crate::webserver::{redline_in, redline_ok, web_fixture, web_fixture_str, Resp, Server};
use redline::store::Store;

fn run(env: &Env, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["fetch"];
    all.extend_from_slice(args);
    redline_in(&env.store(), &all)
}

fn edited_harbour() -> String {
    web_fixture_str("harbour.html")
        .replace("by seven votes to four", "by eight votes to three")
        .replace("Updated 5 minutes ago", "Updated 2 hours ago")
}

#[test]
fn fetch_stores_extracted_text_then_304_then_unchanged_then_a_revision() {
    let srv = Server::start("127.0.0.1", 1);
    srv.page("/news/harbour-plan", web_fixture("harbour.html"));
    let env = Env::new();
    let url = srv.url("/news/harbour-plan?utm_source=rss#top");

    let (code, out, err) = run(&env, &[&url, "bugle/harbour"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("revision 1: "), "{out}");

    let store = Store::open(&env.store()).unwrap();
    let rev = store.latest("bugle/harbour").unwrap();
    let text = store.text_string(&rev).unwrap();
    assert!(text.starts_with("Council approves harbour plan after late-night vote\n\n"), "{text}");
    assert!(text.contains("five hours.\n\nThe plan, passed by seven votes"), "{text}");
    for chrome in ["Subscribe", "Advertisement", "boat insurance", "All rights reserved", "Sign up", "Ferry timetable"]
    {
        assert!(!text.contains(chrome), "{chrome:?} leaked into {text}");
    }
    let f = rev.meta.fetch.clone().expect("fetch metadata");
    assert_eq!(f.status, 200);
    assert_eq!(f.url, srv.url("/news/harbour-plan"), "tracking parameters and fragment dropped");
    assert_eq!(f.extractor, "dom_smoothie");
    assert!(f.etag.as_deref().is_some_and(|e| e.starts_with("\"v")));
    assert_eq!(f.last_modified.as_deref(), Some("Tue, 03 Mar 2026 21:40:00 GMT"));
    assert!(f.aliases.contains(&"https://bugle.example/news/harbour-plan".to_string()), "{:?}", f.aliases);
    assert_eq!(f.byline.as_deref(), Some("Mara Lindqvist"));
    assert_eq!(rev.meta.title, "Council approves harbour plan after late-night vote");
    // The raw page is kept byte for byte on refs/raw/<name>.
    let raw = store.raw_tip("bugle/harbour").unwrap().expect("raw ref");
    assert_eq!(store.raw_body(raw).unwrap(), web_fixture("harbour.html"));
    assert_eq!(f.raw.as_deref(), Some(raw.to_string().as_str()));

    // Same bytes: the validators go back exactly as received, and 304 stores nothing.
    let (code, out, _) = run(&env, &[&url, "bugle/harbour"]);
    assert_eq!((code, out.trim()), (0, "304 not modified"));
    let last = srv.hits_to("/news/harbour-plan").pop().unwrap();
    assert_eq!(last.header("If-None-Match"), f.etag.as_deref());
    assert_eq!(last.header("If-Modified-Since"), Some("Tue, 03 Mar 2026 21:40:00 GMT"));
    assert!(last.header("User-Agent").is_some_and(|ua| ua.starts_with("redline/")));

    // Only the relative timestamp and the ad changed: unchanged, no revision.
    let boring = web_fixture_str("harbour.html")
        .replace("Updated 5 minutes ago", "Updated 40 minutes ago")
        .replace("Low rates on boat insurance", "Fresh fish delivered");
    srv.page("/news/harbour-plan", boring);
    let (code, out, _) = run(&env, &[&url, "bugle/harbour"]);
    assert_eq!((code, out.trim()), (0, "unchanged"));
    assert_eq!(store.history("bugle/harbour").unwrap().len(), 1);

    // A real edit: one new revision whose diff names it.
    srv.page("/news/harbour-plan", edited_harbour());
    let (code, out, _) = run(&env, &[&url, "bugle/harbour"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("revision 2: ") && out.contains("reworded"), "{out}");
    let diff = redline_ok(&env.store(), &["diff", "bugle/harbour", "--color", "never", "--no-pager"]);
    assert!(diff.contains("[-seven-]{+eight+}") && diff.contains("[-four-]{+three+}"), "{diff}");
}

#[test]
fn name_defaults_to_host_and_path() {
    let srv = Server::start("127.0.0.1", 1);
    srv.page("/news/river-crest", web_fixture("flood.html"));
    let env = Env::new();
    let (code, _, err) = run(&env, &[&srv.url("/news/river-crest")]);
    assert_eq!(code, 0, "{err}");
    let store = Store::open(&env.store()).unwrap();
    // The test server's port is part of the page, so part of its name.
    let name = redline::store::name_from_url(&srv.url("/news/river-crest")).unwrap();
    assert!(name.starts_with("127.0.0.1-") && name.contains("/news/river-crest--"), "{name}");
    assert!(store.tip(&name).unwrap().is_some());
}

#[test]
fn broken_pages_are_never_committed() {
    let srv = Server::start("127.0.0.1", 1);
    let env = Env::new();
    let url = srv.url("/news/harbour-plan");
    srv.page("/news/harbour-plan", web_fixture("harbour.html"));
    assert_eq!(run(&env, &[&url, "h"]).0, 0);

    for (fixture, why) in [
        ("cookie-wall.html", "words of article text"),
        ("error-page.html", "words of article text"),
        ("fragment.html", "shrank"),
    ] {
        srv.page("/news/harbour-plan", web_fixture(fixture));
        let before = srv.hits_to("/news/harbour-plan").len();
        let (code, out, err) = run(&env, &[&url, "h"]);
        assert_eq!(code, 9, "{fixture}: {out} {err}");
        assert!(err.contains("not stored") && err.contains(why), "{fixture}: {err}");
        // It looked twice, the second time past caches.
        let hits = srv.hits_to("/news/harbour-plan");
        assert_eq!(hits.len(), before + 2, "{fixture}");
        assert_eq!(hits.last().unwrap().header("Cache-Control"), Some("no-cache"));
        let store = Store::open(&env.store()).unwrap();
        assert_eq!(store.history("h").unwrap().len(), 1, "{fixture} was committed");
    }
    // The page comes back: the validators sent are the good page's (the
    // refused pages never became the reference), so the server says 304.
    srv.page("/news/harbour-plan", web_fixture("harbour.html"));
    let (code, out, _) = run(&env, &[&url, "h"]);
    assert_eq!((code, out.trim()), (0, "304 not modified"));
    let good_etag = srv.hits_to("/news/harbour-plan")[0].header("If-None-Match").map(str::to_string);
    assert_eq!(good_etag, None, "the first request was unconditional");
    // --force stores a page the gate refuses.
    srv.page("/news/harbour-plan", web_fixture("fragment.html"));
    let (code, out, _) = run(&env, &[&url, "h", "--force"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("revision 2: "), "{out}");
}

#[test]
fn an_error_page_on_the_first_fetch_stores_nothing() {
    let srv = Server::start("127.0.0.1", 1);
    srv.page("/x", web_fixture("error-page.html"));
    srv.route("/gone", vec![Resp::new(404, "no such page")]);
    let env = Env::new();
    let (code, _, err) = run(&env, &[&srv.url("/x"), "x"]);
    assert_eq!(code, 9, "{err}");
    let (code, _, err) = run(&env, &[&srv.url("/gone"), "gone"]);
    assert_eq!(code, 8, "{err}");
    assert!(err.contains("HTTP 404"), "{err}");
    let store = Store::open(&env.store()).unwrap();
    assert!(store.tip("x").unwrap().is_none() && store.tip("gone").unwrap().is_none());
}

#[test]
fn cp1252_with_meta_and_shift_jis_without_any_declaration_decode() {
    let srv = Server::start("127.0.0.1", 1);
    srv.route("/cafe", vec![Resp::new(200, web_fixture("cafe-cp1252.html")).header("Content-Type", "text/html")]);
    srv.route(
        "/minato",
        vec![Resp::new(200, web_fixture("minato-shift_jis.html")).header("Content-Type", "text/html")],
    );
    let env = Env::new();
    assert_eq!(run(&env, &[&srv.url("/cafe"), "cafe"]).0, 0);
    let (code, _, err) = run(&env, &[&srv.url("/minato"), "minato"]);
    assert_eq!(code, 0, "{err}");
    let store = Store::open(&env.store()).unwrap();
    let cafe = store.latest("cafe").unwrap();
    let text = store.text_string(&cafe).unwrap();
    assert!(text.contains("Le café du port rouvre ses portes") && text.contains("l’établissement"), "{text}");
    assert!(text.contains("000 €") && text.contains("Élodie Marchand") && text.contains("« Nous"), "{text}");
    assert_eq!(cafe.meta.fetch.unwrap().charset, "windows-1252 (meta)");
    let jp = store.latest("minato").unwrap();
    let text = store.text_string(&jp).unwrap();
    assert!(text.contains("新しい桟橋が完成") && text.contains("自転車道"), "{text}");
    assert_eq!(jp.meta.fetch.unwrap().charset, "Shift_JIS (guess)");
}

#[test]
fn robots_txt_is_honoured_and_cached() {
    let srv = Server::start("127.0.0.1", 1);
    srv.route("/robots.txt", vec![Resp::new(200, "User-agent: *\nDisallow: /private/\n")]);
    srv.page("/private/memo", web_fixture("harbour.html"));
    srv.page("/news/river", web_fixture("flood.html"));
    let env = Env::new();
    let (code, _, err) = run(&env, &[&srv.url("/private/memo"), "memo"]);
    assert_eq!(code, 8);
    assert!(err.contains("robots.txt"), "{err}");
    assert!(srv.hits_to("/private/memo").is_empty(), "a disallowed page was requested");
    assert_eq!(run(&env, &[&srv.url("/news/river"), "river"]).0, 0);
    assert_eq!(srv.hits_to("/robots.txt").len(), 1, "robots.txt is cached");
}

#[test]
fn gc_packs_raw_pages_and_the_watch_list_and_keeps_them_readable() {
    let srv = Server::start("127.0.0.1", 1);
    let env = Env::new();
    let url = srv.url("/p");
    for i in 0..5 {
        srv.page("/p", web_fixture_str("harbour.html").replace("48 million", &format!("{} million", 48 + i)));
        assert_eq!(run(&env, &[&url, "p"]).0, 0);
    }
    redline_ok(&env.store(), &["watch", "add", &url]);
    redline_ok(&env.store(), &["gc"]);
    let (code, out, err) = redline_in(&env.store(), &["fsck"]);
    assert_eq!(code, 0, "{out}{err}");
    let store = Store::open(&env.store()).unwrap();
    let tip = store.raw_tip("p").unwrap().unwrap();
    assert!(String::from_utf8(store.raw_body(tip).unwrap()).unwrap().contains("52 million"));
    assert_eq!(store.history("p").unwrap().len(), 5);
    assert_eq!(store.watch_list().unwrap().entries.len(), 1);
}

#[test]
fn rules_toml_boring_patterns_and_removed_selectors_apply_per_host() {
    let srv = Server::start("127.0.0.1", 1);
    let env = Env::new();
    let url = srv.url("/p");
    let live = |n: u32| {
        web_fixture_str("harbour.html").replace(
            "<p>A public hearing",
            &format!("<p>Live: {n} people watching the council stream right now.</p>\n<p>A public hearing"),
        )
    };
    srv.page("/p", live(12));
    assert_eq!(run(&env, &[&url, "p"]).0, 0);
    // Without a rule the counter is a change.
    srv.page("/p", live(40));
    let (_, out, _) = run(&env, &[&url, "p"]);
    assert!(out.starts_with("revision 2: "), "{out}");
    // With one, it is not; and a removed selector drops its text.
    std::fs::write(
        env.store().join("rules.toml"),
        "[hosts.\"127.0.0.1\"]\nboring = ['Live: \\d+ people watching']\nremove = ['aside', '.newsletter']\n",
    )
    .unwrap();
    srv.page("/p", live(77));
    let (code, out, err) = run(&env, &[&url, "p"]);
    assert_eq!((code, out.trim()), (0, "unchanged"), "{err}");
    let bad = "[hosts.\"127.0.0.1\"]\nremove = ['p[']\n";
    std::fs::write(env.store().join("rules.toml"), bad).unwrap();
    srv.page("/p", live(78));
    let (code, _, err) = run(&env, &[&url, "p"]);
    assert_eq!(code, 2, "a bad rules file is a usage error, before any request");
    assert!(err.contains("rules.toml") && err.contains("bad CSS selector"), "{err}");
}
