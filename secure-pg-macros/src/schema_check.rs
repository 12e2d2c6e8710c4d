//! The schema checks of the query macros: load the repository's schema
//! once per compiler process, type the statement with
//! `secure_pg_sql::typecheck`, and say what to generate. All decisions are
//! in `secure-pg-sql`; this module only finds the roots and turns results
//! into tokens.

use std::path::PathBuf;

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use secure_pg_sql::diagnostic::Position;
use secure_pg_sql::schema::{load_cached, LoadedSchema};
use secure_pg_sql::typecheck::{binding_function, check, wire, ColumnInfo, Typed, Wire};
use std::sync::Arc;
use syn::spanned::Spanned;
use syn::Type;

use crate::expand::MacroKind;

/// What the schema says about one statement.
pub(crate) struct SchemaTyped {
    /// The schema it was typed against (its files are each made a build
    /// dependency); the tenant rule and the view analysis read it too, so
    /// the schema is looked up once per query.
    pub(crate) loaded: Arc<LoadedSchema>,
    /// The statement's types.
    pub(crate) typed: Typed,
    /// How each parameter is declared in PgBouncer mode.
    pub(crate) wires: Vec<Option<Wire>>,
}

pub(crate) use secure_pg_sql::schema::locate::workspace_root;

/// The crate's schema, parsed once per compiler process. `Ok(None)`: there
/// is no schema; `Err` is the message for the user.
pub(crate) fn catalog() -> Result<Option<Arc<LoadedSchema>>, String> {
    let Some(root) = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from) else {
        return Ok(None);
    };
    let workspace = workspace_root(&root);
    load_cached(&root, workspace.as_deref())
        .map_err(|e| format!("the schema the query is checked against could not be read: {e}"))
}

/// The rule for a query outside `#[tenant_scoped]` (and without `unscoped
/// = "reason"`): with the crate's schema, one that names a tenant table
/// (one with the tenant column, `tenant_id` unless the metadata says
/// otherwise) is an error that shows both fixes. Under `tenant_scoping =
/// "opt-in"` it compiles, and the query reports the opt-out to the
/// runtime's posture check (`.__tenant_scoping_opted_out()`, chained on
/// the query).
pub(crate) fn tenant_rule(
    sql: &str,
    sql_span: Span,
    kind: MacroKind,
    loaded: &LoadedSchema,
) -> syn::Result<TokenStream2> {
    tenant_rule_with(
        sql,
        sql_span,
        kind,
        loaded,
        secure_pg_sql::tenant::tenant_relations,
    )
}

/// `.__changes_session()` when the statement reaches a session-changing
/// function through the schema: a view it reads, a trigger or a column
/// default of a table it writes (its own text is judged by `expand_typed`),
/// so that its connection is reset after it and it never runs on a shared
/// connection.
pub(crate) fn session_through_schema(sql: &str, loaded: &LoadedSchema) -> TokenStream2 {
    if !secure_pg_sql::session::changes_session(sql)
        && secure_pg_sql::session::changes_session_through_schema(sql, &loaded.catalog)
    {
        quote!(.__changes_session())
    } else {
        quote!()
    }
}

/// [`tenant_rule`] for the `_unparsed` forms: the tables are the tenant
/// tables whose names appear in the SQL as words. These forms are not
/// typed, so this is where they read the schema.
pub(crate) fn tenant_rule_unparsed(
    sql: &str,
    sql_span: Span,
    kind: MacroKind,
) -> syn::Result<TokenStream2> {
    let Ok(Some(loaded)) = catalog() else {
        return Ok(quote!());
    };
    tenant_rule_with(
        sql,
        sql_span,
        kind,
        &loaded,
        secure_pg_sql::tenant::tenant_relations_in_text,
    )
}

