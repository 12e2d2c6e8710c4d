//! The README's quickstart, as a new crate's `src/main.rs` (the README's
//! copy is checked against this file, and `tests -- readme_quickstart`
//! runs it against a real server with TLS).
use secure_pg::{secure_query, secure_query_as, FromRow, Pool};

#[derive(FromRow)]
struct Widget {
    id: i64,
    name: String,
    note: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), secure_pg::Error> {
    // DATABASE_URL=postgres://app@db.example.com/shop?sslrootcert=/etc/ssl/db-ca.pem
    // verify-full by default: the certificate must chain to that CA and name the host.
    let pool = Pool::from_env().await?;

    secure_query!(
        "CREATE TABLE IF NOT EXISTS widgets (id bigint PRIMARY KEY, name text NOT NULL, note text)"
    )
    .execute(&pool)
    .await?;
    secure_query!(
        "INSERT INTO widgets (id, name, note) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        1_i64,
        "sprocket",
        Some("shiny")
    )
    .execute(&pool)
    .await?;

    // A literal, checked at compile time: one statement, valid SQL, $1 bound as an i64.
    let w: Widget = secure_query_as!(
        Widget,
        "SELECT id, name, note FROM widgets WHERE id = $1",
        1_i64
    )
    .fetch_one(&pool)
    .await?;
    println!("{}: {} ({:?})", w.id, w.name, w.note);

    // A hostile value stays a value.
    let found = secure_query_as!(
        Widget,
        "SELECT id, name, note FROM widgets WHERE name = $1",
        "'; DROP TABLE widgets; --"
    )
    .fetch_optional(&pool)
    .await?;
    println!("a hostile name found {:?}", found.map(|w| w.id));

    // What the server says about the session: TLS version and cipher, and findings
    // such as a role that may bypass row-level security.
    let health = pool.health_check().await;
    println!(
        "ok={} tls={:?} findings={:?}",
        health.ok, health.tls, health.findings
    );
    Ok(())
}
