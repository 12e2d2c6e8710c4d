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
//! # Not seen by the rewriter
//!
//! Views and SQL functions called in expressions are treated like tables and
//! scalar functions respectively: a view gets the predicate on its own tenant
//! column, but whatever a function reads internally is invisible here.
//! Table functions in `FROM` are refused unless they are on
//! [`TABLE_FUNCTION_ALLOW_LIST`] (they compute rows from their arguments and
//! read no table).
//!
//! Expression forms that are not walked explicitly are checked for an
//! embedded query (by tokenising their text and looking for the keywords
//! that start one); if they contain one they are refused instead of being
//! passed through unscoped.
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
use std::cell::Cell;
use std::fmt::Display;

use super::{ScopeError, TenantOptions};

type Result<T, E = ScopeError> = std::result::Result<T, E>;

/// The standard way out, appended to refusals of whole statements.
const ESCAPE_HATCH: &str =
    "run it outside #[tenant_scoped], or mark the query `unscoped = \"reason\"`";

/// Table functions that may appear in `FROM`: each computes its rows from its
/// arguments only and reads no table (any subquery in the arguments is
/// scoped like every other subquery). They may be qualified with
/// `pg_catalog`.
pub(crate) const TABLE_FUNCTION_ALLOW_LIST: &[&str] = &[
    "generate_series",
    "generate_subscripts",
    "unnest",
    "json_array_elements",
    "json_array_elements_text",
    "jsonb_array_elements",
    "jsonb_array_elements_text",
    "json_each",
    "json_each_text",
    "jsonb_each",
    "jsonb_each_text",
    "json_to_recordset",
    "jsonb_to_recordset",
    "regexp_matches",
    "regexp_split_to_table",
    "string_to_table",
];

/// One kind of statement that `#[tenant_scoped]` refuses, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The leading keyword(s), e.g. `COPY` or `CREATE`.
    pub(crate) keyword: &'static str,
    /// Why the statement cannot be scoped.
    pub(crate) reason: &'static str,
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
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn refused_statements() -> &'static [Refusal] {
    REFUSALS
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
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn scope_sql(sql: &str, opts: &TenantOptions, tenant_param: usize) -> Result<String> {
    scope_query(sql, opts, tenant_param).map(|scoped| scoped.sql)
}

/// The result of scoping one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scoped {
    /// The rewritten SQL.
    pub(crate) sql: String,
    /// Whether the rewritten SQL uses the tenant placeholder. It does not
    /// when the query reads no tenant table (`SELECT 1`, only exempt
    /// tables); then the tenant must not be passed as an argument either.
    pub(crate) binds_tenant: bool,
}

/// [`scope_sql`], also saying whether the tenant placeholder is used.
pub(crate) fn scope_query(sql: &str, opts: &TenantOptions, tenant_param: usize) -> Result<Scoped> {
    let (statement, binds_tenant) = scope_tree(sql, opts, tenant_param)?;
    Ok(Scoped {
        sql: statement.to_string(),
        binds_tenant,
    })
}

/// [`scope_sql`], returning the rewritten tree instead of its text.
#[cfg(test)]
pub(crate) fn scope_statement(
    sql: &str,
    opts: &TenantOptions,
    tenant_param: usize,
) -> Result<Statement> {
    scope_tree(sql, opts, tenant_param).map(|(statement, _)| statement)
}

fn scope_tree(sql: &str, opts: &TenantOptions, tenant_param: usize) -> Result<(Statement, bool)> {
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
    let mut rewriter = Rewriter::new(opts, tenant_param);
    rewriter.statement(&mut statement)?;
    Ok((statement, rewriter.param_used.get()))
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
}

/// `Ident` comparison the way PostgreSQL resolves names: unquoted names fold
/// to lower case, quoted ones are exact.
fn normalize(ident: &Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
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

/// `(e)`, unless `e` already is parenthesised.
fn parenthesize(e: Expr) -> Expr {
    match e {
        Expr::Nested(_) => e,
        other => Expr::Nested(Box::new(other)),
    }
}

/// `(existing) AND p1 AND p2 ...` (or just the predicates).
fn and_all(existing: Option<Expr>, predicates: Vec<Expr>) -> Option<Expr> {
    let mut acc = existing.map(parenthesize);
    for p in predicates {
        acc = Some(match acc {
            None => p,
            Some(left) => Expr::BinaryOp {
                left: Box::new(left),
                op: BinaryOperator::And,
                right: Box::new(p),
            },
        });
    }
    acc
}

fn and_into(slot: &mut Option<Expr>, predicates: Vec<Expr>) {
    if !predicates.is_empty() {
        *slot = and_all(slot.take(), predicates);
    }
}

/// Refuses `node` if its text contains a keyword that can start a query.
/// Used for syntax the rewriter does not walk: it may hold no query at all.
fn forbid_hidden_query(node: &dyn Display, what: &str) -> Result<()> {
    let text = node.to_string();
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, &text)
        .tokenize()
        .map_err(|e| ScopeError::refuse(format_args!("{what} `{text}`"), e))?;
    let hides_query = tokens.iter().any(|t| {
        matches!(t, Token::Word(w) if w.quote_style.is_none() && matches!(
            w.keyword,
            Keyword::SELECT
                | Keyword::VALUES
                | Keyword::TABLE
                | Keyword::WITH
                | Keyword::FROM
                | Keyword::INSERT
                | Keyword::UPDATE
                | Keyword::DELETE
                | Keyword::MERGE
        ))
    });
    if hides_query {
        Err(ScopeError::refuse(
            format_args!("{what} `{text}`"),
            "it contains a subquery in a position the rewriter does not walk; \
             move the subquery into a CTE or a join, or mark the query `unscoped = \"reason\"`",
        ))
    } else {
        Ok(())
    }
}

