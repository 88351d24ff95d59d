//! Micro-benchmarks of the diff engine's stages on a whole book: the
//! Pro Git pair in `../shared/corpus` when present, generated prose
//! otherwise. `cargo bench --bench core`.

#[path = "support/textgen.rs"]
mod textgen;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use redline::core::{self, engine, fold, segment, tokenize, words, DiffOptions};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

/// (old, new, spun) texts.
fn inputs() -> (String, String, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let read = |n: &str| std::fs::read_to_string(dir.join(n)).ok();
    if let (Some(o), Some(n), Some(s)) = (read("book-old.txt"), read("book-new.txt"), read("book-spun.txt")) {
        return (o, n, s);
    }
    let old = textgen::prose(1, 860_000);
    let new = textgen::revise(&old, 2);
    let spun = textgen::spin(&new, 3);
    (old, new, spun)
}

fn cx<'a>(old: &'a str, new: &'a str) -> engine::Cx<'a> {
    engine::Cx {
        old: engine::Doc::new(old, false),
        new: engine::Doc::new(new, false),
        int: words::Interner::default(),
        deadline: Instant::now() + Duration::from_secs(60),
        strict: false,
    }
}

fn tokenize_stage(c: &mut Criterion) {
    let (old, _, _) = inputs();
    let mut g = c.benchmark_group("tokenize");
    g.throughput(Throughput::Bytes(old.len() as u64));
    g.bench_function("tokenize_book", |b| b.iter(|| tokenize::tokenize(black_box(&old), 0..old.len()).len()));
    g.bench_function("count_words_book", |b| b.iter(|| tokenize::count_words(black_box(&old))));
    g.bench_function("paragraph_keys_book", |b| b.iter(|| engine::Doc::new(black_box(&old), false).pkeys.len()));
    g.bench_function("sentences_book", |b| {
        let paras = segment::paragraphs(&old, false);
        b.iter(|| paras.iter().map(|p| segment::sentences(&old, p).len()).sum::<usize>())
    });
    g.bench_function("fold_hash_book", |b| {
        let mut buf = Vec::new();
        b.iter(|| fold::fold_hash_with(black_box(&old), &mut buf))
    });
    g.finish();
}

fn align_stage(c: &mut Criterion) {
    let (old, new, spun) = inputs();
    let mut g = c.benchmark_group("align");
    g.sample_size(20);
    for (name, a, b) in [("old_new", &old, &new), ("new_spun", &new, &spun)] {
        g.bench_with_input(BenchmarkId::from_parameter(name), &(a, b), |bn, (a, b)| {
            bn.iter(|| {
                let mut x = cx(a, b);
                engine::align(&mut x).next_move
            })
        });
    }
    g.finish();
}

fn word_diff_stage(c: &mut Criterion) {
    let (_, new, spun) = inputs();
    // Every sentence pair of the spun book: the word-diff load of P3.
    let mut x = cx(&new, &spun);
    let n = x.old.paras.len().min(x.new.paras.len());
    let mut pairs = Vec::new();
    for p in 0..n {
        x.old.ensure(p, &mut x.int);
        x.new.ensure(p, &mut x.int);
        for (a, b) in x.old.sents(p).iter().zip(x.new.sents(p)) {
            pairs.push((a.tokens.clone(), b.tokens.clone()));
        }
    }
    let mut g = c.benchmark_group("word_diff");
    g.sample_size(20);
    g.bench_function("spun_sentence_pairs", |b| {
        b.iter(|| pairs.iter().map(|(a, b)| words::diff_tokens(a, b, None).len()).sum::<usize>())
    });
    g.finish();
}

fn classify_stage(c: &mut Criterion) {
    let (old, new, spun) = inputs();
    let mut g = c.benchmark_group("classify");
    g.sample_size(20);
    let opts = DiffOptions { deadline: Duration::from_secs(60), ..DiffOptions::default() };
    for (name, a, b) in [("old_new", &old, &new), ("new_spun", &new, &spun)] {
        // Alignment is done once; only emit (ops, changes, stats) is timed.
        g.bench_with_input(BenchmarkId::new("emit", name), &(a, b), |bn, (a, b)| {
            bn.iter_batched(
                || {
                    let mut x = cx(a, b);
                    let al = engine::align(&mut x);
                    (x, al)
                },
                |(mut x, al)| core::emit::emit(&mut x, &al).ops.len(),
                criterion::BatchSize::LargeInput,
            )
        });
        g.bench_with_input(BenchmarkId::new("diff", name), &(a, b), |bn, (a, b)| {
            bn.iter(|| core::diff(a, b, &opts).ops.len())
        });
    }
    g.finish();
}

criterion_group!(benches, tokenize_stage, align_stage, word_diff_stage, classify_stage);
criterion_main!(benches);
