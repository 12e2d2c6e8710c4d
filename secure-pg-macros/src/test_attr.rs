//! `#[secure_pg::test]`: an `async fn` test that takes a `Pool` on a fresh
//! database with the crate's migrations applied (run by
//! `secure_pg::testing::__run`).

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, ItemFn, Lit, MetaNameValue, Token};

/// Which migrations the test database gets.
enum Migrations {
    /// The crate's own, as `migrate!()` finds them (none when it has none).
    Crate,
    /// `migrations = "dir"`.
    Dir(syn::LitStr),
    /// `migrations = false`: an empty database.
    None,
}

fn parse_attr(attr: TokenStream2) -> syn::Result<Migrations> {
    let args = Punctuated::<MetaNameValue, Token![,]>::parse_terminated.parse2(attr)?;
    let mut migrations = Migrations::Crate;
    for arg in args {
        if !arg.path.is_ident("migrations") {
            return Err(syn::Error::new_spanned(
                &arg.path,
                "#[secure_pg::test] takes only `migrations = \"dir\"` (a migrations directory \
                 relative to Cargo.toml) or `migrations = false` (an empty database)",
            ));
        }
        migrations = match &arg.value {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => Migrations::Dir(s.clone()),
            Expr::Lit(ExprLit {
                lit: Lit::Bool(b), ..
            }) if !b.value => Migrations::None,
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "write `migrations = \"dir\"` or `migrations = false`",
                ))
            }
        };
    }
    Ok(migrations)
}

/// Whether the crate being compiled has migrations where `migrate!()`
/// looks (a lone `schema.sql` counts: `migrate!()` then says why it is
/// refused, and `migrations = false` is the way out).
fn crate_has_migrations() -> bool {
    let Some(root) = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from) else {
        return false;
    };
    let workspace = crate::schema_check::workspace_root(&root);
    secure_pg_sql::schema::locate(&root, workspace.as_deref())
        .map(|l| l.source.is_some())
        .unwrap_or(true)
}

pub(crate) fn expand(attr: TokenStream2, item: TokenStream2) -> TokenStream2 {
    expand_inner(attr, item).unwrap_or_else(syn::Error::into_compile_error)
}

fn expand_inner(attr: TokenStream2, item: TokenStream2) -> syn::Result<TokenStream2> {
    let migrations = parse_attr(attr)?;
    let mut f: ItemFn = syn::parse2(item)?;
    if f.sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            f.sig.fn_token,
            "#[secure_pg::test] runs an `async fn` that takes the pool: write \
             `async fn name(pool: secure_pg::Pool)`",
        ));
    }
    if f.sig.inputs.len() != 1 || !f.sig.generics.params.is_empty() {
        // On the arguments, or on the name when there are none.
        let at = if f.sig.inputs.is_empty() {
            {
                let i = &f.sig.ident;
                quote!(#i)
            }
        } else {
            {
                let i = &f.sig.inputs;
                quote!(#i)
            }
        };
        return Err(syn::Error::new_spanned(
            at,
            "#[secure_pg::test] passes the test one argument, the pool on its fresh database: \
             write `async fn name(pool: secure_pg::Pool)`",
        ));
    }
    let name = f.sig.ident.clone();
    let name_str = name.to_string();
    let vis = f.vis.clone();
    let attrs = std::mem::take(&mut f.attrs);
    f.sig.ident = syn::Ident::new("__secure_pg_test_body", Span::call_site());
    f.vis = syn::Visibility::Inherited;
    let (migrator_item, migrator) = match migrations {
        Migrations::None => (quote!(), quote!(::core::option::Option::None)),
        Migrations::Crate if !crate_has_migrations() => {
            (quote!(), quote!(::core::option::Option::None))
        }
        Migrations::Crate => (
            quote!(
                static __SECURE_PG_MIGRATOR: ::secure_pg::migrate::Migrator =
                    ::secure_pg::migrate!();
            ),
            quote!(::core::option::Option::Some(&__SECURE_PG_MIGRATOR)),
        ),
        Migrations::Dir(dir) => (
            quote!(
                static __SECURE_PG_MIGRATOR: ::secure_pg::migrate::Migrator =
                    ::secure_pg::migrate!(#dir);
            ),
            quote!(::core::option::Option::Some(&__SECURE_PG_MIGRATOR)),
        ),
    };
    Ok(quote! {
        #(#attrs)*
        #[::core::prelude::v1::test]
        #vis fn #name() {
            #migrator_item
            #f
            ::secure_pg::testing::__run(
                #migrator,
                ::core::concat!(::core::module_path!(), "::", #name_str),
                __secure_pg_test_body,
            )
        }
    })
}
