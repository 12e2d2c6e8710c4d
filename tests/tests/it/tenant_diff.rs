//! Differential test of the tenant rewriter against a real server.
//!
//! The rewriter's model (see `secure_pg_sql::tenant`) says: the rewritten
//! statement, run on a database that holds every tenant, must behave exactly
//! like the original statement run on a database that holds only the
//! caller's rows. So this test builds both databases (`diff_full` with
//! tenants 1 and 2, whose ids collide and whose references point across
//! tenants; `diff_mine` with tenant 1 only) and, for generated statements:
//!
//! * reads: the rewritten query on `diff_full` and the original on
//!   `diff_mine` return the same multiset of rows, or fail with the same
//!   SQLSTATE;
//! * writes: the same, for `RETURNING` rows, then tenant 1's rows of every
//!   table are identical in both databases afterwards, and tenant 2's rows
//!   in `diff_full` are byte-for-byte what they were (each case runs in a
//!   transaction that is rolled back).
//!
//! The generator covers joins of every kind (inner, comma, cross, left,
//! right, full, `USING`, `NATURAL`, `LATERAL`), subqueries in the select
//! list, `WHERE`, `HAVING`, `FROM`, `SET` and `VALUES`, CTEs (recursive
//! too), set operations, window functions, `FOR UPDATE`, and schema-qualified
//! (`inv.stock`, `public.widgets`) and quoted (`"Orders"`, `"widgets"`)
//! names. Statements the rewriter refuses are counted, not compared; the test
//! fails if too many are refused, so it cannot pass by refusing everything.
//!
//! `SECURE_PG_DIFF_CASES` sets the number of cases (default 400: CI);
//! `fuzz/run.sh` runs many more. A failure prints the seed and both SQL
//! texts.

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use secure_pg_sql::tenant::{scope_sql, TenantOptions};
use secure_pg_tests::{note, shared, Cluster, ClusterSpec, ServerCert};
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::support::try_connect;

const FULL: &str = "diff_full";
const MINE: &str = "diff_mine";

/// Tables as written in queries, whether they hold tenant rows, and the
/// name a superuser reads them by.
const TABLES: &[(&str, bool)] = &[
    ("widgets", true),
    ("owners", true),
    ("tags", true),
    ("inv.stock", true),
    ("\"Orders\"", true),
    ("categories", true),
    ("public.widgets", true),
    ("\"widgets\"", true),
    ("currencies", false),
];

/// The distinct tables, for comparing states.
const STATE_TABLES: &[(&str, bool)] = &[
    ("widgets", true),
    ("owners", true),
    ("tags", true),
    ("inv.stock", true),
    ("\"Orders\"", true),
    ("categories", true),
    ("currencies", false),
];

/// Every table has `id, ref, label, n`; tenant tables add `tenant_id` and
/// have `(tenant_id, id)` as the key. In `diff_mine` the tenant column
/// defaults to 1, so the original `INSERT`s (which do not name it) land in
/// tenant 1 as the rewritten ones do.
fn schema(tenant_default: &str) -> String {
    let mut sql = String::from("CREATE SCHEMA inv;\n");
    for (t, tenant) in STATE_TABLES {
        if *tenant {
            writeln!(
                sql,
                "CREATE TABLE {t} (tenant_id bigint NOT NULL {tenant_default}, id bigint NOT NULL, \
                 ref bigint, label text, n bigint NOT NULL DEFAULT 0, PRIMARY KEY (tenant_id, id));"
            )
            .unwrap();
        } else {
            writeln!(
                sql,
                "CREATE TABLE {t} (id bigint PRIMARY KEY, ref bigint, label text, \
                 n bigint NOT NULL DEFAULT 0);"
            )
            .unwrap();
        }
    }
    sql
}

