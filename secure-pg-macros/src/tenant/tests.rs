//! Unit tests for the `#[tenant_scoped]` attribute expansion (the SQL
//! rewriter's own tests live in `secure-pg-sql`).

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::visit_mut::VisitMut;
use syn::{ItemFn, LitStr};

use super::attr::{classify, parse_options, MacroClass};
use super::expand;
use secure_pg_sql::tenant::TenantOptions;

// ----- the attribute --------------------------------------------------------

/// The expansion split into the function and the error messages.
struct Expanded {
    function: ItemFn,
    errors: Vec<String>,
}

fn run(attr: TokenStream, item: ItemFn) -> Expanded {
    let out = expand(attr, item.into_token_stream());
    let file: syn::File = syn::parse2(out).expect("the expansion parses");
    let mut function = None;
    let mut errors = Vec::new();
    for item in file.items {
        match item {
            syn::Item::Fn(f) => function = Some(f),
            syn::Item::Macro(m) if m.mac.path.segments.last().unwrap().ident == "compile_error" => {
                let lit: LitStr = syn::parse2(m.mac.tokens).expect("a message");
                errors.push(lit.value());
            }
            other => panic!("unexpected item: {}", other.into_token_stream()),
        }
    }
    Expanded {
        function: function.expect("the function is always emitted"),
        errors,
    }
}

/// The token strings of all macro invocations in a function body.
fn macros(function: &ItemFn) -> Vec<String> {
    struct Collect(Vec<String>);
    impl VisitMut for Collect {
        fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
            self.0.push(mac.to_token_stream().to_string());
        }
    }
    let mut collect = Collect(Vec::new());
    collect.visit_block_mut(&mut function.block.clone());
    collect.0
}

fn docs(function: &ItemFn) -> String {
    function
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => s.value(),
                _ => String::new(),
            },
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn sql(text: &str) -> LitStr {
    LitStr::new(text, Span::call_site())
}

#[test]
fn tenant_attr_rewrites_query_as() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            async fn widgets_by_owner(db: &Pool, tenant: TenantId, owner: i64) -> Result<Vec<Widget>, Error> {
                secure_query_as!(Widget, "SELECT w.id, w.name FROM widgets w JOIN owners o ON o.id = w.owner_id WHERE o.id = $1", owner)
                    .fetch_all(db).await
            }
        },
    );
    assert_eq!(out.errors, Vec::<String>::new());
    let expected = sql(
        "SELECT w.id, w.name FROM widgets w JOIN owners o ON o.id = w.owner_id \
         WHERE (o.id = $1) AND w.tenant_id = $2 AND o.tenant_id = $2",
    );
    assert_eq!(
        macros(&out.function),
        vec![quote!(
            secure_query_as!(__scoped_by_attribute, Widget, #expected, owner, __secure_pg_tenant)
        )
        .to_string()]
    );
    let docs = docs(&out.function);
    assert!(docs.contains("# Tenant scoping"), "{docs}");
    assert!(docs.contains("AND o.tenant_id = $2"), "{docs}");
    assert!(docs.contains("`tenant`"), "{docs}");
}

#[test]
fn tenant_attr_numbers_the_tenant_after_the_arguments() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            fn f(tenant: &secure_pg::TenantId, a: i32, b: i32) {
                let q = secure_pg::secure_query!("UPDATE widgets SET a = $1 WHERE id = $2", a, b,);
            }
        },
    );
    assert_eq!(out.errors, Vec::<String>::new());
    let expected = sql("UPDATE widgets SET a = $1 WHERE (id = $2) AND widgets.tenant_id = $3");
    assert_eq!(
        macros(&out.function),
        vec![quote!(
            secure_pg::secure_query!(__scoped_by_attribute, #expected, a, b, __secure_pg_tenant)
        )
        .to_string()]
    );
}

