//! `redline import SOURCE`: bulk-add revisions in one process.
//!
//! SOURCE is a folder (every folder holding `*.txt` files is an article
//! named by its relative path; versions in file-name order; a version's
//! observed time is its file's modification time) or a JSON Lines file
//! (`-` for standard input) of `{"name","text","observed_at","title","url"}`
//! records (`name` may be left out when `url` is given; `observed_at`
//! defaults to now). Semantics are `commit`'s; see `store::import`.

use super::input::{check_text, read_text};
use super::{CommandHelper, CommandResult, Exit, StoreOpt};
use crate::error::{Error, Result, EXIT_OK};
use crate::store::{self, validate_name, ImportRecord, ImportReport, ACCEPTED_DATE_FORMS};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Deserialize;
use std::io::{BufRead, BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  redline import fixtures                 # every NAME/NNNN.txt chain under fixtures/\n  redline import versions.jsonl           # {\"name\",\"text\",\"observed_at\",\"title\",\"url\"} per line\n  scraper | redline import -"
)]
pub struct ImportArgs {
    /// A folder laid out as NAME/NNNN.txt (oldest first), or a JSON Lines
    /// file of {"name","text","observed_at","title","url"}; `-` reads JSON
    /// Lines from standard input.
    pub source: PathBuf,
    /// Refuse any single text larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = super::input::DEFAULT_MAX_BYTES)]
    pub max_bytes: u64,
    /// Do not show a progress bar.
    #[arg(long)]
    pub quiet: bool,
    #[command(flatten)]
    pub store: StoreOpt,
}

/// Import every record, then report how many were stored.
pub fn run(args: ImportArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let source = Source::detect(&args.source)?;
    let store = cx.store.open_or_create()?;
    let started = Instant::now();
    let bar = progress_bar(source.total(), args.quiet);
    let mut progress = |r: &ImportReport| {
        if let Some(b) = &bar {
            b.set_position(r.records as u64);
        }
    };
    let max = args.max_bytes;
    let report = match source {
        Source::Folder(articles) => store.import(folder_records(articles, max), &mut progress),
        Source::Lines(label, reader) => store.import(json_records(label, reader, max), &mut progress),
    };
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let r = report?;
    let secs = started.elapsed().as_secs_f64();
    let out = cx.ui.stdout();
    writeln!(
        out,
        "imported {} article(s): {} revision(s) stored, {} unchanged skipped, {} already stored, in {:.2}s ({:.0} revisions/s)",
        r.articles,
        r.stored,
        r.unchanged,
        r.already_stored,
        secs,
        r.records as f64 / secs.max(1e-9)
    )?;
    if r.replayed > 0 {
        writeln!(
            out,
            "{} revision(s) were rebuilt because another writer changed the same articles meanwhile",
            r.replayed
        )?;
    }
    Ok(EXIT_OK)
}

/// A folder of `NAME/NNNN.txt`, or a JSON Lines stream.
enum Source {
    Folder(Vec<FolderArticle>),
    Lines(String, Box<dyn BufRead>),
}

/// One article folder: its name and its version files in file-name order.
struct FolderArticle {
    name: String,
    files: Vec<PathBuf>,
}

impl Source {
    fn detect(path: &Path) -> Result<Source> {
        if path.as_os_str() == "-" {
            return Ok(Source::Lines("<stdin>".into(), Box::new(std::io::stdin().lock())));
        }
        let label = path.display().to_string();
        let md = std::fs::metadata(path).map_err(|e| Error::Input {
            path: label.clone(),
            msg: if e.kind() == std::io::ErrorKind::NotFound { "no such file or folder".into() } else { e.to_string() },
            hint: Some("pass a folder of NAME/NNNN.txt files, a JSON Lines file, or - for standard input".into()),
        })?;
        if md.is_dir() {
            return Ok(Source::Folder(scan_folder(path)?));
        }
        let f = std::fs::File::open(path).map_err(|e| Error::io(format!("opening {label}"), e))?;
        Ok(Source::Lines(label, Box::new(BufReader::new(f))))
    }

    fn total(&self) -> Option<u64> {
        match self {
            Source::Folder(a) => Some(a.iter().map(|a| a.files.len() as u64).sum()),
            Source::Lines(..) => None,
        }
    }
}