/// Rows of both tenants: ids 1..=6 collide across tenants, `ref`s point at
/// ids that exist in the other tenant only, some are dangling or NULL, and
/// labels repeat. Categories' `ref` is a parent with a smaller id, so
/// recursive queries terminate.
fn seed(tenants: &[i64]) -> String {
    let mut sql = String::new();
    let labels = ["red", "blue", "red", "green", "Blue", "x%"];
    for (ti, (t, tenant)) in STATE_TABLES.iter().enumerate() {
        let owners: &[i64] = if *tenant { tenants } else { &[0] };
        for &tenant_id in owners {
            for id in 1..=6_i64 {
                // Tenant 2 has ids 1, 2, 4, 5 only; tenant 1 has all six.
                if tenant_id == 2 && (id == 3 || id == 6) {
                    continue;
                }
                let k = (id * 7 + tenant_id * 3 + ti as i64) % 11;
                let r = if *t == "categories" {
                    if id == 1 || k % 3 == 0 {
                        "NULL".to_owned()
                    } else {
                        (k % (id - 1) + 1).to_string()
                    }
                } else if k % 5 == 0 {
                    "NULL".to_owned()
                } else {
                    // Up to 7: one id exists in no tenant.
                    ((k + tenant_id) % 7 + 1).to_string()
                };
                let label = labels[((k + id) % 6) as usize];
                let n = k * 10 + tenant_id;
                if *tenant {
                    writeln!(
                        sql,
                        "INSERT INTO {t} (tenant_id, id, ref, label, n) VALUES \
                         ({tenant_id}, {id}, {r}, '{label}', {n});"
                    )
                    .unwrap();
                } else {
                    writeln!(
                        sql,
                        "INSERT INTO {t} (id, ref, label, n) VALUES ({id}, {r}, '{label}', {n});"
                    )
                    .unwrap();
                }
            }
        }
    }
    sql
}

fn cluster() -> Arc<Cluster> {
    shared(ClusterSpec::tls(ServerCert::Valid))
}

/// Creates both databases once per process; returns the superuser URL of
/// `db`.
fn url(db: &str) -> String {
    static READY: OnceLock<()> = OnceLock::new();
    let c = cluster();
    READY.get_or_init(|| {
        c.psql(&format!("CREATE DATABASE {FULL}"));
        c.psql(&format!("CREATE DATABASE {MINE}"));
        c.psql_db(FULL, &schema(""));
        c.psql_db(FULL, &seed(&[1, 2]));
        c.psql_db(MINE, &schema("DEFAULT 1"));
        c.psql_db(MINE, &seed(&[1]));
    });
    let url = c.superuser_url();
    let (base, query) = url.split_once('?').expect("harness URL has options");
    let (base, _db) = base.rsplit_once('/').expect("harness URL has a database");
    format!("{base}/{db}?{query}")
}

// ----- the generator ---------------------------------------------------------

/// SplitMix64: small, seedable, the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Builds one statement; aliases are unique per statement.
struct Gen {
    rng: Rng,
    aliases: usize,
    /// CTE names visible at the current point (all have the four columns).
    ctes: Vec<String>,
}

impl Gen {
    fn alias(&mut self) -> String {
        self.aliases += 1;
        format!("a{}", self.aliases)
    }