#[test]
fn tenant_attr_marker_and_options() {
    let out = run(
        quote!(column = "org_id", exempt = [plans, "Currencies"]),
        syn::parse_quote! {
            fn f(#[tenant] org: Uuid, other: TenantId) {
                secure_query!("SELECT p.id FROM projects p JOIN plans pl ON pl.id = p.plan_id");
            }
        },
    );
    assert_eq!(out.errors, Vec::<String>::new());
    let expected =
        sql("SELECT p.id FROM projects p JOIN plans pl ON pl.id = p.plan_id WHERE p.org_id = $1");
    assert_eq!(
        macros(&out.function),
        vec![
            quote!(secure_query!(__scoped_by_attribute, #expected, __secure_pg_tenant)).to_string()
        ]
    );
    // The marker is gone from the emitted signature.
    let sig = out.function.sig.to_token_stream().to_string();
    assert!(!sig.contains("# [tenant]"), "{sig}");
}

#[test]
fn tenant_attr_passes_the_tenant_only_when_the_sql_uses_it() {
    let out = run(
        quote!(exempt = [countries]),
        syn::parse_quote! {
            fn f(tenant: TenantId, n: i32) {
                secure_query!("SELECT $1::int + 1", n);
                secure_query!("SELECT name FROM countries WHERE code = $1", n);
            }
        },
    );
    assert_eq!(out.errors, Vec::<String>::new());
    let first = sql("SELECT $1::INT + 1");
    let second = sql("SELECT name FROM countries WHERE code = $1");
    assert_eq!(
        macros(&out.function),
        vec![
            quote!(secure_query!(__scoped_by_attribute, #first, n)).to_string(),
            quote!(secure_query!(__scoped_by_attribute, #second, n)).to_string(),
        ]
    );
}

#[test]
fn tenant_attr_walks_closures_and_async_blocks() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            fn f(tenant: TenantId) {
                let a = || secure_query!("SELECT id FROM a");
                let b = async move { secure_query!("SELECT id FROM b").await };
            }
        },
    );
    assert_eq!(out.errors, Vec::<String>::new());
    let found = macros(&out.function);
    assert_eq!(found.len(), 2);
    for (mac, table) in found.iter().zip(["a", "b"]) {
        let expected = sql(&format!(
            "SELECT id FROM {table} WHERE {table}.tenant_id = $1"
        ));
        assert_eq!(
            *mac,
            quote!(secure_query!(__scoped_by_attribute, #expected, __secure_pg_tenant)).to_string()
        );
    }
}

#[test]
fn tenant_attr_refuses_queries_in_nested_items_but_leaves_scoped_ones_alone() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            fn f(tenant: TenantId) {
                fn inner() { secure_query!("SELECT id FROM c"); }
                impl Thing { fn m(&self) { secure_query!("SELECT id FROM d"); } }
                #[tenant_scoped]
                fn own(tenant: TenantId) { let tenant = 1; secure_query!("SELECT id FROM e"); }
            }
        },
    );
    assert_eq!(out.errors.len(), 2, "{:?}", out.errors);
    assert!(
        out.errors[0].contains("is in `fn inner`, nested in a #[tenant_scoped] function"),
        "{:?}",
        out.errors
    );
    assert!(
        out.errors[1].contains("is in an `impl` block"),
        "{:?}",
        out.errors
    );
    // The nested #[tenant_scoped] function is left to its own attribute.
    let found = macros(&out.function);
    assert!(
        found.contains(&quote!(secure_query!("SELECT id FROM e")).to_string()),
        "{found:?}"
    );
}

#[test]
fn tenant_attr_captures_the_tenant_at_entry() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            fn f(db: &Pool, tenant: &TenantId) { secure_query!("SELECT id FROM a"); }
        },
    );
    assert_eq!(out.errors, Vec::<String>::new());
    let first = out.function.block.stmts[0].to_token_stream().to_string();
    assert_eq!(
        first,
        "let __secure_pg_tenant = :: secure_pg :: __private :: capture_tenant (& tenant) ;"
    );
    // That the binding is hygienic (the body cannot name it) is shown by
    // the ui-tests and `tenant::rebinding_by_a_macro_keeps_the_callers_tenant`
    // on a real server: outside a compiler, spans carry no hygiene.
}

#[test]
fn tenant_attr_refuses_rebinding_the_tenant() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            async fn f(db: &Pool, tenant: TenantId, order: Order) {
                let Order { tenant, .. } = order;
                let tenant = other();
                let g = |tenant: TenantId| tenant;
                match x { Some(tenant) => {}, None => {} }
                for r#tenant in list {}
                let fine = |t: TenantId| t;
                secure_query!("SELECT id FROM a");
            }
        },
    );
    assert_eq!(out.errors.len(), 5, "{:?}", out.errors);
    for e in &out.errors {
        assert!(
            e.starts_with("this binding shadows `tenant`, the tenant parameter"),
            "{e}"
        );
    }
}

