//! The SQL side of `#[tenant_scoped]`: add tenant predicates to a parsed
//! statement.
//!
//! # Model
//!
//! The rewrite must give the same result as running the original statement
//! against a database in which every non-exempt base table `T` had been
//! replaced by `(SELECT * FROM T WHERE T.tenant_id = $n)`. Each predicate
//! mentions exactly one table, so it can be moved through a join as long as
//! that does not change which rows the join produces:
//!
//! * Inner, cross and comma joins: filtering an operand before the join and
//!   filtering the join's result are the same, so predicates simply move up.
//! * The preserved side of an outer join (left of `LEFT JOIN`, right of
//!   `RIGHT JOIN`): the side's own columns are never null-extended, so a
//!   filter on them also commutes with the join and keeps moving up.
//! * The nullable side of an outer join (right of `LEFT JOIN`, left of
//!   `RIGHT JOIN`): filtering that operand first is the same as adding the
//!   predicate to the join's `ON` condition, and *not* the same as filtering
//!   afterwards (`WHERE` would drop the null-extended rows and turn the
//!   outer join into an inner one). So the predicate stops here and is
//!   ANDed into this join's `ON`.
//! * Both sides of a `FULL JOIN` are nullable *and* preserved: in `ON` a
//!   predicate only stops a row from matching (another tenant's row would
//!   still come out, null-extended), and in `WHERE` it would drop the
//!   null-extended rows of the other side. Neither is right, so every base
//!   table in both operands is filtered in place instead: `owners o` becomes
//!   `(SELECT * FROM owners o WHERE o.tenant_id = $n) AS o`, which is
//!   exactly the model. The same is done for the nullable side of a `LEFT`
//!   or `RIGHT` join written with `USING` or `NATURAL`, which has no `ON` to
//!   extend.
//!
//! Predicates that reach the top of a `FROM` item without meeting a nullable
//! side are ANDed to `WHERE`, after the user's condition, which is put in
//! parentheses so that `a OR b` cannot absorb them. Parenthesised joins are
//! handled recursively with the same rules.
//!
//! A name in `FROM` that refers to a CTE in scope is not a base table (the
//! CTE's own query is scoped), and neither are derived tables, `UNNEST` and
//! the allow-listed table functions. The *target* of `UPDATE`, `DELETE` and
//! `INSERT` is always a real table, even when a CTE has the same name.
//!
//! # Writes
//!
//! * `UPDATE t ... FROM f` and `DELETE FROM t ... USING u`: the target and
//!   every `FROM` / `USING` table are filtered in `WHERE` (the `FROM` items
//!   follow the join rules above). Assigning the tenant column, also inside
//!   a tuple `SET (a, tenant_id) = ...`, is refused: it would move a row to
//!   another tenant.
//! * `INSERT INTO t (cols) VALUES ...`: the tenant column is appended to the
//!   column list and `$n` to every row. Writing the tenant column yourself is
//!   refused (the value must come from the tenant argument), and so is an
//!   `INSERT` without a column list (the position of the tenant column would
//!   be a guess).
//! * `INSERT INTO t (cols) SELECT ...`: the `SELECT` is scoped like any
//!   query, then `$n` is appended to the select list of every branch of a
//!   set operation. Values are matched to columns by position, so this also
//!   works after `SELECT *` (the extra value lines up with the extra
//!   column). `TABLE x` and other sources are refused.
//! * `ON CONFLICT ... DO UPDATE`: may not assign the tenant column, and gets
//!   `AND t.tenant_id = $n` in its `WHERE`. The conflicting row is found by
//!   a unique index, which need not include the tenant column; without the
//!   predicate an upsert could overwrite another tenant's row. With it, such
//!   a conflict updates nothing (and returns no row). `DO NOTHING` needs no
//!   change.
//! * Data-modifying CTEs (`WITH d AS (DELETE ... RETURNING ...) INSERT ...`)
//!   are scoped statement by statement with the same rules.
//! * An exempt target gets no predicate and no column, but the tables it
//!   reads from are still scoped.
//!
//! # Functions and operators
//!
//! A function can read any table internally, and the rewriter cannot see
//! inside it. So every function call anywhere in the statement (select
//! list, `WHERE`, `HAVING`, `ORDER BY`, `VALUES`, arguments, ...) is
//! accepted only if it is a built-in that [`crate::functions`] knows to
//! read no table, or a function the attribute declares trusted
//! (`trusted_functions = [slugify], reason = "..."`). Only unqualified or
//! `pg_catalog`-qualified names are built-ins: `public.lower` is a user
//! function. Built-ins known to read data (`query_to_xml`, `table_to_xml`,
//! `pg_read_file`, `lo_get`, `dblink` ...) are refused even if declared
//! trusted. `set_config` is always refused, and `current_setting` unless
//! its first argument is a string literal naming a setting other than
//! [`TENANT_SETTING`]. `OPERATOR(schema.op)` outside `pg_catalog` and
//! operators sqlparser only knows as custom ones are refused: a
//! user-defined operator is a function call.
//!
//! Table functions in `FROM` follow the same rule, restricted to the
//! set-returning built-ins ([`TABLE_FUNCTION_ALLOW_LIST`], derived from the
//! same table) and trusted functions.
//!
//! # Names
//!
//! Names compare exactly as PostgreSQL compares them ([`crate::ident`]):
//! unquoted identifiers fold ASCII `A`-`Z` only (not Unicode: the Kelvin
//! sign is not `k`), quoted identifiers are exact, and both are truncated
//! to 63 bytes. This holds for CTE names, exempt tables, trusted functions,
//! built-in functions and the tenant column. An exempt entry `currencies`
//! matches `currencies` and `public.currencies`, not `ref.currencies`; an
//! entry `ref.currencies` matches only `ref.currencies`.
//!
//! # Not seen by the rewriter
//!
//! * Views are treated like tables: a view gets the predicate on its own
//!   tenant column, whatever it reads.
//! * Trusted functions: the attribute's reason is the only evidence that
//!   they read no tenant data.
//! * Functions PostgreSQL calls without their being named: column
//!   defaults, triggers, casts and input functions of user-defined types,
//!   and user-defined operators spelled like built-in ones (sqlparser
//!   cannot tell `a @@ b` on a user type from the built-in).
//! * An unqualified name resolves through the `search_path` at run time;
//!   the rewriter assumes `pg_catalog` comes first (PostgreSQL's default
//!   unless `search_path` names it later).
//!
//! Expression forms that are not walked explicitly are checked for an
//! embedded query (by tokenising their text and looking for the keywords
//! that start one); if they contain one they are refused instead of being
//! passed through unscoped. Function calls in them are still checked, as
//! the check walks the whole tree.
//!
//! # Table references
//!
//! * `ONLY t` and `t *` only choose which inheritance children are read; the
//!   predicate filters them all the same. `TABLESAMPLE` samples before
//!   `WHERE`, so the sample contains only the tenant's rows after filtering.
//! * Column aliases on a scoped table (`widgets AS w(a, b)`) are refused:
//!   they rename columns by position, so `w.tenant_id` could name a
//!   different column.
//! * A parenthesised join with an alias (`(a JOIN b ON ...) AS j`) is
//!   refused when it contains scoped tables: the alias hides `a` and `b`,
//!   so their predicates could not refer to them outside.
//!
//! # Refused
//!
//! Every statement other than `SELECT` / `VALUES`, `INSERT`, `UPDATE`,
//! `DELETE` and `WITH` over those is refused ([`refused_statements`] lists
//! the reasons for the common ones: DDL, `COPY`, `TRUNCATE`, `SET`,
//! `CALL`, `EXPLAIN`, `MERGE`, `LOCK`, transaction control ...), as are
//! `SELECT INTO`, `TABLE x`, `INSERT ... DEFAULT VALUES`, several
//! statements in one string, and all syntax of other SQL dialects that
//! sqlparser accepts. Every `match` over the syntax tree is either
//! exhaustive or ends in a refusing arm, so a form added to sqlparser later
//! is refused (or fails to compile) until it is handled.

