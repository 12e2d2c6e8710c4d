-- name: SelectColumnCast :many
SELECT bar::int FROM foo;
