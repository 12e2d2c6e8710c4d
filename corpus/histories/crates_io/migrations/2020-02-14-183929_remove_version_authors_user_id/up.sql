ALTER TABLE version_authors DROP COLUMN user_id;
