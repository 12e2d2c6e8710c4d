//! The result types of the built-in functions the checker knows.
//!
//! Each rule states what PostgreSQL resolves the call to: the result type
//! from the argument types, the type an untyped argument (`$n`, a string
//! literal) gets, and whether the result can be `NULL`. A function not
//! listed here is an error that says to cast the call; the checker never
//! assumes a result type.

use sqlparser::ast::{
    DuplicateTreatment, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Spanned,
};
use sqlparser::tokenizer::Span;

use super::expr::{is_string, numeric_rank, strict, ty, T, V};
use super::query::plain_parts;
use super::{builtin_name, strip_typmod, Cx, Scope, R};
use crate::schema::SqlType;

/// Aggregates the checker types.
const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "bool_and",
    "bool_or",
    "every",
    "string_agg",
    "array_agg",
    "jsonb_agg",
    "json_agg",
    "percentile_cont",
    "percentile_disc",
    "mode",
];

/// The ordered-set aggregates the checker types (`f(...) WITHIN GROUP
/// (ORDER BY x)`).
const ORDERED_SET: &[&str] = &["percentile_cont", "percentile_disc", "mode"];

/// Scalar functions the checker types (each with its rule in this module).
pub const SCALARS: &[&str] = &[
    "coalesce",
    "nullif",
    "greatest",
    "least",
    "lower",
    "upper",
    "initcap",
    "btrim",
    "ltrim",
    "rtrim",
    "md5",
    "reverse",
    "length",
    "char_length",
    "character_length",
    "octet_length",
    "strpos",
    "starts_with",
    "left",
    "right",
    "lpad",
    "rpad",
    "repeat",
    "replace",
    "split_part",
    "concat",
    "concat_ws",
    "now",
    "current_timestamp",
    "transaction_timestamp",
    "statement_timestamp",
    "clock_timestamp",
    "current_date",
    "gen_random_uuid",
    "abs",
    "round",
    "trunc",
    "mod",
    "date_trunc",
    "date_part",
    "to_char",
    "jsonb_build_object",
    "json_build_object",
    "jsonb_build_array",
    "json_build_array",
    "to_jsonb",
    "to_json",
    "row_to_json",
    "array_length",
    "cardinality",
    "random",
    "current_setting",
    "format",
    "array_to_string",
    "array_append",
    "array_prepend",
    "array_remove",
    "array_position",
    "array_cat",
];

/// How a [`FIXED`] function's result can be `NULL`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nulls {
    /// Never (for arguments that are not NULL either).
    Strict,
    /// Even for arguments that are not NULL; the reason.
    Maybe(&'static str),
}

