-- The quickstart's table (`cargo run -p secure-pg-examples --example quickstart`).
CREATE TABLE IF NOT EXISTS quickstart_widgets (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    note text
);
