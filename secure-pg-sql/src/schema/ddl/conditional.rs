//! `DO` blocks whose DDL is guarded by a condition on the catalog:
//!
//! ```sql
//! DO $$ BEGIN
//!   IF NOT EXISTS (SELECT 1 FROM information_schema.columns
//!                  WHERE table_name = 'users' AND column_name = 'email') THEN
//!     ALTER TABLE users ADD COLUMN email text;
//!   END IF;
//! END $$;
//! ```
//!
//! The condition is decided from the catalog the loader has built so far,
//! as the server would decide it from its own, and the branch taken is
//! applied statement by statement. A block is read this way only when every
//! part of it is understood: simple declarations, then a body of plain
//! statements and `IF ... THEN
//! ... [ELSE ...] END IF` (not nested), each condition an `EXISTS` over one
//! catalog view with `column = 'literal'` tests (`NOT`, `AND`, `OR` and
//! parentheses around them). A condition that cannot be decided is allowed
//! only where neither branch changes the catalog (`IF current_database() <>
//! ... THEN RAISE EXCEPTION ...`). Anything else leaves the block to
//! [`do_body_targets`]: what it names becomes unknown.

use sqlparser::ast::{
    BinaryOperator, Expr, Query, SelectItem, SetExpr, TableFactor, UnaryOperator, Value,
};

use super::*;
use crate::lexer::lex;

/// One step of a `DO` body read by [`conditional_steps`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step<'a> {
    /// A statement run whatever the catalog holds.
    Run(&'a str),
    /// `IF cond THEN then... [ELSE otherwise...] END IF`.
    If {
        /// The condition's text.
        cond: &'a str,
        /// The statements of the `THEN` branch.
        then: Vec<&'a str>,
        /// The statements of the `ELSE` branch.
        otherwise: Vec<&'a str>,
    },
}

/// The words of `text` with the byte offset of each.
fn words_at(text: &str) -> Option<Vec<(String, usize)>> {
    let toks = lex(text).ok()?;
    let w = words(text);
    (w.len() == toks.len()).then(|| w.into_iter().zip(toks.iter().map(|t| t.offset())).collect())
}

/// `text` after its first word, when that word is `keyword`.
fn after<'a>(text: &'a str, keyword: &str) -> Option<&'a str> {
    let w = words_at(text)?;
    if w.first()?.0 != keyword {
        return None;
    }
    Some(w.get(1).map_or("", |(_, at)| &text[*at..]))
}

/// The steps of a `DO` statement whose body is `BEGIN step; ... END`, each
/// step a statement or a flat `IF` (see the module's documentation); `None`
/// for any other body (`DECLARE`, `EXCEPTION`, loops, `ELSIF`, nested
/// `IF`s, labels).
pub(super) fn conditional_steps(text: &str) -> Option<Vec<Step<'_>>> {
    let body = do_body(text)?;
    let pieces = split(body).ok()?;
    let (last, rest) = pieces.split_last()?;
    if words(last.text) != ["END"] {
        return None;
    }
    let mut steps = Vec::new();
    // The branch being read: `Some(false)` for `THEN`, `Some(true)` for
    // `ELSE`.
    let mut branch: Option<bool> = None;
    // In `DECLARE ...; BEGIN`: each declaration is kept as a step (one
    // whose default calls a routine that runs DDL is not inert).
    let mut declaring = false;
    for (i, piece) in rest.iter().enumerate() {
        let mut p = piece.text;
        if i == 0 && words(p).first().is_some_and(|w| w == "DECLARE") {
            declaring = true;
        }
        if declaring {
            match after(p, "BEGIN") {
                Some(body) => {
                    declaring = false;
                    p = body;
                }
                None => {
                    steps.push(Step::Run(after(p, "DECLARE").unwrap_or(p)));
                    continue;
                }
            }
        } else if i == 0 {
            p = after(p, "BEGIN")?;
        }
        if p.trim().is_empty() {
            continue;
        }
        let w = words(p);
        match (branch, w.first().map(String::as_str)) {
            (_, Some("DECLARE" | "EXCEPTION" | "ELSIF" | "ELSEIF" | "LOOP" | "FOR" | "WHILE"))
            | (_, Some("<") | Some("<<") | Some("BEGIN") | Some("CASE") | Some("RETURN")) => {
                return None
            }
            (None, Some("IF")) => {
                let at = words_at(p)?;
                let mut depth = 0i32;
                let then = at.iter().position(|(x, _)| {
                    match x.as_str() {
                        "(" => depth += 1,
                        ")" => depth -= 1,
                        _ => {}
                    }
                    depth == 0 && x == "THEN"
                })?;
                let cond = &p[at.get(1)?.1..at[then].1];
                let first = at.get(then + 1).map(|(_, o)| &p[*o..]);
                steps.push(Step::If {
                    cond,
                    then: first.into_iter().collect(),
                    otherwise: Vec::new(),
                });
                branch = Some(false);
            }
            (None, _) => steps.push(Step::Run(p)),
            (Some(_), _) if w == ["END", "IF"] => branch = None,
            (Some(_), Some("IF")) => return None,
            (Some(false), Some("ELSE")) => {
                let rest = after(p, "ELSE")?;
                let Some(Step::If { otherwise, .. }) = steps.last_mut() else {
                    return None;
                };
                if !rest.trim().is_empty() {
                    otherwise.push(rest);
                }
                branch = Some(true);
            }
            (Some(b), _) => {
                let Some(Step::If {
                    then, otherwise, ..
                }) = steps.last_mut()
                else {
                    return None;
                };
                if b { otherwise } else { then }.push(p);
            }
        }
    }
    (branch.is_none() && !declaring).then_some(steps)
}

