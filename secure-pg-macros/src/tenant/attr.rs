//! The Rust side of `#[tenant_scoped]`: options, the tenant argument, the
//! walk over the function body and the generated documentation.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, ToTokens};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Attribute, FnArg, Ident, ItemFn, LitStr, Pat, Signature, Token, Type};

use crate::expand::{MacroKind, QueryInput};
use secure_pg_sql::tenant::{scope_query, Scoped, TenantOptions};

/// Macros whose SQL the attribute rewrites.
const SCOPED_MACROS: &[&str] = &["secure_query", "secure_query_as"];
/// Macros whose SQL is not parsed and therefore cannot be rewritten.
const UNPARSED_MACROS: &[&str] = &["secure_query_unparsed", "secure_query_as_unparsed"];

/// Expands `#[tenant_scoped(attr)] item`. Errors are reported all at once
/// and the (partially rewritten) function is still emitted, so that one
/// mistake does not bury the others under unrelated errors.
pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let opts = match parse_options_keeping(attr) {
        Ok((opts, problem)) => {
            errors.extend(problem);
            opts
        }
        Err(e) => {
            errors.push(e);
            TenantOptions::default()
        }
    };
    let mut function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(e) => {
            let mut out = syn::Error::new(
                e.span(),
                format!("#[tenant_scoped] applies to functions: {e}"),
            )
            .to_compile_error();
            out.extend(item);
            return out;
        }
    };
    let tenant = tenant_argument(&mut function.sig, &mut errors);
    let mut visitor = BodyVisitor {
        opts: &opts,
        tenant: tenant.as_ref(),
        errors: Vec::new(),
        queries: Vec::new(),
    };
    visitor.visit_block_mut(&mut function.block);
    let BodyVisitor {
        errors: body_errors,
        queries,
        ..
    } = visitor;
    errors.extend(body_errors);
    if let Some(tenant) = &tenant {
        function
            .attrs
            .extend(doc_attributes(&opts, tenant, &queries));
    }
    if !errors.is_empty() {
        if let Some(tenant) = &tenant {
            // Queries that were refused are left unrewritten and do not use
            // the tenant: keep rustc from adding an unused-variable warning
            // to the real errors.
            function
                .block
                .stmts
                .insert(0, syn::parse_quote!(let _ = &#tenant;));
        }
    }
    let mut out = function.into_token_stream();
    if let Some(combined) = errors.into_iter().reduce(|mut all, e| {
        all.combine(e);
        all
    }) {
        out.extend(combined.to_compile_error());
    }
    out
}

/// `column = "org_id", exempt = [countries, "currencies"],
/// trusted_functions = [slugify], reason = "..."`.
#[cfg(test)]
pub(crate) fn parse_options(attr: TokenStream) -> syn::Result<TenantOptions> {
    match parse_options_keeping(attr)? {
        (opts, None) => Ok(opts),
        (_, Some(e)) => Err(e),
    }
}

/// [`parse_options`], but a missing or stray `reason` is returned next to
/// the options instead of replacing them, so that the body is checked with
/// the trusted functions the author listed (and the only error is the
/// missing reason).
fn parse_options_keeping(attr: TokenStream) -> syn::Result<(TenantOptions, Option<syn::Error>)> {
    let mut opts = TenantOptions::default();
    let mut trusted: Option<Span> = None;
    let mut reason: Option<LitStr> = None;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("column") {
            let lit: LitStr = meta.value()?.parse()?;
            let column = lit.value();
            if !is_plain_identifier(&column) {
                return Err(syn::Error::new(
                    lit.span(),
                    "the tenant column must be a plain lowercase SQL identifier \
                     (letters, digits and `_`, not starting with a digit)",
                ));
            }
            opts.column = column;
            Ok(())
        } else if meta.path.is_ident("column_type") {
            let lit: LitStr = meta.value()?.parse()?;
            let ty = lit.value();
            if !is_plain_identifier(&ty) {
                return Err(syn::Error::new(
                    lit.span(),
                    "`column_type` must be a plain SQL type name such as \"bigint\", \"integer\", \"uuid\" or \"text\"",
                ));
            }
            opts.column_type = ty;
            Ok(())
        } else if meta.path.is_ident("exempt") {
            opts.exempt.extend(sql_names(meta.value()?)?);
            Ok(())
        } else if meta.path.is_ident("trusted_functions") {
            let span = meta.path.span();
            let names = sql_names(meta.value()?)?;
            if names.is_empty() {
                return Err(syn::Error::new(
                    span,
                    "`trusted_functions` lists no function; remove it, or name the functions \
                     that read no tenant data",
                ));
            }
            opts.trusted_functions.extend(names);
            trusted = Some(span);
            Ok(())
        } else if meta.path.is_ident("reason") {
            let lit: LitStr = meta.value()?.parse()?;
            if lit.value().trim().is_empty() {
                return Err(syn::Error::new(
                    lit.span(),
                    "the reason must say why the trusted functions read no tenant data; \
                     it is shown in the function's documentation",
                ));
            }
            reason = Some(lit);
            Ok(())
        } else {
            Err(meta.error(
                "unknown #[tenant_scoped] option; expected `column = \"...\"`, \
                 `column_type = \"...\"`, `exempt = [table, ...]` or \
                 `trusted_functions = [function, ...], reason = \"...\"`",
            ))
        }
    });
    parser.parse2(attr)?;
    let problem = match (trusted, reason) {
        (Some(_), Some(reason)) => {
            opts.trusted_reason = reason.value();
            None
        }
        (Some(span), None) => Some(syn::Error::new(
            span,
            "`trusted_functions` needs a reason: a trusted function is called without \
                 the rewriter seeing what it reads, so say why it reads no tenant data, \
                 e.g. `reason = \"slugify only transforms its argument\"`",
        )),
        (None, Some(reason)) => Some(syn::Error::new(
            reason.span(),
            "`reason` explains `trusted_functions`, which is missing; \
             for a query that must not be scoped, use `unscoped = \"reason\"` on the query",
        )),
        (None, None) => None,
    };
    Ok((opts, problem))
}

