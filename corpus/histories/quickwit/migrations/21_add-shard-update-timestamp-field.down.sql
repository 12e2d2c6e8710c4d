ALTER TABLE shards
    DROP IF EXISTS update_timestamp;
