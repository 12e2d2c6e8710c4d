//! The tenant rules that need the schema: with the repository's DDL, the
//! attribute knows which tables carry the tenant column, so a table that
//! would be scoped must have it, an `exempt` table must not, and the
//! column's type comes from the schema rather than from `column_type`.

use super::{ScopeError, TableUse, TenantOptions};
use crate::schema::catalog::{Name, Relation, ViewColumnSource};
use crate::schema::Catalog;

/// The tenant column as the schema declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantColumn {
    /// Its SQL type as PostgreSQL prints it (`bigint`, `uuid`, ...).
    pub ty: String,
    /// The table it was read from, as the query names it.
    pub table: String,
}

/// Whether `relation` has a column named `column`; `None` when the catalog
/// cannot tell (a view whose columns it could not read).
fn has_column(relation: Relation<'_>, column: &Name) -> Option<bool> {
    match relation {
        Relation::Table(t) => Some(t.column(column).is_some()),
        Relation::View(v) => v
            .columns_known
            .then(|| v.columns.iter().any(|c| &c.name == column)),
    }
}

/// The SQL type of `column` in `relation`: a table's declared type, or for
/// a view the type of the table column it shows (`None` when the view
/// computes it).
fn column_type(catalog: &Catalog, relation: Relation<'_>, column: &Name) -> Option<String> {
    match relation {
        Relation::Table(t) => t.column(column).map(|c| c.ty.to_string()),
        Relation::View(v) => match &v.columns.iter().find(|c| &c.name == column)?.source {
            ViewColumnSource::Column { table, column } => catalog
                .table(table)?
                .column(column)
                .map(|c| c.ty.to_string()),
            ViewColumnSource::NeedsInference { .. } => None,
        },
    }
}

/// Holds the tables of one scoped query against the catalog. Tables the
/// catalog does not know are left to the type checker, which reports
/// them by name. Returns the tenant column's type, from the first scoped
/// table that has it, if any does.
pub fn check_tables(
    tables: &[TableUse],
    opts: &TenantOptions,
    catalog: &Catalog,
) -> Result<Option<TenantColumn>, ScopeError> {
    let column = Name::quoted(&opts.column);
    let mut found = None;
    for t in tables {
        let Some(relation) = catalog.lookup_written(&t.parts) else {
            continue;
        };
        let Some(has) = has_column(relation, &column) else {
            if !t.exempt {
                return Err(ScopeError::refuse(
                    format_args!("the view `{}`", t.written),
                    format_args!(
                        "the schema does not say which columns the view has, so it cannot be \
                         shown to carry `{col}`; select from its tables instead, or declare it \
                         `exempt = [{name}]` if it holds no tenant data",
                        col = opts.column,
                        name = t.written
                    ),
                ));
            }
            continue;
        };
        match (has, t.exempt) {
            (false, false) => {
                return Err(ScopeError::refuse(
                    format_args!("`{}`", t.written),
                    format_args!(
                        "the schema gives `{name}` no `{col}` column, so its rows cannot be \
                         told apart by tenant; if every tenant shares it, declare \
                         `exempt = [{name}]`, otherwise add the column in a migration",
                        name = t.written,
                        col = opts.column
                    ),
                ))
            }
            (true, true) => {
                return Err(ScopeError::refuse(
                    format_args!("`{}`", t.written),
                    format_args!(
                        "`{name}` is declared exempt, but the schema gives it a `{col}` \
                         column: its rows belong to tenants, so reading it unfiltered would \
                         show every tenant's rows; remove it from `exempt`",
                        name = t.written,
                        col = opts.column
                    ),
                ))
            }
            (true, false) if found.is_none() => {
                found = column_type(catalog, relation, &column).map(|ty| TenantColumn {
                    ty,
                    table: t.written.clone(),
                });
            }
            _ => {}
        }
    }
    Ok(found)
}

