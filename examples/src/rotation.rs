//! A pool surviving a live password rotation through a secret file, the way
//! Kubernetes, Docker and Vault agents deliver secrets.

use std::io::Write;
use std::time::Duration;

use secure_pg::credentials::FilePassword;
use secure_pg::{secure_query_as, Config, Pool};
use secure_pg_tests::{Cluster, ClusterSpec, ServerCert, APP_PASSWORD};

/// Runs the rotation demo on a throwaway cluster (it needs to change the
/// role's password, so it never touches `DATABASE_URL`). Returns the number
/// of failed queries during the rotation.
pub async fn rotation(out: &mut impl Write) -> Result<usize, secure_pg::Error> {
    let cluster = Cluster::start(ClusterSpec::tls(ServerCert::Valid));
    let dir = secure_pg_tests::temp_dir("rotation-secret");
    let secret = dir.join("db-password");
    std::fs::write(&secret, format!("{APP_PASSWORD}\n")).expect("write secret file");
    let mut config = Config::parse(&cluster.url())?;
    config.set_password(None); // the secret file is the only source
    let pool = Pool::builder()
        .max_size(4)
        .credentials(FilePassword::new(&secret))
        .build(config)
        .await?;
    writeln!(out, "pool up, password from {}", secret.display()).ok();
    let mut failures = 0;
    for round in 0..6 {
        if round == 3 {
            let new = format!("rotated-{round}-{}", std::process::id());
            cluster.psql(&format!("ALTER ROLE app PASSWORD '{new}'"));
            std::fs::write(&secret, format!("{new}\n")).expect("rotate secret file");
            // Existing sessions stay valid after a password change; kill
            // them so that the pool must log in again with the new secret.
            cluster.psql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'app'",
            );
            writeln!(out, "rotated the password and terminated every session").ok();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        match secure_query_as!((i32,), "SELECT pg_backend_pid()")
            .fetch_one(&pool)
            .await
        {
            Ok((pid,)) => writeln!(out, "round {round}: served by backend {pid}").ok(),
            Err(e) => {
                failures += 1;
                writeln!(out, "round {round}: {e}").ok()
            }
        };
    }
    writeln!(out, "{failures} failed queries during the rotation").ok();
    Ok(failures)
}
