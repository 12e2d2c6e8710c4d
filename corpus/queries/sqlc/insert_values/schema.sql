CREATE TABLE foo (a text, b integer);

