//! The type checker (`secure_pg_sql::typecheck`) against a real server.
//!
//! The checker's fixture schema is laid out as sqlx migrations in a temp
//! directory and loaded into a catalog; the same DDL is applied to a real
//! database. Every query of the corpus is `PREPARE`d by the server: the
//! parameter and column types we infer must be the ones it reports (type
//! OIDs, printed by the server's own `format_type(oid, NULL)`), and so must
//! the column names. Then crafted rows (a NULL in every nullable column,
//! parents without children for the outer joins) are put in, every query is
//! executed with sample arguments, and no column we call non-null may come
//! back NULL.

use std::collections::{BTreeMap, HashMap};

use secure_pg_sql::schema::load;
use secure_pg_sql::typecheck::{check, strip_typmod, wire, Typed, Wire};
use secure_pg_tests::temp_dir;
use tokio_postgres::{Client, SimpleQueryMessage};

use super::cluster;
use crate::support::try_connect;

const DB: &str = "typecheck_diff";
const FIXTURE: &str = include_str!("../../../../secure-pg-sql/src/typecheck/fixture.sql");

/// Rows with a NULL wherever a column allows one, and parents without
/// children (owner 3 has no widgets, widget 3 no parts).
const DATA: &str = "
INSERT INTO owners (id, name) VALUES (1, 'one');
INSERT INTO owners (id, name, contact, tenant_id, handle) VALUES (2, 'two', 'a@b', 2, 'h');
INSERT INTO owners (id, name) VALUES (3, 'three');
INSERT INTO widgets (id, owner_id, qty) VALUES (1, 1, 1);
INSERT INTO widgets (id, owner_id, price, ratio, approx, flag, label, code, tags, feeling, qty, small, local_at, day, doc, raw, uid)
    VALUES (2, 2, 5, 0.5, 0.25, true, 'lbl', 'abc', '{a,b}', 'happy', 2, 3, '2024-01-01', '2024-01-01', '{\"k\": 1}', '\\x00', '00000000-0000-0000-0000-000000000001');
UPDATE widgets SET flag = NULL, feeling = NULL WHERE id = 1;
INSERT INTO widgets (id, owner_id, qty, label) VALUES (3, 2, 3, 'three');
INSERT INTO parts (id, widget_id, name) VALUES (1, NULL, 'loose');
INSERT INTO parts (id, widget_id, name, weight) VALUES (2, 1, 'bolt', 1.5);
INSERT INTO events (id, owner_id, kind) VALUES (1, NULL, 'ok');
INSERT INTO events (id, owner_id, kind) VALUES (2, 1, 'sad');
INSERT INTO notes (id, body, score) VALUES (1, 'n', 1);
";

