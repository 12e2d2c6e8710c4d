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
}
