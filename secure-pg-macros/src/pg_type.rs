//! `#[derive(PgEnum)]` and `#[derive(PgComposite)]`: a Rust enum mapped to
//! a PostgreSQL enum, a Rust struct to a composite type, each checked
//! against the crate's schema when it has one. The comparisons are
//! `secure_pg_sql::derive`'s; this module reads the attributes and turns
//! the answers into tokens and errors.

use crate::expand::combine;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{quote, quote_spanned};
use secure_pg_sql::derive::{
    compare_attributes, compare_labels, find_composite, find_enum, type_name_parts, Lookup,
    RenameAll,
};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, LitStr};

const ATTR: &str = "secure_pg";

/// The options on the type itself.
#[derive(Default)]
struct TypeOptions {
    /// `type = "name"`: the SQL type, as the server stores it.
    sql_type: Option<LitStr>,
    /// `rename_all = "rule"`.
    rename_all: Option<(RenameAll, Span)>,
    /// `unchecked = "reason"`: no schema check.
    unchecked: Option<LitStr>,
}

fn type_options(attrs: &[syn::Attribute], rename_all_allowed: bool) -> syn::Result<TypeOptions> {
    let mut options = TypeOptions::default();
    let mut errors = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident(ATTR)) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("type") {
                let value: LitStr = meta.value()?.parse()?;
                if options.sql_type.replace(value).is_some() {
                    return Err(meta.error("`type` is given more than once"));
                }
            } else if meta.path.is_ident("rename_all") && rename_all_allowed {
                let value: LitStr = meta.value()?.parse()?;
                let Some(rule) = RenameAll::parse(&value.value()) else {
                    return Err(syn::Error::new(
                        value.span(),
                        format!(
                            "unknown `rename_all` rule \"{}\"; the rules are {}",
                            value.value(),
                            RenameAll::NAMES
                                .iter()
                                .map(|(n, _)| format!("\"{n}\""))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                };
                if options.rename_all.replace((rule, value.span())).is_some() {
                    return Err(meta.error("`rename_all` is given more than once"));
                }
            } else if meta.path.is_ident("unchecked") {
                let value: LitStr = meta.value()?.parse()?;
                if value.value().trim().is_empty() {
                    return Err(syn::Error::new(
                        value.span(),
                        "say why the schema check is skipped: \
                         `unchecked = \"the type comes from an extension\"`",
                    ));
                }
                options.unchecked = Some(value);
            } else {
                let allowed = if rename_all_allowed {
                    "`type = \"sql_name\"`, `rename_all = \"snake_case\"` and `unchecked = \"why\"`"
                } else {
                    "`type = \"sql_name\"` and `unchecked = \"why\"`"
                };
                return Err(meta.error(format!(
                    "unknown option; on the type, the options are {allowed}"
                )));
            }
            Ok(())
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    match combine(errors) {
        Some(e) => Err(e),
        None => Ok(options),
    }
}

/// The `rename = "..."` of a variant or field.
fn rename_of(attrs: &[syn::Attribute], what: &str) -> syn::Result<Option<LitStr>> {
    let mut rename = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident(ATTR)) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: LitStr = meta.value()?.parse()?;
                if value.value().is_empty() {
                    return Err(syn::Error::new(value.span(), "`rename` must not be empty"));
                }
                if rename.replace(value).is_some() {
                    return Err(meta.error("`rename` is given more than once"));
                }
                Ok(())
            } else {
                Err(meta.error(format!(
                    "unknown option; on a {what}, the option is `rename = \"...\"`"
                )))
            }
        })?;
    }
    Ok(rename)
}

/// The SQL type's name (given, or the Rust name in snake case) and its
/// parts as tokens for the runtime (`schema`, `name`).
struct SqlName {
    written: String,
    span: Span,
    schema: TokenStream2,
    name: String,
}

