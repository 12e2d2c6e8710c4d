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
//! are only ever rendered redacted. Nor do they hold the values of your
//! rows: where the server quotes a value (`Key (email)=(...) already
//! exists`, `Failing row contains (...)`, `invalid input syntax for type
//! integer: "..."`), the value is replaced by `<redacted>`, and the names of
//! the constraint, table and columns stay. The server's report, values
//! included, stays reachable for code that decides to handle them:
//! [`Error::as_db_error`]. (Messages your own functions raise with `RAISE
//! EXCEPTION` are shown as written.)
//!
//! Programs get the same facts without parsing text: [`Error::sqlstate`],
//! [`Error::constraint`], [`Error::table`], [`Error::column`] and
//! [`Error::schema`] read the server's report, which stays reachable as
//! [`Error::as_db_error`] and as the error's `source()`.
//!
//! ```
//! use secure_pg::{Error, ErrorKind};
//!
//! /// What to tell the user who tried to sign up.
//! fn sign_up_problem(e: &Error) -> Option<&'static str> {
//!     match (e.kind(), e.constraint()) {
//!         (ErrorKind::UniqueViolation, Some("users_email_key")) => {
//!             Some("that e-mail address is already registered")
//!         }
//!         (ErrorKind::UniqueViolation, Some("users_name_key")) => Some("that name is taken"),
//!         _ => None,
//!     }
//! }
//! # let _ = sign_up_problem;
//! ```

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

