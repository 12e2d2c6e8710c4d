//! Built-in functions called with named arguments (`make_interval(secs =>
//! $1)`): each parameter's name, type and default, so a call binds its
//! arguments the way PostgreSQL does (positional ones first, then named
//! ones; none given twice; an omitted one takes its default).

use sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgOperator, FunctionArguments, Spanned,
};
use sqlparser::tokenizer::Span;

use super::expr::{strict, ty, V};
use super::{name_of, Cx, Scope, R};

/// A function with named parameters: its name, its parameters in order
/// (name and type; each has a default) and its result type (the function
/// is strict).
type Signature = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

/// The functions with named parameters the checker types.
const NAMED: &[Signature] = &[(
    "make_interval",
    &[
        ("years", "integer"),
        ("months", "integer"),
        ("weeks", "integer"),
        ("days", "integer"),
        ("hours", "integer"),
        ("mins", "integer"),
        ("secs", "double precision"),
    ],
    "interval",
)];

/// Whether `name` is typed by [`Cx::named_call`].
pub(crate) fn has_named_parameters(name: &str) -> bool {
    NAMED.iter().any(|(n, _, _)| *n == name)
}

impl Cx<'_> {
    /// A call of one of [`NAMED`], positional or named arguments.
    pub(crate) fn named_call(
        &mut self,
        name: &str,
        f: &Function,
        scope: &Scope<'_>,
        span: Span,
    ) -> R<V> {
        let Some((_, params, result)) = NAMED.iter().find(|(n, _, _)| *n == name) else {
            return Err(self.err(span, format!("`{name}` has no named parameters"), None));
        };
        let cast_help = format!("cast the call: `{f}::{result}`");
        let args = match &f.args {
            FunctionArguments::List(l)
                if l.duplicate_treatment.is_none()
                    && l.clauses.is_empty()
                    && f.over.is_none()
                    && f.filter.is_none()
                    && f.within_group.is_empty()
                    && matches!(f.parameters, FunctionArguments::None) =>
            {
                l.args.as_slice()
            }
            FunctionArguments::None => &[],
            _ => {
                return Err(self.unsupported(
                    span,
                    "secure-pg cannot type this call form",
                    cast_help,
                ))
            }
        };
        let mut given = vec![false; params.len()];
        let mut vals = Vec::new();
        let mut named_seen = false;
        for (position, a) in args.iter().enumerate() {
            let (index, e) = match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => {
                    if named_seen {
                        return Err(self.err(
                            e.span(),
                            "a positional argument cannot follow a named argument",
                            Some("pass it by name".into()),
                        ));
                    }
                    (position, e)
                }
                FunctionArg::Named {
                    name: pname,
                    arg: FunctionArgExpr::Expr(e),
                    operator: FunctionArgOperator::RightArrow | FunctionArgOperator::Assignment,
                }
                | FunctionArg::ExprNamed {
                    name: Expr::Identifier(pname),
                    arg: FunctionArgExpr::Expr(e),
                    operator: FunctionArgOperator::RightArrow | FunctionArgOperator::Assignment,
                } => {
                    named_seen = true;
                    let wanted = name_of(pname);
                    let Some(i) = params.iter().position(|(p, _)| *p == wanted.as_str()) else {
                        return Err(self.err(
                            pname.span,
                            format!("`{name}` has no parameter named `{wanted}`"),
                            Some(format!(
                                "its parameters are {}",
                                params
                                    .iter()
                                    .map(|(p, _)| format!("`{p}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )),
                        ));
                    };
                    (i, e)
                }
                _ => {
                    return Err(self.unsupported(
                        a.span(),
                        "secure-pg cannot type this argument form",
                        "write `name => value`",
                    ))
                }
            };
            if index >= params.len() {
                return Err(self.err(
                    e.span(),
                    format!("`{name}` takes at most {} arguments", params.len()),
                    None,
                ));
            }
            if std::mem::replace(&mut given[index], true) {
                return Err(self.err(
                    e.span(),
                    format!("`{name}`'s parameter `{}` is given twice", params[index].0),
                    None,
                ));
            }
            let v = self.expr(e, scope)?;
            self.fixed_argument(&v, &ty(params[index].1), e.span())?;
            vals.push(v);
        }
        let refs: Vec<&V> = vals.iter().collect();
        let (nullable, why) = strict(&refs);
        Ok(V::known(ty(result), nullable, why))
    }
}
