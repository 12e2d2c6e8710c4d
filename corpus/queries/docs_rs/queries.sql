-- from: crates/bin/docs_rs_admin/src/cleanup_s3.rs:47
SELECT
   c.name as "name: KrateName",
   r.version as "version: Version",
   r.rustdoc_status
FROM
   crates as c
   INNER JOIN releases AS r ON c.id = r.crate_id
ORDER BY
   c.name, r.version;

-- from: crates/bin/docs_rs_admin/src/main.rs:420
SELECT id as "id: CrateId", name FROM crates ORDER BY name;

-- from: crates/bin/docs_rs_admin/src/rebuilds.rs:23
SELECT
    c.name AS "name: KrateName",
    r.version AS "version: Version"
FROM crates AS c
JOIN releases AS r
    ON c.id = r.crate_id
JOIN release_build_status AS rbs
    ON rbs.rid = r.id
JOIN builds AS b
    ON b.rid = r.id
    AND b.build_finished = rbs.last_build_time
    AND b.rustc_nightly_date >= $1
    AND b.rustc_nightly_date < $2;

-- from: crates/bin/docs_rs_builder/src/docbuilder/rustwide_builder.rs:824
SELECT build_status AS "build_status: BuildStatus"
FROM release_build_status
WHERE rid = $1;

-- from: crates/bin/docs_rs_builder/src/docbuilder/rustwide_builder.rs:1443
SELECT
   releases.features "features?: Vec<Feature>"
FROM releases
INNER JOIN crates ON crates.id = releases.crate_id
WHERE crates.name = $1 AND releases.version = $2;

-- from: crates/bin/docs_rs_builder/src/docbuilder/rustwide_builder.rs:1513
SELECT
    r.rustdoc_status,
    r.default_target,
    r.doc_targets,
    r.source_size as "source_size!",
    cov.total_items,
    b.id as build_id,
    b.build_status::TEXT as build_status,
    b.docsrs_version,
    b.rustc_version,
    b.documentation_size,
    b.memory_peak,
    (
        SELECT array_agg(row(bl.log_filename, bl.success))
        FROM (
            SELECT log_filename, success
            FROM builds_logs
            WHERE builds_logs.build_id = b.id
            ORDER BY id
        ) bl
    ) AS "logs: Vec<(String, bool)>"
FROM
    crates as c
    INNER JOIN releases AS r ON c.id = r.crate_id
    INNER JOIN builds as b ON r.id = b.rid
    LEFT OUTER JOIN doc_coverage AS cov ON r.id = cov.release_id
WHERE
    c.name = $1 AND
    r.version = $2;

-- from: crates/bin/docs_rs_builder/src/docbuilder/rustwide_builder.rs:1752
SELECT
    r.rustdoc_status,
    r.is_library
FROM
    crates as c
    INNER JOIN releases AS r ON c.id = r.crate_id
    LEFT OUTER JOIN doc_coverage AS cov ON r.id = cov.release_id
WHERE
    c.name = $1 AND
    r.version = $2;

-- from: crates/bin/docs_rs_builder/src/docbuilder/rustwide_builder.rs:1858
SELECT rustdoc_status FROM releases WHERE id = $1;

-- from: crates/bin/docs_rs_builder/src/docbuilder/rustwide_builder.rs:1903
SELECT cov.total_items
FROM
    crates as c
    INNER JOIN releases AS r ON c.id = r.crate_id
    LEFT OUTER JOIN doc_coverage AS cov ON r.id = cov.release_id;

-- from: crates/bin/docs_rs_builder/src/docbuilder/rustwide_builder.rs:2121
SELECT
rustc_version,
docsrs_version,
build_status as "build_status: BuildStatus",
error_kind,
errors
FROM
crates as c
INNER JOIN releases as r on c.id = r.crate_id
INNER JOIN builds as b on b.rid = r.id
WHERE c.name = $1 and r.version = $2;

-- from: crates/bin/docs_rs_builder/src/docbuilder/rustwide_builder.rs:2330
SELECT
    r.doc_targets
FROM
    crates as c
    INNER JOIN releases AS r ON c.id = r.crate_id
WHERE
    c.name = $1 AND
    r.version = $2;

-- from: crates/bin/docs_rs_builder/src/docbuilder/rustwide_builder.rs:2420
SELECT
    c.name,
    r.version,
    r.rustdoc_status,
    cov.total_items
FROM
    crates as c
    INNER JOIN releases AS r ON c.id = r.crate_id
    LEFT OUTER JOIN doc_coverage AS cov ON r.id = cov.release_id;

-- from: crates/bin/docs_rs_watcher/src/consistency/db.rs:10
SELECT
   name as "name!: KrateName",
   version as "version!: Version",
   yanked
FROM (
    SELECT
        crates.name,
        releases.version,
        releases.yanked
    FROM crates
    INNER JOIN releases ON releases.crate_id = crates.id
    UNION ALL
    -- crates & releases that are already queued
    -- don't have to be requeued.
    SELECT
        queue.name,
        queue.version,
        NULL as yanked
    FROM queue
    LEFT OUTER JOIN crates ON crates.name = queue.name
    LEFT OUTER JOIN releases ON (
        releases.crate_id = crates.id AND
        releases.version = queue.version
    )
    WHERE queue.attempt < $1 AND (
        crates.id IS NULL OR
        releases.id IS NULL
    )
) AS inp
ORDER BY name;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:108
SELECT id as "id: CrateId"
FROM crates
WHERE normalize_crate_name(name) = normalize_crate_name($1);

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:141
SELECT set_config('lock_timeout', $1, true);

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:149
SELECT id FROM queue WHERE name = $1 AND version = $2 FOR UPDATE;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:157
DELETE FROM builds_logs bl
USING builds b
JOIN releases r ON b.rid = r.id
WHERE bl.build_id = b.id AND r.crate_id = $1 AND r.version = $2;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:173
DELETE FROM releases WHERE crate_id = $1 AND version = $2 RETURNING is_library;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:182
DELETE FROM queue WHERE name = $1 AND version = $2;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:215
SELECT id FROM queue WHERE name = $1 FOR UPDATE;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:219
DELETE FROM sandbox_overrides WHERE crate_name = $1;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:226
DELETE FROM builds_logs AS bl
USING builds AS b
JOIN releases AS r ON b.rid = r.id
WHERE bl.build_id = b.id AND r.crate_id = $1;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:244
DELETE FROM owner_rels WHERE cid = $1;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:248
SELECT
    BOOL_OR(releases.is_library) AS has_library
