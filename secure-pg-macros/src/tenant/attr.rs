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

use crate::expand::{MacroKind, QueryInput, SCOPED_MARKER};
use secure_pg_sql::check::analyze;
use secure_pg_sql::tenant::{check_tables, scope_query, Scoped, TenantOptions};

/// Macros whose SQL the attribute rewrites, recognised by their last path
/// segment under any path (`secure_query!`, `::secure_pg::secure_query!`,
/// `r#secure_query!`).
const SCOPED_MACROS: &[&str] = &["secure_query", "secure_query_as"];
/// Macros whose SQL is not parsed and therefore cannot be rewritten.
const UNPARSED_MACROS: &[&str] = &["secure_query_unparsed", "secure_query_as_unparsed"];

/// The standard library's macros that may be used in a scoped function,
/// bare or under `std::` / `core::` / `alloc::`. They run no query of their
/// own, and the attribute still looks inside their tokens for macros (a
/// query or an unknown macro there is refused). `include!` is deliberately
/// absent: it pulls in code the attribute cannot see.
const STD_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "cfg",
    "column",
    "compile_error",
    "concat",
    "dbg",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "env",
    "eprint",
    "eprintln",
    "file",
    "format",
    "format_args",
    "include_bytes",
    "include_str",
    "line",
    "matches",
    "module_path",
    "option_env",
    "panic",
    "print",
    "println",
    "stringify",
    "todo",
    "unimplemented",
    "unreachable",
    "vec",
    "write",
    "writeln",
];
/// Path roots under which [`STD_MACROS`] are recognised.
const STD_ROOTS: &[&str] = &["std", "core", "alloc"];

/// `tracing`'s macros, bare or under `tracing::`.
const TRACING_MACROS: &[&str] = &[
    "debug",
    "debug_span",
    "enabled",
    "error",
    "error_span",
    "event",
    "event_enabled",
    "info",
    "info_span",
    "span",
    "span_enabled",
    "trace",
    "trace_span",
    "warn",
    "warn_span",
];

/// How the attribute treats one macro invocation in a scoped function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MacroClass {
    /// `secure_query!` / `secure_query_as!`: rewritten.
    Query { with_type: bool },
    /// `secure_query_unparsed!` / `secure_query_as_unparsed!`: refused.
    Unparsed,
    /// `secure_copy_in!`: the tenant column is filled from the tenant.
    Copy,
    /// `secure_copy_out!`: only the tenant's rows are copied.
    CopyOut,
    /// Known to run no query (std, tracing, `allow_macros`).
    Allowed,
    /// `include!`: refused, it pulls in code the attribute cannot see.
    Include,
    /// `macro_rules!`: a local macro the attribute cannot see through.
    MacroRules,
    /// Anything else: refused (fail closed).
    Unknown,
}

/// The segments of `path`, without raw prefixes (`r#secure_query` is
/// `secure_query`).
fn segments(path: &syn::Path) -> Vec<String> {
    path.segments
        .iter()
        .map(|s| s.ident.unraw().to_string())
        .collect()
}

/// Classifies a macro invocation by its path (segments without raw
/// prefixes; a leading `::` does not matter). `allowed` holds the
/// `allow_macros` paths, which must match as written.
pub(crate) fn classify(path: &[String], allowed: &[Vec<String>]) -> MacroClass {
    let Some(name) = path.last().map(String::as_str) else {
        return MacroClass::Unknown;
    };
    if SCOPED_MACROS.contains(&name) {
        return MacroClass::Query {
            with_type: name == "secure_query_as",
        };
    }
    if UNPARSED_MACROS.contains(&name) {
        return MacroClass::Unparsed;
    }
    if name == "secure_copy_in" {
        return MacroClass::Copy;
    }
    if name == "secure_copy_out" {
        return MacroClass::CopyOut;
    }
    let root = (path.len() == 2).then(|| path[0].as_str());
    if name == "include" && (path.len() == 1 || root.is_some_and(|r| STD_ROOTS.contains(&r))) {
        return MacroClass::Include;
    }
    if name == "macro_rules" && path.len() == 1 {
        return MacroClass::MacroRules;
    }
    let std = STD_MACROS.contains(&name)
        && (path.len() == 1 || root.is_some_and(|r| STD_ROOTS.contains(&r)));
    let tracing = TRACING_MACROS.contains(&name) && (path.len() == 1 || root == Some("tracing"));
    if std || tracing || allowed.iter().any(|a| a.as_slice() == path) {
        MacroClass::Allowed
    } else {
        MacroClass::Unknown
    }
}