use tokio_postgres::error::DbError;
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
    ///
    /// After the client-side `query_timeout` the statement has been
    /// cancelled on the server when the detail says so; otherwise (the
    /// cancel could not be delivered) it may still be running. Either way
    /// the outcome is unknown to the caller: **a timed-out autocommit write
    /// (or a timed-out `COMMIT`) may still have committed**, since the
    /// cancel can arrive after the server finished it. Do not retry a
    /// write blindly; make it idempotent, or check whether it took effect.
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
    /// A query that `#[tenant_scoped]` did not scope was run while a
    /// `#[tenant_scoped]` function was active on the task (from a helper it
    /// calls, or through a macro the attribute could not see), and was
    /// refused before anything was sent to the server. The detail says
    /// which function and what to do.
    TenantScope,
    /// The database's migrations do not match the ones this build embeds
    /// (`secure_pg::migrate`): an applied migration was changed or is
    /// unknown, one is pending behind a later one, or another tool's
    /// ledger cannot be taken over. `Display` names the migration's file.
    Migration,
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
            ErrorKind::TenantScope => {
                "a database query was refused because it was not restricted to the current tenant"
            }
            ErrorKind::Migration => "the database's migrations do not match this build",
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
    /// The server's report, when the server reported the error. It is the
    /// error's `source()`, and `Detail` renders it first.
    db: Option<DbError>,
    /// Operator-facing detail: never shown by plain `Display`.
    detail: Vec<String>,
    /// The cause, when it is not the server's report.
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
            db: None,
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
            db: None,
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

    /// Adds a cause (shown with the detail, and by `source()` unless the
    /// error holds the server's report, which comes first).
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.0.source = Some(Box::new(source));
        self
    }

    pub(crate) fn with_sqlstate(mut self, code: SqlState) -> Self {
        self.0.sqlstate = Some(code);
        self
    }

    /// A copy for reporting the same failure to several waiters (the
    /// server's report is kept; any other cause chain is flattened into the
    /// detail).
    pub(crate) fn duplicate(&self) -> Error {
        let mut e = Error(Box::new(Inner {
            kind: self.0.kind,
            message: self.0.message.clone(),
            sqlstate: self.0.sqlstate.clone(),
            db: self.0.db.clone(),
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

    /// Puts `prefix: ` before the public sentence (which stays), e.g. to
    /// name the migration that failed. `prefix` must be safe to show.
    pub(crate) fn with_prefix(mut self, prefix: &str) -> Self {
        let current = match &self.0.message {
            Some(m) => m.to_string(),
            None => self.0.kind.public_message().to_string(),
        };
        self.0.message = Some(Cow::Owned(format!("{prefix}: {current}")));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The SQLSTATE the server reported, if any. Compare it with the
    /// [`SqlState`] constants, e.g. `SqlState::UNIQUE_VIOLATION`.
    pub fn sqlstate(&self) -> Option<&SqlState> {
        self.0.sqlstate.as_ref()
    }

    /// The server's full report (message, DETAIL, HINT, object names,
    /// position, ...) when the server reported the error. This is also what
    /// `source()` returns for such errors.
    ///
    /// Its fields are for logs and for programs; like [`Error::detail`] they
    /// may hold personal data from the server's DETAIL, so do not show them
    /// to end users.
    pub fn as_db_error(&self) -> Option<&DbError> {
        self.0.db.as_ref()
    }

    /// The name of the constraint the server reported as violated, e.g.
    /// `users_email_key`: tells two unique constraints of one table apart
    /// without parsing messages.
    pub fn constraint(&self) -> Option<&str> {
        self.0.db.as_ref()?.constraint()
    }

    /// The table the server's report names, if any.
    pub fn table(&self) -> Option<&str> {
        self.0.db.as_ref()?.table()
    }

    /// The column the server's report names, if any (e.g. for a NOT NULL
    /// violation).
    pub fn column(&self) -> Option<&str> {
        self.0.db.as_ref()?.column()
    }

    /// The schema of the object the server's report names, if any.
    pub fn schema(&self) -> Option<&str> {
        self.0.db.as_ref()?.schema()
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
    /// The values the server quotes in its message and DETAIL are redacted
    /// (see the module documentation); never contains passwords or tokens.
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
        if let Some(db) = &self.0 .0.db {
            write_db_error(f, db)?;
        }
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

/// The server's report as `Detail` shows it: `; SEVERITY: message`, then
/// DETAIL, HINT and the object names that are present, the values the
/// server quotes redacted.
fn write_db_error(f: &mut fmt::Formatter<'_>, db: &DbError) -> fmt::Result {
    let code = db.code().code();
    write!(
        f,
        "; {}: {}",
        db.severity(),
        redact_message(code, db.message())
    )?;
    if let Some(d) = db.detail() {
        write!(f, "; DETAIL: {}", redact_detail(code, d))?;
    }
    if let Some(h) = db.hint() {
        write!(f, "; HINT: {h}")?;
    }
    for (label, v) in [
        ("schema", db.schema()),
        ("table", db.table()),
        ("column", db.column()),
        ("constraint", db.constraint()),
    ] {
        if let Some(v) = v {
            write!(f, "; {label}: {v}")?;
        }
    }
    Ok(())
}

/// What stands in for a value the server quoted.
const REDACTED: &str = "<redacted>";

/// A server message without the value it quotes. Only data exceptions
/// (class 22) quote the input they reject: `invalid input syntax for type
/// integer: "abc"` (what follows the first `: ` goes), `value "99999999999"
/// is out of range for type integer` (what lies between the first and the
/// last `"` goes, so a `"` inside the value cannot end the cut early).
fn redact_message<'a>(code: &str, message: &'a str) -> Cow<'a, str> {
    if !code.starts_with("22") {
        return Cow::Borrowed(message);
    }
    Cow::Owned(redact_quoted(&redact_after_colon(message)))
}

fn redact_after_colon(text: &str) -> Cow<'_, str> {
    match text.find(": ") {
        Some(at) => Cow::Owned(format!("{}: {REDACTED}", &text[..at])),
        None => Cow::Borrowed(text),
    }
}

fn redact_quoted(text: &str) -> String {
    match (text.find('"'), text.rfind('"')) {
        (Some(first), Some(last)) if first < last => {
            format!("{}\"{REDACTED}\"{}", &text[..first], &text[last + 1..])
        }
        (Some(first), _) => format!("{}\"{REDACTED}", &text[..first]),
        _ => text.to_string(),
    }
}

/// A server DETAIL without the values it prints: `Key (cols)=(values) ...`
/// of unique, foreign key and exclusion violations keeps the columns and
/// the sentence's end (the table a foreign key names); `Failing row
/// contains (...)` of NOT NULL and check violations keeps nothing of the
/// row; a data exception's DETAIL is cut as its message is. Any other
/// DETAIL carries no value of a row and is kept.
fn redact_detail<'a>(code: &str, detail: &'a str) -> Cow<'a, str> {
    if detail.starts_with("Failing row contains") {
        return Cow::Owned(format!("Failing row contains ({REDACTED})."));
    }
    if let Some(rest) = detail.strip_prefix("Key (") {
        let Some(cols_end) = rest.find(")=(") else {
            return Cow::Owned(format!("Key ({REDACTED})."));
        };
        let cols = &rest[..cols_end];
        // The sentence's own end, found from the right, so a value that
        // spells it cannot move the cut.
        let end = if detail.ends_with(" already exists.") {
            " already exists.".to_string()
        } else if let Some(at) = detail.rfind(") is not present in table ") {
            detail[at + 1..].to_string()
        } else if let Some(at) = detail.rfind(") is still referenced from table ") {
            detail[at + 1..].to_string()
        } else if detail.contains(") conflicts with existing key (") {
            " conflicts with an existing key.".to_string()
        } else {
            ".".to_string()
        };
        return Cow::Owned(format!("Key ({cols})=({REDACTED}){end}"));
    }
    if code.starts_with("22") {
        return Cow::Owned(redact_quoted(detail));
    }
    Cow::Borrowed(detail)
}

/// `source()` is the server's [`DbError`] when the server reported the
/// error, otherwise the underlying cause (for failures below the server,
/// the [`tokio_postgres::Error`]), and `None` when there is no cause.
impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        if let Some(db) = &self.0.db {
            return Some(db);
        }
        self.0.source.as_deref().map(|s| {
            let s: &(dyn StdError + 'static) = s;
            s
        })
    }
}