/// The corpus: queries written to cover the checker's rules, each valid
/// against the fixture schema.
const HANDWRITTEN: &[&str] = &[
    // Plain selects, wildcards, aliases, quoting.
    "SELECT * FROM owners",
    "SELECT * FROM widgets",
    "SELECT w.* FROM widgets w",
    "SELECT o.*, w.id AS wid FROM owners o JOIN widgets w ON w.owner_id = o.id",
    "SELECT id AS \"Id\", name AS n FROM owners",
    "SELECT \"id\", NAME FROM owners",
    "SELECT public.owners.id FROM public.owners",
    "SELECT o.id FROM public.owners o",
    "SELECT * FROM parts",
    "SELECT * FROM events",
    "SELECT * FROM notes",
    // Views.
    "SELECT * FROM widget_owners",
    "SELECT id, label, owner_name, double_price FROM widget_owners WHERE id = $1",
    "SELECT * FROM part_widgets",
    "SELECT pw.label FROM part_widgets pw WHERE pw.name = $1",
    // Joins and nullability.
    "SELECT o.id, w.id, w.label FROM owners o LEFT JOIN widgets w ON w.owner_id = o.id",
    "SELECT o.id, w.id FROM widgets w RIGHT JOIN owners o ON w.owner_id = o.id",
    "SELECT o.id, w.id FROM widgets w FULL JOIN owners o ON w.owner_id = o.id",
    "SELECT o.name, w.price, p.name FROM owners o LEFT JOIN widgets w ON w.owner_id = o.id LEFT JOIN parts p ON p.widget_id = w.id",
    "SELECT o.name, w.price, p.name FROM owners o JOIN widgets w ON w.owner_id = o.id LEFT JOIN parts p ON p.widget_id = w.id",
    "SELECT o.name, p.name FROM owners o LEFT JOIN (widgets w JOIN parts p ON p.widget_id = w.id) ON w.owner_id = o.id",
    "SELECT w.id, p.id FROM parts p LEFT JOIN widgets w ON w.id = p.widget_id WHERE p.name = $1",
    "SELECT o.id, x.n FROM owners o LEFT JOIN (SELECT owner_id, count(*) AS n FROM widgets GROUP BY owner_id) x ON x.owner_id = o.id",
    "SELECT o.id, e.kind FROM owners o LEFT JOIN events e ON e.owner_id = o.id AND e.kind = $1",
    "SELECT a.id, b.id FROM owners a CROSS JOIN owners b",
    "SELECT a.id, b.id FROM owners a, widgets b WHERE b.owner_id = a.id",
    "SELECT owner_id, w.id FROM widgets w JOIN owners o USING (id)",
    "SELECT id, w.id, o.id FROM widgets w JOIN owners o USING (id)",
    "SELECT id FROM widgets w FULL JOIN owners o USING (id)",
    "SELECT w.id, o.name FROM widgets w INNER JOIN owners o ON o.id = w.owner_id WHERE o.tenant_id = $1",
    "SELECT w.label, o.handle FROM widgets w LEFT OUTER JOIN owners o ON o.id = w.owner_id",
    "SELECT o.id, l.id FROM owners o LEFT JOIN LATERAL (SELECT w.id FROM widgets w WHERE w.owner_id = o.id ORDER BY w.id LIMIT 1) l ON true",
    // CTEs and derived tables.
    "WITH x AS (SELECT id, name FROM owners) SELECT * FROM x",
    "WITH x AS (SELECT w.id FROM owners o LEFT JOIN widgets w ON w.owner_id = o.id) SELECT id FROM x",
    "WITH x (a, b) AS (SELECT id, label FROM widgets) SELECT a, b FROM x WHERE a = $1",
    "WITH x AS (SELECT id FROM widgets), y AS (SELECT id FROM x WHERE id > $1) SELECT * FROM y",
    "SELECT d.id FROM (SELECT id FROM widgets WHERE price > $1) d",
    "SELECT d.c FROM (SELECT count(*) AS c FROM widgets) d",
    "SELECT d.m FROM (SELECT max(price) AS m FROM widgets) AS d",
    "SELECT t.a, t.b FROM (SELECT id, name FROM owners) AS t (a, b)",
    // WHERE and parameters.
    "SELECT id FROM widgets WHERE owner_id = $1",
    "SELECT id FROM widgets WHERE $1 = owner_id",
    "SELECT id FROM widgets WHERE id = $1",
    "SELECT id FROM widgets WHERE small = $1",
    "SELECT id FROM widgets WHERE price >= $1 AND price < $2",
    "SELECT id FROM widgets WHERE ratio > $1",
    "SELECT id FROM widgets WHERE approx <= $1",
    "SELECT id FROM widgets WHERE flag = $1",
    "SELECT id FROM widgets WHERE flag",
    "SELECT id FROM widgets WHERE NOT flag",
    "SELECT id FROM widgets WHERE label = $1",
    "SELECT id FROM widgets WHERE label <> $1",
    "SELECT id FROM widgets WHERE code = $1",
    "SELECT id FROM widgets WHERE tags = $1",
    "SELECT id FROM widgets WHERE feeling = $1",
    "SELECT id FROM widgets WHERE feeling = 'happy'",
    "SELECT id FROM widgets WHERE qty = $1",
    "SELECT id FROM widgets WHERE qty > $1",
    "SELECT id FROM widgets WHERE made_at > $1",
    "SELECT id FROM widgets WHERE local_at < $1",
    "SELECT id FROM widgets WHERE day = $1",
    "SELECT id FROM widgets WHERE doc = $1",
    "SELECT id FROM widgets WHERE raw = $1",
    "SELECT id FROM widgets WHERE uid = $1",
    "SELECT id FROM owners WHERE contact = $1",
    "SELECT id FROM owners WHERE handle = $1",
    "SELECT id FROM owners WHERE name = $1 OR handle = $2",
    "SELECT id FROM widgets WHERE label LIKE $1",
    "SELECT id FROM widgets WHERE label ILIKE $1",
    "SELECT id FROM widgets WHERE label NOT LIKE $1",
    "SELECT id FROM owners WHERE name LIKE $1",
    "SELECT id FROM owners WHERE contact LIKE $1",
    "SELECT id FROM widgets WHERE code LIKE $1",
    "SELECT id FROM widgets WHERE id IN ($1, $2, $3)",
    "SELECT id FROM widgets WHERE owner_id NOT IN ($1)",
    "SELECT id FROM widgets WHERE feeling IN ('ok', 'happy')",
    "SELECT id FROM widgets WHERE label IN ($1, 'x')",
    "SELECT id FROM widgets WHERE id BETWEEN $1 AND $2",
    "SELECT id FROM widgets WHERE made_at BETWEEN $1 AND $2",
    "SELECT id FROM widgets WHERE day NOT BETWEEN $1 AND $2",
    "SELECT id FROM widgets WHERE id = ANY($1)",
    "SELECT id FROM widgets WHERE owner_id = ANY($1)",
    "SELECT id FROM widgets WHERE label = ANY($1)",
    "SELECT id FROM widgets WHERE feeling = ANY($1)",
    "SELECT id FROM widgets WHERE uid = ANY($1)",
    "SELECT id FROM widgets WHERE id <> ALL($1)",
    "SELECT id FROM widgets WHERE $1 = ANY(tags)",
    "SELECT id FROM widgets WHERE price + $1 > $2",
    "SELECT id FROM widgets WHERE id * $1 = $2",
    "SELECT id FROM widgets WHERE label IS NULL",
    "SELECT id FROM widgets WHERE label IS NOT NULL AND flag IS TRUE",
    "SELECT id FROM widgets WHERE label IS DISTINCT FROM $1",
    "SELECT id FROM widgets WHERE owner_id IN (SELECT id FROM owners WHERE name = $1)",
    "SELECT id FROM owners o WHERE EXISTS (SELECT 1 FROM widgets w WHERE w.owner_id = o.id AND w.label = $1)",
    "SELECT id FROM owners o WHERE NOT EXISTS (SELECT 1 FROM widgets w WHERE w.owner_id = o.id)",
    "SELECT id FROM widgets WHERE price > (SELECT avg(price) FROM widgets)",
    "SELECT id FROM widgets WHERE label ~ $1",
    "SELECT id FROM widgets WHERE doc @> $1",
    "SELECT id FROM widgets WHERE tags @> $1",
    "SELECT id FROM widgets WHERE id = $1::integer",
    "SELECT id FROM widgets WHERE made_at > now() - $1::interval",
    "SELECT id FROM widgets WHERE made_at > now() - interval '1 day'",
    "SELECT id FROM widgets WHERE made_at - $1 > interval '1 hour'",
    "SELECT id FROM widgets WHERE day - $1 > 3",
    "SELECT id FROM widgets WHERE (label = $1) = $2",
    "SELECT id FROM widgets WHERE feeling = $1::mood",
    "SELECT id FROM widgets WHERE owner_id = CAST($1 AS bigint)",
    "SELECT id FROM widgets WHERE label || $1 = $2",
    "SELECT id FROM widgets WHERE lower(label) = lower($1)",
    "SELECT id FROM widgets WHERE length(label) > $1",
    "SELECT id FROM widgets WHERE coalesce(label, $1) = $2",
    "SELECT id FROM widgets WHERE doc ->> $1 = $2",
    // Range containment of an element.
    "SELECT '[1,2)'::int4range @> 1 AS a, 1 <@ '[1,2)'::int4range AS b, '[2024-01-01,2024-02-01)'::tstzrange @> made_at AS c FROM widgets",
    "SELECT '[1,2)'::int4range @> $1",
    "SELECT $1 <@ '[1,2)'::int4range",
    // Set-returning functions with one column.
    "SELECT regexp_matches(label, $1) AS m, regexp_split_to_table(name, $2, $3) FROM widgets, owners",
    "SELECT m, s, i FROM widgets w, regexp_matches(w.label, $1, $2) AS m, regexp_split_to_table($3, $4) s, generate_subscripts(w.tags, 1) AS i",
    "SELECT generate_subscripts(tags, $1, $2) FROM widgets",
    "SELECT * FROM regexp_matches($1, $2) WITH ORDINALITY",
    // Record functions with a column definition list.
    "SELECT * FROM jsonb_to_recordset($1) AS x(a int, b text)",
    "SELECT x.a, x.\"B\", r.n FROM widgets w, jsonb_to_record(w.doc) AS x(a bigint, \"B\" varchar(3)), json_to_recordset('[{\"n\":1}]') r(n numeric)",
    "SELECT * FROM jsonb_to_record($1) AS x(m mood, q posint)",
    // Array `||` and `&&`, range `&&`, `jsonb - key`.
    "SELECT ARRAY[id] || small AS c, tags || label AS f, label || tags AS g, tags || tags AS h FROM widgets",
    "SELECT tags || $1 AS a, $2 || tags AS b FROM widgets",
    "SELECT tags && '{a}' AS t, tags && $1 AS p FROM widgets",
    "SELECT '[1,2)'::int4range && $1",
    "SELECT payload - 'a' AS a, payload - 1 AS c, doc - tags AS d, doc - label AS e FROM events, widgets",
    "SELECT payload - $1 FROM events",
    // The jsonb key and path operators.
    "SELECT doc #- '{a,0}' AS d, doc ? 'k' AS k, payload #- '{}' AS p FROM widgets, events",
    "SELECT id FROM events WHERE payload ?| $1 AND payload ?& $2 AND payload ? $3",
    "UPDATE events SET payload = payload #- $1 WHERE id = $2 RETURNING payload",
    "SELECT payload ?| tags AS t, payload ? label AS l FROM events, widgets",
    "SELECT id FROM widgets WHERE doc -> 'k' = $1",
    // Output expressions.
    "SELECT 1",
    "SELECT 1 AS one, 'x' AS s, true AS t, NULL AS n, 1.5 AS f",
    "SELECT 3000000000 AS big, -1 AS neg, 1e3 AS sci",
    "SELECT id + 1, id * 2, id / 2, id % 2, -id FROM widgets",
    "SELECT price * 2, price + 1, price - ratio, price * qty FROM widgets",
    "SELECT small + small, small + 1, small * id, id + owner_id FROM widgets",
    "SELECT ratio + approx, approx * 2, approx + 1.5, ratio * 2 FROM widgets",
    "SELECT made_at + interval '1 day', made_at - interval '1 hour', now() - made_at FROM widgets",
    "SELECT day + 1, day - 1, day - day, day + interval '1 day' FROM widgets",
    "SELECT local_at - local_at, local_at + interval '2 minutes' FROM widgets",
    "SELECT label || 'x', 'x' || name, name || handle FROM widgets w JOIN owners o ON o.id = w.owner_id",
    "SELECT id = 1, label = 'x', price > 0, label LIKE 'a%' FROM widgets",
    "SELECT id IS NULL, label IS NULL, flag IS NOT TRUE FROM widgets",
    "SELECT id IN (1, 2), label IN ('a', 'b'), id BETWEEN 1 AND 3 FROM widgets",
    "SELECT flag AND id > 1, flag OR label IS NULL, NOT flag FROM widgets",
    "SELECT coalesce(label, 'none'), coalesce(label, code), coalesce(ratio, 0), coalesce(flag, false) FROM widgets",
    "SELECT coalesce(label, $1) FROM widgets",
    "SELECT coalesce($1, label) AS l FROM widgets",
    "SELECT coalesce(qty, 0), coalesce(small, id), coalesce(small, 1) FROM widgets",
    "SELECT nullif(label, 'x'), nullif(id, 0) FROM widgets",
    "SELECT greatest(id, small), least(price, 1) FROM widgets",
    "SELECT CASE WHEN flag THEN 'yes' ELSE 'no' END FROM widgets",
    "SELECT CASE WHEN flag THEN label END AS c FROM widgets",
    "SELECT CASE feeling WHEN 'ok' THEN 1 WHEN 'sad' THEN 2 ELSE 3 END FROM widgets",
    "SELECT CASE WHEN id > $1 THEN price ELSE 0 END FROM widgets",
    "SELECT CASE WHEN flag THEN id ELSE owner_id END FROM widgets",
    "SELECT lower(label), upper(name), initcap(name), btrim(name), md5(name), reverse(name) FROM widgets w JOIN owners o ON o.id = w.owner_id",
    "SELECT length(label), char_length(name), octet_length(name) FROM widgets w JOIN owners o ON o.id = w.owner_id",
    "SELECT left(name, 2), right(name, 1), lpad(name, 5, '*'), repeat(name, 2), replace(name, 'a', 'b'), split_part(name, ',', 1), strpos(name, 'a') FROM owners",
    "SELECT starts_with(name, $1), starts_with(handle, 'a'), id FROM owners WHERE starts_with(name, $2)",
    "SELECT concat(name, handle), concat_ws('-', name, handle) FROM owners",
    "SELECT now(), current_timestamp, current_date, gen_random_uuid(), random()",
    "SELECT abs(price), abs(id), round(price), round(price, 1), round(ratio), trunc(price) FROM widgets",
    "SELECT mod(id, 2), mod(owner_id, $1) FROM widgets",
    "SELECT date_trunc('day', made_at), date_trunc('hour', local_at), date_part('year', made_at), extract(year FROM made_at) FROM widgets",
    "SELECT to_char(made_at, 'YYYY'), to_char(price, '999') FROM widgets",
    "SELECT jsonb_build_object('id', id, 'label', label), to_jsonb(label), doc -> 'k', doc ->> 'k', doc #> '{k}' FROM widgets",
    "SELECT array_length(tags, 1), cardinality(tags), ARRAY[id, owner_id], ARRAY[label] FROM widgets",
    "SELECT id::text, id::bigint, price::float8, label::text, '1'::integer, made_at::date FROM widgets",
    "SELECT CAST(id AS numeric), CAST(label AS varchar(10)), CAST('ok' AS mood) FROM widgets",
    "SELECT $1::text, $2::bigint, $3::timestamptz, $4::uuid, $5::mood, $6::integer[]",
    "SELECT $1::int + id FROM widgets",
    "SELECT made_at AT TIME ZONE 'UTC', local_at AT TIME ZONE $1 FROM widgets",
    "SELECT position('a' IN name), substring(name FROM 1 FOR 2), trim(name), ceil(price), floor(ratio) FROM widgets w JOIN owners o ON o.id = w.owner_id",
    "SELECT DATE '2024-01-01', TIMESTAMPTZ '2024-01-01 00:00:00+00', INTERVAL '1 day'",
    "SELECT (SELECT max(id) FROM widgets) AS m, (SELECT count(*) FROM parts) AS c",
    "SELECT o.id, (SELECT count(*) FROM widgets w WHERE w.owner_id = o.id) AS n FROM owners o",
    "SELECT o.id, (SELECT w.label FROM widgets w WHERE w.owner_id = o.id LIMIT 1) FROM owners o",
    "SELECT EXISTS (SELECT 1 FROM widgets WHERE label = $1)",
    "SELECT id, id IN (SELECT widget_id FROM parts) FROM widgets",
    "SELECT my.id FROM (SELECT id FROM widgets) my WHERE my.id = $1",
    // Aggregates and grouping.
    "SELECT count(*) FROM widgets",
    "SELECT count(*), count(label), count(DISTINCT owner_id) FROM widgets",
    "SELECT sum(id), sum(owner_id), sum(price), sum(ratio), sum(approx), sum(small) FROM widgets",
    "SELECT avg(id), avg(price), avg(ratio), avg(small) FROM widgets",
    "SELECT min(w.id), max(label), min(made_at), max(feeling), min(code), max(name) FROM widgets w JOIN owners o ON o.id = w.owner_id",
    "SELECT bool_and(flag), bool_or(flag), string_agg(label, ','), array_agg(id), jsonb_agg(label) FROM widgets",
    "SELECT owner_id, count(*), sum(price), max(made_at), min(label) FROM widgets GROUP BY owner_id",
    "SELECT owner_id, count(*) FROM widgets GROUP BY owner_id HAVING count(*) > $1",
    "SELECT owner_id AS o, avg(price) FROM widgets GROUP BY o ORDER BY o",
    "SELECT owner_id, sum(price) FILTER (WHERE flag) FROM widgets GROUP BY 1",
    "SELECT o.name, count(w.id) FROM owners o LEFT JOIN widgets w ON w.owner_id = o.id GROUP BY o.name",
    "SELECT o.name, max(w.id) FROM owners o LEFT JOIN widgets w ON w.owner_id = o.id GROUP BY o.name",
    "SELECT feeling, count(*) FROM widgets GROUP BY feeling",
    "SELECT count(*) FROM widgets WHERE owner_id = $1",
    "SELECT sum(price) FROM widgets WHERE owner_id = $1",
    "SELECT coalesce(sum(price), 0) FROM widgets WHERE owner_id = $1",
    "SELECT id, row_number() OVER (ORDER BY id), rank() OVER (PARTITION BY owner_id ORDER BY price) FROM widgets",
    "SELECT id, lag(label) OVER (ORDER BY id), sum(price) OVER (PARTITION BY owner_id) FROM widgets",
    "SELECT DISTINCT owner_id FROM widgets",
    "SELECT DISTINCT ON (owner_id) owner_id, id FROM widgets ORDER BY owner_id, id",
    // ORDER BY, LIMIT, OFFSET.
    "SELECT id FROM widgets ORDER BY id DESC LIMIT $1",
    "SELECT id FROM widgets ORDER BY id LIMIT $1 OFFSET $2",
    "SELECT id FROM widgets ORDER BY label NULLS FIRST, 1 LIMIT 10 OFFSET 5",
    "SELECT id AS k FROM widgets ORDER BY k",
    "SELECT id FROM widgets ORDER BY price * $1",
    "SELECT id FROM widgets LIMIT $1::integer",
    // Set operations.
    "SELECT id FROM owners UNION SELECT owner_id FROM widgets",
    "SELECT id FROM widgets UNION ALL SELECT small FROM widgets",
    "SELECT id::bigint AS id FROM widgets UNION ALL SELECT id FROM owners",
    "SELECT label FROM widgets UNION SELECT name FROM owners",
    "SELECT label FROM widgets INTERSECT SELECT handle FROM owners",
    "SELECT name FROM owners EXCEPT SELECT label FROM widgets",
    "SELECT id, name FROM owners WHERE id = $1 UNION ALL SELECT id, name FROM owners WHERE name = $2",
    "SELECT id FROM owners UNION SELECT id FROM owners ORDER BY id LIMIT $1",
    "SELECT 1 AS a UNION ALL SELECT 2",
    "SELECT 'a' AS s UNION SELECT 'b'",
    "SELECT ratio FROM widgets UNION ALL SELECT price FROM widgets",
    // An untyped branch column takes the other branch's type.
    "SELECT flag FROM widgets UNION ALL SELECT NULL AS flag",
    "SELECT NULL AS x, id FROM owners UNION SELECT id, NULL FROM widgets",
    "SELECT 'a' UNION SELECT label FROM widgets",
    "SELECT NULL UNION SELECT NULL",
    "SELECT $1 UNION SELECT $2",
    "SELECT $1 EXCEPT SELECT id FROM owners",
    "SELECT qty FROM widgets UNION SELECT NULL",
    "SELECT id, $1 FROM owners INTERSECT SELECT id, label FROM widgets",
    "VALUES (1, 'a'), (2, 'b')",
    // Writes.
    "INSERT INTO owners (name) VALUES ($1)",
    "INSERT INTO owners (name, contact, tenant_id, handle) VALUES ($1, $2, $3, $4)",
    "INSERT INTO owners (name) VALUES ($1) RETURNING id",
    "INSERT INTO owners (name) VALUES ($1) RETURNING *",
    "INSERT INTO owners (name) VALUES ('a'), ('b') RETURNING id, name, handle",
    "INSERT INTO owners (id, name) VALUES (DEFAULT, $1)",
    "INSERT INTO owners VALUES (DEFAULT, $1, $2, $3, $4)",
    "INSERT INTO widgets (owner_id) VALUES ($1)",
    "INSERT INTO widgets (owner_id, price, ratio, approx, flag, label, code, tags, feeling, qty, small, made_at, local_at, day, doc, raw, uid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id, seq, doubled",
    "INSERT INTO widgets (owner_id, feeling) VALUES ($1, 'sad') RETURNING feeling",
    "INSERT INTO widgets (owner_id, seq) OVERRIDING SYSTEM VALUE VALUES ($1, $2)",
    "INSERT INTO parts (name, widget_id) VALUES ($1, $2) RETURNING id, made_on",
    "INSERT INTO parts (id, name) VALUES ($1, $2)",
    "INSERT INTO events (kind, owner_id) VALUES ($1, $2) RETURNING id, at, payload",
    "INSERT INTO notes (body, score) VALUES ($1, $2) RETURNING *",
    "INSERT INTO owners (name, tenant_id) VALUES ($1, $2) ON CONFLICT (tenant_id, name) DO NOTHING",
    "INSERT INTO owners (name, tenant_id) VALUES ($1, $2) ON CONFLICT (tenant_id, name) DO UPDATE SET handle = $3 RETURNING id",
    "INSERT INTO owners (name, tenant_id, handle) VALUES ($1, $2, $3) ON CONFLICT (name, tenant_id) DO UPDATE SET handle = excluded.handle",
    "INSERT INTO owners (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE owners.tenant_id = $3",
    "INSERT INTO owners (id, name) VALUES ($1, $2) ON CONFLICT ON CONSTRAINT owners_pkey DO NOTHING",
    "INSERT INTO widgets (owner_id, label) VALUES ($1, $2) ON CONFLICT (label) DO NOTHING",
    "INSERT INTO owners (name) SELECT name FROM owners WHERE id = $1",
    "INSERT INTO owners AS o (name) VALUES ($1) ON CONFLICT (id) DO UPDATE SET name = o.name || 'x'",
    "UPDATE widgets SET label = $1 WHERE id = $2",
    "UPDATE widgets SET price = price + $1, flag = $2 WHERE owner_id = $3 RETURNING id, price",
    "UPDATE widgets SET feeling = 'sad', tags = $1 WHERE id = $2",
    "UPDATE widgets SET qty = $1 WHERE id = $2 RETURNING qty",
    "UPDATE widgets w SET label = o.name FROM owners o WHERE o.id = w.owner_id AND o.id = $1 RETURNING w.id, o.handle",
    "UPDATE owners SET handle = NULL WHERE id = $1 RETURNING handle",
    "UPDATE widgets SET made_at = now() WHERE made_at < $1",
    "UPDATE widgets SET doc = $1, raw = $2, uid = $3, day = $4 WHERE id = $5",
    "UPDATE parts SET weight = weight * $1 WHERE widget_id = $2",
    "DELETE FROM widgets WHERE id = $1",
    "DELETE FROM widgets WHERE owner_id = $1 RETURNING id, label",
    "DELETE FROM parts p USING widgets w WHERE p.widget_id = w.id AND w.owner_id = $1 RETURNING p.id, w.label",
    "DELETE FROM events WHERE at < $1 AND kind = $2",
    "DELETE FROM notes RETURNING *",
    "WITH gone AS (SELECT id FROM widgets WHERE owner_id = $1) SELECT count(*) FROM gone",
    // Functions in FROM.
    "SELECT * FROM unnest($1::integer[])",
    "SELECT x FROM unnest($1::text[]) AS u (x)",
    "SELECT u FROM unnest($1::bigint[]) u",
    "SELECT w.id, t FROM widgets w, unnest(w.tags) t",
    "SELECT g FROM generate_series(1, 10) g",
    "SELECT g.n FROM generate_series(1, $1) AS g (n)",
    "SELECT * FROM generate_series($1::bigint, 100)",
    "SELECT g FROM generate_series(1.5, 3) g",
    "SELECT d FROM generate_series($1::timestamptz, now(), '1 day') d",
    "SELECT d FROM generate_series('2024-01-01'::timestamp, '2024-01-03', $1) d",
    "SELECT w.id, g FROM widgets w, generate_series(1, w.qty) g WHERE w.owner_id = $1",
    "SELECT s.pid FROM pg_backend_pid() AS s (pid)",
    "SELECT * FROM pg_sleep(0)",
    "SELECT * FROM now()",
    "SELECT l FROM lower($1) l",
    // Recursive CTEs.
    "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r",
    "WITH RECURSIVE r AS (SELECT $1::bigint AS n UNION SELECT n * 2 FROM r WHERE n < $2) SELECT n FROM r",
    "WITH RECURSIVE chain AS (SELECT id, widget_id FROM parts WHERE id = $1 UNION SELECT p.id, p.widget_id FROM parts p JOIN chain c ON p.id = c.widget_id) SELECT * FROM chain",
    "WITH RECURSIVE t (id, label) AS (SELECT id, 'x'::varchar(40) FROM widgets WHERE id = $1 UNION ALL SELECT w.id, w.label FROM t JOIN widgets w ON w.id = t.id + 1) SELECT id, label FROM t",
    "WITH RECURSIVE up (id, owner) AS (SELECT id, owner_id FROM widgets WHERE id = $1 UNION ALL SELECT w.id, o.id FROM up JOIN widgets w ON w.id = up.id + 1 LEFT JOIN owners o ON o.id = w.owner_id) SELECT up.id, up.owner FROM up",
    "WITH RECURSIVE a AS (SELECT 1 AS x), b AS (SELECT x FROM a UNION ALL SELECT x + 1 FROM b WHERE x < 2) SELECT x FROM b",
    // Data-modifying statements in WITH, and WITH before a write.
    "WITH gone AS (DELETE FROM parts WHERE widget_id = $1 RETURNING id, name) SELECT count(*) FROM gone",
    "WITH gone AS (DELETE FROM parts WHERE widget_id = $1 RETURNING id, weight) SELECT id, weight FROM gone",
    "WITH moved AS (UPDATE widgets SET small = $1 WHERE owner_id = $2 RETURNING id, label) SELECT m.id, m.label, o.name FROM moved m JOIN owners o ON o.id = $2",
    "WITH src AS (SELECT id FROM owners WHERE name = $1) INSERT INTO events (owner_id, kind) SELECT id, 'ok' FROM src RETURNING id, owner_id",
    "WITH cheap AS (SELECT id FROM widgets WHERE price < $1) UPDATE widgets SET price = price * 2 WHERE id IN (SELECT id FROM cheap) RETURNING id, price",
    "WITH old AS (SELECT id FROM notes WHERE score < $1) DELETE FROM notes WHERE id IN (SELECT id FROM old) RETURNING body",
    "WITH n AS (INSERT INTO notes (body, score) VALUES ($1, 1) RETURNING id) INSERT INTO parts (widget_id, name) SELECT $2, 'p' FROM n RETURNING id, widget_id",
    // ARRAY(subquery).
    "SELECT o.id, ARRAY(SELECT w.label FROM widgets w WHERE w.owner_id = o.id ORDER BY w.id) FROM owners o",
    "SELECT ARRAY(SELECT id FROM parts WHERE widget_id = $1)",
    // NATURAL joins, and timestamps plus a parameter.
    "SELECT id, name FROM parts NATURAL JOIN notes",
    "SELECT p.name, n.body FROM parts p NATURAL LEFT JOIN (SELECT id, body FROM notes) n",
    "SELECT id, owner_id FROM widgets NATURAL FULL JOIN (SELECT id, owner_id FROM events) e",
    "SELECT id FROM widgets WHERE made_at > now() + $1",
    "SELECT $1 + made_at, local_at + $2 FROM widgets",
    // Subscripts, and more functions.
    "SELECT tags[1], tags[$1], tags[1:2], tags[:$2] FROM widgets",
    "SELECT id FROM widgets WHERE tags[1] = $1",
    "SELECT doc['k'], doc['k']['j'] FROM widgets",
    "SELECT format('%s-%s', id, label), format($1, id) FROM widgets",
    "SELECT array_to_string(tags, ','), array_to_string(tags, $1, '*') FROM widgets",
    "SELECT array_append(tags, $1), array_prepend($2, tags), array_remove(tags, 'a'), array_position(tags, $3) FROM widgets",
    "SELECT string_to_array($1, ','), regexp_replace(label, $2, $3), regexp_replace(label, 'a', 'b', 'g') FROM widgets",
    "SELECT to_timestamp($1), to_timestamp(1700000000)",
    "SELECT jsonb_array_length(doc), jsonb_typeof(doc), jsonb_pretty(doc), jsonb_strip_nulls(doc) FROM widgets",
    "SELECT jsonb_set(doc, '{k}', $1), jsonb_set(doc, $2, '1', false) FROM widgets",
    "SELECT json_typeof(doc::json), json_array_length('[1]'::json) FROM widgets",
    // Server and session functions.
    "SELECT pg_backend_pid()",
    "SELECT pg_sleep(0)",
    "SELECT pg_sleep($1)",
    "SELECT pg_try_advisory_lock($1), pg_advisory_unlock($1)",
    "SELECT pg_advisory_xact_lock(7)",
    "SELECT current_setting('application_name'), current_setting($1, true)",
    "SELECT set_config('application_name', $1, false)",
    "SELECT inet_server_port(), inet_client_addr(), pg_is_in_recovery()",
    "SELECT current_database(), version(), txid_current()",
    "SELECT current_user, session_user, current_role, current_catalog, current_user::text AS u",
    "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')",
    "SELECT convert_from(decode($1, 'base64'), 'UTF8')",
    "SELECT pg_cancel_backend($1), pg_terminate_backend($2)",
    "SELECT pg_terminate_backend($1, $2)",
    // `||` with a value that is not text.
    "SELECT 'n=' || id FROM widgets",
    "SELECT label || ':' || qty || ':' || made_at FROM widgets",
    "SELECT $1 || id FROM owners",
    // UNNEST of several arrays, WITH ORDINALITY, column aliases; in bulk writes.
    "SELECT * FROM UNNEST($1::text[], $2::int[]) AS u(name, prio)",
    "SELECT * FROM UNNEST($1::text[], $2::int[])",
    "SELECT u.* FROM UNNEST($1::text[], $2::bigint[]) AS u",
    "SELECT * FROM unnest($1::text[]) WITH ORDINALITY",
    "SELECT * FROM unnest($1::text[]) WITH ORDINALITY AS t(x, n)",
    "SELECT t.* FROM unnest($1::bigint[]) WITH ORDINALITY AS t",
    "SELECT * FROM unnest($1::text[], $2::uuid[]) WITH ORDINALITY AS t(a)",
    "SELECT * FROM generate_series(1, 3) WITH ORDINALITY AS g(v, i)",
    "SELECT w.id, t.tag, t.n FROM widgets w, unnest(w.tags) WITH ORDINALITY AS t(tag, n)",
    "INSERT INTO parts (widget_id, name) SELECT * FROM UNNEST($1::int[], $2::text[])",
    "INSERT INTO parts (widget_id, name, weight) SELECT $1, * FROM UNNEST($2::text[], $3::numeric[]) RETURNING id",
    "UPDATE widgets SET label = u.l FROM UNNEST($1::int[], $2::text[]) AS u(i, l) WHERE widgets.id = u.i AND widgets.owner_id = $3",
    // Set-returning functions in the select list; nullif typed from its
    // second argument.
    "SELECT unnest($1::bigint[])",
    "SELECT id, unnest(tags) AS tag, generate_series(1, 2) AS g FROM widgets",
    "SELECT pg_catalog.unnest($1::uuid[]) AS u",
    "WITH t AS (SELECT unnest($1::text[]) AS name) SELECT name FROM t",
    "SELECT nullif($1, 1), nullif('x', label), nullif($2, label) FROM widgets",
    "SELECT abs($1::numeric), date_trunc('day', $2::timestamptz), array_length($3::integer[], 1)",
    // cidr compares with inet's operators.
    "SELECT id FROM widgets WHERE '10.0.0.0/8'::cidr = $1",
    // Row comparisons (keyset pagination) and row assignments.
    "SELECT id FROM widgets WHERE (made_at, id) < ($1, $2) ORDER BY made_at DESC, id DESC LIMIT 10",
    "SELECT id FROM widgets WHERE (owner_id, label) > ($1, $2)",
    "SELECT (o.id, o.name) = ($1, $2) AS same, (o.id, o.handle) <> (1, 'x') AS other FROM owners o",
    "UPDATE widgets SET (label, price) = ($1, $2) WHERE id = $3",
    "UPDATE owners SET (name, handle) = (name || 'x', NULL) WHERE id = $1 RETURNING handle",
    "SELECT json_build_array(id, label), jsonb_build_array(id, $1::text) FROM widgets",
    // json functions that return rows, in FROM.
    "SELECT key, value FROM jsonb_each($1::jsonb)",
    "SELECT w.id, e.key, e.value FROM widgets w, jsonb_each_text(w.doc) AS e",
    "SELECT * FROM jsonb_array_elements($1) AS x",
    "SELECT x.value FROM json_array_elements($1::json) x",
    "SELECT t.v, t.n FROM json_array_elements_text($1::json) WITH ORDINALITY AS t(v, n)",
    "SELECT * FROM pg_catalog.jsonb_each('{}'::jsonb), json_each_text('{}') AS j(k)",
    // Functions applications call.
    "SELECT to_regclass($1), hashtext($2), hashtextextended('a', 0), date_bin('15 minutes', made_at, $3) FROM widgets",
    "SELECT id FROM widgets WHERE to_regclass('widgets') IS NOT NULL AND hashtext(label) = $1",
    "SELECT * FROM pg_tables WHERE tablename = $1 LIMIT 1",
    // Ordered-set aggregates.
    "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY price), percentile_disc($1::float8) WITHIN GROUP (ORDER BY made_at), mode() WITHIN GROUP (ORDER BY label) FROM widgets",
    "SELECT owner_id, percentile_cont(ARRAY[0.25, 0.75]::float8[]) WITHIN GROUP (ORDER BY made_at - made_at), percentile_cont($1::float8[]) WITHIN GROUP (ORDER BY id) FROM widgets GROUP BY owner_id",
    // Procedures, and a function of the migrations.
    "CALL bump_qty($1, $2)",
    "CALL bump_qty(by_n => $1, w => $2)",
    "SELECT widget_total($1), widget_total(owner_id) FROM widgets",
    // Whole rows as JSON.
    "SELECT to_jsonb(w), row_to_json(w), to_json(w), row_to_json(w, $1) FROM widgets w",
    "SELECT to_jsonb(p) FROM widgets w LEFT JOIN parts p ON p.widget_id = w.id",
    "SELECT o.id, (SELECT jsonb_agg(w) FROM widgets w WHERE w.owner_id = o.id), (SELECT json_agg(w ORDER BY w.id) FROM widgets w) FROM owners o",
    "SELECT t.* FROM pg_catalog.pg_tables t WHERE t.schemaname = 'public'",
    // Geometry, time zones, text search, jsonpath, ranges, jsonb and array
    // concatenation.
    "SELECT point($1, $2), point(ratio, 2) FROM widgets",
    "SELECT timezone('UTC', made_at), timezone($1, local_at), age(made_at), age(local_at, $2) FROM widgets",
    "SELECT id FROM widgets WHERE to_tsvector('english', label) @@ to_tsquery($1) OR to_tsvector(label) @@ plainto_tsquery('simple', $2)",
    "SELECT ts_rank(to_tsvector(label), websearch_to_tsquery($1)), phraseto_tsquery('a b') @@ to_tsvector(label) FROM widgets",
    "SELECT doc @? '$.a', doc @@ '$.a == 1', doc @? $1 FROM widgets",
    "SELECT id FROM widgets WHERE '[1,5)'::int4range && int4range($1, $2) AND int8range(id, $3, '[]') @> 3::bigint",
    "SELECT numrange(price, $1), tstzrange(made_at, $2), tsrange($3, local_at, '(]'), daterange(day, day + 1) FROM widgets",
    "SELECT jsonb_build_object('a', id) || doc, doc || $1, $2 || doc FROM widgets",
    "SELECT array_cat(tags, $1), array_cat($2, tags), array_cat(tags, ARRAY['x']) FROM widgets",
    // Functions with several forms, resolved as the server resolves them.
    "SELECT date_bin('1 hour', local_at, $1), date_bin($2, $3, $4), date_bin('1 day', day, $5) FROM widgets",
    "SELECT date_bin('1 hour', local_at, made_at), date_bin('1 hour', made_at, local_at) FROM widgets",
    "SELECT width_bucket(price, 0, 100, 10), width_bucket(id, 0, 100, $1), width_bucket($2, $3, $4, $5) FROM widgets",
    "SELECT width_bucket(ratio, $1, $2, 4), width_bucket(price, $3, 1.5, 4), width_bucket(small, 0.5, 9, 2) FROM widgets",
    // Named arguments.
    "SELECT id FROM widgets WHERE made_at < now() - make_interval(secs => $1)",
    "SELECT make_interval(days => $1, hours => 2), make_interval(1, 2), make_interval(mins := 3)",
    // UPDATE types WHERE and RETURNING before SET.
    "UPDATE owners SET handle = $1 WHERE $1 LIKE 'a%' AND id = $2",
    "UPDATE owners SET handle = $1 WHERE id = $2 RETURNING $1 || handle",
    "UPDATE widgets SET price = id, label = made_at, local_at = day WHERE id = $1",
    // System catalogs and sequences.
    "SELECT relname FROM pg_class INNER JOIN pg_namespace ON pg_class.relnamespace = pg_namespace.oid WHERE pg_class.relkind = 'S' AND pg_namespace.nspname = $1",
    "SELECT c.oid, c.relname, c.reltuples, c.relpages, c.relpersistence, c.relkind, c.relnatts FROM pg_catalog.pg_class c WHERE c.relname = $1",
    "SELECT a.attname, a.attnum, a.atttypid, a.attnotnull, a.atttypmod FROM pg_attribute a WHERE a.attrelid = 'widgets'::regclass AND a.attnum > 0 AND NOT a.attisdropped",
    "SELECT i.indexrelid, i.indisunique, i.indisprimary FROM pg_index i WHERE i.indrelid = $1",
    "SELECT pid, state, query, backend_start FROM pg_stat_activity WHERE datname = current_database()",
    "SELECT l.locktype, l.mode, l.granted, l.pid FROM pg_locks l WHERE l.pid = pg_backend_pid()",
    "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = $1",
    "SELECT column_name, data_type, is_nullable, ordinal_position, udt_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
    "SELECT n.nspname, n.oid FROM pg_namespace n WHERE n.nspname NOT LIKE 'pg_%'",
    "SELECT last_value, log_cnt, is_called FROM owners_id_seq",
    "SELECT s.last_value FROM public.notes_id_seq s",
    "SELECT generate_series(1, 3)",
    // Valid SQL the checker refuses (with a fix) rather than guess at.
    "SELECT * FROM pg_namespace",
    "SELECT relacl FROM pg_class",
    "SELECT label || tags FROM widgets",
    "SELECT (id, label) FROM widgets",
];

