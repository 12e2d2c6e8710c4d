//! RESULTS.md and chart.svg, written from the collected samples.

use std::fmt::Write as _;
use std::time::Duration;

use crate::stats::{Results, Series};
use crate::{Plan, CONCURRENCY};

const POINT_CLIENTS: [&str; 8] = [
    "L0 tokio-postgres",
    "L0-pipelined",
    "bb8-postgres",
    "deadpool-postgres",
    "sqlx",
    "sqlx no-ping",
    "secure-pg exclusive",
    "secure-pg",
];
const POOLED: [&str; 6] = [
    "bb8-postgres",
    "deadpool-postgres",
    "sqlx",
    "sqlx no-ping",
    "secure-pg exclusive",
    "secure-pg",
];
const PEERS: [&str; 11] = [
    "tokio-postgres",
    "postgres-protocol",
    "bb8",
    "bb8-postgres",
    "deadpool",
    "deadpool-postgres",
    "sqlx",
    "hdrhistogram",
    "rustls",
    "tokio-rustls",
    "tokio",
];

/// What the machine looked like during the run.
#[derive(Debug, Clone)]
pub(crate) struct Machine {
    cpu: String,
    cores: usize,
    kernel: String,
    date: String,
    load_before: String,
    load_after: String,
}

fn command_line(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

impl Machine {
    pub(crate) fn probe() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|l| l.trim_start_matches([' ', '\t', ':']).trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        let cores = cpuinfo
            .lines()
            .filter(|l| l.starts_with("processor"))
            .count();
        Machine {
            cpu,
            cores,
            kernel: command_line("uname", &["-r"]),
            date: command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            load_before: loadavg(),
            load_after: String::new(),
        }
    }

    pub(crate) fn finish(mut self) -> Machine {
        self.load_after = loadavg();
        self
    }
}

/// Everything about the run besides the samples.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    pub(crate) plan: &'a Plan,
    pub(crate) machine: Machine,
    pub(crate) server_version: String,
    pub(crate) elapsed: Duration,
}

/// Resolved versions of the peers, read from the workspace's Cargo.lock.
fn versions() -> Vec<(String, String)> {
    let lock = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    let text = std::fs::read_to_string(lock).unwrap_or_default();
    let mut out = Vec::new();
    let mut name = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            if PEERS.contains(&n.as_str()) && !out.iter().any(|(m, _)| *m == n) {
                out.push((n, v.trim_matches('"').to_string()));
            }
        }
    }
    out.sort_by_key(|(n, _)| PEERS.iter().position(|p| p == n));
    out
}

fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let n = x.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

fn ops_cell(s: Option<&Series>) -> String {
    match s {
        Some(s) => {
            let o = s.ops();
            format!(
                "{} ({}–{})",
                thousands(o.median),
                thousands(o.min),
                thousands(o.max)
            )
        }
        None => "–".into(),
    }
}

pub(crate) fn time_cell(s: Option<&Series>) -> String {
    match s {
        Some(s) => {
            let t = s.spread(|x| x.p50_us);
            format!(
                "{:.2} ms ({:.2}–{:.2})",
                t.median / 1e3,
                t.min / 1e3,
                t.max / 1e3
            )
        }
        None => "–".into(),
    }
}

fn ratio_cell(r: Option<f64>) -> String {
    r.map_or("–".into(), |r| format!("{r:.2}×"))
}

/// One target from the issue, as measured.
#[derive(Debug, Clone)]
pub(crate) struct Check {
    pub(crate) what: String,
    /// Higher is better; `required` is the threshold on the same scale.
    pub(crate) score: f64,
    pub(crate) required: f64,
    /// How the measurement reads in words.
    pub(crate) shown: String,
}

impl Check {
    pub(crate) fn met(&self) -> bool {
        self.score >= self.required
    }
}

fn time_of(r: &Results, section: &str, client: &str) -> Option<f64> {
    r.get(section, client, 0).map(|s| s.p50())
}

/// Concurrency of the mix and head-of-line sections' first column.
const MID: usize = 16;