/// The kind for a SQLSTATE the server reported.
pub(crate) fn kind_for_sqlstate(code: &SqlState) -> ErrorKind {
    match *code {
        SqlState::UNIQUE_VIOLATION => ErrorKind::UniqueViolation,
        SqlState::FOREIGN_KEY_VIOLATION => ErrorKind::ForeignKeyViolation,
        SqlState::CHECK_VIOLATION => ErrorKind::CheckViolation,
        SqlState::NOT_NULL_VIOLATION => ErrorKind::NotNullViolation,
        SqlState::T_R_SERIALIZATION_FAILURE => ErrorKind::SerializationFailure,
        SqlState::T_R_DEADLOCK_DETECTED => ErrorKind::Deadlock,
        SqlState::QUERY_CANCELED => ErrorKind::QueryTimeout,
        SqlState::INVALID_PASSWORD | SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
            ErrorKind::Authentication
        }
        SqlState::INSUFFICIENT_PRIVILEGE => ErrorKind::PermissionDenied,
        // Shutdown, crash recovery, idle-session and idle-in-transaction
        // timeouts all end the session.
        SqlState::ADMIN_SHUTDOWN
        | SqlState::CRASH_SHUTDOWN
        | SqlState::CANNOT_CONNECT_NOW
        | SqlState::IDLE_SESSION_TIMEOUT
        | SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT => ErrorKind::Connection,
        _ => match code.code().get(..2) {
            // Class 08: connection exception; class 22: data exception.
            Some("08") => ErrorKind::Connection,
            Some("22") => ErrorKind::InvalidInput,
            _ => ErrorKind::Database,
        },
    }
}