/// Generated cases: every column of the main tables selected plainly, from
/// the nullable side of a LEFT JOIN, and compared with a parameter.
fn generated() -> Vec<String> {
    let mut out = Vec::new();
    let widgets = [
        "id", "owner_id", "seq", "price", "doubled", "ratio", "approx", "flag", "label", "code",
        "tags", "feeling", "qty", "small", "made_at", "local_at", "day", "doc", "raw", "uid",
    ];
    for c in widgets {
        out.push(format!("SELECT {c} FROM widgets"));
        out.push(format!(
            "SELECT o.id, w.{c} FROM owners o LEFT JOIN widgets w ON w.owner_id = o.id"
        ));
        out.push(format!("SELECT count(*) FROM widgets WHERE {c} = $1"));
        out.push(
            format!("UPDATE widgets SET {c} = $1 WHERE id = $2 RETURNING {c}")
                .replace("SET seq = $1", "SET seq = DEFAULT, label = $1")
                .replace("SET doubled = $1", "SET doubled = DEFAULT, label = $1"),
        );
    }
    for c in ["id", "name", "contact", "tenant_id", "handle"] {
        out.push(format!("SELECT {c} FROM owners WHERE {c} = $1"));
        out.push(format!(
            "SELECT w.id, o.{c} FROM widgets w FULL JOIN owners o ON w.owner_id = o.id"
        ));
    }
    out
}

