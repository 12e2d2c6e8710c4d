use super::*;
use crate::diagnostic::snippet;

const PARSED: Mode = Mode::Parsed {
    escape_hatch: "secure_query_unparsed!",
};

/// Placeholder count of valid SQL, in both modes.
fn count(sql: &str) -> u32 {
    let parsed = analyze(sql, PARSED).unwrap_or_else(|e| panic!("{sql}: {e:#?}"));
    let unparsed = analyze(sql, Mode::Unparsed).unwrap_or_else(|e| panic!("{sql}: {e:#?}"));
    assert_eq!(parsed, unparsed, "{sql}");
    parsed.placeholders
}

/// The errors for `sql` in `mode`, joined.
fn errors(sql: &str, mode: Mode) -> String {
    match analyze(sql, mode) {
        Ok(info) => panic!("{sql} was accepted: {info:?}"),
        Err(e) => e
            .iter()
            .map(|d| d.render(sql))
            .collect::<Vec<_>>()
            .join("\n---\n"),
    }
}

/// Asserts both modes refuse `sql` with a message containing `needle`.
fn refused(sql: &str, needle: &str) {
    for mode in [PARSED, Mode::Unparsed] {
        let e = errors(sql, mode);
        assert!(e.contains(needle), "{sql} ({mode:?}): {e}");
    }
}

#[test]
fn counts() {
    for (sql, n) in [
        ("SELECT 1", 0),
        ("SELECT $1", 1),
        ("SELECT * FROM t WHERE a = $1 AND b = $2", 2),
        ("SELECT $2, $1", 2),
        ("SELECT $1, $1, $1", 1),
        ("SELECT $1::int, $2::text", 2),
        ("SELECT '$3', $1", 1),
        ("SELECT \"$3\", $1 FROM t", 1),
        ("SELECT $$ $3 $$, $1", 1),
        ("SELECT $q$ $3 $q$, $1", 1),
        ("SELECT E'\\' $3', $1", 1),
        ("SELECT 1 /* $3 /* nested */ $4 */ + $1 -- $5", 1),
        ("SELECT data ? 'key' FROM t WHERE id = $1", 1),
    ] {
        assert_eq!(count(sql), n, "{sql}");
    }
}

#[test]
fn trailing_semicolon_alone_is_allowed() {
    assert_eq!(count("SELECT $1;"), 1);
    assert_eq!(count("SELECT $1 ;  -- done\n"), 1);
    assert_eq!(count("SELECT $1; /* end */"), 1);
}

#[test]
fn stacked_statements() {
    refused("SELECT 1; DROP TABLE x", "more than one statement");
    refused("SELECT 1;;", "more than one statement");
    refused("SELECT $1; SELECT $2", "more than one statement");
    assert_eq!(
        errors("SELECT 1; DROP TABLE x", Mode::Unparsed),
        "the SQL contains more than one statement (stacked statements are refused): \
         more SQL follows the `;` at line 1, column 11\n  |\n1 | SELECT 1; DROP TABLE x\n  \
         |           ^\n= help: run each statement with its own query; only a single \
         trailing `;` is allowed"
    );
}

#[test]
fn semicolons_inside_quotes_are_not_stacking() {
    assert_eq!(count("SELECT ';' || \";\" FROM t"), 0);
    assert_eq!(count("SELECT $$;$$, $1"), 1);
}

#[test]
fn empty_sql() {
    refused("", "the SQL is empty");
    refused("  -- nothing\n", "the SQL is empty");
    refused(";", "the SQL is empty");
}

#[test]
fn gaps() {
    refused(
        "SELECT $1, $3",
        "placeholders must be numbered from $1 without gaps: placeholder $2 is \
         missing, but the SQL uses $3 at line 1, column 12",
    );
    refused("SELECT $4", "placeholders $1, $2, $3 are missing");
}

#[test]
fn dollar_zero() {
    refused(
        "SELECT $0",
        "`$0` is not a valid placeholder at line 1, column 8",
    );
    refused("SELECT $0", "= help: placeholders start at `$1`");
}

#[test]
fn huge_placeholder() {
    refused("SELECT $99999999999", "`$99999999999` is too large");
    refused("SELECT $70000", "`$70000` is too large");
}

