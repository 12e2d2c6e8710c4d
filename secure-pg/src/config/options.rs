//! The one table of connection options. The parser's known keys, applying a
//! value ([`Config::set`]), the libpq environment variables, `Debug` and the
//! redacted URL of `Display` are all read from [`OPTIONS`]; the builder's
//! methods are written by hand and a test walks the table to prove that each
//! option means the same from a URL, a `key=value` string, its environment
//! variable and the builder.

use std::fmt;
use std::time::Duration;

use super::parse::{bool_option, duration_option, host_from_str, non_empty_path};
use super::TargetSessionAttrs;
use super::{host_display, invalid_value, ChannelBinding, Config, RootCerts, Secret, SslMode};
use crate::error::Error;

/// Where the redacted URL of `Display` shows an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InUrl {
    /// In the user info, host list or path, written by `Config::write_url`.
    Authority,
    /// As `?key=value`, when the value differs from the default.
    Query,
    /// As `?key=value`, always (`sslmode`: the mode is always visible).
    QueryAlways,
}

/// Parses `value` and stores it in the configuration.
pub(crate) type Setter = fn(&mut Config, &str) -> Result<(), Error>;
/// The option's value in the libpq spelling that its [`Setter`] accepts, or
/// `None` when unset. Secret options give `***`, never the value.
pub(crate) type Getter = fn(&Config) -> Option<String>;
/// The value as `Debug` shows it (secrets redacted).
pub(crate) type DebugValue = fn(&Config) -> &dyn fmt::Debug;

/// One connection option.
pub(crate) struct OptionSpec {
    /// The libpq name, in URLs and `key=value` strings.
    pub(crate) key: &'static str,
    /// The libpq environment variable that supplies it, if libpq has one.
    pub(crate) env: Option<&'static str>,
    /// Whether the value is a secret: never shown by `Debug`, `Display` or
    /// an error message.
    pub(crate) secret: bool,
    /// Where `Display` shows it.
    pub(crate) in_url: InUrl,
    /// The field name `Debug` shows it under.
    pub(crate) field: &'static str,
    /// Parses and applies a value.
    pub(crate) set: Setter,
    /// Renders the value for the URL.
    pub(crate) get: Getter,
    /// Renders the value for `Debug`.
    pub(crate) debug: DebugValue,
}

