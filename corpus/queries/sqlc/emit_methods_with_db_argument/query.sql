-- name: GetAll :many
SELECT * FROM users;
