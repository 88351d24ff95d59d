//! Local HTTP servers for the tracker tests: a tiny_http server with
//! programmable routes that change between requests, and a raw TCP server
//! for malformed responses. Both bind 127.0.0.x:0 and stop when dropped;
//! nothing here touches the internet.
#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One canned response.
#[derive(Clone, Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Resp {
        Resp { status, headers: Vec::new(), body: body.into() }
    }

    /// An HTML page with a strong ETag and a Last-Modified derived from
    /// its bytes, so a 304 follows only for the same bytes.
    pub fn html(body: impl Into<Vec<u8>>) -> Resp {
        let body = body.into();
        let tag = format!("\"v{:x}\"", fnv(&body));
        Resp::new(200, body)
            .header("Content-Type", "text/html; charset=utf-8")
            .header("ETag", &tag)
            .header("Last-Modified", "Tue, 03 Mar 2026 21:40:00 GMT")
    }

    pub fn header(mut self, k: &str, v: &str) -> Resp {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }

    pub fn without_header(mut self, k: &str) -> Resp {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(k));
        self
    }

    fn last_modified(&self) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("last-modified")).map(|(_, v)| v.as_str())
    }

    fn etag(&self) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("etag")).map(|(_, v)| v.as_str())
    }
}

fn fnv(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &x| (h ^ u64::from(x)).wrapping_mul(0x100_0000_01b3))
}

/// A request the server saw.
#[derive(Clone, Debug)]
pub struct Hit {
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// Requests in flight to this server when this one arrived (1 = alone).
    pub concurrent: usize,
}

