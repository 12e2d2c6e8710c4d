//! `cargo run -p secure-pg-examples --example rds_iam`
//!
//! A long-running ECS service behind RDS Proxy, authenticating with IAM:
//! no database password exists anywhere. Each new physical connection gets
//! a freshly signed token from the task role's current credentials; the
//! pool pre-pings idle connections and recycles them, so rotation of the
//! task role's credentials never needs a restart.
//!
//! The environment it expects (ECS sets the first two itself):
//!
//! * `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`: set by ECS for a task with
//!   a task role; the credentials come from the container endpoint.
//!   (On EKS: `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` with IRSA, or
//!   Pod Identity's `AWS_CONTAINER_CREDENTIALS_FULL_URI`; on EC2 the
//!   instance profile through IMDSv2. Nothing to change in the code.)
//! * `AWS_REGION`: the region of the proxy, e.g. `eu-west-1`.
//! * `DATABASE_URL`: the proxy endpoint, the IAM user and the RDS CA, e.g.
//!   `postgres://app_user@my-proxy.proxy-abcdefghijkl.eu-west-1.rds.amazonaws.com:5432/app?sslmode=verify-full&sslrootcert=/etc/ssl/rds-global-bundle.pem`
//!   (no password; `sslmode=verify-full` is required with IAM).
//!
//! The task role needs `rds-db:connect` on
//! `arn:aws:rds-db:REGION:ACCOUNT:dbuser:PROXY-RESOURCE-ID/app_user`, and
//! the proxy's IAM authentication set to required.

use std::time::Duration;

use secure_pg::credentials::iam::RdsIamProvider;
use secure_pg::{Config, Pool};

#[tokio::main]
async fn main() -> Result<(), secure_pg::Error> {
    let config = Config::from_env()?;
    let region = std::env::var("AWS_REGION").map_err(|_| {
        secure_pg::Error::new(
            secure_pg::ErrorKind::Configuration,
            "AWS_REGION is not set (the region of the RDS Proxy)",
        )
    })?;
    // Host, port and user come from DATABASE_URL: they are part of what the
    // token signs. Refused unless sslmode=verify-full.
    let iam = RdsIamProvider::from_config(&config, region)?;

    let pool = Pool::builder()
        .credentials(iam)
        .max_size(10)
        // RDS Proxy closes client connections idle for its idle timeout
        // (30 minutes by default): recycle before that, and ping a
        // connection that sat idle before handing it out.
        .max_lifetime(Duration::from_secs(20 * 60))
        .idle_timeout(Duration::from_secs(10 * 60))
        .idle_check_after(Duration::from_secs(30))
        .build(config)
        .await?;

    #[derive(secure_pg::FromRow)]
    struct Me {
        user: String,
    }
    let me: Me = secure_pg::secure_query_as!(Me, "SELECT current_user::text AS user")
        .fetch_one(&pool)
        .await?;
    println!("connected through RDS Proxy as {}", me.user);
    Ok(())
}
