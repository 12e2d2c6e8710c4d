//! Expressions: their type, whether they can be `NULL`, and the types they
//! give the parameters they contain.

use sqlparser::ast::{
    BinaryOperator, CeilFloorKind, Expr, InTarget, Query, SetExpr, Spanned, UnaryOperator, Value,
};
use sqlparser::tokenizer::Span;

use super::query::{all_rels, in_scope_help, plain_parts};
use super::{builtin_name, did_you_mean, name_of, strip_typmod, Cx, Scope, R};
use crate::schema::{BaseType, Name, SqlType};

/// What an expression's type is known to be.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum T {
    /// A type.
    Known(SqlType),
    /// A string literal whose type comes from its context (`unknown`).
    Lit(String),
    /// The `NULL` literal.
    Null,
    /// `$n` whose type is not known yet.
    Param(usize),
}

/// An expression's type and nullability.
#[derive(Debug, Clone)]
pub(crate) struct V {
    pub(crate) t: T,
    pub(crate) nullable: bool,
    /// Why it can be `NULL`, a full sentence.
    pub(crate) why: Option<String>,
}

impl V {
    pub(crate) fn non_null(ty: SqlType) -> V {
        V {
            t: T::Known(ty),
            nullable: false,
            why: None,
        }
    }

    pub(crate) fn known(ty: SqlType, nullable: bool, why: Option<String>) -> V {
        V {
            t: T::Known(ty),
            nullable,
            why: if nullable { why } else { None },
        }
    }

    pub(crate) fn known_type(&self) -> Option<&SqlType> {
        match &self.t {
            T::Known(t) => Some(t),
            _ => None,
        }
    }
}

/// Nullability of a strict operator or function over `args`: `NULL` if any
/// argument is.
pub(crate) fn strict(args: &[&V]) -> (bool, Option<String>) {
    match args.iter().find(|a| a.nullable) {
        Some(a) => (
            true,
            Some(
                a.why
                    .clone()
                    .unwrap_or_else(|| "an operand can be NULL".into()),
            ),
        ),
        None => (false, None),
    }
}

pub(crate) fn ty(name: &'static str) -> SqlType {
    SqlType::builtin(name)
}

/// Rank of a numeric type in PostgreSQL's implicit-cast order.
pub(crate) fn numeric_rank(t: &SqlType) -> Option<u8> {
    Some(match builtin_name(t)? {
        "smallint" => 0,
        "integer" => 1,
        "bigint" => 2,
        "numeric" => 3,
        "real" => 4,
        "double precision" => 5,
        _ => return None,
    })
}

fn by_rank(r: u8) -> SqlType {
    ty(match r {
        0 => "smallint",
        1 => "integer",
        2 => "bigint",
        3 => "numeric",
        4 => "real",
        _ => "double precision",
    })
}

/// `oid` and the `reg*` types, which convert to each other implicitly.
fn oid_like(t: &SqlType) -> bool {
    matches!(
        builtin_name(t),
        Some(
            "oid"
                | "regclass"
                | "regtype"
                | "regproc"
                | "regprocedure"
                | "regnamespace"
                | "regrole"
        )
    )
}

/// The integers that convert to `oid` implicitly.
fn integer_to_oid(t: &SqlType) -> bool {
    matches!(builtin_name(t), Some("integer" | "bigint"))
}

pub(crate) fn is_string(t: &SqlType) -> bool {
    matches!(
        builtin_name(t),
        Some("text" | "character varying" | "character" | "bpchar")
    )
}

pub(crate) fn datetime_rank(t: &SqlType) -> Option<u8> {
    Some(match builtin_name(t)? {
        "date" => 0,
        "timestamp without time zone" => 1,
        "timestamp with time zone" => 2,
        _ => return None,
    })
}

/// The subtype of a built-in range type (`int4range`: `integer`).
fn range_subtype(range: &str) -> Option<&'static str> {
    Some(match range {
        "int4range" => "integer",
        "int8range" => "bigint",
        "numrange" => "numeric",
        "tsrange" => "timestamp without time zone",
        "tstzrange" => "timestamp with time zone",
        "daterange" => "date",
        _ => return None,
    })
}

/// Whether the string literal `s` is an array literal in the plain form
/// that is certain to be a valid one-dimensional array of text-like
/// elements (`'{a,b}'`: no quotes, backslashes or nesting).
pub(crate) fn plain_array_literal(s: &str) -> bool {
    s.trim()
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .is_some_and(|inner| !inner.contains(['{', '}', '"', '\\']))
}

/// The type PostgreSQL resolves a `UNION`/`CASE`/`coalesce` over `types`
/// to (`None` in the slice: an untyped literal or parameter); `None` when
/// there is no common type.
pub(crate) fn common_type(types: &[Option<SqlType>]) -> Option<SqlType> {
    let known: Vec<SqlType> = types.iter().flatten().map(strip_typmod).collect();
    let Some(first) = known.first() else {
        return Some(ty("text"));
    };
    if known.iter().all(|t| t == first) {
        // Keep the modifier if every input has the same one.
        let exact: Vec<&SqlType> = types.iter().flatten().collect();
        if exact.iter().all(|t| *t == exact[0]) {
            return Some(exact[0].clone());
        }
        return Some(first.clone());
    }
    // Domains are treated as their base types from here on; that needs the
    // catalog, which the caller applies first (see `Cx::operand`).
    if let Some(ranks) = known.iter().map(numeric_rank).collect::<Option<Vec<_>>>() {
        return Some(by_rank(*ranks.iter().max()?));
    }
    if known.iter().all(is_string) {
        // The string types convert to each other implicitly, so the first
        // one wins (`text`, the preferred type, wins only when first).
        return Some(first.clone());
    }
    if let Some(ranks) = known.iter().map(datetime_rank).collect::<Option<Vec<_>>>() {
        return Some(by_rank_dt(*ranks.iter().max()?));
    }
    None
}

fn by_rank_dt(r: u8) -> SqlType {
    ty(match r {
        0 => "date",
        1 => "timestamp without time zone",
        _ => "timestamp with time zone",
    })
}

impl<'a> Cx<'a> {
    /// `t` as an operand of an operator or function: without modifier, a
    /// domain as its base type.
    pub(crate) fn base_of(&self, t: &SqlType) -> SqlType {
        match &t.base {
            BaseType::Domain(d) if !t.array => match self.cat.domain(d) {
                Some(dom) => strip_typmod(&dom.base),
                None => strip_typmod(t),
            },
            _ => strip_typmod(t),
        }
    }

    /// The type an untyped parameter compared with a `t` gets: the base type,
    /// `text` for `character varying`.
    pub(crate) fn operand(&self, t: &SqlType) -> SqlType {
        let b = self.base_of(t);
        // Types with no comparison operators of their own use those of
        // the type they convert to without a cast.
        match builtin_name(&b) {
            Some("character varying") => ty("text"),
            Some("cidr") => ty("inet"),
            _ => b,
        }
    }

    /// Gives an untyped `v` the type `target` (a parameter's type; an enum
    /// literal's label is checked).
    /// `ROW(a, b)::t` (or `(a, b)::t`) of a composite type `t`: each field
    /// takes the type of the attribute it fills (a `$n` is typed as it, a
    /// value of another type must convert implicitly), and the row is
    /// never NULL. `None`: `expr` is not a row, or `target` not a
    /// composite.
    fn row_to_composite(
        &mut self,
        expr: &Expr,
        target: &SqlType,
        scope: &Scope<'_>,
        span: Span,
    ) -> R<Option<V>> {
        let BaseType::Composite(q) = &target.base else {
            return Ok(None);
        };
        if target.array {
            return Ok(None);
        }
        let fields: Vec<&Expr> = match expr {
            Expr::Tuple(items) => items.iter().collect(),
            Expr::Function(f)
                if plain_parts(&f.name)
                    .is_some_and(|p| p.len() == 1 && p[0].as_str().eq_ignore_ascii_case("row")) =>
            {
                let sqlparser::ast::FunctionArguments::List(list) = &f.args else {
                    return Ok(None);
                };
                let mut out = Vec::new();
                for a in &list.args {
                    match a {
                        sqlparser::ast::FunctionArg::Unnamed(
                            sqlparser::ast::FunctionArgExpr::Expr(e),
                        ) => out.push(e),
                        _ => return Ok(None),
                    }
                }
                out
            }
            _ => return Ok(None),
        };
        let Some(composite) = self.cat.composite(q) else {
            return Ok(None);
        };
        let attributes = composite.attributes.clone();
        if attributes.len() != fields.len() {
            return Err(self.err(
                span,
                format!(
                    "the composite type `{q}` has {} fields, and the row has {}",
                    attributes.len(),
                    fields.len()
                ),
                None,
            ));
        }
        for (e, (name, want)) in fields.into_iter().zip(&attributes) {
            let v = self.expr(e, scope)?;
            if let Some(t) = v.known_type() {
                let t = self.base_of(t);
                if !super::user_functions::implicitly_cast(&t, want) {
                    return Err(self.err(
                        e.span(),
                        format!("the field `{name}` of `{q}` is `{want}`, not `{t}`"),
                        Some(format!("cast it: `(...)::{want}`")),
                    ));
                }
            }
            self.coerce(&v, want, e.span())?;
        }
        Ok(Some(V::non_null(target.clone())))
    }

