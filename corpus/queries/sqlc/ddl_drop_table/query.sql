-- name: Placeholder :exec
SELECT 1;