FROM releases
WHERE releases.crate_id = $1;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:260
DELETE FROM releases WHERE crate_id = $1;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:263
DELETE FROM crates WHERE id = $1;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:266
DELETE FROM queue WHERE name = $1;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:292
SELECT id FROM crates WHERE name = $1;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:300
SELECT id FROM releases WHERE id = $1;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:311
SELECT id FROM queue WHERE name = $1 AND version = $2;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:419
SELECT login FROM owners
INNER JOIN owner_rels ON owners.id = owner_rels.oid
WHERE owner_rels.cid = $1;

-- from: crates/bin/docs_rs_watcher/src/db/delete.rs:468
SELECT crate_id as "crate_id: CrateId" FROM releases WHERE id = $1;

-- from: crates/bin/docs_rs_watcher/src/index_watcher.rs:283
UPDATE releases
 SET yanked = $3
 FROM crates
 WHERE crates.id = releases.crate_id
     AND name = $1
     AND version = $2
RETURNING crates.id as "id: CrateId";

-- from: crates/bin/docs_rs_watcher/src/index_watcher.rs:395
SELECT yanked
FROM releases
WHERE id = $1;

-- from: crates/bin/docs_rs_watcher/src/index_watcher.rs:440
SELECT id
FROM crates
WHERE name = $1;

-- from: crates/bin/docs_rs_watcher/src/index_watcher.rs:478
SELECT id
FROM releases;

-- from: crates/bin/docs_rs_watcher/src/rebuilds.rs:43
SELECT i.* FROM (
    SELECT
        c.name as "name: KrateName",
        r.version as "version: Version",
        (
           SELECT MAX(COALESCE(b.build_finished, b.build_started))
           FROM builds AS b
           WHERE b.rid = r.id
        ) AS last_build_attempt
    FROM crates AS c
    INNER JOIN releases AS r ON c.latest_version_id = r.id

    WHERE
        r.rustdoc_status = TRUE
) as i
ORDER BY i.last_build_attempt ASC
LIMIT $1;

-- from: crates/bin/docs_rs_watcher/src/rebuilds.rs:134
DELETE FROM queue;

-- from: crates/bin/docs_rs_web/src/handlers/build_details.rs:86
SELECT
    builds.rustc_version,
    builds.docsrs_version,
    builds.build_status as "build_status: BuildStatus",
    COALESCE(builds.build_finished, builds.build_started) as build_time,
    builds.output,
    builds.errors,
    builds.error_kind,
    releases.default_target,
    (
        SELECT array_agg(row(bl.log_filename, bl.success))
        FROM (
            SELECT log_filename, success
            FROM builds_logs
            WHERE builds_logs.build_id = builds.id
            ORDER BY log_filename
        ) bl
    ) AS "logs: Vec<(String, bool)>"
FROM builds
INNER JOIN releases ON releases.id = builds.rid
INNER JOIN crates ON releases.crate_id = crates.id
WHERE builds.id = $1 AND crates.name = $2 AND releases.version = $3;

-- from: crates/bin/docs_rs_web/src/handlers/build_details.rs:243
SELECT id FROM builds WHERE rid = $1 ORDER BY id ASC;

-- from: crates/bin/docs_rs_web/src/handlers/build_details.rs:301
UPDATE releases SET default_target = 'x86_64-unknown-linux-gnu' WHERE id = $1;

-- from: crates/bin/docs_rs_web/src/handlers/builds.rs:109
SELECT 1 as "dummy"
FROM releases
INNER JOIN crates ON crates.id = releases.crate_id
WHERE crates.name = $1 AND releases.version = $2
LIMIT 1;

-- from: crates/bin/docs_rs_web/src/handlers/builds.rs:187
SELECT
   builds.id as "id: BuildId",
   builds.rustc_version,
   builds.docsrs_version,
   CASE
       WHEN builds.build_status = 'success'::build_status THEN
           CASE
               WHEN COALESCE(
                   (SELECT bool_and(builds_logs.success)
                    FROM builds_logs
                    WHERE builds_logs.build_id = builds.id),
                   TRUE
               ) = TRUE THEN 'success'::build_status
               ELSE 'partial_failure'::build_status
           END
       ELSE builds.build_status
   END as "build_status!: BuildStatus",
   COALESCE(builds.build_finished, builds.build_started) as build_time,
   CASE
       WHEN builds.build_started IS NULL
           -- for old builds, `build_started` is empty.
           THEN NULL
       ELSE
           CASE
               -- for in-progress builds we show the duration until now
               WHEN builds.build_status = 'in_progress' THEN (CURRENT_TIMESTAMP - builds.build_started)
               -- there are broken builds where the status is `error`, and `build_finished` is NULL
               WHEN builds.build_finished IS NULL THEN NULL
               -- for finished builds we can show the full duration
               ELSE (builds.build_finished - builds.build_started)
           END
   END AS "build_duration?: Duration",
   builds.memory_peak,
   builds.errors
