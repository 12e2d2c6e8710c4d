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

impl<'a> Scoping<'a> {
    /// From a macro's `unscoped = "..."` and whether `#[tenant_scoped]`
    /// rewrote it.
    pub(crate) fn of(unscoped: Option<&'a LitStr>, by_attribute: bool) -> Self {
        match (unscoped, by_attribute) {
            (Some(reason), _) => Scoping::Unscoped(reason),
            (None, true) => Scoping::Tenant,
            (None, false) => Scoping::NotScoped,
        }
    }
}

/// The registration of one statement of a query macro's call (`sql` as
/// sent: the literal, a dynamic query's variant, or what
/// `#[tenant_scoped]` rewrote), reported at its literal.
pub(crate) fn of_query(
    input: &crate::expand::QueryInput,
    kind: crate::expand::MacroKind,
    sql: &str,
    schema: Option<(&Typed, &Facts)>,
) -> TokenStream2 {
    registration(
        sql,
        input.sql.span(),
        kind.name().trim_end_matches('!'),
        Scoping::of(input.unscoped.as_ref(), input.scoped_by_attribute),
        schema,
    )
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
    // What the schema checks found, as one string the runtime reads when
    // asked (`secure_pg::registry` decodes it): a string literal costs the
    // compiler far less than the same facts as nested constants.
    let schema = match schema {
        None => quote!(::core::option::Option::None),
        Some((typed, facts)) => {
            let encoded = encode(typed, facts);
            quote!(::core::option::Option::Some(#encoded))
        }
    };
    // A block of its own, so that several (a dynamic query's variants)
    // can sit side by side.
    // The element itself is one reference: the statement's data stays out
    // of the list's own attribute macro, which then has little to read.
    quote! {{
        static __SECURE_PG_QUERY: #registry::RegisteredQuery =
            #registry::RegisteredQuery::__from_macro(#sql, #location, #macro_name, #scoping, #schema);
        #[::secure_pg::__private::linkme::distributed_slice(::secure_pg::__private::QUERIES)]
        #[linkme(crate = ::secure_pg::__private::linkme)]
        static __SECURE_PG_REGISTERED: &#registry::RegisteredQuery = &__SECURE_PG_QUERY;
    }}
}

/// The facts as `secure_pg::registry` decodes them: one line per fact,
/// fields separated by tabs, `\\`, tab and newline escaped:
/// `T typed` (0 or 1), `P type` per parameter, `C name type nullable` per
/// result column, `R schema name kind privileges` per relation (kind `t`
/// or `v`; privileges among `SIUD`) followed by its `K name type
/// not_null` columns (not_null `1`, `0`, or `?` for a view's), `S schema
/// name` per sequence, `F routine` per routine.
pub(crate) fn encode(typed: &Typed, facts: &Facts) -> String {
    let mut out = String::new();
    let mut line = |fields: &[&str]| {
        let escaped: Vec<String> = fields
            .iter()
            .map(|f| {
                f.replace('\\', "\\\\")
                    .replace('\t', "\\t")
                    .replace('\n', "\\n")
            })
            .collect();
        out.push_str(&escaped.join("\t"));
        out.push('\n');
    };
    line(&["T", if typed.typed { "1" } else { "0" }]);
    for p in &typed.params {
        line(&["P", &strip_typmod(p).to_string()]);
    }
    for c in &typed.columns {
        let nullable = if c.nullable { "1" } else { "0" };
        line(&["C", &c.name, &strip_typmod(&c.ty).to_string(), nullable]);
    }
    for r in &facts.relations {
        let privileges: String = r
            .privileges
            .iter()
            .map(|p| match p {
                Privilege::Select => 'S',
                Privilege::Insert => 'I',
                Privilege::Update => 'U',
                Privilege::Delete => 'D',
            })
            .collect();
        let kind = if r.view { "v" } else { "t" };
        line(&["R", &r.schema, &r.name, kind, &privileges]);
        for c in &r.columns {
            let not_null = match c.not_null {
                Some(true) => "1",
                Some(false) => "0",
                None => "?",
            };
            line(&["K", &c.name, &c.ty, not_null]);
        }
    }
    for (schema, name) in &facts.sequences {
        line(&["S", schema, name]);
    }
    for r in &facts.routines {
        line(&["F", r]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_encode_one_line_each_with_names_escaped() {
        let catalog = secure_pg_sql::schema::catalog::Catalog::from_sql(
            "schema.sql",
            "CREATE TABLE \"odd\tname\" (id bigserial PRIMARY KEY, v text);
             CREATE VIEW names AS SELECT v FROM \"odd\tname\";",
        )
        .unwrap();
        let sql = "INSERT INTO \"odd\tname\" (v) SELECT v FROM names WHERE v <> $1 RETURNING id";
        let typed = secure_pg_sql::typecheck::check(sql, &catalog).unwrap();
        let facts = secure_pg_sql::registry::facts(sql, &catalog);
        assert_eq!(
            encode(&typed, &facts),
            "T\t1\n\
             P\ttext\n\
             C\tid\tbigint\t0\n\
             R\tpublic\todd\\tname\tt\tSI\n\
             K\tid\tbigint\t1\n\
             K\tv\ttext\t0\n\
             R\tpublic\tnames\tv\tS\n\
             K\tv\ttext\t?\n\
             S\tpublic\todd\\tname_id_seq\n"
        );
    }
}
