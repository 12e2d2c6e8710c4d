ALTER TABLE users DROP COLUMN username;
