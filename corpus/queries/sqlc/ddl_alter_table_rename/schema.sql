CREATE TABLE venues (name text);
ALTER TABLE venues RENAME TO arenas;
