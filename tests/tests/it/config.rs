//! Connection strings, environment variables and the builder (no server
//! needed, but in this binary so the whole suite is one command).

use std::path::PathBuf;
use std::time::Duration;

use secure_pg::{ChannelBinding, Config, ErrorKind, Host, RootCerts, SslMode};
use secure_pg_tests::APP_PASSWORD;

use crate::support::{checked, expect_err};

fn parse(s: &str) -> Result<Config, secure_pg::Error> {
    Config::parse_with_env(s, |_| None)
}

#[test]
fn url_and_key_value_forms_mean_the_same() {
    let url = parse(&format!(
        "postgresql://app:{}@[::1]:6432/shop?sslmode=verify-ca&sslrootcert=/etc/ca.pem&connect_timeout=3&application_name=api&keepalives=1&keepalives_idle=30&keepalives_interval=5&keepalives_count=4&statement_timeout=1500&idle_in_transaction_session_timeout=2s&channel_binding=require",
        "p%40ss%2Fw0rd"
    ))
    .unwrap();
    let kv = parse(
        "host=::1 port=6432 user=app password='p@ss/w0rd' dbname=shop sslmode=verify-ca \
         sslrootcert=/etc/ca.pem connect_timeout=3 application_name=api keepalives=1 \
         keepalives_idle=30 keepalives_interval=5 keepalives_count=4 statement_timeout=1500 idle_in_transaction_session_timeout=2s \
         channel_binding=require",
    )
    .unwrap();
    let built = Config::builder()
        .host("::1")
        .port(6432)
        .user("app")
        .password("p@ss/w0rd")
        .dbname("shop")
        .sslmode(SslMode::VerifyCa)
        .sslrootcert("/etc/ca.pem")
        .connect_timeout(Duration::from_secs(3))
        .application_name("api")
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(30))
        .keepalives_interval(Duration::from_secs(5))
        .keepalives_count(4)
        .statement_timeout(Duration::from_millis(1500))
        .idle_in_transaction_session_timeout(Duration::from_secs(2))
        .channel_binding(ChannelBinding::Require)
        .build();
    for c in [&url, &kv, &built] {
        assert_eq!(c.get_hosts(), &[Host::Tcp("::1".into())]);
        assert_eq!(c.get_ports(), &[6432]);
        assert_eq!(c.get_user(), Some("app"));
        assert!(c.has_password());
        assert_eq!(c.get_dbname(), Some("shop"));
        assert_eq!(c.get_sslmode(), SslMode::VerifyCa);
        assert_eq!(
            c.get_sslrootcert(),
            Some(&RootCerts::File(PathBuf::from("/etc/ca.pem")))
        );
        assert_eq!(c.get_connect_timeout(), Duration::from_secs(3));
        assert_eq!(c.get_application_name(), Some("api"));
        assert_eq!(c.get_statement_timeout(), Some(Duration::from_millis(1500)));
        assert_eq!(
            c.get_idle_in_transaction_session_timeout(),
            Some(Duration::from_secs(2))
        );
        assert_eq!(c.get_channel_binding(), ChannelBinding::Require);
    }
    // The redacted URL and Debug of each are identical, and show every
    // option given.
    assert_eq!(url.to_string(), kv.to_string());
    assert_eq!(url.to_string(), built.to_string());
    assert_eq!(format!("{url:?}"), format!("{kv:?}"));
    assert_eq!(format!("{url:?}"), format!("{built:?}"));
    let shown = url.to_string();
    assert!(shown.contains(":***@"), "{shown}");
    for part in [
        "keepalives_idle=30",
        "keepalives_interval=5",
        "keepalives_count=4",
        "channel_binding=require",
    ] {
        assert!(shown.contains(part), "{shown}");
    }
    let debug = format!("{built:?}");
    assert!(debug.contains("keepalives_interval: Some(5s)"), "{debug}");
    assert!(debug.contains("keepalives_count: Some(4)"), "{debug}");
}

