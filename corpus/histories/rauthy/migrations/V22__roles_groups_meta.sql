ALTER TABLE groups
    ADD meta BYTEA;

ALTER TABLE roles
    ADD meta BYTEA;
