use super::*;

const SCHEMA: &str = "
CREATE SCHEMA billing;
CREATE TABLE owners (id bigserial PRIMARY KEY, name text NOT NULL, note varchar(20));
CREATE TABLE widgets (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES owners (id),
    qty integer NOT NULL DEFAULT 0
);
CREATE SEQUENCE billing.invoice_no;
CREATE TABLE billing.invoices (
    no bigint PRIMARY KEY DEFAULT nextval('billing.invoice_no'),
    total numeric(12, 2)
);
CREATE VIEW owner_names AS SELECT id, name FROM owners;
CREATE FUNCTION bump(w integer) RETURNS void LANGUAGE sql AS $$ UPDATE widgets SET qty = qty + 1 WHERE id = w $$;
CREATE PROCEDURE purge(days integer) LANGUAGE sql AS $$ DELETE FROM widgets WHERE qty < days $$;
";

fn facts_of(sql: &str) -> Facts {
    let catalog = Catalog::from_sql("schema.sql", SCHEMA).unwrap();
    facts(sql, &catalog)
}

fn relation<'a>(f: &'a Facts, name: &str) -> &'a RelationFact {
    f.relations
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("{name} not in {f:#?}"))
}

fn privileges(f: &Facts, name: &str) -> Vec<&'static str> {
    relation(f, name)
        .privileges
        .iter()
        .map(|p| p.keyword())
        .collect()
}

fn columns(f: &Facts, name: &str) -> Vec<String> {
    relation(f, name)
        .columns
        .iter()
        .map(|c| c.name.clone())
        .collect()
}

#[test]
fn a_select_reads_and_lists_the_columns_it_spells() {
    let f = facts_of("SELECT o.name FROM owners o JOIN widgets w ON w.owner_id = o.id");
    assert_eq!(privileges(&f, "owners"), ["SELECT"]);
    assert_eq!(privileges(&f, "widgets"), ["SELECT"]);
    assert_eq!(columns(&f, "owners"), ["id", "name"]);
    assert_eq!(columns(&f, "widgets"), ["id", "owner_id"]);
    let name = &relation(&f, "owners").columns[1];
    assert_eq!(
        (name.ty.as_str(), name.not_null),
        ("text", Some(true)),
        "{name:?}"
    );
    assert!(f.sequences.is_empty() && f.routines.is_empty(), "{f:?}");
}

#[test]
fn a_star_uses_every_column() {
    let f = facts_of("SELECT * FROM owners");
    assert_eq!(columns(&f, "owners"), ["id", "name", "note"]);
    assert_eq!(
        relation(&f, "owners").columns[2].ty,
        "character varying(20)"
    );
}

#[test]
fn writes_need_their_privilege_and_select_only_when_they_read() {
    let f = facts_of("INSERT INTO owners (name) VALUES ($1)");
    assert_eq!(privileges(&f, "owners"), ["INSERT"]);
    assert_eq!(f.sequences, [("public".into(), "owners_id_seq".into())]);
    let f = facts_of("INSERT INTO owners (name) VALUES ($1) RETURNING id");
    assert_eq!(privileges(&f, "owners"), ["SELECT", "INSERT"]);
    let f = facts_of(
        "INSERT INTO owners (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name",
    );
    assert_eq!(privileges(&f, "owners"), ["SELECT", "INSERT", "UPDATE"]);
    let f = facts_of("UPDATE widgets SET qty = $1");
    assert_eq!(privileges(&f, "widgets"), ["UPDATE"]);
    let f = facts_of("UPDATE widgets SET qty = qty + 1 WHERE id = $1");
    assert_eq!(privileges(&f, "widgets"), ["SELECT", "UPDATE"]);
    let f = facts_of("DELETE FROM widgets");
    assert_eq!(privileges(&f, "widgets"), ["DELETE"]);
    let f = facts_of("DELETE FROM widgets WHERE owner_id IN (SELECT id FROM owners)");
    assert_eq!(privileges(&f, "widgets"), ["SELECT", "DELETE"]);
    assert_eq!(privileges(&f, "owners"), ["SELECT"]);
}

