-- name: StarExpansionReserved :many
SELECT * FROM foo;
