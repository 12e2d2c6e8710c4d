//! Relations the server has without the migrations creating them: the
//! system catalogs and `information_schema` views that applications read,
//! and the schema's sequences (read as relations).
//!
//! The system relations are described by the columns that have the same
//! name, type and nullability from PostgreSQL 13 to 18, and most not by
//! every column: such a relation is *partial* (all but those in
//! [`COMPLETE`]), so `*`, a column alias list,
//! `NATURAL` and an unqualified name it may hold are refused with a fix,
//! and a column it does not list is "not known", never "does not exist".
//! `information_schema` columns have domain types, which the server
//! describes by their base types (`name`, `character varying`,
//! `integer`); they are listed with those.

use super::Col;
use crate::schema::{Name, SqlType};

/// `(schema, relation, columns)`: each column is `(name, type, NOT
/// NULL)`. A view's columns are all nullable (the server cannot say).
type SystemRelation = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, bool)],
);

/// The system relations listed below with every column they have, in
/// order, in PostgreSQL 13 to 18: `*` and the other forms that need all
/// the columns read them like a table.
const COMPLETE: &[(&str, &str)] = &[("pg_catalog", "pg_tables")];

/// Whether the system relation `schema.name` is listed with all its
/// columns (see [`COMPLETE`]).
pub(crate) fn is_complete(schema: &Name, name: &Name) -> bool {
    COMPLETE
        .iter()
        .any(|(s, n)| *s == schema.as_str() && *n == name.as_str())
}

const SYSTEM: &[SystemRelation] = &[
    (
        "pg_catalog",
        "pg_tables",
        &[
            ("schemaname", "name", false),
            ("tablename", "name", false),
            ("tableowner", "name", false),
            ("tablespace", "name", false),
            ("hasindexes", "boolean", false),
            ("hasrules", "boolean", false),
            ("hastriggers", "boolean", false),
            ("rowsecurity", "boolean", false),
        ],
    ),
    (
        "pg_catalog",
        "pg_namespace",
        &[
            ("oid", "oid", true),
            ("nspname", "name", true),
            ("nspowner", "oid", true),
        ],
    ),
    (
        "pg_catalog",
        "pg_class",
        &[
            ("oid", "oid", true),
            ("relname", "name", true),
            ("relnamespace", "oid", true),
            ("reltype", "oid", true),
            ("reloftype", "oid", true),
            ("relowner", "oid", true),
            ("relam", "oid", true),
            ("relfilenode", "oid", true),
            ("reltablespace", "oid", true),
            ("relpages", "integer", true),
            ("reltuples", "real", true),
            ("relallvisible", "integer", true),
            ("reltoastrelid", "oid", true),
            ("relhasindex", "boolean", true),
            ("relisshared", "boolean", true),
            ("relpersistence", "\"char\"", true),
            ("relkind", "\"char\"", true),
            ("relnatts", "smallint", true),
            ("relchecks", "smallint", true),
            ("relhasrules", "boolean", true),
            ("relhastriggers", "boolean", true),
            ("relhassubclass", "boolean", true),
            ("relrowsecurity", "boolean", true),
            ("relforcerowsecurity", "boolean", true),
            ("relispopulated", "boolean", true),
            ("relreplident", "\"char\"", true),
            ("relispartition", "boolean", true),
            ("relrewrite", "oid", true),
        ],
    ),
    (
        "pg_catalog",
        "pg_attribute",
        &[
            ("attrelid", "oid", true),
            ("attname", "name", true),
            ("atttypid", "oid", true),
            ("attlen", "smallint", true),
            ("attnum", "smallint", true),
            ("atttypmod", "integer", true),
            ("attnotnull", "boolean", true),
            ("atthasdef", "boolean", true),
            ("attidentity", "\"char\"", true),
            ("attgenerated", "\"char\"", true),
            ("attisdropped", "boolean", true),
            ("attislocal", "boolean", true),
            ("attcollation", "oid", true),
        ],
    ),
    (
        "pg_catalog",
        "pg_index",
        &[
            ("indexrelid", "oid", true),
            ("indrelid", "oid", true),
            ("indnatts", "smallint", true),
            ("indnkeyatts", "smallint", true),
            ("indisunique", "boolean", true),
            ("indisprimary", "boolean", true),
            ("indisexclusion", "boolean", true),
            ("indimmediate", "boolean", true),
            ("indisclustered", "boolean", true),
            ("indisvalid", "boolean", true),
            ("indcheckxmin", "boolean", true),
            ("indisready", "boolean", true),
            ("indislive", "boolean", true),
            ("indisreplident", "boolean", true),
        ],
    ),
    (
        "pg_catalog",
        "pg_stat_activity",
        &[
            ("datid", "oid", false),
            ("datname", "name", false),
            ("pid", "integer", false),
            ("leader_pid", "integer", false),
            ("usesysid", "oid", false),
            ("usename", "name", false),
            ("application_name", "text", false),
            ("client_addr", "inet", false),
            ("client_hostname", "text", false),
            ("client_port", "integer", false),
            ("backend_start", "timestamp with time zone", false),
            ("xact_start", "timestamp with time zone", false),
            ("query_start", "timestamp with time zone", false),
            ("state_change", "timestamp with time zone", false),
            ("wait_event_type", "text", false),
            ("wait_event", "text", false),
            ("state", "text", false),
            ("query", "text", false),
            ("backend_type", "text", false),
        ],
    ),
    (
        "pg_catalog",
        "pg_locks",
        &[
            ("locktype", "text", false),
            ("database", "oid", false),
            ("relation", "oid", false),
            ("page", "integer", false),
            ("tuple", "smallint", false),
            ("virtualxid", "text", false),
            ("classid", "oid", false),
            ("objid", "oid", false),
            ("objsubid", "smallint", false),
            ("virtualtransaction", "text", false),
            ("pid", "integer", false),
            ("mode", "text", false),
            ("granted", "boolean", false),
            ("fastpath", "boolean", false),
        ],
    ),
    (
        "information_schema",
        "tables",
        &[
            ("table_catalog", "name", false),
            ("table_schema", "name", false),
            ("table_name", "name", false),
            ("table_type", "character varying", false),
            ("is_insertable_into", "character varying", false),
            ("is_typed", "character varying", false),
        ],
    ),
    (
        "information_schema",
        "columns",
        &[
            ("table_catalog", "name", false),
            ("table_schema", "name", false),
            ("table_name", "name", false),
            ("column_name", "name", false),
            ("ordinal_position", "integer", false),
            ("column_default", "character varying", false),
            ("is_nullable", "character varying", false),
            ("data_type", "character varying", false),
            ("character_maximum_length", "integer", false),
            ("numeric_precision", "integer", false),
            ("numeric_scale", "integer", false),
            ("udt_schema", "name", false),
            ("udt_name", "name", false),
            ("is_identity", "character varying", false),
            ("is_generated", "character varying", false),
            ("is_updatable", "character varying", false),
        ],
    ),
];

