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
