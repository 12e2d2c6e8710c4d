//! Every statement this binary can send, known at link time.
//!
//! Each `secure_query!` / `secure_query_as!` (and their `_unparsed`
//! forms) registers what it checked at compile time in a distributed slice
//! (`linkme`): its SQL, where it is written, its tenant scoping and, when
//! the crate has a schema, its parameter and result types and what it uses
//! of the schema (the relations it reads and writes, the columns it may
//! use with their types and nullability, the sequences and routines it
//! needs). Nothing runs at startup: the list is laid out by the linker.
//!
//! [`queries`] lists them: an audit artefact in its own right, and the
//! basis of [`Pool::verify_schema`](crate::Pool::verify_schema) (the live
//! database held against what the queries were checked against) and of
//! [`required_grants`] (the least privilege the queries need).
//!
//! A statement is registered when its code is linked into the binary:
//! queries of a library crate count once the binary uses that crate.

use std::collections::BTreeMap;
use std::fmt;

use linkme::distributed_slice;

/// The registered statements (see [`queries`]).
#[doc(hidden)]
#[distributed_slice]
pub static QUERIES: [RegisteredQuery];

/// Every statement the macros registered in this binary, in no particular
/// order (see the [module docs](self)).
pub fn queries() -> &'static [RegisteredQuery] {
    &QUERIES
}

/// How a registered statement is scoped to a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scoping {
    /// Scoped by `#[tenant_scoped]`: it sees and changes only the caller
    /// tenant's rows.
    Tenant,
    /// Marked `unscoped = "reason"`: it may see every tenant, for this
    /// reason.
    Unscoped(&'static str),
    /// Neither: it uses no tenant table (or its crate opted out of
    /// default scoping).
    NotScoped,
}

/// A privilege a statement needs on a relation, in the order `GRANT`
/// lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Privilege {
    /// `SELECT`.
    Select,
    /// `INSERT`.
    Insert,
    /// `UPDATE`.
    Update,
    /// `DELETE`.
    Delete,
}

impl Privilege {
    /// The keyword as `GRANT` spells it.
    pub const fn keyword(self) -> &'static str {
        match self {
            Privilege::Select => "SELECT",
            Privilege::Insert => "INSERT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
        }
    }
}

/// One statement, as a macro checked it.
#[derive(Debug)]
pub struct RegisteredQuery {
    sql: &'static str,
    file: &'static str,
    line: u32,
    column: u32,
    macro_name: &'static str,
    scoping: Scoping,
    schema: Option<&'static SchemaFacts>,
}

impl RegisteredQuery {
    #[doc(hidden)]
    pub const fn __from_macro(
        sql: &'static str,
        (file, line, column): (&'static str, u32, u32),
        macro_name: &'static str,
        scoping: Scoping,
        schema: Option<&'static SchemaFacts>,
    ) -> Self {
        RegisteredQuery {
            sql,
            file,
            line,
            column,
            macro_name,
            scoping,
            schema,
        }
    }

    /// The SQL sent, exactly: for a statement in a `#[tenant_scoped]`
    /// function, the scoped statement, with the tenant as its last
    /// parameter.
    pub fn sql(&self) -> &'static str {
        self.sql
    }

    /// The source file of the macro call, as `file!()` gives it.
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// The line of the SQL literal.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The column of the SQL literal.
    pub fn column(&self) -> u32 {
        self.column
    }

    /// The macro that checked it: `secure_query`, `secure_query_as`...
    pub fn macro_name(&self) -> &'static str {
        self.macro_name
    }

    /// How it is scoped to a tenant.
    pub fn scoping(&self) -> Scoping {
        self.scoping
    }

    /// What it was checked against, when its crate has a schema (the
    /// `_unparsed` forms are not checked against one).
    pub fn schema(&self) -> Option<&'static SchemaFacts> {
        self.schema
    }
}

impl fmt::Display for RegisteredQuery {
    /// `file:line:column (macro!)`, never the SQL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{} ({}!)",
            self.file, self.line, self.column, self.macro_name
        )
    }
}

/// What a statement was checked against in its crate's schema.
#[derive(Debug)]
pub struct SchemaFacts {
    params: &'static [&'static str],
    columns: &'static [ResultColumn],
    relations: &'static [RelationUse],
    sequences: &'static [(&'static str, &'static str)],
    routines: &'static [&'static str],
    typed: bool,
}