fn is_plain_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `[name, schema.name, "Quoted", ...]`, each returned as the SQL name it
/// stands for: a Rust identifier is an unquoted SQL identifier (folded as
/// PostgreSQL folds it), a string literal is a quoted one (exact).
fn sql_names(input: ParseStream<'_>) -> syn::Result<Vec<String>> {
    let content;
    syn::bracketed!(content in input);
    let names = Punctuated::<SqlName, Token![,]>::parse_terminated(&content)?;
    Ok(names.into_iter().map(|n| n.0).collect())
}

/// One possibly qualified SQL name in an option list, as SQL text.
struct SqlName(String);

impl syn::parse::Parse for SqlName {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut parts = Vec::new();
        loop {
            if input.peek(LitStr) {
                let lit: LitStr = input.parse()?;
                if lit.value().is_empty() {
                    return Err(syn::Error::new(lit.span(), "an empty name"));
                }
                parts.push(format!("\"{}\"", lit.value().replace('"', "\"\"")));
            } else {
                let ident = Ident::parse_any(input)?;
                parts.push(ident.unraw().to_string());
            }
            if input.peek(Token![.]) {
                input.parse::<Token![.]>()?;
            } else {
                break;
            }
        }
        Ok(SqlName(parts.join(".")))
    }
}

fn is_tenant_type(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => {
            path.qself.is_none()
                && path
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "TenantId")
        }
        Type::Reference(reference) => is_tenant_type(&reference.elem),
        Type::Paren(paren) => is_tenant_type(&paren.elem),
        Type::Group(group) => is_tenant_type(&group.elem),
        _ => false,
    }
}

