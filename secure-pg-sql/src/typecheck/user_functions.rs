//! Calls of the functions the migrations create (their signatures are
//! read by the schema loader, `schema::functions`): the overload is picked
//! by the number of arguments and their types, each argument is typed as
//! the parameter it fills (so `$n` takes the parameter's type), and the
//! call has the declared return type. The checker does not know when such a
//! function returns NULL, so the result is nullable. What it cannot pick
//! without guessing (no overload fits, several do, rows in a select list)
//! is refused with a fix. Arguments may be passed by name (`a => 1`, after
//! the positional ones), as PostgreSQL binds them.

use sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgOperator, FunctionArguments, Spanned,
};
use sqlparser::tokenizer::Span;

use super::expr::{T, V};
use super::{name_of, strip_typmod, Cx, Scope, R};
use crate::schema::types::SqlType;
use crate::schema::{Name, Returns, Signature};

impl Cx<'_> {
    /// Types the call `f` of a function of the migrations, whose overloads
    /// are `sigs` (not empty).
    pub(crate) fn user_function(
        &mut self,
        f: &Function,
        sigs: &[&Signature],
        scope: &Scope<'_>,
        span: Span,
    ) -> R<V> {
        self.routine_call(f, sigs, scope, span, false)
    }

    /// `CALL p(...)` of a procedure the migrations create: its arguments
    /// typed as for a function's call; it returns no row (a procedure with
    /// `OUT` parameters, which would, is not recorded).
    pub(crate) fn call(&mut self, f: &Function, span: Span) -> R<Vec<super::Col>> {
        let parts = super::query::plain_parts(&f.name).unwrap_or_default();
        let sigs = self.cat.functions_named(&self.search_path, &parts);
        if sigs.is_empty() {
            return Err(self.unsupported(
                span,
                format!(
                    "the migrations create no procedure `{}` that secure-pg could read",
                    f.name
                ),
                "create it in a migration with `CREATE PROCEDURE` (without `OUT` parameters), \
                 or run the `CALL` with the `_unparsed` form",
            ));
        }
        self.routine_call(f, &sigs, &Scope::default(), span, true)?;
        Ok(Vec::new())
    }

    fn routine_call(
        &mut self,
        f: &Function,
        sigs: &[&Signature],
        scope: &Scope<'_>,
        span: Span,
        call: bool,
    ) -> R<V> {
        let help = format!("cast the call: `{f}::type`, or the arguments to the declared types");
        let FunctionArguments::List(list) = &f.args else {
            return Err(self.unsupported(span, "secure-pg cannot type this call form", help));
        };
        if list.duplicate_treatment.is_some()
            || !list.clauses.is_empty()
            || f.over.is_some()
            || f.filter.is_some()
            || !f.within_group.is_empty()
        {
            return Err(self.unsupported(span, "secure-pg cannot type this call form", help));
        }
        // The arguments in the order written, each with its name when
        // passed by name (`a => 1`; positional ones come first).
        let mut args = Vec::new();
        let mut names: Vec<Option<Name>> = Vec::new();
        for a in &list.args {
            let (name, e) = match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => {
                    if names.iter().any(Option::is_some) {
                        return Err(self.err(
                            e.span(),
                            "a positional argument cannot follow a named argument",
                            Some("pass it by name".into()),
                        ));
                    }
                    (None, e)
                }
                FunctionArg::Named {
                    name,
                    arg: FunctionArgExpr::Expr(e),
                    operator: FunctionArgOperator::RightArrow | FunctionArgOperator::Assignment,
                }
                | FunctionArg::ExprNamed {
                    name: Expr::Identifier(name),
                    arg: FunctionArgExpr::Expr(e),
                    operator: FunctionArgOperator::RightArrow | FunctionArgOperator::Assignment,
                } => (Some(name_of(name)), e),
                _ => {
                    return Err(self.unsupported(
                        a.span(),
                        "secure-pg cannot type this argument form",
                        "write the argument as `value` or `name => value`",
                    ))
                }
            };
            args.push((self.expr(e, scope)?, e.span()));
            names.push(name);
        }
        // An argument of a known type must be of the parameter's type (a
        // domain counts as its base type); a literal or `$n` fits any.
        let fits = |cx: &Self, s: &Signature| {
            place(&names, s).is_some_and(|slots| {
                slots.iter().zip(&s.inputs).all(|(slot, p)| {
                    slot.is_none_or(|i| match &args[i].0.t {
                        T::Known(t) => {
                            let t = strip_typmod(&cx.base_of(t));
                            t == strip_typmod(&p.ty) || t == strip_typmod(&cx.base_of(&p.ty))
                        }
                        T::Lit(_) | T::Null | T::Param(_) => true,
                    })
                })
            })
        };
        let mut fitting: Vec<&Signature> = sigs.iter().copied().filter(|s| fits(self, s)).collect();
        // No exact fit: with one function that these arguments fill (by
        // number and names), the server also takes arguments that convert
        // to its parameters by an implicit cast (`text` to `character
        // varying`, a number or a date to a wider one). With several, its
        // ambiguity rules decide, which secure-pg does not model: refused
        // below.
        let placeable: Vec<&Signature> = sigs
            .iter()
            .copied()
            .filter(|s| place(&names, s).is_some())
            .collect();
        if let ([s], true) = (placeable.as_slice(), fitting.is_empty()) {
            let slots = place(&names, s).unwrap_or_default();
            let widens = slots.iter().zip(&s.inputs).all(|(slot, p)| {
                slot.is_none_or(|i| match &args[i].0.t {
                    T::Known(t) => implicitly_cast(&self.base_of(t), &self.base_of(&p.ty)),
                    T::Lit(_) | T::Null | T::Param(_) => true,
                })
            });
            if widens {
                fitting.push(s);
            }
        }
        let shown = |s: &Signature| {
            let name = if s.name.schema.as_str() == "public" {
                s.name.name.to_string()
            } else {
                s.name.to_string()
            };
            format!(
                "{name}({})",
                s.inputs
                    .iter()
                    .map(|a| a.ty.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let sig = match fitting.as_slice() {
            [one] => *one,
            [] => {
                let given = args
                    .iter()
                    .map(|(v, _)| match &v.t {
                        T::Known(t) => t.to_string(),
                        T::Param(n) => format!("${n}"),
                        T::Lit(_) | T::Null => "unknown".into(),
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(self.err(
                    span,
                    format!(
                        "`{}({given})` fits no function of the migrations: it is declared as {}",
                        f.name,
                        sigs.iter()
                            .map(|s| format!("`{}`", shown(s)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Some("pass arguments of the declared types, or cast them (`x::text`)".into()),
                ));
            }
            several => {
                return Err(self.unsupported(
                    span,
                    format!(
                        "secure-pg cannot tell which of {} the server picks",
                        several
                            .iter()
                            .map(|s| format!("`{}`", shown(s)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "cast the arguments to the types of the one you mean",
                ))
            }
        };
        for (slot, p) in place(&names, sig)
            .unwrap_or_default()
            .iter()
            .zip(&sig.inputs)
        {
            if let Some(i) = slot {
                let (v, at) = &args[*i];
                self.coerce(v, &p.ty, *at)?;
            }
        }
        let why = Some(format!(
            "`{}` is a function of the migrations, and secure-pg does not know when it returns NULL",
            sig.name
        ));
        match &sig.returns {
            Returns::Procedure if call => Ok(V::known(SqlType::builtin("void"), true, why)),
            Returns::Procedure => Err(self.err(
                span,
                format!("`{}` is a procedure", sig.name),
                Some(format!("run it on its own: `CALL {f}`")),
            )),
            _ if call => Err(self.err(
                span,
                format!("`{}` is a function, not a procedure", sig.name),
                Some(format!("select it: `SELECT {f}`")),
            )),
            Returns::Scalar(t) | Returns::SetOf(t) => Ok(V::known(t.clone(), true, why)),
            Returns::Void => Err(self.unsupported(
                span,
                format!("`{}` returns void", sig.name),
                "a void result has no value to read: call it with the `_unparsed` form of the macro",
            )),
            Returns::Rows { .. } => Err(self.unsupported(
                span,
                format!("`{}` returns rows of several columns, which secure-pg does not type yet", sig.name),
                "select its columns in a query of the `_unparsed` form of the macro",
            )),
        }
    }
}

/// Where the arguments of a call go in `s`'s parameters, as PostgreSQL
/// binds them: positional ones in order, named ones to the parameter of
/// that name; `None` when they do not fit (more arguments than
/// parameters, a name `s` does not have, a parameter given twice, or one
/// left out that has no default). Each slot holds the index of the
/// argument that fills it.
fn place(names: &[Option<Name>], s: &Signature) -> Option<Vec<Option<usize>>> {
    if names.len() > s.inputs.len() {
        return None;
    }
    let mut slots = vec![None; s.inputs.len()];
    for (i, name) in names.iter().enumerate() {
        let at = match name {
            None => i,
            Some(n) => s.inputs.iter().position(|p| p.name.as_ref() == Some(n))?,
        };
        if slots[at].replace(i).is_some() {
            return None;
        }
    }
    let complete = slots
        .iter()
        .zip(&s.inputs)
        .all(|(slot, p)| slot.is_some() || p.default);
    complete.then_some(slots)
}

/// Whether PostgreSQL converts an argument of type `from` to a parameter
/// of type `to` by an implicit cast (so that a call resolves to it): the
/// same type, the string types among themselves, and a number or a
/// date/time to a wider one. Arrays are not converted here.
pub(crate) fn implicitly_cast(from: &SqlType, to: &SqlType) -> bool {
    use super::expr::{datetime_rank, is_string, numeric_rank};
    let (from, to) = (strip_typmod(from), strip_typmod(to));
    if from == to {
        return true;
    }
    if from.array || to.array {
        return false;
    }
    (is_string(&from) && is_string(&to))
        || matches!((numeric_rank(&from), numeric_rank(&to)), (Some(f), Some(t)) if f < t)
        || matches!((datetime_rank(&from), datetime_rank(&to)), (Some(f), Some(t)) if f < t)
}
