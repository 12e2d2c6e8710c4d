//! Dynamic queries against a real server: every variant of one call runs,
//! and returns exactly the rows a filter written in Rust picks from the
//! same data (the oracle), for every combination of the parts.

use secure_pg::{secure_query, secure_query_as, ErrorKind, FromRow, Pool};
use secure_pg_tests::{shared, ClusterSpec, ServerCert};

use crate::support::config;

#[derive(Debug, FromRow, PartialEq, Clone)]
struct Order {
    id: i64,
    status: String,
    amount: i64,
}

#[derive(Debug, Clone, Copy)]
enum Sort {
    Id,
    Amount,
}

#[derive(Debug, Clone, Copy)]
enum Dir {
    Asc,
    Desc,
}

async fn pool() -> Pool {
    let c = shared(ClusterSpec::tls(ServerCert::Valid));
    Pool::builder()
        .max_size(4)
        .build(config(&c.url()))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"))
}

fn data() -> Vec<Order> {
    (1..=40)
        .map(|id| Order {
            id,
            status: ["open", "paid", "void"][(id % 3) as usize].to_string(),
            amount: (id * 37) % 101,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn search(
    pool: &Pool,
    customer_min: i64,
    status: Option<&str>,
    min_amount: Option<i64>,
    include_void: bool,
    sort: Sort,
    dir: Dir,
    limit: Option<i64>,
) -> Result<Vec<Order>, secure_pg::Error> {
    secure_query_as!(
        Order,
        "SELECT id, status, amount FROM dyn_orders WHERE id >= $1", customer_min;
        if status => "AND status = $1";
        if min_amount => "AND amount >= $1";
        if !include_void => "AND status <> 'void'";
        match sort { Sort::Id => "ORDER BY id", Sort::Amount => "ORDER BY amount, id" };
        match dir { Dir::Asc => "ASC", Dir::Desc => "DESC" };
        if limit => "LIMIT $1";
    )
    .fetch_all(pool)
    .await
}

#[tokio::test]
async fn every_variant_returns_what_the_oracle_picks() {
    let pool = pool().await;
    let conn = pool.get().await.unwrap();
    conn.client()
        .batch_execute(
            "DROP TABLE IF EXISTS dyn_orders; \
             CREATE TABLE dyn_orders (id bigint PRIMARY KEY, status text NOT NULL, amount bigint NOT NULL)",
        )
        .await
        .unwrap();
    drop(conn);
    for o in data() {
        secure_query!(
            "INSERT INTO dyn_orders (id, status, amount) VALUES ($1, $2, $3)",
            o.id,
            o.status,
            o.amount
        )
        .execute(&pool)
        .await
        .unwrap();
    }
    let mut variants = 0;
    for status in [None, Some("open"), Some("void")] {
        for min_amount in [None, Some(50_i64)] {
            for include_void in [false, true] {
                for sort in [Sort::Id, Sort::Amount] {
                    for dir in [Dir::Asc, Dir::Desc] {
                        for limit in [None, Some(3_i64)] {
                            let got = search(
                                &pool,
                                5,
                                status,
                                min_amount,
                                include_void,
                                sort,
                                dir,
                                limit,
                            )
                            .await
                            .unwrap_or_else(|e| panic!("{e:#}"));
                            let mut want: Vec<Order> = data()
                                .into_iter()
                                .filter(|o| o.id >= 5)
                                .filter(|o| status.is_none_or(|s| o.status == s))
                                .filter(|o| min_amount.is_none_or(|m| o.amount >= m))
                                .filter(|o| include_void || o.status != "void")
                                .collect();
                            match sort {
                                Sort::Id => want.sort_by_key(|o| o.id),
                                Sort::Amount => want.sort_by_key(|o| (o.amount, o.id)),
                            }
                            if matches!(dir, Dir::Desc) {
                                // `DESC` applies to the last sort key only.
                                match sort {
                                    Sort::Id => want.reverse(),
                                    Sort::Amount => {
                                        want.sort_by_key(|o| (o.amount, std::cmp::Reverse(o.id)))
                                    }
                                }
                            }
                            if let Some(n) = limit {
                                want.truncate(n as usize);
                            }
                            assert_eq!(
                                got, want,
                                "status {status:?}, min {min_amount:?}, void {include_void}, \
                                 {sort:?} {dir:?}, limit {limit:?}"
                            );
                            variants += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(variants, 96);
}

#[tokio::test]
async fn a_dynamic_query_runs_on_a_transaction_and_a_connection() {
    let pool = pool().await;
    let status: Option<String> = Some("x".into());
    let mut conn = pool.get().await.unwrap();
    let n: (i64,) = secure_query_as!(
        (i64,),
        "SELECT count(*) FROM (VALUES ('x'), ('y'), ('x')) AS v(s) WHERE true";
        if status => "AND s = $1";
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(n.0, 2);
    // Copy, so that the retried transaction closure can use it each time.
    let none: Option<&'static str> = None;
    let all = pool
        .transaction(|tx| {
            Box::pin(async move {
                secure_query_as!(
                    (i64,),
                    "SELECT count(*) FROM (VALUES ('x'), ('y'), ('x')) AS v(s) WHERE true";
                    if none => "AND s = $1";
                )
                .fetch_one(&mut *tx)
                .await
            })
        })
        .await
        .unwrap();
    assert_eq!(all.0, 3);
}

#[tokio::test]
async fn a_value_of_the_wrong_type_is_the_servers_error_not_a_panic() {
    // Without a schema the value is bound unchecked: the server refuses
    // the type, and the error says so without the value.
    let pool = pool().await;
    let min: Option<&str> = Some("not a number");
    let err = secure_query_as!(
        (i64,),
        "SELECT 1::bigint AS one WHERE true";
        if min => "AND 2 > $1::bigint";
    )
    .fetch_one(&pool)
    .await
    .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidInput | ErrorKind::Database),
        "{err:#}"
    );
    assert!(!err.to_string().contains("not a number"), "{err}");
}

// ----- inside #[tenant_scoped] -------------------------------------------

/// Tenant `t`'s rows: the same ids in every tenant, other statuses and
/// amounts.
fn tenant_data(t: i64) -> Vec<Order> {
    (1..=30)
        .map(|id| Order {
            id,
            status: ["open", "paid", "void"][((id + t) % 3) as usize].to_string(),
            amount: (id * 37 + t * 11) % 101,
        })
        .collect()
}

#[secure_pg::tenant_scoped]
async fn tenant_search(
    pool: &Pool,
    tenant: secure_pg::TenantId,
    status: Option<&str>,
    min_amount: Option<i64>,
    sort: Sort,
    dir: Dir,
    limit: Option<i64>,
) -> Result<Vec<Order>, secure_pg::Error> {
    secure_query_as!(
        Order,
        "SELECT id, status, amount FROM dyn_tenant_orders WHERE amount >= 0";
        if status => "AND status = $1";
        if min_amount => "AND amount >= $1";
        match sort { Sort::Id => "ORDER BY id", Sort::Amount => "ORDER BY amount, id" };
        match dir { Dir::Asc => "ASC", Dir::Desc => "DESC" };
        if limit => "LIMIT $1";
    )
    .fetch_all(pool)
    .await
}

/// [`tenant_search`] on a copy of the table without row-level security:
/// the attribute's rewrite of every variant alone keeps tenants apart.
#[secure_pg::tenant_scoped]
async fn tenant_search_first_wall(
    pool: &Pool,
    tenant: secure_pg::TenantId,
    status: Option<&str>,
    min_amount: Option<i64>,
    sort: Sort,
    dir: Dir,
    limit: Option<i64>,
) -> Result<Vec<Order>, secure_pg::Error> {
    secure_query_as!(
        Order,
        "SELECT id, status, amount FROM dyn_tenant_orders_plain WHERE amount >= 0";
        if status => "AND status = $1";
        if min_amount => "AND amount >= $1";
        match sort { Sort::Id => "ORDER BY id", Sort::Amount => "ORDER BY amount, id" };
        match dir { Dir::Asc => "ASC", Dir::Desc => "DESC" };
        if limit => "LIMIT $1";
    )
    .fetch_all(pool)
    .await
}

/// Every variant of a dynamic query in a `#[tenant_scoped]` function, for
/// each of three tenants whose ids collide, returns exactly what the Rust
/// oracle picks from the caller's rows alone. The table has row-level
/// security (`FORCE`, owned by the role): a variant that reached the
/// server without the tenant (or without telling row-level security)
/// would read nothing; on the copy without it, another tenant's rows.
#[tokio::test]
async fn every_scoped_variant_returns_the_callers_rows_only() {
    let pool = pool().await;
    let conn = pool.get().await.unwrap();
    let rls = secure_pg::row_level_security_sql("dyn_tenant_orders", "tenant_id")
        .expect("valid names")
        .join("; ");
    conn.client()
        .batch_execute(
            "DROP TABLE IF EXISTS dyn_tenant_orders; \
             CREATE TABLE dyn_tenant_orders (tenant_id bigint NOT NULL, id bigint NOT NULL, \
                 status text NOT NULL, amount bigint NOT NULL, PRIMARY KEY (tenant_id, id))",
        )
        .await
        .unwrap();
    for t in 1..=3_i64 {
        for o in tenant_data(t) {
            secure_pg::secure_query!(
                unscoped = "test setup: seeds every tenant",
                "INSERT INTO dyn_tenant_orders (tenant_id, id, status, amount) VALUES ($1, $2, $3, $4)",
                t,
                o.id,
                o.status,
                o.amount
            )
            .execute(&conn)
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        }
    }
    // The second wall goes up after the seed, on one of two copies.
    conn.client()
        .batch_execute(
            "DROP TABLE IF EXISTS dyn_tenant_orders_plain; \
             CREATE TABLE dyn_tenant_orders_plain AS SELECT * FROM dyn_tenant_orders",
        )
        .await
        .unwrap();
    conn.client().batch_execute(&rls).await.unwrap();
    drop(conn);
    let mut variants = 0;
    for t in 1..=3_i64 {
        let tenant = secure_pg::TenantId::from_authenticated(t);
        for status in [None, Some("open")] {
            for min_amount in [None, Some(50_i64)] {
                for sort in [Sort::Id, Sort::Amount] {
                    for dir in [Dir::Asc, Dir::Desc] {
                        for limit in [None, Some(3_i64)] {
                            let got =
                                tenant_search(&pool, tenant, status, min_amount, sort, dir, limit)
                                    .await
                                    .unwrap_or_else(|e| panic!("{e:#}"));
                            let first_wall = tenant_search_first_wall(
                                &pool, tenant, status, min_amount, sort, dir, limit,
                            )
                            .await
                            .unwrap_or_else(|e| panic!("{e:#}"));
                            assert_eq!(got, first_wall, "the rewrite alone gives the same rows");
                            let mut want: Vec<Order> = tenant_data(t)
                                .into_iter()
                                .filter(|o| status.is_none_or(|s| o.status == s))
                                .filter(|o| min_amount.is_none_or(|m| o.amount >= m))
                                .collect();
                            match (sort, dir) {
                                (Sort::Id, Dir::Asc) => want.sort_by_key(|o| o.id),
                                (Sort::Id, Dir::Desc) => want.sort_by_key(|o| -o.id),
                                (Sort::Amount, Dir::Asc) => want.sort_by_key(|o| (o.amount, o.id)),
                                (Sort::Amount, Dir::Desc) => {
                                    want.sort_by_key(|o| (o.amount, -o.id))
                                }
                            }
                            if let Some(n) = limit {
                                want.truncate(n as usize);
                            }
                            assert!(!want.is_empty() || status.is_some());
                            assert_eq!(
                                got, want,
                                "tenant {t}, status {status:?}, min {min_amount:?}, {sort:?} \
                                 {dir:?}, limit {limit:?}"
                            );
                            variants += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(variants, 3 * 32);
}
