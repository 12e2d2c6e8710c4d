CREATE TABLE array_values (
    id bigserial PRIMARY KEY,
    values text[] NOT NULL
);
