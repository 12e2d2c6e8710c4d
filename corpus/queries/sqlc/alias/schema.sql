CREATE TABLE bar (id serial not null);

