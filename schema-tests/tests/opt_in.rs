//! `tenant_scoping = "opt-in"` (this crate's metadata): a query on a tenant
//! table outside `#[tenant_scoped]` compiles, and once one has run the
//! health check says so (`tenant-scoping-opted-out`), so that the opt-out
//! stays visible while it lasts.

use secure_pg::{secure_query_as, Config, FindingCode, Pool};
use secure_pg_tests::{shared, ClusterSpec, ServerCert};

const SCHEMA: &str = include_str!("../../ui-tests-schema/schema.sql");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_compiled_under_the_opt_in_are_a_posture_finding() {
    let cluster = shared(ClusterSpec::tls(ServerCert::Valid));
    let config = || Config::parse_with_env(&cluster.url(), |_| None).expect("test URL parses");
    let (client, _) = secure_pg::connect(&config()).await.unwrap();
    client.batch_execute(SCHEMA).await.unwrap();
    let pool = Pool::builder().max_size(2).build(config()).await.unwrap();
    let opted_out = |h: &secure_pg::Health| {
        h.findings
            .iter()
            .any(|f| f.code == FindingCode::TenantScopingOptedOut)
    };
    let before = pool.health_check().await;
    assert!(!opted_out(&before), "{before:?}");

    // `owners` has `tenant_id`: without the opt-in this is a compile error.
    let rows = secure_query_as!((String,), "SELECT name FROM owners ORDER BY name")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(rows.is_empty());

    let after = pool.health_check().await;
    assert!(opted_out(&after), "{after:?}");
    let finding = after
        .findings
        .iter()
        .find(|f| f.code == FindingCode::TenantScopingOptedOut)
        .unwrap();
    assert!(
        finding.to_string().contains("tenant_scoping = \"opt-in\""),
        "{finding}"
    );
}
