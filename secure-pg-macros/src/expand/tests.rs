use super::*;

/// Expands `tokens` as the macro `kind`, returning the generated code or
/// the error messages joined by `\n---\n`.
fn expand(tokens: TokenStream2, kind: MacroKind) -> Result<String, String> {
    QueryInput::parse_tokens(tokens, kind)
        .and_then(|input| expand_query(input, kind))
        .map(|out| out.to_string())
        .map_err(|e| {
            e.into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n---\n")
        })
}

fn ok(tokens: TokenStream2, kind: MacroKind) -> String {
    expand(tokens, kind).unwrap_or_else(|e| panic!("error: {e}"))
}

fn err(tokens: TokenStream2, kind: MacroKind) -> String {
    match expand(tokens, kind) {
        Ok(out) => panic!("expanded to {out}"),
        Err(e) => e,
    }
}

/// Asserts the error for `tokens` contains `needle`.
fn check_err(tokens: TokenStream2, kind: MacroKind, needle: &str) {
    let e = err(tokens, kind);
    assert!(e.contains(needle), "expected {needle:?} in:\n{e}");
}

fn normalize(tokens: TokenStream2) -> String {
    tokens.to_string()
}

/// The query an expansion builds, after its registration in
/// `secure_pg::queries()` (checked to be there, with the literal's SQL).
fn query_part(out: &str, sql: &str) -> String {
    let registration = out
        .find("__SECURE_PG_REGISTERED")
        .unwrap_or_else(|| panic!("no registration in:\n{out}"));
    assert!(out.contains("__private :: QUERIES"), "{out}");
    let registered = &out[..registration];
    assert!(registered.contains(&format!("{sql:?}")), "{out}");
    // The registration is a block of its own; the query follows it.
    let end = out[registration..]
        .find("} ")
        .map(|i| registration + i + 2)
        .unwrap_or_else(|| panic!("{out}"));
    out[end..].trim_end_matches(" }").trim().to_owned()
}

#[test]
fn query_expansion_shape() {
    let out = ok(
        quote!("SELECT * FROM t WHERE a = $1 AND b = $2", a, b.c),
        MacroKind::Query,
    );
    let expected = normalize(quote! {
        ::secure_pg::__private::Query::__unchecked_from_macro(
            "SELECT * FROM t WHERE a = $1 AND b = $2",
            [
                ::secure_pg::__private::bind(&(a)),
                ::secure_pg::__private::bind(&(b.c))
            ]
        )
    });
    assert_eq!(
        query_part(&out, "SELECT * FROM t WHERE a = $1 AND b = $2"),
        expected
    );
}

#[test]
fn query_without_arguments() {
    let out = ok(quote!("SELECT 1"), MacroKind::Query);
    assert_eq!(
        query_part(&out, "SELECT 1"),
        normalize(quote!(
            ::secure_pg::__private::Query::__unchecked_from_macro("SELECT 1", [])
        ))
    );
    // A trailing comma is fine.
    ok(quote!("SELECT 1",), MacroKind::Query);
    ok(quote!("SELECT $1", x,), MacroKind::Query);
}

#[test]
fn query_as_expansion_shape() {
    let out = ok(
        quote!(my::Widget<'static>, "SELECT id FROM w WHERE id = $1", id),
        MacroKind::QueryAs,
    );
    let expected = normalize(quote! {
        ::secure_pg::__private::query_as_unchecked_from_macro::<my::Widget<'static>, 1>(
            "SELECT id FROM w WHERE id = $1",
            [::secure_pg::__private::bind(&(id))]
        )
    });
    assert_eq!(query_part(&out, "SELECT id FROM w WHERE id = $1"), expected);
    let out = ok(
        quote!(Widget, "SELECT id FROM w"),
        MacroKind::QueryAsUnparsed,
    );
    assert!(
        out.contains("query_as_unchecked_from_macro :: < Widget , 0 > (\"SELECT id FROM w\" , [])"),
        "{out}"
    );
}

