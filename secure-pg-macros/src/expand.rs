//! Parsing the input of the query macros and generating their code.
//!
//! The tenant module reuses [`QueryInput`], [`check_sql`] and
//! [`expand_checked`] to expand queries whose SQL it has rewritten.

use proc_macro2::{Literal, Span, TokenStream as TokenStream2};
use quote::{quote, quote_spanned, ToTokens};
use secure_pg_sql::check::{analyze, Mode, SqlInfo};
use syn::parse::{Parse, ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Expr, Lit, LitStr, Token, Type};

/// Which query macro is being expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MacroKind {
    /// `secure_query!`
    Query,
    /// `secure_query_as!`
    QueryAs,
    /// `secure_query_unparsed!`
    QueryUnparsed,
    /// `secure_query_as_unparsed!`
    QueryAsUnparsed,
}

impl MacroKind {
    /// The macro's name, with the `!`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            MacroKind::Query => "secure_query!",
            MacroKind::QueryAs => "secure_query_as!",
            MacroKind::QueryUnparsed => "secure_query_unparsed!",
            MacroKind::QueryAsUnparsed => "secure_query_as_unparsed!",
        }
    }

    /// Whether the macro takes a row type before the SQL.
    pub(crate) fn has_row_type(self) -> bool {
        matches!(self, MacroKind::QueryAs | MacroKind::QueryAsUnparsed)
    }

    /// How the SQL is checked.
    pub(crate) fn mode(self) -> Mode {
        match self {
            MacroKind::Query => Mode::Parsed {
                escape_hatch: MacroKind::QueryUnparsed.name(),
            },
            MacroKind::QueryAs => Mode::Parsed {
                escape_hatch: MacroKind::QueryAsUnparsed.name(),
            },
            MacroKind::QueryUnparsed | MacroKind::QueryAsUnparsed => Mode::Unparsed,
        }
    }
}

/// The parsed input of a query macro:
/// `[unscoped = "reason",] [RowType,] "SQL" [, arg]*`.
pub(crate) struct QueryInput {
    /// Written by `#[tenant_scoped]` (a leading `__scoped_by_attribute,`):
    /// the attribute scoped this query, or left it to this macro's own
    /// errors, so the tenant-table rule of queries outside the attribute
    /// does not apply.
    pub(crate) scoped_by_attribute: bool,
    /// The reason given with `unscoped = "..."` (already checked non-empty).
    pub(crate) unscoped: Option<LitStr>,
    /// The row type of the `_as` forms.
    pub(crate) row_type: Option<Type>,
    /// The SQL literal.
    pub(crate) sql: LitStr,
    /// The arguments, bound to `$1`, `$2` ... in order.
    pub(crate) args: Vec<Expr>,
    /// A dynamic query's parts after `;` (empty for one statement).
    pub(crate) parts: Vec<crate::dynamic::DynPart>,
    /// A dynamic query scoped by `#[tenant_scoped]`: every variant's
    /// rewritten SQL (`__variants["...", ...],` after the marker), in the
    /// order of `secure_pg_sql::dynamic::variants`.
    pub(crate) scoped_variants: Option<Vec<LitStr>>,
    /// The tenant those variants bind after their own values
    /// (`__tenant_value(captured),`).
    pub(crate) tenant_value: Option<Expr>,
}

impl std::fmt::Debug for QueryInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryInput")
            .field("scoped_by_attribute", &self.scoped_by_attribute)
            .field("unscoped", &self.unscoped.as_ref().map(LitStr::value))
            .field(
                "row_type",
                &self
                    .row_type
                    .as_ref()
                    .map(|t| t.to_token_stream().to_string()),
            )
            .field("sql", &self.sql.value())
            .field("args", &self.args.len())
            .field("parts", &self.parts.len())
            .finish()
    }
}

