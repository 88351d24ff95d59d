//! `redline import SOURCE`: bulk-add revisions in one process.
//!
//! SOURCE is a folder (every folder holding `NNNN.txt` files is an article
//! named by its relative path; versions in numeric order; a version's
//! observed time is its file's modification time; any other `.txt` file is
//! an error) or a JSON Lines file (`-` for standard input) of
//! `{"name","text","observed_at","title","url","message"}` records (`name`
//! may be left out when `url` is given; `observed_at` defaults to now).
//! Semantics are `commit`'s; see `store::import`.
//!
//! Every article name is checked (valid, not nested in another) before
//! anything is written, so a refused name leaves the store untouched; this
//! is why a JSON Lines input is read twice (standard input is first copied
//! to an unlinked temporary file).

use super::input::{check_text, read_text};
use super::{CommandHelper, CommandResult, Exit, StoreOpt};
use crate::error::{Error, Result, EXIT_OK};
use crate::store::{self, validate_name, CommitRequest, ImportRecord, ImportReport, ACCEPTED_DATE_FORMS};
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
    pub write: super::commit::WriteOpts,
    #[command(flatten)]
    pub store: StoreOpt,
}

/// Import every record, then report how many were stored.
pub fn run(args: ImportArgs, cx: &mut CommandHelper) -> CommandResult<Exit> {
    let source = Source::detect(&args.source)?;
    let store = cx.store.open_for_write(args.write.init_into_existing)?;
    store.check_new_names(&source.names()?)?;
    let started = Instant::now();
    let bar = progress_bar(source.total(), args.quiet);
    let mut progress = |r: &ImportReport| {
        if let Some(b) = &bar {
            b.set_position(r.records as u64);
        }
    };
    let rules = Rules {
        max: args.max_bytes,
        allow_out_of_order: args.write.allow_out_of_order,
        allow_empty: args.write.allow_empty,
    };
    let report = match source {
        Source::Folder(articles) => store.import(folder_records(articles, rules), &mut progress),
        Source::Lines(label, file) => {
            let reader = BufReader::new(rewind(&file, &label)?);
            store.import(json_records(label, Box::new(reader), rules), &mut progress)
        }
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

/// What every record of one import shares.
#[derive(Clone, Copy)]
struct Rules {
    max: u64,
    allow_out_of_order: bool,
    allow_empty: bool,
}

/// A folder of `NAME/NNNN.txt`, or a JSON Lines file (standard input is
/// spooled to an unlinked temporary file so it can be read twice).
enum Source {
    Folder(Vec<FolderArticle>),
    Lines(String, std::fs::File),
}

/// One article folder: its name and its version files in numeric order.
struct FolderArticle {
    name: String,
    files: Vec<PathBuf>,
}

impl Source {
    fn detect(path: &Path) -> Result<Source> {
        if path.as_os_str() == "-" {
            return Ok(Source::Lines("<stdin>".into(), spool_stdin()?));
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
        Ok(Source::Lines(label, f))
    }

    fn total(&self) -> Option<u64> {
        match self {
            Source::Folder(a) => Some(a.iter().map(|a| a.files.len() as u64).sum()),
            Source::Lines(..) => None,
        }
    }

    /// Every article name the import will write, with where it first
    /// appears, read before anything is written. Records that do not parse
    /// are skipped here: the import itself reports them with their line.
    fn names(&self) -> Result<Vec<(String, String)>> {
        match self {
            Source::Folder(a) => Ok(a
                .iter()
                .map(|a| (a.name.clone(), a.files[0].parent().unwrap_or(Path::new(".")).display().to_string()))
                .collect()),
            Source::Lines(label, file) => {
                #[derive(Deserialize)]
                struct NameOnly {
                    name: Option<String>,
                    url: Option<String>,
                }
                let mut names = std::collections::BTreeMap::new();
                for (i, line) in BufReader::new(rewind(file, label)?).lines().enumerate() {
                    let Ok(line) = line else { break };
                    let Ok(r) = serde_json::from_str::<NameOnly>(&line) else { continue };
                    let name = match (r.name, r.url) {
                        (Some(n), _) => n,
                        (None, Some(u)) => match store::name_from_url(&u) {
                            Ok(n) => n,
                            Err(_) => continue,
                        },
                        (None, None) => continue,
                    };
                    names.entry(name).or_insert_with(|| format!("{label}:{}", i + 1));
                }
                Ok(names.into_iter().collect())
            }
        }
    }
}

/// A fresh handle on `file`, positioned at its start.
fn rewind(file: &std::fs::File, label: &str) -> Result<std::fs::File> {
    use std::io::Seek;
    let mut f = file.try_clone().map_err(|e| Error::io(format!("reading {label}"), e))?;
    f.seek(std::io::SeekFrom::Start(0)).map_err(|e| Error::io(format!("reading {label}"), e))?;
    Ok(f)
}

/// Copy standard input to a temporary file that is unlinked at once (it
/// vanishes when redline exits, however it exits).
fn spool_stdin() -> Result<std::fs::File> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let path = std::env::temp_dir().join(format!("redline-import-{}-{nanos}", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| Error::io(format!("creating a temporary file in {}", std::env::temp_dir().display()), e))?;
    let _ = std::fs::remove_file(&path);
    std::io::copy(&mut std::io::stdin().lock(), &mut f).map_err(|e| Error::io("reading standard input", e))?;
    Ok(f)
}

/// Every folder holding `NNNN.txt` files (digits only) is an article named
/// by its path relative to `root` (`progit/objects`); such files directly in
/// `root` form an article named after `root` itself. Versions are taken in
/// numeric order (`2.txt` before `10.txt`). Any other `.txt` file is an
/// error (it would otherwise be silently left out or misordered); other
/// files and hidden folders are ignored. All names are checked before
/// anything is imported.
fn scan_folder(root: &Path) -> Result<Vec<FolderArticle>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|e| Error::io(format!("reading folder {}", dir.display()), e))?;
        let mut files: Vec<(String, PathBuf)> = Vec::new();
        for entry in rd.flatten() {
            let p = entry.path();
            let fname = entry.file_name().to_string_lossy().into_owned();
            let hidden = fname.starts_with('.');
            match entry.file_type() {
                Ok(t) if t.is_dir() && !hidden => stack.push(p),
                Ok(_) if !hidden && p.is_file() && p.extension().is_some_and(|x| x == "txt") => {
                    files.push((version_number(&p, &fname)?, p))
                }
                _ => {}
            }
        }
        if files.is_empty() {
            continue;
        }
        files.sort_by(|a, b| (a.0.len(), &a.0).cmp(&(b.0.len(), &b.0)));
        if let Some(w) = files.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(Error::Input {
                path: w[1].1.display().to_string(),
                msg: format!("has the same version number as {}", w[0].1.display()),
                hint: Some("number each version once: 0001.txt, 0002.txt, ...".into()),
            });
        }
        let name = article_name(root, &dir)?;
        validate_name(&name).map_err(|e| e.at(&dir.display().to_string()))?;
        out.push(FolderArticle { name, files: files.into_iter().map(|(_, p)| p).collect() });
    }
    if out.is_empty() {
        return Err(Error::Input {
            path: root.display().to_string(),
            msg: "contains no NNNN.txt files".into(),
            hint: Some("lay the folder out as NAME/0001.txt, NAME/0002.txt, ... (oldest first)".into()),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The version number of `NNNN.txt` without leading zeros, or an error
/// naming a `.txt` file that is not numbered.
fn version_number(path: &Path, fname: &str) -> Result<String> {
    let stem = fname.strip_suffix(".txt").unwrap_or(fname);
    if stem.is_empty() || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::Input {
            path: path.display().to_string(),
            msg: "is a .txt file whose name is not a version number".into(),
            hint: Some(
                "name versions NNNN.txt (digits only, oldest first: 0001.txt, 0002.txt, ...), or move other .txt files out of the folder"
                    .into(),
            ),
        });
    }
    let digits = stem.trim_start_matches('0');
    Ok(if digits.is_empty() { "0".into() } else { digits.into() })
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
fn folder_records(articles: Vec<FolderArticle>, rules: Rules) -> impl Iterator<Item = Result<ImportRecord>> {
    articles.into_iter().flat_map(move |a| {
        let name = a.name;
        a.files.into_iter().map(move |f| {
            let at = f.display().to_string();
            let text = read_text(&f, rules.max)?;
            let observed_at = std::fs::metadata(&f)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs() as i64)
                .unwrap_or_else(store::now);
            let req = CommitRequest { name: name.clone(), text, observed_at, ..rules.request() };
            Ok(ImportRecord { at, req })
        })
    })
}

impl Rules {
    /// A request carrying these rules (the caller fills in the rest).
    fn request(&self) -> CommitRequest {
        CommitRequest {
            allow_out_of_order: self.allow_out_of_order,
            allow_empty: self.allow_empty,
            ..CommitRequest::default()
        }
    }
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

fn json_records(label: String, reader: Box<dyn BufRead>, rules: Rules) -> impl Iterator<Item = Result<ImportRecord>> {
    reader.lines().enumerate().filter_map(move |(i, line)| {
        let at = format!("{label}:{}", i + 1);
        match line {
            Err(e) => Some(Err(Error::Input {
                path: at,
                msg: format!("cannot read the line: {e}"),
                hint: Some("JSON Lines must be UTF-8 text, one JSON object per line".into()),
            })),
            Ok(l) if l.trim().is_empty() => None,
            Ok(l) => Some(json_record(&l, &at, rules)),
        }
    })
}

fn json_record(line: &str, at: &str, rules: Rules) -> Result<ImportRecord> {
    let max = rules.max;
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
    let (name, name_from_url) = match (r.name, &r.url) {
        (Some(n), _) => (n, false),
        (None, Some(u)) => (store::name_from_url(u).map_err(|e| e.at(at))?, true),
        (None, None) => return Err(bad("has neither \"name\" nor \"url\"".into(), "give each record a name")),
    };
    let observed_at = match &r.observed_at {
        Some(t) => store::parse_time(t)
            .map_err(|why| bad(format!("bad observed_at {t:?}: {why}"), &format!("use {ACCEPTED_DATE_FORMS}")))?,
        None => store::now(),
    };
    let req = CommitRequest {
        name,
        text,
        title: r.title,
        url: r.url,
        observed_at,
        message: r.message,
        name_from_url,
        ..rules.request()
    };
    Ok(ImportRecord { at: at.to_string(), req })
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