fn tenant_rule_with(
    sql: &str,
    sql_span: Span,
    kind: MacroKind,
    loaded: &LoadedSchema,
    find: fn(&str, &str, &secure_pg_sql::schema::Catalog) -> Vec<String>,
) -> syn::Result<TokenStream2> {
    let tables = find(sql, &loaded.tenancy.column, &loaded.catalog);
    // What it reaches without naming it: a view without the tenant column
    // over a tenant table, a routine of the migrations reading one.
    let reached =
        secure_pg_sql::tenant::tenant_data_reached(sql, &loaded.tenancy.column, &loaded.catalog);
    if tables.is_empty() && reached.is_empty() {
        return Ok(quote!());
    }
    if !loaded.tenancy.by_default {
        return Ok(quote!(.__tenant_scoping_opted_out()));
    }
    let scope = if kind.mode() == secure_pg_sql::check::Mode::Unparsed {
        "write it so that `secure_query!` / `secure_query_as!` parse it and put it in a \
         function marked #[tenant_scoped] that takes the tenant (`tenant: TenantId`), which \
         scopes it to that tenant (the unparsed forms cannot be scoped)"
    } else {
        "put it in a function marked #[tenant_scoped] that takes the tenant \
         (`tenant: TenantId`), which scopes it to that tenant"
    };
    let Some(first) = tables.first() else {
        return Err(syn::Error::new(
            sql_span,
            format!(
                "this query reaches tenant rows through {}, outside a #[tenant_scoped] \
                 function, so it would read or change every tenant's rows; #[tenant_scoped] \
                 scopes only the tables a query names (it refuses a view without the `{col}` \
                 column and a function it cannot see into), so select from those tables: \
                 {scope}, or, if it must see every tenant, say why: \
                 `{mac}(unscoped = \"why every tenant\", ...)`",
                reached.join("; "),
                col = loaded.tenancy.column,
                mac = kind.name(),
            ),
        ));
    };
    let also = if reached.is_empty() {
        String::new()
    } else {
        format!(" (and reaches tenant rows through {})", reached.join("; "))
    };
    let names = tables
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (noun, has) = if tables.len() == 1 {
        ("a tenant table", "has")
    } else {
        ("tenant tables", "have")
    };
    Err(syn::Error::new(
        sql_span,
        format!(
            "this query uses {names}, {noun} (the schema says {it} a `{col}` column){also}, \
             outside a #[tenant_scoped] function, so it would read or change every tenant's \
             rows; {scope}, or, if it must see every \
             tenant, say why: `{mac}(unscoped = \"why every tenant\", ...)`; the reason is \
             shown in the docs and can be grepped",
            it = if tables.len() == 1 {
                format!("`{first}` {has}")
            } else {
                format!("they each {has}")
            },
            col = loaded.tenancy.column,
            mac = kind.name(),
        ),
    ))
}

/// What to do instead of the `_unparsed` forms inside `#[tenant_scoped]`,
/// which refuses them (they cannot be scoped).
const SCOPED_WAY_OUT: &str = "inside #[tenant_scoped] the `_unparsed` forms are refused (they \
     cannot be scoped to the tenant): rewrite the query in a form the schema checks type, or, \
     if it reads no tenant's rows, run it from a function without the attribute with \
     `secure_query_unparsed!(unscoped = \"why\", ...)`, which may run inside the scope";

/// Types `sql` against the crate's schema. `Ok(None)`: there is no schema
/// (the macros behave exactly as without schema checks). `scoped`: the
/// query is inside `#[tenant_scoped]`, so a help that points to the
/// `_unparsed` forms says what works there instead.
pub(crate) fn type_statement(
    sql: &str,
    sql_span: Span,
    scoped: bool,
) -> syn::Result<Option<SchemaTyped>> {
    let Some(loaded) = loaded_catalog(sql_span)? else {
        return Ok(None);
    };
    match check(sql, &loaded.catalog) {
        Ok(typed) => Ok(Some(schema_typed(typed, loaded))),
        Err(diagnostics) => {
            // `#[tenant_scoped]` hands over its rewrite of the user's
            // literal (the tenant filter added, the SQL printed anew) under
            // the literal's span. When the text the user wrote is refused
            // on its own, its refusal is shown: in the user's text, at the
            // user's positions.
            let written = scoped
                .then(|| written_text(sql_span))
                .flatten()
                .filter(|w| w != sql);
            if let Some(written) = written {
                if let Err(own) = check(&written, &loaded.catalog) {
                    return Err(refusal(
                        &written,
                        &own,
                        &loaded,
                        &|_| sql_span,
                        sql_span,
                        scoped,
                    ));
                }
            }
            Err(refusal(
                sql,
                &diagnostics,
                &loaded,
                &|_| sql_span,
                sql_span,
                scoped,
            ))
        }
    }
}

/// The value of the string literal written at `span` in the user's
/// source, if the span covers one.
fn written_text(span: Span) -> Option<String> {
    let text = span.source_text()?;
    syn::parse_str::<syn::LitStr>(&text).ok().map(|l| l.value())
}

