//! `FROM` and joins: where each table's predicate goes (`WHERE`, the `ON` of
//! an outer join, or a filtered derived table) so the join keeps its meaning.

use super::*;

impl Rewriter<'_> {
    // ----- FROM -------------------------------------------------------------

    /// Scopes one `FROM` item and returns the predicates that still have to
    /// be applied above it (see the module docs for where they go). With
    /// `filter_inside`, every base table in it is filtered in place instead
    /// and nothing is returned.
    pub(super) fn table_with_joins(
        &mut self,
        item: &mut TableWithJoins,
        filter_inside: bool,
    ) -> Result<Vec<Expr>> {
        // Operand 0 is `item.relation`, operand i + 1 is `item.joins[i]`.
        // Decide first which operands must be filtered in place: the sides
        // of a FULL JOIN (preserved *and* nullable, so neither ON nor WHERE
        // is right), and nullable sides whose join has no ON to extend.
        let mut filtered_prefix = if filter_inside {
            item.joins.len() + 1
        } else {
            0
        };
        let mut filtered_single = vec![false; item.joins.len() + 1];
        for (i, join) in item.joins.iter().enumerate() {
            match &join.join_operator {
                JoinOperator::FullOuter(_) => filtered_prefix = filtered_prefix.max(i + 2),
                JoinOperator::Right(c) | JoinOperator::RightOuter(c)
                    if !matches!(c, JoinConstraint::On(_)) =>
                {
                    filtered_prefix = filtered_prefix.max(i + 1);
                }
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c)
                    if !matches!(c, JoinConstraint::On(_)) =>
                {
                    filtered_single[i + 1] = true;
                }
                _ => {}
            }
        }
        let in_place = |k: usize| k < filtered_prefix || filtered_single[k];

        let mut pending = self.operand(&mut item.relation, in_place(0))?;
        for (i, join) in item.joins.iter_mut().enumerate() {
            if join.global {
                return Err(non_postgres("`GLOBAL JOIN`"));
            }
            let right = self.operand(&mut join.relation, in_place(i + 1))?;
            let relation = join.relation.to_string();
            match &mut join.join_operator {
                JoinOperator::Join(constraint)
                | JoinOperator::Inner(constraint)
                | JoinOperator::CrossJoin(constraint) => {
                    self.join_constraint(constraint)?;
                    pending.extend(right);
                }
                JoinOperator::Left(constraint) | JoinOperator::LeftOuter(constraint) => {
                    self.join_constraint(constraint)?;
                    add_to_join_condition(constraint, right, "LEFT JOIN", &relation)?;
                }
                JoinOperator::Right(constraint) | JoinOperator::RightOuter(constraint) => {
                    self.join_constraint(constraint)?;
                    let left = std::mem::replace(&mut pending, right);
                    add_to_join_condition(constraint, left, "RIGHT JOIN", &relation)?;
                }
                JoinOperator::FullOuter(constraint) => {
                    self.join_constraint(constraint)?;
                    // Both sides were filtered in place.
                    let mut both = std::mem::take(&mut pending);
                    both.extend(right);
                    add_to_join_condition(constraint, both, "FULL JOIN", &relation)?;
                }
                other => return Err(non_postgres(format_args!("`{}`", join_label(other)))),
            }
        }
        Ok(pending)
    }

    /// [`Self::table_factor`], and with `filter_inside` a base table is
    /// replaced by `(SELECT * FROM t WHERE t.tenant_id = $n) AS t`: the
    /// model's filtered table itself, correct in any join position.
    pub(super) fn operand(
        &mut self,
        factor: &mut TableFactor,
        filter_inside: bool,
    ) -> Result<Vec<Expr>> {
        let mut pending = self.table_factor(factor, filter_inside)?;
        if filter_inside {
            if let Some(predicate) = pending.pop() {
                // Only a base table returns a predicate in this mode.
                filter_in_place(factor, predicate)?;
            }
            if !pending.is_empty() {
                return Err(ScopeError::refuse(
                    format_args!("`{factor}`"),
                    "the rewriter could not filter this join operand in place",
                ));
            }
        }
        Ok(pending)
    }

    pub(super) fn join_constraint(&mut self, constraint: &mut JoinConstraint) -> Result<()> {
        match constraint {
            JoinConstraint::On(expr) => self.expr(expr),
            JoinConstraint::Using(_) | JoinConstraint::Natural | JoinConstraint::None => Ok(()),
            JoinConstraint::UsingAlias(..) => Err(non_postgres("`USING (...) AS alias`")),
        }
    }

    /// Scopes one table factor and returns the predicates for the base
    /// tables in it that still have to be applied above it.
    pub(super) fn table_factor(
        &mut self,
        factor: &mut TableFactor,
        filter_inside: bool,
    ) -> Result<Vec<Expr>> {
        match factor {
            TableFactor::Table {
                name,
                alias,
                args,
                with_hints,
                version,
                partitions,
                json_path,
                sample,
                index_directives,
                // `ONLY t` / `t *` choose which inherited tables are read;
                // the predicate filters them all the same.
                inheritance: _,
                with_ordinality: _,
            } => {
                if !with_hints.is_empty()
                    || version.is_some()
                    || !partitions.is_empty()
                    || json_path.is_some()
                    || !index_directives.is_empty()
                {
                    return Err(non_postgres(format_args!("the table reference `{name}`")));
                }
                if let Some(args) = args {
                    if args.settings.is_some() {
                        return Err(non_postgres(format_args!("the table function `{name}`")));
                    }
                    self.table_function(name, &mut args.args)?;
                    return Ok(Vec::new());
                }
                // TABLESAMPLE picks rows before WHERE; the predicate still
                // removes every other tenant's rows from the sample.
                match sample {
                    None => {}
                    Some(TableSampleKind::BeforeTableAlias(sample))
                    | Some(TableSampleKind::AfterTableAlias(sample)) => {
                        forbid_hidden_query(sample, "the TABLESAMPLE clause")?;
                    }
                }
                if self.is_cte(name) || self.is_exempt(name) {
                    return Ok(Vec::new());
                }
                if let Some(alias) = alias.as_ref().filter(|a| !a.columns.is_empty()) {
                    return Err(ScopeError::refuse(
                        format_args!("`{name} {alias}`"),
                        format_args!(
                            "column aliases rename the table's columns by position, so `{}.{}` \
                             might not be the tenant column; alias the columns in the select \
                             list instead",
                            alias.name, self.opts.column
                        ),
                    ));
                }
                let predicate = self.table_predicate(name, alias.as_ref().map(|a| &a.name))?;
                Ok(vec![predicate])
            }
            TableFactor::Derived {
                subquery, sample, ..
            } => {
                if sample.is_some() {
                    return Err(non_postgres("TABLESAMPLE on a subquery"));
                }
                self.query(subquery)?;
                Ok(Vec::new())
            }
            TableFactor::Function {
                name,
                args,
                with_ordinality: _,
                lateral: _,
                alias: _,
            } => {
                self.table_function(name, args)?;
                Ok(Vec::new())
            }
            TableFactor::UNNEST {
                array_exprs,
                with_offset,
                ..
            } => {
                if *with_offset {
                    return Err(non_postgres("`UNNEST ... WITH OFFSET`"));
                }
                self.exprs(array_exprs)?;
                Ok(Vec::new())
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => {
                let pending = self.table_with_joins(table_with_joins, filter_inside)?;
                if let (Some(alias), false) = (alias, pending.is_empty()) {
                    return Err(ScopeError::refuse(
                        format_args!("the parenthesised join aliased `{}`", alias.name),
                        "the alias hides the names of the tables inside, so their tenant \
                         predicates cannot refer to them; remove the alias",
                    ));
                }
                Ok(pending)
            }
            other => Err(ScopeError::refuse(
                format_args!("`{other}` in FROM"),
                "the rewriter does not know which tables this reads; \
                 mark the query `unscoped = \"reason\"` if it is safe",
            )),
        }
    }

    pub(super) fn table_function(
        &mut self,
        name: &ObjectName,
        args: &mut [FunctionArg],
    ) -> Result<()> {
        name_idents(name, "the table function")?;
        let allowed = crate::functions::builtin(name).is_some_and(refusals::is_table_function)
            || (crate::functions::builtin(name).is_none() && self.opts.is_trusted_function(name));
        if !allowed {
            return Err(ScopeError::refuse(
                format_args!("the table function `{name}`"),
                format_args!(
                    "a function in FROM can read any table, and the rewriter cannot see inside it \
                     (only built-ins that compute their rows from their arguments, such as \
                     generate_series, unnest or jsonb_each, are allowed); select from the tables \
                     directly, declare it #[tenant_scoped(trusted_functions = [{name}], \
                     reason = \"...\")] if it reads no tenant data, or mark the query \
                     `unscoped = \"reason\"`"
                ),
            ));
        }
        self.function_arg_list(args)
    }
}

