-- name: test :exec
UPDATE foo SET langs = $1;