/// [`type_statement`], with each refusal reported at `span_for` of its
/// place in `sql` (a dynamic query's fragment, for one).
pub(crate) fn type_statement_at(
    sql: &str,
    sql_span: Span,
    span_for: &dyn Fn(Option<&Position>) -> Span,
    scoped: bool,
) -> syn::Result<Option<SchemaTyped>> {
    let Some(loaded) = loaded_catalog(sql_span)? else {
        return Ok(None);
    };
    match check(sql, &loaded.catalog) {
        Ok(typed) => Ok(Some(schema_typed(typed, loaded))),
        Err(diagnostics) => Err(refusal(
            sql,
            &diagnostics,
            &loaded,
            span_for,
            sql_span,
            scoped,
        )),
    }
}

/// The crate's schema; `None` without one, an error at `sql_span` when it
/// could not be read.
fn loaded_catalog(sql_span: Span) -> syn::Result<Option<Arc<LoadedSchema>>> {
    catalog().map_err(|message| syn::Error::new(sql_span, message))
}

fn schema_typed(typed: Typed, loaded: Arc<LoadedSchema>) -> SchemaTyped {
    SchemaTyped {
        wires: typed
            .params
            .iter()
            .map(|p| wire(p, &loaded.catalog))
            .collect(),
        typed,
        loaded,
    }
}

/// The refusals of `sql`, each rendered in `sql` and reported at `span_for`
/// of its place.
fn refusal(
    sql: &str,
    diagnostics: &[secure_pg_sql::diagnostic::Diagnostic],
    loaded: &LoadedSchema,
    span_for: &dyn Fn(Option<&Position>) -> Span,
    sql_span: Span,
    scoped: bool,
) -> syn::Error {
    // The first refusal of a crate that is about an object the loader left
    // unknown also says what it could not model.
    let note = loaded
        .catalog
        .unknown_note(diagnostics)
        .filter(|_| first_unknown_refusal());
    crate::expand::combine(diagnostics.iter().enumerate().map(|(i, d)| {
        let mut d = d.clone();
        if scoped && d.help.as_deref().is_some_and(|h| h.contains("_unparsed")) {
            d.help = Some(SCOPED_WAY_OUT.to_string());
        }
        let mut text = d.render(sql);
        if let (0, Some(note)) = (i, &note) {
            text.push_str("\n= note: ");
            text.push_str(note);
        }
        syn::Error::new(span_for(d.at.as_ref()), text)
    }))
    .unwrap_or_else(|| syn::Error::new(sql_span, "the SQL could not be typed"))
}

/// Whether this is the crate's first query refused because of an object
/// the schema loader left unknown (rustc compiles one crate per process;
/// the set is keyed by crate in case it does not).
fn first_unknown_refusal() -> bool {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static SHOWN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let krate = std::env::var("CARGO_CRATE_NAME").unwrap_or_default();
    let mut shown = SHOWN.lock().unwrap_or_else(|p| p.into_inner());
    shown.get_or_insert_with(HashSet::new).insert(krate)
}

