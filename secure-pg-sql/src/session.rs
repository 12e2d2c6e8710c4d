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
//! Not seen: functions that run without being named in the statement
//! (column defaults such as `nextval` for a `serial`, triggers, casts and
//! type input functions of user-defined types).

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
    let Ok(words) = words(sql) else {
        return true;
    };
    if by_keyword(&words) {
        return true;
    }
    match Parser::parse_sql(&PostgreSqlDialect {}, sql) {
        Ok(statements) => statements.iter().any(calls_non_neutral),
        Err(_) => lexical_calls_non_neutral(&words),
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
fn calls_non_neutral(statement: &Statement) -> bool {
    struct Calls;
    impl Visitor for Calls {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
            let non_neutral = match expr {
                Expr::Function(f) => {
                    !functions::is_array_subquery(f) && !functions::is_session_neutral(&f.name)
                }
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
                | TableFactor::Function { name, .. } => !functions::is_session_neutral(name),
                _ => false,
            };
            if non_neutral {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    statement.visit(&mut Calls).is_break()
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
fn lexical_calls_non_neutral(words: &[Word]) -> bool {
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
        if start == i && matches!(&words[i], Word::Plain(w) if PAREN_WORDS.contains(&w.as_str())) {
            return false;
        }
        let quoted = matches!(words[i], Word::Quoted(_));
        let neutral = lookup(name).is_some_and(|f| f.session_neutral && !(f.syntax && quoted));
        match i - start {
            0 => !neutral,
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
        let flags = |sql: &str| lexical_calls_non_neutral(&words(sql).unwrap());
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
/// views it reads (as the schema defines them, views of views included):
/// `SELECT v FROM leaky_view`, where the view calls `set_config(.., false)`,
/// changes the session as much as the call written out would. A view whose
/// definition the catalog holds is judged by [`changes_session`]; the
/// statement's own text is judged by the caller.
pub fn changes_session_through_views(sql: &str, catalog: &crate::schema::Catalog) -> bool {
    use crate::schema::catalog::Relation;

    let mut pending: Vec<&str> = vec![sql];
    let mut seen: Vec<&crate::schema::catalog::QualifiedName> = Vec::new();
    while let Some(text) = pending.pop() {
        for (_, relation) in catalog.relations_named(text) {
            let Relation::View(view) = relation else {
                continue;
            };
            if seen.contains(&&view.name) {
                continue;
            }
            seen.push(&view.name);
            if changes_session(&view.query) {
                return true;
            }
            pending.push(&view.query);
        }
    }
    false
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
        let through = |sql: &str| changes_session_through_views(sql, &catalog);
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
