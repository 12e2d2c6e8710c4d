//! `Config::from_env` reads the real process environment, so it has a test
//! binary of its own: nothing else runs while it changes variables.

use secure_pg::{Config, ErrorKind, SslMode};

#[test]
fn from_env_reads_database_url_and_libpq_variables() {
    // SAFETY-free: this binary has exactly one test, so no other thread
    // reads the environment concurrently.
    std::env::remove_var("DATABASE_URL");
    let e = Config::from_env().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration);
    assert_eq!(
        e.to_string(),
        "DATABASE_URL environment variable must be set"
    );

    std::env::set_var("DATABASE_URL", "postgres://app@db.internal/shop");
    std::env::set_var("PGSSLMODE", "verify-ca");
    std::env::set_var("PGAPPNAME", "from-env");
    let c = Config::from_env().unwrap();
    assert_eq!(c.get_sslmode(), SslMode::VerifyCa);
    assert_eq!(c.get_application_name(), Some("from-env"));

    std::env::set_var(
        "DATABASE_URL",
        "postgres://app@db.internal/shop?sslmode=verify-full",
    );
    assert_eq!(
        Config::from_env().unwrap().get_sslmode(),
        SslMode::VerifyFull
    );
    std::env::remove_var("PGSSLMODE");
    std::env::remove_var("PGAPPNAME");
    std::env::remove_var("DATABASE_URL");
}