fn sql_name(input: &DeriveInput, options: &TypeOptions) -> syn::Result<SqlName> {
    let (written, span) = match &options.sql_type {
        Some(lit) => (lit.value(), lit.span()),
        None => (
            RenameAll::Snake.apply(&syn::ext::IdentExt::unraw(&input.ident).to_string()),
            input.ident.span(),
        ),
    };
    let (schema, name) = type_name_parts(&written).map_err(|e| syn::Error::new(span, e))?;
    let schema = match schema {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    };
    Ok(SqlName {
        name: name.to_owned(),
        written,
        span,
        schema,
    })
}

/// The schema to check against: `None` without one, or when the user
/// opted out; the schema files as build dependencies with it.
fn schema(
    options: &TypeOptions,
    span: Span,
) -> syn::Result<Option<std::sync::Arc<secure_pg_sql::schema::LoadedSchema>>> {
    if options.unchecked.is_some() {
        return Ok(None);
    }
    crate::schema_check::catalog().map_err(|e| syn::Error::new(span, e))
}

fn refuse_generics(input: &DeriveInput, derive: &str) -> syn::Result<()> {
    if input.generics.params.is_empty() {
        return Ok(());
    }
    Err(syn::Error::new_spanned(
        &input.generics,
        format!("`{derive}` cannot be derived for a generic type; map a concrete type"),
    ))
}

/// Expands `#[derive(PgEnum)]`.
pub(crate) fn derive_enum(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let Data::Enum(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "`PgEnum` maps a Rust enum with unit variants to a PostgreSQL enum type \
             (`enum Mood { Sad, Ok, Happy }`); for a struct and a composite type, \
             derive `PgComposite`",
        ));
    };
    refuse_generics(input, "PgEnum")?;
    let options = type_options(&input.attrs, true)?;
    let mut errors = Vec::new();
    // Each variant and its label.
    let mut variants: Vec<(&syn::Ident, String, Span)> = Vec::new();
    for v in &data.variants {
        if !matches!(v.fields, Fields::Unit) {
            errors.push(syn::Error::new_spanned(
                &v.fields,
                "a `PgEnum` variant holds no data: an enum value is one of its labels",
            ));
            continue;
        }
        let (label, span) = match rename_of(&v.attrs, "variant") {
            Ok(Some(lit)) => (lit.value(), lit.span()),
            Ok(None) => {
                let name = syn::ext::IdentExt::unraw(&v.ident).to_string();
                let label = match options.rename_all {
                    Some((rule, _)) => rule.apply(&name),
                    None => name,
                };
                (label, v.ident.span())
            }
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if let Some((first, _, _)) = variants.iter().find(|(_, l, _)| *l == label) {
            errors.push(syn::Error::new(
                span,
                format!(
                    "variants `{first}` and `{}` both read the label '{label}'; give one of \
                     them `#[secure_pg(rename = \"other_label\")]`",
                    v.ident
                ),
            ));
            continue;
        }
        variants.push((&v.ident, label, span));
    }
    if data.variants.is_empty() {
        errors.push(syn::Error::new_spanned(
            &input.ident,
            "a `PgEnum` needs at least one variant, one per label of the enum type",
        ));
    }
    let sql = sql_name(input, &options)?;
    if let Some(e) = combine(errors) {
        return Err(e);
    }

    // The schema check.
    let mut deps = TokenStream2::new();
    if let Some(loaded) = schema(&options, sql.span)? {
        deps = crate::schema_check::dependencies(&loaded.files);
        match find_enum(&loaded.catalog, &sql.written) {
            Err(e) => return Err(syn::Error::new(sql.span, e)),
            Ok(Lookup::Unknown(_)) => {}
            Ok(Lookup::Found(ty)) => {
                let labels: Vec<String> = variants.iter().map(|(_, l, _)| l.clone()).collect();
                let diff = compare_labels(ty, &labels);
                let mut errors: Vec<syn::Error> = diff
                    .unknown_variants
                    .iter()
                    .map(|(i, m)| syn::Error::new(variants[*i].2, m))
                    .collect();
                let rust_type = input.ident.to_string();
                if let Some(m) = diff.missing_message(&rust_type, ty) {
                    errors.push(syn::Error::new(input.ident.span(), m));
                }
                if let Some(e) = combine(errors) {
                    return Err(e);
                }
            }
        }
    }

    let ident = &input.ident;
    let rust_type = ident.to_string();
    let schema = &sql.schema;
    let name = &sql.name;
    let to_labels = variants.iter().map(|(v, l, _)| quote!(Self::#v => #l));
    let from_labels = variants.iter().map(|(v, l, _)| quote!(#l => Self::#v));
    let p = quote!(::secure_pg::__private);
    let types = quote!(#p::types);
    let error = quote!(
        ::std::boxed::Box<dyn ::std::error::Error + ::core::marker::Sync + ::core::marker::Send>
    );
    Ok(quote! {
        #deps

        #[automatically_derived]
        impl #types::ToSql for #ident {
            fn to_sql(
                &self,
                _: &#types::Type,
                out: &mut #p::BytesMut,
            ) -> ::core::result::Result<#types::IsNull, #error> {
                #p::pg_type::enum_to_sql(match self { #(#to_labels,)* }, out)
            }

            fn accepts(ty: &#types::Type) -> bool {
                #p::pg_type::enum_accepts(ty, #schema, #name)
            }

            #types::to_sql_checked!();
        }

        #[automatically_derived]
        impl<'a> #types::FromSql<'a> for #ident {
            fn from_sql(
                ty: &#types::Type,
                raw: &'a [u8],
            ) -> ::core::result::Result<Self, #error> {
                ::core::result::Result::Ok(match #p::pg_type::enum_label(raw)? {
                    #(#from_labels,)*
                    _ => return ::core::result::Result::Err(
                        #p::pg_type::unknown_label(#rust_type, ty),
                    ),
                })
            }

            fn accepts(ty: &#types::Type) -> bool {
                #p::pg_type::enum_reads(ty, #schema, #name)
            }
        }
    })
}

