//! `#[tenant_scoped]` against a real server: every rewrite shape of the
//! snapshot table (and the classic bypasses) as a repository function,
//! run as one tenant over interleaved rows of three tenants whose ids
//! collide, so that a missing or misplaced predicate shows up as a wrong
//! result. Writes are checked twice: the caller's rows change exactly as
//! expected, and every other tenant's rows (read by the superuser, outside
//! the library) are byte-for-byte what they were.
//!
//! The second wall, row-level security from `row_level_security_sql` with
//! `FORCE`, is shown on its own table at the end.
//!
//! All tests of this module share the database `tenancy` and reseed it, so
//! they take a process-wide async lock: tests run on their own threads and
//! runtimes, and a `tokio::sync::Mutex` works across runtimes.

use std::sync::{Arc, OnceLock};

use secure_pg::tokio_postgres::error::SqlState;
use secure_pg::{
    row_level_security_sql, secure_query, secure_query_as, tenant_scoped, Error, Pool, TenantId,
    Transaction, TransactionOptions,
};
use secure_pg_tests::{shared, Cluster, ClusterSpec, ServerCert};
use tokio::sync::{Mutex, MutexGuard};

use crate::support::{checked, config};

const DB: &str = "tenancy";
const T1: TenantId = TenantId::from_authenticated(1);
const T2: TenantId = TenantId::from_authenticated(2);
const T3: TenantId = TenantId::from_authenticated(3);

// ----- the database ----------------------------------------------------------

/// Created by the `app` role (`SET ROLE app`), so that `app` owns every
/// table: with `FORCE ROW LEVEL SECURITY` the owner is subject to the
/// policies too, which is what makes the RLS test meaningful for the role
/// the application actually uses.
const SCHEMA: &str = "
SET ROLE app;
CREATE TABLE currencies (code text PRIMARY KEY, name text NOT NULL);
CREATE TABLE owners (tenant_id bigint NOT NULL, id bigint NOT NULL, name text NOT NULL,
    PRIMARY KEY (tenant_id, id));
CREATE TABLE widgets (tenant_id bigint NOT NULL, id bigint NOT NULL, owner_id bigint,
    name text NOT NULL, price bigint NOT NULL, currency text NOT NULL,
    sku text NOT NULL UNIQUE, PRIMARY KEY (tenant_id, id));