#[test]
fn raw_string_literal_is_emitted_as_its_value() {
    let tokens: TokenStream2 = syn::parse_str(r####"r#"SELECT "a" FROM t"#"####).unwrap();
    let out = ok(tokens, MacroKind::Query);
    assert!(out.contains(r#""SELECT \"a\" FROM t""#), "{out}");
}

#[test]
fn arguments_are_complex_expressions() {
    let out = ok(
        quote!("SELECT $1, $2, $3", &x, f(y, z), if c { 1 } else { 2 }),
        MacroKind::Query,
    );
    assert!(out.contains("bind (& (& x))"), "{out}");
    assert!(out.contains("bind (& (f (y , z)))"), "{out}");
}

#[test]
fn non_literal_sql() {
    let ident = "SQL must be a string literal written in the macro call, not a variable or \
                 const: the macro can only check SQL it can see; write the SQL inline and pass \
                 values as `$1`, `$2` ... arguments";
    for (tokens, needle) in [
        (quote!(sql, id), ident),
        (quote!(SQL_CONST), ident),
        (quote!(queries::BY_ID, id), ident),
        (
            quote!(format!("SELECT * FROM {}", t)),
            "`format!` builds SQL at run time, which is how injection happens; write the SQL \
             as a literal and pass values as `$n` arguments",
        ),
        (
            quote!(concat!("SELECT ", "1")),
            "`concat!` is expanded after this macro runs",
        ),
        (
            quote!(include_str!("q.sql")),
            "cannot check SQL read from a file",
        ),
        (
            quote!(my_sql!()),
            "not a macro call: `my_sql!` produces its text",
        ),
        (
            quote!(sql.as_str(), id),
            "not a method call: `.as_str(...)`",
        ),
        (quote!(String::from("SELECT 1")), "not a function call"),
        (quote!(&sql), "not a value computed at run time"),
        (quote!(self.sql), "not a value computed at run time"),
        (
            quote!("SELECT " + x),
            "not an expression that joins or changes strings",
        ),
        (
            quote!(x + "SELECT "),
            "not an expression that joins or changes strings",
        ),
        (
            quote!("SELECT 1".to_owned()),
            "not an expression that joins or changes strings",
        ),
        (
            quote!(b"SELECT 1"),
            "not a byte string; remove the `b` prefix",
        ),
        (quote!(c"SELECT 1"), "not a C string; remove the `c` prefix"),
        (quote!(42), "found a integer literal"),
        (
            quote!(),
            "expected the SQL as a string literal, e.g. `secure_query!(",
        ),
        (quote!(=>), "expected the SQL as a string literal"),
    ] {
        check_err(tokens, MacroKind::Query, needle);
    }
}

#[test]
fn non_literal_sql_in_other_forms() {
    check_err(
        quote!(Widget, sql),
        MacroKind::QueryAs,
        "not a variable or const",
    );
    check_err(
        quote!(sql),
        MacroKind::QueryUnparsed,
        "not a variable or const",
    );
    check_err(
        quote!(Widget, format!("x")),
        MacroKind::QueryAsUnparsed,
        "`format!` builds SQL at run time",
    );
}

#[test]
fn non_literal_error_is_spanned_on_the_token() {
    // The error carries the whole expression's tokens, not the call site.
    let input: TokenStream2 = syn::parse_str("x.build()").unwrap();
    let e = QueryInput::parse_tokens(input, MacroKind::Query).unwrap_err();
    assert!(e.to_compile_error().to_string().contains("compile_error"));
}

#[test]
fn literal_suffix_is_refused() {
    let tokens: TokenStream2 = syn::parse_str(r#""SELECT 1"sfx"#).unwrap();
    check_err(tokens, MacroKind::Query, "remove the `sfx` suffix");
}

#[test]
fn query_as_needs_a_type() {
    check_err(
        quote!("SELECT 1"),
        MacroKind::QueryAs,
        "`secure_query_as!` needs the row type before the SQL",
    );
    check_err(
        quote!(Widget),
        MacroKind::QueryAs,
        "expected `,` and the SQL string literal after the row type",
    );
    check_err(quote!(), MacroKind::QueryAs, "expected");
}

#[test]
fn missing_comma_after_sql() {
    check_err(
        quote!("SELECT $1" x),
        MacroKind::Query,
        "expected `,` after the SQL literal",
    );
}

#[test]
fn argument_count_mismatch() {
    check_err(
        quote!("SELECT $1, $2, $3", a, b),
        MacroKind::Query,
        "the SQL uses $1..$3 but 2 arguments were given; add the missing argument for $3",
    );
    check_err(
        quote!("SELECT $1, $2", a),
        MacroKind::QueryUnparsed,
        "the SQL uses $1..$2 but 1 argument was given; add the missing argument for $2",
    );
    check_err(
        quote!("SELECT $1, $2"),
        MacroKind::Query,
        "the SQL uses $1..$2 but no arguments were given; add the missing arguments for $1, $2",
    );
    check_err(
        quote!("SELECT $1", a, b),
        MacroKind::Query,
        "the SQL uses $1 but 2 arguments were given; remove this argument or use it in the SQL as $2",
    );
    check_err(
        quote!("SELECT 1", a),
        MacroKind::Query,
        "the SQL has no placeholders but 1 argument was given; remove this argument or use it in the SQL as $1",
    );
}

#[test]
fn each_extra_argument_gets_an_error() {
    let e = err(quote!("SELECT 1", a, b), MacroKind::Query);
    assert_eq!(e.matches("remove this argument").count(), 2, "{e}");
    assert!(e.contains("as $2"), "{e}");
}

#[test]
fn reused_placeholder_counts_once() {
    ok(quote!("SELECT $1 WHERE $1 > 0", a), MacroKind::Query);
}

#[test]
fn sql_errors_are_reported_through_the_macro() {
    check_err(
        quote!("SELECT 1; DROP TABLE x"),
        MacroKind::Query,
        "more than one statement",
    );
    check_err(
        quote!("SELECT 1; DROP TABLE x"),
        MacroKind::QueryUnparsed,
        "more than one statement",
    );
    check_err(
        quote!("SELECT $1, $3", a, b),
        MacroKind::Query,
        "placeholder $2 is missing",
    );
    check_err(
        quote!("SELECT ?", a),
        MacroKind::Query,
        "`?` is not a PostgreSQL placeholder",
    );
    check_err(
        quote!(Widget, "SELECT * FROM WHERE"),
        MacroKind::QueryAs,
        "use `secure_query_as_unparsed!`",
    );
    check_err(
        quote!("SELECT * FROM WHERE"),
        MacroKind::Query,
        "use `secure_query_unparsed!`",
    );
}

#[test]
fn unparsed_accepts_what_the_parser_rejects() {
    ok(
        quote!("SELECT * FROM WHERE $1", a),
        MacroKind::QueryUnparsed,
    );
}

#[test]
fn unscoped_reason() {
    let out = ok(
        quote!(unscoped = "monthly billing across tenants", "SELECT $1", a),
        MacroKind::Query,
    );
    // The reason is registered with the statement (`queries()` is an
    // audit list), and nowhere in what runs.
    assert!(
        out.contains("Scoping :: Unscoped (\"monthly billing across tenants\")"),
        "{out}"
    );
    assert!(!query_part(&out, "SELECT $1").contains("monthly"), "{out}");
    let input = QueryInput::parse_tokens(
        quote!(unscoped = "billing", Widget, "SELECT 1"),
        MacroKind::QueryAs,
    )
    .unwrap();
    assert_eq!(input.unscoped.unwrap().value(), "billing");
    assert!(input.row_type.is_some());
}

#[test]
fn unscoped_reason_errors() {
    check_err(
        quote!(unscoped = "", "SELECT 1"),
        MacroKind::Query,
        "the `unscoped` reason must not be empty",
    );
    check_err(
        quote!(unscoped = "  ", "SELECT 1"),
        MacroKind::Query,
        "must not be empty",
    );
    check_err(
        quote!(unscoped = reason, "SELECT 1"),
        MacroKind::Query,
        "the `unscoped` reason must be a string literal",
    );
    check_err(
        quote!(unscoped = 1, "SELECT 1"),
        MacroKind::Query,
        "the `unscoped` reason must be a string literal",
    );
    check_err(
        quote!(unscoped = "why" "SELECT 1"),
        MacroKind::Query,
        "expected `,` and the SQL string literal after the `unscoped` reason",
    );
    // The unparsed forms take a reason too (the tenant rule applies to them).
    let input = QueryInput::parse_tokens(
        quote!(unscoped = "why", "SELECT 1"),
        MacroKind::QueryUnparsed,
    )
    .unwrap();
    assert_eq!(input.unscoped.unwrap().value(), "why");
}

#[test]
fn plain_unscoped_identifier_is_just_a_non_literal() {
    check_err(
        quote!(unscoped, 1),
        MacroKind::Query,
        "not a variable or const",
    );
}

#[test]
fn parse_impl_detects_the_form() {
    let q: QueryInput = syn::parse2(quote!("SELECT $1", a)).unwrap();
    assert!(q.row_type.is_none());
    assert_eq!(q.args.len(), 1);
    let q: QueryInput = syn::parse2(quote!(Vec<Widget>, "SELECT 1")).unwrap();
    assert!(q.row_type.is_some());
    let q: QueryInput = syn::parse2(quote!(unscoped = "x", Widget, "SELECT 1")).unwrap();
    assert!(q.unscoped.is_some() && q.row_type.is_some());
    let e = syn::parse2::<QueryInput>(quote!(sql, a)).unwrap_err();
    assert!(e.to_string().contains("not a variable or const"), "{e}");
}

#[test]
fn check_sql_and_expand_checked_for_rewritten_sql() {
    let args: Vec<Expr> = vec![syn::parse_quote!(id), syn::parse_quote!(tenant)];
    let sql = "SELECT * FROM t WHERE id = $1 AND t.tenant_id = $2";
    let info = check_sql(sql, Span::call_site(), &args, MacroKind::Query.mode()).unwrap();
    assert_eq!(info.placeholders, 2);
    let ty: Type = syn::parse_quote!(Row);
    let out = expand_checked(Some(&ty), sql, Span::call_site(), &args).to_string();
    assert!(
        out.contains("query_as_unchecked_from_macro :: < Row , 2 >"),
        "{out}"
    );
    assert!(out.contains("bind (& (tenant))"), "{out}");
    assert!(check_sql(sql, Span::call_site(), &args[..1], MacroKind::Query.mode()).is_err());
}

#[test]
fn kinds() {
    assert_eq!(
        MacroKind::QueryAsUnparsed.name(),
        "secure_query_as_unparsed!"
    );
    assert!(MacroKind::QueryAs.has_row_type());
    assert!(!MacroKind::QueryUnparsed.has_row_type());
    assert_eq!(MacroKind::QueryUnparsed.mode(), Mode::Unparsed);
}

#[test]
fn combine_keeps_every_error() {
    let all = combine([
        syn::Error::new(Span::call_site(), "a"),
        syn::Error::new(Span::call_site(), "b"),
    ])
    .unwrap();
    assert_eq!(all.into_iter().count(), 2);
    assert!(combine(Vec::new()).is_none());
}

#[test]
fn run_turns_errors_into_compile_errors() {
    let out = run(quote!(sql), MacroKind::Query).to_string();
    assert!(out.contains("compile_error"), "{out}");
    let out = run(quote!("SELECT 1"), MacroKind::Query).to_string();
    assert!(out.contains("Query :: __unchecked_from_macro"), "{out}");
}

#[test]
fn several_errors_become_one_error_typed_block() {
    let mut e = syn::Error::new(Span::call_site(), "first");
    e.combine(syn::Error::new(Span::call_site(), "second"));
    let out = errors_as_expression(e).to_string();
    assert!(out.starts_with('{'), "{out}");
    let first = out.find("\"first\"").unwrap();
    let second = out.find("\"second\"").unwrap();
    assert!(first < second, "{out}");
    // The last error is the block's value: no trailing `;`.
    assert!(
        out.trim_end().ends_with("} }") || out.trim_end().ends_with(") }"),
        "{out}"
    );
    assert!(!out.contains("\"second\" } ;"), "{out}");
}