/// A server or session function's form: name, argument types (the
/// trailing `?` ones may be left out), result type, and how the result can
/// be `NULL`.
type Fixed = (&'static str, &'static [&'static str], &'static str, Nulls);

/// The numbers of arguments a [`Fixed`] form takes.
fn fixed_arity(f: &Fixed) -> std::ops::RangeInclusive<usize> {
    let required = f.1.iter().filter(|p| !p.ends_with('?')).count();
    required..=f.1.len()
}

/// Server and session functions with fixed signatures, each as `\df` shows
/// it in PostgreSQL 15. A function with several forms (overloads) lists
/// them one after the other, the one PostgreSQL prefers when nothing tells
/// them apart (arguments of unknown type) first; see `fixed_form`.
const FIXED: &[Fixed] = &[
    ("pg_backend_pid", &[], "integer", Nulls::Strict),
    (
        "to_regclass",
        &["text"],
        "regclass",
        Nulls::Maybe("`to_regclass` is NULL when no relation has that name"),
    ),
    ("hashtext", &["text"], "integer", Nulls::Strict),
    (
        "hashtextextended",
        &["text", "bigint"],
        "bigint",
        Nulls::Strict,
    ),
    (
        "date_bin",
        &[
            "interval",
            "timestamp with time zone",
            "timestamp with time zone",
        ],
        "timestamp with time zone",
        Nulls::Strict,
    ),
    (
        "date_bin",
        &[
            "interval",
            "timestamp without time zone",
            "timestamp without time zone",
        ],
        "timestamp without time zone",
        Nulls::Strict,
    ),
    (
        "point",
        &["double precision", "double precision"],
        "point",
        Nulls::Strict,
    ),
    (
        "timezone",
        &["text", "timestamp with time zone"],
        "timestamp without time zone",
        Nulls::Strict,
    ),
    (
        "timezone",
        &["text", "timestamp without time zone"],
        "timestamp with time zone",
        Nulls::Strict,
    ),
    (
        "age",
        &["timestamp with time zone", "timestamp with time zone?"],
        "interval",
        Nulls::Strict,
    ),
    (
        "age",
        &[
            "timestamp without time zone",
            "timestamp without time zone?",
        ],
        "interval",
        Nulls::Strict,
    ),
    ("to_tsvector", &["text"], "tsvector", Nulls::Strict),
    (
        "to_tsvector",
        &["regconfig", "text"],
        "tsvector",
        Nulls::Strict,
    ),
    ("to_tsquery", &["text"], "tsquery", Nulls::Strict),
    (
        "to_tsquery",
        &["regconfig", "text"],
        "tsquery",
        Nulls::Strict,
    ),
    ("plainto_tsquery", &["text"], "tsquery", Nulls::Strict),
    (
        "plainto_tsquery",
        &["regconfig", "text"],
        "tsquery",
        Nulls::Strict,
    ),
    ("phraseto_tsquery", &["text"], "tsquery", Nulls::Strict),
    (
        "phraseto_tsquery",
        &["regconfig", "text"],
        "tsquery",
        Nulls::Strict,
    ),
    ("websearch_to_tsquery", &["text"], "tsquery", Nulls::Strict),
    (
        "websearch_to_tsquery",
        &["regconfig", "text"],
        "tsquery",
        Nulls::Strict,
    ),
    ("ts_rank", &["tsvector", "tsquery"], "real", Nulls::Strict),
    // The range constructors: a NULL bound is an unbounded side, so the
    // result is never NULL (called NULL here when a bound may be, which
    // is only cautious).
    (
        "int4range",
        &["integer", "integer", "text?"],
        "int4range",
        Nulls::Strict,
    ),
    (
        "int8range",
        &["bigint", "bigint", "text?"],
        "int8range",
        Nulls::Strict,
    ),
    (
        "numrange",
        &["numeric", "numeric", "text?"],
        "numrange",
        Nulls::Strict,
    ),
    (
        "tstzrange",
        &[
            "timestamp with time zone",
            "timestamp with time zone",
            "text?",
        ],
        "tstzrange",
        Nulls::Strict,
    ),
    (
        "tsrange",
        &[
            "timestamp without time zone",
            "timestamp without time zone",
            "text?",
        ],
        "tsrange",
        Nulls::Strict,
    ),
    (
        "daterange",
        &["date", "date", "text?"],
        "daterange",
        Nulls::Strict,
    ),
    (
        "width_bucket",
        &[
            "double precision",
            "double precision",
            "double precision",
            "integer",
        ],
        "integer",
        Nulls::Strict,
    ),
    (
        "width_bucket",
        &["numeric", "numeric", "numeric", "integer"],
        "integer",
        Nulls::Strict,
    ),
    ("pg_sleep", &["double precision"], "void", Nulls::Strict),
    ("pg_advisory_lock", &["bigint"], "void", Nulls::Strict),
    ("pg_advisory_xact_lock", &["bigint"], "void", Nulls::Strict),
    ("pg_advisory_unlock", &["bigint"], "boolean", Nulls::Strict),
    (
        "pg_try_advisory_lock",
        &["bigint"],
        "boolean",
        Nulls::Strict,
    ),
    (
        "pg_try_advisory_xact_lock",
        &["bigint"],
        "boolean",
        Nulls::Strict,
    ),
    ("pg_cancel_backend", &["integer"], "boolean", Nulls::Strict),
    (
        "pg_terminate_backend",
        &["integer", "bigint?"],
        "boolean",
        Nulls::Strict,
    ),
    ("pg_is_in_recovery", &[], "boolean", Nulls::Strict),
    (
        "inet_server_port",
        &[],
        "integer",
        Nulls::Maybe("`inet_server_port()` is NULL on a Unix-domain socket"),
    ),
    (
        "inet_server_addr",
        &[],
        "inet",
        Nulls::Maybe("`inet_server_addr()` is NULL on a Unix-domain socket"),
    ),
    (
        "inet_client_addr",
        &[],
        "inet",
        Nulls::Maybe("`inet_client_addr()` is NULL on a Unix-domain socket"),
    ),
    ("current_database", &[], "name", Nulls::Strict),
    ("current_user", &[], "name", Nulls::Strict),
    ("current_catalog", &[], "name", Nulls::Strict),
    ("session_user", &[], "name", Nulls::Strict),
    ("version", &[], "text", Nulls::Strict),
    ("txid_current", &[], "bigint", Nulls::Strict),
    ("pg_current_xact_id", &[], "xid8", Nulls::Strict),
    (
        "pg_current_xact_id_if_assigned",
        &[],
        "xid8",
        Nulls::Maybe("`pg_current_xact_id_if_assigned()` is NULL before the transaction writes"),
    ),
    ("sha224", &["bytea"], "bytea", Nulls::Strict),
    ("sha256", &["bytea"], "bytea", Nulls::Strict),
    ("sha384", &["bytea"], "bytea", Nulls::Strict),
    ("sha512", &["bytea"], "bytea", Nulls::Strict),
    ("convert_to", &["text", "name"], "bytea", Nulls::Strict),
    ("convert_from", &["bytea", "name"], "text", Nulls::Strict),
    ("encode", &["bytea", "text"], "text", Nulls::Strict),
    ("decode", &["text", "text"], "bytea", Nulls::Strict),
    ("pg_read_file", &["text"], "text", Nulls::Strict),
    (
        "string_to_array",
        &["text", "text"],
        "text[]",
        Nulls::Strict,
    ),
    (
        "regexp_replace",
        &["text", "text", "text", "text?"],
        "text",
        Nulls::Strict,
    ),
    (
        "to_timestamp",
        &["double precision"],
        "timestamp with time zone",
        Nulls::Strict,
    ),
    ("jsonb_array_length", &["jsonb"], "integer", Nulls::Strict),
    ("jsonb_typeof", &["jsonb"], "text", Nulls::Strict),
    ("jsonb_pretty", &["jsonb"], "text", Nulls::Strict),
    ("jsonb_strip_nulls", &["jsonb"], "jsonb", Nulls::Strict),
    (
        "jsonb_set",
        &["jsonb", "text[]", "jsonb", "boolean?"],
        "jsonb",
        Nulls::Strict,
    ),
    ("json_typeof", &["json"], "text", Nulls::Strict),
    ("json_array_length", &["json"], "integer", Nulls::Strict),
    (
        "set_config",
        &["text", "text", "boolean"],
        "text",
        Nulls::Maybe("`set_config` is not strict"),
    ),
];

/// A [`FIXED`] type by name, `[]` for an array.
fn fixed_ty(name: &'static str) -> SqlType {
    match name.strip_suffix("[]") {
        Some(element) => ty(element).into_array(),
        None => ty(name),
    }
}

/// Whether `name` (resolved) is an aggregate the checker types.
pub fn is_aggregate(name: &str) -> bool {
    AGGREGATES.contains(&name)
}

/// Whether the checker knows the result type of the function `name`.
pub fn is_typed(name: &str) -> bool {
    is_aggregate(name)
        || SCALARS.contains(&name)
        || WINDOW.contains(&name)
        || FIXED.iter().any(|(n, ..)| *n == name)
        || super::named::has_named_parameters(name)
}

const WINDOW: &[&str] = &["row_number", "rank", "dense_rank", "lag", "lead"];

/// Whether `name` (resolved) is a window function the checker types.
pub fn is_window(name: &str) -> bool {
    WINDOW.contains(&name)
}

impl<'a> Cx<'a> {
    pub(crate) fn function(&mut self, f: &Function, scope: &Scope<'_>, span: Span) -> R<V> {
        let parts = plain_parts(&f.name).unwrap_or_default();
        let name = match parts.as_slice() {
            [n] => n.as_str().to_string(),
            [s, n] if s.as_str() == "pg_catalog" => n.as_str().to_string(),
            _ => String::new(),
        };
        let cast_help = format!("cast the call: `{f}::type`");
        // `ARRAY(SELECT x ...)`: an array of the one column's type, empty
        // (never NULL) when the subquery returns no row.
        if let (true, FunctionArguments::Subquery(q)) = (
            name.eq_ignore_ascii_case("array") && parts.len() == 1,
            &f.args,
        ) {
            let cols = self.query(q, Some(scope))?;
            let [c] = cols.as_slice() else {
                return Err(self.err(
                    span,
                    format!(
                        "the subquery of `ARRAY(...)` must return one column, not {}",
                        cols.len()
                    ),
                    None,
                ));
            };
            if c.ty.array {
                return Err(self.unsupported(
                    span,
                    "secure-pg cannot type `ARRAY(...)` of arrays",
                    cast_help,
                ));
            }
            return Ok(V::non_null(c.ty.clone().into_array()));
        }
        // A function in a schema that does not exist is the server's error
        // too; a cast around the call does not make it exist.
        if let [schema, _] = parts.as_slice() {
            let known = ["pg_catalog", "information_schema"].contains(&schema.as_str())
                || self.cat.schemas().any(|s| s == schema);
            if !known && self.cat.unmodelled().iter().all(|u| !u.everything) {
                return Err(self.err(
                    span,
                    format!("schema `{schema}` does not exist"),
                    Some(format!(
                        "the migrations create no schema `{schema}`: call a function of a schema they create"
                    )),
                ));
            }
        }
        let user = self.cat.functions_named(&self.search_path, &parts);
        if !user.is_empty() {
            if is_typed(&name) && parts.len() == 1 {
                return Err(self.unsupported(
                    span,
                    format!("`{name}` is both a built-in function and a function of the migrations, and secure-pg cannot tell which the server picks"),
                    cast_help,
                ));
            }
            return self.user_function(f, &user, scope, span);
        }
        if super::named::has_named_parameters(&name) {
            return self.named_call(&name, f, scope, span);
        }
        if !is_typed(&name) {
            return Err(self.unsupported(
                span,
                format!(
                    "secure-pg does not know the result type of `{}(...)`",
                    f.name
                ),
                cast_help,
            ));
        }
        if !f.within_group.is_empty()
            && ORDERED_SET.contains(&name.as_str())
            && f.over.is_none()
            && f.filter.is_none()
        {
            return self.ordered_set(&name, f, scope, span);
        }
        if !f.within_group.is_empty() || !matches!(f.parameters, FunctionArguments::None) {
            return Err(self.unsupported(span, "secure-pg cannot type this call form", cast_help));
        }
        let mut star = false;
        let mut args: Vec<(V, Span)> = Vec::new();
        let mut distinct = false;
        match &f.args {
            FunctionArguments::None => {}
            FunctionArguments::Subquery(_) => {
                return Err(self.unsupported(
                    span,
                    "secure-pg cannot type this call form",
                    cast_help,
                ))
            }
            FunctionArguments::List(list) => {
                distinct = matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct));
                if !list.clauses.is_empty() && !is_aggregate(&name) {
                    return Err(self.unsupported(
                        span,
                        "secure-pg cannot type this call form",
                        cast_help,
                    ));
                }
                for a in &list.args {
                    match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => {
                            let v = match self.whole_row(&name, e, scope) {
                                Some(v) => v,
                                None => self.expr(e, scope)?,
                            };
                            args.push((v, e.span()));
                        }
                        FunctionArg::Unnamed(FunctionArgExpr::Wildcard) if name == "count" => {
                            star = true;
                        }
                        _ => {
                            return Err(self.unsupported(
                                span,
                                "secure-pg cannot type named or wildcard arguments here",
                                cast_help,
                            ))
                        }
                    }
                }
            }
        }
        let _ = distinct;
        let arity = |cx: &Self, ok: &[usize]| -> R<()> {
            if ok.contains(&args.len()) || (star && ok.contains(&1)) {
                Ok(())
            } else {
                Err(cx.err(
                    span,
                    format!(
                        "`{name}` takes {} arguments here, not {}",
                        ok.iter()
                            .map(usize::to_string)
                            .collect::<Vec<_>>()
                            .join(" or "),
                        args.len()
                    ),
                    None,
                ))
            }
        };
        let arg_ty = |cx: &Self, i: usize| {
            args.get(i)
                .and_then(|(v, _)| v.known_type())
                .map(|t| cx.base_of(t))
        };
        let vs: Vec<&V> = args.iter().map(|(v, _)| v).collect();
        let (snull, swhy) = strict(&vs);

        if let Some(over) = &f.over {
            let _ = over;
            return match name.as_str() {
                "row_number" | "rank" | "dense_rank" => {
                    arity(self, &[0])?;
                    Ok(V::non_null(ty("bigint")))
                }
                "count" => Ok(V::non_null(ty("bigint"))),
                "lag" | "lead" => {
                    arity(self, &[1, 2])?;
                    let Some(t) = arg_ty(self, 0) else {
                        return Err(self.unsupported(
                            span,
                            "cannot infer the argument type",
                            cast_help,
                        ));
                    };
                    if let Some((v, s)) = args.get(1) {
                        self.coerce(v, &ty("integer"), *s)?;
                    }
                    Ok(V::known(
                        t,
                        true,
                        Some(format!("`{name}` is NULL outside the partition")),
                    ))
                }
                _ => {
                    let mut v = self.aggregate(&name, &args, star, false, span, &cast_help)?;
                    if name != "count" {
                        v.nullable = true;
                        v.why = Some(format!("`{name}(...) OVER (...)` can be NULL"));
                    }
                    Ok(v)
                }
            };
        }
        if WINDOW.contains(&name.as_str()) {
            return Err(self.err(span, format!("`{name}` needs an OVER clause"), None));
        }
        if is_aggregate(&name) {
            let grouped = scope.grouped && f.filter.is_none();
            if let Some(filter) = &f.filter {
                let v = self.expr(filter, scope)?;
                self.coerce(&v, &ty("boolean"), filter.span())?;
            }
            return self.aggregate(&name, &args, star, grouped, span, &cast_help);
        }
        let text_result = |cx: &mut Self, n: &[usize]| -> R<V> {
            arity(cx, n)?;
            for (i, (v, s)) in args.iter().enumerate() {
                if i == 0 {
                    cx.text_operand(v, *s)?;
                } else {
                    cx.coerce(
                        v,
                        &ty(
                            if matches!(
                                name.as_str(),
                                "left" | "right" | "lpad" | "rpad" | "repeat" | "split_part"
                            ) {
                                "integer"
                            } else {
                                "text"
                            },
                        ),
                        *s,
                    )?;
                }
            }
            Ok(V::known(ty("text"), snull, swhy.clone()))
        };
        let forms: Vec<&Fixed> = FIXED.iter().filter(|(n, ..)| *n == name).collect();
        if !forms.is_empty() {
            let mut arities: Vec<usize> = forms.iter().flat_map(|f| fixed_arity(f)).collect();
            arities.sort_unstable();
            arities.dedup();
            arity(self, &arities)?;
            let (_, params, result, nulls) = self.fixed_form(&name, &forms, &args, span)?;
            for ((v, s), p) in args.iter().zip(params.iter()) {
                let want = fixed_ty(p.trim_end_matches('?'));
                self.fixed_argument(v, &want, *s)?;
            }
            return Ok(match nulls {
                Nulls::Strict => V::known(fixed_ty(result), snull, swhy),
                Nulls::Maybe(why) => V::known(fixed_ty(result), true, Some((*why).into())),
            });
        }
        match name.as_str() {
            "array_to_string" => {
                arity(self, &[2, 3])?;
                match arg_ty(self, 0) {
                    Some(t) if t.array => {}
                    _ => {
                        return Err(self.unsupported(
                            args[0].1,
                            "`array_to_string` takes an array whose type secure-pg knows",
                            "cast it: `(...)::type[]`",
                        ))
                    }
                }
                for (v, s) in &args[1..] {
                    self.fixed_argument(v, &ty("text"), *s)?;
                }
                Ok(V::known(ty("text"), snull, swhy))
            }
            "array_cat" => {
                arity(self, &[2])?;
                let Some(t) = arg_ty(self, 0)
                    .filter(|t| t.array)
                    .or_else(|| arg_ty(self, 1).filter(|t| t.array))
                else {
                    return Err(self.unsupported(
                        span,
                        "`array_cat` takes arrays whose type secure-pg knows",
                        "cast one of them: `(...)::type[]`",
                    ));
                };
                let t = strip_typmod(&t);
                for (v, s) in &args {
                    if let Some(a) = v.known_type() {
                        if strip_typmod(&self.base_of(a)) != t {
                            return Err(self.unsupported(
                                *s,
                                format!("`array_cat` takes two arrays of one type, here `{t}`"),
                                format!("cast it: `(...)::{t}`"),
                            ));
                        }
                    }
                    self.coerce(v, &t, *s)?;
                }
                // NULL only when both are (a NULL array is left out).
                let nullable = args.iter().all(|(v, _)| v.nullable);
                Ok(V::known(
                    t,
                    nullable,
                    nullable.then(|| "`array_cat` of two arrays that can both be NULL".to_string()),
                ))
            }
            "array_append" | "array_prepend" | "array_remove" | "array_position" => {
                arity(self, &[2])?;
                let (array_at, element_at) = if name == "array_prepend" {
                    (1, 0)
                } else {
                    (0, 1)
                };
                let Some(t) = arg_ty(self, array_at).filter(|t| t.array) else {
                    return Err(self.unsupported(
                        args[array_at].1,
                        format!("`{name}` takes an array whose type secure-pg knows"),
                        "cast it: `(...)::type[]`",
                    ));
                };
                let element = SqlType {
                    base: t.base.clone(),
                    array: false,
                };
                self.fixed_argument(&args[element_at].0, &element, args[element_at].1)?;
                Ok(match name.as_str() {
                    "array_position" => V::known(
                        ty("integer"),
                        true,
                        Some("`array_position` is NULL when the element is not found".into()),
                    ),
                    // Not strict: appending to a NULL array gives a
                    // one-element array; removing from one gives NULL.
                    "array_remove" => {
                        V::known(t, args[array_at].0.nullable, args[array_at].0.why.clone())
                    }
                    _ => V::non_null(t),
                })
            }
            "current_setting" => {
                // `current_setting(name)` raises an error for an unknown
                // setting; with `missing_ok` it returns NULL instead.
                arity(self, &[1, 2])?;
                self.fixed_argument(&args[0].0, &ty("text"), args[0].1)?;
                if let Some((v, s)) = args.get(1) {
                    self.fixed_argument(v, &ty("boolean"), *s)?;
                    return Ok(V::known(
                        ty("text"),
                        true,
                        Some(
                            "`current_setting(name, true)` is NULL for a setting that is not set"
                                .into(),
                        ),
                    ));
                }
                Ok(V::known(ty("text"), snull, swhy))
            }
            "coalesce" => {
                let vals: Vec<V> = args.iter().map(|(v, _)| v.clone()).collect();
                let mut v = self.unify(&vals, span)?;
                let any_non_null = vals.iter().any(|v| !v.nullable);
                v.nullable = !any_non_null;
                v.why = if v.nullable {
                    Some("every argument of `coalesce` can be NULL".into())
                } else {
                    None
                };
                Ok(v)
            }
            "greatest" | "least" => {
                let vals: Vec<V> = args.iter().map(|(v, _)| v.clone()).collect();
                let mut v = self.unify(&vals, span)?;
                v.nullable = vals.iter().all(|v| v.nullable);
                v.why = v
                    .nullable
                    .then(|| format!("every argument of `{name}` can be NULL"));
                Ok(v)
            }
            "nullif" => {
                arity(self, &[2])?;
                let (a, sa) = &args[0];
                let (b, _) = &args[1];
                self.compare(a, b, *sa)?;
                // An untyped first argument takes the second's type, as
                // the `=` it implies resolves it.
                match a.known_type().or(b.known_type()) {
                    // The result is the left operand as `=` sees it.
                    Some(t) => Ok(V::known(
                        self.operand(t),
                        true,
                        Some("`nullif` is NULL when its arguments are equal".into()),
                    )),
                    None => Err(self.unsupported(
                        span,
                        "cannot infer the type of `nullif`'s first argument",
                        "cast it to the type you mean, e.g. `$n::text`",
                    )),
                }
            }
            "lower" | "upper" | "initcap" | "md5" | "reverse" => text_result(self, &[1]),
            "btrim" | "ltrim" | "rtrim" => text_result(self, &[1, 2]),
            "left" | "right" | "repeat" => text_result(self, &[2]),
            "lpad" | "rpad" => {
                arity(self, &[2, 3])?;
                self.text_operand(&args[0].0, args[0].1)?;
                self.coerce(&args[1].0, &ty("integer"), args[1].1)?;
                if let Some((v, s)) = args.get(2) {
                    self.text_operand(v, *s)?;
                }
                Ok(V::known(ty("text"), snull, swhy))
            }
            "replace" => text_result(self, &[3]),
            "split_part" => {
                arity(self, &[3])?;
                self.text_operand(&args[0].0, args[0].1)?;
                self.text_operand(&args[1].0, args[1].1)?;
                self.coerce(&args[2].0, &ty("integer"), args[2].1)?;
                Ok(V::known(ty("text"), snull, swhy))
            }
            "length" | "char_length" | "character_length" | "octet_length" => {
                arity(self, &[1])?;
                self.text_operand(&args[0].0, args[0].1)?;
                Ok(V::known(ty("integer"), snull, swhy))
            }
            "strpos" => {
                arity(self, &[2])?;
                self.text_operand(&args[0].0, args[0].1)?;
                self.text_operand(&args[1].0, args[1].1)?;
                Ok(V::known(ty("integer"), snull, swhy))
            }
            "starts_with" => {
                arity(self, &[2])?;
                self.text_operand(&args[0].0, args[0].1)?;
                self.text_operand(&args[1].0, args[1].1)?;
                Ok(V::known(ty("boolean"), snull, swhy))
            }
            "concat" => {
                for (v, s) in &args {
                    if matches!(v.t, T::Param(_)) {
                        self.coerce(v, &ty("text"), *s)?;
                    }
                }
                Ok(V::non_null(ty("text")))
            }
            // `concat_ws(sep, ...)` and `format(fmt, VARIADIC "any")`: NULL
            // only for a NULL first argument (other NULLs print as nothing).
            "concat_ws" | "format" => {
                if args.is_empty() {
                    let what = if name == "format" {
                        "a format string"
                    } else {
                        "a separator"
                    };
                    return Err(self.err(span, format!("`{name}` needs {what}"), None));
                }
                self.text_operand(&args[0].0, args[0].1)?;
                for (v, s) in &args[1..] {
                    if matches!(v.t, T::Param(_)) {
                        self.coerce(v, &ty("text"), *s)?;
                    }
                }
                Ok(V::known(
                    ty("text"),
                    args[0].0.nullable,
                    args[0].0.why.clone(),
                ))
            }
            "now"
            | "current_timestamp"
            | "transaction_timestamp"
            | "statement_timestamp"
            | "clock_timestamp" => {
                arity(self, &[0])?;
                Ok(V::non_null(ty("timestamp with time zone")))
            }
            "current_date" => {
                arity(self, &[0])?;
                Ok(V::non_null(ty("date")))
            }
            "gen_random_uuid" => {
                arity(self, &[0])?;
                Ok(V::non_null(ty("uuid")))
            }
            "random" => {
                arity(self, &[0])?;
                Ok(V::non_null(ty("double precision")))
            }
            "abs" => {
                arity(self, &[1])?;
                match arg_ty(self, 0) {
                    Some(t) if numeric_rank(&t).is_some() => Ok(V::known(t, snull, swhy)),
                    _ => Err(self.unsupported(
                        span,
                        "cannot infer the type of `abs`'s argument",
                        "cast it: `abs($n::numeric)`",
                    )),
                }
            }
            "round" | "trunc" => {
                arity(self, &[1, 2])?;
                if let Some((v, s)) = args.get(1) {
                    self.coerce(v, &ty("integer"), *s)?;
                    self.coerce(&args[0].0, &ty("numeric"), args[0].1)?;
                    return Ok(V::known(ty("numeric"), snull, swhy));
                }
                match arg_ty(self, 0).as_ref().and_then(builtin_name) {
                    Some("numeric") => Ok(V::known(ty("numeric"), snull, swhy)),
                    Some("smallint" | "integer" | "bigint" | "real" | "double precision") => {
                        Ok(V::known(ty("double precision"), snull, swhy))
                    }
                    _ => Err(self.unsupported(
                        span,
                        format!("cannot infer the type of `{name}`'s argument"),
                        format!("cast it: `{name}($n::numeric)`"),
                    )),
                }
            }
            "mod" => {
                arity(self, &[2])?;
                let (a, b) = (arg_ty(self, 0), arg_ty(self, 1));
                let t = match (&a, &b) {
                    (Some(x), Some(y)) => match (numeric_rank(x), numeric_rank(y)) {
                        (Some(p), Some(q)) if p.max(q) <= 3 => {
                            if p >= q {
                                x.clone()
                            } else {
                                y.clone()
                            }
                        }
                        _ => {
                            return Err(self.unsupported(
                                span,
                                "secure-pg types `mod` on integers and numeric",
                                cast_help,
                            ))
                        }
                    },
                    (Some(x), None) | (None, Some(x))
                        if numeric_rank(x).is_some_and(|r| r <= 3) =>
                    {
                        x.clone()
                    }
                    _ => {
                        return Err(self.unsupported(
                            span,
                            "cannot infer the types of `mod`'s arguments",
                            "cast them: `mod($1::integer, $2::integer)`",
                        ))
                    }
                };
                for (v, s) in &args {
                    self.coerce(v, &t, *s)?;
                }
                Ok(V::known(t, snull, swhy))
            }
            "date_trunc" => {
                arity(self, &[2, 3])?;
                self.coerce(&args[0].0, &ty("text"), args[0].1)?;
                match arg_ty(self, 1).as_ref().and_then(builtin_name) {
                    Some(
                        t @ ("timestamp with time zone"
                        | "timestamp without time zone"
                        | "interval"),
                    ) => Ok(V::known(ty(t), snull, swhy)),
                    Some("date") => Ok(V::known(ty("timestamp with time zone"), snull, swhy)),
                    _ => Err(self.unsupported(
                        span,
                        "cannot infer the type `date_trunc` truncates",
                        "cast it: `date_trunc('day', $n::timestamptz)`",
                    )),
                }
            }
            "date_part" => {
                arity(self, &[2])?;
                self.coerce(&args[0].0, &ty("text"), args[0].1)?;
                if arg_ty(self, 1).is_none() {
                    return Err(self.unsupported(
                        span,
                        "cannot infer the type `date_part` reads",
                        "cast it: `$n::timestamptz`",
                    ));
                }
                Ok(V::known(ty("double precision"), snull, swhy))
            }
            "to_char" => {
                arity(self, &[2])?;
                if arg_ty(self, 0).is_none() {
                    return Err(self.unsupported(
                        span,
                        "cannot infer the type `to_char` formats",
                        "cast it: `$n::timestamptz`",
                    ));
                }
                self.coerce(&args[1].0, &ty("text"), args[1].1)?;
                Ok(V::known(ty("text"), snull, swhy))
            }
            "jsonb_build_object" | "json_build_object" | "jsonb_build_array"
            | "json_build_array" => {
                for (v, s) in &args {
                    match &v.t {
                        T::Param(n) => {
                            return Err(self.err(
                                *s,
                                format!(
                                    "cannot infer the type of `${n}` as an argument of `{name}`"
                                ),
                                Some(format!("write the type you mean: `${n}::text`")),
                            ))
                        }
                        T::Lit(_) => self.coerce(v, &ty("text"), *s)?,
                        _ => {}
                    }
                }
                Ok(V::non_null(ty(if name.starts_with("jsonb") {
                    "jsonb"
                } else {
                    "json"
                })))
            }
            "row_to_json" => {
                arity(self, &[1, 2])?;
                if arg_ty(self, 0).is_none_or(|t| {
                    t != ty("record") && !matches!(t.base, crate::schema::BaseType::Composite(_))
                }) {
                    return Err(self.unsupported(
                        args[0].1,
                        "`row_to_json` takes a row: a table's name or alias, or a composite value",
                        "pass the row, or use `to_json(...)` for another value",
                    ));
                }
                if let Some((v, s)) = args.get(1) {
                    self.coerce(v, &ty("boolean"), *s)?;
                }
                let (n, w) = strict(&vs[..1]);
                Ok(V::known(ty("json"), n, w))
            }
            "to_jsonb" | "to_json" => {
                arity(self, &[1])?;
                if arg_ty(self, 0).is_none() {
                    return Err(self.unsupported(
                        span,
                        format!("cannot infer the type `{name}` converts"),
                        "cast it: `$n::text`",
                    ));
                }
                Ok(V::known(
                    ty(if name == "to_jsonb" { "jsonb" } else { "json" }),
                    snull,
                    swhy,
                ))
            }
            "array_length" => {
                arity(self, &[2])?;
                if !args[0].0.known_type().is_some_and(|t| t.array) {
                    return Err(self.unsupported(
                        span,
                        "cannot infer the array type of `array_length`",
                        "cast it: `$n::integer[]`",
                    ));
                }
                self.coerce(&args[1].0, &ty("integer"), args[1].1)?;
                Ok(V::known(
                    ty("integer"),
                    true,
                    Some("`array_length` is NULL for an empty array".into()),
                ))
            }
            "cardinality" => {
                arity(self, &[1])?;
                if !args[0].0.known_type().is_some_and(|t| t.array) {
                    return Err(self.unsupported(
                        span,
                        "cannot infer the array type of `cardinality`",
                        "cast it: `$n::integer[]`",
                    ));
                }
                Ok(V::known(ty("integer"), snull, swhy))
            }
            _ => Err(self.unsupported(
                span,
                format!("secure-pg does not know the result type of `{name}(...)`"),
                cast_help,
            )),
        }
    }

    fn aggregate(
        &mut self,
        name: &str,
        args: &[(V, Span)],
        star: bool,
        grouped: bool,
        span: Span,
        cast_help: &str,
    ) -> R<V> {
        if name == "count" {
            return Ok(V::non_null(ty("bigint")));
        }
        let Some((a, s)) = args.first() else {
            return Err(self.err(span, format!("`{name}` needs an argument"), None));
        };
        let _ = star;
        // With GROUP BY every group has a row, so the aggregate of a
        // non-null argument is non-null; without it the input may be empty.
        let (nullable, why) = if !grouped {
            (
                true,
                Some(format!(
                    "`{name}(...)` is NULL when there are no rows (no GROUP BY)"
                )),
            )
        } else if a.nullable {
            (true, a.why.clone())
        } else {
            (false, None)
        };
        let t = a.known_type().map(|t| self.base_of(t));
        let out = |t: SqlType| Ok(V::known(t, nullable, why.clone()));
        let Some(t) = t else {
            return Err(self.unsupported(
                *s,
                format!("cannot infer the type of `{name}`'s argument"),
                "cast it to the type you mean, e.g. `$n::bigint`".to_string(),
            ));
        };
        let n = builtin_name(&t);
        match name {
            "sum" => match n {
                Some("smallint" | "integer") => out(ty("bigint")),
                Some("bigint" | "numeric") => out(ty("numeric")),
                Some(x @ ("real" | "double precision" | "interval" | "money")) => out(ty(x)),
                _ => Err(self.unsupported(
                    span,
                    format!("secure-pg cannot type `sum` of `{t}`"),
                    cast_help,
                )),
            },
            "avg" => match n {
                Some("smallint" | "integer" | "bigint" | "numeric") => out(ty("numeric")),
                Some("real" | "double precision") => out(ty("double precision")),
                Some("interval") => out(ty("interval")),
                _ => Err(self.unsupported(
                    span,
                    format!("secure-pg cannot type `avg` of `{t}`"),
                    cast_help,
                )),
            },
            "min" | "max" => {
                let t = if n == Some("character varying") {
                    ty("text")
                } else {
                    strip_typmod(&t)
                };
                if t.array
                    || is_string(&t)
                    || builtin_name(&t).is_some()
                    || matches!(t.base, crate::schema::BaseType::Enum(_))
                {
                    out(t)
                } else {
                    Err(self.unsupported(
                        span,
                        format!("secure-pg cannot type `{name}` of `{t}`"),
                        cast_help,
                    ))
                }
            }
            "bool_and" | "bool_or" | "every" => {
                self.coerce(a, &ty("boolean"), *s)?;
                out(ty("boolean"))
            }
            "string_agg" => {
                if args.len() != 2 {
                    return Err(self.err(span, "`string_agg` takes two arguments", None));
                }
                self.text_operand(a, *s)?;
                self.coerce(&args[1].0, &ty("text"), args[1].1)?;
                out(ty("text"))
            }
            "array_agg" => {
                if t.array {
                    return Err(self.unsupported(
                        span,
                        "secure-pg cannot type `array_agg` of arrays",
                        cast_help,
                    ));
                }
                // Element nullability is not tracked; the array itself
                // follows the aggregate rule.
                out(strip_typmod(&t).into_array())
            }
            "jsonb_agg" => out(ty("jsonb")),
            "json_agg" => out(ty("json")),
            _ => Err(self.unsupported(span, format!("secure-pg cannot type `{name}`"), cast_help)),
        }
    }
}

