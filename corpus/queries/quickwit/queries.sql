-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:307
SELECT
    shard_id, publish_position_inclusive, publish_token
FROM
    shards
WHERE
    index_uid = $1
    AND source_id = $2
    AND shard_id = ANY($3)
FOR UPDATE;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:362
UPDATE
    shards
SET
    publish_position_inclusive = new_positions.position,
    shard_state = CASE WHEN new_positions.position LIKE '~%' THEN 'closed' ELSE shards.shard_state END,
    update_timestamp = $5
FROM
    UNNEST($3, $4)
    AS new_positions(shard_id, position)
WHERE
    index_uid = $1
    AND source_id = $2
    AND shards.shard_id = new_positions.shard_id;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:440
UPDATE indexes
SET index_metadata_json = $1
WHERE index_uid = $2;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:492
INSERT INTO indexes (index_uid, index_id, index_metadata_json) VALUES ($1, $2, $3);

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:594
SELECT
    *
FROM
    indexes
WHERE
    index_id = ANY ($1)
    OR index_uid = ANY ($2);

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:665
DELETE FROM indexes WHERE index_uid = $1;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:720
INSERT INTO splits
    (split_id, time_range_start, time_range_end, tags, split_metadata_json, delete_opstamp, maturity_timestamp, split_state, index_uid, node_id)
SELECT
    split_id,
    time_range_start,
    time_range_end,
    ARRAY(SELECT json_array_elements_text(tags_json::json)) as tags,
    split_metadata_json,
    delete_opstamp,
    to_timestamp(maturity_timestamp),
    $9 as split_state,
    $10 as index_uid,
    node_id
FROM
    UNNEST($1, $2, $3, $4, $5, $6, $7, $8)
    AS staged_splits (split_id, time_range_start, time_range_end, tags_json, split_metadata_json, delete_opstamp, maturity_timestamp, node_id)
ON CONFLICT(index_uid, split_id) DO UPDATE
    SET
        time_range_start = excluded.time_range_start,
        time_range_end = excluded.time_range_end,
        tags = excluded.tags,
        split_metadata_json = excluded.split_metadata_json,
        delete_opstamp = excluded.delete_opstamp,
        maturity_timestamp = excluded.maturity_timestamp,
        node_id = excluded.node_id,
        update_timestamp = CURRENT_TIMESTAMP,
        create_timestamp = CURRENT_TIMESTAMP
    WHERE splits.split_id = excluded.split_id AND splits.split_state = 'Staged'
RETURNING split_id;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:916
-- Select the splits to update, regardless of their state.
-- The left join make it possible to identify the splits that do not exist.
WITH input_splits AS (
    SELECT input_splits.split_id, input_splits.expected_split_state, splits.actual_split_state
    FROM (
        SELECT split_id, 'Staged' AS expected_split_state
        FROM UNNEST($3) AS staged_splits(split_id)
        UNION
        SELECT split_id, 'Published' AS expected_split_state
        FROM UNNEST($4) AS published_splits(split_id)
    ) input_splits
    LEFT JOIN (
        SELECT split_id, split_state AS actual_split_state
        FROM splits
        WHERE
            index_uid = $1
            AND (split_id = ANY($3) OR split_id = ANY($4))
        FOR UPDATE
        ) AS splits
    USING (split_id)
),
-- Update the index metadata with the new checkpoint.
updated_index_metadata AS (
    UPDATE indexes
    SET
        index_metadata_json = $2
    WHERE
        index_uid = $1
        AND NOT EXISTS (
            SELECT 1
            FROM input_splits
            WHERE
                actual_split_state != expected_split_state
            )
),
-- Publish the staged splits and mark the published splits for deletion.
updated_splits AS (
    UPDATE splits
    SET
        split_state = CASE split_state
            WHEN 'Staged' THEN 'Published'
            ELSE 'MarkedForDeletion'
        END,
        update_timestamp = (CURRENT_TIMESTAMP AT TIME ZONE 'UTC'),
        publish_timestamp = (CURRENT_TIMESTAMP AT TIME ZONE 'UTC')
    FROM input_splits
    WHERE
        splits.index_uid = $1
        AND splits.split_id = input_splits.split_id
        AND NOT EXISTS (
            SELECT 1
            FROM input_splits
            WHERE
                actual_split_state != expected_split_state
        )
)
-- Report the outcome of the update query.
SELECT
    COUNT(1) FILTER (WHERE actual_split_state = 'Staged' AND expected_split_state = 'Staged'),
    COUNT(1) FILTER (WHERE actual_split_state = 'Published' AND expected_split_state = 'Published'),
    COALESCE(ARRAY_AGG(split_id) FILTER (WHERE actual_split_state IS NULL), ARRAY[]::TEXT[]),
    COALESCE(ARRAY_AGG(split_id) FILTER (WHERE actual_split_state != 'Staged' AND expected_split_state = 'Staged'), ARRAY[]::TEXT[]),
    COALESCE(ARRAY_AGG(split_id) FILTER (WHERE actual_split_state != 'Published' AND expected_split_state = 'Published'), ARRAY[]::TEXT[])
    FROM input_splits;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1122
