CREATE TABLE foo (bar text NOT NULL);
ALTER TABLE foo ADD COLUMN baz int;
ALTER TABLE foo ADD bio int;
ALTER TABLE foo ADD COLUMN foobar int[];
