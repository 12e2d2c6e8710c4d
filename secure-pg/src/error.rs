//! The one error type of the library.
//!
//! `Display` is written for the people who use your service: a short fixed
//! sentence per kind, plus the SQLSTATE code when the server gave one. It
//! never contains table, column, constraint or schema names, values from the
//! server's DETAIL, SQL text, host names or credentials, so a handler may
//! return it to a client as it is.
//!
//! Everything an operator needs is kept for logs: [`Error::detail`] (or the
//! alternate form `{:#}`) and `Debug` show the server's message, DETAIL,
//! HINT, the object names and the cause chain. Those never hold passwords or
//! tokens either: none of our code puts them there, and connection strings
//! are only ever rendered redacted.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

pub use tokio_postgres::error::SqlState;

/// What went wrong, coarsely enough to decide what to do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `fetch_one` found no row.
    NotFound,
    /// A unique constraint was violated (23505).
    UniqueViolation,
    /// A foreign key was violated (23503).
    ForeignKeyViolation,
    /// A check constraint was violated (23514).
    CheckViolation,
    /// A NOT NULL constraint was violated (23502).
    NotNullViolation,
    /// A serializable transaction conflicted (40001); retry it.
    SerializationFailure,
    /// The server broke a deadlock by aborting this transaction (40P01); retry it.
    Deadlock,
    /// A statement or query timeout fired (server 57014, or client side).
    QueryTimeout,
    /// No pooled connection became available within the checkout timeout.
    PoolTimeout,
    /// The connection could not be made, or broke.
    Connection,
    /// The server did not provide TLS although the `sslmode` requires it, or
    /// reported the session as unencrypted.
    TlsRequired,
    /// The TLS handshake failed for a reason other than the certificate.
    Tls,
    /// The server's certificate was not accepted (chain, host name, expiry).
    TlsVerification,
    /// The server refused the credentials (28P01, 28000).
    Authentication,
    /// The role lacks a privilege (42501).
    PermissionDenied,
    /// The server rejected a value (class 22, data exception).
    InvalidInput,
    /// A row did not match the Rust type it was read into.
    Decode,
    /// The configuration is invalid or unsafe.
    Configuration,
    /// Any other database error.
    Database,
}

impl ErrorKind {
    /// The sentence that `Display` shows for this kind.
    fn public_message(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "no matching record was found",
            ErrorKind::UniqueViolation => "a record with the same unique value already exists",
            ErrorKind::ForeignKeyViolation => {
                "the operation refers to a record that does not exist or is still in use"
            }
            ErrorKind::CheckViolation => "a value was rejected by a validation rule",
            ErrorKind::NotNullViolation => "a required value is missing",
            ErrorKind::SerializationFailure => {
                "the operation conflicted with a concurrent operation; try again"
            }
            ErrorKind::Deadlock => "the operation was aborted to resolve a deadlock; try again",
            ErrorKind::QueryTimeout => "the database operation timed out",
            ErrorKind::PoolTimeout => "no database connection became available in time",
            ErrorKind::Connection => "could not communicate with the database",
            ErrorKind::TlsRequired => {
                "the database connection is not encrypted although encryption is required"
            }
            ErrorKind::Tls => "the encrypted connection to the database could not be established",
            ErrorKind::TlsVerification => "the database server's certificate was not accepted",
            ErrorKind::Authentication => "authentication with the database failed",
            ErrorKind::PermissionDenied => "permission denied for this database operation",
            ErrorKind::InvalidInput => "the database rejected an input value",
            ErrorKind::Decode => "a database result could not be read",
            ErrorKind::Configuration => "invalid database configuration",
            ErrorKind::Database => "the database could not complete the operation",
        }
    }
}