impl SchemaFacts {
    #[doc(hidden)]
    pub const fn __from_macro(
        params: &'static [&'static str],
        columns: &'static [ResultColumn],
        relations: &'static [RelationUse],
        sequences: &'static [(&'static str, &'static str)],
        routines: &'static [&'static str],
        typed: bool,
    ) -> Self {
        SchemaFacts {
            params,
            columns,
            relations,
            sequences,
            routines,
            typed,
        }
    }

    /// Whether the statement was typed: `false` for one the type checker
    /// passes without typing (`SET`, `BEGIN`, DDL), whose parameters and
    /// columns are then not known.
    pub fn typed(&self) -> bool {
        self.typed
    }

    /// The type of `$1`, `$2`... as the server's `format_type(oid, NULL)`
    /// prints it.
    pub fn params(&self) -> &'static [&'static str] {
        self.params
    }

    /// The result columns (`RETURNING` for a write), in order.
    pub fn columns(&self) -> &'static [ResultColumn] {
        self.columns
    }

    /// The relations it names.
    pub fn relations(&self) -> &'static [RelationUse] {
        self.relations
    }

    /// The sequences its inserts draw from, as (schema, name).
    pub fn sequences(&self) -> &'static [(&'static str, &'static str)] {
        self.sequences
    }

    /// The migrations' functions and procedures it calls, as
    /// `schema.name(argument types)`.
    pub fn routines(&self) -> &'static [&'static str] {
        self.routines
    }
}

/// One result column, as checked.
#[derive(Debug)]
pub struct ResultColumn {
    name: &'static str,
    ty: &'static str,
    nullable: bool,
}

impl ResultColumn {
    #[doc(hidden)]
    pub const fn __from_macro(name: &'static str, ty: &'static str, nullable: bool) -> Self {
        ResultColumn { name, ty, nullable }
    }

    /// Its name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its type, as `format_type(oid, NULL)` prints it.
    pub fn ty(&self) -> &'static str {
        self.ty
    }

    /// Whether it may be `NULL`.
    pub fn nullable(&self) -> bool {
        self.nullable
    }
}

/// A relation a statement uses: the privileges it needs, and the columns
/// it may use (those it spells, or all of them for `*`).
#[derive(Debug)]
pub struct RelationUse {
    schema: &'static str,
    name: &'static str,
    view: bool,
    privileges: &'static [Privilege],
    columns: &'static [ColumnUse],
}

impl RelationUse {
    #[doc(hidden)]
    pub const fn __from_macro(
        (schema, name): (&'static str, &'static str),
        view: bool,
        privileges: &'static [Privilege],
        columns: &'static [ColumnUse],
    ) -> Self {
        RelationUse {
            schema,
            name,
            view,
            privileges,
            columns,
        }
    }

    /// Its schema.
    pub fn schema(&self) -> &'static str {
        self.schema
    }

    /// Its name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// A view (or materialized view) rather than a table.
    pub fn is_view(&self) -> bool {
        self.view
    }

    /// The privileges the statement needs on it.
    pub fn privileges(&self) -> &'static [Privilege] {
        self.privileges
    }

    /// The columns the statement may use.
    pub fn columns(&self) -> &'static [ColumnUse] {
        self.columns
    }

    /// `name`, or `schema.name` outside `public`, each part quoted when
    /// it must be.
    pub fn qualified(&self) -> String {
        qualified(self.schema, self.name)
    }
}

/// A column of a relation, as a statement was checked against it.
#[derive(Debug)]
pub struct ColumnUse {
    name: &'static str,
    ty: &'static str,
    not_null: Option<bool>,
}

impl ColumnUse {
    #[doc(hidden)]
    pub const fn __from_macro(
        name: &'static str,
        ty: &'static str,
        not_null: Option<bool>,
    ) -> Self {
        ColumnUse { name, ty, not_null }
    }

    /// Its name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its type as `format_type` prints it for the column (with its
    /// modifier: `character varying(50)`).
    pub fn ty(&self) -> &'static str {
        self.ty
    }

    /// Whether the schema declares it `NOT NULL`; `None` for a view's
    /// column.
    pub fn not_null(&self) -> Option<bool> {
        self.not_null
    }
}