    fn table(&mut self) -> &'static str {
        self.rng.pick(TABLES).0
    }

    /// A table or, sometimes, a CTE in scope.
    fn relation(&mut self) -> String {
        if !self.ctes.is_empty() && self.rng.chance(30) {
            return self.rng.pick(&self.ctes).clone();
        }
        self.table().to_owned()
    }

    fn int(&mut self) -> i64 {
        self.rng.below(9) as i64
    }

    /// A subquery returning one bigint, correlated to `outer` when given.
    fn scalar_subquery(&mut self, depth: u32, outer: Option<&str>) -> String {
        let b = self.alias();
        let t = self.relation();
        let agg = self
            .rng
            .pick(&["count(*)", "max(X.id)", "min(X.n)", "sum(X.n)"]);
        let agg = agg.replace('X', &b);
        let cond = match outer {
            Some(a) => format!("{b}.ref = {a}.id"),
            None => self.condition(depth + 1, std::slice::from_ref(&b)),
        };
        format!("(SELECT {agg} FROM {t} {b} WHERE {cond})")
    }

    /// A boolean condition over the aliases in scope.
    fn condition(&mut self, depth: u32, scope: &[String]) -> String {
        let a = self.rng.pick(scope).clone();
        let choice = if depth >= 3 {
            self.rng.below(4)
        } else {
            self.rng.below(10)
        };
        match choice {
            0 => format!("{a}.n > {}", self.int() * 10),
            1 => format!("{a}.ref IS NOT NULL"),
            2 => format!("{a}.label LIKE 'r%'"),
            3 => format!("{a}.id <> {}", self.int()),
            4 => {
                let b = self.alias();
                let t = self.relation();
                let inner = self.condition(depth + 1, std::slice::from_ref(&b));
                format!("{a}.ref IN (SELECT {b}.id FROM {t} {b} WHERE {inner})")
            }
            5 => {
                let b = self.alias();
                let t = self.relation();
                let not = if self.rng.chance(30) { "NOT " } else { "" };
                format!("{not}EXISTS (SELECT 1 FROM {t} {b} WHERE {b}.ref = {a}.id)")
            }
            6 => {
                let sub = self.scalar_subquery(depth, Some(&a));
                format!("{a}.n >= {sub}")
            }
            7 => {
                let l = self.condition(depth + 1, scope);
                let r = self.condition(depth + 1, scope);
                format!("({l} OR {r})")
            }
            8 => {
                let b = self.alias();
                let t = self.relation();
                format!("{a}.id = ANY (SELECT {b}.ref FROM {t} {b})")
            }
            _ => {
                let l = self.condition(depth + 1, scope);
                let r = self.condition(depth + 1, scope);
                format!("{l} AND {r}")
            }
        }
    }

    /// A `FROM` clause; returns it and the aliases it brings into scope.
    fn from(&mut self, depth: u32) -> (String, Vec<String>) {
        let a = self.alias();
        let first = if depth < 2 && self.rng.chance(15) {
            // A derived table with the four columns.
            let b = self.alias();
            let t = self.relation();
            let cond = self.condition(depth + 1, std::slice::from_ref(&b));
            format!("(SELECT {b}.id, {b}.ref, {b}.label, {b}.n FROM {t} {b} WHERE {cond}) {a}")
        } else {
            format!("{} {a}", self.relation())
        };
        let mut sql = first;
        let mut scope = vec![a];
        let joins = self.rng.below(3);
        for _ in 0..joins {
            let prev = self.rng.pick(&scope).clone();
            let b = self.alias();
            let t = self.relation();
            let on = if self.rng.chance(50) {
                format!("{prev}.ref = {b}.id")
            } else {
                format!("{prev}.id = {b}.ref")
            };
            let join = match self.rng.below(11) {
                0 => format!(" JOIN {t} {b} ON {on}"),
                1 => format!(" LEFT JOIN {t} {b} ON {on}"),
                2 => format!(" RIGHT JOIN {t} {b} ON {on}"),
                3 => format!(" FULL JOIN {t} {b} ON {on}"),
                4 => format!(" CROSS JOIN {t} {b}"),
                5 => format!(", {t} {b}"),
                6 => format!(" LEFT JOIN {t} {b} USING (id)"),
                7 => format!(" JOIN {t} {b} USING (id, label)"),
                8 if depth < 2 => {
                    let c = self.alias();
                    let t2 = self.relation();
                    let kind = self.rng.pick(&["CROSS JOIN LATERAL", "LEFT JOIN LATERAL"]);
                    let on = if kind.starts_with("LEFT") {
                        " ON true"
                    } else {
                        ""
                    };
                    format!(
                        " {kind} (SELECT {c}.id, {c}.ref, {c}.label, {c}.n FROM {t2} {c} \
                         WHERE {c}.ref = {prev}.id) {b}{on}"
                    )
                }
                9 => format!(" NATURAL LEFT JOIN {t} {b}"),
                _ => format!(" INNER JOIN {t} {b} ON {on} AND {b}.n > {}", self.int()),
            };
            sql.push_str(&join);
            scope.push(b);
        }
        (sql, scope)
    }

    /// `SELECT <bigint>, <text> FROM ...`: every branch has this shape so
    /// set operations line up.
    fn select(&mut self, depth: u32) -> String {
        let (from, scope) = self.from(depth);
        let a = self.rng.pick(&scope).clone();
        let b = self.rng.pick(&scope).clone();
        if self.rng.chance(20) {
            // Grouped, with a subquery in HAVING.
            let having = if depth < 2 && self.rng.chance(60) {
                format!(
                    " HAVING max({a}.n) >= {}",
                    self.scalar_subquery(depth + 1, None)
                )
            } else {
                String::new()
            };
            return format!("SELECT count(*), {b}.label FROM {from} GROUP BY {b}.label{having}");
        }
        let first = match self.rng.below(6) {
            0 => format!("{a}.id"),
            1 => format!("coalesce({a}.ref, -1)"),
            2 if depth < 2 => self.scalar_subquery(depth + 1, Some(&a)),
            3 => format!("sum({a}.n) OVER (PARTITION BY {a}.label)"),
            4 => format!("dense_rank() OVER (ORDER BY {a}.n)"),
            _ => format!("{a}.n"),
        };
        let second = match self.rng.below(4) {
            0 => format!("upper({b}.label)"),
            1 => format!("coalesce({b}.label, '-')"),
            2 if depth < 2 => {
                let c = self.alias();
                let t = self.relation();
                format!("(SELECT min({c}.label) FROM {t} {c} WHERE {c}.id = {b}.ref)")
            }
            _ => format!("{b}.label"),
        };
        let distinct = if self.rng.chance(10) { "DISTINCT " } else { "" };
        let filter = if self.rng.chance(70) {
            format!(" WHERE {}", self.condition(depth, &scope))
        } else {
            String::new()
        };
        format!("SELECT {distinct}{first}, {second} FROM {from}{filter}")
    }

    fn with(&mut self) -> String {
        if self.rng.chance(15) {
            self.ctes.push("tree".to_owned());
            return "WITH RECURSIVE tree AS (SELECT c.id, c.ref, c.label, c.n FROM categories c \
                    WHERE c.ref IS NULL UNION ALL SELECT k.id, k.ref, k.label, k.n FROM \
                    categories k JOIN tree ON k.ref = tree.id) "
                .to_owned();
        }
        if self.rng.chance(25) {
            let name = format!("c{}", self.ctes.len() + 1);
            let b = self.alias();
            let t = self.table();
            let cond = self.condition(1, std::slice::from_ref(&b));
            self.ctes.push(name.clone());
            return format!(
                "WITH {name} AS (SELECT {b}.id, {b}.ref, {b}.label, {b}.n FROM {t} {b} WHERE {cond}) "
            );
        }
        String::new()
    }

    fn read(&mut self) -> String {
        if self.rng.chance(10) {
            // A locking read: FOR UPDATE needs no outer join, aggregate,
            // window or set operation.
            let a = self.alias();
            let b = self.alias();
            let t = self.table();
            let t2 = self.table();
            let cond = self.condition(1, &[a.clone(), b.clone()]);
            return format!(
                "SELECT {a}.id, {b}.label FROM {t} {a} JOIN {t2} {b} ON {a}.ref = {b}.id \
                 WHERE {cond} FOR UPDATE"
            );
        }
        let with = self.with();
        let mut sql = format!("{with}{}", self.select(0));
        if self.rng.chance(25) {
            let op = self
                .rng
                .pick(&["UNION", "UNION ALL", "INTERSECT", "EXCEPT"]);
            let other = self.select(0);
            sql = format!("{sql} {op} {other}");
        }
        sql
    }

    /// A tenant or shared table that can be written (not a CTE).
    fn target(&mut self) -> &'static str {
        self.table()
    }

    fn write(&mut self) -> String {
        let t = self.target();
        let a = self.alias();
        match self.rng.below(7) {
            0 => {
                let cond = self.condition(1, std::slice::from_ref(&a));
                format!("UPDATE {t} {a} SET n = {a}.n + 1 WHERE {cond} RETURNING {a}.id, {a}.n")
            }
            1 => {
                let b = self.alias();
                let t2 = self.relation();
                format!(
                    "UPDATE {t} {a} SET label = (SELECT min({b}.label) FROM {t2} {b} \
                     WHERE {b}.id = {a}.ref) RETURNING {a}.id, {a}.label"
                )
            }
            2 => {
                let b = self.alias();
                let t2 = self.table();
                let cond = self.condition(1, &[a.clone(), b.clone()]);
                format!(
                    "UPDATE {t} {a} SET n = {b}.n FROM {t2} {b} WHERE {a}.ref = {b}.id AND {cond} \
                     RETURNING {a}.id, {a}.n"
                )
            }
            3 => {
                let cond = self.condition(1, std::slice::from_ref(&a));
                format!("DELETE FROM {t} {a} WHERE {cond} RETURNING {a}.id")
            }
            4 => {
                let b = self.alias();
                let t2 = self.table();
                format!(
                    "DELETE FROM {t} {a} USING {t2} {b} WHERE {a}.ref = {b}.id AND {b}.n > {} \
                     RETURNING {a}.id",
                    self.int() * 10
                )
            }
            5 => {
                let b = self.alias();
                let t2 = self.relation();
                let id = 100 + self.int();
                format!(
                    "INSERT INTO {t} (id, ref, label, n) VALUES ({id}, (SELECT max({b}.id) FROM \
                     {t2} {b}), 'new', 1), ({}, NULL, 'two', 2) RETURNING id, ref",
                    id + 20
                )
            }
            _ => {
                let b = self.alias();
                let t2 = self.relation();
                let cond = self.condition(1, std::slice::from_ref(&b));
                format!(
                    "INSERT INTO {t} (id, ref, label, n) SELECT {b}.id + 200, {b}.ref, {b}.label, \
                     {b}.n FROM {t2} {b} WHERE {cond} RETURNING id, label"
                )
            }
        }
    }
}

