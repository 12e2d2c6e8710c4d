CREATE TABLE venues (name text);
