//! The output columns of a view, as far as they can be read without a type
//! checker: names always (when the query's shape is plain), and the source
//! column of select items that are plain references to table columns
//! reached through inner joins only. Everything else is marked
//! [`ViewColumnSource::NeedsInference`].

use sqlparser::ast::{
    Expr, JoinOperator, Query, Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr,
    TableFactor, TableWithJoins,
};

use super::catalog::{Catalog, Name, QualifiedName, Relation, ViewColumn, ViewColumnSource};

/// A column visible in the view's `FROM`: its name and, for plain table
/// columns, where it comes from.
type ScopeColumn = (Name, Option<(QualifiedName, Name)>);

#[derive(Debug)]
struct Entry {
    /// The alias, or the table's own name.
    alias: Name,
    /// The schema, when the entry is addressed by its table name.
    schema: Option<Name>,
    columns: Vec<ScopeColumn>,
    /// On the nullable side of an outer join.
    nullable: bool,
}

/// The view's columns and whether they are all known.
pub(crate) fn view_columns(
    catalog: &Catalog,
    search_path: &[Name],
    query: &Query,
) -> (Vec<ViewColumn>, bool) {
    let plain_scope = query.with.is_none();
    select_columns(catalog, search_path, &query.body, plain_scope)
}

fn select_columns(
    catalog: &Catalog,
    search_path: &[Name],
    body: &SetExpr,
    plain_scope: bool,
) -> (Vec<ViewColumn>, bool) {
    match body {
        SetExpr::Select(select) => {
            let scope = if plain_scope {
                scope_of(catalog, search_path, select)
            } else {
                None
            };
            project(select, scope.as_deref())
        }
        SetExpr::Query(q) => view_columns(catalog, search_path, q),
        // Names come from the first branch; types need the whole operation.
        SetExpr::SetOperation { left, .. } => {
            let (mut cols, known) = select_columns(catalog, search_path, left, false);
            for c in &mut cols {
                if let ViewColumnSource::Column { .. } = c.source {
                    c.source = ViewColumnSource::NeedsInference {
                        expr: c.name.to_string(),
                    };
                }
            }
            (cols, known)
        }
        _ => (Vec::new(), false),
    }
}

/// The `FROM` scope, or `None` when it has anything but tables and views
/// joined with inner, cross and outer joins.
fn scope_of(catalog: &Catalog, search_path: &[Name], select: &Select) -> Option<Vec<Entry>> {
    let mut scope = Vec::new();
    for twj in &select.from {
        scope.extend(joined(catalog, search_path, twj)?);
    }
    Some(scope)
}

fn joined(catalog: &Catalog, search_path: &[Name], twj: &TableWithJoins) -> Option<Vec<Entry>> {
    let mut entries = factor(catalog, search_path, &twj.relation)?;
    for join in &twj.joins {
        let mut right = factor(catalog, search_path, &join.relation)?;
        let (left_nullable, right_nullable) = match &join.join_operator {
            JoinOperator::Join(_) | JoinOperator::Inner(_) | JoinOperator::CrossJoin(_) => {
                (false, false)
            }
            JoinOperator::Left(_) | JoinOperator::LeftOuter(_) => (false, true),
            JoinOperator::Right(_) | JoinOperator::RightOuter(_) => (true, false),
            JoinOperator::FullOuter(_) => (true, true),
            _ => return None,
        };
        if left_nullable {
            entries.iter_mut().for_each(|e| e.nullable = true);
        }
        if right_nullable {
            right.iter_mut().for_each(|e| e.nullable = true);
        }
        entries.extend(right);
    }
    Some(entries)
}

fn factor(catalog: &Catalog, search_path: &[Name], f: &TableFactor) -> Option<Vec<Entry>> {
    match f {
        TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } => {
            let parts: Vec<Name> = name
                .0
                .iter()
                .map(|p| p.as_ident().map(Name::from_ident))
                .collect::<Option<_>>()?;
            let (schema, table) = match parts.as_slice() {
                [t] => (None, t.clone()),
                [s, t] => (Some(s.clone()), t.clone()),
                _ => return None,
            };
            let relation = catalog.lookup(search_path, schema.as_ref(), &table)?;
            let mut columns: Vec<ScopeColumn> = match relation {
                Relation::Table(t) => t
                    .columns
                    .iter()
                    .map(|c| (c.name.clone(), Some((t.name.clone(), c.name.clone()))))
                    .collect(),
                Relation::View(v) => {
                    if !v.columns_known {
                        return None;
                    }
                    v.columns
                        .iter()
                        .map(|c| {
                            let src = match &c.source {
                                ViewColumnSource::Column { table, column } => {
                                    Some((table.clone(), column.clone()))
                                }
                                ViewColumnSource::NeedsInference { .. } => None,
                            };
                            (c.name.clone(), src)
                        })
                        .collect()
                }
            };
            let (alias_name, schema) = match alias {
                Some(a) => {
                    for (col, rename) in columns.iter_mut().zip(&a.columns) {
                        col.0 = Name::from_ident(&rename.name);
                    }
                    (Name::from_ident(&a.name), None)
                }
                None => (table, schema),
            };
            Some(vec![Entry {
                alias: alias_name,
                schema,
                columns,
                nullable: false,
            }])
        }
        TableFactor::NestedJoin {
            table_with_joins,
            alias: None,
        } => joined(catalog, search_path, table_with_joins),
        _ => None,
    }
}

