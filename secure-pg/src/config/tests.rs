//! Parity of every option in the table across the ways of giving it: a URL,
//! a `key=value` string, its libpq environment variable, [`Config::set`]
//! and the builder; and the table's own consistency.

use std::net::{IpAddr, Ipv6Addr};
use std::time::Duration;

use super::options::{InUrl, OPTIONS};
use super::parse::percent_encode;
use super::*;

type Build = fn(ConfigBuilder) -> ConfigBuilder;

/// Values for `key` (each different from the default), with the builder
/// calls that mean the same. An option added to the table without a builder
/// method and a line here fails the parity test.
fn samples(key: &str) -> Vec<(&'static str, Build)> {
    match key {
        "host" => vec![
            ("db1.internal,/var/run/postgresql", |b| {
                b.host("db1.internal").host("/var/run/postgresql")
            }),
            ("::1", |b| b.host("::1")),
        ],
        "hostaddr" => vec![("10.0.0.7,::1", |b| {
            b.hostaddr(IpAddr::from([10, 0, 0, 7]))
                .hostaddr(IpAddr::V6(Ipv6Addr::LOCALHOST))
        })],
        "port" => vec![
            ("6432", |b| b.port(6432)),
            ("5433,5434", |b| b.port(5433).port(5434)),
        ],
        "user" => vec![("app user@x", |b| b.user("app user@x"))],
        "password" => vec![(r"p@ss 'w\rd&=?", |b| b.password(r"p@ss 'w\rd&=?"))],
        "dbname" => vec![("shop/eu", |b| b.dbname("shop/eu"))],
        "sslmode" => vec![
            ("verify-ca", |b| b.sslmode(SslMode::VerifyCa)),
            ("require", |b| b.sslmode(SslMode::Require)),
            ("disable", |b| b.sslmode(SslMode::Disable)),
        ],
        "sslrootcert" => vec![
            ("/etc/ssl/db ca.pem", |b| {
                b.sslrootcert("/etc/ssl/db ca.pem")
            }),
            ("system", |b| b.sslrootcert_system()),
        ],
        "sslcert" => vec![("/etc/ssl/client.pem", |b| b.sslcert("/etc/ssl/client.pem"))],
        "sslkey" => vec![("/etc/ssl/client.key", |b| b.sslkey("/etc/ssl/client.key"))],
        "connect_timeout" => vec![
            ("7", |b| b.connect_timeout(Duration::from_secs(7))),
            ("250ms", |b| b.connect_timeout(Duration::from_millis(250))),
        ],
        "application_name" => vec![("my app", |b| b.application_name("my app"))],
        "keepalives" => vec![("0", |b| b.keepalives(false))],
        "keepalives_idle" => vec![("30", |b| b.keepalives_idle(Duration::from_secs(30)))],
        "keepalives_interval" => vec![("5", |b| b.keepalives_interval(Duration::from_secs(5)))],
        "keepalives_count" => vec![("4", |b| b.keepalives_count(4))],
        "options" => vec![("-c search_path=app", |b| b.options("-c search_path=app"))],
        "statement_timeout" => vec![
            ("1500", |b| b.statement_timeout(Duration::from_millis(1500))),
            ("2min", |b| b.statement_timeout(Duration::from_secs(120))),
            ("0.5", |b| b.statement_timeout(Duration::from_micros(500))),
        ],
        "idle_in_transaction_session_timeout" => vec![("2s", |b| {
            b.idle_in_transaction_session_timeout(Duration::from_secs(2))
        })],
        "channel_binding" => vec![
            ("require", |b| b.channel_binding(ChannelBinding::Require)),
            ("disable", |b| b.channel_binding(ChannelBinding::Disable)),
        ],
        "target_session_attrs" => vec![
            ("read-write", |b| {
                b.target_session_attrs(TargetSessionAttrs::ReadWrite)
            }),
            ("prefer-standby", |b| {
                b.target_session_attrs(TargetSessionAttrs::PreferStandby)
            }),
        ],
        _ => Vec::new(),
    }
}

