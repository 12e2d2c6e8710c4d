-- The schema the cases of this crate are checked against. The test copies
-- it into the trybuild project (whose manifest directory is the crate root
-- the macros see), so only these cases have a schema.
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE owners (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    handle varchar(50),
    tenant_id bigint NOT NULL DEFAULT 1,
    UNIQUE (tenant_id, name)
);
CREATE TABLE widgets (
    id bigserial PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES owners (id),
    name text NOT NULL,
    label text,
    qty integer NOT NULL DEFAULT 0,
    seq integer GENERATED ALWAYS AS IDENTITY,
    feeling mood NOT NULL DEFAULT 'ok',
    doubled integer GENERATED ALWAYS AS (qty * 2) STORED
);
CREATE TABLE notes (
    id serial PRIMARY KEY,
    body text NOT NULL
);
CREATE TABLE currencies (
    code text PRIMARY KEY,
    symbol text NOT NULL
);
CREATE DOMAIN stars AS integer CHECK (VALUE BETWEEN 1 AND 5);
CREATE TABLE ratings (
    id bigserial PRIMARY KEY,
    widget_id bigint NOT NULL REFERENCES widgets (id),
    stars stars NOT NULL
);
CREATE TABLE events (
    id uuid PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    local_at timestamp,
    day date NOT NULL,
    starts time,
    payload jsonb NOT NULL,
    raw_doc json,
    related uuid[]
);
-- A statement the loader does not model (a computed column of `AS`): the
-- table it creates is left unknown, so queries on it are refused with this
-- file and line, and every other table is still checked
-- (fail/unknown-after-unmodelled-statement.rs, pass/beside-an-unknown-table.rs).
CREATE TABLE archived_notes AS SELECT id, body, now() AS archived_at FROM notes;
-- A view that changes the session when read (schema-tests/tests/session.rs):
-- reading it is session-changing, as the call written out would be.
CREATE VIEW session_marker AS SELECT set_config('app.marker', 'set by a view', false) AS v;
-- A composite type and columns of it: their fields are read
-- (pass/composite-fields.rs), and the composite itself into a Rust type
-- that implements `FromSql` for it (pass/composite-column.rs).
CREATE TYPE header_pair AS (name text, value bytea);
CREATE TABLE responses (
    id bigserial PRIMARY KEY,
    headers header_pair[] NOT NULL,
    first_header header_pair
);
-- A function of the migrations: calls of it are typed
-- (pass/user-function.rs, fail/user-function-argument.rs).
CREATE FUNCTION canon_name(text) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT replace(lower($1), '-', '_') $$;
-- A trigger and a column default that change the session when a row is
-- written (schema-tests/tests/session.rs): writing those tables is
-- session-changing, as the calls written out would be.
CREATE FUNCTION mark_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('app.marker', 'set by a trigger', false);
    RETURN NEW;
END $$;
CREATE TABLE trigger_marked (id bigserial PRIMARY KEY, note text NOT NULL);
CREATE TRIGGER trigger_marked_mark AFTER INSERT ON trigger_marked
    FOR EACH ROW EXECUTE FUNCTION mark_session();
CREATE FUNCTION marked_default() RETURNS text LANGUAGE sql
    AS $$ SELECT set_config('app.marker', 'set by a default', false) $$;
CREATE TABLE default_marked (id bigserial PRIMARY KEY, note text NOT NULL DEFAULT marked_default());
-- A view without the tenant column over a tenant table, and a function
-- whose body reads one: a query reaching tenant rows through them is held
-- to the tenant rule like one naming the table
-- (fail/tenant-rows-through-a-view-or-function.rs).
CREATE VIEW owner_names AS SELECT name FROM owners;
CREATE FUNCTION owner_count() RETURNS bigint LANGUAGE sql STABLE
    AS $$ SELECT count(*) FROM owners $$;
-- A procedure: its CALL is typed (pass/functions-operators-and-rows.rs).
CREATE PROCEDURE bump_qty(w bigint, by_n integer DEFAULT 1)
    LANGUAGE sql AS $$ UPDATE widgets SET qty = qty + by_n WHERE id = w $$;
-- A shared table whose trigger writes a tenant table: a copy into it (a
-- copy fires triggers) reaches tenant rows, like a copy out of the view
-- above (fail/copy-reaches-tenant-rows.rs, pass/copy-reaches-tenant-rows.rs).
CREATE TABLE signups (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE FUNCTION signup_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO owners (name) VALUES (NEW.name);
    RETURN NEW;
END $$;
CREATE TRIGGER signups_owner AFTER INSERT ON signups
    FOR EACH ROW EXECUTE FUNCTION signup_owner();
