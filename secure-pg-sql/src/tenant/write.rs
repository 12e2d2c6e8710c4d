//! Writes: `INSERT` (tenant column appended), `UPDATE` and `DELETE` (target
//! and `FROM`/`USING` tables filtered), upserts and data-modifying CTEs. See
//! the module docs of [`super`] for why each rule keeps the statement's
//! meaning.

use super::*;

impl Rewriter<'_> {
    // ----- statements -------------------------------------------------------

    pub(super) fn statement(&mut self, statement: &mut Statement) -> Result<()> {
        match statement {
            Statement::Query(query) => self.query(query),
            Statement::Insert(insert) => self.insert(insert),
            Statement::Update(update) => self.update(update),
            Statement::Delete(delete) => self.delete(delete),
            other => Err(refuse_statement(other)),
        }
    }

    pub(super) fn insert(&mut self, insert: &mut Insert) -> Result<()> {
        if insert.or.is_some()
            || insert.ignore
            || insert.overwrite
            || insert.replace_into
            || insert.priority.is_some()
            || insert.insert_alias.is_some()
            || insert.settings.is_some()
            || insert.format_clause.is_some()
            || insert.partitioned.is_some()
            || !insert.after_columns.is_empty()
            || insert.has_table_keyword
            || insert.by_name
            || insert.output.is_some()
            || insert.multi_table_insert_type.is_some()
            || !insert.multi_table_into_clauses.is_empty()
            || !insert.multi_table_when_clauses.is_empty()
            || insert.multi_table_else_clause.is_some()
        {
            return Err(non_postgres("this form of `INSERT`"));
        }
        if !insert.assignments.is_empty() {
            return Err(non_postgres("`INSERT ... SET`"));
        }
        let table = match &insert.table {
            TableObject::TableName(name) => name.clone(),
            _ => return Err(non_postgres("`INSERT INTO` a table function")),
        };
        let scoped = !self.is_exempt(&table);
        if scoped {
            if insert.columns.is_empty() {
                return Err(ScopeError::refuse(
                    format_args!("`INSERT INTO {table}` without a column list"),
                    format_args!(
                        "the rewriter adds `{}` to the column list, so list the columns \
                         explicitly: `INSERT INTO {table} (col, ...) ...`",
                        self.opts.column
                    ),
                ));
            }
            if let Some(col) = insert.columns.iter().find(|c| self.is_tenant_column(c)) {
                return Err(ScopeError::refuse(
                    format_args!("`INSERT INTO {table}` that sets `{col}`"),
                    format_args!(
                        "#[tenant_scoped] fills `{col}` from the tenant argument; \
                         remove it from the column list and the values"
                    ),
                ));
            }
        }
        match insert.source.as_deref_mut() {
            Some(source) => {
                self.query(source)?;
                if scoped {
                    self.append_tenant_value(&mut source.body)?;
                }
            }
            None => {
                if scoped {
                    return Err(ScopeError::refuse(
                        "`INSERT ... DEFAULT VALUES`",
                        "list the columns and values explicitly",
                    ));
                }
            }
        }
        if scoped {
            insert
                .columns
                .push(ObjectName::from(vec![self.column.clone()]));
        }
        match &mut insert.on {
            None => {}
            Some(OnInsert::OnConflict(on_conflict)) => {
                if let Some(target) = &on_conflict.conflict_target {
                    forbid_hidden_query(target, "the conflict target")?;
                }
                match &mut on_conflict.action {
                    OnConflictAction::DoNothing => {}
                    OnConflictAction::DoUpdate(update) => {
                        self.assignments(&mut update.assignments, "ON CONFLICT DO UPDATE")?;
                        if let Some(selection) = &mut update.selection {
                            self.expr(selection)?;
                        }
                        if scoped {
                            let alias = insert.table_alias.as_ref().map(|a| &a.alias);
                            let predicate = self.table_predicate(&table, alias)?;
                            and_into(&mut update.selection, vec![predicate]);
                        }
                    }
                }
            }
            Some(_) => return Err(non_postgres("`ON DUPLICATE KEY UPDATE`")),
        }
        if let Some(returning) = &mut insert.returning {
            self.select_items(returning)?;
        }
        Ok(())
    }

    /// Appends `$n` to every row the source of an `INSERT` produces:
    /// positional, so it lines up with the column appended to the list (also
    /// after `*`).
    pub(super) fn append_tenant_value(&self, body: &mut SetExpr) -> Result<()> {
        match body {
            SetExpr::Select(select) => {
                select
                    .projection
                    .push(SelectItem::UnnamedExpr(self.typed_param()));
                Ok(())
            }
            SetExpr::Values(values) => {
                for row in &mut values.rows {
                    row.push(self.param());
                }
                Ok(())
            }
            SetExpr::SetOperation { left, right, .. } => {
                self.append_tenant_value(left)?;
                self.append_tenant_value(right)
            }
            SetExpr::Query(query) => self.append_tenant_value(&mut query.body),
            other => Err(ScopeError::refuse(
                format_args!("`INSERT ... {other}`"),
                "the rewriter cannot add the tenant column to this source; \
                 use VALUES or SELECT",
            )),
        }
    }

    pub(super) fn assignments(
        &mut self,
        assignments: &mut [Assignment],
        context: &str,
    ) -> Result<()> {
        for assignment in assignments {
            let targets: Vec<&ObjectName> = match &assignment.target {
                AssignmentTarget::ColumnName(name) => vec![name],
                AssignmentTarget::Tuple(names) => names.iter().collect(),
            };
            if let Some(name) = targets.into_iter().find(|n| self.is_tenant_column(n)) {
                return Err(ScopeError::refuse(
                    format_args!("`{context}` that assigns `{name}`"),
                    "moving a row to another tenant is not allowed inside #[tenant_scoped]; \
                     remove the assignment",
                ));
            }
            self.expr(&mut assignment.value)?;
        }
        Ok(())
    }

    /// The single table an `UPDATE` / `DELETE` writes to, and its predicate
    /// (`None` when exempt). Never treated as a CTE reference.
    pub(super) fn dml_target(
        &mut self,
        target: &TableWithJoins,
        verb: &str,
    ) -> Result<Option<Expr>> {
        if !target.joins.is_empty() {
            return Err(non_postgres(format_args!("`{verb}` of a join")));
        }
        match &target.relation {
            TableFactor::Table {
                name,
                alias,
                args: None,
                with_hints,
                version: None,
                partitions,
                json_path: None,
                sample: None,
                index_directives,
                ..
            } if with_hints.is_empty() && partitions.is_empty() && index_directives.is_empty() => {
                if self.is_exempt(name) {
                    Ok(None)
                } else {
                    self.table_predicate(name, alias.as_ref().map(|a| &a.name))
                        .map(Some)
                }
            }
            other => Err(non_postgres(format_args!("`{verb} {other}`"))),
        }
    }

    pub(super) fn update(&mut self, update: &mut Update) -> Result<()> {
        if update.or.is_some()
            || update.on_cluster.is_some()
            || !update.order_by.is_empty()
            || update.limit.is_some()
            || update.output.is_some()
            || update.settings.is_some()
        {
            return Err(non_postgres("this form of `UPDATE`"));
        }
        let mut predicates: Vec<Expr> = self
            .dml_target(&update.table, "UPDATE")?
            .into_iter()
            .collect();
        self.assignments(&mut update.assignments, "UPDATE")?;
        match &mut update.from {
            None => {}
            Some(UpdateTableFromKind::AfterSet(from)) => {
                for item in from {
                    predicates.extend(self.table_with_joins(item, false)?);
                }
            }
            Some(UpdateTableFromKind::BeforeSet(_)) => {
                return Err(non_postgres("`UPDATE FROM ... SET`"))
            }
        }
        if let Some(selection) = &mut update.selection {
            self.expr(selection)?;
        }
        and_into(&mut update.selection, predicates);
        if let Some(returning) = &mut update.returning {
            self.select_items(returning)?;
        }
        Ok(())
    }

    pub(super) fn delete(&mut self, delete: &mut Delete) -> Result<()> {
        if !delete.tables.is_empty()
            || delete.on_cluster.is_some()
            || delete.output.is_some()
            || !delete.order_by.is_empty()
            || delete.limit.is_some()
            || delete.settings.is_some()
        {
            return Err(non_postgres("this form of `DELETE`"));
        }
        let targets = match &delete.from {
            FromTable::WithFromKeyword(targets) => targets,
            FromTable::WithoutKeyword(_) => return Err(non_postgres("`DELETE` without `FROM`")),
        };
        let mut predicates = Vec::new();
        match targets.as_slice() {
            [target] => predicates.extend(self.dml_target(target, "DELETE FROM")?),
            _ => return Err(non_postgres("`DELETE` from several tables")),
        }
        if let Some(using) = &mut delete.using {
            for item in using {
                predicates.extend(self.table_with_joins(item, false)?);
            }
        }
        if let Some(selection) = &mut delete.selection {
            self.expr(selection)?;
        }
        and_into(&mut delete.selection, predicates);
        if let Some(returning) = &mut delete.returning {
            self.select_items(returning)?;
        }
        Ok(())
    }
}
