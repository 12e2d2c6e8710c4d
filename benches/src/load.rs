//! The closed-loop driver: `c` tasks each run one operation after another
//! for a warm-up and then a measured window. Latencies go into HDR
//! histograms; completions are also counted per task per one-second window
//! to find starved tasks.

use std::future::Future;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One kind of operation a client can run repeatedly.
pub(crate) trait Op: Send + Sync + 'static {
    /// Runs one operation as task `task`; `key` is a random user id.
    fn run(&self, task: usize, key: i64) -> impl Future<Output = Result<(), BoxError>> + Send;

    /// Background work the task runs instead of operation number `seq`
    /// (counted from 0 per task), neither timed nor counted: the long
    /// statements of the head-of-line workload.
    fn side(&self, _seq: u64) -> Option<SideOp<'_>> {
        None
    }

    /// For a multiplexing pool: the connections it holds for sharing
    /// right now (read when a measurement ends).
    fn shared_connections(&self) -> Option<u32> {
        None
    }
}

/// See [`Op::side`].
pub(crate) type SideOp<'a> =
    std::pin::Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send + 'a>>;

/// Timing of one run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Phases {
    pub(crate) warmup: Duration,
    pub(crate) measure: Duration,
}

/// What one closed-loop run measured.
#[derive(Debug)]
pub(crate) struct LoadResult {
    pub(crate) ops: u64,
    pub(crate) errors: u64,
    pub(crate) elapsed: Duration,
    /// Latency in microseconds.
    pub(crate) hist: Histogram<u64>,
    /// For each whole one-second window of the measurement, how many tasks
    /// completed no operation in it.
    pub(crate) idle_tasks_per_window: Vec<usize>,
    /// Tasks that completed no operation in at least one window.
    pub(crate) tasks_ever_starved: usize,
    /// [`Op::shared_connections`] when the measured window closed.
    pub(crate) shared: Option<u32>,
}

impl LoadResult {
    pub(crate) fn ops_per_sec(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64()
    }

    pub(crate) fn pct_us(&self, q: f64) -> f64 {
        self.hist.value_at_quantile(q) as f64
    }

    pub(crate) fn worst_window_idle(&self) -> usize {
        self.idle_tasks_per_window
            .iter()
            .copied()
            .max()
            .unwrap_or(0)
    }
}

const WARMUP: u8 = 0;
const MEASURE: u8 = 1;
const STOP: u8 = 2;

fn new_hist() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 120_000_000, 3).expect("histogram bounds")
}

/// A small per-task xorshift generator for keys in `1..=max_key`.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    state: u64,
    max_key: i64,
}

impl Keys {
    pub(crate) fn new(seed: u64, max_key: i64) -> Self {
        Keys {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            max_key,
        }
    }

    pub(crate) fn next_key(&mut self) -> i64 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.state = x;
        (x % self.max_key as u64) as i64 + 1
    }
}

struct TaskOut {
    hist: Histogram<u64>,
    ops: u64,
    errors: u64,
    windows: Vec<u64>,
    first_error: Option<String>,
}

/// Runs `op` from `concurrency` tasks for `time`, recording nothing but a
/// count: no histogram, no windows. For the memory section, where the
/// driver's own allocations would count as the client's (each
/// `closed_loop` task's histogram is about 280 KiB, which glibc may keep
/// in its arenas after the task ends). Returns the operations completed,
/// or the first error.
pub(crate) async fn bare_loop<O: Op>(
    op: Arc<O>,
    concurrency: usize,
    time: Duration,
    max_key: i64,
) -> Result<u64, BoxError> {
    let deadline = Instant::now() + time;
    let mut handles = Vec::with_capacity(concurrency);
    for task in 0..concurrency {
        let op = op.clone();
        handles.push(tokio::spawn(async move {
            let mut keys = Keys::new(task as u64 + 17, max_key);
            let mut ops = 0u64;
            while Instant::now() < deadline {
                op.run(task, keys.next_key()).await?;
                ops += 1;
            }
            Ok::<_, BoxError>(ops)
        }));
    }
    let mut ops = 0;
    for h in handles {
        ops += h.await.expect("load task panicked")?;
    }
    Ok(ops)
}

