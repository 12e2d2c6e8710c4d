//! What several of these tests start from.

use secure_pg::Config;
use secure_pg_tests::{shared, ClusterSpec, ServerCert};

/// `ui-tests-schema/schema.sql`, the schema the macros check these
/// queries against.
pub(crate) const SCHEMA: &str = include_str!("../../../ui-tests-schema/schema.sql");

/// A new database `db` on the shared TLS test cluster, owned by the
/// harness's `app` role, with [`SCHEMA`] applied: its configuration, and
/// the plain client that applied it (for data the test writes directly).
pub(crate) async fn database_with_schema(db: &str) -> (Config, secure_pg::tokio_postgres::Client) {
    let cluster = shared(ClusterSpec::tls(ServerCert::Valid));
    cluster.psql(&format!("CREATE DATABASE {db} OWNER app"));
    assert!(
        cluster.url().contains("/app?"),
        "unexpected harness URL shape"
    );
    let url = cluster.url().replacen("/app?", &format!("/{db}?"), 1);
    let config = Config::parse_with_env(&url, |_| None).expect("test URL parses");
    let (client, _) = secure_pg::connect(&config).await.unwrap();
    client.batch_execute(SCHEMA).await.unwrap();
    (config, client)
}