/// `name` quoted as SQL needs it.
pub(crate) fn quote_ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain && !RESERVED.contains(&name) {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// Keywords a plain name cannot be (enough of them for the names of
/// tables and roles: the ones PostgreSQL reserves).
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "system_user",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

fn qualified(schema: &str, name: &str) -> String {
    if schema == "public" {
        quote_ident(name)
    } else {
        format!("{}.{}", quote_ident(schema), quote_ident(name))
    }
}

/// The `GRANT` statements that the registered statements (see [`queries`])
/// need, for `role`: per table and view, the privileges its statements
/// use; `USAGE` on the sequences behind their inserts' defaults;
/// `EXECUTE` on the migrations' routines they call; `USAGE` on every
/// schema other than `public` they touch. One statement per line, in a
/// stable order, ready for a migration run by the owner role.
///
/// Only statements checked against a schema know what they use: a
/// statement of a crate without one, or of an `_unparsed` form, adds
/// nothing (a comment at the top says how many there are).
pub fn required_grants(role: &str) -> String {
    grants_for(queries(), role)
}

pub(crate) fn grants_for(queries: &[RegisteredQuery], role: &str) -> String {
    let role = quote_ident(role);
    let mut tables: BTreeMap<String, Vec<Privilege>> = BTreeMap::new();
    let mut sequences: BTreeMap<String, ()> = BTreeMap::new();
    let mut routines: BTreeMap<String, ()> = BTreeMap::new();
    let mut schemas: BTreeMap<String, ()> = BTreeMap::new();
    let mut unknown = 0;
    for q in queries {
        let Some(s) = q.schema else {
            unknown += 1;
            continue;
        };
        for r in s.relations {
            if r.schema != "public" {
                schemas.insert(quote_ident(r.schema), ());
            }
            let p = tables.entry(r.qualified()).or_default();
            p.extend_from_slice(r.privileges);
        }
        for (schema, name) in s.sequences {
            if *schema != "public" {
                schemas.insert(quote_ident(schema), ());
            }
            sequences.insert(qualified(schema, name), ());
        }
        for r in s.routines {
            let (schema, _) = r.split_once('.').unwrap_or(("public", r));
            if schema != "public" {
                schemas.insert(quote_ident(schema), ());
            }
            routines.insert((*r).to_owned(), ());
        }
    }
    let mut out = String::new();
    if unknown > 0 {
        out.push_str(&format!(
            "-- {unknown} registered statement(s) were not checked against a schema; the \
             grants they need are not included\n"
        ));
    }
    for schema in schemas.keys() {
        out.push_str(&format!("GRANT USAGE ON SCHEMA {schema} TO {role};\n"));
    }
    for (table, mut privileges) in tables {
        privileges.sort();
        privileges.dedup();
        let list: Vec<&str> = privileges.iter().map(|p| p.keyword()).collect();
        out.push_str(&format!(
            "GRANT {} ON TABLE {table} TO {role};\n",
            list.join(", ")
        ));
    }
    for sequence in sequences.keys() {
        out.push_str(&format!("GRANT USAGE ON SEQUENCE {sequence} TO {role};\n"));
    }
    for routine in routines.keys() {
        out.push_str(&format!("GRANT EXECUTE ON ROUTINE {routine} TO {role};\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    static USES: [RelationUse; 2] = [
        RelationUse::__from_macro(
            ("public", "widgets"),
            false,
            &[Privilege::Select, Privilege::Update],
            &[ColumnUse::__from_macro("qty", "integer", Some(true))],
        ),
        RelationUse::__from_macro(("billing", "Invoices"), false, &[Privilege::Insert], &[]),
    ];
    static FACTS: SchemaFacts = SchemaFacts::__from_macro(
        &["integer"],
        &[],
        &USES,
        &[("billing", "invoice_no")],
        &["public.bump(integer)"],
        true,
    );
    static READ: [RelationUse; 1] = [RelationUse::__from_macro(
        ("public", "widgets"),
        false,
        &[Privilege::Select, Privilege::Delete],
        &[],
    )];
    static FACTS2: SchemaFacts = SchemaFacts::__from_macro(&[], &[], &READ, &[], &[], true);

    #[test]
    fn grants_merge_privileges_per_table_and_quote_names() {
        let queries = [
            RegisteredQuery::__from_macro(
                "UPDATE widgets ...",
                ("src/a.rs", 1, 1),
                "secure_query",
                Scoping::NotScoped,
                Some(&FACTS),
            ),
            RegisteredQuery::__from_macro(
                "DELETE ...",
                ("src/a.rs", 2, 1),
                "secure_query",
                Scoping::NotScoped,
                Some(&FACTS2),
            ),
            RegisteredQuery::__from_macro(
                "SELECT 1",
                ("src/a.rs", 3, 1),
                "secure_query_unparsed",
                Scoping::NotScoped,
                None,
            ),
        ];
        assert_eq!(
            grants_for(&queries, "App User"),
            "-- 1 registered statement(s) were not checked against a schema; the grants they \
             need are not included\n\
             GRANT USAGE ON SCHEMA billing TO \"App User\";\n\
             GRANT INSERT ON TABLE billing.\"Invoices\" TO \"App User\";\n\
             GRANT SELECT, UPDATE, DELETE ON TABLE widgets TO \"App User\";\n\
             GRANT USAGE ON SEQUENCE billing.invoice_no TO \"App User\";\n\
             GRANT EXECUTE ON ROUTINE public.bump(integer) TO \"App User\";\n"
        );
    }

    #[test]
    fn a_location_is_shown_never_the_sql() {
        let q = RegisteredQuery::__from_macro(
            "SELECT secret_column FROM t",
            ("src/a.rs", 3, 9),
            "secure_query",
            Scoping::Unscoped("admin"),
            None,
        );
        assert_eq!(q.to_string(), "src/a.rs:3:9 (secure_query!)");
    }

    #[test]
    fn names_are_quoted_when_they_must_be() {
        for (name, shown) in [
            ("widgets", "widgets"),
            ("user", "\"user\""),
            ("Mixed", "\"Mixed\""),
            ("a\"b", "\"a\"\"b\""),
            ("2fa", "\"2fa\""),
        ] {
            assert_eq!(quote_ident(name), shown);
        }
    }
}