/// Finds the tenant parameter: the one marked `#[tenant]` (the marker is
/// removed), or else the one whose type is `TenantId` / `&TenantId`.
fn tenant_argument(sig: &mut Signature, errors: &mut Vec<syn::Error>) -> Option<Ident> {
    let mut marked = Vec::new();
    let mut typed = Vec::new();
    for input in sig.inputs.iter_mut() {
        match input {
            FnArg::Typed(arg) => {
                let before = arg.attrs.len();
                arg.attrs.retain(|a| !a.path().is_ident("tenant"));
                if arg.attrs.len() != before {
                    marked.push((*arg.pat).clone());
                } else if is_tenant_type(&arg.ty) {
                    typed.push((*arg.pat).clone());
                }
            }
            FnArg::Receiver(receiver) => {
                if let Some(attr) = receiver.attrs.iter().find(|a| a.path().is_ident("tenant")) {
                    errors.push(syn::Error::new_spanned(
                        attr,
                        "`self` cannot be the tenant; pass the tenant as its own parameter",
                    ));
                    receiver.attrs.retain(|a| !a.path().is_ident("tenant"));
                }
            }
        }
    }
    let by_marker = !marked.is_empty();
    let candidates = if by_marker { marked } else { typed };
    match candidates.as_slice() {
        [] => {
            errors.push(syn::Error::new_spanned(
                &*sig,
                "#[tenant_scoped] needs to know the tenant: add a parameter of type `TenantId` \
                 (e.g. `tenant: TenantId`), or mark the parameter that holds it with `#[tenant]`",
            ));
            None
        }
        [pat] => match pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p.ident.clone()),
            other => {
                errors.push(syn::Error::new_spanned(
                    other,
                    "bind the tenant parameter to a plain name, e.g. `tenant: TenantId`",
                ));
                None
            }
        },
        [_, second, ..] => {
            let message = if by_marker {
                "only one parameter can be marked #[tenant]"
            } else {
                "two parameters have type `TenantId`; mark the one that scopes the queries \
                 with #[tenant]"
            };
            errors.push(syn::Error::new_spanned(second, message));
            None
        }
    }
}

/// What happened to one query, for the generated docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum QueryDoc {
    /// Rewritten: the SQL as sent to the database.
    Scoped { sql: String },
    /// Left alone because of `unscoped = "reason"`.
    Unscoped { reason: String, sql: String },
}

#[derive(Debug)]
struct BodyVisitor<'a> {
    opts: &'a TenantOptions,
    /// `None` when the tenant argument is missing: the body is still checked
    /// (to report every error at once) but not rewritten.
    tenant: Option<&'a Ident>,
    errors: Vec<syn::Error>,
    queries: Vec<QueryDoc>,
}

impl VisitMut for BodyVisitor<'_> {
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if SCOPED_MACROS.contains(&name.as_str()) {
            self.scope_invocation(mac, name == "secure_query_as");
        } else if UNPARSED_MACROS.contains(&name.as_str()) {
            self.errors.push(syn::Error::new_spanned(
                &mac.path,
                format!(
                    "`{name}!` cannot be scoped by #[tenant_scoped] because its SQL is not \
                     parsed; rewrite it so that `secure_query!` accepts it, or move it out of \
                     this function (and filter by tenant by hand)"
                ),
            ));
        } else {
            for (span, inner) in find_query_macros(mac.tokens.clone()) {
                self.errors.push(syn::Error::new(
                    span,
                    format!(
                        "`{inner}!` inside `{name}!`: #[tenant_scoped] cannot see inside other \
                         macros, so this query would not be scoped; run the query outside the \
                         macro (e.g. bind it to a variable first)"
                    ),
                ));
            }
        }
    }
}

/// Every `secure_query…!` invocation anywhere in `tokens`.
fn find_query_macros(tokens: TokenStream) -> Vec<(Span, String)> {
    let mut found = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tree) = iter.next() {
        match tree {
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                let is_query = SCOPED_MACROS.contains(&name.as_str())
                    || UNPARSED_MACROS.contains(&name.as_str());
                if is_query
                    && matches!(iter.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '!')
                {
                    found.push((ident.span(), name));
                }
            }
            TokenTree::Group(group) => found.extend(find_query_macros(group.stream())),
            TokenTree::Punct(_) | TokenTree::Literal(_) => {}
        }
    }
    found
}