use sqlparser::ast::{
    Assignment, AssignmentTarget, BinaryOperator, Delete, Distinct, Expr, FromTable, Function,
    FunctionArg, FunctionArgExpr, FunctionArgumentClause, FunctionArguments, GroupByExpr, Ident,
    InTarget, Insert, JoinConstraint, JoinOperator, LimitClause, ObjectName, ObjectNamePart,
    OnConflictAction, OnInsert, OrderByExpr, OrderByKind, Query, Select, SelectFlavor, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, Statement, TableAlias, TableFactor, TableObject,
    TableSampleKind, TableWithJoins, Update, UpdateTableFromKind, Value, WindowFrameBound,
    WindowType,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};
use std::cell::{Cell, RefCell};
use std::fmt::{self, Display};

mod calls;
mod expr;
mod from;
mod query;
mod refusals;
mod schema;
mod write;

#[cfg(test)]
mod snapshots;
#[cfg(test)]
mod tests;

pub use calls::TENANT_SETTING;
pub use refusals::{refused_statements, Refusal, TABLE_FUNCTION_ALLOW_LIST};
pub use schema::{
    check_tables, tenant_data_reached, tenant_relations, tenant_relations_in_text, TenantColumn,
};

use crate::diagnostic::Diagnostic;
use expr::{and_all, and_into, forbid_hidden_query};
use refusals::{non_postgres, refuse_statement, ESCAPE_HATCH};

