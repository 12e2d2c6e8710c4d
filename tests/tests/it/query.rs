//! `secure_query!` / `secure_query_as!` against a real server: every method,
//! every executor kind, types, NULLs, and injection attempts.

use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use secure_pg::{secure_query, secure_query_as, ErrorKind, FromRow, Pool};
use secure_pg_tests::{shared, ClusterSpec, ServerCert};

use crate::support::{checked, config};

#[derive(Debug, FromRow, PartialEq)]
struct Widget {
    id: i64,
    name: String,
    note: Option<String>,
}

async fn pool() -> Pool {
    let c = shared(ClusterSpec::tls(ServerCert::Valid));
    Pool::builder()
        .max_size(4)
        .build(config(&c.url()))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"))
}

async fn fresh_table(pool: &Pool, name: &str) {
    let conn = pool.get().await.unwrap();
    conn.client()
        .batch_execute(&format!(
            "DROP TABLE IF EXISTS {name}; CREATE TABLE {name} (id bigint PRIMARY KEY, name text NOT NULL, note text)"
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn every_method_on_a_pool() {
    let pool = pool().await;
    fresh_table(&pool, "widgets_methods").await;
    let n = secure_query!(
        "INSERT INTO widgets_methods (id, name, note) VALUES ($1, $2, $3), ($4, $5, NULL)",
        1_i64,
        "one",
        Some("first"),
        2_i64,
        "two"
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(n, 2);
    let all: Vec<Widget> = secure_query_as!(
        Widget,
        "SELECT id, name, note FROM widgets_methods ORDER BY id"
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        all,
        vec![
            Widget {
                id: 1,
                name: "one".into(),
                note: Some("first".into())
            },
            Widget {
                id: 2,
                name: "two".into(),
                note: None
            },
        ]
    );
    let id = 2_i64;
    let one = secure_query_as!(
        Widget,
        "SELECT id, name, note FROM widgets_methods WHERE id = $1",
        id
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(one.name, "two");
    let missing = checked(
        secure_query_as!(
            Widget,
            "SELECT id, name, note FROM widgets_methods WHERE id = $1",
            99_i64
        )
        .fetch_one(&pool)
        .await
        .unwrap_err(),
    );
    assert_eq!(missing.kind(), ErrorKind::NotFound);
    assert_eq!(missing.to_string(), "no matching record was found");
    let none = secure_query_as!(
        Widget,
        "SELECT id, name, note FROM widgets_methods WHERE id = $1",
        99_i64
    )
    .fetch_optional(&pool)
    .await
    .unwrap();
    assert!(none.is_none());
    let tuple: (i64, String) = secure_query_as!(
        (i64, String),
        "SELECT id, name FROM widgets_methods WHERE id = $1",
        1_i64
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(tuple, (1, "one".to_string()));
    let rows = secure_query!("SELECT count(*) FROM widgets_methods")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows.get::<_, i64>(0), 2);
    let streamed: Vec<Widget> = secure_query_as!(
        Widget,
        "SELECT id, name, note FROM widgets_methods ORDER BY id"
    )
    .fetch(&pool)
    .await
    .unwrap()
    .try_collect()
    .await
    .unwrap();
    assert_eq!(streamed.len(), 2);
}

#[tokio::test]
async fn every_executor_kind() {
    let pool = pool().await;
    fresh_table(&pool, "widgets_exec").await;
    // A pooled connection, shared and mutable.
    let mut conn = pool.get().await.unwrap();
    secure_query!(
        "INSERT INTO widgets_exec (id, name) VALUES ($1, $2)",
        1_i64,
        "a"
    )
    .execute(&conn)
    .await
    .unwrap();
    secure_query!(
        "INSERT INTO widgets_exec (id, name) VALUES ($1, $2)",
        2_i64,
        "b"
    )
    .execute(&mut conn)
    .await
    .unwrap();
    // Our transaction.
    {
        let mut tx = conn.transaction().await.unwrap();
        secure_query!(
            "INSERT INTO widgets_exec (id, name) VALUES ($1, $2)",
            3_i64,
            "c"
        )
        .execute(&mut tx)
        .await
        .unwrap();
        secure_query!(
            "INSERT INTO widgets_exec (id, name) VALUES ($1, $2)",
            4_i64,
            "d"
        )
        .execute(&tx)
        .await
        .unwrap();
        tx.rollback().await.unwrap();
    }
    // A plain tokio_postgres::Client from secure_pg::connect.
    let c = shared(ClusterSpec::tls(ServerCert::Valid));
    let (mut client, _) = secure_pg::connect(&config(&c.url())).await.unwrap();
    let count = secure_query_as!((i64,), "SELECT count(*) FROM widgets_exec")
        .fetch_one(&client)
        .await
        .unwrap();
    assert_eq!(count.0, 2, "the rolled-back rows are gone");
    let tx = client.transaction().await.unwrap();
    secure_query!("DELETE FROM widgets_exec WHERE id = $1", 1_i64)
        .execute(&tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let left: Vec<(i64,)> = secure_query_as!((i64,), "SELECT id FROM widgets_exec")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(left, vec![(2,)]);
}

#[tokio::test]
async fn statements_are_prepared_once_per_connection() {
    let c = shared(ClusterSpec::tls(ServerCert::Valid));
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&c.url()))
        .await
        .unwrap();
    let conn = pool.get().await.unwrap();
    let before = conn.cached_statements();
    for i in 0..5_i32 {
        let v = secure_query_as!((i32,), "SELECT $1::int4 + 1", i)
            .fetch_one(&conn)
            .await
            .unwrap();
        assert_eq!(v.0, i + 1);
    }
    assert_eq!(conn.cached_statements(), before + 1);
}

#[tokio::test]
async fn injection_attempts_are_stored_verbatim() {
    let pool = pool().await;
    fresh_table(&pool, "widgets_inject").await;
    let long = "x".repeat(1_000_000);
    let attempts = [
        "'; DROP TABLE widgets_inject; --",
        "\" OR 1=1 --",
        "Robert'); DROP TABLE students;--",
        "back\\slash\\' \\\\",
        "$1 $2 ? :name",
        "unicode ü 🦀 \u{202e}",
        long.as_str(),
    ];
    for (i, s) in attempts.iter().enumerate() {
        secure_query!(
            "INSERT INTO widgets_inject (id, name) VALUES ($1, $2)",
            i as i64,
            s
        )
        .execute(&pool)
        .await
        .unwrap();
        let back: (String,) = secure_query_as!(
            (String,),
            "SELECT name FROM widgets_inject WHERE id = $1",
            i as i64
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(back.0, *s);
    }
    // A NUL byte cannot be stored in text: a clear invalid-input error, not truncation.
    let e = checked(
        secure_query!(
            "INSERT INTO widgets_inject (id, name) VALUES ($1, $2)",
            100_i64,
            "nul\0byte"
        )
        .execute(&pool)
        .await
        .unwrap_err(),
    );
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e:#}");
    let count: (i64,) = secure_query_as!((i64,), "SELECT count(*) FROM widgets_inject")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count.0, attempts.len() as i64, "the table is intact");
}

#[tokio::test]
async fn arrays_are_the_safe_dynamic_in_list() {
    let pool = pool().await;
    fresh_table(&pool, "widgets_any").await;
    for i in 1..=5_i64 {
        secure_query!(
            "INSERT INTO widgets_any (id, name) VALUES ($1, $2)",
            i,
            format!("w{i}")
        )
        .execute(&pool)
        .await
        .unwrap();
    }
    let wanted: Vec<i64> = vec![2, 4, 42];
    let got: Vec<(i64,)> = secure_query_as!(
        (i64,),
        "SELECT id FROM widgets_any WHERE id = ANY($1) ORDER BY id",
        wanted
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(got, vec![(2,), (4,)]);
}

#[tokio::test]
async fn a_missing_column_or_wrong_type_names_the_field() {
    let pool = pool().await;
    let e = checked(
        secure_query_as!(Widget, "SELECT 1::bigint AS id, 'x'::text AS name")
            .fetch_one(&pool)
            .await
            .unwrap_err(),
    );
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.detail().to_string().contains("Widget::note"), "{e:#}");
    assert_eq!(e.to_string(), "a database result could not be read");
    let e = checked(
        secure_query_as!(
            Widget,
            "SELECT 'one'::text AS id, 'x'::text AS name, NULL::text AS note"
        )
        .fetch_one(&pool)
        .await
        .unwrap_err(),
    );
    assert!(e.detail().to_string().contains("Widget::id"), "{e:#}");
    let e = checked(
        secure_query_as!(
            Widget,
            "SELECT 1::bigint AS id, NULL::text AS name, NULL::text AS note"
        )
        .fetch_one(&pool)
        .await
        .unwrap_err(),
    );
    assert!(e.detail().to_string().contains("Option<_>"), "{e:#}");
}

/// `FromRow`'s field options: `flatten` (a struct read from the same
/// row), `default` (a column the query may not return), `try_from` (read
/// as one type, converted to the field's).
#[derive(Debug, FromRow, PartialEq)]
struct Order {
    id: i64,
    #[secure_pg(flatten)]
    customer: Customer,
    #[secure_pg(default)]
    tags: Vec<String>,
    #[secure_pg(try_from = "i64")]
    qty: u8,
}

#[derive(Debug, FromRow, PartialEq)]
struct Customer {
    #[secure_pg(rename = "customer_name")]
    name: String,
    #[secure_pg(default)]
    vip: Option<bool>,
}

#[tokio::test]
async fn from_row_flattens_defaults_and_converts() {
    let pool = pool().await;
    // Every column given.
    let full: Order = secure_query_as!(
        Order,
        "SELECT 7::bigint AS id, 'Ada'::text AS customer_name, true AS vip, \
         ARRAY['a','b'] AS tags, 3::bigint AS qty"
    )
    .fetch_one(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        full,
        Order {
            id: 7,
            customer: Customer {
                name: "Ada".into(),
                vip: Some(true)
            },
            tags: vec!["a".into(), "b".into()],
            qty: 3,
        }
    );
    // The `default` columns left out (in the flattened struct too).
    let some: Vec<Order> = secure_query_as!(
        Order,
        "SELECT g::bigint AS id, 'n' || g AS customer_name, g::bigint AS qty \
         FROM generate_series(1, 2) g"
    )
    .fetch_all(&pool)
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        some.iter()
            .map(|o| (
                o.id,
                o.customer.name.as_str(),
                o.customer.vip,
                o.tags.len(),
                o.qty
            ))
            .collect::<Vec<_>>(),
        [(1, "n1", None, 0, 1), (2, "n2", None, 0, 2)]
    );
    // A flattened struct's own missing column names it.
    let e = checked(
        secure_query_as!(Order, "SELECT 1::bigint AS id, 1::bigint AS qty")
            .fetch_one(&pool)
            .await
            .unwrap_err(),
    );
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.detail().to_string().contains("Customer::name"), "{e:#}");
    // A value the conversion refuses (300 is no `u8`) is a decode error
    // naming the field and the types, not the value.
    let e = checked(
        secure_query_as!(
            Order,
            "SELECT 1::bigint AS id, 'x'::text AS customer_name, 300::bigint AS qty"
        )
        .fetch_one(&pool)
        .await
        .unwrap_err(),
    );
    assert_eq!(e.kind(), ErrorKind::Decode);
    let shown = format!("{e:#} {e:?}");
    assert!(
        shown.contains("Order::qty") && shown.contains("TryFrom<i64>"),
        "{shown}"
    );
    assert!(!shown.contains("300"), "{shown}");
    // A `default` column that is returned is read, not defaulted: a wrong
    // type is still an error.
    let e = checked(
        secure_query_as!(
            Order,
            "SELECT 1::bigint AS id, 'x'::text AS customer_name, 1::bigint AS qty, 5 AS tags"
        )
        .fetch_one(&pool)
        .await
        .unwrap_err(),
    );
    assert!(e.detail().to_string().contains("Order::tags"), "{e:#}");
}

#[derive(Debug, FromRow, PartialEq)]
struct Event {
    id: uuid::Uuid,
    #[secure_pg(rename = "payload")]
    body: serde_json::Value,
    at: time::OffsetDateTime,
    tags: Vec<String>,
    note: Option<String>,
}

#[tokio::test]
async fn json_uuid_timestamps_arrays_and_nulls_round_trip() {
    let pool = pool().await;
    {
        let conn = pool.get().await.unwrap();
        conn.client()
            .batch_execute(
                "DROP TABLE IF EXISTS events_types; CREATE TABLE events_types (
                    id uuid PRIMARY KEY, payload jsonb NOT NULL, at timestamptz NOT NULL,
                    tags text[] NOT NULL, note text)",
            )
            .await
            .unwrap();
    }
    let id = uuid::Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0);
    let body = serde_json::json!({"kind": "order", "lines": [1, 2, 3], "quote": "it's \"fine\""});
    let at = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
    let tags = vec!["a".to_string(), "b'c".to_string()];
    let none: Option<String> = None;
    secure_query!(
        "INSERT INTO events_types (id, payload, at, tags, note) VALUES ($1, $2, $3, $4, $5)",
        id,
        body,
        at,
        tags,
        none
    )
    .execute(&pool)
    .await
    .unwrap();
    let e = secure_query_as!(
        Event,
        "SELECT id, payload, at, tags, note FROM events_types WHERE id = $1",
        id
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        e,
        Event {
            id,
            body: body.clone(),
            at,
            tags,
            note: None
        }
    );
    // JSON operators work with bound values.
    let kind: (String,) = secure_query_as!(
        (String,),
        "SELECT payload ->> $1 FROM events_types WHERE payload @> $2",
        "kind",
        serde_json::json!({"kind": "order"})
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(kind.0, "order");
}

// ----- NUMERIC ---------------------------------------------------------------

/// `Decimal` binds as and reads from `numeric` exactly: no float on the
/// way, so 0.1 + 0.2 is 0.3 and scale is kept.
#[tokio::test]
async fn numeric_round_trips_exactly_as_decimal() {
    use secure_pg::Decimal;
    use std::str::FromStr;
    let pool = pool().await;
    let d = |s: &str| Decimal::from_str(s).unwrap();
    for v in [
        "0",
        "0.1",
        "-0.30",
        "12345678901234567890.12345678",
        "-7922816251426433759354395033.5",
        "0.0000000000000000000000000001",
    ] {
        let back: (Decimal, String) = secure_query_as!(
            (Decimal, String),
            "SELECT $1::numeric, $1::numeric::text",
            d(v)
        )
        .fetch_one(&pool)
        .await
        .unwrap_or_else(|e| panic!("{v}: {e:#}"));
        assert_eq!(back.0, d(v), "{v}");
        assert_eq!(back.0.to_string(), back.1, "{v}: scale kept");
    }
    let sum: Decimal = secure_query_as!(
        (Decimal,),
        "SELECT $1::numeric + $2::numeric",
        d("0.1"),
        d("0.2")
    )
    .fetch_one(&pool)
    .await
    .unwrap()
    .0;
    assert_eq!(sum.to_string(), "0.3");
    let null: Option<Decimal> = secure_query_as!((Option<Decimal>,), "SELECT NULL::numeric")
        .fetch_one(&pool)
        .await
        .unwrap()
        .0;
    assert_eq!(null, None);
}

/// What `Decimal` cannot hold is an error that says so, never a rounded or
/// made-up number.
#[tokio::test]
async fn numeric_values_decimal_cannot_hold_are_decode_errors() {
    use secure_pg::Decimal;
    let pool = pool().await;
    for sql in [
        "SELECT 'NaN'::numeric",
        "SELECT 'Infinity'::numeric",
        "SELECT 1e40::numeric",
        "SELECT 1e-40::numeric",
    ] {
        let r = match sql {
            "SELECT 'NaN'::numeric" => {
                secure_query_as!((Decimal,), "SELECT 'NaN'::numeric")
                    .fetch_one(&pool)
                    .await
            }
            "SELECT 'Infinity'::numeric" => {
                secure_query_as!((Decimal,), "SELECT 'Infinity'::numeric")
                    .fetch_one(&pool)
                    .await
            }
            _ => {
                secure_query_as!((Decimal,), "SELECT 1e40::numeric")
                    .fetch_one(&pool)
                    .await
            }
        };
        match r {
            Ok(v) => panic!("{sql} decoded as {v:?}"),
            Err(e) => assert_eq!(checked(e).kind(), ErrorKind::Decode, "{sql}"),
        }
    }
    // A decimal bound to a float parameter is refused before it is sent,
    // and the log says why.
    let e = checked(
        secure_query!("SELECT $1::float8", Decimal::ONE)
            .execute(&pool)
            .await
            .unwrap_err(),
    );
    assert!(format!("{e:#}").contains("cannot convert"), "{e:#}");
}

/// `fetch_one` and `fetch_optional` stop reading at the second row: a
/// result whose later rows are slow (one second each from the third on,
/// 28 s in all) fails at once with "more than one row", and the pool of
/// one hands its connection out again promptly (the rest of the statement
/// is cancelled, not drained).
#[tokio::test]
async fn fetch_one_and_optional_stop_after_the_second_row() {
    let c = shared(ClusterSpec::tls(ServerCert::Valid));
    let pool = Pool::builder()
        .max_size(1)
        .build(config(&format!(
            "{}&application_name=t14_two_rows",
            c.url()
        )))
        .await
        .unwrap();
    let bound = Duration::from_secs(20);
    let t = Instant::now();
    let r = tokio::time::timeout(
        bound,
        secure_query!(
            "SELECT g, repeat('x', 20000), pg_sleep(CASE WHEN g > 2 THEN 1 ELSE 0 END)::text \
             FROM generate_series(1, 30) g"
        )
        .fetch_one(&pool),
    )
    .await;
    let one_took = t.elapsed();
    let e = checked(r.expect("fetch_one read the whole result").unwrap_err());
    assert!(
        e.detail().to_string().contains("more than one row"),
        "{e:#}"
    );
    let t = Instant::now();
    let r = tokio::time::timeout(
        bound,
        secure_query_as!(
            (i32, String),
            "SELECT g, repeat('x', 20000), pg_sleep(CASE WHEN g > 2 THEN 1 ELSE 0 END)::text \
             FROM generate_series(1, 30) g"
        )
        .fetch_optional(&pool),
    )
    .await;
    let optional_took = t.elapsed();
    let e = checked(
        r.expect("fetch_optional read the whole result")
            .unwrap_err(),
    );
    assert!(
        e.detail().to_string().contains("more than one row"),
        "{e:#}"
    );
    // The same connection (a pool of one) is back at rest promptly.
    let t = Instant::now();
    let r = tokio::time::timeout(
        bound,
        secure_query_as!(
            (i64,),
            "SELECT count(*) FROM pg_stat_activity \
             WHERE application_name = 't14_two_rows' AND state = 'active' \
             AND pid <> pg_backend_pid()"
        )
        .fetch_one(&pool),
    )
    .await;
    let next_took = t.elapsed();
    let (active,) = r
        .expect("the next checkout waited for the abandoned result")
        .unwrap();
    assert_eq!(active, 0);
    secure_pg_tests::note(&format!(
        "t14 two rows: fetch_one {one_took:?}, fetch_optional {optional_took:?}, next query {next_took:?}"
    ));
    assert!(one_took < Duration::from_secs(10), "{one_took:?}");
    assert!(optional_took < Duration::from_secs(10), "{optional_took:?}");
    assert!(next_took < Duration::from_secs(10), "{next_took:?}");
    // One row and no row still work, and read to the end.
    let (v,): (i32,) = secure_query_as!((i32,), "SELECT 7")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(v, 7);
    let none = secure_query_as!((i32,), "SELECT 1 WHERE false")
        .fetch_optional(&pool)
        .await
        .unwrap();
    assert_eq!(none, None);
}

/// tokio-postgres takes a `&str` for `text` but not for an enum, and an
/// `i32` for `integer` but not for a domain over it; PostgreSQL reads the
/// same bytes for both. So strings bind to enum parameters, base values to
/// domain parameters, and enum columns read into `String`, on every kind
/// of executor; a label that is not the enum's is the server's error.
#[tokio::test]
async fn strings_bind_to_enums_and_base_values_to_domains() {
    let pool = pool().await;
    let conn = pool.get().await.unwrap();
    conn.client()
        .batch_execute(
            "DROP TABLE IF EXISTS moods_q; DROP TYPE IF EXISTS mood_q; DROP DOMAIN IF EXISTS stars_q;
             CREATE TYPE mood_q AS ENUM ('sad', 'ok', 'happy');
             CREATE DOMAIN stars_q AS integer CHECK (VALUE BETWEEN 1 AND 5);
             CREATE TABLE moods_q (id bigint PRIMARY KEY, feeling mood_q NOT NULL, stars stars_q)",
        )
        .await
        .unwrap();
    drop(conn);
    #[derive(Debug, FromRow, PartialEq)]
    struct Mood {
        id: i64,
        feeling: String,
        stars: Option<i32>,
    }
    // A pool (the shared, multiplexed path) and a transaction.
    secure_query!(
        "INSERT INTO moods_q (id, feeling, stars) VALUES ($1, $2, $3)",
        1_i64,
        "happy",
        5_i32
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut conn = pool.get().await.unwrap();
    let mut tx = conn.transaction().await.unwrap();
    secure_query!(
        "INSERT INTO moods_q (id, feeling) VALUES ($1, $2)",
        2_i64,
        String::from("sad")
    )
    .execute(&mut tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    drop(conn);
    // A plain tokio_postgres::Client, reading the enum into `String`.
    let c = shared(ClusterSpec::tls(ServerCert::Valid));
    let (client, _) = secure_pg::connect(&config(&c.url())).await.unwrap();
    let happy: Vec<Mood> = secure_query_as!(
        Mood,
        "SELECT id, feeling, stars FROM moods_q WHERE feeling = $1 AND stars >= $2",
        "happy",
        1_i32
    )
    .fetch_all(&client)
    .await
    .unwrap();
    assert_eq!(
        happy,
        [Mood {
            id: 1,
            feeling: "happy".into(),
            stars: Some(5)
        }]
    );
    let all: Vec<(i64, String)> =
        secure_query_as!((i64, String), "SELECT id, feeling FROM moods_q ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(all, [(1, "happy".into()), (2, "sad".into())]);
    // The server still judges the values.
    let e = checked(
        secure_query!(
            "UPDATE moods_q SET feeling = $1 WHERE id = $2",
            "glad",
            1_i64
        )
        .execute(&pool)
        .await
        .unwrap_err(),
    );
    assert_eq!(e.sqlstate().map(|c| c.code()), Some("22P02"), "{e:#}");
    let e = checked(
        secure_query!("UPDATE moods_q SET stars = $1 WHERE id = $2", 9_i32, 1_i64)
            .execute(&pool)
            .await
            .unwrap_err(),
    );
    assert_eq!(e.sqlstate().map(|c| c.code()), Some("23514"), "{e:#}");
    // A type that is not the enum's representation is still refused, with
    // tokio-postgres's message naming both types.
    let e = secure_query!(
        "UPDATE moods_q SET feeling = $1 WHERE id = $2",
        7_i64,
        1_i64
    )
    .execute(&pool)
    .await
    .unwrap_err();
    assert!(e.detail().to_string().contains("mood_q"), "{e:#}");
    let e = secure_query_as!((i64,), "SELECT feeling FROM moods_q WHERE id = $1", 1_i64)
        .fetch_one(&pool)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e:#}");
}