FROM builds
INNER JOIN releases ON releases.id = builds.rid
INNER JOIN crates ON releases.crate_id = crates.id
WHERE
   crates.name = $1 AND
   releases.version = $2
ORDER BY builds.id DESC;

-- from: crates/bin/docs_rs_web/src/handlers/crate_details.rs:107
SELECT
    crates.id AS "crate_id: CrateId",
    releases.id AS "release_id: ReleaseId",
    crates.name as "name: KrateName",
    releases.version,
    releases.description,
    releases.dependencies,
    releases.readme,
    releases.description_long,
    releases.release_time,
    release_build_status.build_status as "build_status!: BuildStatus",
    -- this is the latest build ID that generated content
    -- it's used to invalidate some blob storage related caches.
    builds.id as "latest_build_id?: BuildId",
    releases.rustdoc_status,
    releases.repository_url,
    releases.homepage_url,
    releases.keywords,
    releases.have_examples,
    releases.target_name,
    repositories.host as "repo_host?",
    repositories.stars as "repo_stars?",
    repositories.forks as "repo_forks?",
    repositories.issues as "repo_issues?",
    repositories.name as "repo_name?",
    releases.is_library,
    releases.yanked,
    releases.doc_targets,
    releases.license,
    releases.documentation_url,
    releases.default_target,
    releases.source_size as "source_size?",
    builds.documentation_size as "documentation_size?",
    -- we're using the rustc version here to set the correct CSS file
    -- in the metadata.
    -- So we're only interested in successful builds here.
    builds.rustc_version as "rustc_version?",
    doc_coverage.total_items,
    doc_coverage.documented_items,
    doc_coverage.total_items_needing_examples,
    doc_coverage.items_with_examples
FROM releases
INNER JOIN release_build_status ON releases.id = release_build_status.rid
INNER JOIN crates ON releases.crate_id = crates.id
LEFT JOIN doc_coverage ON doc_coverage.release_id = releases.id
LEFT JOIN repositories ON releases.repository_id = repositories.id
LEFT JOIN LATERAL (
     SELECT rustc_version, documentation_size, id
     FROM builds
     WHERE
        builds.rid = releases.id AND
        builds.build_status = 'success'
     ORDER BY builds.build_finished
     DESC LIMIT 1
 ) AS builds ON true
WHERE crates.name = $1 AND releases.version = $2;

-- from: crates/bin/docs_rs_web/src/handlers/crate_details.rs:266
SELECT login, avatar, kind as "kind: OwnerKind"
FROM owners
INNER JOIN owner_rels ON owner_rels.oid = owners.id
WHERE cid = $1;

-- from: crates/bin/docs_rs_web/src/handlers/crate_details.rs:365
SELECT AVG(b.build_finished - b.build_started) AS "duration?: Duration"
FROM builds AS b
WHERE
    b.rid = $1 AND
    b.build_status = 'success' AND
    b.build_started IS NOT NULL;

-- from: crates/bin/docs_rs_web/src/handlers/crate_details.rs:378
SELECT
    AVG(b.build_finished - b.build_started) AS "duration?: Duration"

FROM
    crates AS c
    INNER JOIN releases AS r on c.id = r.crate_id
    INNER JOIN builds AS b on r.id = b.rid

WHERE
    c.id = $1 AND
    b.build_status = 'success' AND
    b.build_started IS NOT NULL;

-- from: crates/bin/docs_rs_web/src/handlers/crate_details.rs:730
SELECT build_status as "build_status!: BuildStatus"
FROM crates
INNER JOIN releases ON crates.id = releases.crate_id
INNER JOIN release_build_status ON releases.id = release_build_status.rid
WHERE crates.name = $1 AND releases.version = $2;

-- from: crates/bin/docs_rs_web/src/handlers/crate_details.rs:769
SELECT id as "id: CrateId" FROM crates WHERE name = $1;

-- from: crates/bin/docs_rs_web/src/handlers/crate_details.rs:1551
UPDATE releases SET features = NULL WHERE id = $1;

-- from: crates/bin/docs_rs_web/src/handlers/crate_details.rs:2085
DELETE FROM builds;

-- from: crates/bin/docs_rs_web/src/handlers/crate_details.rs:2236
SELECT crate_id as "id: CrateId"
FROM releases
WHERE id = $1;

-- from: crates/bin/docs_rs_web/src/handlers/features.rs:176
SELECT
    releases.features as "features?: Vec<DbFeature>",
    releases.dependencies
FROM releases
INNER JOIN crates ON crates.id = releases.crate_id
WHERE crates.name = $1 AND releases.version = $2;

-- from: crates/bin/docs_rs_web/src/handlers/releases.rs:181
SELECT
    crates.name as "name: KrateName",
    releases.version as "version: Version",
    releases.description,
    release_build_status.last_build_time,
    releases.target_name,
    releases.rustdoc_status,
    repositories.stars as "stars?",
    EXISTS (
        SELECT 1
        FROM releases AS all_releases
        WHERE
            all_releases.crate_id = crates.id AND
            all_releases.yanked = false
    ) AS has_unyanked_releases

FROM crates
INNER JOIN releases ON crates.latest_version_id = releases.id
INNER JOIN release_build_status ON releases.id = release_build_status.rid
LEFT JOIN repositories ON releases.repository_id = repositories.id

WHERE
    crates.name = ANY($1) AND
    release_build_status.build_status <> 'in_progress';

-- from: crates/bin/docs_rs_web/src/handlers/releases.rs:473
WITH params AS (
    -- get maximum possible id-value in crates-table
    SELECT last_value AS max_id FROM crates_id_seq
)
SELECT
    crates.name as "name: KrateName",
    releases.version as "version: Version",
    releases.target_name
