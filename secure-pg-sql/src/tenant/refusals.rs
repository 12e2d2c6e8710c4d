//! What `#[tenant_scoped]` refuses outright: statement kinds, with the
//! reason shown to the user, and the table functions allowed in `FROM`.

use super::*;
use crate::functions::{BuiltinFunction, BUILTIN_FUNCTIONS};

/// The standard way out, appended to refusals of whole statements.
pub(super) const ESCAPE_HATCH: &str =
    "run it outside #[tenant_scoped], or mark the query `unscoped = \"reason\"`";

/// Table functions that may appear in `FROM`: the set-returning built-ins
/// of [`crate::functions`] that read no table (each computes its rows from
/// its arguments; any subquery in the arguments is scoped like every other
/// subquery). Derived from that table, so the two cannot disagree. They
/// may be qualified with `pg_catalog`; functions declared in
/// `trusted_functions` are accepted too.
pub const TABLE_FUNCTION_ALLOW_LIST: &[&str] = &TABLE_FUNCTIONS;

const TABLE_FUNCTION_COUNT: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < BUILTIN_FUNCTIONS.len() {
        if is_table_function(&BUILTIN_FUNCTIONS[i]) {
            n += 1;
        }
        i += 1;
    }
    n
};

const TABLE_FUNCTIONS: [&str; TABLE_FUNCTION_COUNT] = {
    let mut out = [""; TABLE_FUNCTION_COUNT];
    let mut n = 0;
    let mut i = 0;
    while i < BUILTIN_FUNCTIONS.len() {
        if is_table_function(&BUILTIN_FUNCTIONS[i]) {
            out[n] = BUILTIN_FUNCTIONS[i].name;
            n += 1;
        }
        i += 1;
    }
    out
};

pub(super) const fn is_table_function(f: &BuiltinFunction) -> bool {
    f.reads_no_table && f.set_returning && !f.syntax
}

/// One kind of statement that `#[tenant_scoped]` refuses, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// The leading keyword(s), e.g. `COPY` or `CREATE`.
    pub keyword: &'static str,
    /// Why the statement cannot be scoped.
    pub reason: &'static str,
}

const REFUSALS: &[Refusal] = &[
    Refusal {
        keyword: "COPY",
        reason: "COPY reads or writes whole tables",
    },
    Refusal {
        keyword: "TRUNCATE",
        reason: "TRUNCATE empties whole tables, for every tenant",
    },
    Refusal {
        keyword: "CREATE",
        reason: "schema changes (DDL) are not per-tenant data",
    },
    Refusal {
        keyword: "ALTER",
        reason: "schema changes (DDL) are not per-tenant data",
    },
    Refusal {
        keyword: "DROP",
        reason: "schema changes (DDL) are not per-tenant data",
    },
    Refusal {
        keyword: "COMMENT",
        reason: "schema changes (DDL) are not per-tenant data",
    },
    Refusal {
        keyword: "SET",
        reason: "it changes session state that later queries on the connection share",
    },
    Refusal {
        keyword: "RESET",
        reason: "it changes session state that later queries on the connection share",
    },
    Refusal {
        keyword: "SHOW",
        reason: "it reads server settings, not tenant data",
    },
    Refusal {
        keyword: "DISCARD",
        reason: "it changes session state that later queries on the connection share",
    },
    Refusal {
        keyword: "GRANT",
        reason: "privileges are not per-tenant data",
    },
    Refusal {
        keyword: "REVOKE",
        reason: "privileges are not per-tenant data",
    },
    Refusal {
        keyword: "CALL",
        reason: "a procedure can read and write any table, and the rewriter cannot see inside it",
    },
    Refusal {
        keyword: "EXPLAIN",
        reason: "EXPLAIN is not rewritten (EXPLAIN ANALYZE would run the unscoped statement)",
    },
    Refusal {
        keyword: "MERGE",
        reason: "the rewriter does not support MERGE (INSERT ... ON CONFLICT, or separate UPDATE and INSERT statements, can be scoped)",
    },
    Refusal {
        keyword: "LOCK",
        reason: "LOCK TABLE locks whole tables, for every tenant",
    },
    Refusal {
        keyword: "VACUUM",
        reason: "maintenance commands work on whole tables",
    },
    Refusal {
        keyword: "ANALYZE",
        reason: "maintenance commands work on whole tables",
    },
    Refusal {
        keyword: "START",
        reason: "transaction control belongs to the transaction API, not to a query",
    },
    Refusal {
        keyword: "BEGIN",
        reason: "transaction control belongs to the transaction API, not to a query",
    },
    Refusal {
        keyword: "COMMIT",
        reason: "transaction control belongs to the transaction API, not to a query",
    },
    Refusal {
        keyword: "ROLLBACK",
        reason: "transaction control belongs to the transaction API, not to a query",
    },
    Refusal {
        keyword: "SAVEPOINT",
        reason: "transaction control belongs to the transaction API, not to a query",
    },
    Refusal {
        keyword: "RELEASE",
        reason: "transaction control belongs to the transaction API, not to a query",
    },
    Refusal {
        keyword: "PREPARE",
        reason: "a prepared statement's text is not visible to the rewriter",
    },
    Refusal {
        keyword: "EXECUTE",
        reason: "a prepared statement's text is not visible to the rewriter",
    },
    Refusal {
        keyword: "DEALLOCATE",
        reason: "it manages prepared statements, not tenant data",
    },
    Refusal {
        keyword: "LISTEN",
        reason: "notification channels are not per-tenant data",
    },
    Refusal {
        keyword: "NOTIFY",
        reason: "notification channels are not per-tenant data",
    },
    Refusal {
        keyword: "UNLISTEN",
        reason: "notification channels are not per-tenant data",
    },
    Refusal {
        keyword: "DECLARE",
        reason: "cursors are not supported by the rewriter",
    },
    Refusal {
        keyword: "FETCH",
        reason: "cursors are not supported by the rewriter",
    },
    Refusal {
        keyword: "CLOSE",
        reason: "cursors are not supported by the rewriter",
    },
];

/// The statements refused by `#[tenant_scoped]`, by leading keyword (for
/// documentation). Statements not in this list and not `SELECT`, `INSERT`,
/// `UPDATE`, `DELETE` or `WITH` are refused too, as not understood.
pub fn refused_statements() -> &'static [Refusal] {
    REFUSALS
}

pub(super) fn non_postgres(what: impl Display) -> ScopeError {
    ScopeError::refuse(
        what,
        "it is not PostgreSQL syntax the rewriter understands; rewrite it in plain PostgreSQL, \
         or mark the query `unscoped = \"reason\"`",
    )
}

/// Refusal of a whole statement kind, worded from its leading keyword.
pub(super) fn refuse_statement(statement: &Statement) -> ScopeError {
    let text = statement.to_string();
    let mut words = text.split_whitespace();
    let first = words.next().unwrap_or("").to_uppercase();
    let label = match first.as_str() {
        "CREATE" | "ALTER" | "DROP" => {
            let second = words.next().unwrap_or("").to_uppercase();
            format!("`{first} {second}`")
        }
        _ => format!("`{first}`"),
    };
    match REFUSALS.iter().find(|r| r.keyword == first) {
        Some(r) => ScopeError::refuse(label, format_args!("{}; {ESCAPE_HATCH}", r.reason)),
        None => ScopeError::refuse(
            label,
            format_args!(
                "only SELECT, INSERT, UPDATE, DELETE and WITH can be scoped; {ESCAPE_HATCH}"
            ),
        ),
    }
}