/// Expands `#[derive(PgComposite)]`.
pub(crate) fn derive_composite(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let named = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => named,
            _ => {
                return Err(syn::Error::new_spanned(
                    &input.ident,
                    "`PgComposite` maps a struct with named fields to a composite type, one \
                     field per attribute (`struct Address { street: Option<String>, zip: \
                     Option<String> }`)",
                ))
            }
        },
        _ => {
            return Err(syn::Error::new_spanned(
                &input.ident,
                "`PgComposite` maps a struct with named fields to a composite type; for an \
                 enum type, derive `PgEnum`",
            ))
        }
    };
    refuse_generics(input, "PgComposite")?;
    let options = type_options(&input.attrs, false)?;
    let mut errors = Vec::new();
    let mut fields: Vec<(&syn::Ident, &syn::Type, String, Span)> = Vec::new();
    for f in &named.named {
        let Some(ident) = &f.ident else { continue };
        let (name, span) = match rename_of(&f.attrs, "field") {
            Ok(Some(lit)) => (lit.value(), lit.span()),
            Ok(None) => (syn::ext::IdentExt::unraw(ident).to_string(), ident.span()),
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if let Some((first, ..)) = fields.iter().find(|(_, _, n, _)| *n == name) {
            errors.push(syn::Error::new(
                span,
                format!(
                    "fields `{first}` and `{ident}` both hold the attribute `{name}`; give one \
                     of them `#[secure_pg(rename = \"other_attribute\")]`"
                ),
            ));
            continue;
        }
        fields.push((ident, &f.ty, name, span));
    }
    let sql = sql_name(input, &options)?;
    if let Some(e) = combine(errors) {
        return Err(e);
    }

    // The schema check: names both ways, then each field's type against
    // its attribute's (as the query macros check a column's reader and a
    // parameter's value).
    let mut deps = TokenStream2::new();
    let mut type_checks = TokenStream2::new();
    if let Some(loaded) = schema(&options, sql.span)? {
        deps = crate::schema_check::dependencies(&loaded.files);
        match find_composite(&loaded.catalog, &sql.written) {
            Err(e) => return Err(syn::Error::new(sql.span, e)),
            Ok(Lookup::Unknown(_)) => {}
            Ok(Lookup::Found(ty)) => {
                let names: Vec<String> = fields.iter().map(|(_, _, n, _)| n.clone()).collect();
                let diff = compare_attributes(ty, &names);
                let mut errors: Vec<syn::Error> = diff
                    .unknown_fields
                    .iter()
                    .map(|(i, m)| syn::Error::new(fields[*i].3, m))
                    .collect();
                if let Some(m) = diff.missing_message(&input.ident.to_string(), ty) {
                    errors.push(syn::Error::new(input.ident.span(), m));
                }
                if let Some(e) = combine(errors) {
                    return Err(e);
                }
                for ((_, fty, _, _), sql_ty) in fields.iter().zip(&diff.types) {
                    let Some(f) = sql_ty
                        .as_ref()
                        .and_then(secure_pg_sql::typecheck::binding_function)
                    else {
                        continue;
                    };
                    let read = syn::Ident::new(&format!("read_{f}"), fty.span());
                    let bind = syn::Ident::new(f, fty.span());
                    type_checks.extend(quote_spanned! {fty.span()=>
                        ::secure_pg::__private::sql::#read::<#fty>();
                        let _ = |v: &#fty| { ::secure_pg::__private::sql::#bind(v); };
                    });
                }
            }
        }
    }

    let ident = &input.ident;
    let schema = &sql.schema;
    let name = &sql.name;
    let p = quote!(::secure_pg::__private);
    let types = quote!(#p::types);
    let error = quote!(
        ::std::boxed::Box<dyn ::std::error::Error + ::core::marker::Sync + ::core::marker::Send>
    );
    let writes = fields
        .iter()
        .map(|(f, _, n, _)| quote!((#n, &self.#f as &(dyn #types::ToSql + ::core::marker::Sync))));
    let to_accepts = fields.iter().map(
        |(_, t, n, _)| quote!((#n, <#t as #types::ToSql>::accepts as fn(&#types::Type) -> bool)),
    );
    let from_accepts = fields.iter().map(|(_, t, n, _)| {
        quote!((#n, <#t as #types::FromSql<'a>>::accepts as fn(&#types::Type) -> bool))
    });
    let reads = fields
        .iter()
        .map(|(f, _, n, _)| quote!(#f: reader.get(#n)?));
    let checks = if type_checks.is_empty() {
        quote!()
    } else {
        quote! {
            const _: () = {
                #[allow(unused)]
                fn __secure_pg_attribute_types() { #type_checks }
            };
        }
    };
    Ok(quote! {
        #deps
        #checks

        #[automatically_derived]
        impl #types::ToSql for #ident {
            fn to_sql(
                &self,
                ty: &#types::Type,
                out: &mut #p::BytesMut,
            ) -> ::core::result::Result<#types::IsNull, #error> {
                #p::pg_type::composite_to_sql(ty, &[#(#writes),*], out)
            }

            fn accepts(ty: &#types::Type) -> bool {
                #p::pg_type::composite_accepts(ty, #schema, #name, &[#(#to_accepts),*])
            }

            #types::to_sql_checked!();
        }

        #[automatically_derived]
        impl<'a> #types::FromSql<'a> for #ident {
            fn from_sql(
                ty: &#types::Type,
                raw: &'a [u8],
            ) -> ::core::result::Result<Self, #error> {
                let reader = #p::pg_type::CompositeReader::new(ty, raw)?;
                ::core::result::Result::Ok(Self { #(#reads,)* })
            }

            fn accepts(ty: &#types::Type) -> bool {
                #p::pg_type::composite_accepts(ty, #schema, #name, &[#(#from_accepts),*])
            }
        }
    })
}

#[cfg(test)]
mod tests;