#[test]
fn an_identity_column_needs_no_sequence_and_an_insert_without_columns_uses_all() {
    let f = facts_of("INSERT INTO widgets VALUES (DEFAULT, $1, $2)");
    assert!(f.sequences.is_empty(), "{f:?}");
    assert_eq!(columns(&f, "widgets"), ["id", "owner_id", "qty"]);
}

#[test]
fn a_write_in_a_cte_is_found() {
    let f = facts_of(
        "WITH gone AS (DELETE FROM widgets WHERE qty = 0 RETURNING owner_id) \
         SELECT count(*) FROM gone JOIN owners ON owners.id = gone.owner_id",
    );
    assert_eq!(privileges(&f, "widgets"), ["SELECT", "DELETE"]);
    assert_eq!(privileges(&f, "owners"), ["SELECT"]);
}

#[test]
fn a_schema_qualified_table_and_its_sequence() {
    let f = facts_of("INSERT INTO billing.invoices (total) VALUES ($1)");
    let r = relation(&f, "invoices");
    assert_eq!((r.schema.as_str(), r.view), ("billing", false));
    assert_eq!(f.sequences, [("billing".into(), "invoice_no".into())]);
    let f = facts_of("SELECT nextval('billing.invoice_no')");
    assert_eq!(f.sequences, [("billing".into(), "invoice_no".into())]);
}

#[test]
fn a_view_is_read_and_its_columns_typed_without_nullability() {
    let f = facts_of("SELECT name FROM owner_names");
    let r = relation(&f, "owner_names");
    assert!(r.view);
    assert_eq!(
        r.columns,
        [ColumnFact {
            name: "name".into(),
            ty: "text".into(),
            not_null: None
        }]
    );
}

#[test]
fn the_migrations_routines_it_calls() {
    let f = facts_of("SELECT bump($1)");
    assert_eq!(f.routines, ["public.bump(integer)"]);
    let f = facts_of("CALL purge(30)");
    assert_eq!(f.routines, ["public.purge(integer)"]);
    // Built-in functions are not the migrations'.
    let f = facts_of("SELECT now(), lower(name) FROM owners");
    assert!(f.routines.is_empty(), "{f:?}");
}

#[test]
fn sql_that_does_not_parse_uses_nothing() {
    assert_eq!(facts_of("SELEC nonsense"), Facts::default());
}

// Found by the differential against the server on real applications'
// queries (tests/it/schema/queries.rs): each needed more than the facts
// said.

#[test]
fn locking_rows_needs_update_too() {
    let f = facts_of("SELECT id FROM widgets WHERE qty = 0 FOR UPDATE SKIP LOCKED");
    assert_eq!(privileges(&f, "widgets"), ["SELECT", "UPDATE"]);
    let f = facts_of("SELECT o.id FROM owners o JOIN widgets w ON w.owner_id = o.id FOR SHARE");
    assert_eq!(privileges(&f, "owners"), ["SELECT", "UPDATE"]);
    // A column named `for` in a string or a quoted name is not a lock.
    let f = facts_of("SELECT id FROM widgets WHERE qty > 0 AND 'for update' <> ''");
    assert_eq!(privileges(&f, "widgets"), ["SELECT"]);
}

#[test]
fn a_write_target_read_again_needs_select() {
    let f = facts_of(
        "INSERT INTO owners (name) SELECT $1 WHERE NOT EXISTS \
         (SELECT 1 FROM owners WHERE name = $1)",
    );
    assert_eq!(privileges(&f, "owners"), ["SELECT", "INSERT"]);
}

#[test]
fn a_sequence_read_as_a_relation_is_a_sequence_grant() {
    let f = facts_of("SELECT last_value FROM billing.invoice_no");
    assert_eq!(f.sequences, [("billing".into(), "invoice_no".into())]);
    assert!(f.relations.is_empty(), "{f:?}");
}