/// The issue's targets, each computed from the medians.
pub(crate) fn checks(r: &Results) -> Vec<Check> {
    let mut out = Vec::new();
    for c in [16, 64] {
        if let Some(x) = r.ratio("point", "secure-pg", "deadpool-postgres", c) {
            out.push(Check {
                what: format!("pooled point select c={c} vs deadpool prepare_cached ≥ 1.30×"),
                score: x,
                required: 1.30,
                shown: format!("{x:.2}×"),
            });
        }
        if let (Some(o), Some(d)) = (
            r.get("point", "secure-pg", c),
            r.get("point", "deadpool-postgres", c),
        ) {
            let x = o.p99() / d.p99();
            out.push(Check {
                what: format!("pooled point select c={c} p99 vs deadpool ≤ 1.0×"),
                score: 1.0 / x,
                required: 1.0,
                shown: format!("{x:.2}× ({:.0} vs {:.0} µs)", o.p99(), d.p99()),
            });
        }
        if let Some(x) = r.ratio("point", "secure-pg", "sqlx", c) {
            out.push(Check {
                what: format!("pooled point select c={c} vs sqlx defaults ≥ 1.5×"),
                score: x,
                required: 1.5,
                shown: format!("{x:.2}×"),
            });
        }
    }
    if let Some(x) = r.ratio("point", "secure-pg", "L0-pipelined", 64) {
        out.push(Check {
            what: "pooled point select c=64 vs one pipelined connection (L0-pipelined) ≥ 0.90×"
                .into(),
            score: x,
            required: 0.90,
            shown: format!("{x:.2}×"),
        });
    }
    if let Some(x) = r.ratio("point", "secure-pg", "L0 tokio-postgres", 1) {
        out.push(Check {
            what: "depth-1 (c=1) throughput vs L0 ≥ 1.0×".into(),
            score: x,
            required: 1.0,
            shown: format!("{x:.2}×"),
        });
    }
    // Issue #28: ahead of deadpool with one caller and with exclusive
    // checkouts too.
    for (client, c, required) in [("secure-pg", 1, 1.05), ("secure-pg exclusive", 64, 1.0)] {
        if let Some(x) = r.ratio("point", client, "deadpool-postgres", c) {
            out.push(Check {
                what: format!("{client} point select c={c} vs deadpool ≥ {required:.2}×"),
                score: x,
                required,
                shown: format!("{x:.2}×"),
            });
        }
    }
    for (w, o, e, required, why) in [
        (
            "80/20 mix",
            "secure-pg 80/20",
            "secure-pg exclusive 80/20",
            0.95,
            " (no regression)",
        ),
        ("tx3", "secure-pg tx3", "deadpool tx3", 1.20, ""),
    ] {
        if let Some(x) = r.ratio("mix", o, e, MID) {
            let vs = if w == "tx3" {
                "deadpool"
            } else {
                "exclusive checkouts"
            };
            out.push(Check {
                what: format!("{w} c={MID} vs {vs} ≥ {required:.2}×{why}"),
                score: x,
                required,
                shown: format!("{x:.2}×"),
            });
        }
    }
    for (state, field) in [
        (
            "idle",
            (|s: &crate::stats::Sample| s.idle_kib) as fn(&crate::stats::Sample) -> f64,
        ),
        ("busy", |s: &crate::stats::Sample| s.busy_kib),
    ] {
        if let (Some(o), Some(d)) = (
            r.get("memory", "secure-pg", 8),
            r.get("memory", "deadpool-postgres", 8),
        ) {
            let (o, d) = (o.spread(field).median, d.spread(field).median);
            out.push(Check {
                what: format!("resident memory of a pool of 8, {state}, vs deadpool ≤ 1.0×"),
                score: d / o,
                required: 1.0,
                shown: format!("{:.2}× ({o:.0} vs {d:.0} KiB)", o / d),
            });
        }
    }
    if let (Some(o), Some(l)) = (
        r.get("point", "secure-pg", 1),
        r.get("point", "L0 tokio-postgres", 1),
    ) {
        let x = o.p99() / l.p99();
        out.push(Check {
            what: "depth-1 p99 vs L0 ≤ 1.2×".into(),
            score: 1.0 / x,
            required: 1.0 / 1.2,
            shown: format!("{x:.2}× ({:.0} vs {:.0} µs)", o.p99(), l.p99()),
        });
    }
    if let Some(x) = r.ratio(
        "batch",
        "secure-pg join of 10",
        "L0-pipelined join of 10",
        1,
    ) {
        out.push(Check {
            what: "pipelined batch of 10 vs L0 pipelined ≥ 0.85×".into(),
            score: x,
            required: 0.85,
            shown: format!("{x:.2}×"),
        });
    }
    if let Some(ours) = time_of(r, "decode", "secure-pg") {
        let fastest = ["tokio-postgres get(\"name\")", "sqlx query_as"]
            .iter()
            .filter_map(|p| time_of(r, "decode", p).map(|t| (t, *p)))
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((t, p)) = fastest {
            out.push(Check {
                what: "10k-row decode no slower than the fastest peer".into(),
                score: t / ours,
                required: 1.0,
                shown: format!(
                    "{:.2} ms vs {:.2} ms ({p}): {:.2}× the time",
                    ours / 1e3,
                    t / 1e3,
                    ours / t
                ),
            });
        }
    }
    if let Some(x) = r.ratio("cache", "secure-pg cached", "tokio-postgres query(&str)", 1) {
        out.push(Check {
            what: "statement-cache hit vs uncached query(&str) ≥ 2×".into(),
            score: x,
            required: 2.0,
            shown: format!("{x:.2}×"),
        });
    }
    if let (Some(o), Some(p)) = (
        time_of(r, "connect", "secure-pg connect"),
        time_of(r, "connect", "tokio-postgres+rustls P-256 first"),
    ) {
        let x = o / p;
        out.push(Check {
            what: "connect vs plain tokio-postgres + rustls ≤ 1.15×".into(),
            score: 1.0 / x,
            required: 1.0 / 1.15,
            shown: format!("{x:.2}× ({:.2} vs {:.2} ms)", o / 1e3, p / 1e3),
        });
    }
    out.extend(crate::copy::checks(r));
    out
}

