//! Verified examples of the rewrite: each is a query shape, the SQL as
//! written and the SQL `#[tenant_scoped]` sends instead (or the refusal).
//! The unit tests check every entry; documentation can be generated from
//! the same table, so the examples shown to users are always the real
//! output.

use super::{TenantOptions, DEFAULT_COLUMN};

/// One example.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Snapshot {
    /// What the example shows.
    pub(crate) shape: &'static str,
    /// The tenant column.
    pub(crate) column: &'static str,
    /// The exempt (shared) tables.
    pub(crate) exempt: &'static [&'static str],
    /// The placeholder number of the tenant value.
    pub(crate) tenant_param: usize,
    /// The SQL as written.
    pub(crate) sql: &'static str,
    /// What the rewriter makes of it.
    pub(crate) expected: Expected,
}

/// The outcome of one example.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Expected {
    /// The rewritten SQL.
    Scoped(&'static str),
    /// The error message.
    Refused(&'static str),
}

impl Snapshot {
    /// The options the example is rewritten with.
    pub(crate) fn options(&self) -> TenantOptions {
        TenantOptions {
            column: self.column.to_owned(),
            exempt: self.exempt.iter().map(|e| (*e).to_owned()).collect(),
            ..TenantOptions::default()
        }
    }
}

/// The shared tables used by the examples with default options.
const EXEMPT: &[&str] = &["countries", "currencies"];

const fn scoped(
    shape: &'static str,
    tenant_param: usize,
    sql: &'static str,
    rewritten: &'static str,
) -> Snapshot {
    scoped_with(DEFAULT_COLUMN, EXEMPT, shape, tenant_param, sql, rewritten)
}

const fn scoped_with(
    column: &'static str,
    exempt: &'static [&'static str],
    shape: &'static str,
    tenant_param: usize,
    sql: &'static str,
    rewritten: &'static str,
) -> Snapshot {
    Snapshot {
        shape,
        column,
        exempt,
        tenant_param,
        sql,
        expected: Expected::Scoped(rewritten),
    }
}

const fn refused(
    shape: &'static str,
    tenant_param: usize,
    sql: &'static str,
    message: &'static str,
) -> Snapshot {
    Snapshot {
        shape,
        column: DEFAULT_COLUMN,
        exempt: EXEMPT,
        tenant_param,
        sql,
        expected: Expected::Refused(message),
    }
}

const fn refused_with(
    column: &'static str,
    shape: &'static str,
    tenant_param: usize,
    sql: &'static str,
    message: &'static str,
) -> Snapshot {
    Snapshot {
        column,
        ..refused(shape, tenant_param, sql, message)
    }
}