    pub(crate) fn coerce(&mut self, v: &V, target: &SqlType, span: Span) -> R<()> {
        match &v.t {
            T::Param(n) => self.set_param(*n, target.clone(), span),
            T::Lit(s) => self.check_literal(s, target, span),
            _ => Ok(()),
        }
    }

    /// An enum literal must be one of its labels, and a string literal
    /// that becomes a number, a boolean or a uuid must be one (PostgreSQL
    /// refuses the statement otherwise).
    pub(crate) fn check_literal(&self, s: &str, target: &SqlType, span: Span) -> R<()> {
        let base = self.base_of(target);
        if let (Some(name), false) = (super::builtin_name(&base), base.array) {
            let t = s.trim();
            let valid = match name {
                "smallint" => t.parse::<i16>().is_ok(),
                "integer" => t.parse::<i32>().is_ok(),
                "bigint" => t.parse::<i64>().is_ok(),
                // Floats are read by `strtod`, which also takes C's hex
                // notation (`0x1f`, `0x1.8p3`).
                "real" | "double precision" if is_hex_float(t) => true,
                "real" | "double precision" | "numeric" => {
                    t.parse::<f64>().is_ok()
                        || ["nan", "infinity", "-infinity", "+infinity", "inf", "-inf"]
                            .contains(&t.to_ascii_lowercase().as_str())
                }
                // `boolin`: a prefix of true, false, yes or no, on, off
                // (at least "of"), 1 or 0.
                "boolean" => {
                    let t = t.to_ascii_lowercase();
                    !t.is_empty()
                        && (["true", "false", "yes", "no"]
                            .iter()
                            .any(|w| w.starts_with(&t))
                            || ["on", "of", "off", "1", "0"].contains(&t.as_str()))
                }
                "uuid" => {
                    let hex: String = t
                        .trim_start_matches('{')
                        .trim_end_matches('}')
                        .chars()
                        .filter(|c| *c != '-')
                        .collect();
                    hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit())
                }
                _ => true,
            };
            if !valid {
                return Err(self.err(
                    span,
                    format!("'{s}' is not a valid `{name}`"),
                    Some(format!(
                        "write a value of type `{name}`, or bind it as a parameter: `$n`"
                    )),
                ));
            }
        }
        if let BaseType::Enum(q) = &target.base {
            if target.array {
                return Ok(());
            }
            if let Some(e) = self.cat.enum_type(q) {
                if !e.labels.iter().any(|l| l == s) {
                    let labels = e
                        .labels
                        .iter()
                        .map(|l| format!("'{l}'"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let help = match did_you_mean(s, e.labels.iter().map(String::as_str)) {
                        Some(m) => format!("did you mean '{m}'? the labels are {labels}"),
                        None => format!("the labels are {labels}"),
                    };
                    return Err(self.err(
                        span,
                        format!("'{s}' is not a label of enum `{target}`"),
                        Some(help),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The final type of a result column.
    pub(crate) fn finish(&self, v: &V, span: Span) -> R<(SqlType, bool, Option<String>)> {
        match &v.t {
            T::Known(t) => Ok((t.clone(), v.nullable, v.why.clone())),
            T::Lit(_) => Ok((ty("text"), v.nullable, v.why.clone())),
            T::Null => Ok((
                ty("text"),
                true,
                Some("the column is the NULL literal".into()),
            )),
            T::Param(n) => Err(self.err(
                span,
                format!("cannot infer the type of `${n}` in the select list"),
                Some(format!(
                    "write the type you mean, e.g. `${n}::bigint` or `${n}::text`"
                )),
            )),
        }
    }

    /// The common type of several values (`CASE` branches, `VALUES` rows,
    /// `coalesce` arguments); untyped ones get it.
    pub(crate) fn unify(&mut self, vs: &[V], span: Span) -> R<V> {
        let types: Vec<Option<SqlType>> = vs.iter().map(|v| v.known_type().cloned()).collect();
        // As `select_common_type`: only inputs that all have exactly one
        // type keep it (a domain included); otherwise domains count as their
        // base types.
        let all_same = types.iter().all(|t| t.is_some() && t == &types[0]);
        let reduced: Vec<Option<SqlType>> = if all_same {
            types.clone()
        } else {
            types
                .iter()
                .map(|t| t.as_ref().map(|t| self.base_of(t)))
                .collect()
        };
        let Some(common) = common_type(&reduced) else {
            let shown: Vec<String> = types.iter().flatten().map(|t| format!("`{t}`")).collect();
            return Err(self.err(
                span,
                format!(
                    "these expressions have no common type: {}",
                    shown.join(", ")
                ),
                Some("cast them to one type: `(...)::type`".into()),
            ));
        };
        let any_known = types.iter().any(Option::is_some);
        // An untyped input has no modifier, so the result has none.
        let common = if types.iter().all(Option::is_some) {
            common
        } else {
            strip_typmod(&common)
        };
        for v in vs {
            if any_known || matches!(v.t, T::Lit(_)) {
                self.coerce(v, &common, span)?;
            }
        }
        if !any_known && vs.iter().any(|v| matches!(v.t, T::Param(_))) {
            // Only parameters (and literals): PostgreSQL cannot type them.
            let n = vs
                .iter()
                .find_map(|v| match v.t {
                    T::Param(n) => Some(n),
                    _ => None,
                })
                .unwrap_or(0);
            return Ok(V {
                t: T::Param(n),
                nullable: true,
                why: None,
            });
        }
        let nullable = vs.iter().any(|v| v.nullable);
        let why = vs.iter().find(|v| v.nullable).and_then(|v| v.why.clone());
        Ok(V::known(common, nullable, why))
    }

    pub(crate) fn expr(&mut self, e: &Expr, scope: &Scope<'_>) -> R<V> {
        let span = e.span();
        match e {
            // `current_role` and `current_catalog` are keywords to
            // PostgreSQL (never columns); sqlparser reads them as names.
            Expr::Identifier(i)
                if i.quote_style.is_none()
                    && ["current_role", "current_catalog"]
                        .iter()
                        .any(|k| i.value.eq_ignore_ascii_case(k)) =>
            {
                Ok(V::non_null(ty("name")))
            }
            Expr::Identifier(i) => {
                let name = name_of(i);
                match self.resolve_unqualified(scope, &name, span)? {
                    Some(c) => Ok(V::known(c.ty, c.nullable, c.why)),
                    None => {
                        let rels = all_rels(scope);
                        let cands: Vec<&str> = rels
                            .iter()
                            .flat_map(|r| r.cols.iter().map(|c| c.name.as_str()))
                            .collect();
                        let mut help = in_scope_help(&rels);
                        if let Some(r) = rels.iter().find(|r| r.alias == name) {
                            // A whole-row reference.
                            help = format!(
                                "`{name}` names the rows of `{}`, which secure-pg reads whole only as JSON: `to_jsonb({name})`; or select its columns (`{name}.*`)",
                                r.label
                            );
                        } else if let Some(m) = did_you_mean(name.as_str(), cands) {
                            help = format!("did you mean `{m}`? {help}");
                        }
                        Err(self.err(span, format!("column `{name}` does not exist"), Some(help)))
                    }
                }
            }
            Expr::CompoundIdentifier(parts) => {
                let (schema, rel, col) = match parts.as_slice() {
                    [rel, col] => (None, rel, col),
                    [schema, rel, col] => (Some(name_of(schema)), rel, col),
                    _ => {
                        return Err(self.unsupported(
                            span,
                            format!("secure-pg cannot resolve `{e}`"),
                            "give the table an alias and write `alias.column`",
                        ))
                    }
                };
                let r = self.find_rel(scope, &name_of(rel), span)?;
                if schema.is_some() && r.schema != schema {
                    return Err(self.err(
                        span,
                        format!(
                            "missing FROM-clause entry for table `{}.{}`",
                            schema.unwrap_or_else(|| Name::unquoted("")),
                            name_of(rel)
                        ),
                        Some("name the column by the table's alias".into()),
                    ));
                }
                let col = name_of(col);
                match r.cols.iter().find(|c| c.name == col) {
                    Some(c) => Ok(V::known(c.ty.clone(), c.nullable, c.why.clone())),
                    // Not a cast's to override: the column may not exist.
                    None if r.partial => Err(self.err(
                        span,
                        format!(
                            "secure-pg does not know column `{col}` of `{}` (it describes the columns that are the same from PostgreSQL 13 to 18)",
                            r.label
                        ),
                        Some(format!(
                            "read it in a query of its own with `secure_query_unparsed!`, which skips the schema checks; the columns it knows are {}",
                            r.cols.iter().map(|c| format!("`{}`", c.name)).collect::<Vec<_>>().join(", ")
                        )),
                    )),
                    None => {
                        let mut help = format!(
                            "the columns of `{}` are {}",
                            r.label,
                            r.cols
                                .iter()
                                .map(|c| format!("`{}`", c.name))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                        if let Some(m) =
                            did_you_mean(col.as_str(), r.cols.iter().map(|c| c.name.as_str()))
                        {
                            help = format!("did you mean `{}.{m}`? {help}", r.alias);
                        }
                        Err(self.err(
                            span,
                            format!("column `{}.{col}` does not exist", r.alias),
                            Some(help),
                        ))
                    }
                }
            }
            Expr::Value(v) => self.value(&v.value, span),
            Expr::Nested(inner) => self.expr(inner, scope),
            Expr::BinaryOp { left, op, right } => self.binary(left, op, right, scope, span),
            Expr::UnaryOp { op, expr } => {
                let v = self.expr(expr, scope)?;
                match op {
                    UnaryOperator::Not => {
                        self.coerce(&v, &ty("boolean"), span)?;
                        let (n, w) = strict(&[&v]);
                        Ok(V::known(ty("boolean"), n, w))
                    }
                    UnaryOperator::Minus | UnaryOperator::Plus => match &v.t {
                        T::Known(t)
                            if numeric_rank(&self.base_of(t)).is_some()
                                || builtin_name(&self.base_of(t)) == Some("interval") =>
                        {
                            Ok(V::known(self.base_of(t), v.nullable, v.why))
                        }
                        _ => Err(self.unsupported(
                            span,
                            "secure-pg cannot type this sign",
                            "cast the operand: `-(...)::numeric`",
                        )),
                    },
                    _ => Err(self.unsupported(
                        span,
                        format!("secure-pg cannot type the operator `{op}`"),
                        "cast the expression: `(...)::type`",
                    )),
                }
            }
            Expr::IsNull(x) | Expr::IsNotNull(x) => {
                self.expr(x, scope)?;
                Ok(V::non_null(ty("boolean")))
            }
            Expr::IsTrue(x)
            | Expr::IsNotTrue(x)
            | Expr::IsFalse(x)
            | Expr::IsNotFalse(x)
            | Expr::IsUnknown(x)
            | Expr::IsNotUnknown(x) => {
                let v = self.expr(x, scope)?;
                self.coerce(&v, &ty("boolean"), span)?;
                Ok(V::non_null(ty("boolean")))
            }
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                let l = self.expr(a, scope)?;
                let r = self.expr(b, scope)?;
                self.compare(&l, &r, span)?;
                Ok(V::non_null(ty("boolean")))
            }
            Expr::In {
                expr,
                target,
                global: false,
                ..
            } => {
                let l = self.expr(expr, scope)?;
                match target {
                    InTarget::List(items) => {
                        let mut vs = vec![l.clone()];
                        let mut nonvars = vec![l.clone()];
                        let many = items
                            .iter()
                            .filter(|i| {
                                !matches!(i, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
                            })
                            .count()
                            > 1;
                        for item in items {
                            let r = self.expr(item, scope)?;
                            if many
                                && !matches!(
                                    item,
                                    Expr::Identifier(_) | Expr::CompoundIdentifier(_)
                                )
                            {
                                nonvars.push(r.clone());
                            } else {
                                self.compare(&l, &r, item.span())?;
                            }
                            vs.push(r);
                        }
                        // PostgreSQL turns two or more non-column items into
                        // `= ANY(ARRAY[...])` of their common type with the
                        // left side.
                        if many {
                            self.unify(&nonvars, span)?;
                        }
                        let refs: Vec<&V> = vs.iter().collect();
                        let (n, w) = strict(&refs);
                        Ok(V::known(ty("boolean"), n, w))
                    }
                    InTarget::Subquery(q) => {
                        let r = self.scalar_subquery(q, scope, span, true)?;
                        self.compare(&l, &r, span)?;
                        let (n, w) = strict(&[&l, &r]);
                        Ok(V::known(ty("boolean"), n, w))
                    }
                    _ => Err(self.unsupported(
                        span,
                        "secure-pg cannot type this IN form",
                        "write `IN (...)` with a list or a subquery, or `= ANY($n)`",
                    )),
                }
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                let x = self.expr(expr, scope)?;
                let lo = self.expr(low, scope)?;
                let hi = self.expr(high, scope)?;
                self.compare(&x, &lo, low.span())?;
                self.compare(&x, &hi, high.span())?;
                let (n, w) = strict(&[&x, &lo, &hi]);
                Ok(V::known(ty("boolean"), n, w))
            }
            Expr::Like {
                expr,
                pattern,
                escape_char,
                any: false,
                ..
            }
            | Expr::ILike {
                expr,
                pattern,
                escape_char,
                any: false,
                ..
            }
            | Expr::SimilarTo {
                expr,
                pattern,
                escape_char,
                ..
            } => {
                let x = self.expr(expr, scope)?;
                let p = self.expr(pattern, scope)?;
                self.text_operand(&x, expr.span())?;
                self.text_operand(&p, pattern.span())?;
                let mut vs = vec![x, p];
                if let Some(esc) = escape_char {
                    let v = self.expr(esc, scope)?;
                    self.text_operand(&v, esc.span())?;
                    vs.push(v);
                }
                let refs: Vec<&V> = vs.iter().collect();
                let (n, w) = strict(&refs);
                Ok(V::known(ty("boolean"), n, w))
            }
            Expr::AnyOp {
                left,
                compare_op,
                right,
                ..
            }
            | Expr::AllOp {
                left,
                compare_op,
                right,
            } => {
                if !is_comparison(compare_op) {
                    return Err(self.unsupported(
                        span,
                        format!("secure-pg cannot type `{compare_op} ANY/ALL`"),
                        "use a comparison operator",
                    ));
                }
                let l = self.expr(left, scope)?;
                if let Expr::Subquery(q) = right.as_ref() {
                    let r = self.scalar_subquery(q, scope, span, true)?;
                    self.compare(&l, &r, span)?;
                } else {
                    let r = self.expr(right, scope)?;
                    match (&l.t, &r.t) {
                        (T::Known(a), _) => {
                            let elem = self.operand(a);
                            self.coerce(&r, &elem.into_array(), right.span())?;
                        }
                        (_, T::Known(b)) if b.array => {
                            let elem = SqlType {
                                array: false,
                                ..b.clone()
                            };
                            let elem = self.operand(&elem);
                            self.coerce(&l, &elem, left.span())?;
                        }
                        _ => {}
                    }
                }
                Ok(V::known(
                    ty("boolean"),
                    true,
                    Some(
                        "`= ANY(...)` is NULL when the array holds a NULL and nothing matches"
                            .into(),
                    ),
                ))
            }
            Expr::Cast {
                expr, data_type, ..
            } => {
                let target = self.data_type(data_type, span)?;
                if let Some(v) = self.row_to_composite(expr, &target, scope, span)? {
                    return Ok(v);
                }
                let (nullable, why) = match self.expr(expr, scope) {
                    Ok(v) => {
                        match &v.t {
                            T::Param(n) => self.set_param(*n, target.clone(), expr.span())?,
                            T::Lit(s) => self.check_literal(s, &target, expr.span())?,
                            _ => {}
                        }
                        (v.nullable, v.why)
                    }
                    // A cast around what the checker cannot type states
                    // the type; nullability stays unknown.
                    Err(e) if e.soft => (
                        true,
                        Some("secure-pg cannot tell whether the cast expression is NULL".into()),
                    ),
                    Err(e) => return Err(e),
                };
                let nullable =
                    nullable || matches!(expr.as_ref(), Expr::Value(v) if v.value == Value::Null);
                Ok(V::known(target, nullable, why))
            }
            Expr::TypedString(t) => {
                let target = self.data_type(&t.data_type, span)?;
                if let Value::SingleQuotedString(s) = &t.value.value {
                    self.check_literal(s, &target, span)?;
                }
                Ok(V::non_null(target))
            }
            Expr::Interval(_) => Ok(V::non_null(ty("interval"))),
            Expr::AtTimeZone {
                timestamp,
                time_zone,
            } => {
                let t = self.expr(timestamp, scope)?;
                let z = self.expr(time_zone, scope)?;
                self.coerce(&z, &ty("text"), time_zone.span())?;
                let out = match t
                    .known_type()
                    .map(|t| self.base_of(t))
                    .as_ref()
                    .and_then(builtin_name)
                {
                    Some("timestamp with time zone") => "timestamp without time zone",
                    Some("timestamp without time zone") => "timestamp with time zone",
                    _ => {
                        return Err(self.unsupported(
                            span,
                            "secure-pg types `AT TIME ZONE` only on timestamps",
                            "cast the operand: `(...)::timestamptz`",
                        ))
                    }
                };
                let (n, w) = strict(&[&t, &z]);
                Ok(V::known(ty(out), n, w))
            }
            Expr::Extract { expr, .. } => {
                let v = self.expr(expr, scope)?;
                if v.known_type().is_none() {
                    return Err(self.unsupported(
                        expr.span(),
                        "cannot infer the type EXTRACT reads from",
                        "cast it: `$n::timestamptz`",
                    ));
                }
                Ok(V::known(ty("numeric"), v.nullable, v.why))
            }
            Expr::Ceil { expr, field } | Expr::Floor { expr, field } => {
                if !matches!(
                    field,
                    CeilFloorKind::DateTimeField(sqlparser::ast::DateTimeField::NoDateTime)
                ) {
                    return Err(self.unsupported(
                        span,
                        "secure-pg cannot type this CEIL/FLOOR form",
                        "write `ceil(x)`",
                    ));
                }
                let v = self.expr(expr, scope)?;
                let out = match v
                    .known_type()
                    .map(|t| self.base_of(t))
                    .as_ref()
                    .and_then(builtin_name)
                {
                    Some("numeric") => "numeric",
                    Some("smallint" | "integer" | "bigint" | "real" | "double precision") => {
                        "double precision"
                    }
                    _ => {
                        return Err(self.unsupported(
                            span,
                            "cannot infer the type of the CEIL/FLOOR argument",
                            "cast it: `(...)::numeric`",
                        ))
                    }
                };
                Ok(V::known(ty(out), v.nullable, v.why))
            }
            Expr::Position { expr, r#in } => {
                let a = self.expr(expr, scope)?;
                let b = self.expr(r#in, scope)?;
                self.text_operand(&a, expr.span())?;
                self.text_operand(&b, r#in.span())?;
                let (n, w) = strict(&[&a, &b]);
                Ok(V::known(ty("integer"), n, w))
            }
            Expr::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let a = self.expr(expr, scope)?;
                self.text_operand(&a, expr.span())?;
                let mut vs = vec![a];
                for x in [substring_from, substring_for].into_iter().flatten() {
                    let v = self.expr(x, scope)?;
                    self.coerce(&v, &ty("integer"), x.span())?;
                    vs.push(v);
                }
                let refs: Vec<&V> = vs.iter().collect();
                let (n, w) = strict(&refs);
                Ok(V::known(ty("text"), n, w))
            }
            Expr::Trim {
                expr,
                trim_what,
                trim_characters,
                ..
            } => {
                if trim_characters.is_some() {
                    return Err(self.unsupported(
                        span,
                        "secure-pg cannot type this TRIM form",
                        "write `btrim(x, chars)`",
                    ));
                }
                let a = self.expr(expr, scope)?;
                self.text_operand(&a, expr.span())?;
                let mut vs = vec![a];
                if let Some(w) = trim_what {
                    let v = self.expr(w, scope)?;
                    self.text_operand(&v, w.span())?;
                    vs.push(v);
                }
                let refs: Vec<&V> = vs.iter().collect();
                let (n, w) = strict(&refs);
                Ok(V::known(ty("text"), n, w))
            }
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                let op = match operand {
                    Some(o) => Some(self.expr(o, scope)?),
                    None => None,
                };
                let mut results = Vec::new();
                for w in conditions {
                    let c = self.expr(&w.condition, scope)?;
                    match &op {
                        Some(o) => self.compare(o, &c, w.condition.span())?,
                        None => self.coerce(&c, &ty("boolean"), w.condition.span())?,
                    }
                    results.push(self.expr(&w.result, scope)?);
                }
                match else_result {
                    Some(e) => results.push(self.expr(e, scope)?),
                    None => results.push(V {
                        t: T::Null,
                        nullable: true,
                        why: Some("the CASE has no ELSE: it is NULL when no WHEN matches".into()),
                    }),
                }
                let mut v = self.unify(&results, span)?;
                if let Some(w) = results
                    .iter()
                    .find(|r| r.nullable)
                    .and_then(|r| r.why.clone())
                {
                    v.why = Some(w);
                }
                Ok(v)
            }
            Expr::Exists { subquery, .. } => {
                self.query(subquery, Some(scope))?;
                Ok(V::non_null(ty("boolean")))
            }
            Expr::Subquery(q) => self.scalar_subquery(q, scope, span, false),
            Expr::Array(arr) => {
                let mut vs = Vec::new();
                for el in &arr.elem {
                    vs.push(self.expr(el, scope)?);
                }
                if vs.is_empty() {
                    return Err(self.unsupported(
                        span,
                        "cannot infer the type of an empty ARRAY[]",
                        "cast it: `ARRAY[]::integer[]`",
                    ));
                }
                let v = self.unify(&vs, span)?;
                match v.t {
                    T::Known(t) if !t.array => Ok(V::non_null(strip_typmod(&t).into_array())),
                    _ => Err(self.unsupported(
                        span,
                        "cannot infer the element type of this ARRAY[...]",
                        "cast it: `ARRAY[...]::integer[]`",
                    )),
                }
            }
            Expr::Function(f) => self.function(f, scope, span),
            Expr::CompoundFieldAccess { root, access_chain } => {
                self.subscript(root, access_chain, scope, span)
            }
            Expr::Collate { expr, .. } => self.expr(expr, scope),
            _ => Err(self.unsupported(
                span,
                format!("secure-pg cannot type the expression `{e}` yet"),
                format!("cast it: `({e})::type`"),
            )),
        }
    }

    /// A subquery used as a value (`(SELECT x ...)`) or as the right side of
    /// `IN`/`ANY` (`in_list`: it may have many rows).
    pub(crate) fn scalar_subquery(
        &mut self,
        q: &Query,
        scope: &Scope<'_>,
        span: Span,
        in_list: bool,
    ) -> R<V> {
        let cols = self.query(q, Some(scope))?;
        let [c] = cols.as_slice() else {
            return Err(self.err(
                span,
                format!("the subquery must return one column, not {}", cols.len()),
                None,
            ));
        };
        if in_list || one_row(q) {
            return Ok(V::known(c.ty.clone(), c.nullable, c.why.clone()));
        }
        Ok(V::known(
            c.ty.clone(),
            true,
            Some("a scalar subquery is NULL when it returns no row".into()),
        ))
    }

    fn value(&mut self, v: &Value, span: Span) -> R<V> {
        match v {
            Value::Number(s, _) => {
                let t = if s.contains(['.', 'e', 'E']) {
                    "numeric"
                } else if s.parse::<i32>().is_ok() {
                    "integer"
                } else if s.parse::<i64>().is_ok() {
                    "bigint"
                } else {
                    "numeric"
                };
                Ok(V::non_null(ty(t)))
            }
            Value::SingleQuotedString(s)
            | Value::EscapedStringLiteral(s)
            | Value::UnicodeStringLiteral(s) => Ok(V {
                t: T::Lit(s.clone()),
                nullable: false,
                why: None,
            }),
            Value::DollarQuotedString(d) => Ok(V {
                t: T::Lit(d.value.clone()),
                nullable: false,
                why: None,
            }),
            Value::Boolean(_) => Ok(V::non_null(ty("boolean"))),
            Value::Null => Ok(V {
                t: T::Null,
                nullable: true,
                why: Some("it is the NULL literal".into()),
            }),
            Value::Placeholder(p) => {
                let n: usize = p
                    .strip_prefix('$')
                    .and_then(|d| d.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        self.err(span, format!("`{p}` is not a `$n` placeholder"), None)
                    })?;
                self.ensure_param(n, span);
                let why = Some(format!("`${n}` is NULL when its argument is `None`"));
                match &self.params[n - 1] {
                    Some(t) => Ok(V::known(t.clone(), true, why)),
                    None => Ok(V {
                        t: T::Param(n),
                        nullable: true,
                        why,
                    }),
                }
            }
            _ => Err(self.unsupported(
                span,
                format!("secure-pg cannot type the literal `{v}`"),
                "write a plain number or string literal, or cast it",
            )),
        }
    }

    /// `a[i]`, `a[i][j]`, `a[lo:hi]`: an element of the array (any slice
    /// makes it an array again, as in PostgreSQL), NULL when out of range;
    /// `doc['key']` on jsonb.
    fn subscript(
        &mut self,
        root: &Expr,
        chain: &[sqlparser::ast::AccessExpr],
        scope: &Scope<'_>,
        span: Span,
    ) -> R<V> {
        use sqlparser::ast::{AccessExpr, Subscript};
        let v = self.expr(root, scope)?;
        let base = v.known_type().map(|t| self.base_of(t));
        // `(x).field` of a composite type: the attribute's type; a
        // composite's attributes have no NOT NULL.
        if let (
            Some(SqlType {
                base: BaseType::Composite(q),
                array: false,
            }),
            [AccessExpr::Dot(Expr::Identifier(field))],
        ) = (&base, chain)
        {
            let name = Name::from_ident(field);
            let attr = self
                .cat
                .composite(q)
                .and_then(|c| c.attributes.iter().find(|(n, _)| *n == name));
            return match attr {
                Some((_, t)) => Ok(V::known(
                    t.clone(),
                    true,
                    Some(format!(
                        "`{name}` is a field of the composite type `{q}`, whose fields can be NULL"
                    )),
                )),
                None => Err(self.err(
                    span,
                    format!("the composite type `{q}` has no field `{name}`"),
                    None,
                )),
            };
        }
        let cast_help = || {
            format!(
                "cast it: `({root}{})::type`",
                chain
                    .iter()
                    .map(|a| match a {
                        AccessExpr::Subscript(s) => format!("[{s}]"),
                        AccessExpr::Dot(e) => format!(".{e}"),
                    })
                    .collect::<String>()
            )
        };
        let mut slice = false;
        let mut bounds: Vec<&Expr> = Vec::new();
        for a in chain {
            match a {
                AccessExpr::Subscript(Subscript::Index { index }) => bounds.push(index),
                AccessExpr::Subscript(Subscript::Slice {
                    lower_bound,
                    upper_bound,
                    stride: None,
                }) => {
                    slice = true;
                    bounds.extend(lower_bound.iter().chain(upper_bound.iter()));
                }
                _ => {
                    return Err(self.unsupported(
                        span,
                        "secure-pg cannot type this field access or slice yet",
                        cast_help(),
                    ))
                }
            }
        }
        let why = Some("an array subscript out of range is NULL".to_string());
        match base {
            Some(t) if t.array => {
                for b in bounds {
                    let i = self.expr(b, scope)?;
                    if i.known_type()
                        .is_some_and(|t| numeric_rank(t).is_none_or(|r| r > 2))
                    {
                        return Err(self.unsupported(
                            b.span(),
                            "an array subscript is an integer",
                            "cast it: `(...)::integer`",
                        ));
                    }
                    self.coerce(&i, &ty("integer"), b.span())?;
                }
                let element = if slice {
                    t
                } else {
                    SqlType {
                        base: t.base,
                        array: false,
                    }
                };
                Ok(V::known(element, true, why))
            }
            Some(t) if builtin_name(&t) == Some("jsonb") && !slice => {
                for b in bounds {
                    let i = self.expr(b, scope)?;
                    if matches!(i.t, T::Param(_)) {
                        return Err(self.unsupported(
                            b.span(),
                            "a jsonb subscript may be a key or an index",
                            "cast the parameter: `$n::text` or `$n::integer`",
                        ));
                    }
                }
                Ok(V::known(
                    t,
                    true,
                    Some("a jsonb subscript is NULL when the key or index is absent".into()),
                ))
            }
            _ => Err(self.unsupported(
                span,
                "secure-pg types subscripts of arrays and jsonb",
                cast_help(),
            )),
        }
    }

    /// An operand of a text operator or function (`LIKE`, `lower`):
    /// parameters become `text`.
    pub(crate) fn text_operand(&mut self, v: &V, span: Span) -> R<()> {
        match &v.t {
            T::Param(_) => self.coerce(v, &ty("text"), span),
            // `name` (the system catalogs' identifiers) reads as text.
            T::Known(t)
                if !is_string(&self.base_of(t))
                    && builtin_name(&self.base_of(t)) != Some("name") =>
            {
                Err(self.unsupported(
                    span,
                    format!("secure-pg expects text here, not `{t}`"),
                    "cast it: `(...)::text`",
                ))
            }
            _ => Ok(()),
        }
    }

    /// `||` with an array on one side (known): `anycompatiblearray ||
    /// anycompatiblearray`, or an array with one element on either side.
    /// An untyped side that is `$n` takes the array's type; a literal or
    /// `NULL` is refused (the server's reading of it is not modelled). The
    /// result is `NULL` only when both sides are (`array_cat`,
    /// `array_append` and `array_prepend` are not strict).
    fn array_concat(&mut self, l: &V, r: &V, (ls, rs): (Span, Span)) -> R<V> {
        let elem = |t: &SqlType| SqlType {
            array: false,
            ..t.clone()
        };
        let (out, nullable) = match (l.known_type(), r.known_type()) {
            (Some(a), Some(b)) => {
                let (a, b) = (self.base_of(a), self.base_of(b));
                let Some(common) = common_type(&[Some(elem(&a)), Some(elem(&b))]) else {
                    return Err(self.unsupported(
                        ls,
                        format!("secure-pg knows no `||` of `{a}` and `{b}`"),
                        "cast one side to the other's element type",
                    ));
                };
                (common.into_array(), l.nullable && r.nullable)
            }
            (Some(a), None) | (None, Some(a)) => {
                let (untyped, at) = if l.known_type().is_none() {
                    (l, ls)
                } else {
                    (r, rs)
                };
                if !matches!(untyped.t, T::Param(_)) {
                    return Err(self.unsupported(
                        at,
                        "secure-pg cannot type an untyped value next to an array in `||`",
                        "bind it as a parameter (`$n`) or cast it: `(...)::type[]`",
                    ));
                }
                let a = strip_typmod(a);
                self.coerce(untyped, &a, at)?;
                (a, l.nullable && r.nullable)
            }
            (None, None) => {
                return Err(self.unsupported(
                    ls,
                    "secure-pg cannot type `||` of two untyped values",
                    "cast one side: `(...)::type[]`",
                ))
            }
        };
        Ok(V::known(
            strip_typmod(&out),
            nullable,
            nullable.then(|| "`||` of two NULL arrays is NULL".to_string()),
        ))
    }

    /// The checks of `@>` and `<@` before the sides are compared: a range
    /// contains an element of exactly its subtype (`int4range @> integer`;
    /// the server has no `int8range @> integer`), and `$n` there is the
    /// range (as the server resolves it); a string literal next to a range
    /// is refused, and one next to an array is taken only where it is
    /// certain to be valid. `true`: a range and its element, nothing left
    /// to compare.
    fn containment(
        &mut self,
        l: &V,
        r: &V,
        op: &BinaryOperator,
        (ls, rs): (Span, Span),
    ) -> R<bool> {
        let ((cont, _), (item, is)) = if matches!(op, BinaryOperator::AtArrow) {
            ((l, ls), (r, rs))
        } else {
            ((r, rs), (l, ls))
        };
        self.container_literals(l, r, (ls, rs))?;
        let Some(range) = cont
            .known_type()
            .map(|t| self.base_of(t))
            .filter(|t| !t.array)
        else {
            return Ok(false);
        };
        let Some(sub) = builtin_name(&range).and_then(range_subtype) else {
            return Ok(false);
        };
        let Some(t) = item.known_type() else {
            return Ok(false);
        };
        let t = strip_typmod(&self.base_of(t));
        if t == range {
            Ok(false)
        } else if t == ty(sub) {
            Ok(true)
        } else {
            Err(self.unsupported(
                is,
                format!("secure-pg knows no `{op}` of `{range}` and `{t}`"),
                format!("cast the element to the range's subtype: `(...)::{sub}`"),
            ))
        }
    }

    /// A string literal on one side of an array or range operator (`&&`,
    /// `@>`, `<@`) whose other side is a known array or range: refused
    /// next to a range (range literals are not checked), and next to an
    /// array unless it is certain to be valid; the server would refuse
    /// the statement for a malformed one.
    fn container_literals(&self, l: &V, r: &V, (ls, rs): (Span, Span)) -> R<()> {
        for (v, other, at) in [(l, r, ls), (r, l, rs)] {
            let (T::Lit(s), Some(t)) = (&v.t, other.known_type()) else {
                continue;
            };
            let t = self.base_of(t);
            if !t.array && builtin_name(&t).and_then(range_subtype).is_some() {
                return Err(self.unsupported(
                    at,
                    "secure-pg does not check range literals",
                    "bind the value as a parameter (`$n`) or cast it: `'[1,2)'::int4range`",
                ));
            }
            if t.array && !self.certain_array_literal(s, &t) {
                return Err(self.unsupported(
                    at,
                    format!("secure-pg expects an array literal like '{{a,b}}' here, not '{s}'"),
                    "bind it as a parameter (`$n`) or write `ARRAY[...]`",
                ));
            }
        }
        Ok(())
    }

    /// Whether the literal `s` is certain to be a valid value of the array
    /// type `t`: the plain form ([`plain_array_literal`]) of an array of a
    /// string type, or of a type whose literals the checker validates
    /// (numbers, `boolean`, `uuid`), each element valid.
    fn certain_array_literal(&self, s: &str, t: &SqlType) -> bool {
        let elem = SqlType {
            array: false,
            ..t.clone()
        };
        if !plain_array_literal(s) {
            return false;
        }
        if is_string(&elem) {
            return true;
        }
        let checked = literal_checked(&elem);
        let inner = s.trim().trim_start_matches('{').trim_end_matches('}');
        checked
            && (inner.trim().is_empty()
                || inner.split(',').all(|x| {
                    !x.trim().is_empty()
                        && self.check_literal(x.trim(), &elem, Span::empty()).is_ok()
                }))
    }

    /// The right side of a jsonb key operator: `text`, or `text[]` when
    /// `array`. A literal array is taken only in the plain form that is
    /// certain to be a valid `text[]` (`'{a,b}'`: no quotes, backslashes or
    /// nesting); what else PostgreSQL would make of it is not guessed.
    /// An operand of `op` that must be of the built-in type `want`: a `$n`
    /// or a literal becomes one, a value of another type is refused.
    fn operand_of(&mut self, v: &V, want: &'static str, span: Span, op: &BinaryOperator) -> R<()> {
        if let Some(t) = v.known_type() {
            let t = self.base_of(t);
            if t != ty(want) {
                return Err(self.unsupported(
                    span,
                    format!("`{op}` takes a `{want}` here, not `{t}`"),
                    format!("cast it: `(...)::{want}`"),
                ));
            }
        }
        self.coerce(v, &ty(want), span)
    }

    /// An operand of a jsonb operator that must itself be jsonb.
    fn jsonb_operand(&mut self, v: &V, span: Span, op: &BinaryOperator) -> R<()> {
        self.operand_of(v, "jsonb", span, op)
    }

    fn jsonb_key_operand(&mut self, v: &V, array: bool, span: Span) -> R<()> {
        if !array {
            return self.text_operand(v, span);
        }
        let text_array = ty("text").into_array();
        let ok = match &v.t {
            T::Param(_) => return self.coerce(v, &text_array, span),
            T::Known(t) => self.base_of(t) == text_array,
            T::Lit(s) => plain_array_literal(s),
            T::Null => true,
        };
        if ok {
            Ok(())
        } else {
            Err(self.unsupported(
                span,
                "secure-pg expects a `text[]` here",
                "bind it as a parameter (`$n`) or cast it: `(...)::text[]`",
            ))
        }
    }

    /// The two sides of a comparison: an untyped side gets the other's type.
    pub(crate) fn compare(&mut self, l: &V, r: &V, span: Span) -> R<()> {
        self.compare_sides(l, r, (span, span))
    }

    /// [`Cx::compare`], with each side's own span (where an error about an
    /// untyped side, a literal say, points).
    pub(crate) fn compare_sides(&mut self, l: &V, r: &V, (ls, rs): (Span, Span)) -> R<()> {
        // `json` has no comparison operators at all (`jsonb` does).
        for (v, s) in [(l, ls), (r, rs)] {
            if v.known_type()
                .is_some_and(|t| builtin_name(&self.base_of(t)) == Some("json"))
            {
                return Err(self.err(
                    s,
                    "type `json` has no comparison operators",
                    Some(
                        "compare it as `jsonb` (`(...)::jsonb`) or as text (`(...)::text`)".into(),
                    ),
                ));
            }
        }
        match (&l.t, &r.t) {
            (T::Known(a), T::Known(b)) => {
                // PostgreSQL refuses a comparison of types no operator
                // takes (`bigint = boolean`); the checker must too.
                let (a, b) = (self.base_of(a), self.base_of(b));
                if common_type(&[Some(a.clone()), Some(b.clone())]).is_some()
                    || (oid_like(&a) && (oid_like(&b) || integer_to_oid(&b)))
                    || (oid_like(&b) && integer_to_oid(&a))
                {
                    Ok(())
                } else {
                    Err(self.unsupported(
                        ls,
                        format!("secure-pg knows no operator that compares `{a}` with `{b}`"),
                        "compare values of the same type: cast one side to the other's type \
                         where PostgreSQL has such a cast (`(...)::type`)",
                    ))
                }
            }
            (T::Known(a), _) => {
                self.untyped_against_composite(a, r, rs)?;
                let a = self.operand(a);
                self.coerce(r, &a, rs)
            }
            (_, T::Known(b)) => {
                self.untyped_against_composite(b, l, ls)?;
                let b = self.operand(b);
                self.coerce(l, &b, ls)
            }
            (T::Param(_), T::Lit(_)) | (T::Lit(_), T::Param(_)) => {
                self.coerce(l, &ty("text"), ls)?;
                self.coerce(r, &ty("text"), rs)
            }
            _ => Ok(()),
        }
    }

    /// A composite value compared with a `$n` or a string literal: the
    /// server resolves the comparison to `record = record`, so the `$n` is
    /// typed `record`, which no Rust value binds to (and a literal is read
    /// as an anonymous record, which the server cannot read). Refused, with
    /// the cast that names the type.
    fn untyped_against_composite(&self, known: &SqlType, other: &V, span: Span) -> R<()> {
        let BaseType::Composite(q) = &self.base_of(known).base else {
            return Ok(());
        };
        if known.array {
            return Ok(());
        }
        let q = if q.schema.as_str() == "public" {
            q.name.to_string()
        } else {
            q.to_string()
        };
        let what = match &other.t {
            T::Param(n) => format!("`${n}`"),
            T::Lit(_) => "a string literal".to_string(),
            _ => return Ok(()),
        };
        let cast = match &other.t {
            T::Param(n) => format!("`${n}::{q}`"),
            _ => format!("`'...'::{q}`"),
        };
        Err(self.err(
            span,
            format!(
                "{what} compared with a value of the composite type `{q}` is read by PostgreSQL as an anonymous `record`"
            ),
            Some(format!("name its type: {cast}")),
        ))
    }

    fn binary(
        &mut self,
        left: &Expr,
        op: &BinaryOperator,
        right: &Expr,
        scope: &Scope<'_>,
        span: Span,
    ) -> R<V> {
        if let (Expr::Tuple(ls), Expr::Tuple(rs), true) = (left, right, is_comparison(op)) {
            return self.row_comparison(ls, rs, scope, span);
        }
        let l = self.expr(left, scope)?;
        let r = self.expr(right, scope)?;
        let (nullable, why) = strict(&[&l, &r]);
        let boolean = |n, w| Ok(V::known(ty("boolean"), n, w));
        match op {
            _ if is_comparison(op) => {
                self.compare_sides(&l, &r, (left.span(), right.span()))?;
                boolean(nullable, why)
            }
            BinaryOperator::And | BinaryOperator::Or => {
                self.coerce(&l, &ty("boolean"), left.span())?;
                self.coerce(&r, &ty("boolean"), right.span())?;
                boolean(nullable, why)
            }
            BinaryOperator::PGRegexMatch
            | BinaryOperator::PGRegexIMatch
            | BinaryOperator::PGRegexNotMatch
            | BinaryOperator::PGRegexNotIMatch
            | BinaryOperator::PGLikeMatch
            | BinaryOperator::PGILikeMatch
            | BinaryOperator::PGNotLikeMatch
            | BinaryOperator::PGNotILikeMatch => {
                self.text_operand(&l, left.span())?;
                self.text_operand(&r, right.span())?;
                boolean(nullable, why)
            }
            BinaryOperator::StringConcat
                if [&l, &r]
                    .iter()
                    .any(|v| v.known_type().is_some_and(|t| t.array)) =>
            {
                self.array_concat(&l, &r, (left.span(), right.span()))
            }
            BinaryOperator::PGOverlap => {
                // `anyarray && anyarray` and `anyrange && anyrange`; the
                // geometric and network ones are not typed.
                let ranged = |v: &V, cx: &Self| {
                    v.known_type().is_some_and(|t| {
                        let b = cx.base_of(t);
                        b.array || (builtin_name(&b).is_some_and(|n| n.ends_with("range")))
                    })
                };
                if !(ranged(&l, self) || ranged(&r, self)) {
                    return Err(self.unsupported(
                        span,
                        "secure-pg types `&&` only on arrays and ranges",
                        "cast the expression: `(... && ...)::boolean`",
                    ));
                }
                self.container_literals(&l, &r, (left.span(), right.span()))?;
                self.compare_sides(&l, &r, (left.span(), right.span()))?;
                boolean(nullable, why)
            }
            BinaryOperator::Minus
                if l.known_type().is_some_and(|t| {
                    let b = self.base_of(t);
                    !b.array && builtin_name(&b) == Some("jsonb")
                }) =>
            {
                // `jsonb - text`, `jsonb - text[]`, `jsonb - integer`; an
                // untyped right side is `text`, as the server resolves it.
                let fits = match &r.t {
                    T::Param(_) => {
                        self.coerce(&r, &ty("text"), right.span())?;
                        true
                    }
                    T::Lit(_) | T::Null => true,
                    T::Known(t) => {
                        let b = self.base_of(t);
                        is_string(&b)
                            || b == ty("text").into_array()
                            || (!b.array
                                && matches!(builtin_name(&b), Some("integer" | "smallint")))
                    }
                };
                if !fits {
                    return Err(self.unsupported(
                        right.span(),
                        "secure-pg types `jsonb - x` for a text key, a `text[]` of keys or an integer index",
                        "cast the right side: `(...)::text`, `(...)::text[]` or `(...)::integer`",
                    ));
                }
                Ok(V::known(ty("jsonb"), nullable, why))
            }
            BinaryOperator::StringConcat
                if [&l, &r].iter().any(|v| {
                    v.known_type()
                        .is_some_and(|t| self.base_of(t) == ty("jsonb"))
                }) =>
            {
                // `jsonb || jsonb`: the other side is jsonb too.
                for (v, e) in [(&l, left), (&r, right)] {
                    self.jsonb_operand(v, e.span(), op)?;
                }
                Ok(V::known(ty("jsonb"), nullable, why))
            }
            BinaryOperator::StringConcat => {
                let texty = |v: &V, cx: &Self| match &v.t {
                    T::Known(t) => is_string(&cx.base_of(t)),
                    T::Lit(_) => true,
                    _ => false,
                };
                // `$n || value`: the parameter is the text side.
                let param_and_value = |a: &V, b: &V| {
                    matches!(a.t, T::Param(_)) && b.known_type().is_some_and(|t| !t.array)
                };
                if !(texty(&l, self)
                    || texty(&r, self)
                    || param_and_value(&l, &r)
                    || param_and_value(&r, &l))
                {
                    return Err(self.unsupported(
                        span,
                        "secure-pg types `||` only on text",
                        "cast an operand: `(...)::text`",
                    ));
                }
                // `text || anynonarray` (either way round): the other
                // operand is any value but an array, in its text form.
                for (v, e) in [(&l, left), (&r, right)] {
                    match v.known_type() {
                        Some(t) if t.array => {
                            return Err(self.unsupported(
                                e.span(),
                                "secure-pg types `||` only on text and single values",
                                "cast the array: `(...)::text`",
                            ))
                        }
                        Some(_) => {}
                        None => self.text_operand(v, e.span())?,
                    }
                }
                Ok(V::known(ty("text"), nullable, why))
            }
            BinaryOperator::Arrow
            | BinaryOperator::LongArrow
            | BinaryOperator::HashArrow
            | BinaryOperator::HashLongArrow => {
                let base = l.known_type().map(|t| self.base_of(t));
                let json = match base.as_ref().and_then(builtin_name) {
                    Some(j @ ("json" | "jsonb")) => j,
                    _ => {
                        return Err(self.unsupported(
                            left.span(),
                            format!("secure-pg types `{op}` only on json and jsonb"),
                            "cast the operand: `(...)::jsonb`",
                        ))
                    }
                };
                let path = matches!(
                    op,
                    BinaryOperator::HashArrow | BinaryOperator::HashLongArrow
                );
                if matches!(r.t, T::Param(_)) {
                    let t = if path {
                        ty("text").into_array()
                    } else {
                        ty("text")
                    };
                    self.coerce(&r, &t, right.span())?;
                }
                let out = if matches!(
                    op,
                    BinaryOperator::LongArrow | BinaryOperator::HashLongArrow
                ) {
                    "text"
                } else {
                    json
                };
                Ok(V::known(
                    ty(out),
                    true,
                    Some(format!("`{op}` is NULL when the key or path is absent")),
                ))
            }
            BinaryOperator::AtArrow | BinaryOperator::ArrowAt => {
                if !self.containment(&l, &r, op, (left.span(), right.span()))? {
                    self.compare(&l, &r, span)?;
                }
                boolean(nullable, why)
            }
            // The jsonb key and path operators: `jsonb ? text`, `jsonb ?|
            // text[]`, `jsonb ?& text[]` (booleans) and `jsonb #- text[]`.
            BinaryOperator::Question
            | BinaryOperator::QuestionPipe
            | BinaryOperator::QuestionAnd
            | BinaryOperator::HashMinus => {
                let base = l.known_type().map(|t| self.base_of(t));
                if base.as_ref().and_then(builtin_name) != Some("jsonb")
                    || base.is_some_and(|b| b.array)
                {
                    return Err(self.unsupported(
                        left.span(),
                        format!("secure-pg types `{op}` only on jsonb"),
                        "cast the operand: `(...)::jsonb`",
                    ));
                }
                let array = !matches!(op, BinaryOperator::Question);
                self.jsonb_key_operand(&r, array, right.span())?;
                if matches!(op, BinaryOperator::HashMinus) {
                    Ok(V::known(ty("jsonb"), nullable, why))
                } else {
                    boolean(nullable, why)
                }
            }
            // `jsonb @? jsonpath`, `jsonb @@ jsonpath`, and the text search
            // match `tsvector @@ tsquery` (either way round).
            BinaryOperator::AtQuestion | BinaryOperator::AtAt => {
                let base = |v: &V, cx: &Self| v.known_type().map(|t| cx.base_of(t));
                let (lb, rb) = (base(&l, self), base(&r, self));
                let name =
                    |t: &Option<SqlType>| t.as_ref().filter(|t| !t.array).and_then(builtin_name);
                match (name(&lb), name(&rb), op) {
                    (Some("jsonb"), _, _) => {
                        self.operand_of(&r, "jsonpath", right.span(), op)?;
                    }
                    (Some("tsvector"), _, BinaryOperator::AtAt) => {
                        self.operand_of(&r, "tsquery", right.span(), op)?;
                    }
                    (Some("tsquery"), _, BinaryOperator::AtAt) => {
                        self.operand_of(&r, "tsvector", right.span(), op)?;
                    }
                    _ => {
                        return Err(self.unsupported(
                            left.span(),
                            format!(
                                "secure-pg types `{op}` on jsonb (with a jsonpath){}",
                                if matches!(op, BinaryOperator::AtAt) {
                                    " and on a tsvector and a tsquery"
                                } else {
                                    ""
                                }
                            ),
                            "cast the left operand: `(...)::jsonb`",
                        ))
                    }
                }
                boolean(nullable, why)
            }
            BinaryOperator::Plus
            | BinaryOperator::Minus
            | BinaryOperator::Multiply
            | BinaryOperator::Divide
            | BinaryOperator::Modulo => self.arith(&l, op, &r, (left, right), span, nullable, why),
            _ => Err(self.unsupported(
                span,
                format!("secure-pg cannot type the operator `{op}` yet"),
                format!("cast the expression: `(... {op} ...)::type`"),
            )),
        }
    }

    /// `(a, b) < ($1, $2)`: rows of the same length compared pair by
    /// pair (each pair as a comparison of its own: an untyped side takes
    /// the other's type, and an operator must exist for known types).
    fn row_comparison(
        &mut self,
        left: &[Expr],
        right: &[Expr],
        scope: &Scope<'_>,
        span: Span,
    ) -> R<V> {
        if left.len() != right.len() {
            return Err(self.err(
                span,
                format!(
                    "a row of {} values is compared with a row of {}",
                    left.len(),
                    right.len()
                ),
                Some("compare rows of the same length".into()),
            ));
        }
        let mut values = Vec::new();
        for (a, b) in left.iter().zip(right) {
            let l = self.expr(a, scope)?;
            let r = self.expr(b, scope)?;
            self.compare_sides(&l, &r, (a.span(), b.span()))?;
            values.push(l);
            values.push(r);
        }
        let refs: Vec<&V> = values.iter().collect();
        let (nullable, why) = strict(&refs);
        Ok(V::known(ty("boolean"), nullable, why))
    }

    #[allow(clippy::too_many_arguments)]
    fn arith(
        &mut self,
        l: &V,
        op: &BinaryOperator,
        r: &V,
        (left, right): (&Expr, &Expr),
        span: Span,
        nullable: bool,
        why: Option<String>,
    ) -> R<V> {
        let lt = l.known_type().map(|t| self.base_of(t));
        let rt = r.known_type().map(|t| self.base_of(t));
        let out = |t: SqlType| Ok(V::known(t, nullable, why.clone()));
        match (&lt, &rt) {
            (Some(a), Some(b)) => {
                if let (Some(x), Some(y)) = (numeric_rank(a), numeric_rank(b)) {
                    // `real` with anything but `real` is `double precision`
                    // (PostgreSQL picks the mixed float48 operators).
                    let r = x.max(y);
                    let r = if r == 4 && x.min(y) != 4 { 5 } else { r };
                    return out(by_rank(r));
                }
                let (an, bn) = (builtin_name(a), builtin_name(b));
                let res = match (an, op, bn) {
                    (
                        Some(
                            t @ ("timestamp with time zone"
                            | "timestamp without time zone"
                            | "time without time zone"),
                        ),
                        BinaryOperator::Plus | BinaryOperator::Minus,
                        Some("interval"),
                    ) => Some(t),
                    (
                        Some("interval"),
                        BinaryOperator::Plus,
                        Some(t @ ("timestamp with time zone" | "timestamp without time zone")),
                    ) => Some(t),
                    (
                        Some("date"),
                        BinaryOperator::Plus | BinaryOperator::Minus,
                        Some("interval"),
                    ) => Some("timestamp without time zone"),
                    (Some("interval"), BinaryOperator::Plus, Some("date")) => {
                        Some("timestamp without time zone")
                    }
                    (
                        Some("date"),
                        BinaryOperator::Plus | BinaryOperator::Minus,
                        Some("integer" | "smallint"),
                    ) => Some("date"),
                    (Some("integer" | "smallint"), BinaryOperator::Plus, Some("date")) => {
                        Some("date")
                    }
                    (Some("date"), BinaryOperator::Minus, Some("date")) => Some("integer"),
                    (Some(x), BinaryOperator::Minus, Some(y))
                        if x == y
                            && matches!(
                                x,
                                "timestamp with time zone"
                                    | "timestamp without time zone"
                                    | "time without time zone"
                            ) =>
                    {
                        Some("interval")
                    }
                    (
                        Some("interval"),
                        BinaryOperator::Plus | BinaryOperator::Minus,
                        Some("interval"),
                    ) => Some("interval"),
                    (
                        Some("interval"),
                        BinaryOperator::Multiply | BinaryOperator::Divide,
                        Some(n),
                    ) if numeric_rank(&ty_of(n)).is_some() => Some("interval"),
                    (Some(n), BinaryOperator::Multiply, Some("interval"))
                        if numeric_rank(&ty_of(n)).is_some() =>
                    {
                        Some("interval")
                    }
                    _ => None,
                };
                match res {
                    Some(t) => out(ty(t)),
                    None => Err(self.unsupported(
                        span,
                        format!("secure-pg cannot type `{a} {op} {b}`"),
                        "cast the expression: `(...)::type`",
                    )),
                }
            }
            (Some(a), None) | (None, Some(a)) => {
                let unknown = if lt.is_some() { (r, right) } else { (l, left) };
                let name = builtin_name(a);
                // `timestamp + $n`: the only `+` with a timestamp on one
                // side takes an interval on the other.
                if matches!(op, BinaryOperator::Plus)
                    && matches!(unknown.0.t, T::Param(_))
                    && matches!(
                        name,
                        Some("timestamp with time zone" | "timestamp without time zone")
                    )
                {
                    self.coerce(unknown.0, &ty("interval"), unknown.1.span())?;
                    return out(a.clone());
                }
                let same = numeric_rank(a).is_some()
                    || (name == Some("interval")
                        && matches!(op, BinaryOperator::Plus | BinaryOperator::Minus))
                    || (lt.is_some()
                        && matches!(op, BinaryOperator::Minus)
                        && matches!(
                            name,
                            Some(
                                "timestamp with time zone" | "timestamp without time zone" | "date"
                            )
                        ));
                if !same || matches!(unknown.0.t, T::Null) {
                    let hint = match (&unknown.0.t, name) {
                        (
                            T::Param(n),
                            Some(
                                "timestamp with time zone" | "timestamp without time zone" | "date",
                            ),
                        ) => format!("write `${n}::interval`"),
                        (T::Param(n), _) => format!("write `${n}::{a}`"),
                        _ => "cast the operand: `'...'::interval`".to_string(),
                    };
                    return Err(self.err(
                        unknown.1.span(),
                        match &unknown.0.t {
                            T::Param(n) => {
                                format!("cannot infer the type of `${n}` in `{a} {op} ...`")
                            }
                            _ => format!("cannot infer the type of this operand of `{op}`"),
                        },
                        Some(hint),
                    ));
                }
                self.coerce(unknown.0, a, unknown.1.span())?;
                let res = if numeric_rank(a).is_some() || name == Some("interval") {
                    a.clone()
                } else if name == Some("date") {
                    ty("integer")
                } else {
                    ty("interval")
                };
                out(res)
            }
            (None, None) => Err(self.err(
                span,
                format!("cannot infer the operand types of `{op}`"),
                Some("cast an operand: `$n::integer`".into()),
            )),
        }
    }
}

fn ty_of(name: &'static str) -> SqlType {
    ty(name)
}

pub(crate) fn is_comparison(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq
    )
}

/// Whether `q` returns exactly one row: an aggregate `SELECT` without
/// `GROUP BY`, `HAVING`, `LIMIT` or `OFFSET`.
fn one_row(q: &Query) -> bool {
    if q.limit_clause.is_some() || q.fetch.is_some() {
        return false;
    }
    let SetExpr::Select(s) = q.body.as_ref() else {
        return false;
    };
    let no_group = matches!(&s.group_by, sqlparser::ast::GroupByExpr::Expressions(e, m) if e.is_empty() && m.is_empty());
    no_group
        && s.having.is_none()
        && s.projection.len() == 1
        && match &s.projection[0] {
            sqlparser::ast::SelectItem::UnnamedExpr(e)
            | sqlparser::ast::SelectItem::ExprWithAlias { expr: e, .. } => is_aggregate_call(e),
            _ => false,
        }
}

fn is_aggregate_call(e: &Expr) -> bool {
    match e {
        Expr::Function(f) if f.over.is_none() => plain_parts(&f.name)
            .and_then(|p| p.last().cloned())
            .is_some_and(|n| super::functions::is_aggregate(n.as_str())),
        Expr::Nested(e) => is_aggregate_call(e),
        Expr::Cast { expr, .. } => is_aggregate_call(expr),
        _ => false,
    }
}

/// C's hexadecimal floating-point notation, as `strtod` reads it:
/// `[+-]0x` hex digits, an optional `.` and more, an optional `p[+-]n`.
fn is_hex_float(t: &str) -> bool {
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    let Some(rest) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) else {
        return false;
    };
    let (mantissa, exponent) = match rest.find(['p', 'P']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let hex = |s: &str| s.chars().all(|c| c.is_ascii_hexdigit());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    (!int.is_empty() || !frac.is_empty()) && hex(int) && hex(frac) && exponent_ok
}

/// Whether the checker validates string literals of this (built-in,
/// non-string) type exactly as the server does: numbers, `boolean` and
/// `uuid`.
pub(crate) fn literal_checked(t: &SqlType) -> bool {
    matches!(
        builtin_name(t),
        Some(
            "smallint"
                | "integer"
                | "bigint"
                | "numeric"
                | "real"
                | "double precision"
                | "boolean"
                | "uuid"
        )
    )
}