fn corpus() -> Vec<String> {
    HANDWRITTEN
        .iter()
        .map(|s| s.to_string())
        .chain(generated())
        .collect()
}

fn url() -> String {
    let c = cluster();
    let url = c.superuser_url();
    let (base, query) = url.split_once('?').expect("harness URL has options");
    let (base, _db) = base.rsplit_once('/').expect("harness URL has a database");
    format!("{base}/{DB}?{query}")
}

/// A sample argument for a parameter of type `ty`, as text.
fn sample(ty: &str) -> &'static str {
    match ty {
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" | "posint" => {
            "1"
        }
        "text" | "character varying" | "character" | "email" => "a@b",
        "boolean" => "true",
        "date" => "2024-01-01",
        "timestamp with time zone" | "timestamp without time zone" => "2024-01-01 00:00:00",
        "interval" => "1 day",
        "uuid" => "00000000-0000-0000-0000-000000000001",
        "jsonb" | "json" => "{}",
        "bytea" => "\\x00",
        "mood" => "ok",
        "integer[]" | "bigint[]" | "smallint[]" | "numeric[]" => "{1,2}",
        "name" => "a@b",
        "inet" => "10.0.0.1",
        "oid" => "1",
        "text[]" | "character varying[]" => "{a,b}",
        "mood[]" => "{ok}",
        "uuid[]" => "{00000000-0000-0000-0000-000000000001}",
        "int4range" => "[1,3)",
        "jsonpath" => "$.a",
        "double precision[]" => "{0.25,0.75}",
        _ => panic!("no sample argument for `{ty}`"),
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn annotated(sql: &str) -> bool {
    let b = sql.as_bytes();
    (0..b.len()).any(|i| {
        b[i] == b'$' && {
            let mut j = i + 1;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            j > i + 1 && (sql[j..].starts_with("::") || sql[..i].ends_with("CAST("))
        }
    })
}