/// The one mapping from a `tokio_postgres` error to an [`Error`]: a server
/// report keeps its SQLSTATE and the whole [`DbError`]; anything else is a
/// connection failure when the connection closed or an I/O error is in the
/// chain, and keeps the `tokio_postgres::Error` as its source.
impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            let code = db.code().clone();
            let mut err = Error::from_kind(kind_for_sqlstate(&code)).with_sqlstate(code);
            err.0.db = Some(db.clone());
            return err;
        }
        let kind = if e.is_closed() || has_io_source(&e) || !is_client_side(&e) {
            ErrorKind::Connection
        } else {
            ErrorKind::Database
        };
        Error::from_kind(kind).with_source(e)
    }
}

/// How tokio-postgres words (in `Display`, its only public view of the
/// kind) the failures it reports without the server's word that leave the
/// conversation with the server where it was: its own checks before
/// anything is sent (a parameter that does not encode, a wrong number of
/// them, a message that does not encode) and reading a row or result it
/// received whole, plus the connect-time ones (the connection never goes
/// into service). Anything else (a message the protocol does not allow at
/// that point, such as the server's answer to a `COPY`, or one that does
/// not parse) means client and server no longer agree on where they are:
/// the session must never be used again.
const CLIENT_SIDE: &[&str] = &[
    "error serializing parameter",
    "error deserializing column",
    "invalid column",
    "query returned an unexpected number of columns",
    "query returned an unexpected number of rows",
    "error encoding message to server",
    "authentication error",
    "invalid connection string",
    "invalid configuration",
];

/// Whether a tokio-postgres error without a server report left the
/// connection usable (see [`CLIENT_SIDE`]).
fn is_client_side(e: &tokio_postgres::Error) -> bool {
    let text = e.to_string();
    CLIENT_SIDE.iter().any(|p| text.starts_with(p))
        || (text.starts_with("expected ") && text.contains(" parameters but got "))
}