/// The whole RESULTS.md.
pub(crate) fn markdown(ctx: &Context<'_>, r: &Results) -> String {
    let mut m = String::new();
    let p = ctx.plan;
    let _ = writeln!(m, "# secure-pg benchmark results\n");
    let _ = writeln!(
        m,
        "Generated by `cargo run --release -p secure-pg-benches -- --{}` on {} in {:.0} s. \
         Do not edit by hand: rerun the command.\n",
        p.mode,
        ctx.machine.date,
        ctx.elapsed.as_secs_f64()
    );
    let _ = writeln!(m, "## Setup\n");
    let _ = writeln!(
        m,
        "- Machine: {}, {} cores (`/proc/cpuinfo`), Linux {} (`uname -r`). Load average \
         (1/5/15 min) {} before the run, {} after.",
        ctx.machine.cpu,
        ctx.machine.cores,
        ctx.machine.kernel,
        ctx.machine.load_before,
        ctx.machine.load_after
    );
    let _ = writeln!(
        m,
        "- PostgreSQL {} on loopback (`fsync=off`, `shared_buffers=16MB`), started by the test \
         harness. **Client and server share the same {} cores**, and the machine is shared with \
         other builds: the numbers are CPU per operation as much as latency.",
        ctx.server_version, ctx.machine.cores
    );
    let _ = writeln!(
        m,
        "- TLS 1.3 `verify-full` against the harness CA for every client (rustls with ring); \
         one workload is repeated over plaintext to show the TLS cost."
    );
    let _ = writeln!(
        m,
        "- Closed loop: each of `c` tasks runs one operation after another; {} rounds, \
         {:.1} s warm-up + {:.1} s measured per cell; the peers are interleaved within every \
         round (order rotated per round). Cells show the median of the rounds and, in \
         parentheses, their range. Latency percentiles come from HDR histograms (µs), median \
         over rounds. tokio multi-threaded runtime with {} workers.",
        p.rounds,
        p.phases.warmup.as_secs_f64(),
        p.phases.measure.as_secs_f64(),
        ctx.machine.cores
    );
    let _ = writeln!(
        m,
        "- Table `users` has 10,000 rows (`id bigint`, `name text`, `hair_color text` null in \
         1/7); keys are uniform. Pools have 8 connections.\n"
    );
    let _ = writeln!(m, "| crate | version |\n|---|---|");
    for (n, v) in versions() {
        let _ = writeln!(m, "| {n} | {v} |");
    }

    let checks = checks(r);
    if !checks.is_empty() {
        let _ = writeln!(m, "\n## Targets\n");
        let _ = writeln!(m, "| target | measured | met |\n|---|---|---|");
        for c in &checks {
            let _ = writeln!(
                m,
                "| {} | {} | {} |",
                c.what,
                c.shown,
                if c.met() { "yes" } else { "**no**" }
            );
        }
    }

    if r.get("point", "secure-pg", 1).is_some() {
        let _ = writeln!(
            m,
            "\n## Point select\n\n`SELECT id, name, hair_color FROM users WHERE id = $1`, \
             decoded into a struct. ops/s, median (min–max) over rounds.\n"
        );
        let _ = writeln!(m, "| client | c=1 | c=16 | c=64 |\n|---|---:|---:|---:|");
        for c in POINT_CLIENTS {
            let _ = writeln!(
                m,
                "| {c} | {} | {} | {} |",
                ops_cell(r.get("point", c, 1)),
                ops_cell(r.get("point", c, 16)),
                ops_cell(r.get("point", c, 64))
            );
        }
        let _ = writeln!(
            m,
            "\nRatios of medians (client ÷ deadpool-postgres / client ÷ L0):\n"
        );
        let _ = writeln!(m, "| client | c=1 | c=16 | c=64 |\n|---|---:|---:|---:|");
        for c in POINT_CLIENTS {
            let cell = |n| {
                format!(
                    "{} / {}",
                    ratio_cell(r.ratio("point", c, "deadpool-postgres", n)),
                    ratio_cell(r.ratio("point", c, "L0 tokio-postgres", n))
                )
            };
            let _ = writeln!(m, "| {c} | {} | {} | {} |", cell(1), cell(16), cell(64));
        }
        let _ = writeln!(
            m,
            "\nLatency, µs (p50 / p99 / p99.9):\n\n| client | c=1 | c=16 | c=64 |\n|---|---:|---:|---:|"
        );
        for c in POINT_CLIENTS {
            let cell = |n| {
                r.get("point", c, n).map_or("–".into(), |s| {
                    format!("{:.0} / {:.0} / {:.0}", s.p50(), s.p99(), s.p999())
                })
            };
            let _ = writeln!(m, "| {c} | {} | {} | {} |", cell(1), cell(16), cell(64));
        }
        let windows = p.phases.measure.as_secs() as usize;
        let _ = writeln!(
            m,
            "\nStarvation at c=64 (64 tasks, 8 connections): the most tasks that completed no \
             query within one 1-s window, and how many tasks had such a window, worst round \
             ({windows} window(s) per round):\n\n| client | worst window | tasks ever starved |\n|---|---:|---:|"
        );
        for c in POOLED {
            if let Some(s) = r.get("point", c, 64) {
                let _ = writeln!(m, "| {c} | {} | {} |", s.worst_idle(), s.ever_starved());
            }
        }
        // Whether the pool shared one connection or two decides its
        // multiplexed throughput and tail (benches/README.md).
        let shared: Vec<String> = CONCURRENCY
            .iter()
            .filter_map(|&c| {
                let s = r.get("point", "secure-pg", c)?;
                let n: Vec<String> = s.samples.iter().map(|x| x.shared.to_string()).collect();
                Some(format!("c={c}: {}", n.join(", ")))
            })
            .collect();
        if !shared.is_empty() {
            let _ = writeln!(
                m,
                "\nConnections the secure-pg pool held for multiplexing when each cell's \
                 measurement ended, round by round: {}.",
                shared.join("; ")
            );
        }
    }

    if r.get("cache", "secure-pg cached", 1).is_some() {
        let _ = writeln!(
            m,
            "\n## Statement cache\n\nThe point select, one task, one connection held for the whole \
             run (no pool checkout). ops/s.\n\n| client | ops/s | ÷ query(&str) | p50 / p99 µs |\n|---|---:|---:|---:|"
        );
        for c in [
            "secure-pg cached",
            "secure-pg cache off",
            "tokio-postgres query(&str)",
            "tokio-postgres prepared",
        ] {
            let s = r.get("cache", c, 1);
            let _ = writeln!(
                m,
                "| {c} | {} | {} | {} |",
                ops_cell(s),
                ratio_cell(r.ratio("cache", c, "tokio-postgres query(&str)", 1)),
                s.map_or("–".into(), |s| format!("{:.0} / {:.0}", s.p50(), s.p99()))
            );
        }
    }

    if r.get("decode", "secure-pg", 0).is_some() {
        let _ = writeln!(
            m,
            "\n## Decoding 10,000 rows\n\n`SELECT id, name, hair_color FROM users` (all 10,000 \
             rows) into a `Vec` of structs, query and transfer included; {} sequential fetches \
             per client per round, interleaved. Median time per fetch (range of round medians).\n\n\
             | client | time | ÷ secure-pg |\n|---|---:|---:|",
            p.decode_iters
        );
        let ours = time_of(r, "decode", "secure-pg");
        for c in ["secure-pg", "tokio-postgres get(\"name\")", "sqlx query_as"] {
            let rel = match (time_of(r, "decode", c), ours) {
                (Some(t), Some(o)) => format!("{:.2}×", t / o),
                _ => "–".into(),
            };
            let _ = writeln!(
                m,
                "| {} | {} | {rel} |",
                c.replace('"', "\\\""),
                time_cell(r.get("decode", c, 0))
            );
        }
        let _ = writeln!(
            m,
            "\nsecure-pg: `secure_query_as!(User, ..).fetch_all(&pool)` (columns resolved once per \
             result). tokio-postgres: prepared statement, `query`, then `row.get(\"name\")` per \
             field per row. sqlx: `sqlx::query_as::<_, User>(..)` with `#[derive(sqlx::FromRow)]` \
             on a `PgPool` (its own statement cache)."
        );
    }

    crate::copy::report(r, &mut m);

    if r.get("connect", "secure-pg connect", 0).is_some() {
        let _ = writeln!(
            m,
            "\n## Connect\n\nTCP + TLS 1.3 + SCRAM, {} connects per client per round, \
             interleaved, each client dropped after connecting. Median time (range of round \
             medians).\n\n| client | time | ÷ tokio-postgres P-256 first |\n|---|---:|---:|",
            p.connects_per_round
        );
        let base = time_of(r, "connect", "tokio-postgres+rustls P-256 first");
        for c in [
            "secure-pg connect",
            "tokio-postgres+rustls P-256 first",
            "tokio-postgres+rustls defaults",
            "sqlx PgConnection",
            "P-256 first + SELECT 1",
            "P-256 first + pg_stat_ssl query",
        ] {
            let rel = match (time_of(r, "connect", c), base) {
                (Some(t), Some(b)) => format!("{:.2}×", t / b),
                _ => "–".into(),
            };
            let _ = writeln!(m, "| {c} | {} | {rel} |", time_cell(r.get("connect", c, 0)));
        }
        let _ = writeln!(
            m,
            "\nsecure-pg connects through one `secure_pg::Connector` (TLS configuration built \
             once, as the pool does), authenticates with SCRAM-SHA-256-PLUS (channel binding) \
             and then runs one query on `pg_stat_get_activity(pg_backend_pid())` to confirm the \
             session is encrypted. The tokio-postgres rows use a shared rustls configuration and \
             plain SCRAM-SHA-256; \"defaults\" offers X25519 first, which PostgreSQL's default \
             `ssl_ecdh_curve` (prime256v1) answers with a HelloRetryRequest. The last two rows \
             are the plain P-256 connect followed by `SELECT 1` (one more round trip) and by \
             secure-pg's own TLS-check query, to show what that check costs on a fresh \
             backend."
        );
    }

    if r.get("batch", "secure-pg join of 10", 1).is_some() {
        let _ = writeln!(
            m,
            "\n## Pipelined batch\n\nTen independent point selects joined on one connection \
             (`futures_util::future::join_all`), one batch after another. Batches/s.\n\n\
             | client | batches/s | ÷ L0 | p50 / p99 µs per batch |\n|---|---:|---:|---:|"
        );
        for c in ["secure-pg join of 10", "L0-pipelined join of 10"] {
            let s = r.get("batch", c, 1);
            let _ = writeln!(
                m,
                "| {c} | {} | {} | {} |",
                ops_cell(s),
                ratio_cell(r.ratio("batch", c, "L0-pipelined join of 10", 1)),
                s.map_or("–".into(), |s| format!("{:.0} / {:.0}", s.p50(), s.p99()))
            );
        }
    }

    if r.get("tls", "secure-pg TLS", 16).is_some() {
        let _ = writeln!(
            m,
            "\n## TLS cost\n\nPooled point select at c=16 against a TLS cluster and a plaintext \
             one (`sslmode=disable`, loopback), interleaved. ops/s.\n\n\
             | client | ops/s | p50 / p99 µs |\n|---|---:|---:|"
        );
        for c in [
            "secure-pg TLS",
            "secure-pg plaintext",
            "deadpool TLS",
            "deadpool plaintext",
        ] {
            let s = r.get("tls", c, 16);
            let _ = writeln!(
                m,
                "| {c} | {} | {} |",
                ops_cell(s),
                s.map_or("–".into(), |s| format!("{:.0} / {:.0}", s.p50(), s.p99()))
            );
        }
        if let (Some(a), Some(b)) = (
            r.ratio("tls", "secure-pg plaintext", "secure-pg TLS", 16),
            r.ratio("tls", "deadpool plaintext", "deadpool TLS", 16),
        ) {
            let _ = writeln!(m, "\nPlaintext ÷ TLS: secure-pg {a:.2}×, deadpool {b:.2}×.");
        }
    }

    if r.get("mix", "secure-pg 80/20", 16).is_some() {
        let _ = writeln!(
            m,
            "\n## Read/write mix and transaction (c=16)\n\n80/20: 80 % point selects, 20 % \
             `UPDATE users SET hair_color = $2 WHERE id = $1`. tx3: `BEGIN`, the point select, \
             the update, an `INSERT INTO audit`, `COMMIT` (secure-pg: `Pool::transaction`; \
             deadpool: `client.transaction()` with `prepare_cached`). ops/s.\n\n\
             | workload | secure-pg | deadpool | ratio |\n|---|---:|---:|---:|"
        );
        for (w, o, d) in [
            ("80/20", "secure-pg 80/20", "deadpool 80/20"),
            (
                "80/20, multiplexing off",
                "secure-pg exclusive 80/20",
                "deadpool 80/20",
            ),
            ("tx3", "secure-pg tx3", "deadpool tx3"),
        ] {
            let _ = writeln!(
                m,
                "| {w} | {} | {} | {} |",
                ops_cell(r.get("mix", o, 16)),
                ops_cell(r.get("mix", d, 16)),
                ratio_cell(r.ratio("mix", o, d, 16))
            );
        }
    }

    if r.get("link", "secure-pg tx3", 1).is_some() {
        let _ = writeln!(
            m,
            "\n## tx3 over a network link (1 ms round trip)\n\nThe tx3 workload above, with \
             the clients connected through a relay that delays every chunk 0.5 ms each way \
             (`benches/src/link.rs`). On loopback a round trip costs CPU but no time, and \
             both clients share two cores with the server; over a network each round trip \
             costs the link's delay. secure-pg sends a transaction's `BEGIN` with its first \
             statement: 4 round trips to deadpool's 5. ops/s and p50 µs.\n\n\
             | c | secure-pg | deadpool | ratio | p50 secure-pg / deadpool |\n|---:|---:|---:|---:|---:|"
        );
        for c in [1, 16] {
            let p50 = |name| {
                r.get("link", name, c)
                    .map_or("–".into(), |s| format!("{:.0}", s.p50()))
            };
            let _ = writeln!(
                m,
                "| {c} | {} | {} | {} | {} / {} |",
                ops_cell(r.get("link", "secure-pg tx3", c)),
                ops_cell(r.get("link", "deadpool tx3", c)),
                ratio_cell(r.ratio("link", "secure-pg tx3", "deadpool tx3", c)),
                p50("secure-pg tx3"),
                p50("deadpool tx3"),
            );
        }
    }

    if r.get("hol", "secure-pg", MID).is_some() {
        let _ = writeln!(
            m,
            "\n## Head-of-line blocking\n\nEvery task runs one `SELECT pg_sleep(0.05)` per 100 \
             point selects; only the point selects are timed and counted. \"secure-pg\" \
             multiplexes (a statement seen to be slow then takes a checkout of its own); \
             \"exclusive\" checks a connection out per statement. Point-select ops/s and \
             p50 / p99 / p99.9 µs.\n\n| client | c=16 ops/s | c=16 latency | c=64 ops/s | c=64 latency |\n|---|---:|---:|---:|---:|"
        );
        for c in ["secure-pg", "secure-pg exclusive", "deadpool-postgres"] {
            let lat = |n| {
                r.get("hol", c, n).map_or("–".into(), |s| {
                    format!("{:.0} / {:.0} / {:.0}", s.p50(), s.p99(), s.p999())
                })
            };
            let _ = writeln!(
                m,
                "| {c} | {} | {} | {} | {} |",
                ops_cell(r.get("hol", c, MID)),
                lat(MID),
                ops_cell(r.get("hol", c, 64)),
                lat(64)
            );
        }
    }

    if r.get("procs", "secure-pg 4×16", 64).is_some() {
        let _ = writeln!(
            m,
            "\n## Several processes, one server\n\nThe point select at c=64 in total, from one \
             process and from 4 processes of c=16, each with its own pool of 8: total ops/s, the \
             most backends the server had for them (by `application_name`, sampled every 100 ms), and \
             the shared connections the pools held at the end.\n\n\
             | setup | ops/s | p99 µs (worst process) | peak backends | shared |\n|---|---:|---:|---:|---:|"
        );
        for c in [
            "secure-pg 1×64",
            "secure-pg exclusive 1×64",
            "secure-pg 4×16",
            "secure-pg exclusive 4×16",
        ] {
            if let Some(s) = r.get("procs", c, 64) {
                let med = |f: fn(&crate::stats::Sample) -> f64| {
                    crate::stats::median(s.samples.iter().map(f).collect())
                };
                let _ = writeln!(
                    m,
                    "| {c} | {} | {:.0} | {:.0} | {:.0} |",
                    ops_cell(Some(s)),
                    s.p99(),
                    med(|x| x.backends as f64),
                    med(|x| x.shared as f64)
                );
            }
        }
        if let Some(x) = r.ratio("procs", "secure-pg 4×16", "secure-pg exclusive 4×16", 64) {
            let _ = writeln!(
                m,
                "\nFour processes, multiplexed ÷ exclusive: {x:.2}× the throughput."
            );
        }
    }

    if r.get("memory", "deadpool-postgres", 8).is_some() {
        let _ = writeln!(
            m,
            "\n## Memory\n\nWhat a pool of 8 open TLS connections adds to its process's resident \
             set (`VmRSS`), each client in a process of its own: after every connection was \
             opened and used (64 tasks for 0.5 s) and the pool sat idle for 1 s, and the most \
             seen (sampled every 10 ms) while 16 tasks ran the point select. The base is the \
             process with its runtime and TLS configuration, after the same client's pool of \
             one connection was built, used and dropped (so that its code and TLS library are \
             paged in before the base, not counted as the pool's). \"of it anonymous\": the \
             idle figure's `RssAnon` part (heap and stacks, not file-backed pages). KiB, \
             median (min–max) over rounds.\n\n\
             | client | idle | of it anonymous | busy | ÷ deadpool (idle / busy) |\n|---|---:|---:|---:|---:|"
        );
        let d = r.get("memory", "deadpool-postgres", 8);
        for c in [
            "secure-pg",
            "secure-pg exclusive",
            "deadpool-postgres",
            "sqlx",
        ] {
            if let Some(s) = r.get("memory", c, 8) {
                let cell = |f: fn(&crate::stats::Sample) -> f64| {
                    let x = s.spread(f);
                    format!("{:.0} ({:.0}–{:.0})", x.median, x.min, x.max)
                };
                let vs = |f: fn(&crate::stats::Sample) -> f64| {
                    d.map_or(String::from("–"), |d| {
                        format!("{:.2}×", s.spread(f).median / d.spread(f).median)
                    })
                };
                let _ = writeln!(
                    m,
                    "| {c} | {} | {} | {} | {} / {} |",
                    cell(|x| x.idle_kib),
                    cell(|x| x.idle_anon_kib),
                    cell(|x| x.busy_kib),
                    vs(|x| x.idle_kib),
                    vs(|x| x.busy_kib)
                );
            }
        }
    }

    if r.get("rls", "secure-pg scoped", MID).is_some() {
        let _ = writeln!(
            m,
            "\n## Tenant scoping and row-level security\n\nA point select of one tenant's row \
             (`tenant_users`, 10 tenants, primary key `(tenant_id, id)`). \"by hand\": the \
             tenant filter written into the SQL (deadpool with `prepare_cached`; secure-pg as \
             one multiplexed statement). \"scoped\": a `#[tenant_scoped]` function, whose \
             statement runs in a tenant transaction of its own (`BEGIN` and the tenant setting, \
             the statement, `COMMIT`, queued together on a shared connection), on a table \
             without and with the row-level-security policy of `row_level_security_sql`; \"one connection\": scoped \
             on one checked-out connection (no checkout per statement); \"exclusive\": by \
             hand with multiplexing off. ops/s, and the ratio to deadpool by hand.\n\n| client | c=1 | ÷ deadpool | c=16 | ÷ deadpool |\n|---|---:|---:|---:|---:|"
        );
        for c in [
            "deadpool by hand",
            "secure-pg by hand",
            "secure-pg scoped",
            "secure-pg scoped + RLS",
            "secure-pg scoped, one connection",
            "secure-pg by hand, exclusive",
        ] {
            let _ = writeln!(
                m,
                "| {c} | {} | {} | {} | {} |",
                ops_cell(r.get("rls", c, 1)),
                ratio_cell(r.ratio("rls", c, "deadpool by hand", 1)),
                ops_cell(r.get("rls", c, MID)),
                ratio_cell(r.ratio("rls", c, "deadpool by hand", MID)),
            );
        }
    }

    if r.get("dynamic", "secure-pg dynamic", MID).is_some() {
        let _ = writeln!(
            m,
            "\n## Dynamic queries\n\nThe point select written statically, and as a dynamic \
             query (two optional filters and an optional sort) whose run-time values pick the \
             variant that is the same statement: what choosing a variant costs. ops/s, and the \
             ratio to the static statement.\n\n| client | c=1 | ÷ static | c=16 | ÷ static |\n|---|---:|---:|---:|---:|"
        );
        for c in ["secure-pg static", "secure-pg dynamic"] {
            let _ = writeln!(
                m,
                "| {c} | {} | {} | {} | {} |",
                ops_cell(r.get("dynamic", c, 1)),
                ratio_cell(r.ratio("dynamic", c, "secure-pg static", 1)),
                ops_cell(r.get("dynamic", c, MID)),
                ratio_cell(r.ratio("dynamic", c, "secure-pg static", MID)),
            );
        }
    }

    let errors: Vec<String> = r
        .series
        .iter()
        .filter(|s| s.errors() > 0)
        .map(|s| format!("{} {} c={}: {}", s.section, s.client, s.conc, s.errors()))
        .collect();
    let _ = writeln!(m, "\n## Notes\n");
    if errors.is_empty() {
        let _ = writeln!(m, "- No operation failed.");
    } else {
        let _ = writeln!(m, "- Failed operations: {}.", errors.join("; "));
    }
    let _ = writeln!(
        m,
        "- L0 is tokio-postgres with one dedicated connection per task and the statement \
         prepared once (at c=64 that is 64 server backends). L0-pipelined shares one \
         connection among all tasks. bb8-postgres runs with its defaults: a `simple_query(\"\")` \
         test on every checkout and `query(&str)`, which prepares on every call. deadpool uses \
         `RecyclingMethod::Fast` (its default) and `prepare_cached`. sqlx uses its defaults \
         (`test_before_acquire(true)`: a ping per acquire); \"sqlx no-ping\" turns that off."
    );
    let _ = writeln!(
        m,
        "- \"secure-pg\" is the pool with its defaults, which multiplex session-neutral \
         statements on `&Pool` over shared pipelined connections (within the pool's 8); \
         \"secure-pg exclusive\" is the same pool with `.multiplex(false)`: a checkout per \
         statement, as deadpool does."
    );
    let _ = writeln!(
        m,
        "- sqlx is driven through its runtime API (`sqlx::query_as::<_, T>(..)` with \
         `#[derive(sqlx::FromRow)]`): the `query_as!` macro needs a live database or offline \
         data at compile time. Both decode the same way at run time."
    );
    let _ = writeln!(
        m,
        "- The peers' TLS is a small rustls adapter in `benches/src/tls.rs` (verify-full, P-256 \
         offered first like secure-pg, no channel binding)."
    );
    let _ = writeln!(
        m,
        "- Not measured: other machines or core counts, a server on a separate host (only \
         tx3 is measured over a delaying relay, see above; a real network would favour the \
         clients that save round trips on every workload), PgBouncer, and cold-start of pools. With client and server on 2 shared \
         cores, rounds vary; compare ratios within a run rather than absolute numbers across \
         runs."
    );
    if p.mode == "quick" {
        let _ = writeln!(
            m,
            "- This is a `--quick` run (short windows): use `--full` for numbers worth quoting."
        );
    }
    m
}