/// The compile error for a macro the attribute refuses, or `None` when the
/// macro may be used (`Query` is handled by the rewrite). `inside` names the
/// allowed macro whose tokens it was found in.
fn refusal(class: &MacroClass, shown: &str, inside: Option<&str>) -> Option<String> {
    let at = inside.map_or_else(String::new, |outer| format!(" inside `{outer}!`"));
    let queries = "write queries as `secure_query!` / `secure_query_as!` (under any path, but \
                   not renamed or wrapped in another macro)";
    match class {
        MacroClass::Query { .. } | MacroClass::Copy | MacroClass::CopyOut | MacroClass::Allowed => {
            None
        }
        MacroClass::Unparsed => Some(format!(
            "`{shown}!`{at} cannot be scoped by #[tenant_scoped] because its SQL is not \
             parsed; rewrite it so that `secure_query!` accepts it, or move it out of \
             this function (and filter by tenant by hand)"
        )),
        MacroClass::Include => Some(format!(
            "`{shown}!`{at} is not allowed in a #[tenant_scoped] function: it pulls in code \
             the attribute cannot see, so a query in it would run unscoped; write the code \
             in the function, or move it out of the function"
        )),
        MacroClass::MacroRules => Some(format!(
            "`macro_rules!`{at} is not allowed in a #[tenant_scoped] function: the attribute \
             cannot see what a local macro expands to, so a query in it would run unscoped; \
             {queries}; define a macro that runs no query outside the function and allow it \
             with `#[tenant_scoped(allow_macros = [name])]`"
        )),
        MacroClass::Unknown => Some(format!(
            "`{shown}!`{at} is not allowed in a #[tenant_scoped] function: the attribute \
             cannot see what it expands to, so a query in it would run unscoped; {queries}; \
             if `{shown}!` runs no query, allow it with \
             `#[tenant_scoped(allow_macros = [{shown}])]`; or move this code out of the \
             function"
        )),
    }
}