FROM (
    -- generate random numbers in the ID-range.
    SELECT DISTINCT 1 + trunc(random() * params.max_id)::INTEGER AS id
    FROM params, generate_series(1, $1)
) AS r
INNER JOIN crates ON r.id = crates.id
INNER JOIN releases ON crates.latest_version_id = releases.id
INNER JOIN repositories ON releases.repository_id = repositories.id
WHERE
    releases.rustdoc_status = TRUE AND
    repositories.stars >= 100
LIMIT 1;

-- from: crates/bin/docs_rs_web/src/handlers/releases.rs:674
WITH dates AS (
    -- we need this series so that days in the statistic that don't have any releases are included
    SELECT generate_series(
            CURRENT_DATE - INTERVAL '30 days',
            CURRENT_DATE - INTERVAL '1 day',
            '1 day'::interval
        )::date AS date_
),
release_stats AS (
    SELECT
        release_time::date AS date_,
        SUM(CAST(
            release_build_status.build_status != 'in_progress' AS INT
        )) AS counts,
        SUM(CAST((
            is_library = TRUE AND
            release_build_status.build_status = 'failure'
        ) AS INT)) AS failures
    FROM releases
    INNER JOIN release_build_status ON releases.id = release_build_status.rid

    WHERE
        release_time >= CURRENT_DATE - INTERVAL '30 days' AND
        release_time < CURRENT_DATE
    GROUP BY
        release_time::date
)
SELECT
    dates.date_ AS "date!",
    COALESCE(rs.counts, 0) AS "counts!",
    COALESCE(rs.failures, 0) AS "failures!"
FROM
    dates
    LEFT OUTER JOIN Release_stats AS rs ON dates.date_ = rs.date_

    ORDER BY
        dates.date_;

-- from: crates/bin/docs_rs_web/src/handlers/releases.rs:759
SELECT
   crates.name as "name: KrateName",
   releases.version as "version: Version",
   CASE
       WHEN builds.build_started IS NULL THEN NULL
       ELSE (CURRENT_TIMESTAMP - builds.build_started)
   END AS "elapsed: Duration",
   (
       SELECT AVG(prev_builds.build_finished - prev_builds.build_started)
       FROM crates AS prev_crates
       INNER JOIN releases AS prev_releases ON prev_crates.id = prev_releases.crate_id
       INNER JOIN builds AS prev_builds ON prev_releases.id = prev_builds.rid
       WHERE
           prev_crates.id = releases.crate_id
           AND prev_builds.id <> builds.id
           AND prev_builds.build_status = 'success'
           AND prev_builds.build_started IS NOT NULL
   ) AS "average_duration: Duration"
FROM builds
INNER JOIN releases ON releases.id = builds.rid
INNER JOIN crates ON releases.crate_id = crates.id
WHERE
   builds.build_status = 'in_progress'
ORDER BY builds.id ASC;

-- from: crates/bin/docs_rs_web/src/handlers/releases.rs:1020
ALTER SEQUENCE crates_id_seq RESTART WITH 1;

-- from: crates/bin/docs_rs_web/src/handlers/rustdoc.rs:2460
UPDATE releases SET dependencies = dependencies::jsonb #- '{0,2}' WHERE id = $1;

-- from: crates/bin/docs_rs_web/src/handlers/sitemap.rs:149
SELECT crates.name as "crate_name",
     -- when we have rustdoc_status=true, both these fields are always filled,
     -- so forcing them as non-option is ok.
     releases.target_name as "target_name!",
     release_build_status.last_build_time as "last_build_time!"
FROM crates
INNER JOIN releases ON crates.latest_version_id = releases.id
INNER JOIN release_build_status ON release_build_status.rid = releases.id
WHERE
    rustdoc_status = true AND
    crates.name ILIKE $1;

-- from: crates/bin/docs_rs_web/src/handlers/sitemap.rs:191
SELECT crates.name as "crate_name",
     -- when we have rustdoc_status=true, both these fields are always filled,
     -- so forcing them as non-option is ok.
     releases.target_name as "target_name!",
     release_build_status.last_build_time as "last_build_time!"
FROM crates
INNER JOIN releases ON crates.latest_version_id = releases.id
INNER JOIN release_build_status ON release_build_status.rid = releases.id
WHERE
    releases.rustdoc_status = true AND
    release_build_status.last_build_time >= $1 AND
    release_build_status.last_build_time < $2
ORDER BY release_build_status.last_build_time DESC;

-- from: crates/bin/docs_rs_web/src/handlers/sitemap.rs:314
UPDATE release_build_status
SET last_build_time = $1
FROM releases
INNER JOIN crates ON crates.id = releases.crate_id
WHERE release_build_status.rid = releases.id
  AND crates.name = $2;

-- from: crates/bin/docs_rs_web/src/handlers/source.rs:126
SELECT
   (
       SELECT id
       FROM builds
       WHERE
           builds.rid = releases.id AND
           builds.build_status = 'success'
       ORDER BY build_finished DESC
       LIMIT 1
   ) AS "latest_build_id?: BuildId"
FROM releases
INNER JOIN crates ON releases.crate_id = crates.id
WHERE
    name = $1 AND
    version = $2;

-- from: crates/bin/docs_rs_web/src/match_release.rs:169
SELECT
   id as "id: CrateId",
   name as "name: KrateName"
FROM crates
WHERE normalize_crate_name(name) = normalize_crate_name($1);

-- from: crates/bin/docs_rs_web/src/match_release.rs:403
UPDATE releases SET yanked = true WHERE id = $1 AND version = '0.3.0';