/// The error of every fallible operation in this crate. See the module docs
/// for what `Display`, `{:#}` and `Debug` show.
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    /// Safe text for `Display` when the kind's fixed sentence is not enough
    /// (configuration errors name the option at fault).
    message: Option<Cow<'static, str>>,
    sqlstate: Option<SqlState>,
    /// Operator-facing detail: never shown by plain `Display`.
    detail: Vec<String>,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl Error {
    /// A new error of `kind` whose `Display` is `message`. The message must
    /// be safe to show an end user; put everything else in
    /// [`Error::with_detail`].
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Error(Box::new(Inner {
            kind,
            message: Some(message.into()),
            sqlstate: None,
            detail: Vec::new(),
            source: None,
        }))
    }

    /// A new error of `kind` showing the kind's fixed sentence.
    pub fn from_kind(kind: ErrorKind) -> Self {
        Error(Box::new(Inner {
            kind,
            message: None,
            sqlstate: None,
            detail: Vec::new(),
            source: None,
        }))
    }

    /// Adds operator-facing detail (shown by `{:#}`, `Debug` and
    /// [`Error::detail`], never by plain `Display`).
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.0.detail.push(detail.into());
        self
    }

    /// Adds a cause (shown with the detail, and by `source()`).
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.0.source = Some(Box::new(source));
        self
    }

    pub(crate) fn with_boxed_source(mut self, source: Box<dyn StdError + Send + Sync>) -> Self {
        self.0.source = Some(source);
        self
    }

    pub(crate) fn with_sqlstate(mut self, code: SqlState) -> Self {
        self.0.sqlstate = Some(code);
        self
    }

    /// A copy for reporting the same failure to several waiters (the cause
    /// chain is flattened into the detail).
    pub(crate) fn duplicate(&self) -> Error {
        let mut e = Error(Box::new(Inner {
            kind: self.0.kind,
            message: self.0.message.clone(),
            sqlstate: self.0.sqlstate.clone(),
            detail: self.0.detail.clone(),
            source: None,
        }));
        let mut source: Option<&(dyn StdError + 'static)> = self.0.source.as_deref().map(|s| {
            let s: &(dyn StdError + 'static) = s;
            s
        });
        while let Some(s) = source {
            e.0.detail.push(s.to_string());
            source = s.source();
        }
        e
    }

    pub(crate) fn with_context(mut self, context: &str) -> Self {
        if let Some(m) = &self.0.message {
            self.0.message = Some(Cow::Owned(format!("{m} ({context})")));
        }
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The SQLSTATE the server reported, if any.
    pub fn sqlstate(&self) -> Option<&SqlState> {
        self.0.sqlstate.as_ref()
    }

    /// Whether running the same transaction again may succeed: serialization
    /// failures and deadlocks.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.0.kind,
            ErrorKind::SerializationFailure | ErrorKind::Deadlock
        )
    }

    /// Everything known about the error, for logs: the public message, the
    /// server's message, DETAIL and HINT, object names, and the cause chain.
    /// May contain personal data from the server's DETAIL; never contains
    /// passwords or tokens.
    pub fn detail(&self) -> Detail<'_> {
        Detail(self)
    }

    fn write_public(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.message {
            Some(m) => f.write_str(m)?,
            None => f.write_str(self.0.kind.public_message())?,
        }
        if let Some(code) = &self.0.sqlstate {
            write!(f, " (SQLSTATE {})", code.code())?;
        }
        Ok(())
    }
}

/// Operator-facing rendering of an [`Error`]; see [`Error::detail`].
#[derive(Debug)]
pub struct Detail<'a>(&'a Error);

impl fmt::Display for Detail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write_public(f)?;
        for d in &self.0 .0.detail {
            write!(f, "; {d}")?;
        }
        let mut source: Option<&(dyn StdError + 'static)> = self.0 .0.source.as_deref().map(|s| {
            let s: &(dyn StdError + 'static) = s;
            s
        });
        while let Some(s) = source {
            write!(f, ": {s}")?;
            source = s.source();
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            fmt::Display::fmt(&self.detail(), f)
        } else {
            self.write_public(f)
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.0.kind)
            .field("sqlstate", &self.0.sqlstate.as_ref().map(|c| c.code()))
            .field("detail", &self.detail().to_string())
            .finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source.as_deref().map(|s| {
            let s: &(dyn StdError + 'static) = s;
            s
        })
    }
}