/// Every example, rewritten ones first, then refusals.
pub(crate) const SNAPSHOTS: &[Snapshot] = &[
    scoped(
        "simple select",
        1,
        "SELECT id, name FROM widgets",
        "SELECT id, name FROM widgets WHERE widgets.tenant_id = $1",
    ),
    scoped(
        "WHERE with a parameter",
        2,
        "SELECT id FROM widgets WHERE id = $1",
        "SELECT id FROM widgets WHERE (id = $1) AND widgets.tenant_id = $2",
    ),
    scoped(
        "OR without parentheses",
        3,
        "SELECT id FROM widgets WHERE a = $1 OR b = $2",
        "SELECT id FROM widgets WHERE (a = $1 OR b = $2) AND widgets.tenant_id = $3",
    ),
    scoped(
        "table alias",
        2,
        "SELECT w.id FROM widgets AS w WHERE w.id = $1",
        "SELECT w.id FROM widgets AS w WHERE (w.id = $1) AND w.tenant_id = $2",
    ),
    scoped(
        "schema-qualified table",
        2,
        "SELECT id FROM app.widgets WHERE id = $1",
        "SELECT id FROM app.widgets WHERE (id = $1) AND app.widgets.tenant_id = $2",
    ),
    scoped(
        "schema-qualified table with alias",
        1,
        "SELECT w.id FROM app.widgets w",
        "SELECT w.id FROM app.widgets w WHERE w.tenant_id = $1",
    ),
    scoped(
        "quoted table name",
        1,
        r#"SELECT id FROM "Widgets""#,
        r#"SELECT id FROM "Widgets" WHERE "Widgets".tenant_id = $1"#,
    ),
    scoped(
        "join",
        2,
        "SELECT w.id, w.name FROM widgets w JOIN owners o ON o.id = w.owner_id WHERE o.id = $1",
        "SELECT w.id, w.name FROM widgets w JOIN owners o ON o.id = w.owner_id WHERE (o.id = $1) AND w.tenant_id = $2 AND o.tenant_id = $2",
    ),
    scoped(
        "inner join whose ON has no tenant predicate",
        1,
        "SELECT w.id FROM widgets w INNER JOIN owners o ON o.id = w.owner_id",
        "SELECT w.id FROM widgets w INNER JOIN owners o ON o.id = w.owner_id WHERE w.tenant_id = $1 AND o.tenant_id = $1",
    ),
    scoped(
        "left join: nullable side in ON",
        2,
        "SELECT w.id, o.name FROM widgets w LEFT JOIN owners o ON o.id = w.owner_id OR o.id = $1",
        "SELECT w.id, o.name FROM widgets w LEFT JOIN owners o ON (o.id = w.owner_id OR o.id = $1) AND o.tenant_id = $2 WHERE w.tenant_id = $2",
    ),
    scoped(
        "right join: nullable (left) side in ON",
        1,
        "SELECT w.id, o.name FROM widgets w RIGHT JOIN owners o ON o.id = w.owner_id",
        "SELECT w.id, o.name FROM widgets w RIGHT JOIN owners o ON (o.id = w.owner_id) AND w.tenant_id = $1 WHERE o.tenant_id = $1",
    ),
    scoped(
        "full join: both sides filtered in place",
        1,
        "SELECT w.id, o.name FROM widgets w FULL OUTER JOIN owners o ON o.id = w.owner_id",
        "SELECT w.id, o.name FROM (SELECT * FROM widgets w WHERE w.tenant_id = $1) AS w FULL JOIN (SELECT * FROM owners o WHERE o.tenant_id = $1) AS o ON o.id = w.owner_id",
    ),
    scoped(
        "full join after a left join",
        1,
        "SELECT a.id FROM a LEFT JOIN b ON b.id = a.b_id FULL JOIN c ON c.id = a.c_id JOIN d ON d.id = c.d_id",
        "SELECT a.id FROM (SELECT * FROM a WHERE a.tenant_id = $1) AS a LEFT JOIN (SELECT * FROM b WHERE b.tenant_id = $1) AS b ON b.id = a.b_id FULL JOIN (SELECT * FROM c WHERE c.tenant_id = $1) AS c ON c.id = a.c_id JOIN d ON d.id = c.d_id WHERE d.tenant_id = $1",
    ),
    scoped(
        "full join with an exempt table and a subquery",
        1,
        "SELECT * FROM countries c FULL JOIN (SELECT country FROM widgets) w ON w.country = c.code",
        "SELECT * FROM countries c FULL JOIN (SELECT country FROM widgets WHERE widgets.tenant_id = $1) w ON w.country = c.code",
    ),
    scoped(
        "LEFT JOIN ... USING: nullable side filtered in place",
        1,
        "SELECT * FROM widgets w LEFT JOIN owners o USING (owner_id)",
        "SELECT * FROM widgets w LEFT JOIN (SELECT * FROM owners o WHERE o.tenant_id = $1) AS o USING(owner_id) WHERE w.tenant_id = $1",
    ),
    scoped(
        "NATURAL LEFT JOIN",
        1,
        "SELECT * FROM widgets w NATURAL LEFT JOIN owners",
        "SELECT * FROM widgets w NATURAL LEFT JOIN (SELECT * FROM owners WHERE owners.tenant_id = $1) AS owners WHERE w.tenant_id = $1",
    ),
    scoped(
        "RIGHT JOIN ... USING",
        1,
        "SELECT * FROM widgets w RIGHT JOIN owners o USING (owner_id)",
        "SELECT * FROM (SELECT * FROM widgets w WHERE w.tenant_id = $1) AS w RIGHT JOIN owners o USING(owner_id) WHERE o.tenant_id = $1",
    ),
    scoped(
        "cross join",
        1,
        "SELECT w.id, o.name FROM widgets w CROSS JOIN owners o",
        "SELECT w.id, o.name FROM widgets w CROSS JOIN owners o WHERE w.tenant_id = $1 AND o.tenant_id = $1",
    ),
    scoped(
        "comma join",
        1,
        "SELECT w.id, o.name FROM widgets w, owners o WHERE o.id = w.owner_id",
        "SELECT w.id, o.name FROM widgets w, owners o WHERE (o.id = w.owner_id) AND w.tenant_id = $1 AND o.tenant_id = $1",
    ),
    scoped(
        "chain of outer joins",
        1,
        "SELECT a.id FROM a LEFT JOIN b ON b.id = a.b_id LEFT OUTER JOIN c ON c.id = b.c_id RIGHT JOIN d ON d.id = a.d_id",
        "SELECT a.id FROM a LEFT JOIN b ON (b.id = a.b_id) AND b.tenant_id = $1 LEFT OUTER JOIN c ON (c.id = b.c_id) AND c.tenant_id = $1 RIGHT JOIN d ON (d.id = a.d_id) AND a.tenant_id = $1 WHERE d.tenant_id = $1",
    ),
    scoped(
        "parenthesised join on the nullable side",
        1,
        "SELECT a.id FROM a LEFT JOIN (b JOIN c ON c.id = b.c_id) ON b.id = a.b_id",
        "SELECT a.id FROM a LEFT JOIN (b JOIN c ON c.id = b.c_id) ON (b.id = a.b_id) AND b.tenant_id = $1 AND c.tenant_id = $1 WHERE a.tenant_id = $1",
    ),
    scoped(
        "inner join using",
        1,
        "SELECT id FROM widgets JOIN owners USING (owner_id)",
        "SELECT id FROM widgets JOIN owners USING(owner_id) WHERE widgets.tenant_id = $1 AND owners.tenant_id = $1",
    ),
    scoped(
        "subquery in FROM",
        2,
        "SELECT x.id FROM (SELECT id FROM widgets WHERE a = $1) AS x",
        "SELECT x.id FROM (SELECT id FROM widgets WHERE (a = $1) AND widgets.tenant_id = $2) AS x",
    ),
    scoped(
        "IN subquery",
        2,
        "SELECT id FROM widgets WHERE owner_id IN (SELECT id FROM owners WHERE name = $1)",
        "SELECT id FROM widgets WHERE (owner_id IN (SELECT id FROM owners WHERE (name = $1) AND owners.tenant_id = $2)) AND widgets.tenant_id = $2",
    ),
    scoped(
        "EXISTS subquery",
        1,
        "SELECT id FROM widgets w WHERE NOT EXISTS (SELECT 1 FROM owners o WHERE o.id = w.owner_id)",
        "SELECT id FROM widgets w WHERE (NOT EXISTS (SELECT 1 FROM owners o WHERE (o.id = w.owner_id) AND o.tenant_id = $1)) AND w.tenant_id = $1",
    ),
    scoped(
        "scalar subquery in the select list",
        1,
        "SELECT id, (SELECT count(*) FROM parts p WHERE p.widget_id = w.id) AS n FROM widgets w",
        "SELECT id, (SELECT count(*) FROM parts p WHERE (p.widget_id = w.id) AND p.tenant_id = $1) AS n FROM widgets w WHERE w.tenant_id = $1",
    ),
    scoped(
        "LATERAL subquery",
        1,
        "SELECT w.id, p.n FROM widgets w, LATERAL (SELECT count(*) AS n FROM parts p WHERE p.widget_id = w.id) p",
        "SELECT w.id, p.n FROM widgets w, LATERAL (SELECT count(*) AS n FROM parts p WHERE (p.widget_id = w.id) AND p.tenant_id = $1) p WHERE w.tenant_id = $1",
    ),
    scoped(
        "LEFT JOIN LATERAL",
        1,
        "SELECT w.id, p.n FROM widgets w LEFT JOIN LATERAL (SELECT count(*) AS n FROM parts p WHERE p.widget_id = w.id) p ON true",
        "SELECT w.id, p.n FROM widgets w LEFT JOIN LATERAL (SELECT count(*) AS n FROM parts p WHERE (p.widget_id = w.id) AND p.tenant_id = $1) p ON true WHERE w.tenant_id = $1",
    ),
    scoped(
        "ANY and ARRAY subqueries",
        1,
        "SELECT id FROM widgets WHERE owner_id = ANY(SELECT id FROM owners) AND tags = ARRAY(SELECT tag FROM tags)",
        "SELECT id FROM widgets WHERE (owner_id = ANY(SELECT id FROM owners WHERE owners.tenant_id = $1) AND tags = ARRAY(SELECT tag FROM tags WHERE tags.tenant_id = $1)) AND widgets.tenant_id = $1",
    ),
    scoped(
        "subqueries in CASE",
        1,
        "SELECT CASE WHEN x IN (SELECT 1 FROM a) THEN 1 ELSE (SELECT 2 FROM b) END FROM c",
        "SELECT CASE WHEN x IN (SELECT 1 FROM a WHERE a.tenant_id = $1) THEN 1 ELSE (SELECT 2 FROM b WHERE b.tenant_id = $1) END FROM c WHERE c.tenant_id = $1",
    ),
    scoped(
        "subqueries in FILTER and OVER",
        1,
        "SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM z)) OVER (PARTITION BY (SELECT 1 FROM y)) FROM w",
        "SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM z WHERE z.tenant_id = $1)) OVER (PARTITION BY (SELECT 1 FROM y WHERE y.tenant_id = $1)) FROM w WHERE w.tenant_id = $1",
    ),
    scoped(
        "CTE",
        2,
        "WITH recent AS (SELECT id FROM widgets WHERE created > $1) SELECT r.id FROM recent r JOIN owners o ON o.id = r.id",
        "WITH recent AS (SELECT id FROM widgets WHERE (created > $1) AND widgets.tenant_id = $2) SELECT r.id FROM recent r JOIN owners o ON o.id = r.id WHERE o.tenant_id = $2",
    ),
    scoped(
        "CTE referring to an earlier CTE",
        1,
        "WITH a AS (SELECT id FROM widgets), b AS (SELECT id FROM a) SELECT id FROM b",
        "WITH a AS (SELECT id FROM widgets WHERE widgets.tenant_id = $1), b AS (SELECT id FROM a) SELECT id FROM b",
    ),
    scoped(
        "CTE named like the table it reads",
        2,
        "WITH widgets AS (SELECT id FROM widgets WHERE x = $1) SELECT id FROM widgets",
        "WITH widgets AS (SELECT id FROM widgets WHERE (x = $1) AND widgets.tenant_id = $2) SELECT id FROM widgets",
    ),
    scoped(
        "CTE used in a subquery",
        1,
        "WITH mine AS (SELECT id FROM owners) SELECT id FROM widgets WHERE owner_id IN (SELECT id FROM mine)",
        "WITH mine AS (SELECT id FROM owners WHERE owners.tenant_id = $1) SELECT id FROM widgets WHERE (owner_id IN (SELECT id FROM mine)) AND widgets.tenant_id = $1",
    ),
    scoped(
        "recursive CTE",
        2,
        "WITH RECURSIVE tree AS (SELECT id, parent_id FROM nodes WHERE id = $1 UNION ALL SELECT n.id, n.parent_id FROM nodes n JOIN tree t ON n.parent_id = t.id) SELECT id FROM tree",
        "WITH RECURSIVE tree AS (SELECT id, parent_id FROM nodes WHERE (id = $1) AND nodes.tenant_id = $2 UNION ALL SELECT n.id, n.parent_id FROM nodes n JOIN tree t ON n.parent_id = t.id WHERE n.tenant_id = $2) SELECT id FROM tree",
    ),
    scoped(
        "UNION",
        2,
        "SELECT id FROM widgets WHERE id = $1 UNION SELECT id FROM gadgets",
        "SELECT id FROM widgets WHERE (id = $1) AND widgets.tenant_id = $2 UNION SELECT id FROM gadgets WHERE gadgets.tenant_id = $2",
    ),
    scoped(
        "UNION ALL, INTERSECT, EXCEPT",
        1,
        "SELECT id FROM widgets UNION ALL SELECT id FROM gadgets INTERSECT SELECT id FROM things EXCEPT SELECT id FROM others",
        "SELECT id FROM widgets WHERE widgets.tenant_id = $1 UNION ALL SELECT id FROM gadgets WHERE gadgets.tenant_id = $1 INTERSECT SELECT id FROM things WHERE things.tenant_id = $1 EXCEPT SELECT id FROM others WHERE others.tenant_id = $1",
    ),
    scoped(
        "parenthesised set operation with ORDER BY",
        2,
        "(SELECT id FROM widgets) UNION (SELECT id FROM gadgets) ORDER BY id LIMIT $1",
        "(SELECT id FROM widgets WHERE widgets.tenant_id = $2) UNION (SELECT id FROM gadgets WHERE gadgets.tenant_id = $2) ORDER BY id LIMIT $1",
    ),
    scoped(
        "exempt table",
        1,
        "SELECT w.id, c.name FROM widgets w JOIN countries c ON c.code = w.country",
        "SELECT w.id, c.name FROM widgets w JOIN countries c ON c.code = w.country WHERE w.tenant_id = $1",
    ),
    scoped(
        "exempt table, qualified with public and upper case",
        1,
        "SELECT c.name FROM public.COUNTRIES c",
        "SELECT c.name FROM public.COUNTRIES c",
    ),
    scoped(
        "a table named like an exempt one, in another schema, is scoped",
        1,
        "SELECT c.name FROM ref.COUNTRIES c",
        "SELECT c.name FROM ref.COUNTRIES c WHERE c.tenant_id = $1",
    ),
    scoped_with(
        DEFAULT_COLUMN,
        &["ref.currencies"],
        "a schema-qualified exempt entry matches only that schema",
        1,
        "SELECT a.code, b.code FROM ref.currencies a, currencies b, public.currencies c",
        "SELECT a.code, b.code FROM ref.currencies a, currencies b, public.currencies c WHERE b.tenant_id = $1 AND c.tenant_id = $1",
    ),
    scoped_with(
        DEFAULT_COLUMN,
        &["\"Currencies\""],
        "a quoted exempt entry matches exactly that name",
        1,
        r#"SELECT a.code FROM "Currencies" a JOIN currencies b ON b.code = a.code JOIN CURRENCIES c ON c.code = a.code"#,
        r#"SELECT a.code FROM "Currencies" a JOIN currencies b ON b.code = a.code JOIN CURRENCIES c ON c.code = a.code WHERE b.tenant_id = $1 AND c.tenant_id = $1"#,
    ),
    scoped(
        "a quoted name differing in case from an exempt entry is scoped",
        1,
        r#"SELECT c.name FROM "Countries" c"#,
        r#"SELECT c.name FROM "Countries" c WHERE c.tenant_id = $1"#,
    ),
    scoped(
        "a name that only Unicode case folding would make exempt is scoped (U+212A KELVIN SIGN)",
        1,
        "SELECT c.name FROM \u{212A}OUNTRIES c",
        "SELECT c.name FROM \u{212A}OUNTRIES c WHERE c.tenant_id = $1",
    ),
    scoped(
        "a name that only Unicode case folding would make a CTE is a table (U+0130)",
        1,
        "WITH i AS (SELECT 1 AS x) SELECT x FROM \u{130}",
        "WITH i AS (SELECT 1 AS x) SELECT x FROM \u{130} WHERE \u{130}.tenant_id = $1",
    ),
    scoped(
        "a CTE name longer than 63 bytes matches its truncation, as in PostgreSQL",
        1,
        "WITH aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaXX AS (SELECT 1 AS x) SELECT x FROM aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaYY",
        "WITH aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaXX AS (SELECT 1 AS x) SELECT x FROM aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaYY",
    ),
    scoped_with(
        "org_id",
        &[],
        "custom column",
        2,
        "SELECT id FROM projects WHERE id = $1",
        "SELECT id FROM projects WHERE (id = $1) AND projects.org_id = $2",
    ),
    scoped_with(
        "org_id",
        &["plans"],
        "custom column with custom exemptions",
        1,
        "SELECT p.id, pl.name FROM projects p JOIN plans pl ON pl.id = p.plan_id",
        "SELECT p.id, pl.name FROM projects p JOIN plans pl ON pl.id = p.plan_id WHERE p.org_id = $1",
    ),
    scoped(
        "GROUP BY and HAVING",
        2,
        "SELECT owner_id, count(*) FROM widgets GROUP BY owner_id HAVING count(*) > $1",
        "SELECT owner_id, count(*) FROM widgets WHERE widgets.tenant_id = $2 GROUP BY owner_id HAVING count(*) > $1",
    ),
    scoped(
        "subquery in HAVING",
        1,
        "SELECT owner_id FROM widgets GROUP BY owner_id HAVING count(*) > (SELECT max(n) FROM limits)",
        "SELECT owner_id FROM widgets WHERE widgets.tenant_id = $1 GROUP BY owner_id HAVING count(*) > (SELECT max(n) FROM limits WHERE limits.tenant_id = $1)",
    ),
    scoped(
        "ORDER BY, LIMIT and OFFSET with parameters",
        3,
        "SELECT id FROM widgets ORDER BY name DESC LIMIT $1 OFFSET $2",
        "SELECT id FROM widgets WHERE widgets.tenant_id = $3 ORDER BY name DESC LIMIT $1 OFFSET $2",
    ),
    scoped(
        "DISTINCT ON",
        1,
        "SELECT DISTINCT ON (owner_id) owner_id, id FROM widgets ORDER BY owner_id, id",
        "SELECT DISTINCT ON (owner_id) owner_id, id FROM widgets WHERE widgets.tenant_id = $1 ORDER BY owner_id, id",
    ),
    scoped(
        "FOR UPDATE",
        2,
        "SELECT id FROM widgets WHERE id = $1 FOR UPDATE SKIP LOCKED",
        "SELECT id FROM widgets WHERE (id = $1) AND widgets.tenant_id = $2 FOR UPDATE SKIP LOCKED",
    ),
    scoped(
        "generate_series",
        2,
        "SELECT g.n FROM generate_series(1, $1) AS g(n)",
        "SELECT g.n FROM generate_series(1, $1) AS g (n)",
    ),
    scoped(
        "unnest of a parameter",
        2,
        "SELECT w.id FROM widgets w, unnest($1::int[]) AS u(x) WHERE w.id = u.x",
        "SELECT w.id FROM widgets w, UNNEST($1::INT[]) AS u (x) WHERE (w.id = u.x) AND w.tenant_id = $2",
    ),
    scoped(
        "ONLY",
        1,
        "SELECT id FROM ONLY widgets",
        "SELECT id FROM ONLY widgets WHERE widgets.tenant_id = $1",
    ),
    scoped(
        "TABLESAMPLE",
        1,
        "SELECT id FROM widgets TABLESAMPLE SYSTEM (10)",
        "SELECT id FROM widgets TABLESAMPLE SYSTEM (10) WHERE widgets.tenant_id = $1",
    ),
    scoped(
        "SELECT without FROM",
        2,
        "SELECT $1::int + 1",
        "SELECT $1::INT + 1",
    ),
    scoped(
        "VALUES in FROM",
        1,
        "SELECT v.x FROM (VALUES (1), (2)) AS v(x)",
        "SELECT v.x FROM (VALUES (1), (2)) AS v (x)",
    ),
    scoped(
        "UPDATE",
        3,
        "UPDATE widgets SET name = $1 WHERE id = $2",
        "UPDATE widgets SET name = $1 WHERE (id = $2) AND widgets.tenant_id = $3",
    ),
    scoped(
        "UPDATE with alias and RETURNING",
        2,
        "UPDATE widgets AS w SET name = upper(w.name) WHERE w.id = $1 RETURNING w.id, w.name",
        "UPDATE widgets AS w SET name = upper(w.name) WHERE (w.id = $1) AND w.tenant_id = $2 RETURNING w.id, w.name",
    ),
    scoped(
        "UPDATE ... FROM",
        1,
        "UPDATE widgets w SET owner_name = o.name FROM owners o WHERE o.id = w.owner_id",
        "UPDATE widgets w SET owner_name = o.name FROM owners o WHERE (o.id = w.owner_id) AND w.tenant_id = $1 AND o.tenant_id = $1",
    ),
    scoped(
        "UPDATE with a subquery in SET",
        2,
        "UPDATE widgets SET owner_name = (SELECT name FROM owners o WHERE o.id = widgets.owner_id) WHERE id = $1",
        "UPDATE widgets SET owner_name = (SELECT name FROM owners o WHERE (o.id = widgets.owner_id) AND o.tenant_id = $2) WHERE (id = $1) AND widgets.tenant_id = $2",
    ),
    scoped(
        "UPDATE of an exempt table from a tenant table",
        1,
        "UPDATE countries SET widget_count = s.n FROM stats s WHERE s.code = countries.code",
        "UPDATE countries SET widget_count = s.n FROM stats s WHERE (s.code = countries.code) AND s.tenant_id = $1",
    ),
    scoped(
        "DELETE",
        3,
        "DELETE FROM widgets WHERE id = $1 OR name = $2",
        "DELETE FROM widgets WHERE (id = $1 OR name = $2) AND widgets.tenant_id = $3",
    ),
    scoped(
        "DELETE without WHERE",
        1,
        "DELETE FROM widgets",
        "DELETE FROM widgets WHERE widgets.tenant_id = $1",
    ),
    scoped(
        "DELETE ... USING",
        2,
        "DELETE FROM widgets w USING owners o WHERE o.id = w.owner_id AND o.name = $1",
        "DELETE FROM widgets w USING owners o WHERE (o.id = w.owner_id AND o.name = $1) AND w.tenant_id = $2 AND o.tenant_id = $2",
    ),
    scoped(
        "DELETE with a subquery and RETURNING",
        1,
        "DELETE FROM widgets WHERE owner_id IN (SELECT id FROM owners WHERE banned) RETURNING id",
        "DELETE FROM widgets WHERE (owner_id IN (SELECT id FROM owners WHERE (banned) AND owners.tenant_id = $1)) AND widgets.tenant_id = $1 RETURNING id",
    ),
    scoped(
        "INSERT VALUES",
        3,
        "INSERT INTO widgets (id, name) VALUES ($1, $2)",
        "INSERT INTO widgets (id, name, tenant_id) VALUES ($1, $2, $3)",
    ),
    scoped(
        "INSERT VALUES, several rows",
        5,
        "INSERT INTO widgets (id, name) VALUES ($1, $2), ($3, $4)",
        "INSERT INTO widgets (id, name, tenant_id) VALUES ($1, $2, $5), ($3, $4, $5)",
    ),
    scoped(
        "INSERT VALUES with a subquery",
        2,
        "INSERT INTO widgets (id, owner_id) VALUES ($1, (SELECT id FROM owners WHERE is_default))",
        "INSERT INTO widgets (id, owner_id, tenant_id) VALUES ($1, (SELECT id FROM owners WHERE (is_default) AND owners.tenant_id = $2), $2)",
    ),
    scoped(
        "INSERT SELECT",
        2,
        "INSERT INTO widgets (id, name) SELECT id, name FROM templates WHERE kind = $1",
        "INSERT INTO widgets (id, name, tenant_id) SELECT id, name, $2::BIGINT FROM templates WHERE (kind = $1) AND templates.tenant_id = $2",
    ),
    scoped(
        "INSERT SELECT *",
        1,
        "INSERT INTO widgets (id, name) SELECT * FROM drafts",
        "INSERT INTO widgets (id, name, tenant_id) SELECT *, $1::BIGINT FROM drafts WHERE drafts.tenant_id = $1",
    ),
    scoped(
        "INSERT SELECT with UNION",
        1,
        "INSERT INTO widgets (id) SELECT id FROM drafts UNION SELECT id FROM templates",
        "INSERT INTO widgets (id, tenant_id) SELECT id, $1::BIGINT FROM drafts WHERE drafts.tenant_id = $1 UNION SELECT id, $1::BIGINT FROM templates WHERE templates.tenant_id = $1",
    ),
    scoped(
        "INSERT ON CONFLICT DO UPDATE",
        3,
        "INSERT INTO widgets (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        "INSERT INTO widgets (id, name, tenant_id) VALUES ($1, $2, $3) ON CONFLICT(id) DO UPDATE SET name = excluded.name WHERE widgets.tenant_id = $3",
    ),
    scoped(
        "INSERT ON CONFLICT DO UPDATE with alias and WHERE",
        3,
        "INSERT INTO widgets AS w (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE w.locked = false OR w.name IS NULL",
        "INSERT INTO widgets AS w (id, name, tenant_id) VALUES ($1, $2, $3) ON CONFLICT(id) DO UPDATE SET name = excluded.name WHERE (w.locked = false OR w.name IS NULL) AND w.tenant_id = $3",
    ),
    scoped(
        "INSERT ON CONFLICT DO NOTHING RETURNING",
        3,
        "INSERT INTO widgets (id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id",
        "INSERT INTO widgets (id, name, tenant_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id",
    ),
    scoped(
        "INSERT into an exempt table",
        2,
        "INSERT INTO countries (code) VALUES ($1)",
        "INSERT INTO countries (code) VALUES ($1)",
    ),
    scoped(
        "INSERT into an exempt table from a tenant table",
        1,
        "INSERT INTO countries (code) SELECT country FROM widgets",
        "INSERT INTO countries (code) SELECT country FROM widgets WHERE widgets.tenant_id = $1",
    ),
    scoped(
        "data-modifying CTE",
        2,
        "WITH moved AS (DELETE FROM widgets WHERE id = $1 RETURNING id, name) INSERT INTO archive (id, name) SELECT id, name FROM moved",
        "WITH moved AS (DELETE FROM widgets WHERE (id = $1) AND widgets.tenant_id = $2 RETURNING id, name) INSERT INTO archive (id, name, tenant_id) SELECT id, name, $2::BIGINT FROM moved",
    ),
    scoped(
        "WITH ... UPDATE",
        2,
        "WITH stale AS (SELECT id FROM widgets WHERE updated < $1) UPDATE widgets SET archived = true WHERE id IN (SELECT id FROM stale)",
        "WITH stale AS (SELECT id FROM widgets WHERE (updated < $1) AND widgets.tenant_id = $2) UPDATE widgets SET archived = true WHERE (id IN (SELECT id FROM stale)) AND widgets.tenant_id = $2",
    ),
    refused(
        "COPY",
        1,
        "COPY widgets TO STDOUT",
        r#"cannot scope this query to the tenant (`COPY`): COPY reads or writes whole tables; run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "CREATE TABLE",
        1,
        "CREATE TABLE x (id int)",
        r#"cannot scope this query to the tenant (`CREATE TABLE`): schema changes (DDL) are not per-tenant data; run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "ALTER TABLE",
        1,
        "ALTER TABLE widgets ADD COLUMN x int",
        r#"cannot scope this query to the tenant (`ALTER TABLE`): schema changes (DDL) are not per-tenant data; run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "DROP TABLE",
        1,
        "DROP TABLE widgets",
        r#"cannot scope this query to the tenant (`DROP TABLE`): schema changes (DDL) are not per-tenant data; run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "TRUNCATE",
        1,
        "TRUNCATE widgets",
        r#"cannot scope this query to the tenant (`TRUNCATE`): TRUNCATE empties whole tables, for every tenant; run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "SET",
        1,
        "SET search_path = public",
        r#"cannot scope this query to the tenant (`SET`): it changes session state that later queries on the connection share; run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "RESET",
        1,
        "RESET search_path",
        r#"cannot scope this query to the tenant (`RESET`): it changes session state that later queries on the connection share; run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "SHOW",
        1,
        "SHOW search_path",
        r#"cannot scope this query to the tenant (`SHOW`): it reads server settings, not tenant data; run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "GRANT",
        1,
        "GRANT SELECT ON widgets TO bob",
        r#"cannot scope this query to the tenant (`GRANT`): privileges are not per-tenant data; run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "CALL",
        2,
        "CALL do_things($1)",
        r#"cannot scope this query to the tenant (`CALL`): a procedure can read and write any table, and the rewriter cannot see inside it; run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "EXPLAIN",
        1,
        "EXPLAIN SELECT id FROM widgets",
        r#"cannot scope this query to the tenant (`EXPLAIN`): EXPLAIN is not rewritten (EXPLAIN ANALYZE would run the unscoped statement); run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "MERGE",
        1,
        "MERGE INTO widgets w USING src s ON s.id = w.id WHEN MATCHED THEN DELETE",
        r#"cannot scope this query to the tenant (`MERGE`): the rewriter does not support MERGE (INSERT ... ON CONFLICT, or separate UPDATE and INSERT statements, can be scoped); run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "LOCK",
        1,
        "LOCK TABLE widgets",
        r#"cannot scope this query to the tenant (`LOCK`): LOCK TABLE locks whole tables, for every tenant; run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "transaction control",
        1,
        "BEGIN",
        r#"cannot scope this query to the tenant (`BEGIN`): transaction control belongs to the transaction API, not to a query; run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "VACUUM",
        1,
        "VACUUM widgets",
        r#"cannot scope this query to the tenant (`VACUUM`): maintenance commands work on whole tables; run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "SELECT INTO",
        1,
        "SELECT * INTO backup FROM widgets",
        r#"cannot scope this query to the tenant (`SELECT ... INTO backup`): SELECT INTO creates a table; run it outside #[tenant_scoped], or mark the query `unscoped = "reason"`"#,
    ),
    refused_with(
        "tenant_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "writing the tenant column through a name longer than 63 bytes",
        2,
        "INSERT INTO widgets (id, tenant_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_and_more) VALUES ($1, 1)",
        r#"cannot scope this query to the tenant (`INSERT INTO widgets` that sets `tenant_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_and_more`): #[tenant_scoped] fills `tenant_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_and_more` from the tenant argument; remove it from the column list and the values"#,
    ),
    refused(
        "a user function in the select list",
        1,
        "SELECT id, slugify(name) FROM widgets",
        r#"cannot scope this query to the tenant (the function `slugify`): it is not a built-in known to read no table, and the rewriter cannot see which tables a function reads; if it reads no tenant data, declare it: #[tenant_scoped(trusted_functions = [slugify], reason = "...")], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "a set-returning user function in the select list",
        1,
        "SELECT (all_widgets()).name",
        r#"cannot scope this query to the tenant (the function `all_widgets`): it is not a built-in known to read no table, and the rewriter cannot see which tables a function reads; if it reads no tenant data, declare it: #[tenant_scoped(trusted_functions = [all_widgets], reason = "...")], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "a user function in WHERE, inside a built-in's arguments",
        2,
        "SELECT id FROM widgets WHERE lower(secret_of(id)) = $1",
        r#"cannot scope this query to the tenant (the function `secret_of`): it is not a built-in known to read no table, and the rewriter cannot see which tables a function reads; if it reads no tenant data, declare it: #[tenant_scoped(trusted_functions = [secret_of], reason = "...")], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "a user function in ORDER BY",
        1,
        "SELECT id FROM widgets ORDER BY rank_of(id)",
        r#"cannot scope this query to the tenant (the function `rank_of`): it is not a built-in known to read no table, and the rewriter cannot see which tables a function reads; if it reads no tenant data, declare it: #[tenant_scoped(trusted_functions = [rank_of], reason = "...")], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "a user function in HAVING",
        1,
        "SELECT owner FROM widgets GROUP BY owner HAVING count(*) > peers(owner)",
        r#"cannot scope this query to the tenant (the function `peers`): it is not a built-in known to read no table, and the rewriter cannot see which tables a function reads; if it reads no tenant data, declare it: #[tenant_scoped(trusted_functions = [peers], reason = "...")], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "a user function in VALUES",
        2,
        "INSERT INTO widgets (id, name) VALUES ($1, make_name())",
        r#"cannot scope this query to the tenant (the function `make_name`): it is not a built-in known to read no table, and the rewriter cannot see which tables a function reads; if it reads no tenant data, declare it: #[tenant_scoped(trusted_functions = [make_name], reason = "...")], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "a built-in name qualified with another schema is a user function",
        1,
        "SELECT public.lower(name) FROM widgets",
        r#"cannot scope this query to the tenant (the function `public.lower`): it is not a built-in known to read no table, and the rewriter cannot see which tables a function reads; if it reads no tenant data, declare it: #[tenant_scoped(trusted_functions = [public.lower], reason = "...")], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "a quoted built-in name in another case is a user function",
        1,
        r#"SELECT "LOWER"(name) FROM widgets"#,
        r#"cannot scope this query to the tenant (the function `"LOWER"`): it is not a built-in known to read no table, and the rewriter cannot see which tables a function reads; if it reads no tenant data, declare it: #[tenant_scoped(trusted_functions = ["LOWER"], reason = "...")], or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "query_to_xml runs SQL text",
        1,
        "SELECT query_to_xml('SELECT * FROM widgets', true, false, '')",
        r#"cannot scope this query to the tenant (the function `query_to_xml`): it runs SQL text, which the rewriter cannot see or scope; a built-in that reads data cannot be declared trusted; read the tables directly, or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "table_to_xml reads a whole table",
        1,
        "SELECT pg_catalog.table_to_xml('widgets', true, false, '')",
        r#"cannot scope this query to the tenant (the function `pg_catalog.table_to_xml`): it reads a whole table, schema or database by name, for every tenant; a built-in that reads data cannot be declared trusted; read the tables directly, or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "set_config",
        2,
        "SELECT set_config('app.tenant_id', $1, false)",
        r#"cannot scope this query to the tenant (the function `set_config`): set_config can change the tenant setting that row-level security reads, and every other session setting; it is never allowed inside #[tenant_scoped]"#,
    ),
    refused(
        "set_config on any setting",
        1,
        "SELECT set_config('work_mem', '1MB', true)",
        r#"cannot scope this query to the tenant (the function `set_config`): set_config can change the tenant setting that row-level security reads, and every other session setting; it is never allowed inside #[tenant_scoped]"#,
    ),
    refused(
        "current_setting of the tenant setting",
        1,
        "SELECT id FROM widgets WHERE owner = current_setting('APP.TENANT_ID')::bigint",
        r#"cannot scope this query to the tenant (`current_setting('APP.TENANT_ID')`): `app.tenant_id` is the runtime's row-level security setting, not the tenant of this query; inside #[tenant_scoped] the tenant is the function's tenant argument, so use that"#,
    ),
    refused(
        "current_setting of a computed name",
        2,
        "SELECT current_setting($1)",
        r#"cannot scope this query to the tenant (the function `current_setting`): its first argument must be a string literal naming a setting other than `app.tenant_id`, so that the rewriter can see which setting it reads"#,
    ),
    refused(
        "a user-defined operator",
        1,
        "SELECT id FROM widgets WHERE name OPERATOR(public.+) 1",
        r#"cannot scope this query to the tenant (the operator `OPERATOR(public.+)`): an operator written with OPERATOR(...) outside pg_catalog may be user-defined, and its function can read any table; use the built-in operator, or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "an operator sqlparser only knows as custom",
        1,
        "SELECT id FROM widgets WHERE name ~~~ 'x'",
        r#"cannot scope this query to the tenant (the operator `~~~`): it is not an operator the rewriter knows to be built in, and a user-defined operator's function can read any table; use a built-in operator or function, or mark the query `unscoped = "reason"`"#,
    ),
    scoped(
        "current_setting of another setting",
        1,
        "SELECT current_setting('TimeZone'), id FROM widgets",
        "SELECT current_setting('TimeZone'), id FROM widgets WHERE widgets.tenant_id = $1",
    ),
    scoped(
        "built-ins that read no table, anywhere",
        2,
        "SELECT lower(w.name), count(*), coalesce(max(w.id), 0), pg_catalog.upper(w.name) FROM widgets w WHERE w.created > now() - interval '1 day' AND length(w.name) > $1 GROUP BY 1, 4 HAVING sum(w.id) > 0 ORDER BY jsonb_build_object('a', 1) ->> 'a'",
        r#"SELECT lower(w.name), count(*), coalesce(max(w.id), 0), pg_catalog.upper(w.name) FROM widgets w WHERE (w.created > now() - INTERVAL '1 day' AND length(w.name) > $1) AND w.tenant_id = $2 GROUP BY 1, 4 HAVING sum(w.id) > 0 ORDER BY jsonb_build_object('a', 1) ->> 'a'"#,
    ),
    scoped(
        "a built-in operator written with OPERATOR(pg_catalog.op)",
        1,
        "SELECT id FROM widgets WHERE id OPERATOR(pg_catalog.=) 1",
        "SELECT id FROM widgets WHERE (id OPERATOR(pg_catalog.=) 1) AND widgets.tenant_id = $1",
    ),
    refused(
        "table function outside the allow-list",
        2,
        "SELECT * FROM my_func($1)",
        r#"cannot scope this query to the tenant (the table function `my_func`): a function in FROM can read any table, and the rewriter cannot see inside it (only built-ins that compute their rows from their arguments, such as generate_series, unnest or jsonb_each, are allowed); select from the tables directly, declare it #[tenant_scoped(trusted_functions = [my_func], reason = "...")] if it reads no tenant data, or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "allow-listed name in another schema",
        1,
        "SELECT * FROM public.generate_series(1, 2)",
        r#"cannot scope this query to the tenant (the table function `public.generate_series`): a function in FROM can read any table, and the rewriter cannot see inside it (only built-ins that compute their rows from their arguments, such as generate_series, unnest or jsonb_each, are allowed); select from the tables directly, declare it #[tenant_scoped(trusted_functions = [public.generate_series], reason = "...")] if it reads no tenant data, or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "XMLTABLE",
        2,
        "SELECT * FROM xmltable('/a' PASSING $1 COLUMNS a int)",
        r#"cannot scope this query to the tenant (`XMLTABLE('/a' PASSING $1 COLUMNS a INT)` in FROM): the rewriter does not know which tables this reads; mark the query `unscoped = "reason"` if it is safe"#,
    ),
    refused(
        "schema-qualified table without alias in a FULL JOIN",
        1,
        "SELECT * FROM app.widgets FULL JOIN owners o ON o.id = app.widgets.owner_id",
        "cannot scope this query to the tenant (`app.widgets` in this join): the rewriter filters it in a subquery, which needs a plain name; give it an alias: `app.widgets AS widgets`",
    ),
    refused(
        "aliased parenthesised join",
        1,
        "SELECT * FROM (widgets w JOIN owners o ON o.id = w.owner_id) AS j",
        "cannot scope this query to the tenant (the parenthesised join aliased `j`): the alias hides the names of the tables inside, so their tenant predicates cannot refer to them; remove the alias",
    ),
    refused(
        "column aliases on a scoped table",
        1,
        "SELECT w.a FROM widgets AS w(a, tenant_id)",
        "cannot scope this query to the tenant (`widgets AS w (a, tenant_id)`): column aliases rename the table's columns by position, so `w.tenant_id` might not be the tenant column; alias the columns in the select list instead",
    ),
    refused(
        "subquery in a WINDOW definition",
        1,
        "SELECT sum(x) OVER win FROM t WINDOW win AS (PARTITION BY (SELECT 1 FROM u))",
        r#"cannot scope this query to the tenant (the window definition `win AS (PARTITION BY (SELECT 1 FROM u))`): it contains a subquery in a position the rewriter does not walk; move the subquery into a CTE or a join, or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "UPDATE of the tenant column",
        3,
        "UPDATE widgets SET tenant_id = $1 WHERE id = $2",
        "cannot scope this query to the tenant (`UPDATE` that assigns `tenant_id`): moving a row to another tenant is not allowed inside #[tenant_scoped]; remove the assignment",
    ),
    refused(
        "UPDATE of the tenant column in a tuple",
        3,
        "UPDATE widgets SET (name, tenant_id) = ($1, $2)",
        "cannot scope this query to the tenant (`UPDATE` that assigns `tenant_id`): moving a row to another tenant is not allowed inside #[tenant_scoped]; remove the assignment",
    ),
    refused(
        "INSERT without a column list",
        3,
        "INSERT INTO widgets VALUES ($1, $2)",
        "cannot scope this query to the tenant (`INSERT INTO widgets` without a column list): the rewriter adds `tenant_id` to the column list, so list the columns explicitly: `INSERT INTO widgets (col, ...) ...`",
    ),
    refused(
        "INSERT of the tenant column",
        3,
        "INSERT INTO widgets (id, tenant_id) VALUES ($1, $2)",
        "cannot scope this query to the tenant (`INSERT INTO widgets` that sets `tenant_id`): #[tenant_scoped] fills `tenant_id` from the tenant argument; remove it from the column list and the values",
    ),
    refused(
        "INSERT DEFAULT VALUES",
        1,
        "INSERT INTO widgets DEFAULT VALUES",
        "cannot scope this query to the tenant (`INSERT INTO widgets` without a column list): the rewriter adds `tenant_id` to the column list, so list the columns explicitly: `INSERT INTO widgets (col, ...) ...`",
    ),
    refused(
        "INSERT ... TABLE",
        1,
        "INSERT INTO widgets (id) TABLE drafts",
        "cannot scope this query to the tenant (`TABLE drafts`): write it as `SELECT * FROM ...` so that it can be filtered",
    ),
    refused(
        "ON CONFLICT DO UPDATE of the tenant column",
        2,
        "INSERT INTO widgets (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET tenant_id = excluded.tenant_id",
        "cannot scope this query to the tenant (`ON CONFLICT DO UPDATE` that assigns `tenant_id`): moving a row to another tenant is not allowed inside #[tenant_scoped]; remove the assignment",
    ),
    refused(
        "data-modifying CTE that moves rows",
        2,
        "WITH x AS (UPDATE widgets SET tenant_id = $1 RETURNING id) SELECT id FROM x",
        "cannot scope this query to the tenant (`UPDATE` that assigns `tenant_id`): moving a row to another tenant is not allowed inside #[tenant_scoped]; remove the assignment",
    ),
    refused(
        "two statements",
        1,
        "SELECT 1; SELECT 2",
        "cannot scope this query to the tenant (2 statements): a query must contain exactly one statement; split it into one query per statement",
    ),
    refused(
        "unparsable SQL",
        1,
        "SELEC 1",
        r#"cannot scope this query to the tenant (this query): the rewriter could not parse it (sql parser error: Expected: an SQL statement, found: SELEC at Line: 1, Column: 1); write it in a form that sqlparser's PostgreSQL dialect accepts, or mark the query `unscoped = "reason"`"#,
    ),
    refused(
        "empty query",
        1,
        "",
        "cannot scope this query to the tenant (an empty query): there is no statement",
    ),
];