-- from: crates/bin/docs_rs_web/src/metadata.rs:36
SELECT
    crates.name as "name: KrateName",
    releases.version,
    releases.description,
    releases.target_name,
    releases.rustdoc_status,
    releases.default_target,
    releases.doc_targets,
    releases.yanked,
    builds.rustc_version as "rustc_version?"
FROM releases
INNER JOIN crates ON crates.id = releases.crate_id
LEFT JOIN LATERAL (
    SELECT * FROM builds
    WHERE builds.rid = releases.id
    ORDER BY builds.build_finished
    DESC LIMIT 1
) AS builds ON true
WHERE crates.name = $1 AND releases.version = $2;

-- from: crates/lib/docs_rs_build_limits/src/blacklist.rs:20
SELECT 1  FROM blacklisted_crates WHERE crate_name = $1;

-- from: crates/lib/docs_rs_build_limits/src/blacklist.rs:31
SELECT
    crate_name as "crate_name: KrateName"
FROM blacklisted_crates
ORDER BY crate_name asc;

-- from: crates/lib/docs_rs_build_limits/src/blacklist.rs:51
INSERT INTO blacklisted_crates (crate_name) VALUES ($1);

-- from: crates/lib/docs_rs_build_limits/src/blacklist.rs:67
DELETE FROM blacklisted_crates WHERE crate_name = $1;

-- from: crates/lib/docs_rs_build_limits/src/overrides.rs:26
SELECT
    crate_name as "crate_name: KrateName",
    max_memory_bytes,
    timeout_seconds,
    max_targets
FROM sandbox_overrides;

-- from: crates/lib/docs_rs_build_limits/src/overrides.rs:46
SELECT * FROM sandbox_overrides WHERE crate_name = $1;

-- from: crates/lib/docs_rs_build_limits/src/overrides.rs:68
SELECT id FROM crates WHERE crates.name = $1;

-- from: crates/lib/docs_rs_build_limits/src/overrides.rs:76
INSERT INTO sandbox_overrides (
    crate_name, max_memory_bytes, max_targets, timeout_seconds
)
VALUES ($1, $2, $3, $4)
ON CONFLICT (crate_name) DO UPDATE
    SET
        max_memory_bytes = $2,
        max_targets = $3,
        timeout_seconds = $4;

-- from: crates/lib/docs_rs_build_queue/src/priority.rs:174
SELECT pattern, priority FROM crate_priorities;

-- from: crates/lib/docs_rs_build_queue/src/priority.rs:188
SELECT pattern, priority FROM crate_priorities WHERE $1 LIKE pattern LIMIT 1;

-- from: crates/lib/docs_rs_build_queue/src/priority.rs:207
INSERT INTO crate_priorities (pattern, priority) VALUES ($1, $2);

-- from: crates/lib/docs_rs_build_queue/src/priority.rs:224
DELETE FROM crate_priorities WHERE pattern = $1 RETURNING priority;

-- from: crates/lib/docs_rs_build_queue/src/queue/blocking.rs:76
SELECT
   id,
   name as "name: KrateName",
   version as "version: Version",
   priority,
   attempt
FROM queue
WHERE
   last_attempt IS NULL OR last_attempt < NOW() - make_interval(secs => $1)
ORDER BY priority ASC, attempt ASC, id ASC
LIMIT 1
FOR UPDATE SKIP LOCKED;

-- from: crates/lib/docs_rs_build_queue/src/queue/blocking.rs:102
DELETE FROM queue WHERE id = $1;

-- from: crates/lib/docs_rs_build_queue/src/queue/blocking.rs:110
UPDATE queue
SET
   attempt = attempt + 1,
   last_attempt = NOW()
WHERE id = $1
RETURNING attempt;

-- from: crates/lib/docs_rs_build_queue/src/queue/blocking.rs:203
UPDATE queue SET last_attempt = $1;

-- from: crates/lib/docs_rs_build_queue/src/queue/non_blocking.rs:43
SELECT DISTINCT name AS "name: KrateName"
FROM queue
WHERE priority = $1;

-- from: crates/lib/docs_rs_build_queue/src/queue/non_blocking.rs:69
UPDATE queue
SET priority = updates.priority
FROM UNNEST($1::text[], $2::int[]) AS updates(name, priority)
WHERE
    queue.name = updates.name
    AND queue.priority = $3;

-- from: crates/lib/docs_rs_build_queue/src/queue/non_blocking.rs:96
INSERT INTO queue (name, version, priority)
 VALUES ($1, $2, $3)
 ON CONFLICT (name, version) DO UPDATE
    SET priority = EXCLUDED.priority,
        attempt = 0,
        last_attempt = NULL;

-- from: crates/lib/docs_rs_build_queue/src/queue/non_blocking.rs:137
SELECT
    priority,
    COUNT(*) as "count!"
FROM queue
GROUP BY priority;

-- from: crates/lib/docs_rs_build_queue/src/queue/non_blocking.rs:154
SELECT
   id,
   name as "name: KrateName",
   version as "version: Version",
   priority,
   attempt
FROM queue
ORDER BY priority ASC, attempt ASC, id ASC;

-- from: crates/lib/docs_rs_build_queue/src/queue/non_blocking.rs:171
SELECT id
FROM queue
WHERE
   name = $1 AND
   version = $2;

-- from: crates/lib/docs_rs_build_queue/src/queue/non_blocking.rs:188
DELETE
FROM queue
WHERE name = $1;

-- from: crates/lib/docs_rs_build_queue/src/queue/non_blocking.rs:207
DELETE
FROM queue
WHERE
   name = $1 AND
   version = $2;

