//! Benchmarks secure-pg against the peers it is meant to beat, on throwaway
//! PostgreSQL clusters started by the test harness.
//!
//! ```text
//! cargo run --release -p secure-pg-benches -- --quick   # about 4 minutes
//! cargo run --release -p secure-pg-benches -- --full    # about 17 minutes
//! ```
//!
//! Writes `benches/RESULTS.md` and `benches/chart.svg`. Client and server
//! share the machine's cores, so the numbers are CPU per operation as much
//! as latency; peers are interleaved within every round so that background
//! load hits them all alike.

mod clients;
mod copy;
mod link;
mod load;
mod report;
mod stats;
mod tls;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use secure_pg_tests::{certs::certs, Cluster, ClusterSpec, ServerCert, APP_DB};

use crate::clients::*;
use crate::load::{bare_loop, closed_loop, BoxError, LoadResult, Op, Phases};
use crate::stats::{median, Results, Sample};
use crate::tls::KeyShare;

/// The check `secure_pg::connect` runs on every new connection (copied
/// from `secure-pg/src/connect.rs` to time it on its own).
const PG_STAT_SSL_SQL: &str = "SELECT a.ssl, a.sslversion, a.sslcipher, a.pid \
     FROM pg_stat_get_activity(pg_backend_pid()) a";

/// Rows in `users`; point-select keys are uniform in `1..=USERS`.
const USERS: i64 = 10_000;
const CONCURRENCY: [usize; 3] = [1, 16, 64];
/// Concurrency of the mix, transaction and TLS-cost workloads.
const MID_CONCURRENCY: usize = 16;

/// How long and how often to measure.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) mode: &'static str,
    pub(crate) rounds: usize,
    pub(crate) phases: Phases,
    pub(crate) decode_iters: usize,
    pub(crate) connects_per_round: usize,
    pub(crate) sections: Vec<String>,
}

const SECTIONS: [&str; 14] = [
    "point", "cache", "decode", "connect", "batch", "tls", "mix", "link", "hol", "procs", "rls",
    "copy", "dynamic", "memory",
];

fn usage() -> ! {
    eprintln!(
        "usage: secure-pg-benches --quick|--full [--rounds N] [--only {}]\n\
         \n       secure-pg-benches --profile l0|pipelined|deadpool|deadpool-lifo|sqlx|ours|ours-exclusive|ours-conn|ours-tx|deadpool-tx C SECS [warm]\n\
         \n       secure-pg-benches --connect-profile ours|p256|p256-check N   (N connects in a row: median ms, client CPU)\
         \n       secure-pg-benches --memory-child CLIENT PORT CA SECS   (one pool's resident memory; run by the memory section)\
         \n       secure-pg-benches --scope-cost [N]   (no database: the tenant-scope check, ns/op)\
         \n       secure-pg-benches --catalog-cost CRATE_DIR   (no database: building the schema catalog, ms)\n\
         \n  --quick   3 rounds, 0.3 s warm-up + 1 s per measurement (about 4 minutes)\
         \n  --full    5 rounds, 1 s warm-up + 3 s per measurement (about 17 minutes)\
         \n  --only    comma-separated sections (for development; RESULTS.md then lacks the rest)",
        SECTIONS.join(",")
    );
    std::process::exit(2)
}

fn parse_args() -> Plan {
    let mut plan = None;
    let mut rounds = None;
    let mut only: Option<Vec<String>> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => {
                plan = Some(Plan {
                    mode: "quick",
                    rounds: 3,
                    phases: Phases {
                        warmup: Duration::from_millis(300),
                        measure: Duration::from_secs(1),
                    },
                    decode_iters: 10,
                    connects_per_round: 10,
                    sections: Vec::new(),
                })
            }
            "--full" => {
                plan = Some(Plan {
                    mode: "full",
                    rounds: 5,
                    phases: Phases {
                        warmup: Duration::from_secs(1),
                        measure: Duration::from_secs(3),
                    },
                    decode_iters: 30,
                    connects_per_round: 10,
                    sections: Vec::new(),
                })
            }
            "--rounds" => rounds = args.next().and_then(|n| n.parse().ok()).or_else(|| usage()),
            "--only" => {
                only = args
                    .next()
                    .map(|s| s.split(',').map(str::to_owned).collect())
            }
            _ => usage(),
        }
    }
    let mut plan = plan.unwrap_or_else(|| usage());
    if let Some(r) = rounds {
        plan.rounds = r;
    }
    plan.sections = only.unwrap_or_else(|| SECTIONS.iter().map(|s| s.to_string()).collect());
    if let Some(bad) = plan
        .sections
        .iter()
        .find(|s| !SECTIONS.contains(&s.as_str()))
    {
        eprintln!("unknown section {bad}");
        usage();
    }
    plan
}

type Runner = Box<dyn Fn(usize, Phases) -> Pin<Box<dyn Future<Output = LoadResult> + Send>>>;

/// A client's load for the memory section: `c` tasks for a time, no
/// latencies recorded ([`bare_loop`]); the operations done.
type BareRunner =
    Box<dyn Fn(usize, Duration) -> Pin<Box<dyn Future<Output = Result<u64, BoxError>> + Send>>>;

fn bare_runner<O: Op>(op: O) -> BareRunner {
    let op = Arc::new(op);
    Box::new(move |c, time| Box::pin(bare_loop(op.clone(), c, time, USERS)))
}

/// Wraps a client so that clients of different types fit in one list.
fn runner<O: Op>(op: O) -> Runner {
    let op = Arc::new(op);
    Box::new(move |c, phases| Box::pin(closed_loop(op.clone(), c, phases, USERS)))
}

