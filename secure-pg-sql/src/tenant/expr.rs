//! Expressions: subqueries anywhere in an expression are scoped, function
//! calls and their arguments are walked, and forms not walked explicitly are
//! refused if their text may hold a query.

use super::*;

/// `(e)`, unless `e` already is parenthesised.
fn parenthesize(e: Expr) -> Expr {
    match e {
        Expr::Nested(_) => e,
        other => Expr::Nested(Box::new(other)),
    }
}

/// `(existing) AND p1 AND p2 ...` (or just the predicates).
pub(super) fn and_all(existing: Option<Expr>, predicates: Vec<Expr>) -> Option<Expr> {
    let mut acc = existing.map(parenthesize);
    for p in predicates {
        acc = Some(match acc {
            None => p,
            Some(left) => Expr::BinaryOp {
                left: Box::new(left),
                op: BinaryOperator::And,
                right: Box::new(p),
            },
        });
    }
    acc
}

pub(super) fn and_into(slot: &mut Option<Expr>, predicates: Vec<Expr>) {
    if !predicates.is_empty() {
        *slot = and_all(slot.take(), predicates);
    }
}

/// Refuses `node` if its text contains a keyword that can start a query.
/// Used for syntax the rewriter does not walk: it may hold no query at all.
pub(super) fn forbid_hidden_query(node: &dyn Display, what: &str) -> Result<()> {
    let text = node.to_string();
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, &text)
        .tokenize()
        .map_err(|e| ScopeError::refuse(format_args!("{what} `{text}`"), e))?;
    let hides_query = tokens.iter().any(|t| {
        matches!(t, Token::Word(w) if w.quote_style.is_none() && matches!(
            w.keyword,
            Keyword::SELECT
                | Keyword::VALUES
                | Keyword::TABLE
                | Keyword::WITH
                | Keyword::FROM
                | Keyword::INSERT
                | Keyword::UPDATE
                | Keyword::DELETE
                | Keyword::MERGE
        ))
    });
    if hides_query {
        Err(ScopeError::refuse(
            format_args!("{what} `{text}`"),
            "it contains a subquery in a position the rewriter does not walk; \
             move the subquery into a CTE or a join, or mark the query `unscoped = \"reason\"`",
        ))
    } else {
        Ok(())
    }
}