#[test]
fn question_mark_placeholders() {
    refused(
        "SELECT * FROM t WHERE id = ?",
        "`?` is not a PostgreSQL placeholder at line 1, column 28",
    );
    refused(
        "INSERT INTO t VALUES (?, ?)",
        "`?` is not a PostgreSQL placeholder",
    );
    refused("SELECT ?", "`?` is not a PostgreSQL placeholder");
    refused(
        "SELECT * FROM t WHERE id=?",
        "`?` is not a PostgreSQL placeholder at line 1, column 26",
    );
    // A bound jsonb value followed by the key-exists operator is fine.
    assert_eq!(count("SELECT $1::jsonb ? 'k'"), 1);
    // Two found, two errors.
    assert_eq!(
        errors("SELECT * FROM t WHERE a = ? AND b = ?", PARSED)
            .matches("is not a PostgreSQL placeholder")
            .count(),
        2
    );
}

#[test]
fn question_mark_between_keywords_is_a_syntax_error_with_a_hint() {
    let e = errors("SELECT * FROM t LIMIT ? OFFSET 1", PARSED);
    assert!(e.contains("`?` is not a PostgreSQL placeholder"), "{e}");
}

#[test]
fn jsonb_question_operator_is_allowed() {
    assert_eq!(count("SELECT * FROM t WHERE data ? 'k' AND id = $1"), 1);
}

#[test]
fn syntax_error_message() {
    assert_eq!(
        errors("SELECT * FROM widgets WHERE id = = 1", PARSED),
        "SQL syntax error: Expected: an expression, found: = at line 1, column 34\n  \
         |\n1 | SELECT * FROM widgets WHERE id = = 1\n  |                                  \
         ^\n= help: check the SQL; if PostgreSQL accepts it but this parser does not, use \
         `secure_query_unparsed!` (still literal-only and placeholder-checked)"
    );
}

#[test]
fn syntax_error_at_end() {
    assert_eq!(
        errors("SELECT * FROM widgets WHERE  ", PARSED),
        "SQL syntax error: Expected: an expression, found: end of SQL at line 1, column 28\n  \
         |\n1 | SELECT * FROM widgets WHERE  \n  |                            ^\n= help: check \
         the SQL; if PostgreSQL accepts it but this parser does not, use \
         `secure_query_unparsed!` (still literal-only and placeholder-checked)"
    );
}

#[test]
fn syntax_error_on_a_later_line() {
    let e = errors("SELECT *\nFROM t\nWHERE id = = 1", PARSED);
    assert!(
        e.starts_with(
            "SQL syntax error: Expected: an expression, found: = at line 3, column 12\n  \
             |\n3 | WHERE id = = 1\n  |            ^\n"
        ),
        "{e}"
    );
}

#[test]
fn syntax_error_gutter_grows_with_line_number() {
    let sql = format!("{}SELECT * FROM WHERE", "\n".repeat(9));
    let e = errors(&sql, PARSED);
    assert!(e.contains("   |\n10 | SELECT * FROM WHERE\n   | "), "{e}");
}

#[test]
fn syntax_error_caret_keeps_tabs() {
    assert_eq!(
        snippet(
            "\tSELECT x y z",
            Position {
                line: 1,
                column: 12
            }
        ),
        "  |\n1 | \tSELECT x y z\n  | \t          ^\n"
    );
}

#[test]
fn unterminated_string_is_a_syntax_error_in_both_modes() {
    let expected_start = "SQL syntax error: unterminated string literal at line 1, column 8\n  \
                          |\n1 | SELECT 'abc\n  |        ^\n= help: ";
    for mode in [PARSED, Mode::Unparsed] {
        let e = errors("SELECT 'abc", mode);
        assert!(e.starts_with(expected_start), "{e}");
    }
    assert!(errors("SELECT 'abc", Mode::Unparsed)
        .ends_with("check the quoting and comments in the SQL"));
}

#[test]
fn unparsed_mode_skips_the_parser() {
    let sql = "SELECT * FROM widgets WHERE id = = $1";
    assert!(analyze(sql, PARSED).is_err());
    assert_eq!(
        analyze(sql, Mode::Unparsed),
        Ok(SqlInfo { placeholders: 1 })
    );
}

