-- name: Refresh :exec
REFRESH MATERIALIZED VIEW myview;
