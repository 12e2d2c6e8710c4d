//! Unit tests for the tenant rewriter: the SQL snapshots (see
//! [`super::snapshots`]), round trips, refusals and generated queries.

use super::snapshots::{Expected, SNAPSHOTS};
use super::{refused_statements, scope_sql, scope_statement, TenantOptions};

// ----- SQL ------------------------------------------------------------------

#[test]
fn tenant_snapshots() {
    let mut failures = Vec::new();
    for snapshot in SNAPSHOTS {
        let actual = scope_sql(snapshot.sql, &snapshot.options(), snapshot.tenant_param);
        let ok = match (&snapshot.expected, &actual) {
            (Expected::Scoped(want), Ok(got)) => want == got,
            (Expected::Refused(want), Err(got)) => *want == got.message(),
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}\n  sql:      {}\n  expected: {:?}\n  actual:   {:?}",
                snapshot.shape, snapshot.sql, snapshot.expected, actual
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} snapshots differ:\n\n{}",
        failures.len(),
        SNAPSHOTS.len(),
        failures.join("\n\n")
    );
}

#[test]
fn tenant_snapshots_cover_enough_shapes() {
    let scoped = SNAPSHOTS
        .iter()
        .filter(|s| matches!(s.expected, Expected::Scoped(_)))
        .count();
    let refused = SNAPSHOTS.len() - scoped;
    assert!(scoped >= 30, "only {scoped} rewrite snapshots");
    assert!(refused >= 20, "only {refused} refusal snapshots");
    let mut shapes: Vec<_> = SNAPSHOTS.iter().map(|s| s.shape).collect();
    shapes.sort_unstable();
    shapes.dedup();
    assert_eq!(shapes.len(), SNAPSHOTS.len(), "duplicate snapshot names");
}

/// The rewritten SQL must parse back into exactly the rewritten tree: the
/// text sent to the database means what the rewriter built (no parenthesis
/// lost in printing, no predicate re-associated).
#[test]
fn tenant_rewritten_sql_round_trips() {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;
    for snapshot in SNAPSHOTS {
        if let Expected::Scoped(_) = snapshot.expected {
            let tree = scope_statement(snapshot.sql, &snapshot.options(), snapshot.tenant_param)
                .unwrap_or_else(|e| panic!("{}: {e}", snapshot.shape));
            let text = tree.to_string();
            let reparsed = Parser::parse_sql(&PostgreSqlDialect {}, &text)
                .unwrap_or_else(|e| panic!("{}: {text}: {e}", snapshot.shape));
            assert_eq!(reparsed, vec![tree], "{}: {text}", snapshot.shape);
        }
    }
}

/// Found by the `tenant_rewrite` fuzz target: sqlparser reads an unquoted
/// `SELECT` as a column name, which prints back as a subquery once
/// parenthesised. The rewriter refuses instead of sending other SQL.
#[test]
fn tenant_rewrite_that_would_not_read_back_is_refused() {
    let err = scope_sql(
        "SELECT id FROM widgets WHERE SELECT",
        &TenantOptions::default(),
        1,
    )
    .unwrap_err();
    assert!(
        err.message().contains("would not read back"),
        "{}",
        err.message()
    );
}

#[test]
fn tenant_every_refusal_keyword_is_refused() {
    for refusal in refused_statements() {
        assert!(!refusal.reason.is_empty());
        assert_eq!(refusal.keyword, refusal.keyword.to_uppercase());
    }
    let opts = TenantOptions::default();
    for sql in [
        "CREATE INDEX i ON widgets (name)",
        "DROP VIEW v",
        "COMMENT ON TABLE widgets IS 'x'",
        "REVOKE SELECT ON widgets FROM bob",
        "DISCARD ALL",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT s",
        "LISTEN ch",
        "NOTIFY ch",
        "PREPARE p AS SELECT 1",
        "EXECUTE p",
        "DEALLOCATE p",
        "ANALYZE widgets",
        "START TRANSACTION",
    ] {
        let err = scope_sql(sql, &opts, 1).expect_err(sql);
        assert!(
            err.message()
                .starts_with("cannot scope this query to the tenant (`"),
            "{sql}: {err}"
        );
    }
}

