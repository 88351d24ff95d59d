//! `redline fetch URL [NAME]`: one polite request; extract; commit the text
//! if it changed.

use super::config::TrackerConfig;
use super::{CommandHelper, CommandResult, Exit, StoreOpt};
use crate::error::{Error, Result, EXIT_OK};
use crate::fetch::check::{Checker, Outcome};
use crate::fetch::http::{Client, Limits};
use crate::fetch::rules::Rules;
use crate::fetch::runner::{update_state, JobResult};
use crate::fetch::schedule::Jitter;
use crate::fetch::{canon, robots};
use crate::render::sanitize::visible_line;
use crate::store::{self, Store, WatchKind};
use std::io::Write;
use std::time::Duration;

#[derive(clap::Args, Debug)]
#[command(after_help = "Prints `revision N: <summary>` when the text changed, `unchanged` when it did not, \
`304 not modified` when the server said so.\n\
Exit codes: 0 checked (stored or unchanged), 8 the page could not be fetched (network, timeout, size \
limit, HTTP error, robots.txt), 9 the page looked broken and was not stored (--force stores it).\n\n\
Examples:\n  redline fetch https://news.example/story/42\n  redline fetch https://news.example/story/42 local/story-42")]
pub struct FetchArgs {
    /// The page to fetch (http or https).
    pub url: String,
    /// Article name (default: derived from the URL, as `commit --url` does).
    pub name: Option<String>,
    /// Store the text even if the page looks broken (cookie wall, error page, fragment).
    #[arg(long)]
    pub force: bool,
    /// After a new revision, run CMD (with `sh -c`) with the change as
    /// `redline.exec/1` JSON on standard input.
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    #[command(flatten)]
    pub net: NetArgs,
    #[command(flatten)]
    pub store: StoreOpt,
}

/// Request limits shared by `fetch` and `watch run`.
#[derive(clap::Args, Debug, Clone)]
pub struct NetArgs {
    /// Give up on a request after this many seconds (whole exchange;
    /// default 30, or `timeout` in the config file).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Refuse pages larger than this many bytes after decompression.
    #[arg(long = "max-page-bytes", value_name = "BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_page_bytes: u64,
    /// Contact (e-mail or URL) put in the User-Agent (default: `contact`
    /// in the config file).
    #[arg(long, value_name = "CONTACT")]
    pub contact: Option<String>,
}

impl NetArgs {
    /// The HTTP client: flags, then the config file, then defaults.
    pub fn client(&self, cfg: &TrackerConfig) -> Result<Client> {
        let timeout = self.timeout.or(cfg.timeout).unwrap_or(30.0);
        if !(timeout > 0.0 && timeout.is_finite()) {
            return Err(Error::usage(format!("--timeout must be a positive number of seconds, not {timeout}")));
        }
        let limits =
            Limits { timeout: Duration::from_secs_f64(timeout), max_body: self.max_page_bytes, ..Limits::default() };
        let ua = match (&self.contact, &cfg.user_agent) {
            (None, Some(ua)) => ua.clone(),
            (c, _) => crate::fetch::user_agent(c.as_deref().or(cfg.contact.as_deref())),
        };
        Ok(Client::new(&ua, limits))
    }
}

/// The observer id recorded with fetched revisions.
pub fn observer(cfg: &TrackerConfig) -> String {
    cfg.observer.clone().filter(|o| !o.trim().is_empty()).unwrap_or_else(|| crate::fetch::DEFAULT_OBSERVER.into())
}

/// Fetch one page and store its text if it changed.
pub fn run(args: FetchArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let url = canon::canonical(&args.url, None).map_err(|m| Error::Usage {
        msg: format!("cannot fetch {:?}: {m}", args.url),
        hint: Some("give a full URL such as https://news.example/story".into()),
    })?;
    let name = match &args.name {
        Some(n) => n.clone(),
        None => store::name_from_url(url.as_str())?,
    };
    store::validate_name(&name)?;
    let cfg = cx.config.tracker.clone();
    let client = args.net.client(&cfg)?;
    let observer = observer(&cfg);
    let store = cx.store.open_or_create()?;
    let rules = Rules::load(store.path()).map_err(|m| Error::Usage { msg: m, hint: None })?;
    let now = store::now();
    robots_allow(store, &client, &url, now)?;
    let host_rules = rules.for_host(url.host_str().unwrap_or(""));
    let checker = Checker { store, client: &client, observer: &observer };
    let outcome = checker.check(url.as_str(), &name, &host_rules, args.force, now)?;
    record_if_watched(store, url.as_str(), &name, &outcome, &cfg, now)?;
    match outcome {
        Outcome::Failed(f) if f.refused => Err(Error::Refused {
            url: url.to_string(),
            msg: f.msg,
            hint: Some("nothing was stored; if the page really is the article now, run again with --force".into()),
        }
        .into()),
        Outcome::Failed(f) => Err(Error::Fetch {
            url: url.to_string(),
            msg: f.msg,
            hint: f.retry_after.map(|s| format!("the server asks to wait {s} s before trying again")),
        }
        .into()),
        ok => {
            writeln!(cx.ui.stdout(), "{}", visible_line(&ok.line()))?;
            if let (Outcome::Stored { .. }, Some(cmd)) = (&ok, &args.exec) {
                super::notify::after_revision(cmd, store, &name);
            }
            Ok(EXIT_OK)
        }
    }
}

/// A watched URL fetched by hand: its watch state (last check, last
/// change, errors in a row, next due) records this check as `watch run`
/// would, so `watch status` stays true. (Its validators live on its raw
/// ref, which the check has already updated.) Only when the text went to
/// the watched article's name.
fn record_if_watched(
    store: &Store,
    url: &str,
    name: &str,
    outcome: &Outcome,
    cfg: &TrackerConfig,
    now: i64,
) -> Result<()> {
    let watched =
        store.watch_list()?.entries.iter().any(|e| e.kind == WatchKind::Page && e.url == url && e.name == name);
    if !watched {
        return Ok(());
    }
    let policy = super::watch::policy(cfg, None);
    let mut jitter = Jitter::new(now as u64 ^ u64::from(std::process::id()), policy.jitter);
    let result = JobResult::Page(outcome.clone());
    store.update_watch_state(|s| {
        let st = s.urls.entry(url.to_string()).or_default();
        update_state(st, &result, now, &policy, &mut jitter);
    })?;
    Ok(())
}

/// Consult (and refresh) the cached robots.txt of the URL's origin.
fn robots_allow(store: &Store, client: &Client, url: &url::Url, now: i64) -> Result<()> {
    let origin = robots::origin(url);
    let cached = store.watch_state()?.robots.remove(&origin);
    let entry = match cached {
        Some(e) if !robots::stale(Some(&e), now) => e,
        _ => {
            let e = robots::fetch(client, &origin, now);
            store.update_watch_state(|s| {
                s.robots.insert(origin.clone(), e.clone());
            })?;
            e
        }
    };
    match robots::verdict(&entry, url.as_str()) {
        robots::Verdict::Allowed(_) => Ok(()),
        robots::Verdict::Disallowed => Err(Error::Fetch {
            url: url.to_string(),
            msg: format!("robots.txt of {origin} does not allow redline to fetch this page"),
            hint: Some("redline honours robots.txt; nothing was fetched".into()),
        }),
        robots::Verdict::NotNow(m) => {
            Err(Error::Fetch { url: url.to_string(), msg: m, hint: Some("try again later".into()) })
        }
    }
}
