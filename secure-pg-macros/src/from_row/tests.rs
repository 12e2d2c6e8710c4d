use super::*;
use quote::quote;

fn derive_str(tokens: TokenStream2) -> Result<String, String> {
    let input: DeriveInput = syn::parse2(tokens).unwrap();
    derive(&input).map(|t| t.to_string()).map_err(|e| {
        e.into_iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n---\n")
    })
}

fn err(tokens: TokenStream2) -> String {
    derive_str(tokens).expect_err("expected an error")
}

#[test]
fn full_expansion() {
    let out = derive_str(quote! {
        struct Widget {
            id: i64,
            #[secure_pg(rename = "widget_name")]
            name: String,
        }
    })
    .unwrap();
    let expected = quote! {
        #[automatically_derived]
        impl<__SecurePgParam> ::secure_pg::__private::sql::FieldReads<0, __SecurePgParam> for Widget
        where i64: ::secure_pg::__private::sql::ReadsColumn<__SecurePgParam> {}
        #[automatically_derived]
        impl<__SecurePgParam> ::secure_pg::__private::sql::FieldHoldsNull<0, __SecurePgParam> for Widget
        where i64: ::secure_pg::__private::sql::HoldsNull<__SecurePgParam> {}
        #[automatically_derived]
        impl<__SecurePgParam> ::secure_pg::__private::sql::FieldReads<1, __SecurePgParam> for Widget
        where String: ::secure_pg::__private::sql::ReadsColumn<__SecurePgParam> {}
        #[automatically_derived]
        impl<__SecurePgParam> ::secure_pg::__private::sql::FieldHoldsNull<1, __SecurePgParam> for Widget
        where String: ::secure_pg::__private::sql::HoldsNull<__SecurePgParam> {}
        #[automatically_derived]
        impl ::secure_pg::FromRow for Widget {
            type Columns = [usize; 2];

            const __SECURE_PG_FIELDS: &'static [&'static str] = &["id", "widget_name"];

            fn resolve(
                __secure_pg_columns: &[::secure_pg::__private::Column],
            ) -> ::core::result::Result<Self::Columns, ::secure_pg::Error> {
                ::core::result::Result::Ok([
                    match ::secure_pg::__private::column_named(__secure_pg_columns, "id") {
                        ::core::option::Option::Some(i) => i,
                        ::core::option::Option::None => {
                            return ::core::result::Result::Err(
                                ::secure_pg::__private::missing_column("Widget", "id", "id"),
                            );
                        }
                    },
                    match ::secure_pg::__private::column_named(__secure_pg_columns, "widget_name") {
                        ::core::option::Option::Some(i) => i,
                        ::core::option::Option::None => {
                            return ::core::result::Result::Err(
                                ::secure_pg::__private::missing_column("Widget", "name", "widget_name"),
                            );
                        }
                    }
                ])
            }

            fn from_row(
                __secure_pg_row: &::secure_pg::__private::Row,
                __secure_pg_cols: &Self::Columns,
            ) -> ::core::result::Result<Self, ::secure_pg::Error> {
                ::core::result::Result::Ok(Self {
                    id: ::secure_pg::__private::read_column::<i64>(__secure_pg_row, __secure_pg_cols[0])
                        .map_err(|e| ::secure_pg::__private::decode_error("Widget", "id", e))?,
                    name: ::secure_pg::__private::read_column::<String>(__secure_pg_row, __secure_pg_cols[1])
                        .map_err(|e| ::secure_pg::__private::decode_error("Widget", "name", e))?
                })
            }
        }
    };
    assert_eq!(out, expected.to_string());
}

#[test]
fn raw_identifiers_use_the_plain_column_name() {
    let out = derive_str(quote!(
        struct T {
            r#type: String,
        }
    ))
    .unwrap();
    assert!(
        out.contains("column_named (__secure_pg_columns , \"type\")"),
        "{out}"
    );
    assert!(
        out.contains("missing_column (\"T\" , \"r#type\" , \"type\")"),
        "{out}"
    );
}

#[test]
fn generics_are_passed_through() {
    let out = derive_str(quote!(
        struct W<T: Clone>
        where
            T: Send,
        {
            v: T,
        }
    ))
    .unwrap();
    assert!(
        out.contains("impl < T : Clone > :: secure_pg :: FromRow for W < T > where T : Send"),
        "{out}"
    );
}

#[test]
fn empty_struct() {
    let out = derive_str(quote!(
        struct Nothing {}
    ))
    .unwrap();
    assert!(out.contains("type Columns = [usize ; 0]"), "{out}");
}

#[test]
fn unsupported_shapes() {
    for (tokens, what) in [
        (
            quote!(
                struct T(i64, String);
            ),
            "a tuple or unit struct",
        ),
        (
            quote!(
                struct T;
            ),
            "a tuple or unit struct",
        ),
        (
            quote!(
                enum E {
                    A,
                    B,
                }
            ),
            "an enum",
        ),
        (quote!(union U { a: u32, b: f32 }), "a union"),
    ] {
        let e = err(tokens);
        assert!(
            e.starts_with(&format!(
                "`FromRow` cannot be derived for {what}; it supports structs with named fields"
            )),
            "{e}"
        );
    }
}

#[test]
fn unknown_key() {
    let e = err(quote!(
        struct T {
            #[secure_pg(rname = "x")]
            a: i32,
        }
    ));
    assert!(
        e.starts_with("unknown option `rname` in `#[secure_pg(...)]`"),
        "{e}"
    );
}

#[test]
fn unknown_keys_on_several_fields_are_all_reported() {
    let e = err(quote!(
        struct T {
            #[secure_pg(skip)]
            a: i32,
            #[secure_pg(default)]
            b: i32,
        }
    ));
    assert!(e.contains("`skip`") && e.contains("`default`"), "{e}");
}