-- from: crates/lib/docs_rs_build_queue/src/queue/non_blocking.rs:231
UPDATE queue
SET priority = GREATEST(priority, $1)
WHERE
   name = $2
   AND version != $3;

-- from: crates/lib/docs_rs_build_queue/src/queue/non_blocking.rs:350
INSERT INTO queue (name, version, priority, attempt, last_attempt )
VALUES ($1, $2, 0, 5, NOW());

-- from: crates/lib/docs_rs_build_queue/src/queue/non_blocking.rs:365
SELECT priority, attempt, last_attempt
FROM queue
WHERE name = $1 AND version = $2;

-- from: crates/lib/docs_rs_database/src/crate_details.rs:45
SELECT
    releases.id as "id: ReleaseId",
    releases.version as "version: Version",
    release_build_status.build_status as "build_status!: BuildStatus",
    releases.yanked,
    releases.is_library,
    releases.rustdoc_status,
    releases.release_time,
    releases.target_name,
    releases.default_target,
    releases.doc_targets
FROM releases
INNER JOIN release_build_status ON releases.id = release_build_status.rid
WHERE
    releases.crate_id = $1;

-- from: crates/lib/docs_rs_database/src/crate_details.rs:110
UPDATE crates
SET latest_version_id = $2
WHERE id = $1;

-- from: crates/lib/docs_rs_database/src/migrations.rs:12
SELECT table_name
FROM information_schema.tables
WHERE table_schema = 'public' AND table_name = 'database_versions';

-- from: crates/lib/docs_rs_database/src/migrations.rs:22
SELECT max(version) FROM database_versions;

-- from: crates/lib/docs_rs_database/src/migrations.rs:33
INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time )
VALUES ( $1, $2, TRUE, $3, -1 );

-- from: crates/lib/docs_rs_database/src/migrations.rs:48
DROP TABLE database_versions;

-- from: crates/lib/docs_rs_database/src/releases.rs:53
UPDATE releases
SET release_time = $2,
    dependencies = $3,
    target_name = $4,
    yanked = $5,
    rustdoc_status = $6,
    test_status = $7,
    license = $8,
    repository_url = $9,
    homepage_url = $10,
    description = $11,
    description_long = $12,
    readme = $13,
    keywords = $14,
    have_examples = $15,
    downloads = $16,
    doc_targets = $17,
    is_library = $18,
    documentation_url = $19,
    default_target = $20,
    features = $21,
    repository_id = $22,
    source_size = $23
WHERE id = $1;

-- from: crates/lib/docs_rs_database/src/releases.rs:125
INSERT INTO release_build_status(rid, last_build_time, build_status)
SELECT
summary.id,
summary.last_build_time,
CASE
  WHEN summary.success_count > 0 THEN 'success'::build_status
  WHEN summary.failure_count > 0 THEN 'failure'::build_status
  ELSE 'in_progress'::build_status
END as build_status

FROM (
    SELECT
      r.id,
      MAX(b.build_finished) as last_build_time,
      SUM(CASE WHEN b.build_status = 'success' THEN 1 ELSE 0 END) as success_count,
      SUM(CASE WHEN b.build_status = 'failure' THEN 1 ELSE 0 END) as failure_count
    FROM
      releases as r
      LEFT OUTER JOIN builds AS b on b.rid = r.id
    WHERE
      r.id = $1
    GROUP BY r.id
) as summary

ON CONFLICT (rid) DO UPDATE
SET
    last_build_time = EXCLUDED.last_build_time,
    build_status=EXCLUDED.build_status;

-- from: crates/lib/docs_rs_database/src/releases.rs:171
SELECT crate_id as "crate_id: CrateId"
FROM releases
WHERE id = $1;

-- from: crates/lib/docs_rs_database/src/releases.rs:189
INSERT INTO doc_coverage (
    release_id, total_items, documented_items,
    total_items_needing_examples, items_with_examples
)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (release_id) DO UPDATE
        SET
            total_items = $2,
            documented_items = $3,
            total_items_needing_examples = $4,
            items_with_examples = $5
    RETURNING release_id;

-- from: crates/lib/docs_rs_database/src/releases.rs:245
UPDATE builds
SET
    rustc_version = $1,
    docsrs_version = $2,
    build_status = $3,
    build_server = $4,
    errors = $5,
    documentation_size = $6,
    rustc_nightly_date = $7,
    build_finished = NOW(),
    error_kind = $8,
    memory_peak = $9
WHERE
   id = $10
RETURNING rid as "rid: ReleaseId";

-- from: crates/lib/docs_rs_database/src/releases.rs:290
UPDATE builds
SET
    build_status = $1,
    errors = $2,
    error_kind = $3
WHERE id = $4
RETURNING rid as "rid: ReleaseId";

-- from: crates/lib/docs_rs_database/src/releases.rs:312
INSERT INTO crates (name)
VALUES ($1)
ON CONFLICT (name) DO UPDATE
SET -- this `SET` is needed so the id is always returned.
   name = EXCLUDED.name
RETURNING id;

-- from: crates/lib/docs_rs_database/src/releases.rs:332
INSERT INTO releases (crate_id, version)
VALUES ($1, $2)
ON CONFLICT (crate_id, version) DO UPDATE
SET -- this `SET` is needed so the id is always returned.
   version = EXCLUDED.version
RETURNING id as "id: ReleaseId";

-- from: crates/lib/docs_rs_database/src/releases.rs:356
UPDATE builds
SET
    build_status = 'failure',
    errors = $1,
    build_finished = NOW()
WHERE
    rid = $2
    AND build_status = 'in_progress';

-- from: crates/lib/docs_rs_database/src/releases.rs:371
INSERT INTO builds(rid, build_status, build_server, build_started)
VALUES ($1, $2, $3, NOW())
RETURNING id as "id: BuildId";