/// Every folder holding `*.txt` files is an article named by its path
/// relative to `root` (`progit/objects`); `*.txt` files directly in `root`
/// form an article named after `root` itself. Other files are ignored, as are
/// hidden folders. All names are checked before anything is imported.
fn scan_folder(root: &Path) -> Result<Vec<FolderArticle>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|e| Error::io(format!("reading folder {}", dir.display()), e))?;
        let mut files = Vec::new();
        for entry in rd.flatten() {
            let p = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            match entry.file_type() {
                Ok(t) if t.is_dir() && !hidden => stack.push(p),
                Ok(_) if !hidden && p.is_file() && p.extension().is_some_and(|x| x == "txt") => files.push(p),
                _ => {}
            }
        }
        if files.is_empty() {
            continue;
        }
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        let name = article_name(root, &dir)?;
        validate_name(&name)?;
        out.push(FolderArticle { name, files });
    }
    if out.is_empty() {
        return Err(Error::Input {
            path: root.display().to_string(),
            msg: "contains no *.txt files".into(),
            hint: Some("lay the folder out as NAME/0001.txt, NAME/0002.txt, ... (oldest first)".into()),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn article_name(root: &Path, dir: &Path) -> Result<String> {
    let rel = dir.strip_prefix(root).unwrap_or(dir);
    let parts: Vec<String> = if rel.as_os_str().is_empty() {
        let abs = root.canonicalize().map_err(|e| Error::io(format!("resolving {}", root.display()), e))?;
        abs.file_name().map(|n| vec![n.to_string_lossy().into_owned()]).unwrap_or_default()
    } else {
        rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect()
    };
    Ok(parts.join("/"))
}

/// Folder versions as records; a version's observed time is its file's
/// modification time.
fn folder_records(articles: Vec<FolderArticle>, max: u64) -> impl Iterator<Item = Result<ImportRecord>> {
    articles.into_iter().flat_map(move |a| {
        let name = a.name;
        a.files.into_iter().map(move |f| {
            let text = read_text(&f, max)?;
            let observed_at = std::fs::metadata(&f)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs() as i64)
                .unwrap_or_else(store::now);
            Ok(ImportRecord { name: name.clone(), text, title: None, url: None, observed_at, message: None })
        })
    })
}

/// One JSON Lines record.
#[derive(Deserialize)]
struct JsonRecord {
    name: Option<String>,
    text: String,
    observed_at: Option<String>,
    title: Option<String>,
    url: Option<String>,
    message: Option<String>,
}

fn json_records(label: String, reader: Box<dyn BufRead>, max: u64) -> impl Iterator<Item = Result<ImportRecord>> {
    reader.lines().enumerate().filter_map(move |(i, line)| {
        let at = format!("{label}:{}", i + 1);
        match line {
            Err(e) => Some(Err(Error::Input {
                path: at,
                msg: format!("cannot read the line: {e}"),
                hint: Some("JSON Lines must be UTF-8 text, one JSON object per line".into()),
            })),
            Ok(l) if l.trim().is_empty() => None,
            Ok(l) => Some(json_record(&l, &at, max)),
        }
    })
}

fn json_record(line: &str, at: &str, max: u64) -> Result<ImportRecord> {
    let bad = |msg: String, hint: &str| Error::Input { path: at.to_string(), msg, hint: Some(hint.to_string()) };
    let r: JsonRecord = serde_json::from_str(line).map_err(|e| {
        bad(
            format!("not a valid record: {e}"),
            r#"each line must be {"name": ..., "text": ..., "observed_at": ..., "title": ..., "url": ...}"#,
        )
    })?;
    if r.text.len() as u64 > max {
        return Err(bad(
            format!("text larger than the limit of {max} bytes"),
            "raise the limit with --max-bytes BYTES",
        ));
    }
    let text = check_text(r.text.into_bytes(), at)?;
    let name = match (r.name, &r.url) {
        (Some(n), _) => n,
        (None, Some(u)) => store::name_from_url(u)?,
        (None, None) => return Err(bad("has neither \"name\" nor \"url\"".into(), "give each record a name")),
    };
    let observed_at = match &r.observed_at {
        Some(t) => store::parse_time(t)
            .map_err(|why| bad(format!("bad observed_at {t:?}: {why}"), &format!("use {ACCEPTED_DATE_FORMS}")))?,
        None => store::now(),
    };
    Ok(ImportRecord { name, text, title: r.title, url: r.url, observed_at, message: r.message })
}

/// A bar on stderr, only for people watching a terminal.
fn progress_bar(total: Option<u64>, quiet: bool) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = match total {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} revisions ({per_sec}, {eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {pos} records ({per_sec})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    Some(bar)
}
