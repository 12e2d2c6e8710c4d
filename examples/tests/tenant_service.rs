//! Drives the tenant_service example over real HTTP against a real
//! PostgreSQL: tenant B cannot read, change or delete tenant A's widgets by
//! any route, and no response body carries schema names or SQL.

use secure_pg::{Config, Pool};
use secure_pg_examples::tenant_service;
use secure_pg_tests::{Cluster, ClusterSpec, ServerCert};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A minimal HTTP/1.1 client: one request per connection.
async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
    if let Some(k) = key {
        req.push_str(&format!("Authorization: Bearer {k}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() {
        req.push_str("Content-Type: application/json\r\n");
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    sock.write_all(req.as_bytes()).await.unwrap();
    let mut resp = String::new();
    sock.read_to_string(&mut resp).await.unwrap();
    let status: u16 = resp[9..12].parse().unwrap();
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A fresh server, the service on a free port, and the API keys of
/// tenants 1 and 2. The cluster's role owns the schema; the service runs as
/// `tenant_service`, a role that owns nothing and holds the printed grants.
async fn start() -> (Cluster, std::net::SocketAddr, &'static str, &'static str) {
    let cluster = Cluster::start(ClusterSpec::tls(ServerCert::Valid));
    let owner = Pool::builder()
        .max_size(1)
        .build(Config::parse_with_env(&cluster.url(), |_| None).unwrap())
        .await
        .unwrap();
    let (a, b) = ("key-a-0123456789", "key-b-9876543210");
    cluster.psql("CREATE ROLE tenant_service LOGIN PASSWORD 'tenant-Service-pw-7'");
    tenant_service::setup(&owner, "tenant_service", &[(1, a), (2, b)])
        .await
        .unwrap();
    let url = cluster.url();
    let (_, rest) = url.split_once('@').unwrap();
    let pool = Pool::builder()
        .build(
            Config::parse_with_env(
                &format!("postgres://tenant_service:tenant-Service-pw-7@{rest}"),
                |_| None,
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let (addr, _server) = tenant_service::serve(pool, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    (cluster, addr, a, b)
}

fn assert_no_schema_or_sql(body: &str) {
    for leak in [
        "widgets",
        "tenant_id",
        "api_keys",
        "stock",
        "constraint",
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
        "duplicate key",
        "violates",
        "public",
    ] {
        assert!(!body.contains(leak), "`{leak}` leaked in {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_are_isolated_over_http() {
    let (_cluster, addr, a, b) = start().await;

    // No key, wrong key.
    assert_eq!(http(addr, "GET", "/widgets", None, None).await.0, 401);
    assert_eq!(
        http(addr, "GET", "/widgets", Some("nope"), None).await.0,
        401
    );

    // A creates two widgets; B creates one with the same name as A's.
    let (s, body) = http(
        addr,
        "POST",
        "/widgets",
        Some(a),
        Some(r#"{"name":"sprocket","stock":5}"#),
    )
    .await;
    assert_eq!(s, 201, "{body}");
    let a1: tenant_service::Widget = serde_json::from_str(&body).unwrap();
    let (s, body) = http(
        addr,
        "POST",
        "/widgets",
        Some(a),
        Some(r#"{"name":"gear","stock":1}"#),
    )
    .await;
    assert_eq!(s, 201, "{body}");
    let a2: tenant_service::Widget = serde_json::from_str(&body).unwrap();
    let (s, body) = http(
        addr,
        "POST",
        "/widgets",
        Some(b),
        Some(r#"{"name":"sprocket","stock":9}"#),
    )
    .await;
    assert_eq!(s, 201, "names are unique per tenant only: {body}");
    let b1: tenant_service::Widget = serde_json::from_str(&body).unwrap();

    // Lists are per tenant.
    let (_, body) = http(addr, "GET", "/widgets", Some(a), None).await;
    let list: Vec<tenant_service::Widget> = serde_json::from_str(&body).unwrap();
    assert_eq!(list, vec![a1.clone(), a2.clone()]);
    let (_, body) = http(addr, "GET", "/widgets", Some(b), None).await;
    let list: Vec<tenant_service::Widget> = serde_json::from_str(&body).unwrap();
    assert_eq!(list, vec![b1.clone()]);

    // B cannot read, rename, delete or move A's widget by id.
    let path = format!("/widgets/{}", a1.id);
    let (s, body) = http(addr, "GET", &path, Some(b), None).await;
    assert_eq!(s, 404, "{body}");
    assert_no_schema_or_sql(&body);
    let (s, _) = http(addr, "PUT", &path, Some(b), Some(r#"{"name":"stolen"}"#)).await;
    assert_eq!(s, 404);
    let (s, _) = http(addr, "DELETE", &path, Some(b), None).await;
    assert_eq!(s, 404);
    let (s, _) = http(
        addr,
        "POST",
        &format!("/widgets/{}/move", b1.id),
        Some(b),
        Some(&format!(r#"{{"to":{},"units":1}}"#, a1.id)),
    )
    .await;
    assert_eq!(
        s, 404,
        "moving stock into another tenant's widget must fail"
    );
    let (s, _) = http(
        addr,
        "POST",
        &format!("/widgets/{}/move", a1.id),
        Some(b),
        Some(&format!(r#"{{"to":{},"units":1}}"#, b1.id)),
    )
    .await;
    assert_eq!(
        s, 404,
        "taking stock from another tenant's widget must fail"
    );

    // A's widget is untouched, and B's stock unchanged (the move rolled back).
    let (_, body) = http(addr, "GET", &path, Some(a), None).await;
    let still: tenant_service::Widget = serde_json::from_str(&body).unwrap();
    assert_eq!(still, a1);
    let (_, body) = http(addr, "GET", &format!("/widgets/{}", b1.id), Some(b), None).await;
    let b_now: tenant_service::Widget = serde_json::from_str(&body).unwrap();
    assert_eq!(b_now, b1);

    // A moves stock between its own widgets in the retrying transaction.
    let (s, body) = http(
        addr,
        "POST",
        &format!("/widgets/{}/move", a1.id),
        Some(a),
        Some(&format!(r#"{{"to":{},"units":2}}"#, a2.id)),
    )
    .await;
    assert_eq!(s, 204, "{body}");
    let (_, body) = http(addr, "GET", &format!("/widgets/{}", a2.id), Some(a), None).await;
    let a2_now: tenant_service::Widget = serde_json::from_str(&body).unwrap();
    assert_eq!(a2_now.stock, 3);

    // Database errors come back sanitized, with the SQLSTATE.
    let (s, body) = http(
        addr,
        "POST",
        "/widgets",
        Some(a),
        Some(r#"{"name":"gear"}"#),
    )
    .await;
    assert_eq!(s, 409, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["code"], "23505");
    assert_eq!(
        json["error"],
        "a record with the same unique value already exists (SQLSTATE 23505)"
    );
    assert_no_schema_or_sql(&body);
    let (s, body) = http(
        addr,
        "POST",
        &format!("/widgets/{}/move", a1.id),
        Some(a),
        Some(&format!(r#"{{"to":{},"units":1000}}"#, a2.id)),
    )
    .await;
    assert_eq!(s, 422, "{body}");
    assert_no_schema_or_sql(&body);

    // Deleting one's own widget works; then it is gone for its owner too.
    let (s, _) = http(
        addr,
        "DELETE",
        &format!("/widgets/{}", a2.id),
        Some(a),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let (s, _) = http(addr, "GET", &format!("/widgets/{}", a2.id), Some(a), None).await;
    assert_eq!(s, 404);

    // Health.
    let (s, body) = http(addr, "GET", "/healthz", None, None).await;
    assert_eq!(s, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["ok"], true);
    assert!(
        json["tls"].as_str().unwrap().starts_with("TLSv1.3"),
        "{body}"
    );
    // The service's role owns nothing and holds exactly what its statements
    // use: no ownership, no missing and no extra grant.
    let findings = json["findings"].as_array().unwrap();
    for code in [
        "role-owns-tables",
        "grants-missing-for-queries",
        "grants-exceed-queries",
    ] {
        assert!(!findings.iter().any(|f| f == code), "{body}");
    }
}

/// Follows `next` cursors from `first` to the last page; every widget of
/// every page, in order.
async fn all_pages(
    addr: std::net::SocketAddr,
    key: &str,
    first: &str,
) -> Vec<tenant_service::Widget> {
    let mut out = Vec::new();
    let mut path = first.to_owned();
    for _ in 0..100 {
        let (s, body) = http(addr, "GET", &path, Some(key), None).await;
        assert_eq!(s, 200, "{path}: {body}");
        let page: tenant_service::Page = serde_json::from_str(&body).unwrap();
        out.extend(page.widgets);
        match page.next {
            Some(next) => {
                let sep = if first.contains('?') { '&' } else { '?' };
                path = format!("{first}{sep}after={next}");
            }
            None => return out,
        }
    }
    panic!("more than 100 pages");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_pages_with_keysets_for_the_callers_tenant_only() {
    let (_cluster, addr, a, b) = start().await;
    // Interleaved, so that ids of the two tenants alternate; B's names
    // would sort between A's.
    let mut mine = Vec::new();
    for i in 0..7 {
        for (key, name, stock) in [
            (a, format!("bolt-{i}"), (i * 3) % 5),
            (b, format!("bolt-{i}x"), 1),
        ] {
            let body = format!(r#"{{"name":"{name}","stock":{stock}}}"#);
            let (s, body) = http(addr, "POST", "/widgets", Some(key), Some(&body)).await;
            assert_eq!(s, 201, "{body}");
            if key == a {
                mine.push(serde_json::from_str::<tenant_service::Widget>(&body).unwrap());
            }
        }
    }
    let (s, body) = http(
        addr,
        "POST",
        "/widgets",
        Some(a),
        Some(r#"{"name":"nut","stock":2}"#),
    )
    .await;
    assert_eq!(s, 201, "{body}");
    mine.push(serde_json::from_str(&body).unwrap());

    // By name, filtered, two per page.
    let got = all_pages(addr, a, "/widgets/page?prefix=bolt&limit=2").await;
    let mut want: Vec<_> = mine
        .iter()
        .filter(|w| w.name.starts_with("bolt"))
        .cloned()
        .collect();
    want.sort_by(|x, y| x.name.cmp(&y.name));
    assert_eq!(got, want);
    // Newest first, unfiltered, three per page.
    let got = all_pages(addr, a, "/widgets/page?sort=newest&limit=3").await;
    let mut want = mine.clone();
    want.sort_by_key(|w| -w.id);
    assert_eq!(got, want);
    // By stock with a row comparison as the keyset.
    let got = all_pages(addr, a, "/widgets/by-stock?limit=3").await;
    let mut want = mine.clone();
    want.sort_by_key(|w| (w.stock, w.id));
    assert_eq!(got, want);
    // A cursor that does not parse is the client's error.
    let (s, body) = http(
        addr,
        "GET",
        "/widgets/page?sort=newest&after=x",
        Some(a),
        None,
    )
    .await;
    assert_eq!(s, 400, "{body}");
    assert_no_schema_or_sql(&body);
}