#[test]
fn tenant_attr_refuses_mutable_and_by_reference_tenants() {
    for (item, wanted) in [
        (
            quote!(
                fn f(mut tenant: TenantId) {}
            ),
            "the tenant parameter `tenant` cannot be `mut`",
        ),
        (
            quote!(
                fn f(#[tenant] mut org: Uuid) {}
            ),
            "the tenant parameter `org` cannot be `mut`",
        ),
        (
            quote!(
                fn f(ref tenant: TenantId) {}
            ),
            "cannot be bound by reference",
        ),
        (
            quote!(
                fn f(tenant: &mut TenantId) {}
            ),
            "cannot be a mutable reference",
        ),
    ] {
        let out = run(quote!(), syn::parse2(item).unwrap());
        assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
        assert!(out.errors[0].contains(wanted), "{:?}", out.errors);
    }
}

#[test]
fn tenant_attr_leaves_argument_count_errors_to_the_macro() {
    // Too few, too many: left unrewritten, so the macro reports the
    // mismatch on the user's own SQL, as outside the attribute.
    let out = run(
        quote!(),
        syn::parse_quote! {
            fn f(tenant: TenantId, s: &str) {
                secure_query!("SELECT id FROM a WHERE s = $1 ORDER BY id LIMIT $2", s);
                secure_query!("SELECT id FROM a WHERE s = $1", s, 2);
            }
        },
    );
    assert_eq!(out.errors, Vec::<String>::new());
    assert_eq!(
        macros(&out.function),
        vec![
            quote!(secure_query!(
                __scoped_by_attribute,
                "SELECT id FROM a WHERE s = $1 ORDER BY id LIMIT $2",
                s
            ))
            .to_string(),
            quote!(secure_query!(
                __scoped_by_attribute,
                "SELECT id FROM a WHERE s = $1",
                s,
                2
            ))
            .to_string(),
        ]
    );
    let body = out.function.block.to_token_stream().to_string();
    assert!(!body.contains("__tenant_scoped_by_attribute"), "{body}");
}

#[test]
fn tenant_attr_leaves_unscoped_queries_and_documents_them() {
    let item: ItemFn = syn::parse_quote! {
        fn f(tenant: TenantId) {
            secure_query!(unscoped = "country list is shared", "SELECT code FROM countries_v");
            secure_query_as!(unscoped = "admin report", Row, "SELECT count(*) FROM widgets");
        }
    };
    let before = macros(&item);
    let out = run(quote!(), item);
    assert_eq!(out.errors, Vec::<String>::new());
    assert_eq!(macros(&out.function), before);
    let docs = docs(&out.function);
    assert!(
        docs.contains("**not scoped**: country list is shared"),
        "{docs}"
    );
    assert!(docs.contains("**not scoped**: admin report"), "{docs}");
    assert!(docs.contains("SELECT count(*) FROM widgets"), "{docs}");
}

#[test]
fn tenant_attr_empty_unscoped_reason_is_an_error() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            fn f(tenant: TenantId) { secure_query!(unscoped = " ", "SELECT 1"); }
        },
    );
    assert_eq!(out.errors.len(), 1);
    assert!(
        out.errors[0].contains("reason must not be empty"),
        "{:?}",
        out.errors
    );
}

#[test]
fn tenant_attr_without_tenant_argument() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            fn f(db: &Pool, id: i64) { secure_query!("SELECT 1"); }
        },
    );
    assert_eq!(out.errors.len(), 1);
    assert!(
        out.errors[0].contains("add a parameter of type `TenantId`"),
        "{:?}",
        out.errors
    );
}