#[test]
fn secrets_never_appear_in_debug_or_display() {
    let c = parse(&format!("postgres://app:{APP_PASSWORD}@db.internal/x")).unwrap();
    for s in [format!("{c}"), format!("{c:?}"), format!("{c:#?}")] {
        assert!(!s.contains(APP_PASSWORD), "{s}");
    }
    let s = secure_pg::Secret::new(APP_PASSWORD);
    assert_eq!(format!("{s:?}"), "Secret(***)");
}

#[test]
fn libpq_environment_variables_fill_in_and_the_string_wins() {
    let env = |name: &str| match name {
        "PGSSLMODE" => Some("verify-ca".to_string()),
        "PGAPPNAME" => Some("from-env".to_string()),
        "PGCONNECT_TIMEOUT" => Some("7".to_string()),
        "PGSSLROOTCERT" => Some("/env/ca.pem".to_string()),
        "PGHOST" => Some("envhost".to_string()),
        _ => None,
    };
    let c = Config::parse_with_env("postgres://app@db/x?sslmode=verify-full", env).unwrap();
    assert_eq!(c.get_sslmode(), SslMode::VerifyFull, "the URL wins");
    assert_eq!(c.get_application_name(), Some("from-env"));
    assert_eq!(c.get_connect_timeout(), Duration::from_secs(7));
    assert_eq!(c.get_hosts(), &[Host::Tcp("db".into())]);
    assert_eq!(
        c.get_sslrootcert(),
        Some(&RootCerts::File("/env/ca.pem".into()))
    );
    let c = Config::parse_with_env("dbname=x", env).unwrap();
    assert_eq!(c.get_hosts(), &[Host::Tcp("envhost".into())]);
    assert_eq!(c.get_sslmode(), SslMode::VerifyCa);
    // A bad value in the environment names the variable.
    let bad = |name: &str| (name == "PGSSLMODE").then(|| "sometimes".to_string());
    let e = expect_err(Config::parse_with_env("dbname=x", bad));
    assert!(e.to_string().contains("PGSSLMODE"), "{e}");
    assert!(e.to_string().contains("`sslmode`"), "{e}");
}

#[test]
fn bad_inputs_are_clear_errors_naming_the_option() {
    let cases: &[(&str, &str)] = &[
        (
            "postgres://h/x?sslmod=verify-full",
            "unknown connection option `sslmod`",
        ),
        ("postgres://h/x?ssl=true", "unknown connection option `ssl`"),
        ("host=h bogus=1", "unknown connection option `bogus`"),
        ("postgres://h:99999/x", "invalid value for `port`"),
        ("postgres://h:0/x", "invalid value for `port`"),
        ("postgres://h:abc/x", "invalid value for `port`"),
        (
            "postgres://h/x?connect_timeout=soon",
            "invalid value for `connect_timeout`",
        ),
        (
            "postgres://h/x?connect_timeout=0",
            "invalid value for `connect_timeout`",
        ),
        (
            "postgres://h/x?connect_timeout=-5",
            "invalid value for `connect_timeout`",
        ),
        (
            "postgres://h/x?statement_timeout=5parsecs",
            "invalid value for `statement_timeout`",
        ),
        (
            "postgres://h/x?keepalives=maybe",
            "invalid value for `keepalives`",
        ),
        (
            "postgres://h/x?sslmode=verify",
            "invalid value for `sslmode`",
        ),
        (
            "postgres://h/x?channel_binding=yes",
            "invalid value for `channel_binding`",
        ),
        ("postgres://[::1/x", "malformed connection string"),
        ("mysql://h/x", "malformed connection string"),
        ("postgres://u:%zz@h/x", "malformed connection string"),
        ("password='open", "malformed connection string"),
        ("just some words", "malformed connection string"),
    ];
    for (input, expected) in cases {
        let e = expect_err(parse(input));
        assert_eq!(e.kind(), ErrorKind::Configuration, "{input}");
        assert!(e.to_string().contains(expected), "{input}: {e}");
    }
}

#[test]
fn a_password_in_a_malformed_string_is_not_echoed() {
    for input in [
        format!("postgres://app:{APP_PASSWORD}@h:99999/x"),
        format!("postgres://app:{APP_PASSWORD}%zz@h/x"),
        format!("host=h password={APP_PASSWORD} sslmode=nope"),
        format!("host=h password='{APP_PASSWORD}"),
    ] {
        checked(expect_err(parse(&input)));
    }
}

