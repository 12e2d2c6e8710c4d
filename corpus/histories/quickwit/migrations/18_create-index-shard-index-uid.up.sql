DROP INDEX IF EXISTS shards_index_uid_idx;
