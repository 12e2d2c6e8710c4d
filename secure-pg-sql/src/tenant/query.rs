//! Queries: `WITH` scopes, set operations, `SELECT` and its clauses. Each
//! nesting level is scoped on its own, so the rules hold at any depth.

use super::*;

impl Rewriter<'_> {
    // ----- queries ----------------------------------------------------------

    pub(super) fn query(&mut self, query: &mut Query) -> Result<()> {
        if query.for_clause.is_some()
            || query.settings.is_some()
            || query.format_clause.is_some()
            || !query.pipe_operators.is_empty()
        {
            return Err(non_postgres("this query form"));
        }
        let frames = self.ctes.len();
        if let Some(with) = &mut query.with {
            let mut frame = Vec::new();
            if with.recursive {
                // Every CTE of a recursive WITH can see all of them.
                frame.extend(with.cte_tables.iter().map(|c| normalize(&c.alias.name)));
            }
            self.ctes.push(frame);
            for cte in &mut with.cte_tables {
                if cte.from.is_some() {
                    return Err(non_postgres("`WITH ... FROM`"));
                }
                self.query(&mut cte.query)?;
                if !with.recursive {
                    // A plain CTE sees only the ones declared before it.
                    if let Some(frame) = self.ctes.last_mut() {
                        frame.push(normalize(&cte.alias.name));
                    }
                }
            }
        }
        self.set_expr(&mut query.body)?;
        if let Some(order_by) = &mut query.order_by {
            if order_by.interpolate.is_some() {
                return Err(non_postgres("`ORDER BY ... INTERPOLATE`"));
            }
            if let OrderByKind::Expressions(exprs) = &mut order_by.kind {
                self.order_by_exprs(exprs)?;
            }
        }
        match &mut query.limit_clause {
            None => {}
            Some(LimitClause::LimitOffset {
                limit,
                offset,
                limit_by,
            }) => {
                if let Some(limit) = limit {
                    self.expr(limit)?;
                }
                if let Some(offset) = offset {
                    self.expr(&mut offset.value)?;
                }
                self.exprs(limit_by)?;
            }
            Some(LimitClause::OffsetCommaLimit { offset, limit }) => {
                self.expr(offset)?;
                self.expr(limit)?;
            }
        }
        if let Some(fetch) = &mut query.fetch {
            if let Some(quantity) = &mut fetch.quantity {
                self.expr(quantity)?;
            }
        }
        self.ctes.truncate(frames);
        Ok(())
    }

    pub(super) fn set_expr(&mut self, body: &mut SetExpr) -> Result<()> {
        match body {
            SetExpr::Select(select) => self.select(select),
            SetExpr::Query(query) => self.query(query),
            SetExpr::SetOperation { left, right, .. } => {
                self.set_expr(left)?;
                self.set_expr(right)
            }
            SetExpr::Values(values) => {
                for row in &mut values.rows {
                    self.exprs(row)?;
                }
                Ok(())
            }
            // Data-modifying statements inside WITH (and the statement of
            // `WITH ... INSERT/UPDATE/DELETE`).
            SetExpr::Insert(statement)
            | SetExpr::Update(statement)
            | SetExpr::Delete(statement) => self.statement(statement),
            SetExpr::Merge(_) => Err(ScopeError::refuse(
                "`MERGE`",
                "MERGE is not supported by the rewriter; use INSERT ... ON CONFLICT, \
                 or separate UPDATE and INSERT statements",
            )),
            SetExpr::Table(table) => Err(ScopeError::refuse(
                format_args!("`{table}`"),
                "write it as `SELECT * FROM ...` so that it can be filtered",
            )),
        }
    }

    pub(super) fn select(&mut self, select: &mut Select) -> Result<()> {
        if let Some(into) = &select.into {
            return Err(ScopeError::refuse(
                format_args!("`SELECT ... {into}`"),
                format_args!("SELECT INTO creates a table; {ESCAPE_HATCH}"),
            ));
        }
        if select.flavor != SelectFlavor::Standard
            || select.top.is_some()
            || select.exclude.is_some()
            || select.prewhere.is_some()
            || !select.connect_by.is_empty()
            || !select.cluster_by.is_empty()
            || !select.distribute_by.is_empty()
            || !select.sort_by.is_empty()
            || select.qualify.is_some()
            || !select.lateral_views.is_empty()
            || select.value_table_mode.is_some()
            || select.select_modifiers.is_some()
        {
            return Err(non_postgres("this form of `SELECT`"));
        }
        if let Some(Distinct::On(exprs)) = &mut select.distinct {
            self.exprs(exprs)?;
        }
        self.select_items(&mut select.projection)?;
        let mut predicates = Vec::new();
        for item in &mut select.from {
            predicates.extend(self.table_with_joins(item, false)?);
        }
        if let Some(selection) = &mut select.selection {
            self.expr(selection)?;
        }
        and_into(&mut select.selection, predicates);
        match &mut select.group_by {
            GroupByExpr::Expressions(exprs, modifiers) => {
                if !modifiers.is_empty() {
                    return Err(non_postgres("`GROUP BY ... WITH`"));
                }
                self.exprs(exprs)?;
            }
            GroupByExpr::All(_) => return Err(non_postgres("`GROUP BY ALL`")),
        }
        if let Some(having) = &mut select.having {
            self.expr(having)?;
        }
        for window in &select.named_window {
            forbid_hidden_query(window, "the window definition")?;
        }
        Ok(())
    }

    pub(super) fn select_items(&mut self, items: &mut [SelectItem]) -> Result<()> {
        for item in items {
            match item {
                SelectItem::UnnamedExpr(expr)
                | SelectItem::ExprWithAlias { expr, .. }
                | SelectItem::ExprWithAliases { expr, .. } => self.expr(expr)?,
                SelectItem::QualifiedWildcard(kind, options) => {
                    if let SelectItemQualifiedWildcardKind::Expr(expr) = kind {
                        self.expr(expr)?;
                    }
                    forbid_hidden_query(options, "the wildcard options")?;
                }
                SelectItem::Wildcard(options) => {
                    forbid_hidden_query(options, "the wildcard options")?;
                }
            }
        }
        Ok(())
    }
}
