//! Real applications' queries (`corpus/queries/<project>/queries.sql`)
//! against their own migration histories (`corpus/histories/<project>`).
//!
//! For each project, the history is applied to a fresh database and loaded
//! into a catalog the way the macros load it; every statement is
//! `PREPARE`d by the server and typed by the checker. What the checker
//! types must be exactly what the server describes (parameter and column
//! types, column names), and nothing the server refuses may be accepted.
//! What the checker refuses is counted by reason, with the refusals caused
//! by what the loader left unknown ("schema unknown") apart. The typed
//! share of each project has a floor at what was measured, so a regression
//! fails.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use secure_pg_sql::schema::load;

use super::cluster;
use super::harvest::{compare, Outcome};
use crate::support::try_connect;

/// The projects, and the least share of their server-valid queries
/// (percent) the checker must type exactly: what was measured (650 of 653:
/// atuin 19/19, zero2prod 16/16, docs_rs 156/159, quickwit 26/26, rauthy
/// 433/433). rauthy sends its SQL through tokio-postgres helpers of its
/// own rather than sqlx (see its `SOURCE.md`). What is still refused: two
/// `array_agg(row(...))` (a `record[]`, which no Rust type reads) and one
/// `ALTER SEQUENCE` (which the SQL parser does not read).
const PROJECTS: &[(&str, f64)] = &[
    ("atuin", 100.0),
    ("zero2prod", 100.0),
    ("docs_rs", 98.1),
    ("quickwit", 100.0),
    ("rauthy", 100.0),
];

/// The least share over all projects (percent).
const OVERALL_FLOOR: f64 = 99.5;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus")
}

/// The statements of a `queries.sql`: `(origin, sql)`, each under its
/// `-- from: <file>:<line>` line.
fn statements(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(origin) = line.strip_prefix("-- from: ") {
            out.push((origin.to_string(), String::new()));
        } else if let Some((_, sql)) = out.last_mut() {
            sql.push_str(line);
            sql.push('\n');
        }
    }
    for (_, sql) in &mut out {
        let trimmed = sql.trim_end();
        *sql = trimmed.strip_suffix(';').unwrap_or(trimmed).to_string();
    }
    out
}

/// A refusal's reason with the parameter numbers taken out, so that the
/// same reason counts once.
fn reason(why: &str) -> String {
    let first = why.split("; ").next().unwrap_or(why);
    let first = first.lines().next().unwrap_or(first);
    let mut out = String::new();
    let mut chars = first.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '$' {
            if chars.peek().is_some_and(char::is_ascii_digit) {
                out.push('n');
            }
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
        }
    }
    // Positions differ from query to query.
    match out.find(" at ") {
        Some(i) if out[i + 4..].starts_with(|c: char| c.is_ascii_digit()) => out[..i].to_string(),
        _ => out,
    }
}

/// `project`'s history loaded as the macros load it, and a new database
/// `{prefix}_{project}` with the same files applied in the loader's order
/// (sqlx: by version, the `.up.sql` half of a reversible pair; diesel:
/// `up.sql`), with a superuser client on it.
async fn project_database(
    c: &secure_pg_tests::Cluster,
    project: &str,
    prefix: &str,
) -> (secure_pg_sql::schema::LoadedSchema, tokio_postgres::Client) {
    let root = corpus_dir().join("histories").join(project);
    let loaded = load(&root, None)
        .unwrap_or_else(|e| panic!("{project}: {e}"))
        .unwrap_or_else(|| panic!("{project}: no migrations found"));
    let db = format!("{prefix}_{project}");
    c.psql(&format!("DROP DATABASE IF EXISTS {db}"));
    c.psql(&format!("CREATE DATABASE {db}"));
    for f in &loaded.files {
        c.psql_db(&db, &std::fs::read_to_string(f).unwrap());
    }
    let url = c.superuser_url();
    let (base, options) = url.split_once('?').unwrap();
    let (base, _) = base.rsplit_once('/').unwrap();
    let (client, _) = try_connect(&format!("{base}/{db}?{options}"))
        .await
        .expect("connect");
    (loaded, client)
}

