//! Unit tests for `#[tenant_scoped]`: the SQL snapshots (see
//! [`super::snapshots`]) and the attribute expansion.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::visit_mut::VisitMut;
use syn::{ItemFn, LitStr};

use super::attr::parse_options;
use super::rewrite::scope_statement;
use super::snapshots::{Expected, SNAPSHOTS};
use super::{expand, refused_statements, scope_sql, TenantOptions};

// ----- SQL ------------------------------------------------------------------

#[test]
fn tenant_snapshots() {
    let mut failures = Vec::new();
    for snapshot in SNAPSHOTS {
        let actual = scope_sql(snapshot.sql, &snapshot.options(), snapshot.tenant_param);
        let ok = match (&snapshot.expected, &actual) {
            (Expected::Scoped(want), Ok(got)) => want == got,
            (Expected::Refused(want), Err(got)) => *want == got.message(),
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}\n  sql:      {}\n  expected: {:?}\n  actual:   {:?}",
                snapshot.shape, snapshot.sql, snapshot.expected, actual
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} snapshots differ:\n\n{}",
        failures.len(),
        SNAPSHOTS.len(),
        failures.join("\n\n")
    );
}

#[test]
fn tenant_snapshots_cover_enough_shapes() {
    let scoped = SNAPSHOTS
        .iter()
        .filter(|s| matches!(s.expected, Expected::Scoped(_)))
        .count();
    let refused = SNAPSHOTS.len() - scoped;
    assert!(scoped >= 30, "only {scoped} rewrite snapshots");
    assert!(refused >= 20, "only {refused} refusal snapshots");
    let mut shapes: Vec<_> = SNAPSHOTS.iter().map(|s| s.shape).collect();
    shapes.sort_unstable();
    shapes.dedup();
    assert_eq!(shapes.len(), SNAPSHOTS.len(), "duplicate snapshot names");
}

/// The rewritten SQL must parse back into exactly the rewritten tree: the
/// text sent to the database means what the rewriter built (no parenthesis
/// lost in printing, no predicate re-associated).
#[test]
fn tenant_rewritten_sql_round_trips() {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;
    for snapshot in SNAPSHOTS {
        if let Expected::Scoped(_) = snapshot.expected {
            let tree = scope_statement(snapshot.sql, &snapshot.options(), snapshot.tenant_param)
                .unwrap_or_else(|e| panic!("{}: {e}", snapshot.shape));
            let text = tree.to_string();
            let reparsed = Parser::parse_sql(&PostgreSqlDialect {}, &text)
                .unwrap_or_else(|e| panic!("{}: {text}: {e}", snapshot.shape));
            assert_eq!(reparsed, vec![tree], "{}: {text}", snapshot.shape);
        }
    }
}

#[test]
fn tenant_every_refusal_keyword_is_refused() {
    for refusal in refused_statements() {
        assert!(!refusal.reason.is_empty());
        assert_eq!(refusal.keyword, refusal.keyword.to_uppercase());
    }
    let opts = TenantOptions::default();
    for sql in [
        "CREATE INDEX i ON widgets (name)",
        "DROP VIEW v",
        "COMMENT ON TABLE widgets IS 'x'",
        "REVOKE SELECT ON widgets FROM bob",
        "DISCARD ALL",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT s",
        "LISTEN ch",
        "NOTIFY ch",
        "PREPARE p AS SELECT 1",
        "EXECUTE p",
        "DEALLOCATE p",
        "ANALYZE widgets",
        "START TRANSACTION",
    ] {
        let err = scope_sql(sql, &opts, 1).expect_err(sql);
        assert!(
            err.message()
                .starts_with("cannot scope this query to the tenant (`"),
            "{sql}: {err}"
        );
    }
}