/// The kind for a SQLSTATE the server reported.
pub(crate) fn kind_for_sqlstate(code: &SqlState) -> ErrorKind {
    let c = code.code();
    match c {
        "23505" => ErrorKind::UniqueViolation,
        "23503" => ErrorKind::ForeignKeyViolation,
        "23514" => ErrorKind::CheckViolation,
        "23502" => ErrorKind::NotNullViolation,
        "40001" => ErrorKind::SerializationFailure,
        "40P01" => ErrorKind::Deadlock,
        "57014" => ErrorKind::QueryTimeout,
        "28P01" | "28000" => ErrorKind::Authentication,
        "42501" => ErrorKind::PermissionDenied,
        // Shutdown, crash recovery, idle-session and idle-in-transaction
        // timeouts all end the session.
        "57P01" | "57P02" | "57P03" | "57P05" | "25P03" => ErrorKind::Connection,
        _ if c.starts_with("08") => ErrorKind::Connection,
        _ if c.starts_with("22") => ErrorKind::InvalidInput,
        _ => ErrorKind::Database,
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            let code = db.code().clone();
            let mut detail = format!("{}: {}", db.severity(), db.message());
            if let Some(d) = db.detail() {
                detail.push_str(&format!("; DETAIL: {d}"));
            }
            if let Some(h) = db.hint() {
                detail.push_str(&format!("; HINT: {h}"));
            }
            for (label, v) in [
                ("schema", db.schema()),
                ("table", db.table()),
                ("column", db.column()),
                ("constraint", db.constraint()),
            ] {
                if let Some(v) = v {
                    detail.push_str(&format!("; {label}: {v}"));
                }
            }
            return Error::from_kind(kind_for_sqlstate(&code))
                .with_sqlstate(code)
                .with_detail(detail);
        }
        let kind = if e.is_closed() || has_io_source(&e) {
            ErrorKind::Connection
        } else {
            ErrorKind::Database
        };
        Error::from_kind(kind)
            .with_detail(e.to_string())
            .with_boxed_source(
                e.into_source()
                    .unwrap_or_else(|| "no further cause".to_string().into()),
            )
    }
}

pub(crate) fn has_io_source(e: &(dyn StdError + 'static)) -> bool {
    let mut s = e.source();
    while let Some(cur) = s {
        if cur.is::<std::io::Error>() {
            return true;
        }
        s = cur.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_the_public_sentence_and_alternate_adds_detail() {
        let e = Error::from_kind(ErrorKind::UniqueViolation)
            .with_sqlstate(SqlState::UNIQUE_VIOLATION)
            .with_detail("Key (email)=(alice@example.com) already exists");
        assert_eq!(
            e.to_string(),
            "a record with the same unique value already exists (SQLSTATE 23505)"
        );
        assert!(format!("{e:#}").contains("alice@example.com"));
        assert!(format!("{e:?}").contains("alice@example.com"));
        assert!(!e.is_retryable());
    }

    #[test]
    fn sqlstate_mapping() {
        for (code, kind) in [
            (
                SqlState::T_R_SERIALIZATION_FAILURE,
                ErrorKind::SerializationFailure,
            ),
            (SqlState::T_R_DEADLOCK_DETECTED, ErrorKind::Deadlock),
            (SqlState::QUERY_CANCELED, ErrorKind::QueryTimeout),
            (SqlState::INVALID_PASSWORD, ErrorKind::Authentication),
            (
                SqlState::INVALID_TEXT_REPRESENTATION,
                ErrorKind::InvalidInput,
            ),
            (SqlState::ADMIN_SHUTDOWN, ErrorKind::Connection),
            (SqlState::UNDEFINED_TABLE, ErrorKind::Database),
        ] {
            assert_eq!(kind_for_sqlstate(&code), kind, "{}", code.code());
        }
    }
}
