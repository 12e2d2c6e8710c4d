//! Which statements may leave state on the session.
//!
//! The runtime resets a pooled connection (`DISCARD ALL`) after a statement
//! this module flags, so that the next user of the connection does not see
//! settings, temporary objects or locks left behind.
//!
//! The decision is made from what a statement can do, not only from its
//! first keyword: a statement is flagged when
//!
//! * it starts with a keyword that changes the session (`SET`, `LISTEN`,
//!   `PREPARE`, `BEGIN`, ..., and any `CREATE`),
//! * it mentions `TEMP` / `TEMPORARY` or the temporary schema `pg_temp`
//!   (`CREATE TABLE pg_temp.x`, `SELECT ... INTO pg_temp.x`), or
//! * it calls any function that is not a built-in known to be session
//!   neutral ([`crate::functions`]): an unknown function may call
//!   `set_config`, take a session lock or create a temporary table, and so
//!   may a user-defined operator.
//!
//! When the SQL parses, every function call in the tree is looked at. When
//! it does not (the `*_unparsed!` macros), a lexical heuristic is used
//! instead: every word followed by `(` that is not a known neutral
//! function, nor a keyword or type name that takes parentheses, counts as a
//! call. Both err on the side of flagging: a false positive costs one
//! `DISCARD ALL`, a false negative leaks state to the next user.
//!
//! With a schema, [`changes_session_through_schema`] also follows what
//! runs without being named in the statement: the views it reads, and,
//! for a statement that writes, the triggers and column defaults of the
//! relations it names, with the bodies of the migrations' functions they
//! call. Not seen: casts and type input functions of user-defined types,
//! and rules.

use crate::functions::{self, lookup};
use crate::ident::{fold_unquoted, quoted};
use crate::lexer::{lex, Tok};
use sqlparser::ast::{BinaryOperator, Expr, Statement, TableFactor, Visit, Visitor};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// Whether running `sql` may leave state in the session that a later user
/// of the same pooled connection would see: settings, temporary objects,
/// prepared statements, cursors, listeners, session-level advisory locks,
/// sequence state. Conservative: a false positive costs one `DISCARD ALL`
/// on the next checkout; a false negative would leak state.
pub fn changes_session(sql: &str) -> bool {
    judge(sql, &|_| false)
}

/// [`changes_session`], with `also(name)` saying which other functions
/// (by unqualified, folded name) count as session neutral: the routines
/// of the migrations whose bodies were judged neutral, and `nextval` in a
/// column default.
fn judge(sql: &str, also: &dyn Fn(&str) -> bool) -> bool {
    let Ok(words) = words(sql) else {
        return true;
    };
    if by_keyword(&words) {
        return true;
    }
    match Parser::parse_sql(&PostgreSqlDialect {}, sql) {
        Ok(statements) => statements.iter().any(|s| calls_non_neutral(s, also)),
        Err(_) => lexical_calls_non_neutral(&words, also, &[]),
    }
}

/// Neutral for the session although not in [`crate::functions`] (whose
/// entries also decide what a tenant-scoped query may call): `pg_notify`
/// queues a notification that its transaction's commit delivers, and
/// leaves nothing on the session.
fn neutral_here(name: &str) -> bool {
    name == "pg_notify"
}

/// The last part of a function's name, folded.
fn last_part(name: &sqlparser::ast::ObjectName) -> Option<String> {
    match name.0.last()? {
        sqlparser::ast::ObjectNamePart::Identifier(i) => Some(match i.quote_style {
            Some(_) => i.value.clone(),
            None => fold_unquoted(&i.value),
        }),
        _ => None,
    }
}

/// One significant token, as far as this module cares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Word {
    /// An unquoted word, folded as PostgreSQL folds it.
    Plain(String),
    /// A quoted identifier's name.
    Quoted(String),
    /// A single punctuation character (`(`, `.`, `,` ...).
    Punct(char),
    /// Anything else (strings, numbers, operators, placeholders).
    Other,
}

impl Word {
    fn name(&self) -> Option<&str> {
        match self {
            Word::Plain(s) | Word::Quoted(s) => Some(s),
            _ => None,
        }
    }

