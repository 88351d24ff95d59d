//! Hostile and broken servers: every one ends in a clear message and a
//! documented exit code, nothing stored, and bounded time and memory.
//! Servers write in bounded loops and stop when the client hangs up.

use crate::common::Env;
use crate::webserver::{read_head, redline_in, send, web_fixture, web_fixture_str, RawServer, Resp, Server};
use redline::store::Store;
use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

fn fetch(env: &Env, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["fetch"];
    all.extend_from_slice(args);
    redline_in(&env.store(), &all)
}

fn nothing_stored(env: &Env, name: &str) {
    if let Some(store) = Store::open_existing(&env.store()).unwrap() {
        assert!(store.tip(name).unwrap().is_none(), "{name} was stored");
    }
}

/// robots.txt (404) then one page handler; counts connections itself.
fn with_robots(mut s: TcpStream, page: fn(TcpStream)) {
    let head = read_head(&mut s);
    if head.starts_with("GET /robots.txt") {
        send(&mut s, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    page(s)
}

#[test]
fn slow_header_times_out() {
    let srv = RawServer::start(4, |s| {
        with_robots(s, |mut s| {
            // Headers never come within the client's timeout.
            std::thread::sleep(Duration::from_secs(4));
            send(&mut s, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        })
    });
    let env = Env::new();
    let (code, _, err) = fetch(&env, &[&srv.url("/slow"), "slow", "--timeout", "1"]);
    assert_eq!(code, 8, "{err}");
    assert!(err.contains("timed out after 1 s"), "{err}");
    nothing_stored(&env, "slow");
}

#[test]
fn dripping_body_times_out() {
    let srv = RawServer::start(4, |s| {
        with_robots(s, |mut s| {
            send(&mut s, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>");
            for _ in 0..100 {
                std::thread::sleep(Duration::from_millis(100));
                if !send(&mut s, b"<p>drip</p>") {
                    return;
                }
            }
        })
    });
    let env = Env::new();
    let (code, _, err) = fetch(&env, &[&srv.url("/drip"), "drip", "--timeout", "1"]);
    assert_eq!(code, 8, "{err}");
    assert!(err.contains("timed out"), "{err}");
    nothing_stored(&env, "drip");
}

#[test]
fn a_64_mib_body_is_refused_at_the_limit() {
    let srv = RawServer::start(4, |s| {
        with_robots(s, |mut s| {
            let total = 64 * 1024 * 1024;
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {total}\r\n\r\n");
            send(&mut s, head.as_bytes());
            let chunk = vec![b'a'; 64 * 1024];
            for _ in 0..total / chunk.len() {
                if !send(&mut s, &chunk) {
                    return;
                }
            }
        })
    });
    let env = Env::new();
    let (code, _, err) = fetch(&env, &[&srv.url("/huge"), "huge"]);
    assert_eq!(code, 8, "{err}");
    assert!(err.contains("larger than the limit of 10485760 bytes"), "{err}");
    nothing_stored(&env, "huge");
}

#[test]
fn a_gzip_bomb_is_stopped_after_decompression() {
    // 100 MiB of zeros, about 100 KB on the wire.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..100 {
        gz.write_all(&zeros).unwrap();
    }
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 200_000);
    let srv = Server::start("127.0.0.1", 1);
    srv.route(
        "/bomb",
        vec![Resp::new(200, bomb).header("Content-Type", "text/html").header("Content-Encoding", "gzip")],
    );
    let env = Env::new();
    let (code, _, err) = fetch(&env, &[&srv.url("/bomb"), "bomb"]);
    assert_eq!(code, 8, "{err}");
    assert!(err.contains("larger than the limit") && err.contains("after decompression"), "{err}");
    nothing_stored(&env, "bomb");
    // A small page sent gzipped is fine.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&web_fixture("flood.html")).unwrap();
    srv.route("/gz", vec![Resp::html(gz.finish().unwrap()).header("Content-Encoding", "gzip")]);
    let (code, out, err) = fetch(&env, &[&srv.url("/gz"), "gz"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("revision 1"));
}

#[test]
fn a_truncated_body_is_not_stored() {
    let srv = RawServer::start(4, |s| {
        with_robots(s, |mut s| {
            let page = web_fixture("harbour.html");
            let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n", page.len());
            send(&mut s, head.as_bytes());
            send(&mut s, &page[..page.len() / 2]);
            // Close early: the client must notice the missing half.
        })
    });
    let env = Env::new();
    let (code, _, err) = fetch(&env, &[&srv.url("/cut"), "cut"]);
    assert_eq!(code, 8, "{err}");
    assert!(err.contains("the connection broke before the whole page arrived"), "{err}");
    nothing_stored(&env, "cut");
}

#[test]
fn garbage_instead_of_http_is_an_error() {
    let srv = RawServer::start(4, |s| {
        with_robots(s, |mut s| {
            send(&mut s, b"HELLO THERE\r\n\r\n");
        })
    });
    let env = Env::new();
    let (code, _, err) = fetch(&env, &[&srv.url("/x"), "x"]);
    assert_eq!(code, 8, "{err}");
    assert!(err.contains("request failed") && !err.contains("panicked"), "{err}");
}

#[test]
fn redirect_chains_are_followed_and_loops_end() {
    let srv = Server::start("127.0.0.1", 1);
    let to = |p: &str| Resp::new(301, "").header("Location", &srv.url(p));
    srv.route("/old", vec![to("/mid?utm_source=chain")]);
    srv.route("/mid", vec![Resp::new(302, "").header("Location", "/news/final#section-2")]);
    srv.page("/news/final", web_fixture("flood.html"));
    srv.route("/loop-a", vec![to("/loop-b")]);
    srv.route("/loop-b", vec![to("/loop-a")]);
    let env = Env::new();
    let (code, _, err) = fetch(&env, &[&srv.url("/old?utm_campaign=x"), "chain"]);
    assert_eq!(code, 0, "{err}");
    let store = Store::open(&env.store()).unwrap();
    let f = store.latest("chain").unwrap().meta.fetch.unwrap();
    assert_eq!(f.url, srv.url("/old"));
    assert!(f.final_url.ends_with("/news/final"), "{}", f.final_url);
    let (code, _, err) = fetch(&env, &[&srv.url("/loop-a"), "loop"]);
    assert_eq!(code, 8, "{err}");
    assert!(err.contains("more than 10 redirects"), "{err}");
    assert!(srv.hits_to("/loop-a").len() <= 6, "the loop was followed too long");
}

#[test]
fn last_modified_alone_gives_304_on_if_modified_since() {
    let srv = Server::start("127.0.0.1", 1);
    srv.route("/p", vec![Resp::html(web_fixture("flood.html")).without_header("ETag")]);
    let env = Env::new();
    assert_eq!(fetch(&env, &[&srv.url("/p"), "p"]).0, 0);
    let (code, out, _) = fetch(&env, &[&srv.url("/p"), "p"]);
    assert_eq!((code, out.trim()), (0, "304 not modified"));
    let hit = srv.hits_to("/p").pop().unwrap();
    assert_eq!(hit.header("If-Modified-Since"), Some("Tue, 03 Mar 2026 21:40:00 GMT"));
    assert_eq!(hit.header("If-None-Match"), None);
}

#[test]
fn a_page_changing_between_requests_turns_into_a_cookie_wall_then_comes_back() {
    let srv = Server::start("127.0.0.1", 1);
    let edited = web_fixture_str("harbour.html").replace("48 million", "52 million");
    srv.route(
        "/p",
        vec![
            Resp::html(web_fixture("harbour.html")),
            Resp::html(web_fixture("cookie-wall.html")),
            Resp::html(web_fixture("cookie-wall.html")),
            Resp::html(edited),
        ],
    );
    let env = Env::new();
    assert_eq!(fetch(&env, &[&srv.url("/p"), "p"]).0, 0);
    assert_eq!(fetch(&env, &[&srv.url("/p"), "p"]).0, 9);
    let (code, out, _) = fetch(&env, &[&srv.url("/p"), "p"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("revision 2: ") && out.contains("1 sentence reworded"), "{out}");
    // The raw ref kept all three distinct pages, the refused one marked.
    let store = Store::open(&env.store()).unwrap();
    let tip = store.raw_tip("p").unwrap().unwrap();
    assert!(store.raw_info(tip).unwrap().accepted);
}