impl QueryInput {
    /// The macro's input again, after `prefix` (the attribute's marker or
    /// `unscoped = ..,`): the row type, the literal, the arguments.
    pub(crate) fn tokens_after(&self, prefix: TokenStream2) -> TokenStream2 {
        let (ty, lit, args) = (
            self.row_type.as_ref().map(|ty| quote!(#ty,)),
            &self.sql,
            &self.args,
        );
        let parts = &self.parts;
        quote!(#prefix #ty #lit #(, #args)* #(#parts)*)
    }

    /// Parses `tokens` as the input of the macro `kind`.
    pub(crate) fn parse_tokens(tokens: TokenStream2, kind: MacroKind) -> syn::Result<Self> {
        (|input: ParseStream<'_>| Self::parse_for(input, kind)).parse2(tokens)
    }

    /// Parses the input of the macro `kind`.
    pub(crate) fn parse_for(input: ParseStream<'_>, kind: MacroKind) -> syn::Result<Self> {
        let scoped_by_attribute = input
            .fork()
            .parse::<syn::Ident>()
            .is_ok_and(|i| i == SCOPED_MARKER)
            && input.peek2(Token![,]);
        let mut scoped_variants = None;
        let mut tenant_value = None;
        if scoped_by_attribute {
            input.parse::<syn::Ident>()?;
            input.parse::<Token![,]>()?;
            if input
                .fork()
                .parse::<syn::Ident>()
                .is_ok_and(|i| i == "__variants")
            {
                input.parse::<syn::Ident>()?;
                let list;
                syn::bracketed!(list in input);
                let lits = list.parse_terminated(<LitStr as Parse>::parse, Token![,])?;
                input.parse::<Token![,]>()?;
                scoped_variants = Some(lits.into_iter().collect());
            }
            if input
                .fork()
                .parse::<syn::Ident>()
                .is_ok_and(|i| i == "__tenant_value")
            {
                input.parse::<syn::Ident>()?;
                let value;
                syn::parenthesized!(value in input);
                tenant_value = Some(value.parse::<Expr>()?);
                input.parse::<Token![,]>()?;
            }
        }
        let unscoped = parse_unscoped(input)?;
        let row_type = if kind.has_row_type() {
            if input.peek(LitStr) {
                return Err(input.error(format!(
                    "`{}` needs the row type before the SQL, e.g. \
                     `{0}(Widget, \"SELECT id, name FROM widgets WHERE id = $1\", id)`; \
                     use `secure_query!` when no row type is wanted",
                    kind.name()
                )));
            }
            let ty: Type = input.parse()?;
            if input.is_empty() {
                return Err(input.error(format!(
                    "expected `,` and the SQL string literal after the row type, e.g. \
                     `{}({}, \"SELECT ...\")`",
                    kind.name(),
                    ty.to_token_stream()
                )));
            }
            input.parse::<Token![,]>()?;
            Some(ty)
        } else {
            None
        };
        let sql = parse_sql_literal(input, kind)?;
        let mut args = Vec::new();
        if !input.is_empty() && !input.peek(Token![;]) {
            if !input.peek(Token![,]) {
                return Err(input.error(
                    "expected `,` after the SQL literal, followed by the arguments for $1, $2 ...",
                ));
            }
            input.parse::<Token![,]>()?;
            // The arguments, up to the end or to the `;` of a dynamic
            // query's parts.
            while !input.is_empty() && !input.peek(Token![;]) {
                args.push(input.parse::<Expr>()?);
                if input.is_empty() || input.peek(Token![;]) {
                    break;
                }
                input.parse::<Token![,]>()?;
            }
        }
        let parts = crate::dynamic::parse_parts(input)?;
        Ok(QueryInput {
            scoped_by_attribute,
            unscoped,
            row_type,
            sql,
            args,
            parts,
            scoped_variants,
            tenant_value,
        })
    }
}

impl Parse for QueryInput {
    /// Parses either form, telling `secure_query!` from `secure_query_as!`
    /// input by whether a type and `,` come before the string literal.
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let fork = input.fork();
        let _ = parse_unscoped(&fork);
        let typed = !fork.peek(LitStr)
            && fork.parse::<Type>().is_ok()
            && fork.parse::<Token![,]>().is_ok()
            && fork.peek(LitStr);
        let kind = if typed {
            MacroKind::QueryAs
        } else {
            MacroKind::Query
        };
        Self::parse_for(input, kind)
    }
}

/// The token `#[tenant_scoped]` puts before the input of every query it
/// handled.
pub(crate) const SCOPED_MARKER: &str = "__scoped_by_attribute";

/// Parses an optional leading `unscoped = "reason",`.
pub(crate) fn parse_unscoped(input: ParseStream<'_>) -> syn::Result<Option<LitStr>> {
    let is_unscoped = input
        .fork()
        .parse::<syn::Ident>()
        .is_ok_and(|i| i == "unscoped")
        && input.peek2(Token![=]);
    if !is_unscoped {
        return Ok(None);
    }
    // Accepted by the unparsed forms too: with a schema, one that names a
    // tenant table outside `#[tenant_scoped]` must say why (see
    // `schema_check::tenant_rule`); inside the attribute they are refused.
    let _key: syn::Ident = input.parse()?;
    input.parse::<Token![=]>()?;
    let reason = match input.parse::<Lit>() {
        Ok(Lit::Str(reason)) => reason,
        Ok(other) => {
            return Err(syn::Error::new(
                other.span(),
                "the `unscoped` reason must be a string literal, e.g. \
                 `unscoped = \"monthly billing across tenants\"`",
            ))
        }
        Err(e) => {
            return Err(syn::Error::new(
                e.span(),
                "the `unscoped` reason must be a string literal, e.g. \
                 `unscoped = \"monthly billing across tenants\"`",
            ))
        }
    };
    if reason.value().trim().is_empty() {
        return Err(syn::Error::new(
            reason.span(),
            "the `unscoped` reason must not be empty; say why this query may read or \
             write across tenants, e.g. `unscoped = \"monthly billing across tenants\"`",
        ));
    }
    if !input.peek(Token![,]) {
        return Err(
            input.error("expected `,` and the SQL string literal after the `unscoped` reason")
        );
    }
    input.parse::<Token![,]>()?;
    Ok(Some(reason))
}

const LITERAL_HELP: &str = "write the SQL inline and pass values as `$1`, `$2` ... arguments";

/// Parses the SQL string literal, explaining what to write instead when the
/// SQL is anything else.
fn parse_sql_literal(input: ParseStream<'_>, kind: MacroKind) -> syn::Result<LitStr> {
    if input.is_empty() {
        return Err(input.error(format!(
            "expected the SQL as a string literal, e.g. \
             `{}(\"SELECT name FROM widgets WHERE id = $1\", id)`",
            kind.name()
        )));
    }
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        if input.peek(Token![+]) || input.peek(Token![.]) {
            let rest: TokenStream2 = input.parse()?;
            return Err(syn::Error::new_spanned(
                quote!(#lit #rest),
                format!(
                    "SQL must be a single string literal, not an expression that joins or \
                     changes strings at run time (how injection happens); {LITERAL_HELP}"
                ),
            ));
        }
        if !lit.suffix().is_empty() {
            return Err(syn::Error::new(
                lit.span(),
                format!("remove the `{}` suffix from the SQL literal", lit.suffix()),
            ));
        }
        return Ok(lit);
    }
    let fork = input.fork();
    let message = match fork.parse::<Expr>() {
        Ok(expr) => {
            let message = non_literal_message(&expr);
            return Err(syn::Error::new_spanned(expr, message));
        }
        Err(_) => format!(
            "expected the SQL as a string literal, e.g. `{}(\"SELECT ...\", args...)`",
            kind.name()
        ),
    };
    Err(input.error(message))
}

/// Why `expr` is not accepted as SQL, and what to write instead.
fn non_literal_message(expr: &Expr) -> String {
    match expr {
        Expr::Group(group) => non_literal_message(&group.expr),
        Expr::Lit(lit) => match &lit.lit {
            Lit::ByteStr(_) => {
                "SQL must be a normal string literal, not a byte string; remove the `b` prefix"
                    .to_owned()
            }
            Lit::CStr(_) => {
                "SQL must be a normal string literal, not a C string; remove the `c` prefix"
                    .to_owned()
            }
            _ => format!(
                "SQL must be a string literal, found a {} literal; write the SQL in double quotes",
                match &lit.lit {
                    Lit::Int(_) => "integer",
                    Lit::Float(_) => "float",
                    Lit::Bool(_) => "boolean",
                    Lit::Char(_) | Lit::Byte(_) => "character",
                    _ => "non-string",
                }
            ),
        },
        Expr::Path(_) => format!(
            "SQL must be a string literal written in the macro call, not a variable or \
             const: the macro can only check SQL it can see; {LITERAL_HELP}"
        ),
        Expr::Macro(m) => {
            let name = m
                .mac
                .path
                .segments
                .last()
                .map_or_else(String::new, |s| s.ident.to_string());
            match name.as_str() {
                "format" => "SQL must be a string literal, not `format!(...)`: `format!` builds \
                    SQL at run time, which is how injection happens; write the SQL as a \
                    literal and pass values as `$n` arguments"
                    .to_owned(),
                "concat" => "SQL must be a single string literal, not `concat!(...)`: `concat!` \
                    is expanded after this macro runs, so the SQL cannot be checked; join the \
                    pieces into one literal (a raw string `r#\"...\"#` can span lines)"
                    .to_owned(),
                "include_str" => "SQL must be a string literal written in the macro call, not \
                    `include_str!(...)`: the macro cannot check SQL read from a file; copy the \
                    SQL into the call (a raw string `r#\"...\"#` can span lines)"
                    .to_owned(),
                _ => format!(
                    "SQL must be a string literal, not a macro call: `{name}!` produces its \
                     text after this macro has run, so the SQL cannot be checked; {LITERAL_HELP}"
                ),
            }
        }
        Expr::MethodCall(call) => format!(
            "SQL must be a string literal, not a method call: `.{}(...)` produces the SQL at \
             run time, so it cannot be checked; {LITERAL_HELP}",
            call.method
        ),
        Expr::Call(_) => format!(
            "SQL must be a string literal, not a function call: the SQL would only exist at \
             run time, so it cannot be checked; {LITERAL_HELP}"
        ),
        Expr::Binary(_) => format!(
            "SQL must be a single string literal, not an expression that joins or changes \
             strings at run time (how injection happens); {LITERAL_HELP}"
        ),
        Expr::Reference(_) | Expr::Field(_) | Expr::Index(_) | Expr::Unary(_) => format!(
            "SQL must be a string literal written in the macro call, not a value computed at \
             run time: the macro can only check SQL it can see; {LITERAL_HELP}"
        ),
        _ => format!("SQL must be a string literal written in the macro call; {LITERAL_HELP}"),
    }
}

/// Parses and expands the macro `kind`; errors become `compile_error!`s.
pub(crate) fn run(tokens: TokenStream2, kind: MacroKind) -> TokenStream2 {
    QueryInput::parse_tokens(tokens, kind)
        .and_then(|input| expand_query(input, kind))
        .unwrap_or_else(errors_as_expression)
}

/// Every error as a `compile_error!`, in one block whose value is the last
/// of them: the macro stays an (error-typed) expression, so rustc reports
/// each error once and adds nothing of its own.
pub(crate) fn errors_as_expression(error: syn::Error) -> TokenStream2 {
    let errors: Vec<TokenStream2> = error.into_iter().map(|e| e.to_compile_error()).collect();
    match errors.split_last() {
        Some((last, rest)) => quote! { { #(#rest;)* #last } },
        None => TokenStream2::new(),
    }
}

/// Checks the SQL and arguments of `input` and generates the query.
pub(crate) fn expand_query(input: QueryInput, kind: MacroKind) -> syn::Result<TokenStream2> {
    if !input.parts.is_empty() {
        return crate::dynamic::expand(&input, kind);
    }
    let sql = input.sql.value();
    check_sql(&sql, input.sql.span(), &input.args, kind.mode())?;
    // With a schema, the parsed forms are also typed against it; the
    // `_unparsed` forms are the way out of those checks too.
    let schema = match kind.mode() {
        Mode::Parsed { .. } => {
            crate::schema_check::type_statement(&sql, input.sql.span(), input.scoped_by_attribute)?
        }
        Mode::Unparsed => None,
    };
    // The unparsed forms skip the schema checks, but not the tenant rule:
    // the tables are found by name in the text.
    let unparsed_opt_out = match (kind.mode(), input.unscoped.is_some()) {
        (Mode::Unparsed, false) => {
            crate::schema_check::tenant_rule_unparsed(&sql, input.sql.span(), kind)?
        }
        _ => quote!(),
    };
    // Registered in `secure_pg::queries()`, with what the checks found.
    let facts = schema
        .as_ref()
        .map(|s| secure_pg_sql::registry::facts(&sql, &s.loaded.catalog));
    let registered = crate::register::of_query(
        &input,
        kind,
        &sql,
        schema
            .as_ref()
            .zip(facts.as_ref())
            .map(|(s, f)| (&s.typed, f)),
    );
    let query = match &schema {
        None => {
            let query =
                expand_checked(input.row_type.as_ref(), &sql, input.sql.span(), &input.args);
            quote!({ #registered #query #unparsed_opt_out })
        }
        Some(s) => {
            let deps = crate::schema_check::dependencies(&s.loaded.files);
            let rows = match &input.row_type {
                Some(t) => crate::schema_check::row_assertions(t, &s.typed)?,
                None => quote!(),
            };
            let query = expand_typed(
                input.row_type.as_ref(),
                &sql,
                input.sql.span(),
                &input.args,
                &crate::schema_check::binders(&s.typed),
            );
            let wires = crate::schema_check::param_types(&s.wires);
            let opted_out = if input.scoped_by_attribute || input.unscoped.is_some() {
                quote!()
            } else {
                crate::schema_check::tenant_rule(&sql, input.sql.span(), kind, &s.loaded)?
            };
            let views = crate::schema_check::session_through_schema(&sql, &s.loaded);
            quote!({ #deps #rows #registered #query #wires #views #opted_out })
        }
    };
    // `unscoped = "reason"` is an explicit, reviewed exception: such a query
    // may run inside a `#[tenant_scoped]` function's run-time scope (also
    // from a helper the function calls), where unmarked queries fail.
    Ok(if input.unscoped.is_some() {
        quote!(#query.__tenant_scoped_by_attribute())
    } else {
        query
    })
}

/// Checks `sql` (the literal's text, or SQL rewritten from it) against
/// `args`. Errors about the SQL are spanned on `sql_span`; an extra
/// argument's error is spanned on the argument.
pub(crate) fn check_sql(
    sql: &str,
    sql_span: Span,
    args: &[Expr],
    mode: Mode,
) -> syn::Result<SqlInfo> {
    let mut errors: Vec<syn::Error> = Vec::new();
    let info = match analyze(sql, mode) {
        Ok(info) => Some(info),
        Err(diagnostics) => {
            errors.extend(
                diagnostics
                    .iter()
                    .map(|d| syn::Error::new(sql_span, d.render(sql))),
            );
            None
        }
    };
    if let Some(info) = info {
        errors.extend(count_errors(info.placeholders, sql_span, args));
    }
    match (combine(errors), info) {
        (Some(error), _) => Err(error),
        (None, Some(info)) => Ok(info),
        (None, None) => Err(syn::Error::new(sql_span, "the SQL could not be checked")),
    }
}

/// The highest placeholder of a dynamic query's base statement (which may
/// not be a statement by itself: its variants are checked whole), matched
/// against the arguments.
pub(crate) fn base_placeholders(sql: &str, sql_span: Span, args: &[Expr]) -> syn::Result<u32> {
    let toks = secure_pg_sql::lexer::lex(sql).map_err(|e| syn::Error::new(sql_span, e.message))?;
    let highest = toks
        .iter()
        .filter_map(|t| match t {
            secure_pg_sql::lexer::Tok::Placeholder { index, .. } => Some(index.unwrap_or(u32::MAX)),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    match combine(count_errors(highest, sql_span, args)) {
        Some(e) => Err(e),
        None => Ok(highest),
    }
}

/// Errors for a mismatch between the highest placeholder and the arguments.
fn count_errors(placeholders: u32, sql_span: Span, args: &[Expr]) -> Vec<syn::Error> {
    let wanted = placeholders as usize;
    let uses = match wanted {
        0 => "has no placeholders".to_owned(),
        1 => "uses $1".to_owned(),
        n => format!("uses $1..${n}"),
    };
    let given = match args.len() {
        0 => "no arguments were given".to_owned(),
        1 => "1 argument was given".to_owned(),
        n => format!("{n} arguments were given"),
    };
    if args.len() < wanted {
        let missing: Vec<String> = (args.len() + 1..=wanted).map(|n| format!("${n}")).collect();
        let noun = if missing.len() == 1 {
            "argument"
        } else {
            "arguments"
        };
        return vec![syn::Error::new(
            sql_span,
            format!(
                "the SQL {uses} but {given}; add the missing {noun} for {}",
                missing.join(", ")
            ),
        )];
    }
    args.iter()
        .enumerate()
        .skip(wanted)
        .map(|(i, arg)| {
            syn::Error::new_spanned(
                arg,
                format!(
                    "the SQL {uses} but {given}; remove this argument or use it in the SQL as ${}",
                    i + 1
                ),
            )
        })
        .collect()
}

/// Joins errors so they are all reported.
pub(crate) fn combine(errors: impl IntoIterator<Item = syn::Error>) -> Option<syn::Error> {
    errors.into_iter().reduce(|mut all, e| {
        all.combine(e);
        all
    })
}

/// Generates the query expression for SQL that has already been checked
/// (see [`check_sql`]). `sql` may differ from the literal's text (rewritten
/// SQL); `sql_span` is where the string should point.
pub(crate) fn expand_checked(
    row_type: Option<&Type>,
    sql: &str,
    sql_span: Span,
    args: &[Expr],
) -> TokenStream2 {
    expand_typed(row_type, sql, sql_span, args, &[])
}

/// [`expand_checked`], binding argument `i` through
/// `__private::sql::<binders[i]>` (a bound that accepts only the Rust types
/// tokio-postgres binds to the parameter's SQL type, spanned on the
/// argument) where there is one.
pub(crate) fn expand_typed(
    row_type: Option<&Type>,
    sql: &str,
    sql_span: Span,
    args: &[Expr],
    binders: &[Option<&'static str>],
) -> TokenStream2 {
    let session = if secure_pg_sql::session::changes_session(sql) {
        quote!(.__changes_session())
    } else {
        quote!()
    };
    let sql = LitStr::new(sql, sql_span);
    let binds = args
        .iter()
        .enumerate()
        .map(|(i, arg)| match binders.get(i).copied().flatten() {
            Some(f) => {
                let f = syn::Ident::new(f, arg.span());
                quote_spanned!(arg.span()=> ::secure_pg::__private::sql::#f(&(#arg)))
            }
            None => quote_spanned!(arg.span()=> ::secure_pg::__private::bind(&(#arg))),
        });
    match row_type {
        None => quote! {
            ::secure_pg::__private::Query::__unchecked_from_macro(#sql, [#(#binds),*]) #session
        },
        Some(row_type) => {
            let count = Literal::usize_unsuffixed(args.len());
            // Spanned on the row type, so that a type without `FromRow`
            // gets the trait's own message, pointing at the type.
            let constructor = quote_spanned! {row_type.span()=>
                ::secure_pg::__private::query_as_unchecked_from_macro::<#row_type, #count>
            };
            quote! {
                #constructor(#sql, [#(#binds),*]) #session
            }
        }
    }
}

#[cfg(test)]
mod tests;
