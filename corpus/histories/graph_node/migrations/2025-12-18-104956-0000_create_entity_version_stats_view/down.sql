DROP MATERIALIZED VIEW IF EXISTS info.entity_version_stats;