/// Every connection option, in the order of libpq's documentation (which is
/// the order of `Debug`, of the URL's parameters and of the list of known
/// options in the unknown-option error).
pub(crate) const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        key: "host",
        env: Some("PGHOST"),
        secret: false,
        in_url: InUrl::Authority,
        field: "hosts",
        set: |c, v| {
            c.hosts = v
                .split(',')
                .map(|h| {
                    if h.is_empty() {
                        Err(invalid_value("host", "a host in the list is empty"))
                    } else {
                        Ok(host_from_str(h))
                    }
                })
                .collect::<Result<_, _>>()?;
            Ok(())
        },
        get: |c| list(c.hosts.iter().map(host_display)),
        debug: |c| &c.hosts,
    },
    OptionSpec {
        key: "hostaddr",
        env: Some("PGHOSTADDR"),
        secret: false,
        in_url: InUrl::Query,
        field: "hostaddrs",
        set: |c, v| {
            c.hostaddrs = v
                .split(',')
                .map(|a| {
                    a.parse()
                        .map_err(|_| invalid_value("hostaddr", "expected a numeric IP address"))
                })
                .collect::<Result<_, _>>()?;
            Ok(())
        },
        get: |c| list(c.hostaddrs.iter().map(|a| a.to_string())),
        debug: |c| &c.hostaddrs,
    },
    OptionSpec {
        key: "port",
        env: Some("PGPORT"),
        secret: false,
        in_url: InUrl::Authority,
        field: "ports",
        set: |c, v| {
            c.ports = v
                .split(',')
                .map(|p| {
                    if p.is_empty() {
                        return Ok(5432);
                    }
                    match p.parse::<u16>() {
                        Ok(0) | Err(_) => {
                            Err(invalid_value("port", "expected a number from 1 to 65535"))
                        }
                        Ok(n) => Ok(n),
                    }
                })
                .collect::<Result<_, _>>()?;
            Ok(())
        },
        get: |c| list(c.ports.iter().map(|p| p.to_string())),
        debug: |c| &c.ports,
    },
    OptionSpec {
        key: "user",
        env: Some("PGUSER"),
        secret: false,
        in_url: InUrl::Authority,
        field: "user",
        set: |c, v| {
            c.user = Some(v.to_string());
            Ok(())
        },
        get: |c| c.user.clone(),
        debug: |c| &c.user,
    },
    OptionSpec {
        key: "password",
        env: Some("PGPASSWORD"),
        secret: true,
        in_url: InUrl::Authority,
        field: "password",
        set: |c, v| {
            c.password = Some(Secret::new(v));
            Ok(())
        },
        get: |c| c.password.as_ref().map(|_| "***".to_string()),
        debug: |c| {
            if c.password.is_some() {
                &Some("***")
            } else {
                &None::<&str>
            }
        },
    },
    OptionSpec {
        key: "dbname",
        env: Some("PGDATABASE"),
        secret: false,
        in_url: InUrl::Authority,
        field: "dbname",
        set: |c, v| {
            c.dbname = Some(v.to_string());
            Ok(())
        },
        get: |c| c.dbname.clone(),
        debug: |c| &c.dbname,
    },
    OptionSpec {
        key: "sslmode",
        env: Some("PGSSLMODE"),
        secret: false,
        in_url: InUrl::QueryAlways,
        field: "sslmode",
        set: |c, v| {
            c.sslmode = v.parse::<SslMode>()?;
            Ok(())
        },
        get: |c| Some(c.sslmode.as_str().to_string()),
        debug: |c| &c.sslmode,
    },
    OptionSpec {
        key: "sslrootcert",
        env: Some("PGSSLROOTCERT"),
        secret: false,
        in_url: InUrl::Query,
        field: "sslrootcert",
        set: |c, v| {
            c.sslrootcert = Some(if v == "system" {
                RootCerts::System
            } else {
                RootCerts::File(non_empty_path("sslrootcert", v)?)
            });
            Ok(())
        },
        get: |c| {
            c.sslrootcert.as_ref().map(|r| match r {
                RootCerts::System => "system".to_string(),
                RootCerts::File(p) => p.to_string_lossy().into_owned(),
            })
        },
        debug: |c| &c.sslrootcert,
    },
    OptionSpec {
        key: "sslcert",
        env: Some("PGSSLCERT"),
        secret: false,
        in_url: InUrl::Query,
        field: "sslcert",
        set: |c, v| {
            c.sslcert = Some(non_empty_path("sslcert", v)?);
            Ok(())
        },
        get: |c| c.sslcert.as_ref().map(|p| p.to_string_lossy().into_owned()),
        debug: |c| &c.sslcert,
    },
    OptionSpec {
        key: "sslkey",
        env: Some("PGSSLKEY"),
        secret: false,
        in_url: InUrl::Query,
        field: "sslkey",
        set: |c, v| {
            c.sslkey = Some(non_empty_path("sslkey", v)?);
            Ok(())
        },
        get: |c| c.sslkey.as_ref().map(|p| p.to_string_lossy().into_owned()),
        debug: |c| &c.sslkey,
    },
    OptionSpec {
        key: "connect_timeout",
        env: Some("PGCONNECT_TIMEOUT"),
        secret: false,
        in_url: InUrl::Query,
        field: "connect_timeout",
        set: |c, v| {
            let t = duration_option("connect_timeout", v, "s")?;
            if t < Duration::from_millis(1) {
                return Err(invalid_value(
                    "connect_timeout",
                    "0 would wait forever; give a positive number of seconds",
                ));
            }
            c.connect_timeout = Some(t);
            Ok(())
        },
        get: |c| c.connect_timeout.map(seconds),
        debug: |c| &c.connect_timeout,
    },
    OptionSpec {
        key: "application_name",
        env: Some("PGAPPNAME"),
        secret: false,
        in_url: InUrl::Query,
        field: "application_name",
        set: |c, v| {
            c.application_name = Some(v.to_string());
            Ok(())
        },
        get: |c| c.application_name.clone(),
        debug: |c| &c.application_name,
    },
    OptionSpec {
        key: "keepalives",
        env: None,
        secret: false,
        in_url: InUrl::Query,
        field: "keepalives",
        set: |c, v| {
            c.keepalives = bool_option("keepalives", v)?;
            Ok(())
        },
        get: |c| Some(if c.keepalives { "1" } else { "0" }.to_string()),
        debug: |c| &c.keepalives,
    },
    OptionSpec {
        key: "keepalives_idle",
        env: None,
        secret: false,
        in_url: InUrl::Query,
        field: "keepalives_idle",
        set: |c, v| {
            c.keepalives_idle = Some(duration_option("keepalives_idle", v, "s")?);
            Ok(())
        },
        get: |c| c.keepalives_idle.map(seconds),
        debug: |c| &c.keepalives_idle,
    },
    OptionSpec {
        key: "keepalives_interval",
        env: None,
        secret: false,
        in_url: InUrl::Query,
        field: "keepalives_interval",
        set: |c, v| {
            c.keepalives_interval = Some(duration_option("keepalives_interval", v, "s")?);
            Ok(())
        },
        get: |c| c.keepalives_interval.map(seconds),
        debug: |c| &c.keepalives_interval,
    },
    OptionSpec {
        key: "keepalives_count",
        env: None,
        secret: false,
        in_url: InUrl::Query,
        field: "keepalives_count",
        set: |c, v| {
            c.keepalives_retries = Some(
                v.parse()
                    .map_err(|_| invalid_value("keepalives_count", "expected a whole number"))?,
            );
            Ok(())
        },
        get: |c| c.keepalives_retries.map(|n| n.to_string()),
        debug: |c| &c.keepalives_retries,
    },
    OptionSpec {
        key: "options",
        env: Some("PGOPTIONS"),
        secret: false,
        in_url: InUrl::Query,
        field: "options",
        set: |c, v| {
            c.options = Some(v.to_string());
            Ok(())
        },
        get: |c| c.options.clone(),
        debug: |c| &c.options,
    },
    OptionSpec {
        key: "statement_timeout",
        env: None,
        secret: false,
        in_url: InUrl::Query,
        field: "statement_timeout",
        set: |c, v| {
            c.statement_timeout = Some(duration_option("statement_timeout", v, "ms")?);
            Ok(())
        },
        get: |c| c.statement_timeout.map(milliseconds),
        debug: |c| &c.statement_timeout,
    },
    OptionSpec {
        key: "idle_in_transaction_session_timeout",
        env: None,
        secret: false,
        in_url: InUrl::Query,
        field: "idle_in_transaction_session_timeout",
        set: |c, v| {
            c.idle_in_transaction_session_timeout = Some(duration_option(
                "idle_in_transaction_session_timeout",
                v,
                "ms",
            )?);
            Ok(())
        },
        get: |c| c.idle_in_transaction_session_timeout.map(milliseconds),
        debug: |c| &c.idle_in_transaction_session_timeout,
    },
    OptionSpec {
        key: "channel_binding",
        env: Some("PGCHANNELBINDING"),
        secret: false,
        in_url: InUrl::Query,
        field: "channel_binding",
        set: |c, v| {
            c.channel_binding = one_of("channel_binding", v, ChannelBinding::ALL, |b| b.as_str())?;
            Ok(())
        },
        get: |c| Some(c.channel_binding.as_str().to_string()),
        debug: |c| &c.channel_binding,
    },
    OptionSpec {
        key: "target_session_attrs",
        env: Some("PGTARGETSESSIONATTRS"),
        secret: false,
        in_url: InUrl::Query,
        field: "target_session_attrs",
        set: |c, v| {
            c.target_session_attrs =
                one_of("target_session_attrs", v, TargetSessionAttrs::ALL, |a| {
                    a.as_str()
                })?;
            Ok(())
        },
        get: |c| Some(c.target_session_attrs.as_str().to_string()),
        debug: |c| &c.target_session_attrs,
    },
];

