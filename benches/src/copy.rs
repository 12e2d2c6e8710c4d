//! The bulk-load section: 100,000 rows into an empty table, by secure-pg's
//! `secure_copy_in!`, by secure-pg's `UNNEST` idiom, by tokio-postgres's
//! `BinaryCopyInWriter`, and by sqlx (`QueryBuilder::push_values` in
//! batches, and `copy_in_raw` with CSV it is given as text).

use std::fmt::Write as _;
use std::time::Instant;

use secure_pg_tests::Cluster;
use sqlx::postgres::PgPoolCopyExt as _;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};

use crate::stats::{median, Results, Sample};
use crate::{BoxError, Env, Plan};

/// Rows per load.
pub(crate) const ROWS: usize = 100_000;

/// Rows per `INSERT` of sqlx's batched load (4 binds a row, under the
/// protocol's 65,535).
const SQLX_BATCH: usize = 10_000;

pub(crate) const NAMES: [&str; 5] = [
    "secure-pg secure_copy_in!",
    "secure-pg UNNEST arrays",
    "tokio-postgres BinaryCopyInWriter",
    "sqlx push_values batches",
    "sqlx copy_in_raw CSV",
];

pub(crate) fn seed(cluster: &Cluster, db: &str) {
    cluster.psql_db(
        db,
        "SET ROLE app;
         CREATE TABLE bulk (id bigint PRIMARY KEY, name text NOT NULL,
             amount double precision NOT NULL, note text);",
    );
}

struct Row {
    id: i64,
    name: String,
    amount: f64,
    note: Option<String>,
}

fn rows() -> Vec<Row> {
    (0..ROWS as i64)
        .map(|i| Row {
            id: i,
            name: format!("customer {i}"),
            amount: i as f64 * 0.25,
            note: (i % 3 != 0).then(|| format!("note {i}")),
        })
        .collect()
}

pub(crate) async fn section(env: &Env, plan: &Plan, results: &mut Results) -> Result<(), BoxError> {
    let t = &env.tls;
    let ours = t.ours().await?;
    let pg = t.pg_connect().await?;
    let sqlx = t.sqlx(true).await?;
    let data = rows();
    let load = |i: usize| {
        let (ours, pg, sqlx, data) = (&ours, &pg, &sqlx, &data);
        async move {
            let n: u64 = match i {
                0 => {
                    secure_pg::secure_copy_in!("bulk (id, name, amount, note)", data, |r| (
                        r.id,
                        r.name.as_str(),
                        r.amount,
                        r.note.as_deref()
                    ))
                    .execute(ours)
                    .await?
                }
                1 => {
                    // What a user writes: the columns gathered into arrays.
                    let ids: Vec<i64> = data.iter().map(|r| r.id).collect();
                    let names: Vec<&str> = data.iter().map(|r| r.name.as_str()).collect();
                    let amounts: Vec<f64> = data.iter().map(|r| r.amount).collect();
                    let notes: Vec<Option<&str>> = data.iter().map(|r| r.note.as_deref()).collect();
                    secure_pg::secure_query!(
                        "INSERT INTO bulk (id, name, amount, note) \
                         SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::float8[], $4::text[])",
                        ids,
                        names,
                        amounts,
                        notes
                    )
                    .execute(ours)
                    .await?
                }
                2 => {
                    let sink = pg
                        .copy_in("COPY bulk (id, name, amount, note) FROM STDIN (FORMAT binary)")
                        .await?;
                    let writer = BinaryCopyInWriter::new(
                        sink,
                        &[Type::INT8, Type::TEXT, Type::FLOAT8, Type::TEXT],
                    );
                    let mut writer = std::pin::pin!(writer);
                    for r in data {
                        let values: [&(dyn ToSql + Sync); 4] = [&r.id, &r.name, &r.amount, &r.note];
                        writer.as_mut().write(&values).await?;
                    }
                    writer.finish().await?
                }
                3 => {
                    let mut n = 0;
                    for chunk in data.chunks(SQLX_BATCH) {
                        let mut q = sqlx::QueryBuilder::<sqlx::Postgres>::new(
                            "INSERT INTO bulk (id, name, amount, note) ",
                        );
                        q.push_values(chunk, |mut b, r| {
                            b.push_bind(r.id)
                                .push_bind(r.name.clone())
                                .push_bind(r.amount)
                                .push_bind(r.note.clone());
                        });
                        n += q.build().execute(sqlx).await?.rows_affected();
                    }
                    n
                }
                _ => {
                    let mut csv = String::with_capacity(ROWS * 40);
                    for r in data {
                        // The names and notes hold no quote, comma or newline.
                        let _ = writeln!(
                            csv,
                            "{},{},{},{}",
                            r.id,
                            r.name,
                            r.amount,
                            r.note.as_deref().unwrap_or("")
                        );
                    }
                    let mut copy = sqlx
                        .copy_in_raw("COPY bulk (id, name, amount, note) FROM STDIN (FORMAT csv)")
                        .await?;
                    copy.send(csv.as_bytes()).await?;
                    copy.finish().await?
                }
            };
            if n != ROWS as u64 {
                return Err::<(), BoxError>(format!("{} wrote {n} rows", NAMES[i]).into());
            }
            Ok(())
        }
    };
    let truncate = || async {
        secure_pg::secure_query!("TRUNCATE bulk")
            .execute(&ours)
            .await
            .map(drop)
    };
    // One untimed load each: caches, pools and the table's pages.
    for i in 0..NAMES.len() {
        truncate().await?;
        load(i).await?;
    }
    let per_round = if plan.mode == "full" { 3 } else { 1 };
    for round in 0..plan.rounds {
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); NAMES.len()];
        for _ in 0..per_round {
            for k in 0..NAMES.len() {
                let i = (k + round) % NAMES.len();
                truncate().await?;
                let t0 = Instant::now();
                load(i).await?;
                times[i].push(t0.elapsed().as_secs_f64() * 1e6);
            }
        }
        for (i, name) in NAMES.iter().enumerate() {
            let med = median(times[i].clone());
            eprintln!("  [copy r{round}] {name:<36} median {:>9.0} µs", med);
            results.push(
                "copy",
                name,
                0,
                Sample {
                    ops_s: ROWS as f64 * 1e6 / med,
                    p50_us: med,
                    ..Sample::default()
                },
            );
        }
    }
    truncate().await?;
    sqlx.close().await;
    Ok(())
}