#[test]
fn tenant_attr_with_two_tenant_arguments() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            fn f(a: TenantId, b: &TenantId) {}
        },
    );
    assert_eq!(out.errors.len(), 1);
    assert!(out.errors[0].contains("mark the one"), "{:?}", out.errors);

    let out = run(
        quote!(),
        syn::parse_quote! {
            fn f(#[tenant] a: Uuid, #[tenant] b: Uuid) {}
        },
    );
    assert_eq!(out.errors.len(), 1);
    assert!(
        out.errors[0].contains("only one parameter"),
        "{:?}",
        out.errors
    );
}

#[test]
fn tenant_attr_tenant_argument_must_be_a_plain_name() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            fn f(TenantWrapper(t): TenantId) {}
        },
    );
    assert_eq!(out.errors.len(), 1);
    assert!(out.errors[0].contains("plain name"), "{:?}", out.errors);
}

#[test]
fn tenant_attr_refuses_unparsed_queries() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            fn f(tenant: TenantId) {
                secure_query_unparsed!("SELECT id FROM widgets");
                secure_pg::secure_query_as_unparsed!(Row, "SELECT id FROM widgets");
            }
        },
    );
    assert_eq!(out.errors.len(), 2, "{:?}", out.errors);
    assert!(out.errors[0].contains("`secure_query_unparsed!` cannot be scoped"));
    assert!(out.errors[1].contains("`secure_pg::secure_query_as_unparsed!` cannot be scoped"));
}

#[test]
fn tenant_attr_refuses_queries_inside_other_macros() {
    let out = run(
        quote!(allow_macros = [tokio::join]),
        syn::parse_quote! {
            async fn f(tenant: TenantId) {
                let (a, b) = tokio::join!(
                    secure_query!("SELECT id FROM a").fetch_all(db),
                    async { 1 },
                );
                let v = vec![{ secure_query_as!(Row, "SELECT id FROM b") }];
                println!("{}", secure_query);
            }
        },
    );
    assert_eq!(out.errors.len(), 2, "{:?}", out.errors);
    assert!(out.errors[0].contains("`secure_query!` inside `tokio::join!`"));
    assert!(out.errors[1].contains("`secure_query_as!` inside `vec!`"));
}

#[test]
fn tenant_attr_reports_sql_errors_and_all_errors_at_once() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            fn f(tenant: TenantId, id: i64) {
                secure_query!("UPDATE widgets SET tenant_id = $1", id);
                secure_query!("TRUNCATE widgets");
                secure_query!("SELECT id FROM widgets");
            }
        },
    );
    assert_eq!(out.errors.len(), 2, "{:?}", out.errors);
    assert!(out.errors[0].contains("that assigns `tenant_id`"));
    assert!(out.errors[1].starts_with("cannot scope this query to the tenant (`TRUNCATE`)"));
    // The query that could be scoped still is.
    let expected = sql("SELECT id FROM widgets WHERE widgets.tenant_id = $1");
    assert_eq!(
        macros(&out.function)[2],
        quote!(secure_query!(__scoped_by_attribute, #expected, __secure_pg_tenant)).to_string()
    );
}

#[test]
fn tenant_attr_requires_a_literal() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            fn f(tenant: TenantId) { secure_query!(SQL_CONST, 1); }
        },
    );
    assert_eq!(out.errors.len(), 1);
    assert!(out.errors[0].contains("string literal"), "{:?}", out.errors);
}