/// The tables and views `sql` names that the schema gives the tenant
/// column `column`, each once, as written: what a query outside
/// `#[tenant_scoped]` must not touch without `unscoped = "reason"`.
///
/// It errs on the safe side: every relation name counts, wherever it
/// appears (a CTE named like a tenant table counts as that table), and a
/// view whose columns the catalog cannot tell counts. SQL that does not
/// parse names nothing (the checks that run before this one report it).
pub fn tenant_relations(sql: &str, column: &str, catalog: &Catalog) -> Vec<String> {
    let column = Name::quoted(column);
    catalog
        .relations_named(sql)
        .into_iter()
        .filter(|(_, r)| has_column(*r, &column) != Some(false))
        .map(|(written, _)| written)
        .collect()
}

/// For SQL the parser does not read (the `_unparsed` macros): the tenant
/// tables and views whose names appear in it as words, each once. Coarser
/// than [`tenant_relations`] on purpose: a column or alias spelled like a
/// tenant table counts too. SQL that does not even tokenize counts as
/// naming every tenant relation (the safe answer).
pub fn tenant_relations_in_text(sql: &str, column: &str, catalog: &Catalog) -> Vec<String> {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::{Token, Tokenizer};

    let column = Name::quoted(column);
    let tenant_names: Vec<&crate::schema::catalog::QualifiedName> = catalog
        .tables()
        .filter(|t| t.column(&column).is_some())
        .map(|t| &t.name)
        .chain(
            catalog
                .views()
                .filter(|v| !v.columns_known || v.columns.iter().any(|c| c.name == column))
                .map(|v| &v.name),
        )
        .collect();
    if tenant_names.is_empty() {
        return Vec::new();
    }
    let words: Vec<Name> = match Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize() {
        Ok(tokens) => tokens
            .into_iter()
            .filter_map(|t| match t {
                Token::Word(w) => Some(match w.quote_style {
                    Some(_) => Name::quoted(&w.value),
                    None => Name::unquoted(&w.value),
                }),
                _ => None,
            })
            .collect(),
        Err(_) => tenant_names
            .iter()
            .flat_map(|n| [n.schema.clone(), n.name.clone()])
            .collect(),
    };
    // A relation outside `public` (not on the default search path) counts
    // when its schema's name appears too.
    let public = Name::unquoted("public");
    let mut found: Vec<String> = Vec::new();
    for n in tenant_names {
        let named = words.contains(&n.name) && (n.schema == public || words.contains(&n.schema));
        let shown = if n.schema == public {
            n.name.as_str().to_owned()
        } else {
            format!("{}.{}", n.schema.as_str(), n.name.as_str())
        };
        if named && !found.contains(&shown) {
            found.push(shown);
        }
    }
    found
}

/// How `sql` reaches tenant rows without naming a tenant relation: through
/// a view without the tenant column whose query reads one, through a
/// routine of the migrations it calls whose body reads one (or runs
/// dynamic SQL, or cannot be read), or, when it writes, through a trigger
/// of a table it names whose routine does. One description per view,
/// routine or trigger, e.g. "`owner_count(...)`, whose body reads
/// `owners`". The tenant
/// rule counts these as it counts the tables themselves: what a query
/// does decides, not how it is spelled. Found by word, like
/// [`tenant_relations_in_text`], so it holds for SQL the parser does not
/// read too.
pub fn tenant_data_reached(sql: &str, column: &str, catalog: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    let words = words_of(sql);
    for (name, is_call) in &words {
        if *is_call {
            if let Some(how) = routine_reach(name, column, catalog, &mut seen) {
                out.push(format!("`{}(...)`, {how}", name.as_str()));
            }
        } else if let Some(how) = view_reach(name, column, catalog, &mut seen) {
            out.push(format!("the view `{}`, {how}", name.as_str()));
        }
    }
    // A write fires the triggers of the tables it names (any word that
    // names a table with a trigger counts: the safe side).
    if crate::session::writes(sql) {
        for (name, _) in &words {
            for (_, routine) in catalog
                .triggers
                .iter()
                .filter(|(t, _)| t.as_ref() == Some(name))
            {
                if let Some(how) = routine_reach(routine, column, catalog, &mut seen) {
                    out.push(format!(
                        "the trigger of `{}` that runs `{}(...)`, {how}",
                        name.as_str(),
                        routine.as_str()
                    ));
                }
            }
        }
        // A trigger dynamic SQL creates on a table named at run time may
        // be on any table this statement writes.
        for (_, routine) in catalog.triggers.iter().filter(|(t, _)| t.is_none()) {
            if let Some(how) = routine_reach(routine, column, catalog, &mut seen) {
                out.push(format!(
                    "a trigger that dynamic SQL of the migrations creates on a table named at run time, which runs `{}(...)`, {how}",
                    routine.as_str()
                ));
            }
        }
    }
    out.dedup();
    out
}