/// The statements of `project`'s query corpus, with their origins.
fn project_statements(project: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(
        corpus_dir()
            .join("queries")
            .join(project)
            .join("queries.sql"),
    )
    .unwrap();
    statements(&text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_typecheck_real_applications_queries() {
    let c = cluster();
    let mut bugs = Vec::new();
    let mut report = Vec::new();
    let mut below_floor = Vec::new();
    let (mut all_valid, mut all_exact) = (0, 0);
    let (mut check_time, mut checked) = (std::time::Duration::ZERO, 0);
    for (project, floor) in PROJECTS {
        let (loaded, client) = project_database(&c, project, "queries").await;
        let statements = project_statements(project);
        let mut cache = HashMap::new();
        let (mut exact, mut utility, mut both_refuse, mut unknown) = (0, 0, 0, 0);
        let mut reasons: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (origin, sql) in &statements {
            match compare(&client, &loaded.catalog, sql, &mut cache).await {
                Outcome::Exact => exact += 1,
                Outcome::Utility => utility += 1,
                Outcome::BothRefuse => both_refuse += 1,
                Outcome::Refused(why) if why.contains("is unknown to the schema checks") => {
                    unknown += 1
                }
                Outcome::Refused(why) => reasons
                    .entry(reason(&why))
                    .or_default()
                    .push(format!("{origin}\n{sql}\n   => {why}")),
                Outcome::Mismatch(m) => {
                    bugs.push(format!("MISMATCH {project} {origin}\n{sql}\n   {m}"))
                }
                Outcome::AcceptedRefusedByServer(why) => bugs.push(format!(
                    "ACCEPTED, SERVER REFUSES {project} {origin}\n{sql}\n   => {why}"
                )),
            }
        }
        // The checker's own time per statement (this test's build profile).
        let started = std::time::Instant::now();
        for (_, sql) in &statements {
            let _ = secure_pg_sql::typecheck::check(sql, &loaded.catalog);
        }
        check_time += started.elapsed();
        checked += statements.len();
        let refused: usize = reasons.values().map(Vec::len).sum();
        // The share is of what the server accepts and the catalog knows.
        let valid = exact + refused;
        let share = 100.0 * exact as f64 / valid.max(1) as f64;
        all_valid += valid;
        all_exact += exact;
        report.push(format!(
            "{project}: {} statements; {exact} of {valid} typed exactly like the server ({share:.1}%), \
             {refused} refused, {unknown} refused as schema unknown, {both_refuse} refused by both, \
             {utility} with nothing to type",
            statements.len()
        ));
        let mut by_count: Vec<_> = reasons.iter().collect();
        by_count.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
        for (r, cases) in by_count {
            report.push(format!("  {} x {r}", cases.len()));
            for case in cases {
                report.push(format!("    {}", case.replace('\n', "\n    ")));
            }
        }
        if share < *floor {
            below_floor.push(format!(
                "{project}: {share:.1}% typed, the floor is {floor}%"
            ));
        }
    }
    println!(
        "real applications' queries: {all_exact} of {all_valid} typed exactly like the server ({:.1}%); \
         the checker takes {:.0} µs per statement here",
        100.0 * all_exact as f64 / all_valid.max(1) as f64,
        check_time.as_secs_f64() * 1e6 / checked.max(1) as f64
    );
    for line in &report {
        println!("{line}");
    }
    for b in &bugs {
        println!("{b}");
    }
    assert!(bugs.is_empty(), "{}", bugs.join("\n"));
    assert!(below_floor.is_empty(), "{}", below_floor.join("\n"));
    let overall = 100.0 * all_exact as f64 / all_valid.max(1) as f64;
    assert!(
        overall >= OVERALL_FLOOR,
        "{overall:.1}% typed overall, the floor is {OVERALL_FLOOR}%"
    );
    assert!(all_valid >= 600, "the corpus has {all_valid} valid queries");
}

/// The least share of sqlc's server-valid cases (percent) the checker must
/// type exactly: what was measured (187 of 188, 99.5%, since composite
/// values and `CALL`s are typed; 179 of 182 before; the other is a
/// parameter whose type cannot be inferred).
const SQLC_FLOOR: f64 = 99.4;

/// The statements of a sqlc `query.sql`: one under each `-- name:` line.
fn sqlc_statements(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("-- name: ") {
            out.push((name.to_string(), String::new()));
        } else if let Some((_, sql)) = out.last_mut() {
            sql.push_str(line);
            sql.push('\n');
        }
    }
    out.into_iter()
        .map(|(n, sql)| {
            let t = sql.trim_end();
            (n, t.strip_suffix(';').unwrap_or(t).trim().to_string())
        })
        .filter(|(_, sql)| !sql.is_empty())
        .collect()
}

/// Another tool's test corpus (sqlc's PostgreSQL end-to-end cases), each
/// case against its own schema: no wrong type, nothing accepted that the
/// server refuses, and the typed share at least what was measured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_typecheck_sqlc_corpus() {
    let c = cluster();
    let db = "queries_sqlc";
    let url = c.superuser_url();
    let (base, options) = url.split_once('?').unwrap();
    let (base, _) = base.rsplit_once('/').unwrap();
    let dir = corpus_dir().join("queries").join("sqlc");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("query.sql").exists())
        .collect();
    cases.sort();
    let (mut exact, mut utility, mut both_refuse, mut schema_failed) = (0, 0, 0, 0);
    let mut unknown = 0;
    let mut bugs = Vec::new();
    let mut reasons: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut statements = 0;
    let mut cache = HashMap::new();
    let mut untyped_refused = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let schema = std::fs::read_to_string(case.join("schema.sql")).unwrap();
        c.psql(&format!("DROP DATABASE IF EXISTS {db}"));
        c.psql(&format!("CREATE DATABASE {db}"));
        let (client, _) = try_connect(&format!("{base}/{db}?{options}"))
            .await
            .expect("connect");
        // A schema the server does not take (an extension this server
        // lacks, a case about sqlc's own errors) leaves the case out.
        if client.batch_execute(&schema).await.is_err() {
            schema_failed += 1;
            continue;
        }
        cache.clear();
        let catalog =
            secure_pg_sql::schema::Catalog::from_files_partial(&[("schema.sql", schema.as_str())]);
        let text = std::fs::read_to_string(case.join("query.sql")).unwrap();
        for (query, sql) in sqlc_statements(&text) {
            statements += 1;
            match compare(&client, &catalog, &sql, &mut cache).await {
                Outcome::Exact => exact += 1,
                Outcome::Utility => utility += 1,
                Outcome::BothRefuse => both_refuse += 1,
                Outcome::Refused(why) if why.contains("is unknown to the schema checks") => {
                    unknown += 1
                }
                Outcome::Refused(why) => reasons
                    .entry(reason(&why))
                    .or_default()
                    .push(format!("{name} {query}\n{sql}\n   => {why}")),
                Outcome::Mismatch(m) => {
                    bugs.push(format!("MISMATCH {name} {query}\n{sql}\n   {m}"))
                }
                // A statement with nothing to type (`CALL`, DDL) passes
                // the checker untyped: counted apart, not a typing bug.
                Outcome::AcceptedRefusedByServer(why)
                    if secure_pg_sql::typecheck::check(&sql, &catalog).is_ok_and(|t| !t.typed) =>
                {
                    untyped_refused.push(format!("{name} {query}: {sql}\n   => {why}"))
                }
                Outcome::AcceptedRefusedByServer(why) => bugs.push(format!(
                    "ACCEPTED, SERVER REFUSES {name} {query}\n{sql}\n   => {why}"
                )),
            }
        }
    }
    for u in &untyped_refused {
        println!("passed untyped, refused by the server: {u}");
    }
    let refused: usize = reasons.values().map(Vec::len).sum();
    let valid = exact + refused;
    let share = 100.0 * exact as f64 / valid.max(1) as f64;
    println!(
        "sqlc corpus: {} cases ({schema_failed} whose schema the server refuses), {statements} statements; \
         {exact} of {valid} typed exactly like the server ({share:.1}%), {refused} refused, \
         {unknown} refused as schema unknown, {both_refuse} refused by both, \
         {utility} with nothing to type ({} of them refused by the server)",
        cases.len(),
        untyped_refused.len()
    );
    let mut by_count: Vec<_> = reasons.iter().collect();
    by_count.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    for (r, cases) in by_count {
        println!("  {} x {r}", cases.len());
        for case in cases {
            println!("    {}", case.replace('\n', "\n    "));
        }
    }
    for b in &bugs {
        println!("{b}");
    }
    assert!(bugs.is_empty(), "{}", bugs.join("\n"));
    assert!(
        share >= SQLC_FLOOR,
        "{share:.1}% typed, the floor is {SQLC_FLOOR}%"
    );
    assert!(valid >= 100, "the sqlc corpus has {valid} valid statements");
}

