-- name: WithAs :one
SELECT 1 AS x, 2 AS y;

-- name: WithoutAs :one
SELECT 1 x, 2 y;