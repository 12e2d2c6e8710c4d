ALTER TABLE IF EXISTS oauth_github
DROP COLUMN last_sync;
