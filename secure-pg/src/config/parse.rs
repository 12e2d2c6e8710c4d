//! Parsing of URLs and libpq `key=value` strings into option pairs, and of
//! each option's value.

use std::path::PathBuf;
use std::time::Duration;

use super::{invalid_value, Host};
use crate::error::{Error, ErrorKind};

fn malformed(what: &str) -> Error {
    Error::new(
        ErrorKind::Configuration,
        format!("malformed connection string: {what}"),
    )
}

/// One `option=value` of a connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pair {
    pub(crate) key: String,
    pub(crate) value: String,
    /// Whether an error may quote `key`: it has the shape of an option name
    /// and cannot be a piece of a password (see [`parse_pairs`]).
    pub(crate) key_shown: bool,
}

impl Pair {
    fn new(key: impl Into<String>, value: impl Into<String>) -> Pair {
        Pair {
            key: key.into(),
            value: value.into(),
            key_shown: true,
        }
    }

    /// The key for an error message: quoted, or a neutral description when
    /// it may be part of a password.
    pub(crate) fn key_for_error(&self) -> String {
        if self.key_shown {
            format!("`{}`", self.key)
        } else {
            "(name not shown: it may be part of a password)".to_string()
        }
    }
}

/// Whether `key` looks like an option name; anything else (a URL missing a
/// slash, a password fragment with `@` or `:`) is never quoted.
fn option_name_shape(key: &str) -> bool {
    let mut chars = key.chars();
    key.len() <= 64
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Splits a URL or a `key=value` string into (option, value) pairs.
///
/// No error quotes text that may belong to a password: values are never
/// quoted, and a key only when it has an option name's shape and cannot be
/// a piece of a password. In a `key=value` string that is every key before
/// the first `password`; an unquoted password with a space, or text after a
/// quoted one, would make its tail look like further options. In a URL it is
/// every query key unless an `@` follows the authority (a password with an
/// unencoded `/` or `?` then spills into the path or query).
pub(crate) fn parse_pairs(s: &str) -> Result<Vec<Pair>, Error> {
    let trimmed = s.trim();
    let lower: String = trimmed
        .chars()
        .take(13)
        .collect::<String>()
        .to_ascii_lowercase();
    if let Some(rest) = trimmed
        .strip_prefix("postgresql://")
        .or_else(|| trimmed.strip_prefix("postgres://"))
    {
        parse_url(rest)
    } else if (lower.starts_with("postgres:") || lower.starts_with("postgresql:"))
        && !trimmed.contains("://")
    {
        Err(malformed(
            "a URL must start with postgres:// or postgresql://: the scheme must be followed by `//`",
        ))
    } else if trimmed.contains("://") {
        Err(malformed(
            "the URL scheme must be postgres:// or postgresql://",
        ))
    } else {
        parse_key_values(trimmed)
    }
}

fn parse_url(rest: &str) -> Result<Vec<Pair>, Error> {
    let mut pairs: Vec<Pair> = Vec::new();
    let (before_query, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match before_query.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (before_query, None),
    };
    // An '@' after the authority: the user info (and its password) may have
    // spilled into the path or query, so no key from there is quoted.
    let keys_shown =
        !path.is_some_and(|p| p.contains('@')) && !query.is_some_and(|q| q.contains('@'));
    // The user info ends at the last '@' so that an unencoded '@' in a
    // password does not move the host.
    let (userinfo, netloc) = match authority.rsplit_once('@') {
        Some((u, n)) => (Some(u), n),
        None => (None, authority),
    };
    if let Some(userinfo) = userinfo {
        let (user, password) = match userinfo.split_once(':') {
            Some((u, p)) => (u, Some(p)),
            None => (userinfo, None),
        };
        if !user.is_empty() {
            pairs.push(Pair::new("user", percent_decode(user, "user")?));
        }
        if let Some(p) = password {
            pairs.push(Pair::new("password", percent_decode(p, "password")?));
        }
    }
    if !netloc.is_empty() {
        let mut hosts = Vec::new();
        let mut ports = Vec::new();
        for part in netloc.split(',') {
            let (host, port) = split_host_port(part)?;
            hosts.push(host);
            ports.push(port);
        }
        if hosts.iter().any(|h| !h.is_empty()) {
            pairs.push(Pair::new("host", hosts.join(",")));
        }
        if ports.iter().any(|p| !p.is_empty()) {
            pairs.push(Pair::new("port", ports.join(",")));
        }
    }
    if let Some(path) = path {
        if !path.is_empty() {
            pairs.push(Pair::new("dbname", percent_decode(path, "dbname")?));
        }
    }
    if let Some(query) = query {
        for item in query.split('&').filter(|i| !i.is_empty()) {
            let (k, v) = item
                .split_once('=')
                .ok_or_else(|| malformed("a URL option has no `=`"))?;
            let key = percent_decode(k, "option name")?;
            let key_shown = keys_shown && option_name_shape(&key);
            let what = if key_shown {
                format!("value of `{key}`")
            } else {
                "value of a URL option".to_string()
            };
            let value = percent_decode(v, &what)?;
            // libpq accepts `ssl=true` from JDBC-style URLs; we do not
            // guess and let it fail as an unknown option.
            pairs.push(Pair {
                key,
                value,
                key_shown,
            });
        }
    }
    Ok(pairs)
}

fn split_host_port(part: &str) -> Result<(String, String), Error> {
    if let Some(rest) = part.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| malformed("an IPv6 host is missing its closing `]`"))?;
        let port = match after {
            "" => "",
            p => p
                .strip_prefix(':')
                .ok_or_else(|| malformed("unexpected text after an IPv6 host"))?,
        };
        return Ok((host.to_string(), port.to_string()));
    }
    let (host, port) = match part.rsplit_once(':') {
        Some((h, p)) => (h, p),
        None => (part, ""),
    };
    Ok((percent_decode(host, "host")?, port.to_string()))
}

