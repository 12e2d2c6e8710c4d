CREATE TABLE foo (name text not null);

