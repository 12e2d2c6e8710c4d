CREATE TABLE foo (a text);

