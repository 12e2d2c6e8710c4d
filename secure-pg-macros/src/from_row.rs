//! `#[derive(FromRow)]`: maps result columns to struct fields by name.

use crate::expand::combine;
use proc_macro2::{Literal, TokenStream as TokenStream2};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, LitStr};

/// The attribute namespace for field options: `#[secure_pg(rename = "col")]`,
/// `default`, `try_from = "Type"`, `flatten`.
const ATTR: &str = "secure_pg";

/// One field and the column it reads.
struct Field {
    ident: syn::Ident,
    ty: syn::Type,
    column: String,
    /// `default`: a column the query does not return gives the field's
    /// `Default` value.
    default: bool,
    /// `try_from = "Type"`: the column is read as this type, then
    /// converted with `TryFrom`.
    try_from: Option<syn::Type>,
}

/// The options of one field.
#[derive(Default)]
struct FieldOptions {
    rename: Option<LitStr>,
    default: bool,
    try_from: Option<syn::Type>,
    /// The span of `flatten`, when given.
    flatten: Option<proc_macro2::Span>,
}

/// Expands `#[derive(FromRow)]` on `input`.
pub(crate) fn derive(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let mut errors = Vec::new();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident(ATTR)) {
        errors.push(syn::Error::new_spanned(
            attr,
            "`#[secure_pg(...)]` goes on fields (`#[secure_pg(rename = \"column\")]`); \
             there are no options for the whole struct",
        ));
    }
    let named = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => named,
            Fields::Unnamed(_) | Fields::Unit => {
                return Err(unsupported(input, "a tuple or unit struct"));
            }
        },
        Data::Enum(_) => return Err(unsupported(input, "an enum")),
        Data::Union(_) => return Err(unsupported(input, "a union")),
    };

    let mut fields: Vec<Field> = Vec::new();
    // Flattened fields: each a `FromRow` type reading from the same row.
    let mut flattened: Vec<(syn::Ident, syn::Type)> = Vec::new();
    for field in &named.named {
        let Some(ident) = field.ident.clone() else {
            continue;
        };
        let options = match field_options(field) {
            Ok(options) => options,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if let Some(span) = options.flatten {
            if options.rename.is_some() || options.default || options.try_from.is_some() {
                errors.push(syn::Error::new(
                    span,
                    "`flatten` reads the field from the row's columns as its own `FromRow` \
                     type; it takes no `rename`, `default` or `try_from`",
                ));
                continue;
            }
            flattened.push((ident, field.ty.clone()));
            continue;
        }
        let (column, rename_span) = match options.rename {
            Some(rename) => (rename.value(), rename.span()),
            None => (syn::ext::IdentExt::unraw(&ident).to_string(), ident.span()),
        };
        if let Some(first) = fields.iter().find(|f| f.column == column) {
            errors.push(syn::Error::new(
                rename_span,
                format!(
                    "fields `{}` and `{ident}` both read the column \"{column}\"; give one \
                     of them `#[secure_pg(rename = \"other_column\")]`",
                    first.ident
                ),
            ));
            continue;
        }
        fields.push(Field {
            ident,
            ty: field.ty.clone(),
            column,
            default: options.default,
            try_from: options.try_from,
        });
    }
    if let Some(error) = combine(errors) {
        return Err(error);
    }

    let name = &input.ident;
    let type_name = name.to_string();
    let count = Literal::usize_unsuffixed(fields.len());
    let lookups = fields.iter().map(|f| {
        let field = f.ident.to_string();
        let column = &f.column;
        if f.default {
            // A column the query does not return: the field's default.
            return quote! {
                match ::secure_pg::__private::column_named(__secure_pg_columns, #column) {
                    ::core::option::Option::Some(i) => i,
                    ::core::option::Option::None => ::core::primitive::usize::MAX,
                }
            };
        }
        quote! {
            match ::secure_pg::__private::column_named(__secure_pg_columns, #column) {
                ::core::option::Option::Some(i) => i,
                ::core::option::Option::None => {
                    return ::core::result::Result::Err(
                        ::secure_pg::__private::missing_column(#type_name, #field, #column),
                    );
                }
            }
        }
    });
    // With flattened fields, the columns are `([usize; N], (inner, ...))`.
    let own = if flattened.is_empty() {
        quote!(__secure_pg_cols)
    } else {
        quote!(__secure_pg_cols.0)
    };
    let reads = fields.iter().enumerate().map(|(i, f)| {
        let ident = &f.ident;
        let field = ident.to_string();
        let index = Literal::usize_unsuffixed(i);
        // Spanned on the type read: a type that cannot be decoded gets
        // the `Decodable` message, pointing at the field.
        let ty = f.try_from.as_ref().unwrap_or(&f.ty);
        let read = quote_spanned! {ty.span()=>
            ::secure_pg::__private::read_column::<#ty>
        };
        let mut value = quote! {
            #read(__secure_pg_row, #own[#index])
                .map_err(|e| ::secure_pg::__private::decode_error(#type_name, #field, e))?
        };
        if let Some(via) = &f.try_from {
            let target = &f.ty;
            let via_name = quote!(#via).to_string().replace(' ', "");
            value = quote_spanned! {target.span()=>
                <#target as ::core::convert::TryFrom<#via>>::try_from(#value).map_err(|_| {
                    ::secure_pg::__private::try_from_error(#type_name, #field, #via_name)
                })?
            };
        }
        if f.default {
            value = quote! {
                if #own[#index] == ::core::primitive::usize::MAX {
                    ::core::default::Default::default()
                } else {
                    #value
                }
            };
        }
        quote!(#ident: #value)
    });
    let flat_reads = flattened.iter().enumerate().map(|(k, (ident, ty))| {
        let k = Literal::usize_unsuffixed(k);
        quote! {
            #ident: <#ty as ::secure_pg::FromRow>::from_row(
                __secure_pg_row,
                &(__secure_pg_cols.1).#k,
            )?
        }
    });
    let flat_types = flattened
        .iter()
        .map(|(_, ty)| quote!(<#ty as ::secure_pg::FromRow>::Columns));
    let flat_resolves = flattened
        .iter()
        .map(|(_, ty)| quote!(<#ty as ::secure_pg::FromRow>::resolve(__secure_pg_columns)?));
    let field_list = fields.iter().map(|f| &f.column);
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    // What each field can read, and whether it holds a NULL, by its place
    // in `__SECURE_PG_FIELDS`, for the schema checks of the query macros
    // (`FieldReads`, `FieldHoldsNull`). The bounds are spanned on the
    // field's type, so an error points at the field.
    // Each impl takes one more type parameter (the column's SQL type
    // marker for `FieldReads`, `()` for `FieldHoldsNull`), which keeps its
    // bound generic: a bound on a concrete type alone that does not hold
    // would be an error at the derive, not where a query needs it.
    let mut generics = input.generics.clone();
    generics.params.push(syn::parse_quote!(__SecurePgParam));
    let (param_generics, _, _) = generics.split_for_impl();
    // `impl FieldTrait<I, P> for Name where FieldTy: Bound<P>`, the bound
    // spanned on the field's type (all its tokens, or rustc points at the
    // derive instead of the field).
    let field_impl = |field_trait: TokenStream2, ty: &syn::Type, bound: &str| {
        let bound = syn::Ident::new(bound, ty.span());
        let bound = quote_spanned! {ty.span()=>
            #ty: ::secure_pg::__private::sql::#bound<__SecurePgParam>
        };
        let predicates = where_clause.map(|w| &w.predicates).into_iter().flatten();
        quote! {
            #[automatically_derived]
            impl #param_generics ::secure_pg::__private::sql::#field_trait for #name #ty_generics
            where #(#predicates,)* #bound {}
        }
    };
    let field_types = fields.iter().enumerate().map(|(i, f)| {
        let index = Literal::usize_unsuffixed(i);
        // A `try_from` field reads the column as its `try_from` type.
        let read = f.try_from.as_ref().unwrap_or(&f.ty);
        let reads = field_impl(
            quote!(FieldReads<#index, __SecurePgParam>),
            read,
            "ReadsColumn",
        );
        let holds_null = field_impl(
            quote!(FieldHoldsNull<#index, __SecurePgParam>),
            read,
            "HoldsNull",
        );
        quote!(#reads #holds_null)
    });
    let (columns_type, resolved, built) = if flattened.is_empty() {
        (
            quote!([usize; #count]),
            quote!([#(#lookups),*]),
            quote!(Self { #(#reads),* }),
        )
    } else {
        (
            quote!(([usize; #count], (#(#flat_types,)*))),
            quote!(([#(#lookups),*], (#(#flat_resolves,)*))),
            quote!(Self { #(#reads,)* #(#flat_reads),* }),
        )
    };
    Ok(quote! {
        #(#field_types)*

        #[automatically_derived]
        impl #impl_generics ::secure_pg::FromRow for #name #ty_generics #where_clause {
            type Columns = #columns_type;

            const __SECURE_PG_FIELDS: &'static [&'static str] = &[#(#field_list),*];

            fn resolve(
                __secure_pg_columns: &[::secure_pg::__private::Column],
            ) -> ::core::result::Result<Self::Columns, ::secure_pg::Error> {
                ::core::result::Result::Ok(#resolved)
            }

            fn from_row(
                __secure_pg_row: &::secure_pg::__private::Row,
                __secure_pg_cols: &Self::Columns,
            ) -> ::core::result::Result<Self, ::secure_pg::Error> {
                ::core::result::Result::Ok(#built)
            }
        }
    })
}

fn unsupported(input: &DeriveInput, what: &str) -> syn::Error {
    syn::Error::new_spanned(
        &input.ident,
        format!(
            "`FromRow` cannot be derived for {what}; it supports structs with named fields, \
             e.g. `struct Widget {{ id: i64, name: String }}`, each field read from the \
             column of the same name (or `#[secure_pg(rename = \"column\")]`)"
        ),
    )
}

/// The options of a field; unknown or repeated keys are errors.
fn field_options(field: &syn::Field) -> syn::Result<FieldOptions> {
    let mut options = FieldOptions::default();
    let mut errors = Vec::new();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident(ATTR)) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: LitStr = meta.value()?.parse()?;
                if value.value().is_empty() {
                    errors.push(syn::Error::new(
                        value.span(),
                        "the column name in `rename` must not be empty",
                    ));
                } else if options.rename.is_some() {
                    errors.push(meta.error("`rename` is given more than once for this field"));
                } else {
                    options.rename = Some(value);
                }
                Ok(())
            } else if meta.path.is_ident("default") {
                options.default = true;
                Ok(())
            } else if meta.path.is_ident("flatten") {
                options.flatten = Some(meta.path.span());
                Ok(())
            } else if meta.path.is_ident("try_from") {
                let value: LitStr = meta.value()?.parse()?;
                match value.parse::<syn::Type>() {
                    Ok(ty) => options.try_from = Some(ty),
                    Err(_) => errors.push(syn::Error::new(
                        value.span(),
                        "`try_from` names the type the column is read as, e.g. \
                         `try_from = \"i64\"`",
                    )),
                }
                Ok(())
            } else {
                let key = meta
                    .path
                    .get_ident()
                    .map_or_else(|| "this key".to_owned(), |i| format!("`{i}`"));
                Err(meta.error(format!(
                    "unknown option {key} in `#[secure_pg(...)]`; the options are \
                     `rename = \"column\"`, `default`, `try_from = \"Type\"` and `flatten`"
                )))
            }
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    match combine(errors) {
        Some(error) => Err(error),
        None => Ok(options),
    }
}

#[cfg(test)]
mod tests;