fn non_postgres(what: impl Display) -> ScopeError {
    ScopeError::refuse(
        what,
        "it is not PostgreSQL syntax the rewriter understands; rewrite it in plain PostgreSQL, \
         or mark the query `unscoped = \"reason\"`",
    )
}

/// Refusal of a whole statement kind, worded from its leading keyword.
fn refuse_statement(statement: &Statement) -> ScopeError {
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

impl<'a> Rewriter<'a> {
    fn new(opts: &'a TenantOptions, tenant_param: usize) -> Self {
        Rewriter {
            opts,
            column: Ident::new(opts.column.clone()),
            param: format!("${tenant_param}"),
            column_type: opts.column_type.clone(),
            param_used: Cell::new(false),
            ctes: Vec::new(),
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

    fn is_exempt(&self, name: &ObjectName) -> bool {
        last_ident(name).is_some_and(|ident| self.opts.is_exempt(&ident.value))
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

    // ----- statements -------------------------------------------------------

    fn statement(&mut self, statement: &mut Statement) -> Result<()> {
        match statement {
            Statement::Query(query) => self.query(query),
            Statement::Insert(insert) => self.insert(insert),
            Statement::Update(update) => self.update(update),
            Statement::Delete(delete) => self.delete(delete),
            other => Err(refuse_statement(other)),
        }
    }

    fn insert(&mut self, insert: &mut Insert) -> Result<()> {
        if insert.or.is_some()
            || insert.ignore
            || insert.overwrite
            || insert.replace_into
            || insert.priority.is_some()
            || insert.insert_alias.is_some()
            || insert.settings.is_some()
            || insert.format_clause.is_some()
            || insert.partitioned.is_some()
            || !insert.after_columns.is_empty()
            || insert.has_table_keyword
            || insert.by_name
            || insert.output.is_some()
            || insert.multi_table_insert_type.is_some()
            || !insert.multi_table_into_clauses.is_empty()
            || !insert.multi_table_when_clauses.is_empty()
            || insert.multi_table_else_clause.is_some()
        {
            return Err(non_postgres("this form of `INSERT`"));
        }
        if !insert.assignments.is_empty() {
            return Err(non_postgres("`INSERT ... SET`"));
        }
        let table = match &insert.table {
            TableObject::TableName(name) => name.clone(),
            _ => return Err(non_postgres("`INSERT INTO` a table function")),
        };
        let scoped = !self.is_exempt(&table);
        if scoped {
            if insert.columns.is_empty() {
                return Err(ScopeError::refuse(
                    format_args!("`INSERT INTO {table}` without a column list"),
                    format_args!(
                        "the rewriter adds `{}` to the column list, so list the columns \
                         explicitly: `INSERT INTO {table} (col, ...) ...`",
                        self.opts.column
                    ),
                ));
            }
            if let Some(col) = insert.columns.iter().find(|c| self.is_tenant_column(c)) {
                return Err(ScopeError::refuse(
                    format_args!("`INSERT INTO {table}` that sets `{col}`"),
                    format_args!(
                        "#[tenant_scoped] fills `{col}` from the tenant argument; \
                         remove it from the column list and the values"
                    ),
                ));
            }
        }
        match insert.source.as_deref_mut() {
            Some(source) => {
                self.query(source)?;
                if scoped {
                    self.append_tenant_value(&mut source.body)?;
                }
            }
            None => {
                if scoped {
                    return Err(ScopeError::refuse(
                        "`INSERT ... DEFAULT VALUES`",
                        "list the columns and values explicitly",
                    ));
                }
            }
        }
        if scoped {
            insert
                .columns
                .push(ObjectName::from(vec![self.column.clone()]));
        }
        match &mut insert.on {
            None => {}
            Some(OnInsert::OnConflict(on_conflict)) => {
                if let Some(target) = &on_conflict.conflict_target {
                    forbid_hidden_query(target, "the conflict target")?;
                }
                match &mut on_conflict.action {
                    OnConflictAction::DoNothing => {}
                    OnConflictAction::DoUpdate(update) => {
                        self.assignments(&mut update.assignments, "ON CONFLICT DO UPDATE")?;
                        if let Some(selection) = &mut update.selection {
                            self.expr(selection)?;
                        }
                        if scoped {
                            let alias = insert.table_alias.as_ref().map(|a| &a.alias);
                            let predicate = self.table_predicate(&table, alias)?;
                            and_into(&mut update.selection, vec![predicate]);
                        }
                    }
                }
            }
            Some(_) => return Err(non_postgres("`ON DUPLICATE KEY UPDATE`")),
        }
        if let Some(returning) = &mut insert.returning {
            self.select_items(returning)?;
        }
        Ok(())
    }

    /// Appends `$n` to every row the source of an `INSERT` produces:
    /// positional, so it lines up with the column appended to the list (also
    /// after `*`).
    fn append_tenant_value(&self, body: &mut SetExpr) -> Result<()> {
        match body {
            SetExpr::Select(select) => {
                select
                    .projection
                    .push(SelectItem::UnnamedExpr(self.typed_param()));
                Ok(())
            }
            SetExpr::Values(values) => {
                for row in &mut values.rows {
                    row.push(self.param());
                }
                Ok(())
            }
            SetExpr::SetOperation { left, right, .. } => {
                self.append_tenant_value(left)?;
                self.append_tenant_value(right)
            }
            SetExpr::Query(query) => self.append_tenant_value(&mut query.body),
            other => Err(ScopeError::refuse(
                format_args!("`INSERT ... {other}`"),
                "the rewriter cannot add the tenant column to this source; \
                 use VALUES or SELECT",
            )),
        }
    }

    fn assignments(&mut self, assignments: &mut [Assignment], context: &str) -> Result<()> {
        for assignment in assignments {
            let targets: Vec<&ObjectName> = match &assignment.target {
                AssignmentTarget::ColumnName(name) => vec![name],
                AssignmentTarget::Tuple(names) => names.iter().collect(),
            };
            if let Some(name) = targets.into_iter().find(|n| self.is_tenant_column(n)) {
                return Err(ScopeError::refuse(
                    format_args!("`{context}` that assigns `{name}`"),
                    "moving a row to another tenant is not allowed inside #[tenant_scoped]; \
                     remove the assignment",
                ));
            }
            self.expr(&mut assignment.value)?;
        }
        Ok(())
    }

    /// The single table an `UPDATE` / `DELETE` writes to, and its predicate
    /// (`None` when exempt). Never treated as a CTE reference.
    fn dml_target(&mut self, target: &TableWithJoins, verb: &str) -> Result<Option<Expr>> {
        if !target.joins.is_empty() {
            return Err(non_postgres(format_args!("`{verb}` of a join")));
        }
        match &target.relation {
            TableFactor::Table {
                name,
                alias,
                args: None,
                with_hints,
                version: None,
                partitions,
                json_path: None,
                sample: None,
                index_directives,
                ..
            } if with_hints.is_empty() && partitions.is_empty() && index_directives.is_empty() => {
                if self.is_exempt(name) {
                    Ok(None)
                } else {
                    self.table_predicate(name, alias.as_ref().map(|a| &a.name))
                        .map(Some)
                }
            }
            other => Err(non_postgres(format_args!("`{verb} {other}`"))),
        }
    }

    fn update(&mut self, update: &mut Update) -> Result<()> {
        if update.or.is_some()
            || update.on_cluster.is_some()
            || !update.order_by.is_empty()
            || update.limit.is_some()
            || update.output.is_some()
            || update.settings.is_some()
        {
            return Err(non_postgres("this form of `UPDATE`"));
        }
        let mut predicates: Vec<Expr> = self
            .dml_target(&update.table, "UPDATE")?
            .into_iter()
            .collect();
        self.assignments(&mut update.assignments, "UPDATE")?;
        match &mut update.from {
            None => {}
            Some(UpdateTableFromKind::AfterSet(from)) => {
                for item in from {
                    predicates.extend(self.table_with_joins(item, false)?);
                }
            }
            Some(UpdateTableFromKind::BeforeSet(_)) => {
                return Err(non_postgres("`UPDATE FROM ... SET`"))
            }
        }
        if let Some(selection) = &mut update.selection {
            self.expr(selection)?;
        }
        and_into(&mut update.selection, predicates);
        if let Some(returning) = &mut update.returning {
            self.select_items(returning)?;
        }
        Ok(())
    }

    fn delete(&mut self, delete: &mut Delete) -> Result<()> {
        if !delete.tables.is_empty()
            || delete.on_cluster.is_some()
            || delete.output.is_some()
            || !delete.order_by.is_empty()
            || delete.limit.is_some()
            || delete.settings.is_some()
        {
            return Err(non_postgres("this form of `DELETE`"));
        }
        let targets = match &delete.from {
            FromTable::WithFromKeyword(targets) => targets,
            FromTable::WithoutKeyword(_) => return Err(non_postgres("`DELETE` without `FROM`")),
        };
        let mut predicates = Vec::new();
        match targets.as_slice() {
            [target] => predicates.extend(self.dml_target(target, "DELETE FROM")?),
            _ => return Err(non_postgres("`DELETE` from several tables")),
        }
        if let Some(using) = &mut delete.using {
            for item in using {
                predicates.extend(self.table_with_joins(item, false)?);
            }
        }
        if let Some(selection) = &mut delete.selection {
            self.expr(selection)?;
        }
        and_into(&mut delete.selection, predicates);
        if let Some(returning) = &mut delete.returning {
            self.select_items(returning)?;
        }
        Ok(())
    }

    // ----- queries ----------------------------------------------------------

    fn query(&mut self, query: &mut Query) -> Result<()> {
        if query.for_clause.is_some()
            || query.settings.is_some()
            || query.format_clause.is_some()
            || !query.pipe_operators.is_empty()
        {
            return Err(non_postgres("this query form"));
        }
        let frames = self.ctes.len();
        if let Some(with) = &mut query.with {
            let mut frame = Vec::new();
            if with.recursive {
                // Every CTE of a recursive WITH can see all of them.
                frame.extend(with.cte_tables.iter().map(|c| normalize(&c.alias.name)));
            }
            self.ctes.push(frame);
            for cte in &mut with.cte_tables {
                if cte.from.is_some() {
                    return Err(non_postgres("`WITH ... FROM`"));
                }
                self.query(&mut cte.query)?;
                if !with.recursive {
                    // A plain CTE sees only the ones declared before it.
                    if let Some(frame) = self.ctes.last_mut() {
                        frame.push(normalize(&cte.alias.name));
                    }
                }
            }
        }
        self.set_expr(&mut query.body)?;
        if let Some(order_by) = &mut query.order_by {
            if order_by.interpolate.is_some() {
                return Err(non_postgres("`ORDER BY ... INTERPOLATE`"));
            }
            if let OrderByKind::Expressions(exprs) = &mut order_by.kind {
                self.order_by_exprs(exprs)?;
            }
        }
        match &mut query.limit_clause {
            None => {}
            Some(LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) => {
                if let Some(limit) = limit {
                    self.expr(limit)?;
                }
                if let Some(offset) = offset {
                    self.expr(&mut offset.value)?;
                }
                self.exprs(limit_by)?;
            }
            Some(LimitClause::OffsetCommaLimit { offset, limit }) => {
                self.expr(offset)?;
                self.expr(limit)?;
            }
        }
        if let Some(fetch) = &mut query.fetch {
            if let Some(quantity) = &mut fetch.quantity {
                self.expr(quantity)?;
            }
        }
        self.ctes.truncate(frames);
        Ok(())
    }

    fn set_expr(&mut self, body: &mut SetExpr) -> Result<()> {
        match body {
            SetExpr::Select(select) => self.select(select),
            SetExpr::Query(query) => self.query(query),
            SetExpr::SetOperation { left, right, .. } => {
                self.set_expr(left)?;
                self.set_expr(right)
            }
            SetExpr::Values(values) => {
                for row in &mut values.rows {
                    self.exprs(row)?;
                }
                Ok(())
            }
            // Data-modifying statements inside WITH (and the statement of
            // `WITH ... INSERT/UPDATE/DELETE`).
            SetExpr::Insert(statement)
            | SetExpr::Update(statement)
            | SetExpr::Delete(statement) => self.statement(statement),
            SetExpr::Merge(_) => Err(ScopeError::refuse(
                "`MERGE`",
                "MERGE is not supported by the rewriter; use INSERT ... ON CONFLICT, \
                 or separate UPDATE and INSERT statements",
            )),
            SetExpr::Table(table) => Err(ScopeError::refuse(
                format_args!("`{table}`"),
                "write it as `SELECT * FROM ...` so that it can be filtered",
            )),
        }
    }

    fn select(&mut self, select: &mut Select) -> Result<()> {
        if let Some(into) = &select.into {
            return Err(ScopeError::refuse(
                format_args!("`SELECT ... {into}`"),
                format_args!("SELECT INTO creates a table; {ESCAPE_HATCH}"),
            ));
        }
        if select.flavor != SelectFlavor::Standard
            || select.top.is_some()
            || select.exclude.is_some()
            || select.prewhere.is_some()
            || !select.connect_by.is_empty()
            || !select.cluster_by.is_empty()
            || !select.distribute_by.is_empty()
            || !select.sort_by.is_empty()
            || select.qualify.is_some()
            || !select.lateral_views.is_empty()
            || select.value_table_mode.is_some()
            || select.select_modifiers.is_some()
        {
            return Err(non_postgres("this form of `SELECT`"));
        }
        if let Some(Distinct::On(exprs)) = &mut select.distinct {
            self.exprs(exprs)?;
        }
        self.select_items(&mut select.projection)?;
        let mut predicates = Vec::new();
        for item in &mut select.from {
            predicates.extend(self.table_with_joins(item, false)?);
        }
        if let Some(selection) = &mut select.selection {
            self.expr(selection)?;
        }
        and_into(&mut select.selection, predicates);
        match &mut select.group_by {
            GroupByExpr::Expressions(exprs, modifiers) => {
                if !modifiers.is_empty() {
                    return Err(non_postgres("`GROUP BY ... WITH`"));
                }
                self.exprs(exprs)?;
            }
            GroupByExpr::All(_) => return Err(non_postgres("`GROUP BY ALL`")),
        }
        if let Some(having) = &mut select.having {
            self.expr(having)?;
        }
        for window in &select.named_window {
            forbid_hidden_query(window, "the window definition")?;
        }
        Ok(())
    }

    fn select_items(&mut self, items: &mut [SelectItem]) -> Result<()> {
        for item in items {
            match item {
                SelectItem::UnnamedExpr(expr)
                | SelectItem::ExprWithAlias { expr, .. }
                | SelectItem::ExprWithAliases { expr, .. } => self.expr(expr)?,
                SelectItem::QualifiedWildcard(kind, options) => {
                    if let SelectItemQualifiedWildcardKind::Expr(expr) = kind {
                        self.expr(expr)?;
                    }
                    forbid_hidden_query(options, "the wildcard options")?;
                }
                SelectItem::Wildcard(options) => {
                    forbid_hidden_query(options, "the wildcard options")?;
                }
            }
        }
        Ok(())
    }

    // ----- FROM -------------------------------------------------------------

    /// Scopes one `FROM` item and returns the predicates that still have to
    /// be applied above it (see the module docs for where they go). With
    /// `filter_inside`, every base table in it is filtered in place instead
    /// and nothing is returned.
    fn table_with_joins(
        &mut self,
        item: &mut TableWithJoins,
        filter_inside: bool,
    ) -> Result<Vec<Expr>> {
        // Operand 0 is `item.relation`, operand i + 1 is `item.joins[i]`.
        // Decide first which operands must be filtered in place: the sides
        // of a FULL JOIN (preserved *and* nullable, so neither ON nor WHERE
        // is right), and nullable sides whose join has no ON to extend.
        let mut filtered_prefix = if filter_inside {
            item.joins.len() + 1
        } else {
            0
        };
        let mut filtered_single = vec![false; item.joins.len() + 1];
        for (i, join) in item.joins.iter().enumerate() {
            match &join.join_operator {
                JoinOperator::FullOuter(_) => filtered_prefix = filtered_prefix.max(i + 2),
                JoinOperator::Right(c) | JoinOperator::RightOuter(c)
                    if !matches!(c, JoinConstraint::On(_)) =>
                {
                    filtered_prefix = filtered_prefix.max(i + 1);
                }
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c)
                    if !matches!(c, JoinConstraint::On(_)) =>
                {
                    filtered_single[i + 1] = true;
                }
                _ => {}
            }
        }
        let in_place = |k: usize| k < filtered_prefix || filtered_single[k];

        let mut pending = self.operand(&mut item.relation, in_place(0))?;
        for (i, join) in item.joins.iter_mut().enumerate() {
            if join.global {
                return Err(non_postgres("`GLOBAL JOIN`"));
            }
            let right = self.operand(&mut join.relation, in_place(i + 1))?;
            let relation = join.relation.to_string();
            match &mut join.join_operator {
                JoinOperator::Join(constraint)
                | JoinOperator::Inner(constraint)
                | JoinOperator::CrossJoin(constraint) => {
                    self.join_constraint(constraint)?;
                    pending.extend(right);
                }
                JoinOperator::Left(constraint) | JoinOperator::LeftOuter(constraint) => {
                    self.join_constraint(constraint)?;
                    add_to_join_condition(constraint, right, "LEFT JOIN", &relation)?;
                }
                JoinOperator::Right(constraint) | JoinOperator::RightOuter(constraint) => {
                    self.join_constraint(constraint)?;
                    let left = std::mem::replace(&mut pending, right);
                    add_to_join_condition(constraint, left, "RIGHT JOIN", &relation)?;
                }
                JoinOperator::FullOuter(constraint) => {
                    self.join_constraint(constraint)?;
                    // Both sides were filtered in place.
                    let mut both = std::mem::take(&mut pending);
                    both.extend(right);
                    add_to_join_condition(constraint, both, "FULL JOIN", &relation)?;
                }
                other => return Err(non_postgres(format_args!("`{}`", join_label(other)))),
            }
        }
        Ok(pending)
    }

    /// [`Self::table_factor`], and with `filter_inside` a base table is
    /// replaced by `(SELECT * FROM t WHERE t.tenant_id = $n) AS t`: the
    /// model's filtered table itself, correct in any join position.
    fn operand(&mut self, factor: &mut TableFactor, filter_inside: bool) -> Result<Vec<Expr>> {
        let mut pending = self.table_factor(factor, filter_inside)?;
        if filter_inside {
            if let Some(predicate) = pending.pop() {
                // Only a base table returns a predicate in this mode.
                filter_in_place(factor, predicate)?;
            }
            if !pending.is_empty() {
                return Err(ScopeError::refuse(
                    format_args!("`{factor}`"),
                    "the rewriter could not filter this join operand in place",
                ));
            }
        }
        Ok(pending)
    }

    fn join_constraint(&mut self, constraint: &mut JoinConstraint) -> Result<()> {
        match constraint {
            JoinConstraint::On(expr) => self.expr(expr),
            JoinConstraint::Using(_) | JoinConstraint::Natural | JoinConstraint::None => Ok(()),
            JoinConstraint::UsingAlias(..) => Err(non_postgres("`USING (...) AS alias`")),
        }
    }

    /// Scopes one table factor and returns the predicates for the base
    /// tables in it that still have to be applied above it.
    fn table_factor(&mut self, factor: &mut TableFactor, filter_inside: bool) -> Result<Vec<Expr>> {
        match factor {
            TableFactor::Table {
                name,
                alias,
                args,
                with_hints,
                version,
                partitions,
                json_path,
                sample,
                index_directives,
                // `ONLY t` / `t *` choose which inherited tables are read;
                // the predicate filters them all the same.
                inheritance: _,
                with_ordinality: _,
            } => {
                if !with_hints.is_empty()
                    || version.is_some()
                    || !partitions.is_empty()
                    || json_path.is_some()
                    || !index_directives.is_empty()
                {
                    return Err(non_postgres(format_args!("the table reference `{name}`")));
                }
                if let Some(args) = args {
                    if args.settings.is_some() {
                        return Err(non_postgres(format_args!("the table function `{name}`")));
                    }
                    self.table_function(name, &mut args.args)?;
                    return Ok(Vec::new());
                }
                // TABLESAMPLE picks rows before WHERE; the predicate still
                // removes every other tenant's rows from the sample.
                match sample {
                    None => {}
                    Some(TableSampleKind::BeforeTableAlias(sample))
                    | Some(TableSampleKind::AfterTableAlias(sample)) => {
                        forbid_hidden_query(sample, "the TABLESAMPLE clause")?;
                    }
                }
                if self.is_cte(name) || self.is_exempt(name) {
                    return Ok(Vec::new());
                }
                if let Some(alias) = alias.as_ref().filter(|a| !a.columns.is_empty()) {
                    return Err(ScopeError::refuse(
                        format_args!("`{name} {alias}`"),
                        format_args!(
                            "column aliases rename the table's columns by position, so `{}.{}` \
                             might not be the tenant column; alias the columns in the select \
                             list instead",
                            alias.name, self.opts.column
                        ),
                    ));
                }
                let predicate = self.table_predicate(name, alias.as_ref().map(|a| &a.name))?;
                Ok(vec![predicate])
            }
            TableFactor::Derived {
                subquery, sample, ..
            } => {
                if sample.is_some() {
                    return Err(non_postgres("TABLESAMPLE on a subquery"));
                }
                self.query(subquery)?;
                Ok(Vec::new())
            }
            TableFactor::Function {
                name,
                args,
                with_ordinality: _,
                lateral: _,
                alias: _,
            } => {
                self.table_function(name, args)?;
                Ok(Vec::new())
            }
            TableFactor::UNNEST {
                array_exprs,
                with_offset,
                ..
            } => {
                if *with_offset {
                    return Err(non_postgres("`UNNEST ... WITH OFFSET`"));
                }
                self.exprs(array_exprs)?;
                Ok(Vec::new())
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => {
                let pending = self.table_with_joins(table_with_joins, filter_inside)?;
                if let (Some(alias), false) = (alias, pending.is_empty()) {
                    return Err(ScopeError::refuse(
                        format_args!("the parenthesised join aliased `{}`", alias.name),
                        "the alias hides the names of the tables inside, so their tenant \
                         predicates cannot refer to them; remove the alias",
                    ));
                }
                Ok(pending)
            }
            other => Err(ScopeError::refuse(
                format_args!("`{other}` in FROM"),
                "the rewriter does not know which tables this reads; \
                 mark the query `unscoped = \"reason\"` if it is safe",
            )),
        }
    }

    fn table_function(&mut self, name: &ObjectName, args: &mut [FunctionArg]) -> Result<()> {
        let idents = name_idents(name, "the table function")?;
        let allowed = match idents.as_slice() {
            [function] => TABLE_FUNCTION_ALLOW_LIST.contains(&normalize(function).as_str()),
            [schema, function] => {
                normalize(schema) == "pg_catalog"
                    && TABLE_FUNCTION_ALLOW_LIST.contains(&normalize(function).as_str())
            }
            _ => false,
        };
        if !allowed {
            return Err(ScopeError::refuse(
                format_args!("the table function `{name}`"),
                format_args!(
                    "a function in FROM can read any table, and the rewriter cannot see inside it \
                     (allowed: {}); select from the tables directly, or mark the query \
                     `unscoped = \"reason\"`",
                    TABLE_FUNCTION_ALLOW_LIST.join(", ")
                ),
            ));
        }
        self.function_arg_list(args)
    }

    // ----- expressions ------------------------------------------------------

    fn exprs(&mut self, exprs: &mut [Expr]) -> Result<()> {
        exprs.iter_mut().try_for_each(|e| self.expr(e))
    }

    fn order_by_exprs(&mut self, exprs: &mut [OrderByExpr]) -> Result<()> {
        for e in exprs {
            if let Some(fill) = &e.with_fill {
                return Err(non_postgres(format_args!("`{fill}`")));
            }
            self.expr(&mut e.expr)?;
        }
        Ok(())
    }

    fn function_arg_list(&mut self, args: &mut [FunctionArg]) -> Result<()> {
        for arg in args {
            let value = match arg {
                FunctionArg::Named { arg, .. } => arg,
                FunctionArg::ExprNamed { name, arg, .. } => {
                    self.expr(name)?;
                    arg
                }
                FunctionArg::Unnamed(arg) => arg,
            };
            match value {
                FunctionArgExpr::Expr(e) => self.expr(e)?,
                FunctionArgExpr::QualifiedWildcard(_) | FunctionArgExpr::Wildcard => {}
                other => forbid_hidden_query(other, "the function argument")?,
            }
        }
        Ok(())
    }

    fn function(&mut self, function: &mut Function) -> Result<()> {
        if !matches!(function.parameters, FunctionArguments::None) {
            forbid_hidden_query(&function.parameters, "the function parameters")?;
        }
        match &mut function.args {
            FunctionArguments::None => {}
            // `ARRAY(SELECT ...)` and friends.
            FunctionArguments::Subquery(query) => self.query(query)?,
            FunctionArguments::List(list) => {
                self.function_arg_list(&mut list.args)?;
                for clause in &mut list.clauses {
                    match clause {
                        FunctionArgumentClause::OrderBy(exprs) => self.order_by_exprs(exprs)?,
                        FunctionArgumentClause::Limit(e) => self.expr(e)?,
                        other => forbid_hidden_query(other, "the function argument clause")?,
                    }
                }
            }
        }
        self.order_by_exprs(&mut function.within_group)?;
        if let Some(filter) = &mut function.filter {
            self.expr(filter)?;
        }
        match &mut function.over {
            None | Some(WindowType::NamedWindow(_)) => {}
            Some(WindowType::WindowSpec(spec)) => {
                self.exprs(&mut spec.partition_by)?;
                self.order_by_exprs(&mut spec.order_by)?;
                if let Some(frame) = &mut spec.window_frame {
                    let bounds =
                        std::iter::once(&mut frame.start_bound).chain(&mut frame.end_bound);
                    for bound in bounds {
                        match bound {
                            WindowFrameBound::Preceding(Some(e))
                            | WindowFrameBound::Following(Some(e)) => self.expr(e)?,
                            WindowFrameBound::Preceding(None)
                            | WindowFrameBound::Following(None)
                            | WindowFrameBound::CurrentRow => {}
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn expr(&mut self, expr: &mut Expr) -> Result<()> {
        match expr {
            // Leaves.
            Expr::Identifier(_)
            | Expr::CompoundIdentifier(_)
            | Expr::Value(_)
            | Expr::TypedString(_)
            | Expr::Wildcard(_)
            | Expr::QualifiedWildcard(..) => Ok(()),

            // The subqueries themselves.
            Expr::Subquery(query)
            | Expr::Exists {
                subquery: query, ..
            } => self.query(query),
            Expr::In { expr, target, .. } => {
                self.expr(expr)?;
                match target {
                    InTarget::List(list) => self.exprs(list),
                    InTarget::Subquery(query) => self.query(query),
                    InTarget::Unnest(array) => self.expr(array),
                    InTarget::Table { .. } => Err(non_postgres("`IN table`")),
                }
            }

            // One operand.
            Expr::IsFalse(e)
            | Expr::IsNotFalse(e)
            | Expr::IsTrue(e)
            | Expr::IsNotTrue(e)
            | Expr::IsNull(e)
            | Expr::IsNotNull(e)
            | Expr::IsUnknown(e)
            | Expr::IsNotUnknown(e)
            | Expr::Nested(e)
            | Expr::UnaryOp { expr: e, .. }
            | Expr::Cast { expr: e, .. }
            | Expr::Collate { expr: e, .. }
            | Expr::Extract { expr: e, .. }
            | Expr::Ceil { expr: e, .. }
            | Expr::Floor { expr: e, .. }
            | Expr::IsJson { expr: e, .. }
            | Expr::IsNormalized { expr: e, .. }
            | Expr::Named { expr: e, .. }
            | Expr::Prefixed { value: e, .. } => self.expr(e),

            // Two operands.
            Expr::BinaryOp { left, right, .. }
            | Expr::AnyOp { left, right, .. }
            | Expr::AllOp { left, right, .. }
            | Expr::IsDistinctFrom(left, right)
            | Expr::IsNotDistinctFrom(left, right)
            | Expr::AtTimeZone {
                timestamp: left,
                time_zone: right,
            }
            | Expr::Position {
                expr: left,
                r#in: right,
            }
            | Expr::RLike {
                expr: left,
                pattern: right,
                ..
            } => {
                self.expr(left)?;
                self.expr(right)
            }
            Expr::Like {
                expr,
                pattern,
                escape_char,
                ..
            }
            | Expr::ILike {
                expr,
                pattern,
                escape_char,
                ..
            }
            | Expr::SimilarTo {
                expr,
                pattern,
                escape_char,
                ..
            } => {
                self.expr(expr)?;
                self.expr(pattern)?;
                match escape_char {
                    Some(e) => self.expr(e),
                    None => Ok(()),
                }
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                self.expr(expr)?;
                self.expr(low)?;
                self.expr(high)
            }
            Expr::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                self.expr(expr)?;
                for e in [substring_from, substring_for].into_iter().flatten() {
                    self.expr(e)?;
                }
                Ok(())
            }
            Expr::Trim {
                expr,
                trim_what,
                trim_characters,
                ..
            } => {
                self.expr(expr)?;
                if let Some(e) = trim_what {
                    self.expr(e)?;
                }
                if let Some(chars) = trim_characters {
                    self.exprs(chars)?;
                }
                Ok(())
            }
            Expr::Overlay {
                expr,
                overlay_what,
                overlay_from,
                overlay_for,
            } => {
                self.expr(expr)?;
                self.expr(overlay_what)?;
                self.expr(overlay_from)?;
                match overlay_for {
                    Some(e) => self.expr(e),
                    None => Ok(()),
                }
            }
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                if let Some(e) = operand {
                    self.expr(e)?;
                }
                for when in conditions {
                    self.expr(&mut when.condition)?;
                    self.expr(&mut when.result)?;
                }
                match else_result {
                    Some(e) => self.expr(e),
                    None => Ok(()),
                }
            }
            Expr::Function(function) => self.function(function),
            Expr::Tuple(exprs) => self.exprs(exprs),
            Expr::Array(array) => self.exprs(&mut array.elem),
            Expr::GroupingSets(sets) | Expr::Cube(sets) | Expr::Rollup(sets) => {
                sets.iter_mut().try_for_each(|set| self.exprs(set))
            }
            Expr::CompoundFieldAccess { root, access_chain } => {
                self.expr(root)?;
                access_chain
                    .iter()
                    .try_for_each(|access| forbid_hidden_query(access, "the field access"))
            }
            Expr::JsonAccess { value, path } => {
                self.expr(value)?;
                forbid_hidden_query(path, "the JSON path")
            }

            // Rare or non-PostgreSQL forms: accepted only when they cannot
            // contain a query.
            other => forbid_hidden_query(other, "the expression"),
        }
    }
}

/// Replaces the base table `factor` by a derived table that filters it:
/// `widgets w` becomes `(SELECT * FROM widgets w WHERE w.tenant_id = $n) AS w`.
fn filter_in_place(factor: &mut TableFactor, predicate: Expr) -> Result<()> {
    let TableFactor::Table { name, alias, .. } = &*factor else {
        return Err(ScopeError::refuse(
            format_args!("`{factor}`"),
            "the rewriter could not filter this join operand in place",
        ));
    };
    let outer_name = match (alias, name.0.as_slice()) {
        (Some(alias), _) => alias.name.clone(),
        (None, [ObjectNamePart::Identifier(ident)]) => ident.clone(),
        (None, _) => {
            return Err(ScopeError::refuse(
                format_args!("`{name}` in this join"),
                format_args!(
                    "the rewriter filters it in a subquery, which needs a plain name; \
                     give it an alias: `{name} AS {}`",
                    last_ident(name).map_or_else(|| "t".to_owned(), |i| i.value.clone())
                ),
            ))
        }
    };
    let text = format!("SELECT * FROM {factor} WHERE {predicate}");
    let parsed = Parser::parse_sql(&PostgreSqlDialect {}, &text)
        .ok()
        .and_then(
            |mut statements| match (statements.len(), statements.pop()) {
                (1, Some(Statement::Query(query))) => Some(query),
                _ => None,
            },
        );
    let Some(subquery) = parsed else {
        return Err(ScopeError::refuse(
            format_args!("`{factor}`"),
            "the rewriter could not filter this join operand in place",
        ));
    };
    *factor = TableFactor::Derived {
        lateral: false,
        subquery,
        alias: Some(TableAlias {
            explicit: true,
            name: outer_name,
            columns: Vec::new(),
            at: None,
        }),
        sample: None,
    };
    Ok(())
}

/// ANDs `predicates` into the `ON` of an outer join (see the module docs).
fn add_to_join_condition(
    constraint: &mut JoinConstraint,
    predicates: Vec<Expr>,
    join: &str,
    relation: &str,
) -> Result<()> {
    if predicates.is_empty() {
        return Ok(());
    }
    match constraint {
        JoinConstraint::On(on) => {
            let existing = std::mem::replace(on, Expr::Value(Value::Null.into()));
            if let Some(combined) = and_all(Some(existing), predicates) {
                *on = combined;
            }
            Ok(())
        }
        _ => Err(ScopeError::refuse(
            format_args!("`{join} {relation}` without ON"),
            "the tenant predicate for the nullable side of an outer join must go into the join \
             condition, and USING / NATURAL joins have none to extend; write the join with \
             `ON a.col = b.col`",
        )),
    }
}

/// A short name for a join operator, for error messages.
fn join_label(op: &JoinOperator) -> &'static str {
    match op {
        JoinOperator::Semi(_) => "SEMI JOIN",
        JoinOperator::LeftSemi(_) => "LEFT SEMI JOIN",
        JoinOperator::RightSemi(_) => "RIGHT SEMI JOIN",
        JoinOperator::Anti(_) => "ANTI JOIN",
        JoinOperator::LeftAnti(_) => "LEFT ANTI JOIN",
        JoinOperator::RightAnti(_) => "RIGHT ANTI JOIN",
        JoinOperator::CrossApply => "CROSS APPLY",
        JoinOperator::OuterApply => "OUTER APPLY",
        JoinOperator::AsOf { .. } => "ASOF JOIN",
        JoinOperator::StraightJoin(_) => "STRAIGHT_JOIN",
        JoinOperator::ArrayJoin | JoinOperator::LeftArrayJoin | JoinOperator::InnerArrayJoin => {
            "ARRAY JOIN"
        }
        _ => "JOIN",
    }
}
