CREATE TABLE foo (
    id       text,
    other_id text,
    about    text,
    other    text,
    notnulltext text not null
);

CREATE TABLE bar (
    id       text,
    other_id text,
    about    text,
    other    text
);