/// The select list's columns against `scope` (`None`: unknown scope).
fn project(select: &Select, scope: Option<&[Entry]>) -> (Vec<ViewColumn>, bool) {
    let mut out = Vec::new();
    let mut known = true;
    let from_entry = |e: &Entry, out: &mut Vec<ViewColumn>| {
        for (name, src) in &e.columns {
            out.push(ViewColumn {
                name: name.clone(),
                source: source(src.as_ref(), e.nullable, name),
            });
        }
    };
    for item in &select.projection {
        match item {
            SelectItem::UnnamedExpr(expr) => out.push(ViewColumn {
                name: figure_name(expr),
                source: resolve(expr, scope),
            }),
            SelectItem::ExprWithAlias { expr, alias } => out.push(ViewColumn {
                name: Name::from_ident(alias),
                source: resolve(expr, scope),
            }),
            SelectItem::Wildcard(_) => match scope {
                Some(scope) => scope.iter().for_each(|e| from_entry(e, &mut out)),
                None => known = false,
            },
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(n), _) => {
                let parts: Option<Vec<Name>> =
                    n.0.iter()
                        .map(|p| p.as_ident().map(Name::from_ident))
                        .collect();
                match (scope, parts) {
                    (Some(scope), Some(parts)) => match find_entry(scope, &parts) {
                        Some(e) => from_entry(e, &mut out),
                        None => known = false,
                    },
                    _ => known = false,
                }
            }
            _ => known = false,
        }
    }
    if !known {
        out.clear();
    }
    (out, known)
}

fn source(src: Option<&(QualifiedName, Name)>, nullable: bool, name: &Name) -> ViewColumnSource {
    match src {
        Some((table, column)) if !nullable => ViewColumnSource::Column {
            table: table.clone(),
            column: column.clone(),
        },
        _ => ViewColumnSource::NeedsInference {
            expr: name.to_string(),
        },
    }
}

fn find_entry<'a>(scope: &'a [Entry], qualifier: &[Name]) -> Option<&'a Entry> {
    let mut found = scope.iter().filter(|e| match qualifier {
        [t] => e.alias == *t,
        [s, t] => e.alias == *t && e.schema.as_ref() == Some(s),
        _ => false,
    });
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

fn resolve(expr: &Expr, scope: Option<&[Entry]>) -> ViewColumnSource {
    let inference = || ViewColumnSource::NeedsInference {
        expr: expr.to_string(),
    };
    let Some(scope) = scope else {
        return inference();
    };
    let (qualifier, column): (Vec<Name>, Name) = match expr {
        Expr::Nested(inner) => return resolve(inner, Some(scope)),
        Expr::Identifier(i) => (Vec::new(), Name::from_ident(i)),
        Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
            let names: Vec<Name> = parts.iter().map(Name::from_ident).collect();
            let (col, q) = names.split_last().expect("two parts");
            (q.to_vec(), col.clone())
        }
        _ => return inference(),
    };
    let candidates: Vec<&Entry> = if qualifier.is_empty() {
        scope
            .iter()
            .filter(|e| e.columns.iter().any(|c| c.0 == column))
            .collect()
    } else {
        find_entry(scope, &qualifier).into_iter().collect()
    };
    let [entry] = candidates.as_slice() else {
        return inference();
    };
    match entry.columns.iter().find(|c| c.0 == column) {
        Some((_, src)) => match source(src.as_ref(), entry.nullable, &column) {
            ViewColumnSource::NeedsInference { .. } => inference(),
            s => s,
        },
        None => inference(),
    }
}

/// The name PostgreSQL gives an unaliased select item (`FigureColname`,
/// for the common cases).
fn figure_name(expr: &Expr) -> Name {
    match expr {
        Expr::Identifier(i) => Name::from_ident(i),
        Expr::CompoundIdentifier(parts) => parts
            .last()
            .map_or_else(|| Name::quoted("?column?"), Name::from_ident),
        Expr::Nested(inner) => figure_name(inner),
        Expr::Cast { expr, .. } => figure_name(expr),
        Expr::Function(f) => f
            .name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map_or_else(|| Name::quoted("?column?"), Name::from_ident),
        Expr::Case { .. } => Name::quoted("case"),
        _ => Name::quoted("?column?"),
    }
}
