//! Helpers for `bench/run` (see `benches/support/textgen.rs` for the text):
//!
//! - `textgen DIR [books|unrelated|all]`: book-old/new/spun.txt and
//!   unrelated-a/b.txt, for when `../shared/corpus` is absent;
//! - `textgen jsonl ARTICLES REVISIONS BYTES`: a `redline import` JSON Lines
//!   stream on stdout, each article edited lightly from one revision to the
//!   next;
//! - `textgen folder DIR ARTICLES REVISIONS BYTES`: the same revisions as
//!   a `NAME/NNNN.txt` folder (for `redline import DIR` and the git loop);
//! - `textgen lossless DIFF.json OLD NEW`: exit 1 unless the ops of a
//!   `--format json` diff rebuild both inputs;
//! - `textgen floor OLD NEW`: read and tokenize both files, nothing else
//!   (the P9 floor).

#[path = "../benches/support/textgen.rs"]
mod textgen;

use std::io::Write;
use std::path::Path;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
    match arg(0).as_str() {
        "jsonl" => jsonl(arg(1).parse().unwrap_or(10), arg(2).parse().unwrap_or(10), arg(3).parse().unwrap_or(5000)),
        "lossless" => lossless(&arg(1), &arg(2), &arg(3)),
        "floor" => floor(&arg(1), &arg(2)),
        "folder" => {
            folder(&arg(1), arg(2).parse().unwrap_or(8), arg(3).parse().unwrap_or(64), arg(4).parse().unwrap_or(12_000))
        }
        _ => books(if args.is_empty() { "target/bench-inputs" } else { &args[0] }, args.get(1).map_or("all", |s| s)),
    }
}

fn books(dir: &str, what: &str) -> std::io::Result<()> {
    let dir = Path::new(dir);
    std::fs::create_dir_all(dir)?;
    let w = |name: &str, text: &str| std::fs::write(dir.join(name), text);
    if what == "all" || what == "books" {
        let old = textgen::prose(1, 860_000);
        let new = textgen::revise(&old, 2);
        w("book-old.txt", &old)?;
        w("book-spun.txt", &textgen::spin(&new, 3))?;
        w("book-new.txt", &new)?;
    }
    if what == "all" || what == "unrelated" {
        w("unrelated-a.txt", &textgen::prose(11, 1_000_000))?;
        w("unrelated-b.txt", &textgen::prose(12, 1_000_000))?;
    }
    Ok(())
}

/// The texts of one article's revisions, oldest first.
fn history(a: usize, revisions: usize, bytes: usize) -> Vec<String> {
    let mut text = textgen::prose(1000 + a as u64, bytes);
    let mut out = Vec::with_capacity(revisions);
    for r in 0..revisions {
        if r > 0 {
            text = textgen::revise(&text, (a * 100 + r) as u64);
            // Short articles often come through `revise` unchanged; every
            // revision must differ or import skips it.
            text.push_str(&format!("Update {r} of article {a}.\n\n"));
        }
        out.push(text.clone());
    }
    out
}

fn folder(dir: &str, articles: usize, revisions: usize, bytes: usize) -> std::io::Result<()> {
    for a in 0..articles {
        let d = Path::new(dir).join(format!("article-{a:05}"));
        std::fs::create_dir_all(&d)?;
        for (r, text) in history(a, revisions, bytes).iter().enumerate() {
            std::fs::write(d.join(format!("{:04}.txt", r + 1)), text)?;
        }
    }
    Ok(())
}

fn jsonl(articles: usize, revisions: usize, bytes: usize) -> std::io::Result<()> {
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    for a in 0..articles {
        for (r, text) in history(a, revisions, bytes).into_iter().enumerate() {
            let rec = serde_json::json!({
                "name": format!("article-{a:05}"),
                "text": text,
                "observed_at": format!("2024-01-{:02}T{:02}:00:00Z", 1 + r % 28, a % 24),
                "title": format!("Article {a}"),
            });
            writeln!(out, "{rec}")?;
        }
    }
    out.flush()
}

fn lossless(json: &str, old: &str, new: &str) -> std::io::Result<()> {
    let d: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(json)?)?;
    let ops = d["ops"].as_array().cloned().unwrap_or_default();
    let side = |skip: &str| -> String {
        ops.iter().filter(|o| o["op"] != skip).filter_map(|o| o["text"].as_str()).collect::<String>()
    };
    let ok = side("insert") == std::fs::read_to_string(old)? && side("delete") == std::fs::read_to_string(new)?;
    println!("{}", if ok { "lossless" } else { "NOT lossless" });
    std::process::exit(if ok { 0 } else { 1 })
}

fn floor(old: &str, new: &str) -> std::io::Result<()> {
    let mut n = 0;
    for f in [old, new] {
        let t = std::fs::read_to_string(f)?;
        n += redline::core::tokenize(&t, 0..t.len()).len();
    }
    println!("{n} tokens");
    Ok(())
}
