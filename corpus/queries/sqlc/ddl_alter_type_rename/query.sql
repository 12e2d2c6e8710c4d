-- name: ListAuthors :many
SELECT * FROM log_lines;