// ------------------------------------------------------------------- chart

const COLORS: [&str; 8] = [
    "#8c8c8c", "#b3b3b3", "#e6a03c", "#3c8ce6", "#9b59b6", "#c39bd3", "#82c99b", "#27ae60",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A nice round step for about five grid lines up to `max`.
fn grid_step(max: f64) -> f64 {
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(raw)
}

/// A hand-written SVG: point-select throughput by concurrency (bars with
/// min–max whiskers), and each target as a ratio against its threshold.
pub(crate) fn svg(r: &Results) -> String {
    let checks = checks(r);
    let width = 960.0;
    let top_h = 380.0;
    let row_h = 26.0;
    let bottom_h = 60.0 + row_h * checks.len() as f64;
    let height = top_h + bottom_h + 20.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = writeln!(
        s,
        r#"<text x="20" y="24" font-size="15" font-weight="bold">Point select, ops/s (median of rounds, whiskers min–max), TLS verify-full, pools of 8</text>"#
    );

    // Panel 1: grouped bars.
    let (x0, y0, pw, ph) = (70.0, 50.0, 700.0, 280.0);
    let max = r
        .series
        .iter()
        .filter(|x| x.section == "point")
        .map(|x| x.ops().max)
        .fold(1.0, f64::max);
    let step = grid_step(max);
    let top = (max / step).ceil() * step;
    let y = |v: f64| y0 + ph - v / top * ph;
    let mut g = 0.0;
    while g <= top + 1e-9 {
        let _ = writeln!(
            s,
            r##"<line x1="{x0}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e0e0e0"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            x0 + pw,
            x0 - 6.0,
            y(g) + 4.0,
            thousands(g),
            yy = y(g)
        );
        g += step;
    }
    let groups = [1usize, 16, 64];
    let gw = pw / groups.len() as f64;
    let bw = (gw - 30.0) / POINT_CLIENTS.len() as f64;
    for (gi, c) in groups.iter().enumerate() {
        let gx = x0 + gi as f64 * gw + 15.0;
        for (ci, client) in POINT_CLIENTS.iter().enumerate() {
            let Some(series) = r.get("point", client, *c) else {
                continue;
            };
            let o = series.ops();
            let bx = gx + ci as f64 * bw;
            let _ = writeln!(
                s,
                r#"<rect x="{bx:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} c={c}: {} ops/s</title></rect>"#,
                y(o.median),
                bw - 2.0,
                y0 + ph - y(o.median),
                COLORS[ci],
                esc(client),
                thousands(o.median)
            );
            let cx = bx + (bw - 2.0) / 2.0;
            let _ = writeln!(
                s,
                r##"<line x1="{cx:.1}" x2="{cx:.1}" y1="{:.1}" y2="{:.1}" stroke="#333"/>"##,
                y(o.min),
                y(o.max)
            );
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle" font-size="13">c = {c}</text>"#,
            x0 + gi as f64 * gw + gw / 2.0,
            y0 + ph + 20.0
        );
    }
    let _ = writeln!(
        s,
        r##"<line x1="{x0}" x2="{x0}" y1="{y0}" y2="{}" stroke="#333"/><line x1="{x0}" x2="{}" y1="{yb}" y2="{yb}" stroke="#333"/>"##,
        y0 + ph,
        x0 + pw,
        yb = y0 + ph
    );
    for (ci, client) in POINT_CLIENTS.iter().enumerate() {
        let ly = y0 + 10.0 + ci as f64 * 20.0;
        let _ = writeln!(
            s,
            r#"<rect x="{}" y="{ly}" width="14" height="14" fill="{}"/><text x="{}" y="{}">{}</text>"#,
            x0 + pw + 20.0,
            COLORS[ci],
            x0 + pw + 40.0,
            ly + 11.0,
            esc(client)
        );
    }

    // Panel 2: targets.
    let py = top_h + 10.0;
    let _ = writeln!(
        s,
        r#"<text x="20" y="{py}" font-size="15" font-weight="bold">Targets: secure-pg ÷ peer (times inverted, so right is better); black tick = required</text>"#
    );
    let (lx, bx0, bwid) = (20.0, 430.0, 440.0);
    let scale_max = checks
        .iter()
        .map(|c| c.score.max(c.required))
        .fold(2.0, f64::max)
        * 1.05;
    let xs = |v: f64| bx0 + v / scale_max * bwid;
    for (i, c) in checks.iter().enumerate() {
        let yy = py + 20.0 + i as f64 * row_h;
        let fill = if c.met() { "#27ae60" } else { "#e74c3c" };
        let _ = writeln!(
            s,
            r#"<text x="{lx}" y="{:.1}">{}</text>"#,
            yy + 13.0,
            esc(&c.what)
        );
        let _ = writeln!(
            s,
            r#"<rect x="{bx0}" y="{yy:.1}" width="{:.1}" height="16" fill="{fill}"><title>{}</title></rect>"#,
            xs(c.score) - bx0,
            esc(&c.shown)
        );
        let tx = xs(c.required);
        let _ = writeln!(
            s,
            r##"<line x1="{tx:.1}" x2="{tx:.1}" y1="{:.1}" y2="{:.1}" stroke="#000" stroke-width="2"/>"##,
            yy - 3.0,
            yy + 19.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}">{:.2}</text>"#,
            xs(c.score).max(tx) + 6.0,
            yy + 13.0,
            c.score
        );
    }
    let one = xs(1.0);
    let _ = writeln!(
        s,
        r##"<line x1="{one:.1}" x2="{one:.1}" y1="{:.1}" y2="{:.1}" stroke="#999" stroke-dasharray="4 3"/><text x="{one:.1}" y="{:.1}" text-anchor="middle" fill="#666">1.0</text>"##,
        py + 12.0,
        py + 22.0 + checks.len() as f64 * row_h,
        py + 36.0 + checks.len() as f64 * row_h
    );
    let _ = writeln!(s, "</svg>");
    s
}