#[test]
fn tenant_attr_options() {
    let opts = parse_options(quote!()).unwrap();
    assert_eq!(opts.tenant, TenantOptions::default());
    assert!(opts.allow_macros.is_empty());
    let opts = parse_options(quote!(exempt = [countries, "currencies", type])).unwrap();
    assert_eq!(opts.tenant.exempt, ["countries", "\"currencies\"", "type"]);
    let opts = parse_options(quote!(exempt = [r#ref.Currencies, "Ref"."a\"b"])).unwrap();
    assert_eq!(opts.tenant.exempt, ["ref.Currencies", "\"Ref\".\"a\"\"b\""]);
    let opts = parse_options(quote!(
        trusted_functions = [slugify, util.score],
        reason = "pure text functions"
    ))
    .unwrap();
    assert_eq!(opts.tenant.trusted_functions, ["slugify", "util.score"]);
    assert_eq!(opts.tenant.trusted_reason, "pure text functions");
    let err = parse_options(quote!(trusted_functions = [slugify])).unwrap_err();
    assert!(err.to_string().contains("needs a reason"), "{err}");
    let err = parse_options(quote!(trusted_functions = [slugify], reason = " ")).unwrap_err();
    assert!(err.to_string().contains("must say why"), "{err}");
    let err = parse_options(quote!(reason = "x")).unwrap_err();
    assert!(
        err.to_string()
            .contains("`trusted_functions`, which is missing"),
        "{err}"
    );
    let err = parse_options(quote!(trusted_functions = [], reason = "x")).unwrap_err();
    assert!(err.to_string().contains("lists no function"), "{err}");
    let opts = parse_options(quote!(allow_macros = [my_log, ::my_crate::r#audit,])).unwrap();
    assert_eq!(
        opts.allow_macros,
        [vec!["my_log"], vec!["my_crate", "audit"]]
    );
    for refused in [
        quote!(allow_macros = [secure_query]),
        quote!(allow_macros = [x::secure_query_unparsed]),
        quote!(allow_macros = [include]),
        quote!(allow_macros = [macro_rules]),
    ] {
        let err = parse_options(refused).unwrap_err();
        assert!(err.to_string().contains("cannot be allowed"), "{err}");
    }
    let err = parse_options(quote!(colum = "x")).unwrap_err();
    assert!(err.to_string().contains("unknown #[tenant_scoped] option"));
    let err = parse_options(quote!(column = "Org-Id")).unwrap_err();
    assert!(err.to_string().contains("plain lowercase SQL identifier"));

    // A bad option is reported, and the function is still checked.
    let out = run(
        quote!(colum = "x"),
        syn::parse_quote! {
            fn f() {}
        },
    );
    assert_eq!(out.errors.len(), 2, "{:?}", out.errors);
}

#[test]
fn tenant_attr_on_a_non_function() {
    let out = expand(
        quote!(),
        quote!(
            struct S;
        ),
    );
    let text = out.to_string();
    assert!(text.contains("applies to functions"), "{text}");
    assert!(text.contains("struct S"), "{text}");
}

// ----- which macros a scoped function may use ---------------------------------

fn path(p: &str) -> Vec<String> {
    p.split("::").map(str::to_owned).collect()
}

#[test]
fn tenant_attr_classifies_macros_by_path() {
    let allowed = [path("my_log"), path("crate::audit::note")];
    let query = MacroClass::Query { with_type: false };
    let query_as = MacroClass::Query { with_type: true };
    for (p, class) in [
        ("secure_query", query.clone()),
        ("secure_pg::secure_query", query.clone()),
        ("anything::at::all::secure_query", query),
        ("secure_query_as", query_as),
        ("secure_query_unparsed", MacroClass::Unparsed),
        ("secure_pg::secure_query_as_unparsed", MacroClass::Unparsed),
        ("println", MacroClass::Allowed),
        ("std::println", MacroClass::Allowed),
        ("core::assert_eq", MacroClass::Allowed),
        ("alloc::vec", MacroClass::Allowed),
        ("format_args", MacroClass::Allowed),
        ("include_str", MacroClass::Allowed),
        ("info", MacroClass::Allowed),
        ("tracing::info_span", MacroClass::Allowed),
        ("tracing::event", MacroClass::Allowed),
        ("my_log", MacroClass::Allowed),
        ("crate::audit::note", MacroClass::Allowed),
        ("include", MacroClass::Include),
        ("std::include", MacroClass::Include),
        ("macro_rules", MacroClass::MacroRules),
        // Not what they look like: another crate's `println!`, a tracing
        // name under another path, an allowed name under another path.
        ("q", MacroClass::Unknown),
        ("my_crate::println", MacroClass::Unknown),
        ("std::io::println", MacroClass::Unknown),
        ("log::info", MacroClass::Unknown),
        ("tracing::instrument", MacroClass::Unknown),
        ("audit::note", MacroClass::Unknown),
        ("other::my_log", MacroClass::Unknown),
        ("join", MacroClass::Unknown),
        ("tokio::join", MacroClass::Unknown),
        ("sqlx::query", MacroClass::Unknown),
    ] {
        assert_eq!(classify(&path(p), &allowed), class, "{p}");
    }
}

#[test]
fn tenant_attr_recognises_queries_under_any_path_and_raw() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            async fn f(db: &Pool, tenant: TenantId) {
                ::secure_pg::secure_query!("DELETE FROM a").execute(db).await;
                r#secure_query!("DELETE FROM b").execute(db).await;
                secure_pg::r#secure_query_as!(Row, "SELECT id FROM c");
            }
        },
    );
    assert_eq!(out.errors, Vec::<String>::new());
    let found = macros(&out.function);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found[0].contains("a.tenant_id = $1"), "{}", found[0]);
    assert!(found[1].contains("b.tenant_id = $1"), "{}", found[1]);
    assert!(found[2].contains("c.tenant_id = $1"), "{}", found[2]);
}

#[test]
fn tenant_attr_refuses_macros_it_cannot_see_through() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            async fn f(db: &Pool, tenant: TenantId) {
                q!("DELETE FROM widgets").execute(db).await;
                my_queries::delete_all!(db);
                include!("more.rs");
                macro_rules! q2 { () => {} }
                let x: my_type!() = 1;
                match 1 { pat!() => {} _ => {} }
            }
        },
    );
    assert_eq!(out.errors.len(), 6, "{:?}", out.errors);
    assert!(out.errors[0].starts_with("`q!` is not allowed in a #[tenant_scoped] function"));
    assert!(
        out.errors[0].contains("allow_macros = [q]"),
        "{}",
        out.errors[0]
    );
    assert!(out.errors[1].starts_with("`my_queries::delete_all!` is not allowed"));
    assert!(out.errors[2].starts_with("`include!` is not allowed"));
    assert!(out.errors[3].starts_with("`macro_rules!` is not allowed"));
    assert!(out.errors[4].starts_with("`my_type!` is not allowed"));
    assert!(out.errors[5].starts_with("`pat!` is not allowed"));
}

