//! `#[derive(FromRow)]`: maps result columns to struct fields by name.

use crate::expand::combine;
use proc_macro2::{Literal, TokenStream as TokenStream2};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, LitStr};

/// The attribute namespace for field options: `#[secure_pg(rename = "col")]`.
const ATTR: &str = "secure_pg";

/// One field and the column it reads.
struct Field {
    ident: syn::Ident,
    ty: syn::Type,
    column: String,
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
    for field in &named.named {
        let Some(ident) = field.ident.clone() else {
            continue;
        };
        let (column, rename_span) = match field_column(field) {
            Ok(Some(rename)) => (rename.value(), rename.span()),
            Ok(None) => (syn::ext::IdentExt::unraw(&ident).to_string(), ident.span()),
            Err(e) => {
                errors.push(e);
                continue;
            }
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
    let reads = fields.iter().enumerate().map(|(i, f)| {
        let ident = &f.ident;
        let field = ident.to_string();
        let index = Literal::usize_unsuffixed(i);
        // Spanned on the field's type: a type that cannot be decoded gets
        // the `Decodable` message, pointing at the field.
        let ty = &f.ty;
        let read = quote_spanned! {ty.span()=>
            ::secure_pg::__private::read_column::<#ty>
        };
        quote! {
            #ident: #read(__secure_pg_row, __secure_pg_cols[#index])
                .map_err(|e| ::secure_pg::__private::decode_error(#type_name, #field, e))?
        }
    });
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
        let reads = field_impl(
            quote!(FieldReads<#index, __SecurePgParam>),
            &f.ty,
            "ReadsColumn",
        );
        let holds_null = field_impl(
            quote!(FieldHoldsNull<#index, __SecurePgParam>),
            &f.ty,
            "HoldsNull",
        );
        quote!(#reads #holds_null)
    });
    Ok(quote! {
        #(#field_types)*

        #[automatically_derived]
        impl #impl_generics ::secure_pg::FromRow for #name #ty_generics #where_clause {
            type Columns = [usize; #count];

            const __SECURE_PG_FIELDS: &'static [&'static str] = &[#(#field_list),*];

            fn resolve(
                __secure_pg_columns: &[::secure_pg::__private::Column],
            ) -> ::core::result::Result<Self::Columns, ::secure_pg::Error> {
                ::core::result::Result::Ok([#(#lookups),*])
            }

            fn from_row(
                __secure_pg_row: &::secure_pg::__private::Row,
                __secure_pg_cols: &Self::Columns,
            ) -> ::core::result::Result<Self, ::secure_pg::Error> {
                ::core::result::Result::Ok(Self { #(#reads),* })
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

/// The `rename` of a field, if any; unknown or repeated keys are errors.
fn field_column(field: &syn::Field) -> syn::Result<Option<LitStr>> {
    let mut rename: Option<LitStr> = None;
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
                } else if rename.is_some() {
                    errors.push(meta.error("`rename` is given more than once for this field"));
                } else {
                    rename = Some(value);
                }
                Ok(())
            } else {
                let key = meta
                    .path
                    .get_ident()
                    .map_or_else(|| "this key".to_owned(), |i| format!("`{i}`"));
                Err(meta.error(format!(
                    "unknown option {key} in `#[secure_pg(...)]`; the supported option is \
                     `rename = \"column\"`"
                )))
            }
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    match combine(errors) {
        Some(error) => Err(error),
        None => Ok(rename),
    }
}

#[cfg(test)]
mod tests;
