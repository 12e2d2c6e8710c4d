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

    // APP_ENV: only a short list of names means development; anything else
    // set (prd, live, staging...) gets production rules. Plaintext to
    // loopback tells them apart.
    let plaintext =
        Config::parse_with_env("postgres://localhost/x?sslmode=disable", |_| None).unwrap();
    std::env::remove_var("APP_ENV");
    plaintext
        .validate()
        .expect("unset APP_ENV means development");
    for dev in ["development", "dev", "local", "test", "DEV", " Local "] {
        std::env::set_var("APP_ENV", dev);
        plaintext
            .validate()
            .unwrap_or_else(|e| panic!("APP_ENV={dev}: {e}"));
    }
    for prod in [
        "production",
        "prod",
        "prd",
        "live",
        "staging",
        "PRODUCTION",
        "qa",
    ] {
        std::env::set_var("APP_ENV", prod);
        let e = plaintext
            .validate()
            .expect_err(&format!("APP_ENV={prod} must mean production"));
        assert!(e.to_string().contains("production"), "{prod}: {e}");
    }
    std::env::remove_var("APP_ENV");
}