/// The section's part of RESULTS.md.
pub(crate) fn report(r: &Results, m: &mut String) {
    if r.get("copy", NAMES[0], 0).is_none() {
        return;
    }
    let _ = writeln!(
        m,
        "\n## Bulk load of {ROWS} rows\n\nInto an empty table `bulk (id bigint, name text, \
         amount float8, note text)`, truncated before each load (untimed); loads interleaved. \
         Median time per load (range of round medians), and rows per second.\n\n\
         | client | time | rows/s | ÷ secure_copy_in! |\n|---|---:|---:|---:|"
    );
    let ours = r.get("copy", NAMES[0], 0).map(|s| s.p50());
    for c in NAMES {
        let s = r.get("copy", c, 0);
        let rel = match (s.map(|s| s.p50()), ours) {
            (Some(t), Some(o)) => format!("{:.2}×", t / o),
            _ => "–".into(),
        };
        let _ = writeln!(
            m,
            "| {c} | {} | {} | {rel} |",
            crate::report::time_cell(s),
            s.map_or("–".into(), |s| format!(
                "{:.0}",
                ROWS as f64 * 1e6 / s.p50()
            )),
        );
    }
    let _ = writeln!(
        m,
        "\nsecure-pg: `secure_copy_in!(\"bulk (id, name, amount, note)\", &rows, |r| (..))` \
         on the pool (binary COPY, values checked against the columns' types). UNNEST: one \
         `secure_query!` with the columns gathered into four arrays. tokio-postgres: \
         `BinaryCopyInWriter` on one connection, `write` per row. sqlx: `QueryBuilder::push_values` \
         in batches of {SQLX_BATCH} rows, and `copy_in_raw` of CSV text built in the timing."
    );
}

/// The targets for bulk loads.
pub(crate) fn checks(r: &Results) -> Vec<crate::report::Check> {
    let mut out = Vec::new();
    let time = |c: &str| r.get("copy", c, 0).map(|s| s.p50());
    if let (Some(ours), Some(tp)) = (time(NAMES[0]), time(NAMES[2])) {
        out.push(crate::report::Check {
            what: "secure_copy_in! within 1.1× of tokio-postgres binary COPY".into(),
            score: 1.1 * tp / ours,
            required: 1.0,
            shown: format!("{:.2}× its time", ours / tp),
        });
    }
    if let (Some(ours), Some(sx)) = (time(NAMES[0]), time(NAMES[3])) {
        out.push(crate::report::Check {
            what: "secure_copy_in! ≥ 3× faster than sqlx batched inserts".into(),
            score: sx / ours,
            required: 3.0,
            shown: format!("{:.1}× faster", sx / ours),
        });
    }
    out
}
