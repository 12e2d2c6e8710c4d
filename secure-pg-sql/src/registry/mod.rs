//! What a checked statement uses of the schema: the relations it reads and
//! writes (with the privilege each needs, and the columns of each it may
//! use, with their compile-time types and nullability), the sequences its
//! inserts draw from, and the migrations' routines it calls.
//!
//! The macros compute these facts at compile time and register them with
//! the statement, so that the running binary can hold the live database
//! against them (`Pool::verify_schema`) and print the grants its queries
//! need (`secure_pg::required_grants`). Every fact errs on the side of
//! more: a column is listed when its name appears in the statement (or all
//! of them, for `*` and an insert without a column list), and a relation
//! the statement names is read unless it is only written to.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    visit_expressions, visit_statements, Expr, FromTable, ObjectName, OnConflictAction, OnInsert,
    Statement, TableFactor, TableObject,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::schema::catalog::{Catalog, Name, QualifiedName, Relation, ValueSource};

/// A privilege a statement needs on a relation, in the order `GRANT`
/// lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Privilege {
    /// `SELECT`: the statement reads rows (also to find the rows an
    /// `UPDATE` or `DELETE` changes, or for `RETURNING`).
    Select,
    /// `INSERT`.
    Insert,
    /// `UPDATE` (also for `INSERT ... ON CONFLICT DO UPDATE`).
    Update,
    /// `DELETE`.
    Delete,
}

impl Privilege {
    /// The keyword as `GRANT` spells it.
    pub fn keyword(self) -> &'static str {
        match self {
            Privilege::Select => "SELECT",
            Privilege::Insert => "INSERT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
        }
    }
}

/// One column of a relation, as the statement was checked against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnFact {
    /// The column's name, unquoted.
    pub name: String,
    /// Its type as `format_type` prints it.
    pub ty: String,
    /// `NOT NULL` in the schema (`pg_attribute.attnotnull`); `None` for a
    /// view's column, which the server never marks.
    pub not_null: Option<bool>,
}

/// One relation a statement uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationFact {
    /// Its schema, unquoted.
    pub schema: String,
    /// Its name, unquoted.
    pub name: String,
    /// A view (or materialized view) rather than a table.
    pub view: bool,
    /// The privileges the statement needs on it, in `GRANT` order.
    pub privileges: Vec<Privilege>,
    /// The columns the statement may use, in the relation's order.
    pub columns: Vec<ColumnFact>,
}

/// What a statement uses of the schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// The relations it names that the catalog knows.
    pub relations: Vec<RelationFact>,
    /// Sequences its inserts and calls draw from (`nextval` in a column
    /// default or in the statement), or that it reads as a relation
    /// (`SELECT last_value FROM s`), as `schema.name`, unquoted parts. One
    /// grant covers both: `USAGE, SELECT ON SEQUENCE`.
    pub sequences: Vec<(String, String)>,
    /// The migrations' functions and procedures it calls, each as the
    /// `GRANT EXECUTE ON ROUTINE` target: `schema.name(argument types)`.
    pub routines: Vec<String>,
}

