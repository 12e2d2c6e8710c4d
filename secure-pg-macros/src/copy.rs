//! `secure_copy_in!` and `secure_copy_out!`: reading their input and
//! generating the copy. The target and the SQL are `secure_pg_sql::copy`'s;
//! the schema checks type a copy in as the one-row `INSERT` it is
//! equivalent to, and a copy out as the `SELECT` of its columns.

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{quote, quote_spanned};
use secure_pg_sql::copy::{parse_target, CopyTarget, Staged};
use secure_pg_sql::schema::LoadedSchema;
use syn::parse::{Parse, ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Expr, LitStr, Pat, Token};

use crate::expand::SCOPED_MARKER;
use crate::register::Scoping;

/// What `#[tenant_scoped]` adds to a copy it scoped to a tenant table:
/// `__tenant(captured, "column", "type"),` after its marker.
pub(crate) struct CopyTenant {
    /// The captured tenant binding.
    pub(crate) value: Expr,
    /// The tenant column.
    pub(crate) column: LitStr,
    /// Its SQL type (a plain identifier, checked by the attribute).
    pub(crate) ty: LitStr,
}

/// The parsed input:
/// `[unscoped = "reason",] "table (col, ...)", rows, |row| (value, ...)`.
pub(crate) struct CopyInput {
    /// Written by `#[tenant_scoped]` (see `expand::SCOPED_MARKER`).
    pub(crate) scoped_by_attribute: bool,
    /// Added by the attribute for a tenant table.
    pub(crate) tenant: Option<CopyTenant>,
    /// `unscoped = "reason"`.
    pub(crate) unscoped: Option<LitStr>,
    /// The target literal.
    pub(crate) target: LitStr,
    /// The rows (any `IntoIterator`).
    pub(crate) rows: Expr,
    /// The closure's parameter.
    pub(crate) pat: Pat,
    /// The values of one row, one per listed column.
    pub(crate) values: Vec<Expr>,
    /// Where the values are written (the closure's body), for a count
    /// error.
    pub(crate) body_span: Span,
}

