//! The type checker: the types of a statement's parameters and result
//! columns, inferred offline from the [`Catalog`], and whether each column
//! can be `NULL`.
//!
//! [`check`] parses one statement and walks it the way PostgreSQL's parse
//! analysis would: names are resolved against the `FROM` items in scope
//! (tables, views, CTEs, derived tables) compared as PostgreSQL compares
//! identifiers; a parameter gets its type from its context (`col op $n`,
//! `col = ANY($n)`, `INSERT` column lists, `UPDATE SET`, `ON CONFLICT ...
//! SET`, `$n::type`, `LIMIT`/`OFFSET`, the arguments of the functions in
//! [`mod@functions`]); a column is non-null only when that is certain (a
//! `NOT NULL` column outside the nullable side of every outer join, a
//! strict operator over non-null operands, `coalesce` with a non-null
//! argument, `count`, `EXISTS`...).
//!
//! **It never guesses.** What it cannot type is a [`Diagnostic`] with a
//! specific fix (`write $2::bigint`, `cast the expression`), never a silent
//! pass. The rules are checked against a real server by the `PREPARE`
//! differential test in `tests/tests/it/schema.rs`.
//!
//! Types of results compare by [`SqlType`]; the wire protocol reports only
//! type OIDs, so a type modifier (`varchar(40)`) is reported where the
//! checker knows it but is not something the server's `Statement` exposes.

mod catalogs;
mod expr;
pub mod functions;
mod hints;
mod named;
mod query;
mod srf;
mod user_functions;
mod write;

#[cfg(test)]
mod tests;

use sqlparser::ast::{Ident, Spanned, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Span;

use crate::diagnostic::{Diagnostic, Position};
use crate::schema::{BaseType, Builtin, Catalog, Name, QualifiedName, SqlType, Typmod};

/// What the checker inferred for a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typed {
    /// The type of `$1`, `$2`, ... in order.
    pub params: Vec<SqlType>,
    /// The result columns (`RETURNING` for writes), in order.
    pub columns: Vec<ColumnInfo>,
    /// Whether the statement was typed: `false` for a statement other than
    /// SELECT, INSERT, UPDATE and DELETE that has no parameters (`SET`,
    /// `BEGIN`, DDL...), which passes with nothing known about its result.
    pub typed: bool,
}

/// One result column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    /// The column's name as PostgreSQL names it (`?column?` for an
    /// anonymous expression).
    pub name: String,
    /// Its type.
    pub ty: SqlType,
    /// Whether it can be `NULL` (true unless that is certain not to happen).
    pub nullable: bool,
    /// Why it can be `NULL`, as a sentence for an error message.
    pub why_nullable: Option<String>,
}

