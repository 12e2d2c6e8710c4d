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
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(i64);

impl TenantId {
    /// Wraps a tenant id.
    pub const fn new(id: i64) -> Self {
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

impl From<i64> for TenantId {
    fn from(id: i64) -> Self {
        TenantId(id)
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

/// The statements that turn on row-level security for `table`, keyed on
/// the `app.tenant_id` setting that tenant transactions set
/// ([`crate::TransactionOptions::tenant`]).
///
/// `FORCE` makes the policy apply to the table's owner too; the policy
/// refuses every row when the setting is absent, so SQL that bypasses the
/// macros and forgets the tenant sees nothing rather than everything.
///
/// ```
/// let sql = secure_pg::row_level_security_sql("widgets", "tenant_id").unwrap();
/// assert!(sql[0].starts_with("ALTER TABLE \"widgets\" ENABLE ROW LEVEL SECURITY"));
/// ```
pub fn row_level_security_sql(table: &str, column: &str) -> Result<Vec<String>, crate::Error> {
    let t = quote_ident(table)?;
    let c = quote_ident(column)?;
    let policy = quote_ident(&format!("{table}_tenant_isolation"))?;
    let setting = "NULLIF(current_setting('app.tenant_id', true), '')::bigint";
    Ok(vec![
        format!("ALTER TABLE {t} ENABLE ROW LEVEL SECURITY"),
        format!("ALTER TABLE {t} FORCE ROW LEVEL SECURITY"),
        format!("DROP POLICY IF EXISTS {policy} ON {t}"),
        format!(
            "CREATE POLICY {policy} ON {t} USING ({c} = {setting}) WITH CHECK ({c} = {setting})"
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