/// The facts of `sql` (a statement the type checker accepted) against
/// `catalog`. SQL that does not parse uses nothing the facts can name.
pub fn facts(sql: &str, catalog: &Catalog) -> Facts {
    let Ok(statements) = Parser::parse_sql(&PostgreSqlDialect {}, sql) else {
        return Facts::default();
    };
    let words = words(sql);
    let mut out = Facts::default();
    let mut targets: Vec<(QualifiedName, Vec<Privilege>, usize)> = Vec::new();
    let mut insert_without_columns = Vec::new();
    // How often each relation is named: a write target named once more (a
    // subquery of the same table) is read too.
    let mut named: Vec<(QualifiedName, usize)> = Vec::new();
    for statement in &statements {
        let _ = visit_statements(statement, |s| {
            for (name, privileges, all_columns) in written(s) {
                let Some(Relation::Table(t)) = crate::ident::pg_object_name(&name)
                    .and_then(|parts| catalog.lookup_written(&parts))
                else {
                    continue;
                };
                if all_columns {
                    insert_without_columns.push(t.name.clone());
                }
                match targets.iter_mut().find(|(n, ..)| *n == t.name) {
                    Some((_, p, writes)) => {
                        p.extend(privileges);
                        *writes += 1;
                    }
                    None => targets.push((t.name.clone(), privileges, 1)),
                }
            }
            ControlFlow::<()>::Continue(())
        });
        let _ = sqlparser::ast::visit_relations(statement, |name| {
            let parts = crate::ident::pg_object_name(name).unwrap_or_default();
            if let Some(r) = catalog.lookup_written(&parts) {
                let q = match r {
                    Relation::Table(t) => t.name.clone(),
                    Relation::View(v) => v.name.clone(),
                };
                match named.iter_mut().find(|(n, _)| *n == q) {
                    Some((_, count)) => *count += 1,
                    None => named.push((q, 1)),
                }
            } else if let Some(seq) = sequence_named(&parts, catalog) {
                // A sequence read as a relation (`SELECT last_value FROM
                // s`): its grant covers that (see `Facts::sequences`).
                if !out.sequences.contains(&seq) {
                    out.sequences.push(seq);
                }
            }
            ControlFlow::<()>::Continue(())
        });
    }
    // `FOR UPDATE` / `FOR NO KEY UPDATE` / `FOR SHARE` / `FOR KEY SHARE`
    // lock the rows read, which needs `UPDATE` as well (every relation
    // read: the cautious side of `FOR UPDATE OF t`).
    let locks = words.locks;
    for (_, relation) in catalog.relations_named(sql) {
        let (name, view) = match relation {
            Relation::Table(t) => (&t.name, false),
            Relation::View(v) => (&v.name, true),
        };
        if out
            .relations
            .iter()
            .any(|r| r.schema == name.schema.as_str() && r.name == name.name.as_str())
        {
            continue;
        }
        let times_named = named.iter().find(|(n, _)| n == name).map_or(0, |(_, c)| *c);
        let mut privileges: Vec<Privilege> = match targets.iter().find(|(n, ..)| n == name) {
            Some((_, p, writes)) => {
                let mut p = p.clone();
                if times_named > *writes {
                    p.push(Privilege::Select);
                }
                p
            }
            None => vec![Privilege::Select],
        };
        if locks && privileges.contains(&Privilege::Select) && !view {
            privileges.push(Privilege::Update);
        }
        privileges.sort();
        privileges.dedup();
        let every = words.star || insert_without_columns.contains(name);
        let columns = match relation {
            Relation::Table(t) => t
                .columns
                .iter()
                .filter(|c| every || words.names.contains(c.name.as_str()))
                .map(|c| ColumnFact {
                    name: c.name.as_str().to_owned(),
                    ty: c.ty.to_string(),
                    not_null: Some(c.not_null),
                })
                .collect(),
            // A view whose columns the loader could not work out lists none.
            Relation::View(v) if !v.columns_known => Vec::new(),
            Relation::View(_) => view_columns(name, catalog)
                .into_iter()
                .filter(|(n, _)| every || words.names.contains(n.as_str()))
                .map(|(name, ty)| ColumnFact {
                    name,
                    ty,
                    not_null: None,
                })
                .collect(),
        };
        if let Relation::Table(t) = relation {
            if privileges.contains(&Privilege::Insert) {
                for c in &t.columns {
                    if let ValueSource::Default(expr) = &c.value {
                        push_sequences(expr, &mut out.sequences);
                    }
                }
            }
        }
        out.relations.push(RelationFact {
            schema: name.schema.as_str().to_owned(),
            name: name.name.as_str().to_owned(),
            view,
            privileges,
            columns,
        });
    }
    push_sequences(sql, &mut out.sequences);
    out.routines = routines(&statements, catalog);
    out
}