// ----- running ---------------------------------------------------------------

/// What a statement did: its rows as text (sorted), or its SQLSTATE.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Rows(Vec<String>),
    Failed(String),
}

fn rows(messages: &[SimpleQueryMessage]) -> Vec<String> {
    let mut out: Vec<String> = messages
        .iter()
        .filter_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(
                (0..r.len())
                    .map(|i| r.get(i).unwrap_or("∅").to_owned())
                    .collect::<Vec<_>>()
                    .join("|"),
            ),
            _ => None,
        })
        .collect();
    out.sort();
    out
}

async fn run(client: &Client, sql: &str) -> Outcome {
    match client.simple_query(sql).await {
        Ok(m) => Outcome::Rows(rows(&m)),
        Err(e) => Outcome::Failed(
            e.code()
                .map(|c| c.code().to_owned())
                .unwrap_or_else(|| format!("client error: {e}")),
        ),
    }
}

/// Every row of the tables, as `table|tenant_id|id|ref|label|n`, restricted
/// to one tenant (`Some`) or to the shared table (`None`).
async fn state(client: &Client, tenant: Option<i64>) -> Vec<String> {
    let mut parts = Vec::new();
    for (t, has_tenant) in STATE_TABLES {
        match (tenant, has_tenant) {
            (Some(id), true) => parts.push(format!(
                "SELECT '{t}', tenant_id, id, ref, label, n FROM {t} WHERE tenant_id = {id}"
            )),
            (None, false) => parts.push(format!("SELECT '{t}', 0, id, ref, label, n FROM {t}")),
            _ => {}
        }
    }
    let m = client
        .simple_query(&parts.join(" UNION ALL "))
        .await
        .expect("read state");
    rows(&m)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rewritten_queries_on_all_tenants_match_the_originals_on_the_callers_rows_only() {
    let cases: usize = std::env::var("SECURE_PG_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let seed: u64 = std::env::var("SECURE_PG_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EC0_12E5);
    let (full, _) = try_connect(&url(FULL)).await.expect("connect diff_full");
    let (mine, _) = try_connect(&url(MINE)).await.expect("connect diff_mine");
    let opts = TenantOptions {
        exempt: vec!["currencies".to_owned()],
        ..TenantOptions::default()
    };
    let others_before = state(&full, Some(2)).await;
    assert!(others_before.len() > 20, "tenant 2 is seeded");

    let (mut accepted, mut refused, mut agreed_errors, mut writes, mut nonempty) = (0, 0, 0, 0, 0);
    let mut refusals: Vec<String> = Vec::new();
    for case in 0..cases {
        let case_seed = seed ^ (case as u64).wrapping_mul(0x2545_F491_4F6C_DD1D);
        let mut g = Gen {
            rng: Rng(case_seed),
            aliases: 0,
            ctes: Vec::new(),
        };
        let is_write = case % 3 == 2;
        let original = if is_write { g.write() } else { g.read() };
        let rewritten = match scope_sql(&original, &opts, 1) {
            Ok(sql) => sql,
            Err(e) => {
                refused += 1;
                if refusals.len() < 5 {
                    refusals.push(format!("{original}\n    => {e}"));
                }
                continue;
            }
        };
        accepted += 1;
        // The tenant value is the literal 1: the statements are sent with
        // the simple protocol so that every column comes back as text.
        let bound = rewritten.replace("$1", "1");
        full.batch_execute("BEGIN").await.unwrap();
        mine.batch_execute("BEGIN").await.unwrap();
        let got = run(&full, &bound).await;
        let want = run(&mine, &original).await;
        let context = format!(
            "case {case} (SECURE_PG_DIFF_SEED={seed}):\n  original:  {original}\n  rewritten: {rewritten}"
        );
        assert_eq!(got, want, "{context}");
        match &got {
            Outcome::Failed(_) => agreed_errors += 1,
            Outcome::Rows(r) if !r.is_empty() => nonempty += 1,
            Outcome::Rows(_) => {}
        }
        if is_write && matches!(got, Outcome::Rows(_)) {
            writes += 1;
            assert_eq!(
                state(&full, Some(1)).await,
                state(&mine, Some(1)).await,
                "tenant 1's rows differ after the write; {context}"
            );
            assert_eq!(
                state(&full, None).await,
                state(&mine, None).await,
                "the shared table differs after the write; {context}"
            );
            assert_eq!(
                state(&full, Some(2)).await,
                others_before,
                "tenant 2's rows changed; {context}"
            );
        }
        full.batch_execute("ROLLBACK").await.unwrap();
        mine.batch_execute("ROLLBACK").await.unwrap();
    }
    assert_eq!(state(&full, Some(2)).await, others_before);
    note(&format!(
        "tenant differential: {cases} generated, {accepted} rewritten and compared \
         ({writes} writes, {nonempty} with rows, {agreed_errors} failing alike), {refused} refused"
    ));
    // The test must not pass by refusing: most generated shapes are
    // supported, and most compared statements do something.
    assert!(
        accepted * 10 >= cases * 8,
        "only {accepted} of {cases} generated statements were rewritten; first refusals:\n{}",
        refusals.join("\n")
    );
    assert!(
        nonempty * 2 >= accepted,
        "only {nonempty} of {accepted} compared statements returned rows"
    );
    assert!(
        agreed_errors * 10 <= accepted,
        "{agreed_errors} of {accepted} statements failed on the server: the generator is broken"
    );
}
