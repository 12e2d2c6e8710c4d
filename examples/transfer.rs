//! `cargo run -p secure-pg-examples --example transfer`
//!
//! Money in NUMERIC with `secure_pg::Decimal`: concurrent serializable
//! transfers that move exact amounts. With `DATABASE_URL` unset, starts a
//! throwaway PostgreSQL with TLS.

#[tokio::main]
async fn main() -> Result<(), secure_pg::Error> {
    secure_pg_examples::transfer::run(&mut std::io::stdout(), 300)
        .await
        .map(|_| ())
}