/// The words of `sql` (names, quoted or not), each with whether a `(`
/// follows it (a call). Text that does not tokenize has none.
fn words_of(sql: &str) -> Vec<(Name, bool)> {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::{Token, Tokenizer};
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize() else {
        return Vec::new();
    };
    let tokens: Vec<Token> = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    tokens
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match t {
            Token::Word(w) => Some((
                match w.quote_style {
                    Some(_) => Name::quoted(&w.value),
                    None => Name::unquoted(&w.value),
                },
                matches!(tokens.get(i + 1), Some(Token::LParen)),
            )),
            _ => None,
        })
        .collect()
}

/// Whether `text` (a view's query, a routine's body) reaches tenant rows:
/// how, as a verb phrase ("reads `t`", "calls `f(...)`, whose body ...").
fn text_reach(text: &str, column: &str, catalog: &Catalog, seen: &mut Vec<Name>) -> Option<String> {
    if let Some(t) = tenant_relations_in_text(text, column, catalog).first() {
        return Some(format!("reads `{t}`"));
    }
    let words = words_of(text);
    // plpgsql's `EXECUTE` runs SQL built at run time (not a trigger's
    // `EXECUTE FUNCTION`).
    let dynamic = words.windows(2).any(|p| {
        p[0].0 == Name::unquoted("execute") && !matches!(p[1].0.as_str(), "function" | "procedure")
    }) || words
        .last()
        .is_some_and(|w| w.0 == Name::unquoted("execute"));
    if dynamic {
        return Some("runs SQL it builds at run time".to_string());
    }
    for (name, is_call) in words {
        let how = if is_call {
            routine_reach(&name, column, catalog, seen)
                .map(|h| format!("calls `{}(...)`, {h}", name.as_str()))
        } else {
            view_reach(&name, column, catalog, seen)
                .map(|h| format!("reads the view `{}`, {h}", name.as_str()))
        };
        if how.is_some() {
            return how;
        }
    }
    None
}

/// A routine of the migrations named `name` (any overload) that reaches
/// tenant rows: "whose body reads ...".
fn routine_reach(
    name: &Name,
    column: &str,
    catalog: &Catalog,
    seen: &mut Vec<Name>,
) -> Option<String> {
    let bodies = catalog.routine_bodies.get(name)?;
    if seen.contains(name) {
        return None;
    }
    seen.push(name.clone());
    for body in bodies {
        let Some(text) = body
            .text
            .as_deref()
            .filter(|_| matches!(body.language.as_str(), "sql" | "plpgsql"))
        else {
            return Some(format!(
                "whose body (`LANGUAGE {}`) the checks cannot read",
                body.language
            ));
        };
        if let Some(what) = text_reach(text, column, catalog, seen) {
            return Some(format!("whose body {what}"));
        }
    }
    None
}

