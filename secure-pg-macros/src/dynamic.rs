//! Dynamic queries: the parts after the base statement's arguments,
//! `; if value => "fragment"` and `; match value { Pattern => "fragment", ... }`.
//! The variants are enumerated and written by `secure_pg_sql::dynamic`;
//! this module parses the parts, checks every variant as the macro checks
//! one statement, and emits the table of variants and the run-time picks.

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{quote, quote_spanned, ToTokens};
use secure_pg_sql::check::{analyze, Mode};
use secure_pg_sql::diagnostic::Position;
use secure_pg_sql::dynamic::{variants, Part, Variant, MAX_VARIANTS};
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Expr, LitStr, Pat, Token};

use crate::expand::{combine, MacroKind, QueryInput};

/// One part of a dynamic query as written.
pub(crate) enum DynPart {
    /// `if value => "fragment"`: included when `value` is `true` or
    /// `Some`; a fragment with `$1` binds what the `Some` holds.
    Optional {
        /// The `bool` or `Option`.
        cond: Expr,
        /// The fragment.
        fragment: LitStr,
    },
    /// `match value { Pattern => "fragment", ... }`.
    Choice {
        /// The value matched.
        scrutinee: Expr,
        /// The arms, in order.
        arms: Vec<(Pat, LitStr)>,
    },
}

