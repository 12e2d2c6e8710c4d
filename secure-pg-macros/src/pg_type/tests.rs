//! The derives without a schema (the macro crate has none): expansions
//! and the errors of the attributes. The schema comparisons are unit
//! tested in `secure_pg_sql::derive`, and shown with their spans in the
//! trybuild catalogue `ui-tests-schema`.

use super::*;
use quote::quote;

fn run(
    derive: fn(&DeriveInput) -> syn::Result<TokenStream2>,
    tokens: TokenStream2,
) -> Result<String, String> {
    let input: DeriveInput = syn::parse2(tokens).unwrap();
    derive(&input).map(|t| t.to_string()).map_err(|e| {
        e.into_iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n---\n")
    })
}

#[test]
fn an_enum_maps_each_variant_to_its_label() {
    let out = run(
        derive_enum,
        quote! {
            #[secure_pg(type = "app.order_status", rename_all = "kebab-case")]
            enum OrderStatus { Pending, InProgress, #[secure_pg(rename = "done")] Shipped }
        },
    )
    .unwrap();
    for want in [
        "Self :: Pending => \"pending\"",
        "Self :: InProgress => \"in-progress\"",
        "Self :: Shipped => \"done\"",
        "\"in-progress\" => Self :: InProgress",
        "enum_accepts (ty , :: core :: option :: Option :: Some (\"app\") , \"order_status\")",
        "unknown_label (\"OrderStatus\" , ty)",
        "enum_reads (ty , :: core :: option :: Option :: Some (\"app\") , \"order_status\")",
    ] {
        assert!(out.contains(want), "{want}\nin\n{out}");
    }
}

#[test]
fn an_enums_type_name_defaults_to_its_rust_name_in_snake_case() {
    let out = run(derive_enum, quote! { enum OrderStatus { Open } }).unwrap();
    assert!(
        out.contains("enum_accepts (ty , :: core :: option :: Option :: None , \"order_status\")"),
        "{out}"
    );
    // Without rename_all, the label is the variant's name as written.
    assert!(out.contains("Self :: Open => \"Open\""), "{out}");
}

#[test]
fn enum_attribute_mistakes_are_named() {
    let cases = [
        (
            quote! { enum E { A(i32) } },
            "a `PgEnum` variant holds no data",
        ),
        (quote! { enum E {} }, "needs at least one variant"),
        (
            quote! { enum E { A, #[secure_pg(rename = "A")] B } },
            "variants `A` and `B` both read the label 'A'",
        ),
        (
            quote! { #[secure_pg(rename_all = "snake")] enum E { A } },
            "unknown `rename_all` rule \"snake\"; the rules are \"lowercase\"",
        ),
        (
            quote! { #[secure_pg(name = "e")] enum E { A } },
            "unknown option; on the type, the options are `type = \"sql_name\"`, `rename_all",
        ),
        (
            quote! { enum E { #[secure_pg(label = "a")] A } },
            "on a variant, the option is `rename = \"...\"`",
        ),
        (
            quote! { #[secure_pg(type = "a.b.c")] enum E { A } },
            "`a.b.c` is not a type name",
        ),
        (
            quote! { #[secure_pg(unchecked = " ")] enum E { A } },
            "say why the schema check is skipped",
        ),
        (
            quote! { enum E<T> { A } },
            "cannot be derived for a generic type",
        ),
        (
            quote! { struct S { a: i32 } },
            "for a struct and a composite type, derive `PgComposite`",
        ),
    ];
    for (tokens, want) in cases {
        let e = run(derive_enum, tokens.clone()).expect_err(&tokens.to_string());
        assert!(e.contains(want), "{want}\nin\n{e}");
    }
}

#[test]
fn a_composite_writes_and_reads_its_fields_by_attribute_name() {
    let out = run(
        derive_composite,
        quote! {
            #[secure_pg(type = "header_pair")]
            struct Header { name: Option<String>, #[secure_pg(rename = "value")] bytes: Option<Vec<u8>> }
        },
    )
    .unwrap();
    for want in [
        "composite_to_sql (ty , & [(\"name\" , & self . name as",
        "(\"value\" , & self . bytes as",
        "bytes : reader . get (\"value\") ?",
        "composite_accepts (ty , :: core :: option :: Option :: None , \"header_pair\"",
    ] {
        assert!(out.contains(want), "{want}\nin\n{out}");
    }
    // No schema here: no attribute type checks.
    assert!(!out.contains("__secure_pg_attribute_types"), "{out}");
}

#[test]
fn composite_attribute_mistakes_are_named() {
    let cases = [
        (quote! { struct S(i32); }, "a struct with named fields"),
        (quote! { enum E { A } }, "derive `PgEnum`"),
        (
            quote! { struct S { a: i32, #[secure_pg(rename = "a")] b: i32 } },
            "fields `a` and `b` both hold the attribute `a`",
        ),
        (
            quote! { #[secure_pg(rename_all = "snake_case")] struct S { a: i32 } },
            "on the type, the options are `type = \"sql_name\"` and `unchecked",
        ),
        (
            quote! { struct S { #[secure_pg(rename = "")] a: i32 } },
            "`rename` must not be empty",
        ),
    ];
    for (tokens, want) in cases {
        let e = run(derive_composite, tokens.clone()).expect_err(&tokens.to_string());
        assert!(e.contains(want), "{want}\nin\n{e}");
    }
}
