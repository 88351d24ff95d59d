//! Benchmarks of the diff engine through its public entry points on a
//! whole book: the Pro Git pair in `../shared/corpus` when present,
//! generated prose otherwise. `cargo bench --bench core`. (Stage timings
//! come from a profiler; the engine's internals are not public API.)

#[path = "support/textgen.rs"]
mod textgen;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use redline::core::{self, DiffOptions};
use std::hint::black_box;
use std::path::Path;

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

fn whole_diff(c: &mut Criterion) {
    let (old, new, spun) = inputs();
    let mut g = c.benchmark_group("diff");
    g.sample_size(20);
    let opts = DiffOptions::default();
    for (name, a, b) in [("old_new", &old, &new), ("new_spun", &new, &spun)] {
        g.throughput(Throughput::Bytes((a.len() + b.len()) as u64));
        g.bench_with_input(BenchmarkId::new("diff", name), &(a, b), |bn, (a, b)| {
            bn.iter(|| core::diff(black_box(a), black_box(b), &opts).ops.len())
        });
    }
    g.bench_function("text_stats_book", |b| b.iter(|| core::text_stats(black_box(&old)).words));
    g.finish();
}

criterion_group!(benches, whole_diff);
criterion_main!(benches);
