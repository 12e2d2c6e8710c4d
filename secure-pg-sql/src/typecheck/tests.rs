//! Unit tests over the fixture schema (`fixture.sql`); the same schema and
//! many more queries are checked against a real server by the `PREPARE`
//! differential test in `tests/tests/it/schema.rs`.

use super::*;

fn catalog() -> Catalog {
    Catalog::from_sql("fixture.sql", include_str!("fixture.sql")).unwrap()
}

fn ok(sql: &str) -> Typed {
    check(sql, &catalog()).unwrap_or_else(|e| {
        panic!(
            "{sql}\n{}",
            e.iter()
                .map(|d| d.render(sql))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn params(sql: &str) -> Vec<String> {
    ok(sql).params.iter().map(|t| t.to_string()).collect()
}

/// `name type null|notnull` per column.
fn cols(sql: &str) -> Vec<String> {
    ok(sql)
        .columns
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c.name,
                c.ty,
                if c.nullable { "null" } else { "notnull" }
            )
        })
        .collect()
}

fn err(sql: &str) -> String {
    match check(sql, &catalog()) {
        Ok(t) => panic!("{sql} was accepted: {t:?}"),
        Err(e) => e
            .iter()
            .map(|d| d.render(sql))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[test]
fn columns_of_a_table_with_catalog_nullability() {
    assert_eq!(
        cols("SELECT id, label, price, qty, tags FROM widgets"),
        [
            "id integer notnull",
            "label character varying(40) null",
            "price numeric(10,2) notnull",
            // A domain column is described by its base type.
            "qty integer notnull",
            "tags text[] notnull"
        ]
    );
    assert_eq!(ok("SELECT * FROM owners").columns.len(), 5);
}

#[test]
fn outer_joins_make_the_nullable_side_nullable() {
    let sql = "SELECT o.id, w.id FROM owners o LEFT JOIN widgets w ON w.owner_id = o.id";
    assert_eq!(cols(sql), ["id bigint notnull", "id integer null"]);
    let t = ok(sql);
    assert_eq!(
        t.columns[1].why_nullable.as_deref(),
        Some("`w.id` is nullable: `w` is on the nullable side of the LEFT JOIN at 1:43")
    );
    assert_eq!(
        cols("SELECT o.id, w.id FROM widgets w RIGHT JOIN owners o ON w.owner_id = o.id"),
        ["id bigint notnull", "id integer null"]
    );
    assert_eq!(
        cols("SELECT o.id, w.id FROM widgets w FULL JOIN owners o ON w.owner_id = o.id"),
        ["id bigint null", "id integer null"]
    );
    // Through a derived table and a CTE, at any depth.
    assert_eq!(
        cols(
            "WITH x AS (SELECT w.id FROM owners o LEFT JOIN widgets w ON w.owner_id = o.id)
             SELECT d.id FROM (SELECT id FROM x) d"
        ),
        ["id integer null"]
    );
    // A view whose own left join makes a column nullable.
    assert_eq!(
        cols("SELECT id, name, label FROM part_widgets"),
        [
            "id bigint notnull",
            "name text notnull",
            "label character varying(40) null"
        ]
    );
}

#[test]
fn expressions() {
    assert_eq!(
        cols("SELECT count(*), coalesce(label, 'x'), price * 2, id + 1, lower(label) FROM widgets"),
        [
            "count bigint notnull",
            "coalesce character varying notnull",
            "?column? numeric notnull",
            "?column? integer notnull",
            "lower text null"
        ]
    );
    assert_eq!(
        cols("SELECT sum(price), max(label), EXISTS (SELECT 1 FROM parts) FROM widgets"),
        [
            "sum numeric null",
            "max text null",
            "exists boolean notnull"
        ]
    );
    // With GROUP BY every group has a row.
    assert_eq!(
        cols("SELECT owner_id, sum(price) AS total FROM widgets GROUP BY owner_id"),
        ["owner_id bigint notnull", "total numeric notnull"]
    );
    assert_eq!(
        cols("SELECT CASE WHEN flag THEN 1 END AS a, CASE WHEN flag THEN 1 ELSE 2 END AS b FROM widgets"),
        ["a integer null", "b integer notnull"]
    );
    assert_eq!(
        cols("SELECT 'x', NULL, 1.5, 3000000000"),
        [
            "?column? text notnull",
            "?column? text null",
            "?column? numeric notnull",
            "?column? bigint notnull"
        ]
    );
}

#[test]
fn parameters_from_their_context() {
    assert_eq!(
        params("SELECT id FROM widgets WHERE owner_id = $1 AND label LIKE $2 AND price > $3"),
        ["bigint", "text", "numeric"]
    );
    assert_eq!(
        params("SELECT id FROM widgets WHERE id = ANY($1) AND qty IN ($2, $3) AND day BETWEEN $4 AND $5"),
        ["integer[]", "integer", "integer", "date", "date"]
    );
    assert_eq!(
        params("SELECT id FROM widgets ORDER BY id LIMIT $1 OFFSET $2"),
        ["bigint", "bigint"]
    );
    assert_eq!(
        params("SELECT $1::bigint, CAST($2 AS text)"),
        ["bigint", "text"]
    );
    assert_eq!(
        params("INSERT INTO widgets (owner_id, label, qty, feeling) VALUES ($1, $2, $3, $4)"),
        ["bigint", "character varying", "posint", "mood"]
    );
    assert_eq!(
        params("UPDATE widgets SET label = $1, price = price + $2 WHERE id = $3"),
        ["character varying", "numeric", "integer"]
    );
    assert_eq!(
        params(
            "INSERT INTO owners (name, tenant_id) VALUES ($1, $2)
             ON CONFLICT (tenant_id, name) DO UPDATE SET handle = $3"
        ),
        ["text", "bigint", "character varying"]
    );
    assert_eq!(params("SELECT lower($1)"), ["text"]);
}

#[test]
fn writes_and_returning() {
    assert_eq!(
        cols("INSERT INTO owners (name) VALUES ('a') RETURNING id, handle"),
        ["id bigint notnull", "handle character varying(50) null"]
    );
    assert_eq!(
        cols("DELETE FROM parts WHERE id = 1 RETURNING widget_id"),
        ["widget_id integer null"]
    );
    let e = err("INSERT INTO notes (body) VALUES ('x')");
    assert!(
        e.contains("leaves out `score`, which is NOT NULL and has no default"),
        "{e}"
    );
    let e = err("INSERT INTO widgets (owner_id, doubled) VALUES (1, 2)");
    assert!(
        e.contains("`doubled` of `widgets` is GENERATED ALWAYS"),
        "{e}"
    );
    let e = err("INSERT INTO widgets (owner_id, seq) VALUES (1, 2)");
    assert!(e.contains("GENERATED ALWAYS AS IDENTITY"), "{e}");
    ok("INSERT INTO widgets (owner_id, seq) OVERRIDING SYSTEM VALUE VALUES (1, 2)");
    let e = err("INSERT INTO owners (name) VALUES ('a') ON CONFLICT (name) DO NOTHING");
    assert!(e.contains("matches no primary key"), "{e}");
    assert!(e.contains("(id), (tenant_id, name)"), "{e}");
    ok("INSERT INTO owners (name) VALUES ('a') ON CONFLICT (name, tenant_id) DO NOTHING");
    let e = err("INSERT INTO events (kind) VALUES ('angry')");
    assert!(e.contains("'angry' is not a label of enum `mood`"), "{e}");
    let e = err("SELECT id FROM events WHERE kind = 'hapy'");
    assert!(e.contains("did you mean 'happy'?"), "{e}");
}

#[test]
fn names() {
    let e = err("SELECT id FROM widgts");
    assert!(
        e.contains("table `widgts` does not exist") && e.contains("did you mean `widgets`?"),
        "{e}"
    );
    let e = err("SELECT lable FROM widgets w");
    assert!(
        e.contains("column `lable` does not exist") && e.contains("did you mean `label`?"),
        "{e}"
    );
    assert!(e.contains("the tables in scope are `w (widgets)`"), "{e}");
    let e = err("SELECT w.lable FROM widgets w");
    assert!(e.contains("did you mean `w.label`?"), "{e}");
    let e = err("SELECT id FROM widgets w JOIN owners o ON o.id = w.owner_id");
    assert!(
        e.contains("column reference `id` is ambiguous") && e.contains("`w.id` or `o.id`"),
        "{e}"
    );
    let e = err("SELECT x.id FROM widgets w");
    assert!(e.contains("missing FROM-clause entry for table `x`"), "{e}");
    // Quoted names are not folded.
    let e = err("SELECT \"ID\" FROM widgets");
    assert!(e.contains("column `\"ID\"` does not exist"), "{e}");
    ok("SELECT \"id\", ID FROM widgets");
    // Errors come in PostgreSQL's order, each of them: the select list
    // before WHERE.
    let e = err("SELECT nmae FROM widgets WHERE lable = 1");
    let (select, filter) = (e.find("`nmae`").unwrap(), e.find("`lable`").unwrap());
    assert!(select < filter, "{e}");
}

#[test]
fn other_statements_pass_untyped_without_parameters() {
    let t = ok("SET statement_timeout = 1000");
    assert!(!t.typed && t.params.is_empty() && t.columns.is_empty());
    assert!(ok("SELECT 1").typed);
}

#[test]
fn never_guesses() {
    let e = err("SELECT $1");
    assert!(
        e.contains("cannot infer the type of `$1`") && e.contains("`$1::bigint`"),
        "{e}"
    );
    let e = err("SELECT id FROM widgets WHERE $1 IS NULL");
    assert!(e.contains("cannot infer the type of `$1`"), "{e}");
    // `timestamp + $n` is an interval (the only `+` there is); `date + $n`
    // is not decided (an integer, an interval or a time).
    assert_eq!(params("SELECT made_at + $1 FROM widgets"), ["interval"]);
    let e = err("SELECT day + $1 FROM widgets");
    assert!(e.contains("write `$1::interval`"), "{e}");
    let e = err("SELECT my_func(id) FROM widgets");
    assert!(
        e.contains("does not know the result type of `my_func(...)`"),
        "{e}"
    );
    // A cast states the type of what the checker cannot type.
    assert_eq!(
        cols("SELECT my_func(id)::text AS f FROM widgets"),
        ["f text null"]
    );
    // Parameters inside an untyped call still need their own type.
    let e = err("SELECT my_func($1)::text");
    assert!(e.contains("cannot infer the type of `$1`"), "{e}");
}

/// A literal, `NULL` or parameter in one branch of a set operation takes
/// the other branch's type (`text` when no branch has one), as the server's
/// `select_common_type` gives it; a nested set operation's columns are
/// already typed, and a literal that is no value of the type is refused.
#[test]
fn untyped_set_operation_columns_take_the_other_branch_type() {
    assert_eq!(
        cols("SELECT flag FROM widgets UNION ALL SELECT NULL AS flag"),
        ["flag boolean null"]
    );
    assert_eq!(
        cols("SELECT NULL AS x, id FROM owners UNION SELECT id, NULL FROM widgets"),
        ["x integer null", "id bigint null"]
    );
    assert_eq!(
        cols("SELECT 'a' UNION SELECT label FROM widgets"),
        ["?column? character varying null"]
    );
    assert_eq!(
        cols("SELECT NULL UNION SELECT NULL"),
        ["?column? text null"]
    );
    assert_eq!(params("SELECT $1 UNION SELECT $2"), ["text", "text"]);
    assert_eq!(params("SELECT $1 EXCEPT SELECT id FROM owners"), ["bigint"]);
    assert_eq!(
        params("INSERT INTO parts (name) SELECT $1 UNION SELECT $2"),
        ["text", "text"]
    );
    let e = err("SELECT 'a' UNION SELECT id FROM widgets");
    assert!(e.contains("is not a valid `integer`"), "{e}");
    let e = err("SELECT NULL UNION SELECT NULL UNION SELECT 1");
    assert!(e.contains("different types"), "{e}");
    // A literal of a type whose strings the checker does not validate
    // (the server refuses `'x'` as a `text[]`) is refused.
    for sql in [
        "SELECT tags FROM widgets UNION SELECT 'x'",
        "SELECT day FROM widgets UNION ALL SELECT '2024-01-01'",
    ] {
        let e = err(sql);
        assert!(e.contains("does not check a string literal"), "{sql}: {e}");
    }
    assert_eq!(
        cols("SELECT feeling FROM widgets UNION SELECT 'sad'"),
        ["feeling mood null"]
    );
    let e = err("SELECT feeling FROM widgets UNION SELECT 'glum'");
    assert!(e.contains("glum"), "{e}");
}

/// The jsonb key and path operators: `?`, `?|`, `?&` and `#-`, with the
/// right side's parameter typed and a literal path taken only when it is
/// certain to be a `text[]`.
#[test]
fn jsonb_key_and_path_operators() {
    assert_eq!(
        cols("SELECT doc #- '{a,0}' AS d, doc ? 'k' AS k FROM widgets"),
        ["d jsonb null", "k boolean null"]
    );
    assert_eq!(
        cols("SELECT payload #- '{}' AS d FROM events"),
        ["d jsonb notnull"]
    );
    assert_eq!(
        params("SELECT id FROM events WHERE payload ?| $1 AND payload ?& $2 AND payload ? $3"),
        ["text[]", "text[]", "text"]
    );
    assert_eq!(
        params("UPDATE events SET payload = payload #- $1 WHERE id = $2"),
        ["text[]", "bigint"]
    );
    // `jsonb` is written to a `json` column (and back) by an assignment cast.
    assert_eq!(
        params("UPDATE events SET payload = $1::json, at = now() WHERE id = $2"),
        ["json", "bigint"]
    );
    let e = err("SELECT payload #- '{\"a\"}' FROM events");
    assert!(e.contains("expects a `text[]`"), "{e}");
    let e = err("SELECT label #- '{a}' FROM widgets");
    assert!(e.contains("only on jsonb"), "{e}");
    assert_eq!(
        cols("SELECT payload ?| tags AS t FROM events, widgets"),
        ["t boolean notnull"]
    );
}

/// Array `||` (with an array or an element on the other side), `&&` on
/// arrays and ranges, and `jsonb - key`.
#[test]
fn array_concat_overlap_and_jsonb_minus() {
    assert_eq!(
        cols("SELECT ARRAY[id] || small AS c, tags || label AS f, label || tags AS g, tags || tags AS h FROM widgets"),
        [
            "c integer[] notnull",
            "f text[] notnull",
            "g character varying[] notnull",
            "h text[] notnull"
        ]
    );
    assert_eq!(params("SELECT tags || $1 AS a FROM widgets"), ["text[]"]);
    assert_eq!(params("SELECT $1 || tags AS a FROM widgets"), ["text[]"]);
    assert_eq!(
        cols("SELECT tags && '{a}' AS t, tags && $1 AS p FROM widgets"),
        ["t boolean notnull", "p boolean null"]
    );
    assert_eq!(params("SELECT '[1,2)'::int4range && $1"), ["int4range"]);
    assert_eq!(
        cols("SELECT payload - 'a' AS a, payload - 1 AS c, doc - tags AS d, doc - label AS e FROM events, widgets"),
        ["a jsonb notnull", "c jsonb notnull", "d jsonb null", "e jsonb null"]
    );
    assert_eq!(params("SELECT payload - $1 FROM events"), ["text"]);
    for (sql, needle) in [
        ("SELECT id || tags FROM widgets", "knows no `||`"),
        (
            "SELECT tags || 'x' FROM widgets",
            "untyped value next to an array",
        ),
        ("SELECT tags && 'x' FROM widgets", "array literal"),
        ("SELECT ARRAY[id] && '{a}' FROM widgets", "array literal"),
        (
            "SELECT id && small FROM widgets",
            "only on arrays and ranges",
        ),
        (
            "SELECT '[1,2)'::int4range && 'x'",
            "does not check range literals",
        ),
        ("SELECT payload - id FROM events", "`jsonb - x`"),
    ] {
        let e = err(sql);
        assert!(e.contains(needle), "{sql}: {e}");
    }
}

/// `json[b]_to_record[set]` in `FROM` takes its columns from the column
/// definition list, which it requires; each column can be `NULL`.
#[test]
fn json_to_record_with_a_column_definition_list() {
    let t = ok("SELECT * FROM jsonb_to_recordset($1) AS x(a int, b text)");
    assert_eq!(t.params, [SqlType::builtin("jsonb")]);
    assert_eq!(
        cols("SELECT * FROM jsonb_to_recordset($1) AS x(a int, b text)"),
        ["a integer null", "b text null"]
    );
    assert_eq!(
        cols("SELECT x.a, r.n FROM widgets w, jsonb_to_record(w.doc) AS x(a bigint, \"B\" varchar(3)), json_to_recordset('[]') r(n numeric)"),
        ["a bigint null", "n numeric null"]
    );
    assert_eq!(
        params("SELECT x.m FROM jsonb_to_record($1) AS x(m mood) WHERE x.m = $2"),
        ["jsonb", "mood"]
    );
    for (sql, needle) in [
        (
            "SELECT * FROM jsonb_to_recordset($1) AS x",
            "needs a column definition list",
        ),
        (
            "SELECT * FROM jsonb_to_recordset($1) AS x(a)",
            "needs a column definition list",
        ),
        (
            "SELECT * FROM jsonb_to_recordset($1) WITH ORDINALITY AS x(a int)",
            "cannot be used with a column definition list",
        ),
        (
            "SELECT * FROM jsonb_to_record($1) AS x(a nosuchtype)",
            "nosuchtype",
        ),
    ] {
        let e = err(sql);
        assert!(e.contains(needle), "{sql}: {e}");
    }
}

/// `regexp_matches`, `regexp_split_to_table` and `generate_subscripts` as
/// a whole select-list item and in `FROM`.
#[test]
fn regexp_and_subscript_set_functions() {
    assert_eq!(
        params("SELECT regexp_matches(label, $1) AS m, regexp_split_to_table(name, $2, $3) FROM widgets, owners"),
        ["text", "text", "text"]
    );
    assert_eq!(
        cols("SELECT regexp_matches(label, 'a') AS m, regexp_split_to_table(name, ',') FROM widgets, owners"),
        ["m text[] null", "regexp_split_to_table text notnull"]
    );
    assert_eq!(
        cols("SELECT m, s, i FROM widgets w, regexp_matches(w.label, $1, $2) AS m, regexp_split_to_table($3, $4) s, generate_subscripts(w.tags, 1) AS i"),
        ["m text[] null", "s text null", "i integer notnull"]
    );
    assert_eq!(
        params("SELECT generate_subscripts(tags, $1, $2) FROM widgets"),
        ["integer", "boolean"]
    );
    assert_eq!(
        cols("SELECT * FROM regexp_matches($1, $2) WITH ORDINALITY"),
        ["regexp_matches text[] null", "ordinality bigint notnull"]
    );
    for (sql, needle) in [
        (
            "SELECT * FROM generate_subscripts($1, 1)",
            "of an array of a known type",
        ),
        (
            "SELECT * FROM regexp_matches('a')",
            "takes two or three arguments",
        ),
        (
            "SELECT generate_subscripts(tags, id::bigint) FROM widgets",
            "expects `integer`",
        ),
        (
            "SELECT id FROM widgets WHERE regexp_matches(label, 'a') IS NULL",
            "regexp_matches",
        ),
    ] {
        let e = err(sql);
        assert!(e.contains(needle), "{sql}: {e}");
    }
}

/// `@>` and `<@` of a range and an element of exactly its subtype; a
/// literal next to a range, or a malformed one next to an array, is refused
/// (the server would refuse the statement).
#[test]
fn range_containment_and_container_literals() {
    assert_eq!(
        cols("SELECT '[1,2)'::int4range @> 1 AS a, 1 <@ '[1,2)'::int4range AS b, '[2024-01-01,2024-02-01)'::tstzrange @> made_at AS c FROM widgets"),
        ["a boolean notnull", "b boolean notnull", "c boolean notnull"]
    );
    assert_eq!(params("SELECT '[1,2)'::int4range @> $1"), ["int4range"]);
    assert_eq!(params("SELECT $1 <@ '[1,2)'::int4range"), ["int4range"]);
    assert_eq!(
        cols("SELECT tags @> '{a}' AS t FROM widgets"),
        ["t boolean notnull"]
    );
    for (sql, needle) in [
        (
            "SELECT '[1,2)'::int8range @> 1",
            "knows no `@>` of `int8range` and `integer`",
        ),
        (
            "SELECT '[1,2)'::int4range @> '1'",
            "does not check range literals",
        ),
        ("SELECT tags @> 'x' FROM widgets", "array literal"),
        ("SELECT ARRAY[id] <@ '{a}' FROM widgets", "array literal"),
    ] {
        let e = err(sql);
        assert!(e.contains(needle), "{sql}: {e}");
    }
}

#[test]
fn set_operations_and_subqueries() {
    assert_eq!(
        cols("SELECT id::bigint AS id FROM widgets UNION ALL SELECT id FROM owners"),
        ["id bigint notnull"]
    );
    assert_eq!(
        cols("SELECT (SELECT max(id) FROM widgets) AS m, (SELECT count(*) FROM parts) AS c"),
        ["m integer null", "c bigint notnull"]
    );
    assert_eq!(
        params("SELECT id FROM owners o WHERE EXISTS (SELECT 1 FROM widgets w WHERE w.owner_id = o.id AND w.label = $1)"),
        ["text"]
    );
}

#[test]
fn parameters_are_declared_by_oid_or_left_for_the_server_to_infer() {
    let c = catalog();
    let wires = |sql: &str| {
        ok(sql)
            .params
            .iter()
            .map(|t| wire(t, &c))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        wires("SELECT id FROM widgets WHERE id = $1 AND label = $2 AND qty = ANY($3)"),
        [
            Some(Wire::Declared(23)),
            Some(Wire::Declared(25)),
            Some(Wire::Declared(1007))
        ]
    );
    // An enum: unspecified, sent as text; an array of enums: unspecified,
    // sent as a `text[]` (in the text format, see the runtime's codec).
    assert_eq!(
        wires("SELECT id FROM widgets WHERE feeling = $1"),
        [Some(Wire::Inferred(25))]
    );
    assert_eq!(
        wires("SELECT id FROM widgets WHERE feeling = ANY($1)"),
        [Some(Wire::Inferred(1009))]
    );
    // A domain: unspecified, sent as its base type.
    assert_eq!(
        wires("INSERT INTO notes (id, body, score) VALUES ($1, $2, $3)"),
        [
            Some(Wire::Declared(23)),
            Some(Wire::Declared(25)),
            Some(Wire::Inferred(23))
        ]
    );
}

#[test]
fn functions_in_from_that_cannot_be_typed_are_refused_with_a_cast() {
    let c = catalog();
    for (sql, help) in [
        ("SELECT * FROM unnest($1)", "`$1::text[]`"),
        ("SELECT * FROM generate_series($1, $2)", "`$1::integer`"),
        (
            "SELECT * FROM generate_series(1.5::float8, 3)",
            "`(...)::numeric`",
        ),
        (
            "SELECT * FROM pg_ls_dir($1::text)",
            "`secure_query_unparsed!`",
        ),
        ("SELECT pg_sleep('x'::text)", "`(...)::double precision`"),
    ] {
        let e = check(sql, &c).expect_err(sql);
        let text = e
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("; ");
        assert!(text.contains(help), "{sql}: {text}");
    }
}

#[test]
fn recursive_ctes_take_the_non_recursive_types_and_both_terms_nullability() {
    assert_eq!(
        cols("WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r"),
        ["n integer notnull"]
    );
    // The recursive term reads a nullable column: the CTE's column is.
    let t = ok(
        "WITH RECURSIVE t (id, label) AS (SELECT id, 'x'::varchar(40) FROM widgets \
                UNION ALL SELECT w.id, w.label FROM t JOIN widgets w ON w.id = t.id + 1) \
                SELECT id, label FROM t",
    );
    assert!(!t.columns[0].nullable && t.columns[1].nullable);
    assert!(
        t.columns[1]
            .why_nullable
            .as_deref()
            .unwrap_or("")
            .contains("recursive term"),
        "{:?}",
        t.columns[1].why_nullable
    );
    // A column whose type the recursive term changes is PostgreSQL's error
    // too; the checker says which cast to write.
    let e = check(
        "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1.5 FROM r WHERE n < 3) SELECT n FROM r",
        &catalog(),
    )
    .unwrap_err();
    assert!(e[0].to_string().contains("`(...)::numeric`"), "{}", e[0]);
}

#[test]
fn every_error_in_the_select_list_and_where_is_reported_at_once() {
    let c = catalog();
    let sql = "SELECT lable, id, nme FROM widgets WHERE flg AND qty = 'x'";
    let e = check(sql, &c).unwrap_err();
    let text: Vec<String> = e.iter().map(|d| d.render(sql)).collect();
    assert_eq!(e.len(), 3, "{text:#?}");
    let e2 = check(
        "SELECT id FROM widgets WHERE qty = 'many' OR flag = 'maybe'",
        &c,
    )
    .unwrap_err();
    assert!(
        e2[0]
            .to_string()
            .contains("'many' is not a valid `integer`"),
        "{e2:?}"
    );
    assert!(text[0].contains("`lable`") && text[0].contains("did you mean `label`"));
    assert!(text[1].contains("`nme`"));
    assert!(text[2].contains("`flg`") && text[2].contains("did you mean `flag`"));
    // Inside an expression's subquery a cast may still override a
    // "cannot type" error, so nothing is collected there.
    assert!(check("SELECT (SELECT tags[1] FROM widgets LIMIT 1)::text", &c).is_ok());
    // A recursive CTE is typed more than once; its error is reported once.
    let e = check(
        "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT nn + 1 FROM r) SELECT n FROM r",
        &c,
    )
    .unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
}

#[test]
fn insert_select_items_take_the_target_types_and_full_join_using_is_nullable_per_side() {
    assert_eq!(
        params("INSERT INTO parts (widget_id, name) SELECT $1, $2 FROM widgets WHERE id = $3"),
        ["integer", "text", "integer"]
    );
    // Not inside a subquery of the select: there `$1` has no target.
    let e = err("INSERT INTO parts (widget_id, name) SELECT (SELECT $1), 'p'");
    assert!(e.contains("cannot infer the type of `$1`"), "{e}");
    // `FULL JOIN ... USING (c)` is `coalesce(l.c, r.c)`: NULL on a row of
    // one side whose `c` is NULL.
    assert_eq!(
        cols("SELECT owner_id FROM widgets FULL JOIN (SELECT owner_id FROM events) e USING (owner_id)"),
        ["owner_id bigint null"]
    );
    assert_eq!(
        cols("SELECT id FROM widgets w FULL JOIN owners o USING (id)"),
        ["id bigint notnull"]
    );
}

#[test]
fn unnest_in_from_with_several_arrays_ordinality_and_column_aliases() {
    assert_eq!(
        cols("SELECT * FROM UNNEST($1::text[], $2::int[]) AS u(name, prio)"),
        ["name text null", "prio integer null"]
    );
    assert_eq!(
        cols("SELECT u.* FROM UNNEST($1::text[], $2::bigint[]) AS u"),
        ["unnest text null", "unnest bigint null"]
    );
    assert_eq!(
        cols("SELECT * FROM unnest($1::text[]) WITH ORDINALITY AS t(x, n)"),
        ["x text null", "n bigint notnull"]
    );
    assert_eq!(
        cols("SELECT t.* FROM unnest($1::bigint[]) WITH ORDINALITY AS t"),
        ["t bigint null", "ordinality bigint notnull"]
    );
    assert_eq!(
        cols("SELECT * FROM generate_series(1, 3) WITH ORDINALITY AS g(v, i)"),
        ["v integer notnull", "i bigint notnull"]
    );
    assert_eq!(
        params("INSERT INTO parts (widget_id, name, weight) SELECT $1, * FROM UNNEST($2::text[], $3::numeric[])"),
        ["integer", "text[]", "numeric[]"]
    );
    assert_eq!(
        params("UPDATE widgets SET label = u.l FROM UNNEST($1::int[], $2::text[]) AS u(i, l) WHERE widgets.id = u.i AND widgets.owner_id = $3"),
        ["integer[]", "text[]", "bigint"]
    );
    let e = err("SELECT * FROM UNNEST($1::text[], $2::int[]) AS u(a, b, c, d)");
    assert!(e.contains("has 2 columns available but 4 are named"), "{e}");
    let e = err("SELECT * FROM UNNEST($1, $2::int[])");
    assert!(e.contains("`$1::text[]`"), "{e}");
}

#[test]
fn named_arguments_bind_like_postgresql() {
    assert_eq!(
        params("SELECT id FROM widgets WHERE made_at < now() - make_interval(secs => $1)"),
        ["double precision"]
    );
    assert_eq!(
        cols("SELECT make_interval(days => $1, hours => 2) AS i, make_interval(1, 2) AS j"),
        ["i interval null", "j interval notnull"]
    );
    let e = err("SELECT make_interval(seconds => 1)");
    assert!(
        e.contains("no parameter named `seconds`") && e.contains("`secs`"),
        "{e}"
    );
    let e = err("SELECT make_interval(1, years => 2)");
    assert!(e.contains("given twice"), "{e}");
}

#[test]
fn update_types_where_before_set_as_postgresql_does() {
    assert_eq!(
        params("UPDATE owners SET handle = $1 WHERE $1 LIKE 'a%' AND id = $2"),
        ["text", "bigint"]
    );
    assert_eq!(
        params("UPDATE owners SET handle = $1 WHERE id = $2"),
        ["character varying", "bigint"]
    );
}

#[test]
fn checks_the_server_makes() {
    let e = err("SELECT id FROM owners WHERE id = true");
    assert!(
        e.contains("no operator that compares `bigint` with `boolean`"),
        "{e}"
    );
    let e = err("SELECT id FROM widgets WHERE uid = label");
    assert!(
        e.contains("compares `uuid` with `character varying`"),
        "{e}"
    );
    ok("SELECT id FROM widgets WHERE price = id AND made_at > day AND code = label");
    let e = err("UPDATE widgets SET qty = flag WHERE id = 1");
    assert!(
        e.contains("a `boolean` value is written to column `qty`"),
        "{e}"
    );
    let e = err("INSERT INTO events (kind, owner_id) SELECT body, id FROM notes");
    assert!(!e.is_empty());
    ok("UPDATE widgets SET price = id, label = made_at, local_at = day WHERE id = 1");
    let e =
        err("INSERT INTO owners (id, name) VALUES ($1, $2) ON CONFLICT DO UPDATE SET name = 'x'");
    assert!(
        e.contains("ON CONFLICT DO UPDATE needs a conflict target"),
        "{e}"
    );
    ok("INSERT INTO owners (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING");
    let e = err("SELECT id FROM widgets WHERE doc::json = $1");
    assert!(e.contains("`json` has no comparison operators"), "{e}");
    assert_eq!(
        params("SELECT id FROM widgets WHERE '10.0.0.0/8'::cidr = $1"),
        ["inet"]
    );
    let e = err("SELECT nowhere.f(id)::text FROM widgets");
    assert!(e.contains("schema `nowhere` does not exist"), "{e}");
}

#[test]
fn system_catalogs_and_sequences_read_as_relations() {
    assert_eq!(
        cols("SELECT relname, relkind FROM pg_class JOIN pg_namespace ON pg_class.relnamespace = pg_namespace.oid WHERE pg_namespace.nspname = $1"),
        ["relname name notnull", "relkind \"char\" notnull"]
    );
    assert_eq!(
        params("SELECT relname FROM pg_class JOIN pg_namespace ON pg_class.relnamespace = pg_namespace.oid WHERE nspname = $1"),
        ["name"]
    );
    assert_eq!(
        cols("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public'"),
        ["table_name name null", "table_type character varying null"]
    );
    assert_eq!(
        cols("SELECT last_value, is_called FROM owners_id_seq"),
        ["last_value bigint notnull", "is_called boolean notnull"]
    );
    // `pg_tables` is listed with all its columns, so `*` reads it.
    assert_eq!(
        cols("SELECT * FROM pg_tables WHERE tablename = $1 LIMIT 1"),
        [
            "schemaname name null",
            "tablename name null",
            "tableowner name null",
            "tablespace name null",
            "hasindexes boolean null",
            "hasrules boolean null",
            "hastriggers boolean null",
            "rowsecurity boolean null"
        ]
    );
    let e = err("SELECT * FROM pg_class");
    assert!(e.contains("cannot expand `*`"), "{e}");
    let e = err("SELECT c.relacl FROM pg_class c");
    assert!(e.contains("does not know column `relacl`"), "{e}");
    let e = err("SELECT relacl FROM pg_class");
    assert!(e.contains("qualify the column"), "{e}");
    let e = err("SELECT relacl::text FROM pg_class");
    assert!(e.contains("qualify the column"), "{e}");
    let e = err("SELECT x.a FROM pg_class AS x(a)");
    assert!(e.contains("cannot rename them by position"), "{e}");
    ok("SELECT a.attname FROM pg_attribute a WHERE a.attrelid = 'widgets'::regclass AND a.attnum > 0");
}

#[test]
fn set_returning_functions_in_the_select_list() {
    assert_eq!(cols("SELECT unnest($1::bigint[])"), ["unnest bigint null"]);
    assert_eq!(
        cols("SELECT id, unnest(tags) AS tag, generate_series(1, 2) AS g FROM widgets"),
        ["id integer notnull", "tag text null", "g integer notnull"]
    );
    // Only as a whole select item: inside an expression it is a function
    // the checker does not type.
    let e = err("SELECT coalesce(unnest($1::bigint[]), 0)");
    assert!(e.contains("unnest"), "{e}");
}

/// The `$k::type` fragments a help text suggests, in order.
fn suggested_casts(help: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for (i, fragment) in help.split('`').enumerate() {
        if i % 2 == 0 {
            continue;
        }
        // `$1::type`, alone or inside a call (`abs($1::numeric)`).
        for (j, _) in fragment.match_indices('$') {
            let rest = &fragment[j + 1..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let (Ok(n), Some(ty)) = (digits.parse(), rest[digits.len()..].strip_prefix("::")) {
                let ty: String = ty
                    .chars()
                    .take_while(|c| !matches!(c, ')' | ',' | ' '))
                    .collect();
                out.push((n, ty));
            }
        }
    }
    out
}

/// `sql` with the first `$n` that has no cast yet cast to `ty`.
fn apply_cast(sql: &str, n: u32, ty: &str) -> Option<String> {
    let needle = format!("${n}");
    let mut from = 0;
    while let Some(i) = sql[from..].find(&needle).map(|i| i + from) {
        let end = i + needle.len();
        let next = sql[end..].chars().next();
        if !next.is_some_and(|c| c.is_ascii_digit()) && !sql[end..].starts_with("::") {
            return Some(format!("{}{needle}::{ty}{}", &sql[..i], &sql[end..]));
        }
        from = end;
    }
    None
}

/// Every hint that suggests a cast of a parameter can be followed: pasted
/// where it says, the SQL parses and the checker never asks about that
/// parameter's type again (the issue's trap: after `$1::bigint[]` was
/// written as told, "write e.g. `$1::bigint`").
#[test]
fn every_suggested_parameter_cast_can_be_followed() {
    let c = catalog();
    let refused = [
        "SELECT $1",
        "SELECT * FROM unnest($1)",
        "SELECT unnest($1)",
        "SELECT * FROM UNNEST($1, $2)",
        "SELECT * FROM generate_series($1, $2)",
        "SELECT id FROM widgets WHERE $1 IS NULL",
        "SELECT nullif($1, 1)",
        "SELECT abs($1)",
        "SELECT date_trunc('day', $1)",
        "SELECT $1 + $2",
        "SELECT coalesce($1, $2)",
        "SELECT array_length($1, 1)",
        "SELECT id FROM widgets WHERE made_at > $1 - $2",
        "SELECT x FROM (SELECT $1 AS x) s",
        "SELECT * FROM (VALUES ($1), ($2)) v",
    ];
    let (mut followed, mut typed) = (0, 0);
    for sql in refused {
        let mut current = sql.to_string();
        let mut cast: Vec<u32> = Vec::new();
        for _ in 0..6 {
            let Err(diags) = check(&current, &c) else {
                break;
            };
            for d in &diags {
                if let Some(n) = cast
                    .iter()
                    .find(|n| d.message.contains(&format!("type of `${n}`")))
                {
                    panic!("{sql}: after the suggested cast of `${n}` ({current}): {d}");
                }
            }
            let Some((n, ty)) = diags
                .iter()
                .filter_map(|d| d.help.as_deref())
                .flat_map(suggested_casts)
                .find(|(n, _)| !cast.contains(n))
            else {
                break;
            };
            current = apply_cast(&current, n, &ty)
                .unwrap_or_else(|| panic!("{sql}: `${n}` to cast is not in {current}"));
            cast.push(n);
            followed += 1;
            assert!(
                !check(&current, &c)
                    .err()
                    .unwrap_or_default()
                    .iter()
                    .any(|d| d.message.contains("does not parse")),
                "{sql}: the suggested `${n}::{ty}` does not parse: {current}"
            );
        }
        typed += usize::from(check(&current, &c).is_ok());
    }
    assert!(followed >= 15, "only {followed} hints were followed");
    // All but `made_at > $1 - $2`, whose `$1::integer` (an example type)
    // leads to a comparison of `timestamptz` with `integer`.
    assert_eq!(
        typed,
        refused.len() - 1,
        "queries typed once their hints are followed"
    );
}

#[test]
fn rows_compared_and_assigned_pair_by_pair() {
    assert_eq!(
        params(
            "SELECT id FROM widgets WHERE (made_at, id) < ($1, $2) ORDER BY made_at, id LIMIT 10"
        ),
        ["timestamp with time zone", "integer"]
    );
    assert_eq!(
        cols("SELECT (id, owner_id) = (1, 2) AS same FROM widgets"),
        ["same boolean notnull"]
    );
    let e = err("SELECT id FROM widgets WHERE (id, owner_id) = ($1, $2, $3)");
    assert!(
        e.contains("a row of 2 values is compared with a row of 3"),
        "{e}"
    );
    let e = err("SELECT id FROM widgets WHERE (id, flag) = (1, 2)");
    assert!(e.contains("compares `boolean` with `integer`"), "{e}");
    assert_eq!(
        params("UPDATE widgets SET (label, price) = ($1, $2) WHERE id = $3"),
        ["character varying", "numeric", "integer"]
    );
    let e = err("UPDATE widgets SET (label, price) = ($1) WHERE id = 1");
    assert!(!e.is_empty());
    assert_eq!(
        cols("SELECT json_build_array(id, label) AS a FROM widgets"),
        ["a json notnull"]
    );
}

#[test]
fn json_functions_in_from_have_their_out_columns() {
    assert_eq!(
        cols("SELECT * FROM jsonb_each($1::jsonb)"),
        ["key text notnull", "value jsonb null"]
    );
    assert_eq!(
        params("SELECT * FROM jsonb_array_elements($1) AS x"),
        ["jsonb"]
    );
    assert_eq!(
        cols("SELECT * FROM jsonb_array_elements($1) AS x"),
        ["value jsonb null"]
    );
    assert_eq!(
        cols("SELECT t.v, t.n FROM json_array_elements_text($1::json) WITH ORDINALITY AS t(v, n)"),
        ["v text null", "n bigint notnull"]
    );
    let e = err("SELECT * FROM jsonb_each(1)");
    assert!(e.contains("expects `jsonb` here"), "{e}");
}

#[test]
fn functions_applications_call() {
    assert_eq!(
        cols("SELECT to_regclass($1) AS r, hashtext($2) AS h, date_bin('15 minutes', made_at, $3) AS b FROM widgets"),
        [
            "r regclass null",
            "h integer null",
            "b timestamp with time zone null"
        ]
    );
    assert_eq!(
        params("SELECT to_regclass($1), hashtext($2), date_bin('15 minutes', made_at, $3) FROM widgets"),
        ["text", "text", "timestamp with time zone"]
    );
}

#[test]
fn geometry_time_zones_text_search_jsonpath_ranges_and_concatenation() {
    assert_eq!(
        params("SELECT point($1, $2)"),
        ["double precision", "double precision"]
    );
    assert_eq!(
        cols("SELECT timezone('UTC', made_at) AS a, timezone($1, local_at) AS b, age(made_at) AS c FROM widgets"),
        [
            "a timestamp without time zone notnull",
            "b timestamp with time zone null",
            "c interval notnull"
        ]
    );
    assert_eq!(
        params("SELECT id FROM widgets WHERE to_tsvector('english', label) @@ to_tsquery($1)"),
        ["text"]
    );
    assert_eq!(
        cols("SELECT doc @? '$.a' AS a, doc @@ '$.a == 1' AS b FROM widgets"),
        ["a boolean null", "b boolean null"]
    );
    assert_eq!(
        params("SELECT int4range($1, $2, '[]')"),
        ["integer", "integer"]
    );
    assert_eq!(cols("SELECT doc || $1 AS d FROM widgets"), ["d jsonb null"]);
    assert_eq!(params("SELECT doc || $1 FROM widgets"), ["jsonb"]);
    assert_eq!(
        cols("SELECT array_cat(tags, $1) AS t FROM widgets"),
        ["t text[] notnull"]
    );
    // What does not fit is refused with the cast.
    let e = err("SELECT doc || label FROM widgets");
    assert!(
        e.contains("`||` takes a `jsonb` here, not `character varying`"),
        "{e}"
    );
    let e = err("SELECT label @@ 'x' FROM widgets");
    assert!(e.contains("secure-pg types `@@` on jsonb"), "{e}");
    let e = err("SELECT array_cat(tags, ARRAY[1]) FROM widgets");
    assert!(
        e.contains("`array_cat` takes two arrays of one type"),
        "{e}"
    );
}

#[test]
fn ordered_set_aggregates() {
    assert_eq!(
        cols("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY price) AS m, percentile_disc($1::float8) WITHIN GROUP (ORDER BY made_at) AS d, mode() WITHIN GROUP (ORDER BY label) AS l FROM widgets"),
        [
            "m double precision null",
            "d timestamp with time zone null",
            "l character varying null"
        ]
    );
    assert_eq!(
        params("SELECT percentile_disc($1::float8) WITHIN GROUP (ORDER BY made_at) FROM widgets"),
        ["double precision"]
    );
    // The server cannot pick a form for an untyped fraction either.
    let e = err("SELECT percentile_disc($1) WITHIN GROUP (ORDER BY made_at) FROM widgets");
    assert!(e.contains("which form of `percentile_disc`"), "{e}");
    assert_eq!(
        cols("SELECT percentile_cont(ARRAY[0.25, 0.75]::float8[]) WITHIN GROUP (ORDER BY made_at - made_at) AS q FROM widgets"),
        ["q interval[] null"]
    );
    let e = err("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY label) FROM widgets");
    assert!(
        e.contains("interpolates a `double precision` or an `interval`"),
        "{e}"
    );
}

#[test]
fn procedures_are_called_with_typed_arguments() {
    assert_eq!(params("CALL bump_qty($1, $2)"), ["integer", "integer"]);
    assert_eq!(params("CALL bump_qty($1)"), ["integer"]);
    assert_eq!(
        params("CALL bump_qty(by_n => $1, w => $2)"),
        ["integer", "integer"]
    );
    assert!(ok("CALL bump_qty($1)").columns.is_empty());
    let e = err("SELECT bump_qty(1)");
    assert!(
        e.contains("`public.bump_qty` is a procedure") && e.contains("CALL bump_qty(1)"),
        "{e}"
    );
    let e = err("CALL widget_total($1)");
    assert!(e.contains("is a function, not a procedure"), "{e}");
    let e = err("CALL nothing_here($1)");
    assert!(
        e.contains("the migrations create no procedure `nothing_here`"),
        "{e}"
    );
    let e = err("CALL bump_qty($1, $2, $3)");
    assert!(e.contains("bump_qty"), "{e}");
}

#[test]
fn whole_rows_are_read_as_json() {
    assert_eq!(
        cols("SELECT to_jsonb(w) AS j, row_to_json(w) AS r, to_json(w) AS t FROM widgets w"),
        ["j jsonb notnull", "r json notnull", "t json notnull"]
    );
    // A row an outer join may leave out is NULL.
    assert_eq!(
        cols("SELECT to_jsonb(p) AS j FROM widgets w LEFT JOIN parts p ON p.widget_id = w.id"),
        ["j jsonb null"]
    );
    assert_eq!(
        cols("SELECT o.id, (SELECT jsonb_agg(w) FROM widgets w WHERE w.owner_id = o.id) AS ws FROM owners o"),
        ["id bigint notnull", "ws jsonb null"]
    );
    // A column of the same name wins, as in PostgreSQL.
    assert_eq!(
        cols("SELECT to_jsonb(label) AS j FROM widgets label"),
        ["j jsonb null"]
    );
    // Elsewhere a whole row is refused, with the way to read it.
    let e = err("SELECT w FROM widgets w");
    assert!(e.contains("`w` names the rows of `w (widgets)`"), "{e}");
    assert!(e.contains("to_jsonb(w)"), "{e}");
    let e = err("SELECT row_to_json(w.id) FROM widgets w");
    assert!(e.contains("`row_to_json` takes a row"), "{e}");
}

#[test]
fn functions_with_several_forms_resolve_as_the_server_resolves_them() {
    // The form matching the most arguments of known type exactly.
    assert_eq!(
        cols("SELECT date_bin('1 hour', local_at, $1) AS b FROM widgets"),
        ["b timestamp without time zone null"]
    );
    assert_eq!(
        params("SELECT date_bin('1 hour', local_at, $1) FROM widgets"),
        ["timestamp without time zone"]
    );
    assert_eq!(
        params("SELECT width_bucket(price, $1, $2, $3) FROM widgets"),
        ["numeric", "numeric", "integer"]
    );
    // Nothing known, or every argument cast: the form PostgreSQL prefers.
    assert_eq!(
        params("SELECT date_bin($1, $2, $3)"),
        [
            "interval",
            "timestamp with time zone",
            "timestamp with time zone"
        ]
    );
    assert_eq!(
        params("SELECT width_bucket(id, $1, $2, 3) FROM widgets"),
        ["double precision", "double precision"]
    );
    // A `timestamptz` does not convert to `timestamp` implicitly, so only
    // the `timestamptz` form takes both.
    assert_eq!(
        cols("SELECT date_bin('1 hour', local_at, made_at) AS b FROM widgets"),
        ["b timestamp with time zone null"]
    );
    // No form takes it.
    let e = err("SELECT date_bin('1 hour', label, made_at) FROM widgets");
    assert!(
        e.contains("no form of `date_bin` takes these arguments"),
        "{e}"
    );
    assert!(
        e.contains("date_bin(interval, timestamp without time zone"),
        "{e}"
    );
}

/// sqlx's column overrides: `x!` makes a column the query promises is never
/// NULL read as NOT NULL (a NULL at run time is a decode error), `x?` makes
/// one nullable, and `x: Type` leaves the Rust type to the row type.
#[test]
fn sqlx_nullability_overrides_and_type_overrides() {
    assert_eq!(
        cols(r#"SELECT id, label AS "label!", id AS "maybe?", label, id AS "id: Id" FROM widgets"#),
        [
            "id integer notnull",
            "label! character varying(40) notnull",
            "maybe? integer null",
            "label character varying(40) null",
            "id: Id integer notnull",
        ]
    );
    assert_eq!(
        cols(r#"SELECT label AS "label!: Label", id AS "id?: Id" FROM widgets"#),
        [
            "label!: Label character varying(40) notnull",
            "id?: Id integer null"
        ]
    );
    // `?column?` is PostgreSQL's own name, not an override.
    assert_eq!(cols("SELECT 1 + 1"), ["?column? integer notnull"]);
    assert_eq!(sqlx_override("x!"), ("x", Some(SqlxOverride::NotNull)));
    assert_eq!(sqlx_override("x?"), ("x", Some(SqlxOverride::Nullable)));
    assert_eq!(sqlx_override("x: T"), ("x", None));
    assert_eq!(
        sqlx_override("x!: Vec<T>"),
        ("x", Some(SqlxOverride::NotNull))
    );
    assert_eq!(sqlx_override("x?:T"), ("x", Some(SqlxOverride::Nullable)));
    assert_eq!(sqlx_override("!"), ("!", None));
    assert_eq!(sqlx_override(":"), (":", None));
    assert_eq!(sqlx_override("?column?"), ("?column?", None));
}