/// Expands `#[tenant_scoped(attr)] item`. Errors are reported all at once
/// and the (partially rewritten) function is still emitted, so that one
/// mistake does not bury the others under unrelated errors.
pub(crate) fn expand(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let Options {
        tenant: opts,
        allow_macros,
        column_type_explicit,
    } = match parse_options_keeping(attr) {
        Ok((opts, problem)) => {
            errors.extend(problem);
            opts
        }
        Err(e) => {
            errors.push(e);
            Options::default()
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
    let mut refused = None;
    let argument = tenant_argument(&mut function.sig, &mut errors, &mut refused);
    let tenant_is_tenant_id = argument.as_ref().is_some_and(|(_, t)| *t);
    let tenant = argument.map(|(ident, _)| ident);
    // The queries bind this name, which only the attribute's own tokens can
    // resolve (mixed-site hygiene): whatever the body calls `tenant` later
    // (a shadowing `let`, a pattern, a closure parameter, a binding a macro
    // makes), the queries run for the tenant the function was called with.
    let captured = Ident::new("__secure_pg_tenant", Span::mixed_site());
    let mut visitor = BodyVisitor {
        opts: &opts,
        column_type_explicit,
        reported_on_attribute: false,
        allow_macros: &allow_macros,
        tenant: tenant.as_ref(),
        captured: tenant.as_ref().map(|_| &captured),
        nested_item: None,
        tenant_is_tenant_id,
        errors: Vec::new(),
        queries: Vec::new(),
        marked: false,
        for_tenant: false,
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
    if let Some(tenant) = &tenant {
        // Captured once, at entry (this also keeps rustc from warning that
        // the parameter is unused when every query was refused).
        function.block.stmts.insert(
            0,
            syn::parse_quote!(let #captured = ::secure_pg::__private::capture_tenant(&#tenant);),
        );
    }
    if let Some(refused) = &refused {
        function
            .block
            .stmts
            .insert(0, syn::parse_quote!(let _ = &#refused;));
    }
    if function.sig.asyncness.is_some() {
        enter_tenant_scope(&mut function);
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

/// Runs the body of an `async fn` inside the run-time tenant scope:
/// `tenant_scope::<Ret, _>("name", async move { body }).await`. While the
/// scope is active, a query that the attribute did not mark (one from a
/// helper function, or from a macro the attribute could not see) fails
/// instead of running. The return type is given so that `?` in the body
/// still infers; an `impl Trait` (or `!`) return type cannot be named, so
/// there the output is left to inference.
fn enter_tenant_scope(function: &mut ItemFn) {
    let name = function.sig.ident.unraw().to_string();
    let ret = match &function.sig.output {
        syn::ReturnType::Default => Some(quote!(())),
        syn::ReturnType::Type(_, ty) if !contains_impl_trait(ty) => Some(quote!(#ty)),
        syn::ReturnType::Type(..) => None,
    };
    let body = &function.block;
    // The body's future is boxed: it holds every query's future, and a
    // caller awaiting several scoped functions would otherwise carry all of
    // that on its stack (debug builds overflowed a test thread's 2 MiB).
    // One allocation per call, next to at least one round trip.
    //
    // The async block is bound to a local so that clippy's
    // `async_yields_async` (deny by default) can be allowed on it: a
    // function whose return type is itself a future (a boxed one, say)
    // makes the block yield an awaitable, which the user's own `async fn`
    // never trips.
    function.block = match ret {
        // The tail of the body is a coercion site in the user's function
        // (`Box::pin(async { .. })` becomes a `Pin<Box<dyn Future>>`); an
        // argument whose type is given keeps it one inside the async block.
        Some(ret) => syn::parse_quote!({
            #[allow(clippy::async_yields_async)]
            let __secure_pg_body = async move {
                ::secure_pg::__private::returned::<#ret>(#body)
            };
            ::secure_pg::__private::tenant_scope::<#ret, _>(
                #name,
                ::std::boxed::Box::pin(__secure_pg_body),
            )
            .await
        }),
        None => syn::parse_quote!({
            #[allow(clippy::async_yields_async)]
            let __secure_pg_body = async move #body;
            ::secure_pg::__private::tenant_scope::<_, _>(
                #name,
                ::std::boxed::Box::pin(__secure_pg_body),
            )
            .await
        }),
    };
}

fn contains_impl_trait(ty: &Type) -> bool {
    struct Find(bool);
    impl VisitMut for Find {
        fn visit_type_impl_trait_mut(&mut self, _: &mut syn::TypeImplTrait) {
            self.0 = true;
        }
        // `!` cannot be named in a turbofish on stable Rust either.
        fn visit_type_never_mut(&mut self, _: &mut syn::TypeNever) {
            self.0 = true;
        }
    }
    let mut find = Find(false);
    find.visit_type_mut(&mut ty.clone());
    find.0
}

/// The attribute's options: the rewriter's, and the macros declared
/// query-free.
#[derive(Debug, Default)]
pub(crate) struct Options {
    pub(crate) tenant: TenantOptions,
    /// `allow_macros = [name, path::name]`, as path segments.
    pub(crate) allow_macros: Vec<Vec<String>>,
    /// Where `column_type = ".."` was written, if it was (with a schema, it
    /// must agree with the schema's type; without one it is the type used).
    pub(crate) column_type_explicit: Option<Span>,
}

/// `column = "org_id", exempt = [countries, "currencies"],
/// trusted_functions = [slugify], reason = "...", allow_macros = [my_log]`.
#[cfg(test)]
pub(crate) fn parse_options(attr: TokenStream) -> syn::Result<Options> {
    match parse_options_keeping(attr)? {
        (opts, None) => Ok(opts),
        (_, Some(e)) => Err(e),
    }
}

/// [`parse_options`], but a missing or stray `reason` is returned next to
/// the options instead of replacing them, so that the body is checked with
/// the trusted functions the author listed (and the only error is the
/// missing reason).
fn parse_options_keeping(attr: TokenStream) -> syn::Result<(Options, Option<syn::Error>)> {
    let mut opts = TenantOptions::default();
    let mut allow_macros = Vec::new();
    let mut column_type_explicit = None;
    let mut trusted: Option<Span> = None;
    let mut reason: Option<LitStr> = None;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("column") {
            let lit: LitStr = meta.value()?.parse()?;
            let column = lit.value();
            if !secure_pg_sql::ident::is_plain_identifier(&column) {
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
            if !secure_pg_sql::ident::is_plain_identifier(&ty) {
                return Err(syn::Error::new(
                    lit.span(),
                    "`column_type` must be a plain SQL type name such as \"bigint\", \"integer\", \"uuid\" or \"text\"",
                ));
            }
            opts.column_type = ty;
            column_type_explicit = Some(lit.span());
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
        } else if meta.path.is_ident("allow_macros") {
            let input = meta.value()?;
            let content;
            syn::bracketed!(content in input);
            let paths = Punctuated::<syn::Path, Token![,]>::parse_terminated(&content)?;
            for path in paths {
                let segs = segments(&path);
                if path.segments.iter().any(|s| !s.arguments.is_none()) {
                    return Err(syn::Error::new_spanned(
                        path,
                        "`allow_macros` takes macro paths such as `my_log` or `my_crate::my_log`",
                    ));
                }
                match classify(&segs, &[]) {
                    MacroClass::Unknown | MacroClass::Allowed => allow_macros.push(segs),
                    _ => {
                        return Err(syn::Error::new_spanned(
                            path,
                            "`allow_macros` is for macros that run no query; the query macros, \
                             `include!` and `macro_rules!` cannot be allowed",
                        ))
                    }
                }
            }
            Ok(())
        } else {
            Err(meta.error(
                "unknown #[tenant_scoped] option; expected `column = \"...\"`, \
                 `column_type = \"...\"`, `exempt = [table, ...]`, \
                 `trusted_functions = [function, ...], reason = \"...\"`, \
                 or `allow_macros = [macro, ...]`",
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
    Ok((
        Options {
            tenant: opts,
            allow_macros,
            column_type_explicit,
        },
        problem,
    ))
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

/// `ty` without invisible groups and parentheses.
fn strip_groups(ty: &Type) -> &Type {
    match ty {
        Type::Paren(paren) => strip_groups(&paren.elem),
        Type::Group(group) => strip_groups(&group.elem),
        other => other,
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
///
/// A tenant parameter that is refused (`mut`, `ref`, `&mut`) is returned in
/// `refused`, so that the expansion can still use its name and rustc adds no
/// unused-variable warning to the real error.
fn tenant_argument(
    sig: &mut Signature,
    errors: &mut Vec<syn::Error>,
    refused: &mut Option<Ident>,
) -> Option<(Ident, bool)> {
    let mut marked = Vec::new();
    let mut typed = Vec::new();
    for input in sig.inputs.iter_mut() {
        match input {
            FnArg::Typed(arg) => {
                let before = arg.attrs.len();
                arg.attrs.retain(|a| !a.path().is_ident("tenant"));
                if arg.attrs.len() != before {
                    marked.push(((*arg.pat).clone(), strip_groups(&arg.ty).clone()));
                } else if is_tenant_type(&arg.ty) {
                    typed.push(((*arg.pat).clone(), strip_groups(&arg.ty).clone()));
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
        [(pat, ty)] => match pat {
            Pat::Ident(p) if p.mutability.is_some() => {
                errors.push(syn::Error::new_spanned(
                    p.mutability,
                    format!(
                        "the tenant parameter `{}` cannot be `mut`: every query of this \
                         function runs for the tenant passed in, captured when the function is \
                         entered, so assigning another tenant to it would look like it changes \
                         the queries' tenant while it does not; remove `mut`, and to work for \
                         another tenant, call a #[tenant_scoped] function with that tenant",
                        p.ident.unraw()
                    ),
                ));
                *refused = Some(p.ident.clone());
                None
            }
            Pat::Ident(p) if p.by_ref.is_some() => {
                errors.push(syn::Error::new_spanned(
                    p.by_ref,
                    "the tenant parameter cannot be bound by reference (`ref`): bind it to a \
                     plain name, e.g. `tenant: TenantId`",
                ));
                *refused = Some(p.ident.clone());
                None
            }
            Pat::Ident(p) if p.subpat.is_none() => {
                if let Type::Reference(r) = ty {
                    if let Some(m) = &r.mutability {
                        errors.push(syn::Error::new_spanned(
                            m,
                            "the tenant parameter cannot be a mutable reference: the body could \
                             change the tenant through it; take it by value (`tenant: TenantId`) \
                             or by shared reference (`tenant: &TenantId`)",
                        ));
                        *refused = Some(p.ident.clone());
                        return None;
                    }
                }
                Some((p.ident.clone(), is_tenant_type(ty)))
            }
            other => {
                errors.push(syn::Error::new_spanned(
                    other,
                    "bind the tenant parameter to a plain name, e.g. `tenant: TenantId`",
                ));
                None
            }
        },
        [_, (second, _), ..] => {
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
    column_type_explicit: Option<Span>,
    /// An error on the attribute itself was reported already.
    reported_on_attribute: bool,
    allow_macros: &'a [Vec<String>],
    /// The tenant parameter as the user named it. `None` when the tenant
    /// argument is missing: the body is still checked (to report every
    /// error at once) but not rewritten.
    tenant: Option<&'a Ident>,
    /// The hygienic binding the queries use (see [`expand`]).
    captured: Option<&'a Ident>,
    /// The nested item (`fn inner`, `impl`, ...) being walked, if any: its
    /// code cannot reach the function's tenant.
    nested_item: Option<String>,
    errors: Vec<syn::Error>,
    queries: Vec<QueryDoc>,
    /// The tenant parameter is a `TenantId` (or `&TenantId`): the queries
    /// that use it carry it to the runtime, for row-level security.
    tenant_is_tenant_id: bool,
    /// Set by `visit_macro_mut` when it rewrote the query it visited, so
    /// that `visit_expr_mut` marks the call for the run-time check.
    marked: bool,
    /// Set with `marked` when the rewritten query binds the tenant and the
    /// runtime should see it.
    for_tenant: bool,
}

impl VisitMut for BodyVisitor<'_> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        let syn::Expr::Macro(call) = expr else {
            syn::visit_mut::visit_expr_mut(self, expr);
            return;
        };
        self.marked = false;
        self.for_tenant = false;
        self.visit_expr_macro_mut(call);
        let for_tenant = std::mem::take(&mut self.for_tenant);
        if std::mem::take(&mut self.marked) {
            // The run-time tenant scope refuses every query that does not
            // carry this mark; the tenant goes with it, so that the
            // database's row-level security sees it too.
            *expr = match (for_tenant, self.captured) {
                (true, Some(tenant)) => syn::parse_quote!(
                    (#call).__tenant_scoped_by_attribute().__for_tenant(#tenant)
                ),
                _ => syn::parse_quote!((#call).__tenant_scoped_by_attribute()),
            };
        }
    }

    fn visit_pat_ident_mut(&mut self, pat: &mut syn::PatIdent) {
        if let (Some(tenant), None) = (self.tenant, &self.nested_item) {
            if pat.ident.unraw() == tenant.unraw() {
                self.errors.push(syn::Error::new(
                    pat.ident.span(),
                    format!(
                        "this binding shadows `{tenant}`, the tenant parameter of this \
                         #[tenant_scoped] function; the queries would still run for the tenant \
                         the function was called with, not for this value, so the code would \
                         not do what it reads as; give this binding another name (e.g. \
                         `other_{tenant}`), and to work for another tenant, call a \
                         #[tenant_scoped] function with it"
                    ),
                ));
            }
        }
        syn::visit_mut::visit_pat_ident_mut(self, pat);
    }

    fn visit_item_mut(&mut self, item: &mut syn::Item) {
        // A nested function with its own attribute is scoped by it, with its
        // own tenant.
        if let syn::Item::Fn(f) = item {
            if f.attrs.iter().any(|a| {
                a.path()
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "tenant_scoped")
            }) {
                return;
            }
        }
        let name = match item {
            syn::Item::Fn(f) => format!("`fn {}`", f.sig.ident),
            syn::Item::Impl(_) => "an `impl` block".to_owned(),
            syn::Item::Mod(m) => format!("`mod {}`", m.ident),
            syn::Item::Const(c) => format!("`const {}`", c.ident),
            syn::Item::Static(s) => format!("`static {}`", s.ident),
            syn::Item::Trait(t) => format!("`trait {}`", t.ident),
            _ => "a nested item".to_owned(),
        };
        let outer = self.nested_item.replace(name);
        syn::visit_mut::visit_item_mut(self, item);
        self.nested_item = outer;
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        let path = segments(&mac.path);
        let shown = path.join("::");
        match classify(&path, self.allow_macros) {
            MacroClass::Query { with_type } => {
                self.marked = self.scope_invocation(mac, with_type);
            }
            MacroClass::Copy => {
                self.marked = self.scope_copy(mac);
            }
            MacroClass::CopyOut => {
                self.marked = self.scope_copy_out(mac);
            }
            MacroClass::Allowed => {
                for (span, inner, class) in nested_macros(mac.tokens.clone(), self.allow_macros) {
                    let message = match class {
                        MacroClass::Query { .. }
                        | MacroClass::Unparsed
                        | MacroClass::Copy
                        | MacroClass::CopyOut => {
                            format!(
                                "`{inner}!` inside `{shown}!`: #[tenant_scoped] cannot see inside \
                             other macros, so this query would not be scoped; run the query \
                             outside the macro (e.g. bind it to a variable first)"
                            )
                        }
                        other => match refusal(&other, &inner, Some(&shown)) {
                            Some(message) => message,
                            None => continue,
                        },
                    };
                    self.errors.push(syn::Error::new(span, message));
                }
            }
            other => {
                let message =
                    refusal(&other, &shown, None).expect("refused classes have a message");
                self.errors
                    .push(syn::Error::new_spanned(&mac.path, message));
            }
        }
    }
}

/// Rust keywords that may come right before a `!` that is not a macro call
/// (`return !done`, `if !(a)`, `impl !Send`).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "box", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
    "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true",
    "type", "unsafe", "use", "where", "while", "yield",
];

/// Every macro invocation (`path!(...)`, `path![...]`, `path!{...}`,
/// `macro_rules! name`) anywhere in `tokens`, with its path as written and
/// its class.
fn nested_macros(tokens: TokenStream, allowed: &[Vec<String>]) -> Vec<(Span, String, MacroClass)> {
    fn is_punct(tree: Option<&TokenTree>, c: char) -> bool {
        matches!(tree, Some(TokenTree::Punct(p)) if p.as_char() == c)
    }
    let mut found = Vec::new();
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Group(group) => {
                found.extend(nested_macros(group.stream(), allowed));
                i += 1;
            }
            TokenTree::Ident(first) => {
                let mut path = vec![first.unraw().to_string()];
                let mut j = i + 1;
                while is_punct(trees.get(j), ':') && is_punct(trees.get(j + 1), ':') {
                    match trees.get(j + 2) {
                        Some(TokenTree::Ident(next)) => {
                            path.push(next.unraw().to_string());
                            j += 3;
                        }
                        _ => break,
                    }
                }
                let keyword = path.len() == 1 && KEYWORDS.contains(&first.to_string().as_str());
                if !keyword && is_punct(trees.get(j), '!') {
                    let class = classify(&path, allowed);
                    let is_call = match trees.get(j + 1) {
                        Some(TokenTree::Group(_)) => true,
                        Some(TokenTree::Ident(_)) => class == MacroClass::MacroRules,
                        _ => false,
                    };
                    if is_call {
                        found.push((first.span(), path.join("::"), class));
                    }
                }
                i = j;
            }
            TokenTree::Punct(_) | TokenTree::Literal(_) => i += 1,
        }
    }
    found
}

impl BodyVisitor<'_> {
    /// Rewrites one query; true when the result is a scoped query (the call
    /// is then marked for the run-time check). An `unscoped = "reason"`
    /// query is marked by its own expansion.
    fn scope_invocation(&mut self, mac: &mut syn::Macro, with_type: bool) -> bool {
        let kind = if with_type {
            MacroKind::QueryAs
        } else {
            MacroKind::Query
        };
        // The macro's own parser, so that the attribute reads the input
        // exactly as the macro will. A parse error is reported here as well
        // as by the macro: a query the attribute cannot read must never
        // compile unscoped.
        let mut call = match QueryInput::parse_tokens(mac.tokens.clone(), kind) {
            Ok(call) => call,
            Err(e) => {
                self.errors.push(e);
                return false;
            }
        };
        // The row type and the arguments are Rust code of this function too:
        // a query or a macro in them is checked (and rewritten) like any
        // other. The macro's tokens are then rebuilt from them.
        if let Some(ty) = &mut call.row_type {
            self.visit_type_mut(ty);
        }
        for arg in &mut call.args {
            self.visit_expr_mut(arg);
        }
        for part in &mut call.parts {
            match part {
                crate::dynamic::DynPart::Optional { cond, .. } => self.visit_expr_mut(cond),
                crate::dynamic::DynPart::Choice { scrutinee, arms } => {
                    self.visit_expr_mut(scrutinee);
                    for (pat, _) in arms {
                        self.visit_pat_mut(pat);
                    }
                }
            }
        }
        if let Some(reason) = &call.unscoped {
            // The parser has already refused an empty reason.
            self.queries.push(QueryDoc::Unscoped {
                reason: reason.value(),
                sql: call.sql.value(),
            });
            mac.tokens = call.tokens_after(quote!(unscoped = #reason,));
            return false;
        }
        if let Some(item) = &self.nested_item {
            self.errors.push(syn::Error::new(
                call.sql.span(),
                nested_refusal("query", item),
            ));
            return false;
        }
        // The user's SQL and arguments are checked before the rewrite: a
        // syntax error, a gap in the placeholders or a count that does not
        // match the arguments is left to the macro, which reports it on the
        // unrewritten SQL exactly as outside the attribute (a query that
        // does not compile runs nowhere). So the tenant's placeholder comes
        // right after the highest one the SQL uses.
        let marker = Ident::new(SCOPED_MARKER, Span::call_site());
        if !call.parts.is_empty() {
            return self.scope_dynamic(mac, &call, kind);
        }
        let tenant_param = match analyze(&call.sql.value(), kind.mode()) {
            Ok(info) if info.placeholders as usize == call.args.len() => call.args.len() + 1,
            Ok(_) | Err(_) => {
                mac.tokens = call.tokens_after(quote!(#marker,));
                return false;
            }
        };
        let scoped = scope_query(&call.sql.value(), self.opts, tenant_param)
            .map_err(|e| (None, e.message().to_string()))
            .and_then(|scoped| self.with_schema(&call.sql.value(), scoped, tenant_param));
        match scoped {
            Ok(Scoped {
                sql, binds_tenant, ..
            }) => {
                if let Some(tenant) = self.captured {
                    let lit = LitStr::new(&sql, call.sql.span());
                    let ty = call.row_type.as_ref().map(|ty| quote!(#ty,));
                    let args = &call.args;
                    // The tenant is an argument only if `$n` was used: the
                    // macro insists on one argument per placeholder.
                    let tenant = binds_tenant.then(|| quote!(, #tenant));
                    mac.tokens = quote!(#marker, #ty #lit #(, #args)* #tenant);
                    self.for_tenant = binds_tenant && self.tenant_is_tenant_id;
                }
                self.queries.push(QueryDoc::Scoped { sql });
                self.tenant.is_some()
            }
            Err((span, message)) => {
                self.scope_error(span, call.sql.span(), message);
                // Marked, so that the macro adds no error of its own about
                // the tenant tables it names.
                mac.tokens = call.tokens_after(quote!(#marker,));
                false
            }
        }
    }
}

/// Why a query (or copy) in an item nested in a scoped function is refused.
fn nested_refusal(what: &str, item: &str) -> String {
    format!(
        "this {what} is in {item}, nested in a #[tenant_scoped] function, where the function's \
         tenant cannot be reached, so it cannot be scoped; put #[tenant_scoped] on the nested \
         function too (with its own tenant parameter), or move the {what} into the function's \
         body"
    )
}

impl BodyVisitor<'_> {
    /// Reports why a query could not be scoped: on `span` when the error
    /// has a place of its own (the attribute: reported once, not per
    /// query), else on `fallback` (the query's literal).
    fn scope_error(&mut self, span: Option<Span>, fallback: Span, message: String) {
        if span.is_none() || !std::mem::replace(&mut self.reported_on_attribute, true) {
            self.errors
                .push(syn::Error::new(span.unwrap_or(fallback), message));
        }
    }

    /// Scopes every variant of a dynamic query, each as the rewrite scopes
    /// one statement, with the tenant's placeholder right after the
    /// variant's own values. The macro gets the rewritten variants
    /// (`__variants[...]`) and the tenant (`__tenant_value(..)`), checks
    /// and types each, and binds the tenant after the values it includes.
    /// Anything the attribute cannot scope is left to the macro with the
    /// marker alone, which refuses it (after its own errors, if any).
    fn scope_dynamic(&mut self, mac: &mut syn::Macro, call: &QueryInput, kind: MacroKind) -> bool {
        let marker = Ident::new(SCOPED_MARKER, Span::call_site());
        let leave = |mac: &mut syn::Macro| {
            mac.tokens = call.tokens_after(quote!(#marker,));
            false
        };
        let base = call.sql.value();
        let Ok(base_params) = crate::expand::base_placeholders(&base, call.sql.span(), &call.args)
        else {
            return leave(mac);
        };
        let parts = crate::dynamic::sql_parts(&call.parts);
        let Ok(all) = secure_pg_sql::dynamic::variants(
            &base,
            base_params,
            &parts,
            secure_pg_sql::dynamic::MAX_VARIANTS,
        ) else {
            return leave(mac);
        };
        let mut scoped_sqls = Vec::with_capacity(all.len());
        let mut binds: Option<bool> = None;
        for v in &all {
            let Ok(info) = analyze(&v.sql, kind.mode()) else {
                return leave(mac);
            };
            let tenant_param = info.placeholders as usize + 1;
            let scoped = scope_query(&v.sql, self.opts, tenant_param)
                .map_err(|e| (None, e.message().to_string()))
                .and_then(|scoped| self.with_schema(&v.sql, scoped, tenant_param));
            match scoped {
                Ok(scoped) => {
                    if binds.is_some_and(|b| b != scoped.binds_tenant) {
                        self.errors.push(syn::Error::new(
                            call.sql.span(),
                            format!(
                                "the statement sent when {} reads tenant tables and another \
                                 variant reads none, so the tenant cannot be bound the same \
                                 way in every variant; split the query into two calls",
                                crate::dynamic::describe(&call.parts, v)
                            ),
                        ));
                        return leave(mac);
                    }
                    binds = Some(scoped.binds_tenant);
                    scoped_sqls.push(scoped.sql);
                }
                Err((span, message)) => {
                    let message = match span {
                        Some(_) => message,
                        None => format!(
                            "in the statement sent when {}: {message}",
                            crate::dynamic::describe(&call.parts, v)
                        ),
                    };
                    // Variants are scoped in index order, and this is the
                    // first that fails: the part it adds is to blame.
                    let at = crate::dynamic::span_of_last_pick(&call.parts, v, call.sql.span());
                    self.scope_error(span, at, message);
                    return leave(mac);
                }
            }
        }
        let Some(tenant) = self.captured else {
            return false;
        };
        let binds = binds.unwrap_or(false);
        let lits = scoped_sqls
            .iter()
            .map(|sql| LitStr::new(sql, call.sql.span()));
        let tenant_value = binds.then(|| quote!(__tenant_value(#tenant),));
        mac.tokens = call.tokens_after(quote!(#marker, __variants[#(#lits),*], #tenant_value));
        for sql in scoped_sqls {
            self.queries.push(QueryDoc::Scoped { sql });
        }
        self.for_tenant = binds && self.tenant_is_tenant_id;
        self.tenant.is_some()
    }

    /// Scopes one `secure_copy_in!`: into a tenant table, the tenant column
    /// is filled from the captured tenant (through the staging table); into
    /// an exempt or tenant-free table the copy runs as written. True when
    /// the copy is scoped (then marked for the run-time check).
    fn scope_copy(&mut self, mac: &mut syn::Macro) -> bool {
        let mut call = match crate::copy::CopyInput::parse_tokens(mac.tokens.clone()) {
            Ok(call) => call,
            Err(e) => {
                self.errors.push(e);
                return false;
            }
        };
        self.visit_expr_mut(&mut call.rows);
        self.visit_pat_mut(&mut call.pat);
        for value in &mut call.values {
            self.visit_expr_mut(value);
        }
        let (prefix, marked) = self.scope_copy_target(&call.target, call.unscoped.as_ref(), false);
        mac.tokens = call.tokens_after(prefix);
        marked
    }

    /// Scopes one `secure_copy_out!`: from a tenant table, only the
    /// captured tenant's rows are copied (through the staging table).
    fn scope_copy_out(&mut self, mac: &mut syn::Macro) -> bool {
        let call = match crate::copy::CopyOutInput::parse_tokens(mac.tokens.clone()) {
            Ok(call) => call,
            Err(e) => {
                self.errors.push(e);
                return false;
            }
        };
        let (prefix, marked) = self.scope_copy_target(&call.target, call.unscoped.as_ref(), true);
        mac.tokens = call.tokens_after(prefix);
        marked
    }

    /// What both copy directions share: the marker (and, for a tenant
    /// table, `__tenant(captured, "column", "type"),`) to put before the
    /// copy's input, and whether the copy is scoped.
    fn scope_copy_target(
        &mut self,
        target_lit: &LitStr,
        unscoped: Option<&LitStr>,
        out: bool,
    ) -> (TokenStream, bool) {
        if let Some(reason) = unscoped {
            self.queries.push(QueryDoc::Unscoped {
                reason: reason.value(),
                sql: format!("COPY {}", target_lit.value()),
            });
            return (quote!(), false);
        }
        let marker = Ident::new(SCOPED_MARKER, Span::call_site());
        if let Some(item) = &self.nested_item {
            self.errors.push(syn::Error::new(
                target_lit.span(),
                nested_refusal("copy", item),
            ));
            return (quote!(#marker,), false);
        }
        // A target the macro refuses is left to its error (it compiles
        // nowhere).
        let Ok(target) = secure_pg_sql::copy::parse_target(&target_lit.value()) else {
            return (quote!(#marker,), false);
        };
        // Copied out, the tenant column is the caller's tenant in every
        // row; copied in, the rows cannot choose it.
        let listed = target.columns.iter().find(|c| **c == self.opts.column);
        if let (Some(listed), false) = (listed, out) {
            let tenant = self
                .tenant
                .map_or_else(|| "tenant".to_owned(), |t| t.to_string());
            self.errors.push(syn::Error::new(
                target_lit.span(),
                format!(
                    "this copy lists `{listed}`, which #[tenant_scoped] fills from the tenant \
                     argument (`{tenant}`), so the rows cannot choose it; remove `{listed}` \
                     from the column list and its value from the closure"
                ),
            ));
            return (quote!(#marker,), false);
        }
        // Scoped as the statement the copy is equivalent to.
        let (equivalent, tenant_param) = if out {
            (target.select_sql(), 1)
        } else {
            (target.insert_sql(), target.columns.len() + 1)
        };
        let scoped = scope_query(&equivalent, self.opts, tenant_param)
            .map_err(|e| (None, e.message().to_string()))
            .and_then(|scoped| self.with_schema(&equivalent, scoped, tenant_param));
        let scoped = match scoped {
            Ok(scoped) => scoped,
            Err((span, message)) => {
                self.scope_error(span, target_lit.span(), message);
                return (quote!(#marker,), false);
            }
        };
        if !scoped.binds_tenant {
            self.queries.push(QueryDoc::Scoped {
                sql: if out {
                    target.copy_out_sql()
                } else {
                    target.copy_sql()
                },
            });
            return (quote!(#marker,), self.tenant.is_some());
        }
        // The column's type: the schema's when there is one.
        let ty = match crate::schema_check::catalog() {
            Ok(Some(schema)) => check_tables(&scoped.tables, self.opts, &schema.catalog)
                .ok()
                .flatten()
                .map(|c| c.ty)
                .unwrap_or_else(|| self.opts.column_type.clone()),
            _ => self.opts.column_type.clone(),
        };
        let Some(tenant) = self.captured else {
            return (quote!(), false);
        };
        self.queries.push(QueryDoc::Scoped {
            sql: if out {
                let staged = target.staged_out(&self.opts.column, &ty);
                format!("{}; {}", staged.insert, staged.copy)
            } else {
                let staged = target.staged(&self.opts.column, &ty);
                format!("{}; {}", staged.copy, staged.insert)
            },
        });
        let column = LitStr::new(&self.opts.column, target_lit.span());
        let ty = LitStr::new(&ty, target_lit.span());
        self.for_tenant = self.tenant_is_tenant_id;
        (
            quote!(#marker, __tenant(#tenant, #column, #ty),),
            self.tenant.is_some(),
        )
    }

    /// With a schema in the repository: every table the query names must
    /// carry the tenant column unless exempt, no exempt table may carry it,
    /// and the column's type is the schema's (the query is scoped again
    /// with it when it differs from the default `column_type`). An error
    /// carries the span to report it on when that is not the query's
    /// literal (a disagreeing `column_type` is reported on the attribute).
    fn with_schema(
        &self,
        sql: &str,
        scoped: Scoped,
        tenant_param: usize,
    ) -> Result<Scoped, (Option<Span>, String)> {
        let Some(schema) = crate::schema_check::catalog().map_err(|m| (None, m))? else {
            return Ok(scoped);
        };
        let column = check_tables(&scoped.tables, self.opts, &schema.catalog)
            .map_err(|e| (None, e.message().to_string()))?;
        let Some(column) = column else {
            return Ok(scoped);
        };
        if column.ty == self.opts.column_type {
            return Ok(scoped);
        }
        if let Some(span) = self.column_type_explicit {
            return Err((
                Some(span),
                format!(
                    "`column_type = \"{}\"` disagrees with the schema, which declares `{}.{}` as \
                 `{}`; remove `column_type`: with a schema, the tenant column's type is read \
                 from it",
                    self.opts.column_type, column.table, self.opts.column, column.ty
                ),
            ));
        }
        let opts = TenantOptions {
            column_type: column.ty,
            ..self.opts.clone()
        };
        scope_query(sql, &opts, tenant_param).map_err(|e| (None, e.message().to_string()))
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
            "`#[tenant_scoped]` restricts the queries of this function to the tenant passed \
             in `{tenant}`, captured when the function is entered (column `{}`{}).",
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
