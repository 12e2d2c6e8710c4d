-- The tables the test suite's and the examples' queries (outside the
-- tenant tests, which bring their own schema) run against, as the tests
-- create them, gathered into one schema for the harvested corpus of the
-- PREPARE differential (`harvest.rs`). Where two tests create the same
-- table differently, the table here has what both use.
CREATE TYPE mood_q AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN stars_q AS integer CHECK (VALUE BETWEEN 1 AND 5);
CREATE TABLE quickstart_widgets (id bigint PRIMARY KEY, name text NOT NULL, note text);
CREATE TABLE transfer_accounts (id bigint PRIMARY KEY, balance numeric(14, 2) NOT NULL CHECK (balance >= 0));
CREATE TABLE customer_accounts (
    id bigint PRIMARY KEY,
    email text NOT NULL CONSTRAINT customer_accounts_email_key UNIQUE,
    age int CONSTRAINT customer_accounts_age_check CHECK (age >= 0)
);
CREATE TABLE customer_orders (
    id bigint PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES customer_accounts (id)
);
CREATE TABLE customer_handles (
    id bigint PRIMARY KEY,
    email text NOT NULL CONSTRAINT customer_handles_email_key UNIQUE,
    handle text NOT NULL CONSTRAINT customer_handles_handle_key UNIQUE
);
CREATE TABLE ledger (id bigint PRIMARY KEY, note text NOT NULL);
CREATE TABLE bounced_items (id bigint PRIMARY KEY, label text NOT NULL, note text);
CREATE TABLE cancelled_tx (v int);
CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL);
CREATE TABLE widgets_methods (id bigint PRIMARY KEY, name text NOT NULL, note text);
CREATE TABLE widgets_exec (id bigint PRIMARY KEY, name text NOT NULL, note text);
CREATE TABLE widgets_inject (id bigint PRIMARY KEY, name text NOT NULL, note text);
CREATE TABLE widgets_any (id bigint PRIMARY KEY, name text NOT NULL, note text);
CREATE TABLE widgets (id bigint PRIMARY KEY, name text NOT NULL, note text);
CREATE TABLE events_types (
    id uuid PRIMARY KEY,
    payload jsonb NOT NULL,
    at timestamptz NOT NULL,
    tags text[] NOT NULL,
    note text
);
CREATE TABLE moods_q (id bigint PRIMARY KEY, feeling mood_q NOT NULL, stars stars_q);
CREATE TABLE accounts (id bigint PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0));
CREATE TABLE transfers (id bigint PRIMARY KEY, src bigint NOT NULL, dst bigint NOT NULL, amount bigint NOT NULL);
-- secure-pg: skip
CREATE FUNCTION public.remember_tenant(t text) RETURNS text
    LANGUAGE sql AS $$ SELECT set_config('app.tenant_id', t, false) $$;
-- tests/it/dynamic.rs (every variant of its dynamic queries is harvested)
CREATE TABLE dyn_orders (id bigint PRIMARY KEY, status text NOT NULL, amount bigint NOT NULL);
CREATE TABLE dyn_tenant_orders (tenant_id bigint NOT NULL, id bigint NOT NULL,
    status text NOT NULL, amount bigint NOT NULL, PRIMARY KEY (tenant_id, id));
CREATE TABLE dyn_tenant_orders_plain AS SELECT * FROM dyn_tenant_orders;