/// Every rendering of a parse error, checked for the password and for
/// pieces of it (a password with a space, quote, `/`, `@`, `%` or `?` can
/// move the parser's idea of where it ends).
fn assert_no_piece_of(password: &str, e: &secure_pg::Error) {
    let renderings = [
        e.to_string(),
        format!("{e:#}"),
        format!("{e:?}"),
        e.detail().to_string(),
    ];
    let chars: Vec<char> = password.chars().collect();
    for r in &renderings {
        for w in chars.windows(4) {
            let piece: String = w.iter().collect();
            assert!(
                !r.contains(&piece),
                "`{piece}` of the password leaked into: {r}"
            );
        }
    }
}

#[test]
fn parse_errors_never_quote_any_part_of_the_password() {
    let cases: Vec<(String, &str)> = vec![
        // A URL missing one slash reads as one key=value token.
        ("postgres:/app:Zq9Xw7Kv@db.internal/shop".into(), "Zq9Xw7Kv"),
        (
            "postgresql:app:Zq9Xw7Kv@db.internal/shop".into(),
            "Zq9Xw7Kv",
        ),
        // key=value with a space in an unquoted password.
        (
            "host=db password=Zq9X w7Kv sslmode=require".into(),
            "Zq9X w7Kv",
        ),
        ("host=db password=Zq9X w7Kv=Jp4M".into(), "Zq9X w7Kv=Jp4M"),
        ("host=db password='Zq9X'w7Kv=Jp4M".into(), "Zq9X'w7Kv=Jp4M"),
        ("password=Zq9X w7Kv\\".into(), "Zq9X w7Kv\\"),
        // URL passwords with unencoded `/`, `?`, `@`, `%`.
        ("postgres://app:Zq9X/w7Kv@db/shop".into(), "Zq9X/w7Kv"),
        (
            "postgres://app:Zq9X?w7Kv=Jp4M@db/shop".into(),
            "Zq9X?w7Kv=Jp4M",
        ),
        ("postgres://app:Zq9X%w7Kv@db/shop".into(), "Zq9X%w7Kv"),
        (
            "postgres://app:Zq9X/w7Kv?Jp4M%zz@db/shop".into(),
            "Zq9X/w7Kv?Jp4M%zz",
        ),
        (
            "postgres://app:Zq9Xé中w7Kv/x@db:5432/shop".into(),
            "Zq9Xé中w7Kv/x",
        ),
    ];
    for (input, password) in &cases {
        let e = expect_err(parse(input));
        assert_eq!(e.kind(), ErrorKind::Configuration, "{input}");
        assert_no_piece_of(password, &e);
    }
}

#[test]
fn a_url_missing_a_slash_says_so() {
    let e = expect_err(parse("postgres:/app:Zq9Xw7Kv@db/shop"));
    assert!(e.to_string().contains("followed by `//`"), "{e}");
}

#[test]
fn hostaddr_is_what_the_host_rules_judge() {
    // A remote hostaddr behind `localhost`: no plaintext exemption.
    let mut c = parse("host=localhost hostaddr=10.1.2.3 sslmode=disable").unwrap();
    c.set_environment(secure_pg::Environment::Development);
    let e = expect_err(c.validate());
    assert!(e.to_string().contains("not loopback"), "{e}");
    assert!(format!("{e:#}").contains("10.1.2.3"), "{e:#}");
    // The same from PGHOSTADDR.
    let mut c = Config::parse_with_env("postgres://localhost/db?sslmode=disable", |v| {
        (v == "PGHOSTADDR").then(|| "10.1.2.3".to_string())
    })
    .unwrap();
    c.set_environment(secure_pg::Environment::Development);
    expect_err(c.validate());
    // Display shows the hostaddr.
    assert!(c.to_string().contains("hostaddr=10.1.2.3"), "{c}");
    // A count mismatch between host and hostaddr is refused.
    let c = parse("host=a,b hostaddr=10.1.2.3").unwrap();
    expect_err(c.validate());
}
