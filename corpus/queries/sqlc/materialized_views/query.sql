-- name: ListAuthors :many
SELECT * FROM authors;
