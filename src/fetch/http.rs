//! One polite HTTP exchange with hard limits.
//!
//! Why these limits: the tracker reads pages from strangers, unattended. A
//! server that sends headers slowly or drips its body must not hold a worker
//! forever (one global timeout bounds the whole exchange), a 64 MiB page or
//! a gzip bomb must not fill memory (the body limit applies after content
//! decoding), and a redirect loop must end. Status codes are never errors
//! here (`http_status_as_error(false)`): a 429 or 503 is read so its
//! `Retry-After` can be obeyed.

use std::io::Read;
use std::time::Duration;
use ureq::ResponseExt;

/// Limits on one request.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Bounds the whole exchange, redirects and body included.
    pub timeout: Duration,
    /// Decoded body bytes; more is refused.
    pub max_body: u64,
    pub max_redirects: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { timeout: Duration::from_secs(30), max_body: 10 * 1024 * 1024, max_redirects: 10 }
    }
}

/// Validators from the previous accepted response, sent back unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A received response, body read in full (within the limit).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub final_url: String,
    /// As received, in order (names lower-cased by the HTTP library).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Status line and headers as text, for the raw page.
    pub fn header_text(&self) -> String {
        let mut s = format!("HTTP {}\n", self.status);
        for (k, v) in &self.headers {
            s.push_str(&format!("{k}: {v}\n"));
        }
        s
    }

    pub fn validators(&self) -> Validators {
        Validators {
            etag: self.header("etag").map(str::to_string),
            last_modified: self.header("last-modified").map(str::to_string),
        }
    }
}

/// Why a request produced no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    BadUrl(String),
    Timeout(Duration),
    TooLarge(u64),
    TooManyRedirects(u32),
    /// DNS, refused connection, TLS.
    Connect(String),
    /// The connection broke mid-body (a truncated Content-Length).
    Truncated(String),
    Other(String),
}

impl FetchError {
    /// Worth retrying later with backoff (the page may come back).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            FetchError::Timeout(_) | FetchError::Connect(_) | FetchError::Truncated(_) | FetchError::Other(_)
        )
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::BadUrl(m) => write!(f, "not a fetchable URL: {m}"),
            FetchError::Timeout(d) => write!(f, "timed out after {} s", d.as_secs_f64()),
            FetchError::TooLarge(n) => {
                write!(f, "the page is larger than the limit of {} bytes (after decompression); refused", n)
            }
            FetchError::TooManyRedirects(n) => write!(f, "more than {n} redirects (a redirect loop?)"),
            FetchError::Connect(m) => write!(f, "cannot connect: {m}"),
            FetchError::Truncated(m) => write!(f, "the connection broke before the whole page arrived: {m}"),
            FetchError::Other(m) => write!(f, "request failed: {m}"),
        }
    }
}

/// A blocking HTTP client shared by all workers (the agent pools
/// connections per host).
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    limits: Limits,
}

