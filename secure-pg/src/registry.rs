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
use std::sync::OnceLock;

use linkme::distributed_slice;

/// The registered statements (see [`queries`]).
#[doc(hidden)]
#[distributed_slice]
pub static QUERIES: [&'static RegisteredQuery];

/// Every statement the macros registered in this binary, in no particular
/// order (see the [module docs](self)).
pub fn queries() -> &'static [&'static RegisteredQuery] {
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
    /// The schema facts as the macro wrote them (see [`SchemaFacts`]).
    encoded: Option<&'static str>,
    decoded: OnceLock<SchemaFacts>,
}

impl RegisteredQuery {
    #[doc(hidden)]
    pub const fn __from_macro(
        sql: &'static str,
        (file, line, column): (&'static str, u32, u32),
        macro_name: &'static str,
        scoping: Scoping,
        encoded: Option<&'static str>,
    ) -> Self {
        RegisteredQuery {
            sql,
            file,
            line,
            column,
            macro_name,
            scoping,
            encoded,
            decoded: OnceLock::new(),
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

    /// Whether it is a copy (`secure_copy_in!`, `secure_copy_out!`): the
    /// server does not type a `COPY`, so its parameters and columns are
    /// not recorded, and verification holds it to the catalog only.
    pub fn is_copy(&self) -> bool {
        self.macro_name.starts_with("secure_copy")
    }

    /// What it was checked against, when its crate has a schema (the
    /// `_unparsed` forms are not checked against one). Read from the
    /// macro's record on first use.
    pub fn schema(&self) -> Option<&SchemaFacts> {
        self.encoded
            .map(|e| self.decoded.get_or_init(|| SchemaFacts::decode(e)))
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
///
/// The macros record it as one string (a string literal costs the
/// compiler far less than nested constants): a line per fact, tab-separated
/// fields, with `\\`, tab and newline escaped. `T` typed (`0`/`1`); `P`
/// a parameter's type; `C` a result column (name, type, nullable `0`/`1`);
/// `R` a relation (schema, name, `t`/`v`, privileges among `SIUD`), then
/// its `K` columns (name, type, not-null `1`/`0`/`?`); `S` a sequence
/// (schema, name); `F` a routine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaFacts {
    params: Vec<String>,
    columns: Vec<ResultColumn>,
    relations: Vec<RelationUse>,
    sequences: Vec<(String, String)>,
    routines: Vec<String>,
    typed: bool,
}

impl SchemaFacts {
    /// Reads the macros' record. A line it does not know is skipped: the
    /// record and this reader ship in one release, so none is expected.
    fn decode(encoded: &str) -> SchemaFacts {
        let mut facts = SchemaFacts::default();
        for line in encoded.lines() {
            let fields: Vec<String> = line.split('\t').map(unescape).collect();
            let f: Vec<&str> = fields.iter().map(String::as_str).collect();
            match f.as_slice() {
                ["T", typed] => facts.typed = *typed == "1",
                ["P", ty] => facts.params.push((*ty).to_owned()),
                ["C", name, ty, nullable] => facts.columns.push(ResultColumn {
                    name: (*name).to_owned(),
                    ty: (*ty).to_owned(),
                    nullable: *nullable == "1",
                }),
                ["R", schema, name, kind, privileges] => facts.relations.push(RelationUse {
                    schema: (*schema).to_owned(),
                    name: (*name).to_owned(),
                    view: *kind == "v",
                    privileges: privileges
                        .chars()
                        .filter_map(|c| match c {
                            'S' => Some(Privilege::Select),
                            'I' => Some(Privilege::Insert),
                            'U' => Some(Privilege::Update),
                            'D' => Some(Privilege::Delete),
                            _ => None,
                        })
                        .collect(),
                    columns: Vec::new(),
                }),
                ["K", name, ty, not_null] => {
                    if let Some(r) = facts.relations.last_mut() {
                        r.columns.push(ColumnUse {
                            name: (*name).to_owned(),
                            ty: (*ty).to_owned(),
                            not_null: match *not_null {
                                "1" => Some(true),
                                "0" => Some(false),
                                _ => None,
                            },
                        });
                    }
                }
                ["S", schema, name] => facts
                    .sequences
                    .push(((*schema).to_owned(), (*name).to_owned())),
                ["F", routine] => facts.routines.push((*routine).to_owned()),
                _ => {}
            }
        }
        facts
    }

    /// The type of `$1`, `$2`... as the server's `format_type(oid, NULL)`
    /// prints it.
    pub fn params(&self) -> &[String] {
        &self.params
    }

    /// The result columns (`RETURNING` for a write), in order.
    pub fn columns(&self) -> &[ResultColumn] {
        &self.columns
    }

    /// The relations it names.
    pub fn relations(&self) -> &[RelationUse] {
        &self.relations
    }

    /// The sequences its inserts draw from, as (schema, name).
    pub fn sequences(&self) -> &[(String, String)] {
        &self.sequences
    }

    /// The migrations' functions and procedures it calls, as
    /// `schema.name(argument types)`.
    pub fn routines(&self) -> &[String] {
        &self.routines
    }

    /// Whether the statement was typed: `false` for one the type checker
    /// passes without typing (`SET`, `BEGIN`, DDL), whose parameters and
    /// columns are then not known.
    pub fn typed(&self) -> bool {
        self.typed
    }
}

/// Undoes the record's escapes (`\\`, `\t`, `\n`).
fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// One result column, as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultColumn {
    name: String,
    ty: String,
    nullable: bool,
}

impl ResultColumn {
    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its type, as `format_type(oid, NULL)` prints it.
    pub fn ty(&self) -> &str {
        &self.ty
    }

    /// Whether it may be `NULL`.
    pub fn nullable(&self) -> bool {
        self.nullable
    }
}

/// A relation a statement uses: the privileges it needs, and the columns
/// it may use (those it spells, or all of them for `*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationUse {
    schema: String,
    name: String,
    view: bool,
    privileges: Vec<Privilege>,
    columns: Vec<ColumnUse>,
}

impl RelationUse {
    /// Its schema.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A view (or materialized view) rather than a table.
    pub fn is_view(&self) -> bool {
        self.view
    }

    /// The privileges the statement needs on it.
    pub fn privileges(&self) -> &[Privilege] {
        &self.privileges
    }

    /// The columns the statement may use.
    pub fn columns(&self) -> &[ColumnUse] {
        &self.columns
    }

    /// `name`, or `schema.name` outside `public`, each part quoted when
    /// it must be.
    pub fn qualified(&self) -> String {
        qualified(&self.schema, &self.name)
    }
}

/// A column of a relation, as a statement was checked against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnUse {
    name: String,
    ty: String,
    not_null: Option<bool>,
}

impl ColumnUse {
    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its type as `format_type` prints it for the column (with its
    /// modifier: `character varying(50)`).
    pub fn ty(&self) -> &str {
        &self.ty
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

pub(crate) fn grants_for(queries: &[&RegisteredQuery], role: &str) -> String {
    let role = quote_ident(role);
    let mut tables: BTreeMap<String, Vec<Privilege>> = BTreeMap::new();
    let mut sequences: BTreeMap<String, ()> = BTreeMap::new();
    let mut routines: BTreeMap<String, ()> = BTreeMap::new();
    let mut schemas: BTreeMap<String, ()> = BTreeMap::new();
    let mut unknown = 0;
    for q in queries {
        let Some(s) = q.schema() else {
            unknown += 1;
            continue;
        };
        for r in s.relations() {
            if r.schema != "public" {
                schemas.insert(quote_ident(&r.schema), ());
            }
            let p = tables.entry(r.qualified()).or_default();
            p.extend_from_slice(&r.privileges);
        }
        for (schema, name) in s.sequences() {
            if schema != "public" {
                schemas.insert(quote_ident(schema), ());
            }
            sequences.insert(qualified(schema, name), ());
        }
        for r in s.routines() {
            let (schema, _) = r.split_once('.').unwrap_or(("public", r));
            if schema != "public" {
                schemas.insert(quote_ident(schema), ());
            }
            routines.insert(r.clone(), ());
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
        out.push_str(&format!(
            "GRANT USAGE, SELECT ON SEQUENCE {sequence} TO {role};\n"
        ));
    }
    for routine in routines.keys() {
        out.push_str(&format!("GRANT EXECUTE ON ROUTINE {routine} TO {role};\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_merge_privileges_per_table_and_quote_names() {
        let queries = [
            RegisteredQuery::__from_macro(
                "UPDATE widgets ...",
                ("src/a.rs", 1, 1),
                "secure_query",
                Scoping::NotScoped,
                Some(
                    "T\t1\nP\tinteger\nR\tpublic\twidgets\tt\tSU\nK\tqty\tinteger\t1\n\
                     R\tbilling\tInvoices\tt\tI\nS\tbilling\tinvoice_no\n\
                     F\tpublic.bump(integer)\n",
                ),
            ),
            RegisteredQuery::__from_macro(
                "DELETE ...",
                ("src/a.rs", 2, 1),
                "secure_query",
                Scoping::NotScoped,
                Some("T\t1\nR\tpublic\twidgets\tt\tSD\n"),
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
            grants_for(&queries.iter().collect::<Vec<_>>(), "App User"),
            "-- 1 registered statement(s) were not checked against a schema; the grants they \
             need are not included\n\
             GRANT USAGE ON SCHEMA billing TO \"App User\";\n\
             GRANT INSERT ON TABLE billing.\"Invoices\" TO \"App User\";\n\
             GRANT SELECT, UPDATE, DELETE ON TABLE widgets TO \"App User\";\n\
             GRANT USAGE, SELECT ON SEQUENCE billing.invoice_no TO \"App User\";\n\
             GRANT EXECUTE ON ROUTINE public.bump(integer) TO \"App User\";\n"
        );
    }

    #[test]
    fn the_record_decodes_with_escapes() {
        let q = RegisteredQuery::__from_macro(
            "INSERT ...",
            ("src/a.rs", 1, 1),
            "secure_query_as",
            Scoping::Tenant,
            Some(
                "T\t1\nP\ttext\nC\tid\tbigint\t0\nR\tpublic\todd\\tname\tt\tSI\n\
                 K\tid\tbigint\t1\nR\tpublic\tnames\tv\tS\nK\tv\ttext\t?\n\
                 S\tpublic\todd\\tname_id_seq\nF\tpublic.f(a\\\\b)\n",
            ),
        );
        let facts = q.schema().unwrap();
        assert!(facts.typed());
        assert_eq!(facts.params(), ["text"]);
        assert_eq!(
            (facts.columns()[0].name(), facts.columns()[0].ty()),
            ("id", "bigint")
        );
        assert!(!facts.columns()[0].nullable());
        let odd = &facts.relations()[0];
        assert_eq!(odd.name(), "odd\tname");
        assert_eq!(odd.privileges(), [Privilege::Select, Privilege::Insert]);
        assert_eq!(odd.columns()[0].not_null(), Some(true));
        let view = &facts.relations()[1];
        assert!(view.is_view());
        assert_eq!(view.columns()[0].not_null(), None);
        assert_eq!(
            facts.sequences(),
            [("public".to_owned(), "odd\tname_id_seq".to_owned())]
        );
        assert_eq!(facts.routines(), ["public.f(a\\b)"]);
        // Read once, then kept.
        assert!(std::ptr::eq(facts, q.schema().unwrap()));
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