fn sample(r: &LoadResult) -> Sample {
    Sample {
        ops_s: r.ops_per_sec(),
        p50_us: r.pct_us(0.50),
        p99_us: r.pct_us(0.99),
        p999_us: r.pct_us(0.999),
        worst_idle: r.worst_window_idle(),
        ever_starved: r.tasks_ever_starved,
        errors: r.errors,
        shared: r.shared.unwrap_or(0) as usize,
        ..Sample::default()
    }
}

/// `items` rotated by `round`, so that no client always runs first.
fn rotated<T>(items: &[T], round: usize) -> impl Iterator<Item = &T> {
    let n = items.len();
    (0..n).map(move |i| &items[(i + round) % n])
}

/// Runs every client at every concurrency for every round, interleaved.
async fn interleave(
    results: &mut Results,
    plan: &Plan,
    section: &'static str,
    runners: &[(&'static str, Runner)],
    concurrencies: &[usize],
) {
    // Warm every client (and grow every pool to its size) first.
    for (_, run) in runners {
        run(
            64,
            Phases {
                warmup: Duration::ZERO,
                measure: Duration::from_millis(300),
            },
        )
        .await;
    }
    for round in 0..plan.rounds {
        for &c in concurrencies {
            for (name, run) in rotated(runners, round) {
                let r = run(c, plan.phases).await;
                eprintln!(
                    "  [{section} r{round} c={c:>2}] {name:<22} {:>9.0} ops/s  p50 {:>6.0} µs  p99 {:>7.0} µs{}{}",
                    r.ops_per_sec(),
                    r.pct_us(0.5),
                    r.pct_us(0.99),
                    if r.tasks_ever_starved > 0 {
                        format!("  starved tasks {}", r.tasks_ever_starved)
                    } else {
                        String::new()
                    },
                    r.shared.map_or(String::new(), |n| format!("  shared {n}"))
                );
                results.push(section, name, c, sample(&r));
            }
        }
    }
}

/// Everything the sections need to reach the clusters.
struct Env {
    tls: Target,
    plain: Target,
    tls_cluster: Cluster,
    _plain_cluster: Cluster,
}

fn seed(cluster: &Cluster) {
    cluster.psql_db(
        APP_DB,
        "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, hair_color text);
         INSERT INTO users
           SELECT g, 'user number ' || g,
                  CASE WHEN g % 7 = 0 THEN NULL
                       ELSE (ARRAY['black','brown','blond','red','grey'])[1 + g % 5] END
           FROM generate_series(1, 10000) g;
         CREATE TABLE audit (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                             user_id bigint NOT NULL, note text NOT NULL);
         ALTER TABLE users OWNER TO app;
         ALTER TABLE audit OWNER TO app;",
    );
    cluster.psql_db(APP_DB, "VACUUM ANALYZE users");
    // The same rows spread over tenants, once without and once with the
    // row-level-security policy (owned by `app`, so FORCE applies to it).
    let rls = secure_pg::row_level_security_sql("tenant_users_rls", "tenant_id")
        .expect("valid names")
        .join(";\n");
    let tenants = clients::TENANTS;
    cluster.psql_db(
        APP_DB,
        &format!(
            "SET ROLE app;
             CREATE TABLE tenant_users (tenant_id bigint NOT NULL, id bigint NOT NULL,
                 name text NOT NULL, hair_color text, PRIMARY KEY (tenant_id, id));
             INSERT INTO tenant_users SELECT id % {tenants} + 1, id, name, hair_color FROM users;
             CREATE TABLE tenant_users_rls (LIKE tenant_users INCLUDING ALL);
             INSERT INTO tenant_users_rls SELECT * FROM tenant_users;
             {rls};"
        ),
    );
    cluster.psql_db(APP_DB, "VACUUM ANALYZE tenant_users, tenant_users_rls");
    copy::seed(cluster, APP_DB);
}

fn target(cluster: &Cluster, tls: bool) -> Result<Target, BoxError> {
    let ca = certs().ca_file();
    let url = if tls {
        tls_url(cluster.port, &ca)
    } else {
        cluster.url_with("localhost", "sslmode=disable")
    };
    peers_target(url, cluster.port, tls.then_some(ca.as_path()))
}

/// The verify-full URL of the benchmark's role on the server at `port`.
fn tls_url(port: u16, ca: &std::path::Path) -> String {
    use secure_pg_tests::{APP_PASSWORD, APP_USER};
    format!(
        "postgres://{APP_USER}:{APP_PASSWORD}@localhost:{port}/{APP_DB}?sslrootcert={}",
        ca.display()
    )
}

/// Every client's configuration for the server at `url` (`ca`: over
/// TLS, verify-full with that CA).
fn peers_target(url: String, port: u16, ca: Option<&std::path::Path>) -> Result<Target, BoxError> {
    use secure_pg_tests::{APP_PASSWORD, APP_USER};
    let tls = ca.is_some();
    let secure = secure_pg::Config::parse_with_env(&url, |_| None)?;
    let mut pg = tokio_postgres::Config::new();
    pg.host("localhost")
        .port(port)
        .user(APP_USER)
        .password(APP_PASSWORD)
        .dbname(APP_DB);
    let sqlx_url = if tls {
        format!("{url}&sslmode=verify-full")
    } else {
        url
    };
    let sqlx: sqlx::postgres::PgConnectOptions = sqlx_url.parse()?;
    Ok(Target {
        secure,
        pg,
        tls: ca.map(|ca| tls::client_config(ca, KeyShare::P256First)),
        sqlx,
    })
}

async fn section_point(env: &Env, plan: &Plan, results: &mut Results) -> Result<(), BoxError> {
    let t = &env.tls;
    let max_c = *CONCURRENCY.iter().max().expect("concurrencies");
    let runners: Vec<(&'static str, Runner)> = vec![
        ("L0 tokio-postgres", runner(Dedicated::new(t, max_c).await?)),
        ("L0-pipelined", runner(Shared::new(t).await?)),
        ("bb8-postgres", runner(Bb8(t.bb8().await?))),
        ("deadpool-postgres", runner(Deadpool(t.deadpool().await?))),
        ("sqlx", runner(Sqlx(t.sqlx(true).await?))),
        ("sqlx no-ping", runner(Sqlx(t.sqlx(false).await?))),
        ("secure-pg", runner(Ours(t.ours().await?))),
        (
            "secure-pg exclusive",
            runner(Ours(t.ours_exclusive().await?)),
        ),
    ];
    interleave(results, plan, "point", &runners, &CONCURRENCY).await;
    Ok(())
}

async fn section_cache(env: &Env, plan: &Plan, results: &mut Results) -> Result<(), BoxError> {
    let t = &env.tls;
    let one = || secure_pg::Pool::builder().max_size(1);
    let runners: Vec<(&'static str, Runner)> = vec![
        (
            "secure-pg cached",
            runner(OursConn::new(one().build(t.secure.clone()).await?).await?),
        ),
        (
            "secure-pg cache off",
            runner(
                OursConn::new(one().statement_cache(false).build(t.secure.clone()).await?).await?,
            ),
        ),
        (
            "tokio-postgres query(&str)",
            runner(Uncached(t.pg_connect().await?)),
        ),
        (
            "tokio-postgres prepared",
            runner(Dedicated::new(t, 1).await?),
        ),
    ];
    interleave(results, plan, "cache", &runners, &[1]).await;
    Ok(())
}

async fn section_batch(env: &Env, plan: &Plan, results: &mut Results) -> Result<(), BoxError> {
    let t = &env.tls;
    let pool = secure_pg::Pool::builder()
        .max_size(1)
        .build(t.secure.clone())
        .await?;
    let runners: Vec<(&'static str, Runner)> = vec![
        (
            "secure-pg join of 10",
            runner(OursBatch(OursConn::new(pool).await?)),
        ),
        (
            "L0-pipelined join of 10",
            runner(PgBatch(Shared::new(t).await?)),
        ),
    ];
    interleave(results, plan, "batch", &runners, &[1]).await;
    Ok(())
}

async fn section_tls(env: &Env, plan: &Plan, results: &mut Results) -> Result<(), BoxError> {
    let runners: Vec<(&'static str, Runner)> = vec![
        ("secure-pg TLS", runner(Ours(env.tls.ours().await?))),
        ("secure-pg plaintext", runner(Ours(env.plain.ours().await?))),
        ("deadpool TLS", runner(Deadpool(env.tls.deadpool().await?))),
        (
            "deadpool plaintext",
            runner(Deadpool(env.plain.deadpool().await?)),
        ),
    ];
    interleave(results, plan, "tls", &runners, &[MID_CONCURRENCY]).await;
    Ok(())
}

async fn section_mix(env: &Env, plan: &Plan, results: &mut Results) -> Result<(), BoxError> {
    let t = &env.tls;
    let runners: Vec<(&'static str, Runner)> = vec![
        ("secure-pg 80/20", runner(OursMix(t.ours().await?))),
        (
            "secure-pg exclusive 80/20",
            runner(OursMix(t.ours_exclusive().await?)),
        ),
        ("deadpool 80/20", runner(DeadpoolMix(t.deadpool().await?))),
        ("secure-pg tx3", runner(OursTx(t.ours().await?))),
        ("deadpool tx3", runner(DeadpoolTx(t.deadpool().await?))),
    ];
    interleave(results, plan, "mix", &runners, &[MID_CONCURRENCY]).await;
    Ok(())
}

/// The one-way delay of the `link` section's network (a 1 ms round trip,
/// as between availability zones of one cloud region).
const LINK_ONE_WAY: Duration = Duration::from_micros(500);

/// tx3 over a link with a round-trip time (see [`link`]): what the
/// transaction's saved round trip (its `BEGIN` sent with its first
/// statement) is worth where round trips cost time, for one caller and
/// for 16.
async fn section_link(env: &Env, plan: &Plan, results: &mut Results) -> Result<(), BoxError> {
    let link = link::Link::start(env.tls_cluster.port, LINK_ONE_WAY)?;
    let ca = certs().ca_file();
    let t = peers_target(tls_url(link.port, &ca), link.port, Some(&ca))?;
    eprintln!(
        "  link: port {} to {}, {} µs each way",
        link.port,
        env.tls_cluster.port,
        link.one_way.as_micros()
    );
    let runners: Vec<(&'static str, Runner)> = vec![
        ("secure-pg tx3", runner(OursTx(t.ours().await?))),
        ("deadpool tx3", runner(DeadpoolTx(t.deadpool().await?))),
    ];
    interleave(results, plan, "link", &runners, &[1, MID_CONCURRENCY]).await;
    Ok(())
}

/// Tenant scoping: a `#[tenant_scoped]` point select (its own tenant
/// transaction, in one round trip), with and without the row-level-security
/// policy, against the same filter written by hand on deadpool and as one
/// multiplexed statement.
async fn section_rls(env: &Env, plan: &Plan, results: &mut Results) -> Result<(), BoxError> {
    let t = &env.tls;
    let runners: Vec<(&'static str, Runner)> = vec![
        (
            "deadpool by hand",
            runner(DeadpoolTenant(t.deadpool().await?)),
        ),
        (
            "secure-pg by hand",
            runner(OursTenantByHand(t.ours().await?)),
        ),
        (
            "secure-pg scoped",
            runner(OursScoped {
                pool: t.ours().await?,
                rls: false,
            }),
        ),
        (
            "secure-pg scoped + RLS",
            runner(OursScoped {
                pool: t.ours().await?,
                rls: true,
            }),
        ),
        (
            "secure-pg scoped, one connection",
            runner(OursScopedConn(
                OursConn::new(
                    secure_pg::Pool::builder()
                        .max_size(1)
                        .build(t.secure.clone())
                        .await?,
                )
                .await?,
            )),
        ),
        (
            "secure-pg by hand, exclusive",
            runner(OursTenantByHand(t.ours_exclusive().await?)),
        ),
    ];
    interleave(results, plan, "rls", &runners, &[1, MID_CONCURRENCY]).await;
    Ok(())
}

/// A dynamic query's variant choice against the same statement written
/// statically, on the same pool configuration.
async fn section_dynamic(env: &Env, plan: &Plan, results: &mut Results) -> Result<(), BoxError> {
    let t = &env.tls;
    let runners: Vec<(&'static str, Runner)> = vec![
        ("secure-pg static", runner(Ours(t.ours().await?))),
        ("secure-pg dynamic", runner(OursDynamic(t.ours().await?))),
    ];
    interleave(results, plan, "dynamic", &runners, &[1, MID_CONCURRENCY]).await;
    Ok(())
}

/// Head-of-line blocking: one 50 ms statement per 100 point selects in
/// every task; the point selects' latency, multiplexed and exclusive.
async fn section_hol(env: &Env, plan: &Plan, results: &mut Results) -> Result<(), BoxError> {
    let t = &env.tls;
    let runners: Vec<(&'static str, Runner)> = vec![
        ("secure-pg", runner(OursHol(t.ours().await?))),
        (
            "secure-pg exclusive",
            runner(OursHol(t.ours_exclusive().await?)),
        ),
        (
            "deadpool-postgres",
            runner(DeadpoolHol(t.deadpool().await?)),
        ),
    ];
    interleave(results, plan, "hol", &runners, &[MID_CONCURRENCY, 64]).await;
    Ok(())
}

/// The server's view: the point select from several processes at once
/// (each a pool of 8), multiplexed and exclusive, with the total
/// throughput, the most backends the server had for them, and the most
/// connections their pools held for sharing.
async fn section_procs(env: &Env, plan: &Plan, results: &mut Results) -> Result<(), BoxError> {
    let observer = env.tls.pg_connect().await?;
    // Counted by application_name: other sections' pools may still hold
    // backends of the same role.
    let app = "secure_pg_procs";
    let url = format!("{}&application_name={app}", env.tls_cluster.url());
    let count = || async {
        let row = observer
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                &[&app],
            )
            .await?;
        Ok::<_, BoxError>(row.get::<_, i64>(0) as usize)
    };
    let secs = plan.phases.measure.as_secs_f64();
    let setups: [(&'static str, &str, usize, usize); 4] = [
        ("secure-pg 1×64", "mx", 1, 64),
        ("secure-pg exclusive 1×64", "ex", 1, 64),
        ("secure-pg 4×16", "mx", 4, 16),
        ("secure-pg exclusive 4×16", "ex", 4, 16),
    ];
    for round in 0..plan.rounds {
        for (name, mode, procs, c) in rotated(&setups, round) {
            // The previous setup's backends exit first.
            let quiet = Instant::now();
            while count().await? > 0 && quiet.elapsed() < Duration::from_secs(5) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let children: Vec<_> = (0..*procs)
                .map(|_| {
                    std::process::Command::new(std::env::current_exe()?)
                        .args([
                            "--client-load",
                            mode,
                            &url,
                            &c.to_string(),
                            &secs.to_string(),
                        ])
                        .stdout(std::process::Stdio::piped())
                        .spawn()
                })
                .collect::<Result<_, _>>()?;
            let mut peak = 0usize;
            let started = Instant::now();
            while started.elapsed().as_secs_f64() < secs + 1.0 {
                peak = peak.max(count().await?);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let mut total = Sample::default();
            for child in children {
                let out = tokio::task::spawn_blocking(move || child.wait_with_output()).await??;
                let text = String::from_utf8_lossy(&out.stdout);
                let field = |key: &str| child_field(&text, key).unwrap_or(0.0);
                total.ops_s += field("ops_s");
                total.p99_us = total.p99_us.max(field("p99_us"));
                total.p50_us = total.p50_us.max(field("p50_us"));
                total.errors += field("errors") as u64;
                total.shared += field("shared") as usize;
            }
            total.backends = peak;
            eprintln!(
                "  [procs r{round}] {name:<26} {:>9.0} ops/s  peak backends {peak}  shared {}",
                total.ops_s, total.shared
            );
            results.push("procs", name, *c * *procs, total);
        }
    }
    Ok(())
}

/// Clients whose memory the `memory` section measures, each in a process
/// of its own.
const MEMORY_CLIENTS: [&str; 4] = [
    "secure-pg",
    "secure-pg exclusive",
    "deadpool-postgres",
    "sqlx",
];

/// Connections each measured pool holds.
const MEMORY_POOL: usize = 8;

/// Resident memory of a pool of 8 open connections, idle and then busy,
/// per client, each in a child process of its own (`--memory-child`), in
/// every round (clients rotated): what the pool adds to the process's
/// resident set, over what the process held before building it.
async fn section_memory(env: &Env, plan: &Plan, results: &mut Results) -> Result<(), BoxError> {
    let ca = certs().ca_file();
    let busy_secs = plan.phases.measure.as_secs_f64().min(2.0);
    for round in 0..plan.rounds {
        for name in rotated(&MEMORY_CLIENTS, round) {
            let child = std::process::Command::new(std::env::current_exe()?)
                .args([
                    "--memory-child",
                    name,
                    &env.tls_cluster.port.to_string(),
                    &ca.display().to_string(),
                    &busy_secs.to_string(),
                ])
                .stdout(std::process::Stdio::piped())
                .spawn()?;
            let out = tokio::task::spawn_blocking(move || child.wait_with_output()).await??;
            let text = String::from_utf8_lossy(&out.stdout);
            let field = |key: &str| child_field(&text, key);
            let (Some(idle), Some(busy), Some(anon), Some(conns)) = (
                field("idle_kib"),
                field("busy_kib"),
                field("idle_anon_kib"),
                field("connections"),
            ) else {
                return Err(format!("memory child for {name} failed: {text}").into());
            };
            if conns as usize != MEMORY_POOL {
                return Err(format!(
                    "memory child for {name} held {conns} connections, not {MEMORY_POOL}"
                )
                .into());
            }
            eprintln!(
                "  [memory r{round}] {name:<22} idle +{idle:>7.0} KiB (anonymous +{anon:>7.0})  busy +{busy:>7.0} KiB"
            );
            let sample = Sample {
                idle_kib: idle,
                idle_anon_kib: anon,
                busy_kib: busy,
                ops_s: field("ops_s").unwrap_or(0.0),
                ..Sample::default()
            };
            results.push("memory", name, MEMORY_POOL, sample);
        }
    }
    Ok(())
}

/// The value after `key` in a child's line of `key value` pairs.
fn child_field(text: &str, key: &str) -> Option<f64> {
    text.split_whitespace()
        .skip_while(|w| *w != key)
        .nth(1)
        .and_then(|v| v.parse().ok())
}

/// One line of `/proc/self/status` (`VmRSS`, `RssAnon`, ...), in KiB.
fn status_kib(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(f64::NAN)
}

/// The process's resident set (`VmRSS`), in KiB.
fn resident_kib() -> f64 {
    status_kib("VmRSS")
}

/// One client's pool of `n` connections, as a load runner and a count of
/// the connections it holds. Each pool carries a TLS configuration built
/// with it (from the CA file `ca`), as secure-pg's and sqlx's pools build
/// theirs: the harness's own, built before the base, would leave one
/// client's out of its count.
async fn memory_pool(
    client: &str,
    t: &Target,
    ca: &std::path::Path,
    n: u32,
) -> Result<(BareRunner, Box<dyn Fn() -> usize>), BoxError> {
    Ok(match client {
        "secure-pg" | "secure-pg exclusive" => {
            let pool = t.ours_sized(client == "secure-pg", n, true).await?;
            let p = pool.clone();
            (
                bare_runner(Ours(pool)),
                Box::new(move || p.state().connections as usize),
            )
        }
        "deadpool-postgres" => {
            let pool = tls_for(t, KeyShare::P256First, ca)
                .deadpool_sized(deadpool_postgres::QueueMode::Fifo, n as usize)
                .await?;
            let p = pool.clone();
            (
                bare_runner(Deadpool(pool)),
                Box::new(move || p.status().size),
            )
        }
        "sqlx" => {
            let pool = t.sqlx_sized(false, n, true).await?;
            let p = pool.clone();
            (bare_runner(Sqlx(pool)), Box::new(move || p.size() as usize))
        }
        _ => usage(),
    })
}

/// `--memory-child CLIENT PORT CA BUSY_SECS`: builds one client's pool of
/// 8 connections on the TLS server at PORT, lets it sit idle, then runs
/// the point select at c=16 for BUSY_SECS, and prints what the pool added
/// to the resident set: when idle, and the most seen while busy (sampled
/// every 10 ms).
fn memory_child(args: &[String]) -> Result<(), BoxError> {
    let [client, port, ca, busy_secs] = args else {
        usage()
    };
    let port: u16 = port.parse()?;
    let busy_secs: f64 = busy_secs.parse()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let ca = std::path::Path::new(ca);
    runtime.block_on(async {
        let t = peers_target(tls_url(port, ca), port, Some(ca))?;
        // The base: the runtime and TLS configurations, and this client's
        // own pool of one connection, built, used and dropped, so that the
        // client's code and TLS library are paged in and its allocator
        // warm. What is left after it is what 8 connections cost, not
        // what loading the library costs (the same for a pool of any size).
        {
            let (warm, _) = memory_pool(client, &t, ca, 1).await?;
            // As many tasks as the fill below, so that the driver's own
            // task machinery is warm too.
            warm(64, Duration::from_millis(300)).await?;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        let base = resident_kib();
        let base_anon = status_kib("RssAnon");
        let (run, open) = memory_pool(client, &t, ca, MEMORY_POOL as u32).await?;
        // Every connection opened and used (64 tasks, as the benchmark's
        // warm-up), then left idle.
        run(64, Duration::from_millis(500)).await?;
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let connections = open();
        let idle = resident_kib() - base;
        let idle_anon = status_kib("RssAnon") - base_anon;
        let peak = Arc::new(std::sync::Mutex::new(0f64));
        let sampler = {
            let peak = peak.clone();
            tokio::spawn(async move {
                loop {
                    let now = resident_kib();
                    {
                        let mut p = peak.lock().unwrap_or_else(|e| e.into_inner());
                        *p = p.max(now);
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            })
        };
        let busy_for = Duration::from_secs_f64(busy_secs);
        let ops = run(MID_CONCURRENCY, busy_for).await?;
        sampler.abort();
        let busy = *peak.lock().unwrap_or_else(|e| e.into_inner()) - base;
        println!(
            "idle_kib {idle:.0} idle_anon_kib {idle_anon:.0} busy_kib {busy:.0} connections {connections} ops_s {:.0}",
            ops as f64 / busy_secs
        );
        Ok::<_, BoxError>(())
    })?;
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

/// `--catalog-cost CRATE_DIR`: how long building the catalog from that
/// crate's schema (its `schema.sql` or `migrations/`) takes, as the first
/// query macro of a compiler process does it: the median of 21 loads, in
/// milliseconds, with the number of files and tables.
fn catalog_cost(args: &[String]) -> Result<(), BoxError> {
    let [dir] = args else { usage() };
    let dir = std::path::Path::new(dir);
    let mut times = Vec::new();
    let mut shape = (0, 0);
    for _ in 0..21 {
        let started = Instant::now();
        let loaded = secure_pg_sql::schema::load(dir, None)?
            .ok_or("no schema.sql or migrations/ in that directory")?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        shape = (loaded.files.len(), loaded.catalog.tables().count());
    }
    println!(
        "catalog {:.2} ms ({} files, {} tables; median of 21)",
        median(times),
        shape.0,
        shape.1
    );
    Ok(())
}

/// `--client-load mx|ex URL C SECS`: one process of the multi-process
/// section; prints its throughput, latency, errors and the most shared
/// connections its pool held.
fn client_load(args: &[String]) -> Result<(), BoxError> {
    let [mode, url, c, secs] = args else { usage() };
    let c: usize = c.parse()?;
    let secs: f64 = secs.parse()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let config = secure_pg::Config::parse_with_env(url, |_| None)?;
        let pool = tuned(secure_pg::Pool::builder().max_size(POOL_SIZE))
            .multiplex(mode == "mx")
            .build(config)
            .await?;
        let run = runner(Ours(pool.clone()));
        let phases = Phases {
            warmup: Duration::from_millis(300),
            measure: Duration::from_secs_f64(secs),
        };
        let r = run(c, phases).await;
        // Still held at the end of the load: how many the shared side used.
        let shared = pool.state().shared;
        println!(
            "ops_s {:.0} p50_us {:.0} p99_us {:.0} errors {} shared {shared}",
            r.ops_per_sec(),
            r.pct_us(0.5),
            r.pct_us(0.99),
            r.errors
        );
        Ok::<_, BoxError>(())
    })?;
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

/// Times `n` sequential runs of each variant, interleaved, per round; one
/// sample per round per variant holding the round's median.
async fn timed_rounds<'a, F>(
    results: &mut Results,
    plan: &Plan,
    section: &'static str,
    names: &[&'static str],
    n: usize,
    mut once: F,
) -> Result<(), BoxError>
where
    F: FnMut(usize) -> Pin<Box<dyn Future<Output = Result<(), BoxError>> + 'a>>,
{
    // One untimed run each to warm caches and pools.
    for i in 0..names.len() {
        once(i).await?;
    }
    for round in 0..plan.rounds {
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
        for _ in 0..n {
            for k in 0..names.len() {
                let i = (k + round) % names.len();
                let t0 = Instant::now();
                once(i).await?;
                times[i].push(t0.elapsed().as_secs_f64() * 1e6);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        for (i, name) in names.iter().enumerate() {
            let med = median(times[i].clone());
            eprintln!("  [{section} r{round}] {name:<32} median {:>9.0} µs", med);
            results.push(
                section,
                name,
                0,
                Sample {
                    ops_s: 1e6 / med,
                    p50_us: med,
                    ..Sample::default()
                },
            );
        }
    }
    Ok(())
}

async fn section_decode(env: &Env, plan: &Plan, results: &mut Results) -> Result<(), BoxError> {
    let t = &env.tls;
    let ours = t.ours().await?;
    let pg = t.pg_connect().await?;
    let all = pg.prepare(ALL_SQL).await?;
    let sqlx = t.sqlx(true).await?;
    let names = ["secure-pg", "tokio-postgres get(\"name\")", "sqlx query_as"];
    let check = |v: Vec<User>| -> Result<(), BoxError> {
        if v.len() as i64 != USERS {
            return Err(format!("expected {USERS} rows, got {}", v.len()).into());
        }
        std::hint::black_box(v.iter().map(User::checksum).fold(0, u64::wrapping_add));
        Ok(())
    };
    let (ours_r, pg_r, all_r, sqlx_r) = (&ours, &pg, &all, &sqlx);
    timed_rounds(
        results,
        plan,
        "decode",
        &names,
        plan.decode_iters,
        move |i| {
            let (ours, pg, all, sqlx) = (ours_r, pg_r, all_r, sqlx_r);
            Box::pin(async move {
                match i {
                    0 => check(
                        secure_pg::secure_query_as!(User, "SELECT id, name, hair_color FROM users")
                            .fetch_all(ours)
                            .await?,
                    ),
                    1 => {
                        let rows = pg.query(all, &[]).await?;
                        check(rows.iter().map(User::by_name).collect::<Result<_, _>>()?)
                    }
                    _ => check(sqlx::query_as::<_, User>(ALL_SQL).fetch_all(sqlx).await?),
                }
            })
        },
    )
    .await?;
    sqlx.close().await;
    Ok(())
}

async fn section_connect(env: &Env, plan: &Plan, results: &mut Results) -> Result<(), BoxError> {
    use sqlx::Connection as _;
    let t = &env.tls;
    let ca = certs().ca_file();
    let p256 = tls_for(t, KeyShare::P256First, &ca);
    let default = tls_for(t, KeyShare::RustlsDefault, &ca);
    // Built once, as a pool does (and as every peer's TLS config is).
    let connector = secure_pg::Connector::new(t.secure.clone())?;
    let connector = &connector;
    let names = [
        "secure-pg connect",
        "tokio-postgres+rustls P-256 first",
        "tokio-postgres+rustls defaults",
        "sqlx PgConnection",
        "P-256 first + SELECT 1",
        "P-256 first + pg_stat_ssl query",
    ];
    let (p256, default) = (&p256, &default);
    timed_rounds(
        results,
        plan,
        "connect",
        &names,
        plan.connects_per_round,
        move |i| {
            Box::pin(async move {
                match i {
                    0 => drop(connector.connect().await?),
                    1 => drop(p256.pg_connect().await?),
                    2 => drop(default.pg_connect().await?),
                    3 => drop(sqlx::PgConnection::connect_with(&t.sqlx).await?),
                    // What secure-pg adds after the handshake, on a plain client:
                    // one round trip, and the same `pg_stat_ssl` query.
                    4 => drop(p256.pg_connect().await?.simple_query("SELECT 1").await?),
                    _ => drop(
                        p256.pg_connect()
                            .await?
                            .simple_query(PG_STAT_SSL_SQL)
                            .await?,
                    ),
                }
                Ok(())
            })
        },
    )
    .await
}

/// What the profiling modes share: a runtime of the benchmark's shape, a
/// seeded TLS cluster (kept alive by the caller), and its target.
fn profiling_setup() -> Result<(tokio::runtime::Runtime, Cluster, Target), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let cluster = Cluster::start(ClusterSpec::tls(ServerCert::Valid));
    seed(&cluster);
    let t = target(&cluster, true)?;
    Ok((runtime, cluster, t))
}

/// `--connect-profile ours|p256|p256-check N`: `N` connects of one kind,
/// one after another, after one unmeasured connect; prints the median
/// wall time and the client's CPU per connect (the server, a child
/// process, is not counted), for `perf` or `valgrind` on the client side.
fn connect_profile(args: &[String]) -> Result<(), BoxError> {
    let [kind, n] = args else { usage() };
    let n: usize = n.parse()?;
    let (runtime, _cluster, t) = profiling_setup()?;
    let p256 = tls_for(&t, KeyShare::P256First, &certs().ca_file());
    let connector = secure_pg::Connector::new(t.secure.clone())?;
    runtime.block_on(async {
        let one = || async {
            match kind.as_str() {
                "ours" => drop(connector.connect().await?),
                "p256" => drop(p256.pg_connect().await?),
                "p256-check" => drop(
                    p256.pg_connect()
                        .await?
                        .simple_query(PG_STAT_SSL_SQL)
                        .await?,
                ),
                _ => usage(),
            }
            Ok::<_, BoxError>(())
        };
        one().await?;
        let cpu_before = process_cpu_ns();
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let start = Instant::now();
            one().await?;
            times.push(start.elapsed().as_secs_f64() * 1e3);
        }
        let cpu = process_cpu_ns().saturating_sub(cpu_before);
        println!(
            "{kind}: {n} connects, median {:.2} ms, client CPU {:.0} µs/connect",
            median(times),
            cpu as f64 / 1e3 / n as f64
        );
        Ok::<_, BoxError>(())
    })?;
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

/// `--profile CLIENT C SECS`: runs one point-select client alone, for
/// `valgrind --tool=callgrind` (instructions per operation); prints the
/// number of operations completed.
fn profile(args: &[String]) -> Result<(), BoxError> {
    let (client, c, secs, warm) = match args {
        [client, c, secs] => (client, c, secs, false),
        [client, c, secs, w] if w == "warm" => (client, c, secs, true),
        _ => usage(),
    };
    let c: usize = c.parse()?;
    let secs: f64 = secs.parse()?;
    let (runtime, _cluster, t) = profiling_setup()?;
    runtime.block_on(async {
        let run = match client.as_str() {
            "l0" => runner(Dedicated::new(&t, c).await?),
            "pipelined" => runner(Shared::new(&t).await?),
            "deadpool" => runner(Deadpool(t.deadpool().await?)),
            "deadpool-lifo" => runner(Deadpool(
                t.deadpool_with(deadpool_postgres::QueueMode::Lifo).await?,
            )),
            "sqlx" => runner(Sqlx(t.sqlx(true).await?)),
            "ours" => runner(Ours(t.ours().await?)),
            "ours-exclusive" => runner(Ours(t.ours_exclusive().await?)),
            "ours-tx" => runner(OursTx(t.ours().await?)),
            "deadpool-tx" => runner(DeadpoolTx(t.deadpool().await?)),
            "ours-conn" => runner(
                OursConn::new(
                    secure_pg::Pool::builder()
                        .max_size(1)
                        .build(t.secure.clone())
                        .await?,
                )
                .await?,
            ),
            _ => usage(),
        };
        if warm {
            // Grow the pool to its full size first, as the benchmark does.
            let grow = Phases {
                warmup: Duration::ZERO,
                measure: Duration::from_millis(300),
            };
            run(64, grow).await;
        }
        // No warm-up: every operation counts, so that instruction counts
        // can be divided by the operations printed.
        let phases = Phases {
            warmup: Duration::ZERO,
            measure: Duration::from_secs_f64(secs),
        };
        let cpu_before = process_cpu_ns();
        let r = run(c, phases).await;
        let cpu = process_cpu_ns().saturating_sub(cpu_before);
        println!(
            "{client} c={c}: {} ops, {:.0} ops/s, client CPU {:.1} µs/op",
            r.ops,
            r.ops_per_sec(),
            cpu as f64 / 1e3 / r.ops.max(1) as f64
        );
        Ok::<_, BoxError>(())
    })?;
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

/// CPU time this process's threads have used so far (the server, a child
/// process, is not counted), from each thread's `schedstat`, in ns.
fn process_cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// `--scope-cost [N]`: the per-query cost of the `#[tenant_scoped]`
/// run-time check (`__private::tenant_scope_check`, what every fetch
/// method runs first), N times in each situation, best of 5 runs. No
/// database: the check itself is all there is to time.
fn scope_cost(args: &[String]) -> Result<(), BoxError> {
    use secure_pg::__private::{tenant_scope, tenant_scope_check};
    use std::hint::black_box;

    let n: u32 = match args {
        [] => 10_000_000,
        [n] => n.parse().unwrap_or_else(|_| usage()),
        _ => usage(),
    };
    fn time(n: u32, marked: bool) -> f64 {
        (0..5)
            .map(|_| {
                let start = Instant::now();
                for _ in 0..n {
                    let r = tenant_scope_check(black_box(marked), black_box("SELECT 1"));
                    black_box(r.is_ok());
                }
                start.elapsed().as_nanos() as f64 / f64::from(n)
            })
            .fold(f64::INFINITY, f64::min)
    }
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let outside_unmarked = time(n, false);
    let outside_marked = time(n, true);
    let (inside_marked, inside_refused) = runtime.block_on(tenant_scope("bench", async {
        (time(n, true), time(n / 10, false))
    }));
    println!("tenant-scope check, ns/op (best of 5 x {n}):");
    println!("  outside a scope, unmarked query (every query outside #[tenant_scoped]): {outside_unmarked:.2}");
    println!("  outside a scope, marked query:                                        {outside_marked:.2}");
    println!("  inside a scope, marked query (every rewritten query):                 {inside_marked:.2}");
    println!("  inside a scope, unmarked query (refused: builds the error):           {inside_refused:.2}");
    Ok(())
}

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--profile") {
        return profile(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("--catalog-cost") {
        return catalog_cost(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("--memory-child") {
        return memory_child(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("--client-load") {
        return client_load(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("--scope-cost") {
        return scope_cost(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("--connect-profile") {
        return connect_profile(&args[1..]);
    }
    let plan = parse_args();
    let started = Instant::now();
    eprintln!(
        "secure-pg benchmarks: {} mode, {} rounds",
        plan.mode, plan.rounds
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let machine = report::Machine::probe();

    eprintln!("starting PostgreSQL clusters and seeding {USERS} users");
    let tls_cluster = Cluster::start(ClusterSpec::tls(ServerCert::Valid));
    let plain_cluster = Cluster::start(ClusterSpec::plaintext());
    seed(&tls_cluster);
    seed(&plain_cluster);
    let env = Env {
        tls: target(&tls_cluster, true)?,
        plain: target(&plain_cluster, false)?,
        tls_cluster,
        _plain_cluster: plain_cluster,
    };
    let server_version = env
        .tls_cluster
        .psql("SHOW server_version")
        .trim()
        .to_string();

    let mut results = Results::default();
    runtime.block_on(async {
        for s in &plan.sections {
            eprintln!("== {s}");
            match s.as_str() {
                "point" => section_point(&env, &plan, &mut results).await?,
                "cache" => section_cache(&env, &plan, &mut results).await?,
                "decode" => section_decode(&env, &plan, &mut results).await?,
                "connect" => section_connect(&env, &plan, &mut results).await?,
                "batch" => section_batch(&env, &plan, &mut results).await?,
                "tls" => section_tls(&env, &plan, &mut results).await?,
                "mix" => section_mix(&env, &plan, &mut results).await?,
                "link" => section_link(&env, &plan, &mut results).await?,
                "hol" => section_hol(&env, &plan, &mut results).await?,
                "procs" => section_procs(&env, &plan, &mut results).await?,
                "rls" => section_rls(&env, &plan, &mut results).await?,
                "copy" => copy::section(&env, &plan, &mut results).await?,
                "dynamic" => section_dynamic(&env, &plan, &mut results).await?,
                "memory" => section_memory(&env, &plan, &mut results).await?,
                other => unreachable!("section {other} was validated"),
            }
            // Let closed connections' backends exit before the next section.
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Ok::<_, BoxError>(())
    })?;
    // Background connection tasks end with the runtime.
    runtime.shutdown_timeout(Duration::from_secs(1));

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let ctx = report::Context {
        plan: &plan,
        machine: machine.finish(),
        server_version,
        elapsed: started.elapsed(),
    };
    std::fs::write(dir.join("RESULTS.md"), report::markdown(&ctx, &results))?;
    std::fs::write(dir.join("chart.svg"), report::svg(&results))?;
    eprintln!(
        "wrote {} and {} in {:.0} s",
        dir.join("RESULTS.md").display(),
        dir.join("chart.svg").display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
