-- name: IdenticalTable :many
SELECT * FROM foo;