/// The privileges `secure_pg_sql::registry::facts` says a statement needs
/// (what `secure_pg::required_grants` prints), held against the server on
/// the real applications' queries: each typed statement is prepared and
/// planned (`EXPLAIN EXECUTE`, which checks table privileges) as a role
/// holding exactly those privileges, and must not be refused with 42501.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_privileges_are_enough_for_the_real_applications_queries() {
    let c = cluster();
    let (mut held, mut refused, mut other) = (0, Vec::new(), 0);
    for (project, _) in PROJECTS {
        let (loaded, client) = project_database(&c, project, "grants").await;
        for (origin, sql) in project_statements(project) {
            let Ok(typed) = secure_pg_sql::typecheck::check(&sql, &loaded.catalog) else {
                continue;
            };
            if !typed.typed {
                continue;
            }
            let facts = secure_pg_sql::registry::facts(&sql, &loaded.catalog);
            let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
            let mut grants = Vec::new();
            for r in &facts.relations {
                let privileges: Vec<&str> = r.privileges.iter().map(|p| p.keyword()).collect();
                grants.push(format!(
                    "GRANT {} ON TABLE {}.{} TO registry_probe",
                    privileges.join(", "),
                    quote(&r.schema),
                    quote(&r.name)
                ));
                grants.push(format!(
                    "GRANT USAGE ON SCHEMA {} TO registry_probe",
                    quote(&r.schema)
                ));
            }
            for (schema, name) in &facts.sequences {
                grants.push(format!(
                    "GRANT USAGE, SELECT ON SEQUENCE {}.{} TO registry_probe",
                    quote(schema),
                    quote(name)
                ));
            }
            let nulls = vec!["NULL"; typed.params.len()].join(", ");
            let execute = if nulls.is_empty() {
                "EXPLAIN EXECUTE registry_probe_stmt".to_owned()
            } else {
                format!("EXPLAIN EXECUTE registry_probe_stmt({nulls})")
            };
            let batch = format!(
                "BEGIN; CREATE ROLE registry_probe NOLOGIN; {}; SET LOCAL ROLE registry_probe; \
                 PREPARE registry_probe_stmt AS {sql}; {execute}",
                grants.join("; ")
            );
            let result = client.simple_query(&batch).await;
            client
                .batch_execute("ROLLBACK; DEALLOCATE ALL")
                .await
                .unwrap();
            match result {
                Ok(_) => held += 1,
                Err(e) if e.code().map(|c| c.code()) == Some("42501") => refused.push(format!(
                    "{project} {origin}\n{sql}\n   granted: {}\n   => {}",
                    grants.join("; "),
                    e.as_db_error().map(|d| d.message()).unwrap_or_default()
                )),
                Err(_) => other += 1,
            }
        }
    }
    println!(
        "registry privileges: {held} statements planned as a role holding only them, \
         {} refused for a privilege, {other} failing otherwise (NULL arguments)",
        refused.len()
    );
    assert!(refused.is_empty(), "{}", refused.join("\n"));
    assert!(held >= 550, "only {held} statements were planned");
}
