//! The registration each query macro adds to its expansion: a static in
//! `secure_pg`'s distributed slice of statements (`secure_pg::queries()`),
//! with what the macro checked (see `secure_pg::registry`).

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{quote, quote_spanned};
use secure_pg_sql::registry::{Facts, Privilege};
use secure_pg_sql::typecheck::{strip_typmod, Typed};
use syn::LitStr;

/// How the statement is scoped, as the macro knows it.
pub(crate) enum Scoping<'a> {
    /// Rewritten by `#[tenant_scoped]`.
    Tenant,
    /// `unscoped = "reason"`.
    Unscoped(&'a LitStr),
    /// Neither.
    NotScoped,
}

/// The registration of `sql` (as sent), written at `sql_span` by the
/// macro `macro_name` (without the `!`), with what the schema checks found
/// when there is a schema.
pub(crate) fn registration(
    sql: &str,
    sql_span: Span,
    macro_name: &str,
    scoping: Scoping<'_>,
    schema: Option<(&Typed, &Facts)>,
) -> TokenStream2 {
    let registry = quote!(::secure_pg::registry);
    let sql = LitStr::new(sql, sql_span);
    // Spanned on the literal: `line!()` gives the line of the first macro
    // call leading to it, which is the literal's own (a user token) even
    // inside a `#[tenant_scoped]` function or another macro.
    let location = quote_spanned!(sql_span=> (::core::file!(), ::core::line!(), ::core::column!()));
    let scoping = match scoping {
        Scoping::Tenant => quote!(#registry::Scoping::Tenant),
        Scoping::Unscoped(reason) => quote!(#registry::Scoping::Unscoped(#reason)),
        Scoping::NotScoped => quote!(#registry::Scoping::NotScoped),
    };
    let schema = match schema {
        None => quote!(::core::option::Option::None),
        Some((typed, facts)) => {
            let facts = schema_facts(typed, facts);
            quote!(::core::option::Option::Some(&#facts))
        }
    };
    quote! {
        #[::secure_pg::__private::linkme::distributed_slice(::secure_pg::__private::QUERIES)]
        #[linkme(crate = ::secure_pg::__private::linkme)]
        static __SECURE_PG_REGISTERED: #registry::RegisteredQuery =
            #registry::RegisteredQuery::__from_macro(#sql, #location, #macro_name, #scoping, #schema);
    }
}

/// `SchemaFacts::__from_macro(...)` for what the schema checks found.
fn schema_facts(typed: &Typed, facts: &Facts) -> TokenStream2 {
    let registry = quote!(::secure_pg::registry);
    let params = typed.params.iter().map(|p| strip_typmod(p).to_string());
    let columns = typed.columns.iter().map(|c| {
        let (name, ty, nullable) = (&c.name, strip_typmod(&c.ty).to_string(), c.nullable);
        quote!(#registry::ResultColumn::__from_macro(#name, #ty, #nullable))
    });
    let relations = facts.relations.iter().map(|r| {
        let (schema, name, view) = (&r.schema, &r.name, r.view);
        let privileges = r.privileges.iter().map(|p| match p {
            Privilege::Select => quote!(#registry::Privilege::Select),
            Privilege::Insert => quote!(#registry::Privilege::Insert),
            Privilege::Update => quote!(#registry::Privilege::Update),
            Privilege::Delete => quote!(#registry::Privilege::Delete),
        });
        let columns = r.columns.iter().map(|c| {
            let (name, ty) = (&c.name, &c.ty);
            let not_null = match c.not_null {
                Some(b) => quote!(::core::option::Option::Some(#b)),
                None => quote!(::core::option::Option::None),
            };
            quote!(#registry::ColumnUse::__from_macro(#name, #ty, #not_null))
        });
        quote! {
            #registry::RelationUse::__from_macro(
                (#schema, #name), #view, &[#(#privileges),*], &[#(#columns),*])
        }
    });
    let sequences = facts.sequences.iter().map(|(s, n)| quote!((#s, #n)));
    let routines = &facts.routines;
    let typed_flag = typed.typed;
    quote! {
        #registry::SchemaFacts::__from_macro(
            &[#(#params),*],
            &[#(#columns),*],
            &[#(#relations),*],
            &[#(#sequences),*],
            &[#(#routines),*],
            #typed_flag,
        )
    }
}
