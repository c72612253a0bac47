//! The scaling benchmark: parse, check and codegen time and peak heap for
//! generated programs of 10 to 100,000 stages (`benches/gen.rs`).
//!
//! ```console
//! $ cargo bench --bench scaling                     # the table, markdown
//! $ cargo bench --bench scaling -- 10 1000          # chosen sizes only
//! $ cargo bench --bench scaling -- --emit 1000 > big.msb   # one program's text
//! $ cargo bench --bench scaling -- --once 10000     # each phase once (for callgrind)
//! ```
//!
//! Each phase runs on its own and is timed apart: parse (text to tree),
//! check (tree to graph) and codegen (graph to Dockerfile text). The time
//! shown is the thread's CPU time, the least of several runs: on a machine
//! shared with other work, wall time mostly measures the wait for a core. Peak heap is counted by a global
//! allocator that records the high-water mark above what was live when the
//! phase started, so it is the phase's own memory, inputs excluded.
//! The run fails when the 100,000-stage figure of a phase is more than 12
//! times its 10,000-stage one (cost must grow linearly).

#[path = "gen/mod.rs"]
mod gen;

use msbc::check::{self, CheckOptions};
use msbc::codegen::{self, CodegenOptions};
use msbc::span::FileId;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(live, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let live = LIVE.fetch_add(new_size - layout.size(), Relaxed) + new_size - layout.size();
                PEAK.fetch_max(live, Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Steps in each generated stage, besides the artifact copy and produce.
const STEPS: usize = 5;
const SIZES: &[usize] = &[10, 1_000, 10_000, 100_000];

/// The CPU time this thread has used. Unlike wall time it does not count
/// the time spent waiting for a core, so a machine shared with other
/// builds gives the same figure as an idle one.
fn thread_cpu_time() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec to write into.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Runs `f` until `budget` is spent (at least once, at most `max` times) and
/// returns the least CPU time, the peak heap above the start, and the last result.
fn measure<T>(budget: Duration, max: usize, mut f: impl FnMut() -> T) -> (Duration, usize, T) {
    let mut best = Duration::MAX;
    let mut peak = 0;
    let started = Instant::now();
    let mut runs = 0;
    loop {
        let base = LIVE.load(Relaxed);
        PEAK.store(base, Relaxed);
        let t = thread_cpu_time();
        let out = black_box(f());
        let elapsed = thread_cpu_time() - t;
        best = best.min(elapsed);
        peak = peak.max(PEAK.load(Relaxed).saturating_sub(base));
        runs += 1;
        if runs >= max || started.elapsed() >= budget {
            return (best, peak, out);
        }
        drop(out);
    }
}

struct Row {
    stages: usize,
    bytes: usize,
    times: [Duration; 3],
    peaks: [usize; 3],
}

fn run(stages: usize, once: bool) -> Row {
    let text = gen::program(stages, STEPS);
    let budget = Duration::from_secs(2);
    let max = if once {
        1
    } else if stages >= 100_000 {
        3
    } else {
        50
    };
    let (parse_t, parse_m, program) = measure(budget, max, || {
        msbc::syntax::parse(FileId(0), &text).expect("the generated program parses")
    });
    let options = CheckOptions::default();
    let (check_t, check_m, checked) = measure(budget, max, || check::check(&program, "app.msb", &options));
    assert!(
        checked.diagnostics.is_empty(),
        "the generated program checks clean: {:?}",
        checked.diagnostics.first()
    );
    let graph = checked.graph.expect("a graph");
    drop(program);
    let codegen_options = CodegenOptions::default();
    let (gen_t, gen_m, dockerfile) = measure(budget, max, || {
        codegen::generate(&graph, &codegen_options).expect("codegen")
    });
    assert_eq!(
        dockerfile.matches("\nFROM ").count(),
        stages + 1,
        "one FROM per stage"
    );
    Row {
        stages,
        bytes: text.len(),
        times: [parse_t, check_t, gen_t],
        peaks: [parse_m, check_m, gen_m],
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.0}")
    }
}

fn mib(bytes: usize) -> String {
    format!("{:.1}", bytes as f64 / (1024.0 * 1024.0))
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    // `--once`: each phase runs one time, for a profiler (callgrind counts
    // instructions, which a loaded machine does not disturb).
    let once = args.iter().any(|a| a == "--once");
    args.retain(|a| a != "--once");
    if let [flag, stages, rest @ ..] = args.as_slice() {
        if flag == "--emit" {
            let stages = stages.parse().expect("a number of stages");
            let steps = rest
                .first()
                .map_or(STEPS, |s| s.parse().expect("a number of steps"));
            print!("{}", gen::program(stages, steps));
            return;
        }
    }
    let sizes: Vec<usize> = if args.is_empty() {
        SIZES.to_vec()
    } else {
        args.iter()
            .map(|a| a.parse().expect("a number of stages"))
            .collect()
    };
    println!("| stages | input | parse ms | check ms | codegen ms | parse peak MiB | check peak MiB | codegen peak MiB |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut rows = Vec::new();
    for &n in &sizes {
        let row = run(n, once);
        println!(
            "| {} | {} MiB | {} | {} | {} | {} | {} | {} |",
            row.stages,
            mib(row.bytes),
            ms(row.times[0]),
            ms(row.times[1]),
            ms(row.times[2]),
            mib(row.peaks[0]),
            mib(row.peaks[1]),
            mib(row.peaks[2]),
        );
        rows.push(row);
    }
    let find = |n: usize| rows.iter().find(|r| r.stages == n);
    if let (Some(small), Some(big)) = (find(10_000), find(100_000)) {
        println!();
        println!("| 100,000 / 10,000 | parse | check | codegen |");
        println!("|---|---:|---:|---:|");
        let ratios: Vec<f64> = (0..3)
            .map(|i| big.times[i].as_secs_f64() / small.times[i].as_secs_f64())
            .collect();
        let mem: Vec<f64> = (0..3)
            .map(|i| big.peaks[i] as f64 / small.peaks[i].max(1) as f64)
            .collect();
        println!(
            "| time | {:.1} | {:.1} | {:.1} |",
            ratios[0], ratios[1], ratios[2]
        );
        println!("| peak heap | {:.1} | {:.1} | {:.1} |", mem[0], mem[1], mem[2]);
        if ratios.iter().any(|&r| r > 12.0) {
            eprintln!("a phase grew more than 12 times from 10,000 to 100,000 stages");
            std::process::exit(1);
        }
    }
}