#[test]
fn tenant_attr_looks_for_macros_inside_allowed_macros() {
    let out = run(
        quote!(allow_macros = [my_log]),
        syn::parse_quote! {
            async fn f(db: &Pool, tenant: TenantId, done: bool) {
                let v = vec![q!("DELETE FROM widgets").execute(db)];
                assert!(!done, "{}", format!("{:?}", std::include!("x")));
                my_log!(a != b, return !done, { macro_rules! m { () => {} } });
                println!("{}", stringify!(x), line!());
                tracing::info!(n = vec![1].len(), "ok");
            }
        },
    );
    assert_eq!(out.errors.len(), 3, "{:?}", out.errors);
    assert!(
        out.errors[0].starts_with("`q!` inside `vec!` is not allowed"),
        "{}",
        out.errors[0]
    );
    assert!(
        out.errors[1].starts_with("`std::include!` inside `assert!` is not allowed"),
        "{}",
        out.errors[1]
    );
    assert!(
        out.errors[2].starts_with("`macro_rules!` inside `my_log!` is not allowed"),
        "{}",
        out.errors[2]
    );
}

#[test]
fn tenant_attr_checks_the_arguments_of_queries() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            async fn f(db: &Pool, tenant: TenantId) {
                secure_query!("SELECT id FROM a WHERE n = $1", q!("DELETE FROM widgets"));
                secure_query!(unscoped = "r", "SELECT id FROM a WHERE n = $1", q!("x"));
                secure_query!("SELECT id FROM a WHERE n = $1", {
                    secure_query!("SELECT n FROM b").sql()
                });
            }
        },
    );
    assert_eq!(out.errors.len(), 2, "{:?}", out.errors);
    assert!(out.errors[0].starts_with("`q!` is not allowed"));
    assert!(out.errors[1].starts_with("`q!` is not allowed"));
    // The query inside the argument is rewritten (and marked) too.
    let found = macros(&out.function);
    assert!(
        found.iter().any(|m| m.contains("b.tenant_id = $1")),
        "{found:?}"
    );
}