-- Select the splits to update, regardless of their state.
-- The left join make it possible to identify the splits that do not exist.
WITH input_splits AS (
    SELECT input_splits.split_id, splits.split_state
    FROM UNNEST($2) AS input_splits(split_id)
    LEFT JOIN (
        SELECT split_id, split_state
        FROM splits
        WHERE
            index_uid = $1
            AND split_id = ANY($2)
        FOR UPDATE
        ) AS splits
    USING (split_id)
),
-- Mark the staged and published splits for deletion.
marked_splits AS (
    UPDATE splits
    SET
        split_state = 'MarkedForDeletion',
        update_timestamp = (CURRENT_TIMESTAMP AT TIME ZONE 'UTC')
    FROM input_splits
    WHERE
        splits.index_uid = $1
        AND splits.split_id = input_splits.split_id
        AND splits.split_state IN ('Staged', 'Published')
)
-- Report the outcome of the update query.
SELECT
    COUNT(split_state),
    COUNT(1) FILTER (WHERE split_state IN ('Staged', 'Published')),
    COALESCE(ARRAY_AGG(split_id) FILTER (WHERE split_state IS NULL), ARRAY[]::TEXT[])
    FROM input_splits;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1202
-- Select the splits to delete, regardless of their state.
-- The left join make it possible to identify the splits that do not exist.
WITH input_splits AS (
    SELECT input_splits.split_id, splits.split_state
    FROM UNNEST($2) AS input_splits(split_id)
    LEFT JOIN (
        SELECT split_id, split_state
        FROM splits
        WHERE
            index_uid = $1
            AND split_id = ANY($2)
        FOR UPDATE
        ) AS splits
    USING (split_id)
),
-- Delete the splits if and only if all the splits are marked for deletion.
deleted_splits AS (
    DELETE FROM splits
    USING input_splits
    WHERE
        splits.index_uid = $1
        AND splits.split_id = input_splits.split_id
        AND NOT EXISTS (
            SELECT 1
            FROM input_splits
            WHERE
                split_state IN ('Staged', 'Published')
        )
)
-- Report the outcome of the delete query.
SELECT
    COUNT(split_state),
    COUNT(1) FILTER (WHERE split_state = 'MarkedForDeletion'),
    COALESCE(ARRAY_AGG(split_id) FILTER (WHERE split_state IN ('Staged', 'Published')), ARRAY[]::TEXT[]),
    COALESCE(ARRAY_AGG(split_id) FILTER (WHERE split_state IS NULL), ARRAY[]::TEXT[])
    FROM input_splits;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1298
DELETE FROM shards
WHERE
    index_uid = $1
    AND source_id = $2;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1341
SELECT COALESCE(MAX(opstamp), 0)
FROM delete_tasks
WHERE index_uid = $1;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1363
INSERT INTO delete_tasks (index_uid, delete_query_json) VALUES ($1, $2)
RETURNING create_timestamp, opstamp;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1393
UPDATE splits
SET
    delete_opstamp = $1,
    -- The values we compare with are *before* the modification:
    update_timestamp = CASE
        WHEN delete_opstamp != $1 THEN (CURRENT_TIMESTAMP AT TIME ZONE 'UTC')
        ELSE update_timestamp
    END
WHERE
    index_uid = $2
    AND split_id = ANY($3);

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1434
SELECT * FROM delete_tasks
WHERE
    index_uid = $1
    AND opstamp > $2;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1462
