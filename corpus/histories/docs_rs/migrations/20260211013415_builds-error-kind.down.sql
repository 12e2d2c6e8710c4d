DROP INDEX builds_error_kind_idx;
ALTER TABLE builds DROP COLUMN error_kind;
