-- name: User :many
SELECT "user".* FROM "user";
