CREATE TABLE foo (bar text);
ALTER TABLE foo RENAME bar TO baz;