/// The columns of the system relation `schema.name` (`schema` `None`:
/// `pg_catalog`, which PostgreSQL searches before the search path), if
/// the checker describes it, and its schema.
pub(crate) fn system_relation(schema: Option<&Name>, name: &Name) -> Option<(Vec<Col>, Name)> {
    let schema = schema.map_or("pg_catalog", Name::as_str);
    let (s, rel, cols) = SYSTEM
        .iter()
        .find(|(s, n, _)| *s == schema && *n == name.as_str())?;
    let cols = cols
        .iter()
        .map(|(col, ty, not_null)| Col {
            name: Name::unquoted(col),
            ty: SqlType::builtin(ty),
            nullable: !not_null,
            why: (!not_null).then(|| format!("column `{col}` of `{s}.{rel}` can be NULL")),
        })
        .collect();
    Some((cols, Name::unquoted(s)))
}

/// The columns a sequence has when it is read as a relation.
pub(crate) fn sequence_columns() -> Vec<Col> {
    [
        ("last_value", "bigint"),
        ("log_cnt", "bigint"),
        ("is_called", "boolean"),
    ]
    .iter()
    .map(|(n, t)| Col {
        name: Name::unquoted(n),
        ty: SqlType::builtin(t),
        nullable: false,
        why: None,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_relations_resolve_in_pg_catalog_first() {
        let (cols, schema) = system_relation(None, &Name::unquoted("pg_class")).unwrap();
        assert_eq!(schema.as_str(), "pg_catalog");
        assert!(cols
            .iter()
            .any(|c| c.name.as_str() == "relkind" && !c.nullable));
        assert!(
            system_relation(Some(&Name::unquoted("public")), &Name::unquoted("pg_class")).is_none()
        );
        let (cols, _) = system_relation(
            Some(&Name::unquoted("information_schema")),
            &Name::unquoted("tables"),
        )
        .unwrap();
        assert!(cols.iter().all(|c| c.nullable));
        assert!(system_relation(None, &Name::unquoted("tables")).is_none());
    }

    #[test]
    fn sequences_read_as_three_columns() {
        let names: Vec<String> = sequence_columns()
            .into_iter()
            .map(|c| c.name.as_str().to_string())
            .collect();
        assert_eq!(names, ["last_value", "log_cnt", "is_called"]);
    }
}