    fn is_plain(&self, keyword: &str) -> bool {
        matches!(self, Word::Plain(w) if w == keyword)
    }
}

fn words(sql: &str) -> Result<Vec<Word>, crate::lexer::LexError> {
    Ok(lex(sql)?
        .iter()
        .map(|t| match t {
            Tok::Other { offset } => {
                let rest = &sql[*offset..];
                let first = rest.chars().next().unwrap_or(' ');
                if let Some(body) = rest.strip_prefix('"') {
                    // The lexer checked that the identifier is closed.
                    let mut name = String::new();
                    let mut chars = body.chars().peekable();
                    while let Some(c) = chars.next() {
                        if c == '"' {
                            if chars.peek() == Some(&'"') {
                                chars.next();
                                name.push('"');
                            } else {
                                break;
                            }
                        } else {
                            name.push(c);
                        }
                    }
                    Word::Quoted(quoted(&name))
                } else if first.is_alphabetic() || first == '_' || !first.is_ascii() {
                    let word: String = rest
                        .chars()
                        .take_while(|c| {
                            c.is_alphanumeric() || *c == '_' || *c == '$' || !c.is_ascii()
                        })
                        .collect();
                    Word::Plain(fold_unquoted(&word))
                } else if first.is_ascii_punctuation()
                    && !crate::lexer::starts_operator(first)
                    && !matches!(first, '\'' | '$')
                {
                    Word::Punct(first)
                } else {
                    Word::Other
                }
            }
            _ => Word::Other,
        })
        .collect())
}

/// Today's keyword rules: a session-changing first keyword, or a temporary
/// object anywhere.
fn by_keyword(words: &[Word]) -> bool {
    const FIRST: &[&str] = &[
        "set",
        "reset",
        "listen",
        "unlisten",
        "prepare",
        "deallocate",
        "declare",
        "load",
        "discard",
        "begin",
        "start",
        "commit",
        "rollback",
        "end",
        "abort",
        "savepoint",
        "release",
        "lock",
        "close",
        "do",
        "call",
        // Any CREATE: temporary objects can also be made without the TEMP
        // keyword (`CREATE TABLE pg_temp.x`, a search_path that starts with
        // pg_temp), and DDL is rare enough on pooled connections.
        "create",
    ];
    const ANYWHERE: &[&str] = &["temp", "temporary"];
    let first_is = |w: &Word| matches!(w, Word::Plain(w) if FIRST.contains(&w.as_str()));
    words.first().is_some_and(first_is)
        || words.iter().any(|w| match w {
            Word::Plain(w) => ANYWHERE.contains(&w.as_str()) || is_temp_schema(w),
            // `"pg_temp".x` names the temporary schema as well.
            Word::Quoted(w) => is_temp_schema(w),
            _ => false,
        })
}

/// `pg_temp` and the per-backend `pg_temp_N` / `pg_toast_temp_N` schemas.
fn is_temp_schema(name: &str) -> bool {
    name == "pg_temp" || name.starts_with("pg_temp_") || name.starts_with("pg_toast_temp")
}