#[test]
fn tenant_attr_marks_rewritten_queries_and_enters_the_scope() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            async fn f(db: &Pool, tenant: TenantId) -> Result<u64, Error> {
                let n = secure_query!("DELETE FROM a").execute(db).await?;
                secure_query!(unscoped = "why", "DELETE FROM b").execute(db).await?;
                Ok(n)
            }
        },
    );
    assert_eq!(out.errors, Vec::<String>::new());
    let body = out.function.block.to_token_stream().to_string();
    assert!(
        body.contains("let __secure_pg_body = async move")
            && body.contains(
                ":: secure_pg :: __private :: tenant_scope :: < Result < u64 , Error > , _ > \
             (\"f\" , :: std :: boxed :: Box :: pin (__secure_pg_body) ,) . await"
            ),
        "{body}"
    );
    assert!(
        body.starts_with(
            "{ # [allow (clippy :: async_yields_async)] let __secure_pg_body = async move \
             { :: secure_pg :: __private :: returned :: < Result < u64 , Error > > ({"
        ),
        "{body}"
    );
    // Only the rewritten query is marked by the attribute; the unscoped
    // one is marked by its own expansion.
    assert_eq!(
        body.matches("__tenant_scoped_by_attribute").count(),
        1,
        "{body}"
    );
    let marked = quote!((secure_query!(
        __scoped_by_attribute,
        "DELETE FROM a WHERE a.tenant_id = $1",
        __secure_pg_tenant
    ))
    .__tenant_scoped_by_attribute())
    .to_string();
    assert!(body.contains(&marked), "{body}");
    // The tenant goes with the mark, for row-level security at run time.
    assert!(
        body.contains(&format!("{marked} . __for_tenant (__secure_pg_tenant)")),
        "{body}"
    );
    // Not for a tenant that is not a `TenantId` (row-level security keys
    // on one), nor for a query that does not bind the tenant.
    let out = run(
        quote!(exempt = [countries]),
        syn::parse_quote! {
            async fn h(db: &Pool, #[tenant] org: i64) {
                secure_query!("DELETE FROM a").execute(db).await;
            }
        },
    );
    let body = out.function.block.to_token_stream().to_string();
    assert!(body.contains("__tenant_scoped_by_attribute"), "{body}");
    assert!(!body.contains("__for_tenant"), "{body}");
    let out = run(
        quote!(exempt = [countries]),
        syn::parse_quote! {
            async fn h(db: &Pool, tenant: TenantId) {
                secure_query!("SELECT code FROM countries").execute(db).await;
            }
        },
    );
    let body = out.function.block.to_token_stream().to_string();
    assert!(body.contains("__tenant_scoped_by_attribute"), "{body}");
    assert!(!body.contains("__for_tenant"), "{body}");

    // `impl Trait` cannot be named: inferred. No return type: `()`.
    // Not async: no scope (nothing in it can await a query).
    for (item, expected) in [
        (
            quote!(
                async fn g(tenant: TenantId) -> impl Sized {
                    1
                }
            ),
            Some("tenant_scope :: < _ , _ >"),
        ),
        (
            quote!(
                async fn g(&self, tenant: TenantId) {}
            ),
            Some("tenant_scope :: < () , _ >"),
        ),
        (
            quote!(
                async fn g(tenant: TenantId) -> Result<!, E> {
                    loop {}
                }
            ),
            Some("tenant_scope :: < _ , _ >"),
        ),
        (
            quote!(
                fn g(tenant: TenantId) -> u8 {
                    1
                }
            ),
            None,
        ),
    ] {
        let out = run(quote!(), syn::parse2(item).unwrap());
        let body = out.function.block.to_token_stream().to_string();
        match expected {
            Some(e) => assert!(body.contains(e), "{body}"),
            None => assert!(!body.contains("tenant_scope"), "{body}"),
        }
    }
}

#[test]
fn tenant_attr_docs_name_trusted_functions() {
    let opts = parse_options(quote!(
        trusted_functions = [slugify],
        reason = "slugify only transforms its argument"
    ))
    .unwrap();
    let tenant: syn::Ident = syn::parse_quote!(tenant);
    let lines = super::attr::doc_lines(
        &opts.tenant,
        &tenant,
        &[super::attr::QueryDoc::Scoped {
            sql: "SELECT slugify(name) FROM widgets WHERE widgets.tenant_id = $1".into(),
        }],
    );
    assert!(
        lines.iter().any(|l| l.contains("Trusted functions")
            && l.contains("`slugify`")
            && l.contains("Reason: slugify only transforms its argument")),
        "{lines:#?}"
    );
}
