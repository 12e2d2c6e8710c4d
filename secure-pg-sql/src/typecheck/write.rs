//! `INSERT`, `UPDATE` and `DELETE`: target columns, the values written to
//! them, `ON CONFLICT`, and `RETURNING`.

use sqlparser::ast::{
    Assignment, AssignmentTarget, ConflictTarget, Delete, Expr, FromTable, Insert,
    InsertOverriding, ObjectName, OnConflictAction, OnInsert, SelectItem, SetExpr, Spanned,
    TableFactor, TableObject, Update, UpdateTableFromKind,
};
use sqlparser::tokenizer::Span;

use super::expr::{datetime_rank, is_string, numeric_rank, ty, T};
use super::query::{output_name, plain_parts, QualifiedNameExt};
use super::{builtin_name, did_you_mean, name_of, Col, Cx, Rel, Scope, R};
use crate::schema::{Column, Name, Relation, Resolved, SqlType, Table, Unmodelled, ValueSource};

impl<'a> Cx<'a> {
    fn target_table(&self, name: &ObjectName) -> R<&'a Table> {
        let parts = plain_parts(name)
            .ok_or_else(|| self.err(name.span(), format!("`{name}` is not a table name"), None))?;
        let (schema, n) = match parts.as_slice() {
            [n] => (None, n),
            [s, n] => (Some(s), n),
            _ => return Err(self.err(name.span(), "a table name has at most two parts", None)),
        };
        match self.cat.lookup(&self.search_path, schema, n) {
            Some(Relation::Table(t)) => Ok(t),
            Some(Relation::View(_)) => Err(self.unsupported(
                name.span(),
                format!("secure-pg cannot check writes through the view `{name}`"),
                "write to its table",
            )),
            None => {
                if let Resolved::Unknown(u) = self.cat.resolve(&self.search_path, schema, n) {
                    return Err(self.err(
                        name.span(),
                        u.unknown_message(&format!("table `{name}`")),
                        Some(Unmodelled::help().into()),
                    ));
                }
                let mut names: Vec<String> = self
                    .cat
                    .tables()
                    .map(|t| t.name.to_string_short())
                    .collect();
                names.sort();
                let help = super::unknown_table_help(&n.to_string(), &names);
                Err(self.err(
                    name.span(),
                    format!("table `{name}` does not exist in the schema"),
                    Some(help),
                ))
            }
        }
    }

    fn table_rel(&self, t: &Table, alias: Option<Name>) -> Rel {
        let alias_name = alias.clone().unwrap_or_else(|| t.name.name.clone());
        let cols = self
            .table_cols(t)
            .into_iter()
            .map(|mut c| {
                if c.nullable {
                    c.why = c
                        .why
                        .map(|w| format!("`{alias_name}.{}` is nullable: {w}", c.name));
                }
                c
            })
            .collect();
        Rel {
            label: match &alias {
                Some(a) => format!("{a} ({})", t.name.to_string_short()),
                None => t.name.to_string_short(),
            },
            schema: alias.is_none().then(|| t.name.schema.clone()),
            alias: alias_name,
            cols,
            partial: false,
        }
    }

    fn column_of<'t>(
        &self,
        t: &'t Table,
        ident: &sqlparser::ast::Ident,
        span: Span,
    ) -> R<&'t Column> {
        let n = name_of(ident);
        t.column(&n).ok_or_else(|| {
            let mut help = format!(
                "the columns of `{}` are {}",
                t.name.to_string_short(),
                t.columns
                    .iter()
                    .map(|c| format!("`{}`", c.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if let Some(m) = did_you_mean(n.as_str(), t.columns.iter().map(|c| c.name.as_str())) {
                help = format!("did you mean `{m}`? {help}");
            }
            self.err(
                span,
                format!(
                    "column `{n}` of `{}` does not exist",
                    t.name.to_string_short()
                ),
                Some(help),
            )
        })
    }

    /// A value written to `col` (by `INSERT` or `SET`): an untyped value
    /// gets the column's type; generated columns cannot be written.
    fn write_value(
        &mut self,
        t: &Table,
        col: &Column,
        e: &Expr,
        scope: &Scope<'_>,
        overriding: bool,
    ) -> R<()> {
        if is_default(e) {
            return Ok(());
        }
        match &col.value {
            ValueSource::Generated(_) => {
                return Err(self.err(
                    e.span(),
                    format!(
                        "column `{}` of `{}` is GENERATED ALWAYS AS (...): it cannot be written",
                        col.name,
                        t.name.to_string_short()
                    ),
                    Some(format!("leave `{}` out of the column list (or write DEFAULT)", col.name)),
                ))
            }
            ValueSource::Identity { always: true } if !overriding => {
                return Err(self.err(
                    e.span(),
                    format!(
                        "column `{}` of `{}` is GENERATED ALWAYS AS IDENTITY: it cannot be written",
                        col.name,
                        t.name.to_string_short()
                    ),
                    Some(format!(
                        "leave `{}` out (the database numbers it), or write `OVERRIDING SYSTEM VALUE` after the column list",
                        col.name
                    )),
                ))
            }
            _ => {}
        }
        let v = self.expr(e, scope)?;
        match &v.t {
            T::Param(n) => self.set_param(*n, col.ty.clone(), e.span()),
            T::Lit(s) => self.check_literal(s, &col.ty, e.span()),
            T::Known(t) if !self.assignable(t, &col.ty) => Err(self.unsupported(
                e.span(),
                format!(
                    "a `{}` value is written to column `{}` of type `{}`: secure-pg knows no cast \
                     PostgreSQL applies to an assignment between them",
                    self.base_of(t),
                    col.name,
                    col.ty
                ),
                format!("write a value of the column's type: `(...)::{}`", col.ty),
            )),
            _ => Ok(()),
        }
    }

    /// Whether PostgreSQL converts a `from` value to `to` when it is
    /// written to a column (an implicit or assignment cast): the same
    /// type, numbers, date and timestamps among themselves, anything to a
    /// string type (its text form), arrays of those element-wise. What is
    /// not listed is refused (with a cast as the fix), never assumed.
    fn assignable(&self, from: &SqlType, to: &SqlType) -> bool {
        let (f, t) = (self.base_of(from), self.base_of(to));
        if f == t || (!t.array && is_string(&t)) {
            return true;
        }
        if f.array != t.array {
            return false;
        }
        let element = |x: &SqlType| SqlType {
            base: x.base.clone(),
            array: false,
        };
        let (f, t) = (element(&f), element(&t));
        // `json` and `jsonb` convert to each other by assignment casts.
        let json = |x: &SqlType| matches!(builtin_name(x), Some("json" | "jsonb"));
        f == t
            || (numeric_rank(&f).is_some() && numeric_rank(&t).is_some())
            || (datetime_rank(&f).is_some() && datetime_rank(&t).is_some())
            || (json(&f) && json(&t))
    }

    pub(crate) fn insert(&mut self, i: &Insert) -> R<Vec<Col>> {
        let TableObject::TableName(name) = &i.table else {
            return Err(self.unsupported(
                i.table.span(),
                "secure-pg cannot type INSERT INTO a function",
                "insert into a table",
            ));
        };
        let t = self.target_table(name)?;
        if i.or.is_some()
            || i.ignore
            || !i.assignments.is_empty()
            || i.partitioned.is_some()
            || i.replace_into
        {
            return Err(self.unsupported(
                name.span(),
                "this INSERT form is not PostgreSQL",
                "write INSERT INTO t (cols) VALUES (...)",
            ));
        }
        let overriding = matches!(i.overriding, Some(InsertOverriding::System));
        let mut cols: Vec<&Column> = Vec::new();
        if i.columns.is_empty() {
            cols.extend(t.columns.iter());
        } else {
            for c in &i.columns {
                let parts = plain_parts(c).unwrap_or_default();
                let Some(last) = c.0.last().and_then(|p| p.as_ident()) else {
                    return Err(self.err(c.span(), "a column name is a plain name", None));
                };
                if parts.len() != 1 {
                    return Err(self.err(c.span(), "write the column name without a table", None));
                }
                let col = self.column_of(t, last, c.span())?;
                if cols.iter().any(|x| x.name == col.name) {
                    return Err(self.err(
                        c.span(),
                        format!("column `{}` is written more than once", col.name),
                        None,
                    ));
                }
                cols.push(col);
            }
        }
        let alias = i.table_alias.as_ref().map(|a| name_of(&a.alias));
        let scope = Scope::child(None);
        // The values.
        match i.source.as_deref() {
            None => {
                return Err(self.unsupported(
                    name.span(),
                    "secure-pg cannot type INSERT ... DEFAULT VALUES yet",
                    "list the columns and values",
                ));
            }
            Some(q) => match q.body.as_ref() {
                SetExpr::Values(values)
                    if q.with.is_none() && q.order_by.is_none() && q.limit_clause.is_none() =>
                {
                    for row in &values.rows {
                        if row.content.len() > cols.len() {
                            return Err(self.err(
                                row.content[cols.len()].span(),
                                "INSERT has more expressions than target columns",
                                None,
                            ));
                        }
                        for (e, col) in row.content.iter().zip(&cols) {
                            self.write_value(t, col, e, &scope, overriding)?;
                        }
                    }
                    if let Some(row) = values.rows.first() {
                        cols.truncate(row.content.len());
                    }
                }
                _ => {
                    for col in &cols {
                        self.check_writable(t, col, name.span(), overriding)?;
                    }
                    if q.with.is_none() && matches!(q.body.as_ref(), SetExpr::Select(_)) {
                        self.insert_targets = Some(cols.iter().map(|c| c.ty.clone()).collect());
                    }
                    let out = self.query(q, None);
                    self.insert_targets = None;
                    let out = out?;
                    if out.len() > cols.len() {
                        return Err(self.err(
                            q.span(),
                            "INSERT has more expressions than target columns",
                            None,
                        ));
                    }
                    for (c, col) in out.iter().zip(&cols) {
                        if !self.assignable(&c.ty, &col.ty) {
                            return Err(self.unsupported(
                                q.span(),
                                format!(
                                    "the SELECT's column `{}` is `{}`, written to column `{}` of type `{}`: \
                                     secure-pg knows no cast PostgreSQL applies to an assignment between them",
                                    c.name,
                                    self.base_of(&c.ty),
                                    col.name,
                                    col.ty
                                ),
                                format!("select a value of the column's type: `(...)::{}`", col.ty),
                            ));
                        }
                    }
                    cols.truncate(out.len());
                }
            },
        }
        // Columns left out must have a value of their own.
        for c in &t.columns {
            if cols.iter().any(|x| x.name == c.name) {
                continue;
            }
            let has_value = !matches!(c.value, ValueSource::None) || self.domain_default(c);
            if self.cat.column_not_null(c) && !has_value {
                return Err(self.err(
                    name.span(),
                    format!(
                        "this INSERT leaves out `{}`, which is NOT NULL and has no default",
                        c.name
                    ),
                    Some(format!(
                        "add `{}` to the column list and give it a value",
                        c.name
                    )),
                ));
            }
        }
        let mut target_scope = Scope::child(None);
        target_scope.rels.push(self.table_rel(t, alias.clone()));
        if let Some(on) = &i.on {
            let OnInsert::OnConflict(oc) = on else {
                return Err(self.unsupported(
                    name.span(),
                    "ON DUPLICATE KEY is not PostgreSQL",
                    "write ON CONFLICT",
                ));
            };
            match &oc.conflict_target {
                None => {}
                Some(ConflictTarget::Columns { columns, predicate }) => {
                    let mut names = Vec::new();
                    for c in columns {
                        names.push(self.column_of(t, c, c.span)?.name.clone());
                    }
                    if let Some(p) = predicate {
                        let v = self.expr(p, &target_scope)?;
                        self.coerce(&v, &ty("boolean"), p.span())?;
                    }
                    let matches = t.primary_key.iter().chain(&t.unique).any(|k| {
                        k.columns.len() == names.len()
                            && k.columns.iter().all(|c| names.contains(c))
                            && (k.predicate.is_none() || predicate.is_some())
                    });
                    if !matches {
                        let keys: Vec<String> = t
                            .primary_key
                            .iter()
                            .chain(&t.unique)
                            .map(|k| {
                                format!(
                                    "({})",
                                    k.columns
                                        .iter()
                                        .map(Name::to_string)
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            })
                            .collect();
                        let shown = names
                            .iter()
                            .map(Name::to_string)
                            .collect::<Vec<_>>()
                            .join(", ");
                        return Err(self.err(
                            columns.first().map_or(name.span(), |c| c.span),
                            format!(
                                "ON CONFLICT ({shown}) matches no primary key, unique constraint or unique index of `{}`",
                                t.name.to_string_short()
                            ),
                            Some(if keys.is_empty() {
                                format!("`{}` has no unique key: add one in a migration", t.name.to_string_short())
                            } else {
                                format!("its unique keys are {}", keys.join(", "))
                            }),
                        ));
                    }
                }
                Some(ConflictTarget::OnConstraint(c)) => {
                    let parts = plain_parts(c).unwrap_or_default();
                    let found = parts.last().is_some_and(|n| {
                        t.primary_key.iter().chain(&t.unique).any(|k| &k.name == n)
                    });
                    if !found {
                        return Err(self.err(
                            c.span(),
                            format!(
                                "`{}` has no unique constraint named `{c}`",
                                t.name.to_string_short()
                            ),
                            None,
                        ));
                    }
                }
            }
            if let OnConflictAction::DoUpdate(du) = &oc.action {
                if oc.conflict_target.is_none() {
                    return Err(self.err(
                        name.span(),
                        "ON CONFLICT DO UPDATE needs a conflict target: the columns of a unique \
                         key, or ON CONSTRAINT name",
                        Some("write `ON CONFLICT (column, ...) DO UPDATE ...`".into()),
                    ));
                }
                let mut s = Scope::child(None);
                s.rels.push(self.table_rel(t, alias.clone()));
                let mut excluded = self.table_rel(t, Some(Name::unquoted("excluded")));
                for c in &mut excluded.cols {
                    c.nullable = true;
                    c.why = Some(format!("`excluded.{}` is the proposed row's value", c.name));
                }
                s.rels.push(excluded);
                for a in &du.assignments {
                    self.assignment(t, a, &s)?;
                }
                if let Some(w) = &du.selection {
                    let v = self.expr(w, &s)?;
                    self.coerce(&v, &ty("boolean"), w.span())?;
                }
            }
        }
        self.returning(i.returning.as_deref(), &target_scope)
    }

    fn domain_default(&self, c: &Column) -> bool {
        match &c.ty.base {
            crate::schema::BaseType::Domain(d) if !c.ty.array => {
                self.cat.domain(d).is_some_and(|d| d.default.is_some())
            }
            _ => false,
        }
    }

    fn check_writable(&self, t: &Table, col: &Column, span: Span, overriding: bool) -> R<()> {
        match &col.value {
            ValueSource::Generated(_) => Err(self.err(
                span,
                format!(
                    "column `{}` of `{}` is GENERATED ALWAYS AS (...): it cannot be written",
                    col.name,
                    t.name.to_string_short()
                ),
                Some(format!("leave `{}` out of the column list", col.name)),
            )),
            ValueSource::Identity { always: true } if !overriding => Err(self.err(
                span,
                format!(
                    "column `{}` of `{}` is GENERATED ALWAYS AS IDENTITY: it cannot be written",
                    col.name,
                    t.name.to_string_short()
                ),
                Some(format!(
                    "leave `{}` out, or write `OVERRIDING SYSTEM VALUE`",
                    col.name
                )),
            )),
            _ => Ok(()),
        }
    }

    fn assignment(&mut self, t: &Table, a: &Assignment, scope: &Scope<'_>) -> R<()> {
        match (&a.target, &a.value) {
            (AssignmentTarget::ColumnName(c), value) => self.assign_column(t, c, value, scope),
            // `SET (a, b) = (x, y)`: each column gets its value.
            (AssignmentTarget::Tuple(cols), Expr::Tuple(values)) if cols.len() == values.len() => {
                for (c, value) in cols.iter().zip(values) {
                    self.assign_column(t, c, value, scope)?;
                }
                Ok(())
            }
            (AssignmentTarget::Tuple(cols), Expr::Tuple(values)) => Err(self.err(
                a.value.span(),
                format!(
                    "{} columns are assigned {} values",
                    cols.len(),
                    values.len()
                ),
                Some("give each column one value".into()),
            )),
            _ => Err(self.unsupported(
                a.target.span(),
                "secure-pg types `SET (a, b) = (x, y)`, not a row from a subquery or ROW(...)",
                "assign each column on its own, or write the values as `(x, y)`",
            )),
        }
    }

    /// `SET c = value`.
    fn assign_column(
        &mut self,
        t: &Table,
        c: &ObjectName,
        value: &Expr,
        scope: &Scope<'_>,
    ) -> R<()> {
        let Some(last) = c.0.last().and_then(|p| p.as_ident()) else {
            return Err(self.err(c.span(), "a column name is a plain name", None));
        };
        if c.0.len() != 1 {
            return Err(self.err(c.span(), "write the SET column without a table name", None));
        }
        let col = self.column_of(t, last, c.span())?;
        if let ValueSource::Identity { always: true } = col.value {
            if !is_default(value) {
                return Err(self.err(
                    value.span(),
                    format!("column `{}` of `{}` is GENERATED ALWAYS AS IDENTITY: it can only be updated to DEFAULT", col.name, t.name.to_string_short()),
                    None,
                ));
            }
        }
        self.write_value(t, col, value, scope, true)
    }

    fn returning(&mut self, items: Option<&[SelectItem]>, scope: &Scope<'_>) -> R<Vec<Col>> {
        let Some(items) = items else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for item in items {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    let v = self.expr(e, scope)?;
                    let (ty, nullable, why) = self.finish(&v, e.span())?;
                    out.push(Col {
                        name: Name::quoted(&output_name(e)),
                        ty,
                        nullable,
                        why,
                    });
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let v = self.expr(expr, scope)?;
                    let (ty, nullable, why) = self.finish(&v, expr.span())?;
                    out.push(Col {
                        name: name_of(alias),
                        ty,
                        nullable,
                        why,
                    });
                }
                SelectItem::Wildcard(_) => {
                    for r in &scope.rels[..1] {
                        out.extend(r.cols.iter().cloned());
                    }
                }
                _ => {
                    return Err(self.unsupported(
                        item.span(),
                        "secure-pg cannot type this RETURNING item",
                        "list the columns",
                    ))
                }
            }
        }
        Ok(out)
    }

    pub(crate) fn update(&mut self, u: &Update) -> R<Vec<Col>> {
        let TableFactor::Table { name, alias, .. } = &u.table.relation else {
            return Err(self.unsupported(
                u.table.span(),
                "secure-pg cannot type this UPDATE target",
                "update a table",
            ));
        };
        if !u.table.joins.is_empty()
            || u.limit.is_some()
            || !u.order_by.is_empty()
            || u.or.is_some()
        {
            return Err(self.unsupported(
                u.table.span(),
                "this UPDATE form is not PostgreSQL",
                "write UPDATE t SET ... FROM ... WHERE ...",
            ));
        }
        let t = self.target_table(name)?;
        let alias = alias.as_ref().map(|a| name_of(&a.name));
        let mut scope = Scope::child(None);
        scope.rels.push(self.table_rel(t, alias));
        if let Some(from) = &u.from {
            let (UpdateTableFromKind::BeforeSet(f) | UpdateTableFromKind::AfterSet(f)) = from;
            for twj in f {
                self.add_from_item(twj, &mut scope)?;
            }
        }
        // PostgreSQL's order: `FROM`, `WHERE`, `RETURNING`, then `SET`, so a
        // parameter used in `WHERE` and in `SET` takes its type from `WHERE`.
        if let Some(w) = &u.selection {
            let v = self.expr(w, &scope)?;
            self.coerce(&v, &ty("boolean"), w.span())?;
        }
        let returning = self.returning(u.returning.as_deref(), &scope)?;
        for a in &u.assignments {
            self.assignment(t, a, &scope)?;
        }
        Ok(returning)
    }

    pub(crate) fn delete(&mut self, d: &Delete) -> R<Vec<Col>> {
        let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &d.from;
        let [twj] = from.as_slice() else {
            return Err(self.unsupported(
                d.delete_token.0.span,
                "secure-pg types DELETE FROM one table",
                "write DELETE FROM t USING ... WHERE ...",
            ));
        };
        let TableFactor::Table { name, alias, .. } = &twj.relation else {
            return Err(self.unsupported(
                twj.span(),
                "secure-pg cannot type this DELETE target",
                "delete from a table",
            ));
        };
        if !twj.joins.is_empty()
            || !d.tables.is_empty()
            || d.limit.is_some()
            || !d.order_by.is_empty()
        {
            return Err(self.unsupported(
                twj.span(),
                "this DELETE form is not PostgreSQL",
                "write DELETE FROM t USING ... WHERE ...",
            ));
        }
        let t = self.target_table(name)?;
        let alias = alias.as_ref().map(|a| name_of(&a.name));
        let mut scope = Scope::child(None);
        scope.rels.push(self.table_rel(t, alias));
        if let Some(using) = &d.using {
            for twj in using {
                self.add_from_item(twj, &mut scope)?;
            }
        }
        if let Some(w) = &d.selection {
            let v = self.expr(w, &scope)?;
            self.coerce(&v, &ty("boolean"), w.span())?;
        }
        self.returning(d.returning.as_deref(), &scope)
    }
}

/// `DEFAULT` in a value position.
fn is_default(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"))
}