impl CopyInput {
    /// The input again, after `prefix` (the attribute's marker).
    pub(crate) fn tokens_after(&self, prefix: TokenStream2) -> TokenStream2 {
        let (unscoped, target, rows, pat) = (
            self.unscoped.as_ref().map(|r| quote!(unscoped = #r,)),
            &self.target,
            &self.rows,
            &self.pat,
        );
        let values = &self.values;
        let body = if values.len() == 1 {
            quote!(#(#values)*)
        } else {
            quote!((#(#values),*))
        };
        quote!(#prefix #unscoped #target, #rows, |#pat| #body)
    }

    /// Parses `tokens`.
    pub(crate) fn parse_tokens(tokens: TokenStream2) -> syn::Result<Self> {
        Self::parse.parse2(tokens)
    }
}

const SHAPE: &str = "write `secure_copy_in!(\"orders (customer_id, amount)\", rows, |o| \
                     (o.customer_id, o.amount))`: the table and its columns, the rows, and a \
                     closure that gives each row's values in the columns' order";

/// What `#[tenant_scoped]` put before a copy's input: its marker, and
/// `__tenant(captured, "column", "type"),` for a tenant table.
fn parse_prefix(input: ParseStream<'_>) -> syn::Result<(bool, Option<CopyTenant>)> {
    let mut scoped_by_attribute = false;
    let mut tenant = None;
    if input
        .fork()
        .parse::<syn::Ident>()
        .is_ok_and(|i| i == SCOPED_MARKER)
    {
        input.parse::<syn::Ident>()?;
        input.parse::<Token![,]>()?;
        scoped_by_attribute = true;
        if input
            .fork()
            .parse::<syn::Ident>()
            .is_ok_and(|i| i == "__tenant")
        {
            input.parse::<syn::Ident>()?;
            let inner;
            syn::parenthesized!(inner in input);
            let value: Expr = inner.parse()?;
            inner.parse::<Token![,]>()?;
            let column: LitStr = inner.parse()?;
            inner.parse::<Token![,]>()?;
            let ty: LitStr = inner.parse()?;
            input.parse::<Token![,]>()?;
            tenant = Some(CopyTenant { value, column, ty });
        }
    }
    Ok((scoped_by_attribute, tenant))
}

impl Parse for CopyInput {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let (scoped_by_attribute, tenant) = parse_prefix(input)?;
        let unscoped = crate::expand::parse_unscoped(input)?;
        if !input.peek(LitStr) {
            return Err(input.error(format!(
                "expected the copy target as a string literal; {SHAPE}"
            )));
        }
        let target: LitStr = input.parse()?;
        if input.is_empty() {
            return Err(input.error(format!(
                "expected `,` and the rows after the target; {SHAPE}"
            )));
        }
        input.parse::<Token![,]>()?;
        let rows: Expr = input.parse()?;
        if input.is_empty() {
            return Err(input.error(format!(
                "expected `,` and a closure that gives each row's values; {SHAPE}"
            )));
        }
        input.parse::<Token![,]>()?;
        let closure: Expr = input.parse()?;
        let _ = input.parse::<Option<Token![,]>>()?;
        if !input.is_empty() {
            return Err(input.error(format!("unexpected input after the closure; {SHAPE}")));
        }
        let Expr::Closure(closure) = closure else {
            return Err(syn::Error::new_spanned(
                closure,
                format!("expected a closure that gives each row's values; {SHAPE}"),
            ));
        };
        if closure.inputs.len() != 1 {
            return Err(syn::Error::new_spanned(
                &closure.inputs,
                "the closure takes one parameter: the row the values are taken from",
            ));
        }
        if closure.asyncness.is_some() || closure.capture.is_some() {
            return Err(syn::Error::new_spanned(
                &closure,
                "write the closure as `|row| (values...)`: it runs once per row while the \
                 copy is sent, without `async` or `move`",
            ));
        }
        let body_span = closure.body.span();
        let values = match *closure.body {
            Expr::Tuple(t) => t.elems.into_iter().collect(),
            Expr::Paren(p) => vec![*p.expr],
            other => vec![other],
        };
        Ok(CopyInput {
            scoped_by_attribute,
            tenant,
            unscoped,
            target,
            rows,
            pat: closure.inputs.into_iter().next().expect("one input"),
            values,
            body_span,
        })
    }
}

/// Expands `secure_copy_in!`; errors become `compile_error!`s.
pub(crate) fn run(tokens: TokenStream2) -> TokenStream2 {
    CopyInput::parse_tokens(tokens)
        .and_then(|input| expand(&input))
        .unwrap_or_else(crate::expand::errors_as_expression)
}

fn expand(input: &CopyInput) -> syn::Result<TokenStream2> {
    let span = input.target.span();
    let target = parse_target(&input.target.value()).map_err(|m| syn::Error::new(span, m))?;
    if input.values.len() != target.columns.len() {
        return Err(syn::Error::new(
            input.body_span,
            format!(
                "the copy lists {} (`{}`) but the closure gives {}; give one value per \
                 column, in the columns' order",
                plural(target.columns.len(), "column"),
                target.columns.join("`, `"),
                plural(input.values.len(), "value"),
            ),
        ));
    }
    let (binders, schema) = schema_checks(input, &target)?;
    let registered = copy_registration(
        &target,
        false,
        input.tenant.as_ref(),
        Scoping::of(input.unscoped.as_ref(), input.scoped_by_attribute),
        span,
    );
    let values = input.values.iter().enumerate().map(|(i, v)| {
        let bind = match binders.get(i).copied().flatten() {
            Some(f) => {
                let f = syn::Ident::new(f, v.span());
                quote_spanned!(v.span()=> ::secure_pg::__private::sql::#f(&(#v)))
            }
            None => quote_spanned!(v.span()=> ::secure_pg::__private::bind(&(#v))),
        };
        quote!(__secure_pg_row.value(#bind);)
    });
    let sql = copy_sql_tokens(&target, target.copy_sql(), span);
    let rows = &input.rows;
    let pat = &input.pat;
    let tenant = input.tenant.as_ref().map(|t| {
        let staged = target.staged(&t.column.value(), &t.ty.value());
        tenant_tokens(t, staged, span)
    });
    let unscoped = input
        .unscoped
        .as_ref()
        .map(|_| quote!(.__tenant_scoped_by_attribute()));
    Ok(quote! {{
        #schema
        #registered
        ::secure_pg::CopyIn::__from_macro(
            #sql,
            #rows,
            |#pat, __secure_pg_row: &mut ::secure_pg::CopyRow<'_>| {
                #(#values)*
            },
        )
        #tenant
        #unscoped
    }})
}

/// A copy's registration in `secure_pg::queries()`: the statements it
/// sends (for a scoped copy, the staging copy and the move between the
/// staging table and the table, the tenant as `$1`) and, with a schema,
/// what the statement it is typed as uses (a copy in needs `INSERT`, a
/// copy out `SELECT`). Its parameters and columns are not recorded: the
/// server does not type a `COPY`, so verification holds copies to the
/// catalog only.
fn copy_registration(
    target: &CopyTarget,
    out: bool,
    tenant: Option<&CopyTenant>,
    scoping: Scoping<'_>,
    span: Span,
) -> TokenStream2 {
    let (sql, equivalent) = match (tenant, out) {
        (None, false) => (target.copy_sql(), target.insert_sql()),
        (None, true) => (target.copy_out_sql(), target.select_sql()),
        (Some(t), false) => {
            let staged = target.staged(&t.column.value(), &t.ty.value());
            let mut with_tenant = target.clone();
            with_tenant.columns.push(t.column.value());
            (
                format!("{}; {}", staged.copy, staged.insert),
                with_tenant.insert_sql(),
            )
        }
        (Some(t), true) => {
            let staged = target.staged_out(&t.column.value(), &t.ty.value());
            (
                format!("{}; {}", staged.insert, staged.copy),
                target.select_sql(),
            )
        }
    };
    let name = if out {
        "secure_copy_out"
    } else {
        "secure_copy_in"
    };
    let loaded = crate::schema_check::catalog().ok().flatten();
    let facts = loaded
        .as_ref()
        .map(|l| secure_pg_sql::registry::facts(&equivalent, &l.catalog));
    let untyped = secure_pg_sql::typecheck::Typed {
        params: Vec::new(),
        columns: Vec::new(),
        typed: false,
    };
    crate::register::registration(
        &sql,
        span,
        name,
        scoping,
        facts.as_ref().map(|f| (&untyped, f)),
    )
}

/// `CopySql { .. }` for a copy whose statement is `copy`.
fn copy_sql_tokens(target: &CopyTarget, copy: String, span: Span) -> TokenStream2 {
    let lit = |s: String| LitStr::new(&s, span);
    let table = lit(target.table_display());
    let columns = target.columns.iter().map(|c| lit(c.clone()));
    let (copy, types) = (lit(copy), lit(target.types_sql()));
    quote! {
        ::secure_pg::__private::CopySql {
            table: #table,
            columns: &[#(#columns),*],
            copy: #copy,
            types: #types,
        }
    }
}

/// `.__with_tenant(StagedSql { .. }, tenant)` for a copy the attribute
/// scoped to a tenant table.
fn tenant_tokens(tenant: &CopyTenant, staged: Staged, span: Span) -> TokenStream2 {
    let lit = |s: String| LitStr::new(&s, span);
    let (create, copy, insert, drop) = (
        lit(staged.create),
        lit(staged.copy),
        lit(staged.insert),
        lit(staged.drop),
    );
    let value = &tenant.value;
    quote! {
        .__with_tenant(
            ::secure_pg::__private::StagedSql {
                create: #create,
                copy: #copy,
                insert: #insert,
                drop: #drop,
            },
            ::secure_pg::__private::capture_tenant(&#value),
        )
    }
}

/// Outside `#[tenant_scoped]`, with a schema: a copy whose `equivalent`
/// statement names a tenant table must say `unscoped = "reason"`
/// (`refusal` gives the message for the tenant column; `mac` is the
/// macro's name, for the advice), or, when the crate
/// opted out of default scoping, it reports that it ran.
fn copy_tenant_rule(
    scoped_by_attribute: bool,
    unscoped: Option<&LitStr>,
    equivalent: &str,
    loaded: &LoadedSchema,
    (mac, span): (&str, Span),
    refusal: impl FnOnce(&str) -> String,
) -> syn::Result<TokenStream2> {
    if scoped_by_attribute || unscoped.is_some() {
        return Ok(quote!());
    }
    let column = &loaded.tenancy.column;
    let tables = secure_pg_sql::tenant::tenant_relations(equivalent, column, &loaded.catalog);
    // What the copy reaches without naming it: a view without the tenant
    // column over a tenant table, or (a copy in fires the table's
    // triggers) a trigger whose routine writes one.
    let reached = secure_pg_sql::tenant::tenant_data_reached(equivalent, column, &loaded.catalog);
    if tables.is_empty() && reached.is_empty() {
        return Ok(quote!());
    }
    if !loaded.tenancy.by_default {
        return Ok(quote!(::secure_pg::__private::note_tenant_scoping_opted_out();));
    }
    if tables.is_empty() {
        return Err(syn::Error::new(
            span,
            format!(
                "this copy reaches tenant rows through {}, outside a #[tenant_scoped] function, \
                 so it would {effect}; copy a tenant table itself \
                 from a function marked #[tenant_scoped] that takes the tenant \
                 (`tenant: TenantId`), or, if it must reach every tenant, say why: \
                 `{mac}!(unscoped = \"why every tenant\", ...)`",
                reached.join("; "),
                effect = if mac == "secure_copy_in" {
                    "write rows for any tenant"
                } else {
                    "copy out every tenant's rows"
                },
            ),
        ));
    }
    Err(syn::Error::new(span, refusal(column)))
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// With the crate's schema: the table and columns exist, the binding
/// function of each value (the column's type), and the tenant rule
/// outside `#[tenant_scoped]`. Returns the binders and the tokens that
/// make the schema files build dependencies (and report an opt-out).
fn schema_checks(
    input: &CopyInput,
    target: &CopyTarget,
) -> syn::Result<(Vec<Option<&'static str>>, TokenStream2)> {
    let span = input.target.span();
    let loaded = match crate::schema_check::catalog() {
        Ok(Some(l)) => l,
        Ok(None) => return Ok((Vec::new(), quote!())),
        Err(message) => return Err(syn::Error::new(span, message)),
    };
    let insert = target.insert_sql();
    // Scoped to a tenant table: the rows fill the listed columns, and the
    // library the tenant column, so that is the insert typed.
    let typed_insert = match &input.tenant {
        Some(t) => {
            let mut with_tenant = target.clone();
            with_tenant.columns.push(t.column.value());
            with_tenant.insert_sql()
        }
        None => insert.clone(),
    };
    // The checks speak of the INSERT the copy is typed as.
    let typed = secure_pg_sql::typecheck::check(&typed_insert, &loaded.catalog)
        .map_err(|ds| copy_refusal(&ds, "this INSERT", "copy into", target, span))?;
    let deps = crate::schema_check::dependencies(&loaded.files);
    let opted_out = copy_tenant_rule(
        input.scoped_by_attribute,
        input.unscoped.as_ref(),
        &insert,
        &loaded,
        ("secure_copy_in", span),
        |col| {
            format!(
                "this copy writes into `{table}`, a tenant table (the schema says it has a \
                 `{col}` column), outside a #[tenant_scoped] function, so the rows could be \
                 for any tenant; put it in a function marked #[tenant_scoped] that takes the \
                 tenant (`tenant: TenantId`), which fills `{col}` with that tenant (leave \
                 `{col}` out of the list), or, if it must write for several tenants, say why: \
                 `secure_copy_in!(unscoped = \"why every tenant\", ...)`",
                table = target.table_display(),
            )
        },
    )?;
    Ok((
        crate::schema_check::binders(&typed),
        quote!(#deps #opted_out),
    ))
}

/// The parsed input of `secure_copy_out!`: `[unscoped = "reason",] RowType,
/// "table (col, ...)"`.
pub(crate) struct CopyOutInput {
    /// Written by `#[tenant_scoped]` (see `expand::SCOPED_MARKER`).
    pub(crate) scoped_by_attribute: bool,
    /// Added by the attribute for a tenant table.
    pub(crate) tenant: Option<CopyTenant>,
    /// `unscoped = "reason"`.
    pub(crate) unscoped: Option<LitStr>,
    /// The type each row is read into (a tuple).
    pub(crate) row: syn::Type,
    /// The target literal.
    pub(crate) target: LitStr,
}

const SHAPE_OUT: &str = "write `secure_copy_out!((i64, String), \"orders (id, note)\")`: the \
                         row type (a tuple, one element per column) and the table and its \
                         columns";

impl CopyOutInput {
    /// The input again, after `prefix` (the attribute's marker).
    pub(crate) fn tokens_after(&self, prefix: TokenStream2) -> TokenStream2 {
        let unscoped = self.unscoped.as_ref().map(|r| quote!(unscoped = #r,));
        let (row, target) = (&self.row, &self.target);
        quote!(#prefix #unscoped #row, #target)
    }

    /// Parses `tokens`.
    pub(crate) fn parse_tokens(tokens: TokenStream2) -> syn::Result<Self> {
        Self::parse.parse2(tokens)
    }
}

impl Parse for CopyOutInput {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let (scoped_by_attribute, tenant) = parse_prefix(input)?;
        let unscoped = crate::expand::parse_unscoped(input)?;
        if input.peek(LitStr) {
            return Err(input.error(format!(
                "expected the row type before the copy target; {SHAPE_OUT}"
            )));
        }
        let row: syn::Type = input.parse()?;
        if input.is_empty() {
            return Err(input.error(format!(
                "expected `,` and the copy target after the row type; {SHAPE_OUT}"
            )));
        }
        input.parse::<Token![,]>()?;
        if !input.peek(LitStr) {
            return Err(input.error(format!(
                "expected the copy target as a string literal; {SHAPE_OUT}"
            )));
        }
        let target: LitStr = input.parse()?;
        let _ = input.parse::<Option<Token![,]>>()?;
        if !input.is_empty() {
            return Err(input.error(format!("unexpected input after the target; {SHAPE_OUT}")));
        }
        Ok(CopyOutInput {
            scoped_by_attribute,
            tenant,
            unscoped,
            row,
            target,
        })
    }
}

/// Expands `secure_copy_out!`; errors become `compile_error!`s.
pub(crate) fn run_out(tokens: TokenStream2) -> TokenStream2 {
    CopyOutInput::parse_tokens(tokens)
        .and_then(|input| expand_out(&input))
        .unwrap_or_else(crate::expand::errors_as_expression)
}

fn expand_out(input: &CopyOutInput) -> syn::Result<TokenStream2> {
    let span = input.target.span();
    let target = parse_target(&input.target.value()).map_err(|m| syn::Error::new(span, m))?;
    let syn::Type::Tuple(tuple) = &input.row else {
        return Err(syn::Error::new_spanned(
            &input.row,
            format!(
                "a copy out reads each row into a tuple type written out in the macro, one \
                 element per listed column ({} here, e.g. `(i64, String)` for two); a type \
                 alias or a struct cannot be checked against the columns, so map the tuples \
                 into your own type afterwards",
                target.columns.len()
            ),
        ));
    };
    if tuple.elems.len() != target.columns.len() {
        return Err(syn::Error::new_spanned(
            &input.row,
            format!(
                "the copy lists {} (`{}`) but the row type has {}; give one element per \
                 column, in the columns' order",
                plural(target.columns.len(), "column"),
                target.columns.join("`, `"),
                plural(tuple.elems.len(), "element"),
            ),
        ));
    }
    let schema = schema_checks_out(input, &target)?;
    let registered = copy_registration(
        &target,
        true,
        input.tenant.as_ref(),
        Scoping::of(input.unscoped.as_ref(), input.scoped_by_attribute),
        span,
    );
    let sql = copy_sql_tokens(&target, target.copy_out_sql(), span);
    let row = &input.row;
    let tenant = input.tenant.as_ref().map(|t| {
        let staged = target.staged_out(&t.column.value(), &t.ty.value());
        tenant_tokens(t, staged, span)
    });
    let unscoped = input
        .unscoped
        .as_ref()
        .map(|_| quote!(.__tenant_scoped_by_attribute()));
    Ok(quote! {{
        #schema
        #registered
        ::secure_pg::CopyOut::<#row>::__from_macro(#sql)
        #tenant
        #unscoped
    }})
}

/// The refusals of the statement a copy is typed as (`statement`: how
/// their messages name it), each worded as the copy's (`lead`: "copy
/// into", "copy out of") and reported at `span`.
fn copy_refusal(
    ds: &[secure_pg_sql::diagnostic::Diagnostic],
    statement: &str,
    lead: &str,
    target: &CopyTarget,
    span: Span,
) -> syn::Error {
    crate::expand::combine(ds.iter().map(|d| {
        let message = d.message.replace(statement, "this copy");
        let mut text = format!("{lead} `{}`: {message}", target.table_display());
        if let Some(help) = &d.help {
            text.push_str("\n= help: ");
            text.push_str(help);
        }
        syn::Error::new(span, text)
    }))
    .unwrap_or_else(|| syn::Error::new(span, "the copy could not be checked"))
}

/// With the crate's schema: the table and columns exist, the row type
/// reads each column (type and nullability, as `secure_query_as!` checks
/// the `SELECT` of the columns), and the tenant rule outside
/// `#[tenant_scoped]`.
fn schema_checks_out(input: &CopyOutInput, target: &CopyTarget) -> syn::Result<TokenStream2> {
    let span = input.target.span();
    let loaded = match crate::schema_check::catalog() {
        Ok(Some(l)) => l,
        Ok(None) => return Ok(quote!()),
        Err(message) => return Err(syn::Error::new(span, message)),
    };
    let select = target.select_sql();
    let typed = secure_pg_sql::typecheck::check(&select, &loaded.catalog)
        .map_err(|ds| copy_refusal(&ds, "this SELECT", "copy out of", target, span))?;
    let reads = crate::schema_check::row_assertions(&input.row, &typed)?;
    let deps = crate::schema_check::dependencies(&loaded.files);
    let opted_out = copy_tenant_rule(
        input.scoped_by_attribute,
        input.unscoped.as_ref(),
        &select,
        &loaded,
        ("secure_copy_out", span),
        |col| {
            format!(
                "this copy reads `{table}`, a tenant table (the schema says it has a `{col}` \
                 column), outside a #[tenant_scoped] function, so it would copy out every \
                 tenant's rows; put it in a function marked #[tenant_scoped] that takes the \
                 tenant (`tenant: TenantId`), which copies only that tenant's rows, or, if it \
                 must read every tenant, say why: `secure_copy_out!(unscoped = \"why every \
                 tenant\", ...)`",
                table = target.table_display(),
            )
        },
    )?;
    Ok(quote!(#deps #reads #opted_out))
}
