/* name: GetDate :one */
SELECT * from CURRENT_DATE;