type Result<T, E = ScopeError> = std::result::Result<T, E>;

/// The tenant column used when the attribute does not name one.
pub const DEFAULT_COLUMN: &str = "tenant_id";

/// The tenant column's type when the attribute does not name one: the
/// type `TenantId` binds as.
pub const DEFAULT_COLUMN_TYPE: &str = "bigint";

/// How to scope a query: which column carries the tenant, which tables
/// are shared between tenants and which user functions are trusted.
///
/// Table and function names are SQL names as they would be written in a
/// query (`currencies`, `ref.currencies`, `"Currencies"`) and compare as
/// PostgreSQL compares names ([`crate::ident`]). An unqualified entry
/// matches the unqualified name and the same name in `public`; a qualified
/// entry matches only that schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantOptions {
    /// The tenant column, a plain lowercase SQL identifier.
    pub column: String,
    /// Tables that are shared by all tenants.
    pub exempt: Vec<String>,
    /// SQL type of the tenant column, used to type the tenant value where
    /// PostgreSQL cannot infer it (the select list of `INSERT ... SELECT`).
    pub column_type: String,
    /// User functions the author declared to read no tenant data; they are
    /// accepted in expressions and in `FROM` like the built-ins of
    /// [`crate::functions`] that read no table.
    pub trusted_functions: Vec<String>,
    /// Why the trusted functions read no tenant data, as the author wrote
    /// it (`reason = "..."`); shown in the generated documentation.
    pub trusted_reason: String,
}

impl Default for TenantOptions {
    fn default() -> Self {
        TenantOptions {
            column: DEFAULT_COLUMN.to_owned(),
            exempt: Vec::new(),
            column_type: DEFAULT_COLUMN_TYPE.to_owned(),
            trusted_functions: Vec::new(),
            trusted_reason: String::new(),
        }
    }
}

impl TenantOptions {
    /// Whether the table `name` (as written in a query) is exempt.
    pub fn is_exempt(&self, name: &ObjectName) -> bool {
        listed(&self.exempt, name)
    }

    /// Whether the function `name` (as written in a query) is declared
    /// trusted.
    pub fn is_trusted_function(&self, name: &ObjectName) -> bool {
        listed(&self.trusted_functions, name)
    }
}

/// Whether `name` is one of `entries` (SQL names): equal parts, or an
/// unqualified entry and `public.<entry>`. An entry that is not a valid
/// SQL name matches nothing.
fn listed(entries: &[String], name: &ObjectName) -> bool {
    let Some(parts) = crate::ident::pg_object_name(name) else {
        return false;
    };
    entries
        .iter()
        .filter_map(|e| crate::ident::parse_name(e))
        .any(|entry| match (entry.as_slice(), parts.as_slice()) {
            ([table], [schema, used]) => schema == "public" && used == table,
            _ => entry == parts,
        })
}

/// Why a statement could not be scoped to the tenant. The message is meant
/// to be shown to the user as a compile error, as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeError {
    message: String,
}

impl ScopeError {
    /// `cannot scope this query to the tenant (<what>): <why>`.
    pub fn refuse(what: impl fmt::Display, why: impl fmt::Display) -> Self {
        ScopeError {
            message: format!("cannot scope this query to the tenant ({what}): {why}"),
        }
    }

