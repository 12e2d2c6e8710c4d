//! Queries: `WITH`, set operations, `SELECT` and its `FROM` items, the
//! select list, `ORDER BY`, `LIMIT` and `OFFSET`.

use sqlparser::ast::{
    Distinct, Expr, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments,
    GroupByExpr, JoinConstraint, JoinOperator, LimitClause, ObjectName, ObjectNamePart,
    OrderByExpr, OrderByKind, Query, Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr,
    SetOperator, Spanned, TableFactor, TableWithJoins,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Span;

use super::expr::{common_type, T, V};
use super::{did_you_mean, name_of, Col, Cx, Rel, Scope, R};
use crate::schema::{Name, QualifiedName, Relation, Resolved, SqlType, Table, Unmodelled, View};

impl<'a> Cx<'a> {
    /// The result columns of `q`; `outer` is the enclosing query level of a
    /// subquery.
    pub(crate) fn query(&mut self, q: &Query, outer: Option<&Scope<'_>>) -> R<Vec<Col>> {
        let ctes_before = self.ctes.len();
        let result = self.query_inner(q, outer);
        self.ctes.truncate(ctes_before);
        result
    }

    fn query_inner(&mut self, q: &Query, outer: Option<&Scope<'_>>) -> R<Vec<Col>> {
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                if with.recursive {
                    if let Some(cols) = self.recursive_cte(cte, outer)? {
                        self.ctes.push((name_of(&cte.alias.name), cols));
                        continue;
                    }
                }
                let mut cols = self.query(&cte.query, outer)?;
                rename(
                    &mut cols,
                    &cte.alias
                        .columns
                        .iter()
                        .map(|c| &c.name)
                        .collect::<Vec<_>>(),
                );
                self.ctes.push((name_of(&cte.alias.name), cols));
            }
        }
        if q.fetch.is_some() {
            return Err(self.unsupported(
                q.span(),
                "secure-pg cannot type `FETCH FIRST` yet",
                "write `LIMIT` instead",
            ));
        }
        let order_by: &[OrderByExpr] = match &q.order_by {
            None => &[],
            Some(o) => match &o.kind {
                OrderByKind::Expressions(e) => e,
                OrderByKind::All(_) => {
                    return Err(self.unsupported(
                        q.span(),
                        "`ORDER BY ALL` is not PostgreSQL",
                        "list the columns to order by",
                    ))
                }
            },
        };
        let cols = match q.body.as_ref() {
            SetExpr::Select(s) => self.select(s, outer, order_by)?,
            body => {
                let cols = self.set_expr(body, outer)?;
                // ORDER BY of a set operation names output columns.
                for o in order_by {
                    self.order_by_output(&o.expr, &cols)?;
                }
                cols
            }
        };
        match &q.limit_clause {
            None => {}
            Some(LimitClause::LimitOffset { limit, offset, .. }) => {
                let empty = Scope::child(outer);
                if let Some(l) = limit {
                    self.limit_expr(l, &empty)?;
                }
                if let Some(o) = offset {
                    self.limit_expr(&o.value, &empty)?;
                }
            }
            Some(LimitClause::OffsetCommaLimit { offset, limit }) => {
                let empty = Scope::child(outer);
                self.limit_expr(limit, &empty)?;
                self.limit_expr(offset, &empty)?;
            }
        }
        Ok(cols)
    }

    /// A CTE of `WITH RECURSIVE` whose query is `non-recursive UNION [ALL]
    /// recursive`: the columns take the non-recursive term's types (as in
    /// PostgreSQL), and a column is nullable when either term can give a
    /// NULL, found by typing the recursive term against the CTE until its
    /// nullability stops changing. `None`: the CTE has another form, and is
    /// typed as a plain one.
    fn recursive_cte(
        &mut self,
        cte: &sqlparser::ast::Cte,
        outer: Option<&Scope<'_>>,
    ) -> R<Option<Vec<Col>>> {
        let q = &cte.query;
        let SetExpr::SetOperation {
            left,
            op: SetOperator::Union,
            right,
            ..
        } = q.body.as_ref()
        else {
            return Ok(None);
        };
        if q.with.is_some() || q.order_by.is_some() || q.limit_clause.is_some() {
            return Err(self.unsupported(
                q.span(),
                "secure-pg types a recursive CTE of the form `non-recursive UNION [ALL] recursive` only",
                "move `WITH`, `ORDER BY` and `LIMIT` out of the recursive CTE",
            ));
        }
        let name = name_of(&cte.alias.name);
        let aliases: Vec<&sqlparser::ast::Ident> =
            cte.alias.columns.iter().map(|c| &c.name).collect();
        // Typed more than once: an error is reported as it is met.
        let recover = std::mem::replace(&mut self.recover, false);
        let result = self.recursive_terms(&name, left, right, &aliases, outer);
        self.recover = recover;
        result.map(Some)
    }

    fn recursive_terms(
        &mut self,
        name: &Name,
        left: &SetExpr,
        right: &SetExpr,
        aliases: &[&sqlparser::ast::Ident],
        outer: Option<&Scope<'_>>,
    ) -> R<Vec<Col>> {
        let mut cols = self.set_expr(left, outer)?;
        rename(&mut cols, aliases);
        for _ in 0..=cols.len() {
            self.ctes.push((name.clone(), cols.clone()));
            let recursive = self.set_expr(right, outer);
            self.ctes.pop();
            let recursive = recursive?;
            if recursive.len() != cols.len() {
                return Err(self.err(
                    right.span(),
                    format!(
                        "the recursive term of `{name}` has {} columns, the non-recursive term {}",
                        recursive.len(),
                        cols.len()
                    ),
                    None,
                ));
            }
            let mut changed = false;
            for (c, r) in cols.iter_mut().zip(&recursive) {
                if super::strip_typmod(&c.ty) != super::strip_typmod(&r.ty) {
                    return Err(self.unsupported(
                        right.span(),
                        format!(
                            "column `{}` of the recursive CTE `{name}` is `{}` in the \
                             non-recursive term but `{}` in the recursive one",
                            c.name, c.ty, r.ty
                        ),
                        format!("cast it in the non-recursive term: `(...)::{}`", r.ty),
                    ));
                }
                if r.nullable && !c.nullable {
                    c.nullable = true;
                    c.why = Some(format!(
                        "in the recursive term of `{name}`, {}",
                        r.why.clone().unwrap_or_else(|| "it can be NULL".into())
                    ));
                    changed = true;
                }
            }
            if !changed {
                return Ok(cols);
            }
        }
        Ok(cols)
    }

    fn limit_expr(&mut self, e: &Expr, scope: &Scope<'_>) -> R<()> {
        let v = self.expr(e, scope)?;
        self.coerce(&v, &SqlType::builtin("bigint"), e.span())
    }

    fn order_by_output(&mut self, e: &Expr, cols: &[Col]) -> R<()> {
        match e {
            Expr::Identifier(i) if cols.iter().any(|c| c.name == name_of(i)) => Ok(()),
            Expr::Value(v) if matches!(v.value, sqlparser::ast::Value::Number(..)) => Ok(()),
            _ => {
                let scope = Scope::child(None);
                self.expr(e, &scope).map(|_| ())
            }
        }
    }

    fn set_expr(&mut self, body: &SetExpr, outer: Option<&Scope<'_>>) -> R<Vec<Col>> {
        match body {
            SetExpr::Select(s) => self.select(s, outer, &[]),
            SetExpr::Query(q) => self.query(q, outer),
            SetExpr::SetOperation {
                left, op, right, ..
            } => {
                let (l, lu) = self.set_side(left, outer)?;
                let (r, ru) = self.set_side(right, outer)?;
                if l.len() != r.len() {
                    return Err(self.err(
                        body.span(),
                        format!(
                            "each {op} query must have the same number of columns: {} and {}",
                            l.len(),
                            r.len()
                        ),
                        None,
                    ));
                }
                let kind = match op {
                    SetOperator::Union => "UNION",
                    SetOperator::Except => "EXCEPT",
                    SetOperator::Intersect => "INTERSECT",
                    SetOperator::Minus => "MINUS",
                };
                let mut out = Vec::new();
                for ((a, au), (b, bu)) in l.into_iter().zip(lu).zip(r.into_iter().zip(ru)) {
                    let (a, b) = match (au, bu) {
                        (None, None) => (a, b),
                        // As PostgreSQL's `select_common_type`: a literal,
                        // `NULL` or parameter takes the other side's type
                        // (`text` when both are untyped).
                        (au, bu) => {
                            let side = |c: &Col, u: Option<V>| {
                                u.unwrap_or_else(|| {
                                    V::known(c.ty.clone(), c.nullable, c.why.clone())
                                })
                            };
                            let (va, vb) = (side(&a, au), side(&b, bu));
                            let common = self.unify(&[va.clone(), vb.clone()], body.span())?;
                            let ty = match common.t {
                                T::Known(t) => t,
                                _ => {
                                    let text = SqlType::builtin("text");
                                    self.coerce(&va, &text, body.span())?;
                                    self.coerce(&vb, &text, body.span())?;
                                    text
                                }
                            };
                            // A string literal becomes a value of that type
                            // when the statement is prepared: taken only
                            // where the checker knows which strings are
                            // valid (text, numbers, booleans, uuids, enum
                            // labels), so nothing the server refuses passes.
                            let base = self.base_of(&ty);
                            let checked = !base.array
                                && (matches!(base.base, crate::schema::BaseType::Enum(_))
                                    || super::expr::is_string(&base)
                                    || super::expr::literal_checked(&base));
                            if !checked && [&va, &vb].iter().any(|v| matches!(v.t, T::Lit(_))) {
                                return Err(self.unsupported(
                                    body.span(),
                                    format!(
                                        "secure-pg does not check a string literal as a `{ty}` in a {kind} branch"
                                    ),
                                    format!("cast the literal: `'...'::{ty}`"),
                                ));
                            }
                            let typed = |c: Col, v: &V| Col {
                                ty: ty.clone(),
                                nullable: v.nullable,
                                why: if v.nullable {
                                    v.why.clone().or(c.why).or_else(|| {
                                        matches!(v.t, T::Null)
                                            .then(|| "the column is the NULL literal".to_string())
                                    })
                                } else {
                                    None
                                },
                                ..c
                            };
                            (typed(a, &va), typed(b, &vb))
                        }
                    };
                    let ty = common_type(&[Some(a.ty.clone()), Some(b.ty.clone())]).ok_or_else(|| {
                        self.err(
                            body.span(),
                            format!(
                                "the {kind} branches give column `{}` different types: `{}` and `{}`",
                                a.name, a.ty, b.ty
                            ),
                            Some("cast one branch's expression to the other's type".into()),
                        )
                    })?;
                    // EXCEPT keeps only left rows; INTERSECT only rows in both.
                    let nullable = match op {
                        SetOperator::Except => a.nullable,
                        SetOperator::Intersect => a.nullable && b.nullable,
                        _ => a.nullable || b.nullable,
                    };
                    let why = if a.nullable {
                        a.why.clone()
                    } else {
                        b.why.clone()
                    };
                    out.push(Col {
                        name: a.name,
                        ty,
                        nullable,
                        why: why.map(|w| format!("{w} (in a {kind} branch)")),
                    });
                }
                Ok(out)
            }
            SetExpr::Values(values) => {
                let scope = Scope::child(outer);
                let mut columns: Vec<Vec<V>> = Vec::new();
                for row in &values.rows {
                    for (i, e) in row.content.iter().enumerate() {
                        let v = self.expr(e, &scope)?;
                        if columns.len() <= i {
                            columns.push(Vec::new());
                        }
                        columns[i].push(v);
                    }
                }
                let mut out = Vec::new();
                for (i, vs) in columns.iter().enumerate() {
                    let v = self.unify(vs, body.span())?;
                    let (ty, nullable, why) = self.finish(&v, body.span())?;
                    out.push(Col {
                        name: Name::quoted(&format!("column{}", i + 1)),
                        ty,
                        nullable,
                        why,
                    });
                }
                Ok(out)
            }
            // A data-modifying statement in `WITH`, or the body of `WITH ...
            // INSERT/UPDATE/DELETE`: its `RETURNING` columns.
            SetExpr::Insert(sqlparser::ast::Statement::Insert(i)) => self.insert(i),
            SetExpr::Update(sqlparser::ast::Statement::Update(u)) => self.update(u),
            SetExpr::Delete(sqlparser::ast::Statement::Delete(d)) => self.delete(d),
            _ => Err(self.unsupported(
                body.span(),
                "secure-pg cannot type this query form yet",
                "write it as a plain SELECT, INSERT, UPDATE or DELETE, or write the query with \
                 `secure_query_unparsed!`, which skips the schema checks",
            )),
        }
    }

    fn select(
        &mut self,
        s: &Select,
        outer: Option<&Scope<'_>>,
        order_by: &[OrderByExpr],
    ) -> R<Vec<Col>> {
        // Taken before the FROM items, whose subqueries are selects too.
        let targets = self.insert_targets.take().unwrap_or_default();
        let leaf = std::mem::take(&mut self.set_leaf);
        let mut untyped: Vec<Option<V>> = Vec::new();
        let mut scope = Scope::child(outer);
        for twj in &s.from {
            self.add_from_item(twj, &mut scope)?;
        }
        // PostgreSQL analyses the select list before WHERE (so errors and
        // parameter types come in its order); aggregates need to know about
        // GROUP BY first.
        scope.grouped = matches!(&s.group_by, GroupByExpr::Expressions(e, _) if !e.is_empty());
        // Not an expression's subquery (where a cast around it may
        // override a "cannot type" error): an error in one select item or
        // in WHERE is collected, and the rest is still checked.
        let recover = self.recover && outer.is_none();
        let mut out = Vec::new();
        for item in &s.projection {
            let target = targets.get(out.len()).cloned();
            let at = out.len();
            let mut held = None;
            let typed = match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    let value = match self.select_item_srf(e, &scope) {
                        Some(v) => v,
                        None => self.expr(e, &scope),
                    };
                    value.and_then(|v| {
                        let v = match (&v.t, target) {
                            (T::Param(_) | T::Lit(_) | T::Null, Some(t)) => {
                                self.coerce(&v, &t, e.span())?;
                                V::known(t, v.nullable, v.why.clone())
                            }
                            _ => v,
                        };
                        if leaf && matches!(v.t, T::Param(_) | T::Lit(_) | T::Null) {
                            // The set operation types it (and the parameter).
                            held = Some(v.clone());
                            if matches!(v.t, T::Param(_)) {
                                return Ok((SqlType::builtin("text"), true, None));
                            }
                        }
                        self.finish(&v, e.span())
                    })
                }
                _ => Ok((SqlType::builtin("text"), true, None)),
            };
            let (ty, nullable, why) = match typed {
                Ok(t) => t,
                Err(e) if recover => {
                    self.deferred.push(e);
                    (SqlType::builtin("text"), true, None)
                }
                Err(e) => return Err(e),
            };
            match item {
                SelectItem::UnnamedExpr(e) => {
                    out.push(Col {
                        name: Name::quoted(&output_name(e)),
                        ty,
                        nullable,
                        why,
                    });
                }
                SelectItem::ExprWithAlias { alias, .. } => {
                    out.push(Col {
                        name: name_of(alias),
                        ty,
                        nullable,
                        why: why.map(|w| {
                            w.replacen("this expression", &format!("`{}`", name_of(alias)), 1)
                        }),
                    });
                }
                SelectItem::Wildcard(_) => {
                    if !scope.merged.is_empty() {
                        return Err(self.unsupported(
                            item.span(),
                            "secure-pg cannot expand `*` over `JOIN ... USING` yet",
                            "list the columns you want",
                        ));
                    }
                    if scope.rels.is_empty() {
                        return Err(self.err(item.span(), "`SELECT *` with no tables", None));
                    }
                    for r in &scope.rels {
                        self.refuse_partial_wildcard(r, item.span())?;
                        out.extend(r.cols.iter().cloned());
                    }
                }
                SelectItem::QualifiedWildcard(kind, _) => {
                    let SelectItemQualifiedWildcardKind::ObjectName(name) = kind else {
                        return Err(self.unsupported(
                            item.span(),
                            "secure-pg cannot type this wildcard",
                            "list the columns you want",
                        ));
                    };
                    let parts = plain_parts(name);
                    let Some([rel]) = parts.as_deref() else {
                        return Err(self.unsupported(
                            item.span(),
                            "secure-pg cannot type a schema-qualified `schema.table.*`",
                            "give the table an alias and write `alias.*`",
                        ));
                    };
                    let r = self.find_rel(&scope, rel, item.span())?;
                    self.refuse_partial_wildcard(r, item.span())?;
                    out.extend(r.cols.iter().cloned());
                }
                SelectItem::ExprWithAliases { .. } => {
                    return Err(self.unsupported(
                        item.span(),
                        "secure-pg cannot type this select item",
                        "write `expr AS name`",
                    ))
                }
            }
            untyped.resize(out.len(), None);
            if held.is_some() && at < untyped.len() {
                untyped[at] = held;
            }
        }
        if let Some(w) = &s.selection {
            let checked = self
                .expr(w, &scope)
                .and_then(|v| self.coerce(&v, &SqlType::builtin("boolean"), w.span()));
            match checked {
                Ok(()) => {}
                Err(e) if recover => self.deferred.push(e),
                Err(e) => return Err(e),
            }
        }
        match &s.group_by {
            GroupByExpr::All(_) => {
                return Err(self.unsupported(
                    s.span(),
                    "`GROUP BY ALL` is not PostgreSQL",
                    "list the grouping expressions",
                ))
            }
            GroupByExpr::Expressions(exprs, modifiers) => {
                if !modifiers.is_empty() {
                    return Err(self.unsupported(
                        s.span(),
                        "secure-pg cannot type `GROUP BY` modifiers",
                        "group by plain expressions",
                    ));
                }
                for e in exprs {
                    if matches!(e, Expr::Rollup(_) | Expr::Cube(_) | Expr::GroupingSets(_)) {
                        return Err(self.unsupported(
                            e.span(),
                            "secure-pg cannot type grouping sets (`ROLLUP`, `CUBE`, `GROUPING SETS`) yet: they make grouped columns NULL",
                            "cast each result column: `(...)::type`",
                        ));
                    }
                    // `GROUP BY 1` and output aliases are allowed.
                    if matches!(e, Expr::Value(_)) {
                        continue;
                    }
                    if let Expr::Identifier(i) = e {
                        if self.lookup_unqualified(&scope, &name_of(i)).is_none() {
                            continue;
                        }
                    }
                    self.expr(e, &scope)?;
                }
                scope.grouped = !exprs.is_empty();
            }
        }
        if let Some(h) = &s.having {
            let v = self.expr(h, &scope)?;
            self.coerce(&v, &SqlType::builtin("boolean"), h.span())?;
        }
        if let Some(Distinct::On(exprs)) = &s.distinct {
            for e in exprs {
                self.expr(e, &scope)?;
            }
        }
        if s.into.is_some() || !s.lateral_views.is_empty() || s.qualify.is_some() {
            return Err(self.unsupported(
                s.span(),
                "secure-pg cannot type this SELECT form",
                "write a plain SELECT",
            ));
        }
        for o in order_by {
            match &o.expr {
                Expr::Identifier(i)
                    if out.iter().any(|c| c.name == name_of(i))
                        && self.lookup_unqualified(&scope, &name_of(i)).is_none() => {}
                Expr::Value(v) if matches!(v.value, sqlparser::ast::Value::Number(..)) => {}
                e => {
                    self.expr(e, &scope)?;
                }
            }
        }
        if leaf {
            self.leaf_untyped = untyped;
        }
        Ok(out)
    }

    /// One side of a set operation: its columns, and for each the value a
    /// leaf `SELECT` left untyped (a literal, `NULL`, a parameter).
    fn set_side(
        &mut self,
        side: &SetExpr,
        outer: Option<&Scope<'_>>,
    ) -> R<(Vec<Col>, Vec<Option<V>>)> {
        let SetExpr::Select(s) = side else {
            let cols = self.set_expr(side, outer)?;
            let none = vec![None; cols.len()];
            return Ok((cols, none));
        };
        self.set_leaf = true;
        let cols = self.select(s, outer, &[]);
        self.set_leaf = false;
        let mut held = std::mem::take(&mut self.leaf_untyped);
        let cols = cols?;
        held.resize(cols.len(), None);
        Ok((cols, held))
    }

    /// Adds the items of one comma-separated `FROM` entry to `scope`.
    pub(crate) fn add_from_item(&mut self, twj: &TableWithJoins, scope: &mut Scope<'_>) -> R<()> {
        let start = scope.rels.len();
        let rels = self.factor(&twj.relation, scope)?;
        self.add_rels(scope, rels)?;
        for join in &twj.joins {
            let before = scope.rels.len();
            let rels = self.factor(&join.relation, scope)?;
            self.add_rels(scope, rels)?;
            let after = scope.rels.len();
            let at = self.at_text(join.relation.span());
            let (constraint, left_null, right_null, kind) = match &join.join_operator {
                JoinOperator::Join(c) | JoinOperator::Inner(c) => (Some(c), false, false, "JOIN"),
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => {
                    (Some(c), false, true, "LEFT JOIN")
                }
                JoinOperator::Right(c) | JoinOperator::RightOuter(c) => {
                    (Some(c), true, false, "RIGHT JOIN")
                }
                JoinOperator::FullOuter(c) => (Some(c), true, true, "FULL JOIN"),
                JoinOperator::CrossJoin(c) => (Some(c), false, false, "CROSS JOIN"),
                _ => {
                    return Err(self.unsupported(
                        join.relation.span(),
                        "this join is not PostgreSQL, or secure-pg cannot type it",
                        "use JOIN, LEFT JOIN, RIGHT JOIN, FULL JOIN or CROSS JOIN",
                    ))
                }
            };
            match constraint {
                Some(JoinConstraint::On(e)) => {
                    let v = self.expr(e, scope)?;
                    self.coerce(&v, &SqlType::builtin("boolean"), e.span())?;
                }
                Some(c @ (JoinConstraint::Using(_) | JoinConstraint::Natural)) => {
                    let names: Vec<(Name, Span)> = match c {
                        JoinConstraint::Using(names) => names
                            .iter()
                            .map(|n| {
                                let parts = plain_parts(n).unwrap_or_default();
                                match parts.as_slice() {
                                    [col] => Ok((col.clone(), n.span())),
                                    _ => Err(self.err(
                                        n.span(),
                                        "a USING column is a plain name",
                                        None,
                                    )),
                                }
                            })
                            .collect::<R<Vec<_>>>()?,
                        // NATURAL: USING the column names both sides have,
                        // in the left side's order.
                        _ if scope.rels[start..after].iter().any(|r| r.partial) => {
                            return Err(self.unsupported(
                                join.relation.span(),
                                "secure-pg knows only some columns of a system catalog: it cannot tell which columns a NATURAL join matches",
                                "write the join condition with ON",
                            ))
                        }
                        _ => {
                            let right: Vec<&Name> = scope.rels[before..after]
                                .iter()
                                .flat_map(|r| r.cols.iter().map(|c| &c.name))
                                .collect();
                            let mut names: Vec<(Name, Span)> = Vec::new();
                            for c in scope.rels[start..before].iter().flat_map(|r| &r.cols) {
                                if right.contains(&&c.name)
                                    && !names.iter().any(|(n, _)| n == &c.name)
                                {
                                    names.push((c.name.clone(), join.relation.span()));
                                }
                            }
                            names
                        }
                    };
                    for (col, span) in &names {
                        let find = |rels: &[Rel]| -> Vec<Col> {
                            rels.iter()
                                .flat_map(|r| r.cols.iter().filter(|c| &c.name == col).cloned())
                                .collect()
                        };
                        let l = find(&scope.rels[start..before]);
                        let r = find(&scope.rels[before..after]);
                        let (Some(lc), Some(rc)) = (l.first(), r.first()) else {
                            return Err(self.err(
                                *span,
                                format!("column `{col}` named in USING is not on both sides of the join"),
                                None,
                            ));
                        };
                        // FULL: `coalesce(l, r)`, NULL on a row of one side
                        // whose column is NULL (joined rows are equal, so
                        // not NULL).
                        let mut merged = match (left_null, right_null) {
                            (false, _) => lc.clone(),
                            (true, false) => rc.clone(),
                            (true, true) => Col {
                                nullable: lc.nullable || rc.nullable,
                                why: lc.why.clone().or_else(|| rc.why.clone()),
                                ..lc.clone()
                            },
                        };
                        // Both sides are converted to their common type,
                        // as in a set operation.
                        merged.ty = common_type(&[Some(lc.ty.clone()), Some(rc.ty.clone())])
                            .ok_or_else(|| {
                                self.err(
                                    *span,
                                    format!(
                                        "the join columns `{col}` have types `{}` and `{}`, which \
                                         have no common type",
                                        lc.ty, rc.ty
                                    ),
                                    Some("join with ON and cast one side".into()),
                                )
                            })?;
                        if merged.nullable && merged.why.is_none() {
                            merged.why = Some(format!("`{col}` is nullable"));
                        }
                        scope.merged.retain(|m| &m.name != col);
                        scope.merged.push(merged);
                    }
                }
                Some(JoinConstraint::UsingAlias(..)) => {
                    return Err(self.unsupported(
                        join.relation.span(),
                        "secure-pg cannot type `USING (...) AS alias`",
                        "write the join condition with ON",
                    ))
                }
                Some(JoinConstraint::None) | None => {
                    if kind != "CROSS JOIN" && kind != "JOIN" {
                        return Err(self.err(
                            join.relation.span(),
                            format!("{kind} needs a condition"),
                            None,
                        ));
                    }
                }
            }
            if right_null {
                for r in &mut scope.rels[before..after] {
                    mark_nullable(r, kind, &at);
                }
            }
            if left_null {
                for r in &mut scope.rels[start..before] {
                    mark_nullable(r, kind, &at);
                }
            }
        }
        Ok(())
    }

    fn add_rels(&self, scope: &mut Scope<'_>, rels: Vec<Rel>) -> R<()> {
        for r in rels {
            if scope.rels.iter().any(|x| x.alias == r.alias) {
                return Err(self.err(
                    Span::empty(),
                    format!("table name `{}` is specified more than once", r.alias),
                    Some("give one of them an alias".into()),
                ));
            }
            scope.rels.push(r);
        }
        Ok(())
    }

    /// The relations one `FROM` factor brings into scope.
    fn factor(&mut self, f: &TableFactor, scope: &Scope<'_>) -> R<Vec<Rel>> {
        match f {
            TableFactor::Table {
                name,
                alias,
                args: Some(fargs),
                with_hints,
                version,
                with_ordinality,
                partitions,
                ..
            } if with_hints.is_empty()
                && version.is_none()
                && partitions.is_empty()
                && fargs.settings.is_none() =>
            {
                let exprs = fargs
                    .args
                    .iter()
                    .map(|a| match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Ok(e),
                        _ => Err(self.unsupported(
                            f.span(),
                            "secure-pg cannot type named or wildcard arguments in FROM",
                            "pass the arguments by position",
                        )),
                    })
                    .collect::<R<Vec<&Expr>>>()?;
                if name.0.len() == 1
                    && name.to_string().eq_ignore_ascii_case("unnest")
                    && exprs.len() > 1
                {
                    let arrays: Vec<Expr> = exprs.into_iter().cloned().collect();
                    return Ok(vec![self.unnest_in_from(
                        &arrays,
                        *with_ordinality,
                        alias.as_ref(),
                        scope,
                        f.span(),
                    )?]);
                }
                let resolved = match plain_parts(name).as_deref() {
                    Some([n]) => Some(n.as_str().to_string()),
                    Some([s, n]) if s.as_str() == "pg_catalog" => Some(n.as_str().to_string()),
                    _ => None,
                };
                if let Some(rel) = resolved.and_then(|n| {
                    self.json_rows_in_from(
                        &n,
                        &exprs,
                        *with_ordinality,
                        alias.as_ref(),
                        scope,
                        f.span(),
                    )
                }) {
                    return Ok(vec![rel?]);
                }
                let (fname, v) =
                    self.function_in_from(name, &fargs.args, &exprs, scope, f.span())?;
                Ok(vec![self.rows_rel(
                    &[fname],
                    vec![v],
                    *with_ordinality,
                    alias.as_ref(),
                    f.span(),
                )?])
            }
            TableFactor::UNNEST {
                alias,
                array_exprs,
                with_offset: false,
                with_ordinality,
                ..
            } => Ok(vec![self.unnest_in_from(
                array_exprs,
                *with_ordinality,
                alias.as_ref(),
                scope,
                f.span(),
            )?]),
            TableFactor::Table {
                name,
                alias,
                args,
                with_hints,
                version,
                with_ordinality,
                partitions,
                ..
            } => {
                if args.is_some()
                    || !with_hints.is_empty()
                    || version.is_some()
                    || *with_ordinality
                    || !partitions.is_empty()
                {
                    return Err(self.unsupported(
                        f.span(),
                        "secure-pg cannot type this form of a function in FROM",
                        "select from a subquery, or write the query with `secure_query_unparsed!`, \
                         which skips the schema checks",
                    ));
                }
                let parts = plain_parts(name).ok_or_else(|| {
                    self.err(name.span(), format!("`{name}` is not a table name"), None)
                })?;
                let (mut cols, default_alias, label, schema) =
                    self.relation(&parts, name.span())?;
                let partial = schema.as_ref().is_some_and(|s| {
                    (s.as_str() == "pg_catalog" || s.as_str() == "information_schema")
                        && parts
                            .last()
                            .is_none_or(|n| !super::catalogs::is_complete(s, n))
                });
                if partial && alias.as_ref().is_some_and(|a| !a.columns.is_empty()) {
                    return Err(self.unsupported(
                        f.span(),
                        format!("secure-pg knows only some columns of `{label}`: it cannot rename them by position"),
                        "leave out the column alias list and rename the columns in the select list (`col AS name`)",
                    ));
                }
                let (alias_name, label, schema) = match alias {
                    Some(a) => {
                        rename(
                            &mut cols,
                            &a.columns.iter().map(|c| &c.name).collect::<Vec<_>>(),
                        );
                        let an = name_of(&a.name);
                        let label = format!("{an} ({label})");
                        (an, label, None)
                    }
                    None => (default_alias, label, schema),
                };
                let cols = cols
                    .into_iter()
                    .map(|mut c| {
                        if c.nullable {
                            c.why = Some(format!(
                                "`{alias_name}.{}` is nullable: {}",
                                c.name,
                                c.why.unwrap_or_else(|| "it can be NULL".into())
                            ));
                        }
                        c
                    })
                    .collect();
                Ok(vec![Rel {
                    alias: alias_name,
                    label,
                    cols,
                    schema,
                    partial,
                }])
            }
            TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                let mut cols = if *lateral {
                    self.query(subquery, Some(scope))?
                } else {
                    self.query(subquery, scope.parent)?
                };
                let Some(alias) = alias else {
                    return Err(self.err(
                        f.span(),
                        "a subquery in FROM needs an alias",
                        Some("write `(SELECT ...) AS name`".into()),
                    ));
                };
                rename(
                    &mut cols,
                    &alias.columns.iter().map(|c| &c.name).collect::<Vec<_>>(),
                );
                let an = name_of(&alias.name);
                let cols = cols
                    .into_iter()
                    .map(|mut c| {
                        if c.nullable {
                            c.why = Some(format!(
                                "`{an}.{}` is nullable: {}",
                                c.name,
                                c.why
                                    .map(|w| format!("in the subquery, {w}"))
                                    .unwrap_or_else(|| "it can be NULL".into())
                            ));
                        }
                        c
                    })
                    .collect();
                Ok(vec![Rel {
                    label: format!("{an} (a subquery)"),
                    alias: an,
                    cols,
                    schema: None,
                    partial: false,
                }])
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => {
                if alias.is_some() {
                    return Err(self.unsupported(
                        f.span(),
                        "secure-pg cannot type an aliased parenthesized join",
                        "remove the alias and qualify columns by their tables",
                    ));
                }
                let mut inner = Scope::child(scope.parent);
                self.add_from_item(table_with_joins, &mut inner)?;
                if !inner.merged.is_empty() {
                    return Err(self.unsupported(
                        f.span(),
                        "secure-pg cannot type `USING` inside a parenthesized join",
                        "write the condition with ON",
                    ));
                }
                Ok(inner.rels)
            }
            _ => Err(self.unsupported(
                f.span(),
                "secure-pg cannot type this FROM item yet",
                "select from a table, a view, a CTE, a subquery or a function it knows, or write \
                 the query with `secure_query_unparsed!`, which skips the schema checks",
            )),
        }
    }

    /// The one column of a function in `FROM` (the function's name, and
    /// its value): `generate_series`, `unnest`, or a scalar function the
    /// checker knows (one row).
    fn function_in_from(
        &mut self,
        name: &ObjectName,
        args: &[FunctionArg],
        exprs: &[&Expr],
        scope: &Scope<'_>,
        span: Span,
    ) -> R<(Name, V)> {
        let parts = plain_parts(name).unwrap_or_default();
        let fname = match parts.as_slice() {
            [n] => n.clone(),
            [s, n] if s.as_str() == "pg_catalog" => n.clone(),
            _ => Name::unquoted(""),
        };
        match fname.as_str() {
            "generate_series" => {
                let v = self.generate_series(exprs, scope, span)?;
                Ok((fname, v))
            }
            "unnest" if exprs.len() == 1 => {
                let v = self.unnest(exprs[0], scope)?;
                Ok((fname, v))
            }
            n if exprs.len() == args.len() && self.is_set_function(n) => {
                let v = self.set_function(n, exprs, scope, span)?;
                Ok((fname, v))
            }
            n if (super::functions::is_typed(n)
                && !super::functions::is_aggregate(n)
                && !super::functions::is_window(n))
                || !self
                    .cat
                    .functions_named(&self.search_path, &parts)
                    .is_empty() =>
            {
                let call = sqlparser::ast::Function {
                    name: name.clone(),
                    uses_odbc_syntax: false,
                    parameters: FunctionArguments::None,
                    args: FunctionArguments::List(FunctionArgumentList {
                        duplicate_treatment: None,
                        args: args.to_vec(),
                        clauses: vec![],
                    }),
                    filter: None,
                    null_treatment: None,
                    over: None,
                    within_group: vec![],
                };
                let v = self.function(&call, scope, span)?;
                Ok((fname, v))
            }
            _ => Err(self.unsupported(
                span,
                format!("secure-pg does not know the columns of `{name}(...)` in FROM"),
                "select from a table, a view, a CTE or a subquery, or write the query with \
                 `secure_query_unparsed!`, which skips the schema checks",
            )),
        }
    }

    /// `generate_series(start, stop [, step])`: integers, bigints,
    /// numerics, or timestamps stepped by an interval; never NULL.
    pub(crate) fn generate_series(
        &mut self,
        exprs: &[&Expr],
        scope: &Scope<'_>,
        span: Span,
    ) -> R<V> {
        if !(2..=3).contains(&exprs.len()) {
            return Err(self.err(span, "`generate_series` takes 2 or 3 arguments", None));
        }
        let vals = exprs
            .iter()
            .map(|e| self.expr(e, scope))
            .collect::<R<Vec<V>>>()?;
        let bounds: Vec<SqlType> = vals[..2]
            .iter()
            .filter_map(|v| v.known_type().map(|t| self.base_of(t)))
            .collect();
        let names: Vec<&str> = bounds.iter().filter_map(super::builtin_name).collect();
        let element =
            if let Some(t) = names.iter().find(|n| n.starts_with("timestamp")) {
                SqlType::builtin(if *t == "timestamp with time zone" {
                    "timestamp with time zone"
                } else {
                    "timestamp without time zone"
                })
            } else {
                let ranks: Vec<u8> = bounds
                    .iter()
                    .map(|t| super::expr::numeric_rank(t).unwrap_or(u8::MAX))
                    .collect();
                match ranks.iter().max() {
                    None => {
                        return Err(self.unsupported(
                            span,
                            "cannot infer the type of `generate_series`'s bounds",
                            "cast one: `$n::integer`",
                        ))
                    }
                    Some(0 | 1) => SqlType::builtin("integer"),
                    Some(2) => SqlType::builtin("bigint"),
                    Some(3) => SqlType::builtin("numeric"),
                    Some(_) => return Err(self.unsupported(
                        span,
                        "secure-pg types `generate_series` over integers, numerics and timestamps",
                        "cast the bounds: `(...)::numeric`",
                    )),
                }
            };
        let timestamps = super::builtin_name(&element).is_some_and(|n| n.starts_with("timestamp"));
        if timestamps && vals.len() != 3 {
            return Err(self.err(
                span,
                "`generate_series` over timestamps needs a step: an interval",
                None,
            ));
        }
        for (i, (v, e)) in vals.iter().zip(exprs).enumerate() {
            let want = if i == 2 && timestamps {
                SqlType::builtin("interval")
            } else {
                element.clone()
            };
            self.coerce(v, &want, e.span())?;
        }
        Ok(V::non_null(element))
    }

    /// Columns, default alias and label of a named relation: a CTE, a
    /// table or a view.
    fn relation(
        &mut self,
        parts: &[Name],
        span: Span,
    ) -> R<(Vec<Col>, Name, String, Option<Name>)> {
        if let [n] = parts {
            if let Some((_, cols)) = self.ctes.iter().rev().find(|(c, _)| c == n) {
                let cols = cols
                    .iter()
                    .cloned()
                    .map(|mut c| {
                        c.why = c.why.map(|w| format!("in the CTE `{n}`, {w}"));
                        c
                    })
                    .collect();
                return Ok((cols, n.clone(), n.to_string(), None));
            }
        }
        let (schema, name) = match parts {
            [n] => (None, n),
            [s, n] => (Some(s), n),
            _ => {
                return Err(self.err(span, "a table name has at most two parts here", None));
            }
        };
        // PostgreSQL searches `pg_catalog` before the search path.
        if let Some((cols, sys_schema)) = super::catalogs::system_relation(schema, name) {
            let label = format!("{sys_schema}.{name}");
            return Ok((cols, name.clone(), label, Some(sys_schema)));
        }
        if let Resolved::Missing = self.cat.resolve(&self.search_path, schema, name) {
            let seq_schema = schema.unwrap_or(&self.search_path[0]);
            let q = QualifiedName::new(seq_schema.clone(), name.clone());
            if self.cat.sequences().any(|s| *s == q) {
                return Ok((
                    super::catalogs::sequence_columns(),
                    name.clone(),
                    q.to_string_short(),
                    Some(seq_schema.clone()),
                ));
            }
        }
        match self.cat.lookup(&self.search_path, schema, name) {
            Some(Relation::Table(t)) => Ok((
                self.table_cols(t),
                name.clone(),
                t.name.to_string_short(),
                Some(t.name.schema.clone()),
            )),
            Some(Relation::View(v)) => {
                let cols = self.view_cols(v, span)?;
                Ok((
                    cols,
                    name.clone(),
                    v.name.to_string_short(),
                    Some(v.name.schema.clone()),
                ))
            }
            None => {
                let shown = match schema {
                    Some(s) => format!("{s}.{name}"),
                    None => name.to_string(),
                };
                if let Resolved::Unknown(u) = self.cat.resolve(&self.search_path, schema, name) {
                    return Err(self.err(
                        span,
                        u.unknown_message(&format!("table `{shown}`")),
                        Some(Unmodelled::help().into()),
                    ));
                }
                let mut candidates: Vec<String> = self
                    .cat
                    .tables()
                    .map(|t| t.name.to_string_short())
                    .chain(self.cat.views().map(|v| v.name.to_string_short()))
                    .chain(self.ctes.iter().map(|(n, _)| n.to_string()))
                    .collect();
                candidates.sort();
                let help = super::unknown_table_help(&shown, &candidates);
                Err(self.err(
                    span,
                    format!("table `{shown}` does not exist in the schema"),
                    Some(help),
                ))
            }
        }
    }

    pub(crate) fn table_cols(&self, t: &Table) -> Vec<Col> {
        t.columns
            .iter()
            .map(|c| {
                let nullable = !self.cat.column_not_null(c);
                Col {
                    name: c.name.clone(),
                    ty: c.ty.clone(),
                    nullable,
                    why: nullable.then(|| {
                        format!(
                            "column `{}` of `{}` is not declared NOT NULL",
                            c.name,
                            t.name.to_string_short()
                        )
                    }),
                }
            })
            .collect()
    }

    fn view_cols(&mut self, v: &View, span: Span) -> R<Vec<Col>> {
        if self.expanding.contains(&v.name) {
            return Err(self.err(span, format!("view `{}` refers to itself", v.name), None));
        }
        let parsed = Parser::parse_sql(&PostgreSqlDialect {}, &v.query).ok();
        let Some([sqlparser::ast::Statement::Query(q)]) = parsed.as_deref() else {
            return Err(self.unsupported(
                span,
                format!("secure-pg cannot read the query of view `{}`", v.name),
                "select from its tables directly",
            ));
        };
        // The view's query is typed on its own: its errors are not the
        // query's, and it has no parameters.
        let mut inner = Cx {
            cat: self.cat,
            search_path: self.search_path.clone(),
            params: Vec::new(),
            param_at: Vec::new(),
            ctes: Vec::new(),
            expanding: self.expanding.clone(),
            recover: false,
            deferred: Vec::new(),
            insert_targets: None,
            set_leaf: false,
            leaf_untyped: Vec::new(),
        };
        inner.expanding.push(v.name.clone());
        let mut cols = inner.query(q, None).map_err(|e| {
            let mut e2 = self.unsupported(
                span,
                format!(
                    "secure-pg cannot type the columns of view `{}`: {}",
                    v.name.to_string_short(),
                    e.diag.message
                ),
                "cast the view's columns in the view's definition, or select from its tables directly",
            );
            e2.soft = e.soft;
            e2
        })?;
        if v.columns.len() == cols.len() {
            for (c, vc) in cols.iter_mut().zip(&v.columns) {
                c.name = vc.name.clone();
            }
        }
        for c in &mut cols {
            c.why = c
                .why
                .take()
                .map(|w| format!("in view `{}`, {w}", v.name.to_string_short()));
        }
        Ok(cols)
    }

    /// `*` over a relation the checker knows only some columns of.
    fn refuse_partial_wildcard(&self, r: &Rel, span: Span) -> R<()> {
        if r.partial {
            return Err(self.err(
                span,
                format!(
                    "secure-pg knows only some columns of `{}` (those that are the same from PostgreSQL 13 to 18): it cannot expand `*`",
                    r.label
                ),
                Some(format!(
                    "list the columns you want, e.g. `{}`",
                    r.cols
                        .iter()
                        .take(3)
                        .map(|c| format!("{}.{}", r.alias, c.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            ));
        }
        Ok(())
    }

    /// The `FROM` item called `name`, in this level or an enclosing one.
    pub(crate) fn find_rel<'s>(&self, scope: &'s Scope<'_>, name: &Name, span: Span) -> R<&'s Rel> {
        let mut s = Some(scope);
        while let Some(level) = s {
            if let Some(r) = level.rels.iter().find(|r| &r.alias == name) {
                return Ok(r);
            }
            s = level.parent;
        }
        let aliases = all_rels(scope);
        let help = match did_you_mean(name.as_str(), aliases.iter().map(|r| r.alias.as_str())) {
            Some(s) => format!("did you mean `{s}`?"),
            None => in_scope_help(&aliases),
        };
        Err(self.err(
            span,
            format!("missing FROM-clause entry for table `{name}`"),
            Some(help),
        ))
    }

    /// The column `name` found without a table qualifier: `Ok(None)` if no
    /// level has it.
    pub(crate) fn lookup_unqualified(&self, scope: &Scope<'_>, name: &Name) -> Option<Col> {
        self.resolve_unqualified(scope, name, Span::empty())
            .ok()
            .flatten()
    }

    pub(crate) fn resolve_unqualified(
        &self,
        scope: &Scope<'_>,
        name: &Name,
        span: Span,
    ) -> R<Option<Col>> {
        let mut s = Some(scope);
        while let Some(level) = s {
            if let Some(m) = level.merged.iter().find(|c| &c.name == name) {
                return Ok(Some(m.clone()));
            }
            let hits: Vec<(&Rel, &Col)> = level
                .rels
                .iter()
                .flat_map(|r| {
                    r.cols
                        .iter()
                        .filter(|c| &c.name == name)
                        .map(move |c| (r, c))
                })
                .collect();
            match hits.as_slice() {
                [] => {
                    if let Some(r) = level.rels.iter().find(|r| r.partial) {
                        return Err(self.err(
                            span,
                            format!(
                                "secure-pg knows only some columns of `{}`, and not `{name}`: it cannot tell whether it has one",
                                r.label
                            ),
                            Some(format!("qualify the column with its table: `table.{name}`")),
                        ));
                    }
                }
                [(_, c)] => return Ok(Some((*c).clone())),
                many => {
                    let names: Vec<String> = many
                        .iter()
                        .map(|(r, _)| format!("`{}.{name}`", r.alias))
                        .collect();
                    return Err(self.err(
                        span,
                        format!(
                            "column reference `{name}` is ambiguous: {} have it",
                            many.iter()
                                .map(|(r, _)| format!("`{}`", r.alias))
                                .collect::<Vec<_>>()
                                .join(" and ")
                        ),
                        Some(format!("qualify it: {}", names.join(" or "))),
                    ));
                }
            }
            s = level.parent;
        }
        Ok(None)
    }
}

impl QualifiedNameExt for QualifiedName {
    fn to_string_short(&self) -> String {
        if self.schema.as_str() == "public" {
            self.name.to_string()
        } else {
            self.to_string()
        }
    }
}

/// `name` or `schema.name` as messages show it.
pub(crate) trait QualifiedNameExt {
    fn to_string_short(&self) -> String;
}

/// Every `FROM` item visible from `scope`, innermost first.
pub(crate) fn all_rels<'s>(scope: &'s Scope<'_>) -> Vec<&'s Rel> {
    let mut out = Vec::new();
    let mut s = Some(scope);
    while let Some(level) = s {
        out.extend(level.rels.iter());
        s = level.parent;
    }
    out
}

pub(crate) fn in_scope_help(rels: &[&Rel]) -> String {
    if rels.is_empty() {
        "no table is in scope here".into()
    } else {
        format!(
            "the tables in scope are {}",
            rels.iter()
                .map(|r| format!("`{}`", r.label))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

fn mark_nullable(r: &mut Rel, kind: &str, at: &str) {
    for c in &mut r.cols {
        c.nullable = true;
        c.why = Some(format!(
            "`{}.{}` is nullable: `{}` is on the nullable side of the {kind} at {at}",
            r.alias, c.name, r.alias
        ));
    }
}

/// Applies a column alias list.
fn rename(cols: &mut [Col], names: &[&sqlparser::ast::Ident]) {
    for (c, n) in cols.iter_mut().zip(names) {
        c.name = name_of(n);
    }
}

/// The parts of a name, if each is a plain identifier.
pub(crate) fn plain_parts(name: &ObjectName) -> Option<Vec<Name>> {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => Some(name_of(i)),
            ObjectNamePart::Function(_) => None,
        })
        .collect()
}

/// The name PostgreSQL gives the result column of `e` (`FigureColname`).
pub(crate) fn output_name(e: &Expr) -> String {
    figure(e).map_or_else(|| "?column?".into(), |(n, _)| n)
}

/// A name and its strength (2: a column or function name; 1: a fallback
/// such as `case` or a cast's type name), as `FigureColnameInternal`.
fn figure(e: &Expr) -> Option<(String, u8)> {
    let strong = |s: String| Some((s, 2));
    match e {
        Expr::Identifier(i) => strong(name_of(i).as_str().to_string()),
        Expr::CompoundIdentifier(parts) => parts
            .last()
            .and_then(|i| strong(name_of(i).as_str().to_string())),
        Expr::Function(f) => f
            .name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .and_then(|i| strong(name_of(i).as_str().to_string())),
        Expr::Cast {
            expr, data_type, ..
        } => match figure(expr) {
            Some((n, 2)) => Some((n, 2)),
            _ => Some((type_column_name(data_type), 1)),
        },
        Expr::Nested(e) => figure(e),
        // `a[1]` is named after `a` (the last field of an indirection).
        Expr::CompoundFieldAccess { root, access_chain } => match access_chain.last() {
            Some(sqlparser::ast::AccessExpr::Dot(Expr::Identifier(i))) => {
                strong(name_of(i).as_str().to_string())
            }
            _ => figure(root),
        },
        Expr::Case { else_result, .. } => match else_result.as_deref().and_then(figure) {
            Some((n, 2)) => Some((n, 2)),
            _ => Some(("case".into(), 1)),
        },
        Expr::Exists { .. } => strong("exists".into()),
        Expr::Array(_) => strong("array".into()),
        Expr::Ceil { .. } => strong("ceil".into()),
        Expr::Floor { .. } => strong("floor".into()),
        Expr::Extract { .. } => strong("extract".into()),
        Expr::Position { .. } => strong("position".into()),
        Expr::Substring { .. } => strong("substring".into()),
        Expr::Trim { .. } => strong("btrim".into()),
        Expr::AtTimeZone { .. } => strong("timezone".into()),
        Expr::Subquery(q) => match q.body.as_ref() {
            SetExpr::Select(s) => match s.projection.first() {
                Some(SelectItem::ExprWithAlias { alias, .. }) => {
                    strong(name_of(alias).as_str().to_string())
                }
                Some(SelectItem::UnnamedExpr(e)) => figure(e),
                _ => None,
            },
            _ => None,
        },
        Expr::Interval(_) => Some(("interval".into(), 1)),
        Expr::TypedString(t) => Some((type_column_name(&t.data_type), 1)),
        _ => None,
    }
}

/// The column name of `expr::type` when the expression has none: the
/// type's internal name.
fn type_column_name(dt: &sqlparser::ast::DataType) -> String {
    use sqlparser::ast::DataType as D;
    match dt {
        D::Array(sqlparser::ast::ArrayElemTypeDef::SquareBracket(t, _)) => {
            return type_column_name(t)
        }
        D::Custom(n, _) => {
            return n
                .0
                .last()
                .and_then(|p| p.as_ident())
                .map_or_else(|| "?column?".into(), |i| name_of(i).as_str().to_string())
        }
        D::Int(_) | D::Integer(_) | D::Int4(_) => "int4",
        D::BigInt(_) | D::Int8(_) => "int8",
        D::SmallInt(_) | D::Int2(_) => "int2",
        D::Text => "text",
        D::Bool | D::Boolean => "bool",
        D::Varchar(_) | D::CharacterVarying(_) => "varchar",
        D::Numeric(_) | D::Decimal(_) => "numeric",
        D::Date => "date",
        D::Uuid => "uuid",
        D::JSONB => "jsonb",
        D::JSON => "json",
        D::Real | D::Float4 => "float4",
        D::DoublePrecision | D::Float8 => "float8",
        D::Timestamp(
            _,
            sqlparser::ast::TimezoneInfo::WithTimeZone | sqlparser::ast::TimezoneInfo::Tz,
        ) => "timestamptz",
        D::Timestamp(..) => "timestamp",
        D::Interval { .. } => "interval",
        D::Bytea => "bytea",
        _ => "?column?",
    }
    .into()
}
