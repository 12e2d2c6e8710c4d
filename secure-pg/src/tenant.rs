//! Tenants: the value `#[tenant_scoped]` binds into every query, and the
//! row-level-security statements that make the database a second wall.

use std::fmt;

use bytes::BytesMut;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};

/// The tenant a request acts for. Take it from authenticated data (a
/// verified token, a session), never from the URL or the request body.
///
/// A function marked `#[tenant_scoped]` finds its tenant argument by this
/// type; every query in it is rewritten to bind it.
///
/// There is deliberately no `From<i64>`: a tenant id is made only with
/// [`TenantId::from_authenticated`], whose name makes the caller say where
/// the number came from, so `req.tenant_id.into()` does not compile.
///
/// ```compile_fail
/// let from_request: i64 = 7;
/// let t: secure_pg::TenantId = from_request.into();
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(i64);

impl TenantId {
    /// Wraps a tenant id that the caller vouches for: one read from an
    /// authenticated source (the claims of a verified token, a server-side
    /// session, a row looked up by a verified API key). Never pass a number
    /// taken from request input (path, query string, body, headers the
    /// client controls): every query of a `#[tenant_scoped]` function and
    /// every row-level-security policy trusts this value.
    ///
    /// ```
    /// # struct Claims { tenant: i64 }
    /// # let verified_claims = Claims { tenant: 7 };
    /// let tenant = secure_pg::TenantId::from_authenticated(verified_claims.tenant);
    /// assert_eq!(tenant.get(), 7);
    /// ```
    pub const fn from_authenticated(id: i64) -> Self {
        TenantId(id)
    }
    /// The id.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Debug for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TenantId({})", self.0)
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl ToSql for TenantId {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        self.0.to_sql(ty, out)
    }
    fn accepts(ty: &Type) -> bool {
        <i64 as ToSql>::accepts(ty)
    }
    to_sql_checked!();
}

/// Identifies the current transaction, computed by the server inside it:
/// the backend's process id and the transaction's start time in
/// microseconds since the epoch (`transaction_timestamp()`, which does not
/// change while the transaction runs). No transaction id is assigned for
/// it: `pg_current_xact_id()` would make every read-only tenant transaction
/// burn an XID and write a commit record, and fails on a hot standby.
///
/// Every name is qualified with `pg_catalog`, so a function or operator
/// planted earlier on the `search_path` cannot stand in for it.
pub(crate) const TX_TOKEN_SQL: &str = "pg_catalog.pg_backend_pid()::text || '.' || \
     (EXTRACT(epoch FROM pg_catalog.transaction_timestamp()) * 1000000)::bigint::text";

/// The function the policies of [`row_level_security_sql`] call.
pub(crate) const TENANT_FUNCTION: &str = "secure_pg_tenant_id";

/// [`set_tenant_sql`] with the id as `$1` (text): prepared once per
/// connection, so that a scoped statement's tenant setting is not parsed
/// and planned again each time. One string for the process (the statement
/// cache is keyed by the text's address).
pub(crate) fn set_tenant_param_sql() -> &'static str {
    static SQL: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        Box::leak(
            format!(
                "SELECT pg_catalog.set_config('app.tenant_id', {TX_TOKEN_SQL} || ':' || $1, true)"
            )
            .into_boxed_str(),
        )
    })
}

/// The statement a tenant transaction runs right after `BEGIN`, for a
/// tenant id that is already an integer (formatting it cannot inject SQL).
pub(crate) fn set_tenant_sql(tenant: TenantId) -> String {
    format!(
        "SELECT pg_catalog.set_config('app.tenant_id', {TX_TOKEN_SQL} || ':{}', true)",
        tenant.get()
    )
}