#[test]
fn named_dollar_placeholder_is_refused_when_parsed() {
    let e = errors("SELECT $abc", PARSED);
    assert!(e.contains("not $abc"), "{e}");
}

#[test]
fn several_problems_are_reported_together() {
    let e = errors("SELECT $0, $3; DROP TABLE t", Mode::Unparsed);
    assert!(e.contains("more than one statement"), "{e}");
    assert!(e.contains("`$0` is not a valid placeholder"), "{e}");
    assert!(e.contains("placeholders $1, $2 are missing"), "{e}");
}

#[test]
fn line_columns() {
    let at = |sql, offset| {
        let p = Position::of_offset(sql, offset);
        (p.line, p.column)
    };
    assert_eq!(at("abc", 0), (1, 1));
    assert_eq!(at("ab\ncd", 4), (2, 2));
    assert_eq!(at("é x", 3), (1, 3));
}

#[test]
fn diagnostics_are_typed() {
    let d = analyze("SELECT $1, $3", Mode::Unparsed).unwrap_err();
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].at,
        Some(Position {
            line: 1,
            column: 12
        })
    );
    assert_eq!(
        d[0].help.as_deref(),
        Some("renumber the placeholders so that each of $1..$2 is used")
    );
    let d = analyze("SELECT * FROM t WHERE id = = 1", PARSED).unwrap_err();
    assert_eq!(
        d[0].at,
        Some(Position {
            line: 1,
            column: 28
        })
    );
    assert!(!d[0].message.contains("Line:"), "{:?}", d[0]);
    let d = analyze("SELECT 'abc", PARSED).unwrap_err();
    assert_eq!(d[0].at, Some(Position { line: 1, column: 8 }));
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let sql = format!("SELECT {}1{}", "(".repeat(200), ")".repeat(200));
    let e = errors(&sql, PARSED);
    assert!(e.contains("nested too deeply"), "{e}");
}

#[test]
fn realistic_statements_parse() {
    for sql in [
        "INSERT INTO widgets (name, owner) VALUES ($1, $2) RETURNING id",
        "UPDATE widgets SET name = $1 WHERE id = $2",
        "DELETE FROM widgets WHERE id = $1",
        "WITH w AS (SELECT * FROM widgets WHERE owner = $1) SELECT count(*) FROM w",
        "SELECT id FROM widgets WHERE name ILIKE '%' || $1 || '%' ORDER BY id LIMIT $2",
        r#"SELECT "Name" FROM "Widgets" WHERE tags @> $1::text[]"#,
    ] {
        assert!(
            analyze(sql, PARSED).is_ok(),
            "{sql}: {:?}",
            analyze(sql, PARSED)
        );
    }
}

#[test]
fn copy_through_the_copy_sub_protocol_is_refused() {
    for sql in [
        "COPY t FROM STDIN",
        "copy t (a, b) from stdin with (format csv)",
        "COPY (SELECT 1) TO STDOUT",
        "COPY t TO stdout",
    ] {
        refused(sql, "which the query macros do not speak");
        refused(sql, "secure_copy_in!");
    }
    // Not the sub-protocol, and not COPY.
    for sql in [
        "SELECT 'COPY t FROM STDIN'",
        "SELECT stdin FROM copy_log",
        "COPY t FROM '/tmp/t.csv'",
    ] {
        for mode in [PARSED, Mode::Unparsed] {
            if let Err(e) = analyze(sql, mode) {
                let text: Vec<_> = e.iter().map(|d| d.render(sql)).collect();
                assert!(
                    !text.iter().any(|t| t.contains("COPY sub-protocol")),
                    "{sql}: {text:?}"
                );
            }
        }
    }
}

#[test]
fn reading_another_callers_sequence_state_is_refused() {
    for sql in [
        "SELECT lastval()",
        "SELECT currval('orders_id_seq')",
        "SELECT pg_catalog.currval ('s')",
        "SELECT LASTVAL() + $1",
    ] {
        refused(sql, "reads the session's sequence state");
        refused(sql, "INSERT ... RETURNING");
    }
    assert_eq!(count("SELECT 'lastval()', lastval_at FROM t"), 0);
    assert_eq!(count("INSERT INTO t (v) VALUES ($1) RETURNING id"), 1);
}
