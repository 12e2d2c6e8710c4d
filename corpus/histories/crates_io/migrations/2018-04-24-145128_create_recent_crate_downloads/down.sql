DROP FUNCTION refresh_recent_crate_downloads();
DROP INDEX recent_crate_downloads_crate_id;
DROP MATERIALIZED VIEW recent_crate_downloads;