-- from: crates/lib/docs_rs_database/src/releases.rs:482
SELECT slug FROM keywords WHERE slug = ANY($1);

-- from: crates/lib/docs_rs_database/src/releases.rs:498
INSERT INTO keywords (name, slug) VALUES ($1, $2);

-- from: crates/lib/docs_rs_database/src/releases.rs:507
INSERT INTO keyword_rels (rid, kid)
SELECT $1 as rid, id as kid
FROM keywords
WHERE slug = ANY($2)
ON CONFLICT DO NOTHING;

-- from: crates/lib/docs_rs_database/src/releases.rs:529
SELECT id as "id: CrateId" FROM crates WHERE crates.name = $1;

-- from: crates/lib/docs_rs_database/src/releases.rs:554
INSERT INTO owners (login, avatar, kind)
VALUES ($1, $2, $3)
ON CONFLICT (login) DO UPDATE
    SET
        avatar = EXCLUDED.avatar,
        kind = EXCLUDED.kind
RETURNING id;

-- from: crates/lib/docs_rs_database/src/releases.rs:571
INSERT INTO owner_rels (cid, oid)
SELECT $1,oid
FROM UNNEST($2::int[]) as oid
ON CONFLICT (cid,oid)
DO NOTHING;

-- from: crates/lib/docs_rs_database/src/releases.rs:583
DELETE FROM owner_rels
WHERE
   cid = $1 AND
   NOT (oid = ANY($2));

-- from: crates/lib/docs_rs_database/src/releases.rs:607
INSERT INTO compression_rels (release, algorithm)
VALUES ($1, $2)
ON CONFLICT DO NOTHING;

-- from: crates/lib/docs_rs_database/src/releases.rs:627
INSERT INTO builds_logs(build_id, log_filename, success)
SELECT $1, * FROM UNNEST($2::text[], $3::bool[]);

-- from: crates/lib/docs_rs_database/src/releases.rs:723
SELECT
 rustc_version,
 docsrs_version,
 build_started,
 build_status as "build_status: BuildStatus",
 errors,
 error_kind
FROM builds
WHERE id = $1;

-- from: crates/lib/docs_rs_database/src/releases.rs:770
SELECT
rustc_version,
docsrs_version,
build_status as "build_status: BuildStatus",
errors,
error_kind,
rustc_nightly_date
FROM builds
WHERE id = $1;

-- from: crates/lib/docs_rs_database/src/releases.rs:823
SELECT
rustc_version,
docsrs_version,
build_status as "build_status: BuildStatus",
documentation_size,
memory_peak,
errors,
error_kind,
rustc_nightly_date
FROM builds
WHERE id = $1;

-- from: crates/lib/docs_rs_database/src/releases.rs:874
SELECT
 rustc_version,
 docsrs_version,
 build_status as "build_status: BuildStatus",
 documentation_size,
 errors,
 error_kind
FROM builds
WHERE id = $1;

-- from: crates/lib/docs_rs_database/src/releases.rs:909
SELECT
     kw.name as "name!",
     kw.slug as "slug!"
FROM keywords as kw
INNER JOIN keyword_rels as kwr on kw.id = kwr.kid
WHERE kwr.rid = $1
ORDER BY kw.name,kw.slug;

-- from: crates/lib/docs_rs_database/src/releases.rs:928
SELECT slug FROM keywords ORDER BY slug;

-- from: crates/lib/docs_rs_database/src/releases.rs:966
SELECT
   kw.name as "name!",
   kw.slug as "slug!"
FROM keywords as kw
INNER JOIN keyword_rels as kwr on kw.id = kwr.kid
WHERE kwr.rid = $1
ORDER BY kw.name,kw.slug;

-- from: crates/lib/docs_rs_database/src/releases.rs:1021
SELECT login, avatar, kind as "kind: OwnerKind"
FROM owners;

-- from: crates/lib/docs_rs_database/src/releases.rs:1031
SELECT o.login
FROM owners o, owner_rels r
WHERE
    o.id = r.oid AND
    r.cid = $1;

-- from: crates/lib/docs_rs_database/src/releases.rs:1115
SELECT login, avatar, kind as "kind: OwnerKind" FROM owners;

-- from: crates/lib/docs_rs_database/src/releases.rs:1167
SELECT login FROM owners order by login;

-- from: crates/lib/docs_rs_database/src/releases.rs:1289
SELECT id as "id: ReleaseId" FROM releases WHERE crate_id = $1 and version = $2;

-- from: crates/lib/docs_rs_database/src/releases.rs:1316
SELECT id as "id: BuildId" FROM builds WHERE rid = $1;

-- from: crates/lib/docs_rs_database/src/releases.rs:1345
SELECT
 id as "id: BuildId",
 build_status as "build_status: BuildStatus",
 errors,
 build_finished
FROM builds
WHERE rid = $1
ORDER BY id ASC;

-- from: crates/lib/docs_rs_database/src/releases.rs:1386
SELECT name FROM crates WHERE id = $1;

-- from: crates/lib/docs_rs_database/src/releases.rs:1410
SELECT
    version as "version: Version"
FROM releases
WHERE id = $1;

-- from: crates/lib/docs_rs_database/src/releases.rs:1476
SELECT license FROM releases WHERE id = $1;

-- from: crates/lib/docs_rs_database/src/service_config/mod.rs:24
INSERT INTO config (name, value)
VALUES ($1, $2)
ON CONFLICT (name) DO UPDATE SET value = $2;

-- from: crates/lib/docs_rs_database/src/service_config/mod.rs:38
DELETE FROM config WHERE name = $1;

-- from: crates/lib/docs_rs_database/src/service_config/mod.rs:50
SELECT value FROM config WHERE name = $1;