impl Client {
    pub fn new(user_agent: &str, limits: Limits) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(limits.timeout))
            .max_redirects(limits.max_redirects)
            .user_agent(user_agent)
            .build();
        Client { agent: config.into(), limits }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// GET `url`, conditional on `v`; `no_cache` asks caches between us and
    /// the server for a fresh copy (the quality gate's second look).
    pub fn get(&self, url: &str, v: &Validators, no_cache: bool) -> Result<Response, FetchError> {
        let mut req = self.agent.get(url);
        if let Some(e) = &v.etag {
            req = req.header("If-None-Match", e);
        }
        if let Some(m) = &v.last_modified {
            req = req.header("If-Modified-Since", m);
        }
        if no_cache {
            req = req.header("Cache-Control", "no-cache");
        }
        let resp = req.call().map_err(|e| self.classify(e))?;
        let status = resp.status().as_u16();
        let final_url = resp.get_uri().to_string();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        // (A 304's Content-Length may describe the page it stands for.)
        let declared = declared_length(&resp).filter(|_| (200..300).contains(&status) && status != 204);
        if declared.is_some_and(|n| n > self.limits.max_body) {
            // Refused before a byte of it is read.
            return Err(FetchError::TooLarge(self.limits.max_body));
        }
        let mut reader = resp.into_body().into_with_config().limit(self.limits.max_body).reader();
        let body = read_capped(&mut reader, self.limits.max_body, declared).map_err(|e| self.classify_io(e))?;
        Ok(Response { status, final_url, headers, body })
    }

    fn classify(&self, e: ureq::Error) -> FetchError {
        match e {
            ureq::Error::Timeout(_) => FetchError::Timeout(self.limits.timeout),
            ureq::Error::BodyExceedsLimit(n) => FetchError::TooLarge(n),
            ureq::Error::TooManyRedirects => FetchError::TooManyRedirects(self.limits.max_redirects),
            ureq::Error::BadUri(m) => FetchError::BadUrl(m),
            ureq::Error::HostNotFound => FetchError::Connect("host not found".into()),
            ureq::Error::ConnectionFailed => FetchError::Connect("connection failed".into()),
            ureq::Error::Tls(m) => FetchError::Connect(format!("TLS: {m}")),
            ureq::Error::Io(io) => self.classify_io(io),
            other => FetchError::Other(other.to_string()),
        }
    }

    fn classify_io(&self, io: std::io::Error) -> FetchError {
        // ureq wraps its own errors (limit, timeout) in io::Error while reading the body.
        if let Some(inner) = io.get_ref().and_then(|e| e.downcast_ref::<ureq::Error>()) {
            return match inner {
                ureq::Error::BodyExceedsLimit(n) => FetchError::TooLarge(*n),
                ureq::Error::Timeout(_) => FetchError::Timeout(self.limits.timeout),
                other => FetchError::Truncated(other.to_string()),
            };
        }
        match io.kind() {
            std::io::ErrorKind::ConnectionRefused => FetchError::Connect(io.to_string()),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => FetchError::Timeout(self.limits.timeout),
            _ => FetchError::Truncated(io.to_string()),
        }
    }
}

/// The body length the server declared, when it is the length of the
/// bytes we will read (not of a compressed encoding).
fn declared_length(resp: &ureq::http::Response<ureq::Body>) -> Option<u64> {
    if resp.headers().contains_key("content-encoding") {
        return None;
    }
    resp.headers().get("content-length")?.to_str().ok()?.trim().parse().ok()
}

/// Read a whole body whose reader fails past `max` bytes, never holding
/// more than `max` bytes of capacity: `read_to_end` doubles its buffer, so
/// a 10 MiB limit could cost 16 MiB (and a gzip bomb would get them).
fn read_capped(r: &mut impl Read, max: u64, declared: Option<u64>) -> std::io::Result<Vec<u8>> {
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    let mut body = Vec::with_capacity(declared.map_or(64 * 1024, |n| n as usize).min(max));
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match r.read(&mut chunk) {
            Ok(0) => return Ok(body),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if body.len() + n > body.capacity() {
            let want = (body.capacity() * 2).max(body.len() + n).min(max.max(body.len() + n));
            body.reserve_exact(want - body.len());
        }
        body.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that fails past `limit`, as ureq's limited body does.
    struct Limited {
        left: usize,
        limit: usize,
        served: usize,
    }

    impl Read for Limited {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.served > self.limit {
                return Err(std::io::Error::other("over the limit"));
            }
            let n = buf.len().min(self.left).min(7000);
            buf[..n].fill(b'x');
            self.left -= n;
            self.served += n;
            Ok(n)
        }
    }

    #[test]
    fn the_body_buffer_never_grows_past_the_limit() {
        let limit = 1_000_000;
        let mut r = Limited { left: limit, limit, served: 0 };
        let body = read_capped(&mut r, limit as u64, None).unwrap();
        assert_eq!(body.len(), limit);
        assert!(body.capacity() <= limit, "capacity {} over the limit", body.capacity());
        // Past the limit, the reader's error comes through.
        let mut r = Limited { left: 3 * limit, limit, served: 0 };
        assert!(read_capped(&mut r, limit as u64, None).is_err());
        // A declared length is allocated once.
        let mut r = Limited { left: 123_456, limit, served: 0 };
        let body = read_capped(&mut r, limit as u64, Some(123_456)).unwrap();
        assert_eq!((body.len(), body.capacity()), (123_456, 123_456));
    }
}
