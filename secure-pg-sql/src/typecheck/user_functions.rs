//! Calls of the functions the migrations create (their signatures are
//! read by the schema loader, `schema::functions`): the overload is picked
//! by the number of arguments and their types, each argument is typed as
//! the parameter it fills (so `$n` takes the parameter's type), and the
//! call has the declared return type. The checker does not know when such a
//! function returns NULL, so the result is nullable. What it cannot pick
//! without guessing (no overload fits, several do, a named argument, rows
//! in a select list) is refused with a fix.

use sqlparser::ast::{Function, FunctionArg, FunctionArgExpr, FunctionArguments, Spanned};
use sqlparser::tokenizer::Span;

use super::expr::{T, V};
use super::{strip_typmod, Cx, Scope, R};
use crate::schema::types::SqlType;
use crate::schema::{Returns, Signature};

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
        let mut args = Vec::new();
        for a in &list.args {
            let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = a else {
                return Err(self.unsupported(
                    span,
                    "secure-pg types calls of the migrations' functions with positional arguments only",
                    help,
                ));
            };
            args.push((self.expr(e, scope)?, e.span()));
        }
        // An argument of a known type must be of the parameter's type (a
        // domain counts as its base type); a literal or `$n` fits any.
        let fits = |cx: &Self, s: &Signature| {
            s.takes(args.len())
                && args.iter().zip(&s.inputs).all(|((v, _), p)| match &v.t {
                    T::Known(t) => {
                        let t = strip_typmod(&cx.base_of(t));
                        t == strip_typmod(&p.ty) || t == strip_typmod(&cx.base_of(&p.ty))
                    }
                    T::Lit(_) | T::Null | T::Param(_) => true,
                })
        };
        let mut fitting: Vec<&Signature> = sigs.iter().copied().filter(|s| fits(self, s)).collect();
        // No exact fit: with one function of this name and arity, the
        // server also takes arguments that convert to its parameters by
        // an implicit cast (`text` to `character varying`, a number or a
        // date to a wider one). With several, its ambiguity rules decide,
        // which secure-pg does not model: refused below.
        let same_arity: Vec<&Signature> = sigs
            .iter()
            .copied()
            .filter(|s| s.takes(args.len()))
            .collect();
        if fitting.is_empty() && same_arity.len() == 1 {
            let s = same_arity[0];
            let widens = args.iter().zip(&s.inputs).all(|((v, _), p)| match &v.t {
                T::Known(t) => implicitly_cast(&self.base_of(t), &self.base_of(&p.ty)),
                T::Lit(_) | T::Null | T::Param(_) => true,
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
        for ((v, at), p) in args.iter().zip(&sig.inputs) {
            self.coerce(v, &p.ty, *at)?;
        }
        let why = Some(format!(
            "`{}` is a function of the migrations, and secure-pg does not know when it returns NULL",
            sig.name
        ));
        match &sig.returns {
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

/// Whether PostgreSQL converts an argument of type `from` to a parameter
/// of type `to` by an implicit cast (so that a call resolves to it): the
/// same type, the string types among themselves, and a number or a
/// date/time to a wider one. Arrays are not converted here.
fn implicitly_cast(from: &SqlType, to: &SqlType) -> bool {
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