/// Runs `op` from `concurrency` tasks: warm-up, then the measured window.
pub(crate) async fn closed_loop<O: Op>(
    op: Arc<O>,
    concurrency: usize,
    phases: Phases,
    max_key: i64,
) -> LoadResult {
    let phase = Arc::new(AtomicU8::new(WARMUP));
    let windows = (phases.measure.as_secs_f64().floor() as usize).max(1);
    // Set when the measured window opens; tasks read it after seeing MEASURE.
    let start_cell = Arc::new(std::sync::OnceLock::<Instant>::new());
    let mut handles = Vec::with_capacity(concurrency);
    for task in 0..concurrency {
        let op = op.clone();
        let phase = phase.clone();
        let start_cell = start_cell.clone();
        handles.push(tokio::spawn(async move {
            let mut keys = Keys::new(task as u64 + 17, max_key);
            let mut out = TaskOut {
                hist: new_hist(),
                ops: 0,
                errors: 0,
                windows: vec![0; windows],
                first_error: None,
            };
            let mut seq = 0u64;
            loop {
                if phase.load(Ordering::Acquire) == STOP {
                    break;
                }
                seq += 1;
                if let Some(side) = op.side(seq - 1) {
                    if let Err(e) = side.await {
                        out.errors += 1;
                        out.first_error.get_or_insert_with(|| e.to_string());
                    }
                    continue;
                }
                let t0 = Instant::now();
                let r = op.run(task, keys.next_key()).await;
                let t1 = Instant::now();
                // Count operations that complete inside the measured window.
                if phase.load(Ordering::Acquire) == MEASURE {
                    match r {
                        Ok(()) => {
                            out.ops += 1;
                            let us = (t1 - t0).as_micros().max(1) as u64;
                            out.hist.saturating_record(us);
                            if let Some(start) = start_cell.get() {
                                let w = (t1 - *start).as_secs_f64() as usize;
                                if w < out.windows.len() {
                                    out.windows[w] += 1;
                                }
                            }
                        }
                        Err(e) => {
                            out.errors += 1;
                            out.first_error.get_or_insert_with(|| e.to_string());
                        }
                    }
                } else if let Err(e) = r {
                    out.errors += 1;
                    out.first_error.get_or_insert_with(|| e.to_string());
                }
            }
            out
        }));
    }
    tokio::time::sleep(phases.warmup).await;
    let start = Instant::now();
    start_cell.set(start).expect("start set once");
    phase.store(MEASURE, Ordering::Release);
    tokio::time::sleep(phases.measure).await;
    phase.store(STOP, Ordering::Release);
    let elapsed = start.elapsed();
    let shared = op.shared_connections();

    let mut hist = new_hist();
    let mut ops = 0;
    let mut errors = 0;
    let mut idle_tasks_per_window = vec![0usize; windows];
    let mut tasks_ever_starved = 0;
    let mut first_error = None;
    for h in handles {
        let out = h.await.expect("load task panicked");
        hist.add(&out.hist).expect("merge histograms");
        ops += out.ops;
        errors += out.errors;
        let mut starved = false;
        for (i, n) in out.windows.iter().enumerate() {
            if *n == 0 {
                idle_tasks_per_window[i] += 1;
                starved = true;
            }
        }
        tasks_ever_starved += usize::from(starved);
        if first_error.is_none() {
            first_error = out.first_error;
        }
    }
    if let Some(e) = first_error {
        eprintln!("  ! {errors} operations failed; first error: {e}");
    }
    LoadResult {
        ops,
        errors,
        elapsed,
        hist,
        idle_tasks_per_window,
        tasks_ever_starved,
        shared,
    }
}
