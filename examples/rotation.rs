//! `cargo run -p secure-pg-examples --example rotation`
//!
//! A pool keeps serving while the database password rotates through a
//! secret file.

#[tokio::main]
async fn main() -> Result<(), secure_pg::Error> {
    let failures = secure_pg_examples::rotation::rotation(&mut std::io::stdout()).await?;
    std::process::exit(if failures <= 1 { 0 } else { 1 })
}