SELECT *
FROM splits
WHERE
    index_uid = $1
    AND delete_opstamp < $2
    AND split_state = $3
    AND (maturity_timestamp = to_timestamp(0) OR (CURRENT_TIMESTAMP AT TIME ZONE 'UTC') >= maturity_timestamp)
ORDER BY delete_opstamp ASC, publish_timestamp ASC
LIMIT $4;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1516
UPDATE
    shards
SET
    publish_token = $4
WHERE
    index_uid = $1
    AND source_id = $2
    AND shard_id = ANY ($3)
    -- Acquisition is monotonic between ULIDs; a legacy presented token keeps pre-upgrade behavior.
    AND (
        $4 LIKE '%/%' -- presented token is legacy (pre-ULID): always takes, for rolling upgrades
        OR publish_token IS NULL -- never acquired: free to take
        OR publish_token = '' -- empty placeholder: free to take
        OR publish_token LIKE '%/%' -- recorded token is legacy: superseded by any ULID
        OR $4 >= publish_token -- both are ULIDs: take only if ours is newer-or-equal
    )
RETURNING
    *;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1622
DELETE FROM shards
WHERE index_uid = $1
    AND source_id = $2
    AND shard_id = ANY ($3)
    AND ($4
        OR publish_position_inclusive LIKE '~%');

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1642
SELECT
    *
FROM
    shards
WHERE
    index_uid = $1
    AND source_id = $2
    AND shard_id = ANY ($3)
    AND publish_position_inclusive NOT LIKE '~%';

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1690
DELETE FROM shards
WHERE index_uid = $1
    AND source_id = $2
    AND update_timestamp < $3;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1699
WITH recent_shards AS (
    SELECT shard_id
    FROM shards
    WHERE index_uid = $1
        AND source_id = $2
    ORDER BY update_timestamp DESC
    LIMIT $3
)
DELETE FROM shards
WHERE index_uid = $1
    AND source_id = $2
    AND shard_id NOT IN (SELECT shard_id FROM recent_shards);

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1744
INSERT INTO index_templates(template_id, positive_index_id_patterns, negative_index_id_patterns, priority, index_template_json)
    VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (template_id)
    DO UPDATE SET
        positive_index_id_patterns = $2, negative_index_id_patterns = $3, priority = $4, index_template_json = $5;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1755
INSERT INTO index_templates(template_id, positive_index_id_patterns, negative_index_id_patterns, priority, index_template_json)
    VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (template_id)
    DO NOTHING;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1778
SELECT * FROM index_templates WHERE template_id = $1;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1805
SELECT DISTINCT ON (index_id)
    index_id,
    template_id,
    index_template_json
FROM
    unnest($1) AS index_ids(index_id)
    JOIN index_templates ON index_ids.index_id LIKE ANY (index_templates.positive_index_id_patterns)
        AND (cardinality(index_templates.negative_index_id_patterns) = 0
            OR index_ids.index_id NOT LIKE ANY (index_templates.negative_index_id_patterns))
    ORDER BY
        index_id,
        - priority,
        template_id ASC;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1829
SELECT index_template_json FROM index_templates ORDER BY template_id ASC;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1849
DELETE FROM index_templates WHERE template_id = ANY($1);

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:1863
INSERT INTO kv (key, value)
VALUES ('cluster_identity', $1)
ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key
RETURNING value;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:3073
INSERT INTO shards(index_uid, source_id, shard_id, leader_id, follower_id, doc_mapping_uid, publish_token, update_timestamp)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT
    DO NOTHING
RETURNING
    *;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:3100
SELECT
    *
FROM
    shards
WHERE
    index_uid = $1
    AND source_id = $2
    AND shard_id = $3;

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:3260
INSERT INTO shards(index_uid, source_id, shard_id, shard_state, leader_id, follower_id, doc_mapping_uid, publish_position_inclusive, publish_token, update_timestamp)
VALUES ($1, $2, $3, CAST($4 AS SHARD_STATE), $5, $6, $7, $8, $9, $10);

-- from: quickwit/quickwit-metastore/src/metastore/postgres/metastore.rs:3279
SELECT *
FROM shards
WHERE
    index_uid = $1
    AND source_id = $2;