impl Cx<'_> {
    /// An argument of a function with a fixed signature: a parameter or a
    /// literal takes the argument's type; a typed value must reach it by an
    /// implicit cast (the same type, a wider number, a string type for a
    /// string).
    /// `percentile_cont(f) WITHIN GROUP (ORDER BY x)` (of a
    /// `double precision` or an `interval`), `percentile_disc(f)` and
    /// `mode()` (of any type, which they return): `f` is a `double
    /// precision`, or an array of them for an array of results. NULL over
    /// no rows.
    fn ordered_set(&mut self, name: &str, f: &Function, scope: &Scope<'_>, span: Span) -> R<V> {
        let help = "cast the call: `(...)::type`";
        let [order] = f.within_group.as_slice() else {
            return Err(self.unsupported(
                span,
                format!("`{name}` orders by one value"),
                "write one `ORDER BY` value in `WITHIN GROUP (...)`",
            ));
        };
        let x = self.expr(&order.expr, scope)?;
        let Some(xt) = x.known_type().map(|t| strip_typmod(&self.base_of(t))) else {
            return Err(self.unsupported(
                order.expr.span(),
                format!("cannot infer the type `{name}` orders by"),
                "cast it: `(...)::double precision`",
            ));
        };
        let args: Vec<&sqlparser::ast::Expr> = match &f.args {
            FunctionArguments::None => Vec::new(),
            FunctionArguments::List(l)
                if l.clauses.is_empty() && l.duplicate_treatment.is_none() =>
            {
                let mut out = Vec::new();
                for a in &l.args {
                    match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => out.push(e),
                        _ => {
                            return Err(self.unsupported(
                                span,
                                "secure-pg cannot type this call form",
                                help,
                            ))
                        }
                    }
                }
                out
            }
            _ => return Err(self.unsupported(span, "secure-pg cannot type this call form", help)),
        };
        let float = ty("double precision");
        let mut array = false;
        match (name, args.as_slice()) {
            ("mode", []) => {}
            ("percentile_cont" | "percentile_disc", [fraction]) => {
                let v = self.expr(fraction, scope)?;
                match v.known_type().map(|t| self.base_of(t)) {
                    Some(t) if t.array && strip_typmod(&t) == float.clone().into_array() => {
                        array = true
                    }
                    Some(t) if super::user_functions::implicitly_cast(&t, &float) => {}
                    Some(t) => {
                        return Err(self.unsupported(
                            fraction.span(),
                            format!("`{name}` takes a fraction (`double precision`), not `{t}`"),
                            "cast it: `(...)::double precision`",
                        ))
                    }
                    // PostgreSQL cannot pick between the `double
                    // precision` and the array form either.
                    None => {
                        return Err(self.err(
                            fraction.span(),
                            format!("the server cannot tell which form of `{name}` this fraction picks"),
                            Some(
                                "cast it: `(...)::double precision`, or `(...)::double precision[]` for several"
                                    .into(),
                            ),
                        ))
                    }
                }
            }
            _ => {
                return Err(self.err(
                    span,
                    format!(
                        "`{name}` takes {} here",
                        if name == "mode" {
                            "no argument"
                        } else {
                            "one fraction"
                        }
                    ),
                    None,
                ))
            }
        }
        let out = match name {
            "percentile_cont" if xt == ty("interval") => xt,
            "percentile_cont" if super::user_functions::implicitly_cast(&xt, &float) && !xt.array => float,
            "percentile_cont" => {
                return Err(self.unsupported(
                    order.expr.span(),
                    format!("`percentile_cont` interpolates a `double precision` or an `interval`, not `{xt}`"),
                    "cast it: `(...)::double precision`, or use `percentile_disc`",
                ))
            }
            _ => xt,
        };
        let out = if array { out.into_array() } else { out };
        Ok(V::known(
            out,
            true,
            Some(format!("`{name}(...)` is NULL over no rows")),
        ))
    }

    /// A whole-row reference (`w` of `FROM widgets w`) as the argument of
    /// a function that turns any row into JSON: a `record`, NULL only
    /// where the relation's columns all are (the side an outer join may
    /// leave out). `None` when `e` is not one (a column of that name wins,
    /// as in PostgreSQL), or `function` is not such a function.
    fn whole_row(&self, function: &str, e: &sqlparser::ast::Expr, scope: &Scope<'_>) -> Option<V> {
        const ROW_TO_JSON: &[&str] = &[
            "to_jsonb",
            "to_json",
            "row_to_json",
            "jsonb_agg",
            "json_agg",
        ];
        let sqlparser::ast::Expr::Identifier(i) = e else {
            return None;
        };
        if !ROW_TO_JSON.contains(&function) {
            return None;
        }
        let name = super::name_of(i);
        if !matches!(self.resolve_unqualified(scope, &name, e.span()), Ok(None)) {
            return None;
        }
        let rels = super::query::all_rels(scope);
        let rel = rels.iter().find(|r| r.alias == name && !r.partial)?;
        let nullable = !rel.cols.is_empty() && rel.cols.iter().all(|c| c.nullable);
        Some(V::known(
            ty("record"),
            nullable,
            nullable.then(|| format!("every column of `{}` can be NULL here", rel.label)),
        ))
    }

    /// The form of a [`FIXED`] function a call resolves to, as PostgreSQL
    /// resolves it: among the forms whose argument count fits and whose
    /// parameters take every argument of known type (itself or by an
    /// implicit cast), the one matching the most of them exactly. Forms
    /// that tie resolve to the first listed: the forms of one function
    /// listed here differ in types of one category, and the first has the
    /// category's preferred type, which PostgreSQL then picks (for
    /// arguments of unknown type, and for those that are cast).
    fn fixed_form<'f>(
        &mut self,
        name: &str,
        forms: &[&'f Fixed],
        args: &[(V, Span)],
        span: Span,
    ) -> R<&'f Fixed> {
        if let [only] = forms {
            return Ok(only);
        }
        let mut best: Option<(usize, Vec<&'f Fixed>)> = None;
        for form in forms {
            if !fixed_arity(form).contains(&args.len()) {
                continue;
            }
            let mut exact = 0;
            let fits = args.iter().zip(form.1.iter()).all(|((v, _), p)| {
                let Some(t) = v.known_type() else {
                    return true;
                };
                let (t, want) = (
                    strip_typmod(&self.base_of(t)),
                    fixed_ty(p.trim_end_matches('?')),
                );
                if t == strip_typmod(&want) {
                    exact += 1;
                    true
                } else {
                    super::user_functions::implicitly_cast(&t, &want)
                }
            });
            if !fits {
                continue;
            }
            match &mut best {
                Some((n, tied)) if *n == exact => tied.push(form),
                Some((n, _)) if *n > exact => {}
                _ => best = Some((exact, vec![form])),
            }
        }
        let forms_list = || {
            forms
                .iter()
                .map(|f| format!("`{name}({})`", f.1.join(", ")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match best {
            Some((_, tied)) => Ok(tied[0]),
            None => Err(self.unsupported(
                span,
                format!(
                    "no form of `{name}` takes these arguments: {}",
                    forms_list()
                ),
                "cast the arguments to the types of one of them",
            )),
        }
    }

    pub(crate) fn fixed_argument(&mut self, v: &V, want: &SqlType, span: Span) -> R<()> {
        if let Some(t) = v.known_type() {
            let t = self.base_of(t);
            if !super::user_functions::implicitly_cast(&t, want) {
                return Err(self.unsupported(
                    span,
                    format!("secure-pg expects `{want}` here, not `{t}`"),
                    format!("cast it: `(...)::{want}`"),
                ));
            }
        }
        self.coerce(v, want, span)
    }
}