CREATE TABLE tags (tenant_id bigint NOT NULL, id bigint NOT NULL, widget_id bigint NOT NULL,
    label text NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE stock (tenant_id bigint NOT NULL, id bigint NOT NULL, qty bigint NOT NULL,
    PRIMARY KEY (tenant_id, id));
CREATE TABLE audit (id bigserial PRIMARY KEY, tenant_id bigint NOT NULL, widget_id bigint,
    action text NOT NULL);
CREATE TABLE categories (tenant_id bigint NOT NULL, id bigint NOT NULL, parent_id bigint,
    name text NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE projects (org_id bigint NOT NULL, id bigint NOT NULL, title text NOT NULL,
    PRIMARY KEY (org_id, id));
CREATE TABLE tasks (org_id bigint NOT NULL, id bigint NOT NULL, project_id bigint NOT NULL,
    title text NOT NULL, done boolean NOT NULL, PRIMARY KEY (org_id, id));
CREATE TABLE vault (tenant_id bigint NOT NULL, id bigint NOT NULL, secret text NOT NULL,
    PRIMARY KEY (tenant_id, id));
";

/// Three tenants, rows interleaved, ids colliding across tenants:
///
/// | tenant | widgets (id owner name price cur)          | owners            |
/// |--------|--------------------------------------------|-------------------|
/// | 1      | 1 o1 bolt 10 EUR, 2 o1 nut 5 EUR,          | 1 ann, 2 dan,     |
/// |        | 3 o2 gear 50 USD, 4 o4 cog 20 JPY          | 3 fay             |
/// | 2      | 1 o1 bolt 12 EUR, 2 o2 spring 7 USD,       | 1 bob, 2 eve      |
/// |        | 3 o3 gear 55 USD                           |                   |
/// | 3      | 1 o1 bolt 11 JPY, 2 o4 lever 99 EUR,       | 1 cy, 4 gus       |
/// |        | 3 o4 nut 6 EUR                             |                   |
///
/// Tenant 1's widget 4 has owner 4, which exists only in tenant 3; tenant
/// 2's widget 3 has owner 3, which exists only in tenant 1. Tags of tenant
/// 2 and 3 point at widget ids that exist in tenant 1 (2 and 4, 1 and 2),
/// including to tenant 1's widgets that have no tags of their own.
const SEED: &str = "
TRUNCATE currencies, owners, widgets, tags, stock, audit, categories, projects, tasks, vault
    RESTART IDENTITY;
INSERT INTO currencies (code, name) VALUES ('EUR', 'Euro'), ('USD', 'US dollar'), ('JPY', 'Yen');
INSERT INTO owners (tenant_id, id, name) VALUES
    (1, 1, 'ann'), (2, 1, 'bob'), (3, 1, 'cy'), (1, 2, 'dan'), (2, 2, 'eve'), (1, 3, 'fay'),
    (3, 4, 'gus');
INSERT INTO widgets (tenant_id, id, owner_id, name, price, currency, sku) VALUES
    (1, 1, 1, 'bolt', 10, 'EUR', 'T1-BOLT'), (2, 1, 1, 'bolt', 12, 'EUR', 'T2-BOLT'),
    (3, 1, 1, 'bolt', 11, 'JPY', 'T3-BOLT'), (1, 2, 1, 'nut', 5, 'EUR', 'T1-NUT'),
    (2, 2, 2, 'spring', 7, 'USD', 'T2-SPRING'), (3, 2, 4, 'lever', 99, 'EUR', 'T3-LEVER'),
    (1, 3, 2, 'gear', 50, 'USD', 'T1-GEAR'), (2, 3, 3, 'gear', 55, 'USD', 'T2-GEAR'),
    (3, 3, 4, 'nut', 6, 'EUR', 'T3-NUT'), (1, 4, 4, 'cog', 20, 'JPY', 'T1-COG');
INSERT INTO tags (tenant_id, id, widget_id, label) VALUES
    (1, 1, 1, 'red'), (2, 1, 2, 'blue'), (3, 1, 2, 'red'), (1, 2, 1, 'small'), (2, 2, 4, 'blue'),
    (3, 2, 3, 'old'), (1, 3, 3, 'heavy'), (3, 3, 1, 'shiny');
INSERT INTO stock (tenant_id, id, qty) VALUES (1, 1, 100), (2, 2, 7), (3, 1, 5), (1, 3, 0), (2, 4, 40);
INSERT INTO audit (tenant_id, widget_id, action) VALUES (2, 1, 'seed'), (3, 2, 'seed');
INSERT INTO categories (tenant_id, id, parent_id, name) VALUES
    (1, 1, NULL, 'root1'), (2, 1, NULL, 'root2'), (3, 1, NULL, 'root3'), (1, 2, 1, 'a1'),
    (2, 2, 1, 'a2'), (3, 9, 1, 'a3'), (1, 3, 2, 'b1'), (2, 5, 2, 'b2');
INSERT INTO projects (org_id, id, title) VALUES (1, 1, 'alpha'), (2, 1, 'gamma'), (1, 2, 'beta'),
    (2, 2, 'delta');
INSERT INTO tasks (org_id, id, project_id, title, done) VALUES
    (1, 1, 1, 'design', true), (2, 1, 1, 'plan', false), (1, 2, 1, 'build', false),
    (2, 2, 2, 'review', false), (1, 3, 2, 'ship', false), (2, 3, 3, 'orphan', false);
INSERT INTO vault (tenant_id, id, secret) VALUES (1, 1, 't1-a'), (2, 1, 't2-a'), (3, 1, 't3-a'),
    (1, 2, 't1-b');
";

fn cluster() -> Arc<Cluster> {
    shared(ClusterSpec::tls(ServerCert::Valid))
}

/// The verify-full URL of the `app` role for database `tenancy`, creating
/// the database and schema once per process.
fn url() -> String {
    static READY: OnceLock<()> = OnceLock::new();
    let c = cluster();
    READY.get_or_init(|| {
        c.psql(&format!("CREATE DATABASE {DB} OWNER app"));
        c.psql_db(DB, SCHEMA);
        // The second wall, on `vault` only, enabled by its owner.
        let rls = row_level_security_sql("vault", "tenant_id").expect("valid names");
        c.psql_db(DB, &format!("SET ROLE app; {}", rls.join("; ")));
    });
    let url = c.url();
    assert!(url.contains("/app?"), "unexpected harness URL shape");
    url.replacen("/app?", &format!("/{DB}?"), 1)
}

/// SQL as the superuser in `tenancy` (bypasses RLS): the referee.
fn su(sql: &str) -> Vec<String> {
    cluster()
        .psql_db(DB, sql)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Every row of every tenant table that does not belong to `tenant`, as
/// text, read by the superuser.
fn foreign_rows(tenant: i64) -> Vec<String> {
    let tables = [
        ("owners", "tenant_id"),
        ("widgets", "tenant_id"),
        ("tags", "tenant_id"),
        ("stock", "tenant_id"),
        ("audit", "tenant_id"),
        ("categories", "tenant_id"),
        ("projects", "org_id"),
        ("tasks", "org_id"),
        ("vault", "tenant_id"),
    ];
    let sql = tables
        .iter()
        .map(|(t, c)| format!("SELECT '{t} ' || x::text FROM {t} x WHERE {c} <> {tenant}"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let rows = su(&format!("{sql} ORDER BY 1"));
    assert!(rows.len() > 20, "the seed is in place: {rows:?}");
    rows
}

static LOCK: Mutex<()> = Mutex::const_new(());

struct Env {
    pool: Pool,
    _guard: MutexGuard<'static, ()>,
}

/// Takes the module lock, reseeds and returns a pool for `app`.
async fn env() -> Env {
    let guard = LOCK.lock().await;
    let url = url();
    su(SEED);
    let pool = Pool::builder()
        .max_size(2)
        .build(config(&url))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    Env {
        pool,
        _guard: guard,
    }
}

fn s(v: &str) -> String {
    v.to_owned()
}

fn some(v: &str) -> Option<String> {
    Some(v.to_owned())
}

type R<T> = Result<T, Error>;

// ----- reads: repository functions -------------------------------------------

#[tenant_scoped]
async fn all_widgets(db: &Pool, tenant: TenantId) -> R<Vec<(i64, String)>> {
    secure_query_as!((i64, String), "SELECT id, name FROM widgets ORDER BY id")
        .fetch_all(db)
        .await
}

#[tenant_scoped]
async fn widget_by_id(db: &Pool, tenant: TenantId, id: i64) -> R<Vec<(i64, String)>> {
    secure_query_as!(
        (i64, String),
        "SELECT id, name FROM widgets WHERE id = $1",
        id
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn name_or_price(db: &Pool, tenant: TenantId, name: &str, min: i64) -> R<Vec<(i64, String)>> {
    secure_query_as!(
        (i64, String),
        "SELECT id, name FROM widgets WHERE name = $1 OR price > $2 ORDER BY id",
        name,
        min
    )
    .fetch_all(db)
    .await
}

/// The SQL the OR query is sent as (the macro's own `sql()`).
#[tenant_scoped]
fn name_or_price_sql(tenant: TenantId) -> &'static str {
    let (name, min) = ("", 0_i64);
    secure_query!(
        "SELECT id, name FROM widgets WHERE name = $1 OR price > $2 ORDER BY id",
        name,
        min
    )
    .sql()
}

#[tenant_scoped]
async fn cheaper_than_aliased(db: &Pool, tenant: TenantId, max: i64) -> R<Vec<(i64,)>> {
    secure_query_as!(
        (i64,),
        "SELECT w.id FROM widgets AS w WHERE w.price < $1 ORDER BY w.id",
        max
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn schema_qualified(
    db: &Pool,
    tenant: TenantId,
    id: i64,
) -> R<(Vec<(i64, String)>, Vec<(String,)>)> {
    let plain = secure_query_as!(
        (i64, String),
        "SELECT id, name FROM public.widgets WHERE id = $1",
        id
    )
    .fetch_all(db)
    .await?;
    let aliased = secure_query_as!(
        (String,),
        "SELECT w.name FROM public.widgets w WHERE w.id = $1",
        id
    )
    .fetch_all(db)
    .await?;
    Ok((plain, aliased))
}

#[tenant_scoped]
async fn widgets_with_owner(db: &Pool, tenant: TenantId) -> R<Vec<(i64, String)>> {
    // Inner join whose ON has no tenant predicate.
    secure_query_as!(
        (i64, String),
        "SELECT w.id, o.name FROM widgets w JOIN owners o ON o.id = w.owner_id ORDER BY w.id, o.name"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn widgets_left_join_tags(db: &Pool, tenant: TenantId) -> R<Vec<(i64, Option<String>)>> {
    secure_query_as!(
        (i64, Option<String>),
        "SELECT w.id, t.label FROM widgets w LEFT JOIN tags t ON t.widget_id = w.id ORDER BY w.id, t.label"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn left_join_or_in_on(
    db: &Pool,
    tenant: TenantId,
    name: &str,
) -> R<Vec<(i64, Option<String>)>> {
    secure_query_as!(
        (i64, Option<String>),
        "SELECT w.id, o.name FROM widgets w LEFT JOIN owners o ON o.id = w.owner_id OR o.name = $1 ORDER BY w.id, o.name",
        name
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn owners_right_join(db: &Pool, tenant: TenantId) -> R<Vec<(Option<String>, String)>> {
    secure_query_as!(
        (Option<String>, String),
        "SELECT w.name, o.name FROM widgets w RIGHT JOIN owners o ON o.id = w.owner_id ORDER BY o.name, w.name"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn full_join(db: &Pool, tenant: TenantId) -> R<Vec<(Option<i64>, Option<String>)>> {
    secure_query_as!(
        (Option<i64>, Option<String>),
        "SELECT w.id, o.name FROM widgets w FULL OUTER JOIN owners o ON o.id = w.owner_id ORDER BY w.id, o.name"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn chain_ending_in_right_join(
    db: &Pool,
    tenant: TenantId,
) -> R<Vec<(Option<i64>, Option<String>, String)>> {
    secure_query_as!(
        (Option<i64>, Option<String>, String),
        "SELECT w.id, t.label, o.name FROM widgets w LEFT JOIN tags t ON t.widget_id = w.id RIGHT JOIN owners o ON o.id = w.owner_id ORDER BY o.name, w.id, t.label"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn full_join_after_left_join(
    db: &Pool,
    tenant: TenantId,
) -> R<Vec<(Option<i64>, Option<String>, Option<String>)>> {
    secure_query_as!(
        (Option<i64>, Option<String>, Option<String>),
        "SELECT w.id, t.label, o.name FROM widgets w LEFT JOIN tags t ON t.widget_id = w.id FULL JOIN owners o ON o.id = w.owner_id ORDER BY w.id, t.label, o.name"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped(exempt = [currencies])]
async fn full_join_exempt_and_subquery(
    db: &Pool,
    tenant: TenantId,
) -> R<Vec<(Option<String>, Option<i64>)>> {
    secure_query_as!(
        (Option<String>, Option<i64>),
        "SELECT c.code, w.n FROM currencies c FULL JOIN (SELECT currency, count(*) AS n FROM widgets GROUP BY currency) w ON w.currency = c.code ORDER BY c.code"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped(exempt = [currencies])]
async fn add_currency(db: &Pool, _tenant: TenantId, code: &str, name: &str) -> R<u64> {
    secure_query!(
        "INSERT INTO currencies (code, name) VALUES ($1, $2)",
        code,
        name
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn left_join_using(db: &Pool, tenant: TenantId) -> R<Vec<(i64, Option<i64>)>> {
    secure_query_as!(
        (i64, Option<i64>),
        "SELECT id, s.qty FROM widgets w LEFT JOIN stock s USING (id) ORDER BY id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn natural_left_join(db: &Pool, tenant: TenantId) -> R<Vec<(i64, Option<i64>)>> {
    secure_query_as!(
        (i64, Option<i64>),
        "SELECT id, qty FROM widgets NATURAL LEFT JOIN stock ORDER BY id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn right_join_using(db: &Pool, tenant: TenantId) -> R<Vec<(i64, Option<String>, i64)>> {
    secure_query_as!(
        (i64, Option<String>, i64),
        "SELECT id, w.name, s.qty FROM widgets w RIGHT JOIN stock s USING (id) ORDER BY id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn cross_and_comma(db: &Pool, tenant: TenantId, min: i64) -> R<(i64, Vec<(i64, String)>)> {
    let (n,) = secure_query_as!((i64,), "SELECT count(*) FROM widgets w CROSS JOIN owners o")
        .fetch_one(db)
        .await?;
    let comma = secure_query_as!(
        (i64, String),
        "SELECT w.id, o.name FROM widgets w, owners o WHERE o.id = w.owner_id AND w.price > $1 ORDER BY w.id",
        min
    )
    .fetch_all(db)
    .await?;
    Ok((n, comma))
}

#[tenant_scoped]
async fn outer_join_chain(
    db: &Pool,
    tenant: TenantId,
) -> R<Vec<(i64, Option<String>, Option<i64>)>> {
    secure_query_as!(
        (i64, Option<String>, Option<i64>),
        "SELECT w.id, t.label, s.qty FROM widgets w LEFT JOIN tags t ON t.widget_id = w.id LEFT OUTER JOIN stock s ON s.id = w.id ORDER BY w.id, t.label"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn nested_join_on_nullable_side(
    db: &Pool,
    tenant: TenantId,
) -> R<Vec<(String, Option<String>, Option<String>)>> {
    secure_query_as!(
        (String, Option<String>, Option<String>),
        "SELECT o.name, w.name, t.label FROM owners o LEFT JOIN (widgets w JOIN tags t ON t.widget_id = w.id) ON w.owner_id = o.id ORDER BY o.name, w.name, t.label"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn self_join(db: &Pool, tenant: TenantId) -> R<Vec<(i64, i64)>> {
    secure_query_as!(
        (i64, i64),
        "SELECT a.id, b.id FROM widgets a JOIN widgets b ON a.owner_id = b.owner_id AND a.id < b.id ORDER BY 1, 2"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn subquery_in_on(db: &Pool, tenant: TenantId) -> R<Vec<(i64, Option<String>)>> {
    secure_query_as!(
        (i64, Option<String>),
        "SELECT w.id, o.name FROM widgets w LEFT JOIN owners o ON o.id = w.owner_id AND EXISTS (SELECT 1 FROM tags t WHERE t.widget_id = w.id) ORDER BY w.id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn derived_table(db: &Pool, tenant: TenantId, min: i64) -> R<Vec<(i64,)>> {
    secure_query_as!(
        (i64,),
        "SELECT x.id FROM (SELECT id FROM widgets WHERE price > $1) AS x ORDER BY x.id",
        min
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn owned_by(db: &Pool, tenant: TenantId, owner: &str) -> R<Vec<(i64,)>> {
    secure_query_as!(
        (i64,),
        "SELECT id FROM widgets WHERE owner_id IN (SELECT id FROM owners WHERE name = $1) ORDER BY id",
        owner
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn untagged(db: &Pool, tenant: TenantId) -> R<Vec<(i64,)>> {
    secure_query_as!(
        (i64,),
        "SELECT id FROM widgets w WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.widget_id = w.id) ORDER BY id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn tag_counts_scalar(db: &Pool, tenant: TenantId) -> R<Vec<(i64, i64)>> {
    secure_query_as!(
        (i64, i64),
        "SELECT w.id, (SELECT count(*) FROM tags t WHERE t.widget_id = w.id) AS n FROM widgets w ORDER BY w.id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn tag_counts_lateral(db: &Pool, tenant: TenantId) -> R<Vec<(i64, i64)>> {
    secure_query_as!(
        (i64, i64),
        "SELECT w.id, l.n FROM widgets w, LATERAL (SELECT count(*) AS n FROM tags t WHERE t.widget_id = w.id) l ORDER BY w.id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn top_tag_left_lateral(db: &Pool, tenant: TenantId) -> R<Vec<(i64, Option<String>)>> {
    secure_query_as!(
        (i64, Option<String>),
        "SELECT w.id, l.label FROM widgets w LEFT JOIN LATERAL (SELECT label FROM tags t WHERE t.widget_id = w.id ORDER BY label DESC LIMIT 1) l ON true ORDER BY w.id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn any_and_array(db: &Pool, tenant: TenantId, not_owner: &str) -> R<Vec<(i64, Vec<String>)>> {
    secure_query_as!(
        (i64, Vec<String>),
        "SELECT w.id, ARRAY(SELECT t.label FROM tags t WHERE t.widget_id = w.id ORDER BY t.label) FROM widgets w WHERE w.owner_id = ANY(SELECT o.id FROM owners o WHERE o.name <> $1) ORDER BY w.id",
        not_owner
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn case_subqueries(db: &Pool, tenant: TenantId) -> R<Vec<(i64, Option<String>)>> {
    secure_query_as!(
        (i64, Option<String>),
        "SELECT w.id, CASE WHEN EXISTS (SELECT 1 FROM stock s WHERE s.id = w.id) THEN 'stocked' ELSE (SELECT min(label) FROM tags t WHERE t.widget_id = w.id) END FROM widgets w ORDER BY w.id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn filter_over(db: &Pool, tenant: TenantId) -> R<Vec<(i64, i64)>> {
    secure_query_as!(
        (i64, i64),
        "SELECT w.id, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM tags t WHERE t.widget_id = w.id)) OVER () FROM widgets w ORDER BY w.id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn window_rank(db: &Pool, tenant: TenantId) -> R<Vec<(i64, i64)>> {
    secure_query_as!(
        (i64, i64),
        "SELECT id, rank() OVER (ORDER BY price DESC) FROM widgets ORDER BY id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn correlated_same_table(db: &Pool, tenant: TenantId) -> R<Vec<(i64,)>> {
    secure_query_as!(
        (i64,),
        "SELECT id FROM widgets WHERE price < (SELECT max(price) FROM widgets) / 4 ORDER BY id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn pricey_with_owner_cte(db: &Pool, tenant: TenantId, min: i64) -> R<Vec<(i64, String)>> {
    secure_query_as!(
        (i64, String),
        "WITH pricey AS (SELECT id, owner_id FROM widgets WHERE price > $1) SELECT p.id, o.name FROM pricey p JOIN owners o ON o.id = p.owner_id ORDER BY p.id",
        min
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn cte_chain(db: &Pool, tenant: TenantId, owner: &str) -> R<Vec<(i64,)>> {
    secure_query_as!(
        (i64,),
        "WITH a AS (SELECT id, owner_id FROM widgets), b AS (SELECT a.id FROM a JOIN owners o ON o.id = a.owner_id WHERE o.name = $1) SELECT id FROM b ORDER BY id",
        owner
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn cte_named_like_table(db: &Pool, tenant: TenantId, max: i64) -> R<Vec<(i64, String)>> {
    secure_query_as!(
        (i64, String),
        "WITH widgets AS (SELECT id, name FROM widgets WHERE price < $1) SELECT id, name FROM widgets ORDER BY id",
        max
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn cte_later_sibling_shadows(db: &Pool, tenant: TenantId) -> R<Vec<(i64, String)>> {
    // In a non-recursive WITH, `owners` inside `mine` is the real table: the
    // later sibling of the same name is not visible there.
    secure_query_as!(
        (i64, String),
        "WITH mine AS (SELECT id, name FROM owners), owners AS (SELECT 0::bigint AS id) SELECT m.id, m.name FROM mine m ORDER BY m.id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn inner_cte_shadows_only_inside(db: &Pool, tenant: TenantId) -> R<Vec<(i64,)>> {
    // A CTE named `widgets` inside a subquery must not unscope the outer
    // `widgets`.
    secure_query_as!(
        (i64,),
        "SELECT id FROM widgets WHERE id IN (WITH widgets AS (SELECT 1::bigint AS id UNION ALL SELECT 2) SELECT id FROM widgets) ORDER BY id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn cte_in_subquery(db: &Pool, tenant: TenantId, owner: &str) -> R<Vec<(i64,)>> {
    secure_query_as!(
        (i64,),
        "WITH mine AS (SELECT id FROM owners WHERE name = $1) SELECT id FROM widgets WHERE owner_id IN (SELECT id FROM mine) ORDER BY id",
        owner
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn category_tree(db: &Pool, tenant: TenantId, root: i64) -> R<Vec<(String,)>> {
    secure_query_as!(
        (String,),
        "WITH RECURSIVE tree AS (SELECT id, name FROM categories WHERE id = $1 UNION ALL SELECT c.id, c.name FROM categories c JOIN tree t ON c.parent_id = t.id) SELECT name FROM tree ORDER BY name",
        root
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn union_other_table(db: &Pool, tenant: TenantId, min: i64) -> R<Vec<(String,)>> {
    secure_query_as!(
        (String,),
        "SELECT name FROM widgets WHERE price > $1 UNION SELECT name FROM owners ORDER BY name",
        min
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn set_operations(
    db: &Pool,
    tenant: TenantId,
    max: i64,
) -> R<(Vec<(i64,)>, Vec<(i64,)>, Vec<(String,)>)> {
    let intersect = secure_query_as!(
        (i64,),
        "SELECT owner_id FROM widgets INTERSECT SELECT id FROM owners ORDER BY 1"
    )
    .fetch_all(db)
    .await?;
    let except = secure_query_as!(
        (i64,),
        "SELECT id FROM owners EXCEPT SELECT owner_id FROM widgets ORDER BY 1"
    )
    .fetch_all(db)
    .await?;
    let union_all = secure_query_as!(
        (String,),
        "SELECT label FROM tags UNION ALL SELECT name FROM widgets WHERE price < $1 ORDER BY 1",
        max
    )
    .fetch_all(db)
    .await?;
    Ok((intersect, except, union_all))
}

#[tenant_scoped]
async fn parenthesised_union_limit(db: &Pool, tenant: TenantId, limit: i64) -> R<Vec<(String,)>> {
    secure_query_as!(
        (String,),
        "(SELECT name FROM widgets) UNION (SELECT name FROM owners) ORDER BY name LIMIT $1",
        limit
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped(exempt = [currencies])]
async fn widget_currencies(db: &Pool, tenant: TenantId) -> R<Vec<(i64, String)>> {
    secure_query_as!(
        (i64, String),
        "SELECT w.id, c.name FROM widgets w JOIN currencies c ON c.code = w.currency ORDER BY w.id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped(exempt = [currencies])]
async fn all_currencies(db: &Pool, _tenant: TenantId) -> R<(Vec<(String,)>, Vec<(String,)>)> {
    // Only shared tables: the tenant is not bound at all.
    let codes = secure_query_as!((String,), "SELECT code FROM currencies ORDER BY code")
        .fetch_all(db)
        .await?;
    let upper = secure_query_as!(
        (String,),
        "SELECT c.name FROM public.CURRENCIES c WHERE c.code = $1",
        "USD"
    )
    .fetch_all(db)
    .await?;
    Ok((codes, upper))
}

#[tenant_scoped(column = "org_id")]
async fn open_tasks(db: &Pool, org: TenantId) -> R<Vec<(String, String)>> {
    secure_query_as!(
        (String, String),
        "SELECT p.title, t.title FROM projects p JOIN tasks t ON t.project_id = p.id WHERE NOT t.done ORDER BY t.id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped(column = "org_id", exempt = [currencies])]
async fn projects_priced_in(db: &Pool, #[tenant] org: i64, code: &str) -> R<Vec<(String, String)>> {
    // The tenant marked with #[tenant] instead of found by type: a plain
    // i64 binds to the bigint org_id as well.
    secure_query_as!(
        (String, String),
        "SELECT p.title, c.name FROM projects p JOIN currencies c ON c.code = $1 ORDER BY p.id",
        code
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn owner_stats(db: &Pool, tenant: TenantId, min: i64) -> R<Vec<(i64, i64, i64)>> {
    secure_query_as!(
        (i64, i64, i64),
        "SELECT owner_id, count(*), sum(price)::bigint FROM widgets GROUP BY owner_id HAVING count(*) >= $1 ORDER BY owner_id",
        min
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn having_subquery(db: &Pool, tenant: TenantId) -> R<Vec<(i64,)>> {
    secure_query_as!(
        (i64,),
        "SELECT owner_id FROM widgets GROUP BY owner_id HAVING count(*) > (SELECT count(*) FROM stock) - 2 ORDER BY owner_id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn page(db: &Pool, tenant: TenantId, limit: i64, offset: i64) -> R<Vec<(i64,)>> {
    secure_query_as!(
        (i64,),
        "SELECT id FROM widgets ORDER BY price DESC LIMIT $1 OFFSET $2",
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn limit_subquery(db: &Pool, tenant: TenantId) -> R<Vec<(i64,)>> {
    secure_query_as!(
        (i64,),
        "SELECT id FROM widgets ORDER BY id LIMIT (SELECT count(*) FROM stock)"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn priciest_per_owner(db: &Pool, tenant: TenantId) -> R<Vec<(i64, String)>> {
    secure_query_as!(
        (i64, String),
        "SELECT DISTINCT ON (owner_id) owner_id, name FROM widgets ORDER BY owner_id, price DESC"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn lock_pricey(db: &Pool, tenant: TenantId, min: i64) -> R<Vec<(i64,)>> {
    secure_query_as!(
        (i64,),
        "SELECT id FROM widgets WHERE price > $1 ORDER BY id FOR UPDATE SKIP LOCKED",
        min
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn series_and_unnest(
    db: &Pool,
    tenant: TenantId,
    upto: i32,
    ids: Vec<i64>,
) -> R<(Vec<(i32, i64)>, Vec<(i64, String)>)> {
    let series = secure_query_as!(
        (i32, i64),
        "SELECT g.n, (SELECT count(*) FROM widgets w WHERE w.price > g.n * 10) FROM generate_series(1, $1::int) AS g(n) ORDER BY g.n",
        upto
    )
    .fetch_all(db)
    .await?;
    let picked = secure_query_as!(
        (i64, String),
        "SELECT w.id, w.name FROM widgets w, unnest($1::bigint[]) AS u(x) WHERE w.id = u.x ORDER BY w.id",
        ids
    )
    .fetch_all(db)
    .await?;
    Ok((series, picked))
}

#[tenant_scoped]
async fn only_and_tablesample(db: &Pool, tenant: TenantId) -> R<(Vec<(i64,)>, Vec<(i64,)>)> {
    let only = secure_query_as!((i64,), "SELECT id FROM ONLY widgets ORDER BY id")
        .fetch_all(db)
        .await?;
    let sample = secure_query_as!(
        (i64,),
        "SELECT id FROM widgets TABLESAMPLE SYSTEM (100) ORDER BY id"
    )
    .fetch_all(db)
    .await?;
    Ok((only, sample))
}

#[tenant_scoped]
async fn no_tables(db: &Pool, _tenant: TenantId, x: i64) -> R<(i64, Vec<(i32,)>)> {
    let (y,) = secure_query_as!((i64,), "SELECT $1::bigint + 1", x)
        .fetch_one(db)
        .await?;
    let v = secure_query_as!(
        (i32,),
        "SELECT v.x FROM (VALUES (1), (2)) AS v(x) ORDER BY v.x"
    )
    .fetch_all(db)
    .await?;
    Ok((y, v))
}

#[tenant_scoped]
async fn values_with_subqueries(db: &Pool, tenant: TenantId) -> R<(i64, i64)> {
    secure_query_as!(
        (i64, i64),
        "VALUES ((SELECT count(*) FROM widgets), (SELECT count(*) FROM tags))"
    )
    .fetch_one(db)
    .await
}

#[tenant_scoped]
async fn admin_report(db: &Pool, tenant: TenantId) -> R<(Vec<(i64, i64)>, i64)> {
    // The explicit opt-out sits next to a scoped query in the same function.
    let all = secure_query_as!(
        unscoped = "admin report: widget counts of every tenant",
        (i64, i64),
        "SELECT tenant_id, count(*) FROM widgets GROUP BY tenant_id ORDER BY tenant_id"
    )
    .fetch_all(db)
    .await?;
    let (mine,) = secure_query_as!((i64,), "SELECT count(*) FROM widgets")
        .fetch_one(db)
        .await?;
    Ok((all, mine))
}

// ----- reads: tests ----------------------------------------------------------

#[tokio::test]
async fn simple_select_and_where_see_only_the_caller() {
    let env = env().await;
    let p = &env.pool;
    assert_eq!(
        all_widgets(p, T1).await.unwrap(),
        vec![(1, s("bolt")), (2, s("nut")), (3, s("gear")), (4, s("cog"))]
    );
    assert_eq!(
        all_widgets(p, T2).await.unwrap(),
        vec![(1, s("bolt")), (2, s("spring")), (3, s("gear"))]
    );
    assert_eq!(
        all_widgets(p, T3).await.unwrap(),
        vec![(1, s("bolt")), (2, s("lever")), (3, s("nut"))]
    );
    assert_eq!(
        all_widgets(p, TenantId::from_authenticated(99))
            .await
            .unwrap(),
        vec![]
    );
    assert_eq!(widget_by_id(p, T1, 1).await.unwrap(), vec![(1, s("bolt"))]);
    assert_eq!(widget_by_id(p, T2, 4).await.unwrap(), vec![]);
    assert_eq!(widget_by_id(p, T1, 4).await.unwrap(), vec![(4, s("cog"))]);
    assert_eq!(
        cheaper_than_aliased(p, T1, 15).await.unwrap(),
        vec![(1,), (2,)]
    );
    let (plain, aliased) = schema_qualified(p, T1, 4).await.unwrap();
    assert_eq!(plain, vec![(4, s("cog"))]);
    assert_eq!(aliased, vec![(s("cog"),)]);
    let (plain, aliased) = schema_qualified(p, T3, 2).await.unwrap();
    assert_eq!(plain, vec![(2, s("lever"))]);
    assert_eq!(aliased, vec![(s("lever"),)]);
}

#[tokio::test]
async fn or_without_parentheses_cannot_escape() {
    let env = env().await;
    let p = &env.pool;
    assert_eq!(
        name_or_price_sql(T1),
        "SELECT id, name FROM widgets WHERE (name = $1 OR price > $2) AND widgets.tenant_id = $3 ORDER BY id"
    );
    assert_eq!(
        name_or_price(p, T1, "bolt", 40).await.unwrap(),
        vec![(1, s("bolt")), (3, s("gear"))]
    );
    assert_eq!(
        name_or_price(p, T2, "bolt", 40).await.unwrap(),
        vec![(1, s("bolt")), (3, s("gear"))]
    );
    assert_eq!(
        name_or_price(p, T3, "bolt", 40).await.unwrap(),
        vec![(1, s("bolt")), (2, s("lever"))]
    );
    // Control: the same filter appended by hand without parentheses leaks
    // every other tenant's bolt, so the seed does expose the mistake.
    let naive: Vec<(i64, i64)> = secure_query_as!(
        (i64, i64),
        "SELECT tenant_id, id FROM widgets WHERE name = $1 OR price > $2 AND tenant_id = $3 ORDER BY 1, 2",
        "bolt",
        40_i64,
        T1
    )
    .fetch_all(p)
    .await
    .unwrap();
    assert_eq!(naive, vec![(1, 1), (1, 3), (2, 1), (3, 1)]);
}

/// Controls: hand-scoped versions of the shapes above that forget a
/// predicate or put it in the wrong place give visibly different results
/// on this seed, so the exact expectations of the scoped tests can fail.
#[tokio::test]
async fn the_seed_exposes_missing_and_misplaced_predicates() {
    let env = env().await;
    let p = &env.pool;
    // Join filtered on one side only: other tenants' owners attach.
    let join: Vec<(i64, String)> = secure_query_as!(
        unscoped = "control: a join scoped on one side only",
        (i64, String),
        "SELECT w.id, o.name FROM widgets w JOIN owners o ON o.id = w.owner_id WHERE w.tenant_id = $1 ORDER BY w.id, o.name",
        T1
    )
    .fetch_all(p)
    .await
    .unwrap();
    assert_eq!(join.len(), 9);
    assert!(join.contains(&(4, s("gus"))));
    // Nullable side filtered in WHERE: the LEFT JOIN becomes an inner join.
    let left: Vec<(i64, Option<String>)> = secure_query_as!(
        unscoped = "control: nullable side filtered in WHERE",
        (i64, Option<String>),
        "SELECT w.id, t.label FROM widgets w LEFT JOIN tags t ON t.widget_id = w.id WHERE w.tenant_id = $1 AND t.tenant_id = $1 ORDER BY w.id, t.label",
        T1
    )
    .fetch_all(p)
    .await
    .unwrap();
    assert_eq!(
        left,
        vec![(1, some("red")), (1, some("small")), (3, some("heavy"))]
    );
    // FULL JOIN with both predicates in ON: other tenants' rows come out
    // null-extended.
    let full: Vec<(Option<i64>, Option<String>)> = secure_query_as!(
        unscoped = "control: full join scoped in ON",
        (Option<i64>, Option<String>),
        "SELECT w.id, o.name FROM widgets w FULL JOIN owners o ON o.id = w.owner_id AND w.tenant_id = $1 AND o.tenant_id = $1 ORDER BY w.id, o.name",
        T1
    )
    .fetch_all(p)
    .await
    .unwrap();
    assert_eq!(full.len(), 15);
    assert!(full.contains(&(None, some("gus"))));
    // Recursive CTE scoped in its anchor only.
    let tree: Vec<(String,)> = secure_query_as!(
        unscoped = "control: recursive step unscoped",
        (String,),
        "WITH RECURSIVE tree AS (SELECT id, name FROM categories WHERE id = 1 AND tenant_id = $1 UNION ALL SELECT c.id, c.name FROM categories c JOIN tree t ON c.parent_id = t.id) SELECT name FROM tree ORDER BY name",
        T1
    )
    .fetch_all(p)
    .await
    .unwrap();
    assert_eq!(tree.len(), 8);
    // A subquery left unscoped: tenant 3's owner gus matches widget 4.
    let owned: Vec<(i64,)> = secure_query_as!(
        unscoped = "control: IN subquery unscoped",
        (i64,),
        "SELECT id FROM widgets WHERE owner_id IN (SELECT id FROM owners WHERE name = 'gus') AND tenant_id = $1",
        T1
    )
    .fetch_all(p)
    .await
    .unwrap();
    assert_eq!(owned, vec![(4,)]);
}

#[tokio::test]
async fn inner_joins_without_tenant_in_on() {
    let env = env().await;
    let p = &env.pool;
    assert_eq!(
        widgets_with_owner(p, T1).await.unwrap(),
        vec![(1, s("ann")), (2, s("ann")), (3, s("dan"))]
    );
    assert_eq!(
        widgets_with_owner(p, T3).await.unwrap(),
        vec![(1, s("cy")), (2, s("gus")), (3, s("gus"))]
    );
    let (n, comma) = cross_and_comma(p, T1, 8).await.unwrap();
    assert_eq!(n, 12);
    assert_eq!(comma, vec![(1, s("ann")), (3, s("dan"))]);
    let (n, _) = cross_and_comma(p, T2, 8).await.unwrap();
    assert_eq!(n, 6);
    assert_eq!(self_join(p, T1).await.unwrap(), vec![(1, 2)]);
    assert_eq!(self_join(p, T3).await.unwrap(), vec![(2, 3)]);
    assert_eq!(self_join(p, T2).await.unwrap(), vec![]);
}

#[tokio::test]
async fn left_join_keeps_its_meaning() {
    let env = env().await;
    let p = &env.pool;
    // Widgets 2 and 4 of tenant 1 have no tags of their own; tenant 2 and 3
    // have tags on widget ids 2 and 4 that must not attach.
    assert_eq!(
        widgets_left_join_tags(p, T1).await.unwrap(),
        vec![
            (1, some("red")),
            (1, some("small")),
            (2, None),
            (3, some("heavy")),
            (4, None)
        ]
    );
    assert_eq!(
        widgets_left_join_tags(p, T2).await.unwrap(),
        vec![(1, None), (2, some("blue")), (3, None)]
    );
    assert_eq!(
        left_join_or_in_on(p, T1, "fay").await.unwrap(),
        vec![
            (1, some("ann")),
            (1, some("fay")),
            (2, some("ann")),
            (2, some("fay")),
            (3, some("dan")),
            (3, some("fay")),
            (4, some("fay"))
        ]
    );
    assert_eq!(
        left_join_using(p, T1).await.unwrap(),
        vec![(1, Some(100)), (2, None), (3, Some(0)), (4, None)]
    );
    assert_eq!(
        natural_left_join(p, T1).await.unwrap(),
        vec![(1, Some(100)), (2, None), (3, Some(0)), (4, None)]
    );
    assert_eq!(
        outer_join_chain(p, T1).await.unwrap(),
        vec![
            (1, some("red"), Some(100)),
            (1, some("small"), Some(100)),
            (2, None, None),
            (3, some("heavy"), Some(0)),
            (4, None, None)
        ]
    );
    assert_eq!(
        nested_join_on_nullable_side(p, T1).await.unwrap(),
        vec![
            (s("ann"), some("bolt"), some("red")),
            (s("ann"), some("bolt"), some("small")),
            (s("dan"), some("gear"), some("heavy")),
            (s("fay"), None, None)
        ]
    );
    assert_eq!(
        subquery_in_on(p, T1).await.unwrap(),
        vec![(1, some("ann")), (2, None), (3, some("dan")), (4, None)]
    );
}

#[tokio::test]
async fn right_and_full_joins_keep_their_meaning() {
    let env = env().await;
    let p = &env.pool;
    assert_eq!(
        owners_right_join(p, T1).await.unwrap(),
        vec![
            (some("bolt"), s("ann")),
            (some("nut"), s("ann")),
            (some("gear"), s("dan")),
            (None, s("fay"))
        ]
    );
    assert_eq!(
        owners_right_join(p, T2).await.unwrap(),
        vec![(some("bolt"), s("bob")), (some("spring"), s("eve"))]
    );
    assert_eq!(
        full_join(p, T1).await.unwrap(),
        vec![
            (Some(1), some("ann")),
            (Some(2), some("ann")),
            (Some(3), some("dan")),
            (Some(4), None),
            (None, some("fay"))
        ]
    );
    assert_eq!(
        full_join(p, T2).await.unwrap(),
        vec![
            (Some(1), some("bob")),
            (Some(2), some("eve")),
            (Some(3), None)
        ]
    );
    assert_eq!(
        right_join_using(p, T1).await.unwrap(),
        vec![(1, some("bolt"), 100), (3, some("gear"), 0)]
    );
    assert_eq!(
        right_join_using(p, T2).await.unwrap(),
        vec![(2, some("spring"), 7), (4, None, 40)]
    );
}

#[tokio::test]
async fn mixed_outer_join_chains() {
    let env = env().await;
    let p = &env.pool;
    assert_eq!(
        chain_ending_in_right_join(p, T1).await.unwrap(),
        vec![
            (Some(1), some("red"), s("ann")),
            (Some(1), some("small"), s("ann")),
            (Some(2), None, s("ann")),
            (Some(3), some("heavy"), s("dan")),
            (None, None, s("fay"))
        ]
    );
    assert_eq!(
        full_join_after_left_join(p, T1).await.unwrap(),
        vec![
            (Some(1), some("red"), some("ann")),
            (Some(1), some("small"), some("ann")),
            (Some(2), None, some("ann")),
            (Some(3), some("heavy"), some("dan")),
            (Some(4), None, None),
            (None, None, some("fay"))
        ]
    );
    assert_eq!(
        full_join_exempt_and_subquery(p, T1).await.unwrap(),
        vec![
            (some("EUR"), Some(2)),
            (some("JPY"), Some(1)),
            (some("USD"), Some(1))
        ]
    );
    assert_eq!(
        full_join_exempt_and_subquery(p, T2).await.unwrap(),
        vec![
            (some("EUR"), Some(1)),
            (some("JPY"), None),
            (some("USD"), Some(2))
        ]
    );
}

#[tokio::test]
async fn subqueries_in_every_position() {
    let env = env().await;
    let p = &env.pool;
    assert_eq!(derived_table(p, T1, 15).await.unwrap(), vec![(3,), (4,)]);
    assert_eq!(owned_by(p, T1, "ann").await.unwrap(), vec![(1,), (2,)]);
    // gus is tenant 3's owner 4; tenant 1's widget 4 points at owner id 4.
    assert_eq!(owned_by(p, T1, "gus").await.unwrap(), vec![]);
    assert_eq!(owned_by(p, T3, "gus").await.unwrap(), vec![(2,), (3,)]);
    assert_eq!(untagged(p, T1).await.unwrap(), vec![(2,), (4,)]);
    assert_eq!(untagged(p, T2).await.unwrap(), vec![(1,), (3,)]);
    assert_eq!(untagged(p, T3).await.unwrap(), vec![]);
    let counts = vec![(1, 2), (2, 0), (3, 1), (4, 0)];
    assert_eq!(tag_counts_scalar(p, T1).await.unwrap(), counts);
    assert_eq!(tag_counts_lateral(p, T1).await.unwrap(), counts);
    assert_eq!(
        top_tag_left_lateral(p, T1).await.unwrap(),
        vec![(1, some("small")), (2, None), (3, some("heavy")), (4, None)]
    );
    assert_eq!(
        any_and_array(p, T1, "dan").await.unwrap(),
        vec![(1, vec![s("red"), s("small")]), (2, vec![])]
    );
    assert_eq!(
        case_subqueries(p, T1).await.unwrap(),
        vec![
            (1, some("stocked")),
            (2, None),
            (3, some("stocked")),
            (4, None)
        ]
    );
    assert_eq!(
        filter_over(p, T1).await.unwrap(),
        vec![(1, 2), (2, 2), (3, 2), (4, 2)]
    );
    assert_eq!(
        window_rank(p, T1).await.unwrap(),
        vec![(1, 3), (2, 4), (3, 1), (4, 2)]
    );
    assert_eq!(
        correlated_same_table(p, T1).await.unwrap(),
        vec![(1,), (2,)]
    );
    assert_eq!(
        having_subquery(p, T1).await.unwrap(),
        vec![(1,), (2,), (4,)]
    );
    assert_eq!(limit_subquery(p, T1).await.unwrap(), vec![(1,), (2,)]);
    assert_eq!(values_with_subqueries(p, T1).await.unwrap(), (4, 3));
    assert_eq!(values_with_subqueries(p, T3).await.unwrap(), (3, 3));
}

#[tokio::test]
async fn ctes_plain_chained_shadowing_and_recursive() {
    let env = env().await;
    let p = &env.pool;
    assert_eq!(
        pricey_with_owner_cte(p, T1, 8).await.unwrap(),
        vec![(1, s("ann")), (3, s("dan"))]
    );
    assert_eq!(cte_chain(p, T1, "ann").await.unwrap(), vec![(1,), (2,)]);
    assert_eq!(cte_chain(p, T1, "bob").await.unwrap(), vec![]);
    assert_eq!(
        cte_named_like_table(p, T1, 15).await.unwrap(),
        vec![(1, s("bolt")), (2, s("nut"))]
    );
    assert_eq!(
        cte_later_sibling_shadows(p, T1).await.unwrap(),
        vec![(1, s("ann")), (2, s("dan")), (3, s("fay"))]
    );
    assert_eq!(
        inner_cte_shadows_only_inside(p, T2).await.unwrap(),
        vec![(1,), (2,)]
    );
    assert_eq!(
        inner_cte_shadows_only_inside(p, TenantId::from_authenticated(99))
            .await
            .unwrap(),
        vec![]
    );
    assert_eq!(cte_in_subquery(p, T1, "gus").await.unwrap(), vec![]);
    assert_eq!(cte_in_subquery(p, T1, "dan").await.unwrap(), vec![(3,)]);
    assert_eq!(
        category_tree(p, T1, 1).await.unwrap(),
        vec![(s("a1"),), (s("b1"),), (s("root1"),)]
    );
    assert_eq!(
        category_tree(p, T2, 1).await.unwrap(),
        vec![(s("a2"),), (s("b2"),), (s("root2"),)]
    );
}

#[tokio::test]
async fn set_operations_scope_every_branch() {
    let env = env().await;
    let p = &env.pool;
    assert_eq!(
        union_other_table(p, T1, 40).await.unwrap(),
        vec![(s("ann"),), (s("dan"),), (s("fay"),), (s("gear"),)]
    );
    assert_eq!(
        union_other_table(p, T3, 40).await.unwrap(),
        vec![(s("cy"),), (s("gus"),), (s("lever"),)]
    );
    let (intersect, except, union_all) = set_operations(p, T1, 8).await.unwrap();
    assert_eq!(intersect, vec![(1,), (2,)]);
    assert_eq!(except, vec![(3,)]);
    assert_eq!(
        union_all,
        vec![(s("heavy"),), (s("nut"),), (s("red"),), (s("small"),)]
    );
    assert_eq!(
        parenthesised_union_limit(p, T1, 3).await.unwrap(),
        vec![(s("ann"),), (s("bolt"),), (s("cog"),)]
    );
}

#[tokio::test]
async fn exempt_tables_custom_column_and_marker() {
    let env = env().await;
    let p = &env.pool;
    assert_eq!(
        widget_currencies(p, T1).await.unwrap(),
        vec![
            (1, s("Euro")),
            (2, s("Euro")),
            (3, s("US dollar")),
            (4, s("Yen"))
        ]
    );
    let (codes, upper) = all_currencies(p, T2).await.unwrap();
    assert_eq!(codes, vec![(s("EUR"),), (s("JPY"),), (s("USD"),)]);
    assert_eq!(upper, vec![(s("US dollar"),)]);
    assert_eq!(
        open_tasks(p, T1).await.unwrap(),
        vec![(s("alpha"), s("build")), (s("beta"), s("ship"))]
    );
    assert_eq!(
        open_tasks(p, T2).await.unwrap(),
        vec![(s("gamma"), s("plan")), (s("delta"), s("review"))]
    );
    assert_eq!(
        projects_priced_in(p, 2, "EUR").await.unwrap(),
        vec![(s("gamma"), s("Euro")), (s("delta"), s("Euro"))]
    );
}

#[tokio::test]
async fn aggregates_paging_locking_and_table_functions() {
    let env = env().await;
    let p = &env.pool;
    assert_eq!(
        owner_stats(p, T1, 1).await.unwrap(),
        vec![(1, 2, 15), (2, 1, 50), (4, 1, 20)]
    );
    assert_eq!(owner_stats(p, T1, 2).await.unwrap(), vec![(1, 2, 15)]);
    assert_eq!(owner_stats(p, T3, 2).await.unwrap(), vec![(4, 2, 105)]);
    assert_eq!(page(p, T1, 2, 1).await.unwrap(), vec![(4,), (1,)]);
    assert_eq!(
        priciest_per_owner(p, T1).await.unwrap(),
        vec![(1, s("bolt")), (2, s("gear")), (4, s("cog"))]
    );
    assert_eq!(lock_pricey(p, T1, 15).await.unwrap(), vec![(3,), (4,)]);
    let (series, picked) = series_and_unnest(p, T1, 3, vec![2, 4, 9]).await.unwrap();
    assert_eq!(series, vec![(1, 2), (2, 1), (3, 1)]);
    assert_eq!(picked, vec![(2, s("nut")), (4, s("cog"))]);
    let (only, sample) = only_and_tablesample(p, T1).await.unwrap();
    assert_eq!(only, vec![(1,), (2,), (3,), (4,)]);
    assert_eq!(sample, vec![(1,), (2,), (3,), (4,)]);
    assert_eq!(no_tables(p, T1, 41).await.unwrap(), (42, vec![(1,), (2,)]));
}

#[tokio::test]
async fn unscoped_admin_report_sees_every_tenant() {
    let env = env().await;
    let (all, mine) = admin_report(&env.pool, T2).await.unwrap();
    assert_eq!(all, vec![(1, 4), (2, 3), (3, 3)]);
    assert_eq!(mine, 3);
}

// ----- writes: repository functions ------------------------------------------

#[tenant_scoped]
async fn raise_price(db: &Pool, tenant: TenantId, by: i64, name: &str, id: i64) -> R<u64> {
    secure_query!(
        "UPDATE widgets SET price = price + $1 WHERE name = $2 OR id = $3",
        by,
        name,
        id
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn shout(db: &Pool, tenant: TenantId, id: i64) -> R<Vec<(i64, String)>> {
    secure_query_as!(
        (i64, String),
        "UPDATE widgets AS w SET name = upper(w.name) WHERE w.id = $1 RETURNING w.id, w.name",
        id
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn sign_with_owner(db: &Pool, tenant: TenantId) -> R<u64> {
    secure_query!(
        "UPDATE widgets w SET name = w.name || '@' || o.name FROM owners o WHERE o.id = w.owner_id"
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn name_after_owner(db: &Pool, tenant: TenantId, id: i64) -> R<u64> {
    secure_query!(
        "UPDATE widgets SET name = (SELECT o.name FROM owners o WHERE o.id = widgets.owner_id) WHERE id = $1",
        id
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn touch_returning_tag_count(db: &Pool, tenant: TenantId, id: i64) -> R<Vec<(i64, i64)>> {
    secure_query_as!(
        (i64, i64),
        "UPDATE widgets SET price = price WHERE id = $1 RETURNING id, (SELECT count(*) FROM tags t WHERE t.widget_id = widgets.id)",
        id
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped(exempt = [currencies])]
async fn star_used_currencies(db: &Pool, tenant: TenantId, min: i64) -> R<u64> {
    secure_query!(
        "UPDATE currencies c SET name = c.name || '*' FROM widgets w WHERE w.currency = c.code AND w.price > $1",
        min
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn delete_tags_or(db: &Pool, tenant: TenantId, label: &str, id: i64) -> R<u64> {
    secure_query!("DELETE FROM tags WHERE label = $1 OR id = $2", label, id)
        .execute(db)
        .await
}

#[tenant_scoped]
async fn clear_stock(db: &Pool, tenant: TenantId) -> R<u64> {
    secure_query!("DELETE FROM stock").execute(db).await
}

#[tenant_scoped]
async fn delete_tags_of_named(db: &Pool, tenant: TenantId, name: &str) -> R<u64> {
    secure_query!(
        "DELETE FROM tags t USING widgets w WHERE w.id = t.widget_id AND w.name = $1",
        name
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn delete_tags_returning(db: &Pool, tenant: TenantId, name: &str) -> R<Vec<(i64, String)>> {
    secure_query_as!(
        (i64, String),
        "DELETE FROM tags WHERE widget_id IN (SELECT id FROM widgets WHERE name = $1) RETURNING id, label",
        name
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn add_widget(
    db: &Pool,
    tenant: TenantId,
    id: i64,
    owner: Option<i64>,
    name: &str,
    price: i64,
    sku: &str,
) -> R<u64> {
    secure_query!(
        "INSERT INTO widgets (id, owner_id, name, price, currency, sku) VALUES ($1, $2, $3, $4, 'EUR', $5)",
        id,
        owner,
        name,
        price,
        sku
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn add_two_tags(db: &Pool, tenant: TenantId, widget: i64) -> R<u64> {
    secure_query!(
        "INSERT INTO tags (id, widget_id, label) VALUES ($1, $2, $3), ($4, $2, $5)",
        10_i64,
        widget,
        "new-a",
        11_i64,
        "new-b"
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn audit_priciest(db: &Pool, tenant: TenantId, action: &str) -> R<Vec<(i64, Option<i64>)>> {
    secure_query_as!(
        (i64, Option<i64>),
        "INSERT INTO audit (widget_id, action) VALUES ((SELECT id FROM widgets ORDER BY price DESC LIMIT 1), $1) RETURNING id, widget_id",
        action
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn tag_pricey_with_name(db: &Pool, tenant: TenantId, min: i64) -> R<u64> {
    secure_query!(
        "INSERT INTO tags (id, widget_id, label) SELECT id + 100, id, name FROM widgets WHERE price > $1",
        min
    )
    .execute(db)
    .await
}

#[tenant_scoped]
fn tag_pricey_with_name_sql(tenant: TenantId) -> &'static str {
    secure_query!(
        "INSERT INTO tags (id, widget_id, label) SELECT id + 100, id, name FROM widgets WHERE price > $1",
        0_i64
    )
    .sql()
}

#[tenant_scoped]
async fn stock_cheap_from_derived(db: &Pool, tenant: TenantId, max: i64) -> R<u64> {
    secure_query!(
        "INSERT INTO stock (id, qty) SELECT * FROM (SELECT id, price FROM widgets WHERE price < $1) AS x",
        max
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn tag_union(db: &Pool, tenant: TenantId, min: i64, label: &str) -> R<u64> {
    secure_query!(
        "INSERT INTO tags (id, widget_id, label) SELECT id + 100, id, name FROM widgets WHERE price > $1 UNION SELECT id + 200, widget_id, label FROM tags WHERE label = $2",
        min,
        label
    )
    .execute(db)
    .await
}

#[tenant_scoped]
fn tag_union_sql(tenant: TenantId) -> &'static str {
    secure_query!(
        "INSERT INTO tags (id, widget_id, label) SELECT id + 100, id, name FROM widgets WHERE price > $1 UNION SELECT id + 200, widget_id, label FROM tags WHERE label = $2",
        0_i64,
        ""
    )
    .sql()
}

#[tenant_scoped]
async fn audit_tagged_distinct(db: &Pool, tenant: TenantId) -> R<u64> {
    secure_query!(
        "INSERT INTO audit (widget_id, action) SELECT DISTINCT widget_id, 'tagged' FROM tags"
    )
    .execute(db)
    .await
}

#[tenant_scoped]
fn audit_tagged_distinct_sql(tenant: TenantId) -> &'static str {
    secure_query!(
        "INSERT INTO audit (widget_id, action) SELECT DISTINCT widget_id, 'tagged' FROM tags"
    )
    .sql()
}

#[tenant_scoped(exempt = [currencies])]
async fn tags_from_codes_then_own(db: &Pool, tenant: TenantId, label: &str) -> R<u64> {
    secure_query!(
        "INSERT INTO tags (id, widget_id, label) SELECT 900 + length(name), 1, code FROM currencies UNION ALL SELECT id + 100, widget_id, label FROM tags WHERE label = $1",
        label
    )
    .execute(db)
    .await
}

#[tenant_scoped(exempt = [currencies])]
fn tags_from_codes_then_own_sql(tenant: TenantId) -> &'static str {
    secure_query!(
        "INSERT INTO tags (id, widget_id, label) SELECT 900 + length(name), 1, code FROM currencies UNION ALL SELECT id + 100, widget_id, label FROM tags WHERE label = $1",
        ""
    )
    .sql()
}

#[tenant_scoped]
async fn audit_tag_counts_grouped(db: &Pool, tenant: TenantId) -> R<u64> {
    secure_query!(
        "INSERT INTO audit (widget_id, action) SELECT widget_id, 'tags:' || count(*) FROM tags GROUP BY widget_id"
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn upsert_by_sku(
    db: &Pool,
    tenant: TenantId,
    id: i64,
    name: &str,
    price: i64,
    sku: &str,
) -> R<Vec<(i64, String, i64)>> {
    secure_query_as!(
        (i64, String, i64),
        "INSERT INTO widgets (id, name, price, currency, sku) VALUES ($1, $2, $3, 'EUR', $4) ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price = excluded.price RETURNING id, name, price",
        id,
        name,
        price,
        sku
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn upsert_alias_where(
    db: &Pool,
    tenant: TenantId,
    id: i64,
    name: &str,
    price: i64,
    sku: &str,
) -> R<u64> {
    secure_query!(
        "INSERT INTO widgets AS w (id, name, price, currency, sku) VALUES ($1, $2, $3, 'EUR', $4) ON CONFLICT (sku) DO UPDATE SET price = excluded.price WHERE w.price < excluded.price OR w.name = $2",
        id,
        name,
        price,
        sku
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn insert_or_nothing(db: &Pool, tenant: TenantId, id: i64, sku: &str) -> R<Vec<(i64,)>> {
    secure_query_as!(
        (i64,),
        "INSERT INTO widgets (id, name, price, currency, sku) VALUES ($1, 'fresh', 1, 'EUR', $2) ON CONFLICT DO NOTHING RETURNING id",
        id,
        sku
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn upsert_schema_qualified(
    db: &Pool,
    tenant: TenantId,
    id: i64,
    price: i64,
    sku: &str,
) -> R<u64> {
    secure_query!(
        "INSERT INTO public.widgets (id, name, price, currency, sku) VALUES ($1, 'sq', $2, 'EUR', $3) ON CONFLICT (sku) DO UPDATE SET price = excluded.price",
        id,
        price,
        sku
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn upsert_by_tenant_key(
    db: &Pool,
    tenant: TenantId,
    id: i64,
    name: &str,
    sku: &str,
) -> R<u64> {
    secure_query!(
        "INSERT INTO widgets (id, name, price, currency, sku) VALUES ($1, $2, 1, 'EUR', $3) ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name",
        id,
        name,
        sku
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn untag_and_audit(db: &Pool, tenant: TenantId, label: &str) -> R<u64> {
    secure_query!(
        "WITH d AS (DELETE FROM tags WHERE label = $1 RETURNING widget_id) INSERT INTO audit (widget_id, action) SELECT widget_id, 'untag' FROM d",
        label
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn double_cheap(db: &Pool, tenant: TenantId, max: i64) -> R<u64> {
    secure_query!(
        "WITH cheap AS (SELECT id FROM widgets WHERE price < $1) UPDATE widgets SET price = price * 2 WHERE id IN (SELECT id FROM cheap)",
        max
    )
    .execute(db)
    .await
}

#[tenant_scoped]
async fn restock_and_report(db: &Pool, tenant: TenantId, add: i64) -> R<Vec<(i64, i64, String)>> {
    secure_query_as!(
        (i64, i64, String),
        "WITH u AS (UPDATE stock SET qty = qty + $1 RETURNING id, qty) SELECT u.id, u.qty, w.name FROM u JOIN widgets w ON w.id = u.id ORDER BY u.id",
        add
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped(exempt = [currencies])]
async fn currencies_from_widget_names(db: &Pool, tenant: TenantId, min: i64) -> R<u64> {
    secure_query!(
        "INSERT INTO currencies (code, name) SELECT upper(name), 'from widgets' FROM widgets WHERE price > $1 ON CONFLICT DO NOTHING",
        min
    )
    .execute(db)
    .await
}

#[tenant_scoped(column = "org_id")]
async fn rename_project(db: &Pool, #[tenant] org: i64, id: i64, title: &str) -> R<u64> {
    secure_query!("UPDATE projects SET title = $1 WHERE id = $2", title, id)
        .execute(db)
        .await
}

#[tenant_scoped(column = "org_id")]
async fn add_task(db: &Pool, org: TenantId, id: i64, project: i64, title: &str) -> R<u64> {
    secure_query!(
        "INSERT INTO tasks (id, project_id, title, done) VALUES ($1, $2, $3, false)",
        id,
        project,
        title
    )
    .execute(db)
    .await
}

// ----- writes: tests ---------------------------------------------------------

#[tokio::test]
async fn updates_change_only_the_callers_rows() {
    let env = env().await;
    let p = &env.pool;
    let before = foreign_rows(1);
    assert_eq!(raise_price(p, T1, 1000, "bolt", 2).await.unwrap(), 2);
    assert_eq!(
        su("SELECT id, price FROM widgets WHERE tenant_id = 1 ORDER BY id"),
        ["1|1010", "2|1005", "3|50", "4|20"]
    );
    assert_eq!(shout(p, T1, 1).await.unwrap(), vec![(1, s("BOLT"))]);
    assert_eq!(sign_with_owner(p, T1).await.unwrap(), 3);
    assert_eq!(
        su("SELECT id, name FROM widgets WHERE tenant_id = 1 ORDER BY id"),
        ["1|BOLT@ann", "2|nut@ann", "3|gear@dan", "4|cog"]
    );
    // Unscoped, the subquery would find owner 2 in tenants 1 and 2 and fail
    // with "more than one row returned by a subquery".
    assert_eq!(name_after_owner(p, T1, 3).await.unwrap(), 1);
    assert_eq!(
        su("SELECT name FROM widgets WHERE tenant_id = 1 AND id = 3"),
        ["dan"]
    );
    // Widget 1 has 2 tags in tenant 1 (tenant 3 has one more on id 1).
    assert_eq!(
        touch_returning_tag_count(p, T1, 1).await.unwrap(),
        vec![(1, 2)]
    );
    assert_eq!(foreign_rows(1), before);
}

#[tokio::test]
async fn update_of_a_shared_table_reads_only_the_callers_rows() {
    let env = env().await;
    let before = foreign_rows(1);
    // Tenant 1's widgets above 15 are priced in USD and JPY; tenant 3's
    // lever (99, EUR) must not star EUR.
    assert_eq!(star_used_currencies(&env.pool, T1, 15).await.unwrap(), 2);
    assert_eq!(
        su("SELECT code, name FROM currencies ORDER BY code"),
        ["EUR|Euro", "JPY|Yen*", "USD|US dollar*"]
    );
    assert_eq!(foreign_rows(1), before);
}

#[tokio::test]
async fn deletes_remove_only_the_callers_rows() {
    let env = env().await;
    let p = &env.pool;
    let before = foreign_rows(1);
    // 'red' exists in tenants 1 and 3; id 3 in all of them.
    assert_eq!(delete_tags_or(p, T1, "red", 3).await.unwrap(), 2);
    assert_eq!(
        su("SELECT id, label FROM tags WHERE tenant_id = 1 ORDER BY id"),
        ["2|small"]
    );
    assert_eq!(foreign_rows(1), before);

    su(SEED);
    assert_eq!(clear_stock(p, T1).await.unwrap(), 2);
    assert_eq!(su("SELECT count(*) FROM stock WHERE tenant_id = 1"), ["0"]);
    assert_eq!(foreign_rows(1), before);

    su(SEED);
    // Tenant 3's 'shiny' tag points at widget 1, which is a bolt in every
    // tenant.
    assert_eq!(delete_tags_of_named(p, T1, "bolt").await.unwrap(), 2);
    assert_eq!(
        su("SELECT id, label FROM tags WHERE tenant_id = 1 ORDER BY id"),
        ["3|heavy"]
    );
    assert_eq!(foreign_rows(1), before);

    su(SEED);
    // Tenant 1's nut is widget 2, which has no tags; tenant 3's nut is
    // widget 3, and tenant 1's widget 3 has the tag 'heavy'.
    assert_eq!(delete_tags_returning(p, T1, "nut").await.unwrap(), vec![]);
    let mut deleted = delete_tags_returning(p, T1, "bolt").await.unwrap();
    deleted.sort();
    assert_eq!(deleted, vec![(1, s("red")), (2, s("small"))]);
    assert_eq!(
        su("SELECT id, label FROM tags WHERE tenant_id = 1 ORDER BY id"),
        ["3|heavy"]
    );
    assert_eq!(foreign_rows(1), before);
}

#[tokio::test]
async fn insert_values_lands_in_the_callers_tenant() {
    let env = env().await;
    let p = &env.pool;
    let before = foreign_rows(2);
    assert_eq!(
        add_widget(p, T2, 5, Some(1), "washer", 3, "T2-WASHER")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        su("SELECT tenant_id, id, owner_id, name, price FROM widgets WHERE sku = 'T2-WASHER'"),
        ["2|5|1|washer|3"]
    );
    // Same id as tenant 1's widget 1... but a different tenant: no clash.
    assert_eq!(add_two_tags(p, T2, 5).await.unwrap(), 2);
    assert_eq!(
        su("SELECT tenant_id, id, widget_id, label FROM tags WHERE id >= 10 ORDER BY id"),
        ["2|10|5|new-a", "2|11|5|new-b"]
    );
    // The subquery in VALUES picks tenant 2's priciest (gear, 3), not
    // tenant 3's lever (2).
    assert_eq!(
        audit_priciest(p, T2, "priciest").await.unwrap(),
        vec![(3, Some(3))]
    );
    assert_eq!(
        su("SELECT tenant_id, widget_id FROM audit WHERE action = 'priciest'"),
        ["2|3"]
    );
    let after: Vec<String> = foreign_rows(2);
    assert_eq!(after, before);
}

#[tokio::test]
async fn insert_select_copies_only_the_callers_rows() {
    let env = env().await;
    let p = &env.pool;
    assert_eq!(
        tag_pricey_with_name_sql(T1),
        "INSERT INTO tags (id, widget_id, label, tenant_id) SELECT id + 100, id, name, $2::BIGINT FROM widgets WHERE (price > $1) AND widgets.tenant_id = $2"
    );
    let before = foreign_rows(1);
    assert_eq!(tag_pricey_with_name(p, T1, 15).await.unwrap(), 2);
    assert_eq!(
        su("SELECT tenant_id, id, widget_id, label FROM tags WHERE id > 100 ORDER BY tenant_id, id"),
        ["1|103|3|gear", "1|104|4|cog"]
    );
    assert_eq!(foreign_rows(1), before);
    // SELECT * from a derived table: the extra value lines up with the
    // extra column. Tenant 1's only widget under 8 is the nut (2, 5).
    assert_eq!(stock_cheap_from_derived(p, T1, 8).await.unwrap(), 1);
    assert_eq!(
        su("SELECT id, qty FROM stock WHERE tenant_id = 1 ORDER BY id"),
        ["1|100", "2|5", "3|0"]
    );
    assert_eq!(foreign_rows(1), before);
    // GROUP BY in the source.
    // (Tenant 1's tags now include 103 and 104 from above.)
    assert_eq!(audit_tag_counts_grouped(p, T1).await.unwrap(), 3);
    assert_eq!(
        su("SELECT tenant_id, widget_id, action FROM audit WHERE action LIKE 'tags:%' ORDER BY widget_id"),
        ["1|1|tags:2", "1|3|tags:2", "1|4|tags:1"]
    );
    assert_eq!(foreign_rows(1), before);
}

#[tokio::test]
async fn insert_select_with_union_is_accepted_by_the_server() {
    // Works: the first branch's `widgets.tenant_id = $3` types `$3` as
    // bigint before the set operation resolves its columns. Compare the
    // shared-branch-first test below, which fails.
    let env = env().await;
    assert_eq!(
        tag_union_sql(T1),
        "INSERT INTO tags (id, widget_id, label, tenant_id) SELECT id + 100, id, name, $3::BIGINT FROM widgets WHERE (price > $1) AND widgets.tenant_id = $3 UNION SELECT id + 200, widget_id, label, $3::BIGINT FROM tags WHERE (label = $2) AND tags.tenant_id = $3"
    );
    let before = foreign_rows(1);
    let n = tag_union(&env.pool, T1, 15, "red")
        .await
        .map_err(|e| format!("{e:#}"));
    assert_eq!(n, Ok(3), "SQL: {}", tag_union_sql(T1));
    assert_eq!(
        su("SELECT tenant_id, id, widget_id, label FROM tags WHERE id > 100 ORDER BY id"),
        ["1|103|3|gear", "1|104|4|cog", "1|201|1|red"]
    );
    assert_eq!(foreign_rows(1), before);
}

#[tokio::test]
async fn insert_select_distinct_is_accepted_by_the_server() {
    // Regression: an untyped `$n` appended to a SELECT DISTINCT list was
    // resolved to text by DISTINCT after WHERE typed it bigint (SQLSTATE
    // 42P08). The rewriter now appends `$n::<column_type>`.
    let env = env().await;
    assert_eq!(
        audit_tagged_distinct_sql(T1),
        "INSERT INTO audit (widget_id, action, tenant_id) SELECT DISTINCT widget_id, 'tagged', $1::BIGINT FROM tags WHERE tags.tenant_id = $1"
    );
    let before = foreign_rows(1);
    let n = audit_tagged_distinct(&env.pool, T1)
        .await
        .map_err(|e| format!("{e:#}"));
    assert_eq!(n, Ok(2), "SQL: {}", audit_tagged_distinct_sql(T1));
    assert_eq!(
        su("SELECT tenant_id, widget_id FROM audit WHERE action = 'tagged' ORDER BY widget_id"),
        ["1|1", "1|3"]
    );
    assert_eq!(foreign_rows(1), before);
}

#[tokio::test]
async fn insert_select_union_with_a_shared_branch_first_is_accepted_by_the_server() {
    // Regression: the same untyped `$n`, in a set operation whose first
    // branch reads only a shared table, so nothing before it gave `$n` a
    // type. Fixed by the typed placeholder.
    let env = env().await;
    assert_eq!(
        tags_from_codes_then_own_sql(T1),
        "INSERT INTO tags (id, widget_id, label, tenant_id) SELECT 900 + length(name), 1, code, $2::BIGINT FROM currencies UNION ALL SELECT id + 100, widget_id, label, $2::BIGINT FROM tags WHERE (label = $1) AND tags.tenant_id = $2"
    );
    let before = foreign_rows(1);
    let n = tags_from_codes_then_own(&env.pool, T1, "red")
        .await
        .map_err(|e| format!("{e:#}"));
    assert_eq!(n, Ok(4), "SQL: {}", tags_from_codes_then_own_sql(T1));
    assert_eq!(
        su("SELECT tenant_id, id, widget_id, label FROM tags WHERE id > 100 ORDER BY id"),
        ["1|101|1|red", "1|903|1|JPY", "1|904|1|EUR", "1|909|1|USD"]
    );
    assert_eq!(foreign_rows(1), before);
}

#[tokio::test]
async fn upsert_cannot_touch_another_tenants_conflicting_row() {
    let env = env().await;
    let p = &env.pool;
    let before = foreign_rows(1);
    // T2-BOLT belongs to tenant 2: the conflict is found, the update is
    // refused by the tenant predicate, nothing is inserted or returned.
    assert_eq!(
        upsert_by_sku(p, T1, 9, "stolen", 1, "T2-BOLT")
            .await
            .unwrap(),
        vec![]
    );
    assert_eq!(
        upsert_alias_where(p, T1, 9, "bolt", 1000, "T2-BOLT")
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        insert_or_nothing(p, T1, 9, "T3-LEVER").await.unwrap(),
        vec![]
    );
    assert_eq!(
        upsert_by_tenant_key(p, T1, 9, "x", "T2-GEAR")
            .await
            .unwrap_err()
            .kind(),
        secure_pg::ErrorKind::UniqueViolation
    );
    assert_eq!(foreign_rows(1), before);
    assert_eq!(
        su("SELECT count(*) FROM widgets WHERE tenant_id = 1"),
        ["4"]
    );
    // The caller's own conflict is updated; a new sku is inserted.
    assert_eq!(
        upsert_by_sku(p, T1, 9, "bolt-v2", 11, "T1-BOLT")
            .await
            .unwrap(),
        vec![(1, s("bolt-v2"), 11)]
    );
    assert_eq!(
        upsert_alias_where(p, T1, 9, "nut", 6, "T1-NUT")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        upsert_by_sku(p, T1, 9, "pin", 2, "T1-PIN").await.unwrap(),
        vec![(9, s("pin"), 2)]
    );
    assert_eq!(
        insert_or_nothing(p, T1, 10, "T1-FRESH").await.unwrap(),
        vec![(10,)]
    );
    assert_eq!(
        upsert_by_tenant_key(p, T1, 4, "cog-v2", "T1-UNUSED")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        su("SELECT id, name, price, sku FROM widgets WHERE tenant_id = 1 ORDER BY id"),
        [
            "1|bolt-v2|11|T1-BOLT",
            "2|nut|6|T1-NUT",
            "3|gear|50|T1-GEAR",
            "4|cog-v2|20|T1-COG",
            "9|pin|2|T1-PIN",
            "10|fresh|1|T1-FRESH"
        ]
    );
    assert_eq!(foreign_rows(1), before);
}

#[tokio::test]
async fn upsert_into_a_schema_qualified_table() {
    let env = env().await;
    let p = &env.pool;
    let before = foreign_rows(1);
    let r = upsert_schema_qualified(p, T1, 9, 1000, "T2-BOLT")
        .await
        .map_err(|e| format!("{e:#}"));
    assert_eq!(r, Ok(0));
    assert_eq!(
        upsert_schema_qualified(p, T1, 9, 77, "T1-BOLT")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        su("SELECT price FROM widgets WHERE sku = 'T1-BOLT'"),
        ["77"]
    );
    assert_eq!(foreign_rows(1), before);
}

#[tokio::test]
async fn data_modifying_ctes_stay_in_the_tenant() {
    let env = env().await;
    let p = &env.pool;
    let before = foreign_rows(1);
    assert_eq!(untag_and_audit(p, T1, "red").await.unwrap(), 1);
    assert_eq!(
        su("SELECT id, label FROM tags WHERE tenant_id = 1 ORDER BY id"),
        ["2|small", "3|heavy"]
    );
    assert_eq!(
        su("SELECT tenant_id, widget_id, action FROM audit ORDER BY id"),
        ["2|1|seed", "3|2|seed", "1|1|untag"]
    );
    assert_eq!(foreign_rows(1), before);
    // Only tenant 1's nut (5) is under 8; tenant 2's spring (7) and tenant
    // 3's nut (6) would double widgets 2 and 3.
    assert_eq!(double_cheap(p, T1, 8).await.unwrap(), 1);
    assert_eq!(
        su("SELECT id, price FROM widgets WHERE tenant_id = 1 ORDER BY id"),
        ["1|10", "2|10", "3|50", "4|20"]
    );
    assert_eq!(
        restock_and_report(p, T1, 1).await.unwrap(),
        vec![(1, 101, s("bolt")), (3, 1, s("gear"))]
    );
    assert_eq!(foreign_rows(1), before);
}

#[tokio::test]
async fn insert_into_a_shared_table_reads_only_the_callers_rows() {
    let env = env().await;
    let before = foreign_rows(1);
    assert_eq!(
        currencies_from_widget_names(&env.pool, T1, 40)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        add_currency(&env.pool, T2, "CHF", "Franc").await.unwrap(),
        1
    );
    assert_eq!(
        su("SELECT code FROM currencies ORDER BY code"),
        ["CHF", "EUR", "GEAR", "JPY", "USD"]
    );
    assert_eq!(foreign_rows(1), before);
}

#[tokio::test]
async fn custom_tenant_column_writes() {
    let env = env().await;
    let p = &env.pool;
    let before = foreign_rows(1);
    assert_eq!(rename_project(p, 1, 1, "alpha-2").await.unwrap(), 1);
    assert_eq!(add_task(p, T1, 4, 2, "launch").await.unwrap(), 1);
    assert_eq!(
        su("SELECT 'p' || id || ' ' || title FROM projects WHERE org_id = 1 UNION ALL SELECT 't' || id || ' ' || title FROM tasks WHERE org_id = 1 ORDER BY 1"),
        ["p1 alpha-2", "p2 beta", "t1 design", "t2 build", "t3 ship", "t4 launch"]
    );
    assert_eq!(foreign_rows(1), before);
}

// ----- TenantId as a value ---------------------------------------------------

#[tokio::test]
async fn tenant_id_binds_to_bigint() {
    let env = env().await;
    let p = &env.pool;
    let (n,) = secure_query_as!(
        (i64,),
        "SELECT count(*) FROM widgets WHERE tenant_id = $1",
        T2
    )
    .fetch_one(p)
    .await
    .unwrap();
    assert_eq!(n, 3);
    secure_query!(
        "INSERT INTO audit (tenant_id, widget_id, action) VALUES ($1, NULL, 'bound')",
        T3
    )
    .execute(p)
    .await
    .unwrap();
    assert_eq!(
        su("SELECT tenant_id FROM audit WHERE action = 'bound'"),
        ["3"]
    );
    let big = TenantId::from_authenticated(i64::MAX);
    let (back,) = secure_query_as!((i64,), "SELECT $1::bigint", big)
        .fetch_one(p)
        .await
        .unwrap();
    assert_eq!(back, i64::MAX);
    assert_eq!(big.get(), i64::MAX);
    // Not silently narrowed into a 32-bit column.
    let e = checked(
        secure_query_as!((i32,), "SELECT $1::int4", T1)
            .fetch_one(p)
            .await
            .unwrap_err(),
    );
    assert_eq!(e.kind(), secure_pg::ErrorKind::Database, "{e:#}");
    assert!(format!("{e:#}").contains("int4"), "{e:#}");
}

// ----- row-level security: the second wall -----------------------------------

#[tenant_scoped]
async fn vault_secrets(db: &Transaction<'_>, tenant: TenantId) -> R<Vec<(i64, String)>> {
    secure_query_as!((i64, String), "SELECT id, secret FROM vault ORDER BY id")
        .fetch_all(db)
        .await
}

#[tenant_scoped]
async fn store_secret(db: &Transaction<'_>, tenant: TenantId, id: i64, secret: &str) -> R<u64> {
    secure_query!("INSERT INTO vault (id, secret) VALUES ($1, $2)", id, secret)
        .execute(db)
        .await
}

#[tokio::test]
async fn row_level_security_is_a_second_wall() {
    let _env = env().await;
    assert_eq!(
        su("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'vault'"),
        ["t|t"]
    );
    assert_eq!(
        su("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'app'"),
        ["f|f"]
    );
    assert_eq!(
        su("SELECT tableowner FROM pg_tables WHERE tablename = 'vault'"),
        ["app"]
    );
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&url()))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    // (a) Outside a tenant transaction the owner itself sees nothing and
    // can write nothing.
    let conn = pool.get().await.unwrap();
    let pid: i32 = conn
        .client()
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let rows = conn
        .client()
        .query("SELECT tenant_id, id, secret FROM vault", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 0);
    let e = conn
        .client()
        .execute(
            "INSERT INTO vault (tenant_id, id, secret) VALUES (1, 99, 'x')",
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(&SqlState::INSUFFICIENT_PRIVILEGE), "{e}");
    drop(conn);
    assert_eq!(su("SELECT count(*) FROM vault"), ["4"]);

    // (b) Inside a tenant transaction even an unscoped query sees only that
    // tenant's rows, and a scoped query for the wrong tenant sees nothing.
    let (seen, scoped_right, scoped_wrong, setting, pid_b) = pool
        .transaction_with(TransactionOptions::default().tenant(T1), |tx| {
            Box::pin(async move {
                let seen = secure_query_as!(
                    unscoped = "row-level security does the filtering here",
                    (i64, i64, String),
                    "SELECT tenant_id, id, secret FROM vault ORDER BY tenant_id, id"
                )
                .fetch_all(&*tx)
                .await?;
                let right = vault_secrets(tx, T1).await?;
                // A scoped statement for another tenant than the
                // transaction's is refused before anything is sent.
                let wrong = vault_secrets(tx, T2).await.unwrap_err();
                let (setting, pid) = secure_query_as!(
                    unscoped = "reads a setting",
                    (Option<String>, i32),
                    "SELECT current_setting('app.tenant_id', true), pg_backend_pid()"
                )
                .fetch_one(&*tx)
                .await?;
                Ok((seen, right, wrong, setting, pid))
            })
        })
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(seen, vec![(1, 1, s("t1-a")), (1, 2, s("t1-b"))]);
    assert_eq!(scoped_right, vec![(1, s("t1-a")), (2, s("t1-b"))]);
    assert_eq!(
        scoped_wrong.kind(),
        secure_pg::ErrorKind::TenantScope,
        "{scoped_wrong:#}"
    );
    assert!(
        format!("{scoped_wrong:#}").contains("set another tenant"),
        "{scoped_wrong:#}"
    );
    // `<token>:<id>`: the token ties the id to that transaction.
    assert!(
        setting.as_deref().unwrap_or("").ends_with(":1"),
        "{setting:?}"
    );
    assert_eq!(pid_b, pid, "max_size 1: the same connection");

    // A scoped write for the wrong tenant inside tenant 1's transaction is
    // refused before it is sent (the policy's WITH CHECK would stop it
    // too); the right tenant's write commits.
    let e = checked(
        pool.transaction_with(TransactionOptions::default().tenant(T1), |tx| {
            Box::pin(async move { store_secret(tx, T2, 5, "smuggled").await })
        })
        .await
        .unwrap_err(),
    );
    assert_eq!(e.kind(), secure_pg::ErrorKind::TenantScope, "{e:#}");
    let n = pool
        .transaction_with(TransactionOptions::default().tenant(T1), |tx| {
            Box::pin(async move { store_secret(tx, T1, 5, "kept").await })
        })
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        su("SELECT tenant_id, id, secret FROM vault ORDER BY tenant_id, id"),
        ["1|1|t1-a", "1|2|t1-b", "1|5|kept", "2|1|t2-a", "3|1|t3-a"]
    );

    // (c) The setting ended with the transaction: the next checkout of the
    // same connection (no DISCARD ALL in between: nothing marked it) has no
    // tenant and sees nothing again.
    let conn = pool.get().await.unwrap();
    let (setting, pid_c, visible) = secure_query_as!(
        unscoped = "checks that no tenant survived the transaction",
        (Option<String>, i32, i64),
        "SELECT current_setting('app.tenant_id', true), pg_backend_pid(), (SELECT count(*) FROM vault)"
    )
    .fetch_one(&conn)
    .await
    .unwrap();
    assert_eq!(pid_c, pid, "max_size 1: the same connection");
    assert!(
        setting.as_deref().unwrap_or("").is_empty(),
        "tenant setting leaked into the next checkout: {setting:?}"
    );
    assert_eq!(visible, 0);
}

// ----- the run-time tenant scope: helpers cannot run unscoped queries --------

/// Every row of every tenant table, as text, read by the superuser.
fn all_rows() -> Vec<String> {
    let mut rows = foreign_rows(1);
    rows.extend(foreign_rows(2));
    rows.sort();
    rows.dedup();
    rows
}

/// An unannotated helper: its queries are not rewritten.
async fn delete_every_widget(db: &Pool) -> R<u64> {
    secure_query!("DELETE FROM widgets").execute(db).await
}

/// An unannotated helper that reads across tenants.
async fn every_secret_name(db: &Pool) -> R<Vec<(i64, String)>> {
    secure_query_as!((i64, String), "SELECT tenant_id, name FROM widgets")
        .fetch_all(db)
        .await
}

#[tenant_scoped]
async fn clear_widgets_via_helper(db: &Pool, tenant: TenantId) -> R<u64> {
    let mine = secure_query_as!((i64,), "SELECT count(*) FROM widgets")
        .fetch_one(db)
        .await?;
    assert_eq!(mine, (4,), "the scoped query before the helper still runs");
    delete_every_widget(db).await
}

#[tenant_scoped]
async fn names_via_helper(db: &Pool, _tenant: TenantId) -> R<Vec<(i64, String)>> {
    every_secret_name(db).await
}

#[tenant_scoped]
async fn count_widgets(db: &Pool, tenant: TenantId) -> R<i64> {
    let (n,) = secure_query_as!((i64,), "SELECT count(*) FROM widgets")
        .fetch_one(db)
        .await?;
    Ok(n)
}

/// A scoped function calling another scoped function (with a different
/// tenant, even) and an explicit `unscoped` exception in a helper.
#[tenant_scoped]
async fn counts_via_scoped_helpers(db: &Pool, tenant: TenantId) -> R<(i64, i64, i64)> {
    let mine = count_widgets(db, tenant).await?;
    let other = count_widgets(db, T3).await?;
    let all = total_widgets_reviewed(db).await?;
    Ok((mine, other, all))
}

async fn total_widgets_reviewed(db: &Pool) -> R<i64> {
    let (n,) = secure_query_as!(
        unscoped = "reviewed: the total across tenants for the share",
        (i64,),
        "SELECT count(*) FROM widgets"
    )
    .fetch_one(db)
    .await?;
    Ok(n)
}

#[tokio::test]
async fn tenant_scope_refuses_unscoped_queries_from_helpers() {
    let env = env().await;
    let p = &env.pool;
    let before = all_rows();
    assert!(
        before.iter().any(|r| r.starts_with("widgets (1,")),
        "{before:?}"
    );

    let e = checked(clear_widgets_via_helper(p, T1).await.unwrap_err());
    assert_eq!(e.kind(), secure_pg::ErrorKind::TenantScope, "{e:#}");
    assert_eq!(
        e.to_string(),
        "a database query was refused because it was not restricted to the current tenant"
    );
    let detail = format!("{e:#}");
    assert!(detail.contains("`clear_widgets_via_helper`"), "{detail}");
    assert!(detail.contains("DELETE FROM widgets"), "{detail}");

    let e = checked(names_via_helper(p, T2).await.unwrap_err());
    assert_eq!(e.kind(), secure_pg::ErrorKind::TenantScope, "{e:#}");

    // Nothing of any tenant was read or written.
    assert_eq!(all_rows(), before);
    assert_eq!(su("SELECT count(*) FROM widgets"), ["10"]);

    // The same helpers outside a scope run as they always did (here only
    // the read, to keep the seed).
    assert_eq!(every_secret_name(p).await.unwrap().len(), 10);

    // Scoped functions calling scoped functions, and a reviewed `unscoped`
    // query in a helper, still work inside the scope.
    assert_eq!(counts_via_scoped_helpers(p, T1).await.unwrap(), (4, 3, 10));

    // Documented limit: work moved to another task leaves the scope, so
    // the helper's unscoped read runs there (the compile-time checks and
    // row-level security are what remain for such code).
    assert_eq!(names_in_spawned_task(p, T1).await.unwrap(), 10);
    assert_eq!(all_rows(), before);
}

#[tenant_scoped]
async fn names_in_spawned_task(db: &Pool, _tenant: TenantId) -> R<usize> {
    let pool = db.clone();
    let task = tokio::spawn(async move { every_secret_name(&pool).await });
    Ok(task.await.expect("the task ran")?.len())
}

// ----- row-level security is bound to the transaction ------------------------

/// Rows of `vault` visible to `client` right now, and the number of rows an
/// unscoped `UPDATE` and `DELETE` could touch (both rolled back).
async fn vault_reach(client: &secure_pg::tokio_postgres::Client) -> (i64, u64, u64) {
    let seen: i64 = client
        .query_one("SELECT count(*) FROM vault", &[])
        .await
        .unwrap()
        .get(0);
    client.batch_execute("BEGIN").await.unwrap();
    let updated = client
        .execute("UPDATE vault SET secret = 'overwritten'", &[])
        .await
        .unwrap();
    let deleted = client.execute("DELETE FROM vault", &[]).await.unwrap();
    client.batch_execute("ROLLBACK").await.unwrap();
    (seen, updated, deleted)
}

async fn insert_refused(client: &secure_pg::tokio_postgres::Client, tenant: i64) {
    let e = client
        .execute(
            "INSERT INTO vault (tenant_id, id, secret) VALUES ($1, 77, 'planted')",
            &[&tenant],
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        Some(&SqlState::INSUFFICIENT_PRIVILEGE),
        "WITH CHECK let a row for tenant {tenant} in: {e}"
    );
}

/// The tenant setting a tenant transaction for `tenant` makes, read inside it.
async fn setting_inside_a_tenant_transaction(pool: &Pool, tenant: TenantId) -> (String, i64) {
    pool.transaction_with(TransactionOptions::default().tenant(tenant), |tx| {
        Box::pin(async move {
            let (v, seen) = secure_query_as!(
                unscoped = "reads the setting and what RLS shows",
                (String, i64),
                "SELECT current_setting('app.tenant_id'), (SELECT count(*) FROM vault)"
            )
            .fetch_one(&*tx)
            .await?;
            Ok((v, seen))
        })
    })
    .await
    .unwrap_or_else(|e| panic!("{e:#}"))
}

#[tokio::test]
async fn row_level_security_accepts_only_the_current_transactions_tenant() {
    let _env = env().await;
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&url()))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    // (a) Inside a tenant transaction RLS shows that tenant's rows, and the
    // setting carries the transaction's token before the id.
    let (copied, seen) = setting_inside_a_tenant_transaction(&pool, T1).await;
    assert_eq!(seen, 2, "tenant 1 has two vault rows");
    let (token, id) = copied.split_once(':').expect("<token>:<id>");
    assert_eq!(id, "1");
    assert!(token.contains('.'), "pid.microseconds: {copied}");
    // Evaluated once per statement (an init plan), not once per row.
    let conn = pool.get().await.unwrap();
    let plan: Vec<String> = conn
        .client()
        .query("EXPLAIN SELECT * FROM vault", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        plan.iter().any(|l| l.contains("InitPlan")),
        "the policy's function is not an init plan: {plan:?}"
    );
    drop(conn);

    // (b) The attack: a tenant set on the session, here through a SQL
    // function, as any ordinary query could call. Nothing is visible,
    // nothing can be changed or planted, with or without a transaction.
    su(
        "CREATE OR REPLACE FUNCTION public.pick_tenant(t text) RETURNS text \
        LANGUAGE sql AS $$ SELECT set_config('app.tenant_id', t, false) $$",
    );
    let conn = pool.get().await.unwrap();
    let c = conn.client();
    for planted in ["1", copied.as_str()] {
        // (c) `copied` is a value from an earlier transaction of this very
        // backend (same pid, an older start time).
        let v: String = c
            .query_one("SELECT public.pick_tenant($1)", &[&planted])
            .await
            .unwrap()
            .get(0);
        assert_eq!(v, planted);
        let still: String = c
            .query_one("SELECT current_setting('app.tenant_id')", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(still, planted, "the session really holds the value");
        assert_eq!(vault_reach(c).await, (0, 0, 0), "planted {planted:?}");
        // (d) WITH CHECK follows the same rule.
        insert_refused(c, 1).await;
        // Inside a later transaction (not a tenant one) as well.
        c.batch_execute("BEGIN").await.unwrap();
        let n: i64 = c
            .query_one("SELECT count(*) FROM vault", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 0, "planted {planted:?}, in a later transaction");
        insert_refused(c, 1).await;
        c.batch_execute("ROLLBACK").await.unwrap();
    }
    // Even a value copied inside the transaction that made it stops
    // matching once that transaction is over.
    c.batch_execute(&format!(
        "BEGIN; SELECT set_config('app.tenant_id', {} || ':1', true); \
         SELECT set_config('app.tenant_id', current_setting('app.tenant_id'), false); COMMIT",
        "pg_catalog.pg_backend_pid()::text || '.' || \
         (EXTRACT(epoch FROM pg_catalog.transaction_timestamp()) * 1000000)::bigint::text"
    ))
    .await
    .unwrap();
    assert_eq!(vault_reach(c).await, (0, 0, 0));
    drop(conn);

    // A tenant transaction overrides a leftover session value in both
    // directions: it sees its own tenant, and writes only its own.
    let conn = pool.get().await.unwrap();
    conn.client()
        .batch_execute("SELECT set_config('app.tenant_id', '1', false)")
        .await
        .unwrap();
    drop(conn);
    let (_, seen) = setting_inside_a_tenant_transaction(&pool, T2).await;
    assert_eq!(seen, 1, "tenant 2 has one vault row");
    let e = checked(
        pool.transaction_with(TransactionOptions::default().tenant(T2), |tx| {
            Box::pin(async move { store_secret(tx, T1, 6, "smuggled").await })
        })
        .await
        .unwrap_err(),
    );
    // Refused before it is sent: the transaction is tenant 2's.
    assert_eq!(e.kind(), secure_pg::ErrorKind::TenantScope, "{e:#}");
    assert_eq!(
        su("SELECT tenant_id, id, secret FROM vault ORDER BY tenant_id, id"),
        ["1|1|t1-a", "1|2|t1-b", "2|1|t2-a", "3|1|t3-a"],
        "nothing was changed or planted"
    );
    su("DROP FUNCTION public.pick_tenant(text)");
}

// ----- names compare as PostgreSQL compares them ------------------------------
//
// Each table below is a tenant table whose name only *resembles* an exempt
// table or a CTE: after Rust's Unicode case folding (U+212A KELVIN SIGN is
// `k` to Rust, not to PostgreSQL), after ignoring quotes, or after
// ignoring the schema. The rewriter used to treat `\u{212A}ITS` as the CTE
// `kits` (Rust's `to_lowercase`), `RATES` as the exempt `"Rates"` and
// `other.currencies` as the exempt `currencies` (case-insensitive, last
// name part only), and returned every tenant's rows; now they are scoped.
// The Kelvin table beside an exempt `kits` is a guard for the same rule.

/// `\u{212A}its` with U+212A: PostgreSQL folds only ASCII, so unquoted `\u{212A}ITS`
/// is the table `\u{212A}its`, not `kits`.
const NAMES_SCHEMA: &str = "
SET ROLE app;
DROP TABLE IF EXISTS kits, \"\u{212A}its\", \"Rates\", rates, other.currencies;
CREATE SCHEMA IF NOT EXISTS other;
CREATE TABLE kits (name text NOT NULL);
CREATE TABLE \"\u{212A}its\" (tenant_id bigint NOT NULL, name text NOT NULL);
CREATE TABLE \"Rates\" (code text NOT NULL);
CREATE TABLE rates (tenant_id bigint NOT NULL, code text NOT NULL);
CREATE TABLE other.currencies (tenant_id bigint NOT NULL, code text NOT NULL);
INSERT INTO kits VALUES ('shared');
INSERT INTO \"\u{212A}its\" VALUES (1, 'k1'), (2, 'k2'), (3, 'k3');
INSERT INTO \"Rates\" VALUES ('shared');
INSERT INTO rates VALUES (1, 'r1'), (2, 'r2');
INSERT INTO other.currencies VALUES (1, 'o1'), (2, 'o2'), (3, 'o3');
";

#[tenant_scoped(exempt = [kits])]
async fn kelvin_table(pool: &Pool, tenant: TenantId) -> R<Vec<(String,)>> {
    secure_query_as!((String,), "SELECT name FROM \u{212A}ITS ORDER BY name")
        .fetch_all(pool)
        .await
}

#[tenant_scoped]
async fn kelvin_table_beside_a_cte(pool: &Pool, tenant: TenantId) -> R<Vec<(String,)>> {
    secure_query_as!(
        (String,),
        "WITH kits AS (SELECT 'cte'::text AS name) SELECT name FROM \u{212A}ITS ORDER BY name"
    )
    .fetch_all(pool)
    .await
}

#[tenant_scoped(exempt = ["Rates"])]
async fn unquoted_rates(pool: &Pool, tenant: TenantId) -> R<Vec<(String,)>> {
    secure_query_as!((String,), "SELECT code FROM RATES ORDER BY code")
        .fetch_all(pool)
        .await
}

#[tenant_scoped(exempt = ["Rates"])]
async fn quoted_rates(pool: &Pool, _tenant: TenantId) -> R<Vec<(String,)>> {
    secure_query_as!((String,), "SELECT code FROM \"Rates\" ORDER BY code")
        .fetch_all(pool)
        .await
}

#[tenant_scoped(exempt = [currencies])]
async fn currencies_in_another_schema(pool: &Pool, tenant: TenantId) -> R<Vec<(String,)>> {
    secure_query_as!((String,), "SELECT code FROM other.currencies ORDER BY code")
        .fetch_all(pool)
        .await
}

#[tenant_scoped(exempt = [other.currencies])]
async fn qualified_exempt_entry(pool: &Pool, _tenant: TenantId) -> R<Vec<(String,)>> {
    secure_query_as!((String,), "SELECT code FROM other.currencies ORDER BY code")
        .fetch_all(pool)
        .await
}

#[tokio::test]
async fn names_that_only_resemble_exempt_tables_or_ctes_are_scoped() {
    let env = env().await;
    let p = &env.pool;
    su(NAMES_SCHEMA);
    // The referee: PostgreSQL sees distinct tables.
    assert_eq!(su("SELECT count(*) FROM \u{212A}ITS"), ["3"]);
    assert_eq!(su("SELECT count(*) FROM kits"), ["1"]);

    assert_eq!(kelvin_table(p, T2).await.unwrap(), vec![(s("k2"),)]);
    assert_eq!(
        kelvin_table_beside_a_cte(p, T3).await.unwrap(),
        vec![(s("k3"),)]
    );
    assert_eq!(unquoted_rates(p, T1).await.unwrap(), vec![(s("r1"),)]);
    // The quoted name is exactly the exempt entry: shared, not filtered.
    assert_eq!(quoted_rates(p, T1).await.unwrap(), vec![(s("shared"),)]);
    assert_eq!(
        currencies_in_another_schema(p, T2).await.unwrap(),
        vec![(s("o2"),)]
    );
    // A qualified entry exempts exactly that table.
    assert_eq!(
        qualified_exempt_entry(p, T2).await.unwrap(),
        vec![(s("o1"),), (s("o2"),), (s("o3"),)]
    );
}

// ----- the tenant cannot be rebound ------------------------------------------

/// Binds `$name` to `$value` where it is called: a macro the attribute lets
/// through (it runs no query), which shadows the tenant parameter out of the
/// attribute's sight. This is what the hygienic capture is for.
macro_rules! rebind {
    ($name:ident, $value:expr) => {
        let $name = $value;
    };
}

#[tenant_scoped(allow_macros = [rebind])]
async fn widgets_after_rebinding(
    db: &Pool,
    #[tenant] tenant: TenantId,
    other: TenantId,
) -> R<(i64, Vec<(i64, String)>)> {
    rebind!(tenant, other);
    let seen = tenant.get();
    let rows = secure_query_as!((i64, String), "SELECT id, name FROM widgets ORDER BY id")
        .fetch_all(db)
        .await?;
    Ok((seen, rows))
}

#[tenant_scoped(allow_macros = [rebind])]
async fn delete_widgets_after_rebinding(
    db: &Pool,
    #[tenant] tenant: TenantId,
    other: TenantId,
) -> R<u64> {
    rebind!(tenant, other);
    let _ = tenant;
    secure_query!("DELETE FROM widgets").execute(db).await
}

/// The bypass from the issue: a binding the attribute cannot see shadows the
/// tenant parameter. The queries still run for the caller's tenant, captured
/// at entry (the body's `tenant` really is the other one, as `seen` shows).
#[tokio::test]
async fn rebinding_by_a_macro_keeps_the_callers_tenant() {
    let env = env().await;
    let p = &env.pool;
    let (seen, rows) = widgets_after_rebinding(p, T1, T2).await.unwrap();
    assert_eq!(seen, 2, "the macro did rebind `tenant` in the body");
    assert_eq!(
        rows,
        vec![(1, s("bolt")), (2, s("nut")), (3, s("gear")), (4, s("cog"))],
        "tenant 1's widgets, not tenant 2's"
    );
    let others = foreign_rows(3);
    assert_eq!(delete_widgets_after_rebinding(p, T3, T2).await.unwrap(), 3);
    assert_eq!(foreign_rows(3), others, "no row of another tenant changed");
    assert_eq!(all_widgets(p, T2).await.unwrap().len(), 3);
    assert_eq!(all_widgets(p, T3).await.unwrap(), vec![]);
}

// ----- row-level security with scoped functions, without a transaction ------

#[tenant_scoped]
async fn vault_rows<'e, E: secure_pg::Executor<'e>>(
    db: E,
    tenant: TenantId,
) -> R<Vec<(i64, i64, String)>> {
    secure_query_as!(
        (i64, i64, String),
        "SELECT tenant_id, id, secret FROM vault ORDER BY id"
    )
    .fetch_all(db)
    .await
}

#[tenant_scoped]
async fn vault_insert<'e, E: secure_pg::Executor<'e>>(
    db: E,
    tenant: TenantId,
    id: i64,
    secret: &str,
) -> R<u64> {
    secure_query!("INSERT INTO vault (id, secret) VALUES ($1, $2)", id, secret)
        .execute(db)
        .await
}

#[tenant_scoped]
async fn vault_update<'e, E: secure_pg::Executor<'e>>(
    db: E,
    tenant: TenantId,
    secret: &str,
) -> R<u64> {
    secure_query!("UPDATE vault SET secret = $1", secret)
        .execute(db)
        .await
}

#[tenant_scoped]
async fn vault_delete<'e, E: secure_pg::Executor<'e>>(db: E, tenant: TenantId, id: i64) -> R<u64> {
    secure_query!("DELETE FROM vault WHERE id = $1", id)
        .execute(db)
        .await
}

#[tenant_scoped]
async fn vault_count<'e, E: secure_pg::Executor<'e>>(db: E, tenant: TenantId) -> R<i64> {
    let (n,) = secure_query_as!((i64,), "SELECT count(*) FROM vault")
        .fetch_one(db)
        .await?;
    Ok(n)
}

fn vault() -> Vec<String> {
    su("SELECT tenant_id, id, secret FROM vault ORDER BY tenant_id, id")
}

/// With the policies on, a scoped function's statements on `&Pool` (which
/// multiplexes by default) and on a checked-out connection run in a tenant
/// transaction of their own: they see and change exactly the caller's
/// rows. Before, they saw no rows and their inserts were refused.
#[tokio::test]
async fn row_level_security_works_with_scoped_functions_on_a_pool_and_a_connection() {
    let env = env().await;
    let p = &env.pool;
    assert_eq!(vault(), ["1|1|t1-a", "1|2|t1-b", "2|1|t2-a", "3|1|t3-a"]);
    // Reads.
    assert_eq!(
        vault_rows(p, T1).await.unwrap(),
        vec![(1, 1, s("t1-a")), (1, 2, s("t1-b"))]
    );
    assert_eq!(vault_rows(p, T2).await.unwrap(), vec![(2, 1, s("t2-a"))]);
    assert_eq!(vault_count(p, T3).await.unwrap(), 1);
    assert_eq!(
        vault_count(p, TenantId::from_authenticated(9))
            .await
            .unwrap(),
        0
    );
    // Writes, each touching the caller's rows only.
    assert_eq!(vault_insert(p, T2, 2, "t2-b").await.unwrap(), 1);
    assert_eq!(vault_update(p, T1, "t1-new").await.unwrap(), 2);
    assert_eq!(vault_delete(p, T3, 1).await.unwrap(), 1);
    assert_eq!(
        vault(),
        ["1|1|t1-new", "1|2|t1-new", "2|1|t2-a", "2|2|t2-b"]
    );

    // The same on a connection checked out by hand, twice in a row (the
    // transaction of each statement ends with it).
    let conn = p.get().await.unwrap();
    assert_eq!(vault_count(&conn, T2).await.unwrap(), 2);
    assert_eq!(vault_delete(&conn, T2, 2).await.unwrap(), 1);
    assert_eq!(vault_count(&conn, T2).await.unwrap(), 1);
    assert_eq!(vault_count(&conn, T1).await.unwrap(), 2);
    // No tenant stays on the connection: an unscoped statement sees none.
    let (visible, setting) = secure_query_as!(
        unscoped = "checks that no tenant outlived the scoped statements",
        (i64, Option<String>),
        "SELECT (SELECT count(*) FROM vault), current_setting('app.tenant_id', true)"
    )
    .fetch_one(&conn)
    .await
    .unwrap();
    assert_eq!(visible, 0, "an unscoped statement sees no tenant's rows");
    assert!(setting.unwrap_or_default().is_empty());
    drop(conn);

    // A failing statement ends its transaction (the COMMIT answers as a
    // ROLLBACK) and leaves the connection usable.
    let e = vault_insert(p, T1, 1, "duplicate").await.unwrap_err();
    assert_eq!(e.kind(), secure_pg::ErrorKind::UniqueViolation, "{e:#}");
    assert_eq!(vault_count(p, T1).await.unwrap(), 2);
    assert_eq!(vault(), ["1|1|t1-new", "1|2|t1-new", "2|1|t2-a"]);
}

/// In a transaction begun without a tenant, the first scoped statement sets
/// its tenant (in the same round trip) for the rest of the transaction; one
/// for another tenant is then refused.
#[tokio::test]
async fn a_scoped_statement_sets_the_tenant_of_a_plain_transaction() {
    let env = env().await;
    let p = &env.pool;
    let (mine, count_after, other) = p
        .transaction(|tx| {
            Box::pin(async move {
                let mine = vault_rows(&*tx, T1).await?;
                let (n,) = secure_query_as!(
                    unscoped = "row-level security filters by the transaction's tenant",
                    (i64,),
                    "SELECT count(*) FROM vault"
                )
                .fetch_one(&*tx)
                .await?;
                let other = vault_rows(&*tx, T2).await.unwrap_err();
                Ok((mine, n, other))
            })
        })
        .await
        .unwrap();
    assert_eq!(mine, vec![(1, 1, s("t1-a")), (1, 2, s("t1-b"))]);
    assert_eq!(
        count_after, 2,
        "the tenant holds for the rest of the transaction"
    );
    assert_eq!(other.kind(), secure_pg::ErrorKind::TenantScope, "{other:#}");
}

/// Without a statement cache (PgBouncer mode) the tenant transaction goes as
/// simple queries around the unnamed statement, with the same result.
#[tokio::test]
async fn row_level_security_with_scoped_functions_without_a_statement_cache() {
    let _env = env().await;
    let pool = Pool::builder()
        .max_size(2)
        .statement_cache(false)
        .build(config(&url()))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let p = &pool;
    assert_eq!(
        vault_rows(p, T1).await.unwrap(),
        vec![(1, 1, s("t1-a")), (1, 2, s("t1-b"))]
    );
    assert_eq!(vault_insert(p, T3, 2, "t3-b").await.unwrap(), 1);
    assert_eq!(vault_count(p, T3).await.unwrap(), 2);
    let conn = p.get().await.unwrap();
    assert_eq!(vault_delete(&conn, T3, 2).await.unwrap(), 1);
    drop(conn);
    let (mine, other) = p
        .transaction(|tx| {
            Box::pin(async move {
                let mine = vault_count(&*tx, T2).await?;
                let other = vault_count(&*tx, T1).await.unwrap_err();
                Ok((mine, other))
            })
        })
        .await
        .unwrap();
    assert_eq!(mine, 1);
    assert_eq!(other.kind(), secure_pg::ErrorKind::TenantScope, "{other:#}");
    assert_eq!(vault(), ["1|1|t1-a", "1|2|t1-b", "2|1|t2-a", "3|1|t3-a"]);
}

/// Scoped statements on `&Pool` share connections with everyone else's:
/// each runs in a tenant transaction of its own whose `BEGIN`, setting,
/// statement and `COMMIT` reach the server with nothing between them. The
/// probe mixes, on a pool of two that multiplexes, concurrent scoped reads
/// for three tenants, scoped inserts that fail (each aborts its
/// transaction until its `COMMIT`) and unscoped statements that report
/// what row-level security shows them and the tenant setting they run
/// under. An unscoped statement that landed inside someone's tenant
/// transaction would see that tenant's rows or its setting; one that landed
/// inside an aborted one would fail with `25P02`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scoped_statements_share_connections_and_nothing_lands_inside_their_transactions() {
    let env = env().await;
    let before = env.pool.state().multiplexed;
    let expected = |t: i64| match t {
        1 => vec![(1, 1, s("t1-a")), (1, 2, s("t1-b"))],
        2 => vec![(2, 1, s("t2-a"))],
        _ => vec![(3, 1, s("t3-a"))],
    };
    // Spawned, so that the callers' polls run on several threads at once.
    let task = |i: i64| {
        let pool = env.pool.clone();
        async move {
            let p = &pool;
            for round in 0..60_i64 {
                let t = (i + round) % 3 + 1;
                let tenant = TenantId::from_authenticated(t);
                match (i + round) % 4 {
                    0 | 1 => assert_eq!(vault_rows(p, tenant).await.unwrap(), expected(t)),
                    2 => {
                        let e = vault_insert(p, tenant, 1, "duplicate").await.unwrap_err();
                        assert_eq!(e.kind(), secure_pg::ErrorKind::UniqueViolation, "{e:#}");
                    }
                    _ => {
                        let (visible, setting) = secure_query_as!(
                        unscoped = "reports what it sees between tenant transactions",
                        (i64, Option<String>),
                        "SELECT (SELECT count(*) FROM vault), current_setting('app.tenant_id', true)"
                    )
                    .fetch_one(p)
                    .await
                    .unwrap_or_else(|e| panic!("an unscoped statement failed: {e:#}"));
                        assert_eq!(visible, 0, "an unscoped statement saw a tenant's rows");
                        assert!(
                            setting.unwrap_or_default().is_empty(),
                            "an unscoped statement ran under a tenant setting"
                        );
                    }
                }
            }
        }
    };
    let tasks: Vec<_> = (0..12).map(|i| tokio::spawn(task(i))).collect();
    for t in tasks {
        t.await.expect("a caller panicked");
    }
    let shared = env.pool.state().multiplexed - before;
    assert!(
        shared > 400,
        "most of the 720 statements ran on shared connections: {shared}"
    );
    assert_eq!(vault(), ["1|1|t1-a", "1|2|t1-b", "2|1|t2-a", "3|1|t3-a"]);
}

/// Several scoped statements in flight at once on one checked-out
/// connection (a `join` over `&conn`), for different tenants, with reads,
/// failing inserts and unscoped statements between them: each tenant
/// transaction is its own, none sees another's setting, and nothing else
/// lands inside one.
#[tokio::test]
async fn concurrent_scoped_statements_on_one_connection_keep_their_own_tenants() {
    let env = env().await;
    let conn = env.pool.get().await.unwrap();
    let c = &conn;
    let one = |i: i64| async move {
        let t = i % 3 + 1;
        let tenant = TenantId::from_authenticated(t);
        match i % 4 {
            0 | 1 => {
                let rows = vault_rows(c, tenant).await.unwrap();
                assert!(
                    !rows.is_empty() && rows.iter().all(|r| r.0 == t),
                    "statement {i} for tenant {t} read {rows:?}"
                );
            }
            2 => {
                let e = vault_insert(c, tenant, 1, "duplicate").await.unwrap_err();
                assert_eq!(e.kind(), secure_pg::ErrorKind::UniqueViolation, "{e:#}");
            }
            _ => {
                let (visible,) = secure_query_as!(
                    unscoped = "reports what it sees between tenant transactions",
                    (i64,),
                    "SELECT count(*) FROM vault"
                )
                .fetch_one(c)
                .await
                .unwrap_or_else(|e| panic!("an unscoped statement failed: {e:#}"));
                assert_eq!(visible, 0, "an unscoped statement saw a tenant's rows");
            }
        }
    };
    futures_util::future::join_all((0..48).map(one)).await;
    assert_eq!(vault(), ["1|1|t1-a", "1|2|t1-b", "2|1|t2-a", "3|1|t3-a"]);
}