/// `const _: &[u8] = include_bytes!("...");` for every schema file, so that
/// changing a migration rebuilds the crate, emitted by the first query of
/// each crate only: one mention makes the file a dependency of the whole
/// crate, and repeating every file in every query made rustc read and hash
/// each of them once per query (6–7 ms per query with 100 migrations).
/// rustc compiles one crate per process and re-expands every macro on each
/// build, so the first expansion of every build emits them.
pub(crate) fn dependencies(files: &[PathBuf]) -> TokenStream2 {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static EMITTED: Mutex<Option<HashSet<(String, PathBuf)>>> = Mutex::new(None);
    let krate = std::env::var("CARGO_CRATE_NAME").unwrap_or_default();
    let mut emitted = EMITTED.lock().unwrap_or_else(|p| p.into_inner());
    let emitted = emitted.get_or_insert_with(HashSet::new);
    let consts = files
        .iter()
        .filter(|f| emitted.insert((krate.clone(), (*f).clone())))
        .filter_map(|f| f.to_str())
        .map(|p| {
            quote! { const _: &[u8] = ::core::include_bytes!(#p); }
        })
        .collect::<Vec<_>>();
    quote! { #(#consts)* }
}

/// The binding function of each parameter (`None`: bound unchecked).
pub(crate) fn binders(typed: &Typed) -> Vec<Option<&'static str>> {
    typed.params.iter().map(binding_function).collect()
}

/// `.__param_types(&[...])`: how PgBouncer mode declares each parameter
/// (nothing when no parameter has a declaration).
pub(crate) fn param_types(wires: &[Option<Wire>]) -> TokenStream2 {
    if wires.iter().all(Option::is_none) {
        return TokenStream2::new();
    }
    let array = param_array(wires);
    quote!(.__param_types(#array))
}

/// `&[...]`: how PgBouncer mode declares each parameter.
pub(crate) fn param_array(wires: &[Option<Wire>]) -> TokenStream2 {
    let items = wires.iter().map(|w| match w {
        Some(Wire::Declared(oid)) => {
            quote!(::core::option::Option::Some(::secure_pg::__private::Wire::Declared(#oid)))
        }
        Some(Wire::Inferred(oid)) => {
            quote!(::core::option::Option::Some(::secure_pg::__private::Wire::Inferred(#oid)))
        }
        None => quote!(::core::option::Option::None),
    });
    quote!(&[#(#items),*])
}

/// `T` of a type written as `Option<T>` (the last path segment).
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(a) => match a.args.first()? {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

fn nullable_message(c: &ColumnInfo, what: &str) -> String {
    format!(
        "column `{}` can be NULL, so {what} must be an `Option<...>`{}",
        c.name,
        c.why_nullable
            .as_ref()
            .map(|w| format!("\n= note: {w}"))
            .unwrap_or_default()
    )
}

/// Assertions that the row type reads each result column: for a tuple,
/// the element count, each element's `Option`-ness and type; for a
/// `FromRow` type, the type of the field reading each column, and that
/// every field reading a nullable column is an `Option`.
pub(crate) fn row_assertions(row_type: &Type, typed: &Typed) -> syn::Result<TokenStream2> {
    let cols = &typed.columns;
    if !typed.typed {
        return Ok(TokenStream2::new());
    }
    if let Type::Tuple(t) = row_type {
        if t.elems.len() != cols.len() {
            return Err(syn::Error::new(
                row_type.span(),
                format!(
                    "the query returns {} columns ({}) but the row type has {} elements",
                    cols.len(),
                    cols.iter()
                        .map(|c| format!("`{}`", c.name))
                        .collect::<Vec<_>>()
                        .join(", "),
                    t.elems.len()
                ),
            ));
        }
        let mut out = TokenStream2::new();
        let mut errors = Vec::new();
        for (elem, c) in t.elems.iter().zip(cols) {
            let inner = option_inner(elem);
            if c.nullable && inner.is_none() {
                errors.push(syn::Error::new(
                    elem.span(),
                    nullable_message(c, "this element"),
                ));
                continue;
            }
            if let Some(f) = binding_function(&c.ty) {
                let f = syn::Ident::new(&format!("read_{f}"), elem.span());
                let inner = inner.unwrap_or(elem);
                out.extend(quote::quote_spanned! {elem.span()=>
                    ::secure_pg::__private::sql::#f::<#inner>();
                });
            }
        }
        if let Some(e) = crate::expand::combine(errors) {
            return Err(e);
        }
        return Ok(quote!(let _ = || { #out };));
    }
    // Each column's type against the field reading it (`FieldReads`, by the
    // field's place; a column no field reads passes).
    let types = cols.iter().filter_map(|c| {
        let f = binding_function(&c.ty)?;
        let marker = syn::Ident::new(f, row_type.span());
        // `x!` and `x?` (sqlx's overrides) are read by the field `x`.
        let name = secure_pg_sql::typecheck::sqlx_override(&c.name).0;
        Some(quote::quote_spanned! {row_type.span()=>
            ::secure_pg::__private::sql::field_reads::<
                #row_type,
                { ::secure_pg::__private::sql::field_index::<#row_type>(#name) },
                ::secure_pg::__private::sql::column::#marker,
            >();
        })
    });
    // Each nullable column against the field reading it (`FieldHoldsNull`:
    // an error on a field that is not an `Option`).
    let checks = cols.iter().filter(|c| c.nullable).map(|c| {
        let name = secure_pg_sql::typecheck::sqlx_override(&c.name).0;
        quote::quote_spanned! {row_type.span()=>
            ::secure_pg::__private::sql::field_holds_null::<
                #row_type,
                { ::secure_pg::__private::sql::field_index::<#row_type>(#name) },
            >();
        }
    });
    Ok(quote!(let _ = || { #(#types)* #(#checks)* };))
}
