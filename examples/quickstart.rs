//! `cargo run -p secure-pg-examples --example quickstart`
//!
//! With `DATABASE_URL` unset, starts a throwaway PostgreSQL with TLS and
//! connects to it with `sslmode=verify-full`; otherwise uses that server.

#[tokio::main]
async fn main() -> Result<(), secure_pg::Error> {
    secure_pg_examples::quickstart(&mut std::io::stdout()).await
}