#[test]
fn tenant_column_and_cte_names_follow_postgres_case_rules() {
    let opts = TenantOptions::default();
    // An unquoted CTE name folds to lower case and matches `Recent`.
    assert_eq!(
        scope_sql(
            "WITH recent AS (SELECT id FROM widgets) SELECT id FROM Recent",
            &opts,
            1
        )
        .unwrap(),
        "WITH recent AS (SELECT id FROM widgets WHERE widgets.tenant_id = $1) SELECT id FROM Recent"
    );
    // A quoted CTE name does not match a differently cased table: the table
    // is scoped.
    assert_eq!(
        scope_sql(
            r#"WITH "Recent" AS (SELECT 1) SELECT id FROM recent"#,
            &opts,
            1
        )
        .unwrap(),
        r#"WITH "Recent" AS (SELECT 1) SELECT id FROM recent WHERE recent.tenant_id = $1"#
    );
    // A CTE in a sibling subquery is not in scope elsewhere.
    assert_eq!(
        scope_sql(
            "SELECT (WITH t AS (SELECT 1) SELECT 1 FROM t), id FROM t",
            &opts,
            1
        )
        .unwrap(),
        "SELECT (WITH t AS (SELECT 1) SELECT 1 FROM t), id FROM t WHERE t.tenant_id = $1"
    );
    // The target of UPDATE is a real table even when a CTE has its name.
    assert_eq!(
        scope_sql(
            "WITH widgets AS (SELECT 1) UPDATE widgets SET a = 1",
            &opts,
            1
        )
        .unwrap(),
        "WITH widgets AS (SELECT 1) UPDATE widgets SET a = 1 WHERE widgets.tenant_id = $1"
    );
    // `SET "Tenant_Id" = ...` is a different column; `SET TENANT_ID` is not.
    assert!(scope_sql("UPDATE widgets SET TENANT_ID = 1", &opts, 1).is_err());
    assert!(scope_sql(r#"UPDATE widgets SET "Tenant_Id" = 1"#, &opts, 1).is_ok());
}

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
        vec![quote!(secure_query_as!(Widget, #expected, owner, tenant)).to_string()]
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
        vec![quote!(secure_pg::secure_query!(#expected, a, b, tenant)).to_string()]
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
        vec![quote!(secure_query!(#expected, org)).to_string()]
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
            quote!(secure_query!(#first, n)).to_string(),
            quote!(secure_query!(#second, n)).to_string(),
        ]
    );
}

#[test]
fn tenant_attr_walks_closures_async_blocks_and_nested_fns() {
    let out = run(
        quote!(),
        syn::parse_quote! {
            fn f(tenant: TenantId) {
                let a = || secure_query!("SELECT id FROM a");
                let b = async move { secure_query!("SELECT id FROM b").await };
                fn inner() { secure_query!("SELECT id FROM c"); }
            }
        },
    );
    assert_eq!(out.errors, Vec::<String>::new());
    let found = macros(&out.function);
    assert_eq!(found.len(), 3);
    for (mac, table) in found.iter().zip(["a", "b", "c"]) {
        let expected = sql(&format!(
            "SELECT id FROM {table} WHERE {table}.tenant_id = $1"
        ));
        assert_eq!(*mac, quote!(secure_query!(#expected, tenant)).to_string());
    }
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
    assert!(out.errors[1].contains("`secure_query_as_unparsed!` cannot be scoped"));
}

#[test]
fn tenant_attr_refuses_queries_inside_other_macros() {
    let out = run(
        quote!(),
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
    assert!(out.errors[0].contains("`secure_query!` inside `join!`"));
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
        quote!(secure_query!(#expected, tenant)).to_string()
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
    assert_eq!(opts, TenantOptions::default());
    let opts = parse_options(quote!(exempt = [countries, "currencies", type])).unwrap();
    assert_eq!(opts.exempt, ["countries", "currencies", "type"]);
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

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Small queries over tenant tables (`a`, `b`) and a shared one, with
    /// the aliases that must end up filtered.
    fn query() -> impl Strategy<Value = (String, Vec<&'static str>)> {
        let table = prop_oneof![Just("a"), Just("b"), Just("currencies")];
        let join = prop_oneof![
            Just("JOIN"),
            Just("LEFT JOIN"),
            Just("RIGHT JOIN"),
            Just("FULL JOIN")
        ];
        let filter = prop_oneof![
            Just(""),
            Just(" WHERE t1.x = $1 OR t1.y = $2"),
            Just(" WHERE t1.x IN (SELECT x FROM b)"),
            Just(" WHERE EXISTS (SELECT 1 FROM a WHERE a.x = t1.x)"),
        ];
        (table.clone(), join, table, filter, any::<bool>()).prop_map(|(t1, j, t2, f, union)| {
            let mut must = Vec::new();
            if t1 != "currencies" {
                must.push("t1.tenant_id = $3");
            }
            if t2 != "currencies" {
                must.push("t2.tenant_id = $3");
            }
            if f.contains("FROM b") {
                must.push("b.tenant_id = $3");
            }
            if f.contains("FROM a") || union {
                must.push("a.tenant_id = $3");
            }
            let base = format!("SELECT t1.x FROM {t1} t1 {j} {t2} t2 ON t1.x = t2.x{f}");
            let sql = if union {
                format!("{base} UNION SELECT x FROM a")
            } else {
                base
            };
            (sql, must)
        })
    }

    proptest! {
        /// Every tenant table of a generated query is filtered by its alias
        /// (whatever the join kind), the shared table never is, and the
        /// rewritten SQL parses.
        #[test]
        fn generated_queries_are_scoped((sql, must) in query()) {
            let opts = TenantOptions {
                exempt: vec!["currencies".into()],
                ..TenantOptions::default()
            };
            let scoped = scope_sql(&sql, &opts, 3).unwrap();
            prop_assert!(
                sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, &scoped).is_ok(),
                "{}", scoped
            );
            for predicate in must {
                prop_assert!(scoped.contains(predicate), "{} lacks {}", scoped, predicate);
            }
            prop_assert!(!scoped.contains("currencies.tenant_id"), "{}", scoped);
        }

        /// Whatever the input, the rewriter answers (scoped SQL or a
        /// refusal) and never panics inside the compiler.
        #[test]
        fn arbitrary_input_never_panics(s in "\\PC{0,100}") {
            let _ = scope_sql(&s, &TenantOptions::default(), 1);
        }
    }
}