fn parse_key_values(s: &str) -> Result<Vec<Pair>, Error> {
    let mut pairs: Vec<Pair> = Vec::new();
    // Once a password was read, what follows may be its tail.
    let mut after_password = false;
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        let shown = Pair {
            key: key.clone(),
            value: String::new(),
            key_shown: !after_password && option_name_shape(&key),
        };
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            let what = if shown.key_shown {
                format!("`{key}`")
            } else {
                "an option name".to_string()
            };
            return Err(malformed(&format!(
                "expected `=` after {what} (the string is neither a postgres:// URL nor key=value pairs)"
            )));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            loop {
                match chars.next() {
                    None => {
                        return Err(malformed(&format!(
                            "unterminated quoted value for {}",
                            shown.key_for_error()
                        )))
                    }
                    Some('\\') => match chars.next() {
                        Some(c) => value.push(c),
                        None => {
                            return Err(malformed(&format!(
                                "unterminated quoted value for {}",
                                shown.key_for_error()
                            )))
                        }
                    },
                    Some('\'') => break,
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                chars.next();
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        value.push(n);
                    }
                } else {
                    value.push(c);
                }
            }
        }
        if key.is_empty() {
            return Err(malformed("an option name is empty"));
        }
        let key_shown = shown.key_shown;
        after_password |= key == "password";
        pairs.push(Pair {
            key,
            value,
            key_shown,
        });
    }
    Ok(pairs)
}

/// Decodes `%XX` escapes. `what` names the part for the error message (the
/// value itself is never shown: it may be a password).
pub(crate) fn percent_decode(s: &str, what: &str) -> Result<String, Error> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| malformed(&format!("invalid percent-encoding in the {what}")))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| malformed(&format!("the {what} is not valid UTF-8 once decoded")))
}

pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn host_from_str(h: &str) -> Host {
    if h.starts_with('/') {
        Host::Unix(PathBuf::from(h))
    } else {
        Host::Tcp(h.to_string())
    }
}

/// Parses a duration: a bare number in `default_unit`, or a number with a
/// PostgreSQL unit (`ms`, `s`, `min`, `h`, `d`).
pub(crate) fn parse_duration(value: &str, default_unit: &str) -> Option<Duration> {
    let v = value.trim();
    let split = v
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let num: f64 = num.parse().ok()?;
    if !num.is_finite() || num < 0.0 {
        return None;
    }
    let unit = match unit.trim() {
        "" => default_unit,
        u => u,
    };
    let ms = match unit {
        "ms" => num,
        "s" => num * 1_000.0,
        "min" => num * 60_000.0,
        "h" => num * 3_600_000.0,
        "d" => num * 86_400_000.0,
        _ => return None,
    };
    if ms > 1e15 {
        return None;
    }
    Some(Duration::from_micros((ms * 1000.0).round() as u64))
}

