//! Query spans in the shape of the OpenTelemetry database conventions.
//!
//! Each query gets one `secure_pg.query` span at `debug` level with
//! `db.system.name = "postgresql"`, `db.operation.name`,
//! `db.collection.name` (when the statement names one plain table),
//! `db.query.text` (the literal SQL), `server.address` / `server.port`,
//! and on failure `db.response.status_code` (the SQLSTATE) and
//! `error.type`; plus `otel.name`, `otel.kind` and `otel.status_code`,
//! which tracing-opentelemetry maps onto the exported span.
//!
//! `db.query.text` is safe to export because the SQL is a compile-time
//! literal: values only ever travel as bound parameters, never in the text,
//! and parameter values are never recorded anywhere.
//!
//! Spans are built only when `debug` is enabled for this crate: the hot
//! path pays one level check, and the operation and table names are
//! derived from the static SQL only then.

use std::future::Future;
use std::sync::Arc;

use tracing::field::Empty;
use tracing::Span;

use crate::config::{Config, Host};
use crate::error::Error;

/// `server.address` and `server.port` of a pool's connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerAddr {
    pub(crate) address: String,
    pub(crate) port: u16,
}

impl ServerAddr {
    /// The server a configuration connects to, when it names exactly one
    /// (with a host list we do not know which one a connection reached).
    pub(crate) fn of(config: &Config) -> Option<Arc<ServerAddr>> {
        let hosts = config.effective_hosts();
        let [host] = hosts.as_slice() else {
            return None;
        };
        let address = match host {
            Host::Tcp(name) => name.clone(),
            Host::Unix(dir) => dir.to_string_lossy().into_owned(),
        };
        let port = config.ports.first().copied().unwrap_or(5432);
        Some(Arc::new(ServerAddr { address, port }))
    }
}

/// The span of one query; disabled (free) unless `debug` is on.
pub(crate) fn query_span(sql: &'static str) -> Span {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return Span::none();
    }
    let (operation, collection) = operation_and_collection(sql);
    let otel_name = match &collection {
        Some(c) => format!("{operation} {c}"),
        None => operation.clone(),
    };
    tracing::debug_span!(
        "secure_pg.query",
        db.system.name = "postgresql",
        db.operation.name = %operation,
        db.collection.name = collection.as_deref(),
        db.query.text = sql,
        server.address = Empty,
        server.port = Empty,
        db.response.status_code = Empty,
        error.type = Empty,
        otel.name = %otel_name,
        otel.kind = "client",
        otel.status_code = Empty,
    )
}

/// Runs `fut` inside `span` and records its failure on the span.
///
/// A plain future rather than an `async fn`: an `async fn` keeps its
/// argument and the future it awaits as two fields, which doubled the size
/// of every query's future (and the bytes moved with it) at this layer.
pub(crate) fn traced<'s, R, F>(span: &'s Span, fut: F) -> Traced<'s, F>
where
    F: Future<Output = Result<R, Error>>,
{
    Traced { span, fut }
}

pin_project_lite::pin_project! {
    /// The future of [`traced`].
    pub(crate) struct Traced<'s, F> {
        span: &'s Span,
        #[pin]
        fut: F,
    }
}

impl<R, F> Future for Traced<'_, F>
where
    F: Future<Output = Result<R, Error>>,
{
    type Output = Result<R, Error>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.project();
        if this.span.is_disabled() {
            return this.fut.poll(cx);
        }
        let poll = {
            let _entered = this.span.enter();
            this.fut.poll(cx)
        };
        if let std::task::Poll::Ready(Err(e)) = &poll {
            record_error(this.span, e);
        }
        poll
    }
}

/// `db.response.status_code` (SQLSTATE, when the server sent one) and
/// `error.type` (the SQLSTATE, otherwise the error kind).
pub(crate) fn record_error(span: &Span, e: &Error) {
    match e.sqlstate() {
        Some(code) => {
            span.record("db.response.status_code", code.code());
            span.record("error.type", code.code());
        }
        None => {
            span.record("error.type", tracing::field::debug(e.kind()));
        }
    }
    span.record("otel.status_code", "ERROR");
}

/// `server.address` / `server.port`, when the connection's server is known.
pub(crate) fn record_server(span: &Span, server: Option<&ServerAddr>) {
    if let Some(s) = server {
        if !span.is_disabled() {
            span.record("server.address", s.address.as_str());
            span.record("server.port", s.port);
        }
    }
}