-- from: crates/lib/docs_rs_database/src/service_config/mod.rs:84
DELETE FROM config;

-- from: crates/lib/docs_rs_database/src/testing/test_env.rs:45
SELECT relname
FROM pg_class
INNER JOIN pg_namespace ON
    pg_class.relnamespace = pg_namespace.oid
WHERE pg_class.relkind = 'S'
    AND pg_namespace.nspname = $1;

-- from: crates/lib/docs_rs_repository_stats/src/updater.rs:112
SELECT id FROM repositories WHERE name = $1 AND host = $2 LIMIT 1;

-- from: crates/lib/docs_rs_repository_stats/src/updater.rs:150
SELECT host_id
 FROM repositories
 WHERE
    host = $1 AND
    updated_at < NOW() - INTERVAL '1 day'
 ORDER BY updated_at;

-- from: crates/lib/docs_rs_repository_stats/src/updater.rs:210
SELECT releases.id, crates.name, releases.version, releases.repository_url
FROM releases
INNER JOIN crates ON (crates.id = releases.crate_id)
WHERE repository_id IS NULL AND repository_url LIKE $1;

-- from: crates/lib/docs_rs_repository_stats/src/updater.rs:232
UPDATE releases SET repository_id = $1 WHERE id = $2;

-- from: crates/lib/docs_rs_repository_stats/src/updater.rs:270
INSERT INTO repositories (
    host, host_id, name, description, last_commit, stars, forks, issues, updated_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NOW())
ON CONFLICT (host, host_id) DO
UPDATE SET
    name = $3,
    description = $4,
    last_commit = $5,
    stars = $6,
    forks = $7,
    issues = $8,
    updated_at = NOW()
RETURNING id;

-- from: crates/lib/docs_rs_repository_stats/src/updater.rs:307
DELETE FROM repositories WHERE host_id = $1 AND host = $2;

-- from: crates/lib/docs_rs_repository_stats/src/workspaces.rs:14
UPDATE repositories as repo
SET crate_count = (
    select count(*)
    from releases AS r
    inner join crates as c on c.latest_version_id = r.id
    where r.repository_id = repo.id
)
WHERE id = $1;

-- from: crates/lib/docs_rs_repository_stats/src/workspaces.rs:38
UPDATE repositories SET crate_count = 0;

-- from: crates/lib/docs_rs_repository_stats/src/workspaces.rs:42
WITH counts AS (
    SELECT r.repository_id, count(*) AS crate_count
    FROM releases AS r
    JOIN crates AS c ON c.latest_version_id = r.id
    WHERE r.repository_id IS NOT NULL
    GROUP BY r.repository_id
)

UPDATE repositories AS repo
SET crate_count = coalesce(counts.crate_count, 0)
FROM counts
WHERE
    repo.id = counts.repository_id
    AND repo.crate_count IS DISTINCT FROM counts.crate_count;

-- from: crates/lib/docs_rs_repository_stats/src/workspaces.rs:73
SELECT
    c.name as "name: KrateName"

FROM
    crates AS c
    INNER JOIN releases AS r ON c.latest_version_id = r.id
    INNER JOIN repositories AS repo ON r.repository_id = repo.id

WHERE
    repo.crate_count >= $1;

-- from: crates/lib/docs_rs_repository_stats/src/workspaces.rs:99
SELECT
    c.name as "name: KrateName",
    repo.override_build_priority as "priority!"

FROM
    crates AS c
    INNER JOIN releases AS r ON c.latest_version_id = r.id
    INNER JOIN repositories AS repo ON r.repository_id = repo.id

WHERE
    repo.override_build_priority IS NOT NULL;

-- from: crates/lib/docs_rs_repository_stats/src/workspaces.rs:125
SELECT override_build_priority FROM repositories WHERE name = $1;

-- from: crates/lib/docs_rs_repository_stats/src/workspaces.rs:137
SELECT name, override_build_priority as "priority!"
FROM repositories
WHERE override_build_priority IS NOT NULL
ORDER BY name;

-- from: crates/lib/docs_rs_repository_stats/src/workspaces.rs:157
UPDATE repositories SET override_build_priority = $2 WHERE name = $1;

-- from: crates/lib/docs_rs_repository_stats/src/workspaces.rs:177
UPDATE repositories SET override_build_priority = NULL WHERE name = $1;

-- from: crates/lib/docs_rs_repository_stats/src/workspaces.rs:237
SELECT name, crate_count FROM repositories ORDER BY name;

-- from: crates/lib/docs_rs_repository_stats/src/workspaces.rs:248
SELECT id FROM repositories WHERE name = $1;

-- from: crates/lib/docs_rs_test_fakes/src/github_stats.rs:23
SELECT COUNT(*) FROM repositories;

-- from: crates/lib/docs_rs_test_fakes/src/github_stats.rs:29
INSERT INTO repositories (
   host,
   host_id,
   name,
   description,
   last_commit,
   stars,
   forks,
   issues,
   updated_at,
   override_build_priority
)
VALUES (
   'github.com',
   $1,
   $2,
   'Fake description!',
   NOW(),
   $3,
   $4,
   $5,
   NOW(),
   $6
)
RETURNING id;

-- from: crates/lib/docs_rs_test_fakes/src/legacy.rs:50
UPDATE builds
SET
    build_status = 'failure',
    errors = $2,
    error_kind = $3
WHERE id = $1;

-- from: crates/lib/docs_rs_test_fakes/src/legacy.rs:689
UPDATE builds SET output = $2 WHERE id = $1;

-- from: crates/lib/docs_rs_types/src/krate_name.rs:144
SELECT name as "name: KrateName" FROM crates;
