ALTER TABLE versions
    DROP COLUMN links;