/// Type names of a fresh PostgreSQL 15 database (`pg_type.typname`), but
/// for array types (`_...`) and `pg_...` names, which the loader does not
/// decide.
const SYSTEM_TYPE_NAMES: &[&str] = &[
    "aclitem",
    "administrable_role_authorizations",
    "any",
    "anyarray",
    "anycompatible",
    "anycompatiblearray",
    "anycompatiblemultirange",
    "anycompatiblenonarray",
    "anycompatiblerange",
    "anyelement",
    "anyenum",
    "anymultirange",
    "anynonarray",
    "anyrange",
    "applicable_roles",
    "attributes",
    "bit",
    "bool",
    "box",
    "bpchar",
    "bytea",
    "cardinal_number",
    "char",
    "character_data",
    "character_sets",
    "check_constraint_routine_usage",
    "check_constraints",
    "cid",
    "cidr",
    "circle",
    "collation_character_set_applicability",
    "collations",
    "column_column_usage",
    "column_domain_usage",
    "column_options",
    "column_privileges",
    "column_udt_usage",
    "columns",
    "constraint_column_usage",
    "constraint_table_usage",
    "cstring",
    "data_type_privileges",
    "date",
    "datemultirange",
    "daterange",
    "domain_constraints",
    "domain_udt_usage",
    "domains",
    "element_types",
    "enabled_roles",
    "event_trigger",
    "fdw_handler",
    "float4",
    "float8",
    "foreign_data_wrapper_options",
    "foreign_data_wrappers",
    "foreign_server_options",
    "foreign_servers",
    "foreign_table_options",
    "foreign_tables",
    "gtsvector",
    "index_am_handler",
    "inet",
    "information_schema_catalog_name",
    "int2",
    "int2vector",
    "int4",
    "int4multirange",
    "int4range",
    "int8",
    "int8multirange",
    "int8range",
    "internal",
    "interval",
    "json",
    "jsonb",
    "jsonpath",
    "key_column_usage",
    "language_handler",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "numeric",
    "nummultirange",
    "numrange",
    "oid",
    "oidvector",
    "parameters",
    "path",
    "point",
    "polygon",
    "record",
    "refcursor",
    "referential_constraints",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "role_column_grants",
    "role_routine_grants",
    "role_table_grants",
    "role_udt_grants",
    "role_usage_grants",
    "routine_column_usage",
    "routine_privileges",
    "routine_routine_usage",
    "routine_sequence_usage",
    "routine_table_usage",
    "routines",
    "schemata",
    "sequences",
    "sql_features",
    "sql_identifier",
    "sql_implementation_info",
    "sql_parts",
    "sql_sizing",
    "table_am_handler",
    "table_constraints",
    "table_privileges",
    "tables",
    "text",
    "tid",
    "time",
    "time_stamp",
    "timestamp",
    "timestamptz",
    "timetz",
    "transforms",
    "trigger",
    "triggered_update_columns",
    "triggers",
    "tsm_handler",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "udt_privileges",
    "unknown",
    "usage_privileges",
    "user_defined_types",
    "user_mapping_options",
    "user_mappings",
    "uuid",
    "varbit",
    "varchar",
    "view_column_usage",
    "view_routine_usage",
    "view_table_usage",
    "views",
    "void",
    "xid",
    "xid8",
    "xml",
    "yes_or_no",
];