/// The server no longer knows a prepared statement, or its cached plan no
/// longer fits the schema (`cached plan must not change result type`).
pub(crate) fn is_stale_statement_report(d: &DbError) -> bool {
    *d.code() == SqlState::INVALID_SQL_STATEMENT_NAME
        || (*d.code() == SqlState::FEATURE_NOT_SUPPORTED && d.message().contains("cached plan"))
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
            .with_detail("while signing up a user");
        assert_eq!(
            e.to_string(),
            "a record with the same unique value already exists (SQLSTATE 23505)"
        );
        assert!(format!("{e:#}").contains("while signing up a user"));
        assert!(format!("{e:?}").contains("while signing up a user"));
        assert!(!e.is_retryable());
    }

    /// The values the server quotes never reach `Detail`; the names and
    /// the sentence around them do. (The real server's reports are held to
    /// this in the integration tests.)
    #[test]
    fn values_the_server_quotes_are_redacted() {
        for (code, detail, want) in [
            (
                "23505",
                "Key (email)=(alice@example.org) already exists.",
                "Key (email)=(<redacted>) already exists.",
            ),
            (
                "23505",
                "Key (a, b)=(x) already exists., y) already exists.",
                "Key (a, b)=(<redacted>) already exists.",
            ),
            (
                "23503",
                "Key (account_id)=(999) is not present in table \"accounts\".",
                "Key (account_id)=(<redacted>) is not present in table \"accounts\".",
            ),
            (
                "23503",
                "Key (id)=(1) is still referenced from table \"orders\".",
                "Key (id)=(<redacted>) is still referenced from table \"orders\".",
            ),
            (
                "23P01",
                "Key (room, during)=(1, [2024-01-01,2024-01-02)) conflicts with existing key (room, during)=(1, [2024-01-01,2024-01-03)).",
                "Key (room, during)=(<redacted>) conflicts with an existing key.",
            ),
            (
                "23514",
                "Failing row contains (3, x@example.org, -1).",
                "Failing row contains (<redacted>).",
            ),
            ("22P02", "Token \"secret\" is invalid.", "Token \"<redacted>\" is invalid."),
            (
                "40P01",
                "Process 12 waits for ShareLock on transaction 34; blocked by process 56.",
                "Process 12 waits for ShareLock on transaction 34; blocked by process 56.",
            ),
        ] {
            assert_eq!(redact_detail(code, detail), want, "{detail}");
        }
        for (code, message, want) in [
            (
                "22P02",
                "invalid input syntax for type integer: \"secret\"",
                "invalid input syntax for type integer: <redacted>",
            ),
            (
                "22003",
                "value \"9\"9\"9\" is out of range for type integer",
                "value \"<redacted>\" is out of range for type integer",
            ),
            (
                "22021",
                "invalid byte sequence for encoding \"UTF8\": 0xff 0xfe",
                "invalid byte sequence for encoding \"<redacted>\": <redacted>",
            ),
            (
                "23505",
                "duplicate key value violates unique constraint \"users_email_key\"",
                "duplicate key value violates unique constraint \"users_email_key\"",
            ),
        ] {
            assert_eq!(redact_message(code, message), want, "{message}");
        }
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
            (SqlState::UNIQUE_VIOLATION, ErrorKind::UniqueViolation),
            (
                SqlState::FOREIGN_KEY_VIOLATION,
                ErrorKind::ForeignKeyViolation,
            ),
            (SqlState::CHECK_VIOLATION, ErrorKind::CheckViolation),
            (SqlState::NOT_NULL_VIOLATION, ErrorKind::NotNullViolation),
            (
                SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
                ErrorKind::Authentication,
            ),
            (
                SqlState::INSUFFICIENT_PRIVILEGE,
                ErrorKind::PermissionDenied,
            ),
            (SqlState::CRASH_SHUTDOWN, ErrorKind::Connection),
            (SqlState::CANNOT_CONNECT_NOW, ErrorKind::Connection),
            (SqlState::IDLE_SESSION_TIMEOUT, ErrorKind::Connection),
            (
                SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
                ErrorKind::Connection,
            ),
            (SqlState::CONNECTION_FAILURE, ErrorKind::Connection),
            (SqlState::DIVISION_BY_ZERO, ErrorKind::InvalidInput),
            (SqlState::from_code("22ZZZ"), ErrorKind::InvalidInput),
            (SqlState::from_code("XX"), ErrorKind::Database),
            (SqlState::DUPLICATE_OBJECT, ErrorKind::Database),
        ] {
            assert_eq!(kind_for_sqlstate(&code), kind, "{}", code.code());
        }
    }

    #[test]
    fn a_protocol_level_surprise_is_a_broken_connection() {
        // The one tokio-postgres error without a server report that can be
        // made outside it: "timeout waiting for server", neither a closed
        // connection nor I/O. Like an unexpected message, it leaves the
        // conversation in an unknown place.
        let e = Error::from(tokio_postgres::Error::__private_api_timeout());
        assert_eq!(e.kind(), ErrorKind::Connection, "{e:#}");
        assert!(e.sqlstate().is_none());
    }

    #[test]
    fn no_invented_source_and_no_server_fields_without_a_server_report() {
        let e = Error::from_kind(ErrorKind::PoolTimeout);
        assert!(e.source().is_none());
        assert!(e.as_db_error().is_none());
        assert_eq!(
            (e.constraint(), e.table(), e.column(), e.schema()),
            (None, None, None, None)
        );
        assert_eq!(e.sqlstate(), None);

        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "pipe gone");
        let e = Error::from_kind(ErrorKind::Connection).with_source(io);
        let source = e.source().expect("the cause is the source");
        assert!(source.is::<std::io::Error>());
        assert_eq!(
            format!("{e:#}"),
            "could not communicate with the database: pipe gone"
        );
        // A copy for other waiters keeps the text of the chain.
        assert!(format!("{:#}", e.duplicate()).contains("pipe gone"));
    }
}
