CREATE TABLE foo (bar text, baz text);
ALTER TABLE foo DROP COLUMN bar;