#[test]
fn tenant_column_and_cte_names_follow_postgres_case_rules() {
    let opts = TenantOptions::default();
    // An unquoted CTE name folds to lower case and matches `Recent`.
    assert_eq!(
        scope_sql(
            "WITH recent AS (SELECT id FROM widgets) SELECT id FROM Recent",
            &opts,
            1
        )
        .unwrap(),
        "WITH recent AS (SELECT id FROM widgets WHERE widgets.tenant_id = $1) SELECT id FROM Recent"
    );
    // A quoted CTE name does not match a differently cased table: the table
    // is scoped.
    assert_eq!(
        scope_sql(
            r#"WITH "Recent" AS (SELECT 1) SELECT id FROM recent"#,
            &opts,
            1
        )
        .unwrap(),
        r#"WITH "Recent" AS (SELECT 1) SELECT id FROM recent WHERE recent.tenant_id = $1"#
    );
    // A CTE in a sibling subquery is not in scope elsewhere.
    assert_eq!(
        scope_sql(
            "SELECT (WITH t AS (SELECT 1) SELECT 1 FROM t), id FROM t",
            &opts,
            1
        )
        .unwrap(),
        "SELECT (WITH t AS (SELECT 1) SELECT 1 FROM t), id FROM t WHERE t.tenant_id = $1"
    );
    // The target of UPDATE is a real table even when a CTE has its name.
    assert_eq!(
        scope_sql(
            "WITH widgets AS (SELECT 1) UPDATE widgets SET a = 1",
            &opts,
            1
        )
        .unwrap(),
        "WITH widgets AS (SELECT 1) UPDATE widgets SET a = 1 WHERE widgets.tenant_id = $1"
    );
    // `SET "Tenant_Id" = ...` is a different column; `SET TENANT_ID` is not.
    assert!(scope_sql("UPDATE widgets SET TENANT_ID = 1", &opts, 1).is_err());
    assert!(scope_sql(r#"UPDATE widgets SET "Tenant_Id" = 1"#, &opts, 1).is_ok());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Small queries over tenant tables (`a`, `b`) and a shared one, with
    /// the aliases that must end up filtered.
    fn query() -> impl Strategy<Value = (String, Vec<&'static str>)> {
        let table = prop_oneof![Just("a"), Just("b"), Just("currencies")];
        let join = prop_oneof![
            Just("JOIN"),
            Just("LEFT JOIN"),
            Just("RIGHT JOIN"),
            Just("FULL JOIN")
        ];
        let filter = prop_oneof![
            Just(""),
            Just(" WHERE t1.x = $1 OR t1.y = $2"),
            Just(" WHERE t1.x IN (SELECT x FROM b)"),
            Just(" WHERE EXISTS (SELECT 1 FROM a WHERE a.x = t1.x)"),
        ];
        (table.clone(), join, table, filter, any::<bool>()).prop_map(|(t1, j, t2, f, union)| {
            let mut must = Vec::new();
            if t1 != "currencies" {
                must.push("t1.tenant_id = $3");
            }
            if t2 != "currencies" {
                must.push("t2.tenant_id = $3");
            }
            if f.contains("FROM b") {
                must.push("b.tenant_id = $3");
            }
            if f.contains("FROM a") || union {
                must.push("a.tenant_id = $3");
            }
            let base = format!("SELECT t1.x FROM {t1} t1 {j} {t2} t2 ON t1.x = t2.x{f}");
            let sql = if union {
                format!("{base} UNION SELECT x FROM a")
            } else {
                base
            };
            (sql, must)
        })
    }

    proptest! {
        /// Every tenant table of a generated query is filtered by its alias
        /// (whatever the join kind), the shared table never is, and the
        /// rewritten SQL parses.
        #[test]
        fn generated_queries_are_scoped((sql, must) in query()) {
            let opts = TenantOptions {
                exempt: vec!["currencies".into()],
                ..TenantOptions::default()
            };
            let scoped = scope_sql(&sql, &opts, 3).unwrap();
            prop_assert!(
                sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, &scoped).is_ok(),
                "{}", scoped
            );
            for predicate in must {
                prop_assert!(scoped.contains(predicate), "{} lacks {}", scoped, predicate);
            }
            prop_assert!(!scoped.contains("currencies.tenant_id"), "{}", scoped);
        }

        /// Whatever the input, the rewriter answers (scoped SQL or a
        /// refusal) and never panics inside the compiler.
        #[test]
        fn arbitrary_input_never_panics(s in "\\PC{0,100}") {
            let _ = scope_sql(&s, &TenantOptions::default(), 1);
        }
    }

    /// One character of a generated name, written in one of the ways that
    /// PostgreSQL or Unicode might consider the same letter.
    fn spelling(c: char, choice: u8) -> String {
        match (c, choice % 4) {
            (_, 0) => c.to_string(),
            (_, 1) => c.to_ascii_uppercase().to_string(),
            ('k', 2) => "\u{212A}".to_owned(), // KELVIN SIGN
            ('i', 2) => "\u{130}".to_owned(),  // LATIN CAPITAL I WITH DOT ABOVE
            ('s', 2) => "\u{17F}".to_owned(),  // LATIN SMALL LONG S
            ('e', 2) => "\u{c9}".to_owned(),   // É
            (_, _) => c.to_uppercase().collect(),
        }
    }

    /// PostgreSQL's resolution of a name, written independently of the
    /// code under test: unquoted names fold A-Z only; nothing else folds.
    fn postgres_name(written: &str, quoted: bool) -> String {
        let folded: String = if quoted {
            written.to_owned()
        } else {
            written
                .chars()
                .map(|c| {
                    if c.is_ascii_uppercase() {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }
                })
                .collect()
        };
        let mut end = folded.len().min(63);
        while !folded.is_char_boundary(end) {
            end -= 1;
        }
        folded[..end].to_owned()
    }

    fn written(base: &str, choices: &[u8]) -> String {
        base.chars()
            .zip(choices.iter().cycle())
            .map(|(c, k)| spelling(c, *k))
            .collect()
    }

    fn sql_name(name: &str, quoted: bool) -> String {
        if quoted {
            format!("\"{}\"", name.replace('"', "\"\""))
        } else {
            name.to_owned()
        }
    }

    proptest! {
        /// A table is exempt, and a name is a CTE, exactly when PostgreSQL
        /// would resolve the two names to the same one, whatever ASCII or
        /// Unicode case variants are used.
        #[test]
        fn names_compare_exactly_as_postgres(
            base in "t_[kisea-z]{1,8}",
            long in proptest::bool::ANY,
            entry_choices in proptest::collection::vec(0u8..4, 1..8),
            ref_choices in proptest::collection::vec(0u8..4, 1..8),
            entry_quoted in proptest::bool::ANY,
            ref_quoted in proptest::bool::ANY,
        ) {
            let base = if long { format!("{base}{}", "x".repeat(60)) } else { base };
            let entry = written(&base, &entry_choices);
            let reference = written(&base, &ref_choices);
            let same = postgres_name(&entry, entry_quoted) == postgres_name(&reference, ref_quoted);
            let entry_sql = sql_name(&entry, entry_quoted);
            let ref_sql = sql_name(&reference, ref_quoted);

            let opts = TenantOptions {
                exempt: vec![entry_sql.clone()],
                ..TenantOptions::default()
            };
            let sql = format!("SELECT x FROM {ref_sql} AS r");
            let scoped = scope_sql(&sql, &opts, 1).unwrap();
            prop_assert_eq!(!scoped.contains("r.tenant_id = $1"), same, "{} with exempt {}", scoped, entry_sql);

            let sql = format!("WITH {entry_sql} AS (SELECT 1 AS x) SELECT x FROM {ref_sql} AS r");
            let scoped = scope_sql(&sql, &TenantOptions::default(), 1).unwrap();
            prop_assert_eq!(!scoped.contains("r.tenant_id = $1"), same, "{}", scoped);
        }
    }
}

#[test]
fn tenant_table_function_allow_list_is_derived_from_the_function_table() {
    use crate::functions::BUILTIN_FUNCTIONS;
    for f in BUILTIN_FUNCTIONS {
        let listed = super::TABLE_FUNCTION_ALLOW_LIST.contains(&f.name);
        assert_eq!(
            listed,
            f.reads_no_table && f.set_returning && !f.syntax,
            "{}",
            f.name
        );
    }
    for name in [
        "generate_series",
        "unnest",
        "jsonb_each",
        "regexp_split_to_table",
    ] {
        assert!(super::TABLE_FUNCTION_ALLOW_LIST.contains(&name), "{name}");
    }
}

#[test]
fn tenant_trusted_functions() {
    let opts = TenantOptions {
        trusted_functions: vec!["slugify".into(), "util.score".into(), "\"Odd\"".into()],
        ..TenantOptions::default()
    };
    for sql in [
        "SELECT slugify(name) FROM widgets",
        "SELECT public.slugify(name) FROM widgets",
        "SELECT SLUGIFY(name) FROM widgets WHERE util.score(id) > 1",
        "SELECT \"Odd\"(name) FROM widgets",
        "SELECT * FROM slugify('x') AS s",
    ] {
        let scoped = scope_sql(sql, &opts, 1);
        assert!(scoped.is_ok(), "{sql}: {scoped:?}");
    }
    for (sql, needle) in [
        ("SELECT other.slugify(name) FROM widgets", "`other.slugify`"),
        ("SELECT score(id) FROM widgets", "`score`"),
        ("SELECT public.score(id) FROM widgets", "`public.score`"),
        ("SELECT odd(name) FROM widgets", "`odd`"),
        ("SELECT slugify(my_fn(name)) FROM widgets", "`my_fn`"),
    ] {
        let err = scope_sql(sql, &opts, 1).unwrap_err();
        assert!(err.message().contains(needle), "{sql}: {err}");
    }
    // Trust cannot override what is known about a built-in.
    let opts = TenantOptions {
        trusted_functions: vec!["set_config".into(), "query_to_xml".into()],
        ..TenantOptions::default()
    };
    for sql in [
        "SELECT set_config('a.b', 'c', false)",
        "SELECT query_to_xml('select 1', true, true, '')",
    ] {
        assert!(scope_sql(sql, &opts, 1).is_err(), "{sql}");
    }
}