/// The relations `statement` writes (not those of statements nested in
/// it: [`visit_statements`] gives those), each with the privileges the
/// write needs and whether it writes every column (an `INSERT` without a
/// column list).
fn written(statement: &Statement) -> Vec<(ObjectName, Vec<Privilege>, bool)> {
    use Privilege::*;
    match statement {
        Statement::Insert(i) => {
            let TableObject::TableName(name) = &i.table else {
                return Vec::new();
            };
            let mut p = vec![Insert];
            if i.returning.is_some() {
                p.push(Select);
            }
            if let Some(OnInsert::OnConflict(c)) = &i.on {
                // The conflict target and the update's expressions read
                // the row.
                if c.conflict_target.is_some() {
                    p.push(Select);
                }
                if let OnConflictAction::DoUpdate(_) = c.action {
                    p.extend([Update, Select]);
                }
            }
            vec![(name.clone(), p, i.columns.is_empty())]
        }
        Statement::Update(u) => {
            let TableFactor::Table { name, .. } = &u.table.relation else {
                return Vec::new();
            };
            let mut p = vec![Update];
            // Reading the row: a condition, `RETURNING`, or a value that
            // is more than a parameter or a constant.
            let reads = u.selection.is_some()
                || u.returning.is_some()
                || u.from.is_some()
                || u.assignments
                    .iter()
                    .any(|a| !matches!(a.value, Expr::Value(_)));
            if reads {
                p.push(Select);
            }
            vec![(name.clone(), p, false)]
        }
        Statement::Delete(d) => {
            let tables = match &d.from {
                FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
            };
            let mut p = vec![Delete];
            if d.selection.is_some() || d.returning.is_some() || d.using.is_some() {
                p.push(Select);
            }
            tables
                .iter()
                .filter_map(|t| match &t.relation {
                    TableFactor::Table { name, .. } => Some((name.clone(), p.clone(), false)),
                    _ => None,
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

/// A view's column names and types, as the type checker types
/// `SELECT * FROM` it.
fn view_columns(name: &QualifiedName, catalog: &Catalog) -> Vec<(String, String)> {
    let sql = format!("SELECT * FROM {}.{}", name.schema, name.name);
    match crate::typecheck::check(&sql, catalog) {
        Ok(typed) => typed
            .columns
            .into_iter()
            .map(|c| (c.name, c.ty.to_string()))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The names the statement spells (identifiers and quoted identifiers,
/// lower-cased unless quoted), whether it has a `*`, and whether it locks
/// rows (`FOR UPDATE`, `FOR NO KEY UPDATE`, `FOR SHARE`, `FOR KEY SHARE`).
struct Words {
    names: BTreeSet<String>,
    star: bool,
    locks: bool,
}

fn words(sql: &str) -> Words {
    let mut out = Words {
        names: BTreeSet::new(),
        star: false,
        locks: false,
    };
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize() else {
        // What cannot be read is read as using everything.
        out.star = true;
        return out;
    };
    let mut after_for = false;
    for t in tokens {
        if matches!(t, Token::Whitespace(_)) {
            continue;
        }
        let was_for = std::mem::take(&mut after_for);
        match t {
            Token::Word(w) => {
                let keyword = w.quote_style.is_none();
                let lower = w.value.to_lowercase();
                if keyword && was_for && matches!(lower.as_str(), "update" | "share" | "no" | "key")
                {
                    out.locks = true;
                }
                after_for = keyword && lower == "for";
                out.names.insert(match w.quote_style {
                    Some(_) => w.value,
                    None => lower,
                });
            }
            Token::Mul => out.star = true,
            _ => {}
        }
    }
    out
}

/// Adds each sequence `nextval('...')` names in `text` (a column default,
/// or the statement itself) to `out`, once.
fn push_sequences(text: &str, out: &mut Vec<(String, String)>) {
    let lower = text.to_ascii_lowercase();
    let mut rest = lower.as_str();
    let mut offset = 0;
    while let Some(at) = rest.find("nextval(") {
        let start = offset + at + "nextval(".len();
        let after = text[start..].trim_start();
        if let Some(quoted) = after.strip_prefix('\'') {
            if let Some(end) = quoted.find('\'') {
                if let Some(name) = sequence_name(&quoted[..end]) {
                    if !out.contains(&name) {
                        out.push(name);
                    }
                }
            }
        }
        offset = start;
        rest = &lower[offset..];
    }
}

/// The catalog's sequence `parts` names (on the default search path), as
/// (schema, name).
fn sequence_named(parts: &[String], catalog: &Catalog) -> Option<(String, String)> {
    let (schema, name) = match parts {
        [name] => ("public", name.as_str()),
        [schema, name] => (schema.as_str(), name.as_str()),
        _ => return None,
    };
    catalog
        .sequences()
        .any(|s| s.schema.as_str() == schema && s.name.as_str() == name)
        .then(|| (schema.to_owned(), name.to_owned()))
}

/// `seq`, `schema.seq` or `"Quoted".seq`, as `regclass` reads the text, as
/// unquoted (schema, name); `public` when unqualified.
fn sequence_name(text: &str) -> Option<(String, String)> {
    let parts = crate::ident::parse_name(text)?;
    match parts.as_slice() {
        [name] => Some(("public".to_owned(), name.clone())),
        [schema, name] => Some((schema.clone(), name.clone())),
        _ => None,
    }
}

/// The migrations' routines the statements call (by name and number of
/// arguments: every overload that takes that many, the cautious side),
/// each as `schema.name(types)`.
fn routines(statements: &[Statement], catalog: &Catalog) -> Vec<String> {
    let mut calls: Vec<(ObjectName, usize)> = Vec::new();
    for statement in statements {
        if let Statement::Call(f) = statement {
            calls.push((f.name.clone(), argument_count(&f.args)));
        }
        let _ = visit_expressions(statement, |e| {
            if let Expr::Function(f) = e {
                calls.push((f.name.clone(), argument_count(&f.args)));
            }
            ControlFlow::<()>::Continue(())
        });
    }
    let mut out = Vec::new();
    for (name, n) in calls {
        let Some(parts) = crate::ident::pg_object_name(&name) else {
            continue;
        };
        let qualified = match parts.as_slice() {
            [name] => QualifiedName::public(name),
            [schema, name] => QualifiedName::new(Name::quoted(schema), Name::quoted(name)),
            _ => continue,
        };
        for s in catalog.function(&qualified).iter().filter(|s| s.takes(n)) {
            let types: Vec<String> = s.inputs.iter().map(|a| a.ty.to_string()).collect();
            let target = format!("{}.{}({})", s.name.schema, s.name.name, types.join(", "));
            if !out.contains(&target) {
                out.push(target);
            }
        }
    }
    out
}

fn argument_count(args: &sqlparser::ast::FunctionArguments) -> usize {
    match args {
        sqlparser::ast::FunctionArguments::List(l) => l.args.len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests;