impl Rewriter<'_> {
    // ----- expressions ------------------------------------------------------

    pub(super) fn exprs(&mut self, exprs: &mut [Expr]) -> Result<()> {
        exprs.iter_mut().try_for_each(|e| self.expr(e))
    }

    pub(super) fn order_by_exprs(&mut self, exprs: &mut [OrderByExpr]) -> Result<()> {
        for e in exprs {
            if let Some(fill) = &e.with_fill {
                return Err(non_postgres(format_args!("`{fill}`")));
            }
            self.expr(&mut e.expr)?;
        }
        Ok(())
    }

    pub(super) fn function_arg_list(&mut self, args: &mut [FunctionArg]) -> Result<()> {
        for arg in args {
            let value = match arg {
                FunctionArg::Named { arg, .. } => arg,
                FunctionArg::ExprNamed { name, arg, .. } => {
                    self.expr(name)?;
                    arg
                }
                FunctionArg::Unnamed(arg) => arg,
            };
            match value {
                FunctionArgExpr::Expr(e) => self.expr(e)?,
                FunctionArgExpr::QualifiedWildcard(_) | FunctionArgExpr::Wildcard => {}
                other => forbid_hidden_query(other, "the function argument")?,
            }
        }
        Ok(())
    }

    pub(super) fn function(&mut self, function: &mut Function) -> Result<()> {
        if !matches!(function.parameters, FunctionArguments::None) {
            forbid_hidden_query(&function.parameters, "the function parameters")?;
        }
        match &mut function.args {
            FunctionArguments::None => {}
            // `ARRAY(SELECT ...)` and friends.
            FunctionArguments::Subquery(query) => self.query(query)?,
            FunctionArguments::List(list) => {
                self.function_arg_list(&mut list.args)?;
                for clause in &mut list.clauses {
                    match clause {
                        FunctionArgumentClause::OrderBy(exprs) => self.order_by_exprs(exprs)?,
                        FunctionArgumentClause::Limit(e) => self.expr(e)?,
                        other => forbid_hidden_query(other, "the function argument clause")?,
                    }
                }
            }
        }
        self.order_by_exprs(&mut function.within_group)?;
        if let Some(filter) = &mut function.filter {
            self.expr(filter)?;
        }
        match &mut function.over {
            None | Some(WindowType::NamedWindow(_)) => {}
            Some(WindowType::WindowSpec(spec)) => {
                self.exprs(&mut spec.partition_by)?;
                self.order_by_exprs(&mut spec.order_by)?;
                if let Some(frame) = &mut spec.window_frame {
                    let bounds =
                        std::iter::once(&mut frame.start_bound).chain(&mut frame.end_bound);
                    for bound in bounds {
                        match bound {
                            WindowFrameBound::Preceding(Some(e))
                            | WindowFrameBound::Following(Some(e)) => self.expr(e)?,
                            WindowFrameBound::Preceding(None)
                            | WindowFrameBound::Following(None)
                            | WindowFrameBound::CurrentRow => {}
                        }
                    }
                }
            }
        }
        Ok(())
    }

    pub(super) fn expr(&mut self, expr: &mut Expr) -> Result<()> {
        match expr {
            // Leaves.
            Expr::Identifier(_)
            | Expr::CompoundIdentifier(_)
            | Expr::Value(_)
            | Expr::TypedString(_)
            | Expr::Wildcard(_)
            | Expr::QualifiedWildcard(..) => Ok(()),

            // The subqueries themselves.
            Expr::Subquery(query)
            | Expr::Exists {
                subquery: query, ..
            } => self.query(query),
            Expr::In { expr, target, .. } => {
                self.expr(expr)?;
                match target {
                    InTarget::List(list) => self.exprs(list),
                    InTarget::Subquery(query) => self.query(query),
                    InTarget::Unnest(array) => self.expr(array),
                    InTarget::Table { .. } => Err(non_postgres("`IN table`")),
                }
            }

            // One operand.
            Expr::IsFalse(e)
            | Expr::IsNotFalse(e)
            | Expr::IsTrue(e)
            | Expr::IsNotTrue(e)
            | Expr::IsNull(e)
            | Expr::IsNotNull(e)
            | Expr::IsUnknown(e)
            | Expr::IsNotUnknown(e)
            | Expr::Nested(e)
            | Expr::UnaryOp { expr: e, .. }
            | Expr::Cast { expr: e, .. }
            | Expr::Collate { expr: e, .. }
            | Expr::Extract { expr: e, .. }
            | Expr::Ceil { expr: e, .. }
            | Expr::Floor { expr: e, .. }
            | Expr::IsJson { expr: e, .. }
            | Expr::IsNormalized { expr: e, .. }
            | Expr::Named { expr: e, .. }
            | Expr::Prefixed { value: e, .. } => self.expr(e),

            // Two operands.
            Expr::BinaryOp { left, right, .. }
            | Expr::AnyOp { left, right, .. }
            | Expr::AllOp { left, right, .. }
            | Expr::IsDistinctFrom(left, right)
            | Expr::IsNotDistinctFrom(left, right)
            | Expr::AtTimeZone {
                timestamp: left,
                time_zone: right,
            }
            | Expr::Position {
                expr: left,
                r#in: right,
            }
            | Expr::RLike {
                expr: left,
                pattern: right,
                ..
            } => {
                self.expr(left)?;
                self.expr(right)
            }
            Expr::Like {
                expr,
                pattern,
                escape_char,
                ..
            }
            | Expr::ILike {
                expr,
                pattern,
                escape_char,
                ..
            }
            | Expr::SimilarTo {
                expr,
                pattern,
                escape_char,
                ..
            } => {
                self.expr(expr)?;
                self.expr(pattern)?;
                match escape_char {
                    Some(e) => self.expr(e),
                    None => Ok(()),
                }
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                self.expr(expr)?;
                self.expr(low)?;
                self.expr(high)
            }
            Expr::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                self.expr(expr)?;
                for e in [substring_from, substring_for].into_iter().flatten() {
                    self.expr(e)?;
                }
                Ok(())
            }
            Expr::Trim {
                expr,
                trim_what,
                trim_characters,
                ..
            } => {
                self.expr(expr)?;
                if let Some(e) = trim_what {
                    self.expr(e)?;
                }
                if let Some(chars) = trim_characters {
                    self.exprs(chars)?;
                }
                Ok(())
            }
            Expr::Overlay {
                expr,
                overlay_what,
                overlay_from,
                overlay_for,
            } => {
                self.expr(expr)?;
                self.expr(overlay_what)?;
                self.expr(overlay_from)?;
                match overlay_for {
                    Some(e) => self.expr(e),
                    None => Ok(()),
                }
            }
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                if let Some(e) = operand {
                    self.expr(e)?;
                }
                for when in conditions {
                    self.expr(&mut when.condition)?;
                    self.expr(&mut when.result)?;
                }
                match else_result {
                    Some(e) => self.expr(e),
                    None => Ok(()),
                }
            }
            Expr::Function(function) => self.function(function),
            Expr::Tuple(exprs) => self.exprs(exprs),
            Expr::Array(array) => self.exprs(&mut array.elem),
            Expr::GroupingSets(sets) | Expr::Cube(sets) | Expr::Rollup(sets) => {
                sets.iter_mut().try_for_each(|set| self.exprs(set))
            }
            Expr::CompoundFieldAccess { root, access_chain } => {
                self.expr(root)?;
                access_chain
                    .iter()
                    .try_for_each(|access| forbid_hidden_query(access, "the field access"))
            }
            Expr::JsonAccess { value, path } => {
                self.expr(value)?;
                forbid_hidden_query(path, "the JSON path")
            }

            // Rare or non-PostgreSQL forms: accepted only when they cannot
            // contain a query.
            other => forbid_hidden_query(other, "the expression"),
        }
    }
}
