ALTER TABLE releases
DROP COLUMN files,
DROP COLUMN archive_storage;