/// A view named `name` without the tenant column whose query reaches
/// tenant rows: "which reads ...". (A view with the column is a tenant
/// relation itself.)
fn view_reach(
    name: &Name,
    column: &str,
    catalog: &Catalog,
    seen: &mut Vec<Name>,
) -> Option<String> {
    let view = catalog.views().find(|v| &v.name.name == name)?;
    let col = Name::quoted(column);
    if !view.columns_known || view.columns.iter().any(|c| c.name == col) {
        return None;
    }
    if seen.contains(name) {
        return None;
    }
    seen.push(name.clone());
    text_reach(&view.query, column, catalog, seen).map(|what| format!("which {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::scope_query;

    #[test]
    fn tenant_rows_reached_through_views_and_routines_are_found() {
        let c = Catalog::from_sql(
            "schema.sql",
            "CREATE TABLE widgets (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, name text);
             CREATE TABLE currencies (code text PRIMARY KEY, symbol text NOT NULL);
             CREATE VIEW names AS SELECT name FROM widgets;
             CREATE VIEW names_again AS SELECT name FROM names;
             CREATE VIEW codes AS SELECT code FROM currencies;
             CREATE FUNCTION widget_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM widgets $$;
             CREATE FUNCTION via_view() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM names_again $$;
             CREATE FUNCTION via_call() RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN widget_count(); END $$;
             CREATE FUNCTION dynamic(t text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'DELETE FROM ' || t; END $$;
             CREATE FUNCTION pure(x int) RETURNS int LANGUAGE sql AS $$ SELECT x + 1 $$;
             CREATE FUNCTION counted() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM codes $$;
             CREATE PROCEDURE purge() LANGUAGE sql AS $$ DELETE FROM widgets $$;
             CREATE FUNCTION log_code() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN INSERT INTO widgets (id, tenant_id, name) VALUES (1, NULL, NEW.code); RETURN NEW; END $$;
             CREATE TRIGGER currencies_log AFTER INSERT ON currencies FOR EACH ROW EXECUTE FUNCTION log_code();
             CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
             CREATE TRIGGER codes_touch BEFORE UPDATE ON currencies FOR EACH ROW EXECUTE FUNCTION touch();",
        )
        .expect("schema loads");
        let reached = |sql: &str| tenant_data_reached(sql, "tenant_id", &c);
        assert_eq!(
            reached("SELECT name FROM names"),
            ["the view `names`, which reads `widgets`"]
        );
        assert_eq!(
            reached("SELECT name FROM names_again"),
            ["the view `names_again`, which reads the view `names`, which reads `widgets`"]
        );
        assert_eq!(
            reached("SELECT widget_count()"),
            ["`widget_count(...)`, whose body reads `widgets`"]
        );
        assert_eq!(
            reached("SELECT via_view(), via_call()"),
            [
                "`via_view(...)`, whose body reads the view `names_again`, which reads the view `names`, which reads `widgets`",
                "`via_call(...)`, whose body calls `widget_count(...)`, whose body reads `widgets`"
            ]
        );
        assert_eq!(
            reached("SELECT dynamic($1)"),
            ["`dynamic(...)`, whose body runs SQL it builds at run time"]
        );
        assert_eq!(
            reached("CALL purge()"),
            ["`purge(...)`, whose body reads `widgets`"]
        );
        // A write fires the table's triggers; a read does not.
        assert_eq!(
            reached("INSERT INTO currencies (code, symbol) VALUES ($1, $2)"),
            ["the trigger of `currencies` that runs `log_code(...)`, whose body reads `widgets`"]
        );
        assert_eq!(reached("SELECT code FROM currencies"), Vec::<String>::new());
        // What reaches no tenant rows.
        for sql in [
            "SELECT pure(1)",
            "SELECT code FROM codes",
            "SELECT counted()",
            "SELECT count(*) FROM currencies",
            "SELECT 'widget_count()'",
            "UPDATE codes SET code = code",
        ] {
            assert_eq!(reached(sql), Vec::<String>::new(), "{sql}");
        }
        // A name the SQL uses as a column, not a call, is not a call.
        assert_eq!(
            reached("SELECT widget_count FROM currencies"),
            Vec::<String>::new()
        );
    }

    /// A trigger created by dynamic SQL (a helper that puts one on the
    /// table it is given, as real migrations do) fires on the writes it may
    /// be on: on any table when the table is named at run time.
    #[test]
    fn triggers_created_by_dynamic_sql_are_followed() {
        let schema = |helper_call: &str| {
            format!(
                "CREATE TABLE widgets (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, name text);
                 CREATE TABLE signups (email text);
                 CREATE TABLE audit (entry text);
                 CREATE FUNCTION copy_signup() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN INSERT INTO widgets (id, tenant_id, name) VALUES (1, NULL, NEW.email); RETURN NEW; END $$;
                 CREATE FUNCTION add_trigger(_tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
                 BEGIN
                     EXECUTE format('CREATE TRIGGER copy AFTER INSERT ON %s FOR EACH ROW EXECUTE FUNCTION copy_signup()', _tbl);
                 END $$;
                 {helper_call}"
            )
        };
        for call in ["SELECT add_trigger('signups');", ""] {
            let c = Catalog::from_sql("schema.sql", &schema(call)).expect("schema loads");
            let reached =
                tenant_data_reached("INSERT INTO audit (entry) VALUES ($1)", "tenant_id", &c);
            assert_eq!(
                reached,
                ["a trigger that dynamic SQL of the migrations creates on a table named at run time, which runs `copy_signup(...)`, whose body reads `widgets`"],
                "{call}"
            );
            assert_eq!(
                tenant_data_reached("SELECT entry FROM audit", "tenant_id", &c),
                Vec::<String>::new()
            );
        }
        // The same trigger put on a table the string names fires on that
        // table's writes only.
        let c = Catalog::from_sql(
            "schema.sql",
            &schema("")
                .replace("ON %s FOR EACH", "ON signups FOR EACH")
                .replace(", _tbl)", ")"),
        )
        .expect("schema loads");
        assert_eq!(
            tenant_data_reached("INSERT INTO signups (email) VALUES ($1)", "tenant_id", &c),
            ["the trigger of `signups` that runs `copy_signup(...)`, whose body reads `widgets`"]
        );
        assert_eq!(
            tenant_data_reached("INSERT INTO audit (entry) VALUES ($1)", "tenant_id", &c),
            Vec::<String>::new()
        );
        // A DO block does the same.
        let c = Catalog::from_sql(
            "schema.sql",
            &schema("DO $$ BEGIN EXECUTE format('CREATE TRIGGER copy AFTER INSERT ON %I FOR EACH ROW EXECUTE PROCEDURE copy_signup()', 'signups'); END $$;")
                .replace("EXECUTE format('CREATE TRIGGER copy AFTER INSERT ON %s FOR EACH ROW EXECUTE FUNCTION copy_signup()', _tbl);", "NULL;"),
        )
        .expect("schema loads");
        assert_eq!(
            tenant_data_reached("UPDATE audit SET entry = $1", "tenant_id", &c).len(),
            1
        );
    }

    #[test]
    fn tenant_relations_in_unparsed_text_are_found_by_word() {
        let c = catalog();
        let found = |sql: &str| tenant_relations_in_text(sql, "tenant_id", &c);
        assert_eq!(found("SELECT code FROM currencies"), Vec::<String>::new());
        assert_eq!(found("SELECT 1"), Vec::<String>::new());
        // Whatever the parser makes of it, the word is there.
        assert_eq!(
            found("SELECT * FROM WIDGETS w, LATERAL weird_syntax(w) ~~~ 1"),
            vec!["widgets"]
        );
        assert_eq!(
            found("SELECT id FROM \"widget_names\""),
            vec!["widget_names"]
        );
        // Quoted names are exact: "Widgets" is another table.
        assert_eq!(found("SELECT 1 FROM \"Widgets\""), Vec::<String>::new());
        // A string literal is not a name.
        assert_eq!(found("SELECT 'widgets'"), Vec::<String>::new());
        // Outside `public`, with its schema.
        assert_eq!(
            found("SELECT code FROM other.currencies"),
            vec!["other.currencies"]
        );
        // Another column: nothing.
        assert_eq!(
            tenant_relations_in_text("SELECT id FROM widgets", "org_id", &c),
            Vec::<String>::new()
        );
    }

    #[test]
    fn tenant_relations_are_found_on_every_path() {
        let c = catalog();
        let found = |sql: &str| tenant_relations(sql, "tenant_id", &c);
        assert_eq!(found("SELECT 1"), Vec::<String>::new());
        assert_eq!(found("SELECT code FROM currencies"), Vec::<String>::new());
        assert_eq!(found("SELECT id FROM widgets"), vec!["widgets"]);
        assert_eq!(
            found("SELECT id FROM public.widgets w"),
            vec!["public.widgets"]
        );
        assert_eq!(found("SELECT id FROM widget_names"), vec!["widget_names"]);
        assert_eq!(
            found("SELECT code FROM other.currencies"),
            vec!["other.currencies"]
        );
        for sql in [
            "INSERT INTO widgets (id, tenant_id) VALUES (1, $1)",
            "UPDATE widgets SET name = 'x'",
            "DELETE FROM widgets",
            "SELECT code FROM currencies WHERE code IN (SELECT name FROM widgets)",
            "WITH w AS (SELECT id FROM widgets) SELECT id FROM w",
            "SELECT c.code FROM currencies c JOIN widgets w ON w.name = c.code",
            "SELECT (SELECT count(*) FROM widgets), 1",
            "UPDATE currencies SET symbol = 'x' FROM widgets WHERE widgets.name = currencies.code",
            "DELETE FROM currencies USING widgets WHERE widgets.name = currencies.code",
            "INSERT INTO currencies (code, symbol) SELECT name, name FROM widgets",
        ] {
            assert_eq!(found(sql), vec!["widgets"], "{sql}");
        }
        // Another column name: nothing carries it.
        assert_eq!(
            tenant_relations("SELECT id FROM widgets", "org_id", &c),
            Vec::<String>::new()
        );
        assert_eq!(found("SELEC nonsense"), Vec::<String>::new());
    }

    fn catalog() -> Catalog {
        Catalog::from_sql(
            "schema.sql",
            "CREATE TABLE widgets (id bigint PRIMARY KEY, tenant_id uuid NOT NULL, name text);
             CREATE TABLE currencies (code text PRIMARY KEY, symbol text NOT NULL);
             CREATE SCHEMA other;
             CREATE TABLE other.currencies (code text, tenant_id uuid NOT NULL);
             CREATE VIEW widget_names AS SELECT id, tenant_id, name FROM widgets;",
        )
        .expect("schema loads")
    }

    fn check(sql: &str, exempt: &[&str]) -> Result<Option<TenantColumn>, String> {
        let opts = TenantOptions {
            exempt: exempt.iter().map(|s| s.to_string()).collect(),
            ..TenantOptions::default()
        };
        let scoped = scope_query(sql, &opts, 1).map_err(|e| e.to_string())?;
        check_tables(&scoped.tables, &opts, &catalog()).map_err(|e| e.to_string())
    }

    #[test]
    fn the_tenant_column_type_comes_from_the_schema() {
        let c = check(
            "SELECT w.name, c.symbol FROM widgets w JOIN currencies c ON c.code = w.name",
            &["currencies"],
        )
        .unwrap()
        .unwrap();
        assert_eq!((c.ty.as_str(), c.table.as_str()), ("uuid", "widgets"));
        // Through a view that shows the column too.
        let c = check("SELECT name FROM widget_names", &[])
            .unwrap()
            .unwrap();
        assert_eq!(c.ty, "uuid");
        // Only shared tables: no tenant column to type.
        assert_eq!(
            check("SELECT symbol FROM currencies", &["currencies"]),
            Ok(None)
        );
    }

    #[test]
    fn a_shared_table_must_be_declared_exempt() {
        let e = check("SELECT symbol FROM currencies", &[]).unwrap_err();
        assert!(e.contains("no `tenant_id` column"), "{e}");
        assert!(e.contains("exempt = [currencies]"), "{e}");
        let e = check("DELETE FROM currencies WHERE code = 'x'", &[]).unwrap_err();
        assert!(e.contains("no `tenant_id` column"), "{e}");
    }

    #[test]
    fn an_exempt_table_with_the_tenant_column_is_refused() {
        // `exempt = [currencies]` names `public.currencies` only; the one in
        // `other` is a tenant table and stays scoped.
        assert!(check("SELECT code FROM other.currencies", &["currencies"]).is_ok());
        let e = check("SELECT code FROM other.currencies", &["other.currencies"]).unwrap_err();
        assert!(e.contains("declared exempt"), "{e}");
        let e = check(
            "INSERT INTO widgets (id, name) VALUES (1, 'a')",
            &["widgets"],
        )
        .unwrap_err();
        assert!(e.contains("remove it from `exempt`"), "{e}");
    }

    #[test]
    fn tables_the_schema_does_not_know_are_left_to_the_type_checker() {
        assert_eq!(check("SELECT 1 FROM nowhere", &[]), Ok(None));
    }
}