/// The catalog views that list relations: the view's name, its columns
/// of schema, relation and (for columns) column, and what it lists.
type RelationView = (
    &'static [&'static str],
    &'static str,
    &'static str,
    Option<&'static str>,
    Listed,
);

const RELATION_VIEWS: &[RelationView] = &[
    (
        &["information_schema", "columns"],
        "table_schema",
        "table_name",
        Some("column_name"),
        Listed::TablesAndViews,
    ),
    (
        &["information_schema", "tables"],
        "table_schema",
        "table_name",
        None,
        Listed::TablesAndViews,
    ),
    (
        &["pg_tables"],
        "schemaname",
        "tablename",
        None,
        Listed::Tables,
    ),
    (&["pg_views"], "schemaname", "viewname", None, Listed::Views),
    (
        &["pg_matviews"],
        "schemaname",
        "matviewname",
        None,
        Listed::MatViews,
    ),
];

/// A relation kind, as the catalog views list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listed {
    /// `information_schema.tables` / `.columns`: tables and views, not
    /// materialized views.
    TablesAndViews,
    /// `pg_tables`.
    Tables,
    /// `pg_views`.
    Views,
    /// `pg_matviews`.
    MatViews,
}

impl Builder {
    /// Applies a `DO` block read by [`conditional_steps`]; `Err` when a
    /// condition that guards DDL cannot be decided, or a statement fails
    /// (the caller then leaves what the block names unknown).
    pub(super) fn apply_conditional(&mut self, steps: &[Step<'_>], line: usize) -> R<()> {
        let undecided = || fail("the `DO` block's condition cannot be decided from the migrations");
        for step in steps {
            let run: &[&str] = match step {
                Step::Run(s) => std::slice::from_ref(s),
                Step::If {
                    cond,
                    then,
                    otherwise,
                } => match self.decide(cond) {
                    Some(true) => then,
                    Some(false) => otherwise,
                    None if then.iter().chain(otherwise).all(|s| self.inert(s)) => &[],
                    None => return undecided(),
                },
            };
            for s in run {
                if self.inert(s) {
                    continue;
                }
                let w = words(s);
                if !matches!(
                    first_word(&w),
                    Some("CREATE" | "ALTER" | "DROP" | "COMMENT")
                ) {
                    return fail("the `DO` block runs a statement the loader does not apply");
                }
                self.record_children(&w);
                self.apply(&Stmt {
                    text: s,
                    line,
                    skip: false,
                })?;
            }
        }
        Ok(())
    }

    /// A PL/pgSQL statement that cannot change the catalog: `RAISE`,
    /// `ASSERT`, `NULL`, `PERFORM`, a data statement, ... (no DDL, no
    /// dynamic SQL, no routine of the migrations that runs DDL).
    fn inert(&self, s: &str) -> bool {
        let w = words(s);
        !matches!(
            first_word(&w),
            Some("CREATE" | "ALTER" | "DROP" | "COMMENT")
        ) && body_targets(s, s, &self.routines).is_some_and(|t| t.is_empty())
            && !w.iter().any(|x| x == "INTO" || x == "SET_CONFIG")
    }

    /// The truth of a condition, decided from the catalog; `None` when it
    /// cannot be.
    fn decide(&self, cond: &str) -> Option<bool> {
        let parsed = Parser::parse_sql(&PostgreSqlDialect {}, &format!("SELECT {cond}")).ok()?;
        let [Statement::Query(q)] = parsed.as_slice() else {
            return None;
        };
        let SetExpr::Select(s) = q.body.as_ref() else {
            return None;
        };
        let [SelectItem::UnnamedExpr(e)] = s.projection.as_slice() else {
            return None;
        };
        if s.from.is_empty() && s.selection.is_none() {
            self.truth(e)
        } else {
            None
        }
    }

    fn truth(&self, e: &Expr) -> Option<bool> {
        match e {
            Expr::Nested(e) => self.truth(e),
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => self.truth(expr).map(|b| !b),
            Expr::BinaryOp { left, op, right } => {
                let (l, r) = (self.truth(left), self.truth(right));
                match op {
                    BinaryOperator::And => match (l, r) {
                        (Some(false), _) | (_, Some(false)) => Some(false),
                        (Some(true), Some(true)) => Some(true),
                        _ => None,
                    },
                    BinaryOperator::Or => match (l, r) {
                        (Some(true), _) | (_, Some(true)) => Some(true),
                        (Some(false), Some(false)) => Some(false),
                        _ => None,
                    },
                    _ => None,
                }
            }
            Expr::Exists { subquery, negated } => self.exists(subquery).map(|b| b != *negated),
            _ => None,
        }
    }

    /// Whether `SELECT ... FROM <catalog view> WHERE a = 'x' AND ...` has
    /// a row.
    fn exists(&self, q: &Query) -> Option<bool> {
        if q.with.is_some() || q.limit_clause.is_some() || q.fetch.is_some() {
            return None;
        }
        let SetExpr::Select(s) = q.body.as_ref() else {
            return None;
        };
        if s.having.is_some() || !s.projection.iter().all(plain_item) {
            return None;
        }
        let [from] = s.from.as_slice() else {
            return None;
        };
        if !from.joins.is_empty() {
            return None;
        }
        let TableFactor::Table {
            name, args: None, ..
        } = &from.relation
        else {
            return None;
        };
        let view = parts(name).ok()?;
        let mut view: Vec<&str> = view.iter().map(Name::as_str).collect();
        // `pg_catalog.x` is `x`: a system view is found there first.
        if view.len() == 2 && view[0] == "pg_catalog" {
            view.remove(0);
        }
        let mut tests = Vec::new();
        if let Some(w) = &s.selection {
            self.equalities(w, &mut tests)?;
        }
        let get = |k: &str| tests.iter().find(|(c, _)| c == k).map(|(_, v)| v.clone());
        let only = |allowed: &[&str]| tests.iter().all(|(c, _)| allowed.contains(&c.as_str()));
        if let Some((_, schema, relation, column, kind)) =
            RELATION_VIEWS.iter().find(|(v, ..)| *v == view.as_slice())
        {
            let allowed: Vec<&str> = [Some(*schema), Some(*relation), *column]
                .into_iter()
                .flatten()
                .collect();
            only(&allowed).then_some(())?;
            return self.relation_exists(
                get(schema).as_ref(),
                &get(relation)?,
                *kind,
                column.and_then(get).as_ref(),
            );
        }
        match view.as_slice() {
            ["information_schema", "schemata"] | ["pg_namespace"] => {
                let key = if view.len() == 2 && view[0] == "information_schema" {
                    "schema_name"
                } else {
                    "nspname"
                };
                only(&[key]).then_some(())?;
                let n = get(key)?;
                if self.catalog.schemas.contains(&n) || system_schema(&n) {
                    Some(true)
                } else {
                    self.catalog.unknown_rest.is_none().then_some(false)
                }
            }
            ["pg_type"] => {
                only(&["typname"]).then_some(())?;
                self.type_exists(&get("typname")?)
            }
            ["pg_constraint"] => {
                only(&["conname"]).then_some(())?;
                self.constraint_exists(None, None, &get("conname")?)
            }
            ["information_schema", "table_constraints"] => {
                only(&[
                    "constraint_schema",
                    "constraint_name",
                    "table_schema",
                    "table_name",
                ])
                .then_some(())?;
                // A constraint lives in its table's schema.
                let schema = match (get("constraint_schema"), get("table_schema")) {
                    (Some(a), Some(b)) if a != b => return Some(false),
                    (a, b) => a.or(b),
                };
                self.constraint_exists(
                    schema.as_ref(),
                    get("table_name").as_ref(),
                    &get("constraint_name")?,
                )
            }
            ["pg_extension"] => {
                only(&["extname"]).then_some(())?;
                let n = get("extname")?;
                if self.catalog.extensions.contains(&n) {
                    Some(true)
                } else {
                    (self.catalog.unknown_rest.is_none() && n.as_str() != "plpgsql")
                        .then_some(false)
                }
            }
            _ => None,
        }
    }

    /// The `column = 'value'` tests of a `WHERE` clause joined by `AND`.
    fn equalities(&self, e: &Expr, out: &mut Vec<(String, Name)>) -> Option<()> {
        match e {
            Expr::Nested(e) => self.equalities(e, out),
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => {
                self.equalities(left, out)?;
                self.equalities(right, out)
            }
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Eq,
                right,
            } => {
                let (column, value) = match (column_name(left), column_name(right)) {
                    (Some(c), None) => (c, self.text_value(right)?),
                    (None, Some(c)) => (c, self.text_value(left)?),
                    _ => return None,
                };
                if out.iter().any(|(c, _)| *c == column) {
                    return None;
                }
                out.push((column, value));
                Some(())
            }
            _ => None,
        }
    }