/// Everything a configuration holds, the password included.
fn fingerprint(c: &Config) -> String {
    format!(
        "{c:?} password={:?}",
        c.password.as_ref().map(Secret::expose)
    )
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn quote(v: &str) -> String {
    format!("'{}'", v.replace('\\', r"\\").replace('\'', r"\'"))
}

#[test]
fn every_option_means_the_same_from_url_key_value_env_set_and_builder() {
    let default = Config::default();
    for option in OPTIONS {
        let key = option.key;
        let samples = samples(key);
        assert!(
            !samples.is_empty(),
            "option `{key}` has no parity sample: give ConfigBuilder a method for it \
             and add it to `samples`"
        );
        for (value, build) in samples {
            let ctx = format!("{key}={value}");
            let built = build(Config::builder()).build();
            let want = fingerprint(&built);
            assert_ne!(
                want,
                fingerprint(&default),
                "{ctx}: the sample is the default"
            );
            assert_ne!(
                format!("{built:?}"),
                format!("{default:?}"),
                "{ctx}: Debug does not show the option"
            );

            let url = format!("postgres://?{key}={}", percent_encode(value));
            let from_url = Config::parse_with_env(&url, no_env).unwrap();
            assert_eq!(fingerprint(&from_url), want, "{ctx}: URL {url}");

            let kv = format!("{key}={}", quote(value));
            let from_kv = Config::parse_with_env(&kv, no_env).unwrap();
            assert_eq!(fingerprint(&from_kv), want, "{ctx}: key=value {kv}");

            let mut set = Config::new();
            set.set(key, value).unwrap();
            assert_eq!(fingerprint(&set), want, "{ctx}: Config::set");

            if let Some(var) = option.env {
                let env = |name: &str| (name == var).then(|| value.to_string());
                let from_env = Config::parse_with_env("", env).unwrap();
                assert_eq!(fingerprint(&from_env), want, "{ctx}: {var}");
                // The string wins over the environment variable.
                let other = Config::parse_with_env(&kv, |name: &str| {
                    (name == var).then(|| "\u{1}".to_string())
                });
                assert_eq!(
                    fingerprint(&other.unwrap()),
                    want,
                    "{ctx}: {var} overridden"
                );
            }

            // The option's value in libpq spelling sets it back.
            if !option.secret {
                let spelled = (option.get)(&built).expect("a set option has a value");
                let mut again = Config::new();
                again.set(key, &spelled).unwrap();
                assert_eq!(fingerprint(&again), want, "{ctx}: spelled as {spelled}");
            }

            // The redacted URL shows it and parses back to the same.
            let shown = built.to_string();
            if option.secret {
                let rendered = format!("{shown} {built:?} {built:#?}");
                assert!(!rendered.contains(value), "{ctx}: {rendered}");
            } else {
                let back = Config::parse_with_env(&shown, no_env).unwrap();
                assert_eq!(fingerprint(&back), want, "{ctx}: Display {shown}");
                if option.in_url != InUrl::Authority {
                    assert!(shown.contains(&format!("{key}=")), "{ctx}: {shown}");
                }
            }
        }
    }
}

#[test]
fn the_table_is_consistent() {
    let mut keys: Vec<&str> = OPTIONS.iter().map(|o| o.key).collect();
    let mut fields: Vec<&str> = OPTIONS.iter().map(|o| o.field).collect();
    let mut vars: Vec<&str> = OPTIONS.iter().filter_map(|o| o.env).collect();
    for list in [&mut keys, &mut fields, &mut vars] {
        let n = list.len();
        list.sort_unstable();
        list.dedup();
        assert_eq!(list.len(), n, "duplicates in {list:?}");
    }
    assert!(vars.iter().all(|v| v.starts_with("PG")));
    assert_eq!(
        OPTIONS
            .iter()
            .filter(|o| o.secret)
            .map(|o| o.key)
            .collect::<Vec<_>>(),
        ["password"]
    );
    // The public list is the table's, and still holds every variable it did.
    let derived: Vec<(&str, &str)> = OPTIONS
        .iter()
        .filter_map(|o| o.env.map(|v| (v, o.key)))
        .collect();
    assert_eq!(LIBPQ_ENV_VARS, &derived[..]);
    for var in [
        "PGHOST",
        "PGHOSTADDR",
        "PGPORT",
        "PGUSER",
        "PGPASSWORD",
        "PGDATABASE",
        "PGSSLMODE",
        "PGSSLROOTCERT",
        "PGSSLCERT",
        "PGSSLKEY",
        "PGAPPNAME",
        "PGCONNECT_TIMEOUT",
        "PGOPTIONS",
        "PGCHANNELBINDING",
        "PGTARGETSESSIONATTRS",
    ] {
        assert!(LIBPQ_ENV_VARS.iter().any(|(v, _)| *v == var), "{var}");
    }
    // Unset or default options are not in the URL, except the TLS mode.
    assert_eq!(
        Config::default().to_string(),
        "postgres:///?sslmode=verify-full"
    );
}

#[test]
fn errors_name_the_option_and_never_echo_the_value() {
    const BAD: &str = "\u{1}s3cret-value,";
    let e = Config::parse_with_env("bogus=1", no_env).unwrap_err();
    assert_eq!(e.to_string(), "unknown connection option `bogus`");
    let known: Vec<&str> = OPTIONS.iter().map(|o| o.key).collect();
    assert!(format!("{e:#}").contains(&format!("known options: {}", known.join(", "))));
    assert_eq!(
        Config::new().set("bogus", "1").unwrap_err().to_string(),
        "unknown connection option `bogus`"
    );
    for option in OPTIONS {
        if let Err(e) = Config::new().set(option.key, BAD) {
            assert_eq!(e.kind(), ErrorKind::Configuration);
            let shown = format!("{e} {e:#} {e:?}");
            assert!(
                shown.contains(&format!("invalid value for `{}`", option.key)),
                "{shown}"
            );
            assert!(!shown.contains("s3cret"), "{shown}");
        }
    }
    assert_eq!(
        Config::new().set("sslmode", "x").unwrap_err().to_string(),
        "invalid value for `sslmode`: expected one of disable, allow, prefer, require, \
         verify-ca, verify-full"
    );
    assert_eq!(
        Config::new()
            .set("channel_binding", "x")
            .unwrap_err()
            .to_string(),
        "invalid value for `channel_binding`: expected one of disable, prefer, require"
    );
    assert_eq!(
        Config::new()
            .set("target_session_attrs", "x")
            .unwrap_err()
            .to_string(),
        "invalid value for `target_session_attrs`: expected one of any, read-write, \
         read-only, primary, standby, prefer-standby"
    );
}

#[test]
fn debug_shows_every_option_and_redacts_the_password() {
    let c = Config::builder()
        .password("hunter2-secret")
        .keepalives_interval(Duration::from_secs(5))
        .keepalives_count(3)
        .build();
    let debug = format!("{c:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains(r#"password: Some("***")"#), "{debug}");
    assert!(debug.contains("keepalives_interval: Some(5s)"), "{debug}");
    assert!(debug.contains("keepalives_count: Some(3)"), "{debug}");
    for option in OPTIONS {
        assert!(debug.contains(&format!("{}: ", option.field)), "{debug}");
    }
    assert!(debug.ends_with("environment: FromEnv }"), "{debug}");
}

#[test]
fn production_refusal_of_weak_sslmodes_says_what_to_write_instead() {
    for mode in ["require", "verify-ca"] {
        let mut c = Config::parse_with_env(
            &format!("postgres://app@db.example.com/x?sslmode={mode}"),
            no_env,
        )
        .unwrap();
        c.set_environment(Environment::Production);
        let e = c.validate().unwrap_err().to_string();
        assert!(
            e.contains(&format!("sslmode={mode} is refused in production")),
            "{e}"
        );
        assert!(e.contains("[sslmode-not-verify-full]"), "{e}");
        // The two exact replacements: public CA, or the provider's bundle.
        assert!(e.contains("sslmode=verify-full&sslrootcert=system"), "{e}");
        assert!(
            e.contains("sslmode=verify-full&sslrootcert=/path/to/provider-ca.pem"),
            "{e}"
        );
        assert!(e.contains("RDS: AWS's global-bundle.pem"), "{e}");
        assert!(
            e.contains("dangerous_allow_sslmode_below_verify_full()"),
            "{e}"
        );
        // Still names no host.
        assert!(!e.contains("db.example.com"), "{e}");
        // What it suggests is itself accepted in production.
        let mut fixed = Config::parse_with_env(
            "postgres://app@db.example.com/x?sslmode=verify-full&sslrootcert=system",
            no_env,
        )
        .unwrap();
        fixed.set_environment(Environment::Production);
        fixed.validate().unwrap();
    }
}