/// The option called `key`.
pub(crate) fn find(key: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.key == key)
}

/// The environment variables of [`OPTIONS`], as (variable, option) pairs.
const ENV_VARS: [(&str, &str); env_var_count()] = {
    let mut out = [("", ""); env_var_count()];
    let (mut i, mut j) = (0, 0);
    while i < OPTIONS.len() {
        if let Some(var) = OPTIONS[i].env {
            out[j] = (var, OPTIONS[i].key);
            j += 1;
        }
        i += 1;
    }
    out
};

const fn env_var_count() -> usize {
    let (mut i, mut n) = (0, 0);
    while i < OPTIONS.len() {
        if OPTIONS[i].env.is_some() {
            n += 1;
        }
        i += 1;
    }
    n
}

/// Environment variables honoured, as libpq does, when the connection string
/// does not set the option itself: (variable, option) pairs.
pub const LIBPQ_ENV_VARS: &[(&str, &str)] = &ENV_VARS;

/// Parses one of a closed set of spellings; the error lists them all.
pub(crate) fn one_of<T: Copy>(
    key: &str,
    value: &str,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<T, Error> {
    all.iter()
        .copied()
        .find(|v| name(*v) == value)
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
            invalid_value(key, &format!("expected one of {}", names.join(", ")))
        })
}

fn list(items: impl Iterator<Item = String>) -> Option<String> {
    let items: Vec<String> = items.collect();
    (!items.is_empty()).then(|| items.join(","))
}

/// A duration for an option whose bare numbers are seconds.
fn seconds(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        d.as_secs().to_string()
    } else {
        milliseconds(d)
    }
}

/// A duration with the `ms` unit, exact to the microsecond the parser keeps.
fn milliseconds(d: Duration) -> String {
    let micros = d.as_micros();
    match micros % 1000 {
        0 => format!("{}ms", micros / 1000),
        frac => format!("{}.{frac:03}ms", micros / 1000),
    }
}