/// Types `sql` (one statement, already accepted by [`crate::check::analyze`])
/// against `catalog`, with `public` as the search path.
pub fn check(sql: &str, catalog: &Catalog) -> Result<Typed, Vec<Diagnostic>> {
    let stmts = match Parser::parse_sql(&PostgreSqlDialect {}, sql) {
        Ok(s) => s,
        Err(e) => {
            return Err(vec![Diagnostic::new(format!(
                "the SQL does not parse: {e}"
            ))])
        }
    };
    let [stmt] = stmts.as_slice() else {
        return Err(vec![Diagnostic::new("expected exactly one statement")]);
    };
    if !matches!(
        stmt,
        Statement::Query(_)
            | Statement::Insert(_)
            | Statement::Update(_)
            | Statement::Delete(_)
            | Statement::Call(_)
    ) && !crate::lexer::lex(sql).is_ok_and(|toks| {
        toks.iter()
            .any(|t| matches!(t, crate::lexer::Tok::Placeholder { .. }))
    }) {
        return Ok(Typed {
            params: Vec::new(),
            columns: Vec::new(),
            typed: false,
        });
    }
    let mut cx = Cx::new(catalog);
    // Every placeholder counts, including those inside what the checker
    // could not type (they must not be left out of `params`).
    if let Ok(toks) = crate::lexer::lex(sql) {
        for t in toks {
            if let crate::lexer::Tok::Placeholder {
                index: Some(n),
                offset,
            } = t
            {
                let n = n as usize;
                if n > 0 && cx.params.len() < n {
                    cx.params.resize(n, None);
                    cx.param_at.resize(n, None);
                }
                if n > 0 && cx.param_at[n - 1].is_none() {
                    cx.param_at[n - 1] = Some(Position::of_offset(sql, offset));
                }
            }
        }
    }
    let result = cx.statement(stmt);
    let mut errors: Vec<Diagnostic> = cx.deferred.drain(..).map(|e| e.diag).collect();
    let columns = match result {
        Ok(cols) => cols,
        Err(e) => {
            errors.push(e.diag);
            Vec::new()
        }
    };
    let mut params = Vec::new();
    if errors.is_empty() {
        for (i, p) in cx.params.iter().enumerate() {
            match p {
                Some(t) => params.push(t.clone()),
                None => {
                    let n = i + 1;
                    let mut d = Diagnostic::new(format!(
                        "cannot infer the type of `${n}` from where it is used"
                    ))
                    .help(format!(
                        "write the type you mean, e.g. `${n}::bigint` or `${n}::text`"
                    ));
                    if let Some(at) = cx.param_at.get(i).copied().flatten() {
                        d = d.at(at);
                    }
                    errors.push(d);
                }
            }
        }
    }
    if !errors.is_empty() {
        hints::name_the_parameters(sql, &mut errors);
        return Err(errors);
    }
    Ok(Typed {
        params,
        columns: columns
            .into_iter()
            .map(|c| {
                let name = c.name.as_str().to_string();
                // sqlx's nullability overrides, as the alias says: `x!` is
                // the query's promise that the column is never NULL (a NULL
                // at run time is then a decode error naming the column,
                // never a panic), `x?` that it may be.
                let (nullable, why) = match sqlx_override(&name).1 {
                    Some(SqlxOverride::NotNull) => (false, None),
                    Some(SqlxOverride::Nullable) => (
                        true,
                        Some(format!(
                            "the alias `{name}` says it may be NULL (sqlx's `?`)"
                        )),
                    ),
                    None => (c.nullable, c.why),
                };
                ColumnInfo {
                    name,
                    ty: result_type(catalog, c.ty),
                    nullable,
                    why_nullable: if nullable { why } else { None },
                }
            })
            .collect(),
        typed: true,
    })
}

/// sqlx's nullability override in a column alias.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlxOverride {
    /// `AS "x!"`: never NULL.
    NotNull,
    /// `AS "x?"`: may be NULL.
    Nullable,
}

/// A column name without sqlx's overrides, and the nullability override it
/// carries. sqlx writes them in the alias: `x!` (never NULL), `x?` (may
/// be NULL), `x: Type`, `x!: Type` and `x?: Type` (decode as `Type`). The
/// field or tuple element reading the column is named `x`; a `: Type` is
/// left to the row type, which the checks hold against the column's SQL
/// type like any other, so it changes nothing.
pub fn sqlx_override(name: &str) -> (&str, Option<SqlxOverride>) {
    let head = match name.split_once(':') {
        Some((head, ty)) if !head.trim().is_empty() && !ty.trim().is_empty() => head.trim_end(),
        _ => name,
    };
    if let Some(base) = head.strip_suffix('!').filter(|b| !b.is_empty()) {
        (base, Some(SqlxOverride::NotNull))
    } else if let Some(base) = head
        .strip_suffix('?')
        .filter(|b| !b.is_empty() && *b != "?column")
    {
        (base, Some(SqlxOverride::Nullable))
    } else {
        (head, None)
    }
}

/// A result column of a domain type is described by its base type (the
/// server's `RowDescription` carries the base type's OID).
fn result_type(catalog: &Catalog, ty: SqlType) -> SqlType {
    match &ty.base {
        BaseType::Domain(d) if !ty.array => {
            catalog.domain(d).map_or(ty.clone(), |d| d.base.clone())
        }
        _ => ty,
    }
}

/// A column in scope or in a result.
#[derive(Debug, Clone)]
pub(crate) struct Col {
    pub(crate) name: Name,
    pub(crate) ty: SqlType,
    pub(crate) nullable: bool,
    /// The full sentence explaining why it is nullable.
    pub(crate) why: Option<String>,
}

/// A `FROM` item: its name in the query and its columns.
#[derive(Debug, Clone)]
pub(crate) struct Rel {
    pub(crate) alias: Name,
    /// How messages name it: `w (widgets)` or `widgets`.
    pub(crate) label: String,
    pub(crate) cols: Vec<Col>,
    /// The schema of a table or view that has no alias (so that
    /// `schema.table.column` can name its columns).
    pub(crate) schema: Option<Name>,
    /// Only some of its columns are known (a system catalog): `*`, column
    /// aliases, `NATURAL` and unqualified names it may hold are refused.
    pub(crate) partial: bool,
}