    /// The full message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScopeError {}

impl From<ScopeError> for Diagnostic {
    fn from(e: ScopeError) -> Diagnostic {
        Diagnostic::new(e.message)
    }
}

/// The parsed form of a type name, so that printing and re-parsing the
/// rewritten statement gives the same tree.
fn data_type(name: &str) -> sqlparser::ast::DataType {
    sqlparser::parser::Parser::new(&PostgreSqlDialect {})
        .try_with_sql(name)
        .and_then(|mut p| p.parse_data_type())
        .unwrap_or_else(|_| {
            sqlparser::ast::DataType::Custom(
                sqlparser::ast::ObjectName::from(vec![Ident::new(name)]),
                Vec::new(),
            )
        })
}

/// Rewrites one PostgreSQL statement so that it only reads and writes rows
/// whose `opts.column` equals the placeholder `$tenant_param`.
///
/// Returns the rewritten statement as sqlparser prints it, or an error
/// meant for the user when the statement cannot be scoped safely.
pub fn scope_sql(sql: &str, opts: &TenantOptions, tenant_param: usize) -> Result<String> {
    scope_query(sql, opts, tenant_param).map(|scoped| scoped.sql)
}

/// The result of scoping one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scoped {
    /// The rewritten SQL.
    pub sql: String,
    /// Whether the rewritten SQL uses the tenant placeholder. It does not
    /// when the query reads no tenant table (`SELECT 1`, only exempt
    /// tables); then the tenant must not be passed as an argument either.
    pub binds_tenant: bool,
    /// Every table the query names (CTEs aside), in order, each once: the
    /// ones the rewriter scoped and the exempt ones it left alone. With a
    /// schema, [`check_tables`] holds them against the catalog.
    pub tables: Vec<TableUse>,
}

/// One table a scoped query names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableUse {
    /// The name as written (`ref.currencies`, `"Rates"`).
    pub written: String,
    /// Its parts as PostgreSQL resolves them ([`crate::ident`]).
    pub parts: Vec<String>,
    /// Listed in `exempt`, so not scoped.
    pub exempt: bool,
}

/// [`scope_sql`], also saying whether the tenant placeholder is used.
pub fn scope_query(sql: &str, opts: &TenantOptions, tenant_param: usize) -> Result<Scoped> {
    let (statement, binds_tenant, tables) = scope_tree(sql, opts, tenant_param)?;
    Ok(Scoped {
        sql: statement.to_string(),
        binds_tenant,
        tables,
    })
}

/// [`scope_sql`], returning the rewritten tree instead of its text.
pub fn scope_statement(sql: &str, opts: &TenantOptions, tenant_param: usize) -> Result<Statement> {
    scope_tree(sql, opts, tenant_param).map(|(statement, _, _)| statement)
}

fn scope_tree(
    sql: &str,
    opts: &TenantOptions,
    tenant_param: usize,
) -> Result<(Statement, bool, Vec<TableUse>)> {
    let mut statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).map_err(|e| {
        ScopeError::refuse(
            "this query",
            format_args!(
                "the rewriter could not parse it ({e}); write it in a form that sqlparser's \
                 PostgreSQL dialect accepts, or mark the query `unscoped = \"reason\"`"
            ),
        )
    })?;
    let mut statement =
        match statements.len() {
            1 => statements.remove(0),
            0 => {
                return Err(ScopeError::refuse(
                    "an empty query",
                    "there is no statement",
                ))
            }
            n => return Err(ScopeError::refuse(
                format_args!("{n} statements"),
                "a query must contain exactly one statement; split it into one query per statement",
            )),
        };
    calls::check_statement(opts, &statement)?;
    let mut rewriter = Rewriter::new(opts, tenant_param);
    rewriter.statement(&mut statement)?;
    // The database receives the printed tree, so the printed text must read
    // back as exactly that tree. sqlparser accepts some things PostgreSQL
    // does not (an unquoted keyword as a column name) that print as
    // something else (`(SELECT)` becomes a subquery); refuse those rather
    // than send a statement whose meaning nobody checked.
    let text = statement.to_string();
    let reads_back = Parser::parse_sql(&PostgreSqlDialect {}, &text)
        .is_ok_and(|reparsed| reparsed.len() == 1 && reparsed[0] == statement);
    if !reads_back {
        return Err(ScopeError::refuse(
            "the rewritten query",
            "the rewritten SQL would not read back as the statement that was scoped; \
             quote identifiers that are SQL keywords (`\"select\"`), or mark the query \
             `unscoped = \"reason\"`",
        ));
    }
    Ok((
        statement,
        rewriter.param_used.get(),
        rewriter.tables.into_inner(),
    ))
}

