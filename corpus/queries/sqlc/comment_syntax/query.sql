-- name: DoubleDash :one
SELECT * FROM foo LIMIT 1;

/* name: SlashStar :one */
SELECT * FROM foo LIMIT 1;