/// The `FROM` items of one query level, and the enclosing levels.
#[derive(Debug, Default)]
pub(crate) struct Scope<'p> {
    pub(crate) rels: Vec<Rel>,
    /// Columns merged by `JOIN ... USING`: an unqualified reference means
    /// this column.
    pub(crate) merged: Vec<Col>,
    pub(crate) parent: Option<&'p Scope<'p>>,
    /// The query level has `GROUP BY`: an aggregate sees at least one row.
    pub(crate) grouped: bool,
}

impl<'p> Scope<'p> {
    pub(crate) fn child(parent: Option<&'p Scope<'p>>) -> Scope<'p> {
        Scope {
            parent,
            ..Scope::default()
        }
    }
}

/// A problem, and whether it is only "cannot type this" (which a cast
/// around the construct overrides) rather than a real error.
#[derive(Debug, Clone)]
pub(crate) struct E {
    pub(crate) diag: Diagnostic,
    pub(crate) soft: bool,
}

pub(crate) type R<T> = Result<T, E>;

/// The checker's state for one statement.
pub(crate) struct Cx<'a> {
    pub(crate) cat: &'a Catalog,
    pub(crate) search_path: Vec<Name>,
    pub(crate) params: Vec<Option<SqlType>>,
    pub(crate) param_at: Vec<Option<Position>>,
    /// CTEs visible at this point, innermost last.
    pub(crate) ctes: Vec<(Name, Vec<Col>)>,
    /// Views being expanded (a guard against cycles).
    pub(crate) expanding: Vec<QualifiedName>,
    /// Whether errors in the select list and `WHERE` of a query that is not
    /// an expression's subquery are collected (in `deferred`) so that one
    /// run reports them all; off inside a view's query.
    pub(crate) recover: bool,
    /// The errors collected so far.
    pub(crate) deferred: Vec<E>,
    /// The target column types of `INSERT ... SELECT`, taken by the first
    /// select that starts: an untyped select-list item (a parameter, a
    /// literal, `NULL`) takes its column's type, as in PostgreSQL.
    pub(crate) insert_targets: Option<Vec<SqlType>>,
    /// Set before a leaf `SELECT` of a set operation starts, taken by it:
    /// its untyped select-list items (a literal, `NULL`, a parameter) stay
    /// untyped, as PostgreSQL leaves them for the set operation to type.
    pub(crate) set_leaf: bool,
    /// What that leaf left untyped, by output column (written when it
    /// ends).
    pub(crate) leaf_untyped: Vec<Option<expr::V>>,
}