#[test]
fn rename_problems() {
    let e = err(quote!(
        struct T {
            #[secure_pg(rename = "")]
            a: i32,
        }
    ));
    assert!(e.contains("must not be empty"), "{e}");
    let e = err(quote!(
        struct T {
            #[secure_pg(rename = "x", rename = "y")]
            a: i32,
        }
    ));
    assert!(e.contains("more than once"), "{e}");
    let e = err(quote!(
        struct T {
            #[secure_pg(rename = 5)]
            a: i32,
        }
    ));
    assert!(e.contains("expected string literal"), "{e}");
}

#[test]
fn duplicate_columns() {
    let e = err(quote!(
        struct T {
            a: i32,
            #[secure_pg(rename = "a")]
            b: i32,
        }
    ));
    assert_eq!(
        e,
        "fields `a` and `b` both read the column \"a\"; give one of them \
         `#[secure_pg(rename = \"other_column\")]`"
    );
}

#[test]
fn struct_level_attribute_is_refused() {
    let e = err(quote!(
        #[secure_pg(rename_all = "snake")]
        struct T {
            a: i32,
        }
    ));
    assert!(
        e.contains("there are no options for the whole struct"),
        "{e}"
    );
}

#[test]
fn other_attributes_are_ignored() {
    derive_str(quote!(
        struct T {
            #[serde(rename = "x")]
            #[doc = "hi"]
            a: i32,
        }
    ))
    .unwrap();
}

#[test]
fn a_default_field_reads_its_column_when_returned_and_defaults_otherwise() {
    let out = derive_str(quote! {
        struct Widget {
            id: i64,
            #[secure_pg(default)]
            tags: Vec<String>,
        }
    })
    .unwrap();
    // Its lookup cannot fail: a missing column is `usize::MAX`...
    assert!(
        out.contains(
            "match :: secure_pg :: __private :: column_named (__secure_pg_columns , \"tags\") { :: core :: option :: Option :: Some (i) => i , :: core :: option :: Option :: None => :: core :: primitive :: usize :: MAX , }"
        ),
        "{out}"
    );
    // ...which reads as the default.
    assert!(
        out.contains("tags : if __secure_pg_cols [1] == :: core :: primitive :: usize :: MAX { :: core :: default :: Default :: default () } else {"),
        "{out}"
    );
    // The column, when returned, is still checked like any other field's.
    assert!(
        out.contains("FieldReads < 1 , __SecurePgParam > for Widget where Vec < String > :"),
        "{out}"
    );
}

#[test]
fn a_try_from_field_reads_the_named_type_and_converts_it() {
    let out = derive_str(quote! {
        struct Widget {
            #[secure_pg(try_from = "i64")]
            qty: u32,
        }
    })
    .unwrap();
    assert!(out.contains("read_column :: < i64 >"), "{out}");
    assert!(
        out.contains("< u32 as :: core :: convert :: TryFrom < i64 >> :: try_from"),
        "{out}"
    );
    assert!(
        out.contains("try_from_error (\"Widget\" , \"qty\" , \"i64\")"),
        "{out}"
    );
    // The schema checks hold the column against `i64`, the type read.
    assert!(
        out.contains("FieldReads < 0 , __SecurePgParam > for Widget where i64 :"),
        "{out}"
    );
    assert!(
        out.contains("FieldHoldsNull < 0 , __SecurePgParam > for Widget where i64 :"),
        "{out}"
    );
}

#[test]
fn a_flattened_field_is_read_by_its_own_from_row() {
    let out = derive_str(quote! {
        struct Order {
            id: i64,
            #[secure_pg(flatten)]
            customer: Customer,
            #[secure_pg(flatten)]
            address: Address,
        }
    })
    .unwrap();
    for want in [
        "type Columns = ([usize ; 1] , (< Customer as :: secure_pg :: FromRow > :: Columns , < Address as :: secure_pg :: FromRow > :: Columns ,)) ;",
        "(< Customer as :: secure_pg :: FromRow > :: resolve (__secure_pg_columns) ? , < Address as :: secure_pg :: FromRow > :: resolve (__secure_pg_columns) ? ,)",
        "id : :: secure_pg :: __private :: read_column :: < i64 > (__secure_pg_row , __secure_pg_cols . 0 [0])",
        "customer : < Customer as :: secure_pg :: FromRow > :: from_row (__secure_pg_row , & (__secure_pg_cols . 1) . 0 ,) ?",
        "address : < Address as :: secure_pg :: FromRow > :: from_row (__secure_pg_row , & (__secure_pg_cols . 1) . 1 ,) ?",
        // Only the struct's own fields are in the schema checks' list.
        "const __SECURE_PG_FIELDS : & 'static [& 'static str] = & [\"id\"] ;",
    ] {
        assert!(out.contains(want), "{want}\nin\n{out}");
    }
}

#[test]
fn field_option_mistakes_are_named() {
    let e = err(quote!(
        struct T {
            #[secure_pg(flatten, rename = "x")]
            a: Inner,
        }
    ));
    assert!(e.contains("`flatten` reads the field from the row's columns as its own `FromRow` type; it takes no `rename`, `default` or `try_from`"), "{e}");
    let e = err(quote!(
        struct T {
            #[secure_pg(try_from = "not a type!")]
            a: u32,
        }
    ));
    assert!(
        e.contains("`try_from` names the type the column is read as"),
        "{e}"
    );
    let e = err(quote!(
        struct T {
            #[secure_pg(skip)]
            a: u32,
        }
    ));
    assert!(
        e.contains(
            "the options are `rename = \"column\"`, `default`, `try_from = \"Type\"` and `flatten`"
        ),
        "{e}"
    );
}