impl Hit {
    pub fn header(&self, k: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    /// Responses per path; the last one repeats.
    routes: HashMap<String, VecDeque<Resp>>,
    hits: Vec<Hit>,
    in_flight: usize,
    /// Time each request is held before its response, counted as in flight.
    delay: Duration,
}

pub struct Server {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    threads: Vec<JoinHandle<()>>,
}

impl Server {
    /// A server on `ip`:0 (127.0.0.1, .2, .3 count as different hosts)
    /// with `workers` threads.
    pub fn start(ip: &str, workers: usize) -> Server {
        let server = Arc::new(tiny_http::Server::http(format!("{ip}:0")).expect("bind test server"));
        let addr = server.server_addr().to_ip().expect("ip address");
        let state = Arc::new(Mutex::new(State::default()));
        let threads = (0..workers.max(1))
            .map(|_| {
                let (server, state) = (server.clone(), state.clone());
                std::thread::spawn(move || serve(&server, &state))
            })
            .collect();
        Server { addr, state, server, threads }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Serve these responses at `path`, in turn (the last repeats).
    pub fn route(&self, path: &str, resps: Vec<Resp>) {
        self.state.lock().unwrap().routes.insert(path.to_string(), resps.into());
    }

    /// Serve one page at `path` from now on.
    pub fn page(&self, path: &str, body: impl Into<Vec<u8>>) {
        self.route(path, vec![Resp::html(body)]);
    }

    /// Hold every request this long before answering (it counts as in
    /// flight meanwhile, so overlapping requests are seen).
    pub fn set_delay(&self, d: Duration) {
        self.state.lock().unwrap().delay = d;
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.state.lock().unwrap().hits.clone()
    }

    pub fn hits_to(&self, path: &str) -> Vec<Hit> {
        self.hits().into_iter().filter(|h| h.path == path).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
        for _ in 1..self.threads.len() {
            self.server.unblock();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn serve(server: &tiny_http::Server, state: &Mutex<State>) {
    while let Ok(mut req) = server.recv() {
        let path = req.url().to_string();
        let headers: Vec<(String, String)> =
            req.headers().iter().map(|h| (h.field.to_string(), h.value.to_string())).collect();
        let mut body = String::new();
        let _ = req.as_reader().read_to_string(&mut body);
        let resp = {
            let mut st = state.lock().unwrap();
            st.in_flight += 1;
            let concurrent = st.in_flight;
            st.hits.push(Hit { path: path.clone(), headers: headers.clone(), concurrent });
            let key = if st.routes.contains_key(&path) {
                path.clone()
            } else {
                path.split('?').next().unwrap_or("").to_string()
            };
            match st.routes.get_mut(&key) {
                Some(q) if q.len() > 1 => q.pop_front(),
                Some(q) => q.front().cloned(),
                None => Some(Resp::new(404, "not found")),
            }
        };
        let delay = state.lock().unwrap().delay;
        std::thread::sleep(delay);
        // Out of flight before the response goes: the client may send its
        // next request the moment it has read this one.
        state.lock().unwrap().in_flight -= 1;
        let resp = resp.unwrap_or_else(|| Resp::new(404, "not found"));
        let inm = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("if-none-match")).map(|(_, v)| v.clone());
        let ims = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("if-modified-since")).map(|(_, v)| v.clone());
        let by_tag = inm.is_some() && inm.as_deref() == resp.etag();
        let by_date = resp.etag().is_none() && ims.is_some() && ims.as_deref() == resp.last_modified();
        let not_modified = resp.status == 200 && (by_tag || by_date);
        let (status, body) = if not_modified { (304, Vec::new()) } else { (resp.status, resp.body.clone()) };
        let mut out = tiny_http::Response::from_data(body).with_status_code(status);
        for (k, v) in &resp.headers {
            if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                out.add_header(h);
            }
        }
        let _ = req.respond(out);
    }
}

/// A raw TCP server: each accepted connection (at most `max_conns`) is
/// handed to `handler` on its own thread. Stops accepting when dropped.
pub struct RawServer {
    pub addr: SocketAddr,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RawServer {
    pub fn start(max_conns: usize, handler: fn(TcpStream)) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind raw server");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut served = 0;
            let deadline = std::time::Instant::now() + Duration::from_secs(120);
            while served < max_conns && !flag.load(std::sync::atomic::Ordering::SeqCst) {
                if std::time::Instant::now() > deadline {
                    break;
                }
                match listener.accept() {
                    Ok((s, _)) => {
                        s.set_nonblocking(false).unwrap();
                        served += 1;
                        std::thread::spawn(move || handler(s));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        RawServer { addr, stop, thread: Some(thread) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Read the request head (up to the blank line) from a raw connection.
pub fn read_head(s: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    while !buf.ends_with(b"\r\n\r\n") && buf.len() < 64 * 1024 {
        match s.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// Write, ignoring a peer that hung up.
pub fn send(s: &mut TcpStream, bytes: &[u8]) -> bool {
    s.write_all(bytes).and_then(|_| s.flush()).is_ok()
}

/// A fixture page under fixtures/web/.
pub fn web_fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/web").join(name)).expect("fixture")
}

pub fn web_fixture_str(name: &str) -> String {
    String::from_utf8(web_fixture(name)).expect("utf-8 fixture")
}

/// `redline --store STORE ARGS…`, run to completion with a scrubbed
/// environment (no proxy, pager or colour settings leak in) and standard
/// input closed: (exit code, stdout, stderr). Every request it makes is
/// bounded by redline's own timeouts.
pub fn redline_in(store: &Path, args: &[&str]) -> (i32, String, String) {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_redline"));
    for v in ["REDLINE_STORE", "PAGER", "REDLINE_PAGER", "NO_COLOR", "CLICOLOR_FORCE", "XDG_CONFIG_HOME"] {
        c.env_remove(v);
    }
    for v in ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
        c.env_remove(v);
    }
    // No personal config file: tests that want one pass --config.
    c.env("REDLINE_CONFIG", "/dev/null")
        .env("NO_PROXY", "*")
        .env("TZ", "UTC")
        .env("COLUMNS", "100")
        .env("HOME", store.parent().unwrap_or(store));
    c.arg("--store").arg(store).args(args).stdin(std::process::Stdio::null());
    let out = c.output().expect("run redline");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// [`redline_in`] that must succeed; returns stdout.
pub fn redline_ok(store: &Path, args: &[&str]) -> String {
    let (code, out, err) = redline_in(store, args);
    assert_eq!(code, 0, "redline {args:?} failed\nstdout: {out}\nstderr: {err}");
    out
}