impl<'a> Cx<'a> {
    fn new(cat: &'a Catalog) -> Cx<'a> {
        Cx {
            cat,
            search_path: vec![Name::unquoted("public")],
            params: Vec::new(),
            param_at: Vec::new(),
            ctes: Vec::new(),
            expanding: Vec::new(),
            recover: true,
            deferred: Vec::new(),
            insert_targets: None,
            set_leaf: false,
            leaf_untyped: Vec::new(),
        }
    }

    fn statement(&mut self, stmt: &Statement) -> R<Vec<Col>> {
        match stmt {
            Statement::Query(q) => self.query(q, None),
            Statement::Insert(i) => self.insert(i),
            Statement::Update(u) => self.update(u),
            Statement::Delete(d) => self.delete(d),
            Statement::Call(f) => self.call(f, stmt.span()),
            _ => Err(self.unsupported(
                stmt.span(),
                "secure-pg types only SELECT, INSERT, UPDATE, DELETE and CALL against the schema",
                "schema checks type the parameters of SELECT, INSERT, UPDATE, DELETE and CALL only; \
                 run this statement with the `_unparsed` form",
            )),
        }
    }

    /// The position of a span's start, when it has one.
    pub(crate) fn pos(&self, span: Span) -> Option<Position> {
        let l = span.start;
        if l.line == 0 {
            None
        } else {
            Some(Position {
                line: l.line as usize,
                column: l.column as usize,
            })
        }
    }

    /// `line:column` of a span, for messages.
    pub(crate) fn at_text(&self, span: Span) -> String {
        match self.pos(span) {
            Some(p) => format!("{}:{}", p.line, p.column),
            None => "?".into(),
        }
    }

    pub(crate) fn err(&self, span: Span, message: impl Into<String>, help: Option<String>) -> E {
        let mut d = Diagnostic::new(message);
        if let Some(p) = self.pos(span) {
            d = d.at(p);
        }
        if let Some(h) = help {
            d = d.help(h);
        }
        E {
            diag: d,
            soft: false,
        }
    }

    pub(crate) fn unsupported(
        &self,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> E {
        let mut e = self.err(span, message, Some(help.into()));
        e.soft = true;
        e
    }

    /// Records that `$n` has type `ty` (the first context decides, as in
    /// PostgreSQL).
    pub(crate) fn set_param(&mut self, n: usize, ty: SqlType, span: Span) -> R<()> {
        self.ensure_param(n, span);
        let ty = strip_typmod(&ty);
        match &self.params[n - 1] {
            None => {
                self.params[n - 1] = Some(ty);
                Ok(())
            }
            Some(t) if *t == ty => Ok(()),
            Some(t) => Err(self.err(
                span,
                format!("`${n}` is used both as `{t}` and as `{ty}`"),
                Some(format!("cast it where it is used as `{ty}`: `${n}::{ty}`")),
            )),
        }
    }

    pub(crate) fn ensure_param(&mut self, n: usize, span: Span) {
        if self.params.len() < n {
            self.params.resize(n, None);
            self.param_at.resize(n, None);
        }
        if self.param_at[n - 1].is_none() {
            self.param_at[n - 1] = self.pos(span);
        }
    }

    /// The canonical type of a type written in the query.
    pub(crate) fn data_type(&self, dt: &sqlparser::ast::DataType, span: Span) -> R<SqlType> {
        let user = |parts: &[Name]| -> Result<BaseType, String> {
            if let (_, Some(found)) = self.cat.user_type(&self.search_path, parts)? {
                return Ok(found);
            }
            Err(format!(
                "unknown type `{}`: not built in, and the schema creates no enum or domain of that name",
                parts.iter().map(Name::to_string).collect::<Vec<_>>().join(".")
            ))
        };
        match crate::schema::types::canonical(dt, &user) {
            Ok(r) if r.serial => Err(self.err(
                span,
                format!("`{dt}` is not a type outside a column definition"),
                Some("cast to `integer` or `bigint`".into()),
            )),
            Ok(r) => Ok(r.ty),
            Err(m) => Err(self.err(span, m, None)),
        }
    }
}

/// The name PostgreSQL stores for `ident`.
pub(crate) fn name_of(ident: &Ident) -> Name {
    Name::from_ident(ident)
}

/// `ty` without its type modifier (what a type OID denotes).
pub fn strip_typmod(ty: &SqlType) -> SqlType {
    match &ty.base {
        BaseType::Builtin(b) => SqlType {
            base: BaseType::Builtin(Builtin {
                name: b.name,
                typmod: Typmod::None,
            }),
            array: ty.array,
        },
        _ => ty.clone(),
    }
}

/// The name of a built-in scalar type, if `ty` is one.
pub(crate) fn builtin_name(ty: &SqlType) -> Option<&'static str> {
    match &ty.base {
        BaseType::Builtin(b) if !ty.array => Some(b.name),
        _ => None,
    }
}

/// What to write instead of an unknown table `shown` (as written):
/// "did you mean" one of `candidates`, the system-catalog way out, or the
/// tables there are.
pub(crate) fn unknown_table_help(shown: &str, candidates: &[String]) -> String {
    let last = shown.rsplit('.').next().unwrap_or(shown);
    if shown.starts_with("pg_catalog.")
        || shown.starts_with("information_schema.")
        || (last.starts_with("pg_") && !shown.contains('.'))
    {
        return format!(
            "`{shown}` looks like a system catalog or view, which the schema checks do not \
             model: write this query with `secure_query_unparsed!` (or \
             `secure_query_as_unparsed!`), which skips the schema checks and keeps the others"
        );
    }
    match did_you_mean(shown, candidates.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!(
            "the schema has: {}; if the table is new, add it to a migration",
            candidates
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The closest of `candidates` to `name`, if close enough to suggest.
pub(crate) fn did_you_mean<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<String> {
    let limit = (name.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (levenshtein(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(!ca.eq_ignore_ascii_case(cb));
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The SQL types whose parameters the macros bind through a checking
/// function of `secure_pg::__private::sql`, and that function's name. The
/// runtime's table (`secure-pg/src/sql_types.rs`) must list the same pairs;
/// the integration tests hold both to each other.
pub const BINDINGS: &[(&str, &str)] = &[
    ("boolean", "boolean"),
    ("smallint", "smallint"),
    ("integer", "integer"),
    ("bigint", "bigint"),
    ("real", "real"),
    ("double precision", "double_precision"),
    ("text", "text"),
    ("character varying", "character_varying"),
    ("character", "character"),
    ("bytea", "bytea"),
    ("oid", "oid"),
    ("inet", "inet"),
    ("numeric", "numeric"),
    ("smallint[]", "smallint_array"),
    ("integer[]", "integer_array"),
    ("bigint[]", "bigint_array"),
    ("text[]", "text_array"),
    ("boolean[]", "boolean_array"),
    ("uuid", "uuid"),
    ("json", "json"),
    ("jsonb", "jsonb"),
    ("date", "date"),
    ("time without time zone", "time_without_time_zone"),
    ("timestamp without time zone", "timestamp_without_time_zone"),
    ("timestamp with time zone", "timestamp_with_time_zone"),
    ("uuid[]", "uuid_array"),
];

/// The checking bind function for a parameter of type `ty`, if any.
pub fn binding_function(ty: &SqlType) -> Option<&'static str> {
    let name = strip_typmod(ty).to_string();
    BINDINGS.iter().find(|(s, _)| *s == name).map(|(_, f)| *f)
}

/// How a parameter is declared on an unnamed statement (PgBouncer mode),
/// so that the server types it as it would for `PREPARE` instead of from
/// a type guessed from the Rust value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// A built-in type, by OID.
    Declared(u32),
    /// An enum or a domain (whose OIDs are only known at run time):
    /// declared as unspecified, so the server infers it from the
    /// statement, and sent in the binary format of the built-in type with
    /// this OID (`text` for an enum, the domain's base type), which is the
    /// format the server reads for it.
    Inferred(u32),
}

/// `(canonical name, OID, array OID)` of the built-in types a parameter is
/// declared with; the integration tests hold every OID used against the
/// server's.
const BUILTIN_OIDS: &[(&str, u32, u32)] = &[
    ("boolean", 16, 1000),
    ("bytea", 17, 1001),
    ("name", 19, 1003),
    ("bigint", 20, 1016),
    ("smallint", 21, 1005),
    ("integer", 23, 1007),
    ("text", 25, 1009),
    ("oid", 26, 1028),
    ("json", 114, 199),
    ("xml", 142, 143),
    ("cidr", 650, 651),
    ("real", 700, 1021),
    ("double precision", 701, 1022),
    ("money", 790, 791),
    ("macaddr", 829, 1040),
    ("inet", 869, 1041),
    ("character", 1042, 1014),
    ("character varying", 1043, 1015),
    ("date", 1082, 1182),
    ("time without time zone", 1083, 1183),
    ("timestamp without time zone", 1114, 1115),
    ("timestamp with time zone", 1184, 1185),
    ("interval", 1186, 1187),
    ("time with time zone", 1266, 1270),
    ("numeric", 1700, 1231),
    ("uuid", 2950, 2951),
    ("jsonb", 3802, 3807),
];

/// How to declare a parameter of type `ty` (see [`Wire`]); `None` for a
/// type with no declaration known before run time (an array of an enum or
/// a domain, a type an extension creates), left to the run-time guess.
pub fn wire(ty: &SqlType, catalog: &Catalog) -> Option<Wire> {
    let builtin = |name: &str, array: bool| {
        BUILTIN_OIDS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, oid, array_oid)| if array { *array_oid } else { *oid })
    };
    match &ty.base {
        BaseType::Builtin(b) => builtin(b.name, ty.array).map(Wire::Declared),
        BaseType::Enum(_) if !ty.array => Some(Wire::Inferred(25)),
        // An array of labels, sent as a `text[]` literal in the text
        // format (the binary format names its element type).
        BaseType::Enum(_) => Some(Wire::Inferred(1009)),
        BaseType::Domain(name) if !ty.array => {
            let base = &catalog.domain(name)?.base;
            match &base.base {
                BaseType::Builtin(b) => builtin(b.name, base.array).map(Wire::Inferred),
                BaseType::Enum(_) if !base.array => Some(Wire::Inferred(25)),
                _ => None,
            }
        }
        _ => None,
    }
}