/// The statements that turn on row-level security for `table`, keyed on
/// the tenant that a tenant transaction ([`crate::TransactionOptions::tenant`])
/// sets for itself, and on nothing else.
///
/// # The policy accepts only the current transaction's tenant
///
/// A tenant transaction sets `app.tenant_id` to `<token>:<id>`, where the
/// token is computed by the server inside that transaction from
/// `pg_backend_pid()` and `transaction_timestamp()`. The first statement
/// creates (or replaces) the function `secure_pg_tenant_id()` in the first
/// schema of the `search_path` (usually `public`): it returns the id only
/// when the token matches the transaction it runs in, and `NULL` otherwise.
/// The policy compares the column with it, in both `USING` and `WITH
/// CHECK`:
///
/// * a setting left on the session (`set_config('app.tenant_id', .., false)`
///   from any function, or a plain `SET`) never matches, whatever id it
///   names, because it carries no token or an old one;
/// * a value copied out of an earlier transaction carries that
///   transaction's token and matches nothing later;
/// * with no setting at all, the function returns `NULL` and no row
///   passes: SQL that bypasses the macros and forgets the tenant sees
///   nothing rather than everything.
///
/// The function is `STABLE` and the policy calls it as a scalar subquery,
/// so the server evaluates it once per statement (an init plan) and can use
/// it as an index key, instead of once per row.
///
/// What this does not stop: SQL that deliberately computes the current
/// token and sets a tenant inside the running transaction (that is running
/// arbitrary SQL, which the macros refuse to build); and two transactions
/// of one backend that start from the same client message (a multi-statement
/// simple query with a `COMMIT` in the middle) share a start time, so a value
/// copied to the session in the first would match in the second. The pool
/// never sends such a message.
///
/// # Column type
///
/// The function returns `bigint`, matching [`TenantId`]. The column may be
/// `bigint`, `integer` or `smallint` (compared across integer types, still
/// indexable); any other type makes `CREATE POLICY` fail with "operator
/// does not exist".
///
/// `FORCE` makes the policy apply to the table's owner too. Run the
/// statements as the role that owns the table; when several roles own
/// tenant tables, the first to run them owns the function. Your own
/// policies, triggers and column defaults should call
/// `secure_pg_tenant_id()` too rather than read `app.tenant_id`, whose
/// value is no longer a bare id.
///
/// ```
/// let sql = secure_pg::row_level_security_sql("widgets", "tenant_id").unwrap();
/// assert!(sql[0].starts_with("CREATE OR REPLACE FUNCTION secure_pg_tenant_id()"));
/// assert_eq!(sql[1], "ALTER TABLE \"widgets\" ENABLE ROW LEVEL SECURITY");
/// assert!(sql[4].contains("USING (\"tenant_id\" = (SELECT secure_pg_tenant_id()))"));
/// ```
pub fn row_level_security_sql(table: &str, column: &str) -> Result<Vec<String>, crate::Error> {
    let t = quote_ident(table)?;
    let c = quote_ident(column)?;
    let policy = quote_ident(&format!("{table}_tenant_isolation"))?;
    let setting = "pg_catalog.current_setting('app.tenant_id', true)";
    let current = format!("(SELECT {TENANT_FUNCTION}())");
    Ok(vec![
        // One expression (no FROM, no SET clause, not SECURITY DEFINER), so
        // the function stays inlinable where it is called per row.
        // PARALLEL RESTRICTED: a parallel worker has its own process id.
        format!(
            "CREATE OR REPLACE FUNCTION {TENANT_FUNCTION}() RETURNS bigint \
             LANGUAGE sql STABLE PARALLEL RESTRICTED AS $secure_pg$\
             SELECT CASE WHEN pg_catalog.split_part({setting}, ':', 1) = {TX_TOKEN_SQL} \
             THEN NULLIF(pg_catalog.split_part({setting}, ':', 2), '')::bigint END\
             $secure_pg$"
        ),
        format!("ALTER TABLE {t} ENABLE ROW LEVEL SECURITY"),
        format!("ALTER TABLE {t} FORCE ROW LEVEL SECURITY"),
        format!("DROP POLICY IF EXISTS {policy} ON {t}"),
        format!(
            "CREATE POLICY {policy} ON {t} USING ({c} = {current}) WITH CHECK ({c} = {current})"
        ),
    ])
}

fn quote_ident(name: &str) -> Result<String, crate::Error> {
    if name.is_empty() || name.contains('\0') {
        return Err(crate::Error::new(
            crate::ErrorKind::Configuration,
            "a table or column name for row-level security is empty or holds a NUL byte",
        ));
    }
    Ok(format!("\"{}\"", name.replace('"', "\"\"")))
}
