CREATE SCHEMA myschema;
CREATE TABLE myschema.foo (a text, b integer);