impl ToTokens for DynPart {
    fn to_tokens(&self, tokens: &mut TokenStream2) {
        match self {
            DynPart::Optional { cond, fragment } => {
                tokens.extend(quote!(; if #cond => #fragment));
            }
            DynPart::Choice { scrutinee, arms } => {
                let arms = arms.iter().map(|(p, f)| quote!(#p => #f));
                tokens.extend(quote!(; match #scrutinee { #(#arms),* }));
            }
        }
    }
}

const PART_HELP: &str = "after `;`, a dynamic query takes `if value => \"fragment\"` (included \
                         when `value` is `true` or `Some`; the fragment's `$1` is what the \
                         `Some` holds) or `match value { Pattern => \"fragment\", ... }`";

/// Parses `; part; part ...` (a trailing `;` is allowed).
pub(crate) fn parse_parts(input: ParseStream<'_>) -> syn::Result<Vec<DynPart>> {
    let mut parts = Vec::new();
    while !input.is_empty() {
        input.parse::<Token![;]>()?;
        if input.is_empty() {
            break;
        }
        if input.peek(Token![if]) {
            input.parse::<Token![if]>()?;
            let cond = Expr::parse_without_eager_brace(input)?;
            input.parse::<Token![=>]>()?;
            let fragment = fragment_literal(input)?;
            parts.push(DynPart::Optional { cond, fragment });
        } else if input.peek(Token![match]) {
            input.parse::<Token![match]>()?;
            let scrutinee = Expr::parse_without_eager_brace(input)?;
            let content;
            syn::braced!(content in input);
            let mut arms = Vec::new();
            while !content.is_empty() {
                let pat = Pat::parse_multi_with_leading_vert(&content)?;
                content.parse::<Token![=>]>()?;
                arms.push((pat, fragment_literal(&content)?));
                if !content.is_empty() {
                    content.parse::<Token![,]>()?;
                }
            }
            parts.push(DynPart::Choice { scrutinee, arms });
        } else {
            return Err(input.error(PART_HELP));
        }
    }
    Ok(parts)
}

fn fragment_literal(input: ParseStream<'_>) -> syn::Result<LitStr> {
    if input.peek(LitStr) {
        return input.parse();
    }
    Err(input.error(
        "a fragment of a dynamic query must be a string literal, so that every statement \
         the query can send is known and checked at compile time; for a value, write `$1` \
         in the fragment and give the value as the `Option` it depends on",
    ))
}

/// A diagnostic's advice made to fit a dynamic query: the unparsed forms
/// take no parts, so their way out is a call of its own for that variant.
fn escape_hatch_for_a_variant(text: String) -> String {
    let mut text = text;
    for name in ["secure_query_as_unparsed!", "secure_query_unparsed!"] {
        let quoted = format!("`{name}`");
        text = text.replace(
            &format!("{quoted} (still literal-only and placeholder-checked)"),
            &quoted,
        );
        if text.contains(&quoted) {
            text = text.replace(
                &quoted,
                &format!(
                    "a `{name}` call of its own for this statement (the unparsed forms take \
                     no dynamic parts)"
                ),
            );
        }
    }
    text
}

/// Rust tokens as a person writes them: `Dir::Desc`, not `Dir :: Desc`.
fn tidy(tokens: &impl ToTokens) -> String {
    let mut s = tokens.to_token_stream().to_string();
    for (from, to) in [
        (" :: ", "::"),
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
        (" ,", ","),
        ("& ", "&"),
        (" .", "."),
        (". ", "."),
    ] {
        s = s.replace(from, to);
    }
    s
}

/// What makes two variants' refusals the same: the message without its
/// place (`at line 1, column 59`) and the help, not the SQL excerpt, whose
/// text differs from variant to variant.
fn refusal_key(text: &str) -> String {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    let message = first.split(" at line ").next().unwrap_or(first);
    let help = lines
        .filter(|l| l.trim_start().starts_with("= help"))
        .collect::<Vec<_>>()
        .join("\n");
    format!("{message}\n{help}")
}

/// The parts as `secure_pg_sql::dynamic` reads them.
pub(crate) fn sql_parts(parts: &[DynPart]) -> Vec<Part> {
    parts
        .iter()
        .map(|p| match p {
            DynPart::Optional { fragment, .. } => Part::Optional {
                text: fragment.value(),
            },
            DynPart::Choice { arms, .. } => Part::Choice {
                arms: arms.iter().map(|(_, f)| f.value()).collect(),
            },
        })
        .collect()
}

/// How a variant was picked, in the user's words: `` `status` given, `sort`
/// is `Sort::Amount` ``.
pub(crate) fn describe(parts: &[DynPart], variant: &Variant) -> String {
    parts
        .iter()
        .zip(&variant.picks)
        .map(|(part, &pick)| match part {
            DynPart::Optional { cond, .. } => format!(
                "`{}` {}",
                tidy(cond),
                if pick == 1 { "given" } else { "not given" }
            ),
            DynPart::Choice { scrutinee, arms } => {
                format!("`{}` is `{}`", tidy(scrutinee), tidy(&arms[pick].0))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The literal that a place in variant `v`'s SQL comes from: the fragment
/// (or the arm) whose text holds it, else the base statement.
fn span_of_place(
    input: &QueryInput,
    parts: &[DynPart],
    v: &Variant,
    at: Option<&Position>,
) -> Span {
    let base = input.sql.span();
    let Some(offset) = at.and_then(|p| p.offset_in(&v.sql)) else {
        return base;
    };
    match v.part_at(offset).map(|p| (&parts[p], v.picks[p])) {
        Some((DynPart::Optional { fragment, .. }, _)) => fragment.span(),
        Some((DynPart::Choice { arms, .. }, a)) => arms.get(a).map_or(base, |arm| arm.1.span()),
        None => base,
    }
}

/// The literal to blame for the first variant (in index order) that fails
/// where every earlier one passed: the last part it picks away from its
/// first way (the variant without that pick comes earlier, and passed), or
/// the base statement for the first variant.
pub(crate) fn span_of_last_pick(parts: &[DynPart], v: &Variant, base: Span) -> Span {
    let Some(p) = (0..parts.len()).rev().find(|&p| v.picks[p] != 0) else {
        return base;
    };
    match &parts[p] {
        DynPart::Optional { fragment, .. } => fragment.span(),
        DynPart::Choice { arms, .. } => arms.get(v.picks[p]).map_or(base, |arm| arm.1.span()),
    }
}

/// Expands a query macro whose input has dynamic parts.
pub(crate) fn expand(input: &QueryInput, kind: MacroKind) -> syn::Result<TokenStream2> {
    let parts = &input.parts;
    let first_span = match &parts[0] {
        DynPart::Optional { fragment, .. } => fragment.span(),
        DynPart::Choice { scrutinee, .. } => scrutinee.span(),
    };
    if kind.mode() == Mode::Unparsed {
        return Err(syn::Error::new(
            first_span,
            format!(
                "`{}` takes no dynamic parts: its SQL is not parsed, so the variants could not \
                 be checked; use `{}`",
                kind.name(),
                if kind.has_row_type() {
                    MacroKind::QueryAs.name()
                } else {
                    MacroKind::Query.name()
                }
            ),
        ));
    }
    let base = input.sql.value();
    let span = input.sql.span();
    let base_params = crate::expand::base_placeholders(&base, span, &input.args)?;
    let sql_parts = sql_parts(parts);
    let mut all = variants(&base, base_params, &sql_parts, MAX_VARIANTS).map_err(|e| {
        let at = match (e.part.map(|p| &parts[p]), e.arm) {
            (Some(DynPart::Optional { fragment, .. }), _) => fragment.span(),
            (Some(DynPart::Choice { arms, .. }), Some(a)) => arms[a].1.span(),
            (Some(DynPart::Choice { scrutinee, .. }), None) => scrutinee.span(),
            (None, _) => span,
        };
        syn::Error::new(at, e.message)
    })?;
    // Every variant is checked as a statement: one, valid, no gaps.
    let mut errors = Vec::new();
    for v in &all {
        if let Err(diagnostics) = analyze(&v.sql, kind.mode()) {
            let which = describe(parts, v);
            errors.extend(diagnostics.iter().map(|d| {
                syn::Error::new(
                    span_of_place(input, parts, v, d.at.as_ref()),
                    format!(
                        "in the statement sent when {which}:\n{}",
                        escape_hatch_for_a_variant(d.render(&v.sql))
                    ),
                )
            }));
        }
    }
    if let Some(e) = combine(errors) {
        return Err(e);
    }
    if input.scoped_by_attribute {
        // The attribute scoped every variant (and checked its tables), or
        // could not, and then reported why on the query.
        let Some(scoped) = &input.scoped_variants else {
            return Err(syn::Error::new(
                first_span,
                "#[tenant_scoped] could not scope this dynamic query (see the other error on \
                 it); it is not compiled unscoped",
            ));
        };
        if scoped.len() != all.len() {
            return Err(syn::Error::new(
                span,
                "internal: #[tenant_scoped] gave a different number of variants",
            ));
        }
        for (v, sql) in all.iter_mut().zip(scoped) {
            v.sql = sql.value();
            if let Err(diagnostics) = analyze(&v.sql, kind.mode()) {
                let which = describe(parts, v);
                return Err(syn::Error::new(
                    span,
                    format!(
                        "in the statement sent when {which}, as scoped to the tenant:\n{}",
                        diagnostics[0].render(&v.sql)
                    ),
                ));
            }
        }
    }
    let value_slots: Vec<usize> = {
        // The values array: the base's arguments, then each optional
        // fragment that takes a value, in order.
        let mut next = input.args.len();
        parts
            .iter()
            .enumerate()
            .map(|(p, _)| {
                if all.iter().any(|v| v.value_parts.contains(&p)) {
                    next += 1;
                    next - 1
                } else {
                    usize::MAX
                }
            })
            .collect()
    };
    let typed = type_variants(input, kind, parts, &all, &value_slots)?;
    Ok(emit(input, kind, parts, &all, &value_slots, typed))
}

/// What the schema says about every variant.
struct TypedVariants {
    deps: TokenStream2,
    rows: TokenStream2,
    /// The binding function of each value slot.
    binders: Vec<Option<&'static str>>,
    wires: Vec<TokenStream2>,
    marks: TokenStream2,
    /// Each variant's registration in `secure_pg::queries()`.
    registered: Vec<TokenStream2>,
}

fn type_variants(
    input: &QueryInput,
    kind: MacroKind,
    parts: &[DynPart],
    all: &[Variant],
    value_slots: &[usize],
) -> syn::Result<Option<TypedVariants>> {
    let span = input.sql.span();
    let fragment_slots =
        value_slots.iter().filter(|s| **s != usize::MAX).count() + input.args.len();
    // The tenant of a scoped query is bound last, after every value.
    let tenant_slot = fragment_slots;
    let slots = fragment_slots + usize::from(input.tenant_value.is_some());
    let mut binders: Vec<Option<(&'static str, String)>> = vec![None; slots];
    let mut first: Option<(crate::schema_check::SchemaTyped, String)> = None;
    let mut wires = Vec::with_capacity(all.len());
    let mut marks = Vec::new();
    let mut registered = Vec::with_capacity(all.len());
    let mut errors = Vec::new();
    // A fragment's mistake shows in every variant that includes it: each
    // is reported once, at the first such variant, with how many others
    // have it.
    let mut refusals: Vec<(String, Span, String, usize)> = Vec::new();
    for v in all {
        let which = describe(parts, v);
        // A refusal points at the fragment it is about (the attribute's
        // rewritten SQL no longer lines up with the fragments: the query).
        let span_for = |at: Option<&Position>| match input.scoped_by_attribute {
            false => span_of_place(input, parts, v, at),
            true => span,
        };
        let typed = match crate::schema_check::type_statement_at(
            &v.sql,
            span,
            &span_for,
            input.scoped_by_attribute,
        ) {
            Ok(Some(t)) => t,
            Ok(None) => return Ok(None),
            Err(e) => {
                let text = escape_hatch_for_a_variant(e.to_string());
                let key = refusal_key(&text);
                match refusals.iter_mut().find(|(k, ..)| *k == key) {
                    Some((.., others)) => *others += 1,
                    None => refusals.push((
                        key,
                        e.span(),
                        format!("in the statement sent when {which}:\n{text}"),
                        0,
                    )),
                }
                continue;
            }
        };
        // Each placeholder's value slot: the base's arguments, then the
        // included fragments' values.
        let slot_of = |i: usize| {
            if i < input.args.len() {
                i
            } else {
                v.value_parts
                    .get(i - input.args.len())
                    .map_or(tenant_slot, |&part| value_slots[part])
            }
        };
        for (i, p) in typed.typed.params.iter().enumerate() {
            let f = secure_pg_sql::typecheck::binding_function(p);
            let slot = slot_of(i);
            match (&binders[slot], f) {
                (None, Some(f)) => binders[slot] = Some((f, which.clone())),
                (Some((g, other)), Some(f)) if *g != f => errors.push(syn::Error::new(
                    span,
                    format!(
                        "`${n}` takes a different type in the statement sent when {which} \
                         than when {other}; cast it (`${n}::type`) so that every variant \
                         reads it the same way",
                        n = i + 1
                    ),
                )),
                _ => {}
            }
        }
        wires.push(crate::schema_check::param_array(&typed.wires));
        let facts = secure_pg_sql::registry::facts(&v.sql, &typed.loaded.catalog);
        registered.push(crate::register::of_query(
            input,
            kind,
            &v.sql,
            Some((&typed.typed, &facts)),
        ));
        if input.unscoped.is_none() && !input.scoped_by_attribute {
            match crate::schema_check::tenant_rule(&v.sql, span, kind, &typed.loaded) {
                Ok(t) => marks.push(t.to_string()),
                Err(e) => errors.push(e),
            }
        }
        marks.push(crate::schema_check::session_through_schema(&v.sql, &typed.loaded).to_string());
        match &first {
            None => first = Some((typed, which)),
            Some((f, first_which)) => {
                if f.typed.columns != typed.typed.columns {
                    errors.push(syn::Error::new(
                        span,
                        format!(
                            "the statement sent when {which} returns other columns than the \
                             one sent when {first_which} (every variant is read into the same \
                             row type); make the select list the same in every variant"
                        ),
                    ));
                }
            }
        }
    }
    errors.extend(refusals.into_iter().map(|(_, at, text, others)| {
        let text = match others {
            0 => text,
            1 => format!("{text}\n= note: one other variant has the same problem"),
            n => format!("{text}\n= note: {n} other variants have the same problem"),
        };
        syn::Error::new(at, text)
    }));
    if let Some(e) = combine(errors) {
        return Err(e);
    }
    let Some((first, _)) = first else {
        return Ok(None);
    };
    let rows = match &input.row_type {
        Some(t) => crate::schema_check::row_assertions(t, &first.typed)?,
        None => quote!(),
    };
    marks.sort();
    marks.dedup();
    let marks = marks
        .iter()
        .filter_map(|m| m.parse::<TokenStream2>().ok())
        .collect();
    Ok(Some(TypedVariants {
        deps: crate::schema_check::dependencies(&first.loaded.files),
        rows,
        binders: binders.into_iter().map(|b| b.map(|(f, _)| f)).collect(),
        wires,
        marks,
        registered,
    }))
}

fn emit(
    input: &QueryInput,
    kind: MacroKind,
    parts: &[DynPart],
    all: &[Variant],
    value_slots: &[usize],
    typed: Option<TypedVariants>,
) -> TokenStream2 {
    let p = quote!(::secure_pg::__private);
    let span = input.sql.span();
    let binder = |slot: usize, at: Span| -> TokenStream2 {
        match typed
            .as_ref()
            .and_then(|t| t.binders.get(slot).copied().flatten())
        {
            // Every token on the user's value, so that a type the
            // parameter does not take is reported there.
            Some(f) => {
                let f = syn::Ident::new(f, at);
                quote_spanned!(at=> ::secure_pg::__private::sql::#f)
            }
            None => quote_spanned!(at=> ::secure_pg::__private::bind),
        }
    };
    let mut values: Vec<TokenStream2> = input
        .args
        .iter()
        .enumerate()
        .map(|(i, arg)| {
            let f = binder(i, arg.span());
            quote_spanned!(arg.span()=> ::secure_pg::__private::given(#f(&(#arg))))
        })
        .collect();
    let mut picks = Vec::new();
    let mut descriptors = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        match part {
            DynPart::Optional { cond, .. } if value_slots[i] != usize::MAX => {
                let f = binder(value_slots[i], cond.span());
                values.push(quote_spanned!(cond.span()=>
                    ::secure_pg::__private::fragment_value(&(#cond)).map(#f)
                ));
                let slot = value_slots[i];
                descriptors.push(quote!(#p::DynamicPart::Value(#slot)));
            }
            DynPart::Optional { cond, .. } => {
                let slot = picks.len();
                picks.push(quote_spanned!(cond.span()=> ::secure_pg::__private::switch(&(#cond))));
                descriptors.push(quote!(#p::DynamicPart::Pick { slot: #slot, arity: 2 }));
            }
            DynPart::Choice { scrutinee, arms } => {
                let slot = picks.len();
                let arity = arms.len();
                let arms = arms
                    .iter()
                    .enumerate()
                    .map(|(k, (pat, _))| quote!(#pat => #k,));
                // By value, so that literal patterns match as written; patterns
                // that bind nothing move nothing.
                picks.push(quote_spanned!(scrutinee.span()=> match #scrutinee { #(#arms)* }));
                descriptors.push(quote!(#p::DynamicPart::Pick { slot: #slot, arity: #arity }));
            }
        }
    }
    if let Some(tenant) = &input.tenant_value {
        // Always given, so it lands right after the variant's own values,
        // where the attribute numbered it in every variant.
        let slot = values.len();
        let f = binder(slot, span);
        values.push(quote!(::secure_pg::__private::given(#f(&(#tenant)))));
    }
    let sqls = all.iter().map(|v| LitStr::new(&v.sql, span));
    let (deps, rows, wires, marks, registered) = match typed {
        Some(t) => (t.deps, t.rows, t.wires, t.marks, t.registered),
        None => {
            // Without a schema, each variant is registered as sent.
            let registered = all
                .iter()
                .map(|v| crate::register::of_query(input, kind, &v.sql, None))
                .collect();
            (quote!(), quote!(), Vec::new(), quote!(), registered)
        }
    };
    let session = if all
        .iter()
        .any(|v| secure_pg_sql::session::changes_session(&v.sql))
    {
        quote!(.__changes_session())
    } else {
        quote!()
    };
    let constructor = match &input.row_type {
        None => quote!(#p::Query::__dynamic_from_macro),
        Some(row_type) => quote_spanned! {row_type.span()=>
            #p::query_as_dynamic_from_macro::<#row_type, _, _>
        },
    };
    let unscoped = if input.unscoped.is_some() {
        quote!(.__tenant_scoped_by_attribute())
    } else {
        quote!()
    };
    quote! {{
        #deps
        #rows
        #(#registered)*
        static __SECURE_PG_DYNAMIC: #p::Dynamic = #p::Dynamic {
            sqls: &[#(#sqls),*],
            wires: &[#(#wires),*],
            parts: &[#(#descriptors),*],
        };
        #constructor(&__SECURE_PG_DYNAMIC, [#(#values),*], [#(#picks),*])
            #session #marks #unscoped
    }}
}