pub(super) async fn format_types(
    client: &Client,
    oids: &[u32],
    cache: &mut HashMap<u32, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for oid in oids {
        if !cache.contains_key(oid) {
            let row = client
                .query_one("SELECT format_type($1::oid, NULL)", &[oid])
                .await
                .expect("format_type");
            cache.insert(*oid, row.get(0));
        }
        out.push(cache[oid].clone());
    }
    out
}

pub(super) fn ours(t: &Typed) -> (Vec<String>, Vec<(String, String)>) {
    (
        t.params
            .iter()
            .map(|p| strip_typmod(p).to_string())
            .collect(),
        t.columns
            .iter()
            .map(|c| (c.name.clone(), strip_typmod(&c.ty).to_string()))
            .collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_typecheck_prepare_differential() {
    // The schema as sqlx migrations, loaded the way the macros load it.
    let dir = temp_dir("typecheck-diff");
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    for (i, part) in FIXTURE.split("-- migration\n").enumerate() {
        std::fs::write(
            dir.join(format!("migrations/2024010{}000000_m{i}.up.sql", i + 1)),
            part,
        )
        .unwrap();
    }
    let loaded = load(&dir, None)
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("schema");
    assert_eq!(loaded.files.len(), FIXTURE.split("-- migration\n").count());
    let catalog = loaded.catalog;

    let c = cluster();
    c.psql(&format!("DROP DATABASE IF EXISTS {DB}"));
    c.psql(&format!("CREATE DATABASE {DB}"));
    c.psql_db(DB, FIXTURE);
    c.psql_db(DB, DATA);
    let (client, _) = try_connect(&url()).await.expect("connect");

    let corpus = corpus();
    let mut cache = HashMap::new();
    let (mut typed, mut typed_plain, mut plain, mut param_count, mut column_count) =
        (0, 0, 0, 0, 0);
    let mut mismatches = Vec::new();
    let mut refused = Vec::new();
    let mut untyped = Vec::new();
    let mut typed_queries: Vec<(usize, Typed)> = Vec::new();
    let (mut wires_checked, mut wires_inferred, mut wires_unknown) = (0, 0, 0);
    let mut wire_mismatches: Vec<String> = Vec::new();
    for (i, sql) in corpus.iter().enumerate() {
        let stmt = match client.prepare(sql).await {
            Ok(s) => s,
            Err(e) => {
                refused.push(format!(
                    "{sql}\n   => {}",
                    e.as_db_error()
                        .map_or(e.to_string(), |d| d.message().to_string())
                ));
                continue;
            }
        };
        let server_params = format_types(
            &client,
            &stmt.params().iter().map(|t| t.oid()).collect::<Vec<_>>(),
            &mut cache,
        )
        .await;
        let server_cols: Vec<(String, String)> = {
            let types = format_types(
                &client,
                &stmt
                    .columns()
                    .iter()
                    .map(|c| c.type_().oid())
                    .collect::<Vec<_>>(),
                &mut cache,
            )
            .await;
            stmt.columns()
                .iter()
                .map(|c| c.name().to_string())
                .zip(types)
                .collect()
        };
        let is_plain = !annotated(sql);
        plain += usize::from(is_plain);
        match check(sql, &catalog) {
            Ok(t) => {
                let (p, cols) = ours(&t);
                if p != server_params || cols != server_cols {
                    mismatches.push(format!(
                        "{sql}\n   ours:   {p:?} {cols:?}\n   server: {server_params:?} {server_cols:?}"
                    ));
                } else {
                    // How PgBouncer mode declares each parameter must be
                    // what the server inferred: the same OID, or for an
                    // enum or a domain (left unspecified) the built-in
                    // type whose binary format the server reads for it.
                    for (k, (p, server)) in t.params.iter().zip(stmt.params()).enumerate() {
                        let ok = match wire(p, &catalog) {
                            Some(Wire::Declared(oid)) => oid == server.oid(),
                            Some(Wire::Inferred(oid)) => {
                                wires_inferred += 1;
                                // The type, and for an array its element's.
                                let row = client
                                    .query_one(
                                        "SELECT t.typtype::text, t.typbasetype, \
                                                coalesce(e.typtype::text, '') \
                                         FROM pg_type t LEFT JOIN pg_type e \
                                           ON e.oid = t.typelem AND t.typcategory = 'A' \
                                         WHERE t.oid = $1",
                                        &[&server.oid()],
                                    )
                                    .await
                                    .unwrap();
                                let (kind, base, element): (String, u32, String) =
                                    (row.get(0), row.get(1), row.get(2));
                                // An enum as `text`, an array of enums as
                                // `text[]`, a domain as its base type.
                                (kind == "e" && oid == 25)
                                    || (element == "e" && oid == 1009)
                                    || (kind == "d" && oid == base)
                            }
                            None => {
                                wires_unknown += 1;
                                true
                            }
                        };
                        wires_checked += 1;
                        if !ok {
                            wire_mismatches.push(format!(
                                "{sql}: ${} declared {:?}, server type OID {}",
                                k + 1,
                                wire(p, &catalog),
                                server.oid()
                            ));
                        }
                    }
                    typed += 1;
                    typed_plain += usize::from(is_plain);
                    param_count += p.len();
                    column_count += cols.len();
                    typed_queries.push((i, t));
                }
            }
            Err(e) => untyped.push(format!(
                "{sql}\n   => {}",
                e.iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        }
    }

    // Nullability against crafted data: run each typed query with sample
    // arguments (inside a rolled-back transaction) and look for NULLs in
    // columns we call non-null.
    let (mut rows_seen, mut cells_checked, mut executed) = (0usize, 0usize, 0usize);
    let mut null_violations = Vec::new();
    for (i, t) in &typed_queries {
        let sql = &corpus[*i];
        let args: Vec<String> = t
            .params
            .iter()
            .map(|p| quote(sample(&strip_typmod(p).to_string())))
            .collect();
        let exec = if args.is_empty() {
            format!("EXECUTE q{i}")
        } else {
            format!("EXECUTE q{i}({})", args.join(", "))
        };
        client.batch_execute("BEGIN").await.unwrap();
        let prepared = client
            .batch_execute(&format!("PREPARE q{i} AS {sql}"))
            .await;
        let result = match prepared {
            Ok(()) => client.simple_query(&exec).await.ok(),
            Err(_) => None,
        };
        client.batch_execute("ROLLBACK").await.unwrap();
        let Some(messages) = result else { continue };
        executed += 1;
        for m in messages {
            if let SimpleQueryMessage::Row(row) = m {
                rows_seen += 1;
                for (k, col) in t.columns.iter().enumerate() {
                    if !col.nullable {
                        cells_checked += 1;
                        if row.get(k).is_none() {
                            null_violations
                                .push(format!("{sql}: column {k} `{}` is NULL", col.name));
                        }
                    }
                }
            }
        }
    }

    let total = corpus.len();
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    for u in &untyped {
        *by_reason
            .entry(u.lines().nth(1).unwrap_or("").to_string())
            .or_default() += 1;
    }
    println!(
        "typecheck corpus: {total} queries; {typed} typed exactly like the server ({param_count} parameters, {column_count} columns); \
         {typed_plain} of {plain} without any `$n::type` annotation are fully typed ({:.1}%); {} not typed; {} mismatches",
        100.0 * typed_plain as f64 / plain.max(1) as f64,
        untyped.len(),
        mismatches.len()
    );
    println!(
        "nullability: {executed} queries executed on crafted data, {rows_seen} rows, {cells_checked} non-null cells checked, {} NULLs where we said non-null",
        null_violations.len()
    );
    println!(
        "PgBouncer-mode declarations: {wires_checked} parameters, {wires_inferred} left for the server to infer (enums, domains), {wires_unknown} not declared; {} differ from the server",
        wire_mismatches.len()
    );
    for u in &untyped {
        println!("not typed: {u}");
    }
    for m in &mismatches {
        println!("MISMATCH: {m}");
    }
    for r in &refused {
        println!("REFUSED: {r}");
    }
    assert!(
        refused.is_empty(),
        "the server refuses corpus queries:\n{}",
        refused.join("\n")
    );
    assert!(total >= 200, "the corpus has {total} queries");
    assert!(
        mismatches.is_empty(),
        "types differ from the server's:\n{}",
        mismatches.join("\n")
    );
    assert!(null_violations.is_empty(), "{}", null_violations.join("\n"));
    assert!(
        wire_mismatches.is_empty(),
        "parameter declarations differ from the server's types:\n{}",
        wire_mismatches.join("\n")
    );
    assert!(wires_inferred > 0 && wires_checked > wires_unknown);
    assert!(
        typed * 100 >= total * 95,
        "only {typed} of {total} queries are typed:\n{}",
        untyped.join("\n")
    );
    assert!(
        rows_seen > 200 && cells_checked > 300,
        "the data exercises the queries"
    );
}

/// The macros' list of checked parameter and column types is the runtime's.
#[test]
fn schema_typecheck_bindings_match_the_runtime_table() {
    assert_eq!(
        secure_pg::__private::sql::SQL_TYPES,
        secure_pg_sql::typecheck::BINDINGS
    );
}

/// String literals that become numbers, booleans or uuids: the checker
/// refuses exactly what the server refuses (for uuids it may accept a
/// few hyphen placements the server does not, never the other way), on
/// hand-picked edge cases and on strings generated from their alphabets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_typecheck_literals_differential() {
    let catalog = secure_pg_sql::schema::Catalog::from_sql("fixture.sql", FIXTURE).unwrap();
    let c = cluster();
    let db = "typecheck_literals";
    c.psql(&format!("DROP DATABASE IF EXISTS {db}"));
    c.psql(&format!("CREATE DATABASE {db}"));
    c.psql_db(db, FIXTURE);
    let u = c.superuser_url();
    let (base, options) = u.split_once('?').unwrap();
    let (base, _) = base.rsplit_once('/').unwrap();
    let (client, _) = try_connect(&format!("{base}/{db}?{options}"))
        .await
        .unwrap();
    let columns = [
        ("small", "smallint", "0123456789+- e."),
        ("id", "integer", "0123456789+- e."),
        ("owner_id", "bigint", "0123456789+- "),
        ("price", "numeric", "0123456789+-e.naifty"),
        ("ratio", "double precision", "0123456789+-e.naiftyxp"),
        ("flag", "boolean", "truefalsyonf01 "),
        ("uid", "uuid", "0123456789abcdef-{}"),
    ];
    let fixed = [
        "",
        " ",
        "1",
        " 1 ",
        "+1",
        "-1",
        "1.5",
        "1e3",
        "1_000",
        "0x1f",
        "0x1.8p3",
        "0x",
        "0x.p1",
        "32767",
        "32768",
        "-32768",
        "-32769",
        "2147483647",
        "2147483648",
        "9223372036854775807",
        "9223372036854775808",
        "NaN",
        "nan",
        "Infinity",
        "-inf",
        "inf",
        "t",
        "tr",
        "TRUE",
        "y",
        "on",
        "of",
        "off",
        "o",
        "n",
        "no",
        "1",
        "0",
        "2",
        "yes ",
        "00000000-0000-0000-0000-000000000001",
        "{00000000-0000-0000-0000-000000000001}",
        "000000000000000000000000000000011",
        "0000000000000000000000000000000g",
    ];
    // A small deterministic generator (xorshift): strings of 1..8
    // characters from each column's alphabet.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut compared, mut lenient) = (0, 0);
    let mut disagreements = Vec::new();
    for (column, ty, alphabet) in columns {
        let alphabet: Vec<char> = alphabet.chars().collect();
        let mut literals: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
        for _ in 0..150 {
            let len = 1 + (next() % 8) as usize;
            literals.push(
                (0..len)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect(),
            );
        }
        for lit in literals {
            let sql = format!("SELECT id FROM widgets WHERE {column} = '{lit}'");
            let ours = check(&sql, &catalog).is_ok();
            let server = client.prepare(&sql).await.is_ok();
            compared += 1;
            if ours == server {
                continue;
            }
            if ty == "uuid" && ours && !server {
                lenient += 1;
                continue;
            }
            disagreements.push(format!(
                "{ty} '{lit}': ours {}, server {}",
                if ours { "accepts" } else { "refuses" },
                if server { "accepts" } else { "refuses" }
            ));
        }
    }
    println!(
        "literals: {compared} compared with the server, {} disagreements, {lenient} uuids accepted that the server refuses",
        disagreements.len()
    );
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