/// Replaces the base table `factor` by a derived table that filters it:
/// `widgets w` becomes `(SELECT * FROM widgets w WHERE w.tenant_id = $n) AS w`.
fn filter_in_place(factor: &mut TableFactor, predicate: Expr) -> Result<()> {
    let TableFactor::Table { name, alias, .. } = &*factor else {
        return Err(ScopeError::refuse(
            format_args!("`{factor}`"),
            "the rewriter could not filter this join operand in place",
        ));
    };
    let outer_name = match (alias, name.0.as_slice()) {
        (Some(alias), _) => alias.name.clone(),
        (None, [ObjectNamePart::Identifier(ident)]) => ident.clone(),
        (None, _) => {
            return Err(ScopeError::refuse(
                format_args!("`{name}` in this join"),
                format_args!(
                    "the rewriter filters it in a subquery, which needs a plain name; \
                     give it an alias: `{name} AS {}`",
                    last_ident(name).map_or_else(|| "t".to_owned(), |i| i.value.clone())
                ),
            ))
        }
    };
    let text = format!("SELECT * FROM {factor} WHERE {predicate}");
    let parsed = Parser::parse_sql(&PostgreSqlDialect {}, &text)
        .ok()
        .and_then(
            |mut statements| match (statements.len(), statements.pop()) {
                (1, Some(Statement::Query(query))) => Some(query),
                _ => None,
            },
        );
    let Some(subquery) = parsed else {
        return Err(ScopeError::refuse(
            format_args!("`{factor}`"),
            "the rewriter could not filter this join operand in place",
        ));
    };
    *factor = TableFactor::Derived {
        lateral: false,
        subquery,
        alias: Some(TableAlias {
            explicit: true,
            name: outer_name,
            columns: Vec::new(),
            at: None,
        }),
        sample: None,
    };
    Ok(())
}