pub(super) fn duration_option(
    key: &str,
    value: &str,
    default_unit: &str,
) -> Result<Duration, Error> {
    parse_duration(value, default_unit).ok_or_else(|| {
        invalid_value(
            key,
            &format!(
                "expected a non-negative number of {} or a number with a unit (ms, s, min, h, d)",
                if default_unit == "s" {
                    "seconds"
                } else {
                    "milliseconds"
                }
            ),
        )
    })
}

pub(super) fn bool_option(key: &str, value: &str) -> Result<bool, Error> {
    match value {
        "1" | "on" | "true" | "yes" => Ok(true),
        "0" | "off" | "false" | "no" => Ok(false),
        _ => Err(invalid_value(key, "expected 1 or 0")),
    }
}

pub(super) fn non_empty_path(key: &str, value: &str) -> Result<PathBuf, Error> {
    if value.is_empty() {
        Err(invalid_value(key, "expected a file path"))
    } else {
        Ok(PathBuf::from(value))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    fn pairs(s: &str) -> Vec<(String, String)> {
        parse_pairs(s)
            .unwrap()
            .into_iter()
            .map(|p| (p.key, p.value))
            .collect()
    }

    fn check(input: &str, expected: &[(&str, &str)]) {
        let got = pairs(input);
        let want: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want, "input: {input}");
    }

    #[test]
    fn urls() {
        check(
            "postgres://app:p%40ss%3Aw0rd@db.example.com:6432/shop?sslmode=verify-ca",
            &[
                ("user", "app"),
                ("password", "p@ss:w0rd"),
                ("host", "db.example.com"),
                ("port", "6432"),
                ("dbname", "shop"),
                ("sslmode", "verify-ca"),
            ],
        );
        check(
            "postgresql://[::1]:5433/db",
            &[("host", "::1"), ("port", "5433"), ("dbname", "db")],
        );
        check(
            "postgres://u@a:1,[fe80::1],b:3/",
            &[("user", "u"), ("host", "a,fe80::1,b"), ("port", "1,,3")],
        );
        check(
            "postgres://%2Fvar%2Frun%2Fpostgresql/db",
            &[("host", "/var/run/postgresql"), ("dbname", "db")],
        );
        check(
            "postgres:///db?host=/tmp&application_name=my%20app",
            &[
                ("dbname", "db"),
                ("host", "/tmp"),
                ("application_name", "my app"),
            ],
        );
        check("postgres://", &[]);
    }

    #[test]
    fn key_values() {
        check(
            r"host=localhost port=5432 password='it\'s' user = 'a b'",
            &[
                ("host", "localhost"),
                ("port", "5432"),
                ("password", "it's"),
                ("user", "a b"),
            ],
        );
        check(
            r"password='a\'b\\c' dbname=x\ y",
            &[("password", r"a'b\c"), ("dbname", "x y")],
        );
    }

    #[test]
    fn malformed_inputs_are_errors_not_panics() {
        for bad in [
            "mysql://host/db",
            "postgres://[::1/db",
            "postgres://[::1]x/db",
            "postgres://h/db?sslmode",
            "postgres://us%zzer@h/db",
            "host",
            "host=",
            "password='unterminated",
            "=value",
            "postgres://h/%ff",
        ] {
            let r = parse_pairs(bad).and_then(|p| {
                let mut c = Config::default();
                for p in p {
                    c.set(&p.key, &p.value)?;
                }
                Ok(c)
            });
            if let Err(e) = r {
                assert_eq!(e.kind(), ErrorKind::Configuration, "{bad}");
            } else if bad != "host=" {
                panic!("accepted {bad}");
            }
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5", "s"), Some(Duration::from_secs(5)));
        assert_eq!(parse_duration("5", "ms"), Some(Duration::from_millis(5)));
        assert_eq!(
            parse_duration("1.5s", "ms"),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(parse_duration("2min", "ms"), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_duration("250 ms", "s"),
            Some(Duration::from_millis(250))
        );
        assert_eq!(parse_duration("-1", "s"), None);
        assert_eq!(parse_duration("abc", "s"), None);
        assert_eq!(parse_duration("5 weeks", "s"), None);
        assert_eq!(parse_duration("", "s"), None);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Any user, password, host name, database and application
            /// name survive percent-encoding into a URL and parsing back.
            #[test]
            fn url_round_trip(
                user in "[^\\x00]{1,20}",
                password in "[^\\x00]{0,30}",
                host in "[a-z][a-z0-9.-]{0,30}",
                port in 1u16..,
                db in "[^\\x00]{1,20}",
                app in "[^\\x00]{0,20}",
            ) {
                let url = format!(
                    "postgres://{}:{}@{host}:{port}/{}?application_name={}",
                    percent_encode(&user),
                    percent_encode(&password),
                    percent_encode(&db),
                    percent_encode(&app),
                );
                let c = Config::parse_with_env(&url, |_| None).unwrap();
                prop_assert_eq!(c.get_user(), Some(user.as_str()));
                prop_assert_eq!(c.password.as_ref().map(|p| p.expose()), Some(password.as_str()));
                prop_assert_eq!(c.get_hosts(), &[Host::Tcp(host.clone())][..]);
                prop_assert_eq!(c.get_ports(), &[port][..]);
                prop_assert_eq!(c.get_dbname(), Some(db.as_str()));
                let app_expected = (!app.is_empty()).then_some(app.as_str());
                prop_assert_eq!(c.get_application_name().filter(|a| !a.is_empty()), app_expected);
                // The redacted Display parses back to the same settings
                // (without the password, which it never shows).
                let shown = c.to_string();
                prop_assert!(shown.contains(":***@"), "{}", shown);
                let again = Config::parse_with_env(&shown.replace(":***@", "@"), |_| None).unwrap();
                prop_assert_eq!(again.get_user(), c.get_user());
                prop_assert_eq!(again.get_hosts(), c.get_hosts());
                prop_assert_eq!(again.get_ports(), c.get_ports());
                prop_assert_eq!(again.get_dbname(), c.get_dbname());
                prop_assert_eq!(again.get_sslmode(), c.get_sslmode());
            }

            /// No parse error shows any piece of the password field, for
            /// URLs and `key=value` strings whose password holds spaces,
            /// quotes, `/`, `@`, `%`, `?`, `=` and non-ASCII characters
            /// (which move the parser's idea of where it ends). Passwords
            /// are drawn without lower-case letters, so that a window of
            /// one cannot match the English of a fixed message.
            #[test]
            fn parse_errors_never_show_the_password(
                password in "[A-Z0-9 '\"/@%?=&:\\\\é中]{1,24}",
                template in 0usize..8,
            ) {
                let (before, after) = [
                    ("postgres://app:", "@db.internal:5432/shop?sslmode=verify-full"),
                    ("postgres:/app:", "@db.internal/shop"),
                    ("postgresql:app:", "@db/shop"),
                    ("postgres://app:", "@db/shop?application_name=x&keepalives=1"),
                    ("host=db password=", " dbname=shop sslmode=require"),
                    ("host=db password='", "' dbname=shop"),
                    ("password=", ""),
                    ("user=app password='", ""),
                ][template];
                let input = format!("{before}{password}{after}");
                if let Err(e) = Config::parse_with_env(&input, |_| None) {
                    prop_assert_eq!(e.kind(), ErrorKind::Configuration);
                    let chars: Vec<char> = password.chars().collect();
                    for r in [e.to_string(), format!("{e:#}"), format!("{e:?}")] {
                        // Windows holding a character no fixed message
                        // (nor `Debug`'s punctuation) contains.
                        let distinctive = |c: &char| !c.is_ascii() || "@%'?&".contains(*c);
                        for w in chars.windows(3).filter(|w| w.iter().any(distinctive)) {
                            let piece: String = w.iter().collect();
                            prop_assert!(!r.contains(&piece), "{:?}: `{}` in {}", input, piece, r);
                        }
                        for c in chars.iter().filter(|c| !c.is_ascii()) {
                            prop_assert!(!r.contains(*c), "{:?}: `{}` in {}", input, c, r);
                        }
                    }
                }
            }

            /// Arbitrary input never panics: it parses or is a
            /// configuration error.
            #[test]
            fn arbitrary_strings_never_panic(s in "\\PC{0,80}") {
                if let Err(e) = Config::parse_with_env(&s, |_| None) {
                    prop_assert_eq!(e.kind(), ErrorKind::Configuration);
                }
                let url = format!("postgres://{s}");
                if let Err(e) = Config::parse_with_env(&url, |_| None) {
                    prop_assert_eq!(e.kind(), ErrorKind::Configuration);
                }
            }
        }
    }

    #[test]
    fn encode_round_trip() {
        for s in ["p@ss:w/rd?&=", "ünïcode", "plain"] {
            assert_eq!(percent_decode(&percent_encode(s), "x").unwrap(), s);
        }
    }
}