/// Walks one statement and adds the predicates. `ctes` is a stack of the CTE
/// names visible at the current point (one frame per `WITH`).
struct Rewriter<'a> {
    opts: &'a TenantOptions,
    column: Ident,
    param: String,
    column_type: String,
    /// Set once the placeholder has been put into the tree.
    param_used: Cell<bool>,
    ctes: Vec<Vec<String>>,
    /// The tables decided on so far (see [`Scoped::tables`]).
    tables: RefCell<Vec<TableUse>>,
}

/// The name PostgreSQL resolves `ident` to (see [`crate::ident`]): only
/// ASCII letters of unquoted names fold, then 63-byte truncation.
fn normalize(ident: &Ident) -> String {
    crate::ident::pg_name(ident)
}

fn name_idents<'n>(name: &'n ObjectName, what: &str) -> Result<Vec<&'n Ident>> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => Ok(ident),
            ObjectNamePart::Function(_) => Err(ScopeError::refuse(
                format_args!("{what} `{name}`"),
                "computed name parts are not PostgreSQL syntax",
            )),
        })
        .collect()
}

fn last_ident(name: &ObjectName) -> Option<&Ident> {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(ident)) => Some(ident),
        _ => None,
    }
}

impl<'a> Rewriter<'a> {
    fn new(opts: &'a TenantOptions, tenant_param: usize) -> Self {
        Rewriter {
            opts,
            column: Ident::new(opts.column.clone()),
            param: format!("${tenant_param}"),
            column_type: opts.column_type.clone(),
            param_used: Cell::new(false),
            ctes: Vec::new(),
            tables: RefCell::default(),
        }
    }

    fn param(&self) -> Expr {
        self.param_used.set(true);
        Expr::Value(Value::Placeholder(self.param.clone()).into())
    }

    /// `$n::<column type>`: in a select list PostgreSQL cannot infer the
    /// parameter's type from the target column (`SELECT DISTINCT`, or a
    /// set operation whose first branch reads only shared tables).
    fn typed_param(&self) -> Expr {
        Expr::Cast {
            kind: sqlparser::ast::CastKind::DoubleColon,
            expr: Box::new(self.param()),
            data_type: data_type(&self.column_type),
            format: None,
        }
    }

    /// `<qualifier>.<column> = $n`.
    fn predicate(&self, qualifier: Vec<Ident>) -> Expr {
        let mut idents = qualifier;
        idents.push(self.column.clone());
        Expr::BinaryOp {
            left: Box::new(Expr::CompoundIdentifier(idents)),
            op: BinaryOperator::Eq,
            right: Box::new(self.param()),
        }
    }

    /// The predicate for a table referenced as `name [AS alias]`: the alias
    /// if there is one, else the name as written (schema included).
    fn table_predicate(&self, name: &ObjectName, alias: Option<&Ident>) -> Result<Expr> {
        let qualifier = match alias {
            Some(alias) => vec![alias.clone()],
            None => name_idents(name, "the table")?
                .into_iter()
                .cloned()
                .collect(),
        };
        Ok(self.predicate(qualifier))
    }

    /// Whether the table `name` is exempt; every table the rewriter
    /// decides on passes here, so this is also where it is recorded.
    fn is_exempt(&self, name: &ObjectName) -> bool {
        let exempt = self.opts.is_exempt(name);
        if let Some(parts) = crate::ident::pg_object_name(name) {
            let mut tables = self.tables.borrow_mut();
            if !tables.iter().any(|t| t.parts == parts) {
                tables.push(TableUse {
                    written: name.to_string(),
                    parts,
                    exempt,
                });
            }
        }
        exempt
    }

    fn is_cte(&self, name: &ObjectName) -> bool {
        match name.0.as_slice() {
            [ObjectNamePart::Identifier(ident)] => {
                let wanted = normalize(ident);
                self.ctes.iter().flatten().any(|cte| *cte == wanted)
            }
            _ => false,
        }
    }

    fn is_tenant_column(&self, name: &ObjectName) -> bool {
        last_ident(name).is_some_and(|ident| normalize(ident) == self.opts.column)
    }
}