/// ANDs `predicates` into the `ON` of an outer join (see the module docs).
fn add_to_join_condition(
    constraint: &mut JoinConstraint,
    predicates: Vec<Expr>,
    join: &str,
    relation: &str,
) -> Result<()> {
    if predicates.is_empty() {
        return Ok(());
    }
    match constraint {
        JoinConstraint::On(on) => {
            let existing = std::mem::replace(on, Expr::Value(Value::Null.into()));
            if let Some(combined) = and_all(Some(existing), predicates) {
                *on = combined;
            }
            Ok(())
        }
        _ => Err(ScopeError::refuse(
            format_args!("`{join} {relation}` without ON"),
            "the tenant predicate for the nullable side of an outer join must go into the join \
             condition, and USING / NATURAL joins have none to extend; write the join with \
             `ON a.col = b.col`",
        )),
    }
}

/// A short name for a join operator, for error messages.
fn join_label(op: &JoinOperator) -> &'static str {
    match op {
        JoinOperator::Semi(_) => "SEMI JOIN",
        JoinOperator::LeftSemi(_) => "LEFT SEMI JOIN",
        JoinOperator::RightSemi(_) => "RIGHT SEMI JOIN",
        JoinOperator::Anti(_) => "ANTI JOIN",
        JoinOperator::LeftAnti(_) => "LEFT ANTI JOIN",
        JoinOperator::RightAnti(_) => "RIGHT ANTI JOIN",
        JoinOperator::CrossApply => "CROSS APPLY",
        JoinOperator::OuterApply => "OUTER APPLY",
        JoinOperator::AsOf { .. } => "ASOF JOIN",
        JoinOperator::StraightJoin(_) => "STRAIGHT_JOIN",
        JoinOperator::ArrayJoin | JoinOperator::LeftArrayJoin | JoinOperator::InnerArrayJoin => {
            "ARRAY JOIN"
        }
        _ => "JOIN",
    }
}