/// Walks every function call and user-defined operator of a parsed
/// statement.
fn calls_non_neutral(statement: &Statement, also: &dyn Fn(&str) -> bool) -> bool {
    struct Calls<'a> {
        also: &'a dyn Fn(&str) -> bool,
    }
    impl Calls<'_> {
        fn neutral(&self, name: &sqlparser::ast::ObjectName) -> bool {
            functions::is_session_neutral(name)
                || last_part(name).is_some_and(|n| neutral_here(&n) || (self.also)(&n))
        }
    }
    impl Visitor for Calls<'_> {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
            let non_neutral = match expr {
                Expr::Function(f) => !functions::is_array_subquery(f) && !self.neutral(&f.name),
                // A user-defined operator calls a user-defined function.
                Expr::BinaryOp { op, .. }
                | Expr::AnyOp { compare_op: op, .. }
                | Expr::AllOp { compare_op: op, .. } => {
                    matches!(
                        op,
                        BinaryOperator::PGCustomBinaryOperator(_) | BinaryOperator::Custom(_)
                    )
                }
                _ => false,
            };
            if non_neutral {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
        fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
            let non_neutral = match factor {
                // `FROM f(x)`.
                TableFactor::Table {
                    name,
                    args: Some(_),
                    ..
                }
                | TableFactor::Function { name, .. } => !self.neutral(name),
                _ => false,
            };
            if non_neutral {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    statement.visit(&mut Calls { also }).is_break()
}

/// Keywords and type names that PostgreSQL writes with a `(` after them
/// without calling a function. `operator` is not here: `OPERATOR(s.op)`
/// calls a user-defined function.
const PAREN_WORDS: &[&str] = &[
    // Expressions and clauses.
    "all",
    "and",
    "any",
    "array",
    "as",
    "between",
    "by",
    "case",
    "cast",
    "check",
    "collate",
    "conflict",
    "constraint",
    "cube",
    "default",
    "distinct",
    "do",
    "else",
    "escape",
    "except",
    "exists",
    "extract",
    "fetch",
    "filter",
    "first",
    "for",
    "from",
    "group",
    "having",
    "ilike",
    "in",
    "intersect",
    "is",
    "join",
    "key",
    "lateral",
    "like",
    "limit",
    "materialized",
    "next",
    "not",
    "nothing",
    "offset",
    "on",
    "or",
    "ordinality",
    "over",
    "overlaps",
    "overlay",
    "partition",
    "position",
    "primary",
    "recursive",
    "references",
    "repeatable",
    "returning",
    "rollup",
    "row",
    "rows",
    "select",
    "set",
    "sets",
    "similar",
    "some",
    "substring",
    "tablesample",
    "then",
    "to",
    "treat",
    "trim",
    "union",
    "unique",
    "using",
    "values",
    "variadic",
    "when",
    "where",
    "window",
    "with",
    "within",
    "zone",
    // TABLESAMPLE methods (built in).
    "bernoulli",
    "system",
    // SQL/XML and SQL/JSON syntax.
    "xmlattributes",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
    "json",
    "json_array",
    "json_arrayagg",
    "json_exists",
    "json_object",
    "json_objectagg",
    "json_query",
    "json_table",
    "json_value",
    // Type names with a modifier.
    "bit",
    "char",
    "character",
    "dec",
    "decimal",
    "float",
    "interval",
    "nchar",
    "numeric",
    "time",
    "timestamp",
    "timestamptz",
    "timetz",
    "varbit",
    "varchar",
    "varying",
];

/// The heuristic for SQL that does not parse: any `name(` or
/// `schema.name(` that is not a neutral built-in, a keyword or a type.
fn lexical_calls_non_neutral(
    words: &[Word],
    also: &dyn Fn(&str) -> bool,
    more_paren_words: &[&str],
) -> bool {
    (0..words.len()).any(|i| {
        let Some(name) = words[i].name() else {
            return false;
        };
        if words.get(i + 1) != Some(&Word::Punct('(')) {
            return false;
        }
        // The qualified name ending at `i`: `a.b.name`.
        let mut start = i;
        while start >= 2
            && words[start - 1] == Word::Punct('.')
            && words[start - 2].name().is_some()
        {
            start -= 2;
        }
        let before = start.checked_sub(1).map(|k| &words[k]);
        // `INSERT INTO t (a, b)`, `WITH c (a) AS`: a column list.
        if before.is_some_and(|w| w.is_plain("into") || w.is_plain("with") || w.is_plain("table")) {
            return false;
        }
        if start == i
            && matches!(&words[i], Word::Plain(w) if PAREN_WORDS.contains(&w.as_str())
                || more_paren_words.contains(&w.as_str()))
        {
            return false;
        }
        let quoted = matches!(words[i], Word::Quoted(_));
        let neutral = lookup(name).is_some_and(|f| f.session_neutral && !(f.syntax && quoted));
        match i - start {
            0 => !(neutral || neutral_here(name) || also(name)),
            2 => {
                !(words[start].name() == Some("pg_catalog")
                    && neutral
                    && lookup(name).is_some_and(|f| !f.syntax))
            }
            _ => true,
        }
    })
}

#[cfg(test)]
mod session_tests {
    use super::{changes_session, lexical_calls_non_neutral, words};

    fn lexical_calls_non_neutral_here(words: &[super::Word]) -> bool {
        lexical_calls_non_neutral(words, &|_| false, &[])
    }

    #[test]
    fn detects_session_changes() {
        for sql in [
            "SET search_path = x",
            "set local work_mem = '1MB'",
            "RESET ALL",
            "CREATE TEMP TABLE t (a int)",
            "create temporary table t (a int)",
            "CREATE TABLE pg_temp.x (a int)",
            "CREATE TABLE \"pg_temp\".x (a int)",
            "CREATE TABLE x (a int)",
            "SELECT * INTO pg_temp.x FROM t",
            "INSERT INTO pg_temp.x (a) VALUES (1)",
            "SELECT set_config('app.x', $1, false)",
            "SELECT pg_catalog.set_config('app.x', $1, false)",
            "SELECT pg_advisory_lock($1)",
            "SELECT nextval('s')",
            "INSERT INTO t (id) VALUES (nextval('s'))",
            "SELECT setseed(0.5)",
            "SELECT my_fn($1)",
            "SELECT id FROM t WHERE my_fn(id)",
            "SELECT * FROM my_srf($1)",
            "SELECT public.lower(name) FROM t",
            "SELECT \"LOWER\"(name) FROM t",
            "SELECT \"coalesce\"(name) FROM t",
            "SELECT count(*) FROM t GROUP BY slugify(name)",
            "SELECT a OPERATOR(public.===) b FROM t",
            "SELECT query_to_xml('select 1', true, true, '')",
            "LISTEN jobs",
            "PREPARE p AS SELECT 1",
            "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
            "BEGIN",
        ] {
            assert!(changes_session(sql), "{sql}");
        }
    }

    #[test]
    fn ordinary_statements_do_not() {
        for sql in [
            "SELECT id, name FROM widgets WHERE id = $1",
            "UPDATE widgets SET name = $1 WHERE id = $2",
            "INSERT INTO settings (k, v) VALUES ('set', 'temp')",
            "INSERT INTO t (a) VALUES ($1)",
            "SELECT 'SET x = 1' AS s -- set_config",
            "DELETE FROM t WHERE id = ANY($1)",
            "SELECT lower(name), count(*) FROM t",
            "SELECT pg_catalog.lower(name) FROM t",
            "SELECT coalesce(a, 0), now(), CURRENT_TIMESTAMP FROM t",
            "SELECT * FROM generate_series(1, $1) AS g(n)",
            "SELECT ARRAY(SELECT id FROM t)",
            "SELECT currval('s')",
            "SELECT CAST(a AS numeric(10, 2)) FROM t WHERE a IN (1, 2)",
            "SELECT jsonb_build_object('a', 1) -> 'a'",
            "SELECT row_number() OVER (PARTITION BY a ORDER BY b) FROM t",
            "SELECT ROW(1, 2), NULLIF(a, b), GREATEST(1, 2), CURRENT_USER FROM t",
        ] {
            assert!(!changes_session(sql), "{sql}");
        }
    }

    /// SQL that sqlparser does not parse goes through the lexical
    /// heuristic.
    #[test]
    fn the_heuristic_for_unparsed_sql() {
        let flags = |sql: &str| lexical_calls_non_neutral_here(&words(sql).unwrap());
        for sql in [
            "SELECT my_fn($1)",
            "SELECT s.my_fn($1)",
            "SELECT public.lower(x)",
            "SELECT \"LOWER\"(x)",
            "SELECT \"coalesce\"(x)",
            "SELECT set_config('a', 'b', false)",
            "SELECT a OPERATOR(public.===) b",
            "SELECT nextval('s')",
            "SELECT a FROM t WHERE b = some_unknown_syntax_fn(c)",
        ] {
            assert!(flags(sql), "{sql}");
        }
        for sql in [
            "SELECT lower(name), count(*) FROM t",
            "INSERT INTO t (a) VALUES ($1)",
            "INSERT INTO s.t (a, b) VALUES ($1, $2)",
            "SELECT pg_catalog.lower(x) FROM t WHERE a IN (1) AND EXISTS (SELECT 1)",
            "WITH c (a) AS (SELECT 1) SELECT a::numeric(3, 1) FROM c",
            "SELECT \"lower\"(x)",
        ] {
            assert!(!flags(sql), "{sql}");
        }
        // And through changes_session: this is not valid for sqlparser.
        assert!(changes_session(
            "SELECT my_fn($1) FROM t WHERE a = ANY ($1) ~~~ )"
        ));
    }
}

/// Whether a statement reaches a session-changing function through the
/// schema, where its own text does not show it (the caller judges that text
/// with [`changes_session`]):
///
/// * the views it reads, as the schema defines them, views of views
///   included: `SELECT v FROM leaky_view`, where the view calls
///   `set_config(.., false)`, changes the session as much as the call
///   written out would;
/// * when it writes (`INSERT`, `UPDATE`, `DELETE`, `MERGE`, also in a
///   `WITH`): the triggers on every relation it names (and on the relations
///   of the views among them), and the column defaults of those tables. A
///   trigger runs a function of the migrations, judged by its body: a
///   `LANGUAGE sql` body statement by statement as [`changes_session`]
///   judges a statement; a PL/pgSQL body by its words (dynamic SQL, DDL, a
///   `SET` or `RESET` statement, `LISTEN`, `PREPARE`, `DISCARD`, `LOAD`,
///   temporary objects and every call that is not neutral count); any
///   other language, or a body the loader could not read, counts. A
///   routine the migrations do not define, other than the built-in trigger
///   functions, changes the session. `nextval` in a default does not
///   count: sequence state is unreadable through the macros (`lastval()`
///   and `currval()` are refused) and the raw client discards it first.
pub fn changes_session_through_schema(sql: &str, catalog: &crate::schema::Catalog) -> bool {
    use crate::schema::catalog::{Relation, ValueSource};

    let mut pending: Vec<&str> = vec![sql];
    let mut seen: Vec<&crate::schema::catalog::QualifiedName> = Vec::new();
    let mut named: Vec<Relation<'_>> = Vec::new();
    while let Some(text) = pending.pop() {
        for (_, relation) in catalog.relations_named(text) {
            let name = match relation {
                Relation::Table(t) => &t.name,
                Relation::View(v) => &v.name,
            };
            if seen.contains(&name) {
                continue;
            }
            seen.push(name);
            named.push(relation);
            if let Relation::View(view) = relation {
                if changes_session(&view.query) {
                    return true;
                }
                pending.push(&view.query);
            }
        }
    }
    if named.is_empty() || !writes(sql) {
        return false;
    }
    let neutral = NeutralRoutines::of(catalog);
    for relation in named {
        let name = match relation {
            Relation::Table(t) => &t.name.name,
            Relation::View(v) => &v.name.name,
        };
        let fired = catalog
            .triggers
            .iter()
            .filter(|(table, _)| table.as_ref().is_none_or(|t| t == name))
            .map(|(_, routine)| routine);
        for routine in fired {
            if !BUILTIN_TRIGGER_FUNCTIONS.contains(&routine.as_str())
                && !neutral.has(routine.as_str())
            {
                return true;
            }
        }
        if let Relation::Table(table) = relation {
            for column in &table.columns {
                // The column's own default, or else its domain's.
                let default = match (&column.value, &column.ty.base) {
                    (ValueSource::Default(expr), _) => Some(expr),
                    (ValueSource::None, crate::schema::types::BaseType::Domain(d))
                        if !column.ty.array =>
                    {
                        catalog.domains.get(d).and_then(|d| d.default.as_ref())
                    }
                    _ => None,
                };
                if let Some(expr) = default {
                    let also = |n: &str| n == "nextval" || neutral.has(n);
                    if judge(&format!("SELECT {expr}"), &also) {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// Built-in trigger functions, which leave nothing on the session.
const BUILTIN_TRIGGER_FUNCTIONS: &[&str] = &[
    "suppress_redundant_updates_trigger",
    "tsvector_update_trigger",
    "tsvector_update_trigger_column",
];

/// Whether a statement writes rows: it is, or holds in a `WITH`, an
/// `INSERT`, `UPDATE`, `DELETE` or `MERGE` (or `COPY ... FROM`). SQL that
/// does not parse counts as writing.
pub(crate) fn writes(sql: &str) -> bool {
    struct Writes;
    impl Visitor for Writes {
        type Break = ();
        fn pre_visit_statement(&mut self, s: &Statement) -> ControlFlow<()> {
            match s {
                Statement::Insert(_)
                | Statement::Update { .. }
                | Statement::Delete(_)
                | Statement::Merge { .. }
                | Statement::Copy { .. } => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            }
        }
    }
    match Parser::parse_sql(&PostgreSqlDialect {}, sql) {
        Ok(statements) => statements.iter().any(|s| s.visit(&mut Writes).is_break()),
        Err(_) => true,
    }
}

/// The routines of the migrations judged session neutral: every body each
/// name ever had leaves nothing on the session, calling only neutral
/// built-ins and routines that are neutral themselves (so mutually
/// recursive routines are judged together, as the greatest set that holds).
struct NeutralRoutines(std::collections::BTreeSet<String>);

impl NeutralRoutines {
    fn of(catalog: &crate::schema::Catalog) -> NeutralRoutines {
        let mut set: std::collections::BTreeSet<String> = catalog
            .routine_bodies
            .keys()
            .map(|n| n.as_str().to_owned())
            .collect();
        loop {
            let before = set.len();
            let current = set.clone();
            let also = |n: &str| current.contains(n);
            set.retain(|name| {
                catalog
                    .routine_bodies
                    .iter()
                    .filter(|(n, _)| n.as_str() == name)
                    .flat_map(|(_, bodies)| bodies)
                    .all(|b| !routine_changes_session(&b.language, b.text.as_deref(), &also))
            });
            if set.len() == before {
                return NeutralRoutines(set);
            }
        }
    }

    fn has(&self, name: &str) -> bool {
        self.0.contains(name)
    }
}

/// Whether one body of a routine may leave state on the session, calling
/// functions that `also` says are neutral besides the built-ins:
///
/// * `LANGUAGE sql`: each statement as [`changes_session`] judges it;
/// * `LANGUAGE plpgsql`: dynamic SQL (`EXECUTE`), DDL (`CREATE`, `ALTER`,
///   `DROP`), a `SET` or `RESET` statement, `LISTEN`, `PREPARE`, `DISCARD`,
///   `LOAD`, temporary objects, and every call that is not neutral, read
///   from its words (PL/pgSQL does not parse as SQL);
/// * a body the loader could not read, or any other language: yes.
pub(crate) fn routine_changes_session(
    language: &str,
    body: Option<&str>,
    also: &dyn Fn(&str) -> bool,
) -> bool {
    let Some(body) = body else {
        return true;
    };
    match language {
        "sql" => match crate::schema::split::split(body) {
            Ok(statements) => statements.iter().any(|s| judge(s.text, also)),
            Err(_) => true,
        },
        "plpgsql" => plpgsql_changes_session(body, also),
        _ => true,
    }
}

/// See [`routine_changes_session`].
fn plpgsql_changes_session(body: &str, also: &dyn Fn(&str) -> bool) -> bool {
    const ANYWHERE: &[&str] = &[
        "execute",
        "create",
        "alter",
        "drop",
        "reset",
        "listen",
        "unlisten",
        "prepare",
        "deallocate",
        "discard",
        "load",
        "temp",
        "temporary",
    ];
    // Words after which a PL/pgSQL statement starts.
    const STARTS_AFTER: &[&str] = &["begin", "then", "else", "loop", "declare"];
    // PL/pgSQL words written with a `(` after them.
    const PAREN: &[&str] = &[
        "if", "elsif", "while", "return", "perform", "raise", "exit", "continue", "foreach",
        "query", "loop", "into", "strict", "next", "case",
    ];
    let Ok(w) = words(body) else {
        return true;
    };
    let statement_start = |i: usize| {
        i == 0
            || w[i - 1] == Word::Punct(';')
            || matches!(&w[i - 1], Word::Plain(p) if STARTS_AFTER.contains(&p.as_str()))
    };
    let by_word = w.iter().enumerate().any(|(i, word)| match word {
        Word::Plain(p) => {
            ANYWHERE.contains(&p.as_str())
                || is_temp_schema(p)
                || (p == "set" && statement_start(i))
        }
        Word::Quoted(q) => is_temp_schema(q),
        _ => false,
    });
    by_word || lexical_calls_non_neutral(&w, also, PAREN)
}

#[cfg(test)]
mod view_tests {
    use super::*;

    #[test]
    fn session_changes_are_seen_through_views() {
        let catalog = crate::schema::Catalog::from_sql(
            "schema.sql",
            "CREATE TABLE t (a int);
             CREATE VIEW plain AS SELECT a FROM t;
             CREATE VIEW leaky AS SELECT set_config('app.x', 'y', false) AS v;
             CREATE VIEW over_leaky AS SELECT v FROM leaky;
             CREATE VIEW seeded AS SELECT setseed(0.5) AS s;",
        )
        .expect("loads");
        let through = |sql: &str| changes_session_through_schema(sql, &catalog);
        assert!(!through("SELECT a FROM t"));
        assert!(!through("SELECT a FROM plain"));
        assert!(through("SELECT v FROM leaky"));
        assert!(through("SELECT v FROM over_leaky"));
        assert!(through(
            "SELECT a FROM t WHERE EXISTS (SELECT 1 FROM public.leaky)"
        ));
        assert!(through("SELECT s FROM seeded"));
        assert!(!through("SELECT 1"));
    }
}

#[cfg(test)]
mod schema_tests {
    use super::*;

    const SCHEMA: &str = "
        CREATE TABLE plain (id bigserial PRIMARY KEY, note text);
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (TG_OP = 'UPDATE') THEN
                NEW.updated_at := now();
            END IF;
            UPDATE audit SET n = n + 1 WHERE id = 1;
            PERFORM pg_notify('changes', NEW.id::text);
            RETURN NEW;
        END $$;
        CREATE TABLE touched (id bigint, updated_at timestamptz);
        CREATE TRIGGER touched_touch BEFORE UPDATE ON touched FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE FUNCTION leak() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM set_config('app.who', NEW.id::text, false);
            RETURN NEW;
        END $$;
        CREATE TABLE leaky (id bigint);
        CREATE TRIGGER leaky_leak AFTER INSERT ON leaky FOR EACH ROW EXECUTE PROCEDURE leak();
        CREATE FUNCTION dynamic() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN EXECUTE 'SELECT 1'; RETURN NEW; END $$;
        CREATE TABLE dyn (id bigint);
        CREATE TRIGGER dyn_t AFTER DELETE ON dyn FOR EACH ROW EXECUTE FUNCTION dynamic();
        CREATE FUNCTION setter() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            SET search_path = evil;
            RETURN NEW;
        END $$;
        CREATE TABLE set_by_trigger (id bigint);
        CREATE TRIGGER s AFTER INSERT ON set_by_trigger FOR EACH ROW EXECUTE FUNCTION setter();
        CREATE TABLE elsewhere (id bigint);
        CREATE TRIGGER e AFTER INSERT ON elsewhere FOR EACH ROW EXECUTE FUNCTION not_in_the_migrations();
        CREATE TABLE searchable (id bigint, doc tsvector, body text);
        CREATE TRIGGER tsv BEFORE INSERT ON searchable FOR EACH ROW
            EXECUTE FUNCTION tsvector_update_trigger(doc, 'pg_catalog.english', body);
        CREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$ SELECT lower(md5(random()::text)) $$;
        CREATE FUNCTION seeded_code() RETURNS text LANGUAGE sql AS 'SELECT setseed(0.5)::text';
        CREATE TABLE coded (id bigint, code text DEFAULT next_code());
        CREATE TABLE seeded (id bigint, code text DEFAULT seeded_code());
        CREATE FUNCTION ping(n int) RETURNS int LANGUAGE plpgsql AS $$
        BEGIN IF n > 0 THEN RETURN pong(n - 1); END IF; RETURN 0; END $$;
        CREATE FUNCTION pong(n int) RETURNS int LANGUAGE sql AS $$ SELECT ping(n) $$;
        CREATE TABLE bouncing (id int DEFAULT ping(3));
        CREATE VIEW leaky_view AS SELECT id FROM leaky;
        CREATE TABLE later (id bigint, code text);
        ALTER TABLE later ALTER COLUMN code SET DEFAULT seeded_code();
        CREATE DOMAIN seeded_text AS text DEFAULT seeded_code();
        CREATE TABLE by_domain (id bigint, code seeded_text);
    ";

    fn through(sql: &str) -> bool {
        let catalog = crate::schema::Catalog::from_sql("schema.sql", SCHEMA).expect("loads");
        changes_session_through_schema(sql, &catalog)
    }

    #[test]
    fn triggers_are_judged_by_their_bodies() {
        // `UPDATE ... SET` inside the body is not a `SET` statement, and
        // `pg_notify` leaves nothing on the session.
        assert!(!through("UPDATE touched SET id = $1"));
        assert!(through("INSERT INTO leaky (id) VALUES ($1)"));
        assert!(through("DELETE FROM dyn WHERE id = $1"), "dynamic SQL");
        assert!(through("INSERT INTO set_by_trigger (id) VALUES (1)"));
        assert!(
            through("INSERT INTO elsewhere (id) VALUES (1)"),
            "a routine the migrations do not define"
        );
        assert!(!through("INSERT INTO searchable (id, body) VALUES (1, $1)"));
        // Through a CTE, and through a view onto the table.
        assert!(through(
            "WITH n AS (INSERT INTO leaky (id) VALUES (1) RETURNING id) SELECT id FROM n"
        ));
        assert!(through("INSERT INTO leaky_view (id) VALUES (1)"));
    }

    #[test]
    fn only_writes_fire_triggers_and_defaults() {
        assert!(!through("SELECT id FROM leaky"));
        assert!(!through("SELECT id FROM leaky FOR UPDATE"));
        assert!(!through("SELECT id FROM seeded"));
    }

    #[test]
    fn column_defaults_are_judged_with_the_routines_they_call() {
        assert!(!through("INSERT INTO plain (note) VALUES ($1)"), "nextval");
        assert!(!through("INSERT INTO coded (id) VALUES (1)"));
        assert!(through("INSERT INTO seeded (id) VALUES (1)"));
        assert!(
            !through("INSERT INTO bouncing DEFAULT VALUES"),
            "mutual recursion"
        );
        assert!(
            through("INSERT INTO later (id) VALUES (1)"),
            "a default set later"
        );
        assert!(
            through("INSERT INTO by_domain (id) VALUES (1)"),
            "a domain's default"
        );
    }

    #[test]
    fn plpgsql_bodies() {
        let judge = |body: &str| plpgsql_changes_session(body, &|_| false);
        assert!(!judge("BEGIN NEW.a := coalesce(NEW.a, 0); RETURN NEW; END"));
        assert!(!judge(
            "DECLARE n int; BEGIN SELECT count(*) INTO n FROM t; IF (n > 3) THEN RAISE EXCEPTION 'too many'; END IF; RETURN NEW; END"
        ));
        assert!(!judge(
            "BEGIN INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = 2; RETURN NULL; END"
        ));
        for leaky in [
            "BEGIN SET LOCAL work_mem = '1MB'; RETURN NEW; END",
            "BEGIN RESET ALL; RETURN NEW; END",
            "BEGIN CREATE TEMP TABLE x (a int); RETURN NEW; END",
            "BEGIN INSERT INTO pg_temp.x VALUES (1); RETURN NEW; END",
            "BEGIN PERFORM pg_advisory_lock(1); RETURN NEW; END",
            "BEGIN PERFORM my_helper(); RETURN NEW; END",
            "BEGIN EXECUTE format('SELECT %s', 1); RETURN NEW; END",
            "BEGIN LISTEN x; RETURN NEW; END",
            "BEGIN IF true THEN SET search_path = x; END IF; RETURN NEW; END",
        ] {
            assert!(judge(leaky), "{leaky}");
        }
        assert!(routine_changes_session("c", Some("x"), &|_| false));
        assert!(routine_changes_session("plpgsql", None, &|_| false));
        assert!(!routine_changes_session(
            "sql",
            Some("SELECT 1; SELECT lower('A')"),
            &|_| false
        ));
        assert!(routine_changes_session(
            "sql",
            Some("SELECT 1; SET x = 1"),
            &|_| false
        ));
    }
}