impl BodyVisitor<'_> {
    fn scope_invocation(&mut self, mac: &mut syn::Macro, with_type: bool) {
        let kind = if with_type {
            MacroKind::QueryAs
        } else {
            MacroKind::Query
        };
        // The macro's own parser, so that the attribute reads the input
        // exactly as the macro will. A parse error is reported here as well
        // as by the macro: a query the attribute cannot read must never
        // compile unscoped.
        let call = match QueryInput::parse_tokens(mac.tokens.clone(), kind) {
            Ok(call) => call,
            Err(e) => {
                self.errors.push(e);
                return;
            }
        };
        if let Some(reason) = &call.unscoped {
            // The parser has already refused an empty reason.
            self.queries.push(QueryDoc::Unscoped {
                reason: reason.value(),
                sql: call.sql.value(),
            });
            return;
        }
        let tenant_param = call.args.len() + 1;
        match scope_query(&call.sql.value(), self.opts, tenant_param) {
            Ok(Scoped { sql, binds_tenant }) => {
                if let Some(tenant) = self.tenant {
                    let lit = LitStr::new(&sql, call.sql.span());
                    let ty = call.row_type.as_ref().map(|ty| quote!(#ty,));
                    let args = &call.args;
                    // The tenant is an argument only if `$n` was used: the
                    // macro insists on one argument per placeholder.
                    let tenant = binds_tenant.then(|| quote!(, #tenant));
                    mac.tokens = quote!(#ty #lit #(, #args)* #tenant);
                }
                self.queries.push(QueryDoc::Scoped { sql });
            }
            Err(e) => self
                .errors
                .push(syn::Error::new(call.sql.span(), e.message())),
        }
    }
}

/// The `# Tenant scoping` section appended to the function's docs: every
/// query with the SQL that actually runs, and every unscoped query with its
/// reason.
pub(crate) fn doc_lines(opts: &TenantOptions, tenant: &Ident, queries: &[QueryDoc]) -> Vec<String> {
    if queries.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![
        String::new(),
        "# Tenant scoping".to_owned(),
        String::new(),
        format!(
            "`#[tenant_scoped]` restricts the queries of this function to the tenant in \
             `{tenant}` (column `{}`{}).",
            opts.column,
            if opts.exempt.is_empty() {
                String::new()
            } else {
                format!("; shared tables: `{}`", opts.exempt.join("`, `"))
            }
        ),
    ];
    if !opts.trusted_functions.is_empty() {
        lines.push(String::new());
        lines.push(format!(
            "Trusted functions, called without the rewriter seeing what they read: `{}`. \
             Reason: {}",
            opts.trusted_functions.join("`, `"),
            opts.trusted_reason
        ));
    }
    for (i, query) in queries.iter().enumerate() {
        lines.push(String::new());
        let sql = match query {
            QueryDoc::Scoped { sql } => {
                lines.push(format!("Query {}, as sent to the database:", i + 1));
                sql
            }
            QueryDoc::Unscoped { reason, sql } => {
                lines.push(format!("Query {}, **not scoped**: {reason}", i + 1));
                sql
            }
        };
        lines.push(String::new());
        lines.push("```sql".to_owned());
        lines.extend(sql.lines().map(str::to_owned));
        lines.push("```".to_owned());
    }
    lines
}

fn doc_attributes(opts: &TenantOptions, tenant: &Ident, queries: &[QueryDoc]) -> Vec<Attribute> {
    doc_lines(opts, tenant, queries)
        .into_iter()
        .map(|line| {
            let line = if line.is_empty() {
                line
            } else {
                format!(" {line}")
            };
            syn::parse_quote!(#[doc = #line])
        })
        .collect()
}