    /// A string literal (possibly cast to a text type), or
    /// `current_schema()`, as the name it compares equal to.
    fn text_value(&self, e: &Expr) -> Option<Name> {
        match e {
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) => Some(Name::quoted(s)),
                _ => None,
            },
            Expr::Cast {
                expr, data_type, ..
            } => {
                let t = data_type.to_string().to_ascii_lowercase();
                matches!(
                    t.as_str(),
                    "text" | "name" | "varchar" | "character varying"
                )
                .then(|| self.text_value(expr))?
            }
            Expr::Function(f) if f.name.to_string().eq_ignore_ascii_case("current_schema") => {
                self.search_path.first().cloned()
            }
            Expr::Identifier(i)
                if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("current_schema") =>
            {
                self.search_path.first().cloned()
            }
            _ => None,
        }
    }

    /// Whether a relation of `kind` named `name` (in `schema`, or in any
    /// schema), with `column` when given, exists.
    fn relation_exists(
        &self,
        schema: Option<&Name>,
        name: &Name,
        kind: Listed,
        column: Option<&Name>,
    ) -> Option<bool> {
        let n = name.as_str();
        let system = match schema {
            Some(s) => system_schema(s),
            None => n.starts_with("pg_") || SYSTEM_TYPE_NAMES.contains(&n),
        };
        if system {
            // The system catalogs' own relations (whose row types are among
            // the system's type names) are not modelled.
            return None;
        }
        let matches = |q: &QualifiedName| q.name == *name && schema.is_none_or(|s| q.schema == *s);
        let tables = matches!(kind, Listed::TablesAndViews | Listed::Tables);
        for t in self
            .catalog
            .tables
            .values()
            .filter(|t| tables && matches(&t.name))
        {
            if column.is_none_or(|c| t.column(c).is_some()) {
                return Some(true);
            }
        }
        for v in self.catalog.views.values().filter(|v| matches(&v.name)) {
            let listed = match kind {
                Listed::TablesAndViews | Listed::Views => !v.materialized,
                Listed::MatViews => v.materialized,
                Listed::Tables => false,
            };
            if !listed {
                continue;
            }
            match column {
                None => return Some(true),
                Some(_) if !v.columns_known => return None,
                Some(c) if v.columns.iter().any(|vc| vc.name == *c) => return Some(true),
                Some(_) => {}
            }
        }
        let unknown = self.catalog.unknown_relations.keys().any(matches)
            || self.catalog.unknown_rest.is_some();
        (!unknown).then_some(false)
    }

    /// Whether a constraint named `name` exists (on `table` in `schema`,
    /// when given: `information_schema.table_constraints` lists no domain's).
    /// Absence is decided only when the catalog names every constraint the
    /// database can hold: no object left unknown, no exclusion constraint
    /// or constraint trigger (which it does not name), each domain's checks
    /// named as created, and not a `NOT NULL` constraint's name (PostgreSQL
    /// 18 names those) or a system catalog's (`pg_...`; a fresh database
    /// also has two of `information_schema`'s domains' checks).
    fn constraint_exists(
        &self,
        schema: Option<&Name>,
        table: Option<&Name>,
        name: &Name,
    ) -> Option<bool> {
        let n = name.as_str();
        if n.starts_with("pg_") || n.ends_with("_not_null") || schema.is_some_and(system_schema) {
            return None;
        }
        if table.is_none() && ["cardinal_number_domain_check", "yes_or_no_check"].contains(&n) {
            return Some(true);
        }
        let c = &self.catalog;
        let found = c
            .tables
            .values()
            .filter(|t| {
                table.is_none_or(|tn| t.name.name == *tn)
                    && schema.is_none_or(|s| t.name.schema == *s)
            })
            .any(|t| t.constraint_names().any(|k| k == name));
        if found {
            return Some(true);
        }
        // A domain's checks are not a table's.
        let mut domains_known = true;
        if table.is_none() {
            for d in c.domains.values().filter(|d| !d.checks.is_empty()) {
                match self.domain_constraints.get(&d.name) {
                    Some(names) if names.len() == d.checks.len() => {
                        if schema.is_none_or(|s| d.name.schema == *s) && names.contains(name) {
                            return Some(true);
                        }
                    }
                    _ => domains_known = false,
                }
            }
        }
        let complete = c.unknown_relations.is_empty()
            && c.unknown_types.is_empty()
            && c.unknown_rest.is_none()
            && !self.unnamed_constraints
            && domains_known;
        complete.then_some(false)
    }

    /// Whether `pg_type` has a row named `name` in any schema: the
    /// migrations' types, the row types of their relations, and the
    /// system's types.
    fn type_exists(&self, name: &Name) -> Option<bool> {
        let n = name.as_str();
        if n.starts_with('_') || n.starts_with("pg_") {
            return None;
        }
        let c = &self.catalog;
        let named = |q: &QualifiedName| q.name == *name;
        if SYSTEM_TYPE_NAMES.contains(&n)
            || c.enums.keys().any(named)
            || c.domains.keys().any(named)
            || c.composites.keys().any(named)
            || c.tables.keys().any(named)
            || c.views.keys().any(named)
        {
            return Some(true);
        }
        let unknown = c.unknown_types.keys().any(named)
            || c.unknown_relations.keys().any(named)
            || c.sequences.iter().any(named)
            || c.unknown_rest.is_some()
            || !c.extensions.is_empty();
        (!unknown).then_some(false)
    }
}

/// `pg_catalog`, `information_schema`, `pg_toast`.
fn system_schema(s: &Name) -> bool {
    matches!(s.as_str(), "pg_catalog" | "information_schema" | "pg_toast")
}

/// The column an expression names (`c` or `alias.c`).
fn column_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(i) if i.quote_style.is_none() => Some(i.value.to_ascii_lowercase()),
        Expr::CompoundIdentifier(p) if p.len() == 2 && p[1].quote_style.is_none() => {
            Some(p[1].value.to_ascii_lowercase())
        }
        _ => None,
    }
}

/// A select item that gives one value per row and no other: `*`, a
/// literal, a column. (An aggregate gives a row where there is none, a
/// set-returning function may give none where there is one.)
fn plain_item(item: &SelectItem) -> bool {
    let plain = |e: &Expr| {
        matches!(
            e,
            Expr::Value(_) | Expr::Identifier(_) | Expr::CompoundIdentifier(_)
        )
    };
    match item {
        SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => true,
        SelectItem::UnnamedExpr(e)
        | SelectItem::ExprWithAlias { expr: e, .. }
        | SelectItem::ExprWithAliases { expr: e, .. } => plain(e),
    }
}
