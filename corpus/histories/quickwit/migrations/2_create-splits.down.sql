DROP TABLE splits;

DROP FUNCTION IF EXISTS set_index_update_timestamp_for_split();
