-- name: ListFoo :many
SELECT * FROM foo;