/// The statement's first keyword (upper case) and, when the statement
/// names a plain table where one is expected (after the first top-level
/// `FROM`, `INTO`, `UPDATE`, `DELETE FROM`), that table.
pub(crate) fn operation_and_collection(sql: &str) -> (String, Option<String>) {
    let tokens = tokens(sql);
    let operation = tokens
        .iter()
        .find_map(|t| match t {
            Token::Word(w) => Some(w.to_ascii_uppercase()),
            _ => None,
        })
        .unwrap_or_default();
    let after = match operation.as_str() {
        "SELECT" | "DELETE" => "FROM",
        "INSERT" | "MERGE" => "INTO",
        "UPDATE" => "UPDATE",
        _ => return (operation, None),
    };
    let mut depth = 0i32;
    let mut iter = tokens.iter().peekable();
    while let Some(t) = iter.next() {
        match t {
            Token::Open => depth += 1,
            Token::Close => depth -= 1,
            Token::Word(w) if depth == 0 && w.eq_ignore_ascii_case(after) => {
                let mut next = iter.next();
                if matches!(next, Some(Token::Word(w)) if w.eq_ignore_ascii_case("ONLY")) {
                    next = iter.next();
                }
                return match next {
                    Some(Token::Word(name)) if is_plain_name(name) => {
                        // A function call (`FROM generate_series(..)`) is not a table.
                        if after == "FROM" && matches!(iter.peek(), Some(Token::Open)) {
                            (operation, None)
                        } else {
                            (operation, Some(name.to_ascii_lowercase()))
                        }
                    }
                    _ => (operation, None),
                };
            }
            _ => {}
        }
    }
    (operation, None)
}

fn is_plain_name(name: &str) -> bool {
    name.split('.').all(|part| {
        part.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    })
}

#[derive(Debug, PartialEq)]
enum Token<'a> {
    Word(&'a str),
    Open,
    Close,
    Other,
}

/// Words (dotted names included), parentheses and everything else, with
/// comments, string literals and quoted identifiers skipped as one token.
fn tokens(sql: &str) -> Vec<Token<'_>> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if b[i..].starts_with(b"--") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            let mut depth = 0;
            while i < b.len() {
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == b'\'' || c == b'"' {
            i += 1;
            while i < b.len() {
                if b[i] == c {
                    if b.get(i + 1) == Some(&c) {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            out.push(Token::Other);
        } else if c == b'(' {
            out.push(Token::Open);
            i += 1;
        } else if c == b')' {
            out.push(Token::Close);
            i += 1;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b"_$.".contains(&b[i])) {
                i += 1;
            }
            out.push(Token::Word(&sql[start..i]));
        } else {
            // Multi-byte characters: skip the whole character.
            i += sql[i..].chars().next().map_or(1, char::len_utf8);
            out.push(Token::Other);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(sql: &str) -> (String, Option<String>) {
        operation_and_collection(sql)
    }

    #[test]
    fn operation_and_table_from_the_static_sql() {
        let some = |o: &str, t: &str| (o.to_string(), Some(t.to_string()));
        assert_eq!(
            pair("SELECT id FROM widgets WHERE id = $1"),
            some("SELECT", "widgets")
        );
        assert_eq!(
            pair("  select id from Shop.Widgets w"),
            some("SELECT", "shop.widgets")
        );
        assert_eq!(
            pair("INSERT INTO users (email) VALUES ($1)"),
            some("INSERT", "users")
        );
        assert_eq!(
            pair("UPDATE ONLY accounts SET b = $1"),
            some("UPDATE", "accounts")
        );
        assert_eq!(pair("DELETE FROM t WHERE x = $1"), some("DELETE", "t"));
        assert_eq!(
            pair("-- from nowhere\n/* FROM x */ SELECT 'FROM y', (SELECT 1 FROM z) FROM real_t"),
            some("SELECT", "real_t")
        );
        // No plain table: no collection.
        assert_eq!(pair("SELECT 1"), ("SELECT".into(), None));
        assert_eq!(
            pair("SELECT * FROM generate_series(1, $1)"),
            ("SELECT".into(), None)
        );
        assert_eq!(pair("SELECT * FROM \"Quoted\""), ("SELECT".into(), None));
        assert_eq!(pair("SELECT * FROM (SELECT 1) s"), ("SELECT".into(), None));
        assert_eq!(
            pair("WITH a AS (SELECT 1 FROM t) SELECT * FROM a"),
            ("WITH".into(), None)
        );
        assert_eq!(pair("SET statement_timeout = 5"), ("SET".into(), None));
        assert_eq!(pair(""), (String::new(), None));
        assert_eq!(pair("SELECT é FROM ü"), ("SELECT".into(), None));
    }
}
