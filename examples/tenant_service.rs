//! `cargo run -p secure-pg-examples --example tenant_service`
//!
//! Starts the multi-tenant widgets API on 127.0.0.1:3000 over a throwaway
//! TLS cluster (or `DATABASE_URL`), with two demo tenants:
//!
//! ```sh
//! curl -H 'Authorization: Bearer key-of-tenant-1' -H 'content-type: application/json' \
//!      -d '{"name":"sprocket","stock":5}' localhost:3000/widgets
//! curl -H 'Authorization: Bearer key-of-tenant-2' localhost:3000/widgets   # tenant 2 sees none of them
//! curl localhost:3000/healthz
//! ```

use secure_pg_examples::{tenant_service, Database};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = Database::from_env_or_throwaway(&mut std::io::stdout())?;
    // Two roles: the owner migrates and grants; the service's role owns
    // nothing.
    let owner = secure_pg::Pool::builder()
        .max_size(1)
        .build(db.config().clone())
        .await?;
    let app = db.app_config(&mut std::io::stdout())?;
    let role = app.get_user().unwrap_or("app").to_owned();
    tenant_service::setup(
        &owner,
        &role,
        &[(1, "key-of-tenant-1"), (2, "key-of-tenant-2")],
    )
    .await?;
    let pool = secure_pg::Pool::builder().build(app).await?;
    let (addr, server) = tenant_service::serve(pool, "127.0.0.1:3000".parse()?).await?;
    println!("listening on http://{addr} (API keys: key-of-tenant-1, key-of-tenant-2)");
    server.await??;
    Ok(())
